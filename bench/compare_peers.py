"""seedmodel against PyMC-Marketing on the same data, the same machine, in one run (issue 6).

Needs the ``bench`` extra (``pip install -e ".[bench]"``: PyMC-Marketing 1.x).

    python bench/compare_peers.py                 # everything, cold and warm (~17 min, 2 cores)
    python bench/compare_peers.py --quick         # cold runs, 1000 draws (~6 min, 2 cores)

Datasets:

1. ``pymc_example``: PyMC-Marketing's own example (``../shared/data/external/
   pymc_marketing_mmm_example.csv``, weekly, two channels, true ROAS published beside it),
   brought into seedmodel by :func:`seedmodel.adapters.from_wide`.
2. ``sim_weekly``: a simulator world with 3 brands, 2 years of weekly data, Tmall and JD.
   PyMC-Marketing is fitted once per brand on total GMV, as a user would.

Every fit runs in a fresh process (``--worker``), so wall time includes imports and
compilation. A fit counts as converged when the ROI quantities have R-hat <= 1.01, bulk
ESS >= 400 and no divergences. Otherwise the draws go up the ladder 1000, 2000, 4000 (up to
``--max-draws``), skipping rungs that the measured ESS, which grows about linearly with
draws, projects to fall short of 400, and stopping when even the cap would: a fit with ESS 42
at 1000 draws is reported as not converged rather than refitted twice more for nothing. Each
job runs twice: ``cold`` (first, with empty compile caches in a fresh folder) and ``warm``
(the caches the first filled, at the cold run's final draws, so the two differ only in the
caches). seedmodel runs with each of nutpie's compilers, JAX (its default) and numba;
``--only seedmodel:nutpie-numba`` picks rows. Prints a table and writes
JSON to ``bench/results/``.
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
from pathlib import Path

import numpy as np
import pandas as pd
from _ladder import meets_rule, next_draws

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT.parent / "shared" / "data" / "external" / "pymc_marketing_mmm_example.csv"
EXAMPLE_TRUE_ROAS = {"x1": 4967.8, "x2": 2274.9}  # from the README beside the CSV
#: (library, sampler); seedmodel's ``nutpie`` compiles with JAX, ``nutpie-numba`` with numba
#: (PyMC-Marketing's ``nutpie`` uses nutpie's default, numba)
LIBRARIES = [
    ("seedmodel", "nutpie"),
    ("seedmodel", "nutpie-numba"),
    ("pymc-marketing", "pymc"),
    ("pymc-marketing", "nutpie"),
]


# ---------------------------------------------------------------- datasets (worker side)


def example_data():
    """The example as a wide frame and as a seedmodel Dataset, with its true ROAS."""
    from seedmodel.adapters import from_wide

    wide = pd.read_csv(EXAMPLE, parse_dates=["date_week"])
    data = from_wide(
        wide,
        date="date_week",
        target="y",
        channels=["x1", "x2"],
        events=["event_1", "event_2"],
    )
    truth = {("brand", c): v for c, v in EXAMPLE_TRUE_ROAS.items()}
    return wide, data, truth


def example_spec():
    """seedmodel's model in the example's own functional forms: geometric adstock over 8
    weeks, logistic saturation, no demand signal, trend, seasonality and events added to the
    level (``baseline="additive"``) and noise of constant size in sales units
    (``likelihood="normal"``), as it was made."""
    import seedmodel as sm

    return sm.SeedingMMM(
        media={c: sm.MediaSpec("geometric", "logistic", 56) for c in ("x1", "x2")},
        demand="none",
        likelihood="normal",
        baseline="additive",
    )


def sim_data(seed: int):
    """A 3-brand weekly simulator world and its true ROI per brand x channel."""
    import seedmodel as sm

    sim = sm.simulate(sm.WorldConfig(n_brands=3, freq="W"), random_seed=seed)
    truth = {(b, c): v for b, row in sim.truth["roi"].items() for c, v in row.items()}
    return sim.data, truth


# ---------------------------------------------------------------- fits (worker side)


def _converged(roi_draws: dict) -> tuple[float, float]:
    """Max R-hat and min bulk ESS over ROI quantities, each (chains, draws)."""
    import arviz as az

    rhat = max(float(az.rhat(v)) for v in roi_draws.values())
    ess = min(float(az.ess(v)) for v in roi_draws.values())
    return rhat, ess


def fit_seedmodel(dataset: str, draws: int, seed: int, backend: str = "auto") -> dict:
    """seedmodel's default model on the simulator; on the example, the example's own
    functional forms (:func:`example_spec`)."""
    import warnings

    import seedmodel as sm
    from seedmodel.analysis.incremental import incremental_draws, window_positions

    if dataset == "pymc_example":
        _, data, truth = example_data()
        spec = example_spec()
    else:
        data, truth = sim_data(seed)
        spec = sm.SeedingMMM()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.fit_mmm(
            data, spec, draws=draws, tune=draws, chains=2, random_seed=seed, backend=backend
        )
    inp = fit.inputs
    t0, t1 = window_positions(fit)
    roi_draws = {}
    for c, channel in enumerate(inp.channels):
        inc = incremental_draws(fit, channel, t0, t1).sum("platform")  # (sample, brand)
        for b, brand in enumerate(inp.brands):
            spend = inp.spend[b, c, t0 : t1 + 1].sum()
            draws = inc.sel(brand=brand).to_numpy() / spend
            roi_draws[(brand, channel)] = draws.reshape(fit.diagnostics.chains, -1)
    return {
        "fit_seconds": fit.diagnostics.seconds,
        "compile_seconds": fit.diagnostics.compile_seconds,
        "adaptation": fit.diagnostics.adaptation,
        "divergences": fit.diagnostics.divergences,
        "steps_per_draw": _steps_per_draw(fit.posterior["sample_stats"]),
        "roi_draws": roi_draws,
        "truth": truth,
    }


def _steps_per_draw(stats) -> float:
    """Mean leapfrog steps (gradient evaluations) per kept draw: the posterior's geometry,
    apart from what one gradient costs."""
    return float(np.asarray(stats["n_steps"]).mean())


def _pmm_one(wide: pd.DataFrame, channels, controls, draws, seed, sampler, l_max) -> tuple:
    """One PyMC-Marketing MMM, as in its example: geometric adstock, logistic saturation,
    yearly Fourier terms, controls. Returns ROI draws per channel, seconds, divergences."""
    from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation

    mmm = MMM(
        date_column="date",
        channel_columns=list(channels),
        control_columns=list(controls) or None,
        adstock=GeometricAdstock(l_max=l_max),
        saturation=LogisticSaturation(),
        yearly_seasonality=2,
    )
    X, y = wide.drop(columns="y"), wide["y"]
    t = time.perf_counter()
    mmm.fit(
        X,
        y,
        nuts_sampler=sampler,
        draws=draws,
        tune=draws,
        chains=2,
        random_seed=seed,
        progressbar=False,
        target_accept=0.9,
    )
    seconds = time.perf_counter() - t
    post = mmm.idata.posterior
    scale = float(np.asarray(mmm.get_scales_as_xarray()["target_scale"]))
    contrib = post["channel_contribution"].sum("date") * scale  # (chain, draw, channel)
    spend = wide[list(channels)].sum()
    roi = {c: (contrib.sel(channel=c) / spend[c]).values for c in channels}
    div = int(mmm.idata.sample_stats["diverging"].sum())
    return roi, seconds, div, _steps_per_draw(mmm.idata.sample_stats)


def fit_pymc_marketing(dataset: str, draws: int, seed: int, sampler: str) -> dict:
    """PyMC-Marketing per brand on total GMV (one model per brand)."""
    if dataset == "pymc_example":
        wide, _, truth = example_data()
        wide = wide.rename(columns={"date_week": "date"})
        roi, seconds, div, steps = _pmm_one(
            wide, ["x1", "x2"], ["event_1", "event_2", "t"], draws, seed, sampler, 8
        )
        return {
            "fit_seconds": seconds,
            "divergences": div,
            "steps_per_draw": steps,
            "roi_draws": {("brand", c): v for c, v in roi.items()},
            "truth": truth,
        }
    data, truth = sim_data(seed)
    roi_draws, total_seconds, total_div, steps = {}, 0.0, 0, []
    paid = list(data.paid_channels)
    for brand in data.brand_names:
        media = data.media[data.media["brand"] == brand].pivot(
            index="date", columns="channel", values="spend"
        )[paid]
        gmv = data.sales[data.sales["brand"] == brand].groupby("date")["gmv"].sum()
        wide = media.assign(y=gmv, t=np.arange(len(gmv))).reset_index()
        roi, seconds, div, brand_steps = _pmm_one(wide, paid, ["t"], draws, seed, sampler, 9)
        total_seconds += seconds
        total_div += div
        steps.append(brand_steps)
        roi_draws |= {(brand, c): v for c, v in roi.items()}
    return {
        "fit_seconds": total_seconds,
        "divergences": total_div,
        "steps_per_draw": float(np.sum(steps)),  # one model per brand: their sum per draw
        "roi_draws": roi_draws,
        "truth": truth,
    }


def worker(spec: dict) -> dict:
    """Fit one library on one dataset with given draws; summarise against the truth."""
    if spec["library"] == "seedmodel":
        backend = "numba" if spec["sampler"] == "nutpie-numba" else "auto"
        out = fit_seedmodel(spec["dataset"], spec["draws"], spec["seed"], backend)
    else:
        out = fit_pymc_marketing(spec["dataset"], spec["draws"], spec["seed"], spec["sampler"])
    rhat, ess = _converged(out["roi_draws"])
    cells = []
    for key, draws in out["roi_draws"].items():
        flat = draws.ravel()
        lo, hi = np.quantile(flat, [0.05, 0.95])
        true = out["truth"][key]
        cells.append(
            {
                "brand": key[0],
                "channel": key[1],
                "roi": float(flat.mean()),
                "roi_lo": float(lo),
                "roi_hi": float(hi),
                "true_roi": float(true),
                "rel_err": float(abs(flat.mean() - true) / true),
                "covered": bool(lo <= true <= hi),
            }
        )
    return {
        "fit_seconds": out["fit_seconds"],
        "compile_seconds": out.get("compile_seconds"),
        "adaptation": out.get("adaptation"),
        "divergences": out["divergences"],
        "steps_per_draw": out.get("steps_per_draw"),
        "max_rhat_roi": rhat,
        "min_ess_roi": ess,
        "converged": bool(meets_rule(rhat, ess) and out["divergences"] == 0),
        "cells": cells,
    }


# ---------------------------------------------------------------- driver (parent side)


def run_job(spec: dict, cache: str | None = None) -> dict:
    """One fit in a fresh process; wall time measured from outside. ``cache``: a folder for
    the compile caches (pytensor's C and numba modules), so that a cold run starts empty."""
    env = dict(os.environ)
    if cache:
        env["PYTENSOR_FLAGS"] = f"base_compiledir={cache}/pytensor"  # numba code too
        env["NUMBA_CACHE_DIR"] = f"{cache}/numba"
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:], "wall_seconds": wall}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result | {"wall_seconds": round(wall, 1)}


