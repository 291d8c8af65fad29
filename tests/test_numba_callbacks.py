"""nutpie's numba callbacks, generated without data so that numba caches them on disk."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

from seedmodel.inference.numba_callbacks import callback_source, compile_numba


def _model(y: np.ndarray) -> pm.Model:
    """Two parameters, the observations as ``pm.Data`` (a shared array both callbacks read:
    the log density through the likelihood, the expansion through a deterministic)."""
    with pm.Model() as model:
        obs = pm.Data("obs", y)
        mu = pm.Normal("mu", 0.0, 5.0)
        sigma = pm.HalfNormal("sigma", 2.0)
        pm.Deterministic("resid_mean", (obs - mu).mean())
        pm.Normal("y", mu, sigma, observed=obs)
    return model


def _draws(compiled) -> np.ndarray:
    import nutpie

    tree = nutpie.sample(compiled, draws=150, tune=150, chains=1, seed=7, progress_bar=False)
    post = tree.posterior
    return np.stack([post[v].values.ravel() for v in ("mu", "sigma", "resid_mean")])


def test_the_source_holds_shapes_and_table_slots_but_no_data():
    arrays = [(2, np.zeros((3, 4))), (0, np.zeros(5, dtype=np.int64))]
    source = callback_source("logp", 7, arrays)
    assert "if dim != 7:" in source
    assert "table = numba.carray(user_data_, (3,), np.uint64)" in source
    assert "address_as_void_pointer(table[2]), (3, 4), np.float64)" in source
    assert "address_as_void_pointer(table[0]), (5,), np.int64)" in source
    assert "inner(x, s0, s1)" in source
    expand = callback_source("expand", 7, [], n_expanded=9)
    assert "if expanded != 9:" in expand and "inner(x)" in expand and "table" not in expand
    with pytest.raises(ValueError, match="kind must be"):
        callback_source("grad", 7, arrays)


def test_cached_callbacks_give_nutpies_own_draws_and_load_from_disk_the_second_time():
    """The same draws as nutpie's own numba compile (the callbacks call the same compiled
    function on the same arrays), and a second compile of the model, in new function
    objects, loads both callbacks from numba's disk cache instead of compiling them."""
    import nutpie
    import pytensor

    y = np.random.default_rng(0).normal(3.0, 1.5, size=40)
    ours = compile_numba(_model(y))
    with pytensor.config.change_flags(numba__fastmath=False):
        theirs = nutpie.compile_pymc_model(_model(y), backend="numba", jitter_rvs=set())
    a, b = _draws(ours), _draws(theirs)
    np.testing.assert_array_equal(a, b)
    assert abs(a[0].mean() - y.mean()) < 0.5  # and they are draws of this model
    np.testing.assert_allclose(a[2], y.mean() - a[0])  # the expansion read the shared data

    again = compile_numba(_model(y))
    assert again.compiled_logp_func.cache_hits == 1
    assert again.compiled_expand_func.cache_hits == 1
    np.testing.assert_array_equal(_draws(again), a)


def test_a_model_of_another_shape_does_not_load_the_first_ones_callbacks():
    """The shapes are part of the callbacks' source, hence of their cache key: a model with
    more observations gets callbacks of its own, which read every observation."""
    y = np.random.default_rng(1).normal(-2.0, 1.0, size=40)
    compile_numba(_model(y))
    longer = np.concatenate([y, np.full(40, 10.0)])  # the mean moves from -2 to 4
    draws = _draws(compile_numba(_model(longer)))
    assert abs(draws[0].mean() - longer.mean()) < 0.6
    np.testing.assert_allclose(draws[2], longer.mean() - draws[0])


def test_datasets_of_one_shape_share_the_compiled_code_and_another_shape_does_not():
    """The model's data enter numba's code as inputs, not constants: two simulated worlds
    with other data but the same brands, channels and days give the same pytensor cache
    keys (so a second fit loads the first one's code); a longer world gives other keys."""
    import seedmodel as sm
    from seedmodel.inference.numba_callbacks import cache_key, numba_functions
    from seedmodel.models.mmm.graph import build_model
    from seedmodel.models.mmm.inputs import build_inputs

    def keys(config, seed):
        data = sm.simulate(config, random_seed=seed).data
        functions = numba_functions(build_model(build_inputs(data, sm.SeedingMMM())))
        return cache_key(functions[2]), cache_key(functions[3])

    config = sm.WorldConfig(start="2025-05-01", n_brands=2, days=240)
    first, second = keys(config, 1), keys(config, 2)
    assert None not in first
    assert first == second
    longer = keys(sm.WorldConfig(start="2025-05-01", n_brands=2, days=247), 1)
    assert longer[0] != first[0] and longer[1] != first[1]


def test_a_nutpie_without_the_pieces_falls_back_to_its_own_compile_with_a_warning(monkeypatch):
    import seedmodel.inference.numba_callbacks as callbacks
    from seedmodel.inference.sample import compile_nutpie, nutpie_compile_options

    def missing(*args, **kwargs):
        raise ImportError("cannot import name '_make_functions'")

    monkeypatch.setattr(callbacks, "compile_numba", missing)
    y = np.random.default_rng(2).normal(1.0, 1.0, size=20)
    with pytest.warns(RuntimeWarning, match="_make_functions.*compiled again on every fit"):
        compiled = compile_nutpie(_model(y), nutpie_compile_options("numba", None))
    assert compiled.compiled_logp_func.cache_hits == 0  # nutpie's closures: never cached
    assert abs(_draws(compiled)[0].mean() - y.mean()) < 0.6
