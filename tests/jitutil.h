/* jitutil.h - what the JIT suites (check_jit.c, check_jit_vecmath.c,
 * check_jit_reduce.c, check_jit_engine.c) share beyond the reference model
 * (jitref.h): IR built by hand (tir), edge and random values, a kernel run
 * over every layout of its operands (contiguous, scalar, strided with
 * negative strides, unaligned data, with and without ":n", in place) and
 * checked element by element against eval_ir, and check_op, one op over
 * every supported dtype it accepts. */
#ifndef JX_JITUTIL_H
#define JX_JITUTIL_H

#include "jitref.h"


/* ---- hand-built IR ---------------------------------------------------- */

typedef struct tir {
    jx_ir ir;
    jx_instr ins[MAXINS];
    jx_dtype dt[MAXSLOT];
    int32_t var[MAXSLOT];
} tir;

static inline void tir_init(tir *T)
{
    memset(T, 0, sizeof *T);
    T->ir.ins = T->ins;
    T->ir.cap = MAXINS;
    T->ir.input_dtype = T->dt;
    T->ir.input_var = T->var;
    T->ir.text = (char *)"test";
    T->ir.reduce = -1;
    T->ir.acc_dtype = JX_DTYPE_INVALID;
}

static inline int tir_push(tir *T, jx_instr x)
{
    T->ins[T->ir.n] = x;
    T->ir.result = T->ir.n;
    T->ir.dtype = x.dtype;
    return T->ir.n++;
}

static inline int tir_input(tir *T, jx_dtype t)
{
    int slot = T->ir.ninputs++;
    T->dt[slot] = t;
    T->var[slot] = slot;
    return tir_push(T, (jx_instr){.op = JX_IR_INPUT, .dtype = t, .input = slot});
}

static inline int tir_const(tir *T, jx_dtype t, val k)
{
    return tir_push(T, (jx_instr){.op = JX_IR_CONST, .dtype = t, .k = k});
}

static inline int tir_op(tir *T, int op, jx_dtype t, int a, int b, int c)
{
    jx_instr x = {.op = op, .dtype = t, .nargs = jx_ops[op].arity,
                  .args = {a, b, c}};
    return tir_push(T, x);
}

static inline int tir_cast(tir *T, jx_dtype t, int a)
{
    return tir_push(T, (jx_instr){.op = JX_IR_CAST, .dtype = t, .nargs = 1,
                                  .args = {a}});
}

/* ---- values ------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static inline double rnd_unit(void) { return (double)(rnd() >> 11) * 0x1p-53; }

/* Edge values of t; returns how many. */
static inline int edges(jx_dtype t, val *out)
{
    int n = 0;
    if (is_bool(t)) {
        out[n++] = uval(0);
        out[n++] = uval(1);
        return n;
    }
    if (is_float(t)) {
        static const double fs[] = {
            0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -2.5, 2.0, 3.0, -7.0,
            10.0, 0.1, -1e-3, 1e4, -6e4, 65504, 6.1035e-05, 5.96e-08,
            1e30, -1e-30, 3.4e38, 1e300, INFINITY, -INFINITY, NAN};
        for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
            out[n++] = fval(round_to(t, fs[i]));
        return n;
    }
    int bits = bits_of(t);
    static const int64_t is[] = {0, 1, 2, 3, 5, 7, -1, -2, -3, -7, 100, -100};
    for (size_t i = 0; i < sizeof is / sizeof is[0]; i++)
        out[n++] = wrap(t, (uint64_t)is[i]);
    out[n++] = wrap(t, (uint64_t)bits);
    out[n++] = wrap(t, (uint64_t)bits - 1);
    out[n++] = wrap(t, (uint64_t)bits + 1);
    if (is_signed(t)) {
        out[n++] = wrap(t, (uint64_t)min_of(t));
        out[n++] = wrap(t, (uint64_t)min_of(t) + 1);
        out[n++] = wrap(t, (uint64_t)max_of(t));
    } else {
        out[n++] = wrap(t, umax_of(t));
        out[n++] = wrap(t, umax_of(t) - 1);
        out[n++] = wrap(t, umax_of(t) >> 1);
    }
    return n;
}

/* A random value of t; `op` shapes the second operand of shifts and
 * integer powers, and the operand of math functions. */
