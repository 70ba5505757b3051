/* check_tier.c - the quick tier (jit/module.c, src/tier.c, src/cache.c):
 * its code computes the same bits as the optimised code wherever the JIT
 * offers it, it is not offered where it would not, and a kernel that
 * starts quick gets its optimised code once its calls have spent the
 * optimised compile's time (at once for a large call), with the same
 * results; quick code is stored on disk for the next process.
 *
 * Runs with a process per test (CK_FORK, and in check-asan's list):
 * JITEXPR_TIER and JITEXPR_MATHLIB are read once per process.  main sets
 * JITEXPR_MATHLIB=own, so that which math functions are our kernels (and
 * may be quick) does not depend on this machine's timing, and
 * JITEXPR_TIER=compiled: the default tier would interpret the arithmetic
 * these tests compile quick (check_interp.c tests the interpreter). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expr.h"
#include "interp.h"
#include "jitutil.h"
#include "testutil.h"

/* Runs a and b over n elements of in[][] in layout; their outputs must
 * be the same bytes. */
static void same_bits(const jx_ir *ir, const char *layout, jx_kernel_fn a,
                      jx_kernel_fn b, int64_t n, val in[][NMAX])
{
    int nin = ir->ninputs;
    jx_dtype rt = ir->ins[ir->result].dtype;
    operand ops[MAXSLOT + 1], out2;
    char *ptrs[MAXSLOT + 1];
    int64_t strides[MAXSLOT + 1];
    operands_make(ir, layout, n, in, ops, ptrs, strides);
    operand_make(&out2, layout[0], rt, n, 0);
    a(n, ptrs, strides);
    ptrs[0] = out2.base;
    b(n, ptrs, strides);
    int64_t first = layout[0] == 'S' ? n - 1 : 0;
    for (int64_t i = first < 0 ? 0 : first; i < n; i++)
        ck_assert_msg(same_value(rt, elem(&ops[0], i), elem(&out2, i)),
                      "%s layout %s n %lld: element %lld: the quick and the optimised "
                      "code differ", ir->text, layout, (long long)n, (long long)i);
    for (int k = 0; k <= nin; k++)
        free(ops[k].buf);
    free(out2.buf);
}

/* Both tiers of ir over each layout and size. */
static int compare_tiers(const jx_ir *ir, val in[][NMAX])
{
    static const int64_t ns[] = {0, 1, 7, 64, NMAX};
    /* contiguous (vectorized by the optimiser), and strided with the
     * first input a scalar */
    char layouts[2][JX_LAYOUT_MAX + 1];
    int nin = ir->ninputs;
    for (int l = 0; l < 2; l++) {
        layouts[l][0] = l == 0 ? 'C' : 'X';
        for (int k = 0; k < nin; k++)
            layouts[l][1 + k] = l == 0 ? 'C' : k == 0 ? 'S' : 'X';
        strcpy(layouts[l] + 1 + nin, l == 0 ? ":n" : "");
    }
    int quick_ones = 0;
    for (int l = 0; l < 2; l++) {
        bool q, f;
        jx_jit_code quick, full;
        if (!emit_load(ir, layouts[l], JX_JIT_QUICK, &q, &quick)) {
            /* no lowering for this op and dtype (hand-built IR that the
             * front end would not make): the same in both tiers */
            ck_assert(!emit_load(ir, layouts[l], JX_JIT_FULL, &f, &full));
            return -1;
        }
        ck_assert(emit_load(ir, layouts[l], JX_JIT_FULL, &f, &full));
        ck_assert(!f);
        quick_ones += q;
        for (size_t j = 0; q && j < sizeof ns / sizeof ns[0]; j++)
            same_bits(ir, layouts[l], quick.fn, full.fn, ns[j], in);
        jx_jit_release(&quick);
        jx_jit_release(&full);
    }
    return quick_ones;
}

/* Every op of the table over every dtype it takes (jitutil.h): where the
 * quick tier is offered, the same bits on edge and random values. */
START_TEST(test_every_op_same_bits)
{
    int offered = 0, refused = 0;
    for (int op = 0; op < JX_OP_COUNT; op++)
        for (int t = 0; t < JX_DTYPE_COUNT; t++) {
            /* complex(): op_ir types only real results */
            if (!op_accepts(op, (jx_dtype)t) || jx_ops[op].rule == JX_R_COMPLEX)
                continue;
            tir T;
            char text[64];
            op_ir(&T, op, (jx_dtype)t, text, sizeof text);
            fill_inputs(op, T.ir.ninputs, T.dt, NMAX, inputs);
            int q = compare_tiers(&T.ir, inputs);
            offered += q > 0;
            refused += q == 0;
            /* a libm function is quick only as our kernel (vmath.c:
             * written out with llvm.fma, the same bits in both tiers);
             * sin, cos and tan of floats and doubles are, contiguous
             * with the output apart (the guarded loops: vmath_trig.c's
             * kernels, helpers.c's call of libm's function beyond them) */
            bool guarded = jx_ops[op].low == JX_L_LIBM &&
                           jx_vm_has_guarded(jx_ops[op].fn, t == JX_FLOAT32);
            if (jx_ops[op].low == JX_L_LIBM && !jx_vm_has(jx_ops[op].fn) && !guarded)
                ck_assert_msg(q <= 0, "%s: quick", text);
            if (guarded && (t == JX_FLOAT32 || t == JX_FLOAT64))
                ck_assert_msg(q == 1, "%s: quick %d", text, q);
        }
    /* Most ops are plain arithmetic; the library's functions are not
     * offered. */
    ck_assert_int_gt(offered, 200);
    ck_assert_int_gt(refused, 20);
}
END_TEST

