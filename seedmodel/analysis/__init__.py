"""Fit or Dataset -> tidy tables. No plotting here."""

from seedmodel.analysis.decomposition import contributions
from seedmodel.analysis.incremental import roi
from seedmodel.analysis.overview import (
    channel_summary,
    data_quality,
    event_spans,
    series_by_period,
)

__all__ = [
    "channel_summary",
    "contributions",
    "data_quality",
    "event_spans",
    "roi",
    "series_by_period",
]
