/* check_parse_errors.c - the parser's errors: every error with its span
 * and message, string literals and the operands that take them, bad
 * arguments, and the limits (depth, nodes) with their messages.
 *
 * Every source is copied into a malloc'd buffer of exactly its length (no
 * NUL after it), so that valgrind sees any read past the end. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "ops.h"
#include "parseutil.h"

/* ---- helpers ------------------------------------------------------------ */

/* A repeated string: n times s, then tail. */
static char *repeat(const char *s, int n, const char *tail)
{
    size_t ls = strlen(s), lt = strlen(tail);
    char *r = malloc(ls * (size_t)n + lt + 1);
    ck_assert_ptr_nonnull(r);
    for (int i = 0; i < n; i++)
        memcpy(r + ls * (size_t)i, s, ls);
    memcpy(r + ls * (size_t)n, tail, lt + 1);
    return r;
}

/* ---- errors ------------------------------------------------------------- */

static const struct {
    const char *src;
    jx_code code;
    int32_t offset, length;
    const char *message; /* exact */
} error_rows[] = {
    {"", JX_ERR_SYNTAX, 0, 0, "empty expression"},
    {"   \n\t\r", JX_ERR_SYNTAX, 0, 0, "empty expression"},
    /* trailing tokens */
    {"a b", JX_ERR_SYNTAX, 2, 1,
     "unexpected name 'b' after the end of the expression"},
    {"1 2", JX_ERR_SYNTAX, 2, 1,
     "unexpected integer literal '2' after the end of the expression"},
    {"1 2.5", JX_ERR_SYNTAX, 2, 3,
     "unexpected float literal '2.5' after the end of the expression"},
    {"2 3j", JX_ERR_SYNTAX, 2, 2,
     "unexpected imaginary literal '3j' after the end of the expression"},
    {"True False", JX_ERR_SYNTAX, 5, 5,
     "unexpected 'False' after the end of the expression"},
    {"a 'x'", JX_ERR_SYNTAX, 2, 3,
     "unexpected string literal after the end of the expression"},
    {"a,b", JX_ERR_SYNTAX, 1, 1,
     "unexpected ',' after the end of the expression"},
    {"a = 1", JX_ERR_SYNTAX, 2, 1,
     "unexpected '=' after the end of the expression"},
    {"f(a)(b)", JX_ERR_UNSUPPORTED, 0, 5,
     "a call of something that is not a function name: valid Python, but not part of jitexpr's expression language"},
    {"(a)(b)", JX_ERR_UNSUPPORTED, 0, 4,
     "a call of something that is not a function name: valid Python, but not part of jitexpr's expression language"},
    {"a b @", JX_ERR_SYNTAX, 2, 1,
     "unexpected name 'b' after the end of the expression"},
    {"a abcdefghijklmnopqrstuvwxyz", JX_ERR_SYNTAX, 2, 26,
     "unexpected name 'abcdefghijklmnopqrst...' after the end of the "
     "expression"},
    /* cut on a character boundary: π is bytes 19-20, λ 21-22 */
    {"a abcdefghijklmnopqr\u03c0\u03bbxxxxx", JX_ERR_SYNTAX, 2, 27,
     "unexpected name 'abcdefghijklmnopqr\u03c0...' after the end of the "
     "expression"},
    {"a abcdefghijklmnopq\u03c0\u03bbxxxxxx", JX_ERR_SYNTAX, 2, 27,
     "unexpected name 'abcdefghijklmnopq\u03c0...' after the end of the "
     "expression"},
    /* Unicode names: spans in bytes */
    {"\u03c0 \u03bb", JX_ERR_SYNTAX, 3, 2,
     "unexpected name '\u03bb' after the end of the expression"},
    {"(\u03c0 + \u03bb", JX_ERR_SYNTAX, 0, 1, "'(' was never closed"},
    {"\u03c0 + \u20ac", JX_ERR_SYNTAX, 5, 3, "unexpected character '\u20ac' (U+20AC)"},
    {"f(\u03bb=1, \u03bb=2)", JX_ERR_SYNTAX, 8, 2,
     "keyword argument repeated: '\u03bb'"},
    /* stray ')' */
    {")", JX_ERR_SYNTAX, 0, 1, "unmatched ')'"},
    {"a)", JX_ERR_SYNTAX, 1, 1, "unmatched ')'"},
    {"a + )", JX_ERR_SYNTAX, 4, 1, "unmatched ')'"},
    {"(a))", JX_ERR_SYNTAX, 3, 1, "unmatched ')'"},
    {"f(a))", JX_ERR_SYNTAX, 4, 1, "unmatched ')'"},
    /* missing operands */
    {"a +", JX_ERR_SYNTAX, 3, 0, "expected an operand, found end of input"},
    {"a +\n ", JX_ERR_SYNTAX, 5, 0, "expected an operand, found end of input"},
    {"-", JX_ERR_SYNTAX, 1, 0, "expected an operand, found end of input"},
    {"a <", JX_ERR_SYNTAX, 3, 0, "expected an operand, found end of input"},
    {"a < b <", JX_ERR_SYNTAX, 7, 0,
     "expected an operand, found end of input"},
    {"2 **", JX_ERR_SYNTAX, 4, 0, "expected an operand, found end of input"},
    {"* a", JX_ERR_SYNTAX, 0, 1, "expected an operand, found '*'"},
    {"a + * b", JX_ERR_SYNTAX, 4, 1, "expected an operand, found '*'"},
    {"a ** * b", JX_ERR_SYNTAX, 5, 1, "expected an operand, found '*'"},
    {"a <> b", JX_ERR_SYNTAX, 3, 1, "expected an operand, found '>'"},
    {"a < = b", JX_ERR_SYNTAX, 4, 1, "expected an operand, found '='"},
    {"()", JX_ERR_SYNTAX, 1, 1, "expected an operand, found ')'"},
    {"(a + )", JX_ERR_SYNTAX, 5, 1, "expected an operand, found ')'"},
    {"f(,)", JX_ERR_SYNTAX, 2, 1, "expected an operand, found ','"},
    {"f(a,,)", JX_ERR_SYNTAX, 4, 1, "expected an operand, found ','"},
    {"(,)", JX_ERR_SYNTAX, 1, 1, "expected an operand, found ','"},
    {",", JX_ERR_SYNTAX, 0, 1, "expected an operand, found ','"},
    /* '(' never closed: at the innermost open one */
    {"(", JX_ERR_SYNTAX, 0, 1, "'(' was never closed"},
    {"(a", JX_ERR_SYNTAX, 0, 1, "'(' was never closed"},
    {"(a +", JX_ERR_SYNTAX, 0, 1, "'(' was never closed"},
    {"((a)", JX_ERR_SYNTAX, 0, 1, "'(' was never closed"},
    {"(a + (b)", JX_ERR_SYNTAX, 0, 1, "'(' was never closed"},
    {"a * (b + (c", JX_ERR_SYNTAX, 9, 1, "'(' was never closed"},
    {"f(", JX_ERR_SYNTAX, 1, 1, "'(' was never closed"},
    {"f(a", JX_ERR_SYNTAX, 1, 1, "'(' was never closed"},
    {"f(a,", JX_ERR_SYNTAX, 1, 1, "'(' was never closed"},
    {"(f(a)", JX_ERR_SYNTAX, 0, 1, "'(' was never closed"},
    /* inside parentheses and calls */
    {"(a b)", JX_ERR_SYNTAX, 3, 1, "expected ')', found name 'b'"},
    {"(b, )", JX_ERR_SYNTAX, 2, 1, "expected ')', found ','"},
    {"f(a b)", JX_ERR_SYNTAX, 4, 1,
     "expected ',' or ')' after an argument, found name 'b'"},
    {"f(axis=1, a)", JX_ERR_SYNTAX, 10, 1,
     "positional argument follows keyword argument"},
    {"f(axis=1, -a)", JX_ERR_SYNTAX, 10, 1,
     "positional argument follows keyword argument"},
    {"sum(a, axis=1, axis=2)", JX_ERR_SYNTAX, 15, 4,
     "keyword argument repeated: 'axis'"},
    {"sum(a, axis=)", JX_ERR_SYNTAX, 12, 1, "expected an operand, found ')'"},
    {"f(1,2,3,4,5,6,7,8,9)", JX_ERR_LIMIT, 18, 1,
     "too many arguments to 'f': a call takes at most 8"},
    {"f(1,2,3,4,5,6,7,8,x+y,)", JX_ERR_LIMIT, 18, 1,
     "too many arguments to 'f': a call takes at most 8"},
    /* string literals: escapes outside the supported set, non-ASCII */
    {"a == 'x\\q'", JX_ERR_SYNTAX, 7, 2,
     "unsupported escape '\\q' in a string literal (use \\\\ \\' \\\" \\n "
     "\\r \\t \\0 or \\xHH)"},
    {"b'\\012'", JX_ERR_SYNTAX, 2, 2,
     "unsupported escape '\\0' in a string literal (use \\\\ \\' \\\" \\n "
     "\\r \\t \\0 or \\xHH)"},
    {"f(\"\\a\")", JX_ERR_SYNTAX, 3, 2,
     "unsupported escape '\\a' in a string literal (use \\\\ \\' \\\" \\n "
     "\\r \\t \\0 or \\xHH)"},
    {"'\\x4'", JX_ERR_SYNTAX, 1, 3,
     "'\\x' in a string literal needs two hex digits"},
    {"'ab\\xg1'", JX_ERR_SYNTAX, 3, 4,
     "'\\x' in a string literal needs two hex digits"},
    {"a == '\xc3\xa9'", JX_ERR_SYNTAX, 6, 1,
     "a string literal may hold ASCII characters only: write other bytes "
     "as \\xHH"},
    {"'abc", JX_ERR_SYNTAX, 0, 4, "unterminated string literal"},
    /* lexer errors come through */
    {"a $ b", JX_ERR_SYNTAX, 2, 1, "unexpected character '$'"},
    {"a ! b", JX_ERR_SYNTAX, 2, 1, "unexpected character '!'"},
    {"a + 1.2.3", JX_ERR_SYNTAX, 4, 5, "invalid decimal literal"},
    {"12abc", JX_ERR_SYNTAX, 0, 5, "invalid decimal literal"},
    {"0x", JX_ERR_SYNTAX, 0, 2, "invalid hexadecimal literal"},
    {"2 ** 99999999999999999999", JX_ERR_OVERFLOW, 5, 20,
     "integer literal too large: the limit is 2**64-1 "
     "(18446744073709551615)"},
    /* attributes: .real and .imag only */
    {"a.b", JX_ERR_ATTRIBUTE, 1, 2,
     "unknown attribute '.b': only .real and .imag are supported (or "
     "real(x), imag(x))"},
    {"-(a + 1).foo ** 2", JX_ERR_ATTRIBUTE, 8, 4,
     "unknown attribute '.foo': only .real and .imag are supported (or "
     "real(x), imag(x))"},
    {"a.", JX_ERR_SYNTAX, 2, 0,
     "expected an attribute name after '.', found end of input"},
    {"a.1", JX_ERR_SYNTAX, 1, 2,
     "unexpected float literal '.1' after the end of the expression"},
    {"a.(real)", JX_ERR_SYNTAX, 2, 1,
     "expected an attribute name after '.', found '('"},
    {".real", JX_ERR_SYNTAX, 0, 1, "expected an operand, found '.'"},
    /* valid Python that the language does not have: JX_ERR_UNSUPPORTED */
    {"(x > 1) and (x < 9)", JX_ERR_UNSUPPORTED, 8, 3,
     "'and': valid Python, but not part of jitexpr's expression language; use '&' for an element-wise and, with the comparisons in "
     "parentheses: (a > 1) & (a < 9)"},
    {"a or b", JX_ERR_UNSUPPORTED, 2, 2,
     "'or': valid Python, but not part of jitexpr's expression language; use '|' for an element-wise or, with the comparisons in "
     "parentheses: (a < 1) | (a > 9)"},
    {"not a", JX_ERR_UNSUPPORTED, 0, 3,
     "'not': valid Python, but not part of jitexpr's expression language; use '~' for an element-wise not: ~(a > 1)"},
    {"a + (not b)", JX_ERR_UNSUPPORTED, 5, 3,
     "'not': valid Python, but not part of jitexpr's expression language; use '~' for an element-wise not: ~(a > 1)"},
    {"a not in b", JX_ERR_UNSUPPORTED, 2, 6, "'not in': valid Python, but not part of jitexpr's expression language"},
    {"a in b", JX_ERR_UNSUPPORTED, 2, 2, "'in': valid Python, but not part of jitexpr's expression language"},
    {"a is None", JX_ERR_UNSUPPORTED, 2, 2, "'is': valid Python, but not part of jitexpr's expression language"},
    {"f(a if b else c)", JX_ERR_UNSUPPORTED, 4, 2,
     "'if': valid Python, but not part of jitexpr's expression language; use where(condition, x, y)"},
    {"(lambda: 1)", JX_ERR_UNSUPPORTED, 1, 6, "'lambda': valid Python, but not part of jitexpr's expression language"},
    {"None", JX_ERR_UNSUPPORTED, 0, 4, "'None': valid Python, but not part of jitexpr's expression language"},
    {"a < [0, 0, 0]", JX_ERR_UNSUPPORTED, 4, 1,
     "a list: valid Python, but not part of jitexpr's expression language; arrays are passed as variables"},
    {"{1: 2}", JX_ERR_UNSUPPORTED, 0, 1, "a dict or set: valid Python, but not part of jitexpr's expression language"},
    {"c[0]", JX_ERR_UNSUPPORTED, 1, 1,
     "a subscript x[...]: valid Python, but not part of jitexpr's expression language; arrays are indexed before they are passed"},
    {"a.real[0]", JX_ERR_UNSUPPORTED, 6, 1,
     "a subscript x[...]: valid Python, but not part of jitexpr's expression language; arrays are indexed before they are passed"},
    {"a @ b", JX_ERR_UNSUPPORTED, 2, 1, "the matrix product '@': valid Python, but not part of jitexpr's expression language"},
    {"(y := a)", JX_ERR_UNSUPPORTED, 3, 2, "an assignment expression ':=': valid Python, but not part of jitexpr's expression language"},
    {"2(3)", JX_ERR_UNSUPPORTED, 0, 2,
     "a call of something that is not a function name: valid Python, but not part of jitexpr's expression language"},
    /* keywords that cannot start an operand stay syntax errors */
    {"a + and", JX_ERR_SYNTAX, 4, 3, "expected an operand, found 'and'"},
    {"a not b", JX_ERR_SYNTAX, 2, 3,
     "unexpected name 'not' after the end of the expression"},
};

