/* parse.c - the parser: tokens to a syntax tree in the compilation's arena.
 *
 * Recursive descent with Python's precedence, lowest first:
 *
 *   comparisons  < <= == != >= >   chained: a < b < c is (a < b) & (b < c)
 *   |  ^  &  << >>  + -  * / // %  left-associative binary levels
 *   unary - + ~                    nest: --a, -~a
 *   **                             right-associative; its right operand is
 *                                  a unary expression: -2**2 is -(2**2),
 *                                  2**-1 is 2**(-1)
 *   primary                        atom, then attributes: atom.real,
 *                                  atom.imag (real(atom), imag(atom))
 *   atom                           literal, name, call, ( expression )
 *
 * Python syntax that the language does not have (and, or, not, x[i],
 * [1, 2], {..}, f(x)(y), a if c else b, lambda, x @ y, ...) is
 * JX_ERR_UNSUPPORTED where the parser meets it, so that callers can tell
 * it from a malformed expression (JX_ERR_SYNTAX); any other attribute
 * than .real and .imag is JX_ERR_ATTRIBUTE.  Python's keywords are never
 * names.
 *
 * Operator ids come from the operator table (ops.h): a binary operator is
 * the OPB row whose spelling is the token's text, a unary one the OPU row;
 * this file keeps only the precedence of each token.
 *
 * Spans: a literal or a name covers its token; an operator node covers
 * its operands (and a unary operator its sign); a call covers name to
 * ')'.  A parenthesised expression is its inner node with the span
 * widened to include the parentheses, so that "(a+b)*c" spans all of
 * itself.
 *
 * Limits, all JX_ERR_LIMIT: the source length (JX_MAX_SOURCE); nesting
 * (JX_MAX_DEPTH) of parentheses, call argument lists, unary operators and
 * right operands of '**', which is what the parser recurses on; the
 * height of the tree (JX_MAX_HEIGHT), which long left-associative
 * chains such as a+a+...+a grow without nesting, so that the passes after
 * this one may recurse over the tree; and the number of nodes
 * (JX_PARSE_MAX_NODES), which chained comparisons could otherwise grow
 * exponentially by copying middle operands inside nested chains. */
#include "ast.h"
#include "bytes.h"
#include "lex.h"
#include "ops.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The tallest tree the parser builds: a sum of 4096 terms.  Later passes
 * may recurse over the tree this deep. */
/* Nodes in one tree, copies made for chained comparisons included:
 * without chains a tree has at most one node per source byte. */
#define JX_PARSE_MAX_NODES (2 * JX_MAX_SOURCE)

typedef struct jx_parser {
    jx_arena *arena;                /* where the nodes go */
    const char *src;                /* the expression, not NUL-terminated */
    jx_lexer lx;                    /* positioned after tok */
    jx_token tok;                   /* the current token, not yet consumed */
    jx_error *err;                  /* the caller's, may be NULL */
    int depth;                      /* nesting levels open (JX_MAX_DEPTH) */
    int nopen;                      /* '(' not yet closed */
    int32_t open[JX_MAX_DEPTH + 1]; /* their offsets, innermost last */
    long nnodes;                    /* nodes made (JX_PARSE_MAX_NODES) */
} jx_parser;

/* Binary precedence levels, loosest first; comparisons are below them. */
enum {
    LEVEL_NONE = 0,
    LEVEL_OR,
    LEVEL_XOR,
    LEVEL_AND,
    LEVEL_SHIFT,
    LEVEL_ADD,
    LEVEL_MUL
};

static int binary_level(jx_tok_kind k)
{
    switch (k) {
    case JX_TOK_PIPE: return LEVEL_OR;
    case JX_TOK_CARET: return LEVEL_XOR;
    case JX_TOK_AMP: return LEVEL_AND;
    case JX_TOK_SHL: case JX_TOK_SHR: return LEVEL_SHIFT;
    case JX_TOK_PLUS: case JX_TOK_MINUS: return LEVEL_ADD;
    case JX_TOK_STAR: case JX_TOK_SLASH: case JX_TOK_DSLASH:
    case JX_TOK_PERCENT: return LEVEL_MUL;
    default: return LEVEL_NONE;
    }
}

