/* resultbuf.h - reuse of the large result buffers of evaluate().
 *
 * Part of the _jitexpr extension; see resultbuf.c.  Included after
 * <numpy/arrayobject.h> (with the extension's PY_ARRAY_UNIQUE_SYMBOL). */
#ifndef JXPY_RESULTBUF_H
#define JXPY_RESULTBUF_H

#include <stddef.h>
#include <stdlib.h> /* __GLIBC__ */

/* Results of at least this many bytes go through the cache: those the C
 * library's malloc maps anew on each call, fresh pages that fault at first
 * touch.  glibc serves smaller blocks again from its heap: the block just
 * freed, by NumPy as well as by us, still in the CPU's caches.  Its mmap
 * threshold adapts up to DEFAULT_MMAP_THRESHOLD_MAX, 4 MiB * sizeof(long)
 * (32 MiB on 64-bit); less one page for the chunk header's rounding (a
 * thread's arena faulted from 32 MiB - 64 bytes, nothing did below 32 MiB -
 * 4 KiB; resultbuf.c).  Other C libraries map large blocks each time:
 * 1 MiB there. */
#if defined(__GLIBC__)
#define JXPY_RB_MIN (((size_t)4 << 20) * sizeof(long) - 4096)
#else
#define JXPY_RB_MIN ((size_t)1 << 20)
#endif
/* The default limit on the bytes kept (JITEXPR_RESULT_CACHE overrides). */
#define JXPY_RB_DEFAULT ((size_t)256 << 20)

/* Counters of the cache, for cache_info(). */
typedef struct jxpy_rb_stats {
    size_t limit;         /* most bytes kept; 0: no reuse */
    size_t min;           /* JXPY_RB_MIN: smaller results are malloc's */
    size_t blocks, bytes; /* kept now */
    unsigned long long hits, misses; /* large results served from a kept block, or not */
} jxpy_rb_stats;

/* Once, when the module is executed: reads JITEXPR_RESULT_CACHE.  -1 with a
 * Python exception set on failure. */
int jxpy_rb_init(void);

/* PyArray_NewFromDescr(&PyArray_Type, descr, ndim, shape, strides, NULL, 0,
 * NULL) (and steals descr as it does), with the data of a result of at
 * least JXPY_RB_MIN bytes allocated through the cache. */
PyArrayObject *jxpy_rb_new(PyArray_Descr *descr, int ndim, npy_intp *shape,
                           npy_intp *strides);

/* Sets the limit (trimming what is kept); returns the previous one. */
size_t jxpy_rb_set_limit(size_t limit);

jxpy_rb_stats jxpy_rb_get_stats(void);

#endif
