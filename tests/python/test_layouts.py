"""Memory layouts: the order of a new result (as NumPy's ufuncs allocate
it), strided, reversed, transposed, broadcast, non-native byte order,
unaligned, 0-d, zero-size and many-dimensional arrays, large arrays that
run on several threads, and outputs that overlap inputs."""

import math

import numpy as np
import pytest

import jitexpr
from conftest import compare

RNG = np.random.default_rng(42)


def base(shape, dtype=np.float64):
    return RNG.uniform(-2, 2, shape).astype(dtype)


# Pairs of operands in many layouts: (name, a, b).
def operand_layouts():
    c = base((6, 8))
    f = np.asfortranarray(base((6, 8)))
    t3 = base((4, 5, 6)).transpose(2, 0, 1)
    yield "C, C", c, base((6, 8))
    yield "F, F", f, np.asfortranarray(base((6, 8)))
    yield "C, F", c, f
    yield "F, row", f, base((8,))
    yield "column, row", base((6, 1)), base((1, 8))
    yield "sliced", base((12, 16))[::2, ::2], base((6, 8))
    yield "reversed", base((6, 8))[::-1, ::-1], base((6, 8))[:, ::-1]
    yield "transposed 3-D", t3, t3.copy()
    yield "transposed 3-D, C", t3, np.ascontiguousarray(t3)
    yield "F 3-D", np.asfortranarray(base((3, 4, 5))), np.asfortranarray(base((3, 4, 5)))
    yield "0-d, F", np.array(1.5), f
    yield "swapped axes", base((8, 6)).T, base((8, 6)).T


LAYOUTS = list(operand_layouts())


@pytest.mark.parametrize("order", ["K", "C", "F", "A"])
@pytest.mark.parametrize("name,a,b", LAYOUTS, ids=[x[0] for x in LAYOUTS])
def test_order_as_numpy(name, a, b, order):
    got = jitexpr.evaluate("a * b + 1", local_dict={"a": a, "b": b}, order=order)
    ref = np.add(np.multiply(a, b), 1, order=order) if order != "K" else a * b + 1
    ref_order = np.multiply(a, b, order=order)  # the allocation NumPy makes
    assert compare(got, ref) is None
    assert got.strides == ref_order.strides, (got.strides, ref_order.strides)
    assert got.flags.owndata


def test_order_of_a_single_input():
    for a in [np.asfortranarray(base((5, 7))), base((5, 7)), base((5, 7, 3)).transpose(1, 2, 0)]:
        got = jitexpr.evaluate("sin(a)", local_dict={"a": a})
        assert got.strides == np.sin(a).strides


@pytest.mark.parametrize("dtype", ["int16", "int64", "uint32", "float16", "float32", "float64"])
def test_non_native_byte_order(dtype):
    a = base((50,), dtype)
    b = base((50,), dtype)
    sa = a.astype(a.dtype.newbyteorder())
    sb = b.astype(b.dtype.newbyteorder())
    got = jitexpr.evaluate("a * b - a", local_dict={"a": sa, "b": sb})
    with np.errstate(all="ignore"):
        ref = a * b - a
    assert compare(got, ref) is None
    assert got.dtype.isnative
    # into a byte-swapped out
    out = np.empty(50, a.dtype.newbyteorder())
    r = jitexpr.evaluate("a * b - a", local_dict={"a": sa, "b": b}, out=out)
    assert r is out and np.array_equal(out.astype(a.dtype), ref)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32", "float64", "uint16"])
def test_unaligned(dtype):
    dt = np.dtype(dtype)
    n = 77
    buf = bytearray(n * dt.itemsize + 1)
    a = np.ndarray((n,), dt, buffer=buf, offset=1)
    a[:] = base((n,), dtype)
    assert not a.flags.aligned
    b = base((n,), dtype)
    outbuf = bytearray(n * dt.itemsize + 3)
    out = np.ndarray((n,), dt, buffer=outbuf, offset=3)
    with np.errstate(all="ignore"):
        ref = a * b + a
    r = jitexpr.evaluate("a * b + a", out=out)
    assert r is out and compare(out, ref) is None
    assert compare(jitexpr.evaluate("a * b + a"), ref) is None


# A long contiguous run is cut in two calls, the first bringing the output
# to a 64-byte boundary (eval.c, call_aligned): rows of each output offset,
# with inputs at the same and at other offsets, long enough to be cut.
@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "float32", "float64",
                                   "complex128"])
