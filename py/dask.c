/* dask.c - operands that are dask arrays.  When a name of an expression is
 * a dask.array.Array, evaluate() (and validate(), re_evaluate()) hand the
 * expression to the pure-Python module jitexpr.dask, which builds a lazy
 * dask array whose blocks are evaluated by this module's kernels (see
 * docs/python.md, "dask arrays"); so does a NumExpr object called with
 * one.  Nothing here imports dask: an operand
 * can only be a dask array once dask.array is in sys.modules. */
#include "jxpy.h"

int jxpy_dask_is_array(PyObject *v)
{
    /* The common operands first, without a look at sys.modules. */
    if (PyArray_Check(v) || PyArray_IsScalar(v, Generic) || PyFloat_Check(v) ||
        PyLong_Check(v) || PyComplex_Check(v) || PyBytes_Check(v) ||
        PyList_Check(v) || PyTuple_Check(v))
        return 0;
    PyObject *m = PyDict_GetItemString(PyImport_GetModuleDict(), "dask.array");
    if (m == NULL)
        return 0;
    PyObject *t = PyObject_GetAttrString(m, "Array");
    int r = t != NULL && PyType_Check(t) ? PyObject_IsInstance(v, t) : 0;
    Py_XDECREF(t);
    if (r < 0) /* a broken dask: the value is converted as any other */
        r = 0;
    PyErr_Clear();
    return r;
}

/* The names of NumPy's orders and castings, for jitexpr.dask. */
static const char *order_name(int order)
{
    switch (order) {
    case NPY_CORDER: return "C";
    case NPY_FORTRANORDER: return "F";
    case NPY_ANYORDER: return "A";
    default: return "K";
    }
}

static const char *casting_name(NPY_CASTING c)
{
    switch (c) {
    case NPY_NO_CASTING: return "no";
    case NPY_EQUIV_CASTING: return "equiv";
    case NPY_SAFE_CASTING: return "safe";
    case NPY_UNSAFE_CASTING: return "unsafe";
    default: return "same_kind";
    }
}

PyObject *jxpy_dask_evaluate(jxpy_scope *sc, PyObject *ex, PyObject *names,
                             PyObject *out, int order, NPY_CASTING casting)
{
    PyObject *values = PyDict_New(), *mod = NULL, *ret = NULL;
    if (values == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        PyObject *v = jxpy_scope_lookup(sc, name);
        int rc = v != NULL ? PyDict_SetItem(values, name, v) : -1;
        Py_XDECREF(v);
        if (rc < 0)
            goto done;
    }
    mod = PyImport_ImportModule("jitexpr.dask");
    if (mod != NULL)
        ret = PyObject_CallMethod(mod, "evaluate", "OOOss", ex, values,
                                  out != NULL ? out : Py_None, order_name(order),
                                  casting_name(casting));
done:
    Py_XDECREF(mod);
    Py_DECREF(values);
    return ret;
}

PyObject *jxpy_dask_call(PyObject *ex, PyObject *names, PyObject *dtypes, PyObject *args,
                         PyObject *out, int order, NPY_CASTING casting)
{
    PyObject *mod = PyImport_ImportModule("jitexpr.dask");
    if (mod == NULL)
        return NULL;
    PyObject *ret = PyObject_CallMethod(mod, "call_numexpr", "OOOOOss", ex, names, dtypes,
                                        args, out != NULL ? out : Py_None,
                                        order_name(order), casting_name(casting));
    Py_DECREF(mod);
    return ret;
}
