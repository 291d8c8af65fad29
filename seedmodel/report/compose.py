"""What goes into a report, decided once for the library and the command line.

:func:`fit_report` builds the strategy report of a fitted model: summary, ROI, attribution,
contributions, checks, the plan it is given (or one it makes for a budget), the data
overview and the engagement -> GMV analysis. :func:`data_report` builds the data-only report.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seedmodel.schema import Dataset

__all__ = [
    "REPORT_METRICS",
    "check_fonts",
    "data_report",
    "fit_report",
    "fit_tables",
    "plan_from_table",
    "portfolio_report",
    "report_plan",
]

#: Engagement metrics the report's engagement -> GMV section analyses.
REPORT_METRICS = ("reads", "collects", "clicks", "interactions")
#: Budgets of the frontier, as multiples of the plan's budget.
FRONTIER = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


def _link_result(
    data: Dataset, seed: int, note: Callable[[str], None] | None, lang: str, workers: int = 1
):
    from seedmodel.linkage import link
    from seedmodel.linkage.analysis import MIN_PERIODS
    from seedmodel.report.i18n import text

    if len(data.dates) < MIN_PERIODS[data.freq]:
        if note is not None:
            note(text("link_missing", lang, n=len(data.dates), need=MIN_PERIODS[data.freq]))
        return None
    if "reads" not in data.media and "collects" not in data.media:
        return None
    return link(data, metrics=REPORT_METRICS, outcomes=("gmv",), random_seed=seed, workers=workers)


def _has_cjk(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def check_fonts(data: Dataset, lang: str, note: Callable[[str], None] | None) -> bool:
    """Whether the figures can draw the report's Chinese (``lang="zh"`` or a Chinese brand);
    says what to install through ``note`` when they cannot."""
    from seedmodel.report.canvas import installed_cjk_fonts

    needed = lang == "zh" or any(_has_cjk(b) for b in data.brand_names)
    if not needed or installed_cjk_fonts():
        return True
    if note is not None:
        note(
            "no Chinese font is installed, so Chinese in the figures is drawn as boxes (the "
            "text of the page is fine): install one, e.g. apt-get install fonts-noto-cjk"
        )
    return False


def data_report(
    data: Dataset,
    *,
    source: str = "",
    lang: str = "en",
    seed: int = 0,
    note: Callable[[str], None] | None = None,
) -> str:
    """The data-only report (overview, quality, engagement -> GMV) as HTML.

    ``note`` receives a line for each part left out (data too short for the link analysis).
    """
    from seedmodel.report import build_report

    check_fonts(data, lang, note)
    link = _link_result(data, seed, note, lang)
    return build_report(data, source=source, link=link, lang=lang)


def _plan_response(fit, days: int):
    """The plan response of one fit, or one across a portfolio's group fits."""
    from seedmodel.plan import plan_response

    if isinstance(fit, list | tuple):
        from seedmodel.portfolio.plan import portfolio_plan_response

        return portfolio_plan_response(fit, days)
    return plan_response(fit, days)


#: The objective of the plan a report (and ``seedmodel run`` / ``optimize``) recommends: move
#: from today's split only as far as the posterior's worst 10% of draws still gain. Judged by
#: the true response on 60 family worlds, plans for the posterior mean did worse than today's
#: split in 26 (worst -39%), these in 8 (worst -8%), and gained more in all (docs/planning.md).
PLAN_OBJECTIVE = "gain_cvar"


