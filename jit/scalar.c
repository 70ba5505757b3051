/* scalar.c - bool, integer and float operations, with NumPy's edge cases.
 *
 * Nothing here may produce poison or trap on any input: integer division
 * gets a safe divisor by select, shifts select away oversized counts,
 * float to integer conversions saturate.
 *
 * float16 values are computed in float (to_calc, from_calc) and rounded
 * back, as NumPy's float16 loops do. */
#include "emit.h"

#include <math.h>

/* The divisor bv made safe for a division of a: 1 where bv is 0, and for
 * signed MIN / -1 (which traps), so nothing traps; callers select the
 * results NumPy gives there. */
static LLVMValueRef safe_divisor(cg *c, LLVMValueRef a, LLVMValueRef bv,
                                 bool sgn)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef t = LLVMTypeOf(a);
    unsigned bits = LLVMGetIntTypeWidth(t);
    LLVMValueRef bad = LLVMBuildICmp(b, LLVMIntEQ, bv, const_int(t, 0), "");
    if (sgn) {
        LLVMValueRef minv = const_int(t, UINT64_C(1) << (bits - 1));
        LLVMValueRef ovf =
            LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntEQ, a, minv, ""),
                         LLVMBuildICmp(b, LLVMIntEQ, bv, const_int(t, ~0ull), ""),
                         "");
        bad = LLVMBuildOr(b, bad, ovf, "");
    }
    return LLVMBuildSelect(b, bad, const_int(t, 1), bv, "");
}

/* Signed 64-bit division divides the magnitudes, unsigned, and gives the
 * signs back.  LLVM's x86 tuning (Zen included) divides 64-bit operands in
 * 32 bits when both fit in 32 unsigned bits, a branch that a negative
 * operand fails: over data of mixed signs it mispredicts half the time.
 * fmod, % and // of int64 in [-1e4, 1e4] took 1.57x NumPy's time (Zen 5,
 * n = 1e6, 3.4 ns/element); the magnitudes of small values of either sign
 * take the 32-bit division every time.  |MIN| is 2^63, unsigned. */
typedef struct int_mag {
    LLVMValueRef ua, ub; /* |a|, |sb| */
    LLVMValueRef neg;    /* the signs differ */
} int_mag;

static int_mag int_magnitudes(cg *c, LLVMValueRef a, LLVMValueRef sb)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMValueRef args[2] = {a, LLVMConstInt(c->t_i1, 0, 0)};
    int_mag m;
    m.ua = intrin(c, "llvm.abs", &t, 1, args, 2);
    args[0] = sb;
    m.ub = intrin(c, "llvm.abs", &t, 1, args, 2);
    m.neg = LLVMBuildICmp(b, LLVMIntSLT, LLVMBuildXor(b, a, sb, ""), const_int(t, 0), "");
    return m;
}

/* Python's floor division and modulo; x//0 and x%0 give 0, MIN//-1 gives
 * MIN, MIN%-1 gives 0; the divisor is made safe by select, so nothing
 * traps.  Unsigned (and bool, as i1) divide plainly; signed 64-bit from
 * the magnitudes: a quotient of differing signs is -ceil(|a| / |b|), a
 * remainder |b| - |a| % |b| when that is not 0, with the divisor's sign. */
