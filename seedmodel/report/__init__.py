"""Plots and the HTML report. Takes analysis tables; never fits anything."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from seedmodel.inference.diagnostics import Diagnostics
from seedmodel.link import LinkResult
from seedmodel.report.html import Section, render_page
from seedmodel.report.link_section import link_section
from seedmodel.report.overview import overview_sections
from seedmodel.report.plan_section import plan_section
from seedmodel.report.roi_section import roi_section
from seedmodel.schema import Dataset

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
    checks: dict | None = None,
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
        ROI table of a fitted MMM (``seedmodel.analysis.roi``) and its diagnostics.
    contrib : DataFrame, optional
        Contributions over time (:func:`seedmodel.contributions`).
    plan, curves, front : optional
        An :class:`~seedmodel.plan.Allocation`, its response curves and a budget frontier
        (``seedmodel.plan``).
    checks : dict, optional
        :meth:`seedmodel.analysis.checks.FitChecks.to_dict` of the fit.
    """
    sections: list[Section] = []
    if roi_table is not None and diagnostics is not None:
        sections.append(roi_section(roi_table, diagnostics, contrib, checks))
    if plan is not None and curves is not None:
        converged = diagnostics is None or diagnostics.converged
        sections.append(plan_section(plan, curves, front, converged=converged))
    sections += overview_sections(data)
    if link is not None and not link.table.empty:
        sections.append(link_section(link))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = f"data: {source or 'in memory'} · written {stamp} · seedmodel"
    return render_page("seedmodel: RED seeding → Tmall / JD strategy report", subtitle, sections)


def write_report(data: Dataset, out: str | Path, **kwargs) -> Path:
    """Write the self-contained HTML report to ``out``, all or nothing (options as for
    :func:`build_report`)."""
    from seedmodel.outputs import write_file

    page = build_report(data, **kwargs)
    return write_file(out, lambda tmp: tmp.write_text(page, encoding="utf-8"))
