/* interp.c - the interpreted tier.  See interp.h.
 *
 * A program is the IR's instructions; running it takes BLOCK elements at
 * a time through every instruction in order, each into a register of
 * BLOCK values of its dtype (bool as a byte 0 or 1), so that one switch
 * per instruction and block, not per element, picks the loop.  A
 * contiguous input that needs no conversion is read in place, and the
 * result is written in place into a contiguous output.
 *
 * The bits are the compiled code's (jit/scalar.c, jit/emit.c), one
 * operation per loop so the C compiler cannot fuse two into an FMA:
 *   - floats: IEEE +, -, *, /, sqrt, negation and fabs; comparisons are
 *     C's (ordered, != unordered), as the JIT's fcmp o.. and une;
 *   - integers: +, -, *, negation and abs modulo 2^bits, computed in
 *     uint64_t (C's signed overflow is undefined); bool + is or, * is and;
 *   - conversions: to bool != 0 (NaN is true); between floats rounded to
 *     nearest; integers to floats in one rounding; integers to integers
 *     truncated or extended by the source's sign; not floats to integers
 *     (the JIT's saturate);
 *   - math functions: the compiled unit's (interp.h) over the block's m
 *     lanes. */
#include "interp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 256

struct jx_interp {
    int32_t n;      /* instructions */
    int32_t result; /* the one whose value is stored */
    jx_instr *ins;  /* copies of the IR's */
    jx_kernel_fn *unit; /* [n] a math instruction's compiled code, else NULL */
};

static bool is_float(jx_dtype t) { return t == JX_FLOAT32 || t == JX_FLOAT64; }

/* The dtypes a register holds: not float16, complex or bytes. */
static bool held(jx_dtype t)
{
    return t >= JX_BOOL && t <= JX_UINT64 ? true : is_float(t);
}

/* Whether a float power's exponent (instruction in's second operand) is
 * one the JIT computes by multiplication (jit/scalar.c's float_pow): -1,
 * 0, 1, 2, 3 or 4, a constant; *k its value. */
static bool small_power(const jx_ir *ir, const jx_instr *in, double *k)
{
    return jx_ir_const_value(ir, in->args[1], k) &&
           (*k == -1 || *k == 0 || *k == 1 || *k == 2 || *k == 3 || *k == 4);
}

/* Whether in is a math function (a LIBM row of the op table, or a float
 * power other than small_power's) of float32 or float64 operands, as the
 * interpreter calls compiled code for (jx_interp_unit_fn). */
static bool is_math(const jx_ir *ir, const jx_instr *in)
{
    double exponent;
    if (in->op >= JX_OP_COUNT || !is_float(in->dtype) ||
        !(jx_ops[in->op].low == JX_L_LIBM ||
          (in->op == JX_OP_POW && !small_power(ir, in, &exponent))))
        return false;
    for (int k = 0; k < in->nargs; k++)
        if (ir->ins[in->args[k]].dtype != in->dtype)
            return false;
    return true;
}

/* Whether instruction in (of ir) is one this file computes. */
static bool interpreted(const jx_ir *ir, const jx_instr *in)
{
    jx_dtype t = in->dtype;
    jx_dtype at = in->nargs > 0 ? ir->ins[in->args[0]].dtype : t;
    if (!held(t))
        return false;
    for (int k = 0; k < in->nargs; k++)
        if (!held(ir->ins[in->args[k]].dtype))
            return false;
    bool fl = is_float(at), bl = at == JX_BOOL;
    switch (in->op) {
    case JX_IR_INPUT:
    case JX_IR_CONST:
    case JX_OP_POS:
    case JX_OP_COPY:
    case JX_OP_ONES_LIKE:
    case JX_OP_ADD:
    case JX_OP_MUL:
    case JX_OP_LT: case JX_OP_LE: case JX_OP_EQ:
    case JX_OP_NE: case JX_OP_GE: case JX_OP_GT:
    case JX_OP_ABS:
    case JX_OP_ISNAN: case JX_OP_ISINF: case JX_OP_ISFINITE:
        return true;
    case JX_IR_CAST:
        return !(fl && !is_float(t) && t != JX_BOOL);
    case JX_OP_WHERE:
        return at == JX_BOOL;
    case JX_OP_NEG:
    case JX_OP_SUB:
    case JX_OP_SQUARE:
        return !bl;
    case JX_OP_INVERT:
    case JX_OP_AND: case JX_OP_OR: case JX_OP_XOR:
        return !fl;
    case JX_OP_POW: {
        double k;
        return fl && small_power(ir, in, &k);
    }
    case JX_OP_DIV:
    case JX_OP_RECIP:
    case JX_OP_SQRT:
    case JX_OP_FLOOR: case JX_OP_CEIL: case JX_OP_TRUNC:
        return fl;
    default:
        return false;
    }
}