START_TEST(test_errors)
{
    parsed p;
    parse_s(&p, error_rows[_i].src);
    ck_assert_msg(p.root == NULL, "%s: parsed", error_rows[_i].src);
    ck_assert_msg(p.err.code == error_rows[_i].code &&
                      p.err.offset == error_rows[_i].offset &&
                      p.err.length == error_rows[_i].length &&
                      strcmp(p.err.message, error_rows[_i].message) == 0,
                  "%s:\n  got  %d at %d+%d \"%s\"\n  want %d at %d+%d \"%s\"",
                  error_rows[_i].src, p.err.code, (int)p.err.offset,
                  (int)p.err.length, p.err.message, error_rows[_i].code,
                  (int)error_rows[_i].offset, (int)error_rows[_i].length,
                  error_rows[_i].message);
    /* the same without an error struct */
    ck_assert_ptr_null(jx_parse(&p.arena, p.src, p.len, NULL));
    parsed_free(&p);
}
END_TEST

/* ---- string literals ------------------------------------------------------ */

/* A literal's bytes after its escapes are decoded: the expected bytes and
 * their count (they may hold NULs). */
static const struct {
    const char *src;
    const char *bytes;
    int64_t n;
} string_rows[] = {
    {"'abc'", "abc", 3},
    {"\"abc\"", "abc", 3},
    {"b'abc'", "abc", 3},
    {"B\"abc\"", "abc", 3},
    {"''", "", 0},
    {"b\"\"", "", 0},
    {"'a\\\\b'", "a\\b", 3},
    {"'it\\'s'", "it's", 4},
    {"\"say \\\"hi\\\"\"", "say \"hi\"", 8},
    {"'\"'", "\"", 1},
    {"\"'\"", "'", 1},
    {"'\\n\\r\\t'", "\n\r\t", 3},
    {"'\\x41\\x7a\\xFF\\x80'", "Az\xff\x80", 4},
    {"'a\\0b'", "a\0b", 3},
    {"'a\\08'", "a\0" "8", 3},
    {"'ab\\x00\\x00'", "ab\0\0", 4},
    {"'\\0'", "\0", 1},
};

