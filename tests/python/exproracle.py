"""The oracle of the differential test (test_differential.py): the value
NumPy gives for an expression tree that exprgen.py made.  The oracle is
NumPy with NEP 50 promotion (``np._set_promotion_state('weak')``), changed
only where docs/language.md documents a deliberate difference.

The oracle evaluates every node together with an error bound and a mask of
uncertain elements: a node's own error is its function's ULP bound from
docs/math.md (in ULPs of its result dtype), and the error of its operands
is carried through by evaluating the node again with each operand moved by
its error both ways.  An element whose discrete value (a comparison, a cast
to an integer, floor, ...) changes under such a move is uncertain and is
not compared; everything else is: dtype exactly, NaN positions, values
within the bound (exactly where the bound is 0).
"""

import contextlib
import math
import warnings

import numpy as np

from jitexpr import _jitexpr

# ---- the op table and what the oracle knows of it -------------------------

#: The op table as the library declares it: (mnemonic, spelling, syntax, arity).
OPS = [tuple(o) for o in _jitexpr._ops()]

#: The op table's rows by mnemonic.
OPINFO = {o[0]: o for o in OPS}

#: Dtype names usable as casts (a call named after a dtype).
CAST_NAMES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
              "uint32", "uint64", "float16", "float32", "float64",
              "complex64", "complex128", "bytes"]

NUM_DTYPES = CAST_NAMES[:-1]

REDUCTIONS = {"sum", "prod", "min", "max", "any", "all", "mean"}

#: ULPs (of the result dtype) each op may be off NumPy's result for exact
#: operands.  docs/math.md: libmvec and our kernels within 4 ULP of the
#: correctly rounded value, NumPy within 4 too (its SIMD float32 code): 8
#: between them; complex functions call glibc in double (11 ULP of each
#: part for exp/exp2/expm1 against NumPy), measured here in ULPs of |z|;
#: logaddexp in ULPs of max(|r|, 1); float16 is computed in float32 and
#: rounded: 1 ULP.  Arithmetic, comparisons, rounding functions: 0.
MATH = ("sqrt exp log sin cos tan arcsin arccos arctan sinh cosh tanh arcsinh "
        "arccosh arctanh exp2 expm1 log2 log10 log1p cbrt erf erfc arctan2 hypot "
        "pow power angle deg2rad rad2deg").split()


def _np_contains(s, sub):
    s = np.asarray(s)
    sub = np.asarray(sub)

    def one(x, y):
        x = bytes(x).split(b"\0", 1)[0]
        y = bytes(y).split(b"\0", 1)[0]
        return y in x
    out = np.vectorize(one, otypes=[np.bool_])(s, sub)
    return np.asarray(out, dtype=np.bool_)


def _erf(fn):
    uf = np.frompyfunc(getattr(math, fn), 1, 1)

    def f(x):
        rt = np.sqrt(x).dtype  # the float type NumPy's functions give
        if np.asarray(x).dtype.kind == "c":
            raise TypeError("no complex %s" % fn)
        return np.asarray(uf(np.asarray(x, np.float64)), np.float64).astype(rt)
    return f


def _angle(x):
    a = np.asarray(x)
    if a.dtype.kind == "c":
        return np.angle(x)
    # docs/language.md: arctan2(0, x) in the float type NumPy's functions give
    rt = np.sqrt(x).dtype
    return np.arctan2(np.zeros((), rt), np.asarray(x).astype(rt))


def _complex(a, b):
    for v in (a, b):
        if np.asarray(v).dtype.kind in "cSU":
            raise TypeError("complex() of complex or bytes operands")
    ra = np.asarray(a, np.float64)
    rb = np.asarray(b, np.float64)
    ra, rb = np.broadcast_arrays(ra, rb)
    out = np.empty(ra.shape, np.complex128)
    out.real = ra
    out.imag = rb
    return out


def _pos(x):
    if np.asarray(x).dtype == np.bool_:
        return np.array(x, copy=True)  # docs: +b of a bool is b
    return np.positive(x)


