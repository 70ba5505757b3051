#!/usr/bin/env python3
"""linkdeps.py - the libraries' direction, from the symbols their objects
define and use.

jitexpr is three convenience libraries, one per layer (src/Makefile.am,
docs/architecture.md), linked together into libjitexpr:

  libjxbase  (src/: the shared layer)  may use: nothing of ours above it
  libjxjit   (jit/: the LLVM back end)  may use: libjxbase
  libjxcore  (src/: front end, runtime) may use: libjxbase, and of
             libjxjit only the functions jit/jit.h declares

tests/layers.py checks the same map on the #include lines; this script
checks what the linker sees, which an include check cannot: a function
called through a declaration written by hand, or one of a lower layer
that calls up into a higher one.  It reads `nm` of the libraries' static
archives (libtool's .libs/*.a) in the build tree ($JX_BUILDDIR, set by
tests/Makefile.am; else the source tree) and prints a Check-style summary
line that build.sh adds up: one check per rule.  Exit status 0 when every
rule holds.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BUILD = os.environ.get("JX_BUILDDIR", ROOT)

ARCHIVES = {
    "libjxbase": "src/.libs/libjxbase.a",
    "libjxjit": "jit/.libs/libjxjit.a",
    "libjxcore": "src/.libs/libjxcore.a",
}
# Which libraries each may use (besides itself and system libraries).
MAY_USE = {
    "libjxbase": [],
    "libjxjit": ["libjxbase"],
    "libjxcore": ["libjxbase", "libjxjit"],
}
# libjxcore may use only these of libjxjit: the functions jit/jit.h
# declares (JX_INTERNAL <type> jx_jit_...().
JIT_INTERFACE = os.path.join(ROOT, "jit", "jit.h")


def symbols(path):
    """(defined, undefined) global symbol names of an archive."""
    out = subprocess.run(["nm", "-g", path], check=True, capture_output=True,
                         text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == "U":
            undefined.add(f[1])
        elif len(f) == 3 and f[1] not in "Uw":
            defined.add(f[2])
    return defined, undefined


def jit_interface():
    text = open(JIT_INTERFACE).read()
    return set(re.findall(r"\b(jx_jit_\w+)\s*\(", text))


def main():
    libs = {}
    for name, rel in ARCHIVES.items():
        path = os.path.join(BUILD, rel)
        if not os.path.exists(path):
            print("linkdeps: %s is missing (build first)" % path)
            print("0%%: Checks: %d, Failures: 0, Errors: 1" % len(ARCHIVES))
            return 1
        libs[name] = symbols(path)

    failures = 0
    interface = jit_interface()
    for name in ARCHIVES:
        _, used = libs[name]
        bad = []
        for other in ARCHIVES:
            if other == name:
                continue
            crossing = used & libs[other][0]
            if other not in MAY_USE[name]:
                bad += ["%s uses %s, of %s" % (name, s, other) for s in sorted(crossing)]
            elif name == "libjxcore" and other == "libjxjit":
                bad += ["libjxcore uses %s of libjxjit, which jit/jit.h does not declare" % s
                        for s in sorted(crossing - interface)]
        for msg in bad:
            print("linkdeps: " + msg)
        if bad:
            failures += 1
        print("linkdeps: %-9s %s" % (name, "ok" if not bad else "FAILED"))

    n = len(ARCHIVES)
    print("%d%%: Checks: %d, Failures: %d, Errors: 0" % (100 * (n - failures) // n, n, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
