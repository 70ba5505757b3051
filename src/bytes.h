/* bytes.h - byte string values (NumPy dtype 'S'): comparison and search.
 *
 * A value is `n` bytes; trailing NUL bytes are padding, not part of it, as
 * NumPy reads an 'S' array: b'ab' == b'ab\0'.  Kernels call these
 * functions once per element (jit/engine.c defines them in the JIT as
 * absolute symbols), and the type pass folds constants with them, so a
 * folded comparison and a computed one cannot differ. */
#ifndef JX_BYTES_H
#define JX_BYTES_H

#include <stdint.h>

#include "util.h"

/* -1, 0 or 1 as a is less than, equal to or greater than b: bytewise,
 * unsigned, a shorter value that is a prefix of the longer one less (as
 * NumPy compares; numexpr 2.8 compares bytes as signed char). */
JX_INTERNAL int jx_bytes_cmp(const char *a, int64_t na, const char *b,
                             int64_t nb);
/* 1 when sub occurs in s, else 0, as numexpr's contains(): each value
 * ends at its first NUL byte (C strings), and an empty sub occurs in
 * every s. */
JX_INTERNAL int jx_bytes_contains(const char *s, int64_t ns, const char *sub,
                                  int64_t nsub);

/* Appends n bytes s to b as a literal the parser reads back: "ab\x00",
 * printable ASCII as is (but \\ and \"), other bytes as \xHH.  Used in
 * the IR's canonical text and in dumps. */
JX_INTERNAL void jx_bytes_print(jx_buf *b, const char *s, int64_t n);

#endif
