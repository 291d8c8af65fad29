"""A family of simulated worlds whose mechanisms are drawn from wide ranges.

Three hand-made worlds flatter the model that was developed against them. The family draws
each world's lags, saturation shapes, flighting, go-lives, spend and baseline trends,
confounding (slow buzz and fast demand shocks), budget timing, media weight and noise from
the documented ranges in :data:`FAMILY_RANGES`, including values the model does not have
(Hill slopes other than 1, lags longer than its window, heavy-tailed or additive noise,
S-shaped trends and level shifts). Every world records which mechanisms it drew, so that
recovery can be reported by mechanism.

:data:`STRESS_WORLDS` adds named worlds built to break the model in known ways.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from seedmodel.sim.config import DEFAULT_CHANNELS, ChannelSpec, WorldConfig

__all__ = [
    "FAMILY_RANGES",
    "STRESS_WORLDS",
    "FamilyWorld",
    "family_world",
    "stress_world",
]

#: The range each mechanism is drawn from (uniform unless said otherwise).
FAMILY_RANGES: dict[str, Any] = {
    "days": (540, 730),
    "seeding_lag_shape": (1.0, 2.5),
    "seeding_lag_scale_days": (6.0, 30.0),
    "seeding_max_lag_days": (45, 90),
    "link_lag_alpha": (0.1, 0.6),
    "hill_slope": (0.5, 3.0),
    "flight_on_days": (7.0, 60.0),
    "flight_off_days": (3.0, 30.0),
    "go_live_day": (0, 240),
    "go_live_probability": 0.5,
    "spend_growth": (-0.4, 1.0),
    "baseline_growth": (-0.15, 0.35),
    "trend_bend": (0.0, 0.4),
    "level_shifts": (0, 2),
    "buzz_strength": (0.0, 2.0),
    "shock_sd": (0.0, 0.25),
    "shock_days": (1.0, 10.0),
    "shock_budget_pull": (0.0, 0.6),
    "budget_lead_days": (-14, 14),
    "media_share": (0.03, 0.30),
    "noise": ("lognormal", "student_t", "additive"),
    "noise_sd": (0.04, 0.15),
    "noise_phi": (0.0, 0.6),
    "channel_roi": (0.5, 5.0),
    # drawn only for family_world(..., organic_echo=True), from a stream of its own
    "organic_echo": (0.1, 0.6),
}


@dataclass(frozen=True)
class FamilyWorld:
    """One drawn world: its configuration and the mechanism groups it falls in.

    Attributes
    ----------
    name : str
        ``family-<seed>`` or the stress world's name.
    config : WorldConfig
        The world's settings.
    mechanisms : dict
        Mechanism -> group label (e.g. ``{"seeding_lag": "long", "hill": "s_shaped"}``):
        the rows of the recovery table by mechanism.
    """

    name: str
    config: WorldConfig
    mechanisms: dict[str, str]


def _channels(rng: np.random.Generator, start: str) -> tuple[ChannelSpec, ...]:
    r = FAMILY_RANGES
    out = []
    for spec in DEFAULT_CHANNELS:
        if spec.kind == "organic":
            out.append(spec)
            continue
        change: dict[str, Any] = dict(
            hill_slope=float(rng.uniform(*r["hill_slope"])),
            flight_on=float(rng.uniform(*r["flight_on_days"])),
            flight_off=float(rng.uniform(*r["flight_off_days"])),
            spend_growth=float(rng.uniform(*r["spend_growth"])),
            roi=float(rng.uniform(*r["channel_roi"])),
            go_live=None,
        )
        if rng.random() < r["go_live_probability"]:
            day = int(rng.integers(*r["go_live_day"]))
            change["go_live"] = str(np.datetime64(start) + np.timedelta64(day, "D"))
        if spec.kind == "seeding":
            change |= dict(
                lag_shape=float(rng.uniform(*r["seeding_lag_shape"])),
                lag_scale=float(rng.uniform(*r["seeding_lag_scale_days"])),
                max_lag=int(rng.integers(*r["seeding_max_lag_days"])),
            )
        else:
            change["lag_alpha"] = float(rng.uniform(*r["link_lag_alpha"]))
        out.append(replace(spec, **change))
    return tuple(out)


def family_world(seed: int, *, n_brands: int = 1, organic_echo: bool = False) -> FamilyWorld:
    """Draw world ``seed`` of the family.

    Parameters
    ----------
    seed : int
        The same seed gives the same world.
    n_brands : int
        Brands in the world (default 1: many small worlds cover the ranges faster than a
        few large ones). Every brand shares the world's mechanisms; sizes, levels, budgets,
        ROIs and noise are drawn per brand, and the SeedingMMM pools brands' effects, so
        several-brand worlds test the pooled model (docs/mmm.md, *Twenty-sixth look*).
    organic_echo : bool
        Let part of the organic notes' reads echo the seeding notes
        (``WorldConfig.organic_echo``, drawn from ``FAMILY_RANGES["organic_echo"]`` by a
        stream of its own): the same world otherwise, with organic notes that no longer
        measure demand alone.

    Returns
    -------
    FamilyWorld

    Examples
    --------
    >>> w = family_world(3)
    >>> w.name, sorted(w.mechanisms)[:3]
    ('family-3', ['budget_timing', 'buzz', 'flighting'])
    >>> family_world(3).config == w.config
    True
    """
    r = FAMILY_RANGES
    rng = np.random.default_rng([seed, 2026])
    start = "2024-07-01"
    channels = _channels(rng, start)
    config = WorldConfig(
        start=start,
        days=int(rng.integers(*r["days"])),
        n_brands=n_brands,
        channels=channels,
        growth=float(rng.uniform(*r["baseline_growth"])),
        trend_bend=float(rng.uniform(*r["trend_bend"])),
        level_shifts=int(rng.integers(r["level_shifts"][0], r["level_shifts"][1] + 1)),
        buzz_strength=float(rng.uniform(*r["buzz_strength"])),
        shock_sd=float(rng.uniform(*r["shock_sd"])),
        shock_days=float(rng.uniform(*r["shock_days"])),
        shock_budget_pull=float(rng.uniform(*r["shock_budget_pull"])),
        budget_lead_days=int(rng.integers(r["budget_lead_days"][0], r["budget_lead_days"][1] + 1)),
        media_share=float(rng.uniform(*r["media_share"])),
        noise=str(rng.choice(r["noise"])),
        noise_sd=float(rng.uniform(*r["noise_sd"])),
        noise_phi=float(rng.uniform(*r["noise_phi"])),
    )
    if organic_echo:
        echo = np.random.default_rng([seed, 2026, 1]).uniform(*r["organic_echo"])
        config = replace(config, organic_echo=float(echo))
    return FamilyWorld(f"family-{seed}", config, mechanisms(config))


def mechanisms(config: WorldConfig) -> dict[str, str]:
    """The mechanism groups of a configuration (the recovery table's rows)."""
    seeding_spec = next(c for c in config.channels if c.kind == "seeding")
    lag_mean = seeding_spec.mean_lag()
    slope = seeding_spec.hill_slope
    duty = seeding_spec.flight_on / max(seeding_spec.flight_on + seeding_spec.flight_off, 1e-9)
    trend_runs_with = np.sign(seeding_spec.spend_growth) == np.sign(config.growth or 0.0)
    return {
        "seeding_lag": "long (mean > 20 d)" if lag_mean > 20 else "short (mean <= 20 d)",
        "seeding_hill": (
            "s_shaped (slope > 1.5)"
            if slope > 1.5
            else "sharp (slope < 0.8)"
            if slope < 0.8
            else "near 1 (0.8-1.5)"
        ),
        "flighting": "mostly on (duty > 0.7)" if duty > 0.7 else "bursty (duty <= 0.7)",
        "spend_trend": "with baseline" if trend_runs_with else "against baseline",
        "buzz": "strong (> 1)" if config.buzz_strength > 1 else "weak (<= 1)",
        "shocks": (
            "chased by budgets"
            if config.shock_sd > 0.1 and config.shock_budget_pull > 0.3
            else "mild or unchased"
        ),
        "budget_timing": "leads demand" if config.budget_lead_days > 0 else "lags demand",
        "media_share": "heavy (> 15%)" if (config.media_share or 0) > 0.15 else "light (<= 15%)",
        "noise": config.noise,
        "trend_shape": (
            "bent or shifted" if config.trend_bend > 0.2 or config.level_shifts else "smooth"
        ),
        "organic_echo": (
            "none"
            if config.organic_echo == 0
            else "strong (> 0.35)"
            if config.organic_echo > 0.35
            else "mild (<= 0.35)"
        ),
    }


def _seeding_trend_world(buzz: float) -> WorldConfig:
    """小红星 flighted about two weeks in three with a long Weibull lag and a budget growing
    80% over two years while GMV grows about 25%; S-shaped and sharp Hill curves."""
    slopes = {"little_red_star": 1.8, "red_cat": 0.7, "red_jd": 1.5}
    channels = []
    for c in DEFAULT_CHANNELS:
        if c.name == "little_red_star":
            c = replace(
                c, flight_on=14, flight_off=7, spend_growth=0.8, lag_shape=1.4, lag_scale=20
            )
        channels.append(replace(c, hill_slope=slopes.get(c.name, 1.0)))
    return WorldConfig(
        n_brands=2, channels=tuple(channels), growth=0.12, buzz=buzz > 0, buzz_strength=buzz
    )


def _shocks_world(organic: float = 0.0, buzz: float = 0.3, weekly: bool = False) -> WorldConfig:
    """Two brands whose budgets chase fast demand shocks the same day (sd 0.2, memory 4
    days, a week on weekly data), seen by the organic notes with pull ``organic``
    (``WorldConfig.organic_shocks``) beside a buzz of strength ``buzz`` (0: none)."""
    return WorldConfig(
        n_brands=2,
        freq="W" if weekly else "D",
        shock_sd=0.2,
        shock_days=7.0 if weekly else 4.0,
        shock_budget_pull=0.6,
        buzz=buzz > 0,
        buzz_strength=buzz if buzz > 0 else 1.0,
        organic_shocks=organic,
    )


#: Named worlds built to break the model in known ways.
STRESS_WORLDS: dict[str, Any] = {
    # the held-out failure: a slow, mostly-on seeding channel whose budget outgrows GMV
    "seeding_trend": lambda: _seeding_trend_world(0.5),
    # the same with no confounding at all: the failure is identification, not buzz
    "seeding_trend_unconfounded": lambda: _seeding_trend_world(0.0),
    # fast demand shocks (promotions, a viral note) that budgets chase week to week
    "fast_shocks": lambda: _shocks_world(),
    # the same shocks, seen by the organic notes (or a demand measure put in their place),
    # mixed with the buzz and the notes' own noise
    "measured_shocks": lambda: _shocks_world(organic=0.6),
    # the organic notes all but equal the shocks (no buzz; the shock's pull on them three
    # times the buzz's): a known confounder's own series in the organic notes' place
    "shock_series": lambda: _shocks_world(organic=2.0, buzz=0.0),
    # the same two on weekly data, the shocks moving week to week: the state's knots are
    # two weeks apart there
    "measured_shocks_weekly": lambda: _shocks_world(organic=0.6, weekly=True),
    "shock_series_weekly": lambda: _shocks_world(organic=2.0, buzz=0.0, weekly=True),
    # half the organic notes' reads echo the seeding notes (users' notes they spark), so
    # organic notes no longer measure demand alone
    "organic_echo": lambda: WorldConfig(n_brands=2, organic_echo=0.5),
    # 小红星 has no effect at all; buzz drives its reads and GMV
    "null_seeding": lambda: WorldConfig(
        n_brands=2,
        buzz_strength=1.5,
        channels=tuple(
            replace(c, roi=0.0) if c.name == "little_red_star" else c for c in DEFAULT_CHANNELS
        ),
    ),
}


def stress_world(name: str) -> FamilyWorld:
    """A named stress world (:data:`STRESS_WORLDS`).

    Examples
    --------
    >>> stress_world("seeding_trend").config.n_brands
    2
    """
    config = STRESS_WORLDS[name]()
    return FamilyWorld(name, config, {"stress": name})
