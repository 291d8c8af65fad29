"""nutpie's chains in processes of their own (``SamplerConfig(parallel="processes")``):
the same fit as in threads, driven the same way, its errors reported."""

from __future__ import annotations

import types
import warnings

import numpy as np
import pytest

import seedmodel as sm
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.inference.chains import ChainProcesses
from seedmodel.inference.options import PROCESSES_MIN_DIMS
from seedmodel.inference.sample import CHECKPOINTS, parallelism


def _model(dims: int):
    """Stands in for a model: parallelism() reads only the size of its initial point."""
    return types.SimpleNamespace(initial_point=lambda: {"x": np.zeros(dims)})


def test_auto_takes_processes_only_for_large_models_on_jax_with_a_core_per_chain(monkeypatch):
    big, small = _model(PROCESSES_MIN_DIMS), _model(PROCESSES_MIN_DIMS - 1)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert parallelism("auto", big, "jax", 2) == "processes"
    assert parallelism("auto", small, "jax", 2) == "threads"
    assert parallelism("auto", big, "numba", 2) == "threads"  # compiled: no Python per step
    assert parallelism("auto", big, "jax", 1) == "threads"
    assert parallelism("auto", big, "jax", 4) == "threads"  # fewer cores than chains
    assert parallelism("processes", small, "numba", 1) == "processes"  # asked for: done
    with pytest.raises(ValueError, match="parallel must be one of"):
        parallelism("fork", big, "jax", 2)


def _compiled(world: sm.Dataset):
    """The default model of ``world`` and its compile options, as run_inference has them."""
    from seedmodel.fit import build_inputs, starting_point
    from seedmodel.inference.sample import nutpie_compile_options
    from seedmodel.models.mmm.graph import build_model
    from seedmodel.models.mmm.spec import SeedingMMM

    inputs = build_inputs(world, SeedingMMM())
    model = build_model(inputs)
    return model, nutpie_compile_options("jax", starting_point(model, inputs))


@pytest.fixture(scope="module")
def world() -> sm.Dataset:
    return sm.simulate(sm.WorldConfig(start="2025-05-01", n_brands=1, days=120), random_seed=2).data


def test_chains_in_processes_give_a_whole_posterior_and_repeat_under_the_same_seed(world):
    fits = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        # a 150-draw warm-up: fewer gradients in all than 60 (shallower trees after it)
        for _ in range(2):
            fits.append(fit_mmm(world, draws=60, tune=150, random_seed=5, parallel="processes"))
        threads = fit_mmm(world, draws=60, tune=150, random_seed=5, parallel="threads")
    a, b = fits
    assert a.diagnostics.parallel == "processes" and threads.diagnostics.parallel == "threads"
    post = a.posterior["posterior"]
    assert (post.sizes["chain"], post.sizes["draw"]) == (2, 60)
    assert post["chain"].values.tolist() == [0, 1]
    assert not np.isnan(post["beta"].values).any()
    # each chain has its own seed: the two are different chains, not one chain twice
    assert not np.allclose(post["beta"].isel(chain=0), post["beta"].isel(chain=1))
    assert a.diagnostics.gradients >= 2 * 210  # warm-up and kept draws of both chains
    assert sm.roi(a)["roi"].tolist() == sm.roi(b)["roi"].tolist()
    # the same posterior as in threads, within Monte Carlo error of 2 x 60 draws
    for fit in (a, threads):
        assert np.isfinite(sm.roi(fit)["roi"]).all()
    gap = np.abs(sm.roi(a)["roi"] - sm.roi(threads)["roi"])
    width = sm.roi(threads)["roi_hi"] - sm.roi(threads)["roi_lo"]
    assert (gap < width).all()


def test_sampling_until_converged_in_processes_stops_at_a_checkpoint(world):
    lines: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(
            world, random_seed=1, tune=200, max_minutes=0.2, parallel="processes",
            progress=lines.append,
        )  # fmt: skip
    d = fit.diagnostics
    assert d.stopped in ("converged", "time budget") and d.draws in CHECKPOINTS, d
    assert fit.posterior["posterior"].sizes["draw"] == d.draws
    assert not np.isnan(fit.posterior["posterior"]["beta"].values).any()
    assert lines[0] == "compiling the model (jax) in 2 processes"
    kept = int(fit.posterior["sample_stats"]["n_steps"].sum())
    assert d.chains * 200 <= d.gradients - kept


def test_an_error_in_a_chains_process_is_raised_in_the_fit(world):
    model, compile_options = _compiled(world)
    with pytest.raises(RuntimeError, match="adaptation"):
        ChainProcesses(
            model, compile_options, dict(draws=10, tune=10, adaptation="dense"),
            chains=2, random_seed=1,
        )  # fmt: skip


def test_closing_ends_the_chains_processes(world):
    model, compile_options = _compiled(world)
    running = ChainProcesses(
        model, compile_options, dict(draws=100_000, tune=100, progress_bar=False),
        chains=2, random_seed=1,
    )  # fmt: skip
    assert not running.is_finished  # far from 100,000 draws
    running.close()
    running.close()  # idempotent
    assert all(proc.poll() is not None for proc in running._procs)
