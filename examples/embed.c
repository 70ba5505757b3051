/*
 * embed.c - using libjitexpr from a C program.
 *
 * Build against the installed library:
 *
 *     cc embed.c $(pkg-config --cflags --libs jitexpr) -lm -o embed
 *
 * (or `make` in this folder).  The program compiles an expression over
 * three float64 arrays, evaluates it, checks the result against a plain C
 * loop, evaluates a second expression into a buffer it owns, and shows
 * what a bad expression reports.
 */
#include <jitexpr.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 1000000

/* Describes a contiguous 1-D float64 array of n elements for the library. */
static jx_array vector_of(double *data, int64_t n)
{
    jx_array a = {0};
    a.data = data;
    a.dtype = JX_FLOAT64;
    a.ndim = 1;
    a.shape[0] = n;
    a.strides[0] = sizeof(double); /* strides are in bytes */
    return a;
}

/* Prints an error the way the jitexpr command does: the expression, a
 * caret line under the offending text, then the code and the message. */
static void print_error(const char *src, const jx_error *err)
{
    if (err->offset >= 0) {
        fprintf(stderr, "  %s\n  %*s", src, (int)err->offset, "");
        for (int64_t i = 0; i < (err->length > 0 ? err->length : 1); i++)
            fputc('^', stderr);
        fputc('\n', stderr);
    }
    fprintf(stderr, "  error (%s): %s\n", jx_code_name(err->code),
            err->message);
}

int main(void)
{
    /* 1. Some data: three float64 arrays the program owns. */
    double *a = malloc(N * sizeof *a);
    double *b = malloc(N * sizeof *b);
    double *c = malloc(N * sizeof *c);
    double *d = malloc(N * sizeof *d);
    if (!a || !b || !c || !d) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (int64_t i = 0; i < N; i++) {
        a[i] = (double)i / N;               /* 0 .. 1 */
        b[i] = 0.001 * (double)(i % 3141);  /* 0 .. 3.14 */
        c[i] = 1.0 + 0.5 * sin(0.01 * i);   /* 0.5 .. 1.5 */
    }

    /* 2. The variables an expression may use: names and dtypes.  The
     *    order of this table is the order of the inputs at evaluation. */
    const jx_var vars[] = {
        {"a", JX_FLOAT64, 0, 0},
        {"b", JX_FLOAT64, 0, 0},
        {"c", JX_FLOAT64, 0, 0},
    };

    /* 3. Compile.  On failure jx_compile returns NULL and fills err.
     *    Compiling the same text and dtypes again is a cache lookup. */
    const char *src = "2*a + sin(b)**2 > c";
    jx_error err;
    jx_expr *e = jx_compile(src, vars, 3, 0, &err);
    if (e == NULL) {
        print_error(src, &err);
        return 1;
    }
    printf("compiled   %s  ->  %s\n", src, jx_dtype_name(jx_expr_dtype(e)));

    /* 4. Evaluate.  jx_eval_new allocates the output (here a bool array
     *    of N elements); we release it with jx_free. */
    jx_array in[3] = {vector_of(a, N), vector_of(b, N), vector_of(c, N)};
    jx_array out;
    if (jx_eval_new(e, in, &out, &err) != JX_OK) {
        print_error(src, &err);
        return 1;
    }
    const unsigned char *r = out.data; /* bool: one byte, 0 or 1 */

    /* 5. Check against a plain C loop.  The JIT may use a vectorized sin
     *    (a few ULP from libm's) and fused multiply-adds, so a value within
     *    a hair of c may compare differently: those are not counted. */
    int64_t trues = 0, wrong = 0, close = 0;
    for (int64_t i = 0; i < N; i++) {
        double lhs = 2 * a[i] + sin(b[i]) * sin(b[i]);
        if (fabs(lhs - c[i]) <= 1e-12 * fabs(c[i]))
            close++;
        else if (r[i] != (lhs > c[i]))
            wrong++;
        trues += r[i];
    }
    printf("first results:");
    for (int i = 0; i < 8; i++)
        printf(" %s", r[i * 50000] ? "True" : "False");
    printf("  (every 50000th)\n");
    printf("%lld of %d are True; %lld differ from the C loop%s\n",
           (long long)trues, N, (long long)wrong,
           close ? " (ties within rounding left out)" : "");
    jx_free(out.data);
    jx_expr_free(e);

    /* 6. Evaluate into a buffer we own, with a scalar: a 0-d array
     *    (ndim 0) broadcasts against the others as in NumPy. */
    double k = 0.5;
    jx_array scalar = {0};
    scalar.data = &k;
    scalar.dtype = JX_FLOAT64;
    scalar.ndim = 0;
    const jx_var vars2[] = {{"a", JX_FLOAT64, 0, 0}, {"k", JX_FLOAT64, 0, 0}};
    const char *src2 = "k * a**2 + 1";
    e = jx_compile(src2, vars2, 2, 0, &err);
    if (e == NULL) {
        print_error(src2, &err);
        return 1;
    }
    jx_array in2[2] = {vector_of(a, N), scalar};
    jx_array out2 = vector_of(d, N); /* shape and dtype of the result */
    if (jx_eval(e, in2, &out2, &err) != JX_OK) {
        print_error(src2, &err);
        return 1;
    }
    int64_t wrong2 = 0;
    for (int64_t i = 0; i < N; i++)
        if (fabs(d[i] - (k * a[i] * a[i] + 1)) > 1e-15 * d[i])
            wrong2++;
    printf("evaluated  %s  into our buffer: d[%d] = %.6f; %lld differ\n",
           src2, N / 2, d[N / 2], (long long)wrong2);
    jx_expr_free(e);

    /* 7. A bad expression: nothing is printed by the library; err says
     *    what and where (byte offset and length in the source). */
    const char *bad = "2*a + sinn(b)";
    e = jx_compile(bad, vars, 3, 0, &err);
    int rejected = e == NULL;
    if (rejected) {
        printf("compiling  %s  fails as expected (offset %lld, length "
               "%lld):\n", bad, (long long)err.offset, (long long)err.length);
        fflush(stdout);
        print_error(bad, &err);
    } else {
        jx_expr_free(e);
    }

    free(a);
    free(b);
    free(c);
    free(d);
    return wrong == 0 && wrong2 == 0 && rejected ? 0 : 1;
}
