/* vmath.c - math functions written out as IR.
 *
 * Where glibc's libmvec is slower than NumPy's own SIMD code, a kernel
 * here computes the function in the loop itself: straight-line
 * instructions (fma on a CPU with FMA, else fmuladd; selects, bit
 * operations, divisions), no calls
 * and no branches, so the loop vectorizer widens it to the target's vector
 * width with everything else the expression does, and nothing is spilled
 * around a call.  Each kernel reduces its argument with exact steps and
 * evaluates a near-minimax polynomial whose coefficients jit/gen_vmath.py
 * computes with mpmath; the errors, measured against mpmath by
 * bench/mathacc.py and checked by tests/check_mathacc.c, are in
 * docs/math.md (at most 4 ULP, the bound of the vector libraries).
 *
 *   expm1(t)    = 2^k * p + (2^k - 1) = 2*h, t = k*ln2 + r, |r| <= ln2/2,
 *                 p = r + r*r*Q(r), h = s*p + (s - 1/2), s = 2^(k-1), a
 *                 double up to k = 1024 (jx_vm_expm1_half); for expm1(x), x
 *                 kept within [-40, 710] (float: [-20, 89]) and x itself
 *                 below 2^-54 (subnormals, -0).
 *   tanh(x)     = sign(x) * e / (e + 2) = h / (h + 1), e = expm1(2|x|),
 *                 2|x| capped at 44 (float: 20), where tanh is 1 in the
 *                 type.
 *   cbrt(x)     of c = 2^e * m in [1, 8) (vm_cbrt): q and e from the
 *                 exponent by an integer multiplication, 1/cbrt(c) to
 *                 6e-6 by polynomials in m and 2^e, a division-free
 *                 correction (float64), one Newton step; no division.
 *   atan2(y, x) from n = min(|x|, |y|), d = max: r = n/d in [0, 1], and
 *                 beyond tan(pi/8) atan(r) = pi/4 + atan((r-1)/(r+1)), so
 *                 |r| <= tan(pi/8); atan(r) = r + r*z*P(z), z = r*r, P of
 *                 degree 9 (float: 4), fitted to keep z*(P - p), the
 *                 error relative to atan(r), smallest; then pi/2 - a where
 *                 |y| > |x|, pi - a where x is negative (signbit: -0 too),
 *                 the sign of y.  n = d (both infinite: r is NaN): pi/4;
 *                 both zero: d is raised to the smallest subnormal, r = 0.
 *                 The loop is bound by the vector pipes, about 4% of its
 *                 time per zmm instruction: one FMA less (degree 9, 3.02
 *                 ULP against 2.71 of degree 10's uniform fit; an
 *                 unweighted degree 9 reached 3.71) and the zero and
 *                 infinity checks in three instructions instead of five
 *                 took it from 1.11 to 0.97 ns/element.  The second
 *                 division runs on the divider beside the polynomial's
 *                 FMAs: 1.10 ns/element against 1.32 for one polynomial
 *                 of degree 19 on [0, 1].  Reducing n and d instead
 *                 ((n-d)/(n+d), one division) overflows near the largest
 *                 value and misjudges n > d*tan(pi/8) for subnormals
 *                 (arctan2(2^-1074, 2^-1073) was 32422 ULP off in a first
 *                 version); fixed by scaling n and d by 2^(511 - E/2), E
 *                 d's biased exponent (integer operations on d's bits), it
 *                 took 1.10 times as long as r = n/d: the scaling's
 *                 multiplications and integer operations cost more than
 *                 the division they save.  Estrin's scheme for P (three
 *                 multiplications more, a shorter chain) is 5% slower.
 *
 *   sin, cos, tan  the guarded kernels, for |x| <= 2^24 only:
 *                 jit/vmath_trig.c.
 *   fast forms  of log, log2, log10, log1p and atanh: the kernel less its
 *                 special cases, where one comparison of x's bits says
 *                 they cannot fire (jx_vm_emit_fast, at the end).
 *
 *   exp(x)      2^k * (1 + p), p = expm1(r) as above (jx_vm_exp_reduce,
 *                 shared with expm1 and tanh), 2^k as two factors so that
 *                 subnormal results round once; x kept in [-746, 710]
 *                 (float [-104, 89]).  0.75/0.96 ULP (table/sweep),
 *                 0.37 ns/element against libmvec's 0.53 (Zen 5, n = 1e5).
 *   log(x)      x = 2^k * m, m in [sqrt(1/2), sqrt(2)), from the bits
 *                 (subnormals from x * 2^52); s = (m-1)/(m+1), z = s*s,
 *                 log(m) = f - s*(f - z*P(z)), f = m - 1, P of degree 6
 *                 (float: 2), fitted to keep z*(P - p) smallest; + k*ln2.
 *   log1p(x)    the same of u = 1 + x, and c = x - (u - 1), what u
 *                 lost, times 2^-k, added to f where it leads.  The
 *                 loop's time follows the latency before the division
 *                 more than the instruction count: scaling x for
 *                 subnormals first (compare, masked multiply) cost 7%,
 *                 Estrin's scheme for P gained nothing; jx_vm_log says what
 *                 keeps the special cases off masked memory operands.
 *   acosh(x)    = log1p(t + sqrt(t*(x + 1))), t = x - 1 (exact near 1);
 *                 log1p(2x - 1) from 2^26 (float 2^12), log1p(x) + ln2
 *                 from 2^1000 (float 2^126).  Within 2.8 ULP (sweep, the
 *                 worst just above 1: the rounding of t*(x + 1) and of the
 *                 sum passes through log1p); 0.87 ns/element against
 *                 libmvec's 2.21 (float 0.33 against 1.19; Zen 5), 0.5-0.6
 *                 of NumPy's time at n = 1e6.
 *   pow(x, y)   = 2^(y*log2|x|) (jit/vmath_pow.c): log2|x| = e +
 *                 log2(m), m in [sqrt(1/2), sqrt(2)), from s = (m-1)/(m+1)
 *                 as a double-double (float64: y*log2|x| reaches 1075 and
 *                 needs 2^-63 of itself; float32 the same in float, as a
 *                 float-float, 16 lanes to a 512-bit vector), then 2^k *
 *                 2^r, r in [-1/2, 1/2]; the signs and IEEE cases by
 *                 selects.  No select
 *                 of a constant: LLVM makes those masked loads.  The loop
 *                 is bound by its chain of about 100 cycles, not by its
 *                 130 instructions: 2.30 ns/element (float64) against
 *                 libmvec's 2.47 and NumPy's 1.34; interleaved by 4 it
 *                 ran at 1.4, but out of registers, with masked reloads.
 *
 * NaN in gives NaN out (every step propagates it, or is a select that
 * keeps it), and the kernels keep the sign of a zero as libm does.
 *
 * No kernel may compile to a masked instruction that reads memory (a
 * select of a constant folded into a masked load, blend or
 * multiplication): where the page's accessed bit is clear, each takes a
 * microcode assist (SLEEF's masked vbroadcastsd: its log ran 50 times
 * slower); tests/check_jit_vecmath.c reads the machine code for them.
 *
 * Measured (2-core AVX-512 VM, n = 1e5, ns per element, one thread;
 * docs/math.md): atan2 0.98 double and 0.36 float against libmvec's 1.45
 * and 0.55; tanh 0.79 and 0.32 against 1.80 and 0.45; sin and cos
 * (double) 0.66 and 0.70 against 0.89 and 0.92.  log and log1p (Zen 5
 * host): in docs/math.md. */
