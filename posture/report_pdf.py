"""The assessment report as a PDF (fpdf2): the same ReportView the text and HTML reports format,
laid out for A4 paper. It only formats; what is said is decided in presentation.py.

Fonts: DejaVu Sans from matplotlib's package data (installed with mediapipe), so the report's
°, ±, ≥, – and → print without downloading anything; a character that font lacks (e.g. Chinese
in a name) prints as "?" rather than as nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from importlib.util import find_spec
from pathlib import Path

import numpy as np
from fpdf import FPDF, FontFace
from PIL import Image

from posture.annotated import annotated_image
from posture.assessment.corrections import Safety
from posture.assessment.pain import region_label
from posture.assessment.plan import PlanItem
from posture.presentation import PhotoSection, ReportHeader, ReportView, ShownFinding, Summary

FONT = "DejaVu"
MARGIN_MM = 15.0
BODY_PT, SMALL_PT = 9.5, 7.5
LINE_MM = 4.6
IMAGE_MAX_HEIGHT_MM = 110.0  # two photos with their headings fit on a page
IMAGE_LONG_SIDE_PX = 1400  # about 320 dpi at the largest size drawn: sharp on paper, ~80 kB a photo
SAFETY_MM = 60.0  # the red-flag notice and the disclaimer
PICTURE_MM = 24.0  # an exercise's picture beside it
NOTICE_FILL, DISCLAIMER_FILL = (253, 242, 241), (244, 246, 248)
GREY = (110, 110, 110)
MISSING_GLYPH = "?"


def _font_folder() -> Path:
    """matplotlib's bundled DejaVu fonts, found without importing matplotlib."""
    spec = find_spec("matplotlib")
    return Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"


