"""The ``seedmodel`` command line (CONTRACT.md section 4): thin wrappers over the library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import numpy as np

from seedmodel.inference.options import ADAPTATIONS, BACKENDS, METHODS, SAMPLERS
from seedmodel.models.mmm.spec import (
    BASELINES,
    BUDGET_REACTIONS,
    DEMAND_MODES,
    LIKELIHOODS,
    TRENDS,
)
from seedmodel.schema import DataError

__all__ = ["main"]

EXIT_BAD_INPUT = 2
EXIT_NOT_CONVERGED = 3
#: Engagement metrics the report's link section covers (link.csv covers all of them).
REPORT_METRICS = ("reads", "collects", "clicks", "interactions")


def _cmd_simulate(args: argparse.Namespace) -> int:
    from seedmodel.sim import WorldConfig, simulate

    config = WorldConfig(
        n_brands=args.brands, days=args.days, freq=args.freq, lift_tests=args.lift_tests
    )
    sim = simulate(config, random_seed=args.seed)
    sim.write(args.out_dir)
    print(f"wrote a simulated dataset and truth.json to {args.out_dir}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from seedmodel.link import link
    from seedmodel.report import write_report
    from seedmodel.schema import load

    fit_file = Path(args.path) / "fit.nc"
    roi_table = diagnostics = None
    plan_parts: dict = {}
    if fit_file.is_file():  # a FIT_DIR: the fitted model's data and its ROI
        from seedmodel.analysis import contributions, roi
        from seedmodel.fit import load_fit

        fit = load_fit(fit_file)
        data, roi_table, diagnostics = fit.data, roi(fit), fit.diagnostics
        checks_file = Path(args.path) / "checks.json"
        if checks_file.is_file():
            import json

            plan_parts["checks"] = json.loads(checks_file.read_text(encoding="utf-8"))
        plan_parts |= _plan_parts(fit, days=90)
        plan_parts["contrib"] = contributions(fit, freq="W")
    else:
        data = load(args.path)
    link_result = None
    if "reads" in data.media or "collects" in data.media:
        link_result = link(data, metrics=REPORT_METRICS, outcomes=("gmv",), random_seed=args.seed)
    write_report(
        data,
        args.out,
        source=str(args.path),
        link=link_result,
        roi_table=roi_table,
        diagnostics=diagnostics,
        **plan_parts,
    )
    print(f"wrote {args.out}")
    return 0


def _plan_parts(fit, days: int) -> dict:
    """The report's plan: the current total budget re-split, curves, a frontier."""
    from seedmodel.plan import allocate, frontier, plan_response, response_curves

    resp = plan_response(fit, days)
    budget = float(resp.current.sum() * resp.periods)
    if budget <= 0:
        return {}
    return {
        "plan": allocate(resp, budget),
        "curves": response_curves(resp),
        "front": frontier(resp, budget * np.array([0.5, 0.75, 1.0, 1.25, 1.5, 2.0])),
    }


