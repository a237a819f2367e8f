"""The progress report as a PDF: formats the ProgressReport the HTML progress report formats (the
trend charts as PNG from vl-convert, offline)."""

from __future__ import annotations

from datetime import date

from posture.history.charts import chart_png, trend_chart
from posture.history.report import TRENDS_TITLE, WEEK_COLUMNS, ProgressReport
from posture.report_pdf import SMALL_PT, ReportPdf, corrections_pdf, findings_pdf, safety_pdf

THUMBNAIL_MAX_MM = (85.0, 110.0)  # width, height
CHANGE_WIDTHS = (0.28, 0.125, 0.125, 0.15, 0.08, 0.24)


def progress_pdf(report: ProgressReport) -> bytes:
    pdf = ReportPdf(report.title, report.header)
    pdf.title_block()
    pdf.paragraph(report.intro)
    if report.retest:
        pdf.paragraph(report.retest_line(date.today()), "B")
        pdf.paragraph(report.retest.source, size=SMALL_PT, grey=True)
    if report.views:
        _side_by_side(pdf, report)
        pdf.heading(report.changes_title)
        pdf.table_of(report.change_columns, report.change_rows, CHANGE_WIDTHS)
    _charts(pdf, report)
    if report.shown:
        pdf.heading(report.progress.shown_title, 1)
        findings_pdf(pdf, report.shown)
        corrections_pdf(pdf, report.shown)
        pdf.ln(2)
        safety_pdf(pdf, report.shown.safety)
    if report.week_rows:
        pdf.heading("Week by week")
        pdf.table_of(WEEK_COLUMNS, report.week_rows, (0.25, 0.25, 0.25, 0.25))
    return pdf.output_bytes()


def _side_by_side(pdf: ReportPdf, report: ProgressReport) -> None:
    """Each view of the two compared assessments side by side under the alignment grid, each visit
    (number and date) with its findings first."""
    width, height = THUMBNAIL_MAX_MM
    compared = (report.progress.first, report.progress.latest)
    if pdf.will_page_break(height + 30):
        pdf.add_page()
    pdf.heading(report.views_title)
    _two_columns(pdf, width, [lambda s=s: (pdf.paragraph(f"Visit {s.visit}, {s.taken_on}", "B"), pdf.paragraph(
        "; ".join(s.findings) or "no findings", size=SMALL_PT + 0.5)) for s in compared])
    for item in report.views:
        if pdf.will_page_break(height + 12):
            pdf.add_page()
        pdf.paragraph(item.label.capitalize(), "B")
        _two_columns(pdf, width, [lambda jpeg=jpeg: _thumbnail(pdf, jpeg, width, height)
                                  for jpeg in (item.first, item.latest)])


def _two_columns(pdf: ReportPdf, width: float, cells) -> None:
    """Draw each cell (a function) in its own column from the same top; continue under the taller."""
    top = bottom = pdf.get_y()
    for index, draw in enumerate(cells):
        with pdf.column(pdf.l_margin + index * (width + 10), width):
            pdf.set_y(top)
            draw()
            bottom = max(bottom, pdf.get_y())
    pdf.set_y(bottom + 3)


def _thumbnail(pdf: ReportPdf, jpeg: bytes | None, width: float, height: float) -> None:
    if jpeg:
        pdf.set_y(pdf.get_y() + pdf.picture(jpeg, width, height)[1])
    else:
        pdf.paragraph("(no photo of this view)", grey=True)


def _charts(pdf: ReportPdf, report: ProgressReport) -> None:
    if not report.charts:
        return
    pdf.heading(TRENDS_TITLE)
    for measurement in report.charts:
        png = chart_png(trend_chart(measurement, *report.progress.series[measurement]))
        if pdf.will_page_break(62):
            pdf.add_page()
        _, height = pdf.picture(png, pdf.epw * 0.8)
        pdf.set_y(pdf.get_y() + height + 3)
