/* check_mathacc.c - accuracy of the math functions (exp, log, sin, cos,
 * tan, pow, tanh, arctan2, expm1, cbrt, log1p, arccosh, arcsin, arccos,
 * log2, log10, exp2, arcsinh, arctanh, arctan, sinh, cosh) as kernels
 * compute them, in ULP, and their NaN/inf results.
 *
 * Kernels call glibc's libmvec in the vector loop (AVX-512 or AVX2
 * variants, documented within 4 ULP of the correctly rounded result) and
 * libm elsewhere; tanh, arctan2, expm1, cbrt, log, log1p, arccosh,
 * arcsin, arccos, log2, log10, exp2, arcsinh, arctanh, arctan, sinh and
 * cosh are our own IR (jit/vmath*.c; the suite runs with
 * JITEXPR_MATHLIB=own) in every variant, vector loop and remainder alike (the
 * sweep checks that no library function is called for them).  The bound this suite enforces
 * is MAX_ULPS for every function, dtype and variant.  Each function is
 * evaluated through a compiled kernel (jx_compile, jx_eval) in three ways:
 *
 *   table   the points of mathacc_data.h, with the exact value computed by
 *           mpmath (gen_mathacc_data.py): random over the useful domain,
 *           near zeros, poles and peaks, huge and tiny arguments,
 *           subnormals;
 *   sweep   SWEEP random points per function and dtype, against glibc's
 *           long double functions for float64 (x87, 64-bit mantissa: their
 *           own error is about 2^-11 ULP of a double) and its double
 *           functions for float32 and float16 (2^-29 ULP of a float);
 *           float16 is swept exhaustively for the one-operand functions
 *           (pow and arctan2 take random pairs); the same points again
 *           in runs of 1 to 15 elements ("rest"), the loops' remainders;
 *   special NaN, infinities, signed zeros, exact results: bit for bit what
 *           NumPy gives (mathacc_data.h records NumPy's results).
 *
 * Each case runs once per variant, in its own test case: the host's best
 * (AVX-512 here), AVX2, and scalar libm (JITEXPR_VECMATH=avx2, none).  The
 * engine reads JITEXPR_VECMATH once per process, and Check forks every
 * test, so each test sets it before its first compilation; with
 * CK_FORK=no every test runs with whatever the first one got (the output
 * says which).  The measured maxima are printed ("mathacc: ...") and
 * recorded in docs/math.md.  sin and cos must also stay within [-1, 1]
 * (the kernel clamps libmvec's 1.0000001).
 *
 * The error of a result r against the exact value v is |r - v| / ulp(v),
 * ulp(v) = 2^(e - p + 1) for 2^e <= |v| < 2^(e+1) (e at least the smallest
 * normal exponent), p = 53, 24, 11; an infinite result where v is finite
 * counts as 2^(emax + 1). */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitexpr.h"
#include "ops.h"
#include "testutil.h"
#include "vmath.h"

#define MAX_ULPS 4.0
#define SWEEP (1 << 20) /* random points per function and dtype */

struct acc_point {
    double x, y;   /* the arguments: f(x) (y = 0), x**y, arctan2(x, y) */
    double hi, lo; /* the exact value is hi + lo */
};

struct acc_table {
    const char *fn;    /* "sin", ... */
    const char *dtype; /* "float64" or "float32" */
    const struct acc_point *p;
    int n;
};

struct acc_special {
    const char *fn, *dtype;
    double x, y;
    double want; /* NumPy's result */
};

#include "mathacc_data.h"

static const char *const fns[] = {"exp",   "log",  "sin",  "cos",
                                  "tan",   "pow",  "tanh", "arctan2",
                                  "expm1", "cbrt", "log1p", "arccosh",
                                  "arcsin", "arccos", "log2",  "log10",
                                  "exp2",  "arcsinh", "arctanh", "arctan",
                                  "sinh",  "cosh"};
#define NFNS NROWS(fns)

/* The libm name of fn ("atan2" for arctan2, from the op table; "pow" for
 * the float power) when jit/vmath.c has a kernel for it, else NULL: the
 * library's own list (jx_vm_has), not a copy kept here. */
static const char *own_kernel(const char *fn)
{
    const char *libm = fn;
    if (strcmp(fn, "pow") != 0) {
        int op = jx_ops_find_function(fn, strlen(fn));
        ck_assert_int_ge(op, 0);
        libm = jx_ops[op].fn;
    }
    return libm != NULL && jx_vm_has(libm) ? libm : NULL;
}

