/*
 * module.c - the module jitexpr._jitexpr (numexpr's module.cpp): its
 * functions and their table (evaluate, validate, re_evaluate with this
 * thread's record that re_evaluate repeats, _compile, the threads and
 * caches), and its state's life (multi-phase init, traverse, clear).
 * jxpy.h describes the extension and lists its files.
 */
#define JXPY_IMPORT_ARRAY /* this file defines NumPy's API table (jxpy.h) */
#include "jxpy.h"

#include "resultbuf.h"

/* A thread's last evaluate()/validate(): what re_evaluate() repeats.  One
 * per thread, in the thread-state dict, updated in place. */
typedef struct jxpy_Last {
    PyObject_HEAD
    PyObject *source;  /* jxpy_Source, or NULL */
    PyObject *out;     /* the out array, or NULL */
    int order;
    NPY_CASTING casting;
    unsigned flags;
} jxpy_Last;

/* ---- evaluate, validate, re_evaluate -------------------------------------- */

static void jxpy_last_dealloc(jxpy_Last *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    Py_XDECREF(self->source);
    Py_XDECREF(self->out);
    PyObject_Free(self);
    Py_DECREF(tp);
}

/* This thread's record (borrowed), made on first use when create. */
static jxpy_Last *jxpy_get_last(jxpy_state *st, int create)
{
    PyObject *d = PyThreadState_GetDict();
    if (d == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "jitexpr: no thread state dict");
        return NULL;
    }
    PyObject *r = PyDict_GetItemWithError(d, st->last_key);
    if (r != NULL || PyErr_Occurred() || !create)
        return (jxpy_Last *)r;
    jxpy_Last *last = PyObject_New(jxpy_Last, st->LastType);
    if (last == NULL)
        return NULL;
    last->source = last->out = NULL;
    last->order = NPY_KEEPORDER;
    last->casting = NPY_SAME_KIND_CASTING;
    last->flags = 0;
    int rc = PyDict_SetItem(d, st->last_key, (PyObject *)last);
    Py_DECREF(last); /* the dict holds it */
    return rc < 0 ? NULL : last;
}

/* Remembers what re_evaluate() repeats, per thread. */
static int jxpy_set_last(jxpy_state *st, jxpy_Source *s, PyObject *out, int order,
                         NPY_CASTING casting, unsigned flags)
{
    jxpy_Last *last = jxpy_get_last(st, 1);
    if (last == NULL)
        return -1;
    PyObject *old_s = last->source, *old_o = last->out;
    last->source = Py_NewRef((PyObject *)s);
    last->out = (out && out != Py_None) ? Py_NewRef(out) : NULL;
    last->order = order;
    last->casting = casting;
    last->flags = flags;
    Py_XDECREF(old_s);
    Py_XDECREF(old_o);
    return 0;
}

/* What the three share: look the names up, convert, find or compile the
 * variant, remember it for re_evaluate (set_last), and run it (run).  An
 * operand that is a dask array sends the call to jitexpr.dask (dask.c). */
