/* lex.h - the lexer: bytes of an expression to tokens with their spans. */
#ifndef JX_LEX_H
#define JX_LEX_H

#include <stdint.h>

#include "util.h"

typedef enum jx_tok_kind {
    JX_TOK_EOF = 0,
    JX_TOK_INT,     /* 123, 0x1f, 0o17, 0b101; value in .u */
    JX_TOK_FLOAT,   /* 1.5, .5, 2e-3, 1_000.0; value in .f */
    JX_TOK_IMAG,    /* 2j, 1.5e3J; imaginary part in .f */
    JX_TOK_NAME,    /* identifier, Python's (PEP 3131): XID_Start or '_',
                       then XID_Continue; True/False (spelt so) are
                       JX_TOK_TRUE/FALSE */
    JX_TOK_STRING,  /* 'abc' or b'abc' (byte strings, for later use) */
    JX_TOK_TRUE,
    JX_TOK_FALSE,
    JX_TOK_PLUS,    /* + */
    JX_TOK_MINUS,   /* - */
    JX_TOK_STAR,    /* * */
    JX_TOK_SLASH,   /* / */
    JX_TOK_DSLASH,  /* // */
    JX_TOK_PERCENT, /* % */
    JX_TOK_DSTAR,   /* ** */
    JX_TOK_TILDE,   /* ~ */
    JX_TOK_AMP,     /* & */
    JX_TOK_PIPE,    /* | */
    JX_TOK_CARET,   /* ^ */
    JX_TOK_SHL,     /* << */
    JX_TOK_SHR,     /* >> */
    JX_TOK_LT,      /* < */
    JX_TOK_LE,      /* <= */
    JX_TOK_EQ,      /* == */
    JX_TOK_NE,      /* != */
    JX_TOK_GE,      /* >= */
    JX_TOK_GT,      /* > */
    JX_TOK_LPAREN,  /* ( */
    JX_TOK_RPAREN,  /* ) */
    JX_TOK_COMMA,   /* , */
    JX_TOK_ASSIGN,  /* = (keyword arguments: axis=1) */
    JX_TOK_DOT,     /* . not followed by a digit: an attribute (z.real) */
    /* Python's, not the language's: the parser reports them */
    JX_TOK_LBRACKET, /* [ (a list, a subscript) */
    JX_TOK_LBRACE,  /* { (a dict or set) */
    JX_TOK_AT,      /* @ (matrix product) */
    JX_TOK_WALRUS,  /* := (assignment expression) */
    JX_TOK_COUNT
} jx_tok_kind;

typedef struct jx_token {
    jx_tok_kind kind;
    int32_t offset;  /* byte offset of the first byte in the source */
    int32_t length;  /* bytes */
    union {
        uint64_t u;  /* JX_TOK_INT: the value (fits in 64 bits unsigned) */
        double f;    /* JX_TOK_FLOAT, JX_TOK_IMAG: the value */
        struct {
            const char *s; /* JX_TOK_NAME: the name in NFKC form, in the
                              source when that is its spelling there, in
                              the lexer's arena otherwise */
            int32_t n;     /* its bytes */
        } name;
    } v;
} jx_token;

typedef struct jx_lexer {
    const char *src;  /* the expression, not NUL-terminated necessarily */
    int32_t len;      /* its length in bytes */
    int32_t pos;      /* next byte to read */
    jx_arena *arena;  /* where names whose NFKC form differs from their
                         spelling are normalised; NULL: not normalised
                         (v.name is then the spelling) */
} jx_lexer;

/* Starts lexing src[0..len-1] with no arena (set lx->arena for NFKC). */
JX_INTERNAL void jx_lex_init(jx_lexer *lx, const char *src, int32_t len);
/* Reads the next token into *tok.  Returns 0, or -1 with *err set
 * (JX_ERR_SYNTAX for a bad character, invalid UTF-8 or a malformed number,
 * JX_ERR_OVERFLOW for an integer literal that does not fit in 64 bits,
 * JX_ERR_NOMEM when a long float literal cannot be copied). */
JX_INTERNAL int jx_lex_next(jx_lexer *lx, jx_token *tok, jx_error *err);
/* The spelling of a token kind for messages: "'**'", "end of input". */
JX_INTERNAL const char *jx_lex_kind_name(jx_tok_kind k);

#endif
