#!/usr/bin/python3
"""Writes tests/mathacc_data.h: points and reference values of the math
functions (exp, log, sin, cos, tan, pow, tanh, arctan2, expm1, cbrt,
log1p, arccosh, arcsin, arccos, log2, log10, exp2, arcsinh, arctanh, arctan,
sinh, cosh) for check_mathacc.c.  Run with Debian's /usr/bin/python3, which has
mpmath (python3-mpmath) and NumPy, and commit the output; the test itself
needs neither.

    /usr/bin/python3 tests/gen_mathacc_data.py > tests/mathacc_data.h

Two kinds of rows:

  acc_points   a finite argument (x, and y for pow and arctan2: x**y,
               arctan2(x, y), so x is the ordinate) of float64 or float32
               and the exact value of the function there, computed by
               mpmath at 256 bits (more where the argument is huge: mpmath
               widens its precision for the argument reduction itself), as
               the nearest double `hi` plus the nearest double `lo` to what
               is left (0 where that is below the smallest subnormal).
               The test measures the kernel's error in ULP of the dtype
               against hi + lo.  Points whose result overflows the dtype
               are left out.
  acc_special  arguments whose result is exceptional: NaN, an infinity, a
               signed zero, or exact (exp(0) = 1, pow(x, 0) = 1, tanh
               rounding to 1 far out, arctan2 of a zero or an infinity:
               0, pi/4, pi/2, 3pi/4, pi, their signs); the
               expected value is NumPy's own result for that dtype, so the
               kernel must give exactly what NumPy gives.

The points are fixed by the seed: the file only changes when this script
does.
"""
import math
import random
import warnings

import mpmath
import numpy as np

warnings.simplefilter("ignore")
mpmath.mp.prec = 256
rng = random.Random(20240611)

# New functions go at the end: the points are drawn in this order from one
# seeded generator, so the earlier tables stay as they are.
FUNCS = ["exp", "log", "sin", "cos", "tan", "pow", "tanh", "arctan2", "expm1",
         "cbrt", "log1p", "arccosh", "arcsin", "arccos", "log2", "log10",
         "exp2", "arcsinh", "arctanh", "arctan", "sinh", "cosh"]
TWO_OPERANDS = ("pow", "arctan2")
DTYPES = {"float64": np.float64, "float32": np.float32}

# Per dtype: the largest finite value, the smallest subnormal, the mantissa
# bits, and the arguments where exp overflows and underflows to zero.
LIMITS = {
    "float64": dict(max=1.7976931348623157e308, tiny=5e-324, emin=-1074,
                    emax=1023, exp_hi=709.782712893384, exp_lo=-745.1332191019412),
    "float32": dict(max=3.4028234663852886e38, tiny=1.401298464324817e-45,
                    emin=-149, emax=127, exp_hi=88.72283935546875,
                    exp_lo=-103.97208404541016),
}


def rnd(dt, x):
    """x rounded to dtype dt, as a Python float."""
    return float(DTYPES[dt](x))


def loguniform(lo_exp, hi_exp):
    """A positive value with an exponent uniform in [lo_exp, hi_exp)."""
    return math.ldexp(1.0 + rng.random(), rng.randrange(lo_exp, hi_exp))


def sign():
    return 1.0 if rng.random() < 0.5 else -1.0


def near(x, dt, k=3):
    """x rounded to dt, and its neighbours up to k steps away."""
    t = DTYPES[dt]
    v = t(x)
    out = [v]
    up = down = v
    for _ in range(k):
        up = np.nextafter(up, t(np.inf))
        down = np.nextafter(down, t(-np.inf))
        out += [up, down]
    return [float(o) for o in out]


def args_exp(dt):
    L = LIMITS[dt]
    xs = [rng.uniform(L["exp_lo"], L["exp_hi"]) for _ in range(120)]
    xs += [sign() * loguniform(-60, 10) for _ in range(90)]
    xs += [rng.uniform(-1, 1) for _ in range(50)]
    xs += [-rng.random() ** 2 / 2 for _ in range(30)]           # exp(-a*a/2)
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], -40))
           for _ in range(20)]                                   # tiny, subnormal
    xs += [L["exp_hi"] - rng.random() * 0.5 for _ in range(25)]  # near overflow
    # near the bottom: subnormal results, and the last ones before zero
    sub_lo = math.log(L["tiny"]) + 0.7
    xs += [rng.uniform(sub_lo, sub_lo + 40) for _ in range(40)]
    xs += [rng.uniform(L["exp_lo"] + 0.01, sub_lo) for _ in range(10)]
    normal_min = 2.0 ** (-1022 if dt == "float64" else -126)
    for v in (L["exp_hi"], math.log(L["max"]), math.log(normal_min)):
        xs += near(v, dt, 2)
    xs += [float(k) for k in range(-20, 21) if k != 0] + [0.5, -0.5, 1e-10, -1e-10]
    return [(x,) for x in xs]


