"""Byte strings (NumPy dtype 'S'): comparisons against NumPy, contains()
against numexpr 2.8 when it is installed (else a reference written here
from numexpr's definition), over random arrays in many layouts; literals,
Python bytes values, and the errors (str arrays, strings with numbers,
string results)."""

import numpy as np
import pytest

import jitexpr

try:
    import numexpr
except ImportError:  # pragma: no cover - numexpr is optional
    numexpr = None

RNG = np.random.default_rng(7)
CMP_OPS = ["<", "<=", "==", "!=", ">=", ">"]
NP_CMP = {"<": np.less, "<=": np.less_equal, "==": np.equal, "!=": np.not_equal,
          ">=": np.greater_equal, ">": np.greater}


def same_itemsize(s, t):
    """s and t as one itemsize, for NumPy's comparisons: NumPy 1.24 compares
    the tail of the longer of two itemsizes as signed char (b'\\x80' >
    b'\\x80\\xff' across S1 and S2, not within one S2 array); jitexpr's
    order is the unsigned one NumPy has within an array and Python's bytes
    have (docs/language.md)."""
    size = "S%d" % max(s.dtype.itemsize, t.dtype.itemsize)
    return np.asarray(s).astype(size), np.asarray(t).astype(size)


def random_bytes(shape, itemsize):
    """Strings from a small alphabet (NUL, a, b, 0x80, 0xff), often with
    trailing or embedded NULs, so that equal values and prefixes occur."""
    alphabet = np.frombuffer(b"\x00ab\x80\xff", dtype=np.uint8)
    n = int(np.prod(shape))
    raw = alphabet[RNG.integers(0, len(alphabet), (n, itemsize))]
    lengths = RNG.integers(0, itemsize + 1, n)
    raw[np.arange(itemsize)[None, :] >= lengths[:, None]] = 0
    return raw.view("S%d" % itemsize).reshape(shape)


def ref_contains(s, sub):
    """numexpr's contains(): both cut at their first NUL byte."""
    out = np.empty(np.broadcast(s, sub).shape, dtype=bool)
    for idx, (x, y) in zip(np.ndindex(out.shape), np.broadcast(s, sub)):
        out[idx] = y.split(b"\0")[0] in x.split(b"\0")[0]
    return out


def layouts():
    """(name, s, t) pairs of byte string operands."""
    yield "contiguous", random_bytes((50,), 4), random_bytes((50,), 3)
    yield "same itemsize", random_bytes((50,), 2), random_bytes((50,), 2)
    yield "strided", random_bytes((100,), 5)[::2], random_bytes((150,), 1)[::3]
    yield "reversed", random_bytes((40,), 3)[::-1], random_bytes((40,), 3)
    yield "2-D broadcast", random_bytes((7, 1), 3), random_bytes((1, 9), 4)
    yield "2-D transposed", random_bytes((6, 8), 2).T, random_bytes((8, 6), 3)
    yield "0-d", random_bytes((30,), 4), random_bytes((), 2)
    yield "both 0-d", random_bytes((), 4), random_bytes((), 4)
    yield "empty", random_bytes((0,), 3), random_bytes((0,), 2)
    yield "large", random_bytes((100000,), 3), random_bytes((100000,), 3)


@pytest.mark.parametrize("op", CMP_OPS)
@pytest.mark.parametrize("name,s,t", list(layouts()), ids=lambda x: x if isinstance(x, str) else "")
def test_compare_like_numpy(op, name, s, t):
    got = jitexpr.evaluate("s %s t" % op, local_dict={"s": s, "t": t})
    want = NP_CMP[op](*same_itemsize(s, t))
    assert got.dtype == np.bool_
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name,s,t", list(layouts()), ids=lambda x: x if isinstance(x, str) else "")
def test_contains(name, s, t):
    got = jitexpr.evaluate("contains(s, t)", local_dict={"s": s, "t": t})
    np.testing.assert_array_equal(got, ref_contains(s, t))
    if numexpr is not None:
        np.testing.assert_array_equal(got, numexpr.evaluate("contains(s, t)",
                                                            local_dict={"s": s, "t": t}))


LITERALS = [b"", b"a", b"ab", b"ab\x00", b"\x80", b"a\x00b", b"abab"]


def spell(lit, prefix="b"):
    """A literal of the expression language for bytes lit."""
    return prefix + "'" + "".join("\\x%02x" % c for c in lit) + "'"


