"""Budget planning: the plan response against brute force, the optimizer against exhaustive
search on the simulator's true response, constraints, the programme rule, risk aversion,
and the command line.

End-to-end (fit, plan, judge the plan with the simulator's truth) is in
``test_plan_recovery.py`` (slow).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import run_cli

import seedmodel as sm
from seedmodel.analysis.posterior import MediaPosterior
from seedmodel.plan import (
    PLAN_COLUMNS,
    PlanResponse,
    allocate,
    breakeven,
    frontier,
    plan_response,
    response_curves,
)
from seedmodel.sim.plan_truth import true_plan_response

DAYS = 90


@pytest.fixture(scope="module")
def world():
    return sm.simulate(sm.WorldConfig(n_brands=1, days=300), random_seed=3).world


@pytest.fixture(scope="module")
def truth(world) -> PlanResponse:
    return true_plan_response(world, DAYS)


def _true_total(world, spend_totals: np.ndarray, channels) -> float:
    """The world's own expected GMV, plan on vs off, summed over the horizon and tail."""
    T = world.n_data
    base = world.spend.copy()
    base[..., T:] = 0.0
    plan = base.copy()
    for j, name in enumerate(channels):
        plan[:, world.channel_index(name), T : T + DAYS] = spend_totals[:, j, None] / DAYS
    return float((world.expected_gmv(plan) - world.expected_gmv(base))[..., T:].sum())


def _grid_optimum(resp: PlanResponse, budget: float, feasible) -> tuple[float, np.ndarray]:
    """Exhaustive search over 1 brand x 3 channels on a 1% grid of the budget."""
    best, best_s = -np.inf, None
    steps = np.linspace(0.0, budget, 101)
    for a in steps:
        for b in steps:
            c = budget - a - b
            if c < -1e-6:
                continue
            s = np.array([[a, b, max(c, 0.0)]])
            if not feasible(s):
                continue
            v = resp.total_draws(s / resp.periods)[0]
            if v > best:
                best, best_s = v, s
    return best, best_s


def _rule(resp, per_day=5000.0):
    m = np.array([per_day * DAYS if c in resp.link_channels else 0.0 for c in resp.channels])
    return lambda s: bool(np.all((s[0] == 0) | (s[0] >= m - 1e-6)))


def test_true_plan_response_is_the_world_itself(world, truth):
    s = np.array([[2.0e6, 9.0e5, 4.5e5]])
    want = _true_total(world, s, truth.channels)
    assert truth.total_draws(s / DAYS)[0] == pytest.approx(want, rel=1e-9)
    assert truth.link_channels == ("red_cat", "red_jd")


@pytest.fixture(scope="module")
def sloped_world():
    """A world whose Hill curves have slopes other than 1 (S-shaped above 1), as the
    family's do."""
    from dataclasses import replace

    base = sm.WorldConfig(n_brands=1, days=300)
    slopes = {"little_red_star": 2.2, "red_cat": 0.6, "red_jd": 1.4}
    config = replace(
        base,
        channels=tuple(
            replace(c, hill_slope=slopes.get(c.name, c.hill_slope)) for c in base.channels
        ),
    )
    return sm.simulate(config, random_seed=3).world


def test_true_plan_response_keeps_the_world_s_hill_slopes(sloped_world):
    """Family worlds draw Hill slopes of 0.5-3; the truth a plan is judged by is theirs."""
    world = sloped_world
    truth = true_plan_response(world, DAYS)
    for scale in (0.3, 1.0, 2.5):
        s = truth.current * DAYS * scale
        want = _true_total(world, s, truth.channels)
        # 1e-8: the sloped curve keeps its input 1e-12 off zero (a finite gradient at 0)
        assert truth.total_draws(s / DAYS)[0] == pytest.approx(want, rel=1e-8)


