/* check_interp.c - the interpreted tier (src/interp.c, its place in
 * src/cache.c and src/eval.c): it computes the optimised code's bits for
 * every op, dtype and conversion it takes, over contiguous, scalar and
 * strided (negative, unaligned) operands, in place and in two dimensions;
 * it refuses what it cannot compute that way; and through the public API
 * a new kernel starts interpreted, with no compile, gets its optimised
 * code at once for a large call, with the same results (check_tier.c's
 * test_hot_kernel_upgraded: once its calls have spent the compile's
 * estimate).
 *
 * Runs with a process per test (CK_FORK): the tier is a process's. */
#include <check.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "interp.h"
#include "jitutil.h"
#include "pool.h"
#include "testutil.h"

/* Runs prog over n elements at ptrs/strides (output first). */
static void interp_run(const jx_interp *prog, const jx_ir *ir, int64_t n, char **ptrs,
                       const int64_t *strides)
{
    jx_plan p;
    memset(&p, 0, sizeof p);
    int64_t st[MAXSLOT + 1];
    p.nops = 1 + ir->ninputs;
    p.ndim = 1;
    p.shape[0] = n;
    p.strides = st;
    for (int o = 0; o < p.nops; o++) {
        st[o] = strides[o];
        p.data[o] = ptrs[o];
        p.itemsize[o] = (int64_t)jx_dtype_size(o == 0 ? ir->ins[ir->result].dtype
                                                      : ir->input_dtype[o - 1]);
    }
    jx_error err;
    ck_assert_msg(jx_interp_run(prog, &p, false, &err) == 0, "%s", err.message);
}

/* The optimised code and the interpreter over the same inputs in
 * layout (full, compiled from ir for it), n elements: the same values (same_value: NaNs alike); and, for
 * a contiguous layout whose result has the first input's dtype, the
 * interpreter in place over that input. */
static void compare(const jx_ir *ir, const jx_interp *prog, const jx_jit_code *full,
                    const char *layout, int64_t n, val in[][NMAX])
{
    int nin = ir->ninputs;
    jx_dtype rt = ir->ins[ir->result].dtype;
    operand ops[MAXSLOT + 1], out2;
    char *ptrs[MAXSLOT + 1];
    int64_t strides[MAXSLOT + 1];
    operands_make(ir, layout, n, in, ops, ptrs, strides);
    full->fn(n, ptrs, strides);
    operand_make(&out2, layout[0], rt, n, 0);
    ptrs[0] = out2.base;
    interp_run(prog, ir, n, ptrs, strides);
    for (int64_t i = 0; i < n; i++)
        ck_assert_msg(same_value(rt, elem(&ops[0], i), elem(&out2, i)),
                      "%s layout %s n %lld: element %lld: interpreted and compiled differ",
                      ir->text, layout, (long long)n, (long long)i);
    if (layout[0] == 'C' && layout[1] == 'C' && nin > 0 && rt == ir->input_dtype[0]) {
        ptrs[0] = ptrs[1] = ops[1].base; /* out = first input */
        interp_run(prog, ir, n, ptrs, strides);
        for (int64_t i = 0; i < n; i++)
            ck_assert_msg(same_value(rt, elem(&ops[0], i), elem(&ops[1], i)),
                          "%s in place n %lld: element %lld differs", ir->text,
                          (long long)n, (long long)i);
    }
    for (int k = 0; k <= nin; k++)
        free(ops[k].buf);
    free(out2.buf);
}

/* Over the sizes (block edges: 256) and layouts: contiguous with ":n",
 * and unless apart_only strided output with strided and scalar inputs
 * (math functions are interpreted for ":n" layouts only: elsewhere the
 * compiled loop calls the library for sin, cos and tan). */
