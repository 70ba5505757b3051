/* plan.c - the iteration plan that both drivers (eval.c, element-wise;
 * reduce.c, reductions) use.  See plan.h.
 *
 * The shape work follows NumPy's iterator: operands are broadcast against
 * each other, dimensions of size 1 dropped, the rest ordered by the
 * output's strides (so an F-ordered output iterates contiguously), and
 * neighbouring dimensions merged when every operand allows it.  What
 * remains is an outer odometer and one inner run per step, which the
 * kernel evaluates, inline or in chunks on the thread pool. */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "jit.h"

#define MAX_OPS JX_PLAN_MAX_OPS
#define STRIDE JX_PLAN_STRIDE

/* The smallest chunk handed to a thread. */
#define JX_CHUNK_MIN 8192

/* ---- operands: shapes, checks, broadcasting, the result -------------- */

static void shape_text(char *buf, size_t size, int ndim, const int64_t *shape)
{
    size_t used = (size_t)snprintf(buf, size, "(");
    for (int d = 0; d < ndim && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld",
                                 d ? "," : "", (long long)shape[d]);
    if (used < size)
        snprintf(buf + used, size - used, ndim == 1 ? ",)" : ")");
}

static int broadcast_error(const jx_array *const *ops, int nops, jx_error *err)
{
    char msg[JX_MESSAGE_SIZE] = "operands could not be broadcast together with shapes";
    size_t used = strlen(msg);
    for (int i = 0; i < nops && used + 2 < sizeof msg; i++) {
        if (ops[i] == NULL)
            continue;
        char s[64];
        shape_text(s, sizeof s, ops[i]->ndim, ops[i]->shape);
        used += (size_t)snprintf(msg + used, sizeof msg - used, " %s", s);
    }
    jx_err_set(err, JX_ERR_SHAPE, -1, 0, "%s", msg);
    return -1;
}

int jx_plan_elements(int ndim, const int64_t *shape, int64_t *count)
{
    int64_t n = 1;
    bool empty = false;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] == 0) {
            empty = true;
            continue;
        }
        if (__builtin_mul_overflow(n, shape[d], &n))
            return -1;
    }
    *count = empty ? 0 : n;
    return 0;
}

/* A caller's array: at most JX_MAX_DIMS dimensions, none negative, data
 * unless it is empty, and a size every offset computation can make:
 * NumPy's bound on an array (the element count, and the bytes it spans
 * from its lowest to its highest element, fit in int64), so that no
 * index times stride below wraps around.  item: bytes per element. */
int jx_plan_check_array(const jx_array *a, int64_t item, const char *what,
                       const char *name, jx_error *err)
{
    if (a->ndim < 0 || a->ndim > JX_MAX_DIMS) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "%s '%s' has %d dimensions (at most %d)",
                   what, name, a->ndim, JX_MAX_DIMS);
        return -1;
    }
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] < 0) {
            jx_err_set(err, JX_ERR_ARG, -1, 0, "%s '%s' has a negative dimension",
                       what, name);
            return -1;
        }
    int64_t size, span = item;
    bool ok = jx_plan_elements(a->ndim, a->shape, &size) == 0;
    for (int d = 0; d < a->ndim && ok; d++) {
        int64_t step;
        if (a->shape[d] == 0)
            continue;
        ok = !__builtin_mul_overflow(a->strides[d], a->shape[d] - 1, &step) &&
             step != INT64_MIN && !__builtin_add_overflow(span, step < 0 ? -step : step, &span);
    }
    if (!ok) {
        jx_err_set(err, JX_ERR_ARG, -1, 0,
                   "%s '%s' is too large: its shape and strides span more than "
                   "2**63 - 1 elements or bytes", what, name);
        return -1;
    }
    if (a->data == NULL && size != 0) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "%s '%s' has no data", what, name);
        return -1;
    }
    return 0;
}

/* Bytes per element of operand o (0: the output, 1 + i: input slot i) of
 * type t: a byte string's itemsize is the one it was compiled with (the
 * output's, the result instruction's). */
int64_t jx_plan_itemsize(const jx_ir *ir, int o, jx_dtype t)
{
    if (t == JX_BYTES && o > 0 && ir->input_itemsize != NULL)
        return ir->input_itemsize[o - 1];
    if (t == JX_BYTES && o == 0)
        return ir->ins[ir->result].itemsize;
    return (int64_t)jx_dtype_size(t);
}

