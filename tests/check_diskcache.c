/* check_diskcache.c - the disk cache of compiled kernels (src/diskcache.c):
 * which changes of an expression or the target give a miss, files that
 * are corrupt, truncated or of another format (rejected and replaced), a
 * directory that is missing, cannot be created, is read-only, writable by
 * others or another user's, files not ours, the cache
 * off, the size limit and least-recently-used eviction, processes writing
 * at once, and a fork after a load.
 *
 * Each test runs in its own forked process (Check's default) with the
 * cache in a fresh temporary directory, never the user's; a "first
 * process" is a child forked by the test, so that the test's own process
 * starts with an empty in-memory cache and can only hit on disk. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jitexpr.h"
#include "testutil.h"

#define N 100

/* A fresh cache directory for this test, removed after it. */
static char dir[512];

static void fresh_dir(void)
{
    /* Under the suite's cache directory (tests/Makefile.am), else TMPDIR. */
    const char *base = getenv("JITEXPR_CACHE_DIR");
    if (base == NULL || *base == '\0' || strcmp(base, "off") == 0 ||
        (mkdir(base, 0700) != 0 && errno != EEXIST))
        base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/jxdc-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(jx_set_cache_dir(dir), 0);
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* The checked fixture's teardown: the test's directory goes. */
static void remove_dir(void)
{
    if (dir[0] != '\0')
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Compiles src over a and b of dtype t, evaluates it over N elements
 * (strided inputs when strided) and checks the result against ref.
 * Returns 0, or -1 on any failure. */
static int run_expr(const char *src, jx_dtype t, bool strided, double k,
                    unsigned flags)
{
    jx_var vars[2] = {{.name = "a", .dtype = t}, {.name = "b", .dtype = t}};
    jx_error err;
    jx_expr *e = jx_compile(src, vars, 2, flags, &err);
    if (e == NULL)
        return -1;
    double ad[2 * N], bd[2 * N];
    float af[2 * N], bf[2 * N];
    for (int i = 0; i < 2 * N; i++) {
        ad[i] = af[i] = (float)(i % 17) * 0.25f;
        bd[i] = bf[i] = (float)(i % 5);
    }
    bool f32 = t == JX_FLOAT32;
    jx_array in[2] = {test_vec(t, f32 ? (void *)af : (void *)ad, N),
                      test_vec(t, f32 ? (void *)bf : (void *)bd, N)};
    if (strided)
        for (int i = 0; i < 2; i++)
            in[i].strides[0] *= 2;
    jx_array out;
    int rc = jx_eval_new(e, in, &out, &err);
    jx_expr_free(e);
    if (rc != 0)
        return -1;
    for (int i = 0; i < N && rc == 0; i++) {
        int j = strided ? 2 * i : i;
        double a = f32 ? af[j] : ad[j], b = f32 ? bf[j] : bd[j];
        double want = a * k + b;
        double got = out.dtype == JX_FLOAT32 ? ((float *)out.data)[i]
                                             : ((double *)out.data)[i];
        if (fabs(got - want) > 1e-5 * (1 + fabs(want)))
            rc = -1;
    }
    jx_free(out.data);
    return rc;
}

/* run_expr in a child process (a "first process"); its result. */
static int run_in_child(const char *src, jx_dtype t, bool strided, double k,
                        const char *mathlib)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (mathlib != NULL)
            setenv("JITEXPR_MATHLIB", mathlib, 1);
        _exit(run_expr(src, t, strided, k, 0) == 0 ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

/* run_expr in a new program (this one, exec'd): 0 when it ran from the
 * disk cache without compiling. */
static int hit_in_new_process(const char *src, int k)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setenv("JITEXPR_CACHE_DIR", dir, 1);
        char ks[16];
        snprintf(ks, sizeof ks, "%d", k);
        execl("/proc/self/exe", "check_diskcache", "--expect-hit", src, ks,
              (char *)NULL);
        _exit(3);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

/* The names of the kernel files in dir, how many (at most max). */
static int kernel_files(char names[][256], int max, int *tmp)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    if (tmp)
        *tmp = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".jxk") == 0) {
            if (n < max)
                snprintf(names[n], 256, "%s", e->d_name);
            n++;
        } else if (tmp && strncmp(e->d_name, ".tmp-", 5) == 0)
            (*tmp)++;
    }
    closedir(d);
    return n;
}

