/* adapt.h - whether a kernel runs inline or on the thread pool, chosen by
 * timing both.
 *
 * The pool's work threshold (pool.h) is a model: elements times the
 * expression's cost, against a constant.  Near it the model is wrong in
 * both directions, by machine and by kernel: on a 2-core Zen 5 VM waking a
 * worker costs 14-25 us, so sin(a) (cost 16, a vmath kernel four times
 * faster than the cost says) ran 1.5x slower on two threads at 2^16
 * elements, where the model said two, while a + b at 2^18 gained 6%.
 *
 * So each kernel keeps, per size class (floor(log2(elements))), the time
 * per element of its last runs each way, and within a band around the
 * threshold (work from 1/16 to 16 times it) runs a class the way that has
 * been faster: first the model's way twice, then the other twice (a
 * first run often touches fresh output pages: the faster of two counts),
 * then the faster,
 * trying the slower again after JX_ADAPT_PROBE calls so that a change of
 * load is seen, and after twice as many each time it is still the slower
 * (up to 2^JX_ADAPT_BACKOFF times: a trial of a way 5x slower costs).  A
 * trial is two calls, and only a run that follows a run the same way is
 * timed: the first run on the pool after a while inline finds the other
 * CPUs idle (on a VM waking an idle vCPU costs more than one that ran a
 * moment ago: sin(a) at 2^18 elements, 2 vCPUs, 517 ps/element for a lone
 * pool run, 390 in a series, 435 inline) and the data in the caller's
 * cache, the first inline after the pool half of it in another core's.  Outside the band the model decides alone, so a single
 * large evaluation never pays for a trial.  The timings are a heuristic:
 * fields are atomics updated without a lock, and a lost update only
 * delays a choice. */
#ifndef JX_ADAPT_H
#define JX_ADAPT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define JX_ADAPT_CLASSES 48
#define JX_ADAPT_PROBE 64   /* calls of a class between trials of the slower way */
#define JX_ADAPT_BACKOFF 6  /* at most 64 << 6 calls between trials */
#define JX_ADAPT_BAND 16    /* the band: work within threshold/16 .. threshold*16 */

typedef struct jx_adapt {
    /* Picoseconds per element, inline [0] and on the pool [1]; 0: not
     * measured yet. */
    _Atomic uint32_t ps[JX_ADAPT_CLASSES][2];
    _Atomic uint32_t calls[JX_ADAPT_CLASSES];
    _Atomic uint8_t backoff[JX_ADAPT_CLASSES]; /* trials every PROBE << backoff */
    _Atomic uint8_t last[JX_ADAPT_CLASSES];    /* the last run's way + 1 */
} jx_adapt;

/* A decision: the way to run, and the class to record its time in (-1:
 * the model decided, nothing to record). */
typedef struct jx_adapt_pick {
    bool pool;
    bool probe; /* a trial of the way that has been slower */
    int cls;
} jx_adapt_pick;

/* The way to run `elements` elements of `work` (elements times cost)
 * when the pool's threshold is `threshold`; a may be NULL (the model). */
JX_INTERNAL jx_adapt_pick jx_adapt_choose(jx_adapt *a, int64_t elements,
                                          int64_t work, int64_t threshold);
/* Records that a pick took ns nanoseconds for `elements` elements. */
JX_INTERNAL void jx_adapt_record(jx_adapt *a, jx_adapt_pick pick,
                                 int64_t elements, int64_t ns);
/* Monotonic nanoseconds. */
JX_INTERNAL int64_t jx_adapt_now(void);

#endif
