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
 *     lanes;
 *   - reductions: each block's values folded into the partial of their
 *     JX_REDUCE_BLOCK elements (the partials layout), or each into its own
 *     accumulator (the accumulating layout), as jit/reduce_cg.c's loops
 *     fold them (below).
 * The loops over a register are interp_block.c's. */
#include "interp.h"
#include "interp_block.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK JX_IB_BLOCK

struct jx_interp {
    int32_t n;      /* instructions */
    int32_t result; /* the one whose value is stored (a reduction's: folded) */
    int reduce;     /* the reduction op, or -1 */
    jx_dtype acc;   /* its accumulator type */
    bool accumulate; /* the accumulating layout ('A'), not the partials */
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

/* Whether the reduction of ir is one this file computes with the
 * compiled code's bits: into an integer or bool accumulator (sum and prod
 * modulo 2^bits, min, max, any, all), the min or max of floats
 * (jit/reduce_cg.c's keys), a float sum or product (in the lanes of ir.h's
 * JX_REDUCE_LANES), from a value converted to it as interpreted()
 * converts. */
static bool reduce_taken(const jx_ir *ir)
{
    jx_dtype acc = ir->acc_dtype, t = ir->ins[ir->result].dtype;
    return held(acc) && held(t) && !(is_float(t) && !is_float(acc) && acc != JX_BOOL);
}

jx_interp *jx_interp_new(const jx_ir *ir, const char *layout, jx_interp_unit_fn unit,
                         void *ctx)
{
    if (ir->n <= 0 ||
        (ir->reduce >= 0 && ((layout[0] != JX_LAYOUT_PARTIALS &&
                              layout[0] != JX_LAYOUT_ACCUMULATE) ||
                             !reduce_taken(ir))))
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
    p->reduce = ir->reduce;
    p->acc = ir->acc_dtype;
    p->accumulate = layout[0] == JX_LAYOUT_ACCUMULATE;
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

/* ---- running ----------------------------------------------------------- */

/* One run's state: the program and its registers (thread-local, since
 * plan.c calls a kernel with the kernel ABI's arguments only). */
typedef struct run {
    const jx_interp *prog;
    char *buf;     /* [n][BLOCK * 8] */
    jx_ib_wide *tmp;     /* [BLOCK] conversions */
    char **reg;    /* [n] the value of each instruction in this block */
    char *accreg;  /* [BLOCK * 8] a reduction's values as its accumulator's */
    char *accs;    /* [BLOCK * 8] the accumulating layout's accumulators */
    jx_ib_wide *wide2; /* [2 * BLOCK] their scratch */
} run;

static _Thread_local run *current;

/* Whether the n bytes at p and at q overlap. */
static bool overlap(const char *p, const char *q, size_t n) { return p < q + n && q < p + n; }

/* m elements (at most BLOCK) from element j0 of the run: stored into the
 * output (ptrs[0]) where store, else (a reduction's values) left in the
 * register returned. */
static const void *exec_block(const run *rn, int64_t j0, int m, char *const *ptrs,
                              const int64_t *strides, bool store)
{
    const jx_interp *p = rn->prog;
    char **reg = rn->reg;
    size_t osize = jx_dtype_size(p->ins[p->result].dtype);
    char *out = ptrs[0] + j0 * strides[0];
    /* The result straight into the output: a whole contiguous block,
     * overlapping no input read in place (restrict; in place, a = a + b,
     * goes through a register) */
    bool direct = store && m == BLOCK && strides[0] == (int64_t)osize &&
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
            jx_ib_gather(reg[idx], src, strides[s], size, in->dtype == JX_BOOL, m);
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
            jx_ib_widen(at, rn->tmp, a);
            jx_ib_narrow(at, t, r, rn->tmp);
            break;
        case JX_OP_POS:
        case JX_OP_COPY:
            memcpy(r, a, jx_dtype_size(t) * BLOCK);
            break;
        case JX_OP_ONES_LIKE:
            jx_ib_fill_one(t, r);
            break;
        case JX_OP_POW:
            jx_ib_power(in->k.f, t, r, a);
            break;
        case JX_OP_WHERE:
            jx_ib_select(r, a, b, reg[in->args[2]], jx_dtype_size(t));
            break;
        case JX_OP_LT: case JX_OP_LE: case JX_OP_EQ:
        case JX_OP_NE: case JX_OP_GE: case JX_OP_GT:
            jx_ib_compare(in->op, at, (uint8_t *)r, a, b);
            break;
        case JX_OP_ISNAN: case JX_OP_ISINF: case JX_OP_ISFINITE:
            jx_ib_predicate(in->op, at, (uint8_t *)r, a);
            break;
        default:
            if (in->nargs == 2)
                (is_float(at) ? jx_ib_float_binary : jx_ib_int_binary)(in->op, at, r, a, b);
            else
                (is_float(at) ? jx_ib_float_unary : jx_ib_int_unary)(in->op, at, r, a);
        }
    }
    if (store && reg[p->result] != out)
        jx_ib_scatter(out, strides[0], reg[p->result], osize, m);
    return reg[p->result];
}

