"""The SeedingMMM's priors, as data: one table the graph reads, a spec can override and a
fit file records.

Every prior sits on a unit-free quantity (spend over its typical level, GMV over its mean),
so none depends on the currency or scale of the data. The standard-normal offsets of the
non-centred parametrisations (``*_z``) are not priors one would vary and are not listed;
the carryover and saturation priors belong to their components
(:mod:`seedmodel.transforms.components`), and the effect at typical spend to
``SeedingMMM.effect_prior``. Priors whose centre depends on the data (the cross-platform
share's centre, which depends on whether the channel links to a store) hold only their
scale here.
"""

from __future__ import annotations

import math

from seedmodel.transforms.components import PriorSpec

__all__ = ["PRIORS", "root_mean_square"]

#: Name -> prior of the SeedingMMM's own parameters.
PRIORS: dict[str, PriorSpec] = {
    # saturation scale (log, in units of typical input), per brand x channel. Wide: the data
    # rarely show how a curve bends (an always-on channel is seen near its typical spend
    # only), and the bend sets mROI against ROI; log sd 0.4 until 2026-12-05 held mROI / ROI
    # near 0.5 whatever the data (docs/mmm.md, "Seventeenth look")
    "log_half": PriorSpec("Normal", mu=0.0, sigma=1.0),
    "log_half_sd": PriorSpec("HalfNormal", sigma=0.3),  # its spread across brands
    "log_gross_sd": PriorSpec("HalfNormal", sigma=0.5),  # spread of the effect across brands
    # a channel's effect on another platform, as a logit share (centre set per channel)
    "share_logit": PriorSpec("Normal", sigma=1.2),
    "share_sd": PriorSpec("HalfNormal", sigma=0.5),
    # baseline
    "intercept": PriorSpec("Normal", mu=-0.1, sigma=0.2),  # log level / mean GMV
    "gamma": PriorSpec("Normal", mu=0.0, sigma=0.3),  # calendar and seasonality terms
    "trend_step": PriorSpec("HalfNormal", sigma=0.1),  # smooth trend's step per knot
    "shock_sd": PriorSpec("HalfNormal", sigma=0.1),  # weekly demand shocks
    # demand state
    "demand_coef": PriorSpec("Normal", mu=0.0, sigma=1.5),  # its spline weights
    "demand_control": PriorSpec("Normal", mu=0.0, sigma=0.3),  # demand="control"
    "demand_loading": PriorSpec("Normal", mu=0.0, sigma=0.3),
    # organic_echo="paid": the organic signal's (sd units) response to a paid channel's
    # standardised carried-over input
    "organic_echo": PriorSpec("Normal", mu=0.0, sigma=0.5),
    "organic_sd": PriorSpec("HalfNormal", sigma=1.0),
    "rate_offset": PriorSpec("Normal", mu=0.0, sigma=1.0),
    "rate_loading": PriorSpec("Normal", mu=0.0, sigma=1.0),
    "rate_sd": PriorSpec("HalfNormal", sigma=1.0),
    # noise
    "sigma": PriorSpec("HalfNormal", sigma=0.2),
    "rho": PriorSpec("Uniform", lower=-0.2, upper=0.95),
    "nu": PriorSpec("Gamma", alpha=2.0, beta=0.1),  # noise="student_t"
}


def root_mean_square(prior: PriorSpec) -> float:
    """The square root of ``E[x**2]`` under a positive prior: the value a spread fixed in
    its place takes (``SeedingMMM.brand_spreads``: ``"effect"``, ``"fixed"``, and
    ``"auto"`` with two brands), so that a quantity drawn around a mean with it keeps, on
    average, the learnt spread's variance.

    Raises
    ------
    ValueError
        A prior this function has no closed form for (or without a second moment).

    Examples
    --------
    >>> root_mean_square(PriorSpec("HalfNormal", sigma=0.5))
    0.5
    >>> round(root_mean_square(PriorSpec("Gamma", alpha=2.0, beta=4.0)), 4)
    0.6124
    """
    k = dict(prior.kwargs)
    if prior.dist == "HalfNormal":
        return k["sigma"]
    if prior.dist == "Gamma":
        return math.sqrt(k["alpha"] * (k["alpha"] + 1.0)) / k["beta"]
    if prior.dist == "LogNormal":
        return math.exp(k.get("mu", 0.0) + k["sigma"] ** 2)
    if prior.dist == "Exponential":
        return math.sqrt(2.0) / k["lam"]
    raise ValueError(
        f"a {prior.dist} prior has no root mean square here: a fixed spread needs "
        "HalfNormal, Gamma, LogNormal or Exponential"
    )
