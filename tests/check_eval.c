/* check_eval.c - end to end through the public API: expressions x dtypes x
 * layouts (contiguous, strided, reversed, scalar and 2-D broadcast,
 * Fortran order, 0-d, empty, n not a multiple of the vector width),
 * compared with a reference computed here in double precision; overlap,
 * caching, errors and concurrent callers.
 *
 * Tolerances: integer and bool results are exact (values are small, so
 * the double reference is exact too); float64 within 1e-13 relative (a few
 * ulp over an expression of several operations); float32 within 2e-6
 * relative (float32 rounding at each operation against a double
 * reference: ~4 operations * 2^-24 each, doubled for libm). */
#include <check.h>
#include <complex.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitexpr.h"
#include "testutil.h"

#ifndef CMPLX /* glibc defines it for GCC 4.7 and later only, not clang */
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif

typedef double (*ref_fn)(double a, double b, double c);

static double r_lin(double a, double b, double c) { return 2 * a + 3 * b; }
static double r_fma(double a, double b, double c) { return a * b + c; }
static double r_sub(double a, double b, double c) { return a - b * c; }
static double r_where(double a, double b, double c) { return a > b ? a : c; }
static double r_mask(double a, double b, double c) { return (a > 0.5) && (b < 0.7); }
static double r_trig(double a, double b, double c) { return sqrt(a) + sin(b) * cos(c); }
static double r_gauss(double a, double b, double c) { return exp(-a * a / 2); }
static double r_logtan(double a, double b, double c) { return log(a) + tan(b); }
static double r_absdiff(double a, double b, double c) { return fabs(a - b); }
static double r_pow(double a, double b, double c) { return a * a + b * b * b; }
static double r_div(double a, double b, double c) { return a / b; }
static double r_floordiv(double a, double b, double c) { return -a + floor(b / c); }
static double r_mod(double a, double b, double c) { return fmod(a, 7.0); }
static double r_bits(double a, double b, double c)
{
    return (double)(((int64_t)a & (int64_t)b) | ((int64_t)c << 2));
}
static double r_cmp(double a, double b, double c) { return (a < b) == (b < c); }
static double r_const(double a, double b, double c) { return a + 1.5 * 2; }

/* kinds of dtype a row runs over */
#define INTS 1
#define FLOATS 2
#define BOOLS 4

static const struct {
    const char *src;
    ref_fn ref;
    unsigned kinds;
    int bool_result;  /* the result is bool */
    int float_result; /* ints give float64 */
} rows[] = {
    {"2*a + 3*b", r_lin, INTS | FLOATS, 0, 0},
    {"a*b + c", r_fma, INTS | FLOATS, 0, 0},
    {"a - b*c", r_sub, INTS | FLOATS, 0, 0},
    {"where(a > b, a, c)", r_where, INTS | FLOATS, 0, 0},
    {"(a > 0.5) & (b < 0.7)", r_mask, FLOATS, 1, 0},
    {"sqrt(a) + sin(b) * cos(c)", r_trig, FLOATS, 0, 1},
    {"exp(-a*a/2)", r_gauss, FLOATS, 0, 1},
    {"log(a) + tan(b)", r_logtan, FLOATS, 0, 1},
    {"abs(a - b)", r_absdiff, INTS | FLOATS, 0, 0},
    {"a**2 + b**3", r_pow, INTS | FLOATS, 0, 0},
    {"a / b", r_div, INTS | FLOATS, 0, 1},
    {"-a + b // c", r_floordiv, INTS | FLOATS, 0, 0},
    {"a % 7", r_mod, INTS, 0, 0},
    {"(a & b) | (c << 2)", r_bits, INTS, 0, 0},
    {"(a < b) == (b < c)", r_cmp, INTS | FLOATS | BOOLS, 1, 0},
    {"a + 1.5 * 2", r_const, FLOATS, 0, 0},
};

static const jx_dtype dtypes[] = {JX_INT32, JX_INT64, JX_FLOAT32, JX_FLOAT64, JX_BOOL};

static unsigned kind_of(jx_dtype t)
{
    return t == JX_BOOL ? BOOLS : (t == JX_FLOAT32 || t == JX_FLOAT64) ? FLOATS : INTS;
}

static double get(const void *p, jx_dtype t)
{
    switch (t) {
    case JX_BOOL: return *(const unsigned char *)p;
    case JX_INT32: return *(const int32_t *)p;
    case JX_INT64: return (double)*(const int64_t *)p;
    case JX_FLOAT32: return *(const float *)p;
    case JX_FLOAT64: return *(const double *)p;
    default: ck_abort_msg("dtype %d in test", t); return 0;
    }
}

static void put(void *p, jx_dtype t, double v)
{
    switch (t) {
    case JX_BOOL: *(unsigned char *)p = v != 0; break;
    case JX_INT32: *(int32_t *)p = (int32_t)v; break;
    case JX_INT64: *(int64_t *)p = (int64_t)v; break;
    case JX_FLOAT32: *(float *)p = (float)v; break;
    case JX_FLOAT64: *(double *)p = v; break;
    default: ck_abort_msg("dtype %d in test", t);
    }
}

/* A deterministic value for element i of operand k: floats in [0.1, 1.1),
 * ints in 1..9, bools alternating in a pattern. */