def test_plan_response_matches_the_fit_s_own_response(small_fit):
    """The closed form equals re-running the numpy response with the plan appended."""
    _, fit = small_fit
    resp = plan_response(fit, days=30)
    inp = fit.inputs
    T, N = inp.n_periods, resp.periods
    post = MediaPosterior.from_fit(fit)
    brand = inp.brands[0]
    for c, channel in enumerate(inp.channels):
        x = np.concatenate([inp.x[0, c, :T], np.zeros(N + post.max_lag[channel] + 1)])
        on = x.copy()
        on[T : T + N] = 12_000.0 / inp.input_scale[0, c]
        series = xr.DataArray([x, on], dims=("case", "period")).expand_dims(brand=[brand])
        response = post.response(channel, series).isel(period=slice(T, None)).sum("period")
        diff = response.sel(case=1) - response.sel(case=0)  # (sample, brand)
        beta = post.draws["beta"].sel(channel=channel, brand=brand)  # (sample, platform)
        want = (diff.sel(brand=brand) * beta * inp.gmv_scale[0]).transpose("sample", "platform")
        np.testing.assert_allclose(resp.cell_draws(0, c, 12_000.0), want, rtol=1e-8)
    # gradient = finite difference of the posterior mean
    v, g = resp.cell_draws(0, 0, 12_000.0, gradient=True)
    up = resp.cell_draws(0, 0, 12_001.0)
    assert g.sum() == pytest.approx((up - v).sum(), rel=1e-3)


def test_allocation_reaches_the_exhaustive_optimum(truth):
    budget = float(truth.current.sum() * DAYS)
    plan = allocate(truth, budget)
    best, _ = _grid_optimum(truth, budget, _rule(truth))
    got = plan.summary["recommended_incremental_gmv"]
    assert got >= 0.999 * best
    assert plan.summary["recommended_spend"] == pytest.approx(budget, rel=1e-6)
    assert list(plan.table.columns[: len(PLAN_COLUMNS)]) == PLAN_COLUMNS
    # the plan's cells add up to its total
    assert plan.table["expected_incremental_gmv"].sum() == pytest.approx(got, rel=1e-9)


@pytest.mark.parametrize("scale", [0.3, 1.0, 3.0])
def test_allocation_reaches_the_exhaustive_optimum_on_s_shaped_curves(sloped_world, scale):
    """A response that is not concave (Hill slope 2.2) is planned exactly too: the
    programme must not take a curve's steep middle without paying for its flat start."""
    truth = true_plan_response(sloped_world, DAYS)
    budget = float(truth.current.sum() * DAYS) * scale
    plan = allocate(truth, budget)
    best, _ = _grid_optimum(truth, budget, _rule(truth))
    got = plan.summary["recommended_incremental_gmv"]
    assert got >= 0.999 * best
    # and what it promises is what the plan earns
    spend = plan.table["recommended_spend"].to_numpy()[None, :]
    assert truth.total_draws(spend / DAYS)[0] == pytest.approx(got, rel=1e-9)


def test_unequal_returns_move_money_to_the_better_channel(truth):
    """Not 'equal split', not 'did not move': money goes where the next yuan returns more."""
    budget = float(truth.current.sum() * DAYS)
    plan = allocate(truth, budget)
    t = plan.table.set_index("channel")
    cur = breakeven(truth).set_index("channel")["mroi"]
    best, worst = cur.idxmax(), cur.idxmin()
    assert cur[best] > 1.5 * cur[worst]
    assert t.loc[best, "recommended_spend"] > 1.2 * t.loc[best, "current_spend"]
    assert t.loc[worst, "recommended_spend"] < t.loc[worst, "current_spend"]
    assert plan.summary["gain"] > 0 and plan.summary["prob_better"] == 1.0
    # at the optimum the live, unconstrained cells' marginal returns are equal
    live = t[(t["recommended_spend"] > t["min_spend"] * 1.01) & t["live"]]
    assert live["recommended_mroi"].max() <= 1.02 * live["recommended_mroi"].min()