/* ---- the variant under test --------------------------------------------- */

/* The JITEXPR_VECMATH value of each test case, and a name for it. */
static const char *const variant_env[] = {NULL, "avx2", "none"};

/* The vector math a kernel of sin over float64 calls, from its LLVM IR:
 * "avx512", "avx2" or "libm".  The kernel is a sum's: an elementwise sin
 * is vmath_trig.c's, which calls no vector function. */
static const char *variant_in_use(void)
{
    jx_var v = {.name = "x", .dtype = JX_FLOAT64};
    jx_error err;
    char *ir = jx_explain("sum(sin(x))", &v, 1, JX_EXPLAIN_LLVM, &err);
    ck_assert_msg(ir != NULL, "explain: %s", err.message);
    const char *name = strstr(ir, "_ZGVeN8v_sin")   ? "avx512"
                       : strstr(ir, "_ZGVdN4v_sin") ? "avx2"
                                                    : "libm";
    jx_free(ir);
    return name;
}

/* Sets JITEXPR_VECMATH for test case k (before anything compiles) and
 * returns the name of the variant in effect. */
static const char *use_variant(int k)
{
    if (variant_env[k] != NULL)
        setenv("JITEXPR_VECMATH", variant_env[k], 1);
    else
        unsetenv("JITEXPR_VECMATH");
    jx_set_num_threads(1);
    return variant_in_use();
}

/* ---- evaluating through a kernel --------------------------------------- */

static bool is(const char *fn, const char *name)
{
    return strcmp(fn, name) == 0;
}

/* pow and arctan2 read the y array too. */
static bool two_operands(const char *fn)
{
    return is(fn, "pow") || is(fn, "arctan2");
}

static const char *src_of(const char *fn)
{
    static char buf[32];
    if (is(fn, "pow"))
        return "x**y";
    if (is(fn, "arctan2"))
        return "arctan2(x,y)";
    snprintf(buf, sizeof buf, "%s(x)", fn);
    return buf;
}

/* out[i] = fn(x[i]) (pow: x[i]**y[i], arctan2: arctan2(x[i], y[i])) over n
 * elements of dtype t: at once, or where short, in runs of 15 elements,
 * 14, ..., 1, 15, ... (what the loops leave to their remainders). */
static void run_in(const char *fn, jx_dtype t, const void *x, const void *y,
                   void *out, int64_t n, bool short_runs)
{
    jx_var vars[2] = {{.name = "x", .dtype = t}, {.name = "y", .dtype = t}};
    jx_error err;
    jx_expr *e = jx_compile(src_of(fn), vars, 2, 0, &err);
    ck_assert_msg(e != NULL, "%s: %s", src_of(fn), err.message);
    ck_assert_int_eq(jx_expr_dtype(e), t);
    size_t sz = jx_dtype_size(t);
    for (int64_t i = 0, run = 15; i < n; i += run, run = run > 1 ? run - 1 : 15) {
        if (!short_runs || run > n - i)
            run = n - i;
        jx_array in[2] = {test_vec(t, (char *)x + i * sz, run),
                          test_vec(t, (char *)y + i * sz, run)};
        jx_array o = test_vec(t, (char *)out + i * sz, run);
        ck_assert_msg(jx_eval(e, in, &o, &err) == 0, "eval: %s", err.message);
    }
    jx_expr_free(e);
}

static void run(const char *fn, jx_dtype t, const void *x, const void *y,
                void *out, int64_t n)
{
    run_in(fn, t, x, y, out, n, false);
}

/* Whether the kernel of fn over dtype t calls a library function for it
 * (libm's, libmvec's or SLEEF's) rather than computing it in the loop. */
static bool calls_library(const char *fn, jx_dtype t)
{
    const char *libm = own_kernel(fn);
    jx_var vars[2] = {{.name = "x", .dtype = t}, {.name = "y", .dtype = t}};
    jx_error err;
    char *ir = jx_explain(src_of(fn), vars, 2, JX_EXPLAIN_LLVM, &err);
    ck_assert_msg(ir != NULL, "explain: %s", err.message);
    char d[40], f[40];
    snprintf(d, sizeof d, "@%s(", libm);
    snprintf(f, sizeof f, "@%sf(", libm);
    bool calls = strstr(ir, "_ZGV") != NULL || strstr(ir, "Sleef_") != NULL ||
                 strstr(ir, d) != NULL || strstr(ir, f) != NULL;
    jx_free(ir);
    return calls;
}

