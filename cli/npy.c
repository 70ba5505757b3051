/* npy.c - NumPy .npy files: the header parser, loading and saving. */
#include "npy.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The magic string every .npy file starts with. */
static const char magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/* What the header dict says, once parsed and checked. */
typedef struct npy_header {
    jx_dtype dtype;               /* element type */
    size_t itemsize;              /* bytes per element ('S<n>': n) */
    char descr[32];               /* little-endian descr, for messages */
    int swap;                     /* data is in the other byte order */
    int fortran;                  /* 'fortran_order': True */
    int ndim;                     /* len(shape) */
    int64_t shape[JX_MAX_DIMS];   /* 'shape' */
} npy_header;

/* A cursor over the header text, for the small dict parser. */
typedef struct cursor {
    const char *p;   /* next character */
    const char *end; /* one past the last */
    char *msg;       /* where errors go */
    size_t msgsize;  /* its size */
    const char *path; /* file name, for messages */
} cursor;

/* Per-dtype facts: the little-endian descr and the element size.
 * JX_BYTES has neither: its itemsize is per file ('S<n>'). */
static const struct {
    const char *descr;
    size_t size;
} dtypes[JX_DTYPE_COUNT] = {
    [JX_BOOL] = {"|b1", 1},     [JX_INT8] = {"|i1", 1},
    [JX_INT16] = {"<i2", 2},    [JX_INT32] = {"<i4", 4},
    [JX_INT64] = {"<i8", 8},    [JX_UINT8] = {"|u1", 1},
    [JX_UINT16] = {"<u2", 2},   [JX_UINT32] = {"<u4", 4},
    [JX_UINT64] = {"<u8", 8},   [JX_FLOAT16] = {"<f2", 2},
    [JX_FLOAT32] = {"<f4", 4},  [JX_FLOAT64] = {"<f8", 8},
    [JX_COMPLEX64] = {"<c8", 8}, [JX_COMPLEX128] = {"<c16", 16},
};

int jx_npy_bytes_size(const char *digits, size_t *n)
{
    size_t len = strspn(digits, "0123456789");
    if (len == 0 || digits[len] != '\0')
        return JX_NPY_EFORMAT;
    errno = 0;
    unsigned long long v = strtoull(digits, NULL, 10);
    *n = errno != 0 || v > SIZE_MAX ? SIZE_MAX : (size_t)v;
    return *n == 0 || *n > INT32_MAX ? JX_NPY_EUNSUPPORTED : JX_NPY_OK;
}

const char *jx_npy_descr(jx_dtype t)
{
    if ((int)t < 0 || t >= JX_DTYPE_COUNT)
        return NULL;
    return dtypes[t].descr;
}

size_t jx_npy_itemsize(jx_dtype t)
{
    if ((int)t < 0 || t >= JX_DTYPE_COUNT)
        return 0;
    return dtypes[t].size;
}

/* Formats the message and returns code: the one place errors are set. */
static int fail(char *msg, size_t msgsize, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *msg, size_t msgsize, int code, const char *fmt, ...)
{
    if (msg != NULL && msgsize > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msgsize, fmt, ap);
        va_end(ap);
    }
    return code;
}

static int host_is_little(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

/* Reverses the bytes of each of the count words of size w at p. */
static void swap_words(unsigned char *p, size_t count, size_t w)
{
    for (size_t i = 0; i < count; i++, p += w)
        for (size_t a = 0, b = w - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

/* Swaps count elements of dtype t in place (complex: each half). */
static void swap_elements(void *data, size_t count, jx_dtype t)
{
    size_t w = dtypes[t].size;
    if (t == JX_COMPLEX64 || t == JX_COMPLEX128) {
        w /= 2;
        count *= 2;
    }
    if (w > 1)
        swap_words(data, count, w);
}

/* ---- The header dict parser ---------------------------------------- */

static void skip_space(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' ||
                             *c->p == '\r'))
        c->p++;
}

/* Consumes ch (after blanks) if it is next. */
static int accept(cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

static int bad_header(cursor *c, const char *what)
{
    return fail(c->msg, c->msgsize, JX_NPY_EFORMAT,
                "%s: malformed .npy header: %s", c->path, what);
}

/* A quoted Python string without escapes: 'abc' or "abc".  Copies it into
 * buf (truncated to bufsize - 1, which the callers treat as unknown). */
static int parse_string(cursor *c, char *buf, size_t bufsize)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return bad_header(c, "expected a quoted string");
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\')
            return bad_header(c, "escapes in strings are not supported");
        if (n + 1 < bufsize)
            buf[n++] = *c->p;
        c->p++;
    }
    if (c->p >= c->end)
        return bad_header(c, "unterminated string");
    c->p++;
    buf[n] = '\0';
    return JX_NPY_OK;
}