jx_interp *jx_interp_new(const jx_ir *ir, jx_interp_unit_fn unit, void *ctx)
{
    if (ir->reduce >= 0 || ir->n <= 0)
        return NULL;
    /* Past JX_JIT_INLINE_MATH math functions the compiled loop calls the
     * library for the rest, whose bits a unit's code may not have. */
    int nmath = 0;
    for (int32_t i = 0; i < ir->n; i++) {
        bool math = unit != NULL && is_math(ir, &ir->ins[i]);
        nmath += math;
        if (!math && !interpreted(ir, &ir->ins[i]))
            return NULL;
    }
    if (nmath > JX_JIT_INLINE_MATH)
        return NULL;
    jx_interp *p = malloc(sizeof *p);
    jx_instr *ins = malloc(sizeof *ins * (size_t)ir->n);
    jx_kernel_fn *fns = calloc((size_t)ir->n, sizeof *fns);
    if (p == NULL || ins == NULL || fns == NULL) {
        free(p);
        free(ins);
        free(fns);
        return NULL;
    }
    for (int32_t i = 0; i < ir->n && nmath > 0; i++)
        if (is_math(ir, &ir->ins[i]) && (fns[i] = unit(ctx, ir, i)) == NULL) {
            free(p);
            free(ins);
            free(fns);
            return NULL;
        }
    memcpy(ins, ir->ins, sizeof *ins * (size_t)ir->n);
    for (int32_t i = 0; i < ir->n; i++) {
        ins[i].str = NULL; /* no byte strings here; the IR owns its own */
        if (ins[i].op == JX_OP_POW) /* the copy's k: the exponent */
            (void)small_power(ir, &ir->ins[i], &ins[i].k.f);
    }
    p->n = ir->n;
    p->result = ir->result;
    p->ins = ins;
    p->unit = fns;
    return p;
}

void jx_interp_free(jx_interp *prog)
{
    if (prog == NULL)
        return;
    free(prog->ins);
    free(prog->unit);
    free(prog);
}

/* ---- one instruction over a block ----------------------------------------- */

/* X(dtype, C type, signed, float) */
#define INT_TYPES(X)                                                           \
    X(JX_INT8, int8_t, 1, 0) X(JX_INT16, int16_t, 1, 0)                        \
    X(JX_INT32, int32_t, 1, 0) X(JX_INT64, int64_t, 1, 0)                      \
    X(JX_UINT8, uint8_t, 0, 0) X(JX_UINT16, uint16_t, 0, 0)                    \
    X(JX_UINT32, uint32_t, 0, 0) X(JX_UINT64, uint64_t, 0, 0)
#define FLOAT_TYPES(X) X(JX_FLOAT32, float, 1, 1) X(JX_FLOAT64, double, 1, 1)
#define ALL_TYPES(X) INT_TYPES(X) X(JX_BOOL, uint8_t, 0, 0) FLOAT_TYPES(X)

/* Every loop over an instruction's values runs over the whole block, a
 * constant count, with restrict pointers: that much GCC's -O2 vectorizes
 * (its "very cheap" model: no alias checks, no scalar remainder).  Lanes
 * past a last, partial block compute on stale values, never stored. */
