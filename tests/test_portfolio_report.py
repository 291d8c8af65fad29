"""A portfolio folder read back and reported as one: every fitted brand in one summary and
one plan, the groups that failed or did not converge said first, the numbers those of the
group fits."""

from __future__ import annotations

import html
import io

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

import seedmodel as sm
from seedmodel.inference.options import SamplerConfig
from seedmodel.portfolio import fit_portfolio, load_portfolio
from seedmodel.report.html import downloads
from seedmodel.schema import combine_brands
from seedmodel.schema.errors import ArgumentError


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Three brands in three groups; the third spends nothing and fails."""
    sim = sm.simulate(sm.WorldConfig(start="2025-03-01", n_brands=3, days=100), random_seed=3)
    a, b, c = sim.data.brand_names
    brands = sim.data.brands.assign(category=lambda f: f["brand"].map({a: "x", b: "y", c: "z"}))
    media = sim.data.media.copy()
    media.loc[media["brand"] == c, "spend"] = 0.0
    data = sm.from_frames(media=media, sales=sim.data.sales, brands=brands)
    folder = tmp_path_factory.mktemp("portfolio")
    # a 60-draw warm-up takes fewer gradients than 30 (shallower trees after it)
    fit_portfolio(data, folder, config=SamplerConfig(draws=30, tune=60), retries=0)
    return data, folder


def test_a_saved_portfolio_reads_back_as_one_fit_with_its_failures_named(saved):
    data, folder = saved
    a, b, c = data.brand_names
    portfolio = load_portfolio(folder)
    assert [g.group for g in portfolio.groups] == ["x", "y", "z"]
    assert [g.group for g in portfolio.failed] == ["z"] and portfolio.failed[0].brands == (c,)
    assert "no channel of" in portfolio.failed[0].error
    # every fitted brand's data, exactly as the data hold them
    assert portfolio.data.brand_names == (a, b)
    expected = data.select_brands([a, b])
    for name in ("media", "sales", "brands"):
        pd.testing.assert_frame_equal(
            getattr(portfolio.data, name), getattr(expected, name), check_dtype=False
        )
    # the diagnostics: never converged with a group missing, the reason naming it
    d = portfolio.diagnostics
    fits = portfolio.fits
    assert d.converged is False
    assert f"group z ({c}) failed and is not in this report" in d.reason
    assert d.max_rhat == max(f.diagnostics.max_rhat for f in fits)
    assert d.divergences == sum(f.diagnostics.divergences for f in fits)
    assert portfolio.checks is None  # fitted without their checks
    # the ROI table is the folder's, brand by brand
    roi = portfolio.roi()
    assert set(roi["brand"]) == {a, b} and "group" not in roi
    table = portfolio.groups_table()
    assert list(table["status"]) == ["fitted", "fitted", "failed"]
    assert table.loc[2, "reason"] == portfolio.failed[0].error
    # how each group took the brands' spreads: groups of one brand have none, and the
    # report's groups table shows the column only when a group has several brands
    from seedmodel.report.i18n import catalogue
    from seedmodel.report.sections.groups import groups_section

    assert list(table["brand_spreads"]) == ["", "", ""]
    names = catalogue()
    for lang in ("en", "zh"):
        header = names["col_brand_spreads"][lang]
        assert header not in str(groups_section(table, lang).body)
        two = table.assign(brand_spreads=["effect", "", ""])
        body = str(groups_section(two, lang).body)
        assert header in body and names["spreads_effect"][lang] in html.unescape(body)


def test_combine_brands_is_the_inverse_of_select_brands(saved):
    data, _ = saved
    a, b, c = data.brand_names
    back = combine_brands([data.select_brands([c]), data.select_brands([a, b])])
    for name in ("media", "sales", "brands", "events"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(data, name))
    with pytest.raises(ArgumentError, match=f"brand {a!r} is in more than one part"):
        combine_brands([data.select_brands([a]), data.select_brands([a, b])])
    with pytest.raises(ArgumentError, match="none given"):
        combine_brands([])


def test_the_report_of_a_portfolio_shows_every_brand_one_plan_and_its_groups(saved, tmp_path):
    data, folder = saved
    a, b, c = data.brand_names
    plan_file = tmp_path / "plan.csv"
    made = run_cli("optimize", folder, "--budget", "150000", "--days", "30", "--out", plan_file)
    assert made.returncode == 0, made.stderr
    page_file = tmp_path / "report.html"
    done = run_cli("report", folder, "--out", page_file, "--plan", plan_file, "--lang", "zh")
    assert done.returncode == 0, done.stderr
    page = page_file.read_text(encoding="utf-8")
    # the failure is said first, in the summary's warnings, and in the groups' section
    summary = page[page.index('id="summary"') :]
    assert summary.index(f"group z ({c}) failed") < summary.index("品牌组合")
    assert "品牌组合的拟合方式" in page and "失败" in page
    assert 'id="brand-1"' in page and 'id="brand-2"' in page and 'id="brand-3"' not in page
    tables = downloads(page)
    groups = pd.read_csv(io.BytesIO(tables["groups.csv"]))
    assert list(groups["group"]) == ["x", "y", "z"] and groups["status"].iloc[2] == "failed"
    # the plan written by optimize, shown as it is: one budget across both groups' brands
    shown = pd.read_csv(io.BytesIO(tables["plan.csv"])).sort_values(["brand", "channel"])
    written = pd.read_csv(plan_file).sort_values(["brand", "channel"])
    assert set(shown["brand"]) == {a, b}
    np.testing.assert_allclose(shown["recommended_spend"], written["recommended_spend"], rtol=1e-6)
    # the ROI shown is the group fits' own
    roi = pd.read_csv(io.BytesIO(tables["roi.csv"]))
    np.testing.assert_allclose(roi["roi"], pd.read_csv(folder / "roi.csv")["roi"], rtol=1e-5)


def test_a_report_of_many_brands_leaves_their_figures_to_the_groups(saved, monkeypatch):
    """Past the figure limit the page keeps every table, draws no panel per brand, says
    where the figures are, and lists the brands on one line of its contents; each brand's
    section says that its group's fit did not converge (30 draws never do)."""
    import seedmodel.report.compose as compose
    import seedmodel.report.html as page_html

    _, folder = saved
    monkeypatch.setattr(page_html, "MANY_BRANDS", 1)
    page = compose.portfolio_report(load_portfolio(folder), budget=200_000.0, days=30)
    assert page.count("figures drawn brand by brand are left out") == 5
    assert f"{folder / 'groups'}/&lt;group&gt;" in page  # the command, as text
    assert page.count("<img") <= 4  # ROI, allocation, frontier, engagement scatter
    kept = set(downloads(page))
    assert {"roi.csv", "plan.csv", "contributions.csv", "groups.csv"} <= kept
    assert "fitted_gmv.csv" not in kept and "link_profiles.csv" not in kept
    plan = pd.read_csv(io.BytesIO(downloads(page)["plan.csv"]))
    assert plan["recommended_spend"].sum() <= 200_000.0 * (1 + 1e-6)
    nav = page[page.index("<nav>") : page.index("</nav>")]
    assert "<li>Brands: " in nav and nav.count('href="#brand-') == 2
    assert page.count("The fit of this brand&#39;s group") == 2


