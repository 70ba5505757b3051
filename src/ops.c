/* ops.c - the operator table, expanded from JX_OPS in ops.h. */
#include "ops.h"

#include <math.h>
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

static const jx_reduce_info reduces[] = {
#define JX_RED_ROW(op, start, comb, mean) \
    {JX_OP_##op, JX_RS_##start, JX_RC_##comb, mean},
    JX_REDUCES(JX_RED_ROW)
#undef JX_RED_ROW
};

/* Every REDUCE row of JX_OPS has a row here, and nothing else does. */
#define JX_RED_IS_REDUCE(id, mnem, spell, syn, ar, rule, kinds, low, fn, cx, ci, cf, cc) \
    +(JX_R_##rule == JX_R_REDUCE)
#define JX_RED_COUNT(op, start, comb, mean) +1
_Static_assert(0 JX_OPS(JX_RED_IS_REDUCE) == 0 JX_REDUCES(JX_RED_COUNT),
               "JX_REDUCES: one row per REDUCE row of JX_OPS");
#undef JX_RED_IS_REDUCE
#undef JX_RED_COUNT

const jx_reduce_info *jx_ops_reduce(int op)
{
    for (size_t i = 0; i < sizeof reduces / sizeof reduces[0]; i++)
        if (reduces[i].op == op)
            return &reduces[i];
    return NULL;
}

void jx_ops_reduce_identity(int op, jx_dtype t, jx_value *re, double *im)
{
    const jx_reduce_info *r = jx_ops_reduce(op);
    jx_reduce_start s = r != NULL ? r->start : JX_RS_ZERO;
    jx_kind k = jx_dtype_kind(t);
    *im = 0.0;
    if (k == JX_KIND_FLOAT || k == JX_KIND_COMPLEX) {
        re->f = s == JX_RS_ONE ? 1.0 : s == JX_RS_TOP ? INFINITY
                : s == JX_RS_BOTTOM ? -INFINITY : 0.0;
        if (k == JX_KIND_COMPLEX) /* min: inf+infj, the largest complex */
            *im = s == JX_RS_TOP || s == JX_RS_BOTTOM ? re->f : 0.0;
        return;
    }
    unsigned bits = 8 * (unsigned)jx_dtype_size(t);
    uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    bool sgn = k == JX_KIND_INT;
    switch (s) {
    case JX_RS_ONE: re->u = 1; break;
    case JX_RS_TOP: /* true, or the largest integer */
        re->u = k == JX_KIND_BOOL ? 1 : sgn ? umax >> 1 : umax;
        break;
    case JX_RS_BOTTOM: /* false, or the smallest integer */
        re->u = sgn ? (uint64_t)(-(int64_t)(umax >> 1) - 1) : 0;
        break;
    default: re->u = 0; break;
    }
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