/* ---- reductions: one partial per JX_REDUCE_BLOCK elements --------------- */

_Static_assert(JX_REDUCE_BLOCK % BLOCK == 0, "a partial's elements are whole blocks");
_Static_assert(BLOCK % JX_REDUCE_LANES == 0, "a block's element i is lane i % LANES");

/* A partial being reduced: an integer or bool accumulator's value modulo
 * 2^64 (signed types sign-extended), a float min or max's largest and
 * smallest key (jit/loops.c's float_key: the bits as a signed integer,
 * the magnitude flipped where the sign is set, sign-extended), or a float
 * sum's or product's lanes (ir.h; float32 values are exact as doubles). */
typedef struct part {
    uint64_t v;
    int64_t hi, lo;
    double lane[JX_REDUCE_LANES];
    double ident; /* a float accumulator's identity: 0 or 1 */
} part;

/* Whether p's accumulator is a float sum's or product's lanes. */
static bool laned(const jx_interp *p)
{
    jx_reduce_comb c = jx_ops_reduce(p->reduce)->comb;
    return is_float(p->acc) && (c == JX_RC_ADD || c == JX_RC_MUL);
}

/* lane[l] = lane[l] op x[l] for the m values x (starting at lane 0), in
 * the accumulator's type: floats rounded as floats. */
static void lanes_fold(const jx_interp *p, double *lane, const void *x, int m)
{
    bool mul = jx_ops_reduce(p->reduce)->comb == JX_RC_MUL;
    if (p->acc == JX_FLOAT32) {
        const float *f = x;
        for (int i = 0; i < m; i++) {
            float a = (float)lane[i % JX_REDUCE_LANES];
            lane[i % JX_REDUCE_LANES] = mul ? a * f[i] : a + f[i];
        }
    } else {
        const double *d = x;
        for (int i = 0; i < m; i++) {
            double a = lane[i % JX_REDUCE_LANES];
            lane[i % JX_REDUCE_LANES] = mul ? a * d[i] : a + d[i];
        }
    }
}

/* The lanes' value: lane l takes lane l + h for h = LANES/2, ..., 1. */
static double lanes_total(const jx_interp *p, double *lane)
{
    for (int h = JX_REDUCE_LANES / 2; h >= 1; h /= 2)
        lanes_fold(p, lane, lane + h, h);
    return lane[0];
}

static bool is_signed(jx_dtype t) { return t >= JX_INT8 && t <= JX_INT64; }

/* The key of float bits of width w (32 or 64), and back (its own inverse). */
static int64_t float_key(uint64_t bits, int w)
{
    int64_t b = w == 32 ? (int64_t)(int32_t)(uint32_t)bits : (int64_t)bits;
    return b ^ ((b >> 63) & (int64_t)(UINT64_MAX >> (65 - w)));
}

/* The keys of +inf and -inf in width w. */
static int64_t key_inf(int w, bool negative)
{
    return float_key(w == 32 ? (negative ? 0xff800000u : 0x7f800000u)
                             : (negative ? UINT64_C(0xfff0000000000000)
                                         : UINT64_C(0x7ff0000000000000)),
                     w);
}

/* How two accumulators of p's combine: bools by and or or, as the
 * compiled code's (loops.c's reduce_combine). */
static jx_reduce_comb comb_of(const jx_interp *p)
{
    jx_reduce_comb c = jx_ops_reduce(p->reduce)->comb;
    if (p->acc == JX_BOOL)
        return c == JX_RC_AND || c == JX_RC_MIN || c == JX_RC_MUL ? JX_RC_AND : JX_RC_OR;
    return c;
}

