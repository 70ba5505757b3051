/* loops.c - the kernel: typed IR to one LLVM function, the fused loop
 * over a 1-D chunk, and jx_cg_build.
 *
 * The module gets two functions:
 *
 *   void NAME(i64 n, ptr ptrs, ptr strides)        external, the kernel ABI
 *   void NAME.body(i64 n, ptr p0..pK, i64 s0..sK)  internal, alwaysinline
 *
 * NAME loads the operand pointers and strides and calls NAME.body, whose
 * pointer parameters are `noalias` when the layout has the flag n (":n"); inlining
 * turns that promise into scoped-noalias metadata, so the vectorizer needs
 * no run-time overlap checks.  NAME.body is the loop:
 *
 *   entry:      n > 0 ? loop.pre : exit
 *   loop.pre:   load the scalar (stride 0) operands once
 *   loop.body:  i = phi; one SSA value per IR instruction; store; i + 1
 *   exit:       ret
 *
 * tanh and atan2 are vmath.c's kernels, written out in the loop instead
 * of calls (mathcall.c).
 * sin, cos and tan of floats and doubles are too where the output
 * overlaps no input (layout ":n", elementwise): the loop `fast.body` uses
 * vmath_trig.c's kernels, valid for |x| <= 2^24 (float: 2^16), and or-s a
 * flag where an element is not; if the chunk set it, `loop.body` goes
 * over the chunk again from the untouched inputs, the guards alone, and
 * where one holds computes the element again, libm's scalar function
 * (helpers.c) for each operand out of range, and stores it (exact_guards):
 * each result depends on its element only, and no library is called by
 * name, so the quick tier computes the same bits.  A float remainder
 * (%, //, fmod) takes the same two loops: scalar.c's exact form where the
 * quotient is under 2^52, libm's fmod for the others.  So do log, log2,
 * log10, log1p and arctanh (vmath.c's fast forms): the fast loop leaves
 * out their special cases, the exact loop computes the whole kernel,
 * whose bits are the fast form's wherever the fast form's guard holds;
 * beside a value that the two loops compute apart (a library's, a
 * guarded sin), which an element flagged by log alone would take from the
 * exact loop, jx_cg_build builds the kernel again without them.  A body
 * past chunks.c's size is its chunk functions instead, called per block. */
#include "emit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmath.h"

