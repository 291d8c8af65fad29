"""Distributed-lag regression of log outcome on engagement, with smooth lag weights and AR
errors (statsmodels GLSAR)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seedmodel.linkage.design import lagged

__all__ = [
    "DistributedLagFit",
    "fit_distributed_lag",
    "lag_kernels",
    "profile_peak",
    "profile_sse",
    "robustness_value",
]


def _transform(x: np.ndarray, scale: float) -> np.ndarray:
    """Concave, unit-free input: ``log1p(x / scale)`` with ``scale`` the median live value."""
    return np.log1p(x / scale)


@dataclass(frozen=True, eq=False)
class DistributedLagFit:
    """A fitted distributed-lag model.

    ``log y[t] = sum_c sum_l beta_c[l] f_c(x_c[t - l]) + controls[t] gamma + u[t]``, with
    ``beta_c = basis @ theta_c``, ``f_c(x) = log1p(x / scale_c)`` and AR errors ``u``.

    Attributes
    ----------
    channels : tuple of str
        Channels in the model.
    params, cov : ndarray
        All coefficients and their HAC covariance.
    slices : dict
        Channel -> slice of ``params`` holding its ``theta``.
    basis : ndarray
        (max_lag + 1, n_basis) lag basis.
    scales : dict
        Channel -> scale of its input transform.
    rho : ndarray
        AR coefficients of the errors.
    """

    channels: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    slices: dict[str, slice]
    basis: np.ndarray
    scales: dict[str, float]
    rho: np.ndarray
    df_resid: float = 1.0
    wendog: np.ndarray | None = None
    wexog: np.ndarray | None = None

    @property
    def max_lag(self) -> int:
        """Longest lag in the model."""
        return self.basis.shape[0] - 1

    def theta_draws(self, channel: str, n: int, rng: np.random.Generator) -> np.ndarray:
        """(n, n_basis) draws of a channel's spline coefficients from their sampling law."""
        s = self.slices[channel]
        return rng.multivariate_normal(self.params[s], self.cov[s, s], size=n, method="svd")

    def lag_weights(self, channel: str, theta: np.ndarray | None = None) -> np.ndarray:
        """Lag weights ``beta[l]`` (point, or one row per row of ``theta``)."""
        theta = self.params[self.slices[channel]] if theta is None else theta
        return theta @ self.basis.T

    def elasticity(
        self, channel: str, x: np.ndarray, y: np.ndarray, theta: np.ndarray | None = None
    ) -> np.ndarray:
        """% change of total outcome for a sustained +1% in the channel's engagement.

        Computed in the fitted model, not by a formula: every day's input is raised by 1%, the
        change of log outcome is summed over the lag window, and outcomes are summed over days.
        """
        scale, L = self.scales[channel], self.max_lag
        step = _transform(1.01 * x, scale) - _transform(x, scale)
        d = lagged(step, L)[L:] @ self.basis  # (n - L, K)
        theta = self.params[self.slices[channel]] if theta is None else theta
        delta = d @ np.atleast_2d(theta).T  # (n - L, S)
        w = y[L:, None]
        out = (w * np.expm1(delta)).sum(axis=0) / w.sum() / 0.01
        return out if theta.ndim == 2 else out[0]


def lag_kernels(max_lag: int) -> list[tuple[int, np.ndarray]]:
    """Smooth lag shapes with known modes: geometric decays (mode 0) and Weibull humps
    (modes 1..max_lag on a grid), each summing to one over ``0..max_lag``."""
    from seedmodel.transforms import geometric_weights, weibull_weights

    out = [(0, geometric_weights(a, max_lag)) for a in (0.3, 0.6, 0.85)]
    grid = sorted(
        {m for m in (1, 2, 3, 4, 5, 7, 9, 11, 13, 16, 20, 25, 30, 36, 42) if m <= max_lag}
        | ({max_lag} if max_lag <= 12 else set())
    )
    for mode in grid:
        for shape in (2.0, 4.0):
            scale = mode / ((shape - 1) / shape) ** (1 / shape)
            w = weibull_weights(shape, scale, max_lag)
            out.append((int(np.argmax(w)), w))
    return out


def profile_peak(
    fit: DistributedLagFit, channel: str, x: np.ndarray, *, level: float = 0.9
) -> tuple[int, int, int]:
    """Peak lag of a channel's effect by profiling smooth parametric lag shapes.

    The channel's spline block is replaced by one regressor per candidate shape
    (:func:`lag_kernels`), in the same AR-whitened regression; the best fit gives the peak, and
    the shapes whose fit is within the likelihood-ratio bound give the interval. More stable
    than the argmax of a flexible profile, whose maximum jumps between noisy lags.

    Returns
    -------
    (peak, lo, hi)
    """
    from scipy import stats

    modes, values = profile_sse(fit, channel, x)
    n = len(fit.wendog)
    lr = n * np.log(values / values.min())
    ok = modes[lr <= stats.chi2.ppf(level, 1)]
    return int(modes[np.argmin(values)]), int(ok.min()), int(ok.max())


