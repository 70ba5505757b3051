/*
 * main.c - the jitexpr command-line tool.
 *
 *   jitexpr eval EXPR [NAME=FILE.npy | NAME=VALUE[:DTYPE] ...] [-o OUT.npy]
 *   jitexpr explain EXPR [NAME:DTYPE ...]
 *   jitexpr bench EXPR [-n N] [-r REPEATS] [-t THREADS] [NAME:DTYPE ...]
 *   jitexpr version | help
 *
 * A client of libjitexpr like any other: it uses include/jitexpr.h only.
 * Exit status: 0 success, 1 I/O error, 2 usage error or expression error.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jitexpr.h"
#include "npy.h"

enum { EXIT_IO = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: jitexpr <command> [arguments]\n"
    "\n"
    "commands:\n"
    "  eval EXPR [NAME=FILE.npy | NAME=VALUE[:DTYPE] ...] [-o OUT.npy]\n"
    "      Evaluate EXPR over arrays read from .npy files (numbers, bools or\n"
    "      byte strings, descr |S<n>) and scalar values (broadcast as in\n"
    "      NumPy).  VALUE is an integer (int64), a float (float64), True or\n"
    "      False (bool), or a complex such as 1+2j (complex128); :DTYPE\n"
    "      picks another dtype, e.g. x=3:int32.  Prints the result's dtype,\n"
    "      shape and values, or writes it to OUT.npy.\n"
    "  explain EXPR [NAME:DTYPE ...]\n"
    "      Print the parse tree, the typed IR, the optimised LLVM IR and the\n"
    "      machine code of EXPR's kernel.  Variables not named are float64.\n"
    "  bench EXPR [-n N] [-r REPEATS] [-t THREADS] [NAME:DTYPE ...]\n"
    "      Time the first compile of EXPR and its evaluation over N generated\n"
    "      elements (default 10000000): the median of REPEATS runs (default\n"
    "      9) after one warm-up, on THREADS threads (default: the library's,\n"
    "      see JITEXPR_NUM_THREADS).  Variables not named are float64;\n"
    "      floats are uniform in [0.1, 1.1), integers in 1..100, bools\n"
    "      random.\n"
    "  version\n"
    "      Print the version and the target kernels are compiled for.\n"
    "  help, -h, --help\n"
    "      Print this help.\n"
    "\n"
    "DTYPE: bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64,\n"
    "       float16, float32, float64, complex64, complex128, or S<n>: byte\n"
    "       strings of n bytes (explain and bench; eval reads them from\n"
    "       .npy files, e.g. \"contains(s, b'ab')\" s=names.npy).\n"
    "\n"
    "Exit status: 0 on success, 1 on an I/O error, 2 on a usage error or an\n"
    "error in the expression.\n";

/* One variable of the table given to the library. */
typedef struct cli_var {
    char *name;        /* owned copy */
    jx_dtype dtype;    /* its element type */
    size_t itemsize;   /* JX_BYTES: bytes per element (S<n>); else 0 */
    jx_array arr;      /* its data (eval, bench) */
    int from_npy;      /* arr.data came from jx_npy_load */
    void *owned;       /* other memory to free (bench data) */
    union {            /* a scalar's value, pointed at by arr.data */
        int64_t i;
        uint64_t u;
        double d;
        float f[2];
        double c[2];
        uint16_t h;
        unsigned char b;
    } value;
} cli_var;

/* The variable table and what a command needs to clean up. */
typedef struct cli {
    cli_var vars[JX_MAX_VARS]; /* variables in order */
    int nvars;                 /* how many */
    jx_var table[JX_MAX_VARS]; /* what jx_compile gets */
    jx_array inputs[JX_MAX_VARS]; /* what jx_eval gets */
} cli;

/* ---- Messages -------------------------------------------------------- */

/* "jitexpr: <message>" on stderr, then `trailer`. */
static void vreport(const char *fmt, va_list ap, const char *trailer)
{
    fputs("jitexpr: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(trailer, stderr);
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap, "\nTry 'jitexpr help' for more information.\n");
    va_end(ap);
    return EXIT_USAGE;
}

static int io_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int io_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap, "\n");
    va_end(ap);
    return EXIT_IO;
}

/* Writes one character of the source for display: control characters
 * become '?' so the caret line stays aligned. */
static void put_source_char(FILE *f, unsigned char ch)
{
    fputc(ch == '\t' || ch >= 0x20 ? ch : '?', f);
}

/* Prints the line of src holding the error, a caret line under the
 * offending span, then "error: <code name>: <message>".  Long lines are
 * shown as a window around the span. */
static void report_error(const char *src, const jx_error *err)
{
    size_t len = src ? strlen(src) : 0;
    if (src != NULL && err->offset >= 0 && (size_t)err->offset <= len) {
        size_t off = (size_t)err->offset;
        size_t span = err->length > 0 ? (size_t)err->length : 0;
        size_t start = off, end = off;
        while (start > 0 && src[start - 1] != '\n')
            start--;
        while (end < len && src[end] != '\n')
            end++;
        if (span > end - off)
            span = end - off;
        /* A window of about 100 bytes around a long line's span. */
        enum { WIDTH = 100, BEFORE = 40 };
        size_t from = start, to = end;
        if (to - from > WIDTH) {
            if (off - from > BEFORE)
                from = off - BEFORE;
            while (from > start && ((unsigned char)src[from] & 0xc0) == 0x80)
                from--; /* not in the middle of a UTF-8 sequence */
            to = from + WIDTH > end ? end : from + WIDTH;
            if (to < off + span)
                to = off + span;
            while (to < end && ((unsigned char)src[to] & 0xc0) == 0x80)
                to++;
        }
        const char *pre = from > start ? "..." : "";
        fputs(pre, stderr);
        for (size_t i = from; i < to; i++)
            put_source_char(stderr, (unsigned char)src[i]);
        fputs(to < end ? "...\n" : "\n", stderr);
        fputs(*pre ? "   " : "", stderr);
        for (size_t i = from; i < off; i++) {
            unsigned char ch = (unsigned char)src[i];
            if ((ch & 0xc0) != 0x80) /* one column per character */
                fputc(ch == '\t' ? '\t' : ' ', stderr);
        }
        size_t carets = 0;
        for (size_t i = off; i < off + span; i++)
            if (((unsigned char)src[i] & 0xc0) != 0x80)
                carets++;
        if (carets == 0)
            carets = 1;
        for (size_t i = 0; i < carets; i++)
            fputc('^', stderr);
        fputc('\n', stderr);
    }
    /* "error: syntax error: ...", unless the message already says what
     * kind of error it is ("unknown function 'sinn' ..."). */
    const char *name = jx_code_name(err->code);
    if (strncmp(err->message, name, strlen(name)) == 0)
        fprintf(stderr, "error: %s\n", err->message);
    else
        fprintf(stderr, "error: %s: %s\n", name, err->message);
}

