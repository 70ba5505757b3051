/* check_npy.c - tests of the CLI's .npy reader and writer (cli/npy.c).
 *
 * Every file a test reads is written by the test itself into a temporary
 * directory made in main() and removed at the end.  Byte string files
 * ('|S<n>') are also evaluated through the library, as the CLI does:
 * comparisons and contains() against the bools written in the table.
 */
#define _GNU_SOURCE
#include <check.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitexpr.h"
#include "npy.h"

static char tmpdir[256];

/* A fresh path in the temporary directory. */
static const char *tmp_path(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
    return buf;
}

/* Writes raw bytes to a file; returns its path. */
static const char *write_bytes(const char *name, const void *data, size_t n)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    if (n > 0)
        ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* Writes a .npy file by hand: version major.minor, the header text as
 * given (padded with spaces and '\n' to a multiple of align when align is
 * not 0), then n bytes of data. */
static const char *write_npy(const char *name, int major, int minor,
                             const char *header, size_t align,
                             const void *data, size_t n)
{
    size_t pre = major == 1 ? 10 : 12;
    size_t hlen = strlen(header);
    size_t padded = hlen;
    if (align)
        padded = (pre + hlen + 1 + align - 1) / align * align - pre;
    size_t total = pre + padded + n;
    unsigned char *buf = malloc(total);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = (unsigned char)minor;
    buf[8] = padded & 0xff;
    buf[9] = padded >> 8 & 0xff;
    if (pre == 12) {
        buf[10] = padded >> 16 & 0xff;
        buf[11] = padded >> 24 & 0xff;
    }
    memcpy(buf + pre, header, hlen);
    if (padded > hlen) {
        memset(buf + pre + hlen, ' ', padded - hlen);
        buf[pre + padded - 1] = '\n';
    }
    if (n)
        memcpy(buf + pre + padded, data, n);
    const char *path = write_bytes(name, buf, total);
    free(buf);
    return path;
}

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

/* ---- Rejections ---------------------------------------------------- */

#define HDR(descr, order, shape)                                          \
    "{'descr': " descr ", 'fortran_order': " order ", 'shape': " shape ", }"

/* One row per malformed or unsupported file: version, header, data size,
 * the code and a piece of the message expected. */
