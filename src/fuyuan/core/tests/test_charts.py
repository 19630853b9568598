"""Chart PNGs for generated documents: bars and lines render with Chinese labels, gaps for
missing values, a target line, and still render when no CJK font is installed."""

from __future__ import annotations

import io
import struct

import pytest

from fuyuan.core import charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_a_bar_chart_is_a_png_of_the_asked_size() -> None:
    data = charts.bar_chart(
        ["西平县", "上蔡县", "驻马店市"],
        [charts.Series("败诉率", [12.5, None, 40]), charts.Series("出庭率", [80, None, 60])],
        percent=True,
        target=70,
        target_label="目标70%",
        width_cm=15,
        height_cm=8,
    )
    width, height = png_size(data)
    # 15 × 8 cm at 200 dpi (matplotlib truncates to whole pixels)
    assert abs(width - 15 / 2.54 * 200) <= 1
    assert abs(height - 8 / 2.54 * 200) <= 1


def test_a_line_chart_with_gaps_renders() -> None:
    months = [f"{m}月" for m in range(1, 13)]
    data = charts.line_chart(
        months,
        [charts.Series("2025年", [1, 2, None, 4, 5, 6, 7, 8, 9, 10, 11, 12])],
        title="新收案件",
        y_label="件",
    )
    assert png_size(data)[0] > 0


def test_empty_data_still_renders() -> None:
    assert png_size(charts.bar_chart([], []))[0] > 0
    assert png_size(charts.bar_chart(["甲"], [charts.Series("无", [None])], percent=True))[0] > 0


def test_a_cjk_font_is_used_when_installed() -> None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    expected = next((name for name in charts.CJK_FONTS if name in installed), None)
    assert charts.cjk_font() == expected
    rc = charts._rc()
    if expected:
        assert rc["font.sans-serif"][0] == expected


def test_without_a_cjk_font_the_chart_still_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    data = charts.bar_chart(["行政机关"], [charts.Series("出庭率", [75.0])], percent=True)
    assert png_size(data)[0] > 0
    assert "font.sans-serif" not in charts._rc()


def test_values_are_labelled_and_missing_ones_show_a_dash() -> None:
    assert charts._number(None, percent=True) == "—"
    assert charts._number(float("nan"), percent=False) == "—"
    assert charts._number(12.5, percent=True) == "12.5%"
    assert charts._number(3.0, percent=False) == "3"


def test_the_png_opens_as_an_image() -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(charts.bar_chart(["甲", "乙"], [charts.Series("数", [1, 2])])))
    assert image.format == "PNG"
