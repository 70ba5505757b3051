/* vmath_pow.c - pow(x, y) written out as IR, for vmath.c's jx_vm_emit
 * (vmath.c's header comment has the summary and the timings; its
 * coefficients, as vmath.c's, are jit/gen_vmath.py's).
 *
 * pow(x, y) = 2^(y * log2|x|), then the sign and the special cases.
 * log2|x| = e + log2(m), m in [sqrt(1/2), sqrt(2)), s = (m - 1)/(m + 1),
 * log2(m) = 2/(3 ln 2) * s * q, q = 3 atanh(s)/s = 3 + z + z*z*R(z),
 * z = s*s.  float64 needs y*log2|x| to about 2^-63 of itself (it reaches
 * 1075, and an error d in it is d*ln2 of the result), so s, z, 3 + z,
 * s*q and the sum with e are double-doubles (exact products by FMA);
 * only z*z*R, at most 2^-11 of q, is plain double.  Then t = y*log2|x|
 * = th + tl, k = round(th), r = th - k (exact, |r| <= 1/2), 2^(r + tl)
 * = 2^r (1 + tl ln2), 2^r = 1 + r*E(r), and 2^k in two factors so that
 * k may reach +-1100; past that the result is inf or 0 (a select at the
 * end).  float32 computes the same in float, with float-floats where
 * float64 has double-doubles (its y*log2|x| reaches 150 and needs about
 * 2^-33 of itself), without the step that moves z*z*R back into the
 * high part (its low part instead joins r before the polynomial, within
 * [-0.56, 0.56]).  It used to compute in double without the
 * double-doubles: the vector loop then ran at 8 lanes, its float parts
 * in ymm and its double parts in zmm, two divisions per 16 elements,
 * 0.87 ns/element against NumPy's 0.61; in float, 16 lanes, 0.70
 * (docs/math.md).  The special cases are decided before the logarithm
 * (log2|x| is replaced by -inf, inf, NaN; |x| by 1 where y is 0, y by 0
 * where |x| is 1) so that few values live through the kernel:
 * interleaved by 4, the loop ran out of registers.  Setting the 1s there
 * instead of by two selects of y*log2|x| took the float32 loop from 479
 * to 456 instructions per 64 elements, its stack accesses from 22 to 16,
 * and a**b from 0.69-0.82 to 0.59-0.63 ms at n = 1e6 (NumPy 0.60-0.72;
 * docs/math.md, "pow against NumPy's time"). */
#include "vmath_emit.h"

#include <float.h>
#include <math.h>

/* ---- coefficients (jit/gen_vmath.py) ---------------------------------- */

/* powlog_f64 on [0, 0.0294402], degree 6: error 3.34e-20 (weighted) */
static const double powlog_f64[] = {
    0x1.95647f8824c68p-3, 0x1.973fd16dec83cp-3, 0x1.d8ae629a23b72p-3,
    0x1.1745af691168dp-2, 0x1.555555a210f54p-2, 0x1.b6db6db683baap-2,
    0x1.3333333333464p-1,
};
/* powexp2_f64 on [-0.5001, 0.5001], degree 10: error 3.38e-18 (weighted) */
static const double powexp2_f64[] = {
    0x1.e79b9488c14f4p-32, 0x1.e61b71ac02d75p-28, 0x1.b5267d23b9165p-24,
    0x1.62bfc78ab0de3p-20, 0x1.ffcbfba949f28p-17, 0x1.4309130edfb69p-13,
    0x1.5d87fe78cd7d3p-10, 0x1.3b2ab6fba00fap-7,  0x1.c6b08d7049fe7p-5,
    0x1.ebfbdff82c5a4p-3,  0x1.62e42fefa39efp-1,
};
/* powlog_f32 on [0, 0.0294402], degree 2: error 2.54e-11 (weighted) */
static const double powlog_f32[] = {
    0x1.67b61ap-2, 0x1.b67be0p-2, 0x1.333380p-1,
};
/* powexp2_f32 on [-0.56, 0.56], degree 5: error 4.39e-9 (weighted); r
 * there takes the low part of y*log2|x| too */
static const double powexp2_f32[] = {
    0x1.41b45cp-13, 0x1.5fac1cp-10, 0x1.3b2eccp-7,
    0x1.c6adfep-5,  0x1.ebfbd8p-3,  0x1.62e432p-1,
};

