/* engine.c - the JIT: optimise a kernel for the host CPU and link it into
 * ORC's LLJIT, through LLVM's C API.
 *
 * One process-wide engine, started in two stages: on first use the host
 * (CPU, features, vector math library: all of jx_jit_target_id, no LLVM
 * target); on the first compilation or ORC load the native target, an
 * LLJIT whose main JITDylib resolves C library symbols from the process,
 * and a mutex.  jx_jit_load tries objload.c's loader first, which needs
 * neither (a disk-cache hit never starts LLVM); ORC takes what it
 * declines, and everything with JITEXPR_OBJLOAD=no.  Each compilation builds its module in its own LLVMContext
 * with its own TargetMachine, optimises it (default<O3>, both vectorizers)
 * and emits an object file to memory (module.c), all without the lock, so that
 * compilations run in parallel; only adding the object (one
 * ResourceTracker per kernel) and the first lookup, which links it, run
 * under the mutex.  Sharing one TargetMachine between threads crashes
 * LLVM (docs/architecture.md).
 *
 * Vector math: on x86-64 with AVX-512F or AVX2 the engine loads glibc's
 * libmvec (LLVMLoadLibraryPermanently), defines the vector variants of the
 * math functions that the CPU runs as absolute symbols (dlsym, as libm's:
 * found from a Python extension loaded RTLD_LOCAL too) and lets the code
 * generator call them (jx_cg_target); SLEEF's (libsleef.so.3) for log
 * only with JITEXPR_SLEEF=yes: its AVX-512 log reads a constant with a
 * masked load, which takes a microcode assist on every call while the
 * page's table entry is not present or not marked accessed, and a kernel
 * with proactive reclaim (kdamond) clears that bit: 20.8 against 0.39
 * ns/element in the same process, 20 s apart (docs/math.md).  Without
 * libmvec kernels call scalar libm.  The choice is part of
 * jx_jit_target_id ("libmvec:avx512 sleef:no"), so cached kernels never
 * cross it.
 *
 * Where vmath.c has a kernel for a function and the library a vector
 * function too, the engine measures both on this machine the first time a
 * kernel needs that function (calib.c) and uses the faster, unless
 * JITEXPR_MATHLIB says which ("own", "lib", "auto", or per function
 * "auto,log=lib"), a stored kernel was made with one, or an earlier
 * process's measurement is stored (choice.c keeps the choices);
 * jx_jit_describe lists the choices made.
 *
 * LLVM must never take the process down: every LLVMErrorRef is consumed
 * into a jx_error, every context has a diagnostic handler (the default
 * one calls exit(1) on an error), every module is verified. */
#include "jit.h"

#include <dlfcn.h>
#include <limits.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm/Config/llvm-config.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calib.h"
#include "choice.h"
#include "cmath.h"
#include "codegen.h"
#include "module.h"
#include "objload.h"

/* One absolute symbol definition (LLVMJITCSymbolMapPair before the C API
 * renamed it; the pointer typedef kept its name). */
typedef __typeof__(*(LLVMOrcCSymbolMapPairs)NULL) jx_symbol_pair;

/* Clear dead symbol-pool entries after this many kernels are released. */
#define JX_JIT_SWEEP 64

typedef struct jx_engine {
    pthread_mutex_t lock;     /* guards jit, its JITDylib, releases */
    LLVMOrcLLJITRef jit;      /* NULL when creating it failed */
    LLVMOrcJITDylibRef main;  /* where kernels and symbols live */
    jx_mod_host host;         /* target, triple, CPU, features */
    jx_cg_target tgt;         /* the vector math kernels may call */
    char vec_isa;             /* libmvec's ISA letter in use, or 0: none */
    bool sleef;               /* SLEEF's functions are in use too */
    bool objload;             /* jx_jit_load tries objload.c first */
    char id[4096];            /* jx_jit_target_id's text */
    jx_code init_code;        /* JX_OK, or why the engine is unusable */
    char init_msg[JX_MESSAGE_SIZE];
    jx_code orc_code;         /* JX_OK, or why the LLJIT is unusable */
    char orc_msg[JX_MESSAGE_SIZE];
    const char *vec_sym[JX_CG_NVEC]; /* the vector functions found, */
    void *vec_addr[JX_CG_NVEC];      /* defined in the LLJIT when it starts */
    size_t nvec;
    atomic_ullong counter;    /* numbers kernel names */
    unsigned releases;        /* kernels released since the last sweep */
} jx_engine;

