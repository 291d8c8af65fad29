"""The portfolio's groups: which brands were fitted together, whether each fit converged,
and which groups failed (their brands are not in the report)."""

from __future__ import annotations

import pandas as pd

from seedmodel.report.html import Section, csv_link, render, table_html
from seedmodel.report.i18n import headers, readable_diagnostics, text

__all__ = ["groups_section"]


def groups_section(groups: pd.DataFrame, lang: str = "en") -> Section:
    """Section from :meth:`seedmodel.portfolio.SavedPortfolio.groups_table`."""
    shown = readable_diagnostics(groups, lang)
    if "brand_spreads" in shown and not groups["brand_spreads"].astype(bool).any():
        shown = shown.drop(columns="brand_spreads")  # groups of one brand: no spreads
    shown["status"] = [text(f"group_{s}", lang) for s in shown["status"]]
    failed = int((groups["status"] == "failed").sum())
    unconverged = int((groups["converged"] == False).sum())  # noqa: E712 (None: failed)
    body = render(
        "groups.html",
        lead=text("groups_lead", lang, n=len(groups)),
        warning=(
            text("groups_warning", lang, failed=failed, unconverged=unconverged)
            if failed or unconverged
            else None
        ),
        table=table_html(headers(shown, lang), download=csv_link(groups, "groups.csv", lang)),
    )
    return Section(text("groups_title", lang), body, anchor="groups")
