/* check_reduce.c - reductions: sum prod min max any all mean, whole array
 * and along an axis (negative too), over expressions, dtypes and layouts,
 * against reference loops; NumPy's result dtypes; NaN propagation; empty
 * inputs; accuracy of float sums where naive summation loses digits; the
 * same bits on 1 thread and on 4; the errors.
 *
 * Tolerances: integer and bool results exact; float64 results within
 * 1e-12 relative of a long double reference (sums of up to 1e5 terms in
 * blocks and pairs); float32 within 1e-5 relative (float32 inputs,
 * accumulated in float64, rounded once to float32).  Complex: the
 * references are computed per part in long double; complex128 sums and
 * means within 1e-12 of max(1, |reference|) (the distance between the
 * complex values), products of unit-modulus values (sequential within a
 * block, three roundings per multiply) within 1e-11; complex64 within
 * 1e-5 (complex64 elements, accumulated in complex128, rounded once); min,
 * max (NumPy's lexicographic order, the first NaN wins), any and all
 * exact. */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitexpr.h"
#include "testutil.h"

static jx_array make2(jx_dtype t, void *data, int64_t m, int64_t n, int fortran)
{
    jx_array a;
    memset(&a, 0, sizeof a);
    int64_t item = (int64_t)jx_dtype_size(t);
    a.data = data;
    a.dtype = t;
    a.ndim = 2;
    a.shape[0] = m;
    a.shape[1] = n;
    a.strides[0] = fortran ? item : n * item;
    a.strides[1] = fortran ? m * item : item;
    return a;
}

static double elem(const jx_array *a, int64_t i, int64_t j)
{
    const char *p = (const char *)a->data + i * a->strides[0] + j * a->strides[1];
    switch (a->dtype) {
    case JX_BOOL: return *(const uint8_t *)p;
    case JX_INT32: return *(const int32_t *)p;
    case JX_INT64: return (double)*(const int64_t *)p;
    case JX_FLOAT32: return *(const float *)p;
    default: return *(const double *)p;
    }
}

static double result_at(const jx_array *r, int64_t i)
{
    const char *p = (const char *)r->data + (r->ndim ? i * r->strides[0] : 0);
    switch (r->dtype) {
    case JX_BOOL: return *(const uint8_t *)p;
    case JX_INT32: return *(const int32_t *)p;
    case JX_INT64: return (double)*(const int64_t *)p;
    case JX_UINT64: return (double)*(const uint64_t *)p;
    case JX_FLOAT32: return *(const float *)p;
    default: return *(const double *)p;
    }
}

/* Reference: the reduction of f(a, b) = a*b - a (or a for "a" rows). */
enum { F_A, F_AB };
static long double ref_reduce(const char *op, const jx_array *a, const jx_array *b, int f,
                              int axis, int64_t k)
{
    int64_t m = a->shape[0], n = a->shape[1];
    long double r = !strcmp(op, "prod") || !strcmp(op, "all") ? 1
                    : !strcmp(op, "min") ? INFINITY : !strcmp(op, "max") ? -INFINITY : 0;
    int64_t cnt = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            if ((axis == 0 && j != k) || (axis == 1 && i != k))
                continue;
            long double v = f == F_A ? elem(a, i, j) : elem(a, i, j) * elem(b, i, j) - elem(a, i, j);
            cnt++;
            if (!strcmp(op, "sum") || !strcmp(op, "mean")) r += v;
            else if (!strcmp(op, "prod")) r *= v;
            else if (!strcmp(op, "min")) r = isnan(v) || isnan(r) ? NAN : v < r ? v : r;
            else if (!strcmp(op, "max")) r = isnan(v) || isnan(r) ? NAN : v > r ? v : r;
            else if (!strcmp(op, "any")) r = r || v != 0;
            else if (!strcmp(op, "all")) r = r && v != 0;
        }
    return !strcmp(op, "mean") ? r / cnt : r;
}

/* ---- complex ------------------------------------------------------------- */

typedef struct lcx {
    long double re; /* real part */
    long double im; /* imaginary part */
} lcx;

