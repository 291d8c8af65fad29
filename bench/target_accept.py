"""Fits that sample until converged, at a given NUTS step-size target: where they stop, the
gradient evaluations it took, divergences, and the ROI against the truth.

    python bench/target_accept.py OUT.json WORLD:SEED:TARGET [WORLD:SEED:TARGET ...]

``WORLD`` is ``sample`` (``data/sample`` and its ``truth.json``), ``small`` (simulator, 1
brand, 240 days, seed 4), ``weekly`` (3 brands, two years weekly, seed 1), ``five`` (5 brands,
two years daily, seed 5) or a family world's number (seed 1, 1,000 warm-up draws, as
``bench/recovery.py --until-converged``). ``SEED`` is the fit's seed. Gradient counts and
divergences do not depend on what else runs on the machine; seconds do.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def world(name: str):
    """The data and the true ROI (brand -> channel -> ROI) of a named world."""
    import seedmodel as sm

    if name == "sample":
        truth = json.loads((ROOT / "data" / "sample" / "truth.json").read_text())["roi"]
        return sm.load(ROOT / "data" / "sample"), truth
    if name.isdigit():
        from recovery import without_lifts

        from seedmodel.sim.family import family_world

        sim = sm.simulate(family_world(int(name)).config, random_seed=1)
        return without_lifts(sim), sim.truth["roi"]
    from converged import SIM_WORLDS  # issue 19's table's worlds

    worlds = {"small": ("", {"n_brands": 1, "days": 240}, 4), **SIM_WORLDS}
    _, settings, seed = worlds[name]
    sim = sm.simulate(sm.WorldConfig(**settings), random_seed=seed)
    return sim.data, sim.truth["roi"]


def main(argv: list[str]) -> int:
    from converged import roi_score

    from seedmodel.fit import NotConvergedWarning, fit_mmm

    out, rows = Path(argv[0]), []
    for job in argv[1:]:
        name, seed, target = job.split(":")
        data, truth = world(name)
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotConvergedWarning)
            fit = fit_mmm(
                data,
                random_seed=int(seed),
                target_accept=float(target),
                progress=None,
                **({"tune": 1000} if name.isdigit() else {}),
            )
        wall = time.perf_counter() - t
        d = fit.diagnostics
        err, covered = roi_score(fit, truth)
        row = dict(
            world=name,
            seed=int(seed),
            target=float(target),
            stopped=d.stopped,
            draws=d.draws,
            gradients=int(d.gradients),
            divergences=int(d.divergences),
            max_rhat=round(float(d.max_rhat), 4),
            min_ess=round(float(d.min_ess_bulk), 1),
            wall=round(wall, 1),
            err=round(err, 3),
            covered=f"{int(covered.sum())}/{len(covered)}",
        )
        rows.append(row)
        print(json.dumps(row), flush=True)
        out.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main(sys.argv[1:]))
