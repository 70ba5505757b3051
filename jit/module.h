/* module.h - one kernel's module on its way to machine code (module.c):
 * generated, verified, optimised for the host and emitted, for engine.c,
 * which links the object or prints the assembly. */
#ifndef JX_MODULE_H
#define JX_MODULE_H

#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/TargetMachine.h>

#include "codegen.h"

/* The host that modules are compiled for (the engine's, created once). */
typedef struct jx_mod_host {
    LLVMTargetRef target;     /* the native target */
    char *triple;             /* host triple (LLVM message) */
    char *cpu;                /* host CPU name (LLVM message) */
    char *features;           /* host feature string (LLVM message) */
} jx_mod_host;

/* The first error LLVM reported through a context's diagnostic handler. */
typedef struct jx_diag {
    int error;                   /* an error-severity diagnostic came */
    char msg[JX_MESSAGE_SIZE];   /* its text */
} jx_diag;

/* A kernel's module on its way to machine code. */
typedef struct jx_build {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMTargetMachineRef tm;  /* this compilation's own while it runs
                                 (module.c keeps it for the next) */
    bool tm_quick;            /* tm is the quick tier's (no optimisation) */
    bool quick;               /* built in the quick tier */
    bool same_bits;           /* its code computes the same bits at every
                                 position and at both tiers (it calls only
                                 what calls_same_bits allows) */
    jx_diag diag;
} jx_build;

/* Generates the kernel `name` for ir and layout (calling the vector math
 * of tgt), verifies and optimises it for host.  quick: in the quick tier
 * (a short pipeline, the fast code generator) where its code computes the
 * same bits as the optimised one (bd->quick says whether it was).
 * Returns 0, or -1 with *err set and nothing left to dispose. */
JX_INTERNAL int jx_mod_build(jx_build *bd, const jx_mod_host *host, const jx_ir *ir,
                             const char *layout, const char *name,
                             const jx_cg_target *tgt, bool quick, jx_error *err);
/* Whether the quick tier may be given for ir, before its code is seen
 * (no reduction, no float16); jx_mod_build also looks at what the code
 * calls. */
JX_INTERNAL bool jx_mod_quick_ok(const jx_ir *ir);
/* Emits bd's module as an object file or assembly text (*out: the
 * caller disposes it). */
JX_INTERNAL int jx_mod_emit(jx_build *bd, LLVMCodeGenFileType kind,
                            LLVMMemoryBufferRef *out, jx_error *err);
/* Frees what jx_mod_build made. */
JX_INTERNAL void jx_mod_dispose(jx_build *bd);
/* Consumes e into *err as JX_ERR_JIT ("what: LLVM's message"). */
JX_INTERNAL void jx_mod_take_error(LLVMErrorRef e, jx_error *err, const char *what);

#endif