def _reciprocal(x):
    a = np.asarray(x)
    if a.dtype.kind in "iub":
        # docs: integer reciprocal(0) is 0; bool gives int8
        if a.dtype == np.bool_:
            a = a.astype(np.int8)
        safe = np.where(a == 0, 1, a).astype(a.dtype)
        return np.where(a == 0, 0, np.reciprocal(safe)).astype(a.dtype)
    return np.reciprocal(x)


def _is_int_dtype(v):
    return np.asarray(v).dtype.kind in "iub"


def _power(a, b):
    """NumPy's power with the documented integer rule: a negative exponent
    at run time gives 0 (1 for base 1, +-1 for base -1); a negative weak
    (Python int or literal) exponent is an error (ValueError), as NumPy's."""
    if isinstance(b, int) and not isinstance(b, bool) and b < 0 and _is_int_dtype(a) \
            and not isinstance(a, (int, bool)):
        raise ValueError("Integers to negative integer powers are not allowed.")
    if isinstance(a, (int, bool)) and isinstance(b, int) and not isinstance(b, bool) and b < 0:
        raise ValueError("Integers to negative integer powers are not allowed.")
    runtime = _is_int_dtype(a) and not is_weak(b) and np.asarray(b).dtype.kind == "i" and \
        np.result_type(a, b).kind in "iu"
    # the negative exponents' results are replaced below: 0 stands in for
    # them (np.abs of int8 -128 is -128, which np.power refuses)
    r = np.power(a, np.maximum(b, 0).astype(np.asarray(b).dtype) if runtime else b)
    if runtime:
        neg = np.asarray(b) < 0
        if np.any(neg):
            aa = np.asarray(a)
            r = np.asarray(r)
            repl = np.where(aa == 1, 1, np.where(aa == -1, np.where(np.asarray(b) % 2 == 0, 1, -1), 0))
            r = np.where(neg, repl, r).astype(r.dtype)
    return r


def _round(x):
    if np.asarray(x).dtype == np.bool_:
        raise TypeError("round of bool (docs: a type error)")
    return np.round(x)


def _no_complex(fn, what):
    def f(*args):
        for a in args:
            if np.asarray(a).dtype.kind == "c":
                raise TypeError("%s of complex (docs: a type error)" % what)
        return fn(*args)
    return f


def _clip(x, lo, hi):
    # docs: promoted (one result_type of the three); minimum(maximum(x, lo), hi)
    for a in (x, lo, hi):
        if np.asarray(a).dtype.kind == "c":
            raise TypeError("clip of complex (docs: a type error)")
    rt = _result_type(x, lo, hi)
    _check_fits(rt, x, lo, hi)
    x, lo, hi = (np.asarray(a).astype(rt) for a in (x, lo, hi))
    return np.asarray(np.minimum(np.maximum(x, lo), hi))


def _check_fits(rt, *args):
    """NumPy 2's OverflowError for a Python int that rt does not hold."""
    for v in args:
        if isinstance(v, int) and not isinstance(v, bool) and rt.kind in "iu":
            info = np.iinfo(rt)
            if not info.min <= v <= info.max:
                raise OverflowError("Python integer %d out of bounds for %s" % (v, rt))


def _result_type(*args):
    """NEP 50's result_type: the strong operands' result_type, then each
    Python scalar joins it (NumPy 1.24's weak mode gives int64 for True, 3
    and a uint8 array, where NumPy 2 gives uint8)."""
    strong = [a for a in args if not is_weak(a)]
    if not strong:
        return np.result_type(*[to_array_for_weak(a) for a in args])
    rt = np.result_type(*strong)
    for a in args:
        if is_weak(a):
            rt = np.result_type(rt, a)
    return rt


def _where(c, x, y):
    """np.where with NEP 50 typing of x and y (NumPy 1.24's np.where is
    not weak-aware): one result_type, weak ints range-checked."""
    if is_weak(x) and is_weak(y):
        return np.where(c, to_array_for_weak(x), to_array_for_weak(y))
    rt = np.result_type(x, y)
    _check_fits(rt, x, y)
    cv = np.asarray(c)
    if cv.dtype.kind == "S":
        raise TypeError("where of a byte string condition")
    return np.where(cv.astype(bool), np.asarray(x).astype(rt), np.asarray(y).astype(rt))


