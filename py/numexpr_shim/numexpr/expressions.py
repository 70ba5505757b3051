"""numexpr.expressions for programs that walk numexpr's expression trees.

PyTables reads ``necompiler.stringToExpression``'s tree to find indexable
comparisons: nodes with ``astType`` ('variable', 'constant', 'op'),
``astKind`` (numexpr's kinds: 'bool', 'int', 'long', 'float', 'double',
'complex', 'bytes'), ``value`` (a name, a constant, an operator's name) and
``children``.  Here every tree comes from jitexpr's C parser and type pass
(``_jitexpr._tree``); nothing evaluates or compiles a user's string with
Python.  Nodes combined with Python operators (``E.a + 1``) are typed by
the same C code: the combination is written out as source text and typed.

Kinds are numexpr's names for NumPy's types: 'int' is int32 (and the
smaller integers), 'long' int64 (and uint32, uint64), 'float' float32 (and
float16), 'double' float64.  jitexpr types with NumPy's rules, so a node's
kind can differ from numexpr's where the two differ (docs/python.md).
"""

import numpy

from jitexpr import _jitexpr
from jitexpr._expressions import _text as _number_text

__all__ = ["E"]

double = numpy.double
int_ = numpy.int32
long_ = numpy.int64

default_kind = "double"
type_to_kind = {bool: "bool", int_: "int", long_: "long", float: "float",
                double: "double", complex: "complex", bytes: "bytes", str: "str"}
kind_to_type = {"bool": bool, "int": int_, "long": long_, "float": float,
                "double": double, "complex": complex, "bytes": bytes, "str": str}
kind_rank = ("bool", "int", "long", "float", "double", "complex", "none")
scalar_constant_types = (bool, int_, int, float, double, complex, bytes, str)

max_int32 = 2147483647
min_int32 = -max_int32 - 1

# The dtype a variable of each kind is typed with.
_KIND_DTYPE = {"bool": "bool", "int": "int32", "long": "int64", "float": "float32",
               "double": "float64", "complex": "complex128", "bytes": "S1", "str": "S1"}

# numexpr's names for the operators and functions whose jitexpr mnemonic
# differs; every other name is the mnemonic of jitexpr's operator table.
_NUMEXPR_NAME = {"shl": "lshift", "shr": "rshift", "abs": "absolute",
                 "conj": "conjugate"}
_MNEMONIC = {v: k for k, v in _NUMEXPR_NAME.items()}

# The operator table: mnemonic -> (spelling, syntax), from the C library.
_OPS = {m: (spell, syntax) for m, spell, syntax, _ in _jitexpr._ops()}


def kind_of_dtype(dtype):
    """numexpr's kind for a NumPy dtype (as necompiler.getType)."""
    dtype = numpy.dtype(dtype)
    if dtype.kind == "b":
        return "bool"
    if dtype.kind in "iu":
        if dtype.itemsize > 4 or (dtype.kind == "u" and dtype.itemsize == 4):
            return "long"
        return "int"
    if dtype.kind == "f":
        return "double" if dtype.itemsize > 4 else "float"
    if dtype.kind == "c":
        return "complex"
    if dtype.kind == "S":
        return "bytes"
    raise TypeError("dtype %s has no numexpr kind" % dtype)


def bestConstantType(x):
    """numexpr's type for a Python or NumPy scalar constant."""
    if isinstance(x, (bytes, str)):
        return bytes
    if isinstance(x, (bool, numpy.bool_)):
        return bool
    if isinstance(x, numpy.int64):
        return long_
    if isinstance(x, double):
        return double
    if isinstance(x, numpy.float32):
        return float
    if isinstance(x, (int, numpy.integer)):
        return int_ if min_int32 <= x <= max_int32 else long_
    if isinstance(x, (float, numpy.floating)):
        return double
    if isinstance(x, (complex, numpy.complexfloating)):
        return complex
    return None


def getKind(x):
    """numexpr's kind of a constant."""
    t = bestConstantType(x)
    if t is None:
        raise TypeError("unsupported object type: %s" % type(x))
    kind = type_to_kind[t]
    return "double" if kind == "float" and isinstance(x, float) else kind


def isConstant(ex):
    """True if ex is a constant scalar of an allowed type."""
    return isinstance(ex, scalar_constant_types)


