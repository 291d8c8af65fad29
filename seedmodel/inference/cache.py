"""Where compiled models are kept between processes: JAX's persistent compilation cache.

Compiling a model with JAX takes two steps: pytensor turns the model into a JAX function
(about 4 s on ``data/sample``), then XLA compiles that function at its first call (about
2.7 s). JAX can keep XLA's result on disk, keyed by the function's full program, data
included. seedmodel points that cache at ``$SEEDMODEL_CACHE_DIR/jax`` (default
``~/.cache/seedmodel/jax``, or under ``$XDG_CACHE_HOME``) so that every later process that
compiles the same model on the same data loads it instead: a chain's process when the
step-size ladder restarts, a refit of the same data, the per-fit checks of a rerun. Loaded
and freshly compiled code give the same draws to the last digit
(``tests/test_cache.py``).

``SEEDMODEL_CACHE_DIR=off`` turns it off; a cache directory the user gave JAX
(``JAX_COMPILATION_CACHE_DIR``) is left as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_root", "use_jax_cache"]

#: The environment variable naming seedmodel's cache directory ("off": no cache).
CACHE_ENV = "SEEDMODEL_CACHE_DIR"
_OFF = {"", "0", "off", "none", "false"}


def cache_root() -> Path | None:
    """seedmodel's cache directory: ``$SEEDMODEL_CACHE_DIR``, else ``seedmodel`` under
    ``$XDG_CACHE_HOME`` (default ``~/.cache``); None when the variable says ``off``."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return None if value.strip().lower() in _OFF else Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "seedmodel"


def use_jax_cache() -> Path | None:
    """Point JAX's persistent compilation cache at seedmodel's directory, unless the user
    gave JAX one; returns the directory in use (None: no cache).

    A directory that cannot be made leaves the cache off: compiling still works, only
    slower the next time. JAX reads the setting at its first compile in a process, so a
    process that compiled JAX code before its first fit keeps what it had.
    """
    import jax

    given = jax.config.jax_compilation_cache_dir
    if given:
        return Path(given)
    root = cache_root()
    if root is None:
        return None
    path = root / "jax"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    jax.config.update("jax_compilation_cache_dir", str(path))
    return path
