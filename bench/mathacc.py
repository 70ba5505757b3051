#!/usr/bin/python3
"""mathacc.py - the largest error in ULP of every math function (the LIBM
rows of src/ops.h), float32 and float64, against mpmath: the table of
docs/math.md.  Same domains as tests/python/test_ops.py, more points.

    PYTHONPATH=py /usr/bin/python3 bench/mathacc.py [POINTS]
"""
import os
import sys

import mpmath

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "python"))
import test_ops  # noqa: E402  (the domains and the error measure)

n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
print("| function | float32 | float64 |")
print("|---|---|---|")
for op in test_ops.MATH_FUNCTIONS:
    errs = [test_ops.math_error(op, dt, n, mpmath, seed=11) for dt in ("float32", "float64")]
    print("| %s | %.2f | %.2f |" % (op.spell, errs[0], errs[1]))