def log_points(L):
    """Points of a log: over every exponent, near 1, subnormal."""
    xs = [loguniform(L["emin"] + 1, L["emax"]) for _ in range(150)]
    xs += [1.0 + sign() * math.ldexp(rng.random(), -rng.randrange(1, 50))
           for _ in range(100)]                                  # near 1
    xs += [math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], L["emin"] + 52))
           for _ in range(25)]                                   # subnormal
    return xs


def args_log(dt):
    L = LIMITS[dt]
    xs = log_points(L)
    xs += [rng.uniform(0.1, 1.1) for _ in range(50)]            # the bench data
    xs += [rng.uniform(0.5, 2.0) for _ in range(50)]
    xs += [L["tiny"], L["max"], 2.0, 0.5, 10.0, math.e]
    xs += near(1.0, dt, 5)
    return [(x,) for x in xs]


def args_log1p(dt):
    L = LIMITS[dt]
    xs = [rng.uniform(-0.5, 1.0) for _ in range(100)]
    xs += [rng.uniform(0.1, 1.1) for _ in range(40)]            # the bench data
    xs += [sign() * loguniform(-60, -1) for _ in range(80)]     # near 0
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], -60))
           for _ in range(25)]                                   # tiny, subnormal
    xs += [-1.0 + math.ldexp(1.0 + rng.random(), -rng.randrange(2, 54))
           for _ in range(40)]                                   # near -1
    xs += [loguniform(0, L["emax"]) for _ in range(60)]         # large
    # where u = 1 + x changes binade (k) and rounds: sqrt(1/2) - 1,
    # sqrt(2) - 1, 2^n - 1, and 1 + x past 2^p (the correction vanishes)
    for v in (math.sqrt(0.5) - 1, math.sqrt(2) - 1, 1.0, 3.0, 2.0 ** 30 - 1,
              2.0 ** (53 if dt == "float64" else 24)):
        xs += near(v, dt, 2)
    xs += [L["tiny"], -L["tiny"], L["max"], 1e-300 if dt == "float64" else 1e-38]
    return [(x,) for x in xs]


def args_trig(dt, f):
    L = LIMITS[dt]
    xs = [rng.uniform(-2 * math.pi, 2 * math.pi) for _ in range(80)]
    xs += [rng.uniform(0.1, 1.1) for _ in range(40)]            # the bench data
    xs += [rng.uniform(-1e4, 1e4) for _ in range(60)]
    xs += [sign() * loguniform(-30, L["emax"]) for _ in range(80)]
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], -30))
           for _ in range(20)]                                   # tiny, subnormal
    # Near the zeros (sin, tan: k*pi; cos: (k + 1/2)*pi) and the poles of
    # tan ((k + 1/2)*pi): the relative error of the result is hardest there.
    half = f in ("cos", "tan")
    for _ in range(30):
        k = rng.randrange(1, 1 << rng.choice([4, 10, 20]))
        for h in ([0.0, 0.5] if f == "tan" else [0.5 if half else 0.0]):
            xs += near(float(mpmath.mpf(k + h) * mpmath.pi), dt, 1)
    # Near the peaks (sin: (k + 1/2)*pi, cos: k*pi), where libmvec's results
    # can pass 1 by an ULP (the kernel clamps them).
    if f in ("sin", "cos"):
        for _ in range(20):
            k = rng.randrange(1, 1 << rng.choice([4, 10, 20]))
            xs += near(float(mpmath.mpf(k + (0.5 if f == "sin" else 0.0)) * mpmath.pi), dt, 1)
        seen = {("float64", "cos"): "-0x1.3038de061adeep+20",
                ("float32", "sin"): "0x1.2d99acp+2", ("float32", "cos"): "0x1.5bee7p+10"}
        if (dt, f) in seen:
            xs += near(float.fromhex(seen[dt, f]), dt, 1)
    xs += near(math.pi / 2, dt, 2) + near(math.pi, dt, 2)
    xs += [1e22, 1e300 if dt == "float64" else 1e38, L["max"], -L["max"], L["tiny"]]
    return [(x,) for x in xs]


def args_pow(dt):
    L = LIMITS[dt]
    big = 1000 if dt == "float64" else 120
    ps = []
    for _ in range(120):
        x = loguniform(-20, 20)
        y = rng.uniform(-30, 30)
        ps.append((x, y))
    ps += [(rng.uniform(0.1, 1.1), 2.5) for _ in range(50)]     # the bench
    ps += [(rng.uniform(0.0, 10.0), rng.choice([0.5, 1.5, 2.5, -0.5, 1 / 3, 3.7]))
           for _ in range(50)]
    # x near 1, y large: the error of log(x) is multiplied by y
    for _ in range(60):
        x = 1.0 + sign() * math.ldexp(rng.random(), -rng.randrange(5, 40))
        y = sign() * loguniform(5, 30)
        ps.append((x, y))
    # negative x, integer y
    ps += [(-loguniform(-10, 10), float(rng.randrange(-40, 41))) for _ in range(50)]
    # results near overflow and in the subnormal range
    for _ in range(30):
        x = loguniform(1, 12)
        ly = math.log(L["max"]) / math.log(x)
        ps.append((x, ly * rng.uniform(0.97, 1.0)))
        ps.append((x, -ly * rng.uniform(1.0, 1.05)))
    # large and tiny x
    ps += [(loguniform(L["emin"] + 1, L["emax"]), rng.uniform(-1, 1)) for _ in range(30)]
    ps += [(rng.uniform(0.5, 4), float(rng.randrange(-big, big))) for _ in range(30)]
    # exact results
    ps += [(3.0, 1.0), (-3.0, 2.0), (2.0, 10.0), (4.0, 0.5), (-2.0, -3.0), (0.25, -2.0)]
    return ps


