"""Unicode names (PEP 3131): Python's identifiers, in NFKC form.

Names follow str.isidentifier() (XID_Start or '_', then XID_Continue) and
stand for their NFKC form, as in Python: the ligature U+FB01 is "fi", the
micro sign U+00B5 is the Greek mu U+03BC.  SyntaxError offsets count
characters (the C library's count bytes), and the caret line of the
message lines up in characters.
"""

import collections
import os
import subprocess
import sys
import unicodedata

import numpy as np
import pytest

import jitexpr
from jitexpr import _jitexpr
from conftest import shim_dir

A = np.linspace(-2.0, 3.0, 7)
B = np.arange(7, dtype=np.float64) + 0.5
C = np.arange(7, dtype=np.int32)

# ---- evaluation with Unicode names ---------------------------------------

EVAL_ROWS = [
    # expression, local_dict, what NumPy computes
    ("\u03c0 * 2", {"\u03c0": A}, lambda: A * 2),                       # π
    ("\u03bb**2 + \u03c0", {"\u03bb": B, "\u03c0": A}, lambda: B ** 2 + A),
    ("sin(\u03b8) * r\u2080", {"\u03b8": A, "r\u2080": B}, None),      # r₀: not a name
    ("caf\u00e9 - na\u00efve", {"caf\u00e9": A, "na\u00efve": B}, lambda: A - B),
    ("\u4e2d\u6587 + 1", {"\u4e2d\u6587": C}, lambda: C + 1),            # 中文
    ("_\u03c0\u00b7x + x\u0663", {"_\u03c0\u00b7x": A, "x\u0663": B}, lambda: A + B),
    ("where(\u0394 > 0, \u0394, -\u0394)", {"\u0394": A}, lambda: np.abs(A)),
    ("\U0001d465 + 1", {"x": A}, lambda: A + 1),                        # 𝑥 is x
]


@pytest.mark.parametrize("ex, names, want", EVAL_ROWS, ids=[r[0] for r in EVAL_ROWS])
def test_evaluate(ex, names, want):
    if want is None:
        with pytest.raises(SyntaxError):
            jitexpr.evaluate(ex, local_dict=names)
        return
    np.testing.assert_array_equal(jitexpr.evaluate(ex, local_dict=names), want())


def test_frame_names():
    # Python has normalised these itself: the frame's keys are NFKC
    µ = A  # noqa: F841  (U+00B5, the micro sign: the variable is U+03BC)
    ﬁ = B  # noqa: F841  (U+FB01, the ligature: the variable is 'fi')
    np.testing.assert_array_equal(jitexpr.evaluate("\u03bc + fi"), A + B)
    np.testing.assert_array_equal(jitexpr.evaluate("\u00b5 + \ufb01"), A + B)


# ---- NFKC: one name, several spellings ------------------------------------

NAMES_ROWS = [
    ("\u03c0 + \u03bb", ("\u03c0", "\u03bb")),
    ("\ufb01 + fi", ("fi",)),                      # ligature fi
    ("\u00b5 * \u03bc", ("\u03bc",)),              # micro sign, mu
    ("cafe\u0301 + caf\u00e9", ("caf\u00e9",)),    # combining acute: composed
    ("\u216b + XII", ("XII",)),                    # Roman numeral twelve
    ("\u210c + \U0001d407", ("H",)),               # black-letter, bold H
    ("\uff41 + \u00aa", ("a",)),                   # fullwidth a, ordinal a
    ("\uff53\uff49\uff4e(x)", ("x",)),             # fullwidth sin is sin
    ("\uff34rue + x", ("True", "x")),              # a name, not the keyword
]


@pytest.mark.parametrize("ex, names", NAMES_ROWS, ids=[r[0] for r in NAMES_ROWS])
def test_names_nfkc(ex, names):
    assert _jitexpr._names(ex) == names
    assert all(_jitexpr._normalize(n) == n for n in names)


LOOKUP_ROWS = [
    # expression, local_dict key: the dict spells it otherwise
    ("\u03bc * 2", "\u00b5"),      # the dict has the micro sign
    ("\u00b5 * 2", "\u00b5"),
    ("\u00b5 * 2", "\u03bc"),
    ("fi * 2", "\ufb01"),
    ("\ufb01 * 2", "fi"),
    ("caf\u00e9 * 2", "cafe\u0301"),
    ("XII * 2", "\u216b"),
]