/* combine(a, y) of integer or bool accumulators (signed: sg) as 64-bit
 * values, modulo 2^64 (the low bits of the type's width are kept). */
static uint64_t int_combine(jx_reduce_comb c, bool sg, uint64_t a, uint64_t y)
{
    switch (c) {
    case JX_RC_ADD: return a + y;
    case JX_RC_MUL: return a * y;
    case JX_RC_OR: return a | y;
    case JX_RC_AND: return a & y;
    case JX_RC_MIN: return (sg ? (int64_t)y < (int64_t)a : y < a) ? y : a;
    default: return (sg ? (int64_t)y > (int64_t)a : y > a) ? y : a; /* max */
    }
}

static void part_init(const jx_interp *p, part *s)
{
    jx_value re;
    double im;
    jx_ops_reduce_identity(p->reduce, p->acc, &re, &im);
    int w = (int)jx_dtype_size(p->acc) * 8;
    s->v = re.u;
    s->hi = key_inf(w, true);
    s->lo = key_inf(w, false);
    s->ident = is_float(p->acc) ? re.f : 0;
    for (int l = 0; l < JX_REDUCE_LANES; l++)
        s->lane[l] = s->ident;
}

/* Folds m values of register r (the result's type) into s. */
/* Register r (the result's type) in the accumulator's type, as a cast. */
static const void *to_acc(const run *rn, const void *r)
{
    const jx_interp *p = rn->prog;
    jx_dtype t = p->ins[p->result].dtype;
    if (t == p->acc)
        return r;
    jx_ib_widen(t, rn->tmp, r);
    jx_ib_narrow(t, p->acc, rn->accreg, rn->tmp);
    return rn->accreg;
}

static void fold(const run *rn, part *s, const void *r, int m)
{
    const jx_interp *p = rn->prog;
    jx_dtype acc = p->acc;
    const void *v = to_acc(rn, r);
    if (laned(p)) {
        lanes_fold(p, s->lane, v, m);
        return;
    }
    if (is_float(acc)) {
        int w = (int)jx_dtype_size(acc) * 8;
        for (int i = 0; i < m; i++) {
            int64_t key = float_key(w == 32 ? ((const uint32_t *)v)[i]
                                            : ((const uint64_t *)v)[i], w);
            s->hi = key > s->hi ? key : s->hi;
            s->lo = key < s->lo ? key : s->lo;
        }
        return;
    }
    const jx_ib_wide *x = rn->tmp;
    jx_ib_widen(acc, rn->tmp, v);
    jx_reduce_comb c = comb_of(p);
    bool sg = is_signed(acc);
    for (int i = 0; i < m; i++)
        s->v = int_combine(c, sg, s->v, x[i].u);
}

/* Stores s, the partial of cnt values, as a value of p's accumulator
 * type at dst: a float min or max is NaN (C's, the compiled code's
 * constant) where a key lies beyond an infinity's; a float sum's or
 * product's lanes take the identity to the end of their last group. */
static void part_store(const jx_interp *p, part *s, int64_t cnt, char *dst)
{
    size_t size = jx_dtype_size(p->acc);
    uint64_t bits = s->v;
    if (laned(p)) {
        int first = (int)(cnt % JX_REDUCE_LANES);
        if (first != 0) {
            float fid[JX_REDUCE_LANES];
            double id[JX_REDUCE_LANES];
            for (int l = 0; l < JX_REDUCE_LANES; l++)
                id[l] = fid[l] = (float)s->ident;
            lanes_fold(p, s->lane + first, p->acc == JX_FLOAT32 ? (void *)fid : id,
                       JX_REDUCE_LANES - first);
        }
        double t = lanes_total(p, s->lane);
        float f = (float)t;
        if (size == 4)
            memcpy(&bits, &f, 4);
        else
            memcpy(&bits, &t, 8);
    } else if (is_float(p->acc)) {
        int w = (int)size * 8;
        bool nan = s->hi > key_inf(w, false) || s->lo < key_inf(w, true);
        bits = (uint64_t)float_key(
            (uint64_t)(jx_ops_reduce(p->reduce)->comb == JX_RC_MAX ? s->hi : s->lo), w);
        if (nan && w == 32) {
            float f = NAN;
            memcpy(&bits, &f, sizeof f);
        } else if (nan) {
            double d = NAN;
            memcpy(&bits, &d, sizeof d);
        }
    }
    switch (size) { /* the low bits */
    case 1: *(uint8_t *)dst = (uint8_t)bits; break;
    case 2: { uint16_t x = (uint16_t)bits; memcpy(dst, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)bits; memcpy(dst, &x, 4); break; }
    default: memcpy(dst, &bits, 8); break;
    }
}

