"""Budget allocation across brands x channels from a fitted SeedingMMM.

With the default curves each cell's posterior-mean response is concave in its spend, so on a
grid of breakpoints it is a piecewise-linear concave function, and maximising the sum under
linear budget constraints is a linear programme; a curve that is not concave (an S-shaped
Hill curve) gets binaries that fill its segments in order. The programme rule of 红猫 /
红京 (a live day costs at least ¥5,000, or the channel is off) makes such a cell's spend
*semi-continuous* (0 or within ``[minimum, upper]``), which :func:`scipy.optimize.milp`
(HiGHS) handles exactly as a mixed-integer programme. Nothing is rounded.

1. A coarse grid over each cell's whole range (posterior mean from 200 draws) decides which
   cells are live and roughly how much they get.
2. A fine grid of ±2 coarse steps around that, with all draws, settles the amounts.
3. For the risk-averse objective (CVaR of total incremental GMV over draws, not separable by
   cell), SLSQP with analytic gradients starts from the mean optimum, live cells fixed. For
   the gain over today's split (``gain_cvar``), evenly spaced points on the way from today's
   split to the mean optimum are weighed by the CVaR of their gain.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import Bounds, LinearConstraint, milp, minimize

from seedmodel.analysis.intervals import mean_interval, summarise
from seedmodel.plan.arguments import check_cells, check_days, check_number
from seedmodel.plan.response import PlanResponse, plan_response
from seedmodel.schema.errors import ArgumentError

__all__ = ["PLAN_COLUMNS", "Allocation", "allocate", "frontier"]

#: 红猫 and 红京 take at least this much on a live day (CNY; RED's programme rule): the
#: default ``min_daily_spend`` of every link channel.
PROGRAMME_MIN_DAILY_SPEND = 5000.0

#: docs/contract.md's plan.csv columns, in order; :func:`allocate` adds more after them.
PLAN_COLUMNS = [
    "brand",
    "channel",
    "current_spend",
    "recommended_spend",
    "expected_incremental_gmv",
    "expected_incremental_gmv_lo",
    "expected_incremental_gmv_hi",
]

OBJECTIVES = ("mean", "cvar", "gain_cvar")
#: Points on the way from today's split to the mean optimum that ``gain_cvar`` weighs.
GAIN_STEPS = 20
GRID = 40  # breakpoints of the piecewise-linear response in step 1
#: A cell's response counts as concave when no segment's slope rises by more than this share
#: of its largest slope (round-off on a concave curve stays far below it).
CONCAVE_TOL = 1e-9
MILP_DRAWS = 200  # posterior draws behind the step-1 curves (step 2 uses all)
CURVE_THREADS = 4  # threads computing the cells' curves (each cell's numbers are its own)


@dataclass(frozen=True, eq=False)
class Allocation:
    """A recommended plan and how it compares with the current one.

    Attributes
    ----------
    table : DataFrame
        One row per brand x channel: docs/contract.md's plan.csv columns, then
        ``current_incremental_gmv`` (and _lo/_hi), ``recommended_roi``, ``recommended_mroi``,
        ``current_mroi``, ``live``, ``min_spend``, ``lower``, ``upper``,
        ``expected_incremental_gmv_<platform>`` and ``min_spend_roi`` (what spending exactly
        a cell's programme minimum would return a yuan; NaN without a minimum).
    summary : dict
        Budget, spend, totals with intervals for both plans, the posterior probability that
        the recommendation returns more than the current plan, objective and solver notes.
    recommended, current : ndarray
        (B, C) spend over the horizon.
    draws_recommended, draws_current : ndarray
        (S,) total incremental GMV (or gross profit) per posterior draw.
    """

    table: pd.DataFrame
    summary: dict
    recommended: np.ndarray
    current: np.ndarray
    draws_recommended: np.ndarray = field(repr=False)
    draws_current: np.ndarray = field(repr=False)

    def freely_set(self) -> pd.Series:
        """Per row of ``table``, whether the plan set the cell's spend freely: live, above
        its floor (programme minimum or lower bound) and below a cap of its own (a cell's cap
        is the budget unless bounds say less). At the mean optimum these cells' next yuan
        earn about the same; a cell held at its floor or cap is where the constraint put it.
        """
        t = self.table
        spend = t["recommended_spend"]
        floor = t[["min_spend", "lower"]].max(axis=1)
        capped = t["upper"] < self.summary["budget"] * (1 - 1e-9)
        return (
            (spend > 0)
            & (spend > floor * (1 + 1e-6))
            & ~(capped & (spend >= t["upper"] * (1 - 1e-6)))
        )


@dataclass(frozen=True)
class _Cells:
    """Feasible set per cell (totals over the horizon): 0 or [minimum, upper] when
    ``optional``, else [lower, upper]."""

    lower: np.ndarray
    upper: np.ndarray
    minimum: np.ndarray
    optional: np.ndarray


def _names(source) -> tuple[list[str], list[str]]:
    """Brands and paid channels of a Fit or a PlanResponse."""
    if isinstance(source, PlanResponse):
        return list(source.brands), list(source.channels)
    inputs = getattr(source, "inputs", None)
    if inputs is None:
        raise TypeError(
            f"allocate needs a Fit (seedmodel.fit_mmm) or a PlanResponse, got "
            f"{type(source).__name__}"
        )
    return list(inputs.brands), list(inputs.channels)


def _lookup(spec, brand: str, channel: str):
    """A per-cell setting keyed by ``(brand, channel)`` or by ``channel``."""
    if spec is None:
        return None
    if (brand, channel) in spec:
        return spec[(brand, channel)]
    return spec.get(channel)


def _cells(
    resp: PlanResponse,
    budget: float,
    brand_budgets: Mapping[str, float] | None,
    bounds,
    fixed,
    off,
    min_daily_spend,
    max_change,
) -> _Cells:
    B, C = len(resp.brands), len(resp.channels)
    days = resp.periods * resp.period_days
    current = resp.current * resp.periods
    off = set(off or ())
    lower, upper, minimum = np.zeros((B, C)), np.zeros((B, C)), np.zeros((B, C))
    for b, brand in enumerate(resp.brands):
        cap = budget if brand_budgets is None else float(brand_budgets.get(brand, 0.0))
        for c, channel in enumerate(resp.channels):
            lo, hi = 0.0, min(cap, budget)
            given = _lookup(bounds, brand, channel)
            if given is not None:
                lo, hi = max(lo, float(given[0])), min(hi, float(given[1]))
            if max_change is not None:
                lo = max(lo, (1 - max_change) * current[b, c])
                hi = min(hi, (1 + max_change) * current[b, c])
            value = _lookup(fixed, brand, channel)
            if value is not None:
                lo = hi = float(value)
            if channel in off or (brand, channel) in off:
                lo = hi = 0.0
            if lo > hi + 1e-9:
                raise ValueError(
                    f"plan: brand {brand!r}, channel {channel!r}: no spend satisfies the "
                    f"bounds (lower {lo:,.0f} > upper {hi:,.0f})"
                )
            per_day = _lookup(min_daily_spend, brand, channel)
            minimum[b, c] = 0.0 if per_day is None else float(per_day) * days
            lower[b, c], upper[b, c] = lo, hi
    if not (upper > 0).any():
        raise ArgumentError("plan: every channel is off or capped at 0; there is nothing to plan")
    optional = (lower <= 0) & (minimum > 0)
    forced = (lower > 0) & (minimum > upper + 1e-9)
    if forced.any():
        b, c = np.argwhere(forced)[0]
        raise ValueError(
            f"plan: brand {resp.brands[b]!r}, channel {resp.channels[c]!r} must be live but "
            f"its upper bound {upper[b, c]:,.0f} is below the programme minimum "
            f"{minimum[b, c]:,.0f}"
        )
    # a cell whose minimum exceeds its upper bound can only be off
    upper = np.where(optional & (minimum > upper), 0.0, upper)
    lower = np.where(~optional, np.maximum(lower, np.where(lower > 0, minimum, 0.0)), lower)
    if lower.sum() > budget + _slack(budget):
        raise ValueError(
            f"plan: the lower bounds add up to {lower.sum():,.0f} > budget {budget:,.0f}"
        )
    return _Cells(lower, upper, minimum, optional & (upper > 0))


def _slack(budget: float) -> float:
    """How far cells may add up over ``budget`` and still be within it: a plan solved to the
    solver's tolerance and written to file can exceed its budget by a few parts in 10^7."""
    return 1e-6 * max(abs(budget), 1.0)


def _budget_rows(resp: PlanResponse, budget: float, brand_budgets) -> tuple[np.ndarray, np.ndarray]:
    """Linear budget constraints ``A @ spend.ravel() <= ub``."""
    B, C = len(resp.brands), len(resp.channels)
    rows, ub = [np.ones(B * C)], [budget]
    if brand_budgets is not None:
        for b, brand in enumerate(resp.brands):
            row = np.zeros((B, C))
            row[b] = 1.0
            rows.append(row.ravel())
            ub.append(float(brand_budgets.get(brand, 0.0)))
    return np.array(rows), np.array(ub)


def _mean_curves(resp: PlanResponse, grids: list[np.ndarray], draws: np.ndarray) -> list:
    """Each cell's posterior-mean response on its grid (cells in brand-major order), on up
    to :data:`CURVE_THREADS` threads: NumPy lets go of the GIL on arrays this large, and
    each cell's numbers are the same whichever thread computes them."""
    C = len(resp.channels)

    def curve(i: int) -> np.ndarray:
        b, c = divmod(i, C)
        return resp.mean_curve(b, c, grids[i] / resp.periods, draws)

    threads = min(CURVE_THREADS, os.cpu_count() or 1, len(grids))
    if threads <= 1:
        return [curve(i) for i in range(len(grids))]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(curve, range(len(grids))))


