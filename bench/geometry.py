"""Where a fit's posterior is hard for NUTS: its shape in the sampler's own coordinates.

One fit of the default model with nutpie (fixed draws, the library's start and step-size
target), keeping the unconstrained draws. Prints and writes (JSON):

- leapfrog steps per draw in warm-up and after it, the adapted step size, gradient
  evaluations, and each variable's worst bulk ESS and R-hat (ArviZ);
- the posterior's correlation matrix in unconstrained space (what is left for NUTS after
  nutpie's diagonal mass matrix has rescaled each coordinate): the square root of its
  condition number, and its narrowest and widest directions named by the variables that
  load on them most;
- the most correlated pairs of coordinates.

Usage::

    python bench/geometry.py                      # data/sample, 1,000 draws after 500
    python bench/geometry.py DATA_DIR --draws 500 --out bench/results/geometry.json

Issue 19 (gradients per effective draw): docs/benchmarks.md, *Twenty-second session*.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def unconstrained_labels(model, posterior, flat: np.ndarray) -> list[str]:
    """Name each column of nutpie's unconstrained draws (S, N) as ``variable[i]`` by
    matching them against the posterior's values, mapped through each variable's
    transform (nutpie's order of variables is its own)."""
    labels: list[str | None] = [None] * flat.shape[1]
    for rv in model.free_RVs:
        values = posterior[rv.name].values
        values = values.reshape(values.shape[0] * values.shape[1], *values.shape[2:])
        transform = model.rvs_to_transforms.get(rv)
        if transform is not None:
            values = transform.forward(values, *rv.owner.inputs).eval()
        values = np.asarray(values).reshape(flat.shape[0], -1)
        n = values.shape[1]
        for off in range(flat.shape[1] - n + 1):
            if labels[off] is None and np.allclose(flat[:, off : off + n], values, atol=1e-8):
                labels[off : off + n] = [f"{rv.name}[{i}]" for i in range(n)]
                break
    return [name or f"column[{i}]" for i, name in enumerate(labels)]


def directions(corr: np.ndarray, labels: list[str], k: int = 5, top: int = 6) -> dict:
    """The ``k`` narrowest and widest eigen-directions of ``corr``, each with its
    eigenvalue and the ``top`` coordinates loading on it most."""
    eigval, eigvec = np.linalg.eigh(corr)

    def describe(j: int) -> dict:
        v = eigvec[:, j]
        idx = np.argsort(-np.abs(v))[:top]
        return {
            "eigenvalue": float(eigval[j]),
            "loadings": {labels[i]: round(float(v[i]), 3) for i in idx},
        }

    return {
        # fewer draws than coordinates leave the matrix singular: no condition number
        "sqrt_condition": float(np.sqrt(eigval[-1] / eigval[0])) if eigval[0] > 1e-9 else None,
        "narrowest": [describe(j) for j in range(k)],
        "widest": [describe(len(eigval) - 1 - j) for j in range(k)],
    }


def strongest_pairs(corr: np.ndarray, labels: list[str], n: int = 15) -> list[dict]:
    """The ``n`` most correlated pairs of coordinates."""
    iu = np.triu_indices_from(corr, 1)
    order = np.argsort(-np.abs(corr[iu]))[:n]
    return [
        {"a": labels[iu[0][o]], "b": labels[iu[1][o]], "corr": round(float(corr[iu][o]), 3)}
        for o in order
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", default="data/sample")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--backend", default="jax")
    ap.add_argument("--out", default="bench/results/geometry.json")
    args = ap.parse_args(argv)

    import arviz as az
    import nutpie
    from gradient_call import model_and_start

    import seedmodel as sm
    from seedmodel.inference.options import SamplerConfig
    from seedmodel.inference.sample import compile_nutpie, nutpie_compile_options
    from seedmodel.models.mmm.spec import SeedingMMM

    model, start = model_and_start(sm.load(args.data), SeedingMMM())
    options = nutpie_compile_options(args.backend, start)
    compiled = compile_nutpie(model, options)
    t0 = time.perf_counter()
    trace = nutpie.sample(
        compiled,
        chains=2,
        cores=2,
        seed=args.seed,
        draws=args.draws,
        tune=args.tune,
        target_accept=SamplerConfig().step_target,
        progress_bar=False,
        store_unconstrained=True,
        save_warmup=True,
    )
    seconds = time.perf_counter() - t0
    stats, warm = trace.sample_stats, trace.warmup_sample_stats
    flat = stats["unconstrained_draw"].values.reshape(-1, compiled.n_dim)
    labels = unconstrained_labels(model, trace.posterior, flat)
    centred = flat - flat.mean(axis=0)
    corr = np.corrcoef(centred.T)
    free = [rv.name for rv in model.free_RVs]
    ess, rhat = az.ess(trace.posterior, var_names=free), az.rhat(trace.posterior, var_names=free)
    steps, warm_steps = stats["n_steps"].values, warm["n_steps"].values
    result = {
        "args": vars(args),
        "parameters": int(compiled.n_dim),
        "seconds": round(seconds, 1),
        "gradients": int(steps.sum() + warm_steps.sum()),
        "steps_per_draw": float(steps.mean()),
        "warmup_steps_per_draw_by_100": [
            round(float(warm_steps[:, i : i + 100].mean()), 1)
            for i in range(0, warm_steps.shape[1], 100)
        ],
        "step_size": float(stats["step_size"].values.mean()),
        "divergences": int(stats["diverging"].values.sum()),
        "min_ess_bulk": {v: round(float(ess[v].min())) for v in free},
        "max_rhat": {v: round(float(rhat[v].max()), 4) for v in free},
        "geometry": directions(corr, labels),
        "strongest_pairs": strongest_pairs(corr, labels),
    }
    print(
        f"{result['parameters']} parameters, {result['gradients']:,} gradients, "
        f"{result['steps_per_draw']:.1f} steps per draw (warm-up by 100: "
        f"{result['warmup_steps_per_draw_by_100']}), step size {result['step_size']:.4f}, "
        f"{result['divergences']} divergent"
    )
    slowest = sorted(result["min_ess_bulk"].items(), key=lambda kv: kv[1])[:6]
    print("slowest variables (min bulk ESS):", ", ".join(f"{v} {e}" for v, e in slowest))
    geo = result["geometry"]
    cond = geo["sqrt_condition"]
    print(
        "sqrt(condition number) of the scaled posterior: "
        + (f"{cond:.1f}" if cond else "none (fewer draws than parameters)")
    )
    for kind in ("narrowest", "widest"):
        for d in geo[kind][:3]:
            load = ", ".join(f"{k} {v:+.2f}" for k, v in d["loadings"].items())
            print(f"  {kind:9s} {d['eigenvalue']:.4f}: {load}")
    for p in result["strongest_pairs"][:5]:
        print(f"  {p['a']:24s} {p['b']:24s} {p['corr']:+.3f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