static inline val rand_val(jx_dtype t, int op, int operand)
{
    if (is_bool(t))
        return uval(rnd() & 1);
    if (is_float(t)) {
        double x;
        unsigned pick = rnd() % 4;
        if (op == JX_OP_POW && operand == 1)
            x = (rnd_unit() - 0.5) * 8;
        else if (op == JX_OP_EXP || op == JX_OP_POW)
            x = (rnd_unit() - 0.5) * 20;
        else if (pick == 0)
            x = (double)((int)(rnd() % 41) - 20);
        else if (pick == 1)
            x = ldexp(rnd_unit() + 0.5, (int)(rnd() % 41) - 20) * (rnd() & 1 ? 1 : -1);
        else
            x = (rnd_unit() - 0.5) * 20;
        return fval(round_to(t, x));
    }
    int bits = bits_of(t);
    if (operand == 1 && (op == JX_OP_SHL || op == JX_OP_SHR || op == JX_OP_POW))
        return wrap(t, (uint64_t)((int64_t)(rnd() % (uint64_t)(bits + 6)) - 3));
    if (rnd() & 1)
        return wrap(t, (uint64_t)((int64_t)(rnd() % 201) - 100));
    return wrap(t, rnd());
}

/* Fills in[k][0..n-1] for an op with `nin` operands of dtypes dt: edge
 * values crossed (pairs for two operands), then random values. */
static inline void fill_inputs(int op, int nin, const jx_dtype *dt, int n,
                        val in[][NMAX])
{
    val e0[64], e1[64];
    int n0 = edges(dt[0], e0);
    int n1 = nin > 1 ? edges(dt[nin - 1], e1) : 1;
    int i = 0;
    for (int a = 0; a < n0 && i < n; a++)
        for (int b = 0; b < n1 && i < n; b++, i++) {
            in[0][i] = e0[a];
            if (nin > 1)
                in[nin - 1][i] = e1[b];
        }
    for (; i < n; i++) {
        in[0][i] = rand_val(dt[0], op, 0);
        if (nin > 1)
            in[nin - 1][i] = rand_val(dt[nin - 1], op, 1);
    }
    if (nin == 3) /* where: operand 1 gets random values too */
        for (i = 0; i < n; i++) {
            in[1][i] = rand_val(dt[1], op, 0);
            if (i < n0 * n1 && (i & 1))
                in[1][i] = e1[i % n1];
        }
    if (op == JX_OP_WHERE) /* the condition, operand 0, is bool */
        for (i = 0; i < n; i++)
            in[0][i] = uval(rnd() & 1);
}

/* ---- running a kernel -------------------------------------------------- */

/* One operand's memory: an unaligned buffer, a base pointer and stride. */
typedef struct operand {
    char *buf;
    char *base;
    int64_t stride;
    size_t bytes;
} operand;

static inline void operand_make(operand *o, char cls, jx_dtype t, int64_t n, int k)
{
    int64_t sz = (int64_t)jx_dtype_size(t);
    int64_t m = n > 0 ? n : 1;
    switch (cls) {
    case 'C':
        o->bytes = (size_t)(m * sz) + 33;
        o->stride = sz;
        break;
    case 'S':
        o->bytes = (size_t)sz + 33;
        o->stride = 0;
        break;
    default: /* 'X': 3 elements apart, negative for odd k */
        o->bytes = (size_t)(3 * m * sz) + 33;
        o->stride = (k & 1) ? -3 * sz : 3 * sz;
        break;
    }
    o->buf = malloc(o->bytes);
    ck_assert_ptr_nonnull(o->buf);
    memset(o->buf, 0xa5, o->bytes);
    o->base = o->buf + 1; /* unaligned */
    if (o->stride < 0)
        o->base += 3 * (m - 1) * sz;
}

static inline char *elem(const operand *o, int64_t i) { return o->base + i * o->stride; }

/* Runs code (compiled from ir for layout) over n elements of the logical
 * inputs in[k][i] (a scalar operand uses in[k][0]) and checks every
 * element against eval_ir.  inplace >= 0: the output is written over input
 * slot `inplace` (same dtype and class).  Returns true when all match;
 * otherwise msg says where. */