static lcx celem(const jx_array *a, int64_t i, int64_t j)
{
    const char *p = (const char *)a->data + i * a->strides[0] + j * a->strides[1];
    lcx z;
    if (a->dtype == JX_COMPLEX64) {
        z.re = ((const float *)p)[0];
        z.im = ((const float *)p)[1];
    } else {
        z.re = ((const double *)p)[0];
        z.im = ((const double *)p)[1];
    }
    return z;
}

static lcx cresult_at(const jx_array *r, int64_t i)
{
    const char *p = (const char *)r->data + (r->ndim ? i * r->strides[0] : 0);
    lcx z = {0, 0};
    switch (r->dtype) {
    case JX_BOOL: z.re = *(const uint8_t *)p; break;
    case JX_COMPLEX64: z.re = ((const float *)p)[0]; z.im = ((const float *)p)[1]; break;
    default: z.re = ((const double *)p)[0]; z.im = ((const double *)p)[1]; break;
    }
    return z;
}

static lcx cmul(lcx x, lcx y)
{
    lcx r = {x.re * y.re - x.im * y.im, x.re * y.im + x.im * y.re};
    return r;
}

static bool cnan(lcx z) { return isnan(z.re) || isnan(z.im); }

/* np.maximum (ge) or np.minimum of complex x, y: x if it has a NaN part or
 * is >= y (<= y) in the lexicographic order, else y. */
static lcx cminmax(lcx x, lcx y, bool ge)
{
    bool lead = (ge ? x.re > y.re : x.re < y.re) && !isnan(x.im) && !isnan(y.im);
    bool tie = x.re == y.re && (ge ? x.im >= y.im : x.im <= y.im);
    return cnan(x) || lead || tie ? x : y;
}

/* Reference of the complex reductions, as ref_reduce; any and all give
 * 0 or 1 in the real part. */
static lcx cref_reduce(const char *op, const jx_array *a, const jx_array *b, int f,
                       int axis, int64_t k)
{
    int64_t m = a->shape[0], n = a->shape[1];
    lcx r = {!strcmp(op, "prod") || !strcmp(op, "all") ? 1 : 0, 0};
    int64_t cnt = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            if ((axis == 0 && j != k) || (axis == 1 && i != k))
                continue;
            lcx v = celem(a, i, j);
            if (f == F_AB) {
                v = cmul(v, celem(b, i, j));
                v.re -= celem(a, i, j).re;
                v.im -= celem(a, i, j).im;
            }
            bool nz = v.re != 0 || v.im != 0;
            if (!strcmp(op, "sum") || !strcmp(op, "mean")) r.re += v.re, r.im += v.im;
            else if (!strcmp(op, "prod")) r = cmul(r, v);
            else if (!strcmp(op, "min")) r = cnt == 0 ? v : cminmax(r, v, false);
            else if (!strcmp(op, "max")) r = cnt == 0 ? v : cminmax(r, v, true);
            else if (!strcmp(op, "any")) r.re = r.re != 0 || nz;
            else if (!strcmp(op, "all")) r.re = r.re != 0 && nz;
            cnt++;
        }
    if (!strcmp(op, "mean"))
        r.re /= cnt, r.im /= cnt;
    return r;
}

static const char *const ops[] = {"sum", "prod", "min", "max", "any", "all", "mean"};
static const jx_dtype dtypes[] = {JX_FLOAT64, JX_FLOAT32, JX_INT32, JX_INT64, JX_BOOL};
/* axis: -2 none; others as written (-1 is the last) */
static const int axes[] = {-2, 0, 1, -1};
static const struct { int64_t m, n; int fortran; } shapes[] = {
    {1, 1, 0}, {3, 5, 0}, {7, 1100, 0}, {1100, 7, 0}, {6, 2500, 1}, {4, 3000, 0},
};

static jx_dtype numpy_result(const char *op, jx_dtype t)
{
    if (!strcmp(op, "any") || !strcmp(op, "all"))
        return JX_BOOL;
    if (t == JX_COMPLEX64 || t == JX_COMPLEX128)
        return t;
    if (!strcmp(op, "mean"))
        return t == JX_FLOAT32 ? JX_FLOAT32 : JX_FLOAT64;
    if (!strcmp(op, "sum") || !strcmp(op, "prod"))
        return t == JX_FLOAT32 || t == JX_FLOAT64 ? t : JX_INT64;
    return t; /* min, max */
}

