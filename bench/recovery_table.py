"""Markdown tables from ``bench/recovery.py`` results, several runs side by side.

    python bench/recovery_table.py bench/results/recovery_family_latent.json \\
        bench/results/recovery_family_smooth.json

Each file is one model variant on the same worlds. Prints, per run: overall error, signed
error, 90% coverage, interval width and confidently wrong cells; the error of all paid media
together (per world); then the same by channel
and by mechanism group (family runs). Cells whose true ROI is 0 are left out (see
``recovery.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from recovery import by_group, mechanism_cells, media_totals

from seedmodel.sim.truth import interval_scores


def load(path: str, label: str | None) -> pd.DataFrame:
    """A results file's cells, labelled ``label`` (default: the file's name); a file that
    holds several variants keeps them apart as ``label:variant``."""
    cells = pd.DataFrame(json.loads(Path(path).read_text())["cells"])
    name = label or Path(path).stem.removeprefix("recovery_")
    several = cells["variant"].nunique() > 1
    cells["variant"] = name + ":" + cells["variant"] if several else name
    return cells


def widened(cells: pd.DataFrame, days: str) -> pd.DataFrame:
    """``cells`` with each ROI interval (and mROI interval, where the file has it)
    replaced by the block jackknife's widened one (``recovery.py --resampling-blocks``;
    ``days`` such as ``28``, or ``28p`` for the one widened by the prior centres'
    sensitivity too, ``--prior-centres``), re-scored, as variant ``<variant>+widened<days>``."""
    out = cells.copy()
    for est, prefix in (("roi", ""), ("mroi", "mroi_")):
        lo, hi = f"{est}_lo_widened_b{days}", f"{est}_hi_widened_b{days}"
        if lo not in out:
            continue
        out[f"{est}_lo"], out[f"{est}_hi"] = out[lo], out[hi]
        for name, value in interval_scores(out[lo], out[hi], out[f"true_{est}"]).items():
            out[f"{prefix}{name}"] = value
    out["variant"] = out["variant"] + f"+widened{days}"
    return out


def markdown(frame: pd.DataFrame) -> str:
    return frame.reset_index().to_markdown(index=False, floatfmt=".3g")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", help="recovery JSON files")
    ap.add_argument("--labels", nargs="*", default=None, help="one label per file")
    ap.add_argument("--worlds", nargs="*", default=None, help="only these worlds")
    ap.add_argument(
        "--widened",
        nargs="*",
        default=[],
        metavar="DAYS",
        help="also score each run's intervals widened by the block jackknife (blocks of DAYS; "
        "DAYSp: and by the prior centres' sensitivity)",
    )
    args = ap.parse_args(argv)
    labels = args.labels or [None] * len(args.results)
    cells = pd.concat([load(p, lab) for p, lab in zip(args.results, labels, strict=True)])
    cells = pd.concat([cells, *(widened(cells, d) for d in args.widened)], ignore_index=True)
    if args.worlds:
        cells = cells[cells["world"].isin(args.worlds)]
    print("## overall\n\n" + markdown(by_group(cells, ["variant"])))
    print("\n## all paid media together\n\n" + markdown(media_totals(cells)))
    print("\n## by channel\n\n" + markdown(by_group(cells, ["channel", "variant"])))
    if any(c.startswith("mech_") for c in cells.columns):
        long = mechanism_cells(cells)
        print("\n## by mechanism\n\n" + markdown(by_group(long, ["mechanism", "group", "variant"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
