"""Issue 22's report timing: ``seedmodel report PORTFOLIO_DIR`` on a portfolio of many brands
(default 50 brands x 4 channels x 2 years, fitted in groups of 4), end to end on the command
line, and its main parts in this process: reading the group fits, the plan (one budget, its
frontier and the minimum-spend comparison), the engagement -> GMV analysis, and the page.

Run alone on the machine. Fitting the portfolio takes about 15 minutes on two cores; give
``--portfolio DIR`` to time the report of one fitted before.

    python bench/portfolio_report.py [--brands 50] [--draws 500] [--portfolio DIR]
                                     [--out bench/results/portfolio_report.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import seedmodel as sm


def _fit(folder: Path, brands: int, draws: int, workers: int) -> float:
    data = folder / "data"
    sim = sm.simulate(sm.WorldConfig(start="2024-01-01", n_brands=brands, days=730), random_seed=5)
    sim.data.write(data)
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "seedmodel.cli", "fit", str(data), "--out", str(folder / "fit"),
         "--by", "4", "--workers", str(workers), "--draws", str(draws), "--tune", str(draws),
         "--no-checks", "--quiet"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode not in (0, 4):
        raise SystemExit(done.stderr)
    return time.perf_counter() - t


def _parts(folder: Path) -> tuple[dict[str, float], int]:
    """Seconds of the report's parts, in this process, and the number of brands."""
    from seedmodel.portfolio import load_portfolio
    from seedmodel.report.compose import REPORT_METRICS, portfolio_report, report_plan

    out = {}
    t = time.perf_counter()
    saved = load_portfolio(folder)
    data = saved.data
    out["read group fits"] = time.perf_counter() - t
    t = time.perf_counter()
    report_plan(saved.fits)
    out["plan, frontier, minimum-spend rule"] = time.perf_counter() - t
    workers = min(os.cpu_count() or 1, 4)
    t = time.perf_counter()
    sm.link(data, metrics=REPORT_METRICS, outcomes=("gmv",), workers=workers)
    out[f"engagement -> GMV ({workers} workers)"] = time.perf_counter() - t
    t = time.perf_counter()
    portfolio_report(saved)
    out["whole report (in this process)"] = time.perf_counter() - t
    return out, len(data.brand_names)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brands", type=int, default=50)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--portfolio", default=None, help="a fitted portfolio folder to report")
    ap.add_argument("--out", default="bench/results/portfolio_report.json")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        fit_seconds = None
        folder = Path(args.portfolio) if args.portfolio else Path(tmp) / "fit"
        if args.portfolio is None:
            fit_seconds = _fit(Path(tmp), args.brands, args.draws, args.workers)
        rows = {}
        for lang in ("en", "zh"):
            page = Path(tmp) / f"report_{lang}.html"
            t = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "seedmodel.cli", "report", str(folder), "--out",
                 str(page), "--lang", lang],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise SystemExit(done.stderr)
            rows[f"seedmodel report ({lang}), command line"] = time.perf_counter() - t
            size = page.stat().st_size / 1e6
        parts, brands = _parts(folder)
        rows.update(parts)
    print(f"\n{'part':<42} {'seconds':>8}")
    for name, seconds in rows.items():
        print(f"{name:<42} {seconds:>8.1f}")
    fitted = f"; portfolio fitted in {fit_seconds:.0f} s" if fit_seconds else ""
    print(f"{brands} brands; page {size:.1f} MB{fitted}")
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "brands": brands,
        "draws": args.draws,
        "fit_seconds": fit_seconds,
        "seconds": rows,
        "page_mb": size,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
