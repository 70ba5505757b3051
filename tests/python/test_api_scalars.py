"""The numexpr-compatible API with Python scalars: they are weak (NumPy 2,
NEP 50), their values are exact, and one whose value varies does not cost a
compilation per value."""

import numpy as np
import pytest

import jitexpr


# ---- Python scalars are weak (NumPy 2, NEP 50) ---------------------------------------------

# (array dtype, Python scalar, expression, the NEP 50 result dtype).  NumPy
# 1.24 agrees on these values (its value-based casting gives the same for
# small scalars); where it differs (out-of-bounds integers, 0-d arrays)
# NumPy 2's answer is written out below.
WEAK = [
    ("float32", 2.5, "a * x", "float32"),
    ("float16", 0.1, "a + x", "float16"),
    ("int32", 1, "a + x", "int32"),
    ("int32", 1.5, "a * x", "float64"),
    ("uint8", 1, "a + x", "uint8"),
    ("uint8", True, "a + x", "uint8"),
    ("bool", 2, "a + x", "int64"),
    ("bool", 2.5, "a * x", "float64"),
    ("int8", 3, "x - a", "int8"),
    ("float32", 3, "a ** x", "float32"),
    ("int16", 2, "a << x", "int16"),
    ("float32", 0.5, "where(a > x, a, x)", "float32"),
    ("float32", 2.0, "sin(x) * a", "float64"),  # a function's result is strong
    ("float32", 2.0, "(x * 2 + 1) * a", "float32"),  # weak stays weak through operators
]


@pytest.mark.parametrize("dtype,x,ex,want", WEAK, ids=["%s %s %r" % (w[2], w[0], w[1]) for w in WEAK])
def test_python_scalars_are_weak(dtype, x, ex, want):
    a = (np.arange(1, 6) % 4).astype(dtype)
    r = jitexpr.evaluate(ex, local_dict={"a": a, "x": x})
    assert r.dtype == np.dtype(want)
    # NumPy computes the same with the literal in place of x
    ref = {"a * x": lambda: a * x, "a + x": lambda: a + x, "x - a": lambda: x - a,
           "a ** x": lambda: a ** x, "a << x": lambda: a << x,
           "where(a > x, a, x)": lambda: np.where(a > x, a, np.asarray(x, a.dtype)),
           "sin(x) * a": lambda: np.sin(x) * a,
           "(x * 2 + 1) * a": lambda: (x * 2 + 1) * a}[ex]()
    assert np.allclose(r.astype(float), np.asarray(ref).astype(float), rtol=1e-3)


def test_python_scalar_as_literal_matches_variable():
    a = np.linspace(0, 1, 7, dtype=np.float32)
    x = 0.1
    assert np.array_equal(jitexpr.evaluate("a * x + 1"), jitexpr.evaluate("a * 0.1 + 1"))


def test_strong_scalars():
    a = np.arange(4, dtype=np.int8)
    # NumPy scalars and 0-d arrays are strong (NEP 50)
    assert jitexpr.evaluate("a + x", local_dict={"a": a, "x": np.int16(3)}).dtype == np.int16
    assert jitexpr.evaluate("a + x", local_dict={"a": a, "x": np.array(3)}).dtype == np.int64
    f = np.ones(3, np.float16)
    assert jitexpr.evaluate("f * x", local_dict={"f": f, "x": np.float32(2)}).dtype == np.float32


def test_python_int_out_of_bounds():
    # NumPy 2: OverflowError ("Python integer 256 out of bounds for uint8"),
    # checked by the library on every evaluation of the one compiled variant.
    for x in [255, 256, -1, 0, 300]:
        d = {"a": np.ones(3, np.uint8), "x": x}
        if 0 <= x <= 255:
            assert jitexpr.evaluate("a + x", local_dict=d).dtype == np.uint8
        else:
            with pytest.raises(OverflowError, match="out of bounds for uint8"):
                jitexpr.evaluate("a + x", local_dict=d)
    # A Python int beyond int64 is an OverflowError whatever it meets, as an
    # integer literal is (a deliberate rule: NumPy 2 would make 2**63 a
    # uint64 next to a uint64 array, and convert 2**70 next to a float one).
    with pytest.raises(OverflowError):
        jitexpr.evaluate("a + x", local_dict={"a": np.ones(3), "x": 2**70})
    with pytest.raises(OverflowError):
        jitexpr.evaluate("a + x", local_dict={"a": np.ones(3, np.uint64), "x": 2**63})


