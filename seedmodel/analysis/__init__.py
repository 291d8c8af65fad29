"""Fit or Dataset -> tidy tables. No plotting here."""

from seedmodel.analysis.contributions import contributions
from seedmodel.analysis.overview import (
    channel_summary,
    data_quality,
    event_spans,
    series_by_period,
)
from seedmodel.analysis.roi import roi

__all__ = [
    "channel_summary",
    "contributions",
    "data_quality",
    "event_spans",
    "roi",
    "series_by_period",
]
