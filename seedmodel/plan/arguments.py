"""Checks of a plan's arguments, before any work: every unknown name and impossible number
is refused with an :class:`~seedmodel.schema.ArgumentError` (a ``ValueError``; a
``TypeError`` for the wrong kind of object) naming the argument and what it allows."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping

from seedmodel.schema.errors import ArgumentError

__all__ = ["check_cells", "check_days", "check_number"]


def check_number(
    name: str, value, *, low: float = 0.0, high: float = math.inf, inclusive: bool = False
) -> float:
    """``value`` as a finite float in ``(low, high)`` (``[low, high)`` when inclusive)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    v = float(value)
    above = v >= low if inclusive else v > low
    if not (math.isfinite(v) and above and v < high):
        bound = f"{'>=' if inclusive else '>'} {low:g}"
        bound += "" if math.isinf(high) else f" and < {high:g}"
        raise ArgumentError(f"{name} must be a finite number {bound}, got {value!r}")
    return v


def check_days(days) -> int:
    """A planning horizon: a whole number of days >= 1."""
    if isinstance(days, bool) or not isinstance(days, numbers.Integral):
        if isinstance(days, numbers.Real) and float(days).is_integer():
            return check_days(int(days))
        raise ArgumentError(f"days must be a whole number of days >= 1, got {days!r}")
    if days < 1:
        raise ArgumentError(f"days must be a whole number of days >= 1, got {days!r}")
    return int(days)


def check_cells(
    name: str, given: Iterable | Mapping | None, brands: Iterable[str], channels: Iterable[str]
) -> None:
    """Entries of ``off`` (or the keys of ``bounds``, ``fixed``, ``min_daily_spend``) must be
    channels or ``(brand, channel)`` pairs of the fit."""
    if given is None:
        return
    if isinstance(given, str):
        raise TypeError(
            f"{name} must be a list of channels or (brand, channel) pairs, got the string "
            f"{given!r} (write [{given!r}])"
        )
    brands, channels = list(brands), list(channels)
    for entry in given:
        if isinstance(entry, tuple) and len(entry) == 2:
            brand, channel = entry
            if brand not in brands:
                raise ArgumentError(f"{name}: unknown brand {brand!r}; the fit's brands: {brands}")
        else:
            channel = entry
        if channel not in channels:
            raise ArgumentError(
                f"{name}: unknown channel {channel!r}; the fit's paid channels: {channels}"
            )
