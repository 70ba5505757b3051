#!/usr/bin/env python3
"""dask_bench.py - jitexpr on dask arrays against dask.array's NumPy operators.

    /usr/bin/python3 bench/dask_bench.py            # n = 2e8 float64 (1.6 GB an operand)
    /usr/bin/python3 bench/dask_bench.py --quick    # n = 2e7
    /usr/bin/python3 bench/dask_bench.py --n 5e7 --sched threads --expr lin,sum

Run from the top of a build (it finds py/ there) or with jitexpr installed.
The operands a and b are float64, generated chunk by chunk by dask
(da.random, nothing big is built in one piece) and persisted, in the
client process for the threaded scheduler and in the workers for a
LocalCluster of 2 worker processes of 1 thread each; so the times are the
expressions', not the random generator's.  Each expression is computed and
its result persisted too (the blocks stay where they were computed: no
concatenation into one array, no transfer to the client), then dropped.
jitexpr and dask run alternately, --repeat times each; the table has the
median times, their ratio (dask / jitexpr: above 1 jitexpr is faster) and
the peak resident memory during a run above what was resident before it
(the operands), sampled every 5 ms from /proc (the client process, or the
sum of the workers'), so that temporaries show, and in brackets the peak
itself (MB).  jitexpr's result cache (256 MiB by default) keeps freed
result blocks resident for reuse: they count in the level before a run.
The kernels are compiled (in each process) before the timed runs.  The load average before
and after is printed: the machine may be shared.  No pass/fail.
"""

