#!/usr/bin/env python3
"""optable.py - every operator and function of src/ops.h: NumPy, numexpr and jitexpr.

    /usr/bin/python3 bench/optable.py                  # everything (about 2 minutes)
    /usr/bin/python3 bench/optable.py --quick          # no out, 3 short rounds (30 s)
    /usr/bin/python3 bench/optable.py --op 'sin,arc*,//' --dtype float32
    /usr/bin/python3 bench/optable.py --csv optable.csv --update-docs docs/benchmarks.md
    /usr/bin/python3 bench/plot_optable.py optable.csv  # docs/optable.png

Run from the top of a build (it finds py/ and src/ops.h there).  The list
of operations is read from the operator table, src/ops.h: one row of the
table here for each operator or function, for each dtype of --dtype whose
kind the op accepts (integers only where the op takes them: bitwise ops,
shifts, //, % ...; bool only for the ops that take no floats: & | ^ ~;
byte strings only for the ops that take nothing else: contains), with and
without a preallocated `out` (reductions: without).  Operands are arrays
of n elements from each function's domain (arccosh: x >= 1, log: x > 0,
any: all zero and all: none zero so that both read every element), the
same arrays for the three engines.

NumPy's side is the ufunc (or the function) called with out=out where an
`out` is given; numexpr and jitexpr run evaluate(expr, local_dict, out=out).
The engines run interleaved, their order rotating between rounds; each
time is the median over the rounds of the time per call.  jx/np and jx/ne
are jitexpr's time over NumPy's and over numexpr's in the same round,
median over the rounds (below 1: jitexpr is faster).  A cell says
"unsupported" where an engine refuses the expression and "none" where
NumPy has no such function; "*" marks a result that differs from NumPy's,
"=" a NumPy result that is its operand (np.real of a real array: no work;
left out of the summary's count).  A summary follows: per engine, how many
rows jitexpr loses, the geometric mean ratio and the worst rows.  No
pass/fail.
"""

import argparse
import csv
import datetime
import fnmatch
import math
import os
import platform
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, ".."))
for cand in (os.path.join(TOP, "py"), os.path.join(os.getcwd(), "py")):
    if os.path.isfile(os.path.join(cand, "jitexpr", "__init__.py")):
        sys.path.insert(0, os.path.abspath(cand))
        break

import numpy as np  # noqa: E402

import jitexpr  # noqa: E402

try:
    import numexpr
except ImportError:  # the numexpr column then says n/a
    numexpr = None

DOCS_BEGIN = "<!-- optable:begin (bench/optable.py --update-docs) -->"
DOCS_END = "<!-- optable:end -->"


# ---- the operator table ------------------------------------------------------------


class Op:
    """One row of src/ops.h."""

    def __init__(self, ident, mnem, spell, syn, arity, rule, kinds):
        self.ident, self.mnem, self.spell, self.syn = ident, mnem, spell, syn
        self.arity, self.rule, self.kinds = arity, rule, kinds

    def source(self):
        """The expression applying the op to a, b, c."""
        names = "abc"[:self.arity]
        if self.syn == "OPB":
            return "a %s b" % self.spell
        if self.syn == "OPU":
            return "%sa" % self.spell
        return "%s(%s)" % (self.spell, ", ".join(names))


_ROW = re.compile(
    r'X\(\s*(\w+)\s*,\s*"([^"]*)"\s*,\s*"([^"]*)"\s*,\s*(\w+)\s*,\s*(\d+)\s*,\s*(\w+)\s*,'
    r'\s*([^,]+?)\s*,\s*(\w+)\s*,\s*(NULL|"[^"]*")\s*(?:,[^)]*)?\)')

# kind letters of ops.h's masks: B bool, I integer, F float, C complex, S bytes
_KINDS = {"JX_B": "B", "JX_I": "I", "JX_F": "F", "JX_C": "C", "JX_S": "S",
          "JX_KINDS_ALL": "BIFC"}


