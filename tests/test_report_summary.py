"""The strategy report's first screen and languages: every number in the summary is a cell of
roi.csv / plan.csv (or the plan's summary, or the attribution feed), Chinese and English,
every chart's data downloadable, a fit that did not converge said first."""

from __future__ import annotations

import base64
import html
import io
import re

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli, run_main

import seedmodel as sm
from seedmodel.analysis.attribution import reconcile_attribution
from seedmodel.report.compose import fit_report, plan_from_table, report_plan
from seedmodel.report.i18n import catalogue, channel_name, money, percent, ratio, reason_text
from seedmodel.report.summary import numbers

RATIOS = {"roi", "roi_lo", "roi_hi", "incrementality", "incrementality_lo", "incrementality_hi"}
RATIOS |= {"placebo_roi", "placebo_roi_lo", "placebo_roi_hi", "recommended_mroi"}
PERCENTS = {"prob_roi_above_1", "prob_better", "mean_optimum_prob_better"}


@pytest.fixture(scope="module")
def parts(small_fit):
    _, fit = small_fit
    table = sm.roi(fit)
    plan = report_plan(fit, days=60)
    brand = fit.inputs.brands[0]
    # a failed placebo and trade-off on the first brand's 小红星, as checks.json holds them
    checks = {
        "passed": False,
        "warnings": ["placebo", "tradeoff"],
        "placebo": [
            {
                "brand": brand,
                "placebo_of": "little_red_star",
                "roi": 9.13,
                "roi_lo": 4.2,
                "roi_hi": 14.04,
                "passed": False,
            }
        ],
        "tradeoff": [{"brand": brand, "channel": "little_red_star", "corr": -0.9, "passed": False}],
    }
    pages = {lang: fit_report(fit, plan=plan, lang=lang, checks=checks) for lang in ("en", "zh")}
    return fit, table, plan, pages, checks