static jx_engine engine = {.lock = PTHREAD_MUTEX_INITIALIZER};
/* Three stages: the host (what jx_jit_target_id says, cheap); LLVM's
 * target and the vector functions, on the first compilation; the LLJIT,
 * only when an object goes to ORC (objload.c declined it, or
 * JITEXPR_OBJLOAD=no): about 1.5 ms of a process's first compile. */
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static pthread_once_t jit_once = PTHREAD_ONCE_INIT;
static pthread_once_t orc_once = PTHREAD_ONCE_INIT;

/* ---- errors ----------------------------------------------------------- */

static void init_fail(const char *what, const char *msg)
{
    engine.init_code = JX_ERR_JIT;
    snprintf(engine.init_msg, sizeof engine.init_msg, "%s: %s", what,
             msg ? msg : "?");
}

static void orc_fail(const char *what, const char *msg)
{
    engine.orc_code = JX_ERR_JIT;
    snprintf(engine.orc_msg, sizeof engine.orc_msg, "%s: %s", what, msg ? msg : "?");
}

static void orc_fail_error(const char *what, LLVMErrorRef e)
{
    char *msg = LLVMGetErrorMessage(e);
    orc_fail(what, msg);
    LLVMDisposeErrorMessage(msg);
}

/* ---- the engine ------------------------------------------------------- */

/* ORC's session errors: the default reporter prints them to stderr; the
 * caller that asked for the symbol gets its own error anyway. */
static void session_error(void *ctx, LLVMErrorRef e)
{
    (void)ctx;
    LLVMConsumeError(e);
}

/* The objects the calibration compiled last: calib.c compiles the kernel
 * of "fn(a)" over contiguous arrays, the output apart, once with our
 * kernel and once with the library's.  The same kernel compiled right
 * after (src/cache.c's unit for the interpreter, once that function's
 * choice is made) takes the chosen one's bytes rather than compiling
 * them a third time (20-25 ms each for sin or cos on the Zen 5 host).
 * A ring, guarded by its lock. */
#define MEMO_SIZE 8
typedef struct memo_entry {
    int op;
    jx_dtype t;
    bool lib;       /* the library's vector function, not our kernel */
    bool same_bits;
    char *data;     /* the object (malloc'd), NULL when empty */
    size_t size;
} memo_entry;
static struct {
    pthread_mutex_t lock;
    memo_entry e[MEMO_SIZE];
    int next;
} memo = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void fork_prepare(void)
{
    jx_choice_lock();
    pthread_mutex_lock(&engine.lock);
    pthread_mutex_lock(&memo.lock);
}
static void fork_parent(void)
{
    pthread_mutex_unlock(&memo.lock);
    pthread_mutex_unlock(&engine.lock);
    jx_choice_unlock();
}
static void fork_child(void)
{
    pthread_mutex_unlock(&memo.lock);
    pthread_mutex_unlock(&engine.lock);
    jx_choice_unlock();
}

/* Pair p: `name` at address addr, a callable exported symbol. */
static void set_pair(jx_symbol_pair *p, const char *name, void *addr)
{
    p->Name = LLVMOrcLLJITMangleAndIntern(engine.jit, name);
    p->Sym.Address = (LLVMOrcExecutorAddress)(uintptr_t)addr;
    p->Sym.Flags.GenericFlags =
        LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
    p->Sym.Flags.TargetFlags = 0;
}

/* Defines pairs[0..n-1] in the main JITDylib.  Returns 0, or -1 (the
 * kernels then do without: the process generator may still find them). */
static int define_absolute(jx_symbol_pair *pairs, size_t n)
{
    if (n == 0)
        return -1;
    LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(pairs, n);
    LLVMErrorRef e = LLVMOrcJITDylibDefine(engine.main, mu);
    if (e != NULL) {
        LLVMConsumeError(e);
        LLVMOrcDisposeMaterializationUnit(mu);
        return -1;
    }
    return 0;
}

/* Defines the C library functions kernels call as absolute symbols, found
 * through our own link map: the process generator alone misses them when
 * this library was loaded RTLD_LOCAL and libm is not global. */