/* ---- Float16 and number formatting ----------------------------------- */

/* Rounds a double to IEEE half precision (nearest, ties to even). */
static uint16_t half_from_double(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    uint16_t sign = (uint16_t)(b >> 48 & 0x8000);
    int exp = (int)(b >> 52 & 0x7ff);
    uint64_t mant = b & 0xfffffffffffffULL;
    if (exp == 0x7ff) /* inf, nan */
        return sign | 0x7c00 | (mant ? 0x200 : 0);
    if (exp == 0) /* zero or a double subnormal: far below half's range */
        return sign;
    int e = exp - 1023 + 15; /* half's biased exponent */
    if (e >= 31)
        return sign | 0x7c00;
    uint64_t m = mant | 1ULL << 52;
    int shift = e > 0 ? 42 : 43 - e; /* 53 bits down to 11, or fewer */
    if (shift > 63)
        return sign;
    uint64_t hm = m >> shift;
    uint64_t rem = m & ((1ULL << shift) - 1), halfway = 1ULL << (shift - 1);
    if (rem > halfway || (rem == halfway && (hm & 1)))
        hm++;
    if (e <= 0) /* subnormal; a carry into 0x400 is the smallest normal */
        return sign | (uint16_t)hm;
    return sign | (uint16_t)(((unsigned)(e - 1) << 10) + hm);
}

static double half_to_double(uint16_t h)
{
    int sign = h >> 15, exp = h >> 10 & 0x1f, mant = h & 0x3ff;
    double v;
    if (exp == 0)
        v = ldexp(mant, -24);
    else if (exp == 31)
        v = mant ? NAN : INFINITY;
    else
        v = ldexp(mant | 0x400, exp - 25);
    return sign ? -v : v;
}

/* The shortest "%.Ng" that reads back as the same value of dtype t
 * (float16, float32 or float64), with ".0" added to integral values as
 * NumPy prints them. */
static void format_float(char *buf, size_t size, double v, jx_dtype t)
{
    if (isnan(v)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, v < 0 ? "-inf" : "inf");
        return;
    }
    int maxp = t == JX_FLOAT16 ? 5 : t == JX_FLOAT32 ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(buf, size, "%.*g", p, v);
        double back = strtod(buf, NULL);
        int same = t == JX_FLOAT16
                       ? half_from_double(back) == half_from_double(v)
                   : t == JX_FLOAT32 ? (float)back == (float)v
                                     : back == v;
        if (same)
            break;
    }
    if (strpbrk(buf, ".e") == NULL && strlen(buf) + 3 <= size)
        strcat(buf, ".0");
}

/* Formats the element at p. */
static void format_value(char *buf, size_t size, const void *p, jx_dtype t)
{
    switch (t) {
    case JX_BOOL:
        snprintf(buf, size, *(const unsigned char *)p ? "True" : "False");
        break;
    case JX_INT8:
        snprintf(buf, size, "%d", *(const int8_t *)p);
        break;
    case JX_INT16:
        snprintf(buf, size, "%d", *(const int16_t *)p);
        break;
    case JX_INT32:
        snprintf(buf, size, "%d", *(const int32_t *)p);
        break;
    case JX_INT64:
        snprintf(buf, size, "%lld", (long long)*(const int64_t *)p);
        break;
    case JX_UINT8:
        snprintf(buf, size, "%u", *(const uint8_t *)p);
        break;
    case JX_UINT16:
        snprintf(buf, size, "%u", *(const uint16_t *)p);
        break;
    case JX_UINT32:
        snprintf(buf, size, "%u", *(const uint32_t *)p);
        break;
    case JX_UINT64:
        snprintf(buf, size, "%llu", (unsigned long long)*(const uint64_t *)p);
        break;
    case JX_FLOAT16:
        format_float(buf, size, half_to_double(*(const uint16_t *)p), t);
        break;
    case JX_FLOAT32:
        format_float(buf, size, *(const float *)p, t);
        break;
    case JX_FLOAT64:
        format_float(buf, size, *(const double *)p, t);
        break;
    case JX_COMPLEX64:
    case JX_COMPLEX128: {
        double re, im;
        jx_dtype part = t == JX_COMPLEX64 ? JX_FLOAT32 : JX_FLOAT64;
        if (t == JX_COMPLEX64) {
            re = ((const float *)p)[0];
            im = ((const float *)p)[1];
        } else {
            re = ((const double *)p)[0];
            im = ((const double *)p)[1];
        }
        char r[40], i[40];
        format_float(r, sizeof r, re, part);
        format_float(i, sizeof i, fabs(im), part);
        snprintf(buf, size, "(%s%s%sj)", r, signbit(im) ? "-" : "+", i);
        break;
    }
    default:
        snprintf(buf, size, "?");
    }
}

/* The element's value as a double (the real part of a complex). */
static double value_as_double(const void *p, jx_dtype t)
{
    switch (t) {
    case JX_BOOL: return *(const unsigned char *)p != 0;
    case JX_INT8: return *(const int8_t *)p;
    case JX_INT16: return *(const int16_t *)p;
    case JX_INT32: return *(const int32_t *)p;
    case JX_INT64: return (double)*(const int64_t *)p;
    case JX_UINT8: return *(const uint8_t *)p;
    case JX_UINT16: return *(const uint16_t *)p;
    case JX_UINT32: return *(const uint32_t *)p;
    case JX_UINT64: return (double)*(const uint64_t *)p;
    case JX_FLOAT16: return half_to_double(*(const uint16_t *)p);
    case JX_FLOAT32: return *(const float *)p;
    case JX_FLOAT64: return *(const double *)p;
    case JX_COMPLEX64: return ((const float *)p)[0];
    case JX_COMPLEX128: return ((const double *)p)[0];
    default: return NAN;
    }
}

static int is_signed_int(jx_dtype t)
{
    return t == JX_INT8 || t == JX_INT16 || t == JX_INT32 || t == JX_INT64;
}

static int is_unsigned_int(jx_dtype t)
{
    return t == JX_UINT8 || t == JX_UINT16 || t == JX_UINT32 || t == JX_UINT64;
}

static int is_complex(jx_dtype t)
{
    return t == JX_COMPLEX64 || t == JX_COMPLEX128;
}

