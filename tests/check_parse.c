/* check_parse.c - the parser: precedence and associativity as
 * S-expressions, the operator table, chained comparisons, spans, every
 * error with its span, the limits, the dump format, and random input.
 *
 * Every source is copied into a malloc'd buffer of exactly its length (no
 * NUL after it), so that valgrind sees any read past the end. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "ops.h"

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- helpers ------------------------------------------------------------ */

/* One parse: the arena, the source copy, the root and the error. */
typedef struct parsed {
    jx_arena arena;
    char *src;
    int32_t len;
    jx_node *root;
    jx_error err;
} parsed;

static void parse_n(parsed *p, const char *src, size_t len)
{
    jx_arena_init(&p->arena);
    p->src = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(p->src);
    memcpy(p->src, src, len);
    p->len = (int32_t)len;
    p->root = jx_parse(&p->arena, p->src, p->len, &p->err);
}

static void parse_s(parsed *p, const char *src)
{
    parse_n(p, src, strlen(src));
}

static void parsed_free(parsed *p)
{
    jx_arena_free(&p->arena);
    free(p->src);
}

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

/* The S-expression of a tree: "(add (int 1) (var a))". */
static void sexpr(const jx_node *n, char *buf, size_t size, size_t *pos)
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

static void to_sexpr(const jx_node *n, char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    sexpr(n, buf, size, &pos);
}

/* Checks what every node must satisfy; counts nodes into *count. */
static void check_node(const parsed *p, const jx_node *n, int *count)
{
    ++*count;
    ck_assert_int_ge(n->offset, 0);
    ck_assert_int_ge(n->length, 1);
    ck_assert_int_le(n->offset + n->length, p->len);
    ck_assert_int_eq(n->dtype, JX_DTYPE_INVALID);
    ck_assert_int_eq(n->var, -1);
    ck_assert(!n->weak);
    ck_assert_int_ge(n->nargs, 0);
    ck_assert_int_le(n->nargs, JX_MAX_ARGS);
    switch (n->kind) {
    case JX_N_OP:
        ck_assert_int_ge(n->op, 0);
        ck_assert_int_lt(n->op, JX_OP_COUNT);
        ck_assert_int_eq(n->nargs, jx_ops[n->op].arity);
        /* a function row only for an attribute: z.real, z.imag */
        ck_assert(jx_ops[n->op].syn != JX_SYN_FN || n->op == JX_OP_REAL ||
                  n->op == JX_OP_IMAG);
        break;
    case JX_N_CALL:
    case JX_N_VAR:
        ck_assert_int_eq(n->op, -1);
        ck_assert(n->name >= p->src && n->name + n->namelen <= p->src + p->len);
        ck_assert(n->name == p->src + n->offset ||
                  p->src[n->offset] == '('); /* a parenthesised name */
        if (n->kind == JX_N_VAR)
            ck_assert_int_eq(n->nargs, 0);
        break;
    case JX_N_KWARG:
        ck_assert_int_eq(n->op, -1);
        ck_assert_int_eq(n->nargs, 1);
        ck_assert(n->name == p->src + n->offset);
        break;
    default:
        ck_assert_int_eq(n->op, -1);
        ck_assert_int_eq(n->nargs, 0);
        break;
    }
    for (int i = 0; i < n->nargs; i++) {
        const jx_node *c = n->args[i];
        ck_assert_ptr_nonnull(c);
        /* children lie inside their parent */
        ck_assert_int_ge(c->offset, n->offset);
        ck_assert_int_le(c->offset + c->length, n->offset + n->length);
        check_node(p, c, count);
    }
}

/* Collects the nodes of a tree (no node may appear twice). */
static void collect(const jx_node *n, const jx_node **seen, int *count,
                    int max)
{
    for (int i = 0; i < *count; i++)
        ck_assert_msg(seen[i] != n, "a node is shared");
    ck_assert_int_lt(*count, max);
    seen[(*count)++] = n;
    for (int i = 0; i < n->nargs; i++)
        collect(n->args[i], seen, count, max);
}

/* ---- precedence and associativity ------------------------------------ */