/* ---- keys ------------------------------------------------------------- */

/* The first process compiles `first`; this one `second`: a disk hit or a
 * compile. */
static const struct {
    const char *first, *second;
    jx_dtype t1, t2;
    bool strided1, strided2;
    const char *mathlib1;  /* the first process's JITEXPR_MATHLIB, or as is */
    bool hit;
} key_rows[] = {
    {"a*2 + b", "a*2 + b", JX_FLOAT64, JX_FLOAT64, false, false, NULL, true},
    {"a*2 + b", "a * 2+b", JX_FLOAT64, JX_FLOAT64, false, false, NULL, true},
    {"a*2 + b", "(a*2) + (b)", JX_FLOAT64, JX_FLOAT64, false, false, NULL, true},
    {"a*2 + b", "a*2.0 + b", JX_FLOAT64, JX_FLOAT64, false, false, NULL, true},
    {"a*2 + b", "a*2 + b", JX_FLOAT64, JX_FLOAT64, true, true, NULL, true},
    /* misses: another IR, dtype, layout, target id */
    {"a*2 + b", "a*3 + b", JX_FLOAT64, JX_FLOAT64, false, false, NULL, false},
    {"a*2 + b", "b + a*2", JX_FLOAT64, JX_FLOAT64, false, false, NULL, false},
    {"a*2 + b", "a*2 + b", JX_FLOAT64, JX_FLOAT32, false, false, NULL, false},
    {"a*2 + b", "a*2 + b", JX_FLOAT32, JX_FLOAT64, false, false, NULL, false},
    {"a*2 + b", "a*2 + b", JX_FLOAT64, JX_FLOAT64, false, true, NULL, false},
    {"a*2 + b", "a*2 + b", JX_FLOAT64, JX_FLOAT64, false, false, "own,exp=own", false},
};

static double row_k(const char *src) { return strstr(src, "3") ? 3 : 2; }

START_TEST(test_keys)
{
    fresh_dir();
    ck_assert_int_eq(run_in_child(key_rows[_i].first, key_rows[_i].t1,
                                  key_rows[_i].strided1, row_k(key_rows[_i].first),
                                  key_rows[_i].mathlib1),
                     0);
    ck_assert_int_eq(run_expr(key_rows[_i].second, key_rows[_i].t2,
                              key_rows[_i].strided2, row_k(key_rows[_i].second), 0),
                     0);
    jx_stats s = test_stats();
    if (key_rows[_i].hit) {
        ck_assert_uint_eq(s.kernels_compiled, 0);
        ck_assert_uint_ge(s.disk_hits, 1);
    } else {
        ck_assert_uint_ge(s.kernels_compiled, 1);
        ck_assert_uint_ge(s.disk_misses, 1);
        ck_assert_uint_ge(s.disk_writes, 1);
    }
    ck_assert_uint_eq(s.disk_rejected, 0);
}
END_TEST

/* ---- files not to be trusted ------------------------------------------ */

typedef enum { FLIP, TRUNCATE, SET, APPEND, CHMOD, CHOWN } mutation;
/* What is done to the one kernel file: at offset (from the end when
 * negative) flip a byte, truncate to the offset, set 4 bytes to value, or
 * append a byte. */
static const struct {
    const char *what;
    mutation m;
    long offset;
    uint32_t value;
} bad_rows[] = {
    {"object byte flipped", FLIP, -100, 0},
    {"last byte flipped", FLIP, -1, 0},
    {"key byte flipped", FLIP, 60, 0},
    {"magic", FLIP, 0, 0},
    {"truncated to half", TRUNCATE, -2, 0},
    {"truncated in the header", TRUNCATE, 10, 0},
    {"empty", TRUNCATE, 0, 0},
    {"another format version", SET, 8, 99},
    {"key length of another key", SET, 12, 3},
    {"a byte appended", APPEND, 0, 0},
    /* whole files of another user, or that others may write: not ours */
    {"writable by group and others", CHMOD, 0, 0666},
    {"owned by another user", CHOWN, 0, 65534},
};

