"""Where the step-size ladder of a fit that samples until converged should start on short
data: a user's default fit of short simulator worlds with the ladder starting at 0.97
(today's rule below :data:`~seedmodel.inference.options.STEP_TARGETS_MIN_PERIODS` fitted
periods) and at 0.9 (the rule on a year or more), one fit at a time.

    python bench/short_ladder.py [--worlds 0 1 2 3] [--out bench/results/short_ladder.json]

Prints a table and writes JSON: wall seconds, restarts, the step target and draws the fit
ended at, gradient evaluations, and the ROIs' median error and coverage against the truth.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

from converged import roi_score

#: label, WorldConfig settings, simulation seed
WORLDS = (
    ("weekly, 3 brands, 104 weeks", {"n_brands": 3, "freq": "W"}, 1),
    ("weekly, 1 brand, 104 weeks", {"n_brands": 1, "freq": "W"}, 1),
    ("weekly, 2 brands, 104 weeks", {"n_brands": 2, "freq": "W"}, 2),
    ("daily, 1 brand, 240 days", {"n_brands": 1, "days": 240, "start": "2025-05-01"}, 4),
    ("daily, 1 brand, 240 days", {"n_brands": 1, "days": 240, "start": "2025-05-01"}, 7),
    ("daily, 2 brands, 300 days", {"n_brands": 2, "days": 300}, 3),
)


def main() -> None:
    import seedmodel as sm
    import seedmodel.inference.options as options
    from seedmodel.fit import NotConvergedWarning, fit_mmm

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worlds", nargs="+", type=int, default=list(range(len(WORLDS))))
    ap.add_argument("--out", default="bench/results/short_ladder.json")
    args = ap.parse_args()
    today = options.STEP_TARGETS_MIN_PERIODS
    rows = []
    for i in args.worlds:
        label, settings, seed = WORLDS[i]
        sim = sm.simulate(sm.WorldConfig(**settings), random_seed=seed)
        for start, min_periods in (("0.97", today), ("0.9", 0)):
            options.STEP_TARGETS_MIN_PERIODS = min_periods  # read when the fit starts
            t = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NotConvergedWarning)
                fit = fit_mmm(sim.data, random_seed=1, progress=None)
            wall = time.perf_counter() - t
            d = fit.diagnostics
            err, covered = roi_score(fit, sim.truth["roi"])
            row = {
                "world": label,
                "sim_seed": seed,
                "ladder_start": start,
                "wall": round(wall, 1),
                "stopped": d.stopped,
                "converged": d.converged,
                "restarts": d.restarts,
                "target": d.target_accept,
                "draws": d.draws,
                "divergences": d.divergences,
                "gradients": d.gradients,
                "min_ess": round(d.min_ess_bulk),
                "max_rhat": round(d.max_rhat, 4),
                "err": round(err, 3),
                "coverage": round(float(covered.mean()), 3),
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    options.STEP_TARGETS_MIN_PERIODS = today
    head = ("world", "seed", "start", "s", "restarts", "ended at", "draws", "gradients", "err")
    print(" | ".join(head))
    for r in rows:
        cells = (r["world"], r["sim_seed"], r["ladder_start"], r["wall"], r["restarts"])
        cells += (r["target"], r["draws"], f"{r['gradients']:,}", r["err"])
        print(" | ".join(str(c) for c in cells))
    with open(args.out, "w") as f:
        json.dump({"args": vars(args), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
