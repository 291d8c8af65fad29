"""Fit -> each channel's expected GMV contribution over time, per platform, with intervals.

In the SeedingMMM expected GMV is ``baseline + sum of channel terms`` (in levels), so a
channel's contribution on a day is exactly its term: its effect on that platform times the
saturation of its carried-over spend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from seedmodel.analysis.intervals import summarise
from seedmodel.analysis.posterior import MediaPosterior, media_inputs
from seedmodel.fit import Fit

__all__ = ["contributions"]


def contributions(fit: Fit, *, freq: str | None = None, level: float = 0.9) -> pd.DataFrame:
    """Expected GMV each channel adds, by brand, platform and period, with intervals.

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    freq : str, optional
        Sum to a coarser calendar first (``"W"`` weeks, ``"M"`` or ``"MS"`` months, ``"Q"``
        or ``"QS"`` quarters); each row is dated by its period's first day. Default the
        data's own periods. Intervals are of the sums.
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
    T = fit.inputs.n_periods
    post, inputs = MediaPosterior.from_fit(fit), media_inputs(fit)
    dates = pd.DatetimeIndex(fit.data.dates)
    groups = xr.DataArray(
        _period_starts(dates, freq) if freq else dates,
        dims="period",
        coords={"period": np.arange(len(dates))},
        name="date",
    )
    live = inputs["live"].isel(period=slice(0, T))  # a store's periods before it opened get 0
    parts = []
    for channel in post.channels:
        response = post.response(channel, inputs["x"].sel(channel=channel)).isel(period=slice(0, T))
        summed = (response * live).groupby(groups).sum()  # (sample, brand, platform, date)
        gmv = summed * post.draws["beta"].sel(channel=channel) * inputs["gmv_scale"]
        parts.append(summarise(gmv, "contribution", level))
    out = xr.concat(parts, dim=inputs["channel"])
    observed = fit.data.sales_array("gmv").rename(date="period")
    observed = observed.assign_coords(period=np.arange(T)).groupby(groups).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = out["contribution"] / observed
    out["periods"] = groups.groupby(groups).count()
    order = ["channel", "brand", "platform", "date"]
    table = out.transpose(*order).to_dataframe(dim_order=order).reset_index()
    columns = ["date", "brand", "platform", "channel", "contribution", "contribution_lo"]
    return table[[*columns, "contribution_hi", "periods", "share"]]


def _period_starts(dates: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """The first day of each date's period of ``freq``: a period alias (``"W"``, ``"M"``,
    ``"Q"``) or a period-start offset (``"MS"``, ``"QS"``, ``"QS-FEB"``, ``"YS"``), which
    pandas' periods do not take; those roll each date back to its period's start. Both
    keep the dates' own resolution (a period's start is in microseconds whatever the dates
    are in, so a fit loaded from ``fit.nc``, whose dates are in nanoseconds, dated quarters
    one way for ``"Q"`` and another for ``"QS-JAN"``).

    Examples
    --------
    >>> d = pd.DatetimeIndex(["2025-01-15", "2025-02-03"])
    >>> _period_starts(d, "MS").strftime("%Y-%m-%d").tolist()
    ['2025-01-01', '2025-02-01']
    >>> _period_starts(d, "W").strftime("%Y-%m-%d").tolist()
    ['2025-01-13', '2025-02-03']
    >>> _period_starts(d, "QS-JAN").strftime("%Y-%m-%d").tolist()
    ['2025-01-01', '2025-01-01']
    >>> ns = d.as_unit("ns")
    >>> _period_starts(ns, "Q").unit == _period_starts(ns, "QS-JAN").unit == "ns"
    True
    """
    from pandas.tseries.frequencies import to_offset

    try:
        return dates.to_period(freq).start_time.as_unit(dates.unit)
    except ValueError:
        try:
            offset = to_offset(freq)
        except ValueError:
            raise ValueError(f"freq {freq!r} is not a calendar period (e.g. 'W', 'MS')") from None
    return pd.DatetimeIndex([offset.rollback(d) for d in dates.normalize()]).as_unit(dates.unit)
