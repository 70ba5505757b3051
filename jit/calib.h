/* calib.h - between calib.c and engine.c: which implementation of a math
 * function kernels use, measured on this machine. */
#ifndef JX_CALIB_H
#define JX_CALIB_H

#include <stdbool.h>

#include "codegen.h"
#include "jit.h"

/* Compiles ir for layout with the vector functions and choices of tgt
 * (the engine's compiler, given to jx_cal_measure). */
typedef int (*jx_cal_compile_fn)(const jx_ir *ir, const char *layout,
                                 const jx_cg_target *tgt, jx_jit_code *out,
                                 jx_error *err);

/* Times fn (the libm name of a LIBM row of the op table, "log", "atan2",
 * or of a VEC row of its JX_LIBCALLS, "pow")
 * at precision f32 twice: computed by vmath.c's kernel, and by the vector
 * library of tgt (which must have one for it).  Each is compiled through
 * compile into a kernel over contiguous arrays and run on JX_CAL_N
 * elements from the function's usual domain, alternately, best of
 * JX_CAL_ROUNDS.  Sets ns[0] (ours) and ns[1] (the library's) in
 * nanoseconds per element.  Returns 0, or -1 when either could not be
 * compiled or run (ns are then 0). */
JX_INTERNAL int jx_cal_measure(const char *fn, bool f32,
                               const jx_cg_target *tgt,
                               jx_cal_compile_fn compile, double ns[2]);

/* The LIBM row of the op table whose function is fn ("atan2"), the op of
 * the VEC row of JX_LIBCALLS whose function it is (JX_OP_POW for "pow", a
 * float power), or -1. */
JX_INTERNAL int jx_cal_libm_op(const char *fn);

#define JX_CAL_N 4096
#define JX_CAL_ROUNDS 25

#endif
