/* eval.c - the element-wise driver.  See eval.h.
 *
 * Over the iteration plan (plan.c): the broadcast shape (the output takes
 * part when the caller gave it), the result allocated or checked, the
 * output's overlap with the inputs (element for element is safe; any
 * other overlap is evaluated into a fresh buffer and copied), the kernel
 * for the plan's layout, and the plan run the way its timings choose. */
#include "eval.h"

#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "plan.h"

/* Lowest and one-past-highest byte an array of elements of `item` bytes
 * touches. */
static void extent(const jx_array *a, int64_t item, char **lo, char **hi)
{
    int64_t l = 0, h = item;
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

typedef enum overlap { OV_NONE, OV_SAME, OV_PARTIAL } overlap;

/* How input a (elements of `item` bytes) overlaps output out: not at all,
 * element for element (safe for an element-wise loop), or otherwise
 * (needs a buffer). */
static overlap check_overlap(const jx_array *out, int64_t oitem, const jx_array *a,
                             int64_t item)
{
    char *alo, *ahi, *olo, *ohi;
    extent(a, item, &alo, &ahi);
    extent(out, oitem, &olo, &ohi);
    if (alo == ahi || olo == ohi || ahi <= olo || ohi <= alo)
        return OV_NONE;
    if (a->data != out->data || item != oitem)
        return OV_PARTIAL;
    for (int d = 0; d < out->ndim; d++)
        if (out->shape[d] > 1 && jx_plan_bstride(a, out->ndim, d) != out->strides[d])
            return OV_PARTIAL;
    return OV_SAME;
}

/* Copies src to dst (same shape, same dtype, elements of `item` bytes),
 * any strides. */
static void copy_array(const jx_array *dst, const jx_array *src, size_t item)
{
    int64_t idx[JX_MAX_DIMS] = {0};
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

/* A row of a contiguous copy: inner[0], the output's stride, is the
 * itemsize (a kernel, jx_kernel_fn; memmove: out may be the input). */
static void copy_row(int64_t n, char *const *ptr, const int64_t *inner)
{
    memmove(ptr[0], ptr[1], (size_t)n * (size_t)inner[0]);
}

/* A row of a contiguous output of zero bytes, or of ones (bools). */
static void fill_zero_row(int64_t n, char *const *ptr, const int64_t *inner)
{
    memset(ptr[0], 0, (size_t)n * (size_t)inner[0]);
}

static void fill_one_row(int64_t n, char *const *ptr, const int64_t *inner)
{
    memset(ptr[0], 1, (size_t)n * (size_t)inner[0]);
}

int jx_eval_run(const jx_expr *e, const jx_array **ops, jx_array *out, bool alloc,
                jx_error *err)
{
    const jx_ir *ir = e->ir;
    int nin = ir->ninputs, nops = 1 + nin;
    jx_dtype rtype = jx_ir_dtype(ir);
    int64_t oitem = jx_plan_itemsize(ir, 0, rtype);

    /* The broadcast shape (the output takes part when the caller gave
     * it: NumPy's rule is that the inputs broadcast to its shape). */
    ops[0] = alloc ? NULL : out;
    if (!alloc && jx_plan_check_array(out, oitem, "output", "out", err) < 0)
        return -1;
    int ndim;
    int64_t shape[JX_MAX_DIMS];
    if (jx_plan_broadcast(ops, nops, &ndim, shape, err) < 0)
        return -1;
    if (alloc) {
        if (jx_plan_alloc(out, rtype, (size_t)oitem, ndim, shape, err) < 0)
            return -1;
    } else if (jx_plan_check_out(out, rtype, oitem, ndim, shape, err) < 0) {
        return -1;
    }
    for (int d = 0; d < ndim; d++)
        if (shape[d] == 0)
            return 0;

    /* Overlap between the output and the inputs. */
    bool noalias = true;
    if (!alloc) {
        for (int i = 0; i < nin; i++) {
            overlap ov = check_overlap(out, oitem, ops[1 + i],
                                       jx_plan_itemsize(ir, 1 + i, ops[1 + i]->dtype));
            if (ov == OV_PARTIAL) {
                /* Evaluate into a fresh buffer, then copy. */
                jx_array tmp;
                if (jx_eval_run(e, ops, &tmp, true, err) < 0)
                    return -1;
                copy_array(out, &tmp, (size_t)oitem);
                free(tmp.data);
                return 0;
            }
            if (ov == OV_SAME)
                noalias = false;
        }
    }

    jx_plan p;
    ops[0] = out;
    if (jx_plan_init(&p, ir, ops, nops, ndim, shape, err) < 0)
        return -1;
    jx_plan_collapse(&p, 0);

    char layout[JX_LAYOUT_MAX + 1];
    jx_plan_layout(&p, layout);
    strcpy(layout + nops, noalias ? ":n" : "");

    /* No kernel for a copy of an input (jx_ir_copies) where both are
     * contiguous: memmove, whose C library version is tuned for the CPU (a
     * vector loop took 1.3-1.5 times NumPy's copy of 1e5 float32s:
     * docs/benchmarks.md, "Reading the table"); nor for a result of one
     * byte repeated (jx_ir_fill_byte) in a contiguous output: memset, the
     * input unread. */
    int fill = jx_ir_fill_byte(ir);
    bool copy = nops == 2 && layout[1] == JX_LAYOUT_CONTIG &&
                p.itemsize[0] == p.itemsize[1] && jx_ir_copies(ir);
    if (layout[0] == JX_LAYOUT_CONTIG && (copy || fill >= 0)) {
        p.split = false;
        int rc = jx_plan_run(&p, copy ? copy_row : fill ? fill_one_row : fill_zero_row,
                             NULL, jx_plan_pick(&p, ir, NULL, false), true, err);
        free(p.strides);
        return rc;
    }

    jx_kernel *tmpk = NULL, *tmpn = NULL;
    jx_kernel *k = jx_expr_kernel(e, layout, &tmpk, err);
    if (k == NULL) {
        free(p.strides);
        return -1;
    }
    int64_t units = jx_plan_work(&p, ir);
    bool quick;
    jx_kernel_fn fn = jx_cache_code(k, ir, layout, units, &quick);
    int rc;
    if (fn == NULL) { /* interpreted (interp.h) */
        int64_t t0 = jx_adapt_now();
        rc = jx_interp_run(k->interp, &p,
                           JX_WAY_IS_POOL(jx_plan_pick(&p, ir, NULL, false).way), err);
        jx_cache_quick_ran(k, units, jx_adapt_now() - t0, true);
    } else if (quick) { /* the quick tier's code: no ways to time (adapt.h) */
        int64_t t0 = jx_adapt_now();
        rc = jx_plan_run(&p, fn, k, jx_plan_pick(&p, ir, NULL, false), true, err);
        jx_cache_quick_ran(k, units, jx_adapt_now() - t0, false);
    } else {
        jx_adapt_pick pick = jx_plan_pick(&p, ir, k, true);
        jx_kernel *run = k;
        if (JX_WAY_IS_NARROW(pick.way)) {
            strcat(layout, noalias ? "w" : ":w");
            run = jx_expr_kernel(e, layout, &tmpn, err);
        }
        rc = run != NULL ? jx_plan_run(&p, run->fn, k, pick, true, err) : -1;
    }
    jx_cache_release(tmpn);
    jx_cache_release(tmpk);
    free(p.strides);
    return rc;
}
