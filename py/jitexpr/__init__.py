"""jitexpr: a JIT-compiling, numexpr-compatible array expression evaluator.

``import jitexpr as numexpr`` works in code written for numexpr::

    import numpy as np, jitexpr as ne
    a = np.random.rand(10**6); b = np.random.rand(10**6)
    ne.evaluate("2*a + 3*b")

Expressions are compiled by LLVM into one fused, vectorised loop per
expression and input dtypes, then cached: a repeated call costs a dict
look-up and the loop.  The C extension (_jitexpr) does the per-call work;
this module adds the pieces of numexpr's surface that are plain Python.
Nothing here (or there) calls Python's eval() or compile() on an
expression: libjitexpr's parser is its only reader.

See docs/python.md for the differences from numexpr.
"""

import os as _os
import platform as _platform
import sys as _sys

import numpy as _np

from . import _jitexpr
from ._expressions import E, Expression
from ._jitexpr import (
    IntegerOverflowError,
    UnsupportedAttributeError,
    UnsupportedSyntaxError,
    UnsupportedTypeError,
    cache_info,
    clear_cache,
    detect_number_of_cores,
    evaluate,
    get_num_threads,
    re_evaluate,
    set_cache_dir,
    set_cache_size,
    set_num_threads,
    set_result_cache,
    set_tier,
    target_info,
    validate,
)

__all__ = [
    "E",
    "IntegerOverflowError",
    "MAX_THREADS",
    "NumExpr",
    "cache_info",
    "clear_cache",
    "detect_number_of_cores",
    "detect_number_of_threads",
    "disassemble",
    "evaluate",
    "explain",
    "get_num_threads",
    "get_vml_num_threads",
    "get_vml_version",
    "ncores",
    "nthreads",
    "print_versions",
    "re_evaluate",
    "set_cache_dir",
    "set_cache_size",
    "set_num_threads",
    "set_result_cache",
    "set_tier",
    "set_vml_accuracy_mode",
    "set_vml_num_threads",
    "target_info",
    "UnsupportedAttributeError",
    "UnsupportedSyntaxError",
    "UnsupportedTypeError",
    "use_vml",
    "validate",
]

#: The version of jitexpr (the Python package and libjitexpr are one release).
__version__ = _jitexpr.version()

#: The numexpr release whose public API this package implements.
__numexpr_version__ = "2.14.1"

#: The most threads set_num_threads() accepts (NUMEXPR_MAX_THREADS if set).
MAX_THREADS = _jitexpr.max_threads()

#: jitexpr does not use Intel's VML; its kernels call glibc's libmvec.
use_vml = False

#: CPUs this process may run on (affinity mask and cgroup quota), at import.
ncores = detect_number_of_cores()

#: Threads in use at import (JITEXPR_NUM_THREADS, NUMEXPR_NUM_THREADS or
#: OMP_NUM_THREADS if set, else ncores).  Like numexpr's, not updated later.
nthreads = get_num_threads()

_CONTEXT = {
    "optimization": ("none", "moderate", "aggressive"),
    "truediv": (False, True, "auto"),
}


def _context(kwargs):
    """numexpr's context keywords: checked, then (having no effect) dropped.
    Returns disable_cache."""
    disable_cache = bool(kwargs.pop("disable_cache", False))
    for name, allowed in _CONTEXT.items():
        if name in kwargs:
            value = kwargs.pop(name)
            if value not in allowed:
                raise ValueError("'%s' must be one of %s" % (name, allowed))
    if kwargs:
        raise ValueError("Unknown keyword argument '%s'" % kwargs.popitem()[0])
    return disable_cache


def _source(ex):
    if isinstance(ex, str):
        return ex
    if isinstance(ex, Expression):
        return str(ex)
    raise TypeError("an expression must be a string or built with E, not %s"
                    % type(ex).__name__)


def _signature_dtype(t):
    """A NumExpr signature type as numexpr reads it: Python ``float`` is
    numexpr's 'float', float32 (its 'double' is float64); anything else is
    what np.dtype() makes of it (a size in a dtype string beyond 2**31 - 1,
    which NumPy 1.x would read modulo 2**32, is a ValueError)."""
    if t is float:
        return _np.dtype(_np.float32)
    if t is complex:
        return _np.dtype(_np.complex128)
    return _jitexpr._dtype(t)


def NumExpr(ex, signature=(), sanitize=None, **kwargs):
    """Compile an expression into a callable object.

    ``ex`` is a string, or an expression built with ``E``.  ``signature``
    is a sequence of ``(name, type)`` pairs: the order of the arguments and
    their dtypes.  Without it the arguments are the expression's variables
    in sorted order, all float64 (as numexpr).  The object is called as
    ``nex(*args, out=None, order='K', casting='safe')``; arguments of other
    dtypes are cast to the compiled ones under ``casting``.

    ``sanitize`` is accepted for compatibility: nothing is eval()'d.
    """
    disable_cache = _context(dict(kwargs))
    ex = _source(ex)
    sig_names, dtypes = _signature(ex, signature, _signature_dtype)
    return _jitexpr._compile(ex, tuple(sig_names), tuple(dtypes), disable_cache)


