/* reduce.c - reductions: sum, prod, min, max, any, all, mean of an
 * element-wise expression, over the whole array or along one axis.
 *
 * Two ways, chosen by where the reduced axis falls once the dimensions are
 * ordered by the inputs' strides:
 *  - innermost (or every axis): the 'R' kernel reduces each row in blocks of
 *    JX_REDUCE_BLOCK elements into partials; the partials of a row (or of
 *    the whole array) are then combined here, pairwise for float sums, in a
 *    fixed order, so the result does not depend on the threads' timing.  A
 *    row of one block writes its partial straight into its accumulator.
 *  - an outer axis: the output is set to the operation's identity and the
 *    'A' kernel accumulates each row into it (out[i] = op(out[i], v[i]));
 *    threads take disjoint segments of the rows, so none writes another's
 *    outputs.
 * Then the accumulators are converted to the result dtype (mean divides).
 * Complex accumulators (complex128 for sums, products and means; the
 * operand's type for min and max) are combined here as pairs of doubles,
 * with NumPy's formulas: the naive product, the lexicographic min and max
 * in which the first value with a NaN part wins, the mean as NumPy's
 * division by count + 0j.  Each operation's identity, combination and
 * division by the count are its row of the op table's JX_REDUCES
 * (ops.h), which the kernels (jit/loops.c) read too. */
#include "reduce.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adapt.h"
#include "cache.h"
#include "dtype.h"
#include "interp.h"
#include "plan.h"
#include "pool.h"

#define STRIDE JX_PLAN_STRIDE

/* Reads element i of an accumulator array of type t. */
static double get_f(const void *p, jx_dtype t, int64_t i)
{
    return t == JX_FLOAT32 ? ((const float *)p)[i] : ((const double *)p)[i];
}

static void put_f(void *p, jx_dtype t, int64_t i, double v)
{
    if (t == JX_FLOAT32)
        ((float *)p)[i] = (float)v;
    else
        ((double *)p)[i] = v;
}

/* An integer or bool accumulator as 64 bits (signed types sign-extended). */
static uint64_t get_u(const void *p, jx_dtype t, int64_t i)
{
    switch (t) {
    case JX_BOOL:
    case JX_UINT8: return ((const uint8_t *)p)[i];
    case JX_INT8: return (uint64_t)(int64_t)((const int8_t *)p)[i];
    case JX_INT16: return (uint64_t)(int64_t)((const int16_t *)p)[i];
    case JX_UINT16: return ((const uint16_t *)p)[i];
    case JX_INT32: return (uint64_t)(int64_t)((const int32_t *)p)[i];
    case JX_UINT32: return ((const uint32_t *)p)[i];
    default: return ((const uint64_t *)p)[i];
    }
}

static void put_u(void *p, jx_dtype t, int64_t i, uint64_t v)
{
    switch (jx_dtype_size(t)) {
    case 1: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case 2: ((uint16_t *)p)[i] = (uint16_t)v; break;
    case 4: ((uint32_t *)p)[i] = (uint32_t)v; break;
    default: ((uint64_t *)p)[i] = v; break;
    }
}

static bool is_float(jx_dtype t) { return jx_dtype_kind(t) == JX_KIND_FLOAT; }
static bool is_complex(jx_dtype t) { return jx_dtype_kind(t) == JX_KIND_COMPLEX; }
static bool is_signed(jx_dtype t) { return jx_dtype_kind(t) == JX_KIND_INT; }

/* A complex accumulator value; complex64 parts are widened exactly. */
typedef struct cplx {
    double re; /* real part */
    double im; /* imaginary part */
} cplx;

static cplx get_c(const void *p, jx_dtype t, int64_t i)
{
    cplx v;
    if (t == JX_COMPLEX64) {
        v.re = ((const float *)p)[2 * i];
        v.im = ((const float *)p)[2 * i + 1];
    } else {
        v.re = ((const double *)p)[2 * i];
        v.im = ((const double *)p)[2 * i + 1];
    }
    return v;
}

static void put_c(void *p, jx_dtype t, int64_t i, cplx v)
{
    if (t == JX_COMPLEX64) {
        ((float *)p)[2 * i] = (float)v.re;
        ((float *)p)[2 * i + 1] = (float)v.im;
    } else {
        ((double *)p)[2 * i] = v.re;
        ((double *)p)[2 * i + 1] = v.im;
    }
}

