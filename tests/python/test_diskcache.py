"""The disk cache of compiled kernels (src/diskcache.c) from Python.

Every test has its own empty cache directory (JITEXPR_CACHE_DIR of the
processes it starts); a new process is a subprocess, whose in-memory cache
is empty, so that it can only find a kernel on disk.
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import jitexpr

# A child: evaluates each expression over a, b (n elements), checks it
# against NumPy and prints cache_info() as JSON.
CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    import jitexpr
    exprs = json.loads(sys.argv[1])
    n = int(sys.argv[2])
    a = np.linspace(0.5, 2.0, n)
    b = np.linspace(-1.0, 1.0, n)
    bad = []
    for ex in exprs:
        got = jitexpr.evaluate(ex)
        want = eval(ex.replace("sin", "np.sin").replace("exp", "np.exp"))
        if not np.allclose(got, want, rtol=1e-12, atol=1e-12):
            bad.append(ex)
    info = jitexpr.cache_info()
    print(json.dumps({"bad": bad, "disk": info["disk"],
                      "compiled": info["kernels_compiled"]}))
""")


def run_child(cache, exprs, n=1000, env=None):
    # compiled: the default tier would interpret the arithmetic of a first
    # call (no kernel to store); these tests are about the kernels' files
    e = dict(os.environ, JITEXPR_CACHE_DIR=str(cache), JITEXPR_TIER="compiled")
    e.update(env or {})
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(exprs), str(n)],
                         env=e, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def files(cache):
    """The kernel files, and the others but the stored math choices."""
    names = os.listdir(cache)
    return ([f for f in names if f.endswith(".jxk")],
            [f for f in names if not f.endswith((".jxk", ".jxc"))])


def test_new_process_hits(tmp_path):
    exprs = ["2*a + sin(b)", "a*b - 3"]
    first = run_child(tmp_path, exprs)
    assert first["bad"] == []
    assert first["disk"]["writes"] >= 2 and first["disk"]["hits"] == 0
    second = run_child(tmp_path, exprs)
    assert second["bad"] == []
    assert second["compiled"] == 0
    assert second["disk"]["hits"] == first["disk"]["writes"]
    assert second["disk"]["enabled"] and second["disk"]["dir"] == str(tmp_path)
    assert second["disk"]["files"] == first["disk"]["writes"]


def test_quick_code_reaches_disk(tmp_path):
    """A process whose kernels ran only their quick code (small arrays, few
    calls) stores that code: the next process compiles nothing."""
    exprs = ["a*3 - b*b", "(a > b) * 2.0 + b", "(a + 1) / (b + 3)"]
    first = run_child(tmp_path, exprs)
    assert first["bad"] == [] and first["compiled"] == 3
    assert first["disk"]["writes"] == 3
    second = run_child(tmp_path, exprs)
    assert second["bad"] == [] and second["compiled"] == 0
    assert second["disk"]["hits"] == 3


def test_off(tmp_path):
    r = run_child(tmp_path, ["a + b*7"], env={"JITEXPR_CACHE_DIR": "off"})
    assert r["bad"] == [] and not r["disk"]["enabled"]
    assert r["disk"]["writes"] == 0 and os.listdir(tmp_path) == []


def test_corrupt_file_replaced(tmp_path):
    run_child(tmp_path, ["a*5 + b"])
    (name,), _ = files(tmp_path)
    path = tmp_path / name
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    r = run_child(tmp_path, ["a*5 + b"])
    assert r["bad"] == [] and r["disk"]["rejected"] == 1 and r["compiled"] >= 1
    r = run_child(tmp_path, ["a*5 + b"])
    assert r["disk"]["hits"] >= 1 and r["compiled"] == 0


def at_once(cache, orders, tier):
    """CHILD in one process per list of expressions, all started at once
    against the cache directory in the tier; their outputs."""
    env = dict(os.environ, JITEXPR_CACHE_DIR=str(cache), JITEXPR_TIER=tier)
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(order), "1000"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
             for order in orders]
    results = []
    for pr in procs:
        out, err = pr.communicate(timeout=600)
        assert pr.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_eight_processes_at_once(tmp_path):
    """Eight processes started at once, the same 20 new expressions in
    different orders, one empty cache directory."""
    exprs = ["a*%d + b*%d - sin(b)*%d" % (k, k + 1, k + 2) for k in range(20)]
    results = at_once(tmp_path, [exprs[p * 5 % 20:] + exprs[:p * 5 % 20] for p in range(8)],
                      "compiled")
    assert all(r["bad"] == [] for r in results)
    kernels, others = files(tmp_path)
    assert others == []                  # no temporary file left
    writes = sum(r["disk"]["writes"] for r in results)
    hits = sum(r["disk"]["hits"] for r in results)
    assert len(kernels) == 20
    assert writes >= 20                  # each kernel written at least once
    assert hits >= 1                     # and read by others
    assert sum(r["disk"]["rejected"] for r in results) == 0
    # Every file is whole: a ninth process hits all of them.
    r = run_child(tmp_path, exprs)
    assert r["bad"] == [] and r["compiled"] == 0 and r["disk"]["hits"] == 20


def chose_ours(result):
    """Whether a child's process used our sin and exp (not the library's)."""
    return all(c.split("=")[1].startswith("own") for c in result["disk"]["choices"]
               if c.startswith(("sin/64", "exp/64")))


