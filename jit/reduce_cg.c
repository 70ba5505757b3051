/* reduce_cg.c - the code of reductions: how two accumulators combine
 * (the accumulating layout's out[i] = combine(out[i], value[i]), in
 * loops.c) and the partials layout's loop (ir.h): for each block of
 * JX_REDUCE_BLOCK elements, its partial.  A block's values accumulate in
 * one running value (integers, bools, complex numbers, the keys of a
 * float min or max) or, for a float sum or product, in the fixed order of
 * ir.h's JX_REDUCE_LANES, which the quick code and the interpreter
 * (src/interp.c) compute too. */
#include "emit.h"

#include <llvm-c/DebugInfo.h>
#include <math.h>

/* The value reduction op starts from, in the accumulator type acc: the
 * op table's (ops.h's jx_ops_reduce_identity, which src/reduce.c uses
 * too). */
static LLVMValueRef reduce_identity(cg *c, int op, jx_dtype acc)
{
    jx_value re;
    double im;
    jx_ops_reduce_identity(op, acc, &re, &im);
    if (dt_complex(acc)) {
        LLVMValueRef parts[2] = {const_real(part_type(c, acc), re.f),
                                 const_real(part_type(c, acc), im)};
        return LLVMConstStructInContext(c->ctx, parts, 2, 0);
    }
    if (dt_float(acc))
        return const_real(val_type(c, acc), re.f);
    return const_int(val_type(c, acc), re.u); /* the low bits of its width */
}

/* The combine column of reduction op (ops.h's JX_REDUCES). */
static jx_reduce_comb comb_of(int op) { return jx_ops_reduce(op)->comb; }

/* Marks a float sum or product that the partials loop may reorder
 * (vector lanes; LLVM 19's C API). */
static void allow_reassoc(LLVMValueRef r)
{
#if LLVM_VERSION_MAJOR >= 19
    LLVMSetFastMathFlags(r, LLVMFastMathAllowReassoc);
#else
    (void)r;
#endif
}

/* combine(a, v) of a complex reduction op: sums part by part (reassoc:
 * each part's sum may be reordered), products as NumPy's multiply, min and
 * max as np.minimum/np.maximum (lexicographic; the first operand with a
 * NaN part wins, so the first NaN in order propagates). */
static LLVMValueRef cx_reduce_combine(cg *c, int op, jx_dtype acc,
                                      LLVMValueRef a, LLVMValueRef v,
                                      bool reassoc)
{
    LLVMBuilderRef b = c->b;
    switch (comb_of(op)) {
    case JX_RC_MUL: return jx_cx_mul(c, acc, a, v);
    case JX_RC_MIN: return jx_cx_minmax(c, a, v, false, false);
    case JX_RC_MAX: return jx_cx_minmax(c, a, v, true, false);
    case JX_RC_ADD: {
        LLVMValueRef re = LLVMBuildFAdd(b, cx_re(c, a), cx_re(c, v), "");
        LLVMValueRef im = LLVMBuildFAdd(b, cx_im(c, a), cx_im(c, v), "");
        if (reassoc) {
            allow_reassoc(re);
            allow_reassoc(im);
        }
        return cx_make(c, acc, re, im);
    }
    default:
        cg_fail(c, "no complex accumulator for %s", jx_ops[op].mnem);
        return a;
    }
}

