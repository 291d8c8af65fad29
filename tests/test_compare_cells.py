"""bench/compare_cells.py: two recovery runs matched cell by cell."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from compare_cells import changed, moves, paired

from seedmodel.sim.truth import interval_scores


def _cells(roi, lo, hi, worlds=("w1", "w2", "w3")):
    cells = pd.DataFrame(
        {
            "world": list(worlds),
            "seed": 1,
            "brand": "A",
            "channel": ["little_red_star", "red_cat", "red_jd"][: len(worlds)],
            "true_roi": 2.0,
            "roi": roi,
            "roi_lo": lo,
            "roi_hi": hi,
        }
    )
    scores = interval_scores(cells["roi_lo"], cells["roi_hi"], cells["true_roi"])
    return cells.assign(covered=scores["covered"], confidently_wrong=scores["confidently_wrong"])


def test_cells_are_matched_and_their_verdicts_counted():
    before = _cells([2.0, 9.0, 1.0], [1.5, 8.0, 0.5], [2.5, 10.0, 1.5])
    after = _cells([2.0 * 1.1, 3.0, 1.0], [1.0, 1.5, 0.5], [3.0, 3.5, 1.5], ("w1", "w2", "w9"))
    both, only_a, only_b = paired(before, after)
    assert (len(both), only_a, only_b) == (2, 1, 1)
    m = moves(both)
    assert m.loc["all", "cells"] == 2
    assert m.loc["red_cat", "covered_gained"] == 1 and m.loc["all", "covered_lost"] == 0
    assert m.loc["red_cat", "confidently_wrong_gone"] == 1
    assert m.loc["little_red_star", "median_abs_log_move"] == pytest.approx(0.095, abs=1e-3)
    flips = changed(both)
    assert flips["world"].tolist() == ["w2"]
