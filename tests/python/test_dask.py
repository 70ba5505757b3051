"""jitexpr on dask arrays (py/jitexpr/dask.py), dask.distributed, and
dask.dataframe's eval/query through the numexpr shim.

Each row is checked against NumPy on the same data (small sizes, several
chunks that do not line up between operands), with the tolerance written
in the row: float64 1e-12 (the same kernel, blocks summed in another
order for reductions), float32 1e-6 (jitexpr sums float32 in float64,
NumPy in float32).  Dtypes must be jitexpr's own (its eager evaluate()
on the NumPy data) and, where NumPy 1.24 and NEP 50 agree, NumPy's.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import jitexpr
from conftest import shim_dir

da = pytest.importorskip(
    "dask.array",
    reason="dask is not installed (Debian: apt-get install python3-dask python3-distributed)")
import dask  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(16)

X = rng.random((60, 45))                     # float64
Y = rng.random(45)
XN = X.copy()
XN[3, 7] = XN[50, 0] = np.nan                # NaN rules of min/max/sum/mean
F = rng.random((60, 45)).astype(np.float32)
I32 = rng.integers(-1000, 1000, (60, 45), dtype=np.int32)
I8 = rng.integers(-100, 100, 90, dtype=np.int8)
Z = (rng.random(70) + 1j * rng.random(70)).astype(np.complex64)
COL = rng.random((60, 1))
ROW = rng.random((1, 45))


def dk(x, chunks):
    return da.from_array(x, chunks=chunks)


def numpy_values(values):
    return {k: (np.asarray(v) if isinstance(v, da.Array) else v) for k, v in values.items()}


# (expression, operands (dask arrays, NumPy values, scalars), NumPy's
# value of it, rtol)
ELEMENTWISE = [
    ("2*a + 3*b", dict(a=dk(X, (16, 20)), b=dk(Y, 7)), lambda a, b: 2 * a + 3 * b, 1e-12),
    ("sin(a)**2 + cos(b)**2", dict(a=dk(X, (16, 20)), b=dk(Y, 7)),
     lambda a, b: np.sin(a) ** 2 + np.cos(b) ** 2, 1e-12),
    ("where(a > 0.5, a, b)", dict(a=dk(X, (25, 45)), b=dk(Y, 10)),
     lambda a, b: np.where(a > 0.5, a, b), 0),
    # a NumPy array mixed in: made a dask array, chunks matched
    ("a*b - c", dict(a=dk(X, (16, 20)), b=Y, c=X.T.copy().T), lambda a, b, c: a * b - c, 1e-12),
    # broadcasting a column against a row, both dask, and one NumPy
    ("c + r", dict(c=dk(COL, (7, 1)), r=dk(ROW, (1, 11))), lambda c, r: c + r, 0),
    ("c * r + 1", dict(c=dk(COL, (7, 1)), r=ROW), lambda c, r: c * r + 1, 1e-12),
    # weak Python scalars keep the array's type (float32, int8) ...
    ("f*x + 1", dict(f=dk(F, (13, 9)), x=0.5), lambda f, x: (f * np.float32(x) + 1), 1e-6),
    ("i + k", dict(i=dk(I8, 20), k=3), lambda i, k: i + np.int8(k), 0),
    # ... a NumPy scalar is strong
    ("f * s", dict(f=dk(F, (13, 9)), s=np.float64(2.5)),
     lambda f, s: f.astype(np.float64) * s, 1e-12),  # NEP 50 (NumPy 1.24: float32)
    ("abs(z) + z.real", dict(z=dk(Z, 16)), lambda z: np.abs(z) + z.real, 1e-6),
    ("i32 / 7 + a", dict(i32=dk(I32, (30, 30)), a=dk(X, (16, 20))),
     lambda i32, a: i32 / 7 + a, 1e-12),
    # a 0-d dask array, and a transposed (F-ordered) one
    ("s + b", dict(s=da.from_array(np.float64(4.0)), b=dk(Y, 7)), lambda s, b: s + b, 0),
    ("t - 1", dict(t=dk(X.T, (9, 30))), lambda t: t - 1, 0),
    # empty
    ("e * 2", dict(e=dk(np.zeros((0, 5)), (1, 5))), lambda e: e * 2, 0),
]


@pytest.mark.parametrize("ex,values,ref,rtol", ELEMENTWISE, ids=[r[0] for r in ELEMENTWISE])
def test_elementwise(ex, values, ref, rtol):
    r = jitexpr.evaluate(ex, local_dict=values)
    assert isinstance(r, da.Array)
    plain = numpy_values(values)
    eager = jitexpr.evaluate(ex, local_dict=plain)  # jitexpr's own type rules
    want = ref(**plain)
    assert r.dtype == eager.dtype == want.dtype
    assert r.shape == want.shape
    assert r._meta.dtype == r.dtype and r._meta.ndim == r.ndim
    got = r.compute(scheduler="threads")
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=rtol, atol=0)


# (expression, operands, NumPy's value, dtype, rtol)
REDUCTIONS = [
    ("sum(a*b)", dict(a=dk(X, (16, 20)), b=dk(Y, 7)), lambda a, b: (a * b).sum(), "f8", 1e-12),
    ("sum(a, axis=0)", dict(a=dk(X, (16, 20))), lambda a: a.sum(0), "f8", 1e-12),
    ("sum(a, axis=1)", dict(a=dk(X, (16, 20))), lambda a: a.sum(1), "f8", 1e-12),
    ("sum(a*b, axis=-1)", dict(a=dk(X, (16, 20)), b=dk(Y, 7)), lambda a, b: (a * b).sum(-1),
     "f8", 1e-12),
    ("prod(1 + a/100)", dict(a=dk(X, (16, 20))), lambda a: np.prod(1 + a / 100), "f8", 1e-12),
    ("prod(1 + a/100, axis=0)", dict(a=dk(X, (16, 20))), lambda a: np.prod(1 + a / 100, 0),
     "f8", 1e-12),
    ("min(a - b)", dict(a=dk(X, (16, 20)), b=Y), lambda a, b: (a - b).min(), "f8", 0),
    ("max(a, axis=1)", dict(a=dk(X, (16, 20))), lambda a: a.max(1), "f8", 0),
    # NaN: min, max, sum and mean propagate it (per row here)
    ("min(a, axis=1)", dict(a=dk(XN, (16, 20))), lambda a: a.min(1), "f8", 0),
    ("max(a)", dict(a=dk(XN, (16, 20))), lambda a: a.max(), "f8", 0),
    ("sum(a, axis=0)", dict(a=dk(XN, (16, 20))), lambda a: a.sum(0), "f8", 1e-12),
    ("mean(a, axis=1)", dict(a=dk(XN, (16, 20))), lambda a: a.mean(1), "f8", 1e-12),
    ("any(a > 0.99)", dict(a=dk(X, (16, 20))), lambda a: (a > 0.99).any(), "?", 0),
    ("all(a > 0.02, axis=0)", dict(a=dk(X, (16, 20))), lambda a: (a > 0.02).all(0), "?", 0),
    ("any(i > 995, axis=1)", dict(i=dk(I32, (7, 45))), lambda i: (i > 995).any(1), "?", 0),
    # mean: the sum over the count of the broadcast shape
    ("mean(a*b)", dict(a=dk(X, (16, 20)), b=dk(Y, 7)), lambda a, b: (a * b).mean(), "f8", 1e-12),
    ("mean(c + r)", dict(c=dk(COL, (7, 1)), r=dk(ROW, (1, 11))), lambda c, r: (c + r).mean(),
     "f8", 1e-12),
    ("mean(c + r, axis=0)", dict(c=dk(COL, (7, 1)), r=ROW), lambda c, r: (c + r).mean(0),
     "f8", 1e-12),
    # accumulators: int32 sums in int64, float32 in float64 (rounded once),
    # complex64 in complex128; an int mean is float64
    ("sum(i)", dict(i=dk(I32, (7, 45))), lambda i: i.sum(dtype=np.int64), "i8", 0),
    ("sum(i*i, axis=0)", dict(i=dk(I32, (7, 45))), lambda i: (i * i).sum(0, dtype=np.int64),
     "i8", 0),
    ("mean(i)", dict(i=dk(I32, (7, 45))), lambda i: i.mean(), "f8", 1e-12),
    ("sum(f)", dict(f=dk(F, (13, 9))), lambda f: np.float32(f.sum(dtype=np.float64)), "f4", 1e-6),
    ("mean(f, axis=1)", dict(f=dk(F, (13, 9))), lambda f: f.mean(1, dtype=np.float64).astype("f4"),
     "f4", 1e-6),
    ("prod(f/f)", dict(f=dk(F, (13, 9))), lambda f: np.float32(1), "f4", 0),
    ("sum(z)", dict(z=dk(Z, 16)), lambda z: np.complex64(z.astype(np.complex128).sum()), "c8", 1e-6),
    ("mean(z*z)", dict(z=dk(Z, 16)), lambda z: np.complex64((z * z).astype(np.complex128).mean()),
     "c8", 1e-6),
    ("sum(k > 0)", dict(k=dk(I8, 20)), lambda k: (k > 0).sum(), "i8", 0),
    # empty: identities, and mean NaN
    ("sum(e, axis=0)", dict(e=dk(np.zeros((0, 4)), (1, 2))), lambda e: e.sum(0), "f8", 0),
    ("prod(e)", dict(e=dk(np.zeros((0, 4)), (1, 2))), lambda e: e.prod(), "f8", 0),
    ("mean(e)", dict(e=dk(np.zeros(0), 1)), lambda e: np.float64(np.nan), "f8", 0),
    # a block of length 0 along the reduced axis: min/max skip it
    ("max(a)", dict(a=da.from_array(Y, chunks=((20, 0, 25),))), lambda a: a.max(), "f8", 0),
    ("min(i - 3)", dict(i=da.from_array(I8, chunks=((0, 40, 50),))), lambda i: (i - 3).min(),
     "i1", 0),
]


@pytest.mark.parametrize("ex,values,ref,dtype,rtol", REDUCTIONS,
                         ids=["%s-%d" % (r[0], k) for k, r in enumerate(REDUCTIONS)])
def test_reduction(ex, values, ref, dtype, rtol):
    r = jitexpr.evaluate(ex, local_dict=values)
    assert isinstance(r, da.Array)
    plain = numpy_values(values)
    eager = jitexpr.evaluate(ex, local_dict=plain)
    want = np.asarray(ref(**plain))
    assert r.dtype == eager.dtype == np.dtype(dtype)
    assert r.shape == want.shape
    with np.errstate(invalid="ignore"):
        got = r.compute(scheduler="threads")
    assert got.dtype == np.dtype(dtype) and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=rtol, atol=0, equal_nan=True)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    # and within the same bounds of jitexpr's own one-pass result
    np.testing.assert_allclose(got, eager, rtol=rtol, atol=0, equal_nan=True)


def test_reduction_is_a_tree_of_partials():
    a = dk(X, (4, 45))  # 15 blocks
    r = jitexpr.evaluate("sum(a*a)", local_dict={"a": a})
    layers = list(r.dask.layers)
    assert any(name.startswith("jitexpr-partial-") for name in layers), layers
    # dask's tree: the 15 partials combined by 4s (split_every), not at once
    assert len(r.dask.layers) >= 3
    assert r.compute(scheduler="sync") == pytest.approx((X * X).sum(), rel=1e-12)


def test_lazy_nothing_computed_until_compute():
    calls = []

    def block(x):
        calls.append(x.shape)
        return x

    a = dk(X, (16, 20)).map_blocks(block, dtype=X.dtype, meta=np.empty((0, 0)))
    r = jitexpr.evaluate("2*a + 1", local_dict={"a": a})
    s = jitexpr.evaluate("sum(a, axis=0)", local_dict={"a": a})
    assert calls == []
    assert r.npartitions == a.npartitions
    # one jitexpr task per output block, fused: no task per operator
    keys = [k for k in dict(r.dask) if k[0].startswith("jitexpr-")]
    assert len(keys) == r.npartitions
    np.testing.assert_allclose(r.compute(scheduler="sync"), 2 * X + 1, rtol=1e-12)
    assert len(calls) == a.npartitions
    np.testing.assert_allclose(s.compute(scheduler="sync"), X.sum(0), rtol=1e-12)


def test_names_from_the_callers_frame():
    def f(scale):
        a = dk(F, (13, 9))
        return jitexpr.evaluate("a * scale")  # a: locals, scale: weak

    r = f(2.0)
    assert isinstance(r, da.Array) and r.dtype == np.float32
    np.testing.assert_allclose(r.compute(), F * 2, rtol=0)


# (expression, operands, exception): errors that do not depend on the data
# are raised at once, as jitexpr.evaluate raises them, not at compute()
ERRORS = [
    ("a +", dict(a=dk(X, 16)), SyntaxError),
    ("a + nope", dict(a=dk(X, 16)), KeyError),
    ("~a", dict(a=dk(X, 16)), TypeError),
    ("a + b", dict(a=dk(X, 16), b=dk(np.ones(7), 7)), ValueError),  # shapes
    ("i + 300", dict(i=dk(I8, 20)), OverflowError),                   # NEP 50
    ("max(e)", dict(e=dk(np.zeros(0), 1)), ValueError),              # no identity
    ("min(e, axis=1)", dict(e=dk(np.zeros((3, 0)), 1)), ValueError),
    ("sum(a, axis=2)", dict(a=dk(X, 16)), ValueError),
]


@pytest.mark.parametrize("ex,values,exc", ERRORS, ids=[r[0] for r in ERRORS])
def test_errors_at_once(ex, values, exc):
    with pytest.raises(exc):
        jitexpr.evaluate(ex, local_dict=values)
    with pytest.raises(exc):
        jitexpr.evaluate(ex, local_dict=numpy_values(values))  # the same as eager


def test_out_stores():
    a, b = dk(X, (16, 20)), dk(Y, 7)
    out = np.empty_like(X)
    r = jitexpr.evaluate("2*a + b", local_dict={"a": a, "b": b}, out=out)
    assert r is out
    np.testing.assert_allclose(out, 2 * X + Y, rtol=1e-12)
    # cast to out's dtype under `casting`, as for NumPy operands
    out32 = np.empty(X.shape, np.float32)
    jitexpr.evaluate("2*a", local_dict={"a": a}, out=out32, casting="same_kind")
    np.testing.assert_allclose(out32, (2 * X).astype(np.float32), rtol=1e-7)
    with pytest.raises(TypeError, match="Cannot cast"):
        jitexpr.evaluate("2*a", local_dict={"a": a}, out=np.empty(X.shape, np.int64))
    with pytest.raises(TypeError, match="immutable"):
        jitexpr.evaluate("2*a", local_dict={"a": a}, out=a)
    # a broadcast result, into a bigger out
    out2 = np.empty((3, 45))
    jitexpr.evaluate("b + 1", local_dict={"b": b}, out=out2)
    np.testing.assert_allclose(out2, np.broadcast_to(Y + 1, (3, 45)), rtol=0)


def test_validate_and_re_evaluate():
    a = dk(X, (16, 20))
    assert jitexpr.validate("a * 3", local_dict={"a": a}) is None
    a2 = dk(Y, 7)
    r = jitexpr.re_evaluate(local_dict={"a": a2})
    assert isinstance(r, da.Array)
    np.testing.assert_allclose(r.compute(), Y * 3, rtol=0)
    assert isinstance(jitexpr.validate("a +* 3", local_dict={"a": a}), SyntaxError)
    # a NumPy evaluate afterwards: re_evaluate is the C function's again
    jitexpr.evaluate("q + 1", local_dict={"q": np.ones(2)})
    assert jitexpr.re_evaluate(local_dict={"q": np.zeros(2)}).tolist() == [1.0, 1.0]


def test_threads_in_tasks():
    """In the threaded scheduler a block runs jitexpr on one thread
    (JITEXPR_DASK_THREADS, default 1); the count is restored after."""
    seen = []

    def spy(x):
        seen.append(jitexpr.get_num_threads())
        return x

    before = jitexpr.get_num_threads()
    import jitexpr.dask as jxd

    a = dk(X, (16, 20))
    r = jitexpr.evaluate("a + 1", local_dict={"a": a})
    orig = jxd._c_evaluate
    try:
        jxd._c_evaluate = lambda ex, scope, g: spy(orig(ex, scope, g))
        r.compute(scheduler="threads")
    finally:
        jxd._c_evaluate = orig
    assert seen and set(seen) == {1}
    assert jitexpr.get_num_threads() == before


def run_script(script, env_extra=None, timeout=120):
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_import_order_and_no_dask_at_import():
    """import jitexpr does not import dask; evaluate is the C function
    always, and sees a dask operand whenever dask was imported, also
    through a reference taken before (from jitexpr import evaluate)."""
    p = run_script("""
        import sys, numpy as np
        import jitexpr
        from jitexpr import evaluate
        assert "dask" not in sys.modules, "import jitexpr imported dask"
        assert jitexpr.evaluate is jitexpr._jitexpr.evaluate
        import dask.array as da
        assert jitexpr.evaluate is jitexpr._jitexpr.evaluate
        a = da.ones(10, chunks=3)
        r = evaluate("a + 1")
        assert isinstance(r, da.Array), type(r)
        assert "jitexpr.dask" in sys.modules
        assert r.sum().compute() == 20
        print("ok")
    """)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr
    p = run_script("""
        import dask.array as da
        import jitexpr
        a = da.ones(10, chunks=3)
        assert isinstance(jitexpr.evaluate("a * 2"), da.Array)
        print("ok")
    """)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr


def test_distributed_cluster():
    """A LocalCluster of two worker processes: the graph runs there, each
    worker uses one jitexpr thread (the nanny sets OMP_NUM_THREADS=1)."""
    pytest.importorskip("distributed", reason="python3-distributed is not installed")
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=50) as cluster, \
            Client(cluster) as client:
        a = da.random.RandomState(1).random_sample((400, 300), chunks=(100, 150))
        b = da.random.RandomState(2).random_sample(300, chunks=100)
        e = jitexpr.evaluate("sin(a)**2 + cos(b)**2", local_dict={"a": a, "b": b})
        s = jitexpr.evaluate("sum(a*b, axis=0)", local_dict={"a": a, "b": b})
        m = jitexpr.evaluate("mean(where(a > 0.5, a, b))", local_dict={"a": a, "b": b})
        ge, gs, gm = client.compute([e, s, m], sync=True)
        an, bn = client.compute([a, b], sync=True)
        np.testing.assert_allclose(ge, np.sin(an) ** 2 + np.cos(bn) ** 2, rtol=1e-12)
        np.testing.assert_allclose(gs, (an * bn).sum(0), rtol=1e-12)
        np.testing.assert_allclose(gm, np.where(an > 0.5, an, bn).mean(), rtol=1e-12)
        threads = client.run(jitexpr.get_num_threads)
        assert len(threads) == 2 and set(threads.values()) == {1}, threads
        omp = client.run(os.environ.get, "OMP_NUM_THREADS")
        assert set(omp.values()) == {"1"}, omp
        # the kernels were made in the workers, each its own: compiled, or
        # loaded from the disk cache that another worker (or an earlier
        # run) filled
        made = client.run(lambda: jitexpr.cache_info()["kernels_compiled"] +
                          jitexpr.cache_info()["disk"]["hits"])
        assert all(v >= 1 for v in made.values()), made


def test_dask_dataframe_eval_query_through_the_shim():
    """dask.dataframe's eval/query per partition, with the numexpr shim
    first on sys.path: pandas' numexpr engine is jitexpr.  dask.dataframe
    turns pandas' default engine to 'python' when imported
    (compute.use_numexpr): engine='numexpr' asks for it, or the option set
    back to True."""
    pytest.importorskip("pandas")
    pytest.importorskip("dask.dataframe", reason="dask.dataframe needs pandas")
    p = run_script("""
        import sys
        sys.path.insert(0, %r)
        import numpy as np, pandas as pd
        import dask, dask.dataframe as dd
        import numexpr, jitexpr
        assert numexpr.backend is jitexpr, numexpr.__file__
        calls = []
        real = numexpr.evaluate
        def counting(*args, **kwargs):
            calls.append(args[0])
            kwargs["_frame_depth"] = kwargs.get("_frame_depth", 3) + 1
            return real(*args, **kwargs)
        numexpr.evaluate = counting
        rng = np.random.default_rng(0)
        pdf = pd.DataFrame({"a": rng.random(5000), "b": rng.random(5000),
                            "c": rng.integers(0, 9, 5000)})
        df = dd.from_pandas(pdf, npartitions=4)
        before = jitexpr.cache_info()
        got = df.eval("a + b * c", engine="numexpr").compute(scheduler="threads")
        pd.testing.assert_series_equal(got, pdf.eval("a + b * c", engine="python"),
                                       check_names=False, rtol=1e-12)
        n_eval = len(calls)
        pd.set_option("compute.use_numexpr", True)
        q = df.query("a > 0.5 and c < 4").compute(scheduler="threads")
        pd.testing.assert_frame_equal(q, pdf.query("a > 0.5 and c < 4", engine="python"))
        after = jitexpr.cache_info()
        made = ("kernels_compiled", "kernels_interpreted", "cache_hits")
        used = sum(after[k] for k in made) - sum(before[k] for k in made)
        print(n_eval, len(calls) - n_eval, used)
    """ % shim_dir())
    assert p.returncode == 0, p.stderr
    n_eval, n_query, used = map(int, p.stdout.split())
    assert n_eval >= 4 and n_query >= 4, p.stdout  # one per partition at least
    assert used >= 2, p.stdout  # the two expressions compiled or interpreted by
    # jitexpr (or found)


def test_numpy_operands_with_dask_imported():
    """With dask imported, NumPy operands are evaluated as before: names
    found the same ways, the caller's dicts left as they were."""
    scope = {"a": X, "b": Y}
    r = jitexpr.evaluate("2*a + b", local_dict=scope)
    assert isinstance(r, np.ndarray) and scope == {"a": X, "b": Y}
    np.testing.assert_array_equal(r, jitexpr._jitexpr.evaluate("2*a + b", local_dict=scope))

    def f():
        a, b = X, Y  # noqa: F841
        return jitexpr.evaluate("a - b", _frame_depth=3)

    np.testing.assert_array_equal(f(), X - Y)
    with pytest.raises(KeyError):
        jitexpr.evaluate("a + no_such_name", local_dict={"a": X})