def _shown(col: str, value: float, lang: str) -> str:
    if col == "roi_widening":
        return f"{value:.1f}"
    if col in RATIOS:
        return ratio(value)
    if col in PERCENTS:
        return percent(value)
    return money(value, lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_summary_number_is_a_table_cell(parts, lang):
    fit, table, plan, pages, checks = parts
    found = numbers(pages[lang])
    assert len(found) >= 4 * len(table[table["spend"] > 0])  # roi, lo, hi, prob per channel
    rows = table.set_index(["brand", "channel"])
    attribution = reconcile_attribution(fit.data, table)
    plan_rows = plan["plan"].table.set_index(["brand", "channel"])
    sources = set()
    for n in found:
        sources.add(n["src"])
        if n["src"] == "roi.csv":
            expected = rows.loc[tuple(n["row"].split("|")), n["col"]]
        elif n["src"] == "plan":
            expected = plan["plan"].summary[n["col"]]
        elif n["src"] == "attribution":
            cells = attribution.set_index(["brand", "channel"]).loc[[tuple(n["row"].split("|"))]]
            if n["col"].startswith("incrementality"):
                suffix = n["col"].removeprefix("incrementality")
                expected = cells[f"incremental_gmv{suffix}"].sum() / cells["attributed_gmv"].sum()
            else:
                expected = cells[n["col"]].sum()
        elif n["src"] == "checks.json":  # a failed placebo on this channel's pattern
            brand, channel = n["row"].split("|")
            (placebo,) = [
                t for t in checks["placebo"] if t["brand"] == brand and t["placebo_of"] == channel
            ]
            expected = placebo[n["col"].removeprefix("placebo_")]
        elif n["col"] == "recommended_mroi":  # plan.csv: where the next yuan earns most
            expected = plan_rows.loc[tuple(n["row"].split("|")), "recommended_mroi"]
        else:  # plan.csv: the spend moved between (or into / out of) cells
            assert n["src"] == "plan.csv" and n["col"] in ("moved", "cut", "added")
            brand, cells = n["row"].split("|")
            change = plan_rows["recommended_spend"] - plan_rows["current_spend"]
            moved = [abs(change[(brand, c)]) for c in cells.split(">")]
            expected = min(moved)  # a pair's smaller change, or one cell's own
        assert n["value"] == pytest.approx(float(expected), rel=1e-9, abs=1e-9), n
        assert n["shown"] == _shown(n["col"], n["value"], lang), n
    assert {"roi.csv", "plan", "attribution", "checks.json"} <= sources
    assert sum(n["col"] == "recommended_mroi" for n in found) == 2  # best and worst next yuan


@pytest.mark.parametrize(
    ("lang", "months", "prior"),
    [
        ("en", "wider than the model", "data say little about these channels"),
        ("zh", "在模型自身区间的基础上放宽", "较依赖模型的初始假设（渠道常见回报及其可能偏离幅度"),
    ],
)
def test_a_widened_interval_is_named_with_its_factor_and_its_reason(parts, lang, months, prior):
    fit, table, plan, _, _ = parts
    wide = table.assign(roi_widening=1.0, roi_widening_months=1.0, roi_widening_prior=1.0)
    first, second, third = wide.index[:3]
    wide.loc[first, ["roi_widening", "roi_widening_months"]] = 1.63  # a few months
    wide.loc[second, "roi_widening"] = 1.2  # below the threshold: not named
    # the prior's centre adds more than the months do
    wide.loc[third, ["roi_widening", "roi_widening_months", "roi_widening_prior"]] = 1.5, 1.1, 1.45
    page = fit_report(fit, roi_table=wide, plan=plan, lang=lang)
    assert page.count(months) == 1 and page.count(prior) == 1
    named = {n["row"]: n for n in numbers(page) if n["col"] == "roi_widening"}
    rows = [f"{wide['brand'][i]}|{wide['channel'][i]}" for i in (first, third)]
    assert sorted(named) == sorted(rows)
    assert named[rows[0]]["shown"] == "1.6" and named[rows[0]]["value"] == pytest.approx(1.63)
    assert named[rows[1]]["shown"] == "1.5"
    # each channel in the sentence of its own reason
    at_prior = page.index(prior)
    assert page.index(f'data-row="{rows[1]}" data-col="roi_widening"') > at_prior
    assert page.index(f'data-row="{rows[0]}" data-col="roi_widening"') < at_prior


@pytest.mark.parametrize(
    ("lang", "column", "says", "cells_first"),
    [
        ("en", "roi_widening_brands", "were fitted together and pull on each other", False),
        ("zh", "roi_widening_brands", "彼此的结果相互牵动", True),
        ("en", "roi_widening_ridge", "The data cannot tell these channels", False),
        ("zh", "roi_widening_ridge", "难以区分", False),
    ],
)
def test_an_interval_the_other_brands_or_the_ridge_widened_is_named_under_that_reason(
    parts, lang, column, says, cells_first
):
    fit, table, plan, _, _ = parts
    wide = table.assign(roi_widening=1.0, roi_widening_months=1.0, roi_widening_prior=1.0)
    wide = wide.assign(roi_widening_brands=1.0, roi_widening_ridge=1.0)
    first = wide.index[0]
    parts_of = ["roi_widening", "roi_widening_months", "roi_widening_prior", column]
    wide.loc[first, parts_of] = 1.7, 1.2, 1.1, 1.6  # this reason adds most
    page = fit_report(fit, roi_table=wide, plan=plan, lang=lang)
    assert page.count(says) == 1
    row = f"{wide['brand'][first]}|{wide['channel'][first]}"
    at_cell = page.index(f'data-row="{row}" data-col="roi_widening"')
    assert (at_cell < page.index(says)) == cells_first


@pytest.fixture(scope="module")
def moving_plan(parts) -> dict:
    """A plan that moves money (the report's own keeps this fit's split)."""
    fit = parts[0]
    chosen = sm.allocate(fit, 2_000_000, days=45)
    return plan_from_table(fit, chosen.table.assign(days=45, budget=2_000_000))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_plan_that_adds_to_a_channel_the_ridge_widened_says_to_test_it_first(
    parts, moving_plan, lang
):
    fit, table, _, _, _ = parts
    plan = moving_plan
    rows = plan["plan"].table[plan["plan"].table["brand"] == fit.inputs.brands[0]]
    change = rows["recommended_spend"] - rows["current_spend"]
    added = rows.loc[change.idxmax(), "channel"]
    assert change.max() > 0.05 * rows["current_spend"].sum()  # the plan adds to it
    caution = catalogue()["move_ridge"][lang].split("{channel}")[0]
    wide = table.assign(roi_widening=1.0, roi_widening_ridge=1.0)
    assert caution not in fit_report(fit, roi_table=wide, plan=plan, lang=lang)
    if change.min() <= 0.05 * rows["current_spend"].sum():  # a channel the plan does not add to
        cut = rows.loc[change.idxmin(), "channel"]
        at_cut = (wide["brand"] == fit.inputs.brands[0]) & (wide["channel"] == cut)
        wide.loc[at_cut, ["roi_widening", "roi_widening_ridge"]] = 1.7, 1.6
        assert caution not in fit_report(fit, roi_table=wide, plan=plan, lang=lang)
    at_added = (wide["brand"] == fit.inputs.brands[0]) & (wide["channel"] == added)
    wide.loc[at_added, ["roi_widening", "roi_widening_ridge"]] = 1.7, 1.6
    page = fit_report(fit, roi_table=wide, plan=plan, lang=lang)
    assert page.count(caution) == 1
    said = page[page.index(caution) :]
    assert said.index(channel_name(added, lang)) < said.index("</li>")


def test_summary_comes_first_and_says_when_the_fit_did_not_converge(parts):
    fit, _, _, pages, _ = parts
    assert not fit.diagnostics.converged  # the shared quick fit: 300 draws
    for lang, page in pages.items():
        body = page[page.index("<section") :]
        assert body.index('id="summary"') < body.index('id="roi"') < body.index('id="plan"')
        warning = catalogue()["not_converged_first"][lang].split("(")[0].split("（")[0]
        first_warn = re.search(r'<p class="warn"><b>(.*?)</b>', body).group(1)
        assert first_warn.startswith(warning)
        # why, in the page's language: English is diagnostics.json's own reason
        assert html.escape(reason_text(fit.diagnostics, lang), quote=False) in first_warn
        # the diagnostics table under the ROI: the page's language, no raw field names
        diag = body[body.index(catalogue()["diag_title"][lang]) :]
        assert catalogue()["col_max_rhat"][lang] in diag and "max_rhat" not in diag
        assert catalogue()["col_stopped"][lang] in diag or "stopped" not in diag
        assert ">False<" not in diag and ">True<" not in diag
    assert reason_text(fit.diagnostics, "en") == fit.diagnostics.reason
    assert not re.search(r"[a-z]{4,}", reason_text(fit.diagnostics, "zh").replace("bulk", ""))


def test_every_reason_for_not_converging_has_its_chinese_words():
    from seedmodel.inference.diagnostics import REASONS, Diagnostics

    # the catalogue's English is diagnostics.json's own; Chinese has the same fields
    assert {k: catalogue()[f"reason_{k}"]["en"] for k in REASONS} == REASONS

    def diag(reason: str, **kw) -> Diagnostics:
        base = dict(max_rhat=1.0, min_ess_bulk=500.0, divergences=0, chains=2, sampler="nutpie")
        return Diagnostics(**{**base, **kw}, converged=False, draws=400, seconds=9, reason=reason)

    why = "max R-hat 1.050 > 1.01; min bulk ESS 120 < 400; 3 divergent transitions; "
    d = diag(why + "the time budget ran out first", max_rhat=1.05, min_ess_bulk=120.0,
             divergences=3, stopped="time budget")  # fmt: skip
    assert reason_text(d, "en") == d.reason
    assert reason_text(d, "zh") == (
        "最大 R-hat 1.050 > 1.01；最小有效样本量（bulk ESS）120 < 400；3 次发散转移；时间预算先用完"
    )
    one = diag("one chain: R-hat cannot be checked", chains=1)
    assert reason_text(one, "en") == one.reason and "一条链" in reason_text(one, "zh")
    nan = float("nan")
    approx = diag(
        "advi is an approximation, not MCMC", max_rhat=nan, min_ess_bulk=nan, sampler="advi"
    )
    assert reason_text(approx, "en") == approx.reason and "近似" in reason_text(approx, "zh")
    group = diag("group z (VitaWell) failed and is not in this report: boom", chains=1)
    assert reason_text(group, "zh") == group.reason  # a portfolio's reason, as it is


@pytest.fixture(scope="module")
def portfolio(small_sim):
    """A quick fit of two brands (its numbers are not the point) and its report pages."""
    import warnings

    from seedmodel.fit import NotConvergedWarning, fit_mmm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)
        fit = fit_mmm(small_sim.data, draws=100, tune=100, chains=2, random_seed=3)
    table = sm.roi(fit)
    pages = {lang: fit_report(fit, roi_table=table, lang=lang) for lang in ("en", "zh")}
    return fit, table, pages


