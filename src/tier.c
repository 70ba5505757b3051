/* tier.c - when quick code is worth running, and the background thread
 * that compiles optimised code.  See tier.h.
 *
 * The estimates start from priors (the ratio of the two compiles' times
 * and the quick code's speed measured on one machine: AMD Zen 5, LLVM
 * 19) and are replaced by this process's own measurements as soon as it
 * has one of each; a wrong estimate costs time, never a result, since
 * both tiers compute the same bits.
 *
 * Locks: tier.busy is held while a job runs, tier.lock over the queue
 * and the estimates.  The fork handlers take busy, then lock (the thread
 * never waits for busy while it holds lock), so that a fork never copies
 * LLVM in the middle of a compile; the child drops the queue and starts
 * its own thread when it next submits.  At exit the thread is stopped
 * between jobs (after those that persist) for the same reason: LLVM's
 * static destructors must not run under a compile. */
#include "tier.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PRIOR_RATIO 4.0          /* optimised compile / quick compile */
#define PRIOR_NS_PER_UNIT 0.25   /* a quick run, per element and cost unit */
#define LEARN_MIN_UNITS 16384    /* shorter runs are mostly call overhead */
#define REREGISTER_JOBS 16       /* at_exit registered again after these */

static struct {
    pthread_mutex_t busy;
    pthread_mutex_t lock;
    pthread_cond_t cond;       /* a job came */
    pthread_cond_t idle;       /* a job ended */
    jx_tier_job *head, *tail;  /* the queue */
    jx_tier_job *current;      /* taken by the thread, run or not yet */
    bool started;              /* this process has its thread */
    bool exiting;              /* exit: only jobs that persist run */
    bool stopped;              /* exit: no more jobs run */
    bool handlers;             /* atfork and atexit installed */
    int registrations;         /* of at_exit by the worker */
    double quick_compile_ns, full_compile_ns;  /* sums over pairs */
    double run_units, run_ns;                  /* sums over quick runs */
} tier = {
    .busy = PTHREAD_MUTEX_INITIALIZER,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER,
    .idle = PTHREAD_COND_INITIALIZER,
};

static pthread_once_t mode_once = PTHREAD_ONCE_INIT;
static jx_tier_mode mode;

static void read_mode(void)
{
    const char *v = getenv("JITEXPR_TIER");
    mode = v == NULL || *v == '\0' || strcmp(v, "auto") == 0 ? JX_TIER_AUTO
           : strcmp(v, "quick") == 0                          ? JX_TIER_QUICK
           : strcmp(v, "full") == 0                           ? JX_TIER_FULL
                                                              : JX_TIER_AUTO;
}

jx_tier_mode jx_tier_mode_get(void)
{
    pthread_once(&mode_once, read_mode);
    return mode;
}

/* ---- the thread ----------------------------------------------------------------- */

static void at_exit(void);

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&tier.lock);
        while (tier.head == NULL || tier.stopped)
            pthread_cond_wait(&tier.cond, &tier.lock);
        jx_tier_job *j = tier.head;
        tier.head = j->next;
        if (tier.head == NULL)
            tier.tail = NULL;
        tier.current = j;
        pthread_mutex_unlock(&tier.lock);

        pthread_mutex_lock(&tier.busy);
        pthread_mutex_lock(&tier.lock);
        bool run = !tier.stopped && (!tier.exiting || j->persist);
        pthread_mutex_unlock(&tier.lock);
        if (run)
            j->run(j);
        pthread_mutex_unlock(&tier.busy);

        pthread_mutex_lock(&tier.lock);
        tier.current = NULL;
        pthread_cond_broadcast(&tier.idle);
        bool stopped = tier.stopped;
        /* exit() runs its handlers last registered first: registered
         * again after the first compiles, at_exit comes before the
         * destructors of LLVM's function-local statics those compiles
         * constructed, and never runs a compile among destroyed ones. */
        bool again = run && tier.registrations < REREGISTER_JOBS;
        tier.registrations += again;
        pthread_mutex_unlock(&tier.lock);
        if (again)
            atexit(at_exit);
        if (stopped)
            return NULL; /* the process is ending: j stays */
        j->drop(j);
    }
}

static void fork_prepare(void)
{
    pthread_mutex_lock(&tier.busy);
    pthread_mutex_lock(&tier.lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&tier.lock);
    pthread_mutex_unlock(&tier.busy);
}

