/* vmath_logexp.c - log2, log10, exp2, asinh and atanh written out as IR,
 * for vmath.c's jx_vm_emit, on vmath.c's log, log1p and exp kernels
 * (2^r's polynomial is vmath_pow.c's; measured in docs/math.md, "Our
 * own kernels: log2, log10, exp2, arcsinh, arctanh").
 *
 *   log2(x)   = k + log(m)*log2(e), by one FMA: x = 2^k * m, m in
 *               [sqrt(1/2), sqrt(2)), log(m) from jx_vm_log_m (log's
 *               kernel before its k*ln2); k is exact, so log2 of a power of
 *               two is exact, and near 1 (k = 0) the result is log(m)
 *               times a constant rounded once.
 *   log10(x)  = k*c_hi + (log(m)*log10(e) + k*c_lo), c = log10(2) = c_hi +
 *               c_lo, c_hi with 11 trailing zero bits (float: 8) so that
 *               k*c_hi is exact, summed by two FMAs.
 *   exp2(x)   = 2^k * 2^r, k = round(x) (the shifter), r = x - k exact in
 *               [-1/2, 1/2], 2^r = 1 + r*E(r), pow's E (jx_vm_exp2m1: degree 10, float 5);
 *               x kept within [-1075, 1024] (float [-150, 128]), 2^k in
 *               two factors as in exp, so that subnormal results round
 *               once and 2^1024 overflows to inf; exp2 of an integer is
 *               exact (r = 0).
 *   atanh(x)  = sign(x) * log1p(y)/2, y = 2a/(1 - a) = 2a + 2a*q, q =
 *               a/(1 - a), a = |x|: q's rounding enters y scaled by a (the
 *               form that keeps small |x| accurate); log1p(2a)/2 is a
 *               itself for tiny and subnormal a, +-inf at +-1; past 1, y
 *               = -2a < -1: NaN (2a + 2a*q is 0 where a rounds 1 - a to
 *               -a).
 *   asinh(x)  = sign(x) * log1p(y), y = a + a*a/(1 + sqrt(1 + a*a)), a =
 *               |x|: a*a enters scaled by its share of y; log1p(a) is a
 *               for tiny a.  Past 2^500 (float 2^60), where a*a could
 *               overflow, y = a and ln2 is added (log(2a) = log1p(a) +
 *               ln2 to far below an ULP), as (a > 2^500) * ln2, the 0 or 1
 *               from a by arithmetic: a select of constants would be a
 *               masked load.
 *
 * No select here has a constant operand beside the value it replaces
 * (vmath.c's header comment says why). */
#include "vmath_emit.h"

#include <math.h>

/* ---- kernels ---------------------------------------------------------- */

/* log2(x) or, where ten, log10(x). */
static LLVMValueRef vm_log2_10(vm *v, LLVMValueRef x, bool ten)
{
    LLVMValueRef kf, lm = jx_vm_log_m(v, x, false, &kf), r;
    if (!ten) {
        r = fma3(v, lm, k(v, v->f32 ? 0x1.715476p+0 : 0x1.71547652b82fep+0), kf);
    } else {
        double chi = v->f32 ? 0x1.3442p-2 : 0x1.34413509f7800p-2;
        double clo = v->f32 ? -0x1.95ec1p-19 : 0x1.fef311f12b358p-46;
        r = fma3(v, lm, k(v, v->f32 ? 0x1.bcb7b2p-2 : 0x1.bcb7b1526e50ep-2),
                 mul(v, kf, k(v, clo)));
        r = fma3(v, kf, k(v, chi), r);
    }
    return jx_vm_log_special(v, x, false, r);
}

