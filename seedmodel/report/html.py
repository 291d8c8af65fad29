"""A self-contained HTML page: sections of text, tables and figures embedded as PNG.

Every page and section is a Jinja2 template with autoescaping: a value is escaped unless it is
:class:`markupsafe.Markup` made here (a rendered template, a table pandas escaped, an image).
User strings (brands, channels, events, file names) never become markup, by construction.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import matplotlib
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from matplotlib.figure import Figure

from seedmodel.report.canvas import LITERAL_TEXT
from seedmodel.report.i18n import text

__all__ = [
    "Section",
    "csv_link",
    "download_link",
    "downloads",
    "figure_html",
    "render",
    "render_page",
    "table_html",
]

CSS = """
body{font-family:-apple-system,'Segoe UI','PingFang SC','Noto Sans CJK SC',sans-serif;
margin:2em auto;max-width:1100px;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right;word-break:keep-all}
td:first-child,th:first-child{text-align:left}
img{max-width:100%}.scroll{overflow-x:auto;max-width:100%}
.dl{font-size:.8em;margin-left:.5em}ul.summary li{margin:.3em 0}.n{font-weight:600}
.warn{background:#fff3cd;border:1px solid #e0c46c;padding:.6em 1em}
.muted{color:#777;font-size:.85em}
.note{background:#eef4fb;border:1px solid #b8cde6;padding:.4em 1em}
"""


@dataclass(frozen=True)
class Section:
    """One section of the report: a title and its HTML body; ``brand`` names the brand of
    a section per brand (the contents list many of them on one line)."""

    title: str
    body: Markup
    anchor: str = ""
    brand: str = ""


#: More brands than this make a page of many brands: the contents list them on one line,
#: the across-brands table has a row per brand, and a portfolio's report leaves the figures
#: drawn brand by brand to each group's own report.
MANY_BRANDS = 8


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("seedmodel.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> Markup:
    """Render ``templates/<template>`` with ``context`` (escaped unless already Markup)."""
    return Markup(_environment().get_template(template).render(**context))


def figure_html(fig: Figure, alt: str) -> Markup:
    """Render a Figure as an embedded PNG ``<img>``; its text is drawn literally."""
    buf = io.BytesIO()
    with matplotlib.rc_context(LITERAL_TEXT):
        fig.savefig(buf, format="png", dpi=110)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return Markup('<img alt="{}" src="data:image/png;base64,{}">').format(alt, data)


def download_link(frame: pd.DataFrame, filename: str, label: str, title: str) -> Markup:
    """A link that saves ``frame`` as ``filename`` (UTF-8 CSV with BOM, so that Excel reads
    Chinese), embedded in the page: the report stays one offline file."""
    raw = ("\ufeff" + frame.to_csv(index=False, lineterminator="\n")).encode("utf-8")
    data = base64.b64encode(raw).decode("ascii")
    return Markup(
        '<a class="dl" download="{}" title="{}" href="data:text/csv;charset=utf-8;base64,{}">{}</a>'
    ).format(filename, title, data, label)


def csv_link(frame: pd.DataFrame, filename: str, lang: str) -> Markup:
    """:func:`download_link` with the report's label and tooltip in ``lang``."""
    return download_link(frame, filename, text("download", lang), text("download_title", lang))


def downloads(page: str) -> dict[str, bytes]:
    """Every CSV a page offers through :func:`download_link`: file name -> its bytes (the
    first of two links with one name)."""
    found: dict[str, bytes] = {}
    for name, data in re.findall(
        r'download="([^"]+)"[^>]*href="data:text/csv;charset=utf-8;base64,([^"]+)"', page
    ):
        found.setdefault(html.unescape(name), base64.b64decode(data))
    return found


def table_html(
    frame: pd.DataFrame,
    *,
    floatfmt: str = "{:,.2f}",
    download: Markup | None = None,
) -> Markup:
    """Render a DataFrame as an HTML table with readable numbers (cells and headers
    escaped), in a box that scrolls sideways rather than overflow the page, with an optional
    :func:`download_link` under it."""
    formatters = {
        c: (lambda v, f=floatfmt: "" if pd.isna(v) else f.format(v))
        for c in frame.columns
        if pd.api.types.is_float_dtype(frame[c])
    }
    frame = frame.rename(columns=str)
    table = Markup(
        frame.to_html(index=False, border=0, formatters=formatters, escape=True, na_rep="")
    )
    return Markup('<div class="scroll">{}</div>{}').format(table, download or "")


def render_page(title: str, subtitle: str, sections: list[Section], *, lang: str = "en") -> str:
    """The whole page, with a table of contents (sections per brand on one line of it when
    there are more than :data:`MANY_BRANDS`)."""
    anchors = [s.anchor or str(i) for i, s in enumerate(sections)]
    brands = [(s.brand, a) for s, a in zip(sections, anchors, strict=True) if s.brand]
    contents: list[tuple[str, str, list[tuple[str, str]]]] = []
    for s, anchor in zip(sections, anchors, strict=True):
        if s.brand and len(brands) > MANY_BRANDS:
            if not contents or not contents[-1][2]:
                contents.append((text("brands_toc", lang), "", brands))
            continue
        contents.append((s.title, anchor, []))
    return str(
        render(
            "page.html",
            title=title,
            subtitle=subtitle,
            sections=list(zip(sections, anchors, strict=True)),
            contents=contents,
            css=Markup(CSS),
            lang=lang,
        )
    )
