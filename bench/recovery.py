"""ROI recovery of SeedingMMM over simulator worlds and seeds (issue 4's acceptance).

Each world x seed: simulate, fit, compare ``roi()`` with the simulator's true ROI, and with
the platforms' attribution feed (attributed GMV / spend). Prints one row per fit and a
summary, and writes every cell to JSON.

    python bench/recovery.py                              # 3 worlds x 5 seeds, 1000 draws
    python bench/recovery.py --worlds strong_buzz --seeds 1 2 --variants latent control
    python bench/recovery.py --lift                       # + a lift test on one channel
    python bench/recovery.py --family 30 --stress         # 30 drawn worlds + the stress worlds

``--family N`` fits worlds 0..N-1 of :func:`seedmodel.sim.family.family_world` (mechanisms
drawn from wide ranges, one brand each) and ``--stress`` the named worlds of
:data:`seedmodel.sim.family.STRESS_WORLDS`; the summary then has a table by mechanism and
by channel, and counts confidently wrong cells (the 90% interval misses the truth by a factor
of 2 or more). Cells whose true ROI is 0 (a null channel) are scored apart: their interval
should reach down to about 0. ``--family-brands B`` draws each family world with B brands,
which the default model pools (each channel's effect and half-saturation get a mean across
brands and a learnt spread); ``--per-brand`` fits each brand of a world alone instead, on the
same data, so that the two can be compared cell by cell. ``--fitted-checks`` adds to every cell
the per-fit checks that need no refit (:func:`seedmodel.analysis.checks.fitted_checks`: the
channel's share of GMV against its prior, its trade-off with the baseline level) and
``flagged`` when either fails, so that flagged and unflagged cells can be scored apart.

Variants change the model, not the world: ``latent`` (default spec), ``control``
(organic as a plain regressor), ``iid`` (independent residuals), ``geometric``
(every channel with geometric adstock, a mismatch for Weibull seeding lags), ``engagement``
(seeding notes respond to reads, link notes to link clicks, instead of spend),
``impressions`` (every channel responds to its impressions: what a yuan buys, net of CPM).

``--plan`` also plans the next 90 days from each fit at today's budget (:data:`PLANS`: for
the posterior mean and as ``seedmodel run`` does, each free and within ±50% of today) and
judges each plan by the world's true response (:func:`seedmodel.sim.plan_truth.judge_plan`,
never the model): its true incremental GMV against today's split and against the true
optimum, and the share of the possible gain it captures. ``--keep-responses DIR`` pickles
each fit's plan response, which ``bench/replan.py`` judges again without refitting.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

import seedmodel as sm
from seedmodel.analysis.checks import fitted_checks, lift_agreement
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.models.mmm.spec import LINK_MEDIA, SEEDING_MEDIA, MediaSpec, SeedingMMM
from seedmodel.sim.family import STRESS_WORLDS, FamilyWorld, family_world, stress_world
from seedmodel.sim.plan_truth import judge_plan
from seedmodel.sim.truth import scored_cells
from seedmodel.sim.worlds import RECOVERY_WORLDS as WORLDS
from seedmodel.sim.worlds import recovery_world as world_config
from seedmodel.transforms.components import HillSlopeSaturation, PriorSpec, register


@register
class _HillSlopeWide(HillSlopeSaturation):
    """A Hill slope per channel with the range practitioners give it (Robyn's 0.5-3):
    log-normal around 1.2, 90% within 0.53-2.7 (measured as a variant, 2026-12-05)."""

    name = "hill_slope_wide"

    def priors(self, period_days: int) -> dict[str, PriorSpec]:
        return {"slope": PriorSpec("LogNormal", mu=float(np.log(1.2)), sigma=0.5)}


#: The family's pinned rows keep the options of their day: terms_scale="baseline" is the
#: form before 2026-12-03 (docs/mmm.md, "Fourth look").
_OLD = dict(terms_scale="baseline")

VARIANTS = {
    "latent": SeedingMMM(),
    # 2026-12-03 (eighth session): one coefficient per festival phase for 618 and Double 11
    "festivals_shared": SeedingMMM(festivals="shared"),
    # 2026-12-04 (ninth session): no 618 / Double 11 terms at all (a measurement switch)
    "festivals_none": SeedingMMM(festivals="none"),
    # 2026-12-04 (eleventh session): 小红星's JD effect centred on JD's size, not on 0
    "halo_store": SeedingMMM(halo="store_size"),
    # the family's rows in docs/recovery_family.md (the default from 2026-12-02 to 12-03 is
    # "reaction"; "quadratic" is the default before it)
    "quadratic": SeedingMMM(trend="quadratic", budget_reaction="none", **_OLD),
    "smooth": SeedingMMM(trend="smooth", budget_reaction="none", **_OLD),
    "wideprior": SeedingMMM(
        trend="smooth", budget_reaction="none", effect_prior=(0.01, 1.5), **_OLD
    ),
    "reaction": SeedingMMM(trend="smooth", budget_reaction="control", **_OLD),
    # 2026-12-03: weekly demand shocks in the baseline, with and without the budget-reaction
    # control (docs/mmm.md, "Third look")
    "shocks": SeedingMMM(shocks="weekly", **_OLD),
    "shocks_noreact": SeedingMMM(shocks="weekly", budget_reaction="none", **_OLD),
    # 2026-12-03: the baseline's terms measured against expected GMV (the default since),
    # without the budget-reaction control
    "gmv_noreact": SeedingMMM(budget_reaction="none"),
    # 2026-12-03: wider effect priors (a channel's effect at typical spend as a share of
    # GMV), measured on the family once the prior-volume effect was gone
    "prior10": SeedingMMM(effect_prior=(0.05, 1.0)),
    "prior125": SeedingMMM(effect_prior=(0.04, 1.25)),
    "trend45": SeedingMMM(trend_knot_days=45),
    "student": SeedingMMM(noise="student_t"),
    "pooled_effects": SeedingMMM(effect_pooling="channels"),
    "control": SeedingMMM(demand="control"),
    # 2026-12-05 (twenty-fifth session): no demand term at all (a measurement switch)
    "demand_none": SeedingMMM(demand="none"),
    "iid": SeedingMMM(residual="iid"),
    "knots14": SeedingMMM(knot_days=14),
    "engagement": SeedingMMM(engagement=True),
    "geometric": SeedingMMM(media={"little_red_star": MediaSpec("geometric", "hill", 60)}),
    # 2026-12-03 (sixth session): a Hill slope per channel on every channel (the family
    # draws slopes 0.5-3; the default's Hill has slope 1)
    "hill_slope": SeedingMMM(
        media={
            "little_red_star": replace(SEEDING_MEDIA, saturation="hill_slope"),
            "red_cat": replace(LINK_MEDIA, saturation="hill_slope"),
            "red_jd": replace(LINK_MEDIA, saturation="hill_slope"),
        }
    ),
    # 2026-12-05 (twenty-fifth session): a learnt Hill slope on 小红星 only, with a prior as
    # wide as the slopes practitioners allow (the link channels keep Hill)
    "seeding_slope": SeedingMMM(
        media={"little_red_star": replace(SEEDING_MEDIA, saturation="hill_slope_wide")}
    ),
    # 2026-12-03 (sixth session): the budget-reaction control also over the week before
    # and after each day (budgets set ahead of demand, or after it)
    "reaction_lags": SeedingMMM(budget_reaction="control_lags"),
    # 2026-12-04 (thirteenth session): the planned level's deviation from a two-month level
    # as a second control (budgets that chase demand move the fortnight's plan too)
    # (the default since; "reaction_day" is the default before it)
    "reaction_scales": SeedingMMM(budget_reaction="control_scales"),
    "reaction_day": SeedingMMM(budget_reaction="control"),
    # 2026-12-04 (fifteenth session): each channel's effect prior centred in proportion to
    # its share of the budget (effect_centre="spend")
    "spend_centre": SeedingMMM(effect_centre="spend"),
    "between_centre": SeedingMMM(effect_centre="between"),
    # 2026-12-04 (fourteenth session): the baseline level's prior twice as wide (log sd 0.4:
    # media between about 0 and half of GMV, instead of 0.2)
    "intercept_wide": SeedingMMM(priors={"intercept": PriorSpec("Normal", mu=-0.1, sigma=0.4)}),
    # 2026-12-05 (eighteenth session): the half-saturation's prior 2.5 times as wide (log sd
    # 1.0 instead of 0.4), so that the curve's bend, which sets mROI against ROI, is not
    # fixed by the prior (the default since: the same model as "latent"; "half_narrow" is
    # the default before it)
    # organic notes may echo the paid notes (the state is what they show beyond the echo)
    # (measured 2026-12-05 as "echo_rates"; "echo" was the echo terms alone, commit 86a718e)
    "echo": SeedingMMM(organic_echo="paid"),
    "half_wide": SeedingMMM(priors={"log_half": PriorSpec("Normal", mu=0.0, sigma=1.0)}),
    "half_narrow": SeedingMMM(priors={"log_half": PriorSpec("Normal", mu=0.0, sigma=0.4)}),
    # the brands' effects as offsets whatever the data's length (two-brand family worlds
    # diverged centred, 2026-12-06)
    "noncentred": SeedingMMM(effects="noncentred"),
    # 2026-12-06 (thirty-first session): the brands' spreads fixed at their priors' root
    # mean square (no funnel to diverge in)
    "spread_fixed": SeedingMMM(brand_spreads="fixed"),
    # the effects' spread alone fixed (the half-saturations', sampled as offsets, learnt)
    "effect_spread_fixed": SeedingMMM(brand_spreads="effect"),
    # a measure of the shocks budgets chase, from the budgets (docs/mmm.md, "Twenty-seventh
    # look")
    "budget_factor": SeedingMMM(shocks="budget_factor"),
    "link_budget_factor": SeedingMMM(shocks="link_budget_factor"),
    # the organic signal's fast part (off the demand state's spline) as a control too
    "demand_fast": SeedingMMM(demand_fast="control"),  # the default since 2026-12-07
    "no_demand_fast": SeedingMMM(demand_fast="none"),  # the default before it
    # 2026-12-03 (sixth session): a lift test informs its window's effect, not two years'
    # (lift_transport=0.3 is the default since; lift_t0 is the form before it)
    "lift_t30": SeedingMMM(lift_transport=0.3),
    "lift_t0": SeedingMMM(lift_transport=0.0),
    "impressions": SeedingMMM(
        media={
            "little_red_star": replace(SEEDING_MEDIA, input="impressions"),
            "red_cat": replace(LINK_MEDIA, input="impressions"),
            "red_jd": replace(LINK_MEDIA, input="impressions"),
        }
    ),
}


def cells(sim: sm.Simulation, fit: sm.Fit) -> pd.DataFrame:
    """roi() with the truth and the attribution feed's ROI beside it, scored on ROI and mROI
    (:func:`score`)."""
    table = sm.roi(fit)
    attr = sim.data.attribution.groupby(["brand", "channel"])["attributed_gmv"].sum()
    spend = sim.data.media.groupby(["brand", "channel"])["spend"].sum()
    table["attribution_roi"] = [
        attr[(r.brand, r.channel)] / spend[(r.brand, r.channel)] for r in table.itertuples()
    ]
    return score(table, sim.truth)


def score(table: pd.DataFrame, truth: dict) -> pd.DataFrame:
    """``table`` scored against ``truth`` on ROI and mROI
    (:func:`seedmodel.sim.truth.scored_cells`), and the attribution feed's error where the
    table has its ROI."""
    out = scored_cells(table, truth)
    if "attribution_roi" in out:
        true = out["true_roi"].where(out["true_roi"] > 0)
        out["attr_rel_err"] = (out["attribution_roi"] - true).abs() / true
    return out


def fit_table(
    sim: sm.Simulation,
    fit: sm.Fit,
    labels: dict,
    mechs: dict[str, str],
    *,
    fitted_checks: bool = False,
    resampling_blocks: Sequence[int] = (),
    prior_centres: bool = False,
) -> pd.DataFrame:
    """One fit's scored cells (:func:`cells`) labelled with ``labels`` (world, seed, variant,
    lift) and its mechanism groups, with the columns ``--fitted-checks``,
    ``--resampling-blocks`` and ``--prior-centres`` ask for."""
    table = cells(sim, fit).assign(**labels, **{f"mech_{k}": v for k, v in mechs.items()})
    if fitted_checks:
        table = table.merge(check_columns(fit), on=["brand", "channel"], how="left")
    for days in resampling_blocks:
        for prior in (False, True) if prior_centres else (False,):
            table = table.merge(
                resampling_columns(fit, days, prior), on=["brand", "channel"], how="left"
            )
    return table


def table_options(args: argparse.Namespace) -> dict:
    """The options of :func:`fit_table` a command line asked for (``--fitted-checks``,
    ``--resampling-blocks``, ``--prior-centres``)."""
    return dict(
        fitted_checks=args.fitted_checks,
        resampling_blocks=args.resampling_blocks,
        prior_centres=args.prior_centres,
    )


def check_columns(fit: sm.Fit) -> pd.DataFrame:
    """Per brand x channel, the fit's no-refit checks (:func:`fitted_checks`): its share of
    GMV and the prior's 90% range, the trade-off correlation, and ``flagged`` when either
    check fails."""
    shares, tradeoff = fitted_checks(fit)
    out = shares[
        ["brand", "channel", "share", "prior_share_lo", "prior_share_hi", "outside_prior"]
    ].merge(
        tradeoff.rename(columns={"corr": "tradeoff_corr", "passed": "tradeoff_passed"}),
        on=["brand", "channel"],
    )
    out["flagged"] = out["outside_prior"] | ~out["tradeoff_passed"]
    return out


def resampling_columns(fit: sm.Fit, days: int, prior_centres: bool = False) -> pd.DataFrame:
    """Per brand x channel, the ROI and mROI intervals widened by the block jackknife with
    blocks of ``days`` days (``roi(fit, resampling=True)``), and the widening factors:
    columns suffixed ``_b{days}``; with ``prior_centres``, widened also by the prior
    centres' sensitivity (``roi(fit, prior_centres=True)``), suffixed ``_b{days}p``."""
    out = sm.roi(fit, resampling=True, block_days=days, prior_centres=prior_centres)
    names = {
        "roi_lo": "roi_lo_widened",
        "roi_hi": "roi_hi_widened",
        "mroi_lo": "mroi_lo_widened",
        "mroi_hi": "mroi_hi_widened",
        "roi_widening": "widening",
        "mroi_widening": "mroi_widening",
    }
    out = out[["brand", "channel", *names]]
    suffix = f"_b{days}p" if prior_centres else f"_b{days}"
    return out.rename(columns={k: f"{v}{suffix}" for k, v in names.items()})


