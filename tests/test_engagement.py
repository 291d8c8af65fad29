"""The engagement path: GMV responds to engagement, a first stage turns yuan into engagement."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import xarray as xr

import seedmodel as sm
from seedmodel.analysis.posterior import MediaPosterior
from seedmodel.models.mmm.first_stage import engagement_yield
from seedmodel.models.mmm.inputs import build_inputs
from seedmodel.models.mmm.spec import MediaSpec, SeedingMMM
from tests.conftest import SMALL


@pytest.fixture(scope="module")
def engagement_fit():
    """(simulation, fit) of SMALL with seeding notes on reads and link notes on clicks."""
    from seedmodel.fit import NotConvergedWarning, fit_mmm

    sim = sm.simulate(SMALL, random_seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(
            sim.data, SeedingMMM(engagement=True), draws=200, tune=300, chains=2, random_seed=3
        )
    return sim, fit


def test_spec_inputs_round_trip_and_refuse_unknown():
    spec = SeedingMMM(engagement=True, media={"red_cat": MediaSpec("geometric", input="reads")})
    assert SeedingMMM.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    assert spec.media_for("little_red_star", has_clicks=False).input == "reads"
    assert spec.media_for("red_jd", has_clicks=True).input == "clicks"
    assert spec.media_for("red_cat", has_clicks=True).input == "reads"  # named wins
    assert SeedingMMM().media_for("red_jd", has_clicks=True).input == "spend"
    with pytest.raises(ValueError, match="input must be one of"):
        MediaSpec(input="likes_per_yuan")


def test_engagement_inputs_are_unit_free_and_keep_spend(small_sim):
    data = small_sim.data
    inp = build_inputs(data, SeedingMMM(engagement=True))
    reads = data.media_array("reads").sel(channel="little_red_star").to_numpy().T
    spend = data.media_array("spend").sel(channel=list(inp.channels)).to_numpy()
    np.testing.assert_allclose(inp.x[:, 0, : inp.n_periods] * inp.input_scale[:, :1], reads)
    np.testing.assert_allclose(inp.spend, spend.transpose(1, 2, 0))
    # reads counted in thousands: the same model inputs
    media = data.media.assign(reads=data.media["reads"] / 1000)
    other = sm.from_frames(media=media, sales=data.sales, events=data.events)
    np.testing.assert_allclose(build_inputs(other, SeedingMMM(engagement=True)).x, inp.x)


def test_missing_engagement_column_is_named(small_sim):
    media = small_sim.data.media.drop(columns=["clicks"])
    data = sm.from_frames(media=media, sales=small_sim.data.sales)
    spec = SeedingMMM(media={"red_cat": MediaSpec("geometric", input="clicks")})
    with pytest.raises(ValueError, match=r"table media: channel 'red_cat'.*'clicks'.*missing"):
        build_inputs(data, spec)
    with pytest.raises(ValueError, match=r"'little_red_star'.*'clicks'.*zero on most days"):
        build_inputs(
            small_sim.data, SeedingMMM(media={"little_red_star": MediaSpec(input="clicks")})
        )


def test_first_stage_tracks_a_drifting_cost_per_read():
    """A known world: log reads per yuan drifts as a random walk, observed with noise on live
    days; the forecast follows the level at the end, not the mean of the whole series."""
    rng = np.random.default_rng(0)
    T, hits, errors = 400, 0, []
    for _ in range(20):
        level = np.log(2.0) + np.cumsum(rng.normal(0, 0.02, T))
        spend = np.where(rng.random(T) < 0.8, rng.uniform(1e4, 3e4, T), 0.0)
        reads = spend * np.exp(level + rng.normal(0, 0.1, T))
        fc = engagement_yield(spend[None, None], reads[None, None], ("reads",), 30)
        future = level[-1] + np.cumsum(rng.normal(0, 0.02, 30))  # the level's next 30 days
        truth = np.log(np.mean(np.exp(future)))
        errors.append(abs(fc.log_mean[0, 0] - truth))
        hits += abs(fc.log_mean[0, 0] - truth) < 1.645 * fc.log_sd[0, 0]
        assert abs(fc.log_mean[0, 0] - truth) < abs(np.log(2.0) - truth) + 0.1
    assert np.median(errors) < 0.08
    assert hits >= 15  # 90% intervals: at least 15 of 20
    # spend channels need no first stage
    none = engagement_yield(spend[None, None], spend[None, None], ("spend",), 30)
    assert none.log_mean[0, 0] == 0.0 and none.log_sd[0, 0] == 0.0


def test_a_brand_that_never_bought_a_channel_borrows_the_other_brands_yield():
    """Known world: four brands' log reads per yuan drawn around log 2 (sd 0.3); the last
    brand never spends on the channel. Its forecast is finite, centred on the others, and its
    90% interval covers its true level in most worlds; with no brand buying, a clear error."""
    rng = np.random.default_rng(1)
    T, hits = 200, 0
    for _ in range(20):
        levels = np.log(2.0) + rng.normal(0, 0.3, 4)
        spend = rng.uniform(1e4, 3e4, (4, 1, T))
        spend[3] = 0.0
        reads = spend * np.exp(levels[:, None, None] + rng.normal(0, 0.1, (4, 1, T)))
        fc = engagement_yield(spend, reads, ("reads",), 30, ("little_red_star",))
        assert np.isfinite(fc.log_mean).all() and np.isfinite(fc.log_sd).all()
        assert fc.log_mean[3, 0] == pytest.approx(fc.log_mean[:3, 0].mean())
        assert fc.log_sd[3, 0] > fc.log_sd[:3, 0].max()
        hits += abs(fc.log_mean[3, 0] - levels[3]) < 1.645 * fc.log_sd[3, 0]
    assert hits >= 15
    with pytest.raises(ValueError, match=r"table media: channel 'little_red_star'.*'reads'"):
        engagement_yield(
            np.zeros((2, 1, T)), np.zeros((2, 1, T)), ("reads",), 30, ("little_red_star",)
        )


def test_first_stage_against_the_simulators_engagement(small_sim):
    """The simulator's true reads / clicks per yuan over 60 days after the data (CPM, content
    quality and buzz as drawn) fall inside the first stage's 95% interval."""
    world = small_sim.world
    inp = build_inputs(small_sim.data, SeedingMMM(engagement=True))
    T = inp.n_periods
    fc = inp.engagement_yield(60)
    plan = world.spend.copy()
    plan[:, :3, T : T + 60] = 10_000.0
    eng = world.engagement(plan)
    for c, name in enumerate(inp.channels):
        metric = inp.spec.media[name].input
        true = np.log(eng[metric][0, c, T : T + 60].sum() / plan[0, c, T : T + 60].sum())
        assert abs(fc.log_mean[0, c] - true) < 1.96 * fc.log_sd[0, c], name


