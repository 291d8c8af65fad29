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

from converged import timed_fit

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
            row = {"sim_seed": seed, "ladder_start": start} | timed_fit(sim, label)
            print(json.dumps(row), flush=True)
            rows.append(row)
    options.STEP_TARGETS_MIN_PERIODS = today
    head = ("world", "seed", "start", "s", "restarts", "ended at", "draws", "gradients", "err")
    print(" | ".join(head))
    for r in rows:
        cells = (r["row"], r["sim_seed"], r["ladder_start"], r["wall_seconds"], r["restarts"])
        cells += (r["target_accept"], r["draws_per_chain"], f"{r['gradients']:,}")
        cells += (r["median_abs_roi_error"],)
        print(" | ".join(str(c) for c in cells))
    with open(args.out, "w") as f:
        json.dump({"args": vars(args), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
