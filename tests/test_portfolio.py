"""A portfolio fitted group by group: the same files whatever runs it (this process, a local
process pool, a Dask cluster), a dying worker retried, a bad group reported while the others
are written, and a rerun that skips what is done."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

import seedmodel as sm
from seedmodel.inference.options import SamplerConfig
from seedmodel.portfolio import fit_portfolio, portfolio_groups, run_group
from seedmodel.schema.errors import ArgumentError

QUICK = SamplerConfig(draws=30, tune=60, chains=1)  # a longer warm-up takes fewer gradients


@pytest.fixture(scope="module")
def portfolio_data():
    """Three brands in two categories; the third brand spends nothing (a bad group)."""
    sim = sm.simulate(sm.WorldConfig(start="2025-03-01", n_brands=3, days=100), random_seed=3)
    a, b, c = sim.data.brand_names
    brands = sim.data.brands.assign(category=lambda f: f["brand"].map({a: "x", b: "y", c: "z"}))
    media = sim.data.media.copy()
    media.loc[media["brand"] == c, "spend"] = 0.0
    return sim.data.replace(
        media=media, brands=brands, events=None, lift_tests=None, attribution=None
    )


def test_brands_are_grouped_by_a_column_or_a_size(portfolio_data):
    a, b, c = portfolio_data.brand_names
    assert portfolio_groups(portfolio_data) == {"x": (a,), "y": (b,), "z": (c,)}
    assert portfolio_groups(portfolio_data, by=2) == {"1": (a, b), "2": (c,)}
    with pytest.raises(ArgumentError, match="brands has no column 'region'"):
        portfolio_groups(portfolio_data, by="region")
    with pytest.raises(ArgumentError, match="group size must be >= 1"):
        portfolio_groups(portfolio_data, by=0)
    one = portfolio_data.select_brands([b])
    assert one.brand_names == (b,) and set(one.sales["brand"]) == {b}
    with pytest.raises(ArgumentError, match="'nobody' is not in the data"):
        portfolio_data.select_brands(["nobody"])


def _die_once(task):
    """Kill the worker process the first time group ``y`` runs (a crashed machine)."""
    marker = Path(os.environ["SEEDMODEL_TEST_MARKERS"]) / f"died-{task.group}"
    if task.group == "y" and not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return run_group(task)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.csv"))}


def test_the_same_files_from_this_process_a_pool_and_dask(portfolio_data, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("SEEDMODEL_TEST_MARKERS", str(tmp_path))
    lines: list[str] = []
    here = fit_portfolio(
        portfolio_data, tmp_path / "here", by="category", config=QUICK, progress=lines.append
    )
    # group z spends nothing: reported with its one-line reason, the others written
    assert [g.status for g in here.groups] == ["fitted", "fitted", "failed"]
    assert "no channel of" in here.failed[0].error and here.failed[0].attempts == 2
    diag = json.loads((tmp_path / "here" / "diagnostics.json").read_text())
    assert diag["groups_failed"] == 1 and diag["groups"]["z"]["status"] == "failed"
    assert any(line.startswith("group z: FAILED after 2 tries") for line in lines)
    roi = (tmp_path / "here" / "roi.csv").read_text()
    assert roi.splitlines()[0].endswith(",group") and ",z\n" not in roi
    # one budget across the groups' fits
    from conftest import run_cli

    plan = run_cli(
        "optimize", tmp_path / "here", "--budget", "300000", "--days", "30",
        "--out", tmp_path / "plan.csv",
    )  # fmt: skip
    assert plan.returncode == 0, plan.stderr
    assert "the fit of" in plan.stderr  # each unconverged group named
    table = pd.read_csv(tmp_path / "plan.csv")
    assert set(table["brand"]) == set(portfolio_data.brand_names[:2])
    assert table["recommended_spend"].sum() <= 300000 * (1 + 1e-6)
    # a local pool whose worker dies once: the group is retried and the files are the same
    pool = fit_portfolio(
        portfolio_data, tmp_path / "pool", config=QUICK, workers=2, runner=_die_once
    )
    assert (tmp_path / "died-y").exists() and pool.groups[1].attempts == 2
    assert _files(tmp_path / "pool") == _files(tmp_path / "here")
    # Dask: two worker processes; a worker killed mid-run is replaced and the group rerun
    (tmp_path / "died-y").unlink()
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask = fit_portfolio(
            portfolio_data,
            tmp_path / "dask",
            config=QUICK,
            executor=client.get_executor(),
            workers=2,
            runner=_die_once,
        )
    assert (tmp_path / "died-y").exists()
    assert [g.status for g in dask.groups] == ["fitted", "fitted", "failed"]
    assert _files(tmp_path / "dask") == _files(tmp_path / "here")
    # a rerun reuses every fitted group and tries the failed one again
    lines.clear()
    again = fit_portfolio(
        portfolio_data, tmp_path / "here", config=QUICK, progress=lines.append, retries=0
    )
    assert [g.status for g in again.groups] == ["reused", "reused", "failed"]
    assert _files(tmp_path / "here") == _files(tmp_path / "pool")
    # a changed setting refits
    changed = fit_portfolio(
        portfolio_data.select_brands(portfolio_data.brand_names[:1]),
        tmp_path / "here",
        config=SamplerConfig(draws=31, tune=60, chains=1),
    )
    assert [g.status for g in changed.groups] == ["fitted"]


def test_the_command_line_fits_a_portfolio_and_names_failed_groups(
    portfolio_data, tmp_path, capsys
):
    from conftest import run_cli, run_main

    data = tmp_path / "data"
    portfolio_data.write(data)
    out = tmp_path / "fit"
    code, err = run_main(capsys, "fit", data, "--out", out, "--by", "region")
    assert code == 2 and "brands has no column 'region'" in err
    code, err = run_main(capsys, "fit", data, "--out", out, "--workers", "2")
    assert code == 2 and "give --by as well" in err
    args = ("--draws", "20", "--tune", "60", "--no-checks", "--quiet")
    done = run_cli("fit", data, "--out", out, "--by", "2", *args)
    # group 2 holds the brand without spend: exit 4, named on stderr, group 1 written
    assert done.returncode == 4, done.stderr
    assert "group 2 failed: DataError" in done.stderr and "no channel of" in done.stderr
    assert "1 fitted, 0 reused, 1 failed" in done.stdout
    diag = json.loads((out / "diagnostics.json").read_text())
    assert diag["converged"] is False and diag["groups"]["1"]["status"] == "fitted"
    assert {"max_rhat", "min_ess_bulk", "divergences", "chains", "draws"} <= set(diag)
    assert (out / "groups" / "001-1" / "fit.nc").is_file()
    # group 1's two brands: the effects' spread fixed at its prior's scale, as said
    assert diag["groups"]["1"]["diagnostics"]["brand_spreads"] == "effect"
    group = json.loads((out / "groups" / "001-1" / "diagnostics.json").read_text())
    assert group["brand_spreads"] == "effect"


def test_one_budget_across_groups_plans_every_brand_on_joint_draws():
    """Two groups' plan responses joined: each brand's response is its group's own (on the
    thinned draws), and one allocation spends one budget across both groups."""
    from dataclasses import replace

    import numpy as np

    from seedmodel.plan import allocate
    from seedmodel.portfolio import join_responses
    from seedmodel.sim.plan_truth import true_plan_response

    worlds = [
        sm.simulate(sm.WorldConfig(n_brands=n, days=200), random_seed=s).world
        for n, s in ((1, 3), (2, 4))
    ]
    one, two = (true_plan_response(w, 30) for w in worlds)
    two = replace(two, brands=("C", "D"))
    # group one has 4 draws, group two 2: the join keeps 2, evenly spread (draws 0 and 3)
    one = replace(
        one,
        half=one.half * np.array([1.0, 1.2, 1.4, 1.6]),
        value=np.repeat(one.value, 4, axis=2),
        past=np.repeat(one.past, 4, axis=2),
        unit=np.repeat(one.unit, 4, axis=2),
    )
    two = replace(
        two,
        half=np.repeat(two.half, 2, axis=2),
        value=np.repeat(two.value, 2, axis=2),
        past=np.repeat(two.past, 2, axis=2),
        unit=np.repeat(two.unit, 2, axis=2),
    )
    joint = join_responses([one, two])
    assert joint.brands == (*one.brands, "C", "D") and joint.n_draws == 2
    for c in range(len(joint.channels)):
        np.testing.assert_allclose(
            joint.cell_draws(0, c, 10_000.0), one.cell_draws(0, c, 10_000.0)[[0, 3]]
        )
        np.testing.assert_allclose(joint.cell_draws(2, c, 10_000.0), two.cell_draws(1, c, 10_000.0))
    budget = float(joint.current.sum() * joint.periods)
    plan = allocate(joint, budget).table
    assert set(plan["brand"]) == set(joint.brands)
    assert plan["recommended_spend"].sum() <= budget * (1 + 1e-6)
    with pytest.raises(ValueError, match="more than one group"):
        join_responses([two, two])
