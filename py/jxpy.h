/*
 * jxpy.h - the one internal header of _jitexpr, the C extension of the
 * jitexpr Python package: the types and the prototypes its files share.
 *
 * A client of libjitexpr through include/jitexpr.h only.  It owns what is
 * Python's business: finding the values of the names an expression uses
 * (local_dict, global_dict, the caller's frame), turning them into arrays,
 * a cache from (expression, argument dtypes) to compiled expressions, the
 * allocation of the result in the order NumPy's ufuncs would give it, the
 * casting rule for `out`, and the mapping of jx_error to Python exceptions.
 * The library is the only reader of the expression: jx_names lists its
 * variables, jx_compile does the rest.
 *
 * The hot path of evaluate() is all here, in C: one dict look-up for the
 * expression, one look-up per name, a memcmp against a handful of compiled
 * variants, the allocation of the result and jx_eval with the GIL released.
 * A repeated call neither parses nor compiles.
 *
 * Python ints, floats and complexes are weak, as in NumPy 2 (NEP 50): each
 * is passed as a 0-d int64, float64 or complex128 operand of a JX_VAR_WEAK
 * variable, which the library types as it types a literal (and whose int value it checks
 * against the integer types it joins), so one compiled variant serves
 * every value.  See docs/python.md.
 *
 * Module state (PEP 489 multi-phase init): the types, the expression cache
 * and the key of the per-thread record that re_evaluate() reads.  Every
 * name is prefixed jxpy_, and a function one file shares with the others
 * jxpy_<file>_ (declared below, file by file); the only exported symbol is
 * PyInit__jitexpr (-fvisibility=hidden, -export-symbols-regex).
 *
 * The files, numexpr's module.cpp / numexpr_object.cpp / interpreter.cpp
 * split being the model:
 *   module.c           the module: its functions, method table and init
 *   args.c             keyword arguments: parsing, order, casting
 *   scope.c            names' values: local_dict, global_dict, the frame
 *   convert.c          values and dtypes to jx types
 *   srccache.c         evaluate()'s cache: expression -> compiled variants
 *   numexpr_object.c   the NumExpr type: compiled expressions
 *   run.c              running an expression: result, order, out, casting
 *   errors.c           exception classes; jx_error to a Python exception
 *   explain.c          _explain, _tree, _ops: the library's views
 *   resultbuf.c        the reuse of large result buffers (resultbuf.h)
 *
 * NumPy's C API: one table, jxpy_ARRAY_API (PY_ARRAY_UNIQUE_SYMBOL),
 * defined and filled (import_array) by the file that defines
 * JXPY_IMPORT_ARRAY before including this header; every other file,
 * resultbuf.c included, declares it (NO_IMPORT_ARRAY).
 */
#ifndef JXPY_H
#define JXPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL jxpy_ARRAY_API /* shared with resultbuf.c */
#ifndef JXPY_IMPORT_ARRAY
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include "jitexpr.h"

/* ---- limits and small types ------------------------------------------- */

#define JXPY_SOURCES_MAX 256 /* expressions evaluate() remembers */
#define JXPY_VARIANTS_MAX 8  /* compiled variants kept per expression */
#define JXPY_STACK_ARGS 8    /* arguments handled without malloc */

/* An argument's code in a variant's key: the jx_dtype it is passed as,
 * plus JXPY_WEAK for a Python bool, int, float or complex (a JX_VAR_WEAK
 * variable), plus
 * for a byte string (dtype 'S') its itemsize shifted left by 8: a variant
 * is compiled for one itemsize of each string argument. */
typedef uint64_t jxpy_code;
#define JXPY_WEAK 0x80
#define JXPY_DTYPE(code) ((jx_dtype)((code) & 0x7f))
#define JXPY_ITEMSIZE(code) ((size_t)((code) >> 8))

#define JXPY_NO_CACHE 1u /* disable_cache=True: compile afresh, keep nothing */

/* One argument's value, converted. */
typedef struct jxpy_value {
    PyArrayObject *arr; /* new reference, or NULL for a Python scalar: */
    union {
        int64_t i;      /*   int (weak int64) */
        double d;       /*   float (weak float64) */
        double c[2];    /*   complex (weak complex128): real, imaginary */
        npy_bool b;     /*   bool (bool) */
    } v;                /*   the data of its 0-d operand */
} jxpy_value;

