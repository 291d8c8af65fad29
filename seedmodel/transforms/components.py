"""Media transforms as components: one class per carryover or saturation curve.

Each class owns, in one place, what every part of the library needs of it:

- its NumPy function (analysis, ROI counterfactuals, the plan's response, over posterior
  draws), its PyTensor twin (the PyMC graph) and, for saturation, its derivative (the
  optimizer's gradient);
- its parameters: their names in the posterior (``{channel}__{name}``) and their priors,
  declared as data (:class:`PriorSpec`) rather than written into the graph;
- its registered name, through which a :class:`~seedmodel.models.mmm.spec.MediaSpec` and a
  saved fit refer to it.

Adding a curve is one class here and its ``@register``: the graph, the analysis, the plan
and the tests (``tests/test_components.py`` runs over the registry) pick it up.

PyMC and PyTensor are imported inside the methods that build the graph, so the NumPy side
stays light for the simulator and the link analysis.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "ADSTOCKS",
    "SATURATIONS",
    "Adstock",
    "GeometricAdstock",
    "HillSaturation",
    "HillSlopeSaturation",
    "LogisticSaturation",
    "PriorSpec",
    "Saturation",
    "WeibullAdstock",
    "adstock_from",
    "register",
    "saturation_from",
]


@dataclass(frozen=True)
class PriorSpec:
    """A prior as data: a PyMC distribution's name and its keyword arguments.

    Examples
    --------
    >>> PriorSpec("LogNormal", mu=0.0, sigma=0.4).to_dict()
    {'dist': 'LogNormal', 'mu': 0.0, 'sigma': 0.4}
    """

    dist: str
    kwargs: tuple[tuple[str, float], ...]

    def __init__(self, dist: str, **kwargs: float) -> None:
        object.__setattr__(self, "dist", dist)
        object.__setattr__(self, "kwargs", tuple((k, float(v)) for k, v in kwargs.items()))

    def create(self, name: str, **options: Any):
        """The PyMC random variable ``name`` (inside a model context); ``options`` (dims,
        or a centre the data set) are passed on and replace this prior's own values."""
        import pymc as pm

        return getattr(pm, self.dist)(name, **{**dict(self.kwargs), **options})

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (recorded in a fit file)."""
        return {"dist": self.dist, **dict(self.kwargs)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PriorSpec:
        """Inverse of :meth:`to_dict`."""
        rest = {k: v for k, v in data.items() if k != "dist"}
        return cls(data["dist"], **rest)


class _Component(ABC):
    """What carryover and saturation components share: a registered name, parameters with
    declared priors, and equality by name (components hold no state)."""

    #: Registered name (what a MediaSpec and a fit file store).
    name: ClassVar[str]
    #: Per-channel parameters, in the order they are created; posterior variables
    #: ``{channel}__{name}``.
    params: ClassVar[tuple[str, ...]] = ()

    def priors(self, period_days: int) -> dict[str, PriorSpec]:
        """Prior of each free parameter (``period_days``: the data's period, for priors
        stated in days)."""
        return {}

    def variables(self, channel: str, period_days: int) -> dict[str, Any]:
        """Create the channel's parameters in the current PyMC model; returns the tensors
        the PyTensor function takes (by default the free parameters themselves)."""
        return {p: prior.create(f"{channel}__{p}") for p, prior in self.priors(period_days).items()}

    def names(self, channel: str) -> dict[str, str]:
        """Parameter -> the channel's posterior variable (``{channel}__{param}``)."""
        return {p: f"{channel}__{p}" for p in self.params}

    def draws(self, posterior: dict[str, np.ndarray], channel: str) -> dict[str, np.ndarray]:
        """The channel's parameters from flattened posterior draws (name -> (S, ...))."""
        return {p: posterior[name] for p, name in self.names(channel).items()}

    def to_dict(self) -> str:
        """The registered name (components hold no settings)."""
        return self.name

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Adstock(_Component):
    """Carryover: how a period's input spreads over the following ``max_lag`` periods."""

    @abstractmethod
    def weights(self, params: dict[str, np.ndarray], max_lag: int) -> np.ndarray:
        """Normalised lag weights per draw, (S, max_lag + 1), each row summing to one;
        ``params`` holds (S,) arrays."""

    @abstractmethod
    def pt_weights(self, params: dict[str, Any], max_lag: int):
        """PyTensor twin of :meth:`weights` for one draw: (max_lag + 1,)."""


