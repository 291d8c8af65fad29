"""Fit -> each channel's expected GMV contribution over time, per platform, with intervals.

In the SeedingMMM expected GMV is ``baseline + sum of channel terms`` (in levels), so a
channel's contribution on a day is exactly its term: its effect on that platform times the
saturation of its carried-over spend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seedmodel.analysis.incremental import channel_draws
from seedmodel.analysis.intervals import central_interval
from seedmodel.fit import Fit
from seedmodel.models.mmm.response import media_response

__all__ = ["contributions"]


def contributions(fit: Fit, *, freq: str | None = None, level: float = 0.9) -> pd.DataFrame:
    """Expected GMV each channel adds, by brand, platform and period, with intervals.

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    freq : str, optional
        Sum to a coarser calendar first (``"W"`` weeks, ``"MS"`` months); default the data's
        own periods. Intervals are of the sums.
    level : float
        Interval level.

    Returns
    -------
    DataFrame
        date, brand, platform, channel, contribution, contribution_lo, contribution_hi
        (CNY), plus ``share``: the contribution over the observed GMV of that brand, platform
        and period, and ``periods``: how many of the data's periods the row sums (a week at
        either end of the data may be partial).

    Examples
    --------
    With ``fit`` from :func:`seedmodel.fit_mmm` (minutes, so not run as a doctest)::

        weekly = contributions(fit, freq="W")
        weekly.pivot_table("contribution", "date", "channel", aggfunc="sum").plot.area()
    """
    inp = fit.inputs
    T = inp.n_periods
    dates = pd.DatetimeIndex(fit.data.dates)
    groups = dates.to_period(freq).start_time if freq else dates
    keys, index = np.unique(groups, return_inverse=True)
    frames = []
    total_mean = np.zeros((len(inp.brands), len(inp.platforms), len(keys)))
    for c, channel in enumerate(inp.channels):
        draws = channel_draws(fit, c)
        beta = draws.beta
        for b, brand in enumerate(inp.brands):
            sat = media_response(inp.x[b, c], draws, b)[:, :T]  # (S, T)
            for p, platform in enumerate(inp.platforms):
                # a store's periods before it opened get nothing
                summed = np.zeros((sat.shape[0], len(keys)))
                np.add.at(summed.T, index, (sat * inp.live[b, p, :T]).T)
                gmv = summed * (beta[:, b, p] * inp.gmv_scale[b, p])[:, None]
                mean = gmv.mean(axis=0)
                lo, hi = central_interval(gmv, level, axis=0)
                total_mean[b, p] += mean
                frames.append(
                    pd.DataFrame(
                        {
                            "date": keys,
                            "brand": brand,
                            "platform": platform,
                            "channel": channel,
                            "contribution": mean,
                            "contribution_lo": lo,
                            "contribution_hi": hi,
                        }
                    )
                )
    out = pd.concat(frames, ignore_index=True)
    out["periods"] = np.bincount(index)[np.searchsorted(keys, out["date"].to_numpy())]
    observed = fit.data.sales_array("gmv").transpose("brand", "platform", "date").to_numpy()
    obs = np.zeros((len(inp.brands), len(inp.platforms), len(keys)))
    np.add.at(np.moveaxis(obs, -1, 0), index, np.moveaxis(observed, -1, 0))
    b_pos = out["brand"].map({b: i for i, b in enumerate(inp.brands)}).to_numpy()
    p_pos = out["platform"].map({p: i for i, p in enumerate(inp.platforms)}).to_numpy()
    t_pos = np.searchsorted(keys, out["date"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = out["contribution"].to_numpy() / obs[b_pos, p_pos, t_pos]
    return out
