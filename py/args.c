/*
 * args.c - the keyword arguments of the module's functions and of a
 * NumExpr call: vectorcall arguments to C variables, order and casting
 * to NumPy's enums (and a casting back to its name), numexpr's context
 * keywords checked.
 */
#include "jxpy.h"

int jxpy_args_order(PyObject *o, int *order)
{
    if (o == NULL || o == Py_None) {
        *order = NPY_KEEPORDER;
        return 0;
    }
    const char *s = PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
    if (s && s[0] && !s[1]) {
        switch (s[0] | 0x20) {
        case 'c': *order = NPY_CORDER; return 0;
        case 'f': *order = NPY_FORTRANORDER; return 0;
        case 'a': *order = NPY_ANYORDER; return 0;
        case 'k': *order = NPY_KEEPORDER; return 0;
        }
    }
    PyErr_Clear();
    PyErr_Format(PyExc_ValueError, "order must be one of 'C', 'F', 'A', or 'K' (got %R)", o);
    return -1;
}

int jxpy_args_casting(PyObject *o, NPY_CASTING *c, NPY_CASTING dflt)
{
    if (o == NULL || o == Py_None) {
        *c = dflt;
        return 0;
    }
    const char *s = PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
    if (s) {
        if (strcmp(s, "no") == 0) { *c = NPY_NO_CASTING; return 0; }
        if (strcmp(s, "equiv") == 0) { *c = NPY_EQUIV_CASTING; return 0; }
        if (strcmp(s, "safe") == 0) { *c = NPY_SAFE_CASTING; return 0; }
        if (strcmp(s, "same_kind") == 0) { *c = NPY_SAME_KIND_CASTING; return 0; }
        if (strcmp(s, "unsafe") == 0) { *c = NPY_UNSAFE_CASTING; return 0; }
    }
    PyErr_Clear();
    PyErr_Format(PyExc_ValueError,
                 "casting must be one of 'no', 'equiv', 'safe', 'same_kind', "
                 "or 'unsafe' (got %R)", o);
    return -1;
}

const char *jxpy_args_casting_name(NPY_CASTING c)
{
    switch (c) {
    case NPY_NO_CASTING: return "no";
    case NPY_EQUIV_CASTING: return "equiv";
    case NPY_SAFE_CASTING: return "safe";
    case NPY_SAME_KIND_CASTING: return "same_kind";
    default: return "unsafe";
    }
}

/* Vectorcall arguments into kws: the first npos may be positional.  An
 * unknown keyword is a ValueError when unknown_value_error (numexpr's
 * getContext), a TypeError otherwise. */
int jxpy_args_parse(const char *fname, PyObject *const *args,
                    Py_ssize_t nargs, PyObject *kwnames,
                    const jxpy_kw *kws, int nkws, int npos, int nreq,
                    int unknown_value_error)
{
    if (nargs > npos) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %d positional arguments (%zd given)",
                     fname, npos, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        *kws[i].dst = args[i];
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *k = PyTuple_GET_ITEM(kwnames, i);
        int found = -1;
        for (int j = 0; j < nkws && found < 0; j++)
            if (PyUnicode_CompareWithASCIIString(k, kws[j].name) == 0)
                found = j;
        if (found < 0) {
            if (unknown_value_error)
                PyErr_Format(PyExc_ValueError, "Unknown keyword argument '%U'", k);
            else
                PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'",
                             fname, k);
            return -1;
        }
        if (found < nargs) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'",
                         fname, kws[found].name);
            return -1;
        }
        *kws[found].dst = args[nargs + i];
    }
    for (int j = 0; j < nreq; j++)
        if (*kws[j].dst == NULL) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'",
                         fname, kws[j].name);
            return -1;
        }
    return 0;
}

/* numexpr's context keywords: accepted, checked as numexpr checks them. */
int jxpy_args_context(PyObject *optimization, PyObject *truediv)
{
    if (optimization && optimization != Py_None) {
        const char *s = PyUnicode_Check(optimization) ? PyUnicode_AsUTF8(optimization) : NULL;
        if (!s || (strcmp(s, "none") && strcmp(s, "moderate") && strcmp(s, "aggressive"))) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError,
                            "'optimization' must be one of ('none', 'moderate', 'aggressive')");
            return -1;
        }
    }
    if (truediv && truediv != Py_True && truediv != Py_False) {
        const char *s = PyUnicode_Check(truediv) ? PyUnicode_AsUTF8(truediv) : NULL;
        if (!s || strcmp(s, "auto")) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "'truediv' must be one of (False, True, 'auto')");
            return -1;
        }
    }
    return 0;
}