static LLVMValueRef emit_instr(cg *c, int idx, LLVMValueRef i,
                               const cg_layout *l, LLVMValueRef *ptr,
                               LLVMValueRef *stride)
{
    const jx_ir *ir = c->ir;
    const jx_instr *in = &ir->ins[idx];
    switch (in->op) {
    case JX_IR_INPUT: {
        int k = in->input;
        if (l->cls[k + 1] == JX_LAYOUT_SCALAR)
            return c->scalar[k];
        if (in->dtype == JX_BYTES)
            return jx_bc_addr(c, l->cls[k + 1], in->itemsize, ptr[k + 1],
                              stride[k + 1], i);
        return jx_em_load_elem(c, in->dtype,
                         jx_em_elem_addr(c, l->cls[k + 1], in->dtype, ptr[k + 1],
                                   stride[k + 1], i));
    }
    case JX_IR_CONST:
        switch (jx_dtype_kind(in->dtype)) {
        case JX_KIND_COMPLEX: {
            LLVMValueRef parts[2] = {const_real(part_type(c, in->dtype), in->k.f),
                                     const_real(part_type(c, in->dtype), in->kim)};
            return LLVMConstStructInContext(c->ctx, parts, 2, 0);
        }
        case JX_KIND_BYTES:
            return jx_bc_const(c, in);
        case JX_KIND_FLOAT:
            return const_real(val_type(c, in->dtype), in->k.f);
        case JX_KIND_BOOL:
            return const_int(c->t_i1, in->k.u != 0);
        case JX_KIND_INT:
            return const_int(val_type(c, in->dtype), (uint64_t)in->k.i);
        default:
            return const_int(val_type(c, in->dtype), in->k.u);
        }
    case JX_IR_CAST:
        return jx_em_cast(c, c->val[in->args[0]], ir->ins[in->args[0]].dtype,
                         in->dtype);
    default:
        break;
    }
    LLVMValueRef v[JX_IR_MAX_ARGS];
    for (int k = 0; k < in->nargs; k++)
        v[k] = c->val[in->args[k]];
    const jx_opinfo *op = &jx_ops[in->op];
    if (in->op == JX_OP_WHERE)
        return LLVMBuildSelect(c->b, v[0], v[1], v[2], "");
    if (in->op == JX_OP_COPY)
        return v[0];
    if (in->op == JX_OP_ONES_LIKE) {
        jx_dtype rt = in->dtype;
        if (dt_complex(rt))
            return cx_make(c, rt, const_real(part_type(c, rt), 1.0),
                           const_real(part_type(c, rt), 0.0));
        return dt_float(rt) ? const_real(val_type(c, rt), 1.0)
                            : const_int(val_type(c, rt), 1);
    }
    jx_dtype t = ir->ins[in->args[0]].dtype; /* the operand type */
    if (t == JX_BYTES)
        return jx_bc_op(c, in, v);
    if (dt_complex(t))
        return jx_cx_op(c, in, t, v);
    if (in->op == JX_OP_REAL || in->op == JX_OP_IMAG || in->op == JX_OP_CONJ ||
        in->op == JX_OP_ANGLE || in->op == JX_OP_COMPLEX)
        return jx_cx_real_part_op(c, in, t, v);
    switch (op->low) {
    case JX_L_INTRIN: {
        LLVMValueRef x = to_calc(c, v[0], t);
        LLVMValueRef r = op->arity == 2
                             ? fintrin2(c, op->fn, x, to_calc(c, v[1], t))
                             : fintrin1(c, op->fn, x);
        return from_calc(c, r, t);
    }
    case JX_L_LIBM: {
        LLVMValueRef x[2] = {to_calc(c, v[0], t), NULL};
        if (op->arity == 2)
            x[1] = to_calc(c, v[1], t);
        LLVMValueRef r = jx_mc_libm_call(c, op->fn, x, (unsigned)op->arity);
        if (in->op == JX_OP_SIN || in->op == JX_OP_COS)
            r = jx_mc_clamp_unit(c, r);
        return from_calc(c, r, t);
    }
    case JX_L_INLINE:
    default:
        if (dt_float(t))
            return jx_sc_float_op(c, in, t, v);
        return jx_sc_int_op(c, in, t, v);
    }
}

/* The instructions for element i; returns the result's value. */
static LLVMValueRef emit_value(cg *c, LLVMValueRef i, const cg_layout *l,
                               LLVMValueRef *ptr, LLVMValueRef *stride)
{
    const jx_ir *ir = c->ir;
    c->vm_left = CG_VM_KERNELS;
    for (int idx = 0; idx < ir->n && !c->failed; idx++) {
        c->val[idx] = emit_instr(c, idx, i, l, ptr, stride);
        if (ir->ins[idx].dtype == JX_BYTES && !c->failed)
            c->len[idx] = jx_bc_len(c, idx);
    }
    return c->failed ? NULL : c->val[ir->result];
}

/* The result of element i, converted to the accumulator type. */
static LLVMValueRef emit_acc_value(cg *c, LLVMValueRef i, const cg_layout *l,
                                   LLVMValueRef *ptr, LLVMValueRef *stride)
{
    LLVMValueRef v = emit_value(c, i, l, ptr, stride);
    if (v == NULL)
        return NULL;
    return jx_em_cast(c, v, c->ir->ins[c->ir->result].dtype, c->ir->acc_dtype);
}

/* out[i] = v, in the result's dtype (v NULL: emitting failed, nothing). */
static void store_value(cg *c, const cg_layout *l, LLVMValueRef v,
                        LLVMValueRef i, LLVMValueRef *ptr, LLVMValueRef *stride)
{
    jx_dtype rt = c->ir->ins[c->ir->result].dtype;
    if (v != NULL && rt == JX_BYTES)
        jx_bc_store(c, l->cls[0], ptr[0], stride[0], i, v, c->len[c->ir->result]);
    else if (v != NULL)
        jx_em_store_elem(c, rt, jx_em_elem_addr(c, l->cls[0], rt, ptr[0], stride[0], i), v);
}

