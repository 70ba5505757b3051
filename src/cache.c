/* cache.c - the in-memory kernel cache, and each kernel's way from the
 * quick tier to the optimised code (tier.h's rule).  See cache.h. */
#include "cache.h"
#include "choicestore.h"
#include "diskcache.h"
#include "interp.h"
#include "tier.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 1024 /* a power of two */

/* The process's one cache.  Every field is guarded by lock. */
static struct {
    pthread_mutex_t lock;
    jx_kernel *buckets[NBUCKETS];
    jx_kernel *newest;   /* LRU list ends */
    jx_kernel *oldest;
    uint64_t entries;
    uint64_t compiled;
    uint64_t hits;
    uint64_t quick;      /* quick compiles */
    uint64_t interpreted; /* kernels that started interpreted */
    uint64_t upgraded;   /* quick kernels given their optimised code */
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The lock is held across fork(), so that no thread holds it in the
 * child (registered at the first use, before the disk cache's and the
 * stored choices' handlers, whose prepare handlers then run first). */
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static void fork_lock(void) { pthread_mutex_lock(&cache.lock); }
static void fork_unlock(void) { pthread_mutex_unlock(&cache.lock); }
static void fork_handlers(void) { pthread_atfork(fork_lock, fork_unlock, fork_unlock); }

/* ir's text, '#', layout, then suffix ("" or "#unit"). */
static char *make_key(const jx_ir *ir, const char *layout, const char *suffix)
{
    size_t a = strlen(ir->text), b = strlen(layout), c = strlen(suffix);
    char *key = malloc(a + b + c + 2);
    if (key == NULL)
        return NULL;
    memcpy(key, ir->text, a);
    key[a] = '#';
    memcpy(key + a + 1, layout, b);
    memcpy(key + a + 1 + b, suffix, c + 1);
    return key;
}

static void lru_unlink(jx_kernel *k)
{
    if (k->newer)
        k->newer->older = k->older;
    else
        cache.newest = k->older;
    if (k->older)
        k->older->newer = k->newer;
    else
        cache.oldest = k->newer;
    k->newer = k->older = NULL;
}

static void lru_push(jx_kernel *k)
{
    k->older = cache.newest;
    k->newer = NULL;
    if (cache.newest)
        cache.newest->newer = k;
    cache.newest = k;
    if (cache.oldest == NULL)
        cache.oldest = k;
}

static jx_kernel *lookup(const char *key, uint64_t hash)
{
    for (jx_kernel *k = cache.buckets[hash & (NBUCKETS - 1)]; k; k = k->chain)
        if (k->hash == hash && strcmp(k->key, key) == 0)
            return k;
    return NULL;
}

/* Releases k's units (interp's code for its math instructions). */
static void drop_units(jx_kernel *k)
{
    for (int u = 0; u < k->nunits; u++)
        jx_cache_release(k->units[u]);
    free(k->units);
    k->units = NULL;
    k->nunits = 0;
}

static void free_kernel(jx_kernel *k)
{
    jx_jit_release(&k->code);
    jx_jit_release(&k->quick_code);
    jx_interp_free(k->interp);
    drop_units(k);
    free(k->key);
    free(k);
}

/* Takes k out of the table; returns true when that dropped the last
 * reference (the caller frees it outside the lock). */
static bool evict(jx_kernel *k)
{
    jx_kernel **p = &cache.buckets[k->hash & (NBUCKETS - 1)];
    while (*p != k)
        p = &(*p)->chain;
    *p = k->chain;
    lru_unlink(k);
    k->cached = false;
    cache.entries--;
    return --k->refs == 0;
}

/* The disk cache's key of key's quick code (malloc'd, or NULL): quick
 * code is stored too, so that a later process loads it rather than
 * compiling again, but under its own key, looked up after the optimised
 * code's. */
static char *quick_key(const char *key)
{
    size_t n = strlen(key);
    char *q = malloc(n + 7);
    if (q != NULL) {
        memcpy(q, key, n);
        memcpy(q + n, "#quick", 7);
    }
    return q;
}

/* A clock of compile time: now, less the time this thread has spent
 * timing math functions (jx_jit_calibration_ns), which a compile may do
 * first (150 ms for exp and tanh).  Counted in, the optimised compile's
 * estimate (4x the quick one's) kept a quick exp(a)*tanh(a) at 40 ms a
 * call on 1e6 elements for more than 6 calls. */
static int64_t compile_clock(void)
{
    return jx_adapt_now() - jx_jit_calibration_ns();
}

/* The code of ir for layout in tier t: emitted, stored on disk (a no-op
 * when the disk cache is off), loaded.  *quick: it is the quick tier's
 * (t JX_JIT_QUICK, and the JIT gave it).  unit: ir is a unit
 * (jx_cache_unit), compiled only when the engine computes its function
 * with vmath.c's kernel and kept only when its code has the same bits at
 * every position (else -1, *err JX_ERR_INTERNAL). */
static int compile(const jx_ir *ir, const char *layout, const char *key, jx_jit_tier t,
                   bool use_disk, bool unit, jx_jit_code *code, bool *quick,
                   jx_error *err)
{
    if (use_disk) /* an earlier process's math choices: no timing them */
        jx_cstore_before_compile();
    jx_jit_object obj;
    int emitted = -1;
    if (unit && !jx_jit_own_math(ir->ins[ir->result].op, ir->dtype == JX_FLOAT32))
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0, "the library computes this function");
    else
        emitted = jx_jit_emit(ir, layout, t, &obj, err);
    if (use_disk) /* what this compilation measured, for later processes */
        jx_cstore_after_compile();
    if (emitted != 0)
        return -1;
    if (unit && !obj.same_bits) {
        jx_jit_object_free(&obj);
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0, "not the same bits at every position");
        return -1;
    }
    *quick = obj.quick;
    if (use_disk) {
        char *qkey = obj.quick ? quick_key(key) : NULL;
        if (!obj.quick || qkey != NULL)
            jx_disk_store(obj.quick ? qkey : key, &obj);
        free(qkey);
    }
    int rc = jx_jit_load(obj.data, obj.size, code, err);
    jx_jit_object_free(&obj);
    return rc;
}