def args_tanh(dt):
    L = LIMITS[dt]
    # where tanh rounds to 1 in dt (19.06 for float64, 9.01 for float32)
    p = 53 if dt == "float64" else 24
    sat = float(mpmath.atanh(1 - mpmath.mpf(2) ** -(p + 1)))
    sat_lo, sat_hi = (19.0, 23.0) if dt == "float64" else (8.0, 10.0)
    xs = [rng.uniform(-20, 20) for _ in range(120)]
    xs += [rng.uniform(0.1, 1.1) for _ in range(30)]            # the bench data
    xs += [sign() * loguniform(-40, 0) for _ in range(50)]      # near 0
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], -40))
           for _ in range(25)]                                   # tiny, subnormal
    xs += [sign() * rng.uniform(0.5, 1.0) for _ in range(40)]   # tanh 0.46..0.76
    xs += [sign() * rng.uniform(1.0, 5.0) for _ in range(30)]
    xs += [sign() * rng.uniform(sat_lo, sat_hi) for _ in range(40)]  # saturation
    xs += [sign() * loguniform(5, L["emax"]) for _ in range(20)]     # huge
    # tanh = 0.5 (a binade of the result), the expm1 reduction's k = 1
    # (2|x| = ln2/2) and the cap of the saturation
    for v in (math.atanh(0.5), math.log(2) / 4, sat, 22.0 if dt == "float64" else 10.0):
        xs += near(v, dt, 2) + near(-v, dt, 1)
    xs += [L["max"], -L["max"], L["tiny"], -L["tiny"], 1.0, -1.0, 0.5, 2.0]
    return [(x,) for x in xs]


def args_atan2(dt):
    """(y, x) pairs, the arguments of arctan2(y, x)."""
    L = LIMITS[dt]
    e = 30 if dt == "float64" else 20
    ps = []
    for _ in range(100):                                        # ordinary
        ps.append((sign() * loguniform(-e, e), sign() * loguniform(-e, e)))
    for _ in range(40):                                         # any magnitudes
        ps.append((sign() * loguniform(L["emin"] + 1, L["emax"]),
                   sign() * loguniform(L["emin"] + 1, L["emax"])))
    ps += [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(30)]
    # |y/x| near tan(pi/8), 1 and tan(3pi/8): where the kernel changes
    # reduction (n > d tan(pi/8)) and swaps the operands (|y| > |x|)
    for q in (math.sqrt(2) - 1, 1.0, math.sqrt(2) + 1):
        for _ in range(25):
            x = sign() * loguniform(-e, e)
            ratio = q * (1 + sign() * math.ldexp(rng.random(), -rng.randrange(1, 50)))
            ps.append((sign() * abs(x) * ratio, x))
        for y in near(q, dt, 2):
            ps += [(y, 1.0), (-y, -1.0), (1.0, y), (-1.0, y)]
    # |y| >> |x| and |y| << |x|: ratios up to 1e300 (float32: 1e38), and
    # results in the subnormal range
    top = 997 if dt == "float64" else 125
    for _ in range(30):
        k = rng.randrange(10, top)
        y = sign() * loguniform(-e, e)
        x = sign() * math.ldexp(abs(y) * (1 + rng.random()), k)
        if math.isfinite(x):
            ps += [(y, x), (x, y)]
    for _ in range(30):
        ey = rng.randrange(L["emin"] + 20, 0)
        ex = ey - L["emin"] + rng.randrange(-60, 0)  # y/x around the subnormals
        if ex < L["emax"]:
            ps.append((sign() * math.ldexp(1.0 + rng.random(), ey),
                       sign() * math.ldexp(1.0 + rng.random(), ex)))
    # both tiny (subnormal) and both huge
    def tiny():
        s, m = sign(), 1.0 + rng.random()  # in this order: the seeded points
        return s * math.ldexp(m, rng.randrange(L["emin"], L["emin"] + 60))
    for _ in range(30):
        y = tiny()
        ps.append((y, tiny()))
    for _ in range(30):  # up to the largest finite value
        ps.append((sign() * loguniform(L["emax"] - 3, L["emax"] + 1),
                   sign() * loguniform(L["emax"] - 3, L["emax"] + 1)))
    M, T = L["max"], L["tiny"]
    ps += [(M, M), (-M, M), (M, 0.6 * M), (0.6 * M, -M), (T, T), (T, -T), (M, T),
           (T, M), (T, 2 * T), (-T, 2 * T), (2 * T, -T), (3 * T, 7 * T), (2 * T, 5 * T)]
    # exact operands, rounded results: pi/4, 3pi/4 and so on
    for y in (1.0, -1.0, 2.0, -3.0):
        for x in (1.0, -1.0, 2.0, -3.0):
            ps.append((y, x))
    return ps


