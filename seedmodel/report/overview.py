"""The data-overview section of the report."""

from __future__ import annotations

from seedmodel.analysis import channel_summary, data_quality, event_spans, series_by_period
from seedmodel.report.figures import plot_brand_overview
from seedmodel.report.html import Section, figure_html, render, table_html
from seedmodel.schema import Dataset

__all__ = ["overview_sections"]


def overview_sections(data: Dataset) -> list[Section]:
    """Sections: data quality, per-channel summary, and one time-series figure per brand."""
    spans = event_spans(data)
    spend = series_by_period(data, "media", "spend", by="channel")
    reads = (
        series_by_period(data, "media", "reads", by="channel") if "reads" in data.media else None
    )
    gmv = series_by_period(data, "sales", "gmv", by="platform")
    figures = []
    for brand in data.brand_names:
        brand_spans = spans[spans["brand"].isin(["", brand])]
        fig = plot_brand_overview(
            brand,
            spend[brand][[c for c in data.paid_channels if c in spend[brand]]],
            None if reads is None else reads[brand],
            gmv[brand][list(data.platform_names)],
            brand_spans,
        )
        figures.append((brand, figure_html(fig, f"{brand} overview")))
    summary = channel_summary(data)
    summary["first_live"] = summary["first_live"].dt.strftime("%Y-%m-%d")
    return [
        Section("Data quality", table_html(data_quality(data)), anchor="quality"),
        Section("Channels at a glance", table_html(summary), anchor="channels"),
        Section(
            "Spend, engagement and GMV over time",
            render("overview.html", figures=figures),
            anchor="overview",
        ),
    ]
