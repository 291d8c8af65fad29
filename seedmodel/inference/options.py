"""The choices a fit offers, without importing a sampler (the CLI reads them at start-up)."""

from __future__ import annotations

__all__ = ["ADAPTATIONS", "BACKENDS", "LOW_RANK_MAX_DIMS", "METHODS", "SAMPLERS"]

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
