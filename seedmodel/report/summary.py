"""The report's first screen: a few plain sentences per brand, each number taken from a table.

Every number is written as ``<span class="n" data-src=... data-row=... data-col=...
data-value=...>`` naming the file and cell it comes from (``roi.csv``, ``plan.csv``, the
attribution feed, or the plan's summary), so a reader, or a test, can check it against the
tables below.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from markupsafe import Markup

from seedmodel.inference.diagnostics import Diagnostics
from seedmodel.report import html as page_html
from seedmodel.report.html import render, table_html
from seedmodel.report.i18n import (
    catalogue,
    cell_name,
    channel_name,
    listed,
    money,
    percent,
    ratio,
    ratio_interval,
    reason_text,
    text,
)

if TYPE_CHECKING:
    from seedmodel.plan.allocation import Allocation

__all__ = [
    "WIDE",
    "BrandSummary",
    "SummaryParts",
    "across_brands_table",
    "numbers",
    "render_summary",
    "summary_parts",
]

#: An interval whose high end is this many times its low end is too wide to act on.
WIDE = 4.0
#: An interval widened by at least this factor (``roi_widening``) is named.
WIDENED = 1.25
#: Live cells whose mROI after the plan differ by less than this factor are "balanced".
BALANCED = 1.1
#: A recommended change below this share of a brand's current spend is not called a move.
MOVE_SHARE = 0.05
#: Each reason a ROI interval was widened: its sentence's key and roi.csv's factor for it
#: (:func:`seedmodel.roi`), in the order the sentences appear and ties are settled.
WIDENING_REASONS = {
    "widened": "roi_widening_months",
    "widened_prior": "roi_widening_prior",
    "widened_brands": "roi_widening_brands",
    "widened_ridge": "roi_widening_ridge",
}


@dataclass
class BrandSummary:
    """The sentences of one brand (or of the portfolio), as Markup."""

    name: str
    lines: list[Markup] = field(default_factory=list)


def _num(shown: str, src: str, row: str, col: str, value: float) -> Markup:
    """A number in a sentence, labelled with the table cell it comes from."""
    return Markup(
        '<span class="n" data-src="{}" data-row="{}" data-col="{}" data-value="{}">{}</span>'
    ).format(src, row, col, repr(float(value)), shown)


def _roi_line(r: pd.Series, lang: str) -> list[Markup]:
    row = f"{r['brand']}|{r['channel']}"
    name = channel_name(r["channel"], lang)
    fields = {
        "channel": name,
        "roi": _num(ratio(r["roi"]), "roi.csv", row, "roi", r["roi"]),
        "lo": _num(ratio(r["roi_lo"]), "roi.csv", row, "roi_lo", r["roi_lo"]),
        "hi": _num(ratio(r["roi_hi"]), "roi.csv", row, "roi_hi", r["roi_hi"]),
        "prob": _num(
            percent(r["prob_roi_above_1"]),
            "roi.csv",
            row,
            "prob_roi_above_1",
            r["prob_roi_above_1"],
        ),
    }
    key = "pays" if r["roi_lo"] > 1 else "does_not_pay" if r["roi_hi"] < 1 else "unclear"
    lines = [_sentence(key, lang, fields)]
    if r["roi_lo"] > 0 and r["roi_hi"] / r["roi_lo"] >= WIDE:
        factor = r["roi_hi"] / r["roi_lo"]
        lines.append(_sentence("too_wide", lang, {"channel": name, "factor": f"{factor:.0f}"}))
    return lines


def _widened_lines(rows: pd.DataFrame, lang: str) -> list[Markup]:
    """The brand's channels whose ROI interval was widened at least ``WIDENED`` times
    (``roi_widening``), with their factors, in one sentence per reason: a few months carry
    the ROI (``roi_widening_months``), the data say little and the prior's centre decides
    (``roi_widening_prior``), the other brands of a pooled fit carry it
    (``roi_widening_brands``), or the channel cannot be told from the baseline and takes
    more than its prior's share (``roi_widening_ridge``), whichever adds most; none when
    no interval was."""
    if "roi_widening" not in rows:
        return []
    reasons: dict[str, list[Markup]] = {key: [] for key in WIDENING_REASONS}
    for _, r in rows[rows["roi_widening"] >= WIDENED].iterrows():
        row, value = f"{r['brand']}|{r['channel']}", r["roi_widening"]
        factor = _num(f"{value:.1f}", "roi.csv", row, "roi_widening", value)
        name = channel_name(r["channel"], lang)
        # a roi.csv without the parts: the months' reason (the first), as before
        parts = {
            key: r.get(column, value if key == "widened" else 1.0)
            for key, column in WIDENING_REASONS.items()
        }
        key = max(parts, key=lambda k: parts[k])  # ties: the months, as before
        reasons[key].append(_sentence("widened_cell", lang, {"channel": name, "factor": factor}))
    lines = []
    for key, cells in reasons.items():
        if cells:
            lines.append(_sentence(key, lang, {"cells": listed(cells, lang)}))
    return lines


def _sentence(key: str, lang: str, fields: dict) -> Markup:
    """The text ``key`` with ``fields`` filled in; fields are escaped unless Markup."""
    return Markup.escape(catalogue()[key][lang]).format(**fields)


def _placebo_line(t: dict, lang: str) -> Markup:
    """A failed placebo check on this channel's pattern (numbers from checks.json)."""
    row = f"{t['brand']}|{t['placebo_of']}"
    return _sentence(
        "placebo_failed",
        lang,
        {
            "channel": channel_name(t["placebo_of"], lang),
            **{
                key: _num(ratio(t[col]), "checks.json", row, f"placebo_{col}", t[col])
                for key, col in (("roi", "roi"), ("lo", "roi_lo"), ("hi", "roi_hi"))
            },
        },
    )