def read_ops(path):
    """The rows of the operator table, in its order."""
    with open(path) as f:
        text = f.read()
    start = text.index("#define JX_OPS(X)")
    end = text.index("\n\n", start)
    ops = []
    for m in _ROW.finditer(text[start:end]):
        ident, mnem, spell, syn, arity, rule, kinds = m.groups()[:7]
        letters = set()
        for tok in kinds.split("|"):
            tok = tok.strip()
            if tok not in _KINDS:
                raise SystemExit("%s: %s: unknown kind %s (teach optable.py's _KINDS)"
                                 % (path, ident, tok))
            letters |= set(_KINDS[tok])
        ops.append(Op(ident, mnem, spell, syn, int(arity), rule, letters))
    if not ops:
        raise SystemExit("no rows found in %s" % path)
    return ops


def kind_of(dtype):
    return {"b": "B", "i": "I", "u": "I", "f": "F", "c": "C", "S": "S"}[np.dtype(dtype).kind]


def runs_for(op, dtype):
    """Whether op gets a row for dtype: the op accepts the dtype's kind;
    bool only where it takes no floats (elsewhere bools are just converted),
    byte strings only where it takes nothing else."""
    k = kind_of(dtype)
    if k not in op.kinds:
        return False
    if k == "B":
        return "F" not in op.kinds
    if k == "S":
        return op.kinds == {"S"}
    return True


# ---- NumPy's side ---------------------------------------------------------------

UFUNC_OF_OPERATOR = {
    ("OPB", "+"): np.add, ("OPB", "-"): np.subtract, ("OPB", "*"): np.multiply,
    ("OPB", "/"): np.true_divide, ("OPB", "//"): np.floor_divide,
    ("OPB", "%"): np.remainder, ("OPB", "**"): np.power,
    ("OPB", "<"): np.less, ("OPB", "<="): np.less_equal, ("OPB", "=="): np.equal,
    ("OPB", "!="): np.not_equal, ("OPB", ">="): np.greater_equal,
    ("OPB", ">"): np.greater, ("OPB", "&"): np.bitwise_and, ("OPB", "|"): np.bitwise_or,
    ("OPB", "^"): np.bitwise_xor, ("OPB", "<<"): np.left_shift,
    ("OPB", ">>"): np.right_shift,
    ("OPU", "-"): np.negative, ("OPU", "+"): np.positive, ("OPU", "~"): np.invert,
}


def np_where(c, a, b, out):
    if out is None:
        return np.where(c, a, b)
    np.copyto(out, b)
    np.copyto(out, a, where=c)
    return out


def np_complex(a, b, out):
    r = np.empty(a.shape, np.complex128) if out is None else out
    r.real = a
    r.imag = b
    return r


def np_contains(s, sub, out):
    return np.greater_equal(np.char.find(s, sub), 0, out=out)


def np_copy(a, out):
    if out is None:
        return np.copy(a)
    np.copyto(out, a)
    return out


def np_ones_like(a, out):
    if out is None:
        return np.ones_like(a)
    out.fill(1)
    return out


# Functions whose NumPy form is not f(*args, out=out), by spelling.
NUMPY_SPECIAL = {"where": np_where, "complex": np_complex, "contains": np_contains,
                 "copy": np_copy, "ones_like": np_ones_like}


def numpy_call(op):
    """f(args, out) doing op with NumPy, or None where NumPy has no such
    function (erf, erfc).  A function without out= (np.angle, np.real) is
    called and its result copied into out."""
    if op.syn != "FN":
        f = UFUNC_OF_OPERATOR[(op.syn, op.spell)]
    elif op.spell in NUMPY_SPECIAL:
        g = NUMPY_SPECIAL[op.spell]
        return lambda args, out: g(*args, out)
    else:
        f = getattr(np, op.spell, None)
        if f is None:
            return None
    if op.rule == "REDUCE":
        return lambda args, out: f(*args)
    if isinstance(f, np.ufunc) or op.spell in ("round", "clip"):
        return lambda args, out: f(*args, out=out)

    def copied(args, out):
        r = f(*args)
        if out is None:
            return r
        np.copyto(out, r)
        return out
    return copied


# ---- operands --------------------------------------------------------------------

