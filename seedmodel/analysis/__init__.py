"""Fit or Dataset -> tidy tables. No plotting here."""

from seedmodel.analysis.overview import (
    channel_summary,
    data_quality,
    event_spans,
    series_by_period,
)

__all__ = ["channel_summary", "data_quality", "event_spans", "series_by_period"]
