"""Convergence diagnostics with ArviZ, carried with every fit."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import xarray as xr

__all__ = ["REASONS", "Diagnostics", "diagnose", "reason_parts", "rule_holds"]

#: A NUTS fit is converged when every parameter has R-hat at most this ...
MAX_RHAT = 1.01
#: ... and bulk ESS at least this, with no divergent transitions.
MIN_ESS_BULK = 400

#: The words of each reason a fit is not converged (English, as ``diagnostics.json`` says
#: them; the report's catalogue holds ``reason_<key>`` in each language, same fields).
REASONS = {
    "approximation": "{sampler} is an approximation, not MCMC",
    "one_chain": "one chain: R-hat cannot be checked",
    "rhat": "max R-hat {value} > {limit}",
    "ess": "min bulk ESS {value} < {limit}",
    "divergent": "{n} divergent transitions",
    "budget": "the time budget ran out first",
}


def reason_parts(
    chains: int, max_rhat: float, min_ess: float, divergences: int, stopped: str
) -> list[tuple[str, dict]]:
    """The parts of the convergence rule a NUTS fit misses, as (key of :data:`REASONS`,
    its fields) in the order they are said; empty when the rule holds."""
    parts: list[tuple[str, dict]] = []
    if chains < 2:
        parts.append(("one_chain", {}))
    if not max_rhat <= MAX_RHAT:
        parts.append(("rhat", {"value": f"{max_rhat:.3f}", "limit": MAX_RHAT}))
    if not min_ess >= MIN_ESS_BULK:
        parts.append(("ess", {"value": f"{min_ess:.0f}", "limit": MIN_ESS_BULK}))
    if divergences:
        parts.append(("divergent", {"n": divergences}))
    if parts and stopped == "time budget":
        parts.append(("budget", {}))
    return parts


@dataclass(frozen=True)
class Diagnostics:
    """What docs/contract.md's ``diagnostics.json`` holds, and a little more.

    Attributes
    ----------
    max_rhat, min_ess_bulk : float
        Worst R-hat and bulk ESS over the model's parameters (NaN for approximations).
    divergences : int
        Divergent transitions after warm-up.
    converged : bool
        R-hat <= 1.01, bulk ESS >= 400 and no divergences; always False for approximations.
    chains, draws : int
    sampler : str
        ``nutpie``, ``pymc``, ``numpyro``, ``pathfinder`` or ``advi``.
    seconds : float
        Wall time of compilation and sampling.
    reason : str
        Why ``converged`` is False, in words ("" when it is True).
    compile_seconds : float
        The part of ``seconds`` spent compiling the model (0 where the sampler compiles as
        it samples).
    backend : str
        nutpie's compiler, ``jax`` or ``numba`` ("" for the other samplers and for fits saved
        before it was recorded). The same seed gives the same draws only on the same one.
    adaptation : str
        nutpie's mass-matrix adaptation, ``diag`` or ``low_rank`` ("" for the other samplers
        and for fits saved before it was recorded). Draws repeat only under the same one.
    stopped : str
        Why a fit that sampled until converged stopped: ``converged``, ``time budget`` or
        ``draw cap`` ("" for a fit with a fixed number of draws). ``converged`` means that
        R-hat and bulk ESS met the rule; with divergences (which more draws do not remove)
        sampling stops there too, and :attr:`converged` is False.
    gradients : int
        Gradient evaluations over all chains, warm-up included (nutpie's leapfrog steps;
        0 where the sampler does not report them and for fits saved before it was
        recorded). ``gradients / min_ess_bulk`` is what an effective draw costs in
        gradients, and ``(seconds - compile_seconds) * chains / gradients`` what a gradient
        costs in seconds when each chain has a core.
    parallel : str
        How nutpie's chains ran side by side, ``threads`` or ``processes`` ("" for the
        other samplers and for fits saved before it was recorded). Draws repeat only under
        the same one.
    target_accept : float
        NUTS's step-size target of the draws kept (NaN for approximations and for fits
        saved before it was recorded).
    restarts : int
        Runs abandoned because a kept draw diverged, each started again from scratch at a
        higher step-size target
        (:meth:`~seedmodel.inference.options.SamplerConfig.step_targets`); their gradient
        evaluations are counted in :attr:`gradients` and their time in :attr:`seconds`.
    """

    max_rhat: float
    min_ess_bulk: float
    divergences: int
    converged: bool
    chains: int
    draws: int
    sampler: str
    seconds: float
    reason: str = ""
    compile_seconds: float = 0.0
    backend: str = ""
    adaptation: str = ""
    stopped: str = ""
    gradients: int = 0
    parallel: str = ""
    target_accept: float = float("nan")
    restarts: int = 0

    def to_dict(self) -> dict:
        """JSON-ready dict (NaN written as None)."""
        return {
            k: (None if isinstance(v, float) and np.isnan(v) else v)
            for k, v in asdict(self).items()
        }


def _posterior_node(result) -> xr.Dataset:
    """ArviZ returns the posterior node itself or a tree holding it, by version."""
    if isinstance(result, xr.DataTree):
        node = result["posterior"] if "posterior" in result.children else result
        return node.to_dataset()
    return result


def rule_holds(tree: xr.DataTree, var_names: list[str] | None = None) -> bool:
    """R-hat and bulk ESS meet the rule (divergences aside: more draws do not remove them)."""
    d = diagnose(tree, sampler="", seconds=0.0, var_names=var_names)
    return d.max_rhat <= MAX_RHAT and d.min_ess_bulk >= MIN_ESS_BULK


def diagnose(
    tree: xr.DataTree,
    *,
    sampler: str,
    seconds: float,
    compile_seconds: float = 0.0,
    exact: bool = True,
    var_names: list[str] | None = None,
    backend: str = "",
    adaptation: str = "",
    stopped: str = "",
    gradients: int = 0,
    parallel: str = "",
    target_accept: float = float("nan"),
    restarts: int = 0,
) -> Diagnostics:
    """R-hat, bulk ESS and divergences of a posterior (ArviZ), and the verdict."""
    post = tree["posterior"].to_dataset()
    run = dict(
        chains=int(post.sizes["chain"]),
        draws=int(post.sizes["draw"]),
        sampler=sampler,
        seconds=seconds,
        compile_seconds=compile_seconds,
        backend=backend,
        adaptation=adaptation,
        stopped=stopped,
        gradients=gradients,
        parallel=parallel,
        restarts=restarts,
    )
    if not exact:
        reason = REASONS["approximation"].format(sampler=sampler)
        return Diagnostics(np.nan, np.nan, 0, False, reason=reason, **run)
    names = var_names or list(post.data_vars)
    import arviz as az  # heavy: imported when a fit is diagnosed, not with the package

    rhat = _posterior_node(az.rhat(tree, var_names=names))
    ess = _posterior_node(az.ess(tree, var_names=names, method="bulk"))
    max_rhat = float(max(np.nanmax(v.values) for v in rhat.data_vars.values()))
    min_ess = float(min(np.nanmin(v.values) for v in ess.data_vars.values()))
    div = 0
    if "sample_stats" in tree.children and "diverging" in tree["sample_stats"]:
        div = int(tree["sample_stats"]["diverging"].values.sum())
    reasons = [
        REASONS[key].format(**fields)
        for key, fields in reason_parts(run["chains"], max_rhat, min_ess, div, stopped)
    ]
    return Diagnostics(
        max_rhat,
        min_ess,
        div,
        not reasons,
        reason="; ".join(reasons),
        target_accept=target_accept,
        **run,
    )