def _milp(
    resp: PlanResponse,
    grids: list[np.ndarray],
    lower: np.ndarray,
    upper: np.ndarray,
    semi: np.ndarray,
    A: np.ndarray,
    ub: np.ndarray,
    draws: np.ndarray,
) -> np.ndarray:
    """Maximise the piecewise-linear posterior-mean response on ``grids`` (per cell,
    breakpoints from 0) subject to the budget rows; cell spend within [lower, upper], or 0
    where ``semi`` (semi-continuous). Returns (B, C) spend.

    A cell's spend is the sum of its segments' fills. Where the response is concave (Hill
    and logistic curves) the best plan fills each segment before the next by itself; where
    it is not (an S-shaped curve, a Hill slope above 1), binaries make it so (the
    incremental formulation of a piecewise-linear function), or the programme would take a
    curve's steep middle without paying for its flat start.
    """
    B, C = len(resp.brands), len(resp.channels)
    n = B * C
    steps, slopes, ordered = [], [], []
    for grid, f in zip(grids, _mean_curves(resp, grids, draws), strict=True):
        step = np.diff(grid)
        slope = np.diff(f) / np.where(step > 0, step, 1.0)
        concave = bool(
            np.all(np.diff(slope) <= CONCAVE_TOL * max(np.abs(slope).max(initial=0.0), 1e-300))
        )
        steps.append(step)
        slopes.append(np.minimum.accumulate(slope) if concave else slope)
        ordered.append(not concave)
    seg = np.cumsum([0] + [len(p) for p in steps])
    m = seg[-1]
    # binaries z_k per non-concave cell: segment k is full if z_k, segment k + 1 empty unless
    pairs = [
        (seg[i] + k, seg[i] + k + 1)
        for i in range(n)
        if ordered[i]
        for k in range(len(steps[i]) - 1)
    ]
    nz = len(pairs)
    scale = max(np.abs(np.concatenate(slopes)).max(), 1e-12)
    unit = max(ub.max(), 1e-12)  # spend in units of the budget: HiGHS wants numbers near 1
    step_all = np.concatenate(steps) / unit
    cost = np.r_[np.zeros(n), -np.concatenate(slopes) / scale, np.zeros(nz)]
    hi = np.r_[upper.ravel() / unit, step_all, np.ones(nz)]
    lo = np.minimum(np.r_[lower.ravel() / unit, np.zeros(m + nz)], hi)
    integrality = np.r_[
        np.where(semi.ravel(), 2, 0), np.zeros(m, dtype=int), np.ones(nz, dtype=int)
    ]
    rows = np.repeat(np.arange(n), np.diff(seg))
    link = np.zeros((n, n + m + nz))
    link[np.arange(n), np.arange(n)] = 1.0
    link[rows, n + np.arange(m)] = -1.0
    constraints = [
        LinearConstraint(link, 0.0, 0.0),
        LinearConstraint(np.c_[A, np.zeros((len(A), m + nz))], -np.inf, ub / unit),
    ]
    if nz:
        order = np.zeros((2 * nz, n + m + nz))
        for r, (k, k1) in enumerate(pairs):
            order[2 * r, n + m + r], order[2 * r, n + k] = step_all[k], -1.0  # z_k -> k full
            order[2 * r + 1, n + k1], order[2 * r + 1, n + m + r] = 1.0, -step_all[k1]
        constraints.append(LinearConstraint(order, -np.inf, 0.0))
    result = milp(
        cost * unit,
        integrality=integrality,
        bounds=Bounds(lo, hi),
        constraints=constraints,
        options={"mip_rel_gap": 1e-6},
    )
    if result.x is None:
        raise ValueError(f"plan: no feasible allocation ({result.message})")
    return np.clip(result.x[:n].reshape(B, C) * unit, 0.0, None)


