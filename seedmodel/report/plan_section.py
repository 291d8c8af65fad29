"""The budget-plan section of the report: recommended vs current split, how sure the model is
that it does better, response curves and the budget frontier."""

from __future__ import annotations

import html

import pandas as pd

from seedmodel.plan.allocate import PLAN_COLUMNS, Allocation
from seedmodel.report.html import Section, figure_html, table_html
from seedmodel.report.plan_plots import plot_allocation, plot_frontier, plot_response_curves

__all__ = ["plan_section"]


def plan_section(
    plan: Allocation,
    curves: pd.DataFrame,
    front: pd.DataFrame | None = None,
    *,
    converged: bool = True,
) -> Section:
    """Section for a plan from :func:`seedmodel.allocate` with its response curves and,
    optionally, a frontier from :func:`seedmodel.frontier`."""
    s = plan.summary
    banner = (
        ""
        if converged
        else (
            '<p class="warn"><b>The fit behind this plan did NOT converge.</b> '
            "Do not act on it as it stands.</p>"
        )
    )
    what = "gross profit" if s["quantity"] == "gross_profit" else "GMV"
    lead = (
        f"<p>Next {s['days']} days, budget ¥{s['budget']:,.0f} "
        f"(objective: {html.escape(s['objective'])} of incremental {what}). "
        f"The recommended split is expected to add ¥{s['recommended_incremental_gmv']:,.0f} "
        f"(90% interval ¥{s['recommended_incremental_gmv_lo']:,.0f} – "
        f"¥{s['recommended_incremental_gmv_hi']:,.0f}); carrying on as in the last "
        f"{s['days']} days (¥{s['current_spend']:,.0f}) is expected to add "
        f"¥{s['current_incremental_gmv']:,.0f}. The posterior probability that the "
        f"recommendation returns more than the current plan is "
        f"<b>{s['prob_better']:.0%}</b>. Live 红猫 / 红京 cells spend at least ¥5,000 a day "
        "(the programme rule); a cell below that is switched off, not rounded.</p>"
    )
    shown = plan.table[[*PLAN_COLUMNS, "current_mroi", "recommended_mroi"]].rename(
        columns=lambda c: c.replace("expected_incremental_gmv", "inc_gmv")
    )
    body = (
        banner
        + lead
        + table_html(shown)
        + figure_html(plot_allocation(plan.table), "current and recommended spend")
        + "<h3>Response curves</h3><p>Expected incremental GMV over the horizon against each "
        "channel's spend (others unchanged), 90% band; circle = current spend, star = "
        "recommended. Where a curve flattens below the dotted ROI = 1 line's slope, the next "
        "yuan returns less than a yuan.</p>"
        + figure_html(plot_response_curves(curves, plan.table), "response curves")
    )
    if front is not None and len(front):
        body += (
            "<h3>Budget frontier</h3><p>The best plan's expected incremental GMV at each "
            "total budget.</p>"
            + figure_html(
                plot_frontier(front, (s["current_spend"], s["current_incremental_gmv"])),
                "budget frontier",
            )
            + table_html(front)
        )
    return Section("Next quarter's budget", body, anchor="plan")
