"""Write the notebooks in notebooks/ from the cell sources below (run after editing them).

Keeping the sources here makes notebook diffs readable; the test suite executes the notebooks.
``python scripts/make_notebooks.py --execute`` also runs them and stores their outputs, so they
read on GitHub or any viewer without running.
"""

from __future__ import annotations

from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).resolve().parents[1] / "notebooks"

QUICKSTART = [
    (
        "md",
        "# seedmodel quick start\n\nLoad the bundled sample (three brands, two years of "
        "daily data on 小红星 `little_red_star`, 红猫 `red_cat`, 红京 `red_jd` and Tmall / JD "
        "GMV), look at it, and simulate a world of your own with known truth.",
    ),
    (
        "code",
        "import seedmodel as sm\nfrom seedmodel.analysis import channel_summary, data_quality"
        "\n\ndata = sm.load('../data/sample')\ndata",
    ),
    (
        "md",
        "Every table is checked once, at load. Bad input raises one `sm.DataError` naming "
        "table, key and column:",
    ),
    (
        "code",
        "import pandas as pd\nmedia = data.media.copy()\nmedia.loc[3, 'spend'] = -10\n"
        "try:\n    sm.from_frames(media=media, sales=data.sales)\nexcept sm.DataError as err:"
        "\n    print(err)",
    ),
    ("md", "## What the data hold"),
    ("code", "data_quality(data)"),
    ("code", "channel_summary(data)"),
    ("md", "Arrays with named dimensions (xarray):"),
    ("code", "spend = data.media_array('spend')\nspend.sum('date').to_pandas().round(0)"),
    (
        "code",
        "from seedmodel.analysis import event_spans, series_by_period\n"
        "from seedmodel.report.figures import plot_brand_overview\n\n"
        "brand = data.brand_names[0]\n"
        "paid = list(data.paid_channels)\n"
        "fig = plot_brand_overview(\n    brand,\n"
        "    series_by_period(data, 'media', 'spend', by='channel')[brand][paid],\n"
        "    series_by_period(data, 'media', 'reads', by='channel')[brand],\n"
        "    series_by_period(data, 'sales', 'gmv', by='platform')[brand],\n"
        "    event_spans(data),\n)",
    ),
    (
        "md",
        "## Simulate a world with known truth\n\nEvery mechanism is a switch on "
        "`sm.WorldConfig`. Here: strong organic-buzz confounding, weekly data.",
    ),
    (
        "code",
        "sim = sm.simulate(sm.WorldConfig(n_brands=2, buzz_strength=2.0, freq='W'), "
        "random_seed=7)\nsim",
    ),
    ("code", "truth = pd.DataFrame(sim.truth['roi']).T\ntruth.round(2)"),
    (
        "md",
        "The platforms' attribution feed is not causal: compare its implied ROI with the truth.",
    ),
    (
        "code",
        "attr = sim.data.attribution.groupby(['brand', 'channel'])['attributed_gmv'].sum()\n"
        "spend = sim.data.media.groupby(['brand', 'channel'])['spend'].sum()\n"
        "implied = (attr / spend).dropna().unstack()\n"
        "(implied / truth[implied.columns]).round(2)",
    ),
    ("md", "Write it in the contract format, with `truth.json`, and load it back:"),
    ("code", "import tempfile\nfolder = tempfile.mkdtemp()\nsim.write(folder)\nsm.load(folder)"),
]