static const struct {
    const char *src;
    const char *want;
} tree_rows[] = {
    /* primaries */
    {"1", "(int 1)"},
    {"a", "(var a)"},
    {"  a_1  ", "(var a_1)"},
    {"1.5", "(float 1.5)"},
    {"1e3", "(float 1000)"},
    {"0x10", "(int 16)"},
    {"18446744073709551615", "(int 18446744073709551615)"},
    {"2j", "(imag 2)"},
    {"True", "(bool True)"},
    {"False", "(bool False)"},
    {"(a)", "(var a)"},
    {"((((1))))", "(int 1)"},
    /* each level against the next, both ways round */
    {"a + b * c", "(add (var a) (mul (var b) (var c)))"},
    {"a * b + c", "(add (mul (var a) (var b)) (var c))"},
    {"a - b / c", "(sub (var a) (div (var b) (var c)))"},
    {"a // b - c", "(sub (floordiv (var a) (var b)) (var c))"},
    {"a % b + c", "(add (mod (var a) (var b)) (var c))"},
    {"a << b + c", "(shl (var a) (add (var b) (var c)))"},
    {"a + b >> c", "(shr (add (var a) (var b)) (var c))"},
    {"a & b << c", "(and (var a) (shl (var b) (var c)))"},
    {"a >> b & c", "(and (shr (var a) (var b)) (var c))"},
    {"a ^ b & c", "(xor (var a) (and (var b) (var c)))"},
    {"a & b ^ c", "(xor (and (var a) (var b)) (var c))"},
    {"a | b ^ c", "(or (var a) (xor (var b) (var c)))"},
    {"a ^ b | c", "(or (xor (var a) (var b)) (var c))"},
    {"a < b | c", "(lt (var a) (or (var b) (var c)))"},
    {"a | b >= c", "(ge (or (var a) (var b)) (var c))"},
    {"a * b ** c", "(mul (var a) (pow (var b) (var c)))"},
    {"a ** b * c", "(mul (pow (var a) (var b)) (var c))"},
    {"-a * b", "(mul (neg (var a)) (var b))"},
    {"a * -b", "(mul (var a) (neg (var b)))"},
    {"a | b & c ^ d << e + f * g ** h",
     "(or (var a) (xor (and (var b) (var c)) (shl (var d) (add (var e) "
     "(mul (var f) (pow (var g) (var h)))))))"},
    {"a ** b * c + d << e & f ^ g | h",
     "(or (xor (and (shl (add (mul (pow (var a) (var b)) (var c)) (var d)) "
     "(var e)) (var f)) (var g)) (var h))"},
    /* left associativity of every binary level */
    {"a - b - c", "(sub (sub (var a) (var b)) (var c))"},
    {"a - b + c", "(add (sub (var a) (var b)) (var c))"},
    {"a / b / c", "(div (div (var a) (var b)) (var c))"},
    {"a / b * c", "(mul (div (var a) (var b)) (var c))"},
    {"a // b % c", "(mod (floordiv (var a) (var b)) (var c))"},
    {"a % b // c", "(floordiv (mod (var a) (var b)) (var c))"},
    {"a << b >> c", "(shr (shl (var a) (var b)) (var c))"},
    {"a & b & c", "(and (and (var a) (var b)) (var c))"},
    {"a ^ b ^ c", "(xor (xor (var a) (var b)) (var c))"},
    {"a | b | c", "(or (or (var a) (var b)) (var c))"},
    /* parentheses override */
    {"(a + b) * c", "(mul (add (var a) (var b)) (var c))"},
    {"a - (b - c)", "(sub (var a) (sub (var b) (var c)))"},
    {"(a < b) < c", "(lt (lt (var a) (var b)) (var c))"},
    {"a < (b < c)", "(lt (var a) (lt (var b) (var c)))"},
    /* every comparison */
    {"a < b", "(lt (var a) (var b))"},
    {"a <= b", "(le (var a) (var b))"},
    {"a == b", "(eq (var a) (var b))"},
    {"a != b", "(ne (var a) (var b))"},
    {"a >= b", "(ge (var a) (var b))"},
    {"a > b", "(gt (var a) (var b))"},
    /* chained comparisons */
    {"a < b < c", "(and (lt (var a) (var b)) (lt (var b) (var c)))"},
    {"a < b <= c == d",
     "(and (and (lt (var a) (var b)) (le (var b) (var c))) "
     "(eq (var c) (var d)))"},
    {"0 <= x + 1 < n * 2",
     "(and (le (int 0) (add (var x) (int 1))) "
     "(lt (add (var x) (int 1)) (mul (var n) (int 2))))"},
    {"a != b != c", "(and (ne (var a) (var b)) (ne (var b) (var c)))"},
    {"a > f(b, c) >= d",
     "(and (gt (var a) (call f (var b) (var c))) "
     "(ge (call f (var b) (var c)) (var d)))"},
    {"a < b < c | d",
     "(and (lt (var a) (var b)) (lt (var b) (or (var c) (var d))))"},
    /* unary operators */
    {"-a", "(neg (var a))"},
    {"+a", "(pos (var a))"},
    {"~a", "(invert (var a))"},
    {"--a", "(neg (neg (var a)))"},
    {"-~a", "(neg (invert (var a)))"},
    {"- + ~a", "(neg (pos (invert (var a))))"},
    {"a - -b", "(sub (var a) (neg (var b)))"},
    {"a--b", "(sub (var a) (neg (var b)))"},
    {"a<-b", "(lt (var a) (neg (var b)))"},
    {"a<<-b", "(shl (var a) (neg (var b)))"},
    {"-1", "(neg (int 1))"},
    {"-(a + b)", "(neg (add (var a) (var b)))"},
    {"~a & b", "(and (invert (var a)) (var b))"},
    /* unary against power */
    {"-2**2", "(neg (pow (int 2) (int 2)))"},
    {"2**-1", "(pow (int 2) (neg (int 1)))"},
    {"2**3**2", "(pow (int 2) (pow (int 3) (int 2)))"},
    {"(2**3)**2", "(pow (pow (int 2) (int 3)) (int 2))"},
    {"(-2)**2", "(pow (neg (int 2)) (int 2))"},
    {"~a**b", "(invert (pow (var a) (var b)))"},
    {"a**~b", "(pow (var a) (invert (var b)))"},
    {"-a**-b**-c",
     "(neg (pow (var a) (neg (pow (var b) (neg (var c))))))"},
    {"a ** -b ** c", "(pow (var a) (neg (pow (var b) (var c))))"},
    {"2**--1", "(pow (int 2) (neg (neg (int 1))))"},
    {"-a**b*c", "(mul (neg (pow (var a) (var b))) (var c))"},
    /* calls, 0 to 3 arguments, trailing commas */
    {"f()", "(call f)"},
    {"sum(a, axis=1)", "(call sum (var a) (kw axis (int 1)))"},
    {"sum(a*b, axis=-1,)", "(call sum (mul (var a) (var b)) (kw axis (neg (int 1))))"},
    {"f(a = 1)", "(call f (kw a (int 1)))"},
    {"f(x, y=b, z=c+1)", "(call f (var x) (kw y (var b)) (kw z (add (var c) (int 1))))"},
    {"f( )", "(call f)"},
    {"f(a)", "(call f (var a))"},
    {"f(a,)", "(call f (var a))"},
    {"f(a, b)", "(call f (var a) (var b))"},
    {"f(a, b,)", "(call f (var a) (var b))"},
    {"f(a, b, c)", "(call f (var a) (var b) (var c))"},
    {"f(a,b,c,)", "(call f (var a) (var b) (var c))"},
    {"f(1,2,3,4,5,6,7,8)",
     "(call f (int 1) (int 2) (int 3) (int 4) (int 5) (int 6) (int 7) "
     "(int 8))"},
    {"where(a < b, a + 1, -b)",
     "(call where (lt (var a) (var b)) (add (var a) (int 1)) (neg (var b)))"},
    {"f(g(x), h())", "(call f (call g (var x)) (call h))"},
    {"sin(a)**2", "(pow (call sin (var a)) (int 2))"},
    {"-f(x)", "(neg (call f (var x)))"},
    {"f (x)", "(call f (var x))"},
    {"f((a), (b),)", "(call f (var a) (var b))"},
    {"f(a == 1)", "(call f (eq (var a) (int 1)))"},
    {"unknown_fn(1)", "(call unknown_fn (int 1))"},
    /* attributes: .real and .imag are real() and imag(), binding tighter
     * than ** and the unary operators, as Python's attributes */
    {"z.real", "(real (var z))"},
    {"z.imag", "(imag (var z))"},
    {"(a-10).real", "(real (sub (var a) (int 10)))"},
    {"-z.real", "(neg (real (var z)))"},
    {"z.real**2", "(pow (real (var z)) (int 2))"},
    {"2**z.imag", "(pow (int 2) (imag (var z)))"},
    {"-z.imag**-z.real", "(neg (pow (imag (var z)) (neg (real (var z)))))"},
    {"z.real.imag", "(imag (real (var z)))"},
    {"f(z).real", "(real (call f (var z)))"},
    {"1 .real", "(real (int 1))"},
    {"1.5.imag", "(imag (float 1.5))"},
    {"2j.imag", "(imag (imag 2))"},
    {"0x1f.real", "(real (int 31))"},
    {"z . real", "(real (var z))"},
    /* literals in expressions */
    {"True & False | 2j", "(or (and (bool True) (bool False)) (imag 2))"},
    {"a\n+\tb\r\n", "(add (var a) (var b))"},
    {"1-1", "(sub (int 1) (int 1))"},
};

