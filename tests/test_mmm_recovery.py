"""Recovery of the true ROI over simulator worlds, including ones the model does not match
exactly (Weibull lags fitted with geometric adstock, buzz confounding, cannibalisation).

Slow: ``python -m pytest -m slow tests/test_mmm_recovery.py`` (17 fits, about 5 minutes each
on 2 cores). The thresholds are issue 4's acceptance. The same fits, run by
``python bench/recovery.py`` (bench/results/recovery_v5.json and recovery_v5_geometric.json,
docs/mmm.md): median |ROI error| / true ROI 0.172 over the three worlds' 135 cells and 0.170
over all 153 cells here (target 0.20), 90% coverage 0.92, attribution feed 0.43. The
lift-test check on v5 (recovery_v5_lift.json): the 9 tested cells' median interval width
0.83 -> 0.38 of true ROI, narrower in 9 of 9, median error 0.22 -> 0.16, worse in 0 of 9.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import seedmodel as sm
from seedmodel.analysis.incremental import roi
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.models.mmm.spec import MediaSpec, SeedingMMM
from seedmodel.sim.worlds import recovery_world

#: (world, model, seeds): the worlds of bench/recovery.py, and the default world fitted with
#: geometric adstock on 小红星, whose true lag is a delayed Weibull.
CASES = [
    *((name, SeedingMMM(), (1, 2, 3, 4, 5)) for name in ("default", "strong_buzz", "cannibal")),
    (
        "default",
        SeedingMMM(media={"little_red_star": MediaSpec("geometric", "hill", 60)}),
        (1, 2),
    ),
]


def _without_lifts(sim: sm.Simulation) -> sm.Dataset:
    return sim.data.replace(lift_tests=None, attribution=None)


def _cells(name, spec, seed):
    sim = sm.simulate(recovery_world(name), random_seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(_without_lifts(sim), spec, draws=1000, tune=1000, chains=2, random_seed=seed)
    table = roi(fit)
    table["true"] = [sim.truth["roi"][r.brand][r.channel] for r in table.itertuples()]
    attr = sim.data.attribution.groupby(["brand", "channel"])["attributed_gmv"].sum()
    spend = sim.data.media.groupby(["brand", "channel"])["spend"].sum()
    table["attribution_roi"] = [
        attr[(r.brand, r.channel)] / spend[(r.brand, r.channel)] for r in table.itertuples()
    ]
    return table


@pytest.mark.slow
def test_roi_recovery_over_worlds_and_seeds():
    tables = [
        _cells(name, spec, seed).assign(world=name) for name, spec, seeds in CASES for seed in seeds
    ]
    cells = pd.concat(tables, ignore_index=True)
    rel = (cells["roi"] - cells["true"]).abs() / cells["true"]
    covered = (cells["roi_lo"] <= cells["true"]) & (cells["true"] <= cells["roi_hi"])
    attribution = (cells["attribution_roi"] - cells["true"]).abs() / cells["true"]
    assert rel.median() <= 0.20
    assert covered.mean() >= 0.80
    assert rel.median() < attribution.median()
    assert np.isfinite(cells["roi"]).all()


@pytest.mark.slow
def test_a_lift_test_shrinks_its_channels_interval_without_worsening_its_error():
    """Default world, seeds 1-3: fit without and with the simulator's lift tests (one 28-day
    holdout per brand, SE 15%); compare the tested brand x channel cells."""
    rows = []
    for seed in (1, 2, 3):
        sim = sm.simulate(recovery_world("default"), random_seed=seed)
        tables = {}
        for name, data in (("without", _without_lifts(sim)), ("with", sim.data)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NotConvergedWarning)
                fit = fit_mmm(data, draws=1000, tune=1000, chains=2, random_seed=seed)
            tables[name] = roi(fit).set_index(["brand", "channel"])
        for lift in sim.data.lift_tests.itertuples():
            key = (lift.brand, lift.channel)
            true = sim.truth["roi"][lift.brand][lift.channel]
            for name, t in tables.items():
                rows.append(
                    {
                        "seed": seed,
                        "cell": key,
                        "fit": name,
                        "width": t.loc[key, "roi_hi"] - t.loc[key, "roi_lo"],
                        "error": abs(t.loc[key, "roi"] - true) / true,
                        "covered": float(t.loc[key, "roi_lo"] <= true <= t.loc[key, "roi_hi"]),
                    }
                )
    cells = pd.DataFrame(rows).pivot_table(index=["seed", "cell"], columns="fit")
    assert (cells[("width", "with")] < cells[("width", "without")]).all()
    # the tests inform (narrower) without claiming more than their window measured: at
    # face value (lift_transport=0) they halved the intervals (0.53 of the width at the
    # median, 500 draws) and two of nine missed the truth; with 0.3 it was 0.79, none missed
    # (the median of each cell's own ratio: a ratio of medians of widths in yuan per yuan
    # mixes cells of different ROI and moved with which cell sat at the median, 0.94 at a
    # per-cell median of 0.79 under the three-brand default of 2026-12-06)
    ratio = (cells[("width", "with")] / cells[("width", "without")]).median()
    assert 0.6 < ratio < 0.9
    assert cells[("covered", "with")].sum() >= cells[("covered", "without")].sum() - 1
    assert cells[("error", "with")].median() <= cells[("error", "without")].median() + 0.02
