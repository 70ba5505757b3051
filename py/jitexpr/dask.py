"""jitexpr on dask arrays: evaluate() of an expression with a dask operand.

``jitexpr.evaluate`` comes here (imported on first use) when one of the
expression's operands is a ``dask.array.Array``.  The result is a lazy dask
array: nothing is computed until ``.compute()`` (or ``dask.compute``,
``da.store``, a distributed client ...).

- Element-wise expressions are one ``dask.array.blockwise`` task per output
  block: the compiled kernel evaluates the whole expression on the
  operands' blocks in one fused pass.  Operands broadcast as in NumPy and
  their chunks are aligned by ``blockwise`` (``unify_chunks``), as
  ``dask.array``'s own operators do.  NumPy arrays become dask arrays with
  matching chunks; Python scalars stay weak (NEP 50) and NumPy scalars and
  0-d arrays strong, passed by value to every block.
- The result's dtype and ``meta`` come from jitexpr itself: the expression
  is evaluated once on 1-element arrays of the operands' dtypes (nothing is
  computed from the data), which also raises at once every error that does
  not depend on the data (syntax, names, types, weak-scalar overflow).
- Reductions (``sum prod min max any all mean``, whole array or ``axis=``)
  are a ``blockwise`` step, where jitexpr reduces each block (the same
  expression in one pass, its accumulator type as in the C library:
  float64 for float16/float32 ``sum``, ``prod`` and any ``mean``,
  complex128 for complex64), then ``dask.array.reduction``, which combines
  those partials in a tree (NumPy over a few values per block) and casts
  to jitexpr's result dtype; ``mean`` is the total sum divided by the
  count of the broadcast shape.

See docs/python.md, "dask arrays".
"""

import os
import threading
from functools import partial

import numpy as np

import dask
import dask.array as da
from dask.base import tokenize

from . import _jitexpr

REDUCTIONS = ("sum", "prod", "min", "max", "any", "all", "mean")

_c_evaluate = _jitexpr.evaluate

_CONTEXT = {
    "optimization": ("none", "moderate", "aggressive"),
    "truediv": (False, True, "auto"),
}


def is_dask_array(v):
    return isinstance(v, da.Array)


# ---- threads inside a dask task --------------------------------------------

# How many jitexpr threads a block uses.  A distributed worker starts with
# OMP_NUM_THREADS=1 (its nanny's pre-spawn environment), which jitexpr reads
# at import: one thread per task, the worker's threads fill its cores.  In
# the threaded local scheduler, which runs one task per core, the tasks
# share jitexpr's pool; see _task_threads.
_tasks_lock = threading.Lock()
_tasks_running = 0
_saved_threads = None


class _task_threads:
    """While any block runs in this process, jitexpr uses `threads` threads
    (JITEXPR_DASK_THREADS, default 1): the scheduler already runs a task
    per core.  The count is restored when the last block ends.  0 leaves
    the pool alone."""

    __slots__ = ()

    def __enter__(self):
        global _tasks_running, _saved_threads
        n = _dask_threads()
        if n:
            with _tasks_lock:
                if _tasks_running == 0:
                    _saved_threads = _jitexpr.set_num_threads(n)
                _tasks_running += 1

    def __exit__(self, *exc):
        global _tasks_running, _saved_threads
        if _dask_threads():
            with _tasks_lock:
                _tasks_running -= 1
                if _tasks_running == 0 and _saved_threads is not None:
                    _jitexpr.set_num_threads(_saved_threads)
                    _saved_threads = None
        return False


def _dask_threads():
    try:
        return max(0, int(os.environ.get("JITEXPR_DASK_THREADS", "1")))
    except ValueError:
        return 1


def _run(ex, scope):
    with _task_threads():
        return _c_evaluate(ex, scope, {})


# ---- the tasks ---------------------------------------------------------------


