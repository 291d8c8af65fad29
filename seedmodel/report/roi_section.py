"""The channel-effect section of the report: ROI with intervals and the fit's diagnostics."""

from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from seedmodel.analysis.roi import ROI_COLUMNS
from seedmodel.inference.diagnostics import Diagnostics
from seedmodel.report.html import Section, figure_html, table_html

__all__ = ["plot_contributions", "plot_roi", "roi_section"]


def plot_roi(table: pd.DataFrame) -> Figure:
    """ROI per brand x channel with its interval (one row each)."""
    rows = table.iloc[::-1]
    labels = [f"{b} · {c}" for b, c in zip(rows["brand"], rows["channel"], strict=True)]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(rows) + 1.2), constrained_layout=True)
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


def plot_contributions(contrib: pd.DataFrame) -> Figure:
    """Each channel's contribution over time (all platforms), one panel per brand."""
    brands = list(dict.fromkeys(contrib["brand"]))
    fig, axes = plt.subplots(
        len(brands), 1, figsize=(8, 2.4 * len(brands)), squeeze=False, constrained_layout=True
    )
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


def checks_html(checks: dict) -> str:
    """The per-fit checks: a warning per failed check, then their tables."""
    if checks["passed"]:
        head = '<p class="muted">All checks passed.</p>'
    else:
        items = "".join(f"<li>{html.escape(w)}</li>" for w in checks["warnings"])
        head = f'<div class="warn"><b>Checks that failed</b><ul>{items}</ul></div>'
    parts = [
        (
            "Placebo channel (a real channel's spend shifted by months: its ROI should reach "
            "0, or at least stay at its prior)",
            "placebo",
        ),
        ("Forecast of the held-out last periods (GMV in CNY; coverage nominal 90%)", "forecast"),
        ("Each channel's share of GMV, prior and posterior", "shares"),
    ]
    body = "".join(
        f"<p>{html.escape(title)}</p>" + table_html(_readable(pd.DataFrame(checks[key])))
        for title, key in parts
        if checks.get(key)
    )
    return '<h3 id="roi-checks">Checks</h3>' + head + body


def roi_section(
    table: pd.DataFrame,
    diagnostics: Diagnostics,
    contrib: pd.DataFrame | None = None,
    checks: dict | None = None,
) -> Section:
    """ROI table and chart, contributions over time when given, the per-fit checks when
    given, and a loud banner when the fit did not converge."""
    d = diagnostics
    banner = (
        ""
        if d.converged
        else (
            '<p class="warn"><b>This fit did NOT converge</b> '
            f"({html.escape(d.reason)}). The numbers below are not to be trusted as they stand: "
            "refit with more draws or chains.</p>"
        )
    )
    if checks is not None and not checks["passed"]:
        banner += (
            f'<p class="warn"><b>{len(checks["warnings"])} of the per-fit checks failed</b> '
            "(placebo channel, held-out forecast, shares of GMV): read the ROI below with "
            'the <a href="#roi-checks">checks</a> in mind.</p>'
        )
    split = [
        c
        for c in table.columns
        if c.startswith("incremental_gmv_") and c[-3:] not in ("_lo", "_hi")
    ]
    shown = table[ROI_COLUMNS + split]
    diag = pd.DataFrame([d.to_dict()]).drop(columns=["reason"])
    body = (
        banner
        + "<p>Incremental GMV over all platforms caused by each channel's spend in the window "
        f"({table['window_start'].iloc[0]} .. {table['window_end'].iloc[0]}), carryover "
        "included, from the Bayesian MMM (posterior means and 90% intervals). ROI is GMV per "
        "yuan; mROI is what the next yuan returns.</p>"
        + table_html(shown)
        + figure_html(plot_roi(table), "ROI by channel")
        + (
            ""
            if contrib is None
            else "<h3>Contributions over time</h3><p>GMV each channel adds per week, all "
            "platforms (posterior mean).</p>"
            + figure_html(plot_contributions(contrib), "contributions over time")
        )
        + ("" if checks is None else checks_html(checks))
        + "<h3>Fit diagnostics</h3>"
        + table_html(diag, floatfmt="{:,.3f}")
    )
    return Section("Incremental GMV and ROI by channel", body, anchor="roi")
