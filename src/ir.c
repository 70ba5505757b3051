/* ir.c - typed tree to hash-consed SSA, and its canonical text. */
#include "ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "dtype.h"
#include "sema.h"

typedef struct builder {
    jx_ir *ir;
    int32_t *table;   /* open-addressing hash of instruction indices, -1 */
    int32_t tcap;     /* slots in table, a power of two */
    int32_t *slot_of; /* [nvars seen] input slot of each variable, -1 */
    int32_t nslot_of; /* entries in slot_of */
    jx_error *err;
} builder;

static bool same_instr(const jx_instr *a, const jx_instr *b)
{
    if (a->op != b->op || a->dtype != b->dtype || a->nargs != b->nargs || a->weak != b->weak ||
        a->input != b->input || a->k.u != b->k.u || a->itemsize != b->itemsize ||
        memcmp(&a->kim, &b->kim, sizeof a->kim) != 0) /* bits: -0.0, NaN */
        return false;
    if (a->str != NULL && (b->str == NULL ||
                           memcmp(a->str, b->str, (size_t)a->itemsize) != 0))
        return false;
    for (int i = 0; i < a->nargs; i++)
        if (a->args[i] != b->args[i])
            return false;
    return true;
}

static uint64_t hash_instr(const jx_instr *in)
{
    uint64_t h = JX_HASH_SEED;
    h = jx_hash_bytes(&in->op, sizeof in->op, h);
    h = jx_hash_bytes(&in->dtype, sizeof in->dtype, h);
    h = jx_hash_bytes(in->args, sizeof(int32_t) * (size_t)in->nargs, h);
    h = jx_hash_bytes(&in->input, sizeof in->input, h);
    h = jx_hash_bytes(&in->kim, sizeof in->kim, h);
    h = jx_hash_bytes(&in->itemsize, sizeof in->itemsize, h);
    h = jx_hash_bytes(&in->weak, sizeof in->weak, h);
    if (in->str != NULL)
        h = jx_hash_bytes(in->str, (size_t)in->itemsize, h);
    return jx_hash_bytes(&in->k.u, sizeof in->k.u, h);
}

static int nomem(builder *B)
{
    jx_err_set(B->err, JX_ERR_NOMEM, -1, 0, "out of memory");
    return -1;
}

static int grow_table(builder *B)
{
    int32_t cap = B->tcap ? B->tcap * 2 : 64;
    int32_t *t = malloc(sizeof *t * (size_t)cap);
    if (t == NULL)
        return nomem(B);
    memset(t, 0xff, sizeof *t * (size_t)cap);
    for (int32_t i = 0; i < B->ir->n; i++) {
        uint64_t h = hash_instr(&B->ir->ins[i]) & (uint64_t)(cap - 1);
        while (t[h] >= 0)
            h = (h + 1) & (uint64_t)(cap - 1);
        t[h] = i;
    }
    free(B->table);
    B->table = t;
    B->tcap = cap;
    return 0;
}

/* Returns the index of an instruction equal to *in, adding it if new. */
static int32_t intern(builder *B, const jx_instr *in)
{
    jx_ir *ir = B->ir;
    if (2 * (ir->n + 1) > B->tcap && grow_table(B) < 0)
        return -1;
    uint64_t mask = (uint64_t)(B->tcap - 1);
    uint64_t h = hash_instr(in) & mask;
    for (; B->table[h] >= 0; h = (h + 1) & mask)
        if (same_instr(&ir->ins[B->table[h]], in))
            return B->table[h];
    if (ir->n == ir->cap) {
        int32_t cap = ir->cap ? ir->cap * 2 : 16;
        jx_instr *p = realloc(ir->ins, sizeof *p * (size_t)cap);
        if (p == NULL)
            return nomem(B);
        ir->ins = p;
        ir->cap = cap;
    }
    ir->ins[ir->n] = *in;
    if (in->str != NULL) { /* a string constant: the IR's own copy */
        char *copy = malloc((size_t)in->itemsize + 1);
        if (copy == NULL)
            return nomem(B);
        memcpy(copy, in->str, (size_t)in->itemsize);
        ir->ins[ir->n].str = copy;
    }
    B->table[h] = ir->n;
    return ir->n++;
}

