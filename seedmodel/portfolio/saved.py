"""A portfolio folder read back: its group fits, and the portfolio as one fit would be
seen by the report (every brand's data, the worst diagnostics, every check).

Groups that failed keep no fit; they are named in the combined diagnostics' ``reason`` so
that every output fed by the portfolio says that brands are missing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from seedmodel.inference.diagnostics import Diagnostics
from seedmodel.schema import Dataset

__all__ = [
    "GroupFit",
    "SavedPortfolio",
    "combine_checks",
    "combine_diagnostics",
    "load_portfolio",
    "worst_of",
]

#: Groups that did not converge named one by one in the combined reason; more are counted.
MAX_NAMED = 3


@dataclass(frozen=True)
class GroupFit:
    """One group of a saved portfolio.

    Attributes
    ----------
    group : str
        The group's name.
    brands : tuple of str
        Its brands.
    fit : Fit or None
        Its fitted model (None when the group failed).
    checks : dict or None
        Its ``checks.json`` (None when the checks were not run).
    error : str
        Why it failed ("" when it fitted).
    """

    group: str
    brands: tuple[str, ...]
    fit: object | None = None
    checks: dict | None = None
    error: str = ""


@dataclass(frozen=True)
class SavedPortfolio:
    """A portfolio folder written by :func:`~seedmodel.portfolio.fit_portfolio`, read back.

    Attributes
    ----------
    folder : Path
    groups : tuple of GroupFit
        Every group, failed ones included, in group order.
    """

    folder: Path
    groups: tuple[GroupFit, ...]

    @property
    def fits(self) -> list:
        """The fits of the groups that fitted, in group order."""
        return [g.fit for g in self.groups if g.fit is not None]

    @property
    def failed(self) -> tuple[GroupFit, ...]:
        return tuple(g for g in self.groups if g.fit is None)

    @cached_property
    def data(self) -> Dataset:
        """Every fitted brand's data as one dataset."""
        from seedmodel.schema import combine_brands

        return combine_brands([f.data for f in self.fits])

    @cached_property
    def diagnostics(self) -> Diagnostics:
        """The portfolio's diagnostics as one fit's (:func:`combine_diagnostics`)."""
        return combine_diagnostics(self.groups)

    @cached_property
    def checks(self) -> dict | None:
        """Every group's checks as one ``checks.json`` (:func:`combine_checks`)."""
        return combine_checks(self.groups)

    def roi(self) -> pd.DataFrame:
        """The ROI table of every fitted brand (the folder's ``roi.csv``, without its
        ``group`` column), in the fits' brand order."""
        table = pd.read_csv(self.folder / "roi.csv")
        return table.drop(columns="group")

    def groups_table(self) -> pd.DataFrame:
        """One row per group: brands, status, convergence and its numbers, error, and how
        the brands' spreads were taken (:attr:`seedmodel.fit.Fit.brand_spreads`)."""
        rows = []
        for g in self.groups:
            d = g.fit.diagnostics if g.fit is not None else None
            rows.append(
                {
                    "group": g.group,
                    "brands": ", ".join(g.brands),
                    "status": "failed" if d is None else "fitted",
                    "converged": None if d is None else d.converged,
                    "max_rhat": np.nan if d is None else d.max_rhat,
                    "min_ess_bulk": np.nan if d is None else d.min_ess_bulk,
                    "divergences": np.nan if d is None else d.divergences,
                    "seconds": np.nan if d is None else d.seconds,
                    "reason": g.error if d is None else d.reason,
                    "brand_spreads": "" if g.fit is None else g.fit.brand_spreads,
                }
            )
        return pd.DataFrame(rows)


def load_portfolio(folder: str | Path) -> SavedPortfolio:
    """Read a portfolio folder: each group's ``fit.nc`` and ``checks.json``, and the groups
    that failed, from the folder's ``diagnostics.json``.

    Raises
    ------
    DataError
        ``folder`` holds no group fit, or a fit file that cannot be read (see
        :func:`seedmodel.load_fit`).
    """
    from seedmodel.fit import load_fit
    from seedmodel.schema.errors import DataError

    folder = Path(folder)
    found: dict[str, GroupFit] = {}
    for sub in sorted(p for p in (folder / "groups").glob("*") if (p / "fit.nc").is_file()):
        task = _json(sub / "task.json") or {}
        fit = load_fit(sub / "fit.nc")
        name = str(task.get("group", sub.name))
        found[name] = GroupFit(name, fit.data.brand_names, fit, _json(sub / "checks.json"))
    if not found:
        raise DataError(None, f"{folder} holds no fit.nc and no groups/*/fit.nc")
    summary = (_json(folder / "diagnostics.json") or {}).get("groups", {})
    failed = {
        name: GroupFit(name, tuple(g.get("brands", ())), error=str(g.get("error", "")))
        for name, g in summary.items()
        if g.get("status") == "failed" and name not in found
    }
    order = list(summary) + [n for n in found if n not in summary]
    groups = tuple({**found, **failed}[n] for n in order if n in found or n in failed)
    return SavedPortfolio(folder, groups)


