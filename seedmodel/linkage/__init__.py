"""Engagement -> GMV link: lagged association, adjusted distributed-lag effect, honesty checks."""

from seedmodel.linkage.analysis import EXTRA_COLUMNS, LINK_COLUMNS, LinkResult, link

__all__ = ["EXTRA_COLUMNS", "LINK_COLUMNS", "LinkResult", "link"]
