"""Optimizer speed (issue 5): allocate() for 1 brand x 3 channels and 50 brands x 3 channels,
1,000 posterior draws, 90-day horizon, the ¥5,000-a-day rule on, mean and CVaR objectives.

The responses are the simulator's true plan responses in a fitted model's form (per-yuan
input constant over the plan, the world's lag kernels), spread into 1,000 draws by
posterior-like noise (effect x lognormal(0, 0.3), half-saturation x lognormal(0, 0.2)), so
the sizes and shapes are those of a fitted model without waiting for a 50-brand fit. With
``--fit FIT_DIR`` it also times a real fit's plan.

    python bench/optimizer.py [--fit FIT_DIR] [--out bench/results/optimizer.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import seedmodel as sm
from seedmodel.plan import PlanResponse, allocate, plan_response
from seedmodel.plan.response import distinct_periods, plan_carryover
from seedmodel.sim.plan_truth import true_plan_response

DAYS = 90


def with_draws(resp: PlanResponse, world, draws: int, seed: int = 0) -> PlanResponse:
    """``resp`` (one draw, the world's truth) in a fitted model's form, spread into ``draws``
    posterior-like draws.

    A fitted model's carryover per yuan is the same every plan day, so its plan periods
    collapse to build-up, plateau and tail (``plan_response`` does that); here each cell's
    per-yuan input is set to the world's average over the plan, with the world's lag kernel.
    """
    rng = np.random.default_rng(seed)
    B, C = resp.half.shape[:2]
    N = resp.periods
    paid = [world.channel_index(c) for c in resp.channels]
    Lmax = max(len(world.kernels[c]) - 1 for c in paid)
    width = 2 * Lmax + 1
    past, unit, weight = (
        np.zeros((B, C, draws, width)),
        np.zeros((B, C, draws, width)),
        np.zeros((C, width)),
    )
    for j, c in enumerate(paid):
        w = world.kernels[c]
        Lc = len(w) - 1
        idx, count = distinct_periods(N, Lc)
        k = len(idx)
        weight[j, :k] = count
        shape = plan_carryover(w, N, idx)
        per_yuan = resp.unit[:, j, 0, Lc : Lc + 1].mean(axis=-1, keepdims=True)  # (B, 1)
        unit[:, j, :, :k] = (per_yuan * shape[None, :])[:, None, :]
        past[:, j, :, :k] = resp.past[:, j, 0][:, idx][:, None, :]
    value = resp.value[:, :, :1] * rng.lognormal(0.0, 0.3, (B, C, draws, 1))
    half = resp.half[:, :, :1] * rng.lognormal(0.0, 0.2, (B, C, draws))
    return replace(resp, value=value, half=half, past=past, unit=unit, weight=weight)


def time_allocation(resp: PlanResponse, objective: str, repeat: int = 1) -> dict:
    """Best wall time of ``repeat`` allocations of the current total budget."""
    budget = float(resp.current.sum() * resp.periods)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        plan = allocate(resp, budget, objective=objective)
        times.append(time.perf_counter() - t)
    s = plan.summary
    return {
        "brands": len(resp.brands),
        "channels": len(resp.channels),
        "draws": resp.n_draws,
        "objective": objective,
        "seconds": round(min(times), 3),
        "gain_vs_current": round(s["gain"] / max(s["current_incremental_gmv"], 1e-9), 4),
        "prob_better": s["prob_better"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", default=None, help="also time the plan of FIT_DIR/fit.nc")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--out", default="bench/results/optimizer.json")
    args = ap.parse_args(argv)

    rows = []
    for brands in (1, 50):
        world = sm.simulate(sm.WorldConfig(n_brands=brands, days=300), random_seed=7).world
        resp = with_draws(true_plan_response(world, DAYS), world, args.draws)
        for objective in ("mean", "cvar"):
            rows.append(time_allocation(resp, objective) | {"source": "simulator"})
            print(json.dumps(rows[-1]), flush=True)
    if args.fit:
        resp = plan_response(sm.load_fit(Path(args.fit) / "fit.nc"), DAYS)
        rows.append(time_allocation(resp, "mean") | {"source": args.fit})
        print(json.dumps(rows[-1]), flush=True)

    print(f"\n{'brands':>6} {'channels':>8} {'draws':>6} {'objective':>9} {'seconds':>8}")
    for r in rows:
        print(
            f"{r['brands']:>6} {r['channels']:>8} {r['draws']:>6} {r['objective']:>9} "
            f"{r['seconds']:>8.2f}"
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "seedmodel": sm.__version__,
        "numpy": np.__version__,
    }
    out.write_text(json.dumps({"machine": machine, "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