#define LOOP for (int i_ = 0; i_ < BLOCK; i_++)

/* The value of element i_ of an integer register, modulo 2^64. */
#define W(x) ((uint64_t)(x)[i_])

static void int_binary(int op, jx_dtype t, void *restrict r, const void *restrict a,
                       const void *restrict b)
{
    switch (t) {
#define CASE(T, C, S, F)                                                       \
    case T: {                                                                  \
        C *restrict o = r;                                                     \
        const C *restrict x = a, *restrict y = b;                              \
        switch (op) {                                                          \
        case JX_OP_ADD: LOOP o[i_] = (C)(W(x) + W(y)); break;                \
        case JX_OP_SUB: LOOP o[i_] = (C)(W(x) - W(y)); break;                \
        case JX_OP_MUL: LOOP o[i_] = (C)(W(x) * W(y)); break;                \
        case JX_OP_AND: LOOP o[i_] = (C)(W(x) & W(y)); break;                \
        case JX_OP_OR: LOOP o[i_] = (C)(W(x) | W(y)); break;                 \
        case JX_OP_XOR: LOOP o[i_] = (C)(W(x) ^ W(y)); break;                \
        }                                                                      \
        break;                                                                 \
    }
        INT_TYPES(CASE)
#undef CASE
    default: {
        /* bool (0 or 1): + is or, * is and; - is not allowed by sema */
        uint8_t *restrict o = r;
        const uint8_t *restrict x = a, *restrict y = b;
        switch (op) {
        case JX_OP_ADD:
        case JX_OP_OR: LOOP o[i_] = x[i_] | y[i_]; break;
        case JX_OP_MUL:
        case JX_OP_AND: LOOP o[i_] = x[i_] & y[i_]; break;
        case JX_OP_XOR: LOOP o[i_] = x[i_] ^ y[i_]; break;
        }
    }
    }
}

static void float_binary(int op, jx_dtype t, void *restrict r, const void *restrict a,
                         const void *restrict b)
{
    switch (t) {
#define CASE(T, C, S, F)                                                       \
    case T: {                                                                  \
        C *restrict o = r;                                                     \
        const C *restrict x = a, *restrict y = b;                              \
        switch (op) {                                                          \
        case JX_OP_ADD: LOOP o[i_] = x[i_] + y[i_]; break;                   \
        case JX_OP_SUB: LOOP o[i_] = x[i_] - y[i_]; break;                   \
        case JX_OP_MUL: LOOP o[i_] = x[i_] * y[i_]; break;                   \
        case JX_OP_DIV: LOOP o[i_] = x[i_] / y[i_]; break;                   \
        }                                                                      \
        break;                                                                 \
    }
        FLOAT_TYPES(CASE)
#undef CASE
    default:
        break;
    }
}

/* Comparisons of two registers of type t into bytes 0 or 1. */
static void compare(int op, jx_dtype t, uint8_t *restrict o, const void *restrict a,
                    const void *restrict b)
{
    switch (t) {
#define CASE(T, C, S, F)                                                       \
    case T: {                                                                  \
        const C *restrict x = a, *restrict y = b;                              \
        switch (op) {                                                          \
        case JX_OP_LT: LOOP o[i_] = x[i_] < y[i_]; break;                    \
        case JX_OP_LE: LOOP o[i_] = x[i_] <= y[i_]; break;                   \
        case JX_OP_EQ: LOOP o[i_] = x[i_] == y[i_]; break;                   \
        case JX_OP_NE: LOOP o[i_] = x[i_] != y[i_]; break;                   \
        case JX_OP_GE: LOOP o[i_] = x[i_] >= y[i_]; break;                   \
        case JX_OP_GT: LOOP o[i_] = x[i_] > y[i_]; break;                    \
        }                                                                      \
        break;                                                                 \
    }
        ALL_TYPES(CASE)
#undef CASE
    default:
        break;
    }
}

