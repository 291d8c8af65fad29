"""Fit -> incremental GMV, ROI and mROI per brand x channel (docs/contract.md section 3).

Every number is a counterfactual computed draw by draw with the numpy response functions:
the channel's spend in the window is set to zero (or scaled by 1.01 for mROI), other channels
stay as observed, and the difference in expected GMV is summed over all platforms and over every
period from the window's start to the end of the carryover tail (periods after the data have no
spend).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seedmodel.analysis.intervals import mean_interval
from seedmodel.fit import Fit
from seedmodel.models.mmm.response import ChannelDraws, media_response
from seedmodel.schema.errors import ArgumentError
from seedmodel.schema.tables import INTERACTIONS

__all__ = [
    "ROI_COLUMNS",
    "channel_draws",
    "check_window",
    "incremental_draws",
    "roi",
    "window_positions",
    "window_response",
]

#: The columns of docs/contract.md's roi.csv, in order; :func:`roi` adds more after them.
ROI_COLUMNS = [
    "brand",
    "channel",
    "spend",
    "incremental_gmv",
    "incremental_gmv_lo",
    "incremental_gmv_hi",
    "roi",
    "roi_lo",
    "roi_hi",
    "mroi",
]


def window_positions(fit: Fit, start: str | None = None, end: str | None = None) -> tuple[int, int]:
    """Period positions ``(t0, t1)``, inclusive, of a window (default the whole data).

    Raises
    ------
    ArgumentError
        A date that does not parse, or a window that starts before the data, ends after
        them, or ends before it starts.
    """
    return check_window(fit.data.dates, fit.data.period_days, start, end)


def check_window(
    dates: pd.DatetimeIndex, period_days: int, start: str | None, end: str | None
) -> tuple[int, int]:
    """:func:`window_positions` on the data's ``dates`` (checked before a fit is run)."""
    first = dates[0]
    last = dates[-1] + pd.Timedelta(days=period_days - 1)  # a week's last day
    span = f"the data run {first.date()}..{last.date()}"
    when = {}
    for name, value in (("start", start), ("end", end)):
        if value is None:
            continue
        try:
            when[name] = pd.Timestamp(value)
        except (ValueError, TypeError):
            raise ArgumentError(f"window {name} {value!r} is not a date (YYYY-MM-DD)") from None
        if not first <= when[name] <= last:
            raise ArgumentError(f"window {name} {value} is outside the data ({span})")
    t0 = 0 if start is None else int(np.searchsorted(dates, when["start"], side="left"))
    t1 = (
        len(dates) - 1
        if end is None
        else int(np.searchsorted(dates, when["end"], side="right") - 1)
    )
    if not 0 <= t0 <= t1 < len(dates):
        raise ArgumentError(f"window {start}..{end} is empty or ends before it starts ({span})")
    return t0, t1


def channel_draws(fit: Fit, c: int) -> ChannelDraws:
    """A channel's posterior (lag weights, half-saturation, effect, curve), read by its
    components' parameter names."""
    inp = fit.inputs
    channel = inp.channels[c]
    ms = inp.spec.media[channel]
    names = [*ms.adstock.names(channel).values(), *ms.saturation.names(channel).values()]
    post = {name: fit.draws(name) for name in names}
    weights = ms.adstock.weights(ms.adstock.draws(post, channel), inp.max_lag[channel])
    return ChannelDraws(
        weights=weights,
        half=fit.draws("half")[:, :, c],
        beta=fit.draws("beta")[:, :, c, :],
        saturation=ms.saturation,
        shape=ms.saturation.draws(post, channel),
    )


def window_response(
    fit: Fit,
    b: int,
    c: int,
    t0: int,
    t1: int,
    scales: tuple[float, ...],
    draws: ChannelDraws | None = None,
) -> np.ndarray:
    """Saturated response summed from ``t0`` to the end of the tail over the periods each
    platform's store is live, per draw, with the channel's spend in the window multiplied by
    each of ``scales``: (len(scales), S, P).

    ``draws`` is :func:`channel_draws` of ``c``, when the caller already has it.
    """
    inp = fit.inputs
    draws = draws if draws is not None else channel_draws(fit, c)
    live = inp.live[b, :, t0:].astype(float)  # (P, T + H - t0)
    out = []
    for scale in scales:
        x = inp.x[b, c].copy()
        x[t0 : t1 + 1] *= scale
        out.append(media_response(x, draws, b)[:, t0:] @ live.T)
    return np.stack(out)


def _to_gmv(fit: Fit, b: int, beta: np.ndarray, diff: np.ndarray) -> np.ndarray:
    """A difference of responses per draw and platform (S, P) in CNY."""
    return diff * beta[:, b, :] * fit.inputs.gmv_scale[b][None, :]