/* c->same[idx]: whether instruction idx computes the same value in both
 * guarded loops.  Where the fast and the exact loop differ: sin, cos and
 * tan (vmath_trig.c's kernels; out of their range, libm's), and wherever
 * a loop calls a math library (the LIBM rows, the float power, complex
 * functions), whose vector and scalar variants may differ in the last bit
 * and which the two loops, vectorized apart, may call at other positions.
 * A float remainder's guard must come out the same in both loops (the
 * exact loop stores only where its guard holds), so float_rem guards only
 * operands marked here, and leaves the others to frem in both. */
static void mark_same(cg *c)
{
    const jx_ir *ir = c->ir;
    for (int idx = 0; idx < ir->n; idx++) {
        const jx_instr *in = &ir->ins[idx];
        bool same = !dt_complex(in->dtype);
        for (int k = 0; k < in->nargs; k++)
            same = same && c->same[in->args[k]] &&
                   !dt_complex(ir->ins[in->args[k]].dtype);
        if (same && in->op < JX_OP_COUNT) {
            const jx_libcall *lc = jx_ops_libcall(in->op);
            same = jx_ops[in->op].low != JX_L_LIBM &&
                   !(lc != NULL && lc->how == JX_LC_VEC);
        }
        c->same[idx] = same;
    }
}

/* Whether ir computes a function that vmath.c has a guarded kernel for
 * (sin, cos or tan of a float32 or float64, sin or cos of the parts of a
 * complex128), in at most
 * CG_VM_KERNELS instructions (past them most calls would stay calls, and
 * the two loops double the compile time for little), or a float
 * remainder (scalar.c's float_rem: %, //, fmod); or, where fast, a
 * function with a fast form (log, ...: jx_vm_has_fast). */
static bool uses_guarded(const cg *c, bool fast)
{
    const jx_ir *ir = c->ir;
    const jx_cg_target *tgt = c->tgt;
    int n = 0, nfast = 0;
    for (int idx = 0; idx < ir->n; idx++) {
        const jx_instr *in = &ir->ins[idx];
        if (in->op >= JX_OP_COUNT) /* an input, a constant, a cast */
            continue;
        const jx_opinfo *op = &jx_ops[in->op];
        if (jx_sc_guarded_rem(c, in))
            return true;
        jx_dtype at = in->nargs > 0 ? ir->ins[in->args[0]].dtype : JX_BOOL;
        bool f32 = at == JX_FLOAT32;
        if (op->low == JX_L_LIBM && (f32 || at == JX_FLOAT64) &&
            jx_vm_has_guarded(op->fn, f32) &&
            !jx_mc_use_library(tgt, op->fn, f32))
            n++;
        else if (in->nargs > 0 && ir->ins[in->args[0]].dtype == JX_COMPLEX128 &&
                 jx_cx_uses_guarded(in->op, tgt))
            n++;
        else if (fast && op->low == JX_L_LIBM && (f32 || at == JX_FLOAT64) &&
                 jx_vm_has_fast(op->fn) && !jx_mc_use_library(tgt, op->fn, f32))
            nfast++;
    }
    return (n > 0 && n <= CG_VM_KERNELS) || (nfast > 0 && n + nfast <= CG_VM_KERNELS);
}

/* for (i = start; i < end; i++) out[i] = value, with vmath.c's guarded
 * kernels and fast forms, or-ing into a flag where an element needs the
 * exact function; then, if the flag is set, branches to `again` (the
 * exact loop, which computes and stores the elements out of the kernels'
 * range) instead of `exit`. */
