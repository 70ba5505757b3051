/* check_eval_complex.c - complex numbers end to end through the public
 * API: expressions over complex128 against C99 <complex.h>, exp's special
 * values in complex64 and complex128 with either sin and cos, and the
 * types and errors of complex expressions. */
#include <check.h>
#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitexpr.h"
#include "testutil.h"

#ifndef CMPLX /* glibc defines it for GCC 4.7 and later only, not clang */
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif

/* ---- complex ---------------------------------------------------------------
 * One row per expression over complex128 a and b (contiguous, and a
 * strided b), with its reference in C99 <complex.h>.  Operands include
 * zeros, infinities and NaN in either part.  rtol: relative to |want|,
 * 0 for exact (+ - * / by NumPy's formulas, which these references
 * compute the same way). */

typedef double complex (*cref_fn)(double complex a, double complex b);

/* NumPy's complex division (Smith's method; a zero divisor gives the
 * dividend's parts over 0). */
static double complex c_div(double complex a, double complex b)
{
    double ar = creal(a), ai = cimag(a), br = creal(b), bi = cimag(b);
    if (fabs(br) >= fabs(bi)) {
        if (br == 0 && bi == 0)
            return CMPLX(ar / fabs(br), ai / fabs(br));
        double rat = bi / br, scl = 1.0 / (br + bi * rat);
        return CMPLX((ar + ai * rat) * scl, (ai - ar * rat) * scl);
    }
    double rat = br / bi, scl = 1.0 / (bi + br * rat);
    return CMPLX((ar * rat + ai) * scl, (ai * rat - ar) * scl);
}

static double complex c_mul(double complex a, double complex b)
{
    return CMPLX(creal(a) * creal(b) - cimag(a) * cimag(b),
                 creal(a) * cimag(b) + cimag(a) * creal(b));
}

static double complex cr_add(double complex a, double complex b) { return CMPLX(creal(a) + creal(b), cimag(a) + cimag(b)); }
static double complex cr_mul(double complex a, double complex b) { return c_mul(a, b); }
static double complex cr_div(double complex a, double complex b) { return c_div(a, b); }
static double complex cr_lit(double complex a, double complex b) { (void)b; return c_mul(a, CMPLX(3, -1)); }
static double complex cr_sqrt(double complex a, double complex b) { (void)b; return csqrt(a); }
static double complex cr_exp(double complex a, double complex b) { (void)b; return cexp(a); }
static double complex cr_log(double complex a, double complex b) { (void)b; return clog(a); }
static double complex cr_sin(double complex a, double complex b) { (void)b; return csin(a); }
static double complex cr_atanh(double complex a, double complex b) { (void)b; return catanh(a); }
static double complex cr_abs(double complex a, double complex b) { (void)b; return hypot(creal(a), cimag(a)); }
static double complex cr_conj(double complex a, double complex b) { (void)b; return CMPLX(creal(a), -cimag(a)); }
static double complex cr_sq(double complex a, double complex b) { (void)b; return c_mul(a, a); }
static double complex cr_eq(double complex a, double complex b) { return creal(a) == creal(b) && cimag(a) == cimag(b); }
/* NumPy's lexicographic order: re first, NaN imaginary parts never less. */
static double complex cr_lt(double complex a, double complex b)
{
    return (creal(a) < creal(b) && !isnan(cimag(a)) && !isnan(cimag(b))) ||
           (creal(a) == creal(b) && cimag(a) < cimag(b));
}
static double complex cr_angle(double complex a, double complex b) { (void)b; return atan2(cimag(a), creal(a)); }
static double complex cr_where(double complex a, double complex b) { return creal(a) > 0 ? a : b; }

