"""The convergence rule shared by the bench scripts, and the draw ladder that reaches it."""

from __future__ import annotations

__all__ = ["ESS_TARGET", "RHAT_TARGET", "meets_rule", "next_draws"]

#: issue 4 and 6's rule for a converged fit: every quantity at R-hat <= 1.01, bulk ESS >= 400
RHAT_TARGET = 1.01
ESS_TARGET = 400


def meets_rule(max_rhat: float, min_ess: float) -> bool:
    """True when R-hat and bulk ESS both meet the rule (divergences are reported apart)."""
    return max_rhat <= RHAT_TARGET and min_ess >= ESS_TARGET


def next_draws(draws: int, ess: float | None, ladder: list[int]) -> int | None:
    """The next rung worth trying.

    Bulk ESS grows about linearly with draws, so the smallest ladder step above ``draws``
    that projects to reach :data:`ESS_TARGET`; ``None`` when even the ladder's top falls
    short (a longer run would be wasted time).

    >>> next_draws(1000, 103.0, [1000, 2000, 4000])
    4000
    >>> next_draws(1000, 90.0, [1000, 2000, 4000]) is None
    True
    """
    projected = draws * ESS_TARGET / max(ess or 0.0, 1.0)
    later = [d for d in ladder if d > draws and d >= projected]
    return later[0] if later else None