/* Expressions through the front end: conversions, where, byte strings,
 * complex arithmetic, integer powers, the operators on mixed types. */
static const struct {
    const char *src;
    bool quick; /* the JIT gives the quick tier */
} expr_rows[] = {
    {"2*a + 3*b - c", true},
    {"where(a > b, a*c, b - c)", true},
    {"a / b + a // b - a % b", true},
    {"i * 3 + j % 7 - (i << 2) + (j >> 1)", true},
    {"(i ** 3) + (j ** 2)", true},
    {"i / j", true},
    {"a + i", true},
    {"f * a + f", true},
    {"f + i", true},
    {"u + i", true},
    {"u // j + u % j", true},
    {"(a > 0) & (i < 3) | ~(f == 0)", true},
    {"where(i > 2, f, f * 2)", true},
    {"abs(a) + sqrt(a) + floor(b) + ceil(c)", true},
    {"minimum(a, b) + maximum(b, c) + fmax(a, c) + fmin(b, c)", true},
    {"z * w + z / w - z", true},
    {"z.real + w.imag + (z*w).real", true},
    {"conj(z) * 2j - w * z", true},
    {"s == t", true},
    {"where(s < t, a, b)", true},
    {"copysign(a, b) + rint(c) + trunc(a)", true},
    {"abs(z*w)", false},          /* hypot, from libm */
    {"arctan2(a, b)", true},      /* our kernels (JITEXPR_MATHLIB=own) */
    {"exp(a) + log1p(b) * tanh(c)", true},
    {"a ** b", true},             /* a float power: our kernel too */
    {"sin(a) * cos(b)", true},    /* our kernels; out of their range */
    {"tan(f) - sin(f) * cos(f)", true}, /* libm's through jx_hp_ */
    /* fast forms (the edge values of fill_raw take the exact loop) */
    {"log(a) + tanh(b)", true},
    {"log2(a) * log10(b) - arctanh(c) + log1p(f)", true},
    {"sin(a) + log(b)", true},    /* beside a guarded sin, log's whole kernel */
    {"sinh(a) + cosh(b) * arctan(c)", true}, /* our kernels (vmath_atan.c) */
    {"erf(a)", false},            /* no kernel of ours: the library's */
    {"w ** 2.5", true},           /* our helper jx_cm_pow: the same call */
    {"h * 2 + 1", false},         /* float16 */
    {"exp(z)", true},             /* complex.c's cx_exp: our exp, */
    {"expm1(z) - exp2(z)", true}, /* sin and cos (guarded) */
    {"exp(w)", false},            /* complex64: sinf, cosf from libm */
    {"sin(z)", true},             /* cmath.c's jx_cm_sin: the same call */
};

static const jx_var expr_vars[] = {
    {"a", JX_FLOAT64, 0, 0}, {"b", JX_FLOAT64, 0, 0}, {"c", JX_FLOAT64, 0, 0},
    {"f", JX_FLOAT32, 0, 0}, {"i", JX_INT32, 0, 0},   {"j", JX_INT64, 0, 0},
    {"u", JX_UINT16, 0, 0},  {"z", JX_COMPLEX128, 0, 0}, {"w", JX_COMPLEX64, 0, 0},
    {"s", JX_BYTES, 0, 3},   {"t", JX_BYTES, 0, 5},   {"h", JX_FLOAT16, 0, 0},
};

/* src's IR over expr_vars, from the front end. */
static jx_ir *front_end(jx_arena *ar, const char *src)
{
    jx_error err;
    int nv = (int)(sizeof expr_vars / sizeof expr_vars[0]);
    jx_ir *ir = jx_expr_front_end(ar, src, expr_vars, nv, NULL, NULL, &err);
    ck_assert_msg(ir != NULL, "%s: %s", src, err.message);
    return ir;
}

/* ptrs[1..] and strides[1..]: n raw values (fill_raw) of each input
 * slot of ir, of class cls[k] (a scalar 'S': stride 0). */
static void inputs_make(const jx_ir *ir, const char *cls, int64_t n, char **ptrs,
                        int64_t *strides)
{
    for (int k = 0; k < ir->ninputs; k++) {
        size_t isz = (size_t)(ir->input_itemsize[k] ? ir->input_itemsize[k]
                                                    : (int64_t)jx_dtype_size(ir->input_dtype[k]));
        ptrs[1 + k] = malloc(isz * (size_t)n);
        fill_raw(ptrs[1 + k], ir->input_dtype[k], isz, n, k);
        strides[1 + k] = cls[k] == 'S' ? 0 : (int64_t)isz;
    }
}

/* Runs the quick code into o1 and the optimised code into o2, over the
 * same inputs. */
static void run_both(const jx_jit_code *quick, const jx_jit_code *full, int64_t n, char **ptrs,
                     int64_t *strides, char *o1, char *o2)
{
    ptrs[0] = o1;
    quick->fn(n, ptrs, strides);
    ptrs[0] = o2;
    full->fn(n, ptrs, strides);
}

