"""SeedingMMM: the maths pinned to its numpy reference, fitting, outputs, honesty flags.

Recovery of the true ROI over several worlds is in ``test_mmm_recovery.py`` (slow).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from dataclasses import replace

import cloudpickle
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import SMALL, run_cli, run_main
from scipy import integrate, stats

import seedmodel as sm
from seedmodel.analysis.incremental import ROI_COLUMNS, roi
from seedmodel.analysis.posterior import MediaPosterior
from seedmodel.fit import NotConvergedWarning, load_fit
from seedmodel.models.mmm.inputs import build_inputs
from seedmodel.models.mmm.spec import MediaSpec, SeedingMMM
from seedmodel.transforms.components import GeometricAdstock, HillSaturation, PriorSpec


def test_media_response_is_causal_and_carries_over():
    x = np.zeros(50)
    x[10] = 1.0
    w = GeometricAdstock().weights({"alpha": np.array([0.5])}, 20)
    draws = xr.Dataset(
        {
            "half": (("sample", "brand", "channel"), np.ones((1, 1, 1))),
            "beta": (("sample", "brand", "channel", "platform"), np.ones((1, 1, 1, 1))),
            "weights": (("sample", "channel", "lag"), w[:, None, :]),
        },
        coords={"brand": ["A"], "channel": ["c"], "platform": ["tmall"]},
    )
    post = MediaPosterior(draws, {"c": HillSaturation()}, {"c": 20})
    series = xr.DataArray([x], dims=("brand", "period"), coords={"brand": ["A"]})
    r = post.response("c", series).to_numpy()[0, 0]
    assert np.all(r[:10] == 0) and r[10] > r[11] > r[12] > 0


def test_spec_round_trips_and_refuses_bad_values():
    spec = SeedingMMM(media={"red_cat": MediaSpec("geometric", "logistic", 14)}, demand="control")
    assert SeedingMMM.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    with pytest.raises(ValueError, match="adstock"):
        MediaSpec("exponential")
    with pytest.raises(ValueError, match="demand"):
        SeedingMMM(demand="magic")
    with pytest.raises(ValueError, match="likelihood"):
        SeedingMMM(likelihood="poisson")
    normal = SeedingMMM(likelihood="normal")
    assert SeedingMMM.from_dict(normal.to_dict()) == normal
    with pytest.raises(ValueError, match="baseline"):
        SeedingMMM(baseline="log")
    additive = SeedingMMM(baseline="additive")
    assert SeedingMMM.from_dict(additive.to_dict()) == additive
    assert hash(additive) != hash(SeedingMMM())


def test_units_do_not_change_the_model_inputs(small_sim):
    """Spend in 万元 and GMV in 万元 give the same scaled inputs, so the same fit."""
    data = small_sim.data
    media = data.media.assign(spend=data.media["spend"] / 10_000)
    sales = data.sales.assign(gmv=data.sales["gmv"] / 10_000)
    other = sm.from_frames(media=media, sales=sales, events=data.events)
    a, b = build_inputs(data, SeedingMMM()), build_inputs(other, SeedingMMM())
    np.testing.assert_allclose(a.x, b.x, rtol=1e-9)
    np.testing.assert_allclose(a.y, b.y, rtol=1e-9)
    np.testing.assert_allclose(a.spend_scale, b.spend_scale * 10_000, rtol=1e-9)


def test_control_scales_adds_the_planned_levels_move_from_a_two_month_level(small_sim):
    """``budget_reaction="control_scales"``: beside each channel's deviation from its
    fortnight's plan, the plan's own deviation from a 61-day median of live spend; in any
    units of spend, the same controls."""
    from seedmodel.models.mmm.inputs import budget_deviations

    data = small_sim.data
    plain = build_inputs(data, SeedingMMM(budget_reaction="control"))
    scales = build_inputs(data, SeedingMMM())
    assert scales.spec.budget_reaction == "control_scales"  # the default
    slow = [f"reaction_{c}_slow" for c in data.paid_channels]
    assert set(slow) <= set(scales.control_names)
    assert set(scales.control_names) - set(plain.control_names) == set(slow)

    spend = data.media_array("spend").sel(channel=list(data.paid_channels))
    spend = spend.transpose("brand", "channel", "date").to_numpy()
    live = np.where(spend > 0, spend, np.nan)
    series = pd.DataFrame(live.reshape(-1, live.shape[-1]).T)
    plans = {
        w: series.rolling(w, center=True, min_periods=1).median().to_numpy().T.reshape(live.shape)
        for w in (15, 61)
    }
    expected = np.where(spend > 0, np.log(plans[15] / np.where(spend > 0, plans[61], 1.0)), 0.0)
    got = budget_deviations(spend, 61) - budget_deviations(spend, 15)
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert np.abs(got).max() > 0.05  # the sample's plans do move

    media = data.media.assign(spend=data.media["spend"] / 10_000)
    other = sm.from_frames(media=media, sales=data.sales, events=data.events)
    again = build_inputs(other, SeedingMMM(budget_reaction="control_scales"))
    np.testing.assert_allclose(again.controls, scales.controls, atol=1e-9)


def _centre_density(u, x, centre, shift, sd):
    """Normal density at ``x`` of a centre ``u`` of the way along the shift."""
    return stats.norm.pdf(x, centre + u * shift, sd)


def _one_brand(data) -> sm.Dataset:
    """The first brand of ``data`` alone."""
    return sm.from_frames(
        media=data.media[data.media["brand"] == data.brand_names[0]],
        sales=data.sales[data.sales["brand"] == data.brand_names[0]],
        events=data.events,
    )


def test_spend_centre_moves_each_channels_effect_prior_by_its_share_of_the_budget(small_sim):
    """``effect_centre="spend"``: a channel's prior median is ``effect_prior``'s times its
    spend weight (mean live spend over the brand's mean spend per channel and period), in
    any unit of spend; ``even`` leaves every channel at the median."""
    from seedmodel.models.mmm.graph import build_model

    data = small_sim.data
    inputs = build_inputs(data, SeedingMMM(effect_centre="spend"))
    spend = inputs.spend
    per_live = np.array([[s[s > 0].mean() for s in brand] for brand in spend])
    expected = per_live / spend.mean(axis=(1, 2))[:, None]
    np.testing.assert_allclose(inputs.spend_weights(), expected, rtol=1e-12)
    # the sample's channels differ in budget: the weights do too, around 1
    assert expected.max() / expected.min() > 1.5

    media = data.media.assign(spend=data.media["spend"] / 10_000)
    other = sm.from_frames(media=media, sales=data.sales, events=data.events)
    in_wan = build_inputs(other, SeedingMMM(effect_centre="spend"))
    np.testing.assert_allclose(in_wan.spend_weights(), inputs.spend_weights(), rtol=1e-9)

    median = np.log(SeedingMMM().effect_prior[0])
    single = _one_brand(data)
    for centre in ("even", "spend"):
        one = build_inputs(single, SeedingMMM(effect_centre=centre))
        log_gross = build_model(one)["log_gross"]  # Normal(mu, sigma)
        shift = np.log(one.spend_weights()) if centre == "spend" else 0.0
        np.testing.assert_allclose(log_gross.owner.inputs[-2].eval(), median + shift, rtol=1e-12)
    assert "log_gross_mu" in build_model(inputs).named_vars  # several brands: pooled, builds
    with pytest.raises(ValueError, match="effect_centre"):
        SeedingMMM(effect_centre="budget")


def test_between_centre_puts_the_effects_centre_anywhere_between_even_and_spend(small_sim):
    """``effect_centre="between"``: a channel's log effect is Normal(median + u * log spend
    weight, sd) with u uniform on (0, 1), integrated over u; its draws have that mean and
    spread; the chains start halfway; with several brands the channel's mean takes it."""
    import pymc as pm

    from seedmodel.models.mmm.graph import build_model

    data = small_sim.data
    inputs = build_inputs(_one_brand(data), SeedingMMM(effect_centre="between"))
    model = build_model(inputs)
    centre, sd = np.log(SeedingMMM().effect_prior[0]), SeedingMMM().effect_prior[1]
    shift = np.log(inputs.spend_weights())
    assert np.abs(shift).max() > 0.2
    logp = model.compile_logp(vars=[model["log_gross"]], sum=False)
    for x in (np.linspace(-4.0, -1.0, shift.size), np.array([-12.0, 2.0, 0.5][: shift.size])):
        x = x.reshape(shift.shape)
        got = logp(model.initial_point() | {"log_gross": x})[0]
        expected = [
            np.log(integrate.quad(_centre_density, 0, 1, args=(v, centre, s, sd))[0])
            for v, s in zip(x.ravel(), shift.ravel(), strict=True)
        ]
        np.testing.assert_allclose(got.ravel(), expected, rtol=1e-7)
    np.testing.assert_allclose(model.initial_point()["log_gross"], centre + shift / 2)
    with model:
        prior = pm.sample_prior_predictive(4000, var_names=["log_gross"], random_seed=1)
    draws = prior.prior["log_gross"].values.reshape(-1, shift.size)
    np.testing.assert_allclose(draws.mean(axis=0), (centre + shift / 2).ravel(), atol=0.05)
    np.testing.assert_allclose(draws.std(axis=0), np.sqrt(sd**2 + shift**2 / 12).ravel(), rtol=0.05)

    # several brands: the channels' mean over brands takes the range, at the brands' mean
    # log spend weight; each brand's effect is normal around it, centred or as offsets
    several = build_inputs(data, SeedingMMM(effect_centre="between"))
    mean_shift = np.log(several.spend_weights()).mean(axis=0)
    for effects in ("centred", "noncentred"):
        pooled = build_model(
            build_inputs(data, SeedingMMM(effect_centre="between", effects=effects))
        )
        assert type(pooled["log_gross_mu"].owner.op).__name__ == "BetweenRV"
        np.testing.assert_allclose(
            pooled.initial_point()["log_gross_mu"], centre + mean_shift / 2, rtol=1e-12
        )
        assert np.isfinite(pooled.compile_logp()(pooled.initial_point()))
    with pytest.raises(ValueError, match="effect_pooling"):
        SeedingMMM(effect_centre="between", effect_pooling="channels")