def report_plan(fit, *, budget: float | None = None, days: int = 90, **constraints: Any):
    """The plan a report shows: :func:`seedmodel.allocate` for ``budget`` over ``days``
    (default budget: what the last ``days`` of data spent; objective :data:`PLAN_OBJECTIVE`
    unless ``constraints`` name one), its response curves, a budget frontier (the best
    expected GMV at each budget) and, with link channels under the programme's minimum
    daily spend, the expected GMV of the same plan without that rule (``rule``). ``None``
    when nothing was spent and no budget is given.

    ``fit`` is a Fit, or a list of a portfolio's group fits planned with one budget.
    """
    from seedmodel.plan import allocate, frontier, response_curves
    from seedmodel.plan.allocation import PROGRAMME_MIN_DAILY_SPEND

    resp = _plan_response(fit, days)
    if budget is None:
        budget = float(resp.current.sum() * resp.periods)
        if budget <= 0:
            return None
    constraints = {"objective": PLAN_OBJECTIVE} | constraints
    plan = allocate(resp, budget, **constraints)
    # the frontier has no constraints and the mean objective: the plan is one of its points
    # only then
    alike = constraints == {"objective": "mean"}
    out = {
        "plan": plan,
        "curves": response_curves(resp),
        "front": frontier(resp, budget * np.array(FRONTIER), made=[plan] if alike else []),
    }
    if resp.link_channels and "min_daily_spend" not in constraints:
        # what the programme's minimum daily spend costs: the best expected GMV with and
        # without it (the mean objective: a plan that stops short of the best, as gain_cvar's
        # may, could come out either side of the rule)
        best = constraints | {"objective": "mean"}
        with_rule = plan if best == constraints else allocate(resp, budget, **best)
        free = allocate(resp, budget, **best, min_daily_spend={})
        key = "recommended_incremental_gmv"
        out["rule"] = {
            "channels": resp.link_channels,
            "minimum": PROGRAMME_MIN_DAILY_SPEND,
            "with": float(with_rule.summary[key]),
            "without": float(free.summary[key]),
        }
    return out


#: How far a plan read back from plan.csv may add up over its budget: twice the rounding
#: of six significant digits per spend.
PLAN_ROUNDING = 1e-5


