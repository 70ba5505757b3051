/* diskcache.h - compiled kernels on disk, shared by every process of the
 * user: object files from jx_jit_emit, one file per key, in
 * $JITEXPR_CACHE_DIR, else $XDG_CACHE_HOME/jitexpr, else
 * ~/.cache/jitexpr (JITEXPR_CACHE_DIR=off: none).  src/cache.c asks it on
 * an in-memory miss.  No global lock between processes: files are written
 * to a temporary name and renamed, verified whole when read, and the
 * directory is kept under its size limit by deleting the least recently
 * used files (a hit touches the file's mtime).  See docs/architecture.md
 * for the key and the file format. */
#ifndef JX_DISKCACHE_H
#define JX_DISKCACHE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "jit.h"

/* The format of the files; a file of another version is not read. */
#define JX_DISK_FORMAT 1
/* The size limit when JITEXPR_CACHE_SIZE says nothing: 256 MiB. */
#define JX_DISK_DEFAULT_LIMIT (256ull << 20)
/* A process scans the directory (its size, eviction) every this many
 * writes, starting at a random count, and after any write that takes its
 * estimate of the total over the limit. */
#define JX_DISK_SCAN_EVERY 64

/* Loads the stored kernel for key (canonical IR text '#' layout: the
 * in-memory key; the disk key adds the target and versions).  Returns 1
 * with *code set, or 0: the cache is off, has no such file, or its file
 * was rejected (corrupt, foreign, or its math choices differ). */
JX_INTERNAL int jx_disk_load(const char *key, jx_jit_code *code);
/* Stores obj as the kernel for key; failures are silent (counted when
 * the directory is unusable).  No-op when the cache is off. */
JX_INTERNAL void jx_disk_store(const char *key, const jx_jit_object *obj);
/* Fills the disk_ fields of st. */
JX_INTERNAL void jx_disk_stats(jx_stats *st);
/* Deletes every kernel file (and temporary file) in the directory, and
 * the stored math choices (JX_DISK_CHOICES_SUFFIX).  Returns how many
 * kernel and temporary files, or 0 when the cache is off. */
JX_INTERNAL long jx_disk_clear(void);

/* For src/choicestore.c, which keeps its files in the same directory
 * under the same rules. */
/* How the stored math choices' files end. */
#define JX_DISK_CHOICES_SUFFIX ".jxc"
/* The directory into dir; false when the cache is off. */
JX_INTERNAL bool jx_disk_dir(char dir[PATH_MAX]);

/* The GNU build id of the code that compiles kernels (the shared library,
 * or the program it is linked into), in hex, or "none": part of every
 * key, so that kernels and math choices of another build of the same
 * version (a rebuilt library, a patched package) are never read. */
JX_INTERNAL const char *jx_disk_build_id(void);
/* The bytes of path (malloc'd, NUL added, *size without it) when it is
 * a regular file of this user that nobody else may write, of at most max
 * bytes; its stat into *st when st is not NULL.  NULL otherwise, with
 * *missing set when there is no such file (not a rejected one). */
JX_INTERNAL char *jx_disk_read_own(const char *path, size_t max, size_t *size,
                                   struct stat *st, bool *missing);
/* Writes the n parts to path whole or not at all: a temporary file in
 * dir (mkostemp, 0600), renamed over path.  Returns 0 or -1. */
JX_INTERNAL int jx_disk_write_parts(const char *dir, const char *path,
                                    const void *const *parts,
                                    const size_t *lens, int n);
/* Counts a file ignored as corrupt or foreign (jx_stats.disk_rejected). */
JX_INTERNAL void jx_disk_count_rejected(void);

#endif
