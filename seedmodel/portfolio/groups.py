"""Brands into groups: the unit of work of a portfolio (one hierarchical fit per group)."""

from __future__ import annotations

import re

from seedmodel.schema import Dataset
from seedmodel.schema.errors import ArgumentError

__all__ = ["NO_VALUE", "portfolio_groups"]

#: The group of brands with no value in the grouping column.
NO_VALUE = "(none)"


def portfolio_groups(data: Dataset, by: str | int = "category") -> dict[str, tuple[str, ...]]:
    """Group the data's brands: group name -> brands (sorted), groups in name order.

    Parameters
    ----------
    data : Dataset
        The portfolio's data.
    by : str or int
        A column of the ``brands`` table (default ``category``: brands of one category
        share a hierarchical fit, which pools what they have in common), or a group size:
        the brands in name order, ``by`` at a time. Brands missing from the brands table
        or without a value form the group ``"(none)"``.

    Raises
    ------
    ArgumentError
        An unknown column, or a size below 1.

    Examples
    --------
    >>> import seedmodel as sm
    >>> portfolio_groups(sm.load("data/sample"), by=2)
    {'1': ('LumaBeauty', 'PureCare'), '2': ('VitaWell',)}
    """
    brands = data.brand_names
    if isinstance(by, int) and not isinstance(by, bool):
        if by < 1:
            raise ArgumentError(f"--by: a group size must be >= 1, got {by}")
        chunks = [brands[i : i + by] for i in range(0, len(brands), by)]
        width = len(str(len(chunks)))
        return {f"{i + 1:0{width}d}": tuple(chunk) for i, chunk in enumerate(chunks)}
    table = data.brands
    if by not in table.columns or by == "brand":
        known = [c for c in table.columns if c != "brand"]
        raise ArgumentError(
            f"--by: brands has no column {by!r} (columns: {', '.join(known) or 'none'}; "
            "or give a group size)"
        )
    value = dict(zip(table["brand"], table[by].astype(str), strict=True))
    groups: dict[str, list[str]] = {}
    for brand in brands:
        name = value.get(brand, "").strip() or NO_VALUE
        groups.setdefault(name, []).append(brand)
    return {name: tuple(groups[name]) for name in sorted(groups)}


def folder_name(index: int, group: str) -> str:
    """A file-system-safe folder for a group: its position and a slug of its name."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", group).strip("-")[:40] or "group"
    return f"{index:03d}-{slug}"
