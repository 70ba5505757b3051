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
 * end).  float32 computes the same in double, without the
 * double-doubles. */
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
/* powlog_f32 on [0, 0.0294402], degree 4: error 4.21e-12 (weighted) */
static const double powlog_f32[] = {
    0x1.5ce859e8dfc8ep-2, 0x1.a58d8886467e5p-2, 0x1.27777fe8fcb5dp-1,
    0x1.ec709d12cf058p-1, 0x1.71547652bedf3p+1,
};
/* powexp2_f32 on [-0.5001, 0.5001], degree 5: error 1.98e-9 (weighted) */
static const double powexp2_f32[] = {
    0x1.41fb9d9c68898p-13, 0x1.5f3e800e0f95ep-10, 0x1.3b2d4d7f3bba1p-7,
    0x1.c6aee837f81ecp-5,  0x1.ebfbdc3afef55p-3,  0x1.62e430af621bfp-1,
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

/* For a positive double ax, normal or not: e and m with ax = 2^e * m, m
 * in [sqrt(1/2), sqrt(2)); e as a double.  A subnormal ax is scaled by
 * 2^52 and its exponent field lowered by 52, to below zero: the integer
 * arithmetic below takes that as it is.  (Zero gives a finite m and e,
 * infinity and NaN m = 1 and 1.5 with e = 1024.)  No select of a constant
 * here or below: LLVM makes those masked loads of the constant pool
 * (test_no_masked_loads). */
static LLVMValueRef pow_split(vm *v, LLVMValueRef ax, LLVMValueRef *e,
                              bool subnormal)
{
    LLVMBuilderRef b = v->b;
    const unsigned long long sqrt_half = 0x3fe6a09e667f3bcdULL;
    LLVMValueRef bits = as_int(v, ax);
    if (subnormal) {
        LLVMValueRef sc = LLVMBuildSub(b, as_int(v, mul(v, ax, k(v, 0x1p52))),
                                       ki(v, 52ULL << 52), "");
        LLVMValueRef tiny = LLVMBuildICmp(b, LLVMIntSLT, sc, ki(v, 1ULL << 52), "");
        bits = sel(v, tiny, sc, bits);
    }
    LLVMValueRef ei = LLVMBuildAShr(
        b, LLVMBuildSub(b, bits, ki(v, sqrt_half), ""), ki(v, 52), "");
    *e = LLVMBuildSIToFP(b, ei, v->t, "");
    return as_real(v, LLVMBuildSub(b, bits, LLVMBuildShl(b, ei, ki(v, 52), ""), ""));
}

/* log2(ax) = *hi + *lo to about 2^-66 of itself, |*lo| about 2^-53 of
 * it, ax > 0 finite (double). */
static void pow_log2(vm *v, LLVMValueRef ax, LLVMValueRef *hi, LLVMValueRef *lo)
{
    LLVMValueRef e, m = pow_split(v, ax, &e, true);
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
    LLVMValueRef r = mul(v, mul(v, zh, zh), estrin(v, zh, powlog_f64, NELEM(powlog_f64)));
    LLVMValueRef qh = add(v, k(v, 3.0), zh);
    LLVMValueRef ql = add(v, sub(v, zh, sub(v, qh, k(v, 3.0))), add(v, zl, r));
    /* p = s*q, then c*p, c = 2/(3 ln 2) = ch + cl */
    LLVMValueRef ph = mul(v, sh, qh);
    LLVMValueRef pl = fma_exact(v, sh, qh, neg(v, ph));
    pl = fma_exact(v, sh, ql, fma_exact(v, sl, qh, pl));
    const double ch = 0x1.ec709dc3a03fdp-1, cl = 0x1.d27f05548af0cp-55;
    LLVMValueRef ch_ph = mul(v, k(v, ch), ph);
    LLVMValueRef ll = fma_exact(v, k(v, ch), ph, neg(v, ch_ph));
    ll = fma_exact(v, k(v, ch), pl, fma_exact(v, k(v, cl), ph, ll));
    /* ch_ph + ll is log2(m), but ll reaches 2^-12 of it (z*z*R went to
     * ql): lh, about log2(m), takes z*z*R, and ll what is left (the two
     * are within a factor 2: the difference is exact) */
    LLVMValueRef lh = fma3(v, mul(v, k(v, ch), sh), r, ch_ph);
    ll = add(v, sub(v, ch_ph, lh), ll);
    /* e + l: |lh| <= 1/2 <= |e| or e = 0, so the low part is exact */
    *hi = add(v, e, lh);
    *lo = add(v, add(v, sub(v, e, *hi), lh), ll);
}

/* log2(ax) of a float ax (in double) to about 2^-37 of itself. */
static LLVMValueRef pow_log2_f32(vm *v, LLVMValueRef ax)
{
    LLVMValueRef e, m = pow_split(v, ax, &e, false); /* floats: normal */
    LLVMValueRef f = sub(v, m, k(v, 1.0));
    LLVMValueRef s = LLVMBuildFDiv(v->b, f, add(v, m, k(v, 1.0)), "");
    LLVMValueRef p = horner(v, mul(v, s, s), powlog_f32, NELEM(powlog_f32));
    return fma3(v, s, p, e);
}

/* 2^k for an integer k in [-1022, 1023]. */
static LLVMValueRef pow_scale(vm *v, LLVMValueRef kint)
{
    LLVMBuilderRef b = v->b;
    return as_real(v, LLVMBuildShl(b, LLVMBuildAdd(b, kint, ki(v, 1023), ""),
                                   ki(v, 52), ""));
}

/* 2^(y*l) (double), l = lh + ll (ll NULL: l = lh) an extended log2|x|;
 * y*w instead where special (x zero, infinite or NaN: w = -inf, inf,
 * NaN), 1 where one, NaN (nan's value) where bad. */
static LLVMValueRef pow_exp2(vm *v, LLVMValueRef y, LLVMValueRef lh,
                             LLVMValueRef ll, LLVMValueRef special,
                             LLVMValueRef w, LLVMValueRef one,
                             LLVMValueRef bad, LLVMValueRef nan, bool f32)
{
    LLVMBuilderRef b = v->b;
    LLVMValueRef th0 = mul(v, y, lh);
    LLVMValueRef th = sel(v, special, mul(v, y, w), th0);
    th = sel(v, one, k(v, 0.0), th);
    th = sel(v, bad, nan, th);
    /* past +-lim the result is infinite or zero in the type: set at the
     * end (no clamp here, on the longest chain; NaN is not big) */
    LLVMValueRef big = cmp(v, LLVMRealOGT, fabs1(v, th), k(v, f32 ? 200.0 : 1100.0));
    const double shifter = 0x1.8p52;
    LLVMValueRef kd = add(v, th, k(v, shifter)); /* k in the low bits */
    LLVMValueRef r = sub(v, th, intrin(v, "llvm.roundeven", &th, 1)); /* exact */
    LLVMValueRef p;
    if (ll != NULL) {
        /* 2^(r + tl) = 2^r (1 + c), c = tl ln2 (|tl| < 2^-40): p = r(1 +
         * c)E(r) + c, so that tl, the end of the longest chain, joins
         * only there */
        LLVMValueRef tl = fma_exact(v, y, ll, fma_exact(v, y, lh, neg(v, th0)));
        tl = sel(v, LLVMBuildOr(b, big, one, ""), k(v, 0.0), tl);
        LLVMValueRef c = mul(v, tl, k(v, M_LN2));
        LLVMValueRef e = estrin(v, r, powexp2_f64, NELEM(powexp2_f64));
        p = fma3(v, fma3(v, r, c, r), e, c);
    } else {
        p = mul(v, r, horner(v, r, powexp2_f32, NELEM(powexp2_f32)));
    }
    /* big: inf (|w|, a register, not a constant) or 0 */
    LLVMValueRef over = sel(v, cmp(v, LLVMRealOGT, th, k(v, 0.0)), fabs1(v, w), k(v, 0.0));
    LLVMValueRef kk = LLVMBuildSub(b, as_int(v, kd), as_int(v, k(v, shifter)), "");
    LLVMValueRef res;
    if (f32) { /* |k| <= 200 */
        LLVMValueRef s = pow_scale(v, kk);
        res = fma3(v, s, p, s);
    } else {
        LLVMValueRef k1 = LLVMBuildAShr(b, kk, ki(v, 1), "");
        LLVMValueRef s1 = pow_scale(v, k1);
        LLVMValueRef s2 = pow_scale(v, LLVMBuildSub(b, kk, k1, ""));
        res = mul(v, fma3(v, s1, p, s1), s2);
    }
    return sel(v, big, over, res);
}

LLVMValueRef jx_vm_pow(vm *v, LLVMValueRef x, LLVMValueRef y)
{
    LLVMBuilderRef b = v->b;
    vm d = *v; /* float32 computes in double */
    if (v->f32) {
        d.t = LLVMDoubleTypeInContext(LLVMGetTypeContext(v->t));
        d.ti = LLVMIntTypeInContext(LLVMGetTypeContext(v->t), 64);
        d.f32 = false;
    }
    LLVMValueRef xd = v->f32 ? LLVMBuildFPExt(b, x, d.t, "") : x;
    LLVMValueRef yd = v->f32 ? LLVMBuildFPExt(b, y, d.t, "") : y;
    LLVMValueRef ax = fabs1(&d, xd), lh, ll = NULL;
    if (v->f32)
        lh = pow_log2_f32(&d, ax);
    else
        pow_log2(&d, ax, &lh, &ll);
    /* x = 0, inf, NaN (ax's bits - 1 unsigned past the largest finite):
     * y*log2|x| is y*w, w = -inf, inf, NaN */
    LLVMValueRef w = mul(&d, fma3(&d, ax, k(&d, 2.0), k(&d, -0x1p-1074)),
                         k(&d, INFINITY));
    LLVMValueRef special = LLVMBuildICmp(
        b, LLVMIntUGE, LLVMBuildSub(b, as_int(&d, ax), ki(&d, 1), ""),
        as_int(&d, k(&d, DBL_MAX)), "");
    /* the result is 1 where y = 0 or |x| = 1 (x = -1: +-1 by y's parity
     * below, NaN where y is no integer, NaN included); NaN where x is
     * negative and finite and y no integer (nan: w - w, inf - inf) */
    LLVMValueRef axv = fabs1(v, x);
    LLVMValueRef one = LLVMBuildOr(b, cmp(v, LLVMRealOEQ, y, k(v, 0.0)),
                                   cmp(v, LLVMRealOEQ, axv, k(v, 1.0)), "");
    LLVMValueRef yint = cmp(v, LLVMRealOEQ, intrin(v, "llvm.floor", &y, 1), y);
    LLVMValueRef bad = LLVMBuildAnd(
        b, cmp(v, LLVMRealOLT, x, k(v, 0.0)),
        LLVMBuildAnd(b, cmp(v, LLVMRealONE, axv, k(v, INFINITY)),
                     LLVMBuildNot(b, yint, ""), ""), "");
    LLVMValueRef a = pow_exp2(&d, yd, lh, ll, special, w, one, bad,
                              sub(&d, w, w), v->f32);
    if (v->f32)
        a = LLVMBuildFPTrunc(b, a, v->t, "");
    /* x's sign where y is an odd integer (its half is no integer) */
    LLVMValueRef yh = mul(v, y, k(v, 0.5));
    LLVMValueRef odd = LLVMBuildAnd(
        b, yint, cmp(v, LLVMRealONE, intrin(v, "llvm.floor", &yh, 1), yh), "");
    return copysign2(v, a, sel(v, odd, x, a));
}

