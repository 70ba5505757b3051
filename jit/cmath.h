/* cmath.h - the complex math kernels call: small wrappers around the C
 * library's complex functions (csin, clog, ...), with NumPy's formulas
 * where NumPy has its own (log10, log2, log1p, and powers).  exp, exp2
 * and expm1 are not here: complex.c writes them out in the loop (cx_exp,
 * cx_expm1) from the real exp, expm1, sin and cos, with cexp's special
 * cases.
 *
 * ABI, the same for complex64 and complex128 (complex64 is computed in
 * double and rounded by the kernel):
 *
 *   jx_cm_pair NAME(double re, double im)                 one operand
 *   jx_cm_pair jx_cm_pow(double ar, double ai, double br, double bi)
 *                                                         the power
 *
 * A struct of two doubles is returned in two FP registers on x86-64 and
 * AArch64, as LLVM returns its IR type {double, double}: the kernel
 * declares them that way.  The functions touch no memory, so kernels
 * declare them memory(none).  They are internal to the library: the
 * engine defines them in the JIT as absolute symbols (jx_cm_symbols). */
#ifndef JX_CMATH_H
#define JX_CMATH_H

#include "../src/ir.h"

typedef struct jx_cm_pair {
    double re; /* real part */
    double im; /* imaginary part */
} jx_cm_pair;

/* One function kernels may call: one per CALL row of the op table's cx
 * column (src/ops.h). */
typedef struct jx_cm_symbol {
    int op;           /* the op it computes on complex values */
    const char *name; /* its symbol in the JIT: "jx_cm_" and the op's
                         mnemonic, "jx_cm_sin" */
    void *addr;       /* the function */
} jx_cm_symbol;

/* The symbol of op's complex helper (JX_OP_SIN, JX_OP_POW ...), or NULL
 * when its cx column is not CALL. */
JX_INTERNAL const char *jx_cm_name(int op);

/* Every function, ending with a NULL name. */
JX_INTERNAL const jx_cm_symbol *jx_cm_symbols(void);

/* Complex power with NumPy's rules (exposed for the tests): 0**0 is 1,
 * 0**b is 0 for real b > 0 and nan+nanj otherwise, integer exponents of
 * magnitude below 100 by repeated multiplication, anything else cpow. */
JX_INTERNAL jx_cm_pair jx_cm_power(double ar, double ai, double br,
                                   double bi);

#endif
