"""A fit without a number of draws samples until the convergence rule holds, or its time
budget is spent, and says which."""

from __future__ import annotations

import warnings

import seedmodel as sm
from seedmodel.fit import NotConvergedWarning, fit_mmm
from seedmodel.inference.sample import CHECKPOINTS


def test_a_fit_without_draws_stops_at_a_checkpoint_and_says_why():
    """A budget spent before the first checkpoint still gives its draws, judged there."""
    sim = sm.simulate(sm.WorldConfig(start="2025-05-01", n_brands=1, days=100), random_seed=4)
    lines: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(sim.data, random_seed=1, tune=200, max_minutes=0.001, progress=lines.append)
    d = fit.diagnostics
    # judged at fixed counts: the same seed stops at the same one
    assert d.draws == CHECKPOINTS[0] and d.stopped in ("time budget", "converged"), d
    assert fit.posterior["posterior"].sizes["draw"] == d.draws
    assert any("before the first 400 draws" in line for line in lines)
    assert lines[-1].startswith(f"{d.draws} draws per chain")
    if d.stopped == "time budget":
        assert not d.converged and "time budget ran out" in d.reason
    else:
        assert d.max_rhat <= 1.01 and d.min_ess_bulk >= 400
    assert d.to_dict()["stopped"] == d.stopped
    # gradients of warm-up (200 draws per chain) and of the kept draws only, not of the
    # draws the sampler ran past the checkpoint
    kept = int(fit.posterior["sample_stats"]["n_steps"].sum())
    assert d.chains * 200 <= d.gradients - kept <= d.chains * 200 * 1023
    assert sm.roi(fit)["roi"].notna().all()  # a usable, if unconverged, fit


def test_the_command_line_shows_progress_unless_quiet(tmp_path):
    from conftest import run_cli

    world = tmp_path / "w"
    assert (
        run_cli("simulate", world, "--brands", "1", "--days", "100", "--seed", "3").returncode == 0
    )
    # a short fixed-draw fit (the until-converged lines are checked on fit_mmm's progress
    # above, and the command line's time-budget warning in test_report_summary's run)
    args = ["fit", world, "--draws", "30", "--tune", "60", "--no-checks"]
    loud = run_cli(*args, "--out", tmp_path / "a")
    quiet = run_cli(*args, "--out", tmp_path / "b", "--quiet")
    assert loud.returncode == quiet.returncode == 0, loud.stderr + quiet.stderr
    assert "seedmodel: sampling: compiling the model" in loud.stderr
    assert "seedmodel: sampling: compiled in" in loud.stderr
    assert "seedmodel: sampling:" not in quiet.stderr
    for proc in (loud, quiet):  # the warning is no progress line: --quiet keeps it
        assert "did NOT converge" in proc.stderr and "NOT converged" in proc.stdout
    assert not (tmp_path / "b" / "checks.json").exists()  # --no-checks: no check fit
    assert (tmp_path / "a" / "roi.csv").read_bytes() == (tmp_path / "b" / "roi.csv").read_bytes()


def test_progress_is_printed_in_a_notebook_and_not_in_a_batch_job(monkeypatch, capsys):
    import sys
    import types

    from seedmodel.fit import _interactive_progress

    # pytest's captured stderr is no terminal, and importing ipykernel (as the notebook
    # tests do) does not make a notebook
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert _interactive_progress() is None
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: types.SimpleNamespace(kernel=object())  # a notebook's shell
    monkeypatch.setitem(sys.modules, "IPython", fake)
    printer = _interactive_progress()
    assert printer is not None
    printer("400 draws per chain after 9 s: converged")
    assert "seedmodel: 400 draws per chain after 9 s" in capsys.readouterr().err


