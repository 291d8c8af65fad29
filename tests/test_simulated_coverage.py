"""The simulated coverage a report quotes: the package table is what the stored recovery
results say, and it is handed out only for the model it was measured on."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from simulated_coverage import PACKAGE_FILE, table

from seedmodel.analysis.simulated_coverage import (
    brands_group,
    coverage_for,
    coverage_table,
    measured_on,
)
from seedmodel.models.mmm.spec import MediaSpec, SeedingMMM

LINKS = ("red_cat", "red_jd")
CHANNELS = ["little_red_star", "red_cat", "red_jd"]


def test_package_table_is_what_the_stored_results_say():
    # fails while bench/results and seedmodel/data disagree: rerun
    # `python bench/simulated_coverage.py --write` after replacing a tier's results
    assert json.loads(PACKAGE_FILE.read_text("utf-8")) == table()


def test_table_counts_every_cell_of_the_family_once():
    t = coverage_table()
    cells = t.groupby("brands")["cells"].sum().to_dict()
    assert cells == {"1": 180, "2-5": 510}  # docs/recovery_family.md, Where it stands
    assert set(t["channel"]) == set(CHANNELS)
    assert t["coverage"].between(0, 1).all() and (t["worlds"] == 60).all()
    assert measured_on()["spec_format"] == 13 and "rows" not in measured_on()


def test_rates_follow_the_number_of_brands():
    one = coverage_for(SeedingMMM(), 1, CHANNELS, LINKS)
    several = coverage_for(SeedingMMM(), 4, CHANNELS, LINKS)
    assert one["channel"].tolist() == several["channel"].tolist() == CHANNELS
    assert (one["brands"] == "1").all() and (several["brands"] == "2-5").all()
    # the seeding channel covers less when brands are pooled (0.88 against 0.79)
    lrs = {
        g["brands"].iloc[0]: g.set_index("channel").loc["little_red_star", "coverage"]
        for g in (one, several)
    }
    assert lrs["2-5"] < lrs["1"] - 0.05


def test_no_rates_for_another_model_or_channel():
    assert coverage_for(SeedingMMM(demand="control"), 1, CHANNELS, LINKS).empty
    # the seeding channel given a link channel's carryover is not the measured model
    media = {"little_red_star": MediaSpec("geometric", "hill", 21)}
    assert coverage_for(SeedingMMM(media=media), 1, CHANNELS, LINKS).empty
    # the defaults named explicitly are the measured model
    explicit = {"little_red_star": MediaSpec("weibull", "hill", 60)}
    assert len(coverage_for(SeedingMMM(media=explicit), 2, CHANNELS, LINKS)) == 3
    assert coverage_for(SeedingMMM(), 2, ["tv", "search"]).empty
    # six brands learn the brands' spreads: a model the family did not measure
    assert coverage_for(SeedingMMM(), 6, CHANNELS, LINKS).empty
    with pytest.raises(ValueError, match="n_brands"):
        brands_group(0)