/* Frees one run's inputs (ptrs[1..]) and its two outputs. */
static void free_run(const jx_ir *ir, char **ptrs, char *o1, char *o2)
{
    for (int k = 0; k < ir->ninputs; k++)
        free(ptrs[1 + k]);
    free(o1);
    free(o2);
}

START_TEST(test_expressions_same_bits)
{
    const char *src = expr_rows[_i].src;
    jx_arena ar;
    jx_arena_init(&ar);
    jx_ir *ir = front_end(&ar, src);
    bool expect = expr_rows[_i].quick;

    char layout[JX_LAYOUT_MAX + 1] = "C";
    for (int k = 0; k < ir->ninputs; k++)
        strcat(layout, k == 1 ? "S" : "C");
    strcat(layout, ":n");
    bool q, f;
    jx_jit_code quick, full;
    ck_assert(emit_load(ir, layout, JX_JIT_QUICK, &q, &quick));
    ck_assert(emit_load(ir, layout, JX_JIT_FULL, &f, &full));
    ck_assert_msg(q == expect, "%s: quick %d", src, q);
    if (q) {
        const int64_t n = 997;
        char *ptrs[1 + MAXSLOT];
        int64_t strides[1 + MAXSLOT];
        size_t osz = (size_t)(ir->dtype == JX_BYTES ? ir->ins[ir->result].itemsize
                                                      : (int64_t)jx_dtype_size(ir->dtype));
        inputs_make(ir, layout + 1, n, ptrs, strides);
        char *o1 = calloc((size_t)n, osz), *o2 = calloc((size_t)n, osz);
        strides[0] = (int64_t)osz;
        run_both(&quick, &full, n, ptrs, strides, o1, o2);
        jx_dtype rt = ir->dtype;
        for (int64_t i = 0; i < n; i++)
            ck_assert_msg(rt == JX_BYTES ? memcmp(o1 + osz * (size_t)i, o2 + osz * (size_t)i, osz) == 0
                                         : same_value(rt, o1 + osz * (size_t)i, o2 + osz * (size_t)i),
                          "%s: element %lld: the quick and the optimised code differ", src,
                          (long long)i);
        free_run(ir, ptrs, o1, o2);
    }
    jx_jit_release(&quick);
    jx_jit_release(&full);
    jx_ir_free(ir);
    jx_arena_free(&ar);
}
END_TEST

/* ---- reductions ------------------------------------------------------------------ */

/* Reductions: quick, and interpreted in the partials layout, where no
 * order of accumulation changes the result (integer and bool
 * accumulators, float min and max), not for float sums, products and
 * means (jit/module.c, src/interp.h).  fill_raw's values hold -0, +0,
 * infinities and NaNs. */
static const struct {
    const char *src;
    bool quick;
} reduce_rows[] = {
    {"sum(i * 3 + j)", true},     /* int64, wrapping past 2^63 on the edges */
    {"prod(i | 1)", true},
    {"min(i - j)", true},
    {"max(u * 3)", true},
    {"any(a > b)", true},
    {"all(i != 0)", true},
    {"sum(a > b)", true},         /* a count */
    {"max(i, axis=0)", true},
    {"sum(a * b)", true},         /* float lanes in a fixed order */
    {"max(f)", true},             /* over integer keys */
    {"min(a * b)", true},
    {"max(where(a == a, a, 1.0))", true}, /* no NaN: +-0, +-inf ordered */
    {"min(where(f == f, f, 2.0))", true},
    {"max(where(abs(a) < 1e300, a * 0, 0.0))", true}, /* +-0 only */
    {"min(where(abs(a) < 1e300, a * 0, 0.0))", true},
    {"max(a - b, axis=0)", true},
    {"prod(a)", true},
    {"sum(f * 3)", true},         /* a float64 accumulator */
    {"prod(f * 0.5)", true},      /* float32 lanes */
    {"sum(where(a == a, a, 0.0) * 1e-3)", true}, /* no NaN: the order shows */
    {"mean(i)", true},            /* a float64 accumulator */
    {"min(z)", false},            /* complex */
    {"sum(sin(a))", false},
};

/* Whether accumulators o1 and o2 (n of type t) hold the same values
 * (same_value: NaNs alike). */
static bool same_accs(jx_dtype t, const char *o1, const char *o2, int64_t n)
{
    size_t sz = jx_dtype_size(t);
    for (int64_t i = 0; i < n; i++)
        if (!same_value(t, o1 + sz * (size_t)i, o2 + sz * (size_t)i))
            return false;
    return true;
}

/* One call of the interpreter's kernel (jx_interp_with's fn). */
typedef struct interp_call {
    int64_t n;
    char **ptrs;
    int64_t *strides;
} interp_call;

static int interp_call_run(void *arg, int64_t c, jx_error *err)
{
    (void)c;
    (void)err;
    const interp_call *ic = arg;
    jx_interp_kernel(ic->n, ic->ptrs, ic->strides);
    return 0;
}

/* The front end's IR of reduce_rows[_i] in the partials ('R') and the
 * accumulating ('A') layouts: both tiers give the same accumulators, bit
 * for bit (a NaN's sign aside: same_value), over lengths that end inside a block and past several; and in
 * 'R' the interpreter too, where it takes the row (as quick code). */