/* The combine column of reduction op (ops.h's JX_REDUCES). */
static jx_reduce_comb comb_of(int op) { return jx_ops_reduce(op)->comb; }

/* op(a, b) on doubles, NaN-propagating for min and max (as NumPy). */
static double combine_f(int op, double a, double b)
{
    switch (comb_of(op)) {
    case JX_RC_MUL: return a * b;
    case JX_RC_MIN: return isnan(a) || isnan(b) ? NAN : (b < a ? b : a);
    case JX_RC_MAX: return isnan(a) || isnan(b) ? NAN : (b > a ? b : a);
    default: return a + b; /* sum, mean */
    }
}

/* NumPy's complex order: a >= b (ge) or a <= b, lexicographic; a NaN
 * imaginary part makes the comparison of the real parts false. */
static bool order_c(cplx a, cplx b, bool ge)
{
    bool ordered = !isnan(a.im) && !isnan(b.im);
    bool lead = ge ? a.re > b.re : a.re < b.re;
    bool tie = ge ? a.im >= b.im : a.im <= b.im;
    return (lead && ordered) || (a.re == b.re && tie);
}

/* op(a, b) on complex values, as the kernel's (jit/loops.c
 * cx_reduce_combine): min and max keep a when it has a NaN part, so the
 * first NaN in order propagates (np.minimum, np.maximum). */
static cplx combine_c(int op, cplx a, cplx b)
{
    cplx r;
    switch (comb_of(op)) {
    case JX_RC_MUL:
        r.re = a.re * b.re - a.im * b.im;
        r.im = a.re * b.im + a.im * b.re;
        return r;
    case JX_RC_MIN:
    case JX_RC_MAX:
        if (isnan(a.re) || isnan(a.im) || order_c(a, b, comb_of(op) == JX_RC_MAX))
            return a;
        return b;
    default: /* sum, mean */
        r.re = a.re + b.re;
        r.im = a.im + b.im;
        return r;
    }
}

static uint64_t combine_u(int op, jx_dtype t, uint64_t a, uint64_t b)
{
    bool s = is_signed(t);
    switch (comb_of(op)) {
    case JX_RC_MUL: return a * b;
    case JX_RC_MIN: return (s ? (int64_t)b < (int64_t)a : b < a) ? b : a;
    case JX_RC_MAX: return (s ? (int64_t)b > (int64_t)a : b > a) ? b : a;
    case JX_RC_OR: return a | b;
    case JX_RC_AND: return a & b;
    default: return a + b;
    }
}

/* Pairwise combination of n float partials: the error grows with log n. */
static double pairwise(int op, const void *p, jx_dtype t, int64_t lo, int64_t n)
{
    if (n <= 8) {
        double r = get_f(p, t, lo);
        for (int64_t i = 1; i < n; i++)
            r = combine_f(op, r, get_f(p, t, lo + i));
        return r;
    }
    int64_t half = n / 2;
    return combine_f(op, pairwise(op, p, t, lo, half),
                     pairwise(op, p, t, lo + half, n - half));
}

/* pairwise() on complex partials; earlier partials stay on the left, so
 * min and max keep the first NaN. */
static cplx pairwise_c(int op, const void *p, jx_dtype t, int64_t lo, int64_t n)
{
    if (n <= 8) {
        cplx r = get_c(p, t, lo);
        for (int64_t i = 1; i < n; i++)
            r = combine_c(op, r, get_c(p, t, lo + i));
        return r;
    }
    int64_t half = n / 2;
    return combine_c(op, pairwise_c(op, p, t, lo, half),
                     pairwise_c(op, p, t, lo + half, n - half));
}

/* Combines partials [lo, lo+n) of type t into element `at` of acc. */
static void combine_into(int op, jx_dtype t, const void *partials, int64_t lo,
                         int64_t n, void *acc, int64_t at)
{
    size_t size = jx_dtype_size(t);
    if (n == 1) { /* one partial (a whole array of one block) */
        memcpy((char *)acc + (size_t)at * size, (const char *)partials + (size_t)lo * size,
               size);
    } else if (is_complex(t)) {
        put_c(acc, t, at, pairwise_c(op, partials, t, lo, n));
    } else if (is_float(t)) {
        put_f(acc, t, at, pairwise(op, partials, t, lo, n));
    } else {
        uint64_t r = get_u(partials, t, lo);
        for (int64_t i = 1; i < n; i++)
            r = combine_u(op, t, r, get_u(partials, t, lo + i));
        put_u(acc, t, at, r);
    }
}

