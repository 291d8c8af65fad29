"""The MMM's residual likelihoods against a direct computation."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy import stats

from seedmodel.models.mmm.graph import _shared_ar1_likelihood


def _reference(resid, mask, rho, sigma, r) -> float:
    """Per brand and day, a multivariate normal over the platforms observed that day:
    innovations on the previous day's residual (or the stationary start of a run), with
    sd ``sigma`` per platform and correlation ``r`` per brand between platforms."""
    B, P, T = resid.shape
    total = 0.0
    for b in range(B):
        for t in range(T):
            seen = [p for p in range(P) if mask[b, p, t]]
            if not seen:
                continue
            z, jac = [], 0.0
            for p in seen:
                if t > 0 and mask[b, p, t - 1]:
                    z.append(resid[b, p, t] - rho[b, p] * resid[b, p, t - 1])
                else:
                    z.append(resid[b, p, t] * np.sqrt(1 - rho[b, p] ** 2))
                    jac += 0.5 * np.log(1 - rho[b, p] ** 2)
            sd = sigma[b, seen]
            corr = (1 - r[b]) * np.eye(len(seen)) + r[b]
            cov = np.outer(sd, sd) * corr
            total += stats.multivariate_normal(np.zeros(len(seen)), cov).logpdf(z) + jac
    return total


def test_shared_ar1_equals_a_multivariate_normal_per_day_with_gaps():
    rng = np.random.default_rng(0)
    B, P, T = 2, 3, 8
    resid = rng.normal(size=(B, P, T))
    mask = rng.random((B, P, T)) > 0.2  # stores shut or zero-GMV days
    rho = rng.uniform(0.0, 0.8, (B, P))
    sigma = rng.uniform(0.5, 1.5, (B, P))
    r = np.array([0.3, 0.6])
    with pm.Model(coords={"brand": range(B), "platform": range(P)}) as model:
        _shared_ar1_likelihood("x", pt.as_tensor(resid), pt.as_tensor(sigma), mask)
    value = model.compile_fn(model.potentials[0], inputs=model.free_RVs)(
        {"rho": rho, "rho_platforms": r}
    )
    np.testing.assert_allclose(value, _reference(resid, mask, rho, sigma, r), rtol=1e-10)
    # with no correlation it is the independent AR(1) of each platform
    zero = model.compile_fn(model.potentials[0], inputs=model.free_RVs)(
        {"rho": rho, "rho_platforms": np.zeros(B)}
    )
    np.testing.assert_allclose(zero, _reference(resid, mask, rho, sigma, np.zeros(B)))
