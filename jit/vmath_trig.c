/* vmath_trig.c - sin, cos and tan written out as IR: vmath.c's guarded
 * kernels, which hold for |x| <= 2^24 only.
 *
 * The loop runs these kernels and or-s a flag where an element is out of
 * range (or infinite, or NaN); where a chunk set it, a second loop goes
 * over the chunk again and computes just those elements, with libm's
 * scalar function where an operand is out of range (helpers.c; loops.c,
 * build_fast_loop and exact_guards), so each result depends on its own
 * element only, not on how the array was split or the tier.  A branch-free
 * full-range reduction (Payne-Hanek) would need table gathers on every
 * lane, and the loop vectorizer calls a conditional libm fallback on
 * every lane.
 *
 * The reduction (reduce): x = (k + h)*c + r, c = pi (sin, cos) or pi/2
 * (tan), h = 0 (sin, tan) or 1/2 (cos), k = round(x/c - h), r by three
 * FMA steps with c as the sum of three doubles (the first step is exact;
 * |r| <= c/2 and its relative error stays near 2^-53 for |k| < 2^24, x
 * within 2^-60 of a multiple of pi included).
 *
 *   sin, cos    sin(r) = r + r*z*S(z), z = r*r; the result is (-1)^k
 *                 sin(r), for cos (-1)^(k+1) sin(r) (mathcall.c clamps
 *                 it to [-1, 1], as libmvec's); sin of a zero is that
 *                 zero.
 *   tan         sin(r) = r + r*z*S(z) and cos(r) = 1 + z*(-1/2 + z*C(z))
 *                 side by side, |r| <= pi/4, then tan(x) = sin(r)/cos(r)
 *                 for even k, -cos(r)/sin(r) for odd k: one division, of
 *                 operands chosen by selects of two registers (near a
 *                 pole r is small and its relative error what counts, as
 *                 above); tan of a zero is that zero.
 *   float32     in float, pi as three floats: sin and cos reduce by
 *                 pi/2 as tan does and take sin(r), cos(r), -sin(r) or
 *                 -cos(r) by k mod 4 (cos(0) is then 1 exactly; the
 *                 reduction by pi gave 1 - 2^-24 in float).  x - k*P1 is
 *                 exact (x a multiple of 2^-23 from |x| >= 1, k*P1 of
 *                 2^-22, the difference below 2); the third part's
 *                 truncation (2^-75 of pi) times k stays below 2^-56 for
 *                 |x| <= 2^16, the float kernels' range.
 *
 * Coefficients are jit/gen_vmath.py's. */
#include "vmath.h"
#include "vmath_emit.h"

#include <string.h>

/* sin_f64 on [0, 2.4674], degree 7: error 3.37e-19 */
static const double sin_f64[] = {
    0x1.89a4866f527ebp-49,  -0x1.ae5138c1216b3p-41, 0x1.6124015b5ee3ap-33,
    -0x1.ae6455a1d7087p-26, 0x1.71de3a5456716p-19,  -0x1.a01a01a018aadp-13,
    0x1.1111111111107p-7,   -0x1.5555555555555p-3,
};
/* tsin_f64 on [0, 0.616912], degree 5: error 2.04e-17 */
static const double tsin_f64[] = {
    0x1.5e0b05bff20f2p-33,  -0x1.ae600aca92c64p-26, 0x1.71de379654304p-19,
    -0x1.a01a019e83816p-13, 0x1.1111111110bb2p-7,   -0x1.5555555555555p-3,
};
/* tcos_f64 on [0, 0.616912], degree 5: error 1.28e-18 */
static const double tcos_f64[] = {
    -0x1.907d8f29fe831p-37, 0x1.1eeb68cd22f56p-29, -0x1.27e4fa17bf139p-22,
    0x1.a01a019f4e9b4p-16,  -0x1.6c16c16c16967p-10, 0x1.5555555555555p-5,
};
/* tsin_f32 on [0, 0.616912], degree 3: error 2.81e-11 */
static const double tsin_f32[] = {
    0x1.6dbdeep-19, -0x1.a013a8p-13, 0x1.11110ep-7, -0x1.555556p-3,
};
/* tcos_f32 on [0, 0.616912], degree 2: error 2.01e-9 */
static const double tcos_f32[] = {
    0x1.9bd88p-16, -0x1.6c12d2p-10, 0x1.555554p-5,
};