static LLVMValueRef int_divmod(cg *c, LLVMValueRef a, LLVMValueRef bv,
                               bool sgn, bool mod)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMValueRef zero = const_int(t, 0);
    LLVMValueRef bz = LLVMBuildICmp(b, LLVMIntEQ, bv, zero, "");
    LLVMValueRef sb = safe_divisor(c, a, bv, sgn);
    if (!sgn) {
        if (mod)
            return LLVMBuildURem(b, a, sb, ""); /* a % 1 == 0 */
        LLVMValueRef q = LLVMBuildUDiv(b, a, sb, "");
        return LLVMBuildSelect(b, bz, zero, q, "");
    }
    if (LLVMGetIntTypeWidth(t) == 64) {
        int_mag m = int_magnitudes(c, a, sb);
        if (mod) {
            LLVMValueRef ur = LLVMBuildURem(b, m.ua, m.ub, "");
            LLVMValueRef up = LLVMBuildAnd(b, m.neg, LLVMBuildICmp(b, LLVMIntNE, ur, zero, ""), "");
            LLVMValueRef r = LLVMBuildSelect(b, up, LLVMBuildSub(b, m.ub, ur, ""), ur, "");
            return LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, sb, zero, ""),
                                   LLVMBuildNeg(b, r, ""), r, "");
        }
        LLVMValueRef up = LLVMBuildSub(b, LLVMBuildAdd(b, m.ua, m.ub, ""), const_int(t, 1), "");
        LLVMValueRef uq = LLVMBuildUDiv(b, LLVMBuildSelect(b, m.neg, up, m.ua, ""), m.ub, "");
        LLVMValueRef q = LLVMBuildSelect(b, m.neg, LLVMBuildNeg(b, uq, ""), uq, "");
        return LLVMBuildSelect(b, bz, zero, q, "");
    }
    LLVMValueRef r = LLVMBuildSRem(b, a, sb, "");
    /* The remainder's sign differs from the divisor's: floor is one less. */
    LLVMValueRef adj = LLVMBuildAnd(
        b, LLVMBuildICmp(b, LLVMIntNE, r, zero, ""),
        LLVMBuildICmp(b, LLVMIntSLT, LLVMBuildXor(b, r, sb, ""), zero, ""),
        "");
    if (mod)
        return LLVMBuildSelect(b, adj, LLVMBuildAdd(b, r, sb, ""), r, "");
    LLVMValueRef q = LLVMBuildSDiv(b, a, sb, "");
    q = LLVMBuildSub(b, q, LLVMBuildZExt(b, adj, t, ""), "");
    return LLVMBuildSelect(b, bz, zero, q, "");
}

/* C's remainder (NumPy's fmod): the sign of the dividend; x % 0 gives 0
 * and so does MIN % -1, through the safe divisor; signed 64-bit from the
 * magnitudes (int_magnitudes). */
static LLVMValueRef int_fmod(cg *c, LLVMValueRef a, LLVMValueRef bv, bool sgn)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef sb = safe_divisor(c, a, bv, sgn);
    if (!sgn)
        return LLVMBuildURem(b, a, sb, "");
    LLVMTypeRef t = LLVMTypeOf(a);
    if (LLVMGetIntTypeWidth(t) < 64)
        return LLVMBuildSRem(b, a, sb, "");
    int_mag m = int_magnitudes(c, a, sb);
    LLVMValueRef ur = LLVMBuildURem(b, m.ua, m.ub, "");
    return LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, a, const_int(t, 0), ""),
                           LLVMBuildNeg(b, ur, ""), ur, "");
}

/* The larger (max) or smaller of two integers or bools (bool as unsigned). */
static LLVMValueRef int_minmax(cg *c, LLVMValueRef a, LLVMValueRef y, bool sgn,
                               bool max)
{
    LLVMTypeRef ty = LLVMTypeOf(a);
    LLVMValueRef args[2] = {a, y};
    const char *fn = max ? (sgn ? "llvm.smax" : "llvm.umax")
                         : (sgn ? "llvm.smin" : "llvm.umin");
    return intrin(c, fn, &ty, 1, args, 2);
}

/* a ** e by repeated squaring over every bit of e, straight-line so that
 * it vectorizes; wraps.  Signed e < 0 gives 0, except 1 ** e == 1 and
 * (-1) ** e == +-1 (which the squaring already computes). */
static LLVMValueRef int_pow(cg *c, LLVMValueRef a, LLVMValueRef e, bool sgn)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef t = LLVMTypeOf(a);
    unsigned bits = LLVMGetIntTypeWidth(t);
    LLVMValueRef r = const_int(t, 1), base = a;
    for (unsigned k = 0; k < bits; k++) {
        LLVMValueRef bit = LLVMBuildICmp(
            b, LLVMIntNE,
            LLVMBuildAnd(b, e, const_int(t, UINT64_C(1) << k), ""),
            const_int(t, 0), "");
        r = LLVMBuildSelect(b, bit, LLVMBuildMul(b, r, base, ""), r, "");
        if (k + 1 < bits)
            base = LLVMBuildMul(b, base, base, "");
    }
    if (!sgn)
        return r;
    LLVMValueRef neg = LLVMBuildICmp(b, LLVMIntSLT, e, const_int(t, 0), "");
    LLVMValueRef unit =
        LLVMBuildOr(b, LLVMBuildICmp(b, LLVMIntEQ, a, const_int(t, 1), ""),
                    LLVMBuildICmp(b, LLVMIntEQ, a, const_int(t, ~0ull), ""),
                    "");
    LLVMValueRef zero_it = LLVMBuildAnd(b, neg, LLVMBuildNot(b, unit, ""), "");
    return LLVMBuildSelect(b, zero_it, const_int(t, 0), r, "");
}

