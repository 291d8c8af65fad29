"""Arrays the MMM needs, built once from a Dataset: scaled spend and GMV, controls, demand
signals, spline basis, lift-test windows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from seedmodel.features import (
    calendar_controls,
    residualize,
    shared_festivals,
    spline_basis,
    standardise,
    without_festivals,
)
from seedmodel.models.mmm.shock_factor import budget_shock_factor
from seedmodel.models.mmm.spec import PROGRAMME_STORES, SeedingMMM
from seedmodel.schema import DataError, Dataset
from seedmodel.schema.tables import INTERACTIONS
from seedmodel.transforms import adstock, geometric_weights, lag_matrix

__all__ = [
    "LiftRow",
    "MMMInputs",
    "ZeroGMVWarning",
    "budget_deviations",
    "build_inputs",
    "gmv_periods",
]


@dataclass(frozen=True)
class LiftRow:
    """One lift test on the model's scale: brand and channel positions, window (periods),
    incremental GMV and its SE divided by the brand's GMV scale, and the lag matrix of the
    spend inside the window."""

    brand: int
    channel: int
    t0: int
    value: float
    se: float
    window_lags: np.ndarray  # (T + H, L + 1)

    def sd(self, transport: float) -> float:
        """The test's standard deviation in the likelihood, on the model's scale: its SE
        and ``transport`` (``SeedingMMM.lift_transport``) times its value, in quadrature."""
        return float(np.hypot(self.se, transport * self.value))


@dataclass(frozen=True, eq=False)
class MMMInputs:
    """Everything the graph and the analysis read. Shapes: B brands, C paid channels,
    P platforms, T periods of data, H periods of tail (no spend, carryover only)."""

    spec: SeedingMMM
    brands: tuple[str, ...]
    channels: tuple[str, ...]
    platforms: tuple[str, ...]
    period_days: int
    max_lag: dict[str, int]  # periods, per channel
    x: np.ndarray  # (B, C, T + H) each channel's input (spend or engagement) / input_scale
    input_scale: np.ndarray  # (B, C) mean input per live period
    spend: np.ndarray  # (B, C, T) spend, CNY
    spend_scale: np.ndarray  # (B, C) mean live spend per period
    y: np.ndarray  # (B, P, T) GMV / gmv_scale
    gmv_scale: np.ndarray  # (B, P) mean GMV per live period
    live: np.ndarray  # (B, P, T + H) bool: the store is open (from its first sale on)
    observed: np.ndarray  # (B, P, T) bool: periods in the likelihood (live, GMV > 0)
    controls: np.ndarray  # (B, T, K) calendar columns, no intercept
    control_names: tuple[str, ...]
    organic: np.ndarray | None  # (B, T) standardised log organic engagement
    rates: np.ndarray | None  # (B, C, T) standardised log reads per yuan
    rate_mask: np.ndarray | None  # (B, C, T) bool, live periods with reads
    echo_basis: np.ndarray | None  # (B, E, T) paid inputs carried over (organic_echo="paid")
    basis: np.ndarray  # (T, J) demand-state spline basis
    trend_basis: np.ndarray | None  # (T, K) smooth-trend spline basis (None: quadratic)
    shock_basis: np.ndarray | None  # (T, W) weekly demand-shock basis (None: no shocks)
    lifts: tuple[LiftRow, ...]
    home: np.ndarray  # (C,) position of each channel's home platform
    linked: np.ndarray  # (C,) bool, the channel's notes link to a store (link clicks)
    holdout: int = 0  # periods at the end left out of the likelihood (a forecast check)

    @property
    def n_periods(self) -> int:
        """T, the data periods."""
        return self.y.shape[-1]

    @property
    def horizon(self) -> int:
        """H, periods of carryover tail after the data."""
        return self.x.shape[-1] - self.n_periods

    def engagement_yield(self, periods: int):
        """The first stage's forecast of each channel's input per yuan over ``periods``
        periods after the data (:func:`~seedmodel.models.mmm.first_stage.engagement_yield`)."""
        from seedmodel.models.mmm.first_stage import engagement_yield

        T = self.n_periods
        driver = self.x[:, :, :T] * self.input_scale[..., None]
        inputs = tuple(self.spec.media[c].input for c in self.channels)
        return engagement_yield(self.spend, driver, inputs, periods, self.channels)

    def spend_weights(self) -> np.ndarray:
        """(B, C) each channel's mean spend per live period over the brand's mean paid spend
        per channel and period, over the fitted periods: 1 for every channel of a brand
        whose channels spend alike and are always on.

        A ratio of spends, so free of the currency's unit. A channel with twice another's
        share of the budget has twice its weight; a channel on half the days at the same
        budget has twice the weight per live period, and the same per period on average.
        1 for a channel without spend (its effect never enters the fit).
        """
        fitted = self.spend[..., : self.n_periods - self.holdout]
        per_channel = fitted.mean(axis=(1, 2))  # (B,)
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = _live_mean(fitted, fitted) / per_channel[:, None]
        return np.where((fitted > 0).any(axis=-1) & np.isfinite(weight), weight, 1.0)

    def channel_lags(self, c: int) -> np.ndarray:
        """(B * (T + H), L + 1) lag matrix of channel ``c``'s scaled spend, ``L`` its own
        longest lag, the brands' rows one after another: one matrix-vector product adstocks
        them all."""
        L = self.max_lag[self.channels[c]]
        return np.concatenate([lag_matrix(self.x[b, c], L) for b in range(self.x.shape[0])])


#: Half-lives (days) at which ``organic_echo="paid"`` carries each paid channel's input
#: over: a burst of users' notes in the days after a campaign, and a slower tail.
ECHO_HALF_LIVES = (3.0, 21.0)


def _echo_basis(x: np.ndarray, period_days: int) -> np.ndarray:
    """(B, C * len(ECHO_HALF_LIVES), T) each paid channel's input (B, C, T) carried over at
    each of :data:`ECHO_HALF_LIVES`, standardised per brand (a channel that never spends
    gives zeros): what organic notes that echo the paid notes would follow."""
    columns = []
    for days in ECHO_HALF_LIVES:
        alpha = 0.5 ** (period_days / days)
        weights = geometric_weights(alpha, max(1, round(5 * days / period_days)))
        carried = adstock(x, weights, axis=-1)
        columns.append(np.stack([[standardise(v) for v in brand] for brand in carried]))
    return np.concatenate(columns, axis=1)


def _live_mean(v: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """Mean of ``v`` (B, C, T) over periods with spend, per brand x channel (1 where none)."""
    live = np.where(spend > 0, v, np.nan)
    with np.errstate(invalid="ignore"):
        out = np.nan_to_num(np.nanmean(live, axis=-1), nan=1.0)
    return np.where(out > 0, out, 1.0)


def _input_series(data: Dataset, channel: str, name: str, spend: np.ndarray) -> np.ndarray:
    """(B, T) the channel's response input: its spend, or an engagement count of its notes."""
    if name == "spend":
        return spend
    columns = INTERACTIONS if name == "interactions" else (name,)
    missing = [c for c in columns if c not in data.media]
    if missing:
        raise ValueError(
            f"table media: channel {channel!r} responds to {name!r}, but column(s) "
            f"{missing} are missing"
        )
    # blanks in a present column were refused, with table, key and column, by validation
    series = sum(
        data.media_array(c).sel(channel=channel).transpose("brand", "date").to_numpy()
        for c in columns
    )
    live = spend > 0
    if (series[live] > 0).mean() < 0.5:
        raise ValueError(
            f"table media: channel {channel!r} responds to {name!r}, but it is zero on most "
            "days with spend"
        )
    return np.asarray(series, dtype=float)


