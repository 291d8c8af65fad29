"""The channel-effect section of the report: ROI with intervals and the fit's diagnostics."""

from __future__ import annotations

import matplotlib
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from seedmodel.inference.diagnostics import Diagnostics
from seedmodel.report.canvas import LITERAL_TEXT, channel_color, finish_panels, subplots
from seedmodel.report.html import Section, csv_link, figure_html, render, table_html
from seedmodel.report.i18n import (
    UNIT_10K,
    cell_name,
    channel_name,
    headers,
    listed,
    money,
    money_interval,
    percent,
    platform_name,
    ratio_interval,
    readable_diagnostics,
    reason_text,
    text,
)

__all__ = [
    "check_warnings",
    "plot_contributions",
    "plot_roi",
    "roi_section",
    "simulated_note",
]


@matplotlib.rc_context(LITERAL_TEXT)
def plot_roi(table: pd.DataFrame, lang: str = "en") -> Figure:
    """ROI per brand x channel with its interval (one row each, in the channel's colour);
    x marks the mROI."""
    rows = table[table["spend"] > 0].iloc[::-1]
    labels = [cell_name(b, c, lang) for b, c in zip(rows["brand"], rows["channel"], strict=True)]
    fig, ax = subplots(figsize=(7, 0.35 * len(rows) + 1.2))
    for y, r in enumerate(rows.itertuples()):
        color = channel_color(r.channel)
        ax.errorbar(
            r.roi, y, xerr=[[r.roi - r.roi_lo], [r.roi_hi - r.roi]], fmt="o", color=color, ms=4
        )
        ax.scatter(r.mroi, y, marker="x", color=color, s=20)
    ax.axvline(1.0, color="k", lw=0.6, ls=":")
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xlabel(text("roi_axis", lang))
    ax.grid(alpha=0.25, lw=0.5, axis="x")
    return fig


@matplotlib.rc_context(LITERAL_TEXT)
def plot_contributions(contrib: pd.DataFrame, lang: str = "en") -> Figure:
    """Each channel's contribution over time (all platforms) with its 90% band, one panel
    per brand; partial periods at either end are left out."""
    if "periods" in contrib:  # a partial week at either end would look like a drop
        contrib = contrib[contrib["periods"] == contrib["periods"].max()]
    brands = list(dict.fromkeys(contrib["brand"]))
    fig, axes = subplots(len(brands), 1, figsize=(8, 2.4 * len(brands)), squeeze=False)
    for ax, brand in zip(axes[:, 0], brands, strict=True):
        g = contrib[contrib["brand"] == brand]
        wide = g.pivot_table(
            ["contribution", "contribution_lo", "contribution_hi"], "date", "channel", aggfunc="sum"
        )
        for channel in wide["contribution"].columns:
            color = channel_color(channel)
            ax.plot(
                wide.index,
                wide["contribution"][channel] / 1e4,
                color=color,
                lw=1,
                label=channel_name(channel, lang),
            )
            ax.fill_between(
                wide.index,
                wide["contribution_lo"][channel] / 1e4,
                wide["contribution_hi"][channel] / 1e4,
                color=color,
                alpha=0.12,
                lw=0,
            )
        ax.set_title(brand, fontsize=9)
        ax.set_ylabel(f"{text('contrib_axis', lang)} ({UNIT_10K[lang]})")
        ax.grid(alpha=0.25, lw=0.5)
    finish_panels(fig, axes, len(brands), ncol=6)
    return fig


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Checks tables as a reader wants them: shares and rates in %, yuan whole, ROI to 0.01."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_float_dtype(values):
            continue
        if column == "error":
            out[column] = values.map("{:+.1%}".format)
        elif "share" in column or column == "coverage":
            out[column] = values.map("{:.1%}".format)
        elif column == "actual" or column.startswith(("forecast", "lift", "predicted")):
            out[column] = values.map("{:,.0f}".format)
        else:
            out[column] = values.map("{:,.2f}".format)
    return out


