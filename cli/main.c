/*
 * main.c - the jitexpr command-line tool: the help text and the dispatch
 * to the commands.
 *
 *   jitexpr eval EXPR [NAME=FILE.npy | NAME=VALUE[:DTYPE] ...] [-o OUT.npy]
 *   jitexpr explain EXPR [NAME:DTYPE ...]
 *   jitexpr bench EXPR [-n N] [-r REPEATS] [-t THREADS] [NAME:DTYPE ...]
 *   jitexpr cache [info|clear]
 *   jitexpr version | help
 *
 * A client of libjitexpr like any other: it uses include/jitexpr.h only
 * (cli.h lists the files and what each does).
 * Exit status: 0 success, 1 I/O error, 2 usage error or expression error.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: jitexpr <command> [arguments]\n"
    "\n"
    "commands:\n"
    "  eval EXPR [NAME=FILE.npy | NAME=VALUE[:DTYPE] ...] [-o OUT.npy]\n"
    "      Evaluate EXPR over arrays read from .npy files (numbers, bools or\n"
    "      byte strings, descr |S<n>) and scalar values (broadcast as in\n"
    "      NumPy).  VALUE is an integer (int64), a float (float64), True or\n"
    "      False (bool), or a complex such as 1+2j (complex128); :DTYPE\n"
    "      picks another dtype, e.g. x=3:int32.  Prints the result's dtype,\n"
    "      shape and values, or writes it to OUT.npy.\n"
    "  explain EXPR [NAME:DTYPE ...]\n"
    "      Print the parse tree, the typed IR, the optimised LLVM IR and the\n"
    "      machine code of EXPR's kernel.  Variables not named are float64.\n"
    "  bench EXPR [-n N] [-r REPEATS] [-t THREADS] [NAME:DTYPE ...]\n"
    "      Time the first compile of EXPR and its evaluation over N generated\n"
    "      elements (default 10000000): the median of REPEATS runs (default\n"
    "      9) after one warm-up, on THREADS threads (default: the library's,\n"
    "      see JITEXPR_NUM_THREADS).  Variables not named are float64;\n"
    "      floats are uniform in [0.1, 1.1), integers in 1..100, bools\n"
    "      random.\n"
    "  cache [info|clear]\n"
    "      The disk cache of compiled kernels: print its directory, size\n"
    "      limit, files and bytes (info, the default), or delete its files\n"
    "      (clear).  JITEXPR_CACHE_DIR (or \"off\") and JITEXPR_CACHE_SIZE\n"
    "      choose them.\n"
    "  version\n"
    "      Print the version and the target kernels are compiled for.\n"
    "  help, -h, --help\n"
    "      Print this help.\n"
    "\n"
    "DTYPE: bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64,\n"
    "       float16, float32, float64, complex64, complex128, or S<n>: byte\n"
    "       strings of n bytes (explain and bench; eval reads them from\n"
    "       .npy files, e.g. \"contains(s, b'ab')\" s=names.npy).\n"
    "\n"
    "Exit status: 0 on success, 1 on an I/O error, 2 on a usage error or an\n"
    "error in the expression.\n";


static int cmd_version(void)
{
    const char *lib = jx_version();
    printf("jitexpr %s", JITEXPR_VERSION);
    if (lib != NULL && strcmp(lib, JITEXPR_VERSION) != 0)
        printf(" (library %s)", lib);
    printf("\n");
    char *info = jx_target_info();
    if (info != NULL) /* the first line: what kernels are compiled for */
        printf("target: %.*s\n", (int)strcspn(info, "\n"), info);
    jx_free(info);
    return 0;
}

static int is_help(const char *s)
{
    return strcmp(s, "help") == 0 || strcmp(s, "-h") == 0 ||
           strcmp(s, "--help") == 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (is_help(cmd)) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0)
        return cmd_version();
    int (*fn)(int, char **) = strcmp(cmd, "eval") == 0      ? eval_cmd
                              : strcmp(cmd, "explain") == 0 ? explain_cmd
                              : strcmp(cmd, "bench") == 0   ? bench_cmd
                              : strcmp(cmd, "cache") == 0   ? cache_cmd
                                                            : NULL;
    if (fn == NULL)
        return report_usage("unknown command '%s'", cmd);
    /* "jitexpr eval -h": help; otherwise the first argument is EXPR, even
     * when it starts with '-' ("-a*b"). */
    if (argc >= 3 && (strcmp(argv[2], "-h") == 0 ||
                      strcmp(argv[2], "--help") == 0)) {
        fputs(usage_text, stdout);
        return 0;
    }
    return fn(argc - 2, argv + 2);
}
