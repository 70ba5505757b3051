"""Exception classes that also match what numexpr's callers catch
(docs/python.md, Errors), the numexpr wording in type errors, and the
attribute syntax .real / .imag against NumPy."""

import numpy as np
import pytest

import jitexpr

B = np.array([True, False, True])
F = np.array([1.5, -2.0, 3.0])
F32 = F.astype(np.float32)
I64 = np.array([1, -2, 3], dtype=np.int64)
U64 = np.array([1, 2, 3], dtype=np.uint64)
S = np.array([b"ab", b"a\x00b", b""], dtype="S3")
Z = np.array([1 + 2j, -3.5 - 1j, 0j])
ENV = {"b": B, "f": F, "f32": F32, "i": I64, "u": U64, "s": S, "z": Z, "big": 2**63,
       "c": F, "x": F}

CATCHES = (TypeError, NotImplementedError, SyntaxError, OverflowError, AttributeError,
           KeyError, ValueError)

# (expression, the jitexpr class, the built-in classes whose `except`
# must catch it; any other class of CATCHES must not).
ROWS = [
    # an operator or function that does not take the dtypes: numexpr's
    # NotImplementedError, pandas' (TypeError, NotImplementedError)
    ("-b", jitexpr.UnsupportedTypeError, {TypeError, NotImplementedError}),
    ("~f", jitexpr.UnsupportedTypeError, {TypeError, NotImplementedError}),
    ("s + b'a'", jitexpr.UnsupportedTypeError, {TypeError, NotImplementedError}),
    ("f < s", jitexpr.UnsupportedTypeError, {TypeError, NotImplementedError}),
    ("i << f", jitexpr.UnsupportedTypeError, {TypeError, NotImplementedError}),
    ("sin(s)", jitexpr.UnsupportedTypeError, {TypeError, NotImplementedError}),
    # a Python int out of bounds: OverflowError, and TypeError for pandas'
    # fallback to NumPy
    ("i + big", jitexpr.IntegerOverflowError, {OverflowError, TypeError}),
    ("i + 2**63", jitexpr.IntegerOverflowError, {OverflowError, TypeError}),
    ("u + 9223372036854775808", jitexpr.IntegerOverflowError, {OverflowError, TypeError}),
    # valid Python the language does not have: numexpr's TypeError, and a
    # SyntaxError with the caret
    ("(x > 1) and (x < 9)", jitexpr.UnsupportedSyntaxError, {SyntaxError, TypeError}),
    ("(x > 1) or (x < 9)", jitexpr.UnsupportedSyntaxError, {SyntaxError, TypeError}),
    ("not b", jitexpr.UnsupportedSyntaxError, {SyntaxError, TypeError}),
    ("f < [0, 0, 0]", jitexpr.UnsupportedSyntaxError, {SyntaxError, TypeError}),
    ("c[0]", jitexpr.UnsupportedSyntaxError, {SyntaxError, TypeError}),
    ("(c)(1)", jitexpr.UnsupportedSyntaxError, {SyntaxError, TypeError}),
    ("lambda: 1", jitexpr.UnsupportedSyntaxError, {SyntaxError, TypeError}),
    ("f if b else f", jitexpr.UnsupportedSyntaxError, {SyntaxError, TypeError}),
    ("f in f", jitexpr.UnsupportedSyntaxError, {SyntaxError, TypeError}),
    ("f @ f", jitexpr.UnsupportedSyntaxError, {SyntaxError, TypeError}),
    # another attribute: numexpr's AttributeError (a SyntaxError cannot
    # also be an AttributeError in CPython: their layouts conflict)
    ("x.foo", jitexpr.UnsupportedAttributeError, {AttributeError, TypeError}),
    ("(x + 1).T", jitexpr.UnsupportedAttributeError, {AttributeError, TypeError}),
    # calling a name that is no function: TypeError, as numexpr's
    ("c()", TypeError, {TypeError}),
    # malformed expressions stay plain SyntaxErrors
    ("foo bar", SyntaxError, {SyntaxError}),
    ("f +", SyntaxError, {SyntaxError}),
    ("1.real", SyntaxError, {SyntaxError}),
    ("f + and", SyntaxError, {SyntaxError}),
]


