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
 */
#ifndef JX_OPS_H
#define JX_OPS_H

#include "dtype.h"

#define JX_B JX_KIND_BOOL
#define JX_I JX_KINDS_INTEGER
#define JX_F JX_KIND_FLOAT
#define JX_C JX_KIND_COMPLEX
#define JX_S JX_KIND_BYTES

/*      id        mnem        spell      syn  ar rule      kinds               low     fn */
#define JX_OPS(X) \
    X(POS,      "pos",      "+",       OPU, 1, SAME,     JX_B|JX_I|JX_F|JX_C, INLINE, NULL) \
    X(NEG,      "neg",      "-",       OPU, 1, SAME,     JX_I|JX_F|JX_C,     INLINE, NULL) \
    X(INVERT,   "invert",   "~",       OPU, 1, SAME,     JX_B|JX_I,          INLINE, NULL) \
    X(ADD,      "add",      "+",       OPB, 2, ARITH,    JX_KINDS_ALL,       INLINE, NULL) \
    X(SUB,      "sub",      "-",       OPB, 2, ARITH,    JX_I|JX_F|JX_C,     INLINE, NULL) \
    X(MUL,      "mul",      "*",       OPB, 2, ARITH,    JX_KINDS_ALL,       INLINE, NULL) \
    X(DIV,      "div",      "/",       OPB, 2, TRUEDIV,  JX_KINDS_ALL,       INLINE, NULL) \
    X(FLOORDIV, "floordiv", "//",      OPB, 2, BOOL8,    JX_B|JX_I|JX_F,     INLINE, NULL) \
    X(MOD,      "mod",      "%",       OPB, 2, BOOL8,    JX_B|JX_I|JX_F,     INLINE, NULL) \
    X(POW,      "pow",      "**",      OPB, 2, BOOL8,    JX_I|JX_F|JX_C,     INLINE, NULL) \
    X(LT,       "lt",       "<",       OPB, 2, CMP,      JX_KINDS_ALL|JX_S,  INLINE, NULL) \
    X(LE,       "le",       "<=",      OPB, 2, CMP,      JX_KINDS_ALL|JX_S,  INLINE, NULL) \
    X(EQ,       "eq",       "==",      OPB, 2, CMP,      JX_KINDS_ALL|JX_S,  INLINE, NULL) \
    X(NE,       "ne",       "!=",      OPB, 2, CMP,      JX_KINDS_ALL|JX_S,  INLINE, NULL) \
    X(GE,       "ge",       ">=",      OPB, 2, CMP,      JX_KINDS_ALL|JX_S,  INLINE, NULL) \
    X(GT,       "gt",       ">",       OPB, 2, CMP,      JX_KINDS_ALL|JX_S,  INLINE, NULL) \
    X(AND,      "and",      "&",       OPB, 2, ARITH,    JX_B|JX_I,          INLINE, NULL) \
    X(OR,       "or",       "|",       OPB, 2, ARITH,    JX_B|JX_I,          INLINE, NULL) \
    X(XOR,      "xor",      "^",       OPB, 2, ARITH,    JX_B|JX_I,          INLINE, NULL) \
    X(SHL,      "shl",      "<<",      OPB, 2, BOOL8,    JX_I,               INLINE, NULL) \
    X(SHR,      "shr",      ">>",      OPB, 2, BOOL8,    JX_I,               INLINE, NULL) \
    X(WHERE,    "where",    "where",   FN,  3, WHERE,    JX_KINDS_ALL|JX_S,  INLINE, NULL) \
    X(CONTAINS, "contains", "contains",FN,  2, BYTESFN,  JX_S,               INLINE, NULL) \
    X(ABS,      "abs",      "abs",     FN,  1, PART,     JX_KINDS_ALL,       INLINE, NULL) \
    X(REAL,     "real",     "real",    FN,  1, PART,     JX_KINDS_ALL,       INLINE, NULL) \
    X(IMAG,     "imag",     "imag",    FN,  1, PART,     JX_KINDS_ALL,       INLINE, NULL) \
    X(CONJ,     "conj",     "conj",    FN,  1, BOOL8,    JX_KINDS_ALL,       INLINE, NULL) \
    X(COMPLEX,  "complex",  "complex", FN,  2, COMPLEX,  JX_B|JX_I|JX_F,     INLINE, NULL) \
    X(ANGLE,    "angle",    "angle",   FN,  1, ANGLE,    JX_KINDS_ALL,       INLINE, NULL) \
    X(SQRT,     "sqrt",     "sqrt",    FN,  1, FLOATFN,  JX_F|JX_C,          INTRIN, "llvm.sqrt") \
    X(EXP,      "exp",      "exp",     FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "exp") \
    X(LOG,      "log",      "log",     FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "log") \
    X(SIN,      "sin",      "sin",     FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "sin") \
    X(COS,      "cos",      "cos",     FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "cos") \
    X(TAN,      "tan",      "tan",     FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "tan") \
    X(ARCSIN,  "arcsin",   "arcsin",   FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "asin") \
    X(ARCCOS,  "arccos",   "arccos",   FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "acos") \
    X(ARCTAN,  "arctan",   "arctan",   FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "atan") \
    X(SINH,    "sinh",     "sinh",     FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "sinh") \
    X(COSH,    "cosh",     "cosh",     FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "cosh") \
    X(TANH,    "tanh",     "tanh",     FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "tanh") \
    X(ARCSINH, "arcsinh",  "arcsinh",  FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "asinh") \
    X(ARCCOSH, "arccosh",  "arccosh",  FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "acosh") \
    X(ARCTANH, "arctanh",  "arctanh",  FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "atanh") \
    X(EXP2,    "exp2",     "exp2",     FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "exp2") \
    X(EXPM1,   "expm1",    "expm1",    FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "expm1") \
    X(LOG2,    "log2",     "log2",     FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "log2") \
    X(LOG10,   "log10",    "log10",    FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "log10") \
    X(LOG1P,   "log1p",    "log1p",    FN,  1, FLOATFN,  JX_F|JX_C,          LIBM,   "log1p") \
    X(CBRT,    "cbrt",     "cbrt",     FN,  1, FLOATFN,  JX_F,               LIBM,   "cbrt") \
    X(ERF,     "erf",      "erf",      FN,  1, FLOATFN,  JX_F,               LIBM,   "erf") \
    X(ERFC,    "erfc",     "erfc",     FN,  1, FLOATFN,  JX_F,               LIBM,   "erfc") \
    X(ARCTAN2, "arctan2",  "arctan2",  FN,  2, FLOATFN,  JX_F,               LIBM,   "atan2") \
    X(HYPOT,   "hypot",    "hypot",    FN,  2, FLOATFN,  JX_F,               LIBM,   "hypot") \
    X(POWER,   "power",    "power",    FN,  2, BOOL8,    JX_I|JX_F|JX_C,     INLINE, NULL) \
    X(FMOD,    "fmod",     "fmod",     FN,  2, BOOL8,    JX_I|JX_F,          INLINE, NULL) \
    X(SIGN,    "sign",     "sign",     FN,  1, SAME,     JX_I|JX_F,          INLINE, NULL) \
    X(SQUARE,  "square",   "square",   FN,  1, BOOL8,    JX_I|JX_F|JX_C,         INLINE, NULL) \
    X(RECIP,   "reciprocal", "reciprocal", FN, 1, BOOL8, JX_I|JX_F|JX_C,         INLINE, NULL) \
    X(FLOOR,   "floor",    "floor",    FN,  1, FLOATFN,  JX_F,               INTRIN, "llvm.floor") \
    X(CEIL,    "ceil",     "ceil",     FN,  1, FLOATFN,  JX_F,               INTRIN, "llvm.ceil") \
    X(TRUNC,   "trunc",    "trunc",    FN,  1, FLOATFN,  JX_F,               INTRIN, "llvm.trunc") \
    X(RINT,    "rint",     "rint",     FN,  1, FLOATFN,  JX_F|JX_C,          INTRIN, "llvm.roundeven") \
    X(ROUND,   "round",    "round",    FN,  1, SAME,     JX_I|JX_F|JX_C,         INLINE, NULL) \
    X(COPYSIGN, "copysign", "copysign", FN, 2, FLOATFN,  JX_F,               INTRIN, "llvm.copysign") \
    X(NEXTAFTER, "nextafter", "nextafter", FN, 2, FLOATFN, JX_F,             INLINE, NULL) \
    X(SIGNBIT, "signbit",  "signbit",  FN,  1, FLOATPRED, JX_F,              INLINE, NULL) \
    X(ISNAN,   "isnan",    "isnan",    FN,  1, PRED,     JX_B|JX_I|JX_F|JX_C,    INLINE, NULL) \
    X(ISINF,   "isinf",    "isinf",    FN,  1, PRED,     JX_B|JX_I|JX_F|JX_C,    INLINE, NULL) \
    X(ISFINITE, "isfinite", "isfinite", FN, 1, PRED,     JX_B|JX_I|JX_F|JX_C,    INLINE, NULL) \
    X(MAXIMUM, "maximum",  "maximum",  FN,  2, ARITH,    JX_B|JX_I|JX_F|JX_C,    INLINE, NULL) \
    X(MINIMUM, "minimum",  "minimum",  FN,  2, ARITH,    JX_B|JX_I|JX_F|JX_C,    INLINE, NULL) \
    X(FMAX,    "fmax",     "fmax",     FN,  2, ARITH,    JX_B|JX_I|JX_F|JX_C,    INLINE, NULL) \
    X(FMIN,    "fmin",     "fmin",     FN,  2, ARITH,    JX_B|JX_I|JX_F|JX_C,    INLINE, NULL) \
    X(CLIP,    "clip",     "clip",     FN,  3, ARITH,    JX_B|JX_I|JX_F,     INLINE, NULL) \
    X(DEG2RAD, "deg2rad",  "deg2rad",  FN,  1, FLOATFN,  JX_F,               INLINE, NULL) \
    X(RAD2DEG, "rad2deg",  "rad2deg",  FN,  1, FLOATFN,  JX_F,               INLINE, NULL) \
    X(LOGADDEXP, "logaddexp", "logaddexp", FN, 2, FLOATFN, JX_F,             INLINE, NULL) \
    X(LOGADDEXP2, "logaddexp2", "logaddexp2", FN, 2, FLOATFN, JX_F,          INLINE, NULL) \
    X(HEAVISIDE, "heaviside", "heaviside", FN, 2, FLOATFN, JX_F,             INLINE, NULL) \
    X(COPY,    "copy",     "copy",     FN,  1, SAME,     JX_KINDS_ALL|JX_S,  INLINE, NULL) \
    X(ONES_LIKE, "ones_like", "ones_like", FN, 1, SAME,  JX_KINDS_ALL,       INLINE, NULL) \
    X(SUM,      "sum",      "sum",     FN,  1, REDUCE,   JX_KINDS_ALL,       INLINE, NULL) \
    X(PROD,     "prod",     "prod",    FN,  1, REDUCE,   JX_KINDS_ALL,       INLINE, NULL) \
    X(MIN,      "min",      "min",     FN,  1, REDUCE,   JX_KINDS_ALL,       INLINE, NULL) \
    X(MAX,      "max",      "max",     FN,  1, REDUCE,   JX_KINDS_ALL,       INLINE, NULL) \
    X(ANY,      "any",      "any",     FN,  1, REDUCE,   JX_KINDS_ALL,       INLINE, NULL) \
    X(ALL,      "all",      "all",     FN,  1, REDUCE,   JX_KINDS_ALL,       INLINE, NULL) \
    X(MEAN,     "mean",     "mean",    FN,  1, REDUCE,   JX_KINDS_ALL,       INLINE, NULL)

typedef enum jx_op {
#define JX_OP_ENUM(id, mnem, spell, syn, ar, rule, kinds, low, fn) JX_OP_##id,
    JX_OPS(JX_OP_ENUM)
#undef JX_OP_ENUM
    JX_OP_COUNT
} jx_op;

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

typedef struct jx_opinfo {
    const char *mnem;   /* IR mnemonic */
    const char *spell;  /* source spelling */
    jx_syntax syn;
    int arity;
    jx_rule rule;
    unsigned kinds;     /* jx_kind mask */
    jx_lower low;
    const char *fn;     /* intrinsic or libm name, or NULL */
} jx_opinfo;

/* The table, indexed by jx_op (ops.c). */
JX_INTERNAL extern const jx_opinfo jx_ops[JX_OP_COUNT];

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
