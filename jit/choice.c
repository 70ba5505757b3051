/* choice.c - which implementation of a math function kernels use, where
 * vmath.c has a kernel and the vector library a function too: ours or the
 * library's, per function and precision, decided once per process.
 *
 * A choice is decided the first time a kernel needs it, in one of four
 * ways, and jx_jit_describe says which:
 *   forced    JITEXPR_MATHLIB says "own" or "lib" (for all functions or
 *             this one);
 *   measured  the engine times both on this machine (calib.c) and takes
 *             the faster;
 *   kernel    a kernel loaded from the disk cache was made with it
 *             (jx_jit_adopt_choices), so this process computes the
 *             function the same way in every kernel;
 *   stored    an earlier process on this machine measured it, and the
 *             disk cache kept its timings (jx_jit_adopt_stored; the file
 *             is src/choicestore.c's).
 * Forced choices always win: JITEXPR_MATHLIB is part of the target id,
 * so stored ones never cross it anyway. */
#include "choice.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib.h"

/* The implementation of one function at one precision. */
typedef struct jx_choice {
    char mode;     /* JITEXPR_MATHLIB: 'a' measure, 'o' ours, 'l' library */
    bool decided;  /* lib is set */
    bool lib;      /* kernels call the library's function */
    bool measured; /* ns holds the timing that decided it, in this process */
    bool adopted;  /* taken from a stored kernel (jx_jit_adopt_choices) */
    bool stored;   /* taken from the stored choices (jx_jit_adopt_stored) */
    bool timed;    /* ns is known (measured, or stored with timings) */
    double ns[JX_CAL_NS]; /* ns/element: ours, the library's, in cache
                           * and from memory (calib.c) */
} jx_choice;

/* A library function must be this much faster than our kernel to be
 * chosen, in cache and from memory: ours is exact in its timing (no
 * masked loads, no page it depends on) and its results the same on every
 * machine. */
#define JX_LIB_MARGIN 0.97

/* Choices by op (LIBM rows) and precision [f32]; decided on first use. */
static struct {
    pthread_mutex_t lock; /* held while deciding (measuring) */
    jx_choice c[JX_OP_COUNT][2];
    uint64_t measured;    /* measurements run in this process */
    uint64_t stored;      /* choices taken from the stored ones */
} choices = {.lock = PTHREAD_MUTEX_INITIALIZER};

void jx_choice_lock(void) { pthread_mutex_lock(&choices.lock); }
void jx_choice_unlock(void) { pthread_mutex_unlock(&choices.lock); }

/* The name of op's function in JITEXPR_MATHLIB and jx_jit_describe: as in
 * expressions ("arctan2"), or its VEC row of the op table's JX_LIBCALLS
 * ("pow" for a float power). */
static const char *choice_name(int op)
{
    const jx_libcall *lc = jx_ops_libcall(op);
    return lc != NULL && lc->how == JX_LC_VEC ? lc->fn : jx_ops[op].spell;
}

/* The name of op's function in choices texts: libm's, as the code
 * generator asks for it ("atan2", "pow"); jx_cal_libm_op's inverse. */
static const char *libm_name(int op)
{
    if (jx_ops[op].low == JX_L_LIBM && jx_ops[op].fn != NULL)
        return jx_ops[op].fn;
    const jx_libcall *lc = jx_ops_libcall(op);
    return lc != NULL && lc->how == JX_LC_VEC ? lc->fn : "?";
}

/* The mode letter of a JITEXPR_MATHLIB word ("auto", "own", "lib"), or
 * 0. */
static char mathlib_mode(const char *w, size_t n)
{
    return n == 4 && memcmp(w, "auto", 4) == 0 ? 'a'
           : n == 3 && memcmp(w, "own", 3) == 0 ? 'o'
           : n == 3 && memcmp(w, "lib", 3) == 0 ? 'l'
                                                 : 0;
}

/* The op a JITEXPR_MATHLIB name (n bytes) stands for: a LIBM row of the
 * op table by its name in expressions ("arctan2") or libm's ("atan2"), or
 * the float power ("pow"); -1 for anything else. */
static int mathlib_op(const char *name, size_t n)
{
    char fn[16];
    if (n >= sizeof fn)
        return -1;
    memcpy(fn, name, n);
    fn[n] = '\0';
    int op = jx_cal_libm_op(fn);
    if (op < 0) {
        op = jx_ops_find_function(name, n);
        if (op >= 0 && jx_ops[op].low != JX_L_LIBM)
            op = -1;
    }
    return op;
}