START_TEST(test_trees)
{
    parsed p;
    parse_s(&p, tree_rows[_i].src);
    ck_assert_msg(p.root != NULL, "%s: %s at %d", tree_rows[_i].src,
                  p.err.message, (int)p.err.offset);
    char buf[1024];
    to_sexpr(p.root, buf, sizeof buf);
    ck_assert_msg(strcmp(buf, tree_rows[_i].want) == 0,
                  "%s:\n  got  %s\n  want %s", tree_rows[_i].src, buf,
                  tree_rows[_i].want);
    int count = 0;
    check_node(&p, p.root, &count);
    const jx_node *seen[256];
    int nseen = 0;
    collect(p.root, seen, &nseen, 256);
    ck_assert_int_eq(p.err.code, JX_OK);
    parsed_free(&p);
}
END_TEST

/* Every operator of the table parses to its own row, and every function
 * spelling is a call the parser leaves to sema (op = -1). */
START_TEST(test_op_table)
{
    int nbin = 0, nun = 0;
    for (int i = 0; i < JX_OP_COUNT; i++) {
        char src[64], want[128], got[256];
        const jx_opinfo *o = &jx_ops[i];
        switch (o->syn) {
        case JX_SYN_OPB:
            snprintf(src, sizeof src, "a %s b", o->spell);
            snprintf(want, sizeof want, "(%s (var a) (var b))", o->mnem);
            nbin++;
            break;
        case JX_SYN_OPU:
            snprintf(src, sizeof src, "%s a", o->spell);
            snprintf(want, sizeof want, "(%s (var a))", o->mnem);
            nun++;
            break;
        case JX_SYN_FN:
            snprintf(src, sizeof src, "%s(a, b)", o->spell);
            snprintf(want, sizeof want, "(call %s (var a) (var b))", o->spell);
            break;
        }
        parsed p;
        parse_s(&p, src);
        ck_assert_msg(p.root != NULL, "%s: %s", src, p.err.message);
        to_sexpr(p.root, got, sizeof got);
        ck_assert_msg(strcmp(got, want) == 0, "%s: %s, want %s", src, got,
                      want);
        if (o->syn != JX_SYN_FN)
            ck_assert_int_eq(p.root->op, i);
        else
            ck_assert_int_eq(p.root->op, -1);
        parsed_free(&p);
    }
    ck_assert_int_gt(nbin, 0);
    ck_assert_int_gt(nun, 0);
}
END_TEST

