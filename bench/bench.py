#!/usr/bin/env python3
"""bench.py - NumPy, numexpr and jitexpr side by side.

    /usr/bin/python3 bench/bench.py            # everything (several minutes)
    /usr/bin/python3 bench/bench.py --quick    # about a minute
    /usr/bin/python3 bench/bench.py --n 1e6 --expr 'a+b,sin' --dtype float32

Run from the top of a build (it finds py/ there) or with jitexpr installed.
For each expression, dtype, n, thread count and with or without a
preallocated `out`, the three engines run interleaved (their order rotates
between rounds) and the table shows median times per call and the ratios
jitexpr/NumPy and jitexpr/numexpr (below 1: jitexpr is faster).  Then the
per-call overhead at n = 10 and the first-call (compile) time.  Rows that an
engine cannot run say "unsupported" (jitexpr) or "error".  No pass/fail.
"""

import argparse
import os
import re
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

try:
    import numexpr
except ImportError:  # the table then has no numexpr column values
    numexpr = None


# ---- the expressions -------------------------------------------------------------
# NumPy's version of each, with `out` used the way a careful NumPy user would.


def np_add(a, b, c, out):
    return np.add(a, b, out=out)


def np_lin(a, b, c, out):
    t = np.multiply(3, b)
    r = np.multiply(2, a, out=out)
    return np.add(r, t, out=r)


def np_fma(a, b, c, out):
    r = np.multiply(a, b, out=out)
    return np.add(r, c, out=r)


def np_poly(a, b, c, out):
    r = np.multiply(0.25, a ** 3, out=out)
    r += 0.75 * a ** 2
    r -= 1.5 * a
    r -= 2
    return r


def np_trig(a, b, c, out):
    r = np.square(np.sin(a), out=out)
    r += np.square(np.cos(b))
    return r


def np_gauss(a, b, c, out):
    r = np.multiply(np.negative(a), a, out=out)
    r /= 2
    return np.exp(r, out=r)


def np_logtanh(a, b, c, out):
    r = np.log(a, out=out)
    r += np.tanh(b)
    return r


def np_arctan2(a, b, c, out):
    return np.arctan2(a, b, out=out)


def np_where(a, b, c, out):
    r = np.where(a > 0.5, a, b)
    if out is not None:
        out[...] = r
        return out
    return r


def np_and(a, b, c, out):
    return np.logical_and(a > 0.3, b < 0.7, out=out)


def np_sum(a, b, c, out):
    return np.sum(a * b)


EXPRESSIONS = [
    ("a+b", np_add),
    ("2*a+3*b", np_lin),
    ("a*b+c", np_fma),
    ("0.25*a**3 + 0.75*a**2 - 1.5*a - 2", np_poly),
    ("sin(a)**2+cos(b)**2", np_trig),
    ("exp(-a*a/2)", np_gauss),
    ("log(a)+tanh(b)", np_logtanh),
    ("arctan2(a,b)", np_arctan2),
    ("where(a>0.5,a,b)", np_where),
    ("(a>0.3)&(b<0.7)", np_and),
    ("sum(a*b)", np_sum),
]


# ---- timing --------------------------------------------------------------------------


def per_call(fn, number):
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def fmt_time(t):
    if t is None:
        return ""
    if isinstance(t, str):
        return t
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if t >= scale:
            return "%.3g %s" % (t / scale, unit)
    return "%.3g ns" % (t / 1e-9)


def fmt_ratio(x, y):
    if isinstance(x, float) and isinstance(y, float) and y > 0:
        return "%.2f" % (x / y)
    return "-"


