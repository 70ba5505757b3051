/*
 * resultbuf.c - reuse of the large result buffers of evaluate().
 *
 * evaluate() without out= allocates its result, and a large block comes
 * back from the system as fresh pages: glibc maps anything above 32 MiB
 * anew on each malloc and unmaps it on free, and the kernel zeroes every
 * page at its first touch.  For 1e7 doubles that is about 8 ms on the
 * 2-core test machine, as long as computing arctan2 of them takes, and
 * NumPy's ufuncs pay it too.  A program that evaluates in a loop and drops
 * the previous result pays it on every call.
 *
 * Only those blocks: below glibc's largest mmap threshold malloc serves a
 * block of the size just freed from its heap again, resident and, if it
 * was freed a moment ago (by NumPy, numexpr or us), still in the CPU's
 * caches.  A cache of our own at those sizes lost that: it handed back its
 * block, last written by our previous result, while the block that NumPy
 * had just freed went to the next NumPy array.  floor(a) of float32 at
 * n = 1e6 (a 4 MB result) just after another engine's call took 170 us
 * against 126 us from malloc (NumPy: 163 against 118 us, as its malloc no
 * longer got our freed block); in bench/optable.py, with numexpr's calls
 * between, such rows ran 1.15-1.30x NumPy's time, 1.02-1.12x with the
 * cache off.  Below JXPY_RB_MIN neither malloc nor the cache faulted
 * pages in a loop, from the main thread or another (4 to 30 MiB).
 *
 * So the data of a result of at least JXPY_RB_MIN bytes is allocated
 * through a NumPy memory handler (PyDataMem_SetHandler, NumPy >= 1.22),
 * set only around that one allocation.  The array owns its data as any
 * other (flags.owndata) and NumPy frees it through the handler, whose
 * free keeps the block, up to a limit on the bytes kept (default
 * JXPY_RB_DEFAULT, JITEXPR_RESULT_CACHE in bytes, set_result_cache();
 * 0: nothing is kept), the oldest given up first.  The next large result
 * takes the smallest kept block that holds it and is at most twice its
 * size.
 *
 * A kept block stays resident: nothing is given back to the kernel while
 * the cache holds it, and the limit bounds what it holds.  An earlier
 * version marked kept blocks MADV_FREE so that the kernel could take their
 * pages under memory pressure; on a host whose kernel reclaims such pages
 * proactively (DAMON's kdamond, Linux 6.18, Zen 5) it took them within
 * milliseconds, and every reuse faulted all the pages in again: a + b at
 * n = 1e6 cost 2.4 ms against NumPy's 0.36 (0.41 without the cache).
 * Kept pages cannot lose that way; tests/python/test_api_cache.py pages a
 * kept block out (MADV_PAGEOUT) and checks that it stays resident.  Blocks
 * come from malloc, as NumPy's own handler's do, with the same
 * MADV_HUGEPAGE advice from 4 MiB, so calloc, realloc (ndarray.resize) and
 * free of a block never kept are glibc's.
 *
 * State: one cache per process, under rb.lock (the handler is called
 * from whatever thread frees an array); fork() takes the lock first, so
 * the child's copy is consistent.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL jxpy_ARRAY_API
#define NO_IMPORT_ARRAY
#include <numpy/arrayobject.h>

#include "resultbuf.h"

#define RB_SLOTS 8                      /* most blocks kept */
#define RB_HUGE ((size_t)4 << 20)       /* MADV_HUGEPAGE from here (NumPy's) */
#define RB_PAGE ((uintptr_t)4096)

#if defined(NPY_1_22_API_VERSION) && NPY_FEATURE_VERSION >= NPY_1_22_API_VERSION
#define RB_HANDLER 1
#else
#define RB_HANDLER 0 /* NumPy's headers predate handlers: nothing is kept */
#endif

typedef struct rb_block {
    void *p;
    size_t size; /* malloc_usable_size(p) */
} rb_block;

static struct {
    pthread_mutex_t lock;
    int configured;             /* limit read from the environment */
    size_t limit;               /* most bytes kept */
    rb_block kept[RB_SLOTS];    /* oldest first */
    int n;
    size_t bytes;               /* sum of kept[].size */
    unsigned long long hits, misses;
} rb = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The pages wholly inside [p, p + size): what madvise may touch without
 * reaching malloc's chunk headers. */
static void rb_advise(void *p, size_t size, int advice)
{
    uintptr_t lo = ((uintptr_t)p + RB_PAGE - 1) & ~(RB_PAGE - 1);
    uintptr_t hi = ((uintptr_t)p + size) & ~(RB_PAGE - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, advice); /* advice only */
}

/* Drops the oldest blocks until `need` more bytes and `slots` more blocks
 * fit; the dropped ones go to out[] (freed by the caller, outside the
 * lock).  Lock held. */
static int rb_evict(size_t need, int slots, void **out)
{
    int drop = 0;
    while (rb.n > 0 && (rb.bytes + need > rb.limit || rb.n + slots > RB_SLOTS)) {
        out[drop++] = rb.kept[0].p;
        rb.bytes -= rb.kept[0].size;
        rb.n--;
        memmove(rb.kept, rb.kept + 1, rb.n * sizeof rb.kept[0]);
    }
    return drop;
}

static void rb_free_all(void **p, int n)
{
    for (int i = 0; i < n; i++)
        free(p[i]);
}