static int64_t value_as_i64(const void *p, jx_dtype t)
{
    switch (t) {
    case JX_INT8: return *(const int8_t *)p;
    case JX_INT16: return *(const int16_t *)p;
    case JX_INT32: return *(const int32_t *)p;
    default: return *(const int64_t *)p;
    }
}

static uint64_t value_as_u64(const void *p, jx_dtype t)
{
    switch (t) {
    case JX_UINT8: return *(const uint8_t *)p;
    case JX_UINT16: return *(const uint16_t *)p;
    case JX_UINT32: return *(const uint32_t *)p;
    default: return *(const uint64_t *)p;
    }
}

/* ---- Walking an array ------------------------------------------------- */

static int64_t array_size(const jx_array *a)
{
    int64_t n = 1;
    for (int d = 0; d < a->ndim; d++)
        n *= a->shape[d];
    return n;
}

/* The address of the element with C-order flat index k. */
static const char *element_at(const jx_array *a, int64_t k)
{
    const char *p = a->data;
    for (int d = a->ndim - 1; d >= 0; d--) {
        p += (k % a->shape[d]) * a->strides[d];
        k /= a->shape[d];
    }
    return p;
}

/* Moves p to the next element in C order; idx is the N-D index. */
static const char *next_element(const jx_array *a, int64_t *idx, const char *p)
{
    for (int d = a->ndim - 1; d >= 0; d--) {
        p += a->strides[d];
        if (++idx[d] < a->shape[d])
            return p;
        p -= a->strides[d] * a->shape[d];
        idx[d] = 0;
    }
    return p;
}

static void print_shape(FILE *f, const jx_array *a)
{
    fputc('(', f);
    for (int d = 0; d < a->ndim; d++)
        fprintf(f, "%s%lld", d ? ", " : "", (long long)a->shape[d]);
    fputs(a->ndim == 1 ? ",)" : ")", f);
}

/* Prints a small array nested as NumPy's repr does: [[1, 2], [3, 4]]. */
static void print_nested(FILE *f, const jx_array *a, int dim, const char *p)
{
    char buf[96];
    if (dim == a->ndim) {
        format_value(buf, sizeof buf, p, a->dtype);
        fputs(buf, f);
        return;
    }
    fputc('[', f);
    for (int64_t i = 0; i < a->shape[dim]; i++) {
        if (i > 0) {
            if (dim == a->ndim - 1)
                fputs(", ", f);
            else
                fprintf(f, ",\n%*s", dim + 1, "");
        }
        print_nested(f, a, dim + 1, p + i * a->strides[dim]);
    }
    fputc(']', f);
}

/* The summary eval prints: dtype, shape, then every value (at most 20),
 * else the first and last few and statistics. */
static void print_summary(FILE *f, const jx_array *a)
{
    enum { ALL = 20, EDGE = 3 };
    int64_t n = array_size(a);
    fprintf(f, "dtype: %s\nshape: ", jx_dtype_name(a->dtype));
    print_shape(f, a);
    fputc('\n', f);
    if (n <= ALL) {
        print_nested(f, a, 0, a->data);
        fputc('\n', f);
        return;
    }
    char buf[96];
    fprintf(f, "values%s: [", a->ndim > 1 ? " (flattened, C order)" : "");
    for (int64_t k = 0; k < EDGE; k++) {
        format_value(buf, sizeof buf, element_at(a, k), a->dtype);
        fprintf(f, "%s, ", buf);
    }
    fputs("...", f);
    for (int64_t k = n - EDGE; k < n; k++) {
        format_value(buf, sizeof buf, element_at(a, k), a->dtype);
        fprintf(f, ", %s", buf);
    }
    fputs("]\n", f);

    /* One pass for the statistics. */
    int64_t idx[JX_MAX_DIMS] = {0};
    const char *p = a->data;
    jx_dtype t = a->dtype;
    int64_t imin = INT64_MAX, imax = INT64_MIN;
    uint64_t umin = UINT64_MAX, umax = 0;
    double dmin = INFINITY, dmax = -INFINITY;
    long double sum = 0, isum = 0;
    int64_t nans = 0, trues = 0;
    for (int64_t k = 0; k < n; k++, p = next_element(a, idx, p)) {
        if (t == JX_BOOL) {
            trues += *(const unsigned char *)p != 0;
        } else if (is_signed_int(t)) {
            int64_t v = value_as_i64(p, t);
            imin = v < imin ? v : imin;
            imax = v > imax ? v : imax;
            sum += v;
        } else if (is_unsigned_int(t)) {
            uint64_t v = value_as_u64(p, t);
            umin = v < umin ? v : umin;
            umax = v > umax ? v : umax;
            sum += v;
        } else if (is_complex(t)) {
            double re = value_as_double(p, t);
            double im = t == JX_COMPLEX64 ? ((const float *)p)[1]
                                          : ((const double *)p)[1];
            if (isnan(re) || isnan(im)) {
                nans++;
                continue;
            }
            sum += re;
            isum += im;
        } else {
            double v = value_as_double(p, t);
            if (isnan(v)) {
                nans++;
                continue;
            }
            dmin = v < dmin ? v : dmin;
            dmax = v > dmax ? v : dmax;
            sum += v;
        }
    }
    int64_t counted = n - nans;
    if (t == JX_BOOL) {
        fprintf(f, "True: %lld of %lld (%.1f%%)\n", (long long)trues,
                (long long)n, 100.0 * (double)trues / (double)n);
    } else if (is_signed_int(t)) {
        fprintf(f, "min: %lld  max: %lld  mean: %.6g\n", (long long)imin,
                (long long)imax, (double)(sum / n));
    } else if (is_unsigned_int(t)) {
        fprintf(f, "min: %llu  max: %llu  mean: %.6g\n",
                (unsigned long long)umin, (unsigned long long)umax,
                (double)(sum / n));
    } else {
        char lo[48] = "nan", hi[48] = "nan", mean[96] = "nan";
        jx_dtype part = t == JX_COMPLEX64 ? JX_FLOAT32
                        : t == JX_COMPLEX128 ? JX_FLOAT64 : t;
        if (counted > 0) {
            if (is_complex(t)) {
                snprintf(mean, sizeof mean, "(%.6g%+.6gj)",
                         (double)(sum / counted), (double)(isum / counted));
            } else {
                snprintf(mean, sizeof mean, "%.6g",
                         (double)(sum / counted));
                format_float(lo, sizeof lo, dmin, part);
                format_float(hi, sizeof hi, dmax, part);
            }
        }
        if (is_complex(t))
            fprintf(f, "mean: %s", mean);
        else
            fprintf(f, "min: %s  max: %s  mean: %s", lo, hi, mean);
        fprintf(f, "  NaN: %lld%s\n", (long long)nans,
                nans ? " (left out of the other figures)" : "");
    }
}

