/* mathcall.c - calls of the math library from kernels.
 *
 * Math functions (the LIBM rows of the op table, and its JX_LIBCALLS row
 * pow) are calls of
 * libm's scalar functions, declared memory(none).  When the engine allows
 * vector variants (glibc's libmvec, jx_cg_target), each call carries the
 * call-site attribute "vector-function-abi-variant" naming them, and the
 * module declares them and keeps them in llvm.compiler.used: the loop
 * vectorizer then calls _ZGVeN8v_sin on eight elements at a time, and libm
 * only in the remainder.  Such a loop is not interleaved (loop metadata),
 * its function aligns its stack to 64 bytes and, with AVX-512 variants,
 * prefers 512-bit vectors.  This runs as fast as a vector loop written by
 * hand around the same calls (measured: docs/math.md), and it vectorizes
 * reductions and strided loops (gathers) too.
 *
 * Functions that vmath.c has a kernel for are written out in the loop
 * instead (jx_mc_libm_call), unless the engine measured the library's vector
 * function faster (jx_cg_target.use_lib), or the loop body has
 * CG_VM_KERNELS of them already (emit.h).  sin, cos and tan's kernels
 * hold for |x| <= 2^24 (float: 2^16) only: beyond, the exact loop calls
 * libm's scalar function through helpers.c (exact_call). */
#include "emit.h"

#include <llvm-c/DebugInfo.h>
#include <stdio.h>

#include "vmath.h"

/* The scalar functions with vector variants, their operand counts and
 * library: the LIBM rows of the op table and its JX_LIBCALLS rows called
 * with vector variants (pow, the general float power) from libmvec, then
 * SLEEF's.  The ISA letters of the variants, and the vector register width
 * of each. */
typedef struct cg_vec_row {
    const char *fn;
    int nargs;
    char lib; /* 'm' libmvec, 's' SLEEF */
} cg_vec_row;
#define CG_VEC_INLINE(fn, ar)
#define CG_VEC_INTRIN(fn, ar)
#define CG_VEC_LIBM(fn, ar) {fn, ar, 'm'},
#define CG_VEC_ROW(id, mnem, spell, syn, ar, rule, kinds, low, fn, cx, ci, cf, cc) \
    CG_VEC_##low(fn, ar)
#define CG_VEC_CALL_VEC(op, fn) {fn, JX_OP_ARITY_##op, 'm'},
#define CG_VEC_CALL_LLVM(op, fn)
#define CG_VEC_CALL(op, fn, how) CG_VEC_CALL_##how(op, fn)
static const cg_vec_row vec_fns[] = {JX_OPS(CG_VEC_ROW) JX_LIBCALLS(CG_VEC_CALL)
                                     {"log", 1, 's'}};
#define CG_NVEC_FNS (sizeof vec_fns / sizeof vec_fns[0])
static const char vec_isas[] = "de";
static const int vec_isa_bits[] = {256, 512};
_Static_assert(JX_CG_NVEC == CG_NVEC_FNS * 2 * (sizeof vec_isas - 1),
               "JX_CG_NVEC: one per vector function, precision, ISA");

int jx_cg_vecfn_get(int k, jx_cg_vecfn *out)
{
    if (k < 0 || k >= JX_CG_NVEC)
        return -1;
    int nisa = (int)sizeof vec_isas - 1;
    int isa = k % nisa, f32 = (k / nisa) % 2, f = k / nisa / 2;
    out->fn = vec_fns[f].fn;
    out->nargs = vec_fns[f].nargs;
    out->f32 = f32;
    out->isa = vec_isas[isa];
    out->lanes = vec_isa_bits[isa] / (f32 ? 32 : 64);
    out->lib = vec_fns[f].lib;
    snprintf(out->name, sizeof out->name, "_ZGV%cN%d%s_%s%s", out->isa,
             out->lanes, out->nargs == 2 ? "vv" : "v", out->fn,
             f32 ? "f" : "");
    if (out->lib == 's') /* Sleef_logd8_u35avx512f, Sleef_logf8_u35avx2 */
        snprintf(out->sym, sizeof out->sym, "Sleef_%s%c%d_u35%s", out->fn,
                 f32 ? 'f' : 'd', out->lanes,
                 out->isa == 'e' ? "avx512f" : "avx2");
    else
        memcpy(out->sym, out->name, sizeof out->sym);
    return 0;
}

