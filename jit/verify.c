/* verify.c - jx_cg_check: whether the code generator takes an IR and a
 * layout (every dtype supported, every op given a kind it has a lowering
 * for, operands consistent, the layout well formed).  The engine calls it
 * once per compilation, before it creates any LLVM object; jx_cg_build
 * relies on it. */
#include "emit.h"


int jx_vf_parse_layout(const jx_ir *ir, const char *layout, cg_layout *l,
                 jx_error *err)
{
    if (layout == NULL) {
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0, "no layout given");
        return -1;
    }
    const char *p = layout;
    l->mode = CG_ELEMENTWISE;
    if (*p == JX_LAYOUT_PARTIALS) {
        l->mode = CG_PARTIALS;
        p++;
    } else if (*p == JX_LAYOUT_ACCUMULATE) {
        l->mode = CG_ACCUMULATE;
        p++;
    }
    if ((l->mode != CG_ELEMENTWISE) != (ir->reduce >= 0)) {
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0,
                   ir->reduce >= 0
                       ? "layout \"%.40s\" lacks a reduction mode (R or A)"
                       : "layout \"%.40s\" has a reduction mode, the IR no "
                         "reduction",
                   layout);
        return -1;
    }
    const char *colon = strchr(p, ':');
    size_t nl = colon ? (size_t)(colon - p) : strlen(p);
    bool flags_ok = colon == NULL || (colon[1] != '\0' &&
                                      strspn(colon + 1, "nw") == strlen(colon + 1));
    if (!flags_ok || nl != (size_t)ir->ninputs + 1) {
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0,
                   "bad layout \"%.40s\" for a kernel of %d inputs", layout,
                   (int)ir->ninputs);
        return -1;
    }
    for (size_t k = 0; k < nl; k++) {
        char c = p[k];
        if (c != JX_LAYOUT_CONTIG && c != JX_LAYOUT_SCALAR &&
            c != JX_LAYOUT_STRIDED) {
            jx_err_set(err, JX_ERR_INTERNAL, -1, 0,
                       "bad layout class '%c' in \"%.40s\"", c, layout);
            return -1;
        }
        l->cls[k] = c;
    }
    if (l->mode == CG_PARTIALS && l->cls[0] != JX_LAYOUT_CONTIG) {
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0,
                   "partials must be contiguous: \"%.40s\"", layout);
        return -1;
    }
    l->cls[nl] = '\0';
    l->nops = (int)nl;
    l->noalias = colon != NULL && strchr(colon, 'n') != NULL;
    l->narrow = colon != NULL && strchr(colon, 'w') != NULL;
    return 0;
}

static int check_dtype(jx_dtype t, jx_error *err)
{
    const jx_dtype_info *d = jx_dtype_get(t);
    if (d == NULL) {
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0, "invalid dtype %d in IR",
                   (int)t);
        return -1;
    }
    if (!d->supported) {
        jx_err_set(err, JX_ERR_TYPE, -1, 0, "%s is not supported yet",
                   d->name);
        return -1;
    }
    return 0;
}

static int bad_ir(jx_error *err, int idx, const char *what)
{
    jx_err_set(err, JX_ERR_INTERNAL, -1, 0, "malformed IR at %%%d: %s", idx,
               what);
    return -1;
}

/* Checks instruction idx: operands earlier, dtypes consistent, the op
 * accepts the operand kind. */
