/* testutil.h - small helpers shared by the Check suites. */
#ifndef JX_TESTUTIL_H
#define JX_TESTUTIL_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "jitexpr.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* A contiguous 1-D array of n elements of type t at data. */
static inline jx_array test_vec(jx_dtype t, void *data, int64_t n)
{
    jx_array a;
    memset(&a, 0, sizeof a);
    a.data = data;
    a.dtype = t;
    a.ndim = 1;
    a.shape[0] = n;
    a.strides[0] = (int64_t)jx_dtype_size(t);
    return a;
}

/* Runs a suite; the exit status says whether every test passed. */
static inline int test_main(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* This process's counters (jx_get_stats). */
static inline jx_stats test_stats(void)
{
    jx_stats s;
    jx_get_stats(&s);
    return s;
}

/* n doubles scale * (i % 1000) - 3.25 (malloc'd). */
static inline double *test_ramp(int64_t n, double scale)
{
    double *p = malloc(sizeof *p * (size_t)n);
    ck_assert_ptr_nonnull(p);
    for (int64_t i = 0; i < n; i++)
        p[i] = scale * (double)(i % 1000) - 3.25;
    return p;
}

/* An empty disk cache directory of the test's own (none of an earlier
 * run's kernels), made the cache's. */
static inline void test_fresh_cache(void)
{
    char dir[] = "/tmp/jx_test_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(jx_set_cache_dir(dir), 0);
}

#endif
