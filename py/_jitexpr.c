/*
 * _jitexpr.c - the C extension of the jitexpr Python package.
 *
 * A client of libjitexpr through include/jitexpr.h only.  It owns what is
 * Python's business: finding the values of the names an expression uses
 * (local_dict, global_dict, the caller's frame), turning them into arrays,
 * a cache from (expression, argument dtypes) to compiled expressions, the
 * allocation of the result in the order NumPy's ufuncs would give it, the
 * casting rule for `out`, and the mapping of jx_error to Python exceptions.
 *
 * The hot path of evaluate() is all here, in C: one dict look-up for the
 * expression, one look-up per name, a linear search of a handful of
 * compiled variants, the allocation of the result and jx_eval with the GIL
 * released.  A repeated call neither parses nor compiles.
 *
 * Python scalars (int, float, bool) are weak, as in NumPy 2 (NEP 50): they
 * take the dtype of what they meet (`a_f32 * x` is float32 for a Python
 * float x).  The C library applies exactly these rules to literals, so a
 * Python scalar is written into the source as a literal (its exact repr)
 * before compiling, and its value is part of the cache key.  When the
 * values keep changing, one value-independent variant takes over, with the
 * scalar an operand of the dtype its literal gets (jxpy_compile_generic).
 * See docs/python.md.
 *
 * Module state (PEP 489 multi-phase init): the two types, the expression
 * cache and the key of the per-thread record that re_evaluate() reads.
 * Every static is prefixed jxpy_; the only exported symbol is
 * PyInit__jitexpr.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <numpy/arrayscalars.h>
#include <structmember.h>

#include "jitexpr.h"

#if PY_VERSION_HEX < 0x030B0000
#include <frameobject.h>
#define jxpy_pack2 _PyFloat_Pack2
#else
#define jxpy_pack2 PyFloat_Pack2
#endif

/* ---- limits and small types ------------------------------------------- */

#define JXPY_SOURCES_MAX 256 /* expressions evaluate() remembers */
#define JXPY_VARIANTS_MAX 8  /* compiled variants kept per expression */
#define JXPY_STACK_ARGS 8    /* arguments handled without malloc */

/* Slot codes beyond the jx_dtype range.  In the arguments of a call: a
 * Python scalar and its value.  In a variant's key: JXPY_SC_* (a literal
 * of that value was compiled in), or JXPY_ANY_* (any value of that kind,
 * passed as an operand of the dtype in v.i: see jxpy_compile_generic). */
enum {
    JXPY_SC_BOOL = 100, JXPY_SC_INT, JXPY_SC_FLOAT,
    JXPY_ANY_INT = 110, JXPY_ANY_FLOAT,
    JXPY_KEEP = -2 /* jxpy_build_text: leave the name as it is */
};

/* Flags of a compiled variant. */
#define JXPY_NO_CACHE 1u /* disable_cache=True: compile afresh, keep nothing */

/* What one argument is: the dtype of an array, or a Python scalar and its
 * value.  An array of these is the cache key of a variant. */
typedef struct jxpy_slot {
    int code; /* jx_dtype of an array, or JXPY_SC_* */
    union {
        int64_t i; /* JXPY_SC_BOOL (0/1), JXPY_SC_INT */
        double d;  /* JXPY_SC_FLOAT */
    } v;
} jxpy_slot;

/* One occurrence of a variable in the source. */
typedef struct jxpy_occ {
    int name;       /* index in the names tuple */
    int32_t offset; /* byte offset in the UTF-8 source */
    int32_t length; /* bytes */
} jxpy_occ;

/* A substituted literal: where it was in the source and where it is in the
 * rewritten text, so that error spans map back. */
typedef struct jxpy_subst {
    int64_t orig_off, orig_len, new_off, new_len;
} jxpy_subst;

typedef struct jxpy_state {
    PyTypeObject *NumExprType; /* compiled expressions */
    PyTypeObject *SourceType;  /* evaluate()'s cache entries */
    PyTypeObject *LastType;    /* what re_evaluate repeats, per thread */
    PyObject *sources;         /* dict: expression -> Source */
    PyObject *last_key;        /* key in the thread-state dict: re_evaluate */
} jxpy_state;

/* A compiled expression: what NumExpr() returns and what evaluate() keeps. */
typedef struct jxpy_NumExpr {
    PyObject_HEAD
    jx_expr *expr;         /* owned */
    PyObject *ex;          /* the source text as given */
    PyObject *input_names; /* tuple of str: the arguments, in call order */
    int nargs;             /* len(input_names) */
    int nvars;             /* entries of the vars table given to jx_compile */
    int *argvar;           /* per argument: index in that table, or -1 */
    jxpy_slot *key;        /* per argument: what it was compiled for */
    int rtypenum;          /* NumPy type number of the result */
    jx_dtype rtype;        /* the result's jx_dtype */
    unsigned flags;        /* JXPY_* */
} jxpy_NumExpr;

/* evaluate()'s cache entry for one expression string. */
typedef struct jxpy_Source {
    PyObject_HEAD
    PyObject *ex;     /* the expression (str) */
    const char *src;  /* its UTF-8, owned by ex */
    Py_ssize_t len;   /* bytes */
    PyObject *names;  /* tuple of str: the variables, in order of first use */
    jxpy_occ *occ;    /* every occurrence of a variable, in source order */
    int nocc;
    int sign_matters; /* has ** << >>: a negative integer changes meaning */
    int nvariants;
    jxpy_NumExpr *variants[JXPY_VARIANTS_MAX]; /* most recently used first */
} jxpy_Source;

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

static jxpy_state *jxpy_get_state(PyObject *module)
{
    return (jxpy_state *)PyModule_GetState(module);
}

/* ---- dtypes ---------------------------------------------------------------- */

static const int jxpy_npy_types[JX_DTYPE_COUNT] = {
    [JX_BOOL] = NPY_BOOL,       [JX_INT8] = NPY_INT8,
    [JX_INT16] = NPY_INT16,     [JX_INT32] = NPY_INT32,
    [JX_INT64] = NPY_INT64,     [JX_UINT8] = NPY_UINT8,
    [JX_UINT16] = NPY_UINT16,   [JX_UINT32] = NPY_UINT32,
    [JX_UINT64] = NPY_UINT64,   [JX_FLOAT16] = NPY_HALF,
    [JX_FLOAT32] = NPY_FLOAT32, [JX_FLOAT64] = NPY_FLOAT64,
    [JX_COMPLEX64] = NPY_COMPLEX64, [JX_COMPLEX128] = NPY_COMPLEX128,
};

/* The jx_dtype of a NumPy dtype (byte order aside), or JX_DTYPE_INVALID
 * with a TypeError set.  what names the value in the message. */
static jx_dtype jxpy_dtype_of(PyArray_Descr *d, PyObject *what)
{
    int size = (int)d->elsize;
    switch (d->kind) {
    case 'b':
        return JX_BOOL;
    case 'i':
        switch (size) {
        case 1: return JX_INT8;
        case 2: return JX_INT16;
        case 4: return JX_INT32;
        case 8: return JX_INT64;
        }
        break;
    case 'u':
        switch (size) {
        case 1: return JX_UINT8;
        case 2: return JX_UINT16;
        case 4: return JX_UINT32;
        case 8: return JX_UINT64;
        }
        break;
    case 'f':
        switch (size) {
        case 2: return JX_FLOAT16;
        case 4: return JX_FLOAT32;
        case 8: return JX_FLOAT64;
        }
        break;
    case 'c':
        if (what)
            PyErr_Format(PyExc_TypeError,
                         "'%U' is %R: complex dtypes are not supported by "
                         "jitexpr yet", what, (PyObject *)d);
        else
            PyErr_Format(PyExc_TypeError,
                         "%R: complex dtypes are not supported by jitexpr yet",
                         (PyObject *)d);
        return JX_DTYPE_INVALID;
    }
    if (what)
        PyErr_Format(PyExc_TypeError,
                     "'%U' has dtype %R, which jitexpr does not support "
                     "(bool, int8..int64, uint8..uint64, float16, float32, "
                     "float64)", what, (PyObject *)d);
    else
        PyErr_Format(PyExc_TypeError,
                     "dtype %R is not supported by jitexpr (bool, int8..int64, "
                     "uint8..uint64, float16, float32, float64)", (PyObject *)d);
    return JX_DTYPE_INVALID;
}

/* ---- Python scalars ---------------------------------------------------------- */

/* Whether Python integer v can be passed as dtype t without changing the
 * result (NumPy 2 raises for an integer out of bounds of its dtype). */
static int jxpy_int_fits(int64_t v, jx_dtype t)
{
    switch (t) {
    case JX_INT8: return v >= INT8_MIN && v <= INT8_MAX;
    case JX_INT16: return v >= INT16_MIN && v <= INT16_MAX;
    case JX_INT32: return v >= INT32_MIN && v <= INT32_MAX;
    case JX_INT64: return 1;
    case JX_UINT8: return v >= 0 && v <= UINT8_MAX;
    case JX_UINT16: return v >= 0 && v <= UINT16_MAX;
    case JX_UINT32: return v >= 0 && v <= UINT32_MAX;
    case JX_UINT64: return v >= 0;
    case JX_FLOAT16: case JX_FLOAT32: case JX_FLOAT64: return 1;
    default: return 0;
    }
}

/* Whether a variant compiled for key serves arguments a (n of them). */
static int jxpy_key_matches(const jxpy_slot *key, const jxpy_slot *a, int n,
                            int sign_matters)
{
    for (int i = 0; i < n; i++) {
        switch (key[i].code) {
        case JXPY_ANY_INT:
            if (a[i].code != JXPY_SC_INT || (sign_matters && a[i].v.i < 0) ||
                !jxpy_int_fits(a[i].v.i, (jx_dtype)key[i].v.i))
                return 0;
            continue;
        case JXPY_ANY_FLOAT:
            if (a[i].code != JXPY_SC_FLOAT)
                return 0;
            continue;
        case JXPY_SC_FLOAT:
            if (a[i].code != JXPY_SC_FLOAT ||
                memcmp(&key[i].v.d, &a[i].v.d, sizeof(double)) != 0)
                return 0;
            continue;
        case JXPY_SC_BOOL:
        case JXPY_SC_INT:
            if (a[i].code != key[i].code || a[i].v.i != key[i].v.i)
                return 0;
            continue;
        default:
            if (a[i].code != key[i].code)
                return 0;
        }
    }
    return 1;
}

