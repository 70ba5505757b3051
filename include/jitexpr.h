/*
 * jitexpr.h - the public C interface of libjitexpr.
 *
 * An expression string is compiled against a table of variable names and
 * dtypes into a jx_expr; the jx_expr is evaluated over N-D strided arrays
 * with NumPy broadcasting.  Kernels are compiled by LLVM and cached, so
 * compiling the same expression with the same dtypes twice is a lookup.
 *
 * Ownership: every jx_expr returned by jx_compile belongs to the caller,
 * who releases it with jx_expr_free.  Memory returned by the library
 * (jx_eval_new's output data, jx_explain's text) is released with jx_free.
 *
 * Threads: every function may be called from several threads at once.  A
 * jx_expr is immutable once compiled and may be evaluated by several
 * threads at the same time.
 *
 * Errors: functions that can fail take a jx_error *, fill it on failure
 * (code, byte offset and length in the source, message) and return an
 * error value (NULL or JX_ERR_*).  Offsets and lengths count bytes of the
 * UTF-8 source, not characters.  The library never prints, exits or
 * aborts.  err may be NULL when the caller does not want the details.
 */
#ifndef JITEXPR_H
#define JITEXPR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(JX_BUILDING_LIBRARY) && defined(__GNUC__)
#define JX_API __attribute__((visibility("default")))
#else
#define JX_API
#endif

#define JITEXPR_VERSION "0.1.0"

/* Limits, documented: longer sources and deeper nesting are errors. */
#define JX_MAX_SOURCE 65536 /* bytes in an expression */
#define JX_MAX_DEPTH 200    /* nesting of parentheses, calls, operators */
#define JX_MAX_DIMS 32      /* array dimensions (NumPy 1.x's limit) */
#define JX_MAX_VARS 256     /* variables an expression may use */

/* Element types.  The numbering is part of the ABI. */
typedef enum jx_dtype {
    JX_BOOL = 0,
    JX_INT8,
    JX_INT16,
    JX_INT32,
    JX_INT64,
    JX_UINT8,
    JX_UINT16,
    JX_UINT32,
    JX_UINT64,
    JX_FLOAT16,
    JX_FLOAT32,
    JX_FLOAT64,
    JX_COMPLEX64,
    JX_COMPLEX128,
    JX_BYTES,       /* NumPy 'S': byte strings of a fixed itemsize each
                       (jx_var.itemsize); trailing NULs are not part of
                       a value, as in NumPy */
    JX_DTYPE_COUNT,
    JX_DTYPE_INVALID = -1
} jx_dtype;

/* Error codes. */
typedef enum jx_code {
    JX_OK = 0,
    JX_ERR_SYNTAX,    /* malformed expression; offset/length point at it */
    JX_ERR_NAME,      /* unknown variable */
    JX_ERR_FUNCTION,  /* unknown function (the message suggests a name) */
    JX_ERR_ARITY,     /* wrong number of arguments */
    JX_ERR_TYPE,      /* an operator or function does not accept a dtype */
    JX_ERR_VALUE,     /* a literal out of range, a negative integer power */
    JX_ERR_LIMIT,     /* source too long, nesting too deep, too many vars */
    JX_ERR_SHAPE,     /* shapes do not broadcast, wrong output shape */
    JX_ERR_ARG,       /* a bad argument to an API function */
    JX_ERR_NOMEM,     /* out of memory */
    JX_ERR_JIT,       /* LLVM failed (the message says how) */
    JX_ERR_INTERNAL,  /* a bug in jitexpr: please report it */
    JX_ERR_OVERFLOW,  /* a Python integer out of bounds for the type it
                         joins (NumPy 2's OverflowError) */
    JX_ERR_UNSUPPORTED, /* valid Python syntax that the language does not
                           have (and, or, not, x[i], [1, 2], lambda ...);
                           offset/length point at it */
    JX_ERR_ATTRIBUTE  /* an attribute other than .real and .imag (x.foo);
                         offset/length cover the '.' and the name */
} jx_code;

#define JX_MESSAGE_SIZE 256

typedef struct jx_error {
    jx_code code;                   /* JX_OK when nothing failed */
    int64_t offset;                 /* byte offset in the source, or -1 */
    int64_t length;                 /* bytes of source concerned, or 0 */
    char message[JX_MESSAGE_SIZE];  /* one line, no trailing newline */
} jx_error;

