/* check_objload.c - jit/objload.c, the loader of our kernels' object files
 * that runs a disk-cache hit without LLVM.
 *
 * One row per kind of code a kernel holds: arithmetic per dtype, math
 * functions (libm calls, libmvec vector calls, vmath.c's kernels, the
 * complex helpers jx_cm_*), byte strings, where, reductions (layouts R and
 * A), strided and scalar operands, 256-bit vectors.  Each row's object
 * (jx_jit_emit) is loaded by jx_obj_load and by ORC (jx_jit_load_orc);
 * both kernels run over the same inputs and their outputs must agree bit
 * for bit.  On x86-64 the loader must take every row (a silent fallback to
 * ORC fails the test).  Then objects that are truncated, corrupted (a
 * relocation type, a section index, a symbol name) or randomly mutated:
 * "unsupported", never a crash.
 *
 * Run under gdb or valgrind with CK_FORK=no. */
#include <check.h>
#include <elf.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../jit/jit.h"
#include "../jit/objload.h"
#include "../src/dtype.h"
#include "../src/expr.h"
#include "../src/util.h"

#if defined(__x86_64__) && defined(__linux__)
#define LOADER_HOST 1
#else
#define LOADER_HOST 0
#endif

#define N 2500 /* elements: over two reduction blocks, not a multiple of 16 */
#define BUF (2 * N * 32) /* bytes per operand buffer: strided, 16-byte items */

/* The variables every row may use. */
static const jx_var vars[] = {
    {.name = "a", .dtype = JX_FLOAT64},   {.name = "b", .dtype = JX_FLOAT64},
    {.name = "f", .dtype = JX_FLOAT32},   {.name = "g", .dtype = JX_FLOAT32},
    {.name = "i", .dtype = JX_INT64},     {.name = "j", .dtype = JX_INT64},
    {.name = "k", .dtype = JX_INT32},     {.name = "u", .dtype = JX_UINT8},
    {.name = "c", .dtype = JX_COMPLEX128}, {.name = "d", .dtype = JX_COMPLEX128},
    {.name = "z", .dtype = JX_COMPLEX64}, {.name = "m", .dtype = JX_BOOL},
    {.name = "s", .dtype = JX_BYTES, .itemsize = 5},
    {.name = "t", .dtype = JX_BYTES, .itemsize = 5},
};
#define NVARS ((int)(sizeof vars / sizeof vars[0]))

/* One kernel: an expression and the layout it is compiled for. */
typedef struct row {
    const char *src;
    const char *layout;
} row;

static const row rows[] = {
    /* arithmetic per dtype */
    {"2*a + b", "CCC:n"},
    {"f*g - f/g", "CCC:n"},
    {"i*j + i//j - i%j", "CCC:n"},
    {"k*3 + k//7 - (k << 2)", "CC:n"},
    {"u + u*u", "CC:n"},
    {"m | (a > b)", "CCCC:n"},
    {"c*d + c/d", "CCC:n"},
    {"z*z + z", "CC:n"},
    {"k*f + i", "CCCC:n"},
    /* math: vmath.c kernels (JITEXPR_MATHLIB=own in make check), libmvec
     * and scalar libm calls, complex helpers */
    {"sin(a) + cos(b)", "CCC:n"},
    {"exp(f) * log(g)", "CCC:n"},
    {"arctan(a) + arctan2(a, b)", "CCC:n"},
    {"tanh(a) + sinh(b) + arccos(a/100)", "CCC:n"},
    {"a**b + f**2.5", "CCCC:n"},
    {"sqrt(c) * exp(c)", "CC:n"},
    {"log(z) + sin(z)", "CC:n"},
    {"abs(c) + arctan(a)", "CCC:n"},
    {"c**d", "CCC:n"},
    /* byte strings */
    {"s == t", "CCC:n"},
    {"s < b'abc'", "CC:n"},
    {"where(s > t, a, b)", "CCCCC:n"},
    /* where */
    {"where(a > b, a, i)", "CCCC:n"},
    /* reductions */
    {"sum(a*b)", "RCCC:n"},
    {"max(f)", "RCC:n"},
    {"sum(c)", "RCC:n"},
    {"prod(i)", "RCC:n"},
    {"any(a > b)", "RCCC:n"},
    {"sum(a*b, axis=0)", "ACCC:n"},
    {"min(sin(a), axis=0)", "AXC"},
    /* strided and scalar operands, 256-bit vectors */
    {"2*a + b", "XXS"},
    {"2*a + b", "CSX:n"},
    {"sin(a) + cos(b)", "CXS"},
    {"s == t", "CXS"},
    {"where(a > b, a, i)", "XSXC"},
    {"sum(a*b)", "RCXS"},
    {"sin(a) * b", "CCC:nw"},
    {"exp(f) + g", "CCC:nw"},
};
#define NROWS ((int)(sizeof rows / sizeof rows[0]))

