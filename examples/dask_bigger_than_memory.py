#!/usr/bin/env python3
"""An expression over arrays larger than memory, with jitexpr on dask.

    /usr/bin/python3 examples/dask_bigger_than_memory.py              # local threads
    /usr/bin/python3 examples/dask_bigger_than_memory.py --distributed
    /usr/bin/python3 examples/dask_bigger_than_memory.py --gb 64      # bigger than RAM

Two float64 operands of --gb gigabytes each (default: 1.5 times this
machine's memory, so together three times it) exist only as dask graphs:
dask generates each chunk when a task needs it, jitexpr evaluates the
whole expression on the chunk in one fused pass, and only the per-chunk
partial sums (a few bytes each) are kept.  Nothing of the size of an
operand is ever in memory.

With the threaded scheduler, dask.diagnostics.ProgressBar shows the
progress; with --distributed, a LocalCluster of worker processes runs it
and the dashboard's address is printed (the dashboard needs bokeh).
Run from the top of a build (it finds py/ there) or with jitexpr installed.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for cand in (os.path.join(HERE, "..", "py"), os.path.join(os.getcwd(), "py")):
    if os.path.isfile(os.path.join(cand, "jitexpr", "__init__.py")):
        sys.path.insert(0, os.path.abspath(cand))
        os.environ["PYTHONPATH"] = os.path.abspath(cand) + (  # for worker processes
            os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
        break

import dask.array as da  # noqa: E402

import jitexpr  # noqa: E402


def memory_bytes():
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--gb", type=float, default=None,
                   help="gigabytes an operand (default: 1.5 x this machine's memory)")
    p.add_argument("--distributed", action="store_true",
                   help="run on a dask.distributed LocalCluster")
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    gb = args.gb if args.gb else 1.5 * memory_bytes() / 1e9
    n = int(gb * 1e9 / 8)
    print("two float64 operands of %d elements (%.1f GB each; this machine has %.1f GB)"
          % (n, n * 8 / 1e9, memory_bytes() / 1e9))

    # Random operands, made chunk by chunk (128 MiB chunks) when needed.
    a = da.random.RandomState(1).random_sample(n, chunks=2 ** 24)
    b = da.random.RandomState(2).random_sample(n, chunks=2 ** 24)

    # Lazy: these build graphs; nothing is computed yet.
    x = 0.5
    total = jitexpr.evaluate("sum(where(a > x, a*b, sin(a)**2 + cos(b)**2))")
    mean = jitexpr.evaluate("mean(2*a + 3*b)")
    print("graph: %d tasks; dtype %s" % (len(total.__dask_graph__()), total.dtype))

    if args.distributed:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=args.workers, threads_per_worker=1) as cluster, \
                Client(cluster) as client:
            print("dashboard:", client.dashboard_link)
            t = time.perf_counter()
            total_v, mean_v = client.compute([total, mean], sync=True)
    else:
        from dask.diagnostics import ProgressBar

        t = time.perf_counter()
        with ProgressBar():
            total_v, mean_v = da.compute(total, mean, scheduler="threads")
    dt = time.perf_counter() - t
    print("sum(...) = %.6g, mean(2*a + 3*b) = %.6f (expected about 2.5)" % (total_v, mean_v))
    print("%.1f s (the random numbers' generation included)" % dt)


if __name__ == "__main__":
    main()