@pytest.mark.parametrize("ex, key", LOOKUP_ROWS, ids=[r[0] + " " + r[1] for r in LOOKUP_ROWS])
def test_lookup_nfkc(ex, key):
    """A dict key made by code need not be in NFKC form (pandas' column
    names): a miss is looked up by the NFKC form of the keys."""
    want = A * 2
    np.testing.assert_array_equal(jitexpr.evaluate(ex, local_dict={key: A}), want)
    np.testing.assert_array_equal(
        jitexpr.evaluate(ex, local_dict=collections.ChainMap({key: A})), want)
    np.testing.assert_array_equal(
        jitexpr.evaluate(ex, local_dict={}, global_dict={key: A}), want)
    nx = jitexpr.NumExpr(ex, signature=[(key, np.float64)])
    np.testing.assert_array_equal(nx(A), want)


def test_lookup_order():
    # local before global; in each, the exact key before an NFKC match
    ex = "\u03bc"
    assert jitexpr.evaluate(ex, local_dict={"\u00b5": 1.0}, global_dict={"\u03bc": 2.0}) == 1.0
    assert jitexpr.evaluate(ex, local_dict={"\u00b5": 1.0, "\u03bc": 3.0}) == 3.0
    assert jitexpr.evaluate(ex, local_dict={}, global_dict={"\u00b5": 4.0}) == 4.0


KEYERROR_ROWS = [
    ("x + \ufb01", "fi"),
    ("x + \u00b5", "\u03bc"),
    ("\u03c0 + x", "\u03c0"),
]


@pytest.mark.parametrize("ex, name", KEYERROR_ROWS, ids=[r[0] for r in KEYERROR_ROWS])
def test_keyerror_name(ex, name):
    with pytest.raises(KeyError) as e:
        jitexpr.evaluate(ex, local_dict={"x": A})
    assert e.value.args == (name,)
    # the library's own error (compiled against a table without the name)
    with pytest.raises(KeyError) as e:
        _jitexpr._compile(ex, ("x",), (np.dtype(np.float64),), False)
    assert e.value.args == (name,)


# ---- syntax errors: offsets in characters, carets lined up ------------------

SYNTAX_ROWS = [
    # expression, offset, end_offset (1-based characters, as Python's), words
    ("\u03c0 + \u03bb + \u20ac", 9, 10, "unexpected character '\u20ac' (U+20AC)"),
    ("\u03bb\u03bb + \u4e2d\u6587 + 1.2.3", 11, 16, "invalid decimal literal"),
    ("\ufb01 * (\u03c0", 5, 6, "'(' was never closed"),
    ("\u03c0 + 12\u03bb", 5, 8, "invalid decimal literal"),
    ("\u03bc + \u03bb \u03bb", 7, 8, "unexpected name '\u03bb'"),
    ("a\u00a0+ b", 2, 3, "unexpected character U+00A0"),
    ("\U0001f600 + x", 1, 2, "(U+1F600)"),
    ("x\u2026", 2, 3, "'\u2026' (U+2026)"),
    ("\u0301x", 1, 2, "(U+0301)"),
    ("x\u00b2 + 1", 2, 3, "(U+00B2)"),
    ("\u03c0\u03c0\u03c0 +", 6, 7, "end of input"),  # the end: after the +
]


@pytest.mark.parametrize("ex, offset, end, words", SYNTAX_ROWS, ids=[r[0] for r in SYNTAX_ROWS])
def test_syntax_error_offsets(ex, offset, end, words):
    with pytest.raises(SyntaxError) as e:
        _jitexpr._names(ex)
    err = e.value
    assert (err.offset, err.end_offset) == (offset, end)
    assert words in err.msg
    # The caret line: under the characters offset-1 .. end-2 of the line
    # above it (one column per code point: wide characters and combining
    # marks are not allowed for).
    lines = err.msg.split("\n")
    assert lines[-2] == "    " + ex.replace("\t", " ")
    carets = lines[-1][4:]
    assert carets == " " * (offset - 1) + "^" * (end - offset)
    # Where Python reports the same place, the start agrees with its own
    try:
        compile(ex, "<expr>", "eval")
    except SyntaxError as py:
        if words.startswith("unexpected character") or "unexpected name" in words:
            assert py.offset == offset


