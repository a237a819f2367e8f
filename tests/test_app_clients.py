"""Client records in the app, driven by Streamlit's AppTest on the recorded model answers (fast
lane): the stored height filling the Assess page, visit numbers, finding a client, editing the
details with bad values refused, and the CSV download read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from posture.analysis import Options, analyze_person
from posture.history.db import open_database
from posture.history.store import (
    CSV_COLUMNS,
    ClientDetails,
    client_details,
    create_profile,
    export_json,
    find_profile,
    save_assessment,
    series,
)
from tests.replay import use_replay
from tests.test_app import HIGH_HIP, REPO, TIMEOUT_S, _analyse, _download, _upload, downloads  # noqa: F401

pytestmark = pytest.mark.model  # drives the app (slow-ish), though on the recorded model answers
CLIENTS = ["Jonas P.", "Jonna K.", "Zoë Ångström", "Bo"]


@pytest.fixture
def replay(monkeypatch):
    import posture.ui.shared

    estimator = use_replay(monkeypatch)
    monkeypatch.setattr(posture.ui.shared, "BlazePoseEstimator", lambda *args, **kwargs: estimator)
    posture.ui.shared.shared_estimator.clear()  # no real model cached by an earlier test
    yield estimator
    posture.ui.shared.shared_estimator.clear()


@pytest.fixture
def clients(tmp_path, monkeypatch, replay):
    """A history with four clients; Jonas P. has a stored height and two visits, after Bo's three."""
    location = str(tmp_path / "history.sqlite")
    monkeypatch.setenv("POSTURE_DB", location)
    sessions = open_database(location)
    for name in CLIENTS:
        jonas = name == "Jonas P."
        create_profile(sessions, ClientDetails(name, date(1981, 4, 30) if jonas else None, 178.0 if jonas else None))
    analysis = analyze_person([str(HIGH_HIP / "front.jpg")], replay, Options())
    for week in range(3):
        save_assessment(sessions, "Bo", analysis, None, date(2026, 1, 5) + timedelta(weeks=week))
    for day in (date(2026, 3, 2), date(2026, 3, 30)):
        save_assessment(sessions, "Jonas P.", analysis, None, day)
    return sessions


def _progress_page():
    from posture.ui.progress import page

    page()


def _progress() -> AppTest:
    return AppTest.from_function(_progress_page, default_timeout=TIMEOUT_S).run()


def test_the_chosen_profiles_height_fills_the_assess_page_and_stays_editable(clients):
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S).run()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    assert app.number_input(key="height").value is None
    assert not any(" cm" in v for v in app.dataframe[0].value["value"])
    app.selectbox(key="assess-profile").set_value("Jonas P.")
    app = app.run()
    assert not app.exception
    assert app.number_input(key="height").value == 178
    assert any(" cm" in v for v in app.dataframe[0].value["value"])  # lengths in cm, from the stored height
    app.selectbox(key="assess-profile").set_value("Bo")  # no stored height: never Jonas's for Bo
    app = app.run()
    assert app.number_input(key="height").value is None
    assert not any(" cm" in v for v in app.dataframe[0].value["value"])
    app.number_input(key="height").set_value(181)  # typed by hand: it stays for a profile without one
    app = app.run()
    app.selectbox(key="assess-profile").set_value("Jonna K.")
    app = app.run()
    assert app.number_input(key="height").value == 181
    app.selectbox(key="assess-profile").set_value("Jonas P.")
    app = app.run()
    assert app.number_input(key="height").value == 178
    app.number_input(key="height").set_value(179)  # the stored height is a default, not a lock
    app = app.run()
    assert app.number_input(key="height").value == 179
    next(b for b in app.button if b.key == "assess-save").click()
    app = app.run()
    assert [s.value for s in app.success] == ["Saved as visit 3 of 'Jonas P.'. See it on the Progress page."]
    with clients() as session:
        saved = export_json(session, find_profile(session, "Jonas P."))["assessments"][-1]["report"]
    hip = saved["photos"][0]["measurements"]["hip_tilt_deg"]
    assert hip["length_cm"] is not None  # the saved report carries the lengths of the height used