/* Stride of array a along dimension d of an ndim-dimensional broadcast
 * shape (0 where a is broadcast). */
int64_t jx_plan_bstride(const jx_array *a, int ndim, int d)
{
    int ad = d - (ndim - a->ndim);
    if (ad < 0 || a->shape[ad] == 1)
        return 0;
    return a->strides[ad];
}

int jx_plan_inputs(const jx_expr *e, const jx_array *inputs,
                   const jx_array **ops, jx_error *err)
{
    const jx_ir *ir = e->ir;
    if (ir->ninputs > 0 && inputs == NULL) {
        jx_err_set(err, JX_ERR_ARG, -1, 0, "jx_eval: inputs is NULL");
        return -1;
    }
    for (int i = 0; i < ir->ninputs; i++) {
        const jx_array *a = &inputs[ir->input_var[i]];
        if (a->dtype != ir->input_dtype[i]) {
            jx_err_set(err, JX_ERR_TYPE, -1, 0,
                       "variable '%s' is %s but the expression was compiled for %s",
                       e->names[i], jx_dtype_name(a->dtype),
                       jx_dtype_name(ir->input_dtype[i]));
            return -1;
        }
        if (jx_plan_check_array(a, jx_plan_itemsize(ir, 1 + i, a->dtype), "variable", e->names[i],
                        err) < 0)
            return -1;
        ops[1 + i] = a;
    }
    return jx_weak_check(e, ops, err);
}

int jx_plan_broadcast(const jx_array *const *ops, int nops, int *ndim_out,
                      int64_t *shape, jx_error *err)
{
    int ndim = 0;
    for (int o = 0; o < nops; o++)
        if (ops[o] && ops[o]->ndim > ndim)
            ndim = ops[o]->ndim;
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
                return broadcast_error(ops, nops, err);
        }
    }
    /* Shapes that each fit can broadcast to one whose element count does
     * not: (2**40, 1) with (1, 2**40).  Every count, row and offset below
     * is an int64, so such a shape is refused here, as NumPy refuses it
     * ("broadcast dimensions too large"), rather than computed modulo
     * 2**64 (a sum over zero elements). */
    int64_t count;
    if (jx_plan_elements(ndim, shape, &count) < 0) {
        char text[128];
        shape_text(text, sizeof text, ndim, shape);
        jx_err_set(err, JX_ERR_SHAPE, -1, 0,
                   "broadcast dimensions too large: the inputs broadcast to %s, "
                   "more than 2**63 - 1 elements", text);
        return -1;
    }
    *ndim_out = ndim;
    return 0;
}

int jx_plan_result_bytes(int ndim, const int64_t *shape, int64_t item,
                         int64_t *bytes, jx_error *err)
{
    /* NumPy's bound for an array: the bytes of its non-zero dimensions fit
     * in int64 ("array is too big"), empty or not; with room here to
     * round the allocation up to 64 bytes. */
    int64_t n = 1;
    bool ok = true;
    for (int d = 0; d < ndim && ok; d++)
        if (shape[d] != 0)
            ok = !__builtin_mul_overflow(n, shape[d], &n);
    ok = ok && !__builtin_mul_overflow(n, item, bytes) && *bytes <= INT64_MAX - 64;
    if (!ok) {
        char text[128];
        shape_text(text, sizeof text, ndim, shape);
        jx_err_set(err, JX_ERR_SHAPE, -1, 0,
                   "the result is too big: shape %s of %lld-byte elements is more "
                   "than 2**63 - 1 bytes", text, (long long)item);
        return -1;
    }
    for (int d = 0; d < ndim; d++)
        if (shape[d] == 0)
            *bytes = 0;
    return 0;
}

int jx_plan_alloc(jx_array *out, jx_dtype t, size_t size, int ndim,
                  const int64_t *shape, jx_error *err)
{
    int64_t bytes;
    if (jx_plan_result_bytes(ndim, shape, (int64_t)size, &bytes, err) < 0)
        return -1;
    out->dtype = t;
    out->ndim = ndim;
    int64_t stride = (int64_t)size; /* no overflow: bounded by the bytes above */
    for (int d = ndim - 1; d >= 0; d--) {
        out->shape[d] = shape[d];
        out->strides[d] = stride;
        stride *= shape[d] ? shape[d] : 1;
    }
    void *data = NULL;
    size_t want = (size_t)(bytes ? bytes : (int64_t)size);
    if (posix_memalign(&data, 64, (want + 63) & ~(size_t)63) != 0) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0,
                   "cannot allocate %zu bytes for the result", want);
        return -1;
    }
    out->data = data;
    return 0;
}

