"""Design matrices for the link analysis: calendar / trend / seasonality controls, organic-buzz
controls, and a smooth basis over lags."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.interpolate import BSpline

from seedmodel.schema import Dataset

__all__ = [
    "INTERACTIONS",
    "calendar_controls",
    "independent_columns",
    "lag_basis",
    "lagged",
    "metric_series",
    "organic_controls",
    "smoothed_level",
]

INTERACTIONS = ("likes", "collects", "comments", "shares", "follows")


def metric_series(data: Dataset, brand: str, channel: str, metric: str) -> np.ndarray:
    """One engagement series over the dates; ``interactions`` is the sum of the five kinds."""
    rows = data.media[(data.media["brand"] == brand) & (data.media["channel"] == channel)]
    if metric == "interactions":
        return rows[[c for c in INTERACTIONS if c in rows]].sum(axis=1).to_numpy(float)
    return rows[metric].to_numpy(float)


def calendar_controls(data: Dataset, brand: str) -> pd.DataFrame:
    """Intercept, quadratic trend, day of week, yearly Fourier terms and event dummies.

    Each event gets a dummy over its days and, for events longer than three periods, another
    for its last day (sales peak on 11.11 and 6.18). Constant columns are dropped.
    """
    dates = data.dates
    n = len(dates)
    t = np.arange(n) / max(n - 1, 1)
    cols: dict[str, np.ndarray] = {"const": np.ones(n), "trend": t, "trend2": t**2}
    if data.freq == "D":
        for d in range(1, 7):
            cols[f"dow{d}"] = (dates.day_of_week == d).astype(float)
    span_days = (dates[-1] - dates[0]).days
    k_year = 3 if span_days >= 365 else 1 if span_days >= 180 else 0
    doy = dates.day_of_year.to_numpy()
    for k in range(1, k_year + 1):
        cols[f"year_sin{k}"] = np.sin(2 * np.pi * k * doy / 365.25)
        cols[f"year_cos{k}"] = np.cos(2 * np.pi * k * doy / 365.25)
    if data.has("events"):
        ev = data.events[data.events["brand"].isin(["", brand])]
    else:
        from seedmodel.calendar import ecommerce_calendar

        ev = ecommerce_calendar(dates[0], dates[-1])
    pos = pd.Series(np.arange(n), index=dates)
    step = pd.Timedelta(days=data.period_days)
    for event, grp in ev.groupby("event"):
        days = pd.DatetimeIndex(grp["date"].drop_duplicates().sort_values())
        days = days[days.isin(dates)]
        if days.empty:
            continue
        dummy = np.zeros(n)
        dummy[pos[days].to_numpy()] = 1.0
        cols[f"event_{event}"] = dummy
        runs = (pd.Series(days).diff() != step).cumsum()
        last = np.zeros(n)
        for _, run in pd.Series(days).groupby(runs.to_numpy()):
            if len(run) > 3:
                last[pos[run.iloc[-1]]] = 1.0
        if last.any():
            cols[f"event_{event}_last"] = last
    frame = pd.DataFrame(cols, index=dates)
    return independent_columns(frame)


def independent_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep columns in order while each adds rank (weekly data fold festivals into the same
    weeks, so some event dummies repeat others)."""
    keep: list[str] = []
    for column in frame:
        trial = frame[[*keep, column]].to_numpy()
        if np.linalg.matrix_rank(trial) == len(keep) + 1:
            keep.append(column)
    return frame[keep]


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


def smoothed_level(x: np.ndarray) -> np.ndarray:
    """Kalman-smoothed level of a noisy series (local-level model, statsmodels).

    Organic engagement measures buzz with day-to-day noise; a regression that identifies
    effects from short-run changes needs the slow-moving state, not the noisy reading.
    """
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    model = UnobservedComponents(x, level="local level")
    with np.errstate(all="ignore"):
        res = model.fit(disp=False, method="lbfgs", maxiter=200)
    return np.asarray(res.smoothed_state[0])


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
    basis = BSpline.design_matrix(lags, knots, degree).toarray()
    return basis


def lagged(x: np.ndarray, max_lag: int) -> np.ndarray:
    """(n, max_lag + 1) matrix with column ``l`` = ``x[t - l]`` (NaN before the start)."""
    n = len(x)
    out = np.full((n, max_lag + 1), np.nan)
    for lag in range(max_lag + 1):
        out[lag:, lag] = x[: n - lag]
    return out
