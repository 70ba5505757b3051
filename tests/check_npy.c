/* check_npy.c - tests of the CLI's .npy reader and writer (cli/npy.c):
 * round trips of every dtype and layout, and byte strings.  Malformed and
 * unsupported files, and failed saves, are in check_npy_reject.c.
 *
 * Every file a test reads is written by the test itself into a temporary
 * directory (npyutil.h).  Byte string files ('|S<n>') are also evaluated
 * through the library, as the CLI does: comparisons and contains() against
 * the bools written in the table.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jitexpr.h"
#include "npy.h"
#include "npyutil.h"

/* Reads a whole file into a malloc'd buffer. */
static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(len > 0 ? (size_t)len : 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return buf;
}

/* ---- Round trips --------------------------------------------------- */

/* One row per dtype: the descr written, and 6 sample elements' bytes. */
static const struct {
    jx_dtype t;
    const char *descr;
} all_dtypes[] = {
    {JX_BOOL, "|b1"},       {JX_INT8, "|i1"},       {JX_INT16, "<i2"},
    {JX_INT32, "<i4"},      {JX_INT64, "<i8"},      {JX_UINT8, "|u1"},
    {JX_UINT16, "<u2"},     {JX_UINT32, "<u4"},     {JX_UINT64, "<u8"},
    {JX_FLOAT16, "<f2"},    {JX_FLOAT32, "<f4"},    {JX_FLOAT64, "<f8"},
    {JX_COMPLEX64, "<c8"},  {JX_COMPLEX128, "<c16"},
};

