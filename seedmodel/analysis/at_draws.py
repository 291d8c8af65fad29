"""A model variable evaluated at every posterior draw at once.

PyMC's ``sample_posterior_predictive`` and ``compute_deterministics`` call a compiled function
once per draw. For the expected GMV of every brand, platform and day that loop, and the
per-draw function's own compile, were most of the time ``roi()`` spent outside sampling. Here
the variable's graph is batched over draws (PyTensor's ``vectorize_graph``) and compiled once,
by JAX, for a block of draws.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr

__all__ = ["DRAWS_PER_CALL", "evaluate_at_draws"]

#: Draws per call of the batched function: enough to amortise a call, few enough that the
#: largest intermediate (draws x brands x channels x days x lags) stays in tens of MB.
DRAWS_PER_CALL = 100


def evaluate_at_draws(
    model, variable, posterior: xr.Dataset, *, draws_per_call: int = DRAWS_PER_CALL
) -> np.ndarray:
    """``variable`` of ``model`` at each of ``posterior``'s draws: (chain, draw, *shape).

    Parameters
    ----------
    model : pymc.Model
        The model the draws came from.
    variable : TensorVariable
        A variable of ``model`` that depends on its free random variables only (no
        random draws of its own): a deterministic, or any expression of them.
    posterior : Dataset
        (chain, draw, ...) values of every free random variable ``variable`` depends on.
    draws_per_call : int
        Draws per call of the compiled function.

    Returns
    -------
    ndarray
        The values, float64, the same as evaluating ``variable`` draw by draw.

    Examples
    --------
    >>> import pymc as pm
    >>> with pm.Model() as m:
    ...     x = pm.Normal("x", shape=2)
    ...     y = pm.Deterministic("y", x.sum() * 2)
    >>> post = xr.Dataset({"x": (("chain", "draw", "x_dim"), np.ones((2, 3, 2)))})
    >>> evaluate_at_draws(m, y, post).tolist()
    [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]
    """
    import pytensor
    import pytensor.tensor as pt
    from pytensor.graph.replace import graph_replace, vectorize_graph
    from pytensor.graph.traversal import ancestors

    needed = set(ancestors([variable]))
    free = [rv for rv in model.free_RVs if rv in needed]
    core = {rv: rv.type() for rv in free}
    batched = [pt.tensor(dtype=rv.dtype, shape=(None, *rv.type.shape)) for rv in free]
    at_core = graph_replace(variable, core, strict=False)
    out = vectorize_graph(at_core, replace=dict(zip(core.values(), batched, strict=True)))
    with warnings.catch_warnings():
        # JAX drops PyTensor's broadcast assertions when it traces; the shapes are the
        # model's own, checked when the model was built
        warnings.filterwarnings("ignore", "Skipping .*Assert", UserWarning)
        fn = pytensor.function(batched, out, mode="JAX", on_unused_input="ignore")
        sizes = posterior.sizes
        n = sizes["chain"] * sizes["draw"]
        values = [
            posterior[rv.name].values.reshape(n, *posterior[rv.name].shape[2:]) for rv in free
        ]
        parts = [
            np.asarray(fn(*[v[i : i + draws_per_call] for v in values]))
            for i in range(0, n, draws_per_call)
        ]
    result = np.concatenate(parts).astype(np.float64)
    return result.reshape(sizes["chain"], sizes["draw"], *result.shape[1:])
