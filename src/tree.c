/* tree.c - the typed syntax tree flattened for callers (jx_tree): the
 * nodes in post-order in one block, followed by the bytes of the names
 * and byte-string constants they point to, so that one jx_free releases
 * everything. */
#include "tree.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "ops.h"

/* Nodes under n and the bytes of their strings (names with their NUL). */
static void measure(const jx_node *n, size_t *nodes, size_t *bytes)
{
    for (int i = 0; i < n->nargs; i++)
        measure(n->args[i], nodes, bytes);
    ++*nodes;
    if (n->kind == JX_N_VAR)
        *bytes += (size_t)n->namelen + 1;
    else if (n->kind == JX_N_CONST && n->dtype == JX_BYTES)
        *bytes += (size_t)n->itemsize + 1;
}

typedef struct flat {
    jx_tree_node *nodes; /* the block */
    int count;           /* nodes written */
    char *text;          /* next free byte after the nodes */
    jx_error *err;
} flat;

static char *copy_text(flat *F, const char *s, size_t n)
{
    char *at = F->text;
    memcpy(at, s, n);
    at[n] = '\0';
    F->text += n + 1;
    return at;
}

/* Writes the nodes under n; returns n's index, or -1 with F->err set. */
static int emit(flat *F, const jx_node *n)
{
    int args[JX_TREE_MAX_ARGS];
    for (int i = 0; i < n->nargs; i++)
        if ((args[i] = emit(F, n->args[i])) < 0)
            return -1;
    jx_tree_node *t = &F->nodes[F->count];
    memset(t, 0, sizeof *t);
    t->dtype = n->dtype;
    t->itemsize = n->dtype == JX_BYTES ? (size_t)n->itemsize : 0;
    t->weak = n->weak;
    t->var = -1;
    t->offset = n->offset;
    t->length = n->length;
    t->nargs = n->nargs;
    memcpy(t->args, args, sizeof(int) * (size_t)n->nargs);
    switch (n->kind) {
    case JX_N_VAR:
        t->kind = JX_TREE_VARIABLE;
        t->name = copy_text(F, n->name, (size_t)n->namelen);
        t->var = n->var;
        break;
    case JX_N_CONST:
        t->kind = JX_TREE_CONSTANT;
        t->value.u = n->v.u;
        t->imag = n->im;
        if (n->dtype == JX_BYTES)
            t->bytes = copy_text(F, n->str, (size_t)n->itemsize);
        break;
    case JX_N_OP:
    case JX_N_CALL:
        t->kind = jx_ops[n->op].syn == JX_SYN_FN ? JX_TREE_FUNCTION : JX_TREE_OPERATOR;
        t->op = jx_ops[n->op].mnem;
        t->spelling = jx_ops[n->op].spell;
        t->has_axis = n->has_axis;
        t->axis = n->axis;
        break;
    case JX_N_CAST:
        t->kind = JX_TREE_CAST;
        t->spelling = jx_dtype_name(n->dtype);
        break;
    default:
        jx_err_set(F->err, JX_ERR_INTERNAL, n->offset, n->length,
                   "jx_tree: a node of kind %d in the typed tree", (int)n->kind);
        return -1;
    }
    return F->count++;
}

jx_tree_node *jx_tree_flatten(const jx_node *root, int *count, jx_error *err)
{
    size_t nodes = 0, bytes = 0;
    measure(root, &nodes, &bytes);
    if (nodes > (size_t)INT_MAX / 2) {
        jx_err_set(err, JX_ERR_LIMIT, -1, 0, "the tree has %zu nodes", nodes);
        return NULL;
    }
    flat F = {malloc(nodes * sizeof(jx_tree_node) + bytes), 0, NULL, err};
    if (F.nodes == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return NULL;
    }
    F.text = (char *)(F.nodes + nodes);
    if (emit(&F, root) < 0) {
        free(F.nodes);
        return NULL;
    }
    *count = F.count;
    return F.nodes;
}