static int32_t input_slot(builder *B, const jx_node *n)
{
    jx_ir *ir = B->ir;
    if (n->var >= B->nslot_of) {
        int32_t cap = n->var + 1;
        int32_t *p = realloc(B->slot_of, sizeof *p * (size_t)cap);
        if (p == NULL)
            return nomem(B);
        for (int32_t i = B->nslot_of; i < cap; i++)
            p[i] = -1;
        B->slot_of = p;
        B->nslot_of = cap;
    }
    if (B->slot_of[n->var] >= 0)
        return B->slot_of[n->var];
    if (ir->ninputs >= JX_MAX_VARS) {
        jx_err_set(B->err, JX_ERR_LIMIT, n->offset, n->length,
                   "more than %d variables", JX_MAX_VARS);
        return -1;
    }
    int32_t s = ir->ninputs++;
    jx_dtype *dt = realloc(ir->input_dtype, sizeof *dt * (size_t)ir->ninputs);
    if (dt == NULL)
        return nomem(B);
    ir->input_dtype = dt;
    int32_t *iv = realloc(ir->input_var, sizeof *iv * (size_t)ir->ninputs);
    if (iv == NULL)
        return nomem(B);
    ir->input_var = iv;
    int64_t *is = realloc(ir->input_itemsize, sizeof *is * (size_t)ir->ninputs);
    if (is == NULL)
        return nomem(B);
    ir->input_itemsize = is;
    is[s] = n->dtype == JX_BYTES ? n->itemsize : 0;
    dt[s] = n->dtype;
    iv[s] = n->var;
    B->slot_of[n->var] = s;
    return s;
}

static int32_t emit(builder *B, const jx_node *n)
{
    jx_instr in;
    memset(&in, 0, sizeof in);
    in.dtype = n->dtype;
    in.weak = n->weak;
    in.input = -1;
    switch (n->kind) {
    case JX_N_CONST:
        in.op = JX_IR_CONST;
        in.k = n->v;
        if (jx_dtype_kind(n->dtype) == JX_KIND_COMPLEX)
            in.kim = n->im;
        if (n->dtype == JX_BYTES) {
            in.itemsize = n->itemsize;
            in.str = n->str; /* copied by intern */
        }
        break;
    case JX_N_VAR:
        in.op = JX_IR_INPUT;
        if (n->dtype == JX_BYTES)
            in.itemsize = n->itemsize;
        in.input = input_slot(B, n);
        if (in.input < 0)
            return -1;
        break;
    case JX_N_CAST:
    case JX_N_OP:
        in.op = n->kind == JX_N_CAST ? JX_IR_CAST : n->op;
        in.nargs = n->nargs;
        if (n->dtype == JX_BYTES) /* where(c, s, t), copy(s) */
            in.itemsize = n->itemsize;
        if (n->nargs > JX_IR_MAX_ARGS) {
            jx_err_set(B->err, JX_ERR_INTERNAL, n->offset, n->length,
                       "ir: %d operands", n->nargs);
            return -1;
        }
        for (int i = 0; i < n->nargs; i++) {
            in.args[i] = emit(B, n->args[i]);
            if (in.args[i] < 0)
                return -1;
        }
        break;
    default:
        jx_err_set(B->err, JX_ERR_INTERNAL, n->offset, n->length,
                   "ir: untyped node of kind %d", (int)n->kind);
        return -1;
    }
    return intern(B, &in);
}

static const char *mnemonic(int op)
{
    switch (op) {
    case JX_IR_INPUT: return "in";
    case JX_IR_CONST: return "const";
    case JX_IR_CAST: return "cast";
    default: return jx_ops[op].mnem;
    }
}

/* A constant in the canonical text; a complex one is "(re, im)", both
 * parts in %a (exact, so two constants print alike only when equal). */
