/* module.c - one kernel's module on its way to machine code: generated
 * (codegen.h), verified, optimised for the host CPU (default<O3>, both
 * vectorizers) and emitted, in its own LLVMContext with a TargetMachine
 * of its own while it runs, so that compilations run in parallel.  See
 * module.h; engine.c links what this emits.
 *
 * Target machines are kept between compilations (tm_take, tm_give): a
 * new one builds its X86 subtarget (the lowering tables, the legalizer)
 * again on the first function it sees, half of a quick compilation's
 * time: a new expression `a*k + b - c*k` after the first compiled in
 * 1.27 ms with a new machine each time and in 0.64 ms with one kept
 * (median of 100, Zen 5).  A machine serves one compilation at a time;
 * the host (CPU, features) is the engine's, the same for the process.
 *
 * The quick tier (jx_mod_quick_ok) is the same module through SROA only
 * and LLVM's fast instruction selector and register allocator: about a
 * fifth of the compile time, a scalar loop several times slower.  It is
 * offered only for kernels that compute the same bits either way: IEEE
 * operations without fast-math flags, integers, conversions that
 * saturate, byte strings, and vmath.c's kernels written with llvm.fma (on
 * a CPU with FMA: jx_cg_target.fma), sin, cos and tan's included (out of
 * their range helpers.c's scalar call of libm's function, jx_hp_sin).  Not for anything whose code differs
 * with the optimiser: a call of a libm function (the vectorizer turns it
 * into the vector library's), llvm.fmuladd (fused or not as the code
 * generator likes), a complex call, float16 (promoted), or a reduction
 * into complex sums or products (their partial sums are reassociated;
 * integer and bool reductions and float minima and maxima give the same
 * bits in any order, and float sums and products have an order of their
 * own: loops.c's ordered_lanes). */
#include "module.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Error.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../src/dtype.h"
#include "../src/ops.h"

void jx_mod_take_error(LLVMErrorRef e, jx_error *err, const char *what)
{
    char *msg = LLVMGetErrorMessage(e);
    jx_err_set(err, JX_ERR_JIT, -1, 0, "%s: %s", what, msg ? msg : "?");
    LLVMDisposeErrorMessage(msg);
}

static void diag_handler(LLVMDiagnosticInfoRef di, void *p)
{
    jx_diag *d = p;
    if (LLVMGetDiagInfoSeverity(di) != LLVMDSError || d->error)
        return;
    char *s = LLVMGetDiagInfoDescription(di);
    snprintf(d->msg, sizeof d->msg, "%s", s ? s : "?");
    LLVMDisposeMessage(s);
    d->error = 1;
}

/* The target machines not in use, per tier (quick: CodeGenLevelNone;
 * else Aggressive), at most TM_KEEP each: as many as compilations ran at
 * once, which is the threads that compile. */
#define TM_KEEP 4
static struct {
    pthread_mutex_t lock;
    LLVMTargetMachineRef idle[2][TM_KEEP]; /* [quick] */
    int n[2];
} tm_pool = {PTHREAD_MUTEX_INITIALIZER, {{NULL}}, {0, 0}};
static pthread_once_t tm_fork_once = PTHREAD_ONCE_INIT;

/* fork() while another thread holds the lock would leave it held in the
 * child: the lock is taken across fork. */
static void tm_lock(void) { pthread_mutex_lock(&tm_pool.lock); }
static void tm_unlock(void) { pthread_mutex_unlock(&tm_pool.lock); }
static void tm_at_fork(void) { pthread_atfork(tm_lock, tm_unlock, tm_unlock); }

/* A target machine for host at the tier's level: a kept one, or a new
 * one (NULL if LLVM cannot make it). */
static LLVMTargetMachineRef tm_take(const jx_mod_host *en, bool quick)
{
    pthread_once(&tm_fork_once, tm_at_fork);
    LLVMTargetMachineRef tm = NULL;
    tm_lock();
    if (tm_pool.n[quick] > 0)
        tm = tm_pool.idle[quick][--tm_pool.n[quick]];
    tm_unlock();
    if (tm != NULL)
        return tm;
    return LLVMCreateTargetMachine(en->target, en->triple, en->cpu, en->features,
                                   quick ? LLVMCodeGenLevelNone
                                         : LLVMCodeGenLevelAggressive,
                                   LLVMRelocPIC, LLVMCodeModelSmall);
}