static bool is_comparison(jx_tok_kind k)
{
    return k == JX_TOK_LT || k == JX_TOK_LE || k == JX_TOK_EQ ||
           k == JX_TOK_NE || k == JX_TOK_GE || k == JX_TOK_GT;
}

static bool is_unary(jx_tok_kind k)
{
    return k == JX_TOK_MINUS || k == JX_TOK_PLUS || k == JX_TOK_TILDE;
}

/* The table row of syntax syn spelt s (n bytes), or -1. */
static int find_op(jx_syntax syn, const char *s, size_t n)
{
    for (int i = 0; i < JX_OP_COUNT; i++)
        if (jx_ops[i].syn == syn && strlen(jx_ops[i].spell) == n &&
            memcmp(jx_ops[i].spell, s, n) == 0)
            return i;
    return -1;
}

/* The operator of the current token, or -1 with the error set. */
static int token_op(jx_parser *p, jx_syntax syn)
{
    int op = find_op(syn, p->src + p->tok.offset, (size_t)p->tok.length);
    if (op < 0)
        jx_err_set(p->err, JX_ERR_SYNTAX, p->tok.offset, p->tok.length,
                   "%s operator '%.*s' is not supported",
                   syn == JX_SYN_OPU ? "unary" : "binary", (int)p->tok.length,
                   p->src + p->tok.offset);
    return op;
}

/* Describes a token for messages: "'+'", "name 'b'", "end of input". */
static const char *describe(const jx_parser *p, const jx_token *t, char *buf,
                            size_t size)
{
    switch (t->kind) {
    case JX_TOK_INT: case JX_TOK_FLOAT: case JX_TOK_IMAG: case JX_TOK_NAME:
        if (t->length > 24) {
            /* 20 bytes at most, not cutting a UTF-8 character */
            int cut = 20;
            while (cut > 0 && ((unsigned char)p->src[t->offset + cut] & 0xC0) == 0x80)
                cut--;
            snprintf(buf, size, "%s '%.*s...'", jx_lex_kind_name(t->kind),
                     cut, p->src + t->offset);
        } else
            snprintf(buf, size, "%s '%.*s'", jx_lex_kind_name(t->kind),
                     (int)t->length, p->src + t->offset);
        return buf;
    default:
        return jx_lex_kind_name(t->kind);
    }
}

/* ---- Python syntax the language does not have ------------------------- */

/* Python's keywords that can appear in an expression.  `operand`: one
 * starts an operand in Python (not x, lambda: 0, None); `infix`: one
 * follows an operand (a and b, a if c else b, a in b, x for x in y).
 * hint: what the language has instead, or NULL. */
static const struct {
    const char *word;
    bool operand, infix;
    const char *hint;
} keywords[] = {
    {"and", false, true, "use '&' for an element-wise and, with the comparisons "
                         "in parentheses: (a > 1) & (a < 9)"},
    {"or", false, true, "use '|' for an element-wise or, with the comparisons "
                        "in parentheses: (a < 1) | (a > 9)"},
    {"not", true, true, "use '~' for an element-wise not: ~(a > 1)"},
    {"if", false, true, "use where(condition, x, y)"},
    {"else", false, false, NULL},
    {"in", false, true, NULL},
    {"is", false, true, NULL},
    {"for", false, true, NULL},
    {"lambda", true, false, NULL},
    {"None", true, false, NULL},
    {"await", true, false, NULL},
    {"yield", true, false, NULL},
};

/* The keyword row of name token t, or -1. */
static int keyword_of(const jx_parser *p, const jx_token *t)
{
    if (t->kind != JX_TOK_NAME)
        return -1;
    for (int i = 0; i < (int)(sizeof keywords / sizeof keywords[0]); i++)
        if (strlen(keywords[i].word) == (size_t)t->length &&
            memcmp(keywords[i].word, p->src + t->offset, (size_t)t->length) == 0)
            return i;
    return -1;
}

/* JX_ERR_UNSUPPORTED at [off, off+len): `what` is valid Python that the
 * language lacks. */