def _node(x):
    if isinstance(x, ExpressionNode):
        return x
    if isConstant(x):
        return ConstantNode(x)
    raise TypeError("unsupported object type: %s" % type(x))


def _literal(value):
    """Source text of a constant value."""
    if isinstance(value, str):
        value = value.encode("ascii")
    if isinstance(value, bytes):
        return repr(value)
    if isinstance(value, (complex, numpy.complexfloating)):
        value = complex(value)
        return "(%s + %sj)" % (_number_text(value.real), _number_text(value.imag))
    if isinstance(value, (bool, numpy.bool_)):
        return "True" if value else "False"
    if isinstance(value, numpy.integer):
        value = int(value)
    elif isinstance(value, numpy.floating):
        value = float(value)
    return _number_text(value)


def source(node, variables=None):
    """jitexpr source text of the tree under node, fully parenthesised.
    With a dict ``variables``, each variable's name is recorded with its
    kind (a name used with two kinds is an error)."""
    if isinstance(node, ConstantNode) or node.astType == "constant":
        return _literal(node.value)
    if node.astType == "variable":
        if variables is not None:
            if variables.setdefault(node.value, node.astKind) != node.astKind:
                raise TypeError("variable %r is used with the kinds %r and %r"
                                % (node.value, variables[node.value], node.astKind))
        return node.value
    if node.astType == "alias":
        return source(node.value, variables)
    name = node.value.decode("ascii") if isinstance(node.value, bytes) else node.value
    mnemonic = _MNEMONIC.get(name, name)
    if mnemonic not in _OPS:
        raise NotImplementedError("jitexpr has no operator or function %r" % name)
    spelling, syntax = _OPS[mnemonic]
    args = [source(c, variables) for c in node.children
            if getattr(c, "astType", None) != "raw"]
    if syntax == "binary":
        return "(%s %s %s)" % (args[0], spelling, args[1])
    if syntax == "unary":
        return "(%s%s)" % (spelling, args[0])
    axis = getattr(node, "axis", None)
    if axis is not None:
        args.append("axis=%d" % axis)
    return "%s(%s)" % (spelling, ", ".join(args))


def _from_tree(nodes, kinds):
    """ExpressionNodes of _jitexpr._tree's nodes (the root last); kinds
    gives each variable's numexpr kind.  Casts are left out (numexpr's
    tree has none: its compiler adds them), as is unary plus."""
    built = []
    for kind, dtype, op, spelling, args, name, value, weak, axis, _span in nodes:
        if kind == "variable":
            node = VariableNode(name, kinds[name])
        elif kind == "constant":
            node = ConstantNode(value)
            if not weak and dtype.kind != "S":
                node.astKind = kind_of_dtype(dtype)
        elif kind == "cast" or op == "pos":
            node = built[args[0]]
        else:
            children = [built[i] for i in args]
            cls = FuncNode if kind == "function" else OpNode
            node = cls(_NUMEXPR_NAME.get(op, op), children, kind_of_dtype(dtype))
            node.axis = axis
        built.append(node)
    return built[-1]


def typed(text, kinds):
    """The tree of jitexpr source ``text`` whose variables have the numexpr
    kinds in ``kinds`` (name -> kind), typed by jitexpr."""
    names = tuple(_jitexpr._names(text))
    for n in names:
        if n not in kinds:
            raise NameError("name %r is not defined" % n)
    dtypes = tuple(_KIND_DTYPE[kinds[n]] for n in names)
    return _from_tree(_jitexpr._tree(text, names, dtypes), kinds)


def _combine(mnemonic, args, kind=None):
    """The node of operator ``mnemonic`` applied to args, typed (and folded,
    for constants) by jitexpr."""
    args = [_node(a) for a in args]
    node = (FuncNode if _OPS[mnemonic][1] == "call" else OpNode)(
        _NUMEXPR_NAME.get(mnemonic, mnemonic), args, "none")
    kinds = {}
    text = source(node, kinds)
    result = typed(text, kinds)
    if kind is not None and isinstance(result, OpNode):
        result.astKind = kind
    return result


def _binary(mnemonic, reflected=False):
    def method(self, other):
        if not (isinstance(other, ExpressionNode) or isConstant(other)):
            return NotImplemented
        return _combine(mnemonic, (other, self) if reflected else (self, other))
    return method