import argparse
import os
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for cand in (os.path.join(HERE, "..", "py"), os.path.join(os.getcwd(), "py")):
    if os.path.isfile(os.path.join(cand, "jitexpr", "__init__.py")):
        sys.path.insert(0, os.path.abspath(cand))
        # worker processes of a LocalCluster import jitexpr too
        os.environ["PYTHONPATH"] = os.path.abspath(cand) + (
            os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
        break

import numpy as np  # noqa: E402

import jitexpr  # noqa: E402

try:
    import dask  # noqa: E402
    import dask.array as da  # noqa: E402
except ImportError:
    sys.exit("dask_bench.py: dask is not installed (Debian: python3-dask python3-distributed)")

# name: (jitexpr's expression, the same with dask.array's NumPy operators)
EXPRS = {
    "lin": ("2*a + 3*b", lambda a, b: 2 * a + 3 * b),
    "trig": ("sin(a)**2 + cos(b)**2", lambda a, b: da.sin(a) ** 2 + da.cos(b) ** 2),
    "sum": ("sum(a*b)", lambda a, b: (a * b).sum()),
    "where": ("where(a > 0.5, a, b)", lambda a, b: da.where(a > 0.5, a, b)),
}

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss(pids):
    """Resident bytes of the processes `pids`, summed (/proc/PID/statm)."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/statm" % pid) as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            pass
    return total


class PeakRSS:
    """The most resident memory of `pids` while the block runs, sampled by a
    thread every `interval` seconds."""

    def __init__(self, pids, interval=0.005):
        self.pids, self.interval = pids, interval
        self.before = self.peak = 0

    def __enter__(self):
        self.before = self.peak = rss(self.pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss(self.pids))
            self._stop.wait(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss(self.pids))
        return False


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def load():
    return "%.2f %.2f %.2f" % os.getloadavg()


def run_rows(names, a, b, persist, pids, repeat):
    rows = []
    for name in names:
        ex, with_dask = EXPRS[name]
        builds = {"jitexpr": lambda: jitexpr.evaluate(ex, local_dict={"a": a, "b": b}),
                  "dask": lambda: with_dask(a, b)}
        times = {k: [] for k in builds}
        peaks = {k: [] for k in builds}
        tops = {k: 0 for k in builds}
        # compile the kernels (once a process) before anything is timed
        small = {"a": a[:4096], "b": b[:4096]}
        persist(jitexpr.evaluate(ex, local_dict=small))
        for _ in range(repeat):
            for k, build in builds.items():
                r = build()
                with PeakRSS(pids) as m:
                    t = time.perf_counter()
                    persist(r)
                    times[k].append(time.perf_counter() - t)
                peaks[k].append(m.peak - m.before)
                tops[k] = max(tops[k], m.peak)
                del r
        tj, td = statistics.median(times["jitexpr"]), statistics.median(times["dask"])
        rows.append((ex, tj, td, max(peaks["jitexpr"]), max(peaks["dask"])))
        print("  %-22s jitexpr %7.3f s  dask %7.3f s  dask/jitexpr %5.2f  peak RSS "
              "jitexpr +%5.0f MB (%5.0f), dask +%5.0f MB (%5.0f)" % (
                  ex, tj, td, td / tj, rows[-1][3] / 1e6, tops["jitexpr"] / 1e6,
                  rows[-1][4] / 1e6, tops["dask"] / 1e6), flush=True)
    return rows


def bench_threads(args, names):
    chunks = int(args.chunk)
    a = da.random.RandomState(1).random_sample(args.n, chunks=chunks).persist()
    b = da.random.RandomState(2).random_sample(args.n, chunks=chunks).persist()

    def persist(r):
        p = r.persist(scheduler="threads")
        del p

    print("threaded scheduler, %d threads; jitexpr %s thread(s) a task "
          "(JITEXPR_DASK_THREADS=%s)" % (
              os.cpu_count(), os.environ.get("JITEXPR_DASK_THREADS", "1") or "pool",
              os.environ.get("JITEXPR_DASK_THREADS", "1")), flush=True)
    return run_rows(names, a, b, persist, [os.getpid()], args.repeat)


def bench_distributed(args, names):
    try:
        from distributed import Client, LocalCluster, wait
    except ImportError:
        print("distributed: not installed (python3-distributed), skipped")
        return []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=40) as cluster, \
            Client(cluster) as client:
        chunks = int(args.chunk)
        a = client.persist(da.random.RandomState(1).random_sample(args.n, chunks=chunks))
        b = client.persist(da.random.RandomState(2).random_sample(args.n, chunks=chunks))
        wait([a, b])
        pids = list(client.run(os.getpid).values())
        threads = client.run(jitexpr.get_num_threads)

        def persist(r):
            p = client.persist(r)
            wait(p)
            del p

        print("LocalCluster: 2 worker processes x 1 thread, jitexpr threads %s"
              % sorted(threads.values()), flush=True)
        return run_rows(names, a, b, persist, pids, args.repeat)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=float, default=2e8, help="elements an operand (default 2e8)")
    p.add_argument("--quick", action="store_true", help="n = 2e7")
    p.add_argument("--chunk", type=float, default=2 ** 24,
                   help="elements a chunk (default 2**24: 128 MiB, dask's 'auto')")
    p.add_argument("--expr", default=",".join(EXPRS), help="of %s" % ",".join(EXPRS))
    p.add_argument("--sched", default="threads,distributed", help="threads,distributed")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    if args.quick:
        args.n = 2e7
    args.n = int(args.n)
    names = [e for e in args.expr.split(",") if e]
    for e in names:
        if e not in EXPRS:
            p.error("unknown --expr %s" % e)
    print("dask_bench: n = %.3g float64 (%.2f GB an operand), chunks of %.3g, CPU %s, "
          "%d CPUs, jitexpr %s, dask %s, NumPy %s" % (
              args.n, args.n * 8 / 1e9, args.chunk, cpu_model(), os.cpu_count(),
              jitexpr.__version__, dask.__version__, np.__version__))
    print("load average before: %s" % load(), flush=True)
    for s in args.sched.split(","):
        if s == "threads":
            bench_threads(args, names)
        elif s == "distributed":
            bench_distributed(args, names)
        elif s:
            p.error("unknown --sched %s" % s)
    print("load average after: %s" % load())


if __name__ == "__main__":
    main()