def _json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def combine_diagnostics(groups: Sequence[GroupFit]) -> Diagnostics:
    """The groups' diagnostics as one: the worst R-hat and ESS, divergences, seconds and
    gradients summed; converged only when every group fitted and converged, with a reason
    naming each group that did not (or failed)."""
    fitted = [g.fit.diagnostics for g in groups if g.fit is not None]
    reasons = [
        f"group {g.group} ({', '.join(g.brands)}) failed and is not in this report: {g.error}"
        for g in groups
        if g.fit is None
    ]
    behind = [g for g in groups if g.fit is not None and not g.fit.diagnostics.converged]
    if len(behind) > MAX_NAMED:  # one line, the groups' own reasons in their table
        d = [g.fit.diagnostics for g in behind]
        reasons.append(
            f"{len(behind)} of {len(fitted)} groups did not converge "
            f"({', '.join(g.group for g in behind)}): worst R-hat "
            f"{max(x.max_rhat for x in d):.3f}, lowest bulk ESS "
            f"{min(x.min_ess_bulk for x in d):.0f}, {sum(x.divergences for x in d)} "
            "divergences; each group's reason is in the groups' table"
        )
    else:
        reasons += [
            f"group {g.group} ({', '.join(g.brands)}): {g.fit.diagnostics.reason}" for g in behind
        ]

    worst = worst_of([d.to_dict() for d in fitted])
    return Diagnostics(
        **{k: float("nan") if v is None else v for k, v in worst.items()},
        converged=not reasons,
        reason="; ".join(reasons),
    )


def worst_of(diagnostics: Sequence[dict]) -> dict:
    """Several fits' diagnostics (``Diagnostics.to_dict``, as in ``diagnostics.json``) as
    one: the worst R-hat and bulk ESS, the fewest chains and draws, divergences, seconds,
    gradients and restarts summed, the highest step-size target, samplers, backends,
    adaptations, stops and parallelisms each named once. A number no fit has is None; a
    name no fit has is ""."""

    def over(key: str, how, empty=None):
        values = [d[key] for d in diagnostics if d.get(key) not in (None, "")]
        return how(values) if values else empty

    def names(values) -> str:
        return ",".join(sorted(set(values)))

    return {
        "max_rhat": over("max_rhat", max),
        "min_ess_bulk": over("min_ess_bulk", min),
        "divergences": over("divergences", sum),
        "chains": over("chains", min),
        "draws": over("draws", min),
        "sampler": over("sampler", names),
        "seconds": over("seconds", sum),
        "compile_seconds": over("compile_seconds", sum),
        "backend": over("backend", names, ""),
        "adaptation": over("adaptation", names, ""),
        "stopped": over("stopped", names, ""),
        "gradients": over("gradients", sum),
        "parallel": over("parallel", names, ""),
        "target_accept": over("target_accept", max),
        "restarts": over("restarts", sum, 0),
    }


def combine_checks(groups: Sequence[GroupFit]) -> dict | None:
    """The groups' ``checks.json`` as one: their rows (which name their brand) stacked,
    passed only when every group's passed, warnings prefixed by their group. None when no
    fitted group ran its checks; a group without checks is named in the warnings."""
    fitted = [g for g in groups if g.fit is not None]
    have = [g for g in fitted if g.checks is not None]
    if not have:
        return None
    out: dict = {"passed": True, "warnings": [], "settings": dict(have[0].checks["settings"])}
    for g in fitted:
        if g.checks is None:
            out["passed"] = False
            out["warnings"].append(f"group {g.group}: its checks were not run")
            continue
        out["passed"] = out["passed"] and bool(g.checks.get("passed", True))
        out["warnings"] += [f"group {g.group}: {w}" for w in g.checks.get("warnings", [])]
        for key, rows in g.checks.items():
            if isinstance(rows, list) and key != "warnings":
                out.setdefault(key, []).extend(rows)
    settings = [g.checks["settings"] for g in have]
    for key in ("check_fit_converged", "check_fit_trusted"):
        if any(key in s for s in settings):
            out["settings"][key] = all(s.get(key, True) for s in settings)
    reasons = [
        f"group {g.group}: {g.checks['settings']['check_fit_reason']}"
        for g in have
        if g.checks["settings"].get("check_fit_reason")
    ]
    if reasons:
        out["settings"]["check_fit_reason"] = "; ".join(reasons)
    return out