START_TEST(test_strings)
{
    parsed p;
    parse_s(&p, string_rows[_i].src);
    ck_assert_msg(p.root != NULL, "%s: %s", string_rows[_i].src, p.err.message);
    ck_assert_int_eq(p.root->kind, JX_N_STRING);
    ck_assert_int_eq(p.root->offset, 0);
    ck_assert_int_eq(p.root->length, (int32_t)strlen(string_rows[_i].src));
    ck_assert_int_eq(p.root->itemsize, string_rows[_i].n);
    ck_assert_ptr_nonnull(p.root->str);
    ck_assert_msg(memcmp(p.root->str, string_rows[_i].bytes,
                         (size_t)string_rows[_i].n) == 0,
                  "%s: wrong bytes", string_rows[_i].src);
    parsed_free(&p);
}
END_TEST

/* Strings as operands keep their spans; the dump escapes their bytes. */
START_TEST(test_string_operands)
{
    parsed p;
    parse_s(&p, "contains(s, b'a\\x00\"') == (\"x\" < t)");
    ck_assert_msg(p.root != NULL, "%s", p.err.message);
    char buf[256];
    to_sexpr(p.root, buf, sizeof buf);
    ck_assert_str_eq(buf, "(eq (call contains (var s) (string)) (lt (string) (var t)))");
    ck_assert_int_eq(p.root->args[1]->args[0]->itemsize, 1);
    const jx_node *lit = p.root->args[0]->args[1];
    ck_assert_int_eq(lit->offset, 12);
    ck_assert_int_eq(lit->length, 9);
    jx_buf b = {0};
    jx_parse_dump(lit, &b);
    char *s = jx_buf_take(&b);
    ck_assert_str_eq(s, "string \"a\\x00\\\"\"\n");
    free(s);
    parsed_free(&p);
}
END_TEST