static void unsupported(jx_parser *p, int32_t off, int32_t len, const char *what,
                        const char *hint)
{
    jx_err_set(p->err, JX_ERR_UNSUPPORTED, off, len,
               "%s: valid Python, but not part of jitexpr's expression "
               "language%s%s", what, hint ? "; " : "", hint ? hint : "");
}

/* Where an operand is expected: sets the error and returns true when the
 * current token starts an operand in Python but not here. */
static bool unsupported_operand(jx_parser *p)
{
    const jx_token *t = &p->tok;
    char what[64];
    int k;
    switch (t->kind) {
    case JX_TOK_LBRACKET:
        unsupported(p, t->offset, 1, "a list", "arrays are passed as variables");
        return true;
    case JX_TOK_LBRACE:
        unsupported(p, t->offset, 1, "a dict or set", NULL);
        return true;
    case JX_TOK_NAME:
        k = keyword_of(p, t);
        if (k < 0 || !keywords[k].operand)
            return false;
        snprintf(what, sizeof what, "'%s'", keywords[k].word);
        unsupported(p, t->offset, t->length, what, keywords[k].hint);
        return true;
    default:
        return false;
    }
}

/* Where an operator or the end is expected: the same for a token that
 * continues an expression in Python but not here. */
static bool unsupported_infix(jx_parser *p)
{
    const jx_token *t = &p->tok;
    char what[64];
    int k;
    switch (t->kind) {
    case JX_TOK_AT:
        unsupported(p, t->offset, 1, "the matrix product '@'", NULL);
        return true;
    case JX_TOK_WALRUS:
        unsupported(p, t->offset, 2, "an assignment expression ':='", NULL);
        return true;
    case JX_TOK_NAME:
        k = keyword_of(p, t);
        if (k < 0 || !keywords[k].infix)
            return false;
        if (strcmp(keywords[k].word, "not") == 0) { /* only "not in" */
            jx_lexer ahead = p->lx;
            jx_token next;
            if (jx_lex_next(&ahead, &next, NULL) < 0 || next.kind != JX_TOK_NAME ||
                next.length != 2 || memcmp(p->src + next.offset, "in", 2) != 0)
                return false;
            unsupported(p, t->offset, next.offset + 2 - t->offset, "'not in'", NULL);
            return true;
        }
        snprintf(what, sizeof what, "'%s'", keywords[k].word);
        unsupported(p, t->offset, t->length, what, keywords[k].hint);
        return true;
    default:
        return false;
    }
}

/* "<what>, found <token>" at the current token; at the end of the input
 * with a '(' open, "'(' was never closed" at that '(' instead.  A token
 * of Python syntax the language lacks is JX_ERR_UNSUPPORTED instead
 * (operand: whether an operand is expected there). */
static void error_found_at(jx_parser *p, const char *what, bool operand)
{
    if (operand ? unsupported_operand(p) : unsupported_infix(p))
        return;
    if (p->tok.kind == JX_TOK_EOF && p->nopen > 0) {
        jx_err_set(p->err, JX_ERR_SYNTAX, p->open[p->nopen - 1], 1,
                   "'(' was never closed");
        return;
    }
    char buf[64];
    jx_err_set(p->err, JX_ERR_SYNTAX, p->tok.offset, p->tok.length,
               "%s, found %s", what, describe(p, &p->tok, buf, sizeof buf));
}

/* error_found_at where an operator, ',' or ')' is expected. */
static void error_found(jx_parser *p, const char *what)
{
    error_found_at(p, what, false);
}

static int advance(jx_parser *p)
{
    return jx_lex_next(&p->lx, &p->tok, p->err);
}

/* Enters one nesting level at the current token. */
static int enter(jx_parser *p)
{
    if (p->depth >= JX_MAX_DEPTH) {
        jx_err_set(p->err, JX_ERR_LIMIT, p->tok.offset, p->tok.length,
                   "expression nested too deeply: the limit is %d levels of "
                   "parentheses, calls and unary operators",
                   JX_MAX_DEPTH);
        return -1;
    }
    p->depth++;
    return 0;
}