def _conj(x):
    if np.asarray(x).dtype == np.bool_:
        return np.asarray(x).astype(np.int8)
    return np.conjugate(x)


def _neg(x):
    return np.negative(x)


#: mnemonic -> (NumPy implementation, tolerance class).  Tolerance classes:
#: 'exact', 'ulp1' (one ULP: rounding of a constant), 'math' (ULP_MATH),
#: 'cmul' (complex arithmetic, a few ULPs of |z|), 'lae' (ULPs of
#: max(|r|,1)).  An op missing here fails the test (test_oracle_knows_ops).
ORACLE = {
    "pos": (_pos, "exact"), "neg": (_neg, "exact"), "invert": (np.invert, "exact"),
    "add": (np.add, "exact"), "sub": (np.subtract, "exact"), "mul": (np.multiply, "cmul"),
    "div": (np.true_divide, "cmul"),
    "floordiv": (_no_complex(np.floor_divide, "//"), "exact"),
    "mod": (_no_complex(np.remainder, "%"), "exact"), "pow": (_power, "pow"),
    "lt": (np.less, "exact"), "le": (np.less_equal, "exact"), "eq": (np.equal, "exact"),
    "ne": (np.not_equal, "exact"), "ge": (np.greater_equal, "exact"),
    "gt": (np.greater, "exact"),
    "and": (np.bitwise_and, "exact"), "or": (np.bitwise_or, "exact"),
    "xor": (np.bitwise_xor, "exact"), "shl": (np.left_shift, "exact"),
    "shr": (np.right_shift, "exact"),
    "where": (_where, "exact"), "contains": (_np_contains, "exact"),
    "abs": (np.absolute, "cmul"), "real": (lambda x: np.real(to_array_for_weak(x)), "exact"),
    "imag": (lambda x: np.imag(to_array_for_weak(x)), "exact"),
    "conj": (_conj, "exact"), "complex": (_complex, "exact"), "angle": (_angle, "math"),
    "sqrt": (np.sqrt, "math"), "exp": (np.exp, "math"), "log": (np.log, "math"),
    "sin": (np.sin, "math"), "cos": (np.cos, "math"), "tan": (np.tan, "math"),
    "arcsin": (np.arcsin, "math"), "arccos": (np.arccos, "math"),
    "arctan": (np.arctan, "math"), "sinh": (np.sinh, "math"), "cosh": (np.cosh, "math"),
    "tanh": (np.tanh, "math"), "arcsinh": (np.arcsinh, "math"),
    "arccosh": (np.arccosh, "math"), "arctanh": (np.arctanh, "math"),
    "exp2": (np.exp2, "math"), "expm1": (np.expm1, "math"), "log2": (np.log2, "math"),
    "log10": (np.log10, "math"), "log1p": (np.log1p, "math"), "cbrt": (np.cbrt, "math"),
    "erf": (_erf("erf"), "math"), "erfc": (_erf("erfc"), "math"),
    "arctan2": (np.arctan2, "math"), "hypot": (np.hypot, "math"),
    "power": (_power, "pow"), "fmod": (np.fmod, "exact"),
    "sign": (_no_complex(np.sign, "sign"), "exact"), "square": (np.square, "cmul"),
    "reciprocal": (_reciprocal, "cmul"), "floor": (np.floor, "exact"),
    "ceil": (np.ceil, "exact"), "trunc": (np.trunc, "exact"), "rint": (np.rint, "exact"),
    "round": (_round, "exact"), "copysign": (np.copysign, "exact"),
    "nextafter": (np.nextafter, "exact"), "signbit": (np.signbit, "exact"),
    "isnan": (np.isnan, "exact"), "isinf": (np.isinf, "exact"),
    "isfinite": (np.isfinite, "exact"), "maximum": (np.maximum, "exact"),
    "minimum": (np.minimum, "exact"), "fmax": (np.fmax, "exact"), "fmin": (np.fmin, "exact"),
    "clip": (_clip, "exact"), "deg2rad": (np.deg2rad, "math"), "rad2deg": (np.rad2deg, "math"),
    "logaddexp": (np.logaddexp, "lae"), "logaddexp2": (np.logaddexp2, "lae"),
    "heaviside": (np.heaviside, "exact"), "copy": (np.copy, "exact"),
    "ones_like": (np.ones_like, "exact"),
    # reductions: handled by reduce_oracle; listed so that the table is complete
    "sum": (None, "red"), "prod": (None, "red"), "min": (None, "red"),
    "max": (None, "red"), "any": (None, "red"), "all": (None, "red"), "mean": (None, "red"),
}

