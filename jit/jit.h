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
} jx_jit_code;

/* Compiles ir for layout.  Returns 0, or -1 with *err set (JX_ERR_JIT:
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
 * chosen so far for each math function that has two ("log float64:
 * ours (measured: ours 0.41, library 0.98 ns/element)"). */
JX_INTERNAL void jx_jit_describe(jx_buf *b);

/* "LLVM 19.1.7, znver4, +avx512f,..." for cache keys and versions. */
JX_INTERNAL const char *jx_jit_target_id(void);

/* Whether the target's vectors are longer than 256 bits (AVX-512), so
 * that a layout's 'w' flag (256-bit vectors) makes another kernel. */
JX_INTERNAL bool jx_jit_wide_vectors(void);

#endif
