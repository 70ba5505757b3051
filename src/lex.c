/* lex.c - the lexer: bytes of an expression to tokens with their spans.
 *
 * Numbers follow Python's grammar: decimal integers without leading
 * zeros ("0", "00" and "0_0" are fine, "007" is not), 0x/0o/0b integers,
 * underscores between digits, floats (1.5 .5 1. 2e-3 1.e5) and imaginary
 * literals (2j .5e2J).  A number running into a name, a digit or a dot
 * ("12abc", "1.2.3", "0b12", "1_") is one syntax error covering the whole
 * run; a dot then a letter after a complete number is an attribute, as in
 * Python ("1.5.real", "1 .real"; "1.real" is "1." running into a name).  Integers must fit in 64 bits unsigned (JX_ERR_OVERFLOW); floats are
 * converted by strtod_l in the C locale, so they are correctly rounded and
 * the process locale's decimal point does not matter; 1e400 is inf and
 * 1e-400 is 0, as in Python.
 *
 * Strings ('x', "x", b'x', B"x") are recognised so that the parser can
 * report them; backslash escapes the next byte, a newline or the end of
 * the input before the closing quote is an unterminated string.
 *
 * Names are Python's (PEP 3131): a character of XID_Start or '_', then
 * characters of XID_Continue (utf8.c), in UTF-8.  A name whose NFKC form
 * differs from its spelling ("\xef\xac\x81" U+FB01, the ligature fi, is
 * the name "fi") is normalised into the lexer's arena, as Python
 * normalises identifiers.  Bytes that are not UTF-8 are a syntax error on
 * the first bad byte; a character that cannot be part of a name or of an
 * operator is one on the whole character. */
#define _GNU_SOURCE /* strtod_l, newlocale */
#include "lex.h"

#include <utf8proc.h>

#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static const char *const kind_names[JX_TOK_COUNT] = {
    [JX_TOK_EOF] = "end of input",
    [JX_TOK_INT] = "integer literal",
    [JX_TOK_FLOAT] = "float literal",
    [JX_TOK_IMAG] = "imaginary literal",
    [JX_TOK_NAME] = "name",
    [JX_TOK_STRING] = "string literal",
    [JX_TOK_TRUE] = "'True'",
    [JX_TOK_FALSE] = "'False'",
    [JX_TOK_PLUS] = "'+'",
    [JX_TOK_MINUS] = "'-'",
    [JX_TOK_STAR] = "'*'",
    [JX_TOK_SLASH] = "'/'",
    [JX_TOK_DSLASH] = "'//'",
    [JX_TOK_PERCENT] = "'%'",
    [JX_TOK_DSTAR] = "'**'",
    [JX_TOK_TILDE] = "'~'",
    [JX_TOK_AMP] = "'&'",
    [JX_TOK_PIPE] = "'|'",
    [JX_TOK_CARET] = "'^'",
    [JX_TOK_SHL] = "'<<'",
    [JX_TOK_SHR] = "'>>'",
    [JX_TOK_LT] = "'<'",
    [JX_TOK_LE] = "'<='",
    [JX_TOK_EQ] = "'=='",
    [JX_TOK_NE] = "'!='",
    [JX_TOK_GE] = "'>='",
    [JX_TOK_GT] = "'>'",
    [JX_TOK_LPAREN] = "'('",
    [JX_TOK_RPAREN] = "')'",
    [JX_TOK_COMMA] = "','",
    [JX_TOK_ASSIGN] = "'='",
    [JX_TOK_DOT] = "'.'",
    [JX_TOK_LBRACKET] = "'['",
    [JX_TOK_LBRACE] = "'{'",
    [JX_TOK_AT] = "'@'",
    [JX_TOK_WALRUS] = "':='",
};

/* Operator spellings, two-byte ones first so that "**" is not "*" "*". */
static const struct {
    const char *s;
    jx_tok_kind kind;
} punct[] = {
    {"**", JX_TOK_DSTAR}, {"//", JX_TOK_DSLASH}, {"<<", JX_TOK_SHL},
    {">>", JX_TOK_SHR},   {"<=", JX_TOK_LE},     {">=", JX_TOK_GE},
    {"==", JX_TOK_EQ},    {"!=", JX_TOK_NE},     {"+", JX_TOK_PLUS},
    {"-", JX_TOK_MINUS},  {"*", JX_TOK_STAR},    {"/", JX_TOK_SLASH},
    {"%", JX_TOK_PERCENT}, {"~", JX_TOK_TILDE},  {"&", JX_TOK_AMP},
    {"|", JX_TOK_PIPE},   {"^", JX_TOK_CARET},   {"<", JX_TOK_LT},
    {">", JX_TOK_GT},     {"(", JX_TOK_LPAREN},  {")", JX_TOK_RPAREN},
    {",", JX_TOK_COMMA},  {"=", JX_TOK_ASSIGN},   {":=", JX_TOK_WALRUS},
    {".", JX_TOK_DOT},    {"[", JX_TOK_LBRACKET}, {"{", JX_TOK_LBRACE},
    {"@", JX_TOK_AT},
};