static const struct {
    const char *what;
    int major, minor;
    const char *header;
    size_t ndata;
    int code;
    const char *message;
} rejects[] = {
    {"object", 1, 0, HDR("'|O'", "False", "(1,)"), 8, JX_NPY_EUNSUPPORTED,
     "object arrays ('|O') are not supported"},
    {"unicode", 1, 0, HDR("'<U5'", "False", "(1,)"), 20, JX_NPY_EUNSUPPORTED,
     "unicode string arrays ('<U5') are not supported, byte strings"},
    {"unicode <U3", 1, 0, HDR("'<U3'", "False", "(2,)"), 24,
     JX_NPY_EUNSUPPORTED, "unicode string arrays ('<U3') are not supported"},
    {"unicode >U1", 1, 0, HDR("'>U1'", "False", "()"), 4, JX_NPY_EUNSUPPORTED,
     "unicode string arrays ('>U1') are not supported"},
    {"bytes S0", 1, 0, HDR("'|S0'", "False", "(1,)"), 0, JX_NPY_EUNSUPPORTED,
     "byte strings of 0 bytes ('|S0') are not supported (1 to 2147483647"},
    {"bytes <S0", 1, 0, HDR("'<S0'", "False", "(0,)"), 0, JX_NPY_EUNSUPPORTED,
     "byte strings of 0 bytes ('<S0')"},
    {"bytes too big", 1, 0, HDR("'|S2147483648'", "False", "(0,)"), 0,
     JX_NPY_EUNSUPPORTED, "byte strings of 2147483648 bytes ('|S2147483648')"},
    {"bytes huge size", 1, 0, HDR("'|S99999999999999999999999'", "False",
     "(0,)"), 0, JX_NPY_EUNSUPPORTED, "are not supported (1 to 2147483647"},
    {"bytes no size", 1, 0, HDR("'|S'", "False", "(1,)"), 1, JX_NPY_EFORMAT,
     "byte string descr '|S' has no size (expected S<n>"},
    {"bytes bad size", 1, 0, HDR("'|S3x'", "False", "(1,)"), 3,
     JX_NPY_EFORMAT, "byte string descr '|S3x' has no size"},
    {"bytes negative size", 1, 0, HDR("'|S-3'", "False", "(1,)"), 3,
     JX_NPY_EFORMAT, "byte string descr '|S-3' has no size"},
    {"bytes signed size", 1, 0, HDR("'|S+3'", "False", "(1,)"), 3,
     JX_NPY_EFORMAT, "byte string descr '|S+3' has no size"},
    {"bytes truncated", 1, 0, HDR("'|S3'", "False", "(2,)"), 5,
     JX_NPY_EFORMAT,
     "truncated .npy file: shape (2,) of |S3 needs 6 bytes of data, the "
     "file has 5"},
    {"bytes truncated 2-D", 1, 0, HDR("'>S4'", "True", "(2, 3)"), 20,
     JX_NPY_EFORMAT, "shape (2, 3) of |S4 needs 24 bytes of data, the file "
     "has 20"},
    {"bytes no data", 1, 0, HDR("'|S7'", "False", "()"), 0, JX_NPY_EFORMAT,
     "shape () of |S7 needs 7 bytes of data, the file has 0"},
    {"bytes extra data", 1, 0, HDR("'|S3'", "False", "(1,)"), 4,
     JX_NPY_EFORMAT, "shape (1,) of |S3 needs 3 bytes of data, but the file "
     "has 4"},
    {"bytes too large", 1, 0,
     HDR("'|S65536'", "False", "(4294967296, 4294967296)"), 8,
     JX_NPY_EFORMAT, "shape (4294967296, 4294967296) is too large"},
    {"signed numeric size", 1, 0, HDR("'<f+4'", "False", "(1,)"), 4,
     JX_NPY_EUNSUPPORTED, "unsupported dtype '<f+4'"},
    {"structured", 1, 0, HDR("[('a', '<i4'), ('b', '<f8')]", "False", "(1,)"),
     12, JX_NPY_EUNSUPPORTED, "structured dtypes are not supported"},
    {"void", 1, 0, HDR("'|V8'", "False", "(1,)"), 8, JX_NPY_EUNSUPPORTED,
     "void and structured dtypes ('|V8') are not supported"},
    {"datetime", 1, 0, HDR("'<M8[s]'", "False", "(1,)"), 8,
     JX_NPY_EUNSUPPORTED, "datetime and timedelta arrays"},
    {"longdouble", 1, 0, HDR("'<f16'", "False", "(1,)"), 16,
     JX_NPY_EUNSUPPORTED, "unsupported dtype '<f16'"},
    {"int16bytes", 1, 0, HDR("'<i16'", "False", "(1,)"), 16,
     JX_NPY_EUNSUPPORTED, "unsupported dtype '<i16'"},
    {"bool2", 1, 0, HDR("'|b2'", "False", "(1,)"), 2, JX_NPY_EUNSUPPORTED,
     "unsupported dtype '|b2'"},
    {"empty descr", 1, 0, HDR("''", "False", "(1,)"), 8, JX_NPY_EFORMAT,
     "empty 'descr'"},
    {"descr not a string", 1, 0, HDR("8", "False", "(1,)"), 8, JX_NPY_EFORMAT,
     "expected a quoted string"},
    {"version 4", 4, 0, HDR("'<f8'", "False", "(1,)"), 8, JX_NPY_EUNSUPPORTED,
     "unsupported .npy format version 4.0"},
    {"version 1.1", 1, 1, HDR("'<f8'", "False", "(1,)"), 8,
     JX_NPY_EUNSUPPORTED, "unsupported .npy format version 1.1"},
    {"truncated data", 1, 0, HDR("'<f8'", "False", "(2, 3)"), 40,
     JX_NPY_EFORMAT,
     "truncated .npy file: shape (2, 3) of <f8 needs 48 bytes of data, the "
     "file has 40"},
    {"extra data", 1, 0, HDR("'<f8'", "False", "(2,)"), 24, JX_NPY_EFORMAT,
     "shape (2,) of <f8 needs 16 bytes of data, but the file has 24"},
    {"no data", 1, 0, HDR("'<i4'", "False", "()"), 0, JX_NPY_EFORMAT,
     "needs 4 bytes of data, the file has 0"},
    {"missing shape", 1, 0, "{'descr': '<f8', 'fortran_order': False}", 8,
     JX_NPY_EFORMAT, "missing key 'shape'"},
    {"missing descr", 1, 0, "{'fortran_order': False, 'shape': ()}", 8,
     JX_NPY_EFORMAT, "missing key 'descr'"},
    {"missing order", 1, 0, "{'descr': '<f8', 'shape': ()}", 8,
     JX_NPY_EFORMAT, "missing key 'fortran_order'"},
    {"extra key", 1, 0,
     "{'descr': '<f8', 'fortran_order': False, 'shape': (), 'x': 1}", 8,
     JX_NPY_EFORMAT, "unexpected key 'x'"},
    {"duplicate key", 1, 0,
     "{'descr': '<f8', 'fortran_order': False, 'shape': (), 'shape': ()}", 8,
     JX_NPY_EFORMAT, "duplicate key 'shape'"},
    {"shape is an int", 1, 0, HDR("'<f8'", "False", "(3)"), 24,
     JX_NPY_EFORMAT, "'shape' must be a tuple, not an int"},
    {"shape is a list", 1, 0, HDR("'<f8'", "False", "[3]"), 24,
     JX_NPY_EFORMAT, "'shape' must be a tuple"},
    {"negative dim", 1, 0, HDR("'<f8'", "False", "(-1,)"), 8, JX_NPY_EFORMAT,
     "negative dimension in 'shape'"},
    {"float dim", 1, 0, HDR("'<f8'", "False", "(2.5,)"), 8, JX_NPY_EFORMAT,
     "expected ',' or ')' in 'shape'"},
    {"huge dim", 1, 0, HDR("'<f8'", "False", "(99999999999999999999,)"), 8,
     JX_NPY_EFORMAT, "dimension too large in 'shape'"},
    {"too large", 1, 0,
     HDR("'<f8'", "False", "(4294967296, 4294967296)"), 8, JX_NPY_EFORMAT,
     "shape (4294967296, 4294967296) is too large"},
    {"too many dims", 1, 0,
     HDR("'<f8'", "False",
         "(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
         "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)"),
     8, JX_NPY_EUNSUPPORTED, "too many dimensions (jitexpr's limit is 32)"},
    {"order not bool", 1, 0, HDR("'<f8'", "1", "()"), 8, JX_NPY_EFORMAT,
     "'fortran_order' must be True or False"},
    {"order None", 1, 0, HDR("'<f8'", "None", "()"), 8, JX_NPY_EFORMAT,
     "'fortran_order' must be True or False"},
    {"not a dict", 1, 0, "('<f8', False, ())", 8, JX_NPY_EFORMAT,
     "expected a dict"},
    {"unterminated", 1, 0, "{'descr: '<f8'}", 8, JX_NPY_EFORMAT,
     "expected ':' after a key"},
    {"open string", 1, 0, "{'descr", 8, JX_NPY_EFORMAT,
     "unterminated string"},
    {"text after", 1, 0,
     "{'descr': '<f8', 'fortran_order': False, 'shape': ()} junk", 8,
     JX_NPY_EFORMAT, "text after the dict"},
    {"missing comma", 1, 0,
     "{'descr': '<f8' 'fortran_order': False, 'shape': ()}", 8,
     JX_NPY_EFORMAT, "expected ',' or '}' in the dict"},
    {"escape", 1, 0, "{'descr': '<\\x66\\x38'}", 8, JX_NPY_EFORMAT,
     "escapes in strings are not supported"},
    {"empty header", 1, 0, "", 8, JX_NPY_EFORMAT, "expected a dict"},
};

