/* objload.c - loads a kernel's object file without LLVM (objload.h).
 *
 * An x86-64 ELF relocatable object as jit/module.c has LLVM emit it (PIC,
 * small code model).  The allocatable sections are laid out in one
 * anonymous mapping, three page-aligned groups:
 *
 *     text    .text* (SHF_EXECINSTR), then the stubs     RX after relocation
 *     rodata  .rodata* (not writable), then the GOT      R
 *     data    .data*, .bss (SHF_WRITE)                    RW
 *
 * A stub (jmp *slot(%rip)) and a GOT slot serve each external function a
 * kernel calls (R_X86_64_PLT32), so a call reaches libm or libmvec wherever
 * they are mapped; R_X86_64_GOTPCREL[X] and REX_GOTPCRELX read the slot as
 * written (no relaxation).  .eh_frame, notes, debug sections, .comment and
 * .llvm_addrsig are skipped with their relocations: kernels never unwind.
 * Anything else (another relocation type, SHT_REL, a TLS or other special
 * section, a symbol in a skipped section, an unresolvable name, a value out
 * of range, a malformed file) is "unsupported": the caller links the
 * object with ORC instead.  Every offset, size and index of the file is
 * checked against the buffer before it is used. */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include "objload.h"

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <unistd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmath.h"
#include "codegen.h"

#if defined(__x86_64__) && defined(__linux__)
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>
#define JX_OBJ_HOST 1
#else
#define JX_OBJ_HOST 0
#endif

/* Sections and symbols beyond these are not a kernel's. */
#define MAX_SECTIONS 4096
#define MAX_MAP ((size_t)64 << 20)
#define PAGE 4096u
#define STUB_SIZE 8u /* ff 25 disp32 (jmp *slot(%rip)), two int3 */

