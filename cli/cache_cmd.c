/*
 * cache_cmd.c - `jitexpr cache [info|clear]`: the disk cache of compiled
 * kernels (include/jitexpr.h jx_get_cache_info, jx_clear_cache).
 *
 *   jitexpr cache info    where it is, whether it is on, its size limit,
 *                         the kernel files and bytes on disk
 *   jitexpr cache clear   delete its files; prints how many
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "cli.h"

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
