"""Media response in numpy, vectorised over posterior draws.

The curves themselves are the components of :mod:`seedmodel.transforms.components`, whose
PyTensor twins build the PyMC graph (a test pins each pair together). Analysis and the
optimizer use this module.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from seedmodel.transforms import lag_matrix
from seedmodel.transforms.components import Saturation

__all__ = ["ChannelDraws", "lag_matrix", "media_response"]


class ChannelDraws(NamedTuple):
    """One channel's posterior, flattened over chains and draws (``S`` draws).

    Attributes
    ----------
    weights : ndarray
        (S, L + 1) lag weights, lags in periods.
    half : ndarray
        (S, B) half-saturation per brand (units of typical input).
    beta : ndarray
        (S, B, P) GMV at full saturation per brand and platform (units of the brand x
        platform's mean GMV).
    saturation : Saturation
        The channel's saturation component.
    shape : dict
        Its further parameters (name -> (S,)); empty for Hill and logistic.
    """

    weights: np.ndarray
    half: np.ndarray
    beta: np.ndarray
    saturation: Saturation
    shape: dict[str, np.ndarray]

    def saturate(self, a: np.ndarray, b: int) -> np.ndarray:
        """Saturation of carried-over input ``a`` (S, ...) of brand ``b``, per draw."""
        extra = (1,) * (np.ndim(a) - 1)
        return self.saturation(
            a,
            self.half[:, b].reshape(-1, *extra),
            **{k: v.reshape(-1, *extra) for k, v in self.shape.items()},
        )

    def subset(self, draws) -> ChannelDraws:
        """The same channel on a subset of draws (an index or boolean mask)."""
        return self._replace(
            weights=self.weights[draws],
            half=self.half[draws],
            beta=self.beta[draws],
            shape={k: v[draws] for k, v in self.shape.items()},
        )


def media_response(x: np.ndarray, draws: ChannelDraws, b: int) -> np.ndarray:
    """Saturated, carried-over response of brand ``b`` to input ``x`` (T,), per draw:
    (S, T) in [0, 1]."""
    w = draws.weights
    carried = w @ lag_matrix(x, w.shape[1] - 1).T  # (S, T)
    return draws.saturate(carried, b)