@pytest.mark.parametrize("ex,cls,caught", ROWS, ids=[r[0] for r in ROWS])
def test_exception_classes(ex, cls, caught):
    with pytest.raises(cls) as info:
        jitexpr.evaluate(ex, local_dict=ENV)
    e = info.value
    assert type(e) is cls
    for base in CATCHES:
        assert isinstance(e, base) == (base in caught), (ex, base)
    # `except X` catches it exactly for the classes above
    for base in CATCHES:
        try:
            jitexpr.evaluate(ex, local_dict=ENV)
        except base:
            assert base in caught, (ex, base)
        except Exception:
            assert base not in caught, (ex, base)


@pytest.mark.parametrize("ex,col,end", [
    ("(x > 1) and (x < 9)", 9, 12), ("not b", 1, 4), ("f < [0, 0, 0]", 5, 6),
    ("c[0]", 2, 3), ("foo bar", 5, 8),
])
def test_syntax_error_offsets(ex, col, end):
    with pytest.raises(SyntaxError) as info:
        jitexpr.evaluate(ex, local_dict=ENV)
    assert (info.value.offset, info.value.end_offset) == (col, end)
    lines = str(info.value.msg).splitlines()
    assert lines[-1].index("^") - 4 == col - 1


def test_attribute_error_caret_and_validate():
    with pytest.raises(AttributeError) as info:
        jitexpr.evaluate("x.foo", local_dict=ENV)
    text = str(info.value)
    assert "unknown attribute '.foo'" in text
    assert text.splitlines()[-1] == "     ^^^^"
    assert isinstance(jitexpr.validate("x.foo", local_dict=ENV), AttributeError)


@pytest.mark.parametrize("ex,opcode", [
    ("-b", "neg_bb"), ("~f", "invert_dd"), ("s + b'a'", "add_sss"), ("f < s", "gt_bsd"),
    ("s >= f", "ge_bsd"), ("i << f", "lshift_dld"), ("f32 >> i", "rshift_dfl"), ("-s", "neg_ss"),
    ("sin(s)", "sin_ss"), ("~f32", "invert_ff"), ("z & z", "and_ccc"),
])
def test_numexpr_opcode_wording(ex, opcode):
    with pytest.raises(NotImplementedError) as info:
        jitexpr.evaluate(ex, local_dict=ENV)
    assert "(numexpr: couldn't find matching opcode for '%s')" % opcode in str(info.value)


def test_numexpr_opcode_names_match_numexpr():
    numexpr = pytest.importorskip("numexpr")
    for ex in ["-b", "~f", "f < s", "i << f", "-s"]:
        with pytest.raises(NotImplementedError) as theirs:
            numexpr.evaluate(ex, local_dict=ENV)
        with pytest.raises(NotImplementedError) as ours:
            jitexpr.evaluate(ex, local_dict=ENV)
        assert str(theirs.value) in str(ours.value)


def test_unary_plus_of_bool_is_the_value():
    # numexpr returns +b unchanged; NumPy 2 refuses it.  A copy.
    got = jitexpr.evaluate("+b", local_dict=ENV)
    assert got.dtype == bool and (got == B).all() and not np.shares_memory(got, B)
    np.testing.assert_array_equal(jitexpr.evaluate("+(f > 0)", local_dict=ENV), F > 0)


def test_classes_exported():
    for name in ["UnsupportedTypeError", "UnsupportedSyntaxError", "UnsupportedAttributeError",
                 "IntegerOverflowError"]:
        assert name in jitexpr.__all__
        assert getattr(jitexpr, name).__module__ == "jitexpr"


# ---- .real and .imag -------------------------------------------------------------

