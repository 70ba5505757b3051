"""Random expressions for the differential test (test_differential.py).

A seeded generator builds expression trees over the whole op table, read at
run time from ``jitexpr._jitexpr._ops()``, the explicit casts (one per
dtype name) and the reductions, with operands of every dtype and layout,
Python scalars and NumPy scalars, and literals in the text.  Each case is
run through jitexpr and compared with the oracle (exproracle.py); a case
that fails is shrunk to a smaller one that still fails.
"""

import contextlib
import math
import random
import warnings

import numpy as np

import jitexpr

from exproracle import (CAST_NAMES, NUM_DTYPES, OPINFO, OPS, REDUCTIONS, is_weak, oracle,
                        to_array_for_weak, value_diff)


# ---- trees -----------------------------------------------------------------

class Node:
    """kind: 'var' (name), 'lit' (python value), 'op' (mnemonic),
    'cast' (dtype name), 'red' (mnemonic, axis)."""
    __slots__ = ("kind", "name", "value", "op", "kids", "axis")

    def __init__(self, kind, name=None, value=None, op=None, kids=(), axis=None):
        self.kind, self.name, self.value, self.op = kind, name, value, op
        self.kids, self.axis = list(kids), axis

    def text(self):
        if self.kind == "var":
            return self.name
        if self.kind == "lit":
            return lit_text(self.value)
        if self.kind == "cast":
            return "%s(%s)" % (self.name, self.kids[0].text())
        if self.kind == "red":
            if self.axis is None:
                return "%s(%s)" % (self.op, self.kids[0].text())
            return "%s(%s, axis=%d)" % (self.op, self.kids[0].text(), self.axis)
        mn, spell, syn, arity = OPINFO[self.op]
        k = [c.text() for c in self.kids]
        if syn == "unary":
            return "(%s%s)" % (spell, k[0])
        if syn == "binary":
            return "(%s %s %s)" % (k[0], spell, k[1])
        return "%s(%s)" % (spell, ", ".join(k))

    def nodes(self):
        yield self
        for c in self.kids:
            yield from c.nodes()

    def copy(self):
        return Node(self.kind, self.name, self.value, self.op, [c.copy() for c in self.kids],
                    self.axis)

    def ops_used(self):
        out = set()
        for n in self.nodes():
            if n.kind in ("op", "red"):
                out.add(n.op)
            elif n.kind == "cast":
                out.add("cast:" + n.name)
        return out


def lit_text(v):
    if isinstance(v, bool):
        return repr(v)
    if isinstance(v, bytes):
        return repr(v)
    if isinstance(v, int):
        return repr(v) if v >= 0 else "(%d)" % v
    if isinstance(v, float):
        r = repr(v)
        return r if v >= 0 or r.startswith("-0") is False and v >= 0 else "(%s)" % r
    if isinstance(v, complex):
        return repr(v.imag) + "j"  # only pure imaginary literals are made
    raise TypeError(v)


# ---- values ----------------------------------------------------------------

class Var:
    """An operand in local_dict, with the text that rebuilds it."""

    def __init__(self, value, src):
        self.value, self.src = value, src


def _fmt_scalar(x):
    if isinstance(x, (bool, np.bool_)):
        return repr(bool(x))
    if isinstance(x, (bytes, np.bytes_)):
        return repr(bytes(x))
    if isinstance(x, (complex, np.complexfloating)):
        return "complex(%s, %s)" % (_fmt_scalar(float(x.real)), _fmt_scalar(float(x.imag)))
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isnan(x):
            return "np.nan"
        if math.isinf(x):
            return "np.inf" if x > 0 else "-np.inf"
        return repr(x)
    return repr(int(x))


def _fmt_list(a):
    a = np.asarray(a)
    if a.ndim == 0:
        return _fmt_scalar(a[()])
    return "[" + ", ".join(_fmt_list(x) for x in a) + "]"