static jx_node *new_node(jx_parser *p, jx_node_kind kind, int32_t offset,
                         int32_t length)
{
    if (p->nnodes >= JX_PARSE_MAX_NODES) {
        jx_err_set(p->err, JX_ERR_LIMIT, offset, length,
                   "expression too large: more than %d nodes once chained "
                   "comparisons are expanded",
                   JX_PARSE_MAX_NODES);
        return NULL;
    }
    jx_node *n = jx_arena_alloc(p->arena, sizeof *n);
    if (n == NULL) {
        jx_err_set(p->err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return NULL;
    }
    p->nnodes++;
    n->kind = kind;
    n->op = -1;
    n->offset = offset;
    n->length = length;
    n->var = -1;
    n->dtype = JX_DTYPE_INVALID;
    n->weak = false;
    return n;
}

/* An operator node over a (and b, NULL for a unary operator) spanning
 * from offset to the end of its last operand; *h is its height, 1 + the
 * taller operand's (ha, hb).  optok, the operator, is where a height
 * error points. */
static jx_node *new_op(jx_parser *p, int op, jx_node *a, jx_node *b,
                       int32_t offset, int ha, int hb, int *h,
                       const jx_token *optok)
{
    int height = 1 + (ha > hb ? ha : hb);
    if (height > JX_MAX_HEIGHT) {
        jx_err_set(p->err, JX_ERR_LIMIT, optok->offset, optok->length,
                   "expression too deep: more than %d levels of operators",
                   JX_MAX_HEIGHT);
        return NULL;
    }
    jx_node *last = b != NULL ? b : a;
    jx_node *n = new_node(p, JX_N_OP, offset,
                          last->offset + last->length - offset);
    if (n == NULL)
        return NULL;
    n->op = op;
    n->args[0] = a;
    n->nargs = 1;
    if (b != NULL) {
        n->args[1] = b;
        n->nargs = 2;
    }
    *h = height;
    return n;
}

/* A copy of the tree at root, sharing nothing with it.  Recursion is
 * bounded by the tree's height (JX_MAX_HEIGHT). */
static jx_node *copy_tree(jx_parser *p, const jx_node *root)
{
    jx_node *n = new_node(p, root->kind, root->offset, root->length);
    if (n == NULL)
        return NULL;
    *n = *root;
    for (int i = 0; i < root->nargs; i++)
        if ((n->args[i] = copy_tree(p, root->args[i])) == NULL)
            return NULL;
    return n;
}

static jx_node *parse_expr(jx_parser *p, int *h);
static jx_node *parse_unary(jx_parser *p, int *h);

/* NAME '(' [expr (',' expr)* [',']] ')': the current token is the '('. */
static jx_node *parse_call(jx_parser *p, const jx_token *name, int *h)
{
    jx_node *n = new_node(p, JX_N_CALL, name->offset, name->length);
    if (n == NULL || enter(p) < 0)
        return NULL;
    n->name = name->v.name.s;
    n->namelen = name->v.name.n;
    p->open[p->nopen++] = p->tok.offset;
    if (advance(p) < 0)
        return NULL;
    int height = 0;
    while (p->tok.kind != JX_TOK_RPAREN) {
        /* name=value: a keyword argument. */
        jx_node *kw = NULL;
        if (p->tok.kind == JX_TOK_NAME) {
            jx_lexer ahead = p->lx;
            jx_token next;
            if (jx_lex_next(&ahead, &next, NULL) == 0 &&
                next.kind == JX_TOK_ASSIGN) {
                for (int i = 0; i < n->nargs; i++)
                    if (n->args[i]->kind == JX_N_KWARG &&
                        n->args[i]->namelen == p->tok.v.name.n &&
                        memcmp(n->args[i]->name, p->tok.v.name.s,
                               (size_t)p->tok.v.name.n) == 0) {
                        jx_err_set(p->err, JX_ERR_SYNTAX, p->tok.offset,
                                   p->tok.length,
                                   "keyword argument repeated: '%.*s'",
                                   (int)p->tok.length, p->src + p->tok.offset);
                        return NULL;
                    }
                kw = new_node(p, JX_N_KWARG, p->tok.offset, p->tok.length);
                if (kw == NULL)
                    return NULL;
                kw->name = p->tok.v.name.s;
                kw->namelen = p->tok.v.name.n;
                if (advance(p) < 0 || advance(p) < 0) /* the name, '=' */
                    return NULL;
            } else if (n->nargs > 0 &&
                       n->args[n->nargs - 1]->kind == JX_N_KWARG) {
                goto positional_after_keyword;
            }
        } else if (n->nargs > 0 && n->args[n->nargs - 1]->kind == JX_N_KWARG) {
        positional_after_keyword:
            jx_err_set(p->err, JX_ERR_SYNTAX, p->tok.offset, p->tok.length,
                       "positional argument follows keyword argument");
            return NULL;
        }
        if (n->nargs == JX_MAX_ARGS) {
            jx_err_set(p->err, JX_ERR_LIMIT, p->tok.offset, p->tok.length,
                       "too many arguments to '%.*s': a call takes at most %d",
                       (int)n->namelen, n->name, JX_MAX_ARGS);
            return NULL;
        }
        int ha = 0;
        jx_node *arg = parse_expr(p, &ha);
        if (arg == NULL)
            return NULL;
        if (kw != NULL) {
            kw->args[0] = arg;
            kw->nargs = 1;
            kw->length = arg->offset + arg->length - kw->offset;
            arg = kw;
        }
        n->args[n->nargs++] = arg;
        if (ha > height)
            height = ha;
        if (p->tok.kind == JX_TOK_COMMA) {
            if (advance(p) < 0)
                return NULL;
        } else if (p->tok.kind != JX_TOK_RPAREN) {
            error_found(p, "expected ',' or ')' after an argument");
            return NULL;
        }
    }
    n->length = p->tok.offset + p->tok.length - n->offset;
    p->nopen--;
    p->depth--;
    *h = height + 1;
    if (height + 1 > JX_MAX_HEIGHT) {
        jx_err_set(p->err, JX_ERR_LIMIT, n->offset, n->length,
                   "expression too deep: more than %d levels of operators",
                   JX_MAX_HEIGHT);
        return NULL;
    }
    return advance(p) < 0 ? NULL : n;
}

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A string literal token ('ab', "ab", b'ab'; the lexer found its end) to a
 * JX_N_STRING node holding its bytes.  Both spellings are byte strings,
 * as in numexpr.  Escapes: \\ \' \" \n \r \t \0 \xHH; any other
 * escape, an octal one (\0 then a digit) and a byte outside ASCII
 * (numexpr encodes str literals as ASCII) are syntax errors at that
 * spot. */
static jx_node *parse_string(jx_parser *p, const jx_token *t)
{
    const char *s = p->src + t->offset;
    int32_t i = (s[0] == '\'' || s[0] == '"') ? 1 : 2; /* after the quote */
    int32_t end = t->length - 1;                      /* the closing quote */
    char *buf = jx_arena_alloc(p->arena, (size_t)t->length);
    jx_node *n = new_node(p, JX_N_STRING, t->offset, t->length);
    if (buf == NULL || n == NULL) {
        if (n != NULL)
            jx_err_set(p->err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return NULL;
    }
    int64_t len = 0;
    while (i < end) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            jx_err_set(p->err, JX_ERR_SYNTAX, t->offset + i, 1,
                       "a string literal may hold ASCII characters only: "
                       "write other bytes as \\xHH");
            return NULL;
        }
        if (c != '\\') {
            buf[len++] = (char)c;
            i++;
            continue;
        }
        int e = i + 1 < end ? s[i + 1] : 0;
        int32_t elen = 2;
        switch (e) {
        case '\\': case '\'': case '"': buf[len++] = (char)e; break;
        case 'n': buf[len++] = '\n'; break;
        case 'r': buf[len++] = '\r'; break;
        case 't': buf[len++] = '\t'; break;
        case '0':
            if (i + 2 < end && s[i + 2] >= '0' && s[i + 2] <= '7')
                goto bad; /* octal: not supported */
            buf[len++] = '\0';
            break;
        case 'x': {
            int hi = i + 2 < end ? hex_digit(s[i + 2]) : -1;
            int lo = i + 3 < end ? hex_digit(s[i + 3]) : -1;
            if (hi < 0 || lo < 0) {
                jx_err_set(p->err, JX_ERR_SYNTAX, t->offset + i,
                           i + 4 <= end ? 4 : end - i,
                           "'\\x' in a string literal needs two hex digits");
                return NULL;
            }
            buf[len++] = (char)(hi * 16 + lo);
            elen = 4;
            break;
        }
        default:
        bad:
            jx_err_set(p->err, JX_ERR_SYNTAX, t->offset + i, 2,
                       "unsupported escape '\\%c' in a string literal (use "
                       "\\\\ \\' \\\" \\n \\r \\t \\0 or \\xHH)",
                       e >= 0x21 && e < 0x7f ? e : '?');
            return NULL;
        }
        i += elen;
    }
    n->str = buf;
    n->itemsize = len;
    return n;
}