/* A chained comparison copies its middle operand: no node is shared, and
 * the copy has the original's spans. */
START_TEST(test_chain_copies)
{
    parsed p;
    parse_s(&p, "a < b + c * d < e <= f(g, -h) == i");
    ck_assert_ptr_nonnull(p.root);
    const jx_node *seen[64];
    int n = 0;
    collect(p.root, seen, &n, 64);
    /* 3 ands, 4 comparisons, b+c*d and f(g,-h) twice, e twice, a, i */
    ck_assert_int_eq(n, 3 + 4 + 2 * 5 + 2 * 4 + 2 * 1 + 2);
    const jx_node *first = p.root->args[0]->args[0]->args[0];
    const jx_node *second = p.root->args[0]->args[0]->args[1];
    ck_assert_ptr_ne(first->args[1], second->args[0]);
    ck_assert_int_eq(first->args[1]->offset, second->args[0]->offset);
    ck_assert_int_eq(first->args[1]->length, second->args[0]->length);
    ck_assert_int_eq(second->args[0]->offset, 4);
    ck_assert_int_eq(second->args[0]->length, 9);
    parsed_free(&p);
}
END_TEST

/* ---- spans -------------------------------------------------------------- */

static const struct {
    const char *src;
    const char *path; /* child indices from the root: "" root, "10" */
    int32_t offset, length;
} span_rows[] = {
    {"a + b", "", 0, 5},
    {"a + b", "0", 0, 1},
    {"a + b", "1", 4, 1},
    {" abc ", "", 1, 3},
    {"1.5e3 + x", "0", 0, 5},
    {"0x1f+1", "0", 0, 4},
    {"2j*True", "1", 3, 4},
    {"-a", "", 0, 2},
    {"- a", "", 0, 3},
    {"-~a", "0", 1, 2},
    {"a ** b ** c", "", 0, 11},
    {"a ** b ** c", "1", 5, 6},
    {"2**-1", "1", 3, 2},
    {"f(a, b)", "", 0, 7},
    {"f(a, b)", "1", 5, 1},
    {"-(a+1).real", "", 0, 11},
    {"-(a+1).real", "0", 1, 10},
    {"z.imag**2", "0", 0, 6},
    {"f( )", "", 0, 4},
    {"f(a,)", "", 0, 5},
    {"sin(x)**2", "", 0, 9},
    {"sin(x)**2", "0", 0, 6},
    /* parentheses belong to the inner node's span */
    {" ( a ) ", "", 1, 5},
    {"((a))", "", 0, 5},
    {"(a+b)*c", "", 0, 7},
    {"(a+b)*c", "0", 0, 5},
    {"(a+b)*c", "00", 1, 1},
    {"a + (b)", "1", 4, 3},
    {"f((a))", "0", 2, 3},
    /* chains: the and spans all, the copy has the middle's span */
    {"a < b < c", "", 0, 9},
    {"a < b < c", "0", 0, 5},
    {"a < b < c", "1", 4, 5},
    {"a < b < c", "10", 4, 1},
    {"a < b < c", "01", 4, 1},
    {"x<(y)<z", "10", 2, 3},
};

