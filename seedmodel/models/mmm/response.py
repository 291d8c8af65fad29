"""Media response in numpy, vectorised over posterior draws.

These are the reference functions: the PyMC graph (``graph.py``) builds the same maths in
PyTensor, and a test pins the two together. Analysis and the optimizer use these.
"""

from __future__ import annotations

import numpy as np

from seedmodel.transforms import lag_matrix

__all__ = ["lag_matrix", "lag_weights", "media_response", "saturate"]


def lag_weights(kind: str, params: dict[str, np.ndarray], max_lag: int) -> np.ndarray:
    """Normalised lag weights per draw.

    Parameters
    ----------
    kind : {"geometric", "weibull"}
        Adstock family.
    params : dict
        ``alpha`` (S,) for geometric; ``shape`` and ``scale`` (S,) for Weibull (scale in
        periods).
    max_lag : int
        Longest lag (periods).

    Returns
    -------
    ndarray
        (S, max_lag + 1), each row summing to one.
    """
    lags = np.arange(max_lag + 1, dtype=float)
    if kind == "geometric":
        alpha = np.atleast_1d(params["alpha"])[:, None]
        w = alpha**lags
    elif kind == "weibull":
        k = np.atleast_1d(params["shape"])[:, None]
        lam = np.atleast_1d(params["scale"])[:, None]
        edges = np.arange(max_lag + 2, dtype=float)
        cdf = 1.0 - np.exp(-((edges / lam) ** k))
        w = np.diff(cdf, axis=1) + 1e-12
    else:
        raise ValueError(f"unknown adstock {kind!r}")
    return w / w.sum(axis=1, keepdims=True)


def saturate(kind: str, a: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Saturation of carried-over input ``a`` (S, T) with scale ``half`` (S,).

    ``hill``: ``a / (a + half)`` (0.5 at ``a = half``); ``logistic``:
    ``(1 - exp(-a / half)) / (1 + exp(-a / half))``.
    """
    h = np.atleast_1d(half)[:, None]
    if kind == "hill":
        return a / (a + h)
    if kind == "logistic":
        e = np.exp(-a / h)
        return (1.0 - e) / (1.0 + e)
    raise ValueError(f"unknown saturation {kind!r}")


def media_response(x: np.ndarray, weights: np.ndarray, half: np.ndarray, kind: str) -> np.ndarray:
    """Saturated, carried-over response to input ``x`` (T,), per draw: (S, T) in [0, 1]."""
    carried = weights @ lag_matrix(x, weights.shape[1] - 1).T  # (S, T)
    return saturate(kind, carried, half)
