"""An opt-in stand-in for numexpr, backed by jitexpr.

Put the directory holding this package (py/numexpr_shim in the source tree,
<site-packages>/jitexpr/numexpr_shim once installed) first on sys.path and
``import numexpr`` gives jitexpr's numexpr-compatible API, so code written
for numexpr (pandas' ``engine='numexpr'``, ``DataFrame.query``/``eval`` and
its large-array arithmetic) runs on jitexpr unchanged::

    PYTHONPATH=$(python3 -c 'import jitexpr, os; \\
        print(os.path.join(jitexpr.__path__[0], "numexpr_shim"))') python3 app.py

``__version__`` is the numexpr release whose API is implemented, with
jitexpr's version as a local label (``2.14.1+jitexpr.0.1.0``), so version
checks such as pandas' (numexpr >= 2.7.3) pass and the origin stays visible.
"""

import jitexpr as _jitexpr
from jitexpr import *  # noqa: F401,F403  (the numexpr-compatible API)
from jitexpr import __all__  # noqa: F401

from . import expressions, necompiler  # noqa: E402  (numexpr's compiler interface)
from .expressions import E  # noqa: E402,F811  (numexpr's E builds trees)

__version__ = "%s+jitexpr.%s" % (_jitexpr.__numexpr_version__, _jitexpr.__version__)

#: The package that does the work.
backend = _jitexpr


def NumExpr(ex, signature=(), sanitize=None, **kwargs):
    """jitexpr.NumExpr, also taking a tree of numexpr.expressions nodes
    (from E or necompiler.stringToExpression).  ``sanitize`` is accepted
    for compatibility: nothing is eval()'d."""
    return necompiler._compile(ex, signature, kwargs, False)
