"""Threads and processes: concurrent evaluate() calls from Python threads,
a forked child after the parent has used the thread pool, the thread count
and the environment variables that set or cap it."""

import hashlib
import multiprocessing
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import jitexpr

CALLS = 200
RNG = np.random.default_rng(11)
F64 = RNG.uniform(0.1, 2.0, 50_000)
F64B = RNG.uniform(0.1, 2.0, 50_000)
F32 = F64.astype(np.float32)
I32 = RNG.integers(-1000, 1000, 40_000, dtype=np.int32)
M2 = RNG.uniform(-1, 1, (400, 100))


def scalar(k, i):
    """The Python scalar of call i of expression k: a new value each call."""
    return (i % 17) - 8 if k == 3 else 0.25 + i / 64


# (expression, its arrays): each thread evaluates one row, with x a new
# Python scalar each call.  Sizes above the library's parallel threshold
# (32768 elements) use the pool; the small row and the strided one run
# inline or in other layouts; two reductions combine partial results.
CASES = [
    ("a*x + b", {"a": F64, "b": F64B}),
    ("sin(a) * cos(b) + x", {"a": F32, "b": F32[::-1]}),
    ("where(a > x, a, b)", {"a": F64, "b": F64B}),
    ("i * x + 7", {"i": I32}),
    ("sum(a * b + x)", {"a": F64, "b": F64B}),
    ("exp(-a) / (x + b)", {"a": F64[:1000], "b": F64B[:1000]}),
    ("(a + b) ** 2 - x", {"a": F32[::2], "b": F32[1::2]}),
    ("sum(m * x, axis=0)", {"m": M2}),
]


def run_case(k):
    """Digests of the CALLS results of CASES[k] (dtype, shape and bytes)."""
    ex, arrays = CASES[k]
    out = []
    for i in range(CALLS):
        r = jitexpr.evaluate(ex, local_dict=dict(arrays, x=scalar(k, i)))
        out.append(hashlib.blake2b(r.dtype.str.encode() + repr(r.shape).encode() +
                                   r.tobytes(), digest_size=16).digest())
    return out


@pytest.fixture
def pool_threads():
    """At least two pool threads, so that large arrays are split."""
    prev = jitexpr.set_num_threads(max(2, min(4, jitexpr.MAX_THREADS)))
    yield
    jitexpr.set_num_threads(prev)


def test_python_threads_match_a_single_thread(pool_threads):
    want = [run_case(k) for k in range(len(CASES))]
    got = [None] * len(CASES)
    errors = []
    start = threading.Barrier(len(CASES))

    def work(k):
        try:
            start.wait()
            got[k] = run_case(k)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append((CASES[k][0], e))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(CASES))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for k, (ex, _) in enumerate(CASES):
        bad = [i for i in range(CALLS) if got[k][i] != want[k][i]]
        assert not bad, "%s: calls %s differ from the single-threaded run" % (ex, bad[:5])


def child_results(k):
    """In the forked child: the first few results of CASES[k]."""
    ex, arrays = CASES[k]
    return [jitexpr.evaluate(ex, local_dict=dict(arrays, x=scalar(k, i))) for i in range(3)]


def test_fork_after_the_pool_was_used(pool_threads):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork start method on this platform")
    # The parent uses the pool (and compiles) before forking.
    want = [child_results(k) for k in range(len(CASES))]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as p:
        got = p.map_async(child_results, range(len(CASES))).get(timeout=60)
    for k, (ex, _) in enumerate(CASES):
        for g, w in zip(got[k], want[k]):
            assert g.dtype == w.dtype and g.shape == w.shape, ex
            assert np.array_equal(g, w, equal_nan=True), ex
    # The parent's pool still works.
    assert np.array_equal(jitexpr.evaluate("a*x + b", local_dict=dict(CASES[0][1], x=0.5)),
                          F64 * 0.5 + F64B)