def test_many_brands_are_read_down_the_across_brands_table():
    from seedmodel.report.summary import across_brands_table

    rows = [
        {"brand": f"b{i}", "channel": c, "spend": 1.0, "roi": 2.0, "roi_lo": 1.0, "roi_hi": 3.0}
        for i in range(9)
        for c in ("little_red_star", "red_cat")
    ]
    tall = across_brands_table(pd.DataFrame(rows), "en")
    assert list(tall.columns) == ["brand", "Little Red Star", "Red Cat"]
    assert list(tall["brand"]) == [f"b{i}" for i in range(9)]
    wide = across_brands_table(pd.DataFrame(rows[:8]), "en")
    assert list(wide.columns) == ["channel", "b0", "b1", "b2", "b3"]


def test_groups_that_did_not_converge_are_named_then_counted():
    from types import SimpleNamespace

    from seedmodel.inference.diagnostics import Diagnostics
    from seedmodel.portfolio.saved import GroupFit, combine_diagnostics

    def group(name: str, rhat: float) -> GroupFit:
        d = Diagnostics(rhat, 300.0, 1, rhat <= 1.01, 2, 500, "nutpie", 10.0, reason=f"r{name}")
        return GroupFit(name, (f"B{name}",), SimpleNamespace(diagnostics=d))

    few = combine_diagnostics(
        [group("1", 1.0), group("2", 1.05), GroupFit("3", ("B3",), None, error="E")]
    )
    assert few.converged is False and few.divergences == 2 and few.max_rhat == 1.05
    assert few.reason == "group 3 (B3) failed and is not in this report: E; group 2 (B2): r2"
    many = combine_diagnostics([group(str(i), 1.02 + i / 100) for i in range(5)])
    assert many.reason.startswith(
        "5 of 5 groups did not converge (0, 1, 2, 3, 4): worst R-hat 1.060"
    )
    assert combine_diagnostics([group("1", 1.0)]).converged is True


def test_the_groups_checks_read_as_one():
    from types import SimpleNamespace

    from seedmodel.portfolio.saved import GroupFit, combine_checks

    def checks(brand: str, passed: bool, trusted: bool) -> dict:
        return {
            "passed": passed,
            "warnings": [] if passed else [f"placebo of {brand}"],
            "settings": {"holdout_periods": 91, "check_fit_trusted": trusted}
            | ({} if trusted else {"check_fit_reason": "R-hat 1.2"}),
            "placebo": [{"brand": brand, "passed": passed}],
        }

    fit = SimpleNamespace()
    groups = [
        GroupFit("x", ("A",), fit, checks("A", True, True)),
        GroupFit("y", ("B",), fit, checks("B", False, False)),
        GroupFit("z", ("C",), None, error="E"),
    ]
    one = combine_checks(groups)
    assert one["passed"] is False and one["warnings"] == ["group y: placebo of B"]
    assert [r["brand"] for r in one["placebo"]] == ["A", "B"]
    assert one["settings"]["check_fit_trusted"] is False
    assert one["settings"]["check_fit_reason"] == "group y: R-hat 1.2"
    missing = combine_checks([groups[0], GroupFit("w", ("D",), fit, None)])
    assert missing["passed"] is False and missing["warnings"] == [
        "group w: its checks were not run"
    ]
    assert combine_checks([GroupFit("w", ("D",), fit, None)]) is None