def _orthonormal(z: np.ndarray) -> np.ndarray:
    """Columns of ``z`` rotated to be orthogonal with unit variance (rank-deficient ones
    dropped to zero)."""
    q, r = np.linalg.qr(z)
    keep = np.abs(np.diag(r)) > 1e-8 * max(np.abs(np.diag(r)).max(), 1e-300)
    return np.where(keep[None, :], q * np.sqrt(z.shape[0]), 0.0)


def budget_deviations(spend: np.ndarray, window: int) -> np.ndarray:
    """(B, C, T) log spend minus the log of its planned level, a centred rolling median of
    live spend over ``window`` periods; 0 where nothing was spent.

    Examples
    --------
    >>> x = np.array([[[0, 100, 100, 200, 100, 100, 0]]], dtype=float)
    >>> budget_deviations(x, 5).round(3).tolist()
    [[[0.0, 0.0, 0.0, 0.693, 0.0, 0.0, 0.0]]]
    """
    live = spend > 0
    series = pd.DataFrame(np.where(live, spend, np.nan).reshape(-1, spend.shape[-1]).T)
    plan = series.rolling(window, center=True, min_periods=1).median().to_numpy().T
    ratio = np.where(live, spend, 1.0) / np.where(live, plan.reshape(spend.shape), 1.0)
    return np.where(live, np.log(ratio), 0.0)