def test_eight_processes_share_units(tmp_path):
    """Eight processes at once in the default tier, new expressions of sin
    and exp against one empty cache directory: each interprets them
    through the functions' units (src/interp.h), made once and stored; a
    ninth process's new expressions of the same functions compile
    nothing.  (Where the engine chose the library's sin or exp there is no
    unit: those expressions compile, and the ninth process does too.)"""
    exprs = ["sin(a)*%d + exp(b) - b" % k for k in range(6)]
    results = at_once(tmp_path, [exprs[p % 6:] + exprs[:p % 6] for p in range(8)], "auto")
    assert all(r["bad"] == [] for r in results)
    kernels, others = files(tmp_path)
    assert others == []                  # no temporary file left
    assert sum(r["disk"]["rejected"] for r in results) == 0
    r = run_child(tmp_path, ["sin(a)*%d + exp(b) - b" % k for k in range(6, 9)],
                  env={"JITEXPR_TIER": "auto"})
    assert r["bad"] == [] and r["disk"]["rejected"] == 0
    # each process measures its own choice until one is stored (eight
    # processes on two cores measure under load and need not agree), and
    # takes the units its measurement compiled (optimised) or, finding the
    # choice stored, compiles them quick, a file under a key of its own
    if all(chose_ours(x) for x in results):
        assert 2 <= len(kernels) <= 4    # the units of sin and exp, nothing else
    if chose_ours(r):                    # a choice stored, and its units
        assert r["compiled"] == 0 and r["disk"]["hits"] == 2
    else:
        assert r["compiled"] >= 1


def test_cache_info_and_clear(tmp_path):
    old = jitexpr.cache_info()["disk"]
    tier = jitexpr.set_tier("compiled")  # a kernel compiled, not interpreted
    try:
        assert jitexpr.set_cache_dir(str(tmp_path))
        a = np.arange(10.0)
        jitexpr.evaluate("a*11 + 1")
        info = jitexpr.cache_info()["disk"]
        assert info["enabled"] and info["dir"] == str(tmp_path)
        assert info["files"] >= 1 and info["bytes"] > 0
        assert info["size_limit"] > 0
        assert jitexpr.set_cache_size(info["size_limit"])
        assert jitexpr.clear_cache() >= 1
        assert jitexpr.cache_info()["disk"]["files"] == 0
        assert not jitexpr.set_cache_dir(None)
        assert not jitexpr.cache_info()["disk"]["enabled"]
        np.testing.assert_array_equal(jitexpr.evaluate("a*11 + 1"), a * 11 + 1)
    finally:
        jitexpr.set_cache_dir(old["dir"] if old["enabled"] else None)
        jitexpr.set_tier(tier)


# A child for the stored math choices: evaluates one expression over a,
# prints the result's bytes (hex), cache_info()["disk"] and target_info().
CHOICES_CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    import jitexpr
    a = np.linspace(-50.0, 50.0, 4099)
    r = jitexpr.evaluate(sys.argv[1])
    print(json.dumps({"result": r.tobytes().hex(),
                      "disk": jitexpr.cache_info()["disk"],
                      "target": jitexpr.target_info()}))
""")


def run_choices_child(cache, expr):
    env = dict(os.environ, JITEXPR_CACHE_DIR=str(cache))
    env.pop("JITEXPR_MATHLIB", None)  # measure, or take what is stored
    out = subprocess.run([sys.executable, "-c", CHOICES_CHILD, expr], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def spoil_choices(path, how):
    if how == "flipped":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 1
        path.write_bytes(bytes(data))
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[:40])
    elif how == "foreign":
        path.write_text(path.read_text().replace("target ", "target other ", 1))
    elif how == "group-writable":
        os.chmod(path, 0o620)


@pytest.mark.parametrize("how, stored", [
    ("as written", True),
    ("flipped", False),
    ("truncated", False),
    ("foreign", False),
    ("group-writable", False),
])
def test_stored_choices_new_process(tmp_path, how, stored):
    """A new process compiling sin(a) after another process did, with its
    kernel gone but the stored math choices kept: it measures nothing and
    computes the same bytes; a spoiled file is ignored, counted rejected,
    measured again."""
    first = run_choices_child(tmp_path, "sin(a)")
    if first["disk"]["calibrations"] == 0:
        pytest.skip("no vector library with a sin of its own on this target")
    assert first["disk"]["choices_writes"] == 1
    assert [c for c in first["disk"]["choices"] if c.startswith("sin/64=")]
    kernels, _ = files(tmp_path)
    for k in kernels:
        os.remove(tmp_path / k)
    (choices,) = [f for f in os.listdir(tmp_path) if f.endswith(".jxc")]
    spoil_choices(tmp_path / choices, how)
    second = run_choices_child(tmp_path, "sin(a)")
    assert second["disk"]["hits"] == 0
    if stored:
        assert second["result"] == first["result"]
        assert second["disk"]["calibrations"] == 0
        assert second["disk"]["choices_loaded"] >= 1
        assert second["disk"]["rejected"] == 0
        assert "stored: measured by an earlier process" in second["target"]
    else:
        assert second["disk"]["calibrations"] == 1
        assert second["disk"]["choices_loaded"] == 0  # (it may choose otherwise)
        assert second["disk"]["rejected"] >= 1
        # ... and replaced by a good one.
        third = run_choices_child(tmp_path, "sin(a) + 1")
        assert third["disk"]["calibrations"] == 0


def test_stored_choices_off():
    env = dict(os.environ, JITEXPR_CACHE_DIR="off")
    env.pop("JITEXPR_MATHLIB", None)
    out = subprocess.run([sys.executable, "-c", CHOICES_CHILD, "sin(a)"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert not r["disk"]["enabled"] and r["disk"]["choices_writes"] == 0
    assert r["disk"]["choices"] == [] and r["disk"]["choices_loaded"] == 0