static void compare_all(const jx_ir *ir, const jx_interp *prog, val in[][NMAX],
                        bool apart_only)
{
    static const int64_t ns[] = {0, 1, 7, 255, 256, 257, NMAX};
    char lay[2][JX_LAYOUT_MAX + 1];
    int nin = ir->ninputs;
    for (int l = 0; l < 2; l++) {
        lay[l][0] = l == 0 ? 'C' : 'X';
        for (int k = 0; k < nin; k++)
            lay[l][1 + k] = l == 0 ? 'C' : "SXC"[k % 3];
        strcpy(lay[l] + 1 + nin, l == 0 ? ":n" : "");
    }
    for (int l = 0; l < (apart_only ? 1 : 2); l++) {
        bool q;
        jx_jit_code full;
        ck_assert_msg(emit_load(ir, lay[l], JX_JIT_FULL, &q, &full), "%s: no code", ir->text);
        for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++)
            if (ns[j] <= NMAX)
                compare(ir, prog, &full, lay[l], ns[j], in);
        jx_jit_release(&full);
    }
}

/* Every op of the table over every dtype it takes: where the interpreter
 * takes it, the optimised code's values on edge and random inputs. */
START_TEST(test_every_op_same_bits)
{
    int taken = 0, refused = 0;
    for (int op = 0; op < JX_OP_COUNT; op++)
        for (int t = 0; t < JX_DTYPE_COUNT; t++) {
            if (!op_accepts(op, (jx_dtype)t) || jx_ops[op].rule == JX_R_COMPLEX)
                continue;
            tir T;
            char text[64];
            op_ir(&T, op, (jx_dtype)t, text, sizeof text);
            jx_interp *prog = jx_interp_new(&T.ir, "C", NULL, NULL);
            if (prog == NULL) {
                refused++;
                continue;
            }
            /* never a math function, a float16, complex or byte string */
            ck_assert_msg(jx_ops[op].low != JX_L_LIBM, "%s interpreted", text);
            ck_assert_msg(t != JX_FLOAT16 && t != JX_BYTES &&
                              !(jx_dtype_kind((jx_dtype)t) & JX_KIND_COMPLEX),
                          "%s interpreted", text);
            fill_inputs(op, T.ir.ninputs, T.dt, NMAX, inputs);
            compare_all(&T.ir, prog, inputs, false);
            jx_interp_free(prog);
            taken++;
        }
    ck_assert_int_gt(taken, 150);
    ck_assert_int_gt(refused, 100);
}
END_TEST

/* The units programs' math instructions call (jx_cache_unit, compiled
 * afresh), held until the test releases them. */
typedef struct unit_list {
    jx_kernel *k[64];
    int n;
} unit_list;

static jx_kernel_fn test_unit(void *ctx, const jx_ir *ir, int32_t i)
{
    unit_list *l = ctx;
    jx_kernel *u = l->n < 64 ? jx_cache_unit(ir, i, false) : NULL;
    if (u == NULL)
        return NULL;
    l->k[l->n++] = u;
    return atomic_load(&u->fn);
}

static void release_units(unit_list *l)
{
    for (int u = 0; u < l->n; u++)
        jx_cache_release(l->k[u]);
    l->n = 0;
}

/* Whether ir has a function of the LIBM rows: compared in ":n" layouts
 * only (compare_all).  A power is compared in every layout: the compiled
 * loop computes it with our kernel in each. */
static bool has_math(const jx_ir *ir)
{
    for (int32_t i = 0; i < ir->n; i++)
        if (ir->ins[i].op < JX_OP_COUNT && jx_ops[ir->ins[i].op].low == JX_L_LIBM)
            return true;
    return false;
}

/* Every math function of float32 and float64, and the float power a**b,
 * with units: interpreted
 * exactly where the engine computes it with vmath.c's kernel (main sets
 * JITEXPR_MATHLIB=own: wherever there is one), and then the optimised
 * code's bits, out of range and special values included. */
