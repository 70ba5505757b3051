/* weak.c - the checks NumPy 2 makes of Python integers, for the values of
 * weak variables (JX_VAR_WEAK) and literals.
 *
 * A Python int joins an array of a narrower integer type only if its value
 * fits (`u8 + x` with x = 256 is an OverflowError), and that holds for a
 * value computed from Python scalars before it meets the array too: `-x +
 * u8` (-1 does not fit uint8), `(x < 2) + 300 + i8` (301), `(x // -1) +
 * u8`.  Python computes such values exactly; the kernel computes them in
 * int64 and float64, so a value beyond int64 fits no integer type.  An
 * integer power's weak exponent must not be negative either.
 *
 * sema marks every node computed from Python scalars alone as weak, and
 * the IR keeps the mark (jx_instr.weak).  jx_weak_plan finds, when the
 * expression is compiled, each place where a weak integer value that is
 * not a constant (sema checked those) meets a strong type: the operand of
 * a strong instruction, or the result itself.  jx_weak_check computes the
 * weak values from the inputs, as Python would, before the kernel runs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "expr.h"

/* Whether weak instruction `in` is one that value_of can compute: loads,
 * constants, conversions and Python's operators on bools, integers and
 * floats (functions give strong results, complex values are not checked). */
static bool computable(const jx_instr *in)
{
    if (!in->weak || !(jx_dtype_kind(in->dtype) &
                       (JX_KIND_BOOL | JX_KINDS_INTEGER | JX_KIND_FLOAT)))
        return false;
    switch (in->op) {
    case JX_IR_INPUT: case JX_IR_CONST: case JX_IR_CAST:
    case JX_OP_POS: case JX_OP_NEG: case JX_OP_INVERT: case JX_OP_ADD:
    case JX_OP_SUB: case JX_OP_MUL: case JX_OP_DIV: case JX_OP_FLOORDIV:
    case JX_OP_MOD: case JX_OP_POW: case JX_OP_AND: case JX_OP_OR:
    case JX_OP_XOR: case JX_OP_SHL: case JX_OP_SHR: case JX_OP_EQ:
    case JX_OP_NE: case JX_OP_LT: case JX_OP_LE: case JX_OP_GT: case JX_OP_GE:
        return true;
    default:
        return false;
    }
}

/* Whether instruction i and everything it is computed from is computable:
 * memoised in ok (0 unknown, 1 yes, 2 no). */
static bool weak_value(const jx_ir *ir, int32_t i, unsigned char *ok)
{
    if (ok[i] == 0) {
        const jx_instr *in = &ir->ins[i];
        bool yes = computable(in);
        for (int k = 0; k < in->nargs && yes; k++)
            yes = in->args[k] < i && weak_value(ir, in->args[k], ok);
        ok[i] = yes ? 1 : 2;
    }
    return ok[i] == 1;
}

