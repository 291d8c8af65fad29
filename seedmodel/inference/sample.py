"""Run NUTS (nutpie, pymc or numpyro) or a quick approximation (pathfinder, ADVI)."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from seedmodel.inference.options import (
    ADAPTATIONS,
    BACKENDS,
    LOW_RANK_MAX_DIMS,
    METHODS,
    PARALLEL,
    PROCESSES_MIN_DIMS,
    SAMPLERS,
    SamplerConfig,
)

__all__ = [
    "ADAPTATIONS",
    "BACKENDS",
    "METHODS",
    "SAMPLERS",
    "START_FAILED",
    "compile_nutpie",
    "mass_matrix",
    "nutpie_backend",
    "nutpie_compile_options",
    "off_centre",
    "parallelism",
    "run_inference",
]


def nutpie_backend(backend: str = "auto") -> str:
    """The compiler nutpie uses for the model's log density and gradient.

    ``auto`` is JAX when it is installed (numba otherwise): it compiles in seconds, and a
    first fit on a fresh machine (the quick start, a scheduled job in a new environment)
    is fastest with it. numba takes about 2 minutes to compile a model the first time
    (4-8 s once the code is cached on disk) but evaluates the gradient 2-4x faster, so it
    pays off on repeated fits and weekly data (docs/benchmarks.md, *Twenty-seventh
    session*).
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


def nutpie_compile_options(compiler: str, initial: dict | None) -> dict[str, Any]:
    """The options of ``nutpie.compile_pymc_model`` for ``compiler`` (``jax`` or ``numba``).

    Chains start at the prior's centre (or ``initial``), without jitter: jittered starts land
    some chains of an MMM in modes where media mimics demand (budgets follow demand), which
    they never leave.
    """
    return dict(
        backend=compiler,
        gradient_backend="jax" if compiler == "jax" else "pytensor",
        jitter_rvs=set(),
        initial_points=initial,
    )


#: The options of :func:`nutpie_compile_options` that :func:`compile_nutpie`'s numba path
#: understands; any other sends the compile to nutpie's own.
_NUMBA_OPTIONS = {"backend", "gradient_backend", "jitter_rvs", "initial_points"}


def compile_nutpie(model: pm.Model, compile_options: dict[str, Any]):
    """``nutpie.compile_pymc_model(model, **compile_options)``, with numba's fast-math off.

    pytensor's numba backend compiles with LLVM's fast-math flags by default, which let LLVM
    reorder floating-point sums wherever it inlines. Code loaded from pytensor's disk cache
    is inlined differently from code compiled afresh, so the same seed gave different draws
    on a machine's first and later fits: on ``data/sample`` three fits with seed 0 stopped
    at 1,200, 1,400 and 1,600 draws per chain depending on what the cache held. Without
    fast-math a cold and a warm compile give the same draws to the last digit, and a
    gradient costs about the same (0.49 against 0.46 ms; docs/benchmarks.md, *Twenty-first
    session*). The flag is part of pytensor's cache key, so the two never share entries.
    JAX ignores it.

    Under numba the two C callbacks nutpie calls are built by
    :func:`seedmodel.inference.numba_callbacks.compile_numba`, which numba caches on disk
    beside pytensor's code, so that a later fit of the same model does not compile them
    again (15-17 s each time before; the same draws). With a nutpie that lacks the pieces it
    builds on, nutpie's own compile is used, with a ``RuntimeWarning``.
    """
    import nutpie
    import pytensor

    if compile_options.get("backend") == "numba" and set(compile_options) <= _NUMBA_OPTIONS:
        from seedmodel.inference.numba_callbacks import compile_numba

        try:
            return compile_numba(
                model,
                initial_points=compile_options.get("initial_points"),
                jitter_rvs=compile_options.get("jitter_rvs"),
            )
        except (ImportError, TypeError) as err:  # a nutpie whose private pieces changed
            warnings.warn(
                f"nutpie {nutpie.__version__}: {err}; compiling with nutpie's own numba "
                "callbacks, which are compiled again on every fit",
                RuntimeWarning,
                stacklevel=2,
            )
    with pytensor.config.change_flags(numba__fastmath=False):
        return nutpie.compile_pymc_model(model, **compile_options)