def around(series: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Means of ``series`` (..., T) over the ``h`` periods before and the ``h`` after each
    period (fewer at the ends; 0 where there are none).

    Examples
    --------
    >>> before, after = around(np.array([1.0, 2.0, 3.0, 4.0]), 2)
    >>> before.tolist(), after.tolist()
    ([0.0, 1.0, 1.5, 2.5], [2.5, 3.5, 4.0, 0.0])
    """
    T = series.shape[-1]
    cum = np.concatenate([np.zeros((*series.shape[:-1], 1)), np.cumsum(series, axis=-1)], -1)
    t = np.arange(T)
    lo, hi = np.maximum(t - h, 0), np.minimum(t + h, T - 1)
    n_before, n_after = t - lo, hi - t
    before = (cum[..., t] - cum[..., lo]) / np.maximum(n_before, 1)
    after = (cum[..., hi + 1] - cum[..., t + 1]) / np.maximum(n_after, 1)
    return before, after


def _organic_signal(data: Dataset, channels: tuple[str, ...]) -> np.ndarray | None:
    """(B, T) standardised log reads of the unpaid (organic) notes, or None where the data
    have none on at least half the periods."""
    unpaid = [c for c in data.channel_names if c not in channels]
    if not unpaid or "reads" not in data.media:
        return None
    reads = (
        data.media_array("reads").sel(channel=unpaid).sum("channel").transpose("brand", "date")
    ).to_numpy()
    if (reads > 0).mean() <= 0.5:
        return None
    return np.stack([standardise(np.log1p(r)) for r in reads])


def build_inputs(data: Dataset, spec: SeedingMMM) -> MMMInputs:
    """Arrays for the MMM from a checked dataset.

    Spend is divided by each brand x channel's mean spend on live periods and GMV by each brand x
    platform's mean, so priors sit on unit-free quantities: the same data in yuan or in 万元 give
    the same fit.
    """
    brands, channels, platforms = data.brand_names, data.paid_channels, data.platform_names
    has_clicks = {c: c in data.link_channels for c in channels}
    linked = np.array([has_clicks[c] for c in channels], dtype=bool)
    spec = spec.resolved(has_clicks)
    pdays = data.period_days
    max_lag = {c: max(1, int(np.ceil(spec.media[c].max_lag_days / pdays))) for c in channels}
    H = max(max_lag.values())
    spend = (
        data.media_array("spend")
        .sel(channel=list(channels))
        .transpose("brand", "channel", "date")
        .to_numpy()
    )
    spend_scale = _live_mean(spend, spend)
    driver = np.stack(
        [_input_series(data, c, spec.media[c].input, spend[:, i]) for i, c in enumerate(channels)],
        axis=1,
    )
    input_scale = _live_mean(driver, spend)
    x = np.concatenate([driver / input_scale[..., None], np.zeros((*spend.shape[:2], H))], axis=-1)
    gmv = data.sales_array("gmv").transpose("brand", "platform", "date").to_numpy()
    live, observed = gmv_periods(data, gmv)
    gmv_scale = np.maximum((gmv * live).sum(axis=-1) / live.sum(axis=-1), 1e-9)
    y = gmv / gmv_scale[..., None]

    # no weekly dummy for a festival's last day: its sales are summed into its week, and a
    # 0/1 column for that week gave each festival's peak week a free level, with which the
    # seeding channel's saturation collapsed into a near-constant share of GMV (its weekly
    # ROI up to 13x the truth; docs/benchmarks.md). Daily data keep the peak day's dummy.
    # the smooth trend replaces the quadratic's columns
    drop = ["const", "trend", "trend2"] if spec.trend == "smooth" else ["const"]
    frames = [
        calendar_controls(data, b, peak_weeks=False).drop(columns=drop, errors="ignore")
        for b in brands
    ]
    if spec.festivals == "shared":
        frames = [shared_festivals(f) for f in frames]
    elif spec.festivals == "none":
        frames = [without_festivals(f) for f in frames]
    window = max(3, round(spec.plan_days / pdays))  # the planned level's, in periods
    budget_factor = spec.shocks in ("budget_factor", "link_budget_factor")
    # deviations from a slower level (about two months): the reaction controls' and the
    # shock factor's
    slow = (
        budget_deviations(spend, 4 * window + 1)
        if spec.budget_reaction == "control_scales" or budget_factor
        else None
    )
    if spec.budget_reaction != "none":
        deviation = budget_deviations(spend, window)  # (B, C, T)
        reactions = {"": deviation}  # column suffix -> (B, C, T)
        if spec.budget_reaction == "control_lags":
            before, after = around(deviation, max(1, window // 2))
            reactions |= {"_before": before, "_after": after}
        if spec.budget_reaction == "control_scales":
            # log planned level over log slow level: log(s / slow) - log(s / plan)
            reactions |= {"_slow": slow - deviation}
        frames = [
            f.assign(
                **{
                    f"reaction_{c}{suffix}": series[b, i]
                    for suffix, series in reactions.items()
                    for i, c in enumerate(channels)
                }
            )
            for b, f in enumerate(frames)
        ]
    if budget_factor:
        spending = spend > 0  # (B, C, T); ``live`` is the stores' open periods
        if spec.shocks == "link_budget_factor":
            spending &= linked[None, :, None]
        frames = [
            f.assign(budget_shock=budget_shock_factor(slow[b], spending[b]))
            for b, f in enumerate(frames)
        ]
    T = len(data.dates)
    basis = spline_basis(T, max(2, round(spec.knot_days / pdays)))
    organic = _organic_signal(data, channels)
    # what the organic signal does faster than the demand state's knots (a promotion's days,
    # a week on weekly data) would be measurement noise to the state: a control of its own
    if spec.demand == "latent" and spec.demand_fast == "control" and organic is not None:
        frames = [
            f.assign(demand_fast=residualize(organic[b], basis)) for b, f in enumerate(frames)
        ]
    names = tuple(dict.fromkeys(c for f in frames for c in f.columns))
    controls = np.stack([f.reindex(columns=names, fill_value=0.0).to_numpy() for f in frames])
    # orthonormal columns (QR per brand, unit variance): trend, seasonality and festivals
    # overlap, and correlated coefficients make NUTS crawl; their fitted sum is unchanged
    controls = controls - controls.mean(axis=1, keepdims=True)
    controls = np.stack([_orthonormal(z) for z in controls])

    rates = rate_mask = None
    if "reads" in data.media:
        paid_reads = (
            data.media_array("reads")
            .sel(channel=list(channels))
            .transpose("brand", "channel", "date")
            .to_numpy()
        )
        rate_mask = (spend > 0) & (paid_reads > 0)
        raw = np.log(np.where(rate_mask, paid_reads, 1.0) / np.where(rate_mask, spend, 1.0))
        rates = np.stack(
            [
                np.stack([standardise(raw[b, c], rate_mask[b, c]) for c in range(len(channels))])
                for b in range(len(brands))
            ]
        )
        if rate_mask.sum() < 20:
            rates = rate_mask = None

    trend_basis = (
        spline_basis(T, max(2, round(spec.trend_knot_days / pdays)))
        if spec.trend == "smooth"
        else None
    )

    lifts = []
    pos = pd.Series(np.arange(T), index=data.dates)
    for row in data.lift_tests.itertuples():
        if row.channel not in channels:
            continue
        b, c = brands.index(row.brand), channels.index(row.channel)
        start = pos.index[pos.index <= row.start][-1] if data.freq == "W" else row.start
        t0, t1 = int(pos[start]), int(pos[pos.index[pos.index <= row.end][-1]])
        in_window = np.zeros_like(x[b, c])
        in_window[t0 : t1 + 1] = x[b, c, t0 : t1 + 1]
        scale = float(gmv_scale[b].sum())
        lifts.append(
            LiftRow(
                b,
                c,
                t0,
                float(row.incremental_gmv) / scale,
                float(row.incremental_gmv_se) / scale,
                lag_matrix(in_window, max_lag[row.channel]),
            )
        )
    return MMMInputs(
        spec=spec,
        brands=brands,
        channels=channels,
        platforms=platforms,
        period_days=pdays,
        max_lag=max_lag,
        x=x,
        input_scale=input_scale,
        spend=spend,
        spend_scale=spend_scale,
        y=y,
        gmv_scale=gmv_scale,
        live=np.concatenate([live, np.repeat(live[..., -1:], H, axis=-1)], axis=-1),
        observed=observed,
        controls=controls,
        control_names=names,
        organic=organic,
        rates=rates,
        echo_basis=(
            _echo_basis(x[..., :T], pdays)
            if spec.organic_echo == "paid" and organic is not None
            else None
        ),
        rate_mask=rate_mask,
        basis=basis,
        trend_basis=trend_basis,
        shock_basis=(spline_basis(T, 7) if spec.shocks == "weekly" and pdays == 1 else None),
        lifts=tuple(lifts),
        home=_home_platforms(data, spec, channels, platforms),
        linked=linked,
    )


class ZeroGMVWarning(UserWarning):
    """Periods of zero GMV inside a store's live span, left out of the fit."""


def gmv_periods(data: Dataset, gmv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which periods a brand x platform's store is live, and which its GMV is fitted on.

    A store is live from its first period with GMV > 0 (leading zeros: not open yet, e.g. a
    JD store that opens months after the Tmall one); before that, it is out of the
    likelihood and of every counterfactual. A zero inside the live span (an outage, a
    delisted SKU) cannot be a lognormal observation: it is left out of the likelihood with a
    :class:`ZeroGMVWarning` naming brand, platform and dates.

    Returns
    -------
    live, observed : ndarray
        (B, P, T) bool each.

    Raises
    ------
    DataError
        A brand x platform without any GMV: drop its rows from ``sales``.
    """
    import warnings

    positive = gmv > 0
    live = np.cumsum(positive, axis=-1) > 0
    never = ~live.any(axis=-1)
    if never.any():
        b, p = np.argwhere(never)[0]
        raise DataError(
            "sales",
            "GMV is 0 on every date: a platform where the brand does not sell cannot be fitted; "
            "drop its rows",
            key=f"brand={data.brand_names[b]}, platform={data.platform_names[p]}",
            column="gmv",
        )
    gaps = live & ~positive
    for b, p in np.argwhere(gaps.any(axis=-1)):
        days = data.dates[gaps[b, p]]
        shown = ", ".join(str(d.date()) for d in days[:3]) + (" ..." if len(days) > 3 else "")
        warnings.warn(
            f"sales: brand={data.brand_names[b]}, platform={data.platform_names[p]}: GMV is 0 "
            f"on {len(days)} live period(s) ({shown}); they are left out of the fit",
            ZeroGMVWarning,
            stacklevel=3,
        )
    return live, live & positive


def _home_platforms(
    data: Dataset, spec: SeedingMMM, channels: tuple[str, ...], platforms: tuple[str, ...]
) -> np.ndarray:
    """Each channel's home platform: its MediaSpec's, else its programme's store (红猫 ->
    tmall, 红京 -> jd), else the attribution feed's largest, else the platform with the most
    GMV."""
    totals = data.sales.groupby("platform")["gmv"].sum()
    fallback = platforms.index(str(totals.idxmax()))
    credited = (
        data.attribution.groupby(["channel", "platform"])["attributed_gmv"].sum()
        if data.has("attribution")
        else pd.Series(dtype=float)
    )
    home = []
    for c in channels:
        named = spec.media[c].platform
        if named is not None:
            if named not in platforms:
                raise ValueError(f"MediaSpec for {c!r} names platform {named!r}, not in the data")
            home.append(platforms.index(named))
        elif PROGRAMME_STORES.get(c) in platforms:
            home.append(platforms.index(PROGRAMME_STORES[c]))
        elif c in credited.index.get_level_values(0) and credited[c].max() > 0:
            home.append(platforms.index(str(credited[c].idxmax())))
        else:
            home.append(fallback)
    return np.array(home, dtype=int)