def test_engagement_fit_roi_spend_and_plan_propagation(engagement_fit):
    """roi() reports spend in yuan; a plan's yuan become engagement through the first stage
    and then GMV through the same response the fit uses."""
    sim, fit = engagement_fit
    inp = fit.inputs
    table = sm.roi(fit)
    spend = sim.data.media.groupby("channel")["spend"].sum()
    np.testing.assert_allclose(table.set_index("channel")["spend"], spend[list(inp.channels)])
    assert (table["roi"] > 0).all()

    resp = sm.plan_response(fit, days=30)
    T, N = inp.n_periods, resp.periods
    per_yuan = inp.engagement_yield(N).draws(resp.half.shape[-1], fit.random_seed)
    post = MediaPosterior.from_fit(fit)
    brand = inp.brands[0]

    def series(values):
        return xr.DataArray([values], dims=("brand", "period"), coords={"brand": [brand]})

    for c, channel in enumerate(inp.channels):
        x = np.concatenate([inp.x[0, c, :T], np.zeros(N + post.max_lag[channel] + 1)])
        base = post.response(channel, series(x)).to_numpy()[:, 0]  # (S, T + N + L + 1)
        beta = post.draws["beta"].sel(channel=channel, brand=brand).to_numpy()  # (S, P)
        want = np.empty_like(beta)
        for s in range(len(beta)):
            on = x.copy()
            on[T : T + N] = 12_000.0 * per_yuan[0, c, s] / inp.input_scale[0, c]
            diff = post.subset([s]).response(channel, series(on)).to_numpy()[0, 0] - base[s]
            want[s] = diff[T:].sum() * beta[s] * inp.gmv_scale[0]
        np.testing.assert_allclose(resp.cell_draws(0, c, 12_000.0), want, rtol=1e-8)
    assert resp.current.shape == (1, 3)
    np.testing.assert_allclose(resp.current[0], inp.spend[0, :, T - N : T].mean(axis=-1))