static const struct {
    const char *src;
    cref_fn ref;
    jx_dtype rt;  /* the result's dtype */
    double rtol;
} complex_cases[] = {
    {"a + b", cr_add, JX_COMPLEX128, 0},
    {"a * b", cr_mul, JX_COMPLEX128, 0},
    {"a / b", cr_div, JX_COMPLEX128, 0},
    {"a * (3-1j)", cr_lit, JX_COMPLEX128, 0},
    {"a ** 2", cr_sq, JX_COMPLEX128, 0},
    {"sqrt(a)", cr_sqrt, JX_COMPLEX128, 0},
    /* written out from exp, sin and cos (4 ULP each, libmvec's) and a
     * product, against cexp's own half ULP or so: 11 ULP of each part */
    {"exp(a)", cr_exp, JX_COMPLEX128, 11 * DBL_EPSILON},
    {"log(a)", cr_log, JX_COMPLEX128, 0},
    {"sin(a)", cr_sin, JX_COMPLEX128, 0},
    {"arctanh(a)", cr_atanh, JX_COMPLEX128, 0},
    /* hypot and atan2 may be libmvec's in the vector loop: 4 ULP */
    {"abs(a)", cr_abs, JX_FLOAT64, 1e-15},
    {"angle(a)", cr_angle, JX_FLOAT64, 1e-15},
    {"conj(a)", cr_conj, JX_COMPLEX128, 0},
    {"a == b", cr_eq, JX_BOOL, 0},
    {"a < b", cr_lt, JX_BOOL, 0},
    {"where(real(a) > 0, a, b)", cr_where, JX_COMPLEX128, 0},
};

#define CN 203
static double complex cval(int k, int i)
{
    static const double sp[] = {0.0, -0.0, 1.0, -2.5, INFINITY, -INFINITY, NAN, 0.5};
    if (i < 64) /* every pair of specials */
        return CMPLX(sp[(i + k) % 8], sp[(i / 8 + 3 * k) % 8]);
    return CMPLX(sin(i * (k + 1.3)) * 3, cos(i * (k + 0.7)) * 2);
}

/* Whether got matches want: NaN and infinities in the same parts, finite
 * values within rtol of |want| (exactly for rtol 0). */
static bool complex_close(double complex got, double complex want, double rtol)
{
    double g[2] = {creal(got), cimag(got)}, w[2] = {creal(want), cimag(want)};
    for (int k = 0; k < 2; k++) {
        if (isnan(w[k]) || isnan(g[k]) || isinf(w[k]) || isinf(g[k])) {
            if (!(isnan(w[k]) && isnan(g[k])) && g[k] != w[k])
                return false;
        }
    }
    if (!isfinite(w[0]) || !isfinite(w[1]))
        return true;
    if (rtol == 0)
        return g[0] == w[0] && g[1] == w[1];
    return cabs(got - want) <= rtol * cabs(want);
}

START_TEST(test_complex)
{
    static double complex a[CN], b[2 * CN];
    for (int i = 0; i < CN; i++) {
        a[i] = cval(0, i);
        b[2 * i] = cval(1, i);
        b[2 * i + 1] = CMPLX(99, 99); /* skipped by the stride */
    }
    jx_var vars[] = {{"a", JX_COMPLEX128, 0}, {"b", JX_COMPLEX128, 0}};
    jx_array in[2] = {{a, JX_COMPLEX128, 1, {CN}, {16}},
                      {b, JX_COMPLEX128, 1, {CN}, {32}}};
    for (size_t c = 0; c < sizeof complex_cases / sizeof complex_cases[0]; c++) {
        jx_error err;
        jx_expr *e = jx_compile(complex_cases[c].src, vars, 2, 0, &err);
        ck_assert_msg(e != NULL, "%s: %s", complex_cases[c].src, err.message);
        ck_assert_int_eq(jx_expr_dtype(e), complex_cases[c].rt);
        jx_array out;
        ck_assert_msg(jx_eval_new(e, in, &out, &err) == 0, "%s", err.message);
        for (int i = 0; i < CN; i++) {
            double complex want = complex_cases[c].ref(a[i], b[2 * i]), got;
            switch (out.dtype) {
            case JX_BOOL: got = ((const unsigned char *)out.data)[i]; break;
            case JX_FLOAT64: got = ((const double *)out.data)[i]; break;
            default: got = ((const double complex *)out.data)[i]; break;
            }
            ck_assert_msg(complex_close(got, want, complex_cases[c].rtol),
                          "%s at %d (a=%g%+gj, b=%g%+gj): got %g%+gj, want %g%+gj",
                          complex_cases[c].src, i, creal(a[i]), cimag(a[i]),
                          creal(b[2 * i]), cimag(b[2 * i]), creal(got), cimag(got),
                          creal(want), cimag(want));
        }
        jx_free(out.data);
        jx_expr_free(e);
    }
}
END_TEST

