#!/usr/bin/env python3
"""gen_vmath.py - the polynomial coefficients of jit/vmath.c.

    /usr/bin/python3 jit/gen_vmath.py

Prints the C tables pasted into vmath.c: near-minimax (Chebyshev) fits made
by mpmath at 60 digits, rounded to the kernel's precision, highest degree
first (Horner's order), with each fit's largest error on its interval.
Run again and paste if an interval or a degree changes; the accuracy test
(tests/check_mathacc.c, bench/mathacc.py) measures the kernels themselves.
"""

import mpmath as mp
import numpy as np

mp.mp.dps = 60


def fit(name, g, a, b, deg, f32):
    poly, err = mp.chebyfit(g, [a, b], deg + 1, error=True)
    ctype = "float" if f32 else "double"
    vals = [float(np.float32(float(c))) if f32 else float(c) for c in poly]
    print("/* %s on [%s, %s], degree %d: error %s */"
          % (name, mp.nstr(a, 6), mp.nstr(b, 6), deg, mp.nstr(err, 3)))
    print("static const %s %s[] = {" % (ctype, name))
    for v in vals:
        print("    %s," % v.hex())
    print("};")


# atan(r) = r + r*z*P(z), z = r*r, |r| <= tan(pi/8)
T8 = mp.tan(mp.pi / 8)


def atan_p(z):
    if z == 0:
        return mp.mpf(-1) / 3
    r = mp.sqrt(z)
    return (mp.atan(r) / r - 1) / z


# expm1(r) = r + r*r*Q(r), |r| <= ln(2)/2
H = mp.log(2) / 2


def expm1_q(r):
    if abs(r) < mp.mpf(10) ** -40:
        return mp.mpf(1) / 2
    return (mp.expm1(r) - r) / r ** 2


# sin(r) = r + r*z*S(z), z = r*r, |r| <= pi/2
def sin_s(z):
    if z == 0:
        return mp.mpf(-1) / 6
    r = mp.sqrt(z)
    return (mp.sin(r) - r) / r ** 3


fit("sin_f64", sin_s, 0, (mp.pi / 2) ** 2, 7, False)
fit("atan_f64", atan_p, 0, T8 ** 2, 10, False)
fit("atan_f32", atan_p, 0, T8 ** 2, 4, True)
fit("expm1_f64", expm1_q, -H, H, 10, False)
fit("expm1_f32", expm1_q, -H, H, 5, True)
