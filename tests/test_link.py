"""Engagement -> GMV link analysis against simulated worlds with known truth.

Measured (docs/link.md): averaged over two readings of slow demand (the default), 90%
elasticity intervals cover the truth in 91% of 360 cells of the world family; the no-trend
reading alone (the default before 2026-12-03) covered about 70%. The bounds below are set
under the measured numbers, so a regression in the estimator fails them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

import seedmodel as sm
from seedmodel.linkage import EXTRA_COLUMNS, LINK_COLUMNS, link
from seedmodel.linkage.correlation import corr_interval
from seedmodel.linkage.design import lag_basis
from seedmodel.linkage.dlm import (
    _transform,
    fit_distributed_lag,
    lag_kernels,
    lagged,
    profile_peak,
    profile_sse,
    robustness_value,
)


def _cells(sim, table):
    """Rows of the channel's own metric (collects for seeding, clicks for link notes) with the
    simulator's true elasticity beside them."""
    rows = table[table["verdict"] != "insufficient_data"]
    own = ((rows["channel"] == "little_red_star") & (rows["metric"] == "collects")) | (
        rows["channel"].isin(["red_cat", "red_jd"]) & (rows["metric"] == "clicks")
    )
    rows = rows[own].copy()
    rows["true"] = [
        sim.truth["elasticity"][r.brand][r.channel][r.platform] for r in rows.itertuples()
    ]
    rows["covered"] = (rows["elasticity_lo"] <= rows["true"]) & (
        rows["true"] <= rows["elasticity_hi"]
    )
    return rows


def _run(config, seeds, **kw):
    out = []
    for seed in seeds:
        sim = sm.simulate(config, random_seed=seed)
        table = link(sim.data, metrics=("collects", "clicks"), outcomes=("gmv",), **kw).table
        out.append(
            _cells(sim, table).assign(
                seed=seed,
                lag_mode=[sim.truth["lag_mode_days"][c] for c in _cells(sim, table)["channel"]],
            )
        )
    return pd.concat(out, ignore_index=True)


@pytest.fixture(scope="module")
def no_effect():
    """Engagement does nothing; buzz and the calendar drive both it and GMV."""
    config = sm.WorldConfig(n_brands=2, media_effect=False, flights=False, buzz_strength=2.0)
    sim = sm.simulate(config, random_seed=1)
    return sim, link(sim.data, metrics=("collects", "reads"), outcomes=("gmv",)).table


def test_no_effect_world_raw_correlation_is_large_but_does_not_survive(no_effect):
    _, table = no_effect
    rows = table[table["verdict"] != "insufficient_data"]
    assert rows["raw_corr"].median() > 0.5
    covers = (rows["elasticity_lo"] <= 0) & (rows["elasticity_hi"] >= 0)
    assert covers.mean() >= 0.75
    # no spurious positive effect left (measured mean -0.02: a slight over-adjustment)
    assert rows["elasticity"].mean() < 0.01
    # the honesty note names the culprit on the large raw correlations that fail
    failed = rows[covers & (rows["raw_corr"] > 0.5)]
    assert len(failed) >= 5
    assert failed["note"].str.contains("buzz|seasonality|does not survive").all()
    assert (failed["corr_adjusted"].abs() < failed["raw_corr"] / 2).mean() > 0.8


def test_the_lag_profile_equals_one_least_squares_fit_per_shape():
    """The profile's residual sums of squares (one projection, Frisch-Waugh-Lovell) are
    those of a least-squares fit of [shape, other regressors] for each candidate shape;
    a series whose true lag peaks at 9 days is profiled there."""
    rng = np.random.default_rng(4)
    n, L = 400, 30
    x = rng.gamma(2.0, 50.0, n) * (rng.random(n) < 0.7)
    other = rng.gamma(2.0, 50.0, n)
    w = lag_kernels(L)[[m for m, _ in lag_kernels(L)].index(9)][1]
    signal = lagged(np.log1p(x / np.median(x[x > 0])), L) @ w
    y = np.exp(2.0 + 0.8 * signal + 0.05 * rng.standard_normal(n))
    controls = np.column_stack([np.ones(n), np.sin(np.arange(n) / 20)])
    fit = fit_distributed_lag(y, {"a": x, "b": other}, controls, lag_basis(L), ar_order=2)
    modes, values = profile_sse(fit, "a", x)
    s = fit.slices["a"]
    others = np.delete(fit.wexog, np.arange(s.start, s.stop), axis=1)
    z = lagged(_transform(x, fit.scales["a"]), L)[L:]
    brute = []
    for _, kernel in lag_kernels(L):
        zk = z @ kernel
        zw = zk.copy()
        for i in range(len(fit.rho)):
            zw[i + 1 :] = zw[i + 1 :] - fit.rho[i] * zk[: len(zk) - i - 1]
        X = np.column_stack([zw[len(fit.rho) :], others])
        coef, *_ = np.linalg.lstsq(X, fit.wendog, rcond=None)
        r = fit.wendog - X @ coef
        brute.append(r @ r)
    np.testing.assert_allclose(values, brute, rtol=1e-8)
    assert modes[np.argmin(values)] == 9 and profile_peak(fit, "a", x)[0] == 9


