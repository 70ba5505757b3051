/* cmath.c - complex math for kernels.  See cmath.h.
 *
 * NumPy (1.24, npy_math_complex.c.src and umath/funcs.inc.src) calls the
 * C library for csqrt, cexp, clog and the trigonometric and hyperbolic
 * functions, and has its own formulas for the rest; they are copied here
 * so that results, infinities and NaNs match.  (cexp, and NumPy's exp2
 * and expm1, are complex.c's cx_exp and cx_expm1.) */
#include "cmath.h"

#include <complex.h>
#include <math.h>
#include <stddef.h>

#define LOG2E 1.442695040888963407359924681001892137
#define LOG10E 0.434294481903251827651128918916605082

static jx_cm_pair pair(double complex z)
{
    jx_cm_pair r = {creal(z), cimag(z)};
    return r;
}

/* re + im*I without the multiplication (which would turn inf*0 into NaN).
 * Not CMPLX: glibc defines it only for GCC 4.7 and later, so not for
 * clang; C11 lays a complex out as an array of its two parts. */
static double complex make(double re, double im)
{
    double complex z;
    double *part = (double *)&z;
    part[0] = re;
    part[1] = im;
    return z;
}

/* The C library's functions, one wrapper each.  Each helper is named
 * cm_<op id>, so that the op table's CALL rows find it (syms below). */
#define CM_LIBC(id, cfn) \
    static jx_cm_pair cm_##id(double re, double im) \
    { \
        return pair(cfn(make(re, im))); \
    }
CM_LIBC(SQRT, csqrt)
CM_LIBC(LOG, clog)
CM_LIBC(SIN, csin)
CM_LIBC(COS, ccos)
CM_LIBC(TAN, ctan)
CM_LIBC(ARCSIN, casin)
CM_LIBC(ARCCOS, cacos)
CM_LIBC(ARCTAN, catan)
CM_LIBC(SINH, csinh)
CM_LIBC(COSH, ccosh)
CM_LIBC(TANH, ctanh)
CM_LIBC(ARCSINH, casinh)
CM_LIBC(ARCCOSH, cacosh)
CM_LIBC(ARCTANH, catanh)
#undef CM_LIBC

/* NumPy's nc_log2 and nc_log10: log(z) times a constant, part by part. */
static jx_cm_pair cm_LOG2(double re, double im)
{
    jx_cm_pair r = pair(clog(make(re, im)));
    r.re *= LOG2E;
    r.im *= LOG2E;
    return r;
}

static jx_cm_pair cm_LOG10(double re, double im)
{
    jx_cm_pair r = pair(clog(make(re, im)));
    r.re *= LOG10E;
    r.im *= LOG10E;
    return r;
}

/* NumPy's nc_log1p: log|z + 1| + i arg(z + 1). */
static jx_cm_pair cm_LOG1P(double re, double im)
{
    jx_cm_pair r;
    r.re = log(hypot(re + 1, im));
    r.im = atan2(im, re + 1);
    return r;
}

/* NumPy's cmul and cdiv (Smith's method, as its divide loop). */
static jx_cm_pair cmul(jx_cm_pair a, jx_cm_pair b)
{
    jx_cm_pair r = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
    return r;
}

static jx_cm_pair cdiv(jx_cm_pair a, jx_cm_pair b)
{
    double abs_br = fabs(b.re), abs_bi = fabs(b.im);
    jx_cm_pair r;
    if (abs_br >= abs_bi) {
        if (abs_br == 0 && abs_bi == 0) {
            r.re = a.re / abs_br;
            r.im = a.im / abs_br;
        } else {
            double rat = b.im / b.re;
            double scl = 1.0 / (b.re + b.im * rat);
            r.re = (a.re + a.im * rat) * scl;
            r.im = (a.im - a.re * rat) * scl;
        }
    } else {
        double rat = b.re / b.im;
        double scl = 1.0 / (b.im + b.re * rat);
        r.re = (a.re * rat + a.im) * scl;
        r.im = (a.im * rat - a.re) * scl;
    }
    return r;
}

/* NumPy's nc_pow. */
jx_cm_pair jx_cm_power(double ar, double ai, double br, double bi)
{
    jx_cm_pair a = {ar, ai}, one = {1.0, 0.0};
    if (br == 0 && bi == 0)
        return one;
    if (ar == 0 && ai == 0) {
        jx_cm_pair r = {0.0, 0.0};
        if (br > 0 && bi == 0)
            return r;
        r.re = r.im = NAN; /* 0 to a complex or negative power */
        return r;
    }
    if (bi == 0 && br > -100 && br < 100 && br == (double)(long)br) {
        long n = (long)br;
        if (n == 1)
            return a;
        if (n == 2)
            return cmul(a, a);
        if (n == 3)
            return cmul(cmul(a, a), a);
        long m = n < 0 ? -n : n;
        jx_cm_pair acc = one, p = a;
        for (long mask = 1;; mask <<= 1) {
            if (m & mask)
                acc = cmul(acc, p);
            if (m < (mask << 1))
                break;
            p = cmul(p, p);
        }
        return n < 0 ? cdiv(one, acc) : acc;
    }
    return pair(cpow(make(ar, ai), make(br, bi)));
}

/* The complex power, under the name the op table's POW row looks for. */
#define cm_POW jx_cm_power

/* Op -> function: one entry per CALL row of the op table's cx column (a
 * CALL row without its cm_<id> function does not compile), then the end. */
#define CM_SYM_NONE(id, mnem)
#define CM_SYM_INLINE(id, mnem)
#define CM_SYM_CALL(id, mnem) {JX_OP_##id, "jx_cm_" mnem, (void *)cm_##id},
#define CM_SYM_ROW(id, mnem, spell, syn, ar, rule, kinds, low, fn, cx, ci, cf, cc) \
    CM_SYM_##cx(id, mnem)
static const jx_cm_symbol syms[] = {JX_OPS(CM_SYM_ROW){-1, NULL, NULL}};
#undef CM_SYM_ROW

const char *jx_cm_name(int op)
{
    for (const jx_cm_symbol *s = syms; s->name != NULL; s++)
        if (s->op == op && op >= 0)
            return s->name;
    return NULL;
}

const jx_cm_symbol *jx_cm_symbols(void) { return syms; }