def _cmd_fit(args: argparse.Namespace) -> int:
    import json
    import warnings

    from seedmodel.analysis.roi import roi
    from seedmodel.fit import NotConvergedWarning, fit_mmm
    from seedmodel.models.mmm.spec import SeedingMMM
    from seedmodel.schema import load
    from seedmodel.sim import write_atomically

    data = load(args.path)
    spec = SeedingMMM(
        demand=args.demand,
        engagement=args.engagement,
        likelihood=args.likelihood,
        baseline=args.baseline,
        trend=args.trend,
        budget_reaction=args.budget_reaction,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotConvergedWarning)  # said below, in every output
        fit = fit_mmm(
            data,
            spec,
            draws=args.draws,
            tune=args.tune or args.draws,
            chains=args.chains,
            random_seed=args.seed,
            sampler=args.sampler,
            method=args.method,
            backend=args.backend,
            adaptation=args.adaptation,
        )
    table = roi(fit, window=(args.start, args.end))
    diag = fit.diagnostics.to_dict()
    checks = None
    if args.checks:
        from seedmodel.analysis.checks import check_fit

        checks = check_fit(fit).to_dict()
        diag["checks"] = {k: checks[k] for k in ("passed", "warnings")}

    def fill(tmp):
        table.to_csv(tmp / "roi.csv", index=False, float_format="%.6g", lineterminator="\n")
        (tmp / "diagnostics.json").write_text(json.dumps(diag, indent=2) + "\n")
        if checks is not None:
            (tmp / "checks.json").write_text(json.dumps(checks, indent=2) + "\n")
        fit.save(tmp / "fit.nc")

    write_atomically(args.out, fill)
    for line in (checks or {}).get("warnings", []):
        print(f"seedmodel: CHECK: {line}", file=sys.stderr)
    if not fit.diagnostics.converged:
        print(
            f"seedmodel: WARNING: the fit did NOT converge ({fit.diagnostics.reason}); "
            "roi.csv and diagnostics.json say converged=false. Do not use these numbers "
            "as they stand: raise --draws / --chains.",
            file=sys.stderr,
        )
        if args.strict:
            return EXIT_NOT_CONVERGED
    print(
        f"wrote roi.csv, diagnostics.json{', checks.json' if checks else ''} and fit.nc to "
        f"{args.out} "
        f"({'converged' if fit.diagnostics.converged else 'NOT converged'}, "
        f"{fit.diagnostics.seconds:.0f} s)"
    )
    return 0


def _cmd_link(args: argparse.Namespace) -> int:
    from seedmodel.link import link
    from seedmodel.schema import load

    data = load(args.path)
    result = link(data, max_lag=args.max_lag, random_seed=args.seed)
    path = result.write(args.out)
    counts = result.table["verdict"].value_counts().to_dict()
    print(f"wrote {path} ({len(result.table)} rows: {counts})")
    return 0