#include "vmath.h"
#include "vmath_emit.h"

#include <math.h>
#include <string.h>

/* ---- coefficients (jit/gen_vmath.py) ---------------------------------- */

/* atan_f64 on [0, 0.171573], degree 9: error 3.43e-17 (weighted) */
static const double atan_f64[] = {
    0x1.5ca73bc06a932p-6,  -0x1.653d127715262p-5, 0x1.d2624bd21f3dbp-5,
    -0x1.1006830e61b9cp-4, 0x1.3afc5e4004cfbp-4,  -0x1.745bc636c9a7bp-4,
    0x1.c71c65f2356a4p-4,  -0x1.24924905ed178p-3, 0x1.999999994ad7ep-3,
    -0x1.5555555555324p-2,
};
/* atan_f32 on [0, 0.171573], degree 4: error 1.55e-8 */
static const double atan_f32[] = {
    -0x1.08455ep-4, 0x1.b81030p-4, -0x1.242036p-3, 0x1.999730p-3,
    -0x1.555554p-2,
};
/* expm1_f64 on [-0.346574, 0.346574], degree 10: error 1.4e-18 */
static const double expm1_f64[] = {
    0x1.1f72fc730b4ffp-29, 0x1.af4ddd84882fep-26, 0x1.27e4db67b4303p-22,
    0x1.71de02375656cp-19, 0x1.a01a01a6d7808p-16, 0x1.a01a01abe62ddp-13,
    0x1.6c16c16c162d6p-10, 0x1.11111111100dfp-7,  0x1.5555555555556p-5,
    0x1.5555555555557p-3,  0x1.0000000000000p-1,
};
/* expm1_f32 on [-0.346574, 0.346574], degree 5: error 1.4e-9 */
static const double expm1_f32[] = {
    0x1.a124e4p-13, 0x1.6d4316p-10, 0x1.1110e0p-7,
    0x1.5554eap-5,  0x1.555556p-3,  0x1.000000p-1,
};

/* cbrt_f64 on [1, 2], degree 5: error 5.75e-6 (weighted) */
static const double cbrt_f64[] = {
    -0x1.16d6018271244p-6, 0x1.3fa1894333eabp-3,  -0x1.321bb8e5b39cep-1,
    0x1.3e68410186014p+0,  -0x1.90e6eb70135c3p+0, 0x1.c7f34d4a66379p+0,
};
/* cbrt_f32 on [1, 2], degree 5: error 5.75e-6 (weighted) */
static const double cbrt_f32[] = {
    -0x1.16d602p-6, 0x1.3fa18ap-3,  -0x1.321bb8p-1,
    0x1.3e6842p+0,  -0x1.90e6ecp+0, 0x1.c7f34ep+0,
};
/* cbrt_k at s = 2^e, e = 0, 1, 2: 2^(-e/3) */
static const double cbrt_k[] = {
    0x1.53c681a386a39p-5,
    -0x1.52aa9bf5a4b5cp-2,
    0x1.4a0c72f04cf85p+0,
};
/* log_f64 on [0, 0.0294373], degree 6: error 2.46e-18 (weighted) */
static const double log_f64[] = {
    0x1.2f056555d5032p-3, 0x1.39a1ba854059ep-3, 0x1.74663eea91664p-3,
    0x1.c71c520951610p-3, 0x1.24924941f135ap-2, 0x1.999999997fdb6p-2,
    0x1.5555555555592p-1,
};
/* log_f32 on [0, 0.0294373], degree 2: error 1.62e-9 (weighted) */
static const double log_f32[] = {
    0x1.31e2f4p-2, 0x1.995ebap-2, 0x1.55557ap-1,
};