/* Declares the vector function v (once) and lists it for
 * llvm.compiler.used: the loop vectorizer calls it only when it is there,
 * and O3 drops unused declarations. */
static void declare_vecfn(cg *c, const jx_cg_vecfn *v)
{
    if (LLVMGetNamedFunction(c->mod, v->sym) != NULL)
        return;
    LLVMTypeRef et = v->f32 ? c->t_float : c->t_double;
    LLVMTypeRef vt = LLVMVectorType(et, (unsigned)v->lanes);
    LLVMTypeRef args[2] = {vt, vt};
    LLVMValueRef f = LLVMAddFunction(
        c->mod, v->sym, LLVMFunctionType(vt, args, (unsigned)v->nargs, 0));
    mark_libcall(c, f, false);
    if (c->nused < JX_CG_NVEC)
        c->used[c->nused++] = f;
}

bool jx_cg_has_vecfn(const jx_cg_target *t, const char *fn, bool f32)
{
    for (int k = 0; t != NULL && k < JX_CG_NVEC; k++) {
        jx_cg_vecfn v;
        if (jx_cg_has_vec(t, k) && jx_cg_vecfn_get(k, &v) == 0 &&
            v.f32 == f32 && strcmp(v.fn, fn) == 0)
            return true;
    }
    return false;
}

/* Whether a kernel for tgt computes fn with the library's vector function
 * rather than vmath.c's kernel: only where both exist, and the target's
 * chooser (the engine's measurement) says so. */
bool jx_mc_use_library(const jx_cg_target *tgt, const char *fn, bool f32)
{
    return tgt != NULL && tgt->use_lib != NULL &&
           jx_cg_has_vecfn(tgt, fn, f32) &&
           tgt->use_lib(tgt->use_lib_ctx, fn, f32);
}

bool jx_mc_own_kernel(const jx_cg_target *tgt, const char *fn, bool f32)
{
    return (jx_vm_has(fn) || jx_vm_has_fast(fn) || jx_vm_has_guarded(fn, f32)) &&
           !jx_mc_use_library(tgt, fn, f32);
}

/* Whether the target allows a SLEEF variant of fn for precision f32 and
 * ISA isa: it is then called instead of libmvec's. */
static bool has_sleef(const jx_cg_target *tgt, const char *fn, bool f32,
                      char isa)
{
    for (int k = 0; k < JX_CG_NVEC; k++) {
        jx_cg_vecfn v;
        if (jx_cg_has_vec(tgt, k) && jx_cg_vecfn_get(k, &v) == 0 &&
            v.lib == 's' && v.f32 == f32 && v.isa == isa &&
            strcmp(v.fn, fn) == 0)
            return true;
    }
    return false;
}

/* Tells the loop vectorizer which vector functions compute the scalar call
 * `call` of fn (float lanes when f32): the call-site attribute
 * "vector-function-abi-variant", a list of "_ZGVeN8v_sin(_ZGVeN8v_sin)"
 * (ABI name, function called: "_ZGVeN8v_log(Sleef_logd8_u35avx512f)"),
 * one per ISA the target allows, SLEEF's where it has one.  The vectorizer
 * picks the lane count its cost model likes and calls the variant of that
 * width. */
static void add_vector_variants(cg *c, LLVMValueRef call, const char *fn,
                                bool f32)
{
    if (c->tgt == NULL)
        return;
    char list[512];
    size_t len = 0;
    list[0] = '\0';
    for (int k = 0; k < JX_CG_NVEC; k++) {
        jx_cg_vecfn v;
        if (!jx_cg_has_vec(c->tgt, k) || jx_cg_vecfn_get(k, &v) != 0 ||
            v.f32 != f32 || strcmp(v.fn, fn) != 0 ||
            (v.lib == 'm' && has_sleef(c->tgt, fn, f32, v.isa)))
            continue;
        int w = snprintf(list + len, sizeof list - len, "%s%s(%s)",
                         len ? "," : "", v.name, v.sym);
        if (w < 0 || (size_t)w >= sizeof list - len)
            break;
        len += (size_t)w;
        declare_vecfn(c, &v);
    }
    if (len == 0)
        return;
    static const char key[] = "vector-function-abi-variant";
    LLVMAttributeRef a = LLVMCreateStringAttribute(
        c->ctx, key, sizeof key - 1, list, (unsigned)len);
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, a);
    c->vec_calls = true;
}