START_TEST(test_spans)
{
    parsed p;
    parse_s(&p, span_rows[_i].src);
    ck_assert_msg(p.root != NULL, "%s: %s", span_rows[_i].src, p.err.message);
    const jx_node *n = p.root;
    for (const char *c = span_rows[_i].path; *c; c++) {
        ck_assert_int_lt(*c - '0', n->nargs);
        n = n->args[*c - '0'];
    }
    ck_assert_msg(n->offset == span_rows[_i].offset &&
                      n->length == span_rows[_i].length,
                  "%s [%s]: %d+%d, want %d+%d", span_rows[_i].src,
                  span_rows[_i].path, (int)n->offset, (int)n->length,
                  (int)span_rows[_i].offset, (int)span_rows[_i].length);
    parsed_free(&p);
}
END_TEST

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

/* ---- dump --------------------------------------------------------------- */

static const struct {
    const char *src;
    const char *want;
} dump_rows[] = {
    {"2 + a", "add\n  int 2\n  var a\n"},
    {"-x**2.5 < sin(y)",
     "lt\n  neg\n    pow\n      var x\n      float 2.5\n  call sin\n"
     "    var y\n"},
    {"True | 2j", "or\n  bool True\n  imag 2j\n"},
    {"0.1 // f()", "floordiv\n  float 0.10000000000000001\n  call f\n"},
    {"1e400", "float inf\n"},
    {"~(a < b < c)",
     "invert\n  and\n    lt\n      var a\n      var b\n    lt\n      var b\n"
     "      var c\n"},
};

START_TEST(test_dump)
{
    parsed p;
    parse_s(&p, dump_rows[_i].src);
    ck_assert_ptr_nonnull(p.root);
    jx_buf b = {0};
    jx_parse_dump(p.root, &b);
    char *s = jx_buf_take(&b);
    ck_assert_str_eq(s, dump_rows[_i].want);
    free(s);
    parsed_free(&p);
}
END_TEST

/* After sema: dtypes, weak literals, constants and casts. */
START_TEST(test_dump_typed)
{
    parsed p;
    parse_s(&p, "a + 1");
    ck_assert_ptr_nonnull(p.root);
    p.root->dtype = JX_FLOAT64;
    p.root->args[0]->dtype = JX_FLOAT64;
    p.root->args[1]->dtype = JX_INT64;
    p.root->args[1]->weak = true;
    jx_node *cast = jx_arena_alloc(&p.arena, sizeof *cast);
    jx_node *c = jx_arena_alloc(&p.arena, sizeof *c);
    jx_node *b = jx_arena_alloc(&p.arena, sizeof *b);
    c->kind = JX_N_CONST;
    c->dtype = JX_INT64;
    c->v.i = -3;
    b->kind = JX_N_CONST;
    b->dtype = JX_BOOL;
    b->v.u = 1;
    cast->kind = JX_N_CAST;
    cast->dtype = JX_FLOAT32;
    cast->args[0] = c;
    cast->nargs = 1;
    jx_buf buf = {0};
    jx_parse_dump(p.root, &buf);
    jx_parse_dump(cast, &buf);
    jx_parse_dump(b, &buf);
    jx_parse_dump(NULL, &buf);
    char *s = jx_buf_take(&buf);
    ck_assert_str_eq(s, "add :float64\n  var a :float64\n  int 1 :int64 weak\n"
                        "cast :float32\n  const -3 :int64\n"
                        "const True :bool\n");
    free(s);
    parsed_free(&p);
}
END_TEST

