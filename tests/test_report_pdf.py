"""The PDF reports read back as a reader sees them (pages rendered by PDFium, their text and where
things were drawn), on the model's recorded answers (fast lane): the header, what the other
renderers say, the annotated images really drawn, nothing off the page, every character printed."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import posture.assessment.corrections
from posture.analysis import Options, analyze_located, locate
from posture.assessment.pain import Pain
from posture.data_files import exercise_picture
from posture.history.db import open_database
from posture.history.progress import compared, profile_header, progress
from posture.history.report import progress_html, progress_report
from posture.history.report_pdf import progress_pdf
from posture.history.store import find_profile, save_assessment
from posture.presentation import ReportHeader, report_view
from posture.report_pdf import report_pdf
from tests.pdf_support import POINTS_PER_MM, Page, all_text, read_pdf, text_box
from tests.replay import use_replay

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
HIP = [str(SAMPLES / "high_left_hip" / name) for name in ("front.jpg", "side_right.jpg")]
HEADER = ReportHeader(date(2026, 3, 2), client="Zoë Ångström", date_of_birth=date(1980, 4, 2),
                      examiner="Dr. Ana Müller")
MARGIN_PT = 15 * POINTS_PER_MM


@pytest.fixture(scope="module")
def replayed():
    """The model's recorded answers, for every test of this module."""
    with pytest.MonkeyPatch.context() as patch:
        yield use_replay(patch)


@pytest.fixture(scope="module")
def hip_analysis(replayed):
    located = [locate(path, replayed, Options()) for path in HIP]
    return analyze_located(located, Options(height_cm=172.0, pain=Pain(("lower_back",), 4, None)))


@pytest.fixture(scope="module")
def hip_pages(hip_analysis) -> list[Page]:
    return read_pdf(report_pdf(report_view(hip_analysis, HEADER)))


def _within_the_page(pages: list[Page]) -> list[str]:
    """Characters outside the side margins (1 pt of rounding allowed) or off the page: text that ran off."""
    return [f"page {n}: {char!r} at {box}" for n, page in enumerate(pages, 1) for char, box in page.chars
            if box.left < MARGIN_PT - 1 or box.right > page.width - MARGIN_PT + 1
            or box.bottom < 0 or box.top > page.height]


def test_the_assessment_pdf_says_what_the_report_view_says_with_its_header(hip_analysis, hip_pages):
    view, pages = report_view(hip_analysis, HEADER), hip_pages
    text = all_text(pages)
    assert 2 <= len(pages) <= 6
    for field in ("Client Zoë Ångström", "Date of birth 1980-04-02", "Examiner Dr. Ana Müller",
                  "Assessment date 2026-03-02"):
        assert field in pages[0].text, field
    assert "Client: Zoë Ångström · Date of birth: 1980-04-02" in pages[1].text  # every later page's header line
    summary = view.summary
    assert summary.findings and summary.plan.items, "the case must have findings and a plan"
    for shown in summary.findings:
        assert f"{shown.finding.label}: {shown.finding.severity}, {shown.sureness}; {shown.measurement} " \
               f"{shown.evidence}" in text
    for item in summary.plan.items:
        assert f"{item.exercise.name}{item.side_text}: {item.exercise.dosage}" in text
    safety = summary.safety
    for said in ("In short", safety.red_flag_advice, *safety.red_flags, safety.disclaimer, *safety.pain_advice):
        assert said in text, said
    assert text.index(safety.red_flag_advice) < text.index("In short") < text.index("What the photos suggest")
    assert _within_the_page(pages) == []
    squeezed = text.replace(" ", "")  # table cells wrap
    for line in (m for section in view.photos for m in section.measurements if m.measured):
        assert line.sign_convention.replace(" ", "") in squeezed, line.id  # a value's sign says which side or way


def test_each_annotated_image_is_drawn_and_not_blank(hip_analysis, hip_pages):
    view, pages = report_view(hip_analysis, HEADER), hip_pages
    pictures = sum(exercise_picture(item.exercise.exercise_id) is not None for item in view.summary.plan.items)
    images = [(page, box) for page in pages for box in page.images]
    assert len(images) == len(HIP) + pictures
    for page, box in images[pictures:]:  # the plan's pictures come first, then the photos
        pixels = page.region(box)
        assert pixels.shape[0] > 200 and pixels.shape[1] > 100  # drawn large, not a speck
        assert (pixels.min(axis=2) < 200).mean() > 0.5  # a photo, not an empty frame
        assert pixels.std() > 20


def test_unicode_prints_as_glyphs_and_a_character_the_font_lacks_as_a_question_mark(hip_analysis):
    header = ReportHeader(date(2026, 3, 2), client="Zoë 李 ≥ 30° – ±")
    pages = read_pdf(report_pdf(report_view(hip_analysis, header)))
    assert "Client Zoë ? ≥ 30° – ±" in pages[0].text
    for char in "ë≥°–±":
        [box] = [box for c, box in pages[0].chars[:80] if c == char]
        ink = pages[0].region(box)
        assert (ink.min(axis=2) < 128).sum() >= 3, char  # dark pixels inside its box: printed, not blank


def test_what_a_front_photo_alone_cannot_tell_is_in_the_pdf(replayed):
    view = report_view(analyze_located([locate(HIP[0], replayed, Options())], Options()))
    text = all_text(read_pdf(report_pdf(view)))
    assert view.summary.not_told and all(line in text for line in view.summary.not_told)
    assert f"Assessment date {date.today()}" in text  # no header given: today, no names