START_TEST(test_reductions_same_bits)
{
    const char *src = reduce_rows[_i].src;
    jx_arena ar;
    jx_arena_init(&ar);
    jx_ir *ir = front_end(&ar, src);
    ck_assert(ir->reduce >= 0);
    size_t asz = jx_dtype_size(ir->acc_dtype);
    static const int64_t ns[] = {1, 1023, 1025, 5000};
    for (int mode = 0; mode < 2; mode++) {
        char layout[JX_LAYOUT_MAX + 1] = {mode == 0 ? JX_LAYOUT_PARTIALS : JX_LAYOUT_ACCUMULATE,
                                          'C'};
        for (int k = 0; k < ir->ninputs; k++)
            strcat(layout, "C");
        strcat(layout, ":n");
        bool q, f;
        jx_jit_code quick, full;
        ck_assert(emit_load(ir, layout, JX_JIT_QUICK, &q, &quick));
        ck_assert(emit_load(ir, layout, JX_JIT_FULL, &f, &full));
        ck_assert_msg(q == reduce_rows[_i].quick && !f, "%s %s: quick %d", src, layout, q);
        /* 256-bit vectors (":w"): a float sum's lanes in the same order */
        char wide[JX_LAYOUT_MAX + 2];
        jx_jit_code narrow;
        snprintf(wide, sizeof wide, "%sw", layout);
        ck_assert(emit_load(ir, wide, JX_JIT_FULL, &f, &narrow));
        jx_interp *prog = jx_interp_new(ir, layout, NULL, NULL);
        ck_assert_msg((prog != NULL) == q, "%s %s: interpreted %d", src, layout,
                      prog != NULL);
        for (size_t m = 0; q && m < sizeof ns / sizeof ns[0]; m++) {
            int64_t n = ns[m];
            char *ptrs[1 + MAXSLOT];
            int64_t strides[1 + MAXSLOT];
            inputs_make(ir, layout + 2, n, ptrs, strides);
            /* 'R': one partial per block; 'A': n accumulators, from the
             * same start in both */
            int64_t nacc = mode == 0 ? (n - 1) / JX_REDUCE_BLOCK + 1 : n;
            char *o1 = malloc(asz * (size_t)nacc), *o2 = malloc(asz * (size_t)nacc);
            char *start = malloc(asz * (size_t)nacc);
            fill_raw(start, ir->acc_dtype, asz, nacc, 7);
            memcpy(o1, start, asz * (size_t)nacc);
            memcpy(o2, start, asz * (size_t)nacc);
            strides[0] = (int64_t)asz;
            run_both(&quick, &full, n, ptrs, strides, o1, o2);
            ck_assert_msg(same_accs(ir->acc_dtype, o1, o2, nacc),
                          "%s %s n %lld: the quick and the optimised code differ", src, layout,
                          (long long)n);
            memcpy(o1, start, asz * (size_t)nacc);
            ptrs[0] = o1;
            narrow.fn(n, ptrs, strides);
            ck_assert_msg(same_accs(ir->acc_dtype, o1, o2, nacc),
                          "%s %s n %lld: 256- and 512-bit vectors differ", src, wide,
                          (long long)n);
            if (prog != NULL) {
                memcpy(o1, start, asz * (size_t)nacc);
                ptrs[0] = o1;
                interp_call ic = {n, ptrs, strides};
                jx_error err;
                ck_assert(jx_interp_with(prog, interp_call_run, &ic, 0, &err) == 0);
                ck_assert_msg(same_accs(ir->acc_dtype, o1, o2, nacc),
                              "%s %s n %lld: the interpreter and the optimised code differ",
                              src, layout, (long long)n);
            }
            free(start);
            free_run(ir, ptrs, o1, o2);
        }
        jx_interp_free(prog);
        jx_jit_release(&narrow);
        jx_jit_release(&quick);
        jx_jit_release(&full);
    }
    jx_ir_free(ir);
    jx_arena_free(&ar);
}
END_TEST

/* ---- sin, cos and tan out of their kernels' range ------------------------------- */

/* Values out of vmath_trig.c's range (|x| > 2^24, float 2^16; infinite,
 * NaN), and the range's edge, which is in it: [f32]. */
static const double trig_far[2][8] = {
    {0x1.0000000000001p24, -0x1p25, 1e30, -1e300, INFINITY, -INFINITY, NAN, 0x1p24},
    {0x1.000002p16, -0x1p17, 1e30, -3.4e38, INFINITY, -INFINITY, NAN, 0x1p16},
};

/* Lengths: every one to 40 (the vector loop's remainders), and longer. */
static const int64_t trig_ns[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,  14,
                                  15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,  28,
                                  29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 64,  97,
                                  600, 1000, 2049, 4099, 4100, 4101};

/* An element in range (float32 |x| <= 2^15, float64 2^23, most within
 * 10 of 0). */
static double trig_near(bool f32, int64_t i)
{
    double x = (rnd_unit() - 0.5) * (i % 5 == 0 ? 0x1p24 : 20.0);
    return f32 ? (double)(float)(x / 256) : x;
}

/* Element i of input k for length n: x, or at positions that move with n
 * and k (one in 11, or one in 331 from n = 4100 on, leaving long runs
 * without any; and the last for some n), one of trig_far's. */
static double trig_far_at(bool f32, int64_t n, int64_t i, int k, double x)
{
    uint64_t h = (uint64_t)(i * 7 + n + 3 * k) % (n >= 4100 ? 331 : 11);
    if (h == 0 || (i == n - 1 && n % 3 == k))
        return trig_far[f32][(uint64_t)(i + n + k) % 8];
    return x;
}

