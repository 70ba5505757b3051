/* ops.h - the operator set: one row per operator or function.
 *
 * Every part of the compiler reads this table: the parser (operator
 * spellings), the type pass (rule, accepted kinds, arity), the code
 * generator (lowering), explain, the docs and the tests.
 *
 * Columns:
 *   id      enum suffix: JX_OP_<id>
 *   mnem    mnemonic in IR text
 *   spell   spelling in the source: operator symbol or function name
 *   syn     OPB binary operator, OPU unary operator, FN function call
 *   arity   number of operands
 *   rule    type rule, JX_R_<rule> (sema.c)
 *   kinds   accepted kinds of the operand type after promotion
 *   low     lowering, JX_L_<low>: INLINE (a case in jit/scalar.c, complex.c, ...),
 *           INTRIN (LLVM intrinsic `fn`, overloaded on the float type),
 *           LIBM (libm function `fn`, `fn`f for float32)
 *   fn      intrinsic or libm name, or NULL
 *   cx      how a complex operand is lowered, JX_CX_<cx>: INLINE (jit/complex.c
 *           writes it out, or jit/loops.c: where, copy, ones_like; reductions
 *           in their accumulators; power: sema.c makes it POW first), CALL (a
 *           call of jit/cmath.c's helper, the symbol "jx_cm_" mnem), NONE (no
 *           complex operand: then kinds must not hold JX_C, and the other two
 *           need it; ops.c checks that at compile time)
 *   ci cf cc  work per element of an instruction whose result is a bool or
 *           integer (ci), a float (cf) or a complex (cc), relative to one
 *           load or one add: what a vector loop spends on it, roughly, as
 *           measured on the development machine (docs/threads.md); src/ir.c
 *           adds them up to decide when threads pay.  A C library call on
 *           one element (complex functions and powers) is 40, a libm call
 *           with vector variants 14.
 * The C library functions that INLINE and INTRIN lowerings call are
 * JX_LIBCALLS, below.
 */
#ifndef JX_OPS_H
#define JX_OPS_H

#include <stdbool.h>

#include "dtype.h"
#include "value.h"

#define JX_B JX_KIND_BOOL
#define JX_I JX_KINDS_INTEGER
#define JX_F JX_KIND_FLOAT
#define JX_C JX_KIND_COMPLEX
#define JX_S JX_KIND_BYTES

