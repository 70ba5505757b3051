/* check_tree.c - jx_tree, the typed tree for callers, and the operator
 * table's public description (jx_op_count, jx_op_describe).
 *
 * Each row is an expression over the variables below and the tree it
 * must give, written in post-order, one node per word:
 *   v:NAME:DTYPE   a variable
 *   c:VALUE:DTYPE  a constant (w after the dtype: weak)
 *   MNEMONIC:DTYPE an operator or function (@AXIS: a reduction's axis)
 *   cast:DTYPE     a conversion
 * followed by each node's operand indices in brackets. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitexpr.h"

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const jx_var vars[] = {
    {"a", JX_INT32, 0, 0},   {"b", JX_FLOAT32, 0, 0}, {"x", JX_FLOAT64, 0, 0},
    {"p", JX_BOOL, 0, 0},    {"s", JX_BYTES, 0, 3},   {"z", JX_COMPLEX128, 0, 0},
    {"u", JX_UINT64, 0, 0},
};

static const struct {
    const char *src;
    const char *tree;
} rows[] = {
    {"a", "v:a:int32[]"},
    {"a + 1", "v:a:int32[] c:1:int32w[] add:int32[0,1]"},
    {"a + b", "v:a:int32[] cast:float64[0] v:b:float32[] cast:float64[2] add:float64[1,3]"},
    {"-2.5 * x", "c:-2.5:float64w[] v:x:float64[] mul:float64[0,1]"},
    {"2 * 3 + 1", "c:7:int64w[]"},
    {"~p & (a > 3)", "v:p:bool[] invert:bool[0] v:a:int32[] c:3:int32w[] gt:bool[2,3] "
                     "and:bool[1,4]"},
    {"sin(b)", "v:b:float32[] sin:float32[0]"},
    {"where(p, x, 0)", "v:p:bool[] v:x:float64[] c:0:float64w[] where:float64[0,1,2]"},
    {"s == b'ab'", "v:s:bytes[] c:'ab':bytes[] eq:bool[0,1]"},
    {"z != 1j", "v:z:complex128[] c:(0,1):complex128w[] ne:bool[0,1]"},
    {"sum(x, axis=1)", "v:x:float64[] sum@1:float64[0]"},
    {"float32(a)", "v:a:int32[] cast:float32[0]"},
    {"u > 5", "v:u:uint64[] c:5:uint64w[] gt:bool[0,1]"},
    {"power(x, 2)", "v:x:float64[] c:2:float64w[] pow:float64[0,1]"},
};

static void describe(const jx_tree_node *t, char *buf, size_t size)
{
    char val[64] = "";
    const char *w = t->weak ? "w" : "";
    const char *dt = jx_dtype_name(t->dtype);
    switch (t->kind) {
    case JX_TREE_VARIABLE:
        snprintf(buf, size, "v:%s:%s", t->name, dt);
        break;
    case JX_TREE_CONSTANT:
        if (t->dtype == JX_BYTES)
            snprintf(val, sizeof val, "'%.*s'", (int)t->itemsize, t->bytes);
        else if (t->dtype == JX_COMPLEX128 || t->dtype == JX_COMPLEX64)
            snprintf(val, sizeof val, "(%g,%g)", t->value.f, t->imag);
        else if (t->dtype >= JX_FLOAT16 && t->dtype <= JX_FLOAT64)
            snprintf(val, sizeof val, "%g", t->value.f);
        else if (t->dtype >= JX_UINT8 && t->dtype <= JX_UINT64)
            snprintf(val, sizeof val, "%" PRIu64, t->value.u);
        else
            snprintf(val, sizeof val, "%" PRId64, t->value.i);
        snprintf(buf, size, "c:%s:%s%s", val, dt, w);
        break;
    case JX_TREE_CAST:
        snprintf(buf, size, "cast:%s", dt);
        break;
    default:
        if (t->has_axis)
            snprintf(buf, size, "%s@%d:%s%s", t->op, t->axis, dt, w);
        else
            snprintf(buf, size, "%s:%s%s", t->op, dt, w);
        break;
    }
    size_t n = strlen(buf);
    n += (size_t)snprintf(buf + n, size - n, "[");
    for (int i = 0; i < t->nargs; i++)
        n += (size_t)snprintf(buf + n, size - n, i ? ",%d" : "%d", t->args[i]);
    snprintf(buf + n, size - n, "]");
}

START_TEST(test_trees)
{
    jx_error err;
    int count = -1;
    jx_tree_node *t = jx_tree(rows[_i].src, vars, N_ELEMS(vars), &count, &err);
    ck_assert_msg(t != NULL, "%s: %s", rows[_i].src, err.message);
    char text[1024] = "", one[128];
    for (int i = 0; i < count; i++) {
        for (int k = 0; k < t[i].nargs; k++)
            ck_assert_int_lt(t[i].args[k], i); /* children come first */
        describe(&t[i], one, sizeof one);
        if (i)
            strcat(text, " ");
        strcat(text, one);
    }
    ck_assert_msg(strcmp(text, rows[_i].tree) == 0, "%s:\n  got  %s\n  want %s",
                  rows[_i].src, text, rows[_i].tree);
    jx_free(t);
}
END_TEST

