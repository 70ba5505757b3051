/* codegen.h - between codegen.c and engine.c: typed IR to one LLVM
 * function, the fused loop over a 1-D chunk (the kernel ABI of jit.h). */
#ifndef JX_CODEGEN_H
#define JX_CODEGEN_H

#include <llvm-c/Core.h>

#include "../src/ir.h"

/* Checks that the code generator handles ir (every dtype supported, every
 * op given a kind it accepts, operands consistent) and that layout fits it.
 * Returns 0, or -1 with *err set: JX_ERR_TYPE for an op/dtype the code
 * generator lacks ("complex128 is not supported yet"), JX_ERR_INTERNAL for
 * malformed IR or layout. */
JX_INTERNAL int jx_cg_check(const jx_ir *ir, const char *layout,
                            jx_error *err);

/* Adds to mod (in its context) the external function `name` with the
 * kernel ABI, evaluating ir for layout (elementwise, or a reduction's
 * partials 'R' or accumulate 'A' mode), plus internal helpers that O2/O3
 * inline away.  Runs jx_cg_check first.  Returns 0, or -1 with *err set. */
JX_INTERNAL int jx_cg_build(LLVMModuleRef mod, const jx_ir *ir,
                            const char *layout, const char *name,
                            jx_error *err);

/* Names of C library functions that kernels may call, NULL-terminated: the
 * libm functions of the op table (fn and fn "f") and the libcalls LLVM
 * lowers intrinsics to (fmod for frem, pow, floor).  The engine defines
 * them in the JIT so that they resolve even when libm is not global. */
JX_INTERNAL const char *const *jx_cg_runtime_symbols(void);

#endif
