/* adapt.c - how a kernel runs, by timing the ways.  See adapt.h. */
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

int jx_adapt_fastest(const jx_adapt *a, int cls, unsigned ways, int prefer,
                     uint32_t *ps, int *measured)
{
    int best = -1, n = 0;
    uint32_t best_ps = 0;
    for (int i = -1; i < JX_ADAPT_WAYS; i++) {
        int w = i < 0 ? prefer : i;
        if ((i >= 0 && w == prefer) || w < 0 || !(ways >> w & 1))
            continue;
        uint32_t t = atomic_load_explicit(&a->ps[cls][w], memory_order_relaxed);
        if (t == 0) /* not measured, or a lost update */
            continue;
        n++;
        if (best < 0 || t < best_ps) {
            best = w;
            best_ps = t;
        }
    }
    if (ps != NULL)
        *ps = best_ps;
    if (measured != NULL)
        *measured = n;
    return best;
}

jx_adapt_pick jx_adapt_choose(jx_adapt *a, int64_t elements, unsigned ways,
                              int first)
{
    jx_adapt_pick pick = {first, false, -1};
    /* the order of the first trials: `first`, then the others */
    int order[JX_ADAPT_WAYS], n = 0;
    order[n++] = first;
    for (int w = 0; w < JX_ADAPT_WAYS; w++)
        if ((ways >> w & 1) && w != first)
            order[n++] = w;
    if (a == NULL || n == 1)
        return pick;
    int c = size_class(elements);
    uint32_t calls = atomic_fetch_add_explicit(&a->calls[c], 1, memory_order_relaxed);
    pick.cls = c;
    if (calls < 2 * (uint32_t)n) { /* each way twice */
        pick.way = order[calls / 2];
        return pick;
    }
    int best = jx_adapt_fastest(a, c, ways, first, NULL, NULL);
    if (best < 0)
        return pick;
    pick.way = best;
    uint32_t every = (uint32_t)JX_ADAPT_PROBE
                     << atomic_load_explicit(&a->backoff[c], memory_order_relaxed);
    if (calls % every >= every - 2) { /* another way, twice: in turn */
        int k = (int)(calls / every % (uint32_t)(n - 1)), j = 0;
        for (int i = 0; i < n; i++)
            if (order[i] != best && j++ == k)
                pick.way = order[i];
        pick.probe = true;
    }
    return pick;
}

void jx_adapt_record(jx_adapt *a, jx_adapt_pick pick, int64_t elements, int64_t ns)
{
    if (a == NULL || pick.cls < 0 || elements <= 0 || ns < 0)
        return;
    /* Only a run that follows one the same way (adapt.h). */
    uint8_t tag = (uint8_t)(1 + pick.way);
    if (atomic_exchange_explicit(&a->last[pick.cls], tag, memory_order_relaxed) != tag)
        return;
    int64_t ps = ns * 1000 / elements;
    if (ps < 1)
        ps = 1;
    if (ps > UINT32_MAX)
        ps = UINT32_MAX;
    _Atomic uint32_t *slot = &a->ps[pick.cls][pick.way];
    uint32_t old = atomic_load_explicit(slot, memory_order_relaxed);
    /* A faster time replaces the old one, a slower one moves it an eighth
     * of the way: outliers are slow ones (the first run on the pool
     * starts its threads, a first touch faults pages in, an interrupt
     * lands in a 4 us run), and one must not switch a kernel's way, while
     * a lasting change of load is followed within some 16 runs. */
    uint32_t v = old == 0 || (uint32_t)ps < old
                     ? (uint32_t)ps
                     : (uint32_t)(old + ((uint64_t)ps - old) / 8);
    atomic_store_explicit(slot, v, memory_order_relaxed);
    if (pick.probe) { /* still not the fastest: tried half as often */
        uint32_t other;
        unsigned rest = ((1u << JX_ADAPT_WAYS) - 1) & ~(1u << pick.way);
        bool slower = jx_adapt_fastest(a, pick.cls, rest, -1, &other, NULL) >= 0 &&
                      other < v;
        _Atomic uint8_t *b = &a->backoff[pick.cls];
        uint8_t k = atomic_load_explicit(b, memory_order_relaxed);
        atomic_store_explicit(b, slower ? (uint8_t)(k < JX_ADAPT_BACKOFF ? k + 1 : k) : 0,
                              memory_order_relaxed);
    }
}
