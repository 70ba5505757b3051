/* complex.c - complex operations in kernels.
 *
 * Complex arithmetic is NumPy's, part by part in the parts' type; exp,
 * exp2 and expm1 are written out from the real exp, expm1, sin and cos in
 * the parts' type (cx_exp, cx_expm1), so that they vectorize; the other
 * complex functions and powers call the wrappers of cmath.c (the C
 * library's csin, clog, ...) in double and round the parts.
 *
 * A complex value is the literal struct {float, float} or {double,
 * double} (emit.h); these functions take it apart (cx_re, cx_im) and
 * build the result (cx_make).  cmath.c holds the C functions that the
 * calls reach at run time; this file only emits IR. */
#include "emit.h"

#include <float.h>
#include <math.h>

#include "cmath.h"
#include "vmath.h"

/* A call of the cmath.c function fn on the double values x[0..nargs-1];
 * returns {double, double}.  Declared memory(none), as the libm calls. */
static LLVMValueRef cm_call(cg *c, const char *fn, LLVMValueRef *x,
                            unsigned nargs)
{
    LLVMTypeRef args[4] = {c->t_double, c->t_double, c->t_double, c->t_double};
    LLVMTypeRef parts[2] = {c->t_double, c->t_double};
    LLVMTypeRef rt = LLVMStructTypeInContext(c->ctx, parts, 2, 0);
    LLVMTypeRef fty = LLVMFunctionType(rt, args, nargs, 0);
    LLVMValueRef f = LLVMGetNamedFunction(c->mod, fn);
    if (f == NULL) {
        f = LLVMAddFunction(c->mod, fn, fty);
        mark_libcall(c, f, false);
    }
    return LLVMBuildCall2(c->b, fty, f, x, nargs, "");
}

/* cmath.c's fn on the complex t values v[0..nz-1], computed in double and
 * rounded back to t. */
static LLVMValueRef cx_libcall(cg *c, const char *fn, jx_dtype t,
                               LLVMValueRef *v, int nz)
{
    LLVMValueRef x[4];
    for (int k = 0; k < nz; k++) {
        x[2 * k] = jx_em_cast(c, cx_re(c, v[k]), jx_dtype_part(t), JX_FLOAT64);
        x[2 * k + 1] = jx_em_cast(c, cx_im(c, v[k]), jx_dtype_part(t), JX_FLOAT64);
    }
    LLVMValueRef r = cm_call(c, fn, x, (unsigned)(2 * nz));
    return jx_em_cast(c, r, JX_COMPLEX128, t);
}

#define LN2 0.693147180559945309417232121458176568

/* exp(z), or exp2(z) = exp(z * ln 2) (NumPy's nc_exp2), of the complex t
 * value z, in t's part type: exp(x) * (cos y + i sin y) from the real
 * functions (jx_mc_libm_call: vector variants or vmath.c's kernels), so that the
 * loop vectorizes; with the special cases of glibc's cexp, which NumPy
 * calls, as selects:
 *   - y subnormal or zero: sin y = y, cos y = 1 (y NaN: both NaN);
 *   - x > t (709, float 88): t taken off x and exp(t) folded into the sine
 *     and cosine, twice, then DBL_MAX for exp(x) if x is still > t, so
 *     that exp(x) cos y is finite where it can be (x = +inf falls here:
 *     +-inf with the signs of cos y and sin y, and y for y = 0);
 *   - y infinite or NaN: NaN + NaN i from sin and cos, except x = +inf
 *     (+inf + NaN i) and x = -inf (+0 + copysign(0, y) i);
 *   - y = 0: the imaginary part is y, whatever x (NaN too).
 * Results are within the real functions' error bounds (4 ULP each) of
 * cexp's; special values are cexp's bit for bit, except which NaN. */