/* ---- complex exp: special values -------------------------------------------
 * exp(x + yi) as NumPy 1.24 gives it (glibc's cexp and cexpf: C99 Annex G,
 * with exp(x) scaled where it overflows and exp(x) cos y would not), one
 * row per value.  Each is evaluated at positions of the vector loop and of
 * its remainder, contiguous and strided.  Parts that are 0, 1, infinite or
 * NaN must match bit for bit (the sign of a zero; any NaN), the others
 * within CEXP_ULP. */

/* The kernel's error: exp, sin and cos (4 ULP each) and the products
 * (1.5), against cexp's own (1.5 at most: its parts are products of
 * correctly rounded functions). */
#define CEXP_ULP 11

static const struct {
    jx_dtype t;
    double x, y;   /* z = x + yi */
    double re, im; /* exp(z) */
} cexp_cases[] = {
    {JX_COMPLEX128, 0.0, 0.0, 1.0, 0.0},
    {JX_COMPLEX128, -0.0, -0.0, 1.0, -0.0},
    {JX_COMPLEX128, 0.0, -0.0, 1.0, -0.0},
    {JX_COMPLEX128, -0.0, 0.0, 1.0, 0.0},
    {JX_COMPLEX128, 1.0, 0.0, 2.718281828459045, 0.0},
    {JX_COMPLEX128, 1.0, 5e-324, 2.718281828459045, 1.5e-323},
    {JX_COMPLEX128, 1.0, INFINITY, NAN, NAN},
    {JX_COMPLEX128, -2.5, -INFINITY, NAN, NAN},
    {JX_COMPLEX128, 0.0, NAN, NAN, NAN},
    {JX_COMPLEX128, INFINITY, 0.0, INFINITY, 0.0},
    {JX_COMPLEX128, INFINITY, -0.0, INFINITY, -0.0},
    {JX_COMPLEX128, INFINITY, 1.0, INFINITY, INFINITY},
    {JX_COMPLEX128, INFINITY, -2.5, -INFINITY, -INFINITY},
    {JX_COMPLEX128, INFINITY, INFINITY, INFINITY, NAN},
    {JX_COMPLEX128, INFINITY, -INFINITY, INFINITY, NAN},
    {JX_COMPLEX128, INFINITY, NAN, INFINITY, NAN},
    {JX_COMPLEX128, INFINITY, 5e-324, INFINITY, INFINITY},
    {JX_COMPLEX128, INFINITY, -5e-324, INFINITY, -INFINITY},
    {JX_COMPLEX128, -INFINITY, 0.0, 0.0, 0.0},
    {JX_COMPLEX128, -INFINITY, -0.0, 0.0, -0.0},
    {JX_COMPLEX128, -INFINITY, 1.0, 0.0, 0.0},
    {JX_COMPLEX128, -INFINITY, -2.5, -0.0, -0.0},
    {JX_COMPLEX128, -INFINITY, INFINITY, 0.0, 0.0},
    {JX_COMPLEX128, -INFINITY, -INFINITY, 0.0, -0.0},
    {JX_COMPLEX128, -INFINITY, NAN, 0.0, 0.0},
    {JX_COMPLEX128, NAN, 0.0, NAN, 0.0},
    {JX_COMPLEX128, NAN, -0.0, NAN, -0.0},
    {JX_COMPLEX128, NAN, 1.0, NAN, NAN},
    {JX_COMPLEX128, NAN, INFINITY, NAN, NAN},
    {JX_COMPLEX128, NAN, NAN, NAN, NAN},
    {JX_COMPLEX128, NAN, 5e-324, NAN, NAN},
    {JX_COMPLEX128, 710.0, 0.0, INFINITY, 0.0},
    {JX_COMPLEX128, 1500.0, -0.0, INFINITY, -0.0},
    {JX_COMPLEX128, 710.0, 1.0, 1.2070325234545281e+308, INFINITY},
    {JX_COMPLEX128, 710.0, 5e-324, INFINITY, 1.1037400669496503e-15},
    {JX_COMPLEX128, 1500.0, 1.0, INFINITY, INFINITY},
    {JX_COMPLEX128, 2200.0, -2.5, -INFINITY, -INFINITY},
    {JX_COMPLEX128, 710.0, -1.5707963267948966, 1.3679272698459398e+292, -INFINITY},
    {JX_COMPLEX128, -800.0, 1.0, 0.0, 0.0},
    {JX_COMPLEX128, -800.0, -2.5, -0.0, -0.0},
    {JX_COMPLEX128, -740.0, 1.0, 2.27e-322, 3.56e-322},
    {JX_COMPLEX64, 0.0, 0.0, 1.0, 0.0},
    {JX_COMPLEX64, -0.0, -0.0, 1.0, -0.0},
    {JX_COMPLEX64, 0.0, -0.0, 1.0, -0.0},
    {JX_COMPLEX64, -0.0, 0.0, 1.0, 0.0},
    {JX_COMPLEX64, 1.0, 0.0, 2.71828175, 0.0},
    {JX_COMPLEX64, 1.0, 1.40129846e-45, 2.71828175, 4.20389539e-45},
    {JX_COMPLEX64, 1.0, INFINITY, NAN, NAN},
    {JX_COMPLEX64, -2.5, -INFINITY, NAN, NAN},
    {JX_COMPLEX64, 0.0, NAN, NAN, NAN},
    {JX_COMPLEX64, INFINITY, 0.0, INFINITY, 0.0},
    {JX_COMPLEX64, INFINITY, -0.0, INFINITY, -0.0},
    {JX_COMPLEX64, INFINITY, 1.0, INFINITY, INFINITY},
    {JX_COMPLEX64, INFINITY, -2.5, -INFINITY, -INFINITY},
    {JX_COMPLEX64, INFINITY, INFINITY, INFINITY, NAN},
    {JX_COMPLEX64, INFINITY, -INFINITY, INFINITY, NAN},
    {JX_COMPLEX64, INFINITY, NAN, INFINITY, NAN},
    {JX_COMPLEX64, INFINITY, 1.40129846e-45, INFINITY, INFINITY},
    {JX_COMPLEX64, INFINITY, -1.40129846e-45, INFINITY, -INFINITY},
    {JX_COMPLEX64, -INFINITY, 0.0, 0.0, 0.0},
    {JX_COMPLEX64, -INFINITY, -0.0, 0.0, -0.0},
    {JX_COMPLEX64, -INFINITY, 1.0, 0.0, 0.0},
    {JX_COMPLEX64, -INFINITY, -2.5, -0.0, -0.0},
    {JX_COMPLEX64, -INFINITY, INFINITY, 0.0, 0.0},
    {JX_COMPLEX64, -INFINITY, -INFINITY, 0.0, -0.0},
    {JX_COMPLEX64, -INFINITY, NAN, 0.0, 0.0},
    {JX_COMPLEX64, NAN, 0.0, NAN, 0.0},
    {JX_COMPLEX64, NAN, -0.0, NAN, -0.0},
    {JX_COMPLEX64, NAN, 1.0, NAN, NAN},
    {JX_COMPLEX64, NAN, INFINITY, NAN, NAN},
    {JX_COMPLEX64, NAN, NAN, NAN, NAN},
    {JX_COMPLEX64, NAN, 1.40129846e-45, NAN, NAN},
    {JX_COMPLEX64, 89.0, 0.0, INFINITY, 0.0},
    {JX_COMPLEX64, 200.0, -0.0, INFINITY, -0.0},
    {JX_COMPLEX64, 89.0, 1.0, 2.425748e+38, INFINITY},
    {JX_COMPLEX64, 89.0, 1.40129846e-45, INFINITY, 6.29128749e-07},
    {JX_COMPLEX64, 200.0, 1.0, INFINITY, INFINITY},
    {JX_COMPLEX64, 300.0, -2.5, -INFINITY, -INFINITY},
    {JX_COMPLEX64, 89.0, -1.57079637, -1.96247213e+31, -INFINITY},
    {JX_COMPLEX64, -110.0, 1.0, 0.0, 0.0},
    {JX_COMPLEX64, -110.0, -2.5, -0.0, -0.0},
    {JX_COMPLEX64, -100.0, 1.0, 2.1019477e-44, 3.22298647e-44},
};

