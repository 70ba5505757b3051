/* eval.c - evaluation over N-D strided arrays.  See eval.h.
 *
 * The shape work follows NumPy's iterator: operands are broadcast against
 * each other, dimensions of size 1 dropped, the rest ordered by the
 * output's strides (so an F-ordered output iterates contiguously), and
 * neighbouring dimensions merged when every operand allows it.  What
 * remains is an outer odometer and one inner run per step, which the
 * kernel evaluates. */
#include "eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "pool.h"

#define MAX_OPS (1 + JX_MAX_VARS)

/* Below this many elements evaluation runs inline on the caller's thread:
 * waking workers costs more than it saves (measured: docs/threads.md). */
#define JX_PARALLEL_MIN 32768
/* The smallest chunk handed to a thread. */
#define JX_CHUNK_MIN 8192

/* Operands (output first) seen through the broadcast shape. */
typedef struct plan {
    int nops;                 /* 1 + input slots */
    int ndim;                 /* dimensions left */
    int64_t shape[JX_MAX_DIMS];
    int64_t *strides;         /* [ndim][nops], bytes, broadcast dims 0 */
    char *data[MAX_OPS];      /* first element of each operand */
    int64_t itemsize[MAX_OPS];
} plan;

#define STRIDE(p, d, op) ((p)->strides[(size_t)(d) * (size_t)(p)->nops + (size_t)(op)])

static void shape_text(char *buf, size_t size, const jx_array *a)
{
    size_t used = (size_t)snprintf(buf, size, "(");
    for (int d = 0; d < a->ndim && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld",
                                 d ? "," : "", (long long)a->shape[d]);
    if (used < size)
        snprintf(buf + used, size - used, a->ndim == 1 ? ",)" : ")");
}

static int broadcast_error(const jx_expr *e, const jx_array *const *ops,
                           int nops, jx_error *err)
{
    char msg[JX_MESSAGE_SIZE] = "operands could not be broadcast together with shapes";
    size_t used = strlen(msg);
    for (int i = 0; i < nops && used + 2 < sizeof msg; i++) {
        if (ops[i] == NULL)
            continue;
        char s[64];
        shape_text(s, sizeof s, ops[i]);
        used += (size_t)snprintf(msg + used, sizeof msg - used, " %s", s);
    }
    (void)e;
    jx_err_set(err, JX_ERR_SHAPE, -1, 0, "%s", msg);
    return -1;
}

static int check_array(const jx_array *a, const char *what, const char *name,
                       jx_error *err)
{
    if (a->ndim < 0 || a->ndim > JX_MAX_DIMS) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "%s '%s' has %d dimensions (at most %d)",
                   what, name, a->ndim, JX_MAX_DIMS);
        return -1;
    }
    int64_t size = 1;
    for (int d = 0; d < a->ndim; d++) {
        if (a->shape[d] < 0) {
            jx_err_set(err, JX_ERR_ARG, -1, 0, "%s '%s' has a negative dimension",
                       what, name);
            return -1;
        }
        size *= a->shape[d];
    }
    if (a->data == NULL && size != 0) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "%s '%s' has no data", what, name);
        return -1;
    }
    return 0;
}

/* Lowest and one-past-highest byte an array touches. */
static void extent(const jx_array *a, char **lo, char **hi)
{
    int64_t l = 0, h = (int64_t)jx_dtype_size(a->dtype);
    for (int d = 0; d < a->ndim; d++) {
        if (a->shape[d] == 0) {
            *lo = *hi = a->data;
            return;
        }
        int64_t span = a->strides[d] * (a->shape[d] - 1);
        if (span < 0)
            l += span;
        else
            h += span;
    }
    *lo = (char *)a->data + l;
    *hi = (char *)a->data + h;
}

/* Stride of array a along dimension d of an ndim-dimensional broadcast
 * shape (0 where a is broadcast). */
static int64_t bstride(const jx_array *a, int ndim, int d)
{
    int ad = d - (ndim - a->ndim);
    if (ad < 0 || a->shape[ad] == 1)
        return 0;
    return a->strides[ad];
}

typedef enum overlap { OV_NONE, OV_SAME, OV_PARTIAL } overlap;

/* How input a overlaps output out: not at all, element for element (safe
 * for an element-wise loop), or otherwise (needs a buffer). */
static overlap check_overlap(const jx_array *out, const jx_array *a)
{
    char *alo, *ahi, *olo, *ohi;
    extent(a, &alo, &ahi);
    extent(out, &olo, &ohi);
    if (alo == ahi || olo == ohi || ahi <= olo || ohi <= alo)
        return OV_NONE;
    if (a->data != out->data || jx_dtype_size(a->dtype) != jx_dtype_size(out->dtype))
        return OV_PARTIAL;
    for (int d = 0; d < out->ndim; d++)
        if (out->shape[d] > 1 && bstride(a, out->ndim, d) != out->strides[d])
            return OV_PARTIAL;
    return OV_SAME;
}