/* Loop metadata on the latch branch br of a loop that calls vector math:
 * llvm.loop.interleave.count 1.  Interleaving would put several calls in
 * one iteration, and as every vector register is caller-saved in the
 * vector function ABI, spill what lives across them: exp(-a*a/2) runs at
 * 1.05 ns/element interleaved by 4, 0.75 not interleaved (AVX-512).
 * A loop that computes vmath.c's kernels and calls nothing is the
 * opposite: each kernel is one long chain of dependent instructions
 * (pow's about 100 cycles), so four vectors in flight hide its latency;
 * interleaved by 4 (LLVM chose 1), n = 1e5, one thread, us per call on
 * the Zen 5 host: a**b float64 236 -> 170, log 54.6 -> 44.3, log1p 50.1
 * -> 44.7, tanh 56.8 -> 46.2, arctan2 76.9 -> 61.9, expm1 49.1 -> 41.1,
 * cbrt 61.6 -> 53.1; float32 12-15% too, but a**b (115 -> 118, by 2:
 * 101).  The spills this can cause are reloaded from the stack, written
 * in the same iteration. */
void jx_mc_loop_hints(cg *c, LLVMValueRef br)
{
    if (!c->vec_calls && !c->vm_inline)
        return;
    unsigned count = c->vec_calls ? 1 : 4;
    static const char key[] = "llvm.loop.interleave.count";
    LLVMMetadataRef kv[2] = {
        LLVMMDStringInContext2(c->ctx, key, sizeof key - 1),
        LLVMValueAsMetadata(LLVMConstInt(LLVMInt32TypeInContext(c->ctx), count, 0))};
    /* A loop ID refers to itself: made through a temporary node. */
    LLVMMetadataRef self = LLVMTemporaryMDNode(c->ctx, NULL, 0);
    LLVMMetadataRef ops[2] = {self, LLVMMDNodeInContext2(c->ctx, kv, 2)};
    LLVMMetadataRef id = LLVMMDNodeInContext2(c->ctx, ops, 2);
    LLVMMetadataReplaceAllUsesWith(self, id);
    LLVMSetMetadata(br, LLVMGetMDKindIDInContext(c->ctx, "llvm.loop", 9),
                    LLVMMetadataAsValue(c->ctx, id));
}

/* Attributes of the kernel fn when its loop calls vector math: the stack
 * aligned for the vector registers spilled across calls (an unaligned
 * 64-byte spill slot costs 3% on sin(a)**2+cos(b)**2), and with AVX-512
 * variants, 512-bit vectors preferred: LLVM tunes Intel's AVX-512 CPUs
 * for 256 bits, which would call the AVX2 variants at half the width. */
void jx_mc_vector_call_attrs(cg *c, LLVMValueRef fn)
{
    if (!c->vec_calls)
        return;
    add_fn_attr(c, fn, "alignstack", 64);
    for (int k = 0; k < JX_CG_NVEC; k++) {
        jx_cg_vecfn v;
        if (jx_cg_has_vec(c->tgt, k) && jx_cg_vecfn_get(k, &v) == 0 &&
            v.isa == 'e') {
            static const char key[] = "prefer-vector-width", val[] = "512";
            LLVMAddAttributeAtIndex(
                fn, LLVMAttributeFunctionIndex,
                LLVMCreateStringAttribute(c->ctx, key, sizeof key - 1, val,
                                          sizeof val - 1));
            return;
        }
    }
}

/* sin or cos r kept within [-1, 1] where it may come from libmvec or
 * vmath.c's kernel (CG_FAST, and CG_RECHECK, whose kernel values must be
 * the fast loop's): libmvec's sinf and cosf give -1.0000001 and
 * its cos 1.0000000000000002 near their peaks (within 4 ULP, but arcsin or
 * sqrt(1 - x*x) of that is NaN, and libm and NumPy give 1).  r > 1 ? 1 :
 * r, then r < -1 ? -1 : r: NaN compares false and stays, and x86 makes it
 * one vminpd and one vmaxpd (5-8% on sin(a)**2+cos(b)**2, float64). */