def _fitted_units(datasets: dict, per_brand: bool):
    """(lift label, data, brands) of each fit of a world: the whole dataset, or with
    ``per_brand`` each brand's own data, fitted alone (no pooling across brands)."""
    for lift_name, data in datasets.items():
        brands = list(data.brand_names)
        if per_brand and len(brands) > 1:
            for b in brands:
                yield lift_name, data.select_brands([b]), [b]
        else:
            yield lift_name, data, brands


def by_group(cells: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Error, coverage, width and confidently wrong cells per group (cells with a true ROI
    above 0)."""
    scored = cells[cells["true_roi"] > 0]
    return (
        scored.groupby(keys)
        .agg(
            cells=("rel_err", "size"),
            median_rel_err=("rel_err", "median"),
            median_signed_err=("signed_err", "median"),
            coverage=("covered", "mean"),
            median_width=("width", "median"),
            confidently_wrong=("confidently_wrong", "sum"),
            attr_median_rel_err=("attr_rel_err", "median"),
            **_mroi_columns(scored),
        )
        .round(3)
    )


def _mroi_columns(cells: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """by_group's mROI columns, where the cells were scored on mROI (results written
    before 2026-12-05 were not: ``bench/rescore.py`` adds it)."""
    if "mroi_rel_err" not in cells:
        return {}
    return dict(
        mroi_median_rel_err=("mroi_rel_err", "median"),
        mroi_median_signed_err=("mroi_signed_err", "median"),
        mroi_coverage=("mroi_covered", "mean"),
        mroi_median_width=("mroi_width", "median"),
        mroi_confidently_wrong=("mroi_confidently_wrong", "sum"),
    )


def mechanism_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per cell and mechanism (columns ``mechanism`` and ``group``) from the
    ``mech_*`` columns of family cells; empty when there are none."""
    mech_cols = [c for c in cells.columns if c.startswith("mech_")]
    long = cells.melt(
        id_vars=[c for c in cells.columns if c not in mech_cols],
        value_vars=mech_cols,
        var_name="mechanism",
        value_name="group",
    ).dropna(subset=["group"])
    long["mechanism"] = long["mechanism"].str.removeprefix("mech_")
    return long