def _parameters(model: pm.Model) -> int:
    """The model's unconstrained parameters (the sampler's dimension)."""
    return sum(int(v.size) for v in model.initial_point().values())


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
    return "low_rank" if _parameters(model) <= LOW_RANK_MAX_DIMS else "diag"


def parallelism(parallel: str, model: pm.Model, compiler: str, chains: int) -> str:
    """How nutpie's chains run side by side: ``threads`` of this process or ``processes``
    of their own.

    ``auto`` is ``processes`` when nutpie compiles with JAX (whose log density nutpie calls
    from Python, so that threads slow each other down), there are two or more chains and a
    core for each, and the model has at least ``PROCESSES_MIN_DIMS`` unconstrained
    parameters (below that, starting the processes costs more than it saves).
    """
    if parallel not in PARALLEL:
        raise ValueError(f"parallel must be one of {PARALLEL}, got {parallel!r}")
    if parallel != "auto":
        return parallel
    if compiler != "jax" or chains < 2 or (os.cpu_count() or 1) < chains:
        return "threads"
    return "processes" if _parameters(model) >= PROCESSES_MIN_DIMS else "threads"


#: Kept draws per chain at which a run that samples until converged is judged: fixed, so
#: that the same seed stops at the same draw and gives the same numbers. Every 100 draws
#: from 800 to 1,600, where daily fits of one to five brands stop since the step-size ladder
#: starts at 0.9: on ``data/sample`` (bench/checkpoints.py, three seeds) the rule first holds
#: for good at 900-1,000 draws, which the steps before 2026-12-05 (800, 1,200, 1,400, ...)
#: judged only at 1,200. Each judgement costs about a second of the cores the chains run on;
#: a hundred draws cost about four on ``data/sample``.
CHECKPOINTS = (
    400, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 1600, 1800, 2000, 2200, 2400,
    2800, 3200, 4000, 4800, 6400, 8000, 9600, 12800, 19200, 25600,
)  # fmt: skip


#: What nutpie says when no chain can start: a parameter's log-density gradient is exactly
#: zero at the starting point (its data carry no information there, its prior is at its mode).
START_FAILED = "initialization points failed"


def off_centre(model: pm.Model, initial: dict | None = None, step: float = 0.1) -> dict:
    """A start for every free variable ``step`` away from the prior's centre along its
    unconstrained axis (``initial``'s own values kept), as variable name -> value.

    For the start nutpie refuses (:data:`START_FAILED`): at the centre, a parameter the
    data do not inform (a channel without spend in the fitted periods) has an exactly zero
    gradient; a step off the prior's mode gives it one.
    """
    centre = model.initial_point()
    out = dict(initial or {})
    for rv in model.free_RVs:
        if rv.name in out:
            continue
        value = model.rvs_to_values[rv]
        moved = np.asarray(centre[value.name], dtype=float) + step
        transform = model.rvs_to_transforms.get(rv)
        if transform is not None:
            moved = transform.backward(pt.as_tensor(moved), *rv.owner.inputs).eval()
        out[rv.name] = np.asarray(moved, dtype=float)
    return out


