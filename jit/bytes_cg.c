/* bytes_cg.c - byte strings in kernels.
 *
 * The value of a byte string is the address of its element; its length
 * (c->len) is the instruction's itemsize, a constant of the kernel, but
 * for where() of two itemsizes, which selects the length with the
 * address.  Comparisons and contains() call bytes.c's functions, which
 * the engine defines in the JIT (helpers.c, jx_cg_helpers), with that
 * length (the rest of a shorter value is NUL padding, which they ignore);
 * a result is copied and padded with NULs to the result's itemsize. */
#include "emit.h"

/* The address of element i of a byte string operand of class cls (not
 * scalar): contiguous elements are itemsize bytes apart. */
LLVMValueRef jx_bc_addr(cg *c, char cls, int64_t itemsize,
                        LLVMValueRef base, LLVMValueRef stride,
                        LLVMValueRef i)
{
    if (cls == JX_LAYOUT_SCALAR)
        return base;
    LLVMValueRef step = cls == JX_LAYOUT_CONTIG
                            ? const_int(c->t_i64, (uint64_t)itemsize)
                            : stride;
    LLVMValueRef off = LLVMBuildMul(c->b, i, step, "");
    return LLVMBuildInBoundsGEP2(c->b, c->t_i8, base, &off, 1, "");
}

/* A string constant: a private constant global holding its bytes. */
LLVMValueRef jx_bc_const(cg *c, const jx_instr *in)
{
    LLVMValueRef init = LLVMConstStringInContext(c->ctx, in->str,
                                                 (unsigned)in->itemsize, 1);
    LLVMValueRef g = LLVMAddGlobal(c->mod, LLVMTypeOf(init), "str");
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    return g;
}

/* The length of byte string instruction idx, whose operands have theirs. */
LLVMValueRef jx_bc_len(cg *c, int idx)
{
    const jx_instr *in = &c->ir->ins[idx];
    if (in->op == JX_OP_WHERE)
        return LLVMBuildSelect(c->b, c->val[in->args[0]], c->len[in->args[1]],
                               c->len[in->args[2]], "");
    if (in->op == JX_OP_COPY)
        return c->len[in->args[0]];
    return const_int(c->t_i64, (uint64_t)in->itemsize);
}

/* out[i] = byte string v of length len: its bytes, then NULs up to the
 * result's itemsize. */
void jx_bc_store(cg *c, char cls, LLVMValueRef base, LLVMValueRef stride,
                 LLVMValueRef i, LLVMValueRef v, LLVMValueRef len)
{
    int64_t size = c->ir->ins[c->ir->result].itemsize;
    LLVMValueRef dst = jx_bc_addr(c, cls, size, base, stride, i);
    LLVMBuildMemCpy(c->b, dst, 1, v, 1, len);
    if (LLVMIsAConstantInt(len) && LLVMConstIntGetZExtValue(len) == (uint64_t)size)
        return;
    LLVMValueRef pad = LLVMBuildInBoundsGEP2(c->b, c->t_i8, dst, &len, 1, "");
    LLVMValueRef rest = LLVMBuildSub(c->b, const_int(c->t_i64, (uint64_t)size), len, "");
    LLVMBuildMemSet(c->b, pad, const_int(c->t_i8, 0), rest, 1);
}

/* A comparison or contains() of two byte strings: helper(a, na, b, nb)
 * compared with 0. */
LLVMValueRef jx_bc_op(cg *c, const jx_instr *in, LLVMValueRef *v)
{
    const char *name = in->op == JX_OP_CONTAINS ? "jx_bytes_contains" : "jx_bytes_cmp";
    LLVMTypeRef i32 = LLVMInt32TypeInContext(c->ctx);
    LLVMTypeRef pt[4] = {c->t_ptr, c->t_i64, c->t_ptr, c->t_i64};
    LLVMTypeRef fty = LLVMFunctionType(i32, pt, 4, 0);
    LLVMValueRef f = LLVMGetNamedFunction(c->mod, name);
    if (f == NULL) {
        f = LLVMAddFunction(c->mod, name, fty);
        mark_libcall(c, f, true);
    }
    LLVMValueRef args[4] = {v[0], c->len[in->args[0]], v[1], c->len[in->args[1]]};
    LLVMValueRef r = LLVMBuildCall2(c->b, fty, f, args, 4, "");
    LLVMIntPredicate pred;
    switch (in->op) {
    case JX_OP_LT: pred = LLVMIntSLT; break;
    case JX_OP_LE: pred = LLVMIntSLE; break;
    case JX_OP_EQ: pred = LLVMIntEQ; break;
    case JX_OP_GE: pred = LLVMIntSGE; break;
    case JX_OP_GT: pred = LLVMIntSGT; break;
    case JX_OP_NE:
    case JX_OP_CONTAINS: pred = LLVMIntNE; break;
    default:
        cg_fail(c, "no byte string lowering for %s", jx_ops[in->op].mnem);
        return const_int(c->t_i1, 0);
    }
    return LLVMBuildICmp(c->b, pred, r, const_int(i32, 0), "");
}