START_TEST(test_roundtrip_dtype)
{
    jx_dtype t = all_dtypes[_i].t;
    size_t item = jx_npy_itemsize(t);
    ck_assert_str_eq(jx_npy_descr(t), all_dtypes[_i].descr);
    unsigned char data[6 * 16];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(t == JX_BOOL ? i % 2 : i * 7 + 3);
    jx_array a = {.data = data, .dtype = t, .ndim = 2, .shape = {2, 3},
                  .strides = {(int64_t)(3 * item), (int64_t)item}};
    char msg[256];
    char name[32];
    snprintf(name, sizeof name, "rt%d.npy", (int)t);
    const char *path = tmp_path(name);
    ck_assert_int_eq(jx_npy_save(path, &a, msg, sizeof msg), JX_NPY_OK);

    /* The header is exactly what NumPy writes, data at a multiple of 64. */
    size_t n;
    unsigned char *file = read_all(path, &n);
    ck_assert_uint_eq(n, 128 + 6 * item);
    ck_assert_int_eq(memcmp(file, "\x93NUMPY\x01\x00", 8), 0);
    ck_assert_uint_eq(file[8] | file[9] << 8, 118);
    char expect[128];
    snprintf(expect, sizeof expect,
             "{'descr': '%s', 'fortran_order': False, 'shape': (2, 3), }",
             all_dtypes[_i].descr);
    ck_assert_int_eq(memcmp(file + 10, expect, strlen(expect)), 0);
    ck_assert_int_eq(file[127], '\n');
    ck_assert_int_eq(file[126], ' ');
    free(file);

    jx_array b;
    size_t got_item = 0;
    ck_assert_int_eq(jx_npy_load(path, &b, &got_item, msg, sizeof msg),
                     JX_NPY_OK);
    ck_assert_uint_eq(got_item, item);
    ck_assert_int_eq(b.dtype, t);
    ck_assert_int_eq(b.ndim, 2);
    ck_assert_int_eq(b.shape[0], 2);
    ck_assert_int_eq(b.shape[1], 3);
    ck_assert_int_eq(b.strides[0], 3 * item);
    ck_assert_int_eq(b.strides[1], item);
    ck_assert_uint_eq((uintptr_t)b.data % JX_NPY_ALIGN, 0);
    ck_assert_int_eq(memcmp(b.data, data, 6 * item), 0);
    jx_npy_free(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_zero_d)
{
    double v = 2.5;
    jx_array a = {.data = &v, .dtype = JX_FLOAT64, .ndim = 0};
    char msg[256];
    const char *path = tmp_path("zerod.npy");
    ck_assert_int_eq(jx_npy_save(path, &a, msg, sizeof msg), JX_NPY_OK);
    size_t n;
    unsigned char *file = read_all(path, &n);
    ck_assert_uint_eq(n, 128 + 8);
    const char *expect = "{'descr': '<f8', 'fortran_order': False, "
                         "'shape': (), }";
    ck_assert_int_eq(memcmp(file + 10, expect, strlen(expect)), 0);
    free(file);
    jx_array b;
    ck_assert_int_eq(jx_npy_load(path, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_int_eq(b.ndim, 0);
    ck_assert_int_eq(b.dtype, JX_FLOAT64);
    ck_assert(*(double *)b.data == 2.5);
    jx_npy_free(&b);
}
END_TEST

START_TEST(test_one_d_header)
{
    int32_t v[3] = {1, 2, 3};
    jx_array a = {.data = v, .dtype = JX_INT32, .ndim = 1, .shape = {3},
                  .strides = {4}};
    char msg[256];
    const char *path = tmp_path("oned.npy");
    ck_assert_int_eq(jx_npy_save(path, &a, msg, sizeof msg), JX_NPY_OK);
    size_t n;
    unsigned char *file = read_all(path, &n);
    const char *expect = "{'descr': '<i4', 'fortran_order': False, "
                         "'shape': (3,), }";
    ck_assert_int_eq(memcmp(file + 10, expect, strlen(expect)), 0);
    free(file);
}
END_TEST

/* Zero-size arrays: one per row, shapes with a zero somewhere. */
static const struct {
    int ndim;
    int64_t shape[3];
    const char *text;
} empties[] = {
    {1, {0}, "(0,)"},
    {2, {3, 0}, "(3, 0)"},
    {3, {0, 2, 5}, "(0, 2, 5)"},
};

START_TEST(test_empty)
{
    jx_array a = {.data = NULL, .dtype = JX_FLOAT32, .ndim = empties[_i].ndim};
    for (int d = 0; d < a.ndim; d++)
        a.shape[d] = empties[_i].shape[d];
    char msg[256];
    const char *path = tmp_path("empty.npy");
    ck_assert_int_eq(jx_npy_save(path, &a, msg, sizeof msg), JX_NPY_OK);
    size_t n;
    unsigned char *file = read_all(path, &n);
    ck_assert_uint_eq(n, 128);
    ck_assert_ptr_nonnull(strstr((char *)file + 10, empties[_i].text));
    free(file);
    jx_array b;
    ck_assert_int_eq(jx_npy_load(path, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_ptr_nonnull(b.data);
    ck_assert_int_eq(b.ndim, a.ndim);
    for (int d = 0; d < a.ndim; d++)
        ck_assert_int_eq(b.shape[d], a.shape[d]);
    jx_npy_free(&b);
}
END_TEST

START_TEST(test_fortran_order)
{
    /* a = [[0, 1, 2], [10, 11, 12]] stored column by column. */
    const double f[6] = {0, 10, 1, 11, 2, 12};
    const char *path =
        write_npy("fortran.npy", 1, 0,
                  "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
                  64, f, sizeof f);
    jx_array b;
    char msg[256];
    ck_assert_int_eq(jx_npy_load(path, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_int_eq(b.ndim, 2);
    ck_assert_int_eq(b.strides[0], 8);
    ck_assert_int_eq(b.strides[1], 16);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++) {
            double v = *(double *)((char *)b.data + i * b.strides[0] +
                                   j * b.strides[1]);
            ck_assert(v == 10 * i + j);
        }
    /* Saving writes it back in C order. */
    const char *out = tmp_path("fortran_c.npy");
    ck_assert_int_eq(jx_npy_save(out, &b, msg, sizeof msg), JX_NPY_OK);
    jx_npy_free(&b);
    ck_assert_int_eq(jx_npy_load(out, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    const double c[6] = {0, 1, 2, 10, 11, 12};
    ck_assert_int_eq(memcmp(b.data, c, sizeof c), 0);
    ck_assert_int_eq(b.strides[0], 24);
    jx_npy_free(&b);
}
END_TEST

START_TEST(test_save_strided)
{
    /* A reversed, transposed view and a broadcast (stride 0) view. */
    int16_t base[6] = {0, 1, 2, 3, 4, 5}; /* [[0,1,2],[3,4,5]] */
    jx_array t = {.data = &base[5], .dtype = JX_INT16, .ndim = 2,
                  .shape = {3, 2}, .strides = {-2, -6}};
    char msg[256];
    const char *path = tmp_path("strided.npy");
    ck_assert_int_eq(jx_npy_save(path, &t, msg, sizeof msg), JX_NPY_OK);
    jx_array b;
    ck_assert_int_eq(jx_npy_load(path, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    const int16_t want[6] = {5, 2, 4, 1, 3, 0};
    ck_assert_int_eq(memcmp(b.data, want, sizeof want), 0);
    jx_npy_free(&b);

    jx_array z = {.data = base, .dtype = JX_INT16, .ndim = 2,
                  .shape = {2, 3}, .strides = {0, 2}};
    ck_assert_int_eq(jx_npy_save(path, &z, msg, sizeof msg), JX_NPY_OK);
    ck_assert_int_eq(jx_npy_load(path, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    const int16_t want2[6] = {0, 1, 2, 0, 1, 2};
    ck_assert_int_eq(memcmp(b.data, want2, sizeof want2), 0);
    jx_npy_free(&b);
}
END_TEST

START_TEST(test_big_strided_save)
{
    /* More than one bounce buffer's worth, through the strided path. */
    enum { N = 100000 };
    double *v = malloc(2 * N * sizeof *v);
    for (int i = 0; i < 2 * N; i++)
        v[i] = i;
    jx_array a = {.data = v, .dtype = JX_FLOAT64, .ndim = 1, .shape = {N},
                  .strides = {16}};
    char msg[256];
    const char *path = tmp_path("bigstrided.npy");
    ck_assert_int_eq(jx_npy_save(path, &a, msg, sizeof msg), JX_NPY_OK);
    jx_array b;
    ck_assert_int_eq(jx_npy_load(path, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    for (int i = 0; i < N; i++)
        ck_assert(((double *)b.data)[i] == 2.0 * i);
    jx_npy_free(&b);
    free(v);
}
END_TEST

/* Big-endian input, one row per type: the file's bytes and the value. */
START_TEST(test_big_endian)
{
    char msg[256];
    jx_array b;
    const unsigned char i4[8] = {0, 0, 1, 2, 0xff, 0xff, 0xff, 0xfe};
    const char *p = write_npy(
        "be_i4.npy", 1, 0,
        "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", 64, i4,
        sizeof i4);
    ck_assert_int_eq(jx_npy_load(p, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_int_eq(b.dtype, JX_INT32);
    ck_assert_int_eq(((int32_t *)b.data)[0], 258);
    ck_assert_int_eq(((int32_t *)b.data)[1], -2);
    jx_npy_free(&b);

    const unsigned char f8[8] = {0x40, 0x09, 0x21, 0xfb,
                                 0x54, 0x44, 0x2d, 0x18}; /* pi */
    p = write_npy("be_f8.npy", 1, 0,
                  "{'descr': '>f8', 'fortran_order': False, 'shape': (), }",
                  64, f8, sizeof f8);
    ck_assert_int_eq(jx_npy_load(p, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert(*(double *)b.data == 3.141592653589793);
    jx_npy_free(&b);

    const unsigned char u2[2] = {0x12, 0x34};
    p = write_npy("be_u2.npy", 1, 0,
                  "{'descr': '>u2', 'fortran_order': False, 'shape': (1,), }",
                  64, u2, sizeof u2);
    ck_assert_int_eq(jx_npy_load(p, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_uint_eq(((uint16_t *)b.data)[0], 0x1234);
    jx_npy_free(&b);

    const unsigned char f2[2] = {0x3c, 0x00}; /* 1.0 in half precision */
    p = write_npy("be_f2.npy", 1, 0,
                  "{'descr': '>f2', 'fortran_order': False, 'shape': (1,), }",
                  64, f2, sizeof f2);
    ck_assert_int_eq(jx_npy_load(p, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_int_eq(b.dtype, JX_FLOAT16);
    ck_assert_uint_eq(((uint16_t *)b.data)[0], 0x3c00);
    jx_npy_free(&b);

    /* complex128 1.5-2j: each half swapped on its own. */
    const unsigned char c16[16] = {0x3f, 0xf8, 0, 0, 0, 0, 0, 0,
                                   0xc0, 0x00, 0, 0, 0, 0, 0, 0};
    p = write_npy("be_c16.npy", 1, 0,
                  "{'descr': '>c16', 'fortran_order': False, 'shape': (1,), }",
                  64, c16, sizeof c16);
    ck_assert_int_eq(jx_npy_load(p, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_int_eq(b.dtype, JX_COMPLEX128);
    ck_assert(((double *)b.data)[0] == 1.5);
    ck_assert(((double *)b.data)[1] == -2.0);
    jx_npy_free(&b);

    /* complex64 and a one-byte type with '>' (nothing to swap). */
    const unsigned char c8[8] = {0x3f, 0x80, 0, 0, 0x40, 0, 0, 0};
    p = write_npy("be_c8.npy", 1, 0,
                  "{'descr': '>c8', 'fortran_order': False, 'shape': (), }",
                  64, c8, sizeof c8);
    ck_assert_int_eq(jx_npy_load(p, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert(((float *)b.data)[0] == 1.0f);
    ck_assert(((float *)b.data)[1] == 2.0f);
    jx_npy_free(&b);

    const unsigned char i1[2] = {0x7f, 0x80};
    p = write_npy("be_i1.npy", 1, 0,
                  "{'descr': '>i1', 'fortran_order': False, 'shape': (2,), }",
                  64, i1, sizeof i1);
    ck_assert_int_eq(jx_npy_load(p, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_int_eq(((int8_t *)b.data)[0], 127);
    ck_assert_int_eq(((int8_t *)b.data)[1], -128);
    jx_npy_free(&b);
}
END_TEST

START_TEST(test_versions)
{
    const int64_t v[2] = {7, -8};
    char msg[256];
    jx_array b;
    for (int major = 2; major <= 3; major++) {
        char name[32];
        snprintf(name, sizeof name, "v%d.npy", major);
        const char *p = write_npy(
            name, major, 0,
            "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", 64,
            v, sizeof v);
        ck_assert_int_eq(jx_npy_load(p, &b, NULL, msg, sizeof msg), JX_NPY_OK);
        ck_assert_int_eq(b.dtype, JX_INT64);
        ck_assert_int_eq(((int64_t *)b.data)[1], -8);
        jx_npy_free(&b);
    }
}
END_TEST

/* Headers NumPy or older writers produce, parsed leniently: other key
 * orders, double quotes, no trailing comma, Python 2 longs, 16-byte
 * alignment, no padding at all, '=' and no byte order mark. */
static const char *const good_headers[] = {
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
    "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
    "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}",
    "{'descr':'<f4','fortran_order':False,'shape':(2L,)}",
    "{ 'descr' : '=f4' , 'fortran_order' : False , 'shape' : ( 2 , ) , }",
    "{'descr': 'f4', 'fortran_order': False, 'shape': (2,), }",
};

START_TEST(test_lenient_headers)
{
    const float v[2] = {1.5f, -3.0f};
    char msg[256];
    jx_array b;
    for (size_t align = 0; align <= 16; align += 16) {
        const char *p = write_npy("lenient.npy", 1, 0, good_headers[_i],
                                  align, v, sizeof v);
        ck_assert_msg(jx_npy_load(p, &b, NULL, msg, sizeof msg) == JX_NPY_OK,
                      "%s: %s", good_headers[_i], msg);
        ck_assert_int_eq(b.dtype, JX_FLOAT32);
        ck_assert_int_eq(b.ndim, 1);
        ck_assert_int_eq(b.shape[0], 2);
        ck_assert(((float *)b.data)[1] == -3.0f);
        jx_npy_free(&b);
    }
}
END_TEST

START_TEST(test_bool_normalised)
{
    const unsigned char v[3] = {0, 1, 2};
    const char *p = write_npy(
        "bool.npy", 1, 0,
        "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", 64, v,
        sizeof v);
    char msg[256];
    jx_array b;
    ck_assert_int_eq(jx_npy_load(p, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_int_eq(((unsigned char *)b.data)[2], 1);
    jx_npy_free(&b);
}
END_TEST

START_TEST(test_max_dims)
{
    /* 32 dimensions of 1 are fine; 33 are not (see the rejection table). */
    char h[512] = "{'descr': '<f8', 'fortran_order': False, 'shape': (";
    for (int i = 0; i < JX_MAX_DIMS; i++)
        strcat(h, "1, ");
    strcat(h, "), }");
    const double v = 4;
    const char *p = write_npy("dims32.npy", 1, 0, h, 64, &v, sizeof v);
    char msg[256];
    jx_array b;
    ck_assert_int_eq(jx_npy_load(p, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_int_eq(b.ndim, JX_MAX_DIMS);
    const char *out = tmp_path("dims32_out.npy");
    ck_assert_int_eq(jx_npy_save(out, &b, msg, sizeof msg), JX_NPY_OK);
    jx_npy_free(&b);
    ck_assert_int_eq(jx_npy_load(out, &b, NULL, msg, sizeof msg), JX_NPY_OK);
    ck_assert_int_eq(b.ndim, JX_MAX_DIMS);
    jx_npy_free(&b);
}
END_TEST

/* ---- Byte strings ('S<n>') ------------------------------------------ */

/* One row per pair of byte string files s and t, written with the same
 * descr, order and shape: the bytes of each (count * itemsize, in file
 * order), and what three expressions give, one 'T' or 'F' per element in
 * C order (the values the bytes stand for are in the comments; trailing
 * NULs are padding, contains() stops at the first NUL). */
static const struct {
    const char *what;
    const char *descr;   /* as the header writes it */
    const char *fortran; /* "True" or "False" */
    const char *shape;   /* as the header writes it */
    int ndim;
    int64_t dims[2];
    size_t itemsize;     /* what jx_npy_load must report */
    int count;           /* elements */
    const char *s, *t;   /* count * itemsize bytes each */
    const char *eq_ab;   /* s == b'ab' */
    const char *has_b;   /* contains(s, b'b') */
    const char *lt;      /* s < t */
} bytes_rows[] = {
    /* s: ab, abc, b, ''   t: abc, abc, a, '' */
    {"plain |S3", "|S3", "False", "(4,)", 1, {4}, 3, 4,
     "ab\0abcb\0\0\0\0\0", "abcabca\0\0\0\0\0", "TFFF", "TTTF", "TFFF"},
    /* s: a\0b, \0ab, ab, \0\0b   t: a\0c, \0ab, a\0c, \0\0c */
    {"embedded NULs", "|S3", "False", "(4,)", 1, {4}, 3, 4,
     "a\0b\0abab\0\0\0b", "a\0c\0aba\0c\0\0c", "FFTF", "FFTF", "TFFT"},
    /* s: ab   t: b (0-d) */
    {"0-d, a trailing NUL", "|S3", "False", "()", 0, {0}, 3, 1, "ab\0",
     "b\0\0", "T", "T", "T"},
    /* s: [[xab, ab], [\xff, abb]]   t: [[xac, ab], [a, abb]] */
    {"<S3, 2-D", "<S3", "False", "(2, 2)", 2, {2, 2}, 3, 4,
     "xabab\0\xff\0\0abb", "xacab\0a\0\0abb", "FTFF", "TTFT", "TFFF"},
    /* s: ab, ba, \0b   t: b, ba, \0c */
    {">S2", ">S2", "False", "(3,)", 1, {3}, 2, 3, "ab" "ba" "\0b",
     "b\0" "ba" "\0c", "TFF", "TTF", "TFT"},
    /* s: b, ''   t: c, '' */
    {"=S1", "=S1", "False", "(2,)", 1, {2}, 1, 2, "b\0", "c\0", "FF", "TF",
     "TF"},
    /* NumPy's old name 'a'.  s: ab, b   t: ab, c */
    {"|a2", "|a2", "False", "(2,)", 1, {2}, 2, 2, "abb\0", "abc\0", "TF",
     "TT", "FT"},
    /* Stored column by column: s = [[ab, abc], [b, '']],
     * t = [[abc, abc], [a, '']]; the results are in C order. */
    {"Fortran order", "|S3", "True", "(2, 2)", 2, {2, 2}, 3, 4,
     "ab\0b\0\0abc\0\0\0", "abca\0\0abc\0\0\0", "TFFF", "TTTF", "TFFF"},
    /* s: ab, x..xb   t: ab, x..xc (16 bytes each) */
    {"|S16", "|S16", "False", "(2,)", 1, {2}, 16, 2,
     "ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0" "xxxxxxxxxxxxxxxb",
     "ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0" "xxxxxxxxxxxxxxxc", "TF", "TT", "FT"},
    /* All padding: every value is ''. */
    {"only NULs", "|S2", "False", "(3,)", 1, {3}, 2, 3, "\0\0\0\0\0\0",
     "\0\0\0\0\0\0", "FFF", "FFF", "FFF"},
    {"empty", "|S3", "False", "(0,)", 1, {0}, 3, 0, "", "", "", "", ""},
    {"empty 2-D", "|S5", "False", "(2, 0)", 2, {2, 0}, 5, 0, "", "", "", "",
     ""},
};

/* Loads the file a row describes and checks what jx_npy_load says. */
static void load_bytes_file(int row, const char *name, const char *data,
                            jx_array *a, size_t *item)
{
    char header[160];
    snprintf(header, sizeof header,
             "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
             bytes_rows[row].descr, bytes_rows[row].fortran,
             bytes_rows[row].shape);
    size_t n = (size_t)bytes_rows[row].count * bytes_rows[row].itemsize;
    const char *p = write_npy(name, 1, 0, header, 64, data, n);
    char msg[256];
    ck_assert_msg(jx_npy_load(p, a, item, msg, sizeof msg) == JX_NPY_OK,
                  "%s: %s", bytes_rows[row].what, msg);
    ck_assert_int_eq(a->dtype, JX_BYTES);
    ck_assert_uint_eq(*item, bytes_rows[row].itemsize);
    ck_assert_int_eq(a->ndim, bytes_rows[row].ndim);
    for (int d = 0; d < a->ndim; d++)
        ck_assert_int_eq(a->shape[d], bytes_rows[row].dims[d]);
    ck_assert_uint_eq((uintptr_t)a->data % JX_NPY_ALIGN, 0);
    /* The bytes as they are in the file: no swapping, no stripping. */
    ck_assert_int_eq(memcmp(a->data, data, n), 0);
}

/* Evaluates src over s and t as the CLI does (their itemsizes in the
 * jx_var table) and compares the bools with want, one 'T' or 'F' per
 * element in C order. */
static void check_bools(const char *what, const char *src, const jx_array *s,
                        size_t s_item, const jx_array *t, size_t t_item,
                        const char *want)
{
    jx_var vars[2] = {{"s", JX_BYTES, 0, s_item}, {"t", JX_BYTES, 0, t_item}};
    jx_array in[2] = {*s, *t};
    jx_error err;
    jx_expr *e = jx_compile(src, vars, 2, 0, &err);
    ck_assert_msg(e != NULL, "%s: %s: %s", what, src, err.message);
    ck_assert_int_eq(jx_expr_dtype(e), JX_BOOL);
    jx_array out;
    ck_assert_msg(jx_eval_new(e, in, &out, &err) == JX_OK, "%s: %s: %s", what,
                  src, err.message);
    ck_assert_int_eq(out.dtype, JX_BOOL);
    ck_assert_int_eq(out.ndim, s->ndim);
    size_t n = 1;
    for (int d = 0; d < out.ndim; d++) {
        ck_assert_int_eq(out.shape[d], s->shape[d]);
        n *= (size_t)out.shape[d];
    }
    ck_assert_uint_eq(n, strlen(want));
    char got[16] = "";
    for (size_t k = 0; k < n; k++) /* jx_eval_new's output is C order */
        got[k] = ((const unsigned char *)out.data)[k] ? 'T' : 'F';
    ck_assert_msg(strcmp(got, want) == 0, "%s: %s gives %s, want %s", what,
                  src, got, want);
    jx_free(out.data);
    jx_expr_free(e);
}

START_TEST(test_bytes)
{
    jx_array s, t;
    size_t s_item = 0, t_item = 0;
    load_bytes_file(_i, "bytes_s.npy", bytes_rows[_i].s, &s, &s_item);
    load_bytes_file(_i, "bytes_t.npy", bytes_rows[_i].t, &t, &t_item);
    const char *what = bytes_rows[_i].what;
    check_bools(what, "s == b'ab'", &s, s_item, &t, t_item,
                bytes_rows[_i].eq_ab);
    check_bools(what, "contains(s, b'b')", &s, s_item, &t, t_item,
                bytes_rows[_i].has_b);
    check_bools(what, "s < t", &s, s_item, &t, t_item, bytes_rows[_i].lt);
    jx_npy_free(&s);
    jx_npy_free(&t);
}
END_TEST

/* A string-valued result read from a file: the library copies it, with
 * the embedded NUL kept (the CLI refuses to write one, cli/eval_cmd.c). */
START_TEST(test_bytes_result)
{
    const char *p = write_npy(
        "bytes_r.npy", 1, 0,
        "{'descr': '|S3', 'fortran_order': False, 'shape': (2,), }", 64,
        "ab\0xyz", 6);
    jx_array s;
    size_t item;
    char msg[256];
    ck_assert_int_eq(jx_npy_load(p, &s, &item, msg, sizeof msg), JX_NPY_OK);
    jx_var var = {"s", JX_BYTES, 0, item};
    jx_error err;
    jx_expr *e = jx_compile("s", &var, 1, 0, &err);
    ck_assert_msg(e != NULL, "%s", err.message);
    ck_assert_int_eq(jx_expr_dtype(e), JX_BYTES);
    ck_assert_uint_eq(jx_expr_itemsize(e), 3);
    jx_array out;
    ck_assert_int_eq(jx_eval_new(e, &s, &out, &err), 0);
    ck_assert_int_eq(memcmp(out.data, "ab\0xyz", 6), 0);
    jx_free(out.data);
    jx_expr_free(e);
    jx_npy_free(&s);
}
END_TEST

START_TEST(test_descr_table)
{
    ck_assert_ptr_null(jx_npy_descr(JX_DTYPE_INVALID));
    ck_assert_ptr_null(jx_npy_descr(JX_DTYPE_COUNT));
    ck_assert_ptr_null(jx_npy_descr(JX_BYTES)); /* depends on the itemsize */
    ck_assert_uint_eq(jx_npy_itemsize(JX_BYTES), 0);
    ck_assert_uint_eq(jx_npy_itemsize(JX_COMPLEX128), 16);
    ck_assert_uint_eq(jx_npy_itemsize(JX_DTYPE_INVALID), 0);
}
END_TEST

static Suite *npy_suite(void)
{
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("roundtrip");
    tcase_add_loop_test(tc, test_roundtrip_dtype, 0,
                        sizeof all_dtypes / sizeof all_dtypes[0]);
    tcase_add_test(tc, test_zero_d);
    tcase_add_test(tc, test_one_d_header);
    tcase_add_loop_test(tc, test_empty, 0,
                        sizeof empties / sizeof empties[0]);
    tcase_add_test(tc, test_fortran_order);
    tcase_add_test(tc, test_save_strided);
    tcase_add_test(tc, test_big_strided_save);
    tcase_add_test(tc, test_big_endian);
    tcase_add_test(tc, test_versions);
    tcase_add_loop_test(tc, test_lenient_headers, 0,
                        sizeof good_headers / sizeof good_headers[0]);
    tcase_add_test(tc, test_bool_normalised);
    tcase_add_test(tc, test_max_dims);
    tcase_add_test(tc, test_descr_table);
    suite_add_tcase(s, tc);

    TCase *tb = tcase_create("bytes");
    tcase_add_loop_test(tb, test_bytes, 0,
                        sizeof bytes_rows / sizeof bytes_rows[0]);
    tcase_add_test(tb, test_bytes_result);
    suite_add_tcase(s, tb);
    return s;
}

int main(void) { return npy_test_main(npy_suite(), "check_npy"); }