def run_inference(
    model: pm.Model,
    config: SamplerConfig | None = None,
    *,
    random_seed: int = 0,
    initial: dict | None = None,
    until: Callable[[xr.DataTree], bool] | None = None,
    progress: Callable[[str], None] | None = None,
    targets: tuple[float, ...] | None = None,
) -> tuple[xr.DataTree, dict[str, Any]]:
    """Draw from the posterior of ``model``.

    Parameters
    ----------
    model : pymc.Model
        The model.
    config : SamplerConfig, optional
        Draws, warm-up, chains, sampler, method, step-size target, compiler, mass matrix and
        time budget (default ``SamplerConfig()``). Sampling until converged (NUTS with
        nutpie, no number of draws) stops at the first of the fixed draw counts of
        :data:`CHECKPOINTS` where ``until`` holds, or when the time budget is spent,
        extending one run rather than restarting it.
    random_seed : int
        Seed; the same seed gives the same draws.
    initial : dict, optional
        Starting values (variable name -> value) overriding the prior's centre (nutpie).
    until : callable, optional
        When sampling until converged: the draws so far -> whether to stop (converged).
    progress : callable, optional
        Called with a line of text at each checkpoint (draws, time, verdict).
    targets : tuple of float, optional
        When sampling until converged with nutpie: NUTS step-size targets tried in turn
        (default: ``config.step_target`` alone). A run whose kept draws diverge is
        abandoned, unless it is the last, and sampling starts again from scratch at the
        next target, within the same time budget
        (:meth:`~seedmodel.inference.options.SamplerConfig.step_targets`).

    Returns
    -------
    (DataTree, dict)
        The draws (``posterior`` group, ``sample_stats`` for NUTS) and timings in seconds
        (``compile``, ``sample``), when sampling until converged why sampling stopped
        (``stopped``: ``converged``, ``time budget`` or ``draw cap``), and for nutpie the
        gradient evaluations of warm-up and kept draws over all chains, abandoned runs
        included (``gradients``), the step-size target of the draws returned
        (``target_accept``) and how many runs were abandoned for a divergence
        (``restarts``).
    """
    config = config or SamplerConfig()
    method, sampler, chains = config.method, config.sampler, config.chains
    draws, tune, target_accept = config.kept_draws, config.warmup, config.step_target
    max_seconds = 60.0 * config.max_minutes
    adaptation, backend = config.adaptation, config.backend
    mass = mass_matrix(adaptation, model)
    compiler = nutpie_backend(backend)
    t0 = time.perf_counter()
    if method == "nuts" and sampler == "nutpie":
        way = parallelism(config.parallel, model, compiler, chains)
        compile_options = nutpie_compile_options(compiler, initial)
        sample_options = dict(
            draws=draws if draws is not None else CHECKPOINTS[-1],
            tune=tune,
            progress_bar=False,
            adaptation=mass,
        )
        ladder = (target_accept,) if draws is not None else (targets or (target_accept,))
        if progress is not None:
            where = f" in {chains} processes" if way == "processes" else ""
            progress(f"compiling the model ({compiler}){where}")
        compiled = compile_nutpie(model, compile_options) if way == "threads" else None

        def start(target: float):
            options = sample_options | dict(target_accept=target)
            return _start_chains(model, compiled, compile_options, options, chains, random_seed)

        running = start(ladder[0])
        t1 = time.perf_counter()
        if progress is not None:
            progress(
                f"compiled in {t1 - t0:.0f} s; {chains} chains warm up for {tune} draws, then "
                + (f"keep {draws}" if draws is not None else "sample until converged")
            )
        try:
            if draws is not None:
                tree = running.wait()
                gradients, restarts = _gradients(tree, draws), 0
            else:
                tree, stopped, gradients, restarts, target_accept = _climb(
                    running, start, ladder, until, max_seconds, progress
                )
        except BaseException:  # an interrupt or an error: leave no chain running
            _close(running)
            raise
    elif method == "nuts":
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
    timings: dict[str, Any] = {"compile": t1 - t0, "sample": t2 - t1}
    if method == "nuts" and sampler == "nutpie":
        timings["gradients"] = gradients
        timings["parallel"] = way
        timings["target_accept"] = target_accept
        timings["restarts"] = restarts
    if draws is None:
        timings["stopped"] = stopped
    return tree, timings


def _climb(running, start, ladder, until, max_seconds: float, progress):
    """Sample until converged from ``running`` (started at ``ladder[0]``), abandoning a run
    whose kept draws diverge for a fresh one at the next step-size target (``start(target)``
    starts it), all within ``max_seconds``.

    Returns the draws, why sampling stopped, the gradient evaluations of every run, the
    runs abandoned and the target of the draws returned.
    """
    began, gradients = time.perf_counter(), 0
    for step, target in enumerate(ladder):
        if step:
            running = start(target)
        left = max_seconds - (time.perf_counter() - began)
        last = step == len(ladder) - 1
        try:
            tree, stopped, spent = _sample_until(
                running, until, left, progress, abandon_divergent=not last
            )
        except BaseException:  # leave no restarted chain running (the caller ends the first)
            if step:
                _close(running)
            raise
        gradients += spent
        if stopped != "divergent":
            return tree, stopped, gradients, step, target
        if progress is not None:
            progress(
                f"a kept draw diverged at step target {target}: starting again at "
                f"{ladder[step + 1]}"
            )
    raise AssertionError("the last step target's run is never abandoned")


