"""The tables of docs/contract.md section 2: their keys and columns."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHANNEL_ORDER",
    "ENGAGEMENT_COLUMNS",
    "FUNNEL_COLUMNS",
    "PLATFORM_ORDER",
    "TABLES",
    "TableSpec",
]

#: Standard ids, listed first in this order; other ids follow alphabetically.
CHANNEL_ORDER = ("little_red_star", "red_cat", "red_jd")
PLATFORM_ORDER = ("tmall", "jd")

ENGAGEMENT_COLUMNS = (
    "impressions",
    "reads",
    "likes",
    "collects",
    "comments",
    "shares",
    "follows",
    "clicks",
)
#: Engagement columns that count as a note's interactions ("互动").
INTERACTIONS = ("likes", "collects", "comments", "shares", "follows")
FUNNEL_COLUMNS = ("store_visits", "new_visitors", "searches", "add_to_cart", "orders")


@dataclass(frozen=True)
class TableSpec:
    """What one table must hold.

    Attributes
    ----------
    name : str
        File stem (``media`` for ``media.csv`` / ``media.parquet``).
    required : bool
        Whether a dataset without it is refused.
    keys : tuple of str
        Columns that identify a row; duplicates are refused.
    required_columns : tuple of str
        Columns (keys included) that must be present.
    optional_columns : tuple of str
        Columns read when present.
    dates : tuple of str
        Columns holding ISO dates.
    ids : tuple of str
        Columns holding snake_case ids (channel, platform).
    nonnegative : tuple of str
        Numeric columns that must be finite and >= 0.
    """

    name: str
    required: bool
    keys: tuple[str, ...]
    required_columns: tuple[str, ...]
    optional_columns: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    nonnegative: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """All columns the table may carry, required first."""
        return self.required_columns + self.optional_columns


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "media",
            True,
            keys=("date", "brand", "channel"),
            required_columns=("date", "brand", "channel", "spend"),
            optional_columns=ENGAGEMENT_COLUMNS,
            dates=("date",),
            ids=("channel",),
            nonnegative=("spend", *ENGAGEMENT_COLUMNS),
        ),
        TableSpec(
            "sales",
            True,
            keys=("date", "brand", "platform"),
            required_columns=("date", "brand", "platform", "gmv"),
            optional_columns=FUNNEL_COLUMNS,
            dates=("date",),
            ids=("platform",),
            nonnegative=("gmv", *FUNNEL_COLUMNS),
        ),
        TableSpec(
            "brands",
            False,
            keys=("brand",),
            required_columns=("brand",),
            optional_columns=("category", "margin"),
            nonnegative=("margin",),
        ),
        TableSpec(
            "events",
            False,
            keys=("date", "event", "brand"),
            required_columns=("date", "event"),
            optional_columns=("brand",),
            dates=("date",),
        ),
        TableSpec(
            "lift_tests",
            False,
            keys=("brand", "channel", "start", "end"),
            required_columns=(
                "brand",
                "channel",
                "start",
                "end",
                "incremental_gmv",
                "incremental_gmv_se",
            ),
            dates=("start", "end"),
            ids=("channel",),
            nonnegative=("incremental_gmv_se",),
        ),
        TableSpec(
            "attribution",
            False,
            keys=("date", "brand", "channel", "platform", "window_days"),
            required_columns=(
                "date",
                "brand",
                "channel",
                "platform",
                "window_days",
                "attributed_gmv",
            ),
            dates=("date",),
            ids=("channel", "platform"),
            nonnegative=("window_days", "attributed_gmv"),
        ),
    )
}