/* A Python scalar's value as dtype t, into buf (8 bytes), as the C library
 * converts a literal (round to nearest; floats too large are inf). */
static void jxpy_scalar_to(const jxpy_slot *v, jx_dtype t, void *buf)
{
    int is_int = v->code == JXPY_SC_INT;
    int64_t i = v->v.i;
    double d = is_int ? (double)i : v->v.d;
    switch (t) {
    case JX_INT8: *(int8_t *)buf = (int8_t)i; break;
    case JX_INT16: *(int16_t *)buf = (int16_t)i; break;
    case JX_INT32: *(int32_t *)buf = (int32_t)i; break;
    case JX_INT64: *(int64_t *)buf = i; break;
    case JX_UINT8: *(uint8_t *)buf = (uint8_t)i; break;
    case JX_UINT16: *(uint16_t *)buf = (uint16_t)i; break;
    case JX_UINT32: *(uint32_t *)buf = (uint32_t)i; break;
    case JX_UINT64: *(uint64_t *)buf = (uint64_t)i; break;
    case JX_FLOAT32: *(float *)buf = is_int ? (float)i : (float)d; break;
    case JX_FLOAT64: *(double *)buf = d; break;
    case JX_FLOAT16: {
        uint16_t h;
        if (isnan(d))
            h = (uint16_t)(signbit(d) ? 0xfe00 : 0x7e00);
        else if (fabs(d) >= 65520.0) /* rounds past the largest half */
            h = (uint16_t)(signbit(d) ? 0xfc00 : 0x7c00);
        else {
            unsigned char b[2]; /* little-endian bytes, whatever the host */
            if (jxpy_pack2(d, (char *)b, 1) < 0)
                PyErr_Clear(); /* not reached: overflow is handled above */
            h = (uint16_t)(b[0] | (b[1] << 8));
        }
        *(uint16_t *)buf = h;
        break;
    }
    default:
        break;
    }
}

/* ---- errors ------------------------------------------------------------------ */

/* Functions of numexpr (and reductions) that the C library does not have
 * yet: asking for one raises NotImplementedError rather than TypeError. */
static const char *const jxpy_reductions[] = {
    "sum", "prod", "min", "max", "any", "all", "mean", "std", "var",
    "argmin", "argmax", "cumsum", "cumprod", NULL,
};
static const char *const jxpy_numexpr_functions[] = {
    "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh",
    "arcsinh", "arccosh", "arctanh", "log1p", "log10", "log2", "expm1",
    "absolute", "conj", "conjugate", "real", "imag", "complex", "contains",
    "fmod", "ceil", "floor", "round", "trunc", "isnan", "isfinite", "isinf",
    "signbit", "copysign", "nextafter", "hypot", "maximum", "minimum",
    "square", "reciprocal", "sign", NULL,
};

static int jxpy_in_list(const char *const *list, const char *s, size_t n)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, s, n) == 0)
            return 1;
    return 0;
}

