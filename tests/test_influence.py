"""The block infinitesimal jackknife (seedmodel.analysis.influence): against the block
bootstrap where both are known exactly, and on a real fit."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from seedmodel.analysis.influence import block_jackknife_variance, block_loglik, brand_loglik
from seedmodel.analysis.memo import once


def _normal_mean_posterior(y: np.ndarray, sigma: float, rng, chains=4, draws=4000):
    """Exact posterior draws of a normal mean with known ``sigma`` and a flat prior (the
    model assumes independent days), and each draw's log-likelihood per block of ``y``
    (rows: blocks)."""
    n = y.size
    theta = rng.normal(y.mean(), sigma / np.sqrt(n), size=(chains, draws))
    resid = y[None, None, :, :] - theta[..., None, None]
    blocks = (-0.5 * (resid / sigma) ** 2).sum(-1)  # constants drop out of covariances
    return theta, blocks


def test_matches_the_block_bootstraps_variance_when_days_are_not_independent():
    # 24 blocks of 28 days; each block shares a shock the model does not know about, so the
    # posterior's variance (sigma^2 / n) is far below the mean's true sampling variance
    rng = np.random.default_rng(1)
    K, m, sigma = 24, 28, 1.0
    y = rng.normal(0.0, 0.8, size=(K, 1)) + rng.normal(0.0, sigma, size=(K, m))
    theta, blocks = _normal_mean_posterior(y, sigma, rng)
    v = float(block_jackknife_variance(theta, blocks))
    # the block bootstrap's variance of the mean, exactly: the blocks' means resampled
    exact = y.mean(axis=1).var() / K
    posterior = sigma**2 / y.size
    assert v == pytest.approx(exact, rel=0.25)
    assert v > 5 * posterior


def test_agrees_with_the_posterior_when_the_model_is_right():
    # with independent days the block bootstrap's variance is the posterior's on average;
    # one dataset's estimate moves with its 24 blocks (about +-30%), and matches the exact
    # bootstrap variance of that dataset
    rng = np.random.default_rng(2)
    K, m, sigma = 24, 28, 1.0
    ratios = []
    for _ in range(20):
        y = rng.normal(0.0, sigma, size=(K, m))
        theta, blocks = _normal_mean_posterior(y, sigma, rng, chains=2, draws=2000)
        v = float(block_jackknife_variance(theta, blocks))
        assert v == pytest.approx(y.mean(axis=1).var() / K, rel=0.1)
        ratios.append(v / (sigma**2 / y.size))
    assert np.mean(ratios) == pytest.approx(1.0, abs=0.15)


def test_is_unit_free_and_zero_for_what_no_block_moves():
    rng = np.random.default_rng(3)
    blocks = rng.normal(size=(2, 3000, 12))
    g = 0.3 * blocks[..., 0] - 0.2 * blocks[..., 5] + rng.normal(size=(2, 3000))
    v = block_jackknife_variance(g, blocks)
    assert block_jackknife_variance(1000.0 * g, blocks) == pytest.approx(1e6 * v)
    unrelated = block_jackknife_variance(rng.normal(size=(2, 3000)), blocks)
    assert float(unrelated) < 0.1 * float(v)
    # one chain is split in two halves of its draws
    one = block_jackknife_variance(g[:1], blocks[:1])
    assert float(one) == pytest.approx(float(v), rel=0.5)


def test_on_a_fit_every_paid_cell_gets_an_interval_at_least_as_wide(small_fit):
    import seedmodel as sm

    sim, fit = small_fit
    table = sm.roi(fit, resampling=True)
    spend = sim.data.media.groupby(["brand", "channel"])["spend"].sum()
    paid = table.set_index(["brand", "channel"]).loc[spend[spend > 0].index]
    assert (paid["roi_widening"] >= 1.0).all() and (paid["mroi_widening"] >= 1.0).all()
    assert np.isfinite(paid[["roi_lo", "roi_hi", "mroi_lo", "mroi_hi"]].to_numpy()).all()
    # one brand: no other brands to weight afresh
    assert (table["roi_widening_brands"] == 1.0).all()
    # blocks of one period: as many blocks as periods, and no cell narrower
    daily = sm.roi(fit, resampling=True, block_days=1).set_index(["brand", "channel"])
    assert (daily.loc[paid.index, "roi_widening"] >= 1.0).all()


def test_the_blocks_hold_the_whole_likelihood(small_fit):
    from seedmodel.analysis.fitted import log_likelihood

    _, fit = small_fit
    blocks = block_loglik(fit, block_days=7, draws=20)
    gmv = log_likelihood(fit, draws=20)["log_likelihood"]["gmv"].values.sum(-1)
    organic = blocks.values.sum(-1) - gmv
    # the rest is the organic signal's density (the small world's demand state is latent)
    assert blocks.sizes["block"] == 35
    assert np.all(np.isfinite(organic)) and np.ptp(organic) > 0
    # the brands' whole log-likelihoods hold the same
    brands = brand_loglik(fit, draws=20)
    assert list(brands["brand"].values) == list(fit.inputs.brands)
    np.testing.assert_allclose(brands.values.sum(-1), blocks.values.sum(-1), rtol=1e-10)


def test_roi_keeps_its_means_and_only_widens_its_intervals(small_fit):
    import seedmodel as sm

    _, fit = small_fit
    plain = sm.roi(fit, resampling=False)
    wide = sm.roi(fit, resampling=True)
    assert "roi_widening" not in plain
    assert (wide["roi_widening"] >= 1.0).all() and (wide["mroi_widening"] >= 1.0).all()
    for name in ("incremental_gmv", "roi", "mroi"):
        assert np.allclose(wide[name], plain[name])
        assert (wide[f"{name}_lo"] <= plain[f"{name}_lo"] * (1 + 1e-9)).all()
        assert (wide[f"{name}_hi"] >= plain[f"{name}_hi"] * (1 - 1e-9)).all()
    # where no cell widens, the table is the posterior's
    same = wide["roi_widening"] == 1.0
    assert np.allclose(wide.loc[same, "roi_lo"], plain.loc[same, "roi_lo"])


def test_a_fit_with_too_few_draws_keeps_the_posteriors_intervals(small_fit):
    from dataclasses import replace

    import seedmodel as sm
    from seedmodel.analysis.influence import MIN_DRAWS

    _, fit = small_fit
    post = fit.posterior["posterior"].to_dataset().isel(draw=slice(0, 40))
    short = replace(fit, posterior=fit.posterior.copy())
    short.posterior["posterior"] = post
    assert post.sizes["chain"] * post.sizes["draw"] < MIN_DRAWS
    table = sm.roi(short)
    assert (table["roi_widening"] == 1.0).all() and (table["mroi_widening"] == 1.0).all()
    plain = sm.roi(short, resampling=False)
    assert np.allclose(table["roi_lo"], plain["roi_lo"])
    assert np.allclose(table["roi_hi"], plain["roi_hi"])


def test_a_fits_blocks_and_prior_scores_are_computed_once(small_fit, monkeypatch):
    import seedmodel as sm
    from seedmodel.analysis import checks, influence

    _, fit = small_fit
    first = sm.roi(fit)
    calls = []
    monkeypatch.setattr(influence, "block_loglik", lambda *a, **k: calls.append(1))
    monkeypatch.setattr(influence, "prior_scores", lambda *a, **k: calls.append(2))
    monkeypatch.setattr(checks, "_prior_fit", lambda *a, **k: calls.append(3))  # the ridge's
    again = sm.roi(fit)
    assert calls == []
    assert np.allclose(first["roi_hi"], again["roi_hi"])


def test_batches_estimate_the_square_without_bias_and_with_less_noise_than_halves():
    # psi = Cov(g, l_k) known; the square's estimate from four batches a chain (the mean over
    # every pair of different batches) against the product of the two chains' estimates (one
    # batch each). Both are unbiased; where the blocks move g little, the noise of the
    # estimates' product is most of the error and the pairs of eight batches cut its sd by
    # about a quarter (sqrt(2 * 8 / 7 / 4) = 0.76)
    from seedmodel.analysis.prior_sensitivity import batch_covariances, pair_mean

    rng = np.random.default_rng(5)
    K = 24
    for psi, unbiased in ((0.1 * rng.normal(size=K), True), (np.zeros(K), False)):
        estimates: dict[int, list[float]] = {1: [], 4: []}
        for _ in range(300):
            blocks = rng.normal(size=(2, 250, K))
            g = blocks @ psi + rng.normal(size=(2, 250))
            for per_chain, out in estimates.items():
                b = batch_covariances(g, blocks, per_chain)
                assert b.shape == (2 * per_chain, K)
                out.append(float(pair_mean(b, lambda a, c: (a * c).sum(-1))))
        halves, batches = np.array(estimates[1]), np.array(estimates[4])
        exact = float((psi**2).sum())
        if unbiased:
            assert halves.mean() == pytest.approx(exact, rel=0.1)
            assert batches.mean() == pytest.approx(exact, rel=0.1)
        else:
            assert abs(batches.mean()) < 0.2 * batches.std()
            assert batches.std() < 0.85 * halves.std()


def test_other_brands_count_and_a_cells_own_brand_does_not():
    # three brands' log-likelihoods; brand 0's quantity moves with brand 1's data (a shared
    # parameter) and with its own, brand 2's not at all
    from seedmodel.analysis.influence import _own_brand, brands_variance

    rng = np.random.default_rng(6)
    loglik = rng.normal(size=(2, 3000, 3))
    g = np.stack(
        [0.4 * loglik[..., 1] + 0.5 * loglik[..., 0], 0.5 * loglik[..., 1]], -1
    )  # cells: brands 0, 1
    g = g + rng.normal(size=g.shape)
    cells = xr.DataArray(np.zeros(2), dims="brand", coords={"brand": ["A", "B"]})
    own = _own_brand(cells, np.array(["A", "B", "C"]))
    assert own.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    v = brands_variance(g, loglik, own)
    assert v[0] == pytest.approx(0.16, abs=0.04)  # brand 1's pull on brand 0's cell
    assert v[1] < 0.02  # brand 1's cell moves with its own data only


def _with_checks(fit, shares: list[tuple], corr: list[float]):
    """``fit`` (a copy) whose no-refit checks are the given shares and trade-offs: rows of
    (brand, channel, share, prior_share_lo, prior_share_hi)."""
    import copy

    import pandas as pd

    other = copy.copy(fit)
    other.__dict__.pop("_computed_once", None)  # not the original's checks
    frame = pd.DataFrame(
        shares, columns=["brand", "channel", "share", "prior_share_lo", "prior_share_hi"]
    )
    trade = frame[["brand", "channel"]].assign(corr=corr, passed=np.abs(corr) < 0.85)
    once(other, ("fitted_checks", 500, 0.9), lambda: (frame, trade))
    return other


def test_the_ridge_term_reaches_back_to_the_priors_share_by_how_much_the_baseline_moves_it():
    import types

    from seedmodel.analysis.checks import NORMAL_95, ridge_sd

    fit = types.SimpleNamespace()
    rows = [
        ("A", "little_red_star", 0.20, 0.01, 0.10),  # twice the prior's high end
        ("A", "red_cat", 0.05, 0.01, 0.10),  # inside the prior's interval
        ("A", "red_jd", 0.002, 0.01, 0.10),  # a fifth of its low end
        ("B", "little_red_star", 0.20, 0.01, 0.10),  # as A's, but no trade-off
        ("B", "red_cat", 0.0, 0.01, 0.10),  # nothing credited
        ("B", "red_jd", np.nan, 0.01, 0.10),  # unpaid
    ]
    sd = ridge_sd(_with_checks(fit, rows, [-0.9, -0.99, 0.5, 0.0, -0.9, -0.9]))
    assert sd.dims == ("brand", "channel")
    expected = {
        ("A", "little_red_star"): np.log(2.0) * 0.81 / NORMAL_95,
        ("A", "red_cat"): 0.0,
        ("A", "red_jd"): np.log(5.0) * 0.25 / NORMAL_95,
        ("B", "little_red_star"): 0.0,
        ("B", "red_cat"): 0.0,
        ("B", "red_jd"): 0.0,
    }
    for (brand, channel), value in expected.items():
        assert float(sd.sel(brand=brand, channel=channel)) == pytest.approx(value), channel


def test_roi_adds_the_ridge_in_quadrature_and_only_where_it_is_positive(small_fit):
    import seedmodel as sm

    _, fit = small_fit
    brand = fit.inputs.brands[0]
    rows = [(brand, c, 0.10, 0.01, 0.05) for c in fit.inputs.channels]
    rows[0] = (brand, fit.inputs.channels[0], 0.03, 0.01, 0.05)  # inside: no ridge
    ridged = _with_checks(fit, rows, [-0.9] * len(rows))
    wide = sm.roi(ridged).set_index("channel")
    plain = sm.roi(ridged, ridge=False).set_index("channel")
    first, *others = fit.inputs.channels
    assert wide.loc[first, "roi_widening_ridge"] == 1.0
    assert wide.loc[first, "roi_widening"] == pytest.approx(plain.loc[first, "roi_widening"])
    assert (plain["roi_widening_ridge"] == 1.0).all()
    for channel in others:
        ridge, before = wide.loc[channel, "roi_widening_ridge"], plain.loc[channel, "roi_widening"]
        assert ridge > 1.0
        # the whole factor: the other reasons and the ridge's, in quadrature (below the cap)
        expected = min(np.sqrt(before**2 + ridge**2 - 1.0), 4.0)
        assert wide.loc[channel, "roi_widening"] == pytest.approx(expected, rel=1e-9)
        assert wide.loc[channel, "roi_lo"] <= plain.loc[channel, "roi_lo"]
        assert wide.loc[channel, "roi_hi"] >= plain.loc[channel, "roi_hi"]
        assert wide.loc[channel, "roi"] == pytest.approx(plain.loc[channel, "roi"])
