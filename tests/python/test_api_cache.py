"""The numexpr-compatible API's caches: the expression cache (hits do not
compile, it is bounded), the GIL released while a kernel runs, concurrent
callers, and the cache of result buffers (py/resultbuf.c)."""

import os
import platform
import subprocess
import sys
import threading

import numpy as np
import pytest

import jitexpr


# ---- the cache --------------------------------------------------------------------------------


def test_cache_hits_do_not_compile():
    a = np.arange(10.0)
    jitexpr.evaluate("a * 7 - 3")
    before = jitexpr.cache_info()["kernels_compiled"]
    for _ in range(50):
        jitexpr.evaluate("a * 7 - 3")
    assert jitexpr.cache_info()["kernels_compiled"] == before


def test_cache_is_bounded():
    a = np.ones(2)  # noqa: F841
    for i in range(300):
        jitexpr.evaluate("a + %d" % i)
    info = jitexpr.cache_info()
    assert info["expressions"] <= 256
    jitexpr.clear_cache()
    assert jitexpr.cache_info()["expressions"] == 0


def test_gil_released_while_the_kernel_runs():
    # With a long switch interval, a thread waiting for the GIL runs during
    # a call only if the call releases the GIL.  On a loaded machine the
    # spinning thread may get no CPU during one call (this failed with 0
    # while another build ran), so up to ten calls; holding the GIL, no
    # call would let it count at all.
    import time
    a = np.random.default_rng(2).random(3_000_000)
    ex = "sin(a) * cos(a) + exp(a) / (a + 1)"
    prev = jitexpr.set_num_threads(1)
    interval = sys.getswitchinterval()
    counter = [0]
    stop = [False]

    def spin():
        while not stop[0]:
            counter[0] += 1

    t = threading.Thread(target=spin)
    try:
        jitexpr.evaluate(ex)  # compile first
        sys.setswitchinterval(0.2)
        t.start()
        time.sleep(0.01)
        counts = []
        for _ in range(10):
            c0 = counter[0]
            jitexpr.evaluate(ex)
            counts.append(counter[0] - c0)
            if counts[-1] > 1000:
                break
    finally:
        stop[0] = True
        if t.is_alive():
            t.join()
        sys.setswitchinterval(interval)
        jitexpr.set_num_threads(prev)
    assert max(counts) > 1000, counts


def test_threads_evaluate_concurrently():
    rng = np.random.default_rng(1)
    arrays = [rng.random(200_000) for _ in range(4)]
    results = [None] * 4

    def work(i):
        x = arrays[i]
        for _ in range(5):
            results[i] = jitexpr.evaluate("x * 2 + sin(x)", local_dict={"x": x})

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, r in zip(arrays, results):
        assert np.allclose(r, x * 2 + np.sin(x))


# ---- the result cache (py/resultbuf.c) -----------------------------------------------------

MIB = 1 << 20
handler_name = np.core.multiarray.get_handler_name
# Results from this many bytes go through the cache (py/resultbuf.h: those
# glibc's malloc maps anew on each call, 32 MiB - 4 KiB on 64-bit); N float64
# elements are that many bytes.
MIN = jitexpr.cache_info()["result_cache_min"]
N = MIN // 8
GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.fixture
def result_cache():
    """An empty cache with a limit for one test; the old limit back after it."""
    prev = jitexpr.set_result_cache(0)
    jitexpr.set_result_cache(6 * MIN)
    yield
    jitexpr.set_result_cache(prev)


def test_result_cache_reuses_a_freed_result(result_cache):
    a = np.arange(float(N))
    r = jitexpr.evaluate("a * 2")
    assert handler_name(r) == "jitexpr_result_cache" and r.flags.owndata
    where = r.ctypes.data
    del r
    info = jitexpr.cache_info()
    assert info["result_cache_blocks"] == 1 and info["result_cache_bytes"] >= MIN
    r = jitexpr.evaluate("a + 1")  # the same block, all of it written afresh
    assert r.ctypes.data == where
    assert np.array_equal(r, a + 1)
    after = jitexpr.cache_info()
    assert after["result_cache_hits"] == info["result_cache_hits"] + 1
    assert after["result_cache_blocks"] == 0 and after["result_cache_bytes"] == 0