/* Returns false when this user cannot make the change (CHOWN needs root). */
static bool mutate(const char *path, int row)
{
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    long off = bad_rows[row].offset;
    if (off < 0 && bad_rows[row].m == TRUNCATE)
        off = st.st_size / -off;
    else if (off < 0)
        off += st.st_size;
    unsigned char c;
    switch (bad_rows[row].m) {
    case FLIP:
        ck_assert_int_eq(pread(fd, &c, 1, off), 1);
        c ^= 0x5a;
        ck_assert_int_eq(pwrite(fd, &c, 1, off), 1);
        break;
    case TRUNCATE:
        ck_assert_int_eq(ftruncate(fd, off), 0);
        break;
    case SET:
        ck_assert_int_eq(pwrite(fd, &bad_rows[row].value, 4, off), 4);
        break;
    case APPEND:
        c = 0;
        ck_assert_int_eq(pwrite(fd, &c, 1, st.st_size), 1);
        break;
    case CHMOD:
        ck_assert_int_eq(fchmod(fd, (mode_t)bad_rows[row].value), 0);
        break;
    case CHOWN:
        if (fchown(fd, (uid_t)bad_rows[row].value, (gid_t)-1) != 0) {
            close(fd);
            return false;
        }
        break;
    }
    close(fd);
    return true;
}

START_TEST(test_bad_file)
{
    fresh_dir();
    ck_assert_int_eq(run_in_child("a*2 + b", JX_FLOAT64, false, 2, NULL), 0);
    char names[4][256];
    ck_assert_int_eq(kernel_files(names, 4, NULL), 1);
    char path[1024];
    snprintf(path, sizeof path, "%.511s/%.255s", dir, names[0]);
    if (!mutate(path, _i))
        return; /* not root: no other user's file to make */

    ck_assert_msg(run_expr("a*2 + b", JX_FLOAT64, false, 2, 0) == 0, "%s",
                  bad_rows[_i].what);
    jx_stats s = test_stats();
    ck_assert_msg(s.disk_rejected == 1 && s.disk_hits == 0 &&
                      s.kernels_compiled == 1 && s.disk_writes == 1,
                  "%s: rejected %llu hits %llu compiled %llu writes %llu",
                  bad_rows[_i].what, (unsigned long long)s.disk_rejected,
                  (unsigned long long)s.disk_hits,
                  (unsigned long long)s.kernels_compiled,
                  (unsigned long long)s.disk_writes);
    /* Replaced: a new process hits. */
    ck_assert_msg(hit_in_new_process("a*2 + b", 2) == 0, "%s: not replaced",
                  bad_rows[_i].what);
}
END_TEST

/* ---- where the cache lives -------------------------------------------- */

START_TEST(test_missing_dir_created)
{
    fresh_dir();
    char sub[600];
    snprintf(sub, sizeof sub, "%s/x/y/z", dir);
    ck_assert_int_eq(jx_set_cache_dir(sub), 0);
    ck_assert_int_eq(run_expr("a*2 + b", JX_FLOAT64, false, 2, 0), 0);
    jx_cache_info info;
    jx_get_cache_info(&info);
    ck_assert_int_eq(info.enabled, 1);
    ck_assert_str_eq(info.dir, sub);
    ck_assert_uint_eq(info.files, 1);
    ck_assert_uint_gt(info.bytes, 0);
}
END_TEST

/* Directories that cannot be used: the cache is off, compiling works. */
static const char *const unusable_rows[] = {
    "/proc/jitexpr-cache-test", /* cannot be created */
    "/dev/null/jitexpr",        /* under a file */
    "",                         /* a read-only directory (made below) */
    "@shared",                  /* writable by group and others (below) */
    "@other",                   /* another user's (below; needs root) */
};

START_TEST(test_unusable_dir)
{
    char ro[600];
    const char *path = unusable_rows[_i];
    if (*path == '\0') {
        fresh_dir();
        snprintf(ro, sizeof ro, "%s/ro", dir);
        ck_assert_int_eq(mkdir(ro, 0500), 0);
        path = ro;
        if (access(ro, W_OK) == 0) /* root: permissions do not stop it */
            return;
    } else if (*path == '@') {
        /* Usable, but the code in it would not be ours alone. */
        fresh_dir();
        snprintf(ro, sizeof ro, "%s/%s", dir, path + 1);
        ck_assert_int_eq(mkdir(ro, 0700), 0);
        if (strcmp(path, "@shared") == 0)
            ck_assert_int_eq(chmod(ro, 0777), 0);
        else if (chown(ro, 65534, (gid_t)-1) != 0)
            return; /* not root: no other user's directory to make */
        path = ro;
    }
    ck_assert_int_eq(jx_set_cache_dir(path), -1);
    ck_assert_int_eq(run_expr("a*2 + b", JX_FLOAT64, false, 2, 0), 0);
    jx_stats s = test_stats();
    ck_assert_uint_eq(s.disk_unavailable, 1);
    ck_assert_uint_eq(s.disk_writes + s.disk_hits + s.disk_misses, 0);
    jx_cache_info info;
    jx_get_cache_info(&info);
    ck_assert_int_eq(info.enabled, 0);
}
END_TEST