/*    id          mnem          spell         syn  ar rule       kinds                low     fn                cx       ci  cf  cc */
#define JX_OPS(X) \
    X(POS,        "pos",        "+",          OPU, 1, SAME,      JX_B|JX_I|JX_F|JX_C, INLINE, NULL,             INLINE,  1,  1,  1) \
    X(NEG,        "neg",        "-",          OPU, 1, SAME,      JX_I|JX_F|JX_C,      INLINE, NULL,             INLINE,  1,  1,  1) \
    X(INVERT,     "invert",     "~",          OPU, 1, SAME,      JX_B|JX_I,           INLINE, NULL,             NONE,    1,  1,  1) \
    X(ADD,        "add",        "+",          OPB, 2, ARITH,     JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(SUB,        "sub",        "-",          OPB, 2, ARITH,     JX_I|JX_F|JX_C,      INLINE, NULL,             INLINE,  1,  1,  1) \
    X(MUL,        "mul",        "*",          OPB, 2, ARITH,     JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(DIV,        "div",        "/",          OPB, 2, TRUEDIV,   JX_KINDS_ALL,        INLINE, NULL,             INLINE,  2,  2, 10) \
    X(FLOORDIV,   "floordiv",   "//",         OPB, 2, BOOL8,     JX_B|JX_I|JX_F,      INLINE, NULL,             NONE,    4,  6,  4) \
    X(MOD,        "mod",        "%",          OPB, 2, BOOL8,     JX_B|JX_I|JX_F,      INLINE, NULL,             NONE,    4,  6,  4) \
    X(POW,        "pow",        "**",         OPB, 2, BOOL8,     JX_I|JX_F|JX_C,      INLINE, NULL,             CALL,    4, 14, 40) \
    X(LT,         "lt",         "<",          OPB, 2, CMP,       JX_KINDS_ALL|JX_S,   INLINE, NULL,             INLINE,  1,  1,  1) \
    X(LE,         "le",         "<=",         OPB, 2, CMP,       JX_KINDS_ALL|JX_S,   INLINE, NULL,             INLINE,  1,  1,  1) \
    X(EQ,         "eq",         "==",         OPB, 2, CMP,       JX_KINDS_ALL|JX_S,   INLINE, NULL,             INLINE,  1,  1,  1) \
    X(NE,         "ne",         "!=",         OPB, 2, CMP,       JX_KINDS_ALL|JX_S,   INLINE, NULL,             INLINE,  1,  1,  1) \
    X(GE,         "ge",         ">=",         OPB, 2, CMP,       JX_KINDS_ALL|JX_S,   INLINE, NULL,             INLINE,  1,  1,  1) \
    X(GT,         "gt",         ">",          OPB, 2, CMP,       JX_KINDS_ALL|JX_S,   INLINE, NULL,             INLINE,  1,  1,  1) \
    X(AND,        "and",        "&",          OPB, 2, ARITH,     JX_B|JX_I,           INLINE, NULL,             NONE,    1,  1,  1) \
    X(OR,         "or",         "|",          OPB, 2, ARITH,     JX_B|JX_I,           INLINE, NULL,             NONE,    1,  1,  1) \
    X(XOR,        "xor",        "^",          OPB, 2, ARITH,     JX_B|JX_I,           INLINE, NULL,             NONE,    1,  1,  1) \
    X(SHL,        "shl",        "<<",         OPB, 2, BOOL8,     JX_I,                INLINE, NULL,             NONE,    1,  1,  1) \
    X(SHR,        "shr",        ">>",         OPB, 2, BOOL8,     JX_I,                INLINE, NULL,             NONE,    1,  1,  1) \
    X(WHERE,      "where",      "where",      FN,  3, WHERE,     JX_KINDS_ALL|JX_S,   INLINE, NULL,             INLINE,  1,  1,  1) \
    X(CONTAINS,   "contains",   "contains",   FN,  2, BYTESFN,   JX_S,                INLINE, NULL,             NONE,    1,  1,  1) \
    X(ABS,        "abs",        "abs",        FN,  1, PART,      JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(REAL,       "real",       "real",       FN,  1, PART,      JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(IMAG,       "imag",       "imag",       FN,  1, PART,      JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(CONJ,       "conj",       "conj",       FN,  1, BOOL8,     JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(COMPLEX,    "complex",    "complex",    FN,  2, COMPLEX,   JX_B|JX_I|JX_F,      INLINE, NULL,             NONE,    1,  1,  1) \
    X(ANGLE,      "angle",      "angle",      FN,  1, ANGLE,     JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(SQRT,       "sqrt",       "sqrt",       FN,  1, FLOATFN,   JX_F|JX_C,           INTRIN, "llvm.sqrt",      CALL,    2,  2, 40) \
    X(EXP,        "exp",        "exp",        FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "exp",            INLINE, 14, 14, 40) \
    X(LOG,        "log",        "log",        FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "log",            CALL,   14, 14, 40) \
    X(SIN,        "sin",        "sin",        FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "sin",            CALL,   14, 14, 40) \
    X(COS,        "cos",        "cos",        FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "cos",            CALL,   14, 14, 40) \
    X(TAN,        "tan",        "tan",        FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "tan",            CALL,   14, 14, 40) \
    X(ARCSIN,     "arcsin",     "arcsin",     FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "asin",           CALL,   14, 14, 40) \
    X(ARCCOS,     "arccos",     "arccos",     FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "acos",           CALL,   14, 14, 40) \
    X(ARCTAN,     "arctan",     "arctan",     FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "atan",           CALL,   14, 14, 40) \
    X(SINH,       "sinh",       "sinh",       FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "sinh",           CALL,   14, 14, 40) \
    X(COSH,       "cosh",       "cosh",       FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "cosh",           CALL,   14, 14, 40) \
    X(TANH,       "tanh",       "tanh",       FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "tanh",           CALL,   14, 14, 40) \
    X(ARCSINH,    "arcsinh",    "arcsinh",    FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "asinh",          CALL,   14, 14, 40) \
    X(ARCCOSH,    "arccosh",    "arccosh",    FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "acosh",          CALL,   14, 14, 40) \
    X(ARCTANH,    "arctanh",    "arctanh",    FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "atanh",          CALL,   14, 14, 40) \
    X(EXP2,       "exp2",       "exp2",       FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "exp2",           INLINE, 14, 14, 40) \
    X(EXPM1,      "expm1",      "expm1",      FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "expm1",          INLINE, 14, 14, 40) \
    X(LOG2,       "log2",       "log2",       FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "log2",           CALL,   14, 14, 40) \
    X(LOG10,      "log10",      "log10",      FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "log10",          CALL,   14, 14, 40) \
    X(LOG1P,      "log1p",      "log1p",      FN,  1, FLOATFN,   JX_F|JX_C,           LIBM,   "log1p",          CALL,   14, 14, 40) \
    X(CBRT,       "cbrt",       "cbrt",       FN,  1, FLOATFN,   JX_F,                LIBM,   "cbrt",           NONE,   14, 14, 40) \
    X(ERF,        "erf",        "erf",        FN,  1, FLOATFN,   JX_F,                LIBM,   "erf",            NONE,   14, 14, 40) \
    X(ERFC,       "erfc",       "erfc",       FN,  1, FLOATFN,   JX_F,                LIBM,   "erfc",           NONE,   14, 14, 40) \
    X(ARCTAN2,    "arctan2",    "arctan2",    FN,  2, FLOATFN,   JX_F,                LIBM,   "atan2",          NONE,   14, 14, 40) \
    X(HYPOT,      "hypot",      "hypot",      FN,  2, FLOATFN,   JX_F,                LIBM,   "hypot",          NONE,   14, 14, 40) \
    X(POWER,      "power",      "power",      FN,  2, BOOL8,     JX_I|JX_F|JX_C,      INLINE, NULL,             INLINE,  1,  1,  1) \
    X(FMOD,       "fmod",       "fmod",       FN,  2, BOOL8,     JX_I|JX_F,           INLINE, NULL,             NONE,    4, 14,  4) \
    X(SIGN,       "sign",       "sign",       FN,  1, SAME,      JX_I|JX_F,           INLINE, NULL,             NONE,    1,  1,  1) \
    X(SQUARE,     "square",     "square",     FN,  1, BOOL8,     JX_I|JX_F|JX_C,      INLINE, NULL,             INLINE,  1,  1,  1) \
    X(RECIP,      "reciprocal", "reciprocal", FN,  1, BOOL8,     JX_I|JX_F|JX_C,      INLINE, NULL,             INLINE,  1,  1,  1) \
    X(FLOOR,      "floor",      "floor",      FN,  1, FLOATFN,   JX_F,                INTRIN, "llvm.floor",     NONE,    1,  1, 40) \
    X(CEIL,       "ceil",       "ceil",       FN,  1, FLOATFN,   JX_F,                INTRIN, "llvm.ceil",      NONE,    1,  1, 40) \
    X(TRUNC,      "trunc",      "trunc",      FN,  1, FLOATFN,   JX_F,                INTRIN, "llvm.trunc",     NONE,    1,  1, 40) \
    X(RINT,       "rint",       "rint",       FN,  1, FLOATFN,   JX_F|JX_C,           INTRIN, "llvm.roundeven", INLINE,  1,  1, 40) \
    X(ROUND,      "round",      "round",      FN,  1, SAME,      JX_I|JX_F|JX_C,      INLINE, NULL,             INLINE,  1,  1,  1) \
    X(COPYSIGN,   "copysign",   "copysign",   FN,  2, FLOATFN,   JX_F,                INTRIN, "llvm.copysign",  NONE,    1,  1, 40) \
    X(NEXTAFTER,  "nextafter",  "nextafter",  FN,  2, FLOATFN,   JX_F,                INLINE, NULL,             NONE,    1,  1, 40) \
    X(SIGNBIT,    "signbit",    "signbit",    FN,  1, FLOATPRED, JX_F,                INLINE, NULL,             NONE,    1,  1,  1) \
    X(ISNAN,      "isnan",      "isnan",      FN,  1, PRED,      JX_B|JX_I|JX_F|JX_C, INLINE, NULL,             INLINE,  1,  1,  1) \
    X(ISINF,      "isinf",      "isinf",      FN,  1, PRED,      JX_B|JX_I|JX_F|JX_C, INLINE, NULL,             INLINE,  1,  1,  1) \
    X(ISFINITE,   "isfinite",   "isfinite",   FN,  1, PRED,      JX_B|JX_I|JX_F|JX_C, INLINE, NULL,             INLINE,  1,  1,  1) \
    X(MAXIMUM,    "maximum",    "maximum",    FN,  2, ARITH,     JX_B|JX_I|JX_F|JX_C, INLINE, NULL,             INLINE,  1,  1,  1) \
    X(MINIMUM,    "minimum",    "minimum",    FN,  2, ARITH,     JX_B|JX_I|JX_F|JX_C, INLINE, NULL,             INLINE,  1,  1,  1) \
    X(FMAX,       "fmax",       "fmax",       FN,  2, ARITH,     JX_B|JX_I|JX_F|JX_C, INLINE, NULL,             INLINE,  1,  1,  1) \
    X(FMIN,       "fmin",       "fmin",       FN,  2, ARITH,     JX_B|JX_I|JX_F|JX_C, INLINE, NULL,             INLINE,  1,  1,  1) \
    X(CLIP,       "clip",       "clip",       FN,  3, ARITH,     JX_B|JX_I|JX_F,      INLINE, NULL,             NONE,    1,  1,  1) \
    X(DEG2RAD,    "deg2rad",    "deg2rad",    FN,  1, FLOATFN,   JX_F,                INLINE, NULL,             NONE,    1,  1, 40) \
    X(RAD2DEG,    "rad2deg",    "rad2deg",    FN,  1, FLOATFN,   JX_F,                INLINE, NULL,             NONE,    1,  1, 40) \
    X(LOGADDEXP,  "logaddexp",  "logaddexp",  FN,  2, FLOATFN,   JX_F,                INLINE, NULL,             NONE,   30, 30, 40) \
    X(LOGADDEXP2, "logaddexp2", "logaddexp2", FN,  2, FLOATFN,   JX_F,                INLINE, NULL,             NONE,   30, 30, 40) \
    X(HEAVISIDE,  "heaviside",  "heaviside",  FN,  2, FLOATFN,   JX_F,                INLINE, NULL,             NONE,    1,  1, 40) \
    X(COPY,       "copy",       "copy",       FN,  1, SAME,      JX_KINDS_ALL|JX_S,   INLINE, NULL,             INLINE,  1,  1,  1) \
    X(ONES_LIKE,  "ones_like",  "ones_like",  FN,  1, SAME,      JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(SUM,        "sum",        "sum",        FN,  1, REDUCE,    JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(PROD,       "prod",       "prod",       FN,  1, REDUCE,    JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(MIN,        "min",        "min",        FN,  1, REDUCE,    JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(MAX,        "max",        "max",        FN,  1, REDUCE,    JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(ANY,        "any",        "any",        FN,  1, REDUCE,    JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(ALL,        "all",        "all",        FN,  1, REDUCE,    JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1) \
    X(MEAN,       "mean",       "mean",       FN,  1, REDUCE,    JX_KINDS_ALL,        INLINE, NULL,             INLINE,  1,  1,  1)

/* The C library functions that INLINE and INTRIN lowerings reach,
 * besides the LIBM rows' fn.  Kernels call each as fn (double) and fn "f"
 * (float); jit/mathcall.c lists them for the engine to define in the JIT
 * (jx_cg_runtime_symbols).
 *   op    the op whose lowering calls it (others may too: see the comment)
 *   fn    its name in the C library
 *   how   VEC: called as the LIBM rows' functions are (jx_mc_libm_call):
 *         with libmvec's vector variants, or vmath.c's kernel where it has
 *         one, the engine choosing by timing both (calib.c); its name in
 *         JITEXPR_MATHLIB and jx_jit_describe is fn.  LLVM: a call that
 *         LLVM itself emits for an instruction or intrinsic. */
#define JX_LIBCALLS(X) \
    X(POW,   "pow",       VEC)  /* a ** b of floats (jit/scalar.c) */          \
    X(FMOD,  "fmod",      LLVM) /* frem: fmod, and % and // of floats */      \
    X(FLOOR, "floor",     LLVM) /* llvm.floor without SSE4.1: floor, // */    \
    X(CEIL,  "ceil",      LLVM) /* llvm.ceil without SSE4.1 */                \
    X(TRUNC, "trunc",     LLVM) /* llvm.trunc without SSE4.1 */               \
    X(RINT,  "roundeven", LLVM) /* llvm.roundeven without SSE4.1: rint, round */

typedef enum jx_op {
#define JX_OP_ENUM(id, mnem, spell, syn, ar, rule, kinds, low, fn, cx, ci, cf, cc) \
    JX_OP_##id,
    JX_OPS(JX_OP_ENUM)
#undef JX_OP_ENUM
    JX_OP_COUNT
} jx_op;

/* Each op's arity as a constant expression, JX_OP_ARITY_<id>, for static
 * tables (jit/mathcall.c). */
enum {
#define JX_OP_ARITY_ENUM(id, mnem, spell, syn, ar, rule, kinds, low, fn, cx, ci, cf, cc) \
    JX_OP_ARITY_##id = ar,
    JX_OPS(JX_OP_ARITY_ENUM)
#undef JX_OP_ARITY_ENUM
};

typedef enum jx_syntax { JX_SYN_OPB, JX_SYN_OPU, JX_SYN_FN } jx_syntax;

/* Type rules (sema.c):
 *   SAME     result has the operand's type (weak stays weak)
 *   ARITH    operands promoted together; result is that type
 *   TRUEDIV  as ARITH, but bool and integers give float64
 *   CMP      operands promoted together; result bool
 *   BOOL8    as ARITH, but two bools become int8 (NumPy: True//True
 *            is int8)
 *   FLOATFN  operand promoted to a float (jx_dtype_to_float); result too
 *            (a complex operand keeps its type: the complex function)
 *   WHERE    first operand to bool; the other two promoted together
 *   REDUCE   a reduction over the whole array or one axis (sum(x, axis=1)):
 *            only as the outermost operation; result and accumulator
 *            types as NumPy's (jx_sema_reduce_types)
 *   PRED     a test of the operand's value in its own type (isnan); result
 *            bool
 *   FLOATPRED as PRED, on the operand promoted to a float (signbit)
 *   PART     as SAME, but a complex operand gives the float type of its
 *            parts (abs, real, imag: complex64 -> float32)
 *   COMPLEX  complex(a, b): both operands float64, result complex128 (as
 *            numexpr, whatever the operands' types)
 *   ANGLE    as FLOATFN, but a complex operand gives its parts' type
 *   BYTESFN  operands byte strings, of any itemsizes; result bool
 * Byte strings (JX_S) are never promoted or cast: an op whose kinds hold
 * JX_S takes them when every operand is one (CMP compares them as NumPy
 * does; SAME, copy(s), gives the value), WHERE takes them as its two
 * values (the result has the larger itemsize), and any other mix of a
 * string and a number is a type error.  Unary + takes bools (numexpr
 * returns +b unchanged, where NumPy refuses). */
typedef enum jx_rule {
    JX_R_SAME, JX_R_ARITH, JX_R_TRUEDIV, JX_R_CMP, JX_R_BOOL8, JX_R_FLOATFN,
    JX_R_WHERE, JX_R_REDUCE, JX_R_PRED, JX_R_FLOATPRED, JX_R_PART,
    JX_R_COMPLEX, JX_R_ANGLE, JX_R_BYTESFN
} jx_rule;

typedef enum jx_lower { JX_L_INLINE, JX_L_INTRIN, JX_L_LIBM } jx_lower;

/* How a complex operand is lowered (the cx column). */
typedef enum jx_cx_lower { JX_CX_NONE, JX_CX_INLINE, JX_CX_CALL } jx_cx_lower;

typedef struct jx_opinfo {
    const char *mnem;   /* IR mnemonic */
    const char *spell;  /* source spelling */
    jx_syntax syn;
    int arity;
    jx_rule rule;
    unsigned kinds;     /* jx_kind mask */
    jx_lower low;
    const char *fn;     /* intrinsic or libm name, or NULL */
    jx_cx_lower cx;     /* how a complex operand is lowered */
    int cost[3];        /* work per element of a bool or integer, float,
                           complex result (jx_ops_cost) */
} jx_opinfo;

/* The table, indexed by jx_op (ops.c). */
JX_INTERNAL extern const jx_opinfo jx_ops[JX_OP_COUNT];

/* The cost column of op for a result of kind k (jx_kind). */
JX_INTERNAL int jx_ops_cost(int op, jx_kind k);

/* How a JX_LIBCALLS function is called (its how column). */
typedef enum jx_libcall_how { JX_LC_VEC, JX_LC_LLVM } jx_libcall_how;

typedef struct jx_libcall {
    int op;             /* the op whose lowering calls it */
    const char *fn;     /* C library name ("pow"; "powf" for float) */
    jx_libcall_how how; /* with vector variants, or emitted by LLVM */
} jx_libcall;

enum {
#define JX_LC_COUNT_ROW(op, fn, how) +1
    JX_LIBCALL_COUNT = 0 JX_LIBCALLS(JX_LC_COUNT_ROW)
#undef JX_LC_COUNT_ROW
};

/* The JX_LIBCALLS rows, in order (ops.c). */
JX_INTERNAL extern const jx_libcall jx_libcalls[JX_LIBCALL_COUNT];

/* The first JX_LIBCALLS row of op, or NULL. */
JX_INTERNAL const jx_libcall *jx_ops_libcall(int op);

/* Reductions (the REDUCE rows): the value an accumulation starts from and
 * how two accumulators combine.  src/reduce.c (in C: the partials, the
 * accumulators of a count of 0 and of the 'A' kernels, the result) and
 * jit/loops.c (in LLVM IR: the kernels) both read this, so they cannot
 * drift apart.
 *   op     the REDUCE row
 *   start  the identity, JX_RS_<start>: ZERO, ONE (complex: 1+0j), TOP (the
 *          accumulator type's largest value: +inf, inf+infj, the largest
 *          integer, true), BOTTOM (its smallest)
 *   comb   JX_RC_<comb>: ADD, MUL (complex: NumPy's multiply), MIN, MAX
 *          (floats: a NaN wins, as np.min; complex: NumPy's lexicographic
 *          order, the first value with a NaN part wins), OR, AND (bools)
 *   mean   1: the result is the accumulator divided by the count */
#define JX_REDUCES(X) \
    X(SUM,  ZERO,   ADD, 0) \
    X(PROD, ONE,    MUL, 0) \
    X(MIN,  TOP,    MIN, 0) \
    X(MAX,  BOTTOM, MAX, 0) \
    X(ANY,  ZERO,   OR,  0) \
    X(ALL,  ONE,    AND, 0) \
    X(MEAN, ZERO,   ADD, 1)

typedef enum jx_reduce_start {
    JX_RS_ZERO, JX_RS_ONE, JX_RS_TOP, JX_RS_BOTTOM
} jx_reduce_start;

typedef enum jx_reduce_comb {
    JX_RC_ADD, JX_RC_MUL, JX_RC_MIN, JX_RC_MAX, JX_RC_OR, JX_RC_AND
} jx_reduce_comb;

typedef struct jx_reduce_info {
    int op;                /* the REDUCE op */
    jx_reduce_start start; /* its identity */
    jx_reduce_comb comb;   /* how two accumulators combine */
    bool mean;             /* the result divides by the count */
} jx_reduce_info;

/* The JX_REDUCES row of op, or NULL when op is not a reduction. */
JX_INTERNAL const jx_reduce_info *jx_ops_reduce(int op);

/* The identity of reduction op in accumulator type t (its start column):
 * floats in re->f, bools and integers in re->u (the value's bits, signed
 * ones sign-extended: store the low bits of t's width), complex as re->f
 * and *im.  *im is 0 for any other type. */
JX_INTERNAL void jx_ops_reduce_identity(int op, jx_dtype t, jx_value *re,
                                        double *im);

/* The function named `name` (n bytes), or -1. */
JX_INTERNAL int jx_ops_find_function(const char *name, size_t n);

/* The dtype op's result has when it computes in dtype t (its operands'
 * dtype after the type pass's conversions; WHERE: its values'): bool for
 * CMP, PRED, FLOATPRED and BYTESFN, the part type for PART and ANGLE,
 * complex128 for COMPLEX, else t.  Not for REDUCE (jx_sema_reduce_types).
 * The type pass (sema.c) gives nodes this dtype, and the code generator's
 * verifier (jit/verify.c) checks the IR against it. */
JX_INTERNAL jx_dtype jx_ops_result_dtype(int op, jx_dtype t);

#endif