/* The identity of op in type t (the start of an accumulation: ops.h's
 * jx_ops_reduce_identity) in acc[0..n). */
static void identity(int op, jx_dtype t, void *acc, int64_t n)
{
    jx_value re;
    double im;
    jx_ops_reduce_identity(op, t, &re, &im);
    for (int64_t i = 0; i < n; i++) {
        if (is_complex(t)) {
            cplx z = {re.f, im};
            put_c(acc, t, i, z);
        } else if (is_float(t)) {
            put_f(acc, t, i, re.f);
        } else {
            put_u(acc, t, i, re.u);
        }
    }
}

/* Stores accumulator element i (type acc) as a value of the result type. */
static void store_result(int op, jx_dtype acc, const void *a, int64_t i,
                         jx_dtype rt, char *dst, int64_t count)
{
    bool mean = jx_ops_reduce(op)->mean;
    if (is_complex(acc)) {
        cplx v = get_c(a, acc, i);
        if (mean && count == 0) {
            v.re = v.im = NAN;
        } else if (mean) {
            /* NumPy divides by count + 0j (Smith's division: ratio 0,
             * scale 1/count), so an inf part makes the other NaN. */
            double scl = 1.0 / (double)count;
            cplx q = {(v.re + v.im * 0.0) * scl, (v.im - v.re * 0.0) * scl};
            v = q;
        }
        put_c(dst, rt, 0, v);
        return;
    }
    if (is_float(acc)) {
        double v = get_f(a, acc, i);
        if (mean)
            v = count ? v / (double)count : NAN;
        switch (rt) {
        case JX_FLOAT16: *(_Float16 *)dst = (_Float16)v; break;
        case JX_FLOAT32: *(float *)dst = (float)v; break;
        default: *(double *)dst = v; break;
        }
        return;
    }
    uint64_t v = get_u(a, acc, i);
    if (mean) { /* not reached: mean accumulates in float64 */
        *(double *)dst = count ? (double)(int64_t)v / (double)count : NAN;
        return;
    }
    if (rt == JX_BOOL)
        v = v != 0;
    put_u(dst, rt, 0, v);
}

/* Whether a's elements (of `size` bytes) lie in C order, contiguous. */
static bool c_order(const jx_array *a, int64_t size)
{
    for (int d = a->ndim - 1; d >= 0; d--) {
        if (a->shape[d] != 1 && a->strides[d] != size)
            return false;
        size *= a->shape[d];
    }
    return true;
}

/* ---- the two ways ------------------------------------------------------- */

/* The job of the 'R' way's chunks. */
typedef struct rjob {
    const jx_plan *p;
    jx_kernel_fn fn;
    const jx_interp *prog; /* interpreted: fn is jx_interp_kernel */
    jx_chunks ck;
    char *partials;     /* 'R': [nrows][nblocks] of acc */
    bool direct;        /* one block per row, each its result's own: the
                           partial written to the row's accumulator */
    int64_t nblocks;    /* partials per row */
    int64_t accsize;
} rjob;

/* 'R': rows [r0, r1), elements [i0, i1) into their partials. */
static int partials_chunk(void *arg, int64_t c, jx_error *err)
{
    const rjob *j = arg;
    const jx_plan *p = j->p;
    int64_t r0, r1, i0, i1;
    jx_plan_chunk_range(&j->ck, c, &r0, &r1, &i0, &i1);
    char *ptr[JX_PLAN_MAX_OPS];
    int64_t inner[JX_PLAN_MAX_OPS];
    for (int o = 0; o < p->nops; o++)
        inner[o] = p->ndim ? STRIDE(p, p->ndim - 1, o) : p->itemsize[o];
    inner[0] = j->accsize;
    for (int64_t r = r0; r < r1; r++) {
        jx_plan_row_pointers(p, r, ptr);
        for (int o = 1; o < p->nops; o++)
            ptr[o] += i0 * inner[o];
        if (!j->direct)
            ptr[0] = j->partials + (r * j->nblocks + i0 / JX_REDUCE_BLOCK) * j->accsize;
        j->fn(i1 - i0, ptr, inner);
    }
    return 0;
}

/* partials_chunk with the interpreter's registers (interp.h). */
static int interp_chunk(void *arg, int64_t c, jx_error *err)
{
    const rjob *j = arg;
    return jx_interp_with(j->prog, partials_chunk, arg, c, err);
}

