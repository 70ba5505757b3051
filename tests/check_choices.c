/* check_choices.c - the math choices stored beside the disk cache
 * (src/choicestore.c): written after a compile that measured, taken by a
 * new process instead of measuring, merged, ignored when corrupt,
 * truncated, for another target, malformed or writable by others, nothing
 * written with the cache off, deleted by jx_clear_cache.
 *
 * Each test runs in its own forked process with the cache in a fresh
 * directory; a "first process" is a child forked by the test, a "new
 * process" this program exec'd.  JITEXPR_MATHLIB is unset (main): the
 * suites' "own" would decide every choice without measuring.  The tier is
 * "compiled" (main), so that each new expression compiles, but in
 * test_unit_in_new_process: the interpreter's unit of sin (interp.h)
 * carries the choice it was compiled with, and a new process takes that
 * from the disk cache with no compile and no measurement. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jitexpr.h"
#include "testutil.h"

#define N 64

static char dir[512];

static void fresh_dir(void)
{
    const char *base = getenv("JX_CHOICES_BASE");
    snprintf(dir, sizeof dir, "%s/jxch-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(jx_set_cache_dir(dir), 0);
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static void remove_dir(void)
{
    if (dir[0] != '\0')
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Whether this target has a vector library whose sin competes with ours
 * (without one nothing is measured, and the tests have nothing to test). */
static bool has_library(void)
{
    char *t = jx_target_info();
    bool yes = t != NULL && strstr(t, "libmvec:none") == NULL;
    jx_free(t);
    return yes;
}

/* Evaluates src ("sin(a)" or "cos(a)", then optionally "+ k", of a,
 * float64) over N elements against libm;
 * flags as jx_compile's.  Returns 0 or -1. */
static int run_expr(const char *src, unsigned flags)
{
    jx_var var = {.name = "a", .dtype = JX_FLOAT64};
    jx_error err;
    jx_expr *e = jx_compile(src, &var, 1, flags, &err);
    if (e == NULL)
        return -1;
    double a[N];
    for (int i = 0; i < N; i++)
        a[i] = 0.1 * i - 3;
    jx_array in = test_vec(JX_FLOAT64, a, N), out;
    int rc = jx_eval_new(e, &in, &out, &err);
    jx_expr_free(e);
    if (rc != 0)
        return -1;
    /* "sin(a)", "cos(a) + k" */
    const char *plus = strchr(src, '+');
    double k = plus ? atof(plus + 1) : 0;
    bool cosine = strstr(src, "cos") != NULL;
    for (int i = 0; i < N && rc == 0; i++) {
        double want = (cosine ? cos(a[i]) : sin(a[i])) + k;
        if (fabs(((double *)out.data)[i] - want) > 1e-13)
            rc = -1;
    }
    jx_free(out.data);
    return rc;
}

/* run_expr(src) in a forked child; 0 when it passed. */
static int run_in_child(const char *src)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(run_expr(src, 0) == 0 ? 0 : 1);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

/* The stored choices file in dir into path; false when there is none. */
static bool choices_file(char *path, size_t size)
{
    char pattern[600];
    snprintf(pattern, sizeof pattern, "ls %s/choices-*.jxc 2>/dev/null", dir);
    FILE *p = popen(pattern, "r");
    ck_assert_ptr_nonnull(p);
    bool found = fgets(path, (int)size, p) != NULL;
    pclose(p);
    if (found)
        path[strcspn(path, "\n")] = '\0';
    return found;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 16];
    *n = fread(buf, 1, sizeof buf - 1, f);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

static void spit(const char *path, const char *data, size_t n)
{
    unlink(path);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
    chmod(path, 0600);
}

/* FNV-1a, as the file's checksum. */
static unsigned long long fnv(const char *s, size_t n)
{
    unsigned long long h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* text with its "sum" line recomputed (text ends before it). */
static size_t seal(char *text, size_t n, size_t cap)
{
    return n + (size_t)snprintf(text + n, cap - n, "sum %016llx\n", fnv(text, n));
}

/* ---- written, then taken by a new process ----------------------------- */

START_TEST(test_written)
{
    if (!has_library())
        return;
    fresh_dir();
    ck_assert_int_eq(run_expr("sin(a)", 0), 0);
    jx_stats s = test_stats();
    ck_assert_uint_eq(s.calibrations, 1);
    ck_assert_uint_eq(s.choices_loaded, 0);
    ck_assert_uint_eq(s.choices_writes, 1);
    char path[1024];
    ck_assert(choices_file(path, sizeof path));
    /* The header names this build (the GNU build id of the program: 20
     * bytes from GCC's linker), so that another build never reads it. */
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char head[4096];
    size_t got = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[got] = '\0';
    const char *bid = strstr(head, "\nbuild ");
    ck_assert_msg(bid != NULL, "no build line in '%s'", head);
    bid += strlen("\nbuild ");
    size_t hex = strspn(bid, "0123456789abcdef");
    ck_assert_msg(hex == 40 && bid[hex] == '\n', "build id '%.60s'", bid);
    char *text = jx_stored_choices();
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "sin/64="));
    jx_free(text);
    /* A kernel that needs nothing new measures nothing, writes nothing. */
    ck_assert_int_eq(run_expr("sin(a) + 1", 0), 0);
    s = test_stats();
    ck_assert_uint_eq(s.calibrations, 1);
    ck_assert_uint_eq(s.choices_writes, 1);
    /* Cleared with the kernels. */
    jx_clear_cache();
    ck_assert(!choices_file(path, sizeof path));
}
END_TEST

