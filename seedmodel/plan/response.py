"""Incremental GMV of a future spend plan, per posterior draw, in closed form.

A plan spends ``s`` yuan per period on brand ``b`` x channel ``c`` for the ``N`` periods after
the data end. Its channel input on each later period is the carryover of past spend ``p(t)``
plus ``s`` times the plan's own carryover per yuan ``u(t)``; the saturation of that sum, minus
the saturation of ``p(t)`` alone, times the channel's effect on each platform, summed from
the plan's first period to the end of the carryover tail, is the plan's incremental GMV
(docs/contract.md section 4: against spending nothing in those periods, carryover included).

Everything is an array over posterior draws, so the optimizer evaluates a plan, and its
gradient, for all draws at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xarray as xr

from seedmodel.transforms import lag_matrix
from seedmodel.transforms.components import Saturation, saturation_from

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
    kinds : tuple of Saturation or str
        Saturation component per channel (or its registered name, e.g. ``"hill"``).
    shapes : tuple of dict, optional
        Per channel, the saturation's further parameters (name -> (S,) draws); empty for
        Hill and logistic (the default).
    current : ndarray
        (B, C) spend per period over the last N periods of the data (the status quo).
    margin : ndarray
        (B,) multiplier applied to ``value`` (1 for GMV).
    typical : ndarray
        (B, C) mean spend per period on the data's live periods.
    link_channels : tuple of str
        Channels with link clicks (红猫 / 红京): the ¥5,000-a-day programme rule applies.
    weight : ndarray or None
        (C, L) how many periods each column of ``past`` and ``unit`` stands for (None: one
        each). Periods of a plan after its carryover has built up and before it ends are
        identical; one column with their count stands for all of them.
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
    kinds: tuple[Saturation | str, ...]
    current: np.ndarray
    margin: np.ndarray
    typical: np.ndarray
    link_channels: tuple[str, ...] = ()
    weight: np.ndarray | None = None
    shapes: tuple[dict[str, np.ndarray], ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", tuple(saturation_from(k) for k in self.kinds))
        if self.shapes is None:
            object.__setattr__(self, "shapes", tuple({} for _ in self.kinds))

    @property
    def n_draws(self) -> int:
        """S, posterior draws."""
        return self.half.shape[-1]

    @cached_property
    def _weight(self) -> np.ndarray:
        """(C, 1, L) how many periods each column of ``past`` / ``unit`` stands for."""
        w = (
            np.ones((len(self.channels), self.past.shape[-1]))
            if self.weight is None
            else self.weight
        )
        return w[:, None, :]

    @cached_property
    def _ncols(self) -> tuple[int, ...]:
        """Per channel, the columns up to the last that stands for any period."""
        w = self._weight[:, 0, :]
        return tuple(int(np.flatnonzero(row > 0).max(initial=-1)) + 1 for row in w)

    @cached_property
    def _base(self) -> np.ndarray:
        """(B, C, S) saturation of the past carryover alone, weighted and summed."""
        out = np.zeros(self.half.shape)
        for c in range(len(self.channels)):
            out[:, c] = (
                self._sat(c, self.past[:, c], self.half[:, c, :, None]) * self._weight[c]
            ).sum(-1)
        return out

    @cached_property
    def _value_total(self) -> np.ndarray:
        """(B, C, S) value summed over platforms."""
        return self.value.sum(axis=-1)

    def _shape(self, c: int, draws=slice(None)) -> dict[str, np.ndarray]:
        """Channel ``c``'s further saturation parameters on ``draws``, shaped (S, 1)."""
        return {k: v[draws, None] for k, v in self.shapes[c].items()}

    def _sat(self, c: int, a: np.ndarray, h: np.ndarray, draws=slice(None)) -> np.ndarray:
        return self.kinds[c](a, h, **self._shape(c, draws))

    def _sat_and_slope(
        self, c: int, a: np.ndarray, h: np.ndarray, draws=slice(None)
    ) -> tuple[np.ndarray, np.ndarray]:
        return self.kinds[c].with_slope(a, h, **self._shape(c, draws))

    def _gain(
        self, c: int, brands, levels: np.ndarray, gradient: bool, draws=slice(None)
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Saturation gained over the horizon by spending ``levels`` per period, (K, S).

        ``brands`` is one brand position (levels are alternatives for it) or an array of K
        positions (one level each)."""
        k = self._ncols[c]  # later columns stand for no period
        p, u = self.past[brands, c][..., draws, :k], self.unit[brands, c][..., draws, :k]
        h = self.half[brands, c][..., draws, None]
        base = self._base[brands, c][..., draws]
        w = self._weight[c][:, :k]
        a = p + levels[..., None, None] * u
        if gradient:
            sat, slope = self._sat_and_slope(c, a, h, draws)
            slope = (slope * u * w).sum(-1)
        else:
            sat, slope = self._sat(c, a, h, draws), None
        # no spend gains exactly nothing: the sum over the horizon and the base's sum differ
        # in their last bits (1e-13 of GMV in a plan.csv cell at ¥0)
        return np.where((levels == 0)[..., None], 0.0, (sat * w).sum(-1) - base), slope

    def mean_curve(self, b: int, c: int, per_period: np.ndarray, draws: np.ndarray) -> np.ndarray:
        """Posterior-mean incremental GMV (all platforms) at each level, from ``draws``."""
        levels = np.asarray(per_period, dtype=float)
        gain, _ = self._gain(c, b, levels, False, draws)
        return (gain * self._value_total[b, c][draws]).mean(axis=1)

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
        levels = np.atleast_1d(s)  # (K,)
        gain, slope = self._gain(c, b, levels, gradient)
        out = gain[..., None] * self.value[b, c][None]  # (K, S, P)
        if not gradient:
            return out if s.ndim else out[0]
        slope = slope[..., None] * self.value[b, c][None]
        return (out, slope) if s.ndim else (out[0], slope[0])

    def gmv(
        self, per_period: xr.DataArray, *, gradient: bool = False
    ) -> xr.DataArray | tuple[xr.DataArray, xr.DataArray]:
        """Incremental GMV per draw and platform of spend levels given by label.

        Parameters
        ----------
        per_period : xarray.DataArray
            Spend per plan period (CNY), with dimensions ``brand`` and ``channel`` (labelled
            with this response's names, any subset) and any others (e.g. ``multiplier``:
            alternative levels of each cell).
        gradient : bool
            Also return d(GMV)/d(spend per period).

        Returns
        -------
        xarray.DataArray
            (sample, brand, channel, ..., platform); with ``gradient`` a pair.
        """
        spend = per_period.transpose("brand", "channel", ...)
        levels = spend.to_numpy()
        other = spend.shape[2:]
        S, P = self.n_draws, len(self.platforms)
        value = np.empty((*spend.shape, S, P))
        slope = np.empty_like(value) if gradient else None
        b_of = {name: b for b, name in enumerate(self.brands)}
        c_of = {name: c for c, name in enumerate(self.channels)}
        for i, brand in enumerate(spend["brand"].values):
            for j, channel in enumerate(spend["channel"].values):
                cell = levels[i, j].ravel()
                out = self.cell_draws(b_of[brand], c_of[channel], cell, gradient=gradient)
                v, g = out if gradient else (out, None)
                value[i, j] = v.reshape(*other, S, P)
                if gradient:
                    slope[i, j] = g.reshape(*other, S, P)
        dims = (*spend.dims, "sample", "platform")
        coords = {**spend.coords, "platform": list(self.platforms)}
        order = ("sample", *spend.dims, "platform")
        labelled = [
            xr.DataArray(a, dims=dims, coords=coords).transpose(*order)
            for a in ((value, slope) if gradient else (value,))
        ]
        return tuple(labelled) if gradient else labelled[0]

    def cells(self, values: np.ndarray, name: str | None = None) -> xr.DataArray:
        """A (B, C) array labelled with this response's brands and channels."""
        return xr.DataArray(
            values,
            dims=("brand", "channel"),
            coords={"brand": list(self.brands), "channel": list(self.channels)},
            name=name,
        )

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
        for c in range(C):
            brands = np.flatnonzero(spend[:, c] > 0) if not gradient else np.arange(B)
            if len(brands) == 0:
                continue
            gain, slope = self._gain(c, brands, spend[brands, c], gradient)
            total += (gain * self._value_total[brands, c]).sum(axis=0)
            if gradient:
                grad[:, brands, c] = (slope * self._value_total[brands, c]).T
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
    from seedmodel.analysis.posterior import MediaPosterior
    from seedmodel.plan.arguments import check_days
    from seedmodel.schema.errors import ArgumentError

    inp = fit.inputs
    N = max(1, round(check_days(days) / inp.period_days))
    T = inp.n_periods
    B, C = len(inp.brands), len(inp.channels)
    margin = np.ones(B)
    if margins:
        brands = fit.data.brands
        if "margin" not in brands or brands["margin"].isna().any():
            raise ValueError("planning for gross profit needs a margin for every brand")
        margin = brands.set_index("brand").loc[list(inp.brands), "margin"].to_numpy(float)
    # one column per distinct period: the build-up, one for the plateau, the tail
    columns = {c: distinct_periods(N, inp.max_lag[name]) for c, name in enumerate(inp.channels)}
    L = max(len(idx) for idx, _ in columns.values())
    post = MediaPosterior.from_fit(fit)
    S = post.draws.sizes["sample"]
    past = np.zeros((B, C, S, L))
    unit = np.zeros((B, C, S, L))
    weight = np.zeros((C, L))
    half = np.zeros((B, C, S))
    value = np.zeros((B, C, S, len(inp.platforms)))
    # input per yuan per draw: the first stage's forecast (exactly 1 for spend channels)
    per_yuan = inp.engagement_yield(N).draws(S, fit.random_seed)
    for c, channel in enumerate(inp.channels):
        weights = post.weights(channel).transpose("sample", "lag").to_numpy()  # (S, Lc + 1)
        h = post.draws["half"].sel(channel=channel).transpose("sample", "brand").to_numpy()
        beta = post.draws["beta"].sel(channel=channel).transpose("sample", "brand", "platform")
        beta = beta.to_numpy()
        Lc = weights.shape[1] - 1
        idx, count = columns[c]
        k = len(idx)
        weight[c, :k] = count
        per_input = plan_carryover(weights, N, idx)  # (S, k)
        for b in range(B):
            # the data's spend carried into the plan's periods
            x = np.concatenate([inp.x[b, c, :T], np.zeros(N + Lc + 1)])
            past[b, c, :, :k] = weights @ lag_matrix(x, Lc)[T + idx].T
            unit[b, c, :, :k] = per_input * (per_yuan[b, c] / inp.input_scale[b, c])[:, None]
            half[b, c] = h[:, b]
            # a store not open at the end of the data sells nothing in the plan either
            open_ = inp.live[b, :, T - 1]
            value[b, c] = beta[:, b, :] * (inp.gmv_scale[b] * open_)[None, :] * margin[b]
    current = inp.spend[:, :, T - N : T].mean(axis=-1) if N <= T else None
    if current is None:
        raise ArgumentError(f"days: the plan ({N} periods) is longer than the data ({T} periods)")
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
        kinds=tuple(post.saturation[c] for c in inp.channels),
        shapes=tuple({k: v.to_numpy() for k, v in post.shape(c).items()} for c in inp.channels),
        current=current,
        margin=margin,
        typical=inp.spend_scale.copy(),
        weight=weight,
        link_channels=tuple(c for c in inp.channels if c in fit.data.link_channels),
    )


