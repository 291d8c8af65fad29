"""Adstock and saturation reference functions."""

from __future__ import annotations

import numpy as np
import pytest

from seedmodel.transforms import adstock, geometric_weights, hill, logistic, weibull_weights


def test_adstock_matches_explicit_convolution():
    rng = np.random.default_rng(0)
    x = rng.gamma(2.0, size=(3, 50))
    w = geometric_weights(0.6, 10)
    got = adstock(x, w, axis=-1)
    expected = np.stack([np.convolve(row, w)[:50] for row in x])
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_normalised_adstock_preserves_mass_inside_the_series():
    x = np.zeros(200)
    x[10] = 7.0
    for w in (geometric_weights(0.8, 60), weibull_weights(2.0, 16.0, 90)):
        assert adstock(x, w).sum() == pytest.approx(7.0, rel=1e-12)


def test_weibull_peak_is_delayed_and_geometric_peak_is_immediate():
    assert np.argmax(weibull_weights(2.0, 16.0, 90)) == 11
    assert np.argmax(geometric_weights(0.5, 20)) == 0
    assert geometric_weights(0.5, 2, normalize=False).tolist() == [1.0, 0.5, 0.25]


def test_saturation_curves():
    x = np.linspace(0, 10, 101)
    h = hill(x, 2.0, 1.5)
    assert h[0] == 0 and float(hill(np.array(2.0), 2.0, 1.5)) == pytest.approx(0.5)
    assert np.all(np.diff(h) > 0) and h[-1] < 1
    lg = logistic(x, 0.7)
    assert lg[0] == 0 and np.all(np.diff(lg) > 0) and lg[-1] < 1


def test_lag_matrix_applies_weights_like_adstock():
    from seedmodel.transforms import lag_matrix

    x = np.random.default_rng(1).gamma(2.0, size=60)
    w = weibull_weights(2.0, 8.0, 20)
    np.testing.assert_allclose(lag_matrix(x, 20) @ w, adstock(x, w), rtol=1e-12)
    assert np.isnan(lag_matrix(x, 3, fill=np.nan)[0, 1:]).all()
