/* interp.h - the interpreted tier: a kernel's first calls without LLVM.
 *
 * A new expression's first call used to compile its kernel: 9-10 ms for
 * the first of a process (LLVM's own start: its target, pass pipelines
 * and code pages), 0.6-1.3 ms for later ones, against numexpr's 0.3-0.8
 * ms for a first call.  Where every instruction of the IR is one this
 * file computes with exactly the bits the compiled code gives (IEEE
 * arithmetic one operation at a time, powers of floats to -1, 0, 1, 2, 3
 * or 4 multiplied out as jit/scalar.c does, integer arithmetic modulo
 * 2^bits, comparisons, logic, where, the exact conversions), the kernel
 * starts interpreted: each instruction over a block of elements at a
 * time, as numexpr does.  cache.c keeps the program as the kernel's code
 * until the time spent interpreting reaches the optimised compile's
 * estimate (tier.h), as for the quick tier.
 *
 * A math function (or a float power other than those multiplied out) is
 * computed by compiled code of its own, a unit (the
 * kernel of that one function over contiguous arrays, cache.c's
 * jx_cache_unit), called over the block: compiled once per machine (the
 * disk cache keeps it; the calibration's own compile of it is reused),
 * so a new expression of functions seen before needs no LLVM.  Only where
 * the unit's bits are the compiled expression's: vmath.c's kernel, not
 * the library's (whose vector and scalar variants differ in the last bit
 * by position), at most JX_JIT_INLINE_MATH of them, the output apart.
 * sin(a)*cos(b) + c, n = 1000, a new process with sin's and cos's units
 * stored: first call 0.8 ms, 11.6 compiled in the quick tier.
 *
 * A reduction is interpreted as the compiled loop computes it
 * (jit/reduce_cg.c): in the partials layout ('R', ir.h) each block of
 * values is folded into the partial of its JX_REDUCE_BLOCK elements
 * (integer and bool accumulators modulo 2^bits, the min and max of floats
 * by their integer keys, float sums and products in the fixed order of
 * ir.h's JX_REDUCE_LANES); in the accumulating layout ('A') each value
 * into its own accumulator.
 *
 * Not interpreted: functions of the library (erf, hypot, or where it was
 * chosen), divisions and remainders of integers, integer powers, float to
 * integer conversions, float16, complex numbers, byte strings. */
#ifndef JX_INTERP_H
#define JX_INTERP_H

#include <stdbool.h>

#include "ir.h"
#include "plan.h"
#include "pool.h"

typedef struct jx_interp jx_interp;

/* Compiled code for math instruction i of ir (a LIBM row of the op table
 * over float32 or float64): the kernel of jx_ir_unit(ir, i) over
 * contiguous operands, output apart ("CC:n"), whose bits are the same at
 * every position and the same as the compiled expression's (vmath.c's
 * kernel, not the library's).  NULL when there is none; it must live as
 * long as the program. */
typedef jx_kernel_fn (*jx_interp_unit_fn)(void *ctx, const jx_ir *ir, int32_t i);

/* ir's program for a kernel of layout (ir.h), or NULL when an
 * instruction or the reduction is not interpreted (or no memory).  Math
 * instructions are, through unit (when not NULL) where it gives code for
 * each and there are at most JX_JIT_INLINE_MATH of them.  It holds its
 * own copy of what it needs of ir. */
JX_INTERNAL jx_interp *jx_interp_new(const jx_ir *ir, const char *layout,
                                     jx_interp_unit_fn unit, void *ctx);
JX_INTERNAL void jx_interp_free(jx_interp *prog);
/* Runs prog over the plan's elements: in the calling thread, or on the
 * pool when `pool` (plan.c's jx_plan_pick: the work is above the
 * threshold), each chunk with registers of its own.  Returns 0, or -1
 * with *err set (JX_ERR_NOMEM). */
JX_INTERNAL int jx_interp_run(const jx_interp *prog, const jx_plan *p, bool pool,
                              jx_error *err);
/* fn(arg, c, err) with registers for prog in this thread, under which
 * jx_interp_kernel runs prog (a reduction's chunks: src/reduce.c).
 * Returns fn's value, or -1 with *err set (JX_ERR_NOMEM). */
JX_INTERNAL int jx_interp_with(const jx_interp *prog, jx_chunk_fn fn, void *arg,
                               int64_t c, jx_error *err);
/* The program of the enclosing jx_interp_with as a kernel (the kernel
 * ABI, the layout prog was made for). */
JX_INTERNAL void jx_interp_kernel(int64_t n, char *const *ptrs, const int64_t *strides);

#endif