LINK = [
    (
        "md",
        '# Engagement → GMV: the "0.82 correlation" done right\n\n'
        "Which engagement metric leads GMV, at what lag, and how much of the raw correlation "
        "survives once festivals, seasonality and organic buzz are accounted for? We run the "
        "analysis on a simulated world where we know the answer, then on the sample data.",
    ),
    (
        "code",
        "import seedmodel as sm\n"
        "from seedmodel.report.link_plots import plot_lag_profiles, plot_raw_vs_adjusted",
    ),
    (
        "md",
        "## A world where engagement does nothing\n\nBudgets follow festival demand and chase "
        "organic buzz; buzz lifts engagement and sales together. Media has no effect at all.",
    ),
    (
        "code",
        "null = sm.simulate(sm.WorldConfig(n_brands=1, media_effect=False, flights=False,\n"
        "                                  buzz_strength=2.0), random_seed=1)\n"
        "res = sm.link(null.data, metrics=('collects',), outcomes=('gmv', 'orders'))\n"
        "res.table[['channel', 'platform', 'outcome', 'raw_corr', 'corr_adjusted', "
        "'elasticity',\n           'elasticity_lo', 'elasticity_hi', 'verdict', 'note']]"
        ".round(3)",
    ),
    (
        "md",
        "The raw correlations are large, yet the adjusted intervals cover zero and the note "
        "says where the correlation came from.",
    ),
    ("code", "fig = plot_raw_vs_adjusted(res.table, title='no-effect world')"),
    (
        "md",
        "## A world with real effects\n\n`truth.json` carries the true elasticity of GMV "
        "to each channel and the true lag mode (小红星: 11 days).",
    ),
    (
        "code",
        "world = sm.simulate(sm.WorldConfig(n_brands=1), random_seed=2)\n"
        "res = sm.link(world.data, metrics=('collects', 'clicks'), outcomes=('gmv',))\n"
        "t = res.table[res.table.verdict != 'insufficient_data'].copy()\n"
        "t['true_elasticity'] = [world.truth['elasticity'][r.brand][r.channel][r.platform]\n"
        "                        for r in t.itertuples()]\n"
        "t[['channel', 'metric', 'platform', 'elasticity', 'elasticity_lo', "
        "'elasticity_hi',\n   'true_elasticity', 'peak_lag', 'peak_lag_lo', 'peak_lag_hi',"
        " 'verdict']].round(4)",
    ),
    (
        "code",
        "brand = world.data.brand_names[0]\n"
        "sel = lambda f: f[(f.brand == brand) & (f.metric == 'collects') & "
        "(f.platform == 'tmall')]\n"
        "fig = plot_lag_profiles(sel(res.profiles), sel(res.table), "
        "title='collects → tmall GMV')",
    ),
    (
        "md",
        "## The sample data\n\n`seedmodel link data/sample --out out/` writes the same "
        "table for every metric and outcome.",
    ),
    (
        "code",
        "sample = sm.link(sm.load('../data/sample'), metrics=('collects', 'clicks'),\n"
        "                 outcomes=('gmv',))\n"
        "sample.table.groupby(['channel', 'metric'])['verdict'].value_counts().unstack("
        "fill_value=0)",
    ),
    (
        "md",
        "Each interval averages two readings of slow sales movements: the notes' long lags "
        "and demand nobody measured (a smooth trend). On 30 drawn worlds 91% of the 90% "
        "intervals cover the true elasticity (docs/link.md); the price is width, so a real "
        "seeding effect is often `not_supported`: the data cannot tell, which is not the same "
        "as no effect. `link(data, trend_knot_days=None)` gives the narrower no-trend reading "
        "alone (it covered about two thirds). `robustness_value` says how strong an "
        "unmeasured confounder would have to be to overturn each estimate.",
    ),
]

