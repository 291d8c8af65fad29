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
import xarray as xr

from seedmodel.analysis.influence import BLOCK_DAYS, widen, widening
from seedmodel.analysis.intervals import summarise
from seedmodel.analysis.posterior import SAMPLE, MediaPosterior, media_inputs
from seedmodel.fit import Fit
from seedmodel.schema.errors import ArgumentError
from seedmodel.schema.tables import INTERACTIONS

__all__ = [
    "ROI_COLUMNS",
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


def window_response(
    post: MediaPosterior,
    inputs: xr.Dataset,
    channel: str,
    t0: int,
    t1: int,
    scales: tuple[float, ...],
) -> xr.DataArray:
    """Saturated response summed from ``t0`` to the end of the tail over the periods each
    platform's store is live, per draw, with the channel's input in the window multiplied by
    each of ``scales``: (scale, sample, brand, platform).

    ``post`` and ``inputs`` are :meth:`MediaPosterior.from_fit` and :func:`media_inputs` of
    the same fit.
    """
    x = inputs["x"].sel(channel=channel)  # (brand, period)
    window = (x["period"] >= t0) & (x["period"] <= t1)
    live = inputs["live"].isel(period=slice(t0, None))
    out = []
    for scale in scales:
        response = post.response(channel, x.where(~window, x * scale))
        out.append(xr.dot(response.isel(period=slice(t0, None)), live, dim="period"))
    return xr.concat(out, dim="scale")


def _to_gmv(post: MediaPosterior, inputs: xr.Dataset, channel: str, diff: xr.DataArray):
    """A difference of responses (sample, brand, platform) in CNY."""
    return diff * post.draws["beta"].sel(channel=channel) * inputs["gmv_scale"]


def incremental_draws(
    fit: Fit,
    channel: str,
    t0: int,
    t1: int,
    *,
    factual_scale: float = 1.0,
    counterfactual_scale: float = 0.0,
) -> xr.DataArray:
    """Incremental GMV (CNY) of ``channel`` per draw, brand and platform: (sample, brand,
    platform).

    E[GMV | spend x ``factual_scale`` in the window] - E[GMV | spend x
    ``counterfactual_scale`` in the window], summed from ``t0`` to the end of the tail.
    """
    post, inputs = MediaPosterior.from_fit(fit), media_inputs(fit)
    f, cf = window_response(post, inputs, channel, t0, t1, (factual_scale, counterfactual_scale))
    return _to_gmv(post, inputs, channel, f - cf)


def _interactions(fit: Fit, t0: int, t1: int, like: xr.DataArray) -> xr.DataArray:
    """Note interactions (likes, collects, comments, shares, follows) per brand x channel in
    the window, shaped ``like`` (brand, channel); all 0 when the data have none of those
    columns."""
    media = fit.data.media
    cols = [c for c in INTERACTIONS if c in media]
    if not cols:
        return xr.zeros_like(like, dtype=float)
    dates = fit.data.dates
    rows = media[(media["date"] >= dates[t0]) & (media["date"] <= dates[t1])]
    counts = rows.assign(_n=rows[cols].sum(axis=1)).groupby(["brand", "channel"])["_n"].sum()
    return counts.to_xarray().reindex_like(like).fillna(0.0).astype(float)


def _summary(draws: xr.DataArray, wide: xr.DataArray, name: str, level: float) -> xr.Dataset:
    """:func:`summarise` with the posterior mean of ``draws`` and the interval of ``wide``
    (the same draws, widened where resampling the data says so)."""
    out = summarise(wide, name, level)
    out[name] = draws.mean(SAMPLE, skipna=False)
    return out


def roi(
    fit: Fit,
    window: tuple[str | None, str | None] = (None, None),
    *,
    level: float = 0.9,
    resampling: bool = True,
    block_days: int = BLOCK_DAYS,
    prior_centres: bool = True,
    ridge: bool = True,
) -> pd.DataFrame:
    """Incremental GMV, ROI and mROI per brand x channel: posterior means, and central
    intervals, the posterior's widened where resampling the data's months would move the
    number more, or where the data say little and a prior's centre or width decides it.

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    window : (start, end)
        ISO dates, inclusive; default the whole data.
    level : float
        Interval level (default 0.9).
    resampling : bool
        Widen each cell's intervals where the block infinitesimal jackknife
        (:mod:`seedmodel.analysis.influence`: what resampling the data's four-week blocks
        would do to the posterior mean) says the ROI moves more with the data than its
        posterior sd (default), and, in a fit of several brands, where weighting the other
        brands afresh would move it (brands and months are crossed, and each is resampled:
        a brand's ROI leans on the others through what they share). ``False``: the
        posterior's intervals as they are.
    block_days : int
        With ``resampling``, the days per block (default four weeks).
    prior_centres : bool
        With ``resampling``, widen also where the data say little and a prior that states a
        belief about the world decides: where moving its centre (the effect's share of GMV
        at typical spend, the half-saturation, the cross-platform share, the seeding lag's
        mean and shape) by its own scale,
        or halving or doubling its width, would move the posterior mean
        (:mod:`seedmodel.analysis.prior_sensitivity`; default). ``False``: the months
        alone.
    ridge : bool
        With ``resampling``, widen also a channel whose incremental GMV trades off with the
        baseline level across the posterior and whose share of GMV is outside its prior's
        90% interval, back towards that interval's end
        (:func:`seedmodel.analysis.checks.ridge_sd`; default).

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
        interactions the channel's notes drew in the window; then, with ``resampling``,
        ``roi_widening`` and ``mroi_widening`` (how many times its posterior spread, on
        the log scale, each cell's ROI and mROI draws were spread: 1 where the data's
        months agree and the data, not the prior's centres, decide), and the reasons
        apart: ``roi_widening_months``, ``mroi_widening_months`` (the months alone),
        ``roi_widening_prior``, ``mroi_widening_prior`` (the priors' centres and widths
        alone; 1 without ``prior_centres``), ``roi_widening_brands``,
        ``mroi_widening_brands`` (the other brands of a pooled fit alone; 1 with one
        brand) and ``roi_widening_ridge``, ``mroi_widening_ridge`` (the ridge with the
        baseline alone; 1 without ``ridge``); then window_start, window_end and converged.

    Examples
    --------
    With ``fit`` from :func:`seedmodel.fit_mmm` (minutes, so not run as a doctest)::

        table = roi(fit, window=("2025-07-01", "2025-09-30"))
    """
    t0, t1 = window_positions(fit, *window)
    post, inputs = MediaPosterior.from_fit(fit), media_inputs(fit)
    by_platform, more = [], []
    for channel in post.channels:
        at_one, at_zero, at_more = window_response(post, inputs, channel, t0, t1, (1.0, 0.0, 1.01))
        by_platform.append(_to_gmv(post, inputs, channel, at_one - at_zero))
        more.append(_to_gmv(post, inputs, channel, at_more - at_one).sum("platform"))
    inc_p = xr.concat(by_platform, dim=inputs["channel"])  # (sample, brand, platform, channel)
    inc = inc_p.sum("platform")
    more = xr.concat(more, dim=inputs["channel"])
    spend = inputs["spend"].isel(period=slice(t0, t1 + 1)).sum("period")
    paid = spend > 0
    wide_p, wide, wide_more, widened = inc_p, inc, more, []
    if resampling:
        quantities = {"roi": inc.where(paid, 0.0), "mroi": more.where(paid, 0.0)}
        factors = widening(
            fit, quantities, block_days=block_days, prior_centres=prior_centres, ridge=ridge
        )
        wide_p = widen(inc_p, factors["roi_widening"])
        wide = widen(inc, factors["roi_widening"])
        wide_more = widen(more, factors["mroi_widening"])
        widened = [
            factors[f"{q}_{part}"].where(paid)
            for part in (
                "widening",
                "widening_months",
                "widening_prior",
                "widening_brands",
                "widening_ridge",
            )
            for q in ("roi", "mroi")
        ]
    with np.errstate(divide="ignore", invalid="ignore"):
        parts = [
            spend.rename("spend"),
            _summary(inc, wide, "incremental_gmv", level),
            _summary((inc / spend).where(paid), (wide / spend).where(paid), "roi", level),
            _summary(
                (more / (0.01 * spend)).where(paid),
                (wide_more / (0.01 * spend)).where(paid),
                "mroi",
                level,
            ),
            (wide > spend).mean(SAMPLE).where(paid).rename("prob_roi_above_1"),
            *(
                _summary(
                    inc_p.sel(platform=p, drop=True),
                    wide_p.sel(platform=p, drop=True),
                    f"incremental_gmv_{p}",
                    level,
                )
                for p in post.draws["platform"].values
            ),
        ]
        acts = _interactions(fit, t0, t1, spend)
        if (acts > 0).any():
            drew = acts > 0
            per = acts / 1000.0
            parts += [
                acts.where(drew).rename("interactions"),
                _summary(
                    (inc / per).where(drew),
                    (wide / per).where(drew),
                    "gmv_per_1000_interactions",
                    level,
                ),
            ]
    out = xr.merge([*parts, *widened]).to_dataframe(dim_order=["brand", "channel"]).reset_index()
    dates = fit.data.dates
    out["window_start"] = str(dates[t0].date())
    out["window_end"] = str(dates[t1].date())
    out["converged"] = bool(fit.diagnostics.converged)
    return out
