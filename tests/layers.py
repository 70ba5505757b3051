#!/usr/bin/env python3
"""layers.py - who may include whom: the include layers of jitexpr's C code.

Reads every `#include "..."` line of src/, jit/, cli/, py/ and include/
(system includes, <...>, are not ours and are skipped), resolves it as the
compiler does (the including file's own folder first, then the -I folders
its Makefile.am gives that folder: INCLUDE_PATH below), and checks it
against this map, lowest layer first:

  public   include/jitexpr.h: the library's one public header.  Anyone may
           include it.
  shared   what the front end and the JIT both read: errors, the arena and
           text buffers (src/util.[ch]), a scalar's bits (src/value.h),
           dtypes (src/dtype.[ch]), the operator table (src/ops.[ch]), the
           IR's data structure (src/ir.h) and byte strings
           (src/bytes.[ch]).  May include: public, shared.
  jit      jit/*: the LLVM back end.  May include: public, shared, jit.
           It never sees the syntax tree, the cache, the pool or the
           evaluator.
  front    the rest of src/: lexer, parser, type pass, the lowering of the
           typed tree to IR (src/ir.c: it reads the tree, so it is not
           shared although ir.h is), cache, evaluation, thread pool, the
           API.  May include: public, shared, front, and of jit/ only
           jit/jit.h (the JIT's interface: compile IR for a layout, release,
           explain).
  client   cli/ and py/: programs on the public API.  May include: public,
           and headers of their own folder (cli/npy.h, py/resultbuf.h).

An include outside that map fails the check with FILE:LINE and both layers,
and so does any cycle of includes (even header guards would let it build).
EXCEPTIONS lists the includes allowed for now although they break the map,
each with why; it is the list of what is left to do.  docs/architecture.md
describes the same map.

Run by `make check` (tests/Makefile.am) and so by `./build.sh check`; it
prints a Check-style summary line that build.sh counts: one check per file,
plus one for cycles.  `python3 tests/layers.py -v` also prints the graph.
Exit status 0 when the map holds, 1 when it does not.
"""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# The folders whose C files are checked.
FOLDERS = ["include", "src", "jit", "cli", "py"]

# The -I folders each folder's Makefile.am gives the compiler, searched
# after the including file's own folder.
INCLUDE_PATH = {
    "include": [],
    "src": ["include", "jit"],      # libjxcore_la_CPPFLAGS
    "jit": ["include", "src"],      # libjxjit_la_CPPFLAGS
    "cli": ["include", "cli"],      # jitexpr_CPPFLAGS
    "py": ["include"],              # _jitexpr_la_CPPFLAGS
}

PUBLIC, SHARED, JIT, FRONT, CLIENT = "public", "shared", "jit", "front", "client"
LAYER_NAMES = {
    PUBLIC: "the public header",
    SHARED: "the shared layer",
    JIT: "the JIT",
    FRONT: "the front end and runtime",
    CLIENT: "a client",
}

# The shared layer, file by file; the rest of src/ is the front end.
SHARED_FILES = {
    "src/util.h", "src/util.c",
    "src/value.h",
    "src/dtype.h", "src/dtype.c",
    "src/ops.h", "src/ops.c",
    "src/ir.h",
    "src/bytes.h", "src/bytes.c",
}

# The one header of jit/ that the front end and runtime may include.
JIT_INTERFACE = "jit/jit.h"

# (including file, included file): allowed although the map says no.  Each
# one says why it is here; remove it when it is fixed (the check fails on an
# exception no longer needed).  Empty: every include keeps to the map.  (The
# last one, src/ir.h including src/ast.h for jx_value, went with
# src/value.h.)  What the map cannot see, as it is not an include: ir.h
# declares jx_ir_build and jx_ir_free, which src/ir.c, front end, defines;
# the JIT calls neither.
EXCEPTIONS = {
}