MMM_AND_BUDGET = [
    (
        "md",
        "# Incremental GMV, ROI and next quarter's budget\n\nFit the Bayesian SeedingMMM to a "
        "simulated world (so the truth is known), read incremental GMV, ROI and mROI per "
        "channel with intervals, see contributions over time, then plan next quarter: response "
        "curves, where the next yuan stops paying, the recommended split under the "
        "红猫 / 红京 ¥5,000-a-day rule, how sure the model is that it beats the current plan, "
        "and the budget frontier.\n\nThe fit below is deliberately short (300 draws) so the "
        "notebook runs in a minute; it is flagged as not converged. For real use keep the "
        "defaults (`draws=1000`) and check `fit.diagnostics`.",
    ),
    (
        "code",
        "import warnings\nimport numpy as np\nimport seedmodel as sm\n\n"
        "sim = sm.simulate(sm.WorldConfig(start='2025-05-01', n_brands=1, days=300), "
        "random_seed=4)\n"
        "with warnings.catch_warnings():\n"
        "    warnings.simplefilter('ignore')\n"
        "    fit = sm.SeedingMMM().fit(sim.data, draws=300, tune=300, random_seed=3)\n"
        "fit",
    ),
    ("code", "fit.diagnostics"),
    ("md", "## ROI with intervals, against the simulator's truth"),
    (
        "code",
        "table = sm.roi(fit)\n"
        "table['true_roi'] = [sim.truth['roi'][r.brand][r.channel] for r in table.itertuples()]\n"
        "table[['brand', 'channel', 'spend', 'incremental_gmv', 'roi', 'roi_lo', 'roi_hi', "
        "'mroi', 'true_roi', 'incremental_gmv_tmall', 'incremental_gmv_jd']].round(2)",
    ),
    ("md", "## Contributions over time (weekly, per platform)"),
    (
        "code",
        "weekly = sm.contributions(fit, freq='W')\n"
        "weekly.pivot_table('contribution', 'date', 'channel', aggfunc='sum')"
        ".plot(figsize=(8, 3), ylabel='GMV added per week (CNY)');",
    ),
    (
        "md",
        "## Response curves and where the next yuan stops paying\n\nExpected incremental "
        "GMV over the next 90 days against each channel's spend, carryover included. "
        "`breakeven` gives the spend at which mROI falls to 1 (`margins=True` plans for gross "
        "profit instead: then it is mROI = 1 / margin in GMV terms).",
    ),
    (
        "code",
        "resp = sm.plan_response(fit, days=90)\ncurves = sm.response_curves(resp)\n"
        "sm.breakeven(resp).round(2)",
    ),
    (
        "md",
        "## The recommended split\n\nSame total as the last 90 days, spent differently. "
        "Live 红猫 / 红京 cells cost at least ¥5,000 a day or are switched off.",
    ),
    (
        "code",
        "budget = float(resp.current.sum() * resp.periods)\n"
        "plan = sm.allocate(resp, budget)\n"
        "plan.table[['channel', 'current_spend', 'recommended_spend', "
        "'expected_incremental_gmv', 'expected_incremental_gmv_lo', "
        "'expected_incremental_gmv_hi', 'recommended_mroi']].round(0)",
    ),
    ("code", "{k: round(v, 3) if isinstance(v, float) else v for k, v in plan.summary.items()}"),
    (
        "md",
        "A cautious plan (the mean of the worst 10% of posterior draws), and one that moves "
        "no cell by more than 30%:",
    ),
    (
        "code",
        "safe = sm.allocate(resp, budget, objective='cvar', alpha=0.1)\n"
        "gentle = sm.allocate(resp, budget, max_change=0.3)\n"
        "import pandas as pd\n"
        "pd.DataFrame({'mean': plan.recommended[0], 'cvar10': safe.recommended[0], "
        "'max_change_0.3': gentle.recommended[0]}, index=resp.channels).round(0)",
    ),
    (
        "md",
        "Because the world is simulated, the plan can be judged by the *true* response "
        "(never the model's): its true incremental GMV against the true optimum under the same "
        "constraints.",
    ),
    (
        "code",
        "from seedmodel.sim.plan_truth import judge_plan\n"
        "{k: round(v, 3) for k, v in judge_plan(sim.world, plan).items()}",
    ),
    ("md", "## Budget frontier and the plots the report uses"),
    (
        "code",
        "front = sm.frontier(resp, budget * np.array([0.5, 1.0, 1.5, 2.0]))\nfront.round(2)",
    ),
    (
        "code",
        "from seedmodel.report.plan_plots import plot_frontier, plot_response_curves\n"
        "plot_response_curves(curves, plan.table);",
    ),
    (
        "code",
        "plot_frontier(front, (plan.summary['current_spend'], "
        "plan.summary['current_incremental_gmv']));",
    ),
    (
        "md",
        "From the command line: `seedmodel fit DATA --out fit/`, then "
        "`seedmodel optimize fit/ --budget 3000000 --days 90 --out plan.csv` and "
        "`seedmodel report fit/ --out report.html`.",
    ),
]


def build(cells: list[tuple[str, str]]) -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
        for kind, src in cells
    ]
    return nb


def execute(path: Path) -> None:
    """Run ``path`` top to bottom and store its outputs in it, so it reads on any viewer."""
    from nbclient import NotebookClient

    nb = nbf.read(path, as_version=4)
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    nbf.write(nb, path)


if __name__ == "__main__":
    import sys

    HERE.mkdir(exist_ok=True)
    for name, cells in (
        ("01_quickstart", QUICKSTART),
        ("02_engagement_link", LINK),
        ("03_mmm_and_budget", MMM_AND_BUDGET),
    ):
        path = HERE / f"{name}.ipynb"
        nbf.write(build(cells), path)
        if "--execute" in sys.argv[1:]:
            execute(path)
        print("wrote", path, "(with outputs)" if "--execute" in sys.argv[1:] else "")
    # the cell sources above are written for reading; ruff gives them the repository's style
    import subprocess

    for command in (["check", "--fix", "-q"], ["format", "-q"]):
        subprocess.run([sys.executable, "-m", "ruff", *command, str(HERE)], check=False)
