"""Adstock and saturation: numpy reference functions (PyTensor twins live beside the models)."""

from seedmodel.transforms.carryover import adstock, geometric_weights, lag_matrix, weibull_weights
from seedmodel.transforms.saturation import hill, logistic

__all__ = [
    "adstock",
    "geometric_weights",
    "hill",
    "lag_matrix",
    "logistic",
    "weibull_weights",
]
