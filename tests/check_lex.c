/* check_lex.c - the lexer: token kinds and spans, number formats and
 * values, every error with its span, the operator table's spellings.
 *
 * Every source is copied into a malloc'd buffer of exactly its length (no
 * NUL after it), so that valgrind sees any read past the end. */
#define _GNU_SOURCE
#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "ops.h"

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* src[0..len-1] in a buffer of its own, not NUL-terminated. */
static char *exact_copy(const char *src, size_t len)
{
    char *s = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, src, len);
    return s;
}

/* ---- token kinds and spans ------------------------------------------ */

typedef struct tokspec {
    jx_tok_kind kind;
    int32_t offset, length;
} tokspec;

#define T(k, o, l) {JX_TOK_##k, o, l}

/* Each row lists the tokens up to and including EOF. */
static const struct {
    const char *src;
    tokspec toks[12];
} token_rows[] = {
    {"", {T(EOF, 0, 0)}},
    {" \t\r\n", {T(EOF, 4, 0)}},
    {"a", {T(NAME, 0, 1), T(EOF, 1, 0)}},
    {"  abc_12 ", {T(NAME, 2, 6), T(EOF, 9, 0)}},
    {"_x Ab9", {T(NAME, 0, 2), T(NAME, 3, 3), T(EOF, 6, 0)}},
    {"True False", {T(TRUE, 0, 4), T(FALSE, 5, 5), T(EOF, 10, 0)}},
    {"Truex true False_", {T(NAME, 0, 5), T(NAME, 6, 4), T(NAME, 11, 6),
                           T(EOF, 17, 0)}},
    {"1", {T(INT, 0, 1), T(EOF, 1, 0)}},
    {"1.5", {T(FLOAT, 0, 3), T(EOF, 3, 0)}},
    {"2j", {T(IMAG, 0, 2), T(EOF, 2, 0)}},
    {"'x'", {T(STRING, 0, 3), T(EOF, 3, 0)}},
    {"\"xy\"", {T(STRING, 0, 4), T(EOF, 4, 0)}},
    {"b'x' B\"\"", {T(STRING, 0, 4), T(STRING, 5, 3), T(EOF, 8, 0)}},
    {"'a\\'b'", {T(STRING, 0, 6), T(EOF, 6, 0)}},
    {"b b''", {T(NAME, 0, 1), T(STRING, 2, 3), T(EOF, 5, 0)}},
    {"+ - * / // % ** ~",
     {T(PLUS, 0, 1), T(MINUS, 2, 1), T(STAR, 4, 1), T(SLASH, 6, 1),
      T(DSLASH, 8, 2), T(PERCENT, 11, 1), T(DSTAR, 13, 2), T(TILDE, 16, 1),
      T(EOF, 17, 0)}},
    {"& | ^ << >>",
     {T(AMP, 0, 1), T(PIPE, 2, 1), T(CARET, 4, 1), T(SHL, 6, 2),
      T(SHR, 9, 2), T(EOF, 11, 0)}},
    {"< <= == != >= >",
     {T(LT, 0, 1), T(LE, 2, 2), T(EQ, 5, 2), T(NE, 8, 2), T(GE, 11, 2),
      T(GT, 14, 1), T(EOF, 15, 0)}},
    {"(,)=", {T(LPAREN, 0, 1), T(COMMA, 1, 1), T(RPAREN, 2, 1),
              T(ASSIGN, 3, 1), T(EOF, 4, 0)}},
    /* longest match */
    {"***", {T(DSTAR, 0, 2), T(STAR, 2, 1), T(EOF, 3, 0)}},
    {"///", {T(DSLASH, 0, 2), T(SLASH, 2, 1), T(EOF, 3, 0)}},
    {"<<=", {T(SHL, 0, 2), T(ASSIGN, 2, 1), T(EOF, 3, 0)}},
    {"<<<", {T(SHL, 0, 2), T(LT, 2, 1), T(EOF, 3, 0)}},
    {"===", {T(EQ, 0, 2), T(ASSIGN, 2, 1), T(EOF, 3, 0)}},
    {"=<", {T(ASSIGN, 0, 1), T(LT, 1, 1), T(EOF, 2, 0)}},
    {"><", {T(GT, 0, 1), T(LT, 1, 1), T(EOF, 2, 0)}},
    {"* *", {T(STAR, 0, 1), T(STAR, 2, 1), T(EOF, 3, 0)}},
    /* a realistic one */
    {"2*a + sin(b) > c",
     {T(INT, 0, 1), T(STAR, 1, 1), T(NAME, 2, 1), T(PLUS, 4, 1),
      T(NAME, 6, 3), T(LPAREN, 9, 1), T(NAME, 10, 1), T(RPAREN, 11, 1),
      T(GT, 13, 1), T(NAME, 15, 1), T(EOF, 16, 0)}},
    {"where(a,1.5e3j,-x)",
     {T(NAME, 0, 5), T(LPAREN, 5, 1), T(NAME, 6, 1), T(COMMA, 7, 1),
      T(IMAG, 8, 6), T(COMMA, 14, 1), T(MINUS, 15, 1), T(NAME, 16, 1),
      T(RPAREN, 17, 1), T(EOF, 18, 0)}},
    /* numbers end at operators */
    {"1+2", {T(INT, 0, 1), T(PLUS, 1, 1), T(INT, 2, 1), T(EOF, 3, 0)}},
    {"1e5-2", {T(FLOAT, 0, 3), T(MINUS, 3, 1), T(INT, 4, 1), T(EOF, 5, 0)}},
    {"1.(", {T(FLOAT, 0, 2), T(LPAREN, 2, 1), T(EOF, 3, 0)}},
    {"0x1f*2", {T(INT, 0, 4), T(STAR, 4, 1), T(INT, 5, 1), T(EOF, 6, 0)}},
    /* Unicode names (PEP 3131): spans in bytes */
    {"\u03c0*2", {T(NAME, 0, 2), T(STAR, 2, 1), T(INT, 3, 1), T(EOF, 4, 0)}},
    {"\u03bb_1 \u00b5",
     {T(NAME, 0, 4), T(NAME, 5, 2), T(EOF, 7, 0)}},          /* λ_1 µ */
    {"caf\u00e9", {T(NAME, 0, 5), T(EOF, 5, 0)}},           /* café */
    {"e\u0301+x", {T(NAME, 0, 3), T(PLUS, 3, 1), T(NAME, 4, 1),
                    T(EOF, 5, 0)}},                           /* combining */
    {"\ufb01", {T(NAME, 0, 3), T(EOF, 3, 0)}},               /* ligature fi */
    {"\u216b+1", {T(NAME, 0, 3), T(PLUS, 3, 1), T(INT, 4, 1),
                   T(EOF, 5, 0)}},                            /* Nl: Ⅻ */
    {"x\u0663 _", {T(NAME, 0, 3), T(NAME, 4, 1), T(EOF, 5, 0)}}, /* Nd */
    {"\u03c0\u00b7x", {T(NAME, 0, 5), T(EOF, 5, 0)}}, /* Other_ID_Continue */
    {"\u2118", {T(NAME, 0, 3), T(EOF, 3, 0)}},          /* Other_ID_Start */
    {"\U0001d465(\u03b1)", {T(NAME, 0, 4), T(LPAREN, 4, 1), T(NAME, 5, 2),
                              T(RPAREN, 7, 1), T(EOF, 8, 0)}}, /* 4 bytes */
    {"\uff34rue True", {T(NAME, 0, 6), T(TRUE, 7, 4), T(EOF, 11, 0)}},
    {"\u4e2d\u6587", {T(NAME, 0, 6), T(EOF, 6, 0)}},
    /* attributes: '.' not before a digit; after a number as in Python */
    {"z.real", {T(NAME, 0, 1), T(DOT, 1, 1), T(NAME, 2, 4), T(EOF, 6, 0)}},
    {"1.5.real", {T(FLOAT, 0, 3), T(DOT, 3, 1), T(NAME, 4, 4), T(EOF, 8, 0)}},
    {"1..imag", {T(FLOAT, 0, 2), T(DOT, 2, 1), T(NAME, 3, 4), T(EOF, 7, 0)}},
    {"1 .real", {T(INT, 0, 1), T(DOT, 2, 1), T(NAME, 3, 4), T(EOF, 7, 0)}},
    {"2j.imag", {T(IMAG, 0, 2), T(DOT, 2, 1), T(NAME, 3, 4), T(EOF, 7, 0)}},
    {"0x1f.real", {T(INT, 0, 4), T(DOT, 4, 1), T(NAME, 5, 4), T(EOF, 9, 0)}},
    {"a. 5", {T(NAME, 0, 1), T(DOT, 1, 1), T(INT, 3, 1), T(EOF, 4, 0)}},
    /* Python's, for the parser to report */
    {"[{@:=", {T(LBRACKET, 0, 1), T(LBRACE, 1, 1), T(AT, 2, 1), T(WALRUS, 3, 2),
               T(EOF, 5, 0)}},
};