static void say(char *why, size_t n, const char *fmt, ...)
{
    if (why == NULL || n == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
}

/* ---- symbols kernels may call ----------------------------------------- */

static struct {
    pthread_once_t once[3];
    void *lib[3]; /* libm, libmvec, SLEEF: opened on first use, kept */
} libs = {{PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT}, {0}};

static const char *const lib_names[3] = {"libm.so.6", "libmvec.so.1",
                                         "libsleef.so.3"};

/* dl_iterate_phdr's callback: finds the loaded objects named libm.so.6
 * and libmvec.so.1 (their paths: the link map's names). */
typedef struct loaded_libs {
    char libm_dir[PATH_MAX];     /* libm's directory, or "" */
    char libmvec[PATH_MAX + 16]; /* libmvec's path if loaded, or "" */
} loaded_libs;

static int note_lib(struct dl_phdr_info *info, size_t size, void *ctx)
{
    (void)size;
    loaded_libs *l = ctx;
    const char *name = info->dlpi_name;
    const char *slash = name != NULL ? strrchr(name, '/') : NULL;
    if (slash == NULL)
        return 0;
    if (strcmp(slash + 1, "libmvec.so.1") == 0 && strlen(name) < sizeof l->libmvec)
        strcpy(l->libmvec, name);
    if (strcmp(slash + 1, "libm.so.6") == 0 && l->libm_dir[0] == '\0' &&
        (size_t)(slash - name) < sizeof l->libm_dir) {
        memcpy(l->libm_dir, name, (size_t)(slash - name));
        l->libm_dir[slash - name] = '\0';
    }
    return 0;
}

/* A walk of the link map and at most one access(): dlopen's search by
 * name reads ld.so.cache (a map and an unmap, 0.3 ms on the Zen 5 VM),
 * twice when RTLD_NOLOAD is tried first, and opens the file. */
bool jx_obj_libmvec_path(char *path, size_t n)
{
    loaded_libs l;
    memset(&l, 0, sizeof l);
    dl_iterate_phdr(note_lib, &l);
    if (l.libmvec[0] != '\0') {
        snprintf(path, n, "%s", l.libmvec);
        return true;
    }
    if (l.libm_dir[0] == '\0')
        return false;
    int w = snprintf(path, n, "%s/libmvec.so.1", l.libm_dir);
    return w > 0 && (size_t)w < n && access(path, R_OK) == 0;
}

bool jx_obj_libmvec_present(void)
{
    char path[PATH_MAX + 16];
    return jx_obj_libmvec_path(path, sizeof path);
}

/* libmvec by its path (jx_obj_libmvec_path; a dlopen of a path that is
 * loaded finds it by name, and NOLOAD first would open the file once
 * more), the others by name: libm is loaded already (NOLOAD finds it by
 * its soname without a search). */
static void open_lib(int i)
{
    char path[PATH_MAX + 16];
    if (i == 1) {
        libs.lib[i] = jx_obj_libmvec_path(path, sizeof path)
                          ? dlopen(path, RTLD_NOW | RTLD_LOCAL)
                          : NULL;
        return;
    }
    void *h = dlopen(lib_names[i], RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (h == NULL && i > 0) /* libm is ours already, or not to be had */
        h = dlopen(lib_names[i], RTLD_NOW | RTLD_LOCAL);
    libs.lib[i] = h;
}
static void open_libm(void) { open_lib(0); }
static void open_libmvec(void) { open_lib(1); }
static void open_sleef(void) { open_lib(2); }

static void *lib_handle(int i)
{
    static void (*const openers[3])(void) = {open_libm, open_libmvec,
                                             open_sleef};
    pthread_once(&libs.once[i], openers[i]);
    return libs.lib[i];
}

bool jx_obj_sleef_present(char isa)
{
    void *h = isa != 0 ? lib_handle(2) : NULL;
    for (int k = 0; h != NULL && k < JX_CG_NVEC; k++) {
        jx_cg_vecfn v;
        if (jx_cg_vecfn_get(k, &v) == 0 && v.lib == 's' &&
            (v.isa == 'd' || isa == 'e') && dlsym(h, v.sym) != NULL)
            return true;
    }
    return false;
}

/* As engine.c defines them in the JIT: our hidden helpers by address, the
 * vector functions from their library, libm's functions from libm, then
 * the process (ORC's process generator). */
void *jx_obj_resolve(const char *name)
{
    for (const jx_cg_helper *h = jx_cg_helpers(); h->name != NULL; h++)
        if (strcmp(h->name, name) == 0)
            return h->addr;
    for (const jx_cm_symbol *s = jx_cm_symbols(); s->name != NULL; s++)
        if (strcmp(s->name, name) == 0)
            return s->addr;
    if (strncmp(name, "_ZGV", 4) == 0 || strncmp(name, "Sleef_", 6) == 0) {
        for (int k = 0; k < JX_CG_NVEC; k++) {
            jx_cg_vecfn v;
            if (jx_cg_vecfn_get(k, &v) != 0 || strcmp(v.sym, name) != 0)
                continue;
            void *h = lib_handle(v.lib == 's' ? 2 : 1);
            return h != NULL ? dlsym(h, name) : NULL;
        }
        return NULL;
    }
    for (const char *const *n = jx_cg_runtime_symbols(); *n != NULL; n++)
        if (strcmp(*n, name) == 0) {
            void *h = lib_handle(0);
            void *addr = h != NULL ? dlsym(h, name) : NULL;
            return addr != NULL ? addr : dlsym(RTLD_DEFAULT, name);
        }
    return dlsym(RTLD_DEFAULT, name);
}

#if JX_OBJ_HOST

/* ---- the loader ------------------------------------------------------- */

enum { G_TEXT, G_RODATA, G_DATA, G_COUNT };

/* One load's view of the file and its layout. */
typedef struct loader {
    const unsigned char *data; /* the file */
    size_t size;
    Elf64_Shdr *sh;            /* its section headers (copies) */
    unsigned nsh;
    const char *shstr;         /* section names, shstr_size bytes */
    size_t shstr_size;
    Elf64_Sym *syms;           /* .symtab (copies), nsyms */
    size_t nsyms;
    const char *str;           /* .symtab's string table, str_size bytes */
    size_t str_size;
    int64_t *off;              /* per section: offset in the mapping, or -1 */
    uint32_t *got;             /* per symbol: GOT slot + 1, or 0 */
    uint32_t *stub;            /* per symbol: stub + 1, or 0 */
    uint64_t *addr;            /* per symbol: its address once resolved */
    unsigned char *resolved;   /* per symbol: addr is set */
    size_t ngot, nstub;
    size_t group[G_COUNT][2];  /* each group's start and end in the mapping */
    size_t stubs_at, got_at;   /* where the stubs and the GOT start */
    unsigned char *base;       /* the mapping */
    size_t map_size;
    char *why;
    size_t why_size;
} loader;

/* Whether [off, off + n) lies within a buffer of size bytes. */
static bool in_bounds(uint64_t off, uint64_t n, size_t size)
{
    return off <= size && n <= size - off;
}

/* The NUL-terminated string at off of a table of size bytes, or NULL. */
static const char *str_at(const char *tab, size_t size, uint64_t off)
{
    if (off >= size || memchr(tab + off, '\0', size - off) == NULL)
        return NULL;
    return tab + off;
}

static bool fail(loader *L, const char *fmt, const char *arg)
{
    say(L->why, L->why_size, fmt, arg);
    return false;
}

/* Reads the header, the section headers, the section names, the symbol
 * table and its strings. */
static bool read_tables(loader *L)
{
    Elf64_Ehdr eh;
    if (L->size < sizeof eh)
        return fail(L, "truncated header%s", "");
    memcpy(&eh, L->data, sizeof eh);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_type != ET_REL ||
        eh.e_machine != EM_X86_64)
        return fail(L, "not an x86-64 ELF relocatable object%s", "");
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
        eh.e_shnum > MAX_SECTIONS || eh.e_shstrndx >= eh.e_shnum ||
        !in_bounds(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr),
                   L->size))
        return fail(L, "bad section header table%s", "");
    L->nsh = eh.e_shnum;
    L->sh = malloc(L->nsh * sizeof *L->sh);
    L->off = malloc(L->nsh * sizeof *L->off);
    if (L->sh == NULL || L->off == NULL)
        return fail(L, "out of memory%s", "");
    memcpy(L->sh, L->data + eh.e_shoff, L->nsh * sizeof *L->sh);
    const Elf64_Shdr *ss = &L->sh[eh.e_shstrndx];
    if (ss->sh_type != SHT_STRTAB || !in_bounds(ss->sh_offset, ss->sh_size, L->size))
        return fail(L, "bad section name table%s", "");
    L->shstr = (const char *)L->data + ss->sh_offset;
    L->shstr_size = ss->sh_size;
    const Elf64_Shdr *symtab = NULL;
    for (unsigned i = 0; i < L->nsh; i++)
        if (L->sh[i].sh_type == SHT_SYMTAB) {
            if (symtab != NULL)
                return fail(L, "two symbol tables%s", "");
            symtab = &L->sh[i];
        }
    if (symtab == NULL || symtab->sh_entsize != sizeof(Elf64_Sym) ||
        !in_bounds(symtab->sh_offset, symtab->sh_size, L->size) ||
        symtab->sh_link >= L->nsh)
        return fail(L, "bad symbol table%s", "");
    const Elf64_Shdr *st = &L->sh[symtab->sh_link];
    if (st->sh_type != SHT_STRTAB || !in_bounds(st->sh_offset, st->sh_size, L->size))
        return fail(L, "bad string table%s", "");
    L->str = (const char *)L->data + st->sh_offset;
    L->str_size = st->sh_size;
    L->nsyms = symtab->sh_size / sizeof(Elf64_Sym);
    size_t n = L->nsyms ? L->nsyms : 1;
    L->syms = malloc(n * sizeof *L->syms);
    L->got = calloc(n, sizeof *L->got);
    L->stub = calloc(n, sizeof *L->stub);
    L->addr = calloc(n, sizeof *L->addr);
    L->resolved = calloc(n, 1);
    if (L->syms == NULL || L->got == NULL || L->stub == NULL ||
        L->addr == NULL || L->resolved == NULL)
        return fail(L, "out of memory%s", "");
    memcpy(L->syms, L->data + symtab->sh_offset, L->nsyms * sizeof *L->syms);
    return true;
}