/* ---- kernels ---------------------------------------------------------- */

/* expm1(t)/2 for t in [-40, 710] (float: [-20, 89]), NaN: NaN.  t =
 * k*ln2 + r, |r| <= ln2/2, p = expm1(r) = r + r*r*Q(r); expm1(t) = 2^k*p
 * + (2^k - 1) = 2*h, h = s*p + (s - 1/2), s = 2^(k-1): s is a normal
 * number from k = -58 to k = 1024 (x past 709.44), where 2*h overflows
 * exactly when expm1 does. */
/* t = k*ln2 + r, |r| <= ln2/2: sets *kd to k in the low bits of a
 * double (the shifter's), and returns p = expm1(r) = r + r*r*Q(r). */
LLVMValueRef jx_vm_ln2_reduce(vm *v, LLVMValueRef t, LLVMValueRef *kd_out)
{
    LLVMBuilderRef b = v->b;
    /* k = round(t / ln2) by the shifter 1.5 * 2^mantissa bits: its low
     * bits are k, and kd - shifter is k as a float. */
    double shifter = v->f32 ? 0x1.8p23 : 0x1.8p52;
    LLVMValueRef kd = fma3(v, t, k(v, 0x1.71547652b82fep0), k(v, shifter));
    LLVMValueRef nk = LLVMBuildFNeg(b, sub(v, kd, k(v, shifter)), "");
    /* r = t - k*ln2 in two steps: ln2_hi has trailing zeros, so k*ln2_hi
     * and the subtraction are exact. */
    double ln2_hi = v->f32 ? 0x1.62e400p-1 : 0x1.62e42fefa3800p-1;
    double ln2_lo = v->f32 ? 0x1.7f7d1cf79abcap-20 : 0x1.ef35793c76730p-45;
    LLVMValueRef r = fma3(v, nk, k(v, ln2_hi), t);
    *kd_out = kd;
    return fma3(v, nk, k(v, ln2_lo), r);
}

LLVMValueRef jx_vm_exp_reduce(vm *v, LLVMValueRef t, LLVMValueRef *kd_out)
{
    LLVMValueRef r = jx_vm_ln2_reduce(v, t, kd_out);
    LLVMValueRef q = v->f32 ? horner(v, r, expm1_f32, NELEM(expm1_f32))
                            : horner(v, r, expm1_f64, NELEM(expm1_f64));
    return fma3(v, mul(v, r, r), q, r); /* expm1(r) */
}

/* 2^(j + e) as a float, j the integer in the low bits of kd (from
 * jx_vm_exp_reduce) plus e: j + e + bias into the exponent field (the
 * shifter's high bits fall off the top).  j + e must be a normal
 * exponent. */
LLVMValueRef jx_vm_pow2(vm *v, LLVMValueRef kbits, int e)
{
    LLVMBuilderRef b = v->b;
    unsigned mant = v->f32 ? 23 : 52, bias = v->f32 ? 127 : 1023;
    LLVMValueRef sbits = LLVMBuildShl(
        b, LLVMBuildAdd(b, kbits, ki(v, (unsigned long long)(bias + e)), ""),
        ki(v, mant), "");
    return LLVMBuildBitCast(b, sbits, v->t, "");
}

LLVMValueRef jx_vm_expm1_half(vm *v, LLVMValueRef t)
{
    LLVMValueRef kd;
    LLVMValueRef p = jx_vm_exp_reduce(v, t, &kd);
    /* s = 2^(k-1) */
    LLVMValueRef s = jx_vm_pow2(v, LLVMBuildBitCast(v->b, kd, v->ti, ""), -1);
    return fma3(v, s, p, sub(v, s, k(v, 0.5)));
}

LLVMValueRef jx_vm_shifted_k(vm *v, LLVMValueRef kd)
{
    /* an integer subtraction of the shifter's bits keeps k's sign */
    double shifter = v->f32 ? 0x1.8p23 : 0x1.8p52;
    return LLVMBuildSub(v->b, LLVMBuildBitCast(v->b, kd, v->ti, ""),
                        LLVMBuildBitCast(v->b, k(v, shifter), v->ti, ""), "");
}

/* 2^k * (1 + p), k in kd's low bits: 2^k in two factors, 2^(k - k/2) and
 * 2^(k/2), each a normal number for the k that exp and exp2 reach (double:
 * [-1077, 1024]), so that a subnormal result rounds once, at the last
 * multiplication, and 2^1024 can overflow to inf. */
LLVMValueRef jx_vm_scale_2k(vm *v, LLVMValueRef kd, LLVMValueRef p)
{
    LLVMBuilderRef b = v->b;
    LLVMValueRef kk = jx_vm_shifted_k(v, kd);
    LLVMValueRef k1 = LLVMBuildAShr(b, kk, ki(v, 1), "");
    LLVMValueRef k2 = LLVMBuildSub(b, kk, k1, "");
    LLVMValueRef s1 = jx_vm_pow2(v, k1, 0), s2 = jx_vm_pow2(v, k2, 0);
    return mul(v, fma3(v, s1, p, s1), s2);
}

