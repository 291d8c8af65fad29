"""nutpie's numba compile, with its two C callbacks kept in numba's disk cache.

nutpie samples a numba-compiled model by calling two C functions from its Rust loop: the log
density with its gradient, and the expansion of a draw into every variable of the trace.
``nutpie.compile_pymc_model`` builds them as closures over the model's data, which numba
cannot cache, so every fit compiled them again: 15-17 s on PyMC-Marketing's example and
on ``data/sample`` even when pytensor's cache held all the model's own code
(docs/benchmarks.md, *Twenty-seventh session*).

Here the two callbacks are generated as source that holds no data: the shared arrays
(``pm.Data``) reach them through a pointer table that nutpie hands to each call, and their
shapes are written into the source. The source is registered with pytensor's numba cache
under a key made of that source and the key of the pytensor function it calls, so numba
stores the compiled callbacks beside pytensor's own code and loads them in a later process.
A model whose pytensor function has no cache key (an op without one) gets callbacks that are
compiled afresh each time, as before.

The draws are those of ``nutpie.compile_pymc_model(backend="numba")``: the callbacks call
the same compiled function on the same arrays.

This module builds on nutpie's own pieces (``_make_functions``, ``_prepare_dims_and_coords``,
``CompiledPyMCModel``), written against nutpie 0.16. :func:`compile_numba` raises
``ImportError`` when they are missing; :func:`seedmodel.inference.sample.compile_nutpie`
then falls back to nutpie's own compile.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pymc as pm

__all__ = ["cache_key", "callback_source", "compile_numba", "numba_functions"]

#: Part of every callback's cache key: change it when the generated source's meaning changes
#: without its text changing (a new calling convention of nutpie, say).
VERSION = "seedmodel-nutpie-callbacks-1"

_LOGP_BODY = """
    x = numba.carray(x_, ({n_dim},))
    out = numba.carray(out_, ({n_dim},))
    logp = numba.carray(logp_, ())
    try:
        logp_val, grad = inner(x{args})
        logp[()] = logp_val
        out[...] = grad
        if not np.all(np.isfinite(out)):
            return 3
        if not np.isfinite(logp_val):
            return 4
    except Exception:  # noqa: BLE001
        return 1
    return 0
"""

_EXPAND_BODY = """
    if expanded != {n_expanded}:
        return -1
    x = numba.carray(x_, ({n_dim},))
    out = numba.carray(out_, ({n_expanded},))
    try:
        (values,) = inner(x{args})
        out[...] = values
    except Exception:  # noqa: BLE001
        return -2
    return 0
