"""The budget-plan section of the report: recommended vs current split, how sure the model is
that it does better, response curves and the budget frontier."""

from __future__ import annotations

import pandas as pd

from seedmodel.plan.allocate import PLAN_COLUMNS, Allocation
from seedmodel.report.html import Section, figure_html, render, table_html
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
    shown = plan.table[[*PLAN_COLUMNS, "current_mroi", "recommended_mroi"]].rename(
        columns=lambda c: c.replace("expected_incremental_gmv", "inc_gmv")
    )
    has_front = front is not None and len(front) > 0
    body = render(
        "plan.html",
        s=s,
        converged=converged,
        what="gross profit" if s["quantity"] == "gross_profit" else "GMV",
        table=table_html(shown),
        allocation=figure_html(plot_allocation(plan.table), "current and recommended spend"),
        curves=figure_html(plot_response_curves(curves, plan.table), "response curves"),
        frontier=(
            figure_html(
                plot_frontier(front, (s["current_spend"], s["current_incremental_gmv"])),
                "budget frontier",
            )
            if has_front
            else None
        ),
        frontier_table=table_html(front) if has_front else None,
    )
    return Section("Next quarter's budget", body, anchor="plan")
