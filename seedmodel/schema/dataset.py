"""The validated dataset: one object with named dimensions (date, brand, channel, platform)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
import xarray as xr

from seedmodel.schema.errors import DataError
from seedmodel.schema.io import read_folder
from seedmodel.schema.tables import (
    CHANNEL_ORDER,
    ENGAGEMENT_COLUMNS,
    FUNNEL_COLUMNS,
    PLATFORM_ORDER,
    TABLES,
)
from seedmodel.schema.validate import check_dataset, parse_table

__all__ = ["Dataset", "combine_brands", "from_frames", "load"]


def _ordered(values: pd.Series, standard: tuple[str, ...]) -> tuple[str, ...]:
    present = set(values)
    return tuple(v for v in standard if v in present) + tuple(sorted(present - set(standard)))


@dataclass(frozen=True, eq=False)
class Dataset:
    """A checked dataset (docs/contract.md section 2), from :func:`load` or :func:`from_frames`.

    Tables are typed and sorted by key; optional tables that were not given are empty frames
    with the contract's columns. Code that receives a ``Dataset`` never re-checks it.

    Attributes
    ----------
    media, sales, brands, events, lift_tests, attribution : DataFrame
        The tables.
    freq : {"D", "W"}
        Daily or weekly.
    """

    media: pd.DataFrame
    sales: pd.DataFrame
    brands: pd.DataFrame
    events: pd.DataFrame
    lift_tests: pd.DataFrame
    attribution: pd.DataFrame
    freq: str

    def __repr__(self) -> str:
        d = self.dates
        optional = [n for n in ("brands", "events", "lift_tests", "attribution") if self.has(n)]
        return (
            f"Dataset({'daily' if self.freq == 'D' else 'weekly'} {d[0].date()}..{d[-1].date()}, "
            f"brands={list(self.brand_names)}, channels={list(self.channel_names)}, "
            f"platforms={list(self.platform_names)}, optional={optional})"
        )

    @cached_property
    def dates(self) -> pd.DatetimeIndex:
        """All dates of the data, sorted."""
        return pd.DatetimeIndex(pd.unique(self.media["date"])).sort_values().rename("date")

    @cached_property
    def brand_names(self) -> tuple[str, ...]:
        """Brands, sorted."""
        return tuple(sorted(set(self.media["brand"])))

    @cached_property
    def channel_names(self) -> tuple[str, ...]:
        """Channels: the standard three first, then others alphabetically."""
        return _ordered(self.media["channel"], CHANNEL_ORDER)

    @cached_property
    def paid_channels(self) -> tuple[str, ...]:
        """Channels with any spend (``organic`` and other unpaid rows are left out)."""
        spent = self.media.groupby("channel")["spend"].sum()
        return tuple(c for c in self.channel_names if spent[c] > 0)

    @cached_property
    def link_channels(self) -> tuple[str, ...]:
        """Channels whose notes link to a store: any link clicks in ``media`` (红猫 / 红京);
        seeding notes (小红星) have none."""
        if "clicks" not in self.media:
            return ()
        clicks = self.media.groupby("channel")["clicks"].sum()
        return tuple(c for c in self.channel_names if clicks.get(c, 0) > 0)

    @cached_property
    def platform_names(self) -> tuple[str, ...]:
        """Platforms: tmall, jd first, then others alphabetically."""
        return _ordered(self.sales["platform"], PLATFORM_ORDER)

    @property
    def period_days(self) -> int:
        """Days one row stands for: 1 (daily) or 7 (weekly)."""
        return 7 if self.freq == "W" else 1

    def has(self, table: str) -> bool:
        """Whether an optional table was given with rows."""
        return not getattr(self, table).empty

    def replace(self, **frames: pd.DataFrame | None) -> Dataset:
        """The dataset with some tables replaced, checked again as :func:`from_frames`
        checks them.

        Parameters
        ----------
        **frames : DataFrame or None
            New tables by name (``media=``, ``lift_tests=``, ...); ``None`` drops an
            optional table. Tables not named are kept as they are.

        Raises
        ------
        DataError
            A replaced table breaks the contract, or a required table is dropped (naming
            table, key and column, as :func:`from_frames` does).

        Examples
        --------
        The same data without the attribution feed (and lift tests, where there are any):

        >>> import seedmodel as sm
        >>> data = sm.simulate(sm.WorldConfig(n_brands=1, days=120), random_seed=0).data
        >>> data.has("attribution")
        True
        >>> data.replace(lift_tests=None, attribution=None).has("attribution")
        False
        """
        kept = {name: getattr(self, name) for name in TABLES if self.has(name)}
        kept.update(frames)
        return from_frames(**{name: frame for name, frame in kept.items() if frame is not None})

    def require_periods(self, minimum: dict[str, int], purpose: str) -> None:
        """Refuse data shorter than ``minimum[freq]`` periods for ``purpose`` (e.g. "the
        MMM"), before any work.

        Raises
        ------
        DataError
            Naming the table (sales), the column (date), what is needed and what there is.
        """
        need, n = minimum[self.freq], len(self.dates)
        if n < need:
            unit = "days" if self.freq == "D" else "weeks"
            raise DataError(
                "sales",
                f"{purpose} needs at least {need} {unit} of data; the dataset has {n}",
                column="date",
            )

    def select_brands(self, brands) -> Dataset:
        """The same data for ``brands`` only (events for all brands are kept): still a
        checked dataset, since every brand's rows are complete on their own.

        Raises
        ------
        ArgumentError
            A brand the data do not hold, or no brand at all.
        """
        from seedmodel.schema.errors import ArgumentError

        wanted = list(dict.fromkeys(brands))
        unknown = [b for b in wanted if b not in self.brand_names]
        if unknown or not wanted:
            raise ArgumentError(
                f"brands: {unknown[0]!r} is not in the data" if unknown else "brands: none given"
            )

        def keep(frame: pd.DataFrame, blank_too: bool = False) -> pd.DataFrame:
            if frame.empty or "brand" not in frame:
                return frame
            mask = frame["brand"].isin(wanted) | (blank_too & (frame["brand"] == ""))
            return frame[mask].reset_index(drop=True)

        return Dataset(
            media=keep(self.media),
            sales=keep(self.sales),
            brands=keep(self.brands),
            events=keep(self.events, blank_too=True),
            lift_tests=keep(self.lift_tests),
            attribution=keep(self.attribution),
            freq=self.freq,
        )

    def media_array(self, column: str = "spend") -> xr.DataArray:
        """A media column as an array with dims (date, brand, channel)."""
        return self._array(self.media, "channel", self.channel_names, column)

    def sales_array(self, column: str = "gmv") -> xr.DataArray:
        """A sales column as an array with dims (date, brand, platform)."""
        return self._array(self.sales, "platform", self.platform_names, column)

    def _array(self, frame: pd.DataFrame, dim: str, order: tuple[str, ...], column: str):
        if column not in frame:
            raise KeyError(f"column {column!r} is not in this dataset")
        cube = frame.set_index(["date", "brand", dim])[column].to_xarray()
        return cube.sel(date=self.dates, brand=list(self.brand_names), **{dim: list(order)})

    def margin(self, brand: str) -> float | None:
        """The brand's gross margin from the brands table, or None."""
        if "margin" not in self.brands:
            return None
        row = self.brands.loc[self.brands["brand"] == brand, "margin"]
        return float(row.iloc[0]) if len(row) else None

    def write(self, folder: str | Path) -> None:
        """Write the tables as CSV files into ``folder`` (created if needed)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            frame = getattr(self, name)
            if frame.empty and not TABLES[name].required:
                continue
            out = frame.copy()
            for column in TABLES[name].dates:
                out[column] = out[column].dt.strftime("%Y-%m-%d")
            for column in (*ENGAGEMENT_COLUMNS, *FUNNEL_COLUMNS, "window_days"):
                if column in out and (out[column] % 1 == 0).all():
                    out[column] = out[column].astype("int64")
            out.to_csv(
                folder / f"{name}.csv", index=False, float_format="%.2f", lineterminator="\n"
            )


def combine_brands(parts: Sequence[Dataset]) -> Dataset:
    """Datasets of different brands as one (the inverse of :meth:`Dataset.select_brands`):
    each table stacked and sorted by its keys; rows shared by the parts (events for every
    brand) kept once.

    Raises
    ------
    ArgumentError
        No part, parts of different frequencies, or a brand in more than one part.
    """
    from seedmodel.schema.errors import ArgumentError

    if not parts:
        raise ArgumentError("datasets: none given")
    if len({p.freq for p in parts}) > 1:
        raise ArgumentError("datasets: daily and weekly data cannot be combined")
    brands = [b for p in parts for b in p.brand_names]
    if len(set(brands)) < len(brands):
        twice = next(b for b in brands if brands.count(b) > 1)
        raise ArgumentError(f"datasets: brand {twice!r} is in more than one part")
    if len(parts) == 1:
        return parts[0]

    def stacked(name: str) -> pd.DataFrame:
        frames = [getattr(p, name) for p in parts]
        kept = [f for f in frames if not f.empty]
        if not kept:
            return frames[0]
        frame = pd.concat(kept, ignore_index=True).drop_duplicates(ignore_index=True)
        keys = [k for k in TABLES[name].keys if k in frame]
        return frame.sort_values(keys, kind="stable", ignore_index=True) if keys else frame

    return Dataset(**{name: stacked(name) for name in TABLES}, freq=parts[0].freq)


def from_frames(**frames: pd.DataFrame) -> Dataset:
    """Check tables given as DataFrames (same rules as :func:`load`).

    Parameters
    ----------
    **frames : DataFrame
        ``media=`` and ``sales=`` are required; ``brands=``, ``events=``, ``lift_tests=``,
        ``attribution=`` are optional.

    Raises
    ------
    DataError
        The first problem found, naming table, key and column.
    """
    unknown = set(frames) - set(TABLES)
    if unknown:
        raise DataError(sorted(unknown)[0], f"unknown table; known: {', '.join(TABLES)}")
    parsed: dict[str, pd.DataFrame] = {}
    for name, spec in TABLES.items():
        if name not in frames or frames[name] is None:
            if spec.required:
                raise DataError(name, "required table is missing")
            continue
        if not isinstance(frames[name], pd.DataFrame):
            raise DataError(name, f"expected a pandas DataFrame, got {type(frames[name]).__name__}")
        parsed[name] = parse_table(spec, frames[name])
    freq = check_dataset(parsed)
    tables = {
        name: parsed.get(name, pd.DataFrame(columns=list(spec.required_columns)))
        for name, spec in TABLES.items()
    }
    return Dataset(freq=freq, **tables)


def load(path: str | Path) -> Dataset:
    """Read and check a dataset folder (docs/contract.md section 2).

    Parameters
    ----------
    path : str or Path
        Folder holding ``media.csv`` and ``sales.csv`` (or ``.parquet``) and any optional
        tables.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        The first problem found, naming table, key (or row) and column.

    Examples
    --------
    >>> import seedmodel as sm
    >>> data = sm.load("data/sample")
    >>> data.freq, data.paid_channels
    ('D', ('little_red_star', 'red_cat', 'red_jd'))
    >>> data.media_array("spend").sum("date").shape
    (3, 4)
    """
    return from_frames(**read_folder(path))