START_TEST(test_bad_arguments)
{
    jx_arena a;
    jx_error err;
    jx_arena_init(&a);
    ck_assert_ptr_null(jx_parse(&a, NULL, 3, &err));
    ck_assert_int_eq(err.code, JX_ERR_ARG);
    ck_assert_ptr_null(jx_parse(&a, "a", -1, &err));
    ck_assert_int_eq(err.code, JX_ERR_ARG);
    ck_assert_ptr_null(jx_parse(&a, NULL, 0, &err));
    ck_assert_int_eq(err.code, JX_ERR_SYNTAX);
    ck_assert_str_eq(err.message, "empty expression");
    /* success clears the error */
    ck_assert_ptr_nonnull(jx_parse(&a, "a", 1, &err));
    ck_assert_int_eq(err.code, JX_OK);
    ck_assert_int_eq(err.offset, -1);
    ck_assert_str_eq(err.message, "");
    /* len, not the NUL, ends the source */
    jx_node *n = jx_parse(&a, "a + b", 1, &err);
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->kind, JX_N_VAR);
    ck_assert_ptr_null(jx_parse(&a, "a +@", 3, &err));
    ck_assert_str_eq(err.message, "expected an operand, found end of input");
    jx_arena_free(&a);
}
END_TEST

/* ---- limits ------------------------------------------------------------- */

