/* vmath.h - between codegen.c and vmath.c: math functions written out as
 * IR, straight-line polynomial kernels that the loop vectorizer widens. */
#ifndef JX_VMATH_H
#define JX_VMATH_H

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "../src/util.h"

/* Whether libm function fn ("tanh", "atan2": the double name) has a
 * kernel here, for float and double. */
JX_INTERNAL bool jx_vm_has(const char *fn);

/* Emits fn of x[0] (and x[1] for two operands), all float or all double,
 * at b's position: plain instructions and intrinsics, no calls, no
 * branches.  Returns the result, of x[0]'s type.  fn must be one that
 * jx_vm_has accepts. */
JX_INTERNAL LLVMValueRef jx_vm_emit(LLVMBuilderRef b, const char *fn,
                                    LLVMValueRef *x);

#endif
