"""Plain checks of option values shared by the spec and sampler settings (no imports beyond
the standard library, so reading them costs nothing at start-up)."""

from __future__ import annotations

from operator import index
from typing import Any

__all__ = ["whole_number"]


def whole_number(value: Any) -> int | None:
    """``value`` as a Python int if it is an integer (numpy's included, ``bool`` not), else
    None.

    Examples
    --------
    >>> import numpy as np
    >>> whole_number(np.int64(3)), whole_number(True), whole_number(2.0)
    (3, None, None)
    """
    if isinstance(value, bool):
        return None
    try:
        return index(value)
    except TypeError:
        return None
