/* tier.h - the two tiers of a kernel's code: when the quick code (a
 * short compile, jit.h's JX_JIT_QUICK) is worth running and when the
 * optimised one is worth waiting for, from times measured in this
 * process; and the background thread that compiles optimised code.
 *
 * A kernel missing from both caches is compiled quick first where the
 * JIT allows (its results are the same bits), and its optimised code is
 * compiled at once in the background, stored on disk and swapped in.  A
 * call whose quick run would take longer than the optimised compile
 * compiles it itself instead (the learned estimates below).  cache.c
 * holds the kernels; this file knows nothing of them: a job is a
 * callback. */
#ifndef JX_TIER_H
#define JX_TIER_H

#include <stdbool.h>

#include "util.h"

/* JITEXPR_TIER: "auto" (the default), "full" (never quick: every kernel
 * optimised before its first run), "quick" (quick only, never optimised:
 * for tests and comparisons). */
typedef enum jx_tier_mode { JX_TIER_AUTO, JX_TIER_FULL, JX_TIER_QUICK } jx_tier_mode;
JX_INTERNAL jx_tier_mode jx_tier_mode_get(void);

/* A job for the background thread, embedded first in the caller's own
 * struct.  run compiles; drop frees it without running (at fork, in the
 * child, and when no thread can be started). */
typedef struct jx_tier_job jx_tier_job;
struct jx_tier_job {
    jx_tier_job *next;
    void (*run)(jx_tier_job *j);
    void (*drop)(jx_tier_job *j);
    bool persist; /* its result outlives the process (the disk cache):
                     run at exit too */
};
/* Queues j (started lazily: one thread per process, again in a forked
 * child; a fork waits for the compile in progress).  At exit the jobs
 * that persist still run, so that a short script's kernels reach the
 * disk: at most the compiles it would have made before its first result
 * without the quick tier; the others are left. */
JX_INTERNAL void jx_tier_submit(jx_tier_job *j);

/* Waits until the queue is empty and no job runs, at most ns nanoseconds
 * (negative: no limit).  Returns 0, or -1 when the time ran out. */
JX_INTERNAL int jx_tier_wait(int64_t ns);

/* The estimates, learned in this process (lock-protected):
 *   the time of the optimised compile of a kernel whose quick compile
 *   took quick_ns (their ratio over the compiles of both tiers so far);
 *   the time of a quick run of `units` work units (elements times the
 *   IR's cost, per nanosecond measured over the quick runs so far). */
JX_INTERNAL int64_t jx_tier_full_estimate(int64_t quick_ns);
JX_INTERNAL int64_t jx_tier_quick_estimate(int64_t units);
JX_INTERNAL void jx_tier_learn_compile(int64_t quick_ns, int64_t full_ns);
JX_INTERNAL void jx_tier_learn_run(int64_t units, int64_t ns);

#endif