def _resident_pages(addr, nbytes):
    """How many of the whole pages in [addr, addr + nbytes) are resident
    (mincore), and how many there are."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    page = os.sysconf("SC_PAGE_SIZE")
    lo = (addr + page - 1) // page * page
    hi = (addr + nbytes) // page * page
    vec = (ctypes.c_ubyte * ((hi - lo) // page))()
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    assert libc.mincore(lo, hi - lo, vec) == 0, os.strerror(ctypes.get_errno())
    return sum(v & 1 for v in vec), len(vec)


def _page_out(addr, nbytes):
    """Asks the kernel to reclaim [addr, addr + nbytes) now, as proactive
    reclaim (kdamond) would: MADV_PAGEOUT (Linux 5.4)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    page = os.sysconf("SC_PAGE_SIZE")
    lo = (addr + page - 1) // page * page
    hi = (addr + nbytes) // page * page
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    return libc.madvise(lo, hi - lo, 21)  # MADV_PAGEOUT


def _swap_on():
    with open("/proc/swaps") as f:
        return len(f.read().splitlines()) > 1


def test_result_cache_keeps_its_blocks_resident(result_cache):
    """A kept block holds its pages: reclaim cannot take them, so reusing it
    never faults them in again (the MADV_FREE version lost them at once
    under kdamond, and every reuse refaulted the whole block).  Without
    swap, MADV_PAGEOUT can only drop pages the kernel may discard."""
    if _swap_on():
        pytest.skip("swap is on: MADV_PAGEOUT may swap out any anonymous page")
    a = np.arange(float(N))
    r = jitexpr.evaluate("a * 2")
    where, nbytes = r.ctypes.data, r.nbytes
    del r
    assert jitexpr.cache_info()["result_cache_blocks"] == 1
    if _page_out(where, nbytes) != 0:
        pytest.skip("MADV_PAGEOUT is not supported by this kernel")
    resident, pages = _resident_pages(where, nbytes)
    assert pages > 0 and resident == pages
    r = jitexpr.evaluate("a + 1")
    assert r.ctypes.data == where and np.array_equal(r, a + 1)


