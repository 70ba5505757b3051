/* chunks.c - a very large elementwise loop body, cut into chunks.
 *
 * LLVM's time on one loop grows faster than its body: 2000 distinct sin
 * terms (14,000 instructions in one block) took 3 s of CPU where 1000 took
 * 1 s (Zen 5, LLVM 19; perf and -time-passes, issue 15), in the loop
 * vectorizer (each VPlan it builds is torn down in time quadratic in its
 * recipes: VPBasicBlock::dropAllReferences moves every operand onto one
 * placeholder value whose user list it then searches linearly), the SLP
 * vectorizer, and the register allocator and schedulers on the one huge
 * block.  Loops of a bounded size in one function were not enough: the
 * constants every chunk hoists out of its loop then live across the whole
 * function, and the register allocator took twice as long.  So each chunk
 * is a function of its own, and each of those passes sees at most
 * CK_CHUNK instructions at a time.
 *
 * For an elementwise kernel whose output overlaps no input (":n") and
 * whose IR has more than CK_MIN_OPS operations, NAME.body is
 *
 *   blk.head:   base = phi; m = min(n - base, CK_BLOCK)
 *               NAME.chunk0(base, m, frame, p0..pK, s0..sK)
 *               ... one call per chunk
 *               base += m
 *
 * and NAME.chunkC (noinline) is the loop j = 0 .. m-1 over elements
 * base + j of the chunk's instructions.  A value that a later chunk uses
 * goes through the frame, an array of CK_BLOCK elements per value on
 * NAME.body's stack (2 KiB of doubles: in L1); inputs and constants are
 * loaded or written again in each chunk that uses them.  The chunks
 * compute what the one loop computed, in the same order per element; the
 * vmath.c kernels written out are the same CG_VM_KERNELS first ones
 * (vm_left is set once, for the whole body).  CK_BLOCK is a multiple of
 * every vector width times interleave count the vectorizer picks, so the
 * elements a scalar remainder computes (libm rather than the vector
 * library) are the one loop's where each chunk takes the one loop's
 * vector width.  A chunk whose element types differ from the rest's may
 * take another, and call the library's variant of another width for its
 * calls (float32 sin: _ZGVeN16v_sinf rather than _ZGVdN8v_sinf), whose
 * results may differ in the last bits, each within its bound
 * (docs/math.md). */
#include "emit.h"

#include <llvm-c/Target.h>
#include <stdio.h>
#include <stdlib.h>

/* Elements per block: the length of each value's array in the frame. */
#define CK_BLOCK 256
/* LLVM instructions per chunk, about: a chunk ends after the IR
 * instruction that reaches this many.  float64, CPU seconds for 1000 /
 * 2000 sin terms (2-core Zen 5 VM, load 2): 300: 0.58 / 1.07, 600:
 * 0.54 / 1.12, 1200: 0.66 / 1.29, 2400: 0.78 / 1.45 (the SLP vectorizer's
 * time on each chunk still grows faster than the chunk). */
#define CK_CHUNK 600
/* Operations (IR instructions other than inputs and constants) above
 * which a body is cut; below it, one loop.  sin terms, 3 operations each,
 * CPU seconds one loop / chunks: 150 terms 0.089 / 0.080, 250 terms
 * 0.20 / 0.14, 100 terms 0.064 / 0.064; the run time the same
 * (0.51-0.55 ns per element and term, n = 1e5, one thread). */
#define CK_MIN_OPS 400
/* The most bytes of frame: past it, the chunk being written goes on. */
#define CK_FRAME_MAX (256 * 1024)

