"""Two ``bench/recovery.py`` runs of the same worlds and seeds, cell by cell.

``recovery_table.py`` sets runs side by side group by group; a change to the model is also
judged by what it does to each cell: how far the estimates moved (beyond the sampler's
noise?), which cells gained coverage and which lost it, which became or stopped being
confidently wrong. Cells are matched on (world, seed, brand, channel); cells held by one
run only are counted and left out.

    python bench/compare_cells.py --before A.json [B.json ...] --after C.json [D.json ...] \\
        --widened 28p --labels before after --out bench/results/compare.json

Each side may be several files (a tier fitted in parts), pooled under its label.

Prints the two runs' overall and per-channel tables on the shared cells, how far the
estimates moved (median ``|log(after / before)|``, overall and per channel), and every cell
whose coverage or confidently-wrong verdict changed, with both intervals and the truth.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from recovery import by_group
from recovery_table import load, markdown, widened

KEY = ["world", "seed", "brand", "channel"]


def paired(before: pd.DataFrame, after: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """The cells both runs hold (true ROI above 0), as one frame with ``_a`` (before) and
    ``_b`` (after) columns, and how many cells only the first and only the second held."""
    a = before[before["true_roi"] > 0].set_index(KEY)
    b = after[after["true_roi"] > 0].set_index(KEY)
    both = a.merge(b, left_index=True, right_index=True, suffixes=("_a", "_b"))
    return both, len(a.index.difference(b.index)), len(b.index.difference(a.index))


def moves(both: pd.DataFrame) -> pd.DataFrame:
    """Per channel and overall: how far the estimates moved (median ``|log(b / a)|``),
    and how many cells gained or lost coverage and confidently-wrong verdicts."""
    frame = pd.DataFrame(
        {
            "channel": both.index.get_level_values("channel"),
            "log_move": np.abs(np.log(both["roi_b"].to_numpy() / both["roi_a"].to_numpy())),
            "gained": (~both["covered_a"] & both["covered_b"]).to_numpy(),
            "lost": (both["covered_a"] & ~both["covered_b"]).to_numpy(),
            "wrong_new": (~both["confidently_wrong_a"] & both["confidently_wrong_b"]).to_numpy(),
            "wrong_gone": (both["confidently_wrong_a"] & ~both["confidently_wrong_b"]).to_numpy(),
        }
    )
    spec = dict(
        cells=("log_move", "size"),
        median_abs_log_move=("log_move", "median"),
        covered_gained=("gained", "sum"),
        covered_lost=("lost", "sum"),
        confidently_wrong_new=("wrong_new", "sum"),
        confidently_wrong_gone=("wrong_gone", "sum"),
    )
    per = frame.groupby("channel").agg(**spec)
    per.loc["all"] = frame.assign(channel="all").groupby("channel").agg(**spec).iloc[0]
    return per.round(3)


def changed(both: pd.DataFrame) -> pd.DataFrame:
    """The cells whose coverage or confidently-wrong verdict differs between the runs, with
    both estimates and intervals and the truth."""
    flip = (both["covered_a"] != both["covered_b"]) | (
        both["confidently_wrong_a"] != both["confidently_wrong_b"]
    )
    cols = ["true_roi_a", "roi_a", "roi_lo_a", "roi_hi_a", "covered_a"]
    cols += ["roi_b", "roi_lo_b", "roi_hi_b", "covered_b", "confidently_wrong_b"]
    out = both.loc[flip, cols].rename(columns={"true_roi_a": "true_roi"})
    return out.round(2).reset_index()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", nargs="+", required=True, help="recovery JSON of the first run")
    ap.add_argument(
        "--after", nargs="+", required=True, help="the second run's (same worlds and seeds)"
    )
    ap.add_argument("--labels", nargs=2, default=["before", "after"], metavar=("BEFORE", "AFTER"))
    ap.add_argument(
        "--widened",
        default=None,
        metavar="DAYS",
        help="score both runs' intervals widened by the block jackknife (DAYS, e.g. 28, or "
        "28p with the priors' sensitivity: roi()'s default intervals) instead of the "
        "posterior's",
    )
    ap.add_argument("--out", default=None, help="also write the tables here as JSON")
    args = ap.parse_args(argv)
    runs = []
    for paths, label in zip((args.before, args.after), args.labels, strict=True):
        parts = [load(p, None) for p in paths]
        if any(part["variant"].nunique() > 1 for part in parts):
            raise SystemExit("one variant per file, please")
        runs.append(pd.concat(parts, ignore_index=True).assign(variant=label))
    if args.widened:
        runs = [widened(r, args.widened) for r in runs]
    both, only_a, only_b = paired(*runs)
    if both.empty:
        raise SystemExit("the two runs share no cell (world, seed, brand, channel)")
    shared = both.index
    cells = pd.concat([r.set_index(KEY).loc[shared].reset_index() for r in runs])
    overall = by_group(cells, ["variant"])
    per_channel = by_group(cells, ["channel", "variant"])
    moved, flips = moves(both), changed(both)
    print(f"{len(both)} shared cells; {only_a} only in the first run, {only_b} only in the second")
    print("\n## overall\n\n" + markdown(overall))
    print("\n## by channel\n\n" + markdown(per_channel))
    print("\n## how far the estimates moved\n\n" + markdown(moved))
    print("\n## cells whose verdict changed\n\n" + flips.to_markdown(index=False))
    if args.out:
        payload = {
            "args": vars(args),
            "shared_cells": len(both),
            "only_before": only_a,
            "only_after": only_b,
            "overall": overall.reset_index().to_dict("records"),
            "by_channel": per_channel.reset_index().to_dict("records"),
            "moves": moved.reset_index().to_dict("records"),
            "changed": flips.to_dict("records"),
        }
        Path(args.out).write_text(json.dumps(payload, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
