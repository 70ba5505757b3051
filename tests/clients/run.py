"""The test suites of numexpr's clients, run with jitexpr as numexpr.

PyTables and pandas ship their own tests in Debian (python3-tables,
python3-pandas); the parts that exercise numexpr are run here with
py/numexpr_shim first on sys.path, so that their ``import numexpr`` gives
jitexpr.  Each suite runs in its own process.

    run.py [--quick] [--backend jitexpr|numexpr] [--log FILE]

--quick        a fixed part of each suite (what `make check` runs): every
               STRIDE-th PyTables test, the smaller pandas files whole and
               every STRIDE-th test of the large ones
--backend      numexpr: the real numexpr, for the baseline counts
--log          also append the summary lines to FILE

PyTables must pass whole.  pandas may fail only in EXPECTED: the tests
where jitexpr deliberately differs from numexpr, each with its reason
(docs/python.md).  The exit status is 0 when both hold.
"""

import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.environ.get("JITEXPR_SHIM_DIR") or os.path.join(HERE, "..", "..", "py",
                                                           "numexpr_shim")
STRIDE = 8

PYTABLES = ["test_queries", "test_indexvalues", "test_expression", "test_tables",
            "test_indexes", "test_nestedtypes", "test_enum"]

PANDAS = ["computation/test_eval.py", "test_expressions.py", "frame/test_query_eval.py",
          "frame/test_arithmetic.py", "io/pytables/test_select.py"]
# Run whole in --quick mode too (the others: every STRIDE-th test).
PANDAS_SMALL = {"test_expressions.py", "frame/test_query_eval.py",
                "io/pytables/test_select.py"}

# pandas tests that fail by design with jitexpr: node id pattern -> reason.
EXPECTED = {
}

PYTABLES_RUNNER = r"""
import sys, unittest, importlib
import numexpr
mod = importlib.import_module("tables.tests." + sys.argv[1])
stride = int(sys.argv[2])
suite = mod.suite()
def flat(s):
    for t in s:
        if isinstance(t, unittest.TestSuite):
            yield from flat(t)
        else:
            yield t
tests = list(flat(suite))
if stride > 1:
    tests = tests[::stride]
result = unittest.TextTestRunner(verbosity=0, stream=sys.stderr).run(unittest.TestSuite(tests))
print("numexpr %s: %d run, %d failures, %d errors, %d skipped" % (
    numexpr.__version__, result.testsRun, len(result.failures), len(result.errors),
    len(result.skipped)))
"""


def environment(backend):
    env = dict(os.environ)
    if backend == "jitexpr":
        env["PYTHONPATH"] = os.pathsep.join(
            [os.path.abspath(SHIM)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def check_backend(env, backend):
    out = subprocess.run([sys.executable, "-c", "import numexpr; print(numexpr.__version__)"],
                         env=env, capture_output=True, text=True)
    version = out.stdout.strip()
    if out.returncode != 0 or (backend == "jitexpr") != ("jitexpr" in version):
        sys.exit("run.py: `import numexpr` gives %r, not %s:\n%s"
                 % (version, backend, out.stderr))
    return version


def run_pytables(module, stride, env):
    p = subprocess.run([sys.executable, "-c", PYTABLES_RUNNER, module, str(stride)],
                       env=env, capture_output=True, text=True, cwd="/tmp")
    m = re.search(r"(\d+) run, (\d+) failures, (\d+) errors, (\d+) skipped", p.stdout)
    if m is None:
        return None, p.stdout + p.stderr
    run, failures, errors, skipped = map(int, m.groups())
    return (run, failures + errors, skipped), p.stderr


def pandas_dir():
    out = subprocess.run([sys.executable, "-c",
                          "import os, pandas; print(os.path.dirname(pandas.__file__))"],
                         capture_output=True, text=True)
    return os.path.join(out.stdout.strip(), "tests")


def run_pandas(path, stride, env):
    args = [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider",
            "-o", "addopts=", "-W", "ignore::DeprecationWarning", path]
    if stride > 1:
        collect = subprocess.run(args + ["--collect-only"], env=env,
                                 capture_output=True, text=True, cwd="/tmp")
        # ids relative to the rootdir, the test file's directory here
        ids = [os.path.join(os.path.dirname(path), line)
               for line in collect.stdout.splitlines() if "::" in line]
        args = args[:-1] + ids[::stride]
    p = subprocess.run(args, env=env, capture_output=True, text=True, cwd="/tmp")
    out = p.stdout
    counts = {}
    for n, what in re.findall(r"(\d+) (passed|failed|skipped|xfailed|xpassed|errors?)",
                              out.splitlines()[-1] if out else ""):
        counts[what.rstrip("s") if what.startswith("error") else what] = int(n)
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", out, re.M)
    return counts, failed, out


def expected_reason(nodeid):
    for pattern, reason in EXPECTED.items():
        if re.search(pattern, nodeid):
            return reason
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--backend", choices=("jitexpr", "numexpr"), default="jitexpr")
    ap.add_argument("--log")
    ap.add_argument("suites", nargs="*", help="limit to these suites (names as listed)")
    opts = ap.parse_args()
    stride = STRIDE if opts.quick else 1
    env = environment(opts.backend)
    version = check_backend(env, opts.backend)
    lines, ok = [], True

    def report(line):
        print(line, flush=True)
        lines.append(line)

    report("clients: numexpr %s, %s" % (version, "quick (1 in %d)" % stride if opts.quick
                                        else "whole suites"))
    for module in PYTABLES:
        if opts.suites and module not in opts.suites:
            continue
        t = time.time()
        counts, log = run_pytables(module, stride, env)
        if counts is None:
            report("tables.tests.%s: did not run\n%s" % (module, log[-3000:]))
            ok = False
            continue
        run, bad, skipped = counts
        report("tables.tests.%s: %d run, %d passed, %d failed, %d skipped (%.0f s)"
               % (module, run, run - bad - skipped, bad, skipped, time.time() - t))
        if bad:
            ok = False
            print(log[-6000:])
    tests = pandas_dir()
    for rel in PANDAS:
        if opts.suites and rel not in opts.suites:
            continue
        t = time.time()
        counts, failed, out = run_pandas(os.path.join(tests, rel),
                                         1 if rel in PANDAS_SMALL else stride, env)
        unexpected = [f for f in failed if expected_reason(f) is None]
        report("pandas/tests/%s: %d passed, %d failed (%d expected), %d skipped (%.0f s)"
               % (rel, counts.get("passed", 0), len(failed), len(failed) - len(unexpected),
                  counts.get("skipped", 0), time.time() - t))
        if not counts:
            ok = False
            print(out[-6000:])
        for f in failed:
            reason = expected_reason(f)
            if reason is None and opts.backend == "jitexpr":
                ok = False
                print("  unexpected failure: %s" % f)
    if opts.backend == "numexpr":
        ok = True  # the baseline: counts only
    report("clients: %s" % ("passed" if ok else "FAILED"))
    if opts.log:
        with open(opts.log, "a") as f:
            f.write("\n".join(lines) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