def test_a_model_with_the_between_prior_can_be_sampled_in_other_processes(small_sim):
    """The chains' processes get the model pickled (seedmodel.inference.chains): the
    prior's log density must be there after unpickling in a fresh interpreter, as it was not
    when the prior was a ``CustomDist``."""
    from seedmodel.models.mmm.graph import build_model

    inputs = build_inputs(_one_brand(small_sim.data), SeedingMMM(effect_centre="between"))
    model = build_model(inputs)
    child = (
        "import pickle, sys; m = pickle.loads(sys.stdin.buffer.read()); "
        "print(float(m.compile_logp()(m.initial_point())))"
    )
    done = subprocess.run(
        [sys.executable, "-c", child],
        input=cloudpickle.dumps(model),
        capture_output=True,
        check=True,
    )
    here = float(model.compile_logp()(model.initial_point()))
    np.testing.assert_allclose(float(done.stdout.decode().split()[-1]), here, rtol=1e-10)


def test_default_media_by_channel_kind(small_sim):
    inputs = build_inputs(small_sim.data, SeedingMMM())
    assert inputs.spec.media["little_red_star"].adstock.name == "weibull"
    assert inputs.spec.media["red_cat"].adstock.name == "geometric"
    assert inputs.max_lag == {"little_red_star": 60, "red_cat": 21, "red_jd": 21}
    assert len(inputs.lifts) == 2 and inputs.organic is not None


def test_a_lift_test_claims_no_more_than_its_window_with_lift_transport(small_sim):
    """Each lift test's likelihood sd is hypot(se, lift_transport x measured lift)."""
    from seedmodel.models.mmm.graph import build_model

    inputs = build_inputs(small_sim.data, SeedingMMM(lift_transport=0.3))
    model = build_model(inputs)
    for i, lift in enumerate(inputs.lifts):
        sd = float(model[f"lift_{i}"].owner.inputs[-1].eval())  # Normal(mu, sigma)
        assert sd == pytest.approx(np.hypot(lift.se, 0.3 * lift.value), rel=1e-12)
        assert sd > lift.se
    plain = build_model(build_inputs(small_sim.data, SeedingMMM(lift_transport=0.0)))
    assert float(plain["lift_0"].owner.inputs[-1].eval()) == pytest.approx(inputs.lifts[0].se)
    with pytest.raises(ValueError, match="lift_transport"):
        SeedingMMM(lift_transport=-0.1)


def test_link_programmes_land_on_their_store_without_an_attribution_feed(small_sim):
    """红猫 jumps to Tmall and 红京 to JD whether or not the attribution feed is there; a
    seeding channel without the feed falls back to the platform with the most GMV."""
    for data in (small_sim.data, small_sim.data.replace(lift_tests=None, attribution=None)):
        inputs = build_inputs(data, SeedingMMM())
        home = dict(zip(inputs.channels, np.asarray(inputs.platforms)[inputs.home], strict=True))
        assert home == {"little_red_star": "tmall", "red_cat": "tmall", "red_jd": "jd"}
    moved = SeedingMMM(media={"red_jd": MediaSpec("geometric", "hill", 21, platform="tmall")})
    inputs = build_inputs(small_sim.data, moved)
    assert inputs.platforms[inputs.home[inputs.channels.index("red_jd")]] == "tmall"


