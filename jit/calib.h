/* calib.h - between calib.c and engine.c: which implementation of a math
 * function kernels use, measured on this machine. */
#ifndef JX_CALIB_H
#define JX_CALIB_H

#include <stdbool.h>

#include "codegen.h"
#include "jit.h"

/* The timings of a measurement: ours and the library's in cache, ours and
 * the library's from memory. */
#define JX_CAL_NS 4

/* Compiles ir for layout with the vector functions and choices of tgt
 * (the engine's compiler, given to jx_cal_measure). */
typedef int (*jx_cal_compile_fn)(const jx_ir *ir, const char *layout,
                                 const jx_cg_target *tgt, jx_jit_code *out,
                                 jx_error *err);

/* Times fn (the libm name of a LIBM row of the op table, "log", "atan2",
 * or of a VEC row of its JX_LIBCALLS, "pow")
 * at precision f32 twice: computed by vmath.c's kernel, and by the vector
 * library of tgt (which must have one for it).  Each is compiled through
 * compile into a kernel over contiguous arrays and run alternately, in
 * two settings: on JX_CAL_N elements from the function's usual domain,
 * in the CPU's caches (best of JX_CAL_ROUNDS), and on JX_CAL_STREAM bytes
 * per array, the same values repeated, from memory (best of
 * JX_CAL_STREAM_ROUNDS).  Sets ns[0] (ours) and ns[1] (the library's) in
 * cache, ns[2] and ns[3] from memory, in nanoseconds per element.
 * Returns 0, or -1 when either could not be compiled or run (ns are then
 * 0). */
JX_INTERNAL int jx_cal_measure(const char *fn, bool f32,
                               const jx_cg_target *tgt,
                               jx_cal_compile_fn compile,
                               double ns[JX_CAL_NS]);

/* The LIBM row of the op table whose function is fn ("atan2"), the op of
 * the VEC row of JX_LIBCALLS whose function it is (JX_OP_POW for "pow", a
 * float power), or -1. */
JX_INTERNAL int jx_cal_libm_op(const char *fn);

#define JX_CAL_N 4096
#define JX_CAL_ROUNDS 25
/* Above the L2 and most of the L3 of 2026's CPUs, with the result: the
 * library's cbrt on the Zen 5 host was 15% faster than ours on 4096
 * elements and 1.4-1.9x slower from 1e6 on (docs/math.md). */
#define JX_CAL_STREAM (8u << 20)
#define JX_CAL_STREAM_ROUNDS 3

#endif
