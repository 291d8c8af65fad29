"""Correlations that respect autocorrelation: Bartlett effective sample size and pre-whitening."""

from __future__ import annotations

import numpy as np

__all__ = ["ar_filter", "corr_interval", "prewhitened_ccf"]


def corr_interval(
    x: np.ndarray, y: np.ndarray, *, level: float = 0.9
) -> tuple[float, float, float]:
    """Pearson correlation with an interval whose width uses the effective sample size.

    Bartlett's formula: ``n_eff = n / (1 + 2 sum_k r_x(k) r_y(k))``; the interval is Fisher's z
    with ``n_eff``. Two series that both drift slowly get a wide interval, as they should.

    Returns
    -------
    (r, lo, hi)
    """
    from scipy import stats
    from statsmodels.tsa.stattools import acf

    n = len(x)
    if np.std(x) == 0 or np.std(y) == 0:
        return np.nan, np.nan, np.nan
    r = float(np.corrcoef(x, y)[0, 1])
    k = min(n // 4, 60)
    rx, ry = acf(x, nlags=k, fft=True)[1:], acf(y, nlags=k, fft=True)[1:]
    n_eff = float(np.clip(n / (1 + 2 * np.sum(rx * ry)), 4.0, n))
    z, half = np.arctanh(np.clip(r, -0.999999, 0.999999)), stats.norm.ppf(0.5 + level / 2)
    se = 1 / np.sqrt(n_eff - 3) if n_eff > 3 else np.inf
    return r, float(np.tanh(z - half * se)), float(np.tanh(z + half * se))


def ar_filter(x: np.ndarray, *, max_ar: int = 14) -> np.ndarray:
    """AR coefficients of ``x`` (order by AIC, at most ``max_ar``): the pre-whitening filter."""
    from statsmodels.tsa.ar_model import AutoReg, ar_select_order

    if np.std(x) == 0:
        return np.zeros(0)
    order = ar_select_order(x, maxlag=min(max_ar, len(x) // 10), ic="aic", trend="c").ar_lags
    p = 0 if not order else max(order)
    return AutoReg(x, lags=p, trend="c").fit().params[1:] if p else np.zeros(0)


def prewhitened_ccf(x: np.ndarray, y: np.ndarray, max_lag: int, phi: np.ndarray) -> np.ndarray:
    """Cross-correlation of y with past x after pre-whitening (Box-Jenkins).

    The AR filter ``phi`` fitted to ``x`` (:func:`ar_filter`) is applied to both series; the
    cross-correlation at lag ``l`` then estimates the shape of the response of y to x at lag
    ``l`` without the spurious part that autocorrelation creates.

    Returns
    -------
    ndarray
        (max_lag + 1,) correlations of ``y[t]`` with ``x[t - l]``.
    """
    n, p = len(x), len(phi)
    if np.std(x) == 0 or np.std(y) == 0:
        return np.full(max_lag + 1, np.nan)

    def filt(v: np.ndarray) -> np.ndarray:
        return v[p:] - sum(phi[i] * v[p - 1 - i : n - 1 - i] for i in range(p))

    xf, yf = filt(x), filt(y)
    xf, yf = xf - xf.mean(), yf - yf.mean()
    denom = np.sqrt(np.sum(xf**2) * np.sum(yf**2))
    m = len(xf)
    return np.array([np.sum(yf[lag:] * xf[: m - lag]) / denom for lag in range(max_lag + 1)])