/* Bytes per element of slot dtype t (itemsize: JX_BYTES). */
static size_t item_size(jx_dtype t, int64_t itemsize)
{
    return t == JX_BYTES ? (size_t)itemsize : jx_dtype_size(t);
}

/* Fills buf with n elements of dtype t: varied values, negatives, zeros. */
static void fill(char *buf, jx_dtype t, size_t isz, int n, unsigned seed)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL * (seed + 1);
    for (int e = 0; e < n; e++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        char *p = buf + (size_t)e * isz;
        double v = (double)(e % 97) * 0.173 - 5.1 + (double)(x % 1000) * 1e-3;
        switch (jx_dtype_kind(t)) {
        case JX_KIND_FLOAT:
        case JX_KIND_COMPLEX:
            if (isz == 4 || isz == 8) {
                float fv = (float)v;
                if (isz == 4)
                    memcpy(p, &fv, 4);
                else if (t == JX_COMPLEX64) {
                    float im = (float)(v * 0.5 - 1);
                    memcpy(p, &fv, 4);
                    memcpy(p + 4, &im, 4);
                } else
                    memcpy(p, &v, 8);
            } else { /* complex128 */
                double im = v * 0.5 - 1;
                memcpy(p, &v, 8);
                memcpy(p + 8, &im, 8);
            }
            break;
        case JX_KIND_BOOL:
            *p = (char)(x % 3 == 0);
            break;
        default:
            if (t == JX_BYTES)
                for (size_t q = 0; q < isz; q++)
                    p[q] = (x >> (q * 3)) % 4 == 0 ? '\0' : (char)('a' + (x >> (q * 5)) % 3);
            else
                memcpy(p, &x, isz); /* integers: all bits, zeros now and then */
            if (t != JX_BYTES && e % 11 == 0)
                memset(p, 0, isz);
        }
    }
}

/* Runs fn over the row's operands (made from seed), into out. */
static void run(jx_kernel_fn fn, const jx_ir *ir, const char *layout, char *out,
                char **in)
{
    const char *cls = layout + (layout[0] == 'R' || layout[0] == 'A');
    char *ptrs[1 + 8];
    int64_t strides[1 + 8];
    jx_dtype ot = ir->reduce >= 0 ? ir->acc_dtype : ir->dtype;
    size_t osz = item_size(ot, 0);
    ptrs[0] = out;
    strides[0] = cls[0] == 'X' ? (int64_t)(2 * osz) : (int64_t)osz;
    for (int s = 0; s < ir->ninputs; s++) {
        size_t isz = item_size(ir->input_dtype[s], ir->input_itemsize[s]);
        ptrs[1 + s] = in[s];
        strides[1 + s] = cls[1 + s] == 'S'   ? 0
                         : cls[1 + s] == 'X' ? (int64_t)(2 * isz)
                                             : (int64_t)isz;
    }
    fn(N, ptrs, strides);
}

