"""The labelled media posterior (seedmodel.analysis.posterior) against the fit it reads."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from seedmodel.analysis.posterior import MediaPosterior, media_inputs


def test_the_labelled_posterior_holds_the_fit_s_draws_by_name(small_fit):
    _, fit = small_fit
    inp = fit.inputs
    post = MediaPosterior.from_fit(fit)
    S = fit.draws("half").shape[0]
    L = max(inp.max_lag.values())
    assert dict(post.draws.sizes) == {
        "sample": S,
        "brand": len(inp.brands),
        "channel": len(inp.channels),
        "platform": len(inp.platforms),
        "lag": L + 1,
    }
    assert post.channels == list(inp.channels)
    np.testing.assert_array_equal(post.draws["half"].to_numpy(), fit.draws("half"))
    np.testing.assert_array_equal(post.draws["beta"].to_numpy(), fit.draws("beta"))
    for channel in inp.channels:
        weights = post.draws["weights"].sel(channel=channel)
        np.testing.assert_allclose(weights.sum("lag"), 1.0, rtol=1e-12)
        assert (weights.isel(lag=slice(inp.max_lag[channel] + 1, None)) == 0).all()
        assert post.weights(channel).sizes["lag"] == inp.max_lag[channel] + 1
    picked = post.subset([3, 1])
    assert picked.draws["sample"].values.tolist() == [3, 1]
    np.testing.assert_array_equal(picked.draws["half"], post.draws["half"].isel(sample=[3, 1]))


def test_the_response_is_the_carried_over_input_saturated(small_fit):
    """Against an independent computation: a convolution per draw, then Hill a / (a + h)."""
    _, fit = small_fit
    post = MediaPosterior.from_fit(fit)
    x = media_inputs(fit)["x"]
    for channel in ("little_red_star", "red_cat"):
        got = post.response(channel, x.sel(channel=channel))
        assert got.dims == ("sample", "brand", "period")
        for brand in x["brand"].values[:2]:
            series = x.sel(channel=channel, brand=brand).to_numpy()
            w = post.weights(channel).to_numpy()
            half = post.draws["half"].sel(channel=channel, brand=brand).to_numpy()
            for s in (0, 7, len(w) - 1):
                carried = np.convolve(series, w[s])[: len(series)]
                want = carried / (carried + half[s])
                np.testing.assert_allclose(got.sel(brand=brand).isel(sample=s), want, rtol=1e-10)


def test_a_response_needs_labelled_brands_first(small_fit):
    _, fit = small_fit
    post = MediaPosterior.from_fit(fit)
    x = media_inputs(fit)["x"].sel(channel="red_cat")
    with pytest.raises(ValueError, match="brand must come first"):
        post.response("red_cat", x.transpose("period", "brand"))
    with pytest.raises(KeyError):
        post.response("red_cat", x.assign_coords(brand=["nobody"] * x.sizes["brand"]))
    last = x["brand"].values[-1:]  # a subset of brands, by name
    one = post.response("red_cat", x.sel(brand=last))
    np.testing.assert_array_equal(one, post.response("red_cat", x).sel(brand=last))
    assert isinstance(one, xr.DataArray)