/* The remainder of a float division (C's fmod), as NumPy's loops compute
 * it first.  LLVM's frem is a call of fmod per element (its exact loop
 * over the exponent difference; 18 ns an element on Zen 5, 10x numexpr's
 * a - floor(a/b)*b, which is not exact).  With A = |a|, B = |b| and
 * q = RN(A/B) below 2^52 (float: 2^23), Q = trunc(q) is an integer, exact,
 * and at most one above trunc(A/B) (RN is monotonic and the integers there
 * are floats, so never below); R = fma(-Q, B, A) is then exact: A - Q*B is
 * fmod's value, or that value less B, which is a multiple of the smaller
 * quantum of A and B under 2B (or, when A < B, A - B by Sterbenz's lemma),
 * a float; R + B then gives fmod's value back exactly.  The sign is a's
 * (fmod's, -0 too).  The same formula gives NaN where fmod does (b = 0, a
 * infinite, a NaN); b infinite with a finite gives a (q = 0, and 0*inf is
 * NaN, so by select).  Left: finite a, b != 0 whose quotient is 2^52 or
 * more (or overflows), where Q*B is not exact: `exact` marks them, and
 * the loop after the fast one computes them with frem (build_loop's
 * guarded loops, as for sin and cos of doubles).  Without that second loop
 * (CG_LIBRARY), on a CPU without FMA, or where an operand may differ
 * between the two loops (a math library's value, loops.c's mark_same:
 * the exact loop's guard must be the fast loop's), frem. */
static LLVMValueRef float_rem(cg *c, const jx_instr *in, LLVMValueRef a,
                              LLVMValueRef bv)
{
    LLVMBuilderRef b = c->b;
    if (c->guard == CG_LIBRARY || !jx_sc_guarded_rem(c, in))
        return LLVMBuildFRem(b, a, bv, "");
    LLVMTypeRef t = LLVMTypeOf(a);
    double big = t == c->t_double ? 0x1p52 : 0x1p23;
    LLVMValueRef inf = const_real(t, INFINITY), zero = const_real(t, 0.0);
    LLVMValueRef A = fintrin1(c, "llvm.fabs", a);
    LLVMValueRef B = fintrin1(c, "llvm.fabs", bv);
    LLVMValueRef q = LLVMBuildFDiv(b, A, B, "rem.q");
    LLVMValueRef a_fin = LLVMBuildFCmp(b, LLVMRealOLT, A, inf, "");
    LLVMValueRef slow = LLVMBuildAnd(
        b, LLVMBuildFCmp(b, LLVMRealOGE, q, const_real(t, big), ""),
        LLVMBuildAnd(b, a_fin, LLVMBuildFCmp(b, LLVMRealOGT, B, zero, ""), ""),
        "rem.slow");
    c->exact = c->exact ? LLVMBuildOr(b, c->exact, slow, "") : slow;
    if (c->guard == CG_RECHECK)
        return LLVMBuildFRem(b, a, bv, "");
    LLVMValueRef Q = fintrin1(c, "llvm.trunc", q);
    LLVMValueRef fa[3] = {LLVMBuildFNeg(b, Q, ""), B, A};
    LLVMTypeRef ft = t;
    LLVMValueRef R = intrin(c, "llvm.fma", &ft, 1, fa, 3);
    LLVMValueRef over = LLVMBuildFCmp(b, LLVMRealOLT, R, zero, "");
    R = LLVMBuildSelect(b, over, LLVMBuildFAdd(b, R, B, ""), R, "");
    R = fintrin2(c, "llvm.copysign", R, a);
    LLVMValueRef b_inf = LLVMBuildAnd(
        b, a_fin, LLVMBuildFCmp(b, LLVMRealOEQ, B, inf, ""), "");
    return LLVMBuildSelect(b, b_inf, a, R, "rem");
}

bool jx_sc_guarded_rem(const cg *c, const jx_instr *in)
{
    if (in->op != JX_OP_MOD && in->op != JX_OP_FLOORDIV && in->op != JX_OP_FMOD)
        return false;
    /* without FMA, llvm.fma is a call of libm's fma: frem then */
    return in->nargs == 2 && dt_float(c->ir->ins[in->args[0]].dtype) &&
           c->tgt != NULL && c->tgt->fma && c->same[in->args[0]] &&
           c->same[in->args[1]];
}

