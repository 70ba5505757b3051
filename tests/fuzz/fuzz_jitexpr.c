/*
 * fuzz_jitexpr.c - the libFuzzer harness over the public API.
 *
 * An input is a header of JX_FUZZ_HEADER bytes, then the expression text:
 *
 *   byte 0      bit 0: compile with JX_FLAG_NO_CACHE; bits 1-7: where in
 *               each dtype's table of values the fill starts
 *   bytes 1-4   one per variable, in the order jx_names lists them (the
 *               fifth variable uses byte 1 again, and so on):
 *               bits 0-3 the dtype (mod JX_DTYPE_COUNT, JX_BYTES included),
 *               bits 4-6 the layout (layouts[] below),
 *               bit 7 JX_VAR_WEAK (the variable is then a 0-d array)
 *   byte 5      byte strings' itemsize: 1 + (byte 5 + variable index) % 6
 *
 * The harness finds the names with jx_names, binds each to a small array
 * of interesting values (0, -1, NaN, inf, the type's extremes), compiles,
 * evaluates with jx_eval_new and with jx_eval into an array of the shape
 * jx_expr_result_shape gives, and frees everything.  Every input buffer is
 * allocated at its exact size, so AddressSanitizer sees any read past it.
 * An error from the library is a result like any other; crashes, sanitizer
 * reports, leaks, hangs and an output shape that disagrees with
 * jx_expr_result_shape are findings.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jitexpr.h"

#define JX_FUZZ_HEADER 6
#define JX_FUZZ_MAX_VARS 16 /* names beyond these stay unbound */

/* Shapes and strides, in elements; the data starts at element `first`. */
typedef struct layout {
    int ndim;
    int64_t shape[2];
    int64_t strides[2];
    int64_t first;  /* element the data pointer points at */
    int64_t count;  /* elements the buffer holds */
} layout;

static const layout layouts[8] = {
    {0, {0, 0}, {0, 0}, 0, 1},   /* 0-d */
    {1, {0, 0}, {1, 0}, 0, 0},   /* empty */
    {1, {1, 0}, {1, 0}, 0, 1},   /* one element */
    {1, {3, 0}, {1, 0}, 0, 3},   /* contiguous */
    {1, {3, 0}, {-2, 0}, 4, 5},  /* reversed, every other element */
    {1, {3, 0}, {0, 0}, 0, 1},   /* one element broadcast (stride 0) */
    {2, {2, 3}, {3, 1}, 0, 6},   /* C order */
    {2, {2, 3}, {1, 2}, 0, 6},   /* Fortran order */
};

/* Interesting values per kind of dtype, as doubles or raw bits. */
static const double float_values[] = {
    0.0, -0.0, 1.0, -1.0, NAN, INFINITY, -INFINITY, 0.5, 3.0,
    1.7976931348623157e308, 4.9e-324, -2.5, 65504.0, 1e-8,
};
static const int64_t int_values[] = {
    0, -1, 1, 2, 7, -128, 127, 255, 32767, -32768, 65535,
    2147483647, -2147483647 - 1, INT64_MAX, INT64_MIN, 63, 64,
};
static const uint16_t half_values[] = {
    0x0000, 0x8000, 0x3c00, 0xbc00, 0x7e00, 0x7c00, 0xfc00, 0x7bff,
    0x0001, 0x3800,
};
static const struct {
    const char *s;
    size_t n;
} bytes_values[] = {
    {"", 0}, {"a", 1}, {"ab", 2}, {"abc", 3}, {"\xff\xfe", 2},
    {"b\0c", 3}, {"aaaaaaaa", 8}, {"0", 1},
};

#define NV(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* Writes value number k of dtype t into p (itemsize bytes). */
static void fill_one(jx_dtype t, size_t itemsize, unsigned char *p, int k)
{
    double d = float_values[k % NV(float_values)];
    int64_t i = int_values[k % NV(int_values)];
    switch (t) {
    case JX_BOOL: p[0] = (unsigned char)(k & 1); break;
    case JX_INT8: { int8_t v = (int8_t)i; memcpy(p, &v, 1); break; }
    case JX_INT16: { int16_t v = (int16_t)i; memcpy(p, &v, 2); break; }
    case JX_INT32: { int32_t v = (int32_t)i; memcpy(p, &v, 4); break; }
    case JX_INT64: memcpy(p, &i, 8); break;
    case JX_UINT8: { uint8_t v = (uint8_t)i; memcpy(p, &v, 1); break; }
    case JX_UINT16: { uint16_t v = (uint16_t)i; memcpy(p, &v, 2); break; }
    case JX_UINT32: { uint32_t v = (uint32_t)i; memcpy(p, &v, 4); break; }
    case JX_UINT64: { uint64_t v = (uint64_t)i; memcpy(p, &v, 8); break; }
    case JX_FLOAT16: memcpy(p, &half_values[k % NV(half_values)], 2); break;
    case JX_FLOAT32: { float v = (float)d; memcpy(p, &v, 4); break; }
    case JX_FLOAT64: memcpy(p, &d, 8); break;
    case JX_COMPLEX64: {
        float v[2] = {(float)d, (float)float_values[(k + 3) % NV(float_values)]};
        memcpy(p, v, 8);
        break;
    }
    case JX_COMPLEX128: {
        double v[2] = {d, float_values[(k + 3) % NV(float_values)]};
        memcpy(p, v, 16);
        break;
    }
    case JX_BYTES: {
        size_t n = bytes_values[k % NV(bytes_values)].n;
        memset(p, 0, itemsize);
        memcpy(p, bytes_values[k % NV(bytes_values)].s, n < itemsize ? n : itemsize);
        break;
    }
    default: break;
    }
}

