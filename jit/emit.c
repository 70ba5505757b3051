/* emit.c - values in memory and conversions between dtypes: the loads,
 * stores and element addresses of the kernel's operands, and casts.
 *
 * Values in registers: bool is i1, integers iN, float16 `half` (each op
 * extends to float, computes and rounds back to half, as NumPy's float16
 * loops do), float32 float, float64 double, complex64 and complex128 the
 * literal struct {float, float} or {double, double} (real, imaginary),
 * built by insertvalue and taken apart by extractvalue, which instcombine
 * and SROA turn into two scalars (so + - * still vectorize).  In memory
 * bool is one byte 0/1 and a complex its two parts side by side, as NumPy
 * stores them.  Every load and store has alignment 1: data may be
 * unaligned.
 *
 * Casts follow NumPy's astype: float to integer saturates (NaN gives 0),
 * float64 to float16 rounds once, complex to real drops the imaginary
 * part. */
#include "emit.h"

/* ---- elements in memory ---------------------------------------------- */

/* The address of the imaginary part of the complex t at addr. */
static LLVMValueRef cx_im_addr(cg *c, jx_dtype t, LLVMValueRef addr)
{
    LLVMValueRef one = const_int(c->t_i64, 1);
    return LLVMBuildInBoundsGEP2(c->b, part_type(c, t), addr, &one, 1, "");
}

static LLVMValueRef load_part(cg *c, jx_dtype t, LLVMValueRef addr)
{
    LLVMValueRef v = LLVMBuildLoad2(c->b, part_type(c, t), addr, "");
    LLVMSetAlignment(v, 1);
    return v;
}

static void store_part(cg *c, LLVMValueRef addr, LLVMValueRef v)
{
    LLVMSetAlignment(LLVMBuildStore(c->b, v, addr), 1);
}

LLVMValueRef jx_em_load_elem(cg *c, jx_dtype t, LLVMValueRef addr)
{
    if (dt_complex(t)) /* two loads of the parts: the vectorizer sees an
                          interleaved pair, not an aggregate */
        return cx_make(c, t, load_part(c, t, addr),
                       load_part(c, t, cx_im_addr(c, t, addr)));
    LLVMValueRef v = LLVMBuildLoad2(c->b, mem_type(c, t), addr, "");
    LLVMSetAlignment(v, 1);
    if (dt_bool(t))
        v = LLVMBuildICmp(c->b, LLVMIntNE, v, const_int(c->t_i8, 0), "");
    return v;
}

void jx_em_store_elem(cg *c, jx_dtype t, LLVMValueRef addr, LLVMValueRef v)
{
    if (dt_complex(t)) {
        store_part(c, addr, cx_re(c, v));
        store_part(c, cx_im_addr(c, t, addr), cx_im(c, v));
        return;
    }
    if (dt_bool(t))
        v = LLVMBuildZExt(c->b, v, c->t_i8, "");
    LLVMValueRef st = LLVMBuildStore(c->b, v, addr);
    LLVMSetAlignment(st, 1);
}

/* The address of element i of an operand of class cls. */
LLVMValueRef jx_em_elem_addr(cg *c, char cls, jx_dtype t, LLVMValueRef base,
                       LLVMValueRef stride, LLVMValueRef i)
{
    switch (cls) {
    case JX_LAYOUT_CONTIG:
        return LLVMBuildInBoundsGEP2(c->b, mem_type(c, t), base, &i, 1, "");
    case JX_LAYOUT_STRIDED: {
        LLVMValueRef off = LLVMBuildMul(c->b, i, stride, "");
        return LLVMBuildInBoundsGEP2(c->b, c->t_i8, base, &off, 1, "");
    }
    default: /* scalar */
        return base;
    }
}

/* float64 -> float16 correctly rounded, without a libcall: round to float
 * by round-to-odd (truncate toward zero, set the last bit when inexact),
 * then to half by round-to-nearest-even; float keeps enough extra bits
 * for the two roundings to equal one. */
