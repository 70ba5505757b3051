/*
 * numexpr_object.c - the NumExpr type (numexpr's numexpr_object.cpp): a
 * compiled expression, made by jxpy_numexpr_compile for argument codes,
 * kept by evaluate()'s cache and returned by jitexpr.NumExpr(); calling
 * one converts and casts its arguments and runs it.
 */
#include "jxpy.h"

#include <structmember.h>

static void jxpy_numexpr_dealloc(jxpy_NumExpr *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    jx_expr_free(self->expr);
    Py_XDECREF(self->ex);
    Py_XDECREF(self->input_names);
    PyMem_Free(self->key);
    PyObject_Free(self);
    Py_DECREF(tp);
}

/* Compiles ex for the arguments `names` (tuple of str), passed as key[i]
 * says (GIL released). */
jxpy_NumExpr *jxpy_numexpr_compile(jxpy_state *st, PyObject *ex, PyObject *names,
                                   const jxpy_code *key, unsigned flags)
{
    Py_ssize_t len;
    const char *src = jxpy_conv_utf8(ex, &len);
    if (src == NULL)
        return NULL;
    int n = (int)PyTuple_GET_SIZE(names);
    jx_var stack_vars[JXPY_STACK_ARGS];
    jx_var *vars = n > JXPY_STACK_ARGS ? PyMem_Malloc(sizeof(jx_var) * (size_t)n) : stack_vars;
    jxpy_NumExpr *nx = NULL;
    if (vars == NULL)
        return (jxpy_NumExpr *)PyErr_NoMemory();
    for (int i = 0; i < n; i++) {
        vars[i].name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(names, i));
        if (vars[i].name == NULL)
            goto done;
        vars[i].dtype = JXPY_DTYPE(key[i]);
        vars[i].flags = (key[i] & JXPY_WEAK) ? JX_VAR_WEAK : 0;
        vars[i].itemsize = JXPY_ITEMSIZE(key[i]);
    }
    jx_error err;
    jx_expr *e;
    Py_BEGIN_ALLOW_THREADS
    e = jx_compile(src, vars, n, (flags & JXPY_NO_CACHE) ? JX_FLAG_NO_CACHE : 0, &err);
    Py_END_ALLOW_THREADS
    if (e == NULL) {
        jxpy_err_raise(st, &err, ex);
        goto done;
    }
    jx_dtype rt = jx_expr_dtype(e);
    if (rt < 0 || rt >= JX_DTYPE_COUNT) {
        jx_expr_free(e);
        PyErr_SetString(PyExc_SystemError, "jitexpr: invalid result dtype");
        goto done;
    }
    nx = PyObject_New(jxpy_NumExpr, st->NumExprType);
    if (nx == NULL) {
        jx_expr_free(e);
        goto done;
    }
    nx->expr = e;
    nx->ex = Py_NewRef(ex);
    nx->input_names = Py_NewRef(names);
    nx->nargs = n;
    nx->rtype = rt;
    nx->rcode = rt == JX_BYTES ? (jxpy_code)rt | (jxpy_code)jx_expr_itemsize(e) << 8
                               : (jxpy_code)rt;
    nx->key = PyMem_Malloc(sizeof(jxpy_code) * ((size_t)n + 1));
    if (nx->key == NULL) {
        Py_CLEAR(nx);
        PyErr_NoMemory();
        goto done;
    }
    memcpy(nx->key, key, sizeof(jxpy_code) * (size_t)n);
done:
    if (vars != stack_vars)
        PyMem_Free(vars);
    return nx;
}

/* Casts argument i of a NumExpr call, in place, to the dtype of `code` it
 * was compiled for, if `casting` allows. */
static int jxpy_cast_arg(jxpy_value *v, jxpy_code code, Py_ssize_t i, NPY_CASTING casting)
{
    PyArray_Descr *want = jxpy_conv_descr_of(code);
    if (want == NULL)
        return -1;
    if (!PyArray_CanCastArrayTo(v->arr, want, casting)) {
        PyErr_Format(PyExc_TypeError,
                     "Iterator operand %zd dtype could not be cast from %R "
                     "to %R according to the rule '%s'", i + 1,
                     (PyObject *)PyArray_DESCR(v->arr), (PyObject *)want,
                     jxpy_args_casting_name(casting));
        Py_DECREF(want);
        return -1;
    }
    PyArrayObject *c = (PyArrayObject *)PyArray_CastToType(v->arr, want, 0); /* steals */
    if (c == NULL)
        return -1;
    Py_DECREF(v->arr);
    v->arr = c;
    return 0;
}

