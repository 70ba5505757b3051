"""Shared helpers of the jitexpr Python suite.

The suite runs against the package built in place (``make check`` sets
PYTHONPATH to py/ of the build tree); run by hand from the top of an
in-tree build with

    PYTHONPATH=py /usr/bin/python3 -m pytest -q tests/python
"""

import atexit
import os
import re
import shutil
import tempfile

# The disk cache of kernels: never the user's.  `make check` names a
# directory of the build tree (or "off"); by hand, a temporary one.
if not os.environ.get("JITEXPR_CACHE_DIR"):
    _cache = tempfile.mkdtemp(prefix="jitexpr-test-cache-")
    os.environ["JITEXPR_CACHE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, True)

import numpy as np
import pytest

import jitexpr

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))

#: The dtypes jitexpr supports now, in jx_dtype order.
DTYPES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float16", "float32", "float64", "complex64", "complex128",
]


def shim_dir():
    """Where the numexpr shim package lives (py/numexpr_shim)."""
    return os.environ.get("JITEXPR_SHIM_DIR") or os.path.join(TOP, "py", "numexpr_shim")


# ---- the operator table ---------------------------------------------------


class Op:
    """One row of src/ops.h."""

    def __init__(self, ident, mnem, spell, syn, arity, rule, kinds, low, fn):
        self.ident, self.mnem, self.spell, self.syn = ident, mnem, spell, syn
        self.arity, self.rule, self.kinds, self.low, self.fn = arity, rule, kinds, low, fn

    def source(self, names):
        """The expression applying this op to the given operand texts."""
        if self.syn == "OPB":
            return "%s %s %s" % (names[0], self.spell, names[1])
        if self.syn == "OPU":
            return "%s%s" % (self.spell, names[0])
        return "%s(%s)" % (self.spell, ", ".join(names))

    def __repr__(self):
        return self.ident


_ROW = re.compile(
    r'X\(\s*(\w+)\s*,\s*"([^"]*)"\s*,\s*"([^"]*)"\s*,\s*(\w+)\s*,\s*(\d+)\s*,\s*(\w+)\s*,'
    r'\s*([^,]+?)\s*,\s*(\w+)\s*,\s*(NULL|"[^"]*")\s*(?:,[^)]*)?\)')


def read_ops():
    """The rows of the operator table, src/ops.h: the tests cover what the
    library declares, with no list of operators kept by hand."""
    path = os.path.join(TOP, "src", "ops.h")
    with open(path) as f:
        text = f.read()
    start = text.index("#define JX_OPS(X)")
    end = text.index("\n\n", start)
    ops = []
    for m in _ROW.finditer(text[start:end]):
        ident, mnem, spell, syn, arity, rule, kinds, low, fn = m.groups()
        ops.append(Op(ident, mnem, spell, syn, int(arity), rule, kinds, low,
                      None if fn == "NULL" else fn.strip('"')))
    assert ops, "no rows found in %s" % path
    return ops


OPS = read_ops()


# ---- comparison with NumPy -----------------------------------------------------

#: Allowed error of math functions (LIBM lowering in ops.h, and float `**`),
#: in units in the last place of the result's dtype.  The kernels call
#: glibc's libmvec, documented within 4 ULP; NumPy calls scalar libm (under
#: 1 ULP) for float64 and its own SIMD code (up to 4 ULP, NumPy's docs) for
#: float32, so two correct results differ by up to 4 + 4 = 8 ULP.  float16
#: is computed in float32 by both and rounded once: the float32 error is far
#: below half a float16 ULP, so the results differ by at most the 1 ULP of a
#: tie rounded the other way.
ULP_TOLERANCE = {"float16": 1, "float32": 8, "float64": 8}