START_TEST(test_math_same_bits)
{
    int taken = 0, refused = 0;
    for (int op = 0; op < JX_OP_COUNT; op++)
        for (int t = JX_FLOAT32; t <= JX_FLOAT64; t++) {
            if ((jx_ops[op].low != JX_L_LIBM && op != JX_OP_POW) ||
                !op_accepts(op, (jx_dtype)t))
                continue;
            tir T;
            char text[64];
            op_ir(&T, op, (jx_dtype)t, text, sizeof text);
            unit_list units = {.n = 0};
            jx_interp *prog = jx_interp_new(&T.ir, "C", test_unit, &units);
            bool own = jx_jit_own_math(op, t == JX_FLOAT32);
            ck_assert_msg((prog != NULL) == own, "%s: interpreted %d, own %d", text,
                          prog != NULL, own);
            if (prog != NULL) {
                fill_inputs(op, T.ir.ninputs, T.dt, NMAX, inputs);
                compare_all(&T.ir, prog, inputs, true);
                jx_interp_free(prog);
                taken++;
            } else {
                refused++;
            }
            release_units(&units);
        }
    ck_assert_int_ge(taken, 32); /* 17 functions with kernels and a**b, 2 dtypes */
    ck_assert_int_ge(refused, 6); /* erf, erfc, hypot */
}
END_TEST

/* Every conversion between the dtypes it holds, but a float to an
 * integer (the JIT saturates; not interpreted). */
START_TEST(test_casts_same_bits)
{
    static const jx_dtype held[] = {JX_BOOL,   JX_INT8,   JX_INT16,  JX_INT32,
                                    JX_INT64,  JX_UINT8,  JX_UINT16, JX_UINT32,
                                    JX_UINT64, JX_FLOAT32, JX_FLOAT64};
    size_t nh = sizeof held / sizeof held[0];
    int taken = 0;
    for (size_t a = 0; a < nh; a++)
        for (size_t b = 0; b < nh; b++) {
            tir T;
            tir_init(&T);
            char text[64];
            snprintf(text, sizeof text, "cast %s -> %s", jx_dtype_name(held[a]),
                     jx_dtype_name(held[b]));
            T.ir.text = text;
            tir_cast(&T, held[b], tir_input(&T, held[a]));
            jx_interp *prog = jx_interp_new(&T.ir, "C", NULL, NULL);
            bool f2i = jx_dtype_kind(held[a]) == JX_KIND_FLOAT &&
                       (jx_dtype_kind(held[b]) & JX_KINDS_INTEGER);
            ck_assert_msg((prog == NULL) == f2i, "%s: interpreted %d", text, prog != NULL);
            if (prog == NULL)
                continue;
            fill_inputs(JX_OP_ADD, 1, T.dt, NMAX, inputs);
            compare_all(&T.ir, prog, inputs, false);
            jx_interp_free(prog);
            taken++;
        }
    ck_assert_int_eq(taken, 121 - 16);
}
END_TEST

/* Expressions through the front end: whether interpreted, and the same
 * values as the optimised code where they are.  A bug found is a row. */
