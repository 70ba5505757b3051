/*
 * run.c - running a compiled expression (numexpr's interpreter.cpp): the
 * operands as jx_arrays, a new result allocated in the order NumPy's
 * ufuncs would give it (K order), or `out` written straight or through a
 * temporary cast under the casting rule, and jx_eval with the GIL
 * released.
 */
#include "jxpy.h"

#include "resultbuf.h"

/* ---- the result's allocation ------------------------------------------------- */

/* Stride of a along dimension d of an ndim-dimensional broadcast shape
 * (0 where a is broadcast). */
static npy_intp jxpy_bstride(PyArrayObject *a, int ndim, int d)
{
    int ad = d - (ndim - PyArray_NDIM(a));
    if (ad < 0 || PyArray_DIM(a, ad) == 1)
        return 0;
    return PyArray_STRIDE(a, ad);
}

/* NumPy's 'K' order (npyiter_find_best_axis_ordering): perm lists the axes
 * from the innermost out; an axis moves outward past another only when
 * every operand with non-zero strides on both agrees that its stride is
 * larger. */
static void jxpy_korder(PyArrayObject *const *ops, int n, int ndim, int *perm)
{
    for (int k = 0; k < ndim; k++)
        perm[k] = ndim - 1 - k;
    for (int i0 = 1; i0 < ndim; i0++) {
        int ipos = i0, j0 = perm[i0];
        for (int i1 = i0 - 1; i1 >= 0; i1--) {
            int ambig = 1, swap = 0, j1 = perm[i1];
            for (int o = 0; o < n; o++) {
                if (ops[o] == NULL)
                    continue;
                npy_intp s0 = jxpy_bstride(ops[o], ndim, j0);
                npy_intp s1 = jxpy_bstride(ops[o], ndim, j1);
                if (s0 != 0 && s1 != 0) {
                    if ((s1 < 0 ? -s1 : s1) <= (s0 < 0 ? -s0 : s0))
                        swap = 0;
                    else if (ambig)
                        swap = 1;
                    ambig = 0;
                }
            }
            if (!ambig) {
                if (swap)
                    ipos = i1;
                else
                    break;
            }
        }
        if (ipos != i0) {
            memmove(perm + ipos + 1, perm + ipos, sizeof(int) * (size_t)(i0 - ipos));
            perm[ipos] = j0;
        }
    }
}

/* An uninitialised array of the given shape whose memory follows the
 * order (NPY_CORDER, NPY_FORTRANORDER, NPY_ANYORDER, NPY_KEEPORDER),
 * judged on ops (the arrays it is computed from; NULL entries skipped).
 * The result of a reduction, with fewer dimensions than an operand, is C
 * ordered. */
static PyArrayObject *jxpy_alloc(jxpy_code code, int ndim, const npy_intp *shape,
                                 int order, PyArrayObject *const *ops, int nops)
{
    PyArray_Descr *descr = jxpy_conv_descr_of(code);
    if (descr == NULL)
        return NULL;
    int perm[NPY_MAXDIMS];
    int c_order = 1, any = 0, all_c = 1, all_f = 1;
    for (int o = 0; o < nops && ndim > 1; o++) {
        if (ops[o] == NULL)
            continue;
        if (PyArray_NDIM(ops[o]) > ndim)
            order = NPY_CORDER; /* a reduction */
        any = 1;
        all_c = all_c && PyArray_IS_C_CONTIGUOUS(ops[o]);
        all_f = all_f && PyArray_IS_F_CONTIGUOUS(ops[o]);
    }
    if (ndim > 1 && (order == NPY_FORTRANORDER || (order == NPY_ANYORDER && any && all_f))) {
        c_order = 0;
        for (int k = 0; k < ndim; k++)
            perm[k] = k;
    } else if (ndim > 1 && order == NPY_KEEPORDER && !all_c) {
        jxpy_korder(ops, nops, ndim, perm);
        for (int k = 0; k < ndim && c_order; k++)
            c_order = perm[k] == ndim - 1 - k;
    }
    if (c_order)
        return jxpy_rb_new(descr, ndim, (npy_intp *)shape, NULL);
    npy_intp strides[NPY_MAXDIMS];
    npy_intp s = descr->elsize;
    for (int k = 0; k < ndim; k++) {
        strides[perm[k]] = s;
        /* The last product is the array's bytes: one that overflows is
         * NumPy's "array is too big", raised before any stride wraps. */
        if (shape[perm[k]] && __builtin_mul_overflow(s, shape[perm[k]], &s)) {
            Py_DECREF(descr);
            PyErr_SetString(PyExc_ValueError,
                            "array is too big; `arr.size * arr.dtype.itemsize` is "
                            "larger than the maximum possible size.");
            return NULL;
        }
    }
    return jxpy_rb_new(descr, ndim, (npy_intp *)shape, strides);
}