def args_expm1(dt):
    L = LIMITS[dt]
    low = -37.5 if dt == "float64" else -17.4  # expm1 rounds to -1 below
    xs = [rng.uniform(low - 3, L["exp_hi"]) for _ in range(100)]
    xs += [rng.uniform(-3, 3) for _ in range(80)]
    xs += [sign() * loguniform(-60, 0) for _ in range(80)]      # near 0
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], -60))
           for _ in range(20)]                                   # tiny, subnormal
    xs += [L["exp_hi"] - rng.random() * 0.5 for _ in range(20)]  # near overflow
    xs += [rng.uniform(low - 3, low + 3) for _ in range(20)]     # near -1
    # the reduction's k changes sign and steps at (j + 1/2)*ln2, j = -3..3;
    # the kernel's k - 1 + bias and its clamps at -40 (float: -20) and 710
    # (float: 89)
    for j in range(-3, 4):
        xs += near((j + 0.5) * math.log(2), dt, 1)
    for v in (L["exp_hi"], low, -40.0 if dt == "float64" else -20.0,
              2.0 ** -54, -(2.0 ** -54), 2.0 ** -25, -(2.0 ** -25)):
        xs += near(v, dt, 2)
    xs += [1.0, -1.0, 0.5, -0.5, 2.0, 10.0, L["tiny"], -L["tiny"]]
    return [(x,) for x in xs]


def args_cbrt(dt):
    L = LIMITS[dt]
    xs = [sign() * loguniform(L["emin"] + 1, L["emax"]) for _ in range(150)]
    xs += [rng.uniform(-100, 100) for _ in range(60)]
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], L["emin"] + 60))
           for _ in range(40)]                                   # subnormal
    # each exponent modulo 3, and the edges of the mantissa interval
    for e in range(-6, 7):
        xs += near(math.ldexp(1.0, e), dt, 1) + near(math.ldexp(1.999999, e), dt, 1)
    xs += [float(k ** 3) for k in range(1, 30)] + [-8.0, -27.0, 0.001, 1e-300 if dt == "float64" else 1e-30]
    normal_min = 2.0 ** (-1022 if dt == "float64" else -126)
    xs += near(normal_min, dt, 2) + [L["tiny"], -L["tiny"], L["max"], -L["max"]]
    return [(x,) for x in xs]


def args_arccosh(dt):
    L = LIMITS[dt]
    xs = [1.0 + loguniform(-50, 0) for _ in range(100)]          # near 1
    xs += [rng.uniform(1.0, 2.0) for _ in range(60)]
    xs += [rng.uniform(1.0, 100.0) for _ in range(60)]          # the bench data
    xs += [loguniform(1, L["emax"]) for _ in range(80)]         # large
    # where the kernel changes formula: u = 2x - 1 from 2^26 (float 2^12),
    # u = x and + ln 2 from 2^1000 (float 2^126)
    for v in ((2.0 ** 26, 2.0 ** 1000) if dt == "float64" else (2.0 ** 12, 2.0 ** 126)):
        xs += near(v, dt, 2)
    xs += near(1.0, dt, 3) + near(2.0, dt, 1) + [L["max"]]
    return [(x,) for x in xs if rnd(dt, x) >= 1.0]


def args_asin(dt):
    """arcsin and arccos: [-1, 1], near +-1/2 (where the kernel switches
    to sqrt((1 - |x|)/2)), near +-1, tiny and subnormal."""
    L = LIMITS[dt]
    p = 53 if dt == "float64" else 24
    xs = [rng.uniform(-1, 1) for _ in range(150)]
    xs += [sign() * (0.5 + sign() * loguniform(-p, -3)) for _ in range(60)]
    xs += [sign() * (1.0 - loguniform(-p, -1)) for _ in range(60)]
    xs += [sign() * loguniform(L["emin"], -1) for _ in range(50)]
    xs += [sign() * rng.uniform(0.4, 0.6) for _ in range(40)]
    for v in (0.5, -0.5, 1.0, -1.0, 0.25, -0.25):
        xs += near(v, dt, 3)
    xs += [L["tiny"], -L["tiny"], 0.75, -0.75, 0.97, -0.97]
    return [(x,) for x in xs if abs(rnd(dt, x)) <= 1.0]