class ExpressionNode(object):
    """A node of an expression tree; Python operators combine nodes into
    larger trees (typed by jitexpr), as numexpr's do."""

    astType = "generic"

    def __init__(self, value=None, kind=None, children=None):
        self.value = value
        self.astKind = "none" if kind is None else kind
        self.children = () if children is None else tuple(children)

    @property
    def real(self):
        if self.astType == "constant":
            return ConstantNode(complex(self.value).real)
        return _combine("real", (self,))

    @property
    def imag(self):
        if self.astType == "constant":
            return ConstantNode(complex(self.value).imag)
        return _combine("imag", (self,))

    def __str__(self):
        return "%s(%s, %s, %s)" % (self.__class__.__name__, self.value,
                                   self.astKind, self.children)

    __repr__ = __str__

    def __bool__(self):
        raise TypeError("You can't use Python's standard boolean operators in "
                        "NumExpr expressions. You should use their bitwise "
                        "counterparts instead: '&' instead of 'and', "
                        "'|' instead of 'or', and '~' instead of 'not'.")

    def __neg__(self):
        return _combine("neg", (self,))

    def __invert__(self):
        return _combine("invert", (self,))

    def __pos__(self):
        return self

    def __abs__(self):
        return _combine("abs", (self,))

    __hash__ = object.__hash__
    __add__ = _binary("add")
    __radd__ = _binary("add", True)
    __sub__ = _binary("sub")
    __rsub__ = _binary("sub", True)
    __mul__ = _binary("mul")
    __rmul__ = _binary("mul", True)
    __truediv__ = _binary("div")
    __rtruediv__ = _binary("div", True)
    __floordiv__ = _binary("floordiv")
    __rfloordiv__ = _binary("floordiv", True)
    __pow__ = _binary("pow")
    __rpow__ = _binary("pow", True)
    __mod__ = _binary("mod")
    __rmod__ = _binary("mod", True)
    __lshift__ = _binary("shl")
    __rlshift__ = _binary("shl", True)
    __rshift__ = _binary("shr")
    __rrshift__ = _binary("shr", True)
    __and__ = _binary("and")
    __rand__ = _binary("and", True)
    __or__ = _binary("or")
    __ror__ = _binary("or", True)
    __xor__ = _binary("xor")
    __rxor__ = _binary("xor", True)
    __gt__ = _binary("gt")
    __ge__ = _binary("ge")
    __eq__ = _binary("eq")
    __ne__ = _binary("ne")
    __lt__ = _binary("lt")
    __le__ = _binary("le")


class LeafNode(ExpressionNode):
    leafNode = True


class VariableNode(LeafNode):
    astType = "variable"

    def __init__(self, value=None, kind=None, children=None):
        LeafNode.__init__(self, value=value, kind=kind)


class ConstantNode(LeafNode):
    astType = "constant"

    def __init__(self, value=None, children=None):
        LeafNode.__init__(self, value=value, kind=getKind(value))


class OpNode(ExpressionNode):
    astType = "op"
    axis = None

    def __init__(self, opcode=None, args=None, kind=None):
        ExpressionNode.__init__(self, value=opcode, kind=kind, children=args)


class FuncNode(OpNode):
    pass


class RawNode(object):
    """A raw integer operand (numexpr passes reduction axes this way)."""

    astType = "raw"
    astKind = "none"

    def __init__(self, value):
        self.value = value
        self.children = ()

    def __str__(self):
        return "RawNode(%s)" % (self.value,)

    __repr__ = __str__


class Expression(object):
    """``E.name`` is the variable ``name`` (of kind 'double')."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return VariableNode(name, default_kind)


E = Expression()


def _function(mnemonic):
    def build(*args, **kwargs):
        axis = kwargs.pop("axis", None)
        if kwargs:
            raise TypeError("%s() got an unexpected keyword argument %r"
                            % (mnemonic, next(iter(kwargs))))
        if axis is None:
            return _combine(mnemonic, args)
        args = [_node(a) for a in args]
        node = FuncNode(mnemonic, args, "none")
        node.axis = int(axis)
        kinds = {}
        return typed(source(node, kinds), kinds)
    build.__name__ = mnemonic
    return build


#: The functions of the language by name (numexpr's callers test names
#: against it); each builds a node from nodes or constants.
functions = {spell: _function(m) for m, (spell, syntax) in _OPS.items()
             if syntax == "call"}
