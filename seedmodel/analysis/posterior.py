"""A fit's media posterior and inputs, labelled: named dimensions instead of positions.

The PyMC graph names each curve's parameters ``{channel}__{param}``; :meth:`MediaPosterior.
from_fit` is the one place that reads those names. Everything downstream (ROI, incremental
GMV, contributions, arrival shares, the plan's response) works on xarray objects whose
dimensions are named:

``sample``
    posterior draws, chains and draws flattened (chain-major, as in :meth:`Fit.draws`);
``brand``, ``channel``, ``platform``
    labelled with the fit's names;
``lag``
    periods since the input (0 = the same period);
``period``
    the data's periods followed by the carryover tail (no input there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import xarray as xr

from seedmodel.transforms import lag_matrix
from seedmodel.transforms.components import Saturation

__all__ = ["MediaPosterior", "media_inputs"]

SAMPLE = "sample"


@dataclass(frozen=True)
class MediaPosterior:
    """The media part of a fitted SeedingMMM's posterior, with named dimensions.

    Attributes
    ----------
    draws : xarray.Dataset
        ``half`` (sample, brand, channel): half-saturation, in units of typical input;
        ``beta`` (sample, brand, channel, platform): GMV at full saturation, in units of the
        brand x platform's mean GMV; ``weights`` (sample, channel, lag): lag weights, zero
        beyond the channel's longest lag; and one variable per further saturation parameter
        (sample, channel), NaN for channels whose curve has none.
    saturation : Mapping
        Channel -> its saturation component.
    max_lag : Mapping
        Channel -> its longest lag in periods.
    """

    draws: xr.Dataset
    saturation: Mapping[str, Saturation]
    max_lag: Mapping[str, int]

    @classmethod
    def from_fit(cls, fit) -> MediaPosterior:
        """Read the media parameters of ``fit`` by its components' names."""
        inp = fit.inputs
        S = fit.draws("half").shape[0]
        L = max(inp.max_lag.values())
        weights = np.zeros((S, len(inp.channels), L + 1))
        extra: dict[str, np.ndarray] = {}
        saturation = {}
        for c, channel in enumerate(inp.channels):
            ms = inp.spec.media[channel]
            names = [*ms.adstock.names(channel).values(), *ms.saturation.names(channel).values()]
            post = {name: fit.draws(name) for name in names}
            lags = inp.max_lag[channel]
            weights[:, c, : lags + 1] = ms.adstock.weights(ms.adstock.draws(post, channel), lags)
            for param, value in ms.saturation.draws(post, channel).items():
                extra.setdefault(param, np.full((S, len(inp.channels)), np.nan))[:, c] = value
            saturation[channel] = ms.saturation
        coords = {
            SAMPLE: np.arange(S),
            "brand": list(inp.brands),
            "channel": list(inp.channels),
            "platform": list(inp.platforms),
            "lag": np.arange(L + 1),
        }
        draws = xr.Dataset(
            {
                "half": ((SAMPLE, "brand", "channel"), fit.draws("half")),
                "beta": ((SAMPLE, "brand", "channel", "platform"), fit.draws("beta")),
                "weights": ((SAMPLE, "channel", "lag"), weights),
                **{p: ((SAMPLE, "channel"), v) for p, v in extra.items()},
            },
            coords=coords,
        )
        return cls(draws=draws, saturation=saturation, max_lag=dict(inp.max_lag))

    @property
    def channels(self) -> list[str]:
        """The channels, in the fit's order."""
        return list(self.draws["channel"].values)

    def weights(self, channel: str) -> xr.DataArray:
        """The channel's lag weights (sample, lag), up to its own longest lag."""
        lags = self.max_lag[channel]
        return self.draws["weights"].sel(channel=channel).isel(lag=slice(0, lags + 1))

    def shape(self, channel: str) -> dict[str, xr.DataArray]:
        """The channel's further saturation parameters (name -> (sample,)); empty for
        curves with none."""
        return {p: self.draws[p].sel(channel=channel) for p in self.saturation[channel].params}

    def subset(self, draws) -> MediaPosterior:
        """The same posterior on some of its draws (positions or a boolean mask)."""
        return MediaPosterior(
            self.draws.isel({SAMPLE: draws}), dict(self.saturation), dict(self.max_lag)
        )

    def carried(self, channel: str, x: xr.DataArray) -> xr.DataArray:
        """Carried-over input: ``x`` (..., period) spread over the channel's lags, per draw:
        (sample, ..., period). Periods before ``x`` begins count as no input."""
        w = self.weights(channel).transpose(SAMPLE, "lag").to_numpy()  # (S, L + 1)
        other = [d for d in x.dims if d != "period"]
        xs = x.transpose(*other, "period").to_numpy()
        flat = xs.reshape(-1, xs.shape[-1])
        lagged = np.stack([lag_matrix(row, w.shape[1] - 1).T for row in flat])  # (n, L+1, T)
        out = np.matmul(w, lagged)  # (n, S, T)
        out = np.moveaxis(out.reshape(*xs.shape[:-1], w.shape[0], xs.shape[-1]), -2, 0)
        return xr.DataArray(
            out, dims=(SAMPLE, *other, "period"), coords={d: x.coords[d] for d in x.coords}
        )

    def response(self, channel: str, x: xr.DataArray) -> xr.DataArray:
        """Saturated, carried-over response in [0, 1] to input ``x`` (brand, ..., period), in
        units of typical input, per draw: (sample, brand, ..., period)."""
        if x.dims[0] != "brand":
            raise ValueError(f"input dims {x.dims}: brand must come first")
        a = self.carried(channel, x)
        extra = (1,) * (a.ndim - 2)
        half = self.draws["half"].sel(channel=channel, brand=x["brand"].values)
        half = half.transpose(SAMPLE, "brand")
        values = self.saturation[channel](
            a.to_numpy(),
            half.to_numpy().reshape(*half.shape, *extra),
            **{k: v.to_numpy().reshape(-1, 1, *extra) for k, v in self.shape(channel).items()},
        )
        return a.copy(data=values)


def media_inputs(fit) -> xr.Dataset:
    """The fit's inputs that turn media draws into yuan, labelled.

    Returns
    -------
    xarray.Dataset
        ``x`` (brand, channel, period): each channel's input in units of typical input, the
        data then the tail; ``spend`` (brand, channel, period): spend in CNY over the data;
        ``live`` (brand, platform, period): 1.0 where the store is open; ``gmv_scale``
        (brand, platform): mean GMV per live period, CNY.
    """
    inp = fit.inputs
    T = inp.n_periods
    coords = {
        "brand": list(inp.brands),
        "channel": list(inp.channels),
        "platform": list(inp.platforms),
        "period": np.arange(inp.x.shape[-1]),
    }
    return xr.Dataset(
        {
            "x": (("brand", "channel", "period"), inp.x),
            "spend": (("brand", "channel", "period"), _pad(inp.spend, inp.x.shape[-1] - T)),
            "live": (("brand", "platform", "period"), inp.live.astype(float)),
            "gmv_scale": (("brand", "platform"), inp.gmv_scale),
        },
        coords=coords,
    )


def _pad(a: np.ndarray, periods: int) -> np.ndarray:
    """``a`` with ``periods`` zeros appended along its last axis."""
    return np.concatenate([a, np.zeros((*a.shape[:-1], periods))], axis=-1)
