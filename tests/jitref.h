/* jitref.h - the reference model the JIT suites (check_jit*.c) check
 * kernels against: element values (val) of the real dtypes, C reference
 * functions with NumPy's semantics for every op and cast, and eval_ir, a
 * small interpreter giving the expected value of an IR over one element of
 * each input.  Results must match the kernel's bit for bit (NaN matches any
 * NaN), except where math functions (exp, log, sin, cos, tan, a float pow)
 * take part: the kernel may call glibc's libmvec in its vector loop where
 * the reference calls libm, so a math function's result may differ from
 * libm's by MATH_ULPS (4) ULP, the bound libmvec documents, and eval_ir
 * carries that bound through the arithmetic that uses it (check_mathacc
 * measures the error against exact values).  jitutil.h builds on it. */
#ifndef JX_JITREF_H
#define JX_JITREF_H

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../jit/jit.h"
#include "../jit/codegen.h"
#include "../jit/vmath.h"
#include "../src/dtype.h"


#define NMAX 1003   /* elements in the op tests: not a multiple of 8/16 */
#define MAXINS 64   /* instructions in a hand-built IR */
#define MAXSLOT 8   /* input slots in a hand-built IR */

/* An element value: as the IR's jx_value, normalised to its dtype (signed
 * integers sign-extended, unsigned zero-extended, bool 0/1, floats exact in
 * the double). */
typedef jx_value val;

/* ---- dtypes ------------------------------------------------------------ */

static inline int bits_of(jx_dtype t) { return (int)jx_dtype_size(t) * 8; }
static inline jx_kind kind_of(jx_dtype t) { return jx_dtype_kind(t); }
static inline bool is_float(jx_dtype t) { return kind_of(t) == JX_KIND_FLOAT; }
static inline bool is_signed(jx_dtype t) { return kind_of(t) == JX_KIND_INT; }
static inline bool is_bool(jx_dtype t) { return kind_of(t) == JX_KIND_BOOL; }
/* The dtypes the reference model here holds (one real value each); complex
 * values are tested end to end against <complex.h> in check_eval_complex.c,
 * byte strings (which have no value in a register) in check_bytes.c. */
static inline bool supported(jx_dtype t)
{
    return jx_dtype_get(t)->supported && kind_of(t) != JX_KIND_COMPLEX &&
           t != JX_BYTES;
}

/* The ops whose point is complex values (real, imag, conj, complex(),
 * angle): tested in check_eval_complex.c and the Python suite, not by the
 * real reference model here. */
static inline bool complex_op(int op)
{
    return op == JX_OP_REAL || op == JX_OP_IMAG || op == JX_OP_CONJ ||
           op == JX_OP_COMPLEX || op == JX_OP_ANGLE;
}

/* u truncated to t's width and extended as t's signedness says. */
static inline val wrap(jx_dtype t, uint64_t u)
{
    val r;
    int bits = bits_of(t);
    if (is_bool(t)) {
        r.u = u != 0;
        return r;
    }
    if (bits < 64) {
        u &= (UINT64_C(1) << bits) - 1;
        if (is_signed(t) && (u >> (bits - 1)) & 1)
            u |= ~((UINT64_C(1) << bits) - 1);
    }
    r.u = u;
    return r;
}

static inline val fval(double f)
{
    val r;
    r.f = f;
    return r;
}

static inline val uval(uint64_t u)
{
    val r;
    r.u = u;
    return r;
}

/* A double rounded to t (correctly, directly). */
static inline double round_to(jx_dtype t, double x)
{
    switch (t) {
    case JX_FLOAT16: return (double)(_Float16)x;
    case JX_FLOAT32: return (double)(float)x;
    default: return x;
    }
}

static inline int64_t min_of(jx_dtype t) { return (int64_t)(UINT64_C(1) << 63) >> (64 - bits_of(t)); }
static inline int64_t max_of(jx_dtype t) { return ~min_of(t); }
static inline uint64_t umax_of(jx_dtype t) { return ~UINT64_C(0) >> (64 - bits_of(t)); }