class _Block:
    """evaluate(ex) on one block of each array operand (`slots` are their
    names, in blockwise's argument order); `consts` are the scalars."""

    def __init__(self, ex, slots, consts):
        self.ex, self.slots, self.consts = ex, tuple(slots), dict(consts)

    def scope(self, blocks):
        s = dict(self.consts)
        s.update(zip(self.slots, blocks))
        return s

    def __call__(self, *blocks):
        return _run(self.ex, self.scope(blocks))

    def __dask_tokenize__(self):
        return (type(self).__name__, self.ex, self.slots,
                tokenize(sorted(self.consts.items(), key=lambda kv: kv[0])))


class _Partial(_Block):
    """One block's partial of a reduction over `axes` (of `ndim`): the
    reduction expression `ex` on the block, with the reduced axes kept
    (length 1).  An empty block of a min/max (whose total is not empty)
    gives the operation's identity, so that it changes nothing."""

    def __init__(self, ex, slots, consts, op, axes, ndim, dtype):
        super().__init__(ex, slots, consts)
        self.op, self.axes, self.ndim, self.dtype = op, tuple(axes), ndim, np.dtype(dtype)

    def __call__(self, *blocks):
        shape = np.broadcast_shapes(*(np.shape(b) for b in blocks))
        keep = tuple(1 if k in self.axes else n for k, n in enumerate(shape))
        if self.op in ("min", "max") and any(shape[k] == 0 for k in self.axes):
            return np.full(keep, _identity(self.op, self.dtype), self.dtype)
        r = _run(self.ex, self.scope(blocks))
        return np.asarray(r).reshape(keep)

    def __dask_tokenize__(self):
        return _Block.__dask_tokenize__(self) + (self.op, self.axes, self.ndim, str(self.dtype))


def _identity(op, dtype):
    """The value that min (op 'min') or max leaves unchanged."""
    big = op == "min"
    if dtype.kind == "b":
        return big
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return info.max if big else info.min
    inf = np.inf if big else -np.inf
    return complex(inf, inf) if dtype.kind == "c" else inf


_COMBINE = {
    "sum": np.sum, "mean": np.sum, "prod": np.prod, "min": np.min,
    "max": np.max, "any": np.any, "all": np.all,
}


def _chunk(x, axis=None, keepdims=True):
    """The partials are made by _Partial already: the reduction's chunk step
    passes them on."""
    return x


def _combine(x, axis=None, keepdims=True, op="sum"):
    if op in ("sum", "mean", "prod"):
        return _COMBINE[op](x, axis=axis, keepdims=keepdims, dtype=x.dtype)
    return _COMBINE[op](x, axis=axis, keepdims=keepdims)


def _aggregate(x, axis=None, keepdims=False, op="sum", count=1, dtype=None):
    r = _combine(x, axis=axis, keepdims=keepdims, op=op)
    if op == "mean":
        # As NumPy (and jitexpr): the sum divided by the count, a complex
        # sum by count + 0j; an empty mean is NaN (NumPy also warns).
        with np.errstate(invalid="ignore", divide="ignore"):
            r = r / (np.complex128(count) if r.dtype.kind == "c" else np.float64(count))
    return np.asarray(r).astype(dtype, copy=False)


# ---- the expression ----------------------------------------------------------


def _var(v):
    """The (dtype, weak) of a value as evaluate() passes it to the
    library: a Python bool, int, float or complex is weak."""
    if isinstance(v, (bool, int, float, complex)) and not isinstance(v, np.generic):
        t = {bool: np.bool_, int: np.int64, float: np.float64, complex: np.complex128}
        return np.dtype(next(t[k] for k in t if isinstance(v, k))), True
    return np.asarray(v).dtype, False


def _meta_value(v):
    """What stands for an operand when finding the result's dtype: a
    1-element array of its dtype and number of dimensions (a scalar is
    itself)."""
    if isinstance(v, (da.Array, np.ndarray)):
        return np.zeros((1,) * v.ndim, v.dtype)
    return v


