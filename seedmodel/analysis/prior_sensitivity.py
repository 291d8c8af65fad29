"""How far a posterior mean would move if a prior were centred elsewhere, or were wider or
narrower: local prior sensitivity, read from the draws (no refit).

Some priors state a belief about RED's programmes rather than keep the sampler in bounds:
where a channel's effect at typical spend sits as a share of GMV, how deep its spend runs
into saturation, how much of its effect reaches the other platform, how many days after a
note is read the searches come (the seeding lag's mean and shape). Where the data are
silent (a seeding channel that is on most days and carries over for weeks, a curve whose
foot was never observed) the posterior repeats that belief, and its interval is only as
honest as the prior's centre is right. The resampling widening
(:mod:`seedmodel.analysis.influence`) cannot see this: every month repeats the same prior.

For a prior ``Normal(mu, s)`` on ``x`` (or ``LogNormal(mu, s)``: the same on ``log x``), the
derivative of a posterior mean ``E[g]`` with respect to ``mu`` is ``Cov(g, (x - mu) / s**2)``
(the prior's score; Gustafson 1996; Giordano, Broderick and Jordan, "Covariances,
robustness, and variational Bayes", 2018).
If each such centre is uncertain by ``tau`` on its own, the posterior mean's variance from
that uncertainty is, to first order, ``sum_k (tau_k * Cov(g, score_k))**2``. Here
``tau = CENTRE_SD_SCALE * s``: a centre as uncertain as the prior is wide. A quantity the
data decide has ``Cov(g, score) ~ 0`` and gains nothing; a parameter the prior alone
decides follows its centre one for one (``Cov(x, score) = 1``), gains the prior's variance
``s**2`` and its spread grows by ``sqrt(2)``.

A prior's width is a belief too: how far from its centre a channel may plausibly sit. For
the same prior, ``d E[g] / d log s = Cov(g, z**2)`` with ``z = (x - mu) / s``: a quantity the
prior pulls in from the centre's tail (a seeding channel that earns three times what
channels typically do, shrunk towards the typical) moves when the prior widens, one at the
centre does not. Each width is taken as uncertain by a factor of two on its own
(``WIDTH_LOG_SD = log 2``, the usual halve-or-double check of a prior's scale), so a cell
pulled far into the prior gains the most. With several brands and the brands' effect spread
fixed (``SeedingMMM.brand_spreads``), that spread is such a width too: how far one brand's
effect may sit from its channel's mean over brands, which decides how far pooling pulls a
brand unlike the others towards them.

Each square is taken as the mean product of the estimates from two different batches of the
draws (:func:`batch_covariances`, :func:`pair_mean`), as in
:func:`seedmodel.analysis.influence.block_jackknife_variance`, which removes the Monte
Carlo noise's upward bias.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np
import xarray as xr

__all__ = [
    "BATCHES_PER_CHAIN",
    "CENTRED_PRIORS",
    "CENTRE_SD_SCALE",
    "WIDTH_LOG_SD",
    "batch_covariances",
    "centre_variance",
    "pair_mean",
    "prior_scores",
]

#: Priors whose centre is a belief about the world, and the dimension along which each
#: centre is perturbed on its own (a channel's effect level, its half-saturation, each
#: cross-platform share): the brand-level variable without pooling, the channel's mean
#: across brands with it. A variable whose centre depends on another parameter (a brand's
#: effect around the channel's mean) is not a centre and is skipped.
CENTRED_PRIORS = {
    "log_gross": "channel",
    "log_gross_mu": "channel",
    "log_half": "channel",
    "log_half_mu": "channel",
    "share_logit": "cross",
    "share_mu": "cross",
}
#: Batches each chain's draws are cut into for the covariances' squares (:func:`pair_mean`).
#: Until 2026-12-07's fortieth session the chains were split in two halves and the square
#: taken as the product of the halves' estimates; four batches a chain cut the factor's
#: Monte Carlo noise by 16% on the family's two-brand fits (eight: 18%) at the same level
#: (docs/recovery_family.md, *Where it stands*).
BATCHES_PER_CHAIN = 4
#: How uncertain each centre is, in units of its prior's own sd.
CENTRE_SD_SCALE = 1.0
#: How uncertain each such prior's width is: the sd of its log (log 2: halved or doubled).
WIDTH_LOG_SD = float(np.log(2.0))


def batch_covariances(
    g: np.ndarray, scores: np.ndarray, per_chain: int = BATCHES_PER_CHAIN
) -> np.ndarray:
    """Posterior covariances of ``g`` with each of ``K`` scores, estimated on each of ``M``
    batches of the draws: every chain's draws cut into ``per_chain`` contiguous batches,
    centred on the means over all draws.

    Parameters
    ----------
    g : ndarray
        (C, D, ...): a quantity per draw.
    scores : ndarray
        (C, D, K): per draw, ``K`` scores (block log-likelihoods, prior scores).
    per_chain : int
        Batches per chain (fewer where a chain has fewer than two draws a batch; at least 2
        batches in all).

    Returns
    -------
    ndarray
        (M, ..., K): the covariances from each batch. The mean of the products of two
        different batches' estimates (:func:`pair_mean`) estimates a product of
        covariances without the upward bias of either estimate's own noise.
    """
    C, D = g.shape[:2]
    per_chain = max(min(per_chain, D // 2), 2 if C == 1 else 1)
    gc = g - g.mean(axis=(0, 1))
    sc = scores - scores.mean(axis=(0, 1))
    edges = np.linspace(0, D, per_chain + 1).astype(int)
    return np.stack(
        [
            np.einsum("s...,sk->...k", gc[c, a:b], sc[c, a:b]) / (b - a)
            for c in range(C)
            for a, b in pairwise(edges)
        ]
    )


def pair_mean(
    psi: np.ndarray, product: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> np.ndarray:
    """The mean of ``product(psi[i], psi[j])`` over every pair of different batches ``i !=
    j``, for a ``product`` linear in each argument: a U-statistic, with less Monte Carlo
    noise than the product of two halves' estimates (on the world family's saved fits the
    widening's factor moved 16% less between two halves of a fit's draws).

    Examples
    --------
    >>> psi = np.array([[1.0], [2.0], [4.0]])
    >>> float(pair_mean(psi, lambda a, b: (a * b).sum(-1)))  # (2 + 4 + 8) / 3
    4.666666666666667
    """
    M = psi.shape[0]
    total = psi.sum(axis=0)
    own = sum(product(p, p) for p in psi)
    return (product(total, total) - own) / (M * (M - 1))


def centre_variance(g: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The variance of the posterior mean of ``g`` when each prior centre (and width) moves
    on its own by its scale: ``sum_k Cov(g, score_k)**2``, floored at 0.

    Parameters
    ----------
    g : ndarray
        (C, D, ...): a quantity per draw.
    scores : ndarray
        (C, D, K): the prior scores times each centre's uncertainty (:func:`prior_scores`).

    Examples
    --------
    A quantity that is its prior (a standard normal, centre uncertain by 1) moves one for
    one with the centre:

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(2, 4000, 1))
    >>> round(float(centre_variance(x[..., 0], x)), 1)
    1.0
    """
    psi = batch_covariances(g, scores)
    return np.maximum(pair_mean(psi, lambda a, b: (a * b).sum(-1)), 0.0)


