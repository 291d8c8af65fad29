"""The simulator's true response to a future spend plan, in the planner's form.

Plans recommended from a fitted model are judged with this, never with the model: it is the
world's own engagement funnel (CPM, read and click rates, content quality on each future
day), lag kernel, saturation and platform split.
"""

from __future__ import annotations

import numpy as np

from seedmodel.plan.response import PlanResponse
from seedmodel.sim.world import World
from seedmodel.transforms import lag_matrix

__all__ = ["judge_plan", "true_plan_response"]


def true_plan_response(world: World, days: int = 90) -> PlanResponse:
    """A one-draw :class:`PlanResponse` that is exactly the world's expected response.

    Parameters
    ----------
    world : World
        ``Simulation.world``; its days after the data are the plan's.
    days : int
        Planning horizon (days).

    Returns
    -------
    PlanResponse
        Paid channels in the world's order, S = 1.
    """
    if not world.config.saturation:
        raise ValueError("the planner's response needs a world with saturation")
    N, T = days, world.n_data
    paid = [c for c in range(len(world.channels)) if world.kind(c) != "organic"]
    Lmax = max(len(world.kernels[c]) - 1 for c in paid)
    L = N + Lmax
    if len(world.dates) < T + L:
        raise ValueError(f"the world has {len(world.dates) - T} days after its data; {L} needed")
    per_yuan = world.driver(world.engagement(np.ones_like(world.spend)))  # (B, C, T_all)
    in_data = world.spend.copy()
    in_data[..., T:] = 0.0
    carried_data = world.driver(world.engagement(in_data))
    B, P = len(world.brands), len(world.platforms)
    past = np.zeros((B, len(paid), 1, L))
    unit = np.zeros((B, len(paid), 1, L))
    for j, c in enumerate(paid):
        w = world.kernels[c]
        Lc = len(w) - 1
        for b in range(B):
            hist = lag_matrix(carried_data[b, c, : T + L], Lc)[T:] @ w
            plan = np.zeros(T + L)
            plan[T : T + N] = per_yuan[b, c, T : T + N]
            past[b, j, 0] = hist
            unit[b, j, 0] = lag_matrix(plan, Lc)[T:] @ w
    half = world.half[:, paid][:, :, None]
    slopes = [float(world.config.channels[c].hill_slope) for c in paid]
    live = world.spend[:, paid, :T]
    value = (world.beta[:, paid, None] * world.split[:, paid, :])[:, :, None, :]
    return PlanResponse(
        brands=tuple(world.brands["brand"]),
        channels=tuple(world.channels[c] for c in paid),
        platforms=tuple(world.platforms),
        periods=N,
        period_days=1,
        past=past,
        unit=unit,
        half=half,
        value=value.reshape(B, len(paid), 1, P),
        # the world's Hill curves with their own slopes (the family draws 0.5-3; a plain
        # Hill, slope 1, put family worlds' true plan values off by up to 11%)
        kinds=tuple("hill" if s == 1.0 else "hill_slope" for s in slopes),
        shapes=tuple({} if s == 1.0 else {"slope": np.array([s])} for s in slopes),
        current=world.spend[:, paid, T - N : T].mean(axis=-1),
        margin=np.ones(B),
        typical=np.nan_to_num(np.nanmean(np.where(live > 0, live, np.nan), axis=-1), nan=1.0),
        link_channels=tuple(world.channels[c] for c in paid if world.kind(c) == "link"),
    )


def judge_plan(world: World, plan, **constraints) -> dict[str, float]:
    """A recommended plan judged by the world's true response.

    Parameters
    ----------
    world : World
        The simulator world the model was fitted to.
    plan : Allocation
        From :func:`seedmodel.allocate` on that fit.
    **constraints
        The constraints ``plan`` was made under (passed to :func:`seedmodel.allocate` on the
        true response to find the true optimum).

    Returns
    -------
    dict
        true_recommended, true_current, true_optimum (true incremental GMV of each plan) and
        their ratios ``share_of_optimum`` and ``optimum_vs_current``.
    """
    from seedmodel.plan.allocation import allocate

    table = plan.table
    truth = true_plan_response(world, plan.summary["days"])
    spend = table.set_index(["brand", "channel"])
    keys = [(b, c) for b in truth.brands for c in truth.channels]
    rec = spend.loc[keys, "recommended_spend"].to_numpy().reshape(truth.current.shape)
    cur = spend.loc[keys, "current_spend"].to_numpy().reshape(truth.current.shape)
    N = truth.periods
    true_rec = float(truth.total_draws(rec / N)[0])
    true_cur = float(truth.total_draws(cur / N)[0])
    best = allocate(truth, plan.summary["budget"], **constraints)
    true_opt = float(best.summary["recommended_incremental_gmv"])
    return {
        "true_recommended": true_rec,
        "true_current": true_cur,
        "true_optimum": true_opt,
        "share_of_optimum": true_rec / true_opt,
        "optimum_vs_current": true_opt / true_cur,
        "recommended_vs_current": true_rec / true_cur,
    }