static inline val mem_read(jx_dtype t, const char *p)
{
    val r;
    switch (t) {
    case JX_BOOL: { uint8_t x; memcpy(&x, p, 1); r.u = x; return r; }
    case JX_INT8: { int8_t x; memcpy(&x, p, 1); r.i = x; return r; }
    case JX_INT16: { int16_t x; memcpy(&x, p, 2); r.i = x; return r; }
    case JX_INT32: { int32_t x; memcpy(&x, p, 4); r.i = x; return r; }
    case JX_INT64: { int64_t x; memcpy(&x, p, 8); r.i = x; return r; }
    case JX_UINT8: { uint8_t x; memcpy(&x, p, 1); r.u = x; return r; }
    case JX_UINT16: { uint16_t x; memcpy(&x, p, 2); r.u = x; return r; }
    case JX_UINT32: { uint32_t x; memcpy(&x, p, 4); r.u = x; return r; }
    case JX_UINT64: { uint64_t x; memcpy(&x, p, 8); r.u = x; return r; }
    case JX_FLOAT16: { _Float16 x; memcpy(&x, p, 2); r.f = (double)x; return r; }
    case JX_FLOAT32: { float x; memcpy(&x, p, 4); r.f = x; return r; }
    default: { double x; memcpy(&x, p, 8); r.f = x; return r; }
    }
}

static inline void mem_write(jx_dtype t, char *p, val v)
{
    switch (t) {
    case JX_FLOAT16: { _Float16 x = (_Float16)v.f; memcpy(p, &x, 2); return; }
    case JX_FLOAT32: { float x = (float)v.f; memcpy(p, &x, 4); return; }
    case JX_FLOAT64: memcpy(p, &v.f, 8); return;
    default: memcpy(p, &v.u, jx_dtype_size(t)); return; /* little-endian */
    }
}

/* Bit-exact equality in t; any NaN equals any NaN. */
static inline bool same(jx_dtype t, val a, val b)
{
    if (!is_float(t))
        return a.u == b.u;
    if (isnan(a.f) || isnan(b.f))
        return isnan(a.f) && isnan(b.f);
    return a.f == b.f && signbit(a.f) == signbit(b.f);
}

/* ULPs a math function's result may differ by from libm's: libmvec's
 * documented bound (4 ULP of the correctly rounded result). */
#define MATH_ULPS 4

/* The spacing of t's values at v: ulp(v), normal or subnormal. */
static inline double ulp_of(jx_dtype t, double v)
{
    int p = t == JX_FLOAT16 ? 11 : t == JX_FLOAT32 ? 24 : 53;
    int emin = t == JX_FLOAT16 ? -14 : t == JX_FLOAT32 ? -126 : -1022;
    int e = v == 0 || !isfinite(v) ? emin : ilogb(v);
    return ldexp(1, (e < emin ? emin : e) - p + 1);
}

/* got against the reference want, which may be `bound` away from what the
 * kernel computes (eval_ir_bound): bit for bit when bound is 0; NaN and
 * infinities exactly in any case. */
static inline bool close_to(jx_dtype t, val got, val want, double bound)
{
    if (bound == 0 || !is_float(t) || !isfinite(got.f) || !isfinite(want.f))
        return same(t, got, want);
    return fabs(got.f - want.f) <= bound;
}

static inline void fmt_val(jx_dtype t, val v, char *s, size_t n)
{
    if (is_float(t))
        snprintf(s, n, "%.17g", v.f);
    else if (is_signed(t))
        snprintf(s, n, "%lld", (long long)v.i);
    else
        snprintf(s, n, "%llu", (unsigned long long)v.u);
}

/* ---- reference semantics ---------------------------------------------- */