static void define_runtime_symbols(void)
{
    const char *const *names = jx_cg_runtime_symbols();
    jx_symbol_pair pairs[128];
    size_t n = 0;
    for (size_t i = 0; names[i] != NULL && n < 128; i++) {
        void *addr = jx_obj_resolve(names[i]); /* libm's, as the loader finds it */
        if (addr == NULL)
            continue; /* the process generator may still find it */
        set_pair(&pairs[n++], names[i], addr);
    }
    /* Our own complex functions: hidden in this library, so only an
     * absolute definition finds them. */
    for (const jx_cm_symbol *s = jx_cm_symbols(); s->name != NULL && n < 128; s++)
        set_pair(&pairs[n++], s->name, s->addr);
    define_absolute(pairs, n);
}

/* Defines this library's functions that kernels call (jx_cg_helpers) by
 * address: they are hidden, so no generator finds them by name. */
static void define_helper_symbols(void)
{
    const jx_cg_helper *h = jx_cg_helpers();
    jx_symbol_pair pairs[16];
    size_t n = 0;
    for (; h[n].name != NULL && n < 16; n++)
        set_pair(&pairs[n], h[n].name, h[n].addr);
    define_absolute(pairs, n);
}

/* Whether the LLVM feature string fs ("+sse2,-avx512f,...") has +feat. */
static bool has_feature(const char *fs, const char *feat)
{
    size_t n = strlen(feat);
    for (const char *p = fs; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n + 1 && p[0] == '+' && memcmp(p + 1, feat, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* The libmvec ISA the host runs: 'e' with AVX-512F, 'd' with AVX2, else 0
 * (scalar libm).  The features are the ones kernels are compiled for.
 * JITEXPR_VECMATH=none|avx2 lowers it (tests, comparisons; anything else
 * leaves it); it never raises it past what the CPU has: an AVX-512 call
 * on an AVX2 CPU is SIGILL. */
static char host_vec_isa(void)
{
    if (engine.host.triple == NULL || strncmp(engine.host.triple, "x86_64", 6) != 0)
        return 0;
    char isa = has_feature(engine.host.features, "avx512f") ? 'e'
               : has_feature(engine.host.features, "avx2")  ? 'd'
                                                       : 0;
    const char *env = getenv("JITEXPR_VECMATH");
    if (env != NULL) {
        char want = strcmp(env, "none") == 0   ? 0
                    : strcmp(env, "avx2") == 0 ? 'd'
                                               : isa;
        if (want < isa)
            isa = want;
    }
    return isa;
}

/* A handle on the shared library `soname`, loaded for good (so that
 * kernels may call into it), or NULL. */
static void *load_permanently(const char *soname)
{
    if (LLVMLoadLibraryPermanently(soname) != 0)
        return NULL;
    return dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
}

/* Loads glibc's libmvec (when the first stage found the host can use it),
 * and SLEEF where the first stage found it, and defines the vector
 * functions kernels may call as absolute symbols, as for libm; sets
 * engine.tgt to the ones defined.  Any failure leaves scalar libm calls
 * (no libmvec) or libmvec's (no SLEEF). */
static void load_vecmath(void)
{
    char isa = engine.vec_isa;
    if (isa == 0)
        return;
    char path[PATH_MAX + 16];
    void *lib[2] = {jx_obj_libmvec_path(path, sizeof path)
                        ? load_permanently(path)
                        : NULL,
                    NULL}; /* 'm', 's' */
    if (lib[0] == NULL)
        return;
    if (engine.sleef)
        lib[1] = load_permanently("libsleef.so.3");
    jx_cg_target have;
    memset(&have, 0, sizeof have);
    size_t n = 0;
    for (int k = 0; k < JX_CG_NVEC; k++) {
        jx_cg_vecfn v;
        if (jx_cg_vecfn_get(k, &v) != 0 || (v.isa == 'e' && isa != 'e'))
            continue; /* the AVX2 ones serve an AVX-512 host too */
        void *h = lib[v.lib == 's'];
        void *addr = h != NULL ? dlsym(h, v.sym) : NULL;
        if (addr == NULL)
            continue; /* an older libmvec (tan came in glibc 2.35) */
        engine.vec_sym[n] = v.sym;
        engine.vec_addr[n++] = addr;
        jx_cg_set_vec(&have, k);
    }
    for (int i = 0; i < 2; i++) /* LLVMLoadLibraryPermanently keeps them */
        if (lib[i] != NULL)
            dlclose(lib[i]);
    engine.nvec = n;
    engine.tgt = have;
}

/* The vector functions load_vecmath found, as absolute symbols of the
 * LLJIT (as for libm). */
static int define_vec_symbols(void)
{
    jx_symbol_pair pairs[JX_CG_NVEC];
    for (size_t i = 0; i < engine.nvec; i++)
        set_pair(&pairs[i], engine.vec_sym[i], engine.vec_addr[i]);
    return define_absolute(pairs, engine.nvec);
}

static int compile_with(const jx_ir *ir, const char *layout,
                        const jx_cg_target *tgt, jx_jit_code *out,
                        jx_error *err);

/* Nanoseconds this thread has spent in measure (jx_jit_calibration_ns):
 * a thread's own, so no lock. */
static _Thread_local int64_t calibration_ns;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Times fn at precision f32, ours and the library's (calib.c). */
static int measure(const char *fn, bool f32, double ns[JX_CAL_NS])
{
    jx_cg_target base = engine.tgt;
    base.use_lib = NULL;
    int64_t t0 = now_ns();
    int rc = jx_cal_measure(fn, f32, &base, compile_with, ns);
    calibration_ns += now_ns() - t0;
    return rc;
}

int64_t jx_jit_calibration_ns(void) { return calibration_ns; }

/* The target's chooser: whether kernels compute fn at precision f32 with
 * the library's vector function (choice.c: JITEXPR_MATHLIB, stored, or
 * timing both). */
static bool engine_use_lib(void *ctx, const char *fn, bool f32)
{
    (void)ctx;
    return jx_choice_use_lib(fn, f32, measure);
}

/* The first stage: the host CPU, its features and triple (LLVM's Support
 * library, no target initialised), the vector math library, the math
 * choices' modes: all of jx_jit_target_id. */
static void engine_init(void)
{
    engine.init_code = JX_OK;
    atomic_init(&engine.counter, 0);
    pthread_atfork(fork_prepare, fork_parent, fork_child);

    char version[32];
#if LLVM_VERSION_MAJOR >= 16
    unsigned major, minor, patch;
    LLVMGetVersion(&major, &minor, &patch);
    snprintf(version, sizeof version, "%u.%u.%u", major, minor, patch);
#else
    snprintf(version, sizeof version, "%s", LLVM_VERSION_STRING);
#endif
    engine.host.cpu = LLVMGetHostCPUName();
    engine.host.features = LLVMGetHostCPUFeatures();
    engine.host.triple = LLVMGetDefaultTargetTriple();
    snprintf(engine.id, sizeof engine.id, "LLVM %s %s %s", version,
             engine.host.cpu ? engine.host.cpu : "unknown",
             engine.host.features ? engine.host.features : "");
    char isa = host_vec_isa();
    engine.vec_isa = isa != 0 && jx_obj_libmvec_present() ? isa : 0;
    const char *sl = getenv("JITEXPR_SLEEF");
    engine.sleef = sl != NULL && strcmp(sl, "yes") == 0 &&
                   jx_obj_sleef_present(engine.vec_isa);
    const char *ol = getenv("JITEXPR_OBJLOAD");
    engine.objload = ol == NULL || strcmp(ol, "no") != 0;
    jx_choice_init();
    size_t len = strlen(engine.id);
    const char *mathlib = getenv("JITEXPR_MATHLIB");
    snprintf(engine.id + len, sizeof engine.id - len,
             " libmvec:%s sleef:%s mathlib:%.200s",
             engine.vec_isa == 'e'   ? "avx512"
             : engine.vec_isa == 'd' ? "avx2"
                                     : "none",
             engine.sleef ? "yes" : "no",
             mathlib != NULL && *mathlib != '\0' ? mathlib : "auto");
}

/* The second stage: the native target, the LLJIT and its symbols. */
static void jit_init(void)
{
    if (LLVMInitializeNativeTarget() != 0 ||
        LLVMInitializeNativeAsmPrinter() != 0) {
        init_fail("LLVM", "no native target");
        return;
    }
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(engine.host.triple, &engine.host.target, &msg) != 0) {
        init_fail("LLVM target", msg);
        LLVMDisposeMessage(msg);
        return;
    }
    load_vecmath();
    engine.tgt.use_lib = engine_use_lib;
    engine.tgt.fma = has_feature(engine.host.features, "fma");
}

/* The third stage: the LLJIT and the symbols its objects may call. */
static void orc_init(void)
{
    engine.orc_code = JX_OK;
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&engine.jit, NULL);
    if (e != NULL) {
        engine.jit = NULL;
        orc_fail_error("creating the LLJIT", e);
        return;
    }
    LLVMOrcExecutionSessionSetErrorReporter(
        LLVMOrcLLJITGetExecutionSession(engine.jit), session_error, NULL);
    engine.main = LLVMOrcLLJITGetMainJITDylib(engine.jit);
    LLVMOrcDefinitionGeneratorRef gen = NULL;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
        &gen, LLVMOrcLLJITGetGlobalPrefix(engine.jit), NULL, NULL);
    if (e != NULL) {
        orc_fail_error("process symbol generator", e);
        return;
    }
    LLVMOrcJITDylibAddGenerator(engine.main, gen);
    define_runtime_symbols();
    define_helper_symbols();
    if (define_vec_symbols() < 0)
        orc_fail("LLVM", "cannot define the vector math functions");
}

