/* jit.h - the JIT: typed IR to a native kernel, through LLVM.
 *
 * A kernel evaluates the whole expression over one 1-D run of n elements:
 *     void kernel(int64_t n, char *const *ptrs, const int64_t *strides);
 * ptrs[0] and strides[0] are the output, ptrs[1 + i] and strides[1 + i]
 * input slot i; strides are in bytes.  The layout string (ir.h) says which
 * operands are contiguous, scalar or strided; the kernel may rely on it. */
#ifndef JX_JIT_H
#define JX_JIT_H

#include "../src/ir.h"

typedef void (*jx_kernel_fn)(int64_t n, char *const *ptrs,
                             const int64_t *strides);

/* A compiled kernel as the JIT hands it over. */
typedef struct jx_jit_code {
    jx_kernel_fn fn;  /* entry point */
    void *handle;     /* what jx_jit_release needs to free the code */
    bool mapped;      /* handle is objload.c's mapping, not ORC's
                         ResourceTracker */
} jx_jit_code;

/* A kernel's object file, as jx_jit_emit makes it: what the disk cache
 * stores.  The same bytes load in any process with the same target id. */
#define JX_JIT_CHOICES 256
typedef struct jx_jit_object {
    char *data;     /* the object file (malloc'd; jx_jit_object_free) */
    size_t size;    /* its bytes */
    char choices[JX_JIT_CHOICES]; /* the math implementations it calls,
                                     "log/64=lib;sin/32=own;" (may be "") */
    bool storable;  /* choices is complete: the object may be stored */
    bool quick;     /* the quick tier's code */
    bool same_bits; /* its code computes the same bits at every position
                       and at both tiers: it calls no library function
                       (jit/module.c; the quick tier's condition) */
} jx_jit_object;

/* How much work a compile does: the optimised kernel, or the quick tier
 * (a short pipeline and LLVM's fast code generator: about a fifth of the
 * time, several times slower code, the same results).  JX_JIT_QUICK gives
 * the quick tier only where its code computes the same values as the
 * optimised one (jit/module.c says which), else the optimised code;
 * jx_jit_object.quick says which it gave. */
typedef enum jx_jit_tier { JX_JIT_FULL, JX_JIT_QUICK } jx_jit_tier;

/* Compiles ir for layout to an object file.  Returns 0, or -1 with *err
 * set (as jx_jit_compile).  Safe to call from several threads at once. */
JX_INTERNAL int jx_jit_emit(const jx_ir *ir, const char *layout, jx_jit_tier tier,
                            jx_jit_object *out, jx_error *err);
JX_INTERNAL void jx_jit_object_free(jx_jit_object *o);
/* Links an object file from jx_jit_emit (of this or an earlier process
 * with the same jx_jit_target_id) and looks up its entry point; the same
 * bytes may be loaded any number of times.  objload.c's loader first (no
 * LLVM), ORC's LLJIT where it does not know the object or with
 * JITEXPR_OBJLOAD=no.  Returns 0, or -1 with *err set (JX_ERR_JIT: LLVM's
 * message). */
JX_INTERNAL int jx_jit_load(const void *data, size_t size, jx_jit_code *out,
                            jx_error *err);
/* jx_jit_load through ORC only (tests, comparisons). */
JX_INTERNAL int jx_jit_load_orc(const void *data, size_t size,
                                jx_jit_code *out, jx_error *err);
/* Whether a stored object's choices (jx_jit_object.choices) agree with
 * this process's: 0, and the process takes over those it has not made yet
 * (no measurement), or -1 when one differs or the text is unreadable. */
JX_INTERNAL int jx_jit_adopt_choices(const char *choices);

/* The choices this process decided, as text for the disk cache, one line
 * per function and precision decided by measuring (here or in an earlier
 * process) or taken from a stored kernel, none forced by JITEXPR_MATHLIB:
 * "log/64=lib 0.41 0.98\n" (ns/element of ours and of the library's) or
 * "log/64=own - -\n" (timings unknown).  Appended to b. */
JX_INTERNAL void jx_jit_export_choices(jx_buf *b);
/* Takes the undecided choices of a text from jx_jit_export_choices
 * (of an earlier process with the same jx_jit_target_id) without
 * measuring; decided and forced ones stay.  Returns how many it took, or
 * -1 when the text is malformed (then it takes none). */
JX_INTERNAL int jx_jit_adopt_stored(const char *text);
/* Measurements run in this process (two compilations each), and choices
 * taken by jx_jit_adopt_stored. */
JX_INTERNAL void jx_jit_choice_counts(uint64_t *measured, uint64_t *stored);

/* jx_jit_emit, then jx_jit_load.  Returns 0, or -1 with *err set (JX_ERR_JIT:
 * LLVM's message; JX_ERR_TYPE for an op/dtype the code generator lacks).
 * Safe to call from several threads at once. */
JX_INTERNAL int jx_jit_compile(const jx_ir *ir, const char *layout,
                               jx_jit_code *out, jx_error *err);
/* Frees the kernel's machine code; fn must no longer be running. */
JX_INTERNAL void jx_jit_release(jx_jit_code *code);

/* Text for explain: the optimised LLVM IR (JX_EXPLAIN_LLVM) and the
 * machine code (JX_EXPLAIN_ASM) of the kernel for layout, appended to b.
 * Returns 0 or -1 with *err set. */
JX_INTERNAL int jx_jit_explain(const jx_ir *ir, const char *layout,
                               unsigned what, jx_buf *b, jx_error *err);

/* Appends to b the target id and, one line each, the implementation
 * chosen so far for each math function that has two, and where the
 * choice came from ("log float64: ours (measured: ours 0.41, library 0.98
 * ns/element)"; "stored: measured by an earlier process: ...", "as a
 * stored kernel", "JITEXPR_MATHLIB"). */
JX_INTERNAL void jx_jit_describe(jx_buf *b);

/* "LLVM 19.1.7 znver4 +avx512f,... libmvec:avx512 sleef:no mathlib:auto"
 * (LLVM's version, the host CPU and its features, the vector math library
 * and variant, JITEXPR_MATHLIB) for cache keys and versions: everything
 * of the process that changes the code of a kernel. */
JX_INTERNAL const char *jx_jit_target_id(void);

/* Whether the target's vectors are longer than 256 bits (AVX-512), so
 * that a layout's 'w' flag (256-bit vectors) makes another kernel. */
JX_INTERNAL bool jx_jit_wide_vectors(void);

/* The most math functions one loop computes with vmath.c's kernels;
 * past them it calls the library (jit/emit.h). */
#define JX_JIT_INLINE_MATH 8

/* Whether kernels compute op (a LIBM row of the op table) at precision
 * f32 with vmath.c's kernel, so with the same bits at every position,
 * when a loop has at most JX_JIT_INLINE_MATH of them and, for sin, cos
 * and tan (guarded loops), its output overlaps no input (layout ":n"):
 * false where there
 * is no kernel or the library's vector function was chosen (the choice
 * is measured now when this process does not know it yet, as a compile
 * would), or the JIT cannot start. */
JX_INTERNAL bool jx_jit_own_math(int op, bool f32);

/* The nanoseconds the calling thread has spent so far timing math
 * functions against the library (calib.c, once per function and process
 * unless stored): inside a compile, which the caller's timing of that
 * compile leaves out (src/cache.c: the quick tier's estimates). */
JX_INTERNAL int64_t jx_jit_calibration_ns(void);

#endif