/* ---- ULPs ---------------------------------------------------------------- */

typedef struct fmt {
    jx_dtype t;
    int p;    /* significand bits */
    int emin; /* smallest normal exponent */
    int emax; /* largest exponent */
} fmt;

static fmt fmt_of(jx_dtype t)
{
    switch (t) {
    case JX_FLOAT16: return (fmt){t, 11, -14, 15};
    case JX_FLOAT32: return (fmt){t, 24, -126, 127};
    default: return (fmt){JX_FLOAT64, 53, -1022, 1023};
    }
}

/* Element i of a float array of dtype t, as a double. */
static double get(jx_dtype t, const void *a, int64_t i)
{
    switch (t) {
    case JX_FLOAT16: return (double)((const _Float16 *)a)[i];
    case JX_FLOAT32: return (double)((const float *)a)[i];
    default: return ((const double *)a)[i];
    }
}

static void put(jx_dtype t, void *a, int64_t i, double v)
{
    switch (t) {
    case JX_FLOAT16: ((_Float16 *)a)[i] = (_Float16)v; break;
    case JX_FLOAT32: ((float *)a)[i] = (float)v; break;
    default: ((double *)a)[i] = v; break;
    }
}

/* The error of r in ULP of f at the exact value v (v finite). */
static double ulp_error(fmt f, double r, long double v)
{
    if (isnan(r))
        return INFINITY;
    long double rr = r;
    if (isinf(r))
        rr = copysignl(ldexpl(1, f.emax + 1), r);
    int e = v == 0 ? f.emin : ilogbl(v);
    if (e < f.emin)
        e = f.emin;
    return (double)(fabsl(rr - v) / ldexpl(1, e - f.p + 1));
}

/* The largest error seen, and where. */
typedef struct worst {
    double ulps;
    double x, y, got;
    long double want;
    int64_t n;  /* points measured */
    bool clamp; /* sin, cos: a result past [-1, 1] fails */
} worst;

static void note(worst *w, double ulps, double x, double y, double got,
                 long double want)
{
    w->n++;
    if (isfinite(ulps) && (w->clamp && fabs(got) > 1)) /* |sin|, |cos| <= 1 */
        ulps = INFINITY;
    if (ulps > w->ulps || (isnan(ulps) && !isnan(w->ulps))) {
        w->ulps = ulps;
        w->x = x;
        w->y = y;
        w->got = got;
        w->want = want;
    }
}

static void report(const char *variant, const char *what, const char *fn,
                   jx_dtype t, const worst *w)
{
    printf("mathacc: %-6s %-5s %-3s %-7s max %.3f ULP over %lld points "
           "(x=%a y=%a: got %.17g, exact %.21Lg)\n",
           variant, what, fn, jx_dtype_name(t), w->ulps, (long long)w->n, w->x,
           w->y, w->got, w->want);
    fflush(stdout);
    ck_assert_msg(w->ulps <= MAX_ULPS,
                  "%s %s(%s) [%s]: %.3f ULP at x=%a y=%a: got %.17g, exact "
                  "%.21Lg",
                  variant, fn, jx_dtype_name(t), what, w->ulps, w->x, w->y,
                  w->got, w->want);
}

static bool is_sincos(const char *fn) { return is(fn, "sin") || is(fn, "cos"); }

/* A multiple of 16 elements: every point runs through the vector loop. */
static int64_t padded(int64_t n) { return (n + 15) / 16 * 16; }

/* ---- the mpmath table -------------------------------------------------- */

static void check_table(int variant, const struct acc_table *tb)
{
    const char *vname = use_variant(variant);
    jx_dtype t = jx_dtype_from_name(tb->dtype);
    int64_t n = padded(tb->n);
    size_t sz = jx_dtype_size(t);
    char *x = aligned_alloc(64, (size_t)n * sz + 64);
    char *y = aligned_alloc(64, (size_t)n * sz + 64);
    char *o = aligned_alloc(64, (size_t)n * sz + 64);
    for (int64_t i = 0; i < n; i++) {
        const struct acc_point *p = &tb->p[i < tb->n ? i : 0];
        put(t, x, i, p->x);
        put(t, y, i, p->y);
    }
    run(tb->fn, t, x, y, o, n);
    worst w = {.clamp = is_sincos(tb->fn)};
    for (int i = 0; i < tb->n; i++) {
        const struct acc_point *p = &tb->p[i];
        long double v = (long double)p->hi + p->lo;
        double got = get(t, o, i);
        note(&w, ulp_error(fmt_of(t), got, v), p->x, p->y, got, v);
    }
    free(x);
    free(y);
    free(o);
    report(vname, "table", tb->fn, t, &w);
}