def profile_sse(
    fit: DistributedLagFit, channel: str, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate shape's peak lag (:func:`lag_kernels`), and the residual sum of squares
    of the AR-whitened regression with the channel's spline block replaced by that shape."""
    L, p = fit.max_lag, len(fit.rho)
    s = fit.slices[channel]
    others = np.delete(fit.wexog, np.arange(s.start, s.stop), axis=1)
    kernels = lag_kernels(L)
    # every candidate shape's regressor at once (periods x shapes), AR-whitened like the fit
    z = lagged(_transform(x, fit.scales[channel]), L)[L:] @ np.column_stack([w for _, w in kernels])
    zw = z.copy()
    for i in range(p):
        zw[i + 1 :] -= fit.rho[i] * z[: len(z) - i - 1]
    zw = zw[p:]
    # Frisch-Waugh-Lovell: with the other regressors projected out once, each shape's
    # residual sum of squares is that of a one-regressor fit (the same numbers as a least-
    # squares fit of [shape, others] per shape, without 33 of them)
    u, sv, _ = np.linalg.svd(others, full_matrices=False)
    u = u[:, sv > sv.max(initial=0.0) * max(others.shape) * np.finfo(float).eps]
    y_r = fit.wendog - u @ (u.T @ fit.wendog)
    z_r = zw - u @ (u.T @ zw)
    zz = np.einsum("ij,ij->j", z_r, z_r)
    zy = z_r.T @ y_r
    explained = np.divide(zy**2, zz, out=np.zeros_like(zz), where=zz > 1e-12 * zz.max(initial=1))
    modes = np.array([m for m, _ in kernels])
    values = y_r @ y_r - explained
    return modes, values


def robustness_value(t_stat: float, df: float) -> float:
    """Share of residual variance of both engagement and outcome that an unobserved confounder
    would have to explain to bring the estimate to zero (Cinelli and Hazlett 2020).

    Near 0: a weak confounder overturns it; 0.3 and more: only a strong one does.
    """
    f = abs(t_stat) / np.sqrt(df)
    return float(0.5 * (np.sqrt(f**4 + 4 * f**2) - f**2))


def fit_distributed_lag(
    y: np.ndarray,
    media: dict[str, np.ndarray],
    controls: np.ndarray,
    basis: np.ndarray,
    *,
    ar_order: int = 2,
    hac_lags: int | None = None,
) -> DistributedLagFit:
    """Fit the distributed-lag model by feasible GLS with AR errors (statsmodels GLSAR).

    Parameters
    ----------
    y : ndarray
        Outcome (> 0 where possible; ``log1p`` is used).
    media : dict
        Channel -> engagement series (>= 0) with some variation.
    controls : ndarray
        (n, q) control columns, intercept included.
    basis : ndarray
        Lag basis from :func:`seedmodel.linkage.design.lag_basis`.
    ar_order : int
        Order of the AR error model.
    hac_lags : int, optional
        Newey-West bandwidth for a HAC covariance. Default None: the classical covariance of
        the AR-whitened regression, which covered better in simulation (Newey-West is biased
        down in samples of this size).
    """
    L = basis.shape[0] - 1
    blocks, slices, scales = [], {}, {}
    col = 0
    for channel, x in media.items():
        live = x[x > 0]
        scales[channel] = float(np.median(live)) if live.size else 1.0
        z = lagged(_transform(x, scales[channel]), L) @ basis
        blocks.append(z)
        slices[channel] = slice(col, col + basis.shape[1])
        col += basis.shape[1]
    X = np.column_stack([*blocks, controls])[L:]
    ly = np.log1p(y)[L:]
    import statsmodels.api as smapi  # heavy: imported when a link model is fitted

    model = smapi.GLSAR(ly, X, rho=ar_order)
    model.iterative_fit(maxiter=8)
    res = model.fit(cov_type="HAC", cov_kwds={"maxlags": hac_lags}) if hac_lags else model.fit()

    return DistributedLagFit(
        channels=tuple(media),
        params=np.asarray(res.params),
        cov=np.asarray(res.cov_params()),
        slices=slices,
        basis=basis,
        scales=scales,
        rho=np.atleast_1d(model.rho),
        df_resid=float(res.df_resid),
        wendog=model.wendog,
        wexog=model.wexog,
    )
