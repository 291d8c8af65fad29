"""The world family: new mechanisms do what they say, and leave older worlds unchanged."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import seedmodel as sm
from seedmodel.sim.family import FAMILY_RANGES, STRESS_WORLDS, family_world, stress_world
from seedmodel.transforms import hill

SMALL = sm.WorldConfig(start="2025-03-01", n_brands=2, days=300)


def _world(**changes):
    return sm.simulate(SMALL.with_(**changes), random_seed=5).world


def test_worlds_without_the_new_mechanisms_are_the_worlds_drawn_before_them():
    # totals of sm.simulate(WorldConfig(n_brands=2, days=200), random_seed=5) as drawn
    # before the family's mechanisms existed (they draw from a stream of their own)
    sim = sm.simulate(sm.WorldConfig(n_brands=2, days=200), random_seed=5)
    assert sim.data.sales["gmv"].sum() == pytest.approx(521776271.07, rel=1e-12)
    assert sim.data.media["spend"].sum() == pytest.approx(11810382.9, rel=1e-12)


def test_media_share_sets_media_share_of_each_brands_gmv():
    for share in (0.03, 0.3):
        w = _world(media_share=share)
        n = w.n_data
        media = w.contributions(w.spend)[..., :n].sum(axis=(1, 2, 3))
        gmv = w.expected_gmv(w.spend)[..., :n].sum(axis=(1, 2))
        np.testing.assert_allclose(media / gmv, share, rtol=0.02)


def test_hill_slope_shapes_the_response():
    base = _world()
    slopes = tuple(replace(c, hill_slope=2.5) for c in SMALL.channels)
    steep = _world(channels=slopes)
    drive = steep.driver(steep.engagement(steep.spend))
    from seedmodel.transforms import adstock

    carried = adstock(drive[:, 0], steep.kernels[0], axis=-1) / steep.half[:, 0, None]
    np.testing.assert_allclose(steep.response(drive)[:, 0], hill(carried, 1.0, 2.5))
    assert not np.allclose(steep.response(drive)[:, 0], base.response(drive)[:, 0])


def test_spend_growth_and_flight_lengths_shape_the_budget():
    grow = tuple(
        replace(c, spend_growth=1.0, flight_on=14.0, flight_off=7.0) for c in SMALL.channels
    )
    w = _world(channels=grow, demand_budgets=False, min_spend_rule=False, go_live=False)
    spend = w.spend[:, 0, : w.n_data]
    half = w.n_data // 2
    live = spend > 0
    early = spend[:, :half][live[:, :half]].mean()
    late = spend[:, half:][live[:, half:]].mean()
    assert 1.3 < late / early < 1.9  # 1 + 1.0 * t: ~1.6 between the halves' midpoints
    assert 0.55 < live.mean() < 0.78  # on 14 of every 21 days on average


def test_fast_shocks_move_demand_and_the_budgets_that_chase_them():
    w = _world(shock_sd=0.2, shock_days=3.0, shock_budget_pull=0.6, buzz=False)
    calm = _world(buzz=False)
    n = w.n_data
    log_ratio = np.log(w.baseline[:, 0, :n] / calm.baseline[:, 0, :n])  # the shock itself
    assert 0.15 < log_ratio.std() < 0.25
    live = w.spend[:, 0, :n] > 0
    spend_ratio = np.log(w.spend[:, 0, :n][live] / calm.spend[:, 0, :n][live])
    assert np.corrcoef(spend_ratio, log_ratio[live])[0, 1] > 0.9


def test_organic_notes_can_see_the_fast_shocks_and_nothing_else_moves():
    shocks = dict(shock_sd=0.2, shock_days=4.0, shock_budget_pull=0.6, buzz=False)
    unseen, seen = _world(**shocks), _world(**shocks, organic_shocks=0.6)
    n, o = seen.n_data, seen.channel_index("organic")
    shock = np.log(seen.baseline[:, 0, :n] / _world(buzz=False).baseline[:, 0, :n])
    reads = [np.log(w.engagement(w.spend)["reads"][:, o, :n]) for w in (seen, unseen)]
    # the organic reads move by exactly 0.6 sd of log reads per sd of the shock
    np.testing.assert_allclose(reads[0] - reads[1], 0.6 * shock / 0.2, atol=1e-9)
    for b in range(2):
        assert np.corrcoef(reads[0][b], shock[b])[0, 1] > 0.6
    # the organic reads are the only thing that changes: demand, budgets and truth stay
    np.testing.assert_array_equal(seen.baseline, unseen.baseline)
    np.testing.assert_array_equal(seen.spend, unseen.spend)
    with pytest.raises(ValueError, match="organic_shocks"):
        SMALL.with_(organic_shocks=-0.1)


@pytest.mark.parametrize("noise", ["student_t", "additive"])
def test_noise_families(noise):
    w = _world(noise=noise, noise_sd=0.1)
    z = np.log(w.noise["gmv"][..., : w.n_data])
    if noise == "student_t":
        kurt = ((z - z.mean()) ** 4).mean() / z.var() ** 2
        assert kurt > 4.0  # heavier tails than the lognormal's 3
    else:
        expected = w.expected_gmv(w.spend)[..., : w.n_data]
        yuan = expected * (w.noise["gmv"][..., : w.n_data] - 1.0)
        # constant size in yuan: the sd on high and low days of a brand x platform agree
        hi = expected[0, 0] > np.median(expected[0, 0])
        ratio = yuan[0, 0][hi].std() / yuan[0, 0][~hi].std()
        assert 0.8 < ratio < 1.25


def test_trend_bend_and_level_shifts_change_the_baseline_slowly():
    w = _world(trend_bend=0.4, level_shifts=2, buzz=False)
    calm = _world(buzz=False)
    n = w.n_data
    ratio = np.log(w.baseline[:, 0, :n] / calm.baseline[:, 0, :n])
    assert (np.abs(np.diff(ratio, axis=1)) > 0.04).sum(axis=1).max() <= 2  # shifts are steps
    assert (ratio.max(axis=1) - ratio.min(axis=1) > 0.1).all()


def test_family_worlds_are_reproducible_and_inside_their_ranges():
    worlds = [family_world(s) for s in range(20)]
    assert family_world(7) == worlds[7]
    assert len({w.config for w in worlds}) == 20
    for w in worlds:
        cfg = w.config
        assert FAMILY_RANGES["days"][0] <= cfg.days <= FAMILY_RANGES["days"][1]
        assert FAMILY_RANGES["media_share"][0] <= cfg.media_share <= FAMILY_RANGES["media_share"][1]
        for c in cfg.channels:
            if c.kind != "organic":
                assert (
                    FAMILY_RANGES["hill_slope"][0] <= c.hill_slope <= FAMILY_RANGES["hill_slope"][1]
                )
        assert set(w.mechanisms) >= {"seeding_lag", "seeding_hill", "flighting", "noise", "shocks"}
    # the ranges are visited on both sides of each group boundary
    for key in ("seeding_lag", "seeding_hill", "flighting", "media_share", "buzz"):
        assert len({w.mechanisms[key] for w in worlds}) >= 2, key


def test_every_stress_world_simulates_and_the_null_channel_has_no_effect():
    for name in STRESS_WORLDS:
        sim = sm.simulate(stress_world(name).config.with_(days=120), random_seed=1)
        assert sim.data.sales["gmv"].gt(0).all()
    null = sm.simulate(stress_world("null_seeding").config.with_(days=400), random_seed=1)
    assert all(b["little_red_star"] == 0.0 for b in null.truth["roi"].values())
    assert all(b["red_cat"] > 0 for b in null.truth["roi"].values())


def test_organic_echo_follows_seeding_reads_and_leaves_gmv_and_truth_alone():
    base = sm.simulate(SMALL, random_seed=5)
    echo = sm.simulate(SMALL.with_(organic_echo=0.4), random_seed=5)
    w = echo.world
    n = w.n_data
    organic = w.channel_index("organic")
    seeding = w.channel_index("little_red_star")
    reads = w.engagement(w.spend)["reads"][:, organic, :n]
    base_reads = base.world.engagement(base.world.spend)["reads"][:, organic, :n]
    # the echo is 40% of organic reads over the data (up to the reads' own noise)
    np.testing.assert_allclose(1.0 - base_reads.sum(axis=1) / reads.sum(axis=1), 0.4, atol=0.02)
    # it moves with the seeding notes' reads, carried over; without seeding, no echo
    no_seeding = w.spend.copy()
    no_seeding[:, seeding] = 0.0
    quiet = w.engagement(no_seeding)["reads"][:, organic, :n]
    np.testing.assert_allclose(quiet, base_reads, rtol=1e-12)
    # GMV, spend and the truth are those of the world without the echo
    assert echo.data.sales["gmv"].equals(base.data.sales["gmv"])
    assert echo.data.media["spend"].equals(base.data.media["spend"])
    assert echo.truth["roi"] == base.truth["roi"]
    with pytest.raises(ValueError, match="organic_echo"):
        SMALL.with_(organic_echo=1.0)


def test_the_family_s_echo_is_opt_in_and_changes_only_the_echo():
    plain, echoed = family_world(4), family_world(4, organic_echo=True)
    lo, hi = FAMILY_RANGES["organic_echo"]
    assert plain.config.organic_echo == 0.0 and lo <= echoed.config.organic_echo <= hi
    assert replace(echoed.config, organic_echo=0.0) == plain.config
    assert plain.mechanisms["organic_echo"] == "none"
    assert echoed.mechanisms["organic_echo"] != "none"
    drawn = {family_world(s, organic_echo=True).mechanisms["organic_echo"] for s in range(10)}
    assert drawn == {"mild (<= 0.35)", "strong (> 0.35)"}


def test_lift_channels_put_every_test_on_the_named_channel():
    free = sm.simulate(SMALL.with_(lift_tests=True), random_seed=5)
    named = sm.simulate(
        SMALL.with_(lift_tests=True, lift_channels=("little_red_star",)), random_seed=5
    )
    assert set(named.data.lift_tests["channel"]) == {"little_red_star"}
    assert len(named.data.lift_tests) == SMALL.n_brands
    # the rest of the world is the same
    assert named.data.sales["gmv"].equals(free.data.sales["gmv"])
    assert sm.WorldConfig.from_dict(named.world.config.to_dict()) == named.world.config
    with pytest.raises(ValueError, match="lift_channels"):
        SMALL.with_(lift_channels=("tiktok",))


def test_lift_days_sets_each_test_s_length_and_leaves_the_rest_alone():
    config = SMALL.with_(lift_tests=True, lift_channels=("little_red_star",))
    short = sm.simulate(config, random_seed=5).data.lift_tests
    long = sm.simulate(config.with_(lift_days=56), random_seed=5).data.lift_tests

    def days(tests: pd.DataFrame) -> pd.Series:
        return (pd.to_datetime(tests["end"]) - pd.to_datetime(tests["start"])).dt.days + 1

    assert (days(short) == 28).all()
    # 56 days where the channel runs that long in the second half, else a week shorter each time
    assert ((days(long) <= 56) & (days(long) % 7 == 0)).all() and (days(long) > 28).any()
    assert (long["incremental_gmv"] > short["incremental_gmv"]).all()  # a longer holdout
    with pytest.raises(ValueError, match="lift_days"):
        SMALL.with_(lift_days=3)


def test_a_channels_mean_lag_is_the_mean_of_its_lag_weights():
    from seedmodel.sim.config import ChannelSpec
    from seedmodel.transforms.carryover import geometric_weights, weibull_weights

    lags = np.arange(401)
    for shape, scale in [(1.0, 6.0), (1.4, 20.0), (2.5, 30.0)]:
        spec = ChannelSpec("s", "seeding", lag_shape=shape, lag_scale=scale)
        # weights are the probabilities of [l, l + 1): their mean sits half a day early
        discrete = float(lags @ weibull_weights(shape, scale, 400)) + 0.5
        assert abs(spec.mean_lag() - discrete) < 0.05
        assert spec.mean_lag(long_lags=False) == spec.lag_alpha / (1 - spec.lag_alpha)
    link = ChannelSpec("l", "link", lag_alpha=0.6)
    assert abs(link.mean_lag() - float(lags @ geometric_weights(0.6, 400))) < 1e-6
