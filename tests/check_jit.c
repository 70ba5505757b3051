/* check_jit.c - the JIT (the code generator jit/emit.h lists, jit/engine.c) against C reference
 * functions with NumPy's semantics.
 *
 * IR is built by hand; every op of the op table runs over every supported
 * dtype it accepts, with edge values crossed with each other and random
 * values, over several layouts (contiguous, scalar, strided with negative
 * strides, unaligned data, with and without ":n", in place).  A small
 * interpreter (eval_ir) gives the expected value of every element; results
 * must match bit for bit (NaN matches any NaN), except where math functions
 * (exp, log, sin, cos, tan, a float pow) take part: the kernel may call
 * glibc's libmvec in its vector loop where the reference calls libm, so a
 * math function's result may differ from libm's by MATH_ULPS (4) ULP, the
 * bound libmvec documents, and eval_ir carries that bound through the
 * arithmetic that uses it (check_mathacc measures the error against exact
 * values).  test_vecmath checks that the vector variants are called, and
 * runs the math ops again with the AVX2 variants and with scalar libm
 * (JITEXPR_VECMATH).
 *
 * Run under gdb or valgrind with CK_FORK=no. */
#include <check.h>
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
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

static int bits_of(jx_dtype t) { return (int)jx_dtype_size(t) * 8; }
static jx_kind kind_of(jx_dtype t) { return jx_dtype_kind(t); }
static bool is_float(jx_dtype t) { return kind_of(t) == JX_KIND_FLOAT; }
static bool is_signed(jx_dtype t) { return kind_of(t) == JX_KIND_INT; }
static bool is_bool(jx_dtype t) { return kind_of(t) == JX_KIND_BOOL; }
/* The dtypes the reference model here holds (one real value each); complex
 * values are tested end to end against <complex.h> in check_eval.c, byte
 * strings (which have no value in a register) in check_bytes.c. */
static bool supported(jx_dtype t)
{
    return jx_dtype_get(t)->supported && kind_of(t) != JX_KIND_COMPLEX &&
           t != JX_BYTES;
}

/* The ops whose point is complex values (real, imag, conj, complex(),
 * angle): tested in check_eval.c and the Python suite, not by the real
 * reference model here. */
static bool complex_op(int op)
{
    return op == JX_OP_REAL || op == JX_OP_IMAG || op == JX_OP_CONJ ||
           op == JX_OP_COMPLEX || op == JX_OP_ANGLE;
}

/* u truncated to t's width and extended as t's signedness says. */
static val wrap(jx_dtype t, uint64_t u)
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

static val fval(double f)
{
    val r;
    r.f = f;
    return r;
}

static val uval(uint64_t u)
{
    val r;
    r.u = u;
    return r;
}

/* A double rounded to t (correctly, directly). */
static double round_to(jx_dtype t, double x)
{
    switch (t) {
    case JX_FLOAT16: return (double)(_Float16)x;
    case JX_FLOAT32: return (double)(float)x;
    default: return x;
    }
}

static int64_t min_of(jx_dtype t) { return (int64_t)(UINT64_C(1) << 63) >> (64 - bits_of(t)); }
static int64_t max_of(jx_dtype t) { return ~min_of(t); }
static uint64_t umax_of(jx_dtype t) { return ~UINT64_C(0) >> (64 - bits_of(t)); }

static val mem_read(jx_dtype t, const char *p)
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

static void mem_write(jx_dtype t, char *p, val v)
{
    switch (t) {
    case JX_FLOAT16: { _Float16 x = (_Float16)v.f; memcpy(p, &x, 2); return; }
    case JX_FLOAT32: { float x = (float)v.f; memcpy(p, &x, 4); return; }
    case JX_FLOAT64: memcpy(p, &v.f, 8); return;
    default: memcpy(p, &v.u, jx_dtype_size(t)); return; /* little-endian */
    }
}

/* Bit-exact equality in t; any NaN equals any NaN. */
static bool same(jx_dtype t, val a, val b)
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
static double ulp_of(jx_dtype t, double v)
{
    int p = t == JX_FLOAT16 ? 11 : t == JX_FLOAT32 ? 24 : 53;
    int emin = t == JX_FLOAT16 ? -14 : t == JX_FLOAT32 ? -126 : -1022;
    int e = v == 0 || !isfinite(v) ? emin : ilogb(v);
    return ldexp(1, (e < emin ? emin : e) - p + 1);
}

/* got against the reference want, which may be `bound` away from what the
 * kernel computes (eval_ir_bound): bit for bit when bound is 0; NaN and
 * infinities exactly in any case. */
static bool close_to(jx_dtype t, val got, val want, double bound)
{
    if (bound == 0 || !is_float(t) || !isfinite(got.f) || !isfinite(want.f))
        return same(t, got, want);
    return fabs(got.f - want.f) <= bound;
}

