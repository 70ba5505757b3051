"""numexpr's compiler interface in the shim (numexpr.necompiler and
numexpr.expressions), as PyTables uses it, and the typed tree it reads
from the C library (_jitexpr._tree).

The shim package is loaded under another name, so that this process's
``import numexpr`` (the real one, where installed) is left alone.
"""

import importlib.util
import os
import sys

import numpy as np
import pytest

import jitexpr
from jitexpr import _jitexpr
from conftest import shim_dir


def _load_shim():
    path = os.path.join(shim_dir(), "numexpr", "__init__.py")
    spec = importlib.util.spec_from_file_location(
        "jx_shim_numexpr", path, submodule_search_locations=[os.path.dirname(path)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


ne = _load_shim()
nec = ne.necompiler
exprs = ne.expressions


def shape(node):
    """A node as nested tuples: (astType, astKind, value, children...)."""
    return (node.astType, node.astKind, node.value) + tuple(shape(c) for c in node.children)


V = lambda name, kind: ("variable", kind, name)  # noqa: E731
C = lambda value, kind: ("constant", kind, value)  # noqa: E731


def O(op, kind, *children):  # noqa: E743
    return ("op", kind, op) + children


TYPES = {"i": nec.int_, "l": nec.long_, "f": float, "d": nec.double, "b": bool,
         "c": complex, "s": bytes}

# expression, signature (name -> key of TYPES), the expected tree.
TREES = [
    ("i > 3", {"i": "i"}, O("gt", "bool", V("i", "int"), C(3, "int"))),
    ("3 < i", {"i": "i"}, O("lt", "bool", C(3, "int"), V("i", "int"))),
    ("l >= 2**40", {"l": "l"}, O("ge", "bool", V("l", "long"), C(2**40, "long"))),
    ("d <= -1.5", {"d": "d"}, O("le", "bool", V("d", "double"), C(-1.5, "double"))),
    ("f == 0.5", {"f": "f"}, O("eq", "bool", V("f", "float"), C(0.5, "double"))),
    ("~b", {"b": "b"}, O("invert", "bool", V("b", "bool"))),
    ("+b", {"b": "b"}, V("b", "bool")),
    ("(i > 1) & (i < 9) | b", {"i": "i", "b": "b"},
     O("or", "bool",
       O("and", "bool", O("gt", "bool", V("i", "int"), C(1, "int")),
         O("lt", "bool", V("i", "int"), C(9, "int"))),
       V("b", "bool"))),
    ("s == b'ab'", {"s": "s"}, O("eq", "bool", V("s", "bytes"), C(b"ab", "bytes"))),
    ("i + l", {"i": "i", "l": "l"}, O("add", "long", V("i", "int"), V("l", "long"))),
    # a weak literal takes the type it is computed in (NumPy's rule)
    ("f * 2", {"f": "f"}, O("mul", "float", V("f", "float"), C(2.0, "double"))),
    ("sqrt(d) < c.real", {"d": "d", "c": "c"},
     O("lt", "bool", O("sqrt", "double", V("d", "double")),
       O("real", "double", V("c", "complex")))),
    ("abs(d)", {"d": "d"}, O("absolute", "double", V("d", "double"))),
    ("i << 2", {"i": "i"}, O("lshift", "int", V("i", "int"), C(2, "int"))),
    ("2 * 3 + 1", {}, C(7, "int")),
    ("-(2.5)", {}, C(-2.5, "double")),
    ("x > 0", {}, O("gt", "bool", V("x", "double"), C(0.0, "double"))),
]


@pytest.mark.parametrize("ex, sig, tree", TREES, ids=[r[0] for r in TREES])
def test_string_to_expression(ex, sig, tree):
    types = {k: TYPES[v] for k, v in sig.items()}
    node = nec.stringToExpression(ex, types, {})
    assert isinstance(node, exprs.ExpressionNode)
    assert shape(node) == tree


def test_constant_values_are_python_scalars():
    node = nec.stringToExpression("(a > 3) & (b < 2.5) & (c == b'x') & (d != 1j)",
                                  {"a": nec.int_, "c": bytes, "d": complex}, {})
    consts = [n for n in nec.expressionToAST(node).allOf("constant")]
    assert [(type(n.value), n.value) for n in consts] == [
        (int, 3), (float, 2.5), (bytes, b"x"), (complex, 1j)]


def test_tree_of_the_c_library():
    nodes = _jitexpr._tree("a + 1 > sin(b)", ("a", "b"), ("int32", "float32"))
    kinds = [n[0] for n in nodes]
    assert kinds[-1] == "operator" and nodes[-1][2] == "gt"
    assert nodes[-1][1] == np.dtype(bool)
    # every operand index points at an earlier node
    for i, n in enumerate(nodes):
        assert all(0 <= j < i for j in n[4])
    # int32 + weak 1 is int32; it meets float32 through a cast to float64
    add = [n for n in nodes if n[2] == "add"][0]
    assert add[1] == np.dtype("int32")
    assert ("cast", np.dtype("float64")) in [(n[0], n[1]) for n in nodes]


# Each node's span is the text it was parsed from (bytes of the UTF-8
# source): (expression, dtype of its one variable, mnemonic or name, text).
SPAN_ROWS = [
    ("sum(a * 2, axis=0)", "float64", "sum", "sum(a * 2, axis=0)"),
    ("sum(a * 2, axis=0)", "float64", "mul", "a * 2"),
    ("  (sin(a))  + 1", "float32", "sin", "(sin(a))"),  # with its parentheses
    ("where(a > 0, a, -a)", "int16", "neg", "-a"),
    ("sum(\u00e9 + 1)", "float64", "add", "\u00e9 + 1"),
    ("b'x' == a", "S1", "eq", "b'x' == a"),
]


@pytest.mark.parametrize("ex,dtype,op,text", SPAN_ROWS)
def test_tree_spans(ex, dtype, op, text):
    names = tuple(_jitexpr._names(ex))
    nodes = _jitexpr._tree(ex, names, (dtype,) * len(names))
    src = ex.encode("utf-8")
    spans = [src[n[9][0]:n[9][1]].decode("utf-8") for n in nodes
             if n[2] == op or (n[0] == "variable" and n[5] == op)]
    assert text in spans, spans


def test_ops_table_lists_every_mnemonic_once():
    rows = _jitexpr._ops()
    mnems = [r[0] for r in rows]
    assert len(mnems) == len(set(mnems))
    assert ("add", "+", "binary", 2) in rows and ("sin", "sin", "call", 1) in rows
    assert set(exprs.functions) >= {"where", "sin", "arctan2", "contains", "sum"}


def test_expression_nodes_combine_like_numexpr():
    a, b = exprs.E.a, exprs.E.b
    assert shape(a * 2 + b) == O("add", "double", O("mul", "double", V("a", "double"),
                                                     C(2.0, "double")), V("b", "double"))
    assert shape(exprs.ConstantNode(2) * 3) == C(6, "int")
    assert shape(-exprs.ConstantNode(2.5)) == C(-2.5, "double")
    assert shape(a > 1) == O("gt", "bool", V("a", "double"), C(1.0, "double"))
    with pytest.raises(TypeError):
        bool(a > 1)
    assert shape(exprs.functions["where"](a > 0, a, b)) == O(
        "where", "double", O("gt", "bool", V("a", "double"), C(0.0, "double")),
        V("a", "double"), V("b", "double"))


SIGNATURES = [
    # expression, signature, arguments
    ("(a > 3) & (b < 2.5)", [("a", nec.int_), ("b", nec.double)],
     [np.arange(10, dtype=np.int8), np.linspace(0, 5, 10)]),
    ("a * 2 + b", [("b", nec.long_), ("a", float)],
     [np.arange(5, dtype=np.uint32), np.arange(5, dtype=np.float32)]),
    ("s == b'ab'", [("s", bytes)], [np.array([b"ab", b"abc", b"", b"ab\0"], "S4")]),
    ("(s >= t) | (s == b'x')", [("s", bytes), ("t", bytes)],
     [np.array([b"x", b"b", b"aa"], "S2"), np.array([b"y", b"a", b"aa"], "S5")]),
]


@pytest.mark.parametrize("ex, sig, args", SIGNATURES, ids=[r[0] for r in SIGNATURES])
def test_numexpr_from_a_tree_and_a_string(ex, sig, args):
    env = dict(zip([n for n, _ in sig], args))
    expected = jitexpr.evaluate(ex, local_dict=env)
    types = dict(sig)
    for form in (ex, nec.stringToExpression(ex, types, {})):
        nex = nec.NumExpr(form, sig)
        got = nex(*args, ex_uses_vml=False)
        np.testing.assert_array_equal(got, expected)
        got = ne.NumExpr(form, sig)(*args)
        np.testing.assert_array_equal(got, expected)


def test_byte_string_signature_compiles_per_itemsize():
    nex = nec.NumExpr("s == b'ab'", [("s", bytes)])
    for size in (2, 3, 7):
        s = np.array([b"ab", b"a", b"abc"], "S%d" % size)
        np.testing.assert_array_equal(nex(s), s == b"ab")


@pytest.mark.parametrize("spec", ["S99999999999", "S4294967297", "i4294967300"])
def test_signature_dtype_sizes_beyond_an_int(spec):
    # NumPy 1.x reads these modulo 2**32 (S1215752191, S1, int32); the shim
    # refuses them as jitexpr.NumExpr does (test_errors.py, DTYPE_SIZE_ROWS)
    with pytest.raises(ValueError, match="out of range"):
        nec.NumExpr("s == s", [("s", spec)])
    with pytest.raises(ValueError, match="out of range"):
        nec.stringToExpression("s == s", {"s": spec}, {})


def test_complex_ordering_has_no_opcode():
    tree = nec.stringToExpression("c > 0j", {"c": complex}, {})
    with pytest.raises(NotImplementedError, match="couldn't find matching opcode for 'gt_bcc'"):
        nec.NumExpr(tree, [("c", complex)])
    with pytest.raises(NotImplementedError):
        nec.typeCompileAst(nec.expressionToAST(tree))
    # the message is the one PyTables parses: op, then typecodes it knows
    import re
    try:
        nec.NumExpr("c <= c", [("c", complex)])
    except NotImplementedError as e:
        op, types = re.search(r"[^a-z]([a-z]+)_([a-z]+)[^a-z]", e.args[0]).groups()
        assert op == "le" and [nec.typecode_to_kind[t] for t in types[1:]] == ["complex"] * 2
    # == and != of complex numbers are fine
    nex = nec.NumExpr("c == 1j", [("c", complex)])
    np.testing.assert_array_equal(nex(np.array([1j, 2j])), [True, False])


def test_type_compile_ast_names_opcodes():
    tree = nec.stringToExpression("(a > 1) & b", {"a": nec.long_, "b": bool}, {})
    ast = nec.typeCompileAst(nec.expressionToAST(tree))
    assert ast.value == b"and_bbb"
    assert ast.children[0].value == b"gt_bli"  # the constant 1 is 'int' (numexpr casts it)


GETTYPE = [
    ("bool", bool), ("int8", nec.int_), ("uint16", nec.int_), ("int32", nec.int_),
    ("uint32", nec.long_), ("int64", nec.long_), ("uint64", nec.long_),
    ("float16", float), ("float32", float), ("float64", nec.double),
    ("complex64", complex), ("complex128", complex), ("S3", bytes),
]


@pytest.mark.parametrize("dtype, expected", GETTYPE, ids=[r[0] for r in GETTYPE])
def test_get_type(dtype, expected):
    assert nec.getType(np.zeros(2, dtype)) is expected


def test_get_type_refuses_unicode_and_objects():
    with pytest.raises(ValueError):
        nec.getType(np.array(["a"]))
    with pytest.raises(ValueError):
        nec.getType(np.array([None], object))


def test_names_and_context():
    assert nec.getExprNames("b * a + sin(c) + a", {}) == (["a", "b", "c"], False)
    assert nec.getContext({"truediv": True}) == {"optimization": "aggressive",
                                                 "truediv": True}
    with pytest.raises(ValueError):
        nec.getContext({"optimization": "fast"})
    with pytest.raises(ValueError):
        nec.getContext({"nonsense": 1})


def test_no_eval_of_the_string():
    # numexpr 2.8.4 eval()'d such strings (CVE-2023-39631); here the C
    # parser refuses them: an attribute other than .real/.imag, an unknown
    # function, a subscript
    for ex in ("__import__('os').system('true')", "__import__('os')",
               "().__class__.__bases__[0]"):
        with pytest.raises((SyntaxError, TypeError)):
            nec.stringToExpression(ex, {}, {})


UNSUPPORTED = [
    ("d | b", {"d": nec.double, "b": bool}),
    ("s > n", {"s": bytes, "n": nec.long_}),
    ("s + b'a' > b'abc'", {"s": bytes}),
    ("~f", {"f": float}),
]


@pytest.mark.parametrize("ex, types", UNSUPPORTED, ids=[r[0] for r in UNSUPPORTED])
def test_unsupported_operation_is_numexprs_error(ex, types):
    # a plain NotImplementedError: PyTables reads a TypeError as "not boolean"
    for compile_it in (lambda: nec.stringToExpression(ex, types, {}),
                       lambda: nec.NumExpr(ex, sorted(types.items()))):
        with pytest.raises(NotImplementedError) as info:
            compile_it()
        assert not isinstance(info.value, TypeError)
    # jitexpr's own class is both
    with pytest.raises(TypeError):
        jitexpr.NumExpr(ex, [(k, nec._dtype(t) or "S1") for k, t in sorted(types.items())])
