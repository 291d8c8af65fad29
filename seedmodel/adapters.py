"""From the tables other MMM tools use into seedmodel's (docs/contract.md section 2).

A typical MMM table is *wide*: one row per date, the target, one spend column per channel,
event dummies, perhaps controls. :func:`from_wide` turns it into a checked
:class:`~seedmodel.schema.Dataset` for one brand and one platform, so the same data can be
fitted by seedmodel and by PyMC-Marketing, Meridian or Robyn side by side.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from seedmodel.schema import Dataset, from_frames

__all__ = ["from_wide"]


def from_wide(
    frame: pd.DataFrame,
    *,
    date: str,
    target: str,
    channels: Sequence[str],
    events: Sequence[str] = (),
    brand: str = "brand",
    platform: str = "total",
) -> Dataset:
    """A wide MMM table as a seedmodel Dataset.

    Parameters
    ----------
    frame : DataFrame
        One row per date (daily or weekly).
    date : str
        Date column.
    target : str
        Sales column; becomes ``sales.gmv`` of ``brand`` on ``platform``.
    channels : sequence of str
        Spend columns; each becomes a channel of ``media`` with that name.
    events : sequence of str
        0/1 columns; each becomes an event (its name) on the dates where it is 1. With no
        events, the model's calendar has only trend, seasonality and day of week.
    brand, platform : str
        Names to give the single brand and platform.

    Returns
    -------
    Dataset
        Checked like any other input: a gap in dates, a negative spend or a missing value is
        refused with the table, key and column named.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({
    ...     "week": pd.date_range("2024-01-01", periods=4, freq="W-MON"),
    ...     "sales": [100.0, 120.0, 90.0, 130.0],
    ...     "tv": [1.0, 0.0, 0.5, 1.0],
    ...     "promo": [0, 1, 0, 0],
    ... })
    >>> data = from_wide(wide, date="week", target="sales", channels=["tv"], events=["promo"])
    >>> data.freq, data.channel_names, list(data.events["event"])
    ('W', ('tv',), ['promo'])
    """
    missing = [c for c in (date, target, *channels, *events) if c not in frame.columns]
    if missing:
        raise KeyError(f"from_wide: columns not in the table: {missing}")
    dates = pd.to_datetime(frame[date])
    media = pd.concat(
        [
            pd.DataFrame(
                {"date": dates, "brand": brand, "channel": c, "spend": frame[c].to_numpy()}
            )
            for c in channels
        ],
        ignore_index=True,
    )
    sales = pd.DataFrame(
        {"date": dates, "brand": brand, "platform": platform, "gmv": frame[target].to_numpy()}
    )
    rows = [
        {"date": d, "event": e, "brand": ""}
        for e in events
        for d in dates[frame[e].to_numpy() != 0]
    ]
    kwargs = {"events": pd.DataFrame(rows, columns=["date", "event", "brand"])} if events else {}
    return from_frames(media=media, sales=sales, **kwargs)
