"""Posterior draws -> a mean and a central interval, named the way every output table names
them (``x``, ``x_lo``, ``x_hi``)."""

from __future__ import annotations

import numpy as np

__all__ = ["mean_interval"]


def mean_interval(name: str, draws: np.ndarray, level: float = 0.9) -> dict[str, float]:
    """``{name: mean, name_lo: lower, name_hi: upper}`` of 1-D ``draws``.

    Examples
    --------
    >>> mean_interval("roi", np.array([1.0, 2.0, 3.0]), level=0.5)
    {'roi': 2.0, 'roi_lo': 1.5, 'roi_hi': 2.5}
    """
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return {name: float(np.mean(draws)), f"{name}_lo": float(lo), f"{name}_hi": float(hi)}
