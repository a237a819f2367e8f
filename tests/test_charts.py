"""Trend charts read right for any number of visits and any range: rendered to SVG (vl-convert, as
the report does, and after Streamlit's own preparation of the spec, as the app does), the dots
spread over the plot's height, the plot keeps its height, and the date labels never overlap."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import pytest
import vl_convert
from streamlit.elements.vega_charts import _prepare_vega_lite_spec

from posture.history.charts import chart_svg, trend_chart, value_domain
from posture.history.trends import Point, normal_band

SVG = "{http://www.w3.org/2000/svg}"
PLOT_HEIGHT = 180
APP_COLUMN_PX = 900
MEAN_GLYPH_WIDTH = 0.62  # of the font size, a generous average for sans-serif digits and letters


@dataclass(frozen=True)
class Drawn:
    plot_height: float
    dot_ys: list[float]
    x_labels: list[tuple[float, str, float]]  # centre x, text, font size


def _weekly_hip(count: int, weeks_apart: int = 1) -> list[Point]:
    """The physiotherapist's client: the hip line from 7.8 deg down to -0.7 deg."""
    return [Point(date(2026, 9, 7) + timedelta(weeks=weeks_apart * i), 7.8 - 8.5 * i / max(count - 1, 1), 2.7)
            for i in range(count)]


def _drawn(svg: str) -> Drawn:
    root = ElementTree.fromstring(svg)
    frame = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "background" and "h" in p.get("d", "")
                 and p.get("d") != "M0,0h0v0h0Z")
    plot_height = float(re.search(r"v([\d.]+)", frame.get("d")).group(1))
    dots = [p for g in root.iter(f"{SVG}g") if "mark-symbol" in (g.get("class") or "") for p in g.iter(f"{SVG}path")]
    dot_ys = [float(re.search(r"translate\([\d.-]+,([\d.-]+)\)", d.get("transform")).group(1)) for d in dots]
    axes = [g for g in root.iter(f"{SVG}g") if (g.get("aria-label") or "").startswith("X-axis")]
    labels = [t for g in axes for t in g.iter(f"{SVG}text")
              if t.get("text-anchor") == "middle" and t.get("opacity", "1") != "0"]
    x_labels = [(float(re.search(r"translate\(([\d.-]+),", t.get("transform")).group(1)), t.text,
                 float(t.get("font-size").removesuffix("px"))) for t in labels]
    return Drawn(plot_height, dot_ys, x_labels)


def _as_in_the_app(points: list[Point]) -> str:
    """The spec as Streamlit prepares it for a chart stretched over a column (its autosize rules),
    at that column's width."""
    spec = _prepare_vega_lite_spec(trend_chart("hip_tilt_deg", "deg", points).to_dict(), use_container_width=True)
    spec["width"] = APP_COLUMN_PX
    return vl_convert.vegalite_to_svg(spec)


def _overlapping(labels: list[tuple[float, str, float]]) -> list[tuple[str, str]]:
    spans = sorted((x - len(text) * size * MEAN_GLYPH_WIDTH / 2, x + len(text) * size * MEAN_GLYPH_WIDTH / 2, text)
                   for x, text, size in labels)
    return [(a[2], b[2]) for a, b in pairwise(spans) if b[0] < a[1]]


@pytest.mark.parametrize("count", [2, 260])
@pytest.mark.parametrize("where", ["report", "app"])
def test_a_real_change_fills_the_plot_height_in_the_report_and_in_the_app(count, where):
    points = _weekly_hip(count, weeks_apart=4 if count == 2 else 1)
    svg = chart_svg(trend_chart("hip_tilt_deg", "deg", points)) if where == "report" else _as_in_the_app(points)
    drawn = _drawn(svg)
    assert drawn.plot_height == PLOT_HEIGHT  # the app's container sizing squeezed it once
    assert len(drawn.dot_ys) == count
    spread = (max(drawn.dot_ys) - min(drawn.dot_ys)) / drawn.plot_height
    assert spread > 0.4, spread  # 7.8 -> -0.7 deg with +-2.7 deg around it: the change is most of the plot


@pytest.mark.parametrize("weeks", [0, 2, 4, 12, 52, 259, 520])
@pytest.mark.parametrize("where", ["report", "app"])
def test_date_labels_never_overlap_over_any_range(weeks, where):
    points = [Point(date(2026, 9, 7), 1.0, 1.0)] + ([Point(date(2026, 9, 7) + timedelta(weeks=weeks), 2.0, 1.0)]
                                                    if weeks else [])
    svg = chart_svg(trend_chart("hip_tilt_deg", "deg", points)) if where == "report" else _as_in_the_app(points)
    labels = _drawn(svg).x_labels
    assert 2 <= len(labels) <= 8, labels  # dated, and not a label per day
    assert not _overlapping(labels), labels


def test_one_assessment_is_one_dot_with_its_uncertainty_in_the_middle_of_a_readable_range():
    [point] = _weekly_hip(1)
    low, high = value_domain("hip_tilt_deg", [point])
    assert low <= point.value - point.uncertainty and point.value + point.uncertainty <= high
    assert low > 0  # not forced through zero: the usual range's far edge (-3) would squash the dot's bar
    assert normal_band("hip_tilt_deg")[1] >= low  # its near edge (+3) is in view: how far from usual it is
    drawn = _drawn(chart_svg(trend_chart("hip_tilt_deg", "deg", [point])))
    assert len(drawn.dot_ys) == 1 and 0.1 < drawn.dot_ys[0] / drawn.plot_height < 0.9


def test_the_domain_follows_the_data_not_a_fixed_span():
    small = [Point(date(2026, 1, 5) + timedelta(weeks=i), 60.0 + 0.1 * i, 0.2) for i in range(5)]
    low, high = value_domain("craniovertebral_angle_deg", small)
    assert 59.5 < low < 60 and 60.6 < high < 61.5 and high - low < 3  # not stretched to 0 or to the 50 deg edge
    flat = [Point(date(2026, 1, 5) + timedelta(weeks=i), 4.0, 0.0) for i in range(3)]
    low, high = value_domain("weight_shift_pct", flat)
    assert low < 4.0 < high and high - low >= 1.0  # a constant series still has a scale