/* Copies src to dst (same shape, same dtype), any strides. */
static void copy_array(const jx_array *dst, const jx_array *src)
{
    int64_t idx[JX_MAX_DIMS] = {0};
    size_t item = jx_dtype_size(dst->dtype);
    int nd = dst->ndim;
    for (int d = 0; d < nd; d++)
        if (dst->shape[d] == 0)
            return;
    for (;;) {
        int64_t so = 0, doff = 0;
        for (int d = 0; d < nd; d++) {
            so += idx[d] * src->strides[d];
            doff += idx[d] * dst->strides[d];
        }
        memcpy((char *)dst->data + doff, (char *)src->data + so, item);
        int d = nd - 1;
        while (d >= 0 && ++idx[d] == dst->shape[d])
            idx[d--] = 0;
        if (d < 0)
            return;
    }
}

/* Drops dimensions of size 1, orders the rest by the output's strides
 * (largest first), and merges neighbours that are contiguous for every
 * operand. */
static void collapse(plan *p)
{
    int nd = 0;
    for (int d = 0; d < p->ndim; d++) {
        if (p->shape[d] == 1)
            continue;
        p->shape[nd] = p->shape[d];
        memmove(&STRIDE(p, nd, 0), &STRIDE(p, d, 0), sizeof(int64_t) * (size_t)p->nops);
        nd++;
    }
    p->ndim = nd;
    /* Insertion sort on |output stride|, descending; stable. */
    int64_t tmp[MAX_OPS];
    for (int i = 1; i < nd; i++) {
        int64_t s = p->shape[i];
        memcpy(tmp, &STRIDE(p, i, 0), sizeof(int64_t) * (size_t)p->nops);
        int64_t key = llabs(tmp[0]);
        int j = i;
        while (j > 0 && llabs(STRIDE(p, j - 1, 0)) < key) {
            p->shape[j] = p->shape[j - 1];
            memcpy(&STRIDE(p, j, 0), &STRIDE(p, j - 1, 0), sizeof(int64_t) * (size_t)p->nops);
            j--;
        }
        p->shape[j] = s;
        memcpy(&STRIDE(p, j, 0), tmp, sizeof(int64_t) * (size_t)p->nops);
    }
    /* Merge dimension d into d-1 when stride[d-1] == stride[d] * shape[d]. */
    nd = p->ndim == 0 ? 0 : 1;
    for (int d = 1; d < p->ndim; d++) {
        bool ok = true;
        for (int o = 0; o < p->nops && ok; o++)
            ok = STRIDE(p, nd - 1, o) == STRIDE(p, d, o) * p->shape[d];
        if (ok) {
            p->shape[nd - 1] *= p->shape[d];
            memcpy(&STRIDE(p, nd - 1, 0), &STRIDE(p, d, 0), sizeof(int64_t) * (size_t)p->nops);
        } else {
            p->shape[nd] = p->shape[d];
            memmove(&STRIDE(p, nd, 0), &STRIDE(p, d, 0), sizeof(int64_t) * (size_t)p->nops);
            nd++;
        }
    }
    p->ndim = nd;
}

/* Pointers to the first element of outer row `row` (the outer dimensions
 * flattened in C order). */
static void row_pointers(const plan *p, int64_t row, char **ptr)
{
    memcpy(ptr, p->data, sizeof(char *) * (size_t)p->nops);
    for (int d = p->ndim - 2; d >= 0 && row > 0; d--) {
        int64_t i = row % p->shape[d];
        row /= p->shape[d];
        for (int o = 0; o < p->nops; o++)
            ptr[o] += i * STRIDE(p, d, o);
    }
}

/* Runs the kernel over rows [r0, r1), elements [i0, i1) of each. */
static void run_rows(const plan *p, jx_kernel_fn fn, int64_t r0, int64_t r1,
                     int64_t i0, int64_t i1)
{
    int nops = p->nops;
    char *ptr[MAX_OPS];
    int64_t inner[MAX_OPS];
    if (p->ndim == 0) {
        memcpy(ptr, p->data, sizeof(char *) * (size_t)nops);
        for (int o = 0; o < nops; o++)
            inner[o] = p->itemsize[o];
        fn(1, ptr, inner);
        return;
    }
    int last = p->ndim - 1;
    memcpy(inner, &STRIDE(p, last, 0), sizeof(int64_t) * (size_t)nops);
    row_pointers(p, r0, ptr);
    for (int o = 0; o < nops; o++)
        ptr[o] += i0 * inner[o];
    int64_t idx[JX_MAX_DIMS], rem = r0; /* outer index of row r0 */
    for (int d = last - 1; d >= 0; d--) {
        idx[d] = rem % p->shape[d];
        rem /= p->shape[d];
    }
    for (int64_t r = r0; r < r1; r++) {
        fn(i1 - i0, ptr, inner);
        for (int d = last - 1; d >= 0; d--) { /* odometer */
            for (int o = 0; o < nops; o++)
                ptr[o] += STRIDE(p, d, o);
            if (++idx[d] < p->shape[d])
                break;
            for (int o = 0; o < nops; o++)
                ptr[o] -= STRIDE(p, d, o) * p->shape[d];
            idx[d] = 0;
        }
    }
}