/* emit.h */
LLVMValueRef jx_rd_combine(cg *c, int op, jx_dtype acc, LLVMValueRef a, LLVMValueRef v,
                           bool reassoc)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef r;
    if (dt_complex(acc))
        return cx_reduce_combine(c, op, acc, a, v, reassoc);
    if (dt_float(acc)) {
        a = to_calc(c, a, acc);
        v = to_calc(c, v, acc);
        switch (comb_of(op)) {
        case JX_RC_MUL: r = LLVMBuildFMul(b, a, v, ""); break;
        case JX_RC_MIN: r = jx_sc_float_minimum(c, a, v, false); break;
        case JX_RC_MAX: r = jx_sc_float_minimum(c, a, v, true); break;
        case JX_RC_OR:
        case JX_RC_AND:
            cg_fail(c, "no float accumulator for %s", jx_ops[op].mnem);
            return a;
        default: r = LLVMBuildFAdd(b, a, v, ""); break;
        }
        if (reassoc && (comb_of(op) == JX_RC_ADD || comb_of(op) == JX_RC_MUL))
            allow_reassoc(r);
        return from_calc(c, r, acc);
    }
    if (dt_bool(acc)) {
        switch (comb_of(op)) {
        case JX_RC_AND:
        case JX_RC_MIN:
        case JX_RC_MUL:
            return LLVMBuildAnd(b, a, v, "");
        default:
            return LLVMBuildOr(b, a, v, "");
        }
    }
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMValueRef args[2] = {a, v};
    bool sgn = dt_signed(acc);
    switch (comb_of(op)) {
    case JX_RC_MUL: return LLVMBuildMul(b, a, v, "");
    case JX_RC_MIN:
        return intrin(c, sgn ? "llvm.smin" : "llvm.umin", &t, 1, args, 2);
    case JX_RC_MAX:
        return intrin(c, sgn ? "llvm.smax" : "llvm.umax", &t, 1, args, 2);
    case JX_RC_OR:
    case JX_RC_AND:
        cg_fail(c, "no integer accumulator for %s", jx_ops[op].mnem);
        return a;
    default: return LLVMBuildAdd(b, a, v, "");
    }
}

/* ---- the kernel ------------------------------------------------------- */

/* Float min and max in the partials loop compare keys, not floats: the
 * bits of x as a signed integer, the magnitude bits flipped when the sign
 * is set, order floats as numbers with -0 below +0, so that llvm.smax or
 * smin of the keys is np.max's or np.min's answer, one instruction on the
 * running value instead of llvm.maximum's six (measured: 1.6x NumPy's
 * time on float32 max at n = 1e6, Zen 5, from the latency of that chain).
 * A NaN's key lies above +inf's (sign clear) or below -inf's (sign set):
 * the loop keeps both the largest and the smallest key, and a block with
 * either beyond the infinities is a NaN.  (A flag or-ed from isnan instead
 * put the loop in the mask registers, which it spilled.)  The key is its
 * own inverse. */
static LLVMValueRef float_key(cg *c, LLVMValueRef bits)
{
    LLVMTypeRef it = LLVMTypeOf(bits);
    unsigned w = LLVMGetIntTypeWidth(it);
    LLVMValueRef sign = LLVMBuildAShr(c->b, bits, const_int(it, w - 1), "");
    LLVMValueRef flip = LLVMBuildAnd(c->b, sign, const_int(it, (~UINT64_C(0)) >> (65 - w)), "");
    return LLVMBuildXor(c->b, bits, flip, "key");
}

/* The key of +inf (its bits) or of -inf (the sign bit and the flipped
 * magnitude), in w bits. */
static LLVMValueRef float_key_inf(cg *c, LLVMTypeRef it, bool negative)
{
    unsigned w = LLVMGetIntTypeWidth(it);
    uint64_t mag = w == 16 ? 0x7c00 : w == 32 ? 0x7f800000 : UINT64_C(0x7ff0000000000000);
    uint64_t magmask = (~UINT64_C(0)) >> (65 - w);
    return const_int(it, negative ? (UINT64_C(1) << (w - 1)) | (mag ^ magmask) : mag);
}

/* The splat of x over JX_REDUCE_LANES lanes. */
static LLVMValueRef lanes_splat(LLVMValueRef x)
{
    LLVMValueRef e[JX_REDUCE_LANES];
    for (int l = 0; l < JX_REDUCE_LANES; l++)
        e[l] = x;
    return LLVMConstVector(e, JX_REDUCE_LANES);
}

/* A block's partial in one running value: one phi, or one per part of a
 * complex (the loop vectorizer reduces scalars, not aggregates), or a
 * float min/max's largest and smallest key; the vectorizer may reorder a
 * complex sum (reassoc).  Elements [start, end); the builder is left in
 * the block after the loop. */