static PyObject *jxpy_core(jxpy_state *st, jxpy_Source *s, PyObject *local_dict,
                           PyObject *global_dict, int extra_depth, PyObject *out,
                           int order, NPY_CASTING casting, unsigned flags,
                           int run, int set_last)
{
    int n = (int)PyTuple_GET_SIZE(s->names);
    jxpy_value stack_vals[JXPY_STACK_ARGS];
    /* Zeroed only for GCC, which cannot see that jxpy_source_variant reads
     * none of it when the expression has no names (-Wmaybe-uninitialized). */
    jxpy_code stack_key[JXPY_STACK_ARGS] = {0};
    jxpy_value *vals = stack_vals;
    jxpy_code *key = stack_key;
    PyObject *ret = NULL;
    jxpy_NumExpr *nx = NULL;
    int got = 0;

    if (n > JXPY_STACK_ARGS) {
        vals = PyMem_Malloc((sizeof(jxpy_value) + sizeof(jxpy_code)) * (size_t)n);
        if (vals == NULL)
            return PyErr_NoMemory();
        key = (jxpy_code *)(vals + n);
    }
    if (n > 0) {
        jxpy_scope sc;
        if (jxpy_scope_init(&sc, local_dict, global_dict, extra_depth) < 0)
            goto done;
        for (; got < n; got++) {
            PyObject *name = PyTuple_GET_ITEM(s->names, got);
            PyObject *v = jxpy_scope_lookup(&sc, name);
            if (v == NULL) {
                if (PyErr_ExceptionMatches(PyExc_KeyError)) {
                    PyObject *t, *val, *tb;
                    PyErr_Fetch(&t, &val, &tb);
                    if (jxpy_source_expression_error(s)) {
                        Py_XDECREF(t);
                        Py_XDECREF(val);
                        Py_XDECREF(tb);
                    } else {
                        PyErr_Restore(t, val, tb);
                    }
                }
                break;
            }
            if (jxpy_dask_is_array(v)) { /* the whole call goes to jitexpr.dask */
                Py_DECREF(v);
                ret = jxpy_dask_evaluate(&sc, s->ex, s->names, out, order, casting);
                if (ret != NULL && set_last &&
                    jxpy_set_last(st, s, out, order, casting, flags) < 0)
                    Py_CLEAR(ret);
                if (ret != NULL && !run)
                    Py_SETREF(ret, Py_NewRef(Py_None));
                jxpy_scope_fini(&sc);
                goto done;
            }
            int rc = jxpy_conv_value(st, v, name, 1, &vals[got], &key[got]);
            Py_DECREF(v);
            if (rc < 0)
                break;
        }
        jxpy_scope_fini(&sc);
        if (got < n)
            goto done;
    }
    nx = jxpy_source_variant(st, s, key, flags);
    if (nx == NULL)
        goto done;
    if (set_last && jxpy_set_last(st, s, out, order, casting, flags) < 0)
        goto done;
    ret = run ? jxpy_run(nx, vals, out, order, casting) : Py_NewRef(Py_None);
done:
    Py_XDECREF(nx);
    for (int i = 0; i < got; i++)
        Py_XDECREF(vals[i].arr);
    if (vals != stack_vals)
        PyMem_Free(vals);
    return ret;
}

/* evaluate() and validate() take the same arguments. */
static PyObject *jxpy_evaluate_impl(PyObject *module, PyObject *const *args,
                                    Py_ssize_t nargs, PyObject *kwnames,
                                    const char *fname, int run)
{
    jxpy_state *st = jxpy_get_state(module);
    PyObject *ex = NULL, *local_dict = NULL, *global_dict = NULL, *out = NULL;
    PyObject *order_o = NULL, *casting_o = NULL, *sanitize = NULL, *depth_o = NULL;
    PyObject *optimization = NULL, *truediv = NULL, *disable_cache = NULL;
    const jxpy_kw kws[] = {
        {"ex", &ex}, {"local_dict", &local_dict}, {"global_dict", &global_dict},
        {"out", &out}, {"order", &order_o}, {"casting", &casting_o},
        {"sanitize", &sanitize}, {"_frame_depth", &depth_o},
        {"optimization", &optimization}, {"truediv", &truediv},
        {"disable_cache", &disable_cache},
    };
    int order;
    NPY_CASTING casting;
    unsigned flags = 0;
    int extra_depth = 0;
    (void)sanitize; /* nothing is eval()'d: the C parser is the only reader */

    if (jxpy_args_parse(fname, args, nargs, kwnames, kws,
                        (int)(sizeof kws / sizeof kws[0]), 6, 1, 1) < 0)
        return NULL;
    if (jxpy_args_order(order_o, &order) < 0 ||
        jxpy_args_casting(casting_o, &casting, NPY_SAME_KIND_CASTING) < 0 ||
        jxpy_args_context(optimization, truediv) < 0)
        return NULL;
    if (disable_cache) {
        int t = PyObject_IsTrue(disable_cache);
        if (t < 0)
            return NULL;
        if (t)
            flags |= JXPY_NO_CACHE;
    }
    /* numexpr counts from its own frames: evaluate 3, validate 2. */
    if (depth_o && depth_o != Py_None &&
        jxpy_scope_frame_depth(depth_o, run ? 3 : 2, &extra_depth) < 0)
        return NULL;
    jxpy_Source *s = jxpy_source_get(st, ex, !(flags & JXPY_NO_CACHE));
    if (s == NULL)
        return NULL;
    PyObject *r = jxpy_core(st, s, local_dict, global_dict, extra_depth, out,
                            order, casting, flags, run, 1);
    Py_DECREF(s);
    return r;
}

