"""Expressions large enough that jit/chunks.c cuts the loop into chunk
functions (more than CK_MIN_OPS operations): values of every kind that a
later chunk uses (bool, int64, float32, float64) pass through the frame,
inputs contiguous, strided and scalar, lengths around the block of 256
elements.  Only exact operations, so NumPy's result is the same bits.
"""

import numpy as np
import pytest

import jitexpr

BLOCK = 256  # jit/chunks.c CK_BLOCK


def big_expression(terms):
    """A sum of `terms` terms whose first values are used again at its end
    (so that they live across every chunk), plus int64 and float32 parts."""
    body = " + ".join("where(a > %r, a*%r.0, b - %d.0)" % ((j % 10) / 10, j + 1, j)
                      for j in range(terms))
    return ("where(a > 0.5, b, a) + (i % 7) * 3 + " + body +
            " + where(a > 0.5, s, (f * 2.0) + 1.0) + (i % 7) * 3 - i")


def numpy_value(src, d):
    return eval(src, {"where": np.where}, dict(d))


@pytest.mark.parametrize("n", [1, BLOCK - 1, BLOCK, BLOCK + 1, 4 * BLOCK + 3])
@pytest.mark.parametrize("layout", ["contiguous", "strided"])
def test_chunked_exact(n, layout):
    rng = np.random.default_rng(n)
    d = {"a": rng.uniform(0, 1, n), "b": rng.uniform(-1, 1, n),
         "i": rng.integers(-50, 50, n), "f": rng.uniform(0, 1, n).astype(np.float32),
         "s": np.float64(0.25)}
    if layout == "strided":
        d = {k: (np.repeat(v, 2)[::2] if v.ndim else v) for k, v in d.items()}
    src = big_expression(200)
    got = jitexpr.evaluate(src, local_dict=d, disable_cache=True)
    ref = numpy_value(src, d)
    assert got.dtype == ref.dtype
    assert np.array_equal(got.view(np.uint64), ref.view(np.uint64))


def test_chunked_in_place():
    """The output overlapping an input: one loop (no chunks), same values."""
    n = 3 * BLOCK + 5
    rng = np.random.default_rng(7)
    d = {"a": rng.uniform(0, 1, n), "b": rng.uniform(-1, 1, n),
         "i": rng.integers(-50, 50, n), "f": rng.uniform(0, 1, n).astype(np.float32),
         "s": np.float64(0.25)}
    src = big_expression(200)
    ref = numpy_value(src, d)
    out = d["b"]
    jitexpr.evaluate(src, local_dict=d, out=out, disable_cache=True)
    assert np.array_equal(out.view(np.uint64), ref.view(np.uint64))
