/* util.c - arena, error setting, text buffers, hashing. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JX_ARENA_BLOCK 8192

struct jx_arena_block {
    jx_arena_block *prev; /* older block */
    size_t used;          /* bytes handed out from data */
    size_t size;          /* bytes in data */
    _Alignas(16) unsigned char data[];
};

void jx_arena_init(jx_arena *a) { a->head = NULL; }

void *jx_arena_alloc(jx_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    jx_arena_block *b = a->head;
    if (b == NULL || b->size - b->used < size) {
        size_t cap = size > JX_ARENA_BLOCK ? size : JX_ARENA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (b == NULL)
            return NULL;
        b->prev = a->head;
        b->used = 0;
        b->size = cap;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *jx_arena_strndup(jx_arena *a, const char *s, size_t n)
{
    char *p = jx_arena_alloc(a, n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void jx_arena_free(jx_arena *a)
{
    jx_arena_block *b = a->head;
    while (b != NULL) {
        jx_arena_block *prev = b->prev;
        free(b);
        b = prev;
    }
    a->head = NULL;
}

void jx_err_set(jx_error *err, jx_code code, int64_t offset, int64_t length,
                const char *fmt, ...)
{
    if (err == NULL)
        return;
    err->code = code;
    err->offset = offset;
    err->length = length;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void jx_err_clear(jx_error *err)
{
    if (err == NULL)
        return;
    err->code = JX_OK;
    err->offset = -1;
    err->length = 0;
    err->message[0] = '\0';
}

void jx_buf_append(jx_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void jx_buf_printf(jx_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        jx_buf_append(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (big == NULL) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    jx_buf_append(b, big, (size_t)n);
    free(big);
}

char *jx_buf_take(jx_buf *b)
{
    char *s = b->failed ? NULL : b->s;
    if (b->failed)
        free(b->s);
    if (s == NULL && !b->failed)
        s = calloc(1, 1);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
    return s;
}

uint64_t jx_hash_bytes(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}
