"""Local prior sensitivity (seedmodel.analysis.prior_sensitivity): against a conjugate
normal model, where the derivative of the posterior mean with respect to the prior's
centre is known exactly, and on a real fit."""

from __future__ import annotations

import numpy as np
import pytest

from seedmodel.analysis.prior_sensitivity import centre_variance


def _conjugate(n: int, rng, s=0.7, sigma=1.0, chains=4, draws=4000):
    """Exact posterior draws of a normal mean x with prior Normal(0, s) after ``n``
    observations of standard deviation ``sigma``, with the prior's score times ``s``
    (a centre uncertain by its prior's sd) per draw; and d E[x] / d centre exactly."""
    y = rng.normal(0.5, sigma, size=n)
    precision = 1 / s**2 + n / sigma**2
    mean = (y.sum() / sigma**2) / precision
    x = rng.normal(mean, precision**-0.5, size=(chains, draws))
    derivative = (1 / s**2) / precision  # d E[x] / d mu0
    return x, (x / s)[..., None], derivative


@pytest.mark.parametrize("n", [0, 3, 30, 3000])
def test_matches_the_exact_derivative_of_a_conjugate_posterior_mean(n):
    rng = np.random.default_rng(n)
    s = 0.7
    x, scores, derivative = _conjugate(n, rng, s=s)
    # the centre moves by s on its own: the mean moves by s * derivative
    exact = (s * derivative) ** 2
    v = float(centre_variance(x, scores))
    assert v == pytest.approx(exact, rel=0.1, abs=2e-4)


@pytest.mark.parametrize("n, data_mean", [(3, 2.0), (30, 1.0), (1, -1.5)])
def test_matches_the_exact_derivative_in_the_priors_width(n, data_mean):
    # x ~ Normal(0, s), y_i ~ Normal(x, 1): d E[x] / d log s = 2 (m - 0) / (s**2 P), where m
    # and P are the posterior's mean and precision
    from seedmodel.analysis.prior_sensitivity import WIDTH_LOG_SD

    rng = np.random.default_rng(n)
    s = 0.7
    precision = 1 / s**2 + n
    mean = n * data_mean / precision
    x = rng.normal(mean, precision**-0.5, size=(4, 20000))
    scores = (WIDTH_LOG_SD * ((x / s) ** 2 - 1.0))[..., None]
    exact = (WIDTH_LOG_SD * 2 * mean / (s**2 * precision)) ** 2
    assert float(centre_variance(x, scores)) == pytest.approx(exact, rel=0.15)


def test_a_quantity_at_its_priors_centre_gains_nothing_from_the_width():
    rng = np.random.default_rng(4)
    x = rng.normal(0.0, 0.3, size=(4, 20000))  # the posterior sits on the prior's centre
    scores = (np.log(2.0) * ((x / 0.7) ** 2 - 1.0))[..., None]
    assert float(centre_variance(x, scores)) < 1e-4 * x.var()


def test_a_quantity_the_prior_alone_decides_gains_as_much_again():
    # no data: the posterior is the prior, and a centre as uncertain as the prior is wide
    # doubles its variance (sd x sqrt(2))
    rng = np.random.default_rng(1)
    x, scores, _ = _conjugate(0, rng)
    assert float(centre_variance(x, scores)) == pytest.approx(x.var(), rel=0.1)


def test_is_unit_free_and_ignores_what_no_centre_moves():
    rng = np.random.default_rng(2)
    x, scores, _ = _conjugate(3, rng)
    v = float(centre_variance(x, scores))
    assert float(centre_variance(1000.0 * x, scores)) == pytest.approx(1e6 * v)
    unrelated = float(centre_variance(rng.normal(size=x.shape), scores))
    assert unrelated < 0.02 * v


def test_on_a_fit_the_prior_centres_widen_beyond_the_months_alone(small_fit):
    import seedmodel as sm
    from seedmodel.analysis.fitted import _thinned
    from seedmodel.analysis.prior_sensitivity import prior_scores

    sim, fit = small_fit
    scores = prior_scores(fit, _thinned(fit, 1000))
    names = {str(c).split("[")[0] for c in scores["centre"].values}
    # a one-brand fit: the brand's own effect level, half-saturation and shares, each
    # prior's centre and width
    assert {"log_gross", "log_half", "log_gross:width", "log_half:width"} <= names
    assert len(scores["centre"]) >= 4 * len(fit.inputs.channels)
    months = sm.roi(fit, prior_centres=False).set_index(["brand", "channel"])
    both = sm.roi(fit).set_index(["brand", "channel"])  # the default
    spend = sim.data.media.groupby(["brand", "channel"])["spend"].sum()
    paid = spend[spend > 0].index
    for q in ("roi", "mroi"):
        assert (both.loc[paid, f"{q}_widening"] >= months.loc[paid, f"{q}_widening"] - 1e-9).all()
        assert (both.loc[paid, f"{q}_lo"] <= months.loc[paid, f"{q}_lo"] + 1e-9).all()
        assert (both.loc[paid, f"{q}_hi"] >= months.loc[paid, f"{q}_hi"] - 1e-9).all()
    # one brand alone: its own priors decide part of every channel's number
    assert (both.loc[paid, "roi_widening_prior"] > 1.01).any()
    assert (months.loc[paid, "roi_widening_prior"] == 1.0).all()
    # the point estimates are the posterior means either way
    assert np.allclose(both.loc[paid, "roi"], months.loc[paid, "roi"])


