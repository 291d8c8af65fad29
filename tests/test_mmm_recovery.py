"""Recovery of the true ROI over simulator worlds, including ones the model does not match
exactly (Weibull lags fitted with geometric adstock, buzz confounding, cannibalisation).

Slow: ``python -m pytest -m slow tests/test_mmm_recovery.py`` (about 4 minutes a world on 2
cores). The thresholds are issue 4's acceptance. Measured so far (docs/mmm.md,
bench/recovery.py): default and strong-buzz worlds, seeds 1-5, 1000 draws: median |ROI error| /
true ROI 0.31, 90% coverage 0.82, attribution feed 0.47 — the error is short of the target, so
the test is marked as an expected failure until the model gets there.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import seedmodel as sm
from seedmodel.analysis.roi import roi
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.models.mmm.spec import MediaSpec, SeedingMMM

WORLDS = {
    "default": (sm.WorldConfig(n_brands=3), SeedingMMM()),
    "geometric_fit_to_weibull": (
        sm.WorldConfig(n_brands=3),
        SeedingMMM(media={"little_red_star": MediaSpec("geometric", "hill", 60)}),
    ),
    "strong_buzz": (sm.WorldConfig(n_brands=3, buzz_strength=2.0), SeedingMMM()),
}


def _cells(config, spec, seed):
    sim = sm.simulate(config, random_seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(sim.data, spec, draws=1000, tune=1000, chains=2, random_seed=seed)
    table = roi(fit)
    table["true"] = [sim.truth["roi"][r.brand][r.channel] for r in table.itertuples()]
    attr = sim.data.attribution.groupby(["brand", "channel"])["attributed_gmv"].sum()
    spend = sim.data.media.groupby(["brand", "channel"])["spend"].sum()
    table["attribution_roi"] = [
        attr[(r.brand, r.channel)] / spend[(r.brand, r.channel)] for r in table.itertuples()
    ]
    return table


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="issue 4: median error 0.31 (target 0.20) measured over 10 fits; coverage 0.82",
)
def test_roi_recovery_over_worlds_and_seeds():
    tables = [
        _cells(config, spec, seed).assign(world=name)
        for name, (config, spec) in WORLDS.items()
        for seed in (1, 2)
    ]
    cells = pd.concat(tables, ignore_index=True)
    rel = (cells["roi"] - cells["true"]).abs() / cells["true"]
    covered = (cells["roi_lo"] <= cells["true"]) & (cells["true"] <= cells["roi_hi"])
    attribution = (cells["attribution_roi"] - cells["true"]).abs() / cells["true"]
    assert rel.median() <= 0.20
    assert covered.mean() >= 0.80
    assert rel.median() < attribution.median()
    assert np.isfinite(cells["roi"]).all()