/* NumPy's npy_divmod: the floor quotient (want_div) or the remainder of
 * two floats in the calc type. */
static LLVMValueRef float_divmod(cg *c, const jx_instr *in, LLVMValueRef a,
                                 LLVMValueRef bv, bool want_div)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMValueRef zero = const_real(t, 0.0), one = const_real(t, 1.0);
    LLVMValueRef mod = float_rem(c, in, a, bv);
    LLVMValueRef b_zero = LLVMBuildFCmp(b, LLVMRealOEQ, bv, zero, "");
    LLVMValueRef mod_nz = LLVMBuildFCmp(b, LLVMRealUNE, mod, zero, "");
    LLVMValueRef b_neg = LLVMBuildFCmp(b, LLVMRealOLT, bv, zero, "");
    LLVMValueRef m_neg = LLVMBuildFCmp(b, LLVMRealOLT, mod, zero, "");
    LLVMValueRef adj =
        LLVMBuildAnd(b, mod_nz, LLVMBuildXor(b, b_neg, m_neg, ""), "");
    if (!want_div) {
        LLVMValueRef m = LLVMBuildSelect(b, adj, LLVMBuildFAdd(b, mod, bv, ""),
                                         mod, "");
        m = LLVMBuildSelect(b, mod_nz, m, fintrin2(c, "llvm.copysign", zero, bv),
                            "");
        return LLVMBuildSelect(b, b_zero, mod, m, "");
    }
    LLVMValueRef q = LLVMBuildFDiv(b, a, bv, "");
    LLVMValueRef div =
        LLVMBuildFDiv(b, LLVMBuildFSub(b, a, mod, ""), bv, "");
    div = LLVMBuildSelect(b, adj, LLVMBuildFSub(b, div, one, ""), div, "");
    LLVMValueRef fl = fintrin1(c, "llvm.floor", div);
    LLVMValueRef up = LLVMBuildFCmp(b, LLVMRealOGT,
                                    LLVMBuildFSub(b, div, fl, ""),
                                    const_real(t, 0.5), "");
    fl = LLVMBuildSelect(b, up, LLVMBuildFAdd(b, fl, one, ""), fl, "");
    LLVMValueRef div_nz = LLVMBuildFCmp(b, LLVMRealUNE, div, zero, "");
    LLVMValueRef r =
        LLVMBuildSelect(b, div_nz, fl, fintrin2(c, "llvm.copysign", zero, q),
                        "");
    return LLVMBuildSelect(b, b_zero, q, r, "");
}

static LLVMValueRef float_pow(cg *c, const jx_instr *in, jx_dtype t,
                              LLVMValueRef a, LLVMValueRef e)
{
    LLVMTypeRef ct = calc_type(c, t);
    double k;
    if (jx_ir_const_value(c->ir, in->args[1], &k)) {
        if (k == 2.0)
            return from_calc(c, LLVMBuildFMul(c->b, a, a, ""), t);
        /* x**3 and x**4 by multiplication, as numexpr does: within 1.5
         * ULP, with pow's infinities, NaNs and signed zeros.  (Negative
         * powers stay with pow: x*x underflows before its reciprocal.) */
        if (k == 3.0 || k == 4.0) {
            LLVMValueRef sq = LLVMBuildFMul(c->b, a, a, "");
            return from_calc(c, LLVMBuildFMul(c->b, sq, k == 3.0 ? a : sq, ""), t);
        }
        if (k == 1.0)
            return c->val[in->args[0]];
        if (k == 0.0)
            return const_real(val_type(c, t), 1.0);
        if (k == -1.0)
            return from_calc(
                c, LLVMBuildFDiv(c->b, const_real(ct, 1.0), a, ""), t);
    }
    LLVMValueRef x[2] = {a, e};
    /* the op table's JX_LIBCALLS row of POW: "pow" */
    return from_calc(c, jx_mc_libm_call(c, jx_ops_libcall(JX_OP_POW)->fn, x, 2), t);
}

/* ---- NumPy's float functions written out ------------------------------ */

/* below, at or above by where x stands against zero; a NaN x stays:
 * sign(x) and heaviside(x, h0). */