class _Unfitted:
    """What the brands' spread needs of a fit: its spec and inputs (no draws)."""

    def __init__(self, data, spec):
        from seedmodel.models.mmm.inputs import build_inputs

        self.data, self.spec = data, spec
        self.inputs = build_inputs(data, spec)


@pytest.mark.parametrize("centred", [True, False])
def test_the_brands_fixed_effect_spread_is_a_width_read_in_its_own_units(small_sim, centred):
    # two brands: each brand's effect sits around its channel's mean with the spread fixed
    # at its prior's root mean square (0.5); the width's score is in units of that spread
    import xarray as xr

    import seedmodel as sm
    from seedmodel.analysis.prior_sensitivity import _brand_spread_z
    from seedmodel.models.mmm.spec import SeedingMMM

    spec = SeedingMMM(effects="centred" if centred else "noncentred")
    fit = _Unfitted(small_sim.data.replace(lift_tests=None), spec)
    rng = np.random.default_rng(5)
    B, C = len(fit.inputs.brands), len(fit.inputs.channels)
    assert B == 2 and spec.fixed_spreads(B) == ("log_gross_sd",)
    z = rng.normal(size=(2, 50, B, C))
    mu = rng.normal(-3.0, 0.7, size=(2, 50, C))
    dims = ("chain", "draw", "brand", "channel")
    posterior = xr.Dataset({"log_gross_mu": (("chain", "draw", "channel"), mu)})
    if centred:
        posterior["log_gross"] = (dims, mu[:, :, None, :] + 0.5 * z)
    else:
        posterior["log_gross_z"] = (dims, z)
    got = _brand_spread_z(fit, posterior)
    assert np.allclose(got.transpose(*dims).values, z)
    # a learnt spread, or one brand, has no fixed width of this kind
    learnt = _Unfitted(fit.data, SeedingMMM(brand_spreads="learnt"))
    assert _brand_spread_z(learnt, posterior) is None
    one = sm.simulate(sm.WorldConfig(start="2025-05-01", n_brands=1, days=120), random_seed=3)
    assert _brand_spread_z(_Unfitted(one.data, spec), posterior) is None


def test_the_seeding_lags_log_normal_priors_are_beliefs_read_in_log_units():
    """The seeding channel's lag (its mean and shape, log-normal priors the data of a
    mostly-on channel rarely decide) gets a centre's and a width's score like the effect's:
    ``z`` taken on the log scale. The link channels' geometric decay (a Beta prior) and
    variables without a prior of fixed centre get none."""
    import xarray as xr

    import seedmodel as sm
    from seedmodel.analysis.prior_sensitivity import CENTRE_SD_SCALE, WIDTH_LOG_SD, prior_scores
    from seedmodel.models.mmm.spec import SeedingMMM
    from seedmodel.transforms.components import WeibullAdstock

    one = sm.simulate(sm.WorldConfig(start="2025-05-01", n_brands=1, days=120), random_seed=3)
    fit = _Unfitted(one.data.replace(lift_tests=None), SeedingMMM())
    prior = {p: dict(spec.kwargs) for p, spec in WeibullAdstock().priors(period_days=1).items()}
    rng = np.random.default_rng(6)
    z = {p: rng.normal(size=(2, 40)) for p in ("mean", "shape")}
    posterior = xr.Dataset(
        {
            f"little_red_star__{p}": (
                ("chain", "draw"),
                np.exp(prior[p]["mu"] + prior[p]["sigma"] * z[p]),
            )
            for p in z
        }
        | {"red_cat__alpha": (("chain", "draw"), rng.uniform(0.2, 0.6, size=(2, 40)))}
    )
    scores = prior_scores(fit, posterior)
    assert sorted(map(str, scores["centre"].values)) == sorted(
        f"__{p}{w}[little_red_star]" for p in z for w in ("", ":width")
    )
    for p in z:
        got = scores.sel(centre=f"__{p}[little_red_star]").values
        np.testing.assert_allclose(got, CENTRE_SD_SCALE * z[p], rtol=1e-9, atol=1e-12)
        width = scores.sel(centre=f"__{p}:width[little_red_star]").values
        np.testing.assert_allclose(width, WIDTH_LOG_SD * (z[p] ** 2 - 1), rtol=1e-9, atol=1e-12)