/* The output and input operands of ir for layout over n elements, the
 * inputs filled from in[k][i], and the kernel's pointers and strides. */
static inline void operands_make(const jx_ir *ir, const char *layout, int64_t n,
                                 val in[][NMAX], operand *ops, char **ptrs,
                                 int64_t *strides)
{
    int nin = ir->ninputs;
    operand_make(&ops[0], layout[0], ir->ins[ir->result].dtype, n, 0);
    for (int k = 0; k < nin; k++) {
        operand_make(&ops[k + 1], layout[k + 1], ir->input_dtype[k], n, k + 1);
        for (int64_t i = 0; i < (layout[k + 1] == 'S' ? (n > 0) : n); i++)
            mem_write(ir->input_dtype[k], elem(&ops[k + 1], i), in[k][i]);
    }
    for (int k = 0; k <= nin; k++) {
        ptrs[k] = ops[k].base;
        strides[k] = ops[k].stride;
    }
}

static inline bool run_check(const jx_jit_code *code, const jx_ir *ir,
                      const char *layout, int64_t n, val in[][NMAX],
                      int inplace, char *msg, size_t msglen)
{
    int nin = ir->ninputs;
    jx_dtype rt = ir->ins[ir->result].dtype;
    operand ops[MAXSLOT + 1];
    char *ptrs[MAXSLOT + 1];
    int64_t strides[MAXSLOT + 1];
    operands_make(ir, layout, n, in, ops, ptrs, strides);
    if (inplace >= 0) {
        ptrs[0] = ptrs[inplace + 1];
        strides[0] = strides[inplace + 1];
    }
    code->fn(n, ptrs, strides);

    bool ok = true;
    msg[0] = '\0';
    const operand *out = inplace >= 0 ? &ops[inplace + 1] : &ops[0];
    int64_t first = layout[0] == 'S' ? n - 1 : 0; /* scalar out: the last */
    for (int64_t i = first < 0 ? 0 : first; i < n && ok; i++) {
        val row[MAXSLOT];
        for (int k = 0; k < nin; k++)
            row[k] = in[k][layout[k + 1] == 'S' ? 0 : i];
        double bound;
        val want = eval_ir_bound(ir, row, &bound);
        val got = mem_read(rt, layout[0] == 'S' && inplace < 0
                                   ? out->base
                                   : out->base + i * strides[0]);
        if (!close_to(rt, got, want, bound)) {
            char g[48], w[48], a[48] = "", b[48] = "";
            fmt_val(rt, got, g, sizeof g);
            fmt_val(rt, want, w, sizeof w);
            if (nin > 0)
                fmt_val(ir->input_dtype[0], row[0], a, sizeof a);
            if (nin > 1)
                fmt_val(ir->input_dtype[nin - 1], row[nin - 1], b, sizeof b);
            snprintf(msg, msglen,
                     "%s layout %s n %lld: element %lld of (%s, %s): got %s, "
                     "want %s (within %g)",
                     ir->text, layout, (long long)n, (long long)i, a, b, g, w,
                     bound);
            ok = false;
        }
    }
    /* Nothing written outside the output. */
    if (ok && inplace < 0 && out->buf[0] != (char)0xa5) {
        snprintf(msg, msglen, "%s layout %s n %lld: wrote before the output",
                 ir->text, layout, (long long)n);
        ok = false;
    }
    if (ok && inplace < 0 && layout[0] == 'C' &&
        out->buf[out->bytes - 1] != (char)0xa5) {
        snprintf(msg, msglen, "%s layout %s n %lld: wrote past the output",
                 ir->text, layout, (long long)n);
        ok = false;
    }
    if (ok && inplace < 0 && n == 0)
        for (size_t j = 0; j < out->bytes && ok; j++)
            if (out->buf[j] != (char)0xa5) {
                snprintf(msg, msglen, "%s layout %s: n 0 wrote", ir->text,
                         layout);
                ok = false;
            }
    for (int k = 0; k <= nin; k++)
        free(ops[k].buf);
    return ok;
}

