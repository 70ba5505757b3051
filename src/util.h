/* util.h - arena memory for one compilation, and the one place errors are set. */
#ifndef JX_UTIL_H
#define JX_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "jitexpr.h"

/* Hidden from the shared library's symbol table. */
#define JX_INTERNAL __attribute__((visibility("hidden")))

typedef struct jx_arena_block jx_arena_block;

/* A bump allocator: everything a compilation allocates is freed at once. */
typedef struct jx_arena {
    jx_arena_block *head; /* newest block, linked to older ones */
} jx_arena;

JX_INTERNAL void jx_arena_init(jx_arena *a);
/* Zeroed, 16-byte aligned memory, or NULL when out of memory. */
JX_INTERNAL void *jx_arena_alloc(jx_arena *a, size_t size);
JX_INTERNAL char *jx_arena_strndup(jx_arena *a, const char *s, size_t n);
JX_INTERNAL void jx_arena_free(jx_arena *a);

/* Sets *err (when err is not NULL): code, source span, printf message. */
JX_INTERNAL void jx_err_set(jx_error *err, jx_code code, int64_t offset,
                            int64_t length, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
JX_INTERNAL void jx_err_clear(jx_error *err);

/* A growable text buffer (malloc'd); on allocation failure it records the
 * failure and further appends do nothing. */
typedef struct jx_buf {
    char *s;    /* NUL-terminated text, or NULL before the first append */
    size_t len; /* bytes used, without the NUL */
    size_t cap; /* bytes allocated */
    int failed; /* an allocation failed */
} jx_buf;

JX_INTERNAL void jx_buf_printf(jx_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
JX_INTERNAL void jx_buf_append(jx_buf *b, const char *s, size_t n);
/* Hands the text over (NULL if an allocation failed) and resets b. */
JX_INTERNAL char *jx_buf_take(jx_buf *b);

/* FNV-1a, 64-bit. */
JX_INTERNAL uint64_t jx_hash_bytes(const void *p, size_t n, uint64_t h);
#define JX_HASH_SEED 0xcbf29ce484222325ull

#endif