/* The engine with LLVM's target (and with orc, its LLJIT), or NULL with
 * *err set when LLVM could not be set up. */
static jx_engine *engine_get(jx_error *err, bool orc)
{
    pthread_once(&engine_once, engine_init);
    pthread_once(&jit_once, jit_init);
    if (engine.init_code != JX_OK) {
        jx_err_set(err, engine.init_code, -1, 0, "%s", engine.init_msg);
        return NULL;
    }
    if (orc) {
        pthread_once(&orc_once, orc_init);
        if (engine.orc_code != JX_OK) {
            jx_err_set(err, engine.orc_code, -1, 0, "%s", engine.orc_msg);
            return NULL;
        }
    }
    return &engine;
}

/* The libm name of op's function: a LIBM row's ("atan2"), the float
 * power's ("pow", its JX_LIBCALLS row), else NULL. */
static const char *math_fn(int op)
{
    if (op == JX_OP_POW)
        return jx_ops_libcall(JX_OP_POW)->fn;
    return op >= 0 && op < JX_OP_COUNT && jx_ops[op].low == JX_L_LIBM ? jx_ops[op].fn
                                                                     : NULL;
}

bool jx_jit_own_math(int op, bool f32)
{
    jx_error err;
    jx_engine *en = engine_get(&err, false);
    const char *fn = math_fn(op);
    return en != NULL && fn != NULL && jx_mc_own_kernel(&en->tgt, fn, f32);
}

