"""The one exception raised for bad input."""

from __future__ import annotations

__all__ = ["ArgumentError", "DataError"]


class DataError(ValueError):
    """Bad input, refused before any work is done.

    The message always names the table, the key (or row) and the column at fault, so a
    scheduled job's log says exactly what to fix.

    Parameters
    ----------
    table : str or None
        Table of docs/contract.md section 2 (``media``, ``sales``, ...), or None for the folder.
    problem : str
        What is wrong, in words.
    key : str or None
        The offending key, e.g. ``"date=2025-06-01, brand=A, channel=red_cat"`` or ``"row 12"``.
    column : str or None
        The offending column.
    """

    def __init__(
        self,
        table: str | None,
        problem: str,
        *,
        key: str | None = None,
        column: str | None = None,
    ) -> None:
        self.table = table
        self.key = key
        self.column = column
        self.problem = problem
        parts = [f"table '{table}'" if table else "dataset"]
        if key:
            parts.append(key)
        if column:
            parts.append(f"column '{column}'")
        super().__init__(f"{': '.join(parts)}: {problem}")


class ArgumentError(ValueError):
    """An argument that cannot be used: an unknown name, an impossible number, a window
    outside the data, an output path that cannot be written. Refused before any work; the
    message names the argument and what it allows."""