static const struct {
    const char *src;
    bool interp;
} rows[] = {
    {"2*a + 3*b - c", true},
    {"where(a > b, a*c, b - c)", true},
    {"(a > 0) & (i < 3) | ~(f == 0)", true},
    {"i * 3 + j - (i * i) + u", true},
    {"a + i", true},           /* int32 to float64 */
    {"f * a + f", true},       /* float32 to float64 */
    {"f + i", true},           /* int32 to float64 */
    {"f + u", true},           /* uint16 to float32 */
    {"j + u - x", true},       /* uint64 and int64: float64 */
    {"abs(a) + sqrt(a) + floor(b) + ceil(c) + trunc(a)", true},
    {"-a / b + reciprocal(f) + square(i)", true},
    {"isnan(a) | isinf(b) ^ isfinite(f)", true},
    {"where(i > 2, f, f * 2)", true},
    {"a / i", true},
    {"-i + abs(j) + square(u)", true},
    {"i // j", false},         /* integer division: zero divisors */
    {"i % 7", false},
    {"a % b", false},
    {"a**2 + b**3 - c**4 + f**-1 + a**0 + b**1", true}, /* multiplied out */
    {"(a - 1)**2 * f**3", true},
    {"a ** 2.5", true},        /* pow through its unit: the constant there */
    {"a ** 5", true},
    {"a ** b", true},
    {"f ** 0.5 + a ** -2", true},
    {"i ** 2", false},
    {"sin(a)", true},          /* math: through units (main: MATHLIB=own) */
    {"exp(a) + 1", true},
    {"sin(a)*cos(b) + c", true},
    {"log(a) + tanh(f) - arctan2(a, b)", true}, /* float32 tanh */
    {"tan(a * 1e10) - log1p(b) + cbrt(f)", true}, /* tan out of range */
    {"erf(a) + 1", false},     /* no kernel: the library's */
    {"sin(a) + hypot(a, b)", false},
    {"sin(a)+sin(b)+sin(c)+cos(a)+cos(b)+cos(c)+exp(a)+exp(b)+exp(c)", false}, /* 9 */
    {"sin(a)+sin(b)+sin(c)+cos(a)+cos(b)+cos(c)+exp(a)+exp(b)", true},        /* 8 */
    {"sin(a) ** 2.5", true},
    {"i ** 2.5", true},        /* int32 to float64, then pow */
    {"minimum(a, b)", false},
    {"i << 2", false},
    {"z * 2", false},          /* complex */
    {"h * 2", false},          /* float16 */
    {"s == t", false},         /* byte strings */
    {"sum(a * b)", false},     /* a reduction */
};

static const jx_var vars[] = {
    {"a", JX_FLOAT64, 0, 0}, {"b", JX_FLOAT64, 0, 0},    {"c", JX_FLOAT64, 0, 0},
    {"f", JX_FLOAT32, 0, 0}, {"i", JX_INT32, 0, 0},      {"j", JX_INT64, 0, 0},
    {"u", JX_UINT16, 0, 0},  {"x", JX_UINT64, 0, 0},     {"z", JX_COMPLEX128, 0, 0},
    {"s", JX_BYTES, 0, 3},   {"t", JX_BYTES, 0, 5},      {"h", JX_FLOAT16, 0, 0},
};

START_TEST(test_expressions)
{
    const char *src = rows[_i].src;
    jx_arena ar;
    jx_arena_init(&ar);
    jx_error err;
    jx_ir *ir = jx_expr_front_end(&ar, src, vars, (int)(sizeof vars / sizeof vars[0]),
                                  NULL, NULL, &err);
    ck_assert_msg(ir != NULL, "%s: %s", src, err.message);
    unit_list units = {.n = 0};
    jx_interp *prog = jx_interp_new(ir, "C", test_unit, &units);
    ck_assert_msg((prog != NULL) == rows[_i].interp, "%s: interpreted %d", src,
                  prog != NULL);
    if (prog != NULL) {
        for (int k = 0; k < ir->ninputs; k++) {
            val e[64];
            int ne = edges(ir->input_dtype[k], e);
            for (int i = 0; i < NMAX; i++)
                inputs[k][i] = i < ne && (i + k) % 2 == 0
                                   ? e[(i * 7 + k) % ne]
                                   : rand_val(ir->input_dtype[k], JX_OP_ADD, k & 1);
        }
        compare_all(ir, prog, inputs, has_math(ir));
        jx_interp_free(prog);
    }
    release_units(&units);
    jx_ir_free(ir);
    jx_arena_free(&ar);
}
END_TEST

/* ---- through the public API ---------------------------------------------- */

static const jx_var ab[2] = {{"a", JX_FLOAT64, 0, 0}, {"b", JX_FLOAT64, 0, 0}};

/* e over n elements of a and b into a new array: its bytes' hash. */
static uint64_t eval_hash(jx_expr *e, double *a, double *b, int64_t n)
{
    jx_array in[2] = {test_vec(JX_FLOAT64, a, n), test_vec(JX_FLOAT64, b, n)};
    jx_array out;
    jx_error err;
    ck_assert_msg(jx_eval_new(e, in, &out, &err) == 0, "%s", err.message);
    size_t bytes = (size_t)n * jx_expr_itemsize(e);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < bytes; i++)
        h = (h ^ ((unsigned char *)out.data)[i]) * 1099511628211ull;
    jx_free(out.data);
    return h;
}