/* literal, name, call, '(' expr ')' */
static jx_node *parse_atom(jx_parser *p, int *h)
{
    jx_token t = p->tok;
    jx_node *n;
    *h = 1;
    switch (t.kind) {
    case JX_TOK_INT:
    case JX_TOK_FLOAT:
    case JX_TOK_IMAG:
    case JX_TOK_TRUE:
    case JX_TOK_FALSE:
        n = new_node(p, t.kind == JX_TOK_INT ? JX_N_INT
                        : t.kind == JX_TOK_FLOAT ? JX_N_FLOAT
                        : t.kind == JX_TOK_IMAG ? JX_N_IMAG : JX_N_BOOL,
                     t.offset, t.length);
        if (n == NULL)
            return NULL;
        if (t.kind == JX_TOK_TRUE || t.kind == JX_TOK_FALSE)
            n->v.u = t.kind == JX_TOK_TRUE;
        else if (t.kind == JX_TOK_INT)
            n->v.u = t.v.u;
        else
            n->v.f = t.v.f;
        return advance(p) < 0 ? NULL : n;
    case JX_TOK_NAME: {
        int k = keyword_of(p, &t);
        if (k >= 0) {
            if (!unsupported_operand(p)) {
                char buf[64];
                snprintf(buf, sizeof buf, "expected an operand, found '%s'",
                         keywords[k].word);
                jx_err_set(p->err, JX_ERR_SYNTAX, t.offset, t.length, "%s", buf);
            }
            return NULL;
        }
        if (advance(p) < 0)
            return NULL;
        if (p->tok.kind == JX_TOK_LPAREN)
            return parse_call(p, &t, h);
        n = new_node(p, JX_N_VAR, t.offset, t.length);
        if (n == NULL)
            return NULL;
        n->name = t.v.name.s;
        n->namelen = t.v.name.n;
        return n;
    }
    case JX_TOK_LPAREN:
        if (enter(p) < 0)
            return NULL;
        p->open[p->nopen++] = t.offset;
        if (advance(p) < 0 || (n = parse_expr(p, h)) == NULL)
            return NULL;
        if (p->tok.kind != JX_TOK_RPAREN) {
            error_found(p, "expected ')'");
            return NULL;
        }
        n->offset = t.offset;
        n->length = p->tok.offset + 1 - t.offset;
        p->nopen--;
        p->depth--;
        return advance(p) < 0 ? NULL : n;
    case JX_TOK_STRING:
        n = parse_string(p, &t);
        return n == NULL || advance(p) < 0 ? NULL : n;
    case JX_TOK_RPAREN:
        if (p->nopen == 0) {
            jx_err_set(p->err, JX_ERR_SYNTAX, t.offset, 1, "unmatched ')'");
            return NULL;
        }
        /* fall through */
    default:
        error_found_at(p, "expected an operand", true);
        return NULL;
    }
}