def _mean_optimum(resp: PlanResponse, cells: _Cells, A: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """The posterior-mean optimum in two MILPs: a coarse grid over each cell's whole range
    (a subset of draws) decides which cells are live and roughly how much; a fine grid
    around that (all draws) settles the amounts."""
    S = resp.n_draws
    minimum, upper = cells.minimum.ravel(), cells.upper.ravel()
    first = np.where(cells.optional.ravel(), minimum, cells.lower.ravel())
    grids = []
    for i in range(len(upper)):
        grid = np.linspace(0.0, upper[i], GRID + 1)
        extra = [v for v in (minimum[i], cells.lower.ravel()[i]) if 0 < v < upper[i]]
        grids.append(np.unique(np.r_[grid, extra]))
    coarse = np.linspace(0, S - 1, min(S, MILP_DRAWS)).astype(int)
    start = _milp(resp, grids, first, upper, cells.optional.ravel(), A, ub, coarse).ravel()

    # refine: +-2 coarse steps around the first answer; cells it left off stay off when the
    # programme rule applies (0 or at least the minimum), else may take a little
    width = 2.0 * upper / GRID
    live = start > 0
    lo = np.where(live, np.maximum(first, start - width), 0.0)
    hi = np.where(
        live,
        np.minimum(upper, start + width),
        np.where(cells.optional.ravel(), 0.0, np.minimum(upper, width)),
    )
    lo = np.minimum(lo, hi)
    fine = []
    for i in range(len(upper)):
        points = [0.0, lo[i], hi[i]] + ([minimum[i]] if live[i] and minimum[i] > 0 else [])
        fine.append(np.unique(np.r_[points, np.linspace(lo[i], hi[i], GRID + 1)]))
    semi = cells.optional.ravel() & live
    result = _milp(resp, fine, lo, hi, semi, A, ub, np.arange(S))
    return result


def _worst(draws: np.ndarray, alpha: float) -> np.ndarray:
    """Positions of the worst ``alpha`` share of ``draws`` (at least one): the tail whose
    mean is the CVaR."""
    k = max(1, int(np.ceil(alpha * len(draws))))
    return np.argsort(draws)[:k]


def _negative_cvar(resp: PlanResponse, alpha: float):
    """Minus the CVaR (mean of the worst ``alpha`` share of draws) of a (B, C) plan's total
    incremental GMV, and its gradient by each cell's total spend."""
    N = resp.periods

    def f(total: np.ndarray) -> tuple[float, np.ndarray]:
        draws, grad = resp.total_draws(total / N, gradient=True)
        worst = _worst(draws, alpha)
        return -draws[worst].mean(), -grad[worst].mean(axis=0) / N

    return f


def _polish(
    resp: PlanResponse,
    start: np.ndarray,
    cells: _Cells,
    A: np.ndarray,
    ub: np.ndarray,
    alpha: float,
) -> np.ndarray:
    """Step 3: SLSQP on the exact objective (CVaR) from the mean optimum, live cells fixed."""
    shape = start.shape
    live = (start > 0).ravel() | ~cells.optional.ravel()
    live &= cells.upper.ravel() > 0
    if not live.any():
        return np.zeros(shape)
    lo = np.where(cells.optional.ravel(), cells.minimum.ravel(), cells.lower.ravel())[live]
    hi = cells.upper.ravel()[live]
    scale = max(ub.max(), 1.0)
    f = _negative_cvar(resp, alpha)
    at_start = f(start)[0]
    f0 = abs(at_start) or 1.0

    def fun(v: np.ndarray) -> tuple[float, np.ndarray]:
        full = np.zeros(shape).ravel()
        full[live] = v * scale
        value, grad = f(full.reshape(shape))
        return value / f0, grad.ravel()[live] * scale / f0

    x0 = np.clip(start.ravel()[live] / scale, lo / scale, hi / scale)
    result = minimize(
        fun,
        x0,
        jac=True,
        method="SLSQP",
        bounds=Bounds(lo / scale, hi / scale),
        constraints=[LinearConstraint(A[:, live], -np.inf, ub / scale)],
        options={"maxiter": 100, "ftol": 1e-7},
    )
    out = np.zeros(shape).ravel()
    out[live] = np.clip(result.x, lo / scale, hi / scale) * scale
    candidate = out.reshape(shape)
    # keep the better of the MILP's plan and the polished one (SLSQP may stop early)
    if _feasible(candidate, cells, A, ub) and f(candidate)[0] <= at_start:
        return candidate
    return start


def _feasible(x: np.ndarray, cells: _Cells, A: np.ndarray, ub: np.ndarray) -> bool:
    """Whether a (B, C) plan keeps the budget rows (to 1e-9 of each, plus a millionth of a
    yuan) and every cell's bounds and minimum (to a millionth of the largest row)."""
    x, tol = x.ravel(), 1e-6 * max(ub.max(), 1.0)
    lower, upper = cells.lower.ravel(), cells.upper.ravel()
    minimum, optional = cells.minimum.ravel(), cells.optional.ravel()
    inside = (x >= np.where(optional, minimum, lower) - tol) & (x <= upper + tol)
    rows = A @ x <= ub * (1 + 1e-9) + 1e-6
    return bool(rows.all() and (inside | (optional & (x == 0))).all())


def _feasible_split(split: np.ndarray, best: np.ndarray, budget: float, cells: _Cells):
    """Today's split made to keep each cell's minimum (the programme's ¥5,000 a day): a cell
    spending less than its minimum goes to 0 where ``best`` turns it off and to its minimum
    where ``best`` keeps it, and the other cells share what is left of ``budget`` in
    today's proportions, within their bounds."""
    x = split.ravel().copy()
    optional, minimum = cells.optional.ravel(), cells.minimum.ravel()
    short = optional & (x > 0) & (x < minimum)
    x[short] = np.where(best.ravel()[short] > 0, minimum[short], 0.0)
    rest = ~short & (x > 0)
    if short.any() and x[rest].sum() > 0:
        x[rest] *= max(budget - x[short].sum(), 0.0) / x[rest].sum()
    return np.clip(x, 0.0, cells.upper.ravel()).reshape(split.shape)


def _toward_sure_gain(
    resp: PlanResponse,
    best: np.ndarray,
    budget: float,
    cells: _Cells,
    A: np.ndarray,
    ub: np.ndarray,
    alpha: float,
) -> tuple[np.ndarray, float]:
    """Step 3 for ``gain_cvar``: how far to move from today's split toward the mean optimum
    ``best``. Of :data:`GAIN_STEPS` + 1 evenly spaced feasible points on the way (today's
    split scaled to ``budget``, then towards ``best``), the one whose gain over today's split
    has the highest CVaR: the mean of the worst ``alpha`` share of posterior draws of the
    difference. Today's split gains exactly 0 in every draw, so the plan moves only as far
    as even the posterior's unlucky draws gain on average; ties keep the plan nearer today.

    Returns the plan and the share of the way it moved (1 when nothing was spent today).
    """
    N = resp.periods
    today = resp.current * N
    if today.sum() <= 0:
        return best, 1.0
    split = today * (budget / today.sum())
    base = resp.total_draws(split / N)
    start = _feasible_split(split, best, budget, cells)
    chosen, moved, top = best, 1.0, -np.inf
    for share in np.linspace(0.0, 1.0, GAIN_STEPS + 1):
        x = start + share * (best - start)
        if share < 1.0 and not _feasible(x, cells, A, ub):
            continue
        gain = resp.total_draws(x / N) - base
        value = float(gain[_worst(gain, alpha)].mean())
        if value > top:
            chosen, moved, top = (best if share == 1.0 else x), float(share), value
    return chosen, moved


def allocate(
    source,
    budget: float,
    *,
    days: int = 90,
    brand_budgets: Mapping[str, float] | None = None,
    bounds: Mapping | None = None,
    fixed: Mapping | None = None,
    off: Iterable = (),
    min_daily_spend: Mapping | None = None,
    max_change: float | None = None,
    objective: str = "mean",
    alpha: float = 0.1,
    margins: bool = False,
    level: float = 0.9,
) -> Allocation:
    """Recommend how to spend ``budget`` over the ``days`` after the data.

    Parameters
    ----------
    source : Fit or PlanResponse
        A fitted SeedingMMM, or its :func:`~seedmodel.plan.response.plan_response`.
    budget : float
        Total spend (CNY) over all brands and channels in the plan; an upper limit (with
        GMV as the objective it is spent in full unless the bounds stop it).
    days : int
        Horizon (ignored when ``source`` is already a PlanResponse).
    brand_budgets : dict, optional
        Brand -> its own cap over the horizon, on top of ``budget``.
    bounds : dict, optional
        ``channel`` or ``(brand, channel)`` -> ``(lower, upper)`` spend over the horizon.
    fixed : dict, optional
        ``channel`` or ``(brand, channel)`` -> spend that may not change.
    off : iterable
        Channels, or ``(brand, channel)`` pairs, that get nothing.
    min_daily_spend : dict, optional
        ``channel`` or ``(brand, channel)`` -> the least a live day may cost; the channel is
        then either off or at least that much every day. Default ¥5,000 for link channels
        (红猫 / 红京's programme rule), in the data's currency unit: pass ``0.5`` for data in
        万元, ``{}`` for no rule.
    max_change : float, optional
        Each cell within ``(1 ± max_change) x`` its current spend (0.3 = ±30%).
    objective : {"mean", "cvar", "gain_cvar"}
        Maximise the posterior mean of total incremental GMV; or its CVaR, the mean of the
        worst ``alpha`` share of posterior draws (risk-averse); or the CVaR of the *gain
        over today's split* (scaled to ``budget``), found on the way from today's split to
        the mean optimum: the plan then moves money only as far as the posterior is sure it
        helps. ``summary["moved"]`` says how far it went (0 keeps today's split, 1 is the
        mean optimum), and ``mean_optimum_gain`` / ``mean_optimum_prob_better`` what the
        mean optimum would have gained over today's split and how likely it beats it.
    alpha : float
        Tail share for ``cvar`` and ``gain_cvar``.
    margins : bool
        Maximise gross profit (GMV x brand margin) instead of GMV.
    level : float
        Interval level.

    Returns
    -------
    Allocation

    Examples
    --------
    With ``fit`` from :func:`seedmodel.fit_mmm` (minutes, so not run as a doctest)::

        plan = allocate(fit, budget=3_000_000, days=90, max_change=0.5)
        plan.table, plan.summary["prob_better"]
    """
    if objective not in OBJECTIVES:
        raise ArgumentError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    budget = check_number("budget", budget)
    if max_change is not None:
        max_change = check_number("max_change", max_change, inclusive=True)
    check_number("alpha", alpha, high=1.0)
    check_number("level", level, high=1.0)
    brands, channels = _names(source)
    for name, given in (("off", off), ("bounds", bounds), ("fixed", fixed)):
        check_cells(name, given, brands, channels)
    check_cells("min_daily_spend", min_daily_spend, brands, channels)
    if brand_budgets is not None:
        unknown = sorted(set(brand_budgets) - set(brands))
        if unknown:
            raise ArgumentError(f"brand_budgets: unknown brand {unknown[0]!r}; brands: {brands}")
    resp = (
        source
        if isinstance(source, PlanResponse)
        else plan_response(source, check_days(days), margins=margins)
    )
    if min_daily_spend is None:
        min_daily_spend = {c: PROGRAMME_MIN_DAILY_SPEND for c in resp.link_channels}
    cells = _cells(resp, budget, brand_budgets, bounds, fixed, off, min_daily_spend, max_change)
    # cells fixed at the budget to the solver's tolerance (a plan read back) stay feasible
    A, ub = _budget_rows(resp, max(budget, cells.lower.sum()), brand_budgets)
    recommended = _mean_optimum(resp, cells, A, ub)
    extra: dict[str, float] = {}
    if objective == "cvar":
        recommended = _polish(resp, recommended, cells, A, ub, alpha)
    elif objective == "gain_cvar":
        best = recommended
        recommended, moved = _toward_sure_gain(resp, best, budget, cells, A, ub, alpha)
        N = resp.periods
        gain = resp.total_draws(best / N) - resp.total_draws(resp.current)
        # how far it moved, and what the mean optimum it stopped short of promised
        extra = {
            "moved": moved,
            "mean_optimum_gain": float(gain.mean()),
            "mean_optimum_prob_better": float((gain > 0).mean()),
        }
    return _summarise(resp, recommended, cells, budget, objective, alpha, level, extra)


def _summarise(
    resp: PlanResponse,
    recommended: np.ndarray,
    cells: _Cells,
    budget: float,
    objective: str,
    alpha: float,
    level: float,
    extra: dict[str, float],
) -> Allocation:
    N = resp.periods
    current = resp.current * N
    spend = resp.cells(recommended)
    rec, g_rec = resp.gmv(spend / N, gradient=True)  # (sample, brand, channel, platform)
    cur, g_cur = resp.gmv(resp.cells(current) / N, gradient=True)
    tot_rec, tot_cur = rec.sum("platform"), cur.sum("platform")
    minimum = resp.cells(cells.minimum)
    at_minimum = resp.gmv(minimum / N).sum("platform").mean("sample")
    with np.errstate(divide="ignore", invalid="ignore"):
        parts = [
            resp.cells(current, "current_spend"),
            spend.rename("recommended_spend"),
            summarise(tot_rec, "expected_incremental_gmv", level),
            summarise(tot_cur, "current_incremental_gmv", level),
            (tot_rec.mean("sample") / spend).where(spend > 0).rename("recommended_roi"),
            (g_rec.sum("platform").mean("sample") / N).rename("recommended_mroi"),
            (g_cur.sum("platform").mean("sample") / N).rename("current_mroi"),
            (spend > 0).rename("live"),
            minimum.rename("min_spend"),
            resp.cells(cells.lower, "lower"),
            resp.cells(cells.upper, "upper"),
            *(
                rec.sel(platform=p, drop=True)
                .mean("sample")
                .rename(f"expected_incremental_gmv_{p}")
                for p in resp.platforms
            ),
            # what the programme's least spend would return a yuan: why a cell whose first
            # yuan returns more than the live cells' next one can still be off
            (at_minimum / minimum).where(minimum > 0).rename("min_spend_roi"),
        ]
    table = xr.merge(parts).to_dataframe(dim_order=["brand", "channel"]).reset_index()
    draws_rec = tot_rec.sum(["brand", "channel"]).to_numpy()
    draws_cur = tot_cur.sum(["brand", "channel"]).to_numpy()
    gain = draws_rec - draws_cur
    summary = {
        "budget": float(budget),
        "days": int(N * resp.period_days),
        "objective": objective if objective == "mean" else f"{objective}{alpha:g}",
        "quantity": "gross_profit" if (resp.margin != 1).any() else "gmv",
        "recommended_spend": float(recommended.sum()),
        "current_spend": float(current.sum()),
        **mean_interval("recommended_incremental_gmv", draws_rec, level),
        **mean_interval("current_incremental_gmv", draws_cur, level),
        **mean_interval("gain", gain, level),
        "prob_better": float((gain > 0).mean()),
        "level": level,
        **extra,  # what the objective adds (gain_cvar: how far it moved)
    }
    return Allocation(
        table=table,
        summary=summary,
        recommended=recommended,
        current=current,
        draws_recommended=draws_rec,
        draws_current=draws_cur,
    )


def frontier(
    source,
    budgets: Iterable[float],
    *,
    days: int = 90,
    made: Iterable[Allocation] = (),
    **kwargs,
) -> pd.DataFrame:
    """Expected incremental GMV of the best plan at each total budget.

    Parameters
    ----------
    source : Fit or PlanResponse
        As for :func:`allocate`.
    budgets : iterable of float
        Total budgets over the horizon.
    days : int
        Horizon.
    made : iterable of Allocation
        Plans already made from ``source`` with the same constraints and objective: a
        budget one of them was made for is taken from it, not allocated again.
    **kwargs
        Constraints and objective, as for :func:`allocate`.

    Returns
    -------
    DataFrame
        budget, spend, expected_incremental_gmv (with _lo, _hi), roi, marginal_roi (between
        this budget and the previous one), prob_better (than the current plan).
    """
    resp = (
        source
        if isinstance(source, PlanResponse)
        else plan_response(source, days, margins=kwargs.get("margins", False))
    )
    known = {float(p.summary["budget"]): p for p in made}
    rows = []
    for budget in sorted(float(b) for b in budgets):
        s = (known.get(budget) or allocate(resp, budget, **kwargs)).summary
        rows.append(
            {
                "budget": budget,
                "spend": s["recommended_spend"],
                "expected_incremental_gmv": s["recommended_incremental_gmv"],
                "expected_incremental_gmv_lo": s["recommended_incremental_gmv_lo"],
                "expected_incremental_gmv_hi": s["recommended_incremental_gmv_hi"],
                "prob_better": s["prob_better"],
            }
        )
    out = pd.DataFrame(rows)
    out["roi"] = out["expected_incremental_gmv"] / out["spend"].where(out["spend"] > 0)
    out["marginal_roi"] = out["expected_incremental_gmv"].diff() / out["spend"].diff()
    return out
