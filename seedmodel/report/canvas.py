"""Figures for the report without pyplot: no backend chosen at import, no global figure
registry, and user strings (brand, channel, event names) drawn as literal text."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

__all__ = ["LITERAL_TEXT", "subplots"]

#: Report figures show names as typed: ``$`` in a brand is a dollar sign, not math-text;
#: Chinese (花西子, 小红星) is drawn with the first CJK font installed (matplotlib falls back
#: glyph by glyph along this list), DejaVu Sans for the rest.
LITERAL_TEXT = {
    "text.parse_math": False,
    # a list of families, not the generic "sans-serif": matplotlib falls back glyph by glyph
    # only along an explicit list
    "font.family": [
        "DejaVu Sans",
        "Noto Sans CJK SC",
        "Noto Serif CJK SC",
        "Source Han Sans SC",
        "PingFang SC",
        "Microsoft YaHei",
        "WenQuanYi Zen Hei",
        "SimHei",
    ],
}


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A constrained-layout Figure and its axes, like ``pyplot.subplots``.

    Draw on it inside ``matplotlib.rc_context(LITERAL_TEXT)`` (the plot functions are
    decorated with it) so that every text it holds is literal.
    """
    figsize = kwargs.pop("figsize", None)
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kwargs)