static LLVMValueRef running_block(cg *c, const cg_layout *l, LLVMValueRef fn,
                                  LLVMValueRef start, LLVMValueRef end,
                                  LLVMValueRef *ptr, LLVMValueRef *stride,
                                  jx_rd_value_fn value)
{
    const jx_ir *ir = c->ir;
    jx_dtype acc = ir->acc_dtype;
    int op = ir->reduce;
    LLVMBuilderRef b = c->b;
    LLVMBasicBlockRef from = LLVMGetInsertBlock(b);
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(c->ctx, fn, "loop.body");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, fn, "block.end");
    LLVMBuildBr(b, body);
    LLVMPositionBuilderAtEnd(b, body);
    LLVMValueRef i = LLVMBuildPhi(b, c->t_i64, "i");
    bool cx = dt_complex(acc);
    bool keyed = dt_float(acc) && (comb_of(op) == JX_RC_MIN || comb_of(op) == JX_RC_MAX);
    LLVMTypeRef vt = val_type(c, acc);
    LLVMTypeRef kt = keyed ? LLVMIntTypeInContext(c->ctx, (unsigned)dt_bits(acc)) : NULL;
    LLVMValueRef ph[2], init[2], next[2];
    int nphi = cx || keyed ? 2 : 1;
    if (cx) {
        ph[0] = LLVMBuildPhi(b, part_type(c, acc), "acc.re");
        ph[1] = LLVMBuildPhi(b, part_type(c, acc), "acc.im");
        jx_value re;
        double im;
        jx_ops_reduce_identity(op, acc, &re, &im);
        init[0] = const_real(part_type(c, acc), re.f);
        init[1] = const_real(part_type(c, acc), im);
    } else if (keyed) {
        ph[0] = LLVMBuildPhi(b, kt, "acc.hi");
        ph[1] = LLVMBuildPhi(b, kt, "acc.lo");
        init[0] = float_key_inf(c, kt, true);
        init[1] = float_key_inf(c, kt, false);
    } else {
        ph[0] = LLVMBuildPhi(b, vt, "acc");
        init[0] = reduce_identity(c, op, acc);
    }
    LLVMValueRef v = value(c, i, l, ptr, stride);
    if (v == NULL) {
        memcpy(next, ph, sizeof next);
    } else if (cx) {
        LLVMValueRef r = jx_rd_combine(c, op, acc, cx_make(c, acc, ph[0], ph[1]), v, true);
        next[0] = cx_re(c, r);
        next[1] = cx_im(c, r);
    } else if (keyed) {
        LLVMValueRef key = float_key(c, LLVMBuildBitCast(b, v, kt, ""));
        LLVMValueRef hi[2] = {ph[0], key}, lo[2] = {ph[1], key};
        next[0] = intrin(c, "llvm.smax", &kt, 1, hi, 2);
        next[1] = intrin(c, "llvm.smin", &kt, 1, lo, 2);
    } else {
        next[0] = jx_rd_combine(c, op, acc, ph[0], v, true);
    }
    LLVMValueRef inext = LLVMBuildNUWAdd(b, i, const_int(c->t_i64, 1), "i.next");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(b);
    jx_mc_loop_hints(c, LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, inext, end, ""),
                                  done, body));
    LLVMValueRef i_in[2] = {start, inext};
    LLVMBasicBlockRef in_from[2] = {from, latch};
    LLVMAddIncoming(i, i_in, in_from, 2);
    for (int k = 0; k < nphi; k++) {
        LLVMValueRef in[2] = {init[k], next[k]};
        LLVMAddIncoming(ph[k], in, in_from, 2);
    }

    LLVMPositionBuilderAtEnd(b, done);
    if (cx)
        return cx_make(c, acc, next[0], next[1]);
    if (!keyed)
        return next[0];
    LLVMValueRef nan = LLVMBuildOr(
        b, LLVMBuildICmp(b, LLVMIntSGT, next[0], float_key_inf(c, kt, false), ""),
        LLVMBuildICmp(b, LLVMIntSLT, next[1], float_key_inf(c, kt, true), ""), "");
    LLVMValueRef r = float_key(c, comb_of(op) == JX_RC_MAX ? next[0] : next[1]);
    r = LLVMBuildBitCast(b, r, vt, "");
    return LLVMBuildSelect(b, nan, LLVMConstReal(vt, NAN), r, "");
}