/* Which group section i goes in, G_COUNT when it is not loaded, or -1
 * when the loader does not know it. */
static int section_group(loader *L, unsigned i)
{
    const Elf64_Shdr *s = &L->sh[i];
    if (!(s->sh_flags & SHF_ALLOC))
        return G_COUNT;
    const char *name = str_at(L->shstr, L->shstr_size, s->sh_name);
    if (name == NULL)
        return -1;
    if (s->sh_type == SHT_X86_64_UNWIND || s->sh_type == SHT_NOTE ||
        strcmp(name, ".eh_frame") == 0)
        return G_COUNT;
    if ((s->sh_type != SHT_PROGBITS && s->sh_type != SHT_NOBITS) ||
        (s->sh_flags & (SHF_TLS | SHF_EXCLUDE)))
        return -1;
    if (s->sh_addralign > PAGE || (s->sh_addralign & (s->sh_addralign - 1)))
        return -1;
    if (s->sh_type == SHT_PROGBITS && !in_bounds(s->sh_offset, s->sh_size, L->size))
        return -1;
    if (s->sh_size > MAX_MAP)
        return -1;
    return (s->sh_flags & SHF_EXECINSTR) ? G_TEXT
           : (s->sh_flags & SHF_WRITE)   ? G_DATA
                                         : G_RODATA;
}

