/*
 * explain.c - the library's views of an expression, for the Python
 * layer's explain() and tree() and its tests: _explain (jx_explain's
 * text), _tree (the typed syntax tree as tuples), _ops (the operator
 * table), for a variable table given by names and dtypes.
 */
#include "jxpy.h"

/* The variable table of names (tuple of str), dtypes (tuple of anything
 * np.dtype() takes, as long) and weak (NULL or a tuple as long: true marks
 * a weak variable, a Python int or float), for the library (PyMem_Free
 * it; the names point into the str objects).  NULL with an exception. */
static jx_var *jxpy_var_table(const char *fn, PyObject *names, PyObject *dtypes,
                              PyObject *weak)
{
    Py_ssize_t n = PyTuple_Check(names) ? PyTuple_GET_SIZE(names) : -1;
    if (n < 0 || !PyTuple_Check(dtypes) || PyTuple_GET_SIZE(dtypes) != n ||
        (weak && (!PyTuple_Check(weak) || PyTuple_GET_SIZE(weak) != n))) {
        PyErr_Format(PyExc_TypeError, "%s: names, dtypes (and weak) must be tuples of "
                     "the same length", fn);
        return NULL;
    }
    jx_var *vars = PyMem_Calloc((size_t)(n ? n : 1), sizeof(jx_var));
    if (vars == NULL)
        return (jx_var *)PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyArray_Descr *d = NULL;
        PyObject *name = PyTuple_GET_ITEM(names, i);
        if (!PyUnicode_Check(name)) {
            PyErr_Format(PyExc_TypeError, "%s: names must be str", fn);
            goto fail;
        }
        if (!jxpy_conv_descr_converter(PyTuple_GET_ITEM(dtypes, i), &d))
            goto fail;
        jx_dtype t = jxpy_conv_dtype_of(d, name);
        vars[i].itemsize = t == JX_BYTES ? (size_t)d->elsize : 0;
        Py_DECREF(d);
        vars[i].name = PyUnicode_AsUTF8(name);
        if (t == JX_DTYPE_INVALID || vars[i].name == NULL)
            goto fail;
        vars[i].dtype = t;
        int w = weak ? PyObject_IsTrue(PyTuple_GET_ITEM(weak, i)) : 0;
        if (w < 0)
            goto fail;
        vars[i].flags = w ? JX_VAR_WEAK : 0;
    }
    return vars;
fail:
    PyMem_Free(vars);
    return NULL;
}

/* The expression's text (*src, UTF-8, owned by ex) and the variable
 * table of names, dtypes and weak (PyMem_Free it), or NULL with an
 * exception set; fn names the function in messages. */
static jx_var *source_and_vars(const char *fn, PyObject *ex, PyObject *names,
                               PyObject *dtypes, PyObject *weak, const char **src)
{
    Py_ssize_t len;
    *src = jxpy_conv_utf8(ex, &len);
    return *src != NULL ? jxpy_var_table(fn, names, dtypes, weak) : NULL;
}

/* _explain(ex, names, dtypes, what, weak=()) */
PyObject *jxpy_explain(PyObject *module, PyObject *const *args,
                       Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *ex = NULL, *names = NULL, *dtypes = NULL, *what_o = NULL, *weak = NULL;
    const jxpy_kw kws[] = {{"ex", &ex}, {"names", &names}, {"dtypes", &dtypes},
                           {"what", &what_o}, {"weak", &weak}};
    if (jxpy_args_parse("_explain", args, nargs, kwnames, kws, 5, 5, 4, 0) < 0)
        return NULL;
    unsigned long what = PyLong_AsUnsignedLong(what_o);
    if (what == (unsigned long)-1 && PyErr_Occurred())
        return NULL;
    const char *src;
    jx_var *vars = source_and_vars("_explain", ex, names, dtypes, weak, &src);
    if (vars == NULL)
        return NULL;
    jx_error err;
    char *text;
    Py_BEGIN_ALLOW_THREADS
    text = jx_explain(src, vars, (int)PyTuple_GET_SIZE(names), (unsigned)what, &err);
    Py_END_ALLOW_THREADS
    PyMem_Free(vars);
    if (text == NULL) {
        jxpy_err_raise(jxpy_get_state(module), &err, ex);
        return NULL;
    }
    PyObject *ret = PyUnicode_FromString(text);
    jx_free(text);
    return ret;
}

