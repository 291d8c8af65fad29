"""The report's words and number formats in Chinese and English.

Every heading, sentence, axis label and table header of the report comes from the message
catalogue (``messages.toml``);
channel and platform ids are shown by their programme names (小红星 / 红猫 / 红京, 天猫 /
京东 in Chinese; Little Red Star / Red Cat / Red JD in English) and kept as ids in every
exported table. Money is in 万元 / 亿元 for Chinese readers and in ¥ with k / M for English
ones, with three significant figures: a strategy report is read, not reconciled to the fen.
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from importlib.resources import files

from markupsafe import Markup

__all__ = [
    "LANGS",
    "UNIT_10K",
    "catalogue",
    "cell_name",
    "channel_name",
    "headers",
    "listed",
    "metric_name",
    "money",
    "money_interval",
    "percent",
    "platform_name",
    "ratio",
    "ratio_interval",
    "readable_diagnostics",
    "reason_text",
    "text",
]

LANGS = ("en", "zh")

CHANNELS = {
    "en": {"little_red_star": "Little Red Star", "red_cat": "Red Cat", "red_jd": "Red JD"},
    "zh": {"little_red_star": "小红星", "red_cat": "红猫", "red_jd": "红京"},
}
#: The unit of figure axes in ten thousands of yuan.
UNIT_10K = {"en": "CNY 10k", "zh": "万元"}
PLATFORMS = {
    "en": {"tmall": "Tmall", "jd": "JD"},
    "zh": {"tmall": "天猫", "jd": "京东"},
}
#: Engagement metrics and sales outcomes as readers know them.
METRICS = {
    "en": {"interactions": "interactions (likes + collects + comments + shares + follows)"},
    "zh": {
        "impressions": "曝光",
        "reads": "阅读",
        "likes": "点赞",
        "collects": "收藏",
        "comments": "评论",
        "shares": "分享",
        "follows": "关注",
        "clicks": "点击",
        "interactions": "互动（点赞 + 收藏 + 评论 + 分享 + 关注）",
        "gmv": "GMV",
        "orders": "订单",
        "store_visits": "进店",
        "new_visitors": "新访客",
        "searches": "搜索",
        "add_to_cart": "加购",
    },
}


#: The message catalogue, ``messages.toml`` beside this module: key -> {"en": ..., "zh": ...}.
#: Read on first use.
@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every text of the report, by key and language."""
    return tomllib.loads(files("seedmodel.report").joinpath("messages.toml").read_text("utf-8"))


def text(key: str, lang: str, **fields: object) -> str:
    """The report's text ``key`` in ``lang``, with ``fields`` filled in."""
    return catalogue()[key][lang].format(**fields)


def listed(items: list[str], lang: str) -> str:
    """``items`` as one phrase: "a, b and c" (en), "a、b、c" (zh). Markup items (the
    summary's marked numbers) are joined as Markup, with the separators escaped.

    Examples
    --------
    >>> listed(["a", "b", "c"], "en"), listed(["a"], "en"), listed(["a", "b"], "zh")
    ('a, b and c', 'a', 'a、b')
    >>> listed([Markup("<b>1</b>"), Markup("<b>2</b>")], "en")
    Markup('<b>1</b> and <b>2</b>')
    """
    comma, and_ = text("list_comma", lang), text("list_and", lang)
    if items and isinstance(items[0], Markup):
        comma, and_ = Markup.escape(comma), Markup.escape(and_)
    if len(items) < 2:
        return items[0] if items else ""
    return comma.join(items[:-1]) + and_ + items[-1]


def reason_text(diagnostics, lang: str) -> str:
    """Why a fit did not converge, in ``lang``.

    A single fit's reason is said again from its diagnostics' fields
    (:func:`seedmodel.inference.diagnostics.reason_parts`) in the catalogue's words, so a
    Chinese page has no English clause in its warning; in English that is
    ``diagnostics.reason`` itself, what ``diagnostics.json`` says. A reason the fields do
    not give again (a portfolio's, which names its groups and their errors) is given as it
    is.

    Parameters
    ----------
    diagnostics : Diagnostics
        The fit's (:class:`seedmodel.inference.diagnostics.Diagnostics`).
    lang : {"en", "zh"}
    """
    if diagnostics.converged or _reason_in(diagnostics, "en") != diagnostics.reason:
        return diagnostics.reason
    return _reason_in(diagnostics, lang)


def _reason_in(d, lang: str) -> str:
    from seedmodel.inference.diagnostics import reason_parts

    if not math.isfinite(d.max_rhat) and d.sampler in ("pathfinder", "advi"):
        parts = [("approximation", {"sampler": d.sampler})]
    else:
        parts = reason_parts(d.chains, d.max_rhat, d.min_ess_bulk, d.divergences, d.stopped)
    words = [text(f"reason_{key}", lang, **fields) for key, fields in parts]
    return text("reason_separator", lang).join(words)