const char *jx_jit_target_id(void)
{
    pthread_once(&engine_once, engine_init);
    return engine.id;
}

bool jx_jit_wide_vectors(void)
{
    pthread_once(&engine_once, engine_init);
    return has_feature(engine.host.features, "avx512f");
}

/* ---- the interface ---------------------------------------------------- */

/* Every kernel's object file names its entry point JX_ENTRY_TAG (and its
 * body JX_ENTRY_TAG ".body"): the same bytes whichever process or thread
 * compiled it, so that an object file can be stored and loaded again.
 * Symbols in the JITDylib must be unique, so loading renames the entry in
 * a copy of the object: every occurrence of the tag (in the string table)
 * becomes "jx_kernel_" and 16 hex digits of the engine's counter, the
 * same length, so no offset in the file moves. */
#define JX_ENTRY_TAG "jx_kernel_xxxxxxxxxxxxxxxx"
#define JX_ENTRY_LEN (sizeof JX_ENTRY_TAG - 1)

/* The choices one compilation consulted (jx_jit_object.choices). */
typedef struct jx_trace {
    char text[JX_JIT_CHOICES];
    bool overflow; /* text was too short: the object is not storable */
} jx_trace;

/* engine_use_lib, and the answer noted in the trace ctx: "log/64=lib;". */
static bool traced_use_lib(void *ctx, const char *fn, bool f32)
{
    jx_trace *t = ctx;
    bool lib = engine_use_lib(NULL, fn, f32);
    char item[48];
    snprintf(item, sizeof item, "%s/%d=%s;", fn, f32 ? 32 : 64,
             lib ? "lib" : "own");
    if (strstr(t->text, item) == NULL) {
        size_t len = strlen(t->text), n = strlen(item);
        if (len + n < sizeof t->text)
            memcpy(t->text + len, item, n + 1);
        else
            t->overflow = true;
    }
    return lib;
}

