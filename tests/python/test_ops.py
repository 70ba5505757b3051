"""Every operator and function of src/ops.h, for every supported dtype, over
several memory layouts and with array and Python-scalar operands, against
the same computation done by NumPy: values, dtype, shape, NaN positions,
and the kind of exception where NumPy raises.

One test per (operator, dtype); inside it, every layout and operand kind,
with all differences reported together.
"""

import math
import warnings

import numpy as np
import pytest

import jitexpr
from conftest import COMPLEX_RTOL, DTYPES, OPS, ULP_TOLERANCE, compare, max_ulp_error


def angle(x):
    """np.angle, with a real operand typed as NumPy 2 types it (NEP 50):
    arctan2(0, x) in the float type of x's dtype (NumPy 1.24 types the 0 by
    value, which makes a 0-d int8 give float64)."""
    x = np.asarray(x)
    if x.dtype.kind == "c":
        return np.angle(x)
    return np.arctan2(np.zeros_like(x), x)


def make_complex(a, b):
    """complex(a, b) as the library defines it (numexpr's): both operands as
    float64, the result complex128; complex operands are a TypeError."""
    if np.asarray(a).dtype.kind == "c" or np.asarray(b).dtype.kind == "c":
        raise TypeError("complex() of a complex operand")
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    r = np.empty(np.broadcast(a, b).shape, np.complex128)
    r.real = a  # not a + 1j*b: 1j*inf would be nan+infj
    r.imag = b
    return r


def _float_result(x):
    """The float dtype NumPy's float functions (sqrt) give for x."""
    return np.sqrt(np.zeros(1, np.asarray(x).dtype)).dtype


def _via_math(fn):
    """A reference NumPy lacks (erf, erfc), from Python's math module in
    float64, rounded to the float type NumPy would use."""
    def f(x):
        x = np.asarray(x)
        if x.dtype.kind == "c":
            raise TypeError("no complex %s" % fn.__name__)
        r = np.vectorize(fn, otypes=[np.float64])(x.astype(np.float64))
        return np.asarray(r).astype(_float_result(x))
    return f


def _reciprocal(x):
    """np.reciprocal, except that integer 0 gives 0: NumPy's value there is
    a float infinity cast to the integer type, undefined (docs/language.md)."""
    x = np.asarray(x)
    r = np.reciprocal(x)
    if x.dtype.kind in "iu":
        r = np.where(x == 0, np.zeros((), x.dtype), r)
    return r


def _sign(x):
    """np.sign, except of complex numbers: NumPy 1 gives the sign of the
    first non-zero part, NumPy 2 z/|z|; the library refuses until one is
    chosen (docs/language.md)."""
    if np.asarray(x).dtype.kind == "c":
        raise TypeError("sign of complex")
    return np.sign(x)


def _clip(x, lo, hi):
    """np.clip, except of complex numbers, which the library refuses: NumPy
    orders them lexicographically with NaN rules of its own."""
    if any(np.asarray(v).dtype.kind == "c" for v in (x, lo, hi)):
        raise TypeError("clip of complex")
    return np.clip(x, lo, hi)


def _round(x):
    """np.round; of bools it gives float16, where the library refuses."""
    if np.asarray(x).dtype.kind == "b":
        raise TypeError("round of bool")
    return np.round(x)


def np_contains(s, sub):
    """numexpr's contains(), which NumPy lacks: byte strings only, each cut
    at its first NUL (test_bytes.py tests it on strings; here every numeric
    dtype must raise TypeError)."""
    s, sub = np.asarray(s), np.asarray(sub)
    if s.dtype.kind != "S" or sub.dtype.kind != "S":
        raise TypeError("contains() takes byte strings")
    return np.vectorize(lambda x, y: y.split(b"\0")[0] in x.split(b"\0")[0],
                        otypes=[bool])(s, sub)