def _attribution_line(cell: pd.DataFrame, lang: str) -> Markup | None:
    """One channel's attributed vs incremental GMV (summed over platforms)."""
    attributed = float(cell["attributed_gmv"].sum())
    if attributed <= 0:
        return None
    inc = {s: float(cell[f"incremental_gmv{s}"].sum()) for s in ("", "_lo", "_hi")}
    brand, channel = cell["brand"].iloc[0], cell["channel"].iloc[0]
    row = f"{brand}|{channel}"
    return _sentence(
        "attribution",
        lang,
        {
            "channel": channel_name(channel, lang),
            "attributed": _num(
                money(attributed, lang), "attribution", row, "attributed_gmv", attributed
            ),
            "incremental": _num(
                money(inc[""], lang), "attribution", row, "incremental_gmv", inc[""]
            ),
            "factor": _num(
                ratio(inc[""] / attributed),
                "attribution",
                row,
                "incrementality",
                inc[""] / attributed,
            ),
            "lo": _num(
                ratio(inc["_lo"] / attributed),
                "attribution",
                row,
                "incrementality_lo",
                inc["_lo"] / attributed,
            ),
            "hi": _num(
                ratio(inc["_hi"] / attributed),
                "attribution",
                row,
                "incrementality_hi",
                inc["_hi"] / attributed,
            ),
        },
    )


def _spend_changes(plan_rows: pd.DataFrame) -> tuple[pd.Series, float]:
    """Each of a brand's cells' recommended minus current spend, and the smallest change
    called a move (:data:`MOVE_SHARE` of the brand's current spend)."""
    change = plan_rows["recommended_spend"] - plan_rows["current_spend"]
    return change, MOVE_SHARE * max(float(plan_rows["current_spend"].sum()), 1e-9)


def _move_line(plan_rows: pd.DataFrame, lang: str) -> Markup:
    """The brand's largest cut paired with its largest increase, or the one of them there
    is; "keep" when no cell changes by more than :data:`MOVE_SHARE` of the brand's spend.

    When most of the cut leaves the brand (or most of the increase comes from other brands),
    the sentence says the larger change too: "move the smaller amount" alone would hide it.
    """
    change, floor = _spend_changes(plan_rows)
    if change.abs().max() < floor:
        return _sentence("keep", lang, {})
    cut, add = change.idxmin(), change.idxmax()
    brand = plan_rows.loc[cut, "brand"]

    def cell(i) -> str:
        return f"{brand}|{plan_rows.loc[i, 'channel']}"

    def amount(value: float, row: str, col: str) -> Markup:
        return _num(money(value, lang), "plan.csv", row, col, value)

    fields: dict[str, Markup | str] = {}
    if change[cut] < 0 and change[add] > 0:
        moved = float(min(-change[cut], change[add]))
        pair = f"{brand}|{plan_rows.loc[cut, 'channel']}>{plan_rows.loc[add, 'channel']}"
        fields["amount"] = amount(moved, pair, "moved")
        key = "move"
        if -change[cut] > 2 * change[add]:
            key, fields["cut"] = "move_out", amount(float(-change[cut]), cell(cut), "cut")
        elif change[add] > 2 * -change[cut]:
            key, fields["added"] = "move_in", amount(float(change[add]), cell(add), "added")
    elif change[add] > 0:
        key, fields["amount"] = "move_add", amount(float(change[add]), cell(add), "moved")
    else:
        key, fields["amount"] = "move_cut", amount(float(-change[cut]), cell(cut), "moved")
    for role, i in (("source", cut), ("target", add)):
        if "{" + role + "}" in catalogue()[key][lang]:
            fields[role] = channel_name(plan_rows.loc[i, "channel"], lang)
    return _sentence(key, lang, fields)