PyDoc_STRVAR(jxpy_evaluate_doc,
"evaluate(ex, local_dict=None, global_dict=None, out=None, order='K',\n"
"         casting='same_kind', *, sanitize=None, optimization='aggressive',\n"
"         truediv='auto', disable_cache=False, _frame_depth=3)\n"
"--\n\n"
"Evaluate the array expression `ex` element-wise and return the result.\n\n"
"Names are taken from local_dict, then global_dict, then the caller's\n"
"locals and globals.  Values are anything np.asarray accepts; Python\n"
"scalars are weak (NumPy 2 rules).  `out` is written in place (the result\n"
"is cast to its dtype under `casting`) and returned.  `order` is the\n"
"memory order of a new result, as for NumPy's ufuncs.  numexpr's other\n"
"keywords are accepted (see docs/python.md).");

static PyObject *jxpy_evaluate(PyObject *module, PyObject *const *args,
                               Py_ssize_t nargs, PyObject *kwnames)
{
    return jxpy_evaluate_impl(module, args, nargs, kwnames, "evaluate", 1);
}

PyDoc_STRVAR(jxpy_validate_doc,
"validate(ex, local_dict=None, global_dict=None, out=None, order='K',\n"
"         casting='same_kind', *, sanitize=None, optimization='aggressive',\n"
"         truediv='auto', disable_cache=False, _frame_depth=2)\n"
"--\n\n"
"Check (and compile) `ex` with the current values of its names.  Returns\n"
"None on success, or the exception that evaluate() would raise.  After a\n"
"successful validate(), re_evaluate() runs the expression.");

static PyObject *jxpy_validate(PyObject *module, PyObject *const *args,
                               Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *r = jxpy_evaluate_impl(module, args, nargs, kwnames, "validate", 0);
    return r ? r : jxpy_err_fetch();
}

PyDoc_STRVAR(jxpy_re_evaluate_doc,
"re_evaluate(local_dict=None, global_dict=None, _frame_depth=2)\n"
"--\n\n"
"Evaluate again the expression of this thread's last evaluate() or\n"
"validate(), with the current values of its names (and the same out,\n"
"order and casting).");

static PyObject *jxpy_re_evaluate(PyObject *module, PyObject *const *args,
                                  Py_ssize_t nargs, PyObject *kwnames)
{
    jxpy_state *st = jxpy_get_state(module);
    PyObject *local_dict = NULL, *global_dict = NULL, *depth_o = NULL;
    const jxpy_kw kws[] = {
        {"local_dict", &local_dict}, {"global_dict", &global_dict},
        {"_frame_depth", &depth_o},
    };
    if (jxpy_args_parse("re_evaluate", args, nargs, kwnames, kws, 3, 2, 0, 0) < 0)
        return NULL;
    int extra_depth = 0;
    if (depth_o && depth_o != Py_None &&
        jxpy_scope_frame_depth(depth_o, 2, &extra_depth) < 0)
        return NULL;
    jxpy_Last *last = jxpy_get_last(st, 0);
    if (last == NULL || last->source == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError,
                            "A previous evaluate() execution was not found, please "
                            "call `validate` or `evaluate` once before `re_evaluate`");
        return NULL;
    }
    /* The record may change while the names are looked up (a Mapping can
     * run Python code that evaluates): hold what is used. */
    PyObject *src = Py_NewRef(last->source);
    PyObject *out = Py_XNewRef(last->out);
    PyObject *r = jxpy_core(st, (jxpy_Source *)src, local_dict, global_dict, extra_depth,
                            out, last->order, last->casting, last->flags, 1, 0);
    Py_DECREF(src);
    Py_XDECREF(out);
    return r;
}