/* How the iteration space is cut: `segs` segments of `seglen` elements per
 * row when rows are long, else `rows` rows per chunk. */
typedef struct chunking {
    const plan *p;
    jx_kernel_fn fn;
    int64_t nrows;   /* outer rows */
    int64_t inner;   /* elements per row */
    int64_t segs;    /* segments per row (1 when chunks hold whole rows) */
    int64_t seglen;  /* elements per segment */
    int64_t rows;    /* rows per chunk (when segs == 1) */
} chunking;

static int run_chunk(void *arg, int64_t c, jx_error *err)
{
    const chunking *ck = arg;
    if (ck->segs > 1) {
        int64_t r = c / ck->segs, s = c % ck->segs;
        int64_t i0 = s * ck->seglen;
        int64_t i1 = i0 + ck->seglen < ck->inner ? i0 + ck->seglen : ck->inner;
        run_rows(ck->p, ck->fn, r, r + 1, i0, i1);
    } else {
        int64_t r0 = c * ck->rows;
        int64_t r1 = r0 + ck->rows < ck->nrows ? r0 + ck->rows : ck->nrows;
        run_rows(ck->p, ck->fn, r0, r1, 0, ck->inner);
    }
    return 0;
}

/* Runs the plan, on several threads when it is large enough to pay. */
static int run(const plan *p, jx_kernel_fn fn, jx_error *err)
{
    int64_t inner = p->ndim ? p->shape[p->ndim - 1] : 1;
    int64_t total = inner, nrows = 1;
    for (int d = 0; d + 1 < p->ndim; d++)
        nrows *= p->shape[d];
    total *= nrows;
    int nthreads = jx_get_num_threads();
    if (nthreads <= 1 || total < JX_PARALLEL_MIN) {
        run_rows(p, fn, 0, nrows, 0, inner);
        return 0;
    }
    /* About four chunks per thread, none smaller than JX_CHUNK_MIN. */
    int64_t target = total / (4 * (int64_t)nthreads);
    if (target < JX_CHUNK_MIN)
        target = JX_CHUNK_MIN;
    chunking ck = {p, fn, nrows, inner, 1, inner, 1};
    int64_t nchunks;
    if (inner > target) {
        ck.segs = (inner + target - 1) / target;
        ck.seglen = (inner + ck.segs - 1) / ck.segs;
        ck.seglen = (ck.seglen + 63) & ~(int64_t)63; /* whole cache lines */
        ck.segs = (inner + ck.seglen - 1) / ck.seglen;
        nchunks = nrows * ck.segs;
    } else {
        ck.rows = (target + inner - 1) / inner;
        nchunks = (nrows + ck.rows - 1) / ck.rows;
    }
    return jx_pool_run(nchunks, nthreads, run_chunk, &ck, err);
}

static char layout_class(int64_t stride, int64_t itemsize)
{
    if (stride == 0)
        return JX_LAYOUT_SCALAR;
    return stride == itemsize ? JX_LAYOUT_CONTIG : JX_LAYOUT_STRIDED;
}