def part_values(dtype):
    rng = np.random.default_rng(3)
    dt = np.dtype(dtype)
    if dt.kind == "c":
        return (rng.normal(size=40) + 1j * rng.normal(size=40)).astype(dt)
    if dt.kind == "f":
        return rng.normal(size=40).astype(dt)
    return rng.integers(-50, 50, 40).astype(dt)


# (expression with attributes, the same with functions, NumPy's answer)
PART_ROWS = [
    ("a.real", lambda a: np.real(a)),
    ("a.imag", lambda a: np.imag(a)),
    ("(a-10).real", lambda a: np.real(a - 10)),
    ("a.real**2", lambda a: np.real(a) ** 2),
    ("-a.imag", lambda a: -np.imag(a)),
    ("2**a.imag", lambda a: 2 ** np.imag(a)),
    ("a.real * a.imag", lambda a: np.real(a) * np.imag(a)),
    ("(a * 1j).imag", lambda a: np.imag(a * 1j)),
]


def same(got, want, ex):
    """Exact, but a float power (2**x, x**2 of floats): 2 ULP, as
    test_ops.py allows for `**` (libm's pow against NumPy's loop)."""
    if "**" in ex and want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=2 * np.finfo(want.dtype).eps, atol=0)
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "complex64",
                                   "complex128"])
@pytest.mark.parametrize("ex,ref", PART_ROWS, ids=[r[0] for r in PART_ROWS])
def test_real_imag_attributes(ex, ref, dtype):
    """Exact, as NumPy (tolerance 0): .real and .imag pick a part; the
    arithmetic around them is the same as NumPy's loops."""
    a = part_values(dtype)
    want = np.asarray(ref(a))
    got = jitexpr.evaluate(ex, local_dict={"a": a})
    assert got.dtype == want.dtype, (ex, dtype, got.dtype, want.dtype)
    same(got, want, ex)
    # strided and 0-d operands too (NumPy's answer for a 0-d operand from a
    # 1-element array: NumPy 1.24 types 0-d scalars by value, NEP 50 not)
    same(jitexpr.evaluate(ex, local_dict={"a": a[::3]}), np.asarray(ref(a[::3])), ex)
    same(jitexpr.evaluate(ex, local_dict={"a": a[1]}), np.asarray(ref(a[1:2])).reshape(()), ex)
    # the attribute is the function
    fn = ex.replace("(a-10).real", "real(a-10)").replace("(a * 1j).imag", "imag(a * 1j)")
    fn = fn.replace("a.real", "real(a)").replace("a.imag", "imag(a)")
    same(jitexpr.evaluate(fn, local_dict={"a": a}), want, ex)
    assert jitexpr.explain(ex, local_dict={"a": a}) == jitexpr.explain(fn, local_dict={"a": a})


@pytest.mark.parametrize("ex,want", [
    ("1 .real", 1), ("1.5.real", 1.5), ("2j.imag", 2.0), ("0x1f.real", 31), ("(3).imag", 0),
])
def test_attributes_of_literals(ex, want):
    assert jitexpr.evaluate(ex) == want


def test_attributes_match_numexpr():
    numexpr = pytest.importorskip("numexpr")
    z = Z
    f = F
    for ex in ["z.real", "(f-10).real", "z.imag**2", "-z.real"]:
        np.testing.assert_array_equal(jitexpr.evaluate(ex), numexpr.evaluate(ex))


# ---- where NumPy raises ValueError -------------------------------------------------------

def _empty(shape):
    return lambda dtype: {"x": np.empty(shape, dtype)}


def _broadcast(*shapes):
    return lambda dtype: {n: np.broadcast_to(np.ones((), dtype), s) for n, s in zip("pqr", shapes)}


def _whole(fn):
    """NumPy's answer for an expression of broadcast operands, judged on
    their whole broadcast first (np.broadcast: "broadcast dimensions too
    large"), as jitexpr evaluates it, not on NumPy's first temporary (p*q
    of 1-byte dtypes is a MemoryError before r joins)."""
    return lambda *args: (np.broadcast(*args), fn(*args))[1]