def layer_of(path):
    """The layer of a file, by the map above (path relative to ROOT)."""
    folder = path.split("/", 1)[0]
    if folder == "include":
        return PUBLIC
    if folder == "jit":
        return JIT
    if folder in ("cli", "py"):
        return CLIENT
    if path in SHARED_FILES:
        return SHARED
    return FRONT


def allowed(src, dst):
    """Whether src may include dst, by the map alone."""
    a, b = layer_of(src), layer_of(dst)
    if b == PUBLIC:
        return True
    if a == PUBLIC:
        return False
    if a == SHARED:
        return b == SHARED
    if a == JIT:
        return b in (SHARED, JIT)
    if a == FRONT:
        return b in (SHARED, FRONT) or dst == JIT_INTERFACE
    if a == CLIENT:  # its own folder's headers only
        return os.path.dirname(src) == os.path.dirname(dst)
    return False


INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def c_files():
    out = []
    for folder in FOLDERS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, folder)):
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith(".") and d != "__pycache__")
            for f in sorted(filenames):
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, f), ROOT))
    return out


def resolve(src, name):
    """The file (relative to ROOT) that `#include "name"` in src reads, or
    None when it is not in the tree."""
    here = os.path.dirname(src)
    for d in [here] + INCLUDE_PATH.get(src.split("/", 1)[0], []):
        cand = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(os.path.join(ROOT, cand)):
            return cand
    return None


def main():
    verbose = "-v" in sys.argv[1:]
    files = c_files()
    graph = {f: [] for f in files}
    problems = {}  # file -> messages
    used_exceptions = set()
    for f in files:
        with open(os.path.join(ROOT, f), encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                dst = resolve(f, m.group(1))
                if dst is None:
                    problems.setdefault(f, []).append(
                        '%s:%d: "%s" is not a file of the tree (add it to the map)'
                        % (f, lineno, m.group(1)))
                    continue
                graph[f].append((dst, lineno))
                if allowed(f, dst):
                    continue
                if (f, dst) in EXCEPTIONS:
                    used_exceptions.add((f, dst))
                    continue
                problems.setdefault(f, []).append(
                    "%s:%d: %s (%s) includes %s (%s), which it may not"
                    % (f, lineno, f, LAYER_NAMES[layer_of(f)], dst,
                       LAYER_NAMES[layer_of(dst)]))
    for e in sorted(set(EXCEPTIONS) - used_exceptions):
        problems.setdefault(e[0], []).append(
            "%s: the exception for %s is no longer needed: remove it from %s"
            % (e[0], e[1], os.path.relpath(__file__, ROOT)))

    # Cycles: a depth-first walk; a file met again while still on the path
    # closes a cycle.
    cycles = []
    state = {}  # file -> 1 on the path, 2 done
    path = []

    def walk(f):
        state[f] = 1
        path.append(f)
        for dst, lineno in graph.get(f, []):
            if state.get(dst) == 1:
                i = path.index(dst)
                cycles.append(path[i:] + [dst])
            elif dst not in state:
                walk(dst)
        path.pop()
        state[f] = 2

    sys.setrecursionlimit(10000)
    for f in files:
        if f not in state:
            walk(f)

    if verbose:
        for f in files:
            print("%-22s %-7s -> %s" % (f, layer_of(f),
                                        ", ".join(d for d, _ in graph[f]) or "-"))
    for f in files:
        for msg in problems.get(f, []):
            print("layers: " + msg)
    for c in cycles:
        print("layers: include cycle: " + " -> ".join(c))
    for e in sorted(used_exceptions):
        print("layers: allowed for now: %s includes %s (%s)" % (e[0], e[1], EXCEPTIONS[e]))

    nfail = len(problems) + (1 if cycles else 0)
    nchecks = len(files) + 1
    pct = 100 * (nchecks - nfail) // nchecks
    # Check's summary line, which build.sh adds up with the other suites'.
    print("%d%%: Checks: %d, Failures: %d, Errors: 0" % (pct, nchecks, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
