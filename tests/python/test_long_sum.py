"""One expression with many math calls: 300 distinct terms of one
function, summed, against NumPy's sum of the same terms in the same order.
Past the few kernels that vmath.c writes out in a loop (jit/emit.h
CG_VM_KERNELS) the calls go to the library; each term is within
ULP_TOLERANCE either way (bench/compile_size.py times such expressions).
"""

import numpy as np
import pytest

import jitexpr
from conftest import ULP_TOLERANCE

# (function, how many operands, the scale of the argument of term i: a * s_i)
LONG_SUMS = [("sin", 1, 1.0), ("cos", 1, 1.0), ("tanh", 1, 0.1), ("arctan2", 2, 1.0),
             ("cbrt", 1, 1.0), ("log1p", 1, 1.0), ("log", 1, 1.0), ("expm1", 1, 0.01),
             ("exp", 1, 0.01), ("arccosh", 1, 1.0), ("**", 1, 0.01),
             ("arcsin", 1, 0.01), ("arccos", 1, 0.01)]  # a*c within [0, 0.86]


def long_term(fn, nargs, c):
    """One term of a long sum: fn of a*c (and b), as text."""
    if fn == "**":
        return "a**%r" % (0.5 + c)
    if fn == "arccosh":
        return "arccosh(1 + a*%r)" % c
    return "%s(a*%r%s)" % (fn, c, ", b" if nargs == 2 else "")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn,nargs,scale", LONG_SUMS, ids=[s[0] for s in LONG_SUMS])
def test_long_sum(fn, nargs, scale, dtype):
    """300 distinct terms of one function, summed in one expression: past
    the few that vmath.c writes out in the loop (jit/emit.h CG_VM_KERNELS)
    the calls go to the library.  NumPy sums the same terms in the same
    order; the difference is within ULP_TOLERANCE ULPs of each term plus
    one ULP of the partial sums per addition."""
    k = 300
    rng = np.random.default_rng(11)
    a = rng.uniform(0.05, 2.0, 257).astype(dtype)
    b = rng.uniform(0.5, 1.5, 257).astype(dtype)
    cs = [scale * (i + 1) / 7 for i in range(k)]
    src = " + ".join(long_term(fn, nargs, c) for c in cs)
    got = jitexpr.evaluate(src, local_dict={"a": a, "b": b}, disable_cache=True)
    t = np.dtype(dtype).type
    terms = []
    for c in cs:
        if fn == "**":
            terms.append(np.power(a, t(0.5 + c)))
        elif fn == "arccosh":
            terms.append(np.arccosh(t(1) + a * t(c)))
        elif nargs == 2:
            terms.append(getattr(np, fn)(a * t(c), b))
        else:
            terms.append(getattr(np, fn)(a * t(c)))
    ref = terms[0]
    bound = ULP_TOLERANCE[dtype] * np.spacing(np.abs(terms[0])).astype(np.float64)
    for term in terms[1:]:
        ref = ref + term
        bound += (ULP_TOLERANCE[dtype] * np.spacing(np.abs(term)).astype(np.float64) +
                  np.spacing(np.abs(ref)).astype(np.float64))
    assert got.dtype == ref.dtype
    assert np.all(np.isfinite(ref))
    err = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    assert np.all(err <= bound), "%s: %d elements off, worst %r (bound %r)" % (
        fn, int(np.sum(err > bound)), float(np.max(err - bound)), float(bound[np.argmax(err - bound)]))
