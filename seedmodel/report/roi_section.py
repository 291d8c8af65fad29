"""The channel-effect section of the report: ROI with intervals and the fit's diagnostics."""

from __future__ import annotations

import matplotlib
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from seedmodel.analysis.roi import ROI_COLUMNS
from seedmodel.inference.diagnostics import Diagnostics
from seedmodel.report.canvas import LITERAL_TEXT, subplots
from seedmodel.report.html import Section, figure_html, render, table_html

__all__ = ["plot_contributions", "plot_roi", "roi_section"]


@matplotlib.rc_context(LITERAL_TEXT)
def plot_roi(table: pd.DataFrame) -> Figure:
    """ROI per brand x channel with its interval (one row each)."""
    rows = table.iloc[::-1]
    labels = [f"{b} · {c}" for b, c in zip(rows["brand"], rows["channel"], strict=True)]
    fig, ax = subplots(figsize=(7, 0.35 * len(rows) + 1.2))
    ax.errorbar(
        rows["roi"],
        range(len(rows)),
        xerr=[rows["roi"] - rows["roi_lo"], rows["roi_hi"] - rows["roi"]],
        fmt="o",
        color="C0",
        ms=4,
        lw=1,
    )
    ax.scatter(rows["mroi"], range(len(rows)), marker="x", color="C3", s=20, label="mROI")
    ax.axvline(1.0, color="k", lw=0.6, ls=":")
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xlabel("GMV per yuan (ROI, 90% interval; x = mROI)")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.25, lw=0.5, axis="x")
    return fig


@matplotlib.rc_context(LITERAL_TEXT)
def plot_contributions(contrib: pd.DataFrame) -> Figure:
    """Each channel's contribution over time (all platforms), one panel per brand."""
    brands = list(dict.fromkeys(contrib["brand"]))
    fig, axes = subplots(len(brands), 1, figsize=(8, 2.4 * len(brands)), squeeze=False)
    for ax, brand in zip(axes[:, 0], brands, strict=True):
        g = contrib[contrib["brand"] == brand]
        wide = g.pivot_table(
            ["contribution", "contribution_lo", "contribution_hi"], "date", "channel", aggfunc="sum"
        )
        for i, channel in enumerate(wide["contribution"].columns):
            ax.plot(
                wide.index, wide["contribution"][channel] / 1e4, color=f"C{i}", lw=1, label=channel
            )
        ax.set_title(brand, fontsize=9)
        ax.set_ylabel("GMV added (CNY 10k)")
        ax.grid(alpha=0.25, lw=0.5)
    axes[0, 0].legend(frameon=False, fontsize=8, ncol=3)
    return fig


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Checks tables as a reader wants them: shares and rates in %, yuan whole, ROI to 0.01."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_float_dtype(values):
            continue
        if column == "error":
            out[column] = values.map("{:+.1%}".format)
        elif "share" in column or column == "coverage":
            out[column] = values.map("{:.1%}".format)
        elif column == "actual" or column.startswith("forecast"):
            out[column] = values.map("{:,.0f}".format)
        else:
            out[column] = values.map("{:,.2f}".format)
    return out


def checks_html(checks: dict) -> Markup:
    """The per-fit checks: a warning per failed check, then their tables."""
    parts = [
        (
            "Placebo channel (a real channel's spend shifted by months: its ROI should reach "
            "0, or at least stay at its prior)",
            "placebo",
        ),
        ("Forecast of the held-out last periods (GMV in CNY; coverage nominal 90%)", "forecast"),
        ("Each channel's share of GMV, prior and posterior", "shares"),
        (
            "Channel effect against the baseline level (rank correlation over the posterior; "
            "near -1: the data barely tell them apart)",
            "tradeoff",
        ),
    ]
    tables = [
        (title, table_html(_readable(pd.DataFrame(checks[key]))))
        for title, key in parts
        if checks.get(key)
    ]
    return render(
        "checks.html", passed=checks["passed"], warnings=checks["warnings"], tables=tables
    )


def roi_section(
    table: pd.DataFrame,
    diagnostics: Diagnostics,
    contrib: pd.DataFrame | None = None,
    checks: dict | None = None,
) -> Section:
    """ROI table and chart, contributions over time when given, the per-fit checks when
    given, and a loud banner when the fit did not converge."""
    split = [
        c
        for c in table.columns
        if c.startswith("incremental_gmv_") and c[-3:] not in ("_lo", "_hi")
    ]
    diag = pd.DataFrame([diagnostics.to_dict()]).drop(columns=["reason"])
    body = render(
        "roi.html",
        diagnostics=diagnostics,
        checks=checks,
        window_start=table["window_start"].iloc[0],
        window_end=table["window_end"].iloc[0],
        table=table_html(table[ROI_COLUMNS + split]),
        roi_figure=figure_html(plot_roi(table), "ROI by channel"),
        contributions=(
            None
            if contrib is None
            else figure_html(plot_contributions(contrib), "contributions over time")
        ),
        checks_html="" if checks is None else checks_html(checks),
        diagnostics_table=table_html(diag, floatfmt="{:,.3f}"),
    )
    return Section("Incremental GMV and ROI by channel", body, anchor="roi")
