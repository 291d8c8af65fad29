"""The choices a fit offers, without importing a sampler (the CLI reads them at start-up)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from seedmodel.values import whole_number

__all__ = [
    "ADAPTATIONS",
    "BACKENDS",
    "LOW_RANK_MAX_DIMS",
    "METHODS",
    "PARALLEL",
    "PROCESSES_MIN_DIMS",
    "SAMPLERS",
    "STEP_TARGETS",
    "STEP_TARGETS_MIN_PERIODS",
    "UNTIL_CONVERGED_TUNE",
    "SamplerConfig",
]

#: NUTS implementations.
SAMPLERS = ("nutpie", "pymc", "numpyro")
#: ``nuts`` samples exactly; the others are quick approximations, never marked converged.
METHODS = ("nuts", "pathfinder", "advi")
#: nutpie's compilers of the log density and its gradient.
BACKENDS = ("auto", "jax", "numba")
#: nutpie's mass-matrix adaptation: a diagonal, or a diagonal plus a few learned correlated
#: directions (``low_rank``); ``auto`` picks by the model's size (see ``LOW_RANK_MAX_DIMS``).
ADAPTATIONS = ("auto", "diag", "low_rank")
#: ``auto`` adapts a low-rank mass matrix for models with at most this many unconstrained
#: parameters. Measured (docs/benchmarks.md): on PyMC-Marketing's example (19 parameters) it
#: cut the steps per draw from 16 to 7 and raised the worst ROI ESS from 355 to 2,100; on
#: ``data/sample`` (556 parameters) the worst ESS after 1,000 draws was 42, against 222 with
#: ``diag``.
LOW_RANK_MAX_DIMS = 100
#: How nutpie's chains run side by side: threads of one process, or a process each.
PARALLEL = ("auto", "threads", "processes")
#: ``auto`` runs each chain in a process of its own (JAX compiler, two or more chains and
#: cores) for models with at least this many unconstrained parameters. Measured
#: (docs/benchmarks.md, *Chains in processes*): on ``data/sample`` (635 parameters) a
#: gradient costs 1.05 ms per chain in processes against 1.21 ms in threads, and starting
#: the processes about 6 s; on a 1-brand world (about 120 parameters) the start costs more
#: than the gradients save.
PROCESSES_MIN_DIMS = 300
#: Warm-up draws per chain of a fit that samples until converged, unless ``tune`` is given
#: (1,000 until 2026-12-04). On ``data/sample`` at the step target 0.97, 500 warm-up
#: draws stopped three seeds at 1,400 draws per chain with 268,000-273,000 gradient
#: evaluations, against 345,000-359,000 with 1,000, and none diverged in 2,400 draws
#: (docs/benchmarks.md, *Sixteenth session*).
UNTIL_CONVERGED_TUNE = 500
#: NUTS step-size targets of a fit that samples until converged, tried in turn: the run
#: starts at the first, and if a kept draw diverges it is abandoned and started again from
#: scratch at the next (the last run is never abandoned). A divergence can only come out of
#: a run's kept draws by ending it, so the rule (no divergence) is the same. On a year or
#: more of data most fits reach it at 0.9 with fewer gradient evaluations; shorter data
#: start at 0.97 (:data:`STEP_TARGETS_MIN_PERIODS`); 0.99 is the remedy of last resort
#: for a fit that diverges even at 0.97 (docs/benchmarks.md, *Twenty-fourth session*).
STEP_TARGETS = (0.9, 0.97, 0.99)
#: Below this many fitted periods (a year of days) a fit that samples until converged
#: starts at 0.97, the second of :data:`STEP_TARGETS`: on shorter data 0.9 diverged where
#: 0.97 did not (a 240-day world, a 104-week one; docs/benchmarks.md, *Fourteenth session*).
STEP_TARGETS_MIN_PERIODS = 365


@dataclass(frozen=True)
class SamplerConfig:
    """How a fit draws from the posterior: validated once here, saved with the fit, and
    read by the command line, :func:`seedmodel.fit_mmm`, the per-fit checks and the
    sampler alike (none of them declares a default of its own).

    Parameters
    ----------
    draws : int, optional
        Kept draws per chain. ``None`` (the default): NUTS with nutpie samples until the
        convergence rule holds, judged at fixed draw counts, or until ``max_minutes`` are
        spent; the other samplers and methods keep 1,000 (:attr:`kept_draws`).
    tune : int, optional
        Warm-up draws per chain. ``None`` (the default): as many as ``draws``;
        :data:`UNTIL_CONVERGED_TUNE` (500) for a fit that samples until converged, and
        1,000 for the other samplers and methods without ``draws`` (:attr:`warmup`).
        :func:`seedmodel.fit_mmm` saves the number used.
    chains : int
        Chains (run in parallel, one core each).
    sampler : {"nutpie", "pymc", "numpyro"}
        NUTS implementation.
    method : {"nuts", "pathfinder", "advi"}
        ``nuts`` (exact) or a quick approximation, never marked converged.
    target_accept : float, optional
        NUTS step-size target in (0, 1), used alone. ``None``: 0.9 with a fixed number of
        draws (quick looks); for a fit that samples until converged, 0.9 first on a year
        or more of fitted periods (0.97 on less) and, each time a kept draw diverges, a
        fresh start at the next of 0.97 and 0.99 (:meth:`step_targets`). On a 1-brand, 240-day
        world 0.9 gave 6 divergences where 0.97 gave none. On a year or more of daily data
        0.9 takes a third to a half fewer gradient evaluations, but some fits then diverge
        where 0.97 does not (docs/benchmarks.md, *Fifteenth* and *Twenty-fourth session*).
    backend : {"auto", "jax", "numba"}
        nutpie's compiler. ``auto`` (JAX) compiles in seconds. ``numba`` compiles for about
        2 minutes the first time a model of a given shape and data is fitted on a machine,
        about 4-8 s once the code is cached on disk (pytensor's and, since 2026-12-06, the
        callbacks nutpie calls: :mod:`seedmodel.inference.numba_callbacks`), and then
        evaluates a gradient about 2x (daily data) to 4x (weekly) faster. On ``data/sample``
        without the checks: 52 s from process start on a warm cache, against 84-96 s with
        JAX; on a 3-brand weekly world 26 s (docs/benchmarks.md, *Twenty-seventh session*).
        Both give the same draws for the same seed on every run (numba compiles without
        fast-math: :func:`seedmodel.inference.sample.compile_nutpie`), but not each other's.
    adaptation : {"auto", "diag", "low_rank"}
        nutpie's mass matrix. ``low_rank`` also learns a few correlated directions of the
        posterior (an always-on channel trading off against the baseline level): on a
        2-channel weekly model it samples 6x more effective draws per second. On the
        multi-brand daily model, with hundreds of parameters, it mixes worse than ``diag``.
        ``auto`` takes ``low_rank`` up to :data:`LOW_RANK_MAX_DIMS` parameters and ``diag``
        above (:func:`seedmodel.inference.sample.mass_matrix`). The choice is recorded in
        ``diagnostics.adaptation``.
    max_minutes : float
        Time budget of a fit that samples until converged.
    parallel : {"auto", "threads", "processes"}
        How nutpie's chains run side by side. With the JAX compiler, nutpie calls the log
        density from Python once per leapfrog step, and two chains in threads of one
        process slow each other down; ``processes`` runs each chain in a fresh Python
        process of its own (about 6 s to start). ``auto`` takes ``processes`` for models
        with at least :data:`PROCESSES_MIN_DIMS` parameters when there are a core per chain
        and JAX, ``threads`` otherwise (:func:`seedmodel.inference.sample.parallelism`).
        The choice is recorded in ``diagnostics.parallel``; draws repeat only under the
        same one.

    Examples
    --------
    >>> config = SamplerConfig(draws=500)
    >>> config.warmup, config.step_target, config.until_converged
    (500, 0.9, False)
    >>> SamplerConfig.from_dict(config.to_dict()) == config
    True
    """

    draws: int | None = None
    tune: int | None = None
    chains: int = 2
    sampler: str = "nutpie"
    method: str = "nuts"
    target_accept: float | None = None
    backend: str = "auto"
    adaptation: str = "auto"
    max_minutes: float = 15.0
    parallel: str = "auto"

    def __post_init__(self) -> None:
        for name, allowed in (
            ("sampler", SAMPLERS),
            ("method", METHODS),
            ("backend", BACKENDS),
            ("adaptation", ADAPTATIONS),
            ("parallel", PARALLEL),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")
        for name, least in (("draws", 1), ("tune", 0), ("chains", 1)):
            value = getattr(self, name)
            if value is None and name != "chains":
                continue
            whole = whole_number(value)  # int or numpy int
            if whole is None or whole < least:
                raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
            object.__setattr__(self, name, whole)
        if self.target_accept is not None and not 0 < self.target_accept < 1:
            raise ValueError(f"target_accept must be in (0, 1), got {self.target_accept!r}")
        if not self.max_minutes > 0:
            raise ValueError(f"max_minutes must be > 0, got {self.max_minutes!r}")

    @property
    def until_converged(self) -> bool:
        """Whether the fit samples until the convergence rule holds (NUTS with nutpie and no
        number of draws)."""
        return self.draws is None and self.method == "nuts" and self.sampler == "nutpie"

    @property
    def kept_draws(self) -> int | None:
        """Draws per chain to keep; ``None`` when sampling until converged."""
        return None if self.until_converged else (self.draws or 1000)

    @property
    def warmup(self) -> int:
        """Warm-up draws per chain: ``tune``, else as many as the draws kept, or
        :data:`UNTIL_CONVERGED_TUNE` for a fit that samples until converged."""
        if self.tune is not None:
            return self.tune
        kept = self.kept_draws
        return UNTIL_CONVERGED_TUNE if kept is None else kept

    @property
    def step_target(self) -> float:
        """The NUTS step-size target of a single run: ``target_accept``, else 0.97 for a fit
        that samples until converged and 0.9 with a fixed number of draws."""
        if self.target_accept is not None:
            return self.target_accept
        return STEP_TARGETS[1] if self.until_converged else 0.9

    def step_targets(self, periods: int) -> tuple[float, ...]:
        """The step-size targets a fit of ``periods`` fitted periods tries in turn: more
        than one only for a fit that samples until converged without ``target_accept``
        (:data:`STEP_TARGETS`, from 0.97 on fewer than :data:`STEP_TARGETS_MIN_PERIODS`).

        Examples
        --------
        >>> SamplerConfig().step_targets(730), SamplerConfig().step_targets(104)
        ((0.9, 0.97, 0.99), (0.97, 0.99))
        >>> SamplerConfig(target_accept=0.95).step_targets(730)
        (0.95,)
        """
        if self.target_accept is not None or not self.until_converged:
            return (self.step_target,)
        return STEP_TARGETS if periods >= STEP_TARGETS_MIN_PERIODS else STEP_TARGETS[1:]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (saved in ``fit.nc``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SamplerConfig:
        """Inverse of :meth:`to_dict`; a missing setting takes its default.

        Raises
        ------
        ValueError
            A setting this version does not know.
        """
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"sampler setting {unknown[0]!r} is unknown to this seedmodel")
        return cls(**data)