/* Attribute names: each means the function of the same name (ops.h)
 * applied to the object, as NumPy's attributes do. */
static const char *const attributes[] = {"real", "imag"};

/* atom '.' NAME: the current token is the '.'.  Binds as a Python
 * attribute: tighter than '**' and the unary operators. */
static jx_node *parse_attribute(jx_parser *p, jx_node *obj, int *h)
{
    jx_token dot = p->tok;
    if (advance(p) < 0)
        return NULL;
    jx_token name = p->tok;
    if (name.kind != JX_TOK_NAME && name.kind != JX_TOK_TRUE &&
        name.kind != JX_TOK_FALSE) {
        error_found(p, "expected an attribute name after '.'");
        return NULL;
    }
    const char *s = p->src + name.offset;
    for (size_t i = 0; i < sizeof attributes / sizeof attributes[0]; i++) {
        if (strlen(attributes[i]) != (size_t)name.length ||
            memcmp(attributes[i], s, (size_t)name.length) != 0)
            continue;
        int op = jx_ops_find_function(s, (size_t)name.length);
        if (op < 0) {
            jx_err_set(p->err, JX_ERR_INTERNAL, name.offset, name.length,
                       "attribute '.%s' has no function", attributes[i]);
            return NULL;
        }
        jx_node *n = new_op(p, op, obj, NULL, obj->offset, *h, 0, h, &name);
        if (n != NULL)
            n->length = name.offset + name.length - obj->offset;
        return n == NULL || advance(p) < 0 ? NULL : n;
    }
    jx_err_set(p->err, JX_ERR_ATTRIBUTE, dot.offset,
               name.offset + name.length - dot.offset,
               "unknown attribute '.%.*s': only .real and .imag are supported "
               "(or real(x), imag(x))",
               name.length > 32 ? 32 : (int)name.length, s);
    return NULL;
}