# NumPy's function for each row of the table, by syntax and spelling.  A
# row without one fails test_every_op_has_a_reference: a new operator needs
# its reference here, and is then tested everywhere below.
NUMPY = {
    ("OPB", "+"): np.add,
    ("OPB", "-"): np.subtract,
    ("OPB", "*"): np.multiply,
    ("OPB", "/"): np.true_divide,
    ("OPB", "//"): np.floor_divide,
    ("OPB", "%"): np.remainder,
    ("OPB", "**"): np.power,
    ("OPB", "<"): np.less,
    ("OPB", "<="): np.less_equal,
    ("OPB", "=="): np.equal,
    ("OPB", "!="): np.not_equal,
    ("OPB", ">="): np.greater_equal,
    ("OPB", ">"): np.greater,
    ("OPB", "&"): np.bitwise_and,
    ("OPB", "|"): np.bitwise_or,
    ("OPB", "^"): np.bitwise_xor,
    ("OPB", "<<"): np.left_shift,
    ("OPB", ">>"): np.right_shift,
    ("OPU", "-"): np.negative,
    ("OPU", "+"): lambda x: x.copy() if x.dtype == bool else np.positive(x),  # +b: numexpr's
    ("OPU", "~"): np.invert,
    ("FN", "where"): np.where,
    ("FN", "contains"): np_contains,
    ("FN", "abs"): np.absolute,
    ("FN", "real"): np.real,
    ("FN", "imag"): np.imag,
    ("FN", "conj"): np.conjugate,
    ("FN", "complex"): make_complex,
    ("FN", "angle"): angle,
    ("FN", "sqrt"): np.sqrt,
    ("FN", "exp"): np.exp,
    ("FN", "log"): np.log,
    ("FN", "sin"): np.sin,
    ("FN", "cos"): np.cos,
    ("FN", "tan"): np.tan,
    ("FN", "arcsin"): np.arcsin,
    ("FN", "arccos"): np.arccos,
    ("FN", "arctan"): np.arctan,
    ("FN", "sinh"): np.sinh,
    ("FN", "cosh"): np.cosh,
    ("FN", "tanh"): np.tanh,
    ("FN", "arcsinh"): np.arcsinh,
    ("FN", "arccosh"): np.arccosh,
    ("FN", "arctanh"): np.arctanh,
    ("FN", "exp2"): np.exp2,
    ("FN", "expm1"): np.expm1,
    ("FN", "log2"): np.log2,
    ("FN", "log10"): np.log10,
    ("FN", "log1p"): np.log1p,
    ("FN", "cbrt"): np.cbrt,
    ("FN", "erf"): _via_math(math.erf),
    ("FN", "erfc"): _via_math(math.erfc),
    ("FN", "arctan2"): np.arctan2,
    ("FN", "hypot"): np.hypot,
    ("FN", "power"): np.power,
    ("FN", "fmod"): np.fmod,
    ("FN", "sign"): _sign,
    ("FN", "square"): np.square,
    ("FN", "reciprocal"): _reciprocal,
    ("FN", "floor"): np.floor,
    ("FN", "ceil"): np.ceil,
    ("FN", "trunc"): np.trunc,
    ("FN", "rint"): np.rint,
    ("FN", "round"): _round,
    ("FN", "copysign"): np.copysign,
    ("FN", "nextafter"): np.nextafter,
    ("FN", "signbit"): np.signbit,
    ("FN", "isnan"): np.isnan,
    ("FN", "isinf"): np.isinf,
    ("FN", "isfinite"): np.isfinite,
    ("FN", "maximum"): np.maximum,
    ("FN", "minimum"): np.minimum,
    ("FN", "fmax"): np.fmax,
    ("FN", "fmin"): np.fmin,
    ("FN", "clip"): _clip,
    ("FN", "deg2rad"): np.deg2rad,
    ("FN", "rad2deg"): np.rad2deg,
    ("FN", "logaddexp"): np.logaddexp,
    ("FN", "logaddexp2"): np.logaddexp2,
    ("FN", "heaviside"): np.heaviside,
    ("FN", "copy"): np.copy,
    ("FN", "ones_like"): np.ones_like,
}

# Functions built from vector math calls whose result may cancel (a sum of
# a term computed within a few ULP): compared with an absolute tolerance of
# ULP_TOLERANCE ULPs of max(|result|, 1) instead.
ABSOLUTE_ULPS = ("logaddexp", "logaddexp2")

N = 101  # odd and longer than any vector: the loops' tails run too
NAMES = ("a", "b", "c")


# Reductions (rule REDUCE), whole-array and along an axis.
REDUCTIONS = {"sum": np.sum, "prod": np.prod, "min": np.min, "max": np.max,
              "any": np.any, "all": np.all, "mean": np.mean}

ELEMENTWISE = [op for op in OPS if op.rule != "REDUCE"]
REDUCE_OPS = [op for op in OPS if op.rule == "REDUCE"]


def test_every_op_has_a_reference():
    missing = [op.ident for op in ELEMENTWISE if (op.syn, op.spell) not in NUMPY]
    missing += [op.ident for op in REDUCE_OPS if op.spell not in REDUCTIONS]
    assert not missing, "add a NumPy reference to NUMPY or REDUCTIONS for: %s" % missing


# ---- operand values -----------------------------------------------------------

INT_SPECIALS = ([0, 1, -1, "min", "max", 7, -7, 100],
                [0, 0, -1, -1, 0, 2, -3, 7],
                [0, 1, 5, "max", 0, 3, -2, "min"])
FLOAT_SPECIALS = ([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 0.5, 2.5, -2.5, 1e-3, 100.0],
                  [0.0, 0.0, -0.0, 0.0, 2.0, -np.inf, 1.0, np.inf, -2.5, 0.5, 3.0, 1e-3],
                  [1.0, -0.0, 0.5, 2.0, np.inf, 3.0, 2.0, np.nan, -1.0, 0.0, 1.0, 50.0])


