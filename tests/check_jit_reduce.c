/* check_jit_reduce.c - the JIT's reduction kernels (sum, prod, min, max,
 * ...) over every dtype they accept, partial results block by block
 * against the reference (jitref.h), and a reduction of a compound value.
 *
 * Run under gdb or valgrind with CK_FORK=no. */
#include "jitutil.h"

/* ---- reductions ---------------------------------------------------------- */

#define RMAX 3000 /* elements in the reduction tests: three blocks */

/* The accumulator dtype, as sema's jx_sema_reduce_types chooses it. */
static jx_dtype acc_of(int op, jx_dtype t)
{
    switch (op) {
    case JX_OP_SUM:
    case JX_OP_PROD:
        return is_float(t) ? JX_FLOAT64 : kind_of(t) == JX_KIND_UINT ? JX_UINT64 : JX_INT64;
    case JX_OP_MEAN:
        return JX_FLOAT64;
    case JX_OP_MIN:
    case JX_OP_MAX:
        return t == JX_FLOAT16 ? JX_FLOAT32 : t;
    default:
        return JX_BOOL;
    }
}

static val ref_identity(int op, jx_dtype acc)
{
    switch (op) {
    case JX_OP_PROD:
        return is_float(acc) ? fval(1) : wrap(acc, 1);
    case JX_OP_MIN:
        if (is_float(acc))
            return fval(INFINITY);
        if (is_bool(acc))
            return uval(1);
        return is_signed(acc) ? wrap(acc, (uint64_t)max_of(acc)) : uval(umax_of(acc));
    case JX_OP_MAX:
        if (is_float(acc))
            return fval(-INFINITY);
        return is_signed(acc) ? wrap(acc, (uint64_t)min_of(acc)) : uval(0);
    case JX_OP_ALL:
        return uval(1);
    default:
        return is_float(acc) ? fval(0) : uval(0);
    }
}

/* combine(a, v) in the accumulator type; float min/max propagate NaN. */
static val ref_combine(int op, jx_dtype acc, val a, val v)
{
    if (is_float(acc)) {
        switch (op) {
        case JX_OP_PROD: return fval(round_to(acc, a.f * v.f));
        case JX_OP_MIN:
        case JX_OP_MAX:
            if (isnan(a.f) || isnan(v.f))
                return fval(NAN);
            if (a.f == v.f) /* -0 < +0 */
                return (signbit(a.f) != 0) == (op == JX_OP_MIN) ? a : v;
            return (a.f < v.f) == (op == JX_OP_MIN) ? a : v;
        default: return fval(round_to(acc, a.f + v.f));
        }
    }
    if (is_bool(acc))
        return op == JX_OP_ALL || op == JX_OP_MIN || op == JX_OP_PROD
                   ? uval(a.u & v.u) : uval(a.u | v.u);
    switch (op) {
    case JX_OP_PROD: return wrap(acc, a.u * v.u);
    case JX_OP_MIN:
        return (is_signed(acc) ? a.i < v.i : a.u < v.u) ? a : v;
    case JX_OP_MAX:
        return (is_signed(acc) ? a.i > v.i : a.u > v.u) ? a : v;
    default: return wrap(acc, a.u + v.u);
    }
}

/* The reduction op over input dtype t, value = the input itself. */
static void reduce_ir(tir *T, int op, jx_dtype t, char *text, size_t tl)
{
    tir_init(T);
    snprintf(text, tl, "%s(%s)", jx_ops[op].mnem, jx_dtype_name(t));
    T->ir.text = text;
    tir_input(T, t);
    T->ir.reduce = op;
    T->ir.acc_dtype = acc_of(op, t);
}

/* Partials of the reference, block by block; float sums and products in
 * long double (the kernel may add in vector lanes: it must be within
 * 2e-13 of the sum of magnitudes, or of the product). */
static bool partial_ok(int op, jx_dtype t, jx_dtype acc, const val *v, int64_t lo,
                       int64_t hi, val got, char *msg, size_t ml)
{
    val want = ref_identity(op, acc);
    long double ls = op == JX_OP_PROD ? 1 : 0, mag = 0;
    for (int64_t i = lo; i < hi; i++) {
        val x = ref_cast(t, acc, v[i]);
        want = ref_combine(op, acc, want, x);
        if (is_float(acc)) {
            ls = op == JX_OP_PROD ? ls * x.f : ls + x.f;
            mag += fabsl((long double)x.f);
        }
    }
    bool ok;
    bool inexact = is_float(acc) && op != JX_OP_MIN && op != JX_OP_MAX;
    if (!inexact)
        ok = is_float(acc) && !isnan(want.f) ? got.f == want.f : same(acc, got, want);
    else if (isnan((double)ls) || isinf((double)ls))
        ok = same(acc, got, fval((double)ls));
    else if (op == JX_OP_PROD)
        ok = fabsl(got.f - ls) <= 2e-13L * fabsl(ls);
    else
        ok = fabsl(got.f - ls) <= 2e-13L * mag;
    if (!ok) {
        char g[48], w[48];
        fmt_val(acc, got, g, sizeof g);
        if (inexact)
            snprintf(w, sizeof w, "%.17Lg", ls);
        else
            fmt_val(acc, want, w, sizeof w);
        snprintf(msg, ml, "elements [%lld, %lld): got %s, want %s", (long long)lo,
                 (long long)hi, g, w);
    }
    return ok;
}