def test_a_capped_best_channel_keeps_its_cap_and_the_rest_is_reoptimised(truth):
    budget = float(truth.current.sum() * DAYS)
    free = allocate(truth, budget).table.set_index("channel")["recommended_spend"]
    best = free.idxmax()
    cap = 0.5 * free[best]
    plan = allocate(truth, budget, bounds={best: (0.0, cap)})
    got = plan.table.set_index("channel")["recommended_spend"]
    assert got[best] == pytest.approx(cap, rel=1e-6)
    assert got.sum() == pytest.approx(budget, rel=1e-6)
    j = truth.channels.index(best)
    rule = _rule(truth)
    want, _ = _grid_optimum(truth, budget, lambda s: rule(s) and s[0, j] <= cap + 1e-6)
    assert plan.summary["recommended_incremental_gmv"] >= 0.999 * want


def test_the_5000_a_day_rule_turns_a_small_red_jd_budget_off(truth):
    """With a small budget, a live 红京 day at ¥5,000 costs more than it returns: off.
    Without the rule the same budget gives 红京 some money, so the rule made the difference."""
    j = truth.channels.index("red_jd")
    budget = 5000.0 * DAYS * 1.2
    ruled = allocate(truth, budget, bounds={"little_red_star": (0.0, 0.0)})
    assert ruled.recommended[0, j] == 0.0
    free = allocate(truth, budget, bounds={"little_red_star": (0.0, 0.0)}, min_daily_spend={})
    assert 0.0 < free.recommended[0, j] < 5000.0 * DAYS
    # and the rule is obeyed: every live link cell spends at least ¥5,000 a day
    t = ruled.table
    link = t[t["channel"].isin(truth.link_channels) & t["live"]]
    assert (link["recommended_spend"] >= 5000.0 * DAYS - 1e-6).all()
    # the same answer as exhaustive search under the rule
    rule = _rule(truth)
    want, _ = _grid_optimum(truth, budget, lambda s: rule(s) and s[0, 0] == 0)
    assert ruled.summary["recommended_incremental_gmv"] >= 0.999 * want


def test_fixed_off_and_change_caps_are_obeyed(truth):
    budget = float(truth.current.sum() * DAYS)
    cur = truth.current[0] * DAYS
    plan = allocate(truth, budget, max_change=0.2, min_daily_spend={})
    assert np.all(plan.recommended[0] <= 1.2 * cur + 1e-6)
    assert np.all(plan.recommended[0] >= 0.8 * cur - 1e-6)
    plan = allocate(truth, budget, fixed={"red_cat": 1.0e6}, off=["red_jd"])
    t = plan.table.set_index("channel")
    assert t.loc["red_cat", "recommended_spend"] == pytest.approx(1.0e6)
    assert t.loc["red_jd", "recommended_spend"] == 0.0
    with pytest.raises(ValueError, match="red_cat"):
        allocate(truth, budget, fixed={"red_cat": 1000.0})  # below ¥5,000 a day
    with pytest.raises(ValueError, match=r"red_cat.*lower 2,000,000 > upper 100,000"):
        allocate(truth, 1.0e5, bounds={"red_cat": (2.0e6, 3.0e6)})
    with pytest.raises(ValueError, match="lower bounds add up to 1,200,000 > budget"):
        allocate(truth, 1.0e6, bounds={"red_cat": (6.0e5, 1e6), "little_red_star": (6.0e5, 1e6)})
    with pytest.raises(ValueError, match="objective"):
        allocate(truth, budget, objective="median")


def _two_channels(spread: float, better: float = 1.0, current=(1e4, 1e4)) -> PlanResponse:
    """Two channels of equal posterior-mean response (the second ``better`` times the
    first's); the second is far less certain."""
    S = 400
    rng = np.random.default_rng(0)
    value = np.ones((1, 2, S, 1)) * 1e6
    value[0, 1, :, 0] *= better * np.exp(spread * rng.standard_normal(S) - spread**2 / 2)
    return _channels(value, ("sure", "unsure"), current)


