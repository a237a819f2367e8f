"""The progress report as a PDF: formats the ProgressReport the HTML progress report formats (the
trend charts as PNG from vl-convert, offline)."""

from __future__ import annotations

from posture.history.charts import chart_png, trend_chart
from posture.history.report import TRENDS_TITLE, WEEK_COLUMNS, ProgressReport
from posture.report_pdf import SMALL_PT, ReportPdf, corrections_pdf, findings_pdf, safety_pdf

THUMBNAIL_MAX_MM = (85.0, 110.0)  # width, height
CHANGE_WIDTHS = (0.28, 0.125, 0.125, 0.15, 0.08, 0.24)


def progress_pdf(report: ProgressReport) -> bytes:
    pdf = ReportPdf(report.title, report.header)
    pdf.title_block()
    pdf.paragraph(report.intro)
    if report.compared:
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
    """The two compared assessments' annotated thumbnails, each under its visit, date and findings."""
    width, height = THUMBNAIL_MAX_MM
    if pdf.will_page_break(height + 30):
        pdf.add_page()
    pdf.heading(report.progress.compared_title)
    top, bottom = pdf.get_y(), pdf.get_y()
    for index, compared in enumerate(report.compared):
        with pdf.column(pdf.l_margin + index * (width + 10), width):
            pdf.set_y(top)
            pdf.paragraph(compared.label, "B")
            pdf.paragraph("; ".join(compared.findings) or "no findings", size=SMALL_PT + 0.5)
            pdf.ln(1)
            if compared.thumbnail_jpeg:
                pdf.set_y(pdf.get_y() + pdf.picture(compared.thumbnail_jpeg, width, height)[1])
            else:
                pdf.paragraph("(no image)", grey=True)
            bottom = max(bottom, pdf.get_y())
    pdf.set_y(bottom + 3)


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
