/* check_npy_reject.c - the CLI's .npy reader and writer (cli/npy.c) on
 * malformed and unsupported files, files that cannot be read, and saves
 * that fail.  Every file a test reads is written by the test itself into
 * a temporary directory (npyutil.h).
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
        /* and the device is still there: a failed save removes only a
         * regular file it wrote */
        struct stat st;
        ck_assert_int_eq(stat("/dev/full", &st), 0);
        ck_assert(S_ISCHR(st.st_mode));
    }
}
END_TEST

static Suite *npy_reject_suite(void)
{
    Suite *s = suite_create("npy_reject");
    TCase *tr = tcase_create("reject");
    tcase_add_loop_test(tr, test_reject, 0, sizeof rejects / sizeof rejects[0]);
    tcase_add_loop_test(tr, test_reject_raw, 0,
                        sizeof raw_rejects / sizeof raw_rejects[0]);
    tcase_add_test(tr, test_reject_io);
    tcase_add_test(tr, test_save_errors);
    suite_add_tcase(s, tr);
    return s;
}

int main(void) { return npy_test_main(npy_reject_suite(), "check_npy_reject"); }