def _channels(value: np.ndarray, channels: tuple[str, ...], current) -> PlanResponse:
    """One brand's channels on one platform, each a saturating curve (half-saturation 1e4 a
    day, carried over ten days) scaled per draw by ``value`` (1, C, S, 1)."""
    C, S, L = len(channels), value.shape[2], 20
    unit = np.ones((1, C, S, L)) / 1e4
    unit[..., 10:] = 0.0
    return PlanResponse(
        brands=("b",),
        channels=channels,
        platforms=("tmall",),
        periods=10,
        period_days=1,
        past=np.zeros((1, C, S, L)),
        unit=unit,
        half=np.ones((1, C, S)),
        value=value,
        kinds=("hill",) * C,
        current=np.array([current]),
        margin=np.ones(1),
        typical=np.full((1, C), 1e4),
    )


def test_risk_averse_objective_prefers_the_certain_channel():
    resp = _two_channels(spread=1.0)
    mean = allocate(resp, 2e5).recommended[0]
    safe = allocate(resp, 2e5, objective="cvar", alpha=0.1).recommended[0]
    assert abs(mean[0] - mean[1]) < 0.05 * mean.sum()  # equal means: about even
    assert safe[0] > 1.3 * safe[1]


def _worst_tenth(draws: np.ndarray) -> float:
    return float(np.sort(draws)[: len(draws) // 10].mean())


def test_gain_cvar_moves_only_as_far_as_the_posterior_is_sure():
    """Today's split is heavy on the certain channel; the uncertain one is better on
    average. The mean optimum moves most of the money, and loses in the posterior's unlucky
    draws; gain_cvar stops where even those draws gain on average."""
    resp = _two_channels(spread=0.5, better=1.3, current=(1.6e4, 0.4e4))
    mean = allocate(resp, 2e5)
    sure = allocate(resp, 2e5, objective="gain_cvar", alpha=0.1)
    gain_mean = mean.draws_recommended - mean.draws_current
    gain_sure = sure.draws_recommended - sure.draws_current
    assert _worst_tenth(gain_mean) < 0  # the mean plan's unlucky draws lose
    assert 0 < sure.summary["moved"] < 1
    assert _worst_tenth(gain_sure) >= 0
    assert sure.summary["prob_better"] > mean.summary["prob_better"]
    assert sure.summary["objective"] == "gain_cvar0.1"
    # it moves towards the mean optimum, never past it or away from it
    today, best = resp.current[0] * resp.periods, mean.recommended[0]
    assert today[1] < sure.recommended[0, 1] < best[1]
    assert sure.summary["recommended_spend"] == pytest.approx(2e5, rel=1e-9)


def test_gain_cvar_is_the_mean_optimum_when_nothing_is_uncertain():
    resp = _two_channels(spread=0.0, better=1.3, current=(1.6e4, 0.4e4))
    mean = allocate(resp, 2e5)
    sure = allocate(resp, 2e5, objective="gain_cvar")
    assert sure.summary["moved"] == 1.0
    np.testing.assert_array_equal(sure.recommended, mean.recommended)


def test_gain_cvar_starts_from_a_split_that_keeps_the_minimum():
    """Today the uncertain channel spends below its minimum a day: the way to the mean
    optimum starts from today's split with that cell at its minimum or off, and the plan
    keeps the rule."""
    resp = _two_channels(spread=0.5, better=1.3, current=(1.6e4, 0.4e4))
    rule = {"unsure": 5e3}  # a day; today 4e3
    mean = allocate(resp, 2e5, min_daily_spend=rule)
    sure = allocate(resp, 2e5, objective="gain_cvar", min_daily_spend=rule)
    spent = sure.recommended[0, 1]
    assert spent == 0 or spent >= 5e3 * resp.periods * (1 - 1e-9)
    assert sure.summary["recommended_spend"] <= 2e5 * (1 + 1e-9)
    assert 0 < sure.summary["moved"] < 1  # the way there was open, not only its end

    def worst(plan):
        return _worst_tenth(plan.draws_recommended - plan.draws_current)

    assert worst(sure) > worst(mean)


def test_a_cell_the_minimum_keeps_off_says_what_its_minimum_would_return():
    """The less certain channel's first yuan returns more than the other's next one, but its
    programme minimum (10 days at 1e4 a day) would return less than that money earns where
    it is: the plan leaves it off, and plan.csv says what the minimum would return a yuan
    (its expected GMV there over the spend; empty for a cell without a minimum)."""
    resp = _two_channels(spread=0.0, better=0.3)
    plan = allocate(resp, 2e5, min_daily_spend={"unsure": 1e4})
    t = plan.table.set_index("channel")
    assert t.loc["unsure", "recommended_spend"] == 0
    assert t.loc["unsure", "recommended_mroi"] > t.loc["sure", "recommended_mroi"]
    minimum = 1e4 * resp.periods
    at_minimum = resp.gmv(resp.cells(np.array([[0.0, minimum / resp.periods]])))
    expected = at_minimum.sel(channel="unsure").sum("platform").mean("sample").item() / minimum
    assert t.loc["unsure", "min_spend_roi"] == pytest.approx(expected, rel=1e-12)
    assert t.loc["unsure", "min_spend_roi"] == pytest.approx(15.0, rel=1e-6)
    assert np.isnan(t.loc["sure", "min_spend_roi"])


def _three_channels(values=(1.0, 1.0, 0.5)) -> PlanResponse:
    """Three certain channels of the same curve, scaled by ``values``."""
    value = np.asarray(values, float)[None, :, None, None] * np.ones((1, 3, 50, 1)) * 1e6
    return _channels(value, ("a", "c", "m"), (1e4, 1e4, 1e4))


def test_cells_held_at_their_floor_or_cap_are_not_freely_set():
    """The weaker channel is worth its programme minimum as a whole but not a yuan more: it
    sits at the minimum, its next yuan earning half the others'; a cell capped by bounds is
    held too; the others, whose next yuan earn the same, are set freely."""
    resp = _three_channels()
    plan = allocate(resp, 3e5, min_daily_spend={"m": 1e4})
    t = plan.table.set_index("channel")
    assert t.loc["m", "recommended_spend"] == pytest.approx(1e5)
    assert t.loc["m", "recommended_mroi"] < 0.6 * t.loc["a", "recommended_mroi"]
    assert plan.freely_set().tolist() == [True, True, False]
    capped = allocate(resp, 3e5, min_daily_spend={}, bounds={("b", "a"): (0.0, 5e4)})
    assert capped.table["recommended_spend"].iloc[0] == pytest.approx(5e4)
    assert capped.freely_set().tolist() == [False, True, True]


def test_the_optimize_command_offers_every_objective_and_the_report_s_default():
    """The command line lists its choices without importing the planner (start-up time)."""
    from seedmodel.cli import _parser
    from seedmodel.plan.allocation import OBJECTIVES
    from seedmodel.report.compose import PLAN_OBJECTIVE

    optimize = _parser()._subparsers._group_actions[0].choices["optimize"]
    (objective,) = [a for a in optimize._actions if a.dest == "objective"]
    assert tuple(objective.choices) == OBJECTIVES
    assert objective.default == PLAN_OBJECTIVE  # the same plan as the report's


def test_curves_breakeven_and_frontier_are_consistent(truth):
    curves = response_curves(truth)
    assert {"spend", "incremental_gmv", "mroi", "incremental_gmv_tmall"} <= set(curves.columns)
    for _, g in curves.groupby("channel"):
        assert np.all(np.diff(g["incremental_gmv"]) > 0)  # more spend, more GMV
        assert np.all(np.diff(g["mroi"]) < 0)  # at a falling rate
        assert g.loc[g["multiplier"] == 0, "incremental_gmv"].item() == 0.0
    be = breakeven(truth)
    for row in be.itertuples():
        if row.breakeven_spend > 0:
            _, g = truth.cell_draws(
                0, truth.channels.index(row.channel), row.breakeven_spend / DAYS, gradient=True
            )
            assert g.sum() / DAYS == pytest.approx(1.0, rel=1e-4)
    budgets = np.array([0.5, 1.0, 2.0]) * truth.current.sum() * DAYS
    front = frontier(truth, budgets)
    assert np.all(np.diff(front["expected_incremental_gmv"]) > 0)
    assert front["marginal_roi"].iloc[2] < front["marginal_roi"].iloc[1]
    # a plan made already at one of the budgets is taken, not made again: the same rows
    made = allocate(truth, float(budgets[1]))
    pd.testing.assert_frame_equal(frontier(truth, budgets, made=[made]), front)


def test_posterior_plan_has_intervals_and_a_probability(small_fit):
    _, fit = small_fit
    plan = sm.allocate(fit, budget=1.5e6, days=30)
    s = plan.summary
    assert s["recommended_incremental_gmv_lo"] < s["recommended_incremental_gmv"]
    assert s["recommended_incremental_gmv"] < s["recommended_incremental_gmv_hi"]
    assert 0.0 <= s["prob_better"] <= 1.0
    t = plan.table
    assert (t["expected_incremental_gmv_lo"] <= t["expected_incremental_gmv_hi"]).all()
    # the same fit and settings give the same plan
    again = sm.allocate(fit, budget=1.5e6, days=30)
    pd.testing.assert_frame_equal(plan.table, again.table)


def test_a_channel_the_plan_turns_off_earns_exactly_nothing(small_fit):
    # not -1e-13 of float noise in plan.csv (the horizon's sum against the carryover's)
    _, fit = small_fit
    brand = fit.inputs.brands[0]
    plan = sm.allocate(fit, budget=1.5e6, days=30, off=[(brand, "little_red_star")])
    t = plan.table.set_index(["brand", "channel"]).loc[(brand, "little_red_star")]
    assert t["recommended_spend"] == 0.0
    for col in (
        "expected_incremental_gmv",
        "expected_incremental_gmv_lo",
        "expected_incremental_gmv_hi",
    ):
        assert t[col] == 0.0


def test_optimize_command_writes_the_contract_plan(small_fit_dir, tmp_path):
    out = tmp_path / "plan.csv"
    r = run_cli("optimize", small_fit_dir, "--budget", "1500000", "--days", "30", "--out", out)
    assert r.returncode == 0, r.stderr
    plan = pd.read_csv(out)
    assert list(plan.columns[: len(PLAN_COLUMNS)]) == PLAN_COLUMNS
    assert plan["recommended_spend"].sum() == pytest.approx(1.5e6, rel=1e-4)
    assert "converged" in plan.columns and not plan["converged"].any()
    assert "did NOT converge" in r.stderr
    bad = run_cli("optimize", small_fit_dir, "--budget", "-5", "--out", tmp_path / "x.csv")
    assert bad.returncode == 2 and "budget" in bad.stderr
    assert not (tmp_path / "x.csv").exists()
    missing = run_cli("optimize", tmp_path, "--budget", "100", "--out", tmp_path / "y.csv")
    assert missing.returncode == 2 and "fit.nc" in missing.stderr


def test_report_from_a_fit_has_the_plan_section(small_fit_dir, tmp_path):
    out = tmp_path / "report.html"
    r = run_cli("report", small_fit_dir, "--out", out)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert 'id="plan"' in page and "Budget frontier" in page and "Response curves" in page
    assert "The fit behind this plan did NOT converge" in page
    assert page.count("data:image/png;base64") >= 5 and "Contributions over time" in page
