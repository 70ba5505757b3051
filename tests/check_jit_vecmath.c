/* check_jit_vecmath.c - the JIT's math functions: the contiguous kernels
 * call libmvec's vector variants (test_vecmath), complex exp's written-out
 * form, the AVX2 variants and scalar libm (JITEXPR_VECMATH), SLEEF
 * (JITEXPR_SLEEF), no masked loads from memory in the machine code, and
 * the choice between vmath.c's kernels and the library's (JITEXPR_MATHLIB),
 * and the fast forms of the log kernels, bit for bit the whole kernels'.
 *
 * Run under gdb or valgrind with CK_FORK=no. */
#include <dlfcn.h>

#include "jitutil.h"

/* ---- vector math --------------------------------------------------------- */

/* The libmvec ISA letter the engine picks on this host: 'e' (AVX-512F),
 * 'd' (AVX2), or 0 (neither, or no libmvec: scalar libm); no higher than
 * `limit`. */
static char host_isa(char limit)
{
    void *h = dlopen("libmvec.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (h == NULL)
        return 0;
    dlclose(h);
    __builtin_cpu_init();
    char isa = __builtin_cpu_supports("avx512f") ? 'e'
               : __builtin_cpu_supports("avx2") ? 'd'
                                                : 0;
    return isa < limit ? isa : limit;
}

/* Whether op is a math function with libmvec variants (float pow too). */
static bool vec_math_op(int op)
{
    return jx_ops[op].low == JX_L_LIBM || op == JX_OP_POW;
}

/* The line of jx_target_info for function `spell` at precision t, copied
 * to line (empty when it has none). */
static void choice_line(const char *spell, jx_dtype t, char *line, size_t size)
{
    char *info = jx_target_info();
    ck_assert_ptr_nonnull(info);
    char key[64];
    snprintf(key, sizeof key, "\n%s %s: ", spell, jx_dtype_name(t));
    const char *p = strstr(info, key);
    line[0] = '\0';
    if (p != NULL)
        snprintf(line, size, "%.*s", (int)strcspn(p + 1, "\n"), p + 1);
    free(info);
}

/* The contiguous kernel of op over float dtype t calls its vector variant
 * for ISA isa (none: 0), e.g. "call <8 x double> @_ZGVeN8v_sin(", or for
 * a function vmath.c writes out, holds its vector code and no call. */
static void check_vector_call(int op, jx_dtype t, char isa)
{
    tir T;
    char text[64];
    if (op == JX_OP_POW) {
        tir_init(&T);
        snprintf(text, sizeof text, "pow(%s)", jx_dtype_name(t));
        T.ir.text = text;
        int x = tir_input(&T, t), y = tir_input(&T, t);
        tir_op(&T, op, t, x, y, 0);
    } else {
        op_ir(&T, op, t, text, sizeof text);
    }
    bool two = op == JX_OP_POW || jx_ops[op].arity == 2;
    jx_buf b = {0};
    jx_error err;
    ck_assert_int_eq(jx_jit_explain(&T.ir, two ? "CCC:n" : "CC:n",
                                    JX_EXPLAIN_LLVM, &b, &err), 0);
    char *ir = jx_buf_take(&b);
    ck_assert_ptr_nonnull(ir);
    const char *fn = op == JX_OP_POW ? "pow" : jx_ops[op].fn;
    bool f64 = t == JX_FLOAT64;
    char line[256];
    choice_line(jx_ops[op].spell, f64 ? JX_FLOAT64 : JX_FLOAT32, line, sizeof line);
    if (jx_vm_has_guarded(fn, !f64) && t != JX_FLOAT16 &&
        strstr(line, ": library") == NULL) {
        /* vmath_trig.c's kernel in the fast loop, widened, and in the
         * exact loop, for the elements out of its range, helpers.c's
         * scalar call of libm's function: no vector call */
        char helper[32];
        snprintf(helper, sizeof helper, "@jx_hp_%s%s(", fn, f64 ? "" : "f");
        ck_assert_msg(strstr(ir, "fast.body") != NULL && strstr(ir, "@llvm.fma.v") != NULL &&
                          strstr(ir, helper) != NULL && strstr(ir, "_ZGV") == NULL,
                      "%s: not the guarded kernel", text);
        free(ir);
        return;
    }
    if (jx_vm_has(fn) && strstr(line, ": library") == NULL) {
        /* vmath.c's kernel, widened: no call at all (its a*b + c is
         * llvm.fma on a CPU with FMA, else llvm.fmuladd) */
        char scalar[32];
        snprintf(scalar, sizeof scalar, "@%s%s(", fn, f64 ? "" : "f");
        ck_assert_msg((strstr(ir, "@llvm.fma.v") != NULL ||
                       strstr(ir, "@llvm.fmuladd.v") != NULL) &&
                          strstr(ir, "_ZGV") == NULL &&
                          strstr(ir, scalar) == NULL,
                      "%s: not the vectorized kernel in\n%s", text, ir);
        free(ir);
        return;
    }
    int lanes = (isa == 'e' ? 512 : 256) / (f64 ? 64 : 32);
    char sym[64];
    snprintf(sym, sizeof sym, "_ZGV%cN%d%s_%s%s", isa, lanes,
             two ? "vv" : "v", fn, f64 ? "" : "f");
    if (strstr(jx_jit_target_id(), "sleef:yes") != NULL) /* SLEEF's log */
        for (int k = 0; k < JX_CG_NVEC; k++) {
            jx_cg_vecfn v;
            if (jx_cg_vecfn_get(k, &v) == 0 && v.lib == 's' &&
                v.isa == isa && v.f32 == !f64 && strcmp(v.fn, fn) == 0)
                snprintf(sym, sizeof sym, "%s", v.sym);
        }
    char call[96];
    snprintf(call, sizeof call, "call <%d x %s> @%s(", lanes,
             f64 ? "double" : "float", sym);
    if (isa != 0)
        ck_assert_msg(strstr(ir, call) != NULL, "%s: no %s in\n%s", text, call, ir);
    else
        ck_assert_msg(strstr(ir, "_ZGV") == NULL, "%s: a vector call without "
                      "libmvec in\n%s", text, ir);
    free(ir);
}

/* Math functions over float64, float32 and float16 call libmvec's variants
 * for the host in the contiguous loop. */
START_TEST(test_vecmath)
{
    char isa = host_isa('e');
    static const char *const names[] = {"none", "avx2", "avx512"};
    char want[32];
    snprintf(want, sizeof want, "libmvec:%s", names[isa == 'e' ? 2 : isa == 'd']);
    ck_assert_msg(strstr(jx_jit_target_id(), want) != NULL, "target %s, want %s",
                  jx_jit_target_id(), want);
    static const jx_dtype ts[] = {JX_FLOAT64, JX_FLOAT32, JX_FLOAT16};
    for (int op = 0; op < JX_OP_COUNT; op++)
        if (vec_math_op(op))
            for (int k = 0; k < 3; k++)
                check_vector_call(op, ts[k], isa);
}
END_TEST

/* Complex exp, exp2 and expm1 are written out from the real functions:
 * the contiguous loop calls the vector sin and cos (and exp, unless
 * vmath.c writes it out), on complex64's floats, and never cmath.c;
 * complex128's sin and cos are vmath_trig.c's kernels where the engine
 * takes them (helpers.c's libm sin and cos out of their range). */
START_TEST(test_complex_exp_vector)
{
    char isa = host_isa('e');
    static const jx_dtype ts[] = {JX_COMPLEX128, JX_COMPLEX64};
    static const int ops[] = {JX_OP_EXP, JX_OP_EXP2, JX_OP_EXPM1};
    for (int k = 0; k < 2; k++)
        for (int o = 0; o < 3; o++) {
            tir T;
            char text[64];
            op_ir(&T, ops[o], ts[k], text, sizeof text);
            jx_buf b = {0};
            jx_error err;
            ck_assert_int_eq(jx_jit_explain(&T.ir, "CC:n", JX_EXPLAIN_LLVM, &b, &err), 0);
            char *ir = jx_buf_take(&b);
            ck_assert_ptr_nonnull(ir);
            ck_assert_msg(strstr(ir, "@jx_cm_") == NULL, "%s: calls cmath.c:\n%s", text, ir);
            bool f64 = ts[k] == JX_COMPLEX128;
            int lanes = (isa == 'e' ? 512 : 256) / (f64 ? 64 : 32);
            static const char *const fns[] = {"sin", "cos", "exp"};
            for (int f = 0; isa != 0 && f < 3; f++) {
                char call[96], line[256];
                choice_line(fns[f], JX_FLOAT64, line, sizeof line);
                if (f64 && f < 2 && strstr(line, ": library") == NULL)
                    snprintf(call, sizeof call, "call double @jx_hp_%s(", fns[f]);
                else
                    snprintf(call, sizeof call, "call <%d x %s> @_ZGV%cN%dv_%s%s(", lanes,
                             f64 ? "double" : "float", isa, lanes, fns[f], f64 ? "" : "f");
                ck_assert_msg(strstr(ir, call) != NULL || (f == 2 && jx_vm_has("exp")),
                              "%s: no %s", text, call);
            }
            free(ir);
        }
}
END_TEST

/* JITEXPR_VECMATH=avx2 and none: the AVX2 variants (on an AVX-512 host
 * too) and scalar libm, each checked like test_op.  The engine reads the
 * variable when it starts: this needs a fresh process (Check's fork); with
 * CK_FORK=no the test finds the engine already set up and does nothing. */
START_TEST(test_vecmath_env)
{
    static const char *const env[] = {"avx2", "none"};
    setenv("JITEXPR_VECMATH", env[_i], 1);
    char want[32];
    snprintf(want, sizeof want, "libmvec:%s", env[_i]);
    char isa = host_isa(_i == 0 ? 'd' : 0);
    if (isa == 0)
        strcpy(want, "libmvec:none");
    if (strstr(jx_jit_target_id(), want) == NULL) {
        const char *fork = getenv("CK_FORK");
        ck_assert_msg(fork != NULL && strcmp(fork, "no") == 0,
                      "JITEXPR_VECMATH=%s: target %s", env[_i], jx_jit_target_id());
        return;
    }
    static const jx_dtype ts[] = {JX_FLOAT64, JX_FLOAT32, JX_FLOAT16};
    for (int op = 0; op < JX_OP_COUNT; op++)
        if (vec_math_op(op)) {
            for (int k = 0; k < 3; k++)
                check_vector_call(op, ts[k], isa);
            ck_assert_int_gt(check_op(op), 0);
        }
    unsetenv("JITEXPR_VECMATH");
}
END_TEST

/* SLEEF: only with JITEXPR_SLEEF=yes (and where libsleef.so.3 loads) the
 * engine uses it ("sleef:yes") and log calls its variants; by default log
 * calls libmvec's (its AVX-512 log reads a constant with a masked load,
 * whose speed depends on the page's table entry: docs/math.md).  A fresh
 * process each, as test_vecmath_env. */
START_TEST(test_sleef_env)
{
    if (_i == 1)
        setenv("JITEXPR_SLEEF", "yes", 1);
    setenv("JITEXPR_MATHLIB", "lib", 1); /* log from a library, not vmath.c */
    char isa = host_isa('e');
    void *h = dlopen("libsleef.so.3", RTLD_LAZY | RTLD_LOCAL);
    bool want = _i == 1 && isa != 0 && h != NULL;
    if (h != NULL)
        dlclose(h);
    bool have = strstr(jx_jit_target_id(), "sleef:yes") != NULL;
    const char *fork = getenv("CK_FORK");
    if (have != want && fork != NULL && strcmp(fork, "no") == 0)
        return; /* the engine was set up by an earlier test */
    ck_assert_msg(have == want, "target %s, want sleef:%s",
                  jx_jit_target_id(), want ? "yes" : "no");
    static const jx_dtype ts[] = {JX_FLOAT64, JX_FLOAT32};
    for (int k = 0; k < 2; k++)
        check_vector_call(JX_OP_LOG, ts[k], isa);
    ck_assert_int_gt(check_op(JX_OP_LOG), 0);
    unsetenv("JITEXPR_SLEEF");
}
END_TEST

/* Whether the AT&T assembly line has a masked instruction ("{%k1}") that
 * reads memory: a memory operand ("(") before the last operand, which is
 * the destination.  Such a load of a constant takes a microcode assist on
 * every execution while the page's table entry is not present or not
 * marked accessed (docs/math.md: SLEEF's log ran 50 times slower). */
static bool masked_memory_read(const char *line, size_t len)
{
    const char *k = NULL;
    for (size_t i = 0; i + 3 <= len && k == NULL; i++)
        if (memcmp(line + i, "{%k", 3) == 0)
            k = line + i;
    if (k == NULL)
        return false;
    const char *last = NULL; /* the last comma outside parentheses */
    int depth = 0;
    for (const char *p = line; p < k; p++) {
        depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
        if (*p == ',' && depth == 0)
            last = p;
    }
    if (last == NULL)
        return false;
    /* A reload of a spill slot ("320(%rsp)") is no risk: the loop wrote
     * it, unmasked, in the same iteration, so its page is present and
     * accessed. */
    const char *open = memchr(line, '(', (size_t)(last - line));
    return open != NULL && strncmp(open, "(%rsp)", 6) != 0;
}

/* The math functions (the LIBM rows, and the float power) over float64
 * and float32, contiguous:
 * the kernel's machine code has no masked instruction reading memory
 * (vmath.c's kernels, in the suite's JITEXPR_MATHLIB=own), so their speed
 * cannot depend on a page's table entry as SLEEF's log did.  (Elsewhere
 * LLVM does emit such reads: where() loads under its condition, floordiv
 * and float32 comparisons read constants under a mask.  They read
 * anonymous memory, the arrays and the kernel's constant pool, whose
 * pages stay present: a cleared accessed bit costs one assist per page,
 * once, measured in docs/math.md.  A library's constants are file pages,
 * which reclaim takes away for good.) */
/* How many masked reads of memory the machine code of ir over layout lay
 * has (each listed on stderr, under text). */
static int masked_reads_in(const jx_ir *ir, const char *lay, const char *text)
{
    jx_buf b = {0};
    jx_error err;
    ck_assert_int_eq(jx_jit_explain(ir, lay, JX_EXPLAIN_ASM, &b, &err), 0);
    char *as = jx_buf_take(&b);
    ck_assert_ptr_nonnull(as);
    int bad = 0;
    for (const char *p = as; *p != '\0';) {
        size_t len = strcspn(p, "\n");
        if (masked_memory_read(p, len)) {
            fprintf(stderr, "%s: a masked read of memory: %.*s\n", text,
                    (int)len, p);
            bad++;
        }
        p += len + (p[len] == '\n');
    }
    free(as);
    return bad;
}

START_TEST(test_no_masked_loads)
{
    static const struct {
        const char *line;
        bool reads;
    } lines[] = {
        {"\tvbroadcastsd\t0x15112c(%rip), %zmm1 {%k1}", true},
        {"\tvblendmpd\t.LCPI0_3(%rip), %zmm6, %zmm10 {%k2}", true},
        {"\tvmulpd\t.LCPI0_2(%rip){1to8}, %zmm28, %zmm29 {%k1}", true},
        {"\tvpblendmq\t.LCPI0_18(%rip){1to8}, %zmm18, %zmm24 {%k1}", true},
        {"\tvmovsd\t.LCPI0_13(%rip), %xmm13 {%k1}", true},
        {"\tvgatherqpd\t(%rax,%zmm1,8), %zmm2 {%k1}", true},
        {"\tvmovapd\t(%rdi,%rax,8), %zmm0 {%k1} {z}", true},
        {"\tvmovupd\t%zmm0, (%r14,%r13,8) {%k1}", false},
        {"\tvaddpd\t%zmm1, %zmm2, %zmm3 {%k1}", false},
        {"\tvcmpgtpd\t320(%rsp), %zmm17, %k4 {%k4}", false},
        {"\tvfmadd213pd\t.LCPI0_3(%rip){1to8}, %zmm1, %zmm2", false},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        ck_assert_msg(masked_memory_read(lines[i].line, strlen(lines[i].line)) ==
                          lines[i].reads,
                      "%s", lines[i].line);
    static const jx_dtype ts[] = {JX_FLOAT64, JX_FLOAT32, JX_FLOAT16};
    int checked = 0, bad = 0;
    for (int op = 0; op < JX_OP_COUNT; op++)
        for (int k = 0; k < 3; k++) {
            if (jx_ops[op].low != JX_L_LIBM || !op_accepts(op, ts[k]))
                continue;
            tir T;
            char text[64];
            op_ir(&T, op, ts[k], text, sizeof text);
            char lay[16];
            memset(lay, 'C', (size_t)T.ir.ninputs + 1);
            strcpy(lay + T.ir.ninputs + 1, ":n");
            bad += masked_reads_in(&T.ir, lay, text);
            checked++;
        }
    for (int k = 0; k < 2; k++) { /* and the float power, a ** b */
        tir T;
        char text[64];
        tir_init(&T);
        snprintf(text, sizeof text, "pow(%s)", jx_dtype_name(ts[k]));
        T.ir.text = text;
        int x = tir_input(&T, ts[k]), y = tir_input(&T, ts[k]);
        tir_op(&T, JX_OP_POW, ts[k], x, y, 0);
        bad += masked_reads_in(&T.ir, "CCC:n", text);
        checked++;
    }
    ck_assert_int_gt(checked, 60);
    ck_assert_msg(bad == 0, "%d masked reads of memory (stderr lists them)", bad);
}
END_TEST

/* JITEXPR_MATHLIB: which of vmath.c's kernel and the library's vector
 * function kernels use for tanh and arctan2 (both have both), one
 * environment per process (Check's fork; CK_FORK=no: skipped). */
static const struct mathlib_row {
    const char *env;     /* JITEXPR_MATHLIB */
    char tanh, arctan2;  /* 'o' ours, 'l' the library's, 'm' measured */
} mathlib_rows[] = {
    {"own", 'o', 'o'},
    {"lib", 'l', 'l'},
    {"auto", 'm', 'm'},
    {"lib,arctan2=own", 'l', 'o'},
    {"own,tanh=lib,atan2=lib", 'l', 'l'},
    {"auto,tanh=own", 'o', 'm'},
    {"never,tanh=sometimes", 'm', 'm'}, /* unreadable words: auto */
};

START_TEST(test_mathlib_env)
{
    const struct mathlib_row *r = &mathlib_rows[_i];
    char isa = host_isa('e');
    const char *fork = getenv("CK_FORK");
    if (isa == 0 || (fork != NULL && strcmp(fork, "no") == 0))
        return; /* no vector library: vmath.c's kernels, nothing to choose */
    setenv("JITEXPR_MATHLIB", r->env, 1);
    static const int ops[] = {JX_OP_TANH, JX_OP_ARCTAN2};
    static const jx_dtype ts[] = {JX_FLOAT64, JX_FLOAT32};
    for (int o = 0; o < 2; o++)
        for (int k = 0; k < 2; k++) {
            char want = o == 0 ? r->tanh : r->arctan2;
            const char *spell = jx_ops[ops[o]].spell;
            ck_assert_int_gt(check_op(ops[o]), 0); /* compiles, and right */
            char line[256];
            choice_line(spell, ts[k], line, sizeof line);
            bool lib = strstr(line, ": library") != NULL;
            ck_assert_msg(lib || strstr(line, ": ours") != NULL,
                          "%s: %s %s has no choice: '%s'", r->env, spell,
                          jx_dtype_name(ts[k]), line);
            if (want == 'm') {
                /* in cache and from memory: the library's only where it
                 * is faster in both */
                double ns[4];
                const char *m = strstr(line, "measured: ours ");
                ck_assert_msg(m != NULL && sscanf(m, "measured: ours %lf, "
                              "library %lf ns/element in cache; %lf and %lf "
                              "from memory", &ns[0], &ns[1], &ns[2], &ns[3]) == 4,
                              "%s: '%s'", r->env, line);
                for (int i = 0; i < 4; i++)
                    ck_assert_msg(ns[i] > 0 && ns[i] < 1e3, "%s: '%s'", r->env, line);
                ck_assert_msg(lib == (ns[1] < ns[0] * 0.97 && ns[3] < ns[2] * 0.97),
                              "%s: '%s'", r->env, line);
            } else {
                ck_assert_msg(lib == (want == 'l') &&
                                  strstr(line, "(JITEXPR_MATHLIB)") != NULL,
                              "%s: '%s'", r->env, line);
            }
            /* the kernel calls what was chosen */
            tir T;
            char text[64];
            op_ir(&T, ops[o], ts[k], text, sizeof text);
            jx_buf b = {0};
            jx_error err;
            ck_assert_int_eq(jx_jit_explain(&T.ir, o ? "CCC:n" : "CC:n",
                                            JX_EXPLAIN_LLVM, &b, &err), 0);
            char *ir = jx_buf_take(&b);
            ck_assert_msg((strstr(ir, "call <") != NULL &&
                           strstr(ir, "@_ZGV") != NULL) == lib,
                          "%s: %s: library %d, but\n%s", r->env, text, lib, ir);
            free(ir);
        }
}
END_TEST

/* ---- fast forms ---------------------------------------------------------- */

/* The fast forms of log, log2, log10, log1p and arctanh (vmath.c,
 * jx_vm_emit_fast): the loop computes them without their special cases
 * and computes the chunk again with the whole kernel where a guard flags
 * an element.  Each row puts x among ordinary values, at one position
 * (first, in the vector loop, in its tail, last) or at every one: every
 * result has the bits of the whole kernel alone (the same layout without
 * ":n": one loop), and x's result is NumPy's (NaN: any NaN). */
static const struct fast_row {
    int op;
    int dtypes; /* 1 float64, 2 float32 */
    double x, want;
} fast_rows[] = {
    {JX_OP_LOG, 3, 0.0, -INFINITY},        {JX_OP_LOG, 3, -0.0, -INFINITY},
    {JX_OP_LOG, 3, -1.0, NAN},             {JX_OP_LOG, 3, INFINITY, INFINITY},
    {JX_OP_LOG, 3, -INFINITY, NAN},        {JX_OP_LOG, 3, NAN, NAN},
    {JX_OP_LOG, 3, 1.0, 0.0},              {JX_OP_LOG, 3, -0x1p-149, NAN},
    {JX_OP_LOG2, 1, 0x1p-1074, -1074.0},   {JX_OP_LOG2, 2, 0x1p-149, -149.0},
    {JX_OP_LOG2, 1, 0x1p-1022, -1022.0},   {JX_OP_LOG2, 2, 0x1p-126, -126.0},
    {JX_OP_LOG2, 1, 0x1.fffffffffffffp-1023, -1022.0},
    {JX_OP_LOG2, 3, -0.0, -INFINITY},      {JX_OP_LOG2, 3, -2.0, NAN},
    {JX_OP_LOG10, 3, 0.0, -INFINITY},      {JX_OP_LOG10, 3, INFINITY, INFINITY},
    {JX_OP_LOG10, 3, NAN, NAN},            {JX_OP_LOG10, 3, 100.0, 2.0},
    {JX_OP_LOG1P, 3, -1.0, -INFINITY},     {JX_OP_LOG1P, 3, -2.0, NAN},
    {JX_OP_LOG1P, 3, -0.0, -0.0},          {JX_OP_LOG1P, 3, INFINITY, INFINITY},
    {JX_OP_LOG1P, 3, -INFINITY, NAN},      {JX_OP_LOG1P, 2, 0x1p-149, 0x1p-149},
    {JX_OP_LOG1P, 1, 0x1p-1074, 0x1p-1074},
    {JX_OP_ARCTANH, 3, 1.0, INFINITY},     {JX_OP_ARCTANH, 3, -1.0, -INFINITY},
    {JX_OP_ARCTANH, 3, 2.0, NAN},          {JX_OP_ARCTANH, 3, -0.0, -0.0},
    {JX_OP_ARCTANH, 3, -INFINITY, NAN},    {JX_OP_ARCTANH, 3, NAN, NAN},
    {JX_OP_ARCTANH, 1, -0x1p-1074, -0x1p-1074},
};

/* Runs the kernel of ir over layout lay (one input) with in[0][0..n-1];
 * out[i] gets its results. */
static void run_into(const jx_ir *ir, const char *lay, int64_t n, val *out)
{
    jx_jit_code code;
    jx_error err;
    ck_assert_msg(jx_jit_compile(ir, lay, &code, &err) == 0, "%s", err.message);
    operand ops[2];
    char *ptrs[2];
    int64_t strides[2];
    operands_make(ir, lay, n, inputs, ops, ptrs, strides);
    code.fn(n, ptrs, strides);
    for (int64_t i = 0; i < n; i++)
        out[i] = mem_read(ir->input_dtype[0], elem(&ops[0], i));
    free(ops[0].buf);
    free(ops[1].buf);
    jx_jit_release(&code);
}

START_TEST(test_fast_forms)
{
    const struct fast_row *r = &fast_rows[_i];
    static const int64_t pos[] = {0, 5, 16, 40, 63, 66, -1}; /* -1: all */
    const int64_t n = 67;
    setenv("JITEXPR_MATHLIB", "own", 1); /* not the library's, timed faster */
    for (int k = 0; k < 2; k++) {
        jx_dtype t = k == 0 ? JX_FLOAT64 : JX_FLOAT32;
        if (!(r->dtypes & (1 << k)))
            continue;
        tir T;
        char text[64];
        op_ir(&T, r->op, t, text, sizeof text);
        /* the guarded loops are there with ":n", not without */
        jx_buf b = {0};
        jx_error err;
        ck_assert_int_eq(jx_jit_explain(&T.ir, "CC:n", JX_EXPLAIN_LLVM, &b, &err), 0);
        char *ir = jx_buf_take(&b);
        ck_assert_msg(strstr(ir, "fast.body") != NULL, "%s: no fast loop", text);
        free(ir);
        for (size_t p = 0; p < sizeof pos / sizeof pos[0]; p++)
            for (int l = 0; l < 2; l++) {
                const char *lay = l == 0 ? "CC:n" : "XX:n";
                val guarded[67], whole[67];
                for (int64_t i = 0; i < n; i++)
                    inputs[0][i].f = pos[p] < 0 || i == pos[p]
                                         ? (t == JX_FLOAT32 ? (double)(float)r->x : r->x)
                                         : 0.25 + (double)i / 128;
                run_into(&T.ir, lay, n, guarded);
                run_into(&T.ir, l == 0 ? "CC" : "XX", n, whole);
                for (int64_t i = 0; i < n; i++) {
                    ck_assert_msg(same(t, guarded[i], whole[i]),
                                  "%s of %a at %lld, layout %s: element %lld: %a, "
                                  "the whole kernel %a", text, r->x, (long long)pos[p],
                                  lay, (long long)i, guarded[i].f, whole[i].f);
                    val want = {.f = r->want};
                    if (pos[p] < 0 || i == pos[p])
                        ck_assert_msg(same(t, guarded[i], want), "%s(%a): %a, want %a",
                                      text, r->x, guarded[i].f, r->want);
                }
            }
    }
}
END_TEST

/* ---- the suite ---------------------------------------------------------- */

static Suite *jit_vecmath_suite(void)
{
    Suite *s = suite_create("jit_vecmath");
    TCase *tc = tcase_create("ops");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_vecmath);
    tcase_add_test(tc, test_complex_exp_vector);
    tcase_add_loop_test(tc, test_vecmath_env, 0, 2);
    tcase_add_loop_test(tc, test_sleef_env, 0, 2);
    tcase_add_test(tc, test_no_masked_loads);
    tcase_add_loop_test(tc, test_mathlib_env, 0,
                        sizeof mathlib_rows / sizeof mathlib_rows[0]);
    tcase_add_loop_test(tc, test_fast_forms, 0,
                        sizeof fast_rows / sizeof fast_rows[0]);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return jit_test_main(jit_vecmath_suite()); }
