"""Which of a family world's mechanisms moves the ROI error: switch them off one at a time.

For each family world given, fit the default SeedingMMM on the world as drawn, then on the
same world with one mechanism switched off (the rest as drawn), then on the world with all of
them off but the budget timing (a world the model nearly matches: buzz still moves how much
notes are read), and print each fit's ROI cells against the truth. The truth is re-simulated
for every changed world (same seed), so each row is scored against its own world.
``--seeds`` repeats it on fresh draws of the same world (brand levels, budgets, noise), which
measures how far the estimate moves between two realisations of one world: the spread a 90%
interval has to cover.

    python bench/ablation.py --worlds 18 35 10            # 33 fits, ~35 min on 2 cores
    python bench/ablation.py --worlds 18 --switches matched --seeds 2 3 4 5 6 7 8 9

Some switches skip random draws of the simulator's second stream (``shocks``, ``trend``,
``shifts``, ``noise``), so they also redraw the world's GMV noise; ``buzz``, ``chase``,
``lead``, ``hill``, ``yield`` and ``golive`` keep every draw and change only their mechanism.

Switches (``SWITCHES``): ``buzz`` (buzz no longer moves demand or budgets; it still moves
how much notes are read), ``shocks`` (no fast demand shocks), ``chase`` (the shocks stay,
budgets no longer chase them), ``lead`` (budgets follow demand as many days *behind* as the
world has them ahead, or the reverse), ``trend`` (no bend, no level shift), ``shifts`` (no
level shift; the bend stays), ``noise`` (lognormal, independent day to day), ``hill`` (every
Hill slope 1, as the model's), ``yield`` (reads and clicks per yuan constant: no
content-quality drift, no dearer CPMs at festivals), ``golive`` (every channel live from the
first day), ``matched`` (all of these but ``lead``; ``chase`` is implied by ``shocks``),
``growth`` (no channel's budget grows over the years; not in ``matched``), ``budgets``
(budgets follow neither demand, buzz nor shocks: only flights, go-lives and growth; not in
``matched``).

``--brands B`` draws each world with B brands and ``--brand NAME`` fits that brand alone (a
brand of a several-brand world, as ``bench/recovery.py --per-brand`` fits it).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from recovery import by_group, cells, without_lifts

import seedmodel as sm
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.models.mmm.spec import SeedingMMM
from seedmodel.sim.config import WorldConfig
from seedmodel.sim.family import family_world


def _channels(cfg: WorldConfig, **change: Any) -> WorldConfig:
    """``cfg`` with ``change`` applied to every paid channel."""
    paid = tuple(c if c.kind == "organic" else replace(c, **change) for c in cfg.channels)
    return replace(cfg, channels=paid)


#: Switch name -> the world with that mechanism off.
SWITCHES = {
    "buzz": lambda c: replace(c, buzz_strength=0.0),
    "shocks": lambda c: replace(c, shock_sd=0.0),
    "chase": lambda c: replace(c, shock_budget_pull=0.0),
    "lead": lambda c: replace(c, budget_lead_days=-c.budget_lead_days),
    "trend": lambda c: replace(c, trend_bend=0.0, level_shifts=0),
    "shifts": lambda c: replace(c, level_shifts=0),
    "noise": lambda c: replace(c, noise="lognormal", noise_phi=0.0),
    "hill": lambda c: _channels(c, hill_slope=1.0),
    "yield": lambda c: replace(c, quality_variation=False, cpm_inflation=False),
    "golive": lambda c: _channels(c, go_live=None),
    # 2026-12-04: two more, not part of ``matched`` (which keeps its earlier meaning)
    "growth": lambda c: _channels(c, spend_growth=0.0),
    "budgets": lambda c: replace(c, demand_budgets=False),
}
_MATCHED = ["buzz", "shocks", "chase", "trend", "noise", "hill", "yield", "golive"]


def switched(cfg: WorldConfig, name: str) -> WorldConfig:
    """``cfg`` with switch ``name`` (or every switch but ``lead``, for ``matched``) off."""
    if name == "as_drawn":
        return cfg
    for s in _MATCHED if name == "matched" else [name]:
        cfg = SWITCHES[s](cfg)
    return cfg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worlds", nargs="+", type=int, default=[18, 35, 10])
    ap.add_argument(
        "--switches", nargs="+", default=[*SWITCHES, "matched"], choices=[*SWITCHES, "matched"]
    )
    ap.add_argument(
        "--seeds",
        nargs="+",
        type=int,
        default=[1],
        help="simulation seeds: each redraws the world's levels, budgets and noise",
    )
    ap.add_argument("--brands", type=int, default=1, help="brands per family world")
    ap.add_argument(
        "--brand", default=None, help="fit only this brand of each world (by name), alone"
    )
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--tune", type=int, default=500)
    ap.add_argument("--out", default="bench/results/ablation.json")
    args = ap.parse_args(argv)

    rows = []
    names = ["as_drawn", *args.switches]
    runs = [(w, s, n) for w in args.worlds for s in args.seeds for n in names]
    for number, seed, name in runs:
        world = family_world(number, n_brands=args.brands)
        sim = sm.simulate(switched(world.config, name), random_seed=seed)
        data = without_lifts(sim)
        if args.brand:
            data = data.select_brands([args.brand])
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotConvergedWarning)
            fit = fit_mmm(
                data,
                SeedingMMM(),
                draws=args.draws,
                tune=args.tune,
                chains=2,
                random_seed=seed,
            )
        table = cells(sim, fit).assign(
            world=world.name,
            seed=seed,
            switched_off=name,
            seconds=round(time.perf_counter() - t, 1),
            max_rhat=fit.diagnostics.max_rhat,
            divergences=fit.diagnostics.divergences,
        )
        rows.append(table)
        print(
            f"{world.name} seed {seed} {name:9s} "
            + " | ".join(
                f"{r.channel} {r.roi:.2f} [{r.roi_lo:.2f}, {r.roi_hi:.2f}] "
                f"true {r.true_roi:.2f}{'' if r.covered else ' MISS'}"
                for r in table.itertuples()
            ),
            flush=True,
        )
    out = pd.concat(rows, ignore_index=True)
    summary = by_group(out, ["switched_off", "channel"])
    print(summary.to_string())
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    keep = [
        "world",
        "seed",
        "switched_off",
        "brand",
        "channel",
        "roi",
        "roi_lo",
        "roi_hi",
        "true_roi",
        "signed_err",
        "covered",
        "seconds",
        "max_rhat",
        "divergences",
    ]
    path.write_text(
        json.dumps(
            {
                "args": vars(args),
                "summary": summary.reset_index().to_dict(orient="records"),
                "cells": json.loads(out[keep].to_json(orient="records")),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