/* The relocation section i's entries, when it applies to a loaded
 * section: *n of them at *rel (unaligned: read with memcpy).  Returns 1,
 * 0 for a section to skip, -1 for one the loader does not know. */
static int rela_of(loader *L, unsigned i, const unsigned char **rel, size_t *n)
{
    const Elf64_Shdr *s = &L->sh[i];
    if (s->sh_type != SHT_RELA && s->sh_type != SHT_REL)
        return 0;
    if (s->sh_info >= L->nsh)
        return -1;
    if (L->off[s->sh_info] < 0)
        return 0; /* .rela.eh_frame, debug sections */
    if (s->sh_type == SHT_REL || s->sh_entsize != sizeof(Elf64_Rela) ||
        s->sh_link >= L->nsh ||
        L->sh[s->sh_link].sh_type != SHT_SYMTAB ||
        !in_bounds(s->sh_offset, s->sh_size, L->size) ||
        L->sh[s->sh_info].sh_type != SHT_PROGBITS)
        return -1;
    *rel = L->data + s->sh_offset;
    *n = s->sh_size / sizeof(Elf64_Rela);
    return 1;
}

static bool known_type(uint32_t t)
{
    switch (t) {
    case R_X86_64_NONE: case R_X86_64_64: case R_X86_64_PC32:
    case R_X86_64_PLT32: case R_X86_64_GOTPCREL: case R_X86_64_GOTPCRELX:
    case R_X86_64_REX_GOTPCRELX: case R_X86_64_32S: case R_X86_64_32:
    case R_X86_64_PC64:
        return true;
    default:
        return false;
    }
}

/* Lays out the sections, and counts the GOT slots and stubs the
 * relocations need. */
