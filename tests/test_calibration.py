"""Simulation-based calibration (seedmodel.sim.calibration): worlds drawn from the model's
own prior, on which a correct sampler delivers calibrated ROI intervals."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import SMALL

import seedmodel as sm
from seedmodel.fit import NotConvergedWarning
from seedmodel.inference.options import SamplerConfig
from seedmodel.models.mmm.inputs import build_inputs
from seedmodel.sim.calibration import _residuals, calibration_cells, prior_world


@pytest.fixture(scope="module")
def design() -> sm.Dataset:
    return sm.simulate(SMALL, random_seed=4).data


def test_residuals_have_the_likelihoods_stationary_variance_and_memory():
    rng = np.random.default_rng(0)
    sigma, rho = np.array([[0.1, 0.05]]), np.array([[0.6, 0.0]])
    e = _residuals(rng, sigma, rho, None, (1, 2, 200_000))
    assert e[0, 0].std() == pytest.approx(0.1 / np.sqrt(1 - 0.36), rel=0.02)
    assert e[0, 1].std() == pytest.approx(0.05, rel=0.02)
    assert np.corrcoef(e[0, 0, 1:], e[0, 0, :-1])[0, 1] == pytest.approx(0.6, abs=0.01)
    assert abs(np.corrcoef(e[0, 1, 1:], e[0, 1, :-1])[0, 1]) < 0.01


def test_heavy_tailed_residuals_keep_the_models_sd_and_refuse_infinite_variance(design):
    rng = np.random.default_rng(1)
    e = _residuals(rng, np.array([[0.1]]), None, 3.0, (1, 1, 400_000), unit_variance=True)
    assert e.std() == pytest.approx(0.1, rel=0.05)
    assert (np.abs(e) > 0.5).mean() > 1e-4  # five sds: about 3e-7 under the normal
    inputs = build_inputs(design, sm.SeedingMMM())
    with pytest.raises(ValueError, match="degrees of freedom > 2"):
        prior_world(inputs, 1, heavy_tails=2.0)
    a, b = prior_world(inputs, 1), prior_world(inputs, 1, heavy_tails=3.0)
    for name in ("beta", "sigma", "log_gross"):  # the same parameters, other noise
        np.testing.assert_array_equal(a.truth[name].values, b.truth[name].values)
    assert not np.allclose(a.inputs.y, b.inputs.y)


def test_a_prior_world_replaces_gmv_and_the_signal_and_is_seeded(design):
    inputs = build_inputs(design, sm.SeedingMMM())
    a, b, c = (prior_world(inputs, s) for s in (5, 5, 6))
    np.testing.assert_array_equal(a.inputs.y, b.inputs.y)
    assert not np.allclose(a.inputs.y, c.inputs.y)
    assert not np.allclose(a.inputs.y, inputs.y)
    assert np.isfinite(a.inputs.y).all() and (a.inputs.y > 0).all()
    assert not np.allclose(a.inputs.organic, inputs.organic)
    # the design is kept: spend, calendar and scales
    np.testing.assert_array_equal(a.inputs.x, inputs.x)
    np.testing.assert_array_equal(a.inputs.gmv_scale, inputs.gmv_scale)
    # the truth is one draw of what a posterior holds
    for name in ("beta", "half", "sigma", "rho", "log_gross"):
        assert a.truth[name].sizes["chain"] == a.truth[name].sizes["draw"] == 1


@pytest.mark.slow
def test_roi_intervals_are_calibrated_on_the_models_own_worlds(design):
    # 12 worlds from the prior on the small design, each fitted at 500 x 2 draws: the
    # 90% intervals of 36 ROI cells must cover about 90% (31-36 of 36 is within
    # sampling noise at 0.9; below 29 is a miss rate the sampler owes) and the truth
    # must not sit in the same tail of the draws again and again
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        cells = [
            calibration_cells(design, config=SamplerConfig(draws=500, tune=500), random_seed=s)
            for s in range(12)
        ]
    ranks = np.concatenate([c["rank"].to_numpy() for c in cells])
    covered = np.concatenate([c["covered"].to_numpy() for c in cells])
    assert covered.mean() >= 29 / 36
    assert (ranks < 0.05).mean() <= 0.15 and (ranks > 0.95).mean() <= 0.15