/* Columns (code points) in the first `bytes` bytes of UTF-8 text. */
static Py_ssize_t jxpy_columns(const char *s, Py_ssize_t bytes)
{
    Py_ssize_t col = 0;
    for (Py_ssize_t i = 0; i < bytes; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            col++;
    return col;
}

/* "message\n<source>\n    ^^^" for a span of src, or just the message. */
static PyObject *jxpy_caret_message(const char *msg, const char *src,
                                    Py_ssize_t len, int64_t off, int64_t n,
                                    Py_ssize_t *col_out, Py_ssize_t *end_out)
{
    if (src == NULL || off < 0 || off > len)
        return PyUnicode_FromString(msg);
    if (n < 0 || off + n > len)
        n = len - off;
    Py_ssize_t col = jxpy_columns(src, (Py_ssize_t)off);
    Py_ssize_t width = jxpy_columns(src + off, (Py_ssize_t)n);
    if (width < 1)
        width = 1;
    if (col_out)
        *col_out = col;
    if (end_out)
        *end_out = col + width;
    /* The source on one line: line breaks and tabs shown as spaces, so the
     * caret stays under the text it points at. */
    char *line = PyMem_Malloc((size_t)len + 1);
    char *marks = PyMem_Malloc((size_t)(col + width) + 1);
    if (line == NULL || marks == NULL) {
        PyMem_Free(line);
        PyMem_Free(marks);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < len; i++)
        line[i] = (src[i] == '\n' || src[i] == '\r' || src[i] == '\t') ? ' ' : src[i];
    line[len] = '\0';
    memset(marks, ' ', (size_t)col);
    memset(marks + col, '^', (size_t)width);
    marks[col + width] = '\0';
    PyObject *r = PyUnicode_FromFormat("%s\n    %s\n    %s", msg, line, marks);
    PyMem_Free(line);
    PyMem_Free(marks);
    return r;
}

/* The one place where a jx_error becomes a Python exception.  The span in
 * err is a byte span of src (src may be NULL).
 *   syntax          SyntaxError (offset/end_offset 1-based, as Python's)
 *   name            KeyError(name), as numexpr
 *   function        NotImplementedError for numexpr functions and
 *                   reductions jitexpr lacks yet, TypeError otherwise
 *   arity, type     TypeError
 *   value           ValueError (OverflowError for a Python integer out of
 *                   bounds of a dtype, as NumPy 2)
 *   limit, shape, bad argument   ValueError
 *   out of memory   MemoryError
 *   JIT, internal   RuntimeError */
static void jxpy_raise(const jx_error *err, const char *src, Py_ssize_t len)
{
    const char *span = (src && err->offset >= 0 && err->offset <= len)
                           ? src + err->offset : NULL;
    int64_t spanlen = span ? err->length : 0;
    if (span && spanlen > len - err->offset)
        spanlen = len - err->offset;

    if (err->code == JX_ERR_NAME && span && spanlen > 0) {
        PyObject *name = PyUnicode_DecodeUTF8(span, (Py_ssize_t)spanlen, "replace");
        if (name) {
            PyErr_SetObject(PyExc_KeyError, name);
            Py_DECREF(name);
        }
        return;
    }

    Py_ssize_t col = 0, end = 0;
    PyObject *msg = jxpy_caret_message(err->message, src, len, err->offset,
                                       err->length, &col, &end);
    if (msg == NULL)
        return;
    PyObject *type;
    switch (err->code) {
    case JX_ERR_SYNTAX: {
        PyObject *args = Py_BuildValue("(O(sinOin))", msg, "<expr>", 1,
                                       (Py_ssize_t)(err->offset >= 0 ? col + 1 : 0),
                                       Py_None, 1,
                                       (Py_ssize_t)(err->offset >= 0 ? end + 1 : 0));
        Py_DECREF(msg);
        if (args) {
            PyErr_SetObject(PyExc_SyntaxError, args);
            Py_DECREF(args);
        }
        return;
    }
    case JX_ERR_FUNCTION: {
        type = PyExc_TypeError;
        if (span) {
            size_t n = 0;
            while ((int64_t)n < spanlen &&
                   (span[n] == '_' || (span[n] >= '0' && span[n] <= '9') ||
                    ((span[n] | 0x20) >= 'a' && (span[n] | 0x20) <= 'z')))
                n++;
            const char *what = NULL;
            if (jxpy_in_list(jxpy_reductions, span, n))
                what = "(): reductions are not supported by jitexpr yet (compute "
                       "the element-wise part with jitexpr and reduce with NumPy)";
            else if (jxpy_in_list(jxpy_numexpr_functions, span, n))
                what = "() is not supported by jitexpr yet";
            if (what) {
                PyObject *fn = PyUnicode_DecodeUTF8(span, (Py_ssize_t)n, "replace");
                PyObject *m2 = fn ? PyUnicode_FromFormat("%U%s\n%U", fn, what, msg) : NULL;
                Py_XDECREF(fn);
                Py_DECREF(msg);
                msg = m2;
                type = PyExc_NotImplementedError;
            }
            if (msg == NULL)
                return;
        }
        break;
    }
    case JX_ERR_ARITY:
    case JX_ERR_TYPE:
        type = PyExc_TypeError;
        break;
    case JX_ERR_VALUE:
        type = strstr(err->message, "out of bounds") ? PyExc_OverflowError
                                                      : PyExc_ValueError;
        break;
    case JX_ERR_NOMEM:
        type = PyExc_MemoryError;
        break;
    case JX_ERR_JIT:
    case JX_ERR_INTERNAL:
        type = PyExc_RuntimeError;
        break;
    case JX_ERR_NAME: /* without a span */
        type = PyExc_KeyError;
        break;
    default: /* limit, shape, bad argument */
        type = PyExc_ValueError;
        break;
    }
    PyErr_SetObject(type, msg);
    Py_DECREF(msg);
}

/* ---- the NumExpr type -------------------------------------------------------- */

static void jxpy_numexpr_dealloc(jxpy_NumExpr *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    jx_expr_free(self->expr);
    Py_XDECREF(self->ex);
    Py_XDECREF(self->input_names);
    PyMem_Free(self->argvar);
    PyMem_Free(self->key);
    PyObject_Free(self);
    Py_DECREF(tp);
}

/* A new NumExpr owning e (freed on failure too). */
static jxpy_NumExpr *jxpy_numexpr_new(jxpy_state *st, jx_expr *e, PyObject *ex,
                                      PyObject *names, int nvars,
                                      const int *argvar, const jxpy_slot *key,
                                      unsigned flags)
{
    jxpy_NumExpr *nx = PyObject_New(jxpy_NumExpr, st->NumExprType);
    if (nx == NULL) {
        jx_expr_free(e);
        return NULL;
    }
    int n = (int)PyTuple_GET_SIZE(names);
    nx->expr = e;
    nx->ex = Py_NewRef(ex);
    nx->input_names = Py_NewRef(names);
    nx->nargs = n;
    nx->nvars = nvars;
    nx->flags = flags;
    nx->rtype = jx_expr_dtype(e);
    nx->rtypenum = (nx->rtype >= 0 && nx->rtype < JX_DTYPE_COUNT)
                       ? jxpy_npy_types[nx->rtype] : NPY_NOTYPE;
    nx->argvar = PyMem_Malloc(sizeof(int) * (size_t)(n ? n : 1));
    nx->key = PyMem_Malloc(sizeof(jxpy_slot) * (size_t)(n ? n : 1));
    if (nx->argvar == NULL || nx->key == NULL) {
        Py_DECREF(nx);
        return (jxpy_NumExpr *)PyErr_NoMemory();
    }
    if (n) {
        memcpy(nx->argvar, argvar, sizeof(int) * (size_t)n);
        memcpy(nx->key, key, sizeof(jxpy_slot) * (size_t)n);
    }
    if (nx->rtype == JX_COMPLEX64 || nx->rtype == JX_COMPLEX128 ||
        nx->rtypenum == NPY_NOTYPE) {
        PyErr_SetString(PyExc_TypeError,
                        "complex results are not supported by jitexpr yet");
        Py_DECREF(nx);
        return NULL;
    }
    return nx;
}

/* ---- shapes and allocation ------------------------------------------------- */

/* Stride of a along dimension d of an ndim-dimensional broadcast shape
 * (0 where a is broadcast). */
static npy_intp jxpy_bstride(PyArrayObject *a, int ndim, int d)
{
    int ad = d - (ndim - PyArray_NDIM(a));
    if (ad < 0 || PyArray_DIM(a, ad) == 1)
        return 0;
    return PyArray_STRIDE(a, ad);
}

static void jxpy_shape_text(PyObject **acc, PyArrayObject *a)
{
    PyObject *t = PyUnicode_FromString("(");
    for (int d = 0; t && d < PyArray_NDIM(a); d++) {
        PyObject *x = PyUnicode_FromFormat("%s%zd", d ? "," : "", (Py_ssize_t)PyArray_DIM(a, d));
        PyUnicode_AppendAndDel(&t, x);
    }
    if (t)
        PyUnicode_AppendAndDel(&t, PyUnicode_FromString(PyArray_NDIM(a) == 1 ? ",) " : ") "));
    PyUnicode_AppendAndDel(acc, t);
}

/* NumPy's broadcast of ops[0..n-1] (NULL entries skipped). */
static int jxpy_broadcast(PyArrayObject *const *ops, int n, int *ndim_out,
                          npy_intp *shape)
{
    int ndim = 0;
    for (int i = 0; i < n; i++)
        if (ops[i] && PyArray_NDIM(ops[i]) > ndim)
            ndim = PyArray_NDIM(ops[i]);
    for (int d = 0; d < ndim; d++) {
        shape[d] = 1;
        for (int i = 0; i < n; i++) {
            if (ops[i] == NULL)
                continue;
            int ad = d - (ndim - PyArray_NDIM(ops[i]));
            if (ad < 0)
                continue;
            npy_intp s = PyArray_DIM(ops[i], ad);
            if (s == 1)
                continue;
            if (shape[d] == 1)
                shape[d] = s;
            else if (s != shape[d]) {
                PyObject *msg = PyUnicode_FromString(
                    "operands could not be broadcast together with shapes ");
                for (int j = 0; msg && j < n; j++)
                    if (ops[j])
                        jxpy_shape_text(&msg, ops[j]);
                if (msg) {
                    PyErr_SetObject(PyExc_ValueError, msg);
                    Py_DECREF(msg);
                }
                return -1;
            }
        }
    }
    *ndim_out = ndim;
    return 0;
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

/* Orders: NPY_CORDER, NPY_FORTRANORDER, NPY_ANYORDER, NPY_KEEPORDER. */

/* An uninitialised array of the given shape whose memory follows the
 * order, judged on ops (the arrays it is computed from). */
static PyArrayObject *jxpy_alloc(int typenum, int ndim, const npy_intp *shape,
                                 int order, PyArrayObject *const *ops, int nops)
{
    PyArray_Descr *descr = PyArray_DescrFromType(typenum);
    if (descr == NULL)
        return NULL;
    int perm[NPY_MAXDIMS];
    int c_order = 1;
    if (ndim > 1) {
        switch (order) {
        case NPY_FORTRANORDER:
            c_order = 0;
            for (int k = 0; k < ndim; k++)
                perm[k] = k;
            break;
        case NPY_ANYORDER: {
            int all_f = 0;
            for (int o = 0; o < nops; o++) {
                if (ops[o] == NULL)
                    continue;
                if (!PyArray_IS_F_CONTIGUOUS(ops[o])) {
                    all_f = 0;
                    break;
                }
                all_f = 1;
            }
            if (all_f) {
                c_order = 0;
                for (int k = 0; k < ndim; k++)
                    perm[k] = k;
            }
            break;
        }
        case NPY_KEEPORDER: {
            int all_c = 1;
            for (int o = 0; o < nops && all_c; o++)
                if (ops[o] && !PyArray_IS_C_CONTIGUOUS(ops[o]))
                    all_c = 0;
            if (!all_c) {
                jxpy_korder(ops, nops, ndim, perm);
                for (int k = 0; k < ndim && c_order; k++)
                    c_order = perm[k] == ndim - 1 - k;
            }
            break;
        }
        default:
            break;
        }
    }
    if (c_order)
        return (PyArrayObject *)PyArray_NewFromDescr(&PyArray_Type, descr, ndim,
                                                     (npy_intp *)shape, NULL,
                                                     NULL, 0, NULL);
    npy_intp strides[NPY_MAXDIMS];
    npy_intp s = descr->elsize;
    for (int k = 0; k < ndim; k++) {
        strides[perm[k]] = s;
        if (shape[perm[k]])
            s *= shape[perm[k]];
    }
    return (PyArrayObject *)PyArray_NewFromDescr(&PyArray_Type, descr, ndim,
                                                 (npy_intp *)shape, strides,
                                                 NULL, 0, NULL);
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

static const char *jxpy_casting_name(NPY_CASTING c)
{
    switch (c) {
    case NPY_NO_CASTING: return "no";
    case NPY_EQUIV_CASTING: return "equiv";
    case NPY_SAFE_CASTING: return "safe";
    case NPY_SAME_KIND_CASTING: return "same_kind";
    default: return "unsafe";
    }
}

static void jxpy_capsule_free(PyObject *cap)
{
    jx_free(PyCapsule_GetPointer(cap, "jitexpr.data"));
}

/* Evaluates into an output the library allocates (C order), wrapped in a
 * NumPy array that releases it with jx_free. */
static PyObject *jxpy_eval_new(jxpy_NumExpr *nx, const jx_array *in)
{
    jx_array o;
    jx_error err;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = jx_eval_new(nx->expr, in, &o, &err);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        Py_ssize_t len;
        const char *src = PyUnicode_AsUTF8AndSize(nx->ex, &len);
        if (src != NULL) {
            err.offset = -1;
            jxpy_raise(&err, src, len);
        }
        return NULL;
    }
    npy_intp shape[NPY_MAXDIMS], strides[NPY_MAXDIMS];
    for (int d = 0; d < o.ndim; d++) {
        shape[d] = (npy_intp)o.shape[d];
        strides[d] = (npy_intp)o.strides[d];
    }
    PyObject *cap = PyCapsule_New(o.data, "jitexpr.data", jxpy_capsule_free);
    if (cap == NULL) {
        jx_free(o.data);
        return NULL;
    }
    PyArray_Descr *descr = PyArray_DescrFromType(jxpy_npy_types[o.dtype]);
    PyObject *arr = descr ? PyArray_NewFromDescr(&PyArray_Type, descr, o.ndim, shape,
                                                 strides, o.data, NPY_ARRAY_WRITEABLE,
                                                 NULL) : NULL;
    if (arr == NULL) {
        Py_DECREF(cap);
        return NULL;
    }
    if (PyArray_SetBaseObject((PyArrayObject *)arr, cap) < 0) { /* steals cap */
        Py_DECREF(arr);
        return NULL;
    }
    PyArray_UpdateFlags((PyArrayObject *)arr, NPY_ARRAY_UPDATE_ALL);
    return arr;
}

/* Evaluates nx over arrs (one per argument; NULL for substituted scalars),
 * into out (None: a new array in the given order).  Returns the result. */
static PyObject *jxpy_run(jxpy_NumExpr *nx, PyArrayObject *const *arrs,
                          const jxpy_slot *vals, PyObject *outobj, int order,
                          NPY_CASTING casting)
{
    jx_array stack_in[JXPY_STACK_ARGS];
    jx_array *in = stack_in;
    PyArrayObject *result = NULL, *tmp = NULL, *target;
    PyArrayObject *out = NULL;
    PyArrayObject *stack_ops[JXPY_STACK_ARGS];
    PyArrayObject **ops = stack_ops;
    uint64_t stack_scratch[JXPY_STACK_ARGS];
    uint64_t *scratch = stack_scratch; /* values of scalar operands */
    PyObject *ret = NULL;

    if (nx->nvars > JXPY_STACK_ARGS) {
        in = PyMem_Malloc(sizeof(jx_array) * (size_t)nx->nvars);
        if (in == NULL)
            return PyErr_NoMemory();
    }
    if (nx->nargs > JXPY_STACK_ARGS) {
        ops = PyMem_Malloc(sizeof(PyArrayObject *) * (size_t)nx->nargs);
        scratch = PyMem_Malloc(sizeof(uint64_t) * (size_t)nx->nargs);
        if (ops == NULL || scratch == NULL) {
            if (in != stack_in)
                PyMem_Free(in);
            PyMem_Free(ops);
            PyMem_Free(scratch);
            return PyErr_NoMemory();
        }
    }
    for (int i = 0; i < nx->nargs; i++) {
        int v = nx->argvar[i], kc = nx->key[i].code;
        ops[i] = NULL;
        if (v < 0)
            continue;
        if (kc == JXPY_ANY_INT || kc == JXPY_ANY_FLOAT) {
            /* a Python scalar as a 0-d operand of the variant's dtype */
            jx_dtype t = (jx_dtype)nx->key[i].v.i;
            jxpy_scalar_to(&vals[i], t, &scratch[i]);
            in[v].data = &scratch[i];
            in[v].dtype = t;
            in[v].ndim = 0;
            continue;
        }
        ops[i] = arrs[i];
        if (jxpy_fill(&in[v], arrs[i], (jx_dtype)kc) < 0)
            goto done;
    }

    if (outobj == NULL || outobj == Py_None) {
        int ndim;
        npy_intp shape[NPY_MAXDIMS];
        if (jxpy_broadcast(ops, nx->nargs, &ndim, shape) < 0)
            goto done;
        result = jxpy_alloc(nx->rtypenum, ndim, shape, order, ops, nx->nargs);
        if (result == NULL)
            goto done;
        target = result;
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
        jx_dtype ot = JX_DTYPE_INVALID;
        if (strchr("biuf", od->kind) && PyArray_ISNBO(od->byteorder)) {
            ot = jxpy_dtype_of(od, NULL);
            if (ot == JX_DTYPE_INVALID)
                PyErr_Clear();
        }
        if (ot == nx->rtype) {
            target = out;
        } else {
            PyArray_Descr *rd = PyArray_DescrFromType(nx->rtypenum);
            if (rd == NULL)
                goto done;
            int ok = PyArray_CanCastTypeTo(rd, od, casting);
            if (!ok) {
                PyErr_Format(PyExc_TypeError,
                             "Cannot cast the result of the expression from %R "
                             "to %R with casting rule '%s'",
                             (PyObject *)rd, (PyObject *)od,
                             jxpy_casting_name(casting));
                Py_DECREF(rd);
                goto done;
            }
            Py_DECREF(rd);
            PyArrayObject *self_op[1] = {out};
            npy_intp shape[NPY_MAXDIMS];
            for (int d = 0; d < PyArray_NDIM(out); d++)
                shape[d] = PyArray_DIM(out, d);
            tmp = jxpy_alloc(nx->rtypenum, PyArray_NDIM(out), shape,
                             NPY_KEEPORDER, self_op, 1);
            if (tmp == NULL)
                goto done;
            target = tmp;
        }
    }

    jx_array o;
    if (jxpy_fill(&o, target, nx->rtype) < 0)
        goto done;
    if (PyArray_SIZE(target) == 0) {
        /* NumPy gives empty arrays zero strides, which jx_eval refuses for
         * an output; no element is touched, so any strides will do. */
        int64_t st = (int64_t)jx_dtype_size(nx->rtype);
        for (int d = o.ndim - 1; d >= 0; d--) {
            o.strides[d] = st;
            st *= o.shape[d] ? o.shape[d] : 1;
        }
    }
    jx_error err;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = jx_eval(nx->expr, in, &o, &err);
    Py_END_ALLOW_THREADS
    if (rc < 0 && err.code == JX_ERR_SHAPE && result != NULL) {
        /* The inputs broadcast (checked above), yet the result has another
         * shape: a reduction.  The header cannot tell its shape, so let the
         * library allocate it. */
        Py_CLEAR(result);
        ret = jxpy_eval_new(nx, in);
        goto done;
    }
    if (rc < 0) {
        Py_ssize_t len;
        const char *src = PyUnicode_AsUTF8AndSize(nx->ex, &len);
        if (src == NULL)
            goto done;
        /* Spans from evaluation would point into the compiled text; the
         * run-time errors (shapes) have none. */
        err.offset = -1;
        jxpy_raise(&err, src, len);
        goto done;
    }
    if (tmp != NULL) {
        if (PyArray_CopyInto(out, tmp) < 0)
            goto done;
        ret = Py_NewRef(outobj);
    } else if (out != NULL) {
        ret = Py_NewRef(outobj);
    } else {
        ret = (PyObject *)result;
        result = NULL;
    }
done:
    Py_XDECREF(result);
    Py_XDECREF(tmp);
    if (in != stack_in)
        PyMem_Free(in);
    if (ops != stack_ops)
        PyMem_Free(ops);
    if (scratch != stack_scratch)
        PyMem_Free(scratch);
    return ret;
}

/* ---- arguments: values to arrays or weak scalars ---------------------------- */

/* An array in native byte order (new reference); casts a byte-swapped one. */
static PyArrayObject *jxpy_native(PyArrayObject *arr)
{
    if (PyArray_ISNBO(PyArray_DESCR(arr)->byteorder)) {
        Py_INCREF(arr);
        return arr;
    }
    PyArray_Descr *nd = PyArray_DescrNewByteorder(PyArray_DESCR(arr), NPY_NATIVE);
    if (nd == NULL)
        return NULL;
    return (PyArrayObject *)PyArray_CastToType(arr, nd, 0); /* steals nd */
}

/* Converts the value of one argument.  An array (anything np.asarray
 * accepts; NumPy scalars and 0-d arrays are arrays): *arr gets a new
 * reference, slot->code its jx_dtype.  A Python bool, int or float when
 * weak is allowed: *arr is NULL and slot records the value. */
static int jxpy_arg(PyObject *obj, PyObject *name, int weak, jxpy_slot *slot,
                    PyArrayObject **arr)
{
    PyArrayObject *a;
    *arr = NULL;
    slot->v.i = 0;
    if (PyArray_Check(obj)) {
        a = (PyArrayObject *)Py_NewRef(obj);
    } else if (PyArray_IsScalar(obj, Generic)) {
        a = (PyArrayObject *)PyArray_FromScalar(obj, NULL);
        if (a == NULL)
            return -1;
    } else if (weak && PyBool_Check(obj)) {
        slot->code = JXPY_SC_BOOL;
        slot->v.i = obj == Py_True;
        return 0;
    } else if (weak && PyLong_Check(obj)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (overflow) {
            PyErr_Format(PyExc_OverflowError,
                         "Python integer %R ('%U') does not fit in int64: pass "
                         "a NumPy scalar or array with an explicit dtype",
                         obj, name);
            return -1;
        }
        slot->code = JXPY_SC_INT;
        slot->v.i = (int64_t)v;
        return 0;
    } else if (weak && PyFloat_Check(obj)) {
        slot->code = JXPY_SC_FLOAT;
        slot->v.d = PyFloat_AS_DOUBLE(obj);
        return 0;
    } else if (PyComplex_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "'%U' is complex: complex values are not supported by "
                     "jitexpr yet", name);
        return -1;
    } else {
        a = (PyArrayObject *)PyArray_FROM_O(obj);
        if (a == NULL)
            return -1;
    }
    jx_dtype t = jxpy_dtype_of(PyArray_DESCR(a), name);
    if (t == JX_DTYPE_INVALID) {
        Py_DECREF(a);
        return -1;
    }
    slot->code = (int)t;
    *arr = jxpy_native(a);
    Py_DECREF(a);
    return *arr ? 0 : -1;
}

/* The literal text of a weak scalar, written into buf (at least 64 bytes):
 * exact (repr round-trips), negative values parenthesised, inf and nan
 * written with literals the C library reads. */
static int jxpy_literal(const jxpy_slot *s, char *buf, size_t size)
{
    switch (s->code) {
    case JXPY_SC_BOOL:
        return snprintf(buf, size, "%s", s->v.i ? "True" : "False");
    case JXPY_SC_INT:
        if (s->v.i == INT64_MIN)
            return snprintf(buf, size, "(-9223372036854775807-1)");
        return snprintf(buf, size, s->v.i < 0 ? "(%lld)" : "%lld", (long long)s->v.i);
    default: {
        double d = s->v.d;
        if (isnan(d))
            return snprintf(buf, size, "(1e400-1e400)");
        if (isinf(d))
            return snprintf(buf, size, d < 0 ? "(-1e400)" : "1e400");
        char *r = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
        if (r == NULL)
            return -1;
        int n = snprintf(buf, size, r[0] == '-' ? "(%s)" : "%s", r);
        PyMem_Free(r);
        return n;
    }
    }
}

/* ---- evaluate()'s cache: Source ---------------------------------------------- */

static void jxpy_source_dealloc(jxpy_Source *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    for (int i = 0; i < self->nvariants; i++)
        Py_DECREF(self->variants[i]);
    Py_XDECREF(self->ex);
    Py_XDECREF(self->names);
    PyMem_Free(self->occ);
    PyObject_Free(self);
    Py_DECREF(tp);
}

static int jxpy_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int jxpy_digit(int c) { return c >= '0' && c <= '9'; }
static int jxpy_alnum(int c) { return jxpy_alpha(c) || jxpy_digit(c); }

/* The variables of an expression: every name that is not called (a name
 * followed by '(' is a function), not a keyword argument (followed by a
 * single '=') and not True or False, skipping
 * numbers and strings as the C lexer reads them.  Malformed text is left
 * to jx_compile to report. */
static int jxpy_scan(jxpy_Source *s)
{
    const char *p = s->src;
    Py_ssize_t n = s->len, i = 0;
    PyObject *names = PyList_New(0);
    int cap = 8;
    s->occ = PyMem_Malloc(sizeof(jxpy_occ) * (size_t)cap);
    if (names == NULL || s->occ == NULL)
        goto fail;
    while (i < n) {
        int c = (unsigned char)p[i];
        int c1 = i + 1 < n ? (unsigned char)p[i + 1] : 0;
        if (jxpy_digit(c) || (c == '.' && jxpy_digit(c1))) {
            int hex = c == '0' && (c1 | 0x20) == 'x';
            for (i++; i < n; i++) {
                int d = (unsigned char)p[i];
                if (jxpy_alnum(d) || d == '.')
                    continue;
                if ((d == '+' || d == '-') && !hex && (p[i - 1] | 0x20) == 'e' &&
                    i + 1 < n && jxpy_digit((unsigned char)p[i + 1]))
                    continue;
                break;
            }
            continue;
        }
        if (c == '\'' || c == '"' || ((c | 0x20) == 'b' && (c1 == '\'' || c1 == '"'))) {
            if (c != '\'' && c != '"')
                i++;
            int q = p[i++];
            while (i < n && p[i] != q && p[i] != '\n' && p[i] != '\r') {
                if (p[i] == '\\' && i + 1 < n)
                    i++;
                i++;
            }
            i++;
            continue;
        }
        if (jxpy_alpha(c)) {
            Py_ssize_t j = i + 1;
            while (j < n && jxpy_alnum((unsigned char)p[j]))
                j++;
            Py_ssize_t k = j;
            while (k < n && (p[k] == ' ' || p[k] == '\t' || p[k] == '\n' || p[k] == '\r'))
                k++;
            int call = k < n && p[k] == '(';
            /* name=value inside a call: a keyword argument (axis=1) */
            int keyword = k + 1 < n && p[k] == '=' && p[k + 1] != '=';
            Py_ssize_t len = j - i;
            int kw = (len == 4 && memcmp(p + i, "True", 4) == 0) ||
                     (len == 5 && memcmp(p + i, "False", 5) == 0);
            if (!call && !kw && !keyword) {
                int idx = -1;
                Py_ssize_t nn = PyList_GET_SIZE(names);
                for (Py_ssize_t q = 0; q < nn && idx < 0; q++) {
                    Py_ssize_t ql;
                    const char *qs = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(names, q), &ql);
                    if (ql == len && memcmp(qs, p + i, (size_t)len) == 0)
                        idx = (int)q;
                }
                if (idx < 0) {
                    PyObject *nm = PyUnicode_FromStringAndSize(p + i, len);
                    if (nm == NULL)
                        goto fail;
                    PyUnicode_InternInPlace(&nm);
                    int rc = PyList_Append(names, nm);
                    Py_DECREF(nm);
                    if (rc < 0)
                        goto fail;
                    idx = (int)nn;
                }
                if (s->nocc == cap) {
                    cap *= 2;
                    jxpy_occ *o = PyMem_Realloc(s->occ, sizeof(jxpy_occ) * (size_t)cap);
                    if (o == NULL)
                        goto fail;
                    s->occ = o;
                }
                s->occ[s->nocc].name = idx;
                s->occ[s->nocc].offset = (int32_t)i;
                s->occ[s->nocc].length = (int32_t)len;
                s->nocc++;
            }
            i = j;
            continue;
        }
        i++;
    }
    s->names = PyList_AsTuple(names);
    Py_DECREF(names);
    return s->names ? 0 : -1;
fail:
    Py_XDECREF(names);
    if (!PyErr_Occurred())
        PyErr_NoMemory();
    return -1;
}

