"""The model-fit view: expected against actual GMV, R² / MAPE, and a log-likelihood that
ArviZ's loo reads."""

from __future__ import annotations

import numpy as np
import pytest

from seedmodel.analysis.fitted import (
    _thinned,
    expected_gmv_draws,
    fit_quality,
    fitted_gmv,
    log_likelihood,
)


def test_fitted_gmv_tracks_the_actual_gmv(small_fit):
    sim, fit = small_fit
    table = fitted_gmv(fit, draws=20)
    inp = fit.inputs
    assert len(table) == len(inp.brands) * len(inp.platforms) * inp.n_periods
    sales = sim.data.sales.set_index(["date", "brand", "platform"])["gmv"]
    got = table.set_index(["date", "brand", "platform"])["actual"]
    np.testing.assert_allclose(got, sales.loc[got.index], rtol=1e-9)
    assert (table["fitted_lo"] <= table["fitted"]).all() and (
        table["fitted"] <= table["fitted_hi"]
    ).all()
    quality = fit_quality(table)
    # a short, noisy world: the weekly fit is good, the daily one reasonable; a model that
    # ignored the data (a constant) would have R² near 0
    assert (quality["r2_weekly"] > 0.6).all(), quality
    assert (quality["mape"] < 0.25).all(), quality


def test_expected_gmv_at_all_draws_at_once_equals_pymc_draw_by_draw(small_fit):
    """The batched evaluation (seedmodel.analysis.at_draws) against PyMC's own loop over
    draws, on the same thinned draws of a real fit: the same numbers, labelled."""
    import pymc as pm

    from seedmodel.models.mmm.graph import build_model

    _, fit = small_fit
    got = expected_gmv_draws(fit, draws=7)
    posterior = _thinned(fit, 7)
    model = build_model(fit.inputs, keep_mu=True)
    free = [rv.name for rv in model.free_RVs]
    want = (
        pm.compute_deterministics(
            posterior[free], model=model, var_names=["mu"], progressbar=False
        )["mu"].values
        * fit.inputs.gmv_scale[..., None]
    )
    assert got.dims == ("chain", "draw", "brand", "platform", "date")
    assert got.shape == want.shape and got.sizes["draw"] == 7
    np.testing.assert_allclose(got.values, want, rtol=1e-10)
    assert list(got["brand"].values) == list(fit.inputs.brands)
    np.testing.assert_array_equal(got["draw"].values, posterior["draw"].values)


def test_log_likelihood_feeds_arviz_loo(small_fit):
    import arviz as az

    _, fit = small_fit
    tree = log_likelihood(fit, draws=30)
    n_obs = int(fit.inputs.observed.sum())
    assert tree["log_likelihood"]["gmv"].shape[-1] == n_obs
    loo = az.loo(tree, var_name="gmv")
    assert np.isfinite(float(loo.elpd_loo if hasattr(loo, "elpd_loo") else loo["elpd"]))


def test_posterior_predictive_covers_the_observed_gmv_at_its_rate(small_fit):
    from seedmodel.analysis.fitted import posterior_predictive

    _, fit = small_fit
    tree = posterior_predictive(fit, draws=50)
    pred = tree["posterior_predictive"]["gmv"].values
    actual = tree["observed_data"]["gmv"].values
    assert pred.shape[-1] == actual.shape[0] == int(fit.inputs.observed.sum())
    flat = pred.reshape(-1, pred.shape[-1])
    lo, hi = np.quantile(flat, [0.05, 0.95], axis=0)
    coverage = float(((actual >= lo) & (actual <= hi)).mean())
    # new days' GMV, noise included: near its nominal 90% (the expected GMV's band would
    # cover far fewer days)
    assert 0.8 <= coverage <= 0.98, coverage


def test_predictive_coverage_is_the_check_per_brand_and_platform(small_fit):
    from seedmodel.analysis.fitted import posterior_predictive, predictive_coverage

    _, fit = small_fit
    table = predictive_coverage(fit, draws=50)
    inp = fit.inputs
    assert len(table) == len(inp.brands) * len(inp.platforms)
    assert table["periods"].sum() == int(fit.inputs.observed.sum())
    assert table["ppc_coverage"].between(0.8, 0.98).all(), table
    # the same numbers as the predictive draws of one cell, by hand
    tree = posterior_predictive(fit, draws=50)
    obs = tree["observed_data"].to_dataset()
    first = (obs["brand"] == inp.brands[0]) & (obs["platform"] == inp.platforms[0])
    pred = tree["posterior_predictive"]["gmv"].values.reshape(-1, obs.sizes["obs"])[:, first]
    lo, hi = np.quantile(pred, [0.05, 0.95], axis=0)
    actual = obs["gmv"].values[first]
    expected = float(((actual >= lo) & (actual <= hi)).mean())
    assert table["ppc_coverage"].iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize("residual", ["ar1", "iid"])
def test_student_t_noise_reaches_the_log_likelihood_and_the_predictive(small_sim, residual):
    """With ``noise="student_t"`` the pointwise log-likelihood is the graph's, term for term
    (AR(1) or independent residuals), and the predictive draws heavy-tailed noise."""
    import warnings

    import seedmodel as sm
    from seedmodel.analysis.fitted import noise_draws, posterior_predictive
    from seedmodel.fit import NotConvergedWarning
    from seedmodel.models.mmm.graph import build_model

    spec = sm.SeedingMMM(noise="student_t", demand="none", residual=residual)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = sm.fit_mmm(small_sim.data, spec, draws=20, tune=20, random_seed=1)
    tree = log_likelihood(fit, draws=4)
    post = tree["posterior"]
    model = build_model(fit.inputs)
    point = {}
    for rv in model.free_RVs:
        value = post[rv.name].values[0, 0]
        transform = model.rvs_to_transforms.get(rv)
        if transform is not None:
            value = transform.forward(value, *rv.owner.inputs).eval()
        point[model.rvs_to_values[rv].name] = value
    total = model.compile_logp(jacobian=False)(point)
    # priors and the lift tests' likelihood; GMV's (a potential for AR(1), an observed
    # variable for independent residuals) is what is left
    lifts = [rv for rv in model.observed_RVs if rv.name.startswith("lift_")]
    others = model.compile_logp(vars=[*model.free_RVs, *lifts], jacobian=False)
    graph = float(total - others(point))
    ours = float(tree["log_likelihood"]["gmv"].values[0, 0].sum())
    assert ours == pytest.approx(graph, rel=1e-8)
    assert posterior_predictive(fit, draws=10)["posterior_predictive"]["gmv"].notnull().all()
    heavy = noise_draws(np.random.default_rng(0), (200_000,), np.array(3.0))
    assert np.mean(np.abs(heavy) > 4) > 10 * np.mean(
        np.abs(np.random.default_rng(0).standard_normal(200_000)) > 4
    )