#: Ops that take byte strings (docs/language.md, Byte strings); anything
#: else with a byte string operand is a documented type error.
BYTES_OPS = {"lt", "le", "eq", "ne", "ge", "gt", "contains", "where", "copy"}


def unknown_ops():
    """Ops of the library's table the oracle does not know."""
    return [o for o in OPS if o[0] not in ORACLE]


def ulps_for(tclass, dtype):
    if dtype.kind not in "fc":
        return 0
    part = np.dtype(dtype.char.lower()) if dtype.kind == "f" else \
        np.dtype(np.float32 if dtype == np.complex64 else np.float64)
    if tclass == "exact":
        return 1 if part == np.float16 else 0
    if tclass == "cmul":
        if dtype.kind == "c":
            return 4
        return 1 if part == np.float16 else 0
    if tclass == "pow" and dtype.kind == "c":
        # NumPy's complex64 power runs in float32 (cpowf), its error grows with
        # |w log z|: conftest's COMPLEX_RTOL, 1e-5 and 1e-13 of |z|
        return 100 if dtype == np.complex64 else 500
    if tclass in ("math", "lae", "pow"):
        if part == np.float16:
            return 1
        return 11 if dtype.kind == "c" else 8
    return 0


@contextlib.contextmanager
def weak_promotion():
    """NEP 50 promotion in NumPy 1.24 (global state: restored on exit)."""
    old = np._get_promotion_state()
    np._set_promotion_state("weak")
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        np._set_promotion_state(old)

# ---- the oracle ------------------------------------------------------------

class Val:
    """A node's NumPy value: weak (a Python scalar) or an array/NumPy
    scalar; err: its error bound (float64, broadcastable); unc: elements
    whose value is uncertain (bool, broadcastable)."""
    __slots__ = ("v", "err", "unc")

    def __init__(self, v, err=0.0, unc=False):
        self.v, self.err, self.unc = v, err, unc

    @property
    def weak(self):
        return isinstance(self.v, (bool, int, float, complex))

    @property
    def dtype(self):
        return np.asarray(self.v).dtype


def is_weak(v):
    return isinstance(v, (bool, int, float, complex)) and not isinstance(v, np.generic)


def _check_weak_int(v):
    if isinstance(v, int) and not isinstance(v, bool) and not (-2**63 <= v < 2**63):
        # docs/python.md: a Python int beyond int64 raises OverflowError
        raise OverflowError("Python int %d beyond int64" % v)


def _exact_pow(a, b):
    """Python's a ** b of ints as far as the range check needs it; a
    negative exponent is a ValueError (docs: as for an integer array)."""
    if b < 0:
        raise ValueError("Integers to negative integer powers are not allowed.")
    if abs(a) <= 1:
        return 0
    return a ** b if b < 4096 else 2**64


def _weak_result(r, args):
    """Operators on weak operands only give a weak result (docs)."""
    a = np.asarray(r)
    if a.ndim:
        return r
    x = a[()]
    if a.dtype.kind == "b":
        return bool(x)
    if a.dtype.kind in "iu":
        return int(x)
    if a.dtype.kind == "f":
        return float(x)
    if a.dtype.kind == "c":
        return complex(x)
    return r