/* a * b + c rounded once (an exact product's error: not fmuladd). */
static LLVMValueRef fma_exact(vm *v, LLVMValueRef a, LLVMValueRef b,
                              LLVMValueRef c)
{
    LLVMValueRef args[3] = {a, b, c};
    return intrin(v, "llvm.fma", args, 3);
}

static LLVMValueRef neg(vm *v, LLVMValueRef x)
{
    return LLVMBuildFNeg(v->b, x, "");
}

static LLVMValueRef as_int(vm *v, LLVMValueRef x)
{
    return LLVMBuildBitCast(v->b, x, v->ti, "");
}

static LLVMValueRef as_real(vm *v, LLVMValueRef x)
{
    return LLVMBuildBitCast(v->b, x, v->t, "");
}

/* c[0] * x^(n-1) + ... + c[n-1] by Estrin's scheme (n <= 16): pairs a +
 * b*x, then pairs of those with x^2, x^4, ...: a chain of log2(n) steps
 * instead of n - 1, for about log2(n) more multiplications.  The pow loop
 * is bound by its longest chain more than by its instructions: it ran
 * 1.5 times as fast interleaved by 4 (llvm.loop.interleave.count), but
 * then out of registers, and reloaded spilled values under a mask. */
static LLVMValueRef estrin(vm *v, LLVMValueRef x, const double *c, int n)
{
    LLVMValueRef t[8];
    int m = 0;
    for (int i = 0; i < n; i += 2) /* c[n-1-i] is x^i's */
        t[m++] = i + 1 < n ? fma3(v, k(v, c[n - 2 - i]), x, k(v, c[n - 1 - i]))
                           : k(v, c[n - 1 - i]);
    for (LLVMValueRef xp = mul(v, x, x); m > 1; xp = mul(v, xp, xp)) {
        int j = 0;
        for (int i = 0; i < m; i += 2)
            t[j++] = i + 1 < m ? fma3(v, t[i + 1], xp, t[i]) : t[i];
        if ((m = j) == 1)
            break;
    }
    return t[0];
}

/* The constants of one precision: its floating-point format, and what
 * the kernel needs of it. */
typedef struct pow_prec {
    int mant;                 /* bits of the significand's fraction */
    int bias;                 /* of the exponent field */
    unsigned long long sqrt_half; /* the bits of sqrt(1/2), rounded */
    double max;               /* the largest finite value */
    double ch, cl;            /* 2/(3 ln 2) = ch + cl */
    double big;               /* |y*log2|x|| past it: inf or 0 */
    double huge;              /* big * huge overflows */
    double shifter;           /* 1.5 * 2^mant: round to an integer */
    const double *logr;       /* R(z), log2's polynomial */
    int nlogr;
    const double *exp2e;      /* E(r), 2^r = 1 + r*E(r) */
    int nexp2e;
} pow_prec;

static const pow_prec prec_f64 = {
    52, 1023, 0x3fe6a09e667f3bcdULL, DBL_MAX,
    0x1.ec709dc3a03fdp-1, 0x1.d27f05548af0cp-55, 1100.0, 0x1p1023, 0x1.8p52,
    powlog_f64, NELEM(powlog_f64), powexp2_f64, NELEM(powexp2_f64),
};
/* big: results past 2^128 and below 2^-150 are inf and 0, and with
 * |k| <= 160 both factors of 2^k below are normal floats */
static const pow_prec prec_f32 = {
    23, 127, 0x3f3504f3ULL, FLT_MAX,
    0x1.ec709ep-1, -0x1.e2fe02p-28, 160.0, 0x1p127, 0x1.8p23,
    powlog_f32, NELEM(powlog_f32), powexp2_f32, NELEM(powexp2_f32),
};

/* 2^r - 1 = r*E(r), |r| <= 1/2 (float: 0.56), by Horner's rule on pow's
 * table of E: exp2 (vmath_logexp.c) needs the same polynomial. */
LLVMValueRef jx_vm_exp2m1(vm *v, LLVMValueRef r)
{
    const pow_prec *pp = v->f32 ? &prec_f32 : &prec_f64;
    return mul(v, r, horner(v, r, pp->exp2e, pp->nexp2e));
}