/* NumPy's float ops (npy_divmod, npy_remainder, ...) in type T. */
#define DEF_FLOAT_REF(T, NAME, SFX)                                        \
static inline T NAME(int op, T a, T b)                                 \
    {                                                                      \
        switch (op) {                                                      \
        case JX_OP_POS: return a;                                          \
        case JX_OP_NEG: return -a;                                         \
        case JX_OP_ADD: return a + b;                                      \
        case JX_OP_SUB: return a - b;                                      \
        case JX_OP_MUL: return a * b;                                      \
        case JX_OP_DIV: return a / b;                                      \
        case JX_OP_FLOORDIV: {                                             \
            if (b == 0)                                                    \
                return a / b;                                              \
            T mod = fmod##SFX(a, b);                                       \
            T div = (a - mod) / b;                                         \
            if (mod) {                                                     \
                if ((b < 0) != (mod < 0))                                  \
                    div -= 1;                                              \
            }                                                              \
            if (div) {                                                     \
                T fl = floor##SFX(div);                                    \
                if (div - fl > (T)0.5)                                     \
                    fl += 1;                                               \
                return fl;                                                 \
            }                                                              \
            return copysign##SFX(0, a / b);                                \
        }                                                                  \
        case JX_OP_MOD: {                                                  \
            T mod = fmod##SFX(a, b);                                       \
            if (b == 0)                                                    \
                return mod;                                                \
            if (mod) {                                                     \
                if ((b < 0) != (mod < 0))                                  \
                    mod += b;                                              \
            } else {                                                       \
                mod = copysign##SFX(0, b);                                 \
            }                                                              \
            return mod;                                                    \
        }                                                                  \
        case JX_OP_POW: return pow##SFX(a, b);                             \
        case JX_OP_ABS: return fabs##SFX(a);                               \
        case JX_OP_SQRT: return sqrt##SFX(a);                              \
        case JX_OP_EXP: return exp##SFX(a);                                \
        case JX_OP_LOG: return log##SFX(a);                                \
        case JX_OP_SIN: return sin##SFX(a);                                \
        case JX_OP_COS: return cos##SFX(a);                                \
        case JX_OP_TAN: return tan##SFX(a);                                \
        case JX_OP_ARCSIN: return asin##SFX(a);                            \
        case JX_OP_ARCCOS: return acos##SFX(a);                            \
        case JX_OP_ARCTAN: return atan##SFX(a);                            \
        case JX_OP_SINH: return sinh##SFX(a);                              \
        case JX_OP_COSH: return cosh##SFX(a);                              \
        case JX_OP_TANH: return tanh##SFX(a);                              \
        case JX_OP_ARCSINH: return asinh##SFX(a);                          \
        case JX_OP_ARCCOSH: return acosh##SFX(a);                          \
        case JX_OP_ARCTANH: return atanh##SFX(a);                          \
        case JX_OP_EXP2: return exp2##SFX(a);                              \
        case JX_OP_EXPM1: return expm1##SFX(a);                            \
        case JX_OP_LOG2: return log2##SFX(a);                              \
        case JX_OP_LOG10: return log10##SFX(a);                            \
        case JX_OP_LOG1P: return log1p##SFX(a);                            \
        case JX_OP_CBRT: return cbrt##SFX(a);                              \
        case JX_OP_ERF: return erf##SFX(a);                                \
        case JX_OP_COPY: return a;                                         \
        case JX_OP_ONES_LIKE: return 1;                                    \
        case JX_OP_ERFC: return erfc##SFX(a);                              \
        case JX_OP_ARCTAN2: return atan2##SFX(a, b);                       \
        case JX_OP_HYPOT: return hypot##SFX(a, b);                         \
        case JX_OP_FMOD: return fmod##SFX(a, b);                           \
        case JX_OP_SIGN: return a > 0 ? 1 : a < 0 ? -1 : a == 0 ? 0 : a;   \
        case JX_OP_SQUARE: return a * a;                                   \
        case JX_OP_RECIP: return 1 / a;                                    \
        case JX_OP_FLOOR: return floor##SFX(a);                            \
        case JX_OP_CEIL: return ceil##SFX(a);                              \
        case JX_OP_TRUNC: return trunc##SFX(a);                            \
        case JX_OP_RINT:                                                   \
        case JX_OP_ROUND: return rint##SFX(a);                             \
        case JX_OP_COPYSIGN: return copysign##SFX(a, b);                   \
        case JX_OP_NEXTAFTER: return nextafter##SFX(a, b);                 \
        case JX_OP_MAXIMUM: return a >= b || isnan(a) ? a : b;             \
        case JX_OP_MINIMUM: return a <= b || isnan(a) ? a : b;             \
        case JX_OP_FMAX: return a >= b || isnan(b) ? a : b;                \
        case JX_OP_FMIN: return a <= b || isnan(b) ? a : b;                \
        case JX_OP_DEG2RAD: return a * ((T)3.14159265358979323846 / (T)180); \
        case JX_OP_RAD2DEG: return a * ((T)180 / (T)3.14159265358979323846); \
        case JX_OP_HEAVISIDE:                                              \
            return isnan(a) ? a : a == 0 ? b : a < 0 ? 0 : 1;              \
        case JX_OP_LOGADDEXP:                                              \
        case JX_OP_LOGADDEXP2: {                                           \
            bool two = op == JX_OP_LOGADDEXP2;                             \
            if (a == b)                                                    \
                return a + (two ? (T)1 : (T)0.69314718055994531);          \
            T d = a - b;                                                   \
            if (isnan(d))                                                  \
                return d;                                                  \
            T big = d > 0 ? a : b, m = -fabs##SFX(d);                      \
            T l = log1p##SFX(two ? exp2##SFX(m) : exp##SFX(m));            \
            return big + (two ? l * (T)1.4426950408889634 : l);            \
        }                                                                  \
        default: return (T)NAN;                                            \
        }                                                                  \
    }