START_TEST(test_table)
{
    int variant = _i / NROWS(acc_tables);
    check_table(variant, &acc_tables[_i % NROWS(acc_tables)]);
}
END_TEST

/* ---- random sweeps ------------------------------------------------------- */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double unit(void) { return (double)(rnd() >> 11) * 0x1p-53; }
static double uniform(double a, double b) { return a + (b - a) * unit(); }
static double sgn(void) { return rnd() & 1 ? 1.0 : -1.0; }
/* A positive value with an exponent uniform in [lo, hi). */
static double logu(int lo, int hi)
{
    return ldexp(1.0 + unit(), lo + (int)(rnd() % (uint64_t)(hi - lo)));
}

/* A random argument (x, y) of fn over its useful domain in format f:
 * mostly where results are ordinary, a share at the extremes (pow: near
 * overflow and underflow, subnormal results, subnormal and zero x). */
static void sample(const char *fn, fmt f, double *x, double *y)
{
    unsigned pick = (unsigned)(rnd() % 8);
    int e30 = f.emax - 1 < 30 ? f.emax - 1 : 30; /* float16: 14 */
    double big = f.t == JX_FLOAT64 ? 709.7 : f.t == JX_FLOAT32 ? 88.7 : 11.0;
    double small = f.t == JX_FLOAT64 ? -745.0 : f.t == JX_FLOAT32 ? -103.0 : -17.0;
    *y = 0;
    if (is(fn, "exp")) {
        *x = pick < 5 ? uniform(small, big) : sgn() * logu(-40, 3);
    } else if (is(fn, "log") || is(fn, "log2") || is(fn, "log10")) {
        *x = pick < 3   ? uniform(0.5, 2.0)
             : pick < 4 ? 1.0 + sgn() * logu(-50, -1)
                        : logu(f.emin - f.p + 1, f.emax);
    } else if (is(fn, "log1p")) {
        *x = pick < 3   ? uniform(-0.5, 1.0)
             : pick < 5 ? sgn() * logu(f.emin - f.p + 1, -1) /* tiny */
             : pick < 6 ? -1.0 + logu(-f.p, -1)              /* near -1 */
                        : logu(-1, f.emax);
    } else if (is(fn, "pow")) {
        unsigned q = (unsigned)(rnd() % 16);
        if (q < 6) { /* |y log2 x| < the exponent range */
            *x = logu(-e30, e30);
            double l = fabs(log2(*x));
            *y = uniform(-1, 1) * (f.emax - 1) / (l > 1 ? l : 1);
        } else if (q < 9) { /* x near 1, large y */
            *x = 1.0 + sgn() * logu(-40, -4);
            *y = sgn() * logu(0, 20);
        } else if (q < 11) { /* negative x, integer y */
            *x = -logu(-8, 8);
            *y = (double)((int)(rnd() % 61) - 30);
        } else if (q < 14) { /* results near overflow, near underflow and
                              * subnormal: log2 of the result t */
            double t = q < 12 ? uniform(f.emax - 2, f.emax + 1)
                              : uniform(f.emin - f.p - 1, f.emin + 2);
            *x = logu(-e30, e30);
            *y = log2(*x) != 0 ? t / log2(*x) : t;
            if (q == 13 && rnd() % 4 == 0) { /* and a negative x */
                *y = round(*y);
                *x = -*x;
            }
        } else if (q < 15) { /* subnormal x */
            *x = logu(f.emin - f.p + 1, f.emin);
            *y = uniform(-1, 1);
        } else { /* zero x */
            *x = rnd() & 1 ? 0.0 : -0.0;
            *y = rnd() & 1 ? uniform(-8, 8) : (double)((int)(rnd() % 17) - 8);
        }
    } else if (is(fn, "tanh")) {
        /* tanh rounds to 1 past 19.06 (float: 9.01, float16: 4.5) */
        double sat = f.t == JX_FLOAT64 ? 19.0 : f.t == JX_FLOAT32 ? 8.0 : 4.0;
        *x = pick < 3   ? uniform(-20, 20)
             : pick < 4 ? sgn() * logu(f.emin - f.p + 1, -1) /* tiny */
             : pick < 5 ? sgn() * uniform(0.5, 1.0)
             : pick < 7 ? sgn() * uniform(sat, sat + 4) /* saturation */
                        : sgn() * logu(0, f.emax);
    } else if (is(fn, "expm1")) {
        /* -1 below -37.5 (float: -17.4, float16: -8.3) */
        double low = f.t == JX_FLOAT64 ? -40.0 : f.t == JX_FLOAT32 ? -20.0 : -10.0;
        *x = pick < 4   ? uniform(low, big)
             : pick < 6 ? uniform(-1.5, 1.5) /* k = -2..2 */
                        : sgn() * logu(f.emin - f.p + 1, 0);
    } else if (is(fn, "exp2")) { /* to overflow and underflow, and small */
        *x = pick < 5 ? uniform(f.emin - f.p, f.emax + 0.99)
                      : sgn() * logu(f.emin - f.p + 1, 3);
    } else if (is(fn, "arcsinh")) { /* ordinary, tiny, huge */
        *x = pick < 3   ? uniform(-10, 10)
             : pick < 5 ? sgn() * logu(f.emin - f.p + 1, -1)
                        : sgn() * logu(-1, f.emax);
    } else if (is(fn, "arctanh")) { /* (-1, 1): ordinary, tiny, near +-1 */
        *x = pick < 3   ? uniform(-1, 1)
             : pick < 5 ? sgn() * logu(f.emin - f.p + 1, -1)
                        : sgn() * (1.0 - logu(-f.p, -1));
    } else if (is(fn, "arccosh")) { /* x >= 1: near 1, ordinary, huge */
        *x = pick < 2   ? 1.0 + logu(-f.p, -1)
             : pick < 5 ? uniform(1.0, 100.0)
                        : logu(0, f.emax);
    } else if (is(fn, "arcsin") || is(fn, "arccos")) {
        /* [-1, 1]: near +-1/2, where the kernel switches to sqrt((1 -
         * |x|)/2), near +-1, tiny and subnormal */
        *x = pick < 3   ? uniform(-1, 1)
             : pick < 5 ? sgn() * (0.5 + sgn() * logu(-f.p, -3))
             : pick < 6 ? sgn() * (1.0 - logu(-f.p, -1))
             : pick < 7 ? sgn() * logu(f.emin - f.p + 1, -1)
                        : sgn() * uniform(0.4, 0.6);
    } else if (is(fn, "arctan")) { /* the three ranges, every exponent */
        *x = pick < 3   ? uniform(-4, 4)
             : pick < 4 ? sgn() * uniform(0.38, 0.45)  /* tan(pi/8) */
             : pick < 5 ? sgn() * uniform(2.3, 2.5)    /* tan(3pi/8) */
                        : sgn() * logu(f.emin - f.p + 1, f.emax);
    } else if (is(fn, "sinh") || is(fn, "cosh")) {
        /* up to overflow (710.48, float 89.42, float16 11.1) and past */
        double top = f.t == JX_FLOAT64 ? 711.0 : f.t == JX_FLOAT32 ? 90.0 : 11.5;
        *x = pick < 3   ? uniform(-3, 3)
             : pick < 5 ? uniform(-top, top)
             : pick < 6 ? sgn() * uniform(top - 2, top)
                        : sgn() * logu(f.emin - f.p + 1, 4);
    } else if (is(fn, "cbrt")) { /* every exponent, subnormals included */
        *x = pick < 2 ? uniform(-100, 100)
                      : sgn() * logu(f.emin - f.p + 1, f.emax);
    } else if (is(fn, "arctan2")) { /* x = arctan2's y, y = its x */
        *y = sgn() * logu(-e30, e30);
        if (pick < 3) {
            *x = sgn() * logu(-e30, e30);
        } else if (pick < 4) { /* |y/x| near tan(pi/8), 1, tan(3pi/8) */
            static const double q[] = {0x1.a827999fcef32p-2, 1.0,
                                       0x1.3504f333f9de6p+1};
            *x = sgn() * fabs(*y) * q[rnd() % 3] *
                 (1 + sgn() * logu(-f.p - 2, -1));
        } else if (pick < 5) { /* |y| >> |x| or |y| << |x| */
            *x = sgn() * logu(f.emin, f.emax);
        } else if (pick < 6) { /* any magnitudes */
            *x = sgn() * logu(f.emin - f.p + 1, f.emax);
            *y = sgn() * logu(f.emin - f.p + 1, f.emax);
        } else if (pick < 7) { /* both tiny, subnormal */
            *x = sgn() * logu(f.emin - f.p + 1, f.emin + 8);
            *y = sgn() * logu(f.emin - f.p + 1, f.emin + 8);
        } else { /* both huge, up to the largest finite value */
            *x = sgn() * logu(f.emax - 3, f.emax + 1);
            *y = sgn() * logu(f.emax - 3, f.emax + 1);
        }
    } else { /* sin, cos, tan */
        *x = pick < 4   ? uniform(-10, 10)
             : pick < 6 ? sgn() * logu(-30, e30)
                        : sgn() * logu(-30, f.emax);
    }
}