/* op over a (F_A) or a*b - a (F_AB) of in[], all of it (axes[x] = -2) or
 * along axes[x]: compiles it into src, checks NumPy's result dtype,
 * evaluates it into *r (the caller frees r->data) and checks the result's
 * shape.  Returns the number of results; *axis: 0, 1 or -2 (all). */
static int64_t run_reduction(const char *op, int f, int x, jx_dtype t, jx_array *in,
                             int64_t m, int64_t n, char *src, size_t size,
                             jx_array *r, int *axis)
{
    jx_var vars[2] = {{"a", t}, {"b", t}};
    const char *body = f == F_A ? "a" : "a*b - a";
    if (axes[x] == -2)
        snprintf(src, size, "%s(%s)", op, body);
    else
        snprintf(src, size, "%s(%s, axis=%d)", op, body, axes[x]);
    jx_error err;
    jx_expr *e = jx_compile(src, vars, 2, 0, &err);
    ck_assert_msg(e != NULL, "%s over %s: %s", src, jx_dtype_name(t), err.message);
    jx_dtype rt = numpy_result(op, t);
    ck_assert_msg(jx_expr_dtype(e) == rt, "%s over %s gives %s, NumPy %s", src,
                  jx_dtype_name(t), jx_dtype_name(jx_expr_dtype(e)), jx_dtype_name(rt));
    ck_assert_msg(jx_eval_new(e, in, r, &err) == 0, "%s: %s", src, err.message);
    jx_expr_free(e);
    *axis = axes[x] == -1 ? 1 : axes[x];
    int64_t nres = *axis == -2 ? 1 : *axis == 0 ? n : m;
    ck_assert_int_eq(r->ndim, *axis == -2 ? 0 : 1);
    if (r->ndim)
        ck_assert_int_eq(r->shape[0], nres);
    return nres;
}

/* Every reduction over complex64 and complex128, every axis and shape:
 * sums and means of a*b - a (parts in (0.5, 1.5)); products of values on
 * the unit circle (finite over 15000 elements); min and max of a whose
 * real parts take 8 values (ties decided by the imaginary part); any and
 * all of a with zeros, and values with one part zero. */
static const jx_dtype cdtypes[] = {JX_COMPLEX128, JX_COMPLEX64};