static int add_check(jx_expr *e, int32_t value, jx_dtype to, bool exponent, jx_error *err)
{
    for (int c = 0; c < e->nchecks; c++)
        if (e->checks[c].value == value && e->checks[c].to == to &&
            e->checks[c].exponent == exponent)
            return 0;
    void *p = realloc(e->checks, sizeof *e->checks * (size_t)(e->nchecks + 1));
    if (p == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    e->checks = p;
    e->checks[e->nchecks++] = (struct jx_weak_check){value, to, exponent};
    return 0;
}

/* Instruction a, read by strong instruction `in` (or the result when in
 * is NULL): a check when it is a weak integer value computed at run time
 * that must fit an integer type. */
static int plan_operand(jx_expr *e, const jx_instr *in, int32_t a, unsigned char *ok,
                        jx_error *err)
{
    const jx_ir *ir = e->ir;
    const jx_instr *v = &ir->ins[a];
    if (v->op == JX_IR_CONST || !weak_value(ir, a, ok))
        return 0;
    if (!(jx_dtype_kind(v->dtype) & (JX_KIND_BOOL | JX_KINDS_INTEGER)))
        return 0;
    jx_dtype to = in != NULL && in->op == JX_IR_CAST ? in->dtype : v->dtype;
    if (!(jx_dtype_kind(to) & JX_KINDS_INTEGER))
        to = JX_INT64; /* to a float: exact in int64 at least, as -x of
                          x = -2**63 is not (the kernel would wrap) */
    return add_check(e, a, to, false, err);
}

int jx_weak_plan(jx_expr *e, jx_error *err)
{
    const jx_ir *ir = e->ir;
    unsigned char *ok = calloc((size_t)ir->n + 1, 1);
    if (ok == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    int rc = 0;
    for (int32_t i = 0; i < ir->n && rc == 0; i++) {
        const jx_instr *in = &ir->ins[i];
        if (!in->weak)
            for (int k = 0; k < in->nargs && rc == 0; k++)
                rc = plan_operand(e, in, in->args[k], ok, err);
        if (rc == 0 && in->op == JX_OP_POW && (jx_dtype_kind(in->dtype) & JX_KINDS_INTEGER)) {
            /* The exponent, or the weak value a conversion made it from. */
            int32_t x = in->args[1];
            if (ir->ins[x].op == JX_IR_CAST)
                x = ir->ins[x].args[0];
            if (ir->ins[x].op != JX_IR_CONST && weak_value(ir, x, ok))
                rc = add_check(e, x, JX_DTYPE_INVALID, true, err);
        }
    }
    if (rc == 0 && ir->ins[ir->result].weak)
        rc = plan_operand(e, NULL, ir->result, ok, err);
    free(ok);
    return rc;
}

/* ---- computing the values --------------------------------------------------- */

/* A value as Python holds it: an int (exact while it fits int64; `big`
 * when it left int64), or a float.  `known`: computed (jx_weak_check leaves
 * a weak value that is not computable, and its users, unknown). */
typedef struct num {
    bool known;
    bool isf;
    bool big;
    int64_t i;
    double f;
} num;

static double as_double(num x) { return x.isf ? x.f : (double)x.i; }

static num of_int(int64_t i, bool big) { return (num){true, false, big, i, 0.0}; }

static num of_float(double f) { return (num){true, true, false, 0, f}; }

/* The value of a weak variable: a 0-d array of its dtype. */
static int load(const jx_expr *e, const jx_instr *in, const jx_array *a, num *r,
                jx_error *err)
{
    if (a->ndim != 0) {
        jx_err_set(err, JX_ERR_ARG, -1, 0,
                   "weak variable '%s' must be a 0-d array", e->names[in->input]);
        return -1;
    }
    const void *p = a->data;
    int64_t i;
    switch (a->dtype) {
    case JX_BOOL: *r = of_int(*(const unsigned char *)p != 0, false); return 0;
    case JX_INT8: *r = of_int(*(const int8_t *)p, false); return 0;
    case JX_UINT8: *r = of_int(*(const uint8_t *)p, false); return 0;
    case JX_INT16: { int16_t v; memcpy(&v, p, sizeof v); *r = of_int(v, false); return 0; }
    case JX_UINT16: { uint16_t v; memcpy(&v, p, sizeof v); *r = of_int(v, false); return 0; }
    case JX_INT32: { int32_t v; memcpy(&v, p, sizeof v); *r = of_int(v, false); return 0; }
    case JX_UINT32: { uint32_t v; memcpy(&v, p, sizeof v); *r = of_int(v, false); return 0; }
    case JX_INT64: memcpy(&i, p, sizeof i); *r = of_int(i, false); return 0;
    case JX_UINT64: {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        *r = of_int((int64_t)v, v > INT64_MAX);
        return 0;
    }
    case JX_FLOAT32: { float v; memcpy(&v, p, sizeof v); *r = of_float(v); return 0; }
    case JX_FLOAT64: { double v; memcpy(&v, p, sizeof v); *r = of_float(v); return 0; }
    default:
        jx_err_set(err, JX_ERR_ARG, -1, 0, "weak variable '%s' is %s: give a bool, "
                   "an integer or a float", e->names[in->input], jx_dtype_name(a->dtype));
        return -1;
    }
}

static num constant(const jx_instr *in)
{
    switch (jx_dtype_kind(in->dtype)) {
    case JX_KIND_FLOAT: return of_float(in->k.f);
    case JX_KIND_UINT: return of_int((int64_t)in->k.u, in->k.u > INT64_MAX);
    case JX_KIND_BOOL: return of_int(in->k.u != 0, false);
    default: return of_int(in->k.i, false);
    }
}

/* Python's floor division and modulo of ints; x // 0 and x % 0 are 0, as
 * the kernel computes them (Python would raise). */
static num int_divmod(int op, int64_t a, int64_t b)
{
    if (b == 0)
        return of_int(0, false);
    if (a == INT64_MIN && b == -1)
        return op == JX_OP_MOD ? of_int(0, false) : of_int(INT64_MIN, true);
    int64_t q = a / b, r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) {
        q -= 1;
        r += b;
    }
    return of_int(op == JX_OP_MOD ? r : q, false);
}

static num int_shift(int op, int64_t x, int64_t y)
{
    if (op == JX_OP_SHR)
        return of_int(y < 0 ? 0 : y >= 63 ? (x < 0 ? -1 : 0) : x >> y, false);
    if (y < 0)
        return of_int(0, false);
    if (x == 0)
        return of_int(0, false);
    if (y >= 64)
        return of_int(0, true);
    int64_t r = (int64_t)((uint64_t)x << y);
    return of_int(r, (r >> y) != x);
}

static num int_pow(int64_t x, int64_t y)
{
    if (y < 0) /* reported by the exponent's own check */
        return of_int(0, false);
    if (x == 0 || x == 1)
        return of_int(y == 0 ? 1 : x, false);
    if (x == -1)
        return of_int(y % 2 ? -1 : 1, false);
    int64_t r = 1; /* |x| >= 2: out of int64 within 63 steps */
    for (int64_t k = 0; k < y; k++)
        if (__builtin_mul_overflow(r, x, &r))
            return of_int(0, true);
    return of_int(r, false);
}

static num compare(int op, num x, num y)
{
    int c; /* -1, 0, 1, or 2 unordered */
    if (x.isf || y.isf) {
        double a = as_double(x), b = as_double(y);
        c = a < b ? -1 : a > b ? 1 : a == b ? 0 : 2;
    } else {
        c = x.i < y.i ? -1 : x.i > y.i;
    }
    bool r = op == JX_OP_LT ? c == -1 : op == JX_OP_LE ? (c == -1 || c == 0)
           : op == JX_OP_EQ ? c == 0 : op == JX_OP_NE ? c != 0
           : op == JX_OP_GE ? (c == 1 || c == 0) : c == 1;
    return of_int(r, false);
}

static num float_op(int op, double x, double y)
{
    double r;
    switch (op) {
    case JX_OP_POS: r = x; break;
    case JX_OP_NEG: r = -x; break;
    case JX_OP_ADD: r = x + y; break;
    case JX_OP_SUB: r = x - y; break;
    case JX_OP_MUL: r = x * y; break;
    case JX_OP_DIV: r = x / y; break;
    case JX_OP_FLOORDIV: r = floor(x / y); break;
    case JX_OP_MOD: {
        r = fmod(x, y);
        if (r != 0 && ((r < 0) != (y < 0)))
            r += y;
        break;
    }
    default: r = pow(x, y); break; /* JX_OP_POW */
    }
    return of_float(r);
}

/* Operation `in` (computable) of operands x, y. */
static num apply(const jx_instr *in, num x, num y)
{
    int op = in->op;
    jx_kind k = jx_dtype_kind(in->dtype);
    if (op == JX_IR_CAST) {
        if (k == JX_KIND_FLOAT)
            return of_float(as_double(x));
        if (k == JX_KIND_BOOL)
            return of_int(x.isf ? x.f != 0.0 : (x.i != 0 || x.big), false);
        return x; /* bool or int to int: the same value */
    }
    if (op == JX_OP_EQ || op == JX_OP_NE || op == JX_OP_LT || op == JX_OP_LE ||
        op == JX_OP_GT || op == JX_OP_GE)
        return compare(op, x, y);
    if (k == JX_KIND_FLOAT)
        return float_op(op, as_double(x), as_double(y));
    num r;
    bool big = x.big || y.big;
    int64_t a = x.i, b = y.i, v = 0;
    switch (op) {
    case JX_OP_POS: v = a; break;
    case JX_OP_NEG: big |= __builtin_sub_overflow((int64_t)0, a, &v); break;
    case JX_OP_INVERT: v = k == JX_KIND_BOOL ? !a : ~a; break;
    case JX_OP_ADD: big |= __builtin_add_overflow(a, b, &v); break;
    case JX_OP_SUB: big |= __builtin_sub_overflow(a, b, &v); break;
    case JX_OP_MUL: big |= __builtin_mul_overflow(a, b, &v); break;
    case JX_OP_AND: v = a & b; break;
    case JX_OP_OR: v = a | b; break;
    case JX_OP_XOR: v = a ^ b; break;
    case JX_OP_FLOORDIV:
    case JX_OP_MOD: r = int_divmod(op, a, b); v = r.i; big |= r.big; break;
    case JX_OP_SHL:
    case JX_OP_SHR: r = int_shift(op, a, b); v = r.i; big |= r.big; break;
    default: r = int_pow(a, b); v = r.i; big |= r.big; break; /* JX_OP_POW */
    }
    if (k == JX_KIND_BOOL) /* bools: + is or, * is and */
        return of_int(v != 0 || big, false);
    return of_int(v, big);
}

/* Whether every operand of instruction i has been computed. */
static bool operands_known(const jx_instr *in, int32_t i, const num *val)
{
    for (int k = 0; k < in->nargs; k++)
        if (in->args[k] >= i || !val[in->args[k]].known)
            return false;
    return true;
}

int jx_weak_check(const jx_expr *e, const jx_array *const *ops, jx_error *err)
{
    if (e->nchecks == 0)
        return 0;
    const jx_ir *ir = e->ir;
    int32_t last = 0;
    for (int c = 0; c < e->nchecks; c++)
        last = e->checks[c].value > last ? e->checks[c].value : last;
    num stack[64], *val = stack;
    if (last >= 64 && (val = malloc(sizeof *val * (size_t)(last + 1))) == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    /* Every computable weak value up to the last one checked, in order:
     * operands come before their users, so each is computed once.  A value
     * whose operand is not known (a weak complex compared, a function's
     * result) stays unknown; no check reads one (jx_weak_plan checks only
     * values weak_value accepts). */
    int rc = 0;
    for (int32_t i = 0; i <= last && rc == 0; i++) {
        const jx_instr *in = &ir->ins[i];
        val[i].known = false;
        if (!computable(in) || !operands_known(in, i, val))
            continue;
        if (in->op == JX_IR_INPUT)
            rc = load(e, in, ops[1 + in->input], &val[i], err);
        else if (in->op == JX_IR_CONST)
            val[i] = constant(in);
        else
            val[i] = apply(in, val[in->args[0]],
                           in->nargs > 1 ? val[in->args[1]] : of_int(0, false));
    }
    for (int c = 0; c < e->nchecks && rc == 0; c++) {
        const struct jx_weak_check *k = &e->checks[c];
        num v = val[k->value];
        if (k->exponent) {
            if (!v.big && v.i < 0) {
                jx_err_set(err, JX_ERR_VALUE, -1, 0,
                           "Integers to negative integer powers are not allowed.");
                rc = -1;
            }
        } else if (v.big) {
            jx_err_set(err, JX_ERR_OVERFLOW, -1, 0,
                       "Python integer out of bounds for %s", jx_dtype_name(k->to));
            rc = -1;
        } else if (!jx_dtype_holds(k->to, v.i)) {
            jx_err_set(err, JX_ERR_OVERFLOW, -1, 0,
                       "Python integer %lld out of bounds for %s", (long long)v.i,
                       jx_dtype_name(k->to));
            rc = -1;
        }
    }
    if (val != stack)
        free(val);
    return rc;
}