def to_array_for_weak(v):
    """A weak operand as NumPy's default type (for operations among weak ones)."""
    if isinstance(v, bool):
        return np.bool_(v)
    if isinstance(v, int):
        return np.int64(v)
    if isinstance(v, float):
        return np.float64(v)
    if isinstance(v, complex):
        return np.complex128(v)
    return v


def apply_op(mn, args):
    """The raw NumPy value of op mn on operand values args."""
    fn, _ = ORACLE[mn]
    for a in args:
        if np.asarray(a).dtype.kind == "S" and mn not in BYTES_OPS:
            raise TypeError("%s of a byte string (docs: a type error)" % mn)
    kinds = [np.asarray(a).dtype.kind == "S" for a in args]
    if any(kinds):
        if mn in ("lt", "le", "eq", "ne", "ge", "gt", "contains") and not all(kinds):
            raise TypeError("%s of a byte string and a number (docs: a type error)" % mn)
        if mn == "where" and (kinds[0] or kinds[1] != kinds[2]):
            raise TypeError("where of a byte string and a number (docs: a type error)")
    if mn == "contains" and not all(kinds):
        raise TypeError("contains of numbers")
    if mn == "neg" and np.asarray(args[0]).dtype == np.bool_:
        raise TypeError("- of a bool")
    syn = OPINFO[mn][2]
    if mn in ("pow", "power") and all(isinstance(a, int) for a in args) and args[1] < 0:
        # Python ints and bools: an integer power, so a negative exponent
        # is the ValueError of an integer array's (docs), not Python's float
        raise ValueError("Integers to negative integer powers are not allowed.")
    if syn != "call" and all(is_weak(a) for a in args):
        r = fn(*[to_array_for_weak(a) for a in args])
        if mn in ("add", "sub", "mul", "pow", "neg", "floordiv", "shl") and all(
                isinstance(a, int) for a in args) and not all(
                isinstance(a, bool) for a in args):
            # Python ints computed exactly must still fit int64 (docs/python.md:
            # a Python int beyond int64 raises OverflowError; jitexpr's folding
            # says "integer constant overflows int64"); a Python bool beside
            # one is the int it is in Python (9223372036854775807 << True)
            exact = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
                     "mul": lambda a, b: a * b, "neg": lambda a: -a,
                     "pow": _exact_pow,
                     # x // 0 is 0 (docs); a negative shift count gives 0
                     "floordiv": lambda a, b: a // b if b else 0,
                     "shl": lambda a, b: (a << b if b < 4096 else 2**64 * a) if b >= 0 else 0,
                     }[mn](*args)
            _check_weak_int(exact)
        return _weak_result(r, args)
    r = fn(*args)
    if syn == "call" and is_weak(r):
        r = to_array_for_weak(r)  # function results are strong (docs)
    return r


def _perturb(v, e, sign):
    a = np.asarray(v)
    if a.dtype.kind == "c":
        pd = a.real.dtype
        step = np.maximum(np.asarray(e, np.float64), 0)
        re = (a.real + sign * step).astype(pd)
        im = (a.imag + sign * step).astype(pd)
        out = np.empty(np.broadcast(a, step).shape, a.dtype)
        out.real, out.imag = re, im
        return out
    step = np.asarray(e, np.float64)
    if a.dtype.kind == "f":
        moved = (a.astype(np.float64) + sign * step).astype(a.dtype)
        # at least one step of the dtype where the bound is not 0
        nxt = np.nextafter(a, np.asarray(sign * np.inf, a.dtype))
        return np.where(step > 0, np.where(moved == a, nxt, moved), a).astype(a.dtype)
    return a


