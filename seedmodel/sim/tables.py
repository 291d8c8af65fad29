"""A simulated world written as the contract's tables (docs/contract.md section 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seedmodel.calendar import ecommerce_calendar
from seedmodel.schema.tables import ENGAGEMENT_COLUMNS, FUNNEL_COLUMNS
from seedmodel.sim.truth import incremental_gmv
from seedmodel.sim.world import World
from seedmodel.transforms import adstock

__all__ = ["to_weekly", "world_tables"]

ATTRIBUTION = {"seeding": (30, "reads", 0.6), "link": (15, "clicks", 0.9)}


def _long(values: np.ndarray, world: World, dim: str, items: tuple[str, ...]) -> pd.DataFrame:
    """(B, K, T) over the data days -> long frame (date, brand, dim)."""
    B, K = values.shape[:2]
    n = world.n_data
    return pd.DataFrame(
        {
            "date": np.tile(world.data_dates.to_numpy(), B * K),
            "brand": np.repeat(world.brands["brand"].to_numpy(), K * n),
            dim: np.tile(np.repeat(np.array(items), n), B),
        }
    )


def _media(world: World) -> pd.DataFrame:
    n = world.n_data
    eng = world.engagement(world.spend)
    frame = _long(world.spend, world, "channel", world.channels)
    frame["spend"] = world.spend[:, :, :n].reshape(-1)
    for metric in ENGAGEMENT_COLUMNS:
        frame[metric] = np.round(eng[metric][:, :, :n]).reshape(-1).astype(np.int64)
    if not world.config.organic_proxy:
        organic = [s.name for s in world.config.channels if s.kind == "organic"]
        frame = frame[~frame["channel"].isin(organic)]
    return frame.reset_index(drop=True)


def _sales(world: World, gmv: np.ndarray, contrib: np.ndarray) -> pd.DataFrame:
    n = world.n_data
    mean = world.expected_gmv(world.spend)
    seeding = [c for c, s in enumerate(world.config.channels) if s.kind == "seeding"]
    seeded = contrib[:, seeding].sum(axis=1)
    seed_share = np.clip(np.divide(seeded, mean, out=np.zeros_like(mean), where=mean > 0), 0, None)
    f, z = world.funnel, world.noise
    orders = gmv / (f["aov"][:, :, None]) * z["orders"]
    visits = orders / f["cvr"][:, :, None] * z["store_visits"]
    funnel = {
        "store_visits": visits,
        "new_visitors": visits * 0.35 * (1 + 1.5 * seed_share) * z["new_visitors"],
        "searches": visits * 0.5 * (1 + 3.0 * seed_share) * z["searches"],
        "add_to_cart": visits * 0.11 * z["add_to_cart"],
        "orders": orders,
    }
    frame = _long(gmv, world, "platform", world.platforms)
    frame["gmv"] = np.round(gmv[:, :, :n], 2).reshape(-1)
    for metric in FUNNEL_COLUMNS:
        frame[metric] = np.round(funnel[metric][:, :, :n]).reshape(-1).astype(np.int64)
    return frame


def _attribution(world: World, gmv: np.ndarray) -> pd.DataFrame:
    """The platforms' feed: GMV of buyers touched by the channel within the window.

    Biased by design: it credits buyers who would have bought anyway and misses effects that
    land after the window.
    """
    eng = world.engagement(world.spend)
    frames = []
    for c, spec in enumerate(world.config.channels):
        if spec.kind not in ATTRIBUTION:
            continue
        window, metric, capture = ATTRIBUTION[spec.kind]
        p = world.platforms.index(spec.target) if spec.target in world.platforms else 0
        touched = adstock(eng[metric][:, c, : world.n_data], np.ones(window), axis=-1)
        n_live = np.maximum((touched > 0).sum(axis=1, keepdims=True), 1)
        typical = np.maximum(touched.sum(axis=1, keepdims=True) / n_live, 1e-9)
        audience = typical / world.funnel["touch"][:, c, None]
        share = 1.0 - np.exp(-touched / audience)
        credit = (
            gmv[:, p, : world.n_data]
            * share
            * capture
            * world.noise["attribution"][:, c, : world.n_data]
        )
        frame = _long(credit[:, None, :], world, "channel", (spec.name,))
        frame["platform"] = spec.target
        frame["window_days"] = window
        frame["attributed_gmv"] = np.round(credit.reshape(-1), 2)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _lift_tests(world: World, rng: np.random.Generator) -> pd.DataFrame:
    """One holdout test per brand on a channel live for ``lift_days`` days in the second
    half (shorter, down to a week, when no channel runs that long there; none when not even
    that).
    """
    days = world.config.lift_days
    rows = []
    for b, brand in enumerate(world.brands["brand"]):
        for length in range(days, 6, -7):
            options = _test_windows(world, b, length)
            if options:
                days_b = length
                break
        else:
            continue
        c, starts = options[rng.integers(len(options))]
        t0 = int(starts[rng.integers(len(starts))])
        t1 = t0 + days_b - 1
        true = float(incremental_gmv(world, b, c, t0, t1).sum())
        se = 0.15 * abs(true) + 1_000.0
        rows.append(
            {
                "brand": brand,
                "channel": world.channels[c],
                "start": world.dates[t0],
                "end": world.dates[t1],
                "incremental_gmv": round(true + rng.normal(0.0, se), 2),
                "incremental_gmv_se": round(se, 2),
            }
        )
    return pd.DataFrame(rows)


def _test_windows(world: World, b: int, days: int) -> list[tuple[int, list[int]]]:
    """(channel, possible first days) of ``days``-long live runs in the second half."""
    n = world.n_data
    options = []
    allowed = world.config.lift_channels
    for c, spec in enumerate(world.config.channels):
        if spec.kind == "organic" or (allowed and spec.name not in allowed):
            continue
        live = world.spend[b, c, :n] > 0
        runs = np.convolve(live, np.ones(days), mode="valid") == days
        starts = [int(t) for t in np.flatnonzero(runs) if t >= n // 2]
        if starts:
            options.append((c, starts))
    return options


def world_tables(world: World) -> dict[str, pd.DataFrame]:
    """All tables of a world, daily, over the data days.

    Returns
    -------
    dict
        ``media``, ``sales``, ``brands``, ``events`` and, as configured, ``attribution`` and
        ``lift_tests``.
    """
    per_channel = world.contributions(world.spend)
    gmv = world.expected_gmv(world.spend) * world.noise["gmv"]
    events = ecommerce_calendar(world.data_dates[0], world.data_dates[-1])
    events["brand"] = ""
    tables = {
        "media": _media(world),
        "sales": _sales(world, gmv, per_channel),
        "brands": world.brands.copy(),
        "events": events,
    }
    if world.config.attribution:
        tables["attribution"] = _attribution(world, gmv)
    if world.config.lift_tests:
        rng = np.random.default_rng([world.seed, 1])
        tests = _lift_tests(world, rng)
        if not tests.empty:  # an empty table is not a table: the loader refuses it
            tables["lift_tests"] = tests
    return tables


def to_weekly(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Sum daily tables into weeks starting on Monday (the daily range must be whole weeks);
    events keep their days."""

    def week(d: pd.Series) -> pd.Series:
        return d - pd.to_timedelta(d.dt.day_of_week, unit="D")

    out = dict(tables)
    for name, keys in (
        ("media", ["brand", "channel"]),
        ("sales", ["brand", "platform"]),
        ("attribution", ["brand", "channel", "platform", "window_days"]),
    ):
        if name not in tables:
            continue
        frame = tables[name].assign(date=week(tables[name]["date"]))
        out[name] = frame.groupby(["date", *keys], as_index=False, sort=True).sum()
    # events keep their days: the models give each week the share of its days in an event
    return out
