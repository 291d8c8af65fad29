"""The HTML report: self-contained, figures embedded, written all-or-nothing."""

from __future__ import annotations

import base64
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli

from seedmodel.report import build_report, write_report

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def page(small_sim) -> str:
    return build_report(small_sim.data, source="test")


def test_report_is_self_contained_with_valid_figures(page, small_sim):
    assert page.startswith("<!DOCTYPE html>")
    images = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(images) == len(small_sim.data.brand_names)
    for src in images:
        assert src.startswith("data:image/png;base64,")
        raw = base64.b64decode(src.split(",", 1)[1])
        assert raw[:8] == PNG_MAGIC and len(raw) > 20_000
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from outside


def test_report_holds_overview_and_quality_summary(page, small_sim):
    for title in ("Data quality", "Channels at a glance", "Spend, engagement and GMV over time"):
        assert title in page
    assert "2025-04-01 .. 2025-08-28" in page
    for brand in small_sim.data.brand_names:
        assert f"<h3>{brand}</h3>" in page
    assert "red_cat" in page and "2025-05-07" in page  # first live day of 红猫


def test_cli_simulate_then_report(tmp_path):
    world, out = tmp_path / "w", tmp_path / "r.html"
    for args in (
        ["simulate", str(world), "--seed", "3", "--brands", "2", "--days", "120"],
        ["report", str(world), "--out", str(out)],
    ):
        proc = run_cli(*args)
        assert proc.returncode == 0, proc.stderr
    assert (world / "truth.json").is_file() and out.stat().st_size > 50_000
    page = out.read_text(encoding="utf-8")
    assert "Engagement → GMV: what survives adjustment" in page
    assert "robustness value" in page and "lag profile" in page and "link.csv" in page


def test_report_not_written_half_way(small_sim, tmp_path, monkeypatch):
    out = tmp_path / "r.html"
    out.write_text("old report")

    def boom(*args, **kwargs):
        raise RuntimeError("figure failed")

    monkeypatch.setattr("seedmodel.report.build_report", boom)
    with pytest.raises(RuntimeError):
        write_report(small_sim.data, out)
    assert out.read_text() == "old report"
    assert list(tmp_path.iterdir()) == [out]


def test_help_lists_commands():
    proc = run_cli("--help")
    assert proc.returncode == 0, proc.stderr
    for command in ("simulate", "report"):
        assert command in proc.stdout


@pytest.mark.browser
def test_report_renders_in_headless_chromium(page, tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    from screenshot_report import find_chromium, screenshot

    if find_chromium() is None:
        pytest.fail("the browser check needs chromium: apt-get install chromium")
    html = tmp_path / "r.html"
    html.write_text(page, encoding="utf-8")
    png = screenshot(html, tmp_path / "shot.png", height=2400)
    import matplotlib.image as mpimg

    img = mpimg.imread(png)
    assert img.shape[0] >= 2000 and img.shape[1] >= 1000
    # rendered figures: many distinct colours, not a blank page
    assert np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0).shape[0] > 50
