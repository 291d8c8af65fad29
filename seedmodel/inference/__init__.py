"""Every call to a sampler or approximate fit, and the convergence diagnostics."""

from seedmodel.inference.diagnostics import Diagnostics, diagnose
from seedmodel.inference.sample import METHODS, SAMPLERS, run_inference

__all__ = ["METHODS", "SAMPLERS", "Diagnostics", "diagnose", "run_inference"]