static jxpy_Source *jxpy_source_new(jxpy_state *st, PyObject *ex)
{
    jxpy_Source *s = PyObject_New(jxpy_Source, st->SourceType);
    if (s == NULL)
        return NULL;
    s->ex = Py_NewRef(ex);
    s->names = NULL;
    s->occ = NULL;
    s->nocc = 0;
    s->nvariants = 0;
    s->src = PyUnicode_AsUTF8AndSize(ex, &s->len);
    if (s->src == NULL) {
        Py_DECREF(s);
        return NULL;
    }
    s->sign_matters = strstr(s->src, "**") || strstr(s->src, "<<") || strstr(s->src, ">>");
    if (memchr(s->src, '\0', (size_t)s->len) != NULL) {
        PyErr_SetString(PyExc_ValueError, "the expression contains a null character");
        Py_DECREF(s);
        return NULL;
    }
    if (s->len > JX_MAX_SOURCE) {
        PyErr_Format(PyExc_ValueError,
                     "the expression is %zd bytes long: the limit is %d",
                     s->len, JX_MAX_SOURCE);
        Py_DECREF(s);
        return NULL;
    }
    if (jxpy_scan(s) < 0) {
        Py_DECREF(s);
        return NULL;
    }
    return s;
}

/* The cache entry of ex (new reference), made on first use. */
static jxpy_Source *jxpy_get_source(jxpy_state *st, PyObject *ex, int store)
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

