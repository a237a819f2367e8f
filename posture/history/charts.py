"""Trend charts (Altair): the values over time with their uncertainty and the usual range shaded.
The app draws them with Streamlit's bundled Vega; the reports embed them as SVG (HTML) or PNG (PDF), made
by vl-convert offline."""

from __future__ import annotations

import altair as alt
import pandas as pd

from posture.history.trends import Point, normal_band
from posture.registry import display_name

BAND_COLOUR = "#d9f2e3"


def trend_chart(measurement: str, unit: str, points: list[Point], width: int = 520, height: int = 180) -> alt.Chart:
    frame = pd.DataFrame({
        "taken_on": [pd.Timestamp(p.taken_on) for p in points],
        "value": [p.value for p in points],
        "low": [p.value - p.uncertainty for p in points],
        "high": [p.value + p.uncertainty for p in points],
    })
    x = alt.X("taken_on:T", title=None)
    y_title = f"{display_name(measurement)} ({unit})"
    line = alt.Chart(frame).mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("taken_on:T", title="date"), alt.Tooltip("value:Q", format="+.1f")],
    )
    bars = alt.Chart(frame).mark_rule(opacity=0.5).encode(x=x, y="low:Q", y2="high:Q")
    layers = [bars, line]
    low, high = normal_band(measurement)
    if low is not None or high is not None:
        values = [p.value for p in points]  # an open side of the band reaches past the data
        band = pd.DataFrame({
            "low": [low if low is not None else min(*values, high) - 5],
            "high": [high if high is not None else max(*values, low) + 5],
        })
        layers.insert(0, alt.Chart(band).mark_rect(color=BAND_COLOUR, opacity=0.7).encode(y="low:Q", y2="high:Q"))
    return alt.layer(*layers).properties(width=width, height=height, title=display_name(measurement))


def chart_svg(chart: alt.Chart) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_dict())


def chart_png(chart: alt.Chart, scale: float = 2.0) -> bytes:
    """The chart as a PNG (for the PDF), `scale` times its size in CSS pixels: sharp on paper."""
    import vl_convert

    return vl_convert.vegalite_to_png(chart.to_dict(), scale=scale)