/* The chunked body being written. */
typedef struct ck {
    cg *c;
    const cg_layout *l;
    jx_ck_emit_fn emit;
    const char *name;    /* NAME.body's name */
    int32_t *last;       /* [ir->n] the last instruction using each value
                            (ir->n: the result) */
    int32_t *chunk;      /* [ir->n] the chunk whose function holds c->val[v] */
    int64_t *off;        /* [ir->n] v's array's offset in the frame, or -1 */
    int64_t frame;       /* bytes of frame so far */
    LLVMValueRef *fns;   /* [nfns] the chunk functions */
    int nfns, cap;
    LLVMTypeRef fty;     /* their type */
    /* the chunk being written (fns[nfns - 1]) */
    LLVMValueRef *ptr, *stride; /* its pointer and stride parameters */
    LLVMValueRef m, fp;  /* its element count, frame */
    LLVMValueRef j, i;   /* the element: in the block, in the operands */
    LLVMBasicBlockRef body; /* its loop */
} ck;

/* Written again where used, not kept. */
static bool ck_recomputed(const jx_instr *in)
{
    return in->op == JX_IR_INPUT || in->op == JX_IR_CONST;
}

bool jx_ck_wanted(const cg *c, const cg_layout *l)
{
    if (l->mode != CG_ELEMENTWISE || !l->noalias)
        return false;
    const jx_ir *ir = c->ir;
    int ops = 0;
    for (int32_t v = 0; v < ir->n; v++) {
        const jx_instr *in = &ir->ins[v];
        /* byte strings carry a length beside the value; complex values
         * are structs, which the vectorizer does not load or store */
        if (in->dtype == JX_BYTES || dt_complex(in->dtype))
            return false;
        ops += !ck_recomputed(in);
    }
    return ops > CK_MIN_OPS;
}

/* The type of v in the frame: its value's, a bool as a byte. */
static LLVMTypeRef ck_mem_type(cg *c, int32_t v)
{
    LLVMTypeRef t = val_type(c, c->ir->ins[v].dtype);
    return t == c->t_i1 ? c->t_i8 : t;
}

/* The address of element j of v's array. */
static LLVMValueRef ck_addr(ck *k, int32_t v)
{
    cg *c = k->c;
    LLVMValueRef o = const_int(c->t_i64, (uint64_t)k->off[v]);
    LLVMValueRef a = LLVMBuildInBoundsGEP2(c->b, c->t_i8, k->fp, &o, 1, "");
    return LLVMBuildInBoundsGEP2(c->b, ck_mem_type(c, v), a, &k->j, 1, "");
}

/* Value v in the current chunk: as it is, written again, or loaded from
 * the frame. */
static LLVMValueRef ck_get(ck *k, int32_t v)
{
    cg *c = k->c;
    if (k->chunk[v] == k->nfns - 1)
        return c->val[v];
    if (ck_recomputed(&c->ir->ins[v])) {
        c->val[v] = k->emit(c, v, k->i, k->l, k->ptr, k->stride);
    } else if (k->off[v] >= 0) {
        LLVMValueRef x = LLVMBuildLoad2(c->b, ck_mem_type(c, v), ck_addr(k, v), "");
        if (val_type(c, c->ir->ins[v].dtype) == c->t_i1)
            x = LLVMBuildTrunc(c->b, x, c->t_i1, "");
        c->val[v] = x;
    } else {
        cg_fail(c, "chunks: %s used in a later chunk, not kept", "a value");
        return c->val[v];
    }
    k->chunk[v] = k->nfns - 1;
    return c->val[v];
}

/* The bytes of frame v's array takes, rounded up to a cache line. */
static int64_t ck_size(ck *k, int32_t v)
{
    int64_t bytes = (int64_t)LLVMABISizeOfType(
        LLVMGetModuleDataLayout(k->c->mod), ck_mem_type(k->c, v));
    return (bytes * CK_BLOCK + 63) / 64 * 64;
}

/* Keeps value v (of this chunk) in the frame for the chunks after. */
static void ck_keep(ck *k, int32_t v)
{
    cg *c = k->c;
    k->off[v] = k->frame;
    k->frame += ck_size(k, v);
    LLVMValueRef x = c->val[v];
    if (LLVMTypeOf(x) == c->t_i1)
        x = LLVMBuildZExt(c->b, x, c->t_i8, "");
    LLVMBuildStore(c->b, x, ck_addr(k, v));
}

