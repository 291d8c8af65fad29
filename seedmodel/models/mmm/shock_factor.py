"""A measure of fast demand shocks from the budgets that chase them.

When a promotion or a viral note lifts demand, teams raise every channel's spend the same
day, and sales rise on their own as well. The shock is not in the contract's tables, so the
model would credit the media with it: on family worlds whose budgets chase such shocks, the
seeding channel came out at two to three times its true ROI with a narrow interval, and
given the true shock series as a control it was recovered (docs/mmm.md, *Twenty-seventh
look*).

The budgets themselves carry the shock. Each channel's log spend, less its slow planned
level (a centred rolling median of live spend), is the shock times a loading plus the
channel's own noise; a one-factor dynamic factor model with an AR(1) factor
(:class:`statsmodels.tsa.statespace.dynamic_factor.DynamicFactor`), fitted by maximum
likelihood and Kalman-smoothed, pools the channels and the neighbouring days into one
estimate of the shock per period. Entering the baseline as a control, it is a control
function: given it, the part of the shock left over is (in the linear-Gaussian case)
unrelated to any channel's spend on any day, which the same-day deviations alone
(``budget_reaction``) are not. In practice the factor is a noisy measure of the shock, so
it removes part of the confounding, not all of it, and a campaign that moves every
channel's planned budget at once reads as a shock too. Measured on the world family it is
an option (``SeedingMMM(shocks="budget_factor")``), not the default.
"""

from __future__ import annotations

import warnings

import numpy as np

from seedmodel.features import standardise

__all__ = ["MIN_LIVE_SHARE", "budget_shock_factor"]

#: A channel's deviations join the factor when it spends on at least this share of periods.
MIN_LIVE_SHARE = 0.2


def budget_shock_factor(deviations: np.ndarray, live: np.ndarray) -> np.ndarray:
    """(T,) the smoothed common factor of one brand's budget deviations, unit variance.

    Parameters
    ----------
    deviations : ndarray (C, T)
        Log spend less its planned level, per channel (any value where not ``live``).
    live : ndarray of bool (C, T)
        Where the channel spent.

    Returns
    -------
    ndarray (T,)
        The Kalman-smoothed factor, standardised; its sign is arbitrary (a control's
        coefficient is free). Zeros when no channel spends often enough. With one such
        channel, its standardised deviations (0 where off).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> shock = np.convolve(rng.standard_normal(400), 0.8 ** np.arange(10))[:400]
    >>> dev = 0.5 * shock + 0.3 * rng.standard_normal((3, 400))
    >>> f = budget_shock_factor(dev, np.ones((3, 400), bool))
    >>> bool(abs(np.corrcoef(f, shock)[0, 1]) > 0.9)
    True
    """
    keep = live.mean(axis=1) >= MIN_LIVE_SHARE
    T = deviations.shape[1]
    if not keep.any():
        return np.zeros(T)
    obs = np.where(live[keep], deviations[keep], np.nan)
    obs = (obs - np.nanmean(obs, axis=1, keepdims=True)) / np.maximum(
        np.nanstd(obs, axis=1, keepdims=True), 1e-9
    )
    if obs.shape[0] == 1:
        return standardise(np.nan_to_num(obs[0]))
    from statsmodels.tsa.statespace.dynamic_factor import DynamicFactor

    model = DynamicFactor(obs.T, k_factors=1, factor_order=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the optimiser's convergence chatter
        result = model.fit(disp=False, maxiter=200)
    return standardise(np.asarray(result.smoothed_state[0]))
