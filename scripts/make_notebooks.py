"""Write the notebooks in notebooks/ from the cell sources below (run after editing them).

Keeping the sources here makes notebook diffs readable; the test suite executes the notebooks.
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


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    nbf.write(build(QUICKSTART), HERE / "01_quickstart.ipynb")
    print("wrote", HERE / "01_quickstart.ipynb")
