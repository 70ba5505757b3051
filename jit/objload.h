/* objload.h - a loader for our own kernels' object files (objload.c), so
 * that a kernel from the disk cache runs without starting LLVM.
 *
 * It knows exactly what LLVM emits for a kernel on x86-64 ELF (PIC, small
 * code model, jit/module.c): the allocatable sections, a handful of
 * relocation types, undefined symbols from libm, libmvec (or SLEEF), our
 * complex helpers (cmath.h) and byte-string helpers (codegen.h).  Anything
 * else makes it answer "unsupported", and engine.c links the object with
 * ORC instead: it never guesses. */
#ifndef JX_OBJLOAD_H
#define JX_OBJLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "jit.h"

/* Loaded code: one mapping holding the sections, the GOT and the stubs. */
typedef struct jx_obj_image {
    void *base;   /* the mapping (munmap'd by jx_obj_free) */
    size_t size;  /* its bytes */
} jx_obj_image;

/* Loads the object data[0..size-1] and looks up its symbol `entry` (a
 * function).  Returns 0 with *fn and *img set, or -1 ("unsupported": a
 * construct the loader does not know, a symbol it cannot resolve, a
 * malformed file, no memory, a host that is not x86-64 ELF) with a short
 * reason in why[0..why_size-1] (why may be NULL); nothing is left
 * allocated then.  Never reads outside data.  Thread-safe. */
JX_INTERNAL int jx_obj_load(const void *data, size_t size, const char *entry,
                            jx_kernel_fn *fn, jx_obj_image **img, char *why,
                            size_t why_size);
/* Unmaps img and frees it; its code must no longer be running. */
JX_INTERNAL void jx_obj_free(jx_obj_image *img);

/* The address of a symbol that kernels may call (the names engine.c
 * defines in the JIT: libm, libmvec or SLEEF, our helpers), or NULL.
 * Vector math libraries are opened the first time one is asked for. */
JX_INTERNAL void *jx_obj_resolve(const char *name);

/* Whether glibc's libmvec is there, without loading it (about 1 ms, which
 * a process whose kernels all come from the disk cache may never need):
 * it is loaded already, or its file is beside libm's.  engine.c decides
 * the target id with this. */
JX_INTERNAL bool jx_obj_libmvec_present(void);
/* The same, and the path to load it by (its link map name, or the file
 * beside libm's) in path[n]: dlopen by path skips the search. */
JX_INTERNAL bool jx_obj_libmvec_path(char *path, size_t n);
/* Whether SLEEF (libsleef.so.3) loads and has a function for the libmvec
 * ISA letter isa ('e' or 'd'; 0: false).  It stays loaded. */
JX_INTERNAL bool jx_obj_sleef_present(char isa);

#endif
