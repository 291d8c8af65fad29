"""The engagement -> GMV section of the report."""

from __future__ import annotations

from seedmodel.link import LinkResult
from seedmodel.report.html import Section, figure_html, render, table_html
from seedmodel.report.link_plots import plot_lag_profiles, plot_raw_vs_adjusted

__all__ = ["link_section"]

SHOWN = [
    "brand",
    "channel",
    "metric",
    "platform",
    "raw_corr",
    "peak_lag",
    "elasticity",
    "elasticity_lo",
    "elasticity_hi",
    "robustness_value",
    "verdict",
    "note",
]


def link_section(result: LinkResult, *, metric: str = "collects", outcome: str = "gmv") -> Section:
    """Summary table (one metric, GMV), raw-vs-adjusted scatter and lag profiles per brand."""
    table = result.table
    metric = metric if metric in set(table["metric"]) else str(table["metric"].iloc[0])
    focus = table[(table["metric"] == metric) & (table["outcome"] == outcome)]
    scatter = figure_html(
        plot_raw_vs_adjusted(
            table[table["outcome"] == outcome], title=f"all metrics → {outcome}: raw vs adjusted"
        ),
        "raw vs adjusted",
    )
    profiles = []
    prof = result.profiles
    if not prof.empty:
        for (brand, platform), grp in prof[
            (prof["metric"] == metric) & (prof["outcome"] == outcome)
        ].groupby(["brand", "platform"], sort=False):
            profiles.append(
                figure_html(
                    plot_lag_profiles(
                        grp,
                        focus[(focus["brand"] == brand) & (focus["platform"] == platform)],
                        title=f"{brand}: {metric} → {platform} {outcome}",
                    ),
                    f"lag profile {brand} {platform}",
                )
            )
    body = render(
        "link.html",
        max_lag=result.settings["max_lag"],
        level=result.settings["level"],
        metric=metric,
        outcome=outcome,
        table=table_html(focus[SHOWN], floatfmt="{:,.3f}"),
        scatter=scatter,
        profiles=profiles,
    )
    return Section("Engagement → GMV: what survives adjustment", body, anchor="link")
