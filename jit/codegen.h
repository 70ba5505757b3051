/* codegen.h - between the code generator and engine.c: typed IR to one
 * LLVM function, the fused loop over a 1-D chunk (the kernel ABI of
 * jit.h).  The code generator's files and their shared state: emit.h. */
#ifndef JX_CODEGEN_H
#define JX_CODEGEN_H

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "../src/ir.h"

/* ---- vector math: glibc's libmvec, and SLEEF where it is faster --------
 *
 * The LIBM functions of the op table and pow have vector variants in
 * libmvec, named by the x86 vector function ABI: _ZGV, the ISA letter ('d'
 * AVX2, 'e' AVX-512), N (unmasked), the lanes, one 'v' per operand, '_',
 * the scalar name: _ZGVeN8v_sin, _ZGVeN16v_sinf, _ZGVdN4vv_pow.  log also
 * has SLEEF's 3.5-ULP variants (Sleef_logd8_u35avx512f: 0.69 ns/element
 * against libmvec's 0.97, docs/math.md), called instead of libmvec's when
 * libsleef.so.3 loads.  The code generator knows the names; the engine
 * decides which of them a kernel may call (the host CPU runs them, the
 * library is loaded and defines them). */

/* One vector function. */
typedef struct jx_cg_vecfn {
    const char *fn;  /* the scalar libm function, double version: "sin" */
    int nargs;       /* its operands: 1, or 2 for pow */
    bool f32;        /* the float version (sinf): float lanes */
    char isa;        /* ISA letter: 'd' (AVX2) or 'e' (AVX-512) */
    int lanes;       /* elements per call */
    char lib;        /* 'm': glibc's libmvec, 's': SLEEF */
    char name[32];   /* its name in the vector ABI: "_ZGVeN8v_sin" */
    char sym[32];    /* the function called: name (libmvec), or SLEEF's
                        "Sleef_logd8_u35avx512f" */
} jx_cg_vecfn;

/* The functions taken from SLEEF where it loads: log. */
#define JX_CG_NSLEEF 1

/* The number of vector functions: indices 0 .. JX_CG_NVEC - 1 (each LIBM
 * row of the op table and each VEC row of its JX_LIBCALLS from libmvec,
 * then the SLEEF functions; two precisions, two ISAs). */
#define JX_CG_IS_LIBM_INLINE 0
#define JX_CG_IS_LIBM_INTRIN 0
#define JX_CG_IS_LIBM_LIBM 1
#define JX_CG_COUNT_LIBM(id, mnem, spell, syn, ar, rule, kinds, low, fn, cx, ci, cf, cc) \
    +JX_CG_IS_LIBM_##low
enum { JX_CG_NLIBM = 0 JX_OPS(JX_CG_COUNT_LIBM) };
#define JX_CG_IS_VEC_VEC 1
#define JX_CG_IS_VEC_LLVM 0
#define JX_CG_COUNT_VEC(op, fn, how) +JX_CG_IS_VEC_##how
enum { JX_CG_NVECCALL = 0 JX_LIBCALLS(JX_CG_COUNT_VEC) };
#define JX_CG_NVEC ((JX_CG_NLIBM + JX_CG_NVECCALL + JX_CG_NSLEEF) * 2 * 2)
#define JX_CG_VEC_WORDS ((JX_CG_NVEC + 63) / 64)

/* Row k of the table into *out; returns 0, or -1 when k is out of range. */
JX_INTERNAL int jx_cg_vecfn_get(int k, jx_cg_vecfn *out);

/* What a kernel may use besides LLVM and the C library.  Offering the AVX2
 * variants beside the AVX-512 ones lets the vectorizer pick 8 float lanes
 * where a loop also holds doubles, and for the remainder of a 16-lane
 * loop. */
