/* dtype.c - element types and NumPy's promotion (np.result_type). */
#include "dtype.h"

#include <string.h>

/* supported: what the code generator implements today. */
static const jx_dtype_info infos[JX_DTYPE_COUNT] = {
    [JX_BOOL] = {"bool", "b1", 1, JX_KIND_BOOL, '?', true},
    [JX_INT8] = {"int8", "i8", 1, JX_KIND_INT, 'b', true},
    [JX_INT16] = {"int16", "i16", 2, JX_KIND_INT, 'h', true},
    [JX_INT32] = {"int32", "i32", 4, JX_KIND_INT, 'i', true},
    [JX_INT64] = {"int64", "i64", 8, JX_KIND_INT, 'l', true},
    [JX_UINT8] = {"uint8", "u8", 1, JX_KIND_UINT, 'B', true},
    [JX_UINT16] = {"uint16", "u16", 2, JX_KIND_UINT, 'H', true},
    [JX_UINT32] = {"uint32", "u32", 4, JX_KIND_UINT, 'I', true},
    [JX_UINT64] = {"uint64", "u64", 8, JX_KIND_UINT, 'L', true},
    [JX_FLOAT16] = {"float16", "f16", 2, JX_KIND_FLOAT, 'e', true},
    [JX_FLOAT32] = {"float32", "f32", 4, JX_KIND_FLOAT, 'f', true},
    [JX_FLOAT64] = {"float64", "f64", 8, JX_KIND_FLOAT, 'd', true},
    [JX_COMPLEX64] = {"complex64", "c64", 8, JX_KIND_COMPLEX, 'F', true},
    [JX_COMPLEX128] = {"complex128", "c128", 16, JX_KIND_COMPLEX, 'D', true},
    /* IR text writes a bytes type with its itemsize: "S5" (ir.c). */
    [JX_BYTES] = {"bytes", "S", 0, JX_KIND_BYTES, 'S', true},
};

const jx_dtype_info *jx_dtype_get(jx_dtype t)
{
    if ((int)t < 0 || t >= JX_DTYPE_COUNT)
        return NULL;
    return &infos[t];
}

jx_kind jx_dtype_kind(jx_dtype t) { return infos[t].kind; }

const char *jx_dtype_name(jx_dtype t)
{
    const jx_dtype_info *d = jx_dtype_get(t);
    return d ? d->name : "invalid";
}

size_t jx_dtype_size(jx_dtype t)
{
    const jx_dtype_info *d = jx_dtype_get(t);
    return d ? d->size : 0;
}

jx_dtype jx_dtype_from_name(const char *name)
{
    static const struct { const char *alias; jx_dtype t; } aliases[] = {
        {"bool_", JX_BOOL},     {"?", JX_BOOL},          {"b1", JX_BOOL},
        {"f8", JX_FLOAT64},     {"f4", JX_FLOAT32},      {"f2", JX_FLOAT16},
        {"i8", JX_INT64},       {"i4", JX_INT32},        {"i2", JX_INT16},
        {"i1", JX_INT8},        {"u8", JX_UINT64},       {"u4", JX_UINT32},
        {"u2", JX_UINT16},      {"u1", JX_UINT8},        {"c8", JX_COMPLEX64},
        {"c16", JX_COMPLEX128}, {"double", JX_FLOAT64},  {"float", JX_FLOAT64},
        {"int", JX_INT64},      {"complex", JX_COMPLEX128}, {"S", JX_BYTES},
    };
    if (name == NULL)
        return JX_DTYPE_INVALID;
    for (int t = 0; t < JX_DTYPE_COUNT; t++)
        if (strcmp(name, infos[t].name) == 0)
            return (jx_dtype)t;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i].alias) == 0)
            return aliases[i].t;
    return JX_DTYPE_INVALID;
}

bool jx_dtype_holds(jx_dtype t, int64_t v)
{
    unsigned bits = 8 * infos[t].size;
    if (infos[t].kind == JX_KIND_UINT)
        return v >= 0 && (bits == 64 || (uint64_t)v < (1ull << bits));
    if (bits == 64)
        return true;
    int64_t lim = (int64_t)1 << (bits - 1);
    return v >= -lim && v < lim;
}

jx_dtype jx_dtype_int_of_size(unsigned bytes)
{
    if (bytes <= 1)
        return JX_INT8;
    if (bytes <= 2)
        return JX_INT16;
    if (bytes <= 4)
        return JX_INT32;
    return JX_INT64;
}

