/* dump.c - the indented dump of a syntax tree (jx_parse_dump, for
 * explain): one node per line, its kind, value or operator, and its type
 * once sema has typed it. */
#include <inttypes.h>
#include <string.h>

#include "ast.h"
#include "bytes.h"
#include "dtype.h"
#include "ops.h"

static void dump_value(const jx_node *n, jx_buf *b)
{
    jx_kind kind = 0;
    if ((int)n->dtype >= 0 && n->dtype < JX_DTYPE_COUNT)
        kind = jx_dtype_kind(n->dtype);
    if (kind == JX_KIND_COMPLEX)
        jx_buf_printf(b, " (%.17g, %.17g)", n->v.f, n->im);
    else if (kind == JX_KIND_FLOAT)
        jx_buf_printf(b, " %.17g", n->v.f);
    else if (kind == JX_KIND_INT)
        jx_buf_printf(b, " %" PRId64, n->v.i);
    else if (kind == JX_KIND_BOOL)
        jx_buf_printf(b, " %s", n->v.u ? "True" : "False");
    else
        jx_buf_printf(b, " %" PRIu64, n->v.u);
}

static void dump(const jx_node *n, int level, jx_buf *b)
{
    jx_buf_printf(b, "%*s", 2 * level, "");
    switch (n->kind) {
    case JX_N_INT:
        jx_buf_printf(b, "int %" PRIu64, n->v.u);
        break;
    case JX_N_FLOAT:
        jx_buf_printf(b, "float %.17g", n->v.f);
        break;
    case JX_N_BOOL:
        jx_buf_printf(b, "bool %s", n->v.u ? "True" : "False");
        break;
    case JX_N_IMAG:
        jx_buf_printf(b, "imag %.17gj", n->v.f);
        break;
    case JX_N_VAR:
        jx_buf_printf(b, "var %.*s", (int)n->namelen, n->name);
        break;
    case JX_N_OP:
        if (n->op >= 0 && n->op < JX_OP_COUNT)
            jx_buf_printf(b, "%s", jx_ops[n->op].mnem);
        else
            jx_buf_printf(b, "op?%d", n->op);
        break;
    case JX_N_CALL:
        jx_buf_printf(b, "call %.*s", (int)n->namelen, n->name);
        break;
    case JX_N_KWARG:
        jx_buf_printf(b, "kwarg %.*s", (int)n->namelen, n->name);
        break;
    case JX_N_CONST:
        jx_buf_printf(b, "const");
        if (n->dtype == JX_BYTES) {
            jx_buf_append(b, " ", 1);
            jx_bytes_print(b, n->str, n->itemsize);
        } else {
            dump_value(n, b);
        }
        break;
    case JX_N_CAST:
        jx_buf_printf(b, "cast");
        break;
    case JX_N_STRING:
        jx_buf_printf(b, "string ");
        jx_bytes_print(b, n->str, n->itemsize);
        break;
    default:
        jx_buf_printf(b, "node?%d", (int)n->kind);
        break;
    }
    if (n->dtype == JX_BYTES)
        jx_buf_printf(b, " :S%" PRId64, n->itemsize);
    else if (n->dtype != JX_DTYPE_INVALID)
        jx_buf_printf(b, " :%s%s", jx_dtype_name(n->dtype),
                      n->weak ? " weak" : "");
    jx_buf_printf(b, "\n");
    for (int i = 0; i < n->nargs && i < JX_MAX_ARGS; i++)
        if (n->args[i] != NULL)
            dump(n->args[i], level + 1, b);
}

void jx_parse_dump(const jx_node *n, jx_buf *b)
{
    if (n != NULL)
        dump(n, 0, b);
}
