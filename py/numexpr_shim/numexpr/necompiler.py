"""numexpr.necompiler: numexpr's compiler interface, on jitexpr.

For programs that use numexpr's compiler directly (PyTables' queries):
``stringToExpression`` gives the typed tree of an expression (from
jitexpr's C parser and type pass, see expressions.py), ``NumExpr``
compiles a string or such a tree with a signature of numexpr types,
``getExprNames``, ``getType``, ``getContext``, ``typeCompileAst`` and
``expressionToAST`` behave as numexpr's do for their callers.  No
function here passes a user's string to Python's ``eval`` or ``compile``.

One rule of numexpr's opcode table is kept here, for the callers that
rely on it: ordered comparisons (<, <=, >, >=) of complex numbers have no
opcode, so ``typeCompileAst`` and this module's ``NumExpr`` raise
numexpr's NotImplementedError for them (PyTables' queries follow Python,
where complex numbers are unordered).  jitexpr's own evaluate() orders
them as NumPy does.  See docs/python.md.
"""

import re
import sys

import numpy

import jitexpr as _jitexpr
from jitexpr import evaluate, re_evaluate  # noqa: F401  (numexpr has them here)
# numpy.dtype() that refuses a size NumPy 1.x would read modulo 2**32
# ("S99999999999" is 'S1215752191' there): ValueError
from jitexpr._jitexpr import _dtype as _checked_dtype

from . import expressions
from .expressions import double, int_, long_  # noqa: F401

typecode_to_kind = {"b": "bool", "i": "int", "l": "long", "f": "float", "d": "double",
                    "c": "complex", "n": "none", "s": "str"}
kind_to_typecode = {"bool": "b", "int": "i", "long": "l", "float": "f", "double": "d",
                    "complex": "c", "bytes": "s", "str": "s", "none": "n"}
type_to_typecode = {bool: "b", int_: "i", long_: "l", float: "f",
                    double: "d", complex: "c", bytes: "s", str: "s"}
type_to_kind = expressions.type_to_kind
kind_to_type = expressions.kind_to_type
default_type = kind_to_type[expressions.default_kind]
scalar_constant_kinds = list(kind_to_typecode.keys())

#: jitexpr uses no VML: no function is a VML function.
vml_functions = []

_ORDERED = ("lt", "le", "gt", "ge")
# numexpr's wording of an unsupported operation, in jitexpr's messages.
_OPCODE = re.compile(r"couldn't find matching opcode for '[a-z0-9]+_[a-z]+'")


class ASTNode(object):
    """A plain tree node (numexpr's): astType, astKind, value, children."""

    cmpnames = ["astType", "astKind", "value", "children"]

    def __init__(self, astType="generic", astKind="unknown", value=None, children=()):
        self.astType = astType
        self.astKind = astKind
        self.value = value
        self.children = tuple(children)
        self.reg = None

    def __eq__(self, other):
        if not isinstance(other, ASTNode):
            return False
        return all(getattr(self, n) == getattr(other, n) for n in self.cmpnames)

    def __hash__(self):
        return hash((self.astType, self.astKind, self.value, self.children))

    def __str__(self):
        return "AST(%s, %s, %s, %s, %s)" % (self.astType, self.astKind, self.value,
                                            self.children, self.reg)

    def __repr__(self):
        return "<AST object at %s>" % id(self)

    def key(self):
        return (self.astType, self.astKind, self.value, self.children)

    def typecode(self):
        return kind_to_typecode[self.astKind]

    def postorderWalk(self):
        for c in self.children:
            for w in c.postorderWalk():
                yield w
        yield self

    def allOf(self, *astTypes):
        astTypes = set(astTypes)
        for w in self.postorderWalk():
            if w.astType in astTypes:
                yield w


def expressionToAST(ex):
    """The ASTNode tree of an ExpressionNode tree."""
    node = ASTNode(ex.astType, ex.astKind, ex.value,
                   [expressionToAST(c) for c in ex.children])
    node.axis = getattr(ex, "axis", None)
    return node


def _opcode(node):
    return "%s_%s%s" % (node.value, node.typecode(),
                        "".join(c.typecode() for c in node.children))


def typeCompileAst(ast):
    """The tree with each operator's value replaced by its numexpr opcode
    name (b"gt_bdd": operator, result and operand typecodes).  Raises
    numexpr's NotImplementedError ("couldn't find matching opcode for
    'gt_bcc'") for an ordered comparison of complex numbers.  jitexpr has
    already typed the tree; no casts are added."""
    children = [typeCompileAst(c) for c in ast.children]
    value = ast.value
    if ast.astType == "op":
        if value in _ORDERED and any(c.astKind == "complex" for c in ast.children):
            raise NotImplementedError("couldn't find matching opcode for '%s'"
                                      % _opcode(ast))
        value = _opcode(ast).encode("ascii")
    return ASTNode(ast.astType, ast.astKind, value, children)


def _kind_of_type(t):
    """numexpr's kind of a signature type (a Python or numexpr type, or
    anything numpy.dtype() takes)."""
    try:
        return type_to_kind[t]
    except (KeyError, TypeError):
        return expressions.kind_of_dtype(_checked_dtype(t))