def test_fit_gives_contract_roi_table(small_fit):
    sim, fit = small_fit
    table = roi(fit)
    assert list(table.columns[: len(ROI_COLUMNS)]) == ROI_COLUMNS
    assert set(table["channel"]) == {"little_red_star", "red_cat", "red_jd"}
    assert (table["roi_lo"] <= table["roi"]).all() and (table["roi"] <= table["roi_hi"]).all()
    np.testing.assert_allclose(table["spend"].sum(), sim.data.media["spend"].sum(), rtol=1e-9)
    assert (table["converged"] == fit.diagnostics.converged).all()
    d = fit.diagnostics
    assert d.chains == 2 and d.draws == 300 and d.sampler == "nutpie" and d.seconds > 0
    assert d.converged == (d.max_rhat <= 1.01 and d.min_ess_bulk >= 400 and d.divergences == 0)
    # the estimates are in the truth's neighbourhood even in this small world
    true = pd.Series(sim.truth["roi"]["LumaBeauty"])
    est = table.set_index("channel")["roi"]
    assert (abs(est - true) / true).median() < 1.0
    assert (table["mroi"] < table["roi"]).all()  # saturation: the next yuan returns less


def test_window_roi_is_inside_the_total(small_fit):
    _, fit = small_fit
    whole = roi(fit).set_index("channel")
    part = roi(fit, window=("2025-09-01", "2025-10-31")).set_index("channel")
    assert (part["spend"] < whole["spend"]).all()
    assert part["window_start"].iloc[0] == "2025-09-01"
    with pytest.raises(ValueError, match="outside the data"):
        roi(fit, window=("2030-01-01", None))


def test_saved_fit_reloads_with_identical_outputs(small_fit, tmp_path):
    _, fit = small_fit
    path = fit.save(tmp_path / "fit.nc")
    again = load_fit(path)
    pd.testing.assert_frame_equal(roi(fit), roi(again))
    assert again.diagnostics == fit.diagnostics and again.spec == fit.spec
    assert again.config == fit.config and fit.config.draws == fit.config.warmup == 300
    assert again.diagnostics.backend == "jax"  # the compiler is part of "same seed, same draws"
    assert again.diagnostics.adaptation == "diag"  # and so is the mass matrix (184 parameters)
    code = (
        "import sys; from seedmodel.fit import load_fit; "
        "from seedmodel.analysis.incremental import roi; "
        "roi(load_fit(sys.argv[1])).to_csv(sys.argv[2], index=False)"
    )
    subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "r.csv")], check=True)
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "r.csv"),
        roi(fit).pipe(lambda t: t.to_csv(tmp_path / "s.csv", index=False))
        or pd.read_csv(tmp_path / "s.csv"),
    )


def test_unknown_compiler_is_refused_before_fitting(small_sim):
    with pytest.raises(ValueError, match="backend must be one of"):
        sm.fit_mmm(small_sim.data, backend="tpu")


def test_unknown_mass_matrix_is_refused_before_fitting(small_sim):
    with pytest.raises(ValueError, match="adaptation must be one of"):
        sm.fit_mmm(small_sim.data, adaptation="dense", sampler="pymc")


def test_auto_mass_matrix_is_low_rank_only_for_small_models():
    import pymc as pm

    from seedmodel.inference.options import LOW_RANK_MAX_DIMS
    from seedmodel.inference.sample import mass_matrix

    for size, expected in ((LOW_RANK_MAX_DIMS, "low_rank"), (LOW_RANK_MAX_DIMS + 1, "diag")):
        with pm.Model() as model:
            pm.Normal("a", 0.0, 1.0, shape=size - 1)
            pm.HalfNormal("s", 1.0)  # one more unconstrained parameter (log s)
        assert mass_matrix("auto", model) == expected
        assert mass_matrix("diag", model) == "diag"
        assert mass_matrix("low_rank", model) == "low_rank"


@pytest.mark.slow
def test_numba_and_jax_compilers_give_the_same_posterior():
    """The compilers differ in speed, not in the model: two fits of one world that the model
    mixes well on agree within Monte Carlo error (independent draws, so the check can fail on
    a compiler's bug), and both land within 20% of the true ROAS. (Within 15% until
    2026-12-05: the half-saturation's wider prior, adopted on the world family in 06c0ea9,
    puts this world's always-on c1 15.3% low, 2,724 against 3,216, its 90% interval ending at
    3,128; the slow test was not run then and failed from that commit on.)"""
    data, truth = _additive_world(4)
    spec = SeedingMMM(
        media={c: MediaSpec("geometric", "logistic", 56) for c in truth},
        demand="none",
        likelihood="normal",
    )
    tables = {}
    for backend in ("jax", "numba"):
        fit = sm.fit_mmm(
            data, spec, draws=1000, tune=1000, chains=2, random_seed=3, backend=backend
        )
        assert fit.diagnostics.backend == backend
        assert fit.diagnostics.max_rhat < 1.02 and fit.diagnostics.min_ess_bulk > 150
        tables[backend] = roi(fit).set_index("channel")
        for channel, true in truth.items():
            row = tables[backend].loc[channel]
            assert abs(row["roi"] - true) / true < 0.2, (backend, channel)
    a, b = tables["jax"], tables["numba"]
    assert not np.allclose(a["roi"], b["roi"], rtol=0, atol=0)  # independent draws
    # a 90% width is ~3.3 sd; at bulk ESS >= 150 one mean's Monte Carlo error is <= sd / 12
    width = (a["roi_hi"] - a["roi_lo"] + b["roi_hi"] - b["roi_lo"]) / 2
    np.testing.assert_array_less(np.abs(a["roi"] - b["roi"]), 0.15 * width)


