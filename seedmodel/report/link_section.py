"""The engagement -> GMV section of the report."""

from __future__ import annotations

from seedmodel.link import LinkResult
from seedmodel.report.html import Section, download_link, figure_html, render, table_html
from seedmodel.report.i18n import headers, platform_name, text
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


def link_section(
    result: LinkResult, lang: str = "en", *, metric: str = "collects", outcome: str = "gmv"
) -> Section:
    """Summary table (one metric, GMV), raw-vs-adjusted scatter and lag profiles per brand."""
    table = result.table

    def link(frame, name: str):
        return download_link(frame, name, text("download", lang), text("download_title", lang))

    metric = metric if metric in set(table["metric"]) else str(table["metric"].iloc[0])
    focus = table[(table["metric"] == metric) & (table["outcome"] == outcome)]
    scatter = figure_html(
        plot_raw_vs_adjusted(table[table["outcome"] == outcome], title=f"→ {outcome}", lang=lang),
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
                        title=f"{brand}: {metric} → {platform_name(platform, lang)} {outcome}",
                        lang=lang,
                    ),
                    f"lag profile {brand} {platform}",
                )
            )
    body = render(
        "link.html",
        lead=text(
            "link_lead",
            lang,
            max_lag=result.settings["max_lag"],
            level=f"{result.settings['level']:.0%}",
        ),
        metric=metric,
        outcome=outcome,
        table=table_html(
            headers(focus[SHOWN], lang), floatfmt="{:,.3f}", download=link(table, "link.csv")
        ),
        profiles_download=None if prof.empty else link(prof, "link_profiles.csv"),
        scatter=scatter,
        profiles=profiles,
    )
    return Section(text("link_title", lang), body, anchor="link")