def test_several_brands_get_a_portfolio_summary_then_a_section_each(portfolio):
    fit, table, pages = portfolio
    brands = list(fit.inputs.brands)
    assert len(brands) > 1
    for lang, page in pages.items():
        body = page[page.index("<section") :]
        starts = [body.index(f'id="brand-{i + 1}"') for i in range(len(brands))]
        assert body.index('id="summary"') < starts[0] < body.index('id="roi"')
        assert starts == sorted(starts)
        ends = [*starts[1:], body.index('id="roi"')]
        sections = [body[a:b] for a, b in zip(starts, ends, strict=True)]
        for brand, section in zip(brands, sections, strict=True):
            # the brand's own sentences and tables, and none of the others' ROI cells
            assert html.escape(brand) in section
            cells = {n["row"].split("|")[0] for n in numbers(section) if n["src"] == "roi.csv"}
            assert cells == {brand}
            assert 'download="roi_' in section and 'download="plan_' in section
        summary = body[: starts[0]]
        # the portfolio reads channels across brands: one sentence per shared channel, whose
        # numbers are the lowest and highest ROI of that channel
        across = catalogue()["across_brands"][lang].split("{")[1].split("}")[1][:6]
        shared = table[table["spend"] > 0].groupby("channel")["brand"].nunique()
        assert summary.count(across) == int((shared > 1).sum())
        for channel in shared[shared > 1].index:
            rois = table[(table["channel"] == channel) & (table["spend"] > 0)]["roi"]
            shown = {
                n["value"]
                for n in numbers(summary)
                if n["src"] == "roi.csv" and n["row"].endswith(f"|{channel}")
            }
            assert {rois.min(), rois.max()} <= shown
        assert summary.count("<table") == 1  # the channel x brand table


def test_chinese_report_names_programmes_and_money_in_wan(parts):
    _, _, _, pages, _ = parts
    zh, en = pages["zh"], pages["en"]
    assert '<html lang="zh">' in zh and '<html lang="en">' in en
    for word in ("小红星", "红猫", "红京", "摘要", "万元", "下季度预算"):
        assert word in zh
    for english in (
        "Incremental GMV and ROI by channel",
        "Next quarter's budget",
        "Summary",
        "date range",  # the data-quality table's words too
        "share of periods live",
    ):
        assert english not in zh
    assert "日期范围" in zh and "投放周期占比" in zh
    assert "Little Red Star" in en and "万元" not in en
    # ids stay in the downloadable data, never fen-precise yuan in the tables shown
    assert not re.search(r"\d{1,3}(,\d{3}){2,}\.\d\d<", zh + en)


def _downloads(page: str) -> dict[str, pd.DataFrame]:
    out = {}
    for name, data in re.findall(
        r'download="([^"]+)"[^>]*href="data:text/csv;charset=utf-8;base64,([^"]+)"', page
    ):
        raw = base64.b64decode(data).decode("utf-8-sig")
        out[name] = pd.read_csv(io.StringIO(raw))
    return out


def test_every_chart_and_table_can_be_downloaded_as_csv(parts):
    _, table, _, pages, _ = parts
    page = pages["zh"]
    files = _downloads(page)
    assert len(files) >= page.count("<img ")  # one table of numbers per chart, at least
    for name in ("roi.csv", "plan.csv", "contributions.csv", "response_curves.csv"):
        assert name in files and len(files[name]) > 0
    # the downloads carry ids and raw numbers, as roi.csv does
    got = files["roi.csv"].set_index(["brand", "channel"])["roi"]
    want = table.set_index(["brand", "channel"])["roi"]
    np.testing.assert_allclose(got.loc[want.index], want, rtol=1e-12)
    assert set(files["plan.csv"]["channel"]) <= {"little_red_star", "red_cat", "red_jd"}


