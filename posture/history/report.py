"""The progress report: what it shows composed once here (`progress_report`), then formatted as
one self-contained HTML file (thumbnails and SVG charts inside) or as a PDF (history/report_pdf.py):
when to re-test, each view side by side, the changes and whether each is real, the trend charts,
the shown assessment's findings and corrections, and the weekly summary."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from sqlalchemy.orm import Session

from posture.history.charts import chart_svg, trend_chart
from posture.history.progress import (
    Progress,
    Retest,
    ViewComparison,
    findings_and_corrections,
    retest_after,
    view_comparisons,
)
from posture.presentation import ReportHeader, Summary
from posture.registry import KEY_MEASUREMENTS, display_name
from posture.report_html import corrections_html, findings_html, header_html, page_head

CHARTS_IN_REPORT = 6
TRENDS_TITLE = "Trends (green: the usual range; band and bars: ± 1 SD)"
WEEK_COLUMNS = ("Week of", "Assessments", "Pain (0-10)", "Exercises logged")
MDC_NOTE = ("Suggestions from photos, not a diagnosis; a change counts only beyond its minimal detectable change "
            "(MDC95).")


@dataclass(frozen=True)
class ProgressReport:
    header: ReportHeader
    progress: Progress
    views: tuple[ViewComparison, ...]  # each view of the two compared assessments; none when only one is
    retest: Retest | None  # when to take the photos again (none without an assessment)
    charts: tuple[str, ...]  # key measurements with a value, the first CHARTS_IN_REPORT
    shown: Summary | None  # the later compared assessment's findings, corrections and safety

    @property
    def title(self) -> str:
        return f"Progress: {self.progress.profile.name}"

    @property
    def intro(self) -> str:
        return f"{len(self.progress.assessments)} assessment(s). {MDC_NOTE}"

    def retest_line(self, today: date) -> str:
        """When to re-test, said the same way by every renderer."""
        early, late = self.retest.weeks
        return (f"Re-test {self.retest.due(today)}: {early}-{late} weeks after the latest assessment, "
                "with the same set-up.")

    @property
    def views_title(self) -> str:
        return f"Each view: {self.progress.compared_title}"

    @property
    def changes_title(self) -> str:
        return f"Changes {self.progress.first.taken_on} → {self.progress.latest.taken_on}"

    @property
    def change_columns(self) -> tuple[str, ...]:
        """The compared assessments' columns are their dates (a chosen visit is not "first")."""
        return ("Measurement", str(self.progress.first.taken_on), str(self.progress.latest.taken_on), "Change",
                "MDC95", "Verdict")

    @property
    def change_rows(self) -> tuple[tuple[str, ...], ...]:
        return tuple((display_name(c.measurement), f"{c.first.value:+.1f}", f"{c.latest.value:+.1f}",
                      f"{c.delta:+.1f} {c.unit}", f"{c.mdc.mdc95:.1f}", c.verdict) for c in self.progress.changes)

    @property
    def week_rows(self) -> tuple[tuple[str, ...], ...]:
        return tuple((str(w.starts_on), str(w.assessments),
                      "-" if w.mean_pain_0_10 is None else f"{w.mean_pain_0_10:.1f}", str(w.exercise_sessions))
                     for w in self.progress.weeks)


def progress_report(session: Session, progress: Progress, header: ReportHeader) -> ProgressReport:
    """What the progress report shows, read from the history once for every renderer."""
    views: tuple[ViewComparison, ...] = ()
    if progress.first and progress.latest and progress.first.id != progress.latest.id:
        views = tuple(view_comparisons(session, progress))
    retest = retest_after(progress.assessments[-1].taken_on) if progress.assessments else None
    charts = tuple(m for m in KEY_MEASUREMENTS if m in progress.series and progress.series[m][1])[:CHARTS_IN_REPORT]
    shown = findings_and_corrections(session, progress.latest.id) if progress.latest else None
    return ProgressReport(header, progress, views, retest, charts, shown)


def progress_html(report: ProgressReport) -> str:
    title = escape(report.title)
    parts = [
        page_head(title),
        header_html(report.header),
        f"<p>Made {datetime.now():%Y-%m-%d}. {escape(report.intro)}</p>",
    ]
    if report.retest:
        parts.append(f"<p><strong>{escape(report.retest_line(date.today()))}</strong> "
                     f"<small>{escape(report.retest.source)}</small></p>")
    if report.views:
        parts.append(_side_by_side(report))
        parts.append(_changes(report))
    parts.append(_charts(report))
    if report.shown:
        parts.append(_shown(report.shown, report.progress.shown_title))
    parts.append(f"<h2>Week by week</h2>{_table(WEEK_COLUMNS, report.week_rows)}")
    parts.append("</body></html>")
    return "\n".join(parts)


def _side_by_side(report: ProgressReport) -> str:
    """Each view of the two compared assessments side by side, under the alignment grid."""
    days = tuple(f"visit {s.visit}, {s.taken_on}" for s in (report.progress.first, report.progress.latest))
    rows = []
    for item in report.views:
        cells = "".join(
            f"<div><h3>{escape(item.label.capitalize())}, {day}</h3>{_image(jpeg, f'{item.label} {day}')}</div>"
            for jpeg, day in zip((item.first, item.latest), days, strict=True))
        rows.append(f"<div class='photo'>{cells}</div>")
    return f"<h2>{escape(report.views_title)}</h2>{''.join(rows)}"


def _image(jpeg: bytes | None, alt: str) -> str:
    if jpeg is None:
        return "<p>(no photo of this view)</p>"
    return f"<img alt='{escape(alt)}' src='data:image/jpeg;base64,{base64.b64encode(jpeg).decode()}'>"


def _table(columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...], strong_last: bool = False) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row[:-1])
        + (f"<td><strong>{escape(row[-1])}</strong></td>" if strong_last else f"<td>{escape(row[-1])}</td>") + "</tr>"
        for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _changes(report: ProgressReport) -> str:
    return f"<h2>{escape(report.changes_title)}</h2>{_table(report.change_columns, report.change_rows, True)}"


def _charts(report: ProgressReport) -> str:
    if not report.charts:
        return ""
    charts = "".join(f"<div>{chart_svg(trend_chart(m, *report.progress.series[m]))}</div>" for m in report.charts)
    return f"<h2>{escape(TRENDS_TITLE)}</h2>{charts}"


def _shown(summary: Summary, title: str) -> str:
    """The shown assessment as its own report shows it (the same findings, patterns and corrections)."""
    safety = summary.safety
    return (
        f"<h2>{escape(title)}</h2>{findings_html(summary)}{corrections_html(summary)}"
        f"<p class='notice'>{escape(safety.red_flag_advice)} {escape('; '.join(safety.red_flags))}. "
        f"{escape(safety.stop_rule)}</p><p class='disclaimer'>{escape(safety.disclaimer)}</p>"
    )