static LLVMValueRef float_by_sign(cg *c, LLVMValueRef x, LLVMValueRef below,
                                  LLVMValueRef at, LLVMValueRef above)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef zero = const_real(LLVMTypeOf(x), 0.0);
    LLVMValueRef r = LLVMBuildSelect(
        b, LLVMBuildFCmp(b, LLVMRealOEQ, x, zero, ""), at, x, "");
    r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, x, zero, ""), below,
                        r, "");
    return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, x, zero, ""),
                           above, r, "");
}

/* NumPy's maximum (max) or minimum of a and y as its scalar loops define
 * them: (a >= y || isnan(a)) ? a : y, so that a NaN in either operand is
 * the result; fmax and fmin (fnum) test isnan(y) instead and return the
 * number.  Written as selects, not llvm.maximum or llvm.maxnum, for a
 * defined answer with zeros of both signs (maxnum may return either). */
static LLVMValueRef float_minmax(cg *c, LLVMValueRef a, LLVMValueRef y,
                                 bool max, bool fnum)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef keep = LLVMBuildFCmp(b, max ? LLVMRealOGE : LLVMRealOLE, a, y, "");
    LLVMValueRef n = fnum ? y : a;
    keep = LLVMBuildOr(b, keep, LLVMBuildFCmp(b, LLVMRealUNO, n, n, ""), "");
    return LLVMBuildSelect(b, keep, a, y, "");
}

/* llvm.minimum or llvm.maximum of scalar floats a and v: NaN if either
 * is, -0 below +0.  LLVM before 17 has no x86 instruction selection for
 * them ("Cannot select: fminimum" aborts the process), so there the same
 * answer is written as selects: the ordered compare, for equal values the
 * OR (min) or AND (max) of the bits, which picks -0 or +0, and a + v for a
 * NaN.  From 17 the intrinsic, which the loop vectorizer widens as a
 * reduction. */
LLVMValueRef jx_sc_float_minimum(cg *c, LLVMValueRef a, LLVMValueRef v, bool max)
{
#if LLVM_VERSION_MAJOR >= 17
    return fintrin2(c, max ? "llvm.maximum" : "llvm.minimum", a, v);
#else
    LLVMBuilderRef b = c->b;
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMTypeRef ti = LLVMIntTypeInContext(
        c->ctx, LLVMGetTypeKind(t) == LLVMDoubleTypeKind ? 64 : 32);
    LLVMValueRef ab = LLVMBuildBitCast(b, a, ti, ""), vb = LLVMBuildBitCast(b, v, ti, "");
    LLVMValueRef same = LLVMBuildBitCast(
        b, max ? LLVMBuildAnd(b, ab, vb, "") : LLVMBuildOr(b, ab, vb, ""), t, "");
    LLVMValueRef r = LLVMBuildSelect(
        b, LLVMBuildFCmp(b, max ? LLVMRealOGT : LLVMRealOLT, a, v, ""), a, v, "");
    r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOEQ, a, v, ""), same, r, "");
    return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealUNO, a, v, ""),
                           LLVMBuildFAdd(b, a, v, ""), r, "");
#endif
}

/* NumPy's logaddexp (log(exp(x) + exp(y))) and logaddexp2 (base 2):
 * the larger plus log1p(exp(-|x - y|)), so that nothing overflows;
 * x == y gives x + log(2) (x + 1) also for infinities, and a NaN
 * difference is the result.  exp, exp2 and log1p are vector calls. */
static LLVMValueRef float_logaddexp(cg *c, LLVMValueRef x, LLVMValueRef y,
                                    bool base2)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMValueRef d = LLVMBuildFSub(b, x, y, "");
    LLVMValueRef big = LLVMBuildSelect(
        b, LLVMBuildFCmp(b, LLVMRealOGT, d, const_real(t, 0.0), ""), x, y, "");
    LLVMValueRef nd = LLVMBuildFNeg(b, fintrin1(c, "llvm.fabs", d), "");
    LLVMValueRef e = jx_mc_libm_call(c, base2 ? "exp2" : "exp", &nd, 1);
    LLVMValueRef l = jx_mc_libm_call(c, "log1p", &e, 1);
    if (base2) /* log2(1 + e) = log1p(e) / log(2) */
        l = LLVMBuildFMul(b, l, const_real(t, 1.4426950408889634), "");
    LLVMValueRef r = LLVMBuildFAdd(b, big, l, "");
    r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealUNO, d, d, ""), d, r, "");
    LLVMValueRef same = LLVMBuildFAdd(
        b, x, const_real(t, base2 ? 1.0 : 0.69314718055994531), "");
    return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOEQ, x, y, ""), same,
                           r, "");
}