def test_set_num_threads_round_trip():
    prev = jitexpr.get_num_threads()
    try:
        last = prev
        for n in [1, 2, 3, jitexpr.MAX_THREADS, 1]:
            assert jitexpr.set_num_threads(n) == last
            assert jitexpr.get_num_threads() == n
            last = n
        with pytest.raises(ValueError):
            jitexpr.set_num_threads(0)
        assert jitexpr.get_num_threads() == last
    finally:
        jitexpr.set_num_threads(prev)
    assert jitexpr.get_num_threads() == prev


def in_subprocess(code, **env):
    """stdout of `code` run by this interpreter with the thread variables
    of the environment replaced by env."""
    e = {k: v for k, v in os.environ.items()
         if k not in ("JITEXPR_NUM_THREADS", "NUMEXPR_NUM_THREADS", "OMP_NUM_THREADS",
                      "NUMEXPR_MAX_THREADS")}
    e.update(env)
    return subprocess.run([sys.executable, "-c", code], env=e, capture_output=True,
                          text=True, check=True, timeout=60).stdout.split()


def test_omp_num_threads():
    # Schedulers (dask) set OMP_NUM_THREADS=1 in their workers: obeyed.
    code = ("import jitexpr, numpy as np; a = np.ones(100000); "
            "assert (jitexpr.evaluate('a + 1') == 2).all(); "
            "print(jitexpr.get_num_threads(), jitexpr.nthreads)")
    assert in_subprocess(code, OMP_NUM_THREADS="1") == ["1", "1"]


def test_numexpr_max_threads_caps():
    code = ("import jitexpr; print(jitexpr.MAX_THREADS, jitexpr.get_num_threads()); "
            "jitexpr.set_num_threads(5); print(jitexpr.get_num_threads())")
    assert in_subprocess(code, NUMEXPR_MAX_THREADS="2", NUMEXPR_NUM_THREADS="8") == \
        ["2", "2", "2"]
    assert in_subprocess(code, NUMEXPR_MAX_THREADS="3", OMP_NUM_THREADS="1") == \
        ["3", "1", "3"]


@pytest.mark.parametrize("fn", ["sin", "cos"])
def test_sin_cos_fallback_does_not_depend_on_the_split(fn):
    """float64 sin and cos run jitexpr's kernel where |x| <= 2^24 and the
    library's function elsewhere (docs/math.md), element by element: the
    same bits on 1, 2 and 4 threads, whichever chunks hold the huge, infinite
    and NaN elements, and NumPy's value (within 4 ULP) or NaN there."""
    rng = np.random.default_rng(7)
    x = rng.uniform(-100.0, 100.0, 1 << 20)
    bad = rng.choice(x.size, 40, replace=False)
    x[bad] = np.tile([1e300, -3e7, np.inf, np.nan], 10)
    prev = jitexpr.set_num_threads(1)
    try:
        results = []
        for t in (1, 2, 4):
            jitexpr.set_num_threads(t)
            results.append(jitexpr.evaluate(fn + "(x)", local_dict={"x": x}))
    finally:
        jitexpr.set_num_threads(prev)
    for r in results[1:]:
        assert r.tobytes() == results[0].tobytes()
    # the other elements as without the bad ones: the kernel's bits
    clean = x.copy()
    clean[bad] = 0.5
    r_clean = jitexpr.evaluate(fn + "(x)", local_dict={"x": clean})
    keep = np.ones(x.size, bool)
    keep[bad] = False
    assert results[0][keep].tobytes() == r_clean[keep].tobytes()
    with np.errstate(invalid="ignore"):
        want = getattr(np, fn)(x)
    r = results[0]
    assert np.array_equal(np.isnan(r), np.isnan(want))
    ok = ~np.isnan(want)
    assert np.all(np.abs(r[ok] - want[ok]) <= 4 * np.spacing(np.abs(want[ok])) + 1e-300)