# NumExpr objects called with a dask argument: (expression, signature,
# arguments, NumPy's value, rtol).  Arguments take the signature's dtypes.
NUMEXPR_ROWS = [
    ("2*a + b", [("a", np.float64), ("b", np.float64)], (dk(X, (16, 20)), Y),
     lambda a, b: 2 * a + b, 1e-12),
    ("a * b", [("a", np.float64), ("b", np.float64)], (dk(F, (30, 45)), X),
     lambda a, b: a.astype(np.float64) * b, 1e-12),
    ("sum(a, axis=1)", [("a", np.int64)], (dk(I32, (20, 15)),),
     lambda a: a.astype(np.int64).sum(axis=1), 0),
]


@pytest.mark.parametrize("ex,sig,args,ref,rtol", NUMEXPR_ROWS)
def test_numexpr_object(ex, sig, args, ref, rtol):
    nx = jitexpr.NumExpr(ex, signature=sig)
    r = nx(*args)
    assert isinstance(r, da.Array)
    want = ref(*[np.asarray(a) for a in args])
    got = r.compute(scheduler="sync")
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=rtol)


def test_numexpr_object_unsafe_cast():
    nx = jitexpr.NumExpr("a + 1", signature=[("a", np.float32)])
    with pytest.raises(TypeError, match="Cannot cast"):
        nx(dk(X, (16, 20)))