/* ---- NumExpr objects ---------------------------------------------------------- */

PyDoc_STRVAR(jxpy_compile_doc,
"_compile(ex, names, dtypes, disable_cache=False)\n"
"--\n\n"
"Compile `ex` for arguments `names` (tuple of str, the call order) of\n"
"`dtypes` (tuple of np.dtype).  Used by jitexpr.NumExpr.");

static PyObject *jxpy_compile(PyObject *module, PyObject *const *args,
                              Py_ssize_t nargs, PyObject *kwnames)
{
    jxpy_state *st = jxpy_get_state(module);
    PyObject *ex = NULL, *names = NULL, *dtypes = NULL, *disable = NULL;
    const jxpy_kw kws[] = {
        {"ex", &ex}, {"names", &names}, {"dtypes", &dtypes}, {"disable_cache", &disable},
    };
    if (jxpy_args_parse("_compile", args, nargs, kwnames, kws, 4, 4, 3, 0) < 0)
        return NULL;
    if (!PyUnicode_Check(ex) || !PyTuple_Check(names) || !PyTuple_Check(dtypes) ||
        PyTuple_GET_SIZE(names) != PyTuple_GET_SIZE(dtypes)) {
        PyErr_SetString(PyExc_TypeError, "_compile(str, tuple, tuple of the same length)");
        return NULL;
    }
    int no_cache = disable ? PyObject_IsTrue(disable) : 0;
    if (no_cache < 0)
        return NULL;
    int n = (int)PyTuple_GET_SIZE(names);
    jxpy_code *key = PyMem_Malloc(sizeof(jxpy_code) * ((size_t)n + 1));
    PyObject *ret = NULL;
    if (key == NULL)
        return PyErr_NoMemory();
    for (int i = 0; i < n; i++) {
        PyObject *nm = PyTuple_GET_ITEM(names, i);
        PyArray_Descr *d = NULL;
        if (!PyUnicode_Check(nm)) {
            PyErr_SetString(PyExc_TypeError, "names must be str");
            goto done;
        }
        if (!jxpy_conv_descr_converter(PyTuple_GET_ITEM(dtypes, i), &d))
            goto done;
        jx_dtype t = jxpy_conv_dtype_of(d, nm);
        if (t != JX_DTYPE_INVALID)
            key[i] = jxpy_conv_code_of(t, d);
        Py_DECREF(d);
        if (t == JX_DTYPE_INVALID)
            goto done;
    }
    ret = (PyObject *)jxpy_numexpr_compile(st, ex, names, key, no_cache ? JXPY_NO_CACHE : 0);
done:
    PyMem_Free(key);
    return ret;
}

static PyType_Slot jxpy_last_slots[] = {
    {Py_tp_dealloc, jxpy_last_dealloc},
    {Py_tp_doc, (void *)PyDoc_STR("a thread's last evaluate(), for re_evaluate()")},
    {0, NULL},
};

static PyType_Spec jxpy_last_spec = {
    .name = "jitexpr._Last",
    .basicsize = sizeof(jxpy_Last),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = jxpy_last_slots,
};

/* ---- small module functions ------------------------------------------------- */

static PyObject *jxpy_names(PyObject *module, PyObject *ex)
{
    jxpy_state *st = jxpy_get_state(module);
    jxpy_Source *s = jxpy_source_get(st, ex, 0);
    if (s == NULL)
        return NULL;
    PyObject *r = Py_NewRef(s->names);
    Py_DECREF(s);
    return r;
}

/* _dtype(spec): np.dtype(spec), with the sizes in a str spec
 * range-checked (jxpy_conv_descr_converter); what the Python layer calls
 * for the dtypes a user names (explain's keywords, NumExpr signatures). */
static PyObject *jxpy_dtype(PyObject *module, PyObject *spec)
{
    PyArray_Descr *d = NULL;
    if (!jxpy_conv_descr_converter(spec, &d))
        return NULL;
    return (PyObject *)d;
}