def test_plan_of_optimize_is_the_plan_the_report_shows(small_fit):
    _, fit = small_fit
    chosen = sm.allocate(fit, 2_000_000, days=45)
    csv = chosen.table.assign(days=45, budget=2_000_000)
    again = plan_from_table(fit, csv)["plan"]
    np.testing.assert_allclose(
        again.table["recommended_spend"], chosen.table["recommended_spend"], rtol=1e-9
    )
    assert again.summary["budget"] == 2_000_000 and again.summary["days"] == 45
    # cells that add up to a little over the budget (the solver's tolerance, 0.5 yuan in
    # 900,000 once) are still the plan: this ended `report --plan` in an internal error
    over = csv.assign(recommended_spend=csv["recommended_spend"] * (1 + 4e-7))
    assert over["recommended_spend"].sum() > 2_000_000
    shown = plan_from_table(fit, over)["plan"].table["recommended_spend"]
    np.testing.assert_allclose(shown, over["recommended_spend"], rtol=1e-9)
    # plan.csv keeps six significant digits: its spends may add up to several yuan over the
    # budget (1 yuan over 900,000 ended `seedmodel report --plan` once); still the plan
    rounded = csv.assign(recommended_spend=csv["recommended_spend"] * (1 + 5e-6))
    assert rounded["recommended_spend"].sum() > 2_000_000 + 2 * 1e-6 * 2_000_000
    shown = plan_from_table(fit, rounded)["plan"].table["recommended_spend"]
    np.testing.assert_allclose(shown, rounded["recommended_spend"], rtol=1e-9)
    assert plan_from_table(fit, rounded)["plan"].summary["budget"] == 2_000_000
    # more than rounding over the budget is not a plan made within it
    far = csv.assign(recommended_spend=csv["recommended_spend"] * 1.01)
    with pytest.raises(sm.ArgumentError, match="add up to 2,020,000, over its budget 2,000,000"):
        plan_from_table(fit, far)
    with pytest.raises(sm.ArgumentError, match=r"column .days. is missing"):
        plan_from_table(fit, chosen.table)
    # a cell the fit does not have is named as plan.csv's, not as an argument's
    with pytest.raises(sm.ArgumentError, match=r"^plan.csv: unknown channel 'tiktok'"):
        plan_from_table(fit, csv.assign(channel=["tiktok", *csv["channel"][1:]]))


@pytest.fixture(scope="module")
def good_plan(small_fit) -> pd.DataFrame:
    """A plan.csv's rows as ``optimize`` writes them, for the refusals to spoil."""
    _, fit = small_fit
    return sm.allocate(fit, 400_000, days=30).table.assign(days=30, budget=400_000)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.assign(recommended_spend=t["recommended_spend"] * 3), "over its budget"),
        (
            lambda t: t.assign(recommended_spend=["lots"] + ["1"] * (len(t) - 1)),
            "'recommended_spend' 'lots' is not",
        ),
        (lambda t: t.assign(recommended_spend=-t["recommended_spend"]), "is negative"),
        (lambda t: t.assign(days=0), "'days' must be a whole number"),
        (lambda t: t.assign(days=2.5), "'days' must be a whole number"),
        (lambda t: t.assign(budget=[1e6] + [2e6] * (len(t) - 1)), "'budget' differs"),
        (lambda t: t.assign(budget=float("nan")), "'budget' is empty"),
        (lambda t: t.drop(columns="days"), "'days' is missing"),
        (lambda t: t.iloc[:0], "no rows"),
        (lambda t: pd.concat([t, t.iloc[:1]]), "the same cell appears twice"),
    ],
)
def test_report_refuses_a_plan_csv_that_is_not_a_plan(good_plan, capsys, tmp_path, change, message):
    # one line naming plan.csv and the column, exit 2, before the fit is loaded, no page:
    # a plan.csv far over its budget ended `report --plan` in an internal error before
    bad = tmp_path / "plan.csv"
    change(good_plan).to_csv(bad, index=False)
    page = tmp_path / "r.html"
    code, err = run_main(capsys, "report", tmp_path / "no_such_fit", "--plan", bad, "--out", page)
    assert code == 2, err
    assert err.count("\n") == 1 and "plan.csv" in err and message in err
    assert "internal error" not in err and not page.exists()


def test_run_writes_fit_plan_and_report_as_one_set(tmp_path, capsys):
    # one brand and 120 days: the smallest world that still has a quarter to plan
    data = tmp_path / "data"
    sm.simulate(sm.WorldConfig(start="2025-04-01", n_brands=1, days=120), random_seed=3).write(data)
    out = tmp_path / "run"
    r = run_cli(
        "run", data, "--out", out, "--max-minutes", "0.01", "--tune", "100", "--no-checks",
        "--lang", "zh", "--quiet",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert sm.load_fit(out / "fit.nc").config.tune == 100  # --tune reached the sampler
    # sampled until converged: the budget ran out before the first checkpoint, and the
    # warning says so even under --quiet
    assert "the time budget ran out first" in r.stderr and "raise --max-minutes" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "diagnostics.json",
        "fit.nc",
        "plan.csv",
        "report.html",
        "roi.csv",
    ]
    plan = pd.read_csv(out / "plan.csv")
    assert {"days", "budget", "converged"} <= set(plan.columns) and (plan["days"] == 90).all()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "摘要" in page and 'id="plan"' in page
    # report --plan shows the plan of optimize, with its budget
    plan_csv = tmp_path / "plan.csv"
    # the later commands in this process: the run above is the fresh process's test
    code, err = run_main(
        capsys, "optimize", out, "--budget", 900000, "--days", 30, "--out", plan_csv
    )
    assert code == 0, err
    html = tmp_path / "r.html"
    tables = tmp_path / "tables"
    code, err = run_main(
        capsys, "report", out, "--plan", plan_csv, "--out", html, "--tables", tables
    )
    assert code == 0, err
    # every CSV the page offers, written beside it, byte for byte
    from seedmodel.report.html import downloads

    offered = downloads(html.read_text(encoding="utf-8"))
    assert {"roi.csv", "plan.csv", "contributions.csv"} <= set(offered)
    assert sorted(p.name for p in tables.iterdir()) == sorted(offered)
    assert all((tables / n).read_bytes() == b for n, b in offered.items())
    code, err = run_main(capsys, "report", out, "--out", tmp_path / "x.html", "--tables", html)
    assert code == 2 and "--tables" in err and err.count("\n") == 1  # --tables is a file
    assert not (tmp_path / "x.html").exists()
    assert "budget of <span" in html.read_text(encoding="utf-8")
    shown = numbers(html.read_text(encoding="utf-8"))
    budget = [n for n in shown if n["col"] == "budget"]
    assert budget and budget[0]["value"] == 900_000