const char *jx_lex_kind_name(jx_tok_kind k)
{
    if ((int)k < 0 || k >= JX_TOK_COUNT || kind_names[k] == NULL)
        return "unknown token";
    return kind_names[k];
}

void jx_lex_init(jx_lexer *lx, const char *src, int32_t len)
{
    lx->src = src;
    lx->len = src != NULL && len > 0 ? len : 0;
    lx->pos = 0;
    lx->arena = NULL;
}

/* ASCII-only classes: the process locale must not change the language. */
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_alnum(int c) { return is_alpha(c) || is_digit(c); }

/* The byte at i, or 0 past the end (0 is never a valid continuation). */
static int at(const jx_lexer *lx, int32_t i)
{
    return i < lx->len ? (unsigned char)lx->src[i] : 0;
}

static int digit_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The bytes of the name character at i (XID_Start or '_' when start,
 * XID_Continue otherwise), or 0 when there is none there. */
static int32_t name_char(const jx_lexer *lx, int32_t i, bool start)
{
    int c = at(lx, i);
    if (c < 0x80)
        return (start ? is_alpha(c) : is_alnum(c)) ? 1 : 0;
    int32_t cp;
    int n = jx_utf8_decode(lx->src + i, lx->len - i, &cp);
    if (n == 0)
        return 0;
    return (start ? jx_utf8_id_start(cp) : jx_utf8_id_continue(cp)) ? n : 0;
}

/* Whether a number that ends before i is followed by an attribute, as
 * in Python: "1.5.real", "1j.imag", "0x1f.real" (but "1.real" is one
 * malformed number, as in Python: "1." then a name). */
static bool attribute_at(const jx_lexer *lx, int32_t i)
{
    return at(lx, i) == '.' && name_char(lx, i + 1, true) > 0;
}

/* A name character, or a dot that does not start an attribute, at i: a
 * number running into it is malformed. */
static bool number_runs_on(const jx_lexer *lx, int32_t i)
{
    return (at(lx, i) == '.' && !attribute_at(lx, i)) || name_char(lx, i, false) > 0;
}

/* End of the run of name characters and dots from i: the text a
 * malformed number error covers. */
static int32_t run_end(const jx_lexer *lx, int32_t i)
{
    int32_t n;
    while (i < lx->len) {
        if (at(lx, i) == '.')
            i++;
        else if ((n = name_char(lx, i, false)) > 0)
            i += n;
        else
            break;
    }
    return i;
}

/* digitpart: digit (["_"] digit)*, from i, which is a digit.  Returns the
 * position after it. */
static int32_t scan_digits(const jx_lexer *lx, int32_t i)
{
    i++;
    for (;;) {
        if (is_digit(at(lx, i)))
            i++;
        else if (at(lx, i) == '_' && is_digit(at(lx, i + 1)))
            i += 2;
        else
            return i;
    }
}

static int bad_number(const jx_lexer *lx, int32_t start, int32_t i,
                      const char *what, jx_error *err)
{
    int32_t end = run_end(lx, i);
    jx_err_set(err, JX_ERR_SYNTAX, start, end - start, "invalid %s literal",
               what);
    return -1;
}

static int too_large(int32_t start, int32_t i, jx_error *err)
{
    jx_err_set(err, JX_ERR_OVERFLOW, start, i - start,
               "integer literal too large: the limit is 2**64-1 "
               "(18446744073709551615)");
    return -1;
}

/* 0x.., 0o.., 0b..: start is at the '0'. */
static int lex_prefixed(jx_lexer *lx, jx_token *t, jx_error *err)
{
    int32_t start = lx->pos, i = start + 2;
    int p = at(lx, start + 1) | 0x20;
    int base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
    const char *what = p == 'x' ? "hexadecimal" : p == 'o' ? "octal" : "binary";
    uint64_t v = 0;
    bool over = false;
    int ndigits = 0;
    for (;;) {
        int32_t j = i;
        if (at(lx, j) == '_')
            j++;
        int d = digit_value(at(lx, j));
        if (d < 0 || d >= base)
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            over = true;
        v = v * (uint64_t)base + (uint64_t)d;
        ndigits++;
        i = j + 1;
    }
    int c = at(lx, i);
    if (ndigits == 0 || number_runs_on(lx, i)) {
        int32_t end = run_end(lx, i);
        if (base < 10 && ndigits > 0 && is_digit(c)) {
            jx_err_set(err, JX_ERR_SYNTAX, start, end - start,
                       "invalid digit '%c' in %s literal", c, what);
            return -1;
        }
        return bad_number(lx, start, i, what, err);
    }
    if (over)
        return too_large(start, i, err);
    t->kind = JX_TOK_INT;
    t->length = i - start;
    t->v.u = v;
    lx->pos = i;
    return 0;
}

