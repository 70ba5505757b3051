#!/usr/bin/env python3
"""The first evaluate() of a fresh process: jitexpr with a cold and a warm
disk cache of kernels, with it off, and numexpr, in the same run.

Each measurement is a new Python process that imports NumPy and the
library (not timed), makes its arrays (n elements, float64), then times
its first call of evaluate(EXPR): for jitexpr that includes starting LLVM,
parsing, the in-memory and disk caches, and the compile or the load of the
kernel (or the interpreter's run), and the evaluation.  Cold: an empty cache
directory each time (the default tier: expressions the interpreter can run
are not compiled on a first call); compiled: the same with
JITEXPR_TIER=compiled (the quick compile, no interpreter);
warm: a directory an earlier process filled; stored: a new expression on a
machine that already measured its math functions (a directory holding
only the stored math choices, *.jxc, of the warm one: no kernel, so the
interpreter's units of its math functions are compiled, once per machine);
seen: a new expression on a machine where an earlier process evaluated
another expression of the same functions (the choices and that process's
files: the units, src/interp.h).  Prints the median of --repeat runs of
each, and the ratios.

    PYTHONPATH=py /usr/bin/python3 bench/compile.py [-n 1000] [--repeat 7]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time
import numpy as np
lib = sys.argv[1]
if lib == "numexpr":
    import numexpr as m
else:
    import jitexpr as m
n = int(sys.argv[2])
a = np.linspace(0.1, 1.1, n)
b = np.linspace(-1.0, 1.0, n)
c = np.linspace(2.0, 3.0, n)
t0 = time.perf_counter()
r = m.evaluate(sys.argv[3])
t1 = time.perf_counter()
print(json.dumps({"ms": (t1 - t0) * 1e3,
                  "disk": m.cache_info()["disk"] if lib != "numexpr" else None}))
"""

EXPRS = ["2*a + 3*b - c", "sin(a)*cos(b) + c", "where(a > b, a*c, b - c)",
         "log(a) + tanh(b)*c", "sum(where(a > b, 1, 0))", "max(a*b - c)", "sum(a*b)"]


def reductions():
    """The spellings of the reductions: the REDUCE rows of src/ops.h, as
    bench/optable.py reads the table."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    from optable import read_ops
    return {op.spell for op in read_ops(os.path.join(here, "..", "src", "ops.h"))
            if op.rule == "REDUCE"}


def other(expr):
    """Another expression of expr's functions, for the column seen: twice
    it (a reduction stays at the root: inside it)."""
    name, _, inner = expr.partition("(")
    if name in reductions():
        return "%s((%s) * 2)" % (name, inner[:-1])
    return "(%s) * 2" % expr


def first_call(lib, n, expr, cache_dir, tier=None):
    env = dict(os.environ)
    env["JITEXPR_CACHE_DIR"] = cache_dir
    env.pop("JITEXPR_TIER", None)
    if tier is not None:
        env["JITEXPR_TIER"] = tier
    out = subprocess.run([sys.executable, "-c", CHILD, lib, str(n), expr],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    top = tempfile.mkdtemp(prefix="jitexpr-bench-cache-")
    try:
        print("n = %d, median of %d fresh processes, ms for the first evaluate()"
              % (args.n, args.repeat))
        print("%-26s %8s %8s %8s %8s %8s %8s %8s %10s %10s" % (
            "expression", "cold", "compiled", "stored", "seen", "warm", "off", "numexpr",
            "cold/ne", "seen/ne"))
        for e, expr in enumerate(EXPRS):
            res = {"cold": [], "compiled": [], "stored": [], "seen": [], "warm": [],
                   "off": [], "numexpr": []}
            warm_dir = os.path.join(top, "warm")
            # fills it with the optimised kernel (the default tier would
            # interpret a first call of some expressions: nothing to store)
            first_call("jitexpr", args.n, expr, warm_dir, tier="full")
            for r in range(args.repeat):
                cold_dir = os.path.join(top, "cold%d-%d" % (e, r))
                res["cold"].append(first_call("jitexpr", args.n, expr, cold_dir)["ms"])
                comp_dir = os.path.join(top, "compiled%d-%d" % (e, r))
                res["compiled"].append(
                    first_call("jitexpr", args.n, expr, comp_dir, tier="compiled")["ms"])
                stored_dir = os.path.join(top, "stored%d-%d" % (e, r))
                os.mkdir(stored_dir, 0o700)
                for f in os.listdir(warm_dir):
                    if f.endswith(".jxc"):
                        shutil.copy2(os.path.join(warm_dir, f), stored_dir)
                s = first_call("jitexpr", args.n, expr, stored_dir)
                assert s["disk"]["hits"] == 0, s
                res["stored"].append(s["ms"])
                seen_dir = os.path.join(top, "seen%d-%d" % (e, r))
                os.mkdir(seen_dir, 0o700)
                for f in os.listdir(warm_dir):
                    if f.endswith(".jxc"):
                        shutil.copy2(os.path.join(warm_dir, f), seen_dir)
                first_call("jitexpr", args.n, other(expr), seen_dir)
                res["seen"].append(first_call("jitexpr", args.n, expr, seen_dir)["ms"])
                w = first_call("jitexpr", args.n, expr, warm_dir)
                assert w["disk"]["hits"] >= 1, w
                res["warm"].append(w["ms"])
                res["off"].append(first_call("jitexpr", args.n, expr, "off")["ms"])
                res["numexpr"].append(first_call("numexpr", args.n, expr, "off")["ms"])
            med = {k: statistics.median(v) for k, v in res.items()}
            print("%-26s %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %10.2f %10.2f" % (
                expr, med["cold"], med["compiled"], med["stored"], med["seen"], med["warm"],
                med["off"], med["numexpr"], med["cold"] / med["numexpr"],
                med["seen"] / med["numexpr"]))
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
