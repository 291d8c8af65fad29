"""The ``seedmodel`` command line (docs/contract.md section 4): thin wrappers over the library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields

from seedmodel.inference.options import (
    ADAPTATIONS,
    BACKENDS,
    METHODS,
    PARALLEL,
    SAMPLERS,
    UNTIL_CONVERGED_TUNE,
    SamplerConfig,
)
from seedmodel.models.mmm.spec import (
    BASELINES,
    BUDGET_REACTIONS,
    DEMAND_FAST,
    DEMAND_MODES,
    LIFT_TRANSPORT,
    LIKELIHOODS,
    TRENDS,
    SeedingMMM,
)
from seedmodel.schema import ArgumentError, DataError

__all__ = ["main"]

EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_NOT_CONVERGED = 3
#: A portfolio (``fit --by``) in which some groups failed; the others are written.
EXIT_GROUPS_FAILED = 4
#: The files ``fit`` writes into FIT_DIR, replaced as one set.
FIT_FILES = ("roi.csv", "diagnostics.json", "checks.json", "fit.nc")
#: What ``seedmodel run`` writes (replaced as one set).
RUN_FILES = (*FIT_FILES, "plan.csv", "report.html")
#: Report languages (seedmodel.report.i18n.LANGS; repeated here so that --help stays light).
LANGS = ("en", "zh")
#: Fewest days ``simulate`` writes (its lift tests and link analysis need this many).
MIN_SIM_DAYS = 60


def _cmd_check(args: argparse.Namespace) -> int:
    from seedmodel.fit import MIN_PERIODS as FIT_MIN
    from seedmodel.linkage.analysis import MIN_PERIODS as LINK_MIN
    from seedmodel.schema import load

    data = load(args.path)
    n, unit = len(data.dates), "days" if data.freq == "D" else "weeks"
    enough = [name for name, need in (("fit", FIT_MIN), ("link", LINK_MIN)) if n >= need[data.freq]]
    print(
        f"ok: {n} {unit} {data.dates[0].date()}..{data.dates[-1].date()}, "
        f"{len(data.brand_names)} brand(s), channels {', '.join(data.channel_names)}, "
        f"platforms {', '.join(data.platform_names)}; enough data for: "
        f"{', '.join(enough) or 'the data report only'}"
    )
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from seedmodel.sim import WorldConfig, simulate

    config = WorldConfig(
        n_brands=args.brands, days=args.days, freq=args.freq, lift_tests=args.lift_tests
    )
    sim = simulate(config, random_seed=args.seed)
    sim.write(args.out)
    print(f"wrote a simulated dataset and truth.json to {args.out}")
    return 0


def _note(line: str) -> None:
    print(f"seedmodel: note: {line}", file=sys.stderr)


def _cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from seedmodel.outputs import check_out, write_file, write_set
    from seedmodel.report.compose import data_report, fit_report, plan_from_table

    if args.tables is not None:
        check_out(args.tables, "dir", "--tables")
    plan_csv = _read_plan(args.plan) if args.plan is not None else None  # before any work
    fit_file = Path(args.path) / "fit.nc"
    if fit_file.is_file():  # a FIT_DIR: the fitted model's data and its ROI
        import json

        from seedmodel.fit import load_fit

        fit = load_fit(fit_file)
        checks_file = Path(args.path) / "checks.json"
        checks = (
            json.loads(checks_file.read_text(encoding="utf-8")) if checks_file.is_file() else None
        )
        plan = plan_from_table(fit, plan_csv) if plan_csv is not None else None
        page = fit_report(fit, checks=checks, plan=plan, **_report_options(args))
    elif any(Path(args.path).glob("groups/*/fit.nc")):  # a portfolio: one report of all
        from seedmodel.portfolio import load_portfolio
        from seedmodel.report.compose import portfolio_report

        portfolio = load_portfolio(args.path)
        plan = plan_from_table(portfolio.fits, plan_csv) if plan_csv is not None else None
        page = portfolio_report(portfolio, plan=plan, workers=args.workers, **_report_options(args))
    else:
        if args.plan is not None or args.budget is not None:
            raise ArgumentError(
                f"{args.path} holds no fit.nc: --plan and --budget need a FIT_DIR or a "
                "PORTFOLIO_DIR (run seedmodel fit, or seedmodel run)"
            )
        from seedmodel.schema import load

        page = data_report(
            load(args.path), source=str(args.path), lang=args.lang, seed=args.seed, note=_note
        )
    if args.tables is not None:
        from seedmodel.report.html import downloads

        tables = {Path(name).name: data for name, data in downloads(page).items()}

        def fill(folder: Path) -> None:
            for name, data in tables.items():
                (folder / name).write_bytes(data)

        write_set(args.tables, fill, owned=tables)
        print(f"wrote {len(tables)} tables (CSV) to {args.tables}")
    write_file(args.out, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    print(f"wrote {args.out}")
    return 0


def _report_options(args: argparse.Namespace) -> dict:
    """What ``report`` passes to the report of a fit and of a portfolio alike."""
    return {
        "budget": args.budget,
        "days": args.days,
        "source": str(args.path),
        "lang": args.lang,
        "seed": args.seed,
        "note": _note,
    }


def _read_plan(path: str):
    """plan.csv as written by ``seedmodel optimize``, checked (:func:`plan_table`); one line
    naming the problem if not."""
    import pandas as pd

    from seedmodel.report.compose import plan_table

    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ArgumentError(f"--plan {path}: cannot be read as a plan.csv ({exc})") from None
    plan_table(table)
    return table


def _plan_arguments(p: argparse.ArgumentParser) -> None:
    """``--budget`` and ``--days`` of the plan a report shows."""
    p.add_argument(
        "--budget",
        type=_real(0, inclusive=False),
        default=None,
        help="total CNY of the plan (default: what the last --days of data spent)",
    )
    p.add_argument("--days", type=_whole(1), default=90, help="days of the plan (default 90)")


def _backend_argument(p: argparse.ArgumentParser) -> None:
    """``--backend``: nutpie's compiler."""
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default=SamplerConfig.backend,
        help="nutpie's compiler: auto/jax compiles in seconds; numba compiles for minutes the "
        "first time, then caches its code and samples faster (repeated and weekly fits)",
    )


