/* check_pool.c - the thread pool alone (every chunk run exactly once, for
 * many sizes and thread counts; errors; concurrent jobs; fork), and
 * evaluation split over threads against the same evaluation on one. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jitexpr.h"
#include "testutil.h"
#include "pool.h"
#include "adapt.h"

typedef struct counts {
    _Atomic int *hits;  /* times each chunk ran */
    int64_t fail_at;    /* chunk that reports an error, or -1 */
} counts;

static int count_chunk(void *arg, int64_t c, jx_error *err)
{
    counts *k = arg;
    atomic_fetch_add(&k->hits[c], 1);
    if (c == k->fail_at) {
        jx_err_set(err, JX_ERR_VALUE, -1, 0, "chunk %lld failed", (long long)c);
        return -1;
    }
    return 0;
}

static const int64_t sizes[] = {0, 1, 2, 3, 7, 64, 1000, 4099};
static const int threads[] = {1, 2, 3, 4, 8, 16};

START_TEST(test_every_chunk_once)
{
    int64_t n = sizes[_i / NROWS(threads)];
    int t = threads[_i % NROWS(threads)];
    counts k = {calloc((size_t)n + 1, sizeof(_Atomic int)), -1};
    jx_error err;
    ck_assert_int_eq(jx_pool_run(n, t, count_chunk, &k, &err), 0);
    for (int64_t c = 0; c < n; c++)
        ck_assert_msg(k.hits[c] == 1, "n=%lld threads=%d: chunk %lld ran %d times",
                      (long long)n, t, (long long)c, k.hits[c]);
    free(k.hits);
}
END_TEST

START_TEST(test_error_stops_job)
{
    int t = threads[_i];
    enum { N = 2000 };
    counts k = {calloc(N, sizeof(_Atomic int)), 10};
    jx_error err;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(jx_pool_run(N, t, count_chunk, &k, &err), -1);
    ck_assert_int_eq(err.code, JX_ERR_VALUE);
    ck_assert_str_eq(err.message, "chunk 10 failed");
    int ran = 0;
    for (int c = 0; c < N; c++) {
        ck_assert_int_le(k.hits[c], 1); /* never twice */
        ran += k.hits[c];
    }
    ck_assert_int_eq(k.hits[10], 1);
    /* The pool stays usable. */
    counts ok = {calloc(N, sizeof(_Atomic int)), -1};
    ck_assert_int_eq(jx_pool_run(N, t, count_chunk, &ok, &err), 0);
    for (int c = 0; c < N; c++)
        ck_assert_int_eq(ok.hits[c], 1);
    free(k.hits);
    free(ok.hits);
}
END_TEST

/* 16 callers run jobs at the same time; each job's chunks sum their
 * indices, so a chunk run twice or lost shows. */
typedef struct sum_job {
    int64_t n;
    _Atomic int64_t sum;
} sum_job;

static int sum_chunk(void *arg, int64_t c, jx_error *err)
{
    sum_job *s = arg;
    atomic_fetch_add(&s->sum, c + 1);
    return 0;
}

static void *caller(void *arg)
{
    intptr_t id = (intptr_t)arg;
    for (int it = 0; it < 50; it++) {
        sum_job s = {100 + id * 37 + it, 0};
        jx_error err;
        if (jx_pool_run(s.n, 4, sum_chunk, &s, &err) != 0)
            return (void *)1;
        if (atomic_load(&s.sum) != s.n * (s.n + 1) / 2)
            return (void *)1;
    }
    return NULL;
}

START_TEST(test_concurrent_jobs)
{
    pthread_t th[16];
    for (intptr_t i = 0; i < 16; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, caller, (void *)i), 0);
    for (int i = 0; i < 16; i++) {
        void *r;
        pthread_join(th[i], &r);
        ck_assert_msg(r == NULL, "caller %d saw a wrong sum", i);
    }
}
END_TEST

