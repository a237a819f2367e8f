"""The Progress page (AppTest, on the model's recorded answers) and what it is computed from: from
the first assessment a useful page (what to do next, when to re-test, the photos, one-dot charts,
no empty widget); every view compared; an exercise log that logs one exercise at a time and undoes."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from posture.annotated import side_by_side, with_grid
from posture.assessment.corrections import exercise_title
from posture.assessment.views import View
from posture.data_files import load
from posture.history.db import open_database
from posture.history.models import ExerciseSession
from posture.history.progress import progress, retest_after, view_comparisons
from posture.history.report import progress_html, progress_report
from posture.history.store import (
    delete_logged_exercise,
    exercise_log,
    find_profile,
    log_exercise,
    save_assessment,
    view_thumbnails,
)
from posture.presentation import ReportHeader
from tests.progress_support import CLIENT, FIRST_DAY, fill_history, front_and_side

TIMEOUT_S = 60


@pytest.fixture(scope="module")
def analysis():
    return front_and_side()


def _page():
    from posture.ui.progress import page

    page()


def _open_page(location: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("POSTURE_DB", location)
    app = AppTest.from_function(_page, default_timeout=TIMEOUT_S).run()
    assert not app.exception, app.exception
    return app


def _markdown(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def _elements_of_type(node, fragment: str) -> list:
    found = [node] if fragment in str(getattr(node, "type", "")) else []
    for child in getattr(node, "children", {}).values():
        found += _elements_of_type(child, fragment)
    return found


def _jpeg(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (100, 200), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_the_first_assessment_says_what_to_do_next_and_when_to_re_test(tmp_path, monkeypatch, analysis):
    location = str(tmp_path / "history.sqlite")
    fill_history(location, 1, analysis)
    app = _open_page(location, monkeypatch)
    text = _markdown(app)
    assert [h.value for h in app.subheader][:1] == ["Next"]
    assert f"**Found on {FIRST_DAY}:** Left hip higher than right" in text
    lunge = load("corrections.json")["exercises"]["adductor_stretch"]
    assert f"1. **{exercise_title(lunge['name'], lunge['anatomy'])}** (left)" in text and "**The plan.** About" in text
    rule = load("follow_up.json")["retest_after_weeks"]
    window = retest_after(FIRST_DAY)
    assert (window.earliest, window.latest) == (FIRST_DAY + timedelta(weeks=rule["earliest"]),
                                               FIRST_DAY + timedelta(weeks=rule["latest"]))
    assert f"{rule['earliest']}-{rule['latest']} weeks after {FIRST_DAY}" in text
    assert any(e.label == f"Where the {rule['earliest']}-{rule['latest']} weeks come from" for e in app.expander)
    assert any(c.value.startswith("Product convention") for c in app.caption)  # its source, folded away
    assert "What changed" not in "".join(h.value for h in app.subheader)  # nothing to compare yet
    assert all(m.options for m in app.multiselect)  # no "No options to select"
    assert len(_elements_of_type(app._tree, "vega")) == 4  # a dot per key measurement, the baseline
    images = _elements_of_type(app._tree, "image")
    assert [i.proto.imgs[0].caption for i in images] == ["front | right side"]  # every view saved, in one image


def test_every_view_of_two_assessments_side_by_side_with_its_real_changes(tmp_path, monkeypatch, analysis):
    location = str(tmp_path / "history.sqlite")
    fill_history(location, 2, analysis)
    app = _open_page(location, monkeypatch)
    text = _markdown(app)
    assert "**Front**" in text and "**Right side**" in text
    images = _elements_of_type(app._tree, "image")
    assert [i.proto.imgs[0].caption for i in images] == [f"{FIRST_DAY} (left) → {FIRST_DAY + timedelta(weeks=4)} "
                                                         "(right)"] * 2  # two views, both dates in one image
    real = [c.value for c in app.caption if c.value.startswith("Real changes")]
    assert real == ["Real changes: Hip line tilt (lateral pelvic tilt) -10.3 deg (better)"]  # on the front only


def test_two_visits_of_one_day_are_told_apart_by_their_numbers(tmp_path, monkeypatch, analysis):
    """The trial saw "What changed, 2026-11-30 → 2026-11-30" after two visits on one day."""
    location = str(tmp_path / "history.sqlite")
    sessions = open_database(location)
    for _ in range(2):
        save_assessment(sessions, CLIENT, analysis, {"front": _jpeg("red")}, FIRST_DAY)
    sessions.kw["bind"].dispose()
    headings = [h.value for h in _open_page(location, monkeypatch).subheader if h.value.startswith("What changed")]
    assert headings == [f"What changed, visit 1 → 2 ({FIRST_DAY})"]


def test_a_back_view_is_compared_too_and_a_view_missing_on_one_date_says_so(tmp_path, analysis):
    sessions = open_database(str(tmp_path / "history.sqlite"))
    save_assessment(sessions, CLIENT, analysis, {"front": _jpeg("red"), "back": _jpeg("blue")}, FIRST_DAY)
    save_assessment(sessions, CLIENT, analysis, {"front": _jpeg("red"), "side_left": _jpeg("green"),
                                                 "back": _jpeg("blue")}, FIRST_DAY + timedelta(weeks=5))
    with sessions() as session:
        history = progress(session, find_profile(session, CLIENT))
        compared = view_comparisons(session, history)
        report = progress_html(progress_report(session, history, ReportHeader(history.latest.taken_on, CLIENT)))
    assert [(c.view, c.first is not None, c.latest is not None) for c in compared] == [
        (View.FRONT, True, True), (View.SIDE_LEFT, False, True), (View.BACK, True, True)]
    assert report.count("<h3>Back, ") == 2 and "(no photo of this view)" in report


def test_the_grid_lies_over_the_thumbnail_without_changing_its_size():
    plain = _jpeg("white")
    gridded = Image.open(io.BytesIO(with_grid(plain))).convert("L")
    assert gridded.size == (100, 200)
    column = [gridded.getpixel((50, y)) for y in range(200)]  # the middle vertical line
    assert max(column) < 200 and gridded.getpixel((25, 33)) > 230  # lines drawn, cells left white


def test_both_dates_join_into_one_image_at_one_height_with_a_grey_panel_for_a_missing_one():
    small, tall = Image.new("RGB", (50, 100), "red"), Image.new("RGB", (100, 200), "blue")
    jpegs = []
    for picture in (small, tall):
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG")
        jpegs.append(buffer.getvalue())
    joined = Image.open(io.BytesIO(side_by_side(jpegs, gap_px=8)))
    assert joined.size == (100 + 8 + 100, 200)  # the small one scaled up to the tall one's height
    assert joined.getpixel((50, 100))[0] > 200 and joined.getpixel((160, 100))[2] > 200
    missing = Image.open(io.BytesIO(side_by_side([None, jpegs[1]], gap_px=8)))
    assert missing.size == (100 + 8 + 100, 200) and abs(missing.getpixel((50, 100))[0] - 225) < 6


def test_the_exercise_log_logs_one_exercise_with_its_day_and_undoes_it(tmp_path, monkeypatch, analysis):
    location = str(tmp_path / "history.sqlite")
    fill_history(location, 1, analysis)
    app = _open_page(location, monkeypatch)
    assert not [m for m in app.multiselect if "xercise" in m.label]  # no list to tick everything in
    chooser = next(s for s in app.selectbox if s.label == "Exercise done")
    assert chooser.value is None  # nothing is logged without choosing
    catalogue = load("corrections.json")["exercises"]

    def title(exercise_id: str) -> str:
        return exercise_title(catalogue[exercise_id]["name"], catalogue[exercise_id]["anatomy"])

    assert chooser.options[0] == f"{title('adductor_stretch')} (in the plan)"
    chooser.set_value("hip_hitch")
    app.date_input(key="exercise-day").set_value(date(2026, 9, 9))
    next(b for b in app.button if b.label == "Log this exercise").click()
    app = app.run()
    assert any(s.value == f"Logged: {title('hip_hitch')} on 2026-09-09." for s in app.success)
    sessions = open_database(location)
    with sessions() as session:
        assert [(e.done_on, e.exercise_id) for e in exercise_log(session, find_profile(session, CLIENT))] == [
            (date(2026, 9, 9), "hip_hitch")]
    next(b for b in app.button if b.label == "Delete").click()
    app = app.run()
    assert any(c.value == "Nothing logged yet." for c in app.caption)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ExerciseSession)) == 0


def test_an_entry_is_undone_only_for_its_own_profile(db_location, analysis):
    sessions = open_database(db_location)
    save_assessment(sessions, "Ann", analysis)
    save_assessment(sessions, "Bo", analysis)
    anns = log_exercise(sessions, "Ann", date(2026, 3, 2), "chin_tuck")
    log_exercise(sessions, "Ann", date(2026, 3, 4), "hip_hitch")
    assert not delete_logged_exercise(sessions, "Bo", anns)  # another profile's entry stays
    with sessions() as session:
        logged = exercise_log(session, find_profile(session, "Ann"))
        assert [e.exercise_id for e in logged] == ["hip_hitch", "chin_tuck"]  # newest first
    assert delete_logged_exercise(sessions, "Ann", anns)
    with sessions() as session:
        assert [e.exercise_id for e in exercise_log(session, find_profile(session, "Ann"))] == ["hip_hitch"]
        assert view_thumbnails(session, 1) == {}  # saved without thumbnails: none
