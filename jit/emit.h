/* emit.h - inside the code generator: the state of one code generation,
 * the thin emit helpers every file of it uses, and what each file offers
 * the others (codegen.h is its face to the engine).
 *
 *   verify.c    jx_cg_check: the IR and layout the code generator takes
 *   emit.c      values in memory (loads, stores, addresses) and casts
 *   mathcall.c  the math library: libm calls, vector ABI variants
 *   scalar.c    bool, integer and float operations
 *   complex.c   complex operations (cmath.c: the functions they call)
 *   bytes_cg.c  byte strings
 *   loops.c     the kernel: one instruction, the loops, the reductions,
 *               jx_cg_build
 *
 * Values in registers: bool is i1, integers iN, float16 `half` (each op
 * extends to float, computes and rounds back to half, as NumPy's float16
 * loops do), float32 float, float64 double, complex64 and complex128 the
 * literal struct {float, float} or {double, double} (real, imaginary),
 * built by insertvalue and taken apart by extractvalue, which instcombine
 * and SROA turn into two scalars (so + - * still vectorize).  In memory
 * bool is one byte 0/1 and a complex its two parts side by side, as NumPy
 * stores them.  Every load and store has alignment 1: data may be
 * unaligned.
 *
 * Exported functions carry their file's prefix: jx_em_ (emit.c), jx_vf_
 * (verify.c), jx_mc_ (mathcall.c), jx_sc_ (scalar.c), jx_cx_
 * (complex.c), jx_bc_ (bytes_cg.c), jx_rd_ (reduce_cg.c); the interface of codegen.h keeps
 * jx_cg_.  The inline helpers below are static in each file. */
#ifndef JX_EMIT_H
#define JX_EMIT_H

#include "codegen.h"

#include <llvm-c/Core.h>
#include <llvm/Config/llvm-config.h>
#include <stdbool.h>
#include <string.h>

#include "../src/dtype.h"
#include "jit.h"

/* How sin, cos and tan, float remainders and the fast forms of log and
 * its kin (jx_vm_emit_fast) are emitted (build_loop). */
typedef enum cg_guard {
    CG_LIBRARY, /* calls, as every other math function; whole kernels */
    CG_FAST,    /* vmath.c's kernels and fast forms, and in `exact` their
                   guards */
    CG_RECHECK  /* the loop after a CG_FAST one, for the elements whose
                   guards hold: the kernels where they hold, else
                   helpers.c's call of libm's function (mathcall.c), or
                   the library's call where there is no helper; whole
                   kernels for the fast forms */
} cg_guard;

/* One code generation: the module, the builder, and a value per
 * instruction. */
typedef struct cg {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    const jx_ir *ir;
    LLVMTypeRef t_i1, t_i8, t_i64, t_half, t_float, t_double, t_ptr, t_void;
    LLVMValueRef *val;    /* [ir->n] the value of each instruction */
    LLVMValueRef *len;    /* [ir->n] of a byte string value: its length in
                             bytes (i64), which where() of two itemsizes
                             makes vary; NULL for the other values */
    LLVMValueRef *scalar; /* [ir->ninputs] stride-0 inputs, loaded once */
    const jx_cg_target *tgt; /* the vector functions allowed, or NULL */
    bool vec_calls;       /* a call was given vector variants */
    bool vm_inline;       /* a vmath.c kernel was written out */
    int vm_left;          /* vmath.c kernels this loop body may still
                             have (CG_VM_KERNELS, set by emit_value) */
    cg_guard guard;       /* how sin, cos and tan are emitted */
    LLVMValueRef exact;   /* i1: this element needs the library's value
                             (CG_FAST, CG_RECHECK), or NULL */
    bool *same;           /* [ir->n] the value is the same in both guarded
                             loops (loops.c, mark_same) */
    bool no_fast;         /* no fast forms (jx_vm_emit_fast): the second
                             try of jx_cg_build */
    bool fast_used;       /* the fast loop has a fast form */
    bool apart;           /* the guarded loops compute some value apart: a
                             math library's, or a guarded sin's */
    LLVMValueRef used[JX_CG_NVEC]; /* vector functions declared, for */
    int nused;                     /*   llvm.compiler.used */
    jx_error *err;
    int failed;           /* an error was set: stop emitting */
} cg;

