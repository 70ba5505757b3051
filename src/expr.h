/* expr.h - a compiled expression: its IR, the names of the variables it
 * uses, and the kernels compiled for it so far, one per layout. */
#ifndef JX_EXPR_H
#define JX_EXPR_H

#include <pthread.h>

#include "cache.h"

#define JX_EXPR_SLOTS 8 /* layouts remembered per expression */

struct jx_expr {
    jx_ir *ir;              /* owned */
    unsigned flags;         /* JX_FLAG_* given to jx_compile */
    int nvars;              /* entries in the vars table at compile time */
    char **names;           /* [ir->ninputs] names of the used variables */
    int nchecks;            /* weak integer inputs cast to integer types: */
    struct {
        int32_t slot;       /*   the input slot (a 0-d int64 variable) */
        jx_dtype to;        /*   the type its value must fit */
    } *checks;              /*   checked by every evaluation */
    pthread_mutex_t lock;   /* guards slots and nslots */
    struct {
        char layout[JX_LAYOUT_MAX + 1];
        jx_kernel *kernel;  /* a reference held by this expression */
    } slots[JX_EXPR_SLOTS];
    int nslots;             /* slots in use */
};

/* The kernel of e for layout, compiled or looked up on first use.  With
 * all slots taken the kernel comes from the cache each time (*tmp set: the
 * caller releases it with jx_cache_release). */
JX_INTERNAL jx_kernel *jx_expr_kernel(const jx_expr *e, const char *layout,
                                      jx_kernel **tmp, jx_error *err);

#endif
