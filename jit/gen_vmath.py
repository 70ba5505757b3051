#!/usr/bin/env python3
"""gen_vmath.py - the polynomial coefficients of jit/vmath.c and vmath_pow.c.

    /usr/bin/python3 jit/gen_vmath.py

Prints the C tables pasted into vmath.c (powlog_* and powexp2_* into
vmath_pow.c, asin_* into vmath_asin.c, tsin_* and
tcos_* into vmath_trig.c): near-minimax (Chebyshev) fits made by mpmath at 60 digits,
rounded to the kernel's precision, highest degree first (Horner's order),
with each fit's largest error on its interval.
Run again and paste if an interval or a degree changes; the accuracy test
(tests/check_mathacc.c, bench/mathacc.py) measures the kernels themselves.
"""

import mpmath as mp
import numpy as np

mp.mp.dps = 60


def lawson(g, a, b, deg, w, m=300, rounds=60):
    """Coefficients (Chebyshev basis of [a, b]) of the polynomial of degree
    deg that nearly minimises max |w(x) (g(x) - p(x))| over m Chebyshev
    points: weighted least squares, each point's weight multiplied by its
    error every round (Lawson), and that largest weighted error."""
    xs = [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (i + mp.mpf(1) / 2) / m)
          for i in range(m)]
    ts = [mp.chebyt(j, (2 * x - a - b) / (b - a)) for x in xs
          for j in range(deg + 1)]
    gs = [g(x) for x in xs]
    ws = [w(x) for x in xs]
    lam = [mp.mpf(1) / m] * m
    for _ in range(rounds):
        lhs = mp.matrix(deg + 1, deg + 1)
        rhs = mp.matrix(deg + 1, 1)
        for i in range(m):
            c = lam[i] * ws[i] ** 2
            row = ts[i * (deg + 1):(i + 1) * (deg + 1)]
            for j in range(deg + 1):
                rhs[j] += c * row[j] * gs[i]
                for k in range(deg + 1):
                    lhs[j, k] += c * row[j] * row[k]
        cheb = mp.lu_solve(lhs, rhs)
        err = [abs(ws[i] * (gs[i] - mp.fsum(
            cheb[j] * ts[i * (deg + 1) + j] for j in range(deg + 1))))
            for i in range(m)]
        total = mp.fsum(lam[i] * err[i] for i in range(m))
        lam = [lam[i] * err[i] / total for i in range(m)]
    return cheb, max(err)


def fit(name, g, a, b, deg, f32, weight=None):
    """Prints the table of name: g on [a, b], a Chebyshev fit, or with
    weight the fit that keeps weight(x) * error smallest (lawson)."""
    if weight is None:
        poly, err = mp.chebyfit(g, [a, b], deg + 1, error=True)
    else:
        cheb, err = lawson(g, a, b, deg, weight)
        # to powers of x, highest first: through deg + 1 points
        xs = [a + (b - a) * mp.mpf(i) / deg for i in range(deg + 1)]
        vals = [mp.fsum(cheb[j] * mp.chebyt(j, (2 * x - a - b) / (b - a))
                        for j in range(deg + 1)) for x in xs]
        vand = mp.matrix([[x ** (deg - j) for j in range(deg + 1)]
                          for x in xs])
        poly = list(mp.lu_solve(vand, mp.matrix(vals)))
    ctype = "float" if f32 else "double"
    vals = [float(np.float32(float(c))) if f32 else float(c) for c in poly]
    print("/* %s on [%s, %s], degree %d: error %s%s */"
          % (name, mp.nstr(a, 6), mp.nstr(b, 6), deg, mp.nstr(err, 3),
             "" if weight is None else " (weighted)"))
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


# cbrt(c), c = 2^e * m in [1, 8), e in {0, 1, 2}, m in [1, 2): the first
# 1/cbrt(c) is R(m) * K(2^e), R fitted for its relative error (weight
# 1/R), K the parabola through (s, s^(-1/3)), s = 1, 2, 4 (exact there, to
# the coefficients' rounding)
def cbrt_r(m):
    return m ** (-mp.mpf(1) / 3)


def parabola(name, g):
    """Prints the table of name: the parabola through (s, g(s)), s = 1, 2,
    4, highest degree first."""
    s = [mp.mpf(1), mp.mpf(2), mp.mpf(4)]
    vand = mp.matrix([[x ** (2 - j) for j in range(3)] for x in s])
    poly = mp.lu_solve(vand, mp.matrix([g(x) for x in s]))
    print("/* %s at s = 2^e, e = 0, 1, 2 */" % name)
    print("static const double %s[] = {" % name)
    for c in poly:
        print("    %s," % float(c).hex())
    print("};")


# sin(r) = r + r*z*S(z), z = r*r, |r| <= pi/2
def sin_s(z):
    if z == 0:
        return mp.mpf(-1) / 6
    r = mp.sqrt(z)
    return (mp.sin(r) - r) / r ** 3


# log(1+f) = f - s*(f - z*P(z)), s = f/(2+f), z = s*s: P(z) = 2*(atanh(s)/s
# - 1)/z; 1+f in [sqrt(1/2), sqrt(2)), |s| <= 3 - 2*sqrt(2)
S8 = 3 - 2 * mp.sqrt(2)


def log_p(z):
    if z == 0:
        return mp.mpf(2) / 3
    r = mp.sqrt(z)
    return 2 * (mp.atanh(r) / r - 1) / z