static void int_unary(int op, jx_dtype t, void *restrict r, const void *restrict a)
{
    switch (t) {
#define CASE(T, C, S, F)                                                       \
    case T: {                                                                  \
        C *restrict o = r;                                                     \
        const C *restrict x = a;                                               \
        switch (op) {                                                          \
        case JX_OP_NEG: LOOP o[i_] = (C)(0 - W(x)); break;                   \
        case JX_OP_INVERT: LOOP o[i_] = (C)~W(x); break;                     \
        case JX_OP_SQUARE: LOOP o[i_] = (C)(W(x) * W(x)); break;             \
        case JX_OP_ABS:                                                        \
            LOOP o[i_] = S && (int64_t)x[i_] < 0 ? (C)(0 - W(x)) : x[i_];    \
            break;                                                             \
        }                                                                      \
        break;                                                                 \
    }
        INT_TYPES(CASE)
#undef CASE
    default: { /* bool: ~ is not, abs is itself */
        uint8_t *restrict o = r;
        const uint8_t *restrict x = a;
        if (op == JX_OP_INVERT)
            LOOP o[i_] = x[i_] ^ 1;
        else
            memcpy(o, x, BLOCK);
    }
    }
}

static void float_unary(int op, jx_dtype t, void *restrict r, const void *restrict a)
{
    switch (t) {
#define CASE(T, C, SUF)                                                        \
    case T: {                                                                  \
        C *restrict o = r;                                                     \
        const C *restrict x = a;                                               \
        switch (op) {                                                          \
        case JX_OP_NEG: LOOP o[i_] = -x[i_]; break;                          \
        case JX_OP_ABS: LOOP o[i_] = fabs##SUF(x[i_]); break;                \
        case JX_OP_SQUARE: LOOP o[i_] = x[i_] * x[i_]; break;                \
        case JX_OP_RECIP: LOOP o[i_] = (C)1 / x[i_]; break;                  \
        case JX_OP_SQRT: LOOP o[i_] = __builtin_sqrt##SUF(x[i_]); break;     \
        case JX_OP_FLOOR: LOOP o[i_] = floor##SUF(x[i_]); break;             \
        case JX_OP_CEIL: LOOP o[i_] = ceil##SUF(x[i_]); break;               \
        case JX_OP_TRUNC: LOOP o[i_] = trunc##SUF(x[i_]); break;             \
        }                                                                      \
        break;                                                                 \
    }
        CASE(JX_FLOAT32, float, f)
        CASE(JX_FLOAT64, double, )
#undef CASE
    default:
        break;
    }
}

/* x ** k for k of small_power, as the JIT multiplies: x*x, (x*x)*x,
 * (x*x)*(x*x), 1/x; x ** 0 is 1 (a NaN's too), x ** 1 is x. */
static void power(double k, jx_dtype t, void *restrict r, const void *restrict a)
{
    switch (t) {
#define CASE(T, C, S, F)                                                       \
    case T: {                                                                  \
        C *restrict o = r;                                                     \
        const C *restrict x = a;                                               \
        if (k == 2)                                                            \
            LOOP o[i_] = x[i_] * x[i_];                                        \
        else if (k == 3)                                                       \
            LOOP o[i_] = (x[i_] * x[i_]) * x[i_];                              \
        else if (k == 4)                                                       \
            LOOP {                                                             \
                C sq = x[i_] * x[i_];                                          \
                o[i_] = sq * sq;                                               \
            }                                                                  \
        else if (k == -1)                                                      \
            LOOP o[i_] = (C)1 / x[i_];                                         \
        else if (k == 0)                                                       \
            LOOP o[i_] = 1;                                                    \
        else                                                                   \
            LOOP o[i_] = x[i_];                                                \
        break;                                                                 \
    }
        FLOAT_TYPES(CASE)
#undef CASE
    default:
        break;
    }
}