def args_log2_10(dt, f):
    L = LIMITS[dt]
    xs = log_points(L)
    xs += [rng.uniform(0.01, 100.0) for _ in range(50)]         # the bench data
    # the kernel's m switches binade at sqrt(1/2) * 2^k: k changes there
    for e in (-60, -1, 0, 1, 2, 30, 500 if dt == "float64" else 100):
        xs += near(math.sqrt(0.5) * 2.0 ** e, dt, 1)
    # powers of the base and their neighbours (exact or nearly integer)
    base = 2.0 if f == "log2" else 10.0
    for e in (-30, -7, -3, -1, 1, 2, 3, 5, 10, 20):
        xs += near(base ** e, dt, 1)[1:]
    xs += [L["tiny"], L["max"], 3.0, 0.5, 10.0, math.e]
    xs += near(1.0, dt, 5)
    return [(x,) for x in xs]


def args_exp2(dt):
    L = LIMITS[dt]
    lo, hi = L["emin"] - 1, L["emax"] + 1  # 2^x is 0 and inf past them
    xs = [rng.uniform(lo, hi) for _ in range(120)]
    xs += [sign() * loguniform(-60, 4) for _ in range(90)]
    xs += [rng.uniform(-20, 20) for _ in range(50)]             # the bench data
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], -40))
           for _ in range(20)]                                   # tiny, subnormal
    xs += [hi - rng.random() * 0.5 for _ in range(20)]          # near overflow
    xs += [rng.uniform(lo, lo + 60) for _ in range(40)]         # subnormal results
    # k changes at half-integers (r = +-1/2), and the range's edges
    for v in (0.5, -0.5, 1.5, 10.5, -10.5, -100.5, lo + 0.5, lo + 1.5, hi - 0.5,
              -(1022.0 if dt == "float64" else 126.0), lo + 1, hi - 1):
        xs += near(v, dt, 2)
    return [(x,) for x in xs]


def args_arcsinh(dt):
    L = LIMITS[dt]
    xs = [rng.uniform(-10, 10) for _ in range(120)]
    xs += [rng.uniform(-4, 4) for _ in range(40)]               # the bench data
    xs += [sign() * loguniform(-60, 0) for _ in range(80)]      # small
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], -60))
           for _ in range(25)]                                   # tiny, subnormal
    xs += [sign() * loguniform(0, L["emax"]) for _ in range(80)]  # large
    # y = a from 2^500 (float 2^60), + ln2
    for v in (2.0 ** 500 if dt == "float64" else 2.0 ** 60, 2.0 ** 26, 2.0 ** 12,
              1.0, 0.5, 2.0 ** -26, 2.0 ** -13):
        xs += near(v, dt, 2)
    xs += [L["tiny"], -L["tiny"], L["max"], -L["max"]]
    return [(x,) for x in xs]


def args_arctanh(dt):
    L = LIMITS[dt]
    p = 53 if dt == "float64" else 24
    xs = [rng.uniform(-1.0, 1.0) for _ in range(120)]
    xs += [rng.uniform(-0.999, 0.999) for _ in range(40)]       # the bench data
    xs += [sign() * loguniform(-60, -1) for _ in range(80)]     # small
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], -60))
           for _ in range(25)]                                   # tiny, subnormal
    xs += [sign() * (1.0 - math.ldexp(1.0 + rng.random(), -rng.randrange(2, p)))
           for _ in range(60)]                                   # near +-1
    for v in (0.5, -0.5, 2.0 ** -26, 2.0 ** -13, 0.25, 0.75):
        xs += near(v, dt, 2)
    xs += near(1.0, dt, 3)[2::2] + near(-1.0, dt, 3)[1::2]      # just inside
    xs += [L["tiny"], -L["tiny"]]
    return [(x,) for x in xs if abs(rnd(dt, x)) < 1.0]


def args_arctan(dt):
    L = LIMITS[dt]
    xs = [rng.uniform(-4, 4) for _ in range(120)]
    xs += [rng.uniform(-0.9, 0.9) for _ in range(40)]           # the bench data
    xs += [sign() * loguniform(-30, 30) for _ in range(80)]
    xs += [sign() * loguniform(L["emin"] + 1, L["emax"]) for _ in range(60)]
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], -30))
           for _ in range(20)]                                   # tiny, subnormal
    # where the kernel changes range: tan(pi/8) and tan(3pi/8), and about
    # them (r = (a - 1)/(a + 1) and -1/a near -tan(pi/8), the sum with
    # pi/4 and pi/2 cancelling most)
    for q in (math.sqrt(2) - 1, math.sqrt(2) + 1):
        xs += [sign() * q * (1 + sign() * math.ldexp(rng.random(), -rng.randrange(1, 50)))
               for _ in range(25)]
        xs += near(q, dt, 3) + near(-q, dt, 1)
    xs += near(1.0, dt, 2) + [L["max"], -L["max"], L["tiny"], -L["tiny"], 1e-300 if dt == "float64" else 1e-40]
    return [(x,) for x in xs]