int jx_plan_check_out(const jx_array *out, jx_dtype t, int64_t item, int ndim,
                      const int64_t *shape, jx_error *err)
{
    if (out->dtype != t) {
        jx_err_set(err, JX_ERR_TYPE, -1, 0, "the output is %s but the result is %s",
                   jx_dtype_name(out->dtype), jx_dtype_name(t));
        return -1;
    }
    if (jx_plan_check_array(out, item, "output", "out", err) < 0)
        return -1;
    bool same = out->ndim == ndim;
    for (int d = 0; same && d < ndim; d++)
        same = out->shape[d] == shape[d];
    if (!same) {
        char a[64], b[64];
        shape_text(a, sizeof a, out->ndim, out->shape);
        shape_text(b, sizeof b, ndim, shape);
        jx_err_set(err, JX_ERR_SHAPE, -1, 0,
                   "the output has shape %s but the result has shape %s", a, b);
        return -1;
    }
    int64_t total = 1;
    for (int d = 0; d < ndim; d++)
        total *= shape[d];
    for (int d = 0; d < ndim && total > 0; d++) /* NumPy gives empty arrays 0 strides */
        if (out->shape[d] > 1 && out->strides[d] == 0) {
            jx_err_set(err, JX_ERR_ARG, -1, 0,
                       "the output has a zero stride in dimension %d", d);
            return -1;
        }
    return 0;
}

/* ---- the plan: collapse, rows, chunks, the way to run --------------- */

/* The key dimensions are ordered by: |stride| of operand `by`, or with
 * by < 0 the largest |stride| among the inputs (operands 1...). */
static int64_t sort_key(const jx_plan *p, int d, int by)
{
    if (by >= 0)
        return llabs(STRIDE(p, d, by));
    int64_t key = 0;
    for (int o = 1; o < p->nops; o++)
        if (llabs(STRIDE(p, d, o)) > key)
            key = llabs(STRIDE(p, d, o));
    return key;
}