/* The code of math instruction i of ir for k's program (jx_interp_unit_fn,
 * ctx k): a unit kernel, referenced from k->units. */
static jx_kernel_fn unit_code(void *ctx, const jx_ir *ir, int32_t i)
{
    jx_kernel *k = ctx;
    jx_kernel **more = realloc(k->units, sizeof *more * (size_t)(k->nunits + 1));
    if (more == NULL)
        return NULL;
    k->units = more;
    jx_kernel *u = jx_cache_unit(ir, i, true);
    if (u == NULL)
        return NULL;
    k->units[k->nunits++] = u;
    return atomic_load(&u->fn);
}

/* k's code for key: from the disk cache, or compiled: in the quick tier
 * where tier.h and the JIT allow (k->quick), else optimised (and stored
 * on disk).  With use_disk false compiled optimised only.  A unit
 * (jx_cache_unit) is never interpreted, and stays in the tier it was
 * compiled in: the interpreter that calls it does not time it (a hot
 * expression gets its own optimised kernel).  *compiled: LLVM compiled
 * it. */
static int obtain(const jx_ir *ir, const char *layout, const char *key,
                  bool use_disk, bool unit, jx_kernel *k, bool *compiled,
                  jx_error *err)
{
    *compiled = false;
    atomic_init(&k->quick, false);
    if (use_disk && jx_disk_load(key, &k->code) == 1) {
        atomic_init(&k->fn, k->code.fn);
        return 0;
    }
    if (use_disk && jx_tier_mode_get() != JX_TIER_FULL) {
        char *qkey = quick_key(key);
        int hit = qkey != NULL && jx_disk_load(qkey, &k->quick_code) == 1;
        free(qkey);
        if (hit) { /* an earlier process's quick code (its compile time unknown) */
            atomic_init(&k->fn, k->quick_code.fn);
            atomic_init(&k->quick, true);
            return 0;
        }
    }
    jx_tier_mode mode = jx_tier_mode_get();
    if (!unit && use_disk && (mode == JX_TIER_AUTO || mode == JX_TIER_INTERP) &&
        strchr(layout, 'w') == NULL) {
        /* math through units only where the output is apart: else the
         * compiled loop calls the library for sin, cos and tan */
        bool apart = strchr(layout, 'n') != NULL;
        if ((k->interp = jx_interp_new(ir, layout, apart ? unit_code : NULL, k)) != NULL) {
            atomic_init(&k->fn, NULL); /* interpreted: no compile yet */
            atomic_init(&k->quick, true);
            return 0;
        }
        drop_units(k);
    }
    *compiled = true;
    jx_jit_tier t = use_disk && mode != JX_TIER_FULL ? JX_JIT_QUICK : JX_JIT_FULL;
    int64_t t0 = compile_clock();
    jx_jit_code code;
    bool quick;
    if (compile(ir, layout, key, t, use_disk, unit, &code, &quick, err) != 0)
        return -1;
    if (quick) {
        k->quick_code = code;
        k->quick_ns = compile_clock() - t0;
        jx_tier_learn_quick(k->quick_ns);
        atomic_init(&k->quick, true);
    } else {
        k->code = code;
        jx_tier_learn_compile(0, compile_clock() - t0);
    }
    atomic_init(&k->fn, code.fn);
    return 0;
}