static void build_fast_loop(cg *c, const cg_layout *l, LLVMValueRef fn,
                            LLVMBasicBlockRef pre, LLVMBasicBlockRef again,
                            LLVMBasicBlockRef exit, LLVMValueRef start,
                            LLVMValueRef end, LLVMValueRef *ptr, LLVMValueRef *stride)
{
    LLVMBuilderRef b = c->b;
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(c->ctx, fn, "fast.body");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, fn, "fast.done");
    LLVMBuildBr(b, body);
    LLVMPositionBuilderAtEnd(b, body);
    LLVMValueRef i = LLVMBuildPhi(b, c->t_i64, "i");
    LLVMValueRef flag = LLVMBuildPhi(b, c->t_i8, "flag");
    c->guard = CG_FAST;
    c->exact = NULL;
    store_value(c, l, emit_value(c, i, l, ptr, stride), i, ptr, stride);
    LLVMValueRef ex = c->exact ? LLVMBuildZExt(b, c->exact, c->t_i8, "")
                               : const_int(c->t_i8, 0);
    LLVMValueRef flag_next = LLVMBuildOr(b, flag, ex, "flag.next");
    c->guard = CG_LIBRARY;
    c->exact = NULL;
    LLVMValueRef next = LLVMBuildNUWAdd(b, i, const_int(c->t_i64, 1), "i.next");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(b);
    LLVMValueRef i_in[2] = {start, next};
    LLVMValueRef f_in[2] = {const_int(c->t_i8, 0), flag_next};
    LLVMBasicBlockRef from[2] = {pre, latch};
    LLVMAddIncoming(i, i_in, from, 2);
    LLVMAddIncoming(flag, f_in, from, 2);
    jx_mc_loop_hints(c, LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, next, end, ""),
                                        done, body));
    LLVMPositionBuilderAtEnd(b, done);
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, flag_next,
                                     const_int(c->t_i8, 0), ""),
                    again, exit);
}

/* Elements per block of the guarded loops: a block where the fast loop
 * flags an element is computed again, so an array with a zero among
 * ordinary numbers costs one block twice, not all of it (measured in
 * docs/math.md); a multiple of every vector width times interleave count,
 * so that only the last block has a scalar remainder. */
#define CG_GUARD_BLOCK 1024

/* The start of element i in the exact loop (CG_RECHECK): its guards,
 * computed as the fast loop computes them (of that value only the guards
 * are used: the optimiser and the fast instruction selector drop the
 * rest), and where one holds, a branch to the block where the caller
 * computes the element's value again and stores it.  Returns the block
 * after that store, or NULL (no guard: every element is stored).  A chunk
 * with one element out of range so costs the fast loop and a scalar pass
 * over the guards, and a helper's call only where an operand is out of
 * range (mathcall.c, exact_call). */
static LLVMBasicBlockRef exact_guards(cg *c, LLVMValueRef fn, LLVMValueRef i,
                                      const cg_layout *l, LLVMValueRef *ptr,
                                      LLVMValueRef *stride)
{
    c->guard = CG_FAST;
    c->exact = NULL;
    emit_value(c, i, l, ptr, stride);
    c->guard = CG_RECHECK;
    if (c->exact == NULL)
        return NULL;
    LLVMBasicBlockRef st = LLVMAppendBasicBlockInContext(c->ctx, fn, "exact.store");
    LLVMBasicBlockRef skip = LLVMAppendBasicBlockInContext(c->ctx, fn, "exact.next");
    LLVMBuildCondBr(c->b, c->exact, st, skip);
    LLVMPositionBuilderAtEnd(c->b, st);
    return skip;
}