/* Parses a word made of letters (True, False, None, ...). */
static size_t parse_word(cursor *c, char *buf, size_t bufsize)
{
    skip_space(c);
    size_t n = 0;
    while (c->p < c->end && ((*c->p >= 'a' && *c->p <= 'z') ||
                             (*c->p >= 'A' && *c->p <= 'Z') || *c->p == '_')) {
        if (n + 1 < bufsize)
            buf[n++] = *c->p;
        c->p++;
    }
    buf[n] = '\0';
    return n;
}

/* Maps a descr string ('<f8', '>i4', '|b1', '|S5') to a dtype, its size
 * and byte order. */
static int parse_descr(cursor *c, const char *s, npy_header *h)
{
    const char *d = s;
    char order = '=';
    if (*d == '<' || *d == '>' || *d == '|' || *d == '=')
        order = *d++;
    char kind = *d;
    if (kind == '\0')
        return fail(c->msg, c->msgsize, JX_NPY_EFORMAT,
                    "%s: malformed .npy header: empty 'descr'", c->path);
    /* The size: decimal digits only (strtol alone would take " 8", "+8"
     * and "-8"); LONG_MAX when there are too many. */
    const char *digits = d + 1;
    char *endp = (char *)digits;
    long size = 0;
    if (isdigit((unsigned char)*digits))
        size = strtol(digits, &endp, 10);
    int sized = endp != digits && *endp == '\0';
    switch (kind) {
    case 'O':
        return fail(c->msg, c->msgsize, JX_NPY_EUNSUPPORTED,
                    "%s: object arrays ('%s') are not supported", c->path, s);
    case 'U':
        return fail(c->msg, c->msgsize, JX_NPY_EUNSUPPORTED,
                    "%s: unicode string arrays ('%s') are not supported, "
                    "byte strings ('|S<n>') are: save arr.astype('S')",
                    c->path, s);
    case 'S':
    case 'a': { /* NumPy's old name for 'S' */
        size_t n;
        int rc = jx_npy_bytes_size(digits, &n);
        if (rc == JX_NPY_EFORMAT)
            return fail(c->msg, c->msgsize, JX_NPY_EFORMAT,
                        "%s: malformed .npy header: byte string descr '%s' "
                        "has no size (expected S<n>, as in '|S8')", c->path,
                        s);
        if (rc != JX_NPY_OK)
            return fail(c->msg, c->msgsize, JX_NPY_EUNSUPPORTED,
                        "%s: byte strings of %zu bytes ('%s') are not "
                        "supported (1 to %d bytes are)", c->path, n, s,
                        INT32_MAX);
        h->dtype = JX_BYTES;
        h->itemsize = n;
        h->swap = 0; /* bytes have no byte order */
        snprintf(h->descr, sizeof h->descr, "|S%zu", n);
        return JX_NPY_OK;
    }
    case 'V':
        return fail(c->msg, c->msgsize, JX_NPY_EUNSUPPORTED,
                    "%s: void and structured dtypes ('%s') are not supported",
                    c->path, s);
    case 'M':
    case 'm':
        return fail(c->msg, c->msgsize, JX_NPY_EUNSUPPORTED,
                    "%s: datetime and timedelta arrays ('%s') are not "
                    "supported", c->path, s);
    }
    jx_dtype t = JX_DTYPE_INVALID;
    if (sized) {
        switch (kind) {
        case 'b':
            t = size == 1 ? JX_BOOL : JX_DTYPE_INVALID;
            break;
        case 'i':
            t = size == 1   ? JX_INT8
                : size == 2 ? JX_INT16
                : size == 4 ? JX_INT32
                : size == 8 ? JX_INT64
                            : JX_DTYPE_INVALID;
            break;
        case 'u':
            t = size == 1   ? JX_UINT8
                : size == 2 ? JX_UINT16
                : size == 4 ? JX_UINT32
                : size == 8 ? JX_UINT64
                            : JX_DTYPE_INVALID;
            break;
        case 'f':
            t = size == 2   ? JX_FLOAT16
                : size == 4 ? JX_FLOAT32
                : size == 8 ? JX_FLOAT64
                            : JX_DTYPE_INVALID;
            break;
        case 'c':
            t = size == 8    ? JX_COMPLEX64
                : size == 16 ? JX_COMPLEX128
                             : JX_DTYPE_INVALID;
            break;
        }
    }
    if (t == JX_DTYPE_INVALID)
        return fail(c->msg, c->msgsize, JX_NPY_EUNSUPPORTED,
                    "%s: unsupported dtype '%s' (supported: bool, int8-64, "
                    "uint8-64, float16/32/64, complex64/128, bytes S<n>)",
                    c->path, s);
    h->dtype = t;
    h->itemsize = dtypes[t].size;
    snprintf(h->descr, sizeof h->descr, "%s", dtypes[t].descr);
    int little = host_is_little();
    h->swap = (order == '<' && !little) || (order == '>' && little);
    return JX_NPY_OK;
}

