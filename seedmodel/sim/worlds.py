"""Named simulator worlds that the recovery benchmark and the slow tests share."""

from __future__ import annotations

from dataclasses import replace

from seedmodel.sim.config import WorldConfig

__all__ = ["RECOVERY_WORLDS", "recovery_world"]

#: name -> settings changed from WorldConfig's defaults (3 brands, two years, daily).
RECOVERY_WORLDS: dict[str, dict] = {
    # every mechanism on: buzz confounding, Weibull seeding lags, halo and cannibalisation
    "default": dict(n_brands=3, lift_tests=True),
    # buzz pulls demand and budgets twice as hard
    "strong_buzz": dict(n_brands=3, buzz_strength=2.0, lift_tests=True),
    # 红京 takes 15% of its JD effect away from Tmall
    "cannibal": dict(n_brands=3, lift_tests=False),
}


def recovery_world(name: str) -> WorldConfig:
    """The named world's configuration.

    Examples
    --------
    >>> recovery_world("strong_buzz").buzz_strength
    2.0
    >>> [c.halo for c in recovery_world("cannibal").channels if c.name == "red_jd"]
    [-0.15]
    """
    config = WorldConfig(**RECOVERY_WORLDS[name])
    if name == "cannibal":
        channels = tuple(
            replace(c, halo=-0.15) if c.name == "red_jd" else c for c in config.channels
        )
        config = replace(config, channels=channels)
    return config