static int check_instr(const jx_ir *ir, int idx, jx_error *err)
{
    const jx_instr *in = &ir->ins[idx];
    if (check_dtype(in->dtype, err) != 0)
        return -1;
    if (in->nargs < 0 || in->nargs > JX_IR_MAX_ARGS)
        return bad_ir(err, idx, "operand count");
    for (int k = 0; k < in->nargs; k++)
        if (in->args[k] < 0 || in->args[k] >= idx)
            return bad_ir(err, idx, "operand index");
    switch (in->op) {
    case JX_IR_INPUT:
        if (in->input < 0 || in->input >= ir->ninputs)
            return bad_ir(err, idx, "input slot");
        if (in->dtype != ir->input_dtype[in->input])
            return bad_ir(err, idx, "input dtype");
        return 0;
    case JX_IR_CONST:
        if (in->dtype == JX_BYTES && (in->str == NULL || in->itemsize < 0))
            return bad_ir(err, idx, "string constant without its bytes");
        return 0;
    case JX_IR_CAST:
        if (in->nargs != 1)
            return bad_ir(err, idx, "cast operands");
        if (in->dtype == JX_BYTES || ir->ins[in->args[0]].dtype == JX_BYTES)
            return bad_ir(err, idx, "a cast of a byte string");
        return 0;
    default:
        break;
    }
    if (in->op < 0 || in->op >= JX_OP_COUNT)
        return bad_ir(err, idx, "opcode");
    const jx_opinfo *op = &jx_ops[in->op];
    if (op->rule == JX_R_REDUCE)
        return bad_ir(err, idx, "a reduction inside the expression");
    if (in->nargs != op->arity)
        return bad_ir(err, idx, "arity");
    /* The operand type: WHERE's condition is bool, its values the rest. */
    int first = in->op == JX_OP_WHERE ? 1 : 0;
    jx_dtype ot = ir->ins[in->args[first]].dtype;
    for (int k = first; k < in->nargs; k++)
        if (ir->ins[in->args[k]].dtype != ot)
            return bad_ir(err, idx, "operands of different dtypes");
    if (in->op == JX_OP_WHERE && ir->ins[in->args[0]].dtype != JX_BOOL)
        return bad_ir(err, idx, "where condition is not bool");
    if (check_dtype(ot, err) != 0)
        return -1;
    jx_kind kind = jx_dtype_kind(ot);
    bool fc = kind == JX_KIND_FLOAT || kind == JX_KIND_COMPLEX;
    if (!(op->kinds & kind) ||
        ((op->rule == JX_R_TRUEDIV || op->rule == JX_R_FLOATFN ||
          op->rule == JX_R_ANGLE) && !fc) ||
        (op->rule == JX_R_FLOATPRED && kind != JX_KIND_FLOAT) ||
        (kind == JX_KIND_COMPLEX && op->cx == JX_CX_NONE) ||
        (op->rule == JX_R_COMPLEX && ot != JX_FLOAT64)) {
        jx_err_set(err, JX_ERR_TYPE, -1, 0,
                   "the code generator has no %s for %s", op->mnem,
                   jx_dtype_name(ot));
        return -1;
    }
    if (kind == JX_KIND_BYTES && op->rule != JX_R_CMP && op->rule != JX_R_BYTESFN &&
        in->op != JX_OP_WHERE && in->op != JX_OP_COPY)
        return bad_ir(err, idx, "a byte string op of an unknown rule");
    if (in->dtype == JX_BYTES && in->itemsize < 1)
        return bad_ir(err, idx, "a byte string value without its itemsize");
    if (in->dtype != jx_ops_result_dtype(in->op, ot)) /* as sema.c typed it */
        return bad_ir(err, idx, "result dtype");
    return 0;
}

int jx_cg_check(const jx_ir *ir, const char *layout, jx_error *err)
{
    if (ir == NULL || ir->ins == NULL || ir->n <= 0 || ir->result < 0 ||
        ir->result >= ir->n || ir->ninputs < 0 ||
        ir->ninputs > JX_MAX_VARS ||
        (ir->ninputs > 0 && ir->input_dtype == NULL)) {
        jx_err_set(err, JX_ERR_INTERNAL, -1, 0, "malformed IR");
        return -1;
    }
    for (int i = 0; i < ir->ninputs; i++)
        if (check_dtype(ir->input_dtype[i], err) != 0)
            return -1;
    for (int i = 0; i < ir->n; i++)
        if (check_instr(ir, i, err) != 0)
            return -1;
    for (int i = 0; i < ir->ninputs; i++)
        if (ir->input_dtype[i] == JX_BYTES &&
            (ir->input_itemsize == NULL || ir->input_itemsize[i] < 1)) {
            jx_err_set(err, JX_ERR_INTERNAL, -1, 0,
                       "malformed IR: byte string input %d without an itemsize", i);
            return -1;
        }
    if (ir->ins[ir->result].dtype == JX_BYTES && ir->reduce >= 0) {
        jx_err_set(err, JX_ERR_TYPE, -1, 0,
                   "the code generator has no byte string reductions");
        return -1;
    }
    if (ir->reduce >= 0) {
        if (ir->reduce >= JX_OP_COUNT ||
            jx_ops[ir->reduce].rule != JX_R_REDUCE) {
            jx_err_set(err, JX_ERR_INTERNAL, -1, 0, "malformed IR: reduce %d",
                       ir->reduce);
            return -1;
        }
        if (check_dtype(ir->acc_dtype, err) != 0)
            return -1;
        jx_dtype vt = ir->ins[ir->result].dtype;
        if (!(jx_ops[ir->reduce].kinds & jx_dtype_kind(vt))) {
            jx_err_set(err, JX_ERR_TYPE, -1, 0,
                       "the code generator has no %s for %s",
                       jx_ops[ir->reduce].mnem, jx_dtype_name(vt));
            return -1;
        }
    }
    cg_layout l;
    return jx_vf_parse_layout(ir, layout, &l, err);
}
