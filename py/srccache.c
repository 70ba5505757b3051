/*
 * srccache.c - evaluate()'s cache of expressions: one Source entry per
 * expression string (its variables, from jx_names), the oldest forgotten
 * beyond JXPY_SOURCES_MAX, and in each the compiled variants, one per
 * key of argument codes, most recently used first.
 */
#include "jxpy.h"

static void jxpy_source_dealloc(jxpy_Source *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    for (int i = 0; i < self->nvariants; i++)
        Py_DECREF(self->variants[i]);
    Py_XDECREF(self->ex);
    Py_XDECREF(self->names);
    PyObject_Free(self);
    Py_DECREF(tp);
}

/* A new cache entry: the expression and its variables, from jx_names (a
 * syntax error is raised here). */
static jxpy_Source *jxpy_source_new(jxpy_state *st, PyObject *ex)
{
    Py_ssize_t len, n = 0;
    const char *src = jxpy_conv_utf8(ex, &len);
    if (src == NULL)
        return NULL;
    jx_error err;
    char *list = jx_names(src, &err);
    if (list == NULL) {
        jxpy_err_raise(st, &err, ex);
        return NULL;
    }
    for (const char *p = list; *p; p += strlen(p) + 1)
        n++;
    PyObject *names = PyTuple_New(n);
    const char *p = list;
    for (Py_ssize_t i = 0; names != NULL && i < n; i++, p += strlen(p) + 1) {
        PyObject *nm = PyUnicode_FromString(p);
        if (nm == NULL) {
            Py_CLEAR(names);
            break;
        }
        PyUnicode_InternInPlace(&nm);
        PyTuple_SET_ITEM(names, i, nm);
    }
    jx_free(list);
    if (names == NULL)
        return NULL;
    jxpy_Source *s = PyObject_New(jxpy_Source, st->SourceType);
    if (s == NULL) {
        Py_DECREF(names);
        return NULL;
    }
    s->ex = Py_NewRef(ex);
    s->names = names;
    s->nvariants = 0;
    return s;
}

/* The cache entry of ex (new reference), made on first use and kept when
 * store. */
jxpy_Source *jxpy_source_get(jxpy_state *st, PyObject *ex, int store)
{
    if (!PyUnicode_Check(ex)) {
        PyErr_SetString(PyExc_ValueError, "must specify expression as a string");
        return NULL;
    }
    PyObject *s = PyDict_GetItemWithError(st->sources, ex);
    if (s != NULL)
        return (jxpy_Source *)Py_NewRef(s);
    if (PyErr_Occurred())
        return NULL;
    jxpy_Source *src = jxpy_source_new(st, ex);
    if (src == NULL || !store)
        return src;
    if (PyDict_GET_SIZE(st->sources) >= JXPY_SOURCES_MAX) {
        /* Forget the oldest expression (dicts keep insertion order). */
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        if (PyDict_Next(st->sources, &pos, &k, &v)) {
            Py_INCREF(k);
            int rc = PyDict_DelItem(st->sources, k);
            Py_DECREF(k);
            if (rc < 0) {
                Py_DECREF(src);
                return NULL;
            }
        }
    }
    if (PyDict_SetItem(st->sources, ex, (PyObject *)src) < 0) {
        Py_DECREF(src);
        return NULL;
    }
    return src;
}

/* The index of s's variant compiled for key, or -1. */
static int jxpy_find_variant(const jxpy_Source *s, const jxpy_code *key)
{
    size_t n = (size_t)PyTuple_GET_SIZE(s->names);
    for (int v = 0; v < s->nvariants; v++)
        if (memcmp(s->variants[v]->key, key, sizeof(jxpy_code) * n) == 0)
            return v;
    return -1;
}

/* The variant of s for arguments passed as key says: from the cache, or
 * compiled and kept (most recently used first). */
jxpy_NumExpr *jxpy_source_variant(jxpy_state *st, jxpy_Source *s,
                                  const jxpy_code *key, unsigned flags)
{
    if (flags & JXPY_NO_CACHE)
        return jxpy_numexpr_compile(st, s->ex, s->names, key, flags);
    int v = jxpy_find_variant(s, key);
    jxpy_NumExpr *nx;
    if (v < 0) {
        nx = jxpy_numexpr_compile(st, s->ex, s->names, key, flags);
        if (nx == NULL)
            return NULL;
        /* Another thread may have compiled the same while the GIL was free. */
        v = jxpy_find_variant(s, key);
        if (v < 0) {
            if (s->nvariants == JXPY_VARIANTS_MAX)
                Py_DECREF(s->variants[--s->nvariants]);
            v = s->nvariants++;
            s->variants[v] = nx;
        } else {
            Py_DECREF(nx);
        }
    }
    nx = s->variants[v];
    if (v > 0) {
        memmove(s->variants + 1, s->variants, sizeof(jxpy_NumExpr *) * (size_t)v);
        s->variants[0] = nx;
    }
    return (jxpy_NumExpr *)Py_NewRef(nx);
}

/* When a name has no value: if the expression itself is wrong (an unknown
 * function, a wrong argument count, ...), that error wins, as in numexpr,
 * where the expression is parsed before the names are looked up (syntax
 * errors are raised earlier, by jx_names).  Returns 1 with that error set,
 * 0 when the expression is fine. */
int jxpy_source_expression_error(jxpy_Source *s)
{
    int n = (int)PyTuple_GET_SIZE(s->names);
    jx_var *vars = PyMem_Calloc((size_t)(n ? n : 1), sizeof(jx_var));
    if (vars == NULL)
        return 0;
    for (int i = 0; i < n; i++) {
        vars[i].name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(s->names, i));
        vars[i].dtype = JX_FLOAT64;
        if (vars[i].name == NULL) {
            PyErr_Clear();
            PyMem_Free(vars);
            return 0;
        }
    }
    jx_error err;
    jxpy_state *st = PyType_GetModuleState(Py_TYPE(s));
    char *t = jx_explain(PyUnicode_AsUTF8(s->ex), vars, n, JX_EXPLAIN_AST, &err);
    PyMem_Free(vars);
    if (t != NULL) {
        jx_free(t);
        return 0;
    }
    if (err.code == JX_ERR_TYPE || err.code == JX_ERR_VALUE || err.code == JX_ERR_NAME)
        return 0;
    jxpy_err_raise(st, &err, s->ex);
    return 1;
}

static PyType_Slot jxpy_source_slots[] = {
    {Py_tp_dealloc, jxpy_source_dealloc},
    {Py_tp_doc, (void *)PyDoc_STR("evaluate()'s cache entry for one expression")},
    {0, NULL},
};

PyType_Spec jxpy_source_spec = {
    .name = "jitexpr._Source",
    .basicsize = sizeof(jxpy_Source),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = jxpy_source_slots,
};