/* for (i = 0; i < n; i++) out[i] = value or combine(out[i], value). */
static void build_loop(cg *c, const cg_layout *l, LLVMValueRef fn,
                       LLVMBasicBlockRef pre, LLVMBasicBlockRef exit,
                       LLVMValueRef n, LLVMValueRef *ptr, LLVMValueRef *stride)
{
    const jx_ir *ir = c->ir;
    LLVMBuilderRef b = c->b;
    /* chunks.c: a body that large keeps its fast forms out (the two
     * loops would double its compile time) */
    if (jx_ck_wanted(c, l) && !uses_guarded(c, false)) {
        jx_ck_build_loop(c, l, fn, pre, exit, n, ptr, stride, emit_instr);
        return;
    }
    /* sin, cos and tan, float remainders, fast forms: per block of
     * CG_GUARD_BLOCK elements, the fast loop first, where the output
     * overlaps no input (the exact loop then reads the inputs again) */
    LLVMValueRef start = const_int(c->t_i64, 0), stop = n, base = NULL;
    LLVMBasicBlockRef done = exit, first = pre, head = NULL;
    bool fast_only = false; /* the only guards are fast forms' */
    if (l->mode == CG_ELEMENTWISE && l->noalias && uses_guarded(c, !c->no_fast)) {
        fast_only = !uses_guarded(c, false);
        head = LLVMAppendBasicBlockInContext(c->ctx, fn, "block");
        LLVMBasicBlockRef again =
            LLVMAppendBasicBlockInContext(c->ctx, fn, "exact.pre");
        done = LLVMAppendBasicBlockInContext(c->ctx, fn, "block.next");
        LLVMBuildBr(b, head);
        LLVMPositionBuilderAtEnd(b, head);
        base = LLVMBuildPhi(b, c->t_i64, "base");
        LLVMValueRef lim = LLVMBuildNUWAdd(b, base, const_int(c->t_i64, CG_GUARD_BLOCK), "");
        stop = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, lim, n, ""), lim, n, "end");
        build_fast_loop(c, l, fn, head, again, done, base, stop, ptr, stride);
        LLVMPositionBuilderAtEnd(b, again);
        pre = again;
        start = base;
        c->guard = CG_RECHECK;
    }
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(c->ctx, fn, "loop.body");
    LLVMBuildBr(b, body);
    LLVMPositionBuilderAtEnd(b, body);
    LLVMValueRef i = LLVMBuildPhi(b, c->t_i64, "i");
    if (l->mode == CG_ACCUMULATE) {
        LLVMValueRef v = emit_acc_value(c, i, l, ptr, stride);
        if (v != NULL) {
            jx_dtype acc = ir->acc_dtype;
            LLVMValueRef addr = jx_em_elem_addr(c, l->cls[0], acc, ptr[0], stride[0], i);
            LLVMValueRef old = jx_em_load_elem(c, acc, addr);
            jx_em_store_elem(c, acc, addr,
                       jx_rd_combine(c, ir->reduce, acc, old, v, false));
        }
    } else {
        /* the exact loop: where a guard holds, the element again (exact_guards);
         * with fast forms only, every element of the block, plainly stored
         * (their whole kernels give the fast forms' bits in range, and
         * masked stores cost more than the kernel: docs/math.md) */
        LLVMBasicBlockRef skip = NULL;
        if (c->guard == CG_RECHECK && !fast_only)
            skip = exact_guards(c, fn, i, l, ptr, stride);
        c->exact = NULL;
        LLVMValueRef v = emit_value(c, i, l, ptr, stride);
        store_value(c, l, v, i, ptr, stride);
        if (skip != NULL) {
            LLVMBuildBr(b, skip);
            LLVMPositionBuilderAtEnd(b, skip);
        }
        c->exact = NULL;
    }
    LLVMValueRef next = LLVMBuildNUWAdd(b, i, const_int(c->t_i64, 1), "i.next");
    LLVMValueRef in_vals[2] = {start, next};
    LLVMBasicBlockRef in_blocks[2] = {pre, LLVMGetInsertBlock(b)};
    LLVMAddIncoming(i, in_vals, in_blocks, 2);
    jx_mc_loop_hints(c, LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, next, stop, ""),
                                  done, body));
    c->guard = CG_LIBRARY;
    if (head != NULL) { /* the next block */
        LLVMPositionBuilderAtEnd(b, done);
        LLVMValueRef b_in[2] = {const_int(c->t_i64, 0), stop};
        LLVMBasicBlockRef b_from[2] = {first, done};
        LLVMAddIncoming(base, b_in, b_from, 2);
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, stop, n, ""), exit, head);
    }
}