def make_engines(ex, npfn, arrays, use_out):
    """{engine: callable or error string}, each checked once against NumPy."""
    a, b, c = arrays
    d = {"a": a, "b": b, "c": c}
    engines = {}

    def ref():
        return npfn(a, b, c, None)

    with np.errstate(all="ignore"):
        expected = ref()
    reduction = np.ndim(expected) == 0
    outs = {}

    def alloc(name, result):
        if use_out and not reduction:
            outs[name] = np.empty_like(result)

    # NumPy
    alloc("numpy", expected)
    engines["numpy"] = (lambda: npfn(a, b, c, outs.get("numpy")))

    for name, mod in (("numexpr", numexpr), ("jitexpr", jitexpr)):
        if mod is None:
            engines[name] = "n/a"
            continue
        try:
            with np.errstate(all="ignore"):
                first = mod.evaluate(ex, local_dict=d)
        except NotImplementedError:
            engines[name] = "unsupported"
            continue
        except Exception as e:  # noqa: BLE001 (reported in the table)
            engines[name] = "unsupported" if name == "jitexpr" else "error"
            print("  %s: %s: %s" % (name, ex, str(e).splitlines()[0]), file=sys.stderr)
            continue
        ok = np.allclose(np.asarray(first, dtype=np.float64),
                         np.asarray(expected, dtype=np.float64), rtol=1e-4, atol=1e-5,
                         equal_nan=True)
        if not ok:
            print("  %s: %s differs from NumPy" % (name, ex), file=sys.stderr)
        alloc(name, np.asarray(first))
        out = outs.get(name)
        engines[name] = (lambda mod=mod, out=out: mod.evaluate(ex, local_dict=d, out=out))
        if not ok:
            engines[name + "!"] = True
    if use_out and reduction:
        return None  # `out` does not apply to a reduction's scalar
    return engines


