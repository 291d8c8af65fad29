"""Judge again, by the true response, the plans of fits whose plan responses
``bench/recovery.py --plan --keep-responses DIR`` pickled: every plan of
:data:`recovery.PLANS`, without refitting (a new objective costs seconds, not an hour of
fits). The fits are the same as the recovery run's (same worlds, seeds and draws).

    python bench/replan.py --responses DIR [--out bench/results/replan.json]
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path

from recovery import plan_scores, plan_table, write_json
from rescore import world_config

import seedmodel as sm


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--responses", required=True, help="the --keep-responses folder")
    ap.add_argument("--out", default="bench/results/replan.json")
    args = ap.parse_args(argv)
    fits = []
    files = sorted(Path(args.responses).glob("*.pkl"), key=lambda p: p.stem)
    for path in files:
        world, seed, variant, lift = path.stem.split("__")  # as recovery.py names them
        resp = pickle.loads(path.read_bytes())
        fit = dict(world=world, seed=int(seed), variant=variant, lift=lift)
        fit["plan"] = plan_scores(
            sm.simulate(world_config(world), random_seed=int(seed)).world, resp
        )
        fits.append(fit)
        print(json.dumps(fit), flush=True)
    table = plan_table(fits)
    print(table.to_string())
    write_json(
        args.out,
        {
            "args": vars(args),
            "fits": fits,
            "plans": json.loads(table.reset_index().to_json(orient="records")),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