/* Reads every byte of an array, so that AddressSanitizer checks its span;
 * the sum goes to a volatile, so the reads are not optimised away. */
static volatile unsigned sink;

static void touch(const jx_array *a, size_t itemsize)
{
    int64_t n = 1;
    for (int d = 0; d < a->ndim; d++)
        n *= a->shape[d];
    unsigned sum = 0;
    const unsigned char *p = a->data;
    for (int64_t i = 0; i < n * (int64_t)itemsize; i++)
        sum += p[i];
    sink = sum;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* Our math kernels, not a choice made by timing: a finding must
     * replay the same way (the Check suites do the same). */
    setenv("JITEXPR_MATHLIB", "own", 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < JX_FUZZ_HEADER)
        return 0;
    const uint8_t *h = data;
    char *src = malloc(size - JX_FUZZ_HEADER + 1);
    if (!src)
        return 0;
    memcpy(src, data + JX_FUZZ_HEADER, size - JX_FUZZ_HEADER);
    src[size - JX_FUZZ_HEADER] = '\0';

    jx_error err;
    char *names = jx_names(src, &err);
    if (!names) {
        free(src);
        return 0;
    }

    jx_var vars[JX_FUZZ_MAX_VARS];
    jx_array in[JX_FUZZ_MAX_VARS];
    void *bufs[JX_FUZZ_MAX_VARS];
    int nvars = 0;
    memset(in, 0, sizeof in);
    for (const char *n = names; *n && nvars < JX_FUZZ_MAX_VARS; n += strlen(n) + 1) {
        uint8_t c = h[1 + nvars % 4];
        jx_dtype t = (jx_dtype)((c & 15) % JX_DTYPE_COUNT);
        int weak = (c >> 7) & 1;
        const layout *l = &layouts[weak ? 0 : (c >> 4) & 7];
        size_t item = t == JX_BYTES ? 1 + (size_t)(h[5] + nvars) % 6 : jx_dtype_size(t);

        vars[nvars] = (jx_var){n, t, weak ? JX_VAR_WEAK : 0, t == JX_BYTES ? item : 0};
        unsigned char *buf = malloc((size_t)l->count * item);
        for (int64_t k = 0; k < l->count; k++)
            fill_one(t, item, buf + k * item, (int)(h[0] >> 1) + (int)k);
        bufs[nvars] = buf;
        in[nvars].data = buf + l->first * (int64_t)item;
        in[nvars].dtype = t;
        in[nvars].ndim = l->ndim;
        for (int d = 0; d < l->ndim; d++) {
            in[nvars].shape[d] = l->shape[d];
            in[nvars].strides[d] = l->strides[d] * (int64_t)item;
        }
        nvars++;
    }

    jx_expr *e = jx_compile(src, vars, nvars, (h[0] & 1) ? JX_FLAG_NO_CACHE : 0, &err);
    if (e) {
        int count;
        jx_tree_node *tree = jx_tree(src, vars, nvars, &count, &err);
        jx_free(tree);
        size_t item = jx_expr_itemsize(e);
        (void)strlen(jx_expr_ir(e));

        int ndim;
        int64_t shape[JX_MAX_DIMS];
        int shaped = jx_expr_result_shape(e, in, &ndim, shape, &err) == 0;

        jx_array out;
        if (jx_eval_new(e, in, &out, &err) == 0) {
            /* Both must agree on the shape of the result. */
            if (!shaped || out.ndim != ndim ||
                memcmp(out.shape, shape, (size_t)ndim * sizeof shape[0]) != 0)
                abort();
            touch(&out, item);
            jx_free(out.data);
        }

        if (shaped) {
            /* jx_eval into an array the caller allocated, C order. */
            jx_array o;
            memset(&o, 0, sizeof o);
            o.dtype = jx_expr_dtype(e);
            o.ndim = ndim;
            int64_t n = 1;
            for (int d = ndim - 1; d >= 0; d--) {
                o.shape[d] = shape[d];
                o.strides[d] = n * (int64_t)item;
                n *= shape[d];
            }
            o.data = malloc((size_t)n * item);
            if (o.data && jx_eval(e, in, &o, &err) == 0)
                touch(&o, item);
            free(o.data);
        }
        jx_expr_free(e);
    }

    for (int i = 0; i < nvars; i++)
        free(bufs[i]);
    jx_free(names);
    free(src);
    return 0;
}
