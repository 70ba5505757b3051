/* sema.c - the type pass.  See sema.h.
 *
 * Literals are weak, as Python scalars are in NumPy (NEP 50): a weak
 * operand takes the type of a strong one of the same or a higher kind
 * (float32 array * 2.0 is float32, int32 array + 1 is int32), and its value
 * must fit that type.  Against a lower kind it becomes the default type of
 * its own kind (int32 array * 1.5 is float64).  Operators on weak operands
 * only stay weak; function results are strong. */
#include "sema.h"

#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "dtype.h"
#include "fold.h"
#include "ops.h"
#include "utf8.h"

typedef struct sema {
    jx_arena *arena;
    const jx_var *vars;
    int nvars;
    jx_error *err;
    const char **names; /* NFKC forms of vars[i].name (in the arena when
                           they differ), or NULL before the first lookup */
    size_t *namelens;   /* their bytes */
} sema;

static int kind_rank(jx_dtype t)
{
    switch (jx_dtype_kind(t)) {
    case JX_KIND_BOOL: return 0;
    case JX_KIND_INT:
    case JX_KIND_UINT: return 1;
    case JX_KIND_FLOAT: return 2;
    default: return 3;
    }
}

static jx_dtype default_of_rank(int rank)
{
    static const jx_dtype d[] = {JX_BOOL, JX_INT64, JX_FLOAT64, JX_COMPLEX128};
    return d[rank];
}

/* The type two operands compute in, with weak operands as NEP 50 says. */
static jx_dtype promote_weak(jx_dtype a, bool wa, jx_dtype b, bool wb)
{
    if (wa == wb)
        return jx_dtype_promote(a, b);
    jx_dtype w = wa ? a : b, s = wa ? b : a;
    /* A Python complex with a float array: the complex of the float's
     * size (float16 and float32 give complex64), as NEP 50 says. */
    if (kind_rank(w) == 3 && kind_rank(s) == 2)
        return s == JX_FLOAT64 ? JX_COMPLEX128 : JX_COMPLEX64;
    if (kind_rank(w) <= kind_rank(s))
        return s;
    return jx_dtype_promote(default_of_rank(kind_rank(w)), s);
}