/* Marks br's loop not to be unrolled (llvm.loop.unroll.disable): the
 * loop over the groups, unrolled by 8, ran sum(a*b) 7-10% slower
 * (`jitexpr bench`, n = 1e4 and 1e6, Zen 5), its loads out of order. */
static void no_unroll(cg *c, LLVMValueRef br)
{
    static const char key[] = "llvm.loop.unroll.disable";
    LLVMMetadataRef kv = LLVMMDStringInContext2(c->ctx, key, sizeof key - 1);
    LLVMMetadataRef self = LLVMTemporaryMDNode(c->ctx, NULL, 0);
    LLVMMetadataRef ops[2] = {self, LLVMMDNodeInContext2(c->ctx, &kv, 1)};
    LLVMMetadataRef id = LLVMMDNodeInContext2(c->ctx, ops, 2);
    LLVMMetadataReplaceAllUsesWith(self, id);
    LLVMSetMetadata(br, LLVMGetMDKindIDInContext(c->ctx, "llvm.loop", 9),
                    LLVMMetadataAsValue(c->ctx, id));
}

/* An array of JX_REDUCE_LANES values of type vt on the stack (the
 * function's entry), 64-byte aligned. */
static LLVMValueRef lanes_alloca(cg *c, LLVMValueRef fn, LLVMTypeRef vt, const char *name)
{
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(fn);
    LLVMBuilderRef tb = LLVMCreateBuilderInContext(c->ctx);
    LLVMPositionBuilderBefore(tb, LLVMGetBasicBlockTerminator(entry));
    LLVMValueRef a = LLVMBuildAlloca(tb, LLVMVectorType(vt, JX_REDUCE_LANES), name);
    LLVMSetAlignment(a, 64);
    LLVMDisposeBuilder(tb);
    return a;
}

static LLVMValueRef lanes_op(cg *c, bool mul, LLVMValueRef a, LLVMValueRef v)
{
    return mul ? LLVMBuildFMul(c->b, a, v, "") : LLVMBuildFAdd(c->b, a, v, "");
}

/* x op= v at lane k of the array x (lanes_alloca). */
static void lane_fold(cg *c, bool mul, jx_dtype acc, LLVMValueRef x, LLVMValueRef k,
                      LLVMValueRef v)
{
    LLVMTypeRef vt = val_type(c, acc);
    LLVMValueRef at = LLVMBuildInBoundsGEP2(c->b, vt, x, &k, 1, "");
    LLVMValueRef old = LLVMBuildLoad2(c->b, vt, at, "");
    LLVMSetAlignment(old, (unsigned)jx_dtype_size(acc));
    LLVMSetAlignment(LLVMBuildStore(c->b, lanes_op(c, mul, old, v), at),
                     (unsigned)jx_dtype_size(acc));
}

/* A float sum's or product's partial in the fixed order of ir.h's
 * JX_REDUCE_LANES, which the quick code and the interpreter
 * (src/interp.c) compute too: lane l (from the identity) takes the
 * block's values l, l + LANES, ... in order, then lane l takes lane l + h
 * for h = LANES/2, ..., 1.  Each group of LANES elements is an inner loop
 * of LANES iterations, which the vectorizer widens and unrolls, so that
 * the lanes stay in vector registers; the elements past the last whole
 * group are one more such loop, the identity in its lanes past the end
 * (under a mask: x + 0 and x * 1 leave x, and a sum's lane is never -0).
 * The vectorizer's reassociated sum had an order of its own choosing
 * instead: its vector width and interleaving, which the other tiers could
 * not follow. */
