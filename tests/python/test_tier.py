"""The tiers from Python (src/tier.c; check_tier.c and check_interp.c test
them in C): a new kernel is interpreted (src/interp.c) or runs quickly
compiled code first where the results are the same, until its calls have
spent the optimised compile's time (at once for a large array); set_tier()
chooses."""

import numpy as np
import pytest

import jitexpr


@pytest.fixture(autouse=True)
def empty_disk_cache(tmp_path):
    """A disk cache of the test's own: no kernel from an earlier run."""
    old = jitexpr.cache_info()["disk"]
    jitexpr.set_cache_dir(str(tmp_path))
    yield
    jitexpr.set_cache_dir(old["dir"] if old["enabled"] else None)


@pytest.mark.parametrize("mode,error", [
    ("fast", ValueError),
    ("", ValueError),
    (None, TypeError),
    (1, TypeError),
])
def test_set_tier_refuses(mode, error):
    before = jitexpr.set_tier("auto")
    try:
        with pytest.raises(error):
            jitexpr.set_tier(mode)
        assert jitexpr.set_tier("auto") == "auto"  # unchanged
    finally:
        jitexpr.set_tier(before)


def test_set_tier_returns_the_previous_mode():
    before = jitexpr.set_tier("full")
    try:
        assert jitexpr.set_tier("quick") == "full"
        assert jitexpr.set_tier("auto") == "quick"
    finally:
        jitexpr.set_tier(before)


# Expressions the quick tier takes (plain arithmetic, comparisons, where,
# conversions), one it does not (a function of the math library: optimised
# at once), and sin, which it takes as our kernel (None: as the engine
# chose, by timing it against the library's); whether the interpreter takes
# them (not an integer remainder, nor a function of the library; sin
# through its unit, interp.h, where the engine computes it with our kernel:
# None).
ROWS = [
    ("a * 1.25 + b / 7 - a * b", "float64", True, True),
    ("where(a > b, a - b, b * 3)", "float64", True, True),
    ("(a * 3 + b) % 7", "int32", True, False),
    ("a * 0.5 + b", "float32", True, True),
    ("hypot(a, b) * 2 + b", "float64", False, False),
    ("sin(a) * 2 + b", "float64", None, None),
]


def ours(fn, dtype):
    """Whether the engine computes fn over dtype with our kernel (its choice
    line in target_info, once a kernel has made it)."""
    for line in jitexpr.target_info().splitlines():
        if line.startswith("%s %s: " % (fn, dtype)):
            return ": library" not in line
    return True


@pytest.mark.parametrize("mode", ["compiled", "auto"])
@pytest.mark.parametrize("expr,dtype,quick,interp", ROWS)
def test_first_tier_then_optimised_same_results(expr, dtype, quick, interp, mode):
    """Calls run the quick code (mode compiled), or interpret the kernel
    where they can (auto), until they have spent about the optimised
    compile's time, then one compiles the optimised code; the results are
    the same bits before and after."""
    before_mode = jitexpr.set_tier(mode)
    try:
        rng = np.random.default_rng(5)

        def arrays(n):
            a = (rng.standard_normal(n) * 50).astype(dtype)
            b = (rng.standard_normal(n) * 50 + 1).astype(dtype)
            if dtype == "int32":
                b[b == 0] = 1
            return {"a": a, "b": b}

        small = arrays(3000)
        # a fresh kernel: a constant no other test uses
        k = 17 if mode == "auto" else 19
        src = expr + (" + %d" % k if dtype == "int32" else " + 0 * a + %d.0" % k)
        before = jitexpr.cache_info()
        first = jitexpr.evaluate(src, local_dict=small)
        math = quick is None
        if math:
            quick = ours("sin", dtype)
            interp = quick
        interp = interp and mode == "auto"
        quick = quick and not interp
        mid = jitexpr.cache_info()
        compiled = mid["kernels_compiled"] - before["kernels_compiled"]
        if interp and math:  # sin's unit, unless an earlier test made it
            assert compiled in (0, 1)
        else:
            assert compiled == (0 if interp else 1)
        assert mid["kernels_interpreted"] - before["kernels_interpreted"] == (1 if interp else 0)
        # a unit compiled for the interpreter is quick code too (the first
        # test of a fresh cache directory compiles sin's)
        assert mid["kernels_quick"] - before["kernels_quick"] == (
            1 if quick else compiled if interp and math else 0)
        assert mid["kernels_upgraded"] == before["kernels_upgraded"]
        # the calls spend the first tier's time until it pays for the
        # optimised compile (a large array would at once: check_tier.c)
        first_tier = quick or interp
        for _ in range(2000000):
            if not first_tier or \
                    jitexpr.cache_info()["kernels_upgraded"] > before["kernels_upgraded"]:
                break
            jitexpr.evaluate(src, local_dict=small)
        after = jitexpr.cache_info()
        assert after["kernels_upgraded"] - before["kernels_upgraded"] == (1 if first_tier else 0)
        second = jitexpr.evaluate(src, local_dict=small)
        np.testing.assert_array_equal(first, second)
        with np.errstate(all="ignore"):
            want = eval(src.replace("where", "np.where").replace("sin", "np.sin")
                        .replace("hypot", "np.hypot"), {"np": np, **small})
        np.testing.assert_allclose(second, want, rtol=1e-6 if dtype == "float32" else 1e-12)
    finally:
        jitexpr.set_tier(before_mode)