@pytest.mark.slow
def test_numba_draws_do_not_depend_on_what_the_compile_cache_holds(tmp_path):
    """With numba's fast-math on, code loaded from pytensor's disk cache rounded differently
    from code compiled afresh, so a machine's first fit and its second gave different numbers
    for one seed (three fits of data/sample stopped at 1,200, 1,400 and 1,600 draws)."""
    world = tmp_path / "w"
    sm.simulate(SMALL, random_seed=4).write(world)
    env = os.environ | {"PYTENSOR_FLAGS": f"base_compiledir={tmp_path / 'cache'}"}
    tables = []
    for name in ("cold", "warm"):  # the first compiles afresh, the second loads the cache
        proc = run_cli(
            "fit", world, "--out", tmp_path / name, "--draws", 200, "--seed", 5,
            "--backend", "numba", "--no-checks", "--quiet", env=env,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        tables.append((tmp_path / name / "roi.csv").read_bytes())
    assert any((tmp_path / "cache" / "numba").iterdir())  # the second run had a cache to load
    assert tables[0] == tables[1]


def test_cli_fit_same_seed_same_roi_and_not_converged_is_loud(tmp_path):
    world = tmp_path / "w"
    # 150 days, half of them held out by the check fit (30 s a run against 54 s at
    # SMALL's 240 days, most of it the check fit at its step-size target of 0.97)
    sm.simulate(replace(SMALL, days=150), random_seed=4).write(world)
    args = ("fit", world, "--draws", "40", "--seed", "5")
    loud = run_cli(*args, "--out", tmp_path / "a")
    assert loud.returncode == 0, loud.stderr
    # the same run with --strict: every file written as before, then exit 3
    strict = run_cli(*args, "--out", tmp_path / "b", "--strict")
    assert strict.returncode == 3, strict.stderr
    for name in ("roi.csv", "checks.json"):  # same seed, same numbers
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    diag = json.loads((tmp_path / "a" / "diagnostics.json").read_text())
    assert set(diag) >= {
        "max_rhat",
        "min_ess_bulk",
        "divergences",
        "converged",
        "chains",
        "draws",
        "sampler",
        "seconds",
    }
    assert 0 < diag["compile_seconds"] < diag["seconds"]  # the split, not a speed bound
    assert diag["backend"] == "jax" and diag["adaptation"] in ("diag", "low_rank")
    assert diag["brand_spreads"] == ""  # one brand: no spread between brands
    # every warm-up and kept draw of every chain takes at least one gradient (--tune = --draws)
    assert diag["gradients"] >= diag["chains"] * 2 * 40
    assert diag["converged"] is False  # 40 draws cannot give bulk ESS >= 400
    for proc in (loud, strict):
        assert "did NOT converge" in proc.stderr
    table = pd.read_csv(tmp_path / "a" / "roi.csv")
    assert (~table["converged"]).all()
    assert (tmp_path / "a" / "fit.nc").is_file()
    # the per-fit checks ran and are in diagnostics.json
    checks = json.loads((tmp_path / "a" / "checks.json").read_text())
    assert set(checks) >= {"passed", "warnings", "placebo", "forecast", "shares"}
    assert diag["checks"]["passed"] == checks["passed"]


def test_contributions_add_up_to_the_incremental_gmv(small_fit):
    """Sum of a channel's daily contributions over the data = its incremental GMV over the
    whole data minus what its spend still adds after the data ends (carryover tail)."""
    _, fit = small_fit
    daily = sm.contributions(fit)
    weekly = sm.contributions(fit, freq="W")
    table = roi(fit).set_index("channel")
    for channel, g in daily.groupby("channel"):
        assert (g["contribution_lo"] <= g["contribution"] + 1e-9).all()
        assert (g["contribution"] <= g["contribution_hi"] + 1e-9).all()
        total = g["contribution"].sum()
        assert weekly.loc[weekly["channel"] == channel, "contribution"].sum() == pytest.approx(
            total, rel=1e-9
        )
        inc = table.loc[channel, "incremental_gmv"]
        assert 0.7 * inc <= total <= inc * (1 + 1e-9)
    assert set(daily["platform"]) == set(fit.data.platform_names)
    assert daily["share"].between(-1, 1).all()
    # months by either pandas spelling (the docstring's "MS" once raised), dated by day 1
    for freq in ("M", "MS"):
        monthly = sm.contributions(fit, freq=freq)
        assert (pd.DatetimeIndex(monthly["date"]).day == 1).all()
        assert monthly["contribution"].sum() == pytest.approx(daily["contribution"].sum())
    # an anchored quarter-start offset keeps its own months (QS-JAN: Jan, Apr, Jul, Oct)
    quarters = sm.contributions(fit, freq="QS-JAN")
    assert quarters["date"].equals(sm.contributions(fit, freq="Q")["date"])
    with pytest.raises(ValueError, match="not a calendar period"):
        sm.contributions(fit, freq="fortnight")


def test_roi_reports_gmv_per_1000_interactions(small_fit):
    """GMV per yuan and GMV per 1,000 interactions describe the same incremental GMV."""
    sim, fit = small_fit
    table = roi(fit).set_index("channel")
    media = sim.data.media
    for channel, row in table.iterrows():
        acts = (
            media.loc[
                media["channel"] == channel, ["likes", "collects", "comments", "shares", "follows"]
            ]
            .to_numpy()
            .sum()
        )
        assert row["interactions"] == pytest.approx(acts)
        assert row["gmv_per_1000_interactions"] == pytest.approx(
            row["incremental_gmv"] / (acts / 1000), rel=1e-9
        )
        assert row["gmv_per_1000_interactions_lo"] < row["gmv_per_1000_interactions_hi"]


def _geometric_logistic_media(
    channels: dict[str, tuple[np.ndarray, float, float, float]],
) -> tuple[dict[str, float], np.ndarray]:
    """Media effect of the synthetic MMM worlds: per channel (spend, alpha, lam, coef),
    geometric adstock over 8 weeks, logistic saturation, coefficient in units of 1,000.
    Returns each channel's true ROAS, carryover included (eight weeks past the data count),
    and the summed effect over the data's weeks."""
    from seedmodel.transforms import adstock, geometric_weights, logistic

    truth, media = {}, 0.0
    for name, (spend, alpha, lam, coef) in channels.items():
        carried = adstock(np.append(spend, np.zeros(8)), geometric_weights(alpha, 8))
        effect = coef * logistic(carried, lam)
        truth[name] = 1000 * effect.sum() / spend.sum()
        media = media + effect[: len(spend)]
    return truth, media


def _additive_world(
    seed: int, trend: float = 0.8, season: float = 0.4
) -> tuple[sm.Dataset, dict[str, float]]:
    """A weekly single-brand table made the way many synthetic MMM examples are: additive
    baseline (level, concave trend, yearly wave), geometric adstock over 8 weeks, logistic
    saturation, and noise of constant size. ``trend`` and ``season`` set the trend's rise
    (about 1.2x it) and the wave's amplitude, in units of the base level's 1,000. Returns the
    data and each channel's true ROAS."""
    from seedmodel.adapters import from_wide

    rng = np.random.default_rng(seed)
    n = 156
    u = rng.uniform(size=(n, 2))
    spend = np.column_stack(
        [np.where(u[:, 0] > 0.85, u[:, 0], u[:, 0] / 2), np.where(u[:, 1] > 0.7, u[:, 1], 0.0)]
    )
    doy = 7.0 * np.arange(n) % 365.25
    base = (
        2.0
        + trend * ((np.linspace(0, 40, n) + 8) ** 0.25 - 1)
        + season * np.cos(2 * np.pi * doy / 365.25)
    )
    truth, media = _geometric_logistic_media(
        {"c1": (spend[:, 0], 0.5, 3.0, 2.5), "c2": (spend[:, 1], 0.25, 4.0, 1.5)}
    )
    y = 1000 * (base + media + rng.normal(0.0, 0.2, n))
    wide = pd.DataFrame(
        {
            "week": pd.date_range("2022-01-03", periods=n, freq="W-MON"),
            "y": y,
            "c1": spend[:, 0],
            "c2": spend[:, 1],
        }
    )
    return from_wide(wide, date="week", target="y", channels=["c1", "c2"]), truth


@pytest.mark.slow
def test_normal_likelihood_recovers_additive_noise_worlds():
    """On three weekly worlds with additive noise (two channels each), ``likelihood="normal"``
    errs by a median of under 12% and its 90% intervals cover at least 4 of the 6 true
    ROAS (measured: 6% and 5 of 6; the miss is an always-on channel 11% low)."""
    errors, covered = [], []
    for seed in (4, 5, 6):
        data, truth = _additive_world(seed)
        spec = SeedingMMM(
            media={c: MediaSpec("geometric", "logistic", 56) for c in truth},
            demand="none",
            likelihood="normal",
        )
        fit = sm.fit_mmm(data, spec, draws=400, tune=400, chains=2, random_seed=2)
        assert fit.diagnostics.adaptation == "low_rank"  # 19 parameters: auto learns the ridge
        table = roi(fit).set_index("channel")
        for channel, true in truth.items():
            row = table.loc[channel]
            errors.append(abs(row.roi - true) / true)
            covered.append(row.roi_lo <= true <= row.roi_hi)
    assert np.median(errors) < 0.12, errors
    assert sum(covered) >= 4, covered


def _example_like_world(seed: int) -> tuple[sm.Dataset, dict[str, float]]:
    """A table from PyMC-Marketing's example generator (the parameters listed in
    ``shared/data/external/README.md``) with another seed: additive baseline of level,
    concave trend and a two-harmonic yearly wave, two one-week events, an always-on x1 and a
    flighted x2. Returns the data and each channel's true ROAS, carryover included."""
    from seedmodel.adapters import from_wide

    rng = np.random.default_rng(seed)
    n = 179
    dates = pd.date_range("2018-04-02", periods=n, freq="W-MON")
    u1, u2 = rng.uniform(size=n), rng.uniform(size=n)
    spend = {"x1": np.where(u1 > 0.9, u1, u1 / 2), "x2": np.where(u2 > 0.8, u2, 0.0)}
    doy = np.asarray(dates.dayofyear)
    wave = -np.sin(4 * np.pi * doy / 365.5) + np.cos(2 * np.pi * doy / 365.5)
    base = 2.0 + ((np.linspace(0, 50, n) + 10) ** 0.25 - 1) + 0.5 * wave
    events = np.zeros((2, n))
    events[0, rng.integers(20, 80)] = events[1, rng.integers(100, 160)] = 1.0
    truth, media = _geometric_logistic_media(
        {"x1": (spend["x1"], 0.4, 4.0, 3.0), "x2": (spend["x2"], 0.2, 3.0, 2.0)}
    )
    y = 1000 * (base + 1.5 * events[0] + 2.5 * events[1] + media + rng.normal(0, 0.25, n))
    wide = pd.DataFrame({"week": dates, "y": y, **spend, "e1": events[0], "e2": events[1]})
    data = from_wide(wide, date="week", target="y", channels=["x1", "x2"], events=["e1", "e2"])
    return data, truth


@pytest.mark.slow
def test_additive_baseline_recovers_the_always_on_channel_of_additive_worlds():
    """Three worlds from PyMC-Marketing's example generator: with ``baseline="additive"``
    (the generator's own form) the always-on x1 errs less than with the default
    multiplicative baseline. With the budget-reaction control of 2026-12-02
    (``budget_reaction="control"``) every channel stays within 10% and 6 of 6 intervals
    cover; measured (400 draws) x1 |error| 0.038, 0.028, 0.068, x2 0.079, 0.084, 0.006.

    Today's default control (``control_scales``) also takes each channel's 3-week level
    against its 13-week level as a reaction. Spend here is drawn independently each week
    and chases nothing, so that column only takes variation the effect could have used:
    x1 |error| 0.118, 0.010, 0.117 with intervals about 18% wider (x2 0.093, 0.076, 0.009),
    6 of 6 covering. The price is bounded here (docs/mmm.md, *Thirteenth look*)."""
    x1_errors = {"multiplicative": [], "additive": []}
    errors = {"control_scales": [], "control": []}
    covered = {"control_scales": [], "control": []}
    for seed in (1, 2, 3):
        data, truth = _example_like_world(seed)
        for baseline, reaction in (
            ("multiplicative", "control_scales"),
            ("additive", "control_scales"),
            ("additive", "control"),
        ):
            spec = SeedingMMM(
                media={c: MediaSpec("geometric", "logistic", 56) for c in truth},
                demand="none",
                likelihood="normal",
                baseline=baseline,
                budget_reaction=reaction,
            )
            fit = sm.fit_mmm(data, spec, draws=400, tune=400, chains=2, random_seed=2)
            table = roi(fit).set_index("channel")
            if reaction == "control_scales":
                x1_errors[baseline].append(abs(table.loc["x1", "roi"] / truth["x1"] - 1))
            if baseline == "additive":
                for channel, true in truth.items():
                    row = table.loc[channel]
                    errors[reaction].append(abs(row.roi - true) / true)
                    covered[reaction].append(row.roi_lo <= true <= row.roi_hi)
    assert np.mean(x1_errors["additive"]) < np.mean(x1_errors["multiplicative"]), x1_errors
    assert max(errors["control"]) < 0.10, errors
    assert max(errors["control_scales"]) < 0.15, errors
    assert sum(covered["control"]) >= 5 and sum(covered["control_scales"]) >= 5, covered


def test_a_weekly_world_fits_end_to_end():
    """The default suite's weekly fit (the statistical check below is slow): one brand,
    weekly periods, every channel measured with a finite interval."""
    sim = sm.simulate(sm.WorldConfig(n_brands=1, freq="W"), random_seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = sm.fit_mmm(sim.data, draws=60, tune=100, chains=2, random_seed=0)
    assert fit.inputs.period_days == 7
    table = roi(fit)
    assert len(table) == 3 and np.isfinite(table[["roi", "roi_lo", "roi_hi"]]).all().all()
    assert (table["roi_lo"] <= table["roi"]).all() and (table["roi"] <= table["roi_hi"]).all()


@pytest.mark.slow
def test_weekly_seeding_channel_is_not_absorbed_as_a_constant():
    """A weekly 3-brand world: with a 0/1 column for each festival's peak week, the seeding
    channel's half-saturation collapsed to ~0.1 of typical spend and its flat response took
    ~40% of GMV (ROI 7-13x the truth on this seed). Without it: half 0.7, ROI 1.6-3.1x (the
    weekly fit still over-estimates; docs/benchmarks.md)."""
    sim = sm.simulate(sm.WorldConfig(n_brands=3, freq="W"), random_seed=0)
    fit = sm.fit_mmm(sim.data, draws=300, tune=300, chains=2, random_seed=0)
    c = fit.inputs.channels.index("little_red_star")
    assert fit.draws("half")[:, :, c].mean(axis=0).min() > 0.3
    table = roi(fit).set_index(["brand", "channel"])
    ratios = [
        table.loc[(brand, "little_red_star"), "roi"] / row["little_red_star"]
        for brand, row in sim.truth["roi"].items()
    ]
    assert np.median(ratios) < 4.0, ratios


def test_cli_fit_trend_and_budget_reaction_options_reach_the_saved_fit(tmp_path, capsys):
    world = tmp_path / "w"
    sm.simulate(sm.WorldConfig(n_brands=1, days=120), random_seed=4).write(world)
    out = tmp_path / "f"
    args = ["--trend", "quadratic", "--budget-reaction", "none", "--demand-fast", "none"]
    # a 60-draw warm-up takes fewer gradients than 20 (shallower trees after it)
    quick = ["--draws", "20", "--tune", "60", "--no-checks"]
    proc = run_cli("fit", str(world), "--out", str(out), *quick, *args)
    assert proc.returncode == 0, proc.stderr
    spec = load_fit(out / "fit.nc").spec
    assert (spec.trend, spec.budget_reaction, spec.demand_fast) == ("quadratic", "none", "none")
    code, err = run_main(capsys, "fit", world, "--out", out, "--budget-reaction", "maybe")
    assert code == 2 and "budget-reaction" in err


def test_weekly_shock_term_is_an_option_for_daily_data(small_sim):
    from seedmodel.models.mmm.graph import build_model

    plain = build_inputs(small_sim.data, SeedingMMM())
    assert plain.shock_basis is None and "shock_sd" not in build_model(plain).named_vars
    inp = build_inputs(small_sim.data, SeedingMMM(shocks="weekly"))
    T = inp.n_periods
    assert inp.shock_basis.shape == (T, pytest.approx(T / 7, abs=4))
    model = build_model(inp)
    assert {"shock_sd", "shock_z"} <= set(model.named_vars)
    assert model.named_vars["shock_z"].eval().shape[-1] == inp.shock_basis.shape[1]
    with pytest.raises(ValueError, match="shocks must be one of"):
        SeedingMMM(shocks="daily")


def test_the_organic_signals_fast_part_is_a_control_of_its_own(small_sim):
    from seedmodel.features import residualize

    plain = build_inputs(small_sim.data, SeedingMMM(demand_fast="none"))
    assert "demand_fast" not in plain.control_names
    inp = build_inputs(small_sim.data, SeedingMMM())  # the default since format 13
    assert inp.control_names[-1] == "demand_fast"
    assert inp.controls.shape[-1] == len(inp.control_names)
    # the column is what the state's spline cannot follow: orthogonal to its basis
    fast = residualize(inp.organic[0], inp.basis)
    assert np.abs(inp.basis.T @ fast).max() < 1e-8 * np.abs(inp.organic[0]).sum()
    assert fast.std() > 0.1  # organic notes move faster than weekly knots
    # a plain control of the organic signal, or no organic notes: nothing to add
    control = build_inputs(small_sim.data, SeedingMMM(demand="control", demand_fast="control"))
    assert "demand_fast" not in control.control_names
    quiet = sm.simulate(sm.WorldConfig(n_brands=1, days=120, organic_proxy=False), random_seed=4)
    assert "demand_fast" not in build_inputs(quiet.data, SeedingMMM()).control_names
    with pytest.raises(ValueError, match="demand_fast must be one of"):
        SeedingMMM(demand_fast="daily")


def test_brand_effects_centred_or_not_have_the_same_prior():
    """``effects`` changes how the brands' effects are sampled, not what they mean: the
    prior of each brand's effect at typical spend is the same under both forms."""
    import pymc as pm

    from seedmodel.models.mmm.graph import build_model

    sim = sm.simulate(sm.WorldConfig(n_brands=2, days=120), random_seed=3)
    draws = {}
    for form in ("centred", "noncentred"):
        inp = build_inputs(sim.data, SeedingMMM(effects=form))
        model = build_model(inp)
        own = {"centred": "log_gross", "noncentred": "log_gross_z"}
        assert own[form] in model.named_vars
        assert own["noncentred" if form == "centred" else "centred"] not in model.named_vars
        with model:
            prior = pm.sample_prior_predictive(20000, var_names=["beta"], random_seed=1)
        beta = prior.prior["beta"].isel(platform=0)  # (chain, draw, brand, channel)
        draws[form] = np.log(np.abs(beta.values)).reshape(-1)
    a, b = draws["centred"], draws["noncentred"]
    assert abs(np.median(a) - np.median(b)) < 0.1  # the prior sd is about 0.9
    assert np.std(a) == pytest.approx(np.std(b), rel=0.05)
    with pytest.raises(ValueError, match="effects must be one of"):
        SeedingMMM(effects="partial")
    # fits saved before the option were sampled with offsets, and reload so
    assert SeedingMMM.from_dict({}, format=6).effects == "noncentred"
    assert SeedingMMM.from_dict(SeedingMMM().to_dict()).effects == "auto"
    # auto: offsets on thin data (120 days), centred on a year and more of daily data
    assert "log_gross_z" in build_model(build_inputs(sim.data, SeedingMMM())).named_vars
    year = sm.simulate(sm.WorldConfig(n_brands=2, days=400), random_seed=3).data
    assert "log_gross" in build_model(build_inputs(year, SeedingMMM())).named_vars


def test_brand_spreads_fixed_keeps_each_brands_prior_variance():
    """``brand_spreads="fixed"`` takes the spreads out of the sampler at their priors' root
    mean square: the brands' effects keep the prior variance the learnt spread gives them;
    ``effect`` and ``auto`` with two to four brands fix only the effects' spread, and
    ``auto`` learns both with five (with three in a fit saved before format 12, with four
    in one saved in format 12 before the thirty-third session, which says so)."""
    import pymc as pm

    from seedmodel.models.mmm.graph import build_model

    sim = sm.simulate(sm.WorldConfig(n_brands=2, days=120), random_seed=3)
    spreads = {"log_gross_sd", "log_half_sd"}
    draws = {}
    for mode in ("learnt", "fixed"):
        model = build_model(build_inputs(sim.data, SeedingMMM(brand_spreads=mode)))
        named = set(model.named_vars)
        assert spreads <= named if mode == "learnt" else not spreads & named
        with model:
            prior = pm.sample_prior_predictive(8000, var_names=["beta"], random_seed=1)
        beta = prior.prior["beta"].isel(platform=0)  # (chain, draw, brand, channel)
        log_beta = np.log(np.abs(beta.values))
        draws[mode] = log_beta.reshape(-1)
        # the two brands' difference: its variance is 2 E[sd^2] either way
        draws[mode + "_diff"] = (log_beta[..., 0, :] - log_beta[..., 1, :]).reshape(-1)
    assert np.median(draws["learnt"]) == pytest.approx(np.median(draws["fixed"]), abs=0.1)
    assert np.std(draws["learnt"]) == pytest.approx(np.std(draws["fixed"]), rel=0.05)
    # the difference also carries the half-saturations' spread through beta's curve: the
    # learnt spread's mixture has heavier tails, the same second moment
    assert np.var(draws["learnt_diff"]) == pytest.approx(np.var(draws["fixed_diff"]), rel=0.1)
    auto = SeedingMMM(brand_spreads="auto")
    for spec in (auto, SeedingMMM(brand_spreads="effect")):  # the effects' spread only
        named = set(build_model(build_inputs(sim.data, spec)).named_vars)
        assert "log_half_sd" in named and "log_gross_sd" not in named
    three = sm.simulate(sm.WorldConfig(n_brands=3, days=120), random_seed=3).data
    four = sm.simulate(sm.WorldConfig(n_brands=4, days=120), random_seed=3).data
    five = sm.simulate(sm.WorldConfig(n_brands=5, days=120), random_seed=3).data
    six = sm.simulate(sm.WorldConfig(n_brands=6, days=120), random_seed=3).data
    for fewer in (three, four, five):
        assert "log_gross_sd" not in build_model(build_inputs(fewer, auto)).named_vars
    assert spreads <= set(build_model(build_inputs(six, auto)).named_vars)
    # format-12 fits from before the default moved to five and to six carry their own 4 and
    # 5, and keep them
    for at, brands in ((4, four), (5, five)):
        twelve = SeedingMMM.from_dict({**auto.to_dict(), "learnt_spread_brands": at}, format=12)
        assert spreads <= set(build_model(build_inputs(brands, twelve)).named_vars)
    # a format-11 fit learnt the spreads from three brands on, and reloads so
    saved = {k: v for k, v in auto.to_dict().items() if k != "learnt_spread_brands"}
    eleven = SeedingMMM.from_dict(saved, format=11)
    assert eleven.learnt_spread_brands == 3
    assert spreads <= set(build_model(build_inputs(three, eleven)).named_vars)
    for bad in (1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="learnt_spread_brands must be an integer >= 2"):
            SeedingMMM(learnt_spread_brands=bad)
    assert SeedingMMM(learnt_spread_brands=np.int64(5)) == SeedingMMM(learnt_spread_brands=5)
    with pytest.raises(ValueError, match="brand_spreads must be one of"):
        SeedingMMM(brand_spreads="none")
    cauchy = {"log_gross_sd": PriorSpec("HalfCauchy", beta=0.5)}
    with pytest.raises(ValueError, match="HalfCauchy prior has no root mean square"):
        SeedingMMM(brand_spreads="fixed", priors=cauchy)
    with pytest.raises(ValueError, match="HalfCauchy prior has no root mean square"):
        SeedingMMM(brand_spreads="effect", priors=cauchy)
    # a spread that is learnt may take any prior; auto learns it from six brands on
    SeedingMMM(brand_spreads="learnt", priors=cauchy)
    cauchy_auto = SeedingMMM(priors=cauchy)
    assert "log_gross_sd" in build_model(build_inputs(six, cauchy_auto)).named_vars
    with pytest.raises(ValueError, match="HalfCauchy prior has no root mean square"):
        build_model(build_inputs(sim.data, cauchy_auto))
    # fits saved before the option learnt the spreads, and reload so
    assert SeedingMMM.from_dict({}, format=10).brand_spreads == "learnt"
    assert SeedingMMM.from_dict(SeedingMMM().to_dict()).brand_spreads == "auto"


def test_a_fit_says_how_it_took_the_brands_spreads(small_fit):
    """``Fit.brand_spreads`` (in diagnostics.json) names what the model did with the
    brands' spreads on the fit's own data, ``auto`` resolved by its number of brands; one
    brand has no spread to take."""
    import dataclasses

    _, fit = small_fit  # one brand
    assert fit.brand_spreads == "" and fit.diagnostics_record()["brand_spreads"] == ""
    assert fit.diagnostics_record()["max_rhat"] == fit.diagnostics.to_dict()["max_rhat"]
    three = sm.simulate(sm.WorldConfig(n_brands=3, days=60), random_seed=3).data
    four = sm.simulate(sm.WorldConfig(n_brands=4, days=60), random_seed=3).data
    said = {
        (n, mode, at): dataclasses.replace(
            fit, data=d, spec=SeedingMMM(brand_spreads=mode, learnt_spread_brands=at)
        ).brand_spreads
        for n, d in ((3, three), (4, four))
        for mode in ("auto", "learnt", "effect", "fixed")
        for at in (3, 4)
    }
    assert said[(3, "auto", 4)] == "effect" and said[(4, "auto", 4)] == "learnt"
    assert dataclasses.replace(fit, data=four).brand_spreads == "effect"  # default: from 6
    assert said[(3, "auto", 3)] == "learnt"  # a format-11 fit's rule
    for key, mode in said.items():
        if key[1] != "auto":  # an explicit choice is taken whatever the brands
            assert mode == key[1], key


def test_share_pooling_none_gives_each_brand_the_one_brand_share_prior():
    """``share_pooling="none"`` (the default): each brand's cross-platform share logits are
    its own, with the one-brand prior; ``brands`` draws them around a learnt mean."""
    import pymc as pm

    from seedmodel.models.mmm.graph import build_model

    sim = sm.simulate(sm.WorldConfig(n_brands=2, days=120), random_seed=3)
    own = build_model(build_inputs(sim.data, SeedingMMM()))
    pooled = build_model(build_inputs(sim.data, SeedingMMM(share_pooling="brands")))
    assert {"share_mu", "share_sd", "share_z"} <= set(pooled.named_vars)
    assert not {"share_mu", "share_sd", "share_z"} & set(own.named_vars)
    logit = own.named_vars["share_logit"]
    assert own.named_vars_to_dims["share_logit"] == ("brand", "cross")
    one_brand = sm.simulate(sm.WorldConfig(n_brands=1, days=120), random_seed=3).data
    one = build_model(build_inputs(one_brand, SeedingMMM()))
    one_logit = one.named_vars["share_logit"]
    n_cross = pm.draw(one_logit).shape[-1]
    assert pm.draw(logit).shape == (2, n_cross)
    for k in (-2, -1):  # Normal(mu, sigma): the same centre and width for every brand
        a, b = logit.owner.inputs[k].eval(), one_logit.owner.inputs[k].eval()
        np.testing.assert_allclose(
            np.broadcast_to(a, (2, n_cross)), np.broadcast_to(b, (2, n_cross))
        )
    with pytest.raises(ValueError, match="share_pooling must be one of"):
        SeedingMMM(share_pooling="partial")


def test_the_chains_start_where_every_gradient_is_non_zero():
    """nutpie refuses a start where a log-density gradient is exactly zero, and a refused
    start costs a second compile: the starting point moves every such variable off the
    prior's centre, centred brand effects (a year of daily data) and offsets alike."""
    from seedmodel.fit import starting_point
    from seedmodel.models.mmm.graph import build_model

    year = sm.simulate(sm.WorldConfig(n_brands=2, days=400), random_seed=3).data
    for form in ("centred", "noncentred"):
        inp = build_inputs(year, SeedingMMM(effects=form))
        model = build_model(inp)
        point = dict(model.initial_point())
        for rv, value in starting_point(model, inp).items():
            point[model.rvs_to_values[model[rv]].name] = value
        grad = np.asarray(model.compile_dlogp(mode="JAX")(point))
        assert np.all(grad != 0), form
        centre = dict(model.initial_point())
        assert np.any(np.asarray(model.compile_dlogp(mode="JAX")(centre)) == 0), form


@pytest.mark.parametrize("brands", [1, 2])
def test_halo_store_size_centres_the_seeding_halo_on_the_other_stores_size(brands):
    """``halo="store_size"``: the prior of 小红星's effect on JD, in yuan per yuan of its Tmall
    effect, has its median at JD's mean GMV over Tmall's, brand by brand; a link channel's
    stays centred on 0, and ``halo="zero"`` (the default) centres every one on 0."""
    import pymc as pm

    from seedmodel.models.mmm.graph import build_model
    from seedmodel.sim.family import family_world

    sim = sm.simulate(family_world(0, n_brands=brands).config, random_seed=3)
    for halo in ("zero", "store_size"):
        inp = build_inputs(sim.data, SeedingMMM(halo=halo))
        with build_model(inp):
            prior = pm.sample_prior_predictive(4000, var_names=["beta"], random_seed=1)
        beta = prior.prior["beta"].stack(s=("chain", "draw"))  # (brand, channel, platform, s)
        scale = xr.DataArray(inp.gmv_scale, dims=("brand", "platform"))
        yuan = beta * scale  # each platform's effect in yuan of GMV
        halo_of = (yuan.sel(platform="jd") / yuan.sel(platform="tmall")).median("s")
        other = inp.gmv_scale[:, 1] / inp.gmv_scale[:, 0]  # JD over Tmall, per brand
        assert other.min() > 0.2 and other.max() < 0.9  # inside the share's range
        want = other if halo == "store_size" else np.zeros(brands)
        np.testing.assert_allclose(halo_of.sel(channel="little_red_star"), want, atol=0.03)
        link = (yuan.sel(platform="tmall") / yuan.sel(platform="jd")).median("s")
        np.testing.assert_allclose(link.sel(channel="red_jd"), 0.0, atol=0.03)
    with pytest.raises(ValueError, match="halo must be one of"):
        SeedingMMM(halo="full")
    assert SeedingMMM.from_dict(SeedingMMM(halo="store_size").to_dict()).halo == "store_size"


def test_organic_echo_lets_organic_notes_follow_the_paid_notes(small_sim):
    """``organic_echo="paid"``: the organic signal's mean is the state plus each brand's
    coefficients on its paid inputs carried over at the two fixed half-lives, and the paid
    notes' reads per yuan measure the state too; the default model is unchanged."""
    from seedmodel.models.mmm.graph import build_model
    from seedmodel.models.mmm.inputs import ECHO_HALF_LIVES

    plain = build_inputs(small_sim.data, SeedingMMM())
    assert plain.echo_basis is None and "organic_echo" not in build_model(plain).named_vars
    inp = build_inputs(small_sim.data, SeedingMMM(organic_echo="paid"))
    B, C, T = len(inp.brands), len(inp.channels), inp.n_periods
    assert inp.echo_basis.shape == (B, C * len(ECHO_HALF_LIVES), T)
    np.testing.assert_allclose(inp.echo_basis.mean(axis=-1), 0.0, atol=1e-9)
    spends = inp.spend.sum(axis=-1) > 0
    np.testing.assert_allclose(
        inp.echo_basis.std(axis=-1), np.tile(spends, len(ECHO_HALF_LIVES)).astype(float)
    )
    # the slow echo lags the fast one: it correlates with the input less than the fast one
    x = inp.x[0, 0, :T]
    fast, slow = inp.echo_basis[0, 0], inp.echo_basis[0, C]
    assert np.corrcoef(x, fast)[0, 1] > np.corrcoef(x, slow)[0, 1] > 0
    model = build_model(inp)
    assert model.named_vars["organic_echo"].eval().shape == (B, C * len(ECHO_HALF_LIVES))
    # the paid notes' reads per yuan measure the state too, every loading free: the first
    # channel's loading is not fixed at 1 (then only its prior would move its gradient)
    assert {"organic_obs", "rate_obs", "rate_loading"} <= set(model.named_vars)
    point = {k: v + 0.1 for k, v in model.initial_point().items()}
    grad = model.compile_dlogp(vars=[model.named_vars["rate_loading"]])(point)
    assert np.all(np.abs(grad.reshape(B, C)[:, 0] - (-0.1)) > 1e-6)
    assert np.isfinite(model.compile_logp()(point))
    # the spec round-trips, and older specs mean "none"
    spec = SeedingMMM(organic_echo="paid")
    assert SeedingMMM.from_dict(spec.to_dict()) == spec
    assert SeedingMMM.from_dict({}, format=9).organic_echo == "none"
    with pytest.raises(ValueError, match="organic_echo must be one of"):
        SeedingMMM(organic_echo="all")
    with pytest.raises(ValueError, match="latent"):
        SeedingMMM(organic_echo="paid", demand="control")