/* This program exec'd: evaluates src (not on disk), and exits 0 when it
 * took the stored choices and measured nothing. */
static int expect_stored_main(const char *src)
{
    int rc = run_expr(src, 0);
    jx_stats s = test_stats();
    char *t = jx_target_info();
    bool shown = t != NULL && strstr(t, "stored: measured by an earlier process") != NULL;
    jx_free(t);
    return rc == 0 && s.calibrations == 0 && s.choices_loaded >= 1 &&
                   s.disk_hits == 0 && s.kernels_compiled == 1 && shown
               ? 0
               : 1;
}

/* This program exec'd in the tier "auto": evaluates src (a new
 * expression of sin), and exits 0 when it interpreted it with sin's unit
 * from the disk cache, compiling and measuring nothing (with unit "1"), or
 * when it compiled it (unit "0": the library's sin was chosen, no unit). */
static int expect_unit_main(const char *src, const char *unit)
{
    jx_set_tier("auto");
    int rc = run_expr(src, 0);
    jx_stats s = test_stats();
    bool interp = strcmp(unit, "1") == 0;
    return rc == 0 && s.calibrations == 0 && s.kernels_interpreted == interp &&
                   s.kernels_compiled == !interp && (!interp || s.disk_hits >= 1)
               ? 0
               : 1;
}

/* 0 when a new process evaluating src (this program with mode, arg) passes
 * (expect_stored_main, expect_unit_main). */
static int in_new_process(const char *mode, const char *src, const char *arg)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setenv("JITEXPR_CACHE_DIR", dir, 1);
        execl("/proc/self/exe", "check_choices", mode, src, arg, (char *)NULL);
        _exit(3);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

/* 0 when a new process evaluating src takes the stored choices. */
static int stored_in_new_process(const char *src)
{
    return in_new_process("--expect-stored", src, "");
}

START_TEST(test_new_process_takes)
{
    if (!has_library())
        return;
    fresh_dir();
    ck_assert_int_eq(run_in_child("sin(a)"), 0);
    ck_assert_int_eq(stored_in_new_process("sin(a) + 1"), 0);
    /* A second function: measured once, added to the file. */
    ck_assert_int_eq(run_in_child("cos(a)"), 0);
    char *text = jx_stored_choices();
    ck_assert_ptr_nonnull(strstr(text, "sin/64="));
    ck_assert_ptr_nonnull(strstr(text, "cos/64="));
    jx_free(text);
    ck_assert_int_eq(stored_in_new_process("cos(a) + 1"), 0);
}
END_TEST

/* sin's unit, stored by a first process that interpreted sin(a), serves a
 * new process's new expression: no compile, no measurement. */
START_TEST(test_unit_in_new_process)
{
    if (!has_library())
        return;
    fresh_dir();
    ck_assert_int_eq(jx_set_tier("auto"), 0);
    ck_assert_int_eq(run_in_child("sin(a)"), 0);
    char *text = jx_stored_choices();
    ck_assert_ptr_nonnull(text);
    bool ours = strstr(text, "sin/64=own") != NULL;
    jx_free(text);
    ck_assert_int_eq(in_new_process("--expect-unit", "sin(a) + 3", ours ? "1" : "0"), 0);
}
END_TEST

/* ---- files that are ignored ------------------------------------------- */

/* How a row spoils the file (path, its n bytes in text): the next process
 * must ignore it, count it rejected and measure. */
static const char *const bad_rows[] = {
    "truncated", "flipped byte", "no sum line", "wrong sum", "foreign target",
    "other version", "malformed line (sealed)", "unknown function (sealed)",
    "group-writable", "other-writable", "empty", "a directory", "symlink",
};