def _next_yuan_line(plan: Allocation, lang: str) -> Markup | None:
    """Across brands and channels: where the next yuan earns most and least after the
    recommended split (the cells the plan set freely, their mROI in plan.csv), and which
    live cells the programme minimum holds where the next yuan earns less."""
    table = plan.table
    live = table[table["recommended_spend"] > 0].dropna(subset=["recommended_mroi"])
    free = live[plan.freely_set().loc[live.index]]
    pool = free if len(free) >= 2 else live
    if len(pool) < 2:
        return None
    best = pool.loc[pool["recommended_mroi"].idxmax()]
    worst = pool.loc[pool["recommended_mroi"].idxmin()]

    def name(r) -> str:
        return cell_name(r.brand, r.channel, lang)

    def mroi(r) -> Markup:
        value = r.recommended_mroi
        return _num(ratio(value), "plan.csv", f"{r.brand}|{r.channel}", "recommended_mroi", value)

    # at an optimum the freely set cells' marginal returns are about equal: say so, not "most"
    balanced = best["recommended_mroi"] <= BALANCED * worst["recommended_mroi"]
    fields = {"best": name(best), "best_mroi": mroi(best), "worst": name(worst)}
    line = _sentence(
        "next_yuan_balanced" if balanced else "next_yuan",
        lang,
        fields | {"worst_mroi": mroi(worst)},
    )
    # live cells held at their programme minimum, where the next yuan earns less than in
    # any freely set cell: the plan keeps them on because the minimum as a whole pays
    held = live.drop(pool.index)
    held = held[
        (held["min_spend"] > 0)
        & (held["recommended_spend"] <= held["min_spend"] * (1 + 1e-6))
        & (held["recommended_mroi"] < worst["recommended_mroi"])
    ]
    if held.empty:
        return line
    cells = Markup(text("list_semicolon", lang)).join(
        _sentence("next_yuan_floor_cell", lang, {"cell": name(r), "mroi": mroi(r)})
        for r in held.itertuples()
    )
    return Markup(text("sentence_gap", lang)).join(
        [line, _sentence("next_yuan_floor", lang, {"cells": cells})]
    )


def _across_brands_lines(roi_table: pd.DataFrame, lang: str) -> list[Markup]:
    """Per channel run by two brands or more: in how many it pays, and its lowest and
    highest ROI with the brands they belong to (cells of roi.csv)."""
    lines = []
    live = roi_table[roi_table["spend"] > 0]
    for channel, rows in live.groupby("channel", sort=False):
        if rows["brand"].nunique() < 2:
            continue
        low, high = rows.loc[rows["roi"].idxmin()], rows.loc[rows["roi"].idxmax()]

        def cell(r: pd.Series) -> Markup:
            row = f"{r['brand']}|{r['channel']}"
            return _num(ratio(r["roi"]), "roi.csv", row, "roi", r["roi"])

        lines.append(
            _sentence(
                "across_brands",
                lang,
                {
                    "channel": channel_name(str(channel), lang),
                    "k": str(int((rows["roi_lo"] > 1).sum())),
                    "n": str(len(rows)),
                    "low": cell(low),
                    "low_brand": str(low["brand"]),
                    "high": cell(high),
                    "high_brand": str(high["brand"]),
                },
            )
        )
    return lines


