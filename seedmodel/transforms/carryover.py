"""Adstock (carryover) in numpy: lag weights and their convolution with a series."""

from __future__ import annotations

import numpy as np

__all__ = ["adstock", "geometric_weights", "lag_matrix", "weibull_weights"]


def geometric_weights(alpha: float, max_lag: int, *, normalize: bool = True) -> np.ndarray:
    """Lag weights ``alpha**l`` for ``l = 0..max_lag``.

    Parameters
    ----------
    alpha : float
        Retention per period, in [0, 1).
    max_lag : int
        Longest lag kept.
    normalize : bool
        Scale the weights to sum to one (the effect is then spread, not multiplied).

    Examples
    --------
    >>> geometric_weights(0.5, 2, normalize=False).tolist()
    [1.0, 0.5, 0.25]
    """
    w = np.asarray(alpha, dtype=float) ** np.arange(max_lag + 1)
    return w / w.sum() if normalize else w


def weibull_weights(shape: float, scale: float, max_lag: int) -> np.ndarray:
    """Lag weights from a Weibull density over lags ``0..max_lag``, summing to one.

    The weight of lag ``l`` is the Weibull probability of the interval ``[l, l + 1)``, so a
    ``shape`` above one gives a delayed peak (people read today and search on Tmall weeks
    later) and a ``shape`` below one a decaying tail.

    Parameters
    ----------
    shape, scale : float
        Weibull shape ``k`` and scale ``lambda`` (in periods).
    max_lag : int
        Longest lag kept.

    Examples
    --------
    >>> w = weibull_weights(2.0, 10.0, 60)
    >>> round(float(w.sum()), 6), int(np.argmax(w))
    (1.0, 7)
    """
    edges = np.arange(max_lag + 2, dtype=float)
    from scipy import stats  # scipy is imported on use, not with the package

    cdf = stats.weibull_min.cdf(edges, shape, scale=scale)
    w = np.diff(cdf)
    return w / w.sum()


def adstock(x: np.ndarray, weights: np.ndarray, *, axis: int = 0) -> np.ndarray:
    """Carry a series forward with lag ``weights``: ``y[t] = sum_l w[l] * x[t - l]``.

    Parameters
    ----------
    x : ndarray
        Input, time along ``axis``; values before the start are taken as zero.
    weights : ndarray
        Lag weights, ``weights[0]`` for the same period.
    axis : int
        Time axis of ``x``.

    Returns
    -------
    ndarray
        Same shape as ``x``.

    Examples
    --------
    >>> adstock(np.array([1.0, 0, 0]), np.array([0.5, 0.3, 0.2])).tolist()
    [0.5, 0.3, 0.2]
    """
    x = np.moveaxis(np.asarray(x, dtype=float), axis, 0)
    n = x.shape[0]
    out = np.zeros_like(x)
    for lag, w in enumerate(np.asarray(weights, dtype=float)[:n]):
        if w != 0.0:
            out[lag:] += w * x[: n - lag]
    return np.moveaxis(out, 0, axis)


def lag_matrix(x: np.ndarray, max_lag: int, *, fill: float = 0.0) -> np.ndarray:
    """(T, max_lag + 1) matrix whose column ``l`` is ``x[t - l]``; ``fill`` before the start.

    ``adstock(x, w)`` equals ``lag_matrix(x, len(w) - 1) @ w``; models keep the matrix to apply
    many weight vectors (posterior draws) at once.

    Examples
    --------
    >>> lag_matrix(np.array([1.0, 2.0, 3.0]), 1).tolist()
    [[1.0, 0.0], [2.0, 1.0], [3.0, 2.0]]
    """
    n = len(x)
    out = np.full((n, max_lag + 1), fill, dtype=float)
    for lag in range(min(max_lag + 1, n)):
        out[lag:, lag] = x[: n - lag]
    return out