/* Names (PEP 3131): a name in an expression is Python's identifier, a
 * character of XID_Start or '_' then characters of XID_Continue, in UTF-8,
 * and it stands for its NFKC form, as in Python: the ligature "\uFB01"
 * (U+FB01) is the name "fi", the micro sign U+00B5 is the Greek mu U+03BC.
 * A jx_var's name is normalised the same way before it is compared, so a
 * caller may give either spelling; when two entries of the table have the
 * same NFKC form, the first one is the variable.  jx_names lists the NFKC
 * forms.  Unicode data: utf8proc's (Unicode 15.0 for utf8proc 2.8). */

/* A variable the expression may use: its name and element type.  A
 * JX_BYTES variable gives its itemsize (bytes per element, 1 or more);
 * for the other dtypes itemsize is 0 (or the dtype's size), so callers
 * that leave it zero keep working.  With
 * JX_VAR_WEAK in flags it is typed like a Python scalar literal (weak, as
 * NumPy 2 types Python scalars): a weak int64 variable added to a float32
 * array gives float32.  The caller then passes a 0-d array of `dtype`.
 * As in NumPy 2, a weak integer value (the variable, or one computed from
 * weak integers and literals, such as -x) must fit the integer type it
 * joins (JX_ERR_OVERFLOW otherwise), and an integer power's weak exponent
 * must not be negative (JX_ERR_VALUE); jx_eval checks both. */
typedef struct jx_var {
    const char *name; /* UTF-8; matched in NFKC form (below) */
    jx_dtype dtype;
    unsigned flags;  /* JX_VAR_* */
    size_t itemsize; /* JX_BYTES: bytes per element; otherwise 0 */
} jx_var;

#define JX_VAR_WEAK 1u

/* An N-D strided array.  Strides are in bytes and may be negative or zero.
 * ndim == 0 is a scalar.  data may be unaligned.  The elements of a
 * JX_BYTES array have the itemsize its variable was compiled with. */
typedef struct jx_array {
    void *data;
    jx_dtype dtype;
    int ndim;
    int64_t shape[JX_MAX_DIMS];
    int64_t strides[JX_MAX_DIMS];
} jx_array;

typedef struct jx_expr jx_expr; /* opaque, immutable compiled expression */

/* Compile flags. */
#define JX_FLAG_NO_CACHE 1u /* compile afresh, do not use the kernel cache */

/* Compiles src against vars[0..nvars-1].  Returns NULL on failure. */
JX_API jx_expr *jx_compile(const char *src, const jx_var *vars, int nvars,
                           unsigned flags, jx_error *err);
JX_API void jx_expr_free(jx_expr *e);

/* The dtype of the result. */
JX_API jx_dtype jx_expr_dtype(const jx_expr *e);
/* Bytes per element of the result: for a JX_BYTES result its itemsize
 * (a copy of a string, or where() of strings: the largest of its
 * operands' itemsizes; shorter values are padded with NUL bytes), else
 * jx_dtype_size of the result dtype.  An out array given to jx_eval for a
 * JX_BYTES result must have elements of this many bytes. */
JX_API size_t jx_expr_itemsize(const jx_expr *e);
/* The variables the expression uses, in order of first use: count, and the
 * index into the vars table given to jx_compile of the i-th one. */
JX_API int jx_expr_nused(const jx_expr *e);
JX_API int jx_expr_used(const jx_expr *e, int i);
/* Canonical text of the typed IR (owned by e). */
JX_API const char *jx_expr_ir(const jx_expr *e);

/* The shape jx_eval's output must have for these inputs (the broadcast
 * shape, less the reduced axis of a reduction).  Returns 0, or -1 with
 * *err set (JX_ERR_SHAPE, JX_ERR_TYPE, JX_ERR_ARG).  A broadcast of more
 * than 2**63 - 1 elements, or a result whose bytes would not fit in an
 * int64, is JX_ERR_SHAPE here and in jx_eval: the shape it returns can be
 * allocated without overflow. */
JX_API int jx_expr_result_shape(const jx_expr *e, const jx_array *inputs,
                                int *ndim, int64_t shape[JX_MAX_DIMS],
                                jx_error *err);

