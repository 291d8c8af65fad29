"""Where compiled models are kept (seedmodel.inference.cache).

That code loaded from the cache gives the draws of code compiled afresh is checked by
``test_mmm.py::test_cli_fit_same_seed_same_roi_and_not_converged_is_loud`` (two fits, the
first on an empty cache)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from seedmodel.inference.cache import CACHE_ENV, cache_root


@pytest.mark.parametrize("value", ["off", "OFF", "0", "", "none"])
def test_the_cache_can_be_turned_off(monkeypatch, value):
    monkeypatch.setenv(CACHE_ENV, value)
    assert cache_root() is None


def test_the_cache_is_where_the_user_says_else_under_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "here"))
    assert cache_root() == tmp_path / "here"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "seedmodel"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == Path.home() / ".cache" / "seedmodel"


def _cache_in_use(env: dict[str, str]) -> str:
    """The directory use_jax_cache() sets in a fresh process with ``env`` (JAX's config is
    global to a process, so each case gets its own)."""
    code = (
        "import jax; from seedmodel.inference.cache import use_jax_cache; "
        "print(use_jax_cache(), jax.config.jax_compilation_cache_dir)"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith("JAX_COMPILATION")}
    proc = subprocess.run(
        [sys.executable, "-c", code], env=keep | env, capture_output=True, text=True, check=True
    )
    return proc.stdout.strip()


def test_jax_gets_seedmodels_directory_unless_the_user_gave_it_one(tmp_path):
    ours = tmp_path / "ours"
    assert _cache_in_use({CACHE_ENV: str(ours)}) == f"{ours / 'jax'} {ours / 'jax'}"
    assert (ours / "jax").is_dir()
    theirs = tmp_path / "theirs"
    env = {CACHE_ENV: str(ours), "JAX_COMPILATION_CACHE_DIR": str(theirs)}
    assert _cache_in_use(env) == f"{theirs} {theirs}"
    assert _cache_in_use({CACHE_ENV: "off"}) == "None None"
    # a directory that cannot be made leaves the cache off; fitting still works
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert _cache_in_use({CACHE_ENV: str(blocked)}) == "None None"