/* _normalize(name): its NFKC form, as the library matches names. */
static PyObject *jxpy_normalize(PyObject *module, PyObject *name)
{
    if (!PyUnicode_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "_normalize() takes a str");
        return NULL;
    }
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(name, &n);
    if (s == NULL)
        return NULL;
    char *norm = jx_name_normalize(s, (size_t)n);
    if (norm == NULL)
        return PyErr_NoMemory();
    PyObject *r = PyUnicode_FromString(norm);
    jx_free(norm);
    return r;
}

static PyObject *jxpy_set_num_threads(PyObject *module, PyObject *arg)
{
    int overflow;
    long long n = PyLong_AsLongLongAndOverflow(arg, &overflow);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (overflow < 0 || (overflow == 0 && n < 1)) {
        PyErr_Format(PyExc_ValueError, "the number of threads must be at least 1 (got %R)",
                     arg);
        return NULL;
    }
    /* More than an int: capped at MAX_THREADS as any large count is (the
     * library caps n), not cut to 32 bits. */
    if (overflow > 0 || n > INT32_MAX)
        n = INT32_MAX;
    int prev = jx_set_num_threads((int)n);
    if (prev < 0) {
        PyErr_Format(PyExc_ValueError, "cannot use %lld threads", n);
        return NULL;
    }
    return PyLong_FromLong(prev);
}

static PyObject *jxpy_get_num_threads(PyObject *module, PyObject *unused)
{
    return PyLong_FromLong(jx_get_num_threads());
}

static PyObject *jxpy_detect_number_of_cores(PyObject *module, PyObject *unused)
{
    return PyLong_FromLong(jx_detect_cores());
}

static PyObject *jxpy_max_threads(PyObject *module, PyObject *unused)
{
    return PyLong_FromLong(jx_max_threads());
}

static PyObject *jxpy_version(PyObject *module, PyObject *unused)
{
    return PyUnicode_FromString(jx_version());
}

static PyObject *jxpy_target_info(PyObject *module, PyObject *unused)
{
    (void)module, (void)unused;
    char *text = jx_target_info();
    if (text == NULL)
        return PyErr_NoMemory();
    PyObject *r = PyUnicode_FromString(text);
    jx_free(text);
    return r;
}

static PyObject *jxpy_cache_info(PyObject *module, PyObject *unused)
{
    jxpy_state *st = jxpy_get_state(module);
    jx_stats s;
    jx_get_stats(&s);
    Py_ssize_t variants = 0, pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(st->sources, &pos, &k, &v))
        variants += ((jxpy_Source *)v)->nvariants;
    jxpy_rb_stats r = jxpy_rb_get_stats();
    PyObject *d = Py_BuildValue("{sKsKsKsnsnsnsnsnsnsKsK}", "kernels_compiled",
                         (unsigned long long)s.kernels_compiled, "cache_hits",
                         (unsigned long long)s.cache_hits, "cache_entries",
                         (unsigned long long)s.cache_entries, "expressions",
                         PyDict_GET_SIZE(st->sources), "variants", variants,
                         "result_cache_limit", (Py_ssize_t)r.limit,
                         "result_cache_min", (Py_ssize_t)r.min,
                         "result_cache_bytes", (Py_ssize_t)r.bytes,
                         "result_cache_blocks", (Py_ssize_t)r.blocks,
                         "result_cache_hits", r.hits, "result_cache_misses",
                         r.misses);
    if (d == NULL)
        return NULL;
    /* The tiers (docs/python.md). */
    PyObject *q = PyLong_FromUnsignedLongLong(s.kernels_quick);
    PyObject *u = PyLong_FromUnsignedLongLong(s.kernels_upgraded);
    PyObject *in = PyLong_FromUnsignedLongLong(s.kernels_interpreted);
    if (q == NULL || u == NULL || in == NULL ||
        PyDict_SetItemString(d, "kernels_quick", q) < 0 ||
        PyDict_SetItemString(d, "kernels_upgraded", u) < 0 ||
        PyDict_SetItemString(d, "kernels_interpreted", in) < 0) {
        Py_XDECREF(q);
        Py_XDECREF(u);
        Py_XDECREF(in);
        Py_DECREF(d);
        return NULL;
    }
    Py_DECREF(q);
    Py_DECREF(u);
    Py_DECREF(in);
    /* The disk cache: its state (a scan of the directory) and counters. */
    jx_cache_info ci;
    char *stored;
    Py_BEGIN_ALLOW_THREADS
    jx_get_cache_info(&ci);
    stored = jx_stored_choices();
    Py_END_ALLOW_THREADS
    /* The stored math choices for this target, one string per line. */
    PyObject *text = PyUnicode_FromString(stored ? stored : "");
    jx_free(stored);
    PyObject *lines = text ? PyUnicode_Splitlines(text, 0) : NULL;
    Py_XDECREF(text);
    if (lines == NULL) {
        Py_DECREF(d);
        return NULL;
    }
    PyObject *disk = Py_BuildValue(
        "{sOsssKsKsKsKsKsKsKsKsKsKsKsN}", "enabled", ci.enabled ? Py_True : Py_False,
        "dir", ci.dir, "size_limit", (unsigned long long)ci.size_limit,
        "bytes", (unsigned long long)ci.bytes, "files",
        (unsigned long long)ci.files, "hits", (unsigned long long)s.disk_hits,
        "misses", (unsigned long long)s.disk_misses, "writes",
        (unsigned long long)s.disk_writes, "rejected",
        (unsigned long long)s.disk_rejected, "unavailable",
        (unsigned long long)s.disk_unavailable, "calibrations",
        (unsigned long long)s.calibrations, "choices_loaded",
        (unsigned long long)s.choices_loaded, "choices_writes",
        (unsigned long long)s.choices_writes, "choices", lines);
    if (disk == NULL || PyDict_SetItemString(d, "disk", disk) < 0) {
        Py_XDECREF(disk);
        Py_DECREF(d);
        return NULL;
    }
    Py_DECREF(disk);
    return d;
}