def test_an_exercise_picture_is_drawn_beside_its_exercise(hip_analysis, tmp_path, monkeypatch):
    first = report_view(hip_analysis, HEADER).summary.plan.items[0].exercise
    picture = io.BytesIO()
    image = Image.new("RGB", (300, 300), "white")
    ImageDraw.Draw(image).ellipse((40, 40, 260, 260), fill=(20, 90, 200))
    image.save(picture, format="PNG")
    monkeypatch.setattr(posture.assessment.corrections, "exercise_picture_png",
                        lambda exercise_id, side: picture.getvalue() if exercise_id == first.exercise_id else None)
    pages = read_pdf(report_pdf(report_view(hip_analysis, HEADER)))
    page = next(p for p in pages if first.name in p.text)
    drawn = [box for box in page.images if box.right - box.left < 30 * POINTS_PER_MM]
    assert len(drawn) == 1
    name = text_box(page, first.name)
    assert drawn[0].bottom <= name.top <= drawn[0].top + 2  # level with its exercise's name
    assert drawn[0].right < name.left  # and left of it
    blue = page.region(drawn[0])
    assert ((blue[..., 2] > 150) & (blue[..., 0] < 80)).mean() > 0.3


def test_a_download_is_named_by_client_and_day_in_any_script():
    """A practitioner's downloads for several clients must not overwrite or mix with each other."""
    import unicodedata

    day = date(2026, 3, 2)
    jonas = ReportHeader(day, client="Jonas P. (b)")
    assert jonas.file_name("report", ".pdf") == "posture-report-Jonas-P-b-2026-03-02.pdf"
    assert ReportHeader(day).file_name("data", ".json") == "posture-data-2026-03-02.json"
    for zoe in ("Zoë Ångström", unicodedata.normalize("NFD", "Zoë Ångström")):  # ASCII: a browser saved others by hash
        named = ReportHeader(day, client=zoe).file_name("progress", ".html")
        assert named == "posture-progress-Zoe-Angstrom-2026-03-02.html"
    assert ReportHeader(day, client="Жанна").file_name("report", ".pdf") == "posture-report-2026-03-02.pdf"
    assert len(ReportHeader(day, client="x" * 200).file_name("report", ".pdf")) < 100


def test_report_header_refuses_what_cannot_head_a_report():
    with pytest.raises(ValueError, match="after the assessment date"):
        ReportHeader(date(2026, 1, 1), date_of_birth=date(2026, 1, 2))
    for name in ("", "   ", "a\nb", "x" * 201):
        with pytest.raises(ValueError, match="client's name"):
            ReportHeader(date(2026, 1, 1), client=name)
    only_examiner = ReportHeader(date(2026, 1, 1), examiner="Ann")
    assert only_examiner.rows == (("Examiner", "Ann"), ("Assessment date", "2026-01-01"))


@pytest.fixture(scope="module")
def four_visits(replayed, tmp_path_factory):
    """One client's four assessments, weeks apart, of different samples (so the values move)."""
    sessions = open_database(str(tmp_path_factory.mktemp("history") / "history.sqlite"))
    people = ["high_left_hip", "neutral", "forward_head", "high_left_hip"]
    for week, person in enumerate(people):
        photos = sorted(str(p) for p in (SAMPLES / person).glob("*.jpg"))
        analysis = analyze_located([locate(p, replayed, Options()) for p in photos], Options())
        thumbnail = io.BytesIO()
        Image.fromarray(np.full((120, 80, 3), 60 * week, np.uint8)).save(thumbnail, format="JPEG")
        save_assessment(sessions, "Jonas P.", analysis, {"front": thumbnail.getvalue()},
                        date(2026, 1, 5) + timedelta(weeks=week))
    return sessions


def _report(sessions, chosen: tuple[int, int] | None = None):
    with sessions() as session:
        profile = find_profile(session, "Jonas P.")
        history = progress(session, profile)
        if chosen:
            ids = [s.id for s in history.assessments]
            history = compared(session, history, ids[chosen[0] - 1], ids[chosen[1] - 1])
        return progress_report(session, history, profile_header(profile, history.latest.taken_on, "Dr. Ana Müller"))


def test_the_progress_pdf_shows_the_comparison_trends_and_the_shown_assessment(four_visits):
    report = _report(four_visits)
    pages = read_pdf(progress_pdf(report))
    text = all_text(pages)
    assert 2 <= len(pages) <= 8
    assert "Client Jonas P." in pages[0].text and "Examiner Dr. Ana Müller" in pages[0].text
    assert "First and latest assessment: 2026-01-05 and 2026-01-26" in text
    assert "Latest assessment (2026-01-26)" in text
    assert report.charts and report.change_rows
    for row in report.change_rows[:5]:
        assert " ".join(row[:4]) in text, row
    images = [(page, box) for page in pages for box in page.images]
    assert len(images) == 2 + len(report.charts)  # the two thumbnails and each trend chart
    charts = [page.region(box) for page, box in images[2:]]
    assert all((chart.min(axis=2) < 128).mean() > 0.002 for chart in charts)  # lines and labels drawn
    assert _within_the_page(pages) == []
    for finding in report.shown.findings:
        assert finding.finding.label in text


def test_a_chosen_visit_is_named_as_such_in_every_renderer(four_visits):
    """Visits 2 and 3 of 4 are not "first and latest", in the HTML and the PDF alike."""
    report = _report(four_visits, (2, 3))
    pdf, html = all_text(read_pdf(progress_pdf(report))), progress_html(report)
    for page in (pdf, html):
        assert "Visits 2 and 3 of 4: 2026-01-12 and 2026-01-19" in page
        assert "Visit 3 of 4 (2026-01-19)" in page
        assert "visit 2, 2026-01-12" in page.lower() and "visit 3, 2026-01-19" in page.lower()  # over the photos
        assert "First and latest" not in page and "Latest assessment" not in page