# ---- the identifier sweep: every code point against str.isidentifier ----

# Where utf8proc's Unicode (15.0 in utf8proc 2.8) and Python's differ.  For
# Python 3.11 (Unicode 14.0.0) these are exactly the identifier characters
# Unicode 15.0 added (unassigned, 'Cn', in Python's unicodedata), measured
# by this sweep: the first list fails str.isidentifier() alone, the second
# after an 'x'.  There is no other difference in either direction.
UNICODE_15_STARTS = [
    (0x1123F, 0x11240), (0x11F02, 0x11F02), (0x11F04, 0x11F10), (0x11F12, 0x11F33),
    (0x1342F, 0x1342F), (0x13441, 0x13446), (0x1B132, 0x1B132), (0x1B155, 0x1B155),
    (0x1DF25, 0x1DF2A), (0x1E030, 0x1E06D), (0x1E4D0, 0x1E4EB), (0x2B739, 0x2B739),
    (0x31350, 0x323AF),
]
UNICODE_15_CONTINUES = [
    (0x0CF3, 0x0CF3), (0x0ECE, 0x0ECE), (0x10EFD, 0x10EFF), (0x1123F, 0x11241),
    (0x11F00, 0x11F10), (0x11F12, 0x11F3A), (0x11F3E, 0x11F42), (0x11F50, 0x11F59),
    (0x1342F, 0x1342F), (0x13440, 0x13455), (0x1B132, 0x1B132), (0x1B155, 0x1B155),
    (0x1DF25, 0x1DF2A), (0x1E030, 0x1E06D), (0x1E08F, 0x1E08F), (0x1E4D0, 0x1E4F9),
    (0x2B739, 0x2B739), (0x31350, 0x323AF),
]


def _expand(ranges):
    return {c for lo, hi in ranges for c in range(lo, hi + 1)}


def _lexes_as_name(s):
    try:
        names = _jitexpr._names(s)
    except (SyntaxError, ValueError):  # ValueError: a NUL character
        return False
    return len(names) == 1


def _lexes_after_x(s):
    try:
        names = _jitexpr._names("x" + s)
    except (SyntaxError, ValueError):
        return False
    # "x " is the name x and a space: the name must have grown
    return len(names) == 1 and names[0] != "x"