static bool lay_out(loader *L)
{
    int grp[MAX_SECTIONS];
    for (unsigned i = 0; i < L->nsh; i++) {
        grp[i] = section_group(L, i);
        if (grp[i] < 0)
            return fail(L, "unsupported section %s",
                        str_at(L->shstr, L->shstr_size, L->sh[i].sh_name)
                            ? str_at(L->shstr, L->shstr_size, L->sh[i].sh_name)
                            : "?");
        L->off[i] = grp[i] == G_COUNT ? -1 : 0; /* loaded: set below */
    }
    for (unsigned i = 0; i < L->nsh; i++) {
        const unsigned char *rel;
        size_t n;
        int r = rela_of(L, i, &rel, &n);
        if (r < 0)
            return fail(L, "unsupported relocation section%s", "");
        for (size_t k = 0; r > 0 && k < n; k++) {
            Elf64_Rela ra;
            memcpy(&ra, rel + k * sizeof ra, sizeof ra);
            uint32_t t = ELF64_R_TYPE(ra.r_info);
            uint64_t si = ELF64_R_SYM(ra.r_info);
            if (!known_type(t))
                return fail(L, "unsupported relocation type%s", "");
            if (si >= L->nsyms || (si == 0 && t != R_X86_64_NONE))
                return fail(L, "bad symbol index%s", "");
            bool undef = L->syms[si].st_shndx == SHN_UNDEF;
            if ((t == R_X86_64_GOTPCREL || t == R_X86_64_GOTPCRELX ||
                 t == R_X86_64_REX_GOTPCRELX || (t == R_X86_64_PLT32 && undef)) &&
                L->got[si] == 0)
                L->got[si] = (uint32_t)++L->ngot;
            if (t == R_X86_64_PLT32 && undef && L->stub[si] == 0)
                L->stub[si] = (uint32_t)++L->nstub;
        }
    }
    size_t at = 0;
    for (int g = 0; g < G_COUNT; g++) {
        at = (at + PAGE - 1) & ~(size_t)(PAGE - 1);
        L->group[g][0] = at;
        for (unsigned i = 0; i < L->nsh; i++) {
            if (grp[i] != g)
                continue;
            size_t a = L->sh[i].sh_addralign ? L->sh[i].sh_addralign : 1;
            at = (at + a - 1) & ~(a - 1);
            L->off[i] = (int64_t)at;
            at += L->sh[i].sh_size;
        }
        if (g == G_TEXT) {
            at = (at + 15) & ~(size_t)15;
            L->stubs_at = at;
            at += L->nstub * STUB_SIZE;
        } else if (g == G_RODATA) {
            at = (at + 7) & ~(size_t)7;
            L->got_at = at;
            at += L->ngot * 8;
        }
        L->group[g][1] = at;
    }
    L->map_size = (at + PAGE - 1) & ~(size_t)(PAGE - 1);
    if (L->map_size == 0 || L->map_size > MAX_MAP)
        return fail(L, "nothing to load, or too much%s", "");
    return true;
}

/* Symbol si's address into *out. */
static bool symbol(loader *L, uint64_t si, uint64_t *out)
{
    if (L->resolved[si]) {
        *out = L->addr[si];
        return true;
    }
    const Elf64_Sym *s = &L->syms[si];
    uint64_t a;
    if (s->st_shndx == SHN_UNDEF) {
        const char *name = str_at(L->str, L->str_size, s->st_name);
        if (name == NULL || *name == '\0')
            return fail(L, "bad symbol name%s", "");
        void *p = jx_obj_resolve(name);
        if (p == NULL)
            return fail(L, "unresolved symbol %s", name);
        a = (uint64_t)(uintptr_t)p;
    } else if (s->st_shndx == SHN_ABS) {
        a = s->st_value;
    } else if (s->st_shndx >= SHN_LORESERVE || s->st_shndx >= L->nsh ||
               L->off[s->st_shndx] < 0 ||
               s->st_value > L->sh[s->st_shndx].sh_size) {
        return fail(L, "symbol in a section not loaded%s", "");
    } else {
        a = (uint64_t)(uintptr_t)L->base + (uint64_t)L->off[s->st_shndx] +
            s->st_value;
    }
    L->addr[si] = a;
    L->resolved[si] = 1;
    *out = a;
    return true;
}

