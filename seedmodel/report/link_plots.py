"""Figures of the engagement -> GMV link analysis. They take LinkResult tables."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from seedmodel.report.canvas import LITERAL_TEXT, subplots
from seedmodel.report.i18n import channel_name, text

__all__ = ["plot_lag_profiles", "plot_raw_vs_adjusted"]

VERDICT_COLORS = {
    "supported": "#2a7f3f",
    "not_supported": "#b0412e",
    "insufficient_data": "#999999",
}


@matplotlib.rc_context(LITERAL_TEXT)
def plot_raw_vs_adjusted(table: pd.DataFrame, *, title: str = "", lang: str = "en") -> Figure:
    """Raw correlation (x) against adjusted elasticity with its interval (y), one point per row.

    A point high on x but with an interval crossing 0 is the "0.82 correlation" that does not
    survive adjustment.
    """
    rows = table[table["verdict"] != "insufficient_data"]
    fig, ax = subplots(figsize=(7, 4.2))
    for verdict, grp in rows.groupby("verdict"):
        ax.errorbar(
            grp["raw_corr"],
            grp["elasticity"],
            yerr=[
                grp["elasticity"] - grp["elasticity_lo"],
                grp["elasticity_hi"] - grp["elasticity"],
            ],
            fmt="o",
            ms=4,
            lw=0.8,
            alpha=0.8,
            color=VERDICT_COLORS[verdict],
            label=text(f"verdict_{verdict}", lang),
        )
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlabel(text("fig_raw_corr", lang))
    ax.set_ylabel(text("fig_elasticity", lang))
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title, loc="left", fontsize=10)
    ax.grid(alpha=0.25, lw=0.5)
    return fig


@matplotlib.rc_context(LITERAL_TEXT)
def plot_lag_profiles(
    profiles: pd.DataFrame, peaks: pd.DataFrame, *, title: str = "", lang: str = "en"
) -> Figure:
    """Adjusted lag weights (band = interval), the pre-whitened cross-correlation (thin), and
    the estimated peak lag with its interval (shaded), one panel per channel.

    Parameters
    ----------
    profiles : DataFrame
        Rows of ``LinkResult.profiles`` for one brand, metric, platform and outcome.
    peaks : DataFrame
        The matching rows of ``LinkResult.table`` (channel, peak_lag, peak_lag_lo,
        peak_lag_hi).
    title : str
        Figure title.
    """
    channels = list(dict.fromkeys(profiles["channel"]))
    fig, axes = subplots(1, len(channels), figsize=(3.6 * len(channels), 3.0), squeeze=False)
    for ax, channel in zip(axes[0], channels, strict=True):
        p = profiles[profiles["channel"] == channel]
        ax.fill_between(p["lag"], p["weight_lo"], p["weight_hi"], alpha=0.25, color="C0")
        ax.plot(p["lag"], p["weight"], color="C0")
        ax2 = ax.twinx()
        ax2.plot(p["lag"], p["prewhitened_ccf"], color="C1", lw=0.6, alpha=0.45)
        ax2.tick_params(labelsize=6, colors="C1")
        ax.axhline(0, color="k", lw=0.6)
        row = peaks[peaks["channel"] == channel]
        if len(row) and pd.notna(row["peak_lag"].iloc[0]):
            peak, lo, hi = (int(row[c].iloc[0]) for c in ("peak_lag", "peak_lag_lo", "peak_lag_hi"))
            ax.axvspan(lo, hi, color="C2", alpha=0.12, lw=0)
            ax.axvline(peak, color="C2", lw=1.2)
            ax.set_title(f"{channel_name(channel, lang)}: {peak} [{lo}, {hi}]", fontsize=9)
        else:
            ax.set_title(channel_name(channel, lang), fontsize=9)
        ax.set_xlabel(text("fig_lag", lang))
    axes[0][0].set_ylabel(text("fig_lag_effect", lang))
    axes[0][-1].annotate(
        "orange: pre-whitened cross-correlation",
        (1, -0.28),
        xycoords="axes fraction",
        ha="right",
        fontsize=7,
        color="C1",
    )
    fig.suptitle(title, x=0.01, ha="left", fontsize=10)
    return fig
