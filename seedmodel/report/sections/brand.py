"""One section per brand: its sentences, its channels' ROI and its part of the plan."""

from __future__ import annotations

import pandas as pd

from seedmodel.report.html import Section, csv_link, render, table_html
from seedmodel.report.i18n import text
from seedmodel.report.sections.plan import readable_plan
from seedmodel.report.sections.roi import readable_roi
from seedmodel.report.summary import BrandSummary

__all__ = ["brand_sections"]


def brand_sections(
    brands: list[BrandSummary],
    roi_table: pd.DataFrame,
    lang: str,
    *,
    plan_table: pd.DataFrame | None = None,
    warnings: dict[str, str] | None = None,
) -> list[Section]:
    """A section per brand, in the ROI table's order: a warning of its own when
    ``warnings`` has one (its group's fit did not converge), the brand's summary sentences,
    then its rows of the ROI table and of the plan (the portfolio's tables carry every brand;
    these let a brand's manager read their own without the others). Each table downloads as
    CSV with ids and raw numbers."""
    brand_col = text("col_brand", lang)
    sections = []
    for i, summary in enumerate(brands):
        rows = roi_table[roi_table["brand"] == summary.name]
        roi = table_html(
            readable_roi(rows, lang).drop(columns=brand_col),
            download=csv_link(rows, f"roi_{i + 1}.csv", lang),
        )
        plan = None
        if plan_table is not None:
            mine = plan_table[plan_table["brand"] == summary.name]
            plan = table_html(
                readable_plan(mine, lang).drop(columns=brand_col),
                download=csv_link(mine, f"plan_{i + 1}.csv", lang),
            )
        body = render(
            "brand.html",
            warning=(warnings or {}).get(summary.name),
            lines=summary.lines,
            note=text("brand_table_note", lang),
            roi=roi,
            plan=plan,
        )
        sections.append(
            Section(
                text("brand_section", lang, brand=summary.name),
                body,
                anchor=f"brand-{i + 1}",
                brand=summary.name,
            )
        )
    return sections
