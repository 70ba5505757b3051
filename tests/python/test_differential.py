"""Differential test: random expressions, jitexpr against NumPy (NEP 50).

Cases come from exprgen.py (seeded; every op of the library's table, the
casts, the reductions, every dtype, Python and NumPy scalars, literals,
layouts); the oracle, exproracle.py, is NumPy with weak promotion and the
deliberate differences of docs/language.md.  A failure is shrunk to a
minimal case and reported with its seed and a one-line reproducer.  Failures of bugs known
and being fixed are matched by KNOWN below and skipped (counted).

Quick mode: part of the pytest suite (fixed seeds, a few thousand cases).
Long mode:
    /usr/bin/python3 tests/python/test_differential.py --long 3600 --seed 7
    JITEXPR_DIFF_SECONDS=3600 pytest tests/python/test_differential.py
(`make check-diff-long` runs the first for DIFF_SECONDS, default 3600.)
"""

import argparse
import collections
import os
import sys
import time

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import exprgen  # noqa: E402
import exproracle  # noqa: E402
from exprgen import Generator, check, shrink  # noqa: E402
from exproracle import OPS  # noqa: E402


# ---- known bugs ------------------------------------------------------------
#
# One row per bug: (issue-13 item, predicate(case, failure) -> bool, what).
# A failure matched by a row is counted, not reported.  Delete a row when its
# fix lands: the test then fails if the bug is still there.

KNOWN = [
]


def known(case, failure):
    """The KNOWN row matching failure, or None."""
    for item, pred, what in KNOWN:
        try:
            if pred(case, failure):
                return item
        except Exception:  # noqa: BLE001 - a predicate must not hide a failure
            continue
    return None


# ---- running ---------------------------------------------------------------

class Stats:
    def __init__(self):
        self.cases = 0
        self.ok = 0
        self.raised_both = 0
        self.known = collections.Counter()
        self.failures = []          # (case, failure) after shrinking, new bugs
        self.keys = set()
        self.ops = collections.Counter()
        self.dtypes = collections.Counter()
        self.layouts = collections.Counter()

    def count(self, case):
        for op in case.tree.ops_used():
            self.ops[op] += 1
        for v in case.env.values():
            x = v.value
            if exproracle.is_weak(x):
                self.dtypes["py:" + type(x).__name__] += 1
            elif isinstance(x, np.generic):
                self.dtypes["np-scalar:" + x.dtype.name] += 1
            else:
                a = np.asarray(x)
                self.dtypes[a.dtype.name if a.dtype.kind != "S" else "bytes"] += 1
                if a.ndim == 0:
                    self.layouts["0-d"] += 1
                elif a.size == 0:
                    self.layouts["size 0"] += 1
                elif a.size == 1:
                    self.layouts["size 1"] += 1
                elif 0 in a.strides:
                    self.layouts["broadcast"] += 1
                elif a.flags.c_contiguous:
                    self.layouts["C"] += 1
                elif a.flags.f_contiguous:
                    self.layouts["transposed"] += 1
                else:
                    self.layouts["strided"] += 1
        for n in case.tree.nodes():
            if n.kind == "lit":
                self.dtypes["literal:" + type(n.value).__name__] += 1


def run(seeds, ncases=None, seconds=None, stats=None, log=print, shrink_budget=300,
        verbose=False):
    """Run cases from each seed in turn (ncases per seed, or until seconds
    have passed); returns Stats."""
    stats = stats or Stats()
    t_end = time.time() + seconds if seconds else None
    for seed in seeds:
        gen = Generator(seed)
        i = 0
        while True:
            if ncases is not None and i >= ncases:
                break
            if t_end is not None and time.time() > t_end:
                return stats
            case = gen.case(index=i, seed=seed)
            i += 1
            stats.cases += 1
            stats.count(case)
            f = check(case)
            if f is None:
                stats.ok += 1
                continue
            item = known(case, f)
            if item is None:
                small, sf = shrink(case, f, shrink_budget)
                item = known(small, sf)
                if item is None:
                    k = (sf.key(), small.text())
                    if k not in stats.keys:
                        stats.keys.add(k)
                        stats.failures.append((small, sf))
                        log("FAIL seed %d case %d: %s\n  %s\n  %s" % (
                            seed, case.index, sf, small.reproducer(), "(from %s)" % case.text()))
                    continue
            stats.known[item] += 1
            if verbose:
                log("known %s: seed %d case %d: %s\n  %s" % (item, seed, case.index, f,
                                                            case.reproducer()))
    return stats