def _glyph(text: str) -> np.ndarray:
    import matplotlib

    from seedmodel.report.canvas import LITERAL_TEXT, subplots

    with matplotlib.rc_context(LITERAL_TEXT):
        fig, ax = subplots(figsize=(0.6, 0.6))
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=20)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())[..., 0] < 128


def test_chinese_in_figures_is_drawn_as_glyphs_not_boxes():
    from seedmodel.report.canvas import installed_cjk_fonts

    if not installed_cjk_fonts():
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk); the report says so")
    # a font without the glyphs draws each as the same empty box (checked with DejaVu Sans
    # alone: all three identical); real glyphs differ from each other
    shapes = [_glyph(ch) for ch in "小红星"]
    assert all(shape.sum() > 20 for shape in shapes)
    assert not np.array_equal(shapes[0], shapes[1]) and not np.array_equal(shapes[1], shapes[2])


def test_a_machine_without_a_chinese_font_is_told_what_to_install(small_sim, monkeypatch):
    from seedmodel.report import compose

    monkeypatch.setattr("seedmodel.report.canvas.installed_cjk_fonts", lambda: [])
    said: list[str] = []
    assert not compose.check_fonts(small_sim.data, "zh", said.append)
    assert said and "fonts-noto-cjk" in said[0]
    assert compose.check_fonts(small_sim.data, "en", said.append)  # nothing Chinese to draw


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_fits_a_1280_px_window_and_fetches_nothing(parts, tmp_path, lang):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from screenshot_report import find_chromium, layout

    if find_chromium() is None:
        pytest.fail("the browser check needs chromium: apt-get install chromium")
    page = parts[3][lang]
    assert not re.search(r'(src|href)="(https?:)?//', page)
    html = tmp_path / "r.html"
    html.write_text(page, encoding="utf-8")
    got = layout(html, width=1280)
    assert got["scroll"] <= 1280 and got["widest"] <= 1280, got


def test_arrival_shares_say_what_an_attribution_window_can_see(parts):
    from seedmodel.analysis.attribution import arrival_shares
    from seedmodel.analysis.posterior import MediaPosterior

    fit, _, _, pages, _ = parts
    shares = arrival_shares(fit).set_index("channel")
    for k in (7, 15, 30):
        col = shares[f"within_{k}d"]
        assert ((shares[f"within_{k}d_lo"] <= col) & (col <= shares[f"within_{k}d_hi"])).all()
        assert ((col >= 0) & (col <= 1 + 1e-12)).all()
    assert (shares["within_7d"] <= shares["within_15d"] + 1e-12).all()
    assert (shares["within_15d"] <= shares["within_30d"] + 1e-12).all()
    # the mean share within 7 days is the mean of each draw's lag mass on lags 0..7
    weights = MediaPosterior.from_fit(fit).weights("little_red_star")
    assert shares.loc["little_red_star", "within_7d"] == pytest.approx(
        float(weights.isel(lag=slice(0, 8)).sum("lag").mean()), rel=1e-12
    )
    assert "arrival_shares.csv" in pages["en"] and "7 天内" in pages["zh"]


def test_fit_section_shows_the_posterior_predictive_check(parts):
    fit, _, _, pages, _ = parts
    from seedmodel.analysis.fitted import predictive_coverage

    table = predictive_coverage(fit)
    for lang, page in pages.items():
        section = page[page.index('id="fit"') :]
        section = section[: section.index("</section>")]
        assert html.escape(catalogue()["col_ppc_coverage"][lang]) in section
        for value in table["ppc_coverage"]:
            assert percent(value) in section


def test_link_section_reads_in_the_reports_language(parts):
    from seedmodel.linkage.analysis import NOTES

    _, _, _, pages, _ = parts
    section = pages["zh"][pages["zh"].index('id="link"') :]
    section = section[: section.index("</section>")]
    # metric, platform, verdict and the note of each row in Chinese; ids and English notes
    # stay in link.csv
    assert "收藏" in section and "天猫" in section
    assert any(catalogue()[f"verdict_{v}"]["zh"] in section for v in ("supported", "not_supported"))
    visible = re.sub(r'href="data:[^"]*"', "", section)
    for note in NOTES.values():
        assert note.split("{")[0][:25] not in visible
    for word in ("not_supported", "collects", ">tmall<"):
        assert word not in visible


def test_a_cut_that_mostly_leaves_the_brand_is_said_in_full():
    from seedmodel.report.summary import _move_line

    # LumaBeauty on data/sample: 小红星 cut by ¥1.28M, of which only ¥13.5k stays in the brand
    rows = pd.DataFrame(
        {
            "brand": "LumaBeauty",
            "channel": ["little_red_star", "red_cat", "red_jd"],
            "current_spend": [1_380_000.0, 535_000.0, 533_000.0],
            "recommended_spend": [98_300.0, 548_500.0, 541_000.0],
        }
    )
    for lang in ("en", "zh"):
        line = str(_move_line(rows, lang))
        shown = {n["col"]: n["value"] for n in numbers(line)}
        assert shown == pytest.approx({"moved": 13_500.0, "cut": 1_281_700.0})
        assert catalogue()["move_out"][lang].split("{")[0] in line
    # a pair that mostly stays within the brand is a plain move
    rows["recommended_spend"] = [880_000.0, 1_035_000.0, 533_000.0]
    line = str(_move_line(rows, "en"))
    assert line.startswith("Recommended move:")
    assert {n["col"] for n in numbers(line)} == {"moved"}