def prior_scores(fit, posterior: xr.Dataset) -> xr.DataArray:
    """Each centred prior's scores times their uncertainty, per draw: for its centre
    ``CENTRE_SD_SCALE * z``, for its width ``WIDTH_LOG_SD * (z**2 - 1)``, with ``z = (x -
    mu) / s`` (``(log x - mu) / s`` under a log-normal prior), each summed over the
    variable's other dimensions (a prior shared by brands moves them together), as (chain,
    draw, centre). The priors are :data:`CENTRED_PRIORS` and each channel's media-curve
    parameters under a normal or log-normal prior of fixed centre (today the seeding lag's
    ``{channel}__mean`` and ``{channel}__shape``), labelled ``"__{parameter}[{channel}]"``.

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    posterior : Dataset
        Its posterior draws (chain, draw, ...), all or some of them.

    Returns
    -------
    DataArray
        (chain, draw, centre), ``centre`` labelled ``"{variable}[{coordinate}]"`` for a
        centre and ``"{variable}:width[{coordinate}]"`` for a width; none when the model
        has no such prior of fixed centre.
    """
    from seedmodel.models.mmm.graph import build_model

    model = build_model(fit.inputs)
    free = set(model.free_RVs)
    parts = []
    for name, along in CENTRED_PRIORS.items():
        if name in model.named_vars and name in posterior:
            parts += _belief_scores(model[name], posterior[name], name, along, free)
    for rv in model.free_RVs:
        # a channel's own media-curve parameter, ``{channel}__{param}`` (the seeding lag's
        # mean and shape, which the data of a mostly-on channel rarely decide)
        channel, _, param = rv.name.partition("__")
        if param and channel in fit.inputs.channels and rv.name in posterior:
            x = posterior[rv.name].expand_dims(channel=[channel])
            parts += _belief_scores(rv, x, f"__{param}", "channel", free)
    spread = _brand_spread_z(fit, posterior)
    if spread is not None:
        parts.append(_as_centres(_width_score(spread, "brand"), "log_gross_sd:width", "channel"))
    if not parts:
        sizes = posterior.sizes
        return xr.DataArray(
            np.zeros((sizes["chain"], sizes["draw"], 0)), dims=("chain", "draw", "centre")
        )
    return xr.concat(parts, "centre").transpose("chain", "draw", "centre")