def values(op, dtype, n, seed, position):
    """n values of dtype for operand `position` of op, the edge cases first."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        v = rng.random(n) < 0.5
        v[:4] = [True, False, True, False] if position == 0 else [True, True, False, False]
        return v
    if dt.kind in "iu":
        info = np.iinfo(dt)
        if op is not None and op.spell in ("**", "power") and position == 1:
            # NumPy raises for negative integer exponents anywhere in an
            # array; the library gives 0/±1 (docs/language.md): not compared.
            return rng.integers(0, 6, n).astype(dt)
        if op is not None and op.spell in ("<<", ">>") and position == 1:
            # Counts from 0 to past the bit width (both give 0, or -1 for a
            # negative value shifted right); negative counts are undefined in
            # C and in NumPy.
            return rng.integers(0, 8 * dt.itemsize + 2, n).astype(dt)
        v = rng.integers(info.min, info.max, n, endpoint=True, dtype=dt)
        spec = [{"min": int(info.min), "max": int(info.max)}.get(s, s)
                for s in INT_SPECIALS[position]]
        if dt.kind == "u":
            spec = [x % (int(info.max) + 1) for x in spec]
        v[:len(spec)] = spec
        return v
    if dt.kind == "c":
        # Each special as a real part with every other special as its
        # imaginary part (zero divisors, infinities, NaN in either part),
        # then random values.
        re = values(op, "float64", n, seed, position)
        im = values(op, "float64", n, seed + 1000, 1 - position)
        spec = FLOAT_SPECIALS[position]
        k = len(spec)
        for j, x in enumerate(spec[:n // (3 * k)]):
            re[j * k:(j + 1) * k] = x
            im[j * k:(j + 1) * k] = np.roll(FLOAT_SPECIALS[1 - position], j)
        v = np.empty(n, dt)
        v.real = re
        v.imag = im
        return v
    v = rng.uniform(-4, 4, n)
    spec = FLOAT_SPECIALS[position]
    v[:len(spec)] = spec
    return v.astype(dt)


# ---- the reference and the comparison --------------------------------------------


def numpy_result(op, args):
    """NumPy's result, or the exception class it raises."""
    f = NUMPY[(op.syn, op.spell)]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            r = f(*args)
        except DeprecationWarning:
            # NumPy 1.24 deprecates what NumPy 2 rejects with TypeError
            # (unary + of bools); the library follows NumPy 2.
            return TypeError
        except (TypeError, ValueError, OverflowError, ZeroDivisionError) as e:
            for kind in (TypeError, ValueError, OverflowError, ZeroDivisionError):
                if isinstance(e, kind):
                    return kind
    return np.asarray(r)


def tolerance(op, expected, args=()):
    """ULPs allowed: 0 (exact) except for math functions, float `**`, and
    abs and angle of complex (hypot, atan2: NumPy has its own SIMD abs)."""
    if isinstance(expected, type) or expected.dtype.kind != "f":
        return 0
    if op.low == "LIBM" or op.spell in ("**", "power") or op.spell in ABSOLUTE_ULPS:
        return ULP_TOLERANCE[expected.dtype.name]
    if op.spell in ("abs", "angle") and any(np.asarray(a).dtype.kind == "c" for a in args):
        return ULP_TOLERANCE[expected.dtype.name]
    return 0


def complex_tolerance(op, expected):
    """Relative error allowed in a complex result (conftest.COMPLEX_RTOL):
    complex functions and powers; + - * / and the rest are exact."""
    if isinstance(expected, type) or expected.dtype.kind != "c":
        return 0
    if op.spell == "log1p" and expected.dtype == np.complex64:
        # NumPy's complex64 log1p is log(hypot(re + 1, im)) in float32,
        # which cancels near z = 0 (5e-7 where 4.77e-7 is right at
        # re = 1e-3 - 1e-6); the library evaluates it in double.
        return 1e-4
    if op.spell == "**" and expected.dtype == np.complex64:
        # NumPy's cpowf works in float32: exp(b*log(a)) loses digits as the
        # product grows (1e-5 of |z| at |b| ~ 4); the library uses double.
        return 1e-4
    if op.rule == "FLOATFN" or op.spell in ("**", "power"):
        return COMPLEX_RTOL[expected.dtype.name]
    if op.spell == "reciprocal":
        # The same formula; NumPy's SIMD loop rounds it 1 ULP apart.
        return 4 * np.finfo(expected.real.dtype).eps
    if op.syn == "OPB" and op.spell == "*":
        # NumPy's SIMD complex multiply fuses a product and a sum (FMA) in
        # some layouts: a few ULPs of |z|.
        return 4 * np.finfo(expected.real.dtype).eps
    return 0


def check(op, args, label, failures):
    """Evaluates op over args with jitexpr and NumPy; appends a difference."""
    names = NAMES[:len(args)]
    src = op.source(names)
    expected = numpy_result(op, args)
    try:
        with np.errstate(all="ignore"):
            got = jitexpr.evaluate(src, local_dict=dict(zip(names, args)))
    except Exception as e:  # compared with NumPy's exception below
        if isinstance(expected, type) and isinstance(e, expected):
            return
        failures.append("%s [%s]: raised %s: %s; NumPy %s" % (
            src, label, type(e).__name__, str(e).splitlines()[0],
            expected.__name__ if isinstance(expected, type) else expected.dtype))
        return
    if isinstance(expected, type):
        failures.append("%s [%s]: gave %s, NumPy raises %s" % (
            src, label, got.dtype, expected.__name__))
        return
    if op.spell in ABSOLUTE_ULPS and not isinstance(expected, type):
        diff = compare_absolute(got, expected, tolerance(op, expected, args))
    else:
        diff = compare(got, expected, tolerance(op, expected, args),
                       complex_tolerance(op, expected))
    if diff:
        failures.append("%s [%s]: %s" % (src, label, diff))


