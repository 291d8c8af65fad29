"""The link analysis: for each brand x channel x metric x platform x outcome, how engagement
moves with the outcome raw, after removing the calendar, and after removing buzz too."""

from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from seedmodel.analysis.intervals import central_interval
from seedmodel.features import residualize
from seedmodel.linkage.correlation import ar_filter, corr_interval, prewhitened_ccf
from seedmodel.linkage.design import (
    calendar_controls,
    independent_columns,
    lag_basis,
    metric_series,
    organic_controls,
    slow_trend,
)
from seedmodel.linkage.dlm import fit_distributed_lag, profile_peak, robustness_value
from seedmodel.schema import Dataset
from seedmodel.schema.tables import ENGAGEMENT_COLUMNS

__all__ = ["LINK_COLUMNS", "LinkResult", "link"]

#: Columns of link.csv (docs/contract.md section 4), then the ones seedmodel adds.
LINK_COLUMNS = [
    "brand",
    "channel",
    "metric",
    "platform",
    "outcome",
    "raw_corr",
    "raw_corr_lo",
    "raw_corr_hi",
    "peak_lag",
    "elasticity",
    "elasticity_lo",
    "elasticity_hi",
    "verdict",
]
EXTRA_COLUMNS = [
    "corr_deseasonalized",
    "corr_adjusted",
    "prewhitened_corr",
    "peak_lag_lo",
    "peak_lag_hi",
    "robustness_value",
    "direction",
    "live_periods",
    "note",
]
METRICS = (*[m for m in ENGAGEMENT_COLUMNS if m != "impressions"], "interactions")
OUTCOMES = ("gmv", "store_visits", "searches", "add_to_cart", "orders", "new_visitors")


@dataclass(frozen=True, eq=False)
class LinkResult:
    """What :func:`link` found.

    Attributes
    ----------
    table : DataFrame
        One row per brand x channel x metric x platform x outcome: the columns of link.csv
        (docs/contract.md section 4) and extra ones (see :data:`EXTRA_COLUMNS`).
    profiles : DataFrame
        Lag profiles: brand, channel, metric, platform, outcome, lag, weight, weight_lo,
        weight_hi (adjusted lag weights of the distributed-lag model), prewhitened_ccf,
        raw_ccf.
    settings : dict
        Options used (max_lag, level, n_draws, random_seed, freq).
    """

    table: pd.DataFrame
    profiles: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def write(self, folder: str | Path) -> Path:
        """Write ``link.csv`` (and ``link_profiles.csv``) into ``folder``, all or nothing."""
        from seedmodel.outputs import write_set

        def fill(tmp: Path) -> None:
            self.table.to_csv(
                tmp / "link.csv", index=False, float_format="%.6g", lineterminator="\n"
            )
            self.profiles.to_csv(
                tmp / "link_profiles.csv", index=False, float_format="%.6g", lineterminator="\n"
            )

        write_set(folder, fill, owned=("link.csv", "link_profiles.csv"))
        return Path(folder) / "link.csv"


def _direction(lo: float, hi: float) -> str:
    """Sign of an elasticity interval: ``positive``, ``negative`` or ``unclear`` (covers 0)."""
    return "positive" if lo > 0 else "negative" if hi < 0 else "unclear"


#: The link table's notes, by :func:`note_key` (the report has them in Chinese too).
NOTES = {
    "insufficient": "too few live periods or no variation",
    "supported": "link survives adjustment for calendar, seasonality and buzz",
    "negative": (
        "after adjustment the outcome moves against engagement: no support for a positive "
        "link (over-adjustment, cannibalisation or a confounder; check with a lift test)"
    ),
    "none": "no link these data can confirm",
    "calendar": (
        "raw correlation {raw:.2f} is mostly shared trend, seasonality and festivals "
        "({deseason:.2f} once they are removed)"
    ),
    "buzz": (
        "raw correlation {raw:.2f} is mostly organic buzz ({adjusted:.2f} once the organic "
        "proxy is removed)"
    ),
    "gone": "raw correlation {raw:.2f} does not survive adjustment",
}