/* Starts the next chunk's function and its loop over j = 0 .. m-1,
 * i = base + j; loads its scalar operands. */
static int ck_open(ck *k)
{
    cg *c = k->c;
    const cg_layout *l = k->l;
    if (k->nfns == k->cap) {
        int cap = k->cap ? 2 * k->cap : 16;
        LLVMValueRef *f = realloc(k->fns, (size_t)cap * sizeof *f);
        if (f == NULL)
            return -1;
        k->fns = f;
        k->cap = cap;
    }
    char fname[160];
    snprintf(fname, sizeof fname, "%s.chunk%d", k->name, k->nfns);
    LLVMValueRef fn = LLVMAddFunction(c->mod, fname, k->fty);
    k->fns[k->nfns++] = fn;
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    add_fn_attr(c, fn, "noinline", 0); /* or the inliner undoes it all */
    add_fn_attr(c, fn, "nounwind", 0);
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    for (int a = 2; a < 3 + l->nops; a++) /* the frame and the operands */
        LLVMAddAttributeAtIndex(fn, (unsigned)(1 + a),
                                LLVMCreateEnumAttribute(c->ctx, noalias, 0));
    LLVMValueRef base = LLVMGetParam(fn, 0);
    k->m = LLVMGetParam(fn, 1);
    k->fp = LLVMGetParam(fn, 2);
    for (int op = 0; op < l->nops; op++) {
        k->ptr[op] = LLVMGetParam(fn, (unsigned)(3 + op));
        k->stride[op] = LLVMGetParam(fn, (unsigned)(3 + l->nops + op));
    }
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(c->ctx, fn, "entry");
    k->body = LLVMAppendBasicBlockInContext(c->ctx, fn, "chunk.body");
    LLVMPositionBuilderAtEnd(c->b, entry);
    const jx_ir *ir = c->ir;
    for (int in = 0; in < ir->ninputs; in++)
        if (l->cls[in + 1] == JX_LAYOUT_SCALAR)
            c->scalar[in] = jx_em_load_elem(c, ir->input_dtype[in], k->ptr[in + 1]);
    LLVMBuildBr(c->b, k->body);
    LLVMPositionBuilderAtEnd(c->b, k->body);
    k->j = LLVMBuildPhi(c->b, c->t_i64, "j");
    k->i = LLVMBuildNUWAdd(c->b, base, k->j, "i");
    return 0;
}

/* Ends the chunk's loop and function. */
static void ck_close(ck *k)
{
    cg *c = k->c;
    LLVMBuilderRef b = c->b;
    LLVMValueRef next = LLVMBuildNUWAdd(b, k->j, const_int(c->t_i64, 1), "j.next");
    LLVMValueRef in[2] = {const_int(c->t_i64, 0), next};
    LLVMBasicBlockRef from[2] = {LLVMGetEntryBasicBlock(k->fns[k->nfns - 1]),
                                 LLVMGetInsertBlock(b)};
    LLVMAddIncoming(k->j, in, from, 2);
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(
        c->ctx, k->fns[k->nfns - 1], "chunk.done");
    jx_mc_loop_hints(c, LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, next, k->m, ""),
                                        done, k->body));
    LLVMPositionBuilderAtEnd(b, done);
    LLVMBuildRetVoid(b);
}

/* The number of instructions after `after` in block bb (all of them when
 * after is NULL). */
static int ck_count(LLVMBasicBlockRef bb, LLVMValueRef after)
{
    int n = 0;
    LLVMValueRef x = after ? LLVMGetNextInstruction(after) : LLVMGetFirstInstruction(bb);
    for (; x != NULL; x = LLVMGetNextInstruction(x))
        n++;
    return n;
}

/* Whether to end the chunk after IR instruction idx: keeps what the
 * chunks after use. */