static LLVMValueRef cx_exp(cg *c, jx_dtype t, LLVMValueRef z, bool two)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef pt = part_type(c, t);
    bool f32 = pt == c->t_float;
    LLVMValueRef x = cx_re(c, z), y = cx_im(c, z);
    if (two) {
        LLVMValueRef ln2 = const_real(pt, f32 ? (double)(float)LN2 : LN2);
        x = LLVMBuildFMul(b, x, ln2, "");
        y = LLVMBuildFMul(b, y, ln2, "");
    }
    LLVMValueRef zero = const_real(pt, 0.0), one = const_real(pt, 1.0);
    LLVMValueRef inf = const_real(pt, INFINITY);
    LLVMValueRef tt = const_real(pt, f32 ? 88.0 : 709.0);
    LLVMValueRef et = const_real(pt, f32 ? (double)expf(88.0f) : exp(709.0));
    LLVMValueRef ay = fintrin1(c, "llvm.fabs", y);
    /* unordered: NaN takes sin and cos, and gives NaN */
    LLVMValueRef normal = LLVMBuildFCmp(
        b, LLVMRealUGT, ay, const_real(pt, f32 ? FLT_MIN : DBL_MIN), "");
    LLVMValueRef s = LLVMBuildSelect(b, normal, jx_mc_libm_call(c, "sin", &y, 1), y, "");
    LLVMValueRef co = LLVMBuildSelect(b, normal, jx_mc_libm_call(c, "cos", &y, 1), one, "");
    LLVMValueRef xs = x;
    for (int k = 0; k < 2; k++) {
        LLVMValueRef big = LLVMBuildFCmp(b, LLVMRealOGT, xs, tt, "");
        xs = LLVMBuildSelect(b, big, LLVMBuildFSub(b, xs, tt, ""), xs, "");
        s = LLVMBuildSelect(b, big, LLVMBuildFMul(b, s, et, ""), s, "");
        co = LLVMBuildSelect(b, big, LLVMBuildFMul(b, co, et, ""), co, "");
    }
    LLVMValueRef e = LLVMBuildSelect(
        b, LLVMBuildFCmp(b, LLVMRealOGT, xs, tt, ""),
        const_real(pt, f32 ? FLT_MAX : DBL_MAX), jx_mc_libm_call(c, "exp", &xs, 1), "");
    LLVMValueRef re = LLVMBuildFMul(b, e, co, "");
    LLVMValueRef im = LLVMBuildFMul(b, e, s, "");
    /* x infinite, y not finite */
    LLVMValueRef ynf = LLVMBuildFCmp(b, LLVMRealUGE, ay, inf, "");
    LLVMValueRef pinf = LLVMBuildAnd(
        b, ynf, LLVMBuildFCmp(b, LLVMRealOEQ, x, inf, ""), "");
    LLVMValueRef ninf = LLVMBuildAnd(
        b, ynf, LLVMBuildFCmp(b, LLVMRealOEQ, x, const_real(pt, -INFINITY), ""), "");
    re = LLVMBuildSelect(b, pinf, inf, re, "");
    re = LLVMBuildSelect(b, ninf, zero, re, "");
    im = LLVMBuildSelect(b, ninf, fintrin2(c, "llvm.copysign", zero, y), im, "");
    im = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOEQ, y, zero, ""), y, im, "");
    return cx_make(c, t, re, im);
}

/* expm1(z) by NumPy's nc_expm1, in t's part type: expm1(x) cos y -
 * 2 sin(y/2)^2 + i exp(x) sin y (no cancellation near z = 0), from the
 * real functions as cx_exp; NumPy has no special cases here, and the
 * formula gives its infinities and NaNs. */
static LLVMValueRef cx_expm1(cg *c, jx_dtype t, LLVMValueRef z)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef pt = part_type(c, t);
    LLVMValueRef x = cx_re(c, z), y = cx_im(c, z);
    LLVMValueRef h = LLVMBuildFMul(b, y, const_real(pt, 0.5), "");
    LLVMValueRef a = jx_mc_libm_call(c, "sin", &h, 1);
    LLVMValueRef a2 = LLVMBuildFMul(
        b, LLVMBuildFMul(b, const_real(pt, 2.0), a, ""), a, "");
    LLVMValueRef re = LLVMBuildFSub(
        b, LLVMBuildFMul(b, jx_mc_libm_call(c, "expm1", &x, 1), jx_mc_libm_call(c, "cos", &y, 1), ""),
        a2, "");
    LLVMValueRef im = LLVMBuildFMul(b, jx_mc_libm_call(c, "exp", &x, 1),
                                    jx_mc_libm_call(c, "sin", &y, 1), "");
    return cx_make(c, t, re, im);
}

/* Whether cx_exp or cx_expm1, the lowering of complex128 op, calls sin or cos where
 * the target takes vmath.c's guarded kernels (build_loop then runs the
 * fast loop first, as for a float64 sin). */
bool jx_cx_uses_guarded(int op, const jx_cg_target *tgt)
{
    static const char *const fns[] = {"sin", "cos"};
    if (op != JX_OP_EXP && op != JX_OP_EXP2 && op != JX_OP_EXPM1)
        return false;
    for (int k = 0; k < 2; k++)
        if (jx_vm_has_guarded(fns[k], false) && !jx_mc_use_library(tgt, fns[k], false))
            return true;
    return false;
}