/* A non-negative Python int (an 'L' suffix, from Python 2, is allowed). */
static int parse_dim(cursor *c, int64_t *out)
{
    skip_space(c);
    if (c->p < c->end && *c->p == '-')
        return bad_header(c, "negative dimension in 'shape'");
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return bad_header(c, "'shape' must be a tuple of integers");
    uint64_t v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        v = v * 10 + (uint64_t)(*c->p - '0');
        if (v > (uint64_t)INT64_MAX)
            return bad_header(c, "dimension too large in 'shape'");
        c->p++;
    }
    if (c->p < c->end && (*c->p == 'L' || *c->p == 'l'))
        c->p++;
    *out = (int64_t)v;
    return JX_NPY_OK;
}

/* '(' [dim (',' dim)* [',']] ')', where one dim needs the comma, as in
 * Python: (3) is an int, not a tuple. */
static int parse_shape(cursor *c, npy_header *h)
{
    if (!accept(c, '('))
        return bad_header(c, "'shape' must be a tuple");
    h->ndim = 0;
    if (accept(c, ')'))
        return JX_NPY_OK;
    int commas = 0;
    for (;;) {
        if (h->ndim >= JX_MAX_DIMS)
            return fail(c->msg, c->msgsize, JX_NPY_EUNSUPPORTED,
                        "%s: too many dimensions (jitexpr's limit is %d)",
                        c->path, JX_MAX_DIMS);
        int rc = parse_dim(c, &h->shape[h->ndim]);
        if (rc != JX_NPY_OK)
            return rc;
        h->ndim++;
        if (accept(c, ',')) {
            commas++;
            if (accept(c, ')'))
                break;
            continue;
        }
        if (accept(c, ')'))
            break;
        return bad_header(c, "expected ',' or ')' in 'shape'");
    }
    if (h->ndim == 1 && commas == 0)
        return bad_header(c, "'shape' must be a tuple, not an int");
    return JX_NPY_OK;
}

/* The whole header: a dict with exactly the keys descr, fortran_order,
 * shape, in any order, then only blanks. */
