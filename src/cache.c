/* cache.c - the in-memory kernel cache.  See cache.h. */
#include "cache.h"
#include "choicestore.h"
#include "diskcache.h"

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
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static char *make_key(const jx_ir *ir, const char *layout)
{
    size_t a = strlen(ir->text), b = strlen(layout);
    char *key = malloc(a + b + 2);
    if (key == NULL)
        return NULL;
    memcpy(key, ir->text, a);
    key[a] = '#';
    memcpy(key + a + 1, layout, b + 1);
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

static void free_kernel(jx_kernel *k)
{
    jx_jit_release(&k->code);
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

/* The code for key: from the disk cache, or compiled (and stored there);
 * with use_disk false compiled only.  *compiled: LLVM compiled it. */
static int obtain(const jx_ir *ir, const char *layout, const char *key,
                  bool use_disk, jx_jit_code *code, bool *compiled,
                  jx_error *err)
{
    *compiled = false;
    if (use_disk && jx_disk_load(key, code) == 1)
        return 0;
    *compiled = true;
    if (use_disk) /* an earlier process's math choices: no timing them */
        jx_cstore_before_compile();
    jx_jit_object obj;
    int emitted = jx_jit_emit(ir, layout, &obj, err);
    if (use_disk) /* what this compilation measured, for later processes */
        jx_cstore_after_compile();
    if (emitted != 0)
        return -1;
    if (use_disk)
        jx_disk_store(key, &obj); /* nothing when the disk cache is off */
    int rc = jx_jit_load(obj.data, obj.size, code, err);
    jx_jit_object_free(&obj);
    return rc;
}

jx_kernel *jx_cache_get(const jx_ir *ir, const char *layout, unsigned flags,
                        jx_error *err)
{
    char *key = make_key(ir, layout);
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
    if (obtain(ir, layout, key, use_cache, &k->code, &compiled, err) < 0) {
        free(key);
        free(k);
        return NULL;
    }
    k->fn = k->code.fn;
    k->key = key;
    k->hash = hash;
    k->refs = 1;

    pthread_mutex_lock(&cache.lock);
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
    pthread_mutex_unlock(&cache.lock);
    jx_disk_stats(st);
    jx_cstore_stats(st);
}

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