def note_key(
    raw: float, deseason: float, adjusted: float, verdict: str, direction: str = "unclear"
) -> str:
    """Why a link row got its verdict, as a key of :data:`NOTES` (whose templates take
    ``raw``, ``deseason`` and ``adjusted``)."""
    if verdict == "insufficient_data":
        return "insufficient"
    if verdict == "supported":
        return "supported"
    if direction == "negative":
        return "negative"
    if np.isnan(raw) or abs(raw) < 0.3:
        return "none"
    if abs(deseason) < 0.5 * abs(raw):
        return "calendar"
    if abs(adjusted) < 0.5 * abs(deseason):
        return "buzz"
    return "gone"


def _note(
    raw: float, deseason: float, adjusted: float, verdict: str, direction: str = "unclear"
) -> str:
    key = note_key(raw, deseason, adjusted, verdict, direction)
    return NOTES[key].format(raw=raw, deseason=deseason, adjusted=adjusted)


#: Fewest periods the link analysis runs on (lags, calendar and buzz controls need them).
MIN_PERIODS = {"D": 56, "W": 26}

#: The slow-demand readings :func:`link` averages over by default: no trend, and a smooth
#: trend with knots 30 days apart (docs/link.md, *Two readings of slow demand*).
DEFAULT_READINGS: tuple[int | None, ...] = (None, 30)


def _readings(trend_knot_days: int | tuple[int | None, ...] | None) -> tuple[int | None, ...]:
    """The readings as a tuple, checked: ``None`` (no trend) or knot spacings >= 7 days."""
    many = isinstance(trend_knot_days, (tuple, list))
    readings = tuple(trend_knot_days) if many else (trend_knot_days,)
    if not readings or any(k is not None and int(k) < 7 for k in readings):
        raise ValueError(f"trend_knot_days must be None or >= 7 days, got {trend_knot_days!r}")
    return readings


def _averaged_elasticity(
    fits: list, channel: str, x: np.ndarray, y: np.ndarray, n_draws: int, rng: np.random.Generator
) -> tuple[float, np.ndarray, np.ndarray]:
    """Equal-weight average over readings: the mean of their point elasticities, the pooled
    draws of their sampling laws (``n_draws`` shared out among them) and the first
    reading's coefficient draws (for its lag profile)."""
    shares = np.diff(np.linspace(0, n_draws, len(fits) + 1).round().astype(int))
    thetas = [f.theta_draws(channel, m, rng) for f, m in zip(fits, shares, strict=True)]
    points = [float(f.elasticity(channel, x, y)) for f in fits]
    draws = [f.elasticity(channel, x, y, t) for f, t in zip(fits, thetas, strict=True)]
    return float(np.mean(points)), np.concatenate(draws), thetas[0]


