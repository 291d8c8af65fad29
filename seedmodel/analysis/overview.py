"""Descriptive tables of a dataset: what was spent, what came back, what looks odd."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seedmodel.calendar import ecommerce_calendar
from seedmodel.schema import Dataset
from seedmodel.schema.tables import ENGAGEMENT_COLUMNS, FUNNEL_COLUMNS

__all__ = ["channel_summary", "data_quality", "event_spans", "series_by_period"]

#: Programme minimum per live day of the link channels (CNY).
PROGRAMME_MINIMUM = {"red_cat": 5_000.0, "red_jd": 5_000.0}


def series_by_period(
    data: Dataset, table: str, column: str, *, by: str, period: str = "W"
) -> pd.DataFrame:
    """Sum a column per brand x ``by`` over periods (``"W"`` weeks, ``"D"`` as stored).

    Returns
    -------
    DataFrame
        Index date (period start), columns MultiIndex (brand, ``by`` value).
    """
    frame = getattr(data, table)
    wide = frame.pivot_table(index="date", columns=["brand", by], values=column, aggfunc="sum")
    if period == "W" and data.freq == "D":
        weeks = wide.resample("W-MON", label="left", closed="left")
        wide = weeks.sum()[weeks.size() == 7]  # partial weeks at the edges would look like dips
    return wide


def event_spans(data: Dataset) -> pd.DataFrame:
    """Calendar events as spans: event, start, end (inclusive), brand ('' = every brand).

    Uses the dataset's ``events`` table, or the default e-commerce calendar when it has none.
    """
    if data.has("events"):
        events = data.events[["date", "event", "brand"]]
    else:
        events = ecommerce_calendar(data.dates[0], data.dates[-1]).assign(brand="")
    step = pd.Timedelta(days=data.period_days)
    rows = []
    for (event, brand), grp in events.sort_values("date").groupby(["event", "brand"]):
        dates = grp["date"].drop_duplicates().sort_values()
        run = (dates.diff() != step).cumsum()
        for _, span in dates.groupby(run):
            rows.append(
                {
                    "event": event,
                    "brand": brand,
                    "start": span.iloc[0],
                    "end": span.iloc[-1] + step - pd.Timedelta(days=1),
                }
            )
    return pd.DataFrame(rows, columns=["event", "brand", "start", "end"]).sort_values(
        "start", ignore_index=True
    )


def channel_summary(data: Dataset) -> pd.DataFrame:
    """Per brand x channel: spend, live periods, first live date, engagement per yuan.

    Returns
    -------
    DataFrame
        brand, channel, spend, live_periods, first_live, below_minimum (live days under the
        programme minimum, link channels), reads_per_yuan, clicks_per_read.
    """
    rows = []
    for (brand, channel), grp in data.media.groupby(["brand", "channel"], sort=True):
        live = grp["spend"] > 0
        spend = float(grp["spend"].sum())
        reads = float(grp["reads"].sum()) if "reads" in grp else np.nan
        clicks = float(grp["clicks"].sum()) if "clicks" in grp else np.nan
        minimum = PROGRAMME_MINIMUM.get(channel, 0.0) * data.period_days
        rows.append(
            {
                "brand": brand,
                "channel": channel,
                "spend": spend,
                "live_periods": int(live.sum()),
                "first_live": grp.loc[live, "date"].min() if live.any() else pd.NaT,
                "below_minimum": int(((grp["spend"] > 0) & (grp["spend"] < minimum)).sum()),
                "reads_per_yuan": reads / spend if spend > 0 else np.nan,
                "clicks_per_read": clicks / reads if reads and reads > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def data_quality(data: Dataset) -> pd.DataFrame:
    """A checklist of what the dataset holds and what deserves a look.

    Returns
    -------
    DataFrame
        check, value, note: one row per fact (range, frequency, tables, columns, zeros, ...).
    """
    d = data.dates
    rows = [
        ("date range", f"{d[0].date()} .. {d[-1].date()}", f"{len(d)} periods"),
        ("frequency", {"D": "daily", "W": "weekly"}[data.freq], ""),
        ("brands", str(len(data.brand_names)), ", ".join(data.brand_names)),
        ("channels", str(len(data.channel_names)), ", ".join(data.channel_names)),
        ("paid channels", str(len(data.paid_channels)), ", ".join(data.paid_channels)),
        ("platforms", str(len(data.platform_names)), ", ".join(data.platform_names)),
    ]
    for name in ("brands", "events", "lift_tests", "attribution"):
        present = data.has(name)
        rows.append(
            (
                f"table {name}",
                "present" if present else "absent",
                f"{len(getattr(data, name))} rows" if present else "",
            )
        )
    eng = [c for c in ENGAGEMENT_COLUMNS if c in data.media]
    fun = [c for c in FUNNEL_COLUMNS if c in data.sales]
    rows.append(("engagement columns", str(len(eng)), ", ".join(eng) or "none: spend only"))
    rows.append(("funnel columns", str(len(fun)), ", ".join(fun) or "none: GMV only"))
    summary = channel_summary(data)
    for _, r in summary[summary["below_minimum"] > 0].iterrows():
        rows.append(
            (
                f"below programme minimum: {r['brand']} / {r['channel']}",
                str(r["below_minimum"]),
                "live periods under ¥5,000/day",
            )
        )
    zero_gmv = data.sales.groupby(["brand", "platform"])["gmv"].apply(lambda s: int((s == 0).sum()))
    for (brand, platform), n in zero_gmv[zero_gmv > 0].items():
        rows.append((f"zero GMV: {brand} / {platform}", str(n), "periods with GMV 0"))
    for channel in data.paid_channels:
        share = float((data.media.loc[data.media["channel"] == channel, "spend"] > 0).mean())
        rows.append((f"share of periods live: {channel}", f"{share:.0%}", ""))
    return pd.DataFrame(rows, columns=["check", "value", "note"])