def test_full_mode_optimises_a_quick_kernel_at_its_next_call():
    before_mode = jitexpr.set_tier("compiled")
    try:
        d = {"a": np.arange(100.0), "b": np.ones(100)}
        src = "a * 3.375 - b * 0.625"
        before = jitexpr.cache_info()
        jitexpr.evaluate(src, local_dict=d)
        assert jitexpr.cache_info()["kernels_quick"] == before["kernels_quick"] + 1
        jitexpr.set_tier("full")
        jitexpr.evaluate(src, local_dict=d)
        assert jitexpr.cache_info()["kernels_upgraded"] == before["kernels_upgraded"] + 1
    finally:
        jitexpr.set_tier(before_mode)


# Reductions: interpreted, every tier accumulating in the same order
# (integer and bool accumulators, float min and max in any order, float
# sums and products in the lanes of src/ir.h's JX_REDUCE_LANES); optimised
# at once for complex ones.  (expression, dtype, 2-D, quick, NumPy, NumPy's
# exact result: not for float sums, which NumPy adds in another order)
REDUCE_ROWS = [  # constants no other test uses: kernels new to the process
    ("sum(a * 3 + b + 23)", "int64", False, True, lambda a, b: np.sum(a * 3 + b + 23), True),
    ("max(a - b - 23)", "int32", False, True, lambda a, b: np.max(a - b - 23), True),
    ("any(a > b + 61)", "int32", False, True, lambda a, b: np.any(a > b + 61), True),
    ("sum(a > b + 0.023)", "float64", False, True, lambda a, b: np.sum(a > b + 0.023), True),
    ("sum(a * b - 23, axis=0)", "int16", True, True, lambda a, b: np.sum(a * b - 23, axis=0),
     True),
    ("max(a * b - 0.023)", "float32", False, True,
     lambda a, b: np.max(a * b - np.float32(0.023)), True),
    ("min(a - b * 0.023, axis=1)", "float64", True, True,
     lambda a, b: np.min(a - b * 0.023, axis=1), True),
    ("sum(a * b * 1.0023)", "float64", False, True, lambda a, b: np.sum(a * b * 1.0023), False),
    ("prod(a * 0.0023 + 1)", "float32", False, True,
     lambda a, b: np.prod(a * np.float32(0.0023) + np.float32(1)), False),
    ("mean(a * b + 0.0023, axis=1)", "float64", True, True,
     lambda a, b: np.mean(a * b + 0.0023, axis=1), False),
    ("sum(a * b * 1.0023, axis=0)", "float64", True, True,
     lambda a, b: np.sum(a * b * 1.0023, axis=0), False),
    ("sum(a * 1.0023 + 1j)", "float64", False, False, lambda a, b: np.sum(a * 1.0023 + 1j),
     False),
]


@pytest.mark.parametrize("expr,dtype,two_d,quick,numpy_fn,exact", REDUCE_ROWS,
                         ids=[r[0] + " " + r[1] for r in REDUCE_ROWS])
def test_reductions_quick_then_optimised(expr, dtype, two_d, quick, numpy_fn, exact):
    rng = np.random.default_rng(11)
    shape = (40, 75) if two_d else (3000,)
    d = {"a": (rng.standard_normal(shape) * 50).astype(dtype),
         "b": (rng.standard_normal(shape) * 50).astype(dtype)}
    before = jitexpr.cache_info()
    first = jitexpr.evaluate(expr, local_dict=d)
    mid = jitexpr.cache_info()
    # one kernel, or two along an outer axis (the layout of the whole
    # array's reduction too, made with the expression: interpreted where
    # the first tier is allowed)
    compiled = mid["kernels_compiled"] - before["kernels_compiled"]
    interp = mid["kernels_interpreted"] - before["kernels_interpreted"]
    if quick:  # interpreted
        assert compiled == 0 and interp in ((1, 2) if two_d else (1,))
    else:
        assert (compiled, interp) == (1, 0)
    assert mid["kernels_quick"] - before["kernels_quick"] == (compiled if quick else 0)
    for _ in range(2000000):
        if not quick or jitexpr.cache_info()["kernels_upgraded"] > before["kernels_upgraded"]:
            break
        np.testing.assert_array_equal(jitexpr.evaluate(expr, local_dict=d), first)
    after = jitexpr.cache_info()
    assert (after["kernels_upgraded"] > before["kernels_upgraded"]) == quick
    second = jitexpr.evaluate(expr, local_dict=d)
    np.testing.assert_array_equal(second, first)
    want = numpy_fn(d["a"], d["b"])
    if exact:
        np.testing.assert_array_equal(second, want)
    else:
        np.testing.assert_allclose(second, want, rtol=1e-5 if dtype == "float32" else 1e-12)