/* The reference functions of one argument: glibc's long double one (for
 * float64) and double one (for float32 and float16). */
static const struct {
    const char *fn;
    long double (*l)(long double);
    double (*d)(double);
} ref1[] = {
    {"exp", expl, exp},       {"log", logl, log},     {"log1p", log1pl, log1p},
    {"sin", sinl, sin},       {"cos", cosl, cos},     {"tan", tanl, tan},
    {"tanh", tanhl, tanh},    {"expm1", expm1l, expm1}, {"cbrt", cbrtl, cbrt},
    {"arccosh", acoshl, acosh}, {"arcsin", asinl, asin},  {"arccos", acosl, acos},
    {"log2", log2l, log2},      {"log10", log10l, log10},
    {"exp2", exp2l, exp2},      {"arcsinh", asinhl, asinh},
    {"arctanh", atanhl, atanh},
    {"arccosh", acoshl, acosh},
    {"arctan", atanl, atan},  {"sinh", sinhl, sinh},   {"cosh", coshl, cosh},
};

/* The reference value of fn at (x, y): long double for float64, double
 * for float32 and float16. */
static long double reference(const char *fn, jx_dtype t, double x, double y)
{
    bool ld = t == JX_FLOAT64;
    for (size_t i = 0; i < NROWS(ref1); i++)
        if (is(fn, ref1[i].fn))
            return ld ? ref1[i].l(x) : ref1[i].d(x);
    if (is(fn, "pow"))
        return ld ? powl(x, y) : pow(x, y);
    return ld ? atan2l(x, y) : atan2(x, y);
}

