"""Calendar controls: events on daily and on weekly data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seedmodel.adapters import from_wide
from seedmodel.features import calendar_controls, shared_festivals
from seedmodel.models.mmm.inputs import build_inputs
from seedmodel.models.mmm.spec import SeedingMMM


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
    its last day, 11.11, falls in the week of 10 November, which the MMM leaves unmarked
    (with that column, its weekly seeding ROI came out up to 13x too high)."""
    data = _table("W-MON", 80, "2025-01-06")
    cal = calendar_controls(data, "brand")
    d11 = cal["event_double11"]
    weeks = pd.to_datetime(["2025-10-27", "2025-11-03", "2025-11-10"])
    assert d11[weeks].tolist() == pytest.approx([2 / 7, 1.0, 2 / 7])
    assert d11.drop(weeks).eq(0).all()
    last = cal["event_double11_last"]
    assert last[pd.Timestamp("2025-11-10")] == 1.0 and last.sum() == 1.0
    mmm = calendar_controls(data, "brand", peak_weeks=False)
    assert not any(c.endswith("_last") for c in mmm.columns)
    pd.testing.assert_series_equal(mmm["event_double11"], d11)
    names = build_inputs(data, SeedingMMM()).control_names
    assert "event_double11" in names and not any(n.endswith("_last") for n in names)


def test_events_listed_by_week_start_fill_their_weeks_and_daily_data_keep_days():
    weekly = _table("W-MON", 30, "2025-01-06", events={"promo": [5, 6, 7, 8, 9]})
    cal = calendar_controls(weekly, "brand")
    promo = cal["event_promo"]
    assert promo.iloc[5:10].tolist() == [1.0] * 5 and promo.sum() == 5.0
    assert cal["event_promo_last"].iloc[9] == 1.0 and cal["event_promo_last"].sum() == 1.0
    daily = _table("D", 400, "2025-01-01")
    cal = calendar_controls(daily, "brand", peak_weeks=False)  # days are not weeks
    d11 = cal["event_double11"]
    assert d11.sum() == 11.0 and set(d11.unique()) == {0.0, 1.0}
    last = cal["event_double11_last"]  # daily data keep the peak day's own dummy
    assert last[pd.Timestamp("2025-11-11")] == 1.0 and last.sum() == 1.0


def test_shared_festivals_give_each_phase_one_column_for_618_and_double11():
    daily = _table("D", 600, "2025-01-01")
    sep = calendar_controls(daily, "brand", peak_weeks=False)
    both = shared_festivals(sep)
    pairs = [n for n in sep if n.startswith("event_618")]
    assert len(pairs) == 6  # pre-sale, sale, post-sale dip and their last days
    assert not any(n.startswith(("event_618", "event_double11")) for n in both)
    for name in pairs:
        twin = name.replace("event_618", "event_double11")
        merged = both[name.replace("event_618", "event_festival")]
        pd.testing.assert_series_equal(merged, sep[name] + sep[twin], check_names=False)
    assert both.shape[1] == sep.shape[1] - len(pairs)  # the rest unchanged
    pd.testing.assert_series_equal(both["event_womens_day"], sep["event_womens_day"])
    # the model's own controls: the shared names, six fewer columns
    separate = build_inputs(daily, SeedingMMM()).control_names
    shared = build_inputs(daily, SeedingMMM(festivals="shared")).control_names
    assert "event_festival_presale" in shared and len(shared) == len(separate) - 6
    with pytest.raises(ValueError, match="festivals must be one of"):
        SeedingMMM(festivals="pooled")
    spec = SeedingMMM(festivals="shared")
    assert SeedingMMM.from_dict(spec.to_dict()) == spec
    assert SeedingMMM.from_dict({}, format=5).festivals == "separate"  # fits saved before it
    # none: no festival terms at all; the other events keep theirs
    bare = build_inputs(daily, SeedingMMM(festivals="none")).control_names
    assert not any(n.startswith(("event_618", "event_double11")) for n in bare)
    assert "event_womens_day" in bare and len(bare) == len(separate) - 2 * len(pairs)