/* The smallest float that holds every value of an integer or bool type,
 * as NumPy chooses it (int8 -> float16, int16 -> float32, ...). */
jx_dtype jx_dtype_to_float(jx_dtype t)
{
    switch (infos[t].kind) {
    case JX_KIND_FLOAT:
    case JX_KIND_COMPLEX:
        return t;
    default:
        if (infos[t].size == 1)
            return JX_FLOAT16;
        if (infos[t].size == 2)
            return JX_FLOAT32;
        return JX_FLOAT64;
    }
}

jx_dtype jx_dtype_complex_of(jx_dtype f)
{
    return f == JX_FLOAT64 ? JX_COMPLEX128 : JX_COMPLEX64;
}

jx_dtype jx_dtype_part(jx_dtype t)
{
    switch (t) {
    case JX_COMPLEX64: return JX_FLOAT32;
    case JX_COMPLEX128: return JX_FLOAT64;
    default: return t;
    }
}

jx_dtype jx_dtype_promote(jx_dtype a, jx_dtype b)
{
    if (jx_dtype_get(a) == NULL || jx_dtype_get(b) == NULL)
        return JX_DTYPE_INVALID;
    if (a == b)
        return a;
    if (a == JX_BYTES || b == JX_BYTES) /* a string with a number */
        return JX_DTYPE_INVALID;
    jx_kind ka = infos[a].kind, kb = infos[b].kind;
    /* Order so that a has the lower kind. */
    if (ka > kb) {
        jx_dtype t = a; a = b; b = t;
        jx_kind k = ka; ka = kb; kb = k;
    }
    unsigned sa = infos[a].size, sb = infos[b].size;
    if (ka == JX_KIND_BOOL)
        return b;
    if (ka == kb) /* same kind: the larger one */
        return sa >= sb ? a : b;
    if (ka == JX_KIND_INT && kb == JX_KIND_UINT) {
        /* A signed type that holds both, else float64. */
        if (sa > sb)
            return a;
        if (sb < 8)
            return jx_dtype_int_of_size(2 * sb);
        return JX_FLOAT64;
    }
    /* An integer with a float or complex: wide enough for the integer. */
    if (kb == JX_KIND_FLOAT) {
        jx_dtype need = jx_dtype_to_float(a);
        return infos[need].size > sb ? need : b;
    }
    /* kb is complex: a is an integer or a float. */
    jx_dtype fa = jx_dtype_to_float(a);
    jx_dtype fb = jx_dtype_part(b);
    jx_dtype f = infos[fa].size > infos[fb].size ? fa : fb;
    if (f == JX_FLOAT16)
        f = JX_FLOAT32;
    return jx_dtype_complex_of(f);
}

/* NumPy's np.result_type of several dtypes: the least type that each
 * promotes to.  Promotion of pairs is not associative (int8 with uint16
 * is int32, int32 with float16 float64; but all three go to float32,
 * where each can be cast safely), so this is not a left fold: a candidate
 * is every type that each operand promotes to unchanged, and the least
 * candidate is the one that promotes to every other. */
jx_dtype jx_dtype_promote_n(const jx_dtype *ts, int n)
{
    if (n == 1)
        return jx_dtype_get(ts[0]) == NULL ? JX_DTYPE_INVALID : ts[0];
    jx_dtype fold = ts[0];
    for (int i = 1; i < n && fold != JX_DTYPE_INVALID; i++)
        fold = jx_dtype_promote(fold, ts[i]);
    if (fold == JX_DTYPE_INVALID)
        return fold;
    bool cand[JX_DTYPE_COUNT];
    for (int c = 0; c < JX_DTYPE_COUNT; c++) {
        cand[c] = c != JX_BYTES;
        for (int i = 0; i < n && cand[c]; i++)
            cand[c] = jx_dtype_promote(ts[i], (jx_dtype)c) == (jx_dtype)c;
    }
    for (int c = 0; c < JX_DTYPE_COUNT; c++) {
        if (!cand[c])
            continue;
        bool least = true;
        for (int d = 0; d < JX_DTYPE_COUNT && least; d++)
            least = !cand[d] || jx_dtype_promote((jx_dtype)c, (jx_dtype)d) == (jx_dtype)d;
        if (least)
            return (jx_dtype)c;
    }
    return fold; /* no least candidate: the pairs' answer */
}