/* i1: x is out of the kernels' range: |x| > 2^24 (float: 2^16),
 * infinite or NaN. */
static LLVMValueRef out_of_range(vm *v, LLVMValueRef x)
{
    return cmp(v, LLVMRealUGT, fabs1(v, x), k(v, v->f32 ? 0x1p16 : 0x1p24));
}

/* r of x = (k + h)*c + r (the header); *kd holds k in its low bits. */
static LLVMValueRef reduce(vm *v, LLVMValueRef x, bool half, double h,
                           LLVMValueRef *kd)
{
    LLVMBuilderRef b = v->b;
    double shifter = v->f32 ? 0x1.8p23 : 0x1.8p52;
    double inv = v->f32 ? 0x1.45f306p-2 : 0x1.45f306dc9c883p-2; /* 1/pi */
    double scale = half ? 0.5 : 1.0;
    LLVMValueRef t = fma3(v, x, k(v, inv / scale), k(v, -h)); /* x/c - h */
    *kd = add(v, t, k(v, shifter));                          /* k, low bits */
    LLVMValueRef kf = sub(v, *kd, k(v, shifter));
    if (h != 0)
        kf = add(v, kf, k(v, h));
    LLVMValueRef nk = LLVMBuildFNeg(b, kf, "");
    static const double pi3[2][3] = {
        {0x1.921fb54442d18p+1, 0x1.1a62633145c07p-53, -0x1.f1976b7ed8fbcp-109},
        {0x1.921fb6p+1, -0x1.777a5cp-24, -0x1.ee59dap-49},
    };
    LLVMValueRef r = x;
    for (int i = 0; i < 3; i++) {
        LLVMValueRef fa[3] = {nk, k(v, pi3[v->f32][i] * scale), r};
        r = intrin(v, "llvm.fma", fa, 3); /* exact products: true FMA */
    }
    return r;
}

/* sin or cos (cos) of a double x. */
static LLVMValueRef sin_cos(vm *v, LLVMValueRef x, bool cos, const double *c,
                           int nc)
{
    LLVMBuilderRef b = v->b;
    LLVMValueRef kd;
    LLVMValueRef r = reduce(v, x, false, cos ? 0.5 : 0.0, &kd);
    LLVMValueRef z = mul(v, r, r);
    LLVMValueRef s = fma3(v, mul(v, r, z), horner(v, z, c, nc), r);
    /* the sign: bit 0 of k (plus one for cos) into the sign bit */
    LLVMValueRef kb = LLVMBuildBitCast(b, kd, v->ti, "");
    if (cos)
        kb = LLVMBuildAdd(b, kb, ki(v, 1), "");
    LLVMValueRef sb = LLVMBuildXor(b, LLVMBuildBitCast(b, s, v->ti, ""),
                                   LLVMBuildShl(b, kb, ki(v, 63), ""),
                                   "");
    s = LLVMBuildBitCast(b, sb, v->t, "");
    if (!cos) /* sin(-0) is -0: r lost the sign in the FMA with pi's
               * negative third part (x != 0 leaves |r| >= 2^-60) */
        s = sel(v, cmp(v, LLVMRealOEQ, x, k(v, 0.0)), x, s);
    return s;
}

/* sin(r) and cos(r), |r| <= pi/4, side by side (tan and float32 sin and
 * cos): *s and *c. */
static void sin_cos_r(vm *v, LLVMValueRef r, const double *cs, int ns,
                      const double *cc, int nc, LLVMValueRef *s, LLVMValueRef *c)
{
    LLVMValueRef z = mul(v, r, r);
    *s = fma3(v, mul(v, r, z), horner(v, z, cs, ns), r);
    *c = fma3(v, z, fma3(v, z, horner(v, z, cc, nc), k(v, -0.5)), k(v, 1.0));
}