def _belief_scores(rv, x: xr.DataArray, label: str, along: str, free: set) -> list[xr.DataArray]:
    """A centre's and a width's scores for the prior of ``rv`` (draws ``x``), labelled
    ``label`` along ``along``: for ``Normal(mu, s)`` with ``z = (x - mu) / s``, for
    ``LogNormal(mu, s)`` with ``z = (log x - mu) / s``. No scores (an empty list) for
    another distribution, or a prior centred on, or scaled by, another parameter (a brand's effect
    around its channel's mean), which is not a belief about the world."""
    from pytensor.graph.traversal import ancestors
    from pytensor.tensor.random.basic import LogNormalRV, NormalRV

    if not isinstance(rv.owner.op, NormalRV | LogNormalRV):
        return []
    mu, sigma = rv.owner.inputs[-2:]
    if free & set(ancestors([mu, sigma])):
        return []
    x = x.transpose("chain", "draw", ...)
    value = np.log(x) if isinstance(rv.owner.op, LogNormalRV) else x
    shape = x.shape[2:]
    z = (value - np.broadcast_to(mu.eval(), shape)) / np.broadcast_to(sigma.eval(), shape)
    others = [d for d in x.dims if d not in ("chain", "draw", along)]
    return [
        _as_centres(CENTRE_SD_SCALE * z.sum(others), label, along),
        _as_centres(_width_score(z, others), f"{label}:width", along),
    ]


def _width_score(z: xr.DataArray, others) -> xr.DataArray:
    """A width's score times its uncertainty, ``WIDTH_LOG_SD * (z**2 - 1)``, summed over
    ``others`` (the dimensions the width is shared by)."""
    return WIDTH_LOG_SD * (z**2 - 1.0).sum(others)


def _as_centres(score: xr.DataArray, label: str, along: str) -> xr.DataArray:
    """``score`` (chain, draw, ``along``) as (chain, draw, centre), each labelled
    ``"{label}[{coordinate}]"``."""
    return xr.DataArray(
        score.transpose("chain", "draw", along).values,
        dims=("chain", "draw", "centre"),
        coords={"centre": [f"{label}[{c}]" for c in score[along].values]},
    )


def _brand_spread_z(fit, posterior: xr.Dataset) -> xr.DataArray | None:
    """Each brand's log effect at typical spend around its channel's mean over brands, in
    units of the brands' spread, where that spread is fixed: (chain, draw, brand, channel);
    None with one brand, a learnt spread, or the channels' effects pooled
    (``effect_pooling="channels"``), where no fixed width of this kind is there to perturb."""
    from seedmodel.models.mmm.graph import _effect_offset
    from seedmodel.models.mmm.priors import root_mean_square

    spec, inp = fit.spec, fit.inputs
    pooled = len(inp.brands) > 1
    if not pooled or "log_gross_sd" not in spec.fixed_spreads(len(inp.brands)):
        return None
    if spec.effect_pooling == "channels":
        return None
    if "log_gross_z" in posterior:  # the brands' effects as standardised offsets
        return posterior["log_gross_z"]
    offset = 0.0 if spec.effect_centre == "between" else _effect_offset(inp)
    mu = posterior["log_gross_mu"] + xr.DataArray(
        np.broadcast_to(offset, (len(inp.brands), len(inp.channels))),
        dims=("brand", "channel"),
    )
    return (posterior["log_gross"] - mu) / root_mean_square(spec.prior("log_gross_sd"))