def array_src(base, layout, shape):
    s = "np.array(%s, dtype=%r)" % (_fmt_list(base), base.dtype.str if base.dtype.kind == "S"
                                    else base.dtype.name)
    if base.ndim and base.size == 0:
        s = "np.zeros(%r, dtype=%r)" % (base.shape, base.dtype.str if base.dtype.kind == "S"
                                        else base.dtype.name)
    if layout == "strided":
        return s + "[%s]" % ", ".join("::2" for _ in shape)
    if layout == "reversed":
        return s + "[%s]" % ", ".join("::-1" for _ in shape)
    if layout == "T":
        return s + ".T"
    if layout == "bcast":
        return "np.broadcast_to(%s, %r)" % (s, tuple(shape))
    return s


def make_layout(base, layout, shape):
    if layout == "strided":
        return base[tuple(slice(None, None, 2) for _ in shape)]
    if layout == "reversed":
        return base[tuple(slice(None, None, -1) for _ in shape)]
    if layout == "T":
        return base.T
    if layout == "bcast":
        return np.broadcast_to(base, shape)
    return base


INT_EDGE = [0, 1, -1, 2, 3, 7, -8, 127, -128, 255, 32767, -32768, 65535, 2**31 - 1, -2**31,
            2**32 - 1, 2**63 - 1, -2**63, 2**64 - 1]
FLOAT_EDGE = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, np.inf, -np.inf, np.nan, 1e-300, 5e-324,
              1e300, 65504.0, 3.4e38, 1e-45, 100.0, -3.5, 1e5]
BYTES_POOL = [b"", b"a", b"ab", b"b", b"abc", b"a\x00b", b"\x80", b"ba", b"\x00a"]