/* src over float32 or float64 a, b, c: both tiers' code (layout C...C:n);
 * it must be quick.  Returns the IR's input count. */
static int trig_codes(jx_arena *ar, const char *src, bool f32, jx_jit_code *quick,
                      jx_jit_code *full)
{
    jx_dtype t = f32 ? JX_FLOAT32 : JX_FLOAT64;
    jx_var vars[3] = {{"a", t, 0, 0}, {"b", t, 0, 0}, {"c", t, 0, 0}};
    jx_error err;
    jx_ir *ir = jx_expr_front_end(ar, src, vars, 3, NULL, NULL, &err);
    ck_assert_msg(ir != NULL, "%s: %s", src, err.message);
    char layout[8] = "C";
    for (int k = 0; k < ir->ninputs; k++)
        strcat(layout, "C");
    strcat(layout, ":n");
    bool q, f;
    ck_assert(emit_load(ir, layout, JX_JIT_QUICK, &q, quick));
    ck_assert(emit_load(ir, layout, JX_JIT_FULL, &f, full));
    ck_assert_msg(q && !f, "%s %s: quick %d, optimised %d", src, f32 ? "float32" : "float64",
                  q, !f);
    int nin = ir->ninputs;
    jx_ir_free(ir);
    return nin;
}

static double trig_get(bool f32, const char *p, int64_t i)
{
    if (f32) {
        float x;
        memcpy(&x, p + 4 * i, 4);
        return x;
    }
    double x;
    memcpy(&x, p + 8 * i, 8);
    return x;
}

static void trig_put(bool f32, char *p, int64_t i, double x)
{
    float y = (float)x;
    if (f32)
        memcpy(p + 4 * i, &y, 4);
    else
        memcpy(p + 8 * i, &x, 8);
}

/* libm's fn of x, in float for f32. */
static double trig_libm(const char *fn, bool f32, double x)
{
    if (f32) {
        float y = (float)x;
        return fn[0] == 's' ? sinf(y) : fn[0] == 'c' ? cosf(y) : tanf(y);
    }
    return fn[0] == 's' ? sin(x) : fn[0] == 'c' ? cos(x) : tan(x);
}

/* sin, cos and tan of float64 and float32 are quick: for every length of
 * trig_ns, with elements out of range at positions that move with it,
 * both tiers give the same bits; there libm's scalar function (helpers.c),
 * bit for bit; elsewhere the bits the same array gives without them. */
START_TEST(test_trig_far_same_bits)
{
    static const char *const fns[] = {"sin", "cos", "tan"};
    const char *fn = fns[_i % 3];
    bool f32 = _i >= 3;
    size_t sz = f32 ? 4 : 8;
    char src[16];
    snprintf(src, sizeof src, "%s(a)", fn);
    jx_arena ar;
    jx_arena_init(&ar);
    jx_jit_code quick, full;
    trig_codes(&ar, src, f32, &quick, &full);
    for (size_t j = 0; j < sizeof trig_ns / sizeof trig_ns[0]; j++) {
        int64_t n = trig_ns[j];
        char *x = malloc(sz * (size_t)n), *x0 = malloc(sz * (size_t)n);
        char *oq = malloc(sz * (size_t)n), *of = malloc(sz * (size_t)n);
        char *o0 = malloc(sz * (size_t)n);
        for (int64_t i = 0; i < n; i++) { /* x0: x with the range's edge */
            double v = trig_near(f32, i), w = trig_far_at(f32, n, i, 0, v);
            trig_put(f32, x, i, w);
            trig_put(f32, x0, i, fabs(w) == (f32 ? 0x1p16 : 0x1p24) ? w : v);
        }
        char *ptrs[2] = {oq, x};
        int64_t strides[2] = {(int64_t)sz, (int64_t)sz};
        quick.fn(n, ptrs, strides);
        ptrs[0] = of;
        full.fn(n, ptrs, strides);
        ptrs[0] = o0;
        ptrs[1] = x0;
        full.fn(n, ptrs, strides);
        jx_dtype t = f32 ? JX_FLOAT32 : JX_FLOAT64;
        for (int64_t i = 0; i < n; i++) {
            double xi = trig_get(f32, x, i), want = trig_libm(fn, f32, xi);
            double ref = fabs(xi) > (f32 ? 0x1p16 : 0x1p24) || xi != xi
                             ? want : trig_get(f32, o0, i);
            char wb[8];
            trig_put(f32, wb, 0, ref);
            ck_assert_msg(same_value(t, oq + sz * (size_t)i, of + sz * (size_t)i),
                          "%s n %lld: element %lld (%a): quick %a, optimised %a", src,
                          (long long)n, (long long)i, xi, trig_get(f32, oq, i),
                          trig_get(f32, of, i));
            ck_assert_msg(same_value(t, of + sz * (size_t)i, wb),
                          "%s n %lld: element %lld (%a): %a, want %a", src, (long long)n,
                          (long long)i, xi, trig_get(f32, of, i), ref);
        }
        free(x);
        free(x0);
        free(oq);
        free(of);
        free(o0);
    }
    jx_jit_release(&quick);
    jx_jit_release(&full);
    jx_arena_free(&ar);
}
END_TEST

/* An element with one operand out of range takes libm's value for that
 * operand and the kernel's for the others: sin(a) * cos(b) + tan(c) is,
 * bit for bit, the product and sum of what sin(a), cos(b) and tan(c)
 * give alone, in both tiers, for every length of trig_ns. */