def _context(kwargs):
    """numexpr's keywords, checked as jitexpr.evaluate checks them."""
    kwargs = dict(kwargs)
    kwargs.pop("_frame_depth", None)
    kwargs.pop("sanitize", None)
    kwargs.pop("disable_cache", None)  # blocks share one compiled kernel
    for name, allowed in _CONTEXT.items():
        if name in kwargs and kwargs.pop(name) not in allowed:
            raise ValueError("'%s' must be one of %s" % (name, allowed))
    if kwargs:
        raise ValueError("Unknown keyword argument '%s'" % kwargs.popitem()[0])


def evaluate(ex, values, out=None, order="K", casting="same_kind", **kwargs):
    """The lazy dask array of `ex` over `values` (name -> value, at least
    one a dask array).  With `out`, the result is stored into it
    (``dask.array.store``: computed now) and `out` is returned."""
    _context(kwargs)
    if order not in (None, "K", "k", "C", "c", "A", "a", "F", "f"):
        raise ValueError("order must be one of 'C', 'F', 'A', or 'K' (got %r)" % (order,))
    names = list(values)
    arrays, consts = {}, {}
    for n, v in values.items():
        if isinstance(v, da.Array):
            arrays[n] = v
        elif isinstance(v, (bool, int, float, complex, bytes, np.generic)):
            consts[n] = v
        else:
            a = np.asarray(v)
            if a.ndim == 0:
                consts[n] = a
            else:
                arrays[n] = da.from_array(a, chunks=a.shape if a.size else -1)
    for n, a in arrays.items():
        if a.dtype.hasobject or a.dtype.kind in "OUVMm":
            raise TypeError("unsupported dtype %s of '%s'" % (a.dtype, n))
    # The result's dtype, and every error that the data cannot change.
    meta_scope = {n: _meta_value(v) for n, v in values.items() if n in arrays}
    meta_scope.update(consts)
    r = _c_evaluate(ex, meta_scope, {})
    dtype = r.dtype
    shapes = [a.shape for a in arrays.values()]
    ndim = max((len(s) for s in shapes), default=0)
    if not any(np.isnan(n) for s in shapes for n in s):
        shape = np.broadcast_shapes(*shapes)  # ValueError as NumPy's
    else:
        shape = None
    slots = list(arrays)
    inds = tuple(range(ndim))[::-1]
    args = []
    for n in slots:
        a = arrays[n]
        args += [a, tuple(range(a.ndim))[::-1]]
    token = tokenize(ex, sorted(consts.items(), key=lambda kv: kv[0]), slots, *args)

    kinds = [_var(meta_scope[n]) for n in meta_scope]
    nodes = _jitexpr._tree(ex, tuple(meta_scope), tuple(t for t, _ in kinds),
                           tuple(w for _, w in kinds))
    root = nodes[-1]
    if root[0] == "function" and root[2] in REDUCTIONS and ndim > 0:
        # The reduction's argument as the library parsed it: its span in
        # the UTF-8 source (the C parser is the only reader of `ex`).
        start, end = nodes[root[4][0]][9]
        src = ex.encode("utf-8") if isinstance(ex, str) else bytes(ex)
        inner = src[start:end].decode("utf-8")
        result = _reduction(root[2], root[8], inner, dtype, shape, ndim, slots,
                            consts, meta_scope, args, inds, token)
    else:
        result = da.blockwise(_Block(ex, slots, consts), inds, *args, dtype=dtype,
                              meta=np.empty((0,) * ndim, dtype), name="jitexpr-" + token)
    if out is None:
        return result
    return _store(result, out, casting)