fit("sin_f64", sin_s, 0, (mp.pi / 2) ** 2, 7, False)
# weight z: the error z*(P - p) relative to atan(r), at most 0.26 ULP
# near r = tan(pi/8) (an unweighted fit of degree 9: 1 ULP)
fit("atan_f64", atan_p, 0, T8 ** 2, 9, False, weight=lambda z: z)
fit("atan_f32", atan_p, 0, T8 ** 2, 4, True)
fit("expm1_f64", expm1_q, -H, H, 10, False)
fit("expm1_f32", expm1_q, -H, H, 5, True)
# float64: R, then a correction by 2/3*(1 - c*z^3) (to 2e-10); float32: R
fit("cbrt_f64", cbrt_r, 1, 2, 5, False, weight=lambda m: 1 / cbrt_r(m))
fit("cbrt_f32", cbrt_r, 1, 2, 5, True, weight=lambda m: 1 / cbrt_r(m))
parabola("cbrt_k", lambda s: s ** (-mp.mpf(1) / 3))  # 2^(-e/3)
# weight z: s*z*(P - p) is the error, relative to log(1+f) ~ 2s, z*(P - p)/2:
# uniform over the interval (degree 5: 3.8e-16, 1.7 ULP everywhere)
fit("log_f64", log_p, 0, S8 ** 2, 6, False, weight=lambda z: z)
fit("log_f32", log_p, 0, S8 ** 2, 2, True, weight=lambda z: z)


# pow(x, y) = 2^(y * log2(x)).  log2(m), m in [sqrt(1/2), sqrt(2)), from
# s = (m - 1)/(m + 1): log2(m) = 2/(3 ln 2) * s * q, q = 3 atanh(s)/s =
# 3 + z + z*z*R(z), z = s*s <= (3 - 2 sqrt 2)^2; 3 + z is a double-double
# (float32: a float-float), so only z*z*R's absolute error counts (weight
# z*z).
ZP = (3 - 2 * mp.sqrt(2)) ** 2 * mp.mpf("1.0001")


def powlog_r(z):
    if z == 0:
        return mp.mpf(3) / 5
    s = mp.sqrt(z)
    return (3 * mp.atanh(s) / s - 3 - z) / z ** 2


# 2^r = 1 + r*E(r), |r| <= 1/2 (and the low part of y*log2(x)): the error
# r*(E - e) relative to 2^r (weight r/2^r).
R2 = mp.mpf("0.5001")


def exp2_e(r):
    if abs(r) < mp.mpf(10) ** -40:
        return mp.log(2)
    return (mp.power(2, r) - 1) / r


fit("powlog_f64", powlog_r, 0, ZP, 6, False, weight=lambda z: z * z)
fit("powexp2_f64", exp2_e, -R2, R2, 10, False,
    weight=lambda r: r / mp.power(2, r))
# float32 computes in float, as float64 does in double (float-floats for
# double-doubles); its r takes the low part of y * log2(x) too, |r| <= 0.56
fit("powlog_f32", powlog_r, 0, ZP, 2, True, weight=lambda z: z * z)
fit("powexp2_f32", exp2_e, -mp.mpf("0.56"), mp.mpf("0.56"), 5, True,
    weight=lambda r: r / mp.power(2, r))


# tan, and sin and cos of floats (jit/vmath_trig.c): x = k*pi/2 + r, |r| <=
# pi/4; sin(r) = r + r*z*S(z) and cos(r) = 1 - z/2 + z*z*C(z), z = r*r,
# side by side.
Q4 = (mp.pi / 4) ** 2 * mp.mpf("1.0001")


def cos_c(z):
    if z == 0:
        return mp.mpf(1) / 24
    r = mp.sqrt(z)
    return (mp.cos(r) - 1 + z / 2) / z ** 2


fit("tsin_f64", sin_s, 0, Q4, 5, False)
fit("tcos_f64", cos_c, 0, Q4, 5, False)
fit("tsin_f32", sin_s, 0, Q4, 3, True)
fit("tcos_f32", cos_c, 0, Q4, 2, True)


# asin(t) = t + t*z*P(z), z = t*t, t in [0, 1/2] (jit/vmath_asin.c: t = |x|
# up to 1/2, beyond it t = sqrt((1 - |x|)/2)): weight z, the error z*(P - p)
# relative to asin(t) (asin(t)/t is within [1, 1.048]).  The series
# converges as 4^-n at z = 1/4: degree 10 would leave 2.4e-16, 1-2 ULP.
def asin_p(z):
    if z == 0:
        return mp.mpf(1) / 6
    t = mp.sqrt(z)
    return (mp.asin(t) / t - 1) / z


fit("asin_f64", asin_p, 0, mp.mpf(1) / 4, 11, False, weight=lambda z: z)
fit("asin_f32", asin_p, 0, mp.mpf(1) / 4, 4, True, weight=lambda z: z)




# sinh and cosh (vmath_atan.c): t = k*ln2 + r, |r| <= ln2/2 (and the
# shifter's rounding), cosh(r) = 1 + z*E(z), sinh(r) = r + r*z*O(z), z =
# r*r: weight z, the error of z*E relative to cosh(r), of z*O relative to
# sinh(r).
HS = mp.log(2) / 2 * mp.mpf("1.0001")


def cosh_e(z):
    if z == 0:
        return mp.mpf(1) / 2
    r = mp.sqrt(z)
    return (mp.cosh(r) - 1) / z


def sinh_o(z):
    if z == 0:
        return mp.mpf(1) / 6
    r = mp.sqrt(z)
    return (mp.sinh(r) - r) / (r * z)


fit("cosh_f64", cosh_e, 0, HS ** 2, 4, False, weight=lambda z: z)
fit("sinh_f64", sinh_o, 0, HS ** 2, 4, False, weight=lambda z: z)
fit("cosh_f32", cosh_e, 0, HS ** 2, 2, True, weight=lambda z: z)
fit("sinh_f32", sinh_o, 0, HS ** 2, 2, True, weight=lambda z: z)
