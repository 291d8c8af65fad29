"""The simulated world: every random draw made once, then outcomes as a pure function of spend.

Holding the draws fixed and changing only spend is what makes the truth a counterfactual
re-simulation: ``expected_gmv(observed) - expected_gmv(counterfactual)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from seedmodel.calendar import ecommerce_calendar
from seedmodel.sim.config import WorldConfig
from seedmodel.transforms import adstock, geometric_weights, hill, weibull_weights

__all__ = ["ENGAGEMENT_RATES", "EVENT_DEMAND", "World", "make_world"]

CATEGORIES = ("beauty", "personal_care", "health", "sports_outdoor", "mother_baby")
BRAND_NAMES = (
    "LumaBeauty",
    "PureCare",
    "VitaWell",
    "TrailPeak",
    "BabyBloom",
    "SilkMuse",
    "FreshLeaf",
    "CoreFit",
    "NuMom",
    "GlowLab",
)

#: interactions per read (likes, collects, ...) and how strongly each follows content quality.
ENGAGEMENT_RATES = {
    "likes": (0.06, 0.5),
    "collects": (0.025, 1.0),
    "comments": (0.006, 0.5),
    "shares": (0.004, 0.8),
    "follows": (0.002, 0.3),
}
#: demand multiplier of each calendar event on (tmall, jd, any other platform).
EVENT_DEMAND = {
    "womens_day": (1.35, 1.2, 1.2),
    "618_presale": (1.1, 1.25, 1.1),
    "618": (1.45, 1.9, 1.4),
    "618_post": (0.8, 0.72, 0.85),
    "double11_presale": (1.2, 1.1, 1.1),
    "double11": (1.9, 1.5, 1.5),
    "double11_post": (0.75, 0.8, 0.85),
}
PEAK_DAYS = {"06-18": (1.4, 1.8, 1.3), "11-11": (2.2, 1.6, 1.6)}


def _ar_recursion(out: np.ndarray, phi: float) -> np.ndarray:
    """``out[t] += phi * out[t - 1]`` along the last axis, in place: the first value and the
    innovations in, the AR(1) series out."""
    for t in range(1, out.shape[-1]):
        out[..., t] += phi * out[..., t - 1]
    return out


def _ar1(rng: np.random.Generator, shape: tuple[int, ...], phi: float, sd: float) -> np.ndarray:
    """Stationary AR(1) along the last axis with marginal sd ``sd``."""
    out = rng.normal(0.0, sd * np.sqrt(1 - phi**2), shape)
    out[..., 0] = rng.normal(0.0, sd, shape[:-1])
    return _ar_recursion(out, phi)


def _ar_filter(eps: np.ndarray, phi: float) -> np.ndarray:
    """AR(1) filter along the last axis, scaled to keep the innovations' marginal variance."""
    out = np.array(eps, dtype=float)
    out[..., 1:] *= np.sqrt(1.0 - phi**2)
    return _ar_recursion(out, phi)


def _flights(rng: np.random.Generator, n: int, on_mean: float, off_mean: float) -> np.ndarray:
    """On/off mask with geometric run lengths."""
    out = np.zeros(n, dtype=bool)
    t, on = 0, rng.random() < on_mean / (on_mean + off_mean)
    while t < n:
        run = int(rng.geometric(1.0 / (on_mean if on else off_mean)))
        out[t : t + run] = on
        t, on = t + run, not on
    return out


