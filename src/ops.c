/* ops.c - the operator table, expanded from JX_OPS in ops.h. */
#include "ops.h"

#include <string.h>

const jx_opinfo jx_ops[JX_OP_COUNT] = {
#define JX_OP_ROW(id, mnem, spell, syn, ar, rule, kinds, low, fn) \
    {mnem, spell, JX_SYN_##syn, ar, JX_R_##rule, kinds, JX_L_##low, fn},
    JX_OPS(JX_OP_ROW)
#undef JX_OP_ROW
};

jx_dtype jx_ops_result_dtype(int op, jx_dtype t)
{
    switch (jx_ops[op].rule) {
    case JX_R_CMP:
    case JX_R_PRED:
    case JX_R_FLOATPRED:
    case JX_R_BYTESFN: return JX_BOOL;
    case JX_R_PART:
    case JX_R_ANGLE: return jx_dtype_part(t);
    case JX_R_COMPLEX: return JX_COMPLEX128;
    default: return t;
    }
}

int jx_ops_find_function(const char *name, size_t n)
{
    for (int i = 0; i < JX_OP_COUNT; i++)
        if (jx_ops[i].syn == JX_SYN_FN && strlen(jx_ops[i].spell) == n &&
            memcmp(jx_ops[i].spell, name, n) == 0)
            return i;
    return -1;
}