# one BLAS thread: its matrices are small, and threads cost more than they gain (measured
# 18% slower on two cores), ten times more when workers already fill the cores
@threadpool_limits.wrap(limits=1)
def link(
    data: Dataset,
    *,
    max_lag: int | None = None,
    metrics: tuple[str, ...] | None = None,
    outcomes: tuple[str, ...] | None = None,
    level: float = 0.9,
    n_draws: int = 2000,
    min_live: int | None = None,
    random_seed: int = 0,
    trend_knot_days: int | tuple[int | None, ...] | None = DEFAULT_READINGS,
    workers: int = 1,
) -> LinkResult:
    """How note engagement links to downstream GMV and funnel outcomes, and how much survives.

    For each brand, platform, outcome and engagement metric, one distributed-lag regression of
    log outcome on every paid channel's engagement (smooth cubic-spline lag weights over
    ``0..max_lag``; a channel without the metric enters through its spend) with controls for
    trend, day of week, yearly seasonality, calendar events, organic-note engagement and each
    paid channel's reads per yuan (buzz proxies), and AR(2) errors (feasible GLS).

    Parameters
    ----------
    data : Dataset
        Checked data with engagement columns in ``media``.
    max_lag : int, optional
        Longest lag in periods; default 42 days (daily) or 8 weeks (weekly).
    metrics, outcomes : tuple of str, optional
        Default: every engagement metric present (and ``interactions``, their sum) and every
        outcome present (GMV and funnel columns).
    level : float
        Interval level (default 0.9).
    n_draws : int
        Draws from the coefficients' sampling law for elasticity and peak-lag intervals.
    min_live : int, optional
        Fewest periods with engagement > 0 for a channel to be analysed; default a tenth of the
        periods (at least 8).
    random_seed : int
        Seed of the draws; same seed, same table. Each brand draws from its own stream
        (the seed and its name), so its rows are the same whichever brands are analysed
        with it.
    trend_knot_days : int, None, or a tuple or list of them
        The readings of slow demand the interval averages over. Each is one regression: ``None``
        without a trend, an int with a smooth trend (cubic B-splines, knots this many days
        apart) among the controls. The default ``(None, 30)`` averages the two with equal
        weight: slow movements in sales are either the notes' long lags or demand the buzz
        proxies miss, and the data cannot tell which; each reading alone covered the true
        elasticity in 67% and 74% of cells of the world family, their average in 91%
        (docs/link.md). Elasticity draws are pooled across readings (the point is the mean
        of the readings' points); peak lag, lag profile and correlations come from the first
        reading. A single int or ``None`` runs that reading alone.
    workers : int
        Processes analysing brands side by side (for many brands; each brand's rows are its
        own, so the table is the same for any number of workers).

    Returns
    -------
    LinkResult

    Notes
    -----
    ``elasticity`` is the % change of the total outcome for a sustained +1% in the metric,
    summed over the lag window. ``raw_corr`` is the same-period Pearson correlation of the two
    series as they come (what the "0.82" anecdote measures), with an interval from Bartlett's
    effective sample size. ``verdict`` is ``supported`` when the adjusted elasticity interval
    lies above 0, ``not_supported`` when it covers 0 or lies below it (``direction`` says
    which: a significant negative link is no support for engagement -> GMV), and
    ``insufficient_data`` when the channel has too few live periods.

    Examples
    --------
    >>> import seedmodel as sm
    >>> result = sm.link(sm.load("data/sample"), metrics=("collects",), outcomes=("gmv",))
    >>> len(result.table)  # 3 brands x 3 paid channels x 1 metric x 2 platforms x 1 outcome
    18
    """
    data.require_periods(MIN_PERIODS, "the link analysis")
    if workers > 1 and len(data.brand_names) > 1 and _complete(data):
        options = dict(
            max_lag=max_lag,
            metrics=metrics,
            outcomes=outcomes,
            level=level,
            n_draws=n_draws,
            min_live=min_live,
            random_seed=random_seed,
            trend_knot_days=trend_knot_days,
        )
        return _link_side_by_side(data, workers, options)
    setup = _setup(data, max_lag, metrics, outcomes, level, n_draws, min_live, trend_knot_days)
    rows, profiles = [], []
    for brand in data.brand_names:
        brand_rows, brand_profiles = _brand_rows(data, brand, setup, random_seed)
        rows += brand_rows
        profiles += brand_profiles
    table = pd.DataFrame(rows).reindex(columns=LINK_COLUMNS + EXTRA_COLUMNS)
    table["peak_lag"] = table["peak_lag"].astype("Int64")
    for c in ("peak_lag_lo", "peak_lag_hi"):
        table[c] = table[c].astype("Int64")
    profile = pd.concat(profiles, ignore_index=True) if profiles else pd.DataFrame()
    settings = {
        "max_lag": setup.max_lag,
        "level": level,
        "n_draws": n_draws,
        "random_seed": random_seed,
        "freq": data.freq,
        "min_live": setup.min_live,
        "trend_knot_days": list(setup.readings),
    }
    return LinkResult(table=table, profiles=profile, settings=settings)


@dataclass(frozen=True, eq=False)
class _Setup:
    """What every brand's regressions share: lags, metrics, outcomes and readings."""

    max_lag: int
    basis: np.ndarray
    metrics: tuple[str, ...]
    outcomes: tuple[str, ...]
    min_live: int
    level: float
    n_draws: int
    readings: tuple[int | None, ...]
    trends: dict[int | None, pd.DataFrame]


class _Outcome(NamedTuple):
    """One brand x platform x outcome series, its regressions (one per reading, None when
    nothing can be fitted) and its residuals after the calendar and after every control."""

    y: np.ndarray
    fits: list | None
    ly_cal: np.ndarray
    ly_all: np.ndarray


