"""Reading a dataset folder: one file per table, CSV (UTF-8) or Parquet."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from seedmodel.schema.errors import DataError
from seedmodel.schema.tables import TABLES

__all__ = ["read_folder", "read_table"]


def read_table(path: Path, table: str) -> pd.DataFrame:
    """Read one table file as text columns (CSV) or typed columns (Parquet).

    Parsing of dates and numbers is left to validation, which can then name the row.

    Raises
    ------
    DataError
        Unreadable file, empty file, file with a header but no rows, CSV that is not UTF-8,
        a header that names a column twice, or a row with more fields than the header.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(table, f"file {path.name} cannot be read ({exc.strerror})") from None
    if not raw.strip():
        raise DataError(table, f"file {path.name} is empty")
    if path.suffix == ".parquet":
        try:
            frame = pd.read_parquet(io.BytesIO(raw))
        except Exception as exc:  # pyarrow raises several types for a broken file
            raise DataError(table, f"file {path.name} is not readable Parquet ({exc})") from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise DataError(
                table,
                f"file {path.name} is not UTF-8 (byte {exc.start} on line {line}); "
                "save it as UTF-8, e.g. from Excel choose 'CSV UTF-8'",
                key=f"line {line}",
            ) from None
        frame = _read_csv_text(text, path.name, table)
    frame.columns = [str(c).strip() for c in frame.columns]
    twice = frame.columns[frame.columns.duplicated()]
    if len(twice):
        raise DataError(table, f"file {path.name} names the column twice", column=twice[0])
    if frame.empty:
        raise DataError(table, f"file {path.name} has a header but no rows")
    return frame


def _read_csv_text(text: str, name: str, table: str) -> pd.DataFrame:
    """CSV text as string columns, refusing what pandas would silently repair (a repeated
    header name renamed ``spend.1``) or report in several lines (a ragged row)."""
    header = next(csv.reader(io.StringIO(text)), [])
    names = [h.strip() for h in header]
    twice = [h for i, h in enumerate(names) if h in names[:i]]
    if twice:
        raise DataError(table, f"file {name} names the column twice", column=twice[0])
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            want, line, saw = found.groups()
            raise DataError(
                table,
                f"file {name} has {saw} fields on line {line}, the header has {want}",
                key=f"line {line}",
            ) from None
        first = str(exc).strip().splitlines()[0]
        raise DataError(table, f"file {name} is not valid CSV ({first})") from None


def read_folder(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Read every table of docs/contract.md section 2 found in ``folder``.

    Returns
    -------
    dict
        Table name -> raw frame, for the tables present.

    Raises
    ------
    DataError
        The folder is missing, a required table is missing, or a table has both a CSV and a
        Parquet file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(None, f"no dataset folder at {folder}")
    frames: dict[str, pd.DataFrame] = {}
    for name, spec in TABLES.items():
        files = [p for p in (folder / f"{name}.csv", folder / f"{name}.parquet") if p.exists()]
        if len(files) > 1:
            raise DataError(name, f"both {name}.csv and {name}.parquet in {folder}; keep one")
        if not files:
            if spec.required:
                raise DataError(
                    name, f"required table is missing: no {name}.csv or {name}.parquet in {folder}"
                )
            continue
        if not files[0].is_file():
            raise DataError(name, f"{files[0].name} in {folder} is not a file")
        frames[name] = read_table(files[0], name)
    return frames