START_TEST(test_trig_mixed_operands)
{
    bool f32 = _i == 1;
    size_t sz = f32 ? 4 : 8;
    jx_arena ar;
    jx_arena_init(&ar);
    static const char *const one[3] = {"sin(a)", "cos(a)", "tan(a)"};
    jx_jit_code quick, full, q1[3], f1[3];
    trig_codes(&ar, "sin(a) * cos(b) + tan(c)", f32, &quick, &full);
    for (int k = 0; k < 3; k++)
        trig_codes(&ar, one[k], f32, &q1[k], &f1[k]);
    for (size_t j = 0; j < sizeof trig_ns / sizeof trig_ns[0]; j++) {
        int64_t n = trig_ns[j];
        char *in[3], *part[3], *oq = malloc(sz * (size_t)n), *of = malloc(sz * (size_t)n);
        for (int k = 0; k < 3; k++) {
            in[k] = malloc(sz * (size_t)n);
            part[k] = malloc(sz * (size_t)n);
            for (int64_t i = 0; i < n; i++)
                trig_put(f32, in[k], i, trig_far_at(f32, n, i, k, trig_near(f32, i)));
            char *p[2] = {part[k], in[k]};
            int64_t st[2] = {(int64_t)sz, (int64_t)sz};
            f1[k].fn(n, p, st);
        }
        char *ptrs[4] = {oq, in[0], in[1], in[2]};
        int64_t strides[4] = {(int64_t)sz, (int64_t)sz, (int64_t)sz, (int64_t)sz};
        quick.fn(n, ptrs, strides);
        ptrs[0] = of;
        full.fn(n, ptrs, strides);
        jx_dtype t = f32 ? JX_FLOAT32 : JX_FLOAT64;
        for (int64_t i = 0; i < n; i++) {
            char wb[8];
            if (f32) {
                volatile float pr = (float)trig_get(true, part[0], i) *
                                    (float)trig_get(true, part[1], i);
                trig_put(true, wb, 0, pr + (float)trig_get(true, part[2], i));
            } else {
                volatile double pr = trig_get(false, part[0], i) * trig_get(false, part[1], i);
                trig_put(false, wb, 0, pr + trig_get(false, part[2], i));
            }
            ck_assert_msg(same_value(t, oq + sz * (size_t)i, of + sz * (size_t)i) &&
                              same_value(t, of + sz * (size_t)i, wb),
                          "n %lld: element %lld (%a, %a, %a): quick %a, optimised %a, "
                          "want %a", (long long)n, (long long)i, trig_get(f32, in[0], i),
                          trig_get(f32, in[1], i), trig_get(f32, in[2], i),
                          trig_get(f32, oq, i), trig_get(f32, of, i), trig_get(f32, wb, 0));
        }
        for (int k = 0; k < 3; k++) {
            free(in[k]);
            free(part[k]);
        }
        free(oq);
        free(of);
    }
    for (int k = 0; k < 3; k++) {
        jx_jit_release(&q1[k]);
        jx_jit_release(&f1[k]);
    }
    jx_jit_release(&quick);
    jx_jit_release(&full);
    jx_arena_free(&ar);
}
END_TEST

/* ---- through the public API ------------------------------------------------------ */

/* a*k + b over n elements into a new array; the result's sum of bits. */
static uint64_t eval_sum(jx_expr *e, double *a, double *b, int64_t n)
{
    jx_array in[2] = {test_vec(JX_FLOAT64, a, n), test_vec(JX_FLOAT64, b, n)};
    jx_array out;
    jx_error err;
    ck_assert_msg(jx_eval_new(e, in, &out, &err) == 0, "%s", err.message);
    uint64_t h = 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t v;
        memcpy(&v, (char *)out.data + 8 * i, 8);
        h = h * 1099511628211ull + v;
    }
    jx_free(out.data);
    return h;
}

/* A math function computed by the library (JITEXPR_MATHLIB=lib; read
 * once per process, which CK_FORK makes this test's own) is never quick:
 * the vector library's variants and libm's scalar function may differ in
 * the last bit.  The same expressions are quick as our kernels
 * (test_expressions_same_bits). */
START_TEST(test_library_math_not_quick)
{
    setenv("JITEXPR_MATHLIB", "lib", 1);
    static const char *const srcs[] = {"arctan2(a, b)", "exp(a) + log1p(b)", "a ** b"};
    for (size_t k = 0; k < sizeof srcs / sizeof srcs[0]; k++) {
        jx_arena ar;
        jx_arena_init(&ar);
        jx_error err;
        int nv = (int)(sizeof expr_vars / sizeof expr_vars[0]);
        jx_ir *ir = jx_expr_front_end(&ar, srcs[k], expr_vars, nv, NULL, NULL, &err);
        ck_assert_msg(ir != NULL, "%s: %s", srcs[k], err.message);
        bool q;
        jx_jit_code code;
        ck_assert(emit_load(ir, ir->ninputs == 1 ? "CC:n" : "CCC:n", JX_JIT_QUICK, &q, &code));
        ck_assert_msg(!q, "%s: quick with the library's functions", srcs[k]);
        jx_jit_release(&code);
        jx_arena_free(&ar);
    }
    setenv("JITEXPR_MATHLIB", "own", 1);
}
END_TEST

