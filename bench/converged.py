"""Issue 19's table: how long a user waits for a converged fit, and where the time goes.

Rows (run alone on the machine; each fit samples until the convergence rule holds, the
default, or until its time budget):

- ``import``: ``import seedmodel`` and ``seedmodel --help`` in fresh processes (the first
  run, then the median of five);
- ``sample_cli``: ``seedmodel fit data/sample --out DIR`` from process start to ``roi.csv``,
  with the per-fit checks (the default) and with ``--no-checks``;
- ``five``: a simulator world with 5 brands, 2 years daily, fitted in-process;
- ``weekly``: a simulator world with 3 brands, 2 years weekly (bench/compare_peers.py's
  ``sim_weekly``), fitted in-process.

Each fit's row separates the cost of a gradient (sampling seconds x chains / gradient
evaluations, warm-up included) from the gradients an effective draw costs (gradient
evaluations / min bulk ESS).

    python bench/converged.py [--rows import sample_cli five weekly] [--tune 1000]
                              [--parallel auto|threads|processes] [--backend auto|jax|numba]
                              [--checks both|on|off]
                              [--out bench/results/converged.json]

numba's compiled code is cached on disk (pytensor's ``base_compiledir``): run once with
``PYTENSOR_FLAGS=base_compiledir=EMPTY_DIR`` for the cold rows and again with the same
directory for the warm ones.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from seedmodel.inference.options import BACKENDS, PARALLEL

if TYPE_CHECKING:  # pandas is imported with seedmodel, inside the timed rows
    import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).parent / "seedmodel")


def _wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t


def startup() -> list[dict]:
    """Seconds for ``import seedmodel`` and ``seedmodel --help``: first run, median of five."""
    rows = []
    for name, cmd in (
        ("import seedmodel", [sys.executable, "-c", "import seedmodel"]),
        ("seedmodel --help", [CLI, "--help"]),
    ):
        times = [_wall(cmd) for _ in range(6)]
        rows.append(
            {
                "row": name,
                "first_seconds": round(times[0], 2),
                "median_seconds": round(statistics.median(times[1:]), 2),
            }
        )
    return rows


def cost(diag: dict) -> dict:
    """A fit's time split: compile, sampling, gradients per effective draw, ms per gradient."""
    sampling = diag["seconds"] - diag.get("compile_seconds", 0.0)
    grads = diag.get("gradients", 0)
    return {
        "stopped": diag.get("stopped", ""),
        "draws_per_chain": diag["draws"],
        "max_rhat": round(diag["max_rhat"], 4),
        "min_ess_bulk": round(diag["min_ess_bulk"], 1),
        "divergences": diag["divergences"],
        "converged": diag["converged"],
        "compile_seconds": round(diag.get("compile_seconds", 0.0), 1),
        "sampling_seconds": round(sampling, 1),
        "gradients": grads,
        "gradients_per_effective_draw": round(grads / diag["min_ess_bulk"], 1) if grads else None,
        "ms_per_gradient": round(1000 * sampling * diag["chains"] / grads, 3) if grads else None,
        "parallel": diag.get("parallel", ""),
        "target_accept": diag.get("target_accept"),
        "restarts": diag.get("restarts", 0),
    }


#: ``--checks``: which of the two ``sample_cli`` rows to run.
CHECKS = {
    "both": (("with checks", []), ("--no-checks", ["--no-checks"])),
    "on": (("with checks", []),),
    "off": (("--no-checks", ["--no-checks"]),),
}