static void fmt_val(jx_dtype t, val v, char *s, size_t n)
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
    static T NAME(int op, T a, T b)                                        \
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
static double ref_nextafter_half(double a, double b)
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
static int ref_fcmp(int op, double a, double b)
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
static val ref_int(int op, jx_dtype t, val a, val b)
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
static val ref_cast(jx_dtype from, jx_dtype to, val v)
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
static double bound_of(const jx_ir *ir, const jx_instr *x, bool math,
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
static val eval_ir_bound(const jx_ir *ir, const val *in, double *bound)
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

static val eval_ir(const jx_ir *ir, const val *in)
{
    return eval_ir_bound(ir, in, NULL);
}

/* ---- hand-built IR ---------------------------------------------------- */

typedef struct tir {
    jx_ir ir;
    jx_instr ins[MAXINS];
    jx_dtype dt[MAXSLOT];
    int32_t var[MAXSLOT];
} tir;

static void tir_init(tir *T)
{
    memset(T, 0, sizeof *T);
    T->ir.ins = T->ins;
    T->ir.cap = MAXINS;
    T->ir.input_dtype = T->dt;
    T->ir.input_var = T->var;
    T->ir.text = (char *)"test";
    T->ir.reduce = -1;
    T->ir.acc_dtype = JX_DTYPE_INVALID;
}

static int tir_push(tir *T, jx_instr x)
{
    T->ins[T->ir.n] = x;
    T->ir.result = T->ir.n;
    T->ir.dtype = x.dtype;
    return T->ir.n++;
}

static int tir_input(tir *T, jx_dtype t)
{
    int slot = T->ir.ninputs++;
    T->dt[slot] = t;
    T->var[slot] = slot;
    return tir_push(T, (jx_instr){.op = JX_IR_INPUT, .dtype = t, .input = slot});
}

static int tir_const(tir *T, jx_dtype t, val k)
{
    return tir_push(T, (jx_instr){.op = JX_IR_CONST, .dtype = t, .k = k});
}

static int tir_op(tir *T, int op, jx_dtype t, int a, int b, int c)
{
    jx_instr x = {.op = op, .dtype = t, .nargs = jx_ops[op].arity,
                  .args = {a, b, c}};
    return tir_push(T, x);
}

static int tir_cast(tir *T, jx_dtype t, int a)
{
    return tir_push(T, (jx_instr){.op = JX_IR_CAST, .dtype = t, .nargs = 1,
                                  .args = {a}});
}

/* ---- values ------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static double rnd_unit(void) { return (double)(rnd() >> 11) * 0x1p-53; }

/* Edge values of t; returns how many. */
static int edges(jx_dtype t, val *out)
{
    int n = 0;
    if (is_bool(t)) {
        out[n++] = uval(0);
        out[n++] = uval(1);
        return n;
    }
    if (is_float(t)) {
        static const double fs[] = {
            0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -2.5, 2.0, 3.0, -7.0,
            10.0, 0.1, -1e-3, 1e4, -6e4, 65504, 6.1035e-05, 5.96e-08,
            1e30, -1e-30, 3.4e38, 1e300, INFINITY, -INFINITY, NAN};
        for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
            out[n++] = fval(round_to(t, fs[i]));
        return n;
    }
    int bits = bits_of(t);
    static const int64_t is[] = {0, 1, 2, 3, 5, 7, -1, -2, -3, -7, 100, -100};
    for (size_t i = 0; i < sizeof is / sizeof is[0]; i++)
        out[n++] = wrap(t, (uint64_t)is[i]);
    out[n++] = wrap(t, (uint64_t)bits);
    out[n++] = wrap(t, (uint64_t)bits - 1);
    out[n++] = wrap(t, (uint64_t)bits + 1);
    if (is_signed(t)) {
        out[n++] = wrap(t, (uint64_t)min_of(t));
        out[n++] = wrap(t, (uint64_t)min_of(t) + 1);
        out[n++] = wrap(t, (uint64_t)max_of(t));
    } else {
        out[n++] = wrap(t, umax_of(t));
        out[n++] = wrap(t, umax_of(t) - 1);
        out[n++] = wrap(t, umax_of(t) >> 1);
    }
    return n;
}

/* A random value of t; `op` shapes the second operand of shifts and
 * integer powers, and the operand of math functions. */
static val rand_val(jx_dtype t, int op, int operand)
{
    if (is_bool(t))
        return uval(rnd() & 1);
    if (is_float(t)) {
        double x;
        unsigned pick = rnd() % 4;
        if (op == JX_OP_POW && operand == 1)
            x = (rnd_unit() - 0.5) * 8;
        else if (op == JX_OP_EXP || op == JX_OP_POW)
            x = (rnd_unit() - 0.5) * 20;
        else if (pick == 0)
            x = (double)((int)(rnd() % 41) - 20);
        else if (pick == 1)
            x = ldexp(rnd_unit() + 0.5, (int)(rnd() % 41) - 20) * (rnd() & 1 ? 1 : -1);
        else
            x = (rnd_unit() - 0.5) * 20;
        return fval(round_to(t, x));
    }
    int bits = bits_of(t);
    if (operand == 1 && (op == JX_OP_SHL || op == JX_OP_SHR || op == JX_OP_POW))
        return wrap(t, (uint64_t)((int64_t)(rnd() % (uint64_t)(bits + 6)) - 3));
    if (rnd() & 1)
        return wrap(t, (uint64_t)((int64_t)(rnd() % 201) - 100));
    return wrap(t, rnd());
}

/* Fills in[k][0..n-1] for an op with `nin` operands of dtypes dt: edge
 * values crossed (pairs for two operands), then random values. */
static void fill_inputs(int op, int nin, const jx_dtype *dt, int n,
                        val in[][NMAX])
{
    val e0[64], e1[64];
    int n0 = edges(dt[0], e0);
    int n1 = nin > 1 ? edges(dt[nin - 1], e1) : 1;
    int i = 0;
    for (int a = 0; a < n0 && i < n; a++)
        for (int b = 0; b < n1 && i < n; b++, i++) {
            in[0][i] = e0[a];
            if (nin > 1)
                in[nin - 1][i] = e1[b];
        }
    for (; i < n; i++) {
        in[0][i] = rand_val(dt[0], op, 0);
        if (nin > 1)
            in[nin - 1][i] = rand_val(dt[nin - 1], op, 1);
    }
    if (nin == 3) /* where: operand 1 gets random values too */
        for (i = 0; i < n; i++) {
            in[1][i] = rand_val(dt[1], op, 0);
            if (i < n0 * n1 && (i & 1))
                in[1][i] = e1[i % n1];
        }
    if (op == JX_OP_WHERE) /* the condition, operand 0, is bool */
        for (i = 0; i < n; i++)
            in[0][i] = uval(rnd() & 1);
}

/* ---- running a kernel -------------------------------------------------- */

/* One operand's memory: an unaligned buffer, a base pointer and stride. */
typedef struct operand {
    char *buf;
    char *base;
    int64_t stride;
    size_t bytes;
} operand;

static void operand_make(operand *o, char cls, jx_dtype t, int64_t n, int k)
{
    int64_t sz = (int64_t)jx_dtype_size(t);
    int64_t m = n > 0 ? n : 1;
    switch (cls) {
    case 'C':
        o->bytes = (size_t)(m * sz) + 33;
        o->stride = sz;
        break;
    case 'S':
        o->bytes = (size_t)sz + 33;
        o->stride = 0;
        break;
    default: /* 'X': 3 elements apart, negative for odd k */
        o->bytes = (size_t)(3 * m * sz) + 33;
        o->stride = (k & 1) ? -3 * sz : 3 * sz;
        break;
    }
    o->buf = malloc(o->bytes);
    ck_assert_ptr_nonnull(o->buf);
    memset(o->buf, 0xa5, o->bytes);
    o->base = o->buf + 1; /* unaligned */
    if (o->stride < 0)
        o->base += 3 * (m - 1) * sz;
}

static char *elem(const operand *o, int64_t i) { return o->base + i * o->stride; }

/* Runs code (compiled from ir for layout) over n elements of the logical
 * inputs in[k][i] (a scalar operand uses in[k][0]) and checks every
 * element against eval_ir.  inplace >= 0: the output is written over input
 * slot `inplace` (same dtype and class).  Returns true when all match;
 * otherwise msg says where. */
static bool run_check(const jx_jit_code *code, const jx_ir *ir,
                      const char *layout, int64_t n, val in[][NMAX],
                      int inplace, char *msg, size_t msglen)
{
    int nin = ir->ninputs;
    jx_dtype rt = ir->ins[ir->result].dtype;
    operand ops[MAXSLOT + 1];
    char *ptrs[MAXSLOT + 1];
    int64_t strides[MAXSLOT + 1];
    operand_make(&ops[0], layout[0], rt, n, 0);
    for (int k = 0; k < nin; k++) {
        operand_make(&ops[k + 1], layout[k + 1], ir->input_dtype[k], n, k + 1);
        for (int64_t i = 0; i < (layout[k + 1] == 'S' ? (n > 0) : n); i++)
            mem_write(ir->input_dtype[k], elem(&ops[k + 1], i), in[k][i]);
    }
    for (int k = 0; k <= nin; k++) {
        ptrs[k] = ops[k].base;
        strides[k] = ops[k].stride;
    }
    if (inplace >= 0) {
        ptrs[0] = ptrs[inplace + 1];
        strides[0] = strides[inplace + 1];
    }
    code->fn(n, ptrs, strides);

    bool ok = true;
    msg[0] = '\0';
    const operand *out = inplace >= 0 ? &ops[inplace + 1] : &ops[0];
    int64_t first = layout[0] == 'S' ? n - 1 : 0; /* scalar out: the last */
    for (int64_t i = first < 0 ? 0 : first; i < n && ok; i++) {
        val row[MAXSLOT];
        for (int k = 0; k < nin; k++)
            row[k] = in[k][layout[k + 1] == 'S' ? 0 : i];
        double bound;
        val want = eval_ir_bound(ir, row, &bound);
        val got = mem_read(rt, layout[0] == 'S' && inplace < 0
                                   ? out->base
                                   : out->base + i * strides[0]);
        if (!close_to(rt, got, want, bound)) {
            char g[48], w[48], a[48] = "", b[48] = "";
            fmt_val(rt, got, g, sizeof g);
            fmt_val(rt, want, w, sizeof w);
            if (nin > 0)
                fmt_val(ir->input_dtype[0], row[0], a, sizeof a);
            if (nin > 1)
                fmt_val(ir->input_dtype[nin - 1], row[nin - 1], b, sizeof b);
            snprintf(msg, msglen,
                     "%s layout %s n %lld: element %lld of (%s, %s): got %s, "
                     "want %s (within %g)",
                     ir->text, layout, (long long)n, (long long)i, a, b, g, w,
                     bound);
            ok = false;
        }
    }
    /* Nothing written outside the output. */
    if (ok && inplace < 0 && out->buf[0] != (char)0xa5) {
        snprintf(msg, msglen, "%s layout %s n %lld: wrote before the output",
                 ir->text, layout, (long long)n);
        ok = false;
    }
    if (ok && inplace < 0 && layout[0] == 'C' &&
        out->buf[out->bytes - 1] != (char)0xa5) {
        snprintf(msg, msglen, "%s layout %s n %lld: wrote past the output",
                 ir->text, layout, (long long)n);
        ok = false;
    }
    if (ok && inplace < 0 && n == 0)
        for (size_t j = 0; j < out->bytes && ok; j++)
            if (out->buf[j] != (char)0xa5) {
                snprintf(msg, msglen, "%s layout %s: n 0 wrote", ir->text,
                         layout);
                ok = false;
            }
    for (int k = 0; k <= nin; k++)
        free(ops[k].buf);
    return ok;
}

/* Compiles ir for layout and checks it at each n of ns[0..nn-1]. */
static void check_layout(const jx_ir *ir, const char *layout,
                         const int64_t *ns, int nn, val in[][NMAX],
                         int inplace)
{
    jx_jit_code code;
    jx_error err;
    jx_err_clear(&err);
    int rc = jx_jit_compile(ir, layout, &code, &err);
    ck_assert_msg(rc == 0, "%s layout %s: compile failed: code %d: %s", ir->text,
                  layout, (int)err.code, err.message);
    char msg[512];
    for (int j = 0; j < nn; j++) {
        bool ok = run_check(&code, ir, layout, ns[j], in, inplace, msg,
                            sizeof msg);
        ck_assert_msg(ok, "%s", msg);
    }
    jx_jit_release(&code);
}

static val inputs[MAXSLOT][NMAX];

/* ---- every op x every dtype ------------------------------------------- */

static bool op_accepts(int op, jx_dtype t)
{
    if (!supported(t) || !(jx_ops[op].kinds & kind_of(t)) ||
        jx_ops[op].rule == JX_R_REDUCE)
        return false;
    /* sema casts integer operands of these to a float. */
    if (jx_ops[op].rule == JX_R_TRUEDIV || jx_ops[op].rule == JX_R_FLOATFN ||
        jx_ops[op].rule == JX_R_FLOATPRED)
        return is_float(t);
    return true;
}

/* The IR of `op` over input slots of dtype t (where: bool, t, t). */
static void op_ir(tir *T, int op, jx_dtype t, char *text, size_t tl)
{
    tir_init(T);
    snprintf(text, tl, "%s(%s)", jx_ops[op].mnem, jx_dtype_name(t));
    T->ir.text = text;
    jx_rule rule = jx_ops[op].rule;
    bool pred = rule == JX_R_CMP || rule == JX_R_PRED || rule == JX_R_FLOATPRED;
    jx_dtype rt = pred ? JX_BOOL : t;
    if (op == JX_OP_WHERE) {
        int c = tir_input(T, JX_BOOL), x = tir_input(T, t), y = tir_input(T, t);
        tir_op(T, op, t, c, x, y);
    } else if (jx_ops[op].arity == 1) {
        int x = tir_input(T, t);
        tir_op(T, op, rt, x, 0, 0);
    } else if (jx_ops[op].arity == 3) {
        int x = tir_input(T, t), y = tir_input(T, t), z = tir_input(T, t);
        tir_op(T, op, rt, x, y, z);
    } else {
        int x = tir_input(T, t), y = tir_input(T, t);
        tir_op(T, op, rt, x, y, 0);
    }
}

/* op over every dtype it accepts, in several layouts; returns how many
 * dtypes. */
static int check_op(int op)
{
    int tested = 0;
    for (int t = 0; t < JX_DTYPE_COUNT; t++) {
        if (!op_accepts(op, (jx_dtype)t))
            continue;
        tir T;
        char text[64];
        op_ir(&T, op, (jx_dtype)t, text, sizeof text);
        int nin = T.ir.ninputs;
        fill_inputs(op, nin, T.dt, NMAX, inputs);
        const int64_t nfull[] = {NMAX};
        const int64_t nsmall[] = {0, 1, 7, 100};
        char lay[16];
        /* Contiguous, with and without the no-overlap promise. */
        memset(lay, 'C', (size_t)nin + 1);
        strcpy(lay + nin + 1, ":n");
        check_layout(&T.ir, lay, nfull, 1, inputs, -1);
        lay[nin + 1] = '\0';
        check_layout(&T.ir, lay, nfull, 1, inputs, -1);
        /* Strided output and mixed inputs. */
        lay[0] = 'X';
        for (int k = 0; k < nin; k++)
            lay[k + 1] = "XCS"[k % 3];
        check_layout(&T.ir, lay, nfull, 1, inputs, -1);
        /* The first input scalar (broadcast), no-overlap. */
        lay[0] = 'C';
        for (int k = 0; k < nin; k++)
            lay[k + 1] = k == 0 ? 'S' : 'C';
        strcpy(lay + nin + 1, ":n");
        check_layout(&T.ir, lay, nsmall, 4, inputs, -1);
        /* In place: the output written over the last input (same dtype). */
        jx_dtype rt = T.ins[T.ir.result].dtype;
        if (rt == T.dt[nin - 1]) {
            memset(lay, 'C', (size_t)nin + 1);
            lay[nin + 1] = '\0';
            check_layout(&T.ir, lay, nfull, 1, inputs, nin - 1);
            memset(lay, 'X', (size_t)nin + 1);
            check_layout(&T.ir, lay, nsmall, 4, inputs, nin - 1);
        }
        tested++;
    }
    return tested;
}

START_TEST(test_op)
{
    int op = _i;
    if (jx_ops[op].rule == JX_R_REDUCE || complex_op(op)) /* test_reduce */
        return;
    if (op == JX_OP_POWER) /* sema writes power(a, b) as a ** b: test_ops.py */
        return;
    if (jx_ops[op].kinds == JX_KIND_BYTES) /* byte strings only: check_bytes.c */
        return;
    /* Every op accepts at least one supported dtype. */
    ck_assert_msg(check_op(op) > 0, "op %s tested on no dtype", jx_ops[op].mnem);
}
END_TEST

/* ---- vector math --------------------------------------------------------- */

/* The libmvec ISA letter the engine picks on this host: 'e' (AVX-512F),
 * 'd' (AVX2), or 0 (neither, or no libmvec: scalar libm); no higher than
 * `limit`. */
static char host_isa(char limit)
{
    void *h = dlopen("libmvec.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (h == NULL)
        return 0;
    dlclose(h);
    __builtin_cpu_init();
    char isa = __builtin_cpu_supports("avx512f") ? 'e'
               : __builtin_cpu_supports("avx2") ? 'd'
                                                : 0;
    return isa < limit ? isa : limit;
}

/* Whether op is a math function with libmvec variants (float pow too). */
static bool vec_math_op(int op)
{
    return jx_ops[op].low == JX_L_LIBM || op == JX_OP_POW;
}

/* The line of jx_target_info for function `spell` at precision t, copied
 * to line (empty when it has none). */
static void choice_line(const char *spell, jx_dtype t, char *line, size_t size)
{
    char *info = jx_target_info();
    ck_assert_ptr_nonnull(info);
    char key[64];
    snprintf(key, sizeof key, "\n%s %s: ", spell, jx_dtype_name(t));
    const char *p = strstr(info, key);
    line[0] = '\0';
    if (p != NULL)
        snprintf(line, size, "%.*s", (int)strcspn(p + 1, "\n"), p + 1);
    free(info);
}

/* The contiguous kernel of op over float dtype t calls its vector variant
 * for ISA isa (none: 0), e.g. "call <8 x double> @_ZGVeN8v_sin(", or for
 * a function vmath.c writes out, holds its vector code and no call. */
static void check_vector_call(int op, jx_dtype t, char isa)
{
    tir T;
    char text[64];
    if (op == JX_OP_POW) {
        tir_init(&T);
        snprintf(text, sizeof text, "pow(%s)", jx_dtype_name(t));
        T.ir.text = text;
        int x = tir_input(&T, t), y = tir_input(&T, t);
        tir_op(&T, op, t, x, y, 0);
    } else {
        op_ir(&T, op, t, text, sizeof text);
    }
    bool two = op == JX_OP_POW || jx_ops[op].arity == 2;
    jx_buf b = {0};
    jx_error err;
    ck_assert_int_eq(jx_jit_explain(&T.ir, two ? "CCC:n" : "CC:n",
                                    JX_EXPLAIN_LLVM, &b, &err), 0);
    char *ir = jx_buf_take(&b);
    ck_assert_ptr_nonnull(ir);
    const char *fn = op == JX_OP_POW ? "pow" : jx_ops[op].fn;
    bool f64 = t == JX_FLOAT64;
    char line[256];
    choice_line(jx_ops[op].spell, f64 ? JX_FLOAT64 : JX_FLOAT32, line, sizeof line);
    if (jx_vm_has(fn) && strstr(line, ": library") == NULL) {
        /* vmath.c's kernel, widened: no call at all */
        char scalar[32];
        snprintf(scalar, sizeof scalar, "@%s%s(", fn, f64 ? "" : "f");
        ck_assert_msg(strstr(ir, "@llvm.fmuladd.v") != NULL &&
                          strstr(ir, "_ZGV") == NULL &&
                          strstr(ir, scalar) == NULL,
                      "%s: not the vectorized kernel in\n%s", text, ir);
        free(ir);
        return;
    }
    int lanes = (isa == 'e' ? 512 : 256) / (f64 ? 64 : 32);
    char sym[64];
    snprintf(sym, sizeof sym, "_ZGV%cN%d%s_%s%s", isa, lanes,
             two ? "vv" : "v", fn, f64 ? "" : "f");
    if (strstr(jx_jit_target_id(), "sleef:yes") != NULL) /* SLEEF's log */
        for (int k = 0; k < JX_CG_NVEC; k++) {
            jx_cg_vecfn v;
            if (jx_cg_vecfn_get(k, &v) == 0 && v.lib == 's' &&
                v.isa == isa && v.f32 == !f64 && strcmp(v.fn, fn) == 0)
                snprintf(sym, sizeof sym, "%s", v.sym);
        }
    char call[96];
    snprintf(call, sizeof call, "call <%d x %s> @%s(", lanes,
             f64 ? "double" : "float", sym);
    if (isa != 0)
        ck_assert_msg(strstr(ir, call) != NULL, "%s: no %s in\n%s", text, call, ir);
    else
        ck_assert_msg(strstr(ir, "_ZGV") == NULL, "%s: a vector call without "
                      "libmvec in\n%s", text, ir);
    free(ir);
}

/* Math functions over float64, float32 and float16 call libmvec's variants
 * for the host in the contiguous loop. */
START_TEST(test_vecmath)
{
    char isa = host_isa('e');
    static const char *const names[] = {"none", "avx2", "avx512"};
    char want[32];
    snprintf(want, sizeof want, "libmvec:%s", names[isa == 'e' ? 2 : isa == 'd']);
    ck_assert_msg(strstr(jx_jit_target_id(), want) != NULL, "target %s, want %s",
                  jx_jit_target_id(), want);
    static const jx_dtype ts[] = {JX_FLOAT64, JX_FLOAT32, JX_FLOAT16};
    for (int op = 0; op < JX_OP_COUNT; op++)
        if (vec_math_op(op))
            for (int k = 0; k < 3; k++)
                check_vector_call(op, ts[k], isa);
}
END_TEST

/* Complex exp, exp2 and expm1 are written out from the real functions:
 * the contiguous loop calls the vector sin and cos (and exp, unless
 * vmath.c writes it out), on complex64's floats, and never cmath.c. */
START_TEST(test_complex_exp_vector)
{
    char isa = host_isa('e');
    static const jx_dtype ts[] = {JX_COMPLEX128, JX_COMPLEX64};
    static const int ops[] = {JX_OP_EXP, JX_OP_EXP2, JX_OP_EXPM1};
    for (int k = 0; k < 2; k++)
        for (int o = 0; o < 3; o++) {
            tir T;
            char text[64];
            op_ir(&T, ops[o], ts[k], text, sizeof text);
            jx_buf b = {0};
            jx_error err;
            ck_assert_int_eq(jx_jit_explain(&T.ir, "CC:n", JX_EXPLAIN_LLVM, &b, &err), 0);
            char *ir = jx_buf_take(&b);
            ck_assert_ptr_nonnull(ir);
            ck_assert_msg(strstr(ir, "@jx_cm_") == NULL, "%s: calls cmath.c:\n%s", text, ir);
            bool f64 = ts[k] == JX_COMPLEX128;
            int lanes = (isa == 'e' ? 512 : 256) / (f64 ? 64 : 32);
            static const char *const fns[] = {"sin", "cos", "exp"};
            for (int f = 0; isa != 0 && f < 3; f++) {
                char call[96];
                snprintf(call, sizeof call, "call <%d x %s> @_ZGV%cN%dv_%s%s(", lanes,
                         f64 ? "double" : "float", isa, lanes, fns[f], f64 ? "" : "f");
                ck_assert_msg(strstr(ir, call) != NULL || (f == 2 && jx_vm_has("exp")),
                              "%s: no %s in\n%s", text, call, ir);
            }
            free(ir);
        }
}
END_TEST

/* JITEXPR_VECMATH=avx2 and none: the AVX2 variants (on an AVX-512 host
 * too) and scalar libm, each checked like test_op.  The engine reads the
 * variable when it starts: this needs a fresh process (Check's fork); with
 * CK_FORK=no the test finds the engine already set up and does nothing. */
START_TEST(test_vecmath_env)
{
    static const char *const env[] = {"avx2", "none"};
    setenv("JITEXPR_VECMATH", env[_i], 1);
    char want[32];
    snprintf(want, sizeof want, "libmvec:%s", env[_i]);
    char isa = host_isa(_i == 0 ? 'd' : 0);
    if (isa == 0)
        strcpy(want, "libmvec:none");
    if (strstr(jx_jit_target_id(), want) == NULL) {
        const char *fork = getenv("CK_FORK");
        ck_assert_msg(fork != NULL && strcmp(fork, "no") == 0,
                      "JITEXPR_VECMATH=%s: target %s", env[_i], jx_jit_target_id());
        return;
    }
    static const jx_dtype ts[] = {JX_FLOAT64, JX_FLOAT32, JX_FLOAT16};
    for (int op = 0; op < JX_OP_COUNT; op++)
        if (vec_math_op(op)) {
            for (int k = 0; k < 3; k++)
                check_vector_call(op, ts[k], isa);
            ck_assert_int_gt(check_op(op), 0);
        }
    unsetenv("JITEXPR_VECMATH");
}
END_TEST

/* SLEEF: only with JITEXPR_SLEEF=yes (and where libsleef.so.3 loads) the
 * engine uses it ("sleef:yes") and log calls its variants; by default log
 * calls libmvec's (its AVX-512 log reads a constant with a masked load,
 * whose speed depends on the page's table entry: docs/math.md).  A fresh
 * process each, as test_vecmath_env. */
START_TEST(test_sleef_env)
{
    if (_i == 1)
        setenv("JITEXPR_SLEEF", "yes", 1);
    setenv("JITEXPR_MATHLIB", "lib", 1); /* log from a library, not vmath.c */
    char isa = host_isa('e');
    void *h = dlopen("libsleef.so.3", RTLD_LAZY | RTLD_LOCAL);
    bool want = _i == 1 && isa != 0 && h != NULL;
    if (h != NULL)
        dlclose(h);
    bool have = strstr(jx_jit_target_id(), "sleef:yes") != NULL;
    const char *fork = getenv("CK_FORK");
    if (have != want && fork != NULL && strcmp(fork, "no") == 0)
        return; /* the engine was set up by an earlier test */
    ck_assert_msg(have == want, "target %s, want sleef:%s",
                  jx_jit_target_id(), want ? "yes" : "no");
    static const jx_dtype ts[] = {JX_FLOAT64, JX_FLOAT32};
    for (int k = 0; k < 2; k++)
        check_vector_call(JX_OP_LOG, ts[k], isa);
    ck_assert_int_gt(check_op(JX_OP_LOG), 0);
    unsetenv("JITEXPR_SLEEF");
}
END_TEST

/* Whether the AT&T assembly line has a masked instruction ("{%k1}") that
 * reads memory: a memory operand ("(") before the last operand, which is
 * the destination.  Such a load of a constant takes a microcode assist on
 * every execution while the page's table entry is not present or not
 * marked accessed (docs/math.md: SLEEF's log ran 50 times slower). */
static bool masked_memory_read(const char *line, size_t len)
{
    const char *k = NULL;
    for (size_t i = 0; i + 3 <= len && k == NULL; i++)
        if (memcmp(line + i, "{%k", 3) == 0)
            k = line + i;
    if (k == NULL)
        return false;
    const char *last = NULL; /* the last comma outside parentheses */
    int depth = 0;
    for (const char *p = line; p < k; p++) {
        depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
        if (*p == ',' && depth == 0)
            last = p;
    }
    if (last == NULL)
        return false;
    /* A reload of a spill slot ("320(%rsp)") is no risk: the loop wrote
     * it, unmasked, in the same iteration, so its page is present and
     * accessed. */
    const char *open = memchr(line, '(', (size_t)(last - line));
    return open != NULL && strncmp(open, "(%rsp)", 6) != 0;
}

/* The math functions (the LIBM rows, and the float power) over float64
 * and float32, contiguous:
 * the kernel's machine code has no masked instruction reading memory
 * (vmath.c's kernels, in the suite's JITEXPR_MATHLIB=own), so their speed
 * cannot depend on a page's table entry as SLEEF's log did.  (Elsewhere
 * LLVM does emit such reads: where() loads under its condition, floordiv
 * and float32 comparisons read constants under a mask.  They read
 * anonymous memory, the arrays and the kernel's constant pool, whose
 * pages stay present: a cleared accessed bit costs one assist per page,
 * once, measured in docs/math.md.  A library's constants are file pages,
 * which reclaim takes away for good.) */
/* How many masked reads of memory the machine code of ir over layout lay
 * has (each listed on stderr, under text). */
static int masked_reads_in(const jx_ir *ir, const char *lay, const char *text)
{
    jx_buf b = {0};
    jx_error err;
    ck_assert_int_eq(jx_jit_explain(ir, lay, JX_EXPLAIN_ASM, &b, &err), 0);
    char *as = jx_buf_take(&b);
    ck_assert_ptr_nonnull(as);
    int bad = 0;
    for (const char *p = as; *p != '\0';) {
        size_t len = strcspn(p, "\n");
        if (masked_memory_read(p, len)) {
            fprintf(stderr, "%s: a masked read of memory: %.*s\n", text,
                    (int)len, p);
            bad++;
        }
        p += len + (p[len] == '\n');
    }
    free(as);
    return bad;
}

START_TEST(test_no_masked_loads)
{
    static const struct {
        const char *line;
        bool reads;
    } lines[] = {
        {"\tvbroadcastsd\t0x15112c(%rip), %zmm1 {%k1}", true},
        {"\tvblendmpd\t.LCPI0_3(%rip), %zmm6, %zmm10 {%k2}", true},
        {"\tvmulpd\t.LCPI0_2(%rip){1to8}, %zmm28, %zmm29 {%k1}", true},
        {"\tvpblendmq\t.LCPI0_18(%rip){1to8}, %zmm18, %zmm24 {%k1}", true},
        {"\tvmovsd\t.LCPI0_13(%rip), %xmm13 {%k1}", true},
        {"\tvgatherqpd\t(%rax,%zmm1,8), %zmm2 {%k1}", true},
        {"\tvmovapd\t(%rdi,%rax,8), %zmm0 {%k1} {z}", true},
        {"\tvmovupd\t%zmm0, (%r14,%r13,8) {%k1}", false},
        {"\tvaddpd\t%zmm1, %zmm2, %zmm3 {%k1}", false},
        {"\tvcmpgtpd\t320(%rsp), %zmm17, %k4 {%k4}", false},
        {"\tvfmadd213pd\t.LCPI0_3(%rip){1to8}, %zmm1, %zmm2", false},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        ck_assert_msg(masked_memory_read(lines[i].line, strlen(lines[i].line)) ==
                          lines[i].reads,
                      "%s", lines[i].line);
    static const jx_dtype ts[] = {JX_FLOAT64, JX_FLOAT32, JX_FLOAT16};
    int checked = 0, bad = 0;
    for (int op = 0; op < JX_OP_COUNT; op++)
        for (int k = 0; k < 3; k++) {
            if (jx_ops[op].low != JX_L_LIBM || !op_accepts(op, ts[k]))
                continue;
            tir T;
            char text[64];
            op_ir(&T, op, ts[k], text, sizeof text);
            char lay[16];
            memset(lay, 'C', (size_t)T.ir.ninputs + 1);
            strcpy(lay + T.ir.ninputs + 1, ":n");
            bad += masked_reads_in(&T.ir, lay, text);
            checked++;
        }
    for (int k = 0; k < 2; k++) { /* and the float power, a ** b */
        tir T;
        char text[64];
        tir_init(&T);
        snprintf(text, sizeof text, "pow(%s)", jx_dtype_name(ts[k]));
        T.ir.text = text;
        int x = tir_input(&T, ts[k]), y = tir_input(&T, ts[k]);
        tir_op(&T, JX_OP_POW, ts[k], x, y, 0);
        bad += masked_reads_in(&T.ir, "CCC:n", text);
        checked++;
    }
    ck_assert_int_gt(checked, 60);
    ck_assert_msg(bad == 0, "%d masked reads of memory (stderr lists them)", bad);
}
END_TEST

/* JITEXPR_MATHLIB: which of vmath.c's kernel and the library's vector
 * function kernels use for tanh and arctan2 (both have both), one
 * environment per process (Check's fork; CK_FORK=no: skipped). */
static const struct mathlib_row {
    const char *env;     /* JITEXPR_MATHLIB */
    char tanh, arctan2;  /* 'o' ours, 'l' the library's, 'm' measured */
} mathlib_rows[] = {
    {"own", 'o', 'o'},
    {"lib", 'l', 'l'},
    {"auto", 'm', 'm'},
    {"lib,arctan2=own", 'l', 'o'},
    {"own,tanh=lib,atan2=lib", 'l', 'l'},
    {"auto,tanh=own", 'o', 'm'},
    {"never,tanh=sometimes", 'm', 'm'}, /* unreadable words: auto */
};

START_TEST(test_mathlib_env)
{
    const struct mathlib_row *r = &mathlib_rows[_i];
    char isa = host_isa('e');
    const char *fork = getenv("CK_FORK");
    if (isa == 0 || (fork != NULL && strcmp(fork, "no") == 0))
        return; /* no vector library: vmath.c's kernels, nothing to choose */
    setenv("JITEXPR_MATHLIB", r->env, 1);
    static const int ops[] = {JX_OP_TANH, JX_OP_ARCTAN2};
    static const jx_dtype ts[] = {JX_FLOAT64, JX_FLOAT32};
    for (int o = 0; o < 2; o++)
        for (int k = 0; k < 2; k++) {
            char want = o == 0 ? r->tanh : r->arctan2;
            const char *spell = jx_ops[ops[o]].spell;
            ck_assert_int_gt(check_op(ops[o]), 0); /* compiles, and right */
            char line[256];
            choice_line(spell, ts[k], line, sizeof line);
            bool lib = strstr(line, ": library") != NULL;
            ck_assert_msg(lib || strstr(line, ": ours") != NULL,
                          "%s: %s %s has no choice: '%s'", r->env, spell,
                          jx_dtype_name(ts[k]), line);
            if (want == 'm') {
                double ours, theirs;
                const char *m = strstr(line, "measured: ours ");
                ck_assert_msg(m != NULL && sscanf(m, "measured: ours %lf, "
                              "library %lf", &ours, &theirs) == 2,
                              "%s: '%s'", r->env, line);
                ck_assert_msg(ours > 0 && theirs > 0 && ours < 1e3 && theirs < 1e3,
                              "%s: '%s'", r->env, line);
                ck_assert_msg(lib == (theirs < ours * 0.97), "%s: '%s'",
                              r->env, line);
            } else {
                ck_assert_msg(lib == (want == 'l') &&
                                  strstr(line, "(JITEXPR_MATHLIB)") != NULL,
                              "%s: '%s'", r->env, line);
            }
            /* the kernel calls what was chosen */
            tir T;
            char text[64];
            op_ir(&T, ops[o], ts[k], text, sizeof text);
            jx_buf b = {0};
            jx_error err;
            ck_assert_int_eq(jx_jit_explain(&T.ir, o ? "CCC:n" : "CC:n",
                                            JX_EXPLAIN_LLVM, &b, &err), 0);
            char *ir = jx_buf_take(&b);
            ck_assert_msg((strstr(ir, "call <") != NULL &&
                           strstr(ir, "@_ZGV") != NULL) == lib,
                          "%s: %s: library %d, but\n%s", r->env, text, lib, ir);
            free(ir);
        }
}
END_TEST

/* ---- casts --------------------------------------------------------------- */

static int cast_edges(jx_dtype from, val *out)
{
    int n = edges(from, out);
    if (!is_float(from))
        return n;
    static const double xs[] = {
        127.5, 128, -128.5, -129, 255.9, 256, 32767.5, 32768, -32769,
        65535, 65536, 2147483647.0, 2147483648.0, -2147483649.0,
        4294967295.0, 4294967296.0, 9.2233720368547758e18,
        -9.2233720368547758e18, 1.8446744073709552e19, 0.9999, -0.9999,
        65519.99, 65520, 2049, 4097};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        out[n++] = fval(round_to(from, xs[i]));
    /* float64 values that round differently to half directly and
     * through float (round-to-odd must handle them). */
    if (from == JX_FLOAT64) {
        out[n++] = fval(1.0 + 0x1p-11 + 0x1p-40);
        out[n++] = fval(1.0 + 0x1p-11);
        out[n++] = fval(-(1.0 + 0x1p-11 + 0x1p-30));
        out[n++] = fval(0x1p-25 + 0x1p-60);
        out[n++] = fval(0x1p-25);
        out[n++] = fval(65504 + 16 - 0x1p-30);
        out[n++] = fval(1e-300);
        out[n++] = fval(-1e-300);
    }
    return n;
}

START_TEST(test_cast)
{
    jx_dtype from = (jx_dtype)_i;
    if (!supported(from))
        return;
    for (int to = 0; to < JX_DTYPE_COUNT; to++) {
        if (!supported((jx_dtype)to) || to == (int)from)
            continue;
        tir T;
        char text[64];
        tir_init(&T);
        snprintf(text, sizeof text, "cast(%s->%s)", jx_dtype_name(from),
                 jx_dtype_name((jx_dtype)to));
        T.ir.text = text;
        tir_cast(&T, (jx_dtype)to, tir_input(&T, from));
        val e[128];
        int ne = cast_edges(from, e);
        for (int i = 0; i < NMAX; i++)
            inputs[0][i] = i < ne ? e[i] : rand_val(from, -1, 0);
        /* Random float64 values near half's rounding points. */
        if (from == JX_FLOAT64)
            for (int i = ne; i < NMAX; i += 2) {
                double h = (double)(_Float16)inputs[0][i].f;
                if (!isfinite(h) || h == 0)
                    continue;
                inputs[0][i] = fval(h + ldexp(1, ilogb(h) - 11) *
                                            (rnd() & 1 ? 1 : -1) +
                                    ldexp((double)(rnd() % 5) - 2, ilogb(h) - 40));
            }
        const int64_t ns[] = {NMAX};
        check_layout(&T.ir, "CC:n", ns, 1, inputs, -1);
        check_layout(&T.ir, "XX", ns, 1, inputs, -1);
    }
}
END_TEST

/* ---- powers with constant exponents ------------------------------------ */

START_TEST(test_pow_const)
{
    static const double ks[] = {2, 1, 0, -1, 0.5, 3, 4, -2};
    for (int t = 0; t < JX_DTYPE_COUNT; t++) {
        if (!op_accepts(JX_OP_POW, (jx_dtype)t))
            continue;
        for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
            if (!is_float((jx_dtype)t) && ks[j] < 0)
                continue; /* sema rejects negative integer literals */
            if (!is_float((jx_dtype)t) && ks[j] != (int)ks[j])
                continue;
            tir T;
            char text[64];
            tir_init(&T);
            snprintf(text, sizeof text, "pow(%s, %g)", jx_dtype_name((jx_dtype)t), ks[j]);
            T.ir.text = text;
            int x = tir_input(&T, (jx_dtype)t);
            val k = is_float((jx_dtype)t) ? fval(ks[j]) : wrap((jx_dtype)t, (uint64_t)(int64_t)ks[j]);
            int c = tir_const(&T, (jx_dtype)t, k);
            tir_op(&T, JX_OP_POW, (jx_dtype)t, x, c, 0);
            fill_inputs(JX_OP_ADD, 1, T.dt, NMAX, inputs);
            const int64_t ns[] = {NMAX};
            /* 3, 4: multiplications (within MATH_ULPS); 0.5, -2: a pow call
             * (libmvec's: MATH_ULPS), or LLVM's
             * sqrt for 0.5 (correctly rounded). */
            check_layout(&T.ir, "CC:n", ns, 1, inputs, -1);
        }
    }
}
END_TEST

/* ---- layouts ------------------------------------------------------------ */

/* where(a > b, a * b + 3, a - b) over every layout of (out, a, b). */
static void layouts_for(jx_dtype t)
{
    tir T;
    char text[64];
    tir_init(&T);
    snprintf(text, sizeof text, "where(a>b, a*b+3, a-b) %s", jx_dtype_name(t));
    T.ir.text = text;
    int a = tir_input(&T, t), b = tir_input(&T, t);
    int gt = tir_op(&T, JX_OP_GT, JX_BOOL, a, b, 0);
    int m = tir_op(&T, JX_OP_MUL, t, a, b, 0);
    int k = tir_const(&T, t, is_float(t) ? fval(3) : wrap(t, 3));
    int s = tir_op(&T, JX_OP_ADD, t, m, k, 0);
    int d = tir_op(&T, JX_OP_SUB, t, a, b, 0);
    tir_op(&T, JX_OP_WHERE, t, gt, s, d);
    fill_inputs(JX_OP_ADD, 2, T.dt, NMAX, inputs);
    const int64_t ns[] = {0, 1, 7, 1000, 1003};
    static const char cls[] = "CSX";
    for (int o = 0; o < 3; o++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int na = 0; na < 2; na++) {
                    char lay[8] = {cls[o], cls[i], cls[j], 0};
                    if (na)
                        strcat(lay, ":n");
                    check_layout(&T.ir, lay, ns, 5, inputs, -1);
                }
    /* In place over a and over b, contiguous and strided. */
    check_layout(&T.ir, "CCC", ns, 5, inputs, 0);
    check_layout(&T.ir, "CCC", ns, 5, inputs, 1);
    check_layout(&T.ir, "XXS", ns, 5, inputs, 0);
    check_layout(&T.ir, "CSC", ns, 5, inputs, 1);
}

START_TEST(test_layouts_f64) { layouts_for(JX_FLOAT64); }
END_TEST
START_TEST(test_layouts_i32) { layouts_for(JX_INT32); }
END_TEST
START_TEST(test_layouts_f16) { layouts_for(JX_FLOAT16); }
END_TEST
START_TEST(test_layouts_bool_u8)
{
    /* Bool in memory: bytes other than 0/1 read as True. */
    tir T;
    tir_init(&T);
    T.ir.text = (char *)"(a & (b > 3)) ^ (c != 0)";
    int a = tir_input(&T, JX_BOOL), b = tir_input(&T, JX_UINT8);
    int c = tir_input(&T, JX_INT16);
    int k = tir_const(&T, JX_UINT8, uval(3));
    int gt = tir_op(&T, JX_OP_GT, JX_BOOL, b, k, 0);
    int an = tir_op(&T, JX_OP_AND, JX_BOOL, a, gt, 0);
    int cb = tir_cast(&T, JX_BOOL, c);
    tir_op(&T, JX_OP_XOR, JX_BOOL, an, cb, 0);
    for (int i = 0; i < NMAX; i++) {
        inputs[0][i] = uval(rnd() & 1);
        inputs[1][i] = uval(rnd() & 7);
        inputs[2][i] = wrap(JX_INT16, rnd() % 3);
    }
    const int64_t ns[] = {0, 1, 7, 1000, 1003};
    check_layout(&T.ir, "CCCC:n", ns, 5, inputs, -1);
    check_layout(&T.ir, "XSXC", ns, 5, inputs, -1);
    check_layout(&T.ir, "CCCC", ns, 5, inputs, 0);

    /* A bool byte of 2 is True. */
    jx_jit_code code;
    jx_error err;
    tir U;
    tir_init(&U);
    tir_op(&U, JX_OP_INVERT, JX_BOOL, tir_input(&U, JX_BOOL), 0, 0);
    ck_assert_int_eq(jx_jit_compile(&U.ir, "CC", &code, &err), 0);
    uint8_t in[4] = {0, 1, 2, 255}, out[4] = {9, 9, 9, 9};
    char *ptrs[2] = {(char *)out, (char *)in};
    int64_t st[2] = {1, 1};
    code.fn(4, ptrs, st);
    ck_assert_int_eq(out[0], 1);
    ck_assert_int_eq(out[1], 0);
    ck_assert_int_eq(out[2], 0);
    ck_assert_int_eq(out[3], 0);
    jx_jit_release(&code);
}
END_TEST

/* A larger expression mixing dtypes, casts and math functions:
 * where(a > 0, sin(a) * 2 + float32(b // 3), -(a % float32(b))) with a
 * float32 and b int16. */
START_TEST(test_mixed)
{
    tir T;
    tir_init(&T);
    T.ir.text = (char *)"mixed";
    int a = tir_input(&T, JX_FLOAT32), b = tir_input(&T, JX_INT16);
    int zero = tir_const(&T, JX_FLOAT32, fval(0));
    int gt = tir_op(&T, JX_OP_GT, JX_BOOL, a, zero, 0);
    int sn = tir_op(&T, JX_OP_SIN, JX_FLOAT32, a, 0, 0);
    int two = tir_const(&T, JX_FLOAT32, fval(2));
    int m = tir_op(&T, JX_OP_MUL, JX_FLOAT32, sn, two, 0);
    int three = tir_const(&T, JX_INT16, wrap(JX_INT16, 3));
    int fd = tir_op(&T, JX_OP_FLOORDIV, JX_INT16, b, three, 0);
    int fdf = tir_cast(&T, JX_FLOAT32, fd);
    int s = tir_op(&T, JX_OP_ADD, JX_FLOAT32, m, fdf, 0);
    int bf = tir_cast(&T, JX_FLOAT32, b);
    int md = tir_op(&T, JX_OP_MOD, JX_FLOAT32, a, bf, 0);
    int ng = tir_op(&T, JX_OP_NEG, JX_FLOAT32, md, 0, 0);
    tir_op(&T, JX_OP_WHERE, JX_FLOAT32, gt, s, ng);
    fill_inputs(JX_OP_ADD, 2, T.dt, NMAX, inputs);
    const int64_t ns[] = {0, 1, 7, 1000, 1003};
    check_layout(&T.ir, "CCC:n", ns, 5, inputs, -1);
    check_layout(&T.ir, "XCS", ns, 5, inputs, -1);
    check_layout(&T.ir, "CCC", ns, 5, inputs, 0);
}
END_TEST

/* Partial overlap without ":n": the kernel must behave as the plain
 * element-by-element loop (out[i] = in[i] * 3 + 1, in order), whatever the
 * vectorizer does; with the output one element ahead of the input each
 * result feeds the next. */
START_TEST(test_overlap)
{
    static const jx_dtype ts[] = {JX_FLOAT64, JX_INT32, JX_INT8};
    for (size_t j = 0; j < 3; j++) {
        jx_dtype t = ts[j];
        tir T;
        tir_init(&T);
        T.ir.text = (char *)"a*3+1";
        int a = tir_input(&T, t);
        int m = tir_op(&T, JX_OP_MUL, t, a, tir_const(&T, t, is_float(t) ? fval(3) : wrap(t, 3)), 0);
        tir_op(&T, JX_OP_ADD, t, m, tir_const(&T, t, is_float(t) ? fval(1) : wrap(t, 1)), 0);
        jx_jit_code code;
        jx_error err;
        ck_assert_int_eq(jx_jit_compile(&T.ir, "CC", &code, &err), 0);
        int64_t sz = (int64_t)jx_dtype_size(t);
        for (int shift = -3; shift <= 3; shift++) {
            int64_t n = 1003;
            char *mem = malloc((size_t)((n + 8) * sz)), *ref = malloc((size_t)((n + 8) * sz));
            for (int64_t i = 0; i < n + 8; i++)
                mem_write(t, mem + i * sz, is_float(t) ? fval((double)(i % 17)) : wrap(t, (uint64_t)(i % 17)));
            memcpy(ref, mem, (size_t)((n + 8) * sz));
            char *in = mem + 4 * sz, *out = in + shift * sz;
            char *rin = ref + 4 * sz, *rout = rin + shift * sz;
            val row[1];
            for (int64_t i = 0; i < n; i++) {
                row[0] = mem_read(t, rin + i * sz);
                mem_write(t, rout + i * sz, eval_ir(&T.ir, row));
            }
            char *ptrs[2] = {out, in};
            int64_t st[2] = {sz, sz};
            code.fn(n, ptrs, st);
            ck_assert_msg(memcmp(mem, ref, (size_t)((n + 8) * sz)) == 0,
                          "%s overlap shifted by %d differs", jx_dtype_name(t), shift);
            free(mem);
            free(ref);
        }
        jx_jit_release(&code);
    }
}
END_TEST

/* An expression with no input: the constant everywhere. */
START_TEST(test_no_inputs)
{
    tir T;
    tir_init(&T);
    T.ir.text = (char *)"7";
    tir_const(&T, JX_INT64, wrap(JX_INT64, 7));
    const int64_t ns[] = {0, 1, 7, 1003};
    check_layout(&T.ir, "C:n", ns, 4, inputs, -1);
    check_layout(&T.ir, "X", ns, 4, inputs, -1);
}
END_TEST

/* n == 0 touches no operand: the pointers may be NULL. */
START_TEST(test_empty)
{
    tir T;
    tir_init(&T);
    int a = tir_input(&T, JX_FLOAT64), b = tir_input(&T, JX_FLOAT64);
    tir_op(&T, JX_OP_ADD, JX_FLOAT64, a, b, 0);
    static const char *lays[] = {"CCC:n", "SSS", "XXX", "CSX"};
    for (size_t j = 0; j < 4; j++) {
        jx_jit_code code;
        jx_error err;
        ck_assert_int_eq(jx_jit_compile(&T.ir, lays[j], &code, &err), 0);
        char *ptrs[3] = {NULL, NULL, NULL};
        int64_t st[3] = {8, 0, 16};
        code.fn(0, ptrs, st);
        code.fn(-5, ptrs, st);
        jx_jit_release(&code);
    }
}
END_TEST

/* ---- reductions ---------------------------------------------------------- */

#define RMAX 3000 /* elements in the reduction tests: three blocks */

/* The accumulator dtype, as sema's jx_sema_reduce_types chooses it. */
static jx_dtype acc_of(int op, jx_dtype t)
{
    switch (op) {
    case JX_OP_SUM:
    case JX_OP_PROD:
        return is_float(t) ? JX_FLOAT64 : kind_of(t) == JX_KIND_UINT ? JX_UINT64 : JX_INT64;
    case JX_OP_MEAN:
        return JX_FLOAT64;
    case JX_OP_MIN:
    case JX_OP_MAX:
        return t == JX_FLOAT16 ? JX_FLOAT32 : t;
    default:
        return JX_BOOL;
    }
}

static val ref_identity(int op, jx_dtype acc)
{
    switch (op) {
    case JX_OP_PROD:
        return is_float(acc) ? fval(1) : wrap(acc, 1);
    case JX_OP_MIN:
        if (is_float(acc))
            return fval(INFINITY);
        if (is_bool(acc))
            return uval(1);
        return is_signed(acc) ? wrap(acc, (uint64_t)max_of(acc)) : uval(umax_of(acc));
    case JX_OP_MAX:
        if (is_float(acc))
            return fval(-INFINITY);
        return is_signed(acc) ? wrap(acc, (uint64_t)min_of(acc)) : uval(0);
    case JX_OP_ALL:
        return uval(1);
    default:
        return is_float(acc) ? fval(0) : uval(0);
    }
}

/* combine(a, v) in the accumulator type; float min/max propagate NaN. */
static val ref_combine(int op, jx_dtype acc, val a, val v)
{
    if (is_float(acc)) {
        switch (op) {
        case JX_OP_PROD: return fval(round_to(acc, a.f * v.f));
        case JX_OP_MIN:
        case JX_OP_MAX:
            if (isnan(a.f) || isnan(v.f))
                return fval(NAN);
            if (a.f == v.f) /* -0 < +0 */
                return (signbit(a.f) != 0) == (op == JX_OP_MIN) ? a : v;
            return (a.f < v.f) == (op == JX_OP_MIN) ? a : v;
        default: return fval(round_to(acc, a.f + v.f));
        }
    }
    if (is_bool(acc))
        return op == JX_OP_ALL || op == JX_OP_MIN || op == JX_OP_PROD
                   ? uval(a.u & v.u) : uval(a.u | v.u);
    switch (op) {
    case JX_OP_PROD: return wrap(acc, a.u * v.u);
    case JX_OP_MIN:
        return (is_signed(acc) ? a.i < v.i : a.u < v.u) ? a : v;
    case JX_OP_MAX:
        return (is_signed(acc) ? a.i > v.i : a.u > v.u) ? a : v;
    default: return wrap(acc, a.u + v.u);
    }
}

/* The reduction op over input dtype t, value = the input itself. */
static void reduce_ir(tir *T, int op, jx_dtype t, char *text, size_t tl)
{
    tir_init(T);
    snprintf(text, tl, "%s(%s)", jx_ops[op].mnem, jx_dtype_name(t));
    T->ir.text = text;
    tir_input(T, t);
    T->ir.reduce = op;
    T->ir.acc_dtype = acc_of(op, t);
}

/* Partials of the reference, block by block; float sums and products in
 * long double (the kernel may add in vector lanes: it must be within
 * 2e-13 of the sum of magnitudes, or of the product). */
static bool partial_ok(int op, jx_dtype t, jx_dtype acc, const val *v, int64_t lo,
                       int64_t hi, val got, char *msg, size_t ml)
{
    val want = ref_identity(op, acc);
    long double ls = op == JX_OP_PROD ? 1 : 0, mag = 0;
    for (int64_t i = lo; i < hi; i++) {
        val x = ref_cast(t, acc, v[i]);
        want = ref_combine(op, acc, want, x);
        if (is_float(acc)) {
            ls = op == JX_OP_PROD ? ls * x.f : ls + x.f;
            mag += fabsl((long double)x.f);
        }
    }
    bool ok;
    bool inexact = is_float(acc) && op != JX_OP_MIN && op != JX_OP_MAX;
    if (!inexact)
        ok = is_float(acc) && !isnan(want.f) ? got.f == want.f : same(acc, got, want);
    else if (isnan((double)ls) || isinf((double)ls))
        ok = same(acc, got, fval((double)ls));
    else if (op == JX_OP_PROD)
        ok = fabsl(got.f - ls) <= 2e-13L * fabsl(ls);
    else
        ok = fabsl(got.f - ls) <= 2e-13L * mag;
    if (!ok) {
        char g[48], w[48];
        fmt_val(acc, got, g, sizeof g);
        if (inexact)
            snprintf(w, sizeof w, "%.17Lg", ls);
        else
            fmt_val(acc, want, w, sizeof w);
        snprintf(msg, ml, "elements [%lld, %lld): got %s, want %s", (long long)lo,
                 (long long)hi, g, w);
    }
    return ok;
}

/* Runs the reduction kernel of layout (mode R or A) over n elements of v
 * (a scalar input repeats v[0]); init: the output's values before an
 * accumulate. */
static void check_reduce(const jx_ir *ir, const char *layout, const int64_t *ns,
                         int nn, const val *v, const val *init)
{
    jx_jit_code code;
    jx_error err;
    jx_err_clear(&err);
    int rc = jx_jit_compile(ir, layout, &code, &err);
    ck_assert_msg(rc == 0, "%s layout %s: compile failed: %s", ir->text, layout,
                  err.message);
    int op = ir->reduce;
    jx_dtype t = ir->input_dtype[0], acc = ir->acc_dtype;
    char mode = layout[0], ocls = layout[1], icls = layout[2];
    int64_t asz = (int64_t)jx_dtype_size(acc);
    for (int j = 0; j < nn; j++) {
        int64_t n = ns[j];
        operand in, out;
        operand_make(&in, icls, t, n, 2);
        for (int64_t i = 0; i < (icls == 'S' ? (n > 0) : n); i++)
            mem_write(t, elem(&in, i), v[i]);
        val *vv = malloc(sizeof(val) * (size_t)(n > 0 ? n : 1));
        for (int64_t i = 0; i < n; i++)
            vv[i] = v[icls == 'S' ? 0 : i];
        int64_t nb = (n + JX_REDUCE_BLOCK - 1) / JX_REDUCE_BLOCK;
        if (mode == 'R')
            operand_make(&out, 'C', acc, nb, 0);
        else
            operand_make(&out, ocls, acc, n, 0);
        if (mode == 'A')
            for (int64_t i = 0; i < (ocls == 'S' ? (n > 0) : n); i++)
                mem_write(acc, elem(&out, i), init[i]);
        char *ptrs[2] = {out.base, in.base};
        int64_t st[2] = {out.stride, in.stride};
        code.fn(n, ptrs, st);
        char msg[256] = "";
        bool ok = true;
        if (mode == 'R') {
            for (int64_t b = 0; b < nb && ok; b++) {
                int64_t lo = b * JX_REDUCE_BLOCK;
                int64_t hi = lo + JX_REDUCE_BLOCK < n ? lo + JX_REDUCE_BLOCK : n;
                ok = partial_ok(op, t, acc, vv, lo, hi, mem_read(acc, elem(&out, b)),
                                msg, sizeof msg);
            }
            ck_assert_msg(ok, "%s layout %s n %lld: %s", ir->text, layout, (long long)n, msg);
            ck_assert_msg(out.buf[out.bytes - 1] == (char)0xa5 &&
                              (nb > 0 || out.buf[1] == (char)0xa5) &&
                              out.buf[1 + nb * asz] == (char)0xa5,
                          "%s layout %s n %lld: wrote past the partials", ir->text, layout,
                          (long long)n);
        } else {
            val a = ocls == 'S' && n > 0 ? init[0] : uval(0);
            for (int64_t i = 0; i < n && ok; i++) {
                val x = ref_cast(t, acc, vv[i]);
                val want = ref_combine(op, acc, ocls == 'S' ? a : init[i], x);
                a = want;
                if (ocls == 'S' && i < n - 1)
                    continue;
                val got = mem_read(acc, elem(&out, ocls == 'S' ? 0 : i));
                if (!same(acc, got, want)) {
                    char g[48], w[48];
                    fmt_val(acc, got, g, sizeof g);
                    fmt_val(acc, want, w, sizeof w);
                    snprintf(msg, sizeof msg, "element %lld: got %s, want %s",
                             (long long)i, g, w);
                    ok = false;
                }
            }
            ck_assert_msg(ok, "%s layout %s n %lld: %s", ir->text, layout, (long long)n, msg);
        }
        free(vv);
        free(in.buf);
        free(out.buf);
    }
    jx_jit_release(&code);
}

START_TEST(test_reduce)
{
    int op = _i;
    if (jx_ops[op].rule != JX_R_REDUCE)
        return;
    static val v[RMAX], init[RMAX];
    for (int t = 0; t < JX_DTYPE_COUNT; t++) {
        if (!supported((jx_dtype)t) || !(jx_ops[op].kinds & kind_of((jx_dtype)t)))
            continue;
        tir T;
        char text[64];
        reduce_ir(&T, op, (jx_dtype)t, text, sizeof text);
        jx_dtype acc = T.ir.acc_dtype;
        val e[64];
        int ne = edges((jx_dtype)t, e);
        for (int i = 0; i < RMAX; i++) {
            v[i] = i < ne ? e[i] : rand_val((jx_dtype)t, -1, 0);
            if (op == JX_OP_PROD && is_float((jx_dtype)t)) /* no overflow */
                v[i] = fval(round_to((jx_dtype)t, (rnd_unit() * 1.5 + 0.5) * (rnd() & 1 ? 1 : -1)));
            init[i] = rand_val(acc, -1, 0);
        }
        if (is_float((jx_dtype)t)) /* a NaN in the last block */
            v[2500] = fval(NAN);
        if (op == JX_OP_ALL) /* blocks of all-true too */
            for (int i = 1024; i < 2048; i++)
                v[i] = ref_cast(JX_INT8, (jx_dtype)t, wrap(JX_INT8, 1 + (rnd() % 5)));
        if (op == JX_OP_ANY) /* and all-false */
            for (int i = 1024; i < 2048; i++)
                v[i] = ref_cast(JX_INT8, (jx_dtype)t, wrap(JX_INT8, 0));
        /* A block of nothing but the identity: the largest value for min,
         * the smallest for max. */
        if (op == JX_OP_MIN || op == JX_OP_MAX)
            for (int i = 1024; i < 2048; i++) {
                bool hi = op == JX_OP_MIN;
                if (is_float((jx_dtype)t))
                    v[i] = fval(hi ? INFINITY : -INFINITY);
                else if (is_bool((jx_dtype)t))
                    v[i] = uval(hi);
                else if (is_signed((jx_dtype)t))
                    v[i] = wrap((jx_dtype)t, (uint64_t)(hi ? max_of((jx_dtype)t) : min_of((jx_dtype)t)));
                else
                    v[i] = uval(hi ? umax_of((jx_dtype)t) : 0);
            }
        static const int64_t nr[] = {0, 1, 7, 1000, 1024, 1025, 3000};
        static const int64_t na[] = {0, 1, 7, 1003};
        check_reduce(&T.ir, "RCC:n", nr, 7, v, init);
        check_reduce(&T.ir, "RCC", nr, 7, v, init);
        check_reduce(&T.ir, "RCX", nr, 7, v, init);
        check_reduce(&T.ir, "RCS:n", nr, 7, v, init);
        check_reduce(&T.ir, "ACC:n", na, 4, v, init);
        check_reduce(&T.ir, "ACC", na, 4, v, init);
        check_reduce(&T.ir, "AXC", na, 4, v, init);
        check_reduce(&T.ir, "ACS", na, 4, v, init);
        check_reduce(&T.ir, "ASX", na, 4, v, init);
    }
}
END_TEST

/* sum(where(a > b, a * b, 0)) over float32: a compound value converted
 * to the float64 accumulator. */
START_TEST(test_reduce_compound)
{
    tir T;
    tir_init(&T);
    T.ir.text = (char *)"sum(where(a > b, a * b, 0))";
    int a = tir_input(&T, JX_FLOAT32), b = tir_input(&T, JX_FLOAT32);
    int gt = tir_op(&T, JX_OP_GT, JX_BOOL, a, b, 0);
    int m = tir_op(&T, JX_OP_MUL, JX_FLOAT32, a, b, 0);
    int z = tir_const(&T, JX_FLOAT32, fval(0));
    tir_op(&T, JX_OP_WHERE, JX_FLOAT32, gt, m, z);
    T.ir.reduce = JX_OP_SUM;
    T.ir.acc_dtype = JX_FLOAT64;
    jx_jit_code code;
    jx_error err;
    ck_assert_int_eq(jx_jit_compile(&T.ir, "RCCC:n", &code, &err), 0);
    static float xa[2500], xb[2500];
    double part[3] = {0, 0, 0};
    for (int i = 0; i < 2500; i++) {
        xa[i] = (float)(rnd_unit() * 4 - 2);
        xb[i] = (float)(rnd_unit() * 4 - 2);
    }
    char *ptrs[3] = {(char *)part, (char *)xa, (char *)xb};
    int64_t st[3] = {8, 4, 4};
    code.fn(2500, ptrs, st);
    for (int blk = 0; blk < 3; blk++) {
        long double s = 0, mag = 0;
        for (int i = blk * 1024; i < 2500 && i < (blk + 1) * 1024; i++) {
            float x = xa[i] > xb[i] ? xa[i] * xb[i] : 0.0f;
            s += x;
            mag += fabsl((long double)x);
        }
        ck_assert_msg(fabsl(part[blk] - s) <= 2e-13L * mag, "block %d: %.17g vs %.17Lg",
                      blk, part[blk], s);
    }
    jx_jit_release(&code);

    /* Layout and IR must agree on being a reduction. */
    ck_assert_int_eq(jx_jit_compile(&T.ir, "CCC:n", &code, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_INTERNAL);
    ck_assert_int_eq(jx_jit_compile(&T.ir, "RXCC", &code, &err), -1);
    T.ir.reduce = -1;
    ck_assert_int_eq(jx_jit_compile(&T.ir, "ACCC", &code, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_INTERNAL);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

START_TEST(test_errors)
{
    tir T;
    jx_jit_code code;
    jx_error err;
    tir_init(&T);
    /* Complex ops NumPy lacks: floor division, cbrt. */
    int a = tir_input(&T, JX_COMPLEX128), b = tir_input(&T, JX_COMPLEX128);
    tir_op(&T, JX_OP_FLOORDIV, JX_COMPLEX128, a, b, 0);
    jx_err_clear(&err);
    ck_assert_int_eq(jx_jit_compile(&T.ir, "CCC", &code, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_TYPE);
    ck_assert_str_eq(err.message, "the code generator has no floordiv for complex128");
    ck_assert_ptr_null(code.fn);

    tir_init(&T);
    tir_op(&T, JX_OP_CBRT, JX_COMPLEX64, tir_input(&T, JX_COMPLEX64), 0, 0);
    ck_assert_int_eq(jx_jit_compile(&T.ir, "CC", &code, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_TYPE);
    ck_assert_str_eq(err.message, "the code generator has no cbrt for complex64");

    /* An op given a kind it does not accept. */
    tir_init(&T);
    tir_op(&T, JX_OP_SHL, JX_FLOAT64, tir_input(&T, JX_FLOAT64),
           tir_input(&T, JX_FLOAT64), 0);
    ck_assert_int_eq(jx_jit_compile(&T.ir, "CCC", &code, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_TYPE);

    /* Layouts that do not fit. */
    tir_init(&T);
    a = tir_input(&T, JX_INT32);
    b = tir_input(&T, JX_INT32);
    tir_op(&T, JX_OP_ADD, JX_INT32, a, b, 0);
    static const char *bad[] = {"CC", "CCCC", "CCQ", "CCC:x", "", "CCC:"};
    for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
        jx_err_clear(&err);
        ck_assert_int_eq(jx_jit_compile(&T.ir, bad[j], &code, &err), -1);
        ck_assert_int_eq(err.code, JX_ERR_INTERNAL);
    }
    ck_assert_int_eq(jx_jit_compile(&T.ir, NULL, &code, &err), -1);

    /* Malformed IR: operands out of order, mismatched dtypes. */
    tir_init(&T);
    a = tir_input(&T, JX_INT32);
    tir_op(&T, JX_OP_ADD, JX_INT32, a, 5, 0);
    ck_assert_int_eq(jx_jit_compile(&T.ir, "CC", &code, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_INTERNAL);
    tir_init(&T);
    a = tir_input(&T, JX_INT32);
    b = tir_input(&T, JX_INT64);
    tir_op(&T, JX_OP_ADD, JX_INT64, a, b, 0);
    ck_assert_int_eq(jx_jit_compile(&T.ir, "CCC", &code, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_INTERNAL);

    /* Explain fails the same way. */
    jx_buf buf = {0};
    tir_init(&T);
    tir_op(&T, JX_OP_CBRT, JX_COMPLEX128, tir_input(&T, JX_COMPLEX128), 0, 0);
    ck_assert_int_eq(jx_jit_explain(&T.ir, "CC", JX_EXPLAIN_ALL, &buf, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_TYPE);
    free(jx_buf_take(&buf));
}
END_TEST

/* ---- engine ------------------------------------------------------------- */

/* 2*a + 3*b over float64. */
static void two_a_three_b(tir *T, double ka, double kb)
{
    tir_init(T);
    T->ir.text = (char *)"2*a+3*b";
    int c2 = tir_const(T, JX_FLOAT64, fval(ka));
    int a = tir_input(T, JX_FLOAT64);
    int m1 = tir_op(T, JX_OP_MUL, JX_FLOAT64, c2, a, 0);
    int c3 = tir_const(T, JX_FLOAT64, fval(kb));
    int b = tir_input(T, JX_FLOAT64);
    int m2 = tir_op(T, JX_OP_MUL, JX_FLOAT64, c3, b, 0);
    tir_op(T, JX_OP_ADD, JX_FLOAT64, m1, m2, 0);
}

START_TEST(test_explain)
{
    tir T;
    two_a_three_b(&T, 2, 3);
    jx_buf b = {0};
    jx_error err;
    ck_assert_int_eq(jx_jit_explain(&T.ir, "CCC:n", JX_EXPLAIN_LLVM | JX_EXPLAIN_ASM,
                                    &b, &err), 0);
    char *s = jx_buf_take(&b);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(strstr(s, "define"));
    ck_assert_ptr_nonnull(strstr(s, "fmul <"));
    ck_assert_msg(strstr(s, "zmm") || strstr(s, "ymm"), "no vector code:\n%s", s);
    free(s);

    /* Only the IR, only the assembly. */
    ck_assert_int_eq(jx_jit_explain(&T.ir, "CCC:n", JX_EXPLAIN_LLVM, &b, &err), 0);
    s = jx_buf_take(&b);
    ck_assert_ptr_nonnull(strstr(s, "define"));
    ck_assert_ptr_null(strstr(s, "zmm"));
    free(s);
    ck_assert_int_eq(jx_jit_explain(&T.ir, "XSC", JX_EXPLAIN_ASM, &b, &err), 0);
    s = jx_buf_take(&b);
    ck_assert_ptr_null(strstr(s, "define void"));
    ck_assert_ptr_nonnull(strstr(s, "ret"));
    free(s);

    const char *id = jx_jit_target_id();
    ck_assert_ptr_nonnull(id);
    ck_assert_msg(strncmp(id, "LLVM ", 5) == 0, "target id %s", id);
    ck_assert_ptr_eq(id, jx_jit_target_id());
}
END_TEST

START_TEST(test_release)
{
    tir T;
    jx_error err;
    double a[100], b[100], o[100];
    for (int i = 0; i < 100; i++) {
        a[i] = i;
        b[i] = -2 * i;
    }
    char *ptrs[3] = {(char *)o, (char *)a, (char *)b};
    int64_t st[3] = {8, 8, 8};
    /* More than the sweep interval of releases. */
    for (int r = 0; r < 150; r++) {
        two_a_three_b(&T, r, 1);
        jx_jit_code code;
        ck_assert_int_eq(jx_jit_compile(&T.ir, "CCC:n", &code, &err), 0);
        code.fn(100, ptrs, st);
        for (int i = 0; i < 100; i++)
            ck_assert_msg(o[i] == r * a[i] + b[i], "round %d element %d", r, i);
        jx_jit_release(&code);
        ck_assert_ptr_null(code.fn);
        jx_jit_release(&code); /* twice is harmless */
    }
    /* Two live kernels of the same IR are independent. */
    two_a_three_b(&T, 2, 3);
    jx_jit_code k1, k2;
    ck_assert_int_eq(jx_jit_compile(&T.ir, "CCC", &k1, &err), 0);
    ck_assert_int_eq(jx_jit_compile(&T.ir, "CCC", &k2, &err), 0);
    jx_jit_release(&k1);
    k2.fn(100, ptrs, st);
    ck_assert(o[99] == 2 * 99 - 6 * 99.0);
    jx_jit_release(&k2);
}
END_TEST

#define NTHREADS 8

static void *compile_thread(void *arg)
{
    long id = (long)arg;
    static __thread double a[1003], b[3 * 1003], o[1003];
    for (int r = 0; r < 6; r++) {
        tir T;
        jx_error err;
        double k = (double)(id * 10 + r);
        two_a_three_b(&T, k, 1);
        bool strided = r & 1;
        jx_jit_code code;
        if (jx_jit_compile(&T.ir, strided ? "CCX:n" : "CCC", &code, &err) != 0)
            return (void *)1;
        for (int i = 0; i < 1003; i++)
            a[i] = i;
        for (int j = 0; j < 3 * 1003; j++)
            b[j] = j;
        char *ptrs[3] = {(char *)o, (char *)a, (char *)b};
        int64_t st[3] = {8, 8, strided ? 24 : 8};
        code.fn(1003, ptrs, st);
        for (int i = 0; i < 1003; i++)
            if (o[i] != k * a[i] + (strided ? 3 * i : i))
                return (void *)2;
        jx_jit_release(&code);
    }
    return NULL;
}

START_TEST(test_threads)
{
    pthread_t th[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, compile_thread, (void *)i), 0);
    for (int i = 0; i < NTHREADS; i++) {
        void *rv;
        pthread_join(th[i], &rv);
        ck_assert_msg(rv == NULL, "thread %d failed (%ld)", i, (long)rv);
    }
}
END_TEST

/* ---- the suite ---------------------------------------------------------- */

static Suite *jit_suite(void)
{
    Suite *s = suite_create("jit");
    TCase *tc = tcase_create("ops");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_op, 0, JX_OP_COUNT);
    tcase_add_loop_test(tc, test_cast, 0, JX_DTYPE_COUNT);
    tcase_add_test(tc, test_pow_const);
    tcase_add_test(tc, test_vecmath);
    tcase_add_test(tc, test_complex_exp_vector);
    tcase_add_loop_test(tc, test_vecmath_env, 0, 2);
    tcase_add_loop_test(tc, test_sleef_env, 0, 2);
    tcase_add_test(tc, test_no_masked_loads);
    tcase_add_loop_test(tc, test_mathlib_env, 0,
                        sizeof mathlib_rows / sizeof mathlib_rows[0]);
    suite_add_tcase(s, tc);

    tc = tcase_create("reduce");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_reduce, 0, JX_OP_COUNT);
    tcase_add_test(tc, test_reduce_compound);
    suite_add_tcase(s, tc);

    tc = tcase_create("layouts");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_layouts_f64);
    tcase_add_test(tc, test_layouts_i32);
    tcase_add_test(tc, test_layouts_f16);
    tcase_add_test(tc, test_layouts_bool_u8);
    tcase_add_test(tc, test_mixed);
    tcase_add_test(tc, test_no_inputs);
    tcase_add_test(tc, test_overlap);
    tcase_add_test(tc, test_empty);
    suite_add_tcase(s, tc);

    tc = tcase_create("engine");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_explain);
    tcase_add_test(tc, test_release);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(jit_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