def args_sinhcosh(dt):
    L = LIMITS[dt]
    # where sinh and cosh overflow (710.4759, float 89.416), the kernel's
    # cap (710.5, float 89.5), sinh = x below 2^-27 (float 2^-12)
    top = float(mpmath.acosh(mpmath.mpf(L["max"])))
    cap, tiny = (710.5, 2.0 ** -27) if dt == "float64" else (89.5, 2.0 ** -12)
    xs = [rng.uniform(-3, 3) for _ in range(100)]
    xs += [rng.uniform(-0.9, 0.9) for _ in range(40)]           # the bench data
    xs += [rng.uniform(-top, top) for _ in range(80)]
    xs += [sign() * loguniform(-40, 0) for _ in range(50)]      # near 0
    xs += [sign() * math.ldexp(1.0 + rng.random(), rng.randrange(L["emin"], -40))
           for _ in range(25)]                                   # tiny, subnormal
    xs += [sign() * (top - rng.random() * 0.5) for _ in range(25)]  # near overflow
    # the reduction's k steps at (j + 1/2)*ln2 (k = 0 below ln2/2: d = 0)
    for j in range(0, 4):
        xs += near((j + 0.5) * math.log(2), dt, 1)
    for v in (top, tiny, 1.0, 2.0):
        xs += near(v, dt, 2) + near(-v, dt, 1)
    xs += [L["tiny"], -L["tiny"], 20.0, 40.0, -cap]
    return [(x,) for x in xs]


ARGS = {"exp": args_exp, "log": args_log, "pow": args_pow, "tanh": args_tanh,
        "arctan2": args_atan2, "expm1": args_expm1, "cbrt": args_cbrt,
        "log1p": args_log1p, "arccosh": args_arccosh, "arcsin": args_asin,
        "arccos": args_asin,
        "log2": lambda dt: args_log2_10(dt, "log2"),
        "log10": lambda dt: args_log2_10(dt, "log10"), "exp2": args_exp2,
        "arcsinh": args_arcsinh, "arctanh": args_arctanh, "arctan": args_arctan,
        "sinh": args_sinhcosh, "cosh": args_sinhcosh}


def args_for(f, dt):
    if f in ARGS:
        return ARGS[f](dt)
    return args_trig(dt, f)  # sin, cos, tan


def exact(f, a):
    x = mpmath.mpf(a[0])
    if f == "exp":
        return mpmath.exp(x)
    if f == "log":
        return mpmath.log(x)
    if f == "log1p":
        return mpmath.log1p(x)
    if f == "arccosh":
        return mpmath.acosh(x)
    if f == "arcsin":
        return mpmath.asin(x)
    if f == "arccos":
        return mpmath.acos(x)
    if f == "log2":
        return mpmath.log(x, 2)
    if f == "log10":
        return mpmath.log10(x)
    if f == "exp2":
        return mpmath.power(2, x)
    if f == "arcsinh":
        return mpmath.asinh(x)
    if f == "arctanh":
        return mpmath.atanh(x)
    if f == "arctan":
        return mpmath.atan(x)
    if f == "sinh":
        return mpmath.sinh(x)
    if f == "cosh":
        return mpmath.cosh(x)
    if f == "sin":
        return mpmath.sin(x)
    if f == "cos":
        return mpmath.cos(x)
    if f == "tan":
        return mpmath.tan(x)
    if f == "tanh":
        return mpmath.tanh(x)
    if f == "arctan2":
        return mpmath.atan2(x, mpmath.mpf(a[1]))
    if f == "expm1":
        return mpmath.expm1(x)
    if f == "cbrt":
        return mpmath.cbrt(x) if x >= 0 else -mpmath.cbrt(-x)
    return mpmath.power(x, mpmath.mpf(a[1]))


def numpy_value(f, dt, a):
    t = DTYPES[dt]
    x = np.array([a[0]], dtype=t)
    if f in TWO_OPERANDS:
        y = np.array([a[1]], dtype=t)
        return float((np.power if f == "pow" else np.arctan2)(x, y)[0])
    return float(getattr(np, f)(x)[0])


def hexf(v):
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    if v == 0:
        return "-0.0" if math.copysign(1, v) < 0 else "0.0"
    return v.hex()


def split(v):
    """The exact value v as (hi, lo): hi the nearest double, lo the
    nearest double to v - hi.  hi overflows to inf past the double range
    (the test treats that point as an overflow)."""
    if abs(v) > mpmath.mpf(2) ** 1024:
        return (math.copysign(math.inf, v), 0.0)
    hi = float(v)  # mpmath rounds to nearest
    lo = float(v - mpmath.mpf(hi)) if math.isfinite(hi) else 0.0
    return hi, lo


def overflows(dt, v):
    """Whether v rounds to an infinity in dt."""
    L = LIMITS[dt]
    p = 53 if dt == "float64" else 24
    limit = mpmath.mpf(2) ** (L["emax"] + 1) - mpmath.mpf(2) ** (L["emax"] - p)
    return abs(v) >= limit