class Saturation(_Component):
    """Diminishing returns of carried-over input ``a`` >= 0, 0 at 0 and rising to 1, with a
    scale ``half`` per brand x channel (in units of typical input) and any further
    per-channel parameters in :attr:`params`. Arrays broadcast: callers shape ``half`` and
    the parameters against ``a``."""

    @abstractmethod
    def __call__(self, a, half, **params):
        """Saturation in NumPy."""

    @abstractmethod
    def pt(self, a, half, **params):
        """PyTensor twin of :meth:`__call__`."""

    @abstractmethod
    def with_slope(self, a, half, **params) -> tuple[np.ndarray, np.ndarray]:
        """(saturation, its derivative in ``a``) in NumPy."""


ADSTOCKS: dict[str, type[Adstock]] = {}
SATURATIONS: dict[str, type[Saturation]] = {}


def register(cls):
    """Class decorator: make a component available by its ``name``."""
    table = ADSTOCKS if issubclass(cls, Adstock) else SATURATIONS
    if cls.name in table:
        raise ValueError(f"a component named {cls.name!r} is already registered")
    table[cls.name] = cls
    return cls


def _from(table: dict, kind: str, value) -> Any:
    if isinstance(value, _Component):
        if type(value) not in table.values():
            raise ValueError(f"{type(value).__name__} is not a registered {kind} component")
        return value
    if value not in table:
        raise ValueError(f"{kind} must be one of {tuple(table)}, got {value!r}")
    return table[value]()


def adstock_from(value: str | Adstock) -> Adstock:
    """The carryover component named ``value`` (or ``value`` itself)."""
    return _from(ADSTOCKS, "adstock", value)


def saturation_from(value: str | Saturation) -> Saturation:
    """The saturation component named ``value`` (or ``value`` itself)."""
    return _from(SATURATIONS, "saturation", value)


@register
class GeometricAdstock(Adstock):
    """``alpha ** l``, normalised: the effect peaks at once and decays (link clicks)."""

    name = "geometric"
    params = ("alpha",)

    def priors(self, period_days: int) -> dict[str, PriorSpec]:
        return {"alpha": PriorSpec("Beta", alpha=2.0, beta=2.0)}

    def weights(self, params: dict[str, np.ndarray], max_lag: int) -> np.ndarray:
        alpha = np.atleast_1d(params["alpha"])[:, None]
        w = alpha ** np.arange(max_lag + 1, dtype=float)
        return w / w.sum(axis=1, keepdims=True)

    def pt_weights(self, params: dict[str, Any], max_lag: int):
        import pytensor.tensor as pt

        w = params["alpha"] ** pt.arange(max_lag + 1)
        return w / w.sum()