static bool fits32s(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* *v = s + a - p; false when that overflows (an addend from a bad file). */
static bool sum(int64_t s, int64_t a, int64_t p, int64_t *v)
{
    int64_t t;
    return !__builtin_add_overflow(s, a, &t) && !__builtin_sub_overflow(t, p, v);
}

/* Applies the relocations of every loaded section; fills the GOT and the
 * stubs. */
static bool relocate(loader *L)
{
    for (uint64_t si = 1; si < L->nsyms; si++) {
        uint64_t a;
        if (L->got[si] == 0)
            continue;
        if (!symbol(L, si, &a))
            return false;
        unsigned char *slot = L->base + L->got_at + (L->got[si] - 1) * 8;
        memcpy(slot, &a, 8);
        if (L->stub[si] != 0) {
            unsigned char *st = L->base + L->stubs_at + (L->stub[si] - 1) * STUB_SIZE;
            int32_t d = (int32_t)((intptr_t)slot - (intptr_t)(st + 6));
            st[0] = 0xff;
            st[1] = 0x25;
            memcpy(st + 2, &d, 4);
            st[6] = st[7] = 0xcc;
        }
    }
    for (unsigned i = 0; i < L->nsh; i++) {
        const unsigned char *rel;
        size_t n;
        if (rela_of(L, i, &rel, &n) <= 0)
            continue;
        const Elf64_Shdr *tgt = &L->sh[L->sh[i].sh_info];
        unsigned char *sec = L->base + L->off[L->sh[i].sh_info];
        for (size_t k = 0; k < n; k++) {
            Elf64_Rela ra;
            memcpy(&ra, rel + k * sizeof ra, sizeof ra);
            uint32_t t = ELF64_R_TYPE(ra.r_info);
            uint64_t si = ELF64_R_SYM(ra.r_info);
            if (t == R_X86_64_NONE)
                continue;
            size_t width = (t == R_X86_64_64 || t == R_X86_64_PC64) ? 8 : 4;
            if (!in_bounds(ra.r_offset, width, tgt->sh_size))
                return fail(L, "relocation outside its section%s", "");
            unsigned char *p = sec + ra.r_offset;
            int64_t P = (int64_t)(uintptr_t)p, A = ra.r_addend, S;
            uint64_t s;
            if (!symbol(L, si, &s))
                return false;
            S = (int64_t)s;
            int64_t v;
            bool ok = true;
            switch (t) {
            case R_X86_64_64:
            case R_X86_64_PC64:
                v = t == R_X86_64_64 ? (int64_t)((uint64_t)S + (uint64_t)A)
                                     : (int64_t)((uint64_t)S + (uint64_t)A - (uint64_t)P);
                memcpy(p, &v, 8);
                continue;
            case R_X86_64_PLT32:
                if (L->stub[si] != 0)
                    S = (int64_t)(uintptr_t)(L->base + L->stubs_at +
                                             (L->stub[si] - 1) * STUB_SIZE);
                ok = sum(S, A, P, &v);
                break;
            case R_X86_64_PC32:
                ok = sum(S, A, P, &v);
                break;
            case R_X86_64_GOTPCREL:
            case R_X86_64_GOTPCRELX:
            case R_X86_64_REX_GOTPCRELX:
                ok = sum((int64_t)(uintptr_t)(L->base + L->got_at +
                                              (L->got[si] - 1) * 8),
                         A, P, &v);
                break;
            case R_X86_64_32S:
                ok = sum(S, A, 0, &v);
                break;
            default: /* R_X86_64_32 */
                if (!sum(S, A, 0, &v) || v < 0 || v > (int64_t)UINT32_MAX)
                    return fail(L, "address out of 32-bit range%s", "");
                uint32_t u = (uint32_t)v;
                memcpy(p, &u, 4);
                continue;
            }
            if (!ok || !fits32s(v))
                return fail(L, "address out of 32-bit range%s", "");
            int32_t w = (int32_t)v;
            memcpy(p, &w, 4);
        }
    }
    return true;
}

/* The entry symbol's address: a function defined in a text section. */
static bool find_entry(loader *L, const char *entry, uint64_t *out)
{
    for (uint64_t si = 1; si < L->nsyms; si++) {
        const Elf64_Sym *s = &L->syms[si];
        const char *name = str_at(L->str, L->str_size, s->st_name);
        if (name == NULL || strcmp(name, entry) != 0)
            continue;
        if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_shndx == SHN_UNDEF ||
            s->st_shndx >= L->nsh || !(L->sh[s->st_shndx].sh_flags & SHF_EXECINSTR))
            return fail(L, "entry point is not a function%s", "");
        return symbol(L, si, out);
    }
    return fail(L, "no entry point %s", entry);
}