START_TEST(test_tokens)
{
    const char *src = token_rows[_i].src;
    size_t len = strlen(src);
    char *s = exact_copy(src, len);
    jx_lexer lx;
    jx_lex_init(&lx, s, (int32_t)len);
    for (int k = 0;; k++) {
        const tokspec *want = &token_rows[_i].toks[k];
        jx_token t;
        jx_error err;
        ck_assert_msg(jx_lex_next(&lx, &t, &err) == 0, "%s: token %d: %s",
                      src, k, err.message);
        ck_assert_msg(t.kind == want->kind, "%s: token %d is %s, want %s",
                      src, k, jx_lex_kind_name(t.kind),
                      jx_lex_kind_name(want->kind));
        ck_assert_msg(t.offset == want->offset && t.length == want->length,
                      "%s: token %d at %d+%d, want %d+%d", src, k,
                      (int)t.offset, (int)t.length, (int)want->offset,
                      (int)want->length);
        if (t.kind == JX_TOK_EOF)
            break;
    }
    /* EOF again and again */
    jx_token t;
    ck_assert_int_eq(jx_lex_next(&lx, &t, NULL), 0);
    ck_assert_int_eq(t.kind, JX_TOK_EOF);
    free(s);
}
END_TEST

/* Every token kind appears in the table above and has a name. */
START_TEST(test_every_kind_covered)
{
    for (int k = 0; k < JX_TOK_COUNT; k++) {
        int seen = 0;
        for (int r = 0; r < N_ELEMS(token_rows); r++)
            for (int j = 0; j < 12; j++) {
                seen |= token_rows[r].toks[j].kind == (jx_tok_kind)k;
                if (token_rows[r].toks[j].kind == JX_TOK_EOF)
                    break;
            }
        ck_assert_msg(seen, "token kind %s is not tested",
                      jx_lex_kind_name((jx_tok_kind)k));
        ck_assert_str_ne(jx_lex_kind_name((jx_tok_kind)k), "unknown token");
    }
    ck_assert_str_eq(jx_lex_kind_name(JX_TOK_EOF), "end of input");
    ck_assert_str_eq(jx_lex_kind_name(JX_TOK_DSTAR), "'**'");
    ck_assert_str_eq(jx_lex_kind_name(JX_TOK_COUNT), "unknown token");
    ck_assert_str_eq(jx_lex_kind_name((jx_tok_kind)-1), "unknown token");
}
END_TEST

