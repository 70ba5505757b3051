/*
 * bench_cmd.c - `jitexpr bench EXPR [-n N] [-r REPEATS] [-t THREADS]
 * [NAME:DTYPE ...]`: times the first compile, a cached one, and the
 * evaluation over generated data.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "npy.h"

/* splitmix64: a small, fixed-seed generator for bench data. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Fills n elements of dtype t: floats in [0.1, 1.1), ints in 1..100,
 * bools at random, byte strings of itemsize bytes: 0 to itemsize letters
 * from "abcd", then NULs. */
static void fill_random(void *data, int64_t n, jx_dtype t, size_t itemsize,
                        uint64_t seed)
{
    uint64_t st = seed;
    for (int64_t i = 0; i < n; i++) {
        uint64_t r = next_random(&st);
        double f = 0.1 + (double)(r >> 11) * 0x1.0p-53;
        int64_t k = 1 + (int64_t)(r % 100);
        switch (t) {
        case JX_BOOL: ((unsigned char *)data)[i] = r >> 63; break;
        case JX_INT8: ((int8_t *)data)[i] = (int8_t)k; break;
        case JX_INT16: ((int16_t *)data)[i] = (int16_t)k; break;
        case JX_INT32: ((int32_t *)data)[i] = (int32_t)k; break;
        case JX_INT64: ((int64_t *)data)[i] = k; break;
        case JX_UINT8: ((uint8_t *)data)[i] = (uint8_t)k; break;
        case JX_UINT16: ((uint16_t *)data)[i] = (uint16_t)k; break;
        case JX_UINT32: ((uint32_t *)data)[i] = (uint32_t)k; break;
        case JX_UINT64: ((uint64_t *)data)[i] = (uint64_t)k; break;
        case JX_FLOAT16: ((uint16_t *)data)[i] = print_half_bits(f); break;
        case JX_FLOAT32: ((float *)data)[i] = (float)f; break;
        case JX_FLOAT64: ((double *)data)[i] = f; break;
        case JX_COMPLEX64:
            ((float *)data)[2 * i] = (float)f;
            ((float *)data)[2 * i + 1] =
                (float)(0.1 + (double)(next_random(&st) >> 11) * 0x1.0p-53);
            break;
        case JX_COMPLEX128:
            ((double *)data)[2 * i] = f;
            ((double *)data)[2 * i + 1] =
                0.1 + (double)(next_random(&st) >> 11) * 0x1.0p-53;
            break;
        case JX_BYTES: {
            unsigned char *s = (unsigned char *)data + (size_t)i * itemsize;
            size_t len = (size_t)(r % (itemsize + 1));
            for (size_t j = 0; j < itemsize; j++)
                s[j] = j < len ? (unsigned char)('a' + (next_random(&st) >> 62))
                               : 0;
            break;
        }
        default: break;
        }
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Prints a duration with a unit that suits it. */
static void format_seconds(char *buf, size_t size, double s)
{
    if (s >= 1)
        snprintf(buf, size, "%.3f s", s);
    else if (s >= 1e-3)
        snprintf(buf, size, "%.3f ms", s * 1e3);
    else
        snprintf(buf, size, "%.2f us", s * 1e6);
}

/* Gives each variable e uses n generated elements, and the others a 0-d
 * zero; returns 0 or the exit status.  *in_bytes gets the sum of the used
 * inputs' itemsizes. */
static int bench_data(cli *c, const jx_expr *e, int64_t n, size_t *in_bytes)
{
    *in_bytes = 0;
    for (int k = 0; k < jx_expr_nused(e); k++) {
        if (args_used_var(c, e, k) < 0)
            continue;
        cli_var *v = &c->vars[args_used_var(c, e, k)];
        size_t item = v->dtype == JX_BYTES ? v->itemsize
                                           : jx_npy_itemsize(v->dtype);
        char name[32];
        *in_bytes += item;
        if ((uint64_t)n > SIZE_MAX / item ||
            posix_memalign(&v->owned, 64, (size_t)n * item) != 0) {
            v->owned = NULL;
            return report_io("out of memory for %lld elements of %s",
                            (long long)n, args_dtype_text(name, sizeof name, v));
        }
        fill_random(v->owned, n, v->dtype, item,
                    42 + 1000003u * (unsigned)k);
        v->arr.data = v->owned;
        v->arr.dtype = v->dtype;
        v->arr.ndim = 1;
        v->arr.shape[0] = n;
        v->arr.strides[0] = (int64_t)item;
    }
    for (int k = 0; k < c->nvars; k++)
        if (c->vars[k].arr.data == NULL) {
            c->vars[k].arr.data = &c->vars[k].value;
            c->vars[k].arr.dtype = c->vars[k].dtype;
        }
    args_build_tables(c);
    return 0;
}

/* A first jx_eval_new (which tells the output's shape), then into a
 * preallocated output one warm-up jx_eval and repeats timed ones; times[]
 * gets the sorted durations.  Returns 0 or the exit status. */
static int bench_run(cli *c, const jx_expr *e, const char *src,
                     int64_t repeats, double *times, jx_array *out)
{
    jx_error err = {0};
    if (jx_eval_new(e, c->inputs, out, &err) != JX_OK) {
        report_error(src, &err);
        out->data = NULL;
        return CLI_EXIT_USAGE;
    }
    jx_free(out->data);
    out->data = NULL;
    size_t item = jx_dtype_size(out->dtype);
    int64_t count = print_size(out);
    int64_t stride = (int64_t)item;
    for (int d = out->ndim - 1; d >= 0; d--) {
        out->strides[d] = stride;
        stride *= out->shape[d] > 1 ? out->shape[d] : 1;
    }
    if (posix_memalign(&out->data, 64,
                       count > 0 ? (size_t)count * item : 64) != 0) {
        out->data = NULL;
        return report_io("out of memory for the output");
    }
    for (int64_t r = -1; r < repeats; r++) { /* r == -1: the warm-up */
        double t0 = cli_now();
        if (jx_eval(e, c->inputs, out, &err) != JX_OK) {
            report_error(src, &err);
            return CLI_EXIT_USAGE;
        }
        if (r >= 0)
            times[r] = cli_now() - t0;
    }
    qsort(times, (size_t)repeats, sizeof *times, cmp_double);
    return 0;
}

/* The implementation chosen for each math function so far (ours or the
 * library's, and the timing that chose it), one "math:" line each, then
 * how evaluations chose to run ("run:" lines of jx_target_info). */
static void show_math_choices(void)
{
    char *info = jx_target_info();
    const char *p = info != NULL ? strchr(info, '\n') : NULL;
    while (p != NULL) {
        const char *end = strchr(p + 1, '\n');
        int len = end ? (int)(end - p - 1) : (int)strlen(p + 1);
        if (strncmp(p + 1, "run: ", 5) == 0)
            printf("run:        %.*s\n", len - 5, p + 6);
        else
            printf("math:       %.*s\n", len, p + 1);
        p = end;
    }
    jx_free(info);
}

int bench_cmd(int argc, char **argv)
{
    if (argc < 1)
        return report_usage("bench: missing EXPR");
    const char *src = argv[0];
    int64_t n = 10000000, repeats = 9;
    cli *c = calloc(1, sizeof *c);
    if (c == NULL)
        return report_io("out of memory");
    int status = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        if (strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "-r") == 0 ||
            strcmp(argv[i], "-t") == 0) {
            char opt = argv[i][1];
            int64_t threads;
            if (i + 1 >= argc)
                status = report_usage("%s needs a number", argv[i]);
            else if (opt == 'n' &&
                     !args_count(argv[i + 1], 1, INT64_C(1) << 40, &n))
                status = report_usage("-n: '%s' is not a count from 1 to 2^40 "
                                     "(e.g. 1000000 or 1e6)", argv[i + 1]);
            else if (opt == 'r' &&
                     !args_count(argv[i + 1], 1, 1000000, &repeats))
                status = report_usage("-r: '%s' is not a count from 1 to "
                                     "1000000", argv[i + 1]);
            else if (opt == 't' &&
                     (!args_count(argv[i + 1], 1, 1 << 20, &threads) ||
                      jx_set_num_threads((int)threads) < 0))
                status = report_usage("-t: '%s' is not a thread count from 1 "
                                     "to %d", argv[i + 1], jx_max_threads());
            i++;
        } else if (argv[i][0] == '-') {
            status = report_usage("bench: unknown option '%s'", argv[i]);
        } else {
            status = args_typed_name(c, argv[i]);
        }
    }

    /* The first compile of the process, past the kernel cache; then one
     * through the cache (which stores the kernel) and one that hits it. */
    jx_expr *e = NULL, *again = NULL;
    double t_first = 0, t_again = 0;
    jx_stats before = {0}, after = {0};
    if (status == 0)
        e = args_compile(c, src, JX_FLAG_NO_CACHE, 1, &t_first, &status);
    if (e != NULL && (again = args_compile(c, src, 0, 0, NULL, &status))) {
        jx_expr_free(again);
        jx_get_stats(&before);
        again = args_compile(c, src, 0, 0, &t_again, &status);
        jx_get_stats(&after);
    }

    size_t in_bytes = 0;
    jx_array out = {0};
    double *times = NULL;
    if (again != NULL) {
        status = bench_data(c, e, n, &in_bytes);
        times = malloc((size_t)repeats * sizeof *times);
        if (status == 0 && times == NULL)
            status = report_io("out of memory");
        if (status == 0)
            status = bench_run(c, e, src, repeats, times, &out);
    }
    if (again != NULL && status == 0) {
        double med = repeats % 2 ? times[repeats / 2]
                                 : 0.5 * (times[repeats / 2 - 1] +
                                          times[repeats / 2]);
        double bytes =
            (double)n * (double)(in_bytes + jx_dtype_size(out.dtype));
        char b1[32], b2[32], b3[32];
        printf("expression: %s\n", src);
        printf("inputs:    ");
        if (jx_expr_nused(e) == 0)
            printf(" none");
        for (int k = 0; k < jx_expr_nused(e); k++) {
            if (args_used_var(c, e, k) < 0)
                continue;
            const cli_var *v = &c->vars[args_used_var(c, e, k)];
            char name[32];
            printf("%s %s %s", k ? "," : "", v->name,
                   args_dtype_text(name, sizeof name, v));
        }
        printf(" (n = %lld) -> %s ", (long long)n, jx_dtype_name(out.dtype));
        print_shape(stdout, &out);
        printf("\nthreads:    %d\n", jx_get_num_threads());
        format_seconds(b1, sizeof b1, t_first);
        format_seconds(b2, sizeof b2, t_again);
        printf("compile:    first %s (JX_FLAG_NO_CACHE), again %s%s\n", b1, b2,
               after.cache_hits > before.cache_hits ? " (cache hit)" : "");
        format_seconds(b1, sizeof b1, med);
        format_seconds(b2, sizeof b2, times[0]);
        format_seconds(b3, sizeof b3, times[repeats - 1]);
        printf("eval:       median %s of %lld runs (min %s, max %s)\n", b1,
               (long long)repeats, b2, b3);
        printf("throughput: %.3g elements/s, %.2f GB/s\n", (double)n / med,
               bytes / med / 1e9);
        show_math_choices();
    }
    free(times);
    free(out.data);
    if (again != NULL)
        jx_expr_free(again);
    if (e != NULL)
        jx_expr_free(e);
    return args_done(c, status);
}
