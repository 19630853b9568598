"""Bar and line charts as PNG bytes, for figures in generated documents (`documents.Image`).

Drawn with matplotlib's Agg canvas on a `Figure` object (no pyplot state, so concurrent
requests cannot draw into each other's chart). Chinese labels need a CJK face: the first one
installed from `CJK_FONTS` is used; when none is installed the chart still renders (the labels
fall back to the default face, possibly as empty boxes) — a report is never refused for want
of a font. Missing values (None) are gaps: no bar, no point, and "—" where the value is shown.
"""

from __future__ import annotations

import functools
import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

# Preferred faces, simplified Chinese first (font_manager family names).
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
)
# 2.54 cm to the inch; charts are drawn at print resolution.
CM = 1 / 2.54
DPI = 200
NO_VALUE = "—"
COLOURS = ("#1f5fa8", "#d9822b", "#3a9a5b", "#b33a3a", "#7a5cb3", "#6b6b6b")


@dataclass(frozen=True)
class Series:
    """One series: a label for the legend and one value per category (None = no data)."""

    label: str
    values: Sequence[float | int | None]


@functools.cache
def cjk_font() -> str | None:
    """The family name of the first installed face from CJK_FONTS, or None."""
    try:
        from matplotlib import font_manager
    except ImportError:  # pragma: no cover - matplotlib is a declared dependency
        return None
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _rc() -> dict[str, Any]:
    family = cjk_font()
    rc: dict[str, Any] = {"axes.unicode_minus": False, "font.size": 9}
    if family:
        rc["font.family"] = "sans-serif"
        rc["font.sans-serif"] = [family, "DejaVu Sans"]
    return rc


def _number(value: float | int | None, percent: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_VALUE
    if percent:
        return f"{float(value):.1f}%"
    if float(value).is_integer():
        return str(int(value))
    return f"{float(value):.1f}"


def _draw(
    kind: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    percent: bool,
    target: float | None,
    target_label: str,
    width_cm: float,
    height_cm: float,
) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [str(c) for c in categories]
    positions = list(range(len(labels)))
    with warnings.catch_warnings(), matplotlib.rc_context(cast(Any, _rc())):
        # Without a CJK face every Chinese glyph warns; the chart is still wanted.
        warnings.simplefilter("ignore", UserWarning)
        figure = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot(1, 1, 1)
        count = max(len(series), 1)
        bar_width = 0.8 / count
        top = 0.0
        for index, one in enumerate(series):
            values = [None if v is None else float(v) for v in one.values][: len(labels)]
            values += [None] * (len(labels) - len(values))
            colour = COLOURS[index % len(COLOURS)]
            present = [v for v in values if v is not None]
            top = max([top, *present])
            if kind == "bar":
                offset = (index - (count - 1) / 2) * bar_width
                xs = [p + offset for p in positions]
                heights = [0.0 if v is None else v for v in values]
                bars = axes.bar(xs, heights, bar_width * 0.92, label=one.label, color=colour)
                for bar, value in zip(bars, values, strict=True):
                    axes.annotate(
                        _number(value, percent),
                        (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        xytext=(0, 2),
                        textcoords="offset points",
                        ha="center",
                        va="bottom",
                        fontsize=7,
                    )
            else:
                ys = [math.nan if v is None else v for v in values]
                axes.plot(positions, ys, marker="o", label=one.label, color=colour)
                for x, value in zip(positions, values, strict=True):
                    if value is not None:
                        axes.annotate(
                            _number(value, percent),
                            (x, value),
                            xytext=(0, 4),
                            textcoords="offset points",
                            ha="center",
                            fontsize=7,
                        )
        if target is not None:
            axes.axhline(target, color="#b33a3a", linestyle="--", linewidth=1, label=target_label)
            top = max(top, target)
        axes.set_xticks(positions)
        axes.set_xticklabels(
            labels,
            rotation=30 if len(labels) > 6 else 0,
            ha="right" if len(labels) > 6 else "center",
        )
        if percent:
            axes.set_ylim(0, max(100.0, top * 1.1))
        else:
            axes.set_ylim(0, max(1.0, top * 1.15))
        if title:
            axes.set_title(title)
        if y_label:
            axes.set_ylabel(y_label)
        axes.spines["top"].set_visible(False)
        axes.spines["right"].set_visible(False)
        axes.grid(axis="y", linewidth=0.4, alpha=0.5)
        if len(series) > 1 or target is not None:
            axes.legend(fontsize=7, frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    y_label: str = "",
    percent: bool = False,
    target: float | None = None,
    target_label: str = "",
    width_cm: float = 15.0,
    height_cm: float = 8.0,
) -> bytes:
    """Grouped bars, one group per category, one bar per series, each bar labelled with its
    value ("—" for None); `percent` scales the axis to at least 100 and shows values as
    "%"; `target` draws a dashed horizontal line (e.g. the appearance target)."""
    return _draw(
        "bar",
        categories,
        series,
        title=title,
        y_label=y_label,
        percent=percent,
        target=target,
        target_label=target_label,
        width_cm=width_cm,
        height_cm=height_cm,
    )


def line_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    y_label: str = "",
    percent: bool = False,
    target: float | None = None,
    target_label: str = "",
    width_cm: float = 15.0,
    height_cm: float = 8.0,
) -> bytes:
    """One line per series over the categories (e.g. months); None leaves a gap."""
    return _draw(
        "line",
        categories,
        series,
        title=title,
        y_label=y_label,
        percent=percent,
        target=target,
        target_label=target_label,
        width_cm=width_cm,
        height_cm=height_cm,
    )