def _close(running) -> None:
    """End a run's chains on an interrupt or an error: chains in processes are closed
    (idempotent); nutpie's threads belong to this process and end with its sampler."""
    if hasattr(running, "close"):
        running.close()


def _start_chains(model, compiled, compile_options: dict, options: dict, chains: int, seed: int):
    """nutpie's chains, started without waiting: in threads of this process on ``compiled``,
    or (``compiled`` None) each in a process of its own, which compiles the model."""
    if compiled is None:
        from seedmodel.inference.chains import ChainProcesses

        return ChainProcesses(model, compile_options, options, chains=chains, random_seed=seed)
    import nutpie

    return nutpie.sample(
        compiled, chains=chains, cores=chains, seed=seed, blocking=False, **options
    )


def _kept(tree: xr.DataTree) -> int:
    """Draws per chain that every chain has completed (a running sampler's chains differ)."""
    if "posterior" not in tree.children:
        return 0
    post = tree["posterior"].to_dataset()
    if post.sizes.get("draw", 0) == 0 or not post.data_vars:
        return 0
    first = next(iter(post.data_vars.values())).values
    done = ~np.isnan(first.reshape(first.shape[0], first.shape[1], -1)).any(axis=-1)
    return int(done.all(axis=0).cumprod().sum())


def _first(tree: xr.DataTree, n: int) -> xr.DataTree:
    """The first ``n`` kept draws of every chain."""
    groups = {
        name: tree[name].to_dataset().isel(draw=slice(0, n))
        for name in ("posterior", "sample_stats")
        if name in tree.children
    }
    return xr.DataTree.from_dict(groups)