/* Keeps tm (taken for the tier quick) for the next compilation, or
 * disposes of it when TM_KEEP are kept. */
static void tm_give(LLVMTargetMachineRef tm, bool quick)
{
    if (tm == NULL)
        return;
    tm_lock();
    bool kept = tm_pool.n[quick] < TM_KEEP;
    if (kept)
        tm_pool.idle[quick][tm_pool.n[quick]++] = tm;
    tm_unlock();
    if (!kept)
        LLVMDisposeTargetMachine(tm);
}

void jx_mod_dispose(jx_build *bd)
{
    if (bd->mod)
        LLVMDisposeModule(bd->mod);
    tm_give(bd->tm, bd->tm_quick);
    if (bd->ctx)
        LLVMContextDispose(bd->ctx);
    memset(bd, 0, sizeof *bd);
}

static int diag_check(jx_build *bd, jx_error *err, const char *when)
{
    if (!bd->diag.error)
        return 0;
    jx_err_set(err, JX_ERR_JIT, -1, 0, "LLVM (%s): %s", when, bd->diag.msg);
    return -1;
}

/* Intrinsics whose lowering computes the same bits at any optimisation
 * level: exact operations, or none at all. */
static const char *const same_bits_intrinsics[] = {
    "llvm.fptosi.sat.", "llvm.fptoui.sat.", "llvm.sqrt.",     "llvm.fabs.",
    "llvm.floor.",      "llvm.ceil.",       "llvm.trunc.",    "llvm.roundeven.",
    "llvm.rint.",       "llvm.copysign.",   "llvm.minnum.",   "llvm.maxnum.",
    "llvm.minimum.",    "llvm.maximum.",    "llvm.smax.",     "llvm.smin.",
    "llvm.umax.",       "llvm.umin.",       "llvm.abs.",      "llvm.fma.",
    "llvm.sadd.with.overflow.", "llvm.uadd.with.overflow.",
    "llvm.smul.with.overflow.", "llvm.umul.with.overflow.",
    "llvm.memcpy.",     "llvm.memset.",     "llvm.assume",    "llvm.expect.",
};

bool jx_mod_quick_ok(const jx_ir *ir)
{
    /* A reduction only where every tier accumulates in the same order or
     * the order cannot change the result: integer and bool accumulators
     * (sum and prod modulo 2^bits, min, max, any, all), the min and max of
     * floats (over integer keys, loops.c's float_key), float sums and
     * products (loops.c's ordered_lanes); not complex ones (the
     * vectorizer's partial sums are reassociated). */
    if (ir->reduce >= 0 && jx_dtype_kind(ir->acc_dtype) == JX_KIND_COMPLEX)
        return false;
    for (int32_t i = 0; i < ir->n; i++) {
        const jx_instr *in = &ir->ins[i];
        if (in->dtype == JX_FLOAT16)
            return false;
        for (int a = 0; a < in->nargs; a++)
            if (ir->ins[in->args[a]].dtype == JX_FLOAT16)
                return false;
    }
    return true;
}

/* Whether mod (generated, not yet optimised) calls only what computes
 * the same bits at both tiers: the intrinsics above and our own helpers
 * (jx_*, scalar C functions, called the same way by both).  A libm or
 * vector-library function, fmuladd or a math intrinsic the vectorizer
 * may replace say no. */
static bool calls_same_bits(LLVMModuleRef mod)
{
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f != NULL; f = LLVMGetNextFunction(f)) {
        if (!LLVMIsDeclaration(f))
            continue;
        size_t n;
        const char *name = LLVMGetValueName2(f, &n);
        bool ok = strncmp(name, "jx_", 3) == 0;
        for (size_t k = 0; !ok && k < sizeof same_bits_intrinsics / sizeof *same_bits_intrinsics; k++) {
            const char *p = same_bits_intrinsics[k];
            size_t m = strlen(p);
            ok = strncmp(name, p, m) == 0 && (p[m - 1] == '.' || name[m] == '\0');
        }
        if (!ok)
            return false;
    }
    return true;
}