DEF_FLOAT_REF(double, ref_f64, )
DEF_FLOAT_REF(float, ref_f32, f)

/* nextafter in float16's own steps. */
static inline double ref_nextafter_half(double a, double b)
{
    _Float16 x = (_Float16)a, y = (_Float16)b;
    if (isnan(a) || isnan(b))
        return a + b;
    if (a == b)
        return b;
    uint16_t bits;
    if (a == 0) {
        bits = (uint16_t)(signbit(b) ? 0x8001 : 0x0001);
    } else {
        memcpy(&bits, &x, 2);
        bits = (uint16_t)((a < b) == (a > 0) ? bits + 1 : bits - 1);
    }
    memcpy(&x, &bits, 2);
    (void)y;
    return (double)x;
}

/* Comparisons, and the tests of one float (isnan, signbit). */
static inline int ref_fcmp(int op, double a, double b)
{
    switch (op) {
    case JX_OP_ISNAN: return isnan(a) != 0;
    case JX_OP_ISINF: return isinf(a) != 0;
    case JX_OP_ISFINITE: return isfinite(a) != 0;
    case JX_OP_SIGNBIT: return signbit(a) != 0;
    case JX_OP_LT: return a < b;
    case JX_OP_LE: return a <= b;
    case JX_OP_EQ: return a == b;
    case JX_OP_NE: return a != b;
    case JX_OP_GE: return a >= b;
    default: return a > b;
    }
}

/* Integers and bool: Python floor division and modulo, wrap-around, no
 * traps. */