/* For a positive ax, normal or not: e and m with ax = 2^e * m, m in
 * [sqrt(1/2), sqrt(2)); e in the float type.  A subnormal ax is scaled
 * by 2^mant and its exponent field lowered by mant, to below zero: the
 * integer arithmetic below takes that as it is.  (Zero gives a finite m
 * and e, infinity and NaN m = 1 and 1.5.)  e is fix where fixm: then
 * log2|x| and y*log2|x| are infinite or NaN (x zero, infinite, NaN, or
 * negative with y no integer), and the values that say so need not live
 * through the kernel (with the loop interleaved by 4, they were spilled).
 * No select of a constant here
 * or below: LLVM makes those masked loads of the constant pool
 * (test_no_masked_loads). */
static LLVMValueRef pow_split(vm *v, const pow_prec *pp, LLVMValueRef ax,
                              LLVMValueRef *e, LLVMValueRef fixm,
                              LLVMValueRef fix)
{
    LLVMBuilderRef b = v->b;
    LLVMValueRef bits = as_int(v, ax);
    LLVMValueRef sc = LLVMBuildSub(
        b, as_int(v, mul(v, ax, k(v, ldexp(1.0, pp->mant)))),
        ki(v, (unsigned long long)pp->mant << pp->mant), "");
    LLVMValueRef tiny = LLVMBuildICmp(b, LLVMIntSLT, sc, ki(v, 1ULL << pp->mant), "");
    bits = sel(v, tiny, sc, bits);
    LLVMValueRef ei = LLVMBuildAShr(
        b, LLVMBuildSub(b, bits, ki(v, pp->sqrt_half), ""), ki(v, pp->mant), "");
    *e = sel(v, fixm, fix, LLVMBuildSIToFP(b, ei, v->t, ""));
    return as_real(v, LLVMBuildSub(b, bits, LLVMBuildShl(b, ei, ki(v, pp->mant), ""), ""));
}

/* log2(ax) = *hi + *lo (fix where fixm), as a double-double (a
 * float-float): to about 2^-66 of itself (float 2^-40), |*lo| about 2^-53
 * of it (float: up to 2^-12, see pow_exp2). */
static void pow_log2(vm *v, const pow_prec *pp, LLVMValueRef ax,
                     LLVMValueRef fixm, LLVMValueRef fix, LLVMValueRef *hi,
                     LLVMValueRef *lo)
{
    LLVMValueRef e, m = pow_split(v, pp, ax, &e, fixm, fix);
    /* s = f/d, f = m - 1 (exact), d = m + 1 = dh + dl (1 and m share
     * the exponent 0 or m is smaller: the low part is exact) */
    LLVMValueRef f = sub(v, m, k(v, 1.0));
    LLVMValueRef dh = add(v, m, k(v, 1.0));
    LLVMValueRef dl = sub(v, m, sub(v, dh, k(v, 1.0)));
    LLVMValueRef inv = LLVMBuildFDiv(v->b, k(v, 1.0), dh, "");
    LLVMValueRef sh = mul(v, f, inv);
    LLVMValueRef res = fma_exact(v, neg(v, sh), dh, f); /* f - sh*dh */
    res = fma_exact(v, neg(v, sh), dl, res);
    LLVMValueRef sl = mul(v, res, inv);
    /* z = s*s = zh + zl */
    LLVMValueRef zh = mul(v, sh, sh);
    LLVMValueRef zl = fma_exact(v, sh, sh, neg(v, zh));
    zl = fma_exact(v, add(v, sh, sh), sl, zl);
    /* q = 3 + z + z*z*R(z) = qh + ql */
    LLVMValueRef r = mul(v, mul(v, zh, zh), estrin(v, zh, pp->logr, pp->nlogr));
    LLVMValueRef qh = add(v, k(v, 3.0), zh);
    LLVMValueRef ql = add(v, sub(v, zh, sub(v, qh, k(v, 3.0))), add(v, zl, r));
    /* p = s*q, then c*p, c = 2/(3 ln 2) = ch + cl */
    LLVMValueRef ph = mul(v, sh, qh);
    LLVMValueRef pl = fma_exact(v, sh, qh, neg(v, ph));
    pl = fma_exact(v, sh, ql, fma_exact(v, sl, qh, pl));
    LLVMValueRef ch_ph = mul(v, k(v, pp->ch), ph);
    LLVMValueRef ll = fma_exact(v, k(v, pp->ch), ph, neg(v, ch_ph));
    ll = fma_exact(v, k(v, pp->ch), pl, fma_exact(v, k(v, pp->cl), ph, ll));
    /* ch_ph + ll is log2(m), but ll reaches 2^-12 of it (z*z*R went to
     * ql): in double, lh, about log2(m), takes z*z*R, and ll what is left
     * (the two are within a factor 2: the difference is exact); float
     * adds the low part of y*log2|x| to r in pow_exp2 instead */
    LLVMValueRef lh = ch_ph;
    if (!v->f32) {
        lh = fma3(v, mul(v, k(v, pp->ch), sh), r, ch_ph);
        ll = add(v, sub(v, ch_ph, lh), ll);
    }
    /* e + l: |lh| <= 1/2 <= |e| or e = 0, so the low part is exact (e
     * infinite or NaN: *hi too, *lo NaN) */
    *hi = add(v, e, lh);
    *lo = add(v, add(v, sub(v, e, *hi), lh), ll);
}

