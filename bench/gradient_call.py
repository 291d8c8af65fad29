"""What one log-density-and-gradient evaluation costs, and how much of sampling it is.

For each dataset, the default model is compiled by nutpie with JAX (and numba unless
``--no-numba``), then:

- ``direct`` (JAX): one evaluation called from Python in a loop at draws of the posterior
  (nutpie's wrapper, JAX's dispatch and the computation);
- ``in sampler`` (JAX): one chain of nutpie in this process, every call of the log density
  counted and timed by a wrapper: calls per leapfrog step (warm-up and kept draws), the
  time per call, and the share of the chain's wall time spent inside them. numba's log
  density runs inside nutpie's Rust loop, out of Python's reach, so its row gives the
  chain's wall time per leapfrog step.

This separates the cost of a gradient (issue 19) from the sampler's own work around it.
Run it alone on the machine. The counting wraps nutpie's private factory of the Python log
density (``_make_logp_func``, ``_shared_data``; written against nutpie 0.16.11), so a later
nutpie may need this script adapted.

Usage::

    python bench/gradient_call.py --example   # data/sample, a 3-brand weekly world, PMM's example
    python bench/gradient_call.py DATA_DIR ... --draws 300 --out bench/results/gradient_call.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def model_and_start(data, spec):
    """(model, starting point) of ``spec`` on the Dataset ``data``."""
    from seedmodel.fit import starting_point
    from seedmodel.models.mmm.graph import build_model
    from seedmodel.models.mmm.inputs import build_inputs

    inputs = build_inputs(data, spec)
    model = build_model(inputs)
    return model, starting_point(model, inputs)


def datasets(dirs: list[Path], example: bool, tmp: Path) -> list[tuple[str, object, object]]:
    """(label, Dataset, SeedingMMM) to measure: ``dirs`` with the default model (default:
    ``data/sample`` and a 3-brand weekly simulator world), and PyMC-Marketing's example with
    the functional forms bench/compare_peers.py fits it with."""
    import seedmodel as sm

    if not dirs:
        weekly = tmp / "weekly"
        sm.simulate(sm.WorldConfig(n_brands=3, freq="W"), random_seed=0).write(weekly)
        dirs = [ROOT / "data" / "sample", weekly]
    out = [(str(d), sm.load(d), sm.SeedingMMM()) for d in dirs]
    if example:
        import sys

        sys.path.insert(0, str(ROOT / "bench"))
        from compare_peers import example_data, example_spec

        out.append(("pymc_example", example_data()[1], example_spec()))
    return out


def _per_call_ms(fn, points: list[np.ndarray], reps: int) -> float:
    """Mean milliseconds of ``fn(point)`` over ``reps`` calls at each point."""
    for p in points[:2]:
        fn(p)  # compiled and warm
    t = time.perf_counter()
    for p in points:
        for _ in range(reps):
            fn(p)
    return (time.perf_counter() - t) / (reps * len(points)) * 1e3


def measure(label: str, data, spec, compiler: str, draws: int, seed: int) -> dict:
    """One row: direct and in-sampler cost of an evaluation under ``compiler``."""
    import dataclasses

    import nutpie

    from seedmodel.inference.sample import compile_nutpie, nutpie_compile_options

    model, start = model_and_start(data, spec)
    t0 = time.perf_counter()
    compiled = compile_nutpie(model, nutpie_compile_options(compiler, start))
    compile_s = time.perf_counter() - t0
    calls = {"n": 0, "s": 0.0}
    sampled = compiled
    in_python = compiler == "jax"  # nutpie calls JAX's log density from Python: it can be timed
    if in_python:
        make = compiled._make_logp_func  # nutpie's factory of the Python log density

        def counted(*args, **kwargs):
            inner = make(*args, **kwargs)

            def logp(x, **shared):
                t = time.perf_counter()
                out = inner(x, **shared)
                calls["s"] += time.perf_counter() - t
                calls["n"] += 1
                return out

            return logp

        sampled = dataclasses.replace(compiled, _make_logp_func=counted)
    options = dict(draws=draws, tune=draws, progress_bar=False, seed=seed, target_accept=0.9)
    t = time.perf_counter()
    # a JAX chain keeps its draws' unconstrained values: the points of the direct timing
    trace = nutpie.sample(sampled, chains=1, cores=1, store_unconstrained=in_python, **options)
    wall = time.perf_counter() - t
    steps = int(trace.sample_stats["n_steps"].sum() + trace.warmup_sample_stats["n_steps"].sum())
    row = {
        "data": label,
        "compiler": compiler,
        "parameters": int(compiled.n_dim),
        "compile_s": round(compile_s, 2),
        "leapfrog_steps": steps,
        "chain_wall_s": round(wall, 2),
        "chain_ms_per_step": round(wall / steps * 1e3, 4),
    }
    if in_python:
        flat = np.asarray(trace.sample_stats["unconstrained_draw"]).reshape(-1, compiled.n_dim)
        points = [np.ascontiguousarray(p) for p in flat[:: max(1, len(flat) // 10)]]
        logp = make()
        shared = compiled._shared_data
        row["direct_ms"] = round(_per_call_ms(lambda p: logp(p, **shared), points, 200), 4)
        row["calls_per_step"] = round(calls["n"] / steps, 3)
        row["in_sampler_ms_per_call"] = round(calls["s"] / calls["n"] * 1e3, 4)
        row["share_of_chain_in_logp"] = round(calls["s"] / wall, 3)
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="*", type=Path, help="DATA_DIRs (default: data/sample, weekly)")
    ap.add_argument("--draws", type=int, default=300, help="warm-up and kept draws of the chain")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-numba", action="store_true")
    ap.add_argument("--example", action="store_true", help="also PyMC-Marketing's example")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "gradient_call.json"))
    args = ap.parse_args(argv)
    compilers = ["jax"] if args.no_numba else ["jax", "numba"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, data, spec in datasets(list(args.data), args.example, Path(tmp)):
            for compiler in compilers:
                rows.append(measure(label, data, spec, compiler, args.draws, args.seed))
                print(json.dumps(rows[-1]), flush=True)
    import pandas as pd

    print(pd.DataFrame(rows).to_string(index=False))
    meta = {"argv": argv, "draws": args.draws, "seed": args.seed, "time": time.ctime()}
    Path(args.out).write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
