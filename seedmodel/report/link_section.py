"""The engagement -> GMV section of the report."""

from __future__ import annotations

import html

from seedmodel.link import LinkResult
from seedmodel.report.html import Section, figure_html, table_html
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
    parts = [
        "<p>Does note engagement lead GMV, and how much of the raw correlation survives once "
        "trend, seasonality, festivals and organic buzz are accounted for? <b>raw_corr</b> is "
        "the same-period correlation people quote; <b>elasticity</b> is the % change of GMV "
        "for a sustained +1% in the metric after adjustment (distributed lags up to "
        f"{result.settings['max_lag']} periods), with its {result.settings['level']:.0%} "
        "interval. <b>robustness_value</b> is the share of residual variance an unmeasured "
        "confounder would need to explain to overturn the estimate. Adjustment for buzz rests "
        "on organic-note engagement as its proxy: in simulation the intervals cover the true "
        "elasticity less often than nominal (docs/link.md), so read borderline verdicts as "
        "weak evidence.</p>",
        f"<h3>{html.escape(metric)} → {outcome}</h3>",
        table_html(focus[SHOWN], floatfmt="{:,.3f}"),
        figure_html(
            plot_raw_vs_adjusted(
                table[table["outcome"] == outcome],
                title=f"all metrics → {outcome}: raw vs adjusted",
            ),
            "raw vs adjusted",
        ),
    ]
    prof = result.profiles
    if not prof.empty:
        for (brand, platform), grp in prof[
            (prof["metric"] == metric) & (prof["outcome"] == outcome)
        ].groupby(["brand", "platform"], sort=False):
            parts.append(
                figure_html(
                    plot_lag_profiles(
                        grp,
                        focus[(focus["brand"] == brand) & (focus["platform"] == platform)],
                        title=f"{brand}: {metric} → {platform} {outcome}",
                    ),
                    f"lag profile {brand} {platform}",
                )
            )
    return Section("Engagement → GMV: what survives adjustment", "".join(parts), anchor="link")