typedef struct limit_row {
    const char *unit; /* repeated */
    int times;
    const char *tail;
    jx_code code;       /* JX_OK: parses */
    int32_t offset, length;
} limit_row;

/* JX_MAX_DEPTH is 200 (checked below): 200 levels parse, 201 do not. */
static const limit_row limit_rows[] = {
    {"(", 200, "a", JX_ERR_SYNTAX, 199, 1}, /* never closed: not a limit */
    {"-", 200, "a", JX_OK, 0, 0},
    {"-", 201, "a", JX_ERR_LIMIT, 200, 1},
    {"~", 201, "a", JX_ERR_LIMIT, 200, 1},
    {"+-", 101, "a", JX_ERR_LIMIT, 200, 1},
    {"-", 65535, "a", JX_ERR_LIMIT, 200, 1},
    {"-", 100000, "a", JX_ERR_LIMIT, 65536, 100001 - 65536},
    {"(", 65536, "", JX_ERR_LIMIT, 200, 1},
    {"(", 100000, "", JX_ERR_LIMIT, 65536, 100000 - 65536},
    {"2**", 200, "2", JX_OK, 0, 0},
    {"2**", 201, "2", JX_ERR_LIMIT, 601, 2},
    {"2**-", 100, "2", JX_OK, 0, 0},
    {"2**-", 101, "2", JX_ERR_LIMIT, 401, 2},
    {"-(", 100, "a", JX_ERR_SYNTAX, 199, 1},
    {"-(", 101, "a", JX_ERR_LIMIT, 200, 1},
    {"f(", 201, "a", JX_ERR_LIMIT, 401, 1},
    {"f(a,", 201, "a", JX_ERR_LIMIT, 801, 1},
    /* long chains: the tree may be 4096 levels tall */
    {"a+", 4095, "a", JX_OK, 0, 0},
    {"a+", 4096, "a", JX_ERR_LIMIT, 8191, 1},
    {"a*", 20000, "a", JX_ERR_LIMIT, 8191, 1},
    {"a<", 4095, "a", JX_OK, 0, 0},
    {"a<", 20000, "a", JX_ERR_LIMIT, 8191, 1},
    /* the source length */
    {" ", 65535, "a", JX_OK, 0, 0},
    {" ", 65536, "a", JX_ERR_LIMIT, 65536, 1},
    {"a", 65536, "", JX_OK, 0, 0},
};

