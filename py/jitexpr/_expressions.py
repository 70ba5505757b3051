"""numexpr's ``E``: build expression text with Python operators.

``E.a * 2 + E.b`` is an :class:`Expression` whose ``str()`` is the source
``((a * 2) + b)``.  NumExpr() and evaluate() accept it where numexpr does.
Nothing here evaluates anything: it only writes text for the C parser.
"""

__all__ = ["E", "Expression"]


def _text(x):
    if isinstance(x, Expression):
        return x._src
    if isinstance(x, bool):
        return "True" if x else "False"
    if isinstance(x, int):
        return str(x) if x >= 0 else "(%d)" % x
    if isinstance(x, float):
        if x != x:
            return "(1e400-1e400)"
        if x in (float("inf"), float("-inf")):
            return "1e400" if x > 0 else "(-1e400)"
        r = repr(x)
        return r if x >= 0 and not r.startswith("-") else "(%s)" % r
    raise TypeError("cannot use %r in a jitexpr expression" % (x,))


def _binary(op, reflected=False):
    def method(self, other):
        try:
            o = _text(other)
        except TypeError:
            return NotImplemented
        if reflected:
            return Expression("(%s %s %s)" % (o, op, self._src))
        return Expression("(%s %s %s)" % (self._src, op, o))

    return method


def _unary(op):
    def method(self):
        return Expression("(%s%s)" % (op, self._src))

    return method


class Expression:
    """Source text of an expression, built with Python operators."""

    __slots__ = ("_src",)

    def __init__(self, src):
        self._src = src

    def __str__(self):
        return self._src

    def __repr__(self):
        return "E(%r)" % self._src

    def __bool__(self):
        raise TypeError("an expression has no truth value; use & | ~ and where()")

    __hash__ = object.__hash__

    __add__ = _binary("+")
    __radd__ = _binary("+", True)
    __sub__ = _binary("-")
    __rsub__ = _binary("-", True)
    __mul__ = _binary("*")
    __rmul__ = _binary("*", True)
    __truediv__ = _binary("/")
    __rtruediv__ = _binary("/", True)
    __floordiv__ = _binary("//")
    __rfloordiv__ = _binary("//", True)
    __mod__ = _binary("%")
    __rmod__ = _binary("%", True)
    __pow__ = _binary("**")
    __rpow__ = _binary("**", True)
    __and__ = _binary("&")
    __rand__ = _binary("&", True)
    __or__ = _binary("|")
    __ror__ = _binary("|", True)
    __xor__ = _binary("^")
    __rxor__ = _binary("^", True)
    __lshift__ = _binary("<<")
    __rlshift__ = _binary("<<", True)
    __rshift__ = _binary(">>")
    __rrshift__ = _binary(">>", True)
    __lt__ = _binary("<")
    __le__ = _binary("<=")
    __eq__ = _binary("==")
    __ne__ = _binary("!=")
    __ge__ = _binary(">=")
    __gt__ = _binary(">")
    __neg__ = _unary("-")
    __pos__ = _unary("+")
    __invert__ = _unary("~")

    def __abs__(self):
        return Expression("abs(%s)" % self._src)


class _Variables:
    """``E.name`` is the variable ``name``."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Expression(name)


E = _Variables()
