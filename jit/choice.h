/* choice.h - between choice.c and engine.c: which implementation of a
 * math function kernels use, where vmath.c has a kernel and the vector
 * library a function too, decided once per process. */
#ifndef JX_CHOICE_H
#define JX_CHOICE_H

#include <stdbool.h>
#include <stdint.h>

#include "calib.h"
#include "jit.h"

/* Times fn at precision f32, ours and the library's (calib.c through the
 * engine's compiler): ns as jx_cal_measure sets them.  Returns 0 or -1. */
typedef int (*jx_choice_measure_fn)(const char *fn, bool f32,
                                    double ns[JX_CAL_NS]);

/* Reads JITEXPR_MATHLIB (once, from engine.c's first stage). */
JX_INTERNAL void jx_choice_init(void);
/* The lock of the choices, for engine.c's fork handlers. */
JX_INTERNAL void jx_choice_lock(void);
JX_INTERNAL void jx_choice_unlock(void);

/* Whether kernels compute fn (a libm name, jx_cal_libm_op) at precision
 * f32 with the library's function: decided on first use, by
 * JITEXPR_MATHLIB or by measure (a failed measurement keeps ours). */
JX_INTERNAL bool jx_choice_use_lib(const char *fn, bool f32,
                                   jx_choice_measure_fn measure);

/* jx_jit_adopt_choices, jx_jit_adopt_stored, jx_jit_export_choices,
 * jx_jit_choice_counts (jit.h), once the engine's first stage ran. */
JX_INTERNAL int jx_choice_adopt(const char *text);
JX_INTERNAL int jx_choice_adopt_stored(const char *text);
JX_INTERNAL void jx_choice_export(jx_buf *b);
JX_INTERNAL void jx_choice_counts(uint64_t *measured, uint64_t *stored);

/* Appends one line per decided choice to b (jx_jit_describe). */
JX_INTERNAL void jx_choice_describe(jx_buf *b);

#endif
