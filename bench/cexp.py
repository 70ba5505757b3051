#!/usr/bin/env python3
"""cexp.py - complex exp(z) and exp(z)*z: jitexpr, NumPy and numexpr.

    JITEXPR_NUM_THREADS=1 /usr/bin/python3 bench/cexp.py [--n 1e6] [--rounds 15]

Run from the top of a build (it finds py/ there), or with PYTHONPATH
pointing at another build's py/ (and LD_LIBRARY_PATH at its
src/.libs) to time that one.  The engines run interleaved, their order
rotating between rounds; each round times `--calls` calls of each and
keeps the fastest.  Prints, per expression and dtype, milliseconds per
call: minimum / median over the rounds.  Data: real parts uniform in
[-2, 2), imaginary parts in [-10, 10).
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if "PYTHONPATH" not in os.environ:
    sys.path.insert(0, os.path.join(HERE, "..", "py"))

import numpy as np  # noqa: E402

import jitexpr  # noqa: E402

try:
    import numexpr
    numexpr.set_num_threads(1)
except ImportError:
    numexpr = None


def np_exp(z, out):
    return np.exp(z, out=out)


def np_expz(z, out):
    r = np.exp(z, out=out)
    return np.multiply(r, z, out=r)


EXPRS = [("exp(z)", np_exp), ("exp(z)*z", np_expz)]


def engines(src, npfn, z, out):
    yield "jitexpr", lambda: jitexpr.evaluate(src, local_dict={"z": z}, out=out)
    yield "numpy", lambda: npfn(z, out)
    if numexpr is not None and z.dtype == np.complex128:
        yield "numexpr", lambda: numexpr.evaluate(src, local_dict={"z": z}, out=out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--calls", type=int, default=5)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    n = int(args.n)
    rng = np.random.default_rng(1)
    for dt in (np.complex128, np.complex64):
        z = (rng.uniform(-2, 2, n) + 1j * rng.uniform(-10, 10, n)).astype(dt)
        out = np.empty_like(z)
        for src, npfn in EXPRS:
            fns = list(engines(src, npfn, z, out))
            for _, f in fns:
                f()  # compile, fault the pages in
            times = {name: [] for name, _ in fns}
            for r in range(args.rounds):
                k = r % len(fns)
                for name, f in fns[k:] + fns[:k]:
                    best = float("inf")
                    for _ in range(args.calls):
                        t0 = time.perf_counter()
                        f()
                        best = min(best, time.perf_counter() - t0)
                    times[name].append(best * 1e3)
            cells = ["%s %.2f / %.2f" % (name, min(t), statistics.median(t))
                     for name, t in times.items()]
            print("%s n=%d %-10s %-9s %s" % (args.label, n, src, np.dtype(dt).name,
                                              "  ".join(cells)), flush=True)


if __name__ == "__main__":
    main()