# (expression, the values for a dtype, NumPy's computation of it, words of
# jitexpr's message where NumPy raises).  jitexpr raises where NumPy does
# (ValueError), and otherwise gives NumPy's shape and values.
#  - min and max fail when the reduced axis (or the whole array) has
#    length 0, even when the result would be empty as well;
#  - a broadcast whose size overflows int64 is NumPy's ValueError ("iterator
#    is too large", "array is too big"), where jitexpr used to count its
#    elements modulo 2**64: sum(p*q) was 0.0, any(p*q > 0) False.
NUMPY_VALUE_ROWS = [
    ("max(x, axis=1)", _empty((0, 0)), lambda x: np.max(x, axis=1), "no identity"),
    ("min(x, axis=1)", _empty((0, 0)), lambda x: np.min(x, axis=1), "no identity"),
    ("max(x, axis=0)", _empty((0, 0)), lambda x: np.max(x, axis=0), "no identity"),
    ("max(x, axis=1)", _empty((0, 3)), lambda x: np.max(x, axis=1), None),
    ("min(x, axis=-1)", _empty((0, 3)), lambda x: np.min(x, axis=-1), None),
    ("max(x, axis=1)", _empty((3, 0)), lambda x: np.max(x, axis=1), "no identity"),
    ("min(x, axis=0)", _empty((0, 3)), lambda x: np.min(x, axis=0), "no identity"),
    ("max(x, axis=0)", _empty((3, 0)), lambda x: np.max(x, axis=0), None),
    ("min(x)", _empty((0, 3)), lambda x: np.min(x), "no identity"),
    ("max(x, axis=1)", _empty((2, 0, 3)), lambda x: np.max(x, axis=1), "no identity"),
    ("max(x, axis=2)", _empty((2, 0, 3)), lambda x: np.max(x, axis=2), None),
    ("sum(x, axis=1)", _empty((3, 0)), lambda x: np.sum(x, axis=1), None),
    ("any(x, axis=1)", _empty((0, 0)), lambda x: np.any(x, axis=1), None),
    ("sum(p*q)", _broadcast((2**40, 1), (1, 2**40)), lambda p, q: np.sum(p * q),
     "broadcast dimensions too large"),
    ("any(p*q > 0)", _broadcast((2**40, 1), (1, 2**40)), lambda p, q: np.any(p * q > 0),
     "broadcast dimensions too large"),
    ("p*q", _broadcast((2**40, 1), (1, 2**40)), lambda p, q: p * q,
     "broadcast dimensions too large"),
    ("all(p*q*r > 0)", _broadcast((2**31, 1, 1), (1, 2**31, 1), (1, 1, 4)),
     _whole(lambda p, q, r: np.all(p * q * r > 0)), "broadcast dimensions too large"),
    ("mean(p*q*r)", _broadcast((2**31, 1, 1), (1, 2**31, 1), (1, 1, 4)),
     _whole(lambda p, q, r: np.mean(p * q * r)), "broadcast dimensions too large"),
    ("min(p*q*r)", _broadcast((2**31, 1, 1), (1, 2**31, 1), (1, 1, 4)),
     _whole(lambda p, q, r: np.min(p * q * r)), "broadcast dimensions too large"),
    ("p*q", _broadcast((2**40, 1), (1, 2**22)), lambda p, q: p * q, "too big"),
]
NUMPY_VALUE_DTYPES = ["float64", "float32", "int64", "uint8", "bool", "complex128"]


@pytest.mark.parametrize("dtype", NUMPY_VALUE_DTYPES)
@pytest.mark.parametrize("ex,values,numpy_fn,words", NUMPY_VALUE_ROWS,
                         ids=["%s-%d" % (r[0], i) for i, r in enumerate(NUMPY_VALUE_ROWS)])