int jx_eval_run(const jx_expr *e, const jx_array *inputs, jx_array *out,
                bool alloc, jx_error *err)
{
    const jx_ir *ir = e->ir;
    int nin = ir->ninputs, nops = 1 + nin;
    const jx_array *ops[MAX_OPS];
    jx_dtype rtype = jx_ir_dtype(ir);

    if (out == NULL || (nin > 0 && inputs == NULL)) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "jx_eval: %s is NULL",
                   out == NULL ? "out" : "inputs");
        return -1;
    }
    ops[0] = alloc ? NULL : out;
    for (int i = 0; i < nin; i++) {
        const jx_array *a = &inputs[ir->input_var[i]];
        if (a->dtype != ir->input_dtype[i]) {
            jx_err_set(err, JX_ERR_TYPE, -1, 0,
                       "variable '%s' is %s but the expression was compiled for %s",
                       e->names[i], jx_dtype_name(a->dtype),
                       jx_dtype_name(ir->input_dtype[i]));
            return -1;
        }
        if (check_array(a, "variable", e->names[i], err) < 0)
            return -1;
        ops[1 + i] = a;
    }
    if (!alloc) {
        if (out->dtype != rtype) {
            jx_err_set(err, JX_ERR_TYPE, -1, 0,
                       "the output is %s but the result is %s",
                       jx_dtype_name(out->dtype), jx_dtype_name(rtype));
            return -1;
        }
        if (check_array(out, "output", "out", err) < 0)
            return -1;
    }

    /* Broadcast shape (the output takes part when the caller gave it). */
    int ndim = 0;
    for (int o = 0; o < nops; o++)
        if (ops[o] && ops[o]->ndim > ndim)
            ndim = ops[o]->ndim;
    int64_t shape[JX_MAX_DIMS];
    for (int d = 0; d < ndim; d++) {
        shape[d] = 1;
        for (int o = 0; o < nops; o++) {
            const jx_array *a = ops[o];
            int ad = a ? d - (ndim - a->ndim) : -1;
            if (ad < 0 || a->shape[ad] == 1)
                continue;
            if (shape[d] == 1)
                shape[d] = a->shape[ad];
            else if (a->shape[ad] != shape[d])
                return broadcast_error(e, ops, nops, err);
        }
    }
    size_t rsize = jx_dtype_size(rtype);
    int64_t total = 1;
    for (int d = 0; d < ndim; d++)
        total *= shape[d];

    if (alloc) {
        out->dtype = rtype;
        out->ndim = ndim;
        int64_t stride = (int64_t)rsize;
        for (int d = ndim - 1; d >= 0; d--) {
            out->shape[d] = shape[d];
            out->strides[d] = stride;
            stride *= shape[d] ? shape[d] : 1;
        }
        void *data = NULL;
        size_t bytes = (size_t)(total ? total : 1) * rsize;
        if (posix_memalign(&data, 64, (bytes + 63) & ~(size_t)63) != 0) {
            jx_err_set(err, JX_ERR_NOMEM, -1, 0,
                       "cannot allocate %zu bytes for the result", bytes);
            return -1;
        }
        out->data = data;
    } else {
        /* NumPy's rule: the inputs broadcast to the output's shape. */
        if (out->ndim != ndim)
            return broadcast_error(e, ops, nops, err);
        for (int d = 0; d < ndim; d++)
            if (out->shape[d] != shape[d])
                return broadcast_error(e, ops, nops, err);
        for (int d = 0; d < ndim; d++)
            if (out->shape[d] > 1 && out->strides[d] == 0) {
                jx_err_set(err, JX_ERR_ARG, -1, 0,
                           "the output has a zero stride in dimension %d", d);
                return -1;
            }
    }
    if (total == 0)
        return 0;

    /* Overlap between the output and the inputs. */
    bool noalias = true;
    if (!alloc) {
        for (int i = 0; i < nin; i++) {
            overlap ov = check_overlap(out, ops[1 + i]);
            if (ov == OV_PARTIAL) {
                /* Evaluate into a fresh buffer, then copy. */
                jx_array tmp;
                if (jx_eval_run(e, inputs, &tmp, true, err) < 0)
                    return -1;
                copy_array(out, &tmp); /* same shape, same dtype */
                free(tmp.data);
                return 0;
            }
            if (ov == OV_SAME)
                noalias = false;
        }
    }

    plan p;
    p.nops = nops;
    p.ndim = ndim;
    memcpy(p.shape, shape, sizeof(int64_t) * (size_t)ndim);
    p.strides = malloc(sizeof(int64_t) * (size_t)nops * (size_t)(ndim ? ndim : 1));
    if (p.strides == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    ops[0] = out;
    for (int o = 0; o < nops; o++) {
        p.data[o] = ops[o]->data;
        p.itemsize[o] = (int64_t)jx_dtype_size(ops[o]->dtype);
        for (int d = 0; d < ndim; d++)
            STRIDE(&p, d, o) = bstride(ops[o], ndim, d);
    }
    collapse(&p);

    char layout[JX_LAYOUT_MAX + 1];
    for (int o = 0; o < nops; o++)
        layout[o] = p.ndim == 0 ? JX_LAYOUT_CONTIG
                                : layout_class(STRIDE(&p, p.ndim - 1, o), p.itemsize[o]);
    strcpy(layout + nops, noalias ? ":n" : "");

    jx_kernel *tmpk = NULL;
    jx_kernel *k = jx_expr_kernel(e, layout, &tmpk, err);
    if (k == NULL) {
        free(p.strides);
        return -1;
    }
    int rc = run(&p, k->fn, err);
    jx_cache_release(tmpk);
    free(p.strides);
    return rc;
}
