/*
 * npy.h - reading and writing NumPy .npy files, for the jitexpr CLI.
 *
 * Self-contained: uses the jx_array / jx_dtype types of the public header
 * but calls nothing in the library, so it can be built and tested alone.
 *
 * Read: format versions 1.0, 2.0 and 3.0; dtypes bool, int8..int64,
 * uint8..uint64, float16/32/64, complex64/128, either byte order
 * (big-endian data is swapped on load), and byte strings 'S<n>' (n >= 1,
 * any byte order mark: '|S3', '<S3', '>S3', '=S3'; JX_BYTES, the bytes
 * read as they are); C or Fortran order; 0-d and zero-size arrays.
 * Anything else (unicode 'U', object, structured, datetime, ...) is
 * rejected with a message naming the descr.
 *
 * Write: version 1.0 (2.0 when the header would not fit), little-endian,
 * C order, the header padded so the data starts at a multiple of 64.
 * Numbers and bools only: a JX_BYTES array is refused.
 *
 * Errors are data: each function returns JX_NPY_OK or a JX_NPY_E* code and
 * writes a one-line message (no trailing newline) into msg[0..msgsize-1].
 * Nothing here prints or exits.
 */
#ifndef JX_NPY_H
#define JX_NPY_H

#include <stddef.h>

#include "jitexpr.h"

/* Return codes. */
typedef enum jx_npy_code {
    JX_NPY_OK = 0,
    JX_NPY_EIO,          /* open, read, write or close failed (errno's text) */
    JX_NPY_EFORMAT,      /* not a valid .npy file: magic, header, size */
    JX_NPY_EUNSUPPORTED, /* valid .npy, but a dtype/layout we do not handle */
    JX_NPY_ENOMEM,       /* out of memory */
    JX_NPY_EARG          /* a bad argument (an invalid jx_array to save) */
} jx_npy_code;

/* Headers longer than this are refused (NumPy's own default limit). */
#define JX_NPY_MAX_HEADER 10000

/* Alignment of the data buffer jx_npy_load allocates. */
#define JX_NPY_ALIGN 64

/* Loads path into *arr.  On success arr->data is a JX_NPY_ALIGN-aligned
 * buffer (never NULL, even for zero-size arrays) owned by the caller, to
 * be released with jx_npy_free; the strides describe the file's order
 * (C or Fortran).  *itemsize gets the bytes per element: n for a byte
 * string file 'S<n>' (arr->dtype JX_BYTES; jx_array has no room for it,
 * and jx_compile wants it in jx_var.itemsize), the dtype's size for the
 * others.  itemsize may be NULL.  On failure *arr is zeroed (data NULL)
 * and *itemsize is 0. */
int jx_npy_load(const char *path, jx_array *arr, size_t *itemsize, char *msg,
                size_t msgsize);

/* Releases what jx_npy_load allocated (arr->data) and zeroes arr->data. */
void jx_npy_free(jx_array *arr);

/* Writes arr (any strides, including negative and zero) to path in C
 * order.  A partly written file is removed on failure. */
int jx_npy_save(const char *path, const jx_array *arr, char *msg,
                size_t msgsize);

/* The little-endian descr of a dtype ("<f8", "|b1"), or NULL (for an
 * invalid dtype, and for JX_BYTES, whose descr depends on the itemsize). */
const char *jx_npy_descr(jx_dtype t);

/* Element size in bytes of a dtype, or 0 when invalid or JX_BYTES (same
 * values as the library's jx_dtype_size, kept here so npy.c stands
 * alone). */
size_t jx_npy_itemsize(jx_dtype t);

/* The n of a byte-string dtype S<n> from its text `digits`: JX_NPY_OK
 * with *n in 1 .. INT32_MAX; JX_NPY_EFORMAT when digits is empty or not
 * all decimal digits ("3x", "+3"); JX_NPY_EUNSUPPORTED when n is 0 or
 * larger than INT32_MAX (*n: the value, SIZE_MAX past the range of an
 * unsigned long long). */
int jx_npy_bytes_size(const char *digits, size_t *n);

#endif /* JX_NPY_H */
