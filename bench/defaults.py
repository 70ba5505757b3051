#!/usr/bin/env python3
"""defaults.py - the expressions that lost to NumPy with the old defaults.

    /usr/bin/python3 bench/defaults.py [--n 2e6] [--threads 1]

Issue 11 measured these on a Zen 5 host with kdamond running: with the
result cache marking kept blocks MADV_FREE and SLEEF's log, jitexpr lost
to NumPy on most of them.  This prints, for each, the median time of
NumPy, numexpr (if installed) and jitexpr in its default configuration,
interleaved, and jitexpr's ratio to each (below 1: jitexpr is faster),
without `out` (fresh results, as the issue measured).  Then the
implementations the engine chose for the math functions.  No pass/fail.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "py"))

import numpy as np  # noqa: E402

import jitexpr  # noqa: E402

try:
    import numexpr
except ImportError:
    numexpr = None


def rows(n):
    rng = np.random.default_rng(1)
    m = int(round(n ** 0.5))
    i = rng.integers(0, 1000, n).astype(np.int32)
    j = rng.integers(0, 1000, n).astype(np.int32)
    af, bf, cf = (rng.random(n, np.float32) for _ in range(3))
    a, b = rng.random(n) + 0.01, rng.random(n) + 0.01
    h = rng.random(n).astype(np.float16)
    u, v = rng.random(m), rng.random(m)
    x, y = rng.random((m, m)), rng.random((m, m))
    z = a + 1j * b
    return [
        ("int32 (i*3 + j) % 7", "(i*3 + j) % 7", dict(i=i, j=j), lambda: (i * 3 + j) % 7),
        ("float32 af*bf + cf*af - bf", "af*bf + cf*af - bf", dict(af=af, bf=bf, cf=cf),
         lambda: af * bf + cf * af - bf),
        ("af + b (f32 + f64)", "af + b", dict(af=af, b=b), lambda: af + b),
        ("u[:, None] * v", "U * v", dict(U=u[:, None], v=v), lambda: u[:, None] * v),
        ("x*y + x.T", "x*y + xT", dict(x=x, y=y, xT=x.T), lambda: x * y + x.T),
        ("a**2.5", "a**2.5", dict(a=a), lambda: a ** 2.5),
        ("log1p(a)*cbrt(b)", "log1p(a)*cbrt(b)", dict(a=a, b=b), lambda: np.log1p(a) * np.cbrt(b)),
        ("float16 h*2 + 1", "h*2 + 1", dict(h=h), lambda: h * 2 + 1),
        ("log(a)", "log(a)", dict(a=a), lambda: np.log(a)),
        ("log(a) + tanh(b)", "log(a) + tanh(b)", dict(a=a, b=b), lambda: np.log(a) + np.tanh(b)),
        ("a + b", "a + b", dict(a=a, b=b), lambda: a + b),
        ("complex exp(z)*z", "exp(z)*z", dict(z=z), lambda: np.exp(z) * z),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=float, default=2e6)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    jitexpr.set_num_threads(args.threads)
    if numexpr is not None:
        numexpr.set_num_threads(args.threads)
    print("n = %d, %d thread(s); ms per call, median of %d interleaved rounds"
          % (args.n, args.threads, args.rounds))
    print("%-28s %9s %9s %9s %7s %7s" % ("expression", "NumPy", "numexpr", "jitexpr",
                                         "jx/np", "jx/ne"))
    for name, ex, d, np_fn in rows(int(args.n)):
        engines = {"np": np_fn, "jx": lambda: jitexpr.evaluate(ex, local_dict=d)}
        if numexpr is not None:
            try:
                numexpr.evaluate(ex, local_dict=d)
                engines["ne"] = lambda: numexpr.evaluate(ex, local_dict=d)
            except Exception:
                pass
        times = {k: [] for k in engines}
        for f in engines.values():
            f()
        order = list(engines)
        for r in range(args.rounds):
            for k in order[r % len(order):] + order[:r % len(order)]:
                t = time.perf_counter()
                engines[k]()
                times[k].append(time.perf_counter() - t)
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        ne = med.get("ne")
        print("%-28s %9.3f %9s %9.3f %7.2f %7s" % (
            name, med["np"], "%.3f" % ne if ne else "-", med["jx"], med["jx"] / med["np"],
            "%.2f" % (med["jx"] / ne) if ne else "-"))
    print()
    print(jitexpr.target_info().split("\n", 1)[0][:60] + " ...")
    for line in jitexpr.target_info().split("\n")[1:]:
        print(line if line.startswith("run: ") else "math: " + line)


if __name__ == "__main__":
    main()
