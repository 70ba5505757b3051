/*
 * scope.c - where the values of an expression's names come from, as in
 * numexpr: local_dict, global_dict, the caller's frame (and _frame_depth
 * frames above it), a key found by its NFKC form after a miss.
 */
#include "jxpy.h"

#if PY_VERSION_HEX < 0x030B0000
#include <frameobject.h>
#endif

/* The frame the names come from (new reference): the caller's, or
 * extra_depth above it. */
static PyFrameObject *jxpy_frame(int extra_depth)
{
    PyFrameObject *f = PyEval_GetFrame(); /* borrowed: the caller's */
    if (f == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "no Python frame to take the variables from: pass local_dict");
        return NULL;
    }
    Py_INCREF(f);
    for (int k = 0; k < extra_depth; k++) {
        PyFrameObject *b = PyFrame_GetBack(f);
        Py_DECREF(f);
        f = b;
        if (f == NULL) {
            PyErr_SetString(PyExc_ValueError, "call stack is not deep enough");
            return NULL;
        }
    }
    return f;
}

/* The frames above the caller's that _frame_depth `o` asks for, numexpr's
 * count less `own` (its frames: evaluate 3, validate and re_evaluate 2),
 * at least 0.  A depth beyond an int is kept as INT_MAX, whose walk
 * raises "call stack is not deep enough", instead of being cut to 32
 * bits (2**32 + 5 would have been 2 frames up). */
int jxpy_scope_frame_depth(PyObject *o, int own, int *extra)
{
    int overflow;
    long long d = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (d == -1 && PyErr_Occurred())
        return -1;
    if (overflow < 0 || (overflow == 0 && d <= own))
        *extra = 0;
    else if (overflow > 0 || d - own > INT_MAX)
        *extra = INT_MAX;
    else
        *extra = (int)(d - own);
    return 0;
}

static PyObject *jxpy_frame_globals(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
    return PyFrame_GetGlobals(f);
#else
    return PyObject_GetAttrString((PyObject *)f, "f_globals");
#endif
}

/* numexpr's rule: local_dict, else the frame's locals; global_dict, else
 * the frame's globals.  The frame is only touched when needed (a given
 * local_dict and a name found there cost no frame access). */
int jxpy_scope_init(jxpy_scope *sc, PyObject *local_dict,
                    PyObject *global_dict, int extra_depth)
{
    sc->local = sc->global = NULL;
    sc->clear_local = 0;
    sc->extra_depth = extra_depth;
    sc->need_global = global_dict == NULL || global_dict == Py_None;
    if (!sc->need_global)
        sc->global = Py_NewRef(global_dict);
    if (local_dict != NULL && local_dict != Py_None) {
        sc->local = Py_NewRef(local_dict);
        return 0;
    }
    PyFrameObject *f = jxpy_frame(extra_depth);
    if (f == NULL)
        goto fail;
#if PY_VERSION_HEX >= 0x030B0000
    PyObject *fl = PyFrame_GetLocals(f);
#else
    PyObject *fl = PyObject_GetAttrString((PyObject *)f, "f_locals");
#endif
    PyObject *fg = fl ? jxpy_frame_globals(f) : NULL;
    if (fl == NULL || fg == NULL) {
        Py_XDECREF(fl);
        Py_DECREF(f);
        goto fail;
    }
    /* As numexpr (its issue 310): a function's f_locals snapshot is cleared
     * after use so that it does not keep arrays alive. */
    PyCodeObject *co = PyFrame_GetCode(f);
    sc->clear_local = fl != fg && PyDict_CheckExact(fl) && (co->co_flags & CO_OPTIMIZED);
    Py_DECREF(co);
    Py_DECREF(f);
    sc->local = fl;
    if (sc->need_global) {
        sc->global = fg;
        sc->need_global = 0;
    } else {
        Py_DECREF(fg);
    }
    return 0;
fail:
    Py_CLEAR(sc->local);
    Py_CLEAR(sc->global);
    return -1;
}

void jxpy_scope_fini(jxpy_scope *sc)
{
    if (sc->clear_local)
        PyDict_Clear(sc->local);
    Py_CLEAR(sc->local);
    Py_CLEAR(sc->global);
}

