/* interp_block.h - the interpreted tier's loops (interp.c): one
 * instruction over a register, JX_IB_BLOCK values of its dtype (bool as a
 * byte 0 or 1), with the bits of the compiled code (interp.h).  Every loop
 * runs over the whole block; lanes past a last, partial block compute on
 * stale values, never stored. */
#ifndef JX_INTERP_BLOCK_H
#define JX_INTERP_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtype.h"
#include "util.h"
#include "value.h"

#define JX_IB_BLOCK 256

/* A register converted, through a jx_ib_wide value: a double for floats, the
 * bits of an int64 or uint64 for integers and bool. */
typedef union jx_ib_wide {
    double f;
    int64_t i;
    uint64_t u;
} jx_ib_wide;

/* op (+ - * & | ^) of two integer or bool registers of type t; bool + is
 * or, * is and. */
JX_INTERNAL void jx_ib_int_binary(int op, jx_dtype t, void *restrict r,
                                  const void *restrict a, const void *restrict b);
/* op (+ - * /) of two float registers. */
JX_INTERNAL void jx_ib_float_binary(int op, jx_dtype t, void *restrict r,
                                    const void *restrict a, const void *restrict b);
JX_INTERNAL void jx_ib_compare(int op, jx_dtype t, uint8_t *restrict o,
                               const void *restrict a, const void *restrict b);
/* - ~ square abs of an integer or bool register. */
JX_INTERNAL void jx_ib_int_unary(int op, jx_dtype t, void *restrict r,
                                 const void *restrict a);
/* - abs square 1/x sqrt floor ceil trunc of a float register. */
JX_INTERNAL void jx_ib_float_unary(int op, jx_dtype t, void *restrict r,
                                   const void *restrict a);
JX_INTERNAL void jx_ib_power(double k, jx_dtype t, void *restrict r, const void *restrict a);
JX_INTERNAL void jx_ib_predicate(int op, jx_dtype t, uint8_t *restrict o,
                                 const void *restrict a);
JX_INTERNAL void jx_ib_select(void *restrict r, const uint8_t *restrict c,
                              const void *restrict a, const void *restrict b, size_t size);
/* A register of type t as wide values, and back as type `to`. */
JX_INTERNAL void jx_ib_widen(jx_dtype t, jx_ib_wide *restrict w, const void *restrict a);
JX_INTERNAL void jx_ib_narrow(jx_dtype from, jx_dtype to, void *restrict r,
                              const jx_ib_wide *restrict w);
JX_INTERNAL void jx_ib_fill_const(jx_dtype t, void *restrict r, jx_value k);
JX_INTERNAL void jx_ib_fill_one(jx_dtype t, void *restrict r);
JX_INTERNAL void jx_ib_gather(char *r, const char *src, int64_t stride, size_t size, bool bl,
                              int m);
JX_INTERNAL void jx_ib_scatter(char *dst, int64_t stride, const char *r, size_t size, int m);

#endif