static double value(jx_dtype t, int k, int64_t i)
{
    uint64_t x = (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ull + (uint64_t)k * 0x632BE59BD9B4E019ull;
    x ^= x >> 29;
    if (t == JX_BOOL)
        return (double)(x & 1);
    if (t == JX_FLOAT32 || t == JX_FLOAT64)
        return 0.1 + (double)(x % 1000000) / 1e6;
    return (double)(1 + x % 9);
}

/* Layouts of the three operands (and the output). */
enum layout {
    L_CONTIG,    /* 1-D contiguous, n elements */
    L_STRIDED,   /* 1-D, every other element of a buffer */
    L_REVERSED,  /* 1-D, negative stride */
    L_SCALAR_B,  /* b is 0-d */
    L_BCAST_2D,  /* a (m, n), b (n,), c (m, 1) */
    L_FORTRAN,   /* a, c and the output (m, n) in Fortran order, b C order */
    L_ZERO_D,    /* all 0-d */
    L_EMPTY,     /* n = 0 */
    L_COUNT
};
static const char *const layout_names[] = {"contiguous", "strided", "reversed",
                                           "scalar-b", "broadcast-2d", "fortran",
                                           "0-d", "empty"};

typedef struct operand {
    jx_array arr;
    void *buf;
} operand;

/* Makes operand k of the layout, shape (m, n) or (n,), filled with values. */
static void make(operand *o, jx_dtype t, int k, enum layout L, int64_t m, int64_t n)
{
    size_t item = jx_dtype_size(t);
    memset(o, 0, sizeof *o);
    o->arr.dtype = t;
    int64_t count;
    switch (L) {
    case L_ZERO_D:
        o->arr.ndim = 0;
        count = 1;
        break;
    case L_SCALAR_B:
        if (k == 1) {
            o->arr.ndim = 0;
            count = 1;
            break;
        }
        /* fall through */
    case L_CONTIG:
    case L_EMPTY:
        o->arr.ndim = 1;
        o->arr.shape[0] = n;
        o->arr.strides[0] = (int64_t)item;
        count = n;
        break;
    case L_STRIDED:
        o->arr.ndim = 1;
        o->arr.shape[0] = n;
        o->arr.strides[0] = 2 * (int64_t)item;
        count = 2 * n;
        break;
    case L_REVERSED:
        o->arr.ndim = 1;
        o->arr.shape[0] = n;
        o->arr.strides[0] = -(int64_t)item;
        count = n;
        break;
    case L_BCAST_2D:
        if (k == 0 || k == 3) {
            o->arr.ndim = 2;
            o->arr.shape[0] = m;
            o->arr.shape[1] = n;
            o->arr.strides[0] = n * (int64_t)item;
            o->arr.strides[1] = (int64_t)item;
            count = m * n;
        } else if (k == 1) {
            o->arr.ndim = 1;
            o->arr.shape[0] = n;
            o->arr.strides[0] = (int64_t)item;
            count = n;
        } else {
            o->arr.ndim = 2;
            o->arr.shape[0] = m;
            o->arr.shape[1] = 1;
            o->arr.strides[0] = (int64_t)item;
            o->arr.strides[1] = (int64_t)item;
            count = m;
        }
        break;
    case L_FORTRAN:
    default:
        o->arr.ndim = 2;
        o->arr.shape[0] = m;
        o->arr.shape[1] = n;
        if (k == 1) {
            o->arr.strides[0] = n * (int64_t)item;
            o->arr.strides[1] = (int64_t)item;
        } else {
            o->arr.strides[0] = (int64_t)item;
            o->arr.strides[1] = m * (int64_t)item;
        }
        count = m * n;
        break;
    }
    o->buf = calloc((size_t)(count ? count : 1), item);
    ck_assert_ptr_nonnull(o->buf);
    o->arr.data = o->buf;
    if (L == L_REVERSED)
        o->arr.data = (char *)o->buf + (count - 1) * (int64_t)item;
    for (int64_t i = 0; i < count; i++)
        put((char *)o->buf + i * (int64_t)item, t, value(t, k, i));
}

/* Byte offset of multi-index idx (of the broadcast shape, ndim dims) in a. */
static int64_t offset_of(const jx_array *a, int ndim, const int64_t *idx)
{
    int64_t off = 0;
    for (int d = 0; d < a->ndim; d++) {
        int bd = d + (ndim - a->ndim);
        if (a->shape[d] != 1)
            off += idx[bd] * a->strides[d];
    }
    return off;
}

static double tolerance(jx_dtype t)
{
    return t == JX_FLOAT32 ? 2e-6 : t == JX_FLOAT64 ? 1e-13 : 0;
}

/* Checks every element of out against the reference. */
static void compare(const char *what, ref_fn ref, const operand *in, jx_dtype t,
                    const jx_array *out)
{
    int64_t idx[JX_MAX_DIMS] = {0};
    int64_t total = 1;
    for (int d = 0; d < out->ndim; d++)
        total *= out->shape[d];
    for (int64_t e = 0; e < total; e++) {
        int64_t rem = e;
        for (int d = out->ndim - 1; d >= 0; d--) {
            idx[d] = rem % out->shape[d];
            rem /= out->shape[d];
        }
        double v[3];
        for (int k = 0; k < 3; k++)
            v[k] = get((char *)in[k].arr.data + offset_of(&in[k].arr, out->ndim, idx), t);
        double want = ref(v[0], v[1], v[2]);
        if (out->dtype == JX_BOOL)
            want = want != 0;
        double got = get((char *)out->data + offset_of(out, out->ndim, idx), out->dtype);
        double tol = tolerance(out->dtype) * fmax(1.0, fabs(want));
        ck_assert_msg(fabs(got - want) <= tol,
                      "%s: element %lld: got %.17g, want %.17g (a=%g b=%g c=%g)",
                      what, (long long)e, got, want, v[0], v[1], v[2]);
    }
}

START_TEST(test_expressions)
{
    static const int64_t sizes[] = {1, 7, 1003};
    int row = _i / (NROWS(dtypes) * L_COUNT);
    jx_dtype t = dtypes[(_i / L_COUNT) % NROWS(dtypes)];
    enum layout L = (enum layout)(_i % L_COUNT);
    if (!(rows[row].kinds & kind_of(t)))
        return;
    jx_var vars[3] = {{"a", t}, {"b", t}, {"c", t}};
    jx_error err;
    jx_expr *e = jx_compile(rows[row].src, vars, 3, 0, &err);
    ck_assert_msg(e != NULL, "%s over %s: %s", rows[row].src, jx_dtype_name(t), err.message);
    jx_dtype rt = rows[row].bool_result ? JX_BOOL
                  : rows[row].float_result && kind_of(t) != FLOATS ? JX_FLOAT64
                                                                  : t;
    ck_assert_int_eq(jx_expr_dtype(e), rt);
    for (int s = 0; s < NROWS(sizes); s++) {
        int64_t n = L == L_EMPTY ? 0 : sizes[s], m = 3;
        operand in[3], out;
        for (int k = 0; k < 3; k++)
            make(&in[k], t, k, L, m, n);
        jx_array inputs[3] = {in[0].arr, in[1].arr, in[2].arr};
        char what[160];
        snprintf(what, sizeof what, "%s over %s, %s, n=%lld", rows[row].src,
                 jx_dtype_name(t), layout_names[L], (long long)n);

        /* Into a caller's output of the same layout as a... */
        make(&out, rt, 3, L, m, n);
        ck_assert_msg(jx_eval(e, inputs, &out.arr, &err) == 0, "%s: %s", what, err.message);
        compare(what, rows[row].ref, in, t, &out.arr);
        free(out.buf);

        /* ...and into one the library allocates. */
        jx_array res;
        ck_assert_msg(jx_eval_new(e, inputs, &res, &err) == 0, "%s: %s", what, err.message);
        ck_assert_int_eq(res.dtype, rt);
        compare(what, rows[row].ref, in, t, &res);
        jx_free(res.data);
        for (int k = 0; k < 3; k++)
            free(in[k].buf);
    }
    jx_expr_free(e);
}
END_TEST

/* out == a: in place, element for element. */
START_TEST(test_in_place)
{
    enum { N = 1001 };
    double a[N], b[N];
    for (int i = 0; i < N; i++) {
        a[i] = i;
        b[i] = 0.5 * i;
    }
    jx_var vars[2] = {{"a", JX_FLOAT64}, {"b", JX_FLOAT64}};
    jx_error err;
    jx_expr *e = jx_compile("2*a + b", vars, 2, 0, &err);
    ck_assert_ptr_nonnull(e);
    jx_array in[2] = {test_vec(JX_FLOAT64, a, N), test_vec(JX_FLOAT64, b, N)};
    jx_array out = test_vec(JX_FLOAT64, a, N);
    ck_assert_int_eq(jx_eval(e, in, &out, &err), 0);
    for (int i = 0; i < N; i++)
        ck_assert_double_eq(a[i], 2.5 * i);
    jx_expr_free(e);
}
END_TEST

/* The output overlaps an input shifted by one element: the result must be
 * as if the inputs were read before anything was written (NumPy's rule). */
START_TEST(test_partial_overlap)
{
    enum { N = 1000 };
    double buf[N + 1];
    for (int i = 0; i <= N; i++)
        buf[i] = i;
    jx_var vars[1] = {{"a", JX_FLOAT64}};
    jx_error err;
    jx_expr *e = jx_compile("a + 1", vars, 1, 0, &err);
    ck_assert_ptr_nonnull(e);
    jx_array in = test_vec(JX_FLOAT64, buf, N);
    jx_array out = test_vec(JX_FLOAT64, buf + 1, N);
    ck_assert_int_eq(jx_eval(e, &in, &out, &err), 0);
    ck_assert_double_eq(buf[0], 0);
    for (int i = 1; i <= N; i++)
        ck_assert_double_eq(buf[i], i); /* (i - 1) + 1 */
    jx_expr_free(e);
}
END_TEST

START_TEST(test_cache)
{
    jx_var vars[2] = {{"x", JX_FLOAT32}, {"y", JX_FLOAT32}};
    jx_var other[2] = {{"p", JX_FLOAT32}, {"q", JX_FLOAT32}};
    jx_error err;
    jx_stats s0, s1, s2;
    jx_expr *e1 = jx_compile("x*y - 0.25", vars, 2, 0, &err);
    ck_assert_ptr_nonnull(e1);
    jx_get_stats(&s0);
    /* Same IR after canonicalisation: different names and spacing. */
    jx_expr *e2 = jx_compile("p * q-0.25", other, 2, 0, &err);
    ck_assert_ptr_nonnull(e2);
    jx_get_stats(&s1);
    ck_assert_uint_eq(s1.kernels_compiled, s0.kernels_compiled);
    ck_assert_uint_eq(s1.cache_hits, s0.cache_hits + 1);
    ck_assert_str_eq(jx_expr_ir(e1), jx_expr_ir(e2));
    /* JX_FLAG_NO_CACHE compiles afresh. */
    jx_expr *e3 = jx_compile("x*y - 0.25", vars, 2, JX_FLAG_NO_CACHE, &err);
    ck_assert_ptr_nonnull(e3);
    jx_get_stats(&s2);
    ck_assert_uint_eq(s2.kernels_compiled, s1.kernels_compiled + 1);
    jx_expr_free(e1);
    jx_expr_free(e2);
    jx_expr_free(e3);
}
END_TEST

START_TEST(test_used_vars)
{
    jx_var vars[4] = {{"a", JX_FLOAT64}, {"b", JX_INT32}, {"c", JX_FLOAT64},
                      {"d", JX_BOOL}};
    jx_error err;
    jx_expr *e = jx_compile("where(d, c, c + a)", vars, 4, 0, &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(jx_expr_nused(e), 3);
    ck_assert_int_eq(jx_expr_used(e, 0), 3); /* d first: order of first use */
    ck_assert_int_eq(jx_expr_used(e, 1), 2);
    ck_assert_int_eq(jx_expr_used(e, 2), 0);
    ck_assert_int_eq(jx_expr_used(e, 3), -1);
    ck_assert_int_eq(jx_expr_dtype(e), JX_FLOAT64);
    /* b is not used: its entry may be anything. */
    double a = 1, c = 2;
    unsigned char d = 0;
    jx_array in[4];
    memset(in, 0, sizeof in);
    in[0].dtype = in[2].dtype = JX_FLOAT64;
    in[3].dtype = JX_BOOL;
    in[1].dtype = JX_COMPLEX128;
    in[0].data = &a;
    in[2].data = &c;
    in[3].data = &d;
    jx_array out;
    ck_assert_int_eq(jx_eval_new(e, in, &out, &err), 0);
    ck_assert_int_eq(out.ndim, 0);
    ck_assert_double_eq(*(double *)out.data, 3);
    jx_free(out.data);
    jx_expr_free(e);
}
END_TEST

/* Public API errors: code and offset through jx_compile and jx_eval. */
START_TEST(test_api_errors)
{
    jx_var vars[2] = {{"a", JX_FLOAT64}, {"b", JX_INT32}};
    jx_error err;
    ck_assert_ptr_null(jx_compile("a +* b", vars, 2, 0, &err));
    ck_assert_int_eq(err.code, JX_ERR_SYNTAX);
    ck_assert_int_eq(err.offset, 3);
    ck_assert_ptr_null(jx_compile("a + z", vars, 2, 0, &err));
    ck_assert_int_eq(err.code, JX_ERR_NAME);
    ck_assert_int_eq(err.offset, 4);
    ck_assert_ptr_null(jx_compile(NULL, vars, 2, 0, &err));
    ck_assert_int_eq(err.code, JX_ERR_ARG);
    ck_assert_ptr_null(jx_compile("a", NULL, 2, 0, &err));
    ck_assert_int_eq(err.code, JX_ERR_ARG);
    ck_assert_ptr_null(jx_compile("a +", vars, 2, 0, NULL)); /* err may be NULL */
    ck_assert_str_eq(jx_code_name(JX_ERR_SHAPE), "shape error");

    jx_expr *e = jx_compile("a * b", vars, 2, 0, &err);
    ck_assert_ptr_nonnull(e);
    double x[3] = {1, 2, 3};
    int32_t y[4] = {1, 2, 3, 4};
    jx_array in[2] = {test_vec(JX_FLOAT64, x, 3), test_vec(JX_INT32, y, 4)};
    jx_array out;
    ck_assert_int_eq(jx_eval_new(e, in, &out, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(err.message, "(3,) (4,)"));
    in[1] = test_vec(JX_INT64, y, 2);
    ck_assert_int_eq(jx_eval_new(e, in, &out, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_TYPE);
    ck_assert_ptr_nonnull(strstr(err.message, "'b'"));
    /* A caller's output of the wrong dtype, or of the wrong shape. */
    in[1] = test_vec(JX_INT32, y, 3);
    double o[3];
    jx_array bad = test_vec(JX_FLOAT32, o, 3);
    ck_assert_int_eq(jx_eval(e, in, &bad, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_TYPE);
    bad = test_vec(JX_FLOAT64, o, 2);
    ck_assert_int_eq(jx_eval(e, in, &bad, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_SHAPE);
    jx_array good = test_vec(JX_FLOAT64, o, 3);
    ck_assert_int_eq(jx_eval(e, in, &good, &err), 0);
    ck_assert_double_eq(o[2], 9);
    jx_expr_free(e);
}
END_TEST

START_TEST(test_constant_expression)
{
    jx_error err;
    jx_expr *e = jx_compile("2 + 3 * 4", NULL, 0, 0, &err);
    ck_assert_msg(e != NULL, "%s", err.message);
    ck_assert_int_eq(jx_expr_nused(e), 0);
    jx_array out;
    ck_assert_int_eq(jx_eval_new(e, NULL, &out, &err), 0);
    ck_assert_int_eq(out.dtype, JX_INT64);
    ck_assert_int_eq(out.ndim, 0);
    ck_assert_int_eq(*(int64_t *)out.data, 14);
    jx_free(out.data);
    jx_expr_free(e);
}
END_TEST

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

START_TEST(test_explain)
{
    jx_var vars[2] = {{"a", JX_FLOAT64}, {"b", JX_FLOAT64}};
    jx_error err;
    char *text = jx_explain("2*a+3*b", vars, 2, JX_EXPLAIN_ALL, &err);
    ck_assert_msg(text != NULL, "%s", err.message);
    ck_assert_ptr_nonnull(strstr(text, "== parse tree =="));
    ck_assert_ptr_nonnull(strstr(text, "mul.f64"));
    ck_assert_ptr_nonnull(strstr(text, "define"));
    /* The contiguous loop is vectorized: 512- or 256-bit registers. */
    ck_assert_msg(strstr(text, "zmm") || strstr(text, "ymm"), "no vector code:\n%s", text);
    jx_free(text);
    ck_assert_ptr_null(jx_explain("2*", vars, 2, JX_EXPLAIN_ALL, &err));
    ck_assert_int_eq(err.code, JX_ERR_SYNTAX);
}
END_TEST

START_TEST(test_names)
{
    static const struct { const char *src; const char *names; int nnames; } rows[] = {
        {"2*a + sin(b)**2 > c", "a\0b\0c", 3},
        {"where(x > y, x, 0) + y", "x\0y", 2},
        {"sum(q * q, axis=1)", "q", 1},
        {"1 + 2", "", 0},
        /* Unicode names are listed in NFKC form, once per form */
        {"\u03c0*\ufb01 + \u00b5 + \u03bc + fi", "\u03c0\0fi\0\u03bc", 3},
        {"cafe\u0301 - caf\u00e9", "caf\u00e9", 1},
        {"\u216b + XII + \u2167", "XII\0VIII", 2},
    };
    for (int r = 0; r < NROWS(rows); r++) {
        jx_error err;
        char *list = jx_names(rows[r].src, &err);
        ck_assert_msg(list != NULL, "%s: %s", rows[r].src, err.message);
        const char *p = list, *want = rows[r].names;
        int n = 0;
        for (; *p; p += strlen(p) + 1, want += strlen(want) + 1, n++)
            ck_assert_str_eq(p, want);
        ck_assert_int_eq(n, rows[r].nnames);
        jx_free(list);
    }
    jx_error err;
    ck_assert_ptr_null(jx_names("a +", &err));
    ck_assert_int_eq(err.code, JX_ERR_SYNTAX);
}
END_TEST

/* The variable table's names match in NFKC form: a caller may give the
 * micro sign or the Greek mu, the ligature or the two letters; the first
 * entry of a form is the variable. */
START_TEST(test_nfkc_vars)
{
    static const struct {
        const char *src;
        const char *names[3]; /* the table, NULL-terminated */
        int used;             /* the entry the expression's name binds */
    } rows[] = {
        {"\u03bc * 2", {"\u00b5"}, 0},                 /* μ in src, µ given */
        {"\u00b5 * 2", {"\u03bc"}, 0},                 /* µ in src, μ given */
        {"\u00b5 * 2", {"a", "\u00b5"}, 1},
        {"fi + 1", {"x", "\ufb01"}, 1},
        {"\ufb01 + 1", {"fi"}, 0},
        {"caf\u00e9", {"cafe\u0301"}, 0},
        {"\u03bc", {"\u00b5", "\u03bc"}, 0},            /* the first wins */
        {"\u03bc", {"\u03bc", "\u00b5"}, 0},
    };
    for (int r = 0; r < NROWS(rows); r++) {
        jx_var vars[3];
        int n = 0;
        for (; n < 3 && rows[r].names[n]; n++)
            vars[n] = (jx_var){rows[r].names[n], JX_FLOAT64, 0, 0};
        jx_error err;
        jx_expr *e = jx_compile(rows[r].src, vars, n, 0, &err);
        ck_assert_msg(e != NULL, "%s: %s", rows[r].src, err.message);
        ck_assert_int_eq(jx_expr_nused(e), 1);
        ck_assert_int_eq(jx_expr_used(e, 0), rows[r].used);
        jx_expr_free(e);
    }
    /* an unknown one is reported in NFKC form, on its spelling's bytes */
    jx_var v = {"x", JX_FLOAT64, 0, 0};
    jx_error err;
    ck_assert_ptr_null(jx_compile("x + \ufb01", &v, 1, 0, &err));
    ck_assert_int_eq(err.code, JX_ERR_NAME);
    ck_assert_int_eq(err.offset, 4);
    ck_assert_int_eq(err.length, 3);
    ck_assert_str_eq(err.message, "unknown variable 'fi'");
    /* a name in the table that is not UTF-8 */
    jx_var bad = {"\xff", JX_FLOAT64, 0, 0};
    ck_assert_ptr_null(jx_compile("x", &bad, 1, 0, &err));
    ck_assert_int_eq(err.code, JX_ERR_ARG);
    /* the normalisation itself */
    char *s = jx_name_normalize("\ufb01\u00b5x", 6);
    ck_assert_str_eq(s, "fi\u03bcx");
    jx_free(s);
    s = jx_name_normalize("abc", 2);
    ck_assert_str_eq(s, "ab");
    jx_free(s);
    ck_assert_ptr_null(jx_name_normalize("\xc3", 1));
}
END_TEST

START_TEST(test_result_shape)
{
    jx_var vars[2] = {{"a", JX_FLOAT64}, {"b", JX_FLOAT64}};
    double d[12] = {0};
    jx_array in[2] = {test_vec(JX_FLOAT64, d, 4), test_vec(JX_FLOAT64, d, 4)};
    in[0].ndim = 2; /* a is (3, 4), b is (4,) */
    in[0].shape[0] = 3;
    in[0].shape[1] = 4;
    in[0].strides[0] = 32;
    in[0].strides[1] = 8;
    static const struct { const char *src; int ndim; int64_t s0; } rows[] = {
        {"a + b", 2, 3}, {"sum(a*b)", 0, 0}, {"sum(a*b, axis=1)", 1, 3},
        {"max(a - b, axis=0)", 1, 4}, {"mean(a, axis=-2)", 1, 4},
    };
    for (int r = 0; r < NROWS(rows); r++) {
        jx_error err;
        jx_expr *e = jx_compile(rows[r].src, vars, 2, 0, &err);
        ck_assert_ptr_nonnull(e);
        int ndim;
        int64_t shape[JX_MAX_DIMS];
        ck_assert_int_eq(jx_expr_result_shape(e, in, &ndim, shape, &err), 0);
        ck_assert_int_eq(ndim, rows[r].ndim);
        if (ndim)
            ck_assert_int_eq(shape[0], rows[r].s0);
        /* It is the shape jx_eval_new gives. */
        jx_array out;
        ck_assert_int_eq(jx_eval_new(e, in, &out, &err), 0);
        ck_assert_int_eq(out.ndim, ndim);
        for (int k = 0; k < ndim; k++)
            ck_assert_int_eq(out.shape[k], shape[k]);
        jx_free(out.data);
        jx_expr_free(e);
    }
}
END_TEST

/* A weak variable is typed like a Python scalar: float32 stays float32. */
START_TEST(test_weak_variable)
{
    jx_var vars[2] = {{"a", JX_FLOAT32, 0}, {"x", JX_FLOAT64, JX_VAR_WEAK}};
    jx_var strong[2] = {{"a", JX_FLOAT32, 0}, {"x", JX_FLOAT64, 0}};
    jx_var ints[2] = {{"a", JX_INT16, 0}, {"x", JX_INT64, JX_VAR_WEAK}};
    jx_error err;
    jx_expr *e = jx_compile("a * x", vars, 2, 0, &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(jx_expr_dtype(e), JX_FLOAT32);
    float a[3] = {1, 2, 3};
    double x = 0.5;
    jx_array in[2] = {test_vec(JX_FLOAT32, a, 3), test_vec(JX_FLOAT64, &x, 1)};
    in[1].ndim = 0;
    jx_array out;
    ck_assert_int_eq(jx_eval_new(e, in, &out, &err), 0);
    ck_assert_float_eq(((float *)out.data)[2], 1.5f);
    jx_free(out.data);
    jx_expr_free(e);
    e = jx_compile("a * x", strong, 2, 0, &err);
    ck_assert_int_eq(jx_expr_dtype(e), JX_FLOAT64);
    jx_expr_free(e);
    e = jx_compile("a + x", ints, 2, 0, &err);
    ck_assert_int_eq(jx_expr_dtype(e), JX_INT16);
    jx_expr_free(e);
    e = jx_compile("x + 1", ints, 2, 0, &err); /* weak with weak: int64 */
    ck_assert_int_eq(jx_expr_dtype(e), JX_INT64);
    jx_expr_free(e);
    /* Its value must fit the type it joins, as NumPy 2 checks. */
    jx_var u8[2] = {{"a", JX_UINT8, 0}, {"x", JX_INT64, JX_VAR_WEAK}};
    e = jx_compile("a + x", u8, 2, 0, &err);
    ck_assert_int_eq(jx_expr_dtype(e), JX_UINT8);
    uint8_t b[2] = {1, 2};
    int64_t xs[3] = {255, 256, -1};
    for (int k = 0; k < 3; k++) {
        jx_array bi[2] = {test_vec(JX_UINT8, b, 2), test_vec(JX_INT64, &xs[k], 1)};
        bi[1].ndim = 0;
        int rc = jx_eval_new(e, bi, &out, &err);
        if (k == 0) {
            ck_assert_int_eq(rc, 0);
            ck_assert_int_eq(((uint8_t *)out.data)[1], 1); /* 2 + 255 wraps */
            jx_free(out.data);
        } else {
            ck_assert_int_eq(rc, -1);
            ck_assert_int_eq(err.code, JX_ERR_OVERFLOW);
            ck_assert_ptr_nonnull(strstr(err.message, "out of bounds for uint8"));
        }
    }
    jx_expr_free(e);
    /* A value computed from weak ints is checked as Python would see it,
     * and so is a weak integer exponent. */
    static const struct { const char *src; int64_t x; jx_code code; } rows[] = {
        {"-x + a", 1, JX_ERR_OVERFLOW},     /* -1 does not fit uint8 */
        {"-x + a", -5, JX_OK},              /* 5 does */
        {"2*x*a", 100, JX_OK},              /* 200 fits uint8 */
        {"2*x*a", 200, JX_ERR_OVERFLOW},    /* 400 does not */
        {"x**2 + a", 16, JX_ERR_OVERFLOW},  /* 256 */
        {"x // 2 + a", 511, JX_OK},         /* 255 */
        {"(x << 62) + a", 4, JX_ERR_OVERFLOW}, /* beyond int64 */
        {"a ** x", -1, JX_ERR_OVERFLOW},    /* -1 does not fit uint8 */
        {"s ** x", -1, JX_ERR_VALUE},       /* NumPy: ValueError */
        {"s ** (x - 3)", 2, JX_ERR_VALUE},
        {"a ** (x + 1)", 1, JX_OK},
    };
    jx_var u8s[3] = {{"a", JX_UINT8, 0}, {"x", JX_INT64, JX_VAR_WEAK}, {"s", JX_INT8, 0}};
    int8_t s8[2] = {3, -2};
    for (int r = 0; r < NROWS(rows); r++) {
        e = jx_compile(rows[r].src, u8s, 3, 0, &err);
        ck_assert_msg(e != NULL, "%s: %s", rows[r].src, err.message);
        jx_array bi[3] = {test_vec(JX_UINT8, b, 2), test_vec(JX_INT64, (void *)&rows[r].x, 1),
                          test_vec(JX_INT8, s8, 2)};
        bi[1].ndim = 0;
        int rc = jx_eval_new(e, bi, &out, &err);
        ck_assert_msg(rc == (rows[r].code == JX_OK ? 0 : -1) &&
                      (rc == 0 || err.code == rows[r].code),
                      "%s with x=%lld: rc %d code %d (%s)", rows[r].src,
                      (long long)rows[r].x, rc, err.code, err.message);
        if (rc == 0)
            jx_free(out.data);
        jx_expr_free(e);
    }
}
END_TEST

/* An empty output may have zero strides (NumPy gives them). */
START_TEST(test_empty_zero_strides)
{
    jx_var vars[1] = {{"a", JX_FLOAT64}};
    jx_error err;
    jx_expr *e = jx_compile("a + 1", vars, 1, 0, &err);
    double d[1];
    jx_array in = test_vec(JX_FLOAT64, d, 0), out = test_vec(JX_FLOAT64, d, 0);
    in.strides[0] = out.strides[0] = 0;
    ck_assert_int_eq(jx_eval(e, &in, &out, &err), 0);
    jx_expr_free(e);
}
END_TEST

/* Sizes beyond int64, refused before anything is computed: broadcast
 * shapes whose element count overflows (NumPy: "broadcast dimensions too
 * large"; jitexpr computed sum(p*q) of (2**40, 1) and (1, 2**40) as 0.0,
 * the count modulo 2**64), results whose bytes overflow (NumPy: "array is
 * too big"), and a caller's array whose shape and strides span more than
 * int64 holds.  The inputs are views of one double with the row's
 * strides (0: broadcast, as np.broadcast_to makes them). */
static const struct {
    const char *src;
    int nin, ndim;         /* inputs p, q, r, each of ndim dimensions */
    int64_t shape[3][3];
    int64_t stride;        /* every stride of every input */
    jx_code code;
    const char *words;
} huge_rows[] = {
    {"sum(p*q)", 2, 2, {{1LL << 40, 1}, {1, 1LL << 40}}, 0, JX_ERR_SHAPE,
     "broadcast dimensions too large"},
    {"any(p*q > 0)", 2, 2, {{1LL << 40, 1}, {1, 1LL << 40}}, 0, JX_ERR_SHAPE,
     "broadcast dimensions too large"},
    {"p*q", 2, 2, {{1LL << 40, 1}, {1, 1LL << 40}}, 0, JX_ERR_SHAPE,
     "broadcast dimensions too large"},
    {"all(p*q*r > 0)", 3, 3, {{1LL << 31, 1, 1}, {1, 1LL << 31, 1}, {1, 1, 4}}, 0,
     JX_ERR_SHAPE, "broadcast dimensions too large"},
    {"mean(p*q*r)", 3, 3, {{1LL << 31, 1, 1}, {1, 1LL << 31, 1}, {1, 1, 4}}, 0,
     JX_ERR_SHAPE, "broadcast dimensions too large"},
    {"min(p*q*r)", 3, 3, {{1LL << 31, 1, 1}, {1, 1LL << 31, 1}, {1, 1, 4}}, 0,
     JX_ERR_SHAPE, "broadcast dimensions too large"},
    {"sum(p*q*r, axis=2)", 3, 3, {{1LL << 31, 1, 1}, {1, 1LL << 31, 1}, {1, 1, 4}}, 0,
     JX_ERR_SHAPE, "broadcast dimensions too large"},
    /* an empty broadcast whose other dimensions overflow: NumPy refuses
     * any array of that shape */
    {"sum(p*q*r, axis=0)", 3, 3, {{0, 1, 1}, {1, 1LL << 40, 1}, {1, 1, 1LL << 40}}, 0,
     JX_ERR_SHAPE, "broadcast dimensions too large"},
    /* 2**62 elements fit, their 2**65 bytes do not */
    {"p*q", 2, 2, {{1LL << 40, 1}, {1, 1LL << 22}}, 0, JX_ERR_SHAPE, "result is too big"},
    {"sum(p*q, axis=0)", 2, 3, {{2, 1, 1}, {1, 1LL << 30, 1LL << 31}}, 0, JX_ERR_SHAPE,
     "result is too big"},
    /* a caller's array that no memory holds */
    {"sum(p)", 1, 1, {{1LL << 62}}, 8, JX_ERR_ARG, "'p' is too large"},
    {"sum(p)", 1, 2, {{1LL << 62, 4}}, 0, JX_ERR_ARG, "'p' is too large"},
    {"p + 1", 1, 2, {{3, 1LL << 61}}, -16, JX_ERR_ARG, "'p' is too large"},
};

START_TEST(test_huge_sizes)
{
    jx_var vars[3] = {{"p", JX_FLOAT64}, {"q", JX_FLOAT64}, {"r", JX_FLOAT64}};
    double one = 1.0;
    jx_array in[3];
    for (int k = 0; k < 3; k++) {
        in[k] = test_vec(JX_FLOAT64, &one, 1);
        if (k >= huge_rows[_i].nin)
            continue;
        in[k].ndim = huge_rows[_i].ndim;
        for (int d = 0; d < in[k].ndim; d++) {
            in[k].shape[d] = huge_rows[_i].shape[k][d];
            in[k].strides[d] = huge_rows[_i].stride;
        }
    }
    jx_error err[2];
    jx_expr *e = jx_compile(huge_rows[_i].src, vars, 3, 0, &err[0]);
    ck_assert_msg(e != NULL, "%s: %s", huge_rows[_i].src, err[0].message);
    /* the shape a caller would allocate, and the evaluation: both refuse */
    int ndim;
    int64_t shape[JX_MAX_DIMS];
    jx_array out;
    int rc[2];
    rc[0] = jx_expr_result_shape(e, in, &ndim, shape, &err[0]);
    rc[1] = jx_eval_new(e, in, &out, &err[1]);
    jx_expr_free(e);
    for (int w = 0; w < 2; w++)
        ck_assert_msg(rc[w] == -1 && err[w].code == huge_rows[_i].code &&
                      strstr(err[w].message, huge_rows[_i].words) != NULL,
                      "%s (%s): rc %d, code %d: %s", huge_rows[_i].src,
                      w ? "jx_eval_new" : "jx_expr_result_shape", rc[w],
                      (int)err[w].code, rc[w] ? err[w].message : "no error");
}
END_TEST

/* Several threads compile and evaluate at once. */
#define NTHREADS 8
static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    enum { N = 5000 };
    static const char *const srcs[] = {"a*%d + b", "sin(a) + %d*b", "where(a > b, %d, a)"};
    double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b), *o = malloc(N * sizeof *o);
    for (int i = 0; i < N; i++) {
        a[i] = i * 0.001;
        b[i] = 1.0 - i * 0.0005;
    }
    jx_var vars[2] = {{"a", JX_FLOAT64}, {"b", JX_FLOAT64}};
    intptr_t bad = 0;
    for (int it = 0; it < 20 && !bad; it++) {
        char src[64];
        int k = (id + it) % 3, c = (id * 7 + it) % 5;
        snprintf(src, sizeof src, srcs[k], c);
        jx_error err;
        jx_expr *e = jx_compile(src, vars, 2, 0, &err);
        if (e == NULL)
            return (void *)1;
        jx_array in[2] = {test_vec(JX_FLOAT64, a, N), test_vec(JX_FLOAT64, b, N)};
        jx_array out = test_vec(JX_FLOAT64, o, N);
        if (jx_eval(e, in, &out, &err) != 0)
            bad = 1;
        for (int i = 0; i < N && !bad; i++) {
            double want = k == 0 ? a[i] * c + b[i]
                          : k == 1 ? sin(a[i]) + c * b[i]
                                   : (a[i] > b[i] ? c : a[i]);
            if (fabs(o[i] - want) > 1e-12 * fmax(1, fabs(want)))
                bad = 1;
        }
        jx_expr_free(e);
    }
    free(a);
    free(b);
    free(o);
    return (void *)bad;
}

START_TEST(test_threads)
{
    pthread_t th[NTHREADS];
    for (intptr_t i = 0; i < NTHREADS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, worker, (void *)i), 0);
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        pthread_join(th[i], &r);
        ck_assert_msg(r == NULL, "thread %d got a wrong result", i);
    }
}
END_TEST

static Suite *eval_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *tc = tcase_create("expressions");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_expressions, 0, NROWS(rows) * NROWS(dtypes) * L_COUNT);
    suite_add_tcase(s, tc);
    TCase *api = tcase_create("api");
    tcase_set_timeout(api, 120);
    tcase_add_test(api, test_in_place);
    tcase_add_test(api, test_partial_overlap);
    tcase_add_test(api, test_cache);
    tcase_add_test(api, test_used_vars);
    tcase_add_test(api, test_api_errors);
    tcase_add_test(api, test_constant_expression);
    tcase_add_test(api, test_complex);
    tcase_add_loop_test(api, test_complex_exp, 0, 2);
    tcase_add_test(api, test_complex_types);
    tcase_add_test(api, test_explain);
    tcase_add_test(api, test_threads);
    tcase_add_test(api, test_names);
    tcase_add_test(api, test_nfkc_vars);
    tcase_add_test(api, test_result_shape);
    tcase_add_test(api, test_weak_variable);
    tcase_add_test(api, test_empty_zero_strides);
    tcase_add_loop_test(api, test_huge_sizes, 0, NROWS(huge_rows));
    suite_add_tcase(s, api);
    return s;
}

int main(void) { return test_main(eval_suite()); }