/* One ULP of |v| in dtype t's part type (the subnormal spacing below the
 * smallest normal). */
static double part_ulp(jx_dtype t, double v)
{
    v = fabs(v);
    if (t == JX_COMPLEX64) {
        float f = (float)v < FLT_MIN ? FLT_MIN : (float)v;
        return (double)(nextafterf(f, INFINITY) - f);
    }
    double d = v < DBL_MIN ? DBL_MIN : v;
    return nextafter(d, INFINITY) - d;
}

/* Whether got matches want as the table says. */
static bool cexp_part_ok(jx_dtype t, double got, double want)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (want == 0 || isinf(want) || want == 1)
        return got == want && signbit(got) == signbit(want);
    return isfinite(got) && fabs(got - want) <= CEXP_ULP * part_ulp(t, want);
}

/* Element i of n complex t at base, step elements apart: x + yi. */
static void cx_put(void *base, jx_dtype t, int i, int step, double x, double y)
{
    if (t == JX_COMPLEX64) {
        ((float *)base)[2 * step * i] = (float)x;
        ((float *)base)[2 * step * i + 1] = (float)y;
    } else {
        ((double *)base)[2 * step * i] = x;
        ((double *)base)[2 * step * i + 1] = y;
    }
}

static double cx_get(const void *base, jx_dtype t, int i, int part)
{
    return t == JX_COMPLEX64 ? ((const float *)base)[2 * i + part]
                             : ((const double *)base)[2 * i + part];
}

