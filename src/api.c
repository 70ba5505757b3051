/* api.c - the public functions of include/jitexpr.h. */
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "dtype.h"
#include "eval.h"
#include "jit.h"
#include "pool.h"
#include "sema.h"
#include "tree.h"
#include "utf8.h"

/* ---- compiled expressions ------------------------------------------------ */

/* The layout of the common case: every operand contiguous, no overlap
 * (a reduction: into partials). */
static void contiguous_layout(const jx_ir *ir, char *layout)
{
    if (ir->reduce >= 0)
        *layout++ = JX_LAYOUT_PARTIALS;
    memset(layout, JX_LAYOUT_CONTIG, (size_t)ir->ninputs + 1);
    strcpy(layout + ir->ninputs + 1, ":n");
}

static int check_vars(const jx_var *vars, int nvars, jx_error *err)
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
static jx_node *parse_source(jx_arena *a, const char *src, jx_error *err)
{
    if (src == NULL) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "the expression is NULL");
        return NULL;
    }
    size_t len = strnlen(src, (size_t)JX_MAX_SOURCE + 1);
    return jx_parse(a, src, (int32_t)len, err);
}

/* Source to IR: parse, type, build.  *typed gets the typed tree (in a). */
static jx_ir *front_end(jx_arena *a, const char *src, const jx_var *vars,
                        int nvars, jx_node **typed, jx_buf *ast_dump,
                        jx_error *err)
{
    if (check_vars(vars, nvars, err) < 0)
        return NULL;
    jx_node *root = parse_source(a, src, err);
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
    jx_ir *ir = front_end(&a, src, vars, nvars, NULL, NULL, err);
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
    contiguous_layout(ir, layout);
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

/* ---- evaluation ----------------------------------------------------------------- */

int jx_eval(const jx_expr *e, const jx_array *inputs, jx_array *out,
            jx_error *err)
{
    jx_err_clear(err);
    if (e == NULL) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "jx_eval: the expression is NULL");
        return -1;
    }
    return jx_eval_run(e, inputs, out, false, err);
}

int jx_eval_new(const jx_expr *e, const jx_array *inputs, jx_array *out,
                jx_error *err)
{
    jx_err_clear(err);
    if (e == NULL || out == NULL) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "jx_eval_new: %s is NULL",
                   e == NULL ? "the expression" : "out");
        return -1;
    }
    out->data = NULL;
    if (jx_eval_run(e, inputs, out, true, err) < 0) {
        free(out->data);
        out->data = NULL;
        return -1;
    }
    return 0;
}

int jx_expr_result_shape(const jx_expr *e, const jx_array *inputs, int *ndim,
                         int64_t shape[JX_MAX_DIMS], jx_error *err)
{
    jx_err_clear(err);
    if (e == NULL || ndim == NULL || shape == NULL) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "jx_expr_result_shape: a NULL argument");
        return -1;
    }
    const jx_array *ops[1 + JX_MAX_VARS]; /* [0] the output, none here */
    ops[0] = NULL;
    int bndim;
    int64_t bshape[JX_MAX_DIMS];
    if (jx_eval_inputs(e, inputs, ops, err) < 0 ||
        jx_eval_broadcast(e, ops, 1 + e->ir->ninputs, &bndim, bshape, err) < 0)
        return -1;
    int axis;
    if (e->ir->reduce < 0) {
        *ndim = bndim;
        memcpy(shape, bshape, sizeof(int64_t) * (size_t)bndim);
    } else if (jx_reduce_shape(e->ir, bndim, bshape, &axis, ndim, shape, err) < 0) {
        return -1;
    }
    /* A shape the caller can allocate: jx_eval_new's bound, so that the
     * caller's size arithmetic (elements times itemsize) cannot wrap. */
    int64_t bytes;
    return jx_eval_result_bytes(*ndim, shape, (int64_t)jx_expr_itemsize(e), &bytes, err);
}

/* Appends the names of the variables under n, first use first. */
static void collect_names(const jx_node *n, jx_buf *b)
{
    if (n->kind == JX_N_VAR) {
        /* Already listed?  The list is NUL-separated. */
        for (size_t at = 0; b->s && at < b->len; at += strlen(b->s + at) + 1)
            if (strlen(b->s + at) == (size_t)n->namelen &&
                memcmp(b->s + at, n->name, (size_t)n->namelen) == 0)
                return;
        jx_buf_append(b, n->name, (size_t)n->namelen);
        jx_buf_append(b, "", 1);
        return;
    }
    for (int i = 0; i < n->nargs; i++)
        collect_names(n->args[i], b);
}