/* exp2(x): as in exp (vmath.c's jx_vm_exp), with r = x - k exact. */
static LLVMValueRef vm_exp2(vm *v, LLVMValueRef x)
{
    double lo = v->f32 ? -150.0 : -1075.0, hi = v->f32 ? 128.0 : 1024.0;
    LLVMValueRef t = sel(v, cmp(v, LLVMRealOLT, x, k(v, lo)), k(v, lo), x);
    t = sel(v, cmp(v, LLVMRealOGT, t, k(v, hi)), k(v, hi), t);
    double shifter = v->f32 ? 0x1.8p23 : 0x1.8p52;
    LLVMValueRef kd = add(v, t, k(v, shifter)); /* k in the low bits */
    LLVMValueRef r = sub(v, t, sub(v, kd, k(v, shifter)));
    LLVMValueRef p = jx_vm_exp2m1(v, r); /* 2^r - 1: pow's polynomial */
    return jx_vm_scale_2k(v, kd, p);
}

static LLVMValueRef vm_atanh(vm *v, LLVMValueRef x)
{
    LLVMValueRef one = k(v, 1.0);
    LLVMValueRef a = fabs1(v, x);
    LLVMValueRef q = LLVMBuildFDiv(v->b, a, sub(v, one, a), "");
    LLVMValueRef t = add(v, a, a);
    LLVMValueRef y = fma3(v, t, q, t);
    if (!v->fast) /* the fast form: a < 1 */
        y = sel(v, cmp(v, LLVMRealOGT, a, one), LLVMBuildFNeg(v->b, t, ""), y);
    LLVMValueRef r = mul(v, jx_vm_log(v, y, true), k(v, 0.5));
    return copysign2(v, r, x);
}

static LLVMValueRef vm_asinh(vm *v, LLVMValueRef x)
{
    LLVMValueRef one = k(v, 1.0);
    LLVMValueRef a = fabs1(v, x);
    LLVMValueRef z = mul(v, a, a);
    LLVMValueRef sq = add(v, one, z);
    sq = intrin(v, "llvm.sqrt", &sq, 1);
    LLVMValueRef y = add(v, a, LLVMBuildFDiv(v->b, z, add(v, one, sq), ""));
    LLVMValueRef huge = cmp(v, LLVMRealOGT, a, k(v, v->f32 ? 0x1p60 : 0x1p500));
    y = sel(v, huge, a, y);
    /* log1p(y), y >= 0 or NaN: of jx_vm_log's special cases only +inf
     * and NaN (its value for u <= 0 became a constant -inf here, LLVM
     * knowing y positive, and the select of it a masked load) */
    LLVMValueRef kf, r = jx_vm_log_m(v, y, true, &kf);
    r = fma3(v, kf, k(v, v->f32 ? 0x1.62e43p-1 : 0x1.62e42fefa39efp-1), r);
    r = sel(v, cmp(v, LLVMRealUEQ, y, k(v, INFINITY)), y, r);
    /* (a > 2^500) as 0 or 1: min(a*2^-501, 1) rounded to an integer (1/2
     * to 0).  From the i1 (uitofp, as acosh has it), LLVM made a select
     * of the constants 0 and 1: a masked load where registers ran short
     * (arcsinh(a)+arctanh(b)+log2(a)+exp2(b)). */
    LLVMValueRef hf = mul(v, a, k(v, v->f32 ? 0x1p-61 : 0x1p-501));
    hf = sel(v, cmp(v, LLVMRealOLT, hf, one), hf, one);
    hf = intrin(v, "llvm.roundeven", &hf, 1);
    r = fma3(v, hf, k(v, v->f32 ? 0x1.62e43p-1 : 0x1.62e42fefa39efp-1), r);
    return copysign2(v, r, x);
}

/* ---- the table -------------------------------------------------------- */

bool jx_vm_logexp_has(const char *fn)
{
    return strcmp(fn, "log2") == 0 || strcmp(fn, "log10") == 0 ||
           strcmp(fn, "exp2") == 0 || strcmp(fn, "asinh") == 0 ||
           strcmp(fn, "atanh") == 0;
}

LLVMValueRef jx_vm_logexp(vm *v, const char *fn, LLVMValueRef x)
{
    if (strcmp(fn, "log2") == 0 || strcmp(fn, "log10") == 0)
        return vm_log2_10(v, x, strcmp(fn, "log10") == 0);
    if (strcmp(fn, "exp2") == 0)
        return vm_exp2(v, x);
    if (strcmp(fn, "asinh") == 0)
        return vm_asinh(v, x);
    return vm_atanh(v, x);
}