/* A new kernel starts quick (tier compiled), or interpreted (auto:
 * src/interp.c takes this expression); calls on small arrays run it until
 * the time they spent reaches the optimised compile's estimate, then one
 * of them compiles the optimised code (stored on disk, beside the quick
 * code), and the results stay the same. */
START_TEST(test_hot_kernel_upgraded)
{
    bool interp = _i == 1;
    ck_assert_int_eq(jx_set_tier(interp ? "auto" : "compiled"), 0);
    test_fresh_cache();
    jx_var vars[2] = {{"a", JX_FLOAT64, 0, 0}, {"b", JX_FLOAT64, 0, 0}};
    jx_error err;
    jx_stats st0 = test_stats();
    jx_expr *e = jx_compile("a*1.7 + b/3 - a*b", vars, 2, 0, &err);
    ck_assert_ptr_nonnull(e);
    jx_stats st1 = test_stats();
    ck_assert_uint_eq(st1.kernels_quick, st0.kernels_quick + !interp);
    ck_assert_uint_eq(st1.kernels_interpreted, st0.kernels_interpreted + interp);
    ck_assert_uint_eq(st1.kernels_compiled, st0.kernels_compiled + !interp);
    ck_assert_uint_eq(st1.disk_writes, st0.disk_writes + !interp); /* the quick code */
    const int64_t n = 1000;
    double *a = test_ramp(n, 0.37), *b = test_ramp(n, -1.13);
    uint64_t want = eval_sum(e, a, b, n);
    int calls = 1;
    while (test_stats().kernels_upgraded == st0.kernels_upgraded && calls < 10000000) {
        ck_assert_uint_eq(eval_sum(e, a, b, n), want);
        calls++;
    }
    jx_stats st2 = test_stats();
    ck_assert_msg(st2.kernels_upgraded == st0.kernels_upgraded + 1, "not upgraded in %d calls",
                  calls);
    ck_assert_int_gt(calls, 1); /* a small call alone does not pay for it */
    ck_assert_uint_eq(st2.kernels_quick, st1.kernels_quick);
    ck_assert_uint_eq(st2.disk_writes, st1.disk_writes + 1); /* the optimised code */
    ck_assert_uint_eq(eval_sum(e, a, b, n), want);
    jx_expr_free(e);
    free(a);
    free(b);
}
END_TEST

/* Compiles src (a comparison) over float64 a and b in a fresh cache,
 * after another kernel (LLVM's start in the process goes to that one's
 * quick compile: the estimate of an optimised compile scales with the
 * quick one), and evaluates it once over 2^28 elements: that call must
 * compile the optimised code at once, its quick run taking longer than
 * the compile.  The call is large in work, not in memory: a and b are one
 * element each, broadcast by stride 0, and the result is bool (256 MiB).
 * At the quick run's prior of 0.25 ns per element and cost unit its
 * estimate is hundreds of ms, against a quick compile of a few ms times
 * the prior ratio 4: the outcome does not hang on this machine's load (at
 * 2^23 float64 elements the margin was a quick compile of about 3 ms, and
 * a loaded machine crossed it).  calibrates: src's math functions are
 * timed in its quick compile. */