def test_polls_wait_for_the_next_checkpoint():
    from seedmodel.inference.sample import _pause

    assert _pause(0, 0, 5.0, (0, 0.0)) == 2.0  # warm-up: a tenth of the time so far, >= 2 s
    assert _pause(0, 0, 300.0, (0, 290.0)) == 10.0  # ... and <= 10 s
    # 10 draws per second since the last poll, 50 draws short of the checkpoint at 400
    assert _pause(350, 0, 35.0, (300, 30.0)) == 5.5
    # past a judged checkpoint the next one counts; the pause is at most 20 s
    assert _pause(410, 400, 41.0, (400, 40.0)) == 20.0
    assert _pause(799, 400, 80.0, (700, 70.0)) == 1.0  # at least 1 s


class _FakeRun:
    """A sampler that finishes warm-up after ``warmup`` seconds of a fake clock and then
    draws ``rate`` draws per chain per second: the polling logic alone, not a sampler."""

    def __init__(
        self, clock: list[float], warmup: float, rate: float, diverge_at: int | None = None
    ) -> None:
        self.clock, self.warmup, self.rate = clock, warmup, rate
        self.diverge_at = diverge_at  # the kept draw (1-based) at which chain 0 diverges
        self.is_finished = False

    def inspect(self):
        import numpy as np
        import xarray as xr

        n = int(max(0.0, self.clock[0] - self.warmup) * self.rate)
        steps = np.full((2, max(n, 1)), 7.0)
        if n == 0:
            steps[:] = np.nan
        diverging = np.zeros(steps.shape, dtype=bool)
        if self.diverge_at is not None and n >= self.diverge_at:
            diverging[0, self.diverge_at - 1] = True
        return xr.DataTree.from_dict(
            {
                "posterior": xr.Dataset({"x": (("chain", "draw"), steps.copy())}),
                "sample_stats": xr.Dataset(
                    {
                        "n_steps": (("chain", "draw"), steps),
                        "diverging": (("chain", "draw"), diverging),
                    }
                ),
            }
        )

    def abort(self):
        return self.inspect()

    wait = abort


