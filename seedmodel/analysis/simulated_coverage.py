"""How often ``roi()``'s 90% intervals held the true ROI on simulated worlds built to differ
from the model: the measured rates a report quotes beside a fit's own intervals.

A posterior interval says how sure the model is if the model is right. On the world family
(:mod:`seedmodel.sim.family`: lags, curves, trends, demand shocks and noise the model does not
share) the default model's 90% ROI intervals held the truth in 93% of one-brand cells but
only 79-83% of 小红星's and 红猫's cells when two to five brands were fitted together
(docs/recovery_family.md, *Where it stands*). A reader of one fit cannot see that from the
fit; this module hands it over.

The table is package data (``seedmodel/data/simulated_coverage.json``), made by
``bench/simulated_coverage.py`` from the recovery benchmark's stored results. Its rates hold
for the model they were measured on: :func:`coverage_for` returns them only for a fit of
that model (today's default :class:`~seedmodel.models.mmm.spec.SeedingMMM`, the spec format
the table records) and only for the channels measured.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from seedmodel.models.mmm.spec import SeedingMMM

__all__ = [
    "TABLE",
    "brands_group",
    "coverage_for",
    "coverage_table",
    "measured_on",
    "measured_spec",
]

#: The package data file holding the table.
TABLE = "simulated_coverage.json"


@cache
def _load() -> dict:
    return json.loads(resources.files("seedmodel.data").joinpath(TABLE).read_text("utf-8"))


def coverage_table() -> pd.DataFrame:
    """Every measured row: brands (``"1"`` or ``"2-5"``, brands per fit), channel, cells,
    worlds, coverage (of the 90% ROI interval), confidently_wrong (cells whose interval
    missed the truth by a factor of 2 or more), median_abs_error (|estimate - truth| /
    truth) and mroi_coverage.

    Examples
    --------
    >>> t = coverage_table()
    >>> sorted(t["brands"].unique()), bool(t["coverage"].between(0, 1).all())
    (['1', '2-5'], True)
    """
    return pd.DataFrame(_load()["rows"])


def brands_group(n_brands: int) -> str | None:
    """The table's group for a fit of ``n_brands`` brands: ``"1"``, ``"2-5"``, or None for
    more than five (not measured: from six brands on the default model learns the brands'
    spreads instead of fixing the effects', ``SeedingMMM.learnt_spread_brands``).

    Examples
    --------
    >>> brands_group(1), brands_group(3), brands_group(8)
    ('1', '2-5', None)
    """
    if n_brands < 1:
        raise ValueError(f"n_brands must be at least 1, got {n_brands}")
    if n_brands == 1:
        return "1"
    return "2-5" if n_brands <= 5 else None


def measured_spec(spec: SeedingMMM, link_channels: tuple[str, ...] | list[str] = ()) -> bool:
    """Whether ``spec`` is the model the table was measured on: today's default
    ``SeedingMMM()`` in the table's spec format, each channel with its kind's default media
    (``link_channels`` have link clicks).

    Examples
    --------
    >>> from seedmodel.models.mmm.spec import SeedingMMM
    >>> measured_spec(SeedingMMM()), measured_spec(SeedingMMM(noise="student_t"))
    (True, False)
    """
    from seedmodel.models.mmm.spec import SPEC_FORMAT, SeedingMMM

    if _load()["spec_format"] != SPEC_FORMAT:
        return False
    default = SeedingMMM()
    options = {k: v for k, v in spec.to_dict().items() if k != "media"}
    if options != {k: v for k, v in default.to_dict().items() if k != "media"}:
        return False
    links = set(link_channels)
    return all(m == default.media_for(c, c in links) for c, m in spec.media.items())


def coverage_for(
    spec: SeedingMMM,
    n_brands: int,
    channels: list[str] | tuple[str, ...],
    link_channels: tuple[str, ...] | list[str] = (),
) -> pd.DataFrame:
    """The measured rows for a fit of ``spec`` on ``n_brands`` brands, one per channel of
    ``channels`` that was measured, in that order; empty when ``spec`` is not the measured
    model (:func:`measured_spec`) or that many brands were not measured
    (:func:`brands_group`).

    Examples
    --------
    >>> from seedmodel.models.mmm.spec import SeedingMMM
    >>> rows = coverage_for(SeedingMMM(), 3, ["little_red_star", "my_channel"], ["red_cat"])
    >>> rows["channel"].tolist(), rows["brands"].tolist()
    (['little_red_star'], ['2-5'])
    >>> coverage_for(SeedingMMM(noise="student_t"), 3, ["little_red_star"]).empty
    True
    """
    table = coverage_table()
    group = brands_group(n_brands)
    if group is None or not measured_spec(spec, link_channels):
        return table.iloc[:0]
    rows = table[table["brands"] == group].set_index("channel")
    return rows.loc[[c for c in channels if c in rows.index]].reset_index()


def measured_on() -> dict:
    """What the table was measured on: worlds, draws, date, source files (the JSON's header)."""
    return {k: v for k, v in _load().items() if k != "rows"}