/* 2^k for an integer k in the exponent's normal range, k in the low
 * bits of kbits (the bits above mant + 1 shifted out). */
static LLVMValueRef pow_scale(vm *v, const pow_prec *pp, LLVMValueRef kbits)
{
    LLVMBuilderRef b = v->b;
    return as_real(v, LLVMBuildAdd(b, LLVMBuildShl(b, kbits, ki(v, (unsigned long long)pp->mant), ""),
                                   ki(v, (unsigned long long)pp->bias << pp->mant), ""));
}

/* 2^(y*l), l = lh + ll an extended log2|x| (infinite or NaN where x is
 * special, finite where y is 0). */
static LLVMValueRef pow_exp2(vm *v, const pow_prec *pp, LLVMValueRef y,
                             LLVMValueRef lh, LLVMValueRef ll)
{
    LLVMBuilderRef b = v->b;
    LLVMValueRef th0 = mul(v, y, lh);
    LLVMValueRef th = th0;
    /* past +-big the result is infinite or zero in the type: set at the
     * end (no clamp here, on the longest chain; NaN is not big) */
    LLVMValueRef big = cmp(v, LLVMRealOGT, fabs1(v, th), k(v, pp->big));
    /* tl: y*l - th0, NaN where l is not finite (then th is big or NaN) */
    LLVMValueRef tl = fma_exact(v, y, ll, fma_exact(v, y, lh, neg(v, th0)));
    LLVMValueRef kd = add(v, th, k(v, pp->shifter)); /* k in the low bits */
    /* k1 about k/2 in kd1's low bits, for 2^k in two factors below */
    LLVMValueRef kd1 = fma3(v, th, k(v, 0.5), k(v, pp->shifter));
    LLVMValueRef r = sub(v, th, intrin(v, "llvm.roundeven", &th, 1)); /* exact */
    LLVMValueRef p;
    if (v->f32) {
        /* |tl| < 2^-5 (|y*l| <= 160, ll up to 2^-12 of l): r + tl,
         * rounded (2^-25), within the polynomial's [-0.56, 0.56] */
        r = add(v, r, tl);
        /* p = r*e0 + r^2*E2(r), E = e0 + r*E2: Estrin's scheme (a chain
         * of 12 cycles less than Horner's; the loop waits on it) with
         * the leading term in one FMA, so that E's rounding errors stay
         * in the smaller term (r*E by Estrin: 1.7 ULP) */
        p = fma3(v, r, k(v, pp->exp2e[pp->nexp2e - 1]),
                 mul(v, mul(v, r, r), estrin(v, r, pp->exp2e, pp->nexp2e - 1)));
    } else {
        /* 2^(r + tl) = 2^r (1 + c), c = tl ln2 (|tl| < 2^-40): p = r(1 +
         * c)E(r) + c, so that tl, the end of the longest chain, joins
         * only there */
        LLVMValueRef c = mul(v, tl, k(v, M_LN2));
        LLVMValueRef e = estrin(v, r, pp->exp2e, pp->nexp2e);
        p = fma3(v, fma3(v, r, c, r), e, c);
    }
    /* 2^k in two factors, 2^k1 and 2^(k - k1), so that k may reach +-big
     * and a subnormal result is rounded once, by the last multiplication
     * (the shifter's bits end in mant + 1 zeros: kd1's bits shifted left
     * by mant are k1's) */
    LLVMValueRef s1 = pow_scale(v, pp, as_int(v, kd1));
    LLVMValueRef s2 = pow_scale(v, pp, LLVMBuildSub(b, as_int(v, kd), as_int(v, kd1), ""));
    LLVMValueRef res = mul(v, fma3(v, s1, p, s1), s2);
    /* big: inf or 0, as max(th, 0) * huge (a select of a constant inf
     * would be a masked load of the constant pool) */
    LLVMValueRef over = mul(v, sel(v, cmp(v, LLVMRealOGT, th, k(v, 0.0)), th, k(v, 0.0)),
                            k(v, pp->huge));
    return sel(v, big, over, res);
}

