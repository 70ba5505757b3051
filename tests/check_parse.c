/* check_parse.c - the parser: precedence and associativity as
 * S-expressions, the operator table, chained comparisons, spans, the dump
 * format, and random input.  Errors, string literals and the limits are
 * in check_parse_errors.c.
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