int jx_mod_build(jx_build *bd, const jx_mod_host *en, const jx_ir *ir,
                 const char *layout, const char *name, const jx_cg_target *tgt,
                 bool quick, jx_error *err)
{
    memset(bd, 0, sizeof *bd);
    if (jx_cg_check(ir, layout, err) != 0)
        return -1;
    bd->ctx = LLVMContextCreate();
    LLVMContextSetDiagnosticHandler(bd->ctx, diag_handler, &bd->diag);
    bd->mod = LLVMModuleCreateWithNameInContext("jitexpr", bd->ctx);
    bd->tm = tm_take(en, quick);
    bd->tm_quick = quick;
    if (bd->ctx == NULL || bd->mod == NULL || bd->tm == NULL) {
        jx_err_set(err, JX_ERR_JIT, -1, 0,
                   "LLVM: cannot create a target machine for %s", en->cpu);
        jx_mod_dispose(bd);
        return -1;
    }
    LLVMSetTarget(bd->mod, en->triple);
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(bd->tm);
    LLVMSetModuleDataLayout(bd->mod, td);
    LLVMDisposeTargetData(td);

    if (jx_cg_build(bd->mod, ir, layout, name, tgt, err) != 0) {
        jx_mod_dispose(bd);
        return -1;
    }
    bd->same_bits = jx_mod_quick_ok(ir) && calls_same_bits(bd->mod);
    if (quick && !bd->same_bits) {
        quick = false; /* the optimised code after all: its own machine */
        tm_give(bd->tm, true);
        bd->tm = tm_take(en, false);
        bd->tm_quick = false;
        if (bd->tm == NULL) {
            jx_err_set(err, JX_ERR_JIT, -1, 0,
                       "LLVM: cannot create a target machine for %s", en->cpu);
            jx_mod_dispose(bd);
            return -1;
        }
    }
    bd->quick = quick;
    char *msg = NULL;
    if (LLVMVerifyModule(bd->mod, LLVMReturnStatusAction, &msg) != 0) {
        /* The message may span lines: keep the first. */
        char *nl = msg ? strchr(msg, '\n') : NULL;
        if (nl != NULL)
            *nl = '\0';
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0,
                   "LLVM rejects the generated code: %s", msg ? msg : "?");
        LLVMDisposeMessage(msg);
        jx_mod_dispose(bd);
        return -1;
    }
    LLVMDisposeMessage(msg);

    LLVMPassBuilderOptionsRef opt = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(opt, 1);
    LLVMPassBuilderOptionsSetSLPVectorization(opt, 1);
    LLVMPassBuilderOptionsSetLoopInterleaving(opt, 1);
    LLVMPassBuilderOptionsSetLoopUnrolling(opt, 1);
    LLVMErrorRef e = LLVMRunPasses(bd->mod, quick ? "function(sroa)" : "default<O3>",
                                   bd->tm, opt);
    LLVMDisposePassBuilderOptions(opt);
    if (e != NULL) {
        jx_mod_take_error(e, err, "LLVM optimisation");
        jx_mod_dispose(bd);
        return -1;
    }
    if (diag_check(bd, err, "optimisation") != 0) {
        jx_mod_dispose(bd);
        return -1;
    }
    return 0;
}

int jx_mod_emit(jx_build *bd, LLVMCodeGenFileType kind, LLVMMemoryBufferRef *out,
                jx_error *err)
{
    char *msg = NULL;
    *out = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(bd->tm, bd->mod, kind, &msg,
                                            out) != 0) {
        jx_err_set(err, JX_ERR_JIT, -1, 0, "LLVM code generation: %s",
                   msg ? msg : "?");
        LLVMDisposeMessage(msg);
        return -1;
    }
    LLVMDisposeMessage(msg);
    if (diag_check(bd, err, "code generation") != 0) {
        LLVMDisposeMemoryBuffer(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}
