/*
 * convert.c - values and dtypes to what the library takes: NumPy dtypes
 * to jx_dtype and argument codes and back, a dtype a user names, the text
 * of an expression, an argument's value to an array or a weak scalar.
 */
#include "jxpy.h"

#include <numpy/arrayscalars.h>

/* ---- dtypes ---------------------------------------------------------------- */

static const int jxpy_npy_types[JX_DTYPE_COUNT] = {
    [JX_BOOL] = NPY_BOOL,       [JX_INT8] = NPY_INT8,
    [JX_INT16] = NPY_INT16,     [JX_INT32] = NPY_INT32,
    [JX_INT64] = NPY_INT64,     [JX_UINT8] = NPY_UINT8,
    [JX_UINT16] = NPY_UINT16,   [JX_UINT32] = NPY_UINT32,
    [JX_UINT64] = NPY_UINT64,   [JX_FLOAT16] = NPY_HALF,
    [JX_FLOAT32] = NPY_FLOAT32, [JX_FLOAT64] = NPY_FLOAT64,
    [JX_COMPLEX64] = NPY_COMPLEX64, [JX_COMPLEX128] = NPY_COMPLEX128,
    [JX_BYTES] = NPY_STRING,
};

/* The jx_dtype of a NumPy dtype (byte order aside), or JX_DTYPE_INVALID
 * with a TypeError set.  what names the value in the message. */
jx_dtype jxpy_conv_dtype_of(PyArray_Descr *d, PyObject *what)
{
    npy_intp size = d->elsize; /* an int in NumPy 1.x, an npy_intp in 2.x */
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
    case 'S':
        if (size > 0 && size <= INT32_MAX) /* the library's bound (jx_var) */
            return JX_BYTES;
        break;
    case 'U':
        /* numexpr: "NumExpr 2 does not support Unicode as a dtype." */
        if (what)
            PyErr_Format(PyExc_TypeError,
                         "'%U' is a str array (%R): jitexpr supports byte "
                         "strings (dtype 'S', b'...'), not str; encode it, "
                         "e.g. with .astype('S')", what, (PyObject *)d);
        else
            PyErr_Format(PyExc_TypeError,
                         "%R: jitexpr supports byte strings (dtype 'S'), not "
                         "str (dtype 'U')", (PyObject *)d);
        return JX_DTYPE_INVALID;
    case 'c':
        switch (size) {
        case 8: return JX_COMPLEX64;
        case 16: return JX_COMPLEX128;
        }
        break;
    }
    if (what)
        PyErr_Format(PyExc_TypeError,
                     "'%U' has dtype %R, which jitexpr does not support "
                     "(bool, int8..int64, uint8..uint64, float16, float32, "
                     "float64, complex64, complex128, byte strings)", what, (PyObject *)d);
    else
        PyErr_Format(PyExc_TypeError,
                     "dtype %R is not supported by jitexpr (bool, int8..int64, "
                     "uint8..uint64, float16, float32, float64, complex64, "
                     "complex128, byte strings)", (PyObject *)d);
    return JX_DTYPE_INVALID;
}

/* The code of an argument of dtype d that jxpy_conv_dtype_of maps to t. */
jxpy_code jxpy_conv_code_of(jx_dtype t, PyArray_Descr *d)
{
    return t == JX_BYTES ? (jxpy_code)t | (jxpy_code)d->elsize << 8 : (jxpy_code)t;
}

/* The NumPy dtype of an argument code (new reference), or NULL. */
PyArray_Descr *jxpy_conv_descr_of(jxpy_code code)
{
    if (JXPY_DTYPE(code) != JX_BYTES)
        return PyArray_DescrFromType(jxpy_npy_types[JXPY_DTYPE(code)]);
    PyArray_Descr *d = PyArray_DescrNewFromType(NPY_STRING);
    if (d != NULL)
        d->elsize = (int)JXPY_ITEMSIZE(code);
    return d;
}

/* np.dtype(spec) for a dtype the user gives by name ("S8", "float32",
 * a dtype, a type), as PyArray_DescrConverter, except that a number in a
 * str or bytes spec must be at most INT32_MAX: NumPy 1.x keeps an itemsize
 * in a C int and reads the digits modulo 2**32, so "S99999999999" would be
 * 'S1215752191' and "i4294967300" int32, silently.  The number is refused
 * here, with what NumPy would have made of it.  Returns 1, or 0 with an
 * exception (the O& converter convention). */