def incremental_draws(
    fit: Fit,
    b: int,
    c: int,
    t0: int,
    t1: int,
    *,
    factual_scale: float = 1.0,
    counterfactual_scale: float = 0.0,
) -> np.ndarray:
    """Incremental GMV (CNY) per draw and platform, (S, P).

    E[GMV | spend x ``factual_scale`` in the window] - E[GMV | spend x
    ``counterfactual_scale`` in the window], summed from ``t0`` to the end of the tail.
    """
    draws = channel_draws(fit, c)
    f, cf = window_response(fit, b, c, t0, t1, (factual_scale, counterfactual_scale), draws)
    return _to_gmv(fit, b, draws.beta, f - cf)


def _interactions(fit: Fit, t0: int, t1: int) -> dict[tuple[str, str], float]:
    """Note interactions (likes, collects, comments, shares, follows) per brand x channel in
    the window; empty when the data have none of those columns."""
    media = fit.data.media
    cols = [c for c in INTERACTIONS if c in media]
    if not cols:
        return {}
    dates = fit.data.dates
    rows = media[(media["date"] >= dates[t0]) & (media["date"] <= dates[t1])]
    return (
        rows.assign(_n=rows[cols].sum(axis=1)).groupby(["brand", "channel"])["_n"].sum().to_dict()
    )


def roi(
    fit: Fit, window: tuple[str | None, str | None] = (None, None), *, level: float = 0.9
) -> pd.DataFrame:
    """Incremental GMV, ROI and mROI per brand x channel, with central posterior intervals.

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    window : (start, end)
        ISO dates, inclusive; default the whole data.
    level : float
        Interval level (default 0.9).

    Returns
    -------
    DataFrame
        The columns of docs/contract.md's ``roi.csv`` (brand, channel, spend, incremental_gmv,
        incremental_gmv_lo, incremental_gmv_hi, roi, roi_lo, roi_hi, mroi), then mroi_lo,
        mroi_hi, ``prob_roi_above_1`` (the posterior probability that the channel returned
        more GMV than it cost), incremental_gmv_<platform> (with _lo, _hi) for each
        platform, then, when the data hold note
        interactions (likes, collects, comments, shares, follows), ``interactions`` and
        ``gmv_per_1000_interactions`` (with _lo, _hi): incremental GMV per 1,000 of the
        interactions the channel's notes drew in the window; then window_start, window_end
        and converged.

    Examples
    --------
    With ``fit`` from :func:`seedmodel.fit_mmm` (minutes, so not run as a doctest)::

        table = roi(fit, window=("2025-07-01", "2025-09-30"))
    """
    t0, t1 = window_positions(fit, *window)
    inp = fit.inputs
    rows = []
    draws = [channel_draws(fit, c) for c in range(len(inp.channels))]  # per channel, once
    engagement = _interactions(fit, t0, t1)
    for b, brand in enumerate(inp.brands):
        for c, channel in enumerate(inp.channels):
            spend = float(inp.spend[b, c, t0 : t1 + 1].sum())
            # one response each at spend x 1, x 0 (contract) and x 1.01 (mROI)
            at_one, at_zero, at_more = window_response(
                fit, b, c, t0, t1, (1.0, 0.0, 1.01), draws[c]
            )
            inc_p = _to_gmv(fit, b, draws[c].beta, at_one - at_zero)
            inc = inc_p.sum(axis=1)
            more = _to_gmv(fit, b, draws[c].beta, at_more - at_one).sum(axis=1)
            row = {
                "brand": brand,
                "channel": channel,
                "spend": spend,
                **mean_interval("incremental_gmv", inc, level),
            }
            if spend > 0:
                row |= mean_interval("roi", inc / spend, level)
                row |= mean_interval("mroi", more / (0.01 * spend), level)
                row["prob_roi_above_1"] = float(np.mean(inc > spend))
            else:
                row |= dict.fromkeys(
                    ("roi", "roi_lo", "roi_hi", "mroi", "mroi_lo", "mroi_hi"), np.nan
                )
                row["prob_roi_above_1"] = np.nan
            for i, p in enumerate(inp.platforms):
                row |= mean_interval(f"incremental_gmv_{p}", inc_p[:, i], level)
            acts = engagement.get((brand, channel), 0.0)
            if acts > 0:
                row["interactions"] = acts
                row |= mean_interval("gmv_per_1000_interactions", inc / (acts / 1000.0), level)
            rows.append(row)
    out = pd.DataFrame(rows)
    dates = fit.data.dates
    out["window_start"] = str(dates[t0].date())
    out["window_end"] = str(dates[t1].date())
    out["converged"] = bool(fit.diagnostics.converged)
    return out