def test_a_budget_spent_in_warm_up_stops_at_the_first_checkpoint_however_far_the_poll_lands(
    monkeypatch,
):
    from seedmodel.inference import sample

    clock = [0.0]
    monkeypatch.setattr(sample.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(sample.time, "sleep", lambda s: clock.__setitem__(0, clock[0] + s))
    # warm-up ends at 3 s; the poll after it lands 1,000 draws on, past the checkpoint at 800
    run = _FakeRun(clock, warmup=3.0, rate=1000.0)
    tree, stopped, _ = sample._sample_until(run, lambda t: False, 0.06, None)
    assert (stopped, tree["posterior"].sizes["draw"]) == ("time budget", CHECKPOINTS[0])
    # with budget left, the same poll judges every checkpoint it passed and stops at none
    clock[0] = 0.0
    run = _FakeRun(clock, warmup=3.0, rate=1000.0)
    tree, stopped, _ = sample._sample_until(
        run, lambda t: t["posterior"].sizes["draw"] >= 800, 60, None
    )
    assert (stopped, tree["posterior"].sizes["draw"]) == ("converged", 800)


def test_a_checkpoint_with_divergences_is_not_called_converged():
    """R-hat and ESS stop sampling whatever the divergences; the line must still say the fit
    is not converged (the verdict that roi.csv and the report carry)."""
    from seedmodel.inference.sample import _checkpoint_line

    divergent = _checkpoint_line(1400, 61.0, True, 1, 800.0)
    assert "not converged" in divergent and "1 divergent" in divergent
    assert _checkpoint_line(1400, 61.0, True, 0, 800.0).endswith("converged (0 divergent)")
    waiting = _checkpoint_line(400, 39.0, False, 2, 860.0)
    assert "not converged yet (2 divergent so far; 14.3 min of budget left)" in waiting
    assert "0.0 min" in _checkpoint_line(400, 999.0, False, 0, -39.0)  # budget overrun


def test_a_run_is_abandoned_for_a_divergence_only_where_no_checkpoint_before_it_passes(
    monkeypatch,
):
    """A run that may be abandoned for a divergence (at a lower step-size target) stops as
    ``divergent`` once a draw every chain has completed diverges, but only after the
    checkpoints those draws reach are judged: however the polls land, a checkpoint before
    the divergence that meets the rule stops the run as converged."""
    from seedmodel.inference import sample

    clock = [0.0]
    monkeypatch.setattr(sample.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(sample.time, "sleep", lambda s: clock.__setitem__(0, clock[0] + s))
    at_800 = lambda t: t["posterior"].sizes["draw"] >= 800  # noqa: E731
    for rate in (7.0, 1000.0):  # polls that land near every checkpoint, or far past them
        clock[0] = 0.0
        run = _FakeRun(clock, warmup=3.0, rate=rate, diverge_at=850)
        tree, stopped, _ = sample._sample_until(run, at_800, 600, None, abandon_divergent=True)
        assert (stopped, tree["posterior"].sizes["draw"]) == ("converged", 800)
        # the rule not met before the divergence: abandoned, with every step counted
        clock[0] = 0.0
        run = _FakeRun(clock, warmup=3.0, rate=rate, diverge_at=850)
        tree, stopped, spent = sample._sample_until(
            run, lambda t: False, 600, None, abandon_divergent=True
        )
        assert stopped == "divergent"
        assert spent == 2 * 7 * 850  # steps up to the divergent draw, however late the poll
        # a checkpoint that meets R-hat and ESS with the divergence in it: abandoned too
        clock[0] = 0.0
        run = _FakeRun(clock, warmup=3.0, rate=rate, diverge_at=350)
        _, stopped, _ = sample._sample_until(run, at_800, 600, None, abandon_divergent=True)
        assert stopped == "divergent"
        # the last target's run is never abandoned: it stops when R-hat and ESS hold
        clock[0] = 0.0
        run = _FakeRun(clock, warmup=3.0, rate=rate, diverge_at=850)
        tree, stopped, _ = sample._sample_until(
            run, lambda t: t["posterior"].sizes["draw"] >= 1200, 600, None
        )
        assert (stopped, tree["posterior"].sizes["draw"]) == ("converged", 1200)


def test_a_run_that_diverges_starts_again_at_the_next_step_target():
    """A real sampler on Neal's funnel: at target 0.5 its kept draws diverge, so the run is
    abandoned and sampling starts again at 0.95; the gradients count both runs, and the same
    seed repeats the whole sequence."""
    import numpy as np
    import pymc as pm

    from seedmodel.inference import run_inference
    from seedmodel.inference.options import SamplerConfig

    with pm.Model() as funnel:
        v = pm.Normal("v", 0.0, 1.5)
        pm.Normal("x", 0.0, pm.math.exp(v / 2), shape=3)
    config = SamplerConfig(tune=200, max_minutes=2, parallel="threads", backend="numba")
    lines: list[str] = []
    runs = [
        run_inference(
            funnel,
            config,
            random_seed=5,
            initial={"v": 0.5, "x": np.array([0.3, -0.2, 0.1])},
            targets=(0.5, 0.95),
            progress=lines.append,
            until=lambda t: True,  # the last run stops at the first checkpoint
        )
        for _ in range(2)
    ]
    (tree, timings), (again, timings2) = runs
    assert timings["restarts"] == 1 and timings["target_accept"] == 0.95
    assert timings["stopped"] == "converged" and tree["posterior"].sizes["draw"] == 400
    assert any("diverged at step target 0.5: starting again at 0.95" in line for line in lines)
    kept = int(tree["sample_stats"]["n_steps"].sum())
    assert timings["gradients"] > kept + 2 * 200  # the abandoned run's steps are counted
    assert timings2["gradients"] == timings["gradients"]
    np.testing.assert_array_equal(tree["posterior"]["v"].values, again["posterior"]["v"].values)