/* sin or cos (cos) of a float x: x = k*pi/2 + r, and by k mod 4 (plus
 * one for cos) sin(r), cos(r), -sin(r), -cos(r).  cos(r) near r = 0 is
 * 1 + (a small negative number): cos(0) is 1 exactly, as in NumPy (the
 * reduction by pi that float64 uses gave 1 - 2^-24 there in float). */
static LLVMValueRef sin_cos_f32(vm *v, LLVMValueRef x, bool cos)
{
    LLVMBuilderRef b = v->b;
    LLVMValueRef kd, s, c;
    LLVMValueRef r = reduce(v, x, true, 0.0, &kd);
    sin_cos_r(v, r, tsin_f32, NELEM(tsin_f32), tcos_f32, NELEM(tcos_f32), &s, &c);
    LLVMValueRef kb = LLVMBuildBitCast(b, kd, v->ti, "");
    if (cos)
        kb = LLVMBuildAdd(b, kb, ki(v, 1), "");
    LLVMTypeRef i1 = LLVMInt1TypeInContext(LLVMGetTypeContext(v->ti));
    LLVMValueRef odd = LLVMBuildTrunc(b, kb, i1, "");
    LLVMValueRef res = sel(v, odd, c, s);
    /* bit 1 of k into the sign bit */
    LLVMValueRef sb = LLVMBuildXor(
        b, LLVMBuildBitCast(b, res, v->ti, ""),
        LLVMBuildShl(b, LLVMBuildAnd(b, kb, ki(v, 2), ""), ki(v, 30), ""), "");
    res = LLVMBuildBitCast(b, sb, v->t, "");
    if (!cos) /* sin(-0) is -0 */
        res = sel(v, cmp(v, LLVMRealOEQ, x, k(v, 0.0)), x, res);
    return res;
}

/* tan of x. */
static LLVMValueRef tan1(vm *v, LLVMValueRef x, const double *cs, int ns,
                         const double *cc, int nc)
{
    LLVMBuilderRef b = v->b;
    LLVMValueRef kd;
    LLVMValueRef r = reduce(v, x, true, 0.0, &kd);
    LLVMValueRef s, c;
    sin_cos_r(v, r, cs, ns, cc, nc, &s, &c);
    LLVMValueRef kb = LLVMBuildBitCast(b, kd, v->ti, "");
    LLVMValueRef odd = LLVMBuildTrunc(b, kb, LLVMInt1TypeInContext(
                                                 LLVMGetTypeContext(v->ti)), "");
    LLVMValueRef num = sel(v, odd, LLVMBuildFNeg(b, c, ""), s);
    LLVMValueRef den = sel(v, odd, s, c);
    LLVMValueRef t = LLVMBuildFDiv(b, num, den, "");
    return sel(v, cmp(v, LLVMRealOEQ, x, k(v, 0.0)), x, t); /* tan(-0) */
}

bool jx_vm_has_guarded(const char *fn, bool f32)
{
    (void)f32;
    return strcmp(fn, "sin") == 0 || strcmp(fn, "cos") == 0 ||
           strcmp(fn, "tan") == 0;
}

LLVMValueRef jx_vm_emit_guarded(LLVMBuilderRef b, const char *fn,
                                LLVMValueRef *x, bool fma, LLVMValueRef *exact)
{
    vm v = vm_init(b, x[0], fma);
    *exact = out_of_range(&v, x[0]);
    bool tan = strcmp(fn, "tan") == 0, cos = strcmp(fn, "cos") == 0;
    if (tan)
        return v.f32 ? tan1(&v, x[0], tsin_f32, NELEM(tsin_f32), tcos_f32,
                            NELEM(tcos_f32))
                     : tan1(&v, x[0], tsin_f64, NELEM(tsin_f64), tcos_f64,
                            NELEM(tcos_f64));
    return v.f32 ? sin_cos_f32(&v, x[0], cos)
                 : sin_cos(&v, x[0], cos, sin_f64, NELEM(sin_f64));
}

LLVMValueRef jx_vm_emit_guard(LLVMBuilderRef b, LLVMValueRef *x)
{
    vm v = vm_init(b, x[0], false);
    return out_of_range(&v, x[0]);
}