START_TEST(test_thread_settings)
{
    int cores = jx_detect_cores();
    ck_assert_int_ge(cores, 1);
    int old = jx_set_num_threads(3);
    ck_assert_int_ge(old, 1);
    ck_assert_int_eq(jx_get_num_threads(), 3);
    ck_assert_int_eq(jx_set_num_threads(0), -1);
    ck_assert_int_eq(jx_get_num_threads(), 3);
    ck_assert_int_eq(jx_set_num_threads(1000000), 3);
    ck_assert_int_eq(jx_get_num_threads(), jx_max_threads());
    jx_set_num_threads(old);
}
END_TEST

/* The environment variables, read at first use: run in a child. */
static int threads_with_env(const char *const *env)
{
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        unsetenv("JITEXPR_NUM_THREADS");
        unsetenv("NUMEXPR_NUM_THREADS");
        unsetenv("OMP_NUM_THREADS");
        unsetenv("NUMEXPR_MAX_THREADS");
        for (int i = 0; env[i]; i += 2)
            setenv(env[i], env[i + 1], 1);
        int n = jx_get_num_threads();
        if (write(fd[1], &n, sizeof n) != sizeof n)
            _exit(1);
        _exit(0);
    }
    int n = -1, status;
    ck_assert_int_eq(read(fd[0], &n, sizeof n), (ssize_t)sizeof n);
    waitpid(pid, &status, 0);
    close(fd[0]);
    close(fd[1]);
    return n;
}

START_TEST(test_environment)
{
    /* The test process itself has read its settings already (by the
     * other tests, when not forking); each case runs in a fresh child of
     * a process that has not: Check forks each test. */
    const char *const a[] = {"OMP_NUM_THREADS", "1", NULL};
    const char *const b[] = {"OMP_NUM_THREADS", "1", "NUMEXPR_NUM_THREADS", "3", NULL};
    const char *const c[] = {"NUMEXPR_NUM_THREADS", "3", "JITEXPR_NUM_THREADS", "5", NULL};
    const char *const d[] = {"JITEXPR_NUM_THREADS", "9", "NUMEXPR_MAX_THREADS", "4", NULL};
    const char *const e[] = {"JITEXPR_NUM_THREADS", "junk", NULL};
    ck_assert_int_eq(threads_with_env(a), 1);
    ck_assert_int_eq(threads_with_env(b), 3);
    ck_assert_int_eq(threads_with_env(c), 5);
    ck_assert_int_eq(threads_with_env(d), 4);
    ck_assert_int_eq(threads_with_env(e), jx_detect_cores());
}
END_TEST