def _signature(ex, signature, dtype_of):
    """The argument names and dtypes of a NumExpr of source ex: those of
    signature ((name, type) pairs, each type made a dtype by dtype_of),
    checked against ex's variables; else ex's variables sorted, float64."""
    names = _jitexpr._names(ex)
    if not signature:
        names = sorted(names)
        return names, [_np.dtype(_np.float64)] * len(names)
    sig_names = [name for name, _ in signature]
    # Names match in NFKC form (PEP 3131): "\u00b5" is "\u03bc".
    if set(map(_jitexpr._normalize, sig_names)) != set(names):
        raise ValueError("input names (%s) don't match those found in "
                         "expression (%s)" % (sig_names, set(names)))
    return sig_names, [dtype_of(t) for _, t in signature]


def disassemble(nex):
    """The compiled program of a NumExpr object: its typed IR, one
    instruction per list entry (numexpr lists its virtual-machine code)."""
    return [line.split() for line in nex.ir.splitlines() if line.strip()]


_EXPLAIN = {
    "ast": _jitexpr.EXPLAIN_AST,
    "ir": _jitexpr.EXPLAIN_IR,
    "llvm": _jitexpr.EXPLAIN_LLVM,
    "asm": _jitexpr.EXPLAIN_ASM,
}


def explain(ex, local_dict=None, what="ir", **dtypes):
    """Text of what jitexpr makes of ``ex``: ``what`` is any of "ast",
    "ir", "llvm", "asm" or "all" (or a list of them).  The dtypes of the
    variables come from the values in ``local_dict`` (a Python int or float
    is weak, as evaluate() passes it) or from keywords
    (``explain("a*b", a="float32", b="float32")``); float64 otherwise."""
    ex = _source(ex)
    parts = ["ast", "ir", "llvm", "asm"] if what == "all" else (
        [what] if isinstance(what, str) else list(what))
    mask = 0
    for p in parts:
        if p not in _EXPLAIN:
            raise ValueError("what must be one of 'ast', 'ir', 'llvm', 'asm', 'all'")
        mask |= _EXPLAIN[p]
    names = _jitexpr._names(ex)
    types, weak = [], []
    for n in names:
        t, w = _np.dtype(_np.float64), False
        if n in dtypes:  # "S99999999999": a ValueError, not NumPy's 'S1215752191'
            t = _jitexpr._dtype(dtypes[n])
        elif local_dict is not None and n in local_dict:
            v = local_dict[n]
            w = isinstance(v, (int, float)) and not isinstance(v, (bool, _np.generic))
            t = _np.dtype(_np.int64) if w and isinstance(v, int) else _np.asarray(v).dtype
        types.append(t)
        weak.append(w)
    return _jitexpr._explain(ex, tuple(names), tuple(types), mask, tuple(weak))


def detect_number_of_threads():
    """Deprecated in numexpr: the threads that NUMEXPR_NUM_THREADS or
    OMP_NUM_THREADS ask for, else the number of cores."""
    for var in ("NUMEXPR_NUM_THREADS", "OMP_NUM_THREADS"):
        try:
            return int(_os.environ[var])
        except (KeyError, ValueError):
            pass
    return detect_number_of_cores()


def get_vml_version():
    """None: jitexpr does not use VML."""
    return None


def set_vml_accuracy_mode(mode):
    """No effect (no VML); returns None, as numexpr without VML."""
    return None


def set_vml_num_threads(nthreads):
    """No effect (no VML)."""
    return None


def get_vml_num_threads():
    """None (no VML)."""
    return None


def print_versions():
    """Print the versions of jitexpr and of what it relies on."""
    info = cache_info()
    rows = [
        ("jitexpr", __version__),
        ("libjitexpr", _jitexpr.version()),
        ("numexpr API", __numexpr_version__),
        ("NumPy", _np.__version__),
        ("Python", _sys.version.replace("\n", " ")),
        ("Platform", "%s-%s" % (_sys.platform, _platform.machine())),
        ("CPU cores", str(detect_number_of_cores())),
        ("threads", "%d (MAX_THREADS %d)" % (get_num_threads(), MAX_THREADS)),
        ("VML", "no (libmvec)"),
        ("kernels", "%(kernels_compiled)d compiled, %(cache_hits)d cache hits, "
                    "%(cache_entries)d held" % info),
        ("disk cache", ("%(dir)s, %(files)d files, %(bytes)d of %(size_limit)d bytes, "
                        "%(hits)d hits, %(writes)d writes" % info["disk"])
                       if info["disk"]["enabled"] else "off"),
    ]
    target = _jitexpr.target_info().split("\n")
    rows.append(("target", target[0]))
    # The math functions whose implementation this process chose so far
    # (the first kernel that uses one measures ours against the library's).
    # Then how kernels run (inline or on threads, vector width) and what
    # timing chose so far: lines starting "run: ".
    for line in target[1:]:
        if line.startswith("run: "):
            rows.append(("run", line[5:]))
        else:
            rows.append(("math", line))
    line = "-=" * 38
    print(line)
    for k, v in rows:
        print("%-12s %s" % (k + ":", v))
    print(line)