def test_the_client_chosen_for_the_report_brings_the_stored_height_and_date_of_birth(clients, downloads):  # noqa: F811
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S).run()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    assert "1981-04-30" not in _download(app, downloads, "Download the report (HTML, with images)").decode()
    app.selectbox(key="assess-report-client").set_value("Jonas P.")
    app = app.run()
    assert not app.exception and app.number_input(key="height").value == 178
    page = _download(app, downloads, "Download the report (HTML, with images)").decode()
    assert "Jonas P." in page and "1981-04-30" in page and " cm" in page
    app.selectbox(key="assess-report-client").set_value("(no name on the report)")
    app = app.run()
    assert app.number_input(key="height").value is None  # Jonas's height goes with his name


def test_the_client_on_the_report_is_the_profile_saved_to_and_saving_again_adds_no_copy(clients):
    """A trial saved a visit to the profile the Save box still showed, not to the client chosen for
    the report, and a second press stored the same results again; neither can be undone."""
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S).run()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    assert app.selectbox(key="assess-profile").value == "Bo"  # the first name: nobody chosen yet
    app.selectbox(key="assess-report-client").set_value("Jonas P.")
    app = app.run()
    assert app.selectbox(key="assess-profile").value == "Jonas P."
    with clients() as session:
        before = len(export_json(session, find_profile(session, "Jonas P."))["assessments"])
    next(b for b in app.button if b.key == "assess-save").click()
    app = app.run()
    assert any(s.value.startswith("Saved as visit") for s in app.success)
    for again in (app.run(), AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S).run()):  # a reload
        if again is not app:
            _upload(again, "upload-front", HIGH_HIP / "front.jpg")
            again = _analyse(again.run())
            again.selectbox(key="assess-report-client").set_value("Jonas P.")
            again = again.run()
        assert not any(b.key == "assess-save" for b in again.button)
        assert any("saving them again would only add a copy" in i.value for i in again.info)
    with clients() as session:
        assert len(export_json(session, find_profile(session, "Jonas P."))["assessments"]) == before + 1
    app.selectbox(key="assess-profile").set_value("Bo")
    app = app.run()
    assert any("The report is about **Jonas P.**, and this saves to **Bo**" in w.value for w in app.warning)


def test_a_client_is_found_by_part_of_the_name(clients):
    progress = _progress()
    assert progress.selectbox(key="progress-profile").options == [*sorted(CLIENTS), "+ New profile"]
    progress.text_input(key="progress-search").input("zoe")
    progress = progress.run()
    assert progress.selectbox(key="progress-profile").options == ["Zoë Ångström", "+ New profile"]
    assert progress.selectbox(key="progress-profile").value == "Zoë Ångström"
    progress.text_input(key="progress-search").input("JON")
    progress = progress.run()
    assert progress.selectbox(key="progress-profile").options == ["Jonas P.", "Jonna K.", "+ New profile"]
    progress.text_input(key="progress-search").input("nobody")
    progress = progress.run()
    assert any("No profile's name contains 'nobody'" in c.value for c in progress.caption)
    assert not progress.exception


def test_visits_are_numbered_per_client_on_the_progress_page(clients):
    progress = _progress()
    progress.selectbox(key="progress-profile").set_value("Jonas P.")
    progress = progress.run()
    assert progress.selectbox(key="progress-first").options == ["visit 1: 2026-03-02 (photos)",
                                                                "visit 2: 2026-03-30 (photos)"]