/* choices.c[][].mode from JITEXPR_MATHLIB: comma-separated words, a mode
 * for every function and "name=mode" for one (its name in expressions or
 * libm's: "arctan2" or "atan2"); the default and anything unreadable:
 * auto. */
void jx_choice_init(void)
{
    const char *env = getenv("JITEXPR_MATHLIB");
    char all = 'a';
    for (const char *p = env ? env : ""; *p != '\0';) {
        size_t len = strcspn(p, ",");
        const char *eq = memchr(p, '=', len);
        if (eq == NULL && mathlib_mode(p, len) != 0)
            all = mathlib_mode(p, len);
        size_t nl = eq ? (size_t)(eq - p) : 0;
        char m = eq ? mathlib_mode(eq + 1, len - nl - 1) : 0;
        int op = eq ? mathlib_op(p, nl) : -1;
        if (m != 0 && op >= 0)
            choices.c[op][0].mode = choices.c[op][1].mode = m;
        p += len + (p[len] == ',');
    }
    for (int op = 0; op < JX_OP_COUNT; op++)
        for (int f = 0; f < 2; f++)
            if (choices.c[op][f].mode == 0)
                choices.c[op][f].mode = all;
}

bool jx_choice_use_lib(const char *fn, bool f32, jx_choice_measure_fn measure)
{
    int op = jx_cal_libm_op(fn);
    if (op < 0)
        return false;
    pthread_mutex_lock(&choices.lock);
    jx_choice *c = &choices.c[op][f32];
    if (!c->decided) {
        c->lib = c->mode == 'l';
        if (c->mode == 'a') {
            choices.measured++;
            c->measured = measure(fn, f32, c->ns) == 0;
            c->timed = c->measured;
            c->lib = c->measured && c->ns[1] < c->ns[0] * JX_LIB_MARGIN &&
                     c->ns[3] < c->ns[2] * JX_LIB_MARGIN;
        }
        c->decided = true;
    }
    bool lib = c->lib;
    pthread_mutex_unlock(&choices.lock);
    return lib;
}

/* One item of a choices text, "log/64=lib" up to the byte at *end (';'
 * in a kernel's text, ' ' in the stored one): its op, precision and
 * implementation.  Returns false when it is not one. */
static bool parse_item(const char *p, const char **end, int *op, bool *f32,
                       bool *lib, char stop)
{
    const char *slash = strchr(p, '/');
    const char *e = slash ? strchr(slash, stop) : NULL;
    char fn[16], mode[4];
    int bits = 0, used = 0;
    if (e == NULL || slash == p || (size_t)(slash - p) >= sizeof fn ||
        slash[1] < '0' || slash[1] > '9' ||
        memchr(p, '\n', (size_t)(e - p)) != NULL)
        return false;
    memcpy(fn, p, (size_t)(slash - p));
    fn[slash - p] = '\0';
    if (sscanf(slash, "/%2d=%3[a-z]%n", &bits, mode, &used) != 2 ||
        slash + used != e)
        return false;
    *op = jx_cal_libm_op(fn);
    *f32 = bits == 32;
    *lib = strcmp(mode, "lib") == 0;
    *end = e;
    return *op >= 0 && (bits == 32 || bits == 64) &&
           (*lib || strcmp(mode, "own") == 0);
}

/* Whether each choice of a stored kernel ("log/64=lib;...") agrees with
 * this process's: undecided ones are taken from it (so that the process
 * computes log the same way in every kernel, and measures nothing);
 * JITEXPR_MATHLIB's forced ones must match. */
int jx_choice_adopt(const char *text)
{
    int rc = 0;
    pthread_mutex_lock(&choices.lock);
    for (const char *p = text; rc == 0 && *p != '\0';) {
        const char *end;
        int op;
        bool f32, lib;
        if (!parse_item(p, &end, &op, &f32, &lib, ';')) {
            rc = -1;
            break;
        }
        jx_choice *c = &choices.c[op][f32];
        if (c->decided)
            rc = c->lib == lib ? 0 : -1;
        else if (c->mode == 'a') {
            c->lib = lib;
            c->decided = true;
            c->adopted = true;
        } else
            rc = (c->mode == 'l') == lib ? 0 : -1;
        p = end + 1;
    }
    pthread_mutex_unlock(&choices.lock);
    return rc;
}

