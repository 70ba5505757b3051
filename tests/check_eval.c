/* check_eval.c - end to end through the public API: expressions x dtypes x
 * layouts (contiguous, strided, reversed, scalar and 2-D broadcast,
 * Fortran order, 0-d, empty, n not a multiple of the vector width),
 * compared with a reference computed here in double precision; overlap,
 * caching, errors and concurrent callers.  Complex numbers are in
 * check_eval_complex.c, the API's other entry points (explain, names,
 * result shapes, weak variables, sizes) in check_eval_api.c.
 *
 * Tolerances: integer and bool results are exact (values are small, so
 * the double reference is exact too); float64 within 1e-13 relative (a few
 * ulp over an expression of several operations); float32 within 2e-6
 * relative (float32 rounding at each operation against a double
 * reference: ~4 operations * 2^-24 each, doubled for libm). */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitexpr.h"
#include "testutil.h"

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
    tcase_add_test(api, test_threads);
    suite_add_tcase(s, api);
    return s;
}

int main(void) { return test_main(eval_suite()); }