static void print_const(jx_buf *b, jx_dtype t, jx_value k, double kim)
{
    switch (jx_dtype_kind(t)) {
    case JX_KIND_COMPLEX: jx_buf_printf(b, "(%a, %a)", k.f, kim); break;
    case JX_KIND_BOOL:
    case JX_KIND_UINT: jx_buf_printf(b, "%llu", (unsigned long long)k.u); break;
    case JX_KIND_INT: jx_buf_printf(b, "%lld", (long long)k.i); break;
    default: jx_buf_printf(b, "%a", k.f); break; /* exact */
    }
}

static char *make_text(const jx_ir *ir)
{
    jx_buf b = {0};
    for (int32_t i = 0; i < ir->n; i++) {
        const jx_instr *in = &ir->ins[i];
        jx_buf_printf(&b, "%%%d = %s.%s", (int)i, mnemonic(in->op),
                      jx_dtype_get(in->dtype)->abbr);
        if (in->dtype == JX_BYTES)
            jx_buf_printf(&b, "%lld", (long long)in->itemsize);
        if (in->op == JX_IR_INPUT)
            jx_buf_printf(&b, " $%d", (int)in->input);
        else if (in->op == JX_IR_CONST && in->dtype == JX_BYTES) {
            jx_buf_append(&b, " ", 1);
            jx_bytes_print(&b, in->str, in->itemsize);
        } else if (in->op == JX_IR_CONST) {
            jx_buf_append(&b, " ", 1);
            print_const(&b, in->dtype, in->k, in->kim);
        }
        for (int j = 0; j < in->nargs; j++)
            jx_buf_printf(&b, "%s%%%d", j ? ", " : " ", (int)in->args[j]);
        jx_buf_append(&b, "\n", 1);
    }
    if (ir->reduce >= 0)
        jx_buf_printf(&b, "reduce.%s.%s %%%d\n", jx_ops[ir->reduce].mnem,
                      jx_dtype_get(ir->acc_dtype)->abbr, (int)ir->result);
    else
        jx_buf_printf(&b, "ret %%%d\n", (int)ir->result);
    return jx_buf_take(&b);
}

/* Work per element, relative to one load or one add: the op table's cost
 * column for the result's kind (src/ops.h); it only decides when threads
 * pay. */
static int32_t instr_cost(const jx_ir *ir, const jx_instr *in)
{
    switch (in->op) {
    case JX_IR_CONST: return 0;
    case JX_IR_INPUT:
    case JX_IR_CAST: return 1;
    default: break;
    }
    /* A byte string op calls a function per element (bytes.c). */
    if (in->nargs > 0 && ir->ins[in->args[in->nargs - 1]].dtype == JX_BYTES)
        return 8;
    return jx_ops_cost(in->op, jx_dtype_kind(in->dtype));
}

jx_ir *jx_ir_build(const jx_node *root, jx_error *err)
{
    jx_ir *ir = calloc(1, sizeof *ir);
    builder B = {ir, NULL, 0, NULL, 0, err};
    if (ir == NULL) {
        nomem(&B);
        return NULL;
    }
    ir->reduce = -1;
    ir->acc_dtype = JX_DTYPE_INVALID;
    if (root->kind == JX_N_OP && jx_ops[root->op].rule == JX_R_REDUCE) {
        jx_dtype result;
        ir->reduce = root->op;
        ir->has_axis = root->has_axis;
        ir->axis = root->axis;
        jx_sema_reduce_types(root->op, root->args[0]->dtype, &result, &ir->acc_dtype);
        ir->dtype = result;
        root = root->args[0];
    } else {
        ir->dtype = root->dtype;
    }
    ir->result = emit(&B, root);
    free(B.table);
    free(B.slot_of);
    if (ir->result < 0) {
        jx_ir_free(ir);
        return NULL;
    }
    ir->cost = 1; /* the store (or the accumulation) */
    ir->light = ir->reduce < 0;
    for (int32_t i = 0; i < ir->n; i++) {
        int32_t c = instr_cost(ir, &ir->ins[i]);
        ir->cost += c;
        if (c > 2 || jx_dtype_kind(ir->ins[i].dtype) == JX_KIND_COMPLEX)
            ir->light = false;
    }
    ir->text = make_text(ir);
    if (ir->text == NULL) {
        nomem(&B);
        jx_ir_free(ir);
        return NULL;
    }
    return ir;
}

