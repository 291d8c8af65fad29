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

import numpy as np
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
        _rescore(out, est, prefix, out[lo], out[hi])
    out["variant"] = out["variant"] + f"+widened{days}"
    return out


def prior_scaled(cells: pd.DataFrame, days: int, scale: float) -> pd.DataFrame:
    """``cells`` re-scored with intervals as the prior centres' widening would give them
    were each centre uncertain by ``scale`` times its prior's sd instead of once
    (``recovery.py --resampling-blocks DAYS --prior-centres``), as variant
    ``<variant>+prior<scale>``.

    A widened interval's log ends are ``m + f * (q - m)`` for the posterior's log
    quantile ``q``, median ``m`` and factor ``f``; the months' interval (factor ``f1``)
    and the one with the prior centres (``f2``) fix ``m`` and ``q``, and the factor at
    ``scale`` is ``sqrt(f1**2 + scale**2 * (f2**2 - f1**2))`` (capped as ``roi()`` caps).
    """
    from seedmodel.analysis.influence import MAX_WIDENING

    out = cells.copy()
    for est, prefix, factor in (("roi", "", "widening"), ("mroi", "mroi_", "mroi_widening")):
        f1, f2 = out.get(f"{factor}_b{days}"), out.get(f"{factor}_b{days}p")
        if f1 is None or f2 is None:
            continue
        f = np.minimum(np.sqrt(f1**2 + scale**2 * (f2**2 - f1**2)), MAX_WIDENING)
        moved = (f2 - f1).abs() > 1e-9
        ends = {}
        for end in ("lo", "hi"):
            q1 = np.log(out[f"{est}_{end}_widened_b{days}"])
            q2 = np.log(out[f"{est}_{end}_widened_b{days}p"])
            d = (q2 - q1) / (f2 - f1).where(moved)  # q - m
            ends[end] = np.exp(q1 + ((f - f1) * d).where(moved, 0.0))
        _rescore(out, est, prefix, ends["lo"], ends["hi"])
    out["variant"] = out["variant"] + f"+prior{scale:g}"
    return out


def _rescore(out: pd.DataFrame, est: str, prefix: str, lo: pd.Series, hi: pd.Series) -> None:
    """Put ``[lo, hi]`` in place of ``out``'s ``est`` interval and its scores
    (:func:`seedmodel.sim.truth.interval_scores`, columns prefixed ``prefix``)."""
    out[f"{est}_lo"], out[f"{est}_hi"] = lo, hi
    for name, value in interval_scores(lo, hi, out[f"true_{est}"]).items():
        out[f"{prefix}{name}"] = value


def compact(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per variant: the overall scores, each channel's coverage beside them, and
    mROI's coverage and confidently wrong cells (where scored): a tier of the family on one
    line, for tables that set tiers (files labelled alike are pooled) side by side."""
    overall = by_group(cells, ["variant"])
    keep = ["cells", "median_rel_err", "median_signed_err", "coverage", "median_width"]
    keep += ["confidently_wrong"]
    keep += [c for c in ("mroi_coverage", "mroi_confidently_wrong") if c in overall]
    per = by_group(cells, ["variant", "channel"])["coverage"].unstack("channel")
    return overall[keep].join(per.add_prefix("coverage_"))


def confidently_wrong(cells: pd.DataFrame) -> pd.DataFrame:
    """The cells whose 90% interval misses the truth by a factor of two or more, with the
    estimate, its interval and the truth, per variant."""
    wrong = cells[(cells["true_roi"] > 0) & cells["confidently_wrong"].astype(bool)]
    cols = ["variant", "world", "brand", "channel", "roi", "roi_lo", "roi_hi", "true_roi"]
    return wrong[cols].round(2).sort_values(["variant", "world", "brand", "channel"])


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
    ap.add_argument(
        "--prior-scales",
        nargs="*",
        type=float,
        default=[],
        metavar="K",
        help="with a file of recovery.py --resampling-blocks 28 --prior-centres: also score "
        "the intervals as if each prior centre were uncertain by K times its prior's sd",
    )
    ap.add_argument(
        "--only",
        nargs="*",
        default=None,
        metavar="VARIANT",
        help="print only these variants (after --widened and --prior-scales add theirs)",
    )
    ap.add_argument(
        "--compact",
        action="store_true",
        help="print one line per label (files given the same label pooled): overall scores "
        "and each channel's coverage",
    )
    ap.add_argument(
        "--list-wrong",
        action="store_true",
        help="also list the confidently wrong cells",
    )
    args = ap.parse_args(argv)
    labels = args.labels or [None] * len(args.results)
    cells = pd.concat([load(p, lab) for p, lab in zip(args.results, labels, strict=True)])
    scaled = [prior_scaled(cells, 28, k) for k in args.prior_scales]
    cells = pd.concat([cells, *(widened(cells, d) for d in args.widened), *scaled])
    cells = cells.reset_index(drop=True)
    if args.worlds:
        cells = cells[cells["world"].isin(args.worlds)]
    if args.only:
        cells = cells[cells["variant"].isin(args.only)]
    if args.compact:
        print(markdown(compact(cells)))
        if args.list_wrong:
            print("\n" + confidently_wrong(cells).to_markdown(index=False))
        return 0
    if args.list_wrong:
        print("## confidently wrong\n\n" + confidently_wrong(cells).to_markdown(index=False) + "\n")
    print("## overall\n\n" + markdown(by_group(cells, ["variant"])))
    print("\n## all paid media together\n\n" + markdown(media_totals(cells)))
    print("\n## by channel\n\n" + markdown(by_group(cells, ["channel", "variant"])))
    if any(c.startswith("mech_") for c in cells.columns):
        long = mechanism_cells(cells)
        print("\n## by mechanism\n\n" + markdown(by_group(long, ["mechanism", "group", "variant"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