/* Maps a position in the rewritten text back to the source. */
static int64_t jxpy_map_pos(const jxpy_subst *m, int nm, int64_t p, int is_end)
{
    int64_t delta = 0;
    for (int k = 0; k < nm; k++) {
        if (p < m[k].new_off || (is_end && p == m[k].new_off))
            break;
        if (p < m[k].new_off + m[k].new_len)
            return is_end ? m[k].orig_off + m[k].orig_len : m[k].orig_off;
        delta = (m[k].orig_off + m[k].orig_len) - (m[k].new_off + m[k].new_len);
    }
    return p + delta;
}

/* The text of s with the occurrences of some names replaced by literals:
 * sub[i] (one per name) is a Python scalar (JXPY_SC_*) to write in, or
 * anything else to keep the name.  *text is s->src itself when nothing is
 * replaced, else a PyMem buffer; *subst (PyMem, may be NULL) maps spans
 * back.  Returns 0, or -1 with an exception. */
static int jxpy_build_text(jxpy_Source *s, const jxpy_slot *sub, char **text,
                           jxpy_subst **subst, int *nsubst)
{
    int any = 0;
    *text = NULL;
    *subst = NULL;
    *nsubst = 0;
    for (int k = 0; k < s->nocc && !any; k++) {
        int c = sub[s->occ[k].name].code;
        any = c >= JXPY_SC_BOOL && c <= JXPY_SC_FLOAT;
    }
    if (!any)
        return 0;
    size_t cap = (size_t)s->len + 64 * (size_t)s->nocc + 1;
    char *t = PyMem_Malloc(cap);
    jxpy_subst *m = PyMem_Malloc(sizeof(jxpy_subst) * (size_t)s->nocc);
    if (t == NULL || m == NULL) {
        PyMem_Free(t);
        PyMem_Free(m);
        PyErr_NoMemory();
        return -1;
    }
    size_t used = 0;
    int64_t prev = 0;
    int nm = 0;
    for (int k = 0; k < s->nocc; k++) {
        const jxpy_occ *o = &s->occ[k];
        const jxpy_slot *v = &sub[o->name];
        if (v->code < JXPY_SC_BOOL || v->code > JXPY_SC_FLOAT)
            continue;
        memcpy(t + used, s->src + prev, (size_t)(o->offset - prev));
        used += (size_t)(o->offset - prev);
        int w = jxpy_literal(v, t + used, 64);
        if (w < 0 || w >= 64) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_SystemError, "jitexpr: literal too long");
            PyMem_Free(t);
            PyMem_Free(m);
            return -1;
        }
        m[nm].orig_off = o->offset;
        m[nm].orig_len = o->length;
        m[nm].new_off = (int64_t)used;
        m[nm].new_len = w;
        nm++;
        used += (size_t)w;
        prev = o->offset + o->length;
    }
    memcpy(t + used, s->src + prev, (size_t)(s->len - prev));
    used += (size_t)(s->len - prev);
    t[used] = '\0';
    *text = t;
    *subst = m;
    *nsubst = nm;
    return 0;
}

/* The dtype a variable of key slot k is compiled with, or -1 for none
 * (a literal). */
static int jxpy_var_dtype(const jxpy_slot *k)
{
    if (k->code >= 0 && k->code < JX_DTYPE_COUNT)
        return k->code;
    if (k->code == JXPY_ANY_INT || k->code == JXPY_ANY_FLOAT)
        return (int)k->v.i;
    return -1;
}

/* Compiles the variant of s whose key is key (one slot per name): names
 * with a dtype (arrays, JXPY_ANY_*) are variables, Python scalars
 * (JXPY_SC_*) are written into the text as literals. */
static jxpy_NumExpr *jxpy_compile_key(jxpy_state *st, jxpy_Source *s,
                                      const jxpy_slot *key, unsigned flags)
{
    int n = (int)PyTuple_GET_SIZE(s->names);
    jx_var stack_vars[JXPY_STACK_ARGS];
    int stack_argvar[JXPY_STACK_ARGS];
    jx_var *vars = stack_vars;
    int *argvar = stack_argvar;
    char *text = NULL;
    jxpy_subst *subst = NULL;
    int nsubst = 0, nv = 0;
    jxpy_NumExpr *nx = NULL;

    if (n > JXPY_STACK_ARGS) {
        vars = PyMem_Malloc(sizeof(jx_var) * (size_t)n);
        argvar = PyMem_Malloc(sizeof(int) * (size_t)n);
        if (vars == NULL || argvar == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    for (int i = 0; i < n; i++) {
        int t = jxpy_var_dtype(&key[i]);
        if (t < 0) {
            argvar[i] = -1;
            continue;
        }
        vars[nv].name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(s->names, i));
        if (vars[nv].name == NULL)
            goto done;
        vars[nv].dtype = (jx_dtype)t;
        argvar[i] = nv++;
    }
    if (jxpy_build_text(s, key, &text, &subst, &nsubst) < 0)
        goto done;

    jx_error err;
    jx_expr *e;
    const char *src = text ? text : s->src;
    unsigned jflags = (flags & JXPY_NO_CACHE) ? JX_FLAG_NO_CACHE : 0;
    Py_BEGIN_ALLOW_THREADS
    e = jx_compile(src, vars, nv, jflags, &err);
    Py_END_ALLOW_THREADS
    if (e == NULL) {
        if (err.offset >= 0 && nsubst) {
            int64_t a = jxpy_map_pos(subst, nsubst, err.offset, 0);
            int64_t b = jxpy_map_pos(subst, nsubst, err.offset + err.length, 1);
            err.offset = a;
            err.length = b > a ? b - a : 0;
        }
        jxpy_raise(&err, s->src, s->len);
        goto done;
    }
    nx = jxpy_numexpr_new(st, e, s->ex, s->names, nv, argvar, key, flags);
done:
    if (vars != stack_vars)
        PyMem_Free(vars);
    if (argvar != stack_argvar)
        PyMem_Free(argvar);
    PyMem_Free(text);
    PyMem_Free(subst);
    return nx;
}

/* The typed IR of s with the literals of sub written in and the other
 * names variables of the dtypes of sub (the front end only: no LLVM).
 * Returns jx_free-able text, or NULL (no exception) when it does not
 * compile. */
static char *jxpy_probe_ir(jxpy_Source *s, const jxpy_slot *sub)
{
    int n = (int)PyTuple_GET_SIZE(s->names);
    jx_var *vars = PyMem_Malloc(sizeof(jx_var) * (size_t)(n ? n : 1));
    char *text = NULL, *ir = NULL;
    jxpy_subst *subst = NULL;
    int nsubst, nv = 0;
    if (vars == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        int t = jxpy_var_dtype(&sub[i]);
        if (t < 0)
            continue;
        vars[nv].name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(s->names, i));
        vars[nv].dtype = (jx_dtype)t;
        if (vars[nv++].name == NULL)
            goto done;
    }
    if (jxpy_build_text(s, sub, &text, &subst, &nsubst) < 0)
        goto done;
    jx_error err;
    ir = jx_explain(text ? text : s->src, vars, nv, JX_EXPLAIN_IR, &err);
done:
    PyErr_Clear();
    PyMem_Free(vars);
    PyMem_Free(text);
    PyMem_Free(subst);
    return ir;
}