/* Compiles ir for layout with tgt into an object file (malloc'd copy in
 * *data, *size bytes) whose entry point is JX_ENTRY_TAG. */
static int emit_object(jx_engine *en, const jx_ir *ir, const char *layout,
                       const jx_cg_target *tgt, bool *quick, bool *same_bits,
                       char **data, size_t *size, jx_error *err)
{
    jx_build bd;
    *data = NULL;
    *size = 0;
    if (jx_mod_build(&bd, &en->host, ir, layout, JX_ENTRY_TAG, tgt, *quick, err) != 0)
        return -1;
    *quick = bd.quick;
    *same_bits = bd.same_bits;
    LLVMMemoryBufferRef obj;
    int rc = jx_mod_emit(&bd, LLVMObjectFile, &obj, err);
    jx_mod_dispose(&bd);
    if (rc != 0)
        return -1;
    size_t n = LLVMGetBufferSize(obj);
    *data = malloc(n ? n : 1);
    if (*data == NULL) {
        LLVMDisposeMemoryBuffer(obj);
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    memcpy(*data, LLVMGetBufferStart(obj), n);
    *size = n;
    LLVMDisposeMemoryBuffer(obj);
    return 0;
}

/* The op of a calibration's kernel that ir and layout are (a math_fn
 * over inputs of its dtype, float32 or float64, contiguous, the output
 * apart), or -1. */
static int memo_op(const jx_ir *ir, const char *layout)
{
    const jx_instr *in = &ir->ins[ir->n - 1];
    if (ir->reduce >= 0 || ir->result != ir->n - 1 || math_fn(in->op) == NULL ||
        ir->n != in->nargs + 1 ||
        (in->dtype != JX_FLOAT32 && in->dtype != JX_FLOAT64) ||
        strcmp(layout, in->nargs == 1 ? "CC:n" : "CCC:n") != 0)
        return -1;
    for (int a = 0; a < in->nargs; a++)
        if (ir->ins[a].op != JX_IR_INPUT || ir->ins[a].input != a ||
            ir->ins[a].dtype != in->dtype || in->args[a] != a)
            return -1;
    return in->op;
}

/* Keeps a calibration's object (ir, layout and the choice lib). */
static void memo_put(const jx_ir *ir, const char *layout, bool lib, bool same_bits,
                     const char *data, size_t size)
{
    int op = memo_op(ir, layout);
    char *copy = op >= 0 ? malloc(size ? size : 1) : NULL;
    if (copy == NULL)
        return;
    memcpy(copy, data, size);
    pthread_mutex_lock(&memo.lock);
    memo_entry *e = &memo.e[memo.next];
    memo.next = (memo.next + 1) % MEMO_SIZE;
    free(e->data);
    *e = (memo_entry){op, ir->dtype, lib, same_bits, copy, size};
    pthread_mutex_unlock(&memo.lock);
}

/* Takes the kept object of op at dtype t with choice lib into *out: 0,
 * or -1 when there is none. */
static int memo_take(int op, jx_dtype t, bool lib, jx_jit_object *out)
{
    int rc = -1;
    pthread_mutex_lock(&memo.lock);
    for (int k = 0; k < MEMO_SIZE && rc != 0; k++) {
        memo_entry *e = &memo.e[k];
        if (e->data != NULL && e->op == op && e->t == t && e->lib == lib) {
            out->data = e->data;
            out->size = e->size;
            out->same_bits = e->same_bits;
            e->data = NULL;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&memo.lock);
    return rc;
}

int jx_jit_emit(const jx_ir *ir, const char *layout, jx_jit_tier tier,
                jx_jit_object *out, jx_error *err)
{
    memset(out, 0, sizeof *out);
    jx_engine *en = engine_get(err, false);
    if (en == NULL)
        return -1;
    jx_trace trace;
    memset(&trace, 0, sizeof trace);
    jx_cg_target tgt = en->tgt;
    tgt.use_lib = traced_use_lib;
    tgt.use_lib_ctx = &trace;
    int op = memo_op(ir, layout);
    if (op >= 0) { /* the choice (measured now if need be), then its object */
        bool f32 = ir->dtype == JX_FLOAT32;
        const char *fn = math_fn(op);
        bool lib = jx_mc_use_library(&tgt, fn, f32); /* traced: in the choices */
        if (memo_take(op, ir->dtype, lib, out) == 0) {
            memcpy(out->choices, trace.text, sizeof out->choices);
            out->storable = !trace.overflow;
            return 0;
        }
    }
    bool quick = tier == JX_JIT_QUICK;
    if (emit_object(en, ir, layout, &tgt, &quick, &out->same_bits, &out->data,
                    &out->size, err) != 0)
        return -1;
    memcpy(out->choices, trace.text, sizeof out->choices);
    out->storable = !trace.overflow;
    out->quick = quick;
    return 0;
}

void jx_jit_object_free(jx_jit_object *o)
{
    if (o == NULL)
        return;
    free(o->data);
    o->data = NULL;
    o->size = 0;
}

int jx_jit_load_orc(const void *data, size_t size, jx_jit_code *out,
                    jx_error *err)
{
    out->fn = NULL;
    out->handle = NULL;
    out->mapped = false;
    jx_engine *en = engine_get(err, true);
    if (en == NULL)
        return -1;
    char name[JX_ENTRY_LEN + 1];
    snprintf(name, sizeof name, "jx_kernel_%016llx",
             (unsigned long long)atomic_fetch_add(&en->counter, 1));
    /* The renamed copy, as LLVM's buffer (it owns its bytes). */
    LLVMMemoryBufferRef obj = LLVMCreateMemoryBufferWithMemoryRangeCopy(
        data, size, "jitexpr kernel");
    if (obj == NULL) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    char *bytes = (char *)LLVMGetBufferStart(obj); /* a heap copy */
    size_t renamed = 0;
    for (size_t i = 0; i + JX_ENTRY_LEN <= size; i++)
        if (bytes[i] == 'j' && memcmp(bytes + i, JX_ENTRY_TAG, JX_ENTRY_LEN) == 0) {
            memcpy(bytes + i, name, JX_ENTRY_LEN);
            renamed++;
            i += JX_ENTRY_LEN - 1;
        }
    if (renamed == 0) {
        LLVMDisposeMemoryBuffer(obj);
        jx_err_set(err, JX_ERR_JIT, -1, 0,
                   "LLVM: the object file has no kernel entry point");
        return -1;
    }

    pthread_mutex_lock(&en->lock);
    LLVMOrcResourceTrackerRef rt = LLVMOrcJITDylibCreateResourceTracker(en->main);
    LLVMErrorRef e = LLVMOrcLLJITAddObjectFileWithRT(en->jit, rt, obj);
    LLVMOrcExecutorAddress addr = 0;
    if (e == NULL) {
        e = LLVMOrcLLJITLookup(en->jit, &addr, name);
        if (e != NULL)
            jx_mod_take_error(e, err, "LLVM link");
    } else {
        jx_mod_take_error(e, err, "LLVM add object");
    }
    if (e != NULL || addr == 0) {
        if (e == NULL)
            jx_err_set(err, JX_ERR_JIT, -1, 0, "LLVM: %s has no address",
                       name);
        LLVMErrorRef e2 = LLVMOrcResourceTrackerRemove(rt);
        if (e2 != NULL)
            LLVMConsumeError(e2);
        LLVMOrcReleaseResourceTracker(rt);
        pthread_mutex_unlock(&en->lock);
        return -1;
    }
    pthread_mutex_unlock(&en->lock);
    out->fn = (jx_kernel_fn)(uintptr_t)addr;
    out->handle = rt;
    return 0;
}

int jx_jit_load(const void *data, size_t size, jx_jit_code *out,
                jx_error *err)
{
    out->fn = NULL;
    out->handle = NULL;
    out->mapped = false;
    pthread_once(&engine_once, engine_init);
    jx_obj_image *img;
    if (engine.objload &&
        jx_obj_load(data, size, JX_ENTRY_TAG, &out->fn, &img, NULL, 0) == 0) {
        out->handle = img;
        out->mapped = true;
        return 0;
    }
    return jx_jit_load_orc(data, size, out, err);
}

int jx_jit_compile(const jx_ir *ir, const char *layout, jx_jit_code *out,
                   jx_error *err)
{
    out->fn = NULL;
    out->handle = NULL;
    jx_jit_object obj;
    if (jx_jit_emit(ir, layout, JX_JIT_FULL, &obj, err) != 0)
        return -1;
    int rc = jx_jit_load(obj.data, obj.size, out, err);
    jx_jit_object_free(&obj);
    return rc;
}

/* jx_jit_compile with the vector functions and choices of tgt (calib.c's
 * measurements). */
static int compile_with(const jx_ir *ir, const char *layout,
                        const jx_cg_target *tgt, jx_jit_code *out,
                        jx_error *err)
{
    out->fn = NULL;
    out->handle = NULL;
    jx_engine *en = engine_get(err, false);
    if (en == NULL)
        return -1;
    char *data;
    size_t size;
    bool quick = false, same_bits;
    if (emit_object(en, ir, layout, tgt, &quick, &same_bits, &data, &size, err) != 0)
        return -1;
    const jx_instr *in = &ir->ins[ir->n - 1];
    const char *fn = math_fn(in->op);
    if (fn != NULL)
        memo_put(ir, layout, jx_mc_use_library(tgt, fn, in->dtype == JX_FLOAT32), same_bits,
                 data, size);
    int rc = jx_jit_load(data, size, out, err);
    free(data);
    return rc;
}

int jx_jit_adopt_choices(const char *text)
{
    pthread_once(&engine_once, engine_init);
    return jx_choice_adopt(text);
}

int jx_jit_adopt_stored(const char *text)
{
    pthread_once(&engine_once, engine_init);
    return jx_choice_adopt_stored(text);
}

void jx_jit_export_choices(jx_buf *b)
{
    pthread_once(&engine_once, engine_init);
    jx_choice_export(b);
}

void jx_jit_choice_counts(uint64_t *measured, uint64_t *stored)
{
    pthread_once(&engine_once, engine_init);
    jx_choice_counts(measured, stored);
}

void jx_jit_release(jx_jit_code *code)
{
    if (code == NULL || code->handle == NULL)
        return;
    if (code->mapped) {
        jx_obj_free(code->handle);
        code->fn = NULL;
        code->handle = NULL;
        code->mapped = false;
        return;
    }
    jx_engine *en = &engine;
    LLVMOrcResourceTrackerRef rt = code->handle;
    pthread_mutex_lock(&en->lock);
    LLVMErrorRef e = LLVMOrcResourceTrackerRemove(rt);
    if (e != NULL)
        LLVMConsumeError(e);
    LLVMOrcReleaseResourceTracker(rt);
    if (++en->releases >= JX_JIT_SWEEP) {
        en->releases = 0;
        LLVMOrcSymbolStringPoolClearDeadEntries(
            LLVMOrcExecutionSessionGetSymbolStringPool(
                LLVMOrcLLJITGetExecutionSession(en->jit)));
    }
    pthread_mutex_unlock(&en->lock);
    code->fn = NULL;
    code->handle = NULL;
}

int jx_jit_explain(const jx_ir *ir, const char *layout, unsigned what,
                   jx_buf *b, jx_error *err)
{
    jx_engine *en = engine_get(err, false);
    if (en == NULL)
        return -1;
    jx_build bd;
    if (jx_mod_build(&bd, &en->host, ir, layout, "jx_kernel", &en->tgt, false, err) != 0)
        return -1;
    if (what & JX_EXPLAIN_LLVM) {
        char *s = LLVMPrintModuleToString(bd.mod);
        jx_buf_append(b, s, strlen(s));
        LLVMDisposeMessage(s);
    }
    if (what & JX_EXPLAIN_ASM) {
        LLVMMemoryBufferRef asm_text;
        if (jx_mod_emit(&bd, LLVMAssemblyFile, &asm_text, err) != 0) {
            jx_mod_dispose(&bd);
            return -1;
        }
        jx_buf_append(b, LLVMGetBufferStart(asm_text),
                      LLVMGetBufferSize(asm_text));
        LLVMDisposeMemoryBuffer(asm_text);
    }
    jx_mod_dispose(&bd);
    if (b->failed) {
        jx_err_set(err, JX_ERR_NOMEM, -1, 0, "out of memory");
        return -1;
    }
    return 0;
}

void jx_jit_describe(jx_buf *b)
{
    pthread_once(&engine_once, engine_init);
    jx_buf_printf(b, "%s", engine.id);
    jx_choice_describe(b);
}
