/* fold.h - constant folding (fold.c), used by the type pass. */
#ifndef JX_FOLD_H
#define JX_FOLD_H

#include "ast.h"

/* Gives constant n type t in place, if the conversion is exact enough to
 * do at compile time.  Returns 1 when done, 0 when not foldable (left to
 * the kernel), -1 with *err set: a weak integer that does not fit t
 * (JX_ERR_OVERFLOW, NumPy 2's "Python integer 256 out of bounds for
 * uint8"). */
JX_INTERNAL int jx_fold_convert(jx_node *n, jx_dtype t, jx_error *err);

/* Folds operator node n whose operands are all constants of type t (the
 * type it computes in, operands already converted).  Returns 1 when n
 * became a constant, 0 when not folded, -1 with *err set (a weak integer
 * result beyond int64). */
JX_INTERNAL int jx_fold_op(jx_node *n, jx_dtype t, jx_error *err);

#endif