/* exp(x) = 2^k * (1 + p), x kept within [-746, 710] (float: [-104, 89]),
 * beyond which exp is 0 and infinite in the type (NaN compares false and
 * stays); 2^k by jx_vm_scale_2k (subnormal results, below x = -708.4,
 * round once; 2^1024 overflows to inf exactly where exp does). */
LLVMValueRef jx_vm_exp(vm *v, LLVMValueRef x)
{
    double lo = v->f32 ? -104.0 : -746.0, hi = v->f32 ? 89.0 : 710.0;
    LLVMValueRef t = sel(v, cmp(v, LLVMRealOLT, x, k(v, lo)), k(v, lo), x);
    t = sel(v, cmp(v, LLVMRealOGT, t, k(v, hi)), k(v, hi), t);
    LLVMValueRef kd;
    LLVMValueRef p = jx_vm_exp_reduce(v, t, &kd);
    return jx_vm_scale_2k(v, kd, p);
}

/* expm1(x): x kept within [-40, 710] (float: [-20, 89]), where expm1 is
 * -1 and infinite in the type (NaN compares false and stays), 2*h; below
 * 2^-54 (float: 2^-25) x itself, exact, keeping -0 and the subnormals
 * that h = x/2 would round. */
LLVMValueRef jx_vm_expm1(vm *v, LLVMValueRef x)
{
    double lo = v->f32 ? -20.0 : -40.0, hi = v->f32 ? 89.0 : 710.0;
    LLVMValueRef t = sel(v, cmp(v, LLVMRealOLT, x, k(v, lo)), k(v, lo), x);
    t = sel(v, cmp(v, LLVMRealOGT, t, k(v, hi)), k(v, hi), t);
    LLVMValueRef h = jx_vm_expm1_half(v, t);
    LLVMValueRef e = add(v, h, h);
    LLVMValueRef tiny = k(v, v->f32 ? 0x1p-25 : 0x1p-54);
    return sel(v, cmp(v, LLVMRealOLT, fabs1(v, x), tiny), x, e);
}

/* tanh(x) = sign(x) * e / (e + 2) = h / (h + 1), e = expm1(t) = 2*h, t =
 * 2|x| capped where tanh rounds to 1. */
static LLVMValueRef vm_tanh(vm *v, LLVMValueRef x)
{
    /* NaN stays: compares false */
    double cap = v->f32 ? 20.0 : 44.0;
    LLVMValueRef t = mul(v, fabs1(v, x), k(v, 2.0));
    t = sel(v, cmp(v, LLVMRealOGT, t, k(v, cap)), k(v, cap), t);
    LLVMValueRef h = jx_vm_expm1_half(v, t);
    LLVMValueRef th = LLVMBuildFDiv(v->b, h, add(v, h, k(v, 1.0)), "");
    return copysign2(v, th, x);
}

/* cbrt(x) of |x| = 2^(3q + e) * m, e in {0, 1, 2}, m in [1, 2), after
 * subnormals are scaled by 2^54 (float: 2^24) into the normals: with n
 * the biased exponent (plus 2 for float, so that the bias is a multiple
 * of 3), n*21846 = q*2^16 + 2q + e*21846 (n < 2^13), which holds q above
 * bit 16 and e in bits 14-15.  c = 2^e * m in [1, 8), cbrt(|x|) = 2^q *
 * cbrt(c).  z ~ 1/cbrt(c) = R(m) * K(2^e) (gen_vmath.py: R to 5.8e-6,
 * K the parabola through e = 0, 1, 2), y = c*z^2 ~ cbrt(c), w = z^2/3;
 * for doubles both times 1 + u, u = 2/3*(1 - c*z^3), which takes them to
 * 2e-10 without a division.  Then one Newton step y += (c - y^3)*w,
 * with y^2 rounded (0.73 ULP; exact by one FMA more, 0.50 ULP, it took
 * 15% longer: the chain of dependent instructions is the loop's cost,
 * hence also Estrin's scheme and the corrections side by side).  The
 * scale 2^q, with x's sign and a subnormal's 2^-18 (float: 2^-8), is
 * built beside all that and applied by one multiplication.  +-0, +-inf
 * and NaN are x itself. */