START_TEST(test_reject)
{
    unsigned char data[64] = {0};
    char name[32];
    snprintf(name, sizeof name, "reject%d.npy", _i);
    const char *p = write_npy(name, rejects[_i].major, rejects[_i].minor,
                              rejects[_i].header, 64, data,
                              rejects[_i].ndata);
    char msg[256];
    jx_array b;
    memset(&b, 0x55, sizeof b);
    size_t item = 99;
    int rc = jx_npy_load(p, &b, &item, msg, sizeof msg);
    ck_assert_msg(rc == rejects[_i].code, "%s: code %d, want %d (%s)",
                  rejects[_i].what, rc, rejects[_i].code, msg);
    ck_assert_msg(strstr(msg, rejects[_i].message) != NULL,
                  "%s: message '%s' lacks '%s'", rejects[_i].what, msg,
                  rejects[_i].message);
    /* Every message names the file and is one line. */
    ck_assert_ptr_nonnull(strstr(msg, name));
    ck_assert_ptr_null(strchr(msg, '\n'));
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(item, 0);
}
END_TEST

/* Rejections that are not about the header: raw file contents. */
static const struct {
    const char *what;
    const char *bytes;
    size_t n;
    int code;
    const char *message;
} raw_rejects[] = {
    {"empty file", "", 0, JX_NPY_EFORMAT, "not a .npy file (bad magic string)"},
    {"text file", "hello, world\n", 13, JX_NPY_EFORMAT,
     "not a .npy file (bad magic string)"},
    {"short magic", "\x93NUM", 4, JX_NPY_EFORMAT, "bad magic string"},
    {"no length", "\x93NUMPY\x01\x00", 8, JX_NPY_EFORMAT,
     "truncated .npy file (no header length)"},
    {"half length", "\x93NUMPY\x02\x00\x10\x00", 10, JX_NPY_EFORMAT,
     "truncated .npy file (no header length)"},
    {"cut header", "\x93NUMPY\x01\x00\x40\x00{'descr'", 17, JX_NPY_EFORMAT,
     "truncated .npy file (header of 64 bytes cut short)"},
    {"header too long", "\x93NUMPY\x02\x00\x20\x4e\x00\x00", 12,
     JX_NPY_EFORMAT, ".npy header too long (20000 bytes; the limit is 10000)"},
    {"header way too long", "\x93NUMPY\x03\x00\xff\xff\xff\xff", 12,
     JX_NPY_EFORMAT, "header too long (4294967295 bytes"},
};