typedef struct jxpy_state {
    PyTypeObject *NumExprType; /* compiled expressions */
    PyTypeObject *SourceType;  /* evaluate()'s cache entries */
    PyTypeObject *LastType;    /* what re_evaluate repeats, per thread */
    PyObject *sources;         /* dict: expression -> Source */
    PyObject *last_key;        /* key in the thread-state dict: re_evaluate */
    /* Exception classes (jxpy_err_raise; docs/python.md): each is also what
     * numexpr raises, or what its callers catch, for the same error. */
    PyObject *UnsupportedTypeError;      /* (TypeError, NotImplementedError) */
    PyObject *UnsupportedSyntaxError;    /* (SyntaxError, TypeError) */
    PyObject *UnsupportedAttributeError; /* (AttributeError, TypeError) */
    PyObject *IntegerOverflowError;      /* (OverflowError, TypeError) */
} jxpy_state;

/* A compiled expression: what NumExpr() returns and what evaluate() keeps.
 * The vars table given to jx_compile is the arguments, in order. */
typedef struct jxpy_NumExpr {
    PyObject_HEAD
    jx_expr *expr;         /* owned */
    PyObject *ex;          /* the source text as given */
    PyObject *input_names; /* tuple of str: the arguments, in call order */
    int nargs;             /* len(input_names) */
    jxpy_code *key;        /* per argument: its code (jx_dtype | JXPY_WEAK |
                              itemsize << 8) */
    jxpy_code rcode;       /* the result's code: its jx_dtype, and a byte
                              string's itemsize << 8 (jxpy_conv_descr_of) */
    jx_dtype rtype;        /* the result's jx_dtype */
} jxpy_NumExpr;

/* evaluate()'s cache entry for one expression string. */
typedef struct jxpy_Source {
    PyObject_HEAD
    PyObject *ex;    /* the expression (str) */
    PyObject *names; /* tuple of str: its variables (jx_names), first use first */
    int nvariants;
    jxpy_NumExpr *variants[JXPY_VARIANTS_MAX]; /* most recently used first */
} jxpy_Source;

/* The state of the module (jitexpr._jitexpr). */
static inline jxpy_state *jxpy_get_state(PyObject *module)
{
    return (jxpy_state *)PyModule_GetState(module);
}

/* ---- args.c: keyword arguments ------------------------------------------ */

/* One argument of jxpy_args_parse: its name, and where its value goes. */
typedef struct jxpy_kw {
    const char *name;
    PyObject **dst;
} jxpy_kw;

/* order= ('C', 'F', 'A', 'K'; None: 'K') into *order; 0 or -1. */
int jxpy_args_order(PyObject *o, int *order);
/* casting= into *c (None: dflt); 0 or -1. */
int jxpy_args_casting(PyObject *o, NPY_CASTING *c, NPY_CASTING dflt);
/* The name of a casting rule, as casting= spells it. */
const char *jxpy_args_casting_name(NPY_CASTING c);
/* Vectorcall arguments into kws (the first npos may be positional, the
 * first nreq are required); 0 or -1. */
int jxpy_args_parse(const char *fname, PyObject *const *args,
                    Py_ssize_t nargs, PyObject *kwnames,
                    const jxpy_kw *kws, int nkws, int npos, int nreq,
                    int unknown_value_error);
/* numexpr's optimization= and truediv=, checked; 0 or -1. */
int jxpy_args_context(PyObject *optimization, PyObject *truediv);

/* ---- scope.c: names' values from local_dict, global_dict, the frame ----- */

/* Where a call's names are looked up (jxpy_scope_init). */
typedef struct jxpy_scope {
    PyObject *local;   /* new reference, or NULL */
    PyObject *global;  /* new reference, or NULL */
    int clear_local;   /* local is a function frame's f_locals snapshot */
    int need_global;   /* global_dict was None: the frame's, when needed */
    int extra_depth;   /* frames above the caller's */
} jxpy_scope;

/* The frames above the caller's that _frame_depth o asks for, less `own`
 * (into *extra); 0 or -1. */
int jxpy_scope_frame_depth(PyObject *o, int own, int *extra);
/* numexpr's scope: local_dict, else the frame's locals; global_dict, else
 * the frame's globals (extra_depth frames above the caller's); 0 or -1. */
int jxpy_scope_init(jxpy_scope *sc, PyObject *local_dict,
                    PyObject *global_dict, int extra_depth);
void jxpy_scope_fini(jxpy_scope *sc);
/* The value of name in sc (new reference), or NULL with KeyError(name) or
 * another exception. */
PyObject *jxpy_scope_lookup(jxpy_scope *sc, PyObject *name);

/* ---- convert.c: values and dtypes to jx types --------------------------- */

