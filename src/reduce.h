/* reduce.h - the reduction driver: sum, prod, min, max, any, all, mean of
 * an element-wise expression over the iteration plan (plan.h). */
#ifndef JX_REDUCE_H
#define JX_REDUCE_H

#include "expr.h"

/* A reduction's result shape from the broadcast shape: the axis (or -1
 * for all of them) and the shape without it. */
JX_INTERNAL int jx_reduce_shape(const jx_ir *ir, int ndim, const int64_t *shape,
                                int *axis, int *rndim, int64_t *rshape,
                                jx_error *err);
/* Evaluates e, an expression with a reduction, over the checked inputs
 * ops[1 ..] (jx_plan_inputs; ops[0] is overwritten).  With alloc, *out is
 * set up and its data allocated; otherwise *out must have the result's
 * shape. */
JX_INTERNAL int jx_reduce_run(const jx_expr *e, const jx_array **ops, jx_array *out,
                              bool alloc, jx_error *err);

#endif
