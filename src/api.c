/* api.c - the public functions of include/jitexpr.h. */
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "choicestore.h"
#include "dtype.h"
#include "eval.h"
#include "jit.h"
#include "plan.h"
#include "pool.h"
#include "reduce.h"
#include "sema.h"
#include "tree.h"
#include "utf8.h"

/* ---- evaluation ----------------------------------------------------------------- */

/* The inputs checked (plan.c), then the driver for e: the reduction
 * driver (reduce.c) or the element-wise one (eval.c). */
static int run(const jx_expr *e, const jx_array *inputs, jx_array *out, bool alloc,
               jx_error *err)
{
    const jx_array *ops[JX_PLAN_MAX_OPS];
    if (jx_plan_inputs(e, inputs, ops, err) < 0)
        return -1;
    if (e->ir->reduce >= 0)
        return jx_reduce_run(e, ops, out, alloc, err);
    return jx_eval_run(e, ops, out, alloc, err);
}

int jx_eval(const jx_expr *e, const jx_array *inputs, jx_array *out,
            jx_error *err)
{
    jx_err_clear(err);
    if (e == NULL || out == NULL) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "jx_eval: %s is NULL",
                   e == NULL ? "the expression" : "out");
        return -1;
    }
    return run(e, inputs, out, false, err);
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
    if (run(e, inputs, out, true, err) < 0) {
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
    if (jx_plan_inputs(e, inputs, ops, err) < 0 ||
        jx_plan_broadcast(ops, 1 + e->ir->ninputs, &bndim, bshape, err) < 0)
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
    return jx_plan_result_bytes(*ndim, shape, (int64_t)jx_expr_itemsize(e), &bytes, err);
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
    jx_node *root = jx_expr_parse(&a, src, err);
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
    if (jx_expr_check_vars(vars, nvars, err) == 0 && (root = jx_expr_parse(&a, src, err)) != NULL &&
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
    jx_ir *ir = jx_expr_front_end(&a, src, vars, nvars, &typed,
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
        jx_expr_contiguous_layout(ir, layout);
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

char *jx_stored_choices(void)
{
    return jx_cstore_read();
}

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