/* Every operator spelling of the table lexes as one token whose name is
 * that spelling, so that the parser finds each operator from its token. */
START_TEST(test_op_table_spellings)
{
    for (int i = 0; i < JX_OP_COUNT; i++) {
        const char *sp = jx_ops[i].spell;
        size_t n = strlen(sp);
        char *s = exact_copy(sp, n);
        jx_lexer lx;
        jx_token t, e;
        jx_lex_init(&lx, s, (int32_t)n);
        ck_assert_int_eq(jx_lex_next(&lx, &t, NULL), 0);
        ck_assert_int_eq(jx_lex_next(&lx, &e, NULL), 0);
        ck_assert_msg(e.kind == JX_TOK_EOF, "%s is more than one token", sp);
        ck_assert_int_eq(t.length, (int)n);
        if (jx_ops[i].syn == JX_SYN_FN) {
            ck_assert_msg(t.kind == JX_TOK_NAME, "function %s is not a name",
                          sp);
        } else {
            char want[16];
            snprintf(want, sizeof want, "'%s'", sp);
            ck_assert_str_eq(jx_lex_kind_name(t.kind), want);
        }
        free(s);
    }
}
END_TEST

/* ---- numbers ---------------------------------------------------------- */

static const struct {
    const char *src;
    jx_tok_kind kind;
    uint64_t u;     /* JX_TOK_INT */
    double f;       /* JX_TOK_FLOAT, JX_TOK_IMAG */
} number_rows[] = {
    {"0", JX_TOK_INT, 0, 0},
    {"00", JX_TOK_INT, 0, 0},
    {"0_0", JX_TOK_INT, 0, 0},
    {"7", JX_TOK_INT, 7, 0},
    {"123", JX_TOK_INT, 123, 0},
    {"1_000_000", JX_TOK_INT, 1000000, 0},
    {"18446744073709551615", JX_TOK_INT, UINT64_MAX, 0},
    {"9223372036854775808", JX_TOK_INT, 9223372036854775808ull, 0},
    {"0x1f", JX_TOK_INT, 31, 0},
    {"0X1F", JX_TOK_INT, 31, 0},
    {"0x_ff_ff", JX_TOK_INT, 0xffff, 0},
    {"0xFFFFFFFFFFFFFFFF", JX_TOK_INT, UINT64_MAX, 0},
    {"0x00000000000000000001", JX_TOK_INT, 1, 0},
    {"0o17", JX_TOK_INT, 15, 0},
    {"0O777", JX_TOK_INT, 511, 0},
    {"0o1777777777777777777777", JX_TOK_INT, UINT64_MAX, 0},
    {"0b101", JX_TOK_INT, 5, 0},
    {"0B1_0", JX_TOK_INT, 2, 0},
    {"0b_1", JX_TOK_INT, 1, 0},
    {"1.5", JX_TOK_FLOAT, 0, 1.5},
    {".5", JX_TOK_FLOAT, 0, 0.5},
    {"1.", JX_TOK_FLOAT, 0, 1.0},
    {"0.1", JX_TOK_FLOAT, 0, 0.1},
    {"2e-3", JX_TOK_FLOAT, 0, 2e-3},
    {"1E+5", JX_TOK_FLOAT, 0, 1e5},
    {"1e5", JX_TOK_FLOAT, 0, 1e5},
    {"1.e5", JX_TOK_FLOAT, 0, 1e5},
    {".5e-1", JX_TOK_FLOAT, 0, 0.05},
    {"1_000.5", JX_TOK_FLOAT, 0, 1000.5},
    {"1_0.2_5e1_0", JX_TOK_FLOAT, 0, 10.25e10},
    {"007.5", JX_TOK_FLOAT, 0, 7.5},
    {"0_1.5", JX_TOK_FLOAT, 0, 1.5},
    {"00e0", JX_TOK_FLOAT, 0, 0.0},
    {"0e5", JX_TOK_FLOAT, 0, 0.0},
    {"18446744073709551616.0", JX_TOK_FLOAT, 0, 18446744073709551616.0},
    {"3.141592653589793238462643383279502884", JX_TOK_FLOAT, 0,
     3.141592653589793},
    /* correctly rounded: the classic hard cases */
    {"2.2250738585072011e-308", JX_TOK_FLOAT, 0, 2.2250738585072011e-308},
    {"9007199254740993", JX_TOK_INT, 9007199254740993ull, 0},
    {"9007199254740993.0", JX_TOK_FLOAT, 0, 9007199254740992.0},
    {"9007199254740995.0", JX_TOK_FLOAT, 0, 9007199254740996.0},
    {"0.30000000000000004", JX_TOK_FLOAT, 0, 0.30000000000000004},
    {"4.9406564584124654e-324", JX_TOK_FLOAT, 0, 4.9406564584124654e-324},
    {"1.7976931348623157e308", JX_TOK_FLOAT, 0, 1.7976931348623157e308},
    {"1e400", JX_TOK_FLOAT, 0, INFINITY},
    {"1e-400", JX_TOK_FLOAT, 0, 0.0},
    {"2j", JX_TOK_IMAG, 0, 2.0},
    {"1.5J", JX_TOK_IMAG, 0, 1.5},
    {".5e2j", JX_TOK_IMAG, 0, 50.0},
    {"1.j", JX_TOK_IMAG, 0, 1.0},
    {"007j", JX_TOK_IMAG, 0, 7.0},
    {"1_0j", JX_TOK_IMAG, 0, 10.0},
    {"0j", JX_TOK_IMAG, 0, 0.0},
    {"99999999999999999999j", JX_TOK_IMAG, 0, 1e20},
};

