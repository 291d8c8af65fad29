"""Features shared by the models: calendar controls, a smoothed level, column hygiene."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seedmodel.calendar import ecommerce_calendar
from seedmodel.schema import Dataset

__all__ = [
    "calendar_controls",
    "independent_columns",
    "residualize",
    "shared_festivals",
    "slow_trend",
    "smoothed_level",
    "spline_basis",
    "standardise",
    "without_festivals",
]


def calendar_controls(data: Dataset, brand: str, *, peak_weeks: bool = True) -> pd.DataFrame:
    """Intercept, quadratic trend, day of week, yearly Fourier terms and event dummies.

    Each event gets a dummy over its days and, for events longer than three listed dates,
    another for its last one (sales peak on 11.11 and 6.18). On weekly data, events listed
    by day (as the default calendar is) give each week the share of its days inside the
    event, and the last-day dummy marks the week holding that day (``peak_weeks=False``
    leaves it out: the MMM does, see :func:`seedmodel.models.mmm.inputs.build_inputs`).
    Events listed by week start fill their weeks. Constant columns are dropped.
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
        ev = ecommerce_calendar(dates[0], dates[-1] + pd.Timedelta(days=data.period_days - 1))
    period = data.period_days
    for event, grp in ev.groupby("event"):
        days = pd.DatetimeIndex(grp["date"].drop_duplicates().sort_values())
        days = days[(days >= dates[0]) & (days < dates[-1] + pd.Timedelta(days=period))]
        if days.empty:
            continue
        # the period holding each listed date; on weekly data an event listed by day counts
        # each day as 1/7 of its week (a week with one sale day is not a sale week), while an
        # event listed by week start fills its week
        idx = dates.searchsorted(days, side="right") - 1
        by_day = period > 1 and not days.isin(dates).all()
        unit = pd.Timedelta(days=1 if by_day else period)
        cols[f"event_{event}"] = np.bincount(idx, minlength=n) / (period if by_day else 1.0)
        runs = (pd.Series(days).diff() != unit).cumsum().to_numpy()
        last = np.zeros(n)
        for run in np.unique(runs):
            members = idx[runs == run]
            if len(members) > 3:
                last[members[-1]] = 1.0
        if last.any() and (peak_weeks or not by_day):
            cols[f"event_{event}_last"] = last
    frame = pd.DataFrame(cols, index=dates)
    return independent_columns(frame)


#: The festivals' event columns by prefix (every phase: pre-sale, sale, post-sale dip and
#: their last days): 618, then Double 11.
_FESTIVALS = ("event_618", "event_double11")


def shared_festivals(controls: pd.DataFrame) -> pd.DataFrame:
    """``controls`` with each 618 column and its Double 11 twin summed into one
    ``event_festival...`` column: one coefficient per festival phase for both festivals.

    Examples
    --------
    >>> f = pd.DataFrame({"dow1": [0, 1], "event_618": [1, 0], "event_double11": [0, 1],
    ...                   "event_618_post": [0, 1]})
    >>> shared_festivals(f).columns.tolist()
    ['dow1', 'event_618_post', 'event_festival']
    >>> shared_festivals(f)["event_festival"].tolist()
    [1, 1]
    """
    out = controls.copy()
    first, second = _FESTIVALS
    for name in [c for c in controls.columns if c.startswith(first)]:
        twin = name.replace(first, second, 1)
        if twin in out:
            out[name.replace(first, "event_festival", 1)] = out.pop(name) + out.pop(twin)
    return out


def spline_basis(n: int, spacing: int) -> np.ndarray:
    """Cubic B-spline basis over periods ``0..n-1`` with knots every ``spacing`` periods.

    Examples
    --------
    >>> spline_basis(30, 7).sum(axis=1).round(12).tolist() == [1.0] * 30  # a partition of one
    True
    """
    degree = 3
    inner = np.arange(0, n - 1, spacing, dtype=float)[1:]
    knots = np.concatenate([[0.0] * (degree + 1), inner, [float(n - 1)] * (degree + 1)])
    from scipy.interpolate import BSpline  # scipy is imported on use, not with the package

    return BSpline.design_matrix(np.arange(n, dtype=float), knots, degree).toarray()