static LLVMValueRef ordered_block(cg *c, const cg_layout *l, LLVMValueRef fn,
                                  LLVMValueRef start, LLVMValueRef end,
                                  LLVMValueRef *ptr, LLVMValueRef *stride,
                                  jx_rd_value_fn value)
{
    const jx_ir *ir = c->ir;
    jx_dtype acc = ir->acc_dtype;
    int op = ir->reduce;
    bool mul = comb_of(op) == JX_RC_MUL;
    LLVMBuilderRef b = c->b;
    LLVMTypeRef vt = val_type(c, acc), lt = LLVMVectorType(vt, JX_REDUCE_LANES);
    LLVMValueRef lanes = lanes_alloca(c, fn, vt, "lanes");
    LLVMValueRef ident = lanes_splat(reduce_identity(c, op, acc));
    LLVMValueRef zero = const_int(c->t_i64, 0), nl = const_int(c->t_i64, JX_REDUCE_LANES);
    LLVMBasicBlockRef grp = LLVMAppendBasicBlockInContext(c->ctx, fn, "group");
    LLVMBasicBlockRef inner = LLVMAppendBasicBlockInContext(c->ctx, fn, "group.lane");
    LLVMBasicBlockRef latch = LLVMAppendBasicBlockInContext(c->ctx, fn, "group.next");
    LLVMBasicBlockRef tpre = LLVMAppendBasicBlockInContext(c->ctx, fn, "tail.pre");
    LLVMBasicBlockRef tbody = LLVMAppendBasicBlockInContext(c->ctx, fn, "tail");
    LLVMBasicBlockRef tval = LLVMAppendBasicBlockInContext(c->ctx, fn, "tail.value");
    LLVMBasicBlockRef tlatch = LLVMAppendBasicBlockInContext(c->ctx, fn, "tail.next");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, fn, "lanes.end");

    LLVMValueRef cnt = LLVMBuildNUWSub(b, end, start, "cnt");
    LLVMValueRef full = LLVMBuildAnd(b, cnt, const_int(c->t_i64, ~(uint64_t)(JX_REDUCE_LANES - 1)),
                                     "full");
    LLVMSetAlignment(LLVMBuildStore(b, ident, lanes), 64);
    LLVMBasicBlockRef from = LLVMGetInsertBlock(b);
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, full, zero, ""), tpre, grp);

    /* groups: g is the group's first element, from start */
    LLVMPositionBuilderAtEnd(b, grp);
    LLVMValueRef g = LLVMBuildPhi(b, c->t_i64, "g");
    LLVMBuildBr(b, inner);
    LLVMPositionBuilderAtEnd(b, inner);
    LLVMValueRef k = LLVMBuildPhi(b, c->t_i64, "k");
    LLVMValueRef i = LLVMBuildNUWAdd(b, LLVMBuildNUWAdd(b, start, g, ""), k, "i");
    LLVMValueRef v = value(c, i, l, ptr, stride);
    if (v != NULL)
        lane_fold(c, mul, acc, lanes, k, v);
    LLVMValueRef knext = LLVMBuildNUWAdd(b, k, const_int(c->t_i64, 1), "");
    LLVMBasicBlockRef kfrom[2] = {grp, LLVMGetInsertBlock(b)};
    jx_mc_loop_hints(c, LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, knext, nl, ""),
                                        latch, inner));
    LLVMValueRef k_in[2] = {zero, knext};
    LLVMAddIncoming(k, k_in, kfrom, 2);
    LLVMPositionBuilderAtEnd(b, latch);
    LLVMValueRef gnext = LLVMBuildNUWAdd(b, g, nl, "");
    no_unroll(c, LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, gnext, full, ""), tpre, grp));
    LLVMValueRef g_in[2] = {zero, gnext};
    LLVMBasicBlockRef gfrom[2] = {from, latch};
    LLVMAddIncoming(g, g_in, gfrom, 2);

    /* the elements past the last whole group (none in a whole block): a
     * group of its own, the identity in its lanes past the end (a loop of
     * LANES iterations as the groups', so that the lanes stay in
     * registers; the vectorizer masks its loads) */
    LLVMPositionBuilderAtEnd(b, tpre);
    LLVMValueRef rem = LLVMBuildNUWSub(b, cnt, full, "rem");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, rem, zero, ""), done, tbody);
    LLVMPositionBuilderAtEnd(b, tbody);
    LLVMValueRef t = LLVMBuildPhi(b, c->t_i64, "t");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntULT, t, rem, ""), tval, tlatch);
    LLVMPositionBuilderAtEnd(b, tval);
    v = value(c, LLVMBuildNUWAdd(b, LLVMBuildNUWAdd(b, start, full, ""), t, ""), l,
                       ptr, stride);
    LLVMBasicBlockRef vfrom = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, tlatch);
    LLVMPositionBuilderAtEnd(b, tlatch);
    LLVMValueRef tv = LLVMBuildPhi(b, vt, "");
    LLVMValueRef tv_in[2] = {v != NULL ? v : reduce_identity(c, op, acc),
                             reduce_identity(c, op, acc)};
    LLVMBasicBlockRef tv_from[2] = {vfrom, tbody};
    LLVMAddIncoming(tv, tv_in, tv_from, 2);
    lane_fold(c, mul, acc, lanes, t, tv);
    LLVMValueRef tnext = LLVMBuildNUWAdd(b, t, const_int(c->t_i64, 1), "");
    jx_mc_loop_hints(c, LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, tnext, nl, ""),
                                        done, tbody));
    LLVMValueRef t_in[2] = {zero, tnext};
    LLVMBasicBlockRef tfrom[2] = {tpre, tlatch};
    LLVMAddIncoming(t, t_in, tfrom, 2);

    /* then the halves */
    LLVMPositionBuilderAtEnd(b, done);
    LLVMValueRef x = LLVMBuildLoad2(b, lt, lanes, "");
    LLVMSetAlignment(x, 64);
    LLVMTypeRef i32 = LLVMInt32TypeInContext(c->ctx);
    for (int h = JX_REDUCE_LANES / 2; h >= 1; h /= 2) {
        LLVMValueRef lo[JX_REDUCE_LANES / 2], hi[JX_REDUCE_LANES / 2];
        for (int q = 0; q < h; q++) {
            lo[q] = const_int(i32, (uint64_t)q);
            hi[q] = const_int(i32, (uint64_t)(q + h));
        }
        LLVMValueRef u = LLVMGetUndef(LLVMTypeOf(x));
        x = lanes_op(c, mul,
                     LLVMBuildShuffleVector(b, x, u, LLVMConstVector(lo, (unsigned)h), ""),
                     LLVMBuildShuffleVector(b, x, u, LLVMConstVector(hi, (unsigned)h), ""));
    }
    return LLVMBuildExtractElement(b, x, const_int(i32, 0), "");
}

