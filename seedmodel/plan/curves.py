"""Response curves: incremental GMV of each brand x channel against its spend over a horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import brentq

from seedmodel.analysis.intervals import mean_interval, summarise
from seedmodel.plan.response import PlanResponse, plan_response

__all__ = ["breakeven", "response_curves"]


def _response(source, days: int, margins: bool) -> PlanResponse:
    return (
        source if isinstance(source, PlanResponse) else plan_response(source, days, margins=margins)
    )


def _reference(resp: PlanResponse) -> np.ndarray:
    """(B, C) the spend over the horizon each cell's curve is drawn around: its current
    spend, else its mean spend on live periods."""
    current = resp.current * resp.periods
    return np.where(current > 0, current, resp.typical * resp.periods)


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
    levels = xr.DataArray(mult, dims="multiplier", coords={"multiplier": mult})
    spend = resp.cells(_reference(resp)) * levels
    # (sample, brand, channel, multiplier, platform)
    gmv, slope = resp.gmv(spend / N, gradient=True)
    total = gmv.sum("platform")
    parts = [
        spend.rename("spend"),
        summarise(total, "incremental_gmv", level),
        summarise(slope.sum("platform") / N, "mroi", level),
        (total.mean("sample") / spend.where(spend > 0)).rename("roi"),
        *(
            gmv.sel(platform=p, drop=True).mean("sample").rename(f"incremental_gmv_{p}")
            for p in resp.platforms
        ),
    ]
    order = ["brand", "channel", "multiplier"]
    table = xr.merge(parts).to_dataframe(dim_order=order).reset_index()
    table["current"] = np.isclose(table["multiplier"], 1.0)
    return table


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
    reference = _reference(resp)
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
                hi = max(current, float(reference[b, c]))
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
