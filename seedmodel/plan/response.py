"""Incremental GMV of a future spend plan, per posterior draw, in closed form.

A plan spends ``s`` yuan per period on brand ``b`` x channel ``c`` for the ``N`` periods after
the data end. Its channel input on each later period is the carryover of past spend ``p(t)``
plus ``s`` times the plan's own carryover per yuan ``u(t)``; the saturation of that sum, minus
the saturation of ``p(t)`` alone, times the channel's effect on each platform, summed from
the plan's first period to the end of the carryover tail, is the plan's incremental GMV
(CONTRACT.md section 4: against spending nothing in those periods, carryover included).

Everything is an array over posterior draws, so the optimizer evaluates a plan, and its
gradient, for all draws at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seedmodel.models.mmm.response import saturate
from seedmodel.transforms import lag_matrix

__all__ = ["PlanResponse", "plan_response"]


@dataclass(frozen=True, eq=False)
class PlanResponse:
    """Response of incremental GMV to a constant spend per period over a planning horizon.

    Shapes: B brands, C channels, P platforms, S posterior draws, L periods from the plan's
    start to the end of its carryover tail.

    Attributes
    ----------
    brands, channels, platforms : tuple of str
        Axis labels.
    periods : int
        N, periods in the plan.
    period_days : int
        Days per period (1 daily, 7 weekly).
    past : ndarray
        (B, C, S, L) carryover of the data's spend into the plan's periods, in the channel's
        input units.
    unit : ndarray
        (B, C, S, L) input added on each period per yuan of spend per plan period.
    half : ndarray
        (B, C, S) saturation scale in input units.
    value : ndarray
        (B, C, S, P) GMV (CNY, summed per period) at full saturation, per platform; times the
        brand's margin when planning for gross profit.
    kinds : tuple of str
        Saturation per channel (``hill`` or ``logistic``).
    current : ndarray
        (B, C) spend per period over the last N periods of the data (the status quo).
    margin : ndarray
        (B,) multiplier applied to ``value`` (1 for GMV).
    typical : ndarray
        (B, C) mean spend per period on the data's live periods.
    link_channels : tuple of str
        Channels with link clicks (红猫 / 红京): the ¥5,000-a-day programme rule applies.
    """

    brands: tuple[str, ...]
    channels: tuple[str, ...]
    platforms: tuple[str, ...]
    periods: int
    period_days: int
    past: np.ndarray
    unit: np.ndarray
    half: np.ndarray
    value: np.ndarray
    kinds: tuple[str, ...]
    current: np.ndarray
    margin: np.ndarray
    typical: np.ndarray
    link_channels: tuple[str, ...] = ()

    @property
    def n_draws(self) -> int:
        """S, posterior draws."""
        return self.half.shape[-1]

    def _saturation(self, c: int, a: np.ndarray, h: np.ndarray) -> np.ndarray:
        kind = self.kinds[c]
        if kind == "hill":
            return a / (a + h)
        if kind == "logistic":
            return np.tanh(a / (2 * h))
        return saturate(kind, a, h)  # raises for unknown kinds

    def _slope(self, c: int, a: np.ndarray, h: np.ndarray) -> np.ndarray:
        if self.kinds[c] == "hill":
            return h / (a + h) ** 2
        return 0.5 / h / np.cosh(a / (2 * h)) ** 2

    def cell_draws(
        self, b: int, c: int, per_period: float | np.ndarray, *, gradient: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """One brand x channel's incremental GMV per draw and platform.

        Parameters
        ----------
        b, c : int
            Brand and channel positions.
        per_period : float or ndarray
            Spend per plan period (CNY); an array (K,) evaluates K levels at once.
        gradient : bool
            Also return d(GMV)/d(spend per period).

        Returns
        -------
        ndarray
            (S, P) for a scalar, (K, S, P) for an array of levels; with ``gradient`` a pair.
        """
        s = np.asarray(per_period, dtype=float)
        levels = np.atleast_1d(s)[:, None, None]  # (K, 1, 1)
        p, u, h = self.past[b, c], self.unit[b, c], self.half[b, c][:, None]
        a = p[None] + levels * u[None]  # (K, S, L)
        gain = (self._saturation(c, a, h) - self._saturation(c, p, h)[None]).sum(axis=-1)
        out = gain[..., None] * self.value[b, c][None]  # (K, S, P)
        if not gradient:
            return out if s.ndim else out[0]
        slope = (self._slope(c, a, h) * u[None]).sum(axis=-1)[..., None] * self.value[b, c][None]
        return (out, slope) if s.ndim else (out[0], slope[0])

    def total_draws(
        self, per_period: np.ndarray, *, gradient: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Incremental GMV over all platforms of a whole plan (B, C) per period, per draw (S,).

        With ``gradient``, also (S, B, C): each draw's derivative by each cell's spend.
        """
        spend = np.asarray(per_period, dtype=float)
        B, C = spend.shape
        total = np.zeros(self.n_draws)
        grad = np.zeros((self.n_draws, B, C)) if gradient else None
        for b in range(B):
            for c in range(C):
                if spend[b, c] <= 0 and not gradient:
                    continue
                if gradient:
                    v, g = self.cell_draws(b, c, spend[b, c], gradient=True)
                    grad[:, b, c] = g.sum(axis=-1)
                else:
                    v = self.cell_draws(b, c, spend[b, c])
                total += v.sum(axis=-1)
        return (total, grad) if gradient else total