START_TEST(test_limits)
{
    const limit_row *r = &limit_rows[_i];
    char *src = repeat(r->unit, r->times, r->tail);
    parsed p;
    parse_s(&p, src);
    if (r->code == JX_OK) {
        ck_assert_msg(p.root != NULL, "%s x %d: %s", r->unit, r->times,
                      p.err.message);
    } else {
        ck_assert_msg(p.root == NULL, "%s x %d parsed", r->unit, r->times);
        ck_assert_msg(p.err.code == r->code && p.err.offset == r->offset &&
                          p.err.length == r->length,
                      "%s x %d: %d at %d+%d (%s), want %d at %d+%d", r->unit,
                      r->times, p.err.code, (int)p.err.offset,
                      (int)p.err.length, p.err.message, r->code,
                      (int)r->offset, (int)r->length);
    }
    parsed_free(&p);
    free(src);
}
END_TEST

/* Balanced nesting: "(((a)))" 200 deep parses, 201 deep does not; the
 * messages name the limit. */
START_TEST(test_depth_messages)
{
    ck_assert_int_eq(JX_MAX_DEPTH, 200);
    for (int depth = 199; depth <= 201; depth++) {
        char *open = repeat("(", depth, "a");
        char *src = repeat(")", depth, "");
        size_t lo = strlen(open), lc = strlen(src);
        char *full = malloc(lo + lc + 1);
        memcpy(full, open, lo);
        memcpy(full + lo, src, lc + 1);
        parsed p;
        parse_s(&p, full);
        if (depth <= JX_MAX_DEPTH) {
            ck_assert_ptr_nonnull(p.root);
            ck_assert_int_eq(p.root->kind, JX_N_VAR);
            ck_assert_int_eq(p.root->offset, 0);
            ck_assert_int_eq(p.root->length, (int)(lo + lc));
        } else {
            ck_assert_ptr_null(p.root);
            ck_assert_int_eq(p.err.code, JX_ERR_LIMIT);
            ck_assert_int_eq(p.err.offset, JX_MAX_DEPTH);
            ck_assert_str_eq(p.err.message,
                             "expression nested too deeply: the limit is 200 "
                             "levels of parentheses, calls and unary "
                             "operators");
        }
        parsed_free(&p);
        free(open);
        free(src);
        free(full);
    }
    parsed p;
    char *src = repeat(" ", 65537, "");
    parse_s(&p, src);
    ck_assert_int_eq(p.err.code, JX_ERR_LIMIT);
    ck_assert_str_eq(p.err.message,
                     "expression too long: 65537 bytes, the limit is 65536");
    parsed_free(&p);
    free(src);
    src = repeat("a+", 5000, "a");
    parse_s(&p, src);
    ck_assert_int_eq(p.err.code, JX_ERR_LIMIT);
    ck_assert_str_eq(p.err.message,
                     "expression too deep: more than 4096 levels of "
                     "operators");
    parsed_free(&p);
    free(src);
}
END_TEST