def _cmd_optimize(args: argparse.Namespace) -> int:
    from pathlib import Path

    from seedmodel.fit import load_fit
    from seedmodel.plan import allocate

    fit_file = Path(args.path) / "fit.nc"
    if not fit_file.is_file():
        print(
            f"seedmodel: bad input: {args.path} has no fit.nc (run seedmodel fit)", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    fit = load_fit(fit_file)
    min_daily = None if args.min_daily_spend is None else {}
    if args.min_daily_spend:
        min_daily = {c: args.min_daily_spend for c in fit.data.paid_channels if _has_clicks(fit, c)}
    try:
        plan = allocate(
            fit,
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
    table = plan.table.assign(converged=bool(fit.diagnostics.converged))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    table.to_csv(tmp, index=False, float_format="%.6g", lineterminator="\n")
    tmp.replace(out)
    s = plan.summary
    if not fit.diagnostics.converged:
        print(
            f"seedmodel: WARNING: the fit did NOT converge ({fit.diagnostics.reason}); "
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


def _has_clicks(fit, channel: str) -> bool:
    media = fit.data.media
    return "clicks" in media and media.loc[media["channel"] == channel, "clicks"].sum() > 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seedmodel",
        description="Causal measurement of Xiaohongshu (RED) seeding and its Tmall / JD GMV.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("simulate", help="write a simulated dataset with its truth.json")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--brands", type=int, default=3, help="number of brands (default 3)")
    p.add_argument("--days", type=int, default=730, help="days of data (default 730)")
    p.add_argument("--freq", choices=["D", "W"], default="D", help="daily or weekly rows")
    p.add_argument("--lift-tests", action="store_true", help="also write lift_tests.csv")
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser("fit", help="fit the Bayesian MMM: roi.csv, diagnostics.json, fit.nc")
    p.add_argument("path", metavar="DATA_DIR")
    p.add_argument("--out", required=True, metavar="FIT_DIR")
    p.add_argument("--seed", type=int, default=0, help="sampler seed (default 0)")
    p.add_argument("--draws", type=int, default=1000, help="kept draws per chain")
    p.add_argument("--tune", type=int, default=None, help="warm-up draws (default = draws)")
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--start", default=None, help="ROI window start (default: data start)")
    p.add_argument("--end", default=None, help="ROI window end (default: data end)")
    p.add_argument("--strict", action="store_true", help="exit 3 when the fit did not converge")
    p.add_argument(
        "--checks",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after the fit, refit once with a placebo channel and the last quarter held out, "
        "and compare each channel's share of GMV with its prior; writes checks.json "
        "(default on)",
    )
    p.add_argument("--sampler", choices=SAMPLERS, default="nutpie")
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default="auto",
        help="nutpie's compiler: auto/jax compiles in seconds; numba samples faster on long fits",
    )
    p.add_argument(
        "--adaptation",
        choices=ADAPTATIONS,
        default="auto",
        help="nutpie's mass matrix: diag, or low_rank (learns correlations; auto: small models)",
    )
    p.add_argument(
        "--method",
        choices=METHODS,
        default="nuts",
        help="nuts (exact) or a quick approximation (never marked converged)",
    )
    p.add_argument(
        "--demand",
        choices=DEMAND_MODES,
        default="latent",
        help="how organic buzz enters the baseline",
    )
    p.add_argument(
        "--engagement",
        action="store_true",
        help="GMV responds to reads (seeding notes) and link clicks (link notes), not spend",
    )
    p.add_argument(
        "--likelihood",
        choices=LIKELIHOODS,
        default="lognormal",
        help="noise proportional to GMV (default) or of constant size (additive-noise data)",
    )
    p.add_argument(
        "--baseline",
        choices=BASELINES,
        default="multiplicative",
        help="trend, seasonality and events as factors of the level (default) or added to it",
    )
    p.add_argument(
        "--trend",
        choices=TRENDS,
        default="smooth",
        help="the baseline's slow movement: a random walk over quarterly knots (default) or a "
        "quadratic in time",
    )
    p.add_argument(
        "--budget-reaction",
        choices=BUDGET_REACTIONS,
        default="control",
        help="control for budgets' day-to-day reactions to unmeasured demand (default), or use "
        "all of spend's variation",
    )
    p.set_defaults(func=_cmd_fit)

    p = sub.add_parser("link", help="engagement -> GMV link analysis (link.csv)")
    p.add_argument("path", metavar="DATA_DIR")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for link.csv")
    p.add_argument("--max-lag", type=int, default=None, help="longest lag in periods")
    p.add_argument("--seed", type=int, default=0, help="seed of the interval draws")
    p.set_defaults(func=_cmd_link)

    p = sub.add_parser("optimize", help="recommend a budget split over the next days (plan.csv)")
    p.add_argument("path", metavar="FIT_DIR")
    p.add_argument("--budget", type=float, required=True, help="total CNY over the plan")
    p.add_argument("--days", type=int, default=90, help="days after the data (default 90)")
    p.add_argument("--out", required=True, help="plan.csv to write")
    p.add_argument("--max-change", type=float, default=None, help="cap per cell, e.g. 0.3")
    p.add_argument("--off", action="append", default=[], metavar="CHANNEL", help="turn off")
    p.add_argument(
        "--min-daily-spend",
        type=float,
        default=None,
        help="least a live day of a link channel costs (default 5000; 0 = no rule)",
    )
    p.add_argument("--objective", choices=["mean", "cvar"], default="mean")
    p.add_argument("--alpha", type=float, default=0.1, help="tail share for --objective cvar")
    p.add_argument("--margins", action="store_true", help="maximise gross profit (brand margins)")
    p.set_defaults(func=_cmd_optimize)

    p = sub.add_parser("report", help="write the quarterly strategy report (HTML)")
    p.add_argument("path", metavar="DATA_DIR|FIT_DIR")
    p.add_argument("--out", required=True, help="HTML file to write")
    p.add_argument("--seed", type=int, default=0, help="seed of the analyses' random draws")
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad input)."""
    args = _parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except DataError as exc:
        print(f"seedmodel: bad input: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