static int parse_header(cursor *c, npy_header *h)
{
    int seen_descr = 0, seen_order = 0, seen_shape = 0;
    if (!accept(c, '{'))
        return bad_header(c, "expected a dict");
    while (!accept(c, '}')) {
        char key[32];
        int rc = parse_string(c, key, sizeof key);
        if (rc != JX_NPY_OK)
            return rc;
        if (!accept(c, ':'))
            return bad_header(c, "expected ':' after a key");
        if (strcmp(key, "descr") == 0) {
            if (seen_descr++)
                return bad_header(c, "duplicate key 'descr'");
            skip_space(c);
            if (c->p < c->end && *c->p == '[')
                return fail(c->msg, c->msgsize, JX_NPY_EUNSUPPORTED,
                            "%s: structured dtypes are not supported",
                            c->path);
            char descr[32];
            rc = parse_string(c, descr, sizeof descr);
            if (rc != JX_NPY_OK)
                return rc;
            rc = parse_descr(c, descr, h);
            if (rc != JX_NPY_OK)
                return rc;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (seen_order++)
                return bad_header(c, "duplicate key 'fortran_order'");
            char word[8];
            parse_word(c, word, sizeof word);
            if (strcmp(word, "True") == 0)
                h->fortran = 1;
            else if (strcmp(word, "False") == 0)
                h->fortran = 0;
            else
                return bad_header(c, "'fortran_order' must be True or False");
        } else if (strcmp(key, "shape") == 0) {
            if (seen_shape++)
                return bad_header(c, "duplicate key 'shape'");
            rc = parse_shape(c, h);
            if (rc != JX_NPY_OK)
                return rc;
        } else {
            return fail(c->msg, c->msgsize, JX_NPY_EFORMAT,
                        "%s: malformed .npy header: unexpected key '%s'",
                        c->path, key);
        }
        if (!accept(c, ',')) {
            if (accept(c, '}'))
                break;
            return bad_header(c, "expected ',' or '}' in the dict");
        }
    }
    skip_space(c);
    if (c->p != c->end)
        return bad_header(c, "text after the dict");
    if (!seen_descr || !seen_order || !seen_shape)
        return fail(c->msg, c->msgsize, JX_NPY_EFORMAT,
                    "%s: malformed .npy header: missing key '%s'", c->path,
                    !seen_descr ? "descr"
                    : !seen_order ? "fortran_order"
                                  : "shape");
    return JX_NPY_OK;
}

/* Writes "(3, 4)" or "(3,)" or "()" into buf. */
static void format_shape(char *buf, size_t size, int ndim,
                         const int64_t *shape)
{
    size_t n = 0;
    n += (size_t)snprintf(buf + n, size - n, "(");
    for (int i = 0; i < ndim && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? ", " : "",
                              (long long)shape[i]);
    if (n < size)
        snprintf(buf + n, size - n, ndim == 1 ? ",)" : ")");
}

/* ---- Loading --------------------------------------------------------- */

/* Reads exactly n bytes; returns how many it got. */
static size_t read_full(FILE *f, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t r = fread((char *)buf + got, 1, n - got, f);
        if (r == 0)
            break;
        got += r;
    }
    return got;
}

