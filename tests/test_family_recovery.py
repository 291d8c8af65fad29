"""ROI recovery on worlds of the family (seedmodel.sim.family), drawn from wide mechanism
ranges that the model was not developed against.

Issue 17's targets (median |ROI error| <= 0.15, 90% coverage 0.85-0.95 overall and in every
channel, no confidently wrong cell) are not all met on the family today (0.159, 0.87 with
小红星 at 0.80, 0 of 90 cells: docs/recovery_family.md). The slow tests below hold today's
level on a fixed subset and on the stress world whose budgets chase demand shocks, so that
a change cannot make them worse unnoticed; the default-suite tests check two diagnoses: an
always-on channel does not swallow the baseline when demand moves in ways nobody measured,
and without budgets that chase unmeasured demand shocks, a drawn world is recovered.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import pandas as pd
import pytest

import seedmodel as sm
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.sim.family import family_world, stress_world
from seedmodel.sim.truth import scored_cells


def _cells(config, draws: int = 500, spec: sm.SeedingMMM | None = None) -> pd.DataFrame:
    sim = sm.simulate(config, random_seed=1)
    data = sim.data.replace(lift_tests=None, attribution=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(data, spec, draws=draws, tune=draws, random_seed=1)
    return scored_cells(sm.roi(fit), sim.truth)


def _seeding(config, **change):
    """``config`` with 小红星's ChannelSpec changed."""
    return config.with_(
        channels=tuple(
            replace(c, **change) if c.name == "little_red_star" else c for c in config.channels
        )
    )


def test_an_always_on_channel_does_not_swallow_the_baseline_under_unmeasured_shocks():
    # family-0 without any confounding (budgets follow neither demand, buzz nor shocks),
    # smooth trend, lognormal noise, Hill slope 1: only fast demand shocks nobody measures
    # (AR(1), 6-day memory, sd 0.18). With the baseline's terms on the baseline's own scale
    # (terms_scale="baseline", the form before 2026-12-03) 小红星 came out at 27.7
    # [21.1, 33.0] against a true 4.38, half of GMV; on expected GMV's scale 3.29
    # [0.74, 7.78] (docs/mmm.md, "Fourth look").
    config = family_world(0).config.with_(
        demand_budgets=False,
        buzz_strength=0.0,
        shock_budget_pull=0.0,
        trend_bend=0.0,
        level_shifts=0,
        noise="lognormal",
        noise_phi=0.0,
    )
    config = _seeding(config, spend_growth=0.0, hill_slope=1.0)
    cells = _cells(config).set_index("channel")
    seeding = cells.loc["little_red_star"]
    assert seeding["covered"]
    assert seeding["roi"] <= 2 * seeding["true_roi"]
    assert not cells["confidently_wrong"].any()


def test_a_drawn_world_is_recovered_when_budgets_do_not_chase_demand_shocks():
    # family-8 as drawn, default model: errors +0.07 / +0.39 / +0.55 (小红星 / 红猫 / 红京);
    # without the shocks' pull on budgets: +0.05 / +0.27 / +0.32, every interval covering
    # (docs/mmm.md, ablation table, measured there without the control function)
    config = family_world(8).config.with_(shock_budget_pull=0.0)
    cells = _cells(config)
    assert cells["rel_err"].median() <= 0.3
    assert cells["rel_err"].max() <= 0.45
    assert cells["covered"].all()
    assert not cells["confidently_wrong"].any()


@pytest.mark.slow
def test_family_subset_holds_todays_level():
    # family worlds 0-5 with the default model: median |ROI error| 0.12, coverage 0.94, no
    # confidently wrong cell of 18; mROI covered in 12 of 18, 3 confidently wrong
    # (bench/results/recovery_family_half_wide_0_29_1205_eighteenth.json). With the
    # half-saturation's prior at log sd 0.4, the default until 2026-12-05: ROI 0.15, 0.94,
    # 0; mROI covered in 10 of 18. With budget_reaction="control", the default until
    # 2026-12-04: ROI 0.20, 0.89, 0; before terms_scale="gmv": 0.27, 0.72, 2.
    cells = pd.concat([_cells(family_world(i).config) for i in range(6)])
    assert cells["rel_err"].median() <= 0.2
    assert cells["covered"].mean() >= 0.83
    assert cells["confidently_wrong"].sum() == 0
    assert cells["mroi_covered"].sum() >= 12
    assert cells["mroi_confidently_wrong"].sum() <= 3