def checks_html(checks: dict, lang: str = "en") -> Markup:
    """The per-fit checks: a warning per failed check, then their tables (each
    downloadable)."""
    parts = [
        ("check_placebo", "placebo"),
        ("check_forecast", "forecast"),
        ("check_shares", "shares"),
        ("check_tradeoff", "tradeoff"),
        ("check_lifts", "lifts"),
    ]
    tables = []
    for title, key in parts:
        if not checks.get(key):
            continue
        frame = pd.DataFrame(checks[key])
        link = csv_link(frame, f"checks_{key}.csv", lang)
        tables.append((text(title, lang), table_html(_readable(frame), download=link)))
    return render(
        "checks.html",
        passed=checks["passed"],
        warnings=check_warnings(checks, lang),
        tables=tables,
        title=text("checks_title", lang),
        passed_text=text("checks_passed", lang),
        failed_text=text("checks_failed_box", lang),
    )


def readable_roi(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ROI table as a reader wants it: programme names, money in 万元 / ¥k, ROI to 0.01,
    intervals beside their estimate."""
    rows = []
    for r in table.itertuples():
        live = r.spend > 0
        rows.append(
            {
                text("col_brand", lang): r.brand,
                text("col_channel", lang): channel_name(r.channel, lang),
                text("col_spend", lang): money(r.spend, lang),
                text("col_incremental_gmv", lang): money_interval(
                    r.incremental_gmv, r.incremental_gmv_lo, r.incremental_gmv_hi, lang
                ),
                text("col_roi", lang): (ratio_interval(r.roi, r.roi_lo, r.roi_hi) if live else "–"),
                text("col_prob", lang): percent(r.prob_roi_above_1) if live else "–",
                text("col_mroi", lang): (
                    ratio_interval(r.mroi, r.mroi_lo, r.mroi_hi) if live else "–"
                ),
            }
        )
    return pd.DataFrame(rows)


def readable_attribution(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`~seedmodel.analysis.attribution.reconcile_attribution` for reading."""
    return pd.DataFrame(
        {
            text("col_brand", lang): table["brand"],
            text("col_channel", lang): [channel_name(c, lang) for c in table["channel"]],
            text("col_platform", lang): [platform_name(p, lang) for p in table["platform"]],
            text("col_attributed", lang): [
                f"{money(v, lang)} ({d} d)"
                for v, d in zip(table["attributed_gmv"], table["window_days"], strict=True)
            ],
            text("col_incremental_gmv", lang): [
                money_interval(m, lo, hi, lang)
                for m, lo, hi in zip(
                    table["incremental_gmv"],
                    table["incremental_gmv_lo"],
                    table["incremental_gmv_hi"],
                    strict=True,
                )
            ],
            text("col_factor", lang): [
                ratio_interval(m, lo, hi)
                for m, lo, hi in zip(
                    table["incrementality"],
                    table["incrementality_lo"],
                    table["incrementality_hi"],
                    strict=True,
                )
            ],
        }
    )


def readable_arrival(arrival: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`~seedmodel.analysis.attribution.arrival_shares` for reading: ``25% [18–33%]``."""
    out = pd.DataFrame(
        {text("col_channel", lang): [channel_name(c, lang) for c in arrival["channel"]]}
    )
    for column in arrival.columns:
        if column.startswith("within_") and column.endswith("d"):
            days = column.removeprefix("within_").removesuffix("d")
            out[text("col_within", lang, days=days)] = [
                f"{percent(m)} [{percent(lo)}–{percent(hi)}]"
                for m, lo, hi in zip(
                    arrival[column], arrival[f"{column}_lo"], arrival[f"{column}_hi"], strict=True
                )
            ]
    return out


def roi_section(
    table: pd.DataFrame,
    diagnostics: Diagnostics,
    contrib: pd.DataFrame | None = None,
    checks: dict | None = None,
    *,
    lang: str = "en",
    attribution: pd.DataFrame | None = None,
    arrival: pd.DataFrame | None = None,
    elsewhere: str | None = None,
    echo_channels: list[str] | None = None,
    brand_spreads: str = "",
    simulated: pd.DataFrame | None = None,
) -> Section:
    """ROI table and chart, attribution against incremental GMV, contributions over time,
    the per-fit checks when given, and a loud banner when the fit did not converge. Every
    table can be downloaded as CSV (the raw numbers, with channel ids). With ``elsewhere``
    (where the per-brand figures are), the contributions figure is left out and that note
    shown instead. ``echo_channels``: channels whose ROI rests on organic notes measuring
    demand alone (:func:`seedmodel.report.compose.echo_channels`), named in a note under the
    ROI table. ``brand_spreads``: the fit's :attr:`~seedmodel.fit.Fit.brand_spreads`, a row
    of the diagnostics table when given. ``simulated``: the fit's rows of
    :func:`seedmodel.analysis.simulated_coverage.coverage_for`, how often such intervals held
    the truth in simulation, said under the ROI table (:func:`simulated_note`)."""

    diag = pd.DataFrame([diagnostics.to_dict()]).drop(columns="reason")
    if brand_spreads:
        diag["brand_spreads"] = brand_spreads
    diag = readable_diagnostics(diag, lang)
    has_attr = attribution is not None and not attribution.empty
    body = render(
        "roi.html",
        diagnostics=diagnostics,
        checks=checks,
        not_converged=text("roi_not_converged", lang, reason=reason_text(diagnostics, lang)),
        checks_failed=text("roi_checks_failed", lang, n=len((checks or {}).get("warnings", []))),
        lead=text(
            "roi_lead",
            lang,
            start=table["window_start"].iloc[0],
            end=table["window_end"].iloc[0],
        ),
        table=table_html(readable_roi(table, lang), download=csv_link(table, "roi.csv", lang)),
        roi_figure=figure_html(plot_roi(table, lang), text("roi_axis", lang)),
        echo_note=(
            text(
                "roi_echo_note",
                lang,
                channels=text("list_and", lang).join(channel_name(c, lang) for c in echo_channels),
            )
            if echo_channels
            else None
        ),
        simulated_note=simulated_note(simulated, lang),
        attr_title=text("attr_title", lang),
        attr_lead=text("attr_lead", lang),
        attribution=(
            table_html(
                readable_attribution(attribution, lang),
                download=csv_link(attribution, "attribution.csv", lang),
            )
            if has_attr
            else None
        ),
        arrival_lead=text("arrival_lead", lang),
        arrival=(
            None
            if arrival is None or arrival.empty
            else table_html(
                readable_arrival(arrival, lang),
                download=csv_link(arrival, "arrival_shares.csv", lang),
            )
        ),
        contrib_title=text("contrib_title", lang),
        contrib_lead=text("contrib_lead", lang),
        contributions=(
            None
            if contrib is None or elsewhere
            else figure_html(plot_contributions(contrib, lang), text("contrib_title", lang))
        ),
        elsewhere=None if contrib is None else elsewhere,
        contrib_download=None if contrib is None else csv_link(contrib, "contributions.csv", lang),
        checks_html="" if checks is None else checks_html(checks, lang),
        diag_title=text("diag_title", lang),
        diagnostics_table=table_html(_one_per_row(headers(diag, lang), lang)),
    )
    return Section(text("roi_title", lang), body, anchor="roi")


def simulated_note(rows: pd.DataFrame | None, lang: str) -> str | None:
    """How often the default model's 90% ROI intervals held the truth on the simulated world
    family, for the fit's number of brands and its measured channels (``rows``:
    :func:`seedmodel.report.compose.simulated_rows`; with ``lifts`` true, a sentence that
    those worlds had no lift tests); None without rows."""
    if rows is None or rows.empty:
        return None

    def rates(column: str) -> str:
        return listed(
            [
                text("roi_simulated_rate", lang, channel=channel_name(c, lang), coverage=percent(v))
                for c, v in zip(rows["channel"], rows[column], strict=True)
            ],
            lang,
        )

    several = (rows["brands"] != "1").any()
    note = text(
        "roi_simulated",
        lang,
        worlds=int(rows["worlds"].max()),
        brands=text("roi_simulated_several" if several else "roi_simulated_one", lang),
        rates=rates("coverage"),
        mroi_rates=rates("mroi_coverage"),
    )
    if "lifts" in rows and rows["lifts"].any():
        note += (" " if lang == "en" else "") + text("roi_simulated_lifts", lang)
    return note


def check_warnings(checks: dict, lang: str) -> list[str]:
    """The failed checks of ``checks.json`` in ``lang``, from its rows (the ``warnings``
    list there is English); a checks.json whose rows do not say which failed (an older one)
    keeps its own warnings."""
    out = _failed_rows(checks, lang)
    return out if out or not checks.get("warnings") else list(checks["warnings"])


def _failed_rows(checks: dict, lang: str) -> list[str]:
    settings = checks.get("settings", {})
    level = percent(settings.get("level", 0.9))

    def failed(r: dict) -> bool:
        return not r.get("passed", True)

    def placebo(r: dict) -> dict:
        numbers = {k: _formatted(r.get(c), "{:.2f}") for k, c in _PLACEBO_FIELDS}
        return {"channel": channel_name(r["placebo_of"], lang), **numbers}

    def forecast(r: dict) -> dict:
        return {
            "platform": platform_name(r["platform"], lang),
            "periods": r["periods"],
            "coverage": percent(r["coverage"]),
            "level": level,
            "error": _formatted(r.get("error"), "{:+.0%}"),
        }

    def share(r: dict) -> dict:
        numbers = {k: _formatted(r.get(c), "{:.1%}") for k, c in _SHARE_FIELDS}
        return {"channel": channel_name(r["channel"], lang), **numbers}

    def tradeoff(r: dict) -> dict:
        corr = _formatted(r.get("corr"), "{:+.2f}")
        return {"channel": channel_name(r["channel"], lang), "corr": corr}

    def lift(r: dict) -> dict:
        numbers = {k: money(r[c], lang) for k, c in _LIFT_FIELDS}
        return {
            "channel": channel_name(r["channel"], lang),
            "start": r["start"],
            "end": r["end"],
            "level": level,
        } | numbers

    kinds = (
        ("placebo", "warn_placebo", failed, placebo),
        ("forecast", "warn_forecast", failed, forecast),
        ("shares", "warn_share", lambda r: bool(r.get("outside_prior")), share),
        ("tradeoff", "warn_tradeoff", failed, tradeoff),
        ("lifts", "warn_lift", failed, lift),
    )
    out = [
        text(key, lang, brand=r["brand"], **fields(r))
        for kind, key, is_failed, fields in kinds
        for r in checks.get(kind, [])
        if is_failed(r)
    ]
    # checks.json before 2026-12-03 has no check_fit_trusted: the strict rule judged then
    if settings.get("check_fit_trusted", settings.get("check_fit_converged")) is False:
        reason = settings.get("check_fit_reason") or ""
        out.append(text("warn_check_fit", lang, reason=reason))
    return out


#: Message field -> checks.json column, for the placebo's, the shares' and the lift tests'
#: lines.
_PLACEBO_FIELDS = (("roi", "roi"), ("lo", "roi_lo"), ("hi", "roi_hi"), ("prior", "prior_roi"))
_SHARE_FIELDS = (("share", "share"), ("lo", "prior_share_lo"), ("hi", "prior_share_hi"))
_LIFT_FIELDS = (
    ("lift", "lift"),
    ("predicted", "predicted"),
    ("lo", "predicted_lo"),
    ("hi", "predicted_hi"),
)


def _formatted(value, spec: str) -> str:
    """``value`` in ``spec``; "–" for a number checks.json holds as null (NaN)."""
    return "–" if value is None or value != value else spec.format(value)


def _one_per_row(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A one-row table (a fit's diagnostics) as one measure per row, which reads down the
    page instead of scrolling sideways past sixteen columns."""
    row = frame.iloc[0]
    return pd.DataFrame(
        {
            text("diag_measure", lang): [str(c) for c in frame.columns],
            text("diag_value", lang): ["" if pd.isna(v) else str(v) for v in row],
        }
    )