def _progress(args: argparse.Namespace, stage: str):
    """A printer of progress lines for ``stage``, or None with ``--quiet``."""
    if args.quiet:
        return None
    return lambda line: print(f"seedmodel: {stage}: {line}", file=sys.stderr, flush=True)


def _sampler_config(args: argparse.Namespace) -> SamplerConfig:
    """The sampler settings the command offers (fit: all; run: the time budget, the
    warm-up and the compiler); the defaults of the rest are SamplerConfig's own."""
    offered = {f.name for f in fields(SamplerConfig)} & set(vars(args))
    return SamplerConfig(**{k: getattr(args, k) for k in offered})


def _fit_and_check(args: argparse.Namespace, spec):
    """Load, check, fit and run the per-fit checks: (fit, roi table, diagnostics dict,
    checks dict or None)."""
    import warnings

    from seedmodel.analysis.incremental import check_window, roi
    from seedmodel.fit import NotConvergedWarning, check_fit_data, fit_mmm
    from seedmodel.schema import load

    data = load(args.path)
    check_fit_data(data)
    start, end = getattr(args, "start", None), getattr(args, "end", None)
    check_window(data.dates, data.period_days, start, end)
    config = _sampler_config(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)  # said below, in every output
        fit = fit_mmm(
            data,
            spec,
            config=config,
            progress=_progress(args, "sampling"),
            random_seed=args.seed,
        )
    table = roi(fit, window=(start, end))
    diag = fit.diagnostics_record()
    checks = None
    if args.checks:
        from seedmodel.analysis.checks import check_fit

        if not args.quiet:
            print(
                "seedmodel: checks: one more fit (placebo channel, last quarter held out)",
                file=sys.stderr,
            )
        checks = check_fit(fit, progress=_progress(args, "checks")).to_dict()
        diag["checks"] = {k: checks[k] for k in ("passed", "warnings")}
    return fit, table, diag, checks


def _write_fit_files(tmp, fit, table, diag, checks) -> None:
    from seedmodel.outputs import json_text

    table.to_csv(tmp / "roi.csv", index=False, float_format="%.6g", lineterminator="\n")
    (tmp / "diagnostics.json").write_text(json_text(diag))
    if checks is not None:
        (tmp / "checks.json").write_text(json_text(checks))
    fit.save(tmp / "fit.nc")


