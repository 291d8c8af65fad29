"""The engagement -> GMV section of the report."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seedmodel.linkage import LinkResult
from seedmodel.linkage.analysis import note_key
from seedmodel.report.html import Section, csv_link, figure_html, render, table_html
from seedmodel.report.i18n import headers, metric_name, platform_name, text
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
    result: LinkResult,
    lang: str = "en",
    *,
    metric: str = "collects",
    outcome: str = "gmv",
    elsewhere: str | None = None,
) -> Section:
    """Summary table (one metric, GMV), raw-vs-adjusted scatter and lag profiles per brand
    (left out, with their data, when ``elsewhere`` says where they are)."""
    table = result.table

    metric = metric if metric in set(table["metric"]) else str(table["metric"].iloc[0])
    focus = table[(table["metric"] == metric) & (table["outcome"] == outcome)]
    scatter = figure_html(
        plot_raw_vs_adjusted(
            table[table["outcome"] == outcome], title=f"→ {metric_name(outcome, lang)}", lang=lang
        ),
        "raw vs adjusted",
    )
    profiles = []
    prof = result.profiles if elsewhere is None else result.profiles.iloc[:0]
    if not prof.empty:
        for (brand, platform), grp in prof[
            (prof["metric"] == metric) & (prof["outcome"] == outcome)
        ].groupby(["brand", "platform"], sort=False):
            profiles.append(
                figure_html(
                    plot_lag_profiles(
                        grp,
                        focus[(focus["brand"] == brand) & (focus["platform"] == platform)],
                        title=(
                            f"{brand}: {metric_name(metric, lang)} → "
                            f"{platform_name(platform, lang)} {metric_name(outcome, lang)}"
                        ),
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
        metric=metric_name(metric, lang),
        outcome=metric_name(outcome, lang),
        table=table_html(
            readable_link(focus, lang),
            floatfmt="{:,.3f}",
            download=csv_link(table, "link.csv", lang),
        ),
        profiles_download=None if prof.empty else csv_link(prof, "link_profiles.csv", lang),
        scatter=scatter,
        profiles=profiles,
        elsewhere=elsewhere,
    )
    return Section(text("link_title", lang), body, anchor="link")


def readable_link(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The link rows for reading: programme, metric, platform and verdict names in ``lang``,
    and the note of why each row got its verdict (link.csv keeps ids and English notes)."""
    shown = table[SHOWN].copy()
    shown["metric"] = [metric_name(m, lang) for m in shown["metric"]]
    shown["platform"] = [platform_name(p, lang) for p in shown["platform"]]
    shown["verdict"] = [text(f"verdict_{v}", lang) for v in shown["verdict"]]
    shown["note"] = [_note(r, lang) for r in table.to_dict(orient="records")]
    return headers(shown, lang)


def _note(row: dict, lang: str) -> str:
    def num(key: str) -> float:
        value = row.get(key, np.nan)
        return np.nan if value is None else float(value)

    raw, deseason, adjusted = num("raw_corr"), num("corr_deseasonalized"), num("corr_adjusted")
    key = note_key(raw, deseason, adjusted, row["verdict"], row.get("direction") or "unclear")
    shown = {"raw": raw, "deseason": deseason, "adjusted": adjusted}
    return text(f"link_note_{key}", lang, **{k: f"{v:.2f}" for k, v in shown.items()})