static LLVMValueRef vm_cbrt(vm *v, LLVMValueRef x)
{
    LLVMBuilderRef b = v->b;
    unsigned mant = v->f32 ? 23 : 52, bias = v->f32 ? 127 : 1023;
    unsigned off = v->f32 ? 2 : 0; /* bias + off: a multiple of 3 */
    unsigned long long one = (unsigned long long)bias << mant;
    unsigned long long mmask = (1ull << mant) - 1;
    LLVMValueRef ax = fabs1(v, x);
    LLVMValueRef sub = cmp(v, LLVMRealOLT, ax, k(v, v->f32 ? 0x1p-126 : 0x1p-1022));
    LLVMValueRef a = sel(v, sub, mul(v, ax, k(v, v->f32 ? 0x1p24 : 0x1p54)), ax);
    LLVMValueRef ia = LLVMBuildBitCast(b, a, v->ti, "");
    LLVMValueRef n = LLVMBuildAdd(b, LLVMBuildLShr(b, ia, ki(v, mant), ""),
                                  ki(v, off), "");
    LLVMValueRef prod = LLVMBuildMul(b, n, ki(v, 21846), "");
    /* s = 2^e: e (bits 14-15) into the exponent field, plus the bias */
    LLVMValueRef ebits = LLVMBuildAnd(b, LLVMBuildShl(b, prod, ki(v, mant - 14), ""),
                                      ki(v, 3ull << mant), "");
    ebits = LLVMBuildAdd(b, ebits, ki(v, one), "");
    LLVMValueRef s = LLVMBuildBitCast(b, ebits, v->t, "");
    LLVMValueRef mbits = LLVMBuildAnd(b, ia, ki(v, mmask), "");
    LLVMValueRef m = LLVMBuildBitCast(b, LLVMBuildOr(b, mbits, ki(v, one), ""),
                                      v->t, "");
    LLVMValueRef c = LLVMBuildBitCast(b, LLVMBuildOr(b, mbits, ebits, ""),
                                      v->t, "");
    /* the scale 2^(q - (bias + off)/3) */
    LLVMValueRef q = LLVMBuildAdd(b, LLVMBuildLShr(b, prod, ki(v, 16), ""),
                                  ki(v, bias - (bias + off) / 3), "");
    LLVMValueRef scale = LLVMBuildBitCast(b, LLVMBuildShl(b, q, ki(v, mant), ""),
                                          v->t, "");
    scale = sel(v, sub, mul(v, scale, k(v, v->f32 ? 0x1p-8 : 0x1p-18)), scale);
    scale = copysign2(v, scale, x);

    LLVMValueRef z = v->f32 ? pairs_horner(v, m, cbrt_f32, NELEM(cbrt_f32))
                            : pairs_horner(v, m, cbrt_f64, NELEM(cbrt_f64));
    z = mul(v, z, horner(v, s, cbrt_k, NELEM(cbrt_k)));
    LLVMValueRef z2 = mul(v, z, z);
    LLVMValueRef y = mul(v, c, z2);
    LLVMValueRef w = mul(v, z2, k(v, 1.0 / 3.0));
    if (!v->f32) {
        LLVMValueRef u = fma3(v, LLVMBuildFNeg(b, mul(v, c, k(v, 2.0 / 3.0)), ""),
                              mul(v, z2, z), k(v, 2.0 / 3.0));
        y = fma3(v, y, u, y);
        w = fma3(v, w, u, w);
    }
    LLVMValueRef d = fma3(v, LLVMBuildFNeg(b, mul(v, y, y), ""), y, c);
    LLVMValueRef r = mul(v, fma3(v, d, w, y), scale);
    /* 0, inf, NaN: |x|'s bits - 1 at or above inf's - 1 (unsigned) */
    LLVMValueRef xb = LLVMBuildBitCast(b, ax, v->ti, "");
    unsigned long long inf = (unsigned long long)(v->f32 ? 0xff : 0x7ff) << mant;
    LLVMValueRef special = LLVMBuildICmp(
        b, LLVMIntUGE, LLVMBuildSub(b, xb, ki(v, 1), ""), ki(v, inf - 1), "");
    return sel(v, special, x, r);
}

/* atan(r) = r + r*z*P(z), z = r*r, for |r| <= tan(pi/8) (atan2's
 * polynomial, also vmath_atan.c's). */
LLVMValueRef jx_vm_atan_small(vm *v, LLVMValueRef r)
{
    LLVMValueRef z = mul(v, r, r);
    LLVMValueRef p = v->f32 ? horner(v, z, atan_f32, NELEM(atan_f32))
                            : horner(v, z, atan_f64, NELEM(atan_f64));
    return fma3(v, mul(v, r, z), p, r);
}

LLVMValueRef jx_vm_atan2(vm *v, LLVMValueRef y, LLVMValueRef x)
{
    LLVMBuilderRef b = v->b;
    LLVMValueRef ax = fabs1(v, x), ay = fabs1(v, y);
    LLVMValueRef swap = cmp(v, LLVMRealOGT, ay, ax);
    LLVMValueRef n = sel(v, swap, ax, ay), d = sel(v, swap, ay, ax);
    /* both zero: 0 over the smallest subnormal (a NaN d stays) */
    LLVMValueRef tiny = k(v, v->f32 ? 0x1p-149 : 0x1p-1074);
    LLVMValueRef dz = sel(v, cmp(v, LLVMRealOLT, d, tiny), tiny, d);
    LLVMValueRef r = LLVMBuildFDiv(b, n, dz, ""); /* in [0, 1] */
    /* past tan(pi/8): atan(r) = pi/4 + atan((r-1)/(r+1)) */
    LLVMValueRef big = cmp(v, LLVMRealOGT, r, k(v, 0x1.a827999fcef32p-2));
    LLVMValueRef r2 = LLVMBuildFDiv(b, sub(v, r, k(v, 1.0)),
                                    add(v, r, k(v, 1.0)), "");
    r = sel(v, big, r2, r);
    LLVMValueRef a = jx_vm_atan_small(v, r);
    a = sel(v, big, add(v, a, k(v, M_PI_4)), a);
    /* n = d: pi/4, rounded; needed where both are infinite (r is NaN),
     * the value anyway where they are finite (r2 = 0); both zero compare
     * n = 0 with dz, a NaN with nothing: they keep a */
    a = sel(v, cmp(v, LLVMRealOEQ, n, dz), k(v, M_PI_4), a);
    a = sel(v, swap, sub(v, k(v, M_PI_2), a), a);
    /* x negative, -0 too: pi - a */
    LLVMValueRef xbits = LLVMBuildBitCast(b, x, v->ti, "");
    LLVMValueRef xneg = LLVMBuildICmp(b, LLVMIntSLT, xbits, ki(v, 0), "");
    a = sel(v, xneg, sub(v, k(v, M_PI), a), a);
    return copysign2(v, a, y);
}

