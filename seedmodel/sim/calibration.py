"""Simulation-based calibration: worlds drawn from the SeedingMMM's own prior.

A world made by the model itself, on a real design (the data's spend, calendar and
organic signal), is the one kind of world on which a correct sampler must deliver
calibrated intervals: draw every parameter from the prior, draw GMV (and the demand
signals) from the likelihood, fit, and the truth should fall inside the 90% interval in
90% of such worlds, its rank among the posterior draws uniform (Talts et al., 2018,
"Validating Bayesian inference algorithms with simulation-based calibration").

So a miss rate above 10% on these worlds is the sampler's or the implementation's; on
worlds of another generator (:mod:`seedmodel.sim.family`) it can also be the model's.
``bench/sbc.py`` runs it over the family's designs (docs/recovery_family.md).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import xarray as xr

from seedmodel.analysis.intervals import summarise
from seedmodel.fit import Fit, sample_inputs
from seedmodel.inference.options import SamplerConfig
from seedmodel.models.mmm.inputs import MMMInputs, build_inputs
from seedmodel.models.mmm.spec import SeedingMMM
from seedmodel.schema import Dataset

__all__ = ["PriorWorld", "calibration_cells", "prior_world"]


@dataclass(frozen=True, eq=False)
class PriorWorld:
    """A world drawn from the model's prior on a dataset's design.

    Attributes
    ----------
    inputs : MMMInputs
        The design's inputs with GMV (and the organic signal or paid reads per yuan)
        replaced by draws from the model.
    truth : xarray.Dataset
        The parameters that made it: one draw (``chain`` and ``draw`` of size 1) of every
        variable a posterior holds.
    """

    inputs: MMMInputs
    truth: xr.Dataset


def _residuals(
    rng: np.random.Generator, sigma, rho, nu, shape: tuple, *, unit_variance: bool = False
) -> np.ndarray:
    """(B, P, T) residuals with the likelihood's law: innovations of scale ``sigma`` (normal,
    or Student-t with ``nu`` degrees of freedom, rescaled to sd ``sigma`` when
    ``unit_variance``), an AR(1) with ``rho`` when given, started from its stationary law."""
    z = rng.standard_normal(shape) if nu is None else rng.standard_t(nu, shape)
    if nu is not None and unit_variance:
        z = z / np.sqrt(nu / (nu - 2.0))
    e = sigma[..., None] * z
    if rho is None:
        return e
    out = np.empty(shape)
    out[..., 0] = e[..., 0] / np.sqrt(1.0 - rho**2)
    for t in range(1, shape[-1]):
        out[..., t] = rho * out[..., t - 1] + e[..., t]
    return out


def prior_world(
    inputs: MMMInputs, random_seed: int, *, heavy_tails: float | None = None
) -> PriorWorld:
    """Draw parameters from the prior of ``inputs``' model and data from its likelihood.

    Parameters
    ----------
    inputs : MMMInputs
        The design (lift tests are dropped: their values are data too).
    random_seed : int
        Same seed, same world.
    heavy_tails : float, optional
        Degrees of freedom (> 2) of Student-t GMV innovations with the model's innovation
        sd, in place of the model's normal ones: one mismatch on an otherwise matched
        world, to price what heavy-tailed days alone cost.

    Returns
    -------
    PriorWorld
    """
    import pymc as pm

    from seedmodel.models.mmm.graph import build_model

    inputs = replace(inputs, lifts=(), holdout=0)
    model = build_model(inputs, keep_mu=True)
    free = [v.name for v in model.free_RVs]
    derived = [
        v.name for v in model.deterministics if v.name in ("half", "beta", "mu") or "__" in v.name
    ]
    observed = [v.name for v in model.observed_RVs]
    logger = logging.getLogger("pymc")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with model, warnings.catch_warnings():
            # the AR(1) likelihood is a Potential, which the prior ignores: GMV is drawn below
            warnings.filterwarnings("ignore", message=".*Potentials.*", category=UserWarning)
            draw = pm.sample_prior_predictive(
                draws=1, var_names=free + derived + observed, random_seed=random_seed
            )
    finally:
        logger.setLevel(level)
    prior = draw["prior"].to_dataset()
    signals = draw["prior_predictive"].to_dataset() if observed else xr.Dataset()
    value = {k: prior[k].values[0, 0] for k in prior.data_vars}
    rng = np.random.default_rng([random_seed, 1])
    spec = inputs.spec
    if heavy_tails is not None and not (heavy_tails > 2 and spec.noise == "normal"):
        raise ValueError("heavy_tails needs degrees of freedom > 2 and a model with normal noise")
    resid = _residuals(
        rng,
        np.asarray(value["sigma"]),
        np.asarray(value["rho"]) if spec.residual == "ar1" else None,
        float(value["nu"]) if spec.noise == "student_t" else heavy_tails,
        inputs.y.shape,
        unit_variance=heavy_tails is not None,
    )
    mu = value["mu"]
    y = mu * np.exp(resid) if spec.likelihood != "normal" else np.maximum(mu + resid, 1e-3)
    y = np.where(inputs.observed, y, inputs.y)  # periods out of the likelihood as they were
    organic, rates = inputs.organic, inputs.rates
    if "organic_obs" in signals:
        organic = signals["organic_obs"].values[0, 0]
    if "rate_obs" in signals:
        rates = inputs.rates.copy()
        rates[np.nonzero(inputs.rate_mask)] = signals["rate_obs"].values[0, 0]
    truth = prior.drop_vars("mu")
    return PriorWorld(replace(inputs, y=y, organic=organic, rates=rates), truth)


def _roi_draws(fit: Fit) -> xr.DataArray:
    """(sample, brand, channel) ROI over the whole data per draw of ``fit``."""
    from seedmodel.analysis.incremental import incremental_draws, window_positions
    from seedmodel.analysis.posterior import media_inputs

    t0, t1 = window_positions(fit)
    spend = media_inputs(fit)["spend"].isel(period=slice(t0, t1 + 1)).sum("period")
    inc = xr.concat(
        [incremental_draws(fit, c, t0, t1).sum("platform") for c in fit.inputs.channels],
        dim=spend["channel"],
    )
    return (inc / spend).transpose("sample", "brand", "channel")


def calibration_cells(
    data: Dataset,
    spec: SeedingMMM | None = None,
    *,
    config: SamplerConfig | None = None,
    random_seed: int = 0,
    level: float = 0.9,
    heavy_tails: float | None = None,
) -> pd.DataFrame:
    """Draw a world from the model's prior on ``data``'s design, fit it, and score each
    brand x channel's ROI against the truth that made it.

    Parameters
    ----------
    data : Dataset
        The design: spend, calendar, organic signal (its GMV is replaced).
    spec : SeedingMMM, optional
        The model (default ``SeedingMMM()``).
    config : SamplerConfig, optional
        How to fit (default ``SamplerConfig()``: until converged).
    random_seed : int
        Seeds the world and the sampler.
    level : float
        Interval level.
    heavy_tails : float, optional
        Student-t GMV innovations with these degrees of freedom instead of the model's
        normal ones (:func:`prior_world`).

    Returns
    -------
    DataFrame
        One row per brand x channel: ``true_roi``; the posterior ``roi`` (mean), ``roi_lo``,
        ``roi_hi``; ``rank`` (the share of posterior draws below the truth: uniform on [0, 1]
        when the inference is calibrated); ``covered``; and the fit's ``divergences``,
        ``max_rhat`` and ``converged``.
    """
    spec = spec or SeedingMMM()
    world = prior_world(build_inputs(data, spec), random_seed, heavy_tails=heavy_tails)
    tree, diagnostics = sample_inputs(
        world.inputs, config or SamplerConfig(), random_seed=random_seed
    )
    fitted = Fit(
        spec=world.inputs.spec,
        data=data,
        posterior=tree,
        diagnostics=diagnostics,
        random_seed=random_seed,
    )
    made = replace(fitted, posterior=xr.DataTree.from_dict({"posterior": world.truth}))
    draws = _roi_draws(fitted)
    truth = _roi_draws(made).isel(sample=0)
    table = (
        summarise(draws, "roi", level)
        .assign(true_roi=truth.drop_vars("sample"), rank=(draws < truth).mean("sample"))
        .to_dataframe()
        .reset_index()[["brand", "channel", "true_roi", "roi", "roi_lo", "roi_hi", "rank"]]
    )
    table["covered"] = (table["roi_lo"] <= table["true_roi"]) & (
        table["true_roi"] <= table["roi_hi"]
    )
    return table.assign(
        divergences=diagnostics.divergences,
        max_rhat=diagnostics.max_rhat,
        converged=diagnostics.converged,
    )