/* The integer type of a float's bits. */
static LLVMTypeRef bits_type(cg *c, LLVMValueRef x)
{
    LLVMTypeRef t = LLVMTypeOf(x);
    unsigned w = t == c->t_half ? 16 : t == c->t_float ? 32 : 64;
    return LLVMIntTypeInContext(c->ctx, w);
}

/* signbit(x) of a value in its storage type (float16 too). */
static LLVMValueRef float_signbit(cg *c, LLVMValueRef x)
{
    LLVMTypeRef it = bits_type(c, x);
    LLVMValueRef bits = LLVMBuildBitCast(c->b, x, it, "");
    return LLVMBuildICmp(c->b, LLVMIntSLT, bits, const_int(it, 0), "");
}

/* nextafter(x, y) in x's storage type (float16 steps in half ULPs, as
 * NumPy's): the neighbour of x towards y, by one step of its bits; from a
 * zero, the smallest subnormal with y's sign; NaN in, NaN out. */
static LLVMValueRef float_nextafter(cg *c, LLVMValueRef x, LLVMValueRef y)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef t = LLVMTypeOf(x), it = bits_type(c, x);
    unsigned w = LLVMGetIntTypeWidth(it);
    LLVMValueRef zero = const_real(t, 0.0), one = const_int(it, 1);
    LLVMValueRef bx = LLVMBuildBitCast(b, x, it, "");
    LLVMValueRef by = LLVMBuildBitCast(b, y, it, "");
    /* Away from zero when x < y has the sign of x > 0. */
    LLVMValueRef away =
        LLVMBuildICmp(b, LLVMIntEQ, LLVMBuildFCmp(b, LLVMRealOLT, x, y, ""),
                      LLVMBuildFCmp(b, LLVMRealOGT, x, zero, ""), "");
    LLVMValueRef r = LLVMBuildSelect(b, away, LLVMBuildAdd(b, bx, one, ""),
                                     LLVMBuildSub(b, bx, one, ""), "");
    LLVMValueRef tiny = LLVMBuildOr(
        b, LLVMBuildAnd(b, by, const_int(it, UINT64_C(1) << (w - 1)), ""), one,
        "");
    r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOEQ, x, zero, ""), tiny, r,
                        "");
    r = LLVMBuildBitCast(b, r, t, "");
    r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOEQ, x, y, ""), y, r, "");
    LLVMValueRef nan = LLVMBuildFCmp(b, LLVMRealUNO, x, y, "");
    return LLVMBuildSelect(b, nan, LLVMBuildFAdd(b, x, y, ""), r, "");
}

/* deg2rad and rad2deg factors as NumPy rounds them: in the calc type. */
static LLVMValueRef angle_factor(cg *c, LLVMTypeRef t, bool to_rad)
{
    const double pid = 3.14159265358979323846;
    if (t == c->t_double)
        return const_real(t, to_rad ? pid / 180.0 : 180.0 / pid);
    float pi = (float)pid;
    return const_real(t, to_rad ? (double)(pi / 180.0f) : (double)(180.0f / pi));
}

/* ---- one instruction -------------------------------------------------- */

