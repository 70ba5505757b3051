/*
 * explain_cmd.c - `jitexpr explain EXPR [NAME:DTYPE ...]`: the library's
 * jx_explain text (parse tree, typed IR, LLVM IR, machine code).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int explain_cmd(int argc, char **argv)
{
    if (argc < 1)
        return report_usage("explain: missing EXPR");
    const char *src = argv[0];
    cli *c = calloc(1, sizeof *c);
    if (c == NULL)
        return report_io("out of memory");
    int status = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        if (argv[i][0] == '-')
            status = report_usage("explain: unknown option '%s'", argv[i]);
        else
            status = args_typed_name(c, argv[i]);
    }
    for (int tries = 0; status == 0; tries++) {
        jx_error err = {0};
        args_build_tables(c);
        char *text = jx_explain(src, c->table, c->nvars, JX_EXPLAIN_ALL, &err);
        if (text != NULL) {
            fputs(text, stdout);
            if (*text && text[strlen(text) - 1] != '\n')
                fputc('\n', stdout);
            jx_free(text);
            break;
        }
        if (tries < JX_MAX_VARS && args_add_unknown(c, src, &err))
            continue;
        report_error(src, &err);
        status = CLI_EXIT_USAGE;
    }
    return args_done(c, status);
}