/* atom, then attributes; a subscript or a call of anything but a name is
 * Python syntax the language lacks. */
static jx_node *parse_primary(jx_parser *p, int *h)
{
    jx_node *n = parse_atom(p, h);
    while (n != NULL) {
        switch (p->tok.kind) {
        case JX_TOK_DOT:
            n = parse_attribute(p, n, h);
            break;
        case JX_TOK_LBRACKET:
            unsupported(p, p->tok.offset, 1, "a subscript x[...]",
                        "arrays are indexed before they are passed");
            return NULL;
        case JX_TOK_LPAREN:
            unsupported(p, n->offset, p->tok.offset + 1 - n->offset,
                        "a call of something that is not a function name", NULL);
            return NULL;
        default:
            return n;
        }
    }
    return NULL;
}

/* primary ['**' unary] */
static jx_node *parse_power(jx_parser *p, int *h)
{
    int hb = 0, he = 0;
    jx_node *base = parse_primary(p, &hb);
    if (base == NULL || p->tok.kind != JX_TOK_DSTAR) {
        *h = hb;
        return base;
    }
    jx_token optok = p->tok;
    int op = token_op(p, JX_SYN_OPB);
    if (op < 0 || enter(p) < 0 || advance(p) < 0)
        return NULL;
    jx_node *expo = parse_unary(p, &he);
    if (expo == NULL)
        return NULL;
    p->depth--;
    return new_op(p, op, base, expo, base->offset, hb, he, h, &optok);
}

/* ('-' | '+' | '~') unary | power */
static jx_node *parse_unary(jx_parser *p, int *h)
{
    if (!is_unary(p->tok.kind))
        return parse_power(p, h);
    jx_token optok = p->tok;
    int op = token_op(p, JX_SYN_OPU);
    if (op < 0 || enter(p) < 0 || advance(p) < 0)
        return NULL;
    int ha = 0;
    jx_node *a = parse_unary(p, &ha);
    if (a == NULL)
        return NULL;
    p->depth--;
    return new_op(p, op, a, NULL, optok.offset, ha, 0, h, &optok);
}

/* The binary levels from min_level up, by precedence climbing: every
 * level is left-associative, and the right operand of an operator only
 * takes tighter operators.  Recursion is bounded by the number of levels,
 * not by the length of a chain. */