/* m[k] as a new reference; NULL without an exception when k is missing. */
static PyObject *jxpy_map_get(PyObject *m, PyObject *k)
{
    if (PyDict_CheckExact(m))
        return Py_XNewRef(PyDict_GetItemWithError(m, k));
    PyObject *v = PyObject_GetItem(m, k);
    if (v == NULL && PyErr_ExceptionMatches(PyExc_KeyError))
        PyErr_Clear();
    return v;
}

/* Key k of a mapping spells name (an NFKC form, from jx_names) when its
 * own NFKC form is name.  1, 0, or -1 with an exception. */
static int jxpy_key_is(PyObject *k, const char *want, Py_ssize_t wn)
{
    /* An ASCII key is its own NFKC form: the exact lookup saw it. */
    if (!PyUnicode_Check(k) || PyUnicode_IS_ASCII(k))
        return 0;
    Py_ssize_t kn;
    const char *s = PyUnicode_AsUTF8AndSize(k, &kn);
    if (s == NULL) { /* a lone surrogate: no name's spelling */
        PyErr_Clear();
        return 0;
    }
    char *norm = jx_name_normalize(s, (size_t)kn);
    if (norm == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int eq = strlen(norm) == (size_t)wn && memcmp(norm, want, (size_t)wn) == 0;
    jx_free(norm);
    return eq;
}

/* After a miss: m's value under a key whose NFKC form is name.  Python
 * normalises the names of its source (PEP 3131), so the keys of a frame's
 * dicts are in NFKC form already, but keys made by code need not be
 * (pandas' column "Capacitance(\u00b5F)" keeps its micro sign, which is
 * the Greek mu in NFKC form).  Only a miss pays for this scan.  A new
 * reference, or NULL (with an exception when one occurred). */
static PyObject *jxpy_map_get_nfkc(PyObject *m, PyObject *name)
{
    Py_ssize_t wn;
    const char *want = PyUnicode_AsUTF8AndSize(name, &wn);
    if (want == NULL)
        return NULL;
    if (PyDict_CheckExact(m)) {
        Py_ssize_t pos = 0;
        PyObject *k, *val;
        while (PyDict_Next(m, &pos, &k, &val)) {
            int is = jxpy_key_is(k, want, wn);
            if (is < 0)
                return NULL;
            if (is)
                return Py_NewRef(val);
        }
        return NULL;
    }
    PyObject *keys = PyMapping_Keys(m);
    PyObject *seq = keys ? PySequence_Fast(keys, "keys() is not a sequence") : NULL;
    Py_XDECREF(keys);
    if (seq == NULL) {
        /* a mapping that cannot list its keys: no match, as before */
        if (PyErr_ExceptionMatches(PyExc_AttributeError) ||
            PyErr_ExceptionMatches(PyExc_TypeError))
            PyErr_Clear();
        return NULL;
    }
    PyObject *v = NULL;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *k = PySequence_Fast_GET_ITEM(seq, i);
        int is = jxpy_key_is(k, want, wn);
        if (is < 0)
            break;
        if (is) {
            v = jxpy_map_get(m, k);
            break;
        }
    }
    Py_DECREF(seq);
    return v;
}

/* name in local, then global (the frame's when none was given); in each
 * the exact key first, then a key of the same NFKC form. */
PyObject *jxpy_scope_lookup(jxpy_scope *sc, PyObject *name)
{
    PyObject *v = jxpy_map_get(sc->local, name);
    if (v != NULL || PyErr_Occurred())
        return v;
    v = jxpy_map_get_nfkc(sc->local, name);
    if (v != NULL || PyErr_Occurred())
        return v;
    if (sc->need_global) {
        PyFrameObject *f = jxpy_frame(sc->extra_depth);
        if (f == NULL)
            return NULL;
        sc->global = jxpy_frame_globals(f);
        Py_DECREF(f);
        if (sc->global == NULL)
            return NULL;
        sc->need_global = 0;
    }
    v = jxpy_map_get(sc->global, name);
    if (v != NULL || PyErr_Occurred())
        return v;
    v = jxpy_map_get_nfkc(sc->global, name);
    if (v != NULL || PyErr_Occurred())
        return v;
    PyErr_SetObject(PyExc_KeyError, name);
    return NULL;
}
