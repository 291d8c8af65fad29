"""A synthetic RED -> Tmall/JD world with known ground truth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from seedmodel.schema import Dataset, from_frames
from seedmodel.sim.config import DEFAULT_CHANNELS, ChannelSpec, WorldConfig
from seedmodel.sim.tables import to_weekly, world_tables
from seedmodel.sim.truth import incremental_gmv, truth_json, truth_table
from seedmodel.sim.world import World, make_world

__all__ = [
    "DEFAULT_CHANNELS",
    "ChannelSpec",
    "Simulation",
    "World",
    "WorldConfig",
    "incremental_gmv",
    "make_world",
    "simulate",
    "truth_table",
]


@dataclass(frozen=True, eq=False)
class Simulation:
    """A simulated dataset with its truth.

    Attributes
    ----------
    data : Dataset
        The tables, checked like any user's data.
    truth : dict
        docs/contract.md section 4 ``truth.json`` (with extra keys).
    world : World
        The world itself, to re-simulate any other counterfactual.
    """

    data: Dataset
    truth: dict[str, Any]
    world: World

    def __repr__(self) -> str:
        return f"Simulation(seed={self.world.seed}, data={self.data!r})"

    def write(self, folder: str | Path) -> None:
        """Write the tables and ``truth.json`` into ``folder``, all or nothing."""

        def fill(tmp: Path) -> None:
            self.data.write(tmp)
            (tmp / "truth.json").write_text(
                json.dumps(self.truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )

        from seedmodel.outputs import write_set
        from seedmodel.schema.tables import TABLES

        owned = [f"{name}.{ext}" for name in TABLES for ext in ("csv", "parquet")]
        write_set(folder, fill, owned=[*owned, "truth.json"])


def _align_weeks(config: WorldConfig) -> WorldConfig:
    start = pd.Timestamp(config.start)
    monday = start + pd.Timedelta(days=(7 - start.day_of_week) % 7)
    days = (config.days - (monday - start).days) // 7 * 7
    return config.with_(start=str(monday.date()), days=days)


def simulate(config: WorldConfig | None = None, *, random_seed: int = 0) -> Simulation:
    """Simulate a RED -> Tmall/JD world and its ground truth.

    Parameters
    ----------
    config : WorldConfig, optional
        Settings and mechanism switches; default three brands over two years, daily.
    random_seed : int
        The same seed gives the same world, tables and truth.

    Returns
    -------
    Simulation

    Examples
    --------
    >>> import seedmodel as sm
    >>> sim = sm.simulate(sm.WorldConfig(n_brands=1, days=120), random_seed=3)
    >>> sorted(sim.truth["roi"]["LumaBeauty"])
    ['little_red_star', 'red_cat', 'red_jd']
    """
    config = config or WorldConfig()
    if config.freq == "W":
        config = _align_weeks(config)
    world = make_world(config, random_seed)
    tables = world_tables(world)
    if config.freq == "W":
        tables = to_weekly(tables)
    data = from_frames(**tables)
    return Simulation(data=data, truth=truth_json(world), world=world)
