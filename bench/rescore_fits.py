"""Score fits saved by ``bench/recovery.py --save-fits`` again with today's library, without
refitting: a change to how intervals are read from the draws (``roi()``'s widenings) is then
measured on exactly the draws the last run scored.

    python bench/rescore_fits.py /tmp/fits --resampling-blocks 28 --prior-centres \\
        --out bench/results/rescored_fits.json

Each file ``<world>__<seed>__<variant>__<lift>.nc`` is loaded (:func:`seedmodel.load_fit`),
its world simulated again from its name and seed (family worlds with as many brands as the
fit has; ``--organic-echo`` as the run had it), and its cells scored as ``recovery.py``
scores them (:func:`recovery.fit_table`). The JSON has ``recovery.py``'s ``cells`` and
``fits`` (without timings), for ``bench/recovery_table.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from recovery import family_tables, fit_table, table_options, tables_and_cells, write_json

import seedmodel as sm
from seedmodel.sim.family import STRESS_WORLDS, FamilyWorld, family_world, stress_world
from seedmodel.sim.worlds import RECOVERY_WORLDS, recovery_world


def world_of(name: str, n_brands: int, organic_echo: bool) -> FamilyWorld:
    """The world a saved fit's file name names: a family world, a stress world, or one of
    the developers' recovery worlds (no mechanism groups)."""
    if name in STRESS_WORLDS:
        return stress_world(name)
    if name in RECOVERY_WORLDS:
        return FamilyWorld(name, recovery_world(name), {})
    if not name.startswith("family-"):
        raise SystemExit(f"{name}: not a family, stress or recovery world")
    return family_world(
        int(name.removeprefix("family-")), n_brands=n_brands, organic_echo=organic_echo
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fits", help="directory of recovery.py --save-fits")
    ap.add_argument("--organic-echo", action="store_true", help="as the fitting run had it")
    ap.add_argument("--fitted-checks", action="store_true")
    ap.add_argument("--resampling-blocks", nargs="+", type=int, default=[], metavar="DAYS")
    ap.add_argument("--prior-centres", action="store_true")
    ap.add_argument("--out", default="bench/results/rescored_fits.json")
    args = ap.parse_args(argv)

    rows, fits = [], []
    for path in sorted(Path(args.fits).glob("*.nc")):
        world, seed, variant, lift = path.stem.split("__")
        fit = sm.load_fit(path)
        named = world_of(world, len(fit.inputs.brands), args.organic_echo)
        sim = sm.simulate(named.config, random_seed=int(seed))
        labels = dict(world=world, seed=int(seed), variant=variant, lift=lift)
        table = fit_table(sim, fit, labels, named.mechanisms, **table_options(args))
        rows.append(table)
        d = fit.diagnostics
        fits.append(
            dict(world=world, seed=int(seed), variant=variant, lift=lift, converged=d.converged)
        )
        print(json.dumps({**fits[-1], "coverage": float(table["covered"].mean())}), flush=True)
    cells = pd.concat(rows, ignore_index=True)
    tables = family_tables(cells)
    print(tables["overall"].to_string())
    write_json(args.out, {"args": vars(args), "fits": fits, **tables_and_cells(tables, cells)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
