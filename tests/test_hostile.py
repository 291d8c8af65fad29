"""Hostile and careless input after the loader: names with markup, math-text and control
characters; impossible arguments; degenerate data; output paths that cannot be written.

Each case either works or is refused before any work with one line naming what is wrong
(exit 2 on the command line, ``ValueError`` / ``TypeError`` in the API); never a traceback.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

import seedmodel as sm
from seedmodel.report import build_report
from seedmodel.report.plan_section import plan_section
from seedmodel.report.roi_section import roi_section

SCRIPT = "<script>alert(1)</script>"
MATH = r"$\frac{1}{0}$ & <b>bold</b> 'q' \"dq\""
HOSTILE_BRANDS = (SCRIPT, MATH)


def rename_brands(folder: Path, names: dict[str, str]) -> None:
    """Rename brands in every table of a contract folder."""
    for path in folder.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "brand" in frame:
            frame["brand"] = frame["brand"].replace(names)
            frame.to_csv(path, index=False)


def _no_live_markup(page: str) -> None:
    assert "<script" not in page.lower()
    assert "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.fixture(scope="module")
def hostile_data(small_sim, tmp_path_factory) -> sm.Dataset:
    folder = tmp_path_factory.mktemp("hostile")
    small_sim.write(folder)
    rename_brands(folder, dict(zip(small_sim.data.brand_names, HOSTILE_BRANDS, strict=True)))
    return sm.load(folder)


def test_hostile_brand_names_load_as_typed(hostile_data):
    assert set(hostile_data.brand_names) == set(HOSTILE_BRANDS)


def test_data_report_escapes_brand_names_and_draws_them_literally(hostile_data):
    page = build_report(hostile_data, source=f"{SCRIPT}/data")
    _no_live_markup(page)
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # source, heading, table
    assert len(re.findall(r"<img ", page)) == 2  # the math-text brand drew its figure


def test_fit_sections_escape_brand_names(small_fit):
    _, fit = small_fit
    table = sm.roi(fit).assign(brand=SCRIPT)
    section = roi_section(table, fit.diagnostics)
    _no_live_markup(str(section.body))
    plan = sm.allocate(sm.plan_response(fit, 30), 300_000.0)
    plan = dataclasses.replace(plan, table=plan.table.assign(brand=MATH))
    curves = sm.response_curves(sm.plan_response(fit, 30)).assign(brand=MATH)
    body = str(plan_section(plan, curves).body)
    assert "<b>bold</b>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body
