"""Run NUTS (nutpie, pymc or numpyro) or a quick approximation (pathfinder, ADVI)."""

from __future__ import annotations

import time

import pymc as pm
import xarray as xr

from seedmodel.inference.options import (
    ADAPTATIONS,
    BACKENDS,
    LOW_RANK_MAX_DIMS,
    METHODS,
    SAMPLERS,
)

__all__ = [
    "ADAPTATIONS",
    "BACKENDS",
    "METHODS",
    "SAMPLERS",
    "mass_matrix",
    "nutpie_backend",
    "run_inference",
]


def nutpie_backend(backend: str = "auto") -> str:
    """The compiler nutpie uses for the model's log density and gradient.

    ``auto`` is JAX when it is installed (numba otherwise): it compiles in seconds. numba
    takes 1-2 minutes to compile the model (about 30 s with a warm cache) but evaluates the
    gradient 2-10x faster, so it pays off on long fits (docs/benchmarks.md, *Compilers*).
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend != "auto":
        return backend
    try:
        import jax  # noqa: F401
    except ImportError:
        return "numba"
    return "jax"


def mass_matrix(adaptation: str, model: pm.Model) -> str:
    """nutpie's mass-matrix adaptation for ``model``: ``diag`` or ``low_rank``.

    ``auto`` is ``low_rank`` for models with at most ``LOW_RANK_MAX_DIMS`` unconstrained
    parameters, where learning the few correlated directions (an always-on channel against
    the intercept, say) is cheap and pays, and ``diag`` above that, where 1,000 warm-up draws
    estimate those directions too poorly to help.
    """
    if adaptation not in ADAPTATIONS:
        raise ValueError(f"adaptation must be one of {ADAPTATIONS}, got {adaptation!r}")
    if adaptation != "auto":
        return adaptation
    dims = sum(int(v.size) for v in model.initial_point().values())
    return "low_rank" if dims <= LOW_RANK_MAX_DIMS else "diag"


def run_inference(
    model: pm.Model,
    *,
    method: str = "nuts",
    sampler: str = "nutpie",
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    random_seed: int = 0,
    target_accept: float = 0.9,
    initial: dict | None = None,
    adaptation: str = "auto",
    backend: str = "auto",
) -> tuple[xr.DataTree, dict[str, float]]:
    """Draw from the posterior of ``model``.

    Parameters
    ----------
    model : pymc.Model
        The model.
    method : {"nuts", "pathfinder", "advi"}
        ``nuts`` samples exactly; the other two are quick approximations for iteration and are
        never reported as converged.
    sampler : {"nutpie", "pymc", "numpyro"}
        NUTS implementation (``method="nuts"``).
    draws, tune, chains : int
        Kept draws per chain, warm-up draws per chain, chains.
    random_seed : int
        Seed; the same seed gives the same draws.
    target_accept : float
        NUTS step-size target.
    initial : dict, optional
        Starting values (variable name -> value) overriding the prior's centre (nutpie).
    adaptation : {"auto", "diag", "low_rank"}
        nutpie's mass-matrix adaptation (see :func:`mass_matrix`); ignored by the other
        samplers.
    backend : {"auto", "jax", "numba"}
        nutpie's compiler (see :func:`nutpie_backend`); ignored by the other samplers.

    Returns
    -------
    (DataTree, dict)
        The draws (``posterior`` group, ``sample_stats`` for NUTS) and timings in seconds
        (``compile``, ``sample``).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    mass = mass_matrix(adaptation, model)
    compiler = nutpie_backend(backend)
    t0 = time.perf_counter()
    if method == "nuts" and sampler == "nutpie":
        import nutpie

        # chains start at the prior's centre (or ``initial``), without jitter: jittered starts
        # land some chains of an MMM in modes where media mimics demand (budgets follow
        # demand), which they never leave
        compiled = nutpie.compile_pymc_model(
            model,
            backend=compiler,
            gradient_backend="jax" if compiler == "jax" else "pytensor",
            jitter_rvs=set(),
            initial_points=initial,
        )
        t1 = time.perf_counter()
        tree = nutpie.sample(
            compiled,
            draws=draws,
            tune=tune,
            chains=chains,
            seed=random_seed,
            target_accept=target_accept,
            progress_bar=False,
            cores=chains,
            adaptation=mass,
        )
    elif method == "nuts":
        if sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
        t1 = t0
        with model:
            tree = pm.sample(
                draws=draws,
                tune=tune,
                chains=chains,
                random_seed=random_seed,
                target_accept=target_accept,
                progressbar=False,
                nuts_sampler=sampler,
                cores=min(chains, 2),
            )
    elif method == "pathfinder":
        import pymc_extras as pmx

        t1 = t0
        with model:
            tree = pmx.fit(
                method="pathfinder",
                num_draws=draws * chains,
                random_seed=random_seed,
                progressbar=False,
            )
    else:
        t1 = t0
        with model:
            approx = pm.fit(n=20_000, method="advi", random_seed=random_seed, progressbar=False)
            tree = approx.sample(draws * chains, random_seed=random_seed)
    if not isinstance(tree, xr.DataTree):
        tree = xr.DataTree.from_dict({k: getattr(tree, k) for k in tree.groups()})
    t2 = time.perf_counter()
    return tree, {"compile": t1 - t0, "sample": t2 - t1}
