"""What predicts a channel's ROI error over the world family: a regression of each cell's
log(estimate / truth) on the world's drawn mechanism parameters.

The recovery tables (``bench/recovery_table.py``) cut each mechanism into two or three bands
and look at one at a time; the bands overlap (a long lag often comes with a large share of
GMV). This fits them together, on their continuous values, so that each coefficient is the
change in log error with one mechanism while the others are held fixed.

    python bench/recovery_drivers.py \\
        bench/results/recovery_family_half_wide_0_29_1205_eighteenth.json \\
        bench/results/recovery_family_half_wide_30_59_1205_eighteenth.json \\
        --channel little_red_star --out bench/results/recovery_drivers.json

Each world is simulated again from its family seed and the cells' simulation seed, to read
the channel's true share of GMV; the rest comes from the world's configuration. Prints the
coefficients with their 90% intervals (ordinary least squares, HC3 standard errors: the
cells' errors are not equally noisy) and writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

#: The regressors: name -> what it is (the world's drawn value, for the channel analysed).
DRIVERS = {
    "log_share": "log of the channel's true share of the window's GMV over 5% (the effect "
    "prior's centre)",
    "log_mean_lag": "log of the channel's true mean lag in days (Weibull or geometric)",
    "hill_slope": "the true Hill slope of its saturation",
    "duty": "share of days its flights are on",
    "spend_growth": "its budget's growth over the data",
    "buzz": "buzz strength (slow confounding)",
    "shock_pull": "how hard budgets chase fast demand shocks",
    "shock_sd": "size of the fast demand shocks",
    "budget_lead": "days budgets lead (+) or lag (-) demand",
    "trend_bend": "bend of the baseline's trend",
    "level_shifts": "level shifts in the baseline",
}


def world_row(world: str, seed: int, channel: str, brand: str) -> dict[str, float]:
    """The drivers of ``channel`` in family world ``world`` (``family-<n>``) for ``brand``."""
    import seedmodel as sm
    from seedmodel.sim.family import family_world

    config = family_world(int(world.split("-")[1])).config
    spec = next(c for c in config.channels if c.name == channel)
    sim = sm.simulate(config, random_seed=seed)
    start, end = sim.truth["window"]
    sales = sim.data.sales
    sales = sales[(sales["brand"] == brand) & sales["date"].between(start, end)]
    share = sim.truth["incremental_gmv"][brand][channel] / float(sales["gmv"].sum())
    mean_lag = spec.mean_lag()  # as the tables
    cycle = spec.flight_on + spec.flight_off
    return {
        "log_share": math.log(max(share, 1e-6) / 0.05),
        "log_mean_lag": math.log(max(mean_lag, 0.1)),
        "hill_slope": spec.hill_slope,
        "duty": spec.flight_on / cycle if cycle > 0 else 1.0,
        "spend_growth": spec.spend_growth,
        "buzz": config.buzz_strength,
        "shock_pull": config.shock_budget_pull,
        "shock_sd": config.shock_sd,
        "budget_lead": float(config.budget_lead_days),
        "trend_bend": config.trend_bend,
        "level_shifts": float(config.level_shifts),
    }


def drivers_table(cells: pd.DataFrame, channel: str) -> pd.DataFrame:
    """One row per cell of ``channel``: its log error, whether its interval covered the
    truth, and the world's drivers."""
    rows = []
    for c in cells[cells["channel"] == channel].itertuples():
        rows.append(
            {
                "world": c.world,
                "log_error": math.log(c.roi / c.true_roi),
                "covered": bool(c.covered),
                **world_row(c.world, int(c.seed), channel, c.brand),
            }
        )
    return pd.DataFrame(rows)


def regress(table: pd.DataFrame) -> pd.DataFrame:
    """OLS of the log error on the drivers (HC3 errors): coefficient, 90% interval, p."""
    import statsmodels.api as smapi

    x = smapi.add_constant(table[list(DRIVERS)])
    fit = smapi.OLS(table["log_error"], x).fit(cov_type="HC3")
    ci = fit.conf_int(alpha=0.10)
    return pd.DataFrame(
        {
            "coef": fit.params,
            "lo": ci[0],
            "hi": ci[1],
            "p": fit.pvalues,
            "driver_sd": x.std().where(x.std() > 0, np.nan),
        }
    ).assign(per_sd=lambda f: f["coef"] * f["driver_sd"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="family results of bench/recovery.py")
    parser.add_argument("--channel", default="little_red_star")
    parser.add_argument("--out", default=None, help="JSON to write")
    args = parser.parse_args(argv)
    cells = pd.concat(
        [pd.DataFrame(json.loads(Path(p).read_text())["cells"]) for p in args.results]
    )
    cells = cells[cells["world"].str.startswith("family-") & (cells["true_roi"] > 0)]
    table = drivers_table(cells, args.channel)
    coefs = regress(table)
    print(f"{args.channel}: {len(table)} cells, log(estimate / truth) on the drivers")
    print(coefs.round(3).to_markdown(floatfmt=".3f"))
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {
                    "args": vars(args),
                    "drivers": DRIVERS,
                    "coefficients": coefs.reset_index(names="driver").to_dict("records"),
                    "cells": table.to_dict("records"),
                },
                indent=1,
                default=float,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
