"""How much an ROI would move if other months had been observed: the block infinitesimal
jackknife of a fit's posterior, from its draws alone (no refit).

A posterior's interval says how sure the model is *if the model is right*. Resampling the
data says how much the answer moves with the data the brand happened to get: if a few
months (a promotion its budget chased, a viral note) carry an ROI, dropping or doubling them
moves it far, whatever the posterior's width. The bootstrap measures this by refitting;
the infinitesimal jackknife (Giordano and Broderick, "The Bayesian infinitesimal jackknife
for variance", 2023) reads it from the draws at hand: the derivative of a posterior mean
``E[g]`` with respect to the weight of data block ``k`` in the likelihood is the posterior
covariance of ``g`` with that block's log-likelihood, ``psi_k = Cov(g, l_k)``, and the
block bootstrap's variance of ``E[g]`` is, to first order,
``sum_k psi_k**2 - (sum_k psi_k)**2 / K`` over the ``K`` blocks.

Blocks are calendar windows of ``block_days`` days over all brands and platforms together
(days of one window share their demand shocks and AR(1) residuals; windows are treated as
exchangeable). Each block's log-likelihood is the GMV likelihood's (the AR(1) innovation
density per observed period) plus, with a latent demand state measured by organic notes,
the organic signal's. Lift tests keep their weight: they are not resampled.

In a fit of several brands a brand's ROI also leans on the other brands, through what the
pooled model lets them share (the seeding lag, each channel's mean effect). Brands and
months are crossed factors of the data, and the variance of an estimate from such data is
about the sum of what resampling each factor alone gives (the pigeonhole bootstrap): the
months' part above, and the other brands' part, each brand ``b`` weighted afresh (a Poisson
bootstrap), ``sum_b Cov(g, l_b)**2`` over the brands other than the cell's own, with ``l_b``
brand ``b``'s whole log-likelihood (:func:`brands_variance`).

The square of a Monte Carlo estimate of ``psi_k`` is biased upwards by its own noise; the
variance here multiplies the estimates of different batches of the draws (each chain cut
into four) and averages over every pair of batches, which removes that bias with less noise
than one product of two halves.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from seedmodel.analysis.memo import once
from seedmodel.analysis.posterior import SAMPLE
from seedmodel.analysis.prior_sensitivity import (
    batch_covariances,
    centre_variance,
    pair_mean,
    prior_scores,
)

__all__ = [
    "block_jackknife_variance",
    "block_loglik",
    "brand_loglik",
    "brands_variance",
    "period_loglik",
    "thinned_positions",
    "widen",
    "widening",
]

#: The default block: four weeks, about a month of a brand's budget cycle.
BLOCK_DAYS = 28
#: Fewer draws than this over all chains leave every interval as it is: each half's
#: covariances would be mostly Monte Carlo noise (such a fit is flagged unconverged anyway).
MIN_DRAWS = 200
#: A safety bound on the widening: on 435 cells of the world family the largest was 2.3.
MAX_WIDENING = 4.0


def period_loglik(fit, *, draws: int = 1000) -> np.ndarray:
    """Log-likelihood per posterior draw, brand and fitted period: (chain, draw, brand,
    period), the GMV likelihood's summed over platforms plus, with a latent demand state
    measured by organic notes, the organic signal's.

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    draws : int
        At most this many draws per chain, evenly spaced (the draws of
        ``seedmodel.analysis.fitted.log_likelihood``).
    """
    from seedmodel.analysis.fitted import _thinned, log_likelihood

    tree = log_likelihood(fit, draws=draws)
    inp = fit.inputs
    T = inp.y.shape[-1] - inp.holdout
    mask = inp.observed[..., :T]
    flat = tree["log_likelihood"]["gmv"].values  # (C, D, observed obs)
    C, D = flat.shape[:2]
    ll = np.zeros((C, D, *mask.shape))
    ll.reshape(C, D, -1)[..., mask.ravel()] = flat
    return ll.sum(axis=3) + _organic_loglik(fit, _thinned(fit, draws), T)  # (C, D, B, T)


def block_loglik(fit, *, block_days: int = BLOCK_DAYS, draws: int = 1000) -> xr.DataArray:
    """Log-likelihood per posterior draw summed by calendar block over every brand: (chain,
    draw, block).

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    block_days : int
        Days per block (rounded to whole periods; at least one period).
    draws : int
        As :func:`period_loglik`.
    """
    per_period = once(fit, ("period_loglik", draws), lambda: period_loglik(fit, draws=draws))
    per_period = per_period.sum(axis=2)  # (C, D, T)
    T = per_period.shape[-1]
    size = max(1, round(block_days / fit.data.period_days))
    block = np.arange(T) // size
    sums = np.stack([per_period[..., block == k].sum(-1) for k in range(block.max() + 1)], -1)
    return xr.DataArray(sums, dims=("chain", "draw", "block"))


def brand_loglik(fit, *, draws: int = 1000) -> xr.DataArray:
    """Each brand's whole log-likelihood per posterior draw: (chain, draw, brand).

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    draws : int
        As :func:`period_loglik`.
    """
    per_period = once(fit, ("period_loglik", draws), lambda: period_loglik(fit, draws=draws))
    return xr.DataArray(
        per_period.sum(axis=-1),
        dims=("chain", "draw", "brand"),
        coords={"brand": list(fit.inputs.brands)},
    )


def brands_variance(g: np.ndarray, brands: np.ndarray, own: np.ndarray) -> np.ndarray:
    """The variance of the posterior mean of ``g`` when each of the *other* brands of a pooled
    fit is weighted afresh (a Poisson bootstrap over brands), to first order:
    ``sum_b psi_b**2`` over the brands ``b`` other than the cell's own, ``psi_b = Cov(g,
    l_b)`` with ``l_b`` brand ``b``'s whole log-likelihood.

    Parameters
    ----------
    g : ndarray
        (C, D, ...): a quantity per draw.
    brands : ndarray
        (C, D, B): each brand's log-likelihood per draw (:func:`brand_loglik`).
    own : ndarray
        (..., B), broadcastable against ``g``'s cells: 1 where brand ``b`` is the cell's
        own brand (its months are :func:`block_jackknife_variance`'s), else 0.

    Returns
    -------
    ndarray
        (...): floored at 0; each product the mean over pairs of different batches of the
        draws (:func:`seedmodel.analysis.prior_sensitivity.pair_mean`).

    Examples
    --------
    Brand 0's quantity moves with brand 1's data (through a shared parameter), not with
    brand 2's:

    >>> rng = np.random.default_rng(0)
    >>> l = rng.normal(size=(2, 4000, 3))
    >>> g = 0.4 * l[..., 1] + rng.normal(size=(2, 4000))
    >>> own = np.eye(3)[0]  # the cell is brand 0's
    >>> bool(0.12 < float(brands_variance(g, l, own)) < 0.2)  # 0.4 ** 2 = 0.16
    True
    """
    other = 1.0 - own

    def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a * b * other).sum(-1)

    return np.maximum(pair_mean(batch_covariances(g, brands), product), 0.0)


def _organic_loglik(fit, posterior: xr.Dataset, T: int) -> np.ndarray | float:
    """The organic signal's log density per draw, brand and period (C, D, B, T); 0 when the
    demand state is not measured by organic notes alone."""
    inp, spec = fit.inputs, fit.spec
    if spec.demand != "latent" or inp.organic is None or spec.organic_echo != "none":
        return 0.0
    from scipy.stats import norm

    state = np.einsum("cdbk,tk->cdbt", posterior["demand_coef"].values, inp.basis[:T])
    sd = posterior["organic_sd"].values[..., None]
    return norm.logpdf(inp.organic[None, None, :, :T], state, sd)


def block_jackknife_variance(g: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """The block bootstrap's variance of the posterior mean of ``g``, to first order.

    Parameters
    ----------
    g : ndarray
        (C, D, ...): a quantity per draw.
    blocks : ndarray
        (C, D, K): the log-likelihood of each of ``K`` blocks per draw.

    Returns
    -------
    ndarray
        (...): ``sum_k psi_k**2 - (sum_k psi_k)**2 / K`` with ``psi_k = Cov(g, l_k)``, each
        product taken as the mean product of the estimates from two different batches of
        the draws (:func:`seedmodel.analysis.prior_sensitivity.pair_mean`), floored at 0.

    Examples
    --------
    A quantity that moves with one block only varies with that block's weight:

    >>> rng = np.random.default_rng(0)
    >>> l = rng.normal(size=(4, 2000, 10))
    >>> g = 0.5 * l[..., 3] + rng.normal(size=(4, 2000))
    >>> v = block_jackknife_variance(g, l)
    >>> bool(0.15 < float(v) < 0.3)  # 0.25 * (1 - 1 / 10) = 0.225
    True
    """
    K = blocks.shape[-1]

    def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a * b).sum(-1) - a.sum(-1) * b.sum(-1) / K

    return np.maximum(pair_mean(batch_covariances(g, blocks), product), 0.0)


def thinned_positions(fit, draws: int = 1000) -> np.ndarray:
    """Positions, in a fit's flattened draws (chain-major, as :meth:`Fit.draws`), of the
    draws :func:`block_loglik` uses: (chain, draw)."""
    from seedmodel.analysis.fitted import _thinned

    picks = np.searchsorted(
        fit.posterior["posterior"]["draw"].values, _thinned(fit, draws)["draw"].values
    )
    n, C = fit.posterior["posterior"].sizes["draw"], fit.posterior["posterior"].sizes["chain"]
    return np.arange(C)[:, None] * n + picks[None, :]


def widening(
    fit,
    quantities: dict[str, xr.DataArray],
    *,
    block_days: int = BLOCK_DAYS,
    draws: int = 1000,
    prior_centres: bool = False,
    ridge: bool = False,
) -> xr.Dataset:
    """How much wider than the posterior's each quantity's interval must be to hold what
    resampling the data's months would do to it, in a fit of several brands what weighting
    the other brands afresh would do, with ``prior_centres``, what moving the centres
    of the priors that state beliefs about the world would do, and with ``ridge``, how far
    a channel's level could fall back towards its prior where the data cannot tell it from
    the baseline.

    Parameters
    ----------
    fit : Fit
        A fitted SeedingMMM.
    quantities : dict
        Name -> positive draws (``sample``, ...) over all of ``fit``'s draws (a cell with a
        draw at or below 0 gets no widening).
    block_days, draws
        As :func:`block_loglik`.
    prior_centres : bool
        Add the variance of the posterior mean when each centred prior's centre moves on
        its own by its prior's scale, and its width by a factor of two
        (:func:`seedmodel.analysis.prior_sensitivity.centre_variance`).
    ridge : bool
        Add, per brand x channel, the spread of
        :func:`seedmodel.analysis.checks.ridge_sd` (quantities with ``brand`` and
        ``channel`` dimensions).

    Returns
    -------
    Dataset
        Per name, over the quantity's other dimensions, on the log scale:
        ``{name}_sd_posterior``, ``{name}_sd_resampling`` (the months), ``{name}_sd_prior``
        (NaN without ``prior_centres``) and ``{name}_sd_brands`` (the other brands of a
        pooled fit, :func:`brands_variance`, for quantities with a ``brand`` dimension; NaN
        with one brand) and ``{name}_sd_ridge`` (0 without ``ridge``); the factors
        ``{name}_widening_months``, ``max(1, sd_resampling / sd_posterior)``,
        ``{name}_widening_prior``, ``sqrt(1 + (sd_prior / sd_posterior)**2)`` (1 without
        ``prior_centres``), ``{name}_widening_brands``, ``max(1, sd_brands /
        sd_posterior)`` (1 with one brand), and ``{name}_widening_ridge``, ``sqrt(1 +
        (sd_ridge / sd_posterior)**2)``; and ``{name}_widening``,
        ``sqrt(max(sd_posterior**2, sd_resampling**2 + sd_brands**2) + sd_prior**2 +
        sd_ridge**2) / sd_posterior``, all together. Each factor is kept within
        ``[1, MAX_WIDENING]``; every factor is 1 (and the sds NaN) when the fit has fewer
        than ``MIN_DRAWS`` draws.
    """
    parts = ("widening", "widening_months", "widening_prior", "widening_brands", "widening_ridge")
    positions = thinned_positions(fit, draws)
    if positions.size < MIN_DRAWS:
        sds = ("sd_posterior", "sd_resampling", "sd_prior", "sd_brands", "sd_ridge")
        fills = dict.fromkeys(sds, np.nan)
        fills |= dict.fromkeys(parts, 1.0)
        return xr.Dataset(
            {
                f"{name}_{part}": xr.full_like(values.isel({SAMPLE: 0}, drop=True), fill, float)
                for name, values in quantities.items()
                for part, fill in fills.items()
            }
        )
    blocks = once(
        fit,
        ("block_loglik", block_days, draws),
        lambda: block_loglik(fit, block_days=block_days, draws=draws),
    ).values
    C, D = positions.shape
    pooled = len(fit.inputs.brands) > 1
    if pooled:
        brands = once(fit, ("brand_loglik", draws), lambda: brand_loglik(fit, draws=draws))
    if prior_centres:
        from seedmodel.analysis.fitted import _thinned

        scores = once(
            fit, ("prior_scores", draws), lambda: prior_scores(fit, _thinned(fit, draws))
        ).values
    if ridge:
        # checks reads roi() (this module's caller): imported here, not at the top
        from seedmodel.analysis.checks import ridge_sd

        spread = ridge_sd(fit)
    out = {}
    for name, values in quantities.items():
        picked = values.isel({SAMPLE: positions.ravel()})
        positive = (values > 0).all(SAMPLE)
        log = np.log(picked.where(positive, 1.0)).transpose(SAMPLE, ...)
        g = log.values.reshape(C, D, *log.shape[1:])
        sd_post = log.std(SAMPLE, ddof=1)
        cells = xr.zeros_like(sd_post)  # the cells' dims and coordinates, in g's order
        sd_res = cells + np.sqrt(block_jackknife_variance(g, blocks))
        sd_prior = cells + (np.sqrt(centre_variance(g, scores)) if prior_centres else np.nan)
        if pooled and "brand" in cells.dims:
            own = _own_brand(cells, brands["brand"].values)
            sd_brands = cells + np.sqrt(brands_variance(g, brands.values, own))
        else:
            sd_brands = cells
        if ridge and {"brand", "channel"} <= set(cells.dims):
            sd_ridge = cells + spread.reindex_like(cells, fill_value=0.0)
        else:
            sd_ridge = cells
        per_post = sd_post.where(sd_post > 0)
        months = (sd_res / per_post).fillna(1.0)
        others = (sd_brands / per_post).fillna(0.0)
        prior = np.sqrt(1.0 + (sd_prior / per_post) ** 2).fillna(1.0)
        ridged = np.sqrt(1.0 + (sd_ridge / per_post) ** 2).fillna(1.0)
        resampled = np.sqrt(months**2 + others**2)
        both = np.sqrt(np.maximum(resampled, 1.0) ** 2 + prior**2 + ridged**2 - 2.0)
        out[f"{name}_sd_posterior"] = sd_post.where(positive)
        out[f"{name}_sd_resampling"] = sd_res.where(positive)
        out[f"{name}_sd_prior"] = sd_prior.where(positive)
        out[f"{name}_sd_brands"] = (sd_brands if pooled else cells + np.nan).where(positive)
        out[f"{name}_sd_ridge"] = sd_ridge.where(positive)
        for part, factor in zip(parts, (both, months, prior, others, ridged), strict=True):
            out[f"{name}_{part}"] = factor.clip(1.0, MAX_WIDENING).where(positive, 1.0)
    return xr.Dataset(out)


def _own_brand(cells: xr.DataArray, units: np.ndarray) -> np.ndarray:
    """(cells' shape with 1 for every dimension but ``brand``, B): 1 where the cell's brand
    is brand unit ``b``."""
    axis = cells.dims.index("brand")
    onehot = (cells["brand"].values[:, None] == units[None, :]).astype(float)
    shape = [1] * cells.ndim + [len(units)]
    shape[axis] = cells.sizes["brand"]
    return onehot.reshape(shape)


def widen(values: xr.DataArray, factor: xr.DataArray) -> xr.DataArray:
    """Positive draws (``sample``, ...) spread from their median by ``factor`` on the log
    scale; cells with a draw at or below 0, or a factor of 1, are returned as they are.

    Examples
    --------
    >>> d = xr.DataArray([1.0, 2.0, 4.0], dims="sample")
    >>> widen(d, xr.DataArray(2.0)).values.round(9).tolist()
    [0.5, 2.0, 8.0]
    """
    positive = (values > 0).all(SAMPLE)
    log = np.log(values.where(positive, 1.0))
    centre = log.median(SAMPLE)
    spread = np.exp(centre + factor * (log - centre))
    return xr.where(positive & (factor != 1.0), spread, values).transpose(*values.dims)