/* Off by the API (NULL, "off") and by the compile flag: nothing on
 * disk, nothing counted (the environment: test_env_off). */
START_TEST(test_off)
{
    fresh_dir();
    if (_i == 0)
        ck_assert_int_eq(jx_set_cache_dir(NULL), -1);
    if (_i == 1)
        ck_assert_int_eq(jx_set_cache_dir("off"), -1);
    unsigned flags = _i == 2 ? JX_FLAG_NO_CACHE : 0;
    ck_assert_int_eq(run_expr("a*2 + b", JX_FLOAT64, false, 2, flags), 0);
    jx_stats s = test_stats();
    ck_assert_uint_eq(s.disk_writes + s.disk_hits + s.disk_misses, 0);
    ck_assert_uint_eq(s.disk_unavailable, 0);
    ck_assert_int_eq(kernel_files(NULL, 0, NULL), 0);
}
END_TEST

/* JITEXPR_CACHE_DIR=off in a process that has set nothing: runs as its
 * own program (check_diskcache --env-off), see main. */
static int env_off_main(void)
{
    jx_cache_info info;
    jx_get_cache_info(&info);
    int rc = run_expr("a*2 + b", JX_FLOAT64, false, 2, 0);
    jx_stats s = test_stats();
    return rc == 0 && !info.enabled && s.disk_writes == 0 && s.disk_misses == 0
               ? 0
               : 1;
}

START_TEST(test_env_off)
{
    fresh_dir();
    pid_t pid = fork();
    if (pid == 0) {
        setenv("JITEXPR_CACHE_DIR", "off", 1);
        execl("/proc/self/exe", "check_diskcache", "--env-off", (char *)NULL);
        _exit(3);
    }
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/* ---- size ------------------------------------------------------------- */

static const struct {
    const char *env;
    uint64_t bytes;
} size_rows[] = {
    {"1000", 1000},       {"64K", 64 << 10},    {"3M", 3 << 20},
    {"2GiB", 2ull << 30}, {"5MB", 5ull << 20},  {"", 256ull << 20},
    {"lots", 256ull << 20}, {"-5", 256ull << 20}, {"12Q", 256ull << 20},
};

static int env_size_main(const char *want)
{
    jx_cache_info info;
    jx_get_cache_info(&info);
    return info.size_limit == strtoull(want, NULL, 10) ? 0 : 1;
}

START_TEST(test_env_size)
{
    fresh_dir();
    pid_t pid = fork();
    if (pid == 0) {
        setenv("JITEXPR_CACHE_SIZE", size_rows[_i].env, 1);
        setenv("JITEXPR_CACHE_DIR", dir, 1);
        char want[32];
        snprintf(want, sizeof want, "%llu", (unsigned long long)size_rows[_i].bytes);
        execl("/proc/self/exe", "check_diskcache", "--env-size", want, (char *)NULL);
        _exit(3);
    }
    int status;
    waitpid(pid, &status, 0);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "JITEXPR_CACHE_SIZE=%s", size_rows[_i].env);
}
END_TEST

/* Sets the mtime of every kernel file to `age` seconds ago. */
static void age_files(long age)
{
    char names[64][256];
    int n = kernel_files(names, 64, NULL);
    for (int i = 0; i < n && i < 64; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%.511s/%.255s", dir, names[i]);
        struct timespec t[2] = {{.tv_sec = time(NULL) - age}, {.tv_sec = time(NULL) - age}};
        ck_assert_int_eq(utimensat(AT_FDCWD, path, t, 0), 0);
    }
}