static jx_node *parse_binary(jx_parser *p, int min_level, int *h)
{
    int hl = 0, hr = 0;
    jx_node *left = parse_unary(p, &hl);
    while (left != NULL) {
        int level = binary_level(p->tok.kind);
        if (level == LEVEL_NONE || level < min_level)
            break;
        jx_token optok = p->tok;
        int op = token_op(p, JX_SYN_OPB);
        if (op < 0 || advance(p) < 0)
            return NULL;
        jx_node *right = parse_binary(p, level + 1, &hr);
        if (right == NULL)
            return NULL;
        left = new_op(p, op, left, right, left->offset, hl, hr, &hl, &optok);
    }
    *h = hl;
    return left;
}

/* Comparisons, chained as in Python: a < b < c is (a < b) & (b' < c),
 * b' a copy of b. */
static jx_node *parse_expr(jx_parser *p, int *h)
{
    int hl = 0, hm = 0, hr = 0, hc = 0;
    jx_node *left = parse_binary(p, LEVEL_OR, &hl);
    if (left == NULL || !is_comparison(p->tok.kind)) {
        *h = hl;
        return left;
    }
    jx_node *mid = NULL, *result = left;
    int hres = hl;
    while (is_comparison(p->tok.kind)) {
        jx_token optok = p->tok;
        int op = token_op(p, JX_SYN_OPB);
        if (op < 0 || advance(p) < 0)
            return NULL;
        jx_node *right = parse_binary(p, LEVEL_OR, &hr);
        if (right == NULL)
            return NULL;
        if (mid == NULL) {
            result = new_op(p, op, left, right, left->offset, hl, hr, &hres,
                            &optok);
        } else {
            jx_node *copy = copy_tree(p, mid);
            if (copy == NULL)
                return NULL;
            jx_node *cmp = new_op(p, op, copy, right, copy->offset, hm, hr,
                                  &hc, &optok);
            int and_op = find_op(JX_SYN_OPB, "&", 1);
            if (cmp == NULL)
                return NULL;
            if (and_op < 0) {
                jx_err_set(p->err, JX_ERR_INTERNAL, optok.offset,
                           optok.length,
                           "chained comparison needs the '&' operator");
                return NULL;
            }
            result = new_op(p, and_op, result, cmp, result->offset, hres, hc,
                            &hres, &optok);
        }
        if (result == NULL)
            return NULL;
        mid = right;
        hm = hr;
    }
    *h = hres;
    return result;
}

jx_node *jx_parse(jx_arena *a, const char *src, int32_t len, jx_error *err)
{
    jx_err_clear(err);
    if (len < 0 || (src == NULL && len > 0)) {
        jx_err_set(err, JX_ERR_ARG, -1, 0,
                   "jx_parse: no source text or a negative length");
        return NULL;
    }
    if (len > JX_MAX_SOURCE) {
        jx_err_set(err, JX_ERR_LIMIT, JX_MAX_SOURCE, len - JX_MAX_SOURCE,
                   "expression too long: %" PRId32
                   " bytes, the limit is %d",
                   len, JX_MAX_SOURCE);
        return NULL;
    }
    jx_parser p;
    p.arena = a;
    p.src = src;
    p.err = err;
    p.depth = 0;
    p.nopen = 0;
    p.nnodes = 0;
    jx_lex_init(&p.lx, src, len);
    p.lx.arena = a; /* names in NFKC form */
    if (advance(&p) < 0)
        return NULL;
    if (p.tok.kind == JX_TOK_EOF) {
        jx_err_set(err, JX_ERR_SYNTAX, 0, 0, "empty expression");
        return NULL;
    }
    int h = 0;
    jx_node *root = parse_expr(&p, &h);
    if (root == NULL)
        return NULL;
    if (p.tok.kind == JX_TOK_RPAREN) {
        jx_err_set(err, JX_ERR_SYNTAX, p.tok.offset, 1, "unmatched ')'");
        return NULL;
    }
    if (p.tok.kind != JX_TOK_EOF) {
        if (unsupported_infix(&p))
            return NULL;
        char buf[64];
        jx_err_set(err, JX_ERR_SYNTAX, p.tok.offset, p.tok.length,
                   "unexpected %s after the end of the expression",
                   describe(&p, &p.tok, buf, sizeof buf));
        return NULL;
    }
    return root;
}
