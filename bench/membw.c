/* membw.c - the machine's memory bandwidth for the access patterns the
 * benchmarks use, measured with plain C loops compiled by the system
 * compiler: a read-only sum (read 1 array), and the triad c = 2a + 3b
 * (read 2, write 1; the bytes counted as in `jitexpr bench`: 24 per
 * element).  Best of 10 runs on 1 thread and on all threads.
 *
 *   cc -O3 -march=native -pthread bench/membw.c -o membw && ./membw [n]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double *a, *b, *c;
static long n;
static int nthreads;
static double partial[256];

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *triad(void *arg)
{
    long id = (long)arg, lo = n * id / nthreads, hi = n * (id + 1) / nthreads;
    for (long i = lo; i < hi; i++)
        c[i] = 2 * a[i] + 3 * b[i];
    return NULL;
}

static void *sum(void *arg)
{
    long id = (long)arg, lo = n * id / nthreads, hi = n * (id + 1) / nthreads;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    long i = lo;
    for (; i + 4 <= hi; i += 4) {
        s0 += a[i];
        s1 += a[i + 1];
        s2 += a[i + 2];
        s3 += a[i + 3];
    }
    for (; i < hi; i++)
        s0 += a[i];
    partial[id] = s0 + s1 + s2 + s3;
    return NULL;
}

static double best(void *(*fn)(void *), int t)
{
    nthreads = t;
    double best = 1e30;
    for (int r = 0; r < 10; r++) {
        pthread_t th[256];
        double t0 = now();
        for (long i = 1; i < t; i++)
            pthread_create(&th[i], NULL, fn, (void *)i);
        fn((void *)0);
        for (long i = 1; i < t; i++)
            pthread_join(th[i], NULL);
        double dt = now() - t0;
        if (dt < best)
            best = dt;
    }
    return best;
}

int main(int argc, char **argv)
{
    n = argc > 1 ? atol(argv[1]) : 10000000;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores > 256)
        cores = 256;
    a = malloc(n * sizeof *a);
    b = malloc(n * sizeof *b);
    c = malloc(n * sizeof *c);
    for (long i = 0; i < n; i++) {
        a[i] = i * 1e-7;
        b[i] = 1 - i * 1e-7;
        c[i] = 0;
    }
    printf("n = %ld doubles per array\n", n);
    int ts[2] = {1, (int)cores};
    for (int k = 0; k < (cores > 1 ? 2 : 1); k++) {
        int t = ts[k];
        double tt = best(triad, t), ts_ = best(sum, t);
        printf("%2d thread%s: triad c=2a+3b %6.2f ms, %6.2f GB/s (24 B/elem); "
               "read-only sum %6.2f GB/s\n",
               t, t == 1 ? " " : "s", tt * 1e3, 24.0 * n / tt / 1e9, 8.0 * n / ts_ / 1e9);
    }
    double total = 0; /* read the partial sums, so the loops are kept */
    for (int i = 0; i < 256; i++)
        total += partial[i];
    printf("(checksum %g)\n", total);
    return 0;
}
