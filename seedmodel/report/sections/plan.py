"""The budget-plan section of the report: recommended vs current split, how sure the model is
that it does better, response curves and the budget frontier."""

from __future__ import annotations

import pandas as pd

from seedmodel.plan.allocation import Allocation
from seedmodel.report.html import Section, csv_link, figure_html, render, table_html
from seedmodel.report.i18n import (
    cell_name,
    channel_name,
    money,
    money_interval,
    percent,
    ratio,
    text,
)
from seedmodel.report.plan_plots import plot_allocation, plot_frontier, plot_response_curves

__all__ = ["plan_section", "readable_frontier", "readable_plan"]


def _expected(table: pd.DataFrame, lang: str) -> list[str]:
    """Expected incremental GMV with its interval, per row, for reading."""
    columns = [f"expected_incremental_gmv{s}" for s in ("", "_lo", "_hi")]
    return [money_interval(*row, lang) for row in table[columns].itertuples(index=False)]


def readable_plan(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The plan table for reading: programme names, money in 万元 / ¥k, the change, the
    expected incremental GMV with its interval, mROI now and after."""
    return pd.DataFrame(
        {
            text("col_brand", lang): table["brand"],
            text("col_channel", lang): [channel_name(c, lang) for c in table["channel"]],
            text("col_current_spend", lang): [money(v, lang) for v in table["current_spend"]],
            text("col_recommended_spend", lang): [
                money(v, lang) for v in table["recommended_spend"]
            ],
            text("col_change", lang): [
                ("+" if d > 0 else "") + money(d, lang)
                for d in table["recommended_spend"] - table["current_spend"]
            ],
            text("col_expected", lang): _expected(table, lang),
            text("col_current_mroi", lang): [ratio(v) for v in table["current_mroi"]],
            text("col_recommended_mroi", lang): [ratio(v) for v in table["recommended_mroi"]],
        }
    )


def readable_frontier(front: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The budget frontier for reading: money in 万元 / ¥k, ROI to 0.01, probabilities in %."""
    out = pd.DataFrame(
        {
            text("col_budget", lang): [money(v, lang) for v in front["budget"]],
            text("col_expected", lang): _expected(front, lang),
        }
    )
    for column in ("roi", "marginal_roi"):
        if column in front:
            out[text(f"col_{column}_plain", lang)] = [ratio(v) for v in front[column]]
    if "prob_better" in front:
        out[text("col_prob_better", lang)] = [percent(v) for v in front["prob_better"]]
    return out


def _moved_line(s: dict, what: str, alpha: str, lang: str) -> str | None:
    """How far a ``gain_cvar`` plan moved from today's split towards the mean optimum, and
    what that optimum promised (``alpha``: the tail share, as shown); None for the other
    objectives."""
    if "moved" not in s:
        return None
    moved = s["moved"]
    key = "plan_moved_none" if moved <= 0 else "plan_moved_all" if moved >= 1 else "plan_moved_part"
    return text(
        key,
        lang,
        what=what,
        alpha=alpha,
        moved=percent(moved),
        best_gain=money(s["mean_optimum_gain"], lang),
        best_prob=percent(s["mean_optimum_prob_better"]),
    )


def plan_section(
    plan: Allocation,
    curves: pd.DataFrame,
    front: pd.DataFrame | None = None,
    *,
    converged: bool = True,
    lang: str = "en",
    rule: dict | None = None,
    elsewhere: str | None = None,
) -> Section:
    """Section for a plan from :func:`seedmodel.allocate` with its response curves and,
    optionally, a frontier from :func:`seedmodel.frontier` and what the programme's minimum
    daily spend costs (``rule`` of :func:`seedmodel.report.compose.report_plan`). With
    ``elsewhere``, the curves' figure (a panel per brand) is left out and that note shown."""

    s = plan.summary
    what = text("what_profit" if s["quantity"] == "gross_profit" else "what_gmv", lang)
    alpha = ""
    if s["objective"] == "mean":
        objective = text("objective_mean", lang)
    elif s["objective"].startswith("gain_cvar"):
        alpha = percent(float(s["objective"].removeprefix("gain_cvar")))
        objective = text("objective_gain_cvar", lang, alpha=alpha)
    else:
        objective = text("objective_cvar", lang, alpha=s["objective"].removeprefix("cvar"))
    has_front = front is not None and len(front) > 0
    body = render(
        "plan.html",
        converged=converged,
        not_converged=text("plan_not_converged", lang),
        # a plan that kept today's split beats it in no draw: no "probability <1%" for it
        lead=text(
            "plan_lead_kept" if s.get("moved") == 0 else "plan_lead",
            lang,
            days=s["days"],
            budget=money(s["budget"], lang),
            objective=objective,
            what=what,
            rec=money(s["recommended_incremental_gmv"], lang),
            rec_lo=money(s["recommended_incremental_gmv_lo"], lang),
            rec_hi=money(s["recommended_incremental_gmv_hi"], lang),
            current_spend=money(s["current_spend"], lang),
            cur=money(s["current_incremental_gmv"], lang),
            prob=percent(s["prob_better"]),
        ),
        moved=_moved_line(s, what, alpha, lang),
        rule=None if rule is None else _rule_line(rule, lang),
        rule_off=_rule_off_line(plan, lang),
        table=table_html(
            readable_plan(plan.table, lang), download=csv_link(plan.table, "plan.csv", lang)
        ),
        allocation=figure_html(plot_allocation(plan.table, lang), text("plan_title", lang)),
        curves_title=text("curves_title", lang),
        curves_lead=text("curves_lead", lang),
        curves=None
        if elsewhere
        else figure_html(
            plot_response_curves(curves, plan.table, lang), text("curves_title", lang)
        ),
        elsewhere=elsewhere,
        curves_download=csv_link(curves, "response_curves.csv", lang),
        frontier_title=text("frontier_title", lang),
        frontier_lead=text("frontier_lead", lang),
        frontier=(
            figure_html(
                plot_frontier(front, (s["current_spend"], s["current_incremental_gmv"]), lang),
                text("frontier_title", lang),
            )
            if has_front
            else None
        ),
        frontier_table=table_html(
            readable_frontier(front, lang), download=csv_link(front, "frontier.csv", lang)
        )
        if has_front
        else None,
    )
    return Section(text("plan_title", lang), body, anchor="plan")


def _rule_off_line(plan: Allocation, lang: str) -> str | None:
    """The cells a programme minimum keeps off although their first yuan would return more
    than the next yuan of the cells the plan set freely (``recommended_mroi`` at zero
    spend), each with what its minimum would return a yuan (``min_spend_roi``). Said only
    of a plan at the highest expected GMV, where the reason is the minimum (a ``gain_cvar``
    plan that stopped short may leave a cell off for its risk); None when there are none."""
    table = plan.table
    if plan.summary.get("moved", 1.0) < 1.0:
        return None
    spend = table["recommended_spend"]
    live = table.loc[plan.freely_set(), "recommended_mroi"].dropna()
    if live.empty:
        return None
    off = table[
        (spend <= 0)
        & (table["min_spend"] > 0)
        & table["min_spend_roi"].notna()
        & (table["recommended_mroi"] > live.max())
    ]
    if off.empty:
        return None
    cells = [
        text(
            "rule_off_cell",
            lang,
            cell=cell_name(r.brand, r.channel, lang),
            first=ratio(r.recommended_mroi),
            minimum=money(r.min_spend, lang),
            roi=ratio(r.min_spend_roi),
        )
        for r in off.itertuples(index=False)
    ]
    spread = ratio(live.min()) + "–" + ratio(live.max())
    return text("rule_off", lang, live_mroi=spread, cells=text("list_semicolon", lang).join(cells))


def _rule_line(rule: dict, lang: str) -> str:
    """What the link programmes' minimum daily spend costs this plan, in expected GMV."""
    channels = text("list_and", lang).join(channel_name(c, lang) for c in rule["channels"])
    cost = rule["without"] - rule["with"]
    minimum = money(rule["minimum"], lang)
    if abs(cost) < 0.005 * max(abs(rule["with"]), 1.0):
        return text("rule_free", lang, channels=channels, minimum=minimum)
    return text(
        "rule_cost",
        lang,
        channels=channels,
        minimum=minimum,
        cost=money(cost, lang),
        without=money(rule["without"], lang),
        plan=money(rule["with"], lang),
    )
