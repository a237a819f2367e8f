"""The progress report: one self-contained HTML file (thumbnails and SVG charts inside) with the
changes and whether each is real, the trend charts, the latest findings and corrections, and the
weekly summary."""

from __future__ import annotations

import base64
from datetime import datetime
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from posture.history.charts import chart_svg, trend_chart
from posture.history.models import Assessment
from posture.history.progress import KEY_MEASUREMENTS, Progress, findings_and_corrections
from posture.report import measurement_name
from posture.report_html import STYLE

CHARTS_IN_REPORT = 6


def progress_html(session: Session, view: Progress) -> str:
    name = escape(view.profile.name)
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Progress: {name}</title>",
        f"<style>{STYLE}</style></head><body><h1>Progress: {name}</h1>",
        f"<p>{datetime.now():%Y-%m-%d}. {len(view.assessments)} assessment(s). Suggestions from photos, "
        "not a diagnosis; a change counts only beyond its minimal detectable change (MDC95).</p>",
    ]
    if view.first and view.latest and view.first.id != view.latest.id:
        parts.append(_side_by_side(session, view))
        parts.append(_changes(view))
    parts.append(_charts(view))
    if view.latest:
        parts.append(_latest(findings_and_corrections(session, view.latest.id), view.latest.taken_on))
    parts.append(_weeks(view))
    parts.append("</body></html>")
    return "\n".join(parts)


def _side_by_side(session: Session, view: Progress) -> str:
    cells = []
    for summary in (view.first, view.latest):
        jpeg = session.scalar(select(Assessment.thumbnail_jpeg).where(Assessment.id == summary.id))
        image = (f"<img alt='assessment {summary.id}' src='data:image/jpeg;base64,{base64.b64encode(jpeg).decode()}'>"
                 if jpeg else "<p>(no image)</p>")
        cells.append(f"<div><h3>{summary.taken_on}</h3>{image}</div>")
    return f"<h2>First and latest</h2><div class='photo'>{''.join(cells)}</div>"


def _changes(view: Progress) -> str:
    rows = "".join(
        f"<tr><td>{escape(measurement_name(c.measurement))}</td><td>{c.first.value:+.1f}</td>"
        f"<td>{c.latest.value:+.1f}</td><td>{c.delta:+.1f} {escape(c.unit)}</td><td>{c.mdc.mdc95:.1f}</td>"
        f"<td><strong>{escape(c.verdict)}</strong></td></tr>"
        for c in view.changes
    )
    return (
        f"<h2>Changes {view.first.taken_on} → {view.latest.taken_on}</h2><table><tr><th>Measurement</th>"
        f"<th>First</th><th>Latest</th><th>Change</th><th>MDC95</th><th>Verdict</th></tr>{rows}</table>"
    )


def _charts(view: Progress) -> str:
    shown = [m for m in KEY_MEASUREMENTS if m in view.series and len(view.series[m][1]) > 1][:CHARTS_IN_REPORT]
    if not shown:
        return ""
    charts = "".join(f"<div>{chart_svg(trend_chart(m, *view.series[m]))}</div>" for m in shown)
    return f"<h2>Trends (green: the usual range; bars: ± uncertainty)</h2>{charts}"


def _latest(assessment: dict, taken_on) -> str:
    present = [f for f in assessment["findings"] if f["status"] == "present" and f["kind"] == "finding"]
    findings = "".join(f"<li><strong>{escape(f['label'])}</strong>: {escape(f['severity'])}, confidence "
                       f"{f['confidence']:.0%}</li>" for f in present) or "<li>No finding beyond the thresholds.</li>"
    corrections = []
    for rec in assessment["recommendations"]:
        items = "".join(
            f"<li>{kind} {escape(e['muscle'])} ({escape(e['side'])}): {escape(e['name'])}, {escape(e['dosage'])}</li>"
            for kind in ("stretch", "strengthen") for e in rec[kind]
        )
        corrections.append(f"<h3>{escape(rec['label'])}</h3><ul>{items}</ul>")
    safety = assessment["safety"]
    return (
        f"<h2>Latest assessment ({taken_on})</h2><ul>{findings}</ul><h2>Corrections</h2>{''.join(corrections)}"
        f"<p class='notice'>{escape(safety['red_flag_advice'])} {escape('; '.join(safety['red_flags']))}. "
        f"{escape(safety['stop_rule'])}</p><p class='disclaimer'>{escape(safety['disclaimer'])}</p>"
    )


def _weeks(view: Progress) -> str:
    rows = "".join(
        f"<tr><td>{w.starts_on}</td><td>{w.assessments}</td>"
        f"<td>{'-' if w.mean_pain_0_10 is None else f'{w.mean_pain_0_10:.1f}'}</td><td>{w.exercise_sessions}</td></tr>"
        for w in view.weeks
    )
    return ("<h2>Week by week</h2><table><tr><th>Week of</th><th>Assessments</th><th>Pain (0-10)</th>"
            f"<th>Exercise sessions</th></tr>{rows}</table>")