/* NAME.body: the loop. */
static LLVMValueRef build_body(cg *c, const cg_layout *l, const char *name)
{
    const jx_ir *ir = c->ir;
    int nops = l->nops;
    int np = 1 + 2 * nops;
    LLVMTypeRef *pt = malloc((size_t)np * sizeof *pt);
    LLVMValueRef *ptr = malloc((size_t)nops * sizeof *ptr);
    LLVMValueRef *stride = malloc((size_t)nops * sizeof *stride);
    if (pt == NULL || ptr == NULL || stride == NULL) {
        free(pt);
        free(ptr);
        free(stride);
        jx_err_set(c->err, JX_ERR_NOMEM, -1, 0, "out of memory");
        c->failed = 1;
        return NULL;
    }
    pt[0] = c->t_i64;
    for (int k = 0; k < nops; k++) {
        pt[1 + k] = c->t_ptr;
        pt[1 + nops + k] = c->t_i64;
    }
    char fname[128];
    snprintf(fname, sizeof fname, "%s.body", name);
    LLVMValueRef fn =
        LLVMAddFunction(c->mod, fname, LLVMFunctionType(c->t_void, pt, (unsigned)np, 0));
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    add_fn_attr(c, fn, "alwaysinline", 0);
    add_fn_attr(c, fn, "nounwind", 0);
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    LLVMValueRef n = LLVMGetParam(fn, 0);
    LLVMSetValueName2(n, "n", 1);
    for (int k = 0; k < nops; k++) {
        ptr[k] = LLVMGetParam(fn, (unsigned)(1 + k));
        stride[k] = LLVMGetParam(fn, (unsigned)(1 + nops + k));
        if (l->noalias)
            LLVMAddAttributeAtIndex(fn, (unsigned)(2 + k),
                                    LLVMCreateEnumAttribute(c->ctx, noalias, 0));
    }

    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(c->ctx, fn, "entry");
    LLVMBasicBlockRef pre = LLVMAppendBasicBlockInContext(c->ctx, fn, "loop.pre");
    LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(c->ctx, fn, "exit");
    LLVMBuilderRef b = c->b;

    LLVMPositionBuilderAtEnd(b, entry);
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSGT, n, const_int(c->t_i64, 0), ""),
                    pre, exit);

    /* Scalar operands are loaded once, only when there is work. */
    LLVMPositionBuilderAtEnd(b, pre);
    for (int k = 0; k < ir->ninputs; k++)
        if (l->cls[k + 1] == JX_LAYOUT_SCALAR)
            c->scalar[k] = ir->input_dtype[k] == JX_BYTES /* its address */
                               ? ptr[k + 1]
                               : jx_em_load_elem(c, ir->input_dtype[k], ptr[k + 1]);
    if (l->mode == CG_PARTIALS)
        jx_rd_build_partials(c, l, fn, pre, exit, n, ptr, stride, emit_acc_value);
    else
        build_loop(c, l, fn, pre, exit, n, ptr, stride);

    LLVMPositionBuilderAtEnd(b, exit);
    LLVMBuildRetVoid(b);
    free(pt);
    free(ptr);
    free(stride);
    return fn;
}