# Float domains per spelling (lo, hi) per operand; the rest take U(-4, 4).
FLOAT_DOMAIN = {
    "sqrt": [(0.01, 100)], "log": [(0.01, 100)], "log2": [(0.01, 100)],
    "log10": [(0.01, 100)], "log1p": [(-0.9, 10)],
    "arcsin": [(-0.999, 0.999)], "arccos": [(-0.999, 0.999)],
    "arctanh": [(-0.999, 0.999)], "arccosh": [(1, 100)],
    "exp": [(-20, 20)], "exp2": [(-20, 20)], "expm1": [(-20, 20)],
    "sinh": [(-20, 20)], "cosh": [(-20, 20)],
    "**": [(0.1, 10), (-3, 3)], "power": [(0.1, 10), (-3, 3)],
    "prod": [(0.999, 1.001)],  # the product stays finite
    "any": [(0, 0)],  # all false: the whole array is read
    "all": [(0.5, 4)],  # all true: likewise
}


def int_operand(op, dt, n, rng, position):
    info = np.iinfo(dt)
    if op.spell in ("<<", ">>") and position == 1:
        return rng.integers(0, 8 * dt.itemsize, n).astype(dt)  # defined counts
    if op.spell in ("**", "power"):  # NumPy refuses negative integer exponents
        return rng.integers(*((-10, 11) if position == 0 else (0, 6)), n).astype(dt)
    nonzero = (position == 1 and op.spell in ("/", "//", "%", "fmod")) or op.spell == "reciprocal"
    if nonzero:
        lo, hi = (1, 101) if info.min == 0 else (-100, 100)
        v = rng.integers(lo, hi, n).astype(dt)
        v[v == 0] = 1
        return v
    if op.spell == "prod":
        return rng.choice(np.array([1, -1] if info.min < 0 else [1], dt), n)
    if op.spell == "any":
        return np.zeros(n, dt)
    if op.spell == "all":
        return rng.integers(1, 100, n).astype(dt)
    lo = max(int(info.min), -10000)
    return rng.integers(lo, min(int(info.max), 10000), n, endpoint=True).astype(dt)


def operand(op, dtype, n, rng, position):
    """Operand `position` of op: n values of dtype from the op's domain."""
    dt = np.dtype(dtype)
    if op.rule == "WHERE" and position == 0:
        dt = np.dtype(bool)  # the condition
    if dt.kind == "b":
        return rng.random(n) < 0.5
    if dt.kind == "S":
        # lowercase strings; the needle (operand 1) shorter, from a small
        # alphabet so that about a fifth of the rows contain it
        width = dt.itemsize if position == 0 else 3
        letters = rng.integers(ord("a"), ord("a") + 4, (n, width), dtype=np.uint8)
        return letters.view("S%d" % width).reshape(n)
    if op.spell == "clip" and position > 0:  # the lower and upper bounds
        scale = 1000 if dt.kind in "iu" else 1
        lo, hi = (-5, -1) if position == 1 else (1, 5)
        return rng.uniform(lo * scale, hi * scale, n).astype(dt)
    if dt.kind in "iu":
        return int_operand(op, dt, n, rng, position)
    dom = FLOAT_DOMAIN.get(op.spell, [])
    lo, hi = dom[position] if position < len(dom) else (-4, 4)
    real = rng.uniform(lo, hi, n)
    if dt.kind == "c":
        return (real + 1j * rng.uniform(-1, 1, n)).astype(dt)
    return real.astype(dt)


# ---- timing ------------------------------------------------------------------------


def per_call(fn, number):
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def calls_for(fn, target):
    """Calls of fn for about `target` seconds, from the faster of two
    calls after an untimed one: the first call into a fresh `out` array
    faults its pages in (milliseconds at 4 MB), and a count taken from it
    would leave single, cold calls per sample."""
    fn()
    t = min(per_call(fn, 1), per_call(fn, 1))
    return max(1, min(10000, int(target / max(t, 1e-9))))


