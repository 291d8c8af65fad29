"""Saturation (diminishing returns) curves in numpy."""

from __future__ import annotations

import numpy as np

__all__ = ["hill", "logistic"]


def hill(x: np.ndarray, half: float, slope: float = 1.0) -> np.ndarray:
    """Hill curve ``x**s / (x**s + half**s)``, from 0 to 1, equal to 0.5 at ``x = half``.

    Examples
    --------
    >>> float(hill(np.array(2.0), 2.0))
    0.5
    """
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    xs = x**slope
    return xs / (xs + half**slope)


def logistic(x: np.ndarray, lam: float) -> np.ndarray:
    """Logistic saturation ``(1 - exp(-lam x)) / (1 + exp(-lam x))``, from 0 to 1.

    Examples
    --------
    >>> float(logistic(np.array(0.0), 3.0))
    0.0
    """
    e = np.exp(-lam * np.maximum(np.asarray(x, dtype=float), 0.0))
    return (1.0 - e) / (1.0 + e)