def test_a_brands_rows_do_not_depend_on_the_brands_analysed_with_it(no_effect):
    sim, table = no_effect
    _, b = sim.data.brand_names
    alone = link(sim.data.select_brands([b]), metrics=("collects", "reads"), outcomes=("gmv",))
    pd.testing.assert_frame_equal(
        alone.table, table[table["brand"] == b].reset_index(drop=True), check_exact=True
    )
    # so brands can be analysed side by side in processes: the same table
    both = link(sim.data, metrics=("collects", "reads"), outcomes=("gmv",), workers=2)
    pd.testing.assert_frame_equal(both.table, table, check_exact=True)


def test_true_effect_covered_and_peak_lag_found():
    cells = _run(sm.WorldConfig(n_brands=2), seeds=(1, 2, 3))
    assert len(cells) == 36
    assert cells["covered"].mean() >= 0.6
    seeding = cells[cells["channel"] == "little_red_star"]
    main = seeding[seeding["platform"] == "tmall"]  # its main platform; JD gets a weak halo
    true_mode = int(seeding["lag_mode"].iloc[0])
    assert true_mode == 11
    assert abs(main["peak_lag"].median() - true_mode) <= 3
    assert ((main["peak_lag_lo"] <= true_mode) & (true_mode <= main["peak_lag_hi"])).mean() >= 0.5
    links = cells[cells["channel"] != "little_red_star"]
    assert links["peak_lag"].median() <= 3  # link clicks act within days (true mode 0)
    # averaged over the two readings of slow demand the intervals cover all 36 cells
    # (measured); the price is power: 小红星's effect on its main platform is found in 1 of 6
    assert cells["covered"].mean() >= 0.9
    assert np.corrcoef(cells["elasticity"], cells["true"])[0, 1] > 0.2  # measured 0.29
    # the no-trend reading alone finds it with the right sign in 6 of 6, covering 27 of 36
    alone = _run(sm.WorldConfig(n_brands=2), seeds=(1, 2, 3), trend_knot_days=None)
    main = alone[(alone["channel"] == "little_red_star") & (alone["platform"] == "tmall")]
    assert (main["elasticity_lo"] > 0).mean() >= 0.6
    assert np.corrcoef(alone["elasticity"], alone["true"])[0, 1] > 0.5  # measured 0.71


def test_weekly_data():
    cells = _run(sm.WorldConfig(n_brands=2, freq="W"), seeds=(1, 2, 3))
    assert len(cells) > 20 and cells["elasticity"].notna().all()
    assert cells["covered"].mean() >= 0.55
    seeding = cells[cells["channel"] == "little_red_star"]
    assert 1 <= seeding["peak_lag"].median() <= 3  # weeks; the true mode is 11 days


@pytest.mark.slow
def test_coverage_over_many_seeds():
    # measured with the averaged readings: 91 of 96 cells covered, 2 of 120 null cells
    # called supported (the no-trend reading alone: about 0.7 and 0.15-0.2)
    cells = _run(sm.WorldConfig(n_brands=2), seeds=range(1, 9))
    assert cells["covered"].mean() >= 0.85
    nulls = []
    for seed in range(1, 7):
        sim = sm.simulate(sm.WorldConfig(n_brands=2, media_effect=False), random_seed=seed)
        t = link(sim.data, metrics=("collects", "clicks"), outcomes=("gmv",)).table
        nulls.append(t[t["verdict"] != "insufficient_data"])
    nulls = pd.concat(nulls)
    assert (nulls["verdict"] == "supported").mean() <= 0.1


