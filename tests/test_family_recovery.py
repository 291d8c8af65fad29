"""ROI recovery on worlds of the family (seedmodel.sim.family), drawn from wide mechanism
ranges that the model was not developed against.

Issue 17's targets (median |ROI error| <= 0.15, 90% coverage 0.85-0.95, no confidently wrong
cell) are NOT met on the family today (0.29, 0.71, 3 of 90 cells: docs/recovery_family.md).
The slow test below holds today's level on a fixed subset so that a change cannot make it
worse unnoticed; the default-suite test checks the diagnosis: without budgets that chase
unmeasured demand shocks, a drawn world is recovered.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import seedmodel as sm
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.sim.family import family_world


def _cells(config, draws: int = 500) -> pd.DataFrame:
    sim = sm.simulate(config, random_seed=1)
    frames = {n: getattr(sim.data, n) for n in ("media", "sales", "brands", "events")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(sm.from_frames(**frames), draws=draws, tune=draws, random_seed=1)
    table = sm.roi(fit)
    table["true"] = [sim.truth["roi"][r.brand][r.channel] for r in table.itertuples()]
    table["rel_err"] = (table["roi"] - table["true"]).abs() / table["true"]
    table["covered"] = (table["roi_lo"] <= table["true"]) & (table["true"] <= table["roi_hi"])
    table["confidently_wrong"] = (table["roi_lo"] >= 2 * table["true"]) | (
        table["roi_hi"] <= table["true"] / 2
    )
    return table


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
    # family worlds 0-5 with the default model: median |error| 0.27, coverage 0.72, 2
    # confidently wrong cells of 18 (bench/results/recovery_family_reaction.json)
    cells = pd.concat([_cells(family_world(i).config) for i in range(6)])
    assert cells["rel_err"].median() <= 0.35
    assert cells["covered"].mean() >= 0.6
    assert cells["confidently_wrong"].sum() <= 2