/* NumPy's complex division (its divide loop): Smith's method, scaled by
 * the larger part of the divisor; a zero divisor gives the parts of the
 * dividend divided by 0 (inf or NaN).  Both ways are computed and one is
 * selected, so that the loop stays straight-line. */
static LLVMValueRef cx_div(cg *c, jx_dtype t, LLVMValueRef x, LLVMValueRef y)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef pt = part_type(c, t);
    LLVMValueRef ar = cx_re(c, x), ai = cx_im(c, x);
    LLVMValueRef br = cx_re(c, y), bi = cx_im(c, y);
    LLVMValueRef abr = fintrin1(c, "llvm.fabs", br);
    LLVMValueRef abi = fintrin1(c, "llvm.fabs", bi);
    LLVMValueRef one = const_real(pt, 1.0), zero = const_real(pt, 0.0);
    /* |br| >= |bi|: rat = bi/br, scl = 1/(br + bi*rat) */
    LLVMValueRef rat1 = LLVMBuildFDiv(b, bi, br, "");
    LLVMValueRef scl1 = LLVMBuildFDiv(
        b, one, LLVMBuildFAdd(b, br, LLVMBuildFMul(b, bi, rat1, ""), ""), "");
    LLVMValueRef r1 = LLVMBuildFMul(
        b, LLVMBuildFAdd(b, ar, LLVMBuildFMul(b, ai, rat1, ""), ""), scl1, "");
    LLVMValueRef i1 = LLVMBuildFMul(
        b, LLVMBuildFSub(b, ai, LLVMBuildFMul(b, ar, rat1, ""), ""), scl1, "");
    /* otherwise: rat = br/bi, scl = 1/(bi + br*rat) */
    LLVMValueRef rat2 = LLVMBuildFDiv(b, br, bi, "");
    LLVMValueRef scl2 = LLVMBuildFDiv(
        b, one, LLVMBuildFAdd(b, bi, LLVMBuildFMul(b, br, rat2, ""), ""), "");
    LLVMValueRef r2 = LLVMBuildFMul(
        b, LLVMBuildFAdd(b, LLVMBuildFMul(b, ar, rat2, ""), ai, ""), scl2, "");
    LLVMValueRef i2 = LLVMBuildFMul(
        b, LLVMBuildFSub(b, LLVMBuildFMul(b, ai, rat2, ""), ar, ""), scl2, "");
    /* both parts zero: the dividend's parts over |br| */
    LLVMValueRef r0 = LLVMBuildFDiv(b, ar, abr, "");
    LLVMValueRef i0 = LLVMBuildFDiv(b, ai, abr, "");
    LLVMValueRef first = LLVMBuildFCmp(b, LLVMRealOGE, abr, abi, "");
    LLVMValueRef zero_div = LLVMBuildAnd(
        b, LLVMBuildFCmp(b, LLVMRealOEQ, abr, zero, ""),
        LLVMBuildFCmp(b, LLVMRealOEQ, abi, zero, ""), "");
    LLVMValueRef re = LLVMBuildSelect(
        b, first, LLVMBuildSelect(b, zero_div, r0, r1, ""), r2, "");
    LLVMValueRef im = LLVMBuildSelect(
        b, first, LLVMBuildSelect(b, zero_div, i0, i1, ""), i2, "");
    return cx_make(c, t, re, im);
}

/* NumPy's complex ordering (lexicographic, as its CLT/CLE macros):
 * x < y is (xr < yr and neither imaginary part NaN) or (xr == yr and
 * xi < yi); > and >= swap the operands' roles. */
static LLVMValueRef cx_order(cg *c, LLVMRealPredicate strict,
                             LLVMRealPredicate tie, LLVMValueRef x,
                             LLVMValueRef y)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef xr = cx_re(c, x), xi = cx_im(c, x);
    LLVMValueRef yr = cx_re(c, y), yi = cx_im(c, y);
    LLVMValueRef lead = LLVMBuildAnd(
        b, LLVMBuildFCmp(b, strict, xr, yr, ""),
        LLVMBuildFCmp(b, LLVMRealORD, xi, yi, ""), "");
    LLVMValueRef tied = LLVMBuildAnd(
        b, LLVMBuildFCmp(b, LLVMRealOEQ, xr, yr, ""),
        LLVMBuildFCmp(b, tie, xi, yi, ""), "");
    return LLVMBuildOr(b, lead, tied, "");
}