void jx_rd_build_partials(cg *c, const cg_layout *l, LLVMValueRef fn, LLVMBasicBlockRef pre,
                          LLVMBasicBlockRef exit, LLVMValueRef n, LLVMValueRef *ptr,
                          LLVMValueRef *stride, jx_rd_value_fn value)
{
    const jx_ir *ir = c->ir;
    jx_dtype acc = ir->acc_dtype;
    int op = ir->reduce;
    LLVMBuilderRef b = c->b;
    LLVMBasicBlockRef blk_bb = LLVMAppendBasicBlockInContext(c->ctx, fn, "block");
    LLVMBuildBr(b, blk_bb);

    LLVMPositionBuilderAtEnd(b, blk_bb);
    LLVMValueRef blk = LLVMBuildPhi(b, c->t_i64, "blk");
    LLVMValueRef start = LLVMBuildNUWMul(
        b, blk, const_int(c->t_i64, JX_REDUCE_BLOCK), "start");
    LLVMValueRef lim = LLVMBuildNUWAdd(
        b, start, const_int(c->t_i64, JX_REDUCE_BLOCK), "");
    LLVMValueRef end = LLVMBuildSelect(
        b, LLVMBuildICmp(b, LLVMIntSLT, lim, n, ""), lim, n, "end");
    bool ordered = dt_float(acc) && (comb_of(op) == JX_RC_ADD || comb_of(op) == JX_RC_MUL);
    LLVMValueRef result = ordered ? ordered_block(c, l, fn, start, end, ptr, stride, value)
                                  : running_block(c, l, fn, start, end, ptr, stride, value);
    jx_em_store_elem(c, acc, jx_em_elem_addr(c, JX_LAYOUT_CONTIG, acc, ptr[0], stride[0], blk),
               result);
    LLVMValueRef blk_next = LLVMBuildNUWAdd(b, blk, const_int(c->t_i64, 1), "");
    LLVMValueRef blk_in[2] = {const_int(c->t_i64, 0), blk_next};
    LLVMBasicBlockRef blk_from[2] = {pre, LLVMGetInsertBlock(b)};
    LLVMAddIncoming(blk, blk_in, blk_from, 2);
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, end, n, ""), exit, blk_bb);
}

