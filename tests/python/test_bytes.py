"""Byte strings (NumPy dtype 'S'): comparisons against NumPy, contains()
against numexpr 2.8 when it is installed (else a reference written here
from numexpr's definition), over random arrays in many layouts; literals,
Python bytes values, and the errors (str arrays, strings with numbers,
string-valued results: s alone, copy(s), where(c, s, t), against
NumPy's s.copy() and np.where)."""

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
    ("where(s, 1, 2)", 0), ("where(x > 0, s, x)", 0), ("contains(x, b'a')", 0),
    ("sum(s)", 0), ("sum(where(x > 0, s, s))", 0), ("-s", 0),
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


# ---- string-valued results ---------------------------------------------------

SPECIAL = np.array([b"a\x00b", b"", b"\x00\x00\x00", b"abc", b"\xff", b"ab"], dtype="S3")
SPECIAL_T = np.array([b"wxyz", b"q", b"", b"\x00", b"a\x00", b"\x00\x00\x00z"], dtype="S4")
COND = np.array([True, False, True, False, False, True])


def same_bytes(got, want):
    """got is want: dtype (itemsize), shape and every byte, NULs included."""
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes()


def result_layouts():
    """(name, s, t, c): operands of where(c, s, t), each a layout."""
    yield "specials", SPECIAL, SPECIAL_T, COND
    yield "same itemsize", random_bytes((50,), 3), random_bytes((50,), 3), RNG.random(50) < 0.5
    yield "strided", random_bytes((100,), 5)[::2], random_bytes((150,), 2)[::3], RNG.random(50) < 0.5
    yield "reversed", random_bytes((40,), 3)[::-1], random_bytes((40,), 6), RNG.random(40) < 0.5
    yield "2-D broadcast", random_bytes((7, 1), 3), random_bytes((1, 9), 4), RNG.random((7, 9)) < 0.5
    yield "2-D transposed", random_bytes((6, 8), 2).T, random_bytes((8, 6), 3), RNG.random((8, 6)) < 0.5
    yield "0-d t", random_bytes((30,), 4), random_bytes((), 2), RNG.random(30) < 0.5
    yield "all 0-d", random_bytes((), 4), random_bytes((), 1), np.bool_(False)
    yield "empty", random_bytes((0,), 3), random_bytes((0,), 2), np.zeros(0, bool)
    yield "large", random_bytes((100000,), 3), random_bytes((100000,), 5), RNG.random(100000) < 0.5


# (expression, NumPy's answer from s, t, c); exact, byte for byte.
RESULT_ROWS = [
    ("s", lambda s, t, c: np.array(s, copy=True)),
    ("copy(s)", lambda s, t, c: np.array(s, copy=True)),
    ("where(c, s, t)", lambda s, t, c: np.where(c, s, t)),
    ("where(c, t, s)", lambda s, t, c: np.where(c, t, s)),
    ("where(c, s, b'xy')", lambda s, t, c: np.where(c, s, np.array(b"xy"))),
    ("where(c, b'', s)", lambda s, t, c: np.where(c, np.array(b""), s)),
    ("where(~c, s, s)", lambda s, t, c: np.where(~np.asarray(c), s, s)),
    ("where(s == t, t, s)", lambda s, t, c: np.where(np.char.equal(*same_itemsize(s, t)), t, s)),
]


@pytest.mark.parametrize("ex,ref", RESULT_ROWS, ids=[r[0] for r in RESULT_ROWS])
@pytest.mark.parametrize("name,s,t,c", list(result_layouts()), ids=[x[0] for x in result_layouts()])
def test_string_results(ex, ref, name, s, t, c):
    want = ref(s, t, c)
    if ex in ("s", "copy(s)"):
        want = np.array(s, copy=True)
    got = jitexpr.evaluate(ex, local_dict={"s": s, "t": t, "c": c})
    same_bytes(got, want)
    if got.size and ex == "s":
        assert not np.shares_memory(got, s)  # a copy, as numexpr's
    if numexpr is not None and ex == "s" and s.size:  # numexpr returns a copy too
        # (numexpr 2.8.4 fails on an empty 'S' array: "data type must provide an itemsize")
        same_bytes(got, numexpr.evaluate("s", local_dict={"s": s}))


def test_string_result_out():
    s, t, c = SPECIAL, SPECIAL_T, COND
    want = np.where(c, s, t)                      # S4
    out = np.empty(6, "S4")
    assert jitexpr.evaluate("where(c, s, t)", out=out) is out
    same_bytes(out, want)
    # a strided out of the right itemsize: written in place
    big = np.zeros(12, "S4")
    jitexpr.evaluate("where(c, s, t)", out=big[::2])
    same_bytes(big[::2], want)
    assert (big[1::2] == b"").all()
    # another itemsize: computed, then cast as NumPy casts (pad, or cut
    # under casting='same_kind', the default; 'safe' refuses to cut)
    wide = np.empty(6, "S6")
    jitexpr.evaluate("where(c, s, t)", out=wide)
    same_bytes(wide, want.astype("S6"))
    narrow = np.empty(6, "S2")
    jitexpr.evaluate("where(c, s, t)", out=narrow)
    same_bytes(narrow, want.astype("S2"))
    with pytest.raises(TypeError, match="Cannot cast"):
        jitexpr.evaluate("where(c, s, t)", out=narrow, casting="safe")
    with pytest.raises(TypeError, match="Cannot cast"):
        jitexpr.evaluate("where(c, s, t)", out=np.empty(6, "f8"))
    # in place: out is an input
    u = SPECIAL_T.copy()
    jitexpr.evaluate("where(c, b'zz', u)", out=u)
    same_bytes(u, np.where(c, np.array(b"zz"), SPECIAL_T).astype("S4"))
    # partly overlapping an input: as if on a copy
    x = np.array([b"ab", b"cd", b"e", b"", b"fgh"], dtype="S4")
    xs = x[:-1].copy()
    jitexpr.evaluate("where(c4, xs_, b'zz')", local_dict={"c4": COND[:4], "xs_": x[:-1]}, out=x[1:])
    same_bytes(x[1:], np.where(COND[:4], xs, np.array(b"zz")).astype("S4"))


def test_string_result_numexpr_object():
    nx = jitexpr.NumExpr("where(c, s, t)", [("c", np.dtype(bool)), ("s", np.dtype("S3")),
                                             ("t", np.dtype("S4"))])
    assert nx.dtype == np.dtype("S4")
    same_bytes(nx(COND, SPECIAL, SPECIAL_T), np.where(COND, SPECIAL, SPECIAL_T))
    out = np.empty(6, "S4")
    nx(COND, SPECIAL, SPECIAL_T, out=out)
    same_bytes(out, np.where(COND, SPECIAL, SPECIAL_T))


def test_string_literal_result():
    # a literal alone is 0-d, as a numeric literal is
    same_bytes(jitexpr.evaluate("b'a\\x00b'"), np.array(b"a\x00b"))
