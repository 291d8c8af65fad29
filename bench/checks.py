"""The per-fit checks on the world family: how often the placebo fails (its truth is 0 in
every world) and whether the seeding channel's error is larger where it does.

    python bench/checks.py --family 12 [--family-start 0] [--draws 500] [--out FILE]

Prints one line per world and a summary table; writes JSON (default
bench/results/checks_family.json).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recovery import cells, without_lifts

import seedmodel as sm
from seedmodel.analysis.checks import check_fit
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.sim.family import family_world


def run_world(index: int, draws: int) -> list[dict]:
    """Fit family world ``index`` (seed 1) and check it; one row per brand."""
    world = family_world(index)
    sim = sm.simulate(world.config, random_seed=1)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(
            without_lifts(sim), draws=draws, tune=draws, chains=2, random_seed=1, progress=None
        )
        checks = check_fit(fit, draws=draws)
    table = cells(sim, fit).set_index(["brand", "channel"])
    rows = []
    for p in checks.placebo.itertuples():
        seeding = table.loc[(p.brand, p.placebo_of)]
        rows.append(
            {
                "world": world.name,
                "brand": p.brand,
                "placebo_of": p.placebo_of,
                "placebo_roi": p.roi,
                "placebo_roi_lo": p.roi_lo,
                "placebo_roi_hi": p.roi_hi,
                "prior_roi": p.prior_roi,
                "passed": bool(p.passed),
                "passed_old_rule": bool(p.roi_lo < 0.3 or p.roi <= p.prior_roi),
                "covers_zero_region": bool(p.roi_lo < 0.3),
                "seeding_rel_err": float(seeding["rel_err"]),
                "seeding_covered": bool(seeding["covered"]),
                "forecast_coverage": float(
                    checks.forecast.loc[checks.forecast["brand"] == p.brand, "coverage"].mean()
                ),
                "seconds": round(time.perf_counter() - t, 1),
            }
        )
    return rows


def _of(frame: pd.DataFrame, rows: pd.Series, column: str, how: str) -> float:
    """``how`` ("median" or "mean") of ``column`` over ``rows``; NaN when there are none."""
    picked = frame.loc[rows, column].astype(float)
    return float(getattr(picked, how)()) if len(picked) else np.nan


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", type=int, default=12)
    ap.add_argument("--family-start", type=int, default=0)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--out", default="bench/results/checks_family.json")
    args = ap.parse_args(argv)
    rows = []
    for index in range(args.family_start, args.family_start + args.family):
        for row in run_world(index, args.draws):
            rows.append(row)
            print(json.dumps(row), flush=True)
    frame = pd.DataFrame(rows)
    summary = {
        "cells": len(frame),
        "placebo_pass_rate": float(frame["passed"].mean()),
        "placebo_pass_rate_old_rule": float(frame["passed_old_rule"].mean()),
        "placebo_interval_reaches_0.3": float(frame["covers_zero_region"].mean()),
        "median_placebo_roi": float(frame["placebo_roi"].median()),
        **{
            f"seeding_{name}_when_placebo_{state}": _of(
                frame, frame["passed"] == passed, column, how
            )
            for name, column, how in (
                ("err", "seeding_rel_err", "median"),
                ("coverage", "seeding_covered", "mean"),
            )
            for state, passed in (("failed", False), ("passed", True))
        },
    }
    print(pd.Series(summary).round(3).to_string())
    Path(args.out).write_text(json.dumps({"args": vars(args), "rows": rows, "summary": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
