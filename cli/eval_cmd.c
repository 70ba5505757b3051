/*
 * eval_cmd.c - `jitexpr eval EXPR [NAME=FILE.npy | NAME=VALUE[:DTYPE] ...]
 * [-o OUT.npy]`: evaluates over .npy files and scalars, prints a summary
 * of the result or writes it to a .npy file.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "npy.h"

int eval_cmd(int argc, char **argv)
{
    if (argc < 1)
        return report_usage("eval: missing EXPR");
    const char *src = argv[0];
    const char *outpath = NULL;
    cli *c = calloc(1, sizeof *c);
    if (c == NULL)
        return report_io("out of memory");
    int status = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (i + 1 >= argc)
                status = report_usage("%s needs a file name", argv[i]);
            else if (outpath != NULL)
                status = report_usage("-o given twice");
            else
                outpath = argv[++i];
        } else if (argv[i][0] == '-') {
            status = report_usage("eval: unknown option '%s'", argv[i]);
        } else {
            status = args_binding(c, argv[i]);
        }
    }
    jx_expr *e = NULL;
    jx_array out = {0};
    if (status == 0)
        e = args_compile(c, src, 0, 0, NULL, &status);
    if (e != NULL && jx_expr_dtype(e) == JX_BYTES) {
        /* The library makes them (where(c, s, t)); writing .npy files
         * and summaries of them is not done here yet. */
        status = report_usage("eval: the result is a byte string (S%zu): the "
                             "command line writes numbers and bools only",
                             jx_expr_itemsize(e));
    } else if (e != NULL) {
        jx_error err = {0};
        if (jx_eval_new(e, c->inputs, &out, &err) != JX_OK) {
            report_error(src, &err);
            status = CLI_EXIT_USAGE;
            out.data = NULL;
        } else if (outpath != NULL) {
            char msg[512];
            if (jx_npy_save(outpath, &out, msg, sizeof msg) != JX_NPY_OK)
                status = report_io("%s", msg);
        } else {
            print_summary(stdout, &out);
        }
    }
    if (out.data != NULL)
        jx_free(out.data);
    if (e != NULL)
        jx_expr_free(e);
    return args_done(c, status);
}