def call_numexpr(ex, names, dtypes, args, out=None, order="K", casting="safe"):
    """A NumExpr object (`ex` compiled for arguments `names` of `dtypes`)
    called with `args`, one of them a dask array: each argument is given
    its dtype from the signature (converted under `casting`, as the C call
    converts NumPy arguments), then evaluated as evaluate() would."""
    values = {}
    for name, dtype, v in zip(names, dtypes, args):
        dtype = np.dtype(dtype)
        if isinstance(v, da.Array):
            if v.dtype != dtype:
                if not np.can_cast(v.dtype, dtype, casting):
                    raise TypeError("Cannot cast argument '%s' from %s to %s according "
                                    "to the rule '%s'" % (name, v.dtype, dtype, casting))
                v = v.astype(dtype)
        else:
            a = np.asarray(v)
            if a.dtype != dtype and not np.can_cast(a.dtype, dtype, casting):
                raise TypeError("Cannot cast argument '%s' from %s to %s according "
                                "to the rule '%s'" % (name, a.dtype, dtype, casting))
            v = a.astype(dtype, copy=False)
        values[name] = v
    return evaluate(ex, values, out, order, casting)


def _reduction(op, axis, inner, dtype, shape, ndim, slots, consts, meta_scope, args,
               inds, token):
    if axis is None:
        axes = tuple(range(ndim))
    else:
        axes = (axis + ndim if axis < 0 else axis,)
    if shape is None:
        raise ValueError("jitexpr.dask: a reduction needs known chunk sizes "
                         "(call compute_chunk_sizes() on the operands)")
    count = 1
    for k in axes:
        count *= shape[k]
    if op in ("min", "max") and count == 0:
        raise ValueError("zero-size array to reduction operation %s which has no "
                         "identity" % ("minimum" if op == "min" else "maximum"))
    # Each block's partial, in the accumulator type of the C library.
    cast = ""
    if op in ("sum", "prod") and dtype in (np.float16, np.float32):
        cast = "float64"
    elif op in ("sum", "prod", "mean") and dtype == np.complex64:
        cast = "complex128"
    elif op == "mean" and dtype.kind != "c":
        cast = "float64"
    pex = "%s(%s(%s)%s)" % ("sum" if op == "mean" else op, cast, inner,
                            "" if axis is None else ", axis=%d" % axes[0])
    pdtype = _c_evaluate(pex, meta_scope, {}).dtype
    partials = da.blockwise(
        _Partial(pex, slots, consts, op, axes, ndim, pdtype), inds, *args,
        dtype=pdtype, meta=np.empty((0,) * ndim, pdtype),
        adjust_chunks={inds[k]: 1 for k in axes}, name="jitexpr-partial-" + token)
    return da.reduction(
        partials, chunk=_chunk, combine=partial(_combine, op=op),
        aggregate=partial(_aggregate, op=op, count=count, dtype=dtype),
        axis=axes, keepdims=False, dtype=dtype, concatenate=True,
        meta=np.empty((0,) * (ndim - len(axes)), dtype), name="jitexpr-%s-%s" % (op, token))


def _store(result, out, casting):
    """evaluate(..., out=out) with dask operands: `out` is any array-like
    target that ``dask.array.store`` writes to (a NumPy array, an h5py or
    zarr dataset, a memmap), of the result's shape or one it broadcasts
    to; the result is cast to its dtype under `casting`."""
    if isinstance(out, da.Array):
        raise TypeError("out= cannot be a dask array (dask arrays are immutable): "
                        "use the returned array, or pass a NumPy array, a memmap, "
                        "or an h5py/zarr dataset to store into")
    if not hasattr(out, "shape") or not hasattr(out, "dtype") or not hasattr(out, "__setitem__"):
        raise TypeError("out= must be an array-like target with shape, dtype and "
                        "__setitem__, not %s" % type(out).__name__)
    odt = np.dtype(out.dtype)
    if not np.can_cast(result.dtype, odt, casting=casting or "same_kind"):
        raise TypeError("Cannot cast the result from dtype('%s') to dtype('%s') with "
                        "casting rule '%s'" % (result.dtype, odt, casting))
    if tuple(result.shape) != tuple(out.shape):
        result = da.broadcast_to(result, out.shape)
    if result.dtype != odt:
        result = result.astype(odt, casting="unsafe")
    da.store(result, out, lock=not isinstance(out, np.ndarray))
    return out