/* src over a and b, optimised at once (a kernel of its own), gives the
 * bytes whose hash is h. */
static void same_as_optimised(const char *src, double *a, double *b, int64_t n, uint64_t h)
{
    jx_error err;
    jx_expr *f = jx_compile(src, ab, 2, JX_FLAG_NO_CACHE, &err);
    ck_assert_msg(f != NULL, "%s: %s", src, err.message);
    ck_assert_uint_eq(eval_hash(f, a, b, n), h);
    jx_expr_free(f);
}

/* A call large in work (2^28 elements, inputs broadcast from one element
 * each, a bool result) compiles the optimised code at once. */
START_TEST(test_large_call_compiles)
{
    test_fresh_cache();
    jx_error err;
    jx_stats st0 = test_stats();
    jx_expr *e = jx_compile("(a - b) * (a + 0.5) - b*b/7 > 0", ab, 2, 0, &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(test_stats().kernels_interpreted, st0.kernels_interpreted + 1);
    const int64_t n = (int64_t)1 << 28;
    double a = 0.75, b = 0.25;
    jx_array in[2] = {test_vec(JX_FLOAT64, &a, n), test_vec(JX_FLOAT64, &b, n)};
    in[0].strides[0] = in[1].strides[0] = 0;
    jx_array out;
    ck_assert_msg(jx_eval_new(e, in, &out, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(test_stats().kernels_upgraded, st0.kernels_upgraded + 1);
    for (int64_t i = 0; i < n; i += 4099)
        ck_assert_int_eq(((unsigned char *)out.data)[i], 1); /* 0.6161 > 0 */
    jx_free(out.data);
    jx_expr_free(e);
}
END_TEST

/* The modes: "interp" never compiles what it interprets, even for a large
 * call; "compiled" and "full" never interpret; "auto" does. */
START_TEST(test_modes)
{
    static const char *const modes[] = {"interp", "compiled", "full", "auto"};
    test_fresh_cache();
    ck_assert_int_eq(jx_set_tier(modes[_i]), 0);
    jx_error err;
    jx_stats st0 = test_stats();
    jx_expr *e = jx_compile("a*2.5 - b", ab, 2, 0, &err);
    ck_assert_ptr_nonnull(e);
    jx_stats st1 = test_stats();
    bool interp = _i == 0 || _i == 3;
    ck_assert_uint_eq(st1.kernels_interpreted - st0.kernels_interpreted, interp);
    ck_assert_uint_eq(st1.kernels_compiled - st0.kernels_compiled, !interp);
    const int64_t n = (int64_t)1 << 22;
    double *a = test_ramp(n, 0.5), *b = test_ramp(n, 2.0);
    uint64_t h = eval_hash(e, a, b, n);
    if (_i == 0 || _i == 2) /* interp: never; full: nothing to upgrade */
        ck_assert_uint_eq(test_stats().kernels_upgraded, st0.kernels_upgraded);
    same_as_optimised("a*2.5 - b", a, b, n, h);
    jx_expr_free(e);
    free(a);
    free(b);
}
END_TEST

/* Above the work threshold the interpreter runs on the pool, each chunk
 * with registers of its own: the same bytes on four threads as on one,
 * and as the optimised code (a math function through its unit too). */
START_TEST(test_pool)
{
    ck_assert_int_eq(jx_set_tier("interp"), 0);
    jx_error err;
    jx_stats st0 = test_stats();
    jx_expr *e = jx_compile("sin(a) * b + 2*a - b*b", ab, 2, 0, &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(test_stats().kernels_interpreted, st0.kernels_interpreted + 1);
    const int64_t n = ((int64_t)1 << 20) + 3;
    double *a = test_ramp(n, 0.5), *b = test_ramp(n, 2.0);
    jx_set_num_threads(4);
    uint64_t h4 = eval_hash(e, a, b, n);
    ck_assert_int_eq(jx_pool_workers(), 3);
    jx_set_num_threads(1);
    ck_assert_uint_eq(eval_hash(e, a, b, n), h4);
    ck_assert_uint_eq(test_stats().kernels_upgraded, st0.kernels_upgraded);
    same_as_optimised("sin(a) * b + 2*a - b*b", a, b, n, h4);
    jx_expr_free(e);
    free(a);
    free(b);
}
END_TEST

/* Two dimensions, broadcast and strided views, mixed dtypes: interpreted
 * as compiled (JX_FLAG_NO_CACHE: optimised at once). */
START_TEST(test_views)
{
    ck_assert_int_eq(jx_set_tier("interp"), 0);
    const jx_var v[3] = {{"x", JX_FLOAT64, 0, 0}, {"y", JX_INT32, 0, 0}, {"m", JX_BOOL, 0, 0}};
    const char *src = "where(m, x * 2 - y, -x) + (y > 3)";
    enum { R = 37, C = 300 };
    double *xs = malloc(sizeof(double) * R * C * 2);
    int32_t ys[C];
    unsigned char ms[R];
    for (int i = 0; i < R * C * 2; i++)
        xs[i] = (i % 17) * 0.25 - 2.0;
    for (int j = 0; j < C; j++)
        ys[j] = j % 9 - 4;
    for (int r = 0; r < R; r++)
        ms[r] = (unsigned char)(r % 3 == 0 ? 2 : r % 2); /* a true 2 too */
    jx_array in[3];
    memset(in, 0, sizeof in);
    in[0].data = xs; /* every other column of an R x 2C array */
    in[0].dtype = JX_FLOAT64;
    in[0].ndim = 2;
    in[0].shape[0] = R;
    in[0].shape[1] = C;
    in[0].strides[0] = 2 * C * 8;
    in[0].strides[1] = 16;
    in[1] = test_vec(JX_INT32, ys, C); /* broadcast over rows */
    in[2].data = ms;                   /* a column: R x 1 */
    in[2].dtype = JX_BOOL;
    in[2].ndim = 2;
    in[2].shape[0] = R;
    in[2].shape[1] = 1;
    in[2].strides[0] = 1;
    in[2].strides[1] = 1;
    jx_error err;
    jx_expr *e = jx_compile(src, v, 3, 0, &err);
    jx_expr *f = jx_compile(src, v, 3, JX_FLAG_NO_CACHE, &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_nonnull(f);
    jx_stats st0 = test_stats();
    jx_array o1, o2;
    ck_assert_msg(jx_eval_new(e, in, &o1, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(test_stats().kernels_compiled, st0.kernels_compiled); /* interpreted */
    ck_assert_msg(jx_eval_new(f, in, &o2, &err) == 0, "%s", err.message);
    ck_assert_int_eq(o1.ndim, 2);
    ck_assert(memcmp(o1.data, o2.data, sizeof(double) * R * C) == 0);
    jx_free(o1.data);
    jx_free(o2.data);
    jx_expr_free(e);
    jx_expr_free(f);
    free(xs);
}
END_TEST

int main(void)
{
    /* whether a math function is interpreted depends on the engine's
     * choice (timed on first use): ours wherever we have a kernel, here */
    setenv("JITEXPR_MATHLIB", "own", 1);
    Suite *s = suite_create("interp");
    TCase *tc = tcase_create("interp");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_every_op_same_bits);
    tcase_add_test(tc, test_casts_same_bits);
    tcase_add_test(tc, test_math_same_bits);
    tcase_add_loop_test(tc, test_expressions, 0, (int)(sizeof rows / sizeof rows[0]));
    tcase_add_test(tc, test_large_call_compiles);
    tcase_add_loop_test(tc, test_modes, 0, 4);
    tcase_add_test(tc, test_views);
    tcase_add_test(tc, test_pool);
    suite_add_tcase(s, tc);
    return jit_test_main(s);
}
