"""Plots of the budget plan: response curves with current and recommended spend, the budget
frontier, and the recommended vs current split. Tables in, figures out."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from seedmodel.report.canvas import LITERAL_TEXT, channel_color, finish_panels, subplots
from seedmodel.report.i18n import UNIT_10K, cell_name, channel_name, text

__all__ = ["plot_allocation", "plot_frontier", "plot_response_curves"]


@matplotlib.rc_context(LITERAL_TEXT)
def plot_response_curves(
    curves: pd.DataFrame, plan: pd.DataFrame | None = None, lang: str = "en"
) -> Figure:
    """Incremental GMV against spend over the horizon, one panel per brand, a line (with its
    90% band) per channel; circles mark current spend, stars the recommendation."""
    brands = list(dict.fromkeys(curves["brand"]))
    ncol = min(3, len(brands))
    nrow = int(np.ceil(len(brands) / ncol))
    fig, axes = subplots(nrow, ncol, figsize=(4.2 * ncol, 3.2 * nrow), squeeze=False)
    for ax, brand in zip(axes.ravel(), brands, strict=False):
        for channel, g in curves[curves["brand"] == brand].groupby("channel"):
            color = channel_color(channel)
            ax.plot(
                g["spend"] / 1e4,
                g["incremental_gmv"] / 1e4,
                color=color,
                label=channel_name(channel, lang),
            )
            ax.fill_between(
                g["spend"] / 1e4,
                g["incremental_gmv_lo"] / 1e4,
                g["incremental_gmv_hi"] / 1e4,
                color=color,
                alpha=0.15,
                lw=0,
            )
            now = g[g["current"]]
            ax.plot(now["spend"] / 1e4, now["incremental_gmv"] / 1e4, "o", color=color, ms=5)
            if plan is not None:
                row = plan[(plan["brand"] == brand) & (plan["channel"] == channel)]
                if len(row):
                    ax.plot(
                        row["recommended_spend"] / 1e4,
                        row["expected_incremental_gmv"] / 1e4,
                        "*",
                        color=color,
                        ms=11,
                        mec="k",
                        mew=0.5,
                    )
        top = curves["spend"].max() / 1e4
        ax.plot([0, top], [0, top], color="k", lw=0.6, ls=":", label="ROI = 1")
        ax.set_title(brand, fontsize=10)
        ax.set_xlabel(f"{text('spend_axis', lang)} ({UNIT_10K[lang]})")
        ax.set_ylabel(f"{text('contrib_axis', lang)} ({UNIT_10K[lang]})")
        ax.grid(alpha=0.25, lw=0.5)
    finish_panels(fig, axes, len(brands), ncol=6)
    return fig


@matplotlib.rc_context(LITERAL_TEXT)
def plot_frontier(
    front: pd.DataFrame, current: tuple[float, float] | None = None, lang: str = "en"
) -> Figure:
    """Expected incremental GMV of the best plan at each total budget, with its interval;
    the current plan as a point."""
    fig, ax = subplots(figsize=(6, 3.6))
    x = front["budget"] / 1e4
    ax.plot(
        x,
        front["expected_incremental_gmv"] / 1e4,
        "o-",
        color="C0",
        ms=3,
        label=text("recommended", lang),
    )
    ax.fill_between(
        x,
        front["expected_incremental_gmv_lo"] / 1e4,
        front["expected_incremental_gmv_hi"] / 1e4,
        color="C0",
        alpha=0.15,
        lw=0,
    )
    if current is not None:
        ax.plot(current[0] / 1e4, current[1] / 1e4, "s", color="C3", label=text("current", lang))
    ax.set_xlabel(f"{text('spend_axis', lang)} ({UNIT_10K[lang]})")
    ax.set_ylabel(f"{text('contrib_axis', lang)} ({UNIT_10K[lang]}, 90%)")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.25, lw=0.5)
    return fig


@matplotlib.rc_context(LITERAL_TEXT)
def plot_allocation(plan: pd.DataFrame, lang: str = "en") -> Figure:
    """Current (grey) and recommended (the channel's colour) spend per brand x channel."""
    labels = [cell_name(b, c, lang) for b, c in zip(plan["brand"], plan["channel"], strict=True)]
    y = np.arange(len(plan))[::-1]
    fig, ax = subplots(figsize=(7, 0.3 * len(plan) + 1.3))
    colors = [channel_color(c) for c in plan["channel"]]
    ax.barh(
        y + 0.2, plan["current_spend"] / 1e4, height=0.4, color="0.75", label=text("current", lang)
    )
    ax.barh(
        y - 0.2,
        plan["recommended_spend"] / 1e4,
        height=0.4,
        color=colors,
        label=text("recommended", lang),
    )
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel(f"{text('spend_axis', lang)} ({UNIT_10K[lang]})")
    fig.legend(loc="outside upper center", ncol=2, frameon=False, fontsize=8)
    ax.grid(alpha=0.25, lw=0.5, axis="x")
    return fig
