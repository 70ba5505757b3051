/* weak.c - the checks NumPy 2 makes of Python integers, for weak integer
 * variables (JX_VAR_WEAK).
 *
 * A Python int joins an array of a narrower integer type only if its
 * value fits (`u8 + x` with x = 256 is an OverflowError), and that holds
 * for a value computed from Python ints before it meets the array too
 * (`-x + u8`: -1 does not fit uint8).  An integer power's Python-int
 * exponent must not be negative.  The values are known only when
 * evaluating, so jx_weak_plan finds the instructions to check when the
 * expression is compiled, and jx_weak_check computes those scalar values
 * exactly, before the kernel runs. */
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "expr.h"

enum { UNKNOWN, LITERAL, WEAK, OTHER };

/* Integer operations value() can compute. */
static bool computable(int op)
{
    switch (op) {
    case JX_OP_POS: case JX_OP_NEG: case JX_OP_INVERT: case JX_OP_ADD:
    case JX_OP_SUB: case JX_OP_MUL: case JX_OP_FLOORDIV: case JX_OP_MOD:
    case JX_OP_POW: case JX_OP_AND: case JX_OP_OR: case JX_OP_XOR:
    case JX_OP_SHL: case JX_OP_SHR:
        return true;
    default:
        return false;
    }
}

/* LITERAL, WEAK (an integer computed from weak integer inputs and
 * literals, at least one input) or OTHER, memoised in cls. */
static int classify(const jx_ir *ir, const jx_var *vars, int i, unsigned char *cls)
{
    if (cls[i] != UNKNOWN)
        return cls[i];
    const jx_instr *in = &ir->ins[i];
    int c = OTHER;
    bool integer = (jx_dtype_kind(in->dtype) & JX_KINDS_INTEGER) != 0;
    if (in->op == JX_IR_INPUT) {
        if (integer && (vars[ir->input_var[in->input]].flags & JX_VAR_WEAK))
            c = WEAK;
    } else if (in->op == JX_IR_CONST) {
        if (integer)
            c = LITERAL;
    } else if (in->op < JX_OP_COUNT && integer && computable(in->op)) {
        c = LITERAL;
        for (int k = 0; k < in->nargs && c != OTHER; k++) {
            int a = classify(ir, vars, in->args[k], cls);
            c = a == OTHER ? OTHER : (a == WEAK ? WEAK : c);
        }
    }
    return cls[i] = (unsigned char)c;
}