static void check_number(const char *src, jx_tok_kind kind, uint64_t u,
                         double f)
{
    size_t len = strlen(src);
    char *s = exact_copy(src, len);
    jx_lexer lx;
    jx_token t, e;
    jx_error err;
    jx_lex_init(&lx, s, (int32_t)len);
    ck_assert_msg(jx_lex_next(&lx, &t, &err) == 0, "%s: %s", src,
                  err.message);
    ck_assert_msg(t.kind == kind, "%s: %s, want %s", src,
                  jx_lex_kind_name(t.kind), jx_lex_kind_name(kind));
    ck_assert_int_eq(t.offset, 0);
    ck_assert_int_eq(t.length, (int)len);
    if (kind == JX_TOK_INT)
        ck_assert_msg(t.v.u == u, "%s: %llu, want %llu", src,
                      (unsigned long long)t.v.u, (unsigned long long)u);
    else
        ck_assert_msg(t.v.f == f && signbit(t.v.f) == signbit(f),
                      "%s: %.17g, want %.17g", src, t.v.f, f);
    ck_assert_int_eq(jx_lex_next(&lx, &e, &err), 0);
    ck_assert_int_eq(e.kind, JX_TOK_EOF);
    free(s);
}

START_TEST(test_numbers)
{
    check_number(number_rows[_i].src, number_rows[_i].kind,
                 number_rows[_i].u, number_rows[_i].f);
}
END_TEST

/* A float literal longer than any stack buffer. */
START_TEST(test_long_float)
{
    size_t n = 5000;
    char *src = malloc(n + 1);
    src[0] = '0';
    src[1] = '.';
    memset(src + 2, '0', n - 3);
    src[n - 1] = '1';
    src[n] = '\0';
    check_number(src, JX_TOK_FLOAT, 0, 0.0); /* 1e-4998 underflows */
    memset(src, '1', n);
    src[n - 2] = '.';
    src[n - 1] = '5';
    check_number(src, JX_TOK_FLOAT, 0, INFINITY);
    free(src);
}
END_TEST