/* The variable names src uses (not function names), in order of first
 * use, each NUL-terminated, the list ending with an empty string:
 * "a\0b\0\0".  Release with jx_free.  NULL with *err set when src does
 * not parse. */
JX_API char *jx_names(const char *src, jx_error *err);

/* The NFKC form of the UTF-8 text name[0..n-1], as jx_compile matches
 * names: NUL-terminated, released with jx_free; NULL when name is not UTF-8
 * or memory is short. */
JX_API char *jx_name_normalize(const char *name, size_t n);

/* Evaluates e.  inputs has one entry per variable of the vars table given
 * to jx_compile, in the same order; entries of variables the expression
 * does not use are ignored.  Each used input must have the dtype it was
 * compiled with.  Inputs broadcast as in NumPy.
 *
 * jx_eval writes into *out, which the caller has set up with the
 * broadcast shape and the result dtype.  out may overlap the inputs.
 *
 * jx_eval_new allocates the output (C order, 64-byte aligned) and fills
 * *out; the caller releases out->data with jx_free. */
JX_API int jx_eval(const jx_expr *e, const jx_array *inputs, jx_array *out,
                   jx_error *err);
JX_API int jx_eval_new(const jx_expr *e, const jx_array *inputs,
                       jx_array *out, jx_error *err);

/* Explain: returns text to release with jx_free, or NULL on failure.
 * what is a mask of the JX_EXPLAIN_* parts. */
#define JX_EXPLAIN_AST 1u  /* the parse tree */
#define JX_EXPLAIN_IR 2u   /* the typed IR */
#define JX_EXPLAIN_LLVM 4u /* LLVM IR of the contiguous kernel, optimised */
#define JX_EXPLAIN_ASM 8u  /* its machine code */
#define JX_EXPLAIN_ALL 15u
JX_API char *jx_explain(const char *src, const jx_var *vars, int nvars,
                        unsigned what, jx_error *err);

/* The typed syntax tree of an expression, for programs that inspect it
 * (the numexpr shim's necompiler walks it to find indexable comparisons).
 * It is the tree the compiler types: names bound to vars, literals and
 * folded constants with their dtypes, and the conversions that promotion
 * inserts (JX_TREE_CAST).  jx_tree returns count nodes in one block to
 * release with jx_free, children before their parents, the root last
 * (nodes[*count - 1]); NULL with *err set when src does not compile
 * against vars (the same errors as jx_compile before code generation). */
#define JX_TREE_MAX_ARGS 8

typedef enum jx_tree_kind {
    JX_TREE_VARIABLE = 0, /* a name: name, var */
    JX_TREE_CONSTANT,     /* a literal or a folded constant: value */
    JX_TREE_OPERATOR,     /* an operator: a + b, -a, a < b */
    JX_TREE_FUNCTION,     /* a call: sin(a), where(c, a, b), sum(a, axis=1) */
    JX_TREE_CAST          /* args[0] converted to dtype: float32(a), or
                             inserted by promotion (a + b of int32, float64) */
} jx_tree_kind;

typedef struct jx_tree_node {
    jx_tree_kind kind;
    jx_dtype dtype;          /* the node's type */
    size_t itemsize;         /* JX_BYTES: bytes per element; otherwise 0 */
    int weak;                /* 1: typed as a Python scalar (a literal) */
    const char *op;          /* OPERATOR, FUNCTION: the operator table's
                                mnemonic ("add", "sin"; jx_op_describe) */
    const char *spelling;    /* OPERATOR: its symbol ("+"); FUNCTION: its
                                name; CAST: the dtype's name */
    int nargs;               /* operands: indices of earlier nodes */
    int args[JX_TREE_MAX_ARGS];
    const char *name;        /* VARIABLE: its name, NUL-terminated */
    int var;                 /* VARIABLE: its index in vars */
    union {
        int64_t i;           /* signed integer constants */
        uint64_t u;          /* bool (0, 1) and unsigned constants */
        double f;            /* float constants; complex: the real part */
    } value;                 /* CONSTANT */
    double imag;             /* CONSTANT of a complex type: imaginary part */
    const char *bytes;       /* CONSTANT of JX_BYTES: itemsize bytes */
    int has_axis;            /* a reduction given an axis, */
    int axis;                /*   which (may be negative) */
    int64_t offset;          /* the span of the node in src, in bytes */
    int64_t length;
} jx_tree_node;