static int jxpy_fill(jx_array *a, PyArrayObject *arr, jx_dtype t)
{
    int nd = PyArray_NDIM(arr);
    if (nd > JX_MAX_DIMS) {
        PyErr_Format(PyExc_ValueError, "jitexpr handles at most %d dimensions (got %d)",
                     JX_MAX_DIMS, nd);
        return -1;
    }
    a->data = PyArray_DATA(arr);
    a->dtype = t;
    a->ndim = nd;
    for (int d = 0; d < nd; d++) {
        a->shape[d] = (int64_t)PyArray_DIM(arr, d);
        a->strides[d] = (int64_t)PyArray_STRIDE(arr, d);
    }
    return 0;
}

/* ---- running a compiled expression ---------------------------------------- */

/* Evaluates nx over vals (one per argument) into outobj, or into a new
 * array in the given order when outobj is None.  Returns the result. */
PyObject *jxpy_run(jxpy_NumExpr *nx, jxpy_value *vals, PyObject *outobj,
                   int order, NPY_CASTING casting)
{
    jx_array stack_in[JXPY_STACK_ARGS], *in = stack_in, o;
    PyArrayObject *stack_ops[JXPY_STACK_ARGS], **ops = stack_ops;
    PyArrayObject *out = NULL, *result = NULL; /* result: new, or a temporary */
    PyObject *ret = NULL;
    jxpy_state *st = PyType_GetModuleState(Py_TYPE(nx));
    jx_error err;
    int rc;

    if (nx->nargs > JXPY_STACK_ARGS) {
        in = PyMem_Malloc((sizeof(jx_array) + sizeof(PyArrayObject *)) * (size_t)nx->nargs);
        if (in == NULL)
            return PyErr_NoMemory();
        ops = (PyArrayObject **)(in + nx->nargs);
    }
    for (int i = 0; i < nx->nargs; i++) {
        ops[i] = vals[i].arr;
        if (ops[i] == NULL) { /* a Python scalar: a 0-d operand */
            in[i].data = &vals[i].v;
            in[i].dtype = JXPY_DTYPE(nx->key[i]);
            in[i].ndim = 0;
        } else if (jxpy_fill(&in[i], ops[i], JXPY_DTYPE(nx->key[i])) < 0) {
            goto done;
        }
    }

    if (outobj == NULL || outobj == Py_None) {
        /* The library knows the result's shape (broadcast, less a reduced
         * axis), or says what is wrong. */
        int ndim;
        npy_intp shape[NPY_MAXDIMS];
        int64_t shape64[JX_MAX_DIMS];
        if (jx_expr_result_shape(nx->expr, in, &ndim, shape64, &err) < 0) {
            jxpy_err_raise(st, &err, nx->ex);
            goto done;
        }
        for (int d = 0; d < ndim; d++)
            shape[d] = (npy_intp)shape64[d];
        result = jxpy_alloc(nx->rcode, ndim, shape, order, ops, nx->nargs);
        if (result == NULL)
            goto done;
    } else {
        if (!PyArray_Check(outobj)) {
            PyErr_Format(PyExc_TypeError, "out must be a NumPy array, not %.100s",
                         Py_TYPE(outobj)->tp_name);
            goto done;
        }
        out = (PyArrayObject *)outobj;
        if (PyArray_FailUnlessWriteable(out, "output array") < 0)
            goto done;
        PyArray_Descr *od = PyArray_DESCR(out);
        /* Of the result's dtype (a byte string: of its itemsize), the
         * kernel writes straight into out; otherwise into a temporary of
         * out's shape, then cast (NumPy pads or cuts byte strings). */
        if (!(strchr("biufcS", od->kind) && PyArray_ISNBO(od->byteorder) &&
              jxpy_conv_dtype_of(od, NULL) == nx->rtype &&
              (nx->rtype != JX_BYTES ||
               (size_t)od->elsize == JXPY_ITEMSIZE(nx->rcode)))) {
            PyErr_Clear(); /* jxpy_conv_dtype_of's, for a dtype jitexpr lacks */
            PyArray_Descr *rd = jxpy_conv_descr_of(nx->rcode);
            if (rd == NULL)
                goto done;
            if (!PyArray_CanCastTypeTo(rd, od, casting)) {
                PyErr_Format(PyExc_TypeError,
                             "Cannot cast the result of the expression from %R "
                             "to %R with casting rule '%s'",
                             (PyObject *)rd, (PyObject *)od,
                             jxpy_args_casting_name(casting));
                Py_DECREF(rd);
                goto done;
            }
            Py_DECREF(rd);
            result = jxpy_alloc(nx->rcode, PyArray_NDIM(out), PyArray_DIMS(out),
                                NPY_KEEPORDER, &out, 1);
            if (result == NULL)
                goto done;
        }
    }
    if (jxpy_fill(&o, result ? result : out, nx->rtype) < 0)
        goto done;
    Py_BEGIN_ALLOW_THREADS
    rc = jx_eval(nx->expr, in, &o, &err);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        jxpy_err_raise(st, &err, nx->ex);
        goto done;
    }
    if (out == NULL) {
        ret = (PyObject *)result;
        result = NULL;
    } else if (result == NULL || PyArray_CopyInto(out, result) == 0) {
        ret = Py_NewRef(outobj);
    }
done:
    Py_XDECREF(result);
    if (in != stack_in)
        PyMem_Free(in);
    return ret;
}