static PyObject *jxpy_numexpr_get_dtypes(jxpy_NumExpr *nx, void *closure);

/* nex(*args, out=None, order='K', casting='safe', ex_uses_vml=False) */
static PyObject *jxpy_numexpr_call(jxpy_NumExpr *nx, PyObject *args, PyObject *kwargs)
{
    PyObject *out = NULL, *order_o = NULL, *casting_o = NULL;
    int order;
    NPY_CASTING casting;
    if (kwargs) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(kwargs, &pos, &k, &v)) {
            if (PyUnicode_CompareWithASCIIString(k, "out") == 0)
                out = v;
            else if (PyUnicode_CompareWithASCIIString(k, "order") == 0)
                order_o = v;
            else if (PyUnicode_CompareWithASCIIString(k, "casting") == 0)
                casting_o = v;
            else if (PyUnicode_CompareWithASCIIString(k, "ex_uses_vml") != 0) {
                PyErr_Format(PyExc_TypeError, "unexpected keyword argument '%U'", k);
                return NULL;
            }
        }
    }
    if (jxpy_args_order(order_o, &order) < 0 ||
        jxpy_args_casting(casting_o, &casting, NPY_SAFE_CASTING) < 0)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n != nx->nargs) {
        PyErr_Format(PyExc_ValueError,
                     "number of inputs doesn't match program: %d expected (%R), %zd given",
                     nx->nargs, nx->input_names, n);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (jxpy_dask_is_array(PyTuple_GET_ITEM(args, i))) { /* dask.c */
            PyObject *dtypes = jxpy_numexpr_get_dtypes(nx, NULL);
            PyObject *r = dtypes ? jxpy_dask_call(nx->ex, nx->input_names, dtypes, args,
                                                  out, order, casting)
                                 : NULL;
            Py_XDECREF(dtypes);
            return r;
        }
    jxpy_value stack_vals[JXPY_STACK_ARGS];
    jxpy_value *vals = stack_vals;
    PyObject *ret = NULL;
    Py_ssize_t got = 0;
    if (n > JXPY_STACK_ARGS) {
        vals = PyMem_Malloc(sizeof(jxpy_value) * (size_t)n);
        if (vals == NULL)
            return PyErr_NoMemory();
    }
    for (; got < n; got++) {
        jxpy_code code;
        if (jxpy_conv_value(PyType_GetModuleState(Py_TYPE(nx)),
                            PyTuple_GET_ITEM(args, got),
                            PyTuple_GET_ITEM(nx->input_names, got), 0, &vals[got],
                            &code) < 0)
            goto done;
        if (code != nx->key[got] && jxpy_cast_arg(&vals[got], nx->key[got],
                                                  got, casting) < 0) {
            got++; /* converted: released below */
            goto done;
        }
    }
    ret = jxpy_run(nx, vals, out, order, casting);
done:
    for (Py_ssize_t i = 0; i < got; i++)
        Py_XDECREF(vals[i].arr);
    if (vals != stack_vals)
        PyMem_Free(vals);
    return ret;
}

static PyObject *jxpy_numexpr_get_signature(jxpy_NumExpr *nx, void *closure)
{
    /* NumPy's type characters ('?', 'b', ..., 'd'); for int32, int64,
     * float32 and float64 these are numexpr's codes too. */
    static const char chars[JX_DTYPE_COUNT + 1] = "?bhilBHILefdFDS";
    PyObject *b = PyBytes_FromStringAndSize(NULL, nx->nargs);
    for (int i = 0; b && i < nx->nargs; i++)
        PyBytes_AS_STRING(b)[i] = chars[JXPY_DTYPE(nx->key[i])];
    return b;
}

static PyObject *jxpy_numexpr_get_dtypes(jxpy_NumExpr *nx, void *closure)
{
    PyObject *t = PyTuple_New(nx->nargs);
    for (int i = 0; t && i < nx->nargs; i++) {
        PyObject *d = (PyObject *)jxpy_conv_descr_of(nx->key[i]);
        if (d == NULL) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, i, d);
    }
    return t;
}

