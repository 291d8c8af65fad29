"""Hostile and careless input after the loader: names with markup, math-text and control
characters; impossible arguments; degenerate data; output paths that cannot be written.

Each case either works or is refused before any work with one line naming what is wrong
(exit 2 on the command line, ``ValueError`` / ``TypeError`` in the API); never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_main

import seedmodel as sm
from seedmodel.report import build_report
from seedmodel.report.sections.plan import plan_section
from seedmodel.report.sections.roi import roi_section

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


# ---------------------------------------------------------------------------------------
# the command line, in process: every refusal is exit 2 with one line and no output


def refused(capsys, *args: object, says: str = "") -> str:
    code, err = run_main(capsys, *args)
    assert code == 2, err
    assert err.startswith("seedmodel: bad input:") and err.strip().count("\n") == 0, err
    assert says.lower() in err.lower(), err
    return err


@pytest.fixture(scope="module")
def short_dir(tmp_path_factory) -> Path:
    """A valid 60-day dataset: loads, too short for a fit."""
    folder = tmp_path_factory.mktemp("short")
    sm.simulate(sm.WorldConfig(n_brands=1, days=60), random_seed=2).write(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_dir(short_dir, tmp_path_factory) -> Path:
    """The first 30 days of ``short_dir``: loads, too short for the link analysis."""
    folder = tmp_path_factory.mktemp("tiny")
    first = sorted(set(pd.read_csv(short_dir / "sales.csv", dtype=str)["date"]))[:30]
    for path in short_dir.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "date" in frame:
            frame = frame[frame["date"].isin(first)]
        if path.name != "lift_tests.csv" and len(frame):
            frame.to_csv(folder / path.name, index=False)
    return folder


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["simulate", "{tmp}/w", "--days", "0"], "--days"),
        (["simulate", "{tmp}/w", "--days", "10"], "must be >= 60"),
        (["simulate", "{tmp}/w", "--days", "abc"], "not a whole number"),
        (["simulate", "{tmp}/w", "--brands", "0"], "--brands"),
        (["simulate", "{tmp}/w", "--seed", "-1"], "--seed"),
        (["simulate", "{tmp}/w", "--freq", "M"], "--freq"),
        (["fit", "{data}", "--out", "{tmp}/f", "--draws", "0"], "--draws"),
        (["fit", "{data}", "--out", "{tmp}/f", "--chains", "0"], "--chains"),
        (["fit", "{data}", "--out", "{tmp}/f", "--tune", "-1"], "--tune"),
        (["fit", "{data}", "--out", "{tmp}/f", "--start", "nope"], "not a date"),
        (["fit", "{data}", "--out", "{tmp}/f", "--start", "1999-01-01"], "outside the data"),
        (["fit", "{data}", "--out", "{tmp}/f", "--end", "2099-01-01"], "outside the data"),
        (
            ["fit", "{data}", "--out", "{tmp}/f", "--start", "2025-06-01", "--end", "2025-05-01"],
            "ends before it starts",
        ),
        (["fit", "{data}", "--out", "{tmp}/f", "--likelihood", "poisson"], "--likelihood"),
        (["fit", "{short}", "--out", "{tmp}/f"], "needs at least 90 days"),
        (["fit", "{data}", "--out", "{file}"], "is a file"),
        (["fit", "{data}", "--out", "{file}/sub"], "is a file, not a folder"),
        (["fit", "{tmp}/nowhere", "--out", "{tmp}/f"], "no dataset folder"),
        (["link", "{data}", "--out", "{tmp}/l", "--max-lag", "-1"], "--max-lag"),
        (["link", "{tiny}", "--out", "{tmp}/l"], "needs at least 56 days"),
        (["report", "{data}", "--out", "{tmp}"], "is a folder"),
        (["report", "{data}", "--out", "{file}/r.html"], "is a file, not a folder"),
        (["optimize", "{tmp}", "--budget", "1e6", "--out", "{tmp}/p.csv"], "no fit.nc"),
        (["optimize", "{fit}", "--budget", "0", "--out", "{tmp}/p.csv"], "--budget"),
        (["optimize", "{fit}", "--budget", "-5", "--out", "{tmp}/p.csv"], "--budget"),
        (["optimize", "{fit}", "--budget", "inf", "--out", "{tmp}/p.csv"], "finite"),
        (["optimize", "{fit}", "--budget", "nan", "--out", "{tmp}/p.csv"], "finite"),
        (["optimize", "{fit}", "--budget", "1e6", "--days", "0", "--out", "{tmp}/p.csv"], "--days"),
        (["optimize", "{fit}", "--budget", "1e6", "--days", "-5", "--out", "{tmp}/p.csv"], "days"),
        (["optimize", "{fit}", "--budget", "1e6", "--days", "2.5", "--out", "{tmp}/p.csv"], "days"),
        (
            ["optimize", "{fit}", "--budget", "1e6", "--alpha", "1.5", "--out", "{tmp}/p.csv"],
            "alpha",
        ),
        (
            [
                "optimize",
                "{fit}",
                "--budget",
                "1e6",
                "--max-change",
                "-0.1",
                "--out",
                "{tmp}/p.csv",
            ],
            "--max-change",
        ),
        (
            ["optimize", "{fit}", "--budget", "1e6", "--off", "nope", "--out", "{tmp}/p.csv"],
            "unknown channel 'nope'",
        ),
        (
            [
                "optimize",
                "{fit}",
                "--budget",
                "1e6",
                "--out",
                "{tmp}/p.csv",
                "--off",
                "little_red_star",
                "--off",
                "red_cat",
                "--off",
                "red_jd",
            ],
            "nothing to plan",
        ),
        (["optimize", "{fit}", "--budget", "1e6", "--out", "{tmp}"], "is a folder"),
        (["nonsense"], "invalid choice"),
        (["fit", "{data}"], "--out"),
    ],
)
def test_cli_refuses_in_one_line_before_any_work(
    capsys, tmp_path, args, says, small_dir, short_dir, tiny_dir, small_fit_dir
):
    afile = tmp_path / "a_file"
    afile.write_text("x")
    where = {
        "tmp": tmp_path,
        "data": small_dir,
        "short": short_dir,
        "tiny": tiny_dir,
        "fit": small_fit_dir,
        "file": afile,
    }
    before = sorted(p.name for p in tmp_path.iterdir())
    refused(capsys, *[a.format(**where) for a in args], says=says)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_report_on_short_data_leaves_the_link_analysis_out(capsys, tiny_dir, tmp_path):
    code, err = run_main(capsys, "report", tiny_dir, "--out", tmp_path / "r.html")
    assert code == 0, err
    assert "too few for the engagement" in err
    assert "Engagement → GMV" not in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_internal_error_is_one_line_and_debug_shows_the_trace(capsys, small_dir, monkeypatch):
    link_pkg = sys.modules["seedmodel.linkage"]

    def boom(*args, **kwargs):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(link_pkg, "link", boom)
    code, err = run_main(capsys, "link", small_dir, "--out", "/tmp/never-written")
    assert code == 1 and err.strip().count("\n") == 0
    assert "internal error: RuntimeError: something broke" in err and "--debug" in err
    with pytest.raises(RuntimeError):
        run_main(capsys, "--debug", "link", small_dir, "--out", "/tmp/never-written")


def test_a_second_writer_of_the_same_out_is_refused(capsys, small_dir, tmp_path):
    from seedmodel.outputs import writer_lock

    out = tmp_path / "r.html"
    with writer_lock(out):
        refused(capsys, "report", small_dir, "--out", out, says="another seedmodel process")
    assert not out.exists()
    code, _ = run_main(capsys, "report", small_dir, "--out", out)  # the lock died with its holder
    assert code == 0 and out.is_file()


# ---------------------------------------------------------------------------------------
# files the loader meets


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Brand\nTwo", "control character"),
        ("Brand\tTab", "control character"),
        ("Bell\x07", "control character"),
        ("x" * 201, "longer than 200"),
    ],
)
def test_names_that_break_a_log_line_are_refused(capsys, data_dir, name, says):
    rename_brands(data_dir, {"LumaBeauty": name})
    err = refused(capsys, "link", data_dir, "--out", data_dir / "out", says=says)
    assert "column 'brand'" in err


ODD_NAMES = ["x" * 200, "../../etc/passwd", "小红书品牌🌸", "A/B\\C", "  padded  ", "#1'; DROP--"]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_but_printable_names_load_as_typed(data_dir, name):
    rename_brands(data_dir, {"LumaBeauty": name})
    assert name.strip() in sm.load(data_dir).brand_names or name in sm.load(data_dir).brand_names


def test_a_folder_named_like_a_table_is_refused(capsys, data_dir):
    (data_dir / "events.csv").unlink(missing_ok=True)
    (data_dir / "events.csv").mkdir()
    refused(capsys, "link", data_dir, "--out", data_dir / "o", says="events.csv")


def test_a_column_named_twice_is_refused(capsys, data_dir):
    path = data_dir / "media.csv"
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace("impressions", "spend")
    path.write_text("\n".join(lines) + "\n")
    refused(capsys, "link", data_dir, "--out", data_dir / "o", says="column 'spend'")


def test_a_ragged_row_is_refused_in_one_line(capsys, data_dir):
    path = data_dir / "sales.csv"
    lines = path.read_text().splitlines()
    lines[5] += ",1,2,3"
    path.write_text("\n".join(lines) + "\n")
    refused(capsys, "link", data_dir, "--out", data_dir / "o", says="line 6")


def test_an_unreadable_file_is_refused(data_dir, monkeypatch):
    real = Path.read_bytes

    def deny(self):
        if self.name == "media.csv":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(sm.DataError, match="cannot be read"):
        sm.load(data_dir)


# ---------------------------------------------------------------------------------------
# outputs


def test_simulate_replaces_an_earlier_world_as_a_whole(capsys, tmp_path):
    out = tmp_path / "w"
    assert (
        run_main(capsys, "simulate", out, "--seed", "3", "--brands", "1", "--days", "120")[0] == 0
    )
    (out / "lift_tests.csv").write_text("stale")
    (out / "my_notes.txt").write_text("mine")
    assert run_main(capsys, "simulate", out, "--seed", "4", "--brands", "1", "--days", "90")[0] == 0
    assert not (out / "lift_tests.csv").exists()  # not part of the new world
    assert (out / "my_notes.txt").read_text() == "mine"  # not ours to remove
    assert len(sm.load(out).dates) == 90


def test_simulate_with_lift_tests_writes_what_it_can_load(capsys, tmp_path):
    out = tmp_path / "w"
    code, err = run_main(
        capsys, "simulate", out, "--brands", "1", "--days", "120", "--lift-tests", "--seed", "1"
    )
    assert code == 0, err
    data = sm.load(out)
    assert len(data.lift_tests) == 1


def test_a_failed_write_leaves_the_earlier_set_whole(tmp_path):
    from seedmodel.outputs import write_set

    out = tmp_path / "fit"
    write_set(out, lambda d: [(d / n).write_text("old") for n in ("roi.csv", "fit.nc")], ["x"])

    def half(d):
        (d / "roi.csv").write_text("new")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_set(out, half, owned=["roi.csv", "fit.nc"])
    assert {p.name: p.read_text() for p in out.iterdir()} == {"roi.csv": "old", "fit.nc": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit"]  # no temporary left


def test_json_outputs_do_not_carry_a_summation_orders_last_digit():
    """Same-seed runs once wrote checks.json files that differed in the 16th digit (a sum
    whose order numpy changes with memory alignment); JSON floats go out as the CSVs do."""
    import json

    import numpy as np

    from seedmodel.outputs import json_text

    x = np.random.default_rng(0).normal(size=1001)
    forward, backward = float(np.sum(x)), float(sum(x[::-1].tolist()))
    assert forward != backward  # the wobble exists at full precision
    for a, b in [(forward, backward), (0.1 + 0.2, 0.3), (1e-9 * (0.1 + 0.2), 3e-10)]:
        assert json_text({"v": [a], "n": {"x": a}}) == json_text({"v": [b], "n": {"x": b}})
    back = json.loads(json_text({"nan": float("nan"), "i": 7, "s": "小红星", "b": True}))
    assert np.isnan(back["nan"]) and back["i"] == 7 and back["s"] == "小红星" and back["b"]
    with pytest.raises(TypeError):
        json_text({"d": object()})


# ---------------------------------------------------------------------------------------
# the API


def test_api_refuses_impossible_plans(small_fit):
    _, fit = small_fit
    for kwargs, error, says in [
        (dict(budget=float("inf")), ValueError, "budget"),
        (dict(budget=1e6, off="little_red_star"), TypeError, "write ['little_red_star']"),
        (dict(budget=1e6, off=["nope"]), ValueError, "unknown channel 'nope'"),
        (dict(budget=1e6, off=[("Nobody", "red_cat")]), ValueError, "unknown brand"),
        (dict(budget=1e6, days=2.5), ValueError, "whole number"),
        (dict(budget=1e6, days=0), ValueError, "days"),
        (dict(budget=1e6, bounds={"nope": (0, 1)}), ValueError, "bounds"),
        (dict(budget=1e6, alpha=0.0, objective="cvar"), ValueError, "alpha"),
    ]:
        with pytest.raises(error, match=re.escape(says)):
            sm.allocate(fit, **kwargs)


def test_api_refuses_a_dataframe_and_a_window_outside_the_data(small_fit):
    sim, fit = small_fit
    with pytest.raises(TypeError, match=r"sm\.from_frames"):
        sm.SeedingMMM().fit(sim.data.media)
    with pytest.raises(ValueError, match="outside the data"):
        sm.roi(fit, window=("1999-01-01", None))
    with pytest.raises(ValueError, match="not a date"):
        sm.roi(fit, window=("soon", None))


# ---------------------------------------------------------------------------------------
# saved fits say which format they are in


def test_spec_from_a_dict_takes_todays_defaults_unless_saved_in_format_1():
    assert sm.SeedingMMM.from_dict({}) == sm.SeedingMMM()
    old = sm.SeedingMMM.from_dict({}, format=1)
    assert (old.knot_days, old.residual, old.trend, old.budget_reaction) == (
        14,
        "iid",
        "quadratic",
        "none",
    )
    assert sm.SeedingMMM.from_dict({"shocks": "weekly"}).shocks == "weekly"
    # formats 2 and 3 wrote every option they had; terms_scale came with format 4
    for fmt in (1, 2, 3):
        assert sm.SeedingMMM.from_dict({}, format=fmt).terms_scale == "baseline"
    # brand_spreads came with format 11: every fit before it learnt the brands' spreads
    # (and learnt_spread_brands with 12, meaning 3 before it)
    # (and demand_fast with 13, meaning "none" before it)
    pooled = {
        "share_pooling": "brands",
        "brand_spreads": "learnt",
        "learnt_spread_brands": 3,
        "demand_fast": "none",
    }
    assert sm.SeedingMMM.from_dict({}, format=3) == sm.SeedingMMM(
        terms_scale="baseline", lift_transport=0.0, effects="noncentred", **pooled
    )
    # lift_transport came with format 5: a format-4 fit took each lift test at face value
    assert sm.SeedingMMM.from_dict({}, format=4) == sm.SeedingMMM(
        lift_transport=0.0, effects="noncentred", **pooled
    )
    # effects came with format 7: every fit before it sampled the brands' effects as offsets
    assert sm.SeedingMMM.from_dict({}, format=6) == sm.SeedingMMM(effects="noncentred", **pooled)
    # share_pooling came with format 8: every fit before it pooled the shares across brands
    assert sm.SeedingMMM.from_dict({}, format=7) == sm.SeedingMMM(**pooled)
    assert sm.SeedingMMM.from_dict(sm.SeedingMMM().to_dict()).share_pooling == "none"
    assert sm.SeedingMMM.from_dict({}, format=10) == sm.SeedingMMM(
        brand_spreads="learnt", learnt_spread_brands=3, demand_fast="none"
    )
    assert sm.SeedingMMM.from_dict({}, format=11) == sm.SeedingMMM(
        learnt_spread_brands=3, demand_fast="none"
    )
    assert sm.SeedingMMM.from_dict({}, format=12) == sm.SeedingMMM(demand_fast="none")
    assert sm.SeedingMMM.from_dict({}).demand_fast == "control"
    assert sm.SeedingMMM().lift_transport == 0.3
    with pytest.raises(ValueError, match="unknown to this seedmodel"):
        sm.SeedingMMM.from_dict({"warp_drive": True})
    with pytest.raises(ValueError, match="newer seedmodel"):
        sm.SeedingMMM.from_dict({}, format=99)


def xr_attrs(path: Path) -> dict:
    import xarray as xr

    return dict(xr.open_datatree(path, engine="h5netcdf").attrs)


def _rewrite_attrs(src: Path, dst: Path, drop: tuple[str, ...] = (), **attrs: object) -> None:
    import xarray as xr

    tree = xr.open_datatree(src, engine="h5netcdf").load()
    tree.attrs.update(attrs)
    for name in drop:
        tree.attrs.pop(name, None)
    tree.to_netcdf(dst, engine="h5netcdf")


def test_fit_files_are_read_by_their_format(small_fit, small_fit_dir, tmp_path, capsys):

    from seedmodel.fit import load_fit

    src = small_fit_dir / "fit.nc"
    spec = small_fit[1].spec.to_dict()
    del spec["trend"]
    recorded_later = ("priors", "inputs_fingerprint")  # a format-1 file has neither
    _rewrite_attrs(
        src, tmp_path / "old.nc", recorded_later, seedmodel_format=1, spec=json.dumps(spec)
    )
    old = load_fit(tmp_path / "old.nc")
    assert old.spec.trend == "quadratic"  # as fitted back then
    assert old.config == small_fit[1].config and old.config.draws == 300
    _rewrite_attrs(tmp_path / "old.nc", tmp_path / "older.nc", ("sampler_config",))
    assert load_fit(tmp_path / "older.nc").config is None  # not recorded then
    # a fit this version would not reproduce is refused, naming the version that wrote it
    priors = json.loads(xr_attrs(src)["priors"])
    priors["sigma"] = {"dist": "HalfNormal", "sigma": 0.5}
    _rewrite_attrs(src, tmp_path / "p.nc", priors=json.dumps(priors), seedmodel_version="0.0.9")
    with pytest.raises(sm.DataError, match=r"fitted by seedmodel 0\.0\.9 with priors .*sigma"):
        load_fit(tmp_path / "p.nc")
    inputs = json.loads(xr_attrs(src)["inputs_fingerprint"])
    inputs["controls"][1] *= 1.01  # as if the calendar had changed
    _rewrite_attrs(src, tmp_path / "i.nc", inputs_fingerprint=json.dumps(inputs))
    with pytest.raises(sm.DataError, match=r"builds differently from the same data \(controls\)"):
        load_fit(tmp_path / "i.nc")
    newer = tmp_path / "newer"
    newer.mkdir()
    _rewrite_attrs(src, newer / "fit.nc", seedmodel_format=99, seedmodel_version="9.0")
    with pytest.raises(sm.DataError, match="upgrade seedmodel"):
        load_fit(newer / "fit.nc")
    refused(capsys, "optimize", newer, "--budget", "1e6", "--out", tmp_path / "p.csv",
            says="fit format 99")  # fmt: skip
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "fit.nc").write_text("not a fit")
    refused(capsys, "report", junk, "--out", tmp_path / "r.html", says="not a readable")


def test_chinese_names_are_drawn_with_a_cjk_font_when_one_is_installed():
    import warnings as w

    from matplotlib import rc_context
    from matplotlib.font_manager import fontManager

    from seedmodel.report.canvas import LITERAL_TEXT, subplots
    from seedmodel.report.html import figure_html

    cjk = [f for f in LITERAL_TEXT["font.family"] if f in {x.name for x in fontManager.ttflist}]
    if len(cjk) < 2:  # DejaVu Sans alone: this machine has no CJK font
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    with rc_context(LITERAL_TEXT):
        fig, ax = subplots(figsize=(3, 2))
        ax.set_title("花西子 · 小红星 $x$")
    with w.catch_warnings():
        w.simplefilter("error")  # a missing glyph warns
        assert "<img" in figure_html(fig, "t")
