"""The data-overview section of the report."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from seedmodel.analysis import channel_summary, data_quality, event_spans, series_by_period
from seedmodel.report.figures import plot_brand_overview
from seedmodel.report.html import Section, csv_link, figure_html, render, table_html
from seedmodel.report.i18n import headers, money, text
from seedmodel.schema import Dataset

__all__ = ["overview_sections"]


def _pairs(key: str, lang: str) -> list[tuple[str, str]]:
    """``a=b|c=d`` of the catalogue as pairs (empty in English: the analysis speaks it)."""
    raw = text(key, lang)
    return [tuple(item.split("=", 1)) for item in raw.split("|")] if raw else []


def readable_quality(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`seedmodel.analysis.data_quality` in ``lang``: its fixed words translated,
    names (brands, channels, tables) kept as they are."""
    labels = dict(_pairs("dq_labels", lang))
    if not labels:
        return frame
    prefixes = _pairs("dq_prefixes", lang)
    counts = _pairs("dq_counts", lang)

    def say(value: str) -> str:
        if value in labels:
            return labels[value]
        for old, new in prefixes:
            if value.startswith(old):
                return new + value.removeprefix(old)
        for old, new in counts:
            if value.endswith(old) and value.removesuffix(old).isdigit():
                return value.removesuffix(old) + new
        return value

    return frame.map(lambda v: say(v) if isinstance(v, str) else v)


def overview_sections(
    data: Dataset, lang: str = "en", *, elsewhere: str | None = None
) -> list[Section]:
    """Sections: data quality, per-channel summary, and one time-series figure per brand
    (with ``elsewhere``, the figures are left out, that note shown, and each brand's weekly
    series kept as a download)."""
    spans = event_spans(data)
    spend = series_by_period(data, "media", "spend", by="channel")
    reads = (
        series_by_period(data, "media", "reads", by="channel") if "reads" in data.media else None
    )
    gmv = series_by_period(data, "sales", "gmv", by="platform")
    figures = []
    for brand in data.brand_names:
        brand_spans = spans[spans["brand"].isin(["", brand])]
        drawn = Markup("")
        if elsewhere is None:
            fig = plot_brand_overview(
                brand,
                spend[brand][[c for c in data.paid_channels if c in spend[brand]]],
                None if reads is None else reads[brand],
                gmv[brand][list(data.platform_names)],
                brand_spans,
                lang,
            )
            drawn = figure_html(fig, f"{brand} overview")
        weekly = pd.concat(
            {
                "spend": spend[brand],
                **({} if reads is None else {"reads": reads[brand]}),
                "gmv": gmv[brand],
            },
            axis=1,
        )
        weekly.columns = [f"{kind}_{name}" for kind, name in weekly.columns]
        link = csv_link(weekly.reset_index(), f"weekly_{brand}.csv", lang)
        figures.append((brand, drawn + link))
    summary = channel_summary(data)
    summary["first_live"] = summary["first_live"].dt.strftime("%Y-%m-%d")
    summary["spend"] = [money(v, lang) for v in summary["spend"]]
    return [
        Section(
            text("quality_title", lang),
            table_html(headers(readable_quality(data_quality(data), lang), lang)),
            anchor="quality",
        ),
        Section(
            text("channels_title", lang), table_html(headers(summary, lang)), anchor="channels"
        ),
        Section(
            text("overview_title", lang),
            render(
                "overview.html",
                figures=figures,
                lead=text("overview_lead", lang),
                elsewhere=elsewhere,
            ),
            anchor="overview",
        ),
    ]