/* The child has no thread: the queued jobs and the one the thread had
 * taken are dropped (their kernels stay quick until a call or a new job
 * compiles them). */
static void fork_child(void)
{
    jx_tier_job *j = tier.head, *cur = tier.current;
    tier.head = tier.tail = NULL;
    tier.current = NULL;
    tier.started = false;
    pthread_cond_init(&tier.cond, NULL);
    pthread_cond_init(&tier.idle, NULL);
    pthread_mutex_unlock(&tier.lock);
    pthread_mutex_unlock(&tier.busy);
    while (j != NULL) {
        jx_tier_job *next = j->next;
        j->drop(j);
        j = next;
    }
    if (cur != NULL)
        cur->drop(cur);
}

/* The jobs that persist run to the end (the compiles the process would
 * have made before its first result without the quick tier, less those
 * already made); then the thread stops between jobs. */
static void at_exit(void)
{
    pthread_mutex_lock(&tier.lock);
    if (tier.stopped) { /* registered more than once (worker) */
        pthread_mutex_unlock(&tier.lock);
        return;
    }
    tier.exiting = true;
    while (tier.started && (tier.head != NULL || tier.current != NULL))
        pthread_cond_wait(&tier.idle, &tier.lock);
    tier.stopped = true;
    pthread_mutex_unlock(&tier.lock);
}

void jx_tier_submit(jx_tier_job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&tier.lock);
    if (!tier.handlers) {
        /* Registered after the engine's and the disk cache's (a quick
         * compile came first), so that this prepare handler runs before
         * theirs take the locks a compile needs. */
        pthread_atfork(fork_prepare, fork_parent, fork_child);
        atexit(at_exit);
        tier.handlers = true;
    }
    if (!tier.started && !tier.stopped) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        tier.started = pthread_create(&t, &attr, worker, NULL) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!tier.started || tier.stopped) {
        pthread_mutex_unlock(&tier.lock);
        j->drop(j); /* no thread: the kernel stays quick until a call needs more */
        return;
    }
    if (tier.tail != NULL)
        tier.tail->next = j;
    else
        tier.head = j;
    tier.tail = j;
    pthread_cond_signal(&tier.cond);
    pthread_mutex_unlock(&tier.lock);
}

int jx_tier_wait(int64_t ns)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    if (ns >= 0) {
        until.tv_sec += (time_t)(ns / 1000000000);
        until.tv_nsec += (long)(ns % 1000000000);
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
    }
    int rc = 0;
    pthread_mutex_lock(&tier.lock);
    while (rc == 0 && tier.started && (tier.head != NULL || tier.current != NULL))
        rc = ns < 0 ? pthread_cond_wait(&tier.idle, &tier.lock)
                    : pthread_cond_timedwait(&tier.idle, &tier.lock, &until);
    pthread_mutex_unlock(&tier.lock);
    return rc == 0 ? 0 : -1;
}

/* ---- the estimates -------------------------------------------------------------- */

int64_t jx_tier_full_estimate(int64_t quick_ns)
{
    pthread_mutex_lock(&tier.lock);
    double ratio = tier.quick_compile_ns > 0 ? tier.full_compile_ns / tier.quick_compile_ns
                                             : PRIOR_RATIO;
    pthread_mutex_unlock(&tier.lock);
    return (int64_t)(ratio * (double)quick_ns);
}

int64_t jx_tier_quick_estimate(int64_t units)
{
    pthread_mutex_lock(&tier.lock);
    double per = tier.run_units > 0 ? tier.run_ns / tier.run_units : PRIOR_NS_PER_UNIT;
    pthread_mutex_unlock(&tier.lock);
    double t = per * (double)units;
    return t >= 9e18 ? INT64_MAX : (int64_t)t;
}

void jx_tier_learn_compile(int64_t quick_ns, int64_t full_ns)
{
    if (quick_ns <= 0 || full_ns <= 0)
        return;
    pthread_mutex_lock(&tier.lock);
    tier.quick_compile_ns += (double)quick_ns;
    tier.full_compile_ns += (double)full_ns;
    pthread_mutex_unlock(&tier.lock);
}

void jx_tier_learn_run(int64_t units, int64_t ns)
{
    if (units < LEARN_MIN_UNITS || ns <= 0)
        return;
    pthread_mutex_lock(&tier.lock);
    tier.run_units += (double)units;
    tier.run_ns += (double)ns;
    pthread_mutex_unlock(&tier.lock);
}