def test_client_details_are_edited_and_a_bad_value_is_refused_keeping_the_rest(clients):
    progress = _progress()
    progress.selectbox(key="progress-profile").set_value("Jonna K.")
    progress = progress.run()
    key = "client-Jonna K."
    bad = {"height": 400.0, "born": date(1990, 6, 1), "notes": "hamstring strain 2025"}
    progress.number_input(key=f"{key}-height").set_value(bad["height"])
    progress.date_input(key=f"{key}-born").set_value(bad["born"])
    progress.text_area(key=f"{key}-notes").input(bad["notes"])
    progress = _submit(progress)
    assert [e.value for e in progress.error] == [
        "Not saved: a height must be between 50 and 250 cm (got 400); nothing was changed."]
    assert progress.number_input(key=f"{key}-height").value == 400  # the form keeps what was typed
    assert progress.text_area(key=f"{key}-notes").value == bad["notes"]
    assert _stored("Jonna K.") == ClientDetails("Jonna K.")
    progress.date_input(key=f"{key}-born").set_value(date.today() + timedelta(days=3))
    progress.number_input(key=f"{key}-height").set_value(0.0)
    progress = _submit(progress)
    assert "height must be between 50 and 250 cm (got 0)" in progress.error[0].value
    # The date picker offers no day after today (the store would refuse one: tests/test_history.py).
    assert progress.date_input(key=f"{key}-born").value is None
    assert _stored("Jonna K.") == ClientDetails("Jonna K.")
    progress.number_input(key=f"{key}-height").set_value(166.5)
    progress.date_input(key=f"{key}-born").set_value(bad["born"])
    progress = _submit(progress)
    assert [s.value for s in progress.success] == ["Details saved."] and not progress.error
    assert _stored("Jonna K.") == ClientDetails("Jonna K.", bad["born"], 166.5, bad["notes"])
    assert any(e.label == "Client details: born 1990-06-01, 166.5 cm" for e in progress.expander)  # at once


def test_a_new_client_is_created_with_details_and_a_bad_height_creates_nothing(clients):
    progress = _progress()
    progress.selectbox(key="progress-profile").set_value("+ New profile")
    progress = progress.run()
    progress.text_input(key="progress-new-name").input("Ana S.")
    progress.number_input(key="progress-new-height").set_value(0.0)
    progress.date_input(key="progress-new-born").set_value(date(1970, 1, 31))
    progress = _create(progress)
    assert [e.value for e in progress.error] == [
        "Not created: a height must be between 50 and 250 cm (got 0); nothing was changed."]
    assert progress.text_input(key="progress-new-name").value == "Ana S."  # nothing typed is lost
    assert progress.date_input(key="progress-new-born").value == date(1970, 1, 31)
    assert "Ana S." not in progress.selectbox(key="progress-profile").options
    progress.number_input(key="progress-new-height").set_value(165.0)
    progress = _create(progress)
    assert progress.selectbox(key="progress-profile").value == "Ana S."
    assert _stored("Ana S.") == ClientDetails("Ana S.", date(1970, 1, 31), 165.0)
    progress = _progress()  # afresh: AppTest keeps the elements of a run cut short by st.rerun
    progress.selectbox(key="progress-profile").set_value("+ New profile")
    progress = progress.run()
    progress.text_input(key="progress-new-name").input("Jonas P.")
    progress = _create(progress)
    assert "exists already" in progress.error[0].value
    assert _stored("Jonas P.") == ClientDetails("Jonas P.", date(1981, 4, 30), 178.0)  # nothing overwritten


@pytest.fixture
def deferred(monkeypatch) -> dict[str, Callable]:
    """What a download button made on the click would hand over, by its file id."""
    caught: dict[str, Callable] = {}
    add = MediaFileManager.add_deferred

    def catching_add(self, data_callable, *args, **kwargs):
        file_id = add(self, data_callable, *args, **kwargs)
        caught[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", catching_add)
    return caught


def test_the_csv_download_reads_back_as_the_stored_visits(clients, deferred):
    progress = _progress()
    progress.selectbox(key="progress-profile").set_value("Jonas P.")
    progress = progress.run()
    button = next(b for b in progress.get("download_button") if b.label == "Download the measurements (CSV)")
    rows = list(csv.DictReader(io.StringIO(deferred[button.proto.deferred_file_id]())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {(r["date"], r["visit"]) for r in rows} == {("2026-03-02", "1"), ("2026-03-30", "2")}
    with clients() as session:
        stored = series(session, find_profile(session, "Jonas P."))
    assert {r["doubted"] for r in rows} == {"no"}  # this photo has no doubted value
    for row in rows:
        point = next(p for p in stored[row["measurement_id"]][1] if p.taken_on.isoformat() == row["date"])
        assert float(row["value"]) == pytest.approx(point.value, abs=5e-4)


def _submit(app: AppTest) -> AppTest:
    next(b for b in app.button if b.label == "Save details").click()
    return app.run()


def _create(app: AppTest) -> AppTest:
    next(b for b in app.button if b.label == "Create profile").click()
    return app.run()


def _stored(name: str) -> ClientDetails:
    import os

    with open_database(os.environ["POSTURE_DB"])() as session:
        return client_details(find_profile(session, name))