/* The largest error of fn's results o at the points (x, y) of dtype t. */
static worst measure(const char *fn, jx_dtype t, const char *x, const char *y,
                     const char *o, int64_t n)
{
    fmt f = fmt_of(t);
    worst w = {.clamp = is_sincos(fn)};
    for (int64_t i = 0; i < n; i++) {
        double a = get(t, x, i), b = get(t, y, i), got = get(t, o, i);
        long double v = reference(fn, t, a, b);
        if (!isfinite(a) || !isfinite(b) || isnan(v))
            continue; /* test_special's business */
        /* Past the format's range: the result must be that infinity. */
        if (isinf(v) || fabsl(v) >= ldexpl(1, f.emax + 1) - ldexpl(1, f.emax - f.p)) {
            note(&w, isinf(got) && (got > 0) == (v > 0) ? 0 : INFINITY, a, b,
                 got, v);
            continue;
        }
        note(&w, ulp_error(f, got, v), a, b, got, v);
    }
    return w;
}

/* Measures fn over SWEEP random points of dtype t, or over every float16
 * value when fn has one operand: evaluated at once (the vector loop), and
 * in runs of 15 elements, 14, ..., 1 (the remainders). */
static void sweep(int variant, const char *fn, jx_dtype t)
{
    const char *vname = use_variant(variant);
    if (own_kernel(fn) != NULL)
        ck_assert_msg(!calls_library(fn, t), "%s over %s calls the library",
                      fn, jx_dtype_name(t));
    fmt f = fmt_of(t);
    bool exhaustive = t == JX_FLOAT16 && !two_operands(fn);
    int64_t n = exhaustive ? 65536 : SWEEP;
    size_t sz = jx_dtype_size(t);
    char *x = aligned_alloc(64, (size_t)n * sz);
    char *y = aligned_alloc(64, (size_t)n * sz);
    char *o = aligned_alloc(64, (size_t)n * sz);
    for (int64_t i = 0; i < n; i++) {
        double a, b;
        if (exhaustive) {
            uint16_t bits = (uint16_t)i;
            memcpy(x + 2 * i, &bits, 2);
            put(t, y, i, 0);
            continue;
        }
        sample(fn, f, &a, &b);
        put(t, x, i, a);
        put(t, y, i, b);
    }
    run(fn, t, x, y, o, n);
    worst w = measure(fn, t, x, y, o, n);
    report(vname, exhaustive ? "all" : "sweep", fn, t, &w);
    memset(o, 0, (size_t)n * sz);
    run_in(fn, t, x, y, o, n, true);
    w = measure(fn, t, x, y, o, n);
    report(vname, "rest", fn, t, &w);
    free(x);
    free(y);
    free(o);
}

