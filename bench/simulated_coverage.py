"""The table of how often roi()'s 90% intervals held the truth on the world family, by brands
per fit and channel: ``seedmodel/data/simulated_coverage.json``, which reports quote
(:mod:`seedmodel.analysis.simulated_coverage`).

    python bench/simulated_coverage.py            # print the table
    python bench/simulated_coverage.py --write    # and write the package file

It reads the stored recovery results of today's default on every tier of the family
(:data:`SOURCES`, which ``bench/family_today.sh`` reads too: ``--sources``), scored on
roi()'s widened intervals. Rerun it with
``--write`` whenever those files are replaced; ``tests/test_simulated_coverage.py`` fails
while the package file and the stored results disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from recovery_table import load, widened

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PACKAGE_FILE = ROOT / "seedmodel" / "data" / "simulated_coverage.json"

#: Today's default on every tier: (file, brands per fit, tier label). bench/family_today.sh
#: reads its files and labels from here (``--sources``).
SOURCES = (
    ("recovery_family_rescored_one_brand_0_29_1207_fortyfirst.json", 1, "one_brand_0-29"),
    ("recovery_family_rescored_one_brand_30_59_1207_fortyfirst.json", 1, "one_brand_30-59"),
    ("recovery_family_rescored_two_brand_0_14_1207_fortyfirst.json", 2, "two_brands_0-29"),
    ("recovery_family_rescored_two_brand_15_29_1207_fortyfirst.json", 2, "two_brands_0-29"),
    (
        "recovery_family_rescored_three_brand_30_44_without_34_1207_fortyfirst.json",
        3,
        "three_brands_30-44",
    ),
    ("recovery_family_rescored_three_brand_34_1207_fortyfirst.json", 3, "three_brands_30-44"),
    ("recovery_family_rescored_four_brand_45_1207_fortyfirst.json", 4, "four_brands_45-54"),
    ("recovery_family_rescored_four_brand_46_54_1207_fortyfirst.json", 4, "four_brands_45-54"),
    ("recovery_family_rescored_five_brand_55_59_1207_fortyfirst.json", 5, "five_brands_55-59"),
)
#: The widened intervals roi() reports: four-week blocks and the priors' centres and widths.
WIDENED = "28p"


def cells(results: Path = RESULTS) -> pd.DataFrame:
    """Every scored cell of :data:`SOURCES`, with ``brands`` ("1" or "2-5")."""
    parts = []
    for name, n, _ in SOURCES:
        part = widened(load(str(results / name), name), WIDENED)
        part["brands"] = "1" if n == 1 else "2-5"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def table(results: Path = RESULTS) -> dict:
    """The package file's content: a header (what was measured) and one row per brands
    group and channel."""
    c = cells(results)
    rows = []
    for (brands, channel), g in c.groupby(["brands", "channel"], sort=True):
        rows.append(
            {
                "brands": brands,
                "channel": channel,
                "cells": len(g),
                "worlds": int(g["world"].nunique()),
                "coverage": round(float(g["covered"].mean()), 3),
                "confidently_wrong": int(g["confidently_wrong"].sum()),
                "median_abs_error": round(float(g["rel_err"].median()), 3),
                "mroi_coverage": round(float(g["mroi_covered"].mean()), 3),
            }
        )
    return {
        "level": 0.9,
        "spec_format": 13,  # the format the stored fits were made in, not today's constant
        "model": "SeedingMMM() defaults, spec format 13, no lift tests",
        "worlds": int(c["world"].nunique()),
        "draws": "seed 1, 500 warm-up and 500 kept draws on each of 2 chains",
        "intervals": "roi()'s, widened for the months (four-week blocks), the other brands "
        "of a pooled fit, the priors and the ridge with the baseline",
        "measured": "2026-12-07: fitted in the thirty-eighth to fortieth sessions, scored with "
        "the forty-first session's roi()",
        "sources": [f"bench/results/{name}" for name, _, _ in SOURCES],
        "docs": "docs/recovery_family.md, Where it stands",
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the package file")
    parser.add_argument(
        "--sources",
        action="store_true",
        help="print each source file (from the repository root) and its tier label, and stop",
    )
    args = parser.parse_args(argv)
    if args.sources:
        for name, _, label in SOURCES:
            print(f"bench/results/{name} {label}")
        return
    out = table()
    print(pd.DataFrame(out["rows"]).to_string(index=False))
    if args.write:
        PACKAGE_FILE.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(f"wrote {PACKAGE_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
