/* eval.h - the element-wise driver: an expression without a reduction
 * evaluated over the iteration plan (plan.h), with the output's overlap
 * with the inputs resolved. */
#ifndef JX_EVAL_H
#define JX_EVAL_H

#include "expr.h"

/* Evaluates e, an expression without a reduction, over the checked inputs
 * ops[1 ..] (jx_plan_inputs; ops[0] is overwritten).  With alloc, *out is
 * set up and its data allocated; otherwise *out must have the broadcast
 * shape. */
JX_INTERNAL int jx_eval_run(const jx_expr *e, const jx_array **ops, jx_array *out,
                            bool alloc, jx_error *err);

#endif