static jx_node *new_node(sema *S, jx_node_kind kind, const jx_node *span)
{
    jx_node *n = jx_arena_alloc(S->arena, sizeof *n);
    if (n == NULL) {
        jx_err_set(S->err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return NULL;
    }
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->op = -1;
    n->var = -1;
    n->offset = span->offset;
    n->length = span->length;
    return n;
}

static bool is_const(const jx_node *n) { return n->kind == JX_N_CONST; }

/* Converts operand *slot to type t: a constant in place, anything else by
 * an explicit cast node.  Returns 0 or -1. */
static int coerce(sema *S, jx_node **slot, jx_dtype t)
{
    jx_node *n = *slot;
    if (n->dtype == t)
        return 0;
    if (is_const(n)) {
        int r = jx_fold_convert(n, t, S->err);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    jx_node *c = new_node(S, JX_N_CAST, n);
    if (c == NULL)
        return -1;
    c->nargs = 1;
    c->args[0] = n;
    c->dtype = t;
    *slot = c;
    return 0;
}

static int check_supported(sema *S, const jx_node *n, jx_dtype t)
{
    if (jx_dtype_get(t)->supported)
        return 0;
    jx_err_set(S->err, JX_ERR_TYPE, n->offset, n->length,
               "%s is not supported yet", jx_dtype_name(t));
    return -1;
}

static const char *op_display(int op)
{
    return jx_ops[op].spell;
}

/* numexpr's typecode of dtype t: 'b' bool, 'i' int32 and the narrower
 * ints, 'l' int64, uint32 and uint64, 'f' float32, 'd' float64, 'c'
 * complex, 's' bytes; 0 where numexpr has none (float16). */
static char numexpr_code(jx_dtype t)
{
    switch (t) {
    case JX_BOOL: return 'b';
    case JX_INT8: case JX_INT16: case JX_INT32: case JX_UINT8: case JX_UINT16: return 'i';
    case JX_INT64: case JX_UINT32: case JX_UINT64: return 'l';
    case JX_FLOAT32: return 'f';
    case JX_FLOAT64: return 'd';
    case JX_COMPLEX64: case JX_COMPLEX128: return 'c';
    case JX_BYTES: return 's';
    default: return 0;
    }
}

/* " (numexpr: couldn't find matching opcode for 'neg_bb')" into buf: the
 * words of numexpr's NotImplementedError for op node n (operands typed)
 * computing in type t, so that a caller matching numexpr's message
 * finds it.  numexpr's opcode is its op name, '_', the result's typecode,
 * the operands' typecodes; its names are the table's mnemonics (functions:
 * their names) but for the shifts, and it writes a < b as b > a.  Empty
 * where numexpr has no such opcode (unary +, //, reductions, float16). */
static void numexpr_opcode(const jx_node *n, jx_dtype t, char *buf, size_t size)
{
    const jx_opinfo *o = &jx_ops[n->op];
    const char *name = o->syn == JX_SYN_FN ? o->spell : o->mnem;
    bool swap = false;
    buf[0] = '\0';
    switch (n->op) {
    case JX_OP_SHL: name = "lshift"; break;
    case JX_OP_SHR: name = "rshift"; break;
    case JX_OP_LT: name = "gt"; swap = true; break;
    case JX_OP_LE: name = "ge"; swap = true; break;
    case JX_OP_POS: case JX_OP_FLOORDIV: return;
    default:
        if (o->rule == JX_R_REDUCE || n->nargs > JX_MAX_ARGS)
            return;
    }
    bool to_bool = o->rule == JX_R_CMP || o->rule == JX_R_PRED ||
                   o->rule == JX_R_FLOATPRED || o->rule == JX_R_BYTESFN;
    char codes[JX_MAX_ARGS + 2];
    codes[0] = numexpr_code(to_bool ? JX_BOOL : t);
    for (int i = 0; i < n->nargs; i++) {
        int k = swap && n->nargs == 2 ? 1 - i : i;
        codes[1 + i] = numexpr_code(n->args[k]->dtype);
    }
    codes[1 + n->nargs] = '\0';
    if (strlen(codes) != (size_t)(1 + n->nargs))
        return; /* a type numexpr does not have */
    snprintf(buf, size, " (numexpr: couldn't find matching opcode for '%s_%s')",
             name, codes);
}

static int type_error(sema *S, const jx_node *n, jx_dtype t)
{
    const jx_opinfo *o = &jx_ops[n->op];
    char nx[96];
    numexpr_opcode(n, t, nx, sizeof nx);
    if (o->arity == 1 || o->syn == JX_SYN_OPU)
        jx_err_set(S->err, JX_ERR_TYPE, n->offset, n->length,
                   "%s '%s' does not support %s%s",
                   o->syn == JX_SYN_FN ? "function" : "operator",
                   op_display(n->op), jx_dtype_name(n->args[0]->dtype), nx);
    else if (o->arity == 2)
        jx_err_set(S->err, JX_ERR_TYPE, n->offset, n->length,
                   "%s '%s' does not support %s and %s (computed as %s)%s",
                   o->syn == JX_SYN_FN ? "function" : "operator",
                   op_display(n->op), jx_dtype_name(n->args[0]->dtype),
                   jx_dtype_name(n->args[1]->dtype), jx_dtype_name(t), nx);
    else
        jx_err_set(S->err, JX_ERR_TYPE, n->offset, n->length,
                   "function '%s' does not support %s%s", op_display(n->op),
                   jx_dtype_name(t), nx);
    return -1;
}

/* ---- byte strings -----------------------------------------------------------
 * A byte string is never promoted or cast: an op takes byte strings only
 * when all its operands are ones and its kinds hold JX_KIND_BYTES. */

/* A node's type for messages: "int64", or "S5" for a byte string. */
static const char *type_name(const jx_node *n, char *buf, size_t size)
{
    if (n->dtype != JX_BYTES)
        return jx_dtype_name(n->dtype);
    snprintf(buf, size, "S%lld", (long long)n->itemsize);
    return buf;
}

/* "operator '+' does not support S5 and int64 (...)": every operand's
 * type, as there is no common one to name. */
static int bytes_type_error(sema *S, const jx_node *n)
{
    const jx_opinfo *o = &jx_ops[n->op];
    char list[160] = "", buf[32], nx[96];
    size_t used = 0;
    for (int i = 0; i < n->nargs && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                 i == 0 ? "" : i + 1 == n->nargs ? " and " : ", ",
                                 type_name(n->args[i], buf, sizeof buf));
    numexpr_opcode(n, JX_BYTES, nx, sizeof nx);
    jx_err_set(S->err, JX_ERR_TYPE, n->offset, n->length,
               "%s '%s' does not support %s (byte strings take ==, !=, <, "
               "<=, >, >=, contains(), where() and copy())%s",
               o->syn == JX_SYN_FN ? "function" : "operator", op_display(n->op),
               list, nx);
    return -1;
}

/* where(c, s, t) of two byte strings: c becomes a bool, the result is a
 * byte string of the larger itemsize (the shorter value padded with NULs,
 * as np.where gives). */
static int type_bytes_where(sema *S, jx_node *n)
{
    jx_node **args = n->args;
    if (args[0]->dtype == JX_BYTES || args[1]->dtype != JX_BYTES ||
        args[2]->dtype != JX_BYTES)
        return bytes_type_error(S, n);
    if (coerce(S, &args[0], JX_BOOL) < 0)
        return -1;
    n->dtype = JX_BYTES;
    n->weak = false;
    n->itemsize = args[1]->itemsize > args[2]->itemsize ? args[1]->itemsize
                                                        : args[2]->itemsize;
    return 0;
}

/* Types op node n that has a byte string operand; folds it when every
 * operand is a literal. */
static int type_bytes_op(sema *S, jx_node *n)
{
    bool all_bytes = true, all_const = true;
    for (int i = 0; i < n->nargs; i++) {
        all_bytes = all_bytes && n->args[i]->dtype == JX_BYTES;
        all_const = all_const && is_const(n->args[i]);
    }
    if (n->op == JX_OP_WHERE)
        return type_bytes_where(S, n);
    if (!all_bytes || !(jx_ops[n->op].kinds & JX_KIND_BYTES))
        return bytes_type_error(S, n);
    n->weak = false;
    if (jx_ops[n->op].rule == JX_R_SAME) { /* copy(s): the same value */
        n->dtype = JX_BYTES;
        n->itemsize = n->args[0]->itemsize;
        return 0;
    }
    n->dtype = JX_BOOL;
    if (!all_const)
        return 0;
    const jx_node *a = n->args[0], *b = n->args[1];
    if (n->op == JX_OP_CONTAINS) {
        n->v.u = (uint64_t)jx_bytes_contains(a->str, a->itemsize, b->str, b->itemsize);
    } else {
        int c = jx_bytes_cmp(a->str, a->itemsize, b->str, b->itemsize);
        switch (n->op) {
        case JX_OP_LT: n->v.u = c < 0; break;
        case JX_OP_LE: n->v.u = c <= 0; break;
        case JX_OP_EQ: n->v.u = c == 0; break;
        case JX_OP_NE: n->v.u = c != 0; break;
        case JX_OP_GE: n->v.u = c >= 0; break;
        case JX_OP_GT: n->v.u = c > 0; break;
        default: return 0; /* a new op taking bytes: computed by the kernel */
        }
    }
    n->kind = JX_N_CONST;
    n->nargs = 0;
    return 0;
}

/* ---- reductions ------------------------------------------------------------ */

static jx_node *visit(sema *S, jx_node *n, bool root);

void jx_sema_reduce_types(int op, jx_dtype elem, jx_dtype *result, jx_dtype *acc)
{
    jx_kind k = jx_dtype_kind(elem);
    switch (op) {
    case JX_OP_SUM:
    case JX_OP_PROD:
        if (k == JX_KIND_FLOAT)
            *result = elem, *acc = JX_FLOAT64;
        else if (k == JX_KIND_COMPLEX) /* complex64 in complex128, rounded */
            *result = elem, *acc = JX_COMPLEX128;
        else
            *result = *acc = k == JX_KIND_UINT ? JX_UINT64 : JX_INT64;
        return;
    case JX_OP_MEAN:
        if (k == JX_KIND_COMPLEX)
            *result = elem, *acc = JX_COMPLEX128;
        else
            *result = k == JX_KIND_FLOAT ? elem : JX_FLOAT64, *acc = JX_FLOAT64;
        return;
    case JX_OP_MIN:
    case JX_OP_MAX:
        *result = elem;
        *acc = elem == JX_FLOAT16 ? JX_FLOAT32 : elem;
        return;
    default: /* any, all */
        *result = *acc = JX_BOOL;
        return;
    }
}

/* A reduction's arguments: the expression, then an axis (positional or
 * axis=) that must be an integer constant. */
static int reduce_args(sema *S, jx_node *n)
{
    const char *fname = jx_ops[n->op].spell;
    jx_node *axis = NULL;
    if (n->nargs == 2 && n->args[1]->kind != JX_N_KWARG)
        axis = n->args[1];
    for (int i = 1; i < n->nargs; i++) {
        jx_node *a = n->args[i];
        if (a->kind == JX_N_KWARG && a->namelen == 4 && memcmp(a->name, "axis", 4) == 0 && !axis)
            axis = a->args[0];
        else if (a != axis) {
            jx_err_set(S->err, JX_ERR_ARITY, a->offset, a->length,
                       "%s() takes an expression and an optional axis", fname);
            return -1;
        }
    }
    if (n->nargs < 1 || n->args[0]->kind == JX_N_KWARG) {
        jx_err_set(S->err, JX_ERR_ARITY, n->offset, n->length,
                   "%s() takes an expression and an optional axis", fname);
        return -1;
    }
    n->nargs = 1;
    if (axis == NULL)
        return 0;
    jx_node *v = visit(S, axis, false);
    if (v == NULL)
        return -1;
    if (v->kind != JX_N_CONST || !(jx_dtype_kind(v->dtype) & JX_KIND_INT) ||
        v->v.i < -JX_MAX_DIMS || v->v.i >= JX_MAX_DIMS) {
        jx_err_set(S->err, JX_ERR_TYPE, axis->offset, axis->length,
                   "the axis of %s() must be an integer constant", fname);
        return -1;
    }
    n->has_axis = true;
    n->axis = (int32_t)v->v.i;
    return 0;
}

/* ---- names and calls ----------------------------------------------------- */

int jx_sema_distance(const char *a, size_t na, const char *b, size_t nb)
{
    if (na > 63 || nb > 63)
        return 64;
    int prev[64], cur[64];
    for (size_t j = 0; j <= nb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, sizeof(int) * (nb + 1));
    }
    return prev[nb];
}

/* The NFKC forms of the variable table's names, made on the first lookup
 * (a name in the source is in that form already: the lexer made it so). */
static int normalise_vars(sema *S, const jx_node *n)
{
    if (S->names != NULL || S->nvars == 0)
        return 0;
    S->names = jx_arena_alloc(S->arena, sizeof *S->names * (size_t)S->nvars);
    S->namelens = jx_arena_alloc(S->arena, sizeof *S->namelens * (size_t)S->nvars);
    if (S->names == NULL || S->namelens == NULL) {
        jx_err_set(S->err, JX_ERR_NOMEM, n->offset, n->length, "out of memory");
        return -1;
    }
    for (int i = 0; i < S->nvars; i++) {
        const char *name = S->vars[i].name;
        if (name == NULL)
            continue;
        if (jx_utf8_nfkc(S->arena, name, strlen(name), &S->names[i],
                         &S->namelens[i], S->err) < 0) {
            if (S->err != NULL && S->err->code == JX_ERR_ARG)
                jx_err_set(S->err, JX_ERR_ARG, -1, 0,
                           "the name of variable %d is not UTF-8", i);
            return -1;
        }
    }
    return 0;
}

static int bind_var(sema *S, jx_node *n)
{
    if (normalise_vars(S, n) < 0)
        return -1;
    for (int i = 0; i < S->nvars; i++) {
        const char *name = S->vars[i].name;
        if (name && S->namelens[i] == (size_t)n->namelen &&
            memcmp(S->names[i], n->name, (size_t)n->namelen) == 0) {
            jx_dtype t = S->vars[i].dtype;
            if (jx_dtype_get(t) == NULL) {
                jx_err_set(S->err, JX_ERR_ARG, n->offset, n->length,
                           "variable '%s' has an invalid dtype (%d)", name,
                           (int)t);
                return -1;
            }
            if (check_supported(S, n, t) < 0)
                return -1;
            /* Only byte strings read itemsize: C callers that fill the
             * other fields one by one may leave it unset. */
            if (t == JX_BYTES) {
                size_t size = S->vars[i].itemsize;
                if (size < 1 || size > INT32_MAX) {
                    jx_err_set(S->err, JX_ERR_ARG, n->offset, n->length,
                               "variable '%s' is bytes with itemsize %zu: "
                               "give 1 to %d bytes", name, size, INT32_MAX);
                    return -1;
                }
                n->itemsize = (int64_t)size;
            }
            n->var = i;
            n->dtype = t;
            n->weak = t != JX_BYTES && (S->vars[i].flags & JX_VAR_WEAK) != 0;
            return 0;
        }
    }
    if (jx_ops_find_function(n->name, (size_t)n->namelen) >= 0) {
        jx_err_set(S->err, JX_ERR_NAME, n->offset, n->length,
                   "'%.*s' is a function: call it, as in %.*s(x)",
                   (int)n->namelen, n->name, (int)n->namelen, n->name);
        return -1;
    }
    jx_err_set(S->err, JX_ERR_NAME, n->offset, n->length,
               "unknown variable '%.*s'", (int)n->namelen, n->name);
    return -1;
}

static int bind_call(sema *S, jx_node *n)
{
    int op = jx_ops_find_function(n->name, (size_t)n->namelen);
    if (op < 0) {
        const char *best = NULL;
        int bestd = 3; /* suggest only names within 2 edits */
        for (int i = 0; i < JX_OP_COUNT; i++) {
            if (jx_ops[i].syn != JX_SYN_FN)
                continue;
            int d = jx_sema_distance(n->name, (size_t)n->namelen,
                                     jx_ops[i].spell, strlen(jx_ops[i].spell));
            if (d < bestd) {
                bestd = d;
                best = jx_ops[i].spell;
            }
        }
        if (best)
            jx_err_set(S->err, JX_ERR_FUNCTION, n->offset, n->namelen,
                       "unknown function '%.*s' (did you mean '%s'?)",
                       (int)n->namelen, n->name, best);
        else
            jx_err_set(S->err, JX_ERR_FUNCTION, n->offset, n->namelen,
                       "unknown function '%.*s'", (int)n->namelen, n->name);
        return -1;
    }
    n->kind = JX_N_OP;
    n->op = op;
    if (jx_ops[op].rule == JX_R_REDUCE)
        return reduce_args(S, n);
    for (int i = 0; i < n->nargs; i++)
        if (n->args[i]->kind == JX_N_KWARG) {
            jx_err_set(S->err, JX_ERR_ARITY, n->args[i]->offset, n->args[i]->length,
                       "%s() got an unexpected keyword argument '%.*s'",
                       jx_ops[op].spell, (int)n->args[i]->namelen, n->args[i]->name);
            return -1;
        }
    if (n->nargs != jx_ops[op].arity) {
        jx_err_set(S->err, JX_ERR_ARITY, n->offset, n->length,
                   "%s() takes %d argument%s, %d given", jx_ops[op].spell,
                   jx_ops[op].arity, jx_ops[op].arity == 1 ? "" : "s",
                   n->nargs);
        return -1;
    }
    return 0;
}

/* ---- the pass --------------------------------------------------------------- */


/* The float type a float function (arctan2) of n's operands computes in,
 * t being their promoted type.  NumPy picks the first loop that each
 * operand casts to safely, so arrays of int8 and uint8 give float16, not
 * the float of their common int16; with a Python scalar among them, the
 * float of the promoted type (int8 array and 2.5: float64). */
static jx_dtype float_operands(const jx_node *n, jx_dtype t)
{
    jx_dtype f = jx_dtype_to_float(n->args[0]->dtype);
    for (int i = 0; i < n->nargs; i++) {
        if (n->args[i]->weak)
            return jx_dtype_to_float(t);
        f = jx_dtype_promote(f, jx_dtype_to_float(n->args[i]->dtype));
    }
    return f;
}

/* The type operands first.. of op node n compute in, as np.result_type
 * of them with NEP 50's weak scalars: the strong operands' result_type
 * (of all at once: clip(u16, i8, f16) is float32, not a left fold's
 * float64), then each weak one joins it as promote_weak says.  *weak:
 * whether every operand is weak (then so is the type). */
static jx_dtype promote_operands(const jx_node *n, int first, bool *weak)
{
    jx_dtype strong[JX_MAX_ARGS], t = JX_DTYPE_INVALID;
    int ns = 0;
    for (int i = first; i < n->nargs; i++)
        if (!n->args[i]->weak)
            strong[ns++] = n->args[i]->dtype;
    *weak = ns == 0;
    if (ns > 0)
        t = jx_dtype_promote_n(strong, ns);
    for (int i = first; i < n->nargs; i++) {
        const jx_node *a = n->args[i];
        if (!a->weak)
            continue;
        t = t == JX_DTYPE_INVALID ? a->dtype : promote_weak(t, *weak, a->dtype, true);
    }
    return t;
}

/* Types operator node n whose operands are typed. */
static int type_op(sema *S, jx_node *n)
{
    const jx_opinfo *o = &jx_ops[n->op];
    jx_node **args = n->args;
    jx_dtype t; /* the type the operator computes in */
    bool weak = true;
    int first = o->rule == JX_R_WHERE ? 1 : 0;

    for (int i = 0; i < n->nargs; i++)
        if (args[i]->dtype == JX_BYTES)
            return type_bytes_op(S, n);

    t = promote_operands(n, first, &weak);
    if (o->syn == JX_SYN_FN)
        weak = false; /* power(2, 3) too: np.power's result is strong */

    switch (o->rule) { /* the type it computes in */
    case JX_R_TRUEDIV:
        if (jx_dtype_kind(t) & (JX_KIND_BOOL | JX_KINDS_INTEGER))
            t = JX_FLOAT64;
        break;
    case JX_R_BOOL8: /* NumPy's int8 for bools; Python's int for Python bools */
        if (t == JX_BOOL)
            t = weak ? JX_INT64 : JX_INT8;
        break;
    case JX_R_FLOATFN:
    case JX_R_FLOATPRED: t = float_operands(n, t); break;
    case JX_R_ANGLE: t = jx_dtype_to_float(t); break;
    case JX_R_COMPLEX:
        if (jx_dtype_kind(t) & o->kinds)
            t = JX_FLOAT64;
        break;
    default: break;
    }
    /* The result's type: the rule's, which the code generator's verifier
     * checks the IR against too. */
    jx_dtype result = jx_ops_result_dtype(n->op, t);
    if (o->rule == JX_R_REDUCE) {
        jx_dtype acc;
        if (jx_dtype_kind(t) & o->kinds)
            jx_sema_reduce_types(n->op, t, &result, &acc);
    }
    if (!(jx_dtype_kind(t) & o->kinds))
        return type_error(S, n, t);
    if (check_supported(S, n, t) < 0 || check_supported(S, n, result) < 0)
        return -1;

    if (o->rule == JX_R_WHERE && coerce(S, &args[0], JX_BOOL) < 0)
        return -1;
    for (int i = first; i < n->nargs; i++) {
        if (coerce(S, &args[i], t) < 0)
            return -1;
        /* A conversion inside a weak computation (True + 1: the bool to
         * int64) is weak too: weak.c follows the value through it. */
        if (weak)
            args[i]->weak = true;
    }

    /* power(a, b) is a ** b from here on: one operator in the IR and the
     * kernels (its result, typed above, is strong). */
    if (n->op == JX_OP_POWER)
        n->op = JX_OP_POW;

    /* An integer to a negative literal power is an error, as in NumPy. */
    if (n->op == JX_OP_POW && jx_dtype_kind(t) == JX_KIND_INT &&
        is_const(args[1]) && args[1]->v.i < 0) {
        jx_err_set(S->err, JX_ERR_VALUE, args[1]->offset, args[1]->length,
                   "integers to negative integer powers are not allowed "
                   "(write a float base, e.g. 2.0**-1)");
        return -1;
    }

    n->dtype = result;
    n->weak = weak;

    bool all_const = true;
    for (int i = 0; i < n->nargs; i++)
        all_const = all_const && is_const(args[i]);
    if (all_const && jx_fold_op(n, t, S->err) < 0)
        return -1;
    return 0;
}

/* The dtype a call such as float32(x) converts to: the callee is the
 * NumPy name of a dtype (only the canonical names: "float" and "int" are
 * not casts).  JX_DTYPE_INVALID when it is not a cast. */
static jx_dtype cast_target(const jx_node *n)
{
    for (int t = 0; t < JX_DTYPE_COUNT; t++) {
        const char *name = jx_dtype_name((jx_dtype)t);
        if (strlen(name) == (size_t)n->namelen &&
            memcmp(name, n->name, (size_t)n->namelen) == 0)
            return (jx_dtype)t;
    }
    return JX_DTYPE_INVALID;
}

/* An explicit cast float32(x): as NumPy's astype (unsafe casting: floats
 * to integers saturate, NaN gives 0, docs/language.md).  The result is a
 * strong type, even of a Python scalar. */
static jx_node *visit_cast(sema *S, jx_node *n, jx_dtype t)
{
    const char *name = jx_dtype_name(t);
    if (n->nargs != 1 || n->args[0]->kind == JX_N_KWARG) {
        jx_err_set(S->err, JX_ERR_ARITY, n->offset, n->length,
                   "%s() takes one argument, the value to convert", name);
        return NULL;
    }
    if (check_supported(S, n, t) < 0)
        return NULL;
    jx_node *arg = visit(S, n->args[0], false);
    if (arg == NULL)
        return NULL;
    if ((t == JX_BYTES) != (arg->dtype == JX_BYTES)) {
        /* NumPy's astype would format or parse text; jitexpr does not. */
        char buf[32];
        jx_err_set(S->err, JX_ERR_TYPE, n->offset, n->length,
                   "%s() of %s: byte strings and numbers do not convert to "
                   "each other", name, type_name(arg, buf, sizeof buf));
        return NULL;
    }
    if (t == JX_BYTES) /* bytes(s) of a byte string: the same value */
        return arg;
    /* Strong before the conversion: int8(300) wraps as np.int8(300) did
     * before NumPy 2, a cast saying so explicitly, unlike 300 + int8
     * array.  A cast node coerce makes is strong too. */
    arg->weak = false;
    if (coerce(S, &arg, t) < 0)
        return NULL;
    return arg;
}

static jx_node *visit(sema *S, jx_node *n, bool root)
{
    switch (n->kind) {
    case JX_N_INT:
        if (n->v.u > (uint64_t)INT64_MAX) {
            jx_err_set(S->err, JX_ERR_OVERFLOW, n->offset, n->length,
                       "integer literal out of range for int64");
            return NULL;
        }
        n->kind = JX_N_CONST;
        n->dtype = JX_INT64;
        n->weak = true;
        return n;
    case JX_N_FLOAT:
        n->kind = JX_N_CONST;
        n->dtype = JX_FLOAT64;
        n->weak = true;
        return n;
    case JX_N_BOOL: /* weak, as a Python bool is in NumPy 2 */
        n->kind = JX_N_CONST;
        n->dtype = JX_BOOL;
        n->weak = true;
        return n;
    case JX_N_STRING: /* strong: a string takes no other type */
        n->kind = JX_N_CONST;
        n->dtype = JX_BYTES;
        n->weak = false;
        if (n->itemsize == 0) { /* b'' is NumPy's S1 b'\0': no type is S0 */
            char *nul = jx_arena_alloc(S->arena, 1);
            if (nul == NULL) {
                jx_err_set(S->err, JX_ERR_NOMEM, n->offset, n->length, "out of memory");
                return NULL;
            }
            nul[0] = '\0';
            n->str = nul;
            n->itemsize = 1;
        }
        return n;
    case JX_N_IMAG: /* a weak complex128 constant (0, v.f) */
        n->kind = JX_N_CONST;
        n->dtype = JX_COMPLEX128;
        n->weak = true;
        n->im = n->v.f;
        n->v.f = 0.0;
        return n;
    case JX_N_CONST:
    case JX_N_CAST:
        return n;
    case JX_N_VAR:
        return bind_var(S, n) < 0 ? NULL : n;
    case JX_N_KWARG:
        jx_err_set(S->err, JX_ERR_SYNTAX, n->offset, n->length,
                   "a keyword argument outside a call");
        return NULL;
    case JX_N_CALL: {
        jx_dtype ct = cast_target(n);
        if (ct != JX_DTYPE_INVALID)
            return visit_cast(S, n, ct);
        if (bind_call(S, n) < 0)
            return NULL;
        if (jx_ops[n->op].rule == JX_R_REDUCE && !root) {
            jx_err_set(S->err, JX_ERR_SYNTAX, n->offset, n->length,
                       "%s() must be the outermost operation of the expression "
                       "(as in numexpr): write it alone, e.g. %s(a*b)",
                       jx_ops[n->op].spell, jx_ops[n->op].spell);
            return NULL;
        }
    }
        /* fall through */
    case JX_N_OP:
        /* -9223372036854775808: the literal alone is out of range. */
        if (n->op == JX_OP_NEG && n->args[0]->kind == JX_N_INT &&
            n->args[0]->v.u == (uint64_t)1 << 63) {
            n->kind = JX_N_CONST;
            n->nargs = 0;
            n->v.i = INT64_MIN;
            n->dtype = JX_INT64;
            n->weak = true;
            return n;
        }
        for (int i = 0; i < n->nargs; i++) {
            n->args[i] = visit(S, n->args[i], false);
            if (n->args[i] == NULL)
                return NULL;
        }
        return type_op(S, n) < 0 ? NULL : n;
    }
    jx_err_set(S->err, JX_ERR_INTERNAL, n->offset, n->length,
               "sema: unknown node kind %d", (int)n->kind);
    return NULL;
}

jx_node *jx_sema(jx_arena *a, jx_node *root, const jx_var *vars, int nvars,
                 jx_error *err)
{
    sema S = {a, vars, nvars, err, NULL, NULL};
    root = visit(&S, root, true);
    return root;
}
