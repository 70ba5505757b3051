/* eval.h - evaluation: broadcasting, dimension collapsing, the output,
 * overlap between the output and the inputs, and the loop over the outer
 * dimensions that calls the kernel on each inner run. */
#ifndef JX_EVAL_H
#define JX_EVAL_H

#include "adapt.h"
#include "cache.h"
#include "expr.h"
#include "pool.h"

#define JX_PLAN_MAX_OPS (1 + JX_MAX_VARS)

/* Operands (output first) seen through the broadcast shape. */
typedef struct jx_plan {
    int nops;                 /* 1 + input slots */
    int ndim;                 /* dimensions left */
    int64_t shape[JX_MAX_DIMS];
    int64_t *strides;         /* [ndim][nops], bytes, broadcast dims 0 */
    char *data[JX_PLAN_MAX_OPS];      /* first element of each operand */
    int64_t itemsize[JX_PLAN_MAX_OPS];
} jx_plan;

#define JX_PLAN_STRIDE(p, d, op) \
    ((p)->strides[(size_t)(d) * (size_t)(p)->nops + (size_t)(op)])

/* Drops dimensions of size 1, orders the rest (largest stride first) by
 * operand `by`'s strides, or by < 0 by the inputs' largest, and merges
 * neighbours that are contiguous for every operand. */
JX_INTERNAL void jx_plan_collapse(jx_plan *p, int by);
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
JX_INTERNAL void jx_chunk_range(const jx_chunks *ck, int64_t c, int64_t *r0,
                                int64_t *r1, int64_t *i0, int64_t *i1);
/* How to run plan p with ir's kernel k (adapt.h): the pool's model says
 * inline or pool; near its threshold both are allowed, and with narrow_ok
 * for a light kernel on an AVX-512 machine the 256-bit variants too; k's
 * timings choose among the ways allowed. */
JX_INTERNAL jx_adapt_pick jx_plan_pick(const jx_plan *p, const jx_ir *ir,
                                       jx_kernel *k, bool narrow_ok);
/* Runs the chunks of ck (fn, arg: jx_pool_run's) and, when pick was to
 * be timed, records the time in k's timings (adapt.h). */
JX_INTERNAL int jx_plan_run_chunks(jx_kernel *k, jx_adapt_pick pick,
                                   const jx_chunks *ck, jx_chunk_fn fn, void *arg,
                                   jx_error *err);
/* Runs fn over the whole plan the way pick says, on the pool (its
 * threads, as many as the settings allow) or inline, timed for k. */
JX_INTERNAL int jx_plan_run(const jx_plan *p, jx_kernel_fn fn, jx_kernel *k,
                            jx_adapt_pick pick, jx_error *err);
/* The layout class of an operand's inner stride. */
JX_INTERNAL char jx_layout_class(int64_t stride, int64_t itemsize);

/* Fills ops[1 + i] with the input of slot i, checked against the dtypes
 * e was compiled for. */
JX_INTERNAL int jx_eval_inputs(const jx_expr *e, const jx_array *inputs,
                               const jx_array **ops, jx_error *err);
/* The broadcast shape of the non-NULL ops. */
JX_INTERNAL int jx_eval_broadcast(const jx_expr *e, const jx_array *const *ops,
                                  int nops, int *ndim, int64_t *shape,
                                  jx_error *err);
/* The elements of a shape in *count (0 when a dimension is 0); -1 when
 * the product of its non-zero dimensions overflows int64 (NumPy refuses
 * such an array, empty or not). */
JX_INTERNAL int jx_shape_elements(int ndim, const int64_t *shape, int64_t *count);
/* The bytes of a new result of this shape and `item` bytes per element,
 * in *bytes; -1 with a JX_ERR_SHAPE ("the result is too big") when they
 * do not fit in int64, as NumPy's "array is too big". */
JX_INTERNAL int jx_eval_result_bytes(int ndim, const int64_t *shape, int64_t item,
                                     int64_t *bytes, jx_error *err);
/* Allocates *out: C order, 64-byte aligned, elements of dtype t and
 * `size` bytes (a byte string result's itemsize). */
JX_INTERNAL int jx_eval_alloc(jx_array *out, jx_dtype t, size_t size, int ndim,
                              const int64_t *shape, jx_error *err);
/* Checks a caller's output: dtype t (elements of `item` bytes), the given
 * shape, writable strides. */
JX_INTERNAL int jx_eval_check_out(const jx_array *out, jx_dtype t, int64_t item,
                                  int ndim, const int64_t *shape, jx_error *err);
/* Sets up p over ops (all of the broadcast shape's ndim or fewer), ops[0]
 * the output and ops[1 + i] input slot i of ir (byte strings: the
 * itemsize ir has for the slot). */
JX_INTERNAL int jx_plan_init(jx_plan *p, const jx_ir *ir,
                             const jx_array *const *ops, int nops, int ndim,
                             const int64_t *shape, jx_error *err);

/* A reduction's result shape from the broadcast shape: the axis (or -1
 * for all of them) and the shape without it (reduce.c). */
JX_INTERNAL int jx_reduce_shape(const jx_ir *ir, int ndim, const int64_t *shape,
                                int *axis, int *rndim, int64_t *rshape,
                                jx_error *err);
/* Evaluates a reduction (reduce.c); ops[1..] are the checked inputs. */
JX_INTERNAL int jx_reduce_run(const jx_expr *e, const jx_array **ops,
                              jx_array *out, bool alloc, jx_error *err);

/* Evaluates e (see jx_eval in jitexpr.h).  With alloc, *out is set up and
 * its data allocated; otherwise *out must have the broadcast shape. */
JX_INTERNAL int jx_eval_run(const jx_expr *e, const jx_array *inputs,
                            jx_array *out, bool alloc, jx_error *err);

#endif
