"""Settings of a simulated RED -> Tmall/JD world; every mechanism has its own switch."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

__all__ = ["DEFAULT_CHANNELS", "NOISES", "ChannelSpec", "WorldConfig"]

#: GMV noise families of the simulator.
NOISES = ("lognormal", "student_t", "additive")


@dataclass(frozen=True)
class ChannelSpec:
    """One RED channel of the simulated world.

    Parameters
    ----------
    name : str
        snake_case id.
    kind : {"seeding", "link", "organic"}
        ``seeding`` notes act through reads and later searches (long Weibull lag); ``link``
        notes act through link clicks to ``target`` (short geometric lag); ``organic`` notes
        cost nothing, act on nothing, and follow the latent buzz (its noisy proxy).
    target : str or None
        Platform a link jumps to.
    go_live : str or None
        First day the channel may spend (ISO date).
    min_daily_spend : float
        Programme minimum on a live day (CNY).
    daily_budget : float
        Typical daily spend of a brand of average size (CNY).
    cpm : float
        Cost per 1,000 impressions off-peak (CNY).
    read_rate, click_rate : float
        Reads per impression; link clicks per read.
    lag_shape, lag_scale : float
        Weibull lag (days) with ``long_lags``; ``lag_alpha`` is the geometric retention used
        for link channels, and for all channels when ``long_lags`` is off.
    max_lag : int
        Longest carryover (days).
    roi : float
        Typical GMV per yuan across brands (brand values vary around it).
    halo : float
        Effect on the other platforms as a share of the effect on the main one: positive is a
        halo, negative is cannibalisation.
    hill_slope : float
        Slope of the Hill saturation (1: concave from the start; above 1: S-shaped, a
        threshold before returns rise; below 1: sharply concave).
    flight_on, flight_off : float
        Mean lengths (days) of on and off bursts; 0 takes the kind's default (seeding 35 / 14,
        link 50 / 10).
    spend_growth : float
        Budget growth over the data, as a fraction (0.8: the last day's budget is 1.8 times
        the first's, linearly).
    """

    name: str
    kind: str
    target: str | None = None
    go_live: str | None = None
    min_daily_spend: float = 0.0
    daily_budget: float = 20_000.0
    cpm: float = 60.0
    read_rate: float = 0.08
    click_rate: float = 0.0
    lag_shape: float = 2.0
    lag_scale: float = 16.0
    lag_alpha: float = 0.4
    max_lag: int = 90
    roi: float = 2.0
    halo: float = 0.0
    hill_slope: float = 1.0
    flight_on: float = 0.0
    flight_off: float = 0.0
    spend_growth: float = 0.0

    def mean_lag(self, long_lags: bool = True) -> float:
        """Mean carryover in days, before the ``max_lag`` cut: ``lag_scale * Gamma(1 + 1 /
        lag_shape)`` for a seeding channel's Weibull lag (with ``long_lags``), else
        ``lag_alpha / (1 - lag_alpha)`` for the geometric one."""
        if self.kind == "seeding" and long_lags:
            return self.lag_scale * math.gamma(1.0 + 1.0 / self.lag_shape)
        return self.lag_alpha / (1.0 - self.lag_alpha)


DEFAULT_CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec(
        "little_red_star",
        "seeding",
        target="tmall",
        daily_budget=30_000.0,
        cpm=45.0,
        read_rate=0.09,
        lag_shape=2.0,
        lag_scale=16.0,
        lag_alpha=0.6,
        max_lag=90,
        roi=2.4,
        halo=0.35,
    ),
    ChannelSpec(
        "red_cat",
        "link",
        target="tmall",
        go_live="2025-05-07",
        min_daily_spend=5_000.0,
        daily_budget=14_000.0,
        cpm=70.0,
        read_rate=0.07,
        click_rate=0.12,
        lag_alpha=0.35,
        max_lag=21,
        roi=3.0,
        halo=-0.08,
    ),
    ChannelSpec(
        "red_jd",
        "link",
        target="jd",
        go_live="2025-06-05",
        min_daily_spend=5_000.0,
        daily_budget=9_000.0,
        cpm=65.0,
        read_rate=0.07,
        click_rate=0.10,
        lag_alpha=0.3,
        max_lag=21,
        roi=1.8,
        halo=-0.06,
    ),
    ChannelSpec("organic", "organic", daily_budget=0.0, read_rate=0.1, max_lag=1, roi=0.0),
)


@dataclass(frozen=True)
class WorldConfig:
    """A simulated world. Switch a mechanism off to see (and test) its effect.

    Parameters
    ----------
    start : str
        First day of data.
    days : int
        Days of data.
    n_brands : int
        Brands, spread over categories.
    channels : tuple of ChannelSpec
        RED channels (any number).
    platforms : tuple of str
        E-commerce platforms (any number).
    freq : {"D", "W"}
        Write daily data, or weekly sums (weeks start on Monday).
    horizon_days : int
        Days simulated after the data end, with no spend, so that carryover is counted.
    calendar : bool
        38 / 618 / Double 11 demand with pre-sale, sale and post-sale dip.
    demand_budgets : bool
        Budgets rise with festival demand and chase buzz.
    flights : bool
        Channels run in on/off bursts.
    go_live : bool
        Channels spend nothing before their go-live date.
    min_spend_rule : bool
        A live day of a link channel costs at least its programme minimum.
    cpm_inflation : bool
        Media is dearer at festival peaks.
    quality_variation : bool
        Content quality drifts over time and moves engagement and persuasion.
    long_lags : bool
        Seeding acts with a delayed Weibull lag over weeks (else a short geometric one).
    saturation : bool
        Diminishing returns (Hill); else linear.
    cross_platform : bool
        Halo of seeding on other platforms and cannibalisation by link channels.
    buzz : bool
        A latent organic buzz moves demand and engagement together.
    buzz_strength : float
        Multiplies the buzz's pull on demand and on budgets (confounding strength).
    organic_proxy : bool
        Write organic notes (channel ``organic``, spend 0) whose engagement tracks buzz.
    organic_echo : float
        Share in [0, 1) of the organic notes' reads over the data that echo the seeding
        notes (users' own notes the seeded ones spark, carried over with the seeding
        channel's lag) instead of the buzz. The echo does not move GMV by itself: whatever
        the seeding channel sells, through its notes and their echo, is its own effect. A
        model that reads organic notes as a pure measure of demand credits part of the
        seeding channel's effect to demand.
    attribution : bool
        Write the platforms' attribution feed.
    lift_tests : bool
        Write one lift test per brand.
    lift_channels : tuple of str
        The channels a lift test may be on (default: any paid channel).
    lift_days : int
        Length of each lift test (the channel held out that many days): at most this, in
        steps of a week down to 7 days where the brand runs no channel that long.
    media_effect : bool
        Media moves GMV at all (off: a world where engagement has no effect).
    noise_sd : float
        Log-scale sd of daily GMV noise.
    growth : float or None
        Yearly baseline growth of every brand (default: drawn per brand in [-0.05, 0.25]).
    trend_bend : float
        Size (log scale) of an S-shaped change of the baseline level over the data, centred
        at a random day: a non-linear trend that a quadratic does not follow.
    level_shifts : int
        Permanent level changes of each brand's baseline (each +-5% to +-20%, at random
        days): a listing, a price change, a competitor.
    shock_sd, shock_days : float
        Fast demand shocks: a log-scale AR(1) of marginal sd ``shock_sd`` whose memory is
        ``shock_days`` days (a promotion, a viral note, a stock-out), multiplying demand.
    shock_budget_pull : float
        How hard budgets chase the fast shocks (spend x exp(pull x shock / shock_sd)):
        confounding that changes week to week, not slowly like buzz.
    organic_shocks : float
        How closely the organic notes' reads follow the fast shocks (reads x
        exp(organic_shocks x shock / shock_sd); 0.6 is the buzz's own pull on them): a brand
        whose organic notes, or a demand measure a user puts in their place, see its
        promotions and viral moments. 0 (the default): the shocks are unmeasured.
    budget_lead_days : int
        Budgets follow the demand index this many days ahead (positive: planned for the
        demand to come) or behind (negative: reacting to it).
    media_share : float or None
        Rescale every channel's effect so that media make this share of GMV over the data
        (the channels' ``roi`` then set only their relative sizes).
    noise : {"lognormal", "student_t", "additive"}
        Family of GMV noise: lognormal (the model's own), heavy-tailed Student-t (3 degrees of
        freedom) on the log scale, or additive noise of constant size in yuan.
    store_open : tuple of (platform, date)
        Stores that open after the data start: no GMV (and no spend of the channels that
        link to them) before that date, e.g. ``(("jd", "2025-04-01"),)``.
    noise_phi : float
        Day-to-day autocorrelation of the GMV noise.
    """

    start: str = "2024-10-01"
    days: int = 730
    n_brands: int = 3
    channels: tuple[ChannelSpec, ...] = DEFAULT_CHANNELS
    platforms: tuple[str, ...] = ("tmall", "jd")
    freq: str = "D"
    horizon_days: int = 180
    calendar: bool = True
    demand_budgets: bool = True
    flights: bool = True
    go_live: bool = True
    min_spend_rule: bool = True
    cpm_inflation: bool = True
    quality_variation: bool = True
    long_lags: bool = True
    saturation: bool = True
    cross_platform: bool = True
    buzz: bool = True
    buzz_strength: float = 1.0
    organic_proxy: bool = True
    organic_echo: float = 0.0
    attribution: bool = True
    lift_tests: bool = False
    lift_channels: tuple[str, ...] = ()
    lift_days: int = 28
    media_effect: bool = True
    noise_sd: float = 0.08
    growth: float | None = None
    trend_bend: float = 0.0
    level_shifts: int = 0
    shock_sd: float = 0.0
    shock_days: float = 3.0
    shock_budget_pull: float = 0.0
    organic_shocks: float = 0.0
    budget_lead_days: int = 0
    media_share: float | None = None
    noise: str = "lognormal"
    noise_phi: float = 0.0
    store_open: tuple[tuple[str, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.freq not in ("D", "W"):
            raise ValueError(f"freq must be 'D' or 'W', got {self.freq!r}")
        if self.noise not in NOISES:
            raise ValueError(f"noise must be one of {NOISES}, got {self.noise!r}")
        if not 0.0 <= self.organic_echo < 1.0:
            raise ValueError(f"organic_echo must be in [0, 1), got {self.organic_echo!r}")
        if self.organic_shocks < 0:
            raise ValueError(f"organic_shocks must be >= 0, got {self.organic_shocks!r}")
        if self.media_share is not None and not 0.0 < self.media_share < 1.0:
            raise ValueError(f"media_share must be in (0, 1), got {self.media_share!r}")
        if self.lift_days < 7:
            raise ValueError(f"lift_days must be at least 7, got {self.lift_days!r}")
        if self.days < 28 or self.n_brands < 1:
            raise ValueError("a world needs at least 28 days and one brand")
        names = [c.name for c in self.channels]
        if len(set(names)) != len(names):
            raise ValueError(f"channel names repeat: {names}")
        unknown = set(self.lift_channels) - set(names)
        if unknown:
            raise ValueError(f"lift_channels name channels the world has not: {sorted(unknown)}")
        for c in self.channels:
            if c.kind not in ("seeding", "link", "organic"):
                raise ValueError(f"channel {c.name}: unknown kind {c.kind!r}")
            if c.kind == "link" and c.target not in self.platforms:
                raise ValueError(f"channel {c.name}: target {c.target!r} is not a platform")

    def with_(self, **changes: Any) -> WorldConfig:
        """A copy with some settings changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (round-trips with :meth:`from_dict`)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        out["channels"] = [asdict(c) for c in self.channels]
        out["platforms"] = list(self.platforms)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorldConfig:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        data["channels"] = tuple(ChannelSpec(**c) for c in data["channels"])
        data["platforms"] = tuple(data["platforms"])
        data["store_open"] = tuple(tuple(pair) for pair in data.get("store_open", ()))
        data["lift_channels"] = tuple(data.get("lift_channels", ()))
        return cls(**data)