/* log(x), or log1p(x) where lp1: u = 1 + x (log: u = x, a subnormal
 * scaled by 2^52 first, float: 2^23) is 2^k * m, m in [sqrt(1/2),
 * sqrt(2)), by integer operations on u's bits: t = bits(u) - bits(m0),
 * m0 just below sqrt(1/2), k = t >> 52 (arithmetic), m = t's mantissa
 * bits + m0.  f = m - 1 (exact), s = f/(2 + f), z = s*s, and log(m) =
 * f - h + s*(h + z*P(z)), h = f*f/2 (fdlibm's order: f, exact, leads).
 * log1p adds what u lost, c = x - (u - 1) (exact), as c * 2^-k, into f
 * for s and h and into the low part; k*ln2 in two parts, the high one
 * with trailing zeros. */
/* log(x), or log1p(x) where lp1: u = x (log1p: u = 1 + x) = 2^k * m, m
 * in [sqrt(1/2), sqrt(2)), by integer operations on u's bits: t = bits(u)
 * - bits(m0), m0 just below sqrt(1/2), k = t >> 52 (arithmetic; float:
 * 23), m = t's mantissa bits + bits(m0).  f = m - 1 (exact), s = f/(m +
 * 1), z = s*s, log(m) = f - s*(f - z*P(z)), + k*ln2 by one FMA (ln2
 * rounded to a double is 0.3 ULP off, relative).  log1p adds what u lost,
 * c = x - (u - 1) (exact), as c*2^-k, to f where f leads (f - s*(...)).
 *
 * No select here has a constant operand beside the value it replaces: x86
 * makes such a select a masked instruction with the constant as a memory
 * operand where registers run short (log(a)+tanh(b)), and a masked load
 * from a page whose accessed bit the kernel cleared takes a microcode
 * assist each time (SLEEF's AVX-512 log ran 50 times slower so); check_jit_vecmath
 * looks for them. */
/* log(m) (log1p: with what u lost) of u = 2^k * m, before k*ln2 and the
 * special cases; *kf is k in the float type (log2 and log10 combine the
 * two in their own way: jit/vmath_logexp.c). */
LLVMValueRef jx_vm_log_m(vm *v, LLVMValueRef x, bool lp1, LLVMValueRef *kf_out)
{
    LLVMBuilderRef b = v->b;
    unsigned mant = v->f32 ? 23 : 52;
    unsigned long long m0 = v->f32 ? 0x3f3504f3ull : 0x3fe6a09e667f3bcdull;
    unsigned long long top = v->f32 ? 0x1ffull << 23 : 0xfffull << 52;
    LLVMValueRef one = k(v, 1.0);
    LLVMValueRef u = lp1 ? add(v, x, one) : x;
    LLVMValueRef iu = LLVMBuildBitCast(b, u, v->ti, ""), iv = iu;
    if (!lp1 && !v->fast) {
        /* subnormal (and zero, negative: replaced below): the bits of x *
         * 2^52 less 52 << 52, the 52 from fma(x, 0, 2^-971), which the
         * compiler cannot fold into a constant (x may be NaN): a masked
         * subtraction of two registers.  Scaling x first instead (a
         * compare and a masked multiply before everything else) took 0.47
         * ns/element against 0.44; normalizing by leading zeros (five
         * integer operations, no select) 0.46. */
        LLVMValueRef xs = mul(v, x, k(v, v->f32 ? 0x1p23 : 0x1p52));
        LLVMValueRef sh = fma3(v, x, k(v, 0.0), k(v, v->f32 ? 0x1p-104 : 0x1p-971));
        LLVMValueRef is = LLVMBuildSub(b, LLVMBuildBitCast(b, xs, v->ti, ""),
                                       LLVMBuildBitCast(b, sh, v->ti, ""), "");
        iv = sel(v, cmp(v, LLVMRealOLT, x, k(v, v->f32 ? 0x1p-126 : 0x1p-1022)),
                 is, iu);
    }
    LLVMValueRef t = LLVMBuildSub(b, iv, ki(v, m0), "");
    LLVMValueRef kf = LLVMBuildSIToFP(b, LLVMBuildAShr(b, t, ki(v, mant), ""),
                                      v->t, "");
    LLVMValueRef kb = LLVMBuildAnd(b, t, ki(v, top), ""); /* k << 52 */
    LLVMValueRef m = LLVMBuildBitCast(b, LLVMBuildSub(b, iv, kb, ""), v->t, "");
    LLVMValueRef f = sub(v, m, one), fc = f;
    if (lp1) {
        /* c * 2^-k with 4 * 2^-k, 4.0 with k less in its exponent: normal
         * for every k up to 1024 (2^-k is not, past 1022); fc = x where k
         * = 0 */
        LLVMValueRef c = sub(v, x, sub(v, u, one));
        LLVMValueRef sc = LLVMBuildBitCast(
            b, LLVMBuildSub(b, LLVMBuildBitCast(b, k(v, 4.0), v->ti, ""), kb, ""),
            v->t, "");
        fc = fma3(v, mul(v, c, sc), k(v, 0.25), f);
    }
    LLVMValueRef s = LLVMBuildFDiv(b, f, add(v, m, one), "");
    LLVMValueRef z = mul(v, s, s);
    LLVMValueRef p = v->f32 ? horner(v, z, log_f32, NELEM(log_f32))
                            : horner(v, z, log_f64, NELEM(log_f64));
    LLVMValueRef d = fma3(v, LLVMBuildFNeg(b, z, ""), p, fc);
    *kf_out = kf;
    return fma3(v, LLVMBuildFNeg(b, s, ""), d, fc);
}