def plan_response(fit, days: int = 90, *, margins: bool = False) -> PlanResponse:
    """The plan response of a fitted SeedingMMM over the ``days`` after its data.

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    days : int
        Planning horizon in days (rounded to whole periods on weekly data).
    margins : bool
        Scale GMV by each brand's ``margin`` (from the ``brands`` table) to plan for gross
        profit.

    Returns
    -------
    PlanResponse
    """
    from seedmodel.analysis.roi import channel_draws

    inp = fit.inputs
    N = max(1, round(days / inp.period_days))
    T = inp.n_periods
    B, C = len(inp.brands), len(inp.channels)
    margin = np.ones(B)
    if margins:
        brands = fit.data.brands
        if "margin" not in brands or brands["margin"].isna().any():
            raise ValueError("planning for gross profit needs a margin for every brand")
        margin = brands.set_index("brand").loc[list(inp.brands), "margin"].to_numpy(float)
    Lmax = max(inp.max_lag.values())
    L = N + Lmax
    S = fit.draws("half").shape[0]
    past = np.zeros((B, C, S, L))
    unit = np.zeros((B, C, S, L))
    half = np.zeros((B, C, S))
    value = np.zeros((B, C, S, len(inp.platforms)))
    for c in range(C):
        weights, h, beta = channel_draws(fit, c)  # (S, Lc+1), (S, B), (S, B, P)
        Lc = weights.shape[1] - 1
        cum = np.cumsum(weights, axis=1)  # W(k)
        t = np.arange(L)
        hi = cum[:, np.minimum(t, Lc)]
        lo = np.where(t >= N, cum[:, np.minimum(np.maximum(t - N, 0), Lc)], 0.0)
        per_yuan = hi - lo  # (S, L): plan carryover per unit input per period
        for b in range(B):
            # the data's spend carried into periods T .. T + L - 1
            x = np.concatenate([inp.x[b, c, :T], np.zeros(L)])
            past[b, c] = weights @ lag_matrix(x, Lc)[T:].T
            unit[b, c] = per_yuan / inp.spend_scale[b, c]
            half[b, c] = h[:, b]
            value[b, c] = beta[:, b, :] * inp.gmv_scale[b][None, :] * margin[b]
    current = inp.x[:, :, T - N : T].mean(axis=-1) * inp.spend_scale if N <= T else None
    if current is None:
        raise ValueError(f"the plan ({N} periods) is longer than the data ({T} periods)")
    return PlanResponse(
        brands=inp.brands,
        channels=inp.channels,
        platforms=inp.platforms,
        periods=N,
        period_days=inp.period_days,
        past=past,
        unit=unit,
        half=half,
        value=value,
        kinds=tuple(inp.spec.media[c].saturation for c in inp.channels),
        current=current,
        margin=margin,
        typical=inp.spend_scale.copy(),
        link_channels=tuple(
            c
            for c in inp.channels
            if "clicks" in fit.data.media
            and fit.data.media.loc[fit.data.media["channel"] == c, "clicks"].sum() > 0
        ),
    )