/* ---- random input -------------------------------------------------------- */

static const char *const pieces[] = {
    "a", "b1", "1", "2.5", "0x1f", "3j", "True", "(", ")", "(", ")", "+",
    "-", "*", "/", "//", "%", "**", "~", "&", "|", "^", "<<", ">>", "<",
    "<=", "==", "!=", ">", ">=", ",", "f(", "sin(", "=", " ", "  ", "'s'",
    "@", "1e", "0b", ".", "\n", "1_0", ".5", ".real", ".imag", "[", "and ",
};

/* Every parse of random token soup either succeeds with a sound tree or
 * fails with a sound error; nothing crashes (valgrind: nothing leaks). */
START_TEST(test_random)
{
    uint64_t state = 0x9e3779b97f4a7c15ull;
    int ok = 0, failed = 0;
    for (int iter = 0; iter < 20000; iter++) {
        char src[256];
        size_t len = 0;
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        int n = 1 + (int)((state >> 33) % 24);
        for (int k = 0; k < n; k++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            const char *pc = pieces[(state >> 33) % N_ELEMS(pieces)];
            size_t lp = strlen(pc);
            memcpy(src + len, pc, lp);
            len += lp;
        }
        parsed p;
        parse_n(&p, src, len);
        if (p.root != NULL) {
            int count = 0;
            check_node(&p, p.root, &count);
            ok++;
        } else {
            ck_assert(p.err.code == JX_ERR_SYNTAX ||
                      p.err.code == JX_ERR_UNSUPPORTED ||
                      p.err.code == JX_ERR_ATTRIBUTE ||
                      p.err.code == JX_ERR_TYPE ||
                      p.err.code == JX_ERR_OVERFLOW ||
                      p.err.code == JX_ERR_LIMIT);
            ck_assert_int_ge(p.err.offset, 0);
            ck_assert_int_ge(p.err.length, 0);
            ck_assert_int_le(p.err.offset + p.err.length, p.len);
            ck_assert(p.err.message[0] != '\0');
            failed++;
        }
        parsed_free(&p);
    }
    ck_assert_int_gt(ok, 100);
    ck_assert_int_gt(failed, 100);
}
END_TEST

/* Every prefix of every valid expression of the table: no crash, and an
 * error never points past the end. */
START_TEST(test_prefixes)
{
    for (int r = 0; r < N_ELEMS(tree_rows); r++) {
        size_t len = strlen(tree_rows[r].src);
        for (size_t k = 0; k <= len; k++) {
            parsed p;
            parse_n(&p, tree_rows[r].src, k);
            if (p.root == NULL)
                ck_assert_int_le(p.err.offset + p.err.length, (int)k);
            parsed_free(&p);
        }
    }
}
END_TEST

static Suite *parse_suite(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("parse");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_trees, 0, N_ELEMS(tree_rows));
    tcase_add_test(tc, test_op_table);
    tcase_add_test(tc, test_chain_copies);
    tcase_add_loop_test(tc, test_spans, 0, N_ELEMS(span_rows));
    tcase_add_loop_test(tc, test_errors, 0, N_ELEMS(error_rows));
    tcase_add_loop_test(tc, test_strings, 0, N_ELEMS(string_rows));
    tcase_add_test(tc, test_string_operands);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_loop_test(tc, test_limits, 0, N_ELEMS(limit_rows));
    tcase_add_test(tc, test_depth_messages);
    tcase_add_test(tc, test_node_limit);
    tcase_add_loop_test(tc, test_dump, 0, N_ELEMS(dump_rows));
    tcase_add_test(tc, test_dump_typed);
    tcase_add_test(tc, test_random);
    tcase_add_test(tc, test_prefixes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(parse_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