static int load_file(FILE *f, const char *path, jx_array *arr,
                     size_t *itemsize, char *msg, size_t msgsize)
{
    unsigned char pre[12];
    size_t got = read_full(f, pre, 8);
    if (ferror(f))
        return fail(msg, msgsize, JX_NPY_EIO, "%s: %s", path,
                    strerror(errno));
    if (got < 8 || memcmp(pre, magic, sizeof magic) != 0)
        return fail(msg, msgsize, JX_NPY_EFORMAT,
                    "%s: not a .npy file (bad magic string)", path);
    unsigned major = pre[6], minor = pre[7];
    if (!((major == 1 || major == 2 || major == 3) && minor == 0))
        return fail(msg, msgsize, JX_NPY_EUNSUPPORTED,
                    "%s: unsupported .npy format version %u.%u (1.0, 2.0 "
                    "and 3.0 are)", path, major, minor);
    size_t lenbytes = major == 1 ? 2 : 4;
    if (read_full(f, pre + 8, lenbytes) < lenbytes)
        return fail(msg, msgsize, JX_NPY_EFORMAT,
                    "%s: truncated .npy file (no header length)", path);
    uint64_t hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8;
    if (lenbytes == 4)
        hlen |= (uint64_t)pre[10] << 16 | (uint64_t)pre[11] << 24;
    if (hlen > JX_NPY_MAX_HEADER)
        return fail(msg, msgsize, JX_NPY_EFORMAT,
                    "%s: .npy header too long (%llu bytes; the limit is %d)",
                    path, (unsigned long long)hlen, JX_NPY_MAX_HEADER);
    char text[JX_NPY_MAX_HEADER];
    if (read_full(f, text, (size_t)hlen) < hlen)
        return fail(msg, msgsize, JX_NPY_EFORMAT,
                    "%s: truncated .npy file (header of %llu bytes cut "
                    "short)", path, (unsigned long long)hlen);

    npy_header h = {.dtype = JX_DTYPE_INVALID};
    cursor c = {text, text + hlen, msg, msgsize, path};
    int rc = parse_header(&c, &h);
    if (rc != JX_NPY_OK)
        return rc;

    /* Element count and byte size, without overflow.  span counts a zero
     * dimension as one, so the strides of an empty array fit too. */
    size_t item = h.itemsize;
    uint64_t span = 1, count = 1;
    int overflow = 0;
    for (int i = 0; i < h.ndim; i++) {
        uint64_t d = h.shape[i] > 1 ? (uint64_t)h.shape[i] : 1;
        if (span > (uint64_t)INT64_MAX / item / d)
            overflow = 1;
        else
            span *= d;
        if (h.shape[i] == 0)
            count = 0;
    }
    if (count != 0)
        count = span;
    char shape[JX_MAX_DIMS * 22 + 8];
    format_shape(shape, sizeof shape, h.ndim, h.shape);
    if (overflow || count * item > (uint64_t)SIZE_MAX - JX_NPY_ALIGN)
        return fail(msg, msgsize, JX_NPY_EFORMAT,
                    "%s: shape %s is too large", path, shape);
    size_t nbytes = (size_t)(count * item);

    /* For a regular file, compare sizes before allocating anything. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        uint64_t off = 8 + lenbytes + hlen;
        uint64_t have = (uint64_t)st.st_size > off ? st.st_size - off : 0;
        if (have < nbytes)
            return fail(msg, msgsize, JX_NPY_EFORMAT,
                        "%s: truncated .npy file: shape %s of %s needs %zu "
                        "bytes of data, the file has %llu", path, shape,
                        h.descr, nbytes,
                        (unsigned long long)have);
        if (have > nbytes)
            return fail(msg, msgsize, JX_NPY_EFORMAT,
                        "%s: shape %s of %s needs %zu bytes of data, but the "
                        "file has %llu", path, shape, h.descr,
                        nbytes, (unsigned long long)have);
    }

    void *data = NULL;
    if (posix_memalign(&data, JX_NPY_ALIGN,
                       nbytes > JX_NPY_ALIGN ? nbytes : JX_NPY_ALIGN) != 0)
        return fail(msg, msgsize, JX_NPY_ENOMEM,
                    "%s: out of memory for %zu bytes", path, nbytes);
    got = read_full(f, data, nbytes);
    if (ferror(f)) {
        int e = errno;
        free(data);
        return fail(msg, msgsize, JX_NPY_EIO, "%s: %s", path, strerror(e));
    }
    if (got < nbytes) {
        free(data);
        return fail(msg, msgsize, JX_NPY_EFORMAT,
                    "%s: truncated .npy file: shape %s of %s needs %zu bytes "
                    "of data, the file has %zu", path, shape,
                    h.descr, nbytes, got);
    }
    if (fgetc(f) != EOF) {
        free(data);
        return fail(msg, msgsize, JX_NPY_EFORMAT,
                    "%s: the file has more data than shape %s of %s needs",
                    path, shape, h.descr);
    }

    if (h.swap)
        swap_elements(data, (size_t)count, h.dtype);
    if (h.dtype == JX_BOOL) { /* any non-zero byte is True */
        unsigned char *b = data;
        for (size_t i = 0; i < nbytes; i++)
            b[i] = b[i] != 0;
    }

    memset(arr, 0, sizeof *arr);
    arr->data = data;
    arr->dtype = h.dtype;
    *itemsize = item;
    arr->ndim = h.ndim;
    int64_t stride = (int64_t)item;
    for (int k = 0; k < h.ndim; k++) {
        int i = h.fortran ? k : h.ndim - 1 - k;
        arr->shape[i] = h.shape[i];
        arr->strides[i] = stride;
        stride *= h.shape[i] > 1 ? h.shape[i] : 1;
    }
    return JX_NPY_OK;
}