LLVMValueRef jx_sc_float_op(cg *c, const jx_instr *in, jx_dtype t,
                           LLVMValueRef *v)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef a = to_calc(c, v[0], t);
    LLVMValueRef y = in->nargs > 1 ? to_calc(c, v[1], t) : NULL;
    LLVMValueRef r;
    LLVMRealPredicate pred;
    switch (in->op) {
    case JX_OP_POS: return v[0];
    case JX_OP_NEG: r = LLVMBuildFNeg(b, a, ""); break;
    case JX_OP_ADD: r = LLVMBuildFAdd(b, a, y, ""); break;
    case JX_OP_SUB: r = LLVMBuildFSub(b, a, y, ""); break;
    case JX_OP_MUL: r = LLVMBuildFMul(b, a, y, ""); break;
    case JX_OP_DIV: r = LLVMBuildFDiv(b, a, y, ""); break;
    case JX_OP_FLOORDIV: r = float_divmod(c, in, a, y, true); break;
    case JX_OP_MOD: r = float_divmod(c, in, a, y, false); break;
    case JX_OP_POW: return float_pow(c, in, t, a, y);
    case JX_OP_ABS: r = fintrin1(c, "llvm.fabs", a); break;
    case JX_OP_FMOD: r = float_rem(c, in, a, y); break;
    case JX_OP_SQUARE: r = LLVMBuildFMul(b, a, a, ""); break;
    case JX_OP_RECIP: r = LLVMBuildFDiv(b, const_real(LLVMTypeOf(a), 1.0), a, ""); break;
    case JX_OP_SIGN: /* 1, -1, 0 for either zero */
        r = float_by_sign(c, a, const_real(LLVMTypeOf(a), -1.0),
                          const_real(LLVMTypeOf(a), 0.0),
                          const_real(LLVMTypeOf(a), 1.0));
        break;
    case JX_OP_ROUND: r = fintrin1(c, "llvm.roundeven", a); break;
    case JX_OP_MAXIMUM: r = float_minmax(c, a, y, true, false); break;
    case JX_OP_MINIMUM: r = float_minmax(c, a, y, false, false); break;
    case JX_OP_FMAX: r = float_minmax(c, a, y, true, true); break;
    case JX_OP_FMIN: r = float_minmax(c, a, y, false, true); break;
    case JX_OP_CLIP: /* NumPy's minimum(maximum(x, lo), hi): NaN wins */
        r = float_minmax(c, float_minmax(c, a, y, true, false),
                         to_calc(c, v[2], t), false, false);
        break;
    case JX_OP_DEG2RAD:
    case JX_OP_RAD2DEG:
        r = LLVMBuildFMul(b, a, angle_factor(c, LLVMTypeOf(a), in->op == JX_OP_DEG2RAD), "");
        break;
    case JX_OP_LOGADDEXP:
    case JX_OP_LOGADDEXP2:
        r = float_logaddexp(c, a, y, in->op == JX_OP_LOGADDEXP2);
        break;
    case JX_OP_HEAVISIDE: /* 0 below zero, h0 at zero, 1 above */
        r = float_by_sign(c, a, const_real(LLVMTypeOf(a), 0.0), y,
                          const_real(LLVMTypeOf(a), 1.0));
        break;
    case JX_OP_NEXTAFTER: return float_nextafter(c, v[0], v[1]);
    case JX_OP_SIGNBIT: return float_signbit(c, v[0]);
    case JX_OP_ISNAN: return LLVMBuildFCmp(b, LLVMRealUNO, a, a, "");
    case JX_OP_ISINF:
    case JX_OP_ISFINITE: {
        LLVMValueRef m = fintrin1(c, "llvm.fabs", a);
        LLVMValueRef inf = const_real(LLVMTypeOf(a), INFINITY);
        return LLVMBuildFCmp(b, in->op == JX_OP_ISINF ? LLVMRealOEQ : LLVMRealONE,
                             m, inf, "");
    }
    case JX_OP_LT: pred = LLVMRealOLT; goto cmp;
    case JX_OP_LE: pred = LLVMRealOLE; goto cmp;
    case JX_OP_EQ: pred = LLVMRealOEQ; goto cmp;
    case JX_OP_NE: pred = LLVMRealUNE; goto cmp;
    case JX_OP_GE: pred = LLVMRealOGE; goto cmp;
    case JX_OP_GT: pred = LLVMRealOGT; goto cmp;
    default:
        cg_fail(c, "no float lowering for %s", jx_ops[in->op].mnem);
        return v[0];
    }
    return from_calc(c, r, t);
cmp:
    return LLVMBuildFCmp(b, pred, a, y, "");
}

