"""Simulation-based calibration of SeedingMMM's ROI on the world family's designs.

For each family world k: its spend, calendar and organic signal as the design, every
parameter drawn from the model's own prior (seed k) and GMV from its likelihood; fit with
the family's protocol and score each channel's ROI interval against the truth that made it
(:func:`seedmodel.sim.calibration.calibration_cells`). On these worlds the model is right by
construction, so 90% intervals must cover about 90% and the truth's rank among the draws
must be uniform; what misses here is the inference's, not the model's.

    python bench/sbc.py --family 30 --draws 500 --tune 500
    python bench/sbc.py --family 12 --heavy-tails 3   # the same worlds, Student-t(3) GMV noise
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from recovery import without_lifts  # the family fits' tables: no lift tests or feed
from scipy import stats

import seedmodel as sm
from seedmodel.fit import NotConvergedWarning
from seedmodel.inference.options import SamplerConfig
from seedmodel.sim.calibration import calibration_cells
from seedmodel.sim.family import family_world


def summary(cells: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Coverage, error, width and a uniformity test of the ranks, overall and by channel."""

    def one(frame: pd.DataFrame) -> pd.Series:
        counts = np.histogram(frame["rank"], bins=bins, range=(0.0, 1.0))[0]
        rel = (frame["roi"] - frame["true_roi"]).abs() / frame["true_roi"].abs()
        return pd.Series(
            {
                "cells": len(frame),
                "coverage": frame["covered"].mean(),
                "median_rel_err": rel.median(),
                "median_width": (
                    (frame["roi_hi"] - frame["roi_lo"]) / frame["true_roi"].abs()
                ).median(),
                "rank_below_5pct": (frame["rank"] < 0.05).mean(),
                "rank_above_95pct": (frame["rank"] > 0.95).mean(),
                "rank_uniform_p": stats.chisquare(counts).pvalue,
            }
        )

    rows = {"all": one(cells)}
    rows |= {c: one(f) for c, f in cells.groupby("channel")}
    return pd.DataFrame(rows).T.round(3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", type=int, default=30, help="designs of family worlds")
    ap.add_argument("--family-start", type=int, default=0)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--tune", type=int, default=500)
    ap.add_argument(
        "--heavy-tails",
        type=float,
        default=None,
        help="Student-t GMV innovations with these degrees of freedom (a mismatch)",
    )
    ap.add_argument("--out", default="bench/results/sbc_family.json")
    args = ap.parse_args(argv)
    config = SamplerConfig(draws=args.draws, tune=args.tune)
    rows, fits = [], []
    table = pd.DataFrame()
    for k in range(args.family_start, args.family_start + args.family):
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotConvergedWarning)
            table = calibration_cells(
                without_lifts(sm.simulate(family_world(k).config, random_seed=1)),
                config=config,
                random_seed=k,
                heavy_tails=args.heavy_tails,
            )
        table = table.assign(world=f"family-{k}")
        rows.append(table)
        fits.append(
            dict(
                world=f"family-{k}",
                seconds=round(time.perf_counter() - t, 1),
                divergences=int(table["divergences"].iloc[0]),
                max_rhat=float(table["max_rhat"].iloc[0]),
                cells=[
                    f"{r.channel}: {r.roi:.2f} [{r.roi_lo:.2f}, {r.roi_hi:.2f}] true "
                    f"{r.true_roi:.2f} rank {r.rank:.2f}"
                    for r in table.itertuples()
                ],
            )
        )
        print(json.dumps(fits[-1]), flush=True)
        table = _write(Path(args.out), vars(args), fits, pd.concat(rows, ignore_index=True))
    print(table.to_markdown())
    return 0


def _write(out: Path, args: dict, fits: list[dict], cells: pd.DataFrame) -> pd.DataFrame:
    """Write the fits so far, their cells and the summary to ``out``; the summary."""
    table = summary(cells)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "args": args,
                "fits": fits,
                "summary": json.loads(table.reset_index(names="group").to_json(orient="records")),
                "cells": json.loads(cells.to_json(orient="records")),
            },
            indent=1,
        )
    )
    return table


if __name__ == "__main__":
    raise SystemExit(main())
