/* module.c - one kernel's module on its way to machine code: generated
 * (codegen.h), verified, optimised for the host CPU (default<O3>, both
 * vectorizers) and emitted, in its own LLVMContext with its own
 * TargetMachine, so that compilations run in parallel without a lock.
 * See module.h; engine.c links what this emits. */
#include "module.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Error.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stdio.h>
#include <string.h>

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

void jx_mod_dispose(jx_build *bd)
{
    if (bd->mod)
        LLVMDisposeModule(bd->mod);
    if (bd->tm)
        LLVMDisposeTargetMachine(bd->tm);
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

int jx_mod_build(jx_build *bd, const jx_mod_host *en, const jx_ir *ir,
                 const char *layout, const char *name, const jx_cg_target *tgt,
                 jx_error *err)
{
    memset(bd, 0, sizeof *bd);
    if (jx_cg_check(ir, layout, err) != 0)
        return -1;
    bd->ctx = LLVMContextCreate();
    LLVMContextSetDiagnosticHandler(bd->ctx, diag_handler, &bd->diag);
    bd->mod = LLVMModuleCreateWithNameInContext("jitexpr", bd->ctx);
    bd->tm = LLVMCreateTargetMachine(en->target, en->triple, en->cpu,
                                     en->features, LLVMCodeGenLevelAggressive,
                                     LLVMRelocPIC, LLVMCodeModelSmall);
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
    LLVMErrorRef e = LLVMRunPasses(bd->mod, "default<O3>", bd->tm, opt);
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
