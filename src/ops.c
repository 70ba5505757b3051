/* ops.c - the operator table, expanded from JX_OPS in ops.h. */
#include "ops.h"

#include <string.h>

const jx_opinfo jx_ops[JX_OP_COUNT] = {
#define JX_OP_ROW(id, mnem, spell, syn, ar, rule, kinds, low, fn, cx, ci, cf, cc) \
    {mnem, spell, JX_SYN_##syn, ar, JX_R_##rule, kinds, JX_L_##low, fn, \
     JX_CX_##cx, {ci, cf, cc}},
    JX_OPS(JX_OP_ROW)
#undef JX_OP_ROW
};

/* Every op that accepts complex operands says how it lowers them, and no
 * other does: a row that gains JX_C without a lowering fails here. */
#define JX_OP_CX_CHECK(id, mnem, spell, syn, ar, rule, kinds, low, fn, cx, ci, cf, cc) \
    _Static_assert(((kinds) & JX_C) ? JX_CX_##cx != JX_CX_NONE               \
                                    : JX_CX_##cx == JX_CX_NONE,              \
                   #id ": the cx column must say how complex operands lower");
JX_OPS(JX_OP_CX_CHECK)
#undef JX_OP_CX_CHECK

const jx_libcall jx_libcalls[JX_LIBCALL_COUNT] = {
#define JX_LC_ROW(op, fn, how) {JX_OP_##op, fn, JX_LC_##how},
    JX_LIBCALLS(JX_LC_ROW)
#undef JX_LC_ROW
};

const jx_libcall *jx_ops_libcall(int op)
{
    for (int i = 0; i < JX_LIBCALL_COUNT; i++)
        if (jx_libcalls[i].op == op)
            return &jx_libcalls[i];
    return NULL;
}

int jx_ops_cost(int op, jx_kind k)
{
    const int *c = jx_ops[op].cost;
    return k == JX_KIND_COMPLEX ? c[2] : k == JX_KIND_FLOAT ? c[1] : c[0];
}

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
