/*
 * cli.h - the jitexpr command's internal interface: the variable table the
 * commands build, and what each file of cli/ gives the others.
 *
 *   main.c         the help text and the dispatch to a command
 *   args.c         args_:   arguments into the variable table, dtypes,
 *                           scalars, counts; compiling against the table
 *   eval_cmd.c     eval_cmd      `jitexpr eval`
 *   explain_cmd.c  explain_cmd   `jitexpr explain`
 *   bench_cmd.c    bench_cmd     `jitexpr bench`
 *   cache_cmd.c    cache_cmd     `jitexpr cache [info|clear]`
 *   print.c        print_:  values, shapes and eval's summary as text
 *   report.c       report_: messages on stderr, the caret under an error
 *   npy.c          jx_npy_: .npy files (npy.h; stands alone)
 *
 * Like every client of the library, the command includes include/jitexpr.h
 * and its own headers only (tests/layers.sh checks it).
 */
#ifndef JX_CLI_H
#define JX_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "jitexpr.h"

/* Exit status of the command besides 0 (success). */
enum { CLI_EXIT_IO = 1, CLI_EXIT_USAGE = 2 };

/* One variable of the table given to the library. */
typedef struct cli_var {
    char *name;        /* owned copy */
    jx_dtype dtype;    /* its element type */
    size_t itemsize;   /* JX_BYTES: bytes per element (S<n>); else 0 */
    jx_array arr;      /* its data (eval, bench) */
    int from_npy;      /* arr.data came from jx_npy_load */
    void *owned;       /* other memory to free (bench data) */
    union {            /* a scalar's value, pointed at by arr.data */
        int64_t i;
        uint64_t u;
        double d;
        float f[2];
        double c[2];
        uint16_t h;
        unsigned char b;
    } value;
} cli_var;

/* The variable table and what a command needs to clean up. */
typedef struct cli {
    cli_var vars[JX_MAX_VARS]; /* variables in order */
    int nvars;                 /* how many */
    jx_var table[JX_MAX_VARS]; /* what jx_compile gets */
    jx_array inputs[JX_MAX_VARS]; /* what jx_eval gets */
} cli;

/* A monotonic clock, in seconds. */
static inline double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int cli_is_signed_int(jx_dtype t)
{
    return t == JX_INT8 || t == JX_INT16 || t == JX_INT32 || t == JX_INT64;
}

static inline int cli_is_unsigned_int(jx_dtype t)
{
    return t == JX_UINT8 || t == JX_UINT16 || t == JX_UINT32 || t == JX_UINT64;
}

static inline int cli_is_complex(jx_dtype t)
{
    return t == JX_COMPLEX64 || t == JX_COMPLEX128;
}

/* ---- The commands (argv[0] is EXPR); each returns the exit status ---- */

int eval_cmd(int argc, char **argv);
int explain_cmd(int argc, char **argv);
int bench_cmd(int argc, char **argv);
int cache_cmd(int argc, char **argv);

/* ---- args.c ----------------------------------------------------------- */

/* Frees the variables' names and data; the table is empty after. */
void args_free(cli *c);
/* The end of a subcommand: frees c (its variables, then c itself, from
 * calloc), flushes standard output, and returns status, or CLI_EXIT_IO
 * when status was 0 and the flush failed. */
int args_done(cli *c, int status);

/* Fills the tables handed to the library (c->table, c->inputs) from the
 * variables. */
void args_build_tables(cli *c);

/* A variable's dtype as the CLI spells it: "float64", or "S8". */
const char *args_dtype_text(char *buf, size_t size, const cli_var *v);

/* Parses "NAME:DTYPE" (or "NAME", float64) for explain and bench into a
 * new variable.  Returns 0, or the exit status after printing why not. */
int args_typed_name(cli *c, const char *arg);

/* Parses "NAME=FILE.npy" or "NAME=VALUE[:DTYPE]" for eval into a new
 * variable (reading the file).  Returns 0, or the exit status after
 * printing why not. */
int args_binding(cli *c, const char *arg);

/* If err is an unknown name the caller may add, adds it as float64 and
 * returns 1. */
int args_add_unknown(cli *c, const char *src, const jx_error *err);

/* Compiles src, adding each unknown name as a float64 variable when
 * auto_vars is set.  Returns the expression, or NULL after printing the
 * error (status set).  If seconds is not NULL it gets the time of the
 * successful jx_compile call. */
jx_expr *args_compile(cli *c, const char *src, unsigned flags, int auto_vars,
                      double *seconds, int *status);

/* The slot in c->vars of the i-th variable e uses, or -1 if the library
 * answers something out of range. */
int args_used_var(const cli *c, const jx_expr *e, int i);

/* Parses a count such as 10000000 or 1e7 into [lo, hi]: 1, or 0 when s is
 * not one. */
int args_count(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* ---- print.c ---------------------------------------------------------- */

/* The IEEE half-precision bits nearest d (ties to even). */
uint16_t print_half_bits(double d);

/* Elements of a. */
int64_t print_size(const jx_array *a);

/* "(3,)", "(2, 3)", "()". */
void print_shape(FILE *f, const jx_array *a);

/* The summary eval prints: dtype, shape, then every value (at most 20),
 * else the first and last few and statistics. */
void print_summary(FILE *f, const jx_array *a);

/* ---- report.c --------------------------------------------------------- */

/* "jitexpr: <message>" and a pointer to the help on stderr; returns
 * CLI_EXIT_USAGE. */
int report_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "jitexpr: <message>" on stderr; returns CLI_EXIT_IO. */
int report_io(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the line of src holding the error, a caret line under the
 * offending span, then "error: <code name>: <message>". */
void report_error(const char *src, const jx_error *err);

#endif
