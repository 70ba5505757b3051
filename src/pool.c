/* pool.c - the thread pool and the thread-count settings.  See pool.h. */
#define _GNU_SOURCE
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JX_THREADS_CAP 256 /* the most threads without NUMEXPR_MAX_THREADS */

/* A job's chunks are cut into one contiguous region per participant: each
 * walks its own region first (so each thread streams through memory of
 * its own, which a memory-bound loop needs to scale), then takes chunks
 * from the others' regions.  Claims are atomic increments, so every
 * chunk runs exactly once whoever takes it. */
#define JX_POOL_REGIONS 64

typedef struct region {
    _Atomic int64_t next;     /* next chunk to claim */
    int64_t end;              /* one past the region's last chunk */
    char pad[48];             /* one cache line each */
} region;

typedef struct job job;
struct job {
    jx_chunk_fn fn;
    void *arg;
    int64_t nchunks;
    int nregions;             /* regions in use */
    region regions[JX_POOL_REGIONS];
    _Atomic int64_t unclaimed; /* chunks not yet claimed */
    int64_t done;             /* chunks finished; guarded by pool.lock */
    int helpers;              /* workers that joined; guarded by pool.lock */
    int active;               /* workers working on it now; pool.lock */
    int max_helpers;          /* nthreads - 1 */
    _Atomic int failed;       /* a chunk failed: skip the rest */
    jx_error err;             /* the first error; guarded by pool.lock */
    pthread_cond_t finished;  /* signalled when done == nchunks */
    job *next_job;            /* queue link; guarded by pool.lock */
};

/* The process's pool.  Fields are guarded by lock unless noted. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t work;      /* signalled when a job is queued */
    job *queue;               /* jobs with chunks left to claim */
    int nworkers;             /* threads started */
    int nthreads;             /* the setting: threads a job may use */
    int max_threads;          /* cap on nthreads */
    int64_t parallel_work;    /* work below which evaluations run inline */
    bool configured;          /* nthreads/max_threads read from the env */
    bool atfork;              /* pthread_atfork handlers installed */
} pool = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .work = PTHREAD_COND_INITIALIZER,
};

/* ---- thread counts ---------------------------------------------------------- */

/* CPUs in the cgroup's quota (v2 cpu.max, v1 cfs), or 0 when unlimited. */
static int cgroup_cpus(void)
{
    long long quota = -1, period = 0;
    FILE *f = fopen("/sys/fs/cgroup/cpu.max", "r");
    if (f) {
        char q[32];
        if (fscanf(f, "%31s %lld", q, &period) == 2 && strcmp(q, "max") != 0)
            quota = atoll(q);
        fclose(f);
    } else {
        f = fopen("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "r");
        if (f) {
            if (fscanf(f, "%lld", &quota) != 1)
                quota = -1;
            fclose(f);
        }
        f = fopen("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "r");
        if (f) {
            if (fscanf(f, "%lld", &period) != 1)
                period = 0;
            fclose(f);
        }
    }
    if (quota <= 0 || period <= 0)
        return 0;
    return (int)((quota + period - 1) / period);
}

int jx_detect_cores(void)
{
    int n = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c : 1;
    }
    int q = cgroup_cpus();
    if (q > 0 && q < n)
        n = q;
    return n;
}

/* A positive integer from the environment, or 0. */
static int env_int(const char *name)
{
    const char *s = getenv(name);
    if (s == NULL || *s == '\0')
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    return (*end == '\0' && v > 0 && v < 1 << 20) ? (int)v : 0;
}

/* Reads the settings once; pool.lock held. */
static void configure(void)
{
    if (pool.configured)
        return;
    int max = env_int("NUMEXPR_MAX_THREADS");
    pool.max_threads = max ? max : JX_THREADS_CAP;
    int n = env_int("JITEXPR_NUM_THREADS");
    if (!n)
        n = env_int("NUMEXPR_NUM_THREADS");
    if (!n)
        n = env_int("OMP_NUM_THREADS");
    if (!n)
        n = jx_detect_cores();
    pool.nthreads = n < pool.max_threads ? n : pool.max_threads;
    const char *pm = getenv("JITEXPR_PARALLEL_WORK");
    char *end;
    long long v = pm && *pm ? strtoll(pm, &end, 10) : -1;
    pool.parallel_work = (v >= 0 && *end == '\0') ? v : JX_PARALLEL_WORK_DEFAULT;
    pool.configured = true;
}

/* The settings, read under the lock. */
typedef struct settings {
    int nthreads, max_threads;
    int64_t parallel_work;
} settings;

static settings current(void)
{
    pthread_mutex_lock(&pool.lock);
    configure();
    settings s = {pool.nthreads, pool.max_threads, pool.parallel_work};
    pthread_mutex_unlock(&pool.lock);
    return s;
}

void jx_pool_settings(int *nthreads, int64_t *parallel_work)
{
    settings s = current();
    *nthreads = s.nthreads;
    *parallel_work = s.parallel_work;
}

int jx_max_threads(void) { return current().max_threads; }
int jx_get_num_threads(void) { return current().nthreads; }

int jx_set_num_threads(int n)
{
    if (n < 1)
        return -1;
    pthread_mutex_lock(&pool.lock);
    configure();
    int old = pool.nthreads;
    pool.nthreads = n < pool.max_threads ? n : pool.max_threads;
    pthread_mutex_unlock(&pool.lock);
    return old;
}

/* ---- the workers ---------------------------------------------------------------- */

/* Claims and runs chunks of j until none is left, starting with region
 * `slot`.  Called without the lock; returns the chunks it finished. */
static int64_t work_on(job *j, int slot)
{
    int64_t finished = 0;
    jx_error err;
    for (int k = 0; k < j->nregions; k++) {
        region *r = &j->regions[(slot + k) % j->nregions];
        for (;;) {
            int64_t c = atomic_fetch_add(&r->next, 1);
            if (c >= r->end)
                break;
            atomic_fetch_sub(&j->unclaimed, 1);
            if (!atomic_load(&j->failed) && j->fn(j->arg, c, &err) != 0) {
                pthread_mutex_lock(&pool.lock);
                if (!atomic_exchange(&j->failed, 1))
                    j->err = err;
                pthread_mutex_unlock(&pool.lock);
            }
            finished++;
        }
    }
    return finished;
}

/* Takes j out of the queue; pool.lock held. */
static void unqueue(job *j)
{
    for (job **p = &pool.queue; *p; p = &(*p)->next_job)
        if (*p == j) {
            *p = j->next_job;
            return;
        }
}

/* A worker leaves j having finished n chunks; the owner is woken when the
 * job is complete and no worker holds it any more.  Lock held. */
static void leave(job *j, int64_t n)
{
    j->done += n;
    j->active--;
    if (j->done == j->nchunks && j->active == 0)
        pthread_cond_signal(&j->finished);
}

static void *worker_main(void *unused)
{
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        /* The first queued job that wants another helper. */
        job *j = pool.queue;
        while (j && (j->helpers >= j->max_helpers ||
                     atomic_load(&j->unclaimed) <= 0))
            j = j->next_job;
        if (j == NULL) {
            pthread_cond_wait(&pool.work, &pool.lock);
            continue;
        }
        int slot = ++j->helpers; /* the owner has slot 0 */
        j->active++;
        pthread_mutex_unlock(&pool.lock);
        int64_t n = work_on(j, slot);
        pthread_mutex_lock(&pool.lock);
        unqueue(j); /* no chunks left to claim */
        leave(j, n);
    }
    return NULL;
}