START_TEST(test_complex_reductions)
{
    int s = _i % NROWS(shapes), x = (_i / NROWS(shapes)) % NROWS(axes);
    int ti = (_i / NROWS(shapes) / NROWS(axes)) % NROWS(cdtypes);
    int oi = _i / NROWS(shapes) / NROWS(axes) / NROWS(cdtypes);
    const char *op = ops[oi];
    jx_dtype t = cdtypes[ti];
    int64_t m = shapes[s].m, n = shapes[s].n;
    int f = !strcmp(op, "sum") || !strcmp(op, "mean") ? F_AB : F_A;
    size_t item = jx_dtype_size(t);
    char *da = malloc((size_t)(m * n) * item), *db = malloc((size_t)(m * n) * item);
    for (int64_t i = 0; i < m * n; i++) {
        uint64_t h = (uint64_t)(i + 7) * 0x9E3779B97F4A7C15ull;
        double u1 = (double)(h >> 40) / (double)(1ull << 24);
        double u2 = (double)((h >> 16) & 0xffffff) / (double)(1 << 24);
        double ar = 0.5 + u1, ai = 0.5 + u2, br = 0.5 + u2, bi = 1.5 - u1;
        if (!strcmp(op, "prod")) {
            ar = cos(6.283185307179586 * u1);
            ai = sin(6.283185307179586 * u1);
        } else if (!strcmp(op, "min") || !strcmp(op, "max")) {
            ar = 0.5 + (double)((h >> 40) % 8) / 8;
        } else if (!strcmp(op, "any") || !strcmp(op, "all")) {
            int kind = (int)((h >> 33) % 9);
            ar = kind == 0 || kind == 1 ? 0 : ar;
            ai = kind == 0 || kind == 2 ? 0 : ai;
        }
        if (t == JX_COMPLEX64) {
            float *pa = (float *)da + 2 * i, *pb = (float *)db + 2 * i;
            pa[0] = (float)ar, pa[1] = (float)ai, pb[0] = (float)br, pb[1] = (float)bi;
        } else {
            double *pa = (double *)da + 2 * i, *pb = (double *)db + 2 * i;
            pa[0] = ar, pa[1] = ai, pb[0] = br, pb[1] = bi;
        }
    }
    jx_array in[2] = {make2(t, da, m, n, shapes[s].fortran), make2(t, db, m, n, 0)};
    char src[80];
    jx_array r;
    int axis;
    int64_t nres = run_reduction(op, f, x, t, in, m, n, src, sizeof src, &r, &axis);
    bool exact = !strcmp(op, "any") || !strcmp(op, "all") || !strcmp(op, "min") ||
                 !strcmp(op, "max");
    double tol = exact ? 0 : t == JX_COMPLEX64 ? 1e-5 : !strcmp(op, "prod") ? 1e-11 : 1e-12;
    for (int64_t k = 0; k < nres; k++) {
        lcx want = cref_reduce(op, &in[0], &in[1], f, axis, k);
        lcx got = cresult_at(&r, k);
        long double d = hypotl(got.re - want.re, got.im - want.im);
        ck_assert_msg(d <= tol * fmaxl(1, hypotl(want.re, want.im)),
                      "%s over %s (%lldx%lld%s): result %lld is %.17Lg%+.17Lgj, want "
                      "%.17Lg%+.17Lgj", src, jx_dtype_name(t), (long long)m, (long long)n,
                      shapes[s].fortran ? " F" : "", (long long)k, got.re, got.im,
                      want.re, want.im);
    }
    jx_free(r.data);
    free(da);
    free(db);
}
END_TEST

START_TEST(test_reductions)
{
    int s = _i % NROWS(shapes), x = (_i / NROWS(shapes)) % NROWS(axes);
    int ti = (_i / NROWS(shapes) / NROWS(axes)) % NROWS(dtypes);
    int oi = _i / NROWS(shapes) / NROWS(axes) / NROWS(dtypes);
    const char *op = ops[oi];
    jx_dtype t = dtypes[ti];
    int64_t m = shapes[s].m, n = shapes[s].n;
    int f = t == JX_BOOL || !strcmp(op, "prod") ? F_A : F_AB;
    /* Values: floats in (0.5, 1.5) so products stay finite; ints 1..3 for
     * prod over few elements, else -50..50; bools a pattern. */
    size_t item = jx_dtype_size(t);
    char *da = malloc((size_t)(m * n) * item), *db = malloc((size_t)(m * n) * item);
    for (int64_t i = 0; i < m * n; i++) {
        double va, vb;
        uint64_t h = (uint64_t)(i + 7) * 0x9E3779B97F4A7C15ull;
        if (t == JX_FLOAT32 || t == JX_FLOAT64) {
            va = 0.5 + (double)(h >> 40) / (double)(1ull << 24);
            vb = 0.5 + (double)((h >> 16) & 0xffffff) / (double)(1 << 24);
        } else if (t == JX_BOOL) {
            va = (h >> 33) % 7 != 0;
            vb = (h >> 35) % 3 != 0;
        } else if (!strcmp(op, "prod")) {
            va = 1 + (double)((h >> 33) % 2) * ((i % 401) == 0); /* < 2^40 */
            vb = 1;
        } else {
            va = (double)((int64_t)((h >> 33) % 101) - 50);
            vb = (double)((int64_t)((h >> 20) % 11) - 5);
        }
        switch (t) {
        case JX_FLOAT64: ((double *)da)[i] = va; ((double *)db)[i] = vb; break;
        case JX_FLOAT32: ((float *)da)[i] = (float)va; ((float *)db)[i] = (float)vb; break;
        case JX_INT32: ((int32_t *)da)[i] = (int32_t)va; ((int32_t *)db)[i] = (int32_t)vb; break;
        case JX_INT64: ((int64_t *)da)[i] = (int64_t)va; ((int64_t *)db)[i] = (int64_t)vb; break;
        default: ((uint8_t *)da)[i] = (uint8_t)va; ((uint8_t *)db)[i] = (uint8_t)vb; break;
        }
    }
    jx_array in[2] = {make2(t, da, m, n, shapes[s].fortran), make2(t, db, m, n, 0)};
    char src[80];
    jx_array r;
    int axis;
    int64_t nres = run_reduction(op, f, x, t, in, m, n, src, sizeof src, &r, &axis);
    jx_dtype rt = numpy_result(op, t);
    double tol = rt == JX_FLOAT64 ? 1e-12 : rt == JX_FLOAT32 ? 1e-5 : 0;
    for (int64_t k = 0; k < nres; k++) {
        long double want = ref_reduce(op, &in[0], &in[1], f, axis, k);
        double got = result_at(&r, k);
        ck_assert_msg(fabsl(got - want) <= tol * fmaxl(1, fabsl(want)),
                      "%s over %s (%lldx%lld%s): result %lld is %.17g, want %.17Lg", src,
                      jx_dtype_name(t), (long long)m, (long long)n,
                      shapes[s].fortran ? " F" : "", (long long)k, got, want);
    }
    jx_free(r.data);
    free(da);
    free(db);
}
END_TEST