/* The most vmath.c kernels written out in one loop body; the calls past
 * them go to the library, as where it was measured faster.  The back
 * end's time grows faster than the loop body: 1000 distinct sin terms,
 * all written out (the vector loop interleaved, and a scalar remainder),
 * compiled in 24 s, most of it in the register allocator, instruction
 * selection and the machine scheduler; calls end their scheduling regions
 * and live ranges (docs/math.md). */
#define CG_VM_KERNELS JX_JIT_INLINE_MATH

/* What a kernel does with the value of each element. */
typedef enum cg_mode {
    CG_ELEMENTWISE, /* out[i] = value[i] */
    CG_PARTIALS,    /* 'R': partial[b] = reduction of block b */
    CG_ACCUMULATE   /* 'A': out[i] = combine(out[i], value[i]) */
} cg_mode;

/* A parsed layout string. */
typedef struct cg_layout {
    cg_mode mode;
    char cls[JX_MAX_VARS + 2]; /* class letter of operand k (0: output) */
    int nops;                  /* 1 + ninputs */
    bool noalias;              /* ":n": the output overlaps no input */
    bool narrow;               /* ":w": 256-bit vectors */
} cg_layout;

/* ---- thin emit helpers ------------------------------------------------ */

static inline void cg_fail(cg *c, const char *fmt, const char *arg)
{
    if (!c->failed)
        jx_err_set(c->err, JX_ERR_INTERNAL, -1, 0, fmt, arg);
    c->failed = 1;
}

static inline int dt_bits(jx_dtype t) { return (int)jx_dtype_get(t)->size * 8; }
static inline bool dt_float(jx_dtype t) { return jx_dtype_kind(t) == JX_KIND_FLOAT; }
static inline bool dt_signed(jx_dtype t) { return jx_dtype_kind(t) == JX_KIND_INT; }
static inline bool dt_bool(jx_dtype t) { return jx_dtype_kind(t) == JX_KIND_BOOL; }
static inline bool dt_complex(jx_dtype t) { return jx_dtype_kind(t) == JX_KIND_COMPLEX; }

/* The type of each part of complex t: float or double. */
static inline LLVMTypeRef part_type(cg *c, jx_dtype t)
{
    return t == JX_COMPLEX64 ? c->t_float : c->t_double;
}

/* The type of an element in memory. */
static inline LLVMTypeRef mem_type(cg *c, jx_dtype t)
{
    switch (t) {
    case JX_FLOAT16: return c->t_half;
    case JX_FLOAT32: return c->t_float;
    case JX_FLOAT64: return c->t_double;
    case JX_COMPLEX64:
    case JX_COMPLEX128: {
        LLVMTypeRef parts[2] = {part_type(c, t), part_type(c, t)};
        return LLVMStructTypeInContext(c->ctx, parts, 2, 0);
    }
    default: return LLVMIntTypeInContext(c->ctx, (unsigned)dt_bits(t));
    }
}

/* The type of a value in a register. */
static inline LLVMTypeRef val_type(cg *c, jx_dtype t)
{
    return dt_bool(t) ? c->t_i1 : mem_type(c, t);
}

/* The type a float op computes in: float16 is computed in float. */
static inline LLVMTypeRef calc_type(cg *c, jx_dtype t)
{
    return t == JX_FLOAT64 ? c->t_double : c->t_float;
}

static inline LLVMValueRef to_calc(cg *c, LLVMValueRef v, jx_dtype t)
{
    return t == JX_FLOAT16 ? LLVMBuildFPExt(c->b, v, c->t_float, "") : v;
}