/* x * y, part by part as NumPy's loop. */
LLVMValueRef jx_cx_mul(cg *c, jx_dtype t, LLVMValueRef x, LLVMValueRef y)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef xr = cx_re(c, x), xi = cx_im(c, x);
    LLVMValueRef yr = cx_re(c, y), yi = cx_im(c, y);
    return cx_make(c, t,
                   LLVMBuildFSub(b, LLVMBuildFMul(b, xr, yr, ""),
                                 LLVMBuildFMul(b, xi, yi, ""), ""),
                   LLVMBuildFAdd(b, LLVMBuildFMul(b, xr, yi, ""),
                                 LLVMBuildFMul(b, xi, yr, ""), ""));
}

/* Whether either part of z is NaN (np.isnan of a complex). */
static LLVMValueRef cx_isnan(cg *c, LLVMValueRef z)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef zr = cx_re(c, z), zi = cx_im(c, z);
    return LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealUNO, zr, zr, ""),
                       LLVMBuildFCmp(b, LLVMRealUNO, zi, zi, ""), "");
}

/* NumPy's complex maximum (max) or minimum: x when x >= y (x <= y) in the
 * lexicographic order, or when x (fmax and fmin, fnum: y) has a NaN part;
 * else y. */
LLVMValueRef jx_cx_minmax(cg *c, LLVMValueRef x, LLVMValueRef y, bool max,
                       bool fnum)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef keep = max ? cx_order(c, LLVMRealOGT, LLVMRealOGE, x, y)
                            : cx_order(c, LLVMRealOLT, LLVMRealOLE, x, y);
    LLVMValueRef nan = cx_isnan(c, fnum ? y : x);
    return LLVMBuildSelect(b, LLVMBuildOr(b, keep, nan, ""), x, y, "");
}

/* NumPy's complex reciprocal: with r the smaller part over the larger,
 * 1/z = (1, -r)/d or (r, -1)/d; 0 gives NaN parts, as NumPy's. */
static LLVMValueRef cx_recip(cg *c, jx_dtype t, LLVMValueRef x)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef xr = cx_re(c, x), xi = cx_im(c, x);
    LLVMValueRef one = const_real(part_type(c, t), 1.0);
    LLVMValueRef first = LLVMBuildFCmp(b, LLVMRealOLE, fintrin1(c, "llvm.fabs", xi),
                                       fintrin1(c, "llvm.fabs", xr), "");
    LLVMValueRef r1 = LLVMBuildFDiv(b, xi, xr, "");
    LLVMValueRef d1 = LLVMBuildFAdd(b, xr, LLVMBuildFMul(b, xi, r1, ""), "");
    LLVMValueRef r2 = LLVMBuildFDiv(b, xr, xi, "");
    LLVMValueRef d2 = LLVMBuildFAdd(b, LLVMBuildFMul(b, xr, r2, ""), xi, "");
    LLVMValueRef re = LLVMBuildSelect(b, first, LLVMBuildFDiv(b, one, d1, ""),
                                      LLVMBuildFDiv(b, r2, d2, ""), "");
    LLVMValueRef im = LLVMBuildSelect(
        b, first, LLVMBuildFNeg(b, LLVMBuildFDiv(b, r1, d1, ""), ""),
        LLVMBuildFNeg(b, LLVMBuildFDiv(b, one, d2, ""), ""), "");
    return cx_make(c, t, re, im);
}

/* An op on complex t operands v[]; its result may be real (abs, real,
 * imag, angle, comparisons). */