/* ---- The variable table ------------------------------------------------ */

/* A variable name is Python's identifier (PEP 3131), as in expressions.
 * ASCII ones are checked here; one with other characters is a name when
 * the library reads it as exactly one (it knows the Unicode classes). */
static int is_identifier(const char *s, size_t n)
{
    if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    int ascii = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x80)
            ascii = 0;
        else if (!(ch == '_' || (ch >= 'a' && ch <= 'z') ||
                   (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
            return 0;
    }
    if (ascii)
        return 1;
    char *src = strndup(s, n);
    if (src == NULL)
        return 0;
    jx_error err;
    char *list = jx_names(src, &err);
    int one = list != NULL && list[0] != '\0' && list[strlen(list) + 1] == '\0';
    jx_free(list);
    free(src);
    return one;
}

/* The slot of the variable whose name has the NFKC form of name[0..n-1]
 * (the names are kept in that form, as the library matches them), or -1. */
static int find_var(const cli *c, const char *name, size_t n)
{
    char *norm = jx_name_normalize(name, n);
    const char *key = norm ? norm : name;
    size_t kn = norm ? strlen(norm) : n;
    int found = -1;
    for (int i = 0; i < c->nvars && found < 0; i++)
        if (strlen(c->vars[i].name) == kn &&
            memcmp(c->vars[i].name, key, kn) == 0)
            found = i;
    jx_free(norm);
    return found;
}

/* Adds a variable named by the n bytes at name; returns its slot or NULL
 * after printing why not (returns the exit status through *status). */
static cli_var *add_var(cli *c, const char *name, size_t n, jx_dtype t,
                        int *status)
{
    if (!is_identifier(name, n)) {
        *status = usage_error("'%.*s' is not a valid variable name", (int)n,
                              name);
        return NULL;
    }
    if (find_var(c, name, n) >= 0) {
        *status = usage_error("variable '%.*s' given twice", (int)n, name);
        return NULL;
    }
    if (c->nvars >= JX_MAX_VARS) {
        *status = usage_error("too many variables (the limit is %d)",
                              JX_MAX_VARS);
        return NULL;
    }
    cli_var *v = &c->vars[c->nvars];
    memset(v, 0, sizeof *v);
    char *norm = jx_name_normalize(name, n); /* is_identifier: UTF-8 */
    v->name = norm ? strdup(norm) : NULL;
    jx_free(norm);
    if (v->name == NULL) {
        *status = io_error("out of memory");
        return NULL;
    }
    v->dtype = t;
    c->nvars++;
    return v;
}

static void free_vars(cli *c)
{
    for (int i = 0; i < c->nvars; i++) {
        cli_var *v = &c->vars[i];
        if (v->from_npy)
            jx_npy_free(&v->arr);
        free(v->owned);
        free(v->name);
    }
    c->nvars = 0;
}

/* Fills the tables handed to the library from the variables. */
static void build_tables(cli *c)
{
    for (int i = 0; i < c->nvars; i++) {
        c->table[i].name = c->vars[i].name;
        c->table[i].dtype = c->vars[i].dtype;
        c->table[i].itemsize = c->vars[i].itemsize;
        c->inputs[i] = c->vars[i].arr;
    }
}

/* Parses a DTYPE argument: a dtype name (float64, i4, ...) or S<n>, byte
 * strings of n bytes (*itemsize gets n; 0 for the other dtypes).  Returns
 * JX_DTYPE_INVALID after printing why, with *status set. */
static jx_dtype parse_dtype(const char *s, size_t *itemsize, int *status)
{
    *itemsize = 0;
    if (s[0] == 'S' && s[1] != '\0') {
        size_t n;
        int rc = jx_npy_bytes_size(s + 1, &n);
        if (rc == JX_NPY_EFORMAT) {
            *status = usage_error("dtype '%s': byte strings are S<n>, n the "
                                  "bytes per element, as in S8", s);
            return JX_DTYPE_INVALID;
        }
        if (rc != JX_NPY_OK && n == 0) {
            *status = usage_error("dtype '%s': byte strings need a size of 1 "
                                  "or more, as in S8", s);
            return JX_DTYPE_INVALID;
        }
        if (rc != JX_NPY_OK) {
            *status = usage_error("dtype '%s': byte strings of more than %d "
                                  "bytes are not supported", s, INT32_MAX);
            return JX_DTYPE_INVALID;
        }
        *itemsize = n;
        return JX_BYTES;
    }
    jx_dtype t = jx_dtype_from_name(s);
    if (t == JX_BYTES) { /* "bytes" or "S": no size */
        *status = usage_error("dtype '%s': byte strings need a size: S<n>, "
                              "as in S8", s);
        return JX_DTYPE_INVALID;
    }
    if (t == JX_DTYPE_INVALID) {
        char list[256] = "";
        for (int i = 0; i < JX_DTYPE_COUNT; i++) {
            strcat(list, i ? ", " : "");
            strcat(list, i == JX_BYTES ? "S<n>" : jx_dtype_name((jx_dtype)i));
        }
        *status = usage_error("unknown dtype '%s' (one of: %s)", s, list);
    }
    return t;
}

/* A variable's dtype as the CLI spells it: "float64", or "S8". */
static const char *dtype_text(char *buf, size_t size, const cli_var *v)
{
    if (v->dtype == JX_BYTES)
        snprintf(buf, size, "S%zu", v->itemsize);
    else
        snprintf(buf, size, "%s", jx_dtype_name(v->dtype));
    return buf;
}

/* Parses "NAME:DTYPE" (or "NAME", float64) for explain and bench. */
static int parse_typed_name(cli *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    int status = 0;
    if (strchr(arg, '=') != NULL)
        return usage_error("'%s': expected NAME:DTYPE (this command makes "
                           "its own data)", arg);
    jx_dtype t = JX_FLOAT64;
    size_t itemsize = 0;
    if (colon != NULL && (t = parse_dtype(colon + 1, &itemsize, &status)) ==
                             JX_DTYPE_INVALID)
        return status;
    cli_var *v = add_var(c, arg, n, t, &status);
    if (v == NULL)
        return status;
    v->itemsize = itemsize;
    return 0;
}

/* ---- Scalars for eval --------------------------------------------------- */

/* A scalar value as parsed from the command line. */
typedef struct scalar {
    enum { S_BOOL, S_INT, S_UINT, S_FLOAT, S_COMPLEX } kind; /* its kind */
    int64_t i;      /* S_BOOL (0/1), S_INT */
    uint64_t u;     /* S_UINT: above INT64_MAX */
    double re, im;  /* S_FLOAT (re), S_COMPLEX */
} scalar;

/* Parses an integer, float, True/False or complex (1+2j, 2j, -1.5-0.5j).
 * Returns 0 when text is none of these. */
static int parse_scalar_text(const char *text, scalar *s)
{
    char *end;
    if (strcmp(text, "True") == 0 || strcmp(text, "False") == 0) {
        s->kind = S_BOOL;
        s->i = text[0] == 'T';
        return 1;
    }
    if (*text == '\0' || strchr(" \t\n", *text) != NULL)
        return 0;
    /* Integers: decimal (or 0x hexadecimal) digits, an optional sign. */
    size_t k = (*text == '-' || *text == '+') ? 1 : 0;
    int base = text[k] == '0' && (text[k + 1] == 'x' || text[k + 1] == 'X') &&
                       text[k + 2] != '\0'
                   ? 16
                   : 10;
    const char *digits = base == 16 ? "0123456789abcdefABCDEF" : "0123456789";
    size_t skip = base == 16 ? k + 2 : k;
    if (text[skip] != '\0' &&
        strspn(text + skip, digits) == strlen(text + skip)) {
        errno = 0;
        long long v = strtoll(text, &end, base);
        if (errno == 0) {
            s->kind = S_INT;
            s->i = v;
            return 1;
        }
        if (*text != '-') {
            errno = 0;
            unsigned long long u = strtoull(text, &end, base);
            if (errno == 0) {
                s->kind = S_UINT;
                s->u = u;
                return 1;
            }
        }
        /* Beyond 64 bits: a float, as the value is still meaningful. */
    }
    double re = strtod(text, &end);
    if (end != text && *end == '\0') {
        s->kind = S_FLOAT;
        s->re = re;
        return 1;
    }
    /* Complex: [re](+|-)imj or imj. */
    size_t len = strlen(text);
    if (len >= 2 && (text[len - 1] == 'j' || text[len - 1] == 'J')) {
        if (end != text && (*end == '+' || *end == '-')) {
            char *end2;
            double im = strtod(end, &end2);
            if (end2 == text + len - 1 && end2 != end + 1) {
                s->kind = S_COMPLEX;
                s->re = re;
                s->im = im;
                return 1;
            }
        }
        if (end == text + len - 1) { /* "2j" */
            s->kind = S_COMPLEX;
            s->re = 0;
            s->im = re;
            return 1;
        }
    }
    return 0;
}

/* Stores s into v as dtype t, checking that it fits; returns 0 or prints
 * why not and returns the exit status. */
static int store_scalar(cli_var *v, const char *arg, const scalar *s,
                        jx_dtype t)
{
    v->dtype = t;
    v->arr.data = &v->value;
    v->arr.dtype = t;
    v->arr.ndim = 0;
    if (t == JX_BOOL) {
        if ((s->kind != S_BOOL && s->kind != S_INT) || s->i < 0 || s->i > 1)
            return usage_error("'%s': a bool is True, False, 1 or 0", arg);
        v->value.b = (unsigned char)s->i;
        return 0;
    }
    if (is_complex(t)) {
        double re = s->kind == S_INT ? (double)s->i
                    : s->kind == S_UINT ? (double)s->u
                    : s->kind == S_BOOL ? (double)s->i : s->re;
        double im = s->kind == S_COMPLEX ? s->im : 0.0;
        if (t == JX_COMPLEX64) {
            v->value.f[0] = (float)re;
            v->value.f[1] = (float)im;
        } else {
            v->value.c[0] = re;
            v->value.c[1] = im;
        }
        return 0;
    }
    if (s->kind == S_COMPLEX)
        return usage_error("'%s': a complex value needs a complex dtype", arg);
    if (t == JX_FLOAT16 || t == JX_FLOAT32 || t == JX_FLOAT64) {
        double d = s->kind == S_UINT ? (double)s->u
                   : s->kind == S_FLOAT ? s->re : (double)s->i;
        if (t == JX_FLOAT16)
            v->value.h = half_from_double(d);
        else if (t == JX_FLOAT32)
            v->value.f[0] = (float)d;
        else
            v->value.d = d;
        return 0;
    }
    /* Integers: from an integer, or a float with an integral value. */
    int neg;
    uint64_t mag;
    if (s->kind == S_FLOAT) {
        if (!(s->re == floor(s->re)) || fabs(s->re) >= 18446744073709551616.0)
            return usage_error("'%s': %s needs an integer value", arg,
                               jx_dtype_name(t));
        neg = s->re < 0;
        mag = (uint64_t)fabs(s->re);
    } else if (s->kind == S_UINT) {
        neg = 0;
        mag = s->u;
    } else {
        neg = s->i < 0;
        mag = neg ? (uint64_t)0 - (uint64_t)s->i : (uint64_t)s->i;
    }
    size_t bits = 8 * jx_dtype_size(t);
    int is_signed = is_signed_int(t);
    uint64_t maxpos = is_signed ? (UINT64_MAX >> (65 - bits))
                                : (UINT64_MAX >> (64 - bits));
    uint64_t maxneg = is_signed ? maxpos + 1 : 0;
    if ((neg && mag > maxneg) || (!neg && mag > maxpos))
        return usage_error("'%s': the value does not fit in %s", arg,
                           jx_dtype_name(t));
    uint64_t u = neg ? (uint64_t)0 - mag : mag; /* two's complement */
    switch (bits) {
    case 8: v->value.b = (unsigned char)u; break;
    case 16: v->value.h = (uint16_t)u; break;
    case 32: { uint32_t w = (uint32_t)u; memcpy(&v->value, &w, 4); break; }
    default: v->value.u = u;
    }
    return 0;
}

static int ends_with_npy(const char *s)
{
    size_t n = strlen(s);
    return n >= 4 && (strcmp(s + n - 4, ".npy") == 0 ||
                      strcmp(s + n - 4, ".NPY") == 0);
}

/* Parses "NAME=FILE.npy" or "NAME=VALUE[:DTYPE]" for eval. */
static int parse_binding(cli *c, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL)
        return usage_error("'%s': expected NAME=FILE.npy or NAME=VALUE", arg);
    const char *rhs = eq + 1;
    int status = 0;
    cli_var *v = add_var(c, arg, (size_t)(eq - arg), JX_DTYPE_INVALID,
                         &status);
    if (v == NULL)
        return status;

    /* A value, unless it looks like a path. */
    if (!ends_with_npy(rhs) && strchr(rhs, '/') == NULL) {
        char text[128];
        snprintf(text, sizeof text, "%s", rhs);
        char *colon = strrchr(text, ':');
        jx_dtype t = JX_DTYPE_INVALID;
        if (colon != NULL)
            *colon = '\0';
        scalar s = {0};
        size_t itemsize = 0;
        if (colon != NULL && colon[1] == 'S' && access(rhs, F_OK) != 0)
            return usage_error("'%s': byte string values are not taken "
                               "from the command line: write b'...' in "
                               "EXPR, or give a .npy file", arg);
        if (strlen(rhs) < sizeof text && parse_scalar_text(text, &s)) {
            if (colon != NULL && (t = parse_dtype(colon + 1, &itemsize,
                                                  &status)) == JX_DTYPE_INVALID)
                return status;
            if (colon == NULL)
                t = s.kind == S_BOOL      ? JX_BOOL
                    : s.kind == S_INT     ? JX_INT64
                    : s.kind == S_UINT    ? JX_UINT64
                    : s.kind == S_COMPLEX ? JX_COMPLEX128
                                          : JX_FLOAT64;
            return store_scalar(v, arg, &s, t);
        }
        if (access(rhs, F_OK) != 0)
            return usage_error("'%s': '%s' is not a number, True, False or "
                               "a .npy file", arg, rhs);
    }
    char msg[512];
    size_t itemsize = 0;
    if (jx_npy_load(rhs, &v->arr, &itemsize, msg, sizeof msg) != JX_NPY_OK)
        return io_error("%s", msg);
    v->from_npy = 1;
    v->dtype = v->arr.dtype;
    v->itemsize = v->dtype == JX_BYTES ? itemsize : 0;
    return 0;
}