def slow_trend(data: Dataset, knot_days: int = 30) -> pd.DataFrame:
    """Smooth time columns (cubic B-splines, knots every ``knot_days`` days, at least four
    periods apart; the first column is left out, the intercept spans it).

    Slow movements of demand that no proxy measures well (buzz that organic notes track only
    noisily, a trend that bends) would otherwise load on any slowly varying engagement series.
    """
    spacing = max(4, round(knot_days / data.period_days))
    basis = spline_basis(len(data.dates), spacing)[:, 1:]
    return pd.DataFrame(
        basis, index=data.dates, columns=[f"spline{k}" for k in range(basis.shape[1])]
    )


def independent_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep columns in order while each adds rank (weekly data fold festivals into the same
    weeks, so some event dummies repeat others)."""
    x = frame.to_numpy(dtype=float)
    n, m = x.shape
    # the singular values of any set of columns of x = QR are those of the same columns of
    # R (m x m): the rank test of numpy.linalg.matrix_rank, with its tolerance for an
    # n-row matrix, on a matrix n/m times smaller
    r = np.linalg.qr(x, mode="r") if n > m else x
    eps = np.finfo(float).eps
    keep: list[int] = []
    for j in range(m):
        sv = np.linalg.svd(r[:, [*keep, j]], compute_uv=False)
        if np.count_nonzero(sv > sv.max() * max(n, len(keep) + 1) * eps) == len(keep) + 1:
            keep.append(j)
    return frame.iloc[:, keep]


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


def without_festivals(controls: pd.DataFrame) -> pd.DataFrame:
    """``controls`` without the 618 and Double 11 columns (every phase); other events stay.

    Examples
    --------
    >>> f = pd.DataFrame({"dow1": [0, 1], "event_618": [1, 0], "event_womens_day": [0, 1]})
    >>> without_festivals(f).columns.tolist()
    ['dow1', 'event_womens_day']
    """
    festival = [c for c in controls if c.startswith(_FESTIVALS)]
    return controls.drop(columns=festival)


def standardise(v: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """``v`` less its mean, over its sd (both over ``mask`` when given); 0 outside ``mask``.

    An array without spread is only centred; an empty mask gives zeros (e.g. a channel whose
    notes report no reads).

    Examples
    --------
    >>> standardise(np.array([1.0, 2.0, 3.0])).round(3).tolist()
    [-1.225, 0.0, 1.225]
    >>> standardise(np.array([1.0, 5.0, 3.0]), np.array([True, False, True])).tolist()
    [-1.0, 0.0, 1.0]
    """
    m = np.ones_like(v, dtype=bool) if mask is None else mask
    if not m.any():
        return np.zeros_like(v, dtype=float)
    mu, sd = v[m].mean(), v[m].std()
    out = (v - mu) / (sd if sd > 0 else 1.0)
    return np.where(m, out, 0.0)


def residualize(v: np.ndarray, controls: np.ndarray) -> np.ndarray:
    """Residuals of ``v`` after least squares on ``controls`` (T, K): what of ``v`` the
    columns cannot follow (the link analysis's adjustment; the part of the organic signal
    the MMM's demand spline cannot follow).

    Examples
    --------
    >>> basis = np.stack([np.ones(6), np.arange(6.0)], axis=1)
    >>> bool(np.allclose(residualize(basis @ np.array([2.0, 3.0]), basis), 0.0))
    True
    >>> np.round(residualize(np.arange(6.0) + np.array([0, 1, 0, 1, 0, 1]), basis), 3)
    array([-0.286,  0.629, -0.457,  0.457, -0.629,  0.286])
    """
    coef, *_ = np.linalg.lstsq(controls, v, rcond=None)
    return v - controls @ coef
