/* interp_block.c - the interpreter's loops: one instruction over a
 * register of JX_IB_BLOCK values.  See interp_block.h. */
#include "interp_block.h"

#include <math.h>
#include <string.h>

#include "ops.h"

static bool is_float(jx_dtype t) { return t == JX_FLOAT32 || t == JX_FLOAT64; }

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
#define LOOP for (int i_ = 0; i_ < JX_IB_BLOCK; i_++)

/* The value of element i_ of an integer register, modulo 2^64. */
#define W(x) ((uint64_t)(x)[i_])

void jx_ib_int_binary(int op, jx_dtype t, void *restrict r, const void *restrict a,
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

void jx_ib_float_binary(int op, jx_dtype t, void *restrict r, const void *restrict a,
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
void jx_ib_compare(int op, jx_dtype t, uint8_t *restrict o, const void *restrict a,
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

void jx_ib_int_unary(int op, jx_dtype t, void *restrict r, const void *restrict a)
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
            memcpy(o, x, JX_IB_BLOCK);
    }
    }
}

void jx_ib_float_unary(int op, jx_dtype t, void *restrict r, const void *restrict a)
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
void jx_ib_power(double k, jx_dtype t, void *restrict r, const void *restrict a)
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
void jx_ib_predicate(int op, jx_dtype t, uint8_t *restrict o, const void *restrict a)
{
    if (!is_float(t)) { /* integers and bool are finite numbers */
        memset(o, op == JX_OP_ISFINITE, JX_IB_BLOCK);
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
void jx_ib_select(void *restrict r, const uint8_t *restrict c, const void *restrict a,
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

void jx_ib_widen(jx_dtype t, jx_ib_wide *restrict w, const void *restrict a)
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

/* The jx_ib_wide values of type `from` as type `to` (not a float to an
 * integer: interpreted() refuses it). */
void jx_ib_narrow(jx_dtype from, jx_dtype to, void *restrict r, const jx_ib_wide *restrict w)
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
void jx_ib_fill_const(jx_dtype t, void *restrict r, jx_value k)
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
        memset(r, k.u != 0, JX_IB_BLOCK);
    }
}

void jx_ib_fill_one(jx_dtype t, void *restrict r)
{
    jx_value one;
    if (is_float(t))
        one.f = 1.0;
    else
        one.u = 1;
    jx_ib_fill_const(t, r, one);
}

/* Copies m elements of `size` bytes from a stride into a register, or
 * back; bool as 0 or 1 on the way in. */
void jx_ib_gather(char *r, const char *src, int64_t stride, size_t size, bool bl, int m)
{
    for (int i = 0; i < m; i++)
        if (bl)
            r[i] = src[i * stride] != 0;
        else
            memcpy(r + (size_t)i * size, src + i * stride, size);
}

void jx_ib_scatter(char *dst, int64_t stride, const char *r, size_t size, int m)
{
    if (stride == (int64_t)size)
        memmove(dst, r, size * (size_t)m);
    else
        for (int i = 0; i < m; i++)
            memcpy(dst + i * stride, r + (size_t)i * size, size);
}

