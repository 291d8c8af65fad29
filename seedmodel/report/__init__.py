"""Plots and the HTML report. Takes analysis tables; never fits anything."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from seedmodel.analysis.attribution import reconcile_attribution
from seedmodel.inference.diagnostics import Diagnostics
from seedmodel.linkage import LinkResult
from seedmodel.report.html import Section, render, render_page
from seedmodel.report.i18n import LANGS, text
from seedmodel.report.overview import overview_sections
from seedmodel.report.sections.brand import brand_sections
from seedmodel.report.sections.fit import fit_section
from seedmodel.report.sections.groups import groups_section
from seedmodel.report.sections.link import link_section
from seedmodel.report.sections.plan import plan_section
from seedmodel.report.sections.roi import roi_section
from seedmodel.report.summary import render_summary, summary_parts
from seedmodel.schema import Dataset
from seedmodel.schema.errors import ArgumentError

__all__ = ["build_report", "write_report"]


def build_report(
    data: Dataset,
    *,
    source: str = "",
    link: LinkResult | None = None,
    roi_table: pd.DataFrame | None = None,
    diagnostics: Diagnostics | None = None,
    contrib: pd.DataFrame | None = None,
    plan=None,
    curves: pd.DataFrame | None = None,
    front: pd.DataFrame | None = None,
    rule: dict | None = None,
    checks: dict | None = None,
    fitted: pd.DataFrame | None = None,
    predictive: pd.DataFrame | None = None,
    arrival: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    elsewhere: str | None = None,
    brand_warnings: dict[str, str] | None = None,
    echo_channels: list[str] | None = None,
    brand_spreads: str = "",
    simulated: pd.DataFrame | None = None,
    lang: str = "en",
) -> str:
    """The report's HTML as a string.

    Parameters
    ----------
    data : Dataset
        Checked data.
    source : str
        Where the data came from (shown under the title).
    link : LinkResult, optional
        Engagement -> GMV analysis to include.
    roi_table, diagnostics : optional
        ROI table of a fitted MMM (``seedmodel.analysis.incremental``) and its diagnostics.
    contrib : DataFrame, optional
        Contributions over time (:func:`seedmodel.contributions`).
    plan, curves, front : optional
        An :class:`~seedmodel.plan.Allocation`, its response curves and a budget frontier
        (``seedmodel.plan``).
    checks : dict, optional
        :meth:`seedmodel.analysis.checks.FitChecks.to_dict` of the fit.
    fitted : DataFrame, optional
        :func:`seedmodel.analysis.fitted.fitted_gmv` of the fit: the model-fit section.
    predictive : DataFrame, optional
        :func:`seedmodel.analysis.fitted.predictive_coverage` of the fit: a posterior
        predictive check in the model-fit section.
    arrival : DataFrame, optional
        :func:`seedmodel.analysis.attribution.arrival_shares` of the fit.
    groups : DataFrame, optional
        :meth:`seedmodel.portfolio.SavedPortfolio.groups_table` of a portfolio fitted group
        by group: a section on the groups' fits.
    elsewhere : str, optional
        Where the figures drawn brand by brand are (a portfolio's group reports): they are
        left out of this page, and this note is shown in their place.
    brand_warnings : dict, optional
        Brand -> a warning opening its section (the fit of its group did not converge).
    echo_channels : list of str, optional
        Channels whose ROI rests on organic notes measuring demand alone
        (:func:`seedmodel.report.compose.echo_channels`): a note under the ROI table.
    brand_spreads : str
        :attr:`seedmodel.fit.Fit.brand_spreads` of a single fit: a row of its diagnostics
        table ("" leaves it out; a portfolio's groups table has a column instead).
    simulated : DataFrame, optional
        How often the model's 90% ROI intervals held the truth on the simulated world family
        for a fit like this one (:func:`seedmodel.report.compose.simulated_rows`): a note
        under the ROI table.
    lang : {"en", "zh"}
        Language of every heading, sentence, axis and table header; channels are shown by
        their programme names and money in ¥k / ¥M (en) or 万元 / 亿元 (zh). Downloaded
        tables keep ids and raw numbers.

    With a fit, the page opens with a summary in plain sentences whose every number links
    to a table cell (:mod:`seedmodel.report.summary`).
    """
    if lang not in LANGS:
        raise ArgumentError(f"lang must be one of {LANGS}, got {lang!r}")
    sections: list[Section] = []
    if roi_table is not None and diagnostics is not None:
        attribution = reconcile_attribution(data, roi_table)
        shown_plan = plan if curves is not None else None
        parts = summary_parts(
            roi_table,
            diagnostics,
            lang,
            link_channels=data.link_channels,
            checks=checks,
            attribution=attribution,
            plan=shown_plan,
        )
        # several brands: the portfolio first, then a section per brand
        several = roi_table["brand"].nunique() > 1
        summary = render_summary(parts, roi_table, lang, brands=not several)
        sections.append(Section(text("summary", lang), summary, anchor="summary"))
        if several:
            sections += brand_sections(
                parts.brands,
                roi_table,
                lang,
                plan_table=None if shown_plan is None else shown_plan.table,
                warnings=brand_warnings,
            )
        sections.append(
            roi_section(
                roi_table,
                diagnostics,
                contrib,
                checks,
                lang=lang,
                attribution=attribution,
                arrival=arrival,
                elsewhere=elsewhere,
                echo_channels=echo_channels,
                brand_spreads=brand_spreads,
                simulated=simulated,
            )
        )
    else:
        sections.append(
            Section(text("summary", lang), render("note.html", note=text("no_fit", lang)))
        )
    if plan is not None and curves is not None:
        converged = diagnostics is None or diagnostics.converged
        sections.append(
            plan_section(
                plan,
                curves,
                front,
                converged=converged,
                lang=lang,
                rule=rule,
                elsewhere=elsewhere,
            )
        )
    if groups is not None:
        sections.append(groups_section(groups, lang))
    if fitted is not None:
        sections.append(fit_section(fitted, lang, checks, predictive, elsewhere=elsewhere))
    sections += overview_sections(data, lang, elsewhere=elsewhere)
    if link is not None and not link.table.empty:
        sections.append(link_section(link, lang, elsewhere=elsewhere))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = text(
        "subtitle",
        lang,
        source=source or text("in_memory", lang),
        stamp=stamp,
        version=_version(),
    )
    return render_page(text("title", lang), subtitle, sections, lang=lang)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("seedmodel")
    except PackageNotFoundError:
        return "(not installed)"


def write_report(data: Dataset, out: str | Path, **kwargs) -> Path:
    """Write the self-contained HTML report to ``out``, all or nothing (options as for
    :func:`build_report`)."""
    from seedmodel.outputs import write_file

    page = build_report(data, **kwargs)
    return write_file(out, lambda tmp: tmp.write_text(page, encoding="utf-8"))
