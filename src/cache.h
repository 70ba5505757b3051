/* cache.h - compiled kernels by key (canonical IR text + layout): one
 * process-wide cache object with its own lock, bounded, least recently
 * used first out.  Kernels are reference-counted: the cache holds one
 * reference, each jx_expr that uses a kernel another. */
#ifndef JX_CACHE_H
#define JX_CACHE_H

#include <stdatomic.h>

#include "adapt.h"
#include "ir.h"
#include "jit.h"

typedef struct jx_kernel jx_kernel;
struct jx_interp; /* interp.h */
struct jx_kernel {
    _Atomic(jx_kernel_fn) fn; /* the entry point: the quick code's until
                                 the optimised code replaces it; NULL
                                 while the kernel is interpreted */
    struct jx_interp *interp; /* its program, when it started interpreted
                              (interp.h): kept while the kernel lives */
    jx_jit_code code;      /* what the JIT needs to free it */
    _Atomic(bool) quick;   /* fn is the quick tier's (tier.h) */
    _Atomic(bool) no_upgrade; /* its optimised compile failed: quick for
                                 good (the same results), never retried */
    jx_jit_code quick_code; /* the quick code, kept while the kernel lives
                               (a thread may still be running it) */
    int64_t quick_ns;      /* how long the quick compile took (0: loaded) */
    _Atomic(int64_t) quick_spent; /* ns spent running the quick code */
    char *key;             /* canonical IR text, '#', layout */
    uint64_t hash;         /* of key */
    int refs;              /* references; guarded by the cache lock */
    bool cached;           /* in the cache's table now */
    jx_kernel *chain;      /* next in the hash bucket */
    jx_kernel *newer;      /* LRU list: towards the most recent */
    jx_kernel *older;      /* LRU list: towards the least recent */
    jx_adapt adapt;        /* inline or on the pool, by size (adapt.h) */
    jx_kernel **units;     /* interp's code for its math instructions
                              (jx_cache_unit): a reference to each */
    int nunits;
};

#define JX_CACHE_MAX_ENTRIES 4096

/* The kernel for ir and layout, compiled on a miss; with JX_FLAG_NO_CACHE
 * always compiled and never shared.  Returns a new reference, or NULL with
 * *err set. */
JX_INTERNAL jx_kernel *jx_cache_get(const jx_ir *ir, const char *layout,
                                    unsigned flags, jx_error *err);
/* The kernel an interpreted program calls for math instruction i of ir
 * (interp.h's jx_interp_unit_fn): jx_ir_unit(ir, i) over contiguous
 * operands, the output apart, found in memory, on disk (use_disk) or
 * compiled as any kernel is (the quick tier first; optimised where the
 * engine has the calibration's object of it), under its own key ("#unit").
 * Only code that computes the same bits at every position, vmath.c's
 * kernel: NULL (and nothing compiled) where the engine computes the
 * function with the library.  Returns a new reference, or NULL. */
JX_INTERNAL jx_kernel *jx_cache_unit(const jx_ir *ir, int32_t i, bool use_disk);
/* The code to run k over `units` work units (elements times the IR's
 * cost) with: the optimised code when k has it, else the quick code or
 * NULL for k->interp, unless the time spent running those, this run's
 * estimate included, reaches the optimised compile's estimate (tier.h),
 * or the mode is now "full": that code is compiled then, by this caller.
 * ir and layout are k's.  *quick: the quick code or the interpreter was
 * given (time the run for jx_cache_quick_ran, with interp: the
 * interpreter's). */
JX_INTERNAL jx_kernel_fn jx_cache_code(jx_kernel *k, const jx_ir *ir, const char *layout,
                                       int64_t units, bool *quick);
JX_INTERNAL void jx_cache_quick_ran(jx_kernel *k, int64_t units, int64_t ns, bool interp);
/* Drops a reference; the last one frees the machine code. */
JX_INTERNAL void jx_cache_release(jx_kernel *k);
JX_INTERNAL void jx_cache_stats(jx_stats *st);
/* Over the cached kernels, the size classes whose ways were timed (two
 * or more, adapt.h): how many chose each way, and how many kernels have
 * any. */
JX_INTERNAL void jx_cache_ways(uint64_t chosen[JX_ADAPT_WAYS], uint64_t *kernels);

#endif