LLVMValueRef jx_mc_clamp_unit(cg *c, LLVMValueRef r)
{
    if (!c->vec_calls && c->guard == CG_LIBRARY)
        return r;
    LLVMBuilderRef b = c->b;
    LLVMTypeRef t = LLVMTypeOf(r);
    LLVMValueRef one = LLVMConstReal(t, 1.0), mone = LLVMConstReal(t, -1.0);
    r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, r, one, ""), one, r, "");
    return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, r, mone, ""), mone,
                           r, "");
}

/* @llvm.compiler.used = the vector functions declared. */
void jx_mc_compiler_used(cg *c)
{
    if (c->nused == 0)
        return;
#if LLVM_VERSION_MAJOR >= 17
    LLVMTypeRef at = LLVMArrayType2(c->t_ptr, (uint64_t)c->nused);
    LLVMValueRef init = LLVMConstArray2(c->t_ptr, c->used, (uint64_t)c->nused);
#else /* the 64-bit counts came in LLVM 17 */
    LLVMTypeRef at = LLVMArrayType(c->t_ptr, (unsigned)c->nused);
    LLVMValueRef init = LLVMConstArray(c->t_ptr, c->used, (unsigned)c->nused);
#endif
    LLVMValueRef g = LLVMAddGlobal(c->mod, at, "llvm.compiler.used");
    LLVMSetInitializer(g, init);
    LLVMSetLinkage(g, LLVMAppendingLinkage);
    LLVMSetSection(g, "llvm.metadata");
}

/* fn of x[0] in the exact loop (CG_RECHECK) where a helper calls libm's
 * function (helpers.c): the guarded kernel's value where it holds, else
 * the helper's, called only there.  *ex: the guard.  The kernel's value
 * for an operand in range is the fast loop's, bit for bit (an element
 * comes here when any of its guards holds); the call is the same scalar
 * call at every position and in both tiers.  The helper is declared as
 * touching memory no kernel sees (libm's errno): the loop vectorizer
 * would run a memory(none) call under a condition on every lane. */
static LLVMValueRef exact_call(cg *c, const char *helper, const char *fn,
                               LLVMValueRef *x, LLVMValueRef *ex)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef kv = jx_vm_emit_guarded(b, fn, x, c->tgt != NULL && c->tgt->fma, ex);
    LLVMTypeRef t = LLVMTypeOf(x[0]);
    LLVMTypeRef fty = LLVMFunctionType(t, &t, 1, 0);
    LLVMValueRef f = LLVMGetNamedFunction(c->mod, helper);
    if (f == NULL) {
        f = LLVMAddFunction(c->mod, helper, fty);
#if LLVM_VERSION_MAJOR >= 16
        add_fn_attr(c, f, "memory", 3 << 2); /* inaccessiblemem: readwrite */
#else
        add_fn_attr(c, f, "inaccessiblememonly", 0);
#endif
        add_fn_attr(c, f, "nounwind", 0);
        add_fn_attr(c, f, "willreturn", 0);
    }
    LLVMBasicBlockRef from = LLVMGetInsertBlock(b);
    LLVMValueRef fnv = LLVMGetBasicBlockParent(from);
    LLVMBasicBlockRef call = LLVMAppendBasicBlockInContext(c->ctx, fnv, "exact.call");
    LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(c->ctx, fnv, "exact.join");
    LLVMBuildCondBr(b, *ex, call, join);
    LLVMPositionBuilderAtEnd(b, call);
    LLVMValueRef r = LLVMBuildCall2(b, fty, f, x, 1, "");
    LLVMBuildBr(b, join);
    LLVMPositionBuilderAtEnd(b, join);
    LLVMValueRef phi = LLVMBuildPhi(b, t, "");
    LLVMValueRef vals[2] = {kv, r};
    LLVMBasicBlockRef from_bb[2] = {from, call};
    LLVMAddIncoming(phi, vals, from_bb, 2);
    return phi;
}

