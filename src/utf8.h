/* utf8.h - UTF-8 decoding, identifier classes and NFKC, for names. */
#ifndef JX_UTF8_H
#define JX_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Decodes the character at s[0..len-1] into *cp.  Returns its length in
 * bytes (1-4), or 0 when s does not start with a well-formed UTF-8
 * sequence (a stray continuation byte, a truncated sequence, an overlong
 * form, a surrogate, a value past U+10FFFF) or len < 1. */
JX_INTERNAL int jx_utf8_decode(const char *s, int64_t len, int32_t *cp);

/* Python's identifier classes (PEP 3131): XID_Start (a name's first
 * character, '_' included) and XID_Continue (the characters after it). */
JX_INTERNAL bool jx_utf8_id_start(int32_t cp);
JX_INTERNAL bool jx_utf8_id_continue(int32_t cp);

/* True when s[0..n-1] is plain ASCII (its NFKC form is itself). */
JX_INTERNAL bool jx_utf8_is_ascii(const char *s, size_t n);

/* The NFKC form of the UTF-8 text s[0..n-1]: *out is s itself when the
 * form is the same bytes, a copy in arena a otherwise (NUL-terminated);
 * *outlen its length.  Returns 0, or -1 with *err set (JX_ERR_NOMEM;
 * JX_ERR_ARG for text that is not UTF-8). */
JX_INTERNAL int jx_utf8_nfkc(jx_arena *a, const char *s, size_t n,
                             const char **out, size_t *outlen, jx_error *err);

/* The same into malloc'd memory (NUL-terminated), or NULL. */
JX_INTERNAL char *jx_utf8_nfkc_dup(const char *s, size_t n);

#endif
