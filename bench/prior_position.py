"""Where the family's true shares of GMV sit against the effect prior's, and how far each
estimate leans towards the prior: fits saved by ``bench/recovery.py --save-fits``, joined to
their scored cells (``recovery.py`` or ``rescore_fits.py`` JSON).

    python bench/prior_position.py --fits /tmp/fits_one /tmp/fits_three \\
        --cells bench/results/recovery_family_rescored_*_1207_fortyfirst.json \\
        --out bench/results/prior_position.json

Per cell, from the fit's no-refit checks (:func:`seedmodel.analysis.checks.fitted_checks`):
the posterior's and the prior's share of the brand's GMV (500 prior draws, the fit's seed).
The true share is the true ROI x spend over the brand's GMV (the posterior's incremental GMV
over its share). Printed by group (one brand or several, light or heavy media, channel):
- where the true share lies against the prior's 90% interval, and the ROI interval's
  coverage there;
- ``pull``: the slope of log(posterior share / true share) on log(prior median / true
  share), 0 when the data alone set the estimate, 1 when the prior does; ``offset``: the
  intercept, what is left when the prior's median is the truth (the estimate's own bias).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import seedmodel as sm
from seedmodel.analysis.checks import fitted_checks


def shares_of(fits: list[str]) -> pd.DataFrame:
    """Each saved fit's shares against the prior: world, n_brands, brand, channel, share,
    prior_share, prior_share_lo, prior_share_hi."""
    frames = []
    for folder in fits:
        for path in sorted(Path(folder).glob("*.nc")):
            fit = sm.load_fit(path)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                shares, _ = fitted_checks(fit)
            world = path.stem.split("__")[0]
            frames.append(shares.assign(world=world, n_brands=len(fit.inputs.brands)))
            print(f"{path.name}: {len(shares)} cells", file=sys.stderr, flush=True)
    return pd.concat(frames, ignore_index=True)


def cells_of(files: list[str]) -> pd.DataFrame:
    """The scored cells, with the number of brands their world was fitted with."""
    frames = []
    for name in files:
        cells = pd.DataFrame(json.loads(Path(name).read_text())["cells"])
        n = cells.groupby("world")["brand"].nunique().rename("n_brands")
        frames.append(cells.join(n, on="world"))
    return pd.concat(frames, ignore_index=True)


def positions(joined: pd.DataFrame) -> pd.DataFrame:
    """Per cell: the true share, where it lies against the prior's interval."""
    total = joined["incremental_gmv"] / joined["share"]
    out = joined.assign(true_share=joined["true_roi"] * joined["spend"] / total)
    out["position"] = np.select(
        [out["true_share"] < out["prior_share_lo"], out["true_share"] > out["prior_share_hi"]],
        ["below", "above"],
        "inside",
    )
    return out


def summary(cells: pd.DataFrame) -> dict:
    """A group's pull towards the prior's median, its offset and the positions."""
    x = np.log(cells["prior_share"] / cells["true_share"])
    y = np.log(cells["share"] / cells["true_share"])
    pull, offset = np.polyfit(x, y, 1)
    row = {"cells": len(cells), "pull": round(pull, 3), "offset": round(offset, 3)}
    row["true_over_prior_median"] = round(
        float((cells["true_share"] / cells["prior_share"]).median()), 2
    )
    for where in ("below", "inside", "above"):
        at = cells[cells["position"] == where]
        row[where] = len(at)
        row[f"coverage_{where}"] = round(float(at["covered"].mean()), 3) if len(at) else None
    row["confidently_wrong"] = int(cells["confidently_wrong"].sum())
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fits", nargs="+", required=True, help="recovery.py --save-fits folders")
    ap.add_argument("--cells", nargs="+", required=True, help="their scored cells (JSON)")
    ap.add_argument("--out", default="bench/results/prior_position.json")
    args = ap.parse_args(argv)

    keys = ["world", "n_brands", "brand", "channel"]
    joined = cells_of(args.cells).merge(shares_of(args.fits), on=keys, validate="one_to_one")
    joined = joined[(joined["share"] > 0) & (joined["true_roi"] > 0)]
    cells = positions(joined)
    groups = {
        "all": cells,
        "one brand": cells[cells["n_brands"] == 1],
        "several brands": cells[cells["n_brands"] > 1],
        **{f"media {m}": g for m, g in cells.groupby("mech_media_share")},
        **{f"channel {c}": g for c, g in cells.groupby("channel")},
    }
    table = pd.DataFrame({name: summary(g) for name, g in groups.items()}).T
    print(table.to_string())
    wrong = cells[cells["confidently_wrong"].astype(bool)]
    shown = [*keys, "true_share", "share", "prior_share_lo", "prior_share", "prior_share_hi"]
    print(wrong[shown].to_string(index=False))
    Path(args.out).write_text(
        json.dumps(
            {
                "args": vars(args),
                "groups": table.reset_index(names="group").to_dict(orient="records"),
                "confidently_wrong": wrong[shown].to_dict(orient="records"),
            },
            indent=1,
            default=float,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
