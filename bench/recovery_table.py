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


def load(path: str, label: str | None) -> pd.DataFrame:
    """A results file's cells, labelled ``label`` (default: the file's name); a file that
    holds several variants keeps them apart as ``label:variant``."""
    cells = pd.DataFrame(json.loads(Path(path).read_text())["cells"])
    name = label or Path(path).stem.removeprefix("recovery_")
    several = cells["variant"].nunique() > 1
    cells["variant"] = name + ":" + cells["variant"] if several else name
    return cells


def markdown(frame: pd.DataFrame) -> str:
    return frame.reset_index().to_markdown(index=False, floatfmt=".3g")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", help="recovery JSON files")
    ap.add_argument("--labels", nargs="*", default=None, help="one label per file")
    ap.add_argument("--worlds", nargs="*", default=None, help="only these worlds")
    args = ap.parse_args(argv)
    labels = args.labels or [None] * len(args.results)
    cells = pd.concat([load(p, lab) for p, lab in zip(args.results, labels, strict=True)])
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
