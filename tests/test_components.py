"""Every registered carryover and saturation component: its NumPy function equals its
PyTensor twin, its derivative equals the numerical one, its priors create the parameters the
analysis reads, and it round-trips through a MediaSpec and a fit file's spec."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest

from seedmodel.models.mmm.spec import MediaSpec, SeedingMMM
from seedmodel.transforms.components import (
    ADSTOCKS,
    SATURATIONS,
    Saturation,
    adstock_from,
    register,
    saturation_from,
)

rng = np.random.default_rng(0)


def _draw_params(component, period_days: int = 1) -> dict[str, np.ndarray]:
    """Three draws of each parameter from the component's own priors."""
    with pm.Model():
        made = component.variables("c", period_days)
        return {k: pm.draw(v, draws=3, random_seed=1) for k, v in made.items()}


@pytest.mark.parametrize("name", sorted(ADSTOCKS))
def test_adstock_numpy_equals_pytensor_and_sums_to_one(name):
    component = ADSTOCKS[name]()
    params = _draw_params(component)
    assert set(params) == set(component.params)
    want = component.weights(params, 30)
    assert want.shape == (3, 31)
    np.testing.assert_allclose(want.sum(axis=1), 1.0)
    sym = {k: pt.dscalar(k) for k in params}
    f = pytensor.function(list(sym.values()), component.pt_weights(sym, 30))
    for s in range(3):
        got = f(*(params[k][s] for k in sym))
        np.testing.assert_allclose(got, want[s], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(SATURATIONS))
def test_saturation_numpy_equals_pytensor_and_its_derivative(name):
    component = SATURATIONS[name]()
    shape = {k: v[0] for k, v in _draw_params(component).items()}
    assert set(shape) == set(component.params)
    a = np.linspace(0.0, 6.0, 25)
    half = 1.3
    want = component(a, half, **shape)
    assert want[0] == pytest.approx(0.0, abs=1e-9) and np.all(np.diff(want) > 0)
    assert np.all((want >= 0) & (want < 1))
    sa, sh = pt.dvector("a"), pt.dscalar("h")
    sym = {k: pt.dscalar(k) for k in shape}
    f = pytensor.function([sa, sh, *sym.values()], component.pt(sa, sh, **sym))
    np.testing.assert_allclose(f(a, half, *shape.values()), want, rtol=1e-9, atol=1e-12)
    # the optimizer's gradient: analytic derivative = central difference (away from 0)
    x = np.linspace(0.2, 6.0, 20)
    value, slope = component.with_slope(x, half, **shape)
    np.testing.assert_allclose(value, component(x, half, **shape), rtol=1e-12)
    eps = 1e-6
    numeric = (component(x + eps, half, **shape) - component(x - eps, half, **shape)) / (2 * eps)
    np.testing.assert_allclose(slope, numeric, rtol=1e-6)


@pytest.mark.parametrize("adstock", sorted(ADSTOCKS))
@pytest.mark.parametrize("saturation", sorted(SATURATIONS))
def test_components_round_trip_by_their_names(adstock, saturation):
    spec = SeedingMMM(media={"red_cat": MediaSpec(adstock, saturation, 14)})
    again = SeedingMMM.from_dict(spec.to_dict())
    assert again == spec and hash(again) == hash(spec)
    assert spec.to_dict()["media"]["red_cat"]["adstock"] == adstock  # a fit file's JSON
    assert MediaSpec(ADSTOCKS[adstock](), SATURATIONS[saturation]()) == MediaSpec(
        adstock, saturation
    )
    assert (
        adstock_from(adstock) == ADSTOCKS[adstock]()
        and saturation_from(saturation).name == saturation
    )


def test_unknown_or_unregistered_components_are_refused():
    with pytest.raises(ValueError, match="adstock must be one of"):
        MediaSpec("exponential")
    with pytest.raises(ValueError, match="saturation must be one of"):
        MediaSpec("weibull", "tanh")

    class Private(Saturation):  # never registered
        name = "private"

        def __call__(self, a, half, **params):
            return a

        pt = with_slope = __call__

    with pytest.raises(ValueError, match="not a registered saturation"):
        MediaSpec("weibull", Private())
    with pytest.raises(ValueError, match="already registered"):
        register(type("Hill2", (SATURATIONS["hill"],), {"name": "hill"}))


