"""NEP 50 typing and casts, row by row against NumPy.

Each row is an expression, its variables, and what NumPy 2 gives for the
same values: NumPy 1.24 in its NEP 50 mode (np._set_promotion_state('weak'))
computes the reference, with Python scalars as Python scalars; or the
exception NumPy 2 raises.  The rows are the bugs of issue 13 and their
neighbours; a bug found becomes a row.
"""

import contextlib

import numpy as np
import pytest

import jitexpr

U8 = np.array([0, 1, 2], dtype=np.uint8)
I8 = np.array([1, 2], dtype=np.int8)
I16 = np.array([1, -2], dtype=np.int16)
I32 = np.array([1, 2, 3], dtype=np.int32)
F16 = np.array([1, 2], dtype=np.float16)
U16 = np.array([1, 2], dtype=np.uint16)
S = np.array([b"1", b"ab"])
F = np.array([1.0, 2.5])


@contextlib.contextmanager
def nep50():
    old = np._get_promotion_state()
    np._set_promotion_state("weak")
    try:
        yield
    finally:
        np._set_promotion_state(old)


# (expression, variables, NumPy's computation of it with the same values).
VALUES = [
    # 1. an explicit cast of a Python int wraps, as int8(300) does
    ("int8(x)", {"x": 300}, lambda x: np.array(300).astype(np.int8)),
    ("uint16(x)", {"x": -1}, lambda x: np.array(-1).astype(np.uint16)),
    ("int8(x) + u8", {"x": 300, "u8": U8}, lambda x, u8: np.int8(44) + u8),
    ("int8(x * 2) + i8", {"x": 200, "i8": I8}, lambda x, i8: np.int8(400 - 512) + i8),
    ("int8(300)", {}, lambda: np.array(300).astype(np.int8)),
    # 2. weak values that fit keep the array's type
    ("(x // -1) + i8", {"x": 1, "i8": I8}, lambda x, i8: (x // -1) + i8),
    ("u8 + (x % 300)", {"x": 555, "u8": U8}, lambda x, u8: u8 + x % 300),
    ("(x < 2) + 100 + i8", {"x": 1, "i8": I8}, lambda x, i8: (x < 2) + 100 + i8),
    ("(x << 6) + i8", {"x": 1, "i8": I8}, lambda x, i8: (x << 6) + i8),
    ("((x + 0.5) > 1) + 126 + i8", {"x": 1, "i8": I8[:1]}, lambda x, i8: 127 + i8),
    ("i32 ** (x // 2)", {"x": 5, "i32": I32}, lambda x, i32: i32 ** 2),
    # 3. clip: one result_type of its three operands
    ("clip(a, b, c)", {"a": U16, "b": np.array([0, 1], np.int8),
                       "c": np.array([1.5, 1], np.float16)},
     lambda a, b, c: np.clip(a, b, c).astype(np.result_type(a, b, c))),
    ("clip(c, a, b)", {"a": U16, "b": np.array([0, 1], np.int8),
                       "c": np.array([1.5, 1], np.float16)},
     lambda a, b, c: np.clip(c, a, b).astype(np.result_type(a, b, c))),
    ("clip(False, 1, y)", {"y": np.array([3, 4], np.uint8)},
     lambda y: np.minimum(np.maximum(np.uint8(0), np.uint8(1)), y)),
    ("clip(i8, u2, 2.5)", {"i8": I8, "u2": U8[:2]}, lambda i8, u2: np.clip(i8, u2, 2.5)),
    # 4. a function's result is strong, power() too; ** of Python ints is weak
    ("f16 * power(2, 3)", {"f16": F16}, lambda f16: f16 * np.power(np.int64(2), np.int64(3))),
    ("f16 * abs(8)", {"f16": F16}, lambda f16: f16 * np.abs(np.int64(8))),
    ("f16 * 2**3", {"f16": F16}, lambda f16: f16 * 2**3),
    ("power(x, 2) + i8", {"x": 3, "i8": I8}, lambda x, i8: np.int64(9) + i8),
    # 8. Python bools are weak, literals and comparisons alike
    ("True + 1 + f16", {"f16": F16}, lambda f16: (True + 1) + f16),
    ("(1 == 1) + 1 + f16", {"f16": F16}, lambda f16: (1 == 1) + 1 + f16),
    ("t + 1 + f16", {"t": True, "f16": F16}, lambda t, f16: (t + 1) + f16),
    ("True + u8", {"u8": U8}, lambda u8: True + u8),
    ("where(t, i8, 1)", {"t": False, "i8": I8}, lambda t, i8: np.where(t, i8, np.int8(1))),
    # 9. a cast of a constant past the type's range is an infinity, also
    # when the constant is folded on (the differential test, seed 62:
    # complex64(1e300) + x gave 1e300)
    ("complex64(1e300) + complex128(0)", {}, lambda: np.complex64(1e300) + np.complex128(0)),
    ("ceil(-3) * complex64(1e300)", {}, lambda: np.ceil(-3.0) * np.complex128(np.complex64(1e300))),
    ("float32(-1e39) + f16", {"f16": F16}, lambda f16: np.float32(-1e39) + f16),
    ("float16(65520.0) + 1.0", {}, lambda: np.float16(65520.0) + np.float16(1.0)),
    ("float16(65519.0) + 0.0", {}, lambda: np.float16(65519.0) + np.float16(0.0)),
    # an empty byte-string literal is NumPy's S1 b'' (it read a byte that
    # was never written)
    ("b''", {}, lambda: np.array(b"")),
    ("where(s == b'1', b'', s)", {"s": S}, lambda s: np.where(s == b"1", b"", s)),
]


@pytest.mark.parametrize("ex,env,ref", VALUES, ids=[r[0] for r in VALUES])
def test_value(ex, env, ref):
    got = jitexpr.evaluate(ex, local_dict=dict(env))
    with nep50(), np.errstate(all="ignore"):
        want = np.asarray(ref(**env))
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)


# (expression, variables, the exception NumPy 2 raises, words of ours).
ERRORS = [
    # 2. weak values computed through // % << >> and comparisons that do
    # not fit the array's type
    ("(1 // -1) + u8", {"u8": U8}, OverflowError, "-1 out of bounds for uint8"),
    ("(x // -1) + u8", {"x": 1, "u8": U8}, OverflowError, "-1 out of bounds for uint8"),
    ("u8 + (1 << 8)", {"u8": U8}, OverflowError, "256 out of bounds for uint8"),
    ("u8 + (x << 8)", {"x": 1, "u8": U8}, OverflowError, "256 out of bounds for uint8"),
    ("((x >> 1) - 1) + u8", {"x": 1, "u8": U8}, OverflowError, "-1 out of bounds"),
    ("(1 < 2) + 300 + i8", {"i8": I8}, OverflowError, "301 out of bounds for int8"),
    ("(x < 2) + 300 + i8", {"x": 1, "i8": I8}, OverflowError, "301 out of bounds for int8"),
    ("(y > 0.5) + 300 + i8", {"y": 1.0, "i8": I8}, OverflowError, "301 out of bounds for int8"),
    ("u8 + (x % 300)", {"x": 299, "u8": U8}, OverflowError, "299 out of bounds for uint8"),
    ("i32 ** (3 // -2)", {"i32": I32}, ValueError, "negative integer powers"),
    ("i32 ** (x // -2)", {"x": 3, "i32": I32}, ValueError, "negative integer powers"),
    ("(x * x) + i8", {"x": 2**40, "i8": I8}, OverflowError, "out of bounds for int8"),
    ("x * x", {"x": 2**40}, OverflowError, "out of bounds for int64"),
    ("(2 << x) <= u8", {"x": 300, "u8": U8}, OverflowError, "out of bounds"),
    ("2 << 300", {}, OverflowError, "overflows int64"),
    ("(-x) / u8", {"x": -2**63, "u8": U8}, OverflowError, "out of bounds for int64"),
    ("expm1(-x)", {"x": -2**63}, OverflowError, "out of bounds for int64"),
    # 7. byte strings and numbers do not convert to each other
    ("bytes(a) == b'x'", {"a": F}, TypeError, "bytes() of float64"),
    ("float64(s)", {"s": S}, TypeError, "float64() of S2"),
    ("bool(s)", {"s": S}, TypeError, "bool() of S2"),
    ("contains(bytes(a), b'1')", {"a": F}, TypeError, "bytes() of float64"),
    ("bytes(1) == b'a'", {}, TypeError, "bytes() of int64"),
    ("int8(b'1')", {}, TypeError, "int8() of S1"),
    ("uint16(b'\\x80x')", {}, TypeError, "uint16() of S2"),
]


@pytest.mark.parametrize("ex,env,exc,words", ERRORS, ids=[r[0] for r in ERRORS])
def test_error(ex, env, exc, words):
    with pytest.raises(exc, match=words.replace("(", r"\(").replace(")", r"\)")):
        jitexpr.evaluate(ex, local_dict=dict(env))


def test_bytes_of_bytes_is_the_value():
    got = jitexpr.evaluate("bytes(s) == b'ab'", local_dict={"s": S})
    np.testing.assert_array_equal(got, S == b"ab")


def test_power_function_keeps_its_value():
    # np.power of two Python ints wraps in int64 like any array op; the
    # operator ** of Python ints is Python's, exact or an error
    assert jitexpr.evaluate("power(2, 62)") == 2**62
    with pytest.raises(OverflowError):
        jitexpr.evaluate("2 ** 64")
