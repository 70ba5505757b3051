/* expr.c - the compiled-expression object (expr.h): from a source to a
 * jx_expr (the front end: parse, type, IR; the weak-value checks; the
 * contiguous kernel compiled at once, so LLVM errors surface in
 * jx_compile), its kernels per layout, its accessors and its release.
 * The drivers (eval.c, reduce.c) get kernels from here; the API (api.c)
 * creates and frees expressions. */
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "dtype.h"
#include "expr.h"
#include "jit.h"
#include "sema.h"

/* The layout of the common case: every operand contiguous, no overlap
 * (a reduction: into partials). */
void jx_expr_contiguous_layout(const jx_ir *ir, char *layout)
{
    if (ir->reduce >= 0)
        *layout++ = JX_LAYOUT_PARTIALS;
    memset(layout, JX_LAYOUT_CONTIG, (size_t)ir->ninputs + 1);
    strcpy(layout + ir->ninputs + 1, ":n");
}

int jx_expr_check_vars(const jx_var *vars, int nvars, jx_error *err)
{
    if (nvars < 0 || (nvars > 0 && vars == NULL)) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "bad variable table (%d entries)", nvars);
        return -1;
    }
    for (int i = 0; i < nvars; i++)
        if (vars[i].name == NULL) {
            jx_err_set(err, JX_ERR_ARG, -1, 0, "variable %d has no name", i);
            return -1;
        }
    return 0;
}

/* The tree of a NUL-terminated source (the parser reports one longer than
 * JX_MAX_SOURCE without reading past it). */
jx_node *jx_expr_parse(jx_arena *a, const char *src, jx_error *err)
{
    if (src == NULL) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "the expression is NULL");
        return NULL;
    }
    size_t len = strnlen(src, (size_t)JX_MAX_SOURCE + 1);
    return jx_parse(a, src, (int32_t)len, err);
}

/* Source to IR: parse, type, build.  *typed gets the typed tree (in a). */
jx_ir *jx_expr_front_end(jx_arena *a, const char *src, const jx_var *vars,
                         int nvars, jx_node **typed, jx_buf *ast_dump,
                        jx_error *err)
{
    if (jx_expr_check_vars(vars, nvars, err) < 0)
        return NULL;
    jx_node *root = jx_expr_parse(a, src, err);
    if (root == NULL)
        return NULL;
    if (ast_dump)
        jx_parse_dump(root, ast_dump);
    root = jx_sema(a, root, vars, nvars, err);
    if (root == NULL)
        return NULL;
    if (typed)
        *typed = root;
    return jx_ir_build(root, err);
}

jx_expr *jx_compile(const char *src, const jx_var *vars, int nvars,
                    unsigned flags, jx_error *err)
{
    jx_err_clear(err);
    jx_arena a;
    jx_arena_init(&a);
    jx_ir *ir = jx_expr_front_end(&a, src, vars, nvars, NULL, NULL, err);
    jx_arena_free(&a);
    if (ir == NULL)
        return NULL;

    jx_expr *e = calloc(1, sizeof *e);
    char **names = calloc((size_t)ir->ninputs + 1, sizeof *names);
    if (e == NULL || names == NULL) {
        free(e);
        free(names);
        jx_ir_free(ir);
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return NULL;
    }
    e->ir = ir;
    e->flags = flags;
    e->nvars = nvars;
    e->names = names;
    pthread_mutex_init(&e->lock, NULL);
    for (int i = 0; i < ir->ninputs; i++) {
        names[i] = strdup(vars[ir->input_var[i]].name);
        if (names[i] == NULL) {
            jx_expr_free(e);
            jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
            return NULL;
        }
    }
    if (jx_weak_plan(e, err) < 0) {
        jx_expr_free(e);
        return NULL;
    }
    /* Compile the contiguous kernel now, so LLVM errors surface here. */
    char layout[JX_LAYOUT_MAX + 1];
    jx_expr_contiguous_layout(ir, layout);
    jx_kernel *tmp = NULL;
    if (jx_expr_kernel(e, layout, &tmp, err) == NULL) {
        jx_expr_free(e);
        return NULL;
    }
    jx_cache_release(tmp);
    return e;
}

jx_kernel *jx_expr_kernel(const jx_expr *ce, const char *layout,
                          jx_kernel **tmp, jx_error *err)
{
    jx_expr *e = (jx_expr *)ce; /* slots are a cache: guarded by e->lock */
    pthread_mutex_lock(&e->lock);
    for (int i = 0; i < e->nslots; i++)
        if (strcmp(e->slots[i].layout, layout) == 0) {
            jx_kernel *k = e->slots[i].kernel;
            pthread_mutex_unlock(&e->lock);
            return k;
        }
    pthread_mutex_unlock(&e->lock);

    jx_kernel *k = jx_cache_get(e->ir, layout, e->flags, err);
    if (k == NULL)
        return NULL;

    pthread_mutex_lock(&e->lock);
    for (int i = 0; i < e->nslots; i++)
        if (strcmp(e->slots[i].layout, layout) == 0) { /* raced: use theirs */
            jx_kernel *theirs = e->slots[i].kernel;
            pthread_mutex_unlock(&e->lock);
            jx_cache_release(k);
            return theirs;
        }
    if (e->nslots < JX_EXPR_SLOTS) {
        strcpy(e->slots[e->nslots].layout, layout);
        e->slots[e->nslots].kernel = k;
        e->nslots++;
    } else {
        *tmp = k;
    }
    pthread_mutex_unlock(&e->lock);
    return k;
}

void jx_expr_free(jx_expr *e)
{
    if (e == NULL)
        return;
    for (int i = 0; i < e->nslots; i++)
        jx_cache_release(e->slots[i].kernel);
    if (e->names)
        for (int i = 0; i < e->ir->ninputs; i++)
            free(e->names[i]);
    free(e->names);
    free(e->checks);
    jx_ir_free(e->ir);
    pthread_mutex_destroy(&e->lock);
    free(e);
}

jx_dtype jx_expr_dtype(const jx_expr *e)
{
    return e ? jx_ir_dtype(e->ir) : JX_DTYPE_INVALID;
}

size_t jx_expr_itemsize(const jx_expr *e)
{
    if (e == NULL)
        return 0;
    if (jx_ir_dtype(e->ir) == JX_BYTES)
        return (size_t)e->ir->ins[e->ir->result].itemsize;
    return jx_dtype_size(jx_ir_dtype(e->ir));
}

int jx_expr_nused(const jx_expr *e) { return e ? e->ir->ninputs : 0; }

int jx_expr_used(const jx_expr *e, int i)
{
    if (e == NULL || i < 0 || i >= e->ir->ninputs)
        return -1;
    return e->ir->input_var[i];
}

const char *jx_expr_ir(const jx_expr *e) { return e ? e->ir->text : NULL; }