LLVMValueRef jx_vm_pow(vm *v, LLVMValueRef x, LLVMValueRef y)
{
    LLVMBuilderRef b = v->b;
    const pow_prec *pp = v->f32 ? &prec_f32 : &prec_f64;
    /* |x|, but 1 where y is 0 (y + 1: a select of a constant would be a
     * masked load), so that 0, inf and NaN are not special there: the
     * result is 1, as where |x| is 1.  A constant x stays, and its
     * logarithm a constant: there special is and-ed with y != 0 instead
     * (for x in a register, LLVM made that a compare with a constant
     * under a mask). */
    bool xconst = LLVMIsAConstant(x) != NULL;
    LLVMValueRef yz = cmp(v, LLVMRealOEQ, y, k(v, 0.0));
    LLVMValueRef ax = fabs1(v, x), lh, ll;
    if (!xconst)
        ax = sel(v, yz, add(v, y, k(v, 1.0)), ax);
    /* x = 0, inf, NaN (ax's bits - 1 unsigned past the largest finite):
     * log2|x| is w = (|x| - 1) * inf = -inf, inf, NaN; other negative x
     * with y no integer: NaN (w - w: inf - inf, or NaN where x is -1) */
    LLVMValueRef w = mul(v, sub(v, ax, k(v, 1.0)), k(v, INFINITY));
    LLVMValueRef special = LLVMBuildICmp(
        b, LLVMIntUGE, LLVMBuildSub(b, as_int(v, ax), ki(v, 1), ""),
        as_int(v, k(v, pp->max)), "");
    if (xconst)
        special = LLVMBuildAnd(b, special, LLVMBuildNot(b, yz, ""), "");
    LLVMValueRef yint = cmp(v, LLVMRealOEQ, intrin(v, "llvm.floor", &y, 1), y);
    LLVMValueRef bad = LLVMBuildAnd(b, cmp(v, LLVMRealOLT, x, k(v, 0.0)),
                                    LLVMBuildNot(b, yint, ""), "");
    pow_log2(v, pp, ax, LLVMBuildOr(b, special, bad, ""),
             sel(v, special, w, sub(v, w, w)), &lh, &ll);
    /* the result is 1 where |x| = 1 (x = -1: +-1 by y's parity below),
     * y infinite or NaN included: y*log2|x| there is 0 * y, so y is
     * replaced by 0 (no select of y*l late in the kernel); but NaN where
     * x = -1 and y is no integer (NaN included: log2|x| is NaN there, and
     * 0 * NaN too).  Not for a finite constant y (a**2.5): y*0 is 0
     * there, and the select would be a masked load of the constant. */
    LLVMBool lost;
    LLVMValueRef yl = y;
    if (!LLVMIsAConstantFP(y) || !isfinite(LLVMConstRealGetDouble(y, &lost)))
        yl = sel(v, cmp(v, LLVMRealOEQ, ax, k(v, 1.0)), k(v, 0.0), y);
    LLVMValueRef a = pow_exp2(v, pp, yl, lh, ll);
    /* x's sign where y is an odd integer (its half is no integer) */
    LLVMValueRef yh = mul(v, y, k(v, 0.5));
    LLVMValueRef odd = LLVMBuildAnd(
        b, yint, cmp(v, LLVMRealONE, intrin(v, "llvm.floor", &yh, 1), yh), "");
    return copysign2(v, a, sel(v, odd, x, k(v, 0.0)));
}
