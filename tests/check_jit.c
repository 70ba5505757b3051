/* check_jit.c - the JIT (the code generator jit/emit.h lists, jit/engine.c)
 * against C reference functions with NumPy's semantics (jitref.h): every
 * op of the op table over every supported dtype it accepts, with edge
 * values crossed with each other and random values, over several layouts
 * (jitutil.h); every cast; powers with constant exponents.  The vector
 * math functions are in check_jit_vecmath.c, reductions in
 * check_jit_reduce.c, layouts and the engine in check_jit_engine.c.
 *
 * Run under gdb or valgrind with CK_FORK=no. */
#include "jitutil.h"

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

/* ---- the suite ---------------------------------------------------------- */

static Suite *jit_suite(void)
{
    Suite *s = suite_create("jit");
    TCase *tc = tcase_create("ops");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_op, 0, JX_OP_COUNT);
    tcase_add_loop_test(tc, test_cast, 0, JX_DTYPE_COUNT);
    tcase_add_test(tc, test_pow_const);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return jit_test_main(jit_suite()); }