START_TEST(test_rows)
{
    const row *r = &rows[_i];
    jx_arena a;
    jx_arena_init(&a);
    jx_error err;
    jx_ir *ir = jx_expr_front_end(&a, r->src, vars, NVARS, NULL, NULL, &err);
    ck_assert_msg(ir != NULL, "%s: %s", r->src, err.message);
    ck_assert_int_le(ir->ninputs, 8);
    jx_jit_object obj;
    ck_assert_msg(jx_jit_emit(ir, r->layout, JX_JIT_FULL, &obj, &err) == 0, "%s %s: %s",
                  r->src, r->layout, err.message);

    jx_kernel_fn fn;
    jx_obj_image *img = NULL;
    char why[128];
    int rc = jx_obj_load(obj.data, obj.size, "jx_kernel_xxxxxxxxxxxxxxxx", &fn,
                         &img, why, sizeof why);
    if (LOADER_HOST)
        ck_assert_msg(rc == 0, "%s %s: the loader declined: %s", r->src,
                      r->layout, why);
    jx_jit_code orc;
    ck_assert_msg(jx_jit_load_orc(obj.data, obj.size, &orc, &err) == 0,
                  "%s: ORC: %s", r->src, err.message);
    ck_assert(!orc.mapped);

    char *in[8];
    for (int s = 0; s < ir->ninputs; s++) {
        in[s] = calloc(1, BUF);
        fill(in[s], ir->input_dtype[s],
             item_size(ir->input_dtype[s], ir->input_itemsize[s]), 2 * N,
             (unsigned)s);
    }
    char *out[2] = {calloc(1, BUF), calloc(1, BUF)};
    run(orc.fn, ir, r->layout, out[1], in);
    if (rc == 0) {
        run(fn, ir, r->layout, out[0], in);
        ck_assert_msg(memcmp(out[0], out[1], BUF) == 0,
                      "%s %s: the loaded kernel and ORC's differ", r->src,
                      r->layout);
        jx_obj_free(img);
    }
    jx_jit_release(&orc);
    for (int s = 0; s < ir->ninputs; s++)
        free(in[s]);
    free(out[0]);
    free(out[1]);
    jx_jit_object_free(&obj);
    jx_ir_free(ir);
    jx_arena_free(&a);
}
END_TEST

/* ---- objects the loader must refuse ----------------------------------- */

/* A kernel's object to corrupt: math calls (libm, libmvec) and constants. */
static jx_jit_object base_object(void)
{
    jx_arena a;
    jx_arena_init(&a);
    jx_error err;
    jx_ir *ir = jx_expr_front_end(&a, "arctan(a) + cos(b)*2.5", vars, NVARS,
                                  NULL, NULL, &err);
    ck_assert_ptr_nonnull(ir);
    jx_jit_object obj;
    ck_assert_int_eq(jx_jit_emit(ir, "CCC:n", JX_JIT_FULL, &obj, &err), 0);
    jx_ir_free(ir);
    jx_arena_free(&a);
    return obj;
}

static int try_load(const void *data, size_t size)
{
    jx_kernel_fn fn;
    jx_obj_image *img;
    char why[128];
    int rc = jx_obj_load(data, size, "jx_kernel_xxxxxxxxxxxxxxxx", &fn, &img,
                         why, sizeof why);
    if (rc == 0)
        jx_obj_free(img);
    else
        ck_assert(fn == NULL && img == NULL);
    return rc;
}

/* The section header of type `type` (the first), or NULL. */
static Elf64_Shdr *section(char *obj, uint32_t type)
{
    Elf64_Ehdr *eh = (Elf64_Ehdr *)obj;
    Elf64_Shdr *sh = (Elf64_Shdr *)(obj + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_type == type)
            return &sh[i];
    return NULL;
}

START_TEST(test_base_loads)
{
    jx_jit_object obj = base_object();
    ck_assert_int_eq(try_load(obj.data, obj.size), LOADER_HOST ? 0 : -1);
    jx_jit_object_free(&obj);
}
END_TEST

START_TEST(test_truncated)
{
    jx_jit_object obj = base_object();
    size_t cuts[] = {0, 1, 16, sizeof(Elf64_Ehdr) - 1, sizeof(Elf64_Ehdr),
                     obj.size / 2, obj.size - 1};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        /* A heap copy of exactly the cut length, so ASan sees a read past it. */
        char *p = malloc(cuts[c] ? cuts[c] : 1);
        memcpy(p, obj.data, cuts[c]);
        ck_assert_msg(try_load(p, cuts[c]) == -1, "cut at %zu loaded", cuts[c]);
        free(p);
    }
    jx_jit_object_free(&obj);
}
END_TEST