/* isnan, isinf, isfinite of a register of type t into bytes. */
static void predicate(int op, jx_dtype t, uint8_t *restrict o, const void *restrict a)
{
    if (!is_float(t)) { /* integers and bool are finite numbers */
        memset(o, op == JX_OP_ISFINITE, BLOCK);
        return;
    }
#define PRED(C)                                                                \
    do {                                                                       \
        const C *restrict x = a;                                               \
        if (op == JX_OP_ISNAN)                                                 \
            LOOP o[i_] = isnan(x[i_]) != 0;                                  \
        else if (op == JX_OP_ISINF)                                            \
            LOOP o[i_] = isinf(x[i_]) != 0;                                  \
        else                                                                   \
            LOOP o[i_] = isfinite(x[i_]) != 0;                               \
    } while (0)
    if (t == JX_FLOAT32)
        PRED(float);
    else
        PRED(double);
#undef PRED
}

/* where(c, x, y) of registers of `size` bytes per element: a mask, not
 * a branch (a branch on random conditions mispredicts half the time). */
static void select_(void *restrict r, const uint8_t *restrict c, const void *restrict a,
                    const void *restrict b, size_t size)
{
    switch (size) {
#define CASE(N, C)                                                             \
    case N: {                                                                  \
        C *restrict o = r;                                                     \
        const C *restrict x = a, *restrict y = b;                              \
        LOOP {                                                                 \
            C mask = (C)(0 - (C)c[i_]);                                        \
            o[i_] = (C)((x[i_] & mask) | (y[i_] & (C)~mask));                  \
        }                                                                      \
        break;                                                                 \
    }
        CASE(1, uint8_t)
        CASE(2, uint16_t)
        CASE(4, uint32_t)
        CASE(8, uint64_t)
#undef CASE
    }
}

/* A register converted, through a wide value: a double for floats, the
 * bits of an int64 or uint64 for integers and bool. */
typedef union wide {
    double f;
    int64_t i;
    uint64_t u;
} wide;

static void widen(jx_dtype t, wide *restrict w, const void *restrict a)
{
    switch (t) {
#define CASE(T, C, S, F)                                                       \
    case T: {                                                                  \
        const C *restrict x = a;                                               \
        if (F)                                                                 \
            LOOP w[i_].f = (double)x[i_];                                   \
        else if (S)                                                            \
            LOOP w[i_].i = (int64_t)x[i_];                                  \
        else                                                                   \
            LOOP w[i_].u = (uint64_t)x[i_];                                 \
        break;                                                                 \
    }
        ALL_TYPES(CASE)
#undef CASE
    default:
        break;
    }
}

/* The wide values of type `from` as type `to` (not a float to an
 * integer: interpreted() refuses it). */
static void narrow(jx_dtype from, jx_dtype to, void *restrict r, const wide *restrict w)
{
    bool ffl = is_float(from), fsg = from >= JX_INT8 && from <= JX_INT64;
    if (to == JX_BOOL) {
        uint8_t *restrict o = r;
        if (ffl)
            LOOP o[i_] = w[i_].f != 0;
        else
            LOOP o[i_] = w[i_].u != 0;
        return;
    }
    switch (to) {
#define CASE(T, C, S, F)                                                       \
    case T: {                                                                  \
        C *restrict o = r;                                                     \
        if (ffl) /* a float: to float or double, rounded to nearest */         \
            LOOP o[i_] = (C)w[i_].f;                                        \
        else if (fsg)                                                          \
            LOOP o[i_] = (C)w[i_].i;                                        \
        else                                                                   \
            LOOP o[i_] = (C)w[i_].u;                                        \
        break;                                                                 \
    }
        INT_TYPES(CASE)
        FLOAT_TYPES(CASE)
#undef CASE
    default:
        break;
    }
}

/* A register of type t filled with the constant k. */
static void fill_const(jx_dtype t, void *restrict r, jx_value k)
{
    switch (t) {
#define CASE(T, C, S, F)                                                       \
    case T: {                                                                  \
        C *restrict o = r;                                                     \
        C v = F ? (C)k.f : S ? (C)k.i : (C)k.u;                                \
        LOOP o[i_] = v;                                                     \
        break;                                                                 \
    }
        INT_TYPES(CASE)
        FLOAT_TYPES(CASE)
#undef CASE
    default:
        memset(r, k.u != 0, BLOCK);
    }
}