/* A timing of the stored text: a positive number below 1e6, or "-". */
static bool parse_ns(const char *p, const char **end, double *ns, bool *known)
{
    if (*p == '-') {
        *known = false;
        *end = p + 1;
        return true;
    }
    char *e;
    *ns = strtod(p, &e);
    *known = true;
    *end = e;
    return e != p && *p >= '0' && *p <= '9' && *ns > 0 && *ns < 1e6;
}

/* One line of the stored text (jx_jit_export_choices), the timings in
 * calib.c's order: "log/64=lib 0.41 0.98 0.45 1.02\n" or
 * "log/64=own - - - -\n". */
typedef struct jx_stored_item {
    int op;
    bool f32, lib, timed;
    double ns[JX_CAL_NS];
} jx_stored_item;

int jx_choice_adopt_stored(const char *text)
{
    enum { MAX_ITEMS = 2 * JX_OP_COUNT };
    jx_stored_item items[MAX_ITEMS];
    int n = 0;
    for (const char *p = text; *p != '\0'; n++) {
        jx_stored_item *it = &items[n];
        const char *e;
        if (n == MAX_ITEMS ||
            !parse_item(p, &e, &it->op, &it->f32, &it->lib, ' '))
            return -1; /* the whole text, or nothing */
        for (int i = 0; i < JX_CAL_NS; i++) {
            bool known;
            if (*e != ' ' || !parse_ns(e + 1, &e, &it->ns[i], &known) ||
                (i > 0 && known != it->timed))
                return -1;
            it->timed = known;
        }
        if (*e != '\n')
            return -1;
        p = e + 1;
    }
    int taken = 0;
    pthread_mutex_lock(&choices.lock);
    for (int i = 0; i < n; i++) {
        jx_choice *c = &choices.c[items[i].op][items[i].f32];
        if (c->decided || c->mode != 'a')
            continue; /* this process's own, or forced */
        c->decided = c->stored = true;
        c->lib = items[i].lib;
        c->timed = items[i].timed;
        for (int k = 0; k < JX_CAL_NS; k++)
            c->ns[k] = items[i].timed ? items[i].ns[k] : 0;
        choices.stored++;
        taken++;
    }
    pthread_mutex_unlock(&choices.lock);
    return taken;
}

void jx_choice_export(jx_buf *b)
{
    pthread_mutex_lock(&choices.lock);
    for (int op = 0; op < JX_OP_COUNT; op++)
        for (int f = 0; f < 2; f++) {
            const jx_choice *c = &choices.c[op][f];
            if (!c->decided || c->mode != 'a' ||
                !(c->measured || c->adopted || c->stored))
                continue; /* a failed measurement: the next process tries */
            jx_buf_printf(b, "%s/%d=%s ", libm_name(op), f ? 32 : 64,
                          c->lib ? "lib" : "own");
            for (int k = 0; k < JX_CAL_NS; k++)
                if (c->timed)
                    jx_buf_printf(b, "%.4g%c", c->ns[k], k == JX_CAL_NS - 1 ? '\n' : ' ');
                else
                    jx_buf_printf(b, "-%c", k == JX_CAL_NS - 1 ? '\n' : ' ');
        }
    pthread_mutex_unlock(&choices.lock);
}

void jx_choice_counts(uint64_t *measured, uint64_t *stored)
{
    pthread_mutex_lock(&choices.lock);
    *measured = choices.measured;
    *stored = choices.stored;
    pthread_mutex_unlock(&choices.lock);
}

void jx_choice_describe(jx_buf *b)
{
    pthread_mutex_lock(&choices.lock);
    for (int op = 0; op < JX_OP_COUNT; op++)
        for (int f = 0; f < 2; f++) {
            const jx_choice *c = &choices.c[op][f];
            if (!c->decided)
                continue;
            jx_buf_printf(b, "\n%s %s: %s", choice_name(op),
                          f ? "float32" : "float64",
                          c->lib ? "library" : "ours");
            if (c->timed)
                jx_buf_printf(b, " (%s: ours %.2f, library %.2f ns/element in "
                                 "cache; %.2f and %.2f from memory)",
                              c->measured ? "measured"
                                          : "stored: measured by an earlier process",
                              c->ns[0], c->ns[1], c->ns[2], c->ns[3]);
            else
                jx_buf_printf(b, " (%s)", c->stored    ? "stored"
                                          : c->adopted ? "as a stored kernel"
                                          : c->mode == 'a'
                                              ? "measurement failed"
                                              : "JITEXPR_MATHLIB");
        }
    pthread_mutex_unlock(&choices.lock);
}