def _inspect(running) -> xr.DataTree:
    """The draws so far (early on, ArviZ warns that there are fewer draws than chains)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return running.inspect()


def _finished(running) -> bool:
    try:
        return bool(running.is_finished)
    except TimeoutError:  # nutpie raises this while the chains are still busy
        return False


def _gradients(tree: xr.DataTree, n: int | None) -> int:
    """Gradient evaluations (leapfrog steps) of all chains: warm-up and the first ``n`` kept
    draws (all of them: ``None``)."""
    total = 0
    for group, keep in (("warmup_sample_stats", None), ("sample_stats", n)):
        if group in tree.children and "n_steps" in tree[group]:
            steps = tree[group]["n_steps"].isel(draw=slice(0, keep)).values
            total += int(np.nansum(steps))
    return total


def _diverging(tree: xr.DataTree) -> np.ndarray:
    """(chain, draw) whether each kept draw of ``tree`` diverged; a chain that is behind is
    padded (with NaN where the chains ran in processes), which reads as not diverging."""
    if "sample_stats" not in tree.children or "diverging" not in tree["sample_stats"]:
        return np.zeros((0, 0), dtype=bool)
    return np.nan_to_num(np.asarray(tree["sample_stats"]["diverging"].values, dtype=float)) > 0


def _divergences(tree: xr.DataTree) -> int:
    """Divergent transitions among the kept draws of ``tree``."""
    return int(_diverging(tree).sum())


def _until_divergence(tree: xr.DataTree) -> int:
    """Draws per chain up to and including the first in which any chain diverged (all of
    them when none did): what an abandoned run's gradients are counted over, so that the
    count does not depend on when the run was stopped."""
    diverging = _diverging(tree)
    hit = np.flatnonzero(diverging.any(axis=0))
    return int(hit[0]) + 1 if hit.size else int(diverging.shape[1])


def _pause(n: int, judged: int, elapsed: float, last: tuple[int, float]) -> float:
    """Seconds until the next poll: just past the time the next checkpoint should be reached
    at the draw rate since the last poll (1-20 s), so that a fit stops soon after its
    checkpoint; during warm-up, a tenth of the time so far (2-10 s)."""
    rate = (n - last[0]) / max(elapsed - last[1], 1e-9)
    if n == 0 or rate <= 0:
        return min(max(2.0, 0.1 * elapsed), 10.0)
    following = next((c for c in CHECKPOINTS if c > max(judged, n)), CHECKPOINTS[-1])
    return min(max(1.0, (following - n) / rate + 0.5), 20.0)


def _checkpoint_line(draws: int, elapsed: float, ok: bool, divergent: int, left: float) -> str:
    """The progress line of a checkpoint. ``ok``: R-hat and bulk ESS meet the rule, which
    stops sampling; with divergences the fit is still not converged (more draws do not
    remove them), and the line says so rather than "converged"."""
    head = f"{draws} draws per chain after {elapsed:.0f} s: "
    if ok and divergent:
        return head + f"R-hat and ESS met, but {divergent} divergent: not converged"
    if ok:
        return head + "converged (0 divergent)"
    budget = f"{max(0.0, left) / 60:.1f} min of budget left"
    return head + f"not converged yet ({divergent} divergent so far; {budget})"


def _sample_until(
    running, until, max_seconds: float, progress, *, abandon_divergent: bool = False
) -> tuple[xr.DataTree, str, int]:
    """Poll a running nutpie sampler; stop at the first checkpoint where ``until`` holds, or
    when the time budget is spent (keeping the draws up to the last checkpoint reached; a
    budget spent before the first checkpoint is stretched to reach it, so that a fit always
    has a checkpoint's number of draws and the same seed gives the same numbers).

    ``abandon_divergent``: while the budget lasts, stop as soon as one of the draws every
    chain has completed diverges (``stopped`` is then ``divergent``, and the gradients
    count warm-up and the kept draws up to the first divergent one, the same on every run
    of the same seed; the few draws sampled before the poll saw it are not counted). The
    checkpoints those draws reach are judged first, and a checkpoint with a divergence in
    it can only end the run as divergent, so the outcome does not depend on when the
    sampler is polled.
    """
    start = time.perf_counter()
    judged, stopped, warned = 0, "draw cap", False
    last = (0, 0.0)  # kept draws per chain and seconds at the previous poll
    while True:
        elapsed = time.perf_counter() - start
        finished = _finished(running)
        tree = _inspect(running)  # once per poll; complete when finished
        n = _kept(tree)
        # abandoned for a divergence only while there is budget left to start again
        abandon = abandon_divergent and elapsed <= max_seconds
        for c in [c for c in CHECKPOINTS if judged < c <= n]:
            judged = c
            first = _first(tree, c)
            ok = until is None or until(first)
            divergent = _divergences(first)
            if progress is not None:
                left = max_seconds - elapsed
                progress(_checkpoint_line(c, elapsed, ok, divergent, left))
            if ok:
                stopped = "divergent" if abandon and divergent else "converged"
                break
            if warned:  # the budget ran out before the first checkpoint: stop at it
                stopped = "time budget"
                break
        if stopped == "draw cap" and abandon and _divergences(_first(tree, n)):
            stopped = "divergent"
        if stopped != "draw cap" or finished:
            break
        if elapsed > max_seconds:
            if judged:
                stopped = "time budget"
                break
            if not warned and progress is not None:
                progress(
                    f"the time budget is spent before the first {CHECKPOINTS[0]} draws per "
                    "chain; sampling on to them (fewer would say nothing)"
                )
            warned = True
        time.sleep(_pause(n, judged, elapsed, last))
        last = (n, elapsed)
    final = running.wait() if _finished(running) else running.abort()
    if stopped == "divergent":
        return final, stopped, _gradients(final, _until_divergence(_first(final, _kept(final))))
    n = judged if judged else _kept(final)
    return _first(final, n), stopped, _gradients(final, n)
