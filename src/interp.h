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
 * estimate (tier.h), as for the quick tier.  Not interpreted: math
 * functions, divisions and remainders of integers, other powers, float to
 * integer conversions, float16, complex numbers, byte strings,
 * reductions. */
#ifndef JX_INTERP_H
#define JX_INTERP_H

#include <stdbool.h>

#include "ir.h"
#include "plan.h"

typedef struct jx_interp jx_interp;

/* ir's program, or NULL when an instruction is not interpreted (or no
 * memory).  It holds its own copy of what it needs of ir. */
JX_INTERNAL jx_interp *jx_interp_new(const jx_ir *ir);
JX_INTERNAL void jx_interp_free(jx_interp *prog);
/* Runs prog over the plan's elements, in the calling thread.  Returns 0,
 * or -1 with *err set (JX_ERR_NOMEM). */
JX_INTERNAL int jx_interp_run(const jx_interp *prog, const jx_plan *p, jx_error *err);

#endif
