"""Calendar controls: events on daily and on weekly data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seedmodel.adapters import from_wide
from seedmodel.features import calendar_controls


def _table(freq: str, periods: int, start: str, events: dict[str, list[int]] | None = None):
    dates = pd.date_range(start, periods=periods, freq=freq)
    wide = pd.DataFrame(
        {"date": dates, "gmv": 100.0 + np.arange(periods), "tv": np.linspace(1.0, 2.0, periods)}
    )
    for name, on in (events or {}).items():
        wide[name] = np.isin(np.arange(periods), on).astype(int)
    return from_wide(wide, date="date", target="gmv", channels=["tv"], events=list(events or {}))


def test_weekly_data_count_the_share_of_each_week_inside_an_event():
    """Double 11 (1-11 November) on weeks starting Monday 27 October 2025: 2/7, 7/7, 2/7;
    its last day, 11.11, falls in the week of 10 November."""
    data = _table("W-MON", 80, "2025-01-06")
    cal = calendar_controls(data, "brand")
    d11 = cal["event_double11"]
    weeks = pd.to_datetime(["2025-10-27", "2025-11-03", "2025-11-10"])
    assert d11[weeks].tolist() == pytest.approx([2 / 7, 1.0, 2 / 7])
    assert d11.drop(weeks).eq(0).all()
    last = cal["event_double11_last"]
    assert last[pd.Timestamp("2025-11-10")] == 1.0 and last.sum() == 1.0


def test_events_listed_by_week_start_fill_their_weeks_and_daily_data_keep_days():
    weekly = _table("W-MON", 30, "2025-01-06", events={"promo": [5, 6, 7, 8, 9]})
    promo = calendar_controls(weekly, "brand")["event_promo"]
    assert promo.iloc[5:10].tolist() == [1.0] * 5 and promo.sum() == 5.0
    daily = _table("D", 400, "2025-01-01")
    d11 = calendar_controls(daily, "brand")["event_double11"]
    assert d11.sum() == 11.0 and set(d11.unique()) == {0.0, 1.0}