/* ---- Commands ------------------------------------------------------------ */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* If err is an unknown name the caller may add, adds it as float64 and
 * returns 1. */
static int add_unknown_name(cli *c, const char *src, const jx_error *err)
{
    if (err->code != JX_ERR_NAME || err->offset < 0 || err->length <= 0 ||
        (size_t)(err->offset + err->length) > strlen(src) ||
        c->nvars >= JX_MAX_VARS)
        return 0;
    const char *name = src + err->offset;
    size_t n = (size_t)err->length;
    if (!is_identifier(name, n) || find_var(c, name, n) >= 0)
        return 0;
    int status;
    return add_var(c, name, n, JX_FLOAT64, &status) != NULL;
}

/* Compiles src, adding each unknown name as a float64 variable when
 * auto_vars is set.  Returns the expression, or NULL after printing the
 * error (status set).  If seconds is not NULL it gets the time of the
 * successful jx_compile call. */
static jx_expr *compile_expr(cli *c, const char *src, unsigned flags,
                             int auto_vars, double *seconds, int *status)
{
    for (int tries = 0;; tries++) {
        jx_error err = {0};
        build_tables(c);
        double t0 = now();
        jx_expr *e = jx_compile(src, c->table, c->nvars, flags, &err);
        double t1 = now();
        if (e != NULL) {
            if (seconds)
                *seconds = t1 - t0;
            return e;
        }
        if (auto_vars && tries < JX_MAX_VARS && add_unknown_name(c, src, &err))
            continue;
        report_error(src, &err);
        *status = EXIT_USAGE;
        return NULL;
    }
}