static bool ck_split(ck *k, int32_t start, int32_t idx)
{
    const jx_ir *ir = k->c->ir;
    int64_t more = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int32_t v = start; v <= idx; v++) {
            if (k->chunk[v] != k->nfns - 1 || k->last[v] <= idx || k->off[v] >= 0 ||
                ck_recomputed(&ir->ins[v]))
                continue;
            if (pass == 0)
                more += ck_size(k, v);
            else
                ck_keep(k, v);
            if (pass == 0 && k->frame + more > CK_FRAME_MAX)
                return false;
        }
    return true;
}

/* The chunk functions, the last storing the result. */
static void ck_chunks(ck *k)
{
    cg *c = k->c;
    const jx_ir *ir = c->ir;
    int size = 0;      /* LLVM instructions in the chunk */
    int32_t start = 0; /* its first IR instruction */
    if (ck_open(k) != 0)
        goto nomem;
    for (int32_t idx = 0; idx < ir->n && !c->failed; idx++) {
        const jx_instr *in = &ir->ins[idx];
        if (ck_recomputed(in)) /* where a use needs it */
            continue;
        LLVMValueRef before = LLVMGetLastInstruction(k->body);
        for (int a = 0; a < in->nargs; a++)
            ck_get(k, in->args[a]);
        c->val[idx] = k->emit(c, idx, k->i, k->l, k->ptr, k->stride);
        k->chunk[idx] = k->nfns - 1;
        size += ck_count(k->body, before);
        if (size < CK_CHUNK || idx + 1 >= ir->n || !ck_split(k, start, idx))
            continue;
        ck_close(k);
        if (ck_open(k) != 0)
            goto nomem;
        size = 0;
        start = idx + 1;
    }
    if (c->failed)
        return;
    jx_dtype rt = ir->ins[ir->result].dtype;
    LLVMValueRef r = ck_get(k, ir->result);
    jx_em_store_elem(c, rt, jx_em_elem_addr(c, k->l->cls[0], rt, k->ptr[0],
                                            k->stride[0], k->i), r);
    ck_close(k);
    return;
nomem:
    jx_err_set(c->err, JX_ERR_NOMEM, -1, 0, "out of memory");
    c->failed = 1;
}

/* Each chunk function's vector attributes, as NAME's (loops.c
 * build_entry): known once every call is written. */
static void ck_attrs(ck *k)
{
    cg *c = k->c;
    for (int f = 0; f < k->nfns; f++) {
        jx_mc_vector_call_attrs(c, k->fns[f]);
        if (k->l->narrow && !c->vec_calls) { /* ":w" (adapt.h) */
            static const char key[] = "prefer-vector-width", val[] = "256";
            LLVMAddAttributeAtIndex(
                k->fns[f], LLVMAttributeFunctionIndex,
                LLVMCreateStringAttribute(c->ctx, key, sizeof key - 1, val,
                                          sizeof val - 1));
        }
    }
}