char *jx_name_normalize(const char *name, size_t n)
{
    return name == NULL ? NULL : jx_utf8_nfkc_dup(name, n);
}

char *jx_names(const char *src, jx_error *err)
{
    jx_err_clear(err);
    jx_arena a;
    jx_arena_init(&a);
    jx_node *root = parse_source(&a, src, err);
    jx_buf b = {0};
    if (root != NULL) {
        collect_names(root, &b);
        jx_buf_append(&b, "", 1); /* the empty string that ends the list */
    }
    jx_arena_free(&a);
    if (root == NULL) {
        free(jx_buf_take(&b));
        return NULL;
    }
    /* The buffer holds the list and its terminator; hand it over whole. */
    char *list = b.failed ? NULL : b.s;
    if (list == NULL) {
        free(b.s);
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
    }
    return list;
}

jx_tree_node *jx_tree(const char *src, const jx_var *vars, int nvars,
                      int *count, jx_error *err)
{
    jx_err_clear(err);
    if (count == NULL) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "jx_tree: count is NULL");
        return NULL;
    }
    jx_arena a;
    jx_arena_init(&a);
    jx_tree_node *nodes = NULL;
    jx_node *root = NULL;
    if (check_vars(vars, nvars, err) == 0 && (root = parse_source(&a, src, err)) != NULL &&
        (root = jx_sema(&a, root, vars, nvars, err)) != NULL)
        nodes = jx_tree_flatten(root, count, err);
    jx_arena_free(&a);
    return nodes;
}

int jx_op_count(void) { return JX_OP_COUNT; }

int jx_op_describe(int i, jx_op_desc *d)
{
    if (i < 0 || i >= JX_OP_COUNT || d == NULL)
        return -1;
    static const jx_syntax_kind syntax[] = {
        [JX_SYN_OPB] = JX_SYNTAX_BINARY, [JX_SYN_OPU] = JX_SYNTAX_UNARY,
        [JX_SYN_FN] = JX_SYNTAX_CALL};
    d->mnemonic = jx_ops[i].mnem;
    d->spelling = jx_ops[i].spell;
    d->syntax = syntax[jx_ops[i].syn];
    d->arity = jx_ops[i].arity;
    return 0;
}

/* How evaluations run (adapt.h), after `prefix` on each line: the policy,
 * for a kernel of ir in elements (its cost), else in work; without ir
 * also what the cached kernels' timings chose so far. */
static void describe_run(jx_buf *b, const jx_ir *ir, const char *prefix)
{
    int nthreads;
    int64_t work;
    jx_pool_settings(&nthreads, &work);
    int64_t unit = ir != NULL && ir->cost > 0 ? ir->cost : 1;
    if (nthreads <= 1)
        jx_buf_printf(b, "%sinline (one thread)", prefix);
    else
        jx_buf_printf(b, "%sinline below %lld %s, on %d threads above %lld, timed "
                      "both ways between", prefix,
                      (long long)(work / JX_ADAPT_BAND / unit),
                      ir != NULL ? "elements" : "work (elements x cost)", nthreads,
                      (long long)(work * JX_ADAPT_BAND / unit));
    if (jx_jit_wide_vectors() && (ir == NULL || (ir->light && ir->reduce < 0)))
        jx_buf_printf(b, "; %s from %lld elements also timed in 256-bit vectors",
                      ir != NULL ? "a light kernel" : "light kernels",
                      (long long)JX_ADAPT_NARROW_MIN);
    jx_buf_printf(b, "\n");
    if (ir != NULL)
        return;
    uint64_t chosen[JX_ADAPT_WAYS], kernels;
    jx_cache_ways(chosen, &kernels);
    jx_buf_printf(b, "%stimed so far, %llu kernels: size classes inline %llu, "
                  "pool %llu, 256-bit inline %llu, 256-bit pool %llu\n",
                  prefix, (unsigned long long)kernels,
                  (unsigned long long)chosen[JX_WAY_INLINE],
                  (unsigned long long)chosen[JX_WAY_POOL],
                  (unsigned long long)chosen[JX_WAY_NARROW_INLINE],
                  (unsigned long long)chosen[JX_WAY_NARROW_POOL]);
}

/* ---- explain ------------------------------------------------------------------ */