static void fill_one(jx_dtype t, void *restrict r)
{
    jx_value one;
    if (is_float(t))
        one.f = 1.0;
    else
        one.u = 1;
    fill_const(t, r, one);
}

/* Copies m elements of `size` bytes from a stride into a register, or
 * back; bool as 0 or 1 on the way in. */
static void gather(char *r, const char *src, int64_t stride, size_t size, bool bl, int m)
{
    for (int i = 0; i < m; i++)
        if (bl)
            r[i] = src[i * stride] != 0;
        else
            memcpy(r + (size_t)i * size, src + i * stride, size);
}

static void scatter(char *dst, int64_t stride, const char *r, size_t size, int m)
{
    if (stride == (int64_t)size)
        memmove(dst, r, size * (size_t)m);
    else
        for (int i = 0; i < m; i++)
            memcpy(dst + i * stride, r + (size_t)i * size, size);
}

/* ---- running ----------------------------------------------------------- */

/* One run's state: the program and its registers (thread-local, since
 * plan.c calls a kernel with the kernel ABI's arguments only). */
typedef struct run {
    const jx_interp *prog;
    char *buf;     /* [n][BLOCK * 8] */
    wide *tmp;     /* [BLOCK] conversions */
    char **reg;    /* [n] the value of each instruction in this block */
} run;

static _Thread_local run *current;

/* Whether the n bytes at p and at q overlap. */
static bool overlap(const char *p, const char *q, size_t n) { return p < q + n && q < p + n; }

/* m elements (at most BLOCK) from element j0 of the run. */
static void exec_block(const run *rn, int64_t j0, int m, char *const *ptrs,
                       const int64_t *strides)
{
    const jx_interp *p = rn->prog;
    char **reg = rn->reg;
    size_t osize = jx_dtype_size(p->ins[p->result].dtype);
    char *out = ptrs[0] + j0 * strides[0];
    /* The result straight into the output: a whole contiguous block,
     * overlapping no input read in place (restrict; in place, a = a + b,
     * goes through a register) */
    bool direct = m == BLOCK && strides[0] == (int64_t)osize &&
                  p->ins[p->result].op < JX_OP_COUNT;
    for (int32_t idx = 0; idx < p->n; idx++) {
        const jx_instr *in = &p->ins[idx];
        if (in->op != JX_IR_INPUT)
            continue;
        int s = 1 + in->input;
        size_t size = jx_dtype_size(in->dtype);
        char *src = ptrs[s] + j0 * strides[s];
        if (m == BLOCK && strides[s] == (int64_t)size && in->dtype != JX_BOOL) {
            reg[idx] = src; /* read in place */
            direct = direct && !overlap(src, out, osize * BLOCK);
        } else {
            reg[idx] = rn->buf + (size_t)idx * BLOCK * 8;
            gather(reg[idx], src, strides[s], size, in->dtype == JX_BOOL, m);
        }
    }
    for (int32_t idx = 0; idx < p->n; idx++) {
        const jx_instr *in = &p->ins[idx];
        if (in->op == JX_IR_CONST || in->op == JX_IR_INPUT)
            continue; /* filled once, in jx_interp_run; loaded above */
        char *r = idx == p->result && direct ? out : rn->buf + (size_t)idx * BLOCK * 8;
        const void *a = in->nargs > 0 ? reg[in->args[0]] : NULL;
        const void *b = in->nargs > 1 ? reg[in->args[1]] : NULL;
        jx_dtype t = in->dtype;
        jx_dtype at = in->nargs > 0 ? p->ins[in->args[0]].dtype : t;
        reg[idx] = r;
        if (p->unit[idx] != NULL) { /* compiled code over m contiguous lanes */
            int64_t size = (int64_t)jx_dtype_size(t), st[3] = {size, size, size};
            char *args[3] = {r, (char *)a, (char *)b};
            p->unit[idx](m, args, st);
            continue;
        }
        switch (in->op) {
        case JX_IR_CAST:
            widen(at, rn->tmp, a);
            narrow(at, t, r, rn->tmp);
            break;
        case JX_OP_POS:
        case JX_OP_COPY:
            memcpy(r, a, jx_dtype_size(t) * BLOCK);
            break;
        case JX_OP_ONES_LIKE:
            fill_one(t, r);
            break;
        case JX_OP_POW:
            power(in->k.f, t, r, a);
            break;
        case JX_OP_WHERE:
            select_(r, a, b, reg[in->args[2]], jx_dtype_size(t));
            break;
        case JX_OP_LT: case JX_OP_LE: case JX_OP_EQ:
        case JX_OP_NE: case JX_OP_GE: case JX_OP_GT:
            compare(in->op, at, (uint8_t *)r, a, b);
            break;
        case JX_OP_ISNAN: case JX_OP_ISINF: case JX_OP_ISFINITE:
            predicate(in->op, at, (uint8_t *)r, a);
            break;
        default:
            if (in->nargs == 2)
                (is_float(at) ? float_binary : int_binary)(in->op, at, r, a, b);
            else
                (is_float(at) ? float_unary : int_unary)(in->op, at, r, a);
        }
    }
    if (reg[p->result] != out)
        scatter(out, strides[0], reg[p->result], osize, m);
}