/* Runs the reduction kernel of layout (mode R or A) over n elements of v
 * (a scalar input repeats v[0]); init: the output's values before an
 * accumulate. */
static void check_reduce(const jx_ir *ir, const char *layout, const int64_t *ns,
                         int nn, const val *v, const val *init)
{
    jx_jit_code code;
    jx_error err;
    jx_err_clear(&err);
    int rc = jx_jit_compile(ir, layout, &code, &err);
    ck_assert_msg(rc == 0, "%s layout %s: compile failed: %s", ir->text, layout,
                  err.message);
    int op = ir->reduce;
    jx_dtype t = ir->input_dtype[0], acc = ir->acc_dtype;
    char mode = layout[0], ocls = layout[1], icls = layout[2];
    int64_t asz = (int64_t)jx_dtype_size(acc);
    for (int j = 0; j < nn; j++) {
        int64_t n = ns[j];
        operand in, out;
        operand_make(&in, icls, t, n, 2);
        for (int64_t i = 0; i < (icls == 'S' ? (n > 0) : n); i++)
            mem_write(t, elem(&in, i), v[i]);
        val *vv = malloc(sizeof(val) * (size_t)(n > 0 ? n : 1));
        for (int64_t i = 0; i < n; i++)
            vv[i] = v[icls == 'S' ? 0 : i];
        int64_t nb = (n + JX_REDUCE_BLOCK - 1) / JX_REDUCE_BLOCK;
        if (mode == 'R')
            operand_make(&out, 'C', acc, nb, 0);
        else
            operand_make(&out, ocls, acc, n, 0);
        if (mode == 'A')
            for (int64_t i = 0; i < (ocls == 'S' ? (n > 0) : n); i++)
                mem_write(acc, elem(&out, i), init[i]);
        char *ptrs[2] = {out.base, in.base};
        int64_t st[2] = {out.stride, in.stride};
        code.fn(n, ptrs, st);
        char msg[256] = "";
        bool ok = true;
        if (mode == 'R') {
            for (int64_t b = 0; b < nb && ok; b++) {
                int64_t lo = b * JX_REDUCE_BLOCK;
                int64_t hi = lo + JX_REDUCE_BLOCK < n ? lo + JX_REDUCE_BLOCK : n;
                ok = partial_ok(op, t, acc, vv, lo, hi, mem_read(acc, elem(&out, b)),
                                msg, sizeof msg);
            }
            ck_assert_msg(ok, "%s layout %s n %lld: %s", ir->text, layout, (long long)n, msg);
            ck_assert_msg(out.buf[out.bytes - 1] == (char)0xa5 &&
                              (nb > 0 || out.buf[1] == (char)0xa5) &&
                              out.buf[1 + nb * asz] == (char)0xa5,
                          "%s layout %s n %lld: wrote past the partials", ir->text, layout,
                          (long long)n);
        } else {
            val a = ocls == 'S' && n > 0 ? init[0] : uval(0);
            for (int64_t i = 0; i < n && ok; i++) {
                val x = ref_cast(t, acc, vv[i]);
                val want = ref_combine(op, acc, ocls == 'S' ? a : init[i], x);
                a = want;
                if (ocls == 'S' && i < n - 1)
                    continue;
                val got = mem_read(acc, elem(&out, ocls == 'S' ? 0 : i));
                if (!same(acc, got, want)) {
                    char g[48], w[48];
                    fmt_val(acc, got, g, sizeof g);
                    fmt_val(acc, want, w, sizeof w);
                    snprintf(msg, sizeof msg, "element %lld: got %s, want %s",
                             (long long)i, g, w);
                    ok = false;
                }
            }
            ck_assert_msg(ok, "%s layout %s n %lld: %s", ir->text, layout, (long long)n, msg);
        }
        free(vv);
        free(in.buf);
        free(out.buf);
    }
    jx_jit_release(&code);
}

