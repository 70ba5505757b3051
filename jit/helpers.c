/* helpers.c - the functions of this library that kernels call by name
 * (jx_cg_helpers; cmath.c's complex functions have their own list):
 * bytes.c's comparisons, and libm's scalar sin, cos and tan under names
 * of our own.
 *
 * Why libm's functions need other names: vmath_trig.c's kernels hold for
 * |x| <= 2^24 (float: 2^16), and the loop after the fast one computes the
 * elements out of that range (loops.c).  Called as `sin`, LLVM knows the
 * function: the loop vectorizer replaces the call with libmvec's vector
 * variant, whose last bit may differ from libm's scalar function, so the
 * bits of an element depended on whether it fell in a vector or in the
 * remainder, and on the tier (the quick code is a scalar loop); module.c
 * then refused the quick tier to every kernel with sin, cos or tan.
 * Under a jx_ name the call is opaque: one scalar call per element out of
 * range, the same function at every position and in both tiers. */
#include "codegen.h"

#include <math.h>
#include <string.h>

#include "../src/bytes.h"

static double hp_sin(double x) { return sin(x); }
static double hp_cos(double x) { return cos(x); }
static double hp_tan(double x) { return tan(x); }
static float hp_sinf(float x) { return sinf(x); }
static float hp_cosf(float x) { return cosf(x); }
static float hp_tanf(float x) { return tanf(x); }

/* libm's function fn (the double name) and the helper that calls it, for
 * double and for float. */
static const struct {
    const char *fn;
    const char *name[2]; /* [f32] */
} libm_rows[] = {
    {"sin", {"jx_hp_sin", "jx_hp_sinf"}},
    {"cos", {"jx_hp_cos", "jx_hp_cosf"}},
    {"tan", {"jx_hp_tan", "jx_hp_tanf"}},
};

static const jx_cg_helper helpers[] = {
    {"jx_bytes_cmp", (void *)jx_bytes_cmp},
    {"jx_bytes_contains", (void *)jx_bytes_contains},
    {"jx_hp_sin", (void *)hp_sin},
    {"jx_hp_cos", (void *)hp_cos},
    {"jx_hp_tan", (void *)hp_tan},
    {"jx_hp_sinf", (void *)hp_sinf},
    {"jx_hp_cosf", (void *)hp_cosf},
    {"jx_hp_tanf", (void *)hp_tanf},
    {NULL, NULL},
};

const jx_cg_helper *jx_cg_helpers(void) { return helpers; }

const char *jx_hp_libm_name(const char *fn, bool f32)
{
    for (size_t k = 0; k < sizeof libm_rows / sizeof libm_rows[0]; k++)
        if (strcmp(libm_rows[k].fn, fn) == 0)
            return libm_rows[k].name[f32];
    return NULL;
}
