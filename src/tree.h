/* tree.h - the typed syntax tree flattened for callers (jx_tree in
 * jitexpr.h): one block of memory, children before parents. */
#ifndef JX_TREE_H
#define JX_TREE_H

#include "ast.h"

/* The tree under root, typed by sema, as *count nodes in one malloc'd
 * block (nodes, then the names and byte strings they point to).  NULL
 * with *err set: JX_ERR_NOMEM, JX_ERR_LIMIT (more nodes than an int
 * counts), JX_ERR_INTERNAL for a node sema leaves no kind for. */
JX_INTERNAL jx_tree_node *jx_tree_flatten(const jx_node *root, int *count,
                                          jx_error *err);

#endif