/* The IR's dtype mnemonics (jx_expr_ir's text), in jx_dtype order. */
static const char *const jxpy_ir_types[] = {
    "b1", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64",
};

/* The type of the constants that differ between two IR texts of the same
 * shape: "%N = const.T value" lines, whose values must be vx in x and vy
 * in y (the probe literals themselves, not folded with anything).  -1 when
 * the texts differ otherwise, the differing constants disagree on T, a
 * value is not the literal's, or nothing differs. */
static int jxpy_ir_diff_type(const char *x, const char *y, double vx, double vy)
{
    int type = -1;
    while (*x && *y) {
        const char *ex = strchr(x, '\n'), *ey = strchr(y, '\n');
        size_t lx = ex ? (size_t)(ex - x) : strlen(x);
        size_t ly = ey ? (size_t)(ey - y) : strlen(y);
        if (lx != ly || memcmp(x, y, lx) != 0) {
            /* both "%N = const.T " with the same N and T */
            const char *cx = strstr(x, " = const."), *cy = strstr(y, " = const.");
            if (!cx || !cy || cx - x != cy - y || (size_t)(cx - x) >= lx || x[0] != '%' ||
                memcmp(x, y, (size_t)(cx - x)) != 0)
                return -1;
            const char *tx = cx + 9, *sp = memchr(tx, ' ', lx - (size_t)(tx - x));
            if (sp == NULL || memcmp(tx, cy + 9, (size_t)(sp - tx + 1)) != 0)
                return -1;
            int t = -1;
            for (int k = 0; k < (int)(sizeof jxpy_ir_types / sizeof jxpy_ir_types[0]); k++)
                if (strlen(jxpy_ir_types[k]) == (size_t)(sp - tx) &&
                    memcmp(jxpy_ir_types[k], tx, (size_t)(sp - tx)) == 0)
                    t = k;
            if (t < 0 || (type >= 0 && t != type))
                return -1;
            if (strtod(sp + 1, NULL) != vx || strtod(cy + 9 + (sp - tx) + 1, NULL) != vy)
                return -1;
            type = t;
        }
        x += lx + (ex ? 1 : 0);
        y += ly + (ey ? 1 : 0);
    }
    return (*x || *y) ? -1 : type;
}

/* A value-independent variant for Python int and float scalars whose value
 * keeps changing (evaluate("a*x") in a loop over x): compiled once, with
 * each such scalar an operand of the dtype its literal gets in the C
 * library (NumPy 2's weak typing), found by comparing the typed IR of the
 * expression with two different literals for it.  Only when every
 * occurrence is a direct operand of one dtype (not folded with other
 * literals, as in -x or 2*x, where NumPy 2's bounds checks would apply to
 * the folded value); integers must then fit that dtype, and be >= 0 where
 * ** << >> appear.  Returns NULL without an exception when that cannot be
 * established: literals it is, one compilation per value. */
static jxpy_NumExpr *jxpy_compile_generic(jxpy_state *st, jxpy_Source *s,
                                          const jxpy_slot *slots, unsigned flags)
{
    int n = (int)PyTuple_GET_SIZE(s->names);
    jxpy_slot *key = PyMem_Malloc(sizeof(jxpy_slot) * (size_t)n * 2);
    if (key == NULL)
        return NULL;
    jxpy_slot *probe = key + n;
    jxpy_NumExpr *nx = NULL;
    /* The probes: fixed, ordinary values (exact in every float type, in
     * range of every integer type), not the caller's. */
    for (int i = 0; i < n; i++) {
        key[i] = probe[i] = slots[i];
        if (slots[i].code == JXPY_SC_INT)
            probe[i].v.i = 3;
        else if (slots[i].code == JXPY_SC_FLOAT)
            probe[i].v.d = 1.375;
    }
    char *base = jxpy_probe_ir(s, probe);
    if (base == NULL)
        goto done;
    for (int i = 0; i < n; i++) {
        if (slots[i].code != JXPY_SC_INT && slots[i].code != JXPY_SC_FLOAT)
            continue;
        jxpy_slot keep = probe[i];
        if (slots[i].code == JXPY_SC_INT)
            probe[i].v.i = 5;
        else
            probe[i].v.d = 2.625;
        char *alt = jxpy_probe_ir(s, probe);
        probe[i] = keep;
        int is_i = slots[i].code == JXPY_SC_INT;
        int t = alt ? jxpy_ir_diff_type(base, alt, is_i ? 3.0 : 1.375, is_i ? 5.0 : 2.625) : -1;
        if (alt)
            jx_free(alt);
        int is_float = t == JX_FLOAT16 || t == JX_FLOAT32 || t == JX_FLOAT64;
        if (t < 0 || t == JX_BOOL || (slots[i].code == JXPY_SC_FLOAT && !is_float))
            goto done;
        key[i].code = slots[i].code == JXPY_SC_INT ? JXPY_ANY_INT : JXPY_ANY_FLOAT;
        key[i].v.i = t;
    }
    nx = jxpy_compile_key(st, s, key, flags);
    if (nx == NULL) {
        PyErr_Clear();
        goto done;
    }
    /* Sanity: the result's dtype is the literal version's. */
    char want[64];
    const char *r = strstr(base, "(result ");
    if (r == NULL || sscanf(r + 8, "%63[a-z0-9]", want) != 1 ||
        jx_dtype_from_name(want) != nx->rtype)
        Py_CLEAR(nx);
done:
    if (base)
        jx_free(base);
    PyMem_Free(key);
    return nx;
}

/* Variants of s compiled with literals for the same kinds of arguments as
 * slots (values aside); -1 when s already has a value-independent variant
 * for them (that this value does not fit). */
static int jxpy_literal_variants(jxpy_Source *s, const jxpy_slot *slots, int n)
{
    int count = 0;
    for (int v = 0; v < s->nvariants; v++) {
        const jxpy_slot *k = s->variants[v]->key;
        int same = 1, generic = 1;
        for (int i = 0; i < n; i++) {
            int c = slots[i].code;
            int any = c == JXPY_SC_INT ? JXPY_ANY_INT : c == JXPY_SC_FLOAT ? JXPY_ANY_FLOAT : c;
            same &= k[i].code == c;
            generic &= k[i].code == any;
        }
        if (generic && !same)
            return -1;
        count += same;
    }
    return count;
}

/* The variant of s for slots: from the cache, or compiled and kept. */
static jxpy_NumExpr *jxpy_variant(jxpy_state *st, jxpy_Source *s,
                                  const jxpy_slot *slots, unsigned flags)
{
    int n = (int)PyTuple_GET_SIZE(s->names);
    int has_numbers = 0;
    if (!(flags & JXPY_NO_CACHE)) {
        for (int v = 0; v < s->nvariants; v++) {
            jxpy_NumExpr *nx = s->variants[v];
            if (jxpy_key_matches(nx->key, slots, n, s->sign_matters)) {
                if (v > 0) { /* most recently used first */
                    memmove(s->variants + 1, s->variants, sizeof(jxpy_NumExpr *) * (size_t)v);
                    s->variants[0] = nx;
                }
                return (jxpy_NumExpr *)Py_NewRef(nx);
            }
        }
    }
    for (int i = 0; i < n; i++)
        has_numbers |= slots[i].code == JXPY_SC_INT || slots[i].code == JXPY_SC_FLOAT;
    jxpy_NumExpr *nx = NULL;
    /* A third value of the same scalars: stop compiling one per value. */
    if (has_numbers && !(flags & JXPY_NO_CACHE) && jxpy_literal_variants(s, slots, n) >= 2) {
        nx = jxpy_compile_generic(st, s, slots, flags);
        if (nx && !jxpy_key_matches(nx->key, slots, n, s->sign_matters))
            Py_CLEAR(nx); /* e.g. this value is out of range: a literal says so */
    }
    if (nx == NULL)
        nx = jxpy_compile_key(st, s, slots, flags);
    if (nx == NULL || (flags & JXPY_NO_CACHE))
        return nx;
    /* Another thread may have compiled the same while the GIL was free. */
    for (int v = 0; v < s->nvariants; v++)
        if (jxpy_key_matches(s->variants[v]->key, slots, n, s->sign_matters)) {
            Py_DECREF(nx);
            return (jxpy_NumExpr *)Py_NewRef(s->variants[v]);
        }
    if (s->nvariants == JXPY_VARIANTS_MAX) {
        Py_DECREF(s->variants[JXPY_VARIANTS_MAX - 1]);
        s->nvariants--;
    }
    memmove(s->variants + 1, s->variants, sizeof(jxpy_NumExpr *) * (size_t)s->nvariants);
    s->variants[0] = (jxpy_NumExpr *)Py_NewRef(nx);
    s->nvariants++;
    return nx;
}