def max_ulp_error(got, expected):
    """The largest difference in ULPs of expected's dtype (NaN and infinities
    must match exactly: they count as 0 when they do, inf otherwise)."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.size == 0:
        return 0.0
    gf = got.astype(np.float64)
    ef = expected.astype(np.float64)
    same = (gf == ef) | (np.isnan(gf) & np.isnan(ef))
    special = ~np.isfinite(gf) | ~np.isfinite(ef)
    if np.any(special & ~same):
        return float("inf")
    with np.errstate(all="ignore"):
        spacing = np.abs(np.spacing(np.abs(expected))).astype(np.float64)
        tiny = np.finfo(expected.dtype).tiny
        spacing = np.maximum(spacing, np.spacing(np.asarray(tiny, expected.dtype)).astype(np.float64))
        err = np.where(same, 0.0, np.abs(gf - ef) / spacing)
    return float(np.max(err)) if err.size else 0.0


#: Allowed error of complex results of functions and powers, relative to
#: the magnitude of NumPy's result: the library calls glibc's complex
#: functions in double (complex64 rounded from them), NumPy the same
#: functions in the element's precision (csinf for complex64), so complex64
#: results differ by a few float32 ULPs of |z|; complex128 ones by
#: formulas evaluated in a different order (powers by multiplication).
COMPLEX_RTOL = {"complex64": 1e-5, "complex128": 1e-13}


def compare_complex(got, expected, rtol=0):
    """compare() for complex arrays of the same dtype and shape: NaN and
    infinities in the same parts, the rest equal, or within rtol of |z|."""
    gr, gi, er, ei = got.real, got.imag, expected.real, expected.imag
    for g, e, part in ((gr, er, "real"), (gi, ei, "imaginary")):
        same = (g == e) | (np.isnan(g) & np.isnan(e))
        special = ~np.isfinite(g) | ~np.isfinite(e)
        if np.any(special & ~same):
            return "%s parts: NaN or inf differ: got %r, NumPy %r" % (
                part, _sample(got, expected), _sample(expected, got))
    finite = np.isfinite(er) & np.isfinite(ei)
    with np.errstate(all="ignore"):
        err = np.abs(got[finite].astype(np.complex128) - expected[finite])
        bound = rtol * np.abs(expected[finite].astype(np.complex128))
    if np.any(err > bound):
        return "values differ (rtol %g): got %r, NumPy %r" % (
            rtol, _sample(got, expected), _sample(expected, got))
    return None


def compare(got, expected, ulps=0, rtol=0):
    """None when got matches expected (dtype, shape, values, NaN positions),
    else a description of the difference.  ulps: the error allowed in float
    results; rtol: in complex ones (compare_complex)."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.dtype != expected.dtype:
        return "dtype %s, NumPy %s" % (got.dtype, expected.dtype)
    if got.shape != expected.shape:
        return "shape %s, NumPy %s" % (got.shape, expected.shape)
    if expected.dtype.kind == "c":
        return compare_complex(got, expected, rtol)
    if expected.dtype.kind == "f":
        if ulps:
            err = max_ulp_error(got, expected)
            if err > ulps:
                return "error %.3g ULP > %d: got %r, NumPy %r" % (
                    err, ulps, _sample(got, expected), _sample(expected, got))
            return None
        if not np.array_equal(got, expected, equal_nan=True):
            return "values differ: got %r, NumPy %r" % (
                _sample(got, expected), _sample(expected, got))
        return None
    if not np.array_equal(got, expected):
        return "values differ: got %r, NumPy %r" % (_sample(got, expected), _sample(expected, got))
    return None


def _sample(x, other):
    """The first few elements where x and other differ (for messages)."""
    x = np.asarray(x)
    other = np.asarray(other)
    if x.shape != other.shape or x.ndim == 0:
        return x
    with np.errstate(invalid="ignore"):
        eq = x == other
        if x.dtype.kind in "fc" and other.dtype.kind in "fc":
            eq |= np.isnan(x) & np.isnan(other)
    diff = ~eq
    idx = np.flatnonzero(diff)[:4]
    return {int(i): x.reshape(-1)[i] for i in idx}


@pytest.fixture
def jx():
    return jitexpr