def plan_table(table: pd.DataFrame) -> tuple[dict[tuple[str, str], float], int, float]:
    """The cells, days and budget of a ``plan.csv`` written by ``seedmodel optimize``,
    checked before any fit is loaded.

    Returns
    -------
    fixed : dict
        (brand, channel) -> recommended spend in CNY.
    days : int
        The plan's days.
    budget : float
        The budget it was made within.

    Raises
    ------
    ArgumentError
        A column is missing; a brand x channel appears twice; a spend, ``days`` or
        ``budget`` is not a number, negative (a spend) or not positive (``days``,
        ``budget``); ``days`` or ``budget`` differ between rows; or the spends add up to
        more over the budget than six significant digits can round (:data:`PLAN_ROUNDING`).
    """
    from seedmodel.schema.errors import ArgumentError

    need = ["brand", "channel", "recommended_spend", "days", "budget"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ArgumentError(
            f"plan.csv: column {missing[0]!r} is missing (write it with seedmodel optimize)"
        )
    if table.empty:
        raise ArgumentError("plan.csv: it has no rows (write it with seedmodel optimize)")

    def where(rows: np.ndarray, column: str) -> str:  # the first row flagged in ``rows``
        row = int(np.argmax(rows))
        return (
            f"plan.csv: row {row + 1} ({table['brand'].iloc[row]!s} x "
            f"{table['channel'].iloc[row]!s}), column {column!r}"
        )

    twice = table.duplicated(["brand", "channel"]).to_numpy()
    if twice.any():
        raise ArgumentError(f"{where(twice, 'channel')}: the same cell appears twice")
    numbers = {c: pd.to_numeric(table[c], errors="coerce") for c in need[2:]}
    for column, values in numbers.items():
        bad = ~np.isfinite(values.to_numpy(dtype=float))
        if bad.any():
            raw = table[column].iloc[int(np.argmax(bad))]
            what = "is empty" if pd.isna(raw) else f"{str(raw)!r} is not a number"
            raise ArgumentError(f"{where(bad, column)} {what}")
        if values.nunique() > 1 and column != "recommended_spend":
            raise ArgumentError(f"plan.csv: column {column!r} differs between rows (one plan)")
    spend, days, budget = (numbers[c] for c in need[2:])
    if (spend < 0).any():
        raise ArgumentError(f"{where((spend < 0).to_numpy(), 'recommended_spend')} is negative")
    d, b = float(days.iloc[0]), float(budget.iloc[0])
    if d < 1 or d != round(d):
        raise ArgumentError(f"plan.csv: column 'days' must be a whole number >= 1, got {d:g}")
    if b <= 0:
        raise ArgumentError(f"plan.csv: column 'budget' must be above 0, got {b:g}")
    # plan.csv holds six significant digits (%.6g): each spend is rounded by up to 5 parts
    # in 10^6, so the spends may add up to that much over the budget they were planned
    # within. That, and no more, is still the plan.
    spent = float(spend.sum())
    if spent > b * (1 + PLAN_ROUNDING):
        raise ArgumentError(
            f"plan.csv: the recommended spends add up to {spent:,.0f}, over its budget "
            f"{b:,.0f}: not a plan made within it (write it with seedmodel optimize)"
        )
    fixed = {
        (str(br), str(ch)): float(v)
        for br, ch, v in zip(table["brand"], table["channel"], spend, strict=True)
    }
    return fixed, int(d), b


def plan_from_table(fit, table: pd.DataFrame) -> dict:
    """The plan of a ``plan.csv`` written by ``seedmodel optimize``, re-evaluated on ``fit``
    (a Fit, or a list of a portfolio's group fits): every cell fixed at its recommended
    spend, over the file's ``days``, within its ``budget``.

    Raises
    ------
    ArgumentError
        The table is not a plan (:func:`plan_table`), or names a brand or channel the fit
        does not have.
    """
    from seedmodel.plan.arguments import check_cells

    fixed, days, budget = plan_table(table)
    fits = fit if isinstance(fit, list | tuple) else [fit]
    brands = [b for f in fits for b in f.inputs.brands]
    channels = list(dict.fromkeys(c for f in fits for c in f.inputs.channels))
    check_cells("plan.csv", fixed, brands, channels)  # a cell the fit lacks, named as the file's
    within = max(budget, sum(fixed.values()))  # at most PLAN_ROUNDING over: plan_table
    # every cell is fixed: the plan is evaluated, not chosen (no objective to report)
    out = report_plan(
        fit, budget=within, days=days, fixed=fixed, min_daily_spend={}, objective="mean"
    )
    out["plan"].summary["budget"] = budget  # the page shows the budget the plan was made for
    return out


def fit_report(
    fit,
    *,
    roi_table: pd.DataFrame | None = None,
    checks: dict | None = None,
    plan: dict | None = None,
    budget: float | None = None,
    days: int = 90,
    source: str = "",
    lang: str = "en",
    seed: int = 0,
    note: Callable[[str], None] | None = None,
) -> str:
    """The strategy report of a fitted model as HTML.

    Parameters
    ----------
    fit : Fit
        The fitted SeedingMMM.
    roi_table : DataFrame, optional
        Its :func:`seedmodel.roi` over the whole data, when the caller has it already.
    checks : dict, optional
        Its per-fit checks (``checks.json``).
    plan : dict, optional
        :func:`report_plan` or :func:`plan_from_table`; default: ``report_plan(fit,
        budget=budget, days=days)``.
    budget, days :
        For the default plan.
    source, lang, seed, note :
        As for :func:`data_report`.
    """
    from seedmodel.analysis import roi
    from seedmodel.report import build_report

    if plan is None:
        plan = report_plan(fit, budget=budget, days=days) or {}
    check_fonts(fit.data, lang, note)
    link = _link_result(fit.data, seed, note, lang)
    return build_report(
        fit.data,
        source=source,
        link=link,
        roi_table=roi(fit) if roi_table is None else roi_table,
        diagnostics=fit.diagnostics,
        checks=checks,
        echo_channels=echo_channels(fit),
        brand_spreads=fit.brand_spreads,
        simulated=simulated_rows([fit]),
        lang=lang,
        **fit_tables(fit),
        **plan,
    )


def simulated_rows(fits) -> pd.DataFrame | None:
    """How often the default model's 90% ROI intervals held the truth on the simulated world
    family (:func:`seedmodel.analysis.simulated_coverage.coverage_for`), for these fits (one,
    or a portfolio's groups) by their largest number of brands, with ``lifts`` (whether the
    data hold lift tests: the family was fitted without); None where the rates were not
    measured for them (a model other than the default)."""
    from seedmodel.analysis.simulated_coverage import coverage_for

    if not fits:
        return None
    first = fits[0]
    if any(f.spec.to_dict() != first.spec.to_dict() for f in fits[1:]):
        return None
    rows = coverage_for(
        first.spec,
        max(len(f.inputs.brands) for f in fits),
        list(first.inputs.channels),
        first.data.link_channels,
    )
    return None if rows.empty else rows.assign(lifts=any(f.inputs.lifts for f in fits))


def echo_channels(fit) -> list[str]:
    """The seeding channels (no link to a store) whose ROI rests on the fit's organic notes
    measuring demand alone: the latent demand state measured by organic notes, with
    ``organic_echo="none"``. Where those notes echo the campaigns, the channels' ROI is too
    low (docs/mmm.md, *Nineteenth look*)."""
    inp, spec = fit.inputs, fit.spec
    if inp.organic is None or spec.demand != "latent" or spec.organic_echo != "none":
        return []
    return [c for c, linked in zip(inp.channels, inp.linked, strict=True) if not linked]


def fit_tables(fit) -> dict[str, pd.DataFrame]:
    """What the report shows of a fit beyond its ROI, as :func:`build_report`'s arguments:
    weekly contributions, fitted GMV, its predictive check and the attribution windows'
    arrival shares (computed once per fit: :func:`seedmodel.analysis.memo.once`)."""
    from seedmodel.analysis import contributions
    from seedmodel.analysis.attribution import arrival_shares
    from seedmodel.analysis.fitted import expected_gmv_draws, fitted_gmv, predictive_coverage
    from seedmodel.analysis.memo import once

    def make() -> dict[str, pd.DataFrame]:
        expected = expected_gmv_draws(fit)  # once, for the fit view and its predictive check
        return {
            "contrib": contributions(fit, freq="W"),
            "fitted": fitted_gmv(fit, mu=expected),
            "predictive": predictive_coverage(fit, mu=expected),
            "arrival": arrival_shares(fit),
        }

    # once per fit: a notebook's second report of the same fit (another language, another
    # plan) reads the same tables
    return {name: table.copy() for name, table in once(fit, ("fit_tables",), make).items()}


def portfolio_report(
    portfolio,
    *,
    plan: dict | None = None,
    budget: float | None = None,
    days: int = 90,
    source: str = "",
    lang: str = "en",
    seed: int = 0,
    note: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> str:
    """The strategy report of a portfolio fitted group by group, as HTML: one summary and
    one plan (one budget) across every brand, a section per brand, and the groups' fits
    (which failed, which did not converge) in a section of their own.

    With more than :data:`seedmodel.report.html.MANY_BRANDS` brands (a page of 50 brands'
    panels is neither readable nor quick), the figures drawn brand by brand
    (data over time, model fit, contributions, response curves, lag profiles) are left to
    each group's own report (``seedmodel report FOLDER/groups/NAME``), which the page says
    where they would be; every table stays.

    Parameters
    ----------
    portfolio : SavedPortfolio
        :func:`seedmodel.portfolio.load_portfolio` of a folder written by ``seedmodel fit
        --by``.
    plan : dict, optional
        :func:`report_plan` or :func:`plan_from_table` of ``portfolio.fits``; default:
        ``report_plan(portfolio.fits, budget=budget, days=days)``.
    budget, days, source, lang, seed, note :
        As for :func:`fit_report`.
    workers : int, optional
        Processes for the engagement -> GMV analysis, brands side by side (the same table
        for any number). Default: one per core, at most 4, with more than
        :data:`~seedmodel.report.html.MANY_BRANDS` brands; else 1.
    """
    from seedmodel.report import build_report
    from seedmodel.report import html as page_html
    from seedmodel.report.i18n import text

    fits = portfolio.fits
    if plan is None:
        plan = report_plan(fits, budget=budget, days=days) or {}
    data = portfolio.data
    n = len(data.brand_names)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if n > page_html.MANY_BRANDS else 1
    check_fonts(data, lang, note)
    link = _link_result(data, seed, note, lang, workers)
    parts = [fit_tables(f) for f in fits]
    tables = {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in parts[0]}
    elsewhere = None
    if n > page_html.MANY_BRANDS:
        folders = Path(portfolio.folder) / "groups"
        elsewhere = text("figures_elsewhere", lang, n=n, folder=str(folders))
    return build_report(
        data,
        source=source,
        link=link,
        roi_table=portfolio.roi(),
        diagnostics=portfolio.diagnostics,
        checks=portfolio.checks,
        groups=portfolio.groups_table(),
        elsewhere=elsewhere,
        echo_channels=sorted({c for f in fits for c in echo_channels(f)}),
        simulated=simulated_rows(fits),
        brand_warnings={
            brand: text("brand_not_converged", lang, group=g.group)
            for g in portfolio.groups
            if g.fit is not None and not g.fit.diagnostics.converged
            for brand in g.brands
        },
        lang=lang,
        **tables,
        **plan,
    )
