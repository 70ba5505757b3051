/* dtype.h - facts about each element type, and NumPy's promotion rules. */
#ifndef JX_DTYPE_H
#define JX_DTYPE_H

#include <stdbool.h>

#include "util.h"

/* Kinds, as a bit mask so that an op can list the kinds it accepts. */
typedef enum jx_kind {
    JX_KIND_BOOL = 1,
    JX_KIND_INT = 2,     /* signed integer */
    JX_KIND_UINT = 4,    /* unsigned integer */
    JX_KIND_FLOAT = 8,
    JX_KIND_COMPLEX = 16,
    JX_KIND_BYTES = 32   /* byte strings: compared, searched, never
                            converted to or from a number */
} jx_kind;

#define JX_KINDS_INTEGER (JX_KIND_INT | JX_KIND_UINT)
#define JX_KINDS_REAL (JX_KIND_INT | JX_KIND_UINT | JX_KIND_FLOAT)
#define JX_KINDS_NUMBER (JX_KINDS_REAL | JX_KIND_COMPLEX)
#define JX_KINDS_ALL (JX_KIND_BOOL | JX_KINDS_NUMBER) /* bytes not included */

typedef struct jx_dtype_info {
    const char *name;  /* NumPy's name: "float64" */
    const char *abbr;  /* short name in IR text: "f64" */
    unsigned size;     /* bytes; 0 for JX_BYTES (per variable) */
    jx_kind kind;      /* one kind bit */
    char npy_char;     /* NumPy's type character: 'd' */
    bool supported;    /* the code generator implements it */
} jx_dtype_info;

JX_INTERNAL const jx_dtype_info *jx_dtype_get(jx_dtype t);
JX_INTERNAL jx_kind jx_dtype_kind(jx_dtype t);
/* The float type NumPy's float functions (sqrt, sin) return for t:
 * bool/int8/uint8 -> float16, int16/uint16 -> float32, wider -> float64,
 * floats and complex unchanged. */
JX_INTERNAL jx_dtype jx_dtype_to_float(jx_dtype t);
/* The complex type whose parts are float f: float64 -> complex128, float32
 * (and float16) -> complex64. */
JX_INTERNAL jx_dtype jx_dtype_complex_of(jx_dtype f);
/* The type of each part of complex t (complex64 -> float32); t itself when
 * it is not complex. */
JX_INTERNAL jx_dtype jx_dtype_part(jx_dtype t);
/* np.result_type of n >= 1 dtypes (not a left fold of the pairs:
 * int8, uint16 and float16 give float32); JX_DTYPE_INVALID for a byte
 * string among numbers. */
JX_INTERNAL jx_dtype jx_dtype_promote_n(const jx_dtype *ts, int n);
/* Whether integer type t holds the value v. */
JX_INTERNAL bool jx_dtype_holds(jx_dtype t, int64_t v);
/* The smallest signed integer type of at least `bytes` bytes. */
JX_INTERNAL jx_dtype jx_dtype_int_of_size(unsigned bytes);

#endif