static inline LLVMValueRef from_calc(cg *c, LLVMValueRef v, jx_dtype t)
{
    return t == JX_FLOAT16 ? LLVMBuildFPTrunc(c->b, v, c->t_half, "") : v;
}

static inline LLVMValueRef const_int(LLVMTypeRef t, uint64_t v)
{
    unsigned bits = LLVMGetIntTypeWidth(t);
    if (bits < 64)
        v &= (UINT64_C(1) << bits) - 1;
    return LLVMConstInt(t, v, 0);
}

static inline LLVMValueRef const_real(LLVMTypeRef t, double v)
{
    return LLVMConstReal(t, v);
}

/* A call of the intrinsic `name` overloaded on ovl[0..novl-1]. */
static inline LLVMValueRef intrin(cg *c, const char *name, LLVMTypeRef *ovl,
                                  unsigned novl, LLVMValueRef *args, unsigned nargs)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    if (id == 0) {
        cg_fail(c, "LLVM has no intrinsic %s", name);
        return LLVMGetUndef(LLVMTypeOf(args[0]));
    }
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(c->mod, id, ovl, novl);
    LLVMTypeRef fty = LLVMIntrinsicGetType(c->ctx, id, ovl, novl);
    return LLVMBuildCall2(c->b, fty, fn, args, nargs, "");
}

/* A float intrinsic overloaded on its operand's type: llvm.floor(x). */
static inline LLVMValueRef fintrin1(cg *c, const char *name, LLVMValueRef x)
{
    LLVMTypeRef t = LLVMTypeOf(x);
    return intrin(c, name, &t, 1, &x, 1);
}

static inline LLVMValueRef fintrin2(cg *c, const char *name, LLVMValueRef x,
                                    LLVMValueRef y)
{
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMValueRef args[2] = {x, y};
    return intrin(c, name, &t, 1, args, 2);
}

static inline void add_fn_attr(cg *c, LLVMValueRef fn, const char *name,
                               uint64_t val)
{
    unsigned kind = LLVMGetEnumAttributeKindForName(name, strlen(name));
    if (kind != 0)
        LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                LLVMCreateEnumAttribute(c->ctx, kind, val));
}

/* A library function kernels call, nounwind and willreturn, and without
 * side effects, as the loop vectorizer needs it: memory(none) (readnone
 * before LLVM 16), or when reads_args, reading its pointer arguments only:
 * memory(argmem: read) (readonly argmemonly). */
static inline void mark_libcall(cg *c, LLVMValueRef f, bool reads_args)
{
#if LLVM_VERSION_MAJOR >= 16
    /* memory(none), or ModRef::Ref on argument memory */
    add_fn_attr(c, f, "memory", reads_args ? 1 : 0);
#else
    add_fn_attr(c, f, reads_args ? "readonly" : "readnone", 0);
    if (reads_args)
        add_fn_attr(c, f, "argmemonly", 0);
#endif
    add_fn_attr(c, f, "nounwind", 0);
    add_fn_attr(c, f, "willreturn", 0);
}

static inline LLVMValueRef cx_re(cg *c, LLVMValueRef v)
{
    return LLVMBuildExtractValue(c->b, v, 0, "re");
}

static inline LLVMValueRef cx_im(cg *c, LLVMValueRef v)
{
    return LLVMBuildExtractValue(c->b, v, 1, "im");
}

/* The complex t with parts re and im (of t's part type). */
static inline LLVMValueRef cx_make(cg *c, jx_dtype t, LLVMValueRef re, LLVMValueRef im)
{
    LLVMValueRef v = LLVMGetPoison(val_type(c, t));
    v = LLVMBuildInsertValue(c->b, v, re, 0, "");
    return LLVMBuildInsertValue(c->b, v, im, 1, "");
}