static inline val ref_int(int op, jx_dtype t, val a, val b)
{
    int bits = bits_of(t);
    bool sg = is_signed(t), bl = is_bool(t);
    uint64_t ua = a.u, ub = b.u;
    switch (op) {
    case JX_OP_POS: return a;
    case JX_OP_NEG: return wrap(t, 0 - ua);
    case JX_OP_INVERT: return bl ? uval(!ua) : wrap(t, ~ua);
    case JX_OP_ADD: return bl ? uval(ua | ub) : wrap(t, ua + ub);
    case JX_OP_SUB: return wrap(t, ua - ub);
    case JX_OP_MUL: return bl ? uval(ua & ub) : wrap(t, ua * ub);
    case JX_OP_FLOORDIV:
        if (ub == 0)
            return uval(0);
        if (!sg)
            return uval(ua / ub);
        if (b.i == -1)
            return wrap(t, 0 - ua);
        {
            int64_t q = a.i / b.i, r = a.i % b.i;
            if (r != 0 && ((r < 0) != (b.i < 0)))
                q--;
            return wrap(t, (uint64_t)q);
        }
    case JX_OP_MOD:
        if (ub == 0)
            return uval(0);
        if (!sg)
            return uval(ua % ub);
        if (b.i == -1)
            return uval(0);
        {
            int64_t r = a.i % b.i;
            if (r != 0 && ((r < 0) != (b.i < 0)))
                r += b.i;
            return wrap(t, (uint64_t)r);
        }
    case JX_OP_POW: {
        if (sg && b.i < 0) {
            if (a.i == 1)
                return wrap(t, 1);
            if (a.i == -1)
                return wrap(t, (b.i & 1) ? ~UINT64_C(0) : 1);
            return wrap(t, 0);
        }
        uint64_t r = 1, base = ua, e = ub;
        while (e) {
            if (e & 1)
                r *= base;
            base *= base;
            e >>= 1;
        }
        return wrap(t, r);
    }
    case JX_OP_LT: return uval(sg ? a.i < b.i : ua < ub);
    case JX_OP_LE: return uval(sg ? a.i <= b.i : ua <= ub);
    case JX_OP_EQ: return uval(ua == ub);
    case JX_OP_NE: return uval(ua != ub);
    case JX_OP_GE: return uval(sg ? a.i >= b.i : ua >= ub);
    case JX_OP_GT: return uval(sg ? a.i > b.i : ua > ub);
    case JX_OP_AND: return wrap(t, ua & ub);
    case JX_OP_OR: return wrap(t, ua | ub);
    case JX_OP_XOR: return wrap(t, ua ^ ub);
    case JX_OP_SHL: {
        uint64_t c = ub & umax_of(t); /* (unsigned)b in t's width */
        return c < (uint64_t)bits ? wrap(t, ua << c) : uval(0);
    }
    case JX_OP_SHR: {
        uint64_t c = ub & umax_of(t);
        if (c < (uint64_t)bits)
            return sg ? wrap(t, (uint64_t)(a.i >> c)) : uval(ua >> c);
        return sg && a.i < 0 ? wrap(t, ~UINT64_C(0)) : uval(0);
    }
    case JX_OP_ABS: return sg && a.i < 0 ? wrap(t, 0 - ua) : a;
    case JX_OP_FMOD: /* C's %, x % 0 = 0 */
        if (ub == 0 || (sg && b.i == -1))
            return uval(0);
        return sg ? wrap(t, (uint64_t)(a.i % b.i)) : uval(ua % ub);
    case JX_OP_SIGN:
        return sg ? wrap(t, (uint64_t)(int64_t)((a.i > 0) - (a.i < 0))) : uval(ua != 0);
    case JX_OP_SQUARE: return wrap(t, ua * ua);
    case JX_OP_RECIP:
        if (sg && a.i == -1)
            return a;
        return uval(ua == 1);
    case JX_OP_ROUND:
    case JX_OP_COPY: return a;
    case JX_OP_ONES_LIKE: return wrap(t, 1);
    case JX_OP_ISNAN:
    case JX_OP_ISINF: return uval(0);
    case JX_OP_ISFINITE: return uval(1);
    case JX_OP_MAXIMUM:
    case JX_OP_FMAX: return (sg ? a.i >= b.i : ua >= ub) ? a : b;
    case JX_OP_MINIMUM:
    case JX_OP_FMIN: return (sg ? a.i <= b.i : ua <= ub) ? a : b;
    default: return uval(0xdeadbeef);
    }
}

/* A value of dtype `from` converted to `to`: C conversions, saturating
 * float -> integer (NaN gives 0), != 0 to bool. */
