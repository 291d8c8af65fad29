"""Writing outputs: complete or not at all, one writer at a time.

A command's outputs are a *set* (``fit`` writes roi.csv, diagnostics.json, checks.json and
fit.nc; ``simulate`` writes the contract's tables and truth.json). :func:`write_set` builds
the new set in a hidden folder beside the target and swaps it in with two renames, so a
reader never finds a new ``diagnostics.json`` beside an old ``roi.csv``, and files of an
earlier set that the new one does not hold (an earlier world's ``lift_tests.csv``, a
``checks.json`` from a run with checks) do not survive beside it. Files the command does not
own (a user's notes) are kept.

:func:`writer_lock` keeps a second process from writing the same target at once: it refuses
at once, before any work, and says why.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from seedmodel.schema.errors import ArgumentError

__all__ = ["FLOAT_DIGITS", "check_out", "json_text", "write_file", "write_set", "writer_lock"]

FLOAT_DIGITS = 6
"""Significant digits of every float a command writes (CSV and JSON alike)."""


def check_out(path: str | Path, kind: str, flag: str = "--out") -> Path:
    """Refuse an output path that cannot be written, before any work.

    Parameters
    ----------
    path : str or Path
        Where the command will write.
    kind : {"file", "dir"}
        What it will write there.
    flag : str
        The option that named it, for the message.

    Raises
    ------
    ArgumentError
        A folder where a file is expected or the reverse, a parent that is a file, or a
        place this process may not write.
    """
    path = Path(path)
    if kind == "file" and path.is_dir():
        raise ArgumentError(f"{flag} {path} is a folder; give the file to write")
    if kind == "dir" and path.exists() and not path.is_dir():
        raise ArgumentError(f"{flag} {path} is a file; give the folder to write into")
    ancestor = path.parent if kind == "file" or not path.exists() else path
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ArgumentError(f"{flag} {path}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ArgumentError(f"{flag} {path}: no permission to write in {ancestor}")
    return path


@contextlib.contextmanager
def writer_lock(target: str | Path) -> Iterator[None]:
    """Hold the lock on ``target`` (file or folder) for the duration; refuse if another
    process holds it. The lock dies with its process, so a crash never leaves it stuck."""
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = target.parent / f".{target.name}.seedmodel-lock"
    handle = open(lock, "a+")  # noqa: SIM115 (held open for the lock's lifetime)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ArgumentError(
                f"--out {target} is being written by another seedmodel process; run again "
                "when it has finished"
            ) from None
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        handle.close()


def write_set(folder: str | Path, fill: Callable[[Path], None], owned: Iterable[str]) -> None:
    """Replace the set of files ``owned`` in ``folder`` by what ``fill(tmp)`` writes, as a
    whole.

    Parameters
    ----------
    folder : str or Path
        Target folder (created when missing).
    fill : callable
        Writes the new set into the folder it is given; if it raises, nothing changes.
    owned : iterable of str
        File names this command writes: old copies are removed even when the new set does
        not hold them. Other files in ``folder`` are kept.
    """
    folder = Path(folder).resolve()  # a symlinked folder: replace its target, keep the link
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's 0700 would become the folder's mode
    try:
        fill(tmp)
        if not folder.exists():
            os.replace(tmp, folder)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        os.replace(folder, old / "set")
        os.replace(tmp, folder)
        owned = set(owned)
        for item in sorted((old / "set").iterdir()):
            if item.name not in owned and not (folder / item.name).exists():
                os.replace(item, folder / item.name)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(path: str | Path, write: Callable[[Path], None]) -> Path:
    """``write(tmp)`` then rename onto ``path``: the file appears complete or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def json_text(
    obj: object, digits: int = FLOAT_DIGITS, default: Callable[[object], object] | None = None
) -> str:
    """``obj`` as indented JSON, floats to ``digits`` significant digits, ending in a newline.

    Floats go out as the CSV files write them (``%.6g``): a sum whose order numpy changes
    with memory alignment moves only the 16th digit, and that digit must not make two
    same-seed runs' files differ. Non-finite floats stay ``NaN``/``Infinity``. ``default``
    is :func:`json.dumps`'s, for objects JSON does not know.

    Examples
    --------
    >>> print(json_text({"roi": 2.0000000000000004, "n": 3, "lo": [0.1234567891]}), end="")
    {
      "roi": 2.0,
      "n": 3,
      "lo": [
        0.123457
      ]
    }
    """
    import json
    import math

    def rounded(value: object) -> object:
        if isinstance(value, float) and math.isfinite(value):
            return float(f"{value:.{digits}g}")
        if isinstance(value, dict):
            return {key: rounded(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [rounded(item) for item in value]
        return value

    return json.dumps(rounded(obj), indent=2, default=default) + "\n"