START_TEST(test_bad_relocation_type)
{
    if (!LOADER_HOST)
        return;
    jx_jit_object obj = base_object();
    Elf64_Shdr *rs = section(obj.data, SHT_RELA);
    ck_assert_ptr_nonnull(rs);
    Elf64_Rela *ra = (Elf64_Rela *)(obj.data + rs->sh_offset);
    ra[0].r_info = ELF64_R_INFO(ELF64_R_SYM(ra[0].r_info), R_X86_64_TPOFF32);
    ck_assert_int_eq(try_load(obj.data, obj.size), -1);
    ra[0].r_info = ELF64_R_INFO(ELF64_R_SYM(ra[0].r_info), 250);
    ck_assert_int_eq(try_load(obj.data, obj.size), -1);
    /* A relocation past the end of its section. */
    ra[0].r_info = ELF64_R_INFO(ELF64_R_SYM(ra[0].r_info), R_X86_64_PC32);
    ra[0].r_offset = 1u << 30;
    ck_assert_int_eq(try_load(obj.data, obj.size), -1);
    jx_jit_object_free(&obj);
}
END_TEST

START_TEST(test_bad_section_index)
{
    if (!LOADER_HOST)
        return;
    jx_jit_object obj = base_object();
    Elf64_Shdr *rs = section(obj.data, SHT_RELA);
    Elf64_Shdr *st = section(obj.data, SHT_SYMTAB);
    ck_assert(rs != NULL && st != NULL);
    Elf64_Rela *ra = (Elf64_Rela *)(obj.data + rs->sh_offset);
    Elf64_Sym *sym = (Elf64_Sym *)(obj.data + st->sh_offset);
    Elf64_Sym *target = &sym[ELF64_R_SYM(ra[0].r_info)];
    uint16_t keep = target->st_shndx;
    target->st_shndx = 500; /* no such section */
    ck_assert_int_eq(try_load(obj.data, obj.size), -1);
    target->st_shndx = SHN_COMMON;
    ck_assert_int_eq(try_load(obj.data, obj.size), -1);
    target->st_shndx = keep;
    /* A symbol index past the table, a relocation section for a section
     * that does not exist, a section name table out of range. */
    uint64_t info = ra[0].r_info;
    ra[0].r_info = ELF64_R_INFO(100000, ELF64_R_TYPE(info));
    ck_assert_int_eq(try_load(obj.data, obj.size), -1);
    ra[0].r_info = info;
    uint32_t keep_info = rs->sh_info;
    rs->sh_info = 9999;
    ck_assert_int_eq(try_load(obj.data, obj.size), -1);
    rs->sh_info = keep_info;
    Elf64_Ehdr *eh = (Elf64_Ehdr *)obj.data;
    eh->e_shstrndx = 999;
    ck_assert_int_eq(try_load(obj.data, obj.size), -1);
    eh->e_shstrndx = 0;
    ck_assert_int_eq(try_load(obj.data, obj.size), -1);
    jx_jit_object_free(&obj);
}
END_TEST

START_TEST(test_unresolvable_symbol)
{
    if (!LOADER_HOST)
        return;
    jx_jit_object obj = base_object();
    Elf64_Shdr *st = section(obj.data, SHT_SYMTAB);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)obj.data;
    Elf64_Shdr *sh = (Elf64_Shdr *)(obj.data + eh->e_shoff);
    char *str = obj.data + sh[st->sh_link].sh_offset;
    Elf64_Sym *sym = (Elf64_Sym *)(obj.data + st->sh_offset);
    int undefined = 0;
    for (size_t s = 1; s < st->sh_size / sizeof *sym; s++)
        if (sym[s].st_shndx == SHN_UNDEF && sym[s].st_name != 0) {
            char *name = str + sym[s].st_name;
            char keep = name[0];
            name[0] = 'Q'; /* "Qos", "QZGVeN8v_atan": nowhere */
            ck_assert_msg(try_load(obj.data, obj.size) == -1, "%s resolved", name);
            name[0] = keep;
            undefined++;
        }
    ck_assert_int_gt(undefined, 0);
    ck_assert_ptr_null(jx_obj_resolve("jx_no_such_function"));
    ck_assert_ptr_nonnull(jx_obj_resolve("cos"));
    /* Every name restored, it loads again. */
    ck_assert_int_eq(try_load(obj.data, obj.size), 0);
    jx_jit_object_free(&obj);
}
END_TEST

