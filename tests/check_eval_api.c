/* check_eval_api.c - the public API's other entry points: jx_explain,
 * jx_names, variable names in NFKC form, jx_expr_result_shape, weak
 * variables (typed like Python scalars), empty outputs with zero strides,
 * and sizes beyond int64 refused before anything is computed. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitexpr.h"
#include "testutil.h"

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
        /* a weak value that is not computed (z is complex) before a
         * checked one: its users were computed from an unset operand
         * (fuzz finding weak-complex-compare) */
        {"(z > 1) + (x + a)", 1, JX_OK},
        {"(z > 1) + (x + a)", 300, JX_ERR_OVERFLOW},
        {"(z > x) & (x > 2) | (a > x)", 1, JX_OK},
    };
    jx_var u8s[4] = {{"a", JX_UINT8, 0}, {"x", JX_INT64, JX_VAR_WEAK}, {"s", JX_INT8, 0},
                     {"z", JX_COMPLEX128, JX_VAR_WEAK}};
    int8_t s8[2] = {3, -2};
    double z[2] = {1.0, 2.0};
    for (int r = 0; r < NROWS(rows); r++) {
        e = jx_compile(rows[r].src, u8s, 4, 0, &err);
        ck_assert_msg(e != NULL, "%s: %s", rows[r].src, err.message);
        jx_array bi[4] = {test_vec(JX_UINT8, b, 2), test_vec(JX_INT64, (void *)&rows[r].x, 1),
                          test_vec(JX_INT8, s8, 2), test_vec(JX_COMPLEX128, z, 1)};
        bi[1].ndim = bi[3].ndim = 0;
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

static Suite *eval_api_suite(void)
{
    Suite *s = suite_create("eval_api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_explain);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_nfkc_vars);
    tcase_add_test(tc, test_result_shape);
    tcase_add_test(tc, test_weak_variable);
    tcase_add_test(tc, test_empty_zero_strides);
    tcase_add_loop_test(tc, test_huge_sizes, 0, NROWS(huge_rows));
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return test_main(eval_api_suite()); }
