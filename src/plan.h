/* plan.h - the iteration plan that both drivers use (eval.c for
 * element-wise expressions, reduce.c for reductions): the operands checked
 * and broadcast, the result allocated or the caller's checked, the
 * dimensions collapsed, the outer rows cut into chunks, and each inner run
 * handed to a kernel, inline or on the thread pool. */
#ifndef JX_PLAN_H
#define JX_PLAN_H

#include "adapt.h"
#include "cache.h"
#include "expr.h"
#include "pool.h"

/* ---- operands ---------------------------------------------------------- */

/* The elements of a shape in *count (0 when a dimension is 0); -1 when
 * the product of its non-zero dimensions overflows int64 (NumPy refuses
 * such an array, empty or not). */
JX_INTERNAL int jx_plan_elements(int ndim, const int64_t *shape, int64_t *count);
/* Checks a caller's array (elements of `item` bytes; `what` and `name`
 * for the message: "variable 'x'", "output 'out'"): at most JX_MAX_DIMS
 * dimensions, none negative, data unless empty, and shape and strides
 * that span at most 2**63 - 1 elements and bytes. */
JX_INTERNAL int jx_plan_check_array(const jx_array *a, int64_t item, const char *what,
                                    const char *name, jx_error *err);
/* Bytes per element of operand o (0: the output, 1 + i: input slot i of
 * ir) of type t; a byte string's are those ir was compiled for. */
JX_INTERNAL int64_t jx_plan_itemsize(const jx_ir *ir, int o, jx_dtype t);
/* Stride of a along dimension d of an ndim-dimensional broadcast shape
 * (0 where a is broadcast). */
JX_INTERNAL int64_t jx_plan_bstride(const jx_array *a, int ndim, int d);
/* Fills ops[1 + i] with the input of slot i, checked against the dtypes
 * e was compiled for, and runs e's checks of weak values (weak.c). */
JX_INTERNAL int jx_plan_inputs(const jx_expr *e, const jx_array *inputs,
                               const jx_array **ops, jx_error *err);
/* The broadcast shape of the non-NULL ops. */
JX_INTERNAL int jx_plan_broadcast(const jx_array *const *ops, int nops, int *ndim,
                                  int64_t *shape, jx_error *err);
/* The bytes of a new result of this shape and `item` bytes per element,
 * in *bytes; -1 with a JX_ERR_SHAPE ("the result is too big") when they
 * do not fit in int64, as NumPy's "array is too big". */
JX_INTERNAL int jx_plan_result_bytes(int ndim, const int64_t *shape, int64_t item,
                                     int64_t *bytes, jx_error *err);
/* Allocates *out: C order, 64-byte aligned, elements of dtype t and
 * `size` bytes (a byte string result's itemsize). */
JX_INTERNAL int jx_plan_alloc(jx_array *out, jx_dtype t, size_t size, int ndim,
                              const int64_t *shape, jx_error *err);
/* Checks a caller's output: dtype t (elements of `item` bytes), the given
 * shape, writable strides. */
JX_INTERNAL int jx_plan_check_out(const jx_array *out, jx_dtype t, int64_t item,
                                  int ndim, const int64_t *shape, jx_error *err);

/* ---- the plan ---------------------------------------------------------- */

#define JX_PLAN_MAX_OPS (1 + JX_MAX_VARS)

/* Operands (output first) seen through the broadcast shape. */
typedef struct jx_plan {
    int nops;                 /* 1 + input slots */
    int ndim;                 /* dimensions left */
    int64_t shape[JX_MAX_DIMS];
    int64_t *strides;         /* [ndim][nops], bytes, broadcast dims 0 */
    char *data[JX_PLAN_MAX_OPS];      /* first element of each operand */
    int64_t itemsize[JX_PLAN_MAX_OPS];
    bool split;               /* a long row's first kernel call may stop at
                                 the output's cache line (jx_plan_run_rows):
                                 for light IR only, whose code is the same at
                                 every position */
} jx_plan;

#define JX_PLAN_STRIDE(p, d, op) \
    ((p)->strides[(size_t)(d) * (size_t)(p)->nops + (size_t)(op)])

/* Sets up p over ops (all of the broadcast shape's ndim or fewer), ops[0]
 * the output and ops[1 + i] input slot i of ir (byte strings: the
 * itemsize ir has for the slot).  The caller frees p->strides. */