/* Chains nested in the middle operands of chains double the tree at each
 * level; the node limit stops that before memory runs out. */
START_TEST(test_node_limit)
{
    for (int k = 8; k <= 30; k += 22) {
        /* a<(a<(...)<a)<a */
        char *open = repeat("a<(", k, "a");
        char *close = repeat(")<a", k, "");
        size_t lo = strlen(open), lc = strlen(close);
        char *full = malloc(lo + lc + 1);
        memcpy(full, open, lo);
        memcpy(full + lo, close, lc + 1);
        parsed p;
        parse_s(&p, full);
        if (k == 8) {
            ck_assert_msg(p.root != NULL, "%s", p.err.message);
        } else {
            ck_assert_ptr_null(p.root);
            ck_assert_int_eq(p.err.code, JX_ERR_LIMIT);
            ck_assert_msg(strstr(p.err.message, "expression too large") != NULL,
                          "%s", p.err.message);
        }
        parsed_free(&p);
        free(open);
        free(close);
        free(full);
    }
}
END_TEST

static Suite *parse_errors_suite(void)
{
    Suite *s = suite_create("parse_errors");
    TCase *tc = tcase_create("parse_errors");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_errors, 0, N_ELEMS(error_rows));
    tcase_add_loop_test(tc, test_strings, 0, N_ELEMS(string_rows));
    tcase_add_test(tc, test_string_operands);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_loop_test(tc, test_limits, 0, N_ELEMS(limit_rows));
    tcase_add_test(tc, test_depth_messages);
    tcase_add_test(tc, test_node_limit);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(parse_errors_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