/* The 'R' kernel's work: partial b of ptrs[0] (stride strides[0]) the
 * reduction of elements [b*JX_REDUCE_BLOCK, min(n, (b+1)*JX_REDUCE_BLOCK)). */
static void reduce_partials(const run *rn, int64_t n, char *const *ptrs,
                            const int64_t *strides)
{
    for (int64_t b0 = 0; b0 < n; b0 += JX_REDUCE_BLOCK) {
        int64_t end = n - b0 < JX_REDUCE_BLOCK ? n : b0 + JX_REDUCE_BLOCK;
        part s;
        part_init(rn->prog, &s);
        for (int64_t j0 = b0; j0 < end; j0 += BLOCK) {
            int m = (int)(end - j0 < BLOCK ? end - j0 : BLOCK);
            fold(rn, &s, exec_block(rn, j0, m, ptrs, strides, false), m);
        }
        part_store(rn->prog, &s, end - b0, ptrs[0] + b0 / JX_REDUCE_BLOCK * strides[0]);
    }
}

/* llvm.minimum (max: llvm.maximum) of a and b: NaN where either is (one
 * of them, quieted: the NaN's sign and payload are not the compiled
 * code's, as for other operations with two NaNs), -0 below +0. */
#define FLOAT_MINIMUM(NAME, C, U)                                              \
    static C NAME(C a, C b, bool max)                                          \
    {                                                                          \
        if (isnan(a) || isnan(b))                                              \
            return a + b;                                                      \
        if (a == b) { /* +-0: and of the bits for max, or for min */          \
            U x, y;                                                            \
            memcpy(&x, &a, sizeof x);                                          \
            memcpy(&y, &b, sizeof y);                                          \
            x = max ? x & y : x | y;                                           \
            memcpy(&a, &x, sizeof x);                                          \
            return a;                                                          \
        }                                                                      \
        return max ? (a > b ? a : b) : (a < b ? a : b);                        \
    }
FLOAT_MINIMUM(minimum_f, float, uint32_t)
FLOAT_MINIMUM(minimum_d, double, uint64_t)
#undef FLOAT_MINIMUM

/* o[i] = combine(o[i], v[i]) for m accumulators o of p's type, as
 * jit/reduce_cg.c's jx_rd_combine (not reassociated): floats by IEEE
 * operations, integers modulo 2^bits, bools by and or or.  w: two wide
 * registers of scratch. */
static void combine_block(const jx_interp *p, char *o, const void *v, jx_ib_wide *w, int m)
{
    jx_reduce_comb c = comb_of(p);
    bool mm = c == JX_RC_MIN || c == JX_RC_MAX, max = c == JX_RC_MAX;
    if (p->acc == JX_FLOAT32 || p->acc == JX_FLOAT64) {
        for (int i = 0; i < m; i++) {
            if (p->acc == JX_FLOAT32) {
                float *a = (float *)o + i, x = ((const float *)v)[i];
                *a = mm ? minimum_f(*a, x, max) : c == JX_RC_MUL ? *a * x : *a + x;
            } else {
                double *a = (double *)o + i, x = ((const double *)v)[i];
                *a = mm ? minimum_d(*a, x, max) : c == JX_RC_MUL ? *a * x : *a + x;
            }
        }
        return;
    }
    jx_ib_wide *a = w, *x = w + BLOCK;
    jx_ib_widen(p->acc, a, o);
    jx_ib_widen(p->acc, x, v);
    bool sg = is_signed(p->acc);
    for (int i = 0; i < m; i++)
        a[i].u = int_combine(c, sg, a[i].u, x[i].u);
    jx_ib_narrow(p->acc, p->acc, o, a);
}

