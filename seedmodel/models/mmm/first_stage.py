"""First stage of the engagement path: how much engagement a yuan buys, over time.

A channel that responds to engagement (reads, clicks, ...) needs, for a budget plan, the
engagement the plan's yuan will buy. The log engagement per yuan on live periods is a local
level (random walk plus noise, :class:`statsmodels.tsa.statespace.structural.
UnobservedComponents`): CPMs and content quality drift, and festival peaks are dearer. Its
forecast over the plan's periods, with the level's uncertainty, is the plan's yield.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["EngagementYield", "engagement_yield"]


@dataclass(frozen=True)
class EngagementYield:
    """Forecast engagement per yuan over a plan, per brand x channel.

    Attributes
    ----------
    log_mean : ndarray (B, C)
        Forecast mean of log engagement per yuan (0 for channels that respond to spend).
    log_sd : ndarray (B, C)
        Its standard deviation: the level's uncertainty now, plus its drift averaged over
        the plan's periods.
    """

    log_mean: np.ndarray
    log_sd: np.ndarray

    def draws(self, n: int, seed: int) -> np.ndarray:
        """(B, C, n) engagement per yuan, one per posterior draw, seeded."""
        z = np.random.default_rng(seed).standard_normal((*self.log_mean.shape, n))
        return np.exp(self.log_mean[..., None] + self.log_sd[..., None] * z)


def _local_level(log_yield: np.ndarray, periods: int) -> tuple[float, float]:
    """Forecast mean and sd of a local level's average over the next ``periods``."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    obs = log_yield[np.isfinite(log_yield)]
    if obs.size < 10:  # too few live periods for a time-varying level: their mean
        return float(obs.mean()), float(obs.std(ddof=1) / np.sqrt(obs.size) if obs.size > 1 else 1)
    model = UnobservedComponents(log_yield, level="local level")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optimiser chatter; the filter is what we use
        res = model.fit(disp=False)
    level = float(res.smoothed_state[0, -1])
    level_var = float(res.smoothed_state_cov[0, 0, -1])
    drift_var = float(res.params[list(res.model.param_names).index("sigma2.level")])
    # the mean of a random walk over k = 1..periods steps ahead: variance drift * sum(k^2)/n^2
    k = np.arange(1, periods + 1)
    avg_drift = drift_var * float(np.sum(k**2)) / periods**2
    return level, float(np.sqrt(level_var + avg_drift))


def engagement_yield(
    spend: np.ndarray,
    engagement: np.ndarray,
    inputs: tuple[str, ...],
    periods: int,
    channels: tuple[str, ...] | None = None,
) -> EngagementYield:
    """Forecast each channel's engagement per yuan over a plan of ``periods`` periods.

    Parameters
    ----------
    spend, engagement : ndarray (B, C, T)
        Spend (CNY) and the channel's response input over the data (for channels that
        respond to spend, ``engagement`` is the spend itself).
    inputs : tuple of str
        Each channel's ``MediaSpec.input``.
    periods : int
        Plan length in periods.
    channels : tuple of str, optional
        Channel names, for error messages.

    Returns
    -------
    EngagementYield
        A brand that never bought a channel gets the other brands' average yield, with
        their spread between brands added to its uncertainty.

    Raises
    ------
    ValueError
        When no brand has both spend and engagement on a channel that responds to
        engagement.
    """
    B, C = spend.shape[:2]
    mean, sd = np.zeros((B, C)), np.zeros((B, C))
    for c, name in enumerate(inputs):
        if name == "spend":
            continue
        dark = []
        for b in range(B):
            live = (spend[b, c] > 0) & (engagement[b, c] > 0)
            if not live.any():
                dark.append(b)
                continue
            log_yield = np.full(spend.shape[-1], np.nan)
            log_yield[live] = np.log(engagement[b, c, live] / spend[b, c, live])
            # the data's last live period anchors the level; trailing dark periods are gaps
            mean[b, c], sd[b, c] = _local_level(log_yield, periods)
        if dark:
            channel = channels[c] if channels else f"#{c}"
            mean[dark, c], sd[dark, c] = _borrowed(mean[:, c], sd[:, c], dark, name, channel)
    return EngagementYield(mean, sd)


#: Spread of log engagement per yuan between brands, assumed when only one brand has data
#: (a factor of about 1.6 either way).
BRAND_SPREAD = 0.5


def _borrowed(
    mean: np.ndarray, sd: np.ndarray, dark: list[int], name: str, channel: str
) -> tuple[float, float]:
    """Yield of brands that never bought ``name`` on a channel: the other brands' average
    level, uncertain by their own uncertainty and the spread a new brand has around them."""
    seen = np.setdiff1d(np.arange(mean.size), dark)
    if seen.size == 0:
        raise ValueError(
            f"table media: channel {channel!r}: no brand has both spend and {name!r}, so what "
            "a yuan buys cannot be estimated; fit it on spend (MediaSpec(input='spend'))"
        )
    n = seen.size
    if n == 1:
        spread = BRAND_SPREAD
    else:
        # a new brand's predictive spread from n brands: s * sqrt(1 + 1/n), widened so the
        # normal's 90% interval matches Student's t with n - 1 degrees of freedom
        widen = stats.t.ppf(0.95, n - 1) / stats.norm.ppf(0.95)
        spread = mean[seen].std(ddof=1) * np.sqrt(1 + 1 / n) * widen
    return float(mean[seen].mean()), float(np.sqrt(np.mean(sd[seen] ** 2) + spread**2))
