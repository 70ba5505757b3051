/* fold.c - constant folding for the type pass (sema.c): converting a
 * constant to another type, and computing an operator whose operands are
 * all constants.  Only folds whose result is certain to equal what the
 * kernel computes: division by zero, NaN, infinities and -0.0 are left to
 * the kernel.  Weak (Python) integers are computed exactly, as Python
 * would: a result beyond int64 is an error, not a wrapped value.  See
 * fold.h. */
#include "fold.h"

#include <math.h>
#include <string.h>

#include "dtype.h"
#include "ops.h"

/* Wraps the bits of v to integer type t, as a store to t would. */
static jx_value wrap_int(jx_dtype t, uint64_t v)
{
    jx_value r;
    unsigned bits = 8 * (unsigned)jx_dtype_size(t);
    if (bits < 64) {
        uint64_t mask = (1ull << bits) - 1;
        v &= mask;
        if (jx_dtype_kind(t) == JX_KIND_INT && (v >> (bits - 1)) & 1)
            v |= ~mask;
    }
    r.u = v;
    return r;
}

/* Rounds a double to float type t (values held exactly in a double).
 * A value past the type's range is an infinity, as NumPy's cast gives:
 * not by C's conversion, whose result is undefined there (GCC folded
 * complex64(1e300) to 1e300, found by the differential test, seed 62). */
static double round_float(jx_dtype t, double x)
{
    /* the type's largest value plus half its last unit: from there on,
     * the value rounds to infinity */
    double lim = t == JX_FLOAT32 ? 0x1.ffffffp127 : 65520.0;
    if ((t == JX_FLOAT32 || t == JX_FLOAT16) && fabs(x) >= lim)
        return copysign(INFINITY, x);
    if (t == JX_FLOAT32)
        return (double)(float)x;
    if (t == JX_FLOAT16)
        return (double)(_Float16)x;
    return x;
}

/* The value of constant n as a double (for conversions). */
static double const_as_double(const jx_node *n)
{
    switch (jx_dtype_kind(n->dtype)) {
    case JX_KIND_BOOL:
    case JX_KIND_UINT: return (double)n->v.u;
    case JX_KIND_INT: return (double)n->v.i;
    default: return n->v.f;
    }
}

int jx_fold_convert(jx_node *n, jx_dtype t, jx_error *err)
{
    jx_kind from = jx_dtype_kind(n->dtype), to = jx_dtype_kind(t);
    if (n->dtype == t)
        return 1;
    if (from == JX_KIND_COMPLEX && to != JX_KIND_COMPLEX)
        return 0; /* the real part: left to the generated code */
    if (to == JX_KIND_INT || to == JX_KIND_UINT) {
        if (from == JX_KIND_FLOAT)
            return 0; /* float to int: leave it to the generated code */
        int64_t v = from == JX_KIND_BOOL ? (int64_t)n->v.u : n->v.i;
        if (n->weak && from == JX_KIND_INT && !jx_dtype_holds(t, v)) {
            jx_err_set(err, JX_ERR_OVERFLOW, n->offset, n->length,
                       "Python integer %lld out of bounds for %s",
                       (long long)v, jx_dtype_name(t));
            return -1;
        }
        if (from == JX_KIND_UINT)
            v = (int64_t)n->v.u;
        n->v = wrap_int(t, (uint64_t)v);
    } else if (to == JX_KIND_FLOAT) {
        n->v.f = round_float(t, const_as_double(n));
    } else if (to == JX_KIND_BOOL) {
        if (from == JX_KIND_COMPLEX)
            return 0; /* left to the generated code */
        if (from == JX_KIND_FLOAT)
            n->v.u = n->v.f != 0.0; /* NaN is True */
        else
            n->v.u = n->v.u != 0;
    } else {
        /* To complex: the parts rounded to the parts' type. */
        jx_dtype part = jx_dtype_part(t);
        double re = const_as_double(n);
        double im = from == JX_KIND_COMPLEX ? n->im : 0.0;
        n->v.f = round_float(part, re);
        n->im = round_float(part, im);
    }
    n->dtype = t;
    return 1;
}

