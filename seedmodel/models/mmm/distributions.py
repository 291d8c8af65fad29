"""A prior distribution the model needs that PyMC does not ship.

:class:`Between` is a normal whose centre is not known exactly but lies somewhere in an
interval: ``low + span * U(0, 1) + Normal(0, sigma)``. The effect prior of
``SeedingMMM(effect_centre="between")`` uses it for a channel's log effect, with the interval
running from the even centre to the spend-weighted one.

It is a proper PyMC distribution (a random variable with a registered log density), not a
``CustomDist``, so a model that holds it can be pickled to the processes that sample its
chains and rebuilt there.
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt
from pymc.distributions.continuous import Continuous
from pymc.distributions.dist_math import check_parameters, normal_lcdf
from pymc.distributions.shape_utils import rv_size_is_none
from pymc.math import logdiffexp
from pytensor.tensor.random.op import RandomVariable

__all__ = ["Between"]


class BetweenRV(RandomVariable):
    """``low + span * U(0, 1) + Normal(0, sigma)``, drawn with numpy."""

    name = "between"
    signature = "(),(),()->()"
    dtype = "floatX"
    _print_name = ("Between", "\\operatorname{Between}")

    @classmethod
    def rng_fn(cls, rng, low, span, sigma, size) -> np.ndarray:
        return low + span * rng.uniform(size=size) + sigma * rng.normal(size=size)


between = BetweenRV()


class Between(Continuous):
    r"""A normal of scale ``sigma`` whose centre is uniform on ``[low, low + span]``.

    .. math::

        p(x) = \frac{\Phi\left(\frac{x - l}{\sigma}\right)
               - \Phi\left(\frac{x - l - s}{\sigma}\right)}{s}

    Its mean is ``low + span / 2`` and its variance ``sigma**2 + span**2 / 12``; as ``span``
    goes to 0 it becomes ``Normal(low, sigma)``. It is unimodal: flat-topped where ``span``
    is large against ``sigma``, so a sampler sees no second mode, where an even mixture of
    normals at the two ends has two once they are further apart than about two ``sigma``.

    Parameters
    ----------
    low : tensor_like of float
        The lower end of the centre's interval.
    span : tensor_like of float
        The interval's length, > 0.
    sigma : tensor_like of float
        The normal's scale, > 0.
    """

    rv_op = between

    @classmethod
    def dist(cls, low, span, sigma, **kwargs):
        return super().dist([low, span, sigma], **kwargs)

    def support_point(rv, size, low, span, sigma):
        centre = low + span / 2
        if not rv_size_is_none(size):
            centre = pt.full(size, centre)
        return centre

    def logp(value, low, span, sigma):
        a, b = (value - low) / sigma, (value - low - span) / sigma
        # Phi(a) - Phi(b), or Phi(-b) - Phi(-a) right of the centre, where the first is a
        # difference of two numbers near 1
        right = a + b > 0
        upper = pt.switch(right, normal_lcdf(0.0, 1.0, -b), normal_lcdf(0.0, 1.0, a))
        lower = pt.switch(right, normal_lcdf(0.0, 1.0, -a), normal_lcdf(0.0, 1.0, b))
        logp = logdiffexp(upper, lower) - pt.log(span)
        return check_parameters(logp, span > 0, sigma > 0, msg="span > 0, sigma > 0")