def distinct_periods(n: int, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Plan periods (from its start) that differ, and how many periods each stands for.

    A constant spend over ``n`` periods with carryover up to ``lag`` periods: the first
    ``lag`` periods build up (and still carry the data's own spend), periods ``lag .. n - 1``
    are all alike, and ``n .. n + lag - 1`` are the tail.
    """
    if n <= lag:
        idx = np.arange(n + lag)
        return idx, np.ones(len(idx))
    idx = np.r_[np.arange(lag), lag, np.arange(n, n + lag)]
    count = np.r_[np.ones(lag), n - lag, np.ones(lag)]
    return idx, count


def plan_carryover(weights: np.ndarray, n: int, idx: np.ndarray) -> np.ndarray:
    """Carryover into plan periods ``idx`` (from :func:`distinct_periods`) of one unit of
    input in each of the plan's ``n`` periods.

    Parameters
    ----------
    weights : ndarray, shape (..., lag + 1)
        Lag weights ``w_0 .. w_lag``.
    n : int
        Plan periods.
    idx : ndarray of int
        Plan periods to evaluate.

    Returns
    -------
    ndarray, shape (..., len(idx))
        ``W(min(i, lag)) - W(i - n)`` with ``W(j) = w_0 + ... + w_j`` (and ``W = 0`` before the
        plan): the weights of the plan's periods that reach period ``i``.
    """
    lag = weights.shape[-1] - 1
    cum = np.cumsum(weights, axis=-1)
    hi = cum[..., np.minimum(idx, lag)]
    lo = np.where(idx >= n, cum[..., np.clip(idx - n, 0, lag)], 0.0)
    return hi - lo
