"""Posterior draws -> a mean and a central interval, named the way every output table names
them (``x``, ``x_lo``, ``x_hi``)."""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["central_interval", "mean_interval", "summarise"]


def mean_interval(name: str, draws: np.ndarray, level: float = 0.9) -> dict[str, float]:
    """``{name: mean, name_lo: lower, name_hi: upper}`` of 1-D ``draws``.

    Examples
    --------
    >>> mean_interval("roi", np.array([1.0, 2.0, 3.0]), level=0.5)
    {'roi': 2.0, 'roi_lo': 1.5, 'roi_hi': 2.5}
    """
    lo, hi = central_interval(draws, level)
    return {name: float(np.mean(draws)), f"{name}_lo": float(lo), f"{name}_hi": float(hi)}


def central_interval(
    draws: np.ndarray, level: float = 0.9, axis: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The equal-tailed interval holding ``level`` of ``draws`` along ``axis`` (all of them
    by default): the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles.

    Examples
    --------
    >>> [float(v) for v in central_interval(np.arange(5.0), level=0.5)]
    [1.0, 3.0]
    """
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=axis)
    return lo, hi


def summarise(
    draws: xr.DataArray, name: str, level: float = 0.9, dim: str = "sample"
) -> xr.Dataset:
    """:func:`mean_interval` over the named dimension ``dim`` of labelled draws: variables
    ``name``, ``name_lo`` and ``name_hi`` over the remaining dimensions. A cell whose draws
    hold a NaN gets NaN.

    Examples
    --------
    >>> d = xr.DataArray([[1.0, 2.0, 3.0]], dims=("channel", "sample"), coords={"channel": ["a"]})
    >>> summarise(d, "roi", level=0.5)["roi_hi"].values.tolist()
    [2.5]
    """
    lo, hi = draws.quantile([(1 - level) / 2, (1 + level) / 2], dim=dim, skipna=False)
    return xr.Dataset(
        {
            name: draws.mean(dim, skipna=False),
            f"{name}_lo": lo.drop_vars("quantile"),
            f"{name}_hi": hi.drop_vars("quantile"),
        }
    )