def across_brands_table(roi_table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Channel x brand: ROI with its 90% interval as text, for reading across brands
    (channels by their programme names; an empty cell: the brand does not run it). With
    more than :data:`seedmodel.report.html.MANY_BRANDS` brands, brand x channel: a row per
    brand."""
    live = roi_table[roi_table["spend"] > 0]
    shown = live.assign(
        value=[ratio_interval(r.roi, r.roi_lo, r.roi_hi) for r in live.itertuples()],
        name=[channel_name(c, lang) for c in live["channel"]],
    )
    brands = list(dict.fromkeys(live["brand"]))
    if len(brands) > page_html.MANY_BRANDS:
        tall = shown.pivot_table("value", "brand", "name", aggfunc="first", sort=False)
        tall = tall.reindex(index=brands, columns=list(dict.fromkeys(shown["name"])))
        tall.columns.name = None
        return tall.reset_index().rename(columns={"brand": text("col_brand", lang)}).fillna("")
    wide = shown.pivot_table("value", "name", "brand", aggfunc="first", sort=False)
    wide = wide.reindex(columns=brands)
    wide.columns.name = None  # no header row or column for the brand axis itself
    return wide.reset_index().rename(columns={"name": text("col_channel", lang)}).fillna("")


@dataclass
class SummaryParts:
    """The summary's pieces: warnings to say first, the portfolio's sentences, each brand's."""

    warnings: list[Markup]
    portfolio: BrandSummary
    brands: list[BrandSummary]


def summary_parts(
    roi_table: pd.DataFrame,
    diagnostics: Diagnostics,
    lang: str,
    *,
    link_channels: tuple[str, ...],
    checks: dict | None = None,
    attribution: pd.DataFrame | None = None,
    plan=None,
) -> SummaryParts:
    """The summary's sentences: warnings first, then the portfolio, then each brand.

    Parameters
    ----------
    roi_table : DataFrame
        :func:`seedmodel.roi` (with ``prob_roi_above_1``).
    diagnostics : Diagnostics
        The fit's; a fit that did not converge is said first.
    lang : {"en", "zh"}
    link_channels : tuple of str
        The channels whose notes link to a store (:attr:`seedmodel.Dataset.link_channels`,
        the model's own rule); the others are seeding channels.
    checks : dict, optional
        The per-fit checks (``FitChecks.to_dict``); failed ones are counted, the channels
        that trade off with the baseline named, and a channel whose lift tests the fit
        agrees with told what a test settles and what it does not.
    attribution : DataFrame, optional
        :func:`seedmodel.analysis.attribution.reconcile_attribution`.
    plan : Allocation, optional
        The plan shown in the report.
    """
    warnings: list[Markup] = []
    if not diagnostics.converged:
        warnings.append(
            _sentence("not_converged_first", lang, {"reason": reason_text(diagnostics, lang)})
        )
    if checks and not checks.get("passed", True):
        warnings.append(_sentence("checks_failed", lang, {"n": str(len(checks["warnings"]))}))
    placebos = {
        (t["brand"], t["placebo_of"]): t
        for t in (checks or {}).get("placebo", [])
        if not t.get("passed", True)
    }
    flagged = {
        (t["brand"], t["channel"])
        for t in (checks or {}).get("tradeoff", [])
        if not t.get("passed", True)
    }
    # channels whose lift tests all agree with the fit (a failed one is a warning of its
    # own): what a test settles and what it does not, said with the latest test's dates
    tested: dict[tuple, list[dict]] = {}
    for t in (checks or {}).get("lifts", []):
        tested.setdefault((t["brand"], t["channel"]), []).append(t)
    agreed = {
        key: max(tests, key=lambda t: t["end"])
        for key, tests in tested.items()
        if all(t.get("passed", False) for t in tests)
    }
    portfolio = BrandSummary(text("portfolio", lang))
    if plan is not None:
        portfolio.lines.append(_plan_line(plan.summary, lang))
        line = _next_yuan_line(plan, lang)
        if line is not None:
            portfolio.lines.append(line)
    portfolio.lines += _across_brands_lines(roi_table, lang)
    brands = []
    for brand, rows in roi_table.groupby("brand", sort=False):
        entry = BrandSummary(str(brand))
        rows = rows[rows["spend"] > 0].sort_values("roi", ascending=False)
        for _, r in rows.iterrows():
            # one bullet per channel: whether it pays, what stands in the way of acting on
            # it, and how the platforms' attribution compares
            parts = _roi_line(r, lang)
            if (brand, r["channel"]) in placebos:
                parts.append(_placebo_line(placebos[(brand, r["channel"])], lang))
            if (brand, r["channel"]) in flagged:
                parts.append(
                    _sentence("tradeoff", lang, {"channel": channel_name(r["channel"], lang)})
                )
            if (brand, r["channel"]) in agreed:
                test = agreed[(brand, r["channel"])]
                fields = {"channel": channel_name(r["channel"], lang)}
                fields |= {"start": test["start"], "end": test["end"]}
                # measured on the seeding channel (long lags, no link to a store)
                seeding = r["channel"] not in link_channels
                key = "lift_agreed_seeding" if seeding else "lift_agreed"
                parts.append(_sentence(key, lang, fields))
            if attribution is not None and not attribution.empty:
                cell = attribution[
                    (attribution["brand"] == brand) & (attribution["channel"] == r["channel"])
                ]
                line = None if cell.empty else _attribution_line(cell, lang)
                if line is not None:
                    parts.append(line)
            entry.lines.append(Markup(text("sentence_gap", lang)).join(parts))
        entry.lines.extend(_widened_lines(rows, lang))
        if plan is not None:
            plan_rows = plan.table[plan.table["brand"] == brand].reset_index(drop=True)
            entry.lines.append(_move_line(plan_rows, lang))
            entry.lines.extend(_ridge_caution(plan_rows, rows, lang))
        brands.append(entry)
    return SummaryParts(warnings, portfolio, brands)


def _ridge_caution(plan_rows: pd.DataFrame, rows: pd.DataFrame, lang: str) -> list[Markup]:
    """A caution when the plan adds money to a channel whose ROI interval the ridge with
    the baseline widened at least ``WIDENED`` times (``roi_widening_ridge``): the plan reads
    the posterior, whose ROI for such a channel may be too high."""
    if "roi_widening_ridge" not in rows or plan_rows.empty:
        return []
    change, floor = _spend_changes(plan_rows)
    added = set(plan_rows.loc[change > floor, "channel"])
    ridged = rows[(rows["roi_widening_ridge"] >= WIDENED) & rows["channel"].isin(added)]
    return [
        _sentence("move_ridge", lang, {"channel": channel_name(r["channel"], lang)})
        for _, r in ridged.iterrows()
    ]


def _plan_line(s: dict, lang: str) -> Markup:
    """The plan's expected gain over today's split, with its interval and probability; or,
    when a ``gain_cvar`` plan kept today's split, that, with what the mean optimum promised."""
    cash = partial(money, lang=lang)

    def num(col: str, shown) -> Markup:  # a number of the plan's summary, labelled with its key
        return _num(shown(s[col]), "plan", "*", col, s[col])

    kept = s.get("moved") == 0
    fields = {"days": str(s["days"]), "budget": num("budget", cash)}
    if kept:
        fields |= {
            "best_gain": num("mean_optimum_gain", cash),
            "best_prob": num("mean_optimum_prob_better", percent),
        }
    else:
        fields |= {
            "gain": num("gain", cash),
            "lo": num("gain_lo", cash),
            "hi": num("gain_hi", cash),
            "prob": num("prob_better", percent),
        }
    return _sentence("plan_gain_kept" if kept else "plan_gain", lang, fields)


def render_summary(
    parts: SummaryParts, roi_table: pd.DataFrame, lang: str, *, brands: bool = True
) -> Markup:
    """HTML of :func:`summary_parts`; with several brands, a channel x brand table of ROI
    under the portfolio's sentences. ``brands=False`` leaves the brands' sentences to a
    section each (:func:`seedmodel.report.sections.brand.brand_sections`)."""
    across = None
    if roi_table["brand"].nunique() > 1:
        across = table_html(across_brands_table(roi_table, lang))
    return render(
        "summary.html",
        warnings=parts.warnings,
        lead=text("summary_lead", lang),
        portfolio=parts.portfolio if parts.portfolio.lines else None,
        across=across,
        brands=parts.brands if brands else [],
    )


def numbers(page: str) -> list[dict]:
    """Every labelled number of a rendered page: src, row, col, value and the text shown.

    For tests and for readers who want to trace a sentence to its table.
    """
    pattern = re.compile(
        r'<span class="n" data-src="([^"]*)" data-row="([^"]*)" data-col="([^"]*)" '
        r'data-value="([^"]*)">([^<]*)</span>'
    )
    return [
        {
            "src": html.unescape(m[0]),
            "row": html.unescape(m[1]),
            "col": m[2],
            "value": float(m[3]) if m[3] not in ("nan", "inf", "-inf") else np.nan,
            "shown": html.unescape(m[4]),
        }
        for m in pattern.findall(page)
    ]
