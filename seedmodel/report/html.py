"""A self-contained HTML page: sections of text, tables and figures embedded as PNG."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["Section", "figure_html", "render_page", "table_html"]

CSS = """
body{font-family:-apple-system,'Segoe UI','PingFang SC','Noto Sans CJK SC',sans-serif;
margin:2em auto;max-width:1100px;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}
td:first-child,th:first-child{text-align:left}
img{max-width:100%}.warn{background:#fff3cd;border:1px solid #e0c46c;padding:.6em 1em}
.muted{color:#777;font-size:.85em}
"""


@dataclass(frozen=True)
class Section:
    """One section of the report: a title and its HTML body."""

    title: str
    body: str
    anchor: str = ""


def figure_html(fig: Figure, alt: str) -> str:
    """Render a Figure as an embedded PNG ``<img>`` (the figure is closed)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def table_html(frame: pd.DataFrame, *, floatfmt: str = "{:,.2f}") -> str:
    """Render a DataFrame as an HTML table with readable numbers."""
    formatters = {
        c: (lambda v, f=floatfmt: "" if pd.isna(v) else f.format(v))
        for c in frame.columns
        if pd.api.types.is_float_dtype(frame[c])
    }
    return frame.to_html(index=False, border=0, formatters=formatters, escape=True, na_rep="")


def render_page(title: str, subtitle: str, sections: list[Section]) -> str:
    """The whole page, with a table of contents."""
    toc = "".join(
        f'<li><a href="#{s.anchor or i}">{html.escape(s.title)}</a></li>'
        for i, s in enumerate(sections)
    )
    body = "".join(
        f'<section id="{s.anchor or i}"><h2>{html.escape(s.title)}</h2>{s.body}</section>'
        for i, s in enumerate(sections)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="muted">{html.escape(subtitle)}</p>'
        f"<nav><ol>{toc}</ol></nav>{body}</body></html>\n"
    )