/* The slot in c->vars of the i-th variable e uses, or -1 if the library
 * answers something out of range. */
static int used_var(const cli *c, const jx_expr *e, int i)
{
    int k = jx_expr_used(e, i);
    return k >= 0 && k < c->nvars ? k : -1;
}

static int cmd_eval(int argc, char **argv)
{
    if (argc < 1)
        return usage_error("eval: missing EXPR");
    const char *src = argv[0];
    const char *outpath = NULL;
    cli *c = calloc(1, sizeof *c);
    if (c == NULL)
        return io_error("out of memory");
    int status = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (i + 1 >= argc)
                status = usage_error("%s needs a file name", argv[i]);
            else if (outpath != NULL)
                status = usage_error("-o given twice");
            else
                outpath = argv[++i];
        } else if (argv[i][0] == '-') {
            status = usage_error("eval: unknown option '%s'", argv[i]);
        } else {
            status = parse_binding(c, argv[i]);
        }
    }
    jx_expr *e = NULL;
    jx_array out = {0};
    if (status == 0)
        e = compile_expr(c, src, 0, 0, NULL, &status);
    if (e != NULL && jx_expr_dtype(e) == JX_BYTES) {
        /* The library makes them (where(c, s, t)); writing .npy files
         * and summaries of them is not done here yet. */
        status = usage_error("eval: the result is a byte string (S%zu): the "
                             "command line writes numbers and bools only",
                             jx_expr_itemsize(e));
    } else if (e != NULL) {
        jx_error err = {0};
        if (jx_eval_new(e, c->inputs, &out, &err) != JX_OK) {
            report_error(src, &err);
            status = EXIT_USAGE;
            out.data = NULL;
        } else if (outpath != NULL) {
            char msg[512];
            if (jx_npy_save(outpath, &out, msg, sizeof msg) != JX_NPY_OK)
                status = io_error("%s", msg);
        } else {
            print_summary(stdout, &out);
        }
    }
    if (out.data != NULL)
        jx_free(out.data);
    if (e != NULL)
        jx_expr_free(e);
    free_vars(c);
    free(c);
    if (status == 0 && fflush(stdout) != 0)
        status = io_error("standard output: %s", strerror(errno));
    return status;
}

static int cmd_explain(int argc, char **argv)
{
    if (argc < 1)
        return usage_error("explain: missing EXPR");
    const char *src = argv[0];
    cli *c = calloc(1, sizeof *c);
    if (c == NULL)
        return io_error("out of memory");
    int status = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        if (argv[i][0] == '-')
            status = usage_error("explain: unknown option '%s'", argv[i]);
        else
            status = parse_typed_name(c, argv[i]);
    }
    for (int tries = 0; status == 0; tries++) {
        jx_error err = {0};
        build_tables(c);
        char *text = jx_explain(src, c->table, c->nvars, JX_EXPLAIN_ALL, &err);
        if (text != NULL) {
            fputs(text, stdout);
            if (*text && text[strlen(text) - 1] != '\n')
                fputc('\n', stdout);
            jx_free(text);
            break;
        }
        if (tries < JX_MAX_VARS && add_unknown_name(c, src, &err))
            continue;
        report_error(src, &err);
        status = EXIT_USAGE;
    }
    free_vars(c);
    free(c);
    if (status == 0 && fflush(stdout) != 0)
        status = io_error("standard output: %s", strerror(errno));
    return status;
}

