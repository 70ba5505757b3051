/* adapt.c - inline or on the pool, by timing both.  See adapt.h. */
#include "adapt.h"

#include <time.h>

int64_t jx_adapt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int size_class(int64_t elements)
{
    int c = 0;
    while (elements > 1 && c < JX_ADAPT_CLASSES - 1) {
        elements >>= 1;
        c++;
    }
    return c;
}

jx_adapt_pick jx_adapt_choose(jx_adapt *a, int64_t elements, int64_t work,
                              int64_t threshold)
{
    jx_adapt_pick pick = {work >= threshold, false, -1};
    if (a == NULL || work < threshold / JX_ADAPT_BAND ||
        work / JX_ADAPT_BAND >= threshold)
        return pick;
    int c = size_class(elements);
    uint32_t calls = atomic_fetch_add_explicit(&a->calls[c], 1, memory_order_relaxed);
    uint32_t t_in = atomic_load_explicit(&a->ps[c][0], memory_order_relaxed);
    uint32_t t_pool = atomic_load_explicit(&a->ps[c][1], memory_order_relaxed);
    pick.cls = c;
    if (calls < 4) { /* the model's way twice, then the other twice */
        pick.pool ^= calls >= 2;
        return pick;
    }
    if (t_in == 0 || t_pool == 0) /* a lost update: the model */
        return pick;
    pick.pool = t_pool < t_in;
    uint32_t every = (uint32_t)JX_ADAPT_PROBE
                     << atomic_load_explicit(&a->backoff[c], memory_order_relaxed);
    if (calls % every >= every - 2) { /* the slower, twice */
        pick.pool = !pick.pool;
        pick.probe = true;
    }
    return pick;
}

void jx_adapt_record(jx_adapt *a, jx_adapt_pick pick, int64_t elements, int64_t ns)
{
    if (a == NULL || pick.cls < 0 || elements <= 0 || ns < 0)
        return;
    int64_t ps = ns * 1000 / elements;
    if (ps < 1)
        ps = 1;
    if (ps > UINT32_MAX)
        ps = UINT32_MAX;
    /* Only a run that follows one the same way: the first on the pool
     * after runs inline finds the data in the caller's cache and the
     * other CPUs idle, the first inline after the pool finds half of it
     * in another core's cache; neither is what a series costs. */
    uint8_t way = (uint8_t)(1 + pick.pool);
    if (atomic_exchange_explicit(&a->last[pick.cls], way, memory_order_relaxed) != way)
        return;
    _Atomic uint32_t *slot = &a->ps[pick.cls][pick.pool];
    uint32_t old = atomic_load_explicit(slot, memory_order_relaxed);
    /* A faster time replaces the old one (the first run on the pool
     * starts its threads, a first touch faults pages in: outliers are
     * slow ones); a slower one moves it half way. */
    uint32_t v = old == 0 || (uint32_t)ps < old
                     ? (uint32_t)ps
                     : (uint32_t)(((uint64_t)old + (uint64_t)ps) / 2);
    atomic_store_explicit(slot, v, memory_order_relaxed);
    if (pick.probe) { /* still the slower: try it half as often */
        uint32_t other = atomic_load_explicit(&a->ps[pick.cls][!pick.pool],
                                              memory_order_relaxed);
        _Atomic uint8_t *b = &a->backoff[pick.cls];
        uint8_t k = atomic_load_explicit(b, memory_order_relaxed);
        atomic_store_explicit(b, v >= other ? (uint8_t)(k < JX_ADAPT_BACKOFF ? k + 1 : k) : 0,
                              memory_order_relaxed);
    }
}
