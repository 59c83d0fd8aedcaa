"""The dashboard's SVG charts: one mark per value, values readable back, text escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from fitroom.server import charts

SVG = "{http://www.w3.org/2000/svg}"
XSS = '<script>alert("x")</script>'


def marks(svg: str) -> list[tuple[str, float]]:
    root = ET.fromstring(svg)  # also proves the SVG is well-formed XML
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None
    return [
        (rect.get("data-label") or "", float(rect.get("data-value") or "nan"))
        for rect in root.iter(f"{SVG}rect")
        if rect.get("data-value") is not None
    ]


@pytest.mark.parametrize(
    "draw",
    [
        lambda items: charts.horizontal_bars(items, title="t"),
        lambda items: charts.columns(items, title="t"),
    ],
)
def test_bars_carry_their_values_and_escape_labels(draw: object) -> None:
    items = [("Tee", 3), (XSS, 7), ("Zero", 0)]
    svg = draw(items)  # type: ignore[operator]
    assert marks(svg) == [("Tee", 3.0), (XSS, 7.0), ("Zero", 0.0)]
    assert "<script>" not in svg


def test_longest_bar_is_the_largest_value() -> None:
    svg = charts.horizontal_bars([("a", 2), ("b", 8), ("c", 4)], title="t")
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths.index(max(widths)) == 1
    assert widths[1] == pytest.approx(4 * widths[0], rel=1e-3)


def test_paired_bars_and_share_bar() -> None:
    svg = charts.paired_bars([("S", 1, 2), ("M", 5, 3)], title="sizes", series=("Advised", "Cart"))
    assert marks(svg) == [("S", 1.0), ("S", 2.0), ("M", 5.0), ("M", 3.0)]
    shares = charts.share_bar({"happy": 0.75, "neutral": 0.25}, title="r")
    assert marks(shares) == [("happy", 0.75), ("neutral", 0.25)]
    assert "happy 75%" in shares


def test_empty_data_says_so() -> None:
    for svg in (
        charts.horizontal_bars([], title="t"),
        charts.columns([], title="t"),
        charts.paired_bars([], title="t", series=("a", "b")),
        charts.share_bar({}, title="t"),
    ):
        assert marks(svg) == []
        assert "No data in this range" in svg
