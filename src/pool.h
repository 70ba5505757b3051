/* pool.h - a persistent pthread pool that runs jobs split into chunks.
 *
 * A job is a struct of its own, so several callers (C threads, Python
 * threads without the GIL) may run jobs at the same time; overlapping jobs
 * share the workers.  The calling thread works on its own job too, so a
 * job always progresses even when every worker is busy elsewhere.  Workers
 * are created on first use; after fork() the child starts with none and
 * creates its own. */
#ifndef JX_POOL_H
#define JX_POOL_H

#include <stdint.h>

#include "util.h"

/* Runs chunk `chunk` of a job; returns 0, or -1 with *err set, which stops
 * the job (chunks not yet started are skipped). */
typedef int (*jx_chunk_fn)(void *arg, int64_t chunk, jx_error *err);

/* Runs chunks 0..nchunks-1 of fn on up to nthreads threads (the caller
 * included) and returns when all are done.  Returns 0, or -1 with *err
 * set to the first error a chunk reported.  nthreads <= 1 or
 * nchunks <= 1 runs inline, with no synchronisation at all. */
JX_INTERNAL int jx_pool_run(int64_t nchunks, int nthreads, jx_chunk_fn fn,
                            void *arg, jx_error *err);

/* The pool's model: below this much work (elements times the expression's
 * cost per element, jx_ir.cost) an evaluation runs inline on the caller's
 * thread, where waking workers would cost more than it saves.  Measured on
 * the development machine (docs/threads.md): a+b (cost 4) pays from about
 * 2^18 elements, sin(a) (cost 16) from about 2^15.  Within a factor 16 of
 * it both ways are timed per kernel and the faster taken (adapt.h); the
 * model decides alone outside.  JITEXPR_PARALLEL_WORK overrides it, for
 * measuring and tuning. */
#define JX_PARALLEL_WORK_DEFAULT (INT64_C(1) << 20)
/* The thread count and the work threshold, read together (one lock). */
JX_INTERNAL void jx_pool_settings(int *nthreads, int64_t *parallel_work);

/* Workers now alive (for tests). */
JX_INTERNAL int jx_pool_workers(void);

#endif
