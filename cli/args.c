/*
 * args.c - the command line's arguments: the variable table (NAME:DTYPE,
 * NAME=FILE.npy, NAME=VALUE[:DTYPE]), dtype names, scalar values, counts,
 * and compiling an expression against the table (adding unknown names as
 * float64 variables where the command allows).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "npy.h"

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
        *status = report_usage("'%.*s' is not a valid variable name", (int)n,
                              name);
        return NULL;
    }
    if (find_var(c, name, n) >= 0) {
        *status = report_usage("variable '%.*s' given twice", (int)n, name);
        return NULL;
    }
    if (c->nvars >= JX_MAX_VARS) {
        *status = report_usage("too many variables (the limit is %d)",
                              JX_MAX_VARS);
        return NULL;
    }
    cli_var *v = &c->vars[c->nvars];
    memset(v, 0, sizeof *v);
    char *norm = jx_name_normalize(name, n); /* is_identifier: UTF-8 */
    v->name = norm ? strdup(norm) : NULL;
    jx_free(norm);
    if (v->name == NULL) {
        *status = report_io("out of memory");
        return NULL;
    }
    v->dtype = t;
    c->nvars++;
    return v;
}

void args_free(cli *c)
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

int args_done(cli *c, int status)
{
    args_free(c);
    free(c);
    if (status == 0 && fflush(stdout) != 0)
        status = report_io("standard output: %s", strerror(errno));
    return status;
}

/* Fills the tables handed to the library from the variables. */
void args_build_tables(cli *c)
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
            *status = report_usage("dtype '%s': byte strings are S<n>, n the "
                                  "bytes per element, as in S8", s);
            return JX_DTYPE_INVALID;
        }
        if (rc != JX_NPY_OK && n == 0) {
            *status = report_usage("dtype '%s': byte strings need a size of 1 "
                                  "or more, as in S8", s);
            return JX_DTYPE_INVALID;
        }
        if (rc != JX_NPY_OK) {
            *status = report_usage("dtype '%s': byte strings of more than %d "
                                  "bytes are not supported", s, INT32_MAX);
            return JX_DTYPE_INVALID;
        }
        *itemsize = n;
        return JX_BYTES;
    }
    jx_dtype t = jx_dtype_from_name(s);
    if (t == JX_BYTES) { /* "bytes" or "S": no size */
        *status = report_usage("dtype '%s': byte strings need a size: S<n>, "
                              "as in S8", s);
        return JX_DTYPE_INVALID;
    }
    if (t == JX_DTYPE_INVALID) {
        char list[256] = "";
        for (int i = 0; i < JX_DTYPE_COUNT; i++) {
            strcat(list, i ? ", " : "");
            strcat(list, i == JX_BYTES ? "S<n>" : jx_dtype_name((jx_dtype)i));
        }
        *status = report_usage("unknown dtype '%s' (one of: %s)", s, list);
    }
    return t;
}

/* A variable's dtype as the CLI spells it: "float64", or "S8". */
const char *args_dtype_text(char *buf, size_t size, const cli_var *v)
{
    if (v->dtype == JX_BYTES)
        snprintf(buf, size, "S%zu", v->itemsize);
    else
        snprintf(buf, size, "%s", jx_dtype_name(v->dtype));
    return buf;
}

/* Parses "NAME:DTYPE" (or "NAME", float64) for explain and bench. */
int args_typed_name(cli *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    int status = 0;
    if (strchr(arg, '=') != NULL)
        return report_usage("'%s': expected NAME:DTYPE (this command makes "
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
            return report_usage("'%s': a bool is True, False, 1 or 0", arg);
        v->value.b = (unsigned char)s->i;
        return 0;
    }
    if (cli_is_complex(t)) {
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
        return report_usage("'%s': a complex value needs a complex dtype", arg);
    if (t == JX_FLOAT16 || t == JX_FLOAT32 || t == JX_FLOAT64) {
        double d = s->kind == S_UINT ? (double)s->u
                   : s->kind == S_FLOAT ? s->re : (double)s->i;
        if (t == JX_FLOAT16)
            v->value.h = print_half_bits(d);
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
            return report_usage("'%s': %s needs an integer value", arg,
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
    int is_signed = cli_is_signed_int(t);
    uint64_t maxpos = is_signed ? (UINT64_MAX >> (65 - bits))
                                : (UINT64_MAX >> (64 - bits));
    uint64_t maxneg = is_signed ? maxpos + 1 : 0;
    if ((neg && mag > maxneg) || (!neg && mag > maxpos))
        return report_usage("'%s': the value does not fit in %s", arg,
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
int args_binding(cli *c, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL)
        return report_usage("'%s': expected NAME=FILE.npy or NAME=VALUE", arg);
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
            return report_usage("'%s': byte string values are not taken "
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
            return report_usage("'%s': '%s' is not a number, True, False or "
                               "a .npy file", arg, rhs);
    }
    char msg[512];
    size_t itemsize = 0;
    if (jx_npy_load(rhs, &v->arr, &itemsize, msg, sizeof msg) != JX_NPY_OK)
        return report_io("%s", msg);
    v->from_npy = 1;
    v->dtype = v->arr.dtype;
    v->itemsize = v->dtype == JX_BYTES ? itemsize : 0;
    return 0;
}

/* ---- Compiling against the table ---------------------------------------- */

/* If err is an unknown name the caller may add, adds it as float64 and
 * returns 1. */
int args_add_unknown(cli *c, const char *src, const jx_error *err)
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
jx_expr *args_compile(cli *c, const char *src, unsigned flags,
                             int auto_vars, double *seconds, int *status)
{
    for (int tries = 0;; tries++) {
        jx_error err = {0};
        args_build_tables(c);
        double t0 = cli_now();
        jx_expr *e = jx_compile(src, c->table, c->nvars, flags, &err);
        double t1 = cli_now();
        if (e != NULL) {
            if (seconds)
                *seconds = t1 - t0;
            return e;
        }
        if (auto_vars && tries < JX_MAX_VARS && args_add_unknown(c, src, &err))
            continue;
        report_error(src, &err);
        *status = CLI_EXIT_USAGE;
        return NULL;
    }
}

/* The slot in c->vars of the i-th variable e uses, or -1 if the library
 * answers something out of range. */
int args_used_var(const cli *c, const jx_expr *e, int i)
{
    int k = jx_expr_used(e, i);
    return k >= 0 && k < c->nvars ? k : -1;
}

/* ---- Options ------------------------------------------------------------- */

/* Parses a count such as 10000000 or 1e7 into [lo, hi]. */
int args_count(const char *s, int64_t lo, int64_t hi, int64_t *out)
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
