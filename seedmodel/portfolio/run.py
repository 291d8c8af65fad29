"""A portfolio of brands fitted group by group, on any ``concurrent.futures`` executor.

One group is one hierarchical SeedingMMM fit (:func:`run_group`), a pure function of its
:class:`GroupTask`: the same task gives the same files whatever process, machine or order
runs it. :func:`fit_portfolio` sends each group's data to a worker once, writes each group's
files as it finishes (so that a rerun resumes), retries a group whose task failed or whose
worker died, reports a group that still fails with its error while the others finish, and
writes the merged ``roi.csv`` and ``diagnostics.json`` last, as one set.

Executors: none (in this process, one group after another), a local process pool
(``workers=N``), or any other executor with ``submit``, such as Dask distributed's
(``distributed.Client(address).get_executor()``) for more than one machine.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandas as pd

from seedmodel.inference.options import SamplerConfig
from seedmodel.models.mmm.spec import SeedingMMM
from seedmodel.outputs import json_text
from seedmodel.portfolio.groups import folder_name, portfolio_groups
from seedmodel.schema import Dataset

__all__ = [
    "GROUP_FILES",
    "PORTFOLIO_FILES",
    "GroupResult",
    "GroupTask",
    "Portfolio",
    "fit_portfolio",
    "run_group",
]

#: What a group's folder holds (``groups/<NNN-name>/``).
GROUP_FILES = ("roi.csv", "diagnostics.json", "checks.json", "fit.nc", "task.json")
#: The keys of a single fit's diagnostics.json that a portfolio's holds over its groups.
OVERALL_KEYS = ("max_rhat", "min_ess_bulk", "divergences", "chains", "draws", "sampler", "seconds")
#: What a portfolio run writes at the top of its folder, as one set.
PORTFOLIO_FILES = ("roi.csv", "diagnostics.json")


@dataclass(frozen=True)
class GroupTask:
    """Everything one group's fit needs, sent to a worker once.

    Attributes
    ----------
    group : str
        The group's name.
    folder : str
        Its folder name under ``groups/``.
    data : Dataset
        The group's brands only.
    spec : dict
        ``SeedingMMM.to_dict()``.
    config : dict
        ``SamplerConfig.to_dict()``.
    random_seed : int
        The sampler's seed (the same for every group).
    checks : bool
        Run the per-fit checks (placebo, forecast, prior shares) after the fit.
    """

    group: str
    folder: str
    data: Dataset
    spec: dict
    config: dict
    random_seed: int
    checks: bool = False

    @property
    def key(self) -> str:
        """A digest of the task's inputs and settings: a group whose folder holds the same
        key was fitted from the same inputs and is not fitted again."""
        from seedmodel.fit import _library_version

        h = hashlib.sha256()
        for name in ("media", "sales", "brands", "events", "lift_tests", "attribution"):
            frame = getattr(self.data, name)
            h.update(name.encode())
            h.update(frame.to_csv(index=False, float_format="%.10g").encode())
        settings = {
            "spec": self.spec,
            "config": self.config,
            "seed": self.random_seed,
            "checks": self.checks,
            "version": _library_version(),
        }
        h.update(json.dumps(settings, sort_keys=True).encode())
        return h.hexdigest()


@dataclass(frozen=True)
class GroupResult:
    """One group's outcome.

    Attributes
    ----------
    group : str
        The group's name.
    brands : tuple of str
        Its brands.
    status : {"fitted", "reused", "failed"}
        Fitted in this run, reused from an earlier run with the same inputs, or failed.
    roi : DataFrame or None
        Its ROI table (None when it failed).
    diagnostics : dict
        Its fit's diagnostics (empty when it failed).
    error : str
        Why it failed (empty otherwise).
    attempts : int
        Tries this run (0 when reused).
    files : dict
        File name -> bytes, as the worker wrote them (empty once written or when reused).
    """

    group: str
    brands: tuple[str, ...]
    status: str
    roi: pd.DataFrame | None = None
    diagnostics: dict = field(default_factory=dict)
    error: str = ""
    attempts: int = 0
    files: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def converged(self) -> bool:
        return bool(self.diagnostics.get("converged", False))


def run_group(task: GroupTask) -> GroupResult:
    """Fit one group and compute its ROI (in whatever process runs it). Returns its files
    as bytes, for the caller to write: workers need no shared file system.

    Never raises for a fit that runs: a fit that did not converge is a result like any
    other, marked in its diagnostics. Exceptions (bad data for this group, a crash) go to
    the caller, which retries and then reports them.
    """
    from seedmodel.analysis.incremental import roi
    from seedmodel.fit import NotConvergedWarning, fit_mmm

    spec = SeedingMMM.from_dict(task.spec)
    config = SamplerConfig.from_dict(task.config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)  # in its diagnostics
        fit = fit_mmm(task.data, spec, config=config, random_seed=task.random_seed, progress=None)
    table = roi(fit)
    diagnostics = fit.diagnostics_record()
    files: dict[str, bytes] = {}
    if task.checks:
        from seedmodel.analysis.checks import check_fit

        checks = check_fit(fit).to_dict()
        diagnostics["checks"] = {k: checks[k] for k in ("passed", "warnings")}
        files["checks.json"] = json_text(checks).encode()
    with tempfile.TemporaryDirectory() as tmp:
        files["fit.nc"] = fit.save(Path(tmp) / "fit.nc").read_bytes()
    files["roi.csv"] = _csv(table)
    files["diagnostics.json"] = json_text(diagnostics).encode()
    files["task.json"] = (
        json.dumps({"group": task.group, "brands": task.data.brand_names, "key": task.key}) + "\n"
    ).encode()
    return GroupResult(
        group=task.group,
        brands=task.data.brand_names,
        status="fitted",
        roi=table,
        diagnostics=diagnostics,
        files=files,
    )


def _csv(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False, float_format="%.6g", lineterminator="\n").encode()


@dataclass(frozen=True)
class Portfolio:
    """The outcome of :func:`fit_portfolio`: one result per group, in group-name order.

    Attributes
    ----------
    groups : tuple of GroupResult
        Every group: fitted, reused or failed.
    folder : Path
        Where the files are.
    """

    groups: tuple[GroupResult, ...]
    folder: Path

    @property
    def failed(self) -> tuple[GroupResult, ...]:
        return tuple(g for g in self.groups if g.status == "failed")

    @property
    def converged(self) -> bool:
        """Every group fitted and converged."""
        return not self.failed and all(g.converged for g in self.groups)

    def roi(self) -> pd.DataFrame:
        """The groups' ROI tables, one after another, with a ``group`` column at the end."""
        tables = [g.roi.assign(group=g.group) for g in self.groups if g.roi is not None]
        return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()

    def diagnostics(self) -> dict[str, Any]:
        """Overall (the keys of a single fit's diagnostics.json, over the groups that
        fitted: the worst R-hat and ESS, divergences and seconds summed, ``converged`` only
        when every group fitted and converged) and per group: status, brands, diagnostics,
        error."""
        from seedmodel.portfolio.saved import worst_of

        worst = worst_of([g.diagnostics for g in self.groups if g.diagnostics])
        return {
            **{k: worst[k] for k in OVERALL_KEYS},
            "converged": self.converged,
            "groups_fitted": sum(g.status == "fitted" for g in self.groups),
            "groups_reused": sum(g.status == "reused" for g in self.groups),
            "groups_failed": len(self.failed),
            "groups": {
                g.group: {
                    "status": g.status,
                    "brands": list(g.brands),
                    "attempts": g.attempts,
                    **({"error": g.error} if g.error else {}),
                    **({"diagnostics": g.diagnostics} if g.diagnostics else {}),
                }
                for g in self.groups
            },
        }