/* Compiles ir for layout and checks it at each n of ns[0..nn-1]. */
static inline void check_layout(const jx_ir *ir, const char *layout,
                         const int64_t *ns, int nn, val in[][NMAX],
                         int inplace)
{
    jx_jit_code code;
    jx_error err;
    jx_err_clear(&err);
    int rc = jx_jit_compile(ir, layout, &code, &err);
    ck_assert_msg(rc == 0, "%s layout %s: compile failed: code %d: %s", ir->text,
                  layout, (int)err.code, err.message);
    char msg[512];
    for (int j = 0; j < nn; j++) {
        bool ok = run_check(&code, ir, layout, ns[j], in, inplace, msg,
                            sizeof msg);
        ck_assert_msg(ok, "%s", msg);
    }
    jx_jit_release(&code);
}

static val inputs[MAXSLOT][NMAX];

/* ---- every op x every dtype ------------------------------------------- */

static inline bool op_accepts(int op, jx_dtype t)
{
    if (!supported(t) || !(jx_ops[op].kinds & kind_of(t)) ||
        jx_ops[op].rule == JX_R_REDUCE)
        return false;
    /* sema casts integer operands of these to a float. */
    if (jx_ops[op].rule == JX_R_TRUEDIV || jx_ops[op].rule == JX_R_FLOATFN ||
        jx_ops[op].rule == JX_R_FLOATPRED)
        return is_float(t);
    return true;
}

/* The IR of `op` over input slots of dtype t (where: bool, t, t). */
static inline void op_ir(tir *T, int op, jx_dtype t, char *text, size_t tl)
{
    tir_init(T);
    snprintf(text, tl, "%s(%s)", jx_ops[op].mnem, jx_dtype_name(t));
    T->ir.text = text;
    jx_rule rule = jx_ops[op].rule;
    bool pred = rule == JX_R_CMP || rule == JX_R_PRED || rule == JX_R_FLOATPRED;
    jx_dtype rt = pred ? JX_BOOL : t;
    if (op == JX_OP_WHERE) {
        int c = tir_input(T, JX_BOOL), x = tir_input(T, t), y = tir_input(T, t);
        tir_op(T, op, t, c, x, y);
    } else if (jx_ops[op].arity == 1) {
        int x = tir_input(T, t);
        tir_op(T, op, rt, x, 0, 0);
    } else if (jx_ops[op].arity == 3) {
        int x = tir_input(T, t), y = tir_input(T, t), z = tir_input(T, t);
        tir_op(T, op, rt, x, y, z);
    } else {
        int x = tir_input(T, t), y = tir_input(T, t);
        tir_op(T, op, rt, x, y, 0);
    }
}

/* op over every dtype it accepts, in several layouts; returns how many
 * dtypes. */
static inline int check_op(int op)
{
    int tested = 0;
    for (int t = 0; t < JX_DTYPE_COUNT; t++) {
        if (!op_accepts(op, (jx_dtype)t))
            continue;
        tir T;
        char text[64];
        op_ir(&T, op, (jx_dtype)t, text, sizeof text);
        int nin = T.ir.ninputs;
        fill_inputs(op, nin, T.dt, NMAX, inputs);
        const int64_t nfull[] = {NMAX};
        const int64_t nsmall[] = {0, 1, 7, 100};
        char lay[16];
        /* Contiguous, with and without the no-overlap promise. */
        memset(lay, 'C', (size_t)nin + 1);
        strcpy(lay + nin + 1, ":n");
        check_layout(&T.ir, lay, nfull, 1, inputs, -1);
        lay[nin + 1] = '\0';
        check_layout(&T.ir, lay, nfull, 1, inputs, -1);
        /* Strided output and mixed inputs. */
        lay[0] = 'X';
        for (int k = 0; k < nin; k++)
            lay[k + 1] = "XCS"[k % 3];
        check_layout(&T.ir, lay, nfull, 1, inputs, -1);
        /* The first input scalar (broadcast), no-overlap. */
        lay[0] = 'C';
        for (int k = 0; k < nin; k++)
            lay[k + 1] = k == 0 ? 'S' : 'C';
        strcpy(lay + nin + 1, ":n");
        check_layout(&T.ir, lay, nsmall, 4, inputs, -1);
        /* In place: the output written over the last input (same dtype). */
        jx_dtype rt = T.ins[T.ir.result].dtype;
        if (rt == T.dt[nin - 1]) {
            memset(lay, 'C', (size_t)nin + 1);
            lay[nin + 1] = '\0';
            check_layout(&T.ir, lay, nfull, 1, inputs, nin - 1);
            memset(lay, 'X', (size_t)nin + 1);
            check_layout(&T.ir, lay, nsmall, 4, inputs, nin - 1);
        }
        tested++;
    }
    return tested;
}

