"""One budget across a portfolio: the group fits' plan responses joined into one.

Groups are fitted separately, so their posteriors are independent: pairing the i-th draw of
one group with the i-th draw of another is a draw from the joint posterior. Each group's
draws are thinned (evenly) to the fewest any group has, so every brand counts equally.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from seedmodel.plan.response import PlanResponse, plan_response

__all__ = ["join_responses", "load_group_fits", "portfolio_plan_response"]


def load_group_fits(folder: str | Path) -> list:
    """The group fits of a portfolio folder (``groups/*/fit.nc``), in group order.

    Raises
    ------
    DataError
        No group fit in ``folder``, or a fit file that cannot be read (see
        :func:`seedmodel.load_fit`).
    """
    from seedmodel.portfolio.saved import load_portfolio

    return load_portfolio(folder).fits


def portfolio_plan_response(fits: Sequence, days: int = 90, *, margins: bool = False):
    """The plan response of every brand of ``fits`` (one per group), for
    :func:`seedmodel.allocate` with one total budget (or per-brand budgets) across them."""
    return join_responses([plan_response(f, days, margins=margins) for f in fits])


def join_responses(responses: Sequence[PlanResponse]) -> PlanResponse:
    """Several groups' plan responses as one over all their brands.

    Channels are the union (a group without a channel gets no response from it); draws are
    thinned evenly to the fewest of any group; carryover columns are padded to the longest.

    Raises
    ------
    ValueError
        Responses with different horizons or periods, a channel whose saturation differs
        between groups or has per-channel parameters (``hill_slope``), or brands in more
        than one group.
    """
    first = responses[0]
    if len(responses) == 1:
        return first
    if len({(r.periods, r.period_days) for r in responses}) > 1:
        raise ValueError("the groups' plans cover different horizons or periods")
    brands = [b for r in responses for b in r.brands]
    if len(set(brands)) < len(brands):
        raise ValueError("a brand is in more than one group")
    channels = list(dict.fromkeys(c for r in responses for c in r.channels))
    curves: dict[str, object] = {}
    for r in responses:
        for c, kind, shape in zip(r.channels, r.kinds, r.shapes, strict=True):
            if shape:
                raise ValueError(
                    f"channel {c}: a saturation with per-channel parameters ({kind.name}) "
                    "cannot be planned across groups"
                )
            if curves.setdefault(c, kind) != kind:
                raise ValueError(f"channel {c}: the groups use different saturation curves")
    if len({r.platforms for r in responses}) > 1:
        raise ValueError("the groups' data hold different platforms")
    S = min(r.n_draws for r in responses)
    L = max(r.past.shape[-1] for r in responses)
    C = len(channels)

    def aligned(r: PlanResponse, name: str, fill: float) -> np.ndarray:
        """``r``'s array ``name`` on the joint channels, draws and columns."""
        a = getattr(r, name)
        keep = np.linspace(0, r.n_draws - 1, S).round().astype(int)
        out = np.full((a.shape[0], C, *a.shape[2:]), fill, dtype=float)
        for j, c in enumerate(r.channels):
            out[:, channels.index(c)] = a[:, j]
        if name in ("past", "unit", "half", "value"):
            out = out[:, :, keep]
        if name in ("past", "unit"):
            out = np.concatenate([out, np.zeros((*out.shape[:-1], L - out.shape[-1]))], axis=-1)
        return out

    weight = np.zeros((C, L))
    for r in responses:
        w = r.weight if r.weight is not None else np.ones((len(r.channels), r.past.shape[-1]))
        for j, c in enumerate(r.channels):
            k = channels.index(c)
            if weight[k].any() and not np.array_equal(weight[k, : w.shape[1]], w[j]):
                raise ValueError(f"channel {c}: the groups' plans count its periods differently")
            weight[k, : w.shape[1]] = w[j]
    return PlanResponse(
        brands=tuple(brands),
        channels=tuple(channels),
        platforms=first.platforms,
        periods=first.periods,
        period_days=first.period_days,
        past=np.concatenate([aligned(r, "past", 0.0) for r in responses]),
        unit=np.concatenate([aligned(r, "unit", 0.0) for r in responses]),
        half=np.concatenate([aligned(r, "half", 1.0) for r in responses]),
        value=np.concatenate([aligned(r, "value", 0.0) for r in responses]),
        kinds=tuple(curves[c] for c in channels),
        current=np.concatenate([aligned(r, "current", 0.0) for r in responses]),
        margin=np.concatenate([r.margin for r in responses]),
        typical=np.concatenate([aligned(r, "typical", 0.0) for r in responses]),
        link_channels=tuple(c for c in channels if any(c in r.link_channels for r in responses)),
        weight=weight,
    )