def _fit_warnings(fit, checks, hint: str) -> None:
    """The stderr lines of failed checks and of a fit that did not converge."""
    for line in (checks or {}).get("warnings", []):
        print(f"seedmodel: CHECK: {line}", file=sys.stderr)
    if not fit.diagnostics.converged:
        print(
            f"seedmodel: WARNING: the fit did NOT converge ({fit.diagnostics.reason}); "
            "roi.csv and diagnostics.json say converged=false. Do not use these numbers "
            f"as they stand: {hint}",
            file=sys.stderr,
        )


def _write_plan(path, plan, converged: bool, days: int) -> None:
    """plan.csv: the plan's table, whether its fit (every group's fit) converged, and the
    horizon and budget that ``report --plan`` reads back."""
    table = plan.table.assign(converged=bool(converged), days=days, budget=plan.summary["budget"])
    table.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")


def _cmd_fit(args: argparse.Namespace) -> int:
    from seedmodel.models.mmm.spec import SeedingMMM
    from seedmodel.outputs import write_set

    spec = SeedingMMM(
        demand=args.demand,
        demand_fast=args.demand_fast,
        engagement=args.engagement,
        likelihood=args.likelihood,
        baseline=args.baseline,
        trend=args.trend,
        budget_reaction=args.budget_reaction,
        lift_transport=args.lift_transport,
    )
    if args.by is not None:
        return _fit_portfolio(args, spec)
    if args.scheduler is not None or args.workers > 1:
        raise ArgumentError("--workers and --scheduler run a portfolio: give --by as well")
    fit, table, diag, checks = _fit_and_check(args, spec)
    write_set(
        args.out, lambda tmp: _write_fit_files(tmp, fit, table, diag, checks), owned=FIT_FILES
    )
    _fit_warnings(
        fit,
        checks,
        "raise --max-minutes, or --chains."
        if fit.diagnostics.stopped == "time budget"
        else "raise --draws / --chains, or leave --draws out to sample until converged.",
    )
    if not fit.diagnostics.converged and args.strict:
        return EXIT_NOT_CONVERGED
    print(
        f"wrote roi.csv, diagnostics.json{', checks.json' if checks else ''} and fit.nc to "
        f"{args.out} "
        f"({'converged' if fit.diagnostics.converged else 'NOT converged'}, "
        f"{fit.diagnostics.seconds:.0f} s)"
    )
    return 0


