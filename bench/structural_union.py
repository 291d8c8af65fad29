"""What averaging two model variants could buy, read off stored recovery results.

For each cell (world x channel) held by both ``BASE`` and ``OTHER`` (files of
``bench/recovery.py``, the same worlds and seeds), compare the base model's 90% interval
with the union of both variants' intervals, and its point estimate with the mean of the two.
An equal-weight mixture of the two posteriors has an interval inside that union and a mean
equal to that average, so the union's coverage and width bound from above what averaging the
two fits would give, without refitting anything.

Usage::

    python bench/structural_union.py BASE.json OTHER.json [OTHER.json ...] \
        --out bench/results/structural_union.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from recovery_table import load


def _cells(path: str) -> pd.DataFrame:
    """A results file's ROI cells by (world, channel); one variant per file."""
    cells = load(path, None)
    if cells["variant"].nunique() > 1:
        raise SystemExit(f"{path} holds several variants: one per file, please")
    return cells.set_index(["world", "channel"])[["roi", "roi_lo", "roi_hi", "true_roi"]]


def compare(base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Per cell: base and union coverage and relative width, base and averaged |error|."""
    both = base.merge(other, left_index=True, right_index=True, suffixes=("", "_o"))
    truth = both["true_roi"]
    lo = np.minimum(both["roi_lo"], both["roi_lo_o"])
    hi = np.maximum(both["roi_hi"], both["roi_hi_o"])
    return pd.DataFrame(
        {
            "covered": (both["roi_lo"] <= truth) & (truth <= both["roi_hi"]),
            "union_covered": (lo <= truth) & (truth <= hi),
            "width": (both["roi_hi"] - both["roi_lo"]) / truth,
            "union_width": (hi - lo) / truth,
            "rel_err": (both["roi"] / truth - 1).abs(),
            "mean_rel_err": ((both["roi"] + both["roi_o"]) / 2 / truth - 1).abs(),
        }
    )


def summary(cells: pd.DataFrame) -> dict[str, float]:
    """Coverage (mean), width and error (median) of a set of compared cells."""
    return {
        "cells": len(cells),
        "coverage": round(float(cells["covered"].mean()), 3),
        "union_coverage": round(float(cells["union_covered"].mean()), 3),
        "median_width": round(float(cells["width"].median()), 3),
        "union_median_width": round(float(cells["union_width"].median()), 3),
        "median_rel_err": round(float(cells["rel_err"].median()), 3),
        "mean_median_rel_err": round(float(cells["mean_rel_err"].median()), 3),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("others", nargs="+")
    ap.add_argument("--out", default=None, help="JSON file for the table (default: print only)")
    args = ap.parse_args(argv)
    base = _cells(args.base)
    rows = []
    for path in args.others:
        cells = compare(base, _cells(path))
        channels = cells.index.get_level_values("channel")
        groups = {"all": cells} | {c: cells[channels == c] for c in sorted(set(channels))}
        rows += [{"other": Path(path).name, "channel": k} | summary(v) for k, v in groups.items()]
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    if args.out:
        Path(args.out).write_text(json.dumps({"base": args.base, "rows": rows}, indent=2))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