/* The jx_dtype of a NumPy dtype, or JX_DTYPE_INVALID with a TypeError
 * (what, if not NULL, names the value in the message). */
jx_dtype jxpy_conv_dtype_of(PyArray_Descr *d, PyObject *what);
/* The code of an argument of dtype d that jxpy_conv_dtype_of maps to t. */
jxpy_code jxpy_conv_code_of(jx_dtype t, PyArray_Descr *d);
/* The NumPy dtype of an argument code (new reference), or NULL. */
PyArray_Descr *jxpy_conv_descr_of(jxpy_code code);
/* np.dtype(spec), sizes range-checked; an O& converter (1, or 0). */
int jxpy_conv_descr_converter(PyObject *spec, PyArray_Descr **d);
/* The UTF-8 text of expression ex for the library, or NULL. */
const char *jxpy_conv_utf8(PyObject *ex, Py_ssize_t *len);
/* Converts argument `name`'s value obj into *v and its code; 0 or -1. */
int jxpy_conv_value(jxpy_state *st, PyObject *obj, PyObject *name, int weak,
                    jxpy_value *v, jxpy_code *code);

/* ---- srccache.c: evaluate()'s cache of expressions ---------------------- */

/* The cache entry of ex (new reference), made on first use (a syntax
 * error is raised then) and kept when store; NULL with an exception. */
jxpy_Source *jxpy_source_get(jxpy_state *st, PyObject *ex, int store);
/* The variant of s for arguments passed as key says (new reference):
 * cached, or compiled and kept unless flags has JXPY_NO_CACHE. */
jxpy_NumExpr *jxpy_source_variant(jxpy_state *st, jxpy_Source *s,
                                  const jxpy_code *key, unsigned flags);
/* 1 with the expression's own error set, when it has one; 0 otherwise. */
int jxpy_source_expression_error(jxpy_Source *s);
extern PyType_Spec jxpy_source_spec;

/* ---- numexpr_object.c: the NumExpr type --------------------------------- */

/* Compiles ex for the arguments `names` (tuple of str), passed as key[i]
 * says (GIL released): a new NumExpr object, or NULL. */
jxpy_NumExpr *jxpy_numexpr_compile(jxpy_state *st, PyObject *ex, PyObject *names,
                                   const jxpy_code *key, unsigned flags);
extern PyType_Spec jxpy_numexpr_spec;

/* ---- run.c: running a compiled expression ------------------------------- */

/* Evaluates nx over vals (one per argument) into outobj, or into a new
 * array in the given order when outobj is None or NULL.  Returns the
 * result (new reference), or NULL. */
PyObject *jxpy_run(jxpy_NumExpr *nx, jxpy_value *vals, PyObject *outobj,
                   int order, NPY_CASTING casting);

/* ---- errors.c: exception classes, jx_error to a Python exception -------- */

/* Adds the exception classes to module m, kept in st. */
int jxpy_err_add_classes(PyObject *m, jxpy_state *st);
/* Raises the Python exception of err, whose span is a byte span of ex. */
void jxpy_err_raise(jxpy_state *st, const jx_error *err, PyObject *ex);
/* The exception being raised, as an object (cleared); None if none. */
PyObject *jxpy_err_fetch(void);

/* ---- dask.c: operands that are dask arrays ----------------------------- */

/* 1 when v is a dask.array.Array (never imports dask; no exception). */
int jxpy_dask_is_array(PyObject *v);
/* jitexpr.dask.evaluate of expression ex over the values of names in sc
 * (a lazy dask array, or with out the result stored in out), or NULL with
 * an exception. */
PyObject *jxpy_dask_evaluate(jxpy_scope *sc, PyObject *ex, PyObject *names,
                             PyObject *out, int order, NPY_CASTING casting);
/* jitexpr.dask.call_numexpr: a NumExpr object (ex, its input names and
 * dtypes) called with args, one of them a dask array. */
PyObject *jxpy_dask_call(PyObject *ex, PyObject *names, PyObject *dtypes, PyObject *args,
                         PyObject *out, int order, NPY_CASTING casting);

/* ---- explain.c: _explain, _tree, _ops ----------------------------------- */

/* The module functions _explain, _tree and _ops (module.c's table). */
PyObject *jxpy_explain(PyObject *module, PyObject *const *args,
                       Py_ssize_t nargs, PyObject *kwnames);
PyObject *jxpy_explain_tree(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames);
PyObject *jxpy_explain_ops(PyObject *module, PyObject *unused);

#endif