def compare_absolute(got, expected, ulps):
    """compare(), with the error measured in ULPs of max(|expected|, 1)."""
    diff = compare(got, expected, 0)
    if diff is None or diff.startswith(("dtype", "shape")):
        return diff
    g = np.asarray(got, np.float64)
    e = np.asarray(expected, np.float64)
    scale = np.spacing(np.maximum(np.abs(expected), np.ones((), expected.dtype))).astype(np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~((g == e) | (np.isnan(g) & np.isnan(e)) |
                (np.isfinite(g) & np.isfinite(e) & (np.abs(g - e) <= ulps * scale)))
    if np.any(bad):
        return "error > %d ULP of max(|x|, 1): got %r, NumPy %r" % (ulps, g[bad][:5], e[bad][:5])
    return None


def describe(args):
    return ", ".join("%s%s" % (np.asarray(x).dtype, np.shape(x)) if isinstance(x, np.ndarray)
                     else type(x).__name__ for x in args)


# ---- layouts -------------------------------------------------------------------------


def layouts(vals):
    """(name, operands) over the value arrays vals (each 3*N long):
    contiguous, strided, reversed, broadcast, 0-d, empty."""
    k = len(vals)
    yield "contiguous", [v[:N].copy() for v in vals]
    yield "strided", [v[:(2 + i) * N:2 + i] for i, v in enumerate(vals)]
    yield "reversed", [v[:N][::-1] if i == 0 else v[:N] for i, v in enumerate(vals)]
    if k == 1:
        yield "broadcast", [np.broadcast_to(vals[0][:1], (N,))]
    else:
        shapes = [(7, 1), (1, 9), (7, 9)]
        yield "broadcast", [v[:int(np.prod(s))].reshape(s) for v, s in zip(vals, shapes)]
    yield "0-d", [np.array(v[i]) if i == 0 else v[:N] for i, v in enumerate(vals)]
    yield "all 0-d", [np.array(v[3]) for v in vals]
    yield "empty", [v[:0] for v in vals]
    yield "empty 2-D", [v[:0].reshape(3, 0) if i == 0 else v[:0] for i, v in enumerate(vals)]


SCALARS = [("python int", 3), ("python float", 2.5), ("python bool", True),
           ("python complex", 1.5 - 2j)]


# ---- the generated tests ------------------------------------------------------------------

CASES = [(op, dt) for op in ELEMENTWISE for dt in DTYPES]


@pytest.mark.parametrize("op,dtype", CASES, ids=["%s-%s" % (op.ident, dt) for op, dt in CASES])
def test_op(op, dtype):
    failures = []
    if op.syn == "FN" and op.spell == "where":
        cond = values(None, "bool", 3 * N, 1, 0)
        a = values(op, dtype, 3 * N, 2, 0)
        b = values(op, dtype, 3 * N, 3, 1)
        for name, args in layouts([cond, a, b]):
            check(op, args, name, failures)
        # A condition of the dtype itself: non-zero is true.
        for name, args in layouts([a, b, a[::-1].copy()]):
            check(op, args, "condition %s, %s" % (dtype, name), failures)
        check(op, [cond[:N], a[:N], 2.5], "python float", failures)
        check(op, [cond[:N], 3, b[:N]], "python int", failures)
    else:
        vals = [values(op, dtype, 3 * N, 10 + i, i) for i in range(op.arity)]
        for name, args in layouts(vals):
            check(op, args, name, failures)
        if op.arity == 2:
            for label, s in SCALARS:
                if op.spell in ("<<", ">>", "**", "power") and isinstance(s, int) and not isinstance(s, bool):
                    s = 2  # a count or exponent in range for every dtype
                check(op, [vals[0][:N], s], "array, " + label, failures)
                check(op, [s, vals[1][:N]], label + ", array", failures)
    assert not failures, "%d differences from NumPy:\n  %s" % (
        len(failures), "\n  ".join(failures[:30]))


# Mixed dtypes: one binary operator per type rule of ops.h (ARITH, TRUEDIV,
# BOOL8, CMP) plus the bitwise, shift and power operators, over every pair
# of dtypes (contiguous).  Promotion itself is checked against NumPy's whole
# table by the C suite (tests/types_data.h); this checks the values too.
MIXED_OPS = [op for op in OPS if op.syn == "OPB" and op.spell in
             ("+", "/", "//", "<", "&", "<<", "**")]


@pytest.mark.parametrize("op", MIXED_OPS, ids=[op.ident for op in MIXED_OPS])
def test_mixed_dtypes(op):
    failures = []
    for i, t1 in enumerate(DTYPES):
        for j, t2 in enumerate(DTYPES):
            if t1 == t2:
                continue
            a = values(op, t1, N, 100 + i, 0)
            b = values(op, t2, N, 200 + j, 1)
            check(op, [a, b], "%s, %s" % (t1, t2), failures)
    assert not failures, "%d differences from NumPy:\n  %s" % (
        len(failures), "\n  ".join(failures[:30]))


# Relative error allowed in float sums, products and means: both sides sum
# pairwise or in blocks, with errors growing like log(n) ULPs; NumPy adds
# float16 in float16 while the library may accumulate in float32.
REDUCE_RTOL = {"float16": 2e-2, "float32": 1e-5, "float64": 1e-12}

REDUCE_CASES = [(op, dt) for op in REDUCE_OPS for dt in DTYPES]


@pytest.mark.parametrize("op,dtype", REDUCE_CASES,
                         ids=["%s-%s" % (op.ident, dt) for op, dt in REDUCE_CASES])
def test_reduction(op, dtype):
    rng = np.random.default_rng(5)
    dt = np.dtype(dtype)
    if dt.kind == "c":
        base = complex_values(op.spell, dtype, 3 * N, rng)
    elif dt.kind == "f":
        base = rng.uniform(0.5, 1.5, 3 * N).astype(dt)
    elif dt.kind == "b":
        base = rng.random(3 * N) < 0.7
    else:
        base = values(None, dtype, 3 * N, 6, 0)
    ref_fn = REDUCTIONS[op.spell]
    cases = [("contiguous", base[:N], {}), ("strided", base[::3], {}),
             ("2-D", base[:96].reshape(8, 12), {}), ("2-D, axis=0", base[:96].reshape(8, 12), {"axis": 0}),
             ("2-D F, axis=1", np.asfortranarray(base[:96].reshape(8, 12)), {"axis": 1})]
    failures = []
    for label, a, kw in cases:
        src = "%s(a%s)" % (op.spell, "".join(", %s=%d" % kv for kv in kw.items()))
        try:
            got = jitexpr.evaluate(src)
        except NotImplementedError as e:
            if isinstance(e, TypeError):  # jitexpr.UnsupportedTypeError: a real failure
                raise
            pytest.skip("reductions are not in libjitexpr yet: %s" % str(e).splitlines()[0])
        except SyntaxError as e:
            if kw and "keyword" in str(e):
                continue  # reductions along an axis: not parsed yet
            raise
        with np.errstate(all="ignore"):
            want = np.asarray(ref_fn(a, **kw))
        rtol = REDUCE_RTOL.get(want.dtype.name, 0) if op.spell in ("sum", "prod", "mean") else 0
        if want.dtype.kind == "c":
            diff = compare(got, want, rtol=complex_reduce_rtol(op.spell, want.dtype.name))
            if diff:
                failures.append("%s [%s]: %s" % (src, label, diff))
        elif got.dtype != want.dtype or got.shape != want.shape:
            failures.append("%s [%s]: %s%s, NumPy %s%s" % (src, label, got.dtype, got.shape,
                                                          want.dtype, want.shape))
        elif rtol:
            if not np.allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=0):
                failures.append("%s [%s]: %r, NumPy %r" % (src, label, got, want))
        elif not np.array_equal(got, want):
            failures.append("%s [%s]: %r, NumPy %r" % (src, label, got, want))
    assert not failures, "\n  ".join(failures)


