"""Figures for the report without pyplot: no backend chosen at import, no global figure
registry, and user strings (brand, channel, event names) drawn as literal text."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

__all__ = [
    "CHANNEL_COLORS",
    "CJK_FONTS",
    "LITERAL_TEXT",
    "channel_color",
    "finish_panels",
    "installed_cjk_fonts",
    "subplots",
]

#: Fonts that draw Chinese, in order of preference (matplotlib falls back glyph by glyph
#: along an explicit list of families, not along the generic "sans-serif").
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "Microsoft YaHei",
    "WenQuanYi Zen Hei",
    "SimHei",
)


def installed_cjk_fonts() -> list[str]:
    """The fonts of :data:`CJK_FONTS` this machine has (``apt-get install fonts-noto-cjk``
    on Debian and Ubuntu; macOS and Windows ship PingFang and YaHei)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in CJK_FONTS if f in names]


#: Report figures show names as typed: ``$`` in a brand is a dollar sign, not math-text;
#: Chinese (花西子, 小红星) is drawn with the first CJK font installed, DejaVu Sans for the
#: rest. Only installed fonts are listed, so matplotlib does not log a line per missing one.
LITERAL_TEXT = {
    "text.parse_math": False,
    "font.family": ["DejaVu Sans", *installed_cjk_fonts()],
}


#: One colour per channel in every figure of the report.
CHANNEL_COLORS = {"little_red_star": "#e0313a", "red_cat": "#f28e2b", "red_jd": "#4e79a7"}
_OTHERS = ("#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#bab0ac")


def channel_color(channel: str) -> str:
    """The channel's colour: RED's three programmes fixed, any other channel by its name."""
    if channel in CHANNEL_COLORS:
        return CHANNEL_COLORS[channel]
    return _OTHERS[sum(channel.encode("utf-8")) % len(_OTHERS)]


def finish_panels(fig: Figure, axes: Any, used: int, ncol: int) -> None:
    """Hide the panels after the first ``used`` and put the first panel's legend above
    them all, where it covers no line or bar."""
    for ax in axes.ravel()[used:]:
        ax.set_visible(False)
    fig.legend(
        *axes.ravel()[0].get_legend_handles_labels(),
        loc="outside upper center",
        ncol=ncol,
        frameon=False,
        fontsize=8,
    )


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A constrained-layout Figure and its axes, like ``pyplot.subplots``.

    Draw on it inside ``matplotlib.rc_context(LITERAL_TEXT)`` (the plot functions are
    decorated with it) so that every text it holds is literal.
    """
    figsize = kwargs.pop("figsize", None)
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kwargs)