static void spoil(int row, const char *path, char *text, size_t n)
{
    static char buf[1 << 16];
    char *sum = strstr(text, "sum ");
    size_t body = (size_t)(sum - text);
    switch (row) {
    case 0: spit(path, text, n / 2); break;
    case 1: text[body - 3] ^= 1; spit(path, text, n); break;
    case 2: spit(path, text, body); break;
    case 3: text[n - 2] = text[n - 2] == '0' ? '1' : '0'; spit(path, text, n); break;
    case 4: case 5: case 6: case 7: {
        const char *from = row == 4 ? "target " : row == 5 ? "JXCHOICES 2" : "sin/64=";
        const char *to = row == 4 ? "target X" : row == 5 ? "JXCHOICES 3" : row == 6 ? "sin/64=xyz" : "foo/64=";
        char *at = strstr(text, from);
        ck_assert_ptr_nonnull(at);
        size_t pre = (size_t)(at - text), m;
        memcpy(buf, text, pre);
        m = pre + (size_t)sprintf(buf + pre, "%s", to);
        size_t rest = body - pre - strlen(from);
        memcpy(buf + m, at + strlen(from), rest);
        m = seal(buf, m + rest, sizeof buf);
        spit(path, buf, m);
        break;
    }
    case 8: chmod(path, 0620); break;
    case 9: chmod(path, 0602); break;
    case 10: spit(path, "", 0); break;
    case 11: unlink(path); ck_assert_int_eq(mkdir(path, 0700), 0); break;
    case 12: {
        char real[1100];
        snprintf(real, sizeof real, "%s.real", path);
        ck_assert_int_eq(rename(path, real), 0);
        ck_assert_int_eq(symlink(real, path), 0);
        break;
    }
    }
}

START_TEST(test_bad_file)
{
    if (!has_library())
        return;
    fresh_dir();
    ck_assert_int_eq(run_in_child("sin(a)"), 0);
    char path[1024];
    ck_assert(choices_file(path, sizeof path));
    size_t n;
    char *text = slurp(path, &n);
    spoil(_i, path, text, n);
    ck_assert_int_eq(run_expr("sin(a) + 1", 0), 0);
    jx_stats s = test_stats();
    ck_assert_uint_eq(s.choices_loaded, 0);
    ck_assert_uint_eq(s.calibrations, 1);
    ck_assert_uint_ge(s.disk_rejected, 1);
    if (_i == 11) /* a directory in the way: nothing written, nothing lost */
        return;
    /* Replaced by a good one: a new process takes it. */
    ck_assert_uint_eq(s.choices_writes, 1);
    ck_assert_int_eq(stored_in_new_process("sin(a) + 2"), 0);
}
END_TEST

/* ---- off -------------------------------------------------------------- */

/* Off by the API (NULL, "off") and by the compile flag: measured, nothing
 * written or read. */
START_TEST(test_off)
{
    if (!has_library())
        return;
    fresh_dir();
    if (_i == 0)
        ck_assert_int_eq(jx_set_cache_dir(NULL), -1);
    if (_i == 1)
        ck_assert_int_eq(jx_set_cache_dir("off"), -1);
    ck_assert_int_eq(run_expr("sin(a)", _i == 2 ? JX_FLAG_NO_CACHE : 0), 0);
    jx_stats s = test_stats();
    ck_assert_uint_eq(s.calibrations, 1);
    ck_assert_uint_eq(s.choices_writes + s.choices_loaded, 0);
    char path[1024];
    ck_assert(!choices_file(path, sizeof path));
    if (_i != 2)
        ck_assert_ptr_null(jx_stored_choices());
}
END_TEST

static Suite *choices_suite(void)
{
    Suite *s = suite_create("choices");
    TCase *t = tcase_create("choices");
    tcase_set_timeout(t, 120);
    tcase_add_checked_fixture(t, NULL, remove_dir);
    tcase_add_test(t, test_written);
    tcase_add_test(t, test_new_process_takes);
    tcase_add_test(t, test_unit_in_new_process);
    tcase_add_loop_test(t, test_bad_file, 0, NROWS(bad_rows));
    tcase_add_loop_test(t, test_off, 0, 3);
    suite_add_tcase(s, t);
    return s;
}

int main(int argc, char **argv)
{
    /* The suites' JITEXPR_MATHLIB=own decides without measuring. */
    unsetenv("JITEXPR_MATHLIB");
    setenv("JITEXPR_TIER", "compiled", 1);
    if (getenv("JX_CHOICES_BASE") == NULL) {
        /* Under the suite's cache directory (tests/Makefile.am). */
        const char *base = getenv("JITEXPR_CACHE_DIR");
        if (base != NULL && *base != '\0' && strcmp(base, "off") != 0 &&
            (mkdir(base, 0700) == 0 || errno == EEXIST))
            setenv("JX_CHOICES_BASE", base, 1);
    }
    if (argc == 4 && strcmp(argv[1], "--expect-stored") == 0)
        return expect_stored_main(argv[2]);
    if (argc == 4 && strcmp(argv[1], "--expect-unit") == 0)
        return expect_unit_main(argv[2], argv[3]);
    return test_main(choices_suite());
}