static int add_check(jx_expr *e, int32_t value, jx_dtype to, bool exponent, jx_error *err)
{
    void *p = realloc(e->checks, sizeof *e->checks * (size_t)(e->nchecks + 1));
    if (p == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    e->checks = p;
    e->checks[e->nchecks++] = (struct jx_weak_check){value, to, exponent};
    return 0;
}

int jx_weak_plan(jx_expr *e, const jx_var *vars, jx_error *err)
{
    const jx_ir *ir = e->ir;
    unsigned char *cls = calloc((size_t)ir->n + 1, 1);
    if (cls == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < ir->n && rc == 0; i++) {
        const jx_instr *in = &ir->ins[i];
        if (in->op == JX_IR_CAST && (jx_dtype_kind(in->dtype) & JX_KINDS_INTEGER) &&
            classify(ir, vars, in->args[0], cls) == WEAK)
            rc = add_check(e, in->args[0], in->dtype, false, err);
        else if (in->op == JX_OP_POW && (jx_dtype_kind(in->dtype) & JX_KINDS_INTEGER)) {
            /* The exponent, or the weak value a cast made it from. */
            int32_t x = in->args[1];
            if (ir->ins[x].op == JX_IR_CAST)
                x = ir->ins[x].args[0];
            if (classify(ir, vars, x, cls) == WEAK)
                rc = add_check(e, x, JX_DTYPE_INVALID, true, err);
        }
    }
    free(cls);
    return rc;
}

/* Python's floor division and modulo; x // 0 and x % 0 are 0, as the
 * kernel computes them. */
static int64_t floordiv(int64_t a, int64_t b)
{
    if (b == 0 || (a == INT64_MIN && b == -1))
        return b == 0 ? 0 : INT64_MIN;
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t pymod(int64_t a, int64_t b)
{
    if (b == 0 || b == -1)
        return 0;
    int64_t r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

/* The exact value of instruction i, as Python would compute it from the
 * Python ints.  0, or 1 when it leaves int64 (then it fits no integer
 * type narrower than Python's), or -1 with *err set. */
static int value(const jx_expr *e, const jx_array *const *ops, int i, int64_t *v,
                 jx_error *err)
{
    const jx_instr *in = &e->ir->ins[i];
    int64_t x = 0, y = 0;
    if (in->op == JX_IR_INPUT) {
        const jx_array *a = ops[1 + in->input];
        if (a->ndim != 0 || jx_dtype_size(a->dtype) != sizeof x) {
            jx_err_set(err, JX_ERR_ARG, -1, 0,
                       "weak variable '%s' must be a 0-d int64 array", e->names[in->input]);
            return -1;
        }
        memcpy(v, a->data, sizeof *v);
        return 0;
    }
    if (in->op == JX_IR_CONST) {
        *v = in->k.i;
        return 0;
    }
    for (int k = 0; k < in->nargs; k++) {
        int rc = value(e, ops, in->args[k], k ? &y : &x, err);
        if (rc != 0)
            return rc;
    }
    switch (in->op) {
    case JX_OP_POS: *v = x; return 0;
    case JX_OP_NEG: return __builtin_sub_overflow((int64_t)0, x, v);
    case JX_OP_INVERT: *v = ~x; return 0;
    case JX_OP_ADD: return __builtin_add_overflow(x, y, v);
    case JX_OP_SUB: return __builtin_sub_overflow(x, y, v);
    case JX_OP_MUL: return __builtin_mul_overflow(x, y, v);
    case JX_OP_FLOORDIV:
        *v = floordiv(x, y);
        return x == INT64_MIN && y == -1;
    case JX_OP_MOD: *v = pymod(x, y); return 0;
    case JX_OP_AND: *v = x & y; return 0;
    case JX_OP_OR: *v = x | y; return 0;
    case JX_OP_XOR: *v = x ^ y; return 0;
    case JX_OP_SHL:
        if (y < 0 || (y >= 63 && x != 0))
            return y < 0 ? (*v = 0, 0) : 1;
        *v = (int64_t)((uint64_t)x << y);
        return (*v >> y) != x;
    case JX_OP_SHR: *v = y < 0 ? 0 : y >= 63 ? (x < 0 ? -1 : 0) : x >> y; return 0;
    case JX_OP_POW: {
        int64_t r = 1;
        if (y < 0) { /* reported by the exponent's own check */
            *v = 0;
            return 0;
        }
        for (int64_t k = 0; k < y; k++) {
            if (__builtin_mul_overflow(r, x, &r))
                return 1;
            if (r == 0 || r == 1)
                break; /* 0**n, 1**n: no need to go on */
        }
        *v = r;
        return 0;
    }
    default:
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0, "weak check of op %d", in->op);
        return -1;
    }
}

int jx_weak_check(const jx_expr *e, const jx_array *const *ops, jx_error *err)
{
    for (int c = 0; c < e->nchecks; c++) {
        const struct jx_weak_check *k = &e->checks[c];
        int64_t v;
        int rc = value(e, ops, k->value, &v, err);
        if (rc < 0)
            return -1;
        if (k->exponent) {
            if (rc == 0 && v < 0) {
                jx_err_set(err, JX_ERR_VALUE, -1, 0,
                           "Integers to negative integer powers are not allowed.");
                return -1;
            }
        } else if (rc != 0 || !jx_dtype_holds(k->to, v)) {
            if (rc != 0)
                jx_err_set(err, JX_ERR_OVERFLOW, -1, 0,
                           "Python integer out of bounds for %s", jx_dtype_name(k->to));
            else
                jx_err_set(err, JX_ERR_OVERFLOW, -1, 0,
                           "Python integer %lld out of bounds for %s", (long long)v,
                           jx_dtype_name(k->to));
            return -1;
        }
    }
    return 0;
}