def test_isidentifier_sweep():
    """Every code point but the surrogates (not UTF-8: check_lex tests
    them): alone, and after 'x'.  About 2.2 million compilations' front
    ends, a few seconds."""
    starts, continues = set(), set()
    for c in range(0x110000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        ch = chr(c)
        if _lexes_as_name(ch) != ch.isidentifier():
            starts.add(c)
        if _lexes_after_x(ch) != ("x" + ch).isidentifier():
            continues.add(c)
    version = unicodedata.unidata_version
    if version == "14.0.0":
        assert starts == _expand(UNICODE_15_STARTS)
        assert continues == _expand(UNICODE_15_CONTINUES)
        assert all(unicodedata.category(chr(c)) == "Cn" for c in starts | continues)
    elif version == "15.0.0":
        assert starts == set() and continues == set()
    else:
        pytest.skip("Python's Unicode %s: differences not measured (%d, %d)"
                    % (version, len(starts), len(continues)))


# ---- pandas: backtick-quoted column names -------------------------------------

PANDAS_SCRIPT = r'''
import numpy as np
import pandas as pd
import numexpr
import jitexpr
assert numexpr.backend is jitexpr

calls = []
evaluate = numexpr.evaluate
def spy(ex, *args, **kwargs):
    calls.append(ex)
    return evaluate(ex, *args, **kwargs)
numexpr.evaluate = spy

n = 20000
mu = "Capacitance(\u03bcF)"    # Greek mu: already NFKC
micro = "Capacitance(\u00b5F)" # micro sign: NFKC makes it mu
df = pd.DataFrame({mu: np.arange(n, dtype=np.float64), "b": np.ones(n)})
got = df.eval("`%s` * 2 + b" % mu, engine="numexpr")
np.testing.assert_array_equal(got.to_numpy(), df[mu].to_numpy() * 2 + 1)
q = df.query("`%s` > %d" % (mu, n - 10), engine="numexpr")
assert len(q) == 9, len(q)
assert any("\u03bc" in c for c in calls), calls

# The micro sign: pandas 1.5 itself parses the cleaned expression with
# Python's ast, which normalises the name, then resolves it among columns
# spelt with the micro sign.  Whatever engine='python' does, the shim must
# do the same.
df2 = pd.DataFrame({micro: np.arange(n, dtype=np.float64)})
outcome = {}
for engine in ("python", "numexpr"):
    try:
        outcome[engine] = df2.eval("`%s` * 2" % micro, engine=engine).to_numpy()
    except Exception as e:
        outcome[engine] = type(e).__name__
if isinstance(outcome["python"], str):
    assert outcome["numexpr"] == outcome["python"], outcome
    print("micro sign: pandas raises", outcome["python"])
else:
    np.testing.assert_array_equal(outcome["numexpr"], outcome["python"])
    print("micro sign: evaluated")

# What pandas hands numexpr: the expression names the column in NFKC form;
# its scope (a DeepChainMap) may spell the key with the micro sign.
from pandas.core.computation.scope import DeepChainMap
key = "BACKTICK_QUOTED_STRING_Capacitance_LPAR_\u00b5F_RPAR_"
scope = DeepChainMap({key: df2[micro].to_numpy()}, {})
r = numexpr.evaluate("(BACKTICK_QUOTED_STRING_Capacitance_LPAR_\u03bcF_RPAR_) * (2)",
                     local_dict=scope)
np.testing.assert_array_equal(r, df2[micro].to_numpy() * 2)
print("OK")
'''


def test_pandas_backtick_names():
    pytest.importorskip("pandas")
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(jitexpr.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([shim_dir(), pkg_parent, env.get("PYTHONPATH", "")])
    p = subprocess.run([sys.executable, "-c", PANDAS_SCRIPT], env=env, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.split("\n")[-2] == "OK", p.stdout


# ---- the CLI -------------------------------------------------------------------


def _cli():
    path = os.environ.get("JITEXPR_CLI")
    if not path:
        pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(jitexpr.__file__)))
        path = os.path.join(os.path.dirname(pkg_parent), "jitexpr")
    if not os.access(path, os.X_OK):
        pytest.skip("no jitexpr command at %s (set JITEXPR_CLI)" % path)
    return path


CLI_ROWS = [
    # arguments, the value printed
    (["\u03c0*2", "\u03c0=1.5"], "3.0"),
    (["\u03bc*2", "\u00b5=3"], "6"),      # the binding's name in NFKC form
    (["\ufb01 + fi2", "fi=1", "fi2=2"], "3"),
]


@pytest.mark.parametrize("args, want", CLI_ROWS, ids=[r[0][0] for r in CLI_ROWS])
def test_cli_names(args, want):
    p = subprocess.run([_cli(), "eval"] + args, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().split("\n")[-1] == want


CLI_ERROR_ROWS = [
    # arguments, the caret's column (characters) and width, words
    (["\u03bb + \u03c0 + \u20ac", "\u03bb=1", "\u03c0=2"], 8, 1, "'\u20ac' (U+20AC)"),
    (["\u03bb\u03bb + \u4e2d\u6587 + 1.2.3"], 10, 5, "invalid decimal literal"),
    (["x", "a\u20ac=1"], None, None, "'a\u20ac' is not a valid variable name"),
    (["x", "\u00b5=1", "\u03bc=2"], None, None, "variable '\u03bc' given twice"),
]


@pytest.mark.parametrize("args, col, width, words", CLI_ERROR_ROWS,
                         ids=[" ".join(r[0]) for r in CLI_ERROR_ROWS])
def test_cli_errors(args, col, width, words):
    p = subprocess.run([_cli(), "eval"] + args, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert words in p.stderr
    if col is not None:
        lines = p.stderr.split("\n")
        assert lines[0] == args[0]
        assert lines[1] == " " * col + "^" * width
