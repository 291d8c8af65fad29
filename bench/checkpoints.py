"""Where a fit that samples until converged could stop: the convergence rule judged on one
long run at every ``--step`` draws, against the checkpoints the sampler judges today.

The same seed gives the same draws whenever the sampler is looked at, so one fixed-draw run
per seed shows where any schedule of checkpoints would have stopped it, and what that
costs in gradient evaluations (warm-up included) and, at the run's own cost per gradient,
in seconds. A schedule that judges more often stops earlier on average, but each judgement
costs time on the same cores, and a rule judged often may hold on a lucky stretch that a
later judgement would have refused: the table shows both (``holds`` per judged count).

    python bench/checkpoints.py [--data data/sample] [--seeds 0 1 2] [--draws 3200]
                                [--step 100] [--target-accept T]
                                [--out bench/results/checkpoints.json]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

#: Schedules compared, up to 3,200 draws: the one the sampler used until 2026-12-04, one
#: judged every 400 draws, the one from 2026-12-04 to 12-05, one judged every 200 draws from
#: 400, and one with a judgement at 1,000 added; ``main`` adds today's
#: (:data:`seedmodel.inference.sample.CHECKPOINTS`, every 100 from 800 to 1,600).
SCHEDULES = {
    "until 2026-12-04": (400, 800, 1200, 1600, 2400, 3200),
    "every 400": (400, 800, 1200, 1600, 2000, 2400, 2800, 3200),
    "2026-12-04 to 12-05": (400, 800, 1200, 1400, 1600, 1800, 2000, 2200, 2400, 2800, 3200),
    # 2026-12-04 (sixteenth session): every 200 draws from the first checkpoint on
    "every 200 from 400": (*range(400, 2401, 200), 2800, 3200),
    # 2026-12-05 (twenty-fifth session): since the ladder (first target 0.9) fits stop
    # earlier; one judgement more at 1,000, or every 100 draws from 800 to 1,600 (today's)
    "today + 1000": (400, 800, 1000, 1200, 1400, 1600, 1800, 2000, 2200, 2400, 2800, 3200),
}


def main() -> None:
    import xarray as xr

    import seedmodel as sm
    from seedmodel.fit import NotConvergedWarning, fit_mmm
    from seedmodel.inference.diagnostics import rule_holds
    from seedmodel.inference.options import SamplerConfig
    from seedmodel.inference.sample import CHECKPOINTS
    from seedmodel.models.mmm.graph import build_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data/sample")
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--draws", type=int, default=3200)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--step", type=int, default=100)
    ap.add_argument(
        "--target-accept",
        type=float,
        default=None,
        help="NUTS target (default: the one a fit that samples until converged uses)",
    )
    ap.add_argument("--out", default="bench/results/checkpoints.json")
    args = ap.parse_args()
    schedules = {**SCHEDULES, "today": tuple(c for c in CHECKPOINTS if c <= 3200)}

    data = sm.load(args.data)
    # the step-size target of the run being imitated: the first rung of the ladder a fit
    # that samples until converged climbs (0.9 on a year or more of data; before 2026-12-05,
    # 0.97 throughout), not the fixed-draw default
    target = args.target_accept or SamplerConfig().step_targets(len(data.dates))[0]
    runs = []
    for seed in args.seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotConvergedWarning)
            fit = fit_mmm(
                data,
                draws=args.draws,
                tune=args.tune,
                target_accept=target,
                random_seed=seed,
                progress=None,
            )
        d = fit.diagnostics
        free = [v.name for v in build_model(fit.inputs).free_RVs]
        post = fit.posterior["posterior"].to_dataset()
        steps = fit.posterior["sample_stats"]["n_steps"].to_numpy()  # (chain, draw)
        warm = int(d.gradients - steps.sum())
        ms = 1000 * d.seconds / max(d.gradients, 1) * d.chains  # per gradient, per chain
        judged = {}
        cost = []
        for n in range(args.step, args.draws + 1, args.step):
            t = time.perf_counter()
            head = xr.DataTree.from_dict({"posterior": post.isel(draw=slice(0, n))})
            judged[n] = bool(rule_holds(head, free))
            cost.append(time.perf_counter() - t)
        gradients_at = {n: warm + int(steps[:, :n].sum()) for n in judged}
        stops = {}
        for name, schedule in schedules.items():
            first = next((n for n in schedule if judged.get(n)), None)
            if first is None:
                stops[name] = None
                continue
            stops[name] = dict(
                draws=first,
                gradients=gradients_at[first],
                seconds=round(gradients_at[first] * ms / 1000 / d.chains, 1),
                judgements=sum(1 for n in schedule if n <= first),
            )
        # each ROI cell with its interval, and the truth where the data carry it (the
        # simulator's truth.json): a faster schedule or model must not cost recovery
        truth_file = Path(args.data) / "truth.json"
        truth = json.loads(truth_file.read_text())["roi"] if truth_file.exists() else {}
        roi_cells = [
            [r.brand, r.channel, round(r.roi, 3), round(r.roi_lo, 3), round(r.roi_hi, 3)]
            + ([truth[r.brand][r.channel]] if truth else [])
            for r in sm.roi(fit).itertuples()
        ]
        runs.append(
            dict(
                roi_cells=roi_cells,
                seed=seed,
                tune=args.tune,
                target_accept=target,
                divergences=int(d.divergences),
                # kept draws (per chain) at which a chain diverged: a stop after the first of
                # them is not converged, whatever the R-hat and ESS
                divergent_at=sorted(
                    int(i)
                    for i in np.nonzero(fit.posterior["sample_stats"]["diverging"].to_numpy())[1]
                ),
                ms_per_gradient=round(ms, 3),
                warmup_gradients=warm,
                holds=[n for n, ok in judged.items() if ok],
                gradients_at=gradients_at,
                judge_seconds=round(float(np.median(cost)), 2),
                stops=stops,
            )
        )
        print(json.dumps(runs[-1]), flush=True)
    print()
    print(f"{'schedule':<22} " + " ".join(f"seed {r['seed']:<14}" for r in runs))
    for name in schedules:
        cells = []
        for r in runs:
            s = r["stops"][name]
            cells.append("never" if s is None else f"{s['draws']} / {s['seconds']} s")
        print(f"{name:<22} " + " ".join(f"{c:<19}" for c in cells))
    Path(args.out).write_text(json.dumps(dict(args=vars(args), runs=runs), indent=1))


if __name__ == "__main__":
    main()
