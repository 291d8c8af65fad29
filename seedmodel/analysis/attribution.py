"""The platforms' attribution feed against the model's incremental GMV.

The feeds credit GMV to notes clicked or viewed within 15 / 30 days; they do not say what the
notes caused. Their ratio to the model's incremental GMV, the *incrementality factor*, turns
the dashboard a team already has into causal terms: below 1, the platform claims more than
the channel caused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seedmodel.analysis.intervals import mean_interval
from seedmodel.schema import Dataset

__all__ = ["ATTRIBUTION_COLUMNS", "WINDOWS", "arrival_shares", "reconcile_attribution"]

#: The platforms' attribution windows, in days.
WINDOWS = (7, 15, 30)

#: Columns of :func:`reconcile_attribution`'s table.
ATTRIBUTION_COLUMNS = [
    "brand",
    "channel",
    "platform",
    "window_days",
    "attributed_gmv",
    "incremental_gmv",
    "incremental_gmv_lo",
    "incremental_gmv_hi",
    "incrementality",
    "incrementality_lo",
    "incrementality_hi",
]


def reconcile_attribution(data: Dataset, roi_table: pd.DataFrame) -> pd.DataFrame:
    """Attributed against incremental GMV per brand x channel x platform in the ROI window.

    Parameters
    ----------
    data : Dataset
        The fitted data; its ``attribution`` table is the platforms' feed.
    roi_table : DataFrame
        :func:`seedmodel.roi` of a fit of ``data`` (its window, and per-platform incremental
        GMV with ``_lo`` / ``_hi``).

    Returns
    -------
    DataFrame
        :data:`ATTRIBUTION_COLUMNS`, one row per cell the feed covers. ``incrementality`` is
        incremental / attributed GMV; its interval is the incremental GMV's interval over
        the same attributed figure (the feed is a count, not an estimate). Empty when the
        data have no feed.
    """
    if not data.has("attribution") or roi_table.empty:
        return pd.DataFrame(columns=ATTRIBUTION_COLUMNS)
    start = pd.Timestamp(roi_table["window_start"].iloc[0])
    end = pd.Timestamp(roi_table["window_end"].iloc[0])
    feed = data.attribution
    feed = feed[(feed["date"] >= start) & (feed["date"] <= end)]
    cells = feed.groupby(["brand", "channel", "platform"], as_index=False).agg(
        window_days=("window_days", "max"), attributed_gmv=("attributed_gmv", "sum")
    )
    rows = roi_table.set_index(["brand", "channel"])
    out = []
    for cell in cells.itertuples(index=False):
        key = (cell.brand, cell.channel)
        column = f"incremental_gmv_{cell.platform}"
        if key not in rows.index or column not in rows.columns:
            continue
        row = rows.loc[key]
        inc = {s: float(row[column + s]) for s in ("", "_lo", "_hi")}
        attributed = float(cell.attributed_gmv)
        ratio = {
            f"incrementality{s}": v / attributed if attributed > 0 else np.nan
            for s, v in inc.items()
        }
        out.append(
            {
                "brand": cell.brand,
                "channel": cell.channel,
                "platform": cell.platform,
                "window_days": int(cell.window_days),
                "attributed_gmv": attributed,
                **{f"incremental_gmv{s}": v for s, v in inc.items()},
                **ratio,
            }
        )
    return pd.DataFrame(out, columns=ATTRIBUTION_COLUMNS)


def arrival_shares(fit, windows: tuple[int, ...] = WINDOWS, level: float = 0.9) -> pd.DataFrame:
    """How much of each channel's carried-over effect arrives within each window of days
    after the spend: the part a platform's 7-, 15- or 30-day attribution window can see.

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    windows : tuple of int
        Days after the spend day (a window of 15 takes lags 0 to 15 days).
    level : float
        Interval level.

    Returns
    -------
    DataFrame
        channel, then ``within_<k>d`` (with _lo, _hi) per window: the posterior share of
        the channel's lag kernel up to ``k`` days. It is the share of the effect of a
        small change in spend; with saturation, the shares of a whole campaign's effect are
        close to it. Lags are per channel, shared by brands.
    """
    from seedmodel.analysis.posterior import MediaPosterior

    post = MediaPosterior.from_fit(fit)
    cumulative = post.draws["weights"].cumsum("lag")  # (sample, channel, lag), lags in periods
    rows = []
    for channel in post.channels:
        row: dict = {"channel": channel}
        for k in windows:
            lag = min(int(k // fit.data.period_days), post.max_lag[channel])
            row |= mean_interval(f"within_{k}d", cumulative.sel(channel=channel, lag=lag), level)
        rows.append(row)
    return pd.DataFrame(rows)