/* ---- between the files ------------------------------------------------ */

/* emit.c: values in memory, and conversions between dtypes. */
/* The element of dtype t at addr (complex: its two parts, bool: != 0). */
JX_INTERNAL LLVMValueRef jx_em_load_elem(cg *c, jx_dtype t, LLVMValueRef addr);
/* Stores v, of dtype t, at addr as NumPy stores it. */
JX_INTERNAL void jx_em_store_elem(cg *c, jx_dtype t, LLVMValueRef addr,
                                  LLVMValueRef v);
/* The address of element i of an operand of class cls. */
JX_INTERNAL LLVMValueRef jx_em_elem_addr(cg *c, char cls, jx_dtype t,
                                         LLVMValueRef base,
                                         LLVMValueRef stride, LLVMValueRef i);
/* v of dtype from converted to dtype to, as NumPy's astype. */
JX_INTERNAL LLVMValueRef jx_em_cast(cg *c, LLVMValueRef v, jx_dtype from,
                                    jx_dtype to);

/* verify.c: the checks of jx_cg_check. */
/* Parses layout for ir into *l; returns 0, or -1 with *err set. */
JX_INTERNAL int jx_vf_parse_layout(const jx_ir *ir, const char *layout,
                                   cg_layout *l, jx_error *err);

/* mathcall.c: calls of the math library and its vector variants. */
/* fn (double) or fn "f" of x[0..nargs-1], in the calc type: vmath.c's
 * kernel, or a libm call with its vector variants. */
JX_INTERNAL LLVMValueRef jx_mc_libm_call(cg *c, const char *fn,
                                         LLVMValueRef *x, unsigned nargs);
/* sin or cos r kept within [-1, 1] where vector math may exceed it. */
JX_INTERNAL LLVMValueRef jx_mc_clamp_unit(cg *c, LLVMValueRef r);
/* Loop metadata (the interleave count) on the latch branch br. */
JX_INTERNAL void jx_mc_loop_hints(cg *c, LLVMValueRef br);
/* Attributes of the kernel fn whose loop calls vector math. */
JX_INTERNAL void jx_mc_vector_call_attrs(cg *c, LLVMValueRef fn);
/* @llvm.compiler.used of the vector functions declared. */
JX_INTERNAL void jx_mc_compiler_used(cg *c);

/* chunks.c: a very large loop body in chunks. */
/* loops.c's writer of IR instruction idx for element i. */
typedef LLVMValueRef (*jx_ck_emit_fn)(cg *c, int idx, LLVMValueRef i,
                                      const cg_layout *l, LLVMValueRef *ptr,
                                      LLVMValueRef *stride);
/* Whether c's IR for layout l is written in chunks: an elementwise kernel
 * whose output overlaps no input, over numbers, with a large body. */
JX_INTERNAL bool jx_ck_wanted(const cg *c, const cg_layout *l);
/* The loop of build_loop in chunks, from pre (scalars loaded, no
 * terminator) to exit; emit writes each instruction. */
JX_INTERNAL void jx_ck_build_loop(cg *c, const cg_layout *l, LLVMValueRef fn,
                                  LLVMBasicBlockRef pre, LLVMBasicBlockRef exit,
                                  LLVMValueRef n, LLVMValueRef *ptr,
                                  LLVMValueRef *stride, jx_ck_emit_fn emit);

/* reduce_cg.c: reductions. */
/* loops.c's writer of element i's value in the accumulator type, or NULL
 * (emitting failed). */
typedef LLVMValueRef (*jx_rd_value_fn)(cg *c, LLVMValueRef i, const cg_layout *l,
                                       LLVMValueRef *ptr, LLVMValueRef *stride);
/* combine(a, v) of reduction op, both of the accumulator type acc; float
 * min and max propagate NaN (np.min, np.max); reassoc: a float or complex
 * sum or product may be reordered (vector lanes). */
