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
from posture.history.models import AssessmentRow
from posture.history.progress import Progress, findings_and_corrections
from posture.presentation import Summary
from posture.registry import KEY_MEASUREMENTS, display_name
from posture.report_html import STYLE, corrections_html, findings_html

CHARTS_IN_REPORT = 6


def progress_html(session: Session, progress: Progress) -> str:
    name = escape(progress.profile.name)
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Progress: {name}</title>",
        f"<style>{STYLE}</style></head><body><h1>Progress: {name}</h1>",
        f"<p>{datetime.now():%Y-%m-%d}. {len(progress.assessments)} assessment(s). Suggestions from photos, "
        "not a diagnosis; a change counts only beyond its minimal detectable change (MDC95).</p>",
    ]
    if progress.first and progress.latest and progress.first.id != progress.latest.id:
        parts.append(_side_by_side(session, progress))
        parts.append(_changes(progress))
    parts.append(_charts(progress))
    if progress.latest:
        parts.append(_latest(findings_and_corrections(session, progress.latest.id), progress.latest.taken_on))
    parts.append(_weeks(progress))
    parts.append("</body></html>")
    return "\n".join(parts)


def _side_by_side(session: Session, progress: Progress) -> str:
    cells = []
    for summary in (progress.first, progress.latest):
        jpeg = session.scalar(select(AssessmentRow.thumbnail_jpeg).where(AssessmentRow.id == summary.id))
        image = (f"<img alt='visit {summary.visit}' src='data:image/jpeg;base64,{base64.b64encode(jpeg).decode()}'>"
                 if jpeg else "<p>(no image)</p>")
        cells.append(f"<div><h3>Visit {summary.visit}, {summary.taken_on}</h3>{image}</div>")
    return f"<h2>First and latest</h2><div class='photo'>{''.join(cells)}</div>"


def _changes(progress: Progress) -> str:
    rows = "".join(
        f"<tr><td>{escape(display_name(c.measurement))}</td><td>{c.first.value:+.1f}</td>"
        f"<td>{c.latest.value:+.1f}</td><td>{c.delta:+.1f} {escape(c.unit)}</td><td>{c.mdc.mdc95:.1f}</td>"
        f"<td><strong>{escape(c.verdict)}</strong></td></tr>"
        for c in progress.changes
    )
    return (
        f"<h2>Changes {progress.first.taken_on} → {progress.latest.taken_on}</h2><table><tr><th>Measurement</th>"
        f"<th>First</th><th>Latest</th><th>Change</th><th>MDC95</th><th>Verdict</th></tr>{rows}</table>"
    )


def _charts(progress: Progress) -> str:
    shown = [m for m in KEY_MEASUREMENTS if m in progress.series and len(progress.series[m][1]) > 1][:CHARTS_IN_REPORT]
    if not shown:
        return ""
    charts = "".join(f"<div>{chart_svg(trend_chart(m, *progress.series[m]))}</div>" for m in shown)
    return f"<h2>Trends (green: the usual range; bars: ± uncertainty)</h2>{charts}"


def _latest(summary: Summary, taken_on) -> str:
    """The latest assessment as its own report shows it (the same findings, patterns and corrections)."""
    safety = summary.safety
    return (
        f"<h2>Latest assessment ({taken_on})</h2>{findings_html(summary)}{corrections_html(summary)}"
        f"<p class='notice'>{escape(safety.red_flag_advice)} {escape('; '.join(safety.red_flags))}. "
        f"{escape(safety.stop_rule)}</p><p class='disclaimer'>{escape(safety.disclaimer)}</p>"
    )


def _weeks(progress: Progress) -> str:
    rows = "".join(
        f"<tr><td>{w.starts_on}</td><td>{w.assessments}</td>"
        f"<td>{'-' if w.mean_pain_0_10 is None else f'{w.mean_pain_0_10:.1f}'}</td><td>{w.exercise_sessions}</td></tr>"
        for w in progress.weeks
    )
    return ("<h2>Week by week</h2><table><tr><th>Week of</th><th>Assessments</th><th>Pain (0-10)</th>"
            f"<th>Exercise sessions</th></tr>{rows}</table>")