def bench_row(ex, npfn, arrays, use_out, repeat, target):
    engines = make_engines(ex, npfn, arrays, use_out)
    if engines is None:
        return None
    names = ["numpy", "numexpr", "jitexpr"]
    runnable = [n for n in names if callable(engines.get(n))]
    # calls per sample: enough for `target` seconds with the slowest engine
    slowest = max(per_call(engines[n], 1) for n in runnable)
    number = max(1, min(100000, int(target / max(slowest, 1e-9))))
    samples = {n: [] for n in runnable}
    with np.errstate(all="ignore"):
        for n in runnable:
            per_call(engines[n], max(1, number // 4))  # warm-up
        for r in range(repeat):
            order = runnable[r % len(runnable):] + runnable[:r % len(runnable)]
            for n in order:
                samples[n].append(per_call(engines[n], number))
    res = {}
    for n in names:
        v = engines.get(n)
        res[n] = statistics.median(samples[n]) if n in samples else v
    res["mismatch"] = [n for n in names if engines.get(n + "!")]
    return res


def overhead(repeat):
    """Per-call time at n = 10: one NumPy ufunc call, numexpr and jitexpr."""
    a = np.random.default_rng(0).random(10)
    b = np.random.default_rng(1).random(10)
    d = {"a": a, "b": b}
    rows = [("NumPy np.add(a, b)", lambda: np.add(a, b))]
    out = np.empty(10)
    rows.append(("NumPy np.add(a, b, out=out)", lambda: np.add(a, b, out=out)))
    for name, mod in (("numexpr", numexpr), ("jitexpr", jitexpr)):
        if mod is None:
            continue
        mod.evaluate("a+b", local_dict=d)
        rows.append(("%s evaluate('a+b', local_dict=d)" % name,
                     lambda mod=mod: mod.evaluate("a+b", local_dict=d)))

        def from_frame(mod=mod, a=a, b=b):  # a and b: locals of this frame
            return mod.evaluate("a+b")

        rows.append(("%s evaluate('a+b') (caller's frame)" % name, from_frame))
        rows.append(("%s evaluate('a+b', local_dict=d, out=out)" % name,
                     lambda mod=mod: mod.evaluate("a+b", local_dict=d, out=out)))
        if name == "jitexpr":
            rows.append(("jitexpr re_evaluate(local_dict=d)",
                         lambda: (jitexpr.evaluate("a+b", local_dict=d),
                                  [jitexpr.re_evaluate(local_dict=d) for _ in range(9)])))
    res = []
    for label, fn in rows:
        number = 20000
        samples = [per_call(fn, number) for _ in range(repeat)]
        t = statistics.median(samples)
        if label.startswith("jitexpr re_evaluate"):
            t /= 10  # one evaluate and nine re_evaluate per call
            label = "jitexpr re_evaluate(local_dict=d) (after evaluate)"
        res.append((label, t))
    return res


def median_first(call, forget, repeat, failed):
    """The median time of call() after forget() each time (a first call), or
    `failed` when it raises."""
    ts = []
    try:
        for _ in range(repeat):
            forget()
            t0 = time.perf_counter()
            call()
            ts.append(time.perf_counter() - t0)
    except Exception:  # noqa: BLE001 (reported in the table)
        return failed
    return statistics.median(ts)


def first_call(exprs, repeat):
    """The first call of an expression (parse, compile, run) at n = 1000."""
    rng = np.random.default_rng(2)
    d = {k: rng.uniform(0.1, 1.0, 1000) for k in "abc"}
    res = []
    disk = jitexpr.cache_info()["disk"]
    jitexpr.set_cache_dir(None)  # no kernel from the disk; nothing deleted there
    tier = jitexpr.set_tier("auto")
    for ex, _ in exprs:
        row = [ex]
        # jitexpr as a program gets it: an empty cache, interpreted or the
        # quick tier where they apply; then with the quick tier only
        for mode in ("auto", "compiled"):
            jitexpr.set_tier(mode)
            row.append(median_first(lambda: jitexpr.evaluate(ex, local_dict=d),
                                    jitexpr.clear_cache, repeat, "unsupported"))
        jitexpr.set_tier("auto")
        # seen: a new expression of the same functions after this one ran
        # (its first operand scaled by a new constant each time): the
        # interpreter's units of its math functions are made
        jitexpr.evaluate(ex, local_dict=d)
        ks = iter(range(2, 10 ** 6))
        row.append(median_first(
            lambda: jitexpr.evaluate(re.sub(r"\ba\b", "(a*%d)" % next(ks), ex, count=1),
                                     local_dict=d),
            lambda: None, repeat, "unsupported"))
        # jitexpr optimised: disable_cache compiles afresh every time
        # (JX_FLAG_NO_CACHE), with no quick tier
        row.append(median_first(
            lambda: jitexpr.evaluate(ex, local_dict=d, disable_cache=True),
            lambda: None, repeat, "unsupported"))
        if numexpr is not None:
            def forget():
                from numexpr import necompiler
                necompiler._numexpr_cache.clear()
                necompiler._names_cache.clear()
            row.append(median_first(lambda: numexpr.evaluate(ex, local_dict=d),
                                    forget, repeat, "error"))
        res.append(row)
    jitexpr.set_tier(tier)
    jitexpr.set_cache_dir(disk["dir"] if disk["enabled"] else None)
    return res


def parse_n(s):
    return [int(float(x)) for x in s.split(",") if x]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="n = 1e3, 1e5; fewer rounds (about a minute)")
    p.add_argument("--n", type=parse_n, help="sizes, e.g. 1e3,1e5,1e7 (default 1e3,1e5,1e7)")
    p.add_argument("--expr", help="comma-separated substrings: only matching expressions")
    p.add_argument("--dtype", default="float64,float32", help="default float64,float32")
    p.add_argument("--threads", default="1,all", help="thread counts, 'all' = every core")
    p.add_argument("--out", choices=["both", "yes", "no"], default="both",
                   help="with a preallocated out, without, or both")
    p.add_argument("--repeat", type=int, help="rounds per row (median taken)")
    p.add_argument("--target", type=float, help="seconds per sample (default 0.01)")
    p.add_argument("--no-overhead", action="store_true", help="skip the n = 10 overhead table")
    p.add_argument("--no-compile", action="store_true", help="skip the first-call table")
    p.add_argument("--result-cache", type=int, metavar="BYTES",
                   help="jitexpr.set_result_cache(BYTES) first; 0: every result without "
                        "out gets fresh pages, as NumPy's do")
    args = p.parse_args()
    # The rows time the optimised code that a program running them in a
    # loop soon gets; new kernels start in the quick tier otherwise.
    jitexpr.set_tier("full")
    if args.result_cache is not None:
        jitexpr.set_result_cache(args.result_cache)

    sizes = args.n or ([1000, 100000] if args.quick else [1000, 100000, 10000000])
    repeat = args.repeat or (5 if args.quick else 9)
    target = args.target or (0.004 if args.quick else 0.01)
    exprs = EXPRESSIONS
    if args.expr:
        keys = [k.strip() for k in args.expr.split(",") if k.strip()]
        exprs = [e for e in EXPRESSIONS if any(k in e[0] for k in keys)]
    dtypes = [d for d in args.dtype.split(",") if d]
    ncores = jitexpr.detect_number_of_cores()
    threads = sorted({ncores if t == "all" else int(t) for t in args.threads.split(",")})
    outs = {"both": [False, True], "yes": [True], "no": [False]}[args.out]

    print("jitexpr %s, numexpr %s, NumPy %s, Python %s; %d cores" % (
        jitexpr.__version__, numexpr.__version__ if numexpr else "-", np.__version__,
        sys.version.split()[0], ncores))
    print("jitexpr keeps up to %d MiB of freed results for reuse (--result-cache)" % (
        jitexpr.cache_info()["result_cache_limit"] >> 20))
    print("median time per call; ratios < 1: jitexpr faster; NumPy is single-threaded\n")

    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        for dt in dtypes:
            # positive values: log() is defined; where/comparisons split ~evenly
            arrays = [rng.uniform(0.05, 1.0, n).astype(dt) for _ in range(3)]
            for t in threads:
                if numexpr is not None:
                    numexpr.set_num_threads(t)
                jitexpr.set_num_threads(t)
                for ex, npfn in exprs:
                    for use_out in outs:
                        print("  %s n=%d %s threads=%d out=%s" % (ex, n, dt, t, use_out),
                              file=sys.stderr)
                        r = bench_row(ex, npfn, arrays, use_out, repeat, target)
                        if r is not None:
                            rows.append((ex, dt, n, t, use_out, r))
            del arrays

    head = ["expression", "dtype", "n", "thr", "out", "NumPy", "numexpr", "jitexpr",
            "jx/np", "jx/ne"]
    table = []
    for ex, dt, n, t, use_out, r in rows:
        jx = r["jitexpr"]

        def cell(name):
            return fmt_time(r[name]) + (" *" if name in r["mismatch"] else "")

        table.append([ex, dt, "%.0e" % n, str(t), "yes" if use_out else "no",
                      cell("numpy"), cell("numexpr"), cell("jitexpr"),
                      fmt_ratio(jx, r["numpy"]), fmt_ratio(jx, r["numexpr"])])
    print_table(head, table)
    if any(r[5]["mismatch"] for r in rows):
        print("* result differs from NumPy's (rtol 1e-4, atol 1e-5)")

    if not args.no_overhead:
        print("\nper-call overhead, n = 10 (median of %d x 20000 calls)" % repeat)
        ov = overhead(repeat)
        ref = ov[0][1]
        print_table(["call", "time", "vs np.add"],
                    [[label, fmt_time(t), "%.1fx" % (t / ref)] for label, t in ov])
    if not args.no_compile:
        print("\nfirst call (parse + compile + run at n = 1000; jitexpr: an empty cache, "
              "the default tier (interpreted where it can), the quick compile "
              "(tier 'compiled'), a new expression of the same functions after it "
              "(seen: their units made), and optimised at once with disable_cache)")
        fc = first_call(exprs, 3 if args.quick else 5)
        print_table(["expression", "jitexpr", "compiled", "seen", "optimised", "numexpr"],
                    [[r[0]] + [fmt_time(x) for x in r[1:]] for r in fc])


def print_table(head, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    right = [i for i, h in enumerate(head) if i > 0 and h not in ("dtype", "out", "call")]

    def line(cells):
        return "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    print(line(head))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


if __name__ == "__main__":
    main()
