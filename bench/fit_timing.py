"""Time to a converged SeedingMMM fit (issue 4): ``data/sample`` and a 5-brand world.

Draws go up the ladder ``--draws``, 2x, 4x, ... (up to ``--max-draws``) until every
parameter has R-hat <= 1.01 and bulk ESS >= 400, the issue's rule; rungs that the measured
ESS projects to fall short are skipped, and the run stops when even the cap would. Divergences
are reported beside the rule, and so is seedmodel's own ``converged`` flag, which also asks
for none. Prints seconds (summed over tries) and ESS per second of the last try, and writes
JSON.

    python bench/fit_timing.py [--draws 1000] [--max-draws 4000] [--datasets sample five]
                               [--target-accept 0.9] [--tune N]
                               [--backend auto|jax|numba] [--adaptation diag|low_rank]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

from _ladder import meets_rule, next_draws

import seedmodel as sm
from seedmodel.fit import NotConvergedWarning
from seedmodel.inference.options import ADAPTATIONS, BACKENDS

ROOT = Path(__file__).resolve().parents[1]


def datasets() -> dict:
    """Key -> (name, loader of the Dataset)."""
    return {
        "sample": (
            "data/sample (3 brands, 2 years daily)",
            lambda: sm.load(ROOT / "data" / "sample"),
        ),
        "five": (
            "simulator, 5 brands, 2 years daily",
            lambda: sm.simulate(sm.WorldConfig(n_brands=5), random_seed=5).data,
        ),
    }


def time_to_converged(
    data: sm.Dataset,
    draws: int,
    max_draws: int,
    seed: int,
    target_accept: float = 0.9,
    tune: int | None = None,
    backend: str = "auto",
    adaptation: str = "auto",
) -> dict:
    """Fit up the draw ladder until the rule is met; seconds summed over the tries.

    ``tune`` warm-up draws per chain (``None``: as many as the kept draws); ``backend``
    nutpie's compiler; ``adaptation`` its mass matrix.
    """
    ladder = [draws * 2**k for k in range(8) if draws * 2**k <= max_draws]
    tries, total = [], 0.0
    while draws is not None:
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotConvergedWarning)
            fit = sm.fit_mmm(
                data,
                draws=draws,
                tune=draws if tune is None else tune,
                chains=2,
                random_seed=seed,
                target_accept=target_accept,
                backend=backend,
                adaptation=adaptation,
            )
        seconds = time.perf_counter() - t
        total += seconds
        d = fit.diagnostics
        tries.append(
            {
                "draws": draws,
                "tune": draws if tune is None else tune,
                "target_accept": target_accept,
                "backend": d.backend,
                "adaptation": d.adaptation,
                "compile_seconds": round(d.compile_seconds, 1),
                "seconds": round(seconds, 1),
                "max_rhat": round(d.max_rhat, 4),
                "min_ess_bulk": round(d.min_ess_bulk, 1),
                "divergences": d.divergences,
                "meets_rule": meets_rule(d.max_rhat, d.min_ess_bulk),
                "converged": d.converged,
            }
        )
        print(json.dumps(tries[-1]), flush=True)
        if tries[-1]["meets_rule"]:
            break
        draws = next_draws(draws, d.min_ess_bulk, ladder)
    last = tries[-1]
    return {
        "meets_rule": last["meets_rule"],
        "converged": last["converged"],
        "draws": last["draws"],
        "seconds_total": round(total, 1),
        "ess_per_second": round(last["min_ess_bulk"] / last["seconds"], 2),
        "tries": tries,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--max-draws", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--target-accept", type=float, default=0.9)
    ap.add_argument("--tune", type=int, default=None, help="warm-up draws (default: = draws)")
    ap.add_argument("--backend", choices=BACKENDS, default="auto")
    ap.add_argument("--adaptation", choices=ADAPTATIONS, default="auto")
    ap.add_argument("--datasets", nargs="+", choices=["sample", "five"], default=["sample", "five"])
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "fit_timing.json"))
    args = ap.parse_args(argv)
    rows = []
    for key in args.datasets:
        name, load = datasets()[key]
        print(f"# {name}", flush=True)
        rows.append(
            {"dataset": name}
            | time_to_converged(
                load(),
                args.draws,
                args.max_draws,
                args.seed,
                args.target_accept,
                args.tune,
                args.backend,
                args.adaptation,
            )
        )
    head = f"{'dataset':<40} {'rule met':>8} {'flag':>5} {'draws':>6} {'seconds':>8} {'ESS/s':>7}"
    print("\n" + head)
    for r in rows:
        print(
            f"{r['dataset']:<40} {r['meets_rule']!s:>8} {r['converged']!s:>5} {r['draws']:>6} "
            f"{r['seconds_total']:>8.0f} {r['ess_per_second']:>7.2f}"
        )
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "seedmodel": sm.__version__,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