/* r, a logarithm of u = x (log1p: 1 + x) computed as if u were positive
 * and finite, with the special cases of u: +inf or NaN, zero, negative. */
LLVMValueRef jx_vm_log_special(vm *v, LLVMValueRef x, bool lp1, LLVMValueRef r)
{
    LLVMBuilderRef b = v->b;
    if (v->fast) /* u is positive and finite: only log1p's sign of x */
        return lp1 ? copysign2(v, r, x) : r;
    LLVMValueRef u = lp1 ? add(v, x, k(v, 1.0)) : x;
    /* u = +inf or NaN: u.  u <= 0: w = min(u, -0) (-0 for both zeros), w
     * | w >> 11 (arithmetic; float: 8): the sign fills the exponent, and
     * the mantissa is zero (-inf) unless u is neither zero: NaN. */
    r = sel(v, cmp(v, LLVMRealUEQ, u, k(v, INFINITY)), u, r);
    LLVMValueRef w = sel(v, cmp(v, LLVMRealOLT, u, k(v, -0.0)), u, k(v, -0.0));
    LLVMValueRef iw = LLVMBuildBitCast(b, w, v->ti, "");
    LLVMValueRef sp = LLVMBuildOr(
        b, iw, LLVMBuildAShr(b, iw, ki(v, v->f32 ? 8 : 11), ""), "");
    r = sel(v, cmp(v, LLVMRealOLE, u, k(v, 0.0)), LLVMBuildBitCast(b, sp, v->t, ""),
            r);
    if (lp1) /* log1p(x) has x's sign: -0 too */
        r = copysign2(v, r, x);
    return r;
}

LLVMValueRef jx_vm_log(vm *v, LLVMValueRef x, bool lp1)
{
    LLVMValueRef kf, r = jx_vm_log_m(v, x, lp1, &kf);
    r = fma3(v, kf, k(v, v->f32 ? 0x1.62e43p-1 : 0x1.62e42fefa39efp-1), r);
    return jx_vm_log_special(v, x, lp1, r);
}

/* acosh(x) = log1p(u), jx_vm_log's log1p: u = t + sqrt(t*(x + 1)), t = x - 1
 * (exact where x is near 1, where the result is small), while x < 2^26
 * (float 2^12); from there x + sqrt(x*x - 1) rounds to 2x, and u = 2x - 1
 * (one rounding, by FMA); past 2^1000 (float 2^126), where 2x could
 * overflow, u = x and ln 2 is added.  x < 1 takes the square root of a
 * negative number, t*|x + 1| (NaN; t*(x + 1) is positive again below
 * -1), -1 gives log1p(-2), NaN stays NaN.  The
 * ln 2 comes in as (x > 2^1000) * ln 2, not as a select of constants
 * (a masked load). */
static LLVMValueRef vm_acosh(vm *v, LLVMValueRef x)
{
    LLVMBuilderRef b = v->b;
    LLVMValueRef one = k(v, 1.0);
    LLVMValueRef t = sub(v, x, one);
    LLVMValueRef prod = mul(v, t, fabs1(v, add(v, x, one))); /* < 0 for x < 1 */
    LLVMValueRef near = add(v, t, intrin(v, "llvm.sqrt", &prod, 1));
    LLVMValueRef far = fma3(v, x, k(v, 2.0), LLVMBuildFNeg(b, one, ""));
    LLVMValueRef u = sel(v, cmp(v, LLVMRealOLT, x, k(v, v->f32 ? 0x1p12 : 0x1p26)),
                         near, far);
    LLVMValueRef huge = cmp(v, LLVMRealOGT, x, k(v, v->f32 ? 0x1p126 : 0x1p1000));
    u = sel(v, huge, x, u);
    LLVMValueRef r = jx_vm_log(v, u, true);
    LLVMValueRef hf = LLVMBuildUIToFP(b, huge, v->t, "");
    return fma3(v, hf, k(v, v->f32 ? 0x1.62e43p-1 : 0x1.62e42fefa39efp-1), r);
}

/* ---- the table -------------------------------------------------------- */

bool jx_vm_has(const char *fn)
{
    return strcmp(fn, "tanh") == 0 || strcmp(fn, "atan2") == 0 ||
           strcmp(fn, "expm1") == 0 || strcmp(fn, "cbrt") == 0 ||
           strcmp(fn, "log") == 0 || strcmp(fn, "log1p") == 0 ||
           strcmp(fn, "pow") == 0 || strcmp(fn, "exp") == 0 ||
           strcmp(fn, "acosh") == 0 || strcmp(fn, "asin") == 0 ||
           strcmp(fn, "acos") == 0 || strcmp(fn, "atan") == 0 ||
           strcmp(fn, "sinh") == 0 || strcmp(fn, "cosh") == 0 ||
           jx_vm_logexp_has(fn);
}

