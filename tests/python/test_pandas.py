"""pandas with jitexpr as its numexpr, through the opt-in shim.

Runs in a subprocess with py/numexpr_shim first on sys.path, so that
`import numexpr` there gives jitexpr and nothing in this process changes.
pd.eval(engine='numexpr'), DataFrame.query/eval and pandas' large-array
arithmetic must give what engine='python' (or plain NumPy) gives.
"""

import os
import subprocess
import sys

import pytest

import jitexpr
from conftest import shim_dir

pytest.importorskip("pandas")

SCRIPT = r'''
import sys
import numpy as np
import pandas as pd
import numexpr
import jitexpr

assert numexpr.backend is jitexpr, numexpr.__file__
assert "jitexpr" in numexpr.__version__
from pandas.core.computation import check, expressions
assert check.NUMEXPR_INSTALLED, "pandas did not accept the shim"

rng = np.random.default_rng(0)
n = 2000
df = pd.DataFrame({
    "a": rng.uniform(-1, 1, n),
    "b": rng.uniform(0.1, 2, n),
    "c": rng.integers(-50, 50, n),
    "d": rng.uniform(-1, 1, n).astype(np.float32),
    "e": rng.random(n) < 0.5,
    "f": rng.integers(0, 10, n).astype(np.int32),
})
x = 0.25
k = 3

exprs = [
    "df.a + df.b",
    "df.a * 2 - df.b / 3",
    "df.a ** 2 + abs(df.c)",
    "(df.a > 0) & (df.b < 1)",
    "(df.c > 0) | ~df.e",
    "df.d * 2 + df.a",
    "sqrt(df.b) + exp(df.a) - log(df.b)",
    "sin(df.a) ** 2 + cos(df.a) ** 2",
    "df.c * k - df.f",
    "df.a + x",
]
checked = 0
for ex in exprs:
    got = pd.eval(ex, engine="numexpr")
    want = pd.eval(ex, engine="python")
    pd.testing.assert_series_equal(got, want, check_names=False, rtol=1e-12)
    checked += 1

queries = [
    "a > 0.5",
    "a > @x and b < 1",
    "c > 0 & ~e",
    "(a < b) | (c == 3)",
    "f >= 5 and d < 0",
    "a * b > c / 10",
]
for q in queries:
    pd.testing.assert_frame_equal(df.query(q, engine="numexpr"), df.query(q, engine="python"))
    checked += 1

for ex in ["a * b - c", "d * 2 + f", "sin(a) + cos(b)", "e & (a > 0)"]:
    pd.testing.assert_series_equal(df.eval(ex, engine="numexpr"), df.eval(ex, engine="python"),
                                   check_names=False, rtol=1e-12)
    checked += 1

# Large frames: pandas' arithmetic goes through numexpr.evaluate itself.
big = pd.DataFrame({"a": rng.uniform(-1, 1, 1_100_000), "b": rng.uniform(1, 2, 1_100_000)})
expressions.set_test_mode(True)
r = big.a * big.b + big.a
used = expressions.get_test_result()
expressions.set_test_mode(False)
assert any(used), "pandas did not use numexpr for large arrays"
np.testing.assert_array_equal(r.to_numpy(), big.a.to_numpy() * big.b.to_numpy() + big.a.to_numpy())
w = big.a.where(big.a > 0, -big.b)
np.testing.assert_array_equal(w.to_numpy(), np.where(big.a > 0, big.a, -big.b))
checked += 2
assert jitexpr.cache_info()["expressions"] > 0, "jitexpr was not called"
print("OK", checked)
'''


def test_pandas_with_the_shim():
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(jitexpr.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([shim_dir(), pkg_parent, env.get("PYTHONPATH", "")])
    p = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.split()[0] == "OK"