def value_diff(x, y):
    """|x - y| as float64 (complex: the larger part), and where their
    class (NaN, infinity, discrete value) differs."""
    x = np.asarray(x)
    y = np.asarray(y)
    if x.dtype.kind in "biuS" or y.dtype.kind in "biuS":
        if x.dtype.kind == "S" or y.dtype.kind == "S":
            return np.zeros(np.broadcast(x, y).shape), x != y
        return np.zeros(np.broadcast(x, y).shape), x != y
    if x.dtype.kind == "c" or y.dtype.kind == "c":
        xs = [x.real, x.imag] if x.dtype.kind == "c" else [x, np.zeros_like(x)]
        ys = [y.real, y.imag] if y.dtype.kind == "c" else [y, np.zeros_like(y)]
        d0, c0 = value_diff(xs[0], ys[0])
        d1, c1 = value_diff(xs[1], ys[1])
        return np.maximum(d0, d1), c0 | c1
    xf = x.astype(np.float64)
    yf = y.astype(np.float64)
    cls = (np.isnan(xf) != np.isnan(yf)) | (np.isinf(xf) != np.isinf(yf)) | \
        (np.isinf(xf) & np.isinf(yf) & (xf != yf))
    d = np.where(np.isfinite(xf) & np.isfinite(yf), np.abs(xf - yf), 0.0)
    return d, cls


def spacing_of(r):
    """One ULP of each element of r (complex: of |z| in the parts' type)."""
    a = np.asarray(r)
    if a.dtype.kind == "c":
        pd = a.real.dtype
        mag = np.maximum(np.abs(a.real), np.abs(a.imag)).astype(pd)
        return spacing_of(mag)
    if a.dtype.kind != "f":
        return np.zeros(a.shape)
    m = np.abs(a)
    tiny = np.finfo(a.dtype).tiny
    sp = np.spacing(np.maximum(m, np.asarray(tiny, a.dtype)).astype(a.dtype)).astype(np.float64)
    return np.where(np.isfinite(sp), np.abs(sp), 0.0)


def eval_node(mn, vals, tclass):
    """Apply op mn to operand Vals: value, error bound, uncertainty."""
    args = [x.v for x in vals]
    r = apply_op(mn, args)
    if isinstance(r, np.generic):
        r = np.asarray(r)
    ra = np.asarray(r)
    err = np.zeros(ra.shape)
    unc = np.zeros(ra.shape, bool)
    for x in vals:
        unc = unc | np.broadcast_to(np.asarray(x.unc), ra.shape) if np.ndim(x.unc) <= ra.ndim \
            else unc
    for i, x in enumerate(vals):
        if not np.any(np.asarray(x.err) > 0):
            continue
        for sign in (1, -1):
            moved = list(args)
            moved[i] = _perturb(x.v, x.err, sign)
            try:
                rm = apply_op(mn, moved)
            except (TypeError, ValueError, OverflowError):
                continue
            d, cls = value_diff(rm, r)
            d = np.broadcast_to(d, ra.shape)
            cls = np.broadcast_to(cls, ra.shape)
            err = np.maximum(err, d)
            unc = unc | cls
    if ra.dtype == np.complex64 and tclass in ("math", "pow"):
        # docs/language.md: complex64 functions are computed in double and
        # rounded, so they can be more accurate than NumPy's float32 ones
        # (an overflow NumPy has inside may not happen): both are right
        try:
            wide = np.asarray(apply_op(mn, [np.asarray(x).astype(np.complex128)
                                            if np.asarray(x).dtype == np.complex64 else x
                                            for x in args])).astype(np.complex64)
            d, cls = value_diff(wide, r)
            err = np.maximum(err, np.broadcast_to(d, ra.shape))
            unc = unc | np.broadcast_to(cls, ra.shape)
        except (TypeError, ValueError, OverflowError):
            pass
    if mn in ("mod", "floordiv", "fmod") and ra.dtype.kind == "f" and any(
            np.any(np.asarray(x.err) > 0) for x in vals):
        # a remainder jumps by the divisor where the quotient crosses an
        # integer: inexact operands make it unknown (where they are inexact)
        for x in vals:
            unc = unc | np.broadcast_to(np.asarray(x.err) > 0, ra.shape)
    if mn in ("pow", "power") and ra.dtype.kind == "c":
        # an overflowing complex power: which parts come out inf or nan is
        # not specified (complex64 is computed in double, docs)
        unc = unc | np.broadcast_to(~np.isfinite(ra), ra.shape)
    if ra.dtype.kind == "c" and any(np.any(np.asarray(x.err) > 0) for x in vals):
        # a complex function that overflows on an inexact argument: the
        # signs of its infinite parts follow the argument's last bits (cos
        # of a power near 1e6, seed 55: jitexpr's power is the correctly
        # rounded one, NumPy's 3 units off, and the signs flip)
        unc = unc | np.broadcast_to(~np.isfinite(ra), ra.shape)
    if mn in ("maximum", "minimum", "fmax", "fmin") and ra.dtype.kind == "f":
        # max(-0.0, 0.0): which zero is not specified (docs: the scalar
        # definition; NumPy's SIMD loops may give either)
        unc = unc | np.broadcast_to(ra == 0, ra.shape)
    if mn in ("signbit", "copysign"):
        # the sign of a NaN is not specified (docs/math.md: which NaN is not kept)
        src = np.asarray(args[0] if mn == "signbit" else args[1])
        if src.dtype.kind in "fc":
            unc = unc | np.broadcast_to(np.isnan(src), ra.shape)
    if ra.dtype.kind in "fc":
        own = ulps_for(tclass, ra.dtype)
        if tclass == "cmul" and any(np.asarray(x.v).dtype.kind == "c" for x in vals):
            own = max(own, 4)  # complex products, quotients, abs: a few ULPs of |z|
        if own:
            sp = spacing_of(ra)
            if tclass == "lae":
                sp = np.maximum(sp, spacing_of(np.ones((), ra.dtype)))
            err = 2 * err + own * sp
        else:
            err = 2 * err
    else:
        err = np.zeros(ra.shape)
    return Val(r, err, unc)