static PyObject *jxpy_set_result_cache(PyObject *module, PyObject *arg)
{
    Py_ssize_t n = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "set_result_cache: the limit must be >= 0 bytes");
        return NULL;
    }
    return PyLong_FromSize_t(jxpy_rb_set_limit((size_t)n));
}

static PyObject *jxpy_clear_cache(PyObject *module, PyObject *unused)
{
    jxpy_state *st = jxpy_get_state(module);
    PyDict_Clear(st->sources);
    long n;
    Py_BEGIN_ALLOW_THREADS
    n = jx_clear_cache(); /* kernels in memory and the disk cache's files */
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(n);
}

static PyObject *jxpy_set_tier(PyObject *module, PyObject *arg)
{
    (void)module;
    const char *mode = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
    if (mode == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "set_tier: mode must be a str");
        return NULL;
    }
    const char *prev = jx_get_tier();
    if (jx_set_tier(mode) != 0) {
        PyErr_Format(PyExc_ValueError,
                     "set_tier: mode must be 'auto', 'full', 'quick', 'compiled' or "
                     "'interp', not %R",
                     arg);
        return NULL;
    }
    return PyUnicode_FromString(prev);
}

static PyObject *jxpy_set_cache_dir(PyObject *module, PyObject *arg)
{
    (void)module;
    const char *dir = NULL;
    PyObject *bytes = NULL;
    if (arg != Py_None) {
        if (!PyUnicode_FSConverter(arg, &bytes))
            return NULL;
        dir = PyBytes_AS_STRING(bytes);
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = jx_set_cache_dir(dir);
    Py_END_ALLOW_THREADS
    Py_XDECREF(bytes);
    return PyBool_FromLong(rc == 0);
}

static PyObject *jxpy_set_cache_size(PyObject *module, PyObject *arg)
{
    (void)module;
    unsigned long long n = PyLong_AsUnsignedLongLong(arg);
    if (n == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = jx_set_cache_size((uint64_t)n);
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(rc == 0);
}

static PyMethodDef jxpy_methods[] = {
    {"evaluate", (PyCFunction)(void (*)(void))jxpy_evaluate,
     METH_FASTCALL | METH_KEYWORDS, jxpy_evaluate_doc},
    {"validate", (PyCFunction)(void (*)(void))jxpy_validate,
     METH_FASTCALL | METH_KEYWORDS, jxpy_validate_doc},
    {"re_evaluate", (PyCFunction)(void (*)(void))jxpy_re_evaluate,
     METH_FASTCALL | METH_KEYWORDS, jxpy_re_evaluate_doc},
    {"_compile", (PyCFunction)(void (*)(void))jxpy_compile,
     METH_FASTCALL | METH_KEYWORDS, jxpy_compile_doc},
    {"_explain", (PyCFunction)(void (*)(void))jxpy_explain,
     METH_FASTCALL | METH_KEYWORDS,
     PyDoc_STR("_explain(ex, names, dtypes, what, weak=()): jx_explain's text")},
    {"_tree", (PyCFunction)(void (*)(void))jxpy_explain_tree,
     METH_FASTCALL | METH_KEYWORDS,
     PyDoc_STR("_tree(ex, names, dtypes, weak=()): the typed syntax tree, a tuple of "
               "(kind, dtype, op, spelling, args, name, value, weak, axis, span), root last; "
               "span: the node's (start, end) bytes in the UTF-8 source")},
    {"_ops", jxpy_explain_ops, METH_NOARGS,
     PyDoc_STR("_ops(): the operator table, (mnemonic, spelling, syntax, arity) rows")},
    {"_dtype", jxpy_dtype, METH_O,
     PyDoc_STR("_dtype(spec): np.dtype(spec); ValueError for a size in a dtype string "
               "beyond 2**31 - 1, which NumPy 1.x reads modulo 2**32")},
    {"_normalize", jxpy_normalize, METH_O,
     PyDoc_STR("_normalize(name): the NFKC form of name, as names are matched")},
    {"_names", jxpy_names, METH_O,
     PyDoc_STR("_names(ex): the variables of ex, in order of first use")},
    {"set_num_threads", jxpy_set_num_threads, METH_O,
     PyDoc_STR("set_num_threads(n): use n threads; returns the previous number")},
    {"get_num_threads", jxpy_get_num_threads, METH_NOARGS,
     PyDoc_STR("get_num_threads(): the number of threads in use")},
    {"detect_number_of_cores", jxpy_detect_number_of_cores, METH_NOARGS,
     PyDoc_STR("detect_number_of_cores(): CPUs this process may run on")},
    {"max_threads", jxpy_max_threads, METH_NOARGS,
     PyDoc_STR("max_threads(): the most threads set_num_threads accepts")},
    {"version", jxpy_version, METH_NOARGS, PyDoc_STR("version(): libjitexpr's version")},
    {"target_info", jxpy_target_info, METH_NOARGS,
     PyDoc_STR("target_info(): the target kernels are compiled for, then one line per "
               "math function whose implementation was chosen (ours or the library's)")},
    {"cache_info", jxpy_cache_info, METH_NOARGS,
     PyDoc_STR("cache_info(): kernel cache statistics, evaluate()'s cache sizes, and "
               "the disk cache's state under 'disk' (enabled, dir, size_limit, bytes, "
               "files, hits, misses, writes, rejected, unavailable)")},
    {"clear_cache", jxpy_clear_cache, METH_NOARGS,
     PyDoc_STR("clear_cache(): forget evaluate()'s compiled expressions and the cached "
               "kernels, and delete the disk cache's files; returns how many files")},
    {"set_tier", jxpy_set_tier, METH_O,
     PyDoc_STR("set_tier(mode): 'auto' (new kernels are interpreted, or run quickly "
               "compiled code, until the optimised compile pays), 'full' (optimised "
               "before the first run), 'quick' (quick code, never optimised), "
               "'compiled' (auto without the interpreter) or 'interp' (interpreted "
               "where possible, never optimised); returns the previous mode")},
    {"set_cache_dir", jxpy_set_cache_dir, METH_O,
     PyDoc_STR("set_cache_dir(path or None): the disk cache's directory (created if "
               "missing), or None to turn it off; returns whether it is on")},
    {"set_cache_size", jxpy_set_cache_size, METH_O,
     PyDoc_STR("set_cache_size(nbytes): the disk cache's size limit (0: the default, "
               "256 MiB); least recently used files go first; returns whether it is on")},
    {"set_result_cache", jxpy_set_result_cache, METH_O,
     PyDoc_STR("set_result_cache(nbytes): keep at most nbytes of freed large results "
               "for reuse (0: none); returns the previous limit")},
    {NULL, NULL, 0, NULL},
};

/* ---- module --------------------------------------------------------------------- */

static int jxpy_exec(PyObject *m)
{
    jxpy_state *st = jxpy_get_state(m);
    if (_import_array() < 0 || jxpy_rb_init() < 0)
        return -1;
    st->NumExprType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &jxpy_numexpr_spec, NULL);
    if (st->NumExprType == NULL)
        return -1;
    st->SourceType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &jxpy_source_spec, NULL);
    if (st->SourceType == NULL)
        return -1;
    st->LastType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &jxpy_last_spec, NULL);
    if (st->LastType == NULL)
        return -1;
    if (PyModule_AddObjectRef(m, "NumExprObject", (PyObject *)st->NumExprType) < 0)
        return -1;
    st->sources = PyDict_New();
    if (st->sources == NULL)
        return -1;
    st->last_key = PyUnicode_InternFromString("jitexpr._jitexpr.last");
    if (st->last_key == NULL)
        return -1;
    if (jxpy_err_add_classes(m, st) < 0)
        return -1;
    if (PyModule_AddIntConstant(m, "MAX_DIMS", JX_MAX_DIMS) < 0 ||
        PyModule_AddIntConstant(m, "MAX_VARS", JX_MAX_VARS) < 0 ||
        PyModule_AddIntConstant(m, "MAX_SOURCE", JX_MAX_SOURCE) < 0 ||
        PyModule_AddIntConstant(m, "EXPLAIN_AST", JX_EXPLAIN_AST) < 0 ||
        PyModule_AddIntConstant(m, "EXPLAIN_IR", JX_EXPLAIN_IR) < 0 ||
        PyModule_AddIntConstant(m, "EXPLAIN_LLVM", JX_EXPLAIN_LLVM) < 0 ||
        PyModule_AddIntConstant(m, "EXPLAIN_ASM", JX_EXPLAIN_ASM) < 0)
        return -1;
    return 0;
}