/* Converts the decimal float text [start, end) (underscores dropped) with
 * strtod_l in the C locale. */
static int convert_float(const jx_lexer *lx, int32_t start, int32_t end,
                         double *out, jx_error *err)
{
    char small[128];
    size_t n = (size_t)(end - start);
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (buf == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, start, end - start, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (int32_t i = start; i < end; i++)
        if (lx->src[i] != '_')
            buf[k++] = lx->src[i];
    buf[k] = '\0';
    /* glibc returns its static C locale object here: no allocation. */
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    int rc = 0;
    if (c == (locale_t)0) {
        jx_err_set(err, JX_ERR_NOMEM, start, end - start,
                   "cannot create the C locale to read a number");
        rc = -1;
    } else {
        char *stop;
        *out = strtod_l(buf, &stop, c);
        freelocale(c);
        if (*stop != '\0') {
            jx_err_set(err, JX_ERR_INTERNAL, start, end - start,
                       "strtod did not read the whole float literal");
            rc = -1;
        }
    }
    if (buf != small)
        free(buf);
    return rc;
}

/* A decimal number: integer, float or imaginary.  start is at a digit, or
 * at a '.' followed by a digit. */
static int lex_decimal(jx_lexer *lx, jx_token *t, jx_error *err)
{
    int32_t start = lx->pos, i = start;
    bool is_float = false;
    if (is_digit(at(lx, i)))
        i = scan_digits(lx, i);
    int32_t int_end = i;
    if (at(lx, i) == '.') {
        is_float = true;
        i++;
        if (is_digit(at(lx, i)))
            i = scan_digits(lx, i);
    }
    if ((at(lx, i) | 0x20) == 'e') {
        int32_t j = i + 1;
        if (at(lx, j) == '+' || at(lx, j) == '-')
            j++;
        if (!is_digit(at(lx, j))) {
            /* "1e", "1e+", "1ex": cover the sign too when there is one */
            int32_t end = run_end(lx, j);
            jx_err_set(err, JX_ERR_SYNTAX, start, end - start,
                       "invalid decimal literal");
            return -1;
        }
        i = scan_digits(lx, j);
        is_float = true;
    }
    int32_t num_end = i;
    bool imag = false;
    if ((at(lx, i) | 0x20) == 'j') {
        imag = true;
        i++;
    }
    if (number_runs_on(lx, i))
        return bad_number(lx, start, i, "decimal", err);
    if (!is_float && !imag) {
        /* Python: no leading zeros, except for zero itself */
        if (at(lx, start) == '0') {
            for (int32_t k = start; k < int_end; k++) {
                int c = at(lx, k);
                if (c != '0' && c != '_') {
                    jx_err_set(err, JX_ERR_SYNTAX, start, i - start,
                               "leading zeros in decimal integer literals are "
                               "not permitted; use an 0o prefix for octal "
                               "integers");
                    return -1;
                }
            }
        }
        uint64_t v = 0;
        for (int32_t k = start; k < int_end; k++) {
            int c = at(lx, k);
            if (c == '_')
                continue;
            uint64_t d = (uint64_t)(c - '0');
            if (v > (UINT64_MAX - d) / 10)
                return too_large(start, i, err);
            v = v * 10 + d;
        }
        t->kind = JX_TOK_INT;
        t->v.u = v;
    } else {
        double f;
        if (convert_float(lx, start, num_end, &f, err) < 0)
            return -1;
        t->kind = imag ? JX_TOK_IMAG : JX_TOK_FLOAT;
        t->v.f = f;
    }
    t->length = i - start;
    lx->pos = i;
    return 0;
}

/* 'x', "x", b'x': start is at the prefix or the quote. */
static int lex_string(jx_lexer *lx, jx_token *t, jx_error *err)
{
    int32_t start = lx->pos, i = start;
    if (at(lx, i) != '\'' && at(lx, i) != '"')
        i++; /* the b/B prefix */
    int q = at(lx, i++);
    while (i < lx->len) {
        int c = at(lx, i);
        if (c == q) {
            t->kind = JX_TOK_STRING;
            t->length = i + 1 - start;
            lx->pos = i + 1;
            return 0;
        }
        if (c == '\n' || c == '\r')
            break;
        if (c == '\\' && i + 1 < lx->len && at(lx, i + 1) != '\n' &&
            at(lx, i + 1) != '\r')
            i++;
        i++;
    }
    jx_err_set(err, JX_ERR_SYNTAX, start, i - start,
               "unterminated string literal");
    return -1;
}

/* A name: start is at its first character (name_char said so). */
static int lex_name(jx_lexer *lx, jx_token *t, jx_error *err)
{
    int32_t start = lx->pos, i = start + name_char(lx, start, true), n;
    while ((n = name_char(lx, i, false)) > 0)
        i += n;
    const char *sp = lx->src + start;
    t->length = i - start;
    t->kind = JX_TOK_NAME;
    if (t->length == 4 && memcmp(sp, "True", 4) == 0)
        t->kind = JX_TOK_TRUE;
    else if (t->length == 5 && memcmp(sp, "False", 5) == 0)
        t->kind = JX_TOK_FALSE;
    t->v.name.s = sp;
    t->v.name.n = t->length;
    if (t->kind == JX_TOK_NAME && lx->arena != NULL) {
        const char *norm;
        size_t len;
        if (jx_utf8_nfkc(lx->arena, sp, (size_t)t->length, &norm, &len,
                         err) < 0) {
            if (err != NULL) {
                err->offset = start;
                err->length = t->length;
            }
            return -1;
        }
        t->v.name.s = norm;
        t->v.name.n = (int32_t)len;
    }
    lx->pos = i;
    return 0;
}

/* The error for a non-ASCII byte at s that starts no token: bytes that
 * are not UTF-8 (the bad byte), or a character that is no part of a name
 * or an operator (the character, shown as Python shows it: printable
 * ones as themselves, the others, spaces and format characters included,
 * by their number only). */
static int bad_character(const jx_lexer *lx, int32_t s, jx_error *err)
{
    int32_t cp;
    int n = jx_utf8_decode(lx->src + s, lx->len - s, &cp);
    if (n == 0) {
        jx_err_set(err, JX_ERR_SYNTAX, s, 1,
                   "invalid UTF-8: unexpected byte '\\x%02x'",
                   (unsigned)at(lx, s));
        return -1;
    }
    utf8proc_category_t cat = utf8proc_category(cp);
    bool unprintable = cat == UTF8PROC_CATEGORY_CN ||
                       cat >= UTF8PROC_CATEGORY_ZS; /* Z*, C* */
    if (unprintable)
        jx_err_set(err, JX_ERR_SYNTAX, s, n,
                   "unexpected character U+%04X", (unsigned)cp);
    else
        jx_err_set(err, JX_ERR_SYNTAX, s, n,
                   "unexpected character '%.*s' (U+%04X)", n, lx->src + s,
                   (unsigned)cp);
    return -1;
}

int jx_lex_next(jx_lexer *lx, jx_token *t, jx_error *err)
{
    while (lx->pos < lx->len) {
        int c = at(lx, lx->pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        lx->pos++;
    }
    int32_t s = lx->pos;
    t->offset = s;
    t->length = 1;
    t->v.u = 0;
    if (s >= lx->len) {
        t->kind = JX_TOK_EOF;
        t->length = 0;
        return 0;
    }
    int c = at(lx, s), c1 = at(lx, s + 1);
    if (is_digit(c) || (c == '.' && is_digit(c1))) {
        if (c == '0' && ((c1 | 0x20) == 'x' || (c1 | 0x20) == 'o' ||
                         (c1 | 0x20) == 'b'))
            return lex_prefixed(lx, t, err);
        return lex_decimal(lx, t, err);
    }
    if (c == '\'' || c == '"' ||
        ((c | 0x20) == 'b' && (c1 == '\'' || c1 == '"')))
        return lex_string(lx, t, err);
    if (name_char(lx, s, true) > 0)
        return lex_name(lx, t, err);
    /* operators: the longest spelling wins */
    for (size_t i = 0; i < sizeof punct / sizeof punct[0]; i++) {
        size_t n = strlen(punct[i].s);
        if ((int32_t)n <= lx->len - s &&
            memcmp(lx->src + s, punct[i].s, n) == 0) {
            t->kind = punct[i].kind;
            t->length = (int32_t)n;
            lx->pos = s + (int32_t)n;
            return 0;
        }
    }
    if (c >= 0x21 && c < 0x7f)
        jx_err_set(err, JX_ERR_SYNTAX, s, 1, "unexpected character '%c'", c);
    else if (c < 0x80) /* control bytes, NUL */
        jx_err_set(err, JX_ERR_SYNTAX, s, 1, "unexpected character '\\x%02x'",
                   (unsigned)c);
    else
        return bad_character(lx, s, err);
    return -1;
}
