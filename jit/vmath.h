/* vmath.h - between the code generator and vmath.c: math functions written out as
 * IR, straight-line polynomial kernels that the loop vectorizer widens. */
#ifndef JX_VMATH_H
#define JX_VMATH_H

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "../src/util.h"

/* Whether libm function fn ("tanh", "atan2", "expm1", "cbrt", "log",
 * "log1p", "pow", "exp": the double name) has a kernel here, for float and
 * double. */
JX_INTERNAL bool jx_vm_has(const char *fn);

/* Emits fn of x[0] (and x[1] for two operands), all float or all double,
 * at b's position: plain instructions and intrinsics, no calls, no
 * branches.  Returns the result, of x[0]'s type.  fn must be one that
 * jx_vm_has accepts.  fma: the target has FMA (jx_cg_target.fma). */
JX_INTERNAL LLVMValueRef jx_vm_emit(LLVMBuilderRef b, const char *fn,
                                    LLVMValueRef *x, bool fma);

/* Whether fn (one of jx_vm_has's) has a fast form: its kernel without the
 * special cases (log, log2, log10, log1p, atanh), the same bits where its
 * guard holds, for the guarded loops of loops.c.  The exact loop computes
 * the whole kernel, so every element gets the same bits whichever loop
 * stores it, at either tier. */
JX_INTERNAL bool jx_vm_has_fast(const char *fn);

/* Emits fn of x[0] as jx_vm_emit does, the fast form where fast (else the
 * whole kernel), and sets *exact to an i1 that is true where x[0] is out
 * of the fast form's range (the elements the whole kernel must give). */
JX_INTERNAL LLVMValueRef jx_vm_emit_fast(LLVMBuilderRef b, const char *fn,
                                         LLVMValueRef *x, bool fma, bool fast,
                                         LLVMValueRef *exact);

/* Whether fn has a kernel (vmath_trig.c) that holds only for part of
 * its domain: sin, cos and tan of floats and doubles (|x| <= 2^24).  A
 * loop computing it must run again with the library's function wherever
 * the kernel says so. */
JX_INTERNAL bool jx_vm_has_guarded(const char *fn, bool f32);

/* Emits that kernel of x[0] as jx_vm_emit does, and sets *exact to an i1
 * that is true where the result does not hold (x out of the kernel's
 * range, infinite or NaN). */
JX_INTERNAL LLVMValueRef jx_vm_emit_guarded(LLVMBuilderRef b, const char *fn,
                                            LLVMValueRef *x, bool fma,
                                            LLVMValueRef *exact);

/* The i1 that jx_vm_emit_guarded sets in *exact, alone: x[0] is out of
 * the kernels' range, which sin, cos and tan share (for the loop that
 * computes those elements). */
JX_INTERNAL LLVMValueRef jx_vm_emit_guard(LLVMBuilderRef b, LLVMValueRef *x);

#endif