def converged_run(base: dict, ladder: list[int], cache: str | None = None) -> dict:
    """Raise draws until the ROI quantities converge, the ESS projects beyond the ladder's
    cap, or the cap is reached; time summed over tries."""
    tries, spent, d = [], 0.0, ladder[0]
    while d is not None:
        r = run_job(base | {"draws": d}, cache)
        spent += r.get("wall_seconds", 0.0)
        tries.append({"draws": d, **{k: v for k, v in r.items() if k != "cells"}})
        if r.get("converged") or "error" in r:
            break
        d = next_draws(d, r.get("min_ess_roi"), ladder)
    return r | {
        "draws": tries[-1]["draws"],
        "tries": tries,
        "seconds_to_converged": round(spent, 1),
    }


def _row(base: dict, cache: str, r: dict) -> dict:
    """One table row (with its cells and tries) from a converged run's result."""
    cells = pd.DataFrame(r.get("cells", []))
    return base | {
        "cache": cache,
        "draws": r["draws"],
        "seconds_to_converged": r["seconds_to_converged"],
        "fit_seconds": r.get("fit_seconds"),
        "compile_seconds": r.get("compile_seconds"),
        "adaptation": r.get("adaptation"),
        "converged": r.get("converged", False),
        "max_rhat_roi": r.get("max_rhat_roi"),
        "min_ess_roi": r.get("min_ess_roi"),
        "ess_per_second": (r.get("min_ess_roi") or 0) / max(r.get("fit_seconds") or 1, 1e-9),
        "divergences": r.get("divergences"),
        "steps_per_draw": r.get("steps_per_draw"),
        "median_rel_err": float(cells["rel_err"].median()) if len(cells) else None,
        "coverage": float(cells["covered"].mean()) if len(cells) else None,
        "error": r.get("error"),
        "cells": r.get("cells", []),
        "tries": r["tries"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="cold runs only, draws up to 1000")
    ap.add_argument("--datasets", nargs="+", default=["pymc_example", "sim_weekly"])
    ap.add_argument(
        "--only",
        nargs="+",
        default=None,
        metavar="LIBRARY:SAMPLER",
        help="run only these, e.g. seedmodel:nutpie-numba pymc-marketing:nutpie",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-draws", type=int, default=4000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "compare_peers.json"))
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0

    ladder = [1000] if args.quick else [d for d in (1000, 2000, 4000) if d <= args.max_draws]
    libraries = [
        (lib, smp) for lib, smp in LIBRARIES if args.only is None or f"{lib}:{smp}" in args.only
    ]
    rows = []
    for dataset in args.datasets:
        for library, sampler in libraries:
            base = {"dataset": dataset, "library": library, "sampler": sampler, "seed": args.seed}
            cold_draws = None
            # cold starts with empty compile caches; warm reuses what cold left in them
            with tempfile.TemporaryDirectory(prefix="compare_peers_") as caches:
                for cache in ("cold",) if args.quick else ("cold", "warm"):
                    # warm: the cold run's final draws once, so the two differ only in the caches
                    r = converged_run(base, ladder if cold_draws is None else [cold_draws], caches)
                    cold_draws = r["draws"]
                    row = _row(base, cache, r)
                    rows.append(row)
                    print(
                        json.dumps({k: v for k, v in row.items() if k not in ("cells", "tries")}),
                        flush=True,
                    )

    table = pd.DataFrame(rows).drop(columns=["cells", "tries", "seed", "error"])
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    versions = {}
    for name in ("seedmodel", "pymc_marketing", "pymc", "nutpie", "arviz", "numpy"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = None
    machine = {
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"machine": machine, "versions": versions, "rows": rows}, indent=1, default=str)
        + "\n"
    )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