# Float min and max of special values, each row a way the partials loop's
# keys (jit/loops.c, float_key) could go wrong: NaNs of either sign (x86
# makes negative ones: 0 * inf), zeros of both signs in either order,
# infinities, subnormals, all NaN, a NaN in the last (scalar) elements or
# only in a later block; each at several lengths, as float16, 32 and 64,
# whole and along each axis.  Exact, with the sign of zero, against NumPy,
# except where zeros of both signs meet: NumPy's answer there depends on
# the order its SIMD lanes meet them (max of [-0, +0] is -0, of 1025 such
# zeros also -0), the library's is IEEE 754's maximum and minimum, -0
# below +0, whatever the order.
NEG_NAN = -np.float64("nan")
SPECIAL_MINMAX = [
    ("positive NaN", lambda n: np.where(np.arange(n) == n // 3, np.nan, 1.0)),
    ("negative NaN", lambda n: np.where(np.arange(n) == n // 2, NEG_NAN, 1.0)),
    ("NaN last", lambda n: np.where(np.arange(n) == n - 1, NEG_NAN, -1.0)),
    ("all NaN", lambda n: np.full(n, np.nan)),
    ("zeros -0 first", lambda n: np.where(np.arange(n) % 2 == 0, -0.0, 0.0)),
    ("zeros +0 first", lambda n: np.where(np.arange(n) % 2 == 0, 0.0, -0.0)),
    ("all -0", lambda n: np.full(n, -0.0)),
    ("-0 and negatives", lambda n: np.where(np.arange(n) == n // 2, -0.0, -1.0 - np.arange(n))),
    ("+0 and positives", lambda n: np.where(np.arange(n) == n // 2, 0.0, 1.0 + np.arange(n))),
    ("infinities", lambda n: np.where(np.arange(n) % 3 == 0, np.inf, -np.inf)),
    ("-inf only", lambda n: np.full(n, -np.inf)),
    ("subnormals", lambda n: np.where(np.arange(n) % 2 == 0, 5e-324, -5e-324)),
    ("mixed signs", lambda n: np.sin(np.arange(n) * 0.7) * 1e3),
]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("label,make", SPECIAL_MINMAX, ids=[r[0] for r in SPECIAL_MINMAX])
def test_float_min_max_special_values(dtype, label, make):
    failures = []
    for n in (1, 7, 64, 1023, 1025, 2500):
        with np.errstate(all="ignore"):
            a = make(n).astype(dtype)
        for fn in ("min", "max"):
            for axis in (None, 0, 1) if n >= 64 else (None,):
                x = a if axis is None else a[: n - n % 8].reshape(8, -1)
                want = np.asarray(getattr(np, fn)(x, axis=axis))
                both = np.any((x == 0) & np.signbit(x), axis=axis) & np.any(
                    (x == 0) & ~np.signbit(x), axis=axis)
                want = np.where(both & (want == 0), -0.0 if fn == "min" else 0.0, want)
                src = "%s(x)" % fn if axis is None else "%s(x, axis=%d)" % (fn, axis)
                got = jitexpr.evaluate(src, local_dict={"x": x})
                ok = ((got == want) & (np.signbit(got) == np.signbit(want))) | (
                    np.isnan(got) & np.isnan(want))
                if got.dtype != x.dtype or not ok.all():
                    failures.append("%s n=%d: %r, expected %r" % (src, n, got, want))
    assert not failures, "\n  ".join(failures[:20])


# Complex reductions follow NumPy's dtypes (sum, prod, mean, min, max keep
# the complex type; any, all give bool).  The library accumulates complex64
# in complex128 where NumPy adds and multiplies in complex64, and sums in
# blocks and pairs where NumPy multiplies in sequence: relative error (of
# |z|) within these bounds; min, max, any and all exact.
COMPLEX_REDUCE_RTOL = {"complex64": 1e-5, "complex128": 1e-12}


def complex_reduce_rtol(spell, dtype):
    if spell not in ("sum", "prod", "mean"):
        return 0
    return COMPLEX_REDUCE_RTOL[dtype] * (10 if spell == "prod" else 1)


def complex_values(spell, dtype, n, rng):
    """n values of complex dtype for reduction spell: parts in (0.5, 1.5)
    (sums without cancellation); for prod points on the unit circle (finite
    products); for min and max real parts from 4 values (ties decided by
    the imaginary part); for any and all zeros and values with one part 0."""
    re, im = rng.uniform(0.5, 1.5, n), rng.uniform(0.5, 1.5, n)
    if spell == "prod":
        t = rng.uniform(0, 2 * np.pi, n)
        re, im = np.cos(t), np.sin(t)
    elif spell in ("min", "max"):
        re = rng.integers(0, 4, n) * 0.25
    elif spell in ("any", "all"):
        kind = rng.integers(0, 8, n)
        re = np.where((kind == 0) | (kind == 1), 0, re)
        im = np.where((kind == 0) | (kind == 2), 0, im)
    z = np.empty(n, dtype)
    z.real, z.imag = re, im
    return z


COMPLEX_REDUCE_CASES = [(op, dt, ax) for op in REDUCE_OPS for dt in ("complex64", "complex128")
                        for ax in (None, 0, 1, -1)]


@pytest.mark.parametrize("op,dtype,axis", COMPLEX_REDUCE_CASES,
                         ids=["%s-%s-%s" % (op.ident, dt, ax) for op, dt, ax in COMPLEX_REDUCE_CASES])
def test_complex_reduction(op, dtype, axis):
    """Each reduction of complex64 and complex128 along each axis, over C
    and Fortran 2-D arrays, with blocks of 1024 and more (and fewer), with
    NaN parts (their positions in the result as NumPy's; min and max return
    the first element with a NaN), infinite parts, and empty arrays (NumPy's
    values, or its ValueError for min and max)."""
    rng = np.random.default_rng(11)
    ref_fn = REDUCTIONS[op.spell]
    kw = {} if axis is None else {"axis": axis}
    src = "%s(a%s)" % (op.spell, "" if axis is None else ", axis=%d" % axis)
    rtol = complex_reduce_rtol(op.spell, dtype)
    failures = []
    for shape in [(7, 300), (300, 7), (3, 2100), (1, 1), (0, 5), (5, 0)]:
        m, n = shape
        base = complex_values(op.spell, dtype, m * n, rng).reshape(shape)
        variants = [("", base)]
        if base.size > 100:
            nan = base.copy()
            nan[2 % m, 3 % n] = complex(np.nan, 1)
            nan[4 % m, 1 % n] = complex(1, np.nan)
            nan[m - 1, n - 1] = complex(np.nan, np.nan)
            variants.append((" NaN", nan))
            if op.spell != "prod":  # inf * 0 parts: NaN or not by the order of products
                inf = base.copy()
                inf[1 % m, 2 % n] = complex(np.inf, 0.5)
                inf[5 % m, 5 % n] = complex(-1, -np.inf)
                variants.append((" inf", inf))
        for label, a in variants:
            for order in "CF":
                x = np.asarray(a, order=order)
                what = "%s [%s %s%s]" % (src, shape, order, label)
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # mean of nothing
                    try:
                        want = np.asarray(ref_fn(x, **kw))
                    except ValueError:
                        with pytest.raises(ValueError):
                            jitexpr.evaluate(src, local_dict={"a": x})
                        continue
                got = jitexpr.evaluate(src, local_dict={"a": x})
                diff = compare(got, want, rtol=rtol)
                if diff:
                    failures.append("%s: %s" % (what, diff))
    assert not failures, "\n  ".join(failures)


# ---- accuracy of the math functions, against mpmath ----------------------------------

# The bound the library documents for its vector math (glibc's libmvec).
MATH_ULP = 4
MATH_FUNCTIONS = [op for op in OPS if op.low == "LIBM"]


def math_error(op, dtype, n, mpmath, seed=7):
    """The largest error, in ULP, of op over n points of its useful domain
    in dtype, against mpmath at 128 bits (rounded to dtype).  Also used by
    bench/mathacc.py, which prints the table of docs/math.md."""
    rng = np.random.default_rng(seed)
    u = lambda lo, hi: rng.uniform(lo, hi, n)
    logs = np.exp(u(-20, 20))
    cases = {
        "log": (logs, mpmath.log), "log2": (logs, lambda v: mpmath.log(v, 2)),
        "log10": (logs, mpmath.log10), "log1p": (u(-0.9, 100), mpmath.log1p),
        "exp": (u(-80, 80) if dtype == "float32" else u(-700, 700), mpmath.exp),
        "exp2": (u(-120, 120), lambda v: mpmath.power(2, v)),
        "expm1": (u(-20, 20), mpmath.expm1),
        "arcsin": (u(-1, 1), mpmath.asin), "arccos": (u(-1, 1), mpmath.acos),
        "arctan": (u(-100, 100), mpmath.atan), "sinh": (u(-20, 20), mpmath.sinh),
        "cosh": (u(-20, 20), mpmath.cosh), "tanh": (u(-10, 10), mpmath.tanh),
        "arcsinh": (u(-100, 100), mpmath.asinh), "arccosh": (u(1, 100), mpmath.acosh),
        "arctanh": (u(-1, 1), mpmath.atanh),
        "cbrt": (u(-1000, 1000), lambda v: mpmath.sign(v) * mpmath.cbrt(abs(v))),
        "erf": (u(-6, 6), mpmath.erf),
        "erfc": (u(-5, 27) if dtype == "float64" else u(-3, 10), mpmath.erfc),
    }
    # Two-operand functions: (y, x) pairs over all quadrants and scales.
    cases2 = {
        "arctan2": ((u(-10, 10) * np.exp(u(-5, 5)), u(-10, 10)), mpmath.atan2),
        "hypot": ((u(-1e3, 1e3), u(-1e3, 1e3) * np.exp(u(-8, 8))), mpmath.hypot),
    }
    mpmath.mp.prec = 128
    if op.arity == 2:
        (x, y), f = cases2[op.spell]
        x, y = x.astype(dtype), y.astype(dtype)
        got = jitexpr.evaluate("%s(x, y)" % op.spell, local_dict={"x": x, "y": y})
        ref = np.array([float(f(mpmath.mpf(float(v)), mpmath.mpf(float(w))))
                        for v, w in zip(x, y)]).astype(dtype)
    else:
        x, f = cases.get(op.spell, (u(-10, 10), getattr(mpmath, op.spell, None)))
        x = x.astype(dtype)
        got = jitexpr.evaluate("%s(x)" % op.spell, local_dict={"x": x})
        ref = np.array([float(f(mpmath.mpf(float(v)))) for v in x]).astype(dtype)
    return max_ulp_error(got, ref)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", MATH_FUNCTIONS, ids=[op.ident for op in MATH_FUNCTIONS])
def test_math_ulp_vs_mpmath(op, dtype):
    mpmath = pytest.importorskip("mpmath")
    # The reference is the correctly rounded result (to within the final
    # rounding), so the error bound is the library's, plus half an ULP.
    err = math_error(op, dtype, 300, mpmath)
    assert err <= MATH_ULP + 0.5, "%s(%s): %.2f ULP" % (op.spell, dtype, err)


# ---- complex: explicit cases ----------------------------------------------------------

COMPLEX_CASES = [
    # (expression, operands), compared with NumPy evaluating the same text.
    ("a / b", {"a": np.array([1 + 2j, 0j, np.nan + 1j, 1j], np.complex128),
               "b": np.array([0j, 0j, 0j, -0.0 + 0j], np.complex128)}),
    ("a * (3-1j) + 2j", {"a": np.array([1.5, -2.0, np.inf, np.nan])}),
    ("a * x", {"a": np.arange(5, dtype=np.float32), "x": 1.5 - 0.5j}),
    ("a + x", {"a": np.arange(5, dtype=np.float16), "x": 2j}),
    ("a ** 2", {"a": np.array([1 + 1j, np.inf + 0j, 3 - 4j], np.complex64)}),
    ("a < b", {"a": np.array([1 + 2j, np.nan + 1j, 1 + np.nan * 1j, 1 + 1j]),
               "b": np.array([1 + 3j, 1 + 1j, 2 + 1j, 1 + 1j])}),
    ("abs(a) + real(a) * imag(a)", {"a": np.array([3 + 4j, -1j, np.inf - 1j], np.complex64)}),
]


@pytest.mark.parametrize("src,env", COMPLEX_CASES, ids=[c[0] for c in COMPLEX_CASES])
def test_complex_cases(src, env):
    with np.errstate(all="ignore"):
        got = jitexpr.evaluate(src, local_dict=env)
        want = np.asarray(eval(src.replace("abs(", "np.abs(").replace("real(", "np.real(")
                               .replace("imag(", "np.imag("), {"np": np}, dict(env)))
    if want.dtype == np.complex128 and any(isinstance(v, complex) for v in env.values()):
        # NumPy 1.24 types a Python complex by value; the library as NumPy 2
        # (NEP 50): a float32 or float16 array with a Python complex is
        # complex64.
        want = want.astype(np.result_type(
            *[v.dtype for v in env.values() if isinstance(v, np.ndarray)], np.complex64))
    assert compare(got, want, rtol=COMPLEX_RTOL.get(want.dtype.name, 0) if "**" in src else 0) is None, \
        (got, want)


def test_complex_out():
    a = np.array([1 + 2j, 3 - 1j], np.complex64)
    out = np.zeros(2, np.complex64)
    r = jitexpr.evaluate("a * 2 + 1j", out=out)
    assert r is out
    np.testing.assert_array_equal(out, a * 2 + 1j)


# ---- complex exp and exp2: special values and accuracy --------------------------------
# The kernel writes them out from the real exp, sin and cos (4 ULP each) with
# glibc cexp's special cases, which NumPy calls: against the exact value,
# 4 + 4 ULP and 1.5 for the products (and exp(t)'s rounding where exp(x)
# is scaled); against NumPy, whose cexp is within 1.5, 11 ULP of each part.
CEXP_ULP_EXACT = 10  # against mpmath, rounded: 9.5 + 0.5
CEXP_ULP_NUMPY = 11


def cexp_specials(dtype):
    """Every pair of parts from a list of special and boundary values."""
    f = np.dtype(dtype).type(0).real.dtype.type
    fi = np.finfo(f)
    if f == np.float32:
        big = [88.5, 89.0, 100.0, 176.5, 200.0, 265.0, 300.0]
    else:
        big = [709.5, 710.0, 1000.0, 1418.5, 1500.0, 2127.5, 2200.0]
    sp = [0.0, -0.0, 1.0, -2.5, np.inf, -np.inf, np.nan, fi.smallest_subnormal,
          -fi.smallest_subnormal, fi.tiny, 1e-30, 3.0, np.pi / 2, 1e10, 1e30, fi.max, -fi.max]
    sp += big + [-b for b in big]
    x, y = np.meshgrid(np.array(sp, f), np.array(sp, f))
    z = np.empty(x.size, dtype)
    z.real, z.imag = x.ravel(), y.ravel()
    return z


def cexp_diff(z, got, want, ulps, of_abs=False):
    """Each part bit for bit where NumPy's is 0, 1, infinite or NaN (any
    NaN), else within ulps ULP of it (of_abs: ULP of |want|, for a part
    that is a difference and may cancel); the first differences."""
    bad = []
    tiny = np.finfo(got.real.dtype).tiny
    for part in ("real", "imag"):
        g, w = getattr(got, part), getattr(want, part)
        exact = (w == 0) | (w == 1) | ~np.isfinite(w)
        same = ((g == w) & (np.signbit(g) == np.signbit(w))) | (np.isnan(g) & np.isnan(w))
        bad += list(np.nonzero(exact & ~same)[0])
        with np.errstate(over="ignore", invalid="ignore"):
            scale = np.abs(want) if of_abs else np.abs(w)
            scale = np.where(np.isfinite(scale), scale, np.abs(w))
            spacing = np.spacing(np.maximum(scale, tiny)).astype(np.float64)
            err = np.abs(g.astype(np.float64) - w.astype(np.float64))
            bad += list(np.nonzero(~exact & ~(err <= ulps * spacing))[0])
    return ["%r: got %r, NumPy %r" % (z[i], got[i], want[i]) for i in sorted(set(bad))[:10]]


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("fn", ["exp", "exp2", "expm1"])
def test_complex_exp_special(fn, dtype):
    z = cexp_specials(dtype)
    with np.errstate(all="ignore"):
        want = getattr(np, fn)(z)
    failures = []
    wide = np.repeat(z, 3)  # every third element: a strided operand
    for label, arg, ref in [("contiguous", z, want), ("remainder", z[:-5], want[:-5]),
                            ("strided", wide[::3], want), ("reversed", z[::-1], want[::-1])]:
        got = jitexpr.evaluate("%s(z)" % fn, local_dict={"z": arg})
        assert got.dtype == want.dtype
        # expm1's real part, expm1(x) cos y - 2 sin(y/2)^2, may cancel: its
        # error is in ULP of the terms, which |expm1(z)| bounds (within a
        # small factor: where they cancel, sin y is not small)
        diff = cexp_diff(arg, got, ref, CEXP_ULP_NUMPY, of_abs=fn == "expm1")
        if diff:
            failures.append("%s(%s) [%s]: %s" % (fn, dtype, label, "; ".join(diff)))
    assert not failures, "\n  ".join(failures)


def cexp_error(fn, dtype, n, mpmath, seed=11):
    """The largest error in ULP of either part of fn(z) over n points,
    against mpmath at 128 bits (rounded to the part type).  exp2 is
    checked as exp of z * ln 2 rounded to the part type, as NumPy computes
    it (the rounding of that product is NumPy's too)."""
    rng = np.random.default_rng(seed)
    f = np.dtype(dtype).type(0).real.dtype.type
    lim, t = (87.0, 88.0) if f == np.float32 else (700.0, 709.0)
    m = n // 4
    x = np.concatenate([rng.uniform(-lim, lim, n - m), rng.uniform(t, t + 0.78, m)])
    y = np.concatenate([rng.uniform(-30, 30, n - 2 * m), rng.uniform(-1e5, 1e5, m),
                        np.pi / 2 + rng.uniform(-1e-3, 1e-3, m) * np.exp(rng.uniform(-20, 0, m))])
    if fn == "exp2":
        x /= math.log(2)
    z = np.empty(n, dtype)
    z.real, z.imag = x.astype(f), y.astype(f)
    got = jitexpr.evaluate("%s(z)" % fn, local_dict={"z": z})
    w = z if fn == "exp" else (z.real * f(math.log(2))) + 1j * (z.imag * f(math.log(2)))
    mpmath.mp.prec = 128
    ref = [mpmath.exp(mpmath.mpc(float(v.real), float(v.imag))) for v in np.asarray(w, np.complex128)]
    with np.errstate(over="ignore"):
        rr = np.array([float(v.real) for v in ref]).astype(f)
        ri = np.array([float(v.imag) for v in ref]).astype(f)
    return max(max_ulp_error(got.real, rr), max_ulp_error(got.imag, ri))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("fn", ["exp", "exp2"])
def test_complex_exp_ulp_vs_mpmath(fn, dtype):
    mpmath = pytest.importorskip("mpmath")
    err = cexp_error(fn, dtype, 400, mpmath)
    assert err <= CEXP_ULP_EXACT, "%s(%s): %.2f ULP" % (fn, dtype, err)