START_TEST(test_reject_raw)
{
    char name[32];
    snprintf(name, sizeof name, "raw%d.npy", _i);
    const char *p = write_bytes(name, raw_rejects[_i].bytes,
                                raw_rejects[_i].n);
    char msg[256];
    jx_array b;
    int rc = jx_npy_load(p, &b, NULL, msg, sizeof msg);
    ck_assert_msg(rc == raw_rejects[_i].code, "%s: code %d (%s)",
                  raw_rejects[_i].what, rc, msg);
    ck_assert_msg(strstr(msg, raw_rejects[_i].message) != NULL,
                  "%s: message '%s' lacks '%s'", raw_rejects[_i].what, msg,
                  raw_rejects[_i].message);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_reject_io)
{
    char msg[256];
    jx_array b;
    ck_assert_int_eq(jx_npy_load(tmp_path("no/such.npy"), &b, NULL, msg,
                                 sizeof msg), JX_NPY_EIO);
    ck_assert_ptr_nonnull(strstr(msg, "No such file or directory"));
    ck_assert_int_eq(jx_npy_load(tmpdir, &b, NULL, msg, sizeof msg), JX_NPY_EIO);
    ck_assert_ptr_nonnull(strstr(msg, "Is a directory"));
    /* A message buffer of one byte, or none, is fine too. */
    char tiny[1];
    ck_assert_int_eq(jx_npy_load(tmpdir, &b, NULL, tiny, sizeof tiny), JX_NPY_EIO);
    ck_assert_int_eq(tiny[0], '\0');
    ck_assert_int_eq(jx_npy_load(tmpdir, &b, NULL, NULL, 0), JX_NPY_EIO);
    ck_assert_int_eq(jx_npy_load(NULL, &b, NULL, msg, sizeof msg), JX_NPY_EARG);
}
END_TEST