@pytest.mark.parametrize("n, dtype, name, glibc_only", [
    (10, "float64", "default_allocator", False),
    (N - 1, "float64", "default_allocator", False),
    (N, "float64", "jitexpr_result_cache", False),
    # Below glibc's mmap ceiling malloc serves the block just freed (by NumPy
    # or us) again, still in the CPU's caches; a cache of our own handed back
    # a colder one: floor(a) of 1e6 float32 ran 1.15-1.35x NumPy's time in
    # bench/optable.py (py/resultbuf.c).
    (10 ** 6, "float32", "default_allocator", True),
    (MIB // 8, "float64", "default_allocator", True),
    (3 * 10 ** 6, "float64", "default_allocator", True),
])
def test_result_cache_only_for_large_results(result_cache, n, dtype, name, glibc_only):
    if glibc_only and not GLIBC:
        pytest.skip("glibc's malloc: other C libraries map large blocks anew")
    a = np.ones(n, dtype)
    r = jitexpr.evaluate("a + 1")
    assert handler_name(r) == name and r.dtype == dtype
    del r
    assert jitexpr.cache_info()["result_cache_blocks"] == (name == "jitexpr_result_cache")
    out = np.empty(n, dtype)  # the caller's out is the caller's
    assert handler_name(jitexpr.evaluate("a + 1", out=out)) == "default_allocator"


def test_result_cache_floor():
    # glibc: its largest adaptive mmap threshold, 4 MiB * sizeof(long), less a page
    import struct
    assert MIN == (4 * MIB * struct.calcsize("l") - 4096 if GLIBC else MIB)


def test_result_cache_keeps_at_most_its_limit(result_cache):
    limit = 5 * MIN // 2
    jitexpr.set_result_cache(limit)
    a = np.ones(N)
    rs = [jitexpr.evaluate("a + %d" % i, local_dict={"a": a}) for i in range(4)]
    for i, r in enumerate(rs):
        assert np.array_equal(r, a + i)
    del r, rs
    info = jitexpr.cache_info()
    assert info["result_cache_blocks"] == 2 and 2 * MIN <= info["result_cache_bytes"] <= limit
    assert jitexpr.set_result_cache(0) == limit
    info = jitexpr.cache_info()
    assert info["result_cache_blocks"] == 0 and info["result_cache_bytes"] == 0
    r = jitexpr.evaluate("a - 1")
    del r
    assert jitexpr.cache_info()["result_cache_blocks"] == 0
    with pytest.raises(ValueError, match=">= 0"):
        jitexpr.set_result_cache(-1)


def test_result_cache_size_classes(result_cache):
    big = jitexpr.evaluate("a + 1", local_dict={"a": np.ones(4 * N)})
    del big
    # N is less than half of the kept block: a new one
    small = jitexpr.evaluate("a + 1", local_dict={"a": np.ones(N)})
    assert jitexpr.cache_info()["result_cache_blocks"] == 1
    # 3 N fits the 4 N block
    mid = jitexpr.evaluate("a * 3", local_dict={"a": np.ones(3 * N)})
    assert np.array_equal(mid, np.full(3 * N, 3.0)) and np.array_equal(small, np.full(N, 2.0))
    assert jitexpr.cache_info()["result_cache_blocks"] == 0


def test_result_cache_resize_and_views(result_cache):
    a = np.arange(float(N))
    r = jitexpr.evaluate("a * 3")
    v = r[::2]  # a view keeps the block
    del r
    assert jitexpr.cache_info()["result_cache_blocks"] == 0
    assert np.array_equal(v, a[::2] * 3)
    r = jitexpr.evaluate("a * 3")
    r.resize(2 * N, refcheck=False)  # realloc through the handler
    assert np.array_equal(r[:N], a * 3)
    del r, v
    assert jitexpr.cache_info()["result_cache_blocks"] == 2


def test_result_cache_with_threads(result_cache):
    # Results allocated and freed on four threads at once.
    rng = np.random.default_rng(5)
    arrays = [rng.random(N) for _ in range(4)]
    bad = []

    def work(x):
        for i in range(8):
            r = jitexpr.evaluate("x * 2 + %d" % (i % 3), local_dict={"x": x})
            if not np.array_equal(r, x * 2 + i % 3):
                bad.append(i)

    threads = [threading.Thread(target=work, args=(x,)) for x in arrays]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []
    assert jitexpr.cache_info()["result_cache_bytes"] <= 6 * MIN


@pytest.mark.parametrize("value, limit", [("0", 0), ("3000000", 3000000),
                                          ("lots", 256 * MIB), ("-5", 256 * MIB), ("", 256 * MIB)])
def test_result_cache_from_environment(value, limit):
    import os
    code = "import jitexpr; print(jitexpr.cache_info()['result_cache_limit'])"
    env = dict(os.environ, JITEXPR_RESULT_CACHE=value)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert int(out) == limit


def test_result_cache_fork():
    # A child forked while another thread allocates and frees results must
    # find the cache's lock free (pthread_atfork).
    code = """
import os, sys, threading, numpy as np, jitexpr
a = np.ones(jitexpr.cache_info()["result_cache_min"] // 8)  # through the cache
stop = False
def churn():
    while not stop:
        jitexpr.evaluate("a + 1")
t = threading.Thread(target=churn); t.start()
for _ in range(20):
    pid = os.fork()
    if pid == 0:
        r = jitexpr.evaluate("a * 5"); del r
        r = jitexpr.evaluate("a * 5")
        os._exit(0 if np.array_equal(r, a * 5) else 3)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        stop = True; t.join(); sys.exit("child: %d" % status)
stop = True; t.join(); print("ok")
"""
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
