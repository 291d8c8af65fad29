"""Ground truth by counterfactual re-simulation (docs/contract.md section 3).

Each estimand reruns the world with the same draws and only the spend changed; nothing here
uses a closed-form shortcut of the model inside the simulator.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from seedmodel.sim.world import World

__all__ = [
    "day_window",
    "incremental_gmv",
    "interval_scores",
    "scored_cells",
    "truth_json",
    "truth_table",
]


def day_window(world: World, start: str | None = None, end: str | None = None) -> tuple[int, int]:
    """Day positions ``(t0, t1)``, inclusive, of a window; default the whole data."""
    t0 = 0 if start is None else int(world.dates.get_loc(pd.Timestamp(start)))
    t1 = world.n_data - 1 if end is None else int(world.dates.get_loc(pd.Timestamp(end)))
    if not 0 <= t0 <= t1 < world.n_data:
        raise ValueError(f"window {start}..{end} is not inside the data")
    return t0, t1


def incremental_gmv(
    world: World,
    brand: int,
    channel: int,
    t0: int,
    t1: int,
    *,
    scale: float = 0.0,
    spend: np.ndarray | None = None,
) -> np.ndarray:
    """GMV per platform caused by one brand x channel's spend on days ``t0..t1``.

    Parameters
    ----------
    world : World
        The world (its draws are held fixed).
    brand, channel : int
        Positions on the brand and channel axes.
    t0, t1 : int
        Window, inclusive.
    scale : float
        Spend of the channel in the window is multiplied by ``scale`` in the counterfactual
        (0 = switched off, the contract's estimand).
    spend : ndarray, optional
        Factual spend (B, C, T); default the observed plan.

    Returns
    -------
    ndarray
        (P,) E[GMV | spend] - E[GMV | counterfactual], summed over all days from ``t0`` on,
        carryover after ``t1`` included.
    """
    factual = world.spend if spend is None else spend
    cf = factual.copy()
    cf[brand, channel, t0 : t1 + 1] *= scale
    diff = world.expected_gmv(factual)[brand] - world.expected_gmv(cf)[brand]
    return diff[:, t0:].sum(axis=1)


def truth_table(world: World, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """True spend, incremental GMV (total and per platform), ROI and mROI per brand x channel.

    mROI follows docs/contract.md section 3: (incremental GMV at spend x 1.01 - at spend) /
    (0.01 x spend).
    """
    t0, t1 = day_window(world, start, end)
    rows = []
    for b, brand in enumerate(world.brands["brand"]):
        for c, channel in enumerate(world.channels):
            if world.kind(c) == "organic":
                continue
            spent = float(world.spend[b, c, t0 : t1 + 1].sum())
            inc = incremental_gmv(world, b, c, t0, t1)
            up = world.spend.copy()
            up[b, c, t0 : t1 + 1] *= 1.01
            more = incremental_gmv(world, b, c, t0, t1, spend=up).sum()
            row = {
                "brand": brand,
                "channel": channel,
                "spend": spent,
                "incremental_gmv": float(inc.sum()),
                "roi": float(inc.sum() / spent) if spent > 0 else float("nan"),
                "mroi": float((more - inc.sum()) / (0.01 * spent)) if spent > 0 else float("nan"),
            }
            row |= {
                f"incremental_gmv_{p}": float(v) for p, v in zip(world.platforms, inc, strict=True)
            }
            rows.append(row)
    return pd.DataFrame(rows)


def elasticity_table(world: World, *, step: float = 0.01) -> pd.DataFrame:
    """True elasticity of GMV per platform to a sustained +1% in a channel's spend.

    Every engagement metric of a paid channel is proportional to its spend in the world, so
    this is also the elasticity to a sustained +1% in any of its engagement metrics. Computed
    by re-simulation: (sum over data days of E[GMV | spend x 1.01] - E[GMV | spend]) / (sum of
    E[GMV | spend]) / 0.01.

    Returns
    -------
    DataFrame
        brand, channel, platform, elasticity.
    """
    n = world.n_data
    base = world.expected_gmv(world.spend)[:, :, :n].sum(axis=-1)  # (B, P)
    rows = []
    for c, channel in enumerate(world.channels):
        if world.kind(c) == "organic":
            continue
        up = world.spend.copy()
        up[:, c, :n] *= 1 + step
        more = world.expected_gmv(up)[:, :, :n].sum(axis=-1)
        for b, brand in enumerate(world.brands["brand"]):
            for p, platform in enumerate(world.platforms):
                rows.append(
                    {
                        "brand": brand,
                        "channel": channel,
                        "platform": platform,
                        "elasticity": float((more[b, p] - base[b, p]) / base[b, p] / step),
                    }
                )
    return pd.DataFrame(rows)


def _nested(table: pd.DataFrame, column: str) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for _, row in table.iterrows():
        value = row[column]
        out.setdefault(row["brand"], {})[row["channel"]] = (
            None if pd.isna(value) else round(float(value), 6)
        )
    return out


def truth_json(world: World, start: str | None = None, end: str | None = None) -> dict[str, Any]:
    """The ``truth.json`` of docs/contract.md section 4, with extra keys added.

    Extra keys: ``mroi``; ``incremental_gmv_by_platform`` {brand: {channel: {platform: x}}};
    ``elasticity`` {brand: {channel: {platform: x}}} (see :func:`elasticity_table`);
    ``lag_mode_days`` {channel: most likely lag of the effect}; ``seed``; ``config``.
    """
    t0, t1 = day_window(world, start, end)
    table = truth_table(world, start, end)
    by_platform: dict[str, dict[str, dict[str, float]]] = {}
    for _, row in table.iterrows():
        by_platform.setdefault(row["brand"], {})[row["channel"]] = {
            p: round(float(row[f"incremental_gmv_{p}"]), 6) for p in world.platforms
        }
    elasticity: dict[str, dict[str, dict[str, float]]] = {}
    for _, row in elasticity_table(world).iterrows():
        elasticity.setdefault(row["brand"], {}).setdefault(row["channel"], {})[row["platform"]] = (
            round(float(row["elasticity"]), 6)
        )
    return {
        "window": [str(world.dates[t0].date()), str(world.dates[t1].date())],
        "roi": _nested(table, "roi"),
        "incremental_gmv": _nested(table, "incremental_gmv"),
        "spend": _nested(table, "spend"),
        "mroi": _nested(table, "mroi"),
        "incremental_gmv_by_platform": by_platform,
        "elasticity": elasticity,
        "lag_mode_days": {
            ch: int(np.argmax(w))
            for ch, w, spec in zip(
                world.channels, world.kernels, world.config.channels, strict=True
            )
            if spec.kind != "organic"
        },
        "seed": world.seed,
        "config": world.config.to_dict(),
    }


def scored_cells(table: pd.DataFrame, truth: dict[str, Any]) -> pd.DataFrame:
    """An ROI table (:func:`seedmodel.roi`) scored against a simulation's truth.

    Parameters
    ----------
    table : DataFrame
        One row per brand x channel with ``roi``, ``mroi`` and their ``_lo`` / ``_hi``.
    truth : dict
        The simulation's truth (``Simulation.truth``: ``roi`` and ``mroi`` as
        {brand: {channel: value}}).

    Returns
    -------
    DataFrame
        ``table`` with, for ROI and for mROI (prefix ``mroi_``): the truth (``true_roi``,
        ``true_mroi``), the relative error (``rel_err``), signed error (``signed_err``),
        whether the interval covers the truth (``covered``), its width over the truth
        (``width``) and whether it misses the truth by a factor of 2 or more
        (``confidently_wrong``). A cell whose truth is not above 0 (a null channel) gets
        no relative error or width.
    """
    out = table.copy()
    for est, prefix in (("roi", ""), ("mroi", "mroi_")):
        true = pd.Series(
            [truth[est][r.brand][r.channel] for r in out.itertuples()], index=out.index
        )
        lo, hi = out[f"{est}_lo"], out[f"{est}_hi"]
        out[f"true_{est}"] = true
        positive = true.where(true > 0)
        out[f"{prefix}rel_err"] = (out[est] - positive).abs() / positive
        out[f"{prefix}signed_err"] = (out[est] - positive) / positive
        for name, value in interval_scores(lo, hi, true).items():
            out[f"{prefix}{name}"] = value
    return out


def interval_scores(lo: pd.Series, hi: pd.Series, true: pd.Series) -> dict[str, pd.Series]:
    """An interval ``[lo, hi]`` scored against ``true``: ``covered``, ``width`` (over the
    truth; NaN where the truth is not above 0) and ``confidently_wrong`` (misses the truth
    by a factor of 2 or more).

    Examples
    --------
    >>> s = interval_scores(pd.Series([1.0, 5.0]), pd.Series([3.0, 8.0]), pd.Series([2.0, 2.0]))
    >>> [s["covered"].tolist(), s["width"].tolist(), s["confidently_wrong"].tolist()]
    [[True, False], [1.0, 1.5], [False, True]]
    """
    positive = true.where(true > 0)
    return {
        "covered": (lo <= true) & (true <= hi),
        "width": (hi - lo) / positive,
        "confidently_wrong": (lo >= 2 * positive) | (hi <= positive / 2),
    }