START_TEST(test_eviction)
{
    fresh_dir();
    /* One kernel's file size, and a limit of four and a half of them. */
    ck_assert_int_eq(run_in_child("a*1 + b", JX_FLOAT64, false, 1, NULL), 0);
    jx_cache_info info;
    jx_get_cache_info(&info);
    ck_assert_uint_eq(info.files, 1);
    uint64_t one = info.bytes, limit = 4 * one + one / 2;
    ck_assert_int_eq(jx_set_cache_size(limit), 0);
    char src[32];
    for (int k = 2; k <= 12; k++) {
        snprintf(src, sizeof src, "a*%d + b", k);
        ck_assert_int_eq(run_expr(src, JX_FLOAT64, false, k, 0), 0);
        jx_get_cache_info(&info);
        ck_assert_uint_le(info.bytes, limit);
        ck_assert_uint_eq(info.size_limit, limit);
    }
    ck_assert_uint_ge(info.files, 3);
    ck_assert_uint_le(info.files, 4);
    ck_assert_uint_eq(test_stats().disk_writes, 11);
    ck_assert_int_eq(jx_clear_cache(), (long)info.files);
    jx_get_cache_info(&info);
    ck_assert_uint_eq(info.files, 0);
    ck_assert_uint_eq(info.bytes, 0);
}
END_TEST

/* Least recently used first: of three equally old files, the one hit
 * survives an eviction that takes two. */
