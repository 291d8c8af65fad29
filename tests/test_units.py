"""Estimates do not depend on the units of the data: spend or GMV in yuan or in 万元 give
the same ROI, rescaled, up to Monte Carlo error of converged fits."""

from __future__ import annotations

import warnings

import arviz as az
import numpy as np
import pytest

import seedmodel as sm
from seedmodel.analysis.incremental import incremental_draws, window_positions
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.models.mmm.inputs import build_inputs

WORLD = sm.WorldConfig(start="2025-05-01", n_brands=1, days=240)


def _rescaled(data: sm.Dataset, spend: float = 1.0, gmv: float = 1.0) -> sm.Dataset:
    return sm.from_frames(
        media=data.media.assign(spend=data.media["spend"] * spend),
        sales=data.sales.assign(gmv=data.sales["gmv"] * gmv),
        brands=data.brands,
        events=data.events,
    )


@pytest.fixture(scope="module")
def data() -> sm.Dataset:
    return _rescaled(sm.simulate(WORLD, random_seed=4).data)


def test_model_inputs_do_not_depend_on_units(data):
    base = build_inputs(data, sm.SeedingMMM())
    for scaled in (_rescaled(data, spend=1e-4), _rescaled(data, gmv=1e-4)):
        other = build_inputs(scaled, sm.SeedingMMM())
        for name in ("x", "y", "controls", "observed", "live"):
            np.testing.assert_allclose(getattr(other, name), getattr(base, name), atol=1e-12)


def _roi_draws(fit) -> np.ndarray:
    """(chains, draws) ROI of every channel: (C, chains, draws)."""
    t0, t1 = window_positions(fit)
    inp = fit.inputs
    chains = fit.posterior["posterior"].sizes["chain"]
    out = []
    for c, channel in enumerate(inp.channels):
        spend = inp.spend[0, c, t0 : t1 + 1].sum()
        inc = incremental_draws(fit, channel, t0, t1).isel(brand=0).sum("platform").to_numpy()
        out.append(inc.reshape(chains, -1) / spend)
    return np.stack(out)


@pytest.mark.slow
def test_roi_rescales_exactly_up_to_monte_carlo_error(data):
    fits = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        for name, frame, factor in (
            ("yuan", data, 1.0),
            ("spend in 万元", _rescaled(data, spend=1e-4), 1e-4),  # ROI x 10,000
            ("GMV in 万元", _rescaled(data, gmv=1e-4), 1e4),  # ROI / 10,000
        ):
            # sampled until converged; at the default target_accept this world keeps a few
            # divergences (tests/test_until_converged.py, docs/benchmarks.md)
            fit = fit_mmm(frame, random_seed=11, target_accept=0.97, max_minutes=10)
            d = fit.diagnostics
            # R-hat and ESS make the Monte Carlo error below trustworthy; a few divergences
            # (2 in one of the three runs, measured) are the sampler's, not the units'
            assert d.max_rhat <= 1.01 and d.min_ess_bulk >= 400 and d.divergences <= 5, d
            fits[name] = (_roi_draws(fit) * factor, fit)
    base = fits["yuan"][0]
    for name, (draws, _) in fits.items():
        for c in range(base.shape[0]):
            a, b = base[c], draws[c]
            mcse = np.hypot(float(az.mcse(a)), float(az.mcse(b)))
            assert abs(a.mean() - b.mean()) <= 4 * mcse, (name, c, a.mean(), b.mean(), mcse)
            print(f"{name} channel {c}: ROI {b.mean():.4f} vs {a.mean():.4f}, MCSE {mcse:.4f}")