/* splitmix64: a small, fixed-seed generator for bench data. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Fills n elements of dtype t: floats in [0.1, 1.1), ints in 1..100,
 * bools at random, byte strings of itemsize bytes: 0 to itemsize letters
 * from "abcd", then NULs. */
static void fill_random(void *data, int64_t n, jx_dtype t, size_t itemsize,
                        uint64_t seed)
{
    uint64_t st = seed;
    for (int64_t i = 0; i < n; i++) {
        uint64_t r = next_random(&st);
        double f = 0.1 + (double)(r >> 11) * 0x1.0p-53;
        int64_t k = 1 + (int64_t)(r % 100);
        switch (t) {
        case JX_BOOL: ((unsigned char *)data)[i] = r >> 63; break;
        case JX_INT8: ((int8_t *)data)[i] = (int8_t)k; break;
        case JX_INT16: ((int16_t *)data)[i] = (int16_t)k; break;
        case JX_INT32: ((int32_t *)data)[i] = (int32_t)k; break;
        case JX_INT64: ((int64_t *)data)[i] = k; break;
        case JX_UINT8: ((uint8_t *)data)[i] = (uint8_t)k; break;
        case JX_UINT16: ((uint16_t *)data)[i] = (uint16_t)k; break;
        case JX_UINT32: ((uint32_t *)data)[i] = (uint32_t)k; break;
        case JX_UINT64: ((uint64_t *)data)[i] = (uint64_t)k; break;
        case JX_FLOAT16: ((uint16_t *)data)[i] = half_from_double(f); break;
        case JX_FLOAT32: ((float *)data)[i] = (float)f; break;
        case JX_FLOAT64: ((double *)data)[i] = f; break;
        case JX_COMPLEX64:
            ((float *)data)[2 * i] = (float)f;
            ((float *)data)[2 * i + 1] =
                (float)(0.1 + (double)(next_random(&st) >> 11) * 0x1.0p-53);
            break;
        case JX_COMPLEX128:
            ((double *)data)[2 * i] = f;
            ((double *)data)[2 * i + 1] =
                0.1 + (double)(next_random(&st) >> 11) * 0x1.0p-53;
            break;
        case JX_BYTES: {
            unsigned char *s = (unsigned char *)data + (size_t)i * itemsize;
            size_t len = (size_t)(r % (itemsize + 1));
            for (size_t j = 0; j < itemsize; j++)
                s[j] = j < len ? (unsigned char)('a' + (next_random(&st) >> 62))
                               : 0;
            break;
        }
        default: break;
        }
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Parses a count such as 10000000 or 1e7 into [lo, hi]. */
static int parse_count(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !(d == floor(d)) ||
        d < (double)lo || d > (double)hi)
        return 0;
    *out = (int64_t)d;
    return 1;
}

/* Prints a duration with a unit that suits it. */
static void format_seconds(char *buf, size_t size, double s)
{
    if (s >= 1)
        snprintf(buf, size, "%.3f s", s);
    else if (s >= 1e-3)
        snprintf(buf, size, "%.3f ms", s * 1e3);
    else
        snprintf(buf, size, "%.2f us", s * 1e6);
}

/* Gives each variable e uses n generated elements, and the others a 0-d
 * zero; returns 0 or the exit status.  *in_bytes gets the sum of the used
 * inputs' itemsizes. */
static int bench_data(cli *c, const jx_expr *e, int64_t n, size_t *in_bytes)
{
    *in_bytes = 0;
    for (int k = 0; k < jx_expr_nused(e); k++) {
        if (used_var(c, e, k) < 0)
            continue;
        cli_var *v = &c->vars[used_var(c, e, k)];
        size_t item = v->dtype == JX_BYTES ? v->itemsize
                                           : jx_npy_itemsize(v->dtype);
        char name[32];
        *in_bytes += item;
        if ((uint64_t)n > SIZE_MAX / item ||
            posix_memalign(&v->owned, 64, (size_t)n * item) != 0) {
            v->owned = NULL;
            return io_error("out of memory for %lld elements of %s",
                            (long long)n, dtype_text(name, sizeof name, v));
        }
        fill_random(v->owned, n, v->dtype, item,
                    42 + 1000003u * (unsigned)k);
        v->arr.data = v->owned;
        v->arr.dtype = v->dtype;
        v->arr.ndim = 1;
        v->arr.shape[0] = n;
        v->arr.strides[0] = (int64_t)item;
    }
    for (int k = 0; k < c->nvars; k++)
        if (c->vars[k].arr.data == NULL) {
            c->vars[k].arr.data = &c->vars[k].value;
            c->vars[k].arr.dtype = c->vars[k].dtype;
        }
    build_tables(c);
    return 0;
}

/* A first jx_eval_new (which tells the output's shape), then into a
 * preallocated output one warm-up jx_eval and repeats timed ones; times[]
 * gets the sorted durations.  Returns 0 or the exit status. */
static int bench_run(cli *c, const jx_expr *e, const char *src,
                     int64_t repeats, double *times, jx_array *out)
{
    jx_error err = {0};
    if (jx_eval_new(e, c->inputs, out, &err) != JX_OK) {
        report_error(src, &err);
        out->data = NULL;
        return EXIT_USAGE;
    }
    jx_free(out->data);
    out->data = NULL;
    size_t item = jx_dtype_size(out->dtype);
    int64_t count = array_size(out);
    int64_t stride = (int64_t)item;
    for (int d = out->ndim - 1; d >= 0; d--) {
        out->strides[d] = stride;
        stride *= out->shape[d] > 1 ? out->shape[d] : 1;
    }
    if (posix_memalign(&out->data, 64,
                       count > 0 ? (size_t)count * item : 64) != 0) {
        out->data = NULL;
        return io_error("out of memory for the output");
    }
    for (int64_t r = -1; r < repeats; r++) { /* r == -1: the warm-up */
        double t0 = now();
        if (jx_eval(e, c->inputs, out, &err) != JX_OK) {
            report_error(src, &err);
            return EXIT_USAGE;
        }
        if (r >= 0)
            times[r] = now() - t0;
    }
    qsort(times, (size_t)repeats, sizeof *times, cmp_double);
    return 0;
}

/* The implementation chosen for each math function so far (ours or the
 * library's, and the timing that chose it), one "math:" line each, then
 * how evaluations chose to run ("run:" lines of jx_target_info). */
static void print_math_choices(void)
{
    char *info = jx_target_info();
    const char *p = info != NULL ? strchr(info, '\n') : NULL;
    while (p != NULL) {
        const char *end = strchr(p + 1, '\n');
        int len = end ? (int)(end - p - 1) : (int)strlen(p + 1);
        if (strncmp(p + 1, "run: ", 5) == 0)
            printf("run:        %.*s\n", len - 5, p + 6);
        else
            printf("math:       %.*s\n", len, p + 1);
        p = end;
    }
    jx_free(info);
}

static int cmd_bench(int argc, char **argv)
{
    if (argc < 1)
        return usage_error("bench: missing EXPR");
    const char *src = argv[0];
    int64_t n = 10000000, repeats = 9;
    cli *c = calloc(1, sizeof *c);
    if (c == NULL)
        return io_error("out of memory");
    int status = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        if (strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "-r") == 0 ||
            strcmp(argv[i], "-t") == 0) {
            char opt = argv[i][1];
            int64_t threads;
            if (i + 1 >= argc)
                status = usage_error("%s needs a number", argv[i]);
            else if (opt == 'n' &&
                     !parse_count(argv[i + 1], 1, INT64_C(1) << 40, &n))
                status = usage_error("-n: '%s' is not a count from 1 to 2^40 "
                                     "(e.g. 1000000 or 1e6)", argv[i + 1]);
            else if (opt == 'r' &&
                     !parse_count(argv[i + 1], 1, 1000000, &repeats))
                status = usage_error("-r: '%s' is not a count from 1 to "
                                     "1000000", argv[i + 1]);
            else if (opt == 't' &&
                     (!parse_count(argv[i + 1], 1, 1 << 20, &threads) ||
                      jx_set_num_threads((int)threads) < 0))
                status = usage_error("-t: '%s' is not a thread count from 1 "
                                     "to %d", argv[i + 1], jx_max_threads());
            i++;
        } else if (argv[i][0] == '-') {
            status = usage_error("bench: unknown option '%s'", argv[i]);
        } else {
            status = parse_typed_name(c, argv[i]);
        }
    }

    /* The first compile of the process, past the kernel cache; then one
     * through the cache (which stores the kernel) and one that hits it. */
    jx_expr *e = NULL, *again = NULL;
    double t_first = 0, t_again = 0;
    jx_stats before = {0}, after = {0};
    if (status == 0)
        e = compile_expr(c, src, JX_FLAG_NO_CACHE, 1, &t_first, &status);
    if (e != NULL && (again = compile_expr(c, src, 0, 0, NULL, &status))) {
        jx_expr_free(again);
        jx_get_stats(&before);
        again = compile_expr(c, src, 0, 0, &t_again, &status);
        jx_get_stats(&after);
    }

    size_t in_bytes = 0;
    jx_array out = {0};
    double *times = NULL;
    if (again != NULL) {
        status = bench_data(c, e, n, &in_bytes);
        times = malloc((size_t)repeats * sizeof *times);
        if (status == 0 && times == NULL)
            status = io_error("out of memory");
        if (status == 0)
            status = bench_run(c, e, src, repeats, times, &out);
    }
    if (again != NULL && status == 0) {
        double med = repeats % 2 ? times[repeats / 2]
                                 : 0.5 * (times[repeats / 2 - 1] +
                                          times[repeats / 2]);
        double bytes =
            (double)n * (double)(in_bytes + jx_dtype_size(out.dtype));
        char b1[32], b2[32], b3[32];
        printf("expression: %s\n", src);
        printf("inputs:    ");
        if (jx_expr_nused(e) == 0)
            printf(" none");
        for (int k = 0; k < jx_expr_nused(e); k++) {
            if (used_var(c, e, k) < 0)
                continue;
            const cli_var *v = &c->vars[used_var(c, e, k)];
            char name[32];
            printf("%s %s %s", k ? "," : "", v->name,
                   dtype_text(name, sizeof name, v));
        }
        printf(" (n = %lld) -> %s ", (long long)n, jx_dtype_name(out.dtype));
        print_shape(stdout, &out);
        printf("\nthreads:    %d\n", jx_get_num_threads());
        format_seconds(b1, sizeof b1, t_first);
        format_seconds(b2, sizeof b2, t_again);
        printf("compile:    first %s (JX_FLAG_NO_CACHE), again %s%s\n", b1, b2,
               after.cache_hits > before.cache_hits ? " (cache hit)" : "");
        format_seconds(b1, sizeof b1, med);
        format_seconds(b2, sizeof b2, times[0]);
        format_seconds(b3, sizeof b3, times[repeats - 1]);
        printf("eval:       median %s of %lld runs (min %s, max %s)\n", b1,
               (long long)repeats, b2, b3);
        printf("throughput: %.3g elements/s, %.2f GB/s\n", (double)n / med,
               bytes / med / 1e9);
        print_math_choices();
    }
    free(times);
    free(out.data);
    if (again != NULL)
        jx_expr_free(again);
    if (e != NULL)
        jx_expr_free(e);
    free_vars(c);
    free(c);
    if (status == 0 && fflush(stdout) != 0)
        status = io_error("standard output: %s", strerror(errno));
    return status;
}