def _brand_rows(
    data: Dataset, brand: str, setup: _Setup, random_seed: int
) -> tuple[list[dict], list[pd.DataFrame]]:
    """:func:`link`'s rows and lag profiles of one brand."""
    L = setup.max_lag
    # each brand's draws from its own stream: a brand's rows do not depend on which
    # other brands are analysed with it (a portfolio's report, a group's, one brand's)
    rng = np.random.default_rng([random_seed, zlib.crc32(brand.encode("utf-8"))])
    org = organic_controls(data, brand)
    # per reading: calendar (and its slow trend), what "deseasonalised" removes, then
    # the buzz proxies; the model drops the first L periods, so keep controls that still
    # add rank there
    calendar = calendar_controls(data, brand)
    cals = {k: pd.concat([calendar, setup.trends[k]], axis=1) for k in setup.readings}
    all_controls = {}
    for k, cal_k in cals.items():
        both = pd.concat([cal_k, org], axis=1)
        all_controls[k] = both[independent_columns(both.iloc[L:]).columns].to_numpy()
    cal = cals[setup.readings[0]].to_numpy()
    controls = all_controls[setup.readings[0]]
    sales = {
        p: data.sales[(data.sales["brand"] == brand) & (data.sales["platform"] == p)]
        for p in data.platform_names
    }
    rows, profiles = [], []
    for metric in setup.metrics:
        series = {c: metric_series(data, brand, c, metric) for c in data.paid_channels}
        usable = {
            c: x
            for c, x in series.items()
            if np.count_nonzero(x > 0) >= setup.min_live and np.std(x) > 0
        }
        # channels without this metric (e.g. clicks of 小红星) still move sales: keep them
        # in the model through their spend, so the others' effects are adjusted for them
        fallback = {
            f"{c}__spend": metric_series(data, brand, c, "spend")
            for c in data.paid_channels
            if c not in usable
        }
        fallback = {k: v for k, v in fallback.items() if np.count_nonzero(v > 0) >= setup.min_live}
        # per channel, independent of platform and outcome: transformed, residualised
        # engagement and its pre-whitening filter
        prep = {}
        for channel, x in usable.items():
            lx = np.log1p(x / np.median(x[x > 0]))
            rx_cal, rx_all = residualize(lx, cal), residualize(lx, controls)
            prep[channel] = (rx_cal, rx_all, ar_filter(rx_all))
        for platform, outcome in itertools.product(data.platform_names, setup.outcomes):
            y = sales[platform][outcome].to_numpy(float)
            ly = np.log1p(y)
            fits = (
                [
                    fit_distributed_lag(y, usable | fallback, all_controls[k], setup.basis)
                    for k in setup.readings
                ]
                if usable and np.std(ly) > 0
                else None
            )
            result = _Outcome(y, fits, residualize(ly, cal), residualize(ly, controls))
            keys = {"brand": brand, "metric": metric, "platform": platform, "outcome": outcome}
            for channel, x in series.items():
                row, profile = _cell(
                    keys | {"channel": channel}, x, result, prep.get(channel), setup, rng
                )
                rows.append(row)
                if profile is not None:
                    profiles.append(profile)
    return rows, profiles