void jx_plan_collapse(jx_plan *p, int by)
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
    /* Insertion sort on the sort key, descending; stable. */
    int64_t tmp[MAX_OPS];
    for (int i = 1; i < nd; i++) {
        int64_t s = p->shape[i];
        int64_t key = sort_key(p, i, by);
        memcpy(tmp, &STRIDE(p, i, 0), sizeof(int64_t) * (size_t)p->nops);
        int j = i;
        while (j > 0 && sort_key(p, j - 1, by) < key) {
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
void jx_plan_row_pointers(const jx_plan *p, int64_t row, char **ptr)
{
    memcpy(ptr, p->data, sizeof(char *) * (size_t)p->nops);
    for (int d = p->ndim - 2; d >= 0 && row > 0; d--) {
        int64_t i = row % p->shape[d];
        row /= p->shape[d];
        for (int o = 0; o < p->nops; o++)
            ptr[o] += i * STRIDE(p, d, o);
    }
}

/* Calls fn over n elements, first over the few that bring a contiguous
 * output to a cache line boundary when the row is long and `split`: every
 * vector store after them is then aligned, and so is every input load when
 * the inputs share the output's offset (as NumPy's allocations do).
 * Only for light IR (p->split): a kernel calling the math library computes
 * its loop's scalar remainder with libm's function and the rest with the
 * library's vector variant, which may differ in the last bit, so a split
 * that depended on the output's address would make the results depend on it
 * too.  Unsplit, and with the pool's segments multiples of 64 elements,
 * only the last elements of a row (its length modulo the vector width) take
 * libm's. */
static void call_aligned(jx_kernel_fn fn, int64_t n, char **ptr, int64_t *inner,
                         int nops, bool split)
{
    int64_t size = inner[0];
    uintptr_t mis = (uintptr_t)ptr[0] % 64;
    if (!split || n < 2048 || mis == 0 || size <= 0 || size > 16 ||
        mis % (uintptr_t)size) {
        fn(n, ptr, inner);
        return;
    }
    int64_t head = (int64_t)(64 - mis) / size;
    char *p[JX_PLAN_MAX_OPS];
    fn(head, ptr, inner);
    for (int o = 0; o < nops; o++)
        p[o] = ptr[o] + head * inner[o];
    fn(n - head, p, inner);
}

/* Runs the kernel over rows [r0, r1), elements [i0, i1) of each. */
void jx_plan_run_rows(const jx_plan *p, jx_kernel_fn fn, int64_t r0, int64_t r1,
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
    jx_plan_row_pointers(p, r0, ptr);
    for (int o = 0; o < nops; o++)
        ptr[o] += i0 * inner[o];
    int64_t idx[JX_MAX_DIMS], rem = r0; /* outer index of row r0 */
    for (int d = last - 1; d >= 0; d--) {
        idx[d] = rem % p->shape[d];
        rem /= p->shape[d];
    }
    for (int64_t r = r0; r < r1; r++) {
        call_aligned(fn, i1 - i0, ptr, inner, nops, p->split);
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

/* The plan's elements. */
static int64_t plan_total(const jx_plan *p)
{
    int64_t total = 1;
    for (int d = 0; d < p->ndim; d++)
        total *= p->shape[d];
    return total;
}

void jx_plan_chunks(const jx_plan *p, int64_t align, bool rows_ok, bool pool,
                    jx_chunks *ck)
{
    int64_t inner = p->ndim ? p->shape[p->ndim - 1] : 1, nrows = 1;
    for (int d = 0; d + 1 < p->ndim; d++)
        nrows *= p->shape[d];
    ck->nrows = nrows;
    ck->inner = inner;
    ck->segs = 1;
    ck->seglen = inner;
    ck->rows = nrows;
    ck->count = 1;
    ck->across = !rows_ok;
    int64_t parallel_work;
    jx_pool_settings(&ck->nthreads, &parallel_work);
    int64_t total = nrows * inner;
    if (ck->nthreads <= 1 || !pool) {
        ck->nthreads = 1;
        return;
    }
    /* About four chunks per thread, none smaller than JX_CHUNK_MIN. */
    int64_t target = total / (4 * (int64_t)ck->nthreads);
    if (target < JX_CHUNK_MIN)
        target = JX_CHUNK_MIN;
    /* Ceilings as (a - 1) / b + 1 (a, b >= 1): a + b - 1 could overflow
     * for a broadcast operand of nearly 2**63 elements. */
    if (inner > target || !rows_ok) {
        int64_t segs = (inner - 1) / target + 1;
        int64_t seglen = (inner - 1) / segs + 1;
        if (seglen <= INT64_MAX - align) /* else one segment: the whole row */
            seglen = (seglen - 1) / align * align + align;
        ck->segs = (inner - 1) / seglen + 1;
        ck->seglen = seglen;
        ck->count = rows_ok ? nrows * ck->segs : ck->segs;
    } else {
        ck->rows = (target - 1) / inner + 1;
        ck->count = (nrows - 1) / ck->rows + 1;
    }
    if (ck->count == 1)
        ck->nthreads = 1;
}

void jx_plan_chunk_range(const jx_chunks *ck, int64_t c, int64_t *r0, int64_t *r1,
                    int64_t *i0, int64_t *i1)
{
    int64_t seg;
    if (ck->across) { /* segment c of every row */
        *r0 = 0;
        *r1 = ck->nrows;
        seg = c;
    } else if (ck->segs > 1) { /* segment of one row */
        *r0 = c / ck->segs;
        *r1 = *r0 + 1;
        seg = c % ck->segs;
    } else { /* whole rows */
        *r0 = c * ck->rows;
        *r1 = ck->nrows - *r0 > ck->rows ? *r0 + ck->rows : ck->nrows;
        *i0 = 0;
        *i1 = ck->inner;
        return;
    }
    *i0 = seg * ck->seglen;
    *i1 = ck->inner - *i0 > ck->seglen ? *i0 + ck->seglen : ck->inner;
}

typedef struct run_job {
    const jx_plan *p;
    jx_kernel_fn fn;
    jx_chunks ck;
} run_job;

void jx_plan_run_chunk(const jx_plan *p, const jx_chunks *ck, int64_t c, jx_kernel_fn fn)
{
    int64_t r0, r1, i0, i1;
    jx_plan_chunk_range(ck, c, &r0, &r1, &i0, &i1);
    if (r1 > r0 && i1 > i0)
        jx_plan_run_rows(p, fn, r0, r1, i0, i1);
}

static int run_chunk(void *arg, int64_t c, jx_error *err)
{
    const run_job *j = arg;
    jx_plan_run_chunk(j->p, &j->ck, c, j->fn);
    return 0;
}

int64_t jx_plan_work(const jx_plan *p, const jx_ir *ir)
{
    int64_t work; /* saturates: a huge broadcast is simply "large" */
    if (__builtin_mul_overflow(plan_total(p), (int64_t)ir->cost, &work))
        work = INT64_MAX;
    return work;
}

jx_adapt_pick jx_plan_pick(const jx_plan *p, const jx_ir *ir, jx_kernel *k,
                           bool narrow_ok)
{
    int nthreads;
    int64_t parallel_work, total = plan_total(p);
    jx_pool_settings(&nthreads, &parallel_work);
    int64_t work = jx_plan_work(p, ir);
    int first = nthreads > 1 && work >= parallel_work ? JX_WAY_POOL : JX_WAY_INLINE;
    if (k == NULL) /* nothing to time: the first way */
        return jx_adapt_choose(NULL, total, 1u << first, first);
    unsigned ways = 1u << first;
    if (nthreads > 1 && work >= parallel_work / JX_ADAPT_BAND &&
        work / JX_ADAPT_BAND < parallel_work)
        ways |= 1u << JX_WAY_INLINE | 1u << JX_WAY_POOL;
    if (narrow_ok && ir->light && total >= JX_ADAPT_NARROW_MIN && jx_jit_wide_vectors())
        ways |= ways << JX_WAY_NARROW_INLINE;
    return jx_adapt_choose(&k->adapt, total, ways, first);
}

int jx_plan_run_chunks(jx_kernel *k, jx_adapt_pick pick, const jx_chunks *ck,
                       jx_chunk_fn fn, void *arg, jx_error *err)
{
    int64_t t0 = pick.cls >= 0 ? jx_adapt_now() : 0;
    int rc = jx_pool_run(ck->count, ck->nthreads, fn, arg, err);
    if (rc == 0 && pick.cls >= 0)
        jx_adapt_record(&k->adapt, pick, ck->nrows * ck->inner, jx_adapt_now() - t0);
    return rc;
}

int jx_plan_run(const jx_plan *p, jx_kernel_fn fn, jx_kernel *k, jx_adapt_pick pick,
                bool rows_ok, jx_error *err)
{
    run_job j = {p, fn, {0}};
    /* segments of whole cache lines */
    jx_plan_chunks(p, 64, rows_ok, JX_WAY_IS_POOL(pick.way), &j.ck);
    return jx_plan_run_chunks(k, pick, &j.ck, run_chunk, &j, err);
}

char jx_plan_layout_class(int64_t stride, int64_t itemsize)
{
    if (stride == 0)
        return JX_LAYOUT_SCALAR;
    return stride == itemsize ? JX_LAYOUT_CONTIG : JX_LAYOUT_STRIDED;
}

void jx_plan_layout(const jx_plan *p, char *classes)
{
    for (int o = 0; o < p->nops; o++)
        classes[o] = p->ndim == 0 ? JX_LAYOUT_CONTIG
                                  : jx_plan_layout_class(STRIDE(p, p->ndim - 1, o),
                                                         p->itemsize[o]);
}

int jx_plan_init(jx_plan *p, const jx_ir *ir, const jx_array *const *ops,
                 int nops, int ndim, const int64_t *shape, jx_error *err)
{
    p->nops = nops;
    p->ndim = ndim;
    p->split = ir->light;
    memcpy(p->shape, shape, sizeof(int64_t) * (size_t)ndim);
    p->strides = malloc(sizeof(int64_t) * (size_t)nops * (size_t)(ndim ? ndim : 1));
    if (p->strides == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    for (int o = 0; o < nops; o++) {
        p->data[o] = ops[o]->data;
        p->itemsize[o] = jx_plan_itemsize(ir, o, ops[o]->dtype);
        for (int d = 0; d < ndim; d++)
            STRIDE(p, d, o) = jx_plan_bstride(ops[o], ndim, d);
    }
    return 0;
}
