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

#endif