def test_a_channel_with_a_learnt_hill_slope_is_fitted_and_analysed(small_sim):
    """The added component works end to end: graph, ROI counterfactuals and plan."""
    import warnings

    import seedmodel as sm
    from seedmodel.fit import NotConvergedWarning

    spec = SeedingMMM(media={"red_cat": MediaSpec("geometric", "hill_slope", 21)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = sm.fit_mmm(small_sim.data, spec, draws=60, tune=60, random_seed=1)
    assert "red_cat__slope" in fit.posterior["posterior"]
    from seedmodel.analysis.posterior import MediaPosterior

    slope = MediaPosterior.from_fit(fit).draws["slope"]  # labelled: NaN where no slope
    np.testing.assert_array_equal(slope.sel(channel="red_cat"), fit.draws("red_cat__slope"))
    assert slope.sel(channel="little_red_star").isnull().all()
    table = sm.roi(fit)
    assert (
        np.isfinite(table["roi"]).all() and (table.query("channel == 'red_cat'")["roi"] > 0).all()
    )
    budget = float(table["spend"].sum()) / 8
    plan = sm.allocate(fit, budget=budget, days=30).table
    assert 0 < plan["recommended_spend"].sum() <= budget * (1 + 1e-6)
    assert np.isfinite(plan["expected_incremental_gmv"]).all()


def test_the_simulators_curves_are_the_models():
    """The simulator's NumPy helpers (seedmodel.transforms) and the model's components are
    the same curves (the simulator's logistic is parametrised by a rate, 1 / half)."""
    from seedmodel.transforms import geometric_weights, hill, logistic, weibull_weights

    a = np.linspace(0.0, 5.0, 21)
    np.testing.assert_allclose(hill(a, 1.3), SATURATIONS["hill"]()(a, 1.3), rtol=1e-12)
    np.testing.assert_allclose(
        hill(a, 1.3, 1.8), SATURATIONS["hill_slope"]()(a, 1.3, slope=1.8), atol=1e-12
    )
    np.testing.assert_allclose(logistic(a, 1 / 1.3), SATURATIONS["logistic"]()(a, 1.3), rtol=1e-12)
    np.testing.assert_allclose(
        geometric_weights(0.6, 20), ADSTOCKS["geometric"]().weights({"alpha": 0.6}, 20)[0]
    )
    model = ADSTOCKS["weibull"]().weights({"shape": 1.7, "scale": 9.5}, 60)[0]
    np.testing.assert_allclose(weibull_weights(1.7, 9.5, 60), model, atol=1e-10)


def test_priors_are_data_a_spec_can_override_and_a_fit_records(small_fit, tmp_path):
    import pymc as pm

    from seedmodel.fit import effective_priors, load_fit
    from seedmodel.models.mmm.graph import build_model
    from seedmodel.models.mmm.inputs import build_inputs
    from seedmodel.models.mmm.priors import PRIORS
    from seedmodel.transforms.components import PriorSpec

    wide = PriorSpec("HalfNormal", sigma=0.5)
    spec = SeedingMMM(priors={"sigma": wide})
    assert spec.prior("sigma") == wide and spec.prior("rho") == PRIORS["rho"]
    assert SeedingMMM.from_dict(spec.to_dict()) == spec
    with pytest.raises(ValueError, match="'sigmas' is not a SeedingMMM parameter"):
        SeedingMMM(priors={"sigmas": wide})
    _, fit = small_fit
    # the graph reads the table: the override changes sigma's prior and nothing else
    models = [build_model(build_inputs(fit.data, s)) for s in (SeedingMMM(), spec)]
    point = models[0].initial_point()
    logps = [m.compile_logp(vars=[m["sigma"]])(point) for m in models]
    sigma = point["sigma_log__"]
    want = (
        pm.logp(pm.HalfNormal.dist(0.5), np.exp(sigma)).eval()
        - pm.logp(pm.HalfNormal.dist(0.2), np.exp(sigma)).eval()
    )
    assert logps[1] - logps[0] == pytest.approx(want.sum(), rel=1e-9)
    # every prior in effect, components' included, is in the fit file
    saved = effective_priors(fit.spec, fit.data.period_days)
    assert saved["little_red_star__mean"]["dist"] == "LogNormal" and "sigma" in saved
    again = load_fit(fit.save(tmp_path / "fit.nc"))
    assert effective_priors(again.spec, again.data.period_days) == saved