def _fit_portfolio(args: argparse.Namespace, spec) -> int:
    """``seedmodel fit --by``: the brands in groups, each group one fit, on local workers
    or a Dask cluster."""
    from seedmodel.portfolio import fit_portfolio, portfolio_groups
    from seedmodel.schema import load

    if args.start or args.end:
        raise ArgumentError("--start / --end are not offered with --by yet: fit the whole data")
    data = load(args.path)
    by = int(args.by) if args.by.isdigit() else args.by
    portfolio_groups(data, by)  # refuses an unknown column before any work
    config = _sampler_config(args)
    executor, client = None, None
    if args.scheduler is not None:
        try:
            from distributed import Client
        except ImportError:
            raise ArgumentError(
                '--scheduler needs Dask distributed: pip install "seedmodel[dask]"'
            ) from None
        try:
            client = Client(args.scheduler, timeout=30)
        except (OSError, TimeoutError) as exc:
            raise ArgumentError(f"--scheduler {args.scheduler}: cannot connect ({exc})") from None
        executor = client.get_executor()
    try:
        portfolio = fit_portfolio(
            data,
            args.out,
            spec,
            by=by,
            config=config,
            random_seed=args.seed,
            checks=args.checks,
            executor=executor,
            workers=args.workers,
            progress=_progress(args, "portfolio"),
        )
    finally:
        if client is not None:
            client.close()
    for group in portfolio.failed:
        print(f"seedmodel: group {group.group} failed: {group.error}", file=sys.stderr)
    unconverged = [g.group for g in portfolio.groups if g.diagnostics and not g.converged]
    if unconverged:
        print(
            f"seedmodel: warning: {len(unconverged)} group(s) did not converge "
            f"({', '.join(unconverged)}); see diagnostics.json",
            file=sys.stderr,
        )
    counts = portfolio.diagnostics()
    print(
        f"wrote roi.csv, diagnostics.json and groups/ to {args.out} "
        f"({counts['groups_fitted']} fitted, {counts['groups_reused']} reused, "
        f"{counts['groups_failed']} failed)"
    )
    if portfolio.failed:
        return EXIT_GROUPS_FAILED
    if unconverged and args.strict:
        return EXIT_NOT_CONVERGED
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    """The main job: fit (until converged), check, plan and report, written as one set."""
    from seedmodel.models.mmm.spec import SeedingMMM
    from seedmodel.outputs import write_set
    from seedmodel.report.compose import fit_report, report_plan

    fit, table, diag, checks = _fit_and_check(args, SeedingMMM())
    if not args.quiet:
        print("seedmodel: planning and writing the report", file=sys.stderr)
    plan = report_plan(fit, budget=args.budget, days=args.days) or {}
    page = fit_report(
        fit,
        roi_table=table,
        checks=checks,
        plan=plan,
        source=str(args.path),
        lang=args.lang,
        seed=args.seed,
        note=_note,
    )

    def fill(tmp) -> None:
        _write_fit_files(tmp, fit, table, diag, checks)
        if plan:
            _write_plan(tmp / "plan.csv", plan["plan"], fit.diagnostics.converged, args.days)
        (tmp / "report.html").write_text(page, encoding="utf-8")

    write_set(args.out, fill, owned=RUN_FILES)
    _fit_warnings(fit, checks, "raise --max-minutes.")
    if not fit.diagnostics.converged and args.strict:
        return EXIT_NOT_CONVERGED
    print(
        f"wrote {', '.join(f for f in RUN_FILES if f != 'checks.json' or checks)} to {args.out} "
        f"({'converged' if fit.diagnostics.converged else 'NOT converged'}, "
        f"{fit.diagnostics.seconds:.0f} s of sampling); open {args.out}/report.html"
    )
    return 0


def _cmd_link(args: argparse.Namespace) -> int:
    from seedmodel.linkage import link
    from seedmodel.schema import load

    data = load(args.path)
    readings = {} if args.readings is None else {"trend_knot_days": tuple(args.readings)}
    result = link(data, max_lag=args.max_lag, random_seed=args.seed, **readings)
    path = result.write(args.out)
    counts = result.table["verdict"].value_counts().to_dict()
    print(f"wrote {path} ({len(result.table)} rows: {counts})")
    return 0