static bool protect(loader *L)
{
    static const int prot[G_COUNT] = {PROT_READ | PROT_EXEC, PROT_READ,
                                      PROT_READ | PROT_WRITE};
    for (int g = 0; g < G_DATA; g++) {
        size_t lo = L->group[g][0];
        size_t hi = (L->group[g][1] + PAGE - 1) & ~(size_t)(PAGE - 1);
        if (hi > lo && mprotect(L->base + lo, hi - lo, prot[g]) != 0)
            return fail(L, "mprotect failed%s", "");
    }
    return true;
}

int jx_obj_load(const void *data, size_t size, const char *entry,
                jx_kernel_fn *fn, jx_obj_image **img, char *why,
                size_t why_size)
{
    *fn = NULL;
    *img = NULL;
    if (why != NULL && why_size > 0)
        why[0] = '\0';
    loader L;
    memset(&L, 0, sizeof L);
    L.data = data;
    L.size = size;
    L.why = why;
    L.why_size = why_size;
    uint64_t at = 0;
    bool ok = data != NULL && read_tables(&L) && lay_out(&L);
    if (ok) {
        void *m = mmap(NULL, L.map_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ok = m != MAP_FAILED || fail(&L, "mmap failed%s", "");
        L.base = ok ? m : NULL;
    }
    if (ok) {
        for (unsigned i = 0; i < L.nsh; i++)
            if (L.off[i] >= 0 && L.sh[i].sh_type == SHT_PROGBITS)
                memcpy(L.base + L.off[i], L.data + L.sh[i].sh_offset,
                       L.sh[i].sh_size);
        ok = relocate(&L) && find_entry(&L, entry, &at) && protect(&L);
    }
    jx_obj_image *im = ok ? malloc(sizeof *im) : NULL;
    if (ok && im == NULL)
        ok = fail(&L, "out of memory%s", "");
    if (!ok && L.base != NULL)
        munmap(L.base, L.map_size);
    free(L.sh);
    free(L.off);
    free(L.syms);
    free(L.got);
    free(L.stub);
    free(L.addr);
    free(L.resolved);
    if (!ok)
        return -1;
    im->base = L.base;
    im->size = L.map_size;
    *img = im;
    *fn = (jx_kernel_fn)(uintptr_t)at;
    return 0;
}

void jx_obj_free(jx_obj_image *img)
{
    if (img == NULL)
        return;
    munmap(img->base, img->size);
    free(img);
}

#else /* not x86-64 ELF */

int jx_obj_load(const void *data, size_t size, const char *entry,
                jx_kernel_fn *fn, jx_obj_image **img, char *why,
                size_t why_size)
{
    (void)data, (void)size, (void)entry;
    *fn = NULL;
    *img = NULL;
    say(why, why_size, "not an x86-64 ELF host");
    return -1;
}

void jx_obj_free(jx_obj_image *img) { (void)img; }

#endif
