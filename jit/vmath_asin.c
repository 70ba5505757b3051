/* vmath_asin.c - asin(x) and acos(x) written out as IR, for vmath.c's
 * jx_vm_emit (its coefficients, as vmath.c's, are jit/gen_vmath.py's).
 *
 * One polynomial for both, on one interval: asin(t) = t + t*z*P(z), z =
 * t*t, t in [0, 1/2], P of degree 11 (float: 4), fitted to keep z*(P -
 * p), the error relative to asin(t), smallest.  With a = |x|:
 *
 *   a <= 1/2   t = a, z = a*a: asin(a) = t + t*z*P(z);
 *   a > 1/2    z = (1 - a)/2 (exact: one FMA, 1/2 - a/2), t = sqrt(z):
 *              asin(a) = pi/2 - 2*asin(t), and asin(x) has x's sign;
 *   acos(x)    = pi/2 - asin(x) for a <= 1/2, 2*asin(t) for x > 1/2,
 *              pi - 2*asin(t) for x < -1/2.
 *
 * Every case is C + (T + (C_lo + T*z*P(z))) with T = a, -2t, 2t or -x and
 * C = j*pi/2 = j*pi/2_hi + j*pi/2_lo, j = 0, 1 or 2: C as a double-double
 * (pi/2 rounded is 0.55 ULP off near asin(1/2) = pi/6, where pi/2 -
 * 2*asin(t) is a third of pi/2), j*pi/2_hi added last, by an FMA with j.
 * j comes from b, a rounded to an integer by the shifter 2^52 (float:
 * 2^23), ties to even: 1 exactly where a > 1/2 (a NaN result past 1
 * anyway); asin's j is b, acos's 1 + b with -x's sign.  Not uitofp of the
 * compare: the scalar loop made that a select of 1.0 and 0.0, a masked
 * load (vmath.c's header), and it took three instructions to the
 * shifter's two.
 *
 * Accuracy (docs/math.md): at most 1.71 ULP (float 1.64), asin just above
 * 1/2, where T + (...) passes 1 and rounds at 2^-52, two of the result's
 * ULPs; the square root's rounding adds up to 0.58 ULP there.  Adding
 * pi/2_hi - 2t first is exact near 1/2 (Sterbenz) but rounds where it
 * passes 1 and the result is just below it (2.08 ULP); both, with the
 * rounding error of the first sum carried (Fast2Sum: 1.22 ULP), cost 10%
 * of asin's time.  P by pairs_horner in float64: 9% faster than Horner's
 * rule (0.395 against 0.437 ns/element); float keeps Horner's rule at
 * degree 4 (pairs need an even count).
 *
 * NaN stays NaN (a NaN a takes the first branch, every step keeps it);
 * |x| > 1 and the infinities take the square root of a negative z: NaN,
 * as NumPy.  asin(+-0) is +-0 (t = 0, the sign copied from x), acos(1) is
 * +0, acos(-1) pi rounded. */
#include "vmath_emit.h"

#include <math.h>

/* ---- coefficients (jit/gen_vmath.py) ---------------------------------- */

/* asin_f64 on [0, 0.25], degree 11: error 1.52e-17 (weighted) */
static const double asin_f64[] = {
    0x1.05ceb2e44ef99p-5, -0x1.0af5fe3d43fd5p-6, 0x1.40b2bb8127639p-6,
    0x1.aab23a48398dcp-8, 0x1.8ee4d894bcf04p-7,  0x1.c6f874bdfaea0p-7,
    0x1.1c6c284961180p-6, 0x1.6e89ef6eb854cp-6,  0x1.f1c72c6de0d0ap-6,
    0x1.6db6db41d19f2p-5, 0x1.333333336f8d1p-4,  0x1.5555555555387p-3,
};
/* asin_f32 on [0, 0.25], degree 4: error 4.97e-9 (weighted) */
static const double asin_f32[] = {
    0x1.59dab6p-5, 0x1.8ba26cp-6, 0x1.748c62p-5, 0x1.33014ep-4, 0x1.5555cap-3,
};

/* pi/2 = hi + lo, hi rounded to the type */
#define PI2_HI_F64 0x1.921fb54442d18p+0
#define PI2_LO_F64 0x1.1a62633145c07p-54
#define PI2_HI_F32 0x1.921fb6p+0
#define PI2_LO_F32 -0x1.777a5cp-25

/* asin(x), or acos(x) where acos. */
LLVMValueRef jx_vm_asin(vm *v, LLVMValueRef x, bool acos)
{
    LLVMBuilderRef b = v->b;
    double hi = v->f32 ? PI2_HI_F32 : PI2_HI_F64;
    double lo = v->f32 ? PI2_LO_F32 : PI2_LO_F64;
    LLVMValueRef a = fabs1(v, x);
    LLVMValueRef big = cmp(v, LLVMRealOGT, a, k(v, 0.5));
    LLVMValueRef z = sel(v, big, fma3(v, a, k(v, -0.5), k(v, 0.5)), mul(v, x, x));
    LLVMValueRef s = intrin(v, "llvm.sqrt", &z, 1);
    LLVMValueRef p = v->f32 ? horner(v, z, asin_f32, NELEM(asin_f32))
                            : pairs_horner(v, z, asin_f64, NELEM(asin_f64));
    /* big as 0 or 1 (the header says why not uitofp) */
    LLVMValueRef sh = k(v, v->f32 ? 0x1p23 : 0x1p52);
    LLVMValueRef bf = sub(v, add(v, a, sh), sh);
    if (!acos) {
        /* T = -2t (big) or a */
        LLVMValueRef t = sel(v, big, mul(v, s, k(v, -2.0)), a);
        LLVMValueRef l = fma3(v, mul(v, t, z), p, mul(v, bf, k(v, lo)));
        return copysign2(v, fma3(v, bf, k(v, hi), add(v, t, l)), x);
    }
    /* T = 2t with x's sign (big) or -x; j = 1 + (big with -x's sign) */
    LLVMValueRef nx = LLVMBuildFNeg(b, x, "");
    LLVMValueRef t = sel(v, big, copysign2(v, add(v, s, s), x), nx);
    LLVMValueRef j = add(v, copysign2(v, bf, nx), k(v, 1.0));
    LLVMValueRef l = fma3(v, mul(v, t, z), p, mul(v, j, k(v, lo)));
    return fma3(v, j, k(v, hi), add(v, t, l));
}
