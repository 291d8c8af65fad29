"""The budget-shock factor (``SeedingMMM(shocks="budget_factor")``) against the simulator's
true shocks: budgets that chase a shock carry it, budgets that do not carry nothing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import seedmodel as sm
from seedmodel.models.mmm.inputs import budget_deviations, build_inputs
from seedmodel.models.mmm.shock_factor import budget_shock_factor
from seedmodel.models.mmm.spec import SeedingMMM
from seedmodel.sim.family import stress_world

SLOW_WINDOW = 61  # 4 * plan_days + 1 at daily data, as the model takes it


def _shock_and_spend(config: sm.WorldConfig, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(B, T) the world's true log demand shock and (B, C, T) spend. The shock is the last
    thing drawn for the baseline, so the same world without it differs by exactly exp(shock)."""
    sim = sm.simulate(config, random_seed=seed)
    calm = sm.simulate(replace(config, shock_sd=0.0), random_seed=seed)
    shock = np.log(sim.world.baseline[:, 0] / calm.world.baseline[:, 0])
    spend = sim.data.media_array("spend").transpose("brand", "channel", "date").to_numpy()
    return shock[:, : spend.shape[-1]], spend[:, (spend > 0).mean(axis=(0, 2)) > 0]


def _factor_corr(config: sm.WorldConfig, seed: int) -> list[float]:
    shock, spend = _shock_and_spend(config, seed)
    slow = budget_deviations(spend, SLOW_WINDOW)
    return [
        abs(float(np.corrcoef(budget_shock_factor(slow[b], spend[b] > 0), shock[b])[0, 1]))
        for b in range(spend.shape[0])
    ]


def test_the_factor_follows_the_shocks_budgets_chase():
    config = stress_world("fast_shocks").config
    corr = _factor_corr(config, seed=1)
    assert min(corr) > 0.6, corr


def test_budgets_that_chase_nothing_give_a_factor_unrelated_to_the_shocks():
    config = replace(stress_world("fast_shocks").config, shock_budget_pull=0.0)
    corr = _factor_corr(config, seed=1)
    assert max(corr) < 0.2, corr


def test_the_factor_is_standardised_deterministic_and_degrades_gracefully():
    rng = np.random.default_rng(4)
    dev = rng.standard_normal((3, 300))
    live = np.ones((3, 300), bool)
    f = budget_shock_factor(dev, live)
    assert f.shape == (300,) and abs(f.mean()) < 1e-9 and f.std() == pytest.approx(1.0)
    np.testing.assert_array_equal(f, budget_shock_factor(dev, live))
    assert not budget_shock_factor(dev, np.zeros_like(live)).any()  # nobody spends
    one = np.zeros_like(live)
    one[1] = True  # a single channel: its own standardised deviations
    np.testing.assert_allclose(
        budget_shock_factor(dev, one), (dev[1] - dev[1].mean()) / dev[1].std()
    )


@pytest.fixture(scope="module")
def short_shocks() -> sm.Simulation:
    """240 days of the ``fast_shocks`` stress world (the tests below copy what they change)."""
    return sm.simulate(stress_world("fast_shocks").config.with_(days=240), random_seed=2)


def test_the_control_does_not_depend_on_the_units_of_spend(short_shocks):
    sim = short_shocks
    spec = SeedingMMM(shocks="budget_factor")
    media = sim.data.media.assign(spend=sim.data.media["spend"] * 1000.0)
    scaled = sim.data.replace(media=media)
    a, b = build_inputs(sim.data, spec), build_inputs(scaled, spec)
    default = build_inputs(sim.data, SeedingMMM())
    assert a.controls.shape[-1] == default.controls.shape[-1] + 1
    for option in ("budget_factor", "link_budget_factor"):  # one more column, nothing else
        inp = build_inputs(sim.data, SeedingMMM(shocks=option))
        np.testing.assert_array_equal(inp.live, default.live)
        np.testing.assert_array_equal(inp.observed, default.observed)
        np.testing.assert_array_equal(inp.x, default.x)
    np.testing.assert_allclose(a.controls, b.controls, atol=1e-8)


def test_the_link_channels_factor_ignores_the_seeding_channels_budget(short_shocks):
    sim = short_shocks
    seeding = [c for c in sim.data.paid_channels if c not in sim.data.link_channels]
    assert seeding and len(seeding) < len(sim.data.paid_channels)
    media = sim.data.media.copy()
    rows = media["channel"].isin(seeding) & (media["spend"] > 0)
    media.loc[rows, "spend"] *= np.random.default_rng(0).lognormal(0.0, 0.5, int(rows.sum()))
    moved = sim.data.replace(media=media)

    def controls(data, shocks):
        return build_inputs(data, SeedingMMM(shocks=shocks, budget_reaction="none")).controls

    np.testing.assert_allclose(
        controls(sim.data, "link_budget_factor"), controls(moved, "link_budget_factor"), atol=1e-8
    )
    assert not np.allclose(controls(sim.data, "budget_factor"), controls(moved, "budget_factor"))
