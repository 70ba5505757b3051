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
#define PRIOR_INTERP_NS 0.1      /* an interpreted run, likewise (0.06-0.16
                                    at n = 1e5 over six expressions) */
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
    recent full_ns;   /* optimised compiles */
    recent ratio;     /* optimised / quick compile of one kernel */
    recent per_unit;  /* ns per work unit of a quick run */
    recent interp_per_unit; /* ... of an interpreted run */
} est = {.lock = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t mode_once = PTHREAD_ONCE_INIT;
static _Atomic int mode;

static const char *const mode_names[] = {"auto", "full", "quick", "compiled", "interp"};

int jx_tier_mode_parse(const char *word)
{
    for (int m = 0; m < (int)(sizeof mode_names / sizeof *mode_names); m++)
        if (word != NULL && strcmp(word, mode_names[m]) == 0)
            return m;
    return -1;
}

const char *jx_tier_mode_name(jx_tier_mode m) { return mode_names[m]; }

static void read_mode(void)
{
    int m = jx_tier_mode_parse(getenv("JITEXPR_TIER"));
    atomic_store(&mode, m < 0 ? JX_TIER_AUTO : m);
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
    double t = quick_ns > 0 ? ratio * (double)quick_ns
               : est.full_ns.n > 0
                   ? recent_median(&est.full_ns, 0)
                   : ratio * recent_median(&est.quick_ns, PRIOR_QUICK_NS);
    pthread_mutex_unlock(&est.lock);
    return (int64_t)t;
}

int64_t jx_tier_quick_estimate(int64_t units, bool interp)
{
    pthread_mutex_lock(&est.lock);
    double per = interp ? recent_median(&est.interp_per_unit, PRIOR_INTERP_NS)
                        : recent_median(&est.per_unit, PRIOR_NS_PER_UNIT);
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
    if (full_ns <= 0)
        return;
    pthread_mutex_lock(&est.lock);
    recent_add(&est.full_ns, (double)full_ns);
    if (quick_ns > 0)
        recent_add(&est.ratio, (double)full_ns / (double)quick_ns);
    pthread_mutex_unlock(&est.lock);
}

void jx_tier_learn_run(int64_t units, int64_t ns, bool interp)
{
    if (units < LEARN_MIN_UNITS || ns <= 0)
        return;
    pthread_mutex_lock(&est.lock);
    recent_add(interp ? &est.interp_per_unit : &est.per_unit, (double)ns / (double)units);
    pthread_mutex_unlock(&est.lock);
}