/* Run with sin and cos from vmath.c (the complex128 loop then runs the
 * guarded kernels first, and again with the library's where they do not
 * hold: y infinite or NaN) and from the library, one per process (Check's
 * fork; CK_FORK=no: the first only). */
static const char *const cexp_mathlib[] = {"own", "lib"};

START_TEST(test_complex_exp)
{
    const char *fork = getenv("CK_FORK");
    if (fork != NULL && strcmp(fork, "no") == 0 && _i > 0)
        return;
    setenv("JITEXPR_MATHLIB", cexp_mathlib[_i], 1);
    enum { N = 37 }; /* 32 in the vector loop (8 or 16 lanes), 5 left */
    static const bool at[N] = {[1] = true, [9] = true, [20] = true, [33] = true, [36] = true};
    static double buf[2 * 2 * N]; /* N complex128, or strided: every other */
    const double fx = 0.5, fy = -0.25; /* the other elements */
    double complex fw = cexp(CMPLX(fx, fy));
    for (size_t r = 0; r < sizeof cexp_cases / sizeof cexp_cases[0]; r++) {
        jx_dtype t = cexp_cases[r].t;
        jx_var var = {"a", t, 0};
        jx_error err;
        jx_expr *e = jx_compile("exp(a)", &var, 1, 0, &err);
        ck_assert_msg(e != NULL, "%s", err.message);
        for (int step = 1; step <= 2; step++) {
            for (int i = 0; i < N; i++)
                cx_put(buf, t, i, step, at[i] ? cexp_cases[r].x : fx,
                       at[i] ? cexp_cases[r].y : fy);
            int64_t size = t == JX_COMPLEX64 ? 8 : 16;
            jx_array in = {buf, t, 1, {N}, {size * step}}, out;
            ck_assert_msg(jx_eval_new(e, &in, &out, &err) == 0, "%s", err.message);
            for (int i = 0; i < N; i++) {
                double gr = cx_get(out.data, t, i, 0), gi = cx_get(out.data, t, i, 1);
                double wr = at[i] ? cexp_cases[r].re : creal(fw);
                double wi = at[i] ? cexp_cases[r].im : cimag(fw);
                ck_assert_msg(cexp_part_ok(t, gr, wr) && cexp_part_ok(t, gi, wi),
                              "%s: exp(%s %.17g%+.17gj) at %d, step %d: got %.17g%+.17gj, "
                              "want %.17g%+.17gj", cexp_mathlib[_i], jx_dtype_name(t),
                              at[i] ? cexp_cases[r].x : fx, at[i] ? cexp_cases[r].y : fy,
                              i, step, gr, gi, wr, wi);
            }
            jx_free(out.data);
        }
        jx_expr_free(e);
    }
}
END_TEST

