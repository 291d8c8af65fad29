"""End to end: fit a simulator world, plan next quarter from the fit, judge the plan with the
simulator's true response (never the model's). Issue 5's acceptance.

Slow: ``python -m pytest -m slow tests/test_plan_recovery.py`` (about 4 minutes a seed on
2 cores).
"""

from __future__ import annotations

import warnings

import pytest

import seedmodel as sm
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.sim.plan_truth import judge_plan


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_plan_from_the_fit_is_near_the_true_optimum(seed):
    sim = sm.simulate(sm.WorldConfig(n_brands=3), random_seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(sim.data, draws=1000, tune=1000, chains=2, random_seed=seed)
    resp = sm.plan_response(fit, days=90)
    budget = float(resp.current.sum() * resp.periods)
    for constraints in ({}, {"max_change": 0.5}):
        plan = sm.allocate(resp, budget, **constraints)
        judged = judge_plan(sim.world, plan, **constraints)
        assert judged["share_of_optimum"] >= 0.95, judged
        if judged["optimum_vs_current"] >= 1.05:
            assert judged["recommended_vs_current"] > 1.0, judged