char *jx_explain(const char *src, const jx_var *vars, int nvars,
                 unsigned what, jx_error *err)
{
    jx_err_clear(err);
    jx_arena a;
    jx_arena_init(&a);
    jx_buf ast = {0}, b = {0};
    jx_node *typed = NULL;
    jx_ir *ir = front_end(&a, src, vars, nvars, &typed,
                          (what & JX_EXPLAIN_AST) ? &ast : NULL, err);
    if (ir == NULL) {
        jx_arena_free(&a);
        free(jx_buf_take(&ast));
        return NULL;
    }
    if (what & JX_EXPLAIN_AST) {
        jx_buf_printf(&b, "== parse tree ==\n%s\n== typed tree ==\n",
                      ast.s ? ast.s : "");
        jx_parse_dump(typed, &b);
        jx_buf_append(&b, "\n", 1);
    }
    free(jx_buf_take(&ast));
    jx_arena_free(&a);
    if (what & JX_EXPLAIN_IR) {
        jx_buf_printf(&b, "== typed IR (result %s) ==\n",
                      jx_dtype_name(jx_ir_dtype(ir)));
        for (int i = 0; i < ir->ninputs; i++)
            jx_buf_printf(&b, "; $%d = %s (%s)\n", i, vars[ir->input_var[i]].name,
                          jx_dtype_name(ir->input_dtype[i]));
        jx_buf_printf(&b, "%s\n", ir->text);
    }
    if (what & (JX_EXPLAIN_LLVM | JX_EXPLAIN_ASM)) {
        char layout[JX_LAYOUT_MAX + 1];
        contiguous_layout(ir, layout);
        jx_buf_printf(&b, "; kernel for layout %s (%soutput, inputs; C contiguous, "
                          "S scalar, X strided; :n no overlap)\n", layout,
                      ir->reduce >= 0 ? "R partials of blocks of "
                                        "JX_REDUCE_BLOCK elements, " : "");
        if (jx_jit_explain(ir, layout, what, &b, err) < 0) {
            jx_ir_free(ir);
            free(jx_buf_take(&b));
            return NULL;
        }
        /* the target, and the math implementations this kernel chose */
        jx_buf t = {0};
        jx_jit_describe(&t);
        char *text = jx_buf_take(&t);
        const char *prefix = "; target: ";
        for (char *line = text, *nl; line != NULL; line = nl) {
            nl = strchr(line, '\n');
            if (nl != NULL)
                *nl++ = '\0';
            jx_buf_printf(&b, "%s%s\n", prefix, line);
            prefix = ";   ";
        }
        free(text);
        describe_run(&b, ir, "; run: ");
    }
    jx_ir_free(ir);
    char *text = jx_buf_take(&b);
    if (text == NULL)
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
    return text;
}

/* ---- small things -------------------------------------------------------------- */

void jx_free(void *p) { free(p); }

const char *jx_code_name(jx_code code)
{
    static const char *const names[] = {
        [JX_OK] = "ok",
        [JX_ERR_SYNTAX] = "syntax error",
        [JX_ERR_NAME] = "name error",
        [JX_ERR_FUNCTION] = "unknown function",
        [JX_ERR_ARITY] = "wrong number of arguments",
        [JX_ERR_TYPE] = "type error",
        [JX_ERR_VALUE] = "value error",
        [JX_ERR_LIMIT] = "limit exceeded",
        [JX_ERR_SHAPE] = "shape error",
        [JX_ERR_ARG] = "bad argument",
        [JX_ERR_NOMEM] = "out of memory",
        [JX_ERR_JIT] = "JIT error",
        [JX_ERR_INTERNAL] = "internal error",
        [JX_ERR_OVERFLOW] = "overflow error",
        [JX_ERR_UNSUPPORTED] = "unsupported syntax",
        [JX_ERR_ATTRIBUTE] = "unknown attribute",
    };
    if ((int)code < 0 || (size_t)code >= sizeof names / sizeof names[0])
        return "unknown error";
    return names[code];
}

void jx_get_stats(jx_stats *st)
{
    if (st)
        jx_cache_stats(st);
}

const char *jx_version(void) { return JITEXPR_VERSION; }

char *jx_target_info(void)
{
    jx_buf b = {0};
    jx_jit_describe(&b);
    jx_buf_printf(&b, "\n");
    describe_run(&b, NULL, "run: ");
    if (b.s != NULL && b.len > 0 && b.s[b.len - 1] == '\n')
        b.s[--b.len] = '\0'; /* no newline after the last line */
    return jx_buf_take(&b);
}