def cast_value(name, v):
    """An explicit cast, as docs/language.md: astype (unsafe), float to int
    truncates and saturates, NaN gives 0; complex to real keeps the real
    part; anything to bool is != 0."""
    a = np.asarray(v)
    if name == "bytes" and a.dtype.kind == "S" and not is_weak(v):
        return a  # bytes(s) of a byte string is s (docs)
    if name == "bytes" or a.dtype.kind == "S":
        raise TypeError("cast between a byte string and a number (docs: a type error)")
    if is_weak(v):
        _check_weak_int(v)
        a = np.asarray(to_array_for_weak(v))
    dt = np.dtype(name)
    if dt.kind in "iu" and a.dtype.kind in "fc":
        x = a.real if a.dtype.kind == "c" else a
        x = np.trunc(x.astype(np.float64))
        info = np.iinfo(dt)
        x = np.where(np.isnan(x), 0, x)
        lo, hi = float(info.min), float(info.max)
        out = np.where(x <= lo, np.array(info.min, dt),
                       np.where(x >= hi, np.array(info.max, dt), np.array(0, dt))).astype(dt)
        mid = (x > lo) & (x < hi)
        out = np.where(mid, np.clip(x, lo, hi).astype(np.float64).astype(dt) if dt.kind == "i"
                       else np.clip(x, 0, hi).astype(dt), out).astype(dt)
        return out
    if dt.kind == "b" and a.dtype.kind == "c":
        return (a.real != 0) | (a.imag != 0)
    if dt.kind != "c" and a.dtype.kind == "c":
        return a.real.astype(dt)
    return a.astype(dt)


def eval_cast(name, x):
    r = cast_value(name, x.v)
    if isinstance(r, np.generic):
        r = np.asarray(r)
    ra = np.asarray(r)
    err = np.zeros(ra.shape)
    unc = np.broadcast_to(np.asarray(x.unc), ra.shape).copy()
    if np.any(np.asarray(x.err) > 0):
        for sign in (1, -1):
            d, cls = value_diff(cast_value(name, _perturb(x.v, x.err, sign)), r)
            err = np.maximum(err, np.broadcast_to(d, ra.shape))
            unc |= np.broadcast_to(cls, ra.shape)
    if ra.dtype.kind in "fc":
        err = 2 * err + spacing_of(ra) * (1 if np.asarray(x.v).dtype != ra.dtype else 0)
    else:
        err = np.zeros(ra.shape)
    return Val(r, err, unc)