static int cmd_version(void)
{
    const char *lib = jx_version();
    printf("jitexpr %s", JITEXPR_VERSION);
    if (lib != NULL && strcmp(lib, JITEXPR_VERSION) != 0)
        printf(" (library %s)", lib);
    printf("\n");
    char *info = jx_target_info();
    if (info != NULL) /* the first line: what kernels are compiled for */
        printf("target: %.*s\n", (int)strcspn(info, "\n"), info);
    jx_free(info);
    return 0;
}

static int is_help(const char *s)
{
    return strcmp(s, "help") == 0 || strcmp(s, "-h") == 0 ||
           strcmp(s, "--help") == 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (is_help(cmd)) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0)
        return cmd_version();
    int (*fn)(int, char **) = strcmp(cmd, "eval") == 0      ? cmd_eval
                              : strcmp(cmd, "explain") == 0 ? cmd_explain
                              : strcmp(cmd, "bench") == 0   ? cmd_bench
                                                            : NULL;
    if (fn == NULL)
        return usage_error("unknown command '%s'", cmd);
    /* "jitexpr eval -h": help; otherwise the first argument is EXPR, even
     * when it starts with '-' ("-a*b"). */
    if (argc >= 3 && (strcmp(argv[2], "-h") == 0 ||
                      strcmp(argv[2], "--help") == 0)) {
        fputs(usage_text, stdout);
        return 0;
    }
    return fn(argc - 2, argv + 2);
}
