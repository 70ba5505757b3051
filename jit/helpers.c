/* helpers.c - the functions of this library that kernels call by name
 * (jx_cg_helpers; cmath.c's complex functions have their own list):
 * bytes.c's comparisons. */
#include "codegen.h"

#include "../src/bytes.h"

static const jx_cg_helper helpers[] = {
    {"jx_bytes_cmp", (void *)jx_bytes_cmp},
    {"jx_bytes_contains", (void *)jx_bytes_contains},
    {NULL, NULL},
};

const jx_cg_helper *jx_cg_helpers(void) { return helpers; }
