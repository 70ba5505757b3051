/* check_jit_engine.c - the JIT's kernels over every layout of their
 * operands, mixed dtypes, overlap, no inputs and no elements; then the
 * engine (jit/engine.c): its errors, explain, release, and compiles from
 * several threads at once.
 *
 * Run under gdb or valgrind with CK_FORK=no. */
#include <pthread.h>

#include "jitutil.h"

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

static Suite *jit_engine_suite(void)
{
    Suite *s = suite_create("jit_engine");
    TCase *tc = tcase_create("layouts");
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

int main(void) { return jit_test_main(jit_engine_suite()); }