/* src over n elements of a (dtype t), into *r (the caller frees r->data). */
static void eval_new(const char *src, jx_dtype t, void *data, int64_t n,
                     jx_array *r)
{
    jx_var v = {"a", t};
    jx_error err;
    jx_expr *e = jx_compile(src, &v, 1, 0, &err);
    ck_assert_msg(e != NULL, "%s: %s", src, err.message);
    jx_array in = test_vec(t, data, n);
    ck_assert_msg(jx_eval_new(e, &in, r, &err) == 0, "%s: %s", src, err.message);
    jx_expr_free(e);
}

static double eval1(const char *src, jx_dtype t, void *data, int64_t n)
{
    jx_array r;
    eval_new(src, t, data, n, &r);
    double x = result_at(&r, 0);
    jx_free(r.data);
    return x;
}

/* src over n elements of a (dtype t); the first result as complex parts. */
static lcx evalc(const char *src, jx_dtype t, void *data, int64_t n)
{
    jx_array r;
    eval_new(src, t, data, n, &r);
    lcx z = cresult_at(&r, 0);
    jx_free(r.data);
    return z;
}

/* min and max propagate NaN wherever it is, as NumPy (numexpr #535). */
START_TEST(test_nan)
{
    static const int64_t where[] = {0, 1, 1023, 1024, 5000, 99999};
    enum { N = 100000 };
    double *a = malloc(N * sizeof *a);
    for (int w = 0; w < NROWS(where); w++) {
        for (int i = 0; i < N; i++)
            a[i] = i % 17;
        a[where[w]] = NAN;
        ck_assert_msg(isnan(eval1("min(a)", JX_FLOAT64, a, N)), "min, NaN at %lld", (long long)where[w]);
        ck_assert_msg(isnan(eval1("max(a)", JX_FLOAT64, a, N)), "max, NaN at %lld", (long long)where[w]);
        ck_assert(isnan(eval1("sum(a)", JX_FLOAT64, a, N)));
    }
    free(a);
}
END_TEST

/* Complex min and max return the first element with a NaN part, whatever
 * block it falls in (np.min, np.max); a NaN part makes its sum's part NaN
 * only. */
START_TEST(test_complex_nan)
{
    static const int64_t where[] = {0, 1, 1023, 1024, 5000, 99999};
    enum { N = 100000 };
    double *z = malloc(2 * N * sizeof *z);
    for (int w = 0; w < NROWS(where); w++) {
        for (int i = 0; i < N; i++) {
            z[2 * i] = i % 17;
            z[2 * i + 1] = i % 5;
        }
        int64_t at = where[w], later = (at + 77) % N;
        z[2 * at] = 3, z[2 * at + 1] = NAN; /* 3+nanj, then nan+2j later */
        z[2 * later] = NAN, z[2 * later + 1] = 2;
        bool first = later > at;
        for (int o = 0; o < 2; o++) {
            lcx r = evalc(o ? "max(a)" : "min(a)", JX_COMPLEX128, z, N);
            ck_assert_msg(first ? r.re == 3 && isnan(r.im) : isnan(r.re) && r.im == 2,
                          "%s, NaN at %lld and %lld: %Lg%+Lgj", o ? "max" : "min",
                          (long long)at, (long long)later, r.re, r.im);
        }
        z[2 * later] = 1; /* only the imaginary part of one element NaN */
        lcx s = evalc("sum(a)", JX_COMPLEX128, z, N);
        ck_assert(!isnan(s.re) && isnan(s.im));
    }
    free(z);
}
END_TEST

