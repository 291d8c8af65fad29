"""Issue 22's table: a portfolio of 12 brands in 4 groups, run in this process, on a local
process pool and on a Dask LocalCluster, with wall time and peak memory per worker, and the
measured per-group cost projected to 100 brands on a 16-worker cluster.

Run alone on the machine. Every run fits the same groups with the same seed, so the files
must be identical across executors (checked and reported).

    python bench/portfolio.py [--brands 12] [--groups 4] [--workers 2] [--draws 300]
                              [--out bench/results/portfolio.json]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import resource
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import seedmodel as sm
from seedmodel.inference.options import SamplerConfig
from seedmodel.portfolio import fit_portfolio, run_group


def measured_run(task):
    """:func:`run_group`, plus the peak resident memory of the process that ran it."""
    result = run_group(task)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB -> MB on Linux
    return replace(result, diagnostics={**result.diagnostics, "peak_rss_mb": peak})


def _csv_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("roi.csv"))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brands", type=int, default=12)
    ap.add_argument("--groups", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--draws", type=int, default=300)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--executors", nargs="+", default=["sequential", "pool", "dask"])
    ap.add_argument("--out", default="bench/results/portfolio.json")
    args = ap.parse_args(argv)

    sim = sm.simulate(
        sm.WorldConfig(start="2025-01-01", n_brands=args.brands, days=args.days), random_seed=1
    )
    data = sim.data
    size = math.ceil(args.brands / args.groups)
    config = SamplerConfig(draws=args.draws, tune=args.draws)
    rows, files = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.executors:
            out = Path(tmp) / name
            kwargs: dict = {"workers": 1 if name == "sequential" else args.workers}
            cluster = client = None
            if name == "dask":
                import distributed

                cluster = distributed.LocalCluster(
                    n_workers=args.workers, threads_per_worker=1, processes=True
                )
                client = distributed.Client(cluster)
                kwargs["executor"] = client.get_executor()
            t = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                portfolio = fit_portfolio(
                    data, out, by=size, config=config, runner=measured_run, **kwargs
                )
            wall = time.perf_counter() - t
            if client is not None:
                client.close()
                cluster.close()
            groups = [g.diagnostics for g in portfolio.groups]
            rows.append(
                {
                    "executor": name,
                    "workers": kwargs["workers"],
                    "groups": len(groups),
                    "brands_per_group": size,
                    "wall_seconds": round(wall, 1),
                    "group_fit_seconds_mean": round(
                        sum(d["seconds"] for d in groups) / len(groups), 1
                    ),
                    "peak_rss_mb_per_worker": round(max(d["peak_rss_mb"] for d in groups)),
                    "converged_groups": sum(bool(d["converged"]) for d in groups),
                    "failed_groups": len(portfolio.failed),
                }
            )
            files[name] = _csv_files(out)
            print(rows[-1], flush=True)
    first = next(iter(files.values()))
    identical = all(f == first for f in files.values())
    per_group = max(r["group_fit_seconds_mean"] for r in rows)
    brands_100 = math.ceil(100 / size)
    projection = {
        "brands": 100,
        "groups": brands_100,
        "workers": 16,
        "waves": math.ceil(brands_100 / 16),
        "minutes": round(math.ceil(brands_100 / 16) * per_group / 60, 1),
        "per_group_seconds": per_group,
        "assumes": "groups of the measured size, one group per worker process at a time, "
        "each worker as fast as one core here, data sent once per group",
    }
    result = {
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "settings": vars(args),
        "rows": rows,
        "identical_files_across_executors": identical,
        "projection": projection,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"identical files across executors: {identical}")
    print(f"projection: {projection}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