class ReportPdf(FPDF):
    """A4 pages with the header's line and the page number on each, and the few blocks a report
    is made of (headings, paragraphs, bullets, tables, images)."""

    def __init__(self, title: str, header: ReportHeader) -> None:
        super().__init__(format="A4", unit="mm")
        self.report_title, self.report_header = title, header
        folder = _font_folder()
        self.add_font(FONT, "", folder / "DejaVuSans.ttf")
        self.add_font(FONT, "B", folder / "DejaVuSans-Bold.ttf")
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(True, margin=16)
        self.set_title(title)
        self.set_creator("posture")
        self.add_page()

    def normalize_text(self, text: str) -> str:
        """A character the font has no glyph for becomes "?", visibly, instead of an empty box."""
        cmap = self.current_font.cmap
        return super().normalize_text("".join(c if ord(c) in cmap or c in "\n\r\t" else MISSING_GLYPH for c in text))

    def header(self) -> None:
        """Whom the report is about on every page after the first, across the page even while a
        column flows on from the page before."""
        if self.page_no() == 1:
            return
        self.set_font(FONT, "", SMALL_PT)
        self.set_text_color(*GREY)
        self.set_xy(MARGIN_MM, MARGIN_MM)
        self.cell(self.w - 2 * MARGIN_MM, 4, f"{self.report_title} · {self.report_header.line}")
        self.set_xy(self.l_margin, MARGIN_MM + 7)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_font(FONT, "", SMALL_PT)
        self.set_text_color(*GREY)
        width = self.w - 2 * MARGIN_MM
        self.set_xy(MARGIN_MM, -12)
        self.cell(width, 4, "Suggestions from photos, not a diagnosis.")
        self.set_xy(MARGIN_MM, -12)
        self.cell(width, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def title_block(self) -> None:
        """The title, whom and when the report is about, and when it was made: the first page's top."""
        self.set_font(FONT, "B", 18)
        self.multi_cell(0, 9, self.report_title, new_x="LMARGIN", new_y="NEXT")
        for label, value in self.report_header.rows:
            self.set_font(FONT, "", BODY_PT)
            self.cell(32, LINE_MM + 0.6, label)
            self.set_font(FONT, "B", BODY_PT + 1)
            self.multi_cell(0, LINE_MM + 0.6, value, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", SMALL_PT)
        self.set_text_color(*GREY)
        self.cell(0, LINE_MM, f"Made {datetime.now():%Y-%m-%d %H:%M}.", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.ln(2)

    def heading(self, text: str, level: int = 2) -> None:
        size = {1: 15, 2: 12.5, 3: 10.5}[level]
        if self.will_page_break(size * 0.6 + 6 * LINE_MM):  # never a heading alone at a page's foot
            self.add_page()
        self.ln(2 if level == 3 else 3)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def paragraph(self, text: str, style: str = "", size: float = BODY_PT, fill: tuple[int, int, int] | None = None,
                  grey: bool = False) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*(GREY if grey else (0, 0, 0)))
        if fill:
            self.set_fill_color(*fill)
        self.multi_cell(0, LINE_MM, text, fill=fill is not None, padding=(0.6, 2) if fill else 0, align="L",
                        new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.set_fill_color(255)

    def bullets(self, items: Sequence[tuple[str, str]], grey: bool = False, first_number: int | None = None) -> None:
        """Items of a bold lead and plain text after it, each hanging from its bullet (or its number,
        counting from `first_number`)."""
        if not items:
            return
        self.set_text_color(*(GREY if grey else (0, 0, 0)))
        self.set_font(FONT, "", BODY_PT)
        with self.text_columns(l_margin=self.l_margin, r_margin=self.r_margin, line_height=1.2) as column:
            for number, (lead, text) in enumerate(items, first_number or 1):
                bullet = "•" if first_number is None else f"{number}."
                with column.paragraph(indent=6, bullet_string=bullet, bottom_margin=0.8) as paragraph:
                    if lead:
                        self.set_font(FONT, "B", BODY_PT)
                        paragraph.write(lead)
                    self.set_font(FONT, "", BODY_PT)
                    paragraph.write(text)
        self.set_text_color(0)

    @contextmanager
    def column(self, x: float, width: float) -> Iterator[None]:
        """Everything inside flows in the column from x, width wide (margins moved, then put back)."""
        left, right = self.l_margin, self.r_margin
        self.set_left_margin(x)
        self.set_right_margin(self.w - x - width)
        self.set_x(x)
        try:
            yield
        finally:
            self.set_left_margin(left)
            self.set_right_margin(right)

    def table_of(self, columns: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
                 size: float = SMALL_PT + 0.5) -> None:
        self.set_font(FONT, "", size)
        with self.table(col_widths=tuple(widths), text_align="LEFT", line_height=size * 0.5, padding=(0.6, 1),
                        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
                        borders_layout="HORIZONTAL_LINES", align="LEFT", width=self.epw,
                        cell_fill_color=(246, 246, 246), cell_fill_mode="ROWS") as table:
            for row in (columns, *rows):
                cells = table.row()
                for cell in row:
                    cells.cell(cell)
        self.ln(2)

    def picture(self, image: bytes | Image.Image, width: float, height: float | None = None) -> tuple[float, float]:
        """Draw an image at the cursor `width` mm wide (or fitted into width × height); its size in mm."""
        picture = Image.open(io.BytesIO(image)) if isinstance(image, bytes) else image
        w, h = width, width * picture.height / picture.width
        if height is not None and h > height:
            w, h = height * picture.width / picture.height, height
        self.image(picture if isinstance(image, Image.Image) else io.BytesIO(image), x=self.get_x(), y=self.get_y(),
                   w=w, h=h)
        return w, h

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def report_pdf(view: ReportView, title: str = "Posture screen") -> bytes:
    pdf = ReportPdf(title, view.header)
    pdf.title_block()
    safety_pdf(pdf, view.summary.safety)
    _in_short(pdf, view)
    for section in view.photos:
        _photo(pdf, section)
    findings_pdf(pdf, view.summary)
    corrections_pdf(pdf, view.summary)
    return pdf.output_bytes()


def safety_pdf(pdf: ReportPdf, safety: Safety) -> None:
    """The pain advice, the red-flag screen and the stop rule (a shaded notice), then the disclaimer:
    on one page."""
    if pdf.will_page_break(SAFETY_MM + 12 * len(safety.pain_advice)):
        pdf.add_page()
    for advice in safety.pain_advice:
        pdf.paragraph(advice, "B", fill=NOTICE_FILL)
    pdf.paragraph(safety.red_flag_advice, "B", fill=NOTICE_FILL)
    pdf.paragraph("\n".join(f"• {flag}" for flag in safety.red_flags), fill=NOTICE_FILL)
    pdf.paragraph(safety.stop_rule, fill=NOTICE_FILL)
    pdf.ln(1.5)
    pdf.paragraph(safety.disclaimer, size=SMALL_PT + 0.5, fill=DISCLAIMER_FILL)


def _in_short(pdf: ReportPdf, view: ReportView) -> None:
    summary = view.summary
    pdf.heading("In short")
    pdf.bullets([(f"{s.finding.label}: ", s.headline.lower()) for s in summary.top] or [("", summary.no_finding)])
    more = len(summary.findings) - len(summary.top)
    if more > 0:
        pdf.paragraph(f"{more} more below.")
    if view.photo_notes:
        pdf.paragraph(f"Notes on the photos (what to do: below): {'; '.join(view.photo_notes)}.")
    _withheld(pdf, summary)
    if summary.plan.items:
        pdf.heading("Your plan", 3)
        pdf.paragraph(summary.plan.time_text)
        pictures = any(i.exercise.picture for i in summary.plan.items)
        for number, item in enumerate(summary.plan.items, 1):
            _plan_item(pdf, number, item, pictures)
        if summary.left_out:
            pdf.paragraph(f"{summary.left_out} exercise(s) left out (findings that disagree, or your pain): see below.")
        pdf.paragraph(summary.safety.stop_rule, grey=True)
    if summary.retake:
        pdf.ln(1)
        pdf.paragraph(f"To tell more: {summary.retake}", "B")


def _plan_item(pdf: ReportPdf, number: int, item: PlanItem, picture_column: bool) -> None:
    """One exercise of the plan with its dosage and how to do it; when the plan has pictures, a
    column of them on the left (this exercise's, or a gap when it has none)."""
    exercise = item.exercise
    text = [(f"{exercise.name}{item.side_text}: ", f"{exercise.dosage} (for {', '.join(item.for_findings)}). "
             f"{exercise.instructions}")]
    if not picture_column:
        pdf.bullets(text, first_number=number)
        return
    picture = exercise.picture
    if pdf.will_page_break(PICTURE_MM if picture else 3 * LINE_MM):
        pdf.add_page()
    top, page = pdf.get_y(), pdf.page
    height = pdf.picture(picture, PICTURE_MM, PICTURE_MM)[1] if picture else 0.0
    with pdf.column(pdf.l_margin + PICTURE_MM + 3, pdf.epw - PICTURE_MM - 3):
        pdf.set_y(top)
        pdf.bullets(text, first_number=number)
    if pdf.page == page:
        pdf.set_y(max(pdf.get_y(), top + height + 1.5))


def _photo(pdf: ReportPdf, section: PhotoSection) -> None:
    """The annotated image, beside it the view, the findings this photo decided and its measured
    values; its warnings below, across the page (they can be long)."""
    if not section.ok:
        pdf.heading(section.title, 3)
        pdf.paragraph(f"Not analysed: {section.error}", fill=NOTICE_FILL)
        return
    image = annotated_image(section)
    picture = _downsized(image) if image is not None else None
    width = min(85.0, IMAGE_MAX_HEIGHT_MM * picture.width / picture.height) if picture else 0.0
    if picture and pdf.will_page_break(14 + width * picture.height / picture.width):  # the heading with its image
        pdf.add_page()
    pdf.heading(f"{section.title}: {section.view_label} view")
    top, page = pdf.get_y(), pdf.page
    height = pdf.picture(picture, width)[1] if picture else 0.0
    with pdf.column(pdf.l_margin + width + (4 if width else 0), pdf.epw - width - (4 if width else 0)):
        pdf.set_y(top)
        pdf.paragraph(f"View {section.view_source}; {section.level}.", size=SMALL_PT + 0.5, grey=True)
        if section.points_text:
            pdf.paragraph(section.points_text, size=SMALL_PT + 0.5)
        if section.findings:
            pdf.bullets([(f"{s.finding.label}: ", s.finding.severity) for s in section.findings])
        if section.retake_advice:
            pdf.paragraph(section.retake_advice, fill=NOTICE_FILL)
        measured = [m for m in section.measurements if m.measured]
        if measured:
            pdf.ln(1)
            rows = [(m.name, m.value_text, m.sign_convention) for m in measured]  # the sign: which side or way
            pdf.table_of(("Measurement", "Value", "Sign"), rows, (0.34, 0.27, 0.39))
    if pdf.page == page:  # else the text ran onto the next page, below the image
        pdf.set_y(max(pdf.get_y(), top + height + 2))
    pdf.bullets([("", w) for w in section.warnings], grey=True)


def _downsized(rgb: np.ndarray) -> Image.Image:
    picture = Image.fromarray(rgb)
    picture.thumbnail((IMAGE_LONG_SIDE_PX, IMAGE_LONG_SIDE_PX))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)  # fpdf2 keeps a JPEG as it is (no re-encoding)
    return Image.open(buffer)


def _finding_items(shown: Sequence[ShownFinding]) -> list[tuple[str, str]]:
    return [(f"{s.finding.label}: ", f"{s.finding.severity}, {s.sureness}; {s.measurement} {s.evidence}")
            for s in shown]


def findings_pdf(pdf: ReportPdf, summary: Summary) -> None:
    """The findings with how sure, the patterns they form and what could not be told (also the
    progress report's)."""
    pdf.heading("What the photos suggest")
    pdf.bullets(_finding_items(summary.findings) or [("", summary.no_finding)])
    if summary.patterns:
        pdf.heading("Together they form", 3)
        pdf.bullets(_finding_items(summary.patterns))
    if summary.unsure:
        pdf.heading("Can't tell from these photos", 3)
        pdf.bullets([(f"{u.label}: ", u.note) for u in summary.unsure], grey=True)
    if summary.not_told:
        pdf.heading("Not told by these photos", 3)
        pdf.bullets([("", line) for line in summary.not_told], grey=True)


def _withheld(pdf: ReportPdf, summary: Summary) -> None:
    """Why no exercise is listed (a red flag ticked), where the plan would be."""
    if summary.safety.withheld:
        pdf.paragraph(f"No exercises: {summary.safety.withheld}", "B", fill=NOTICE_FILL)


def corrections_pdf(pdf: ReportPdf, summary: Summary) -> None:
    pdf.heading("Corrections")
    _withheld(pdf, summary)
    if not summary.corrections:
        pdf.paragraph("None: no finding calls for targeted exercises.")
        return
    for rec in summary.corrections:
        linked = f" (linked to your {', '.join(map(region_label, rec.pain_regions))} pain)" if rec.pain_regions else ""
        pdf.heading(f"{rec.label} ({rec.severity}){linked}", 3)
        pdf.paragraph(rec.meaning)
        items = [(f"{kind} {ex.muscle} ({ex.side}): ", f"{ex.name}, {ex.dosage}. {ex.instructions}")
                 for kind, exercises in (("Stretch", rec.stretch), ("Strengthen", rec.strengthen)) for ex in exercises]
        items += [("Caution: ", caution) for caution in rec.avoid]
        items += [("Not listed: ", note) for note in rec.left_out]
        pdf.bullets(items)