/* fn of x[0] (and x[1]) in v's form: the whole kernel or the fast one. */
static LLVMValueRef emit(vm *v, const char *fn, LLVMValueRef *x)
{
    if (strcmp(fn, "tanh") == 0)
        return vm_tanh(v, x[0]);
    if (strcmp(fn, "expm1") == 0)
        return jx_vm_expm1(v, x[0]);
    if (strcmp(fn, "exp") == 0)
        return jx_vm_exp(v, x[0]);
    if (strcmp(fn, "cbrt") == 0)
        return vm_cbrt(v, x[0]);
    if (strcmp(fn, "log") == 0 || strcmp(fn, "log1p") == 0)
        return jx_vm_log(v, x[0], strcmp(fn, "log1p") == 0);
    if (strcmp(fn, "acosh") == 0)
        return vm_acosh(v, x[0]);
    if (strcmp(fn, "pow") == 0)
        return jx_vm_pow(v, x[0], x[1]);
    if (strcmp(fn, "asin") == 0 || strcmp(fn, "acos") == 0)
        return jx_vm_asin(v, x[0], strcmp(fn, "acos") == 0);
    if (jx_vm_logexp_has(fn))
        return jx_vm_logexp(v, fn, x[0]);
    if (strcmp(fn, "atan") == 0)
        return jx_vm_atan(v, x[0]);
    if (strcmp(fn, "sinh") == 0 || strcmp(fn, "cosh") == 0)
        return jx_vm_sinhcosh(v, x[0], strcmp(fn, "cosh") == 0);
    return jx_vm_atan2(v, x[0], x[1]);
}

LLVMValueRef jx_vm_emit(LLVMBuilderRef b, const char *fn, LLVMValueRef *x,
                        bool fma)
{
    vm v = vm_init(b, x[0], fma);
    return emit(&v, fn, x);
}

/* ---- the fast forms --------------------------------------------------- */

/* The kernels whose special cases (zero, subnormal, negative, infinite,
 * NaN, past a pole) cost as much as the rest: a loop computes them
 * without those cases where one unsigned comparison says that g, below,
 * lies in [lo, hi] (bits as an unsigned integer: the positive numbers are
 * ordered as their bits, and the sign bit puts every negative one above
 * them), and computes the elements outside again with the whole kernel
 * (loops.c's guarded loops).  The fast form's bits are the whole kernel's
 * inside the range: it is the same instructions less the selects that
 * fire only outside it.  Measured in docs/math.md. */
typedef struct vm_fast_row {
    const char *fn;
    char g;                    /* what the guard compares: 'x' itself,
                                  'a' |x|, 'u' 1 + x */
    unsigned long long lo[2];  /* [f32] the range of g's bits */
    unsigned long long hi[2];
} vm_fast_row;

/* Bits of a double, a float. */
#define VM_MIN_NORMAL {0x0010000000000000ull, 0x00800000ull}
#define VM_MAX_FINITE {0x7fefffffffffffffull, 0x7f7fffffull}

static const vm_fast_row fast_rows[] = {
    /* log: no subnormal path, no value for zero, negative, inf, NaN */
    {"log", 'x', VM_MIN_NORMAL, VM_MAX_FINITE},
    {"log2", 'x', VM_MIN_NORMAL, VM_MAX_FINITE},
    {"log10", 'x', VM_MIN_NORMAL, VM_MAX_FINITE},
    /* log1p: no value for 1 + x zero, negative, inf, NaN */
    {"log1p", 'u', VM_MIN_NORMAL, VM_MAX_FINITE},
    /* atanh: |x| < 1, no x past 1 nor log1p's */
    {"atanh", 'a', {0, 0}, {0x3fefffffffffffffull, 0x3f7fffffull}},
};

static const vm_fast_row *fast_row(const char *fn)
{
    for (int i = 0; i < NELEM(fast_rows); i++)
        if (strcmp(fast_rows[i].fn, fn) == 0)
            return &fast_rows[i];
    return NULL;
}

bool jx_vm_has_fast(const char *fn) { return fast_row(fn) != NULL; }

LLVMValueRef jx_vm_emit_fast(LLVMBuilderRef b, const char *fn, LLVMValueRef *x,
                             bool fma, bool fast, LLVMValueRef *exact)
{
    vm v = vm_init(b, x[0], fma);
    const vm_fast_row *row = fast_row(fn);
    LLVMValueRef g = x[0];
    if (row->g == 'a')
        g = fabs1(&v, g);
    else if (row->g == 'u')
        g = add(&v, g, k(&v, 1.0));
    /* out of range: bits(g) - lo > hi - lo, unsigned */
    unsigned long long lo = row->lo[v.f32], hi = row->hi[v.f32];
    LLVMValueRef gb = LLVMBuildBitCast(b, g, v.ti, "");
    if (lo != 0)
        gb = LLVMBuildSub(b, gb, ki(&v, lo), "");
    *exact = LLVMBuildICmp(b, LLVMIntUGT, gb, ki(&v, hi - lo), "");
    v.fast = fast;
    return emit(&v, fn, x);
}