static LLVMValueRef f64_to_f16(cg *c, LLVMValueRef d)
{
    LLVMBuilderRef b = c->b;
    LLVMTypeRef i32 = LLVMInt32TypeInContext(c->ctx);
    LLVMValueRef t = LLVMBuildFPTrunc(b, d, c->t_float, "");
    LLVMValueRef back = LLVMBuildFPExt(b, t, c->t_double, "");
    /* ueq: NaN stays as fptrunc made it. */
    LLVMValueRef exact = LLVMBuildFCmp(b, LLVMRealUEQ, back, d, "");
    LLVMValueRef away =
        LLVMBuildFCmp(b, LLVMRealOGT, fintrin1(c, "llvm.fabs", back),
                      fintrin1(c, "llvm.fabs", d), "");
    LLVMValueRef tb = LLVMBuildBitCast(b, t, i32, "");
    LLVMValueRef tz = LLVMBuildSelect(
        b, away, LLVMBuildSub(b, tb, const_int(i32, 1), ""), tb, "");
    LLVMValueRef odd = LLVMBuildOr(b, tz, const_int(i32, 1), "");
    LLVMValueRef rb = LLVMBuildSelect(b, exact, tb, odd, "");
    LLVMValueRef r = LLVMBuildBitCast(b, rb, c->t_float, "");
    return LLVMBuildFPTrunc(b, r, c->t_half, "");
}

/* Casts from or to a complex type: part by part between complex types; a
 * real value gets imaginary part 0; to bool, re != 0 or im != 0 (NaN is
 * True); to any other real type, the real part (an explicit cast: NumPy
 * drops the imaginary part). */
static LLVMValueRef cx_cast(cg *c, LLVMValueRef v, jx_dtype from, jx_dtype to)
{
    LLVMBuilderRef b = c->b;
    jx_dtype pf = jx_dtype_part(from), pt = jx_dtype_part(to);
    if (dt_complex(from) && dt_complex(to))
        return cx_make(c, to, jx_em_cast(c, cx_re(c, v), pf, pt),
                       jx_em_cast(c, cx_im(c, v), pf, pt));
    if (dt_complex(to))
        return cx_make(c, to, jx_em_cast(c, v, from, pt),
                       const_real(part_type(c, to), 0.0));
    if (dt_bool(to)) {
        LLVMValueRef zero = const_real(part_type(c, from), 0.0);
        return LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealUNE, cx_re(c, v), zero, ""),
                           LLVMBuildFCmp(b, LLVMRealUNE, cx_im(c, v), zero, ""),
                           "");
    }
    return jx_em_cast(c, cx_re(c, v), pf, to);
}

LLVMValueRef jx_em_cast(cg *c, LLVMValueRef v, jx_dtype from,
                       jx_dtype to)
{
    LLVMBuilderRef b = c->b;
    if (from == to)
        return v;
    if (dt_complex(from) || dt_complex(to))
        return cx_cast(c, v, from, to);
    LLVMTypeRef tt = val_type(c, to);
    if (dt_bool(to)) { /* != 0; NaN is True */
        if (dt_float(from))
            return LLVMBuildFCmp(b, LLVMRealUNE, to_calc(c, v, from),
                                 const_real(calc_type(c, from), 0.0), "");
        return LLVMBuildICmp(b, LLVMIntNE, v, const_int(LLVMTypeOf(v), 0),
                             "");
    }
    if (dt_float(from) && dt_float(to)) {
        if (from == JX_FLOAT64 && to == JX_FLOAT16)
            return f64_to_f16(c, v);
        if (from == JX_FLOAT16) /* through float: no half->double libcall */
            v = LLVMBuildFPExt(b, v, c->t_float, "");
        if (to == JX_FLOAT32 && from != JX_FLOAT64)
            return v;
        return dt_bits(to) > dt_bits(from)
                   ? LLVMBuildFPExt(b, v, tt, "")
                   : LLVMBuildFPTrunc(b, v, tt, "");
    }
    if (dt_float(from)) { /* to an integer: saturating, NaN gives 0 */
        LLVMValueRef x = to_calc(c, v, from);
        LLVMTypeRef ovl[2] = {tt, LLVMTypeOf(x)};
        return intrin(c,
                      dt_signed(to) ? "llvm.fptosi.sat" : "llvm.fptoui.sat",
                      ovl, 2, &x, 1);
    }
    bool sgn = dt_signed(from); /* bool and unsigned extend with zeros */
    if (dt_float(to)) {
        /* To float16 through float: exact below 2**24, and anything
         * larger is inf in half either way. */
        LLVMTypeRef ct = calc_type(c, to);
        LLVMValueRef x = sgn ? LLVMBuildSIToFP(b, v, ct, "")
                             : LLVMBuildUIToFP(b, v, ct, "");
        return from_calc(c, x, to);
    }
    unsigned fb = LLVMGetIntTypeWidth(LLVMTypeOf(v));
    unsigned tb = LLVMGetIntTypeWidth(tt);
    if (tb < fb)
        return LLVMBuildTrunc(b, v, tt, "");
    if (tb > fb)
        return sgn ? LLVMBuildSExt(b, v, tt, "") : LLVMBuildZExt(b, v, tt, "");
    return v;
}