static const struct {
    const char *src;
    jx_code code;
    int64_t offset;
} error_rows[] = {
    {"a +", JX_ERR_SYNTAX, 3},
    {"a + q", JX_ERR_NAME, 4},
    {"s + 1", JX_ERR_TYPE, 0},
    {"nosuch(a)", JX_ERR_FUNCTION, 0},
};

START_TEST(test_errors)
{
    jx_error err;
    int count = -1;
    jx_tree_node *t = jx_tree(error_rows[_i].src, vars, N_ELEMS(vars), &count, &err);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(err.code, error_rows[_i].code);
    ck_assert_int_eq(err.offset, error_rows[_i].offset);
}
END_TEST

START_TEST(test_bad_arguments)
{
    jx_error err;
    int count;
    ck_assert_ptr_null(jx_tree("a", vars, N_ELEMS(vars), NULL, &err));
    ck_assert_int_eq(err.code, JX_ERR_ARG);
    ck_assert_ptr_null(jx_tree(NULL, vars, N_ELEMS(vars), &count, &err));
    ck_assert_int_eq(err.code, JX_ERR_ARG);
    ck_assert_ptr_null(jx_tree("a", NULL, 3, &count, &err));
    ck_assert_int_eq(err.code, JX_ERR_ARG);
}
END_TEST

/* Every operator is described once, the spellings of the source. */
START_TEST(test_op_table)
{
    int n = jx_op_count();
    ck_assert_int_gt(n, 50);
    jx_op_desc d, e;
    int seen_add = 0, seen_sin = 0;
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(jx_op_describe(i, &d), 0);
        ck_assert_ptr_nonnull(d.mnemonic);
        ck_assert_ptr_nonnull(d.spelling);
        ck_assert_int_eq(d.arity >= 1 && d.arity <= 3, 1);
        for (int k = 0; k < i; k++) {
            jx_op_describe(k, &e);
            ck_assert_str_ne(d.mnemonic, e.mnemonic);
        }
        if (strcmp(d.mnemonic, "add") == 0) {
            seen_add = 1;
            ck_assert_str_eq(d.spelling, "+");
            ck_assert_int_eq(d.syntax, JX_SYNTAX_BINARY);
        }
        if (strcmp(d.mnemonic, "sin") == 0) {
            seen_sin = 1;
            ck_assert_int_eq(d.syntax, JX_SYNTAX_CALL);
        }
    }
    ck_assert_int_eq(seen_add && seen_sin, 1);
    ck_assert_int_eq(jx_op_describe(n, &d), -1);
    ck_assert_int_eq(jx_op_describe(-1, &d), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tree");
    TCase *tc = tcase_create("tree");
    tcase_add_loop_test(tc, test_trees, 0, N_ELEMS(rows));
    tcase_add_loop_test(tc, test_errors, 0, N_ELEMS(error_rows));
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_op_table);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