/* A forked child gets a working pool. */
START_TEST(test_fork)
{
    jx_set_num_threads(4);
    sum_job s = {1000, 0};
    jx_error err;
    ck_assert_int_eq(jx_pool_run(s.n, 4, sum_chunk, &s, &err), 0);
    ck_assert_int_gt(jx_pool_workers(), 0);
    pid_t pid = fork();
    if (pid == 0) {
        sum_job t = {5000, 0};
        int ok = jx_pool_run(t.n, 4, sum_chunk, &t, &err) == 0 &&
                 atomic_load(&t.sum) == t.n * (t.n + 1) / 2 && jx_pool_workers() > 0;
        _exit(ok ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/* Large evaluations split over threads equal the same on one thread, for
 * 1-D and 2-D shapes that cut rows, segments of rows, and broadcasts.
 * Each is above the work threshold (elements x cost >= 2^20), so four
 * threads really run: the test checks that the workers exist. */
static const struct {
    const char *src;
    int ndim;
    int64_t shape[2];
} big_rows[] = {
    {"sin(a)**2 + cos(b)**2 * a", 1, {1000003, 0}},
    {"2*a + 3*b", 1, {262147, 0}},
    {"a*b - a", 2, {1001, 257}},   /* rows per chunk */
    {"a*b - a", 2, {3, 300007}},   /* segments of rows */
    {"where(a > b, a, b)", 2, {100000, 3}},
};

/* Below the work threshold an evaluation runs inline: a+b (cost 4) on
 * 2^17 elements starts no worker, sin(a) (cost 16) on the same does. */
START_TEST(test_work_threshold)
{
    enum { N = 1 << 17 };
    double *a = calloc(N, sizeof *a), *o = calloc(N, sizeof *o);
    jx_var vars[1] = {{"a", JX_FLOAT64}};
    jx_error err;
    jx_set_num_threads(4);
    jx_expr *cheap = jx_compile("a + a", vars, 1, 0, &err);
    jx_expr *dear = jx_compile("sin(a)", vars, 1, 0, &err);
    jx_array in = test_vec(JX_FLOAT64, a, N), out = test_vec(JX_FLOAT64, o, N);
    ck_assert_int_eq(jx_eval(cheap, &in, &out, &err), 0);
    ck_assert_int_eq(jx_pool_workers(), 0);
    ck_assert_int_eq(jx_eval(dear, &in, &out, &err), 0);
    ck_assert_int_eq(jx_pool_workers(), 3);
    jx_expr_free(cheap);
    jx_expr_free(dear);
    free(a);
    free(o);
}
END_TEST

START_TEST(test_parallel_equals_serial)
{
    const char *src = big_rows[_i].src;
    int64_t total = big_rows[_i].shape[0] * (big_rows[_i].ndim == 2 ? big_rows[_i].shape[1] : 1);
    double *a = malloc(sizeof(double) * (size_t)total);
    double *b = malloc(sizeof(double) * (size_t)total);
    for (int64_t i = 0; i < total; i++) {
        a[i] = sin((double)i) + 1.5;
        b[i] = cos((double)i * 0.7);
    }
    jx_var vars[2] = {{"a", JX_FLOAT64}, {"b", JX_FLOAT64}};
    jx_error err;
    jx_expr *e = jx_compile(src, vars, 2, 0, &err);
    ck_assert_ptr_nonnull(e);
    jx_array in[2];
    memset(in, 0, sizeof in);
    for (int k = 0; k < 2; k++) {
        in[k].data = k ? b : a;
        in[k].dtype = JX_FLOAT64;
        in[k].ndim = big_rows[_i].ndim;
        in[k].shape[0] = big_rows[_i].shape[0];
        in[k].shape[1] = big_rows[_i].shape[1];
        in[k].strides[in[k].ndim - 1] = 8;
        in[k].strides[0] = in[k].ndim == 2 ? 8 * in[k].shape[1] : 8;
    }
    if (big_rows[_i].ndim == 2) { /* b broadcast along the rows */
        in[1].shape[0] = 1;
        in[1].strides[0] = 0;
    }
    jx_array r1, r4;
    int old = jx_set_num_threads(1);
    ck_assert_int_eq(jx_eval_new(e, in, &r1, &err), 0);
    ck_assert_int_eq(jx_pool_workers(), 0); /* one thread: inline */
    jx_set_num_threads(4);
    ck_assert_int_eq(jx_eval_new(e, in, &r4, &err), 0);
    ck_assert_int_eq(jx_pool_workers(), 3); /* the caller is the fourth */
    jx_set_num_threads(old);
    ck_assert_int_eq(memcmp(r1.data, r4.data, sizeof(double) * (size_t)total), 0);
    jx_free(r1.data);
    jx_free(r4.data);
    jx_expr_free(e);
    free(a);
    free(b);
}
END_TEST

/* The choice of a way to run (adapt.c) fed with made-up timings: each row
 * the ways allowed, the first, picoseconds per element each way, and
 * what must happen: with one way, that way and nothing timed; else the
 * fastest from the first trials on (two calls per way), another way taken
 * only as a trial, at most `max_slow` times in 2000 calls (two per way to
 * start, then pairs at growing intervals), and after the fastest and the
 * slowest swap speeds, the new fastest chosen within 5000 calls. */
#define W(w) (1u << (w))
static const struct {
    unsigned ways;
    int first;
    uint32_t ps[JX_ADAPT_WAYS];
    int max_slow;
} adapt_rows[] = {
    {W(JX_WAY_INLINE), JX_WAY_INLINE, {300, 9000, 0, 0}, 0},        /* far below: inline */
    {W(JX_WAY_POOL), JX_WAY_POOL, {900, 450, 0, 0}, 0},             /* far above: pool */
    {W(0) | W(1), JX_WAY_POOL, {300, 500, 0, 0}, 14},               /* the model wrong */
    {W(0) | W(1), JX_WAY_INLINE, {440, 390, 0, 0}, 14},             /* the other way */
    {W(0) | W(1), JX_WAY_INLINE, {400, 2000, 0, 0}, 14},            /* pool 5x slower */
    {W(0) | W(2), JX_WAY_INLINE, {400, 0, 330, 0}, 14},             /* narrow faster */
    {W(1) | W(3), JX_WAY_POOL, {0, 200, 0, 260}, 14},               /* narrow slower */
    {W(0) | W(1) | W(2) | W(3), JX_WAY_POOL, {500, 420, 450, 380}, 20}, /* four ways */
};

static int64_t adapt_time(uint32_t ps, int64_t elements) { return (int64_t)ps * elements / 1000; }

static int fastest(const uint32_t *ps, unsigned ways)
{
    int best = -1;
    for (int w = 0; w < JX_ADAPT_WAYS; w++)
        if ((ways >> w & 1) && (best < 0 || ps[w] < ps[best]))
            best = w;
    return best;
}

START_TEST(test_adapt)
{
    jx_adapt *a = calloc(1, sizeof *a);
    int64_t n = 1 << 18;
    unsigned ways = adapt_rows[_i].ways;
    uint32_t ps[JX_ADAPT_WAYS];
    memcpy(ps, adapt_rows[_i].ps, sizeof ps);
    bool single = (ways & (ways - 1)) == 0;
    int best = fastest(ps, ways), slow = 0;
    for (int call = 0; call < 2000; call++) {
        jx_adapt_pick p = jx_adapt_choose(a, n, ways, adapt_rows[_i].first);
        ck_assert(ways >> p.way & 1);
        if (single) {
            ck_assert_int_eq(p.cls, -1);
            ck_assert_int_eq(p.way, adapt_rows[_i].first);
            continue;
        }
        ck_assert_int_ge(p.cls, 0);
        if (p.way != best) {
            slow++;
            ck_assert_msg(call < 2 * __builtin_popcount(ways) || p.probe,
                          "way %d at call %d, not a trial", p.way, call);
        }
        jx_adapt_record(a, p, n, adapt_time(ps[p.way], n));
    }
    if (!single) {
        ck_assert_msg(slow <= adapt_rows[_i].max_slow, "another way %d times", slow);
        /* the fastest and the slowest swap speeds */
        int worst = best;
        for (int w = 0; w < JX_ADAPT_WAYS; w++)
            if ((ways >> w & 1) && ps[w] > ps[worst])
                worst = w;
        uint32_t t = ps[best];
        ps[best] = ps[worst];
        ps[worst] = t;
        best = fastest(ps, ways);
        int last_wrong = -1;
        for (int call = 0; call < 8000; call++) {
            jx_adapt_pick p = jx_adapt_choose(a, n, ways, adapt_rows[_i].first);
            if (p.way != best && !p.probe)
                last_wrong = call;
            jx_adapt_record(a, p, n, adapt_time(ps[p.way], n));
        }
        ck_assert_msg(last_wrong < 5000, "still way %d at call %d", best, last_wrong);
    }
    free(a);
}
END_TEST

static Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("pool");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_every_chunk_once, 0, NROWS(sizes) * NROWS(threads));
    tcase_add_loop_test(tc, test_error_stops_job, 0, NROWS(threads));
    tcase_add_test(tc, test_concurrent_jobs);
    tcase_add_test(tc, test_thread_settings);
    tcase_add_test(tc, test_environment);
    tcase_add_test(tc, test_fork);
    tcase_add_loop_test(tc, test_parallel_equals_serial, 0, NROWS(big_rows));
    tcase_add_test(tc, test_work_threshold);
    tcase_add_loop_test(tc, test_adapt, 0, NROWS(adapt_rows));
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return test_main(pool_suite()); }