def special_args(f):
    inf, nan = math.inf, math.nan
    if f == "pow":
        return [(0.0, 0.0), (-0.0, 2.5), (-0.0, 3.0), (-0.0, -3.0), (-0.0, -2.5),
                (0.0, -1.0), (0.0, 2.5), (-inf, 2.5), (-inf, 3.0), (-inf, -3.0),
                (-inf, -2.5), (inf, -1.0), (inf, 2.5), (1.0, nan), (nan, 0.0),
                (-1.0, inf), (-1.0, -inf), (0.5, inf), (2.0, inf), (0.5, -inf),
                (2.0, -inf), (-8.0, 1 / 3), (-2.0, 0.5), (-2.0, 3.0), (nan, 1.0),
                (2.0, nan), (1.0, inf), (1.0, -3.5), (5.0, 0.0), (-5.0, -0.0),
                (inf, 0.0), (10.0, 400.0), (10.0, -400.0), (-10.0, 401.0),
                (-1.0, 1e300),
                # float32 computes in float since issue 11: NaN and the
                # infinities as y, past its range (|y*log2|x|| > 160),
                # subnormal x, -0.0 and -1 with odd and non-integer y
                (-1.0, nan), (nan, nan), (0.0, nan), (inf, nan), (nan, -inf),
                (0.0, inf), (0.0, -inf), (-0.0, -inf), (inf, inf), (inf, -inf),
                (-inf, inf), (-inf, -inf), (-2.0, -inf), (-0.5, inf),
                (1.0, -inf), (-1.0, 0.0), (-1.0, 2.5), (-1.0, 3.0),
                (2.0, 300.0), (2.0, -300.0), (-2.0, 301.0), (-0.5, 301.0),
                (-2.5, 1e10), (-0.5, 1e10), (3.0, 1e30), (0.3, 1e30),
                (1e-45, -3.0), (-1e-45, -3.0), (1e-45, 0.0), (1e-45, -0.5),
                (-1e-45, 2.5), (-0.0, 1e-45), (0.0, -1e-45), (2.0, 1e-45),
                (1e-40, 1e30), (1.0000001, -1e30), (0.99999994, -1e30)]
    if f == "arctan2":  # (y, x)
        vs = [0.0, -0.0, inf, -inf, nan, 1.0, -1.0]
        return [(y, x) for y in vs for x in vs] + [
            (5e-324, 1e300), (-5e-324, 1e300), (1e-300, 1e300), (-1e-300, 1e300)]
    xs = [0.0, -0.0, inf, -inf, nan]
    if f == "tanh":
        xs += [1000.0, -1000.0, 1e300, -1e300, 100.0, -100.0]
    if f == "exp":
        xs += [1000.0, -1000.0, 710.0, -746.0, 89.0, -104.0, 1e300, -1e300]
    if f == "log":
        xs += [-1.0, -1e-300, -inf, 1.0, -5e-324, 1e-45 * -1, 2.0 ** 10, 2.0 ** -20]
    if f in ("sin", "tan"):
        xs += [5e-324, -5e-324, 1e-300, -1e-310, 1e-45, -1e-40]
    if f == "expm1":  # -1, inf, and x itself below 2^-54
        xs += [1000.0, -1000.0, 710.0, 89.0, -40.0, -20.0, -37.5, -17.4, -100.0,
               1e300, -1e300, 5e-324, -5e-324, 1e-300, -1e-310, 1e-45, -1e-40,
               1e-20, -1e-20]
    if f == "cbrt":  # exact cubes
        xs += [8.0, -8.0, 27.0, -0.125, 1.0, -1.0, 2.0 ** 300, -(2.0 ** -300),
               2.0 ** 30, 2.0 ** -30, 1000.0]
    if f == "log1p":
        xs += [-1.0, -1.5, -2.0, -1e300, -1.0000000000000002, 1e300]
    if f == "arccosh":  # 0 at 1, NaN below 1 (and for large negatives)
        xs += [1.0, 0.5, -0.5, -1.0, -2.0, -1e10, -1e300, 0.9999999999999999, 1e300]
    if f in ("arcsin", "arccos"):  # NaN past +-1; arccos(1) = +0
        xs += [1.0, -1.0, 1.0000001, -1.0000001, 1.0000000000000002,
               -1.0000000000000002, 2.0, -2.0, 1e300, -1e300, 5e-324, -5e-324]


    if f in ("log2", "log10"):  # as log; and exact at powers of the base
        xs += [-1.0, -1e-300, 1.0, -5e-324, -1e-45, 5e-324, 1e-45]
        xs += [2.0 ** e for e in range(-1074, 1024, 29)] + [2.0 ** -149, 2.0 ** 127]
        xs += [10.0 ** e for e in range(-45, 39)] + [1e100, 1e300, 1e-300]
    if f == "exp2":  # 0 and inf far out, exact at integers
        xs += [1024.0, -1075.0, -1076.0, 128.0, -150.0, -151.0, 1e300, -1e300,
               5e-324, -5e-324, 1e-45]
        xs += [float(k) for k in range(-1080, 1030, 13)]
    if f == "arcsinh":  # x itself where tiny, inf
        xs += [5e-324, -5e-324, 1e-300, -1e-310, 1e-45, -1e-40, 1e300, -1e300]
    if f == "arctanh":  # +-inf at +-1, NaN past them, x itself where tiny
        xs += [1.0, -1.0, 1.5, -1.5, 2.0, -2.0, 1e300, -1e300, 1.0000000000000002,
               -1.0000001, 5e-324, -5e-324, 1e-300, -1e-310, 1e-45, -1e-40]

    if f in ("sinh", "cosh"):  # inf past 710.48 (float 89.42), sinh(+-0)
        xs += [1000.0, -1000.0, 711.0, -711.0, 710.5, 90.0, -90.0, 100.0,
               1e300, -1e300, 5e-324, -5e-324, 1e-45, -1e-45]
    if f == "arctan":  # +-pi/2 for the infinities, x itself for +-0
        xs += [5e-324, -5e-324, 1e-45, -1e-45]
    return [(x,) for x in xs]