def test_value_errors_as_numpy(ex, values, numpy_fn, words, dtype):
    env = values(dtype)
    try:
        with np.errstate(all="ignore"):
            want = np.asarray(numpy_fn(*env.values()))
    except (ValueError, MemoryError) as e:
        want = e  # p*q of 1-byte dtypes: 2**62 bytes, a MemoryError in both
    assert isinstance(want, Exception) == (words is not None), (ex, dtype, "NumPy: %r" % want)
    if isinstance(want, Exception):
        with pytest.raises(ValueError if isinstance(want, ValueError) else MemoryError) as info:
            jitexpr.evaluate(ex, local_dict=env)
        if isinstance(want, ValueError):
            assert words in str(info.value), (str(info.value), str(want))
        return
    got = jitexpr.evaluate(ex, local_dict=env)
    assert got.shape == want.shape and np.array_equal(got, want, equal_nan=True), (got, want)


# ---- sizes a user gives -------------------------------------------------------------------

# (dtype string, the exception or None, words of its message or of the IR).
# NumPy 1.x reads the size in a dtype string modulo 2**32 ("S99999999999"
# is 'S1215752191', "S2147483648" 'S-2147483648', "i4294967300" int32),
# so explain() printed in.S1215752191; jitexpr refuses such a size before
# NumPy reads it, wherever a dtype is named: explain's keywords, NumExpr's
# signature and the shim's necompiler (test_necompiler.py).
DTYPE_SIZE_ROWS = [
    ("S99999999999", ValueError, "the size 99999999999 is out of range"),
    ("|S99999999999", ValueError, "the size 99999999999 is out of range"),
    ("a99999999999", ValueError, "the size 99999999999 is out of range"),
    ("S4294967297", ValueError, "the size 4294967297 is out of range"),
    ("S2147483648", ValueError, "the size 2147483648 is out of range"),
    ("i4294967300", ValueError, "the size 4294967300 is out of range"),
    ("S-1", TypeError, "does not support"),
    ("S2147483647", None, "in.S2147483647 $0"),
    ("S5", None, "in.S5 $0"),
    ("S005", None, "in.S5 $0"),
]


@pytest.mark.parametrize("spec,cls,words", DTYPE_SIZE_ROWS, ids=[r[0] for r in DTYPE_SIZE_ROWS])
def test_dtype_string_sizes(spec, cls, words):
    ex = "s == b'a'"
    if cls is None:
        assert words in jitexpr.explain(ex, s=spec)
        assert words in jitexpr.NumExpr(ex, signature=[("s", spec)]).ir
        return
    with pytest.raises(cls, match=words):
        jitexpr.explain(ex, s=spec)
    with pytest.raises(cls, match=words):
        jitexpr.NumExpr(ex, signature=[("s", spec)])


# numexpr's _frame_depth and set_num_threads take Python ints of any size:
# one beyond 32 bits is not cut to its low bits (2**32 + 5 used to walk 2
# frames up), it is as deep (ValueError) or as many threads (MAX_THREADS)
# as it says.
@pytest.mark.parametrize("depth", [2**32 + 5, 2**31, 2**70])
def test_frame_depth_beyond_an_int(depth):
    a = np.ones(3)  # noqa: F841
    with pytest.raises(ValueError, match="call stack is not deep enough"):
        jitexpr.evaluate("a + 1", _frame_depth=depth)
    assert jitexpr.evaluate("a + 1", _frame_depth=3).tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("n", [2**32 + 1, 2**70])
def test_num_threads_beyond_an_int(n):
    prev = jitexpr.set_num_threads(1)
    try:
        jitexpr.set_num_threads(n)
        assert jitexpr.get_num_threads() == jitexpr.MAX_THREADS
    finally:
        jitexpr.set_num_threads(prev)
    for bad in [0, -(2**70)]:
        with pytest.raises(ValueError, match="at least 1"):
            jitexpr.set_num_threads(bad)