static int jxpy_traverse(PyObject *m, visitproc visit, void *arg)
{
    jxpy_state *st = jxpy_get_state(m);
    Py_VISIT(st->NumExprType);
    Py_VISIT(st->SourceType);
    Py_VISIT(st->LastType);
    Py_VISIT(st->sources);
    Py_VISIT(st->UnsupportedTypeError);
    Py_VISIT(st->UnsupportedSyntaxError);
    Py_VISIT(st->UnsupportedAttributeError);
    Py_VISIT(st->IntegerOverflowError);
    return 0;
}

static int jxpy_clear(PyObject *m)
{
    jxpy_state *st = jxpy_get_state(m);
    Py_CLEAR(st->sources);
    Py_CLEAR(st->NumExprType);
    Py_CLEAR(st->SourceType);
    Py_CLEAR(st->LastType);
    Py_CLEAR(st->last_key);
    Py_CLEAR(st->UnsupportedTypeError);
    Py_CLEAR(st->UnsupportedSyntaxError);
    Py_CLEAR(st->UnsupportedAttributeError);
    Py_CLEAR(st->IntegerOverflowError);
    return 0;
}

static void jxpy_free(void *m)
{
    jxpy_clear((PyObject *)m);
}

static PyModuleDef_Slot jxpy_slots[] = {
    {Py_mod_exec, jxpy_exec},
    {0, NULL},
};

static struct PyModuleDef jxpy_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "jitexpr._jitexpr",
    .m_doc = "The C extension of jitexpr: a client of libjitexpr.",
    .m_size = sizeof(jxpy_state),
    .m_methods = jxpy_methods,
    .m_slots = jxpy_slots,
    .m_traverse = jxpy_traverse,
    .m_clear = jxpy_clear,
    .m_free = jxpy_free,
};

PyMODINIT_FUNC PyInit__jitexpr(void)
{
    return PyModuleDef_Init(&jxpy_module);
}
