"""Every call to a sampler or approximate fit, and the convergence diagnostics.

``run_inference`` imports pymc; it is loaded on first use so that ``import seedmodel`` stays
light.
"""

from seedmodel.inference.diagnostics import Diagnostics, diagnose
from seedmodel.inference.options import ADAPTATIONS, BACKENDS, METHODS, SAMPLERS

__all__ = [
    "ADAPTATIONS",
    "BACKENDS",
    "METHODS",
    "SAMPLERS",
    "Diagnostics",
    "diagnose",
    "run_inference",
]


def __getattr__(name: str):
    if name == "run_inference":
        from seedmodel.inference import sample

        return getattr(sample, name)
    raise AttributeError(name)
