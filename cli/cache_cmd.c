/*
 * cache_cmd.c - `jitexpr cache [info|clear]`: the disk cache of compiled
 * kernels (include/jitexpr.h jx_get_cache_info, jx_clear_cache).
 *
 *   jitexpr cache info    where it is, whether it is on, its size limit,
 *                         the kernel files and bytes on disk, and the
 *                         math choices stored for this machine
 *                         (jx_stored_choices)
 *   jitexpr cache clear   delete its files; prints how many
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The stored math choices of this target: "sin float64: ours (stored:
 * ours 0.40, library 0.50 ns/element)", from "sin/64=own 0.4 0.5". */
static void print_choices(void)
{
    char *text = jx_stored_choices();
    if (text == NULL)
        return;
    printf("math choices stored:%s\n", *text ? "" : " none");
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char fn[16], mode[4], ours[24], lib[24];
        int bits;
        if (sscanf(line, "%15[^/]/%d=%3s %23s %23s", fn, &bits, mode, ours, lib) != 5)
            continue;
        printf("  %s float%d: %s (stored: ", fn, bits,
               strcmp(mode, "lib") == 0 ? "library" : "ours");
        if (strcmp(ours, "-") == 0)
            printf("as a stored kernel)\n");
        else
            printf("ours %s, library %s ns/element)\n", ours, lib);
    }
    jx_free(text);
}

static int cache_info(void)
{
    jx_cache_info info;
    jx_get_cache_info(&info);
    printf("directory: %s\n", info.dir[0] ? info.dir : "(none)");
    printf("enabled: %s\n", info.enabled ? "yes" : "no");
    printf("size limit: %llu bytes (%.1f MiB)\n",
           (unsigned long long)info.size_limit,
           (double)info.size_limit / (1 << 20));
    printf("files: %llu\n", (unsigned long long)info.files);
    printf("bytes: %llu (%.1f MiB)\n", (unsigned long long)info.bytes,
           (double)info.bytes / (1 << 20));
    print_choices();
    return 0;
}

int cache_cmd(int argc, char **argv)
{
    const char *what = argc >= 1 ? argv[0] : "info";
    if (argc > 1)
        return report_usage("cache: one argument, info or clear");
    if (strcmp(what, "info") == 0)
        return cache_info();
    if (strcmp(what, "clear") == 0) {
        long n = jx_clear_cache();
        printf("removed %ld file%s\n", n, n == 1 ? "" : "s");
        return 0;
    }
    return report_usage("cache: unknown action '%s' (info or clear)", what);
}