static const jx_dtype sweep_dtypes[] = {JX_FLOAT64, JX_FLOAT32, JX_FLOAT16};
#define NSWEEP ((int)NFNS * NROWS(sweep_dtypes))

START_TEST(test_sweep)
{
    int k = _i % NSWEEP;
    sweep(_i / NSWEEP, fns[k / NROWS(sweep_dtypes)],
          sweep_dtypes[k % NROWS(sweep_dtypes)]);
}
END_TEST

/* sin, cos and tan with every |x| <= 2^24 (float32: 2^16): vmath_trig.c's
 * kernels (the loop labelled fast.body), which leave an element to the
 * library's functions only when it is out of that range; the sweep above
 * mixes in such elements, so this is where the kernels themselves are
 * measured: SWEEP points, magnitudes log-uniform over [2^-40, 2^24]
 * (float32: 2^16), a quarter of them within 2^-40 to 2^-10 of a multiple
 * of pi/2 up to 2^22 * pi/2 (float32: the floats nearest such multiples,
 * up to 2^14 * pi/2, and a few ULP beside them). */
static void sweep_fast(int variant, const char *fn, jx_dtype t)
{
    const char *vname = use_variant(variant);
    bool f32 = t == JX_FLOAT32;
    jx_var v = {.name = "x", .dtype = t};
    jx_error err;
    char src[16];
    snprintf(src, sizeof src, "%s(x)", fn);
    char *ir = jx_explain(src, &v, 1, JX_EXPLAIN_LLVM, &err);
    ck_assert_msg(ir != NULL, "explain: %s", err.message);
    ck_assert_msg(strstr(ir, "fast.body") != NULL, "%s: no fast loop", src);
    jx_free(ir);
    fmt f = fmt_of(t);
    int64_t n = SWEEP;
    size_t sz = jx_dtype_size(t);
    char *x = aligned_alloc(64, (size_t)n * sz);
    char *o = aligned_alloc(64, (size_t)n * sz);
    for (int64_t i = 0; i < n; i++) {
        double xi;
        if (i % 4 == 0 && !f32) {
            double k = (double)(rnd() % (UINT64_C(1) << 22));
            xi = k * 1.5707963267948966 + sgn() * ldexp(unit(), -10 - (int)(rnd() % 31));
        } else if (i % 4 == 0) {
            float m = (float)((double)(rnd() % (1u << 14)) * 1.5707963267948966);
            for (int s = (int)(rnd() % 7) - 3; s != 0; s += s > 0 ? -1 : 1)
                m = nextafterf(m, s > 0 ? INFINITY : -INFINITY);
            xi = sgn() * m;
        } else {
            xi = sgn() * ldexp(1.0 + unit(), (int)(rnd() % (f32 ? 56 : 64)) - 40);
        }
        put(t, x, i, xi);
    }
    run(fn, t, x, x, o, n);
    worst w = {.clamp = is_sincos(fn)};
    for (int64_t i = 0; i < n; i++) {
        long double want = reference(fn, t, get(t, x, i), 0);
        note(&w, ulp_error(f, get(t, o, i), want), get(t, x, i), 0, get(t, o, i),
             want);
    }
    /* The kernels ran: evaluated in place (the output is the input, so
     * only the library's loop runs), the same data gives other results
     * somewhere. */
    char *e = aligned_alloc(64, (size_t)n * sz);
    memcpy(e, x, (size_t)n * sz);
    run(fn, t, e, e, e, n);
    int64_t differ = 0;
    for (int64_t i = 0; i < n; i++)
        differ += get(t, o, i) != get(t, e, i);
    ck_assert_msg(differ > 0, "%s: the same results as the library's", fn);
    /* Element by element: every 1000th element out of range (huge,
     * infinite, NaN) leaves the others' bits alone and gets the library's
     * value there, whatever chunk it falls in. */
    static const double bad[] = {1e300, -0x1p25, INFINITY, NAN};
    for (int64_t i = 0; i < n; i++)
        put(t, e, i, i % 1000 == 999 ? bad[(i / 1000) % 4] : get(t, x, i));
    char *m = aligned_alloc(64, (size_t)n * sz);
    run(fn, t, e, e, m, n);
    for (int64_t i = 0; i < n; i++) {
        double ei = get(t, e, i), mi = get(t, m, i), oi = get(t, o, i);
        if (i % 1000 != 999) {
            ck_assert_msg(memcmp(m + i * sz, o + i * sz, sz) == 0,
                          "%s(%a): %a beside out-of-range elements, %a without",
                          fn, get(t, x, i), mi, oi);
        } else if (isfinite(ei)) {
            long double want = reference(fn, t, ei, 0);
            ck_assert_msg(ulp_error(f, mi, want) <= MAX_ULPS, "%s(%a) = %a",
                          fn, ei, mi);
        } else {
            ck_assert_msg(isnan(mi), "%s(%a) = %a, not NaN", fn, ei, mi);
        }
    }
    free(m);
    free(e);
    free(x);
    free(o);
    report(vname, "fast", fn, t, &w);
}