def exceptional(f, dt, a, r):
    """Whether NumPy's result r of f at a is one every implementation gives
    exactly: NaN, an infinity or a signed zero, or an exact 0 or 1 (exp(0),
    pow(x, 0), pow(1, y)), or far past overflow or underflow.  A result
    just past them is left to the ULP measure of acc_points."""
    if not all(math.isfinite(v) for v in a):
        return True
    if f == "arctan2" and 0.0 in a:
        return True  # 0, pi/2 or pi with their signs (mpmath has no -0)
    try:
        v = exact(f, a)
    except (ZeroDivisionError, ValueError):
        return True
    if isinstance(v, mpmath.mpc) or not mpmath.isfinite(v):
        return True  # NaN (a complex result) or a pole
    if v == 0 or v == 1:
        return True
    if f == "expm1" and (abs(a[0]) < 2.0 ** -54 or a[0] <= -37.5):
        return True  # x itself (subnormals too), or -1
    if f == "cbrt" and mpmath.mpf(r) ** 3 == a[0]:
        return True  # an exact cube
    if f in ("log2", "log10", "exp2") and mpmath.mpf(r) == v:
        return True  # exact, and NumPy gives it: log2 of a power of two,
                     # log10 of most powers of ten, exp2 of an integer
    L = LIMITS[dt]  # in mpmath: 2 * max and tiny / 8 are past the doubles
    if math.isinf(r):
        return abs(v) > 2 * mpmath.mpf(L["max"])
    if r == 0:
        return abs(v) < mpmath.mpf(L["tiny"]) / 8
    return False


def main():
    print("/* Generated by tests/gen_mathacc_data.py with mpmath %s and NumPy %s:"
          % (mpmath.__version__, np.__version__))
    print(" * do not edit.  acc_points: {x, y, hi, lo}, the exact f(x) (pow: x**y,")
    print(" * arctan2: arctan2(x, y))")
    print(" * is hi + lo; acc_specials: {x, y, NumPy's result}. */")
    tables = []
    for f in FUNCS:
        for dt in DTYPES:
            name = "acc_%s_%s" % (f, dt)
            print("static const struct acc_point %s[] = {" % name)
            n = 0
            for a in args_for(f, dt):
                a = tuple(rnd(dt, v) for v in a)
                if not all(math.isfinite(v) for v in a):
                    continue
                if f == "log" and a[0] <= 0:
                    continue
                if f == "log1p" and a[0] <= -1:
                    continue
                if f in ("log2", "log10") and a[0] <= 0:
                    continue
                if f == "arctanh" and abs(a[0]) >= 1:
                    continue
                if f == "pow" and a[0] < 0 and a[1] != int(a[1]):
                    continue
                if f == "pow" and a[0] == 0:
                    continue
                if f == "arctan2" and 0.0 in a:
                    continue  # acc_specials' business
                v = exact(f, a)
                if overflows(dt, v):
                    continue  # an infinity: acc_specials' business
                hi, lo = split(v)
                y = a[1] if len(a) > 1 else 0.0
                print("    {%s, %s, %s, %s}," % (hexf(a[0]), hexf(y), hexf(hi), hexf(lo)))
                n += 1
            print("};")
            tables.append((f, dt, name, n))
    print("static const struct acc_table acc_tables[] = {")
    for f, dt, name, n in tables:
        print('    {"%s", "%s", %s, %d},' % (f, dt, name, n))
    print("};")
    print("static const struct acc_special acc_specials[] = {")
    for f in FUNCS:
        for dt in DTYPES:
            for a in special_args(f):
                a = tuple(rnd(dt, v) for v in a)
                r = numpy_value(f, dt, a)
                if not exceptional(f, dt, a, r):
                    continue
                y = a[1] if len(a) > 1 else 0.0
                print('    {"%s", "%s", %s, %s, %s},' % (f, dt, hexf(a[0]), hexf(y), hexf(r)))
    print("};")


main()
