/*
 * errors.c - jitexpr's Python exceptions: the classes the module adds
 * (UnsupportedTypeError, ...), the one place where a jx_error becomes a
 * Python exception, with a caret under the offending text, and the
 * exception validate() returns.
 */
#include "jxpy.h"

/* Reductions that the C library does not have: asking for one raises
 * NotImplementedError rather than TypeError. */
static const char *const jxpy_reductions[] = {
    "std", "var", "argmin", "argmax", "cumsum", "cumprod", NULL,
};

static int jxpy_in_list(const char *const *list, const char *s, size_t n)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, s, n) == 0)
            return 1;
    return 0;
}

/* Columns (code points) in the first `bytes` bytes of UTF-8 text: what
 * Python counts in a SyntaxError's offset, and one caret column each.  A
 * wide (East Asian) character takes two columns in a terminal and a
 * combining mark none; neither is allowed for: the caret is right in code
 * points, which is what Python's own carets count too. */
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
    *col_out = col;
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
 * err is a byte span of the expression ex.
 *   syntax          SyntaxError (offset/end_offset 1-based, as Python's)
 *   unsupported     UnsupportedSyntaxError(SyntaxError, TypeError): valid
 *                   Python the language lacks (numexpr: TypeError)
 *   attribute       UnsupportedAttributeError(AttributeError, TypeError)
 *                   (numexpr: AttributeError; a SyntaxError cannot also be
 *                   an AttributeError, their instance layouts conflict)
 *   name            KeyError(name), as numexpr
 *   function        NotImplementedError for numexpr functions and
 *                   reductions jitexpr lacks yet, TypeError otherwise
 *   arity           TypeError
 *   type            UnsupportedTypeError(TypeError, NotImplementedError)
 *                   (numexpr: NotImplementedError)
 *   overflow        IntegerOverflowError(OverflowError, TypeError): a
 *                   Python integer out of bounds of the dtype it joins
 *                   (NumPy 2), a literal's or a weak variable's
 *   value           ValueError (an integer to a negative power)
 *   limit, shape, bad argument   ValueError
 *   out of memory   MemoryError
 *   JIT, internal   RuntimeError */
void jxpy_err_raise(jxpy_state *st, const jx_error *err, PyObject *ex)
{
    Py_ssize_t len = 0;
    const char *src = PyUnicode_AsUTF8AndSize(ex, &len);
    if (src == NULL)
        PyErr_Clear();
    const char *span = (src && err->offset >= 0 && err->offset <= len)
                           ? src + err->offset : NULL;
    int64_t spanlen = span ? err->length : 0;
    if (span && spanlen > len - err->offset)
        spanlen = len - err->offset;

    if (err->code == JX_ERR_NAME && span && spanlen > 0) {
        /* the name as the library knows it: in NFKC form */
        char *norm = jx_name_normalize(span, (size_t)spanlen);
        if (norm == NULL) {
            PyErr_NoMemory();
            return;
        }
        PyObject *name = PyUnicode_DecodeUTF8(norm, (Py_ssize_t)strlen(norm), "replace");
        jx_free(norm);
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
    case JX_ERR_SYNTAX:
    case JX_ERR_UNSUPPORTED: {
        PyObject *args = Py_BuildValue("(O(sinOin))", msg, "<expr>", 1,
                                       (Py_ssize_t)(err->offset >= 0 ? col + 1 : 0),
                                       Py_None, 1,
                                       (Py_ssize_t)(err->offset >= 0 ? end + 1 : 0));
        Py_DECREF(msg);
        if (args) {
            PyErr_SetObject(err->code == JX_ERR_SYNTAX ? PyExc_SyntaxError
                                                       : st->UnsupportedSyntaxError,
                            args);
            Py_DECREF(args);
        }
        return;
    }
    case JX_ERR_ATTRIBUTE:
        type = st->UnsupportedAttributeError;
        break;
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
                what = "(): this reduction is not supported by jitexpr yet (compute "
                       "the element-wise part with jitexpr and reduce with NumPy)";
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
        type = PyExc_TypeError;
        break;
    case JX_ERR_TYPE:
        type = st->UnsupportedTypeError;
        break;
    case JX_ERR_OVERFLOW:
        type = st->IntegerOverflowError;
        break;
    case JX_ERR_VALUE:
        type = PyExc_ValueError;
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

/* One exception class: jitexpr.<name>(base1, base2), kept in *slot and
 * added to module m. */
static int jxpy_add_exception(PyObject *m, PyObject **slot, const char *name,
                              const char *doc, PyObject *base1, PyObject *base2)
{
    char qual[64];
    snprintf(qual, sizeof qual, "jitexpr.%s", name);
    PyObject *bases = PyTuple_Pack(2, base1, base2);
    if (bases == NULL)
        return -1;
    *slot = PyErr_NewExceptionWithDoc(qual, doc, bases, NULL);
    Py_DECREF(bases);
    if (*slot == NULL)
        return -1;
    return PyModule_AddObjectRef(m, name, *slot);
}

/* The exception classes of jxpy_err_raise (docs/python.md, Errors). */
int jxpy_err_add_classes(PyObject *m, jxpy_state *st)
{
    if (jxpy_add_exception(m, &st->UnsupportedTypeError, "UnsupportedTypeError",
                           "An operator or function does not take these dtypes "
                           "(numexpr raises NotImplementedError).",
                           PyExc_TypeError, PyExc_NotImplementedError) < 0 ||
        jxpy_add_exception(m, &st->UnsupportedSyntaxError, "UnsupportedSyntaxError",
                           "Valid Python syntax that jitexpr's expression language "
                           "does not have (numexpr raises TypeError).",
                           PyExc_SyntaxError, PyExc_TypeError) < 0 ||
        jxpy_add_exception(m, &st->UnsupportedAttributeError,
                           "UnsupportedAttributeError",
                           "An attribute other than .real and .imag (numexpr "
                           "raises AttributeError).",
                           PyExc_AttributeError, PyExc_TypeError) < 0 ||
        jxpy_add_exception(m, &st->IntegerOverflowError, "IntegerOverflowError",
                           "A Python int out of bounds of the dtype it joins "
                           "(pandas falls back to NumPy on TypeError).",
                           PyExc_OverflowError, PyExc_TypeError) < 0)
        return -1;
    return 0;
}

/* The exception being raised, as an object (validate returns it). */
PyObject *jxpy_err_fetch(void)
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
