/* utf8.c - UTF-8 decoding, identifier classes and NFKC, for names.
 *
 * The Unicode data comes from utf8proc (its Unicode version: 15.0 in
 * utf8proc 2.8).  utf8proc has the general category and the
 * decompositions but not the derived identifier properties, so they are
 * derived here as UAX #31 defines them:
 *
 *   ID_Start     = Lu Ll Lt Lm Lo Nl + Other_ID_Start - Pattern_Syntax
 *   ID_Continue  = ID_Start + Mn Mc Nd Pc + Other_ID_Continue
 *                  - Pattern_Syntax
 *   XID_Start    = the ID_Start characters whose NFKC form is still an
 *                  ID_Start character followed by ID_Continue ones
 *   XID_Continue = the ID_Continue characters whose NFKC form is all
 *                  ID_Continue characters
 *
 * (The XID properties are ID_* made closed under NFKC, which is what
 * removes U+037A, U+0E33 from the starts, the Arabic presentation forms
 * with a space in their decomposition, and so on.)  tests/python's
 * isidentifier sweep compares this with Python's own tables. */
#include "utf8.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int jx_utf8_decode(const char *s, int64_t len, int32_t *cp)
{
    if (len < 1)
        return 0;
    if (len > 4)
        len = 4;
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                          (utf8proc_ssize_t)len, &c);
    if (n < 1 || c < 0)
        return 0;
    *cp = c;
    return (int)n;
}

/* Other_ID_Start and Other_ID_Continue (PropList.txt, Unicode 15.0): kept
 * for compatibility, outside the categories. */
static bool other_id_start(int32_t c)
{
    return c == 0x1885 || c == 0x1886 || c == 0x2118 || c == 0x212E ||
           c == 0x309B || c == 0x309C;
}

static bool other_id_continue(int32_t c)
{
    return c == 0x00B7 || c == 0x0387 || (c >= 0x1369 && c <= 0x1371) ||
           c == 0x19DA;
}

/* The one Pattern_Syntax character in the letter categories (Lm). */
static bool pattern_syntax_letter(int32_t c) { return c == 0x2E2F; }

static bool id_start(int32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_NL:
        return !pattern_syntax_letter(c);
    default:
        return other_id_start(c);
    }
}

static bool id_continue(int32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || id_start(c);
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_PC:
        return true;
    default:
        return id_start(c) || other_id_continue(c);
    }
}

/* The compatibility decomposition of c (NFKD of one character): at most
 * 18 code points in Unicode 15 (U+FDFA).  Returns the count, or -1. */
static int nfkd_char(int32_t c, int32_t out[32])
{
    int boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(
        c, out, 32, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, &boundclass);
    return n < 0 || n > 32 ? -1 : (int)n;
}

bool jx_utf8_id_start(int32_t c)
{
    if (c < 0x80)
        return id_start(c);
    if (!id_start(c))
        return false;
    int32_t d[32];
    int n = nfkd_char(c, d);
    if (n < 1 || !id_start(d[0]))
        return false;
    for (int i = 1; i < n; i++)
        if (!id_continue(d[i]))
            return false;
    return true;
}

bool jx_utf8_id_continue(int32_t c)
{
    if (c < 0x80)
        return id_continue(c);
    if (!id_continue(c))
        return false;
    int32_t d[32];
    int n = nfkd_char(c, d);
    if (n < 1)
        return false;
    for (int i = 0; i < n; i++)
        if (!id_continue(d[i]))
            return false;
    return true;
}

bool jx_utf8_is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* NFKC through utf8proc: malloc'd, or NULL (*bad set when s is not
 * UTF-8 rather than memory short). */
static char *nfkc_malloc(const char *s, size_t n, size_t *outlen, bool *bad)
{
    utf8proc_uint8_t *dst = NULL;
    *bad = false;
    utf8proc_ssize_t m = utf8proc_map(
        (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &dst,
        UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    if (m < 0) {
        *bad = m != UTF8PROC_ERROR_NOMEM;
        return NULL;
    }
    *outlen = (size_t)m;
    return (char *)dst;
}

int jx_utf8_nfkc(jx_arena *a, const char *s, size_t n, const char **out,
                 size_t *outlen, jx_error *err)
{
    if (jx_utf8_is_ascii(s, n)) {
        *out = s;
        *outlen = n;
        return 0;
    }
    bool bad;
    size_t m;
    char *t = nfkc_malloc(s, n, &m, &bad);
    if (t == NULL) {
        if (bad)
            jx_err_set(err, JX_ERR_ARG, -1, 0, "a name is not UTF-8 text");
        else
            jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    if (m == n && memcmp(t, s, n) == 0) {
        *out = s;
        *outlen = n;
    } else {
        char *c = jx_arena_strndup(a, t, m);
        if (c == NULL) {
            free(t);
            jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
            return -1;
        }
        *out = c;
        *outlen = m;
    }
    free(t);
    return 0;
}

char *jx_utf8_nfkc_dup(const char *s, size_t n)
{
    if (jx_utf8_is_ascii(s, n)) {
        char *c = malloc(n + 1);
        if (c != NULL) {
            memcpy(c, s, n);
            c[n] = '\0';
        }
        return c;
    }
    bool bad;
    size_t m;
    return nfkc_malloc(s, n, &m, &bad);
}
