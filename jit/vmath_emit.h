/* vmath_emit.h - inside vmath.c, vmath_pow.c and vmath_logexp.c: one
 * kernel being emitted (the builder and the types of one precision), the
 * thin helpers that write its instructions, and what vmath_pow.c and
 * vmath_logexp.c offer vmath.c.  The
 * code generator's own helpers, around its struct cg, are in emit.h. */
#ifndef JX_VMATH_EMIT_H
#define JX_VMATH_EMIT_H

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <string.h>

#include "../src/util.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* One kernel being emitted: the builder and the types of one precision. */
typedef struct vm {
    LLVMBuilderRef b;
    LLVMModuleRef mod;
    LLVMTypeRef t;  /* float or double */
    LLVMTypeRef ti; /* the integer of the same width */
    bool f32;
    bool fma;       /* the target has FMA: fma3 is llvm.fma */
    bool fast;      /* the fast form (jx_vm_emit_fast): x is in the range
                       of its guard, so the kernel may leave out the
                       special cases and the subnormal path */
} vm;

/* The kernel of x's precision at b's position. */
static inline vm vm_init(LLVMBuilderRef b, LLVMValueRef x, bool fma)
{
    vm v;
    v.b = b;
    v.fma = fma;
    v.fast = false;
    v.mod = LLVMGetGlobalParent(LLVMGetBasicBlockParent(LLVMGetInsertBlock(b)));
    v.t = LLVMTypeOf(x);
    v.f32 = LLVMGetTypeKind(v.t) == LLVMFloatTypeKind;
    v.ti = LLVMIntTypeInContext(LLVMGetTypeContext(v.t), v.f32 ? 32 : 64);
    return v;
}

static inline LLVMValueRef k(vm *v, double c) { return LLVMConstReal(v->t, c); }

static inline LLVMValueRef ki(vm *v, unsigned long long c)
{
    return LLVMConstInt(v->ti, c, 0);
}

static inline LLVMValueRef intrin(vm *v, const char *name, LLVMValueRef *args,
                           unsigned nargs)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(v->mod, id, &v->t, 1);
    LLVMTypeRef fty = LLVMIntrinsicGetType(LLVMGetModuleContext(v->mod), id,
                                           &v->t, 1);
    return LLVMBuildCall2(v->b, fty, fn, args, nargs, "");
}

/* a * b + c, fused where the target has FMA: llvm.fma there, so that the
 * quick and the optimised code compute the same bits (the optimised code
 * fused llvm.fmuladd on such a CPU too), llvm.fmuladd elsewhere (a call of
 * libm's fma would be slow). */
static inline LLVMValueRef fma3(vm *v, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c)
{
    LLVMValueRef args[3] = {a, b, c};
    return intrin(v, v->fma ? "llvm.fma" : "llvm.fmuladd", args, 3);
}

static inline LLVMValueRef add(vm *v, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFAdd(v->b, a, b, "");
}

static inline LLVMValueRef sub(vm *v, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFSub(v->b, a, b, "");
}

static inline LLVMValueRef mul(vm *v, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFMul(v->b, a, b, "");
}

static inline LLVMValueRef fabs1(vm *v, LLVMValueRef x)
{
    return intrin(v, "llvm.fabs", &x, 1);
}

static inline LLVMValueRef copysign2(vm *v, LLVMValueRef mag, LLVMValueRef sgn)
{
    LLVMValueRef args[2] = {mag, sgn};
    return intrin(v, "llvm.copysign", args, 2);
}

static inline LLVMValueRef cmp(vm *v, LLVMRealPredicate p, LLVMValueRef a,
                        LLVMValueRef b)
{
    return LLVMBuildFCmp(v->b, p, a, b, "");
}

static inline LLVMValueRef sel(vm *v, LLVMValueRef c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(v->b, c, a, b, "");
}

/* c[0] * x^(n-1) + ... + c[n-1], by Horner's rule. */
static inline LLVMValueRef horner(vm *v, LLVMValueRef x, const double *c, int n)
{
    LLVMValueRef p = k(v, c[0]);
    for (int i = 1; i < n; i++)
        p = fma3(v, p, x, k(v, c[i]));
    return p;
}

/* c[0] * x^(n-1) + ... + c[n-1], n even: pairs c[i]*x + c[i+1] side by
 * side, then Horner's rule in x*x, a shorter chain than horner's for the
 * same number of FMAs (half of Estrin's scheme; estrin in vmath_pow.c is
 * the whole, a shorter chain still for a few multiplications more; cbrt's
 * accuracy was measured with this order). */
