"""Score stored ``bench/recovery.py`` results again against the simulator's truth, mROI included.

Results written before 2026-12-05 scored ROI only. Each world is simulated again from its
name and seed (the simulator is deterministic; the stored true ROIs are checked against the
new ones), its true ROI and mROI are attached, every cell is scored by
:func:`recovery.score`, and the file's cells and family tables are rewritten in place. The
fitted estimates are not touched.

    python bench/rescore.py bench/results/recovery_family_control_scales.json ...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from recovery import family_tables, score

import seedmodel as sm
from seedmodel.sim.family import STRESS_WORLDS, family_world, stress_world
from seedmodel.sim.worlds import recovery_world


def world_config(name: str):
    """The simulator configuration of a stored world's name."""
    if name.startswith("family-"):
        return family_world(int(name.removeprefix("family-"))).config
    if name in STRESS_WORLDS:
        return stress_world(name).config
    return recovery_world(name)


def rescored(cells: pd.DataFrame) -> pd.DataFrame:
    """``cells`` with the truth attached again and scored on ROI and mROI.

    Raises
    ------
    ValueError
        When a world simulated again does not give the stored true ROI (the simulator or
        the world's definition changed since the fit).
    """
    parts = []
    for (world, seed), frame in cells.groupby(["world", "seed"], sort=False):
        truth = sm.simulate(world_config(world), random_seed=int(seed)).truth
        fresh = score(frame, truth)
        if not np.allclose(fresh["true_roi"], frame["true_roi"], rtol=1e-9, atol=1e-12):
            raise ValueError(f"{world} seed {seed}: the simulator's true ROI is not the stored one")
        parts.append(fresh)
    return pd.concat(parts).loc[cells.index]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", help="recovery JSON files, rewritten in place")
    args = ap.parse_args(argv)
    for path in map(Path, args.results):
        stored = json.loads(path.read_text())
        cells = rescored(pd.DataFrame(stored["cells"]))
        if any(c.startswith("mech_") for c in cells.columns):
            for name, frame in family_tables(cells).items():
                stored[f"family_{name}"] = json.loads(frame.reset_index().to_json(orient="records"))
        stored["cells"] = json.loads(cells.replace({np.nan: None}).to_json(orient="records"))
        path.write_text(json.dumps(stored, indent=1))
        scored = cells[cells["true_mroi"] > 0]
        print(
            f"{path.name}: {len(cells)} cells; mROI |error| {scored['mroi_rel_err'].median():.3f}, "
            f"coverage {scored['mroi_covered'].mean():.2f}, "
            f"confidently wrong {int(scored['mroi_confidently_wrong'].sum())}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
