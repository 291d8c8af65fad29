"""The sampler settings: validated once, defaults declared once, saved with a fit."""

from __future__ import annotations

import numpy as np
import pytest

from seedmodel.inference.options import SamplerConfig


def test_defaults_sample_until_converged_and_fixed_draws_warm_up_as_long():
    default = SamplerConfig()
    assert default.until_converged and default.kept_draws is None
    assert (default.warmup, default.step_target) == (500, 0.97)
    fixed = SamplerConfig(draws=300)
    assert (fixed.kept_draws, fixed.warmup, fixed.step_target) == (300, 300, 0.9)
    assert SamplerConfig(draws=300, tune=50, target_accept=0.8).warmup == 50
    assert SamplerConfig(tune=1000).warmup == 1000
    # other samplers and methods cannot sample until converged: 1,000 kept draws, and as
    # many warm-up draws
    for other in (SamplerConfig(sampler="pymc"), SamplerConfig(method="advi")):
        assert not other.until_converged and other.kept_draws == other.warmup == 1000
    assert type(SamplerConfig(draws=np.int64(5)).draws) is int


def test_a_year_of_data_sampled_until_converged_starts_at_the_lower_step_target():
    from seedmodel.inference.options import STEP_TARGETS, STEP_TARGETS_MIN_PERIODS

    year, short = STEP_TARGETS_MIN_PERIODS, STEP_TARGETS_MIN_PERIODS - 1
    assert SamplerConfig().step_targets(year) == STEP_TARGETS == (0.9, 0.97, 0.99)
    assert SamplerConfig().step_targets(short) == (0.97, 0.99)  # shorter data diverged at 0.9
    assert SamplerConfig(target_accept=0.95).step_targets(year) == (0.95,)  # given: alone
    assert SamplerConfig(draws=300).step_targets(year) == (0.9,)  # fixed draws: one run
    assert SamplerConfig(sampler="pymc").step_targets(year) == (0.9,)


def test_a_fit_file_says_which_warm_up_it_used_whatever_the_default_became():
    """fit_mmm saves the warm-up it used; a file written while ``tune=None`` meant 1,000
    warm-up draws for a fit sampled until converged (before 2026-12-04's sixteenth session)
    reads as 1,000, and a fixed-draw one as its draws, as it did then."""
    import json

    from seedmodel.fit import _saved_config

    def saved(**settings):
        return {"sampler_config": json.dumps(SamplerConfig(**settings).to_dict())}

    assert _saved_config(saved()).warmup == 1000  # the default of its day
    assert _saved_config(saved(draws=300)).warmup == 300
    assert _saved_config(saved(tune=500)).warmup == 500
    assert _saved_config({}) is None


def test_a_fit_that_must_end_converged_keeps_the_fine_step_on_two_years_of_data(monkeypatch):
    """fit_mmm hands the sampler 0.97 for a fit sampled until converged however long the
    data: at 0.9 (the rule of 2026-12-04's fourteenth session for a year or more), 2 of 9
    family worlds of 540-730 days diverged where 0.97 did not. Only the settings handed to
    the sampler are read here; nothing is sampled."""
    from conftest import ROOT

    import seedmodel as sm
    import seedmodel.fit as fitting

    seen = []

    class Stop(Exception):
        pass

    def record(inputs, config, **kwargs):
        seen.append((inputs.n_periods, config))
        raise Stop

    monkeypatch.setattr(fitting, "sample_inputs", record)
    data = sm.load(ROOT / "data" / "sample")
    for settings in ({}, {"target_accept": 0.99}, {"draws": 300}):
        with pytest.raises(Stop):
            fitting.fit_mmm(data, progress=None, **settings)
    assert [p for p, _ in seen] == [len(data.dates)] * 3 and len(data.dates) >= 730
    assert [c.step_target for _, c in seen] == [0.97, 0.99, 0.9]
    assert [c.tune for _, c in seen] == [500, 500, 300]  # the warm-up used, as saved


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"draws": 0}, "draws must be a whole number >= 1"),
        ({"draws": 2.5}, "draws must be a whole number"),
        ({"tune": -1}, "tune must be a whole number >= 0"),
        ({"chains": True}, "chains must be a whole number"),
        ({"sampler": "stan"}, "sampler must be one of"),
        ({"method": "vi"}, "method must be one of"),
        ({"backend": "tpu"}, "backend must be one of"),
        ({"adaptation": "dense"}, "adaptation must be one of"),
        ({"target_accept": 1.0}, "target_accept must be in"),
        ({"max_minutes": 0}, "max_minutes must be > 0"),
        ({"parallel": "fork"}, "parallel must be one of"),
    ],
)
def test_bad_settings_are_refused_with_their_name(settings, says):
    with pytest.raises(ValueError, match=says):
        SamplerConfig(**settings)


def test_round_trip_and_unknown_settings():
    config = SamplerConfig(draws=400, chains=4, backend="numba", max_minutes=3.5)
    assert SamplerConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="'warmup' is unknown"):
        SamplerConfig.from_dict({"warmup": 3})


def test_fit_mmm_refuses_an_unknown_setting_before_any_work(small_sim):
    import seedmodel as sm

    with pytest.raises(TypeError, match="draw"):
        sm.fit_mmm(small_sim.data, draw=100)


def test_the_command_line_declares_no_sampler_default_of_its_own():
    from seedmodel.cli import _parser

    for command in ("fit", "run"):
        args = vars(_parser().parse_args([command, "DATA", "--out", "OUT"]))
        offered = {k: v for k, v in args.items() if k in SamplerConfig().to_dict()}
        assert len(offered) >= (8 if command == "fit" else 1), offered
        assert SamplerConfig(**offered) == SamplerConfig(), command


def test_the_main_job_takes_the_compiler_as_fit_does():
    """A reporting job that keeps its compile cache can run the main job under numba."""
    from seedmodel.cli import _parser, _sampler_config

    for command in ("fit", "run"):
        args = _parser().parse_args([command, "DATA", "--out", "OUT", "--backend", "numba"])
        assert _sampler_config(args).backend == "numba", command