/* Compiles k's optimised code (k quick) and puts it in place, unless
 * another thread did meanwhile.  Returns 0, or -1 (k stays quick: its
 * results are the same). */
static int upgrade(jx_kernel *k, const jx_ir *ir, const char *layout)
{
    jx_error err;
    jx_jit_code code;
    int64_t t0 = compile_clock();
    bool quick;
    if (compile(ir, layout, k->key, JX_JIT_FULL, true, false, &code, &quick, &err) != 0) {
        atomic_store(&k->no_upgrade, true); /* not again: keep the quick code */
        return -1;
    }
    jx_tier_learn_compile(k->quick_ns, compile_clock() - t0);
    pthread_mutex_lock(&cache.lock);
    bool mine = atomic_load(&k->quick);
    if (mine) {
        k->code = code;
        atomic_store(&k->fn, code.fn);
        atomic_store(&k->quick, false);
        cache.upgraded++;
    }
    pthread_mutex_unlock(&cache.lock);
    if (!mine)
        jx_jit_release(&code);
    return 0;
}

jx_kernel_fn jx_cache_code(jx_kernel *k, const jx_ir *ir, const char *layout,
                           int64_t units, bool *quick)
{
    *quick = false;
    if (!atomic_load(&k->quick))
        return atomic_load(&k->fn);
    jx_tier_mode mode = jx_tier_mode_get();
    bool interp = k->interp != NULL && atomic_load(&k->fn) == NULL;
    bool now = mode == JX_TIER_FULL || /* set since k was compiled quick */
               ((mode == JX_TIER_AUTO || mode == JX_TIER_COMPILED) &&
                atomic_load(&k->quick_spent) + jx_tier_quick_estimate(units, interp) >=
                    jx_tier_full_estimate(k->quick_ns));
    if (now && !atomic_load(&k->no_upgrade) && upgrade(k, ir, layout) == 0)
        return atomic_load(&k->fn);
    jx_kernel_fn fn = atomic_load(&k->fn);
    *quick = atomic_load(&k->quick);
    return fn;
}

void jx_cache_quick_ran(jx_kernel *k, int64_t units, int64_t ns, bool interp)
{
    atomic_fetch_add(&k->quick_spent, ns);
    jx_tier_learn_run(units, ns, interp);
}

/* jx_cache_get, and for a unit (jx_cache_unit) its own key and code. */
static jx_kernel *get(const jx_ir *ir, const char *layout, unsigned flags, bool unit,
                      jx_error *err)
{
    pthread_once(&fork_once, fork_handlers);
    char *key = make_key(ir, layout, unit ? "#unit" : "");
    if (key == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return NULL;
    }
    uint64_t hash = jx_hash_bytes(key, strlen(key), JX_HASH_SEED);
    bool use_cache = !(flags & JX_FLAG_NO_CACHE);

    if (use_cache) {
        pthread_mutex_lock(&cache.lock);
        jx_kernel *k = lookup(key, hash);
        if (k) {
            k->refs++;
            cache.hits++;
            lru_unlink(k);
            lru_push(k);
            pthread_mutex_unlock(&cache.lock);
            free(key);
            return k;
        }
        pthread_mutex_unlock(&cache.lock);
    }

    /* Compile outside the lock: compiles run in parallel. */
    jx_kernel *k = calloc(1, sizeof *k);
    if (k == NULL) {
        free(key);
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return NULL;
    }
    bool compiled;
    if (obtain(ir, layout, key, use_cache, unit, k, &compiled, err) < 0) {
        free(key);
        free(k);
        return NULL;
    }
    k->key = key;
    k->hash = hash;
    k->refs = 1;

    pthread_mutex_lock(&cache.lock);
    bool quick = atomic_load(&k->quick);
    bool interpreted = k->interp != NULL;
    cache.compiled += compiled;
    if (!use_cache) {
        pthread_mutex_unlock(&cache.lock);
        return k;
    }
    jx_kernel *other = lookup(key, hash);
    if (other) { /* another thread compiled it meanwhile: use theirs */
        other->refs++;
        pthread_mutex_unlock(&cache.lock);
        free_kernel(k);
        return other;
    }
    jx_kernel *dead = NULL;
    if (cache.entries >= JX_CACHE_MAX_ENTRIES) {
        jx_kernel *old = cache.oldest;
        if (evict(old))
            dead = old;
    }
    cache.quick += quick && compiled; /* once kept (a racing copy is freed) */
    cache.interpreted += interpreted;
    k->refs++; /* the cache's reference */
    k->cached = true;
    k->chain = cache.buckets[hash & (NBUCKETS - 1)];
    cache.buckets[hash & (NBUCKETS - 1)] = k;
    lru_push(k);
    cache.entries++;
    pthread_mutex_unlock(&cache.lock);
    if (dead)
        free_kernel(dead);
    return k;
}