int jx_npy_load(const char *path, jx_array *arr, size_t *itemsize, char *msg,
                size_t msgsize)
{
    size_t item_ignored;
    if (itemsize == NULL)
        itemsize = &item_ignored;
    *itemsize = 0;
    if (msg != NULL && msgsize > 0)
        msg[0] = '\0';
    if (arr == NULL || path == NULL)
        return fail(msg, msgsize, JX_NPY_EARG, "jx_npy_load: NULL argument");
    memset(arr, 0, sizeof *arr);
    arr->dtype = JX_DTYPE_INVALID;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fail(msg, msgsize, JX_NPY_EIO, "%s: %s", path,
                    strerror(errno));
    struct stat st;
    int rc;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
        rc = fail(msg, msgsize, JX_NPY_EIO, "%s: %s", path,
                  strerror(EISDIR));
    else
        rc = load_file(f, path, arr, itemsize, msg, msgsize);
    fclose(f);
    if (rc != JX_NPY_OK) {
        *itemsize = 0;
        memset(arr, 0, sizeof *arr);
        arr->dtype = JX_DTYPE_INVALID;
    }
    return rc;
}

void jx_npy_free(jx_array *arr)
{
    if (arr != NULL) {
        free(arr->data);
        arr->data = NULL;
    }
}

/* ---- Saving ---------------------------------------------------------- */

/* Builds the padded header (preamble included) into buf; returns its
 * length, or 0 when buf is too small. */
static size_t build_header(char *buf, size_t size, const jx_array *arr)
{
    char shape[JX_MAX_DIMS * 22 + 8];
    format_shape(shape, sizeof shape, arr->ndim, arr->shape);
    char dict[sizeof shape + 96];
    int dlen = snprintf(dict, sizeof dict,
                        "{'descr': '%s', 'fortran_order': False, "
                        "'shape': %s, }", dtypes[arr->dtype].descr, shape);
    if (dlen < 0 || (size_t)dlen >= sizeof dict)
        return 0;
    /* Version 1.0 has a 2-byte length; 2.0 (4 bytes) only when needed. */
    size_t pre = 10;
    size_t total = (pre + (size_t)dlen + 1 + 63) / 64 * 64;
    if (total - pre > 65535) {
        pre = 12;
        total = (pre + (size_t)dlen + 1 + 63) / 64 * 64;
    }
    if (total > size)
        return 0;
    size_t hlen = total - pre;
    memcpy(buf, magic, sizeof magic);
    buf[6] = pre == 10 ? 1 : 2;
    buf[7] = 0;
    buf[8] = (char)(hlen & 0xff);
    buf[9] = (char)(hlen >> 8 & 0xff);
    if (pre == 12) {
        buf[10] = (char)(hlen >> 16 & 0xff);
        buf[11] = (char)(hlen >> 24 & 0xff);
    }
    memcpy(buf + pre, dict, (size_t)dlen);
    memset(buf + pre + dlen, ' ', total - pre - (size_t)dlen - 1);
    buf[total - 1] = '\n';
    return total;
}

/* Writes the elements of arr in C order through a bounce buffer, fixing
 * the byte order and normalising bools on the way. */
static int write_strided(FILE *f, const jx_array *arr, size_t item,
                         uint64_t count)
{
    enum { BUFSIZE = 1 << 16 };
    unsigned char *buf = malloc(BUFSIZE);
    if (buf == NULL)
        return JX_NPY_ENOMEM;
    int64_t idx[JX_MAX_DIMS] = {0};
    const char *p = arr->data;
    size_t fill = 0;
    int swap = !host_is_little();
    int rc = JX_NPY_OK;
    for (uint64_t k = 0; k < count; k++) {
        memcpy(buf + fill, p, item);
        fill += item;
        if (fill + item > BUFSIZE || k + 1 == count) {
            if (swap)
                swap_elements(buf, fill / item, arr->dtype);
            if (arr->dtype == JX_BOOL)
                for (size_t i = 0; i < fill; i++)
                    buf[i] = buf[i] != 0;
            if (fwrite(buf, 1, fill, f) != fill) {
                rc = JX_NPY_EIO;
                break;
            }
            fill = 0;
        }
        /* Advance the C-order index, moving p along the strides. */
        for (int d = arr->ndim - 1; d >= 0; d--) {
            p += arr->strides[d];
            if (++idx[d] < arr->shape[d])
                break;
            p -= arr->strides[d] * arr->shape[d];
            idx[d] = 0;
        }
    }
    free(buf);
    return rc;
}

