/* eval.h - evaluation: broadcasting, dimension collapsing, the output,
 * overlap between the output and the inputs, and the loop over the outer
 * dimensions that calls the kernel on each inner run. */
#ifndef JX_EVAL_H
#define JX_EVAL_H

#include "expr.h"

/* Evaluates e (see jx_eval in jitexpr.h).  With alloc, *out is set up and
 * its data allocated; otherwise *out must have the broadcast shape. */
JX_INTERNAL int jx_eval_run(const jx_expr *e, const jx_array *inputs,
                            jx_array *out, bool alloc, jx_error *err);

#endif