static inline val ref_cast(jx_dtype from, jx_dtype to, val v)
{
    if (is_bool(to))
        return uval(is_float(from) ? v.f != 0 : v.u != 0);
    if (is_float(from)) {
        double x = v.f;
        if (is_float(to))
            return fval(round_to(to, x));
        if (isnan(x))
            return uval(0);
        if (is_signed(to)) {
            if (x >= ldexp(1, bits_of(to) - 1))
                return wrap(to, (uint64_t)max_of(to));
            if (x < -ldexp(1, bits_of(to) - 1))
                return wrap(to, (uint64_t)min_of(to));
            return wrap(to, (uint64_t)(int64_t)x);
        }
        if (x >= ldexp(1, bits_of(to)))
            return uval(umax_of(to));
        if (x <= -1)
            return uval(0);
        return uval((uint64_t)x);
    }
    bool sg = is_signed(from);
    if (is_float(to)) {
        switch (to) {
        case JX_FLOAT16:
            return fval(sg ? (double)(_Float16)v.i : (double)(_Float16)v.u);
        case JX_FLOAT32:
            return fval(sg ? (double)(float)v.i : (double)(float)v.u);
        default:
            return fval(sg ? (double)v.i : (double)v.u);
        }
    }
    return wrap(to, v.u); /* v.u holds the sign-extended bits */
}

/* How far the kernel's value of a float instruction x (result r, operands
 * a and b) may be from the reference's, given how far its operands may be
 * (ea, eb): 0 when everything is exact.  A math function of exact operands
 * is within MATH_ULPS ULP (float16: computed in float32 and rounded, so
 * within one float16 ULP); arithmetic passes its operands' bounds on and may round
 * once more; what the bound does not follow (a comparison or an integer
 * conversion of an inexact value, a math function of one) is INFINITY,
 * which fails the check. */
static inline double bound_of(const jx_ir *ir, const jx_instr *x, bool math,
                       double r, double a, double b, double ea, double eb)
{
    jx_dtype rt = x->dtype;
    if (!is_float(rt))
        return ea != 0 || eb != 0 ? INFINITY : 0;
    if (math && (x->op == JX_OP_LOGADDEXP || x->op == JX_OP_LOGADDEXP2)) {
        /* big + log1p(exp(-|d|)): the error of the vector calls is one
         * of the term (at most 1), not of the result, which may cancel. */
        jx_dtype ct = rt == JX_FLOAT64 ? JX_FLOAT64 : JX_FLOAT32;
        return ea != 0 || eb != 0 ? INFINITY
                                  : 3 * MATH_ULPS * ulp_of(ct, 1.0) + ulp_of(rt, r);
    }
    if (math)
        return ea != 0 || eb != 0 ? INFINITY
               : rt == JX_FLOAT16 ? ulp_of(rt, r)
                                  : MATH_ULPS * ulp_of(rt, r);
    if (ea == 0 && eb == 0)
        return 0;
    double e;
    switch (x->op) {
    case JX_IR_CAST:
    case JX_OP_POS:
    case JX_OP_NEG:
    case JX_OP_ABS: e = ea; break;
    case JX_OP_ADD:
    case JX_OP_SUB: e = ea + eb; break;
    case JX_OP_MUL: e = fabs(b) * ea + fabs(a) * eb + ea * eb; break;
    case JX_OP_DIV: e = eb != 0 ? INFINITY : ea / fabs(b); break;
    case JX_OP_POW: { /* the fast paths: x ** 2, 1, 0, -1 */
        double k = ir->ins[x->args[1]].k.f;
        e = k == 2 ? 2 * fabs(a) * ea + ea * ea : k == 1 ? ea : k == 0 ? 0 : INFINITY;
        break;
    }
    default: return INFINITY;
    }
    return e == 0 ? 0 : e + ulp_of(rt, fabs(r) + e);
}

/* The expected value of an IR over one element of each input; *bound (if
 * not NULL) gets how far the kernel's value may be from it (bound_of). */
