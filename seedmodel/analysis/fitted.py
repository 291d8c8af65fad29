"""How well the fitted model reproduces the GMV it was fitted to: expected against actual GMV
per period with intervals, R² and MAPE, and the pointwise log-likelihood that ArviZ's
``loo`` needs.

The expected GMV is recomputed from a thinned set of posterior draws (a fit does not store it:
draws x brands x platforms x days would dwarf the rest of ``fit.nc``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from seedmodel.analysis.intervals import central_interval

__all__ = [
    "expected_gmv_draws",
    "fit_quality",
    "fitted_gmv",
    "log_likelihood",
    "posterior_predictive",
    "predictive_coverage",
]


def _thinned(fit, draws: int) -> xr.Dataset:
    """At most ``draws`` posterior draws per chain, evenly spaced (deterministic)."""
    post = fit.posterior["posterior"].to_dataset()
    n = post.sizes["draw"]
    return post.isel(draw=np.unique(np.linspace(0, n - 1, min(draws, n)).round().astype(int)))


def expected_gmv_draws(fit, draws: int = 100) -> xr.DataArray:
    """Expected GMV (CNY) per draw: dims (chain, draw, brand, platform, date), from at most
    ``draws`` evenly spaced draws per chain."""
    from seedmodel.analysis.at_draws import evaluate_at_draws
    from seedmodel.models.mmm.graph import build_model

    posterior = _thinned(fit, draws)
    model = build_model(fit.inputs, keep_mu=True)
    # mu is a deterministic function of the draws, computed for all of them at once
    values = evaluate_at_draws(model, model["mu"], posterior)
    mu = xr.DataArray(
        values,
        dims=("chain", "draw", "brand", "platform", "date"),
        coords={"chain": posterior["chain"].values, "draw": posterior["draw"].values},
    )
    scale = xr.DataArray(fit.inputs.gmv_scale, dims=("brand", "platform"))
    return (mu * scale.values[..., None]).assign_coords(
        brand=list(fit.inputs.brands),
        platform=list(fit.inputs.platforms),
        date=pd.DatetimeIndex(fit.data.dates)[: mu.sizes["date"]],
    )


def fitted_gmv(
    fit, *, draws: int = 100, level: float = 0.9, mu: xr.DataArray | None = None
) -> pd.DataFrame:
    """Actual against expected GMV per brand, platform and period (``mu``: the
    :func:`expected_gmv_draws` of ``fit`` with ``draws``, when the caller has them).

    Returns
    -------
    DataFrame
        date, brand, platform, actual, fitted, fitted_lo, fitted_hi (CNY; the interval is
        of the expected GMV, not of a new day's GMV), and ``observed``: whether the period
        is in the likelihood (a store not yet open, or a zero-GMV day, is not).
    """
    mu = expected_gmv_draws(fit, draws) if mu is None else mu
    inp = fit.inputs
    flat = mu.stack(sample=("chain", "draw")).transpose("sample", ...).values  # (S, B, P, T)
    lo, hi = central_interval(flat, level, axis=0)
    T = flat.shape[-1]
    actual = inp.y[..., :T] * inp.gmv_scale[..., None]
    dates = pd.DatetimeIndex(fit.data.dates)[:T]
    frames = []
    for b, brand in enumerate(inp.brands):
        for p, platform in enumerate(inp.platforms):
            frames.append(
                pd.DataFrame(
                    {
                        "date": dates,
                        "brand": brand,
                        "platform": platform,
                        "actual": actual[b, p],
                        "fitted": flat[:, b, p].mean(axis=0),
                        "fitted_lo": lo[b, p],
                        "fitted_hi": hi[b, p],
                        "observed": inp.observed[b, p, :T],
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def fit_quality(table: pd.DataFrame) -> pd.DataFrame:
    """R² and MAPE of expected against actual GMV per brand x platform, over observed
    periods, daily and summed by week (a weekly view is what a brand manager reads).

    Examples
    --------
    >>> t = pd.DataFrame({"date": pd.date_range("2025-01-06", periods=14), "brand": "A",
    ...     "platform": "tmall", "actual": [10.0, 12.0] * 7, "fitted": [11.0] * 14,
    ...     "observed": True})
    >>> fit_quality(t)[["r2", "mape"]].round(3).values.tolist()
    [[0.0, 0.092]]
    """
    rows = []
    for (brand, platform), g in table[table["observed"]].groupby(["brand", "platform"]):
        a, f = g["actual"].to_numpy(), g["fitted"].to_numpy()
        weekly = g.set_index("date")[["actual", "fitted"]].resample("W-SUN").sum()
        rows.append(
            {
                "brand": brand,
                "platform": platform,
                "periods": len(g),
                "r2": _r2(a, f),
                "mape": float(np.mean(np.abs(f - a) / np.where(a > 0, a, np.nan))),
                "r2_weekly": _r2(weekly["actual"].to_numpy(), weekly["fitted"].to_numpy()),
            }
        )
    return pd.DataFrame(rows)


def _r2(actual: np.ndarray, fitted: np.ndarray) -> float:
    total = np.sum((actual - actual.mean()) ** 2)
    return float(1.0 - np.sum((actual - fitted) ** 2) / total) if total > 0 else np.nan


def log_likelihood(fit, *, draws: int = 100) -> xr.DataTree:
    """The posterior (thinned) with its pointwise log-likelihood, for ``arviz.loo``.

    Each observed period's log density of log GMV (GMV with ``likelihood="normal"``) given
    the draw: an AR(1) innovation on the previous observed period, the stationary density
    for the first of a run (iid residual: its own density).

    Examples
    --------
    With ``fit`` from :func:`seedmodel.fit_mmm` (minutes, so not run as a doctest)::

        import arviz as az
        az.loo(log_likelihood(fit), var_name="gmv")
    """
    mu = expected_gmv_draws(fit, draws)
    inp = fit.inputs
    T = mu.sizes["date"]
    scale = inp.gmv_scale[..., None]
    posterior = _thinned(fit, draws)
    y = inp.y[..., :T]
    mask = inp.observed[..., :T]
    normal = fit.spec.likelihood == "normal"
    expected = mu.values / scale
    obs = y if normal else np.log(np.where(mask, y, 1.0))
    resid = obs - (expected if normal else np.log(np.maximum(expected, 1e-12)))
    sigma = posterior["sigma"].values[..., None]
    nu = _nu(fit, posterior)
    if fit.spec.residual == "ar1":
        rho = posterior["rho"].values[..., None]
        prev = np.concatenate([np.zeros_like(mask[..., :1]), mask[..., :-1]], axis=-1)
        shifted = np.concatenate([np.zeros_like(resid[..., :1]), resid[..., :-1]], axis=-1)
        innov = np.where(prev, resid - rho * shifted, resid * np.sqrt(1 - rho**2))
        ll = noise_logpdf(innov, sigma, nu) + np.where(prev, 0.0, 0.5 * np.log(1 - rho**2))
    else:
        ll = noise_logpdf(resid, sigma, nu)
    ll = np.where(mask, ll, 0.0)
    # one observation per observed period: stack the three axes and keep the observed ones
    flat = ll.reshape(*ll.shape[:2], -1)[..., mask.ravel()]
    loglik = xr.Dataset({"gmv": (("chain", "draw", "obs"), flat)})
    return xr.DataTree.from_dict({"posterior": posterior, "log_likelihood": loglik})


def _nu(fit, posterior) -> np.ndarray | None:
    """Degrees of freedom of Student-t innovations, shaped (C, D, 1, 1, 1); None when the
    noise is normal."""
    if fit.spec.noise != "student_t":
        return None
    return posterior["nu"].values[..., None, None, None]


def noise_logpdf(x: np.ndarray, sigma: np.ndarray, nu: np.ndarray | None) -> np.ndarray:
    """Log density of innovations ``x`` of scale ``sigma``: normal, or Student-t with ``nu``
    degrees of freedom (the graph's ``noise`` option)."""
    from scipy.stats import norm, t

    return norm.logpdf(x, 0.0, sigma) if nu is None else t.logpdf(x, nu, 0.0, sigma)


def noise_draws(rng: np.random.Generator, shape: tuple, nu: np.ndarray | None) -> np.ndarray:
    """Unit-scale innovations: standard normal, or Student-t with ``nu`` degrees of freedom
    (broadcast against ``shape``)."""
    if nu is None:
        return rng.standard_normal(shape)
    return rng.standard_t(np.broadcast_to(nu, shape))


def posterior_predictive(
    fit, *, draws: int = 100, random_seed: int = 0, mu: xr.DataArray | None = None
) -> xr.DataTree:
    """New GMV drawn from the fitted model, for ``arviz.plot_ppc_dist`` and predictive checks
    (``mu``: the :func:`expected_gmv_draws` of ``fit`` with ``draws``, when the caller has
    them).

    Per thinned draw: the expected GMV times the model's noise (log-normal, or normal with
    ``likelihood="normal"``), an AR(1) path of innovations ``sigma`` and coefficient ``rho``
    started from its stationary law (independent with ``residual="iid"``). Periods out of the
    likelihood (a store not yet open) are left out.

    Returns
    -------
    DataTree
        ``posterior_predictive`` and ``observed_data``, each with one variable ``gmv`` over
        the observed periods (dims chain, draw, obs), in CNY.

    Examples
    --------
    With ``fit`` from :func:`seedmodel.fit_mmm` (minutes, so not run as a doctest)::

        import arviz as az
        az.plot_ppc_dist(posterior_predictive(fit))  # ArviZ 1.x
    """
    mu = expected_gmv_draws(fit, draws) if mu is None else mu
    posterior = _thinned(fit, draws)
    inp = fit.inputs
    T = mu.sizes["date"]
    rng = np.random.default_rng(random_seed)
    sigma = posterior["sigma"].values[..., None]  # (C, D, B, P, 1)
    z = noise_draws(rng, mu.shape, _nu(fit, posterior))
    if fit.spec.residual == "ar1":
        rho = posterior["rho"].values[..., None]
        e = np.empty(mu.shape)
        e[..., 0] = z[..., 0] * sigma[..., 0] / np.sqrt(1 - rho[..., 0] ** 2)
        for t in range(1, T):
            e[..., t] = rho[..., 0] * e[..., t - 1] + sigma[..., 0] * z[..., t]
    else:
        e = z * sigma
    values = mu.values
    if fit.spec.likelihood == "normal":
        draws_gmv = values + e * inp.gmv_scale[..., None]
    else:
        draws_gmv = values * np.exp(e)
    mask = inp.observed[..., :T].ravel()
    actual = (inp.y[..., :T] * inp.gmv_scale[..., None]).ravel()[mask]
    flat = draws_gmv.reshape(*draws_gmv.shape[:2], -1)[..., mask]
    # each observation's brand, platform and date, as coordinates of the obs axis
    b, p, t = np.unravel_index(np.flatnonzero(mask), mu.shape[2:])
    coords = {
        "brand": ("obs", np.asarray(inp.brands, dtype=object)[b]),
        "platform": ("obs", np.asarray(inp.platforms, dtype=object)[p]),
        "date": ("obs", mu["date"].values[t]),
    }
    return xr.DataTree.from_dict(
        {
            "posterior_predictive": xr.Dataset(
                {"gmv": (("chain", "draw", "obs"), flat)}, coords=coords
            ),
            "observed_data": xr.Dataset({"gmv": (("obs",), actual)}, coords=coords),
        }
    )


def predictive_coverage(
    fit, *, level: float = 0.9, draws: int = 100, mu: xr.DataArray | None = None
) -> pd.DataFrame:
    """A posterior predictive check: per brand x platform, the share of observed periods
    whose GMV falls inside the ``level`` interval of :func:`posterior_predictive` (about
    ``level`` when the model's noise is right; far below it, the model is overconfident
    about single days).

    Returns
    -------
    DataFrame
        brand, platform, periods, ppc_coverage (``mu`` as for :func:`posterior_predictive`).
    """
    tree = posterior_predictive(fit, draws=draws, mu=mu)
    observed = tree["observed_data"].to_dataset()
    pred = tree["posterior_predictive"]["gmv"].values.reshape(-1, observed.sizes["obs"])
    lo, hi = central_interval(pred, level, axis=0)
    actual = observed["gmv"].values
    frame = pd.DataFrame(
        {
            "brand": observed["brand"].values,
            "platform": observed["platform"].values,
            "inside": (actual >= lo) & (actual <= hi),
        }
    )
    out = frame.groupby(["brand", "platform"], sort=False)["inside"].agg(["size", "mean"])
    return out.reset_index().rename(columns={"size": "periods", "mean": "ppc_coverage"})
