"""Response curves: incremental GMV of each brand x channel against its spend over a horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from seedmodel.analysis.intervals import central_interval, mean_interval
from seedmodel.plan.response import PlanResponse, plan_response

__all__ = ["breakeven", "response_curves"]


def _response(source, days: int, margins: bool) -> PlanResponse:
    return (
        source if isinstance(source, PlanResponse) else plan_response(source, days, margins=margins)
    )


def _reference(resp: PlanResponse, b: int, c: int) -> float:
    """The spend a cell's curve is drawn around: its current spend, else its live mean."""
    current = resp.current[b, c] * resp.periods
    if current > 0:
        return float(current)
    return float(resp.typical[b, c] * resp.periods)


def response_curves(
    source,
    *,
    days: int = 90,
    multipliers: np.ndarray | None = None,
    level: float = 0.9,
    margins: bool = False,
) -> pd.DataFrame:
    """Expected incremental GMV against spend, per brand x channel, with intervals.

    Each cell spends the same amount every period of the ``days`` after the data; other
    channels do not change (the response of one channel does not depend on another's).

    Parameters
    ----------
    source : Fit or PlanResponse
        A fitted SeedingMMM or its plan response.
    days : int
        Horizon.
    multipliers : array, optional
        Spend levels as multiples of the current spend over the horizon (default 0 to 3 in
        steps of 0.1); a channel with no current spend uses its typical live spend.
    level : float
        Interval level.
    margins : bool
        Gross profit (GMV x brand margin) instead of GMV.

    Returns
    -------
    DataFrame
        brand, channel, multiplier, spend, incremental_gmv (_lo, _hi), roi, mroi (_lo, _hi),
        incremental_gmv_<platform>, current (bool, the row at the current spend).
    """
    resp = _response(source, days, margins)
    mult = np.round(np.arange(0, 3.01, 0.1), 10) if multipliers is None else np.asarray(multipliers)
    mult = np.unique(np.r_[mult, 1.0])
    N = resp.periods
    frames = []
    for b, brand in enumerate(resp.brands):
        for c, channel in enumerate(resp.channels):
            spend = mult * _reference(resp, b, c)
            gmv, slope = resp.cell_draws(b, c, spend / N, gradient=True)  # (K, S, P)
            total = gmv.sum(axis=-1)
            mroi = slope.sum(axis=-1) / N
            gmv_lo, gmv_hi = central_interval(total, level, axis=1)
            mroi_lo, mroi_hi = central_interval(mroi, level, axis=1)
            frame = pd.DataFrame(
                {
                    "brand": brand,
                    "channel": channel,
                    "multiplier": mult,
                    "spend": spend,
                    "incremental_gmv": total.mean(axis=1),
                    "incremental_gmv_lo": gmv_lo,
                    "incremental_gmv_hi": gmv_hi,
                    "mroi": mroi.mean(axis=1),
                    "mroi_lo": mroi_lo,
                    "mroi_hi": mroi_hi,
                }
            )
            frame["roi"] = frame["incremental_gmv"] / frame["spend"].where(frame["spend"] > 0)
            for i, p in enumerate(resp.platforms):
                frame[f"incremental_gmv_{p}"] = gmv[:, :, i].mean(axis=1)
            frame["current"] = np.isclose(mult, 1.0)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def breakeven(
    source, *, days: int = 90, target: float = 1.0, margins: bool = False, level: float = 0.9
) -> pd.DataFrame:
    """Where each cell's next yuan stops paying: mROI at current spend and the spend where
    the posterior-mean mROI falls to ``target``.

    Parameters
    ----------
    source : Fit or PlanResponse
        A fitted SeedingMMM or its plan response.
    days : int
        Horizon.
    target : float
        The mROI to solve for: 1 (a yuan of GMV per yuan); with ``margins=True`` the
        response is gross profit, so 1 there means GMV mROI = 1 / margin.
    margins : bool
        Gross profit instead of GMV.
    level : float
        Interval level of the current mROI.

    Returns
    -------
    DataFrame
        brand, channel, current_spend, mroi (_lo, _hi at current spend), breakeven_spend
        (over the horizon; 0 when even the first yuan returns less than ``target``),
        headroom (breakeven_spend / current_spend).
    """
    resp = _response(source, days, margins)
    N = resp.periods
    rows = []
    for b, brand in enumerate(resp.brands):
        for c, channel in enumerate(resp.channels):

            def slope(total: float, b=b, c=c) -> float:
                _, g = resp.cell_draws(b, c, total / N, gradient=True)
                return float(g.sum(axis=-1).mean() / N)

            current = float(resp.current[b, c] * N)
            _, g = resp.cell_draws(b, c, current / N, gradient=True)
            m = g.sum(axis=-1) / N
            if slope(0.0) <= target:
                spend = 0.0
            else:
                hi = max(current, _reference(resp, b, c))
                while slope(hi) > target and hi < 1e15:
                    hi *= 2.0
                spend = brentq(lambda s: slope(s) - target, 0.0, hi, xtol=1e-6 * hi)
            rows.append(
                {
                    "brand": brand,
                    "channel": channel,
                    "current_spend": current,
                    **mean_interval("mroi", m, level),
                    "breakeven_spend": float(spend),
                    "headroom": float(spend / current) if current > 0 else np.nan,
                }
            )
    return pd.DataFrame(rows)