def eval_reduce(mn, axis, x):
    v = x.v
    if is_weak(v):
        v = to_array_for_weak(v)
    a = np.asarray(v)
    if a.dtype.kind == "S":
        raise TypeError("%s of a byte string (docs: a type error)" % mn)
    if axis is not None and not (-a.ndim <= axis < a.ndim):
        raise ValueError("axis %d out of bounds" % axis)
    fn = {"sum": np.sum, "prod": np.prod, "min": np.min, "max": np.max, "any": np.any,
          "all": np.all, "mean": np.mean}[mn]
    r = np.asarray(fn(a, axis=axis))
    if mn in ("sum", "prod", "mean") and a.dtype in (np.complex64, np.float16, np.float32):
        # docs: jitexpr accumulates these in the double type and rounds
        # once; NumPy in the array's own, which may overflow or lose the
        # subnormal digits on the way: the reference is the double one
        wide = np.asarray(fn(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64),
                             axis=axis)).astype(r.dtype)
        r = wide
    unc = np.broadcast_to(np.asarray(x.unc), a.shape)
    unc = np.any(unc, axis=axis) if a.ndim else unc.copy()
    e = np.broadcast_to(np.asarray(x.err, np.float64), a.shape)
    n = a.size if axis is None else a.shape[axis]
    if r.dtype.kind in "fc":
        mag = np.abs(a.astype(np.complex128)) if a.dtype.kind == "c" else np.abs(a.astype(np.float64))
        mag = np.where(np.isfinite(mag), mag, 0)
        part = np.finfo(r.real.dtype if r.dtype.kind == "c" else r.dtype).eps
        if mn in ("sum", "mean"):
            err = np.sum(e, axis=axis) + (n + 1) * part * np.sum(mag, axis=axis)
            if mn == "mean":
                err = err / max(n, 1) + spacing_of(r) * 2
        elif mn == "prod":
            err = np.abs(np.prod(mag + e, axis=axis) - np.prod(mag, axis=axis)) + \
                (2 * n + 2) * part * np.prod(mag, axis=axis)
            err = np.where(np.isfinite(err), err, np.inf)
        else:
            err = np.max(e, axis=axis, initial=0.0)
        err = err * 2
        if mn == "prod" and r.dtype.kind == "c":
            # which parts overflow to inf or NaN depends on the order of the products
            unc = unc | ~np.isfinite(r)
        if r.dtype.kind == "c" or r.dtype == np.float16:
            err = err + 2 * spacing_of(r)
    else:
        err = np.zeros(r.shape)
        if np.any(e > 0):
            # a discrete result of inexact inputs: uncertain where any input is
            unc = unc | np.any(e > 0, axis=axis) if a.ndim else True
    return Val(r, err, unc)


def evaluate_tree(node, env):
    """The oracle: Val of node, or raises the exception NumPy raises."""
    if node.kind == "var":
        v = env[node.name].value
        _check_weak_int(v)
        if isinstance(v, np.generic):
            v = np.asarray(v)
        return Val(v)
    if node.kind == "lit":
        _check_weak_int(node.value)
        return Val(node.value)
    kids = [evaluate_tree(k, env) for k in node.kids]
    if node.kind == "cast":
        return eval_cast(node.name, kids[0])
    if node.kind == "red":
        return eval_reduce(node.op, node.axis, kids[0])
    return eval_node(node.op, kids, ORACLE[node.op][1])


def oracle(node, env):
    """('ok', Val) or ('raise', exception class, message)."""
    with weak_promotion():
        try:
            return ("ok", evaluate_tree(node, env))
        except (TypeError, ValueError, OverflowError, ZeroDivisionError) as e:
            cls = type(e)
            for base in (OverflowError, TypeError, ValueError, ZeroDivisionError):
                if issubclass(cls, base):
                    cls = base
                    break
            return ("raise", cls, str(e))
