"""Figures of the data overview. Each takes tidy tables and returns a matplotlib Figure."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from seedmodel.report.canvas import LITERAL_TEXT, channel_color, subplots
from seedmodel.report.i18n import channel_name, platform_name, text

__all__ = ["plot_brand_overview"]

EVENT_COLORS = {
    "womens_day": "#f4c2c2",
    "618_presale": "#fde2b3",
    "618": "#fbb45c",
    "618_post": "#d9d9d9",
    "double11_presale": "#c9e4f6",
    "double11": "#79b8e8",
    "double11_post": "#d9d9d9",
}


def _shade(ax, spans: pd.DataFrame) -> None:
    for _, s in spans.iterrows():
        ax.axvspan(
            s["start"],
            s["end"] + pd.Timedelta(days=1),
            lw=0,
            alpha=0.45,
            color=EVENT_COLORS.get(s["event"], "#e0e0e0"),
            zorder=0,
        )


@matplotlib.rc_context(LITERAL_TEXT)
def plot_brand_overview(
    brand: str,
    spend: pd.DataFrame,
    reads: pd.DataFrame | None,
    gmv: pd.DataFrame,
    spans: pd.DataFrame,
    lang: str = "en",
) -> Figure:
    """Spend per channel, reads per channel and GMV per platform over time, events shaded.

    Parameters
    ----------
    brand : str
        Title.
    spend, reads : DataFrame
        Index date, one column per channel (``reads`` may be None when not in the data).
    gmv : DataFrame
        Index date, one column per platform.
    spans : DataFrame
        Event spans (event, start, end) for this brand.

    Returns
    -------
    Figure
    """
    panels = [
        (f"{text('spend_axis', lang)} (¥)", spend),
        (text("col_reads", lang), reads),
        ("GMV (¥)", gmv),
    ]
    panels = [(label, frame) for label, frame in panels if frame is not None]
    fig, axes = subplots(len(panels), 1, figsize=(10, 2.4 * len(panels)), sharex=True)
    for ax, (label, frame) in zip(axes, panels, strict=True):
        _shade(ax, spans)
        for column in frame.columns:
            name = str(column)
            color = channel_color(name) if frame is not gmv else None
            shown = platform_name(name, lang) if frame is gmv else channel_name(name, lang)
            ax.plot(frame.index, frame[column], lw=1.2, label=shown, color=color)
        ax.set_ylabel(label)
        ax.legend(loc="upper left", fontsize=7, ncols=4, frameon=False)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
        ax.grid(alpha=0.25, lw=0.5)
    lines_legend = axes[0].get_legend()
    axes[0].add_artist(lines_legend)
    handles = [Rectangle((0, 0), 1, 1, color=c, alpha=0.45) for c in EVENT_COLORS.values()]
    axes[0].legend(
        handles, list(EVENT_COLORS), loc="upper right", fontsize=6, ncols=4, frameon=False
    )
    axes[0].set_title(text("fig_overview_title", lang, brand=brand), loc="left", fontsize=10)
    return fig