@pytest.mark.parametrize("out_off", [0, 1, 8, 16, 24, 48, 56])
def test_long_runs_at_every_offset(dtype, out_off):
    dt = np.dtype(dtype)
    n = 5000

    def at(off, values):
        buf = np.zeros(n * dt.itemsize + 128, np.uint8)
        start = (-buf.ctypes.data) % 64 + off
        v = buf[start:start + n * dt.itemsize].view(dt)
        v[:] = values
        assert v.ctypes.data % 64 == off
        return v

    a_values = np.arange(n).astype(dt) + 1
    b_values = base((n,)).astype(dt)
    out = at(out_off, 0)
    for in_off in sorted({out_off, (out_off + 8) % 64, 0}):
        a, b = at(in_off, a_values), at(out_off, b_values)
        ref = a * 3 + b
        out[:] = 0
        r = jitexpr.evaluate("a * 3 + b", local_dict={"a": a, "b": b}, out=out)
        assert r is out and compare(out, ref) is None, (in_off, out_off)
        # the first call's elements and the second's: every one written once
        assert compare(jitexpr.evaluate("a * 3 + b", local_dict={"a": a, "b": b}),
                       ref) is None


# A kernel calling the math library computes its loop's scalar remainder
# with libm's function, the rest with the library's vector variant, which
# may differ in the last bit.  Which elements take which must not depend on
# where the output lies nor on the threads: the same bits at every output
# offset and thread count (before plan.c split only light kernels' rows at
# the output's cache line, CI saw hypot differ by 1 ULP between two calls).
LIB_EXPRS = ["hypot(a, b)", "erf(a) + b", "arctan2(a, b)", "sin(a) * b",
             "log(a + 3) - b", "exp(a) + cbrt(b)", "tanh(a) * b"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr", LIB_EXPRS)
def test_library_calls_same_bits_at_every_offset(expr, dtype):
    dt = np.dtype(dtype)
    n = 5003
    rng = np.random.default_rng(7)
    local = {"a": rng.uniform(-2, 2, n).astype(dt), "b": rng.uniform(-2, 2, n).astype(dt)}
    want = jitexpr.evaluate(expr, local_dict=local)
    names = {"hypot": np.hypot, "erf": np.vectorize(math.erf), "arctan2": np.arctan2,
             "sin": np.sin, "log": np.log, "exp": np.exp, "cbrt": np.cbrt, "tanh": np.tanh}
    tol = 1e-5 if dt == np.float32 else 1e-13  # sums cancel: rtol and atol
    np.testing.assert_allclose(want, eval(expr, names, local), rtol=tol, atol=tol)
    buf = np.zeros(n * dt.itemsize + 128, np.uint8)
    for off in range(dt.itemsize, 64, 2 * dt.itemsize):
        start = (-buf.ctypes.data) % 64 + off
        out = buf[start:start + n * dt.itemsize].view(dt)
        jitexpr.evaluate(expr, local_dict=local, out=out)
        assert np.array_equal(out.view(f"u{dt.itemsize}"), want.view(f"u{dt.itemsize}")), off
    big = {k: np.tile(v, 61) for k, v in local.items()}  # 305183 elements
    threads = jitexpr.set_num_threads(1)
    try:
        one = jitexpr.evaluate(expr, local_dict=big)
        jitexpr.set_num_threads(2)
        two = jitexpr.evaluate(expr, local_dict=big)
    finally:
        jitexpr.set_num_threads(threads)
    assert np.array_equal(one.view(f"u{dt.itemsize}"), two.view(f"u{dt.itemsize}"))


def test_zero_d_and_zero_size():
    z = np.array(2.0)
    assert jitexpr.evaluate("z * 3", local_dict={"z": z}).shape == ()
    for shape in [(0,), (3, 0), (0, 4), (2, 0, 5)]:
        a = np.ones(shape)
        r = jitexpr.evaluate("a + 1")
        assert r.shape == shape and r.dtype == np.float64
        r = jitexpr.evaluate("a + z", local_dict={"a": a, "z": z})
        assert r.shape == shape
    a = np.ones((3, 0))
    with pytest.raises(ValueError):
        jitexpr.evaluate("a + b", local_dict={"a": a, "b": np.ones(2)})
    out = np.empty(())
    jitexpr.evaluate("z + 1", local_dict={"z": z}, out=out)
    assert out == 3.0


def test_many_dimensions():
    a = base((2, 1, 3, 1, 2, 2, 1, 3, 2, 2))
    b = base((3, 1, 2, 2, 3, 1, 1))
    ref = a * b - b
    got = jitexpr.evaluate("a * b - b")
    assert compare(got, ref) is None
    a32 = np.ones((1,) * 32)
    assert jitexpr.evaluate("a32 + 1").shape == (1,) * 32


@pytest.mark.parametrize("threads", [1, 2])
def test_large_arrays(threads):
    prev = jitexpr.set_num_threads(threads)
    try:
        n = 2_000_003
        a = base((n,))
        b = base((n,))
        assert compare(jitexpr.evaluate("a * b + 2 * a"), a * b + 2 * a) is None
        a2 = base((1500, 1400))[:, ::-1]
        b2 = base((1400,))
        assert compare(jitexpr.evaluate("a2 - b2 * 3"), a2 - b2 * 3) is None
        i = RNG.integers(-1000, 1000, n)
        assert compare(jitexpr.evaluate("(i * 3) // 7 + (i > 0)"), (i * 3) // 7 + (i > 0)) is None
    finally:
        jitexpr.set_num_threads(prev)


# ---- copies: an input's bytes, by memmove where both are contiguous (eval.c) ---------------------

def copy_cases():
    f = base((5000,), np.float32)
    f[7] = np.float32("nan")
    yield "copy(a) float32", "copy(a)", f, None
    yield "real(a) int64", "real(a)", RNG.integers(-9, 9, 3001), None
    yield "+a bool", "+a", RNG.integers(0, 2, 999).astype(bool), None
    yield "conj(a) float64", "conj(a)", base((33,)), None
    yield "copy(a) complex", "copy(a)", base((40,)) + 1j * base((40,)), None
    yield "copy(a) bytes", "copy(a)", np.array([b"ab", b"xyz12", b""] * 7, dtype="S5"), None
    yield "copy(a) 2-D rows", "copy(a)", base((40, 30))[::2, 3:], None
    yield "copy(a) reversed", "copy(a)", base((300,))[::-1], None
    yield "copy(a) 0-d", "copy(a)", np.array(2.5), None
    yield "copy(a) 2 threads", "copy(a)", base((3_000_017,)), None
    yield "copy(a) into float64", "copy(a)", base((100,), np.float32), np.empty(100)
    yield "copy(a) into a strided out", "copy(a)", base((50,)), np.empty(100)[::2]
    g = base((64,))
    yield "copy(a) into itself", "copy(a)", g, g
    h = base((65,))
    yield "copy(a) into a shifted self", "copy(a)", h[:-1], h[1:]
    yield "round(a) int16", "round(a)", RNG.integers(-9, 9, 700).astype(np.int16), None


COPIES = list(copy_cases())


# Results of one byte repeated, whatever the input: (name, expr, a, out)
def fill_cases():
    i = RNG.integers(-9, 9, 5000).astype(np.int32)
    yield "imag(a) float32", "imag(a)", base((3001,), np.float32), None
    yield "imag(a) int64", "imag(a)", RNG.integers(-9, 9, 999), None
    yield "imag(a) bool", "imag(a)", RNG.integers(0, 2, 99).astype(bool), None
    yield "imag(a) complex", "imag(a)", base((40,)) + 1j * base((40,)), None  # not a fill
    yield "isnan(a) int32", "isnan(a)", i, None
    yield "isinf(a) uint8", "isinf(a)", i.astype(np.uint8), None
    yield "isfinite(a) int32", "isfinite(a)", i, None
    yield "isfinite(a) bool 2-D rows", "isfinite(a)", (i > 0).reshape(50, 100)[::2, 7:], None
    yield "isnan(a) float64", "isnan(a)", np.array([1.0, np.nan, np.inf] * 9), None  # not a fill
    yield "isfinite(a) into a strided out", "isfinite(a)", i[:50], np.ones(100, bool)[::2]
    yield "isfinite(a) into float64", "isfinite(a)", i, np.full(5000, 7.0)  # a cast: no fill
    yield "imag(a) into int64", "imag(a)", i, np.full(5000, 7)
    yield "isinf(a) into its own bytes", "isinf(a)", i.astype(np.int8), None
    yield "imag(a) 2 threads", "imag(a)", base((3_000_017,)), None
    yield "isfinite(a) 0-d", "isfinite(a)", np.array(3), None


FILLS = list(fill_cases())


def same_bytes_on_two_threads(expr, a, out, ref):
    """expr of a (into out) on two threads: ref's dtype, shape and bytes (NaN
    payloads, +0.0, True as 1); a new array apart from a, or out itself."""
    if out is not None:
        ref = ref.astype(out.dtype)
    prev = jitexpr.set_num_threads(2)
    try:
        r = jitexpr.evaluate(expr, local_dict={"a": a}, out=out)
    finally:
        jitexpr.set_num_threads(prev)
    assert r.dtype == ref.dtype and r.shape == ref.shape
    assert r is out if out is not None else not np.shares_memory(r, a)
    assert np.asarray(r).tobytes() == np.asarray(ref).tobytes()


@pytest.mark.parametrize("name,expr,a,out", FILLS, ids=[c[0] for c in FILLS])
def test_fills(name, expr, a, out):
    same_bytes_on_two_threads(expr, a, out, getattr(np, expr.split("(")[0])(a))


@pytest.mark.parametrize("name,expr,a,out", COPIES, ids=[c[0] for c in COPIES])
def test_copies(name, expr, a, out):
    same_bytes_on_two_threads(expr, a, out, np.array(a, copy=True))


# ---- out overlapping the inputs ---------------------------------------------------------------


def test_out_is_an_input():
    a = base((1000,))
    ref = a * 2 + 1
    r = jitexpr.evaluate("a * 2 + 1", out=a)
    assert r is a and np.array_equal(a, ref)


@pytest.mark.parametrize("case", ["shifted +1", "shifted -1", "reversed", "strided", "2-D transposed"])
def test_out_overlaps_an_input(case):
    # NumPy's guarantee: the result is as if the inputs were copied first.
    x = base((64,))
    if case == "shifted +1":
        a, out = x[:-1], x[1:]
    elif case == "shifted -1":
        a, out = x[1:], x[:-1]
    elif case == "reversed":
        a, out = x, x[::-1]
    elif case == "strided":
        a, out = x[:32], x[::2]
    else:
        x = base((8, 8))
        a, out = x, x.T
    ref = a.copy() * 3 - a.copy() ** 2
    r = jitexpr.evaluate("a * 3 - a ** 2", out=out)
    assert r is out and compare(out, ref) is None


def test_out_with_cast_overlapping():
    x = np.arange(10, dtype=np.float32)
    a = x[::-1].astype(np.float64)
    out = x
    jitexpr.evaluate("a + x", out=out)
    assert np.array_equal(out, (a + np.arange(10)).astype(np.float32))


def test_out_layouts():
    a = base((6, 8))
    for out in [np.empty((6, 8), order="F"), np.empty((8, 6)).T, np.empty((6, 16))[:, ::2],
                np.empty((6, 8))[::-1]]:
        r = jitexpr.evaluate("a * a", out=out)
        assert r is out and np.array_equal(out, a * a)


# Reductions along the last axis, whose rows of at most one block
# (JX_REDUCE_BLOCK, 1024) write their results straight into the
# accumulators, and a new result of the accumulators' type is the
# accumulators: (shape, expression, NumPy); rows of one element to past a
# block, on one and two threads, with and without `out` (C order,
# Fortran order, strided).
ROW_SHAPES = [(1, 1), (5, 3), (40_000, 3), (300, 1024), (300, 1025), (7, 2000), (2, 3, 4)]
ROW_EXPRS = [
    ("sum(a, axis=-1)", lambda a, i: a.sum(axis=-1)),
    ("mean(a * 2, axis=-1)", lambda a, i: (a * 2).mean(axis=-1)),
    ("prod(a * 0.001 + 1, axis=-1)", lambda a, i: (a * 0.001 + 1).prod(axis=-1)),
    ("max(a, axis=-1)", lambda a, i: a.max(axis=-1)),
    ("min(i - 3, axis=-1)", lambda a, i: (i - 3).min(axis=-1)),
    ("sum(i, axis=-1)", lambda a, i: i.sum(axis=-1)),
    ("any(a > 0.9, axis=-1)", lambda a, i: (a > 0.9).any(axis=-1)),
]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("shape", ROW_SHAPES, ids=str)
@pytest.mark.parametrize("expr,want", ROW_EXPRS, ids=[r[0] for r in ROW_EXPRS])
def test_reductions_along_rows(expr, want, shape, threads):
    a = RNG.uniform(-1, 1, shape)
    i = RNG.integers(-100, 100, shape, dtype=np.int32)
    ref = want(a, i)
    prev = jitexpr.set_num_threads(threads)
    try:
        got = jitexpr.evaluate(expr, local_dict={"a": a, "i": i})
        outs = [np.empty(ref.shape, ref.dtype), np.empty(ref.shape, ref.dtype, order="F"),
                np.empty(ref.shape + (2,), ref.dtype)[..., 0]]
        for o in outs:
            jitexpr.evaluate(expr, local_dict={"a": a, "i": i}, out=o)
            np.testing.assert_array_equal(o, got)
    finally:
        jitexpr.set_num_threads(prev)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    if ref.dtype.kind == "f" and "max" not in expr:
        np.testing.assert_allclose(got, ref, rtol=1e-12)  # another order than NumPy's
    else:
        np.testing.assert_array_equal(got, ref)