def test_failed_checks_are_listed_in_the_reports_language(parts):
    from seedmodel.report.sections.roi import check_warnings

    _, _, _, pages, checks = parts
    checks = checks | {
        "forecast": [
            {"brand": "A", "platform": "jd", "periods": 91, "coverage": 0.5, "error": None,
             "passed": False}
        ],
        "settings": {"level": 0.9, "check_fit_converged": False, "check_fit_reason": "R-hat"},
    }  # fmt: skip
    for lang in ("en", "zh"):
        lines = check_warnings(checks, lang)
        # placebo, trade-off, forecast (its error unknown: "–"), the check fit
        assert len(lines) == 4
        assert "9.13" in lines[0] and "[4.20, 14.04]" in lines[0]
        assert "–" in lines[1] and ("京东" if lang == "zh" else "JD") in lines[1]
        assert "-0.90" in lines[2] and lines[3].endswith(("(R-hat)", "（R-hat）"))
    zh = pages["zh"]
    box = zh[zh.index('class="warn"', zh.index('id="roi"')) :]
    assert "安慰剂" in box[:2000] and "placebo on" not in box[:2000]


def test_plan_section_says_what_the_programme_minimum_costs(parts):
    fit, _, plan, pages, _ = parts
    rule = plan["rule"]
    assert set(rule["channels"]) == {"red_cat", "red_jd"} and rule["minimum"] == 5000.0
    budget = plan["plan"].summary["budget"]
    # the best expected GMV with and without the rule, whatever the plan's own objective
    free = sm.allocate(fit, budget, days=60, min_daily_spend={})
    assert rule["without"] == pytest.approx(free.summary["recommended_incremental_gmv"])
    with_rule = sm.allocate(fit, budget, days=60)
    assert rule["with"] == pytest.approx(with_rule.summary["recommended_incremental_gmv"])
    assert rule["without"] >= rule["with"] * (1 - 1e-5)  # a rule cannot help (up to tolerance)
    for lang, page in pages.items():
        section = html.unescape(page[page.index('id="plan"') :])
        key = "rule_free" if rule["without"] - rule["with"] < 0.005 * rule["with"] else "rule_cost"
        assert catalogue()[key][lang].split("{")[0] in section
        if key == "rule_cost":
            assert money(rule["without"] - rule["with"], lang) in section


def test_roi_tables_show_each_channels_mroi_with_its_interval(parts):
    # the marginal return is as uncertain as the curve's bend (docs/mmm.md, "Seventeenth
    # look"): the tables give its 90% interval as they do the ROI's
    _, table, _, pages, _ = parts
    for lang, page in pages.items():
        assert "mROI [90%]" in page, lang
        for r in table[table["spend"] > 0].itertuples():
            shown = f"{ratio(r.mroi)} [{ratio(r.mroi_lo)} – {ratio(r.mroi_hi)}]"
            assert html.escape(shown) in page, (lang, r.brand, r.channel)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_gain_cvar_plan_says_how_far_it_moved(lang):
    """All the way, part of the way (with what the highest-expected split promised), or
    not at all: then the summary says to keep today's split, not "adds ¥0"."""
    from seedmodel.report.sections.plan import _moved_line
    from seedmodel.report.summary import _plan_line

    summary = {
        "objective": "gain_cvar0.1",
        "days": 90,
        "budget": 8.1e6,
        "gain": 0.0,
        "gain_lo": 0.0,
        "gain_hi": 0.0,
        "prob_better": 0.0,
        "mean_optimum_gain": 2.64e6,
        "mean_optimum_prob_better": 0.62,
    }
    what = catalogue()["what_gmv"][lang]
    lines = {m: _moved_line(summary | {"moved": m}, what, "10%", lang) for m in (0.0, 0.35, 1.0)}
    assert lines[1.0].startswith(catalogue()["plan_moved_all"][lang].split("{")[0])
    assert percent(0.35) in lines[0.35] and money(2.64e6, lang) in lines[0.35]
    assert percent(0.62) in lines[0.0] and money(2.64e6, lang) in lines[0.0]
    assert lines[0.0] != lines[0.35] and "10%" in lines[0.0]
    assert _moved_line({"objective": "mean"}, what, "", lang) is None
    kept = _plan_line(summary | {"moved": 0.0}, lang)
    shown = {n["col"]: n["value"] for n in numbers(str(kept))}
    assert shown == {"budget": 8.1e6, "mean_optimum_gain": 2.64e6, "mean_optimum_prob_better": 0.62}
    assert money(0.0, lang) not in html.unescape(str(kept))  # no "adds ¥0"
    moved = _plan_line(summary | {"moved": 0.35, "gain": 1e6, "prob_better": 0.9}, lang)
    assert "gain" in {n["col"] for n in numbers(str(moved))}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_plan_that_keeps_today_s_split_does_not_quote_its_probability_of_beating_it(lang):
    """A gain_cvar plan that stayed at today's split gains 0 in every draw: its section says
    it kept the split, not that it beats today's with a probability below 1%."""
    from test_plan import _two_channels

    from seedmodel.plan import allocate, response_curves
    from seedmodel.report.sections.plan import plan_section

    resp = _two_channels(spread=1.0, better=1.3, current=(1.6e4, 0.4e4))
    plan = allocate(resp, 2e5, objective="gain_cvar")
    assert plan.summary["moved"] == 0 and plan.summary["prob_better"] == 0
    body = html.unescape(str(plan_section(plan, response_curves(resp), lang=lang).body))
    cat = catalogue()
    assert cat["plan_lead_kept"][lang].split("{")[0] in body
    assert cat["plan_moved_none"][lang].split("{")[0] in body
    # no "the probability that the recommendation returns more ... is <1%"
    assert cat["plan_lead"][lang].split("{prob}")[0].rsplit("}", 1)[1] not in body
    moved = allocate(_two_channels(spread=0.5, better=1.3, current=(1.6e4, 0.4e4)), 2e5)
    assert "moved" not in moved.summary  # the mean plan: the usual lead


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_cell_the_programme_minimum_keeps_off_is_explained(lang):
    """A cell left off whose first yuan would return more than the live cells' next one
    reads as a mistake in the table; the section says why, with what its minimum would
    return. Nothing is said when the cell is on, or when a gain_cvar plan stopped short of
    the highest expected GMV (the reason may then be its risk)."""
    from test_plan import _two_channels

    from seedmodel.plan import allocate, response_curves
    from seedmodel.report.sections.plan import plan_section

    def body(plan, resp):
        return html.unescape(str(plan_section(plan, response_curves(resp), lang=lang).body))

    start = catalogue()["rule_off"][lang].split("{")[0]
    resp = _two_channels(spread=0.0, better=0.3)
    off = allocate(resp, 2e5, min_daily_spend={"unsure": 1e4})
    shown = body(off, resp)
    assert start in shown
    assert ratio(30.0) in shown and ratio(15.0) in shown and money(1e5, lang) in shown
    assert ratio(11.11111) in shown  # the live cell's next yuan
    on = allocate(resp, 2e5, min_daily_spend={"unsure": 5e3})
    assert on.table.set_index("channel").loc["unsure", "recommended_spend"] > 0
    assert start not in body(on, resp)
    risky = _two_channels(spread=0.5, better=1.3, current=(1.6e4, 0.4e4))
    short = allocate(risky, 2e5, objective="gain_cvar", min_daily_spend={"unsure": 5e3})
    assert short.summary["moved"] < 1
    assert start not in body(short, risky)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_next_yuan_line_names_cells_held_at_the_programme_minimum(lang):
    """Two channels balanced at the margin and a third held at its minimum, where the next
    yuan earns half as much: the summary says the split balances the free ones, then names
    the held one with its mROI (a plan.csv cell), not "least in" it as if it could be cut."""
    from test_plan import _three_channels

    from seedmodel.plan import allocate
    from seedmodel.report.summary import _next_yuan_line

    cat = catalogue()
    plan = allocate(_three_channels(), 3e5, min_daily_spend={"m": 1e4})
    line = str(_next_yuan_line(plan, lang))
    shown = html.unescape(line)
    assert cat["next_yuan_balanced"][lang].split("{")[0] in shown
    assert cat["next_yuan_floor"][lang].split("{")[0] in shown
    held = plan.table.set_index("channel").loc["m", "recommended_mroi"]
    assert {n["row"]: n["value"] for n in numbers(line)}["b|m"] == pytest.approx(held)
    free = allocate(_three_channels(), 3e5, min_daily_spend={})
    assert cat["next_yuan_floor"][lang].split("{")[0] not in html.unescape(
        str(_next_yuan_line(free, lang))
    )