/* ---- two codes of one kernel (check_tier.c, check_interp.c) ------------ */

/* Emits ir for layout in tier t and loads it; *quick: what it gave.
 * Returns false when the code generator has no lowering for ir. */
static inline bool emit_load(const jx_ir *ir, const char *layout, jx_jit_tier t, bool *quick,
                      jx_jit_code *out)
{
    jx_jit_object obj;
    jx_error err;
    if (jx_jit_emit(ir, layout, t, &obj, &err) != 0)
        return false;
    *quick = obj.quick;
    ck_assert_msg(jx_jit_load(obj.data, obj.size, out, &err) == 0, "%s", err.message);
    jx_jit_object_free(&obj);
    return true;
}

/* Bytes of n raw values for input slot k of dtype d and itemsize isz:
 * edge values (0, -0, inf, NaN, subnormal, the extremes of integers)
 * among random ones. */
static inline void fill_raw(char *p, jx_dtype d, size_t isz, int64_t n, int k)
{
    for (int64_t i = 0; i < n; i++) {
        uint64_t r = rnd();
        if (jx_dtype_kind(d) == JX_KIND_FLOAT || jx_dtype_kind(d) == JX_KIND_COMPLEX) {
            static const double special[] = {0.0, -0.0, 1.0, -1.5, 1e308, -1e-310,
                                             1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0, 3.0};
            size_t parts = jx_dtype_kind(d) == JX_KIND_COMPLEX ? 2 : 1;
            for (size_t q = 0; q < parts; q++) {
                double v = (i + (int64_t)q + k) % 3 == 0 ? special[(i + k) % 10]
                                                          : (rnd_unit() - 0.5) * 200;
                size_t w = isz / parts;
                if (w == 8)
                    memcpy(p + (size_t)i * isz + q * w, &v, 8);
                else if (w == 4) {
                    float f = (float)v;
                    memcpy(p + (size_t)i * isz + q * w, &f, 4);
                } else {
                    _Float16 h = (_Float16)v;
                    memcpy(p + (size_t)i * isz + q * w, &h, 2);
                }
            }
        } else if (d == JX_BYTES) {
            for (size_t q = 0; q < isz; q++)
                p[(size_t)i * isz + q] = (char)("ab\0c"[(r >> (2 * q)) & 3]);
        } else {
            /* small values and the edges of the type */
            uint64_t v = (i % 5 == 0) ? ~(uint64_t)0 >> (r & 63) : (r % 11) - 3;
            memcpy(p + (size_t)i * isz, &v, isz);
        }
    }
}

/* Whether element bytes x and y of dtype t hold the same value: the same
 * bits, or NaN in both (which NaN an operation returns, its sign and
 * payload, depends on the order of its operands in the instruction, and
 * the optimiser may swap them; NumPy does not specify it either). */
static inline bool same_value(jx_dtype t, const char *x, const char *y)
{
    jx_kind k = jx_dtype_kind(t);
    size_t sz = jx_dtype_size(t);
    if (!(k & (JX_KIND_FLOAT | JX_KIND_COMPLEX)))
        return memcmp(x, y, sz) == 0;
    size_t part = k == JX_KIND_COMPLEX ? sz / 2 : sz;
    for (size_t o = 0; o < sz; o += part) {
        double a, b;
        if (part == 8) {
            memcpy(&a, x + o, 8);
            memcpy(&b, y + o, 8);
        } else if (part == 4) {
            float fa, fb;
            memcpy(&fa, x + o, 4);
            memcpy(&fb, y + o, 4);
            a = fa;
            b = fb;
        } else {
            _Float16 ha, hb;
            memcpy(&ha, x + o, 2);
            memcpy(&hb, y + o, 2);
            a = ha;
            b = hb;
        }
        if (!(a != a && b != b) && memcmp(x + o, y + o, part) != 0)
            return false;
    }
    return true;
}

/* A suite's main: runs it, forking per test unless CK_FORK=no. */
static inline int jit_test_main(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