def _cell(
    keys: dict[str, str],
    x: np.ndarray,
    outcome: _Outcome,
    prep: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    setup: _Setup,
    rng: np.random.Generator,
) -> tuple[dict, pd.DataFrame | None]:
    """One channel's row of link.csv and its lag profile (None without a regression)."""
    y, L, n = outcome.y, setup.max_lag, len(x)
    raw, raw_lo, raw_hi = corr_interval(x, y, level=setup.level)
    row = {
        "brand": keys["brand"],
        "channel": keys["channel"],
        "metric": keys["metric"],
        "platform": keys["platform"],
        "outcome": keys["outcome"],
        "raw_corr": raw,
        "raw_corr_lo": raw_lo,
        "raw_corr_hi": raw_hi,
        "live_periods": int(np.count_nonzero(x > 0)),
    }
    if outcome.fits is None or prep is None:
        verdict = "insufficient_data"
        return row | {"verdict": verdict, "note": _note(raw, np.nan, np.nan, verdict)}, None
    channel, fit = keys["channel"], outcome.fits[0]
    rx_cal, rx_all, phi = prep
    deseason = float(np.corrcoef(rx_cal, outcome.ly_cal)[0, 1])
    adjusted = float(np.corrcoef(rx_all, outcome.ly_all)[0, 1])
    e_point, e_draws, theta = _averaged_elasticity(outcome.fits, channel, x, y, setup.n_draws, rng)
    e_lo, e_hi = (float(v) for v in central_interval(e_draws, setup.level))
    peak, peak_lo, peak_hi = profile_peak(fit, channel, x, level=setup.level)
    ccf = prewhitened_ccf(rx_all, outcome.ly_all, L, phi)
    direction = _direction(e_lo, e_hi)
    # a link that runs the wrong way is not support for engagement -> GMV
    verdict = "supported" if direction == "positive" else "not_supported"
    row |= {
        "peak_lag": peak,
        "elasticity": e_point,
        "elasticity_lo": e_lo,
        "elasticity_hi": e_hi,
        "verdict": verdict,
        "direction": direction,
        "corr_deseasonalized": deseason,
        "corr_adjusted": adjusted,
        "prewhitened_corr": float(ccf[peak]),
        "peak_lag_lo": peak_lo,
        "peak_lag_hi": peak_hi,
        "robustness_value": robustness_value(
            e_point / max(float(np.std(e_draws)), 1e-12), fit.df_resid
        ),
        "note": _note(raw, deseason, adjusted, verdict, direction),
    }
    w_lo, w_hi = central_interval(fit.lag_weights(channel, theta), setup.level, axis=0)
    profile = pd.DataFrame(
        {
            **{k: row[k] for k in ("brand", "channel", "metric", "platform", "outcome")},
            "lag": np.arange(L + 1),
            "weight": fit.lag_weights(channel),
            "weight_lo": w_lo,
            "weight_hi": w_hi,
            "prewhitened_ccf": ccf,
            "raw_ccf": [float(np.corrcoef(x[: n - lag], y[lag:])[0, 1]) for lag in range(L + 1)],
        }
    )
    return row, profile


def _setup(
    data: Dataset,
    max_lag: int | None,
    metrics: tuple[str, ...] | None,
    outcomes: tuple[str, ...] | None,
    level: float,
    n_draws: int,
    min_live: int | None,
    trend_knot_days,
) -> _Setup:
    """:func:`link`'s options with their defaults filled in from the data."""
    n = len(data.dates)
    L = max_lag if max_lag is not None else (42 if data.freq == "D" else 8)
    if n < L + 30:
        L = max(1, n // 4)
    readings = _readings(trend_knot_days)
    return _Setup(
        max_lag=L,
        basis=lag_basis(L, 6 if data.freq == "D" else 4),
        metrics=metrics
        or tuple(
            m for m in METRICS if m in data.media or (m == "interactions" and "likes" in data.media)
        ),
        outcomes=outcomes or tuple(o for o in OUTCOMES if o in data.sales),
        min_live=min_live if min_live is not None else max(8, n // 10),
        level=level,
        n_draws=n_draws,
        readings=readings,
        trends={k: slow_trend(data, k) if k else pd.DataFrame() for k in readings},
    )


def _link_side_by_side(data: Dataset, workers: int, options: dict) -> LinkResult:
    """:func:`link` of ``data``'s brands in ``workers`` spawned processes, one share of the
    brands each, joined in brand order."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    brands = data.brand_names
    k = min(workers, len(brands))
    shares = [brands[i::k] for i in range(k)]
    # spawned, not forked: a fork of a process whose BLAS or JAX threads run can deadlock
    with ProcessPoolExecutor(max_workers=k, mp_context=get_context("spawn")) as pool:
        parts = list(pool.map(_link_share, [data.select_brands(b) for b in shares], [options] * k))
    order = {b: i for i, b in enumerate(brands)}

    def joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
        frame = pd.concat(frames, ignore_index=True)
        if frame.empty:
            return frame
        rank = frame["brand"].map(order)
        return frame.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)

    return LinkResult(
        table=joined([p.table for p in parts]),
        profiles=joined([p.profiles for p in parts]),
        settings=parts[0].settings,
    )


def _complete(data: Dataset) -> bool:
    """Every brand has every channel and platform: a share of the brands then analyses the
    same channels and platforms as the whole."""
    channels = data.media.groupby("brand")["channel"].nunique()
    platforms = data.sales.groupby("brand")["platform"].nunique()
    return bool(
        (channels == len(data.channel_names)).all()
        and (platforms == len(data.platform_names)).all()
    )


def _link_share(data: Dataset, options: dict) -> LinkResult:
    return link(data, **options)
