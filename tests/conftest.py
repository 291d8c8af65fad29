"""Shared fixtures: small simulated worlds written in the contract format."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import seedmodel as sm

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: object) -> subprocess.CompletedProcess:
    """Run ``python -m seedmodel.cli ARGS`` in a fresh process, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "seedmodel.cli", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def small_sim() -> sm.Simulation:
    """Two brands, 150 days, every optional table."""
    return sm.simulate(
        sm.WorldConfig(start="2025-04-01", n_brands=2, days=150, lift_tests=True), random_seed=11
    )


@pytest.fixture(scope="session")
def small_dir(small_sim, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    small_sim.write(folder)
    return folder


@pytest.fixture
def data_dir(small_dir, tmp_path) -> Path:
    """A fresh, writable copy of the small dataset for a test to break."""
    out = tmp_path / "data"
    shutil.copytree(small_dir, out)
    return out