int jx_reduce_shape(const jx_ir *ir, int ndim, const int64_t *shape, int *axis,
                    int *rndim, int64_t *rshape, jx_error *err)
{
    int ax = -1;
    if (ir->has_axis) {
        ax = ir->axis < 0 ? ir->axis + ndim : ir->axis;
        if (ax < 0 || ax >= ndim) {
            jx_err_set(err, JX_ERR_SHAPE, -1, 0,
                       "axis %d is out of bounds for array of dimension %d",
                       (int)ir->axis, ndim);
            return -1;
        }
    }
    int n = 0;
    for (int d = 0; d < ndim; d++)
        if (ax >= 0 && d != ax)
            rshape[n++] = shape[d];
    *axis = ax;
    *rndim = n;
    return 0;
}

int jx_reduce_run(const jx_expr *e, const jx_array **ops, jx_array *out,
                  bool alloc, jx_error *err)
{
    const jx_ir *ir = e->ir;
    int op = ir->reduce, nops = 1 + ir->ninputs;
    jx_dtype rt = ir->dtype, at = ir->acc_dtype;
    int64_t accsize = (int64_t)jx_dtype_size(at);

    int ndim;
    int64_t shape[JX_MAX_DIMS];
    ops[0] = NULL;
    if (jx_plan_broadcast(ops, nops, &ndim, shape, err) < 0)
        return -1;
    int ax, ondim;
    int64_t oshape[JX_MAX_DIMS], total, nout;
    if (jx_reduce_shape(ir, ndim, shape, &ax, &ondim, oshape, err) < 0)
        return -1;
    /* jx_plan_broadcast refused a shape whose non-zero dimensions'
     * product overflows; the result's are some of them. */
    if (jx_plan_elements(ndim, shape, &total) < 0 ||
        jx_plan_elements(ondim, oshape, &nout) < 0) {
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0, "reduction: the broadcast size overflows");
        return -1;
    }
    int64_t count = ax >= 0 ? shape[ax] : total; /* elements per result */
    if (alloc) {
        if (jx_plan_alloc(out, rt, jx_dtype_size(rt), ondim, oshape, err) < 0)
            return -1;
    } else if (jx_plan_check_out(out, rt, (int64_t)jx_dtype_size(rt), ondim, oshape,
                                 err) < 0) {
        return -1;
    }
    /* NumPy's rule: min and max of a reduced axis (or of a whole array)
     * of length 0 fail even when there is nothing to store, as
     * np.empty((0, 0)).max(axis=1) does; (0, 3) along axis 1 has three
     * elements per (absent) result and gives an empty array. */
    if (count == 0 && (op == JX_OP_MIN || op == JX_OP_MAX)) {
        jx_err_set(err, JX_ERR_SHAPE, -1, 0,
                   "zero-size array to reduction operation %s which has no identity",
                   op == JX_OP_MIN ? "minimum" : "maximum");
        return -1;
    }
    if (nout == 0)
        return 0;

    /* A new result of the accumulators' type in C order is the
     * accumulators themselves: nothing to convert or copy. */
    bool in_out = alloc && at == rt && !jx_ops_reduce(op)->mean && c_order(out, accsize);
    int64_t accbytes;
    char *acc = in_out ? out->data : NULL;
    if (!in_out && !__builtin_mul_overflow(nout, accsize, &accbytes))
        acc = malloc((size_t)accbytes);
    if (acc == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    int rc = 0;
    if (count == 0) {
        identity(op, at, acc, nout);
    } else {
        /* The accumulators as operand 0: C order over the result's
         * dimensions, stride 0 along the reduced axis (or every axis). */
        jx_array A;
        memset(&A, 0, sizeof A);
        A.data = acc;
        A.dtype = at;
        A.ndim = ndim;
        int64_t stride = accsize;
        for (int d = ndim - 1; d >= 0; d--) {
            A.shape[d] = shape[d];
            A.strides[d] = (ax < 0 || d == ax) ? 0 : stride;
            if (ax >= 0 && d != ax)
                stride *= shape[d];
        }
        ops[0] = &A;
        jx_plan p;
        if (jx_plan_init(&p, e->ir, ops, nops, ndim, shape, err) < 0) {
            if (!in_out)
                free(acc);
            return -1;
        }
        jx_plan_collapse(&p, -1);
        bool rows = p.ndim == 0 || STRIDE(&p, p.ndim - 1, 0) == 0;

        char layout[JX_LAYOUT_MAX + 1];
        layout[0] = rows ? JX_LAYOUT_PARTIALS : JX_LAYOUT_ACCUMULATE;
        jx_plan_layout(&p, layout + 1);
        if (rows)
            layout[1] = JX_LAYOUT_CONTIG;
        strcpy(layout + 1 + nops, ":n"); /* acc is ours: no overlap */

        jx_kernel *tmpk = NULL;
        jx_kernel *k = jx_expr_kernel(e, layout, &tmpk, err);
        /* interpreted or quick code (every tier accumulates in the same
         * order, complex sums aside: interp.h, jit/module.c's
         * jx_mod_quick_ok) until its optimised compile pays (tier.h): as
         * eval.c's, not timed for the pool */
        int64_t units = jx_plan_work(&p, ir);
        bool quick = false;
        jx_kernel_fn fn = k ? jx_cache_code(k, ir, layout, units, &quick) : NULL;
        const jx_interp *prog = fn == NULL && k != NULL ? k->interp : NULL;
        if (prog != NULL)
            fn = jx_interp_kernel;
        int64_t t0 = quick ? jx_adapt_now() : 0;
        jx_kernel *timed = quick ? NULL : k;
        rjob j = {&p, fn, prog, {0}, NULL, false, 0, accsize};
        if (fn == NULL) {
            if (k != NULL)
                jx_err_set(err, JX_ERR_INTERNAL, -1, 0, "a reduction without code");
            rc = -1;
        } else if (rows) {
            /* inline or on the pool as k's timings say (adapt.h) */
            jx_adapt_pick pick = jx_plan_pick(&p, ir, timed, false);
            jx_plan_chunks(&p, JX_REDUCE_BLOCK, true, JX_WAY_IS_POOL(pick.way), &j.ck);
            /* ceil(inner / block) without inner + block - 1, which could
             * overflow for a broadcast row near 2**63 elements */
            j.nblocks = (j.ck.inner - 1) / JX_REDUCE_BLOCK + 1;
            j.direct = ax >= 0 && j.nblocks == 1;
            int64_t nparts, pbytes;
            if (!j.direct && !__builtin_mul_overflow(j.ck.nrows, j.nblocks, &nparts) &&
                !__builtin_mul_overflow(nparts, accsize, &pbytes))
                j.partials = malloc((size_t)pbytes);
            if (j.partials == NULL && !j.direct) {
                jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
                rc = -1;
            } else {
                rc = jx_plan_run_chunks(timed, pick, &j.ck,
                                        prog ? interp_chunk : partials_chunk, &j, err);
            }
            if (rc == 0 && ax < 0) {
                combine_into(op, at, j.partials, 0, j.ck.nrows * j.nblocks, acc, 0);
            } else if (rc == 0 && !j.direct) {
                char *ptr[JX_PLAN_MAX_OPS];
                for (int64_t r = 0; r < j.ck.nrows; r++) {
                    jx_plan_row_pointers(&p, r, ptr);
                    combine_into(op, at, j.partials, r * j.nblocks, j.nblocks, acc,
                                 (ptr[0] - acc) / accsize);
                }
            }
            free(j.partials);
        } else {
            identity(op, at, acc, nout);
            /* 'A': each chunk accumulates one segment of every row, so
             * that no two threads write the same outputs */
            jx_adapt_pick pick = jx_plan_pick(&p, ir, timed, false);
            rc = prog ? jx_interp_run(prog, &p, JX_WAY_IS_POOL(pick.way), err)
                      : jx_plan_run(&p, fn, timed, pick, false, err);
        }
        if (rc == 0 && quick)
            jx_cache_quick_ran(k, units, jx_adapt_now() - t0, prog != NULL);
        jx_cache_release(tmpk);
        free(p.strides);
    }

    if (rc == 0 && !in_out && at == rt && !jx_ops_reduce(op)->mean &&
        c_order(out, accsize)) {
        memcpy(out->data, acc, (size_t)(nout * accsize)); /* as they are */
    } else if (rc == 0 && !in_out) { /* accumulators to the result, in C order */
        int64_t idx[JX_MAX_DIMS] = {0};
        for (int64_t i = 0; i < nout; i++) {
            int64_t off = 0;
            for (int d = 0; d < ondim; d++)
                off += idx[d] * out->strides[d];
            store_result(op, at, acc, i, rt, (char *)out->data + off, count);
            for (int d = ondim - 1; d >= 0 && ++idx[d] == oshape[d]; d--)
                idx[d] = 0;
        }
    }
    if (!in_out)
        free(acc);
    return rc;
}