def test_the_roi_section_names_the_channels_whose_roi_rests_on_organic_notes(parts):
    """A fit whose demand state is measured by organic notes says, under the ROI table, that
    the seeding channel's ROI is too low if those notes echo its campaigns; a fit that lets
    them echo (organic_echo="paid") or has no organic notes says nothing."""
    from dataclasses import replace

    from seedmodel.report.compose import echo_channels

    fit, _, _, pages, _ = parts
    assert echo_channels(fit) == ["little_red_star"]  # 红猫 and 红京 link to a store
    for lang, name in (("en", "Little Red Star"), ("zh", "小红星")):
        roi = pages[lang][pages[lang].index('id="roi"') :]
        note = roi[roi.index('<p class="note">') :]
        note = note[: note.index("</p>")]
        assert name in note and ("lift test" in note)
        assert "Red Cat" not in note and "红猫" not in note
    echo_fit = replace(fit, spec=replace(fit.spec, organic_echo="paid"))
    assert echo_channels(echo_fit) == []
    plain = replace(fit, spec=replace(fit.spec, demand="none"))
    assert echo_channels(plain) == []


def test_a_lift_test_the_fit_contradicts_fails_its_check_and_is_said_in_both_languages(
    portfolio,
):
    """``lift_agreement``: each lift test against the fit's own prediction for it. A test
    the fit agrees with passes; the same test with a lift twenty times larger (the posterior
    unchanged) falls outside the prediction's interval, and the report says so."""
    from dataclasses import replace

    from seedmodel.analysis.checks import lift_agreement
    from seedmodel.report.sections.roi import check_warnings

    fit, _, _ = portfolio
    tests = fit.data.lift_tests
    table = lift_agreement(fit, random_seed=1)
    assert len(table) == len(tests) > 0
    assert list(table["lift"]) == list(tests["incremental_gmv"])
    assert (table["predicted_lo"] < table["predicted"]).all()
    assert (table["predicted"] < table["predicted_hi"]).all()
    inflated = tests.assign(incremental_gmv=20 * tests["incremental_gmv"].abs() + 1e6)
    far = replace(fit, data=replace(fit.data, lift_tests=inflated))
    wrong = lift_agreement(far, random_seed=1)
    assert not wrong["passed"].any()
    # the prediction is the fit's, whatever the test says
    np.testing.assert_allclose(wrong["predicted"], table["predicted"], rtol=0.05)
    checks = {"passed": False, "warnings": ["lift"], "lifts": wrong.to_dict("records")}
    for lang, word in (("en", "lift test"), ("zh", "增量实验")):
        lines = check_warnings(checks, lang)
        assert len(lines) == len(wrong) and all(word in line for line in lines)


