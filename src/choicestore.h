/* choicestore.h - the math choices of this machine kept beside the disk
 * cache, so that a process never times a math function (ours against the
 * vector library's, jit/calib.c) that an earlier process with the same
 * target id timed.  One small text file per target id in the disk
 * cache's directory, under its rules; off when the disk cache is off.
 * See choicestore.c for the format. */
#ifndef JX_CHOICESTORE_H
#define JX_CHOICESTORE_H

#include "jit.h"

/* The format of the file; a file of another version is not read. */
#define JX_CSTORE_FORMAT 2

/* Before a compilation that may need a math choice (src/cache.c, on a
 * disk-cache miss): the first time in this process (and again after the
 * directory changed), takes the stored choices for this target that the
 * process has not decided (jx_jit_adopt_stored).  A file that is not
 * whole, not ours or for another target is ignored (disk_rejected). */
JX_INTERNAL void jx_cstore_before_compile(void);
/* After it: when the process measured a choice since it last wrote, writes
 * the stored ones merged with this process's (its own win), whole (a
 * temporary file renamed). */
JX_INTERNAL void jx_cstore_after_compile(void);
/* Fills the calibrations and choices_ fields of st. */
JX_INTERNAL void jx_cstore_stats(jx_stats *st);
/* The stored choices for this target: the lines of jx_jit_export_choices
 * (malloc'd; "" when there are none), or NULL when the cache is off or
 * out of memory. */
JX_INTERNAL char *jx_cstore_read(void);

#endif