static inline val eval_ir_bound(const jx_ir *ir, const val *in, double *bound)
{
    val v[MAXINS];
    double e[MAXINS];
    for (int idx = 0; idx < ir->n; idx++) {
        const jx_instr *x = &ir->ins[idx];
        val a = x->nargs > 0 ? v[x->args[0]] : uval(0);
        val b = x->nargs > 1 ? v[x->args[1]] : uval(0);
        double ea = x->nargs > 0 ? e[x->args[0]] : 0;
        double eb = x->nargs > 1 ? e[x->args[1]] : 0;
        jx_dtype t = x->nargs > 0 ? ir->ins[x->args[0]].dtype : x->dtype;
        e[idx] = 0;
        switch (x->op) {
        case JX_IR_INPUT: v[idx] = in[x->input]; continue;
        case JX_IR_CONST:
            v[idx] = is_float(x->dtype) ? fval(x->k.f) : wrap(x->dtype, x->k.u);
            continue;
        case JX_IR_CAST:
            v[idx] = ref_cast(t, x->dtype, a);
            e[idx] = bound_of(ir, x, false, v[idx].f, a.f, 0, ea, 0);
            continue;
        case JX_OP_WHERE:
            v[idx] = a.u ? b : v[x->args[2]];
            e[idx] = ea != 0 ? INFINITY : a.u ? eb : e[x->args[2]];
            continue;
        case JX_OP_CLIP: { /* minimum(maximum(x, lo), hi) */
            val hi = v[x->args[2]];
            if (is_float(t))
                v[idx] = fval(ref_f64(JX_OP_MINIMUM, ref_f64(JX_OP_MAXIMUM, a.f, b.f), hi.f));
            else
                v[idx] = ref_int(JX_OP_MINIMUM, t, ref_int(JX_OP_MAXIMUM, t, a, b), hi);
            e[idx] = ea != 0 || eb != 0 || e[x->args[2]] != 0 ? INFINITY : 0;
            continue;
        }
        default: break;
        }
        if (!is_float(t)) {
            v[idx] = ref_int(x->op, t, a, b);
            e[idx] = ea != 0 || eb != 0 ? INFINITY : 0;
            continue;
        }
        jx_rule rule = jx_ops[x->op].rule;
        if (rule == JX_R_CMP || rule == JX_R_PRED || rule == JX_R_FLOATPRED) {
            v[idx] = uval((uint64_t)ref_fcmp(x->op, a.f, b.f));
            e[idx] = ea != 0 || eb != 0 ? INFINITY : 0;
            continue;
        }
        bool math = jx_ops[x->op].low == JX_L_LIBM || x->op == JX_OP_POW ||
                    x->op == JX_OP_LOGADDEXP || x->op == JX_OP_LOGADDEXP2;
        /* x ** constant: x*x, x, 1, 1/x as NumPy's fast scalar power. */
        if (x->op == JX_OP_POW && ir->ins[x->args[1]].op == JX_IR_CONST) {
            double k = ir->ins[x->args[1]].k.f;
            if (k == 2 || k == 1 || k == 0 || k == -1) {
                double r;
                if (t == JX_FLOAT64)
                    r = k == 2 ? a.f * a.f : k == 1 ? a.f : k == 0 ? 1 : 1 / a.f;
                else {
                    float f = (float)a.f;
                    r = k == 2 ? f * f : k == 1 ? f : k == 0 ? 1 : 1 / f;
                }
                v[idx] = fval(round_to(t, r));
                e[idx] = bound_of(ir, x, false, v[idx].f, a.f, b.f, ea, eb);
                continue;
            }
        }
        if (x->op == JX_OP_NEXTAFTER && t == JX_FLOAT16)
            v[idx] = fval(ref_nextafter_half(a.f, b.f));
        else if (t == JX_FLOAT64)
            v[idx] = fval(ref_f64(x->op, a.f, b.f));
        else /* float16 computes in float and rounds */
            v[idx] = fval(round_to(t, ref_f32(x->op, (float)a.f, (float)b.f)));
        e[idx] = bound_of(ir, x, math, v[idx].f, a.f, b.f, ea, eb);
    }
    if (bound != NULL)
        *bound = e[ir->result];
    return v[ir->result];
}

static inline val eval_ir(const jx_ir *ir, const val *in)
{
    return eval_ir_bound(ir, in, NULL);
}

#endif