START_TEST(test_save_errors)
{
    char msg[256];
    double v[2] = {1, 2};
    jx_array a = {.data = v, .dtype = JX_FLOAT64, .ndim = 1, .shape = {2},
                  .strides = {8}};
    ck_assert_int_eq(jx_npy_save(tmp_path("no/such/dir.npy"), &a, msg,
                                 sizeof msg), JX_NPY_EIO);
    ck_assert_ptr_nonnull(strstr(msg, "No such file or directory"));
    ck_assert_int_eq(jx_npy_save(tmpdir, &a, msg, sizeof msg), JX_NPY_EIO);
    ck_assert_ptr_nonnull(strstr(msg, "Is a directory"));

    jx_array bad = a;
    bad.dtype = JX_DTYPE_INVALID;
    ck_assert_int_eq(jx_npy_save(tmp_path("x.npy"), &bad, msg, sizeof msg),
                     JX_NPY_EARG);
    ck_assert_ptr_nonnull(strstr(msg, "invalid dtype"));
    bad = a;
    bad.ndim = JX_MAX_DIMS + 1;
    ck_assert_int_eq(jx_npy_save(tmp_path("x.npy"), &bad, msg, sizeof msg),
                     JX_NPY_EARG);
    ck_assert_ptr_nonnull(strstr(msg, "invalid number of dimensions"));
    bad = a;
    bad.shape[0] = -1;
    ck_assert_int_eq(jx_npy_save(tmp_path("x.npy"), &bad, msg, sizeof msg),
                     JX_NPY_EARG);
    ck_assert_ptr_nonnull(strstr(msg, "negative dimension"));
    bad = a;
    bad.data = NULL;
    ck_assert_int_eq(jx_npy_save(tmp_path("x.npy"), &bad, msg, sizeof msg),
                     JX_NPY_EARG);
    ck_assert_ptr_nonnull(strstr(msg, "NULL data"));
    bad = a;
    bad.dtype = JX_BYTES; /* reading them is enough for the CLI */
    ck_assert_int_eq(jx_npy_save(tmp_path("x.npy"), &bad, msg, sizeof msg),
                     JX_NPY_EARG);
    ck_assert_ptr_nonnull(
        strstr(msg, "writing byte string (S) arrays is not supported"));
    ck_assert_int_eq(access(tmp_path("x.npy"), F_OK), -1);

    /* /dev/full: the write fails and is reported. */
    if (access("/dev/full", W_OK) == 0) {
        double big[4096] = {0};
        jx_array f = {.data = big, .dtype = JX_FLOAT64, .ndim = 1,
                      .shape = {4096}, .strides = {8}};
        ck_assert_int_eq(jx_npy_save("/dev/full", &f, msg, sizeof msg),
                         JX_NPY_EIO);
        ck_assert_ptr_nonnull(strstr(msg, "No space left on device"));
    }
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

    TCase *tr = tcase_create("reject");
    tcase_add_loop_test(tr, test_reject, 0, sizeof rejects / sizeof rejects[0]);
    tcase_add_loop_test(tr, test_reject_raw, 0,
                        sizeof raw_rejects / sizeof raw_rejects[0]);
    tcase_add_test(tr, test_reject_io);
    tcase_add_test(tr, test_save_errors);
    suite_add_tcase(s, tr);
    return s;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/check_npy.XXXXXX",
             base && *base ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    SRunner *sr = srunner_create(npy_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