"""


def callback_source(
    kind: str, n_dim: int, arrays: list[tuple[int, np.ndarray]], n_expanded: int = 0
) -> str:
    """Python source of nutpie's ``logp`` or ``expand`` C callback.

    Parameters
    ----------
    kind : {"logp", "expand"}
        Which callback.
    n_dim : int
        The sampler's dimension (unconstrained parameters).
    arrays : list of (int, ndarray)
        The shared arrays the compiled function takes after the point, in its order, each
        with its position in the pointer table the callback receives as ``user_data_``.
        Only their shapes and dtypes enter the source.
    n_expanded : int
        Length of an expanded draw (``expand`` only).

    Returns
    -------
    str
        The source of a function ``callback`` that calls a compiled ``inner``.
    """
    if kind == "logp":
        head = "def callback(dim, x_, out_, logp_, user_data_):"
        body = _LOGP_BODY
    elif kind == "expand":
        head = "def callback(dim, expanded, x_, out_, user_data_):"
        body = _EXPAND_BODY
    else:
        raise ValueError(f"kind must be 'logp' or 'expand', got {kind!r}")
    lines = [head, f"    if dim != {n_dim}:", "        return -1"]
    if arrays:
        size = max(slot for slot, _ in arrays) + 1
        lines.append(f"    table = numba.carray(user_data_, ({size},), np.uint64)")
    for i, (slot, array) in enumerate(arrays):
        lines.append(
            f"    s{i} = numba.carray(address_as_void_pointer(table[{slot}]), "
            f"{tuple(int(n) for n in array.shape)!r}, np.{array.dtype.name})"
        )
    args = "".join(f", s{i}" for i in range(len(arrays)))
    return "\n".join(lines) + body.format(n_dim=n_dim, n_expanded=n_expanded, args=args)


def cache_key(function: Any) -> str | None:
    """pytensor's numba cache key of a compiled pytensor ``function`` (None: not cached).

    Equal keys mean the same compiled code: two datasets whose models give equal keys share
    it, so the second fit loads what the first compiled.
    """
    from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS

    return CACHED_SRC_FUNCTIONS.get(function.vm.jit_fn.py_func)


def numba_functions(model: pm.Model, initial_points: dict | None = None, jitter_rvs=None):
    """nutpie's pytensor functions of ``model`` in numba mode, fast-math off: (sampler
    dimension, expanded length, log density and gradient, expansion, start function, shape
    information, transformed variables' names), as ``nutpie.compile_pymc._make_functions``.

    pytensor builds and rewrites the graph here; numba compiles it at the first call.
    """
    import pytensor
    from nutpie.compile_pymc import _make_functions, _wrap_with_lock
    from pymc.initial_point import make_initial_point_fn

    initial_point_fn = _wrap_with_lock(
        make_initial_point_fn(
            model=model,
            overrides=initial_points,
            jitter_rvs=jitter_rvs or set(),
            return_transformed=True,
        )
    )
    with pytensor.config.change_flags(numba__fastmath=False):
        return _make_functions(
            model,
            mode="NUMBA",
            compute_grad=True,
            join_expanded=True,
            pymc_initial_point_fn=initial_point_fn,
        )


def _callback(source: str, function: Any, signature: Any):
    """The numba C callback of ``source`` calling the compiled pytensor ``function``;
    cached on disk when ``function`` is."""
    import numba
    from nutpie.compile_pymc import address_as_void_pointer
    from pytensor.link.numba.cache import compile_numba_function_src

    inner_key = cache_key(function)
    key = None
    if inner_key is not None:
        key = hashlib.sha256("\n".join((VERSION, inner_key, source)).encode()).hexdigest()
    env = {
        # numba imports the module named here when it loads the callback from its cache
        "__name__": __name__,
        "numba": numba,
        "np": np,
        "inner": function.vm.jit_fn,
        "address_as_void_pointer": address_as_void_pointer,
    }
    python = compile_numba_function_src(source, "callback", env, cache_key=key)
    return numba.cfunc(signature, cache=key is not None)(python)


def _signatures():
    """nutpie's C signatures of the ``logp`` and ``expand`` callbacks."""
    from numba import types

    double = types.CPointer(types.double)
    logp = types.int64(types.uint64, double, double, double, types.voidptr)
    expand = types.int64(types.uint64, types.uint64, double, double, types.voidptr)
    return logp, expand


def compile_numba(
    model: pm.Model, *, initial_points: dict | None = None, jitter_rvs: set | None = None
):
    """``nutpie.compile_pymc_model(model, backend="numba", ...)`` with cacheable callbacks.

    Parameters
    ----------
    model : pymc.Model
        The model.
    initial_points : dict, optional
        Starting values by variable, as nutpie's ``initial_points``.
    jitter_rvs : set, optional
        Variables whose start is jittered, as nutpie's ``jitter_rvs`` (default: none).

    Returns
    -------
    nutpie.compile_pymc.CompiledPyMCModel
        What ``nutpie.sample`` takes.

    Raises
    ------
    ImportError
        When the installed nutpie lacks the pieces this builds on.
    """
    import pytensor
    from nutpie.compile_pymc import CompiledPyMCModel, _prepare_dims_and_coords

    n_dim, n_expanded, logp_pt, expand_pt, start_fn, shape_info, reparameterized = numba_functions(
        model, initial_points, jitter_rvs
    )
    with pytensor.config.change_flags(numba__fastmath=False):
        shared_vars = list(dict.fromkeys([*logp_pt.get_shared(), *expand_pt.get_shared()]))
        slot = {var: i for i, var in enumerate(shared_vars)}
        shared = {var.name: np.array(var.get_value(), order="C", copy=True) for var in shared_vars}
        for array in shared.values():
            array.flags.writeable = False
        logp_sig, expand_sig = _signatures()
        callbacks = []
        for kind, function, signature in (
            ("logp", logp_pt, logp_sig),
            ("expand", expand_pt, expand_sig),
        ):
            arrays = [(slot[var], shared[var.name]) for var in function.get_shared()]
            source = callback_source(kind, n_dim, arrays, n_expanded)
            callbacks.append(_callback(source, function, signature))
    table = np.array([shared[var.name].ctypes.data for var in shared_vars] or [0], np.uint64)
    dims, coords = _prepare_dims_and_coords(model, shape_info, reparameterized)
    return CompiledPyMCModel(
        _n_dim=n_dim,
        dims=dims,
        _coords=coords,
        _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info, strict=True)},
        compiled_logp_func=callbacks[0],
        compiled_expand_func=callbacks[1],
        initial_point_func=start_fn,
        shared_data=shared,
        shared_var_keys={var: var.name for var in shared_vars},
        user_data=table,
        n_expanded=n_expanded,
        shape_info=shape_info,
        logp_func=logp_pt,
        expand_func=expand_pt,
    )