/* ---- operators ------------------------------------------------------------ */

static bool float_ok(double x)
{
    return isfinite(x) && !(x == 0.0 && signbit(x));
}

/* Folds integer x**y (y >= 0) with wrap-around. */
static uint64_t ipow(uint64_t x, uint64_t y)
{
    uint64_t r = 1;
    while (y) {
        if (y & 1)
            r *= x;
        x *= x;
        y >>= 1;
    }
    return r;
}

/* Python's floor division and modulo of int64 (b != 0, not MIN // -1),
 * which are NumPy's too. */
static int64_t floordiv64(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t mod64(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

/* Folds comparison node n of two constants of type t (not complex: its
 * ordering has NaN rules of its own).  (1 < 2) + 300 + i8 must see the
 * weak 301 that does not fit int8. */
static int fold_compare(jx_node *n, jx_dtype t)
{
    const jx_node *a = n->args[0], *b = n->args[1];
    int c; /* -1, 0, 1, or 2 when unordered (NaN) */
    switch (jx_dtype_kind(t)) {
    case JX_KIND_INT: c = a->v.i < b->v.i ? -1 : a->v.i > b->v.i; break;
    case JX_KIND_BOOL:
    case JX_KIND_UINT: c = a->v.u < b->v.u ? -1 : a->v.u > b->v.u; break;
    case JX_KIND_FLOAT:
        c = a->v.f < b->v.f ? -1 : a->v.f > b->v.f ? 1 : a->v.f == b->v.f ? 0 : 2;
        break;
    default: return 0;
    }
    switch (n->op) {
    case JX_OP_LT: n->v.u = c == -1; break;
    case JX_OP_LE: n->v.u = c == -1 || c == 0; break;
    case JX_OP_EQ: n->v.u = c == 0; break;
    case JX_OP_NE: n->v.u = c != 0; break;
    case JX_OP_GE: n->v.u = c == 1 || c == 0; break;
    case JX_OP_GT: n->v.u = c == 1; break;
    default: return 0;
    }
    n->kind = JX_N_CONST;
    n->nargs = 0;
    return 1;
}

int jx_fold_op(jx_node *n, jx_dtype t, jx_error *err)
{
    jx_node *a = n->args[0], *b = n->nargs > 1 ? n->args[1] : NULL;
    jx_kind k = jx_dtype_kind(t);
    if (jx_ops[n->op].rule == JX_R_CMP)
        return fold_compare(n, t);
    if (n->dtype != t) /* true division of ints: not folded */
        return 0;
    if (k == JX_KIND_INT || k == JX_KIND_UINT) {
        uint64_t x = a->v.u, y = b ? b->v.u : 0, r;
        int64_t sx = a->v.i, sy = b ? b->v.i : 0;
        bool weak = n->weak;
        switch (n->op) {
        case JX_OP_POS: r = x; break;
        case JX_OP_NEG:
            if (weak && sx == INT64_MIN)
                goto overflow;
            r = 0 - x;
            break;
        case JX_OP_INVERT: r = ~x; break;
        case JX_OP_ADD:
            if (weak && __builtin_add_overflow(sx, sy, &sx))
                goto overflow;
            r = x + y;
            break;
        case JX_OP_SUB:
            if (weak && __builtin_sub_overflow(sx, sy, &sx))
                goto overflow;
            r = x - y;
            break;
        case JX_OP_MUL:
            if (weak && __builtin_mul_overflow(sx, sy, &sx))
                goto overflow;
            r = x * y;
            break;
        case JX_OP_POW:
            if (k == JX_KIND_INT && sy < 0)
                return 0; /* reported by the caller */
            if (weak) {
                int64_t acc = 1;
                for (int64_t i = 0; i < sy; i++)
                    if (__builtin_mul_overflow(acc, sx, &acc))
                        goto overflow;
                r = (uint64_t)acc;
            } else {
                r = ipow(x, y);
            }
            break;
        case JX_OP_AND: r = x & y; break;
        case JX_OP_OR: r = x | y; break;
        case JX_OP_XOR: r = x ^ y; break;
        case JX_OP_FLOORDIV:
        case JX_OP_MOD:
            /* x // 0 and MIN // -1: left to the kernel (its documented
             * values), but a weak MIN // -1 is 2**63, beyond int64. */
            if (y == 0)
                return 0;
            if (k == JX_KIND_INT && sy == -1 && sx == INT64_MIN) {
                if (weak && n->op == JX_OP_FLOORDIV)
                    goto overflow;
                return 0;
            }
            if (k == JX_KIND_UINT)
                r = n->op == JX_OP_MOD ? x % y : x / y;
            else
                r = (uint64_t)(n->op == JX_OP_MOD ? mod64(sx, sy) : floordiv64(sx, sy));
            break;
        case JX_OP_SHL:
        case JX_OP_SHR: {
            /* Counts within the type's width only (the kernel's rules for
             * the others are documented). */
            unsigned bits = 8 * (unsigned)jx_dtype_size(t);
            if (weak && n->op == JX_OP_SHL && sy >= 64 && sx != 0)
                goto overflow; /* Python's 2 << 300 */
            if ((k == JX_KIND_INT && sy < 0) || y >= bits)
                return 0;
            if (n->op == JX_OP_SHR)
                r = k == JX_KIND_INT ? (uint64_t)(sx >> y) : x >> y;
            else {
                r = x << y;
                if (weak && (int64_t)r >> y != sx)
                    goto overflow;
            }
            break;
        }
        default: return 0;
        }
        n->v = wrap_int(t, r);
    } else if (k == JX_KIND_FLOAT) {
        double x = a->v.f, y = b ? b->v.f : 0, r;
        switch (n->op) {
        case JX_OP_POS: r = x; break;
        case JX_OP_NEG: r = -x; break;
        case JX_OP_ADD: r = x + y; break;
        case JX_OP_SUB: r = x - y; break;
        case JX_OP_MUL: r = x * y; break;
        case JX_OP_DIV:
            if (y == 0.0)
                return 0;
            r = x / y;
            break;
        default: return 0;
        }
        /* In float32/16, one double operation rounded once more is the
         * correctly rounded result for + - * / (double has > 2p+2 bits). */
        r = round_float(t, r);
        if (!float_ok(r) || !float_ok(x) || (b && !float_ok(y)))
            return 0;
        n->v.f = r;
    } else if (k == JX_KIND_COMPLEX) {
        /* Part by part only (+ - and signs): 1+2j is one constant.  Products
         * and quotients mix the parts, with their own NaN and infinity
         * rules: left to the kernel. */
        jx_dtype part = jx_dtype_part(t);
        double xr = a->v.f, xi = a->im, yr = b ? b->v.f : 0, yi = b ? b->im : 0;
        double rr, ri;
        switch (n->op) {
        case JX_OP_POS: rr = xr; ri = xi; break;
        case JX_OP_NEG: rr = -xr; ri = -xi; break;
        case JX_OP_ADD: rr = xr + yr; ri = xi + yi; break;
        case JX_OP_SUB: rr = xr - yr; ri = xi - yi; break;
        default: return 0;
        }
        rr = round_float(part, rr);
        ri = round_float(part, ri);
        if (!float_ok(rr) || !float_ok(ri) || !float_ok(xr) || !float_ok(xi) ||
            (b && (!float_ok(yr) || !float_ok(yi))))
            return 0;
        n->v.f = rr;
        n->im = ri;
    } else if (k == JX_KIND_BOOL) {
        switch (n->op) {
        case JX_OP_ADD:
        case JX_OP_OR: n->v.u = a->v.u | b->v.u; break;
        case JX_OP_MUL:
        case JX_OP_AND: n->v.u = a->v.u & b->v.u; break;
        case JX_OP_XOR: n->v.u = a->v.u ^ b->v.u; break;
        case JX_OP_INVERT: n->v.u = !a->v.u; break;
        default: return 0;
        }
    } else {
        return 0;
    }
    n->kind = JX_N_CONST;
    n->nargs = 0;
    return 1;
overflow:
    jx_err_set(err, JX_ERR_OVERFLOW, n->offset, n->length,
               "integer constant overflows int64");
    return -1;
}