START_TEST(test_lru_order)
{
    fresh_dir();
    const char *srcs[3] = {"a*3 + b", "a*2 + b", "a*1 + b"};
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(run_in_child(srcs[i], JX_FLOAT64, false, 3 - i, NULL), 0);
    age_files(2000);
    ck_assert_int_eq(run_expr(srcs[0], JX_FLOAT64, false, 3, 0), 0);
    ck_assert_uint_eq(test_stats().disk_hits, 1); /* and touched: now the newest */
    jx_cache_info info;
    jx_get_cache_info(&info);
    ck_assert_uint_eq(info.files, 3);
    ck_assert_int_eq(jx_set_cache_size(info.bytes / 2), 0);
    jx_get_cache_info(&info);
    ck_assert_uint_eq(info.files, 1);
    pid_t pid = fork();
    if (pid == 0) {
        int bad = run_expr(srcs[0], JX_FLOAT64, false, 3, 0) != 0;
        bad |= test_stats().disk_hits != 1;
        bad |= run_expr(srcs[1], JX_FLOAT64, false, 2, 0) != 0;
        bad |= test_stats().disk_hits != 1;
        _exit(bad);
    }
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/* ---- processes -------------------------------------------------------- */

/* Eight processes compile the same ten new kernels at once. */
START_TEST(test_concurrent_writers)
{
    fresh_dir();
    enum { PROCS = 8, EXPRS = 10 };
    pid_t pids[PROCS];
    for (int p = 0; p < PROCS; p++) {
        pids[p] = fork();
        if (pids[p] == 0) {
            int bad = 0;
            for (int k = 0; k < EXPRS; k++) {
                char src[32];
                int e = (k + p) % EXPRS + 1;
                snprintf(src, sizeof src, "a*%d + b", e);
                bad |= run_expr(src, JX_FLOAT64, false, e, 0) != 0;
            }
            _exit(bad);
        }
    }
    for (int p = 0; p < PROCS; p++) {
        int status;
        waitpid(pids[p], &status, 0);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    int tmp;
    ck_assert_int_eq(kernel_files(NULL, 0, &tmp), EXPRS);
    ck_assert_int_eq(tmp, 0);
    /* Every file is whole: a new process hits them all. */
    for (int k = 1; k <= EXPRS; k++) {
        char src[32];
        snprintf(src, sizeof src, "a*%d + b", k);
        ck_assert_int_eq(run_expr(src, JX_FLOAT64, false, k, 0), 0);
    }
    jx_stats s = test_stats();
    ck_assert_uint_eq(s.disk_hits, EXPRS);
    ck_assert_uint_eq(s.kernels_compiled, 0);
    ck_assert_uint_eq(s.disk_rejected, 0);
}
END_TEST

/* A kernel loaded from disk, then fork: the child runs it, loads another
 * and compiles and stores a new one. */
START_TEST(test_fork_after_load)
{
    fresh_dir();
    ck_assert_int_eq(run_in_child("a*2 + b", JX_FLOAT64, false, 2, NULL), 0);
    ck_assert_int_eq(run_in_child("a*3 + b", JX_FLOAT64, false, 3, NULL), 0);
    ck_assert_int_eq(run_expr("a*2 + b", JX_FLOAT64, false, 2, 0), 0);
    ck_assert_uint_eq(test_stats().disk_hits, 1);
    pid_t pid = fork();
    if (pid == 0) {
        int bad = run_expr("a*2 + b", JX_FLOAT64, false, 2, 0) != 0;
        bad |= run_expr("a*3 + b", JX_FLOAT64, false, 3, 0) != 0;
        bad |= run_expr("a*4 + b", JX_FLOAT64, false, 4, 0) != 0;
        jx_stats s = test_stats();
        bad |= s.disk_hits != 2 || s.disk_writes != 1;
        _exit(bad);
    }
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_int_eq(kernel_files(NULL, 0, NULL), 3);
}
END_TEST

/* The same stored kernel loaded twice in one process (the in-memory cache
 * bypassed by clearing it): two live copies, both run. */
START_TEST(test_load_twice)
{
    fresh_dir();
    ck_assert_int_eq(run_in_child("a*2 + b", JX_FLOAT64, false, 2, NULL), 0);
    jx_var vars[2] = {{.name = "a", .dtype = JX_FLOAT64}, {.name = "b", .dtype = JX_FLOAT64}};
    jx_error err;
    jx_expr *e1 = jx_compile("a*2 + b", vars, 2, 0, &err);
    ck_assert_ptr_nonnull(e1);
    /* Empty the memory cache but keep the file: copy it aside. */
    char names[2][256], path[1024], keep[1100];
    ck_assert_int_eq(kernel_files(names, 2, NULL), 1);
    snprintf(path, sizeof path, "%.511s/%.255s", dir, names[0]);
    snprintf(keep, sizeof keep, "%s.keep", path);
    ck_assert_int_eq(link(path, keep), 0);
    jx_clear_cache();
    ck_assert_int_eq(rename(keep, path), 0);
    ck_assert_int_eq(run_expr("a*2 + b", JX_FLOAT64, false, 2, 0), 0);
    ck_assert_uint_eq(test_stats().disk_hits, 2);
    ck_assert_uint_eq(test_stats().kernels_compiled, 0);
    double a[3] = {1, 2, 3}, b[3] = {1, 1, 1};
    jx_array in[2] = {test_vec(JX_FLOAT64, a, 3), test_vec(JX_FLOAT64, b, 3)};
    jx_array out;
    ck_assert_int_eq(jx_eval_new(e1, in, &out, &err), 0);
    ck_assert_double_eq(((double *)out.data)[2], 7);
    jx_free(out.data);
    jx_expr_free(e1);
}
END_TEST

static Suite *diskcache_suite(void)
{
    Suite *s = suite_create("diskcache");
    TCase *t = tcase_create("diskcache");
    tcase_set_timeout(t, 120);
    tcase_add_checked_fixture(t, NULL, remove_dir);
    tcase_add_loop_test(t, test_keys, 0, NROWS(key_rows));
    tcase_add_loop_test(t, test_bad_file, 0, NROWS(bad_rows));
    tcase_add_test(t, test_missing_dir_created);
    tcase_add_loop_test(t, test_unusable_dir, 0, NROWS(unusable_rows));
    tcase_add_loop_test(t, test_off, 0, 3);
    tcase_add_test(t, test_env_off);
    tcase_add_loop_test(t, test_env_size, 0, NROWS(size_rows));
    tcase_add_test(t, test_eviction);
    tcase_add_test(t, test_lru_order);
    tcase_add_test(t, test_concurrent_writers);
    tcase_add_test(t, test_fork_after_load);
    tcase_add_test(t, test_load_twice);
    suite_add_tcase(s, t);
    return s;
}

static int expect_hit_main(const char *src, const char *k)
{
    int rc = run_expr(src, JX_FLOAT64, false, atof(k), 0);
    jx_stats s = test_stats();
    return rc == 0 && s.disk_hits >= 1 && s.kernels_compiled == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    /* The disk cache alone: every kernel optimised before it runs, so that
     * it is written at once (the quick tier stores its kernels later, from
     * the background or at exit: check_tier and test_diskcache.py). */
    setenv("JITEXPR_TIER", "full", 1);
    if (argc == 4 && strcmp(argv[1], "--expect-hit") == 0)
        return expect_hit_main(argv[2], argv[3]);
    if (argc == 2 && strcmp(argv[1], "--env-off") == 0)
        return env_off_main();
    if (argc == 3 && strcmp(argv[1], "--env-size") == 0)
        return env_size_main(argv[2]);
    return test_main(diskcache_suite());
}