def test_a_lift_test_the_fit_agrees_with_is_said_to_found_the_roi_not_settle_it(portfolio):
    """A channel whose lift tests all pass their check gets one sentence in its brand's
    summary, in both languages, with the latest test's dates; for the seeding channel (no
    link to a store, where it was measured) it adds that one test did not settle the ROI in
    simulation. A channel whose test failed, or that was not tested, gets none."""
    from seedmodel.analysis.checks import lift_agreement
    from seedmodel.report.i18n import channel_name
    from seedmodel.report.summary import summary_parts

    fit, table, _ = portfolio
    lifts = lift_agreement(fit, random_seed=1)
    assert lifts["passed"].all()
    tested = set(zip(lifts["brand"], lifts["channel"], strict=True))
    assert "little_red_star" in {c for _, c in tested}
    agrees = {"en": "agrees with the fit", "zh": "与模型结果一致"}
    unsettled = {"en": "better founded, not settled", "zh": "而非定论"}
    for passed in (True, False):
        records = lifts.assign(passed=passed).to_dict("records")
        checks = {"passed": passed, "warnings": [], "lifts": records}
        for lang in ("en", "zh"):
            parts = summary_parts(
                table, fit.diagnostics, lang, link_channels=fit.data.link_channels, checks=checks
            )
            said = {
                (entry.name, str(line))
                for entry in parts.brands
                for line in entry.lines
                if agrees[lang] in line
            }
            if not passed:
                assert not said
                continue
            assert len(said) == len(tested)
            for brand, channel in tested:
                name = channel_name(channel, lang)
                test = lifts[(lifts["brand"] == brand) & (lifts["channel"] == channel)].iloc[-1]
                (line,) = [
                    line
                    for title, line in said
                    if title == brand and name in line and test["end"] in line
                ]
                assert (unsettled[lang] in line) == (channel == "little_red_star")


def test_the_fit_diagnostics_read_one_measure_per_row_in_the_reports_language(parts):
    """The diagnostics table lists each of diagnostics.json's measures on a row of its own
    (sixteen columns side by side scrolled off a 1,280-px window), named in the report's
    language, with the step-size target and the restarts."""
    fit, _, _, pages, _ = parts
    d = fit.diagnostics
    names = catalogue()
    for lang, page in pages.items():
        block = page[page.index(names["diag_title"][lang]) :]
        block = block[: block.index("</table>")]
        rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", block, flags=re.S)
        shown = dict(rows)
        assert len(rows) == len(shown) >= 15, (lang, rows)
        assert shown[names["col_max_rhat"][lang]] == f"{d.max_rhat:.3f}"
        assert shown[names["col_restarts"][lang]] == f"{d.restarts:,}"
        assert shown[names["col_target_accept"][lang]] == f"{d.target_accept:.2f}"
        # one brand: no spread between brands, so no row for it
        assert names["col_brand_spreads"][lang] not in shown


@pytest.mark.parametrize("mode", ["learnt", "effect", "fixed"])
def test_the_diagnostics_say_how_the_brands_spreads_were_taken(parts, mode):
    """With several brands, a row of the diagnostics table says whether the brands' spreads
    were learnt or fixed at their priors' scale, in the report's language."""
    from seedmodel.report.sections.roi import roi_section

    fit, table, *_ = parts
    names = catalogue()
    for lang in ("en", "zh"):
        body = str(roi_section(table, fit.diagnostics, lang=lang, brand_spreads=mode).body)
        block = body[body.index(names["diag_title"][lang]) :]
        rows = dict(re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", block, flags=re.S))
        said = html.unescape(rows[names["col_brand_spreads"][lang]])
        assert said == names[f"spreads_{mode}"][lang]


def test_roi_section_says_how_often_such_intervals_held_the_truth(parts, portfolio):
    from dataclasses import replace

    from seedmodel.analysis.simulated_coverage import coverage_table
    from seedmodel.report.compose import simulated_rows

    t = coverage_table().set_index(["brands", "channel"])["coverage"]
    one, several = parts[3], portfolio[2]
    # one brand, no lift tests: the one-brand rates, each channel's in the page
    assert "one brand per fit" in one["en"] and "每次拟合一个品牌" in one["zh"]
    for channel, name in (("little_red_star", "Little Red Star"), ("red_jd", "Red JD")):
        assert f"{percent(t['1', channel])} ({name})" in one["en"]
    assert "no lift tests" not in one["en"]
    m = coverage_table().set_index(["brands", "channel"])["mroi_coverage"]
    mroi = f"the mROI intervals in {percent(m['1', 'little_red_star'])} (Little Red Star)"
    assert mroi in one["en"] and "mROI 区间为：小红星" in one["zh"]
    # two brands with lift tests: the several-brand rates, and that the worlds had no tests
    assert f"{percent(t['2-5', 'little_red_star'])} (Little Red Star)" in several["en"]
    assert "two to five brands fitted together" in several["en"]
    assert "no lift tests" in several["en"] and "没有增量实验" in several["zh"]
    # another model: rates not measured for it, no note
    fit = parts[0]
    assert simulated_rows([replace(fit, spec=replace(fit.spec, noise="student_t"))]) is None


def test_a_fits_report_tables_are_computed_once_and_handed_out_as_copies(small_fit, monkeypatch):
    import copy

    import seedmodel.analysis.fitted as fitted
    from seedmodel.report.compose import fit_tables

    fit = copy.copy(small_fit[1])
    fit.__dict__.pop("_computed_once", None)  # not what other tests left on the shared fit
    calls = []
    real = fitted.expected_gmv_draws
    monkeypatch.setattr(fitted, "expected_gmv_draws", lambda f: calls.append(1) or real(f))
    first = fit_tables(fit)
    first["fitted"]["fitted"] = -1.0  # a caller's change stays in its own copy
    second = fit_tables(fit)
    assert len(calls) == 1
    assert set(first) == set(second) == {"contrib", "fitted", "predictive", "arrival"}
    assert (second["fitted"]["fitted"] > 0).all()