@register
class WeibullAdstock(Adstock):
    """The Weibull probability of each lag interval ``[l, l + 1)``: a shape above one peaks
    days or weeks after the input (people read a note today and search on Tmall later).

    Parametrised by the lag's mean (periods; prior centred on 14 days) and shape, which the
    data separate better than shape and scale; the scale is derived and kept in the
    posterior as ``{channel}__scale``.
    """

    name = "weibull"
    params = ("shape", "scale")

    def priors(self, period_days: int) -> dict[str, PriorSpec]:
        return {
            "shape": PriorSpec("LogNormal", mu=np.log(2.0), sigma=0.4),
            "mean": PriorSpec("LogNormal", mu=np.log(14.0 / period_days), sigma=0.4),
        }

    def variables(self, channel: str, period_days: int) -> dict[str, Any]:
        import pymc as pm
        import pytensor.tensor as pt

        free = super().variables(channel, period_days)
        shape, mean = free["shape"], free["mean"]
        scale = pm.Deterministic(f"{channel}__scale", mean / pt.exp(pt.gammaln(1.0 + 1.0 / shape)))
        return {"shape": shape, "scale": scale}

    def weights(self, params: dict[str, np.ndarray], max_lag: int) -> np.ndarray:
        k = np.atleast_1d(params["shape"])[:, None]
        lam = np.atleast_1d(params["scale"])[:, None]
        edges = np.arange(max_lag + 2, dtype=float)
        cdf = 1.0 - np.exp(-((edges / lam) ** k))
        w = np.diff(cdf, axis=1) + 1e-12
        return w / w.sum(axis=1, keepdims=True)

    def pt_weights(self, params: dict[str, Any], max_lag: int):
        import pytensor.tensor as pt

        # the CDF at lag 0 is exactly 0; leaving 0 ** shape out keeps its gradient finite
        edges = pt.arange(1, max_lag + 2, dtype="float64")
        cdf = 1.0 - pt.exp(-((edges / params["scale"]) ** params["shape"]))
        w = pt.concatenate([cdf[:1], cdf[1:] - cdf[:-1]]) + 1e-12
        return w / w.sum()


@register
class HillSaturation(Saturation):
    """``a / (a + half)``: 0.5 at ``a = half``, concave from the first yuan."""

    name = "hill"

    def __call__(self, a, half, **params):
        return a / (a + half)

    def pt(self, a, half, **params):
        return a / (a + half)

    def with_slope(self, a, half, **params):
        inv = 1.0 / (a + half)
        return a * inv, half * inv * inv


@register
class LogisticSaturation(Saturation):
    """``(1 - exp(-a / half)) / (1 + exp(-a / half))`` = ``tanh(a / (2 half))``: close to
    linear at first, then flat."""

    name = "logistic"

    def __call__(self, a, half, **params):
        return np.tanh(a / (2 * half))

    def pt(self, a, half, **params):
        import pytensor.tensor as pt

        e = pt.exp(-a / half)
        return (1.0 - e) / (1.0 + e)

    def with_slope(self, a, half, **params):
        th = np.tanh(a / (2 * half))
        return th, 0.5 / half * (1.0 - th * th)


@register
class HillSlopeSaturation(Saturation):
    """``a**s / (a**s + half**s)`` with a slope ``s`` per channel learnt from the data
    (prior log-normal around 1): S-shaped above 1, sharper than Hill below.

    Not a default: on the ``seeding_trend`` stress world a free slope per channel gave
    859-998 divergences of 1,000 draws before ``a`` was kept off exact zero (so the slope's
    gradient stays finite); with that, on the 45 family worlds it raised the median ROI
    error from 0.163 to 0.169 and lowered coverage from 0.82 to 0.80 (docs/mmm.md, *Sixth
    look*).
    """

    name = "hill_slope"
    params = ("slope",)

    def priors(self, period_days: int) -> dict[str, PriorSpec]:
        return {"slope": PriorSpec("LogNormal", mu=0.0, sigma=0.3)}

    def __call__(self, a, half, *, slope):
        x = np.power(np.maximum(a, 0.0) + 1e-12, slope)
        return x / (x + np.power(half, slope))

    def pt(self, a, half, *, slope):
        import pytensor.tensor as pt

        x = pt.exp(slope * pt.log(a + 1e-12))
        return x / (x + pt.exp(slope * pt.log(half)))

    def with_slope(self, a, half, *, slope):
        a = np.maximum(a, 0.0) + 1e-12
        x, h = np.power(a, slope), np.power(half, slope)
        return x / (x + h), slope * x * h / (a * (x + h) ** 2)
