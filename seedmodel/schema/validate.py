"""Turning raw tables into typed, checked ones; every refusal is one DataError."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from seedmodel.schema.errors import DataError
from seedmodel.schema.tables import TABLES, TableSpec

__all__ = ["check_dataset", "infer_frequency", "parse_table"]

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_CONTROL = r"[\x00-\x1f\x7f]"
#: Longest brand name accepted.
MAX_NAME = 200
_NUMERIC_ANY_SIGN = {"incremental_gmv"}


def _row_key(raw: pd.DataFrame, pos: int, spec: TableSpec) -> str:
    """'row N (k1=v1, k2=v2)' for the data row at position ``pos`` (1-based, header excluded)."""
    keys = [k for k in spec.keys if k in raw.columns]
    vals = ", ".join(f"{k}={raw.iloc[pos][k]}" for k in keys)
    return f"row {pos + 1} ({vals})" if vals else f"row {pos + 1}"


def _first_bad(mask: np.ndarray) -> int | None:
    idx = np.flatnonzero(mask)
    return int(idx[0]) if idx.size else None


def _more(mask: np.ndarray) -> str:
    n = int(np.count_nonzero(mask)) - 1
    return f" ({n} more rows like it)" if n > 0 else ""


def _refuse_first(
    bad: np.ndarray,
    raw: pd.DataFrame,
    spec: TableSpec,
    column: str,
    problem,
    *,
    count: bool = True,
    key=None,
) -> None:
    """Raise one :class:`DataError` naming the first row where ``bad`` holds, if any.

    ``problem`` is the message, or a function of the row's position that gives it; ``count``
    adds how many more rows are like it; ``key`` (a function of the position) names the row
    in place of its keys.
    """
    pos = _first_bad(bad)
    if pos is None:
        return
    text = problem(pos) if callable(problem) else problem
    raise DataError(
        spec.name,
        text + (_more(bad) if count else ""),
        key=key(pos) if key is not None else _row_key(raw, pos, spec),
        column=column,
    )


_NA_TOKENS = {"", "nan", "na", "n/a", "null", "none", "#n/a"}


def _is_blank(col: pd.Series) -> np.ndarray:
    """Empty cells, NaN, and the usual spreadsheet spellings of 'no value'."""
    text = col.astype(str).str.strip().str.lower()
    return (col.isna() | text.isin(_NA_TOKENS)).to_numpy()


def _parse_dates(raw: pd.DataFrame, spec: TableSpec, column: str) -> pd.Series:
    col = raw[column]
    if pd.api.types.is_datetime64_any_dtype(col):
        parsed = pd.to_datetime(col).dt.tz_localize(None).dt.normalize()
    else:
        text = col.astype(str).str.strip()
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    _refuse_first(
        parsed.isna().to_numpy(),
        raw,
        spec,
        column,
        lambda pos: f"cannot read date {raw.iloc[pos][column]!r}; expected ISO YYYY-MM-DD",
    )
    return parsed


def _parse_number(raw: pd.DataFrame, spec: TableSpec, column: str) -> pd.Series:
    col = raw[column]
    _refuse_first(_is_blank(col), raw, spec, column, "missing value (empty or NaN)")
    if pd.api.types.is_bool_dtype(col):
        raise DataError(spec.name, "holds true/false values, expected numbers", column=column)
    values = pd.to_numeric(col, errors="coerce").astype(float)

    def shown(pos: int) -> str:
        return repr(raw.iloc[pos][column])

    _refuse_first(
        values.isna().to_numpy(), raw, spec, column, lambda pos: f"not a number: {shown(pos)}"
    )
    _refuse_first(
        ~np.isfinite(values.to_numpy()),
        raw,
        spec,
        column,
        lambda pos: f"not finite: {shown(pos)}",
    )
    if column in spec.nonnegative:
        _refuse_first(
            values.to_numpy() < 0,
            raw,
            spec,
            column,
            lambda pos: f"negative value {values.iloc[pos]:g}; must be >= 0",
        )
    return values


def _parse_text(raw: pd.DataFrame, spec: TableSpec, column: str, *, allow_blank: bool) -> pd.Series:
    col = raw[column]
    blank = _is_blank(col)
    text = col.where(~blank, "").astype(str)
    if not allow_blank:
        _refuse_first(blank, raw, spec, column, "empty id")
    if column in spec.keys and column not in spec.ids:
        # names (brands) travel into log lines, file-system-free outputs and the report:
        # printable and of a sensible length; markup and $ are fine (escaped on output)
        _refuse_first(
            text.str.contains(_CONTROL).to_numpy() | (text.str.len() > MAX_NAME).to_numpy(),
            raw,
            spec,
            column,
            lambda pos: (
                f"name is longer than {MAX_NAME} characters"
                if len(text.iloc[pos]) > MAX_NAME
                else f"name {text.iloc[pos]!r} holds a control character (tab, newline, ...)"
            ),
            key=lambda pos: f"row {pos + 1}",
        )
    if column in spec.ids:
        _refuse_first(
            ~text.str.fullmatch(_SNAKE).to_numpy() & ~blank,
            raw,
            spec,
            column,
            lambda pos: f"{text.iloc[pos]!r} is not a snake_case id (e.g. red_cat, tmall)",
        )
    return text


def parse_table(spec: TableSpec, raw: pd.DataFrame) -> pd.DataFrame:
    """Check and type one table.

    Parameters
    ----------
    spec : TableSpec
        What the table must hold.
    raw : DataFrame
        As read from file (text columns) or handed in by the caller.

    Returns
    -------
    DataFrame
        The contract's columns only (extra columns are dropped), typed: dates as Timestamps,
        ids and names as str, numbers as float; sorted by key.

    Raises
    ------
    DataError
        Missing column, empty table, unreadable date, missing/non-numeric/negative/infinite
        number, empty or badly formed id, or duplicate key.
    """
    raw = raw.reset_index(drop=True)
    raw.columns = [str(c).strip() for c in raw.columns]
    if raw.empty:
        raise DataError(spec.name, "table has no rows")
    for column in spec.required_columns:
        if column not in raw.columns:
            raise DataError(
                spec.name,
                f"required column is missing (columns found: {', '.join(raw.columns)})",
                column=column,
            )
    out = {}
    for column in spec.columns:
        if column not in raw.columns:
            continue
        if column in spec.dates:
            out[column] = _parse_dates(raw, spec, column)
        elif column in spec.nonnegative or column in _NUMERIC_ANY_SIGN:
            out[column] = _parse_number(raw, spec, column)
        else:
            allow_blank = column not in spec.keys or (spec.name, column) == ("events", "brand")
            allow_blank = allow_blank and column not in spec.required_columns
            out[column] = _parse_text(raw, spec, column, allow_blank=allow_blank)
    if spec.name == "events" and "brand" not in out:
        out["brand"] = pd.Series([""] * len(raw))
    frame = pd.DataFrame(out)
    if "window_days" in frame:
        days = frame["window_days"]
        _refuse_first(
            ((days <= 0) | (days % 1 != 0)).to_numpy(),
            raw,
            spec,
            "window_days",
            lambda pos: (
                f"window_days must be a positive whole number of days, got {days.iloc[pos]:g}"
            ),
            count=False,
        )
        frame["window_days"] = days.astype(int)
    if "margin" in frame:
        _refuse_first(
            (frame["margin"] > 1).to_numpy(),
            raw,
            spec,
            "margin",
            lambda pos: f"margin {frame['margin'].iloc[pos]:g} is not a share in [0, 1]",
            count=False,
        )
    _refuse_first(
        frame.duplicated(list(spec.keys), keep="first").to_numpy(),
        raw,
        spec,
        ", ".join(spec.keys),
        f"duplicate key: this ({', '.join(spec.keys)}) appears more than once",
    )
    return frame.sort_values(list(spec.keys), ignore_index=True)


def infer_frequency(dates: pd.Series, table: str) -> str:
    """Infer ``"D"`` (daily) or ``"W"`` (weekly) from the distinct dates of a table.

    Raises
    ------
    DataError
        Fewer than two dates, a gap (a missing day or week), or daily and weekly rows mixed.
    """
    days = pd.DatetimeIndex(pd.unique(dates)).sort_values()
    if len(days) < 2:
        raise DataError(
            table, "needs at least two distinct dates to infer the frequency", column="date"
        )
    steps = np.diff(days.to_numpy().astype("datetime64[D]").astype(np.int64))
    freq_step = 1 if np.count_nonzero(steps == 1) >= np.count_nonzero(steps == 7) else 7
    odd = np.flatnonzero(steps != freq_step)
    if odd.size == 0:
        return "D" if freq_step == 1 else "W"
    i = int(odd[0])
    before, after = days[i].date(), days[i + 1].date()
    mixed = (freq_step == 7 and steps[i] % 7 != 0) or (
        freq_step == 1 and np.count_nonzero(steps == 7) >= 2
    )
    if mixed:
        raise DataError(
            table,
            f"mixed frequency: dates are mostly {'daily' if freq_step == 1 else 'weekly'} but "
            f"{before} is followed by {after}; use one frequency per dataset",
            key=f"date={after}",
            column="date",
        )
    unit = "day" if freq_step == 1 else "week"
    raise DataError(
        table,
        f"gap in dates: no {unit} between {before} and {after}; every {unit} of the range "
        "must be present",
        key=f"date={after}",
        column="date",
    )


def _check_complete(frame: pd.DataFrame, table: str, by: str, dates: pd.DatetimeIndex) -> None:
    """Every date must be present for every brand x ``by``."""
    counts = frame.groupby(["brand", by]).size()
    short = counts[counts != len(dates)]
    if short.empty:
        return
    brand, item = short.index[0]
    have = set(frame.loc[(frame["brand"] == brand) & (frame[by] == item), "date"])
    missing = [d for d in dates if d not in have]
    raise DataError(
        table,
        f"no row for this key ({len(missing)} dates missing for this brand x {by}); every date "
        f"of the range must be present"
        + (" (a channel not yet live has spend 0)" if by == "channel" else ""),
        key=f"date={missing[0].date()}, brand={brand}, {by}={item}",
        column="date",
    )


def _check_known(frame: pd.DataFrame, table: str, column: str, known: set[str], where: str) -> None:
    bad = ~frame[column].isin(known) & (frame[column] != "")
    pos = _first_bad(bad.to_numpy())
    if pos is not None:
        row = frame.iloc[pos]
        raise DataError(
            table,
            f"unknown {column} {row[column]!r}: not in {where} (known: {', '.join(sorted(known))})",
            key=", ".join(f"{k}={row[k]}" for k in TABLES[table].keys if k in frame),
            column=column,
        )


def check_dataset(tables: dict[str, pd.DataFrame]) -> str:
    """Cross-table checks on parsed tables; returns the frequency ``"D"`` or ``"W"``.

    Raises
    ------
    DataError
        Gaps, mixed frequency, missing rows, media/sales mismatch, unknown brand, channel or
        platform in the optional tables, or a lift test outside the data.
    """
    media, sales = tables["media"], tables["sales"]
    freq = infer_frequency(media["date"], "media")
    sales_freq = infer_frequency(sales["date"], "sales")
    if sales_freq != freq:
        raise DataError(
            "sales", f"frequency {sales_freq} differs from media's {freq}", column="date"
        )
    dates = pd.DatetimeIndex(pd.unique(media["date"])).sort_values()
    sales_dates = pd.DatetimeIndex(pd.unique(sales["date"])).sort_values()
    if not dates.equals(sales_dates):
        first_odd = dates.symmetric_difference(sales_dates)[0]
        raise DataError(
            "sales",
            f"dates run {sales_dates[0].date()}..{sales_dates[-1].date()} but media's run "
            f"{dates[0].date()}..{dates[-1].date()}; both tables must cover the same dates",
            key=f"date={first_odd.date()}",
            column="date",
        )
    media_brands, sales_brands = set(media["brand"]), set(sales["brand"])
    for table, have, other, name in (
        ("sales", media_brands, sales_brands, "media"),
        ("media", sales_brands, media_brands, "sales"),
    ):
        missing = sorted(have - other)
        if missing:
            raise DataError(
                table,
                f"brand {missing[0]!r} is in {name} but has no rows here",
                key=f"brand={missing[0]}",
                column="brand",
            )
    _check_complete(media, "media", "channel", dates)
    _check_complete(sales, "sales", "platform", dates)
    channels, platforms = set(media["channel"]), set(sales["platform"])
    for name in ("brands", "events", "lift_tests", "attribution"):
        if name in tables:
            _check_known(tables[name], name, "brand", media_brands, "media")
    for name in ("lift_tests", "attribution"):
        if name in tables:
            _check_known(tables[name], name, "channel", channels, "media")
    if "attribution" in tables:
        _check_known(tables["attribution"], "attribution", "platform", platforms, "sales")
    if "lift_tests" in tables:
        _check_lift_windows(tables["lift_tests"], dates, freq)
    return freq


def _check_lift_windows(lift: pd.DataFrame, dates: pd.DatetimeIndex, freq: str) -> None:
    last = dates[-1] + pd.Timedelta(days=6 if freq == "W" else 0)
    for _, row in lift.iterrows():
        key = f"brand={row['brand']}, channel={row['channel']}, start={row['start'].date()}"
        if row["end"] < row["start"]:
            raise DataError("lift_tests", "end is before start", key=key, column="end")
        for column in ("start", "end"):
            if not dates[0] <= row[column] <= last:
                raise DataError(
                    "lift_tests",
                    f"{column} {row[column].date()} is outside the data "
                    f"({dates[0].date()}..{last.date()})",
                    key=key,
                    column=column,
                )
        if row["incremental_gmv_se"] <= 0:
            raise DataError(
                "lift_tests", "standard error must be > 0", key=key, column="incremental_gmv_se"
            )