/* fn (double) or fn "f" (float) of the nargs values x[], which have the
 * calc type: vmath.c's kernel where it has one, else a call of libm's
 * function.  Declared without memory effects,
 * so the loop vectorizer still takes the loop, and given its vector
 * variants, so that it calls them instead of this. */
LLVMValueRef jx_mc_libm_call(cg *c, const char *fn, LLVMValueRef *x,
                       unsigned nargs)
{
    bool f32 = LLVMTypeOf(x[0]) == c->t_float;
    if (c->vm_left > 0 && c->guard != CG_LIBRARY && !c->no_fast &&
        jx_vm_has_fast(fn) && !jx_mc_use_library(c->tgt, fn, f32)) {
        /* guarded loops: the fast form in the fast loop, the whole
         * kernel in the exact loop, the same guard in both */
        c->vm_inline = true;
        c->vm_left--;
        c->fast_used = c->fast_used || c->guard == CG_FAST;
        LLVMValueRef ex, r = jx_vm_emit_fast(c->b, fn, x, c->tgt != NULL && c->tgt->fma,
                                             c->guard == CG_FAST, &ex);
        if (c->guard == CG_FAST) /* the exact loop's guards are the fast loop's */
            c->exact = c->exact ? LLVMBuildOr(c->b, c->exact, ex, "") : ex;
        return r;
    }
    if (c->vm_left > 0 && jx_vm_has(fn) && !jx_mc_use_library(c->tgt, fn, f32)) {
        c->vm_inline = true;
        c->vm_left--;
        /* written out in the loop (vmath.c) */
        return jx_vm_emit(c->b, fn, x, c->tgt != NULL && c->tgt->fma);
    }
    if (c->vm_left > 0 && c->guard != CG_LIBRARY && jx_vm_has_guarded(fn, f32) &&
        !jx_mc_use_library(c->tgt, fn, f32)) {
        /* counted in the exact loop too: its calls and guards are the
         * fast loop's, in the same order */
        c->vm_left--;
        c->apart = true; /* not beside a fast form (jx_cg_build) */
        LLVMValueRef ex, r = NULL;
        const char *helper = jx_hp_libm_name(fn, f32);
        if (c->guard == CG_FAST)
            r = jx_vm_emit_guarded(c->b, fn, x, c->tgt != NULL && c->tgt->fma, &ex);
        else if (helper != NULL)
            r = exact_call(c, helper, fn, x, &ex);
        else
            ex = jx_vm_emit_guard(c->b, x);
        c->exact = c->exact ? LLVMBuildOr(c->b, c->exact, ex, "") : ex;
        if (r != NULL)
            return r;
    }
    c->apart = c->apart || c->guard != CG_LIBRARY; /* the vector library's */
    LLVMTypeRef t = LLVMTypeOf(x[0]);
    LLVMTypeRef args[2] = {t, t};
    char name[64];
    snprintf(name, sizeof name, "%s%s", fn, f32 ? "f" : "");
    LLVMTypeRef fty = LLVMFunctionType(t, args, nargs, 0);
    LLVMValueRef f = LLVMGetNamedFunction(c->mod, name);
    if (f == NULL) {
        f = LLVMAddFunction(c->mod, name, fty);
        mark_libcall(c, f, false);
    }
    LLVMValueRef call = LLVMBuildCall2(c->b, fty, f, x, nargs, "");
    add_vector_variants(c, call, fn, f32);
    return call;
}

/* libm functions of the op table, as fn and fn "f": its LIBM rows, then
 * its JX_LIBCALLS rows (the float power, and the calls LLVM emits for
 * frem, llvm.floor, ceil, trunc and roundeven without SSE4.1). */
#define CG_SYM_INLINE(fn)
#define CG_SYM_INTRIN(fn)
#define CG_SYM_LIBM(fn) fn, fn "f",
#define CG_SYM_ROW(id, mnem, spell, syn, ar, rule, kinds, low, fn, cx, ci, cf, cc) \
    CG_SYM_##low(fn)
#define CG_SYM_CALL(op, fn, how) fn, fn "f",

static const char *const runtime_symbols[] = {
    JX_OPS(CG_SYM_ROW) JX_LIBCALLS(CG_SYM_CALL) NULL
};

const char *const *jx_cg_runtime_symbols(void) { return runtime_symbols; }