#if RB_HANDLER
static void *rb_malloc(void *ctx, size_t size)
{
    (void)ctx;
    if (size >= JXPY_RB_MIN) {
        pthread_mutex_lock(&rb.lock);
        int best = -1;
        for (int i = 0; i < rb.n; i++)
            if (rb.kept[i].size >= size && rb.kept[i].size / 2 <= size &&
                (best < 0 || rb.kept[i].size < rb.kept[best].size))
                best = i;
        void *p = NULL;
        if (best >= 0) {
            p = rb.kept[best].p;
            rb.bytes -= rb.kept[best].size;
            memmove(rb.kept + best, rb.kept + best + 1,
                    (--rb.n - best) * sizeof rb.kept[0]);
            rb.hits++;
        } else {
            rb.misses++;
        }
        pthread_mutex_unlock(&rb.lock);
        if (p != NULL)
            return p;
    }
    void *p = malloc(size);
    if (p != NULL && size >= RB_HUGE)
        rb_advise(p, size, MADV_HUGEPAGE);
    return p;
}

static void *rb_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    return calloc(nelem, elsize);
}

static void *rb_realloc(void *ctx, void *p, size_t size)
{
    (void)ctx;
    return realloc(p, size);
}

static void rb_free(void *ctx, void *p, size_t nbytes)
{
    (void)ctx, (void)nbytes; /* nbytes is the array's, size the block's */
    if (p == NULL)
        return;
    size_t size = malloc_usable_size(p);
    void *drop[RB_SLOTS + 1];
    int ndrop = 0;
    if (size >= JXPY_RB_MIN) {
        pthread_mutex_lock(&rb.lock);
        if (size <= rb.limit) {
            ndrop = rb_evict(size, 1, drop);
            rb.kept[rb.n++] = (rb_block){p, size};
            rb.bytes += size;
            p = NULL;
        }
        pthread_mutex_unlock(&rb.lock);
    }
    if (p != NULL)
        drop[ndrop++] = p;
    rb_free_all(drop, ndrop);
}

static PyDataMem_Handler rb_handler = {
    "jitexpr_result_cache",
    1,
    {NULL, rb_malloc, rb_calloc, rb_realloc, rb_free},
};
#endif

static PyObject *rb_capsule; /* the handler, for the life of the process */

static void rb_prepare(void) { pthread_mutex_lock(&rb.lock); }
static void rb_release(void) { pthread_mutex_unlock(&rb.lock); }

/* JITEXPR_RESULT_CACHE: a byte count; anything else keeps the default. */
static size_t rb_env_limit(void)
{
    const char *s = getenv("JITEXPR_RESULT_CACHE");
    if (s == NULL || *s < '0' || *s > '9')
        return JXPY_RB_DEFAULT;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    return *end == '\0' && v <= SIZE_MAX ? (size_t)v : JXPY_RB_DEFAULT;
}

int jxpy_rb_init(void)
{
    pthread_mutex_lock(&rb.lock);
    int first = !rb.configured;
    if (first) {
        rb.limit = rb_env_limit();
        rb.configured = 1;
    }
    pthread_mutex_unlock(&rb.lock);
    if (!first)
        return 0; /* a second module object shares the process's cache */
    if (pthread_atfork(rb_prepare, rb_release, rb_release) != 0) {
        PyErr_SetString(PyExc_RuntimeError, "jitexpr: pthread_atfork failed");
        return -1;
    }
#if RB_HANDLER
    rb_capsule = PyCapsule_New(&rb_handler, "mem_handler", NULL);
    if (rb_capsule == NULL)
        return -1;
#endif
    return 0;
}

PyArrayObject *jxpy_rb_new(PyArray_Descr *descr, int ndim, npy_intp *shape,
                           npy_intp *strides)
{
    size_t nbytes = (size_t)descr->elsize;
    for (int k = 0; k < ndim; k++)
        if (shape[k] < 0 || __builtin_mul_overflow(nbytes, (size_t)shape[k], &nbytes))
            nbytes = 0; /* NumPy reports it */
    PyObject *old = NULL;
    if (rb_capsule != NULL && nbytes >= JXPY_RB_MIN) {
#if RB_HANDLER
        old = PyDataMem_SetHandler(rb_capsule);
        if (old == NULL) {
            Py_DECREF(descr);
            return NULL;
        }
#endif
    }
    PyArrayObject *a = (PyArrayObject *)PyArray_NewFromDescr(
        &PyArray_Type, descr, ndim, shape, strides, NULL, 0, NULL);
    if (old != NULL) {
#if RB_HANDLER
        PyObject *err_type, *err_value, *err_tb;
        PyErr_Fetch(&err_type, &err_value, &err_tb);
        PyObject *mine = PyDataMem_SetHandler(old);
        Py_DECREF(old);
        if (mine == NULL) { /* cannot happen once the first set worked */
            Py_XDECREF(a);
            Py_XDECREF(err_type), Py_XDECREF(err_value), Py_XDECREF(err_tb);
            return NULL;
        }
        Py_DECREF(mine);
        PyErr_Restore(err_type, err_value, err_tb);
#endif
    }
    return a;
}

size_t jxpy_rb_set_limit(size_t limit)
{
    void *drop[RB_SLOTS];
    pthread_mutex_lock(&rb.lock);
    size_t old = rb.limit;
    rb.limit = limit;
    int ndrop = rb_evict(0, 0, drop);
    pthread_mutex_unlock(&rb.lock);
    rb_free_all(drop, ndrop);
    return old;
}

jxpy_rb_stats jxpy_rb_get_stats(void)
{
    pthread_mutex_lock(&rb.lock);
    jxpy_rb_stats s = {rb.limit, JXPY_RB_MIN, (size_t)rb.n, rb.bytes, rb.hits, rb.misses};
    pthread_mutex_unlock(&rb.lock);
    return s;
}