JX_API jx_tree_node *jx_tree(const char *src, const jx_var *vars, int nvars,
                             int *count, jx_error *err);

/* The operator table: every operator and function of the language, one
 * entry per index 0 .. jx_op_count() - 1 (the order may change between
 * releases; the mnemonic is the stable key). */
typedef enum jx_syntax_kind {
    JX_SYNTAX_BINARY = 0,   /* a op b */
    JX_SYNTAX_UNARY,        /* op a */
    JX_SYNTAX_CALL          /* name(a, ...) */
} jx_syntax_kind;

typedef struct jx_op_desc {
    const char *mnemonic;   /* the name in the IR and in jx_tree ("add") */
    const char *spelling;   /* the symbol or function name in source ("+") */
    jx_syntax_kind syntax;
    int arity;              /* operands */
} jx_op_desc;

JX_API int jx_op_count(void);
/* Fills *d for entry i; returns 0, or -1 for an index out of range. */
JX_API int jx_op_describe(int i, jx_op_desc *d);

/* Releases memory the library returned. */
JX_API void jx_free(void *p);

/* Dtype names as NumPy spells them ("float64"; JX_BYTES is "bytes");
 * jx_dtype_from_name returns JX_DTYPE_INVALID for an unknown name.
 * jx_dtype_size: itemsize in bytes, 0 for JX_BYTES (its itemsize is per
 * variable). */
JX_API const char *jx_dtype_name(jx_dtype t);
JX_API jx_dtype jx_dtype_from_name(const char *name);
JX_API size_t jx_dtype_size(jx_dtype t);
/* NumPy's promotion of two dtypes (np.result_type); JX_BYTES promotes
 * only with itself (JX_DTYPE_INVALID otherwise). */
JX_API jx_dtype jx_dtype_promote(jx_dtype a, jx_dtype b);

/* A short name for an error code ("syntax error"). */
JX_API const char *jx_code_name(jx_code code);

/* Cache statistics: kernels compiled by LLVM, and cache hits (in this
 * process, since it started). */
typedef struct jx_stats {
    uint64_t kernels_compiled; /* LLVM compilations since start */
    uint64_t cache_hits;       /* compilations answered by the cache */
    uint64_t cache_entries;    /* kernels held now */
    uint64_t disk_hits;        /* kernels loaded from the disk cache */
    uint64_t disk_misses;      /* looked for on disk, not found or not usable */
    uint64_t disk_writes;      /* kernel files written */
    uint64_t disk_rejected;    /* files ignored: corrupt, truncated, another
                                  format or key (then replaced) */
    uint64_t disk_unavailable; /* times the directory could not be used
                                  (not created, not writable): cache off */
    uint64_t kernels_quick;    /* of kernels_compiled, those compiled in the
                                  quick tier first (jx_set_tier) */
    uint64_t kernels_upgraded; /* quick kernels since given their
                                  optimised code */
    uint64_t calibrations;     /* math functions timed in this process, ours
                                  against the vector library's (two
                                  compilations each) */
    uint64_t choices_loaded;   /* math choices taken from the disk cache's
                                  stored ones (an earlier process timed
                                  them): timings saved */
    uint64_t choices_writes;   /* stored math choices files written */
    uint64_t kernels_interpreted; /* kernels that started interpreted (not
                                  compiled: jx_set_tier), of those kept */
} jx_stats;
JX_API void jx_get_stats(jx_stats *st);

/* The disk cache of compiled kernels (on by default): object code kept
 * across processes in $JITEXPR_CACHE_DIR, else $XDG_CACHE_HOME/jitexpr,
 * else ~/.cache/jitexpr; JITEXPR_CACHE_DIR=off turns it off, and it is
 * off when the directory cannot be created or written.  Its size limit is
 * JITEXPR_CACHE_SIZE bytes (a K, M or G suffix allowed), default 256 MiB;
 * least recently used files go first.  JX_FLAG_NO_CACHE skips it too.
 *
 * jx_set_cache_dir: use dir (created if missing), or turn the cache off
 * with NULL or "off".  Returns 0 when the cache is on in dir, -1 when off
 * (asked for, or dir unusable).  jx_set_cache_size: the limit in bytes
 * (0: the default); files over it are deleted at once.  Returns 0, or -1
 * when the cache is off (the limit is kept). */
