/* parseutil.h - what the parser's suites (check_parse.c,
 * check_parse_errors.c) share: a parse of a source copied into a malloc'd
 * buffer of exactly its length (no NUL after it, so that valgrind sees any
 * read past the end), and a tree as an S-expression. */
#ifndef JX_PARSEUTIL_H
#define JX_PARSEUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "ops.h"

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* One parse: the arena, the source copy, the root and the error. */
typedef struct parsed {
    jx_arena arena;
    char *src;
    int32_t len;
    jx_node *root;
    jx_error err;
} parsed;

static inline void parse_n(parsed *p, const char *src, size_t len)
{
    jx_arena_init(&p->arena);
    p->src = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(p->src);
    memcpy(p->src, src, len);
    p->len = (int32_t)len;
    p->root = jx_parse(&p->arena, p->src, p->len, &p->err);
}

static inline void parse_s(parsed *p, const char *src)
{
    parse_n(p, src, strlen(src));
}

static inline void parsed_free(parsed *p)
{
    jx_arena_free(&p->arena);
    free(p->src);
}

/* The S-expression of a tree: "(add (int 1) (var a))". */
static inline void sexpr(const jx_node *n, char *buf, size_t size, size_t *pos)
{
    char tmp[128];
    switch (n->kind) {
    case JX_N_INT:
        snprintf(tmp, sizeof tmp, "(int %llu", (unsigned long long)n->v.u);
        break;
    case JX_N_FLOAT:
        snprintf(tmp, sizeof tmp, "(float %.17g", n->v.f);
        break;
    case JX_N_IMAG:
        snprintf(tmp, sizeof tmp, "(imag %.17g", n->v.f);
        break;
    case JX_N_BOOL:
        snprintf(tmp, sizeof tmp, "(bool %s", n->v.u ? "True" : "False");
        break;
    case JX_N_VAR:
        snprintf(tmp, sizeof tmp, "(var %.*s", (int)n->namelen, n->name);
        break;
    case JX_N_CALL:
        snprintf(tmp, sizeof tmp, "(call %.*s", (int)n->namelen, n->name);
        break;
    case JX_N_KWARG:
        snprintf(tmp, sizeof tmp, "(kw %.*s", (int)n->namelen, n->name);
        break;
    case JX_N_OP:
        snprintf(tmp, sizeof tmp, "(%s", jx_ops[n->op].mnem);
        break;
    case JX_N_STRING:
        snprintf(tmp, sizeof tmp, "(string");
        break;
    default:
        snprintf(tmp, sizeof tmp, "(?%d", (int)n->kind);
        break;
    }
    *pos += (size_t)snprintf(buf + *pos, size - *pos, "%s", tmp);
    ck_assert_uint_lt(*pos, size);
    for (int i = 0; i < n->nargs; i++) {
        *pos += (size_t)snprintf(buf + *pos, size - *pos, " ");
        sexpr(n->args[i], buf, size, pos);
    }
    *pos += (size_t)snprintf(buf + *pos, size - *pos, ")");
    ck_assert_uint_lt(*pos, size);
}

static inline void to_sexpr(const jx_node *n, char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    sexpr(n, buf, size, &pos);
}

#endif