START_TEST(test_sweep_fast)
{
    static const char *const fast_fns[] = {"sin", "cos", "tan"};
    sweep_fast(_i / 6, fast_fns[_i % 3], _i % 6 < 3 ? JX_FLOAT64 : JX_FLOAT32);
}
END_TEST

/* ---- NaN, infinities, signed zeros -------------------------------------- */

static bool same(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return a == b && signbit(a) == signbit(b);
}

/* Each special case three ways: alone (the scalar remainder), and in lane
 * 5 and lane 15 of 32 ordinary elements (the vector loop). */
START_TEST(test_special)
{
    const char *vname = use_variant(_i);
    int bad = 0, n = 0;
    for (int s = 0; s < NROWS(acc_specials); s++) {
        const struct acc_special *c = &acc_specials[s];
        jx_dtype t = jx_dtype_from_name(c->dtype);
        static const int64_t lanes[][2] = {{1, 0}, {32, 5}, {32, 15}};
        for (int k = 0; k < 3; k++) {
            double x[32], y[32], o[32]; /* big enough for any dtype */
            int64_t len = lanes[k][0], at = lanes[k][1];
            for (int64_t i = 0; i < len; i++) {
                put(t, x, i, 0.75);
                put(t, y, i, 1.25);
            }
            put(t, x, at, c->x);
            put(t, y, at, c->y);
            run(c->fn, t, x, y, o, len);
            double got = get(t, o, at);
            n++;
            if (!same(got, c->want)) {
                printf("mathacc: %s %s(%a, %a) %s in %lld elements: got %a, "
                       "NumPy %a\n",
                       vname, c->fn, c->x, c->y, c->dtype, (long long)len, got,
                       c->want);
                bad++;
            }
        }
    }
    printf("mathacc: %-6s special: %d of %d cases as NumPy\n", vname, n - bad, n);
    ck_assert_msg(bad == 0, "%s: %d special cases differ from NumPy (see the log)",
                  vname, bad);
}
END_TEST

/* Every function and dtype of the op table's math has a table. */
START_TEST(test_coverage)
{
    for (size_t f = 0; f < NFNS; f++)
        for (int d = 0; d < 2; d++) {
            bool found = false;
            for (int k = 0; k < NROWS(acc_tables); k++)
                found |= strcmp(acc_tables[k].fn, fns[f]) == 0 &&
                         strcmp(acc_tables[k].dtype, d ? "float32" : "float64") == 0 &&
                         acc_tables[k].n >= 300;
            ck_assert_msg(found, "no table of %s over %s", fns[f],
                          d ? "float32" : "float64");
        }
}
END_TEST

static Suite *mathacc_suite(void)
{
    Suite *s = suite_create("mathacc");
    static const char *const names[] = {"best", "avx2", "libm"};
    for (int v = 0; v < NROWS(variant_env); v++) {
        TCase *tc = tcase_create(names[v]);
        tcase_set_timeout(tc, 600);
        int nt = NROWS(acc_tables);
        tcase_add_loop_test(tc, test_table, v * nt, (v + 1) * nt);
        tcase_add_loop_test(tc, test_sweep, v * NSWEEP, (v + 1) * NSWEEP);
        tcase_add_loop_test(tc, test_sweep_fast, 6 * v, 6 * v + 6);
        tcase_add_loop_test(tc, test_special, v, v + 1);
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("data");
    tcase_add_test(tc, test_coverage);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return test_main(mathacc_suite()); }
