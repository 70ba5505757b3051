/* sema.h - the type pass: names bound to variables, calls to the op table,
 * NumPy's promotion with weak Python-scalar literals, explicit cast nodes,
 * and constant folding (fold.c).  After it every node has a dtype, and every
 * operand of an operator already has the type the operator computes in:
 * the code generator never reasons about promotion. */
#ifndef JX_SEMA_H
#define JX_SEMA_H

#include "ast.h"

/* Types the tree rooted at root.  Returns the new root (folding may
 * replace nodes), or NULL with *err set: JX_ERR_NAME, JX_ERR_FUNCTION,
 * JX_ERR_ARITY, JX_ERR_TYPE, JX_ERR_VALUE, JX_ERR_NOMEM. */
JX_INTERNAL jx_node *jx_sema(jx_arena *a, jx_node *root, const jx_var *vars,
                             int nvars, jx_error *err);

/* For reduction op over elements of type elem: the result dtype (NumPy's)
 * and the accumulator dtype the kernel reduces in. */
JX_INTERNAL void jx_sema_reduce_types(int op, jx_dtype elem, jx_dtype *result,
                                      jx_dtype *acc);

/* Levenshtein distance between two short strings (for suggestions). */
JX_INTERNAL int jx_sema_distance(const char *a, size_t na, const char *b,
                                 size_t nb);

#endif