@pytest.mark.parametrize("ex,x", [("-x + a", 1), ("2*x*a", 100), ("(x + 1) * a", 255)])
def test_python_int_folded_out_of_bounds(ex, x):
    # NumPy 2: Python computes -1, 200, 256, then each is out of bounds for
    # the array's dtype; jitexpr checks the values it computes the same way.
    a = np.ones(3, np.uint8 if x != 100 else np.int8)
    with pytest.raises(OverflowError):
        jitexpr.evaluate(ex, local_dict={"a": a, "x": x})


def test_python_scalar_values_are_exact():
    a = np.ones(3)
    for x in [2.0, 3.0, -0.0, 0.0, float("inf"), float("-inf"), 1e-300, -5]:
        r = jitexpr.evaluate("a * x")
        assert np.array_equal(r, a * x)
        assert np.array_equal(np.signbit(r), np.signbit(a * x)), x
    x = float("nan")
    assert np.isnan(jitexpr.evaluate("a + x")).all()
    x = -2**63
    assert jitexpr.evaluate("b + x", local_dict={"b": np.zeros(2, np.int64), "x": x})[0] == x


@pytest.mark.parametrize("ex,dtype", [("a*x + 1", "float32"), ("x*a - a/x", "float64"),
                                      ("where(a > x, a, x)", "float16"), ("a + x", "int8"),
                                      ("x - a", "uint16"), ("a * x", "int64"),
                                      ("2*x*a", "float32"), ("-x + a", "int16")])
def test_varying_python_scalar(ex, dtype):
    # A scalar whose value keeps changing must not cost a compilation per
    # value (one variant for every value), and must keep NumPy 2's weak
    # semantics.
    a = (np.arange(1, 12) % 7).astype(dtype)
    ints = np.dtype(dtype).kind in "iu"
    values = [1, 2, 3, 5, 7, 11, 13, 17] if ints else [0.1, 0.2, 0.3, 0.7, 1.5, 2.5, -3.5, 1e-3]
    jitexpr.clear_cache()
    before = jitexpr.cache_info()["kernels_compiled"]
    ref = {"a*x + 1": lambda x: a * x + 1, "x*a - a/x": lambda x: x * a - a / x,
           "where(a > x, a, x)": lambda x: np.where(a > x, a, np.asarray(x, a.dtype)),
           "a + x": lambda x: a + x, "x - a": lambda x: x - a, "a * x": lambda x: a * x,
           "2*x*a": lambda x: 2 * x * a, "-x + a": lambda x: -x + a}[ex]
    for x in values:
        got = jitexpr.evaluate(ex, local_dict={"a": a, "x": x})
        with np.errstate(all="ignore"):
            want = np.asarray(ref(x))
        assert got.dtype == want.dtype == a.dtype, (x, got.dtype, want.dtype)
        assert np.array_equal(got, want), (x, got, want)
    assert jitexpr.cache_info()["variants"] == 1
    # The contiguous kernel and the one for a 0-d scalar operand, at most.
    assert jitexpr.cache_info()["kernels_compiled"] - before <= 2


def test_varying_python_scalar_keeps_errors():
    i8 = np.arange(5, dtype=np.int8)
    for n in [1, 2, 3, 4]:
        jitexpr.evaluate("i8 + n")
    with pytest.raises(OverflowError):  # NumPy 2: out of bounds for int8
        n = 300
        jitexpr.evaluate("i8 + n")
    n = 3
    assert np.array_equal(jitexpr.evaluate("i8 + n"), i8 + 3)


def test_negative_python_int_power():
    i32 = np.arange(1, 5, dtype=np.int32)
    for n in [1, 2, 3, 4]:
        jitexpr.evaluate("i32 ** n")
    with pytest.raises(ValueError):  # NumPy: integers to negative integer powers
        n = -1
        jitexpr.evaluate("i32 ** n")


def test_scalar_only_expression():
    x, y = 2, 3.5
    r = jitexpr.evaluate("x * y")
    assert r.dtype == np.float64 and r == 7.0