@pytest.mark.parametrize("lit", LITERALS)
@pytest.mark.parametrize("op", CMP_OPS)
def test_literal_either_side(op, lit):
    s = random_bytes((64,), 3)
    lit_a = np.array(lit, dtype="S%d" % max(1, len(lit)))
    np.testing.assert_array_equal(jitexpr.evaluate("s %s %s" % (op, spell(lit))),
                                  NP_CMP[op](*same_itemsize(s, lit_a)))
    np.testing.assert_array_equal(jitexpr.evaluate("%s %s s" % (spell(lit, ""), op)),
                                  NP_CMP[op](*same_itemsize(lit_a, s)))


@pytest.mark.parametrize("lit", LITERALS)
def test_contains_literal(lit):
    s = random_bytes((64,), 4)
    got = jitexpr.evaluate("contains(s, %s)" % spell(lit))
    np.testing.assert_array_equal(got, ref_contains(s, np.bytes_(lit)))
    if numexpr is not None:
        np.testing.assert_array_equal(got, numexpr.evaluate("contains(s, sub)",
                                                            local_dict={"s": s, "sub": np.bytes_(lit)}))


def test_numexpr_examples():
    a = np.array([b"abc", b"xabcx", b"ab", b""], dtype="S5")
    for ex in ["contains(a, b'ab')", "a == b'abc'", "a != 'abc'", "contains(a, 'c')"]:
        got = jitexpr.evaluate(ex)
        if numexpr is not None:
            np.testing.assert_array_equal(got, numexpr.evaluate(ex))
    np.testing.assert_array_equal(jitexpr.evaluate("a == b'abc'"), a == b"abc")


def test_python_bytes_and_numpy_scalars():
    a = np.array([b"ab", b"abc", b"b"], dtype="S3")
    b = b"ab"
    np.testing.assert_array_equal(jitexpr.evaluate("a == b"), a == b)
    b = np.bytes_(b"b")
    np.testing.assert_array_equal(jitexpr.evaluate("contains(a, b)"), [True, True, True])


def test_itemsizes_are_separate_variants():
    ex = "s == b'ab'"
    for size in (2, 3, 5, 3, 2):
        s = np.array([b"ab", b"abx"[:size], b"b"], dtype="S%d" % size)
        np.testing.assert_array_equal(jitexpr.evaluate(ex), s == b"ab")


def test_reductions_and_where():
    s = random_bytes((1000,), 2)
    assert jitexpr.evaluate("sum(s == b'a')") == np.sum(s == b"a")
    np.testing.assert_array_equal(jitexpr.evaluate("where(s < b'b', 1, 2)"),
                                  np.where(s < np.array(b"b", dtype="S2"), 1, 2))


def test_numexpr_object():
    nx = jitexpr.NumExpr("contains(s, b'a')", [("s", np.dtype("S4"))])
    s = random_bytes((20,), 4)
    np.testing.assert_array_equal(nx(s), ref_contains(s, np.bytes_(b"a")))


@pytest.mark.parametrize("ex,offset", [
    ("s + 1", 0), ("s == 1", 0), ("1 + (s < x)", 4), ("sin(s)", 0),
    ("where(s, 1, 2)", 0), ("where(x > 0, s, s)", 0), ("s", 0), ("contains(x, b'a')", 0),
    ("sum(s)", 0), ("b'ab'", 0),
])
def test_type_errors(ex, offset):
    s = random_bytes((5,), 3)
    x = np.arange(5.0)
    with pytest.raises(TypeError) as info:
        jitexpr.evaluate(ex)
    text = str(info.value)
    assert "S3" in text or "S2" in text or "S1" in text
    # The caret line points at the operator's node.
    caret = text.splitlines()[-1]
    assert caret.index("^") - 4 == offset


def test_str_arrays_rejected():
    u = np.array(["abc"])
    with pytest.raises(TypeError, match="byte strings"):
        jitexpr.evaluate("u == b'abc'")
    v = "abc"
    with pytest.raises(TypeError, match="byte strings"):
        jitexpr.evaluate("v == b'abc'")


def test_bad_escape_is_a_syntax_error():
    s = random_bytes((5,), 3)
    with pytest.raises(SyntaxError):
        jitexpr.evaluate("s == '\\q'")
