"""Shared fixtures: small simulated worlds written in the contract format."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

import seedmodel as sm

ROOT = Path(__file__).resolve().parents[1]
#: One brand, 240 days: the world behind the quick (unconverged, 300-draw) fit the tests share.
SMALL = sm.WorldConfig(start="2025-05-01", n_brands=1, days=240)


def run_cli(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m seedmodel.cli ARGS`` in a fresh process, output captured as text
    (``env``: the process's environment, default this one's)."""
    return subprocess.run(
        [sys.executable, "-m", "seedmodel.cli", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def run_main(capsys, *args: object) -> tuple[int, str]:
    """Run ``seedmodel ARGS`` in this process: (exit code, stderr). For what a fresh process
    adds nothing to (refusals before any work); ``capsys`` is the test's fixture."""
    from seedmodel.cli import main

    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse's own exits
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


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


def _fit_small(sim: sm.Simulation):
    from seedmodel.fit import NotConvergedWarning, fit_mmm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        return fit_mmm(sim.data, draws=300, tune=300, chains=2, random_seed=3)


@pytest.fixture(scope="session")
def small_fit(tmp_path_factory, worker_id):
    """(simulation, fit): one quick fit of SMALL that the MMM and planning tests share.

    Under pytest-xdist the first worker to ask fits it and saves it to the run's shared
    temporary folder; the others wait for that file and load it (the fit a saved
    ``fit.nc`` gives, as ``seedmodel report`` reads it), so the suite fits it once."""
    sim = sm.simulate(SMALL, random_seed=4)
    if worker_id == "master":  # not distributed
        return sim, _fit_small(sim)
    shared = tmp_path_factory.getbasetemp().parent / "small_fit.nc"
    failed = shared.with_suffix(".failed")
    try:
        os.close(os.open(shared.with_suffix(".lock"), os.O_CREAT | os.O_EXCL))
    except FileExistsError:  # another worker is fitting it
        deadline = time.monotonic() + 1800
        while not shared.exists():
            if failed.exists() or time.monotonic() > deadline:
                pytest.fail("the worker fitting the shared small fit did not finish it")
            time.sleep(0.5)
        return sim, sm.load_fit(shared)
    try:
        fit = _fit_small(sim)
        fit.save(shared)  # appears whole or not at all
    except BaseException:
        failed.touch()
        raise
    return sim, fit


@pytest.fixture(scope="session")
def small_fit_dir(small_fit, tmp_path_factory) -> Path:
    """A FIT_DIR holding the shared fit as fit.nc."""
    folder = tmp_path_factory.mktemp("fit")
    small_fit[1].save(folder / "fit.nc")
    return folder