def same_values(got, expected, dtype):
    """Whether an engine's result matches NumPy's: exactly, or for floats
    within 1e-4 (float32 operands) or 1e-9 relative (NumPy and libmvec
    are each a few ULP off in math functions); NaN where NumPy has NaN."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return False
    if expected.dtype.kind not in "fc" and got.dtype.kind not in "fc":
        return bool(np.array_equal(got, expected))
    wide = np.complex128 if "c" in (got.dtype.kind, expected.dtype.kind) else np.float64
    rtol = 1e-4 if np.dtype(dtype).itemsize <= 4 else 1e-9
    got, expected = got.reshape(-1), expected.reshape(-1)
    step = 1 << 16  # in pieces: small temporaries, no fresh pages
    for i in range(0, got.size, step):
        g, e = got[i:i + step].astype(wide), expected[i:i + step].astype(wide)
        with np.errstate(all="ignore"):
            ok = np.abs(g - e) <= 1e-6 + rtol * np.abs(e)
            ok &= np.isfinite(e)
            ok |= g == e
            ok |= np.isnan(g) & np.isnan(e)
        if not ok.all():
            return False
    return True


def bench_row(op, dtype, arrays, use_out, repeat, target):
    """{engine: median seconds per call, or a note}; {other engine: median
    over the rounds of jitexpr's time over its time in the same round};
    the engines whose results differ from NumPy's; and whether NumPy's
    result is (a view of) an operand: np.real of a real array, np.round of
    integers."""
    names = "abc"[:op.arity]
    d = dict(zip(names, arrays))
    src = op.source()
    res, mismatch, engines, view = {}, [], {}, False
    npf = numpy_call(op)
    expected = None
    if npf is None:
        res["numpy"] = "none"
    else:
        with np.errstate(all="ignore"):
            expected = npf(arrays, None)
        if not use_out and isinstance(expected, np.ndarray) and any(
                np.shares_memory(expected, x) for x in arrays):
            view = True  # NumPy handed back its operand: no work done
        out = np.empty_like(expected) if use_out else None
        engines["numpy"] = (lambda out=out: npf(arrays, out))
    for name, mod in (("numexpr", numexpr), ("jitexpr", jitexpr)):
        if mod is None:
            res[name] = "n/a"
            continue
        try:
            with np.errstate(all="ignore"):
                first = mod.evaluate(src, local_dict=d)
        except Exception as e:  # noqa: BLE001 (reported in the table)
            res[name] = "unsupported"
            if name == "jitexpr":
                print("  jitexpr: %s %s: %s" % (src, dtype, str(e).splitlines()[0]),
                      file=sys.stderr)
            continue
        if expected is not None and not same_values(first, expected, dtype):
            mismatch.append(name)
        out = np.empty_like(first) if use_out else None
        engines[name] = (lambda mod=mod, out=out: mod.evaluate(src, local_dict=d, out=out))
    if not engines:
        return res, {}, mismatch, view
    order = [n for n in ("numpy", "numexpr", "jitexpr") if n in engines]
    with np.errstate(all="ignore"):
        # Calls per sample, each engine its own: enough for `target`
        # seconds.  One count for all, from the slowest engine, left the
        # fast ones a single call per sample wherever numexpr takes
        # milliseconds: that call runs in the caches the engine before it
        # left (1.6 to 2.8 times a warm call's time at n = 1e6, after
        # numexpr), and the rotation below puts jitexpr after numexpr in
        # two rounds of three, NumPy in one, so `a & b` of bool read 1.5x
        # NumPy's time for loops that are even.
        number = {n: calls_for(engines[n], target) for n in order}
        samples = {n: [] for n in order}
        for n in order:
            per_call(engines[n], max(1, number[n] // 4))  # warm-up
        for r in range(repeat):
            k = r % len(order)
            for n in order[k:] + order[:k]:
                samples[n].append(per_call(engines[n], number[n]))
    for n in order:
        res[n] = statistics.median(samples[n])
    # Ratios paired by round: the samples of one round are adjacent in time,
    # so load from elsewhere that comes and goes over the rounds moves both
    # sides of a ratio, where it could move one engine's median alone.
    ratios = {}
    if "jitexpr" in samples:
        for n in order:
            if n != "jitexpr":
                ratios[n] = statistics.median(
                    j / o for j, o in zip(samples["jitexpr"], samples[n]) if o > 0)
    return res, ratios, mismatch, view


# ---- output -------------------------------------------------------------------------


def fmt_time(t):
    if isinstance(t, str):
        return t
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if t >= scale:
            return "%.3g %s" % (t / scale, unit)
    return "%.3g ns" % (t / 1e-9)


def fmt_ratio(r):
    return "-" if r is None else "%.2f" % r


def fmt_n(n):
    """1000000 as 1e6; other sizes as they are."""
    e = len(str(n)) - 1
    return "1e%d" % e if n >= 1000 and n == 10 ** e else str(n)


def machine():
    """CPU model, family and model number, CPUs, kernel: for the docs."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                info.setdefault(k.strip(), v.strip())
    except OSError:
        pass
    cpu = info.get("model name", platform.processor() or "unknown CPU")
    if "cpu family" in info:
        cpu += " (family %s, model %s)" % (info["cpu family"], info.get("model", "?"))
    return "%s, %d CPUs, %s %s" % (cpu, os.cpu_count() or 0, platform.system(),
                                   platform.release())


def loadavg():
    try:
        return "%.1f" % os.getloadavg()[0]
    except OSError:
        return "?"


def versions():
    return "jitexpr %s, numexpr %s, NumPy %s, Python %s" % (
        jitexpr.__version__, numexpr.__version__ if numexpr else "-", np.__version__,
        sys.version.split()[0])


class Row:
    def __init__(self, op, dtype, use_out, res, ratios, mismatch, view):
        self.op, self.dtype, self.use_out = op, dtype, use_out
        self.res, self.mismatch, self.view = res, mismatch, view
        self.vs_np = ratios.get("numpy")
        self.vs_ne = ratios.get("numexpr")

    def label(self):
        return "%s %s out=%s" % (self.op.source(), self.dtype, "yes" if self.use_out else "no")

    def cells(self):
        def cell(name):
            mark = " *" if name in self.mismatch else ""
            if name == "numpy" and self.view:
                mark = " ="
            return fmt_time(self.res[name]) + mark
        return [self.op.source(), self.dtype, "yes" if self.use_out else "no",
                cell("numpy"), cell("numexpr"), cell("jitexpr"),
                fmt_ratio(self.vs_np), fmt_ratio(self.vs_ne)]


HEAD = ["expression", "dtype", "out", "NumPy", "numexpr", "jitexpr", "jx/np", "jx/ne"]
WIDTHS = [0, 9, 3, 11, 13, 13, 6, 6]


def text_line(cells, widths):
    return "  ".join(str(c).ljust(w) if i < 3 else str(c).rjust(w)
                     for i, (c, w) in enumerate(zip(cells, widths)))


def summary(rows):
    """Lines: for NumPy and numexpr, rows compared, rows lost (ratio > 1),
    the geometric mean ratio and the worst rows; then the rows left out of
    NumPy's count and those whose results differ."""
    lines = []
    views = [r for r in rows if r.view and r.vs_np is not None]
    for attr, name in (("vs_np", "NumPy"), ("vs_ne", "numexpr")):
        rs = [r for r in rows if getattr(r, attr) is not None
              and not (attr == "vs_np" and r.view)]
        if not rs:
            lines.append("vs %s: no row compared" % name)
            continue
        rs.sort(key=lambda r: getattr(r, attr), reverse=True)
        lose = sum(1 for r in rs if getattr(r, attr) > 1)
        lose10 = sum(1 for r in rs if getattr(r, attr) > 1.1)
        gmean = math.exp(statistics.fmean(math.log(getattr(r, attr)) for r in rs))
        worst = ", ".join("%s %.2f" % (r.label(), getattr(r, attr)) for r in rs[:3])
        lines.append("vs %s: %d of %d rows lose (ratio > 1; %d by more than 10%%), "
                     "geometric mean %.2f; worst: %s" % (name, lose, len(rs), lose10, gmean,
                                                         worst))
    if views:
        lines.append("not counted against NumPy (=: NumPy returns its operand, no work): "
                     + ", ".join(grouped(views)))
    for name in ("jitexpr", "numexpr"):
        mism = [r for r in rows if name in r.mismatch]
        if mism:
            lines.append("%s's result differs from NumPy's (*): %s" % (
                name, ", ".join(grouped(mism))))
    return lines


def grouped(rows):
    """'expr dtype,dtype' per expression, for rows listed in a summary."""
    by = {}
    for r in rows:
        dts = by.setdefault(r.op.source(), [])
        if r.dtype not in dts:
            dts.append(r.dtype)
    return ["%s %s" % (src, ",".join(dts)) for src, dts in by.items()]


def markdown(rows, header):
    """The docs' block: what was run where, the table, the summary."""
    out = ["Run on: " + header + ".", "",
           "Ratios below 1: jitexpr is faster; **bold**: slower.  `*`: the result "
           "differs from NumPy's; `=`: NumPy returns its operand (a view), computing "
           "nothing.", ""]
    out.append("| " + " | ".join(HEAD) + " |")
    out.append("|" + "|".join(["---"] * 3 + ["---:"] * 5) + "|")
    for r in rows:
        c = r.cells()
        c[0] = "`%s`" % c[0].replace("|", "\\|")
        for i, v in ((6, None if r.view else r.vs_np), (7, r.vs_ne)):
            if v is not None and v > 1:
                c[i] = "**%s**" % c[i]
        out.append("| " + " | ".join(c) + " |")
    out.append("")
    out.extend("- " + s.replace("|", "\\|") for s in summary(rows))
    return "\n".join(out)


def update_docs(path, block):
    with open(path) as f:
        text = f.read()
    i, j = text.find(DOCS_BEGIN), text.find(DOCS_END)
    if i < 0 or j < i:
        raise SystemExit("%s: no %s ... %s block" % (path, DOCS_BEGIN, DOCS_END))
    text = text[:i + len(DOCS_BEGIN)] + "\n" + block + "\n" + text[j:]
    with open(path, "w") as f:
        f.write(text)


def write_csv(path, rows, header):
    with open(path, "w", newline="") as f:
        f.write("# " + header.replace("\n", " ") + "\n")
        w = csv.writer(f)
        w.writerow(["op", "expression", "dtype", "out", "numpy_s", "numexpr_s", "jitexpr_s",
                    "jx_np", "jx_ne", "numpy_view", "note"])
        for r in rows:
            def t(name):
                v = r.res[name]
                return "%.6g" % v if isinstance(v, float) else ""
            notes = ["%s %s" % (k, v) for k, v in r.res.items() if isinstance(v, str)]
            notes += ["%s differs" % k for k in r.mismatch]
            w.writerow([r.op.ident, r.op.source(), r.dtype, int(r.use_out), t("numpy"),
                        t("numexpr"), t("jitexpr"),
                        "" if r.vs_np is None else "%.4f" % r.vs_np,
                        "" if r.vs_ne is None else "%.4f" % r.vs_ne, int(r.view),
                        "; ".join(notes)])


# ---- main ---------------------------------------------------------------------------


def selected(op, keys):
    """--op: a key with letters is a glob on an op's spelling, mnemonic, id
    or type rule ('arc*', 'REDUCE'); one without ('*', '**', '//') is an
    operator's spelling."""
    for k in keys:
        if not any(ch.isalpha() for ch in k):
            if k == op.spell:
                return True
        elif any(fnmatch.fnmatchcase(s, k) for s in
                 (op.spell, op.mnem, op.ident, op.ident.lower(), op.rule)):
            return True
    return False


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=lambda s: int(float(s)), default=1000000,
                   help="elements per operand (default 1e6)")
    p.add_argument("--dtype", default="float32,float64,int32,int64,bool,S16",
                   help="dtypes, each run for the ops that accept its kind "
                        "(default float32,float64,int32,int64,bool,S16)")
    p.add_argument("--op", help="comma-separated globs on spelling, mnemonic or ops.h id: "
                                "'sin,arc*,//,REDUCE' (REDUCE: the reductions)")
    p.add_argument("--threads", default="1", help="threads for jitexpr and numexpr "
                   "(default 1; 'all' = every core); NumPy is single-threaded")
    p.add_argument("--out", choices=["both", "yes", "no"],
                   help="with a preallocated out, without, or both (default both; "
                        "--quick: no)")
    p.add_argument("--quick", action="store_true",
                   help="3 shorter rounds per row, rows without out only")
    p.add_argument("--repeat", type=int, help="rounds per row, median taken (default 9)")
    p.add_argument("--target", type=float, help="seconds per sample (default 0.008)")
    p.add_argument("--csv", metavar="FILE", help="write the rows to FILE (bench/plot_optable.py)")
    p.add_argument("--markdown", action="store_true",
                   help="print the table as docs/benchmarks.md has it")
    p.add_argument("--update-docs", metavar="FILE",
                   help="replace the table block of FILE (docs/benchmarks.md) with this run's")
    p.add_argument("--result-cache", type=int, metavar="BYTES",
                   help="jitexpr.set_result_cache(BYTES) first (as bench.py)")
    p.add_argument("--ops-h", default=os.path.join(TOP, "src", "ops.h"),
                   help="the operator table (default src/ops.h beside bench/)")
    args = p.parse_args()
    # The rows time the optimised code that a program running them in a
    # loop soon gets; new kernels start in the quick tier otherwise.
    jitexpr.set_tier("full")
    if args.result_cache is not None:
        jitexpr.set_result_cache(args.result_cache)

    ops = read_ops(args.ops_h)
    if args.op:
        keys = [k.strip() for k in args.op.split(",") if k.strip()]
        ops = [op for op in ops if selected(op, keys)]
    dtypes = [d.strip() for d in args.dtype.split(",") if d.strip()]
    repeat = args.repeat or (3 if args.quick else 9)
    target = args.target or (0.003 if args.quick else 0.008)
    nthreads = jitexpr.detect_number_of_cores() if args.threads == "all" else int(args.threads)
    jitexpr.set_num_threads(nthreads)
    if numexpr is not None:
        numexpr.set_num_threads(nthreads)
    outs = {"both": [False, True], "yes": [True], "no": [False]}[
        args.out or ("no" if args.quick else "both")]
    cases = [(op, dt, o) for op in ops for dt in dtypes if runs_for(op, dt)
             for o in outs if not (o and op.rule == "REDUCE")]

    header = ("%s; %s; n = %s, %d thread%s, median of %d rounds; %s" % (
        machine(), versions(), fmt_n(args.n), nthreads, "s" if nthreads > 1 else "",
        repeat, datetime.date.today().isoformat()))
    widths = list(WIDTHS)
    widths[0] = max([len(HEAD[0])] + [len(op.source()) for op, _, _ in cases])
    load0 = loadavg()
    print(header + "; load average %s" % load0)
    print("ratios < 1: jitexpr faster; * result differs from NumPy's; "
          "= NumPy returns its operand\n")
    print(text_line(HEAD, widths))
    print("  ".join("-" * w for w in widths))
    sys.stdout.flush()

    rows = []
    t_start = time.perf_counter()
    data = {}
    for op, dt, use_out in cases:
        key = (op.ident, dt)
        if key not in data:
            data.clear()  # one op's operands at a time
            rng = np.random.default_rng(0)
            data[key] = [operand(op, dt, args.n, rng, i) for i in range(op.arity)]
        res, ratios, mismatch, view = bench_row(op, dt, data[key], use_out, repeat, target)
        row = Row(op, dt, use_out, res, ratios, mismatch, view)
        rows.append(row)
        print(text_line(row.cells(), widths))
        sys.stdout.flush()
    elapsed = time.perf_counter() - t_start
    # how busy the machine was: the 1-minute load average (CPUs busy or
    # waiting, this run's one included) before and after
    header += "; %d rows in %.0f s, load average %s before, %s after" % (
        len(rows), elapsed, load0, loadavg())

    print()
    for line in summary(rows):
        print(line)
    print("%d rows in %.0f s" % (len(rows), elapsed))
    if args.markdown:
        print()
        print(markdown(rows, header))
    if args.update_docs:
        update_docs(args.update_docs, markdown(rows, header))
    if args.csv:
        write_csv(args.csv, rows, header)


if __name__ == "__main__":
    main()