/* After fork() only the forking thread exists in the child: start over. */
static void atfork_prepare(void) { pthread_mutex_lock(&pool.lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&pool.lock); }
static void atfork_child(void)
{
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.work, NULL);
    pool.queue = NULL;
    pool.nworkers = 0;
}

/* Starts workers until `want` exist; lock held.  A failure to start one is
 * not an error: the job runs on the threads there are. */
static void grow(int want)
{
    if (!pool.atfork) {
        pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
        pool.atfork = true;
    }
    while (pool.nworkers < want) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &attr, worker_main, NULL);
        pthread_attr_destroy(&attr);
        if (rc != 0)
            break;
        pool.nworkers++;
    }
}

int jx_pool_workers(void)
{
    pthread_mutex_lock(&pool.lock);
    int n = pool.nworkers;
    pthread_mutex_unlock(&pool.lock);
    return n;
}

int jx_pool_run(int64_t nchunks, int nthreads, jx_chunk_fn fn, void *arg,
                jx_error *err)
{
    if (nchunks <= 0)
        return 0;
    if (nthreads <= 1 || nchunks == 1) {
        for (int64_t c = 0; c < nchunks; c++)
            if (fn(arg, c, err) != 0)
                return -1;
        return 0;
    }
    job j;
    memset(&j, 0, sizeof j);
    j.fn = fn;
    j.arg = arg;
    j.nchunks = nchunks;
    atomic_init(&j.unclaimed, nchunks);
    atomic_init(&j.failed, 0);
    j.max_helpers = nthreads - 1;
    if (j.max_helpers > nchunks - 1)
        j.max_helpers = (int)(nchunks - 1);
    j.nregions = j.max_helpers + 1 < JX_POOL_REGIONS ? j.max_helpers + 1 : JX_POOL_REGIONS;
    for (int r = 0; r < j.nregions; r++) {
        atomic_init(&j.regions[r].next, nchunks * r / j.nregions);
        j.regions[r].end = nchunks * (r + 1) / j.nregions;
    }
    pthread_cond_init(&j.finished, NULL);

    pthread_mutex_lock(&pool.lock);
    grow(j.max_helpers);
    j.next_job = pool.queue;
    pool.queue = &j;
    if (j.max_helpers == 1)
        pthread_cond_signal(&pool.work);
    else
        pthread_cond_broadcast(&pool.work);
    pthread_mutex_unlock(&pool.lock);

    int64_t n = work_on(&j, 0);

    pthread_mutex_lock(&pool.lock);
    unqueue(&j); /* no worker can join from now on */
    j.done += n;
    while (j.done < j.nchunks || j.active > 0)
        pthread_cond_wait(&j.finished, &pool.lock);
    int failed = atomic_load(&j.failed);
    if (failed && err)
        *err = j.err;
    pthread_mutex_unlock(&pool.lock);
    pthread_cond_destroy(&j.finished);
    return failed ? -1 : 0;
}