/* Integers and bool (i1; bool compares as unsigned). */
LLVMValueRef jx_sc_int_op(cg *c, const jx_instr *in, jx_dtype t,
                         LLVMValueRef *v)
{
    LLVMBuilderRef b = c->b;
    bool sgn = dt_signed(t), bl = dt_bool(t);
    LLVMValueRef a = v[0], y = in->nargs > 1 ? v[1] : NULL;
    LLVMTypeRef ty = LLVMTypeOf(a);
    unsigned bits = LLVMGetIntTypeWidth(ty);
    LLVMIntPredicate pred;
    switch (in->op) {
    case JX_OP_POS: return a;
    case JX_OP_NEG: return LLVMBuildNeg(b, a, "");
    case JX_OP_INVERT: return LLVMBuildNot(b, a, "");
    case JX_OP_ADD:
        return bl ? LLVMBuildOr(b, a, y, "") : LLVMBuildAdd(b, a, y, "");
    case JX_OP_SUB: return LLVMBuildSub(b, a, y, "");
    case JX_OP_MUL:
        return bl ? LLVMBuildAnd(b, a, y, "") : LLVMBuildMul(b, a, y, "");
    case JX_OP_FLOORDIV: return int_divmod(c, a, y, sgn, false);
    case JX_OP_MOD: return int_divmod(c, a, y, sgn, true);
    case JX_OP_POW: return int_pow(c, a, y, sgn);
    case JX_OP_AND: return LLVMBuildAnd(b, a, y, "");
    case JX_OP_OR: return LLVMBuildOr(b, a, y, "");
    case JX_OP_XOR: return LLVMBuildXor(b, a, y, "");
    case JX_OP_SHL:
    case JX_OP_SHR: {
        /* NumPy: counts >= bits (or negative) give 0, or -1 for a
         * negative signed value shifted right; the select discards the
         * poison of an oversized LLVM shift. */
        LLVMValueRef in_range =
            LLVMBuildICmp(b, LLVMIntULT, y, const_int(ty, bits), "");
        LLVMValueRef sh, out;
        if (in->op == JX_OP_SHL) {
            sh = LLVMBuildShl(b, a, y, "");
            out = const_int(ty, 0);
        } else if (sgn) {
            sh = LLVMBuildAShr(b, a, y, "");
            out = LLVMBuildAShr(b, a, const_int(ty, bits - 1), "");
        } else {
            sh = LLVMBuildLShr(b, a, y, "");
            out = const_int(ty, 0);
        }
        return LLVMBuildSelect(b, in_range, sh, out, "");
    }
    case JX_OP_ABS: {
        if (!sgn)
            return a;
        LLVMValueRef args[2] = {a, const_int(c->t_i1, 0)};
        return intrin(c, "llvm.abs", &ty, 1, args, 2);
    }
    case JX_OP_FMOD: return int_fmod(c, a, y, sgn);
    case JX_OP_SQUARE: return LLVMBuildMul(b, a, a, "");
    case JX_OP_SIGN: {
        LLVMValueRef zero = const_int(ty, 0);
        LLVMValueRef pos = LLVMBuildZExt(
            b, LLVMBuildICmp(b, sgn ? LLVMIntSGT : LLVMIntNE, a, zero, ""), ty, "");
        if (!sgn)
            return pos;
        return LLVMBuildSub(
            b, pos, LLVMBuildZExt(b, LLVMBuildICmp(b, LLVMIntSLT, a, zero, ""), ty, ""), "");
    }
    case JX_OP_RECIP: {
        /* 1/x in integers: 1 and -1 are their own reciprocals, the rest
         * give 0, and so does 0 (NumPy's is a float inf cast to the type:
         * undefined). */
        LLVMValueRef one = const_int(ty, 1);
        LLVMValueRef r = LLVMBuildZExt(
            b, LLVMBuildICmp(b, LLVMIntEQ, a, one, ""), ty, "");
        if (!sgn)
            return r;
        LLVMValueRef m1 = const_int(ty, ~0ull);
        return LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntEQ, a, m1, ""), m1, r, "");
    }
    case JX_OP_ROUND: return a;
    case JX_OP_ISNAN:
    case JX_OP_ISINF: return const_int(c->t_i1, 0);
    case JX_OP_ISFINITE: return const_int(c->t_i1, 1);
    case JX_OP_MAXIMUM:
    case JX_OP_FMAX:
    case JX_OP_MINIMUM:
    case JX_OP_FMIN: {
        bool max = in->op == JX_OP_MAXIMUM || in->op == JX_OP_FMAX;
        return int_minmax(c, a, y, sgn, max);
    }
    case JX_OP_CLIP:
        return int_minmax(c, int_minmax(c, a, y, sgn, true), v[2], sgn, false);
    case JX_OP_LT: pred = sgn ? LLVMIntSLT : LLVMIntULT; break;
    case JX_OP_LE: pred = sgn ? LLVMIntSLE : LLVMIntULE; break;
    case JX_OP_EQ: pred = LLVMIntEQ; break;
    case JX_OP_NE: pred = LLVMIntNE; break;
    case JX_OP_GE: pred = sgn ? LLVMIntSGE : LLVMIntUGE; break;
    case JX_OP_GT: pred = sgn ? LLVMIntSGT : LLVMIntUGT; break;
    default:
        cg_fail(c, "no integer lowering for %s", jx_ops[in->op].mnem);
        return a;
    }
    return LLVMBuildICmp(b, pred, a, y, "");
}
