/* npyutil.h - what the .npy suites (check_npy.c, check_npy_reject.c)
 * share: every file a test reads is written by the test itself into a
 * temporary directory that npy_test_main() makes before the suite runs and
 * removes after it. */
#ifndef JX_NPYUTIL_H
#define JX_NPYUTIL_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char tmpdir[256];

/* A fresh path in the temporary directory. */
static inline const char *tmp_path(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
    return buf;
}

/* Writes raw bytes to a file; returns its path. */
static inline const char *write_bytes(const char *name, const void *data, size_t n)
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
static inline const char *write_npy(const char *name, int major, int minor,
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
static inline int npy_remove_entry(const char *path, const struct stat *st, int flag,
                                   struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Runs a suite in a fresh temporary directory, $TMPDIR/<name>.XXXXXX,
 * removed at the end; the exit status says whether every test passed. */
static inline int npy_test_main(Suite *suite, const char *name)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/%s.XXXXXX", base && *base ? base : "/tmp", name);
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    nftw(tmpdir, npy_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