typedef struct jx_cg_target {
    uint64_t vec[JX_CG_VEC_WORDS]; /* bit k: vector function k may be called */
    /* Where vmath.c has a kernel for a function and the library a vector
     * function too: whether kernels call the library's (true) or compute
     * vmath.c's (false, and when use_lib is NULL).  fn is the double name
     * ("log"), f32 the precision.  The engine decides by measuring. */
    bool (*use_lib)(void *ctx, const char *fn, bool f32);
    void *use_lib_ctx;
    /* The CPU fuses a*b + c (FMA): vmath.c's kernels write llvm.fma, which
     * gives the same bits at every optimisation level (llvm.fmuladd, fused
     * or not as the code generator likes, would keep them out of the quick
     * tier: jit/module.c). */
    bool fma;
} jx_cg_target;

/* Whether the target has a vector function (any ISA) for fn at precision
 * f32: only then is there a choice between it and vmath.c's kernel. */
JX_INTERNAL bool jx_cg_has_vecfn(const jx_cg_target *t, const char *fn,
                                 bool f32);
/* Whether kernels for tgt call the library's vector function for fn
 * rather than vmath.c's kernel (mathcall.c). */
JX_INTERNAL bool jx_mc_use_library(const jx_cg_target *tgt, const char *fn,
                                   bool f32);
/* Whether kernels for tgt compute fn at precision f32 with vmath.c's
 * kernel (written out, its fast form or guarded) while the loop has room
 * for one (jx_mc_libm_call's three ways to it). */
JX_INTERNAL bool jx_mc_own_kernel(const jx_cg_target *tgt, const char *fn,
                                  bool f32);

static inline bool jx_cg_has_vec(const jx_cg_target *t, int k)
{
    return (t->vec[k / 64] >> (k % 64)) & 1;
}

static inline void jx_cg_set_vec(jx_cg_target *t, int k)
{
    t->vec[k / 64] |= UINT64_C(1) << (k % 64);
}

/* Checks that the code generator handles ir (every dtype supported, every
 * op given a kind it accepts, operands consistent) and that layout fits it.
 * Returns 0, or -1 with *err set: JX_ERR_TYPE for an op/dtype the code
 * generator lacks ("complex128 is not supported yet"), JX_ERR_INTERNAL for
 * malformed IR or layout. */
JX_INTERNAL int jx_cg_check(const jx_ir *ir, const char *layout,
                            jx_error *err);

/* Adds to mod (in its context) the external function `name` with the
 * kernel ABI, evaluating ir for layout (elementwise, or a reduction's
 * partials 'R' or accumulate 'A' mode), plus internal helpers that O2/O3
 * inline away.  Math functions may call the vector functions tgt allows
 * (tgt NULL: none, scalar libm only).  ir and layout must have passed
 * jx_cg_check: the engine runs it once per compilation, before it makes
 * any LLVM object, and this does not again.  Returns 0, or -1 with *err
 * set. */
JX_INTERNAL int jx_cg_build(LLVMModuleRef mod, const jx_ir *ir,
                            const char *layout, const char *name,
                            const jx_cg_target *tgt, jx_error *err);

/* Names of C library functions that kernels may call, NULL-terminated: the
 * libm functions of the op table (fn and fn "f"), pow (float powers), and
 * the libcalls LLVM lowers intrinsics to (fmod for frem, floor).  The
 * engine defines them in the JIT so that they resolve even when libm is
 * not global. */
JX_INTERNAL const char *const *jx_cg_runtime_symbols(void);

/* Functions of this library that kernels call (helpers.c: byte strings,
 * libm's sin, cos and tan for the exact loop), by name; the list ends with
 * a NULL name.  Hidden from the dynamic symbol table, so the engine
 * defines them in the JIT by address. */
typedef struct jx_cg_helper {
    const char *name; /* the symbol kernels call */
    void *addr;       /* its code */
} jx_cg_helper;
JX_INTERNAL const jx_cg_helper *jx_cg_helpers(void);

/* The helper that calls libm's fn ("sin": the double name; its float
 * version when f32) for the elements out of a guarded kernel's range, or
 * NULL when there is none. */
JX_INTERNAL const char *jx_hp_libm_name(const char *fn, bool f32);

#endif