def readable_diagnostics(frame, lang: str):
    """``frame``'s diagnostics columns (``diagnostics.json``'s keys) as a reader takes them
    in: converged as yes / no, why sampling stopped in words, R-hat to three decimals,
    counts and seconds whole; a missing value (a group that failed) blank. Other columns
    are kept."""
    import pandas as pd

    out = frame.copy()
    shown = {
        "converged": lambda c: text("yes" if c else "no", lang),
        "stopped": lambda s: text(f"stopped_{s.replace(' ', '_')}", lang) if s else "",
        "brand_spreads": lambda s: text(f"spreads_{s}", lang) if s else "",
        "max_rhat": lambda v: f"{v:.3f}",
        "target_accept": lambda v: f"{v:.2f}",
        **dict.fromkeys(
            ("min_ess_bulk", "divergences", "seconds", "compile_seconds", "gradients", "restarts"),
            lambda v: f"{v:,.0f}",
        ),
    }
    for column, show in shown.items():
        if column in out:
            out[column] = ["" if v is None or pd.isna(v) else show(v) for v in frame[column]]
    return out


def headers(frame, lang: str):
    """``frame`` with its column names in ``lang`` where the catalogue has them
    (``col_<name>``), and channel ids as programme names."""
    names = catalogue()
    out = frame.rename(columns=lambda c: names[f"col_{c}"][lang] if f"col_{c}" in names else c)
    if "channel" in frame.columns:
        out[names["col_channel"][lang]] = [channel_name(c, lang) for c in frame["channel"]]
    return out


def channel_name(channel: str, lang: str) -> str:
    """A channel id as readers know it (小红星 / Little Red Star); other ids unchanged."""
    return CHANNELS[lang].get(channel, channel)


def cell_name(brand: str, channel: str, lang: str) -> str:
    """A brand x channel as readers see it in tables, figures and sentences: the brand, then
    the channel's name (``LumaBeauty · 红京``).

    Examples
    --------
    >>> cell_name("LumaBeauty", "red_jd", "zh")
    'LumaBeauty · 红京'
    """
    return f"{brand} · {channel_name(channel, lang)}"


def metric_name(metric: str, lang: str) -> str:
    """An engagement metric or sales outcome id as readers know it (收藏 / collects; GMV)."""
    if metric == "gmv":
        return "GMV"
    return METRICS[lang].get(metric, metric.replace("_", " "))


def platform_name(platform: str, lang: str) -> str:
    """A platform id as readers know it (天猫 / Tmall); other ids unchanged."""
    return PLATFORMS[lang].get(platform, platform)


def _significant(x: float, digits: int = 3) -> str:
    """``x`` with ``digits`` significant figures, thousands separated, no exponent."""
    if x == 0 or not math.isfinite(x):
        return f"{x:,.0f}" if math.isfinite(x) else "–"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{round(x, decimals):,.{decimals}f}"


def money(x: float, lang: str) -> str:
    """Yuan for reading: ``1,234 万元`` / ``1.23 亿元`` (zh), ``¥12.3M`` / ``¥456k`` (en).

    Examples
    --------
    >>> money(12_345_678, "zh"), money(123_456_789, "zh"), money(12_345_678, "en")
    ('1,230 万元', '1.23 亿元', '¥12.3M')
    >>> money(99_999, "en"), money(999.6, "en")
    ('¥100k', '¥1.00k')
    >>> money(-4_560, "en"), money(880, "zh")
    ('-¥4.56k', '880 元')
    >>> money(1.8e-15, "en"), money(-0.2, "zh")
    ('¥0', '0 元')
    """
    if not math.isfinite(x):
        return "–"
    if abs(x) < 0.5:  # less than a yuan: numerical noise of a cell with no spend
        return "0 元" if lang == "zh" else "¥0"
    sign, v = ("-" if x < 0 else ""), float(f"{abs(x):.3g}")  # 99,999 -> 100k, not 100.0k
    if lang == "zh":
        if v >= 1e8:
            return f"{sign}{_significant(v / 1e8)} 亿元"
        if v >= 1e4:
            return f"{sign}{_significant(v / 1e4)} 万元"
        return f"{sign}{_significant(v)} 元"
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if v >= size:
            return f"{sign}¥{_significant(v / size)}{unit}"
    return f"{sign}¥{_significant(v)}"


def money_interval(mid: float, lo: float, hi: float, lang: str) -> str:
    """``1,230 万元 [815 万元 – 3,070 万元]``: an estimate of money with its interval."""
    return f"{money(mid, lang)} [{money(lo, lang)} – {money(hi, lang)}]"


def ratio_interval(mid: float, lo: float, hi: float) -> str:
    """``2.31 [1.20 – 3.40]``: a ratio with its interval."""
    return f"{ratio(mid)} [{ratio(lo)} – {ratio(hi)}]"


def ratio(x: float) -> str:
    """A ratio (ROI, factor) to two decimals: ``2.31``."""
    return f"{x:.2f}" if math.isfinite(x) else "–"


def percent(x: float) -> str:
    """A probability or share as a whole percent; never a certain-looking 100% or 0% that
    rounding made.

    Examples
    --------
    >>> percent(0.974), percent(0.998), percent(1.0), percent(0.003)
    ('97%', '>99%', '100%', '<1%')
    """
    if not math.isfinite(x):
        return "–"
    if 0.995 <= x < 1:
        return ">99%"
    if 0 < x < 0.005:
        return "<1%"
    return f"{x:.0%}"