def rand_elems(rng, dt, n):
    dt = np.dtype(dt)
    if dt.kind == "b":
        return np.array([rng.random() < 0.5 for _ in range(n)], dtype=dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        out = []
        for _ in range(n):
            if rng.random() < 0.15:
                v = rng.choice(INT_EDGE)
            else:
                v = rng.randint(-6, 9)
            out.append(v)
        return np.array([v if info.min <= v <= info.max else
                         (v % (int(info.max) + 1) if dt.kind == "u" else 0) for v in out], dtype=dt)
    if dt.kind == "f":
        out = []
        for _ in range(n):
            r = rng.random()
            if r < 0.12:
                out.append(rng.choice(FLOAT_EDGE))
            elif r < 0.6:
                out.append(rng.randint(-24, 24) / 4)
            else:
                out.append(rng.uniform(-10, 10))
        return np.array(out, dtype=np.float64).astype(dt)
    if dt.kind == "c":
        pd = np.float32 if dt == np.complex64 else np.float64
        re = rand_elems(rng, pd, n)
        im = rand_elems(rng, pd, n)
        if rng.random() < 0.5:
            im = np.where(np.array([rng.random() < 0.5 for _ in range(n)], bool), 0, im).astype(pd)
        out = np.empty(n, dt)
        out.real, out.imag = re, im
        return out
    if dt.kind == "S":
        return np.array([rng.choice(BYTES_POOL)[:dt.itemsize] for _ in range(n)], dtype=dt)
    raise TypeError(dt)


def rand_array(rng, dt, shape, layout):
    dt = np.dtype(dt)
    if layout == "strided":
        bshape = tuple(2 * s for s in shape)
    elif layout == "T":
        bshape = tuple(reversed(shape))
    elif layout == "bcast":
        bshape = tuple(1 if rng.random() < 0.6 else s for s in shape)
        if shape:
            bshape = (1,) + bshape[1:]
    else:
        bshape = tuple(shape)
    n = int(np.prod(bshape)) if bshape else 1
    base = rand_elems(rng, dt, n).reshape(bshape)
    return Var(make_layout(base, layout, shape), array_src(base, layout, shape))


SHAPES = [(), (0,), (1,), (1, 1), (3,), (5,), (7,), (2, 3), (3, 4), (2, 0), (4, 1), (2, 3, 2),
          (17,), (40,)]
LAYOUTS = ["C", "C", "C", "strided", "reversed", "T", "bcast"]
ARRAY_DTYPES = NUM_DTYPES + ["S1", "S3"]


def _sub_shape(rng, shape):
    """A shape that broadcasts to shape."""
    if not shape or rng.random() < 0.6:
        return shape
    drop = rng.randint(0, len(shape))
    s = list(shape[drop:])
    for i in range(len(s)):
        if rng.random() < 0.25:
            s[i] = 1
    return tuple(s)


# ---- generation ------------------------------------------------------------

class Case:
    def __init__(self, tree, env, seed=None, index=None):
        self.tree, self.env, self.seed, self.index = tree, env, seed, index

    def text(self):
        return self.tree.text()

    def local_dict(self):
        return {k: v.value for k, v in self.env.items()}

    def reproducer(self):
        d = ", ".join("%r: %s" % (k, v.src) for k, v in sorted(self.env.items()))
        return "jx.evaluate(%r, local_dict={%s})" % (self.text(), d)

    def copy(self):
        return Case(self.tree.copy(), dict(self.env), self.seed, self.index)


class Generator:
    """Random cases from one seed."""

    def __init__(self, seed, max_depth=3):
        self.rng = random.Random(seed)
        self.max_depth = max_depth
        self.elementwise = [o[0] for o in OPS if o[0] not in REDUCTIONS]
        self.reductions = [o[0] for o in OPS if o[0] in REDUCTIONS]

    def new_leaf(self, env, shape, dt_hint=None):
        rng = self.rng
        r = rng.random()
        # an existing variable
        if env and r < 0.25:
            name = rng.choice(sorted(env))
            return Node("var", name=name)
        name = "v%d" % len(env)
        r = rng.random()
        if r < 0.62:
            dt = dt_hint if dt_hint and rng.random() < 0.4 else rng.choice(ARRAY_DTYPES)
            sub = _sub_shape(rng, shape)
            layout = rng.choice(LAYOUTS) if sub else "C"
            if layout == "T" and len(sub) < 2:
                layout = "C"
            env[name] = rand_array(rng, dt, sub, layout)
            return Node("var", name=name)
        if r < 0.75:
            # a Python scalar in local_dict (weak)
            v = self.py_scalar()
            env[name] = Var(v, _fmt_scalar(v))
            return Node("var", name=name)
        if r < 0.83:
            # a NumPy scalar (strong)
            dt = np.dtype(rng.choice(NUM_DTYPES + ["S2"]))
            x = rand_elems(rng, dt, 1)[0]
            src = "np.%s(%s)" % (dt.name if dt.kind != "S" else "bytes_", _fmt_scalar(x))
            env[name] = Var(x, src)
            return Node("var", name=name)
        return Node("lit", value=self.literal())

    def py_scalar(self):
        rng = self.rng
        k = rng.random()
        if k < 0.4:
            return rng.choice([0, 1, 2, -1, 3, -7, 100, 127, 128, 255, 256, 300, -129,
                               2**31, 2**63 - 1, -2**63, 2**63, 2**64, rng.randint(-9, 9)])
        if k < 0.75:
            return rng.choice([0.5, -1.5, 2.0, 0.1, 1e300, -0.0, float("nan"), float("inf"),
                               3.0, rng.uniform(-5, 5)])
        if k < 0.9:
            return rng.choice([1j, 1 + 2j, -0.5 + 0j, complex(rng.uniform(-3, 3), 1.5)])
        return rng.random() < 0.5

    def literal(self):
        rng = self.rng
        k = rng.random()
        if k < 0.45:
            return rng.choice([0, 1, 2, 3, -1, 5, -3, 7, 127, 128, 255, 300, -200, 65536,
                               2**31, 2**63 - 1, 2**64])
        if k < 0.75:
            return rng.choice([0.5, 1.0, 2.5, -1.5, 0.0, 1e-3, 1e300, 3.25])
        if k < 0.83:
            return rng.choice([1j, 2.5j, 0.5j])
        if k < 0.92:
            return rng.random() < 0.5
        return rng.choice([b"a", b"ab", b"", b"b\x00", b"\x80x"])

    def expr(self, env, shape, depth):
        rng = self.rng
        if depth <= 0 or rng.random() < 0.2:
            return self.new_leaf(env, shape)
        if rng.random() < 0.1:
            kid = self.expr(env, shape, depth - 1)
            return Node("cast", name=rng.choice(CAST_NAMES), kids=[kid])
        mn = rng.choice(self.elementwise)
        arity = OPINFO[mn][3]
        kids = [self.expr(env, shape, depth - 1) for _ in range(arity)]
        return Node("op", op=mn, kids=kids)

    def case(self, index=None, seed=None):
        with quiet():
            return self._case(index, seed)

    def _case(self, index=None, seed=None):
        """One case whose oracle mostly succeeds: up to 30 tries to get one
        that NumPy evaluates; every tenth is kept whatever the oracle says
        (error parity)."""
        rng = self.rng
        keep_errors = rng.random() < 0.1
        for _ in range(30):
            env = {}
            shape = rng.choice(SHAPES)
            tree = self.expr(env, shape, rng.randint(1, self.max_depth))
            if rng.random() < 0.15:
                mn = rng.choice(self.reductions)
                nd = len(shape)
                axis = None
                if nd and rng.random() < 0.6:
                    axis = rng.randint(-1, nd - 1) if rng.random() < 0.2 else rng.randint(0, nd - 1)
                tree = Node("red", op=mn, kids=[tree], axis=axis)
            c = Case(tree, env, seed, index)
            if keep_errors or oracle(tree, env)[0] == "ok":
                return c
        return c


# ---- comparing -------------------------------------------------------------

class Failure:
    def __init__(self, kind, msg, exc=None):
        self.kind, self.msg, self.exc = kind, msg, exc

    def key(self):
        return (self.kind, self.exc.__name__ if self.exc else None)

    def __str__(self):
        return "%s: %s" % (self.kind, self.msg)


#: Ops documented as type errors for some operand types where NumPy
#: computes something (docs/language.md): jitexpr raising TypeError there is
#: accepted.  The oracle raises TypeError for them already; this is the
#: remaining list of documented refusals.
def documented_type_error(case):
    return False


def quiet():
    """NumPy's warnings off (overflow in casts, invalid values...)."""
    ctx = contextlib.ExitStack()
    ctx.enter_context(np.errstate(all="ignore"))
    ctx.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    return ctx


def run_jitexpr(case):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ("ok", jitexpr.evaluate(case.text(), local_dict=case.local_dict()))
    except Exception as e:  # noqa: BLE001 - every class is compared
        return ("raise", type(e), str(e))


def check(case):
    """None, or the Failure of case."""
    with quiet():
        return _check(case)


def _check(case):
    exp = oracle(case.tree, case.env)
    got = run_jitexpr(case)
    if exp[0] == "raise":
        if got[0] == "raise":
            if issubclass(got[1], exp[1]):
                return None
            if issubclass(got[1], TypeError) or issubclass(exp[1], TypeError):
                # two errors in one expression: jitexpr finds type errors
                # when compiling, before it looks at any value (a Python
                # int out of range); NumPy meets them in evaluation order
                return None
            return Failure("exception", "jitexpr raised %s(%s), NumPy %s(%s)" % (
                got[1].__name__, got[2].splitlines()[0] if got[2] else "", exp[1].__name__,
                exp[2]), got[1])
        return Failure("no-exception", "jitexpr returned %r, NumPy raised %s(%s)" % (
            _short(got[1]), exp[1].__name__, exp[2]), exp[1])
    if got[0] == "raise":
        return Failure("raised", "jitexpr raised %s(%s), NumPy gives %r" % (
            got[1].__name__, got[2].splitlines()[0] if got[2] else "", _short(exp[1].v)), got[1])
    return compare_val(np.asarray(got[1]), exp[1])


def _short(x):
    a = np.asarray(x)
    if a.size > 6:
        return "array(%s..., dtype=%s, shape=%s)" % (a.reshape(-1)[:6].tolist(), a.dtype, a.shape)
    return a


def compare_val(got, val):
    want = np.asarray(val.v)
    if is_weak(val.v):
        want = np.asarray(to_array_for_weak(val.v))
    if got.dtype != want.dtype:
        return Failure("dtype", "dtype %s, NumPy %s (got %r, NumPy %r)" % (
            got.dtype, want.dtype, _short(got), _short(want)))
    if got.shape != want.shape:
        return Failure("shape", "shape %s, NumPy %s" % (got.shape, want.shape))
    unc = np.broadcast_to(np.asarray(val.unc), want.shape)
    err = np.broadcast_to(np.asarray(val.err, np.float64), want.shape)
    if want.dtype.kind in "fc":
        d, cls = value_diff(got, want)
        bad = cls | (d > err)
    else:
        bad = got != want
    bad = np.asarray(bad) & ~unc
    if np.any(bad):
        idx = np.argwhere(bad)[0] if bad.ndim else ()
        idx = tuple(int(i) for i in idx)
        return Failure("value", "at %s: got %r, NumPy %r (bound %.3g)" % (
            idx, got[idx], want[idx], err[idx]))
    return None


# ---- shrinking -------------------------------------------------------------

def _replace(tree, target, new):
    if tree is target:
        return new
    t = Node(tree.kind, tree.name, tree.value, tree.op, [], tree.axis)
    t.kids = [_replace(k, target, new) for k in tree.kids]
    return t


def _used_env(tree, env):
    names = {n.name for n in tree.nodes() if n.kind == "var"}
    return {k: v for k, v in env.items() if k in names}


def _size(case):
    n = sum(1 for _ in case.tree.nodes())
    n += sum(int(np.size(v.value)) for v in case.env.values())
    n += sum(1 for v in case.env.values() if isinstance(v.value, np.ndarray)
             and not v.value.flags.c_contiguous)
    return n


def _candidates(case):
    """Smaller variants of case, roughly most promising first."""
    tree, env = case.tree, case.env
    nodes = list(tree.nodes())
    for n in nodes:
        for k in n.kids:
            yield Case(_replace(tree, n, k), _used_env(_replace(tree, n, k), env))
    for n in nodes:
        if n.kind in ("op", "cast", "red") and n is not tree:
            st = oracle(n, env)
            if st[0] == "ok":
                v = st[1].v
                name = "w%d" % len(env)
                if is_weak(v):
                    e2 = dict(env)
                    e2[name] = Var(v, _fmt_scalar(v))
                else:
                    a = np.ascontiguousarray(v)
                    e2 = dict(env)
                    e2[name] = Var(a, array_src(a, "C", a.shape))
                t2 = _replace(tree, n, Node("var", name=name))
                yield Case(t2, _used_env(t2, e2))
    for n in nodes:
        if n.kind == "red" and n.axis is not None:
            t2 = _replace(tree, n, Node("red", op=n.op, kids=n.kids, axis=None))
            yield Case(t2, env)
    for name, var in sorted(env.items()):
        v = var.value
        if isinstance(v, np.ndarray):
            if not v.flags.c_contiguous or v.strides != np.ascontiguousarray(v).strides:
                a = np.ascontiguousarray(v)
                e2 = dict(env)
                e2[name] = Var(a, array_src(a, "C", a.shape))
                yield Case(tree, e2)
            if v.ndim:
                # fewer elements: a leading half, or one element, keeping ndim
                for sl in _smaller_slices(v):
                    a = np.ascontiguousarray(v[sl])
                    e2 = dict(env)
                    e2[name] = Var(a, array_src(a, "C", a.shape))
                    yield Case(tree, e2)


def _smaller_slices(v):
    out = []
    for ax in range(v.ndim):
        n = v.shape[ax]
        if n > 1:
            for sl in (slice(0, 1), slice(n - 1, n), slice(0, n // 2), slice(n // 2, n)):
                idx = [slice(None)] * v.ndim
                idx[ax] = sl
                out.append(tuple(idx))
    return out


def shrink(case, failure, budget=300):
    """A minimal case failing the same way (same kind and exception class)."""
    key = failure.key()
    best, best_f = case, failure
    tries = 0
    improved = True
    while improved and tries < budget:
        improved = False
        for cand in _candidates(best):
            tries += 1
            if tries > budget:
                break
            if _size(cand) >= _size(best):
                continue
            f = check(cand)
            if f is not None and f.key() == key:
                best, best_f = Case(cand.tree, cand.env, case.seed, case.index), f
                improved = True
                break
    return best, best_f