def test_same_seed_same_table_and_contract_columns(small_sim):
    a = link(small_sim.data, metrics=("reads",), outcomes=("gmv",), random_seed=4)
    b = link(small_sim.data, metrics=("reads",), outcomes=("gmv",), random_seed=4)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert list(a.table.columns) == LINK_COLUMNS + EXTRA_COLUMNS
    assert set(a.table["verdict"]) <= {"supported", "not_supported", "insufficient_data"}
    # 2 brands x 3 paid channels x 1 metric x 2 platforms x 1 outcome
    assert len(a.table) == 12


def test_cli_link_writes_contract_file(small_dir, tmp_path):
    proc = run_cli("link", str(small_dir), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(tmp_path / "out" / "link.csv")
    assert list(table.columns[: len(LINK_COLUMNS)]) == LINK_COLUMNS
    data = sm.load(small_dir)
    n_metrics = 8  # reads likes collects comments shares follows clicks interactions
    n_outcomes = 6  # gmv and the five funnel columns
    assert len(table) == 2 * 3 * n_metrics * 2 * n_outcomes
    assert set(table["outcome"]) == {
        "gmv",
        "store_visits",
        "searches",
        "add_to_cart",
        "orders",
        "new_visitors",
    }
    assert set(table["brand"]) == set(data.brand_names)
    # a channel without link clicks has no clicks analysis
    clicks = table[(table["metric"] == "clicks") & (table["channel"] == "little_red_star")]
    assert (clicks["verdict"] == "insufficient_data").all()


def test_cli_link_readings(small_dir, tmp_path):
    proc = run_cli("link", str(small_dir), "--out", str(tmp_path / "out"), "--readings", "none")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(tmp_path / "out" / "link.csv")
    rows = table[(table["metric"] == "collects") & (table["outcome"] == "gmv")]
    # the point elasticity is the regression's, not a draw: one metric and outcome suffice
    kw = dict(metrics=("collects",), outcomes=("gmv",), trend_knot_days=None)
    alone = link(sm.load(small_dir), **kw).table
    np.testing.assert_allclose(rows["elasticity"], alone["elasticity"], rtol=1e-5)
    bad = run_cli("link", str(small_dir), "--out", str(tmp_path / "bad"), "--readings", "3")
    assert bad.returncode == 2 and "--readings" in bad.stderr and ">= 7" in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_cli_link_bad_input(data_dir, tmp_path):
    sales = pd.read_csv(data_dir / "sales.csv", dtype=str)
    sales.loc[2, "gmv"] = "NaN"
    sales.to_csv(data_dir / "sales.csv", index=False)
    proc = run_cli("link", str(data_dir), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "table 'sales'" in proc.stderr and "column 'gmv'" in proc.stderr
    assert not (tmp_path / "out" / "link.csv").exists()


def test_correlation_interval_respects_autocorrelation():
    """Independent but persistent series: the naive interval would exclude 0 far too often."""
    rng = np.random.default_rng(0)
    covered = []
    for _ in range(200):
        x, y = np.zeros(400), np.zeros(400)
        ex, ey = rng.normal(size=400), rng.normal(size=400)
        for t in range(1, 400):
            x[t] = 0.95 * x[t - 1] + ex[t]
            y[t] = 0.95 * y[t - 1] + ey[t]
        _, lo, hi = corr_interval(x, y)
        covered.append(lo <= 0 <= hi)
    assert np.mean(covered) >= 0.8  # naive Fisher intervals cover about 40% here


def test_small_pieces():
    basis = lag_basis(42, 6)
    np.testing.assert_allclose(basis.sum(axis=1), 1.0, atol=1e-12)  # partition of unity
    assert basis.shape == (43, 6)
    assert robustness_value(0.0, 500) == 0.0
    assert 0 < robustness_value(2.0, 500) < robustness_value(6.0, 500) < 1


@pytest.fixture(scope="module")
def null_seeding():
    """小红星 does nothing; buzz (strength 1.5) drives its reads and GMV. Its rows under the
    default (two readings of slow demand, averaged) and under the no-trend reading alone."""
    from seedmodel.sim.family import stress_world

    sims = [sm.simulate(stress_world("null_seeding").config, random_seed=s) for s in (1, 2)]
    out = {}
    for name, readings in (("averaged", (None, 30)), ("no_trend", None)):
        tables = [
            link(
                s.data, metrics=("collects", "reads"), outcomes=("gmv",), trend_knot_days=readings
            ).table
            for s in sims
        ]
        table = pd.concat(tables, ignore_index=True)
        seeding = table["channel"] == "little_red_star"
        out[name] = table[seeding & (table["verdict"] != "insufficient_data")]
    return out


def test_a_negative_link_is_not_support(null_seeding):
    # the no-trend reading over-adjusts some cells into a significant negative elasticity
    rows = null_seeding["no_trend"]
    negative = rows[rows["elasticity_hi"] < 0]
    assert len(negative) >= 1  # the over-adjusted cells that used to be called supported
    assert (negative["verdict"] == "not_supported").all()
    assert (negative["direction"] == "negative").all()
    assert negative["note"].str.contains("moves against engagement").all()
    positive = rows[rows["elasticity_lo"] > 0]
    assert (positive["verdict"] == "supported").all()
    assert set(rows["direction"]) <= {"positive", "negative", "unclear"}


def test_null_seeding_channel_is_rarely_called_supported(null_seeding):
    # measured (seeds 1-2): 1 of 16 cells with the no-trend reading; 0 of 16 averaged, whose
    # intervals cover the true 0 in 16 of 16 (8 seeds: 31 of 32); before sign-aware
    # verdicts 41% of 32 cells were called significant
    for rows in null_seeding.values():
        assert len(rows) == 16
        assert (rows["verdict"] == "supported").mean() <= 0.125
    averaged = null_seeding["averaged"]
    covers = (averaged["elasticity_lo"] <= 0) & (averaged["elasticity_hi"] >= 0)
    assert covers.mean() >= 0.9


def test_readings_are_averaged_and_checked(small_sim):
    kw = dict(metrics=("collects",), outcomes=("gmv",))
    both = link(small_sim.data, **kw).table
    alone = {k: link(small_sim.data, trend_knot_days=k, **kw).table for k in (None, 30)}
    assert link(small_sim.data, **kw).settings["trend_knot_days"] == [None, 30]
    # the point is the readings' mean; the interval reaches past the narrower reading's
    mean = (alone[None]["elasticity"] + alone[30]["elasticity"]) / 2
    np.testing.assert_allclose(both["elasticity"], mean, rtol=1e-9)
    narrow = np.minimum(
        alone[None]["elasticity_hi"] - alone[None]["elasticity_lo"],
        alone[30]["elasticity_hi"] - alone[30]["elasticity_lo"],
    )
    assert ((both["elasticity_hi"] - both["elasticity_lo"]) >= 0.95 * narrow).all()
    # lag profile and peak come from the first reading
    pd.testing.assert_series_equal(both["peak_lag"], alone[None]["peak_lag"])
    with pytest.raises(ValueError, match="trend_knot_days"):
        link(small_sim.data, trend_knot_days=(None, 3), **kw)
    # a list reads as the same readings as a tuple
    listed = link(small_sim.data, trend_knot_days=[None, 30], **kw).table
    pd.testing.assert_frame_equal(listed, both)


def _family_cells(worlds, null_seeds=()):
    """Own-metric cells of family worlds (two brands each) and of the null_seeding world."""
    from seedmodel.sim.family import family_world, stress_world

    runs = [(family_world(w, n_brands=2), 1) for w in worlds]
    runs += [(stress_world("null_seeding"), s) for s in null_seeds]
    out = []
    for fw, seed in runs:
        sim = sm.simulate(fw.config, random_seed=seed)
        table = link(sim.data, metrics=("collects", "clicks"), outcomes=("gmv",)).table
        out.append(_cells(sim, table).assign(world=fw.name))
    return pd.concat(out, ignore_index=True)


def test_family_worlds_are_covered_at_the_nominal_rate():
    # measured on family worlds 0-3: 44 of 48 cells (0.92); the no-trend reading alone
    # covered about two thirds of the family's cells (docs/link.md)
    cells = _family_cells(range(4))
    assert len(cells) == 48
    assert cells["covered"].mean() >= 0.85


@pytest.mark.slow
def test_link_targets_on_the_family():
    # issue 17's link targets. Measured (bench/results/link_recovery.json): coverage 0.91 on
    # 360 cells (小红星 0.86, 红猫 0.94, 红京 0.93); the null 小红星 called supported in 1 of 32
    cells = _family_cells(range(30), null_seeds=range(1, 9))
    family = cells[cells["world"] != "null_seeding"]
    assert 0.85 <= family["covered"].mean() <= 0.95
    assert family.groupby("channel")["covered"].mean().min() >= 0.8
    null = cells[(cells["world"] == "null_seeding") & (cells["channel"] == "little_red_star")]
    assert len(null) == 32  # 8 seeds x 2 brands x 2 platforms
    assert (null["verdict"] == "supported").mean() <= 0.1
