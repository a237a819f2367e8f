"""Trend charts (Altair): the values over time with their uncertainty and the usual range shaded.
One spec for both places: the app draws it with Streamlit's bundled Vega, the reports embed it as
SVG (HTML) or PNG (PDF), made by vl-convert offline.

The axes are set from the data, never left to a renderer's defaults: the app's container sizing
("fit" autosize) once squeezed a chart whose long y title outgrew its height into a flat line, and
a date axis left alone labelled every day of a short range until the labels overlapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import altair as alt
import pandas as pd

from posture.history.trends import Point, normal_band
from posture.registry import display_name

BAND_COLOUR = "#d9f2e3"
LINE_COLOUR = "#1f5f99"
DOMAIN_PADDING = 0.08  # of the value span, each side, so no point sits on the frame
BAND_REACH = 1.0  # a usual-range edge is shown when within this many data spans of the data
SINGLE_DATE_PADDING = timedelta(days=14)
MAX_DATE_TICKS = 6
MAX_POINTS_WITH_BARS = 52
# Tick intervals, finest first, with their length in days and their label format.
DATE_STEPS = (
    ("day", 1, 1, "%d %b"), ("week", 1, 7, "%d %b"), ("week", 2, 14, "%d %b"), ("month", 1, 30.4, "%b %Y"),
    ("month", 2, 61, "%b %Y"), ("month", 3, 91, "%b %Y"), ("month", 6, 183, "%b %Y"), ("year", 1, 365, "%Y"),
    ("year", 2, 730, "%Y"), ("year", 5, 1826, "%Y"),
)


def trend_chart(measurement: str, unit: str, points: Sequence[Point], width: int = 520, height: int = 180) -> alt.Chart:
    """Values (line and dots), ± 1 SD (band and bars), the usual range (green) where thresholds give one."""
    frame = pd.DataFrame({
        "taken_on": [pd.Timestamp(p.taken_on) for p in points],
        "value": [p.value for p in points],
        "low": [p.value - p.uncertainty for p in points],
        "high": [p.value + p.uncertainty for p in points],
        "uncertainty": [p.uncertainty for p in points],
    })
    low_y, high_y = value_domain(measurement, points)
    x = date_axis([p.taken_on for p in points])
    scale = alt.Scale(domain=[low_y, high_y], zero=False, nice=False)
    y = alt.Y("value:Q", title=unit, scale=scale, axis=alt.Axis(tickCount=5, labelOverlap=True))
    base = alt.Chart(frame)
    layers = [
        base.mark_area(color=LINE_COLOUR, opacity=0.15, clip=True).encode(x=x, y=alt.Y("low:Q", scale=scale),
                                                                          y2="high:Q"),
        base.mark_line(color=LINE_COLOUR, point=alt.OverlayMarkDef(color=LINE_COLOUR, size=_dot_size(len(points))),
                       clip=True).encode(
            x=x, y=y,
            tooltip=[alt.Tooltip("taken_on:T", title="date", format="%Y-%m-%d"),
                     alt.Tooltip("value:Q", format="+.1f", title=unit),
                     alt.Tooltip("uncertainty:Q", format=".1f", title="± (1 SD)")],
        ),
    ]
    if len(points) <= MAX_POINTS_WITH_BARS:  # beyond, the bars merge into the band anyway
        layers.insert(1, base.mark_rule(color=LINE_COLOUR, opacity=0.5, clip=True)
                      .encode(x=x, y=alt.Y("low:Q", scale=scale), y2="high:Q"))
    band = _usual_range(measurement, low_y, high_y)
    if band is not None:
        layers.insert(0, alt.Chart(band).mark_rect(color=BAND_COLOUR, opacity=0.7, clip=True)
                      .encode(y=alt.Y("low:Q", scale=scale), y2="high:Q"))
    return alt.layer(*layers).properties(
        width=width, height=height, title=alt.TitleParams(display_name(measurement), anchor="start", limit=width),
        # Only the width follows the container (the app's column); the plot keeps its height.
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    )


def value_domain(measurement: str, points: Sequence[Point]) -> tuple[float, float]:
    """The y range: every value with its uncertainty, a usual-range edge when it is near enough
    not to squash the data, a little padding; never forced through zero or to a fixed span."""
    low = min(p.value - p.uncertainty for p in points)
    high = max(p.value + p.uncertainty for p in points)
    span = max(high - low, 1e-6)
    for edge in normal_band(measurement):
        if edge is not None and low - BAND_REACH * span <= edge <= high + BAND_REACH * span:
            low, high = min(low, edge), max(high, edge)
    span = max(high - low, 1.0)  # a flat series without uncertainty still gets a readable scale
    middle = (low + high) / 2
    half = span / 2 * (1 + 2 * DOMAIN_PADDING)
    return round(middle - half, 3), round(middle + half, 3)


def date_axis(days: Sequence[date]) -> alt.X:
    """The date axis: padded range, ticks at whole days/weeks/months/years chosen from the span
    (at most MAX_DATE_TICKS), labels that never overlap."""
    first, last = min(days), max(days)
    padding = max((last - first) * 0.03, timedelta(days=2)) if last > first else SINGLE_DATE_PADDING
    start, end = first - padding, last + padding
    span_days = (end - start).days
    unit, step, _, label_format = next((s for s in DATE_STEPS if span_days / s[2] <= MAX_DATE_TICKS), DATE_STEPS[-1])
    return alt.X(
        "taken_on:T", title=None,
        scale=alt.Scale(domain=[_datetime(start), _datetime(end)], nice=False),
        axis=alt.Axis(tickCount={"interval": unit, "step": step}, format=label_format, labelAngle=0,
                      labelOverlap="greedy", labelSeparation=6, labelFlush=True, grid=False),
    )


def _datetime(day: date) -> alt.DateTime:
    return alt.DateTime(year=day.year, month=day.month, date=day.day)


def _usual_range(measurement: str, low_y: float, high_y: float) -> pd.DataFrame | None:
    """The green band between the mild thresholds; an open side reaches the edge of the plot."""
    low, high = normal_band(measurement)
    if low is None and high is None:
        return None
    return pd.DataFrame({"low": [low_y if low is None else low], "high": [high_y if high is None else high]})


def _dot_size(count: int) -> int:
    """Dots shrink as visits multiply, so 260 weekly ones still read as a line."""
    return 60 if count <= 12 else 30 if count <= 52 else 12


def chart_svg(chart: alt.Chart) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_dict())


def chart_png(chart: alt.Chart, scale: float = 2.0) -> bytes:
    """The chart as a PNG (for the PDF), `scale` times its size in CSS pixels: sharp on paper."""
    import vl_convert

    return vl_convert.vegalite_to_png(chart.to_dict(), scale=scale)