/* Float sums must not lose the digits naive summation loses. */
START_TEST(test_accuracy)
{
    enum { N = 10000000 };
    float *a = malloc(N * sizeof *a);
    double exact = 0;
    float naive = 0;
    for (int i = 0; i < N; i++) {
        a[i] = 0.1f + (float)(i % 1000) * 1e-4f;
        exact += a[i]; /* double: exact enough here (error << float32 ulp) */
        naive += a[i];
    }
    double got = eval1("sum(a)", JX_FLOAT32, a, N);
    double rel = fabs(got - exact) / exact;
    double naive_rel = fabs((double)naive - exact) / exact;
    /* Pairwise in float32 would be ~log2(N)*2^-24 ~ 1.4e-6; we do better. */
    ck_assert_msg(rel < 1e-6, "sum relative error %g", rel);
    ck_assert_msg(naive_rel > 1e-3, "the data does not defeat naive summation (%g)", naive_rel);
    free(a);
}
END_TEST

/* Partials combine in a fixed order: the same bits on 1 thread and on 4. */
START_TEST(test_threads_same_bits)
{
    enum { N = 3000017 };
    double *a = malloc(N * sizeof *a);
    for (int i = 0; i < N; i++)
        a[i] = sin(i) * 1e3;
    int old = jx_set_num_threads(1);
    double one = eval1("sum(a*a - a)", JX_FLOAT64, a, N);
    jx_set_num_threads(4);
    double four = eval1("sum(a*a - a)", JX_FLOAT64, a, N);
    double mean4 = eval1("mean(a)", JX_FLOAT64, a, N);
    jx_set_num_threads(old);
    ck_assert(memcmp(&one, &four, sizeof one) == 0);
    long double ref = 0;
    for (int i = 0; i < N; i++)
        ref += (long double)a[i];
    ck_assert(fabsl(mean4 - ref / N) < 1e-12L * 1e3L);
    /* Complex: the same a as the real parts, cos(i) as the imaginary; every
     * complex reduction that rounds, in both complex dtypes. */
    double *z = malloc(2 * N * sizeof *z);
    float *zf = malloc(2 * N * sizeof *zf);
    for (int i = 0; i < N; i++) {
        z[2 * i] = a[i] * 1e-3, z[2 * i + 1] = cos(i);
        zf[2 * i] = (float)z[2 * i], zf[2 * i + 1] = (float)z[2 * i + 1];
    }
    static const char *const csrc[] = {"sum(a*a - a)", "mean(a)", "prod(a / abs(a))",
                                       "max(a)"};
    for (int k = 0; k < NROWS(csrc); k++)
        for (int w = 0; w < 2; w++) {
            jx_dtype t = w ? JX_COMPLEX64 : JX_COMPLEX128;
            void *d = w ? (void *)zf : (void *)z;
            jx_set_num_threads(1);
            lcx c1 = evalc(csrc[k], t, d, N);
            jx_set_num_threads(4);
            lcx c4 = evalc(csrc[k], t, d, N);
            jx_set_num_threads(old);
            double b1[2] = {(double)c1.re, (double)c1.im}; /* exact */
            double b4[2] = {(double)c4.re, (double)c4.im};
            ck_assert_msg(memcmp(b1, b4, sizeof b1) == 0,
                          "%s over %s: %.17Lg%+.17Lgj on 1 thread, %.17Lg%+.17Lgj on 4",
                          csrc[k], jx_dtype_name(t), c1.re, c1.im, c4.re, c4.im);
        }
    free(z);
    free(zf);
    free(a);
}
END_TEST

/* src (min or max) over an empty a of dtype t: a shape error, "no
 * identity", as NumPy's. */