JX_INTERNAL LLVMValueRef jx_rd_combine(cg *c, int op, jx_dtype acc, LLVMValueRef a,
                                       LLVMValueRef v, bool reassoc);
/* The partials layout's loop, from pre (scalars loaded, no terminator) to
 * exit: for each block of JX_REDUCE_BLOCK elements, partial[blk] (ptr[0])
 * the reduction of its values (value). */
JX_INTERNAL void jx_rd_build_partials(cg *c, const cg_layout *l, LLVMValueRef fn,
                                      LLVMBasicBlockRef pre, LLVMBasicBlockRef exit,
                                      LLVMValueRef n, LLVMValueRef *ptr,
                                      LLVMValueRef *stride, jx_rd_value_fn value);

/* bytes_cg.c: byte strings. */
/* The address of element i of a byte string operand of class cls. */
JX_INTERNAL LLVMValueRef jx_bc_addr(cg *c, char cls, int64_t itemsize,
                                    LLVMValueRef base, LLVMValueRef stride,
                                    LLVMValueRef i);
/* A string constant: a private constant global holding its bytes. */
JX_INTERNAL LLVMValueRef jx_bc_const(cg *c, const jx_instr *in);
/* The length of byte string instruction idx. */
JX_INTERNAL LLVMValueRef jx_bc_len(cg *c, int idx);
/* out[i] = byte string v of length len, padded with NULs. */
JX_INTERNAL void jx_bc_store(cg *c, char cls, LLVMValueRef base,
                             LLVMValueRef stride, LLVMValueRef i,
                             LLVMValueRef v, LLVMValueRef len);
/* A comparison or contains() of two byte strings v[0], v[1]. */
JX_INTERNAL LLVMValueRef jx_bc_op(cg *c, const jx_instr *in, LLVMValueRef *v);

/* scalar.c: bool, integer and float operations. */
/* An op on float t operands v[] (float16: computed in float). */
JX_INTERNAL LLVMValueRef jx_sc_float_op(cg *c, const jx_instr *in, jx_dtype t,
                                        LLVMValueRef *v);
/* An op on integer or bool t operands v[]. */
JX_INTERNAL LLVMValueRef jx_sc_int_op(cg *c, const jx_instr *in, jx_dtype t,
                                      LLVMValueRef *v);
/* Whether in is a float %, // or fmod, whose remainder has a fast form
 * with a guard (build_loop's guarded loops). */
JX_INTERNAL bool jx_sc_guarded_rem(const cg *c, const jx_instr *in);
/* llvm.minimum or llvm.maximum (max) of scalar floats a and v. */
JX_INTERNAL LLVMValueRef jx_sc_float_minimum(cg *c, LLVMValueRef a,
                                             LLVMValueRef v, bool max);

/* complex.c: complex operations. */
/* An op on complex t operands v[]; its result may be real. */
JX_INTERNAL LLVMValueRef jx_cx_op(cg *c, const jx_instr *in, jx_dtype t,
                                  LLVMValueRef *v);
/* real, imag, conj, angle and complex() on real t operands v[]. */
JX_INTERNAL LLVMValueRef jx_cx_real_part_op(cg *c, const jx_instr *in,
                                            jx_dtype t, LLVMValueRef *v);
/* Whether the lowering of complex128 op calls a guarded vmath.c kernel. */
JX_INTERNAL bool jx_cx_uses_guarded(int op, const jx_cg_target *tgt);
/* x * y of complex t values, as NumPy's loop. */
JX_INTERNAL LLVMValueRef jx_cx_mul(cg *c, jx_dtype t, LLVMValueRef x,
                                   LLVMValueRef y);
/* NumPy's complex maximum (max) or minimum; fnum: fmax, fmin. */
JX_INTERNAL LLVMValueRef jx_cx_minmax(cg *c, LLVMValueRef x, LLVMValueRef y,
                                      bool max, bool fnum);

#endif