/* When a name has no value: if the expression itself is wrong (syntax,
 * unknown function, ...), that error wins, as in numexpr, where the
 * expression is parsed before the names are looked up.  Returns 1 with
 * that error set, 0 when the expression is fine. */
static int jxpy_expression_error(jxpy_Source *s)
{
    int n = (int)PyTuple_GET_SIZE(s->names);
    jx_var *vars = PyMem_Malloc(sizeof(jx_var) * (size_t)(n ? n : 1));
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
    char *t = jx_explain(s->src, vars, n, JX_EXPLAIN_AST, &err);
    PyMem_Free(vars);
    if (t != NULL) {
        jx_free(t);
        return 0;
    }
    if (err.code == JX_ERR_TYPE || err.code == JX_ERR_VALUE || err.code == JX_ERR_NAME)
        return 0;
    jxpy_raise(&err, s->src, s->len);
    return 1;
}

/* ---- names: local_dict, global_dict, the caller's frame -------------------- */

typedef struct jxpy_scope {
    PyObject *local;   /* new reference, or NULL */
    PyObject *global;  /* new reference, or NULL */
    int clear_local;   /* local is a function frame's f_locals snapshot */
    int need_global;   /* global_dict was None: the frame's, when needed */
    int extra_depth;   /* frames above the caller's */
} jxpy_scope;

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
static int jxpy_scope_init(jxpy_scope *sc, PyObject *local_dict,
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

static void jxpy_scope_fini(jxpy_scope *sc)
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

static PyObject *jxpy_lookup(jxpy_scope *sc, PyObject *name)
{
    PyObject *v = jxpy_map_get(sc->local, name);
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
    PyErr_SetObject(PyExc_KeyError, name);
    return NULL;
}

/* ---- argument parsing --------------------------------------------------------- */

static int jxpy_parse_order(PyObject *o, int *order)
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

static int jxpy_parse_casting(PyObject *o, NPY_CASTING *c, NPY_CASTING dflt)
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

typedef struct jxpy_kw {
    const char *name;
    PyObject **dst;
} jxpy_kw;

/* Vectorcall arguments into kws: the first npos may be positional.  An
 * unknown keyword is a ValueError when unknown_value_error (numexpr's
 * getContext), a TypeError otherwise. */
static int jxpy_parse_args(const char *fname, PyObject *const *args,
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
static int jxpy_check_context(PyObject *optimization, PyObject *truediv)
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

/* ---- evaluate, validate, re_evaluate -------------------------------------- */

/* The exception being raised, as an object (validate returns it). */
static PyObject *jxpy_fetch_exception(void)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (tb != NULL && v != NULL)
        PyException_SetTraceback(v, tb);
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v ? v : Py_NewRef(Py_None);
}

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
 * variant, remember it for re_evaluate (set_last), and run it (run). */
static PyObject *jxpy_core(jxpy_state *st, jxpy_Source *s, PyObject *local_dict,
                           PyObject *global_dict, int extra_depth, PyObject *out,
                           int order, NPY_CASTING casting, unsigned flags,
                           int run, int set_last)
{
    int n = (int)PyTuple_GET_SIZE(s->names);
    jxpy_slot stack_slots[JXPY_STACK_ARGS] = {{0}};
    PyArrayObject *stack_arrs[JXPY_STACK_ARGS];
    jxpy_slot *slots = stack_slots;
    PyArrayObject **arrs = stack_arrs;
    PyObject *ret = NULL;
    jxpy_NumExpr *nx = NULL;
    int got = 0;

    if (n > JXPY_STACK_ARGS) {
        slots = PyMem_Malloc(sizeof(jxpy_slot) * (size_t)n);
        arrs = PyMem_Malloc(sizeof(PyArrayObject *) * (size_t)n);
        if (slots == NULL || arrs == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    if (n > 0) {
        jxpy_scope sc;
        if (jxpy_scope_init(&sc, local_dict, global_dict, extra_depth) < 0)
            goto done;
        for (; got < n; got++) {
            PyObject *name = PyTuple_GET_ITEM(s->names, got);
            PyObject *v = jxpy_lookup(&sc, name);
            if (v == NULL) {
                if (PyErr_ExceptionMatches(PyExc_KeyError)) {
                    PyObject *t, *val, *tb;
                    PyErr_Fetch(&t, &val, &tb);
                    if (jxpy_expression_error(s)) {
                        Py_XDECREF(t);
                        Py_XDECREF(val);
                        Py_XDECREF(tb);
                    } else {
                        PyErr_Restore(t, val, tb);
                    }
                }
                break;
            }
            int rc = jxpy_arg(v, name, 1, &slots[got], &arrs[got]);
            Py_DECREF(v);
            if (rc < 0)
                break;
        }
        jxpy_scope_fini(&sc);
        if (got < n)
            goto done;
    }
    nx = jxpy_variant(st, s, slots, flags);
    if (nx == NULL)
        goto done;
    if (set_last && jxpy_set_last(st, s, out, order, casting, flags) < 0)
        goto done;
    if (run)
        ret = jxpy_run(nx, arrs, slots, out, order, casting);
    else
        ret = Py_NewRef(Py_None);
done:
    Py_XDECREF(nx);
    for (int i = 0; i < got; i++)
        Py_XDECREF(arrs[i]);
    if (slots != stack_slots)
        PyMem_Free(slots);
    if (arrs != stack_arrs)
        PyMem_Free(arrs);
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

    if (jxpy_parse_args(fname, args, nargs, kwnames, kws,
                        (int)(sizeof kws / sizeof kws[0]), 6, 1, 1) < 0)
        return NULL;
    if (jxpy_parse_order(order_o, &order) < 0 ||
        jxpy_parse_casting(casting_o, &casting, NPY_SAME_KIND_CASTING) < 0 ||
        jxpy_check_context(optimization, truediv) < 0)
        return NULL;
    if (disable_cache) {
        int t = PyObject_IsTrue(disable_cache);
        if (t < 0)
            return NULL;
        if (t)
            flags |= JXPY_NO_CACHE;
    }
    if (depth_o && depth_o != Py_None) {
        long d = PyLong_AsLong(depth_o);
        if (d == -1 && PyErr_Occurred())
            return NULL;
        /* numexpr counts from its own frames: evaluate 3, validate 2. */
        extra_depth = (int)(d - (run ? 3 : 2));
        if (extra_depth < 0)
            extra_depth = 0;
    }
    jxpy_Source *s = jxpy_get_source(st, ex, !(flags & JXPY_NO_CACHE));
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
    return r ? r : jxpy_fetch_exception();
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
    if (jxpy_parse_args("re_evaluate", args, nargs, kwnames, kws, 3, 2, 0, 0) < 0)
        return NULL;
    int extra_depth = 0;
    if (depth_o && depth_o != Py_None) {
        long d = PyLong_AsLong(depth_o);
        if (d == -1 && PyErr_Occurred())
            return NULL;
        extra_depth = d > 2 ? (int)(d - 2) : 0;
    }
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
    if (jxpy_parse_args("_compile", args, nargs, kwnames, kws, 4, 4, 3, 0) < 0)
        return NULL;
    if (!PyUnicode_Check(ex) || !PyTuple_Check(names) || !PyTuple_Check(dtypes) ||
        PyTuple_GET_SIZE(names) != PyTuple_GET_SIZE(dtypes)) {
        PyErr_SetString(PyExc_TypeError, "_compile(str, tuple, tuple of the same length)");
        return NULL;
    }
    unsigned flags = 0;
    if (disable) {
        int t = PyObject_IsTrue(disable);
        if (t < 0)
            return NULL;
        flags = t ? JXPY_NO_CACHE : 0;
    }
    Py_ssize_t len;
    const char *src = PyUnicode_AsUTF8AndSize(ex, &len);
    if (src == NULL)
        return NULL;
    if (memchr(src, '\0', (size_t)len) != NULL) {
        PyErr_SetString(PyExc_ValueError, "the expression contains a null character");
        return NULL;
    }
    int n = (int)PyTuple_GET_SIZE(names);
    jx_var *vars = PyMem_Malloc(sizeof(jx_var) * (size_t)(n ? n : 1));
    int *argvar = PyMem_Malloc(sizeof(int) * (size_t)(n ? n : 1));
    jxpy_slot *key = PyMem_Malloc(sizeof(jxpy_slot) * (size_t)(n ? n : 1));
    PyObject *ret = NULL;
    if (vars == NULL || argvar == NULL || key == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (int i = 0; i < n; i++) {
        PyObject *nm = PyTuple_GET_ITEM(names, i);
        PyArray_Descr *d = NULL;
        if (!PyUnicode_Check(nm)) {
            PyErr_SetString(PyExc_TypeError, "names must be str");
            goto done;
        }
        if (!PyArray_DescrConverter(PyTuple_GET_ITEM(dtypes, i), &d))
            goto done;
        jx_dtype t = jxpy_dtype_of(d, nm);
        Py_DECREF(d);
        if (t == JX_DTYPE_INVALID)
            goto done;
        vars[i].name = PyUnicode_AsUTF8(nm);
        if (vars[i].name == NULL)
            goto done;
        vars[i].dtype = t;
        argvar[i] = i;
        key[i].code = (int)t;
        key[i].v.i = 0;
    }
    jx_error err;
    jx_expr *e;
    Py_BEGIN_ALLOW_THREADS
    e = jx_compile(src, vars, n, (flags & JXPY_NO_CACHE) ? JX_FLAG_NO_CACHE : 0, &err);
    Py_END_ALLOW_THREADS
    if (e == NULL) {
        jxpy_raise(&err, src, len);
        goto done;
    }
    ret = (PyObject *)jxpy_numexpr_new(st, e, ex, names, n, argvar, key, flags);
done:
    PyMem_Free(vars);
    PyMem_Free(argvar);
    PyMem_Free(key);
    return ret;
}

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
    if (jxpy_parse_order(order_o, &order) < 0 ||
        jxpy_parse_casting(casting_o, &casting, NPY_SAFE_CASTING) < 0)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n != nx->nargs) {
        PyErr_Format(PyExc_ValueError,
                     "number of inputs doesn't match program: %d expected (%R), %zd given",
                     nx->nargs, nx->input_names, n);
        return NULL;
    }
    PyArrayObject *stack_arrs[JXPY_STACK_ARGS];
    PyArrayObject **arrs = stack_arrs;
    PyObject *ret = NULL;
    Py_ssize_t got = 0;
    if (n > JXPY_STACK_ARGS) {
        arrs = PyMem_Malloc(sizeof(PyArrayObject *) * (size_t)n);
        if (arrs == NULL)
            return PyErr_NoMemory();
    }
    for (; got < n; got++) {
        PyObject *name = PyTuple_GET_ITEM(nx->input_names, got);
        jxpy_slot sl;
        PyArrayObject *a;
        if (jxpy_arg(PyTuple_GET_ITEM(args, got), name, 0, &sl, &a) < 0)
            goto done;
        if (sl.code != nx->key[got].code) {
            PyArray_Descr *want = PyArray_DescrFromType(jxpy_npy_types[nx->key[got].code]);
            if (want == NULL) {
                Py_DECREF(a);
                goto done;
            }
            if (!PyArray_CanCastArrayTo(a, want, casting)) {
                PyErr_Format(PyExc_TypeError,
                             "Iterator operand %zd dtype could not be cast from %R "
                             "to %R according to the rule '%s'", got + 1,
                             (PyObject *)PyArray_DESCR(a), (PyObject *)want,
                             jxpy_casting_name(casting));
                Py_DECREF(want);
                Py_DECREF(a);
                goto done;
            }
            PyArrayObject *c = (PyArrayObject *)PyArray_CastToType(a, want, 0);
            Py_DECREF(a);
            if (c == NULL)
                goto done;
            a = c;
        }
        arrs[got] = a;
    }
    ret = jxpy_run(nx, arrs, NULL, out, order, casting);
done:
    for (Py_ssize_t i = 0; i < got; i++)
        Py_DECREF(arrs[i]);
    if (arrs != stack_arrs)
        PyMem_Free(arrs);
    return ret;
}

static PyObject *jxpy_numexpr_run(jxpy_NumExpr *nx, PyObject *args, PyObject *kwargs)
{
    return jxpy_numexpr_call(nx, args, kwargs);
}

static PyObject *jxpy_numexpr_get_signature(jxpy_NumExpr *nx, void *closure)
{
    /* NumPy's type characters ('?', 'b', ..., 'd'); for int32, int64,
     * float32 and float64 these are numexpr's codes too. */
    char buf[JX_MAX_VARS + 1];
    int n = nx->nargs < JX_MAX_VARS ? nx->nargs : JX_MAX_VARS;
    static const char chars[JX_DTYPE_COUNT] = "?bhilBHILefdFD";
    for (int i = 0; i < n; i++) {
        int c = nx->key[i].code;
        buf[i] = c >= 0 && c < JX_DTYPE_COUNT ? chars[c] : 'n';
    }
    return PyBytes_FromStringAndSize(buf, n);
}

static PyObject *jxpy_numexpr_get_dtypes(jxpy_NumExpr *nx, void *closure)
{
    PyObject *t = PyTuple_New(nx->nargs);
    for (int i = 0; t && i < nx->nargs; i++) {
        int c = nx->key[i].code;
        PyObject *d;
        if (c >= 0 && c < JX_DTYPE_COUNT)
            d = (PyObject *)PyArray_DescrFromType(jxpy_npy_types[c]);
        else if (c == JXPY_ANY_INT || c == JXPY_ANY_FLOAT)
            d = PyUnicode_FromFormat("python %s as %s", c == JXPY_ANY_INT ? "int" : "float",
                                     jx_dtype_name((jx_dtype)nx->key[i].v.i));
        else if (c == JXPY_SC_BOOL)
            d = PyUnicode_FromString("python bool");
        else if (c == JXPY_SC_INT)
            d = PyUnicode_FromString("python int");
        else
            d = PyUnicode_FromString("python float");
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
    return (PyObject *)PyArray_DescrFromType(nx->rtypenum);
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
    {"run", (PyCFunction)(void (*)(void))jxpy_numexpr_run, METH_VARARGS | METH_KEYWORDS,
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

static PyType_Spec jxpy_numexpr_spec = {
    .name = "jitexpr.NumExprObject",
    .basicsize = sizeof(jxpy_NumExpr),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = jxpy_numexpr_slots,
};

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

static PyType_Slot jxpy_source_slots[] = {
    {Py_tp_dealloc, jxpy_source_dealloc},
    {Py_tp_doc, (void *)PyDoc_STR("evaluate()'s cache entry for one expression")},
    {0, NULL},
};

static PyType_Spec jxpy_source_spec = {
    .name = "jitexpr._Source",
    .basicsize = sizeof(jxpy_Source),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = jxpy_source_slots,
};

/* ---- small module functions ------------------------------------------------- */

static PyObject *jxpy_names(PyObject *module, PyObject *ex)
{
    jxpy_state *st = jxpy_get_state(module);
    jxpy_Source *s = jxpy_get_source(st, ex, 0);
    if (s == NULL)
        return NULL;
    PyObject *r = Py_NewRef(s->names);
    Py_DECREF(s);
    return r;
}

static PyObject *jxpy_explain(PyObject *module, PyObject *const *args,
                              Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *ex = NULL, *names = NULL, *dtypes = NULL, *what_o = NULL;
    const jxpy_kw kws[] = {{"ex", &ex}, {"names", &names}, {"dtypes", &dtypes}, {"what", &what_o}};
    if (jxpy_parse_args("_explain", args, nargs, kwnames, kws, 4, 4, 4, 0) < 0)
        return NULL;
    if (!PyUnicode_Check(ex) || !PyTuple_Check(names) || !PyTuple_Check(dtypes) ||
        PyTuple_GET_SIZE(names) != PyTuple_GET_SIZE(dtypes)) {
        PyErr_SetString(PyExc_TypeError, "_explain(str, tuple, tuple, int)");
        return NULL;
    }
    unsigned long what = PyLong_AsUnsignedLong(what_o);
    if (what == (unsigned long)-1 && PyErr_Occurred())
        return NULL;
    Py_ssize_t len;
    const char *src = PyUnicode_AsUTF8AndSize(ex, &len);
    if (src == NULL)
        return NULL;
    int n = (int)PyTuple_GET_SIZE(names);
    jx_var *vars = PyMem_Malloc(sizeof(jx_var) * (size_t)(n ? n : 1));
    if (vars == NULL)
        return PyErr_NoMemory();
    PyObject *ret = NULL;
    for (int i = 0; i < n; i++) {
        PyArray_Descr *d = NULL;
        if (!PyArray_DescrConverter(PyTuple_GET_ITEM(dtypes, i), &d))
            goto done;
        jx_dtype t = jxpy_dtype_of(d, PyTuple_GET_ITEM(names, i));
        Py_DECREF(d);
        vars[i].name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(names, i));
        if (t == JX_DTYPE_INVALID || vars[i].name == NULL)
            goto done;
        vars[i].dtype = t;
    }
    jx_error err;
    char *text;
    Py_BEGIN_ALLOW_THREADS
    text = jx_explain(src, vars, n, (unsigned)what, &err);
    Py_END_ALLOW_THREADS
    if (text == NULL) {
        jxpy_raise(&err, src, len);
        goto done;
    }
    ret = PyUnicode_FromString(text);
    jx_free(text);
done:
    PyMem_Free(vars);
    return ret;
}

static PyObject *jxpy_set_num_threads(PyObject *module, PyObject *arg)
{
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (n < 1 || n > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "the number of threads must be at least 1 (got %ld)", n);
        return NULL;
    }
    int prev = jx_set_num_threads((int)n);
    if (prev < 0) {
        PyErr_Format(PyExc_ValueError, "cannot use %ld threads", n);
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

static PyObject *jxpy_cache_info(PyObject *module, PyObject *unused)
{
    jxpy_state *st = jxpy_get_state(module);
    jx_stats s;
    jx_get_stats(&s);
    Py_ssize_t variants = 0, pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(st->sources, &pos, &k, &v))
        variants += ((jxpy_Source *)v)->nvariants;
    return Py_BuildValue("{sKsKsKsnsn}", "kernels_compiled",
                         (unsigned long long)s.kernels_compiled, "cache_hits",
                         (unsigned long long)s.cache_hits, "cache_entries",
                         (unsigned long long)s.cache_entries, "expressions",
                         PyDict_GET_SIZE(st->sources), "variants", variants);
}

static PyObject *jxpy_clear_cache(PyObject *module, PyObject *unused)
{
    jxpy_state *st = jxpy_get_state(module);
    PyDict_Clear(st->sources);
    Py_RETURN_NONE;
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
     PyDoc_STR("_explain(ex, names, dtypes, what): jx_explain's text")},
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
    {"cache_info", jxpy_cache_info, METH_NOARGS,
     PyDoc_STR("cache_info(): kernel cache statistics and evaluate()'s cache sizes")},
    {"clear_cache", jxpy_clear_cache, METH_NOARGS,
     PyDoc_STR("clear_cache(): forget evaluate()'s compiled expressions")},
    {NULL, NULL, 0, NULL},
};

/* ---- module --------------------------------------------------------------------- */

static int jxpy_exec(PyObject *m)
{
    jxpy_state *st = jxpy_get_state(m);
    if (_import_array() < 0)
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
