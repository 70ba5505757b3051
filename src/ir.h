/* ir.h - the typed IR: SSA instructions in evaluation order, hash-consed
 * so that common subexpressions are computed once.  Its canonical text
 * (jx_ir.text) names inputs by slot, not by variable name, so "a+b" and
 * "x + y" over the same dtypes share one kernel.  A byte string type is
 * written with its itemsize ("in.S5 $0"), a string constant with its bytes
 * ("const.S2 \"ab\""): kernels for other itemsizes or strings differ. */
#ifndef JX_IR_H
#define JX_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "ops.h"
#include "value.h"

/* The syntax tree (ast.h), which only jx_ir_build reads. */
struct jx_node;

/* IR opcodes: every jx_op, plus these three. */
enum {
    JX_IR_INPUT = JX_OP_COUNT, /* load operand `input` (an input slot) */
    JX_IR_CONST,               /* the constant k, of type dtype */
    JX_IR_CAST,                /* args[0] converted to dtype */
    JX_IR_OPCOUNT
};

#define JX_IR_MAX_ARGS 3

typedef struct jx_instr {
    int op;                        /* a jx_op or JX_IR_* */
    jx_dtype dtype;                /* the type of the value it makes */
    int nargs;                     /* operands */
    int32_t args[JX_IR_MAX_ARGS];  /* indices of earlier instructions */
    int32_t input;                 /* JX_IR_INPUT: the input slot */
    jx_value k;                    /* JX_IR_CONST: value, as in jx_node */
    double kim;                    /* JX_IR_CONST of a complex type: the
                                      imaginary part (k.f the real part) */
    int64_t itemsize;              /* JX_BYTES value: bytes per element;
                                      0 for the other dtypes */
    const char *str;               /* JX_BYTES constant: its itemsize bytes,
                                      owned by the IR (never NULL) */
    bool weak;                     /* a Python scalar's value (NEP 50), as
                                      sema typed it: weak.c checks it where
                                      it meets a strong type.  Not in the
                                      text: the kernel is the same */
} jx_instr;

/* One expression's IR.  Owned by its jx_expr (malloc'd, not arena), so it
 * outlives the compilation and can be compiled again for a new layout. */
typedef struct jx_ir {
    jx_instr *ins;       /* instructions; operands come before users */
    int32_t n;           /* instructions used */
    int32_t cap;         /* instructions allocated */
    int32_t result;      /* the instruction whose value is the result (for a
                            reduction: the value of each element reduced) */
    jx_dtype dtype;      /* the dtype of what the expression gives */
    int reduce;          /* a reduction (JX_OP_SUM...) at the root, or -1 */
    jx_dtype acc_dtype;  /* reduction: the type it accumulates in */
    bool has_axis;       /* reduction: along one axis (else all of them) */
    int32_t axis;        /*   which one, as written (may be negative) */
    int32_t ninputs;     /* input slots, numbered by first use */
    jx_dtype *input_dtype; /* [ninputs] dtype of each slot */
    int64_t *input_itemsize; /* [ninputs] JX_BYTES slots: the itemsize;
                                0 for the other dtypes */
    int32_t *input_var;  /* [ninputs] index in the jx_compile vars table */
    char *text;          /* canonical text, NUL-terminated */
    int32_t cost;        /* estimated work per element, in units of one
                            load or one cheap operation (jx_ir_build) */
    bool light;          /* elementwise, no complex values, and no
                            instruction costs more than two units (a
                            division, a square root): the loop may move
                            memory more than it computes */
} jx_ir;

/* Builds IR from a typed tree (after jx_sema).  Returns NULL with *err
 * set on failure (JX_ERR_NOMEM). */
JX_INTERNAL jx_ir *jx_ir_build(const struct jx_node *root, jx_error *err);
JX_INTERNAL void jx_ir_free(jx_ir *ir);
/* The IR of instruction i of ir alone, its operands input slots 0, 1, ...
 * of their dtypes ("%0 = in.f8 $0; %1 = sin.f8 %0; ret %1"): the kernel
 * the interpreter calls for it (interp.h).  NULL when out of memory. */