def fit_portfolio(
    data: Dataset,
    out: str | Path,
    spec: SeedingMMM | None = None,
    *,
    by: str | int = "category",
    config: SamplerConfig | None = None,
    random_seed: int = 0,
    checks: bool = False,
    executor: Executor | None = None,
    workers: int = 1,
    retries: int = 1,
    progress: Callable[[str], None] | None = None,
    runner: Callable[[GroupTask], GroupResult] = run_group,
) -> Portfolio:
    """Fit a portfolio of brands group by group and write its files under ``out``.

    Parameters
    ----------
    data : Dataset
        All brands.
    out : str or Path
        The portfolio's folder: ``roi.csv`` (every group's ROI, with a ``group`` column),
        ``diagnostics.json`` (overall and per group) and ``groups/<NNN-name>/`` holding
        each group's ``roi.csv``, ``diagnostics.json``, ``fit.nc`` and ``task.json``.
    spec : SeedingMMM, optional
        The model of every group (default ``SeedingMMM()``).
    by : str or int
        How brands are grouped (:func:`~seedmodel.portfolio.groups.portfolio_groups`).
    config : SamplerConfig, optional
        How every group samples (default: until converged, 15 minutes at most per group).
    random_seed : int
        The seed of every group's sampler: results do not depend on the executor or on the
        order in which groups finish.
    checks : bool
        Run the per-fit checks after each group's fit (one more fit per group).
    executor : concurrent.futures.Executor, optional
        Where groups run: for example Dask distributed's
        ``Client("tcp://HOST:PORT").get_executor()``. Default: a local process pool of
        ``workers`` processes, or this process when ``workers`` is 1.
    workers : int
        Processes of the default local pool (and the parallelism assumed when estimating
        the time left).
    retries : int
        Further tries for a group whose task raised or whose worker died.
    progress : callable, optional
        Called with a line per finished group (done / running / failed, time left).
    runner : callable
        The function run per group (default :func:`run_group`).

    Returns
    -------
    Portfolio
        Every group's result. A group that fails after its retries is reported (in the
        result, ``diagnostics.json`` and by ``progress``) while the others are written.
        Groups whose folder already holds a fit of the same inputs and settings are
        reused, not fitted again.
    """
    from seedmodel.outputs import write_set

    out = Path(out)
    spec = spec or SeedingMMM()
    config = config or SamplerConfig()
    groups = portfolio_groups(data, by)
    tasks = [
        GroupTask(
            group=name,
            folder=folder_name(i + 1, name),
            data=data.select_brands(brands),
            spec=spec.to_dict(),
            config=config.to_dict(),
            random_seed=random_seed,
            checks=checks,
        )
        for i, (name, brands) in enumerate(groups.items())
    ]
    results: dict[str, GroupResult] = {}
    pending = []
    for task in tasks:
        reused = _reuse(out / "groups" / task.folder, task)
        if reused is not None:
            results[task.group] = reused
            _say(progress, f"group {task.group}: reused (same inputs and settings)")
        else:
            pending.append(task)
    start, ran = time.perf_counter(), [0]

    def record(task: GroupTask, result: GroupResult) -> None:
        if result.files:
            folder = out / "groups" / task.folder
            write_set(folder, lambda tmp: _write_files(tmp, result.files), owned=GROUP_FILES)
            result = replace(result, files={})
        results[task.group] = result
        ran[0] += 1
        failed = sum(r.status == "failed" for r in results.values())
        left = len(tasks) - len(results)
        # a group's own fit time (groups run side by side on the workers); the wall time
        # per group when no fit has reported one
        took = [r.diagnostics["seconds"] for r in results.values() if r.status == "fitted"]
        per_group = sum(took) / len(took) if took else (time.perf_counter() - start) / ran[0]
        waves = -(-left // max(1, workers))
        _say(
            progress,
            f"group {task.group}: {_verdict(result)}; {len(results) - failed} done, "
            f"{left} to go, {failed} failed"
            + (f", about {per_group * waves / 60:.1f} min left" if left else ""),
        )

    _run(pending, runner, executor, workers, retries, record)
    portfolio = Portfolio(tuple(results[t.group] for t in tasks), out)
    table = portfolio.roi()

    def fill(tmp: Path) -> None:
        if not table.empty:
            (tmp / "roi.csv").write_bytes(_csv(table))
        (tmp / "diagnostics.json").write_text(json_text(portfolio.diagnostics(), default=str))

    write_set(out, fill, owned=PORTFOLIO_FILES)  # the merged files as one set; groups/ kept
    return portfolio


def _run(pending, runner, executor, workers, retries, record) -> None:
    """Run the tasks on the executor; retry failures up to ``retries`` times; a local pool
    broken by a dying worker is replaced."""
    tries = {t.group: 0 for t in pending}
    own = executor is None and workers > 1
    while pending:
        failed: list[tuple[Any, str]] = []
        if executor is None and not own:
            for task in pending:
                tries[task.group] += 1
                try:
                    record(task, replace(runner(task), attempts=tries[task.group]))
                except Exception as exc:  # reported; the others go on
                    failed.append((task, _one_line(exc)))
        else:
            # spawned, not forked: a fork of a process whose JAX or BLAS threads run can
            # deadlock in the child
            pool = (
                ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
                if own
                else executor
            )
            try:
                futures: dict[Future, GroupTask] = {}
                for task in pending:
                    tries[task.group] += 1
                    futures[pool.submit(runner, task)] = task
                remaining = set(futures)
                while remaining:
                    finished, remaining = wait(remaining, return_when="FIRST_COMPLETED")
                    for future in sorted(finished, key=lambda f: futures[f].folder):
                        task = futures[future]
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            failed.append((task, "its worker process died"))
                            continue
                        except Exception as exc:  # reported; the others go on
                            failed.append((task, _one_line(exc)))
                            continue
                        record(task, replace(result, attempts=tries[task.group]))
            finally:
                if own:
                    pool.shutdown(wait=True, cancel_futures=True)
        pending = []
        for task, error in failed:
            if tries[task.group] <= retries:
                pending.append(task)
            else:
                record(
                    task,
                    GroupResult(
                        group=task.group,
                        brands=task.data.brand_names,
                        status="failed",
                        error=error,
                        attempts=tries[task.group],
                    ),
                )


def _reuse(folder: Path, task: GroupTask) -> GroupResult | None:
    """The group's earlier result when its folder holds a fit of the same task."""
    try:
        saved = json.loads((folder / "task.json").read_text(encoding="utf-8"))
        if saved.get("key") != task.key:
            return None
        table = pd.read_csv(folder / "roi.csv")
        diagnostics = json.loads((folder / "diagnostics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (folder / "fit.nc").is_file():
        return None
    return GroupResult(
        group=task.group,
        brands=task.data.brand_names,
        status="reused",
        roi=table,
        diagnostics=diagnostics,
    )


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        (folder / name).write_bytes(content)


def _verdict(result: GroupResult) -> str:
    if result.status == "failed":
        return f"FAILED after {result.attempts} tries ({result.error})"
    d = result.diagnostics
    state = "converged" if result.converged else "NOT converged"
    return f"{result.status} ({state}, {d.get('seconds', 0):.0f} s)"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def _say(progress: Callable[[str], None] | None, line: str) -> None:
    if progress is not None:
        progress(line)