static void check_no_identity(const char *src, jx_dtype t, void *data)
{
    jx_var v = {"a", t};
    jx_error err;
    jx_expr *e = jx_compile(src, &v, 1, 0, &err);
    ck_assert_ptr_nonnull(e);
    jx_array in = test_vec(t, data, 0), r;
    ck_assert_int_eq(jx_eval_new(e, &in, &r, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(err.message, "no identity"));
    jx_expr_free(e);
}

START_TEST(test_empty)
{
    double a[1] = {0};
    ck_assert_double_eq(eval1("sum(a)", JX_FLOAT64, a, 0), 0);
    ck_assert_double_eq(eval1("prod(a)", JX_FLOAT64, a, 0), 1);
    ck_assert_double_eq(eval1("any(a)", JX_FLOAT64, a, 0), 0);
    ck_assert_double_eq(eval1("all(a)", JX_FLOAT64, a, 0), 1);
    ck_assert(isnan(eval1("mean(a)", JX_FLOAT64, a, 0)));
    check_no_identity("min(a)", JX_FLOAT64, a);
}
END_TEST

/* Empty complex: sum 0, prod 1, mean nan+nanj (as NumPy, which warns),
 * any False, all True; min and max have no identity. */
START_TEST(test_complex_empty)
{
    double z[2] = {0, 0};
    for (int w = 0; w < 2; w++) {
        jx_dtype t = w ? JX_COMPLEX64 : JX_COMPLEX128;
        lcx s = evalc("sum(a)", t, z, 0), p = evalc("prod(a)", t, z, 0);
        lcx mean = evalc("mean(a)", t, z, 0);
        ck_assert(s.re == 0 && s.im == 0 && p.re == 1 && p.im == 0);
        ck_assert(isnan(mean.re) && isnan(mean.im));
        ck_assert(evalc("any(a)", t, z, 0).re == 0 && evalc("all(a)", t, z, 0).re == 1);
        check_no_identity("max(a)", t, z);
    }
}
END_TEST

/* Reductions along an axis of empty 2-D arrays, NumPy's rule: min and
 * max fail ("no identity") when the reduced axis has length 0, even when
 * the result would be empty as well (np.empty((0, 0)).max(axis=1)); else
 * the result has its shape, empty or not, and the others their identity
 * (mean: NaN, as NumPy's, which warns). */
static const struct {
    const char *src;
    int64_t m, n; /* the shape of a */
    int64_t len;  /* elements of the result, or -1: the "no identity" error */
    double value; /* each element of the result */
} empty_axis_rows[] = {
    {"max(a, axis=1)", 0, 0, -1, 0},
    {"min(a, axis=1)", 0, 0, -1, 0},
    {"max(a, axis=0)", 0, 0, -1, 0},
    {"min(a, axis=-1)", 0, 0, -1, 0},
    {"max(a, axis=1)", 0, 3, 0, 0}, /* NumPy: shape (0,) */
    {"min(a, axis=1)", 0, 3, 0, 0},
    {"max(a, axis=0)", 3, 0, 0, 0},
    {"max(a, axis=1)", 3, 0, -1, 0},
    {"min(a, axis=0)", 0, 3, -1, 0},
    {"max(a)", 0, 3, -1, 0},
    {"sum(a, axis=1)", 0, 0, 0, 0},
    {"sum(a, axis=1)", 3, 0, 3, 0},
    {"prod(a, axis=0)", 0, 3, 3, 1},
    {"mean(a, axis=0)", 0, 3, 3, NAN},
    {"mean(a, axis=1)", 0, 0, 0, 0},
};
static const jx_dtype empty_dtypes[] = {JX_FLOAT64, JX_FLOAT32, JX_INT32, JX_INT64,
                                        JX_BOOL, JX_COMPLEX128};

START_TEST(test_empty_axis)
{
    int row = _i / NROWS(empty_dtypes);
    jx_dtype t = empty_dtypes[_i % NROWS(empty_dtypes)];
    const char *src = empty_axis_rows[row].src;
    jx_var v = {"a", t};
    jx_error err;
    jx_expr *e = jx_compile(src, &v, 1, 0, &err);
    ck_assert_msg(e != NULL, "%s: %s", src, err.message);
    double d[2] = {0};
    jx_array in = make2(t, d, empty_axis_rows[row].m, empty_axis_rows[row].n, 0), r;
    int rc = jx_eval_new(e, &in, &r, &err);
    jx_expr_free(e);
    if (empty_axis_rows[row].len < 0) {
        ck_assert_msg(rc == -1 && err.code == JX_ERR_SHAPE &&
                      strstr(err.message, "which has no identity") != NULL,
                      "%s of (%lld, %lld) %s: rc %d, %s", src,
                      (long long)empty_axis_rows[row].m, (long long)empty_axis_rows[row].n,
                      jx_dtype_name(t), rc, rc ? err.message : "no error");
        return;
    }
    ck_assert_msg(rc == 0, "%s: %s", src, err.message);
    ck_assert_int_eq(r.shape[0], empty_axis_rows[row].len);
    for (int64_t i = 0; i < r.shape[0]; i++) {
        double got = result_at(&r, i), want = empty_axis_rows[row].value;
        ck_assert_msg(isnan(want) ? isnan(got) : got == want, "%s: %g", src, got);
    }
    jx_free(r.data);
}
END_TEST

static const struct {
    const char *src;
    jx_code code;
    int offset;
    const char *words;
} error_rows[] = {
    {"sum(a) + 1", JX_ERR_SYNTAX, 0, "outermost"},
    {"2 * max(a)", JX_ERR_SYNTAX, 4, "outermost"},
    {"sum(a, axis=a)", JX_ERR_TYPE, 12, "integer constant"},
    {"sum(a, axis=1.5)", JX_ERR_TYPE, 12, "integer constant"},
    {"sum(a, keepdims=1)", JX_ERR_ARITY, 7, "optional axis"},
    {"sum()", JX_ERR_ARITY, 0, "optional axis"},
    {"sin(a, axis=1)", JX_ERR_ARITY, 7, "unexpected keyword argument 'axis'"},
};

START_TEST(test_errors)
{
    jx_var v = {"a", JX_FLOAT64};
    jx_error err;
    ck_assert_ptr_null(jx_compile(error_rows[_i].src, &v, 1, 0, &err));
    ck_assert_msg(err.code == error_rows[_i].code && err.offset == error_rows[_i].offset,
                  "%s: code %d offset %lld: %s", error_rows[_i].src, err.code,
                  (long long)err.offset, err.message);
    ck_assert_msg(strstr(err.message, error_rows[_i].words) != NULL, "%s: %s",
                  error_rows[_i].src, err.message);
}
END_TEST

START_TEST(test_axis_out_of_range)
{
    jx_var v = {"a", JX_FLOAT64};
    jx_error err;
    jx_expr *e = jx_compile("sum(a, axis=2)", &v, 1, 0, &err);
    ck_assert_ptr_nonnull(e);
    double d[6] = {0};
    jx_array in = make2(JX_FLOAT64, d, 2, 3, 0), r;
    ck_assert_int_eq(jx_eval_new(e, &in, &r, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(err.message, "axis 2 is out of bounds"));
    jx_expr_free(e);
}
END_TEST

static Suite *reduce_suite(void)
{
    Suite *s = suite_create("reduce");
    TCase *tc = tcase_create("reduce");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_reductions, 0,
                        NROWS(ops) * NROWS(dtypes) * NROWS(axes) * NROWS(shapes));
    tcase_add_loop_test(tc, test_complex_reductions, 0,
                        NROWS(ops) * NROWS(cdtypes) * NROWS(axes) * NROWS(shapes));
    tcase_add_test(tc, test_nan);
    tcase_add_test(tc, test_complex_nan);
    tcase_add_test(tc, test_accuracy);
    tcase_add_test(tc, test_threads_same_bits);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_complex_empty);
    tcase_add_loop_test(tc, test_empty_axis, 0,
                        NROWS(empty_axis_rows) * NROWS(empty_dtypes));
    tcase_add_loop_test(tc, test_errors, 0, NROWS(error_rows));
    tcase_add_test(tc, test_axis_out_of_range);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return test_main(reduce_suite()); }