/* NAME: the kernel ABI, loading pointers and strides, calling NAME.body. */
static void build_entry(cg *c, const cg_layout *l, const char *name,
                        LLVMValueRef body)
{
    int nops = l->nops;
    LLVMTypeRef pt[3] = {c->t_i64, c->t_ptr, c->t_ptr};
    LLVMValueRef fn =
        LLVMAddFunction(c->mod, name, LLVMFunctionType(c->t_void, pt, 3, 0));
    add_fn_attr(c, fn, "nounwind", 0);
    jx_mc_vector_call_attrs(c, fn);
    if (l->narrow && !c->vec_calls) { /* ":w" (adapt.h) */
        static const char key[] = "prefer-vector-width", val[] = "256";
        LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                LLVMCreateStringAttribute(c->ctx, key, sizeof key - 1,
                                                          val, sizeof val - 1));
    }
    LLVMValueRef *args = malloc((size_t)(1 + 2 * nops) * sizeof *args);
    if (args == NULL) {
        jx_err_set(c->err, JX_ERR_NOMEM, -1, 0, "out of memory");
        c->failed = 1;
        return;
    }
    LLVMBuilderRef b = c->b;
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(c->ctx, fn, "entry"));
    LLVMValueRef ptrs = LLVMGetParam(fn, 1), strides = LLVMGetParam(fn, 2);
    args[0] = LLVMGetParam(fn, 0);
    for (int k = 0; k < nops; k++) {
        LLVMValueRef ix = const_int(c->t_i64, (uint64_t)k);
        LLVMValueRef p = LLVMBuildLoad2(
            b, c->t_ptr, LLVMBuildInBoundsGEP2(b, c->t_ptr, ptrs, &ix, 1, ""), "");
        LLVMSetAlignment(p, 8);
        args[1 + k] = p;
        if (l->cls[k] == JX_LAYOUT_STRIDED) {
            LLVMValueRef s = LLVMBuildLoad2(
                b, c->t_i64,
                LLVMBuildInBoundsGEP2(b, c->t_i64, strides, &ix, 1, ""), "");
            LLVMSetAlignment(s, 8);
            args[1 + nops + k] = s;
        } else {
            args[1 + nops + k] = const_int(c->t_i64, 0);
        }
    }
    LLVMBuildCall2(b, LLVMGlobalGetValueType(body), body, args,
                   (unsigned)(1 + 2 * nops), "");
    LLVMBuildRetVoid(b);
    free(args);
}

int jx_cg_build(LLVMModuleRef mod, const jx_ir *ir, const char *layout,
                const char *name, const jx_cg_target *tgt, jx_error *err)
{
    cg_layout l; /* ir and layout passed jx_cg_check (the engine's) */
    if (jx_vf_parse_layout(ir, layout, &l, err) != 0)
        return -1;
    cg c;
    memset(&c, 0, sizeof c);
    c.ctx = LLVMGetModuleContext(mod);
    c.mod = mod;
    c.ir = ir;
    c.err = err;
    c.tgt = tgt;
    c.t_i1 = LLVMInt1TypeInContext(c.ctx);
    c.t_i8 = LLVMInt8TypeInContext(c.ctx);
    c.t_i64 = LLVMInt64TypeInContext(c.ctx);
    c.t_half = LLVMHalfTypeInContext(c.ctx);
    c.t_float = LLVMFloatTypeInContext(c.ctx);
    c.t_double = LLVMDoubleTypeInContext(c.ctx);
    c.t_ptr = LLVMPointerTypeInContext(c.ctx, 0);
    c.t_void = LLVMVoidTypeInContext(c.ctx);
    c.val = calloc((size_t)ir->n, sizeof *c.val);
    c.len = calloc((size_t)ir->n, sizeof *c.len);
    c.scalar = calloc((size_t)ir->ninputs + 1, sizeof *c.scalar);
    c.same = calloc((size_t)ir->n, sizeof *c.same);
    if (c.val == NULL || c.len == NULL || c.scalar == NULL || c.same == NULL) {
        free(c.val);
        free(c.len);
        free(c.scalar);
        free(c.same);
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    mark_same(&c);
    c.b = LLVMCreateBuilderInContext(c.ctx);
    LLVMValueRef body = build_body(&c, &l, name);
    if (!c.failed && c.fast_used && c.apart) {
        /* An element that only a fast form's guard flags takes the exact
         * loop's values of everything else, which must be the fast
         * loop's: not so beside a math library's value or a guarded sin.
         * Again without fast forms. */
        LLVMDeleteFunction(body);
        c.no_fast = true;
        c.vec_calls = c.vm_inline = false;
        body = build_body(&c, &l, name);
    }
    if (!c.failed)
        build_entry(&c, &l, name, body);
    if (!c.failed)
        jx_mc_compiler_used(&c);
    LLVMDisposeBuilder(c.b);
    free(c.val);
    free(c.len);
    free(c.scalar);
    free(c.same);
    return c.failed ? -1 : 0;
}