static inline LLVMValueRef pairs_horner(vm *v, LLVMValueRef x, const double *c, int n)
{
    LLVMValueRef x2 = mul(v, x, x);
    LLVMValueRef p = fma3(v, k(v, c[0]), x, k(v, c[1]));
    for (int i = 2; i < n; i += 2)
        p = fma3(v, p, x2, fma3(v, k(v, c[i]), x, k(v, c[i + 1])));
    return p;
}

/* Kernels of vmath.c that others build on (each as described there): exp's
 * reduction t = k*ln2 + r (returns expm1(r), sets *kd to k in a double's
 * low bits), 2^(j + e) from those bits, expm1(t)/2, exp, expm1, log or
 * log1p (lp1), atan2(y, x), and atan(r) for |r| <= tan(pi/8). */
JX_INTERNAL LLVMValueRef jx_vm_exp_reduce(vm *v, LLVMValueRef t, LLVMValueRef *kd_out);
/* r of t = k*ln2 + r, |r| <= ln2/2 (exp's reduction, before its
 * polynomial); *kd_out holds k in a double's (float's) low bits. */
JX_INTERNAL LLVMValueRef jx_vm_ln2_reduce(vm *v, LLVMValueRef t, LLVMValueRef *kd_out);
/* k of the shifter's kd as an integer of the type's width. */
JX_INTERNAL LLVMValueRef jx_vm_shifted_k(vm *v, LLVMValueRef kd);
/* 2^k * (1 + p), k in kd's low bits, rounded once where subnormal. */
JX_INTERNAL LLVMValueRef jx_vm_scale_2k(vm *v, LLVMValueRef kd, LLVMValueRef p);
JX_INTERNAL LLVMValueRef jx_vm_pow2(vm *v, LLVMValueRef kbits, int e);
JX_INTERNAL LLVMValueRef jx_vm_expm1_half(vm *v, LLVMValueRef t);
JX_INTERNAL LLVMValueRef jx_vm_exp(vm *v, LLVMValueRef x);
JX_INTERNAL LLVMValueRef jx_vm_expm1(vm *v, LLVMValueRef x);
JX_INTERNAL LLVMValueRef jx_vm_log(vm *v, LLVMValueRef x, bool lp1);
/* jx_vm_log in two steps: log(m) of u = 2^k * m (k as a float in *kf),
 * then the special cases of u (+inf, NaN, zero, negative) over r. */
JX_INTERNAL LLVMValueRef jx_vm_log_m(vm *v, LLVMValueRef x, bool lp1, LLVMValueRef *kf);
JX_INTERNAL LLVMValueRef jx_vm_log_special(vm *v, LLVMValueRef x, bool lp1,
                                           LLVMValueRef r);
JX_INTERNAL LLVMValueRef jx_vm_atan2(vm *v, LLVMValueRef y, LLVMValueRef x);
JX_INTERNAL LLVMValueRef jx_vm_atan_small(vm *v, LLVMValueRef r);

/* pow(x, y) of two floats or two doubles (vmath_pow.c), as jx_vm_emit
 * emits it. */
JX_INTERNAL LLVMValueRef jx_vm_pow(vm *v, LLVMValueRef x, LLVMValueRef y);
/* 2^r - 1 for |r| <= 1/2 (vmath_pow.c: pow's polynomial, for exp2). */
JX_INTERNAL LLVMValueRef jx_vm_exp2m1(vm *v, LLVMValueRef r);

/* asin(x), or acos(x) where acos (vmath_asin.c). */
JX_INTERNAL LLVMValueRef jx_vm_asin(vm *v, LLVMValueRef x, bool acos);
/* log2, log10, exp2, asinh or atanh (libm's names) of a float or a double
 * (vmath_logexp.c), as jx_vm_emit emits them; jx_vm_logexp_has says which. */
JX_INTERNAL bool jx_vm_logexp_has(const char *fn);
JX_INTERNAL LLVMValueRef jx_vm_logexp(vm *v, const char *fn, LLVMValueRef x);
/* atan(x), and sinh(x) or cosh(x) (cosh) of two floats or doubles
 * (vmath_atan.c), as jx_vm_emit emits them. */
JX_INTERNAL LLVMValueRef jx_vm_atan(vm *v, LLVMValueRef x);
JX_INTERNAL LLVMValueRef jx_vm_sinhcosh(vm *v, LLVMValueRef x, bool cosh);

#endif