/* Types and errors of complex expressions: one row each. */
static const struct {
    const char *src;
    jx_dtype at;        /* a's dtype */
    jx_dtype want;      /* the result's, or JX_DTYPE_INVALID: an error */
    const char *msg;    /* the error message, or NULL */
} complex_types[] = {
    {"a * 2j", JX_FLOAT32, JX_COMPLEX64, NULL},      /* weak complex: NEP 50 */
    {"a * 2j", JX_FLOAT16, JX_COMPLEX64, NULL},
    {"a * 2j", JX_FLOAT64, JX_COMPLEX128, NULL},
    {"a * 2j", JX_INT8, JX_COMPLEX128, NULL},
    {"abs(a)", JX_COMPLEX64, JX_FLOAT32, NULL},
    {"real(a) + imag(a)", JX_COMPLEX64, JX_FLOAT32, NULL},
    {"imag(a)", JX_INT16, JX_INT16, NULL},
    {"angle(a)", JX_INT8, JX_FLOAT16, NULL},
    {"complex(a, 1)", JX_FLOAT32, JX_COMPLEX128, NULL},
    {"sqrt(a)", JX_COMPLEX64, JX_COMPLEX64, NULL},
    {"a // 1j", JX_FLOAT64, JX_DTYPE_INVALID,
     "operator '//' does not support float64 and complex128 (computed as complex128)"},
    {"cbrt(a)", JX_COMPLEX64, JX_DTYPE_INVALID, "function 'cbrt' does not support complex64 "
                                                "(numexpr: couldn't find matching opcode "
                                                "for 'cbrt_cc')"},
    {"a & a", JX_COMPLEX64, JX_DTYPE_INVALID,
     "operator '&' does not support complex64 and complex64 (computed as complex64) "
     "(numexpr: couldn't find matching opcode for 'and_ccc')"},
    {"complex(a, a)", JX_COMPLEX64, JX_DTYPE_INVALID,
     "function 'complex' does not support complex64 and complex64 (computed as complex64) "
     "(numexpr: couldn't find matching opcode for 'complex_ccc')"},
    {"sum(a)", JX_COMPLEX64, JX_COMPLEX64, NULL},   /* accumulated in complex128 */
    {"prod(a)", JX_COMPLEX128, JX_COMPLEX128, NULL},
    {"mean(a, axis=0)", JX_COMPLEX64, JX_COMPLEX64, NULL},
    {"max(a)", JX_COMPLEX128, JX_COMPLEX128, NULL}, /* lexicographic, as np.max */
    {"min(a)", JX_COMPLEX64, JX_COMPLEX64, NULL},
    {"any(a)", JX_COMPLEX64, JX_BOOL, NULL},
    {"all(a)", JX_COMPLEX128, JX_BOOL, NULL},
    {"sign(a)", JX_COMPLEX64, JX_DTYPE_INVALID, "function 'sign' does not support complex64 "
                                                "(numexpr: couldn't find matching opcode "
                                                "for 'sign_cc')"},
};

START_TEST(test_complex_types)
{
    for (size_t c = 0; c < sizeof complex_types / sizeof complex_types[0]; c++) {
        jx_var var = {"a", complex_types[c].at, 0};
        jx_error err;
        jx_expr *e = jx_compile(complex_types[c].src, &var, 1, 0, &err);
        if (complex_types[c].want == JX_DTYPE_INVALID) {
            ck_assert_msg(e == NULL, "%s compiled", complex_types[c].src);
            ck_assert_int_eq(err.code, JX_ERR_TYPE);
            ck_assert_str_eq(err.message, complex_types[c].msg);
            continue;
        }
        ck_assert_msg(e != NULL, "%s: %s", complex_types[c].src, err.message);
        ck_assert_msg(jx_expr_dtype(e) == complex_types[c].want, "%s: dtype %d, want %d",
                      complex_types[c].src, (int)jx_expr_dtype(e),
                      (int)complex_types[c].want);
        jx_expr_free(e);
    }
}
END_TEST

static Suite *eval_complex_suite(void)
{
    Suite *s = suite_create("eval_complex");
    TCase *tc = tcase_create("complex");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_complex);
    tcase_add_loop_test(tc, test_complex_exp, 0, 2);
    tcase_add_test(tc, test_complex_types);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return test_main(eval_complex_suite()); }