JX_API int jx_set_cache_dir(const char *dir);
JX_API int jx_set_cache_size(uint64_t bytes);

typedef struct jx_cache_info {
    char dir[4096];      /* the directory ("" when none could be chosen) */
    int enabled;         /* the disk cache is on */
    uint64_t size_limit; /* bytes */
    uint64_t bytes;      /* kernel files' total size now */
    uint64_t files;      /* kernel files now */
} jx_cache_info;
/* The disk cache's state (a scan of the directory). */
JX_API void jx_get_cache_info(jx_cache_info *info);
/* A new kernel whose every operation the library can interpret with
 * the compiled code's results (arithmetic, comparisons, logic, where and
 * exact conversions over bool, integers, float32 and float64) starts
 * interpreted, with no compile; any other starts as code compiled quickly
 * where that gives the same results (about a fifth of the compile time,
 * several times slower per element).  Its optimised code is compiled by
 * the call that finds the time spent interpreting or in the quick code
 * (that call's estimate included) has reached the optimised compile's
 * estimated time; a call on a large array does at once.  jx_set_tier:
 * "auto" (that, the default), "full" (every kernel optimised before its
 * first run), "quick" (quick code, never optimised), "compiled" (auto
 * without the interpreter), "interp" (interpreted where it can, else
 * quick code; never optimised); the last three for tests and
 * comparisons.  JITEXPR_TIER sets the start.  Returns 0, or -1 for
 * another word.  jx_get_tier: the mode's word. */
JX_API int jx_set_tier(const char *mode);
JX_API const char *jx_get_tier(void);
/* Empties the in-memory cache (kernels in use live on) and deletes the
 * disk cache's files, the stored math choices too.  Returns the number of
 * kernel (and temporary) files deleted (0 when the disk cache is off). */
JX_API long jx_clear_cache(void);
/* Beside the kernels the disk cache keeps, per target (jx_target_info's
 * first line), which implementation of each math function that has two
 * an earlier process measured to be faster on this machine, so that no
 * later process times it again (jx_stats.calibrations, choices_loaded).
 * jx_stored_choices: those for this process's target, one line each,
 * "sin/64=own 0.4 0.5" (function as libm names it, bits, ours or the
 * library's, then ns/element of ours and of the library's, or "- -" when
 * taken from a stored kernel), as text to release with jx_free; "" when
 * none are stored; NULL when the disk cache is off (or out of memory). */
JX_API char *jx_stored_choices(void);

/* Threads.  Evaluation splits large arrays over a pool of threads (the
 * caller's thread works too).  jx_set_num_threads returns the previous
 * count, or -1 for n < 1; n is capped at jx_max_threads().  The default
 * is jx_detect_cores(), or the first of JITEXPR_NUM_THREADS,
 * NUMEXPR_NUM_THREADS, OMP_NUM_THREADS that is set. */
JX_API int jx_set_num_threads(int n);
JX_API int jx_get_num_threads(void);
/* CPUs this process may run on (affinity mask and cgroup CPU quota). */
JX_API int jx_detect_cores(void);
/* The most threads: NUMEXPR_MAX_THREADS if set, else a fixed cap. */
JX_API int jx_max_threads(void);

JX_API const char *jx_version(void);

/* What kernels are compiled for, as text to release with jx_free (NULL
 * when out of memory): the first line the target (LLVM version, CPU, its
 * features, the vector math libraries), then one line per math function
 * and precision whose implementation was chosen so far in this process,
 * ours (jit/vmath.c) or the library's, and what chose it: timing here,
 * "log float64: ours (measured: ours 0.41, library 0.98 ns/element)",
 * an earlier process's timing ("stored: measured by an earlier process:
 * ..."), a stored kernel ("as a stored kernel") or JITEXPR_MATHLIB;
 * then two lines starting "run: ": how an evaluation chooses to run
 * inline or on threads and in which vector width, and what the timings
 * chose so far. */
JX_API char *jx_target_info(void);

#ifdef __cplusplus
}
#endif
#endif /* JITEXPR_H */
