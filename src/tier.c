/* tier.c - when quick code is still worth running.  See tier.h.
 *
 * The estimates start from priors (the ratio of the two compiles' times,
 * a quick compile's time and the quick code's speed, measured on one
 * machine: AMD Zen 5, LLVM 19) and are replaced by this process's own
 * measurements as soon as it has them; a wrong estimate costs time, never
 * a result, since both tiers compute the same values. */
#include "tier.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define PRIOR_RATIO 4.0          /* optimised compile / quick compile */
#define PRIOR_QUICK_NS 2e6       /* a quick compile */
#define PRIOR_NS_PER_UNIT 0.25   /* a quick run, per element and cost unit */
#define LEARN_MIN_UNITS 16384    /* shorter runs are mostly call overhead */
#define RECENT 15                /* samples kept of each estimate */

/* The last RECENT samples of a quantity; the estimate is their median, so
 * that a compile slowed by other threads (or a run that shared the cores)
 * moves it by one sample's rank, not by its size. */
typedef struct recent {
    double v[RECENT];
    int n, next;
} recent;

static void recent_add(recent *r, double x)
{
    r->v[r->next] = x;
    r->next = (r->next + 1) % RECENT;
    r->n += r->n < RECENT;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double recent_median(const recent *r, double prior)
{
    if (r->n == 0)
        return prior;
    double v[RECENT];
    memcpy(v, r->v, sizeof(double) * (size_t)r->n);
    qsort(v, (size_t)r->n, sizeof v[0], cmp_double);
    return r->n % 2 ? v[r->n / 2] : 0.5 * (v[r->n / 2 - 1] + v[r->n / 2]);
}

static struct {
    pthread_mutex_t lock;
    recent quick_ns;  /* quick compiles */
    recent ratio;     /* optimised / quick compile of one kernel */
    recent per_unit;  /* ns per work unit of a quick run */
} est = {.lock = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t mode_once = PTHREAD_ONCE_INIT;
static _Atomic int mode;

static void read_mode(void)
{
    const char *v = getenv("JITEXPR_TIER");
    atomic_store(&mode, v != NULL && strcmp(v, "quick") == 0 ? JX_TIER_QUICK
                        : v != NULL && strcmp(v, "full") == 0 ? JX_TIER_FULL
                                                               : JX_TIER_AUTO);
}

jx_tier_mode jx_tier_mode_get(void)
{
    pthread_once(&mode_once, read_mode);
    return (jx_tier_mode)atomic_load(&mode);
}

jx_tier_mode jx_tier_mode_set(jx_tier_mode m)
{
    pthread_once(&mode_once, read_mode);
    return (jx_tier_mode)atomic_exchange(&mode, (int)m);
}

int64_t jx_tier_full_estimate(int64_t quick_ns)
{
    pthread_mutex_lock(&est.lock);
    double ratio = recent_median(&est.ratio, PRIOR_RATIO);
    double q = quick_ns > 0 ? (double)quick_ns : recent_median(&est.quick_ns, PRIOR_QUICK_NS);
    pthread_mutex_unlock(&est.lock);
    return (int64_t)(ratio * q);
}

int64_t jx_tier_quick_estimate(int64_t units)
{
    pthread_mutex_lock(&est.lock);
    double per = recent_median(&est.per_unit, PRIOR_NS_PER_UNIT);
    pthread_mutex_unlock(&est.lock);
    double t = per * (double)units;
    return t >= 9e18 ? INT64_MAX : (int64_t)t;
}

void jx_tier_learn_quick(int64_t quick_ns)
{
    if (quick_ns <= 0)
        return;
    pthread_mutex_lock(&est.lock);
    recent_add(&est.quick_ns, (double)quick_ns);
    pthread_mutex_unlock(&est.lock);
}

void jx_tier_learn_compile(int64_t quick_ns, int64_t full_ns)
{
    if (quick_ns <= 0 || full_ns <= 0)
        return;
    pthread_mutex_lock(&est.lock);
    recent_add(&est.ratio, (double)full_ns / (double)quick_ns);
    pthread_mutex_unlock(&est.lock);
}

void jx_tier_learn_run(int64_t units, int64_t ns)
{
    if (units < LEARN_MIN_UNITS || ns <= 0)
        return;
    pthread_mutex_lock(&est.lock);
    recent_add(&est.per_unit, (double)ns / (double)units);
    pthread_mutex_unlock(&est.lock);
}
