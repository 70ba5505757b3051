/* calib.c - times vmath.c's kernel of a math function against the vector
 * library's on this machine, so that the engine can use the faster.
 *
 * Which is faster depends on the CPU (its divider, its vector pipes, how
 * the library was tuned), and a default measured on one machine lost on
 * another (docs/math.md).  So for each function and precision that has
 * both, the engine measures both the first time a kernel needs one: each
 * is compiled as the kernel of "fn(a)" over contiguous arrays (the same
 * code generator, pass pipeline and vector functions as any kernel), run
 * over JX_CAL_N elements spread over the function's usual domain,
 * alternately, and the best of JX_CAL_ROUNDS runs of each is kept.  That
 * costs two compilations (about 10 ms) and well under a millisecond of
 * running, once per function, precision and process. */
#include "calib.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The arguments a function is timed on: uniform in [lo, hi], or with
 * log_scale, exp of uniform in [lo, hi].  By op (a LIBM row of the op
 * table, or the VEC row of JX_LIBCALLS: the float power); any other gets
 * [-0.9, 0.9]. */
typedef struct cal_domain {
    int op;
    double lo, hi;
    bool log_scale;
} cal_domain;

static const cal_domain domains[] = {
    {JX_OP_LOG, -7.0, 7.0, true},   {JX_OP_LOG2, -7.0, 7.0, true},
    {JX_OP_LOG10, -7.0, 7.0, true}, {JX_OP_LOG1P, -0.9, 10.0, false},
    {JX_OP_SIN, -100.0, 100.0, false}, {JX_OP_COS, -100.0, 100.0, false},
    {JX_OP_TAN, -1.5, 1.5, false},  {JX_OP_TANH, -5.0, 5.0, false},
    {JX_OP_ARCTAN2, -10.0, 10.0, false}, {JX_OP_EXPM1, -5.0, 5.0, false},
    {JX_OP_EXP, -20.0, 20.0, false}, {JX_OP_CBRT, -1000.0, 1000.0, false},
    {JX_OP_ARCCOSH, 0.0, 7.0, true},  {JX_OP_POW, -2.0, 2.0, true},
    {JX_OP_ARCTAN, -10.0, 10.0, false}, {JX_OP_SINH, -20.0, 20.0, false},
    {JX_OP_COSH, -20.0, 20.0, false},
};

static cal_domain domain_of(int op)
{
    for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++)
        if (domains[i].op == op)
            return domains[i];
    return (cal_domain){op, -0.9, 0.9, false}; /* in every function's domain */
}

int jx_cal_libm_op(const char *fn)
{
    for (int op = 0; op < JX_OP_COUNT; op++)
        if (jx_ops[op].low == JX_L_LIBM && jx_ops[op].fn != NULL &&
            strcmp(jx_ops[op].fn, fn) == 0)
            return op;
    for (int i = 0; i < JX_LIBCALL_COUNT; i++) /* a float power: "pow" */
        if (jx_libcalls[i].how == JX_LC_VEC && strcmp(jx_libcalls[i].fn, fn) == 0)
            return jx_libcalls[i].op;
    return -1;
}

/* Always the kernel's (ctx NULL) or always the library's (ctx non-NULL). */
static bool forced(void *ctx, const char *fn, bool f32)
{
    (void)fn, (void)f32;
    return ctx != NULL;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* x[0..n) from d, deterministic (a 64-bit LCG). */
static void fill(void *x, bool f32, int64_t n, cal_domain d, uint64_t seed)
{
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(seed >> 11) * 0x1p-53;
        double v = d.lo + (d.hi - d.lo) * u;
        if (d.log_scale)
            v = exp(v);
        if (f32)
            ((float *)x)[i] = (float)v;
        else
            ((double *)x)[i] = v;
    }
}

int jx_cal_measure(const char *fn, bool f32, const jx_cg_target *tgt,
                   jx_cal_compile_fn compile, double ns[2])
{
    ns[0] = ns[1] = 0;
    int op = jx_cal_libm_op(fn);
    if (op < 0)
        return -1;
    int nargs = jx_ops[op].arity;
    jx_dtype t = f32 ? JX_FLOAT32 : JX_FLOAT64;

    /* The IR of fn(a) or fn(a, b). */
    jx_instr ins[3];
    memset(ins, 0, sizeof ins);
    jx_dtype in_dtype[2] = {t, t};
    int64_t in_size[2] = {0, 0};
    int32_t in_var[2] = {0, 1};
    for (int i = 0; i < nargs; i++)
        ins[i] = (jx_instr){.op = JX_IR_INPUT, .dtype = t, .input = i, .str = ""};
    ins[nargs] = (jx_instr){.op = op, .dtype = t, .nargs = nargs, .str = ""};
    for (int i = 0; i < nargs; i++)
        ins[nargs].args[i] = i;
    char text[] = "calibration";
    jx_ir ir = {.ins = ins, .n = nargs + 1, .cap = nargs + 1,
                .result = nargs, .dtype = t, .reduce = -1, .acc_dtype = t,
                .ninputs = nargs, .input_dtype = in_dtype,
                .input_itemsize = in_size, .input_var = in_var,
                .text = text, .cost = 16};
    const char *layout = nargs == 1 ? "CC:n" : "CCC:n";

    jx_jit_code code[2] = {{0}, {0}};
    int rc = -1;
    size_t size = f32 ? sizeof(float) : sizeof(double);
    char *buf = malloc(3 * JX_CAL_N * size);
    if (buf == NULL)
        return -1;
    for (int w = 0; w < 2; w++) {
        jx_cg_target pick = *tgt;
        pick.use_lib = forced;
        pick.use_lib_ctx = w ? (void *)&pick : NULL;
        jx_error err;
        if (compile(&ir, layout, &pick, &code[w], &err) != 0)
            goto done;
    }
    cal_domain d = domain_of(op);
    char *ptrs[3] = {buf, buf + JX_CAL_N * size, buf + 2 * JX_CAL_N * size};
    int64_t strides[3] = {(int64_t)size, (int64_t)size, (int64_t)size};
    fill(ptrs[1], f32, JX_CAL_N, d, 1);
    fill(ptrs[2], f32, JX_CAL_N, d, 2);
    double best[2] = {INFINITY, INFINITY};
    for (int w = 0; w < 2; w++) /* warm: code, data, the library's pages */
        code[w].fn(JX_CAL_N, ptrs, strides);
    for (int r = 0; r < JX_CAL_ROUNDS; r++)
        for (int w = 0; w < 2; w++) {
            int which = (r & 1) ? 1 - w : w; /* alternate who goes first */
            double t0 = now_ns();
            code[which].fn(JX_CAL_N, ptrs, strides);
            double dt = now_ns() - t0;
            if (dt < best[which])
                best[which] = dt;
        }
    ns[0] = best[0] / JX_CAL_N;
    ns[1] = best[1] / JX_CAL_N;
    rc = 0;
done:
    for (int w = 0; w < 2; w++)
        jx_jit_release(&code[w]);
    free(buf);
    return rc;
}