JX_INTERNAL int jx_plan_init(jx_plan *p, const jx_ir *ir,
                             const jx_array *const *ops, int nops, int ndim,
                             const int64_t *shape, jx_error *err);
/* Drops dimensions of size 1, orders the rest (largest stride first) by
 * operand `by`'s strides, or by < 0 by the inputs' largest, and merges
 * neighbours that are contiguous for every operand. */
JX_INTERNAL void jx_plan_collapse(jx_plan *p, int by);
/* The layout class of an operand's inner stride (ir.h: JX_LAYOUT_*). */
JX_INTERNAL char jx_plan_layout_class(int64_t stride, int64_t itemsize);
/* The layout class of each operand of a collapsed plan, in classes[0 ..
 * nops - 1] (no terminator): the first part of a kernel's layout key. */
JX_INTERNAL void jx_plan_layout(const jx_plan *p, char *classes);
/* Pointers to the first element of outer row `row` (outer dimensions
 * flattened in C order). */
JX_INTERNAL void jx_plan_row_pointers(const jx_plan *p, int64_t row, char **ptr);
/* Runs fn over rows [r0, r1), elements [i0, i1) of each. */
JX_INTERNAL void jx_plan_run_rows(const jx_plan *p, jx_kernel_fn fn, int64_t r0,
                                  int64_t r1, int64_t i0, int64_t i1);

/* How a plan's iteration space is cut into chunks for the pool: chunks of
 * whole rows (`rows` rows each) or of row segments (`segs` per row,
 * `seglen` elements, a multiple of the alignment asked for).  Without
 * rows_ok, a chunk is one segment of every row (for reductions that
 * accumulate along the rows).  nthreads is 1 unless `pool` (the way
 * jx_plan_pick chose) and the settings allow more (jx_pool_settings). */
typedef struct jx_chunks {
    int64_t nrows;   /* outer rows */
    int64_t inner;   /* elements per row */
    int64_t segs;    /* segments per row */
    int64_t seglen;  /* elements per segment */
    int64_t rows;    /* rows per chunk when segs == 1 */
    int64_t count;   /* chunks */
    bool across;     /* a chunk is one segment of every row */
    int nthreads;    /* threads to use */
} jx_chunks;

JX_INTERNAL void jx_plan_chunks(const jx_plan *p, int64_t align, bool rows_ok,
                                bool pool, jx_chunks *ck);
/* Chunk c covers rows [r0, r1), elements [i0, i1) of each. */
JX_INTERNAL void jx_plan_chunk_range(const jx_chunks *ck, int64_t c, int64_t *r0,
                                     int64_t *r1, int64_t *i0, int64_t *i1);
/* Runs fn over chunk c of ck (rows or a row's segment) of plan p. */
JX_INTERNAL void jx_plan_run_chunk(const jx_plan *p, const jx_chunks *ck, int64_t c,
                                   jx_kernel_fn fn);
/* The work of running plan p with ir's kernel: elements times ir's cost
 * (saturated at INT64_MAX). */
JX_INTERNAL int64_t jx_plan_work(const jx_plan *p, const jx_ir *ir);
/* How to run plan p with ir's kernel k (adapt.h): the pool's model says
 * inline or pool; near its threshold both are allowed, and with narrow_ok
 * for a light kernel on an AVX-512 machine the 256-bit variants too; k's
 * timings choose among the ways allowed.  k NULL: the model's way. */
JX_INTERNAL jx_adapt_pick jx_plan_pick(const jx_plan *p, const jx_ir *ir,
                                       jx_kernel *k, bool narrow_ok);
/* Runs the chunks of ck (fn, arg: jx_pool_run's) and, when pick was to
 * be timed, records the time in k's timings (adapt.h). */
JX_INTERNAL int jx_plan_run_chunks(jx_kernel *k, jx_adapt_pick pick,
                                   const jx_chunks *ck, jx_chunk_fn fn, void *arg,
                                   jx_error *err);
/* Runs fn over the whole plan the way pick says, on the pool (its
 * threads, as many as the settings allow) or inline, timed for k; in
 * chunks of whole rows or row segments, or with rows_ok false in chunks
 * that each take one segment of every row (jx_plan_chunks). */
JX_INTERNAL int jx_plan_run(const jx_plan *p, jx_kernel_fn fn, jx_kernel *k,
                            jx_adapt_pick pick, bool rows_ok, jx_error *err);

#endif
