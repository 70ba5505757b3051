/* expr.h - a compiled expression: its IR, the names of the variables it
 * uses, and the kernels compiled for it so far, one per layout. */
#ifndef JX_EXPR_H
#define JX_EXPR_H

#include <pthread.h>

#include "ast.h"
#include "cache.h"

#define JX_EXPR_SLOTS 8 /* layouts remembered per expression */

struct jx_expr {
    jx_ir *ir;              /* owned */
    unsigned flags;         /* JX_FLAG_* given to jx_compile */
    int nvars;              /* entries in the vars table at compile time */
    char **names;           /* [ir->ninputs] names of the used variables */
    int nchecks;            /* checks of weak values (weak.c): */
    struct jx_weak_check {
        int32_t value;      /*   the instruction whose value is checked */
        jx_dtype to;        /*   the integer type it must fit, or */
        bool exponent;      /*   an integer power's exponent: must be >= 0 */
    } *checks;              /*   made at compile time, run by every eval */
    pthread_mutex_t lock;   /* guards slots and nslots */
    struct {
        char layout[JX_LAYOUT_MAX + 1];
        jx_kernel *kernel;  /* a reference held by this expression */
    } slots[JX_EXPR_SLOTS];
    int nslots;             /* slots in use */
};

/* Plans the checks of weak values (NEP 50, weak.c): each integer value
 * computed at run time from Python scalars (JX_VAR_WEAK variables and
 * literals) where it meets a strong type must fit that type, and an
 * integer power's weak exponent must not be negative.  Returns 0, or -1
 * with *err set (out of memory). */
JX_INTERNAL int jx_weak_plan(jx_expr *e, jx_error *err);
/* Runs them over the inputs (ops[1 + slot]): JX_ERR_OVERFLOW for a value
 * out of bounds, JX_ERR_VALUE for a negative integer exponent. */
JX_INTERNAL int jx_weak_check(const jx_expr *e, const jx_array *const *ops,
                              jx_error *err);

/* The front end, for jx_compile and the API's explain, tree and names:
 * the variable table checked (a count and a name each); a NUL-terminated
 * source parsed (NULL: JX_ERR_ARG); a source typed and built into IR
 * (*typed: the typed tree in a, when typed is not NULL; ast_dump: the
 * parsed tree's dump, when not NULL). */
JX_INTERNAL int jx_expr_check_vars(const jx_var *vars, int nvars, jx_error *err);
JX_INTERNAL jx_node *jx_expr_parse(jx_arena *a, const char *src, jx_error *err);
JX_INTERNAL jx_ir *jx_expr_front_end(jx_arena *a, const char *src, const jx_var *vars,
                                     int nvars, jx_node **typed, jx_buf *ast_dump,
                                     jx_error *err);
/* The layout of the common case: every operand contiguous, no overlap (a
 * reduction: into partials); layout holds JX_LAYOUT_MAX + 1 bytes. */
JX_INTERNAL void jx_expr_contiguous_layout(const jx_ir *ir, char *layout);

/* The kernel of e for layout, compiled or looked up on first use.  With
 * all slots taken the kernel comes from the cache each time (*tmp set: the
 * caller releases it with jx_cache_release). */
JX_INTERNAL jx_kernel *jx_expr_kernel(const jx_expr *e, const char *layout,
                                      jx_kernel **tmp, jx_error *err);

#endif
