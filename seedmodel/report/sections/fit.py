"""The model-fit section of the report: actual against expected GMV, R² and MAPE."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from seedmodel.analysis.fitted import fit_quality
from seedmodel.report.canvas import LITERAL_TEXT, finish_panels, subplots
from seedmodel.report.html import Section, csv_link, figure_html, render, table_html
from seedmodel.report.i18n import UNIT_10K, headers, percent, platform_name, text

__all__ = ["fit_section", "plot_fitted"]


@matplotlib.rc_context(LITERAL_TEXT)
def plot_fitted(fitted: pd.DataFrame, lang: str = "en") -> Figure:
    """Weekly actual and expected GMV (with its band), one panel per brand x platform; weeks
    with a day outside the likelihood or at a partial edge are left out."""
    cells = list(dict.fromkeys(zip(fitted["brand"], fitted["platform"], strict=True)))
    ncol = min(2, len(cells))
    nrow = -(-len(cells) // ncol)
    fig, axes = subplots(nrow, ncol, figsize=(5.2 * ncol, 2.4 * nrow), squeeze=False)
    for ax, (brand, platform) in zip(axes.ravel(), cells, strict=False):
        g = fitted[(fitted["brand"] == brand) & (fitted["platform"] == platform)]
        weeks = g.set_index("date").resample("W-SUN")
        w = weeks[["actual", "fitted", "fitted_lo", "fitted_hi"]].sum()
        full = (weeks["observed"].sum() == 7) & (weeks.size() == 7)
        w = w[full.reindex(w.index, fill_value=False)] / 1e4
        ax.plot(w.index, w["actual"], color="0.55", lw=1, label=text("fig_actual", lang))
        ax.plot(w.index, w["fitted"], color="#4e79a7", lw=1.2, label=text("fig_fitted", lang))
        ax.fill_between(w.index, w["fitted_lo"], w["fitted_hi"], color="#4e79a7", alpha=0.2, lw=0)
        ax.set_title(f"{brand} · {platform_name(platform, lang)}", fontsize=9)
        ax.set_ylabel(f"GMV ({UNIT_10K[lang]})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25, lw=0.5)
    finish_panels(fig, axes, len(cells), ncol=2)
    return fig


def fit_section(
    fitted: pd.DataFrame,
    lang: str = "en",
    checks: dict | None = None,
    predictive: pd.DataFrame | None = None,
    elsewhere: str | None = None,
) -> Section:
    """Section from :func:`seedmodel.analysis.fitted.fitted_gmv` (and the checks' held-out
    forecast, and :func:`~seedmodel.analysis.fitted.predictive_coverage`, when given). With
    ``elsewhere``, the figure (a panel per brand and platform) and its daily data are left
    out and that note shown."""

    quality = fit_quality(fitted)
    if predictive is not None:
        quality = quality.merge(
            predictive[["brand", "platform", "ppc_coverage"]], on=["brand", "platform"], how="left"
        )
    shown = quality.copy()
    if "ppc_coverage" in shown:
        shown["ppc_coverage"] = [percent(v) for v in shown["ppc_coverage"]]
    for column in ("r2", "r2_weekly"):
        shown[column] = [f"{v:.2f}" for v in shown[column]]
    shown["mape"] = [percent(v) for v in shown["mape"]]
    shown["platform"] = [platform_name(p, lang) for p in shown["platform"]]
    oos = []
    for row in (checks or {}).get("forecast", []):
        oos.append(
            f"{row['brand']} · {platform_name(row['platform'], lang)}: "
            + text(
                "fitview_oos",
                lang,
                days=row["periods"],
                error=f"{row['error']:+.1%}",
                coverage=percent(row["coverage"]),
            )
        )
    body = render(
        "fit.html",
        lead=text("fitview_lead", lang),
        table=table_html(headers(shown, lang), download=csv_link(quality, "fit_quality.csv", lang)),
        figure=None
        if elsewhere
        else figure_html(plot_fitted(fitted, lang), text("fitview_title", lang)),
        download=None if elsewhere else csv_link(fitted, "fitted_gmv.csv", lang),
        elsewhere=elsewhere,
        oos=oos,
    )
    return Section(text("fitview_title", lang), body, anchor="fit")
