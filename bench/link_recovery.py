"""Link analysis against known truth on the world family (issue 17's link targets).

Each world: simulate (two brands), run :func:`seedmodel.link` for the channels' own metric
(collects for 小红星's seeding notes, link clicks for 红猫 and 红京) against GMV, and compare
each cell's 90% elasticity interval with the simulator's true elasticity. The named
``null_seeding`` stress world (小红星 has no effect; buzz drives its reads and GMV) is run
over ``--null-seeds`` and scored by how often 小红星 is called ``supported``.

    python bench/link_recovery.py                          # family 0..29 + null seeds 1-8
    python bench/link_recovery.py --family 10 --variants default notrend knots30
    python bench/link_recovery.py --family 15 --family-start 30 --null-seeds 9 10 11 12

Prints coverage, median width and the null channel's ``supported`` share per variant, by
channel and by mechanism, and writes every cell to JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

import seedmodel as sm
from seedmodel.linkage import link
from seedmodel.sim.family import family_world, stress_world

#: Variant -> keyword arguments of :func:`seedmodel.link`.
VARIANTS: dict[str, dict[str, Any]] = {
    # the library's default since 2026-12-03: the two readings of slow demand, averaged
    "default": {},
    # one reading each: no trend (the default before), or a smooth trend with these knots
    "notrend": {"trend_knot_days": None},
    "knots30": {"trend_knot_days": 30},
    "knots60": {"trend_knot_days": 60},
    "knots91": {"trend_knot_days": 91},
}

#: The columns of each cell written to JSON.
KEPT = [
    "world",
    "seed",
    "variant",
    "brand",
    "channel",
    "metric",
    "platform",
    "true",
    "elasticity",
    "elasticity_lo",
    "elasticity_hi",
    "verdict",
    "covered",
    "width",
    "error",
    "seconds",
]
OWN_METRIC = {"little_red_star": "collects", "red_cat": "clicks", "red_jd": "clicks"}


def cells(sim: sm.Simulation, table: pd.DataFrame) -> pd.DataFrame:
    """The channels' own-metric rows with the true elasticity, coverage and width."""
    rows = table[table["metric"] == table["channel"].map(OWN_METRIC)]
    rows = rows[rows["verdict"] != "insufficient_data"].copy()
    truth = sim.truth["elasticity"]
    rows["true"] = [truth[r.brand][r.channel][r.platform] for r in rows.itertuples()]
    rows["covered"] = (rows["elasticity_lo"] <= rows["true"]) & (
        rows["true"] <= rows["elasticity_hi"]
    )
    rows["width"] = rows["elasticity_hi"] - rows["elasticity_lo"]
    rows["error"] = rows["elasticity"] - rows["true"]
    return rows


def run(
    variants: list[str], family: range, null_seeds: list[int], *, organic_echo: bool = False
) -> pd.DataFrame:
    """Every scored cell of every variant on the family (``organic_echo``: its worlds whose
    organic notes partly echo the seeding notes) and the null world."""
    out = []
    worlds = [(family_world(w, n_brands=2, organic_echo=organic_echo), 1) for w in family]
    worlds += [(stress_world("null_seeding"), s) for s in null_seeds]
    for fw, seed in worlds:
        sim = sm.simulate(fw.config, random_seed=seed)
        for name in variants:
            t0 = time.perf_counter()
            table = link(
                sim.data, metrics=("collects", "clicks"), outcomes=("gmv",), **VARIANTS[name]
            ).table
            got = cells(sim, table).assign(
                world=fw.name, seed=seed, variant=name, seconds=time.perf_counter() - t0
            )
            for mech, group in fw.mechanisms.items():
                got[f"mech_{mech}"] = group
            out.append(got)
            print(
                f"{fw.name:>14} seed {seed} {name:>10}: coverage {got['covered'].mean():.2f} "
                f"({len(got)} cells)",
                flush=True,
            )
    return pd.concat(out, ignore_index=True)


def summary(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Coverage and width by variant (family cells), by channel and mechanism, and the null
    channel's verdicts."""
    null = table["world"].eq("null_seeding") & table["channel"].eq("little_red_star")
    fam = table[~table["world"].eq("null_seeding")]
    agg = dict(
        cells=("covered", "size"),
        coverage=("covered", "mean"),
        median_width=("width", "median"),
        median_abs_error=("error", lambda e: e.abs().median()),
    )
    out = {
        "overall": fam.groupby("variant").agg(**agg),
        "by_channel": fam.groupby(["variant", "channel"]).agg(**agg),
        "null": table[null]
        .groupby("variant")
        .agg(
            cells=("verdict", "size"),
            supported=("verdict", lambda v: (v == "supported").mean()),
            covered=("covered", "mean"),
        ),
    }
    mechs = [c for c in fam.columns if c.startswith("mech_")]
    out["by_mechanism"] = pd.concat(
        [
            fam.groupby(["variant", m])
            .agg(**agg)
            .rename_axis(["variant", "group"])
            .assign(mechanism=m[5:])
            for m in mechs
        ]
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", type=int, default=30, help="number of family worlds")
    ap.add_argument("--family-start", type=int, default=0, help="first family world")
    ap.add_argument("--null-seeds", nargs="+", type=int, default=list(range(1, 9)))
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument(
        "--organic-echo",
        action="store_true",
        help="family worlds whose organic notes partly echo the seeding notes",
    )
    ap.add_argument("--out", default="bench/results/link_recovery.json")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    first = args.family_start
    family = range(first, first + args.family)
    table = run(args.variants, family, args.null_seeds, organic_echo=args.organic_echo)
    parts = summary(table)
    for name, frame in parts.items():
        print(f"\n{name}\n{frame.round(3).to_string()}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "args": vars(args),
        **{k: v.reset_index().to_dict("records") for k, v in parts.items()},
        "cells": table[KEPT].to_dict("records"),  # mechanisms: family_world(w).mechanisms
    }
    out.write_text(json.dumps(payload, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