void jx_ck_build_loop(cg *c, const cg_layout *l, LLVMValueRef fn,
                      LLVMBasicBlockRef pre, LLVMBasicBlockRef exit,
                      LLVMValueRef n, LLVMValueRef *ptr, LLVMValueRef *stride,
                      jx_ck_emit_fn emit)
{
    const jx_ir *ir = c->ir;
    size_t len;
    ck k = {.c = c, .l = l, .emit = emit, .name = LLVMGetValueName2(fn, &len)};
    int np = 3 + 2 * l->nops;
    LLVMTypeRef *pt = malloc((size_t)np * sizeof *pt);
    LLVMValueRef *args = malloc((size_t)np * sizeof *args);
    LLVMValueRef *scalar = calloc((size_t)ir->ninputs + 1, sizeof *scalar);
    k.ptr = malloc((size_t)l->nops * sizeof *k.ptr);
    k.stride = malloc((size_t)l->nops * sizeof *k.stride);
    k.last = malloc((size_t)ir->n * sizeof *k.last);
    k.chunk = malloc((size_t)ir->n * sizeof *k.chunk);
    k.off = malloc((size_t)ir->n * sizeof *k.off);
    LLVMValueRef *body_scalar = c->scalar;
    LLVMBuilderRef b = c->b;
    if (pt == NULL || args == NULL || scalar == NULL || k.ptr == NULL ||
        k.stride == NULL || k.last == NULL || k.chunk == NULL || k.off == NULL) {
        jx_err_set(c->err, JX_ERR_NOMEM, -1, 0, "out of memory");
        c->failed = 1;
        goto done;
    }
    for (int32_t v = 0; v < ir->n; v++) {
        k.last[v] = -1;
        k.chunk[v] = -1;
        k.off[v] = -1;
    }
    for (int32_t v = 0; v < ir->n; v++)
        for (int a = 0; a < ir->ins[v].nargs; a++)
            k.last[ir->ins[v].args[a]] = v;
    k.last[ir->result] = ir->n;
    pt[0] = pt[1] = c->t_i64; /* base, m */
    pt[2] = c->t_ptr;         /* frame */
    for (int op = 0; op < l->nops; op++) {
        pt[3 + op] = c->t_ptr;
        pt[3 + l->nops + op] = c->t_i64;
    }
    k.fty = LLVMFunctionType(c->t_void, pt, (unsigned)np, 0);

    c->scalar = scalar; /* each chunk loads its own */
    c->vm_left = CG_VM_KERNELS; /* for the whole body, as emit_value */
    c->exact = NULL;
    ck_chunks(&k);
    c->scalar = body_scalar;
    if (c->failed)
        goto done;
    ck_attrs(&k);

    /* NAME.body: the frame, and the loop over blocks calling each chunk */
    LLVMValueRef frame = LLVMConstNull(c->t_ptr);
    if (k.frame > 0) {
        LLVMBuilderRef ab = LLVMCreateBuilderInContext(c->ctx);
        LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(fn);
        LLVMPositionBuilderBefore(ab, LLVMGetFirstInstruction(entry));
        frame = LLVMBuildArrayAlloca(ab, c->t_i8, const_int(c->t_i64, (uint64_t)k.frame),
                                     "frame");
        LLVMSetAlignment(frame, 64);
        LLVMDisposeBuilder(ab);
    }
    LLVMPositionBuilderAtEnd(b, pre);
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(c->ctx, fn, "blk.head");
    LLVMBuildBr(b, head);
    LLVMPositionBuilderAtEnd(b, head);
    LLVMValueRef base = LLVMBuildPhi(b, c->t_i64, "base");
    LLVMValueRef rest = LLVMBuildSub(b, n, base, "rest");
    LLVMValueRef blk = const_int(c->t_i64, CK_BLOCK);
    LLVMValueRef m = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntULT, rest, blk, ""),
                                     rest, blk, "m");
    args[0] = base;
    args[1] = m;
    args[2] = frame;
    for (int op = 0; op < l->nops; op++) {
        args[3 + op] = ptr[op];
        args[3 + l->nops + op] = stride[op];
    }
    for (int f = 0; f < k.nfns; f++)
        LLVMBuildCall2(b, k.fty, k.fns[f], args, (unsigned)np, "");
    LLVMValueRef next = LLVMBuildNUWAdd(b, base, m, "base.next");
    LLVMValueRef in[2] = {const_int(c->t_i64, 0), next};
    LLVMBasicBlockRef from[2] = {pre, LLVMGetInsertBlock(b)};
    LLVMAddIncoming(base, in, from, 2);
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, next, n, ""), exit, head);
done:
    free(pt);
    free(args);
    free(scalar);
    free(k.ptr);
    free(k.stride);
    free(k.last);
    free(k.chunk);
    free(k.off);
    free(k.fns);
}