/* The 'A' kernel's work: out[i] = combine(out[i], value[i]), the
 * accumulators at ptrs[0] (stride strides[0]) gathered into a register
 * and back. */
static void reduce_accumulate(const run *rn, int64_t n, char *const *ptrs,
                              const int64_t *strides)
{
    const jx_interp *p = rn->prog;
    size_t size = jx_dtype_size(p->acc);
    for (int64_t j0 = 0; j0 < n; j0 += BLOCK) {
        int m = (int)(n - j0 < BLOCK ? n - j0 : BLOCK);
        const void *v = to_acc(rn, exec_block(rn, j0, m, ptrs, strides, false));
        char *dst = ptrs[0] + j0 * strides[0];
        jx_ib_gather(rn->accs, dst, strides[0], size, p->acc == JX_BOOL, m);
        combine_block(p, rn->accs, v, rn->wide2, m);
        jx_ib_scatter(dst, strides[0], rn->accs, size, m);
    }
}

void jx_interp_kernel(int64_t n, char *const *ptrs, const int64_t *strides)
{
    const run *rn = current;
    if (rn->prog->reduce >= 0) {
        (rn->prog->accumulate ? reduce_accumulate : reduce_partials)(rn, n, ptrs, strides);
        return;
    }
    for (int64_t j0 = 0; j0 < n; j0 += BLOCK)
        exec_block(rn, j0, (int)(n - j0 < BLOCK ? n - j0 : BLOCK), ptrs, strides, true);
}

/* One run over the plan, cut into chunks (jx_plan_chunks). */
typedef struct job {
    const jx_interp *prog;
    const jx_plan *p;
    jx_chunks ck;
} job;

int jx_interp_with(const jx_interp *prog, jx_chunk_fn fn, void *arg, int64_t c,
                   jx_error *err)
{
    run rn = {prog, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t regbytes = (size_t)prog->n * BLOCK * 8;
    /* zeroed: the lanes past a partial block are never undefined */
    rn.buf = calloc(1, regbytes + 3 * BLOCK * sizeof(jx_ib_wide) + 2 * BLOCK * 8);
    rn.reg = malloc(sizeof(char *) * (size_t)prog->n);
    if (rn.buf == NULL || rn.reg == NULL) {
        free(rn.buf);
        free(rn.reg);
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    rn.tmp = (jx_ib_wide *)(rn.buf + regbytes);
    rn.wide2 = rn.tmp + BLOCK;
    rn.accreg = (char *)(rn.wide2 + 2 * BLOCK);
    rn.accs = rn.accreg + BLOCK * 8;
    for (int32_t idx = 0; idx < prog->n; idx++) {
        const jx_instr *in = &prog->ins[idx];
        rn.reg[idx] = rn.buf + (size_t)idx * BLOCK * 8;
        if (in->op == JX_IR_CONST)
            jx_ib_fill_const(in->dtype, rn.reg[idx], in->k);
    }
    run *outer = current; /* a kernel never runs another: for tidiness */
    current = &rn;
    int rc = fn(arg, c, err);
    current = outer;
    free(rn.reg);
    free(rn.buf);
    return rc;
}

/* Chunk c of the job (jx_chunk_fn), under jx_interp_with. */
static int plan_chunk(void *arg, int64_t c, jx_error *err)
{
    (void)err;
    const job *j = arg;
    jx_plan_run_chunk(j->p, &j->ck, c, jx_interp_kernel);
    return 0;
}

/* Chunk c of the job with registers of its own. */
static int run_chunk(void *arg, int64_t c, jx_error *err)
{
    const job *j = arg;
    return jx_interp_with(j->prog, plan_chunk, arg, c, err);
}

int jx_interp_run(const jx_interp *prog, const jx_plan *p, bool pool, jx_error *err)
{
    job j = {prog, p, {0}};
    /* segments of whole cache lines, as plan.c's: each result depends on
     * its own element only, so any cut gives the same bits; accumulating
     * a reduction, each chunk one segment of every row, so that no two
     * write the same accumulators */
    jx_plan_chunks(p, 64, !prog->accumulate, pool, &j.ck);
    if (j.ck.nrows <= 0 || j.ck.inner <= 0)
        return 0;
    return jx_pool_run(j.ck.count, j.ck.nthreads, run_chunk, &j, err);
}
