/* vmath_atan.c - atan, sinh and cosh written out as IR, for vmath.c's
 * jx_vm_emit (the rules of vmath.c's header comment hold here: straight
 * line, no call, no branch, no select of a constant that becomes a masked
 * read of memory; coefficients from jit/gen_vmath.py).
 *
 * atan(x) of a = |x| in three ranges, with one division:
 *   a <= tan(pi/8):  r = a / 1,             atan(a) = atan(r)
 *   a <= tan(3pi/8): r = (a - 1)/(a + 1),   atan(a) = pi/4 + atan(r)
 *   beyond:          r = -1 / a,            atan(a) = pi/2 + atan(r)
 * (numerator and denominator selected, then one division), so |r| <=
 * tan(pi/8), and atan(r) = r + r*z*P(z), z = r*r, is atan2's polynomial
 * (jx_vm_atan_small: degree 9, float 4); the result takes x's sign.  a =
 * inf gives r = -0 and pi/2; +-0 and subnormals give r = a exactly; NaN
 * stays NaN.
 *
 * sinh(x) and cosh(x) of t = |x|, capped at 710.5 (float: 89.5), where
 * both have overflowed (710.4759, float 89.416): t = k*ln2 + r, |r| <=
 * ln2/2, as exp's reduction (the shifter's k, ln2 in two parts), and with
 * C = cosh(r) = 1 + u, u = z*E(z), S = sinh(r) = r + r*z*O(z), z = r*r
 * (E and O of degree 4, float: 2; together as many coefficients as
 * expm1's Q and a chain half as long), e^t = 2^k (C + S) and e^-t =
 * 2^-k (C - S), so that
 *   cosh(t) = 2 (a + (u*a + S*d)),   sinh(t) = 2 (d + (u*d + S*a)),
 * a = s + m, d = s - m, s = 2^(k-2), m = 2^(-k-2): one reduction, no
 * division.  s is a normal number up to k = 1025 (t = 710.5), where
 * 2*(...) overflows exactly when the function does; m is built from the
 * bits with its exponent field clamped at zero (m = 0 from k = 1022,
 * float 126, where it is far below s's last bit).  For k = 0 (t <
 * ln2/2), d = 0 and sinh = S, the polynomial's own accuracy; below 2^-27
 * (float 2^-12) sinh is x itself (subnormals, whose halving by a = 1/2
 * would round, and -0); elsewhere sinh takes x's sign. */
#include "vmath_emit.h"

#include <math.h>

/* ---- coefficients (jit/gen_vmath.py) ---------------------------------- */

/* cosh_f64 on [0, 0.120137], degree 4: error 3.41e-18 (weighted) */
static const double cosh_f64[] = {
    0x1.28b079f6ff24cp-22, 0x1.a0199655f9bdbp-16, 0x1.6c16c185c2f69p-10,
    0x1.555555554ff8dp-5,  0x1.000000000000cp-1,
};
/* sinh_f64 on [0, 0.120137], degree 4: error 2.62e-19 (weighted) */
static const double sinh_f64[] = {
    0x1.af5ec01f95d48p-26, 0x1.71ddf852f8cc0p-19, 0x1.a01a01afe56a5p-13,
    0x1.111111110f6aep-7,  0x1.5555555555559p-3,
};
/* cosh_f32 on [0, 0.120137], degree 2: error 4.73e-11 (weighted) */
static const double cosh_f32[] = {
    0x1.6d9792p-10, 0x1.55547ep-5, 0x1.000000p-1,
};
/* sinh_f32 on [0, 0.120137], degree 2: error 5.25e-12 (weighted) */
static const double sinh_f32[] = {
    0x1.a16ff2p-13, 0x1.1110b2p-7, 0x1.555556p-3,
};

/* ---- kernels ---------------------------------------------------------- */

LLVMValueRef jx_vm_atan(vm *v, LLVMValueRef x)
{
    LLVMBuilderRef b = v->b;
    LLVMValueRef one = k(v, 1.0);
    LLVMValueRef a = fabs1(v, x);
    LLVMValueRef mid = cmp(v, LLVMRealOGT, a, k(v, 0x1.a827999fcef32p-2));
    LLVMValueRef far = cmp(v, LLVMRealOGT, a, k(v, 0x1.3504f333f9de6p+1));
    LLVMValueRef num = sel(v, mid, sub(v, a, one), a);
    LLVMValueRef den = sel(v, mid, add(v, a, one), one);
    num = sel(v, far, k(v, -1.0), num);
    den = sel(v, far, a, den);
    LLVMValueRef r = LLVMBuildFDiv(b, num, den, "");
    LLVMValueRef q = jx_vm_atan_small(v, r);
    LLVMValueRef res = sel(v, mid, add(v, q, k(v, M_PI_4)), q);
    res = sel(v, far, add(v, q, k(v, M_PI_2)), res);
    return copysign2(v, res, x);
}

LLVMValueRef jx_vm_sinhcosh(vm *v, LLVMValueRef x, bool cosh)
{
    LLVMBuilderRef b = v->b;
    unsigned mant = v->f32 ? 23 : 52, bias = v->f32 ? 127 : 1023;
    double cap = v->f32 ? 89.5 : 710.5;
    LLVMValueRef t = fabs1(v, x);
    t = sel(v, cmp(v, LLVMRealOGT, t, k(v, cap)), k(v, cap), t);
    /* t = k*ln2 + r, k in kd's low bits: exp's reduction */
    LLVMValueRef kd;
    LLVMValueRef r = jx_vm_ln2_reduce(v, t, &kd);
    LLVMValueRef z = mul(v, r, r);
    LLVMValueRef e = v->f32 ? horner(v, z, cosh_f32, NELEM(cosh_f32))
                            : horner(v, z, cosh_f64, NELEM(cosh_f64));
    LLVMValueRef o = v->f32 ? horner(v, z, sinh_f32, NELEM(sinh_f32))
                            : horner(v, z, sinh_f64, NELEM(sinh_f64));
    LLVMValueRef u = mul(v, z, e);                   /* cosh(r) - 1 */
    LLVMValueRef sr = fma3(v, mul(v, r, z), o, r);   /* sinh(r) */
    /* s = 2^(k-2); m = 2^(-k-2), its exponent field bias - 2 - k clamped
     * at 0 (m = +0) */
    LLVMValueRef s = jx_vm_pow2(v, LLVMBuildBitCast(b, kd, v->ti, ""), -2);
    LLVMValueRef kk = jx_vm_shifted_k(v, kd);
    LLVMValueRef me = LLVMBuildSub(b, ki(v, bias - 2), kk, "");
    me = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGT, me, ki(v, 0), ""), me,
                         ki(v, 0), "");
    LLVMValueRef m = LLVMBuildBitCast(b, LLVMBuildShl(b, me, ki(v, mant), ""),
                                      v->t, "");
    LLVMValueRef sa = add(v, s, m), sd = sub(v, s, m);
    if (cosh) { /* 2 (a + (u*a + S*d)) */
        LLVMValueRef q = fma3(v, sr, sd, mul(v, u, sa));
        return mul(v, add(v, sa, q), k(v, 2.0));
    }
    /* 2 (d + (u*d + S*a)), x's sign */
    LLVMValueRef q = fma3(v, sr, sa, mul(v, u, sd));
    LLVMValueRef res = copysign2(v, mul(v, add(v, sd, q), k(v, 2.0)), x);
    LLVMValueRef tiny = k(v, v->f32 ? 0x1p-12 : 0x1p-27);
    return sel(v, cmp(v, LLVMRealOLT, fabs1(v, x), tiny), x, res);
}