/* Random bytes changed, the file cut at random: whatever the loader says,
 * it reads nothing outside the buffer (run it under check-asan). */
START_TEST(test_mutations)
{
    jx_jit_object obj = base_object();
    uint64_t x = 0x2545f4914f6cdd1dULL;
    char *p = malloc(obj.size);
    for (int it = 0; it < 3000; it++) {
        memcpy(p, obj.data, obj.size);
        size_t size = obj.size;
        int flips = 1 + it % 4;
        for (int f = 0; f < flips; f++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* Mostly the headers and tables at the end, where it matters. */
            size_t at = (x >> 8) % 2 ? obj.size - 1 - (x >> 16) % 512 % obj.size
                                     : (x >> 16) % obj.size;
            p[at] = (char)(x & 0xff);
        }
        if (it % 7 == 0)
            size = (size_t)(x >> 20) % obj.size;
        try_load(p, size);
    }
    free(p);
    jx_jit_object_free(&obj);
}
END_TEST

/* jx_jit_load maps with the loader; JITEXPR_OBJLOAD=no goes through ORC. */
static void load_and_run(bool want_mapped)
{
    jx_jit_object obj = base_object();
    jx_jit_code code;
    jx_error err;
    ck_assert_int_eq(jx_jit_load(obj.data, obj.size, &code, &err), 0);
    ck_assert_int_eq(code.mapped, want_mapped);
    double a[N], b[N], out[N];
    for (int e = 0; e < N; e++)
        a[e] = e * 0.01, b[e] = 1 - e * 0.001;
    char *ptrs[3] = {(char *)out, (char *)a, (char *)b};
    int64_t strides[3] = {8, 8, 8};
    code.fn(N, ptrs, strides);
    ck_assert(out[7] > 0);
    jx_jit_release(&code);
    ck_assert_ptr_null(code.handle);
    jx_jit_object_free(&obj);
}

START_TEST(test_jit_load_default)
{
    unsetenv("JITEXPR_OBJLOAD");
    load_and_run(LOADER_HOST);
}
END_TEST

START_TEST(test_jit_load_env_no)
{
    setenv("JITEXPR_OBJLOAD", "no", 1);
    load_and_run(false);
}
END_TEST

/* Threads loading, running and releasing the same object at once (the
 * loader keeps no state but its libraries' handles). */
static jx_jit_object shared_obj;

static void *load_loop(void *arg)
{
    intptr_t bad = 0;
    double a[N], b[N], out[N];
    for (int e = 0; e < N; e++)
        a[e] = e * 0.01 + (double)(intptr_t)arg, b[e] = 1 - e * 0.001;
    for (int it = 0; it < 25; it++) {
        jx_jit_code code;
        jx_error err;
        if (jx_jit_load(shared_obj.data, shared_obj.size, &code, &err) != 0) {
            bad++;
            continue;
        }
        char *ptrs[3] = {(char *)out, (char *)a, (char *)b};
        int64_t strides[3] = {8, 8, 8};
        code.fn(N, ptrs, strides);
        bad += !(out[N - 1] == out[N - 1]) || code.mapped != LOADER_HOST;
        jx_jit_release(&code);
    }
    return (void *)bad;
}

START_TEST(test_threads)
{
    unsetenv("JITEXPR_OBJLOAD");
    shared_obj = base_object();
    pthread_t th[8];
    for (intptr_t t = 0; t < 8; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, load_loop, (void *)t), 0);
    for (int t = 0; t < 8; t++) {
        void *bad;
        pthread_join(th[t], &bad);
        ck_assert_int_eq((intptr_t)bad, 0);
    }
    jx_jit_object_free(&shared_obj);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("objload");
    TCase *tc = tcase_create("rows");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_rows, 0, NROWS);
    suite_add_tcase(s, tc);
    tc = tcase_create("reject");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_base_loads);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_bad_relocation_type);
    tcase_add_test(tc, test_bad_section_index);
    tcase_add_test(tc, test_unresolvable_symbol);
    tcase_add_test(tc, test_mutations);
    tcase_add_test(tc, test_jit_load_default);
    tcase_add_test(tc, test_jit_load_env_no);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