def summary(stats, elapsed):
    lines = ["%d cases in %.1f s (%.1f/s): %d passed, %d known failures %s, %d new failures" % (
        stats.cases, elapsed, stats.cases / max(elapsed, 1e-9), stats.ok,
        sum(stats.known.values()), dict(sorted(stats.known.items(), key=str)),
        len(stats.failures))]
    lines.append("ops (cases using each): " + ", ".join(
        "%s %d" % kv for kv in sorted(stats.ops.items())))
    missing = [o[0] for o in OPS if o[0] not in stats.ops]
    if missing:
        lines.append("ops never generated: %s" % missing)
    lines.append("operands: " + ", ".join("%s %d" % kv for kv in sorted(stats.dtypes.items())))
    lines.append("layouts: " + ", ".join("%s %d" % kv for kv in sorted(stats.layouts.items())))
    return "\n".join(lines)


# ---- pytest ----------------------------------------------------------------

def test_oracle_knows_every_op():
    """A new op in the library's table must get an oracle here."""
    unknown = exproracle.unknown_ops()
    assert not unknown, ("the differential test's oracle (exproracle.ORACLE) does not know "
                         "these ops of jitexpr._jitexpr._ops(): %s" % unknown)


def test_generator_covers_the_table():
    stats = Stats()
    gen = Generator(1)
    for i in range(1500):
        stats.count(gen.case(index=i, seed=1))
    missing = [o[0] for o in OPS if o[0] not in stats.ops]
    assert not missing, missing
    for d in exproracle.NUM_DTYPES + ["bytes", "py:int", "py:float", "py:complex", "py:bool"]:
        assert stats.dtypes[d] > 0, d
    assert "literal:int" in stats.dtypes and "literal:bytes" in stats.dtypes


def test_oracle_detects_a_wrong_result():
    """The comparison can fail: a wrong value, a wrong dtype, a missing error."""
    v = exproracle.Val(np.array([1.0, 2.0]), 0.0, False)
    assert exprgen.compare_val(np.array([1.0, 2.0000001]), v) is not None
    assert exprgen.compare_val(np.array([1.0, 2.0], np.float32), v) is not None
    assert exprgen.compare_val(np.array([1.0, np.nan]), v) is not None
    assert exprgen.compare_val(np.array([1.0, 2.0]), v) is None


QUICK_SEEDS = [int(s) for s in os.environ.get("JITEXPR_DIFF_SEEDS", "1,2,3,4,5,6").split(",")]
QUICK_CASES = int(os.environ.get("JITEXPR_DIFF_CASES", "400"))


@pytest.mark.parametrize("seed", QUICK_SEEDS)
def test_differential(seed):
    seconds = float(os.environ.get("JITEXPR_DIFF_SECONDS", "0")) or None
    t0 = time.time()
    lines = []
    stats = run([seed], ncases=None if seconds else QUICK_CASES,
                seconds=seconds / len(QUICK_SEEDS) if seconds else None, log=lines.append)
    print(summary(stats, time.time() - t0))
    assert not stats.failures, "%d new failure(s), seed %d:\n%s" % (
        len(stats.failures), seed, "\n".join(lines))


# ---- long mode -------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--long", type=float, default=60, metavar="SECONDS")
    p.add_argument("--seed", type=int, default=None, help="first seed (default: from the time)")
    p.add_argument("-v", "--verbose", action="store_true", help="print the known failures too")
    p.add_argument("--cases", type=int, default=None, help="cases per seed (default: 2000)")
    a = p.parse_args(argv)
    seed0 = a.seed if a.seed is not None else int(time.time()) % 100000
    print("seeds from %d, %.0f s" % (seed0, a.long), flush=True)
    t0 = time.time()
    stats = Stats()
    seed = seed0
    while time.time() - t0 < a.long:
        run([seed], ncases=a.cases or 2000, seconds=a.long - (time.time() - t0), stats=stats,
            log=lambda s: print(s, flush=True), verbose=a.verbose)
        seed += 1
    print("seeds %d..%d" % (seed0, seed - 1))
    print(summary(stats, time.time() - t0))
    for case, f in stats.failures:
        print("new: seed %s case %s: %s\n  %s" % (case.seed, case.index, f, case.reproducer()))
    return 1 if stats.failures else 0


if __name__ == "__main__":
    sys.exit(main())
