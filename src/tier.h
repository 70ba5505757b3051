/* tier.h - the two tiers of a kernel's code: when the quick code (a
 * short compile, jit.h's JX_JIT_QUICK) is still worth running and when
 * the optimised one is worth compiling, from times measured in this
 * process.
 *
 * A kernel missing from both caches is compiled quick first where the
 * JIT allows (its results are the same bits).  The caller that would next
 * run it compiles the optimised code once the time spent running the
 * quick code, this call's included, reaches the estimated time of that
 * compile (the rule of renting skis until renting has cost what buying
 * does: never more than about twice the better choice in hindsight).  A
 * call on a large array reaches it at once.  The compile runs in the
 * caller, not a background thread: a compile still running when the
 * process exits would meet LLVM's static destructors (a crash seen in
 * check_eval: a test process that exited during its first optimised
 * compile).  cache.c holds the kernels. */
#ifndef JX_TIER_H
#define JX_TIER_H

#include <stdbool.h>

#include "util.h"

/* JITEXPR_TIER or jx_set_tier: auto (the default: interpreted first
 * where interp.h can, else quick), full (never interpreted or quick:
 * every kernel optimised before its first run), quick (quick code only,
 * never interpreted or optimised), compiled (auto without the
 * interpreter: quick first), interp (interpreted where it can, else
 * quick; never optimised).  The last three are for tests and
 * comparisons. */
typedef enum jx_tier_mode {
    JX_TIER_AUTO,
    JX_TIER_FULL,
    JX_TIER_QUICK,
    JX_TIER_COMPILED,
    JX_TIER_INTERP
} jx_tier_mode;
/* The mode of a word, or -1; the word of a mode. */
JX_INTERNAL int jx_tier_mode_parse(const char *word);
JX_INTERNAL const char *jx_tier_mode_name(jx_tier_mode m);
JX_INTERNAL jx_tier_mode jx_tier_mode_get(void);
/* Sets the mode; returns the previous one. */
JX_INTERNAL jx_tier_mode jx_tier_mode_set(jx_tier_mode m);

/* The estimates, learned in this process (lock-protected; medians of
 * the last samples):
 *   the time of the optimised compile of a kernel whose quick compile
 *   took quick_ns (times the ratio of the two compiles' times of the
 *   kernels compiled both ways); quick_ns <= 0 (a kernel interpreted, or
 *   loaded quick from the disk): the optimised compiles' own times where
 *   some were measured, else a quick compile's times the ratio;
 *   the time of a run of `units` work units (elements times the IR's
 *   cost) of quick code, or interpreted (interp), per unit as measured in
 *   such runs. */
JX_INTERNAL int64_t jx_tier_full_estimate(int64_t quick_ns);
JX_INTERNAL int64_t jx_tier_quick_estimate(int64_t units, bool interp);
JX_INTERNAL void jx_tier_learn_quick(int64_t quick_ns);
/* An optimised compile's time; quick_ns: its kernel's quick compile (0:
 * it had none). */
JX_INTERNAL void jx_tier_learn_compile(int64_t quick_ns, int64_t full_ns);
JX_INTERNAL void jx_tier_learn_run(int64_t units, int64_t ns, bool interp);

#endif
