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
/* Whether the cache is on and its directory usable now. */
JX_INTERNAL bool jx_disk_on(void);
/* Fills the disk_ fields of st. */
JX_INTERNAL void jx_disk_stats(jx_stats *st);
/* Deletes every kernel file (and temporary file) in the directory.
 * Returns how many, or -1 when the cache is off. */
JX_INTERNAL long jx_disk_clear(void);

#endif