static void large_call_upgrades(const char *src, bool calibrates, bool want)
{
    test_fresh_cache();
    jx_var vars[2] = {{"a", JX_FLOAT64, 0, 0}, {"b", JX_FLOAT64, 0, 0}};
    jx_error err;
    jx_expr_free(jx_compile("a + b", vars, 2, 0, &err));
    jx_stats st0 = test_stats();
    jx_expr *e = jx_compile(src, vars, 2, 0, &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(jx_expr_dtype(e), JX_BOOL);
    ck_assert_uint_eq(test_stats().kernels_quick, st0.kernels_quick + 1);
    if (calibrates)
        ck_assert_uint_gt(test_stats().calibrations, st0.calibrations);
    const int64_t n = (int64_t)1 << 28;
    double a = 0.75, b = 0.25;
    jx_array in[2] = {test_vec(JX_FLOAT64, &a, n), test_vec(JX_FLOAT64, &b, n)};
    in[0].strides[0] = in[1].strides[0] = 0;
    jx_array out;
    ck_assert_msg(jx_eval_new(e, in, &out, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(test_stats().kernels_upgraded, st0.kernels_upgraded + 1);
    const unsigned char *r = out.data;
    for (int64_t i = 0; i < n; i += 4099)
        ck_assert_int_eq(r[i], want);
    ck_assert_int_eq(r[n - 1], want);
    jx_free(out.data);
    jx_expr_free(e);
}

START_TEST(test_large_call_upgrades)
{
    large_call_upgrades("(a - b) * (a + 0.5) - b*b/7 > 0", false, true); /* 0.6161 */
}
END_TEST

/* The same for our math kernels, in a process that times them against
 * the library first (no stored choices, JITEXPR_MATHLIB unset): the
 * timing runs inside the quick compile and must not count as its time,
 * which sets the optimised compile's estimate (4x: a calibration of
 * 100 ms made it 400 ms, more than this call's quick run). */
START_TEST(test_large_math_call_upgrades)
{
    unsetenv("JITEXPR_MATHLIB");
    large_call_upgrades("exp(a) * tanh(b) > 0.6", true, false); /* 0.5185 */
    setenv("JITEXPR_MATHLIB", "own", 1);
}
END_TEST

/* JITEXPR_TIER=full: never quick; =quick: never upgraded, even by a
 * large call. */
START_TEST(test_modes)
{
    static const char *const modes[] = {"full", "quick"};
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) { /* a process of its own: the variable is read once */
        setenv("JITEXPR_TIER", modes[_i], 1);
        test_fresh_cache();
        jx_var vars[2] = {{"a", JX_FLOAT64, 0, 0}, {"b", JX_FLOAT64, 0, 0}};
        jx_error err;
        jx_expr *e = jx_compile("a*2.5 - b", vars, 2, 0, &err);
        double *a = test_ramp(1 << 23, 0.5), *b = test_ramp(1 << 23, 2.0);
        (void)eval_sum(e, a, b, 1 << 23);
        jx_stats st = test_stats();
        bool ok = strcmp(jx_get_tier(), modes[_i]) == 0 &&
                  (_i == 0 ? st.kernels_quick == 0 && st.kernels_compiled >= 1
                           : st.kernels_quick == 1 && st.kernels_upgraded == 0);
        _exit(ok ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "mode %s", modes[_i]);
}
END_TEST

/* jx_set_tier: the five words, nothing else. */
START_TEST(test_set_tier)
{
    static const char *const words[] = {"full", "quick", "compiled", "interp", "auto"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        ck_assert_int_eq(jx_set_tier(words[k]), 0);
        ck_assert_str_eq(jx_get_tier(), words[k]);
    }
    ck_assert_int_eq(jx_set_tier("quick"), 0);
    ck_assert_int_eq(jx_set_tier("fast"), -1);
    ck_assert_str_eq(jx_get_tier(), "quick");
    ck_assert_int_eq(jx_set_tier(NULL), 0);
    ck_assert_str_eq(jx_get_tier(), "auto");
}
END_TEST

/* A process finds the quick code an earlier one stored: no compile. */
START_TEST(test_quick_code_from_disk)
{
    test_fresh_cache();
    jx_var vars[2] = {{"a", JX_FLOAT64, 0, 0}, {"b", JX_FLOAT64, 0, 0}};
    const int64_t n = 1000;
    double *a = test_ramp(n, 0.21), *b = test_ramp(n, 0.77);
    const char *src = "a*a - 3*b + 0.125";
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        jx_error err;
        jx_expr *e = jx_compile(src, vars, 2, 0, &err);
        (void)eval_sum(e, a, b, n);
        _exit(test_stats().kernels_quick == 1 && test_stats().disk_writes == 1 ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    jx_stats st0 = test_stats();
    jx_error err;
    jx_expr *e = jx_compile(src, vars, 2, 0, &err);
    ck_assert_ptr_nonnull(e);
    jx_stats st1 = test_stats();
    ck_assert_uint_eq(st1.kernels_compiled, st0.kernels_compiled);
    ck_assert_uint_eq(st1.disk_hits, st0.disk_hits + 1);
    ck_assert_uint_eq(st1.kernels_quick, st0.kernels_quick); /* loaded, not compiled */
    double *c = test_ramp(n, 0.21);
    ck_assert_uint_eq(eval_sum(e, c, b, n), eval_sum(e, a, b, n));
    jx_expr_free(e);
    free(a);
    free(b);
    free(c);
}
END_TEST

/* JX_FLAG_NO_CACHE kernels are optimised at once (never shared, nothing
 * to upgrade in place). */
START_TEST(test_no_cache_is_full)
{
    unsetenv("JITEXPR_TIER");
    jx_var vars[2] = {{"a", JX_FLOAT64, 0, 0}, {"b", JX_FLOAT64, 0, 0}};
    jx_error err;
    jx_stats st0, st1;
    jx_get_stats(&st0);
    jx_expr *e = jx_compile("a - 4*b", vars, 2, JX_FLAG_NO_CACHE, &err);
    ck_assert_ptr_nonnull(e);
    jx_get_stats(&st1);
    ck_assert_uint_eq(st1.kernels_quick, st0.kernels_quick);
    ck_assert_uint_eq(st1.kernels_compiled, st0.kernels_compiled + 1);
    jx_expr_free(e);
}
END_TEST

int main(void)
{
    setenv("JITEXPR_MATHLIB", "own", 1);
    setenv("JITEXPR_TIER", "compiled", 1);
    Suite *s = suite_create("tier");
    TCase *tc = tcase_create("tier");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_every_op_same_bits);
    tcase_add_loop_test(tc, test_expressions_same_bits, 0,
                        (int)(sizeof expr_rows / sizeof expr_rows[0]));
    tcase_add_loop_test(tc, test_reductions_same_bits, 0,
                        (int)(sizeof reduce_rows / sizeof reduce_rows[0]));
    tcase_add_loop_test(tc, test_trig_far_same_bits, 0, 6);
    tcase_add_loop_test(tc, test_trig_mixed_operands, 0, 2);
    tcase_add_test(tc, test_library_math_not_quick);
    tcase_add_loop_test(tc, test_hot_kernel_upgraded, 0, 2);
    tcase_add_test(tc, test_large_call_upgrades);
    tcase_add_test(tc, test_large_math_call_upgrades);
    tcase_add_loop_test(tc, test_modes, 0, 2);
    tcase_add_test(tc, test_set_tier);
    tcase_add_test(tc, test_quick_code_from_disk);
    tcase_add_test(tc, test_no_cache_is_full);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
