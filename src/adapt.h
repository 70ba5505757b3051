/* adapt.h - how a kernel runs, chosen by timing the ways it can run.
 *
 * A way is inline or on the thread pool, each with the kernel's usual
 * vectors or, for a kernel that moves memory more than it computes (jx_ir
 * light), a variant compiled for 256-bit vectors on an AVX-512 machine.
 *
 * Inline or pool: the pool's work threshold (pool.h) is a model, elements
 * times the expression's cost against a constant, and near it the model is
 * wrong in both directions, by machine and by kernel: on a 2-core Zen 5 VM
 * waking a worker costs 14-25 us, so sin(a) (cost 16, a vmath kernel four
 * times faster than the cost says) ran 1.5x slower on two threads at 2^16
 * elements, where the model said two, while a + b at 2^18 gained 6%.
 * Vector width: on that machine a + b of int64 at 1e6 elements ran 5-21%
 * faster in 256-bit vectors than in 512-bit ones (the inputs' offset from
 * a cache line decides how much), a*b + a/b - 3 11% slower at 1e5, and
 * sqrt(a) + b half as fast: it depends on the kernel, the size and the
 * machine.
 *
 * So each kernel keeps, per size class (floor(log2(elements))), the time
 * per element of its runs each way allowed for that run (the caller says
 * which: the pool ways only within a band around the threshold, work from
 * 1/16 to 16 times it, so a single large evaluation never pays for a
 * trial; the narrow ways only for light kernels from JX_ADAPT_NARROW_MIN
 * elements), and runs a class the way that has been fastest: first the
 * caller's preferred way twice, then each other way twice (a first run
 * often touches fresh output pages: the faster of two counts), then the
 * fastest, trying another again after JX_ADAPT_PROBE calls so that a
 * change of load is seen, and after twice as many each time it is still
 * slower (up to 2^JX_ADAPT_BACKOFF times: a trial of a way 5x slower
 * costs).  A trial is two calls, and only a run that follows a run the
 * same way is timed: the first run on the pool after a while inline finds
 * the other CPUs idle (on a VM waking an idle vCPU costs more than one
 * that ran a moment ago: sin(a) at 2^18 elements, 2 vCPUs, 517 ps/element
 * for a lone pool run, 390 in a series, 435 inline) and the data in the
 * caller's cache, the first inline after the pool half of it in another
 * core's.  The timings are a heuristic: fields are atomics updated
 * without a lock, and a lost update only delays a choice. */
#ifndef JX_ADAPT_H
#define JX_ADAPT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define JX_ADAPT_CLASSES 48
#define JX_ADAPT_PROBE 64   /* calls of a class between trials of another way */
#define JX_ADAPT_BACKOFF 6  /* at most 64 << 6 calls between trials */
#define JX_ADAPT_BAND 16    /* pool ways: work within threshold/16 .. threshold*16 */
#define JX_ADAPT_NARROW_MIN (INT64_C(1) << 16) /* narrow ways from here */

/* The ways, as bits of a set. */
enum {
    JX_WAY_INLINE = 0,        /* the kernel's vectors, the caller's thread */
    JX_WAY_POOL = 1,          /* the kernel's vectors, the pool */
    JX_WAY_NARROW_INLINE = 2, /* 256-bit vectors */
    JX_WAY_NARROW_POOL = 3,
    JX_ADAPT_WAYS = 4
};
#define JX_WAY_IS_POOL(w) (((w) & 1) != 0)
#define JX_WAY_IS_NARROW(w) ((w) >= JX_WAY_NARROW_INLINE)

typedef struct jx_adapt {
    /* Picoseconds per element of each way; 0: not measured yet. */
    _Atomic uint32_t ps[JX_ADAPT_CLASSES][JX_ADAPT_WAYS];
    _Atomic uint32_t calls[JX_ADAPT_CLASSES];
    _Atomic uint8_t backoff[JX_ADAPT_CLASSES]; /* trials every PROBE << backoff */
    _Atomic uint8_t last[JX_ADAPT_CLASSES];    /* the last run's way + 1 */
} jx_adapt;

/* A decision: the way to run, whether it is a trial, and the class to
 * record its time in (-1: one way allowed, nothing to record). */
typedef struct jx_adapt_pick {
    int way;
    bool probe;
    int cls;
} jx_adapt_pick;

/* The way to run `elements` elements among the set `ways` (bits 1 << way,
 * not empty), `first` (in the set) tried first; a may be NULL (first). */
JX_INTERNAL jx_adapt_pick jx_adapt_choose(jx_adapt *a, int64_t elements,
                                          unsigned ways, int first);
/* The way among the set `ways` with the shortest time recorded in size
 * class cls (`prefer` first on a tie; -1: none), or -1 when none has one;
 * with *ps its time and *measured how many of them have one (either may
 * be NULL). */
JX_INTERNAL int jx_adapt_fastest(const jx_adapt *a, int cls, unsigned ways,
                                 int prefer, uint32_t *ps, int *measured);
/* Records that a pick took ns nanoseconds for `elements` elements. */
JX_INTERNAL void jx_adapt_record(jx_adapt *a, jx_adapt_pick pick,
                                 int64_t elements, int64_t ns);
/* Monotonic nanoseconds. */
JX_INTERNAL int64_t jx_adapt_now(void);

#endif