static PyObject *jxpy_numexpr_get_dtype(jxpy_NumExpr *nx, void *closure)
{
    return (PyObject *)jxpy_conv_descr_of(nx->rcode);
}

static PyObject *jxpy_numexpr_get_ir(jxpy_NumExpr *nx, void *closure)
{
    const char *ir = jx_expr_ir(nx->expr);
    return PyUnicode_FromString(ir ? ir : "");
}

static PyObject *jxpy_numexpr_get_program(jxpy_NumExpr *nx, void *closure)
{
    const char *ir = jx_expr_ir(nx->expr);
    return PyBytes_FromString(ir ? ir : "");
}

static PyObject *jxpy_numexpr_get_empty_tuple(jxpy_NumExpr *nx, void *closure)
{
    return PyTuple_New(0);
}

static PyObject *jxpy_numexpr_get_empty_bytes(jxpy_NumExpr *nx, void *closure)
{
    return PyBytes_FromStringAndSize("", 0);
}

static PyObject *jxpy_numexpr_repr(jxpy_NumExpr *nx)
{
    PyObject *dt = jxpy_numexpr_get_dtype(nx, NULL);
    if (dt == NULL)
        return NULL;
    PyObject *r = PyUnicode_FromFormat("<jitexpr.NumExpr %R %R -> %R>", nx->ex,
                                       nx->input_names, dt);
    Py_DECREF(dt);
    return r;
}

static PyMethodDef jxpy_numexpr_methods[] = {
    {"run", (PyCFunction)(void (*)(void))jxpy_numexpr_call, METH_VARARGS | METH_KEYWORDS,
     PyDoc_STR("run(*args, out=None, order='K', casting='safe'): the same as calling it")},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef jxpy_numexpr_members[] = {
    {"input_names", T_OBJECT, offsetof(jxpy_NumExpr, input_names), READONLY,
     PyDoc_STR("the arguments, in call order")},
    {"ex", T_OBJECT, offsetof(jxpy_NumExpr, ex), READONLY, PyDoc_STR("the expression")},
    {NULL, 0, 0, 0, NULL},
};

static PyGetSetDef jxpy_numexpr_getset[] = {
    {"signature", (getter)jxpy_numexpr_get_signature, NULL,
     PyDoc_STR("argument dtypes as bytes of NumPy type characters"), NULL},
    {"dtypes", (getter)jxpy_numexpr_get_dtypes, NULL, PyDoc_STR("argument dtypes"), NULL},
    {"dtype", (getter)jxpy_numexpr_get_dtype, NULL, PyDoc_STR("the result's dtype"), NULL},
    {"ir", (getter)jxpy_numexpr_get_ir, NULL, PyDoc_STR("canonical typed IR"), NULL},
    {"program", (getter)jxpy_numexpr_get_program, NULL, PyDoc_STR("the IR, as bytes"), NULL},
    {"constants", (getter)jxpy_numexpr_get_empty_tuple, NULL,
     PyDoc_STR("() (constants live in the kernel)"), NULL},
    {"tempsig", (getter)jxpy_numexpr_get_empty_bytes, NULL, PyDoc_STR("b''"), NULL},
    {"constsig", (getter)jxpy_numexpr_get_empty_bytes, NULL, PyDoc_STR("b''"), NULL},
    {"fullsig", (getter)jxpy_numexpr_get_signature, NULL, PyDoc_STR("= signature"), NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot jxpy_numexpr_slots[] = {
    {Py_tp_dealloc, jxpy_numexpr_dealloc},
    {Py_tp_call, jxpy_numexpr_call},
    {Py_tp_repr, jxpy_numexpr_repr},
    {Py_tp_methods, jxpy_numexpr_methods},
    {Py_tp_members, jxpy_numexpr_members},
    {Py_tp_getset, jxpy_numexpr_getset},
    {Py_tp_doc, (void *)PyDoc_STR(
        "A compiled expression (jitexpr.NumExpr(...) returns one).  Call it with\n"
        "the arguments in the order of input_names:\n"
        "nex(*args, out=None, order='K', casting='safe').  Arguments of other\n"
        "dtypes are cast to the compiled ones under `casting`.")},
    {0, NULL},
};

PyType_Spec jxpy_numexpr_spec = {
    .name = "jitexpr.NumExprObject",
    .basicsize = sizeof(jxpy_NumExpr),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = jxpy_numexpr_slots,
};