@pytest.mark.slow
def test_the_between_centre_option_holds_its_measured_level():
    # effect_centre="between" on family worlds 0-5: median |ROI error| 0.125, coverage 0.94,
    # no confidently wrong ROI cell of 18; mROI covered in 12 of 18, 4 confidently wrong
    # (family-3's seeding channel as well as the default's 3;
    # bench/results/recovery_family_between_centre_0_29_1205_twentythird.json). Over all 60
    # family worlds it covers 0.856 of ROI cells against the default's 0.817, and is not the
    # default for the reasons in docs/mmm.md, "Twenty-first look".
    spec = sm.SeedingMMM(effect_centre="between")
    cells = pd.concat([_cells(family_world(i).config, spec=spec) for i in range(6)])
    assert cells["rel_err"].median() <= 0.2
    assert cells["covered"].mean() >= 0.83
    assert cells["confidently_wrong"].sum() == 0
    assert cells["mroi_covered"].sum() >= 12
    assert cells["mroi_confidently_wrong"].sum() <= 4


@pytest.mark.slow
def test_two_brand_worlds_pooled_hold_their_measured_level():
    # family worlds 2 and 10 drawn with two brands, the default model on both at once (each
    # channel's effect and half-saturation pooled across the brands; the effects' spread
    # fixed at its prior's root mean square with two brands, brand_spreads="auto"): median
    # |ROI error| 0.055 and 0.059, 10 of 12 intervals covering, none confidently wrong
    # (bench/results/recovery_family_two_brand_effect_spread_fixed_0_29_1206_thirtyfirst.json;
    # with the spread learnt, 0.07 and 0.09 and 11 of 12). Over all 30 two-brand worlds the
    # default gives 0.221 and 0.750 with 2 confidently wrong 小红星 cells of 180, and no fit
    # diverges (docs/mmm.md, "Twenty-ninth look").
    cells = pd.concat([_cells(family_world(i, n_brands=2).config) for i in (2, 10)])
    assert cells["brand"].nunique() == 2
    assert cells["rel_err"].median() <= 0.15
    assert cells["covered"].sum() >= 10
    assert cells["confidently_wrong"].sum() == 0


@pytest.mark.slow
def test_budgets_chasing_demand_shocks_do_not_make_the_link_channels_confidently_wrong():
    # the fast_shocks stress world: budgets chase 4-day demand shocks hard (spend x
    # exp(3 x shock)). With the day-to-day control alone (budget_reaction="control") 红猫
    # came out at 3.6 and 4.1 times its truth with intervals starting 2.7 and 2.9 times
    # above it; with the planned level's two-month deviation as a control too (the default
    # since 2026-12-04) at 2.4 and 2.2, no interval 2x off. Still too high: what remains is
    # the confounding no control of spend alone removes (docs/mmm.md, "Twelfth look").
    cells = _cells(stress_world("fast_shocks").config)
    link = cells[cells["channel"] != "little_red_star"]
    assert (link["roi"] / link["true_roi"]).median() <= 2.7
    assert not cells["confidently_wrong"].any()


@pytest.mark.slow
def test_a_demand_measure_that_sees_the_fast_shocks_takes_them_from_the_media():
    # the shock_series stress world: budgets chase 4-day demand shocks the same day and the
    # organic notes all but equal the shocks. With the organic signal only as the demand
    # state's measurement (demand_fast="none", the default before 2026-12-07) the state's
    # weekly knots smooth the shocks away: median |ROI error| 0.658, 红猫 8.40 [5.39, 11.58]
    # against 2.70. With what the state cannot follow as a control of its own (the default
    # since): 0.285, 红猫 5.97 [3.19, 9.43] (docs/mmm.md, "Thirty-sixth look").
    config = stress_world("shock_series").config
    before = _cells(config, spec=sm.SeedingMMM(demand_fast="none"))
    after = _cells(config)
    assert after["rel_err"].median() <= 0.4
    assert after["rel_err"].median() <= before["rel_err"].median() - 0.2
    assert after["covered"].sum() >= before["covered"].sum()