LLVMValueRef jx_cx_op(cg *c, const jx_instr *in, jx_dtype t,
                             LLVMValueRef *v)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef x = v[0], y = in->nargs > 1 ? v[1] : NULL;
    if (in->op == JX_OP_RINT || in->op == JX_OP_ROUND) /* each part, as NumPy */
        return cx_make(c, t, fintrin1(c, "llvm.roundeven", cx_re(c, x)),
                       fintrin1(c, "llvm.roundeven", cx_im(c, x)));
    if (in->op == JX_OP_EXP || in->op == JX_OP_EXP2)
        return cx_exp(c, t, x, in->op == JX_OP_EXP2);
    if (in->op == JX_OP_EXPM1)
        return cx_expm1(c, t, x);
    if (jx_ops[in->op].cx == JX_CX_CALL) /* cmath.c's helper (ops.h's cx) */
        return cx_libcall(c, jx_cm_name(in->op), t, v, in->nargs);
    LLVMValueRef xr = cx_re(c, x), xi = cx_im(c, x);
    LLVMValueRef yr = y ? cx_re(c, y) : NULL, yi = y ? cx_im(c, y) : NULL;
    switch (in->op) {
    case JX_OP_POS:
    case JX_OP_REAL: return in->op == JX_OP_POS ? x : xr;
    case JX_OP_IMAG: return xi;
    case JX_OP_NEG:
        return cx_make(c, t, LLVMBuildFNeg(b, xr, ""), LLVMBuildFNeg(b, xi, ""));
    case JX_OP_CONJ: return cx_make(c, t, xr, LLVMBuildFNeg(b, xi, ""));
    case JX_OP_ADD:
        return cx_make(c, t, LLVMBuildFAdd(b, xr, yr, ""), LLVMBuildFAdd(b, xi, yi, ""));
    case JX_OP_SUB:
        return cx_make(c, t, LLVMBuildFSub(b, xr, yr, ""), LLVMBuildFSub(b, xi, yi, ""));
    case JX_OP_MUL: return jx_cx_mul(c, t, x, y);
    case JX_OP_DIV: return cx_div(c, t, x, y);
    case JX_OP_SQUARE: return jx_cx_mul(c, t, x, x);
    case JX_OP_RECIP: return cx_recip(c, t, x);
    case JX_OP_ISNAN: return cx_isnan(c, x);
    case JX_OP_ISINF:
    case JX_OP_ISFINITE: {
        LLVMValueRef inf = const_real(part_type(c, t), INFINITY);
        LLVMValueRef ar = fintrin1(c, "llvm.fabs", xr), ai = fintrin1(c, "llvm.fabs", xi);
        if (in->op == JX_OP_ISINF)
            return LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealOEQ, ar, inf, ""),
                               LLVMBuildFCmp(b, LLVMRealOEQ, ai, inf, ""), "");
        return LLVMBuildAnd(b, LLVMBuildFCmp(b, LLVMRealONE, ar, inf, ""),
                            LLVMBuildFCmp(b, LLVMRealONE, ai, inf, ""), "");
    }
    case JX_OP_MAXIMUM:
    case JX_OP_MINIMUM:
    case JX_OP_FMAX:
    case JX_OP_FMIN:
        return jx_cx_minmax(c, x, y, in->op == JX_OP_MAXIMUM || in->op == JX_OP_FMAX,
                         in->op == JX_OP_FMAX || in->op == JX_OP_FMIN);
    case JX_OP_ABS: { /* |z| = hypot, as NumPy's npy_cabs */
        LLVMValueRef a[2] = {xr, xi};
        return jx_mc_libm_call(c, "hypot", a, 2);
    }
    case JX_OP_ANGLE: {
        LLVMValueRef a[2] = {xi, xr};
        return jx_mc_libm_call(c, "atan2", a, 2);
    }
    case JX_OP_EQ:
        return LLVMBuildAnd(b, LLVMBuildFCmp(b, LLVMRealOEQ, xr, yr, ""),
                            LLVMBuildFCmp(b, LLVMRealOEQ, xi, yi, ""), "");
    case JX_OP_NE:
        return LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealUNE, xr, yr, ""),
                           LLVMBuildFCmp(b, LLVMRealUNE, xi, yi, ""), "");
    case JX_OP_LT: return cx_order(c, LLVMRealOLT, LLVMRealOLT, x, y);
    case JX_OP_LE: return cx_order(c, LLVMRealOLT, LLVMRealOLE, x, y);
    case JX_OP_GT: return cx_order(c, LLVMRealOGT, LLVMRealOGT, x, y);
    case JX_OP_GE: return cx_order(c, LLVMRealOGT, LLVMRealOGE, x, y);
    default:
        cg_fail(c, "no complex lowering for %s", jx_ops[in->op].mnem);
        return x;
    }
}

/* real, imag, conj, angle and complex() on real operands of type t. */
LLVMValueRef jx_cx_real_part_op(cg *c, const jx_instr *in, jx_dtype t,
                               LLVMValueRef *v)
{
    switch (in->op) {
    case JX_OP_IMAG: /* zeros of the operand's type */
        return dt_float(t) ? const_real(val_type(c, t), 0.0)
                           : const_int(val_type(c, t), 0);
    case JX_OP_ANGLE: { /* arctan2(0, x): 0, pi or NaN, as np.angle */
        LLVMValueRef a[2] = {const_real(calc_type(c, t), 0.0), to_calc(c, v[0], t)};
        return from_calc(c, jx_mc_libm_call(c, "atan2", a, 2), t);
    }
    case JX_OP_COMPLEX: return cx_make(c, in->dtype, v[0], v[1]);
    default: /* real, conj: the value */
        return v[0];
    }
}
