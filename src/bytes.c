/* bytes.c - byte string values: comparison and search.  See bytes.h. */
#define _GNU_SOURCE /* memmem */
#include "bytes.h"

#include <string.h>

/* Whether p[0..n-1] are all NUL bytes. */
static int all_nul(const char *p, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (p[i] != '\0')
            return 0;
    return 1;
}

int jx_bytes_cmp(const char *a, int64_t na, const char *b, int64_t nb)
{
    int64_t n = na < nb ? na : nb;
    int r = n > 0 ? memcmp(a, b, (size_t)n) : 0; /* memcmp is unsigned */
    if (r != 0)
        return r < 0 ? -1 : 1;
    /* Equal over the common length: the longer one is greater unless its
     * rest is padding.  (Comparing with NULs appended to the shorter one
     * gives the same order as stripping trailing NULs from both.) */
    if (na > nb)
        return all_nul(a + n, na - n) ? 0 : 1;
    if (nb > na)
        return all_nul(b + n, nb - n) ? 0 : -1;
    return 0;
}

int jx_bytes_contains(const char *s, int64_t ns, const char *sub, int64_t nsub)
{
    size_t ls = strnlen(s, (size_t)ns), lsub = strnlen(sub, (size_t)nsub);
    if (lsub == 0)
        return 1;
    return memmem(s, ls, sub, lsub) != NULL;
}

void jx_bytes_print(jx_buf *b, const char *s, int64_t n)
{
    jx_buf_append(b, "\"", 1);
    for (int64_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '"')
            jx_buf_printf(b, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            jx_buf_append(b, (const char *)&c, 1);
        else
            jx_buf_printf(b, "\\x%02x", c);
    }
    jx_buf_append(b, "\"", 1);
}