int jx_npy_save(const char *path, const jx_array *arr, char *msg,
                size_t msgsize)
{
    if (msg != NULL && msgsize > 0)
        msg[0] = '\0';
    if (path == NULL || arr == NULL)
        return fail(msg, msgsize, JX_NPY_EARG, "jx_npy_save: NULL argument");
    if ((int)arr->dtype < 0 || arr->dtype >= JX_DTYPE_COUNT)
        return fail(msg, msgsize, JX_NPY_EARG, "%s: invalid dtype %d", path,
                    (int)arr->dtype);
    if (arr->dtype == JX_BYTES)
        return fail(msg, msgsize, JX_NPY_EARG,
                    "%s: writing byte string (S) arrays is not supported",
                    path);
    if (arr->ndim < 0 || arr->ndim > JX_MAX_DIMS)
        return fail(msg, msgsize, JX_NPY_EARG,
                    "%s: invalid number of dimensions %d", path, arr->ndim);
    size_t item = dtypes[arr->dtype].size;
    uint64_t count = 1;
    for (int i = 0; i < arr->ndim; i++) {
        if (arr->shape[i] < 0)
            return fail(msg, msgsize, JX_NPY_EARG,
                        "%s: negative dimension %lld", path,
                        (long long)arr->shape[i]);
        if (arr->shape[i] != 0 && count > UINT64_MAX / (uint64_t)arr->shape[i])
            return fail(msg, msgsize, JX_NPY_EARG, "%s: shape too large",
                        path);
        count *= (uint64_t)arr->shape[i];
    }
    if (count > 0 && arr->data == NULL)
        return fail(msg, msgsize, JX_NPY_EARG, "%s: NULL data", path);

    /* Is it C-contiguous, so one fwrite will do? */
    if (count > (uint64_t)INT64_MAX / item)
        return fail(msg, msgsize, JX_NPY_EARG, "%s: shape too large", path);
    int contiguous = 1;
    int64_t expect = (int64_t)item;
    for (int i = arr->ndim - 1; i >= 0 && count > 0; i--) {
        if (arr->shape[i] > 1 && arr->strides[i] != expect)
            contiguous = 0;
        expect *= arr->shape[i];
    }

    char header[256 + JX_MAX_DIMS * 22];
    size_t hlen = build_header(header, sizeof header, arr);
    if (hlen == 0)
        return fail(msg, msgsize, JX_NPY_EARG, "%s: header too long", path);

    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return fail(msg, msgsize, JX_NPY_EIO, "%s: %s", path,
                    strerror(errno));
    int rc = JX_NPY_OK;
    if (fwrite(header, 1, hlen, f) != hlen)
        rc = JX_NPY_EIO;
    else if (count == 0)
        ;
    else if (contiguous && host_is_little() && arr->dtype != JX_BOOL) {
        if (fwrite(arr->data, item, (size_t)count, f) != count)
            rc = JX_NPY_EIO;
    } else {
        rc = write_strided(f, arr, item, count);
    }
    int e = errno;
    /* What a failed save removes: a regular file, never a device or a
     * FIFO given as the path (as root, /dev/full itself). */
    struct stat st;
    int regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    if (fclose(f) != 0 && rc == JX_NPY_OK) {
        rc = JX_NPY_EIO;
        e = errno;
    }
    if (rc != JX_NPY_OK) {
        if (regular)
            unlink(path);
        if (rc == JX_NPY_ENOMEM)
            return fail(msg, msgsize, rc, "%s: out of memory", path);
        return fail(msg, msgsize, rc, "%s: %s", path, strerror(e));
    }
    return JX_NPY_OK;
}