jx_kernel *jx_cache_get(const jx_ir *ir, const char *layout, unsigned flags,
                        jx_error *err)
{
    return get(ir, layout, flags, false, err);
}

jx_kernel *jx_cache_unit(const jx_ir *ir, int32_t i, bool use_disk)
{
    jx_ir *u = jx_ir_unit(ir, i);
    if (u == NULL)
        return NULL;
    jx_error err;
    jx_kernel *k = get(u, u->ninputs == 1 ? "CC:n" : "CCC:n",
                       use_disk ? 0 : JX_FLAG_NO_CACHE, true, &err);
    jx_ir_free(u);
    return k;
}

void jx_cache_release(jx_kernel *k)
{
    if (k == NULL)
        return;
    pthread_mutex_lock(&cache.lock);
    bool last = --k->refs == 0;
    pthread_mutex_unlock(&cache.lock);
    if (last)
        free_kernel(k);
}

void jx_cache_stats(jx_stats *st)
{
    pthread_mutex_lock(&cache.lock);
    st->kernels_compiled = cache.compiled;
    st->cache_hits = cache.hits;
    st->cache_entries = cache.entries;
    st->kernels_quick = cache.quick;
    st->kernels_upgraded = cache.upgraded;
    st->kernels_interpreted = cache.interpreted;
    pthread_mutex_unlock(&cache.lock);
    jx_disk_stats(st);
    jx_cstore_stats(st);
}

int jx_set_tier(const char *mode)
{
    int m = mode == NULL ? JX_TIER_AUTO : jx_tier_mode_parse(mode);
    if (m < 0)
        return -1;
    jx_tier_mode_set((jx_tier_mode)m);
    return 0;
}

const char *jx_get_tier(void) { return jx_tier_mode_name(jx_tier_mode_get()); }

long jx_clear_cache(void)
{
    jx_kernel *dead = NULL; /* freed outside the lock, chained by `chain` */
    pthread_mutex_lock(&cache.lock);
    while (cache.oldest != NULL) {
        jx_kernel *k = cache.oldest;
        if (evict(k)) {
            k->chain = dead;
            dead = k;
        }
    }
    pthread_mutex_unlock(&cache.lock);
    while (dead != NULL) {
        jx_kernel *next = dead->chain;
        free_kernel(dead);
        dead = next;
    }
    return jx_disk_clear();
}

void jx_cache_ways(uint64_t chosen[JX_ADAPT_WAYS], uint64_t *kernels)
{
    memset(chosen, 0, sizeof(uint64_t) * JX_ADAPT_WAYS);
    *kernels = 0;
    pthread_mutex_lock(&cache.lock);
    for (jx_kernel *k = cache.newest; k != NULL; k = k->older) {
        bool timed = false;
        for (int c = 0; c < JX_ADAPT_CLASSES; c++) {
            int measured;
            int best = jx_adapt_fastest(&k->adapt, c, (1u << JX_ADAPT_WAYS) - 1, -1,
                                        NULL, &measured);
            if (measured >= 2) {
                chosen[best]++;
                timed = true;
            }
        }
        *kernels += timed;
    }
    pthread_mutex_unlock(&cache.lock);
}
