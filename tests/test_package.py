"""The package itself: light to import, no side effects, names where users look."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pymc", "pytensor", "arviz", "jax", "matplotlib", "statsmodels", "nutpie", "scipy")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def test_import_and_help_do_not_load_the_heavy_stack():
    for code in ("import seedmodel", "import seedmodel.cli", "import seedmodel as sm; sm.load"):
        loaded = _modules_after(code)
        assert not loaded & set(HEAVY), (code, sorted(loaded & set(HEAVY)))


def test_public_names_resolve_and_link_stays_the_function():
    import seedmodel as sm

    for name in sm.__all__:
        assert getattr(sm, name) is not None, name
    import seedmodel.linkage.dlm

    assert callable(sm.link) and callable(sm.roi) and callable(sm.contributions)


def test_no_module_is_shadowed_by_a_function_of_its_name():
    import importlib
    import pkgutil
    import types

    import seedmodel

    names = [m.name for m in pkgutil.walk_packages(seedmodel.__path__, "seedmodel.")]
    assert len(names) > 30
    for name in names:
        module = importlib.import_module(name)
        parent, _, last = name.rpartition(".")
        held = getattr(importlib.import_module(parent), last)
        assert isinstance(held, types.ModuleType) and held is module, name


def test_matplotlib_backend_is_not_chosen_by_importing_the_report():
    loaded = _modules_after("import seedmodel.report")
    assert "matplotlib" in loaded
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import matplotlib; import seedmodel.report; "
            "print(matplotlib.rcParams._get_backend_or_none())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == "None"  # the user's backend choice is left alone


def test_the_command_line_offers_the_report_languages():
    # repeated in the CLI so that --help does not import the report (matplotlib)
    from seedmodel.cli import LANGS
    from seedmodel.report.i18n import LANGS as REPORT_LANGS

    assert LANGS == REPORT_LANGS
