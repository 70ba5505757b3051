"""The quick tier from Python (src/tier.c; check_tier.c tests it in C): a new
kernel runs quick code first where the results are the same, and its
optimised code replaces it; wait_compiles() waits for that."""

import os

import numpy as np
import pytest

import jitexpr

# JITEXPR_TIER=full (read once per process): every kernel optimised at once.
TIERED = os.environ.get("JITEXPR_TIER", "auto") != "full"


@pytest.mark.parametrize("timeout,error", [
    (-1, ValueError),
    (float("nan"), ValueError),
    ("soon", TypeError),
])
def test_wait_compiles_refuses(timeout, error):
    with pytest.raises(error):
        jitexpr.wait_compiles(timeout)


@pytest.mark.parametrize("timeout", [None, 0, 0.5, 60])
def test_wait_compiles_returns_true_when_idle(timeout):
    assert jitexpr.wait_compiles(60)  # idle first
    assert jitexpr.wait_compiles(timeout) is True


# Expressions the quick tier takes (plain arithmetic, comparisons, where,
# conversions) and one it does not (a math function: optimised at once).
ROWS = [
    ("a * 1.25 + b / 7 - a * b", "float64", True),
    ("where(a > b, a - b, b * 3)", "float64", True),
    ("(a * 3 + b) % 7", "int32", True),
    ("a * 0.5 + b", "float32", True),
    ("sin(a) * 2 + b", "float64", False),
]


@pytest.mark.parametrize("expr,dtype,quick", ROWS)
def test_quick_then_optimised_same_results(expr, dtype, quick):
    quick = quick and TIERED
    rng = np.random.default_rng(5)
    a = (rng.standard_normal(3000) * 50).astype(dtype)
    b = (rng.standard_normal(3000) * 50 + 1).astype(dtype)
    if dtype == "int32":
        b[b == 0] = 1
    # a fresh kernel: a constant no other test uses
    src = expr + " + 0 * a + 17.0" if dtype != "int32" else expr + " + 17"
    assert jitexpr.wait_compiles(60)
    before = jitexpr.cache_info()
    first = jitexpr.evaluate(src, local_dict={"a": a, "b": b})
    mid = jitexpr.cache_info()
    assert mid["kernels_compiled"] >= before["kernels_compiled"] + 1
    assert mid["kernels_quick"] - before["kernels_quick"] == (1 if quick else 0)
    assert jitexpr.wait_compiles(60)
    after = jitexpr.cache_info()
    assert after["kernels_upgraded"] - before["kernels_upgraded"] == (1 if quick else 0)
    second = jitexpr.evaluate(src, local_dict={"a": a, "b": b})
    np.testing.assert_array_equal(first, second)
    with np.errstate(all="ignore"):
        want = eval(src.replace("where", "np.where").replace("sin", "np.sin"),
                    {"np": np, "a": a, "b": b})
    np.testing.assert_allclose(second, want, rtol=1e-6 if dtype == "float32" else 1e-12)