@dataclass(frozen=True, eq=False)
class World:
    """A simulated world with its draws fixed. Build with :func:`make_world`.

    Arrays run over the full horizon: the data days followed by ``config.horizon_days`` days
    with no spend. Shapes: brand x channel x day (B, C, T) and brand x platform x day (B, P, T).
    """

    config: WorldConfig
    seed: int
    dates: pd.DatetimeIndex
    n_data: int
    brands: pd.DataFrame
    channels: tuple[str, ...]
    platforms: tuple[str, ...]
    spend: np.ndarray  # (B, C, T), the observed plan; zero after the data end
    buzz: np.ndarray  # (B, T), standardised latent buzz
    quality: np.ndarray  # (B, C, T), content quality (1 = average)
    cpm: np.ndarray  # (B, C, T)
    noise: dict[str, np.ndarray]  # multiplicative noises, each (B, C, T) or (B, P, T)
    baseline: np.ndarray  # (B, P, T) GMV without media
    kernels: tuple[np.ndarray, ...]  # lag weights per channel
    half: np.ndarray  # (B, C) half-saturation of the adstocked driver
    beta: np.ndarray  # (B, C) GMV per day at full saturation on the main platform
    split: np.ndarray  # (B, C, P) share of the effect on each platform
    organic_reads: np.ndarray  # (B, T)
    funnel: dict[str, np.ndarray]  # per-brand x platform constants (aov, cvr)
    store_live: np.ndarray | None = None  # (P, T) bool, stores open (None: all, always)

    @property
    def data_dates(self) -> pd.DatetimeIndex:
        """Days written to the dataset."""
        return self.dates[: self.n_data]

    def channel_index(self, name: str) -> int:
        """Position of a channel on the channel axis."""
        return self.channels.index(name)

    def kind(self, c: int) -> str:
        """Kind of channel ``c`` (seeding, link, organic)."""
        return self.config.channels[c].kind

    def engagement(self, spend: np.ndarray) -> dict[str, np.ndarray]:
        """Note engagement caused by ``spend`` (B, C, T): impressions, reads, likes, ... clicks."""
        cfg = self.config
        n = self.noise
        impressions, reads = self._reads(spend)
        out = {"impressions": impressions, "reads": reads}
        for metric, (rate, q_pow) in ENGAGEMENT_RATES.items():
            out[metric] = reads * rate * self.quality**q_pow * n[metric]
        click_rates = np.array([c.click_rate for c in cfg.channels])[None, :, None]
        out["clicks"] = reads * click_rates * np.sqrt(self.quality) * n["clicks"]
        organic = [c for c, spec in enumerate(cfg.channels) if spec.kind == "organic"]
        echo = self._organic_echo(reads) if organic and cfg.organic_echo else 0.0
        for c in organic:
            reads_o = (self.organic_reads + echo) * n["reads"][:, c]
            out["reads"][:, c] = reads_o
            out["impressions"][:, c] = reads_o / cfg.channels[c].read_rate
            for metric, (rate, q_pow) in ENGAGEMENT_RATES.items():
                out[metric][:, c] = reads_o * rate * self.quality[:, c] ** q_pow * n[metric][:, c]
            out["clicks"][:, c] = 0.0
        return out

    def _reads(self, spend: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Impressions and reads (B, C, T) that ``spend`` buys."""
        n = self.noise
        impressions = spend / self.cpm * 1000.0 * n["impressions"]
        buzz_pull = np.exp(0.2 * self.buzz)[:, None, :] if self.config.buzz else 1.0
        rates = np.array([c.read_rate for c in self.config.channels])[None, :, None]
        return impressions, impressions * rates * self.quality * buzz_pull * n["reads"]

    def _organic_echo(self, reads: np.ndarray) -> np.ndarray:
        """(B, T) organic reads that echo the seeding notes' ``reads``: carried over with
        the seeding channel's own lag, and scaled so that over the data, at the world's own
        spend, they are ``organic_echo`` of all organic reads (:attr:`_echo_scale`, fixed by
        the world whatever spend ``reads`` come from)."""
        return self._echo_scale[:, None] * self._seeding_carried(reads)

    def _seeding_carried(self, reads: np.ndarray) -> np.ndarray:
        """(B, T) the seeding channels' ``reads`` (B, C, T) carried over with their lags."""
        seeding = [c for c, s in enumerate(self.config.channels) if s.kind == "seeding"]
        return sum(
            (adstock(reads[:, c], self.kernels[c], axis=-1) for c in seeding),
            np.zeros_like(self.organic_reads),
        )

    @cached_property
    def _echo_scale(self) -> np.ndarray:
        """(B,) organic echo reads per carried seeding read: the echo's share of organic
        reads over the data at the world's own spend (computed once per world; every
        counterfactual's engagement uses it)."""
        n = self.n_data
        factual = self._seeding_carried(self._reads(self.spend)[1])[:, :n].mean(axis=1)
        level = self.organic_reads[:, :n].mean(axis=1)
        scale = np.divide(level, factual, out=np.zeros_like(level), where=factual > 0)
        share = self.config.organic_echo
        return share / (1.0 - share) * scale

    def driver(self, engagement: dict[str, np.ndarray]) -> np.ndarray:
        """What moves sales, per channel (B, C, T): quality-weighted reads for seeding notes,
        link clicks for link notes, nothing for organic notes (their pull is the buzz)."""
        out = np.zeros_like(engagement["reads"])
        for c, spec in enumerate(self.config.channels):
            if spec.kind == "seeding":
                out[:, c] = engagement["reads"][:, c] * self.quality[:, c]
            elif spec.kind == "link":
                out[:, c] = engagement["clicks"][:, c]
        return out

    def response(self, driver: np.ndarray) -> np.ndarray:
        """Saturated, carried-over effect per channel (B, C, T), in [0, 1]."""
        out = np.zeros_like(driver)
        for c, w in enumerate(self.kernels):
            carried = adstock(driver[:, c], w, axis=-1)
            scaled = carried / self.half[:, c, None]
            slope = self.config.channels[c].hill_slope
            out[:, c] = hill(scaled, 1.0, slope) if self.config.saturation else 0.5 * scaled
        return out

    def contributions(self, spend: np.ndarray) -> np.ndarray:
        """Expected GMV added by each channel on each platform (B, C, P, T), CNY per day."""
        resp = self.response(self.driver(self.engagement(spend)))
        return self.beta[:, :, None, None] * self.split[:, :, :, None] * resp[:, :, None, :]

    def expected_gmv(self, spend: np.ndarray) -> np.ndarray:
        """E[GMV | spend] per brand, platform and day (B, P, T), the latent states as drawn."""
        total = self.baseline + self.contributions(spend).sum(axis=1)
        total = np.maximum(total, 0.05 * self.baseline)
        return total if self.store_live is None else total * self.store_live[None]


def _calendar_demand(dates: pd.DatetimeIndex, platforms: tuple[str, ...]) -> np.ndarray:
    """Festival demand multiplier (P, T)."""
    out = np.ones((len(platforms), len(dates)))
    col = [0 if p == "tmall" else 1 if p == "jd" else 2 for p in platforms]
    cal = ecommerce_calendar(dates[0], dates[-1])
    pos = pd.Series(np.arange(len(dates)), index=dates)
    for event, frame in cal.groupby("event"):
        t = pos[frame["date"]].to_numpy()
        for i, k in enumerate(col):
            out[i, t] *= EVENT_DEMAND[event][k]
    md = dates.strftime("%m-%d")
    for day, mult in PEAK_DAYS.items():
        t = np.flatnonzero(md == day)
        for i, k in enumerate(col):
            out[i, t] *= mult[k]
    return out


def make_world(config: WorldConfig, seed: int) -> World:
    """Draw a world: brands, latent buzz and quality, budgets, effect sizes, noise.

    Parameters
    ----------
    config : WorldConfig
        Settings and switches.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same world.

    Returns
    -------
    World
    """
    cfg = config
    rng = np.random.default_rng(seed)
    # mechanisms added after the first worlds draw from their own stream, so that a world
    # without them is the same world as before they existed
    xr = np.random.default_rng([seed, 17])
    n_data, T = cfg.days, cfg.days + cfg.horizon_days
    dates = pd.date_range(cfg.start, periods=T, freq="D", name="date")
    B, C, P = cfg.n_brands, len(cfg.channels), len(cfg.platforms)
    specs = cfg.channels

    names = [
        BRAND_NAMES[b % len(BRAND_NAMES)] + (f"_{b // len(BRAND_NAMES)}" if b >= 10 else "")
        for b in range(B)
    ]
    brands = pd.DataFrame(
        {
            "brand": names,
            "category": [CATEGORIES[b % len(CATEGORIES)] for b in range(B)],
            "margin": np.round(rng.uniform(0.35, 0.7, B), 2),
        }
    )
    size = rng.lognormal(0.0, 0.4, B)

    # Demand: level, trend, week, year, festivals, buzz.
    t_years = np.arange(T) / 365.0
    level = (
        rng.lognormal(np.log(6e5), 0.3, B)[:, None]
        * size[:, None]
        * np.array([1.0 if p == "tmall" else rng.uniform(0.35, 0.7) for p in cfg.platforms])[
            None, :
        ]
    )
    growth = rng.uniform(-0.05, 0.25, B)
    if cfg.growth is not None:
        growth = np.full(B, float(cfg.growth))
    weekend = rng.uniform(0.04, 0.12, B)
    dow_shape = np.array([0.0, -0.2, -0.2, 0.0, 0.4, 1.0, 0.8])[dates.day_of_week.to_numpy()]
    amp = rng.uniform(0.04, 0.14, B)
    phase = rng.uniform(0, 2 * np.pi, B)
    doy = dates.day_of_year.to_numpy()
    season = (
        (1 + growth[:, None] * t_years)
        * (1 + weekend[:, None] * dow_shape)
        * (1 + amp[:, None] * np.cos(2 * np.pi * doy / 365.25 + phase[:, None]))
    )
    festival = _calendar_demand(dates, cfg.platforms) if cfg.calendar else np.ones((P, T))
    buzz = _ar1(rng, (B, T), 0.97, 1.0)
    for b in range(B):  # a few viral bursts
        for start in rng.choice(T, size=rng.poisson(1.5 * T / 365), replace=False):
            bump = rng.uniform(1.0, 2.0) * 0.9 ** np.arange(T - start)
            buzz[b, start:] += bump
    buzz = (buzz - buzz.mean(axis=1, keepdims=True)) / buzz.std(axis=1, keepdims=True)
    buzz_on = cfg.buzz_strength if cfg.buzz else 0.0
    shape, shock = _slow_and_fast_demand(cfg, xr, B, n_data, T)
    baseline = (
        level[:, :, None]
        * (season * shape * np.exp(shock))[:, None, :]
        * festival[None]
        * np.exp(0.15 * buzz_on * buzz)[:, None, :]
    )

    # Budgets: follow demand and buzz, flights, go-live, programme minimum.
    peak = np.clip(festival.mean(axis=0) - 1.0, 0.0, None)
    demand_index = festival.mean(axis=0)[None, :] * (
        1 + amp[:, None] * np.cos(2 * np.pi * doy / 365.25 + phase[:, None])
    )
    spend = np.zeros((B, C, T))
    for c, spec in enumerate(specs):
        if spec.kind == "organic":
            continue
        budget = spec.daily_budget * size * rng.lognormal(0.0, 0.25, B)
        on_off = (35.0, 14.0) if spec.kind == "seeding" else (50.0, 10.0)
        if spec.flight_on > 0 and spec.flight_off > 0:
            on_off = (spec.flight_on, spec.flight_off)
        ahead = np.clip(np.arange(n_data) + cfg.budget_lead_days, 0, T - 1)
        for b in range(B):
            plan = np.full(n_data, budget[b]) * rng.lognormal(-0.02, 0.2, n_data)
            if spec.spend_growth:
                plan *= 1.0 + spec.spend_growth * np.linspace(0.0, 1.0, n_data)
            if cfg.demand_budgets:
                plan *= demand_index[b, ahead] ** 1.2
                lagged = np.concatenate([np.zeros(3), buzz[b, : n_data - 3]])
                plan *= np.exp(0.3 * buzz_on * lagged)
                if cfg.shock_sd > 0 and cfg.shock_budget_pull:
                    plan *= np.exp(cfg.shock_budget_pull * shock[b, :n_data] / cfg.shock_sd)
            if cfg.flights:
                plan *= _flights(rng, n_data, *on_off)
            if cfg.go_live and spec.go_live:
                plan[dates[:n_data] < pd.Timestamp(spec.go_live)] = 0.0
            opens = dict(cfg.store_open).get(spec.target) if spec.kind == "link" else None
            if opens:
                plan[dates[:n_data] < pd.Timestamp(opens)] = 0.0
            if cfg.min_spend_rule and spec.min_daily_spend:
                plan = np.where(plan > 0, np.maximum(plan, spec.min_daily_spend), 0.0)
            spend[b, c, :n_data] = np.round(plan, 2)

    # Engagement: content quality, CPM (dearer at peaks), noise.
    q_sd = 0.25 if cfg.quality_variation else 0.0
    quality = np.exp(_ar1(rng, (B, C, T), 0.98, 1.0) * q_sd - q_sd**2 / 2)
    cpm_base = np.array([s.cpm for s in specs])[None, :, None] * rng.lognormal(0, 0.15, (B, C, 1))
    cpm = cpm_base * ((1.0 + 0.6 * peak)[None, None, :] if cfg.cpm_inflation else 1.0)
    noise = {
        m: rng.lognormal(-(0.05**2) / 2, 0.05, (B, C, T))
        for m in ("impressions", "reads", *ENGAGEMENT_RATES, "clicks")
    }
    noise["reads"] = rng.lognormal(-(0.1**2) / 2, 0.1, (B, C, T))
    organic_level = 0.8 * size * rng.lognormal(np.log(3e4), 0.3, B)
    organic_reads = (
        organic_level[:, None]
        * np.exp(0.6 * buzz - 0.18)
        * rng.lognormal(-(0.25**2) / 2, 0.25, (B, T))
    )
    if cfg.organic_shocks and cfg.shock_sd > 0:
        organic_reads = organic_reads * np.exp(cfg.organic_shocks * shock / cfg.shock_sd)
    noise["gmv"] = np.exp(rng.normal(-(cfg.noise_sd**2) / 2, cfg.noise_sd, (B, P, T)))
    for metric in ("orders", "store_visits", "searches", "new_visitors", "add_to_cart"):
        noise[metric] = rng.lognormal(0.0, 0.05, (B, P, T))
    noise["attribution"] = rng.lognormal(0.0, 0.1, (B, C, T))
    funnel = {
        "aov": rng.uniform(120, 400, (B, P)),
        "cvr": rng.uniform(0.03, 0.07, (B, P)),
        "touch": rng.uniform(0.04, 0.1, (B, C)),
    }

    kernels = []
    for spec in specs:
        if spec.kind == "seeding" and cfg.long_lags:
            kernels.append(weibull_weights(spec.lag_shape, spec.lag_scale, spec.max_lag))
        else:
            kernels.append(geometric_weights(spec.lag_alpha, min(spec.max_lag, 21)))

    split = np.zeros((B, C, P))
    for c, spec in enumerate(specs):
        if spec.kind == "organic":
            continue
        main = cfg.platforms.index(spec.target) if spec.target in cfg.platforms else 0
        for p in range(P):
            if p == main:
                split[:, c, p] = 1.0
            elif cfg.cross_platform:
                split[:, c, p] = spec.halo * rng.uniform(0.7, 1.3, B)
    roi_target = np.array([s.roi for s in specs])[None, :] * rng.lognormal(0.0, 0.3, (B, C))
    half_mult = rng.uniform(0.7, 1.4, (B, C))

    world = World(
        config=cfg,
        seed=seed,
        dates=dates,
        n_data=n_data,
        brands=brands,
        channels=tuple(s.name for s in specs),
        platforms=tuple(cfg.platforms),
        spend=spend,
        buzz=buzz,
        quality=quality,
        cpm=cpm,
        noise=noise,
        baseline=baseline,
        kernels=tuple(kernels),
        half=np.ones((B, C)),
        beta=np.zeros((B, C)),
        split=split,
        organic_reads=organic_reads,
        funnel=funnel,
    )
    # Effect sizes: half-saturation near the typical carried-over driver, and a scale that
    # puts each brand x channel near its target ROI on the observed plan.
    drive = world.driver(world.engagement(spend))
    half = np.ones((B, C))
    for c, w in enumerate(kernels):
        carried = adstock(drive[:, c], w, axis=-1)
        for b in range(B):
            live = carried[b, :n_data][carried[b, :n_data] > 0]
            half[b, c] = (np.median(live) if live.size else 1.0) * half_mult[b, c]
    object.__setattr__(world, "half", half)
    resp = world.response(drive).sum(axis=-1)
    total_split = np.maximum(split.sum(axis=-1), 1e-9)
    beta = np.divide(
        roi_target * spend.sum(axis=-1), resp * total_split, out=np.zeros((B, C)), where=resp > 0
    )
    if not cfg.media_effect:
        beta[:] = 0.0
    object.__setattr__(world, "beta", beta)
    if cfg.media_share is not None and cfg.media_effect:
        # media's share of each brand's GMV over the data: contrib / (baseline + contrib)
        media = world.contributions(spend)[..., :n_data].sum(axis=(1, 2, 3))
        base = baseline[..., :n_data].sum(axis=(1, 2))
        target = cfg.media_share / (1.0 - cfg.media_share) * base
        factor = np.divide(target, media, out=np.ones(B), where=media > 0)
        object.__setattr__(world, "beta", beta * factor[:, None])
    if cfg.store_open:
        live = np.ones((P, T), dtype=bool)
        for platform, day in cfg.store_open:
            live[cfg.platforms.index(platform)] = dates >= pd.Timestamp(day)
        object.__setattr__(world, "store_live", live)
    if cfg.noise != "lognormal" or cfg.noise_phi:
        noise["gmv"] = _gmv_noise(world, xr)
    return world


def _slow_and_fast_demand(
    cfg: WorldConfig, xr: np.random.Generator, B: int, n_data: int, T: int
) -> tuple[np.ndarray, np.ndarray]:
    """Multipliers of the baseline (B, T): a non-linear trend with level shifts, and the log
    of fast demand shocks."""
    days = np.arange(T, dtype=float)
    shape = np.ones((B, T))
    if cfg.trend_bend:
        mid = xr.uniform(0.25, 0.75, B) * n_data
        width = xr.uniform(20.0, 120.0, B)
        sign = xr.choice([-1.0, 1.0], B)
        s_curve = 1.0 / (1.0 + np.exp(-(days[None, :] - mid[:, None]) / width[:, None]))
        shape *= np.exp(sign[:, None] * cfg.trend_bend * (s_curve - 0.5))
    for b in range(B):
        for _ in range(cfg.level_shifts):
            day = int(xr.integers(30, max(n_data - 30, 31)))
            shape[b, day:] *= np.exp(xr.uniform(0.05, 0.2) * xr.choice([-1.0, 1.0]))
    shock = np.zeros((B, T))
    if cfg.shock_sd > 0:
        shock = _ar1(xr, (B, T), float(np.exp(-1.0 / max(cfg.shock_days, 0.1))), cfg.shock_sd)
    return shape, shock


def _gmv_noise(world: World, xr: np.random.Generator) -> np.ndarray:
    """Multiplicative GMV noise (B, P, T) of the configured family and autocorrelation."""
    cfg = world.config
    shape = world.baseline.shape
    eps = (
        xr.standard_t(3, shape) / np.sqrt(3.0)
        if cfg.noise == "student_t"
        else xr.normal(size=shape)
    )
    z = _ar_filter(eps, cfg.noise_phi)
    if cfg.noise == "additive":
        mean = world.expected_gmv(world.spend)
        level = mean[..., : world.n_data].mean(axis=-1, keepdims=True)
        return np.maximum(1.0 + cfg.noise_sd * level * z / mean, 0.05)
    return np.exp(cfg.noise_sd * z - cfg.noise_sd**2 / 2)