def _cmd_optimize(args: argparse.Namespace) -> int:
    from pathlib import Path

    from seedmodel.fit import load_fit
    from seedmodel.plan import allocate

    fit_file = Path(args.path) / "fit.nc"
    if fit_file.is_file():
        fits = [load_fit(fit_file)]
    elif any(Path(args.path).glob("groups/*/fit.nc")):  # a portfolio: one budget for all
        from seedmodel.portfolio.plan import load_group_fits

        fits = load_group_fits(args.path)
    else:
        print(
            f"seedmodel: bad input: {args.path} has no fit.nc (run seedmodel fit)", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    min_daily = None if args.min_daily_spend is None else {}
    if args.min_daily_spend:
        min_daily = {
            c: args.min_daily_spend
            for f in fits
            for c in f.data.paid_channels
            if c in f.data.link_channels
        }
    try:
        source = fits[0]
        if len(fits) > 1:
            from seedmodel.portfolio.plan import portfolio_plan_response

            source = portfolio_plan_response(fits, args.days, margins=args.margins)
        plan = allocate(
            source,
            args.budget,
            days=args.days,
            off=args.off,
            min_daily_spend=min_daily,
            max_change=args.max_change,
            objective=args.objective,
            alpha=args.alpha,
            margins=args.margins,
        )
    except ValueError as exc:
        print(f"seedmodel: bad input: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from seedmodel.outputs import write_file

    converged = all(f.diagnostics.converged for f in fits)
    out = write_file(args.out, lambda tmp: _write_plan(tmp, plan, converged, args.days))
    s = plan.summary
    for f in fits:
        if not f.diagnostics.converged:
            whose = "" if len(fits) == 1 else f" of {', '.join(f.data.brand_names)}"
            print(
                f"seedmodel: WARNING: the fit{whose} did NOT converge ({f.diagnostics.reason}); "
                "plan.csv says converged=false. Do not act on this plan as it stands.",
                file=sys.stderr,
            )
    print(
        f"wrote {out}: spend {s['recommended_spend']:,.0f} (current {s['current_spend']:,.0f}); "
        f"expected incremental GMV {s['recommended_incremental_gmv']:,.0f} "
        f"[{s['recommended_incremental_gmv_lo']:,.0f}, {s['recommended_incremental_gmv_hi']:,.0f}] "
        f"vs current {s['current_incremental_gmv']:,.0f}; "
        f"P(better than current) = {s['prob_better']:.2f}"
    )
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with its refusals in the house style: one line, exit 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"seedmodel: bad input: {self.prog}: {message}\n")


def _whole(low: int) -> Callable[[str], int]:
    """argparse type: a whole number >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        return value

    return parse


def _reading(text: str) -> int | None:
    """argparse type of ``link --readings``: ``none`` or a knot spacing of at least 7 days."""
    if text.lower() == "none":
        return None
    return _whole(7)(text)


def _real(low: float, *, inclusive: bool, high: float = float("inf")) -> Callable[[str], float]:
    """argparse type: a finite number above ``low`` (or equal, when inclusive), below
    ``high`` (:func:`seedmodel.plan.arguments.check_number`, the API's own check)."""

    def parse(text: str) -> float:
        from seedmodel.plan.arguments import check_number  # not at start-up: it loads scipy

        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        try:
            return check_number("the value", value, low=low, high=high, inclusive=inclusive)
        except ArgumentError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _date(text: str) -> str:
    """argparse type: a YYYY-MM-DD date."""
    import pandas as pd

    try:
        pd.Timestamp(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return text


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="seedmodel",
        description="Causal measurement of Xiaohongshu (RED) seeding and its Tmall / JD GMV.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="on an internal error, show the full traceback"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    p = sub.add_parser("check", help="check a dataset folder against the contract, nothing else")
    p.add_argument("path", metavar="DATA_DIR")
    p.set_defaults(func=_cmd_check, out_kind=None)

    p = sub.add_parser("simulate", help="write a simulated dataset with its truth.json")
    p.add_argument("out", metavar="OUT_DIR")
    p.add_argument("--seed", type=_whole(0), default=0, help="random seed (default 0)")
    p.add_argument("--brands", type=_whole(1), default=3, help="number of brands (default 3)")
    p.add_argument(
        "--days", type=_whole(MIN_SIM_DAYS), default=730, help="days of data (default 730)"
    )
    p.add_argument("--freq", choices=["D", "W"], default="D", help="daily or weekly rows")
    p.add_argument("--lift-tests", action="store_true", help="also write lift_tests.csv")
    p.set_defaults(func=_cmd_simulate, out_kind="dir")

    p = sub.add_parser("fit", help="fit the Bayesian MMM: roi.csv, diagnostics.json, fit.nc")
    p.add_argument("path", metavar="DATA_DIR")
    p.add_argument("--out", required=True, metavar="FIT_DIR")
    p.add_argument("--seed", type=_whole(0), default=0, help="sampler seed (default 0)")
    p.add_argument(
        "--draws",
        type=_whole(1),
        default=None,
        help="kept draws per chain (default: sample until converged, or --max-minutes)",
    )
    p.add_argument(
        "--tune",
        type=_whole(0),
        default=None,
        help=(
            f"warm-up draws (default: --draws; without it {UNTIL_CONVERGED_TUNE} when "
            "sampling until converged, 1000 for the other samplers and methods)"
        ),
    )
    p.add_argument(
        "--max-minutes",
        type=_real(0, inclusive=False),
        default=SamplerConfig.max_minutes,
        help=f"time budget of a fit without --draws (default {SamplerConfig.max_minutes:g})",
    )
    p.add_argument("--chains", type=_whole(1), default=SamplerConfig.chains)
    p.add_argument(
        "--start", type=_date, default=None, help="ROI window start (default: data start)"
    )
    p.add_argument("--end", type=_date, default=None, help="ROI window end (default: data end)")
    p.add_argument("--strict", action="store_true", help="exit 3 when the fit did not converge")
    p.add_argument("--quiet", action="store_true", help="no progress lines while sampling")
    p.add_argument(
        "--checks",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after the fit, refit once with a placebo channel and the last quarter held out, "
        "and compare each channel's share of GMV with its prior; writes checks.json "
        "(default on)",
    )
    p.add_argument("--sampler", choices=SAMPLERS, default=SamplerConfig.sampler)
    _backend_argument(p)
    p.add_argument(
        "--adaptation",
        choices=ADAPTATIONS,
        default=SamplerConfig.adaptation,
        help="nutpie's mass matrix: diag, or low_rank (learns correlations; auto: small models)",
    )
    p.add_argument(
        "--parallel",
        choices=PARALLEL,
        default=SamplerConfig.parallel,
        help="nutpie's chains in threads or a process each (auto: processes for large models)",
    )
    p.add_argument(
        "--method",
        choices=METHODS,
        default=SamplerConfig.method,
        help="nuts (exact) or a quick approximation (never marked converged)",
    )
    p.add_argument(
        "--demand",
        choices=DEMAND_MODES,
        default=SeedingMMM.demand,
        help="how organic buzz enters the baseline",
    )
    p.add_argument(
        "--demand-fast",
        choices=DEMAND_FAST,
        default=SeedingMMM.demand_fast,
        help="with --demand latent: the organic signal's moves faster than the demand state's "
        "knots as a control of their own (control, the default) or left as noise (none)",
    )
    p.add_argument(
        "--engagement",
        action="store_true",
        help="GMV responds to reads (seeding notes) and link clicks (link notes), not spend",
    )
    p.add_argument(
        "--likelihood",
        choices=LIKELIHOODS,
        default=SeedingMMM.likelihood,
        help="noise proportional to GMV (default) or of constant size (additive-noise data)",
    )
    p.add_argument(
        "--baseline",
        choices=BASELINES,
        default=SeedingMMM.baseline,
        help="trend, seasonality and events as factors of the level (default) or added to it",
    )
    p.add_argument(
        "--trend",
        choices=TRENDS,
        default=SeedingMMM.trend,
        help="the baseline's slow movement: a random walk over quarterly knots (default) or a "
        "quadratic in time",
    )
    p.add_argument(
        "--budget-reaction",
        choices=BUDGET_REACTIONS,
        default=SeedingMMM.budget_reaction,
        help="control for budgets' reactions to unmeasured demand, day to day and over about "
        "two months (control_scales, the default), day to day only (control), or use all of "
        "spend's variation (none)",
    )
    p.add_argument(
        "--lift-transport",
        type=_real(0, inclusive=True, high=10.0),
        default=LIFT_TRANSPORT,
        metavar="SHARE",
        help="how far a channel's effect in a lift test's window may differ from its effect "
        f"elsewhere, as a share of the measured lift (default {LIFT_TRANSPORT}; 0 takes each "
        "test as the channel's effect over the whole data)",
    )
    p.add_argument(
        "--by",
        default=None,
        metavar="COLUMN|SIZE",
        help="fit a portfolio in groups of brands: by a brands.csv column (e.g. category) or "
        "N brands at a time; writes the merged roi.csv and diagnostics.json and groups/*/",
    )
    p.add_argument("--workers", type=_whole(1), default=1, help="with --by: local worker processes")
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help='with --by: run the groups on a Dask cluster (pip install "seedmodel[dask]")',
    )
    p.set_defaults(func=_cmd_fit, out_kind="dir")

    p = sub.add_parser("link", help="engagement -> GMV link analysis (link.csv)")
    p.add_argument("path", metavar="DATA_DIR")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for link.csv")
    p.add_argument("--max-lag", type=_whole(0), default=None, help="longest lag in periods")
    p.add_argument("--seed", type=_whole(0), default=0, help="seed of the interval draws")
    p.add_argument(
        "--readings",
        nargs="+",
        type=_reading,
        default=None,
        metavar="KNOTS",
        help="readings of slow demand the interval averages: 'none' (no trend) and/or a "
        "smooth trend's knot spacing in days (default: none 30; 'none' alone for the narrow "
        "no-trend reading)",
    )
    p.set_defaults(func=_cmd_link, out_kind="dir")

    p = sub.add_parser("optimize", help="recommend a budget split over the next days (plan.csv)")
    p.add_argument("path", metavar="FIT_DIR")
    p.add_argument(
        "--budget", type=_real(0, inclusive=False), required=True, help="total CNY over the plan"
    )
    p.add_argument("--days", type=_whole(1), default=90, help="days after the data (default 90)")
    p.add_argument("--out", required=True, help="plan.csv to write")
    p.add_argument(
        "--max-change", type=_real(0, inclusive=True), default=None, help="cap per cell, e.g. 0.3"
    )
    p.add_argument("--off", action="append", default=[], metavar="CHANNEL", help="turn off")
    p.add_argument(
        "--min-daily-spend",
        type=_real(0, inclusive=True),
        default=None,
        help="least a live day of a link channel costs (default 5000; 0 = no rule)",
    )
    p.add_argument(
        "--objective",
        choices=["mean", "cvar", "gain_cvar"],
        default="gain_cvar",
        help="gain_cvar (default, as the report's plan): move from today's split only as far as "
        "the worst --alpha share of draws still gains; mean: expected GMV; cvar: the mean of "
        "its worst --alpha share of draws",
    )
    p.add_argument(
        "--alpha",
        type=_real(0, inclusive=False, high=1.0),
        default=0.1,
        help="tail share for --objective cvar and gain_cvar",
    )
    p.add_argument("--margins", action="store_true", help="maximise gross profit (brand margins)")
    p.set_defaults(func=_cmd_optimize, out_kind="file")

    p = sub.add_parser("report", help="write the quarterly strategy report (HTML)")
    p.add_argument("path", metavar="DATA_DIR|FIT_DIR|PORTFOLIO_DIR")
    p.add_argument("--out", required=True, help="HTML file to write")
    p.add_argument("--seed", type=_whole(0), default=0, help="seed of the analyses' random draws")
    p.add_argument("--lang", choices=LANGS, default="en", help="en (default) or zh (中文)")
    p.add_argument(
        "--plan", default=None, metavar="PLAN_CSV", help="show this plan (from seedmodel optimize)"
    )
    p.add_argument(
        "--tables",
        default=None,
        metavar="DIR",
        help="also write the CSV behind every chart and table of the report into DIR",
    )
    p.add_argument(
        "--workers",
        type=_whole(1),
        default=None,
        help="processes for a PORTFOLIO_DIR's engagement analysis (default: one per core, "
        "at most 4, with more than 8 brands)",
    )
    _plan_arguments(p)
    p.set_defaults(func=_cmd_report, out_kind="file")

    p = sub.add_parser(
        "run",
        help="the main job: fit, check, plan next quarter and write the report, in one folder",
    )
    p.add_argument("path", metavar="DATA_DIR")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for every output")
    _plan_arguments(p)
    p.add_argument("--lang", choices=LANGS, default="en", help="report language: en or zh")
    p.add_argument("--seed", type=_whole(0), default=0, help="random seed")
    p.add_argument(
        "--max-minutes",
        type=_real(0, inclusive=False),
        default=SamplerConfig.max_minutes,
        help=f"time budget of the sampler (default {SamplerConfig.max_minutes:g})",
    )
    p.add_argument(
        "--tune",
        type=_whole(0),
        default=None,
        help=f"warm-up draws per chain (default {UNTIL_CONVERGED_TUNE})",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--strict", action="store_true", help="exit 3 if the fit did not converge")
    p.add_argument("--no-checks", dest="checks", action="store_false", help="skip the checks")
    _backend_argument(p)
    p.set_defaults(func=_cmd_run, out_kind="dir")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad input)."""
    args = _parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        from seedmodel.outputs import check_out, writer_lock

        if args.out_kind is None:  # reads only
            return func(args)
        out = check_out(args.out, args.out_kind)
        with writer_lock(out):
            return func(args)
    except (DataError, ArgumentError) as exc:
        print(f"seedmodel: bad input: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("seedmodel: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"seedmodel: internal error: {type(exc).__name__}: {_one_line(exc)} (nothing was "
            "written; run with --debug for the traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


if __name__ == "__main__":
    sys.exit(main())