/* The source need not be NUL-terminated: len is the end. */
START_TEST(test_length_is_the_end)
{
    static const struct {
        const char *buf;
        int32_t len;
        jx_tok_kind kind;
        double f;
        uint64_t u;
    } rows[] = {
        {"12345", 3, JX_TOK_INT, 0, 123},
        {"1.5", 2, JX_TOK_FLOAT, 1.0, 0},
        {"1.25e3", 4, JX_TOK_FLOAT, 1.25, 0},
        {"2jx", 2, JX_TOK_IMAG, 2.0, 0},
        {"0x1fg", 4, JX_TOK_INT, 0, 31},
        {"abc", 2, JX_TOK_NAME, 0, 0},
        {"Truex", 4, JX_TOK_TRUE, 0, 0},
        {"**", 1, JX_TOK_STAR, 0, 0},
        {"a@", 1, JX_TOK_NAME, 0, 0},
    };
    for (int i = 0; i < N_ELEMS(rows); i++) {
        char *s = exact_copy(rows[i].buf, (size_t)rows[i].len);
        jx_lexer lx;
        jx_token t, e;
        jx_error err;
        jx_lex_init(&lx, s, rows[i].len);
        ck_assert_msg(jx_lex_next(&lx, &t, &err) == 0, "%s: %s", rows[i].buf,
                      err.message);
        ck_assert_int_eq(t.kind, rows[i].kind);
        ck_assert_int_eq(t.length, rows[i].len);
        if (t.kind == JX_TOK_INT)
            ck_assert_uint_eq(t.v.u, rows[i].u);
        if (t.kind == JX_TOK_FLOAT || t.kind == JX_TOK_IMAG)
            ck_assert_double_eq(t.v.f, rows[i].f);
        ck_assert_int_eq(jx_lex_next(&lx, &e, &err), 0);
        ck_assert_int_eq(e.kind, JX_TOK_EOF);
        free(s);
    }
    /* "1e" cut from "1e5" is malformed */
    char *s = exact_copy("1e5", 2);
    jx_lexer lx;
    jx_token t;
    jx_error err;
    jx_lex_init(&lx, s, 2);
    ck_assert_int_eq(jx_lex_next(&lx, &t, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_SYNTAX);
    free(s);
    /* NULL source, zero length */
    jx_lex_init(&lx, NULL, 0);
    ck_assert_int_eq(jx_lex_next(&lx, &t, &err), 0);
    ck_assert_int_eq(t.kind, JX_TOK_EOF);
}
END_TEST

/* A ',' decimal point in the process locale changes nothing. */
START_TEST(test_locale)
{
    static const char *const locales[] = {
        "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
        "de_DE", "fr_FR", "ru_RU.UTF-8", "pt_BR.UTF-8",
    };
    const char *got = NULL;
    for (int i = 0; i < N_ELEMS(locales) && got == NULL; i++)
        if (setlocale(LC_ALL, locales[i]) != NULL) {
            if (strcmp(localeconv()->decimal_point, ",") == 0)
                got = locales[i];
            else
                setlocale(LC_ALL, "C");
        }
    if (got == NULL) {
        fprintf(stderr, "check_lex: no locale with a ',' decimal point is "
                        "installed; test_locale checked nothing\n");
        return;
    }
    ck_assert_double_eq(strtod("1.5", NULL), 1.0); /* the trap is set */
    check_number("1.5", JX_TOK_FLOAT, 0, 1.5);
    check_number("0.1", JX_TOK_FLOAT, 0, 0.1);
    check_number("2.5e-3j", JX_TOK_IMAG, 0, 2.5e-3);
    /* and "1,5" is still two numbers and a comma */
    jx_lexer lx;
    jx_token t;
    jx_lex_init(&lx, "1,5", 3);
    ck_assert_int_eq(jx_lex_next(&lx, &t, NULL), 0);
    ck_assert_int_eq(t.kind, JX_TOK_INT);
    ck_assert_int_eq(t.length, 1);
    setlocale(LC_ALL, "C");
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

/* The first error in the source, with its span and message. */
static const struct {
    const char *src;
    size_t len; /* 0: strlen(src) */
    jx_code code;
    int32_t offset, length;
    const char *message;
} error_rows[] = {
    {"a : b", 0, JX_ERR_SYNTAX, 2, 1, "unexpected character ':'"},
    {"a $ b", 0, JX_ERR_SYNTAX, 2, 1, "unexpected character '$'"},
    {"a ! b", 0, JX_ERR_SYNTAX, 2, 1, "unexpected character '!'"},
    {"!", 0, JX_ERR_SYNTAX, 0, 1, "unexpected character '!'"},
    {"a]", 0, JX_ERR_SYNTAX, 1, 1, "unexpected character ']'"},
    {"}", 0, JX_ERR_SYNTAX, 0, 1, "unexpected character '}'"},
    /* a dot then a letter after a number is an attribute (below), but
     * "1." running into a name is one bad number, as in Python */
    {"1.real", 0, JX_ERR_SYNTAX, 0, 6, "invalid decimal literal"},
    {"0x1f.2", 0, JX_ERR_SYNTAX, 0, 6, "invalid hexadecimal literal"},
    {"a;", 0, JX_ERR_SYNTAX, 1, 1, "unexpected character ';'"},
    {"\\", 0, JX_ERR_SYNTAX, 0, 1, "unexpected character '\\'"},
    {"a\x00" "b", 3, JX_ERR_SYNTAX, 1, 1, "unexpected character '\\x00'"},
    {"\x01", 0, JX_ERR_SYNTAX, 0, 1, "unexpected character '\\x01'"},
    {"a\fb", 0, JX_ERR_SYNTAX, 1, 1, "unexpected character '\\x0c'"},
    {"\x7f", 0, JX_ERR_SYNTAX, 0, 1, "unexpected character '\\x7f'"},
    /* not UTF-8: the first bad byte */
    {"\xff", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8: unexpected byte '\\xff'"},
    {"caf\xc3", 0, JX_ERR_SYNTAX, 3, 1, "invalid UTF-8: unexpected byte '\\xc3'"},
    {"\x80", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"},         /* continuation */
    {"a+\xbf", 0, JX_ERR_SYNTAX, 2, 1, "invalid UTF-8"},
    {"\xcf+1", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"},       /* truncated */
    {"\xe2\x82", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"},
    {"\xf0\x9f\x98", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"},
    {"\xcf\x80x", 1, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"},   /* cut by len */
    {"\xc0\xaf", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"},    /* overlong */
    {"\xe0\x80\xaf", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"},
    {"\xf0\x80\x80\xaf", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"},
    {"\xed\xa0\x80", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"}, /* surrogate */
    {"x\xed\xbf\xbf", 0, JX_ERR_SYNTAX, 1, 1, "invalid UTF-8"},
    {"\xf4\x90\x80\x80", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"}, /* >10FFFF */
    {"\xf8\x88\x80\x80\x80", 0, JX_ERR_SYNTAX, 0, 1, "invalid UTF-8"},
    {"\xcf\x80\xff", 0, JX_ERR_SYNTAX, 2, 1, "invalid UTF-8"}, /* after π */
    /* characters that are no part of a name: the whole character */
    {"\u20ac", 0, JX_ERR_SYNTAX, 0, 3, "unexpected character '\u20ac' (U+20AC)"},
    {"a + \u20ac", 0, JX_ERR_SYNTAX, 4, 3, "unexpected character '\u20ac'"},
    {"a\u2026", 0, JX_ERR_SYNTAX, 1, 3, "unexpected character '\u2026' (U+2026)"},
    {"a\u00a0b", 0, JX_ERR_SYNTAX, 1, 2, "unexpected character U+00A0"},
    {"\u200bx", 0, JX_ERR_SYNTAX, 0, 3, "unexpected character U+200B"},
    {"\U0001f600", 0, JX_ERR_SYNTAX, 0, 4, "unexpected character '\U0001f600' (U+1F600)"},
    {"\u03c0 \u00d7 2", 0, JX_ERR_SYNTAX, 3, 2, "(U+00D7)"},   /* × */
    {"\u0301x", 0, JX_ERR_SYNTAX, 0, 2, "(U+0301)"},  /* a mark cannot start */
    {"\u0663", 0, JX_ERR_SYNTAX, 0, 2, "(U+0663)"},   /* nor a digit */
    {"x\u2081", 0, JX_ERR_SYNTAX, 1, 3, "(U+2081)"},  /* No: not a name's */
    {"x\u00b2", 0, JX_ERR_SYNTAX, 1, 2, "(U+00B2)"},
    {"\u2e2f", 0, JX_ERR_SYNTAX, 0, 3, "(U+2E2F)"},   /* Lm, Pattern_Syntax */
    {"\u037a", 0, JX_ERR_SYNTAX, 0, 2, "(U+037A)"},   /* NFKC: space + mark */
    {"\u0e33", 0, JX_ERR_SYNTAX, 0, 3, "(U+0E33)"},   /* NFKC starts with Mn */
    {"\u309b", 0, JX_ERR_SYNTAX, 0, 3, "(U+309B)"},
    /* numbers run into names */
    {"12\u03c0", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"1.5\u03bb+1", 0, JX_ERR_SYNTAX, 0, 5, "invalid decimal literal"},
    {"0x1\u03c0", 0, JX_ERR_SYNTAX, 0, 5, "invalid hexadecimal literal"},
    {"2j\u0663", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    /* malformed numbers: the whole run is covered */
    {"1.2.3", 0, JX_ERR_SYNTAX, 0, 5, "invalid decimal literal"},
    {"x+1.2.3", 0, JX_ERR_SYNTAX, 2, 5, "invalid decimal literal"},
    {"1..2", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"1e", 0, JX_ERR_SYNTAX, 0, 2, "invalid decimal literal"},
    {"1e+", 0, JX_ERR_SYNTAX, 0, 3, "invalid decimal literal"},
    {"1E-x", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"1.5e", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"12abc", 0, JX_ERR_SYNTAX, 0, 5, "invalid decimal literal"},
    {"1 + 12abc", 0, JX_ERR_SYNTAX, 4, 5, "invalid decimal literal"},
    {"1.5x", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"2jx", 0, JX_ERR_SYNTAX, 0, 3, "invalid decimal literal"},
    {"2j2", 0, JX_ERR_SYNTAX, 0, 3, "invalid decimal literal"},
    {"2j.", 0, JX_ERR_SYNTAX, 0, 3, "invalid decimal literal"},
    {"1_", 0, JX_ERR_SYNTAX, 0, 2, "invalid decimal literal"},
    {"1__0", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"1_.5", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"1._5", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"1e_5", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"1e5_", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"1.5.", 0, JX_ERR_SYNTAX, 0, 4, "invalid decimal literal"},
    {"007", 0, JX_ERR_SYNTAX, 0, 3, "leading zeros in decimal integer"},
    {"0_7", 0, JX_ERR_SYNTAX, 0, 3, "leading zeros in decimal integer"},
    {"01", 0, JX_ERR_SYNTAX, 0, 2, "leading zeros in decimal integer"},
    {"0x", 0, JX_ERR_SYNTAX, 0, 2, "invalid hexadecimal literal"},
    {"0x+1", 0, JX_ERR_SYNTAX, 0, 2, "invalid hexadecimal literal"},
    {"0xg", 0, JX_ERR_SYNTAX, 0, 3, "invalid hexadecimal literal"},
    {"0x1g", 0, JX_ERR_SYNTAX, 0, 4, "invalid hexadecimal literal"},
    {"0x_", 0, JX_ERR_SYNTAX, 0, 3, "invalid hexadecimal literal"},
    {"0x1_", 0, JX_ERR_SYNTAX, 0, 4, "invalid hexadecimal literal"},
    {"0x1__2", 0, JX_ERR_SYNTAX, 0, 6, "invalid hexadecimal literal"},
    {"0x1.5", 0, JX_ERR_SYNTAX, 0, 5, "invalid hexadecimal literal"},
    {"0x1j", 0, JX_ERR_SYNTAX, 0, 4, "invalid hexadecimal literal"},
    {"0o", 0, JX_ERR_SYNTAX, 0, 2, "invalid octal literal"},
    {"0o8", 0, JX_ERR_SYNTAX, 0, 3, "invalid octal literal"},
    {"0o78", 0, JX_ERR_SYNTAX, 0, 4, "invalid digit '8' in octal literal"},
    {"0b", 0, JX_ERR_SYNTAX, 0, 2, "invalid binary literal"},
    {"0b2", 0, JX_ERR_SYNTAX, 0, 3, "invalid binary literal"},
    {"0b12", 0, JX_ERR_SYNTAX, 0, 4, "invalid digit '2' in binary literal"},
    {"0b1e", 0, JX_ERR_SYNTAX, 0, 4, "invalid binary literal"},
    /* integers beyond 64 bits */
    {"18446744073709551616", 0, JX_ERR_OVERFLOW, 0, 20,
     "integer literal too large"},
    {"a + 99999999999999999999", 0, JX_ERR_OVERFLOW, 4, 20,
     "integer literal too large"},
    {"1_8446744073709551616", 0, JX_ERR_OVERFLOW, 0, 21,
     "integer literal too large"},
    {"0x10000000000000000", 0, JX_ERR_OVERFLOW, 0, 19,
     "integer literal too large"},
    {"0o2000000000000000000000", 0, JX_ERR_OVERFLOW, 0, 24,
     "integer literal too large"},
    {"0b11111111111111111111111111111111111111111111111111111111111111111",
     0, JX_ERR_OVERFLOW, 0, 67, "integer literal too large"},
    /* strings */
    {"'abc", 0, JX_ERR_SYNTAX, 0, 4, "unterminated string literal"},
    {"a + \"x", 0, JX_ERR_SYNTAX, 4, 2, "unterminated string literal"},
    {"b'x\ny'", 0, JX_ERR_SYNTAX, 0, 3, "unterminated string literal"},
    {"'x\\'", 0, JX_ERR_SYNTAX, 0, 4, "unterminated string literal"},
    {"'\\", 0, JX_ERR_SYNTAX, 0, 2, "unterminated string literal"},
    {"'", 0, JX_ERR_SYNTAX, 0, 1, "unterminated string literal"},
};

/* ---- names in NFKC form ------------------------------------------------ */

/* With an arena, a name token's v.name is its NFKC form; it points into
 * the source when that is the spelling. */
static const struct {
    const char *src;
    const char *name; /* NFKC */
    int in_source;    /* 1: v.name.s is the source itself */
} nfkc_rows[] = {
    {"abc", "abc", 1},
    {"\u03c0", "\u03c0", 1},               /* π */
    {"caf\u00e9", "caf\u00e9", 1},         /* NFC already */
    {"cafe\u0301", "caf\u00e9", 0},        /* composed */
    {"\ufb01", "fi", 0},                   /* ligature */
    {"\u00b5", "\u03bc", 0},               /* micro sign: Greek mu */
    {"\u03bc", "\u03bc", 1},
    {"\u216b", "XII", 0},                  /* Roman numeral twelve */
    {"\u210c", "H", 0},                    /* black-letter H */
    {"\uff53\uff49\uff4e", "sin", 0},      /* fullwidth */
    {"\U0001d465", "x", 0},                 /* mathematical italic x */
    {"\uff34rue", "True", 0},              /* a name, not the keyword */
    {"\u00aa", "a", 0},                    /* feminine ordinal */
    {"x\u00b7", "x\u00b7", 1},
};

START_TEST(test_nfkc_names)
{
    const char *src = nfkc_rows[_i].src;
    size_t len = strlen(src);
    char *s = exact_copy(src, len);
    jx_arena a;
    jx_arena_init(&a);
    jx_lexer lx;
    jx_token t, e;
    jx_error err;
    jx_lex_init(&lx, s, (int32_t)len);
    lx.arena = &a;
    ck_assert_msg(jx_lex_next(&lx, &t, &err) == 0, "%s: %s", src, err.message);
    ck_assert_int_eq(t.kind, JX_TOK_NAME);
    ck_assert_int_eq(t.offset, 0);
    ck_assert_int_eq(t.length, (int)len);
    ck_assert_msg(t.v.name.n == (int32_t)strlen(nfkc_rows[_i].name) &&
                      memcmp(t.v.name.s, nfkc_rows[_i].name,
                             (size_t)t.v.name.n) == 0,
                  "%s: NFKC %.*s, want %s", src, (int)t.v.name.n, t.v.name.s,
                  nfkc_rows[_i].name);
    ck_assert_int_eq(t.v.name.s == s, nfkc_rows[_i].in_source);
    ck_assert_int_eq(jx_lex_next(&lx, &e, &err), 0);
    ck_assert_int_eq(e.kind, JX_TOK_EOF);
    /* without an arena the name is its spelling */
    jx_lex_init(&lx, s, (int32_t)len);
    ck_assert_int_eq(jx_lex_next(&lx, &t, &err), 0);
    ck_assert_ptr_eq(t.v.name.s, s);
    ck_assert_int_eq(t.v.name.n, (int)len);
    jx_arena_free(&a);
    free(s);
}
END_TEST

START_TEST(test_errors)
{
    const char *src = error_rows[_i].src;
    size_t len = error_rows[_i].len ? error_rows[_i].len : strlen(src);
    char *s = exact_copy(src, len);
    jx_lexer lx;
    jx_token t;
    jx_error err;
    jx_err_clear(&err);
    jx_lex_init(&lx, s, (int32_t)len);
    int rc;
    int guard = 0;
    while ((rc = jx_lex_next(&lx, &t, &err)) == 0 && t.kind != JX_TOK_EOF)
        ck_assert_int_lt(++guard, 100);
    ck_assert_msg(rc == -1, "%s: no error", src);
    ck_assert_msg(err.code == error_rows[_i].code, "%s: code %d, want %d (%s)",
                  src, err.code, error_rows[_i].code, err.message);
    ck_assert_msg(err.offset == error_rows[_i].offset &&
                      err.length == error_rows[_i].length,
                  "%s: error at %d+%d, want %d+%d (%s)", src, (int)err.offset,
                  (int)err.length, (int)error_rows[_i].offset,
                  (int)error_rows[_i].length, err.message);
    ck_assert_msg(strstr(err.message, error_rows[_i].message) != NULL,
                  "%s: message \"%s\", want \"%s\"", src, err.message,
                  error_rows[_i].message);
    /* a NULL err is allowed */
    jx_lex_init(&lx, s, (int32_t)len);
    while ((rc = jx_lex_next(&lx, &t, NULL)) == 0 && t.kind != JX_TOK_EOF)
        ;
    ck_assert_int_eq(rc, -1);
    free(s);
}
END_TEST

static Suite *lex_suite(void)
{
    Suite *s = suite_create("lex");
    TCase *tc = tcase_create("lex");
    tcase_add_loop_test(tc, test_tokens, 0, N_ELEMS(token_rows));
    tcase_add_test(tc, test_every_kind_covered);
    tcase_add_test(tc, test_op_table_spellings);
    tcase_add_loop_test(tc, test_numbers, 0, N_ELEMS(number_rows));
    tcase_add_test(tc, test_long_float);
    tcase_add_test(tc, test_length_is_the_end);
    tcase_add_test(tc, test_locale);
    tcase_add_loop_test(tc, test_nfkc_names, 0, N_ELEMS(nfkc_rows));
    tcase_add_loop_test(tc, test_errors, 0, N_ELEMS(error_rows));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(lex_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
