#!/usr/bin/env python3
"""compile_size.py - compile time against the size of one expression.

    /usr/bin/python3 bench/compile_size.py
    /usr/bin/python3 bench/compile_size.py --k 100,1000 --fn sin,tanh --dtype float32

Run from the top of a build (it finds py/ there) or with jitexpr installed.
For each function and k, one expression of k distinct terms, `sin(a*1.0)
+ sin(a*2.0) + ...` (arctan2: `arctan2(a*1.0, b) + ...`), evaluated once
at n = 1000 with disable_cache (a fresh compilation): the seconds of that
call, the median of --repeat, as wall-clock and as CPU time of the process
(the compilation runs on the calling thread, so on a loaded machine the
CPU time is the one to compare).  exp is the reference (its kernel is
short).
A first call of `fn(a)` before the timing decides, once per process, which
vector math the engine takes (jit/calib.c), so that the timing is the
compilation.  Targets (issue 15): k = 100 within 0.1 s, 1000 within 1 s,
2000 within 2 s, on an idle machine; the load average is printed first.
No pass/fail.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for cand in (os.path.join(HERE, "..", "py"), os.path.join(os.getcwd(), "py")):
    if os.path.isfile(os.path.join(cand, "jitexpr", "__init__.py")):
        sys.path.insert(0, os.path.abspath(cand))
        break

import numpy as np  # noqa: E402

import jitexpr  # noqa: E402

FUNCTIONS = "sin,tanh,arctan2,cbrt,log1p,expm1,exp"
TARGET = {100: 0.1, 1000: 1.0, 2000: 2.0}


def expression(fn, k):
    """k distinct terms of fn, summed."""
    if fn == "arctan2":
        return " + ".join("arctan2(a*%d.0, b)" % (i + 1) for i in range(k))
    return " + ".join("%s(a*%d.0)" % (fn, i + 1) for i in range(k))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--k", default="100,1000,2000", help="term counts (default 100,1000,2000)")
    p.add_argument("--fn", default=FUNCTIONS, help="default " + FUNCTIONS)
    p.add_argument("--dtype", default="float64")
    p.add_argument("--repeat", type=int, default=1, help="compilations per row (median)")
    args = p.parse_args()
    ks = [int(x) for x in args.k.split(",") if x]
    fns = [f for f in args.fn.split(",") if f]

    rng = np.random.default_rng(3)
    d = {v: rng.uniform(0.1, 0.9, 1000).astype(args.dtype) for v in "ab"}
    print("load average %.2f %.2f %.2f; %s; dtype %s" %
          (os.getloadavg() + (jitexpr.__name__, args.dtype)))
    print("%-8s %6s %9s %9s %8s" % ("function", "k", "seconds", "cpu", "target"))
    for fn in fns:
        jitexpr.evaluate(expression(fn, 1), local_dict=d)  # the engine's choice
        for k in ks:
            ex = expression(fn, k)
            ts, cs = [], []
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                jitexpr.evaluate(ex, local_dict=d, disable_cache=True)
                ts.append(time.perf_counter() - t0)
                cs.append(time.process_time() - c0)
            goal = TARGET.get(k)
            print("%-8s %6d %9.3f %9.3f %8s" % (fn, k, statistics.median(ts),
                                                statistics.median(cs),
                                                "%.1f" % goal if goal else "-"),
                  flush=True)


if __name__ == "__main__":
    main()
