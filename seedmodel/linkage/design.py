"""Design matrices for the link analysis: calendar / trend / seasonality controls, organic-buzz
controls, and a smooth basis over lags."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seedmodel.features import (
    calendar_controls,
    independent_columns,
    slow_trend,
    smoothed_level,
)
from seedmodel.schema import Dataset
from seedmodel.schema.tables import INTERACTIONS
from seedmodel.transforms import lag_matrix

__all__ = [
    "INTERACTIONS",
    "calendar_controls",
    "independent_columns",
    "lag_basis",
    "lagged",
    "metric_series",
    "organic_controls",
    "slow_trend",
    "smoothed_level",
]


def metric_series(data: Dataset, brand: str, channel: str, metric: str) -> np.ndarray:
    """One engagement series over the dates; ``interactions`` is the sum of the five kinds."""
    rows = data.media[(data.media["brand"] == brand) & (data.media["channel"] == channel)]
    if metric == "interactions":
        return rows[[c for c in INTERACTIONS if c in rows]].sum(axis=1).to_numpy(float)
    return rows[metric].to_numpy(float)


def organic_controls(data: Dataset, brand: str) -> pd.DataFrame:
    """Buzz proxies.

    Log engagement of unpaid channels (e.g. ``organic``): the reading, its Kalman-smoothed
    level and a one-week moving average; and each paid channel's log reads per yuan (centred,
    0 on days without spend), which buzz lifts but a budget change does not.
    """
    unpaid = [c for c in data.channel_names if c not in data.paid_channels]
    cols: dict[str, np.ndarray] = {}
    window = 7 if data.freq == "D" else 1
    for channel in unpaid:
        for metric in ("reads", "interactions"):
            if metric != "interactions" and metric not in data.media:
                continue
            if metric == "interactions" and not any(c in data.media for c in INTERACTIONS):
                continue
            x = np.log1p(metric_series(data, brand, channel, metric))
            if np.std(x) == 0:
                continue
            cols[f"{channel}_{metric}"] = x
            cols[f"{channel}_{metric}_state"] = smoothed_level(x)
            if window > 1:
                cols[f"{channel}_{metric}_ma"] = (
                    pd.Series(x).rolling(window, min_periods=1).mean().to_numpy()
                )
    for channel in data.paid_channels:
        if "reads" not in data.media:
            break
        rows = data.media[(data.media["brand"] == brand) & (data.media["channel"] == channel)]
        spend, reads = rows["spend"].to_numpy(float), rows["reads"].to_numpy(float)
        live = (spend > 0) & (reads > 0)
        if live.sum() < 8:
            continue
        rate = np.zeros(len(spend))
        rate[live] = np.log(reads[live] / spend[live])
        rate[live] -= rate[live].mean()
        cols[f"{channel}_reads_per_yuan"] = rate
    return pd.DataFrame(cols, index=data.dates)


def lag_basis(max_lag: int, n_basis: int = 6) -> np.ndarray:
    """Cubic B-spline basis over lags ``0..max_lag``, knots denser at short lags.

    Returns
    -------
    ndarray
        (max_lag + 1, n_basis); lag weights are ``basis @ theta``.
    """
    lags = np.arange(max_lag + 1, dtype=float)
    if max_lag + 1 <= n_basis:
        return np.eye(max_lag + 1)
    degree = 3
    n_inner = n_basis - degree - 1
    inner = max_lag * (np.linspace(0, 1, n_inner + 2)[1:-1] ** 2)
    knots = np.concatenate([[0.0] * (degree + 1), inner, [float(max_lag)] * (degree + 1)])
    from scipy.interpolate import BSpline  # scipy is imported on use, not with the package

    basis = BSpline.design_matrix(lags, knots, degree).toarray()
    return basis


def lagged(x: np.ndarray, max_lag: int) -> np.ndarray:
    """(n, max_lag + 1) matrix with column ``l`` = ``x[t - l]`` (NaN before the start)."""
    return lag_matrix(x, max_lag, fill=np.nan)