START_TEST(test_reduce)
{
    int op = _i;
    if (jx_ops[op].rule != JX_R_REDUCE)
        return;
    static val v[RMAX], init[RMAX];
    for (int t = 0; t < JX_DTYPE_COUNT; t++) {
        if (!supported((jx_dtype)t) || !(jx_ops[op].kinds & kind_of((jx_dtype)t)))
            continue;
        tir T;
        char text[64];
        reduce_ir(&T, op, (jx_dtype)t, text, sizeof text);
        jx_dtype acc = T.ir.acc_dtype;
        val e[64];
        int ne = edges((jx_dtype)t, e);
        for (int i = 0; i < RMAX; i++) {
            v[i] = i < ne ? e[i] : rand_val((jx_dtype)t, -1, 0);
            if (op == JX_OP_PROD && is_float((jx_dtype)t)) /* no overflow */
                v[i] = fval(round_to((jx_dtype)t, (rnd_unit() * 1.5 + 0.5) * (rnd() & 1 ? 1 : -1)));
            init[i] = rand_val(acc, -1, 0);
        }
        if (is_float((jx_dtype)t)) /* a NaN in the last block */
            v[2500] = fval(NAN);
        if (op == JX_OP_ALL) /* blocks of all-true too */
            for (int i = 1024; i < 2048; i++)
                v[i] = ref_cast(JX_INT8, (jx_dtype)t, wrap(JX_INT8, 1 + (rnd() % 5)));
        if (op == JX_OP_ANY) /* and all-false */
            for (int i = 1024; i < 2048; i++)
                v[i] = ref_cast(JX_INT8, (jx_dtype)t, wrap(JX_INT8, 0));
        /* A block of nothing but the identity: the largest value for min,
         * the smallest for max. */
        if (op == JX_OP_MIN || op == JX_OP_MAX)
            for (int i = 1024; i < 2048; i++) {
                bool hi = op == JX_OP_MIN;
                if (is_float((jx_dtype)t))
                    v[i] = fval(hi ? INFINITY : -INFINITY);
                else if (is_bool((jx_dtype)t))
                    v[i] = uval(hi);
                else if (is_signed((jx_dtype)t))
                    v[i] = wrap((jx_dtype)t, (uint64_t)(hi ? max_of((jx_dtype)t) : min_of((jx_dtype)t)));
                else
                    v[i] = uval(hi ? umax_of((jx_dtype)t) : 0);
            }
        static const int64_t nr[] = {0, 1, 7, 1000, 1024, 1025, 3000};
        static const int64_t na[] = {0, 1, 7, 1003};
        check_reduce(&T.ir, "RCC:n", nr, 7, v, init);
        check_reduce(&T.ir, "RCC", nr, 7, v, init);
        check_reduce(&T.ir, "RCX", nr, 7, v, init);
        check_reduce(&T.ir, "RCS:n", nr, 7, v, init);
        check_reduce(&T.ir, "ACC:n", na, 4, v, init);
        check_reduce(&T.ir, "ACC", na, 4, v, init);
        check_reduce(&T.ir, "AXC", na, 4, v, init);
        check_reduce(&T.ir, "ACS", na, 4, v, init);
        check_reduce(&T.ir, "ASX", na, 4, v, init);
    }
}
END_TEST

/* sum(where(a > b, a * b, 0)) over float32: a compound value converted
 * to the float64 accumulator. */
START_TEST(test_reduce_compound)
{
    tir T;
    tir_init(&T);
    T.ir.text = (char *)"sum(where(a > b, a * b, 0))";
    int a = tir_input(&T, JX_FLOAT32), b = tir_input(&T, JX_FLOAT32);
    int gt = tir_op(&T, JX_OP_GT, JX_BOOL, a, b, 0);
    int m = tir_op(&T, JX_OP_MUL, JX_FLOAT32, a, b, 0);
    int z = tir_const(&T, JX_FLOAT32, fval(0));
    tir_op(&T, JX_OP_WHERE, JX_FLOAT32, gt, m, z);
    T.ir.reduce = JX_OP_SUM;
    T.ir.acc_dtype = JX_FLOAT64;
    jx_jit_code code;
    jx_error err;
    ck_assert_int_eq(jx_jit_compile(&T.ir, "RCCC:n", &code, &err), 0);
    static float xa[2500], xb[2500];
    double part[3] = {0, 0, 0};
    for (int i = 0; i < 2500; i++) {
        xa[i] = (float)(rnd_unit() * 4 - 2);
        xb[i] = (float)(rnd_unit() * 4 - 2);
    }
    char *ptrs[3] = {(char *)part, (char *)xa, (char *)xb};
    int64_t st[3] = {8, 4, 4};
    code.fn(2500, ptrs, st);
    for (int blk = 0; blk < 3; blk++) {
        long double s = 0, mag = 0;
        for (int i = blk * 1024; i < 2500 && i < (blk + 1) * 1024; i++) {
            float x = xa[i] > xb[i] ? xa[i] * xb[i] : 0.0f;
            s += x;
            mag += fabsl((long double)x);
        }
        ck_assert_msg(fabsl(part[blk] - s) <= 2e-13L * mag, "block %d: %.17g vs %.17Lg",
                      blk, part[blk], s);
    }
    jx_jit_release(&code);

    /* Layout and IR must agree on being a reduction. */
    ck_assert_int_eq(jx_jit_compile(&T.ir, "CCC:n", &code, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_INTERNAL);
    ck_assert_int_eq(jx_jit_compile(&T.ir, "RXCC", &code, &err), -1);
    T.ir.reduce = -1;
    ck_assert_int_eq(jx_jit_compile(&T.ir, "ACCC", &code, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_INTERNAL);
}
END_TEST

/* ---- the suite ---------------------------------------------------------- */

static Suite *jit_reduce_suite(void)
{
    Suite *s = suite_create("jit_reduce");
    TCase *tc = tcase_create("reduce");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_reduce, 0, JX_OP_COUNT);
    tcase_add_test(tc, test_reduce_compound);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return jit_test_main(jit_reduce_suite()); }