def stringToExpression(s, types, context):
    """The ExpressionNode tree of string ``s``, its variables typed by
    ``types`` (name -> numexpr type; float64 for the others)."""
    getContext(dict(context))
    if not isinstance(s, str):
        raise TypeError("an expression must be a string, not %s" % type(s).__name__)
    kinds = {name: _kind_of_type(types.get(name, default_type))
             for name in _jitexpr._jitexpr._names(s)}
    try:
        return expressions.typed(s, kinds)
    except _jitexpr.UnsupportedTypeError as e:
        # numexpr's class alone: PyTables' queries test `except TypeError`
        # before `except NotImplementedError`, and a TypeError there means
        # something else (a condition that is not boolean).
        m = _OPCODE.search(e.args[0])
        raise NotImplementedError(m.group(0) + "\n" + e.args[0] if m else e.args[0]) from None


def getInputOrder(ast, input_order=None):
    """The variable nodes of ast, in input_order (sorted by name without)."""
    variables = {a.value: a for a in ast.allOf("variable")}
    if input_order:
        if set(variables) != set(input_order):
            raise ValueError("input names (%s) don't match those found in "
                             "expression (%s)" % (input_order, set(variables)))
        ordered = input_order
    else:
        ordered = sorted(variables)
    return [variables[v] for v in ordered]


context_info = [
    ("optimization", ("none", "moderate", "aggressive"), "aggressive"),
    ("truediv", (False, True, "auto"), "auto"),
]


def getContext(kwargs, frame_depth=1):
    """numexpr's context keywords, checked ('truediv' and 'optimization'
    change nothing in jitexpr: / is always true division)."""
    d = dict(kwargs)
    context = {}
    for name, allowed, default in context_info:
        value = d.pop(name, default)
        if value not in allowed:
            raise ValueError("'%s' must be one of %s" % (name, allowed))
        context[name] = value
    if d:
        raise ValueError("Unknown keyword argument '%s'" % d.popitem()[0])
    if context["truediv"] == "auto":
        context["truediv"] = True
    return context


def getExprNames(text, context):
    """(names of the variables of text, sorted; False: no VML)."""
    getContext(dict(context))
    return sorted(_jitexpr._jitexpr._names(text)), False


def getType(a):
    """numexpr's type for an array (or anything with a dtype)."""
    kind = a.dtype.kind
    if kind == "U":
        raise ValueError("NumExpr 2 does not support Unicode as a dtype.")
    try:
        return expressions.kind_to_type[expressions.kind_of_dtype(a.dtype)]
    except TypeError:
        raise ValueError("unknown type %s" % a.dtype.name) from None


def getArguments(names, local_dict=None, global_dict=None):
    """The values of names, from the dicts or the caller's frame."""
    frame = sys._getframe(1)
    local_dict = frame.f_locals if local_dict is None else local_dict
    global_dict = frame.f_globals if global_dict is None else global_dict
    args = []
    for name in names:
        try:
            a = local_dict[name]
        except KeyError:
            a = global_dict[name]
        args.append(numpy.asarray(a))
    return args


def _dtype(t):
    """The dtype a signature type compiles to; None for byte strings (their
    itemsize comes with each call)."""
    if t in (bytes, str):
        return None
    if isinstance(t, str) and t in expressions.kind_to_type:
        t = expressions.kind_to_type[t]
    if t is float:
        return numpy.dtype(numpy.float32)
    if t is complex:
        return numpy.dtype(numpy.complex128)
    dtype = _checked_dtype(t)
    return None if dtype.kind == "S" and dtype.itemsize == 0 else dtype


class _ByteStrings(object):
    """A compiled expression with byte-string arguments of any itemsize:
    compiled again for each itemsize a call brings (cached)."""

    def __init__(self, text, names, dtypes, disable_cache):
        self.ex = text
        self.input_names = tuple(names)
        self._dtypes = dtypes
        self._disable_cache = disable_cache
        self._compiled = {}

    def __call__(self, *args, **kwargs):
        arrays = [numpy.asarray(a) for a in args]
        key = tuple(a.dtype if d is None else d for a, d in zip(arrays, self._dtypes))
        nex = self._compiled.get(key)
        if nex is None:
            nex = _jitexpr._jitexpr._compile(self.ex, self.input_names, key,
                                             self._disable_cache)
            self._compiled[key] = nex
        return nex(*arrays, **kwargs)


def _compile(ex, signature, kwargs, check_opcodes):
    context = dict(kwargs)
    disable_cache = bool(context.pop("disable_cache", False))
    getContext(context)
    if isinstance(ex, expressions.ExpressionNode):
        tree = ex
        text = expressions.source(ex)
    elif isinstance(ex, str):
        text = ex
        tree = stringToExpression(ex, dict(signature), {}) if check_opcodes else None
    else:
        text = str(_jitexpr._source(ex))
        tree = None
    if check_opcodes and tree is not None:
        typeCompileAst(expressionToAST(tree))
    order, dtypes = _jitexpr._signature(text, signature, _dtype)
    if any(d is None for d in dtypes):
        return _ByteStrings(text, order, dtypes, disable_cache)
    return _jitexpr._jitexpr._compile(text, tuple(order), tuple(dtypes), disable_cache)


def NumExpr(ex, signature=(), **kwargs):
    """Compile ``ex`` (a string, or a tree from stringToExpression or built
    with E) for ``signature``, a list of (name, numexpr type) pairs: the
    order of the arguments and their types (bool, int_, long_, float,
    double, complex, bytes, or a NumPy dtype)."""
    return _compile(ex, signature, kwargs, True)


def precompile(ex, signature=(), context={}):
    """numexpr's intermediate form is not built by jitexpr."""
    raise NotImplementedError("jitexpr compiles with LLVM: there is no "
                              "numexpr program to precompile")


def disassemble(nex):
    """The compiled program: jitexpr's typed IR, one instruction per entry."""
    return _jitexpr.disassemble(nex)