bool jx_ir_copies(const jx_ir *ir)
{
    if (ir->reduce >= 0)
        return false;
    const jx_instr *in = &ir->ins[ir->result];
    for (;;) {
        if (in->dtype != ir->dtype)
            return false;
        jx_kind k = jx_dtype_kind(in->dtype);
        if (in->op == JX_IR_INPUT)
            return true;
        if (in->op != JX_OP_COPY && in->op != JX_OP_POS &&
            !(k != JX_KIND_COMPLEX && (in->op == JX_OP_REAL || in->op == JX_OP_CONJ)) &&
            !((k & JX_KINDS_INTEGER) && in->op == JX_OP_ROUND))
            return false;
        in = &ir->ins[in->args[0]];
    }
}

int jx_ir_fill_byte(const jx_ir *ir)
{
    const jx_instr *in = &ir->ins[ir->result];
    if (ir->reduce >= 0 || in->dtype != ir->dtype || in->nargs != 1)
        return -1;
    jx_kind k = jx_dtype_kind(ir->ins[in->args[0]].dtype);
    bool exact = (k & (JX_KIND_BOOL | JX_KINDS_INTEGER)) != 0; /* no NaN, no inf */
    switch (in->op) {
    case JX_OP_IMAG: return k != JX_KIND_COMPLEX && k != JX_KIND_BYTES ? 0 : -1;
    case JX_OP_ISNAN:
    case JX_OP_ISINF: return exact ? 0 : -1;
    case JX_OP_ISFINITE: return exact ? 1 : -1;
    default: return -1;
    }
}

jx_ir *jx_ir_unit(const jx_ir *ir, int32_t i)
{
    const jx_instr *in = &ir->ins[i];
    int na = in->nargs;
    jx_ir *u = calloc(1, sizeof *u);
    if (u == NULL)
        return NULL;
    u->ins = calloc((size_t)na + 1, sizeof *u->ins);
    u->input_dtype = calloc((size_t)na + 1, sizeof *u->input_dtype);
    u->input_itemsize = calloc((size_t)na + 1, sizeof *u->input_itemsize);
    u->input_var = calloc((size_t)na + 1, sizeof *u->input_var);
    if (u->ins == NULL || u->input_dtype == NULL || u->input_itemsize == NULL ||
        u->input_var == NULL) {
        jx_ir_free(u);
        return NULL;
    }
    for (int a = 0; a < na; a++) {
        jx_dtype t = ir->ins[in->args[a]].dtype;
        u->ins[a] = (jx_instr){.op = JX_IR_INPUT, .dtype = t, .input = a};
        u->input_dtype[a] = t;
        u->input_var[a] = a;
    }
    u->ins[na] = *in;
    u->ins[na].str = NULL; /* not a byte string: the interpreter's kinds */
    for (int a = 0; a < na; a++)
        u->ins[na].args[a] = a;
    u->n = u->cap = na + 1;
    u->result = na;
    u->dtype = in->dtype;
    u->reduce = -1;
    u->acc_dtype = JX_DTYPE_INVALID;
    u->ninputs = na;
    u->cost = 1 + na + instr_cost(u, &u->ins[na]);
    u->light = false;
    u->text = make_text(u);
    if (u->text == NULL) {
        jx_ir_free(u);
        return NULL;
    }
    return u;
}

void jx_ir_free(jx_ir *ir)
{
    if (ir == NULL)
        return;
    for (int32_t i = 0; ir->ins != NULL && i < ir->n; i++)
        free((char *)ir->ins[i].str);
    free(ir->ins);
    free(ir->input_itemsize);
    free(ir->input_dtype);
    free(ir->input_var);
    free(ir->text);
    free(ir);
}
