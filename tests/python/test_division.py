"""Division and remainders (//, %, fmod) over grids of values, against
NumPy, exactly: integers around the boundaries where the kernels change
method, floats through their special values and the fast remainder's
range."""
import numpy as np
import pytest

import jitexpr


# Integer division and remainders over every pair of a grid of values:
# both signs, around the 32-bit boundaries where the kernels switch to a
# 32-bit division (signed 64-bit from the magnitudes: jit/scalar.c,
# int_magnitudes), the extremes, 0 and -1 as divisors.  Exact, against
# NumPy (which gives 0 for x // 0 and x % 0, MIN for MIN // -1, 0 for
# MIN % -1).
DIV_GRID = [0, 1, -1, 2, -2, 3, -3, 7, -7, 100, -100, 2**31 - 1, -2**31, 2**31, -2**31 - 1,
            2**32 - 1, 2**32, -2**32, 2**32 + 1, 2**62 + 3, -2**62 - 5, "max", "min", "min+1"]


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint32", "uint64"])
@pytest.mark.parametrize("expr,ref", [("a // b", np.floor_divide), ("a % b", np.remainder),
                                      ("fmod(a, b)", np.fmod)])
def test_integer_division_grid(dtype, expr, ref):
    info = np.iinfo(dtype)
    named = {"max": int(info.max), "min": int(info.min), "min+1": int(info.min) + 1}
    grid = sorted({named.get(x, x) for x in DIV_GRID
                   if info.min <= named.get(x, x) <= info.max})
    a = np.array([x for x in grid for _ in grid], dtype)
    b = np.array([y for _ in grid for y in grid], dtype)
    with np.errstate(all="ignore"):
        want = ref(a, b)
    got = jitexpr.evaluate(expr, local_dict={"a": a, "b": b})
    bad = np.flatnonzero(got != want)
    assert got.dtype == want.dtype and not bad.size, ["%d %s %d: %d, NumPy %d" % (
        a[i], expr, b[i], got[i], want[i]) for i in bad[:20]]


# Float division and remainders over every pair of a grid of values, bit
# for bit (the sign of a zero included; NaN equals NaN).  The remainder
# has a fast exact form where |a/b| < 2^52 (float: 2^23) and libm's fmod
# past it (jit/scalar.c, float_rem); the grid crosses that boundary, and
# has the zeros, infinities, NaN, subnormals and extremes that take the
# special cases.  Fresh results take the two guarded loops; `out=a`
# overlaps an input and takes the library alone; a strided operand too.
FLOAT_DIV_GRID = [0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 0.1, -0.1, 7.5, -7.5, 2.0**23, 2.0**23 + 2,
                  2.0**52, -(2.0**53 + 2), 1e10, -1e-10, 1e300, -1e-300, "tiny", "-tiny",
                  "sub", "-sub", "max", "-max", np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("expr,ref", [("a // b", np.floor_divide), ("a % b", np.remainder),
                                      ("fmod(a, b)", np.fmod)])
def test_float_division_grid(dtype, expr, ref):
    info = np.finfo(dtype)
    named = {"tiny": info.tiny, "-tiny": -info.tiny, "sub": info.smallest_subnormal,
             "-sub": -info.smallest_subnormal, "max": info.max, "-max": -info.max}
    with np.errstate(all="ignore"):
        grid = np.array([named.get(x, x) if isinstance(x, str) else x
                         for x in FLOAT_DIV_GRID], dtype)
    a = np.repeat(grid, grid.size)
    b = np.tile(grid, grid.size)
    with np.errstate(all="ignore"):
        want = ref(a, b)
    failures = []
    for label in ("fresh", "strided", "out=a"):
        if label == "fresh":
            got = jitexpr.evaluate(expr, local_dict={"a": a, "b": b})
        elif label == "strided":
            got = jitexpr.evaluate(expr, local_dict={"a": np.repeat(a, 2)[::2], "b": b})
        else:
            x = a.copy()
            got = jitexpr.evaluate(expr, local_dict={"a": x, "b": b}, out=x)
        assert got.dtype == want.dtype
        same = (got.view(np.uint8).reshape(got.size, -1) ==
                want.view(np.uint8).reshape(want.size, -1)).all(axis=1)
        same |= np.isnan(got) & np.isnan(want)
        failures += ["%s: %r %s %r: %r, NumPy %r" % (label, a[i], expr, b[i], got[i], want[i])
                     for i in np.flatnonzero(~same)[:10]]
    assert not failures, failures


# A remainder of a math function's value: the function may differ in the
# last bit between the fast loop and the exact one (sin and cos of
# doubles: vmath.c's kernels and libm's; any library call), so such a
# remainder is frem in both (jit/loops.c, mark_same), and must equal the
# remainder of the function's own value, bit for bit.  Arguments past
# 2^24 take sin's exact loop; divisors down to 1e-300 give quotients past
# 2^52.
@pytest.mark.parametrize("fn", ["sin", "cos", "exp", "log1p"])
@pytest.mark.parametrize("expr,ref", [("%s(a) %% b", np.remainder), ("%s(a) // b", np.floor_divide),
                                      ("fmod(%s(a), b)", np.fmod)])
def test_remainder_of_math(fn, expr, ref):
    rng = np.random.default_rng(7)
    n = 4099
    a = rng.uniform(0, 3, n)
    a[::97] = rng.uniform(2.0**24, 2.0**30, a[::97].size)
    b = rng.choice([0.7, -1.5, 3.0, 1e-300, -1e-17, 0.0, np.inf], n)
    if fn in ("exp", "log1p"):
        a = np.minimum(a, 30.0)
    value = jitexpr.evaluate("%s(a)" % fn, local_dict={"a": a})
    with np.errstate(all="ignore"):
        want = ref(value, b)
    got = jitexpr.evaluate(expr % fn, local_dict={"a": a, "b": b})
    same = (got.view(np.uint64) == want.view(np.uint64)) | (np.isnan(got) & np.isnan(want))
    bad = np.flatnonzero(~same)
    assert not bad.size, ["%r, %r: %r, NumPy %r" % (a[i], b[i], got[i], want[i]) for i in bad[:10]]
