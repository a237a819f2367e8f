"""The progress report: one self-contained HTML file (thumbnails and SVG charts inside) with when to
re-test, each view side by side, the changes and whether each is real, the trend charts, the latest
findings and corrections, and the weekly summary."""

from __future__ import annotations

import base64
from datetime import date, datetime
from html import escape

from sqlalchemy.orm import Session

from posture.history.charts import chart_svg, trend_chart
from posture.history.progress import Progress, findings_and_corrections, retest_after, view_comparisons
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
    if progress.latest:
        parts.append(_retest(progress))
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
    """Each view of the two compared assessments side by side, under the alignment grid."""
    first, latest = progress.first.taken_on, progress.latest.taken_on
    rows = []
    for item in view_comparisons(session, progress):
        cells = "".join(
            f"<div><h3>{escape(item.label.capitalize())}, {day}</h3>{_image(jpeg, f'{item.label} {day}')}</div>"
            for jpeg, day in ((item.first, first), (item.latest, latest))
        )
        rows.append(f"<div class='photo'>{cells}</div>")
    return f"<h2>Each view, {first} → {latest}</h2>{''.join(rows)}" if rows else ""


def _image(jpeg: bytes | None, alt: str) -> str:
    if jpeg is None:
        return "<p>(no photo of this view)</p>"
    return f"<img alt='{escape(alt)}' src='data:image/jpeg;base64,{base64.b64encode(jpeg).decode()}'>"


def _retest(progress: Progress) -> str:
    retest = retest_after(progress.assessments[-1].taken_on)
    return (f"<p><strong>Re-test {retest.due(date.today())}</strong>: {retest.weeks[0]}-{retest.weeks[1]} weeks "
            f"after the latest assessment, with the same set-up. <small>{escape(retest.source)}</small></p>")


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
    shown = [m for m in KEY_MEASUREMENTS if m in progress.series and progress.series[m][1]][:CHARTS_IN_REPORT]
    if not shown:
        return ""
    charts = "".join(f"<div>{chart_svg(trend_chart(m, *progress.series[m]))}</div>" for m in shown)
    return f"<h2>Trends (green: the usual range; band and bars: ± 1 SD)</h2>{charts}"


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
            f"<th>Exercises logged</th></tr>{rows}</table>")
