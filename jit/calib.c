/* calib.c - times vmath.c's kernel of a math function against the vector
 * library's on this machine, so that the engine can use the faster.
 *
 * Which is faster depends on the CPU (its divider, its vector pipes, how
 * the library was tuned), and a default measured on one machine lost on
 * another (docs/math.md).  So for each function and precision that has
 * both, the engine measures both the first time a kernel needs one: each
 * is compiled as the kernel of "fn(a)" over contiguous arrays (the same
 * code generator, pass pipeline and vector functions as any kernel), run
 * over JX_CAL_N elements spread over the function's usual domain, in
 * the CPU's caches, and over arrays of JX_CAL_STREAM bytes, from memory,
 * alternately, and the best of a few runs of each is kept.  That costs
 * two compilations (about 10 ms) and a few milliseconds of running
 * (filling and timing the large arrays), once per function, precision
 * and machine where the disk cache keeps the choices (choicestore.c).
 * Both settings, because the order can differ: libmvec's cbrt was faster
 * than ours in cache and slower from memory on the Zen 5 host. */
#include "calib.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
    {JX_OP_EXP2, -20.0, 20.0, false}, {JX_OP_ARCSINH, -10.0, 10.0, false},
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

/* n bytes for the arrays from memory, at a 2 MiB boundary and in huge
 * pages where the kernel gives them (as NumPy asks for its large
 * arrays): 4 KiB pages cost a fault each, and 24 MiB of them took 50-70
 * ms of the calibration on the Zen 5 host (a paravirtualised guest, where
 * a fault is slow).  *base and *len: what to munmap.  NULL when there is
 * no memory. */
static char *map_big(size_t n, void **base, size_t *len)
{
    const size_t huge = (size_t)2 << 20;
    *len = n + huge;
    *base = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
    if (*base == MAP_FAILED) {
        *base = NULL;
        return NULL;
    }
    char *p = (char *)(((uintptr_t)*base + huge - 1) & ~(uintptr_t)(huge - 1));
#ifdef MADV_HUGEPAGE
    (void)madvise(p, n, MADV_HUGEPAGE); /* a hint: 4 KiB pages otherwise */
#endif
    return p;
}

/* The best time of each of code[0] and code[1] over n elements at ptrs,
 * of rounds runs each, alternately (who goes first alternates too), in
 * ns/element. */
static void time_both(const jx_jit_code code[2], int64_t n, char **ptrs,
                      const int64_t *strides, int rounds, double best[2])
{
    best[0] = best[1] = INFINITY;
    for (int r = 0; r < rounds; r++)
        for (int w = 0; w < 2; w++) {
            int which = (r & 1) ? 1 - w : w;
            double t0 = now_ns();
            code[which].fn(n, ptrs, strides);
            double dt = now_ns() - t0;
            if (dt < best[which])
                best[which] = dt;
        }
    best[0] /= (double)n;
    best[1] /= (double)n;
}

int jx_cal_measure(const char *fn, bool f32, const jx_cg_target *tgt,
                   jx_cal_compile_fn compile, double ns[JX_CAL_NS])
{
    for (int i = 0; i < JX_CAL_NS; i++)
        ns[i] = 0;
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
    int64_t sn = JX_CAL_STREAM / size; /* elements from memory */
    /* buf: the result and the operands of JX_CAL_N elements; big: of
     * JX_CAL_STREAM bytes each */
    char *buf = malloc(3 * JX_CAL_N * size);
    void *base;
    size_t len;
    char *big = map_big((size_t)(nargs + 1) * JX_CAL_STREAM, &base, &len);
    if (buf == NULL || big == NULL)
        goto done;
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
    for (int w = 0; w < 2; w++) /* warm: code, data, the library's pages */
        code[w].fn(JX_CAL_N, ptrs, strides);
    double best[2];
    time_both(code, JX_CAL_N, ptrs, strides, JX_CAL_ROUNDS, best);
    ns[0] = best[0];
    ns[1] = best[1];

    /* From memory: the same values over and over, each page touched
     * (the result's too) before the clock runs. */
    char *bptrs[3];
    for (int i = 0; i <= nargs; i++) {
        bptrs[i] = big + (size_t)i * JX_CAL_STREAM;
        if (i == 0)
            memset(bptrs[0], 0, JX_CAL_STREAM);
        else
            for (size_t off = 0; off < JX_CAL_STREAM; off += JX_CAL_N * size)
                memcpy(bptrs[i] + off, ptrs[i], JX_CAL_N * size);
    }
    time_both(code, sn, bptrs, strides, JX_CAL_STREAM_ROUNDS, best);
    ns[2] = best[0];
    ns[3] = best[1];
    rc = 0;
done:
    for (int w = 0; w < 2; w++)
        jx_jit_release(&code[w]);
    free(buf);
    if (base != NULL)
        munmap(base, len);
    return rc;
}