int jxpy_conv_descr_converter(PyObject *spec, PyArray_Descr **d)
{
    const char *text = NULL;
    if (PyUnicode_Check(spec))
        text = PyUnicode_AsUTF8(spec);
    else if (PyBytes_Check(spec))
        text = PyBytes_AS_STRING(spec);
    if (PyUnicode_Check(spec) && text == NULL)
        return 0;
    for (const char *p = text; p != NULL && *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            continue;
        const char *start = p;
        uint64_t v = 0; /* stops growing past INT32_MAX: no overflow */
        for (; *p >= '0' && *p <= '9'; p++)
            if (v <= INT32_MAX)
                v = v * 10 + (uint64_t)(*p - '0');
        if (v > INT32_MAX) {
            PyObject *digits = PyUnicode_FromStringAndSize(start, p - start);
            if (digits != NULL)
                PyErr_Format(PyExc_ValueError,
                             "dtype %R: the size %U is out of range (at most %d; "
                             "NumPy 1.x would read it modulo 2**32)", spec, digits,
                             INT32_MAX);
            Py_XDECREF(digits);
            return 0;
        }
        p--;
    }
    return PyArray_DescrConverter(spec, d);
}

/* ---- arguments: values to arrays or weak scalars ---------------------------- */

/* Converts the value of argument `name`.  An array (anything np.asarray
 * accepts; NumPy scalars and 0-d arrays are arrays): v->arr gets a new
 * reference in native byte order, *code its jx_dtype.  With `weak`, a
 * Python bool, int, float or complex is kept in v->v (v->arr NULL): a bool
 * a weak bool, an int a weak int64, a float a weak float64, a complex a weak
 * complex128; an int beyond int64 is st->IntegerOverflowError.  Returns
 * 0, or -1 with an exception. */
int jxpy_conv_value(jxpy_state *st, PyObject *obj, PyObject *name, int weak,
                    jxpy_value *v, jxpy_code *code)
{
    PyArrayObject *a;
    v->arr = NULL;
    if (PyArray_Check(obj)) {
        a = (PyArrayObject *)Py_NewRef(obj);
    } else if (PyArray_IsScalar(obj, Generic)) {
        a = (PyArrayObject *)PyArray_FromScalar(obj, NULL);
        if (a == NULL)
            return -1;
    } else if (weak && PyBool_Check(obj)) {
        v->v.b = obj == Py_True;
        *code = JX_BOOL | JXPY_WEAK;
        return 0;
    } else if (weak && PyLong_Check(obj)) {
        /* Beyond int64 NumPy 2 would try uint64 or object; jitexpr does
         * not, as for an integer literal (docs/python.md). */
        int overflow = 0;
        long long i = PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (i == -1 && PyErr_Occurred())
            return -1;
        if (overflow) {
            PyErr_Format(st->IntegerOverflowError,
                         "Python integer %R ('%U') does not fit in int64: pass "
                         "a NumPy scalar or array with an explicit dtype",
                         obj, name);
            return -1;
        }
        v->v.i = (int64_t)i;
        *code = JX_INT64 | JXPY_WEAK;
        return 0;
    } else if (weak && PyFloat_Check(obj)) {
        v->v.d = PyFloat_AS_DOUBLE(obj);
        *code = JX_FLOAT64 | JXPY_WEAK;
        return 0;
    } else if (weak && PyComplex_Check(obj)) {
        Py_complex z = PyComplex_AsCComplex(obj);
        if (z.real == -1.0 && PyErr_Occurred())
            return -1;
        v->v.c[0] = z.real;
        v->v.c[1] = z.imag;
        *code = JX_COMPLEX128 | JXPY_WEAK;
        return 0;
    } else {
        a = (PyArrayObject *)PyArray_FROM_O(obj);
        if (a == NULL)
            return -1;
    }
    jx_dtype t = jxpy_conv_dtype_of(PyArray_DESCR(a), name);
    if (t == JX_DTYPE_INVALID) {
        Py_DECREF(a);
        return -1;
    }
    *code = jxpy_conv_code_of(t, PyArray_DESCR(a));
    if (!PyArray_ISNBO(PyArray_DESCR(a)->byteorder)) {
        PyArray_Descr *nd = PyArray_DescrNewByteorder(PyArray_DESCR(a), NPY_NATIVE);
        PyArrayObject *c = nd ? (PyArrayObject *)PyArray_CastToType(a, nd, 0) : NULL;
        Py_DECREF(a);
        if (c == NULL)
            return -1;
        a = c;
    }
    v->arr = a;
    return 0;
}

/* ---- the expression's text ----------------------------------------------- */

/* The UTF-8 text of expression ex for the library: a C string within its
 * length limit.  NULL with an exception otherwise. */
const char *jxpy_conv_utf8(PyObject *ex, Py_ssize_t *len)
{
    if (!PyUnicode_Check(ex)) {
        PyErr_SetString(PyExc_ValueError, "must specify expression as a string");
        return NULL;
    }
    const char *src = PyUnicode_AsUTF8AndSize(ex, len);
    if (src == NULL)
        return NULL;
    if (memchr(src, '\0', (size_t)*len) != NULL) {
        PyErr_SetString(PyExc_ValueError, "the expression contains a null character");
        return NULL;
    }
    if (*len > JX_MAX_SOURCE) {
        PyErr_Format(PyExc_ValueError, "the expression is %zd bytes long: the limit is %d",
                     *len, JX_MAX_SOURCE);
        return NULL;
    }
    return src;
}