JX_INTERNAL jx_ir *jx_ir_unit(const jx_ir *ir, int32_t i);
/* True when ir's result is an input's value unchanged, of the result's
 * dtype (through copy, unary +, real, conj and round of a real value,
 * round of an integer; not a reduction): the evaluation then copies
 * bytes (eval.c). */
JX_INTERNAL bool jx_ir_copies(const jx_ir *ir);
/* The byte every byte of ir's result holds whatever the input (imag of a
 * real value: zeros; isnan and isinf of a bool or an integer: false;
 * isfinite: true), or -1: the evaluation then fills it (eval.c). */
JX_INTERNAL int jx_ir_fill_byte(const jx_ir *ir);
/* The dtype of the result. */
#define jx_ir_dtype(ir) ((ir)->dtype)

/* Layout classes of the kernel's operands, one letter each. */
#define JX_LAYOUT_CONTIG 'C'  /* stride == itemsize: vectorized */
#define JX_LAYOUT_SCALAR 'S'  /* stride 0: the same element every time */
#define JX_LAYOUT_STRIDED 'X' /* any other stride */

/* A layout string names the layout class of the output, then of each
 * input slot, then ':' and flags: 'n' when the output is known not to
 * overlap any input (pointers are then noalias), 'w' for 256-bit vectors
 * where the machine's widest are longer (adapt.h); e.g. "CCS:n", "CC:nw".
 *
 * A reduction's kernels start with a mode letter:
 *   'R' partials: ptrs[0] is an array of acc_dtype, contiguous; the kernel
 *       writes into partial b the reduction of elements
 *       [b*JX_REDUCE_BLOCK, min(n, (b+1)*JX_REDUCE_BLOCK)), so a run of n
 *       elements fills ceil(n / JX_REDUCE_BLOCK) partials.  The output's
 *       class letter that follows is always 'C'.  e.g. "RCCC:n"
 *   'A' accumulate: the output (of acc_dtype, class 'C' or 'X') is read
 *       and written: out[i] = combine(out[i], value[i]).  e.g. "AXCC"
 * Max length: */
#define JX_LAYOUT_MAX (JX_MAX_VARS + 6)
#define JX_LAYOUT_PARTIALS 'R'
#define JX_LAYOUT_ACCUMULATE 'A'

/* Elements per partial in the 'R' mode: small enough that the sum of a
 * block in vector lanes is as accurate as NumPy's pairwise base case. */
#define JX_REDUCE_BLOCK 1024
/* Lanes of a float sum's or product's partial, whose order is fixed so
 * that every tier computes its bits (jit/loops.c's ordered_lanes): lane l
 * accumulates a block's values l, l + LANES, ..., the last group padded
 * with the identity; then lane l takes lane l + h for h = LANES/2, ..., 1.
 * A power of two dividing the interpreter's block. */
#define JX_REDUCE_LANES 32

/* The value of instruction idx of ir as a double when it is a constant
 * (not complex), or a cast of one holding a small integer, -1 to 4 (which
 * any cast to a float keeps exactly): the exponents that the JIT
 * (jit/scalar.c) and the interpreter (src/interp.c) both compute by
 * multiplication. */
static inline bool jx_ir_const_value(const jx_ir *ir, int32_t idx, double *out)
{
    const jx_instr *in = &ir->ins[idx];
    if (in->op == JX_IR_CAST) {
        double v;
        if (!jx_ir_const_value(ir, in->args[0], &v) || v != (double)(int)v || v < -1 ||
            v > 4)
            return false;
        *out = v;
        return true;
    }
    if (in->op != JX_IR_CONST)
        return false;
    switch (jx_dtype_kind(in->dtype)) {
    case JX_KIND_COMPLEX: return false;
    case JX_KIND_FLOAT: *out = in->k.f; return true;
    case JX_KIND_INT: *out = (double)in->k.i; return true;
    default: *out = (double)in->k.u; return true;
    }
}

#endif