/* The value of a constant node as a Python object of its kind. */
static PyObject *jxpy_tree_value(const jx_tree_node *t)
{
    switch (t->dtype) {
    case JX_BOOL:
        return PyBool_FromLong(t->value.u != 0);
    case JX_INT8: case JX_INT16: case JX_INT32: case JX_INT64:
        return PyLong_FromLongLong(t->value.i);
    case JX_UINT8: case JX_UINT16: case JX_UINT32: case JX_UINT64:
        return PyLong_FromUnsignedLongLong(t->value.u);
    case JX_FLOAT16: case JX_FLOAT32: case JX_FLOAT64:
        return PyFloat_FromDouble(t->value.f);
    case JX_COMPLEX64: case JX_COMPLEX128:
        return PyComplex_FromDoubles(t->value.f, t->imag);
    case JX_BYTES:
        return PyBytes_FromStringAndSize(t->bytes, (Py_ssize_t)t->itemsize);
    default:
        Py_RETURN_NONE;
    }
}

/* One node of jx_tree as (kind, dtype, op, spelling, args, name, value,
 * weak, axis, span): kind one of "variable", "constant", "operator",
 * "function", "cast"; op the operator table's mnemonic or None; args the
 * indices of the operands; value the constant's value or None; axis a
 * reduction's axis or None; span the node's (start, end) bytes in the
 * source's UTF-8 (an implicit cast: its operand's). */
static PyObject *jxpy_tree_tuple(const jx_tree_node *t)
{
    static const char *const kinds[] = {
        [JX_TREE_VARIABLE] = "variable", [JX_TREE_CONSTANT] = "constant",
        [JX_TREE_OPERATOR] = "operator", [JX_TREE_FUNCTION] = "function",
        [JX_TREE_CAST] = "cast"};
    PyArray_Descr *d =
        jxpy_conv_descr_of((jxpy_code)t->dtype | (jxpy_code)t->itemsize << 8);
    PyObject *args = PyTuple_New(t->nargs);
    PyObject *value = t->kind == JX_TREE_CONSTANT ? jxpy_tree_value(t) : Py_NewRef(Py_None);
    PyObject *ret = NULL;
    if (d != NULL && args != NULL && value != NULL) {
        for (int i = 0; i < t->nargs; i++)
            PyTuple_SET_ITEM(args, i, PyLong_FromLong(t->args[i]));
        PyObject *axis = t->has_axis ? PyLong_FromLong(t->axis) : Py_NewRef(Py_None);
        ret = Py_BuildValue("(sOzzOzONN(LL))", kinds[t->kind], (PyObject *)d, t->op,
                            t->spelling, args, t->name, value, PyBool_FromLong(t->weak),
                            axis, (long long)t->offset,
                            (long long)(t->offset + t->length));
    }
    Py_XDECREF(d);
    Py_XDECREF(args);
    Py_XDECREF(value);
    return ret;
}

/* _tree(ex, names, dtypes, weak=()): jx_tree's nodes as a tuple of tuples
 * (jxpy_tree_tuple), children before parents, the root last. */
PyObject *jxpy_explain_tree(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
    PyObject *ex = NULL, *names = NULL, *dtypes = NULL, *weak = NULL;
    const jxpy_kw kws[] = {{"ex", &ex}, {"names", &names}, {"dtypes", &dtypes},
                           {"weak", &weak}};
    if (jxpy_args_parse("_tree", args, nargs, kwnames, kws, 4, 4, 3, 0) < 0)
        return NULL;
    const char *src;
    jx_var *vars = source_and_vars("_tree", ex, names, dtypes, weak, &src);
    if (vars == NULL)
        return NULL;
    jx_error err;
    int count = 0;
    jx_tree_node *nodes = jx_tree(src, vars, (int)PyTuple_GET_SIZE(names), &count, &err);
    PyMem_Free(vars);
    if (nodes == NULL) {
        jxpy_err_raise(jxpy_get_state(module), &err, ex);
        return NULL;
    }
    PyObject *ret = PyTuple_New(count);
    for (int i = 0; ret != NULL && i < count; i++) {
        PyObject *node = jxpy_tree_tuple(&nodes[i]);
        if (node == NULL)
            Py_CLEAR(ret);
        else
            PyTuple_SET_ITEM(ret, i, node);
    }
    jx_free(nodes);
    return ret;
}

/* _ops(): the operator table, a tuple of (mnemonic, spelling, syntax,
 * arity), syntax one of "binary", "unary", "call". */
PyObject *jxpy_explain_ops(PyObject *module, PyObject *unused)
{
    static const char *const syntax[] = {
        [JX_SYNTAX_BINARY] = "binary", [JX_SYNTAX_UNARY] = "unary",
        [JX_SYNTAX_CALL] = "call"};
    int n = jx_op_count();
    PyObject *ret = PyTuple_New(n);
    for (int i = 0; ret != NULL && i < n; i++) {
        jx_op_desc d;
        PyObject *row = jx_op_describe(i, &d) < 0 ? NULL :
            Py_BuildValue("(sssi)", d.mnemonic, d.spelling, syntax[d.syntax], d.arity);
        if (row == NULL)
            Py_CLEAR(ret);
        else
            PyTuple_SET_ITEM(ret, i, row);
    }
    return ret;
}