/* The kernel ABI's entry: n elements of one run of the plan. */
static void interp_kernel(int64_t n, char *const *ptrs, const int64_t *strides)
{
    const run *rn = current;
    for (int64_t j0 = 0; j0 < n; j0 += BLOCK)
        exec_block(rn, j0, (int)(n - j0 < BLOCK ? n - j0 : BLOCK), ptrs, strides);
}

/* One run over the plan, cut into chunks (jx_plan_chunks). */
typedef struct job {
    const jx_interp *prog;
    const jx_plan *p;
    jx_chunks ck;
} job;

/* Chunk c of the job (jx_chunk_fn), with registers of its own. */
static int run_chunk(void *arg, int64_t c, jx_error *err)
{
    const job *j = arg;
    const jx_interp *prog = j->prog;
    run rn = {prog, NULL, NULL, NULL};
    size_t regbytes = (size_t)prog->n * BLOCK * 8;
    /* zeroed: the lanes past a partial block are never undefined */
    rn.buf = calloc(1, regbytes + BLOCK * sizeof(wide));
    rn.reg = malloc(sizeof(char *) * (size_t)prog->n);
    if (rn.buf == NULL || rn.reg == NULL) {
        free(rn.buf);
        free(rn.reg);
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    rn.tmp = (wide *)(rn.buf + regbytes);
    for (int32_t idx = 0; idx < prog->n; idx++) {
        const jx_instr *in = &prog->ins[idx];
        rn.reg[idx] = rn.buf + (size_t)idx * BLOCK * 8;
        if (in->op == JX_IR_CONST)
            fill_const(in->dtype, rn.reg[idx], in->k);
    }
    run *outer = current; /* a kernel never runs another: for tidiness */
    current = &rn;
    jx_plan_run_chunk(j->p, &j->ck, c, interp_kernel);
    current = outer;
    free(rn.reg);
    free(rn.buf);
    return 0;
}

int jx_interp_run(const jx_interp *prog, const jx_plan *p, bool pool, jx_error *err)
{
    job j = {prog, p, {0}};
    /* segments of whole cache lines, as plan.c's: each result depends on
     * its own element only, so any cut gives the same bits */
    jx_plan_chunks(p, 64, true, pool, &j.ck);
    if (j.ck.nrows <= 0 || j.ck.inner <= 0)
        return 0;
    return jx_pool_run(j.ck.count, j.ck.nthreads, run_chunk, &j, err);
}