def media_totals(cells: pd.DataFrame) -> pd.DataFrame:
    """All paid media together, per variant: the error of each world's summed incremental GMV
    (its channels' estimates against their true incremental GMV, true ROI x spend), then the
    median over worlds. Beside the per-channel error it separates "how much media earned"
    from "which channel earned it". Point estimates only: the cells hold no joint draws."""
    est = cells.assign(true_gmv=cells["true_roi"] * cells["spend"])
    worlds = est.groupby(["variant", "world", "brand"])[["incremental_gmv", "true_gmv"]].sum()
    err = worlds["incremental_gmv"] / worlds["true_gmv"] - 1.0
    return (
        pd.DataFrame({"rel_err": err.abs(), "signed_err": err})
        .groupby("variant")
        .agg(
            worlds=("rel_err", "size"),
            median_rel_err=("rel_err", "median"),
            median_signed_err=("signed_err", "median"),
        )
        .round(3)
    )


def family_tables(cells: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The family's tables: by mechanism group and by channel, per variant, and all media
    together; with ``--fitted-checks``, by channel for flagged and unflagged cells apart."""
    long = mechanism_cells(cells)
    tables = {
        "by_mechanism": by_group(long, ["variant", "mechanism", "group"]),
        "by_channel": by_group(cells, ["variant", "channel"]),
        "overall": by_group(cells, ["variant"]),
        "media_total": media_totals(cells),
    }
    if "flagged" in cells:  # --fitted-checks
        tables["by_flag"] = by_group(cells, ["variant", "flagged", "channel"])
    return tables


#: Days of the plan ``--plan`` judges (the report's default horizon).
PLAN_DAYS = 90
#: The plans ``--plan`` judges, at today's budget: for the posterior mean (``allocate``'s
#: default) and for a gain the posterior is sure of (``gain_cvar``, the report's), each free
#: (the programme's ¥5,000-a-day rule only) and as a cautious manager would (every cell within
#: ±50% of today). The cautious ones drop the rule: family worlds spend below ¥5,000 a day on
#: some link channels, and ±50% cannot reach it there.
PLANS: dict[str, dict] = {
    "mean": {},
    "gain_cvar": {"objective": "gain_cvar"},
    "mean_within_50pct": {"max_change": 0.5, "min_daily_spend": {}},
    "gain_cvar_within_50pct": {"objective": "gain_cvar", "max_change": 0.5, "min_daily_spend": {}},
}


def plan_scores(world, resp) -> dict[str, dict[str, float]]:
    """A fit's plans (``resp``: its :func:`seedmodel.plan_response` over :data:`PLAN_DAYS`)
    at today's budget, one per :data:`PLANS`, judged by ``world``'s true response.

    Returns, per plan, the true incremental GMV of the plan and of the true optimum under
    the same constraints, each over today's split's (``recommended_vs_current``,
    ``optimum_vs_current``), the posterior's probability that the plan beats today's split
    and how far a ``gain_cvar`` plan moved; :func:`plan_table` summarises them.
    """
    budget = float(resp.current.sum() * resp.periods)
    out = {}
    for name, settings in PLANS.items():
        plan = sm.allocate(resp, budget, **settings)
        constraints = {k: v for k, v in settings.items() if k != "objective"}
        judged = judge_plan(world, plan, **constraints)
        out[name] = {k: judged[k] for k in ("recommended_vs_current", "optimum_vs_current")}
        out[name] |= {
            "prob_better": plan.summary["prob_better"],
            "moved": plan.summary.get("moved", 1.0),
        }
    return out


#: A plan that earns less than this share of today's split's true incremental GMV is "worse
#: than today" (0.1% below: closer is the same plan to the numbers' precision).
WORSE = 0.999


def plan_table(fits: list[dict]) -> pd.DataFrame:
    """Per variant and plan, over the fits: how many plans did worse than today's split, the
    worst and the mean true incremental GMV against today's, the median share of the best
    plan's, the share of the possible gain captured in all (the fits' gains over today's
    split summed, over the best plans' summed) and the median share of the way a
    ``gain_cvar`` plan moved.

    The best plan is the better of the allocator's on the true response and the fit's own
    (the allocator is exact on the truth's curves, S-shaped ones included, up to its grid).
    """
    rows = [
        {"variant": f["variant"], "plan": name, **scores}
        for f in fits
        for name, scores in f.get("plan", {}).items()
    ]
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows)
    rec = frame["recommended_vs_current"]
    frame["best"] = np.maximum(frame["optimum_vs_current"], rec)
    frame["share_of_best"] = rec / frame["best"]
    frame["gain"], frame["best_gain"] = rec - 1.0, frame["best"] - 1.0
    groups = frame.groupby(["variant", "plan"], sort=False)
    out = groups.agg(
        fits=("share_of_best", "size"),
        worse_than_today=("recommended_vs_current", lambda r: int((r < WORSE).sum())),
        worst_vs_today=("recommended_vs_current", "min"),
        mean_vs_today=("recommended_vs_current", "mean"),
        median_share_of_best=("share_of_best", "median"),
        median_moved=("moved", "median"),
    )
    out["gain_captured"] = groups["gain"].sum() / groups["best_gain"].sum()
    return out.round(3)


def without_lifts(sim: sm.Simulation) -> sm.Dataset:
    """The simulation's data without lift tests and without the attribution feed: the model
    sees neither (the feed only serves as the benchmark's naive comparison)."""
    return sim.data.replace(lift_tests=None, attribution=None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worlds", nargs="+", default=list(WORLDS), choices=list(WORLDS))
    ap.add_argument("--variants", nargs="+", default=["latent"], choices=list(VARIANTS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4, 5])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument(
        "--until-converged",
        action="store_true",
        help="sample each fit until converged (fit_mmm's default) instead of --draws",
    )
    ap.add_argument("--max-minutes", type=float, default=15.0, help="with --until-converged")
    ap.add_argument(
        "--target-accept", type=float, default=None, help="NUTS target (default: the fit's)"
    )
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--lift", action="store_true", help="fit with and without lift tests")
    ap.add_argument("--only-lift", action="store_true", help="fit with lift tests only")
    ap.add_argument(
        "--lift-channel",
        default=None,
        metavar="CHANNEL",
        help="give every world one lift test per brand on this channel (with --lift or "
        "--only-lift)",
    )
    ap.add_argument(
        "--lift-days",
        type=int,
        default=None,
        metavar="DAYS",
        help="lift tests this many days long (with --lift-channel; default the simulator's 28)",
    )
    ap.add_argument("--family", type=int, default=0, help="fit family worlds 0..N-1")
    ap.add_argument("--family-start", type=int, default=0, help="first family world")
    ap.add_argument(
        "--family-worlds",
        nargs="+",
        type=int,
        default=None,
        metavar="N",
        help="fit these family worlds (by number) instead of --family / --family-start",
    )
    ap.add_argument(
        "--family-brands",
        type=int,
        default=1,
        metavar="B",
        help="brands per family world (default 1; the pooled model is fitted from 2)",
    )
    ap.add_argument(
        "--per-brand",
        action="store_true",
        help="fit each brand of a world on its own (against the pooled fit of all of them)",
    )
    ap.add_argument(
        "--organic-echo",
        action="store_true",
        help="family worlds whose organic notes partly echo the seeding notes",
    )
    ap.add_argument(
        "--stress",
        nargs="*",
        default=None,
        choices=list(STRESS_WORLDS),
        metavar="NAME",
        help="fit the named stress worlds (all of them without names)",
    )
    ap.add_argument(
        "--plan", action="store_true", help="plan from each fit, judged by the true response"
    )
    ap.add_argument(
        "--keep-responses", default=None, help="with --plan: pickle each fit's plan response here"
    )
    ap.add_argument(
        "--fitted-checks",
        action="store_true",
        help="score each cell's no-refit checks (share of GMV, trade-off with the baseline)",
    )
    ap.add_argument(
        "--resampling-blocks",
        nargs="+",
        type=int,
        default=[],
        metavar="DAYS",
        help="also score each cell's ROI interval widened by the block jackknife "
        "(seedmodel.analysis.influence) with blocks of these many days",
    )
    ap.add_argument(
        "--prior-centres",
        action="store_true",
        help="with --resampling-blocks, also score the intervals widened by the prior "
        "centres' sensitivity too (seedmodel.analysis.prior_sensitivity)",
    )
    ap.add_argument(
        "--save-fits",
        default=None,
        metavar="DIR",
        help="write each fit here (Fit.save, <world>__<seed>__<variant>__<lift>.nc), to score "
        "other intervals on the same draws later without refitting",
    )
    ap.add_argument("--out", default="bench/results/recovery.json")
    args = ap.parse_args(argv)
    if args.per_brand and args.plan:
        ap.error("--plan judges a plan for the whole world; --per-brand fits one brand at a time")

    runs: list[tuple[str, int, object, dict[str, str]]] = []
    if args.family or args.family_worlds or args.stress is not None:
        numbers = args.family_worlds or range(args.family_start, args.family_start + args.family)
        named: list[FamilyWorld] = [
            family_world(i, n_brands=args.family_brands, organic_echo=args.organic_echo)
            for i in numbers
        ]
        if args.stress is not None:
            named += [stress_world(n) for n in args.stress or STRESS_WORLDS]
        runs = [(w.name, 1, w.config, w.mechanisms) for w in named]
    else:
        runs = [(w, s, world_config(w), {}) for w in args.worlds for s in args.seeds]

    rows, fits = [], []
    for world, seed, config, mechs in runs:
        if args.lift_channel:
            config = config.with_(lift_tests=True, lift_channels=(args.lift_channel,))
        if args.lift_days:
            config = config.with_(lift_days=args.lift_days)
        sim = sm.simulate(config, random_seed=seed)
        datasets = {} if args.only_lift else {"no_lift": without_lifts(sim)}
        if (args.lift or args.only_lift) and not sim.data.lift_tests.empty:
            datasets["lift"] = sim.data
        for variant in args.variants:
            for lift_name, data, fitted_brands in _fitted_units(datasets, args.per_brand):
                t = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", NotConvergedWarning)
                    fit = fit_mmm(
                        data,
                        VARIANTS[variant],
                        draws=None if args.until_converged else args.draws,
                        tune=args.tune,
                        max_minutes=args.max_minutes,
                        chains=args.chains,
                        random_seed=seed,
                        target_accept=args.target_accept,
                    )
                seconds = time.perf_counter() - t
                if args.save_fits:
                    keep = Path(args.save_fits)
                    keep.mkdir(parents=True, exist_ok=True)
                    fit.save(keep / f"{world}__{seed}__{variant}__{lift_name}.nc")
                labels = dict(world=world, seed=seed, variant=variant, lift=lift_name)
                table = fit_table(sim, fit, labels, mechs, **table_options(args))
                rows.append(table)
                d = fit.diagnostics
                fits.append(
                    dict(
                        world=world,
                        seed=seed,
                        variant=variant,
                        lift=lift_name,
                        brands=fitted_brands,
                        seconds=round(seconds, 1),
                        max_rhat=d.max_rhat,
                        min_ess_bulk=d.min_ess_bulk,
                        divergences=d.divergences,
                        gradients=d.gradients,
                        target_accept=d.target_accept,
                        restarts=d.restarts,
                        converged=d.converged,
                        draws=d.draws,
                        stopped=d.stopped,
                        median_rel_err=float(table["rel_err"].median()),
                        coverage=float(table["covered"].mean()),
                        mroi_coverage=float(table["mroi_covered"].mean()),
                        attr_median_rel_err=float(table["attr_rel_err"].median()),
                        cells=[
                            f"{r.channel}: {r.roi:.2f} [{r.roi_lo:.2f}, {r.roi_hi:.2f}] "
                            f"true {r.true_roi:.2f}"
                            for r in table.itertuples()
                        ],
                    )
                )
                if args.plan:
                    resp = sm.plan_response(fit, days=PLAN_DAYS)
                    if args.keep_responses:
                        keep = Path(args.keep_responses)
                        keep.mkdir(parents=True, exist_ok=True)
                        name = f"{world}__{seed}__{variant}__{lift_name}.pkl"
                        (keep / name).write_bytes(pickle.dumps(resp))
                    fits[-1]["plan"] = plan_scores(sim.world, resp)
                if lift_name == "lift":
                    # the per-fit check of each lift test against the fit's prediction
                    fits[-1]["lift_check"] = lift_agreement(fit).to_dict("records")
                print(json.dumps(fits[-1]), flush=True)
    all_cells = pd.concat(rows, ignore_index=True)
    summary = (
        all_cells.groupby(["world", "variant", "lift"])
        .agg(
            cells=("rel_err", "size"),
            median_rel_err=("rel_err", "median"),
            coverage=("covered", "mean"),
            median_width=("width", "median"),
            attr_median_rel_err=("attr_rel_err", "median"),
        )
        .round(3)
    )
    overall = (
        all_cells.groupby(["variant", "lift"])
        .agg(
            cells=("rel_err", "size"),
            median_rel_err=("rel_err", "median"),
            coverage=("covered", "mean"),
            attr_median_rel_err=("attr_rel_err", "median"),
        )
        .round(3)
    )
    print(summary.to_string())
    print(overall.to_string())
    family = family_tables(all_cells) if runs and runs[0][3] else {}
    if args.plan:
        family["plans"] = plan_table(fits)
    for name, frame in family.items():
        print(f"\n{name}\n{frame.to_string()}")
    write_json(
        args.out,
        {
            "args": vars(args),
            "fits": fits,
            "summary": summary.reset_index().to_dict(orient="records"),
            "overall": overall.reset_index().to_dict(orient="records"),
            **tables_and_cells(family, all_cells),
        },
    )
    return 0


def tables_and_cells(tables: dict[str, pd.DataFrame], cells: pd.DataFrame) -> dict:
    """The results file's ``family_<name>`` tables and ``cells``, as JSON records (NaN as
    null)."""
    return {
        **{
            f"family_{k}": json.loads(v.reset_index().to_json(orient="records"))
            for k, v in tables.items()
        },
        "cells": json.loads(
            cells.replace({np.nan: None}).to_json(orient="records", date_format="iso")
        ),
    }


def write_json(path: str | Path, payload: dict) -> None:
    """Write a benchmark's results to ``path`` (folders made) and say so."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