def sample_cli(tune: int | None, parallel: str, backend: str, checks: str) -> list[dict]:
    """``seedmodel fit data/sample``: process start to roi.csv, with and without checks."""
    rows = []
    for label, extra in CHECKS[checks]:
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [CLI, "fit", str(ROOT / "data" / "sample"), "--out", tmp, "--quiet"]
            cmd += extra + (["--tune", str(tune)] if tune else [])
            cmd += ["--parallel", parallel, "--backend", backend]
            wall = _wall(cmd)
            diag = json.loads((Path(tmp) / "diagnostics.json").read_text())
            checks = Path(tmp) / "checks.json"
            checks = json.loads(checks.read_text()) if checks.is_file() else {}
        rows.append(
            {"row": f"data/sample, seedmodel fit ({label})", "wall_seconds": round(wall, 1)}
            | {"backend": diag.get("backend", "")}
            | cost(diag)
            | {
                "checks_passed": checks.get("passed"),
                "placebo_roi": [round(p["roi"], 2) for p in checks.get("placebo", [])],
                "forecast_coverage": [round(f["coverage"], 2) for f in checks.get("forecast", [])],
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def roi_score(fit, truth: dict) -> tuple[float, pd.Series]:
    """Median |ROI error| / truth over the cells with a positive true ROI, and whether each
    cell's interval covers its truth (``truth``: brand -> channel -> ROI)."""
    import seedmodel as sm

    table = sm.roi(fit)
    table["true"] = [truth[r.brand][r.channel] for r in table.itertuples()]
    scored = table[table["true"] > 0]
    covered = (table["roi_lo"] <= table["true"]) & (table["true"] <= table["roi_hi"])
    return float(((scored["roi"] - scored["true"]).abs() / scored["true"]).median()), covered


#: The simulator worlds of issue 19's table: label, WorldConfig settings, simulation seed.
SIM_WORLDS = {
    "five": ("simulator, 5 brands, 2 years daily", {"n_brands": 5}, 5),
    "weekly": ("simulator, 3 brands, 2 years weekly", {"n_brands": 3, "freq": "W"}, 1),
}


def in_process(name: str, tune: int | None, parallel: str, backend: str) -> dict:
    """A default (until converged) fit of a simulator world, timed in-process."""
    import seedmodel as sm

    label, settings, seed = SIM_WORLDS[name]
    sim = sm.simulate(sm.WorldConfig(**settings), random_seed=seed)
    row = timed_fit(sim, label, tune, parallel, backend)
    print(json.dumps(row), flush=True)
    return row


def timed_fit(
    sim, label: str, tune: int | None = None, parallel: str = "auto", backend: str = "auto"
) -> dict:
    """A default (until converged) fit of ``sim`` (seed 1), timed in-process: its row of
    wall seconds, :func:`cost` and the ROIs' median error and coverage against the truth."""
    from seedmodel.fit import NotConvergedWarning, fit_mmm

    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(
            sim.data,
            random_seed=1,
            progress=None,
            parallel=parallel,
            backend=backend,
            **({"tune": tune} if tune else {}),
        )
    wall = time.perf_counter() - t
    err, covered = roi_score(fit, sim.truth["roi"])
    row = {"row": label, "wall_seconds": round(wall, 1), "backend": fit.diagnostics.backend}
    row |= cost(fit.diagnostics.to_dict())
    row |= {"median_abs_roi_error": round(err, 3), "coverage": float(covered.mean())}
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--rows",
        nargs="+",
        choices=["import", "sample_cli", "five", "weekly"],
        default=["import", "sample_cli", "five", "weekly"],
    )
    ap.add_argument("--tune", type=int, default=None, help="warm-up draws (default: the library's)")
    ap.add_argument(
        "--parallel",
        choices=PARALLEL,
        default="auto",
        help="how nutpie's chains run side by side (the library's default: auto)",
    )
    ap.add_argument(
        "--backend",
        choices=BACKENDS,
        default="auto",
        help="nutpie's compiler (the library's default: auto, which is JAX)",
    )
    ap.add_argument(
        "--checks",
        choices=sorted(CHECKS),
        default="both",
        help="which data/sample rows: with the per-fit checks, without, or both",
    )
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "converged.json"))
    args = ap.parse_args(argv)
    rows: list[dict] = []
    if "import" in args.rows:
        rows += startup()
        for r in rows:
            print(json.dumps(r), flush=True)
    if "sample_cli" in args.rows:
        rows += sample_cli(args.tune, args.parallel, args.backend, args.checks)
    for name in ("five", "weekly"):
        if name in args.rows:
            rows.append(in_process(name, args.tune, args.parallel, args.backend))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "args": vars(args),
        "pytensor_flags": os.environ.get("PYTENSOR_FLAGS", ""),
    }
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
