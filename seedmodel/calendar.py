"""The China e-commerce calendar: 38 women's day, 618 and Double 11 with pre-sale and post-sale dip.

The windows follow the usual Tmall/JD schedule; exact dates move by a few days from year to year,
which is why datasets may ship their own ``events`` table. When they do not, models and the
simulator use :func:`ecommerce_calendar`.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["EVENT_WINDOWS", "ecommerce_calendar"]

#: event name -> (first month-day, last month-day), inclusive.
EVENT_WINDOWS: dict[str, tuple[str, str]] = {
    "womens_day": ("03-06", "03-08"),
    "618_presale": ("05-20", "05-31"),
    "618": ("06-01", "06-18"),
    "618_post": ("06-19", "06-25"),
    "double11_presale": ("10-20", "10-31"),
    "double11": ("11-01", "11-11"),
    "double11_post": ("11-12", "11-18"),
}


def ecommerce_calendar(start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.DataFrame:
    """Daily calendar events between ``start`` and ``end``.

    Parameters
    ----------
    start, end : str or Timestamp
        First and last day, inclusive.

    Returns
    -------
    DataFrame
        Columns ``date`` (Timestamp) and ``event`` (str), one row per day inside an event
        window, sorted by date.

    Examples
    --------
    >>> cal = ecommerce_calendar("2025-06-15", "2025-06-20")
    >>> cal["event"].tolist()
    ['618', '618', '618', '618', '618_post', '618_post']
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    rows = []
    for year in range(start.year, end.year + 1):
        for event, (first, last) in EVENT_WINDOWS.items():
            days = pd.date_range(f"{year}-{first}", f"{year}-{last}", freq="D")
            rows.extend((d, event) for d in days if start <= d <= end)
    out = pd.DataFrame(rows, columns=["date", "event"])
    return out.sort_values(["date", "event"], ignore_index=True)
