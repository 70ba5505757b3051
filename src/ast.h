/* ast.h - the syntax tree of one expression, allocated in the
 * compilation's arena.  The parser builds it; the type pass (sema.c)
 * annotates it in place and inserts explicit cast nodes. */
#ifndef JX_AST_H
#define JX_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"
#include "value.h"

#define JX_MAX_ARGS 8 /* arguments a call may have */
/* Height of a tree: bounds the recursion of every pass over it (a sum of
 * more terms than this is rejected by the parser). */
#define JX_MAX_HEIGHT 4096

typedef enum jx_node_kind {
    JX_N_INT,     /* integer literal: v.u (the parser folds no sign) */
    JX_N_FLOAT,   /* float literal: v.f */
    JX_N_BOOL,    /* True / False: v.u is 1 or 0 */
    JX_N_IMAG,    /* imaginary literal 2j: v.f is the imaginary part */
    JX_N_VAR,     /* a name: name/namelen; sema sets var */
    JX_N_OP,      /* operator: op (a jx_op), args[0..nargs-1]; also an
                     attribute z.real, z.imag (op the function's row) */
    JX_N_CALL,    /* call name(args...): the parser leaves op = -1 and
                     sema looks the name up and sets op */
    JX_N_KWARG,   /* keyword argument name=value of a call: name/namelen,
                     args[0] the value */
    JX_N_CONST,   /* a typed constant, made by sema's folding: v */
    JX_N_CAST,    /* inserted by sema: args[0] converted to dtype */
    JX_N_STRING   /* string literal 'ab', b'ab': its bytes, escapes decoded,
                     in str/itemsize; sema makes it a JX_BYTES constant */
} jx_node_kind;

typedef struct jx_node jx_node;
struct jx_node {
    jx_node_kind kind;
    int op;                     /* JX_N_OP/CALL: a jx_op, or -1 */
    int nargs;                  /* operands or call arguments */
    jx_node *args[JX_MAX_ARGS];
    const char *name;           /* JX_N_VAR/CALL/KWARG: NFKC form; points
                                   into the source, or into the arena when
                                   the source spells it otherwise */
    int32_t namelen;            /* bytes of name */
    int32_t offset;             /* span in the source: first byte */
    int32_t length;             /*   and length in bytes */
    jx_value v;                 /* literal or constant value */
    double im;                  /* JX_N_CONST of a complex type: the
                                   imaginary part (v.f is the real part) */
    const char *str;            /* JX_N_STRING, JX_BYTES constant: its bytes
                                   (in the arena, never NULL) */
    int64_t itemsize;           /* JX_BYTES: bytes per element (a string
                                   literal's length, a variable's itemsize) */
    /* Set by sema: */
    int var;                    /* JX_N_VAR: index in the vars table */
    jx_dtype dtype;             /* the node's type */
    bool weak;                  /* a Python-scalar literal: weak type */
    bool has_axis;              /* reductions: an axis was given */
    int32_t axis;               /*   and which (may be negative) */
};

/* Parses src (len bytes) into a tree in arena a.  Returns the root, or
 * NULL with *err set: JX_ERR_SYNTAX (offset at the offending token),
 * JX_ERR_UNSUPPORTED for valid Python the language lacks (and, x[i], ...),
 * JX_ERR_ATTRIBUTE for an attribute other than .real and .imag,
 * JX_ERR_LIMIT for sources longer than JX_MAX_SOURCE, nesting deeper
 * than JX_MAX_DEPTH or a tree higher than JX_MAX_HEIGHT, JX_ERR_SYNTAX for
 * a bad escape in a string literal, JX_ERR_OVERFLOW for integer literals over 64 bits, JX_ERR_ARG for
 * a NULL source, JX_ERR_NOMEM. */
JX_INTERNAL jx_node *jx_parse(jx_arena *a, const char *src, int32_t len,
                              jx_error *err);

/* Appends an indented dump of the tree to b (explain). */
JX_INTERNAL void jx_parse_dump(const jx_node *n, jx_buf *b);

#endif
