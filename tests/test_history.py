"""The history against SQLite and a real PostgreSQL server: saving, listing, trends, export and
import, deleting, hostile names, concurrent saves, a killed save, migrations, foreign files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from posture.analysis import Options, analyze_person
from posture.history.db import HistoryError, latest_revision, open_database, schema_revision, upgrade_to
from posture.history.models import AssessmentRow, MeasurementRow, PhotoRow, Profile, ViewThumbnail
from posture.history.store import (
    CSV_COLUMNS,
    ClientDetails,
    ProfileError,
    assessment_summaries,
    client_details,
    create_profile,
    delete_profile,
    export_csv,
    export_json,
    find_profile,
    get_or_create_profile,
    import_json,
    list_profiles,
    same_visit,
    save_assessment,
    series,
    update_client,
    view_thumbnails,
    visit_number,
)
from posture.registry import display_name, info
from posture.vision.image_io import PhotoBytes
from tests.replay import use_replay

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "high_left_hip"
HOSTILE_NAMES = [
    "Robert'); DROP TABLE profiles;--",
    "../../etc/passwd",
    "C:\\Windows\\system32",
    "Zoë Ångström 李小龍 🙂",
    "%s %d {name} $HOME `rm -rf /`",
    "a" * 200,
]


@pytest.fixture(scope="module")
def analysed():
    """One analysis (the model's recorded answers), saved many times over."""
    with pytest.MonkeyPatch.context() as patch:
        return analyze_person([str(SAMPLE / "front.jpg")], use_replay(patch), Options())


def _save_weekly(sessions, name, analysed, weeks: int, start=date(2026, 1, 5)) -> list[int]:
    return [save_assessment(sessions, name, analysed, None, start + timedelta(weeks=w)) for w in range(weeks)]


def test_saved_assessments_list_and_trend_in_date_order(db_location, analysed):
    sessions = open_database(db_location)
    ids = _save_weekly(sessions, "Ann", analysed, 3)
    with sessions() as session:
        [(profile, count, last)] = list_profiles(session)
        assert (profile.name, count, last) == ("Ann", 3, date(2026, 1, 19))
        summaries = assessment_summaries(session, profile)
        assert [s.id for s in summaries] == ids
        assert "Left hip higher than right (lateral pelvic tilt)" in summaries[0].findings
        unit, points = series(session, profile)["hip_tilt_deg"]
        assert unit == "deg"
        assert [p.taken_on for p in points] == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]
        assert points[0].value == pytest.approx(analysed.photos[0].measurements["hip_tilt_deg"].value)


@pytest.fixture(scope="module")
def with_a_doubt():
    """Front and side of the forward-head sample: its side photo's neck outline is unusual, so the
    craniovertebral angle is measured but doubted (its finding: can't tell)."""
    with pytest.MonkeyPatch.context() as patch:
        photos = [str(p) for p in sorted((REPO / "samples" / "forward_head").glob("*.jpg"))]
        return analyze_person(photos, use_replay(patch), Options())


def test_csv_export_reads_back_as_the_stored_values_with_visits_names_and_doubts(db_location, with_a_doubt):
    sessions = open_database(db_location)
    save_assessment(sessions, "Bo", with_a_doubt, None, date(2026, 1, 1))  # another client's visit comes first
    _save_weekly(sessions, "Ann", with_a_doubt, 2)
    with sessions() as session:
        profile = find_profile(session, "Ann")
        rows = list(csv.DictReader(io.StringIO(export_csv(session, profile))))
        stored = session.execute(
            select(AssessmentRow.taken_at, MeasurementRow.measurement, MeasurementRow.value, MeasurementRow.uncertainty)
            .join(MeasurementRow).where(AssessmentRow.profile_id == profile.id)).all()
        trended = set(series(session, profile))
    assert tuple(rows[0]) == CSV_COLUMNS
    trusted = [r for r in rows if r["doubted"] == "no"]
    assert len(trusted) == len(stored) > 0
    by_key = {(r["date"], r["measurement_id"]): r for r in rows}
    for taken, mid, value, uncertainty in stored:
        row = by_key[(taken.isoformat(), mid)]
        assert float(row["value"]) == pytest.approx(value, abs=5e-4)
        assert float(row["uncertainty"]) == pytest.approx(uncertainty, abs=5e-4)
        assert (row["measurement"], row["unit"]) == (display_name(mid), info(mid).unit.value)
    assert {(r["date"], r["visit"]) for r in rows} == {("2026-01-05", "1"), ("2026-01-12", "2")}
    # The doubted angle is in the CSV, flagged with the report's reason, at the value the report showed.
    cva = by_key[("2026-01-05", "craniovertebral_angle_deg")]
    finding = next(f for f in with_a_doubt.assessment.findings if f.id == "forward_head")
    assert (cva["doubted"], cva["cant_tell"]) == ("yes", "yes")
    assert "neck is unlike those the model was fitted on" in cva["note"]
    assert float(cva["value"]) == pytest.approx(finding.evidence[0].value, abs=5e-3)
    assert "craniovertebral_angle_deg" not in trended and {r["measurement_id"] for r in trusted} <= trended
    hip = by_key[("2026-01-05", "hip_tilt_deg")]
    assert (hip["doubted"], hip["cant_tell"], hip["note"], hip["source"]) == ("no", "no", "", "photos")


def test_json_export_imports_into_another_database_unchanged(db_location, analysed, tmp_path):
    sessions = open_database(db_location)
    _save_weekly(sessions, "Ann", analysed, 2)
    with sessions() as session:
        exported = export_json(session, find_profile(session, "Ann"))
    other = open_database(str(tmp_path / "other.sqlite"))
    assert import_json(other, json.loads(json.dumps(exported))) == ("Ann", 2)
    with other() as session:
        assert export_json(session, find_profile(session, "Ann")) == exported
    with pytest.raises(ProfileError, match="exists already"):
        import_json(other, exported)
    with pytest.raises(ProfileError, match="nothing was imported"):
        import_json(open_database(str(tmp_path / "third.sqlite")), {**exported, "assessments": [{"taken_at": "x"}]})


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_profile_names_are_only_data(db_location, analysed, name, tmp_path):
    sessions = open_database(db_location)
    save_assessment(sessions, name, analysed)
    with sessions() as session:
        assert [p.name for p, _, _ in list_profiles(session)] == [name]
        assert session.scalar(select(func.count()).select_from(AssessmentRow)) == 1
    assert delete_profile(sessions, name) == 1
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize("name", ["", "   ", "two\nlines", "tab\tname", "a" * 201])
def test_unusable_profile_names_are_refused_with_a_reason(db_location, analysed, name):
    sessions = open_database(db_location)
    with pytest.raises(ProfileError, match="profile name"):
        save_assessment(sessions, name, analysed)


def test_deleting_a_profile_removes_everything_of_it_photos_included(db_location, analysed):
    sessions = open_database(db_location)
    with sessions.begin() as session:
        get_or_create_profile(session, "Keeps photos", store_photos=True)
    photo = PhotoBytes("front.jpg", (SAMPLE / "front.jpg").read_bytes())
    save_assessment(sessions, "Keeps photos", analysed, photos=[photo])
    save_assessment(sessions, "No photos", analysed, photos=[photo])
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(PhotoRow)) == 1  # only the opted-in profile's
    delete_profile(sessions, "Keeps photos")
    with sessions() as session:
        for table in (PhotoRow, AssessmentRow, MeasurementRow):
            remaining = session.scalars(select(table)).all()
            assert all(getattr(r, "assessment_id", None) != 1 for r in remaining)
        assert session.scalar(select(func.count()).select_from(PhotoRow)) == 0
        assert [p.name for p in session.scalars(select(Profile))] == ["No photos"]
    with pytest.raises(ProfileError, match="no profile named"):
        delete_profile(sessions, "Keeps photos")


def test_two_sessions_saving_at_once_lose_nothing(db_location, analysed):
    open_database(db_location)
    errors = []

    def saver(name: str) -> None:
        try:
            sessions = open_database(db_location)  # its own engine, like a second app session
            _save_weekly(sessions, name, analysed, 15)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=saver, args=(name,)) for name in ("Ann", "Bo", "Ann")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with open_database(db_location)() as session:
        counts = {p.name: n for p, n, _ in list_profiles(session)}
    assert counts == {"Ann": 30, "Bo": 15}


KILLED_SAVER = """
import sys
import pytest
from posture.analysis import Options, analyze_person
from posture.history.db import open_database
from posture.history.store import save_assessment
from tests.replay import use_replay
with pytest.MonkeyPatch.context() as patch:
    analysis = analyze_person([sys.argv[2]], use_replay(patch), Options())
sessions = open_database(sys.argv[1])
while True:
    print(save_assessment(sessions, "Ann", analysis), flush=True)
"""


def test_a_process_killed_while_saving_leaves_every_earlier_save_intact(db_location):
    open_database(db_location)
    saver = subprocess.Popen([sys.executable, "-c", KILLED_SAVER, db_location, str(SAMPLE / "front.jpg")],
                             stdout=subprocess.PIPE, text=True, cwd=REPO)
    committed = [int(saver.stdout.readline()) for _ in range(25)]
    saver.kill()  # SIGKILL: no clean-up, possibly in the middle of a transaction
    saver.wait()
    if db_location.endswith(".sqlite"):
        with sqlite3.connect(db_location) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    sessions = open_database(db_location)
    with sessions() as session:
        saved = session.scalars(select(AssessmentRow.id)).all()
        assert set(committed) <= set(saved)
        per_assessment = session.execute(
            select(MeasurementRow.assessment_id, func.count()).group_by(MeasurementRow.assessment_id)
        ).all()
        assert len({n for _, n in per_assessment}) == 1  # no half-saved assessment
        assert {a for a, _ in per_assessment} == set(saved)


def test_migrating_from_the_first_schema_keeps_all_data(db_location):
    upgrade_to(db_location, "0001")
    sessions = open_database(db_location, migrate=False)
    with sessions.begin() as session:
        assert schema_revision(session) == "0001"
        session.execute(text(
            "INSERT INTO profiles (id, name, notes, store_photos, created_at) "
            "VALUES (1, 'Old', 'from v1', false, '2026-01-01 10:00:00')"))
        session.execute(text(
            "INSERT INTO assessments (id, profile_id, taken_at, saved_at, source, report_json) "
            "VALUES (1, 1, '2026-01-02', '2026-01-02 10:00:00', 'photos', :report)"),
            {"report": json.dumps({"assessment": {"findings": [
                {"label": "Left hip higher than right", "status": "present", "kind": "finding"},
                {"label": "Lower crossed pattern", "status": "present", "kind": "pattern"},
                {"label": "Forward head", "status": "cant_tell", "kind": "finding"},
            ]}})})
        session.execute(text(
            "INSERT INTO measurements (assessment_id, measurement, value, uncertainty, unit) "
            "VALUES (1, 'hip_tilt_deg', 2.5, 0.8, 'deg')"))
    upgraded = open_database(db_location)
    with upgraded() as session:
        assert schema_revision(session) == latest_revision() != "0001"
        profile = find_profile(session, "Old")
        assert profile.notes == "from v1"
        assert series(session, profile)["hip_tilt_deg"][1][0].value == 2.5
        assert profile.pain_entries == []  # the new tables exist and are empty
        # The findings column was filled from the stored report.
        assert [s.findings for s in assessment_summaries(session, profile)] == [("Left hip higher than right",)]


def test_migrating_moves_the_one_thumbnail_under_the_view_it_was_drawn_from(db_location):
    """Before migration thumbnails_per_view an assessment kept one thumbnail, of its first analysed
    photo; it becomes that view's thumbnail (here the side: the front photo failed)."""
    upgrade_to(db_location, "0003")
    sessions = open_database(db_location, migrate=False)
    jpeg = (SAMPLE / "front.jpg").read_bytes()[:5000]
    report = {"photos": [{"view": "front", "error": {"code": "no_person"}}, {"view": "side_right", "error": None}],
              "assessment": {"findings": []}}
    with sessions.begin() as session:
        session.execute(text("INSERT INTO profiles (id, name, notes, store_photos, created_at) "
                             "VALUES (1, 'Old', '', false, '2026-01-01 10:00:00')"))
        for row_id, thumbnail in ((1, jpeg), (2, None)):
            session.execute(text(
                "INSERT INTO assessments (id, profile_id, taken_at, saved_at, source, report_json, findings_json, "
                "thumbnail_jpeg) VALUES (:id, 1, '2026-01-02', '2026-01-02 10:00:00', 'photos', :report, '[]', "
                ":thumbnail)"), {"id": row_id, "report": json.dumps(report), "thumbnail": thumbnail})
    with open_database(db_location)() as session:
        assert schema_revision(session) == latest_revision()
        assert view_thumbnails(session, 1) == {"side_right": jpeg}
        assert view_thumbnails(session, 2) == {}


def test_each_view_keeps_its_thumbnail_until_the_profile_is_deleted(db_location, analysed):
    sessions = open_database(db_location)
    thumbnails = {"front": b"front jpeg", "side_right": b"side jpeg", "back": b"back jpeg"}
    saved = save_assessment(sessions, "Ann", analysed, thumbnails)
    with sessions() as session:
        assert view_thumbnails(session, saved) == thumbnails
    delete_profile(sessions, "Ann")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ViewThumbnail)) == 0


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path):
    broken = tmp_path / "history.sqlite"
    broken.write_bytes(b"these are my tax notes, not a database" * 100)
    before = hashlib.sha256(broken.read_bytes()).hexdigest()
    with pytest.raises(HistoryError, match="not a posture history database"):
        open_database(str(broken))
    assert hashlib.sha256(broken.read_bytes()).hexdigest() == before


def test_another_programs_database_is_refused_and_left_untouched(tmp_path):
    foreign = tmp_path / "shop.sqlite"
    with sqlite3.connect(foreign) as raw:
        raw.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        raw.execute("INSERT INTO customers (name) VALUES ('x')")
    raw.close()
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()
    with pytest.raises(HistoryError, match="another program"):
        open_database(str(foreign))
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before


def test_a_damaged_sqlite_file_gives_a_clear_error(tmp_path, analysed):
    path = tmp_path / "history.sqlite"
    sessions = open_database(str(path))
    _save_weekly(sessions, "Ann", analysed, 3)
    sessions.kw["bind"].dispose()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the first page's schema
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with pytest.raises(HistoryError, match="cannot open the history database"):
        open_database(str(path))


def test_client_details_are_stored_once_and_read_back_with_the_name(db_location, analysed):
    sessions = open_database(db_location)
    save_assessment(sessions, "Jonas P.", analysed)
    stored = update_client(sessions, ClientDetails("Jonas P.", date(1981, 4, 30), 178.5, "left knee op 2019"))
    created = create_profile(sessions, ClientDetails("Zoë Ångström", None, 164.0), store_photos=True)
    with open_database(db_location)() as session:  # another engine: really from the database
        assert client_details(find_profile(session, "Jonas P.")) == stored == ClientDetails(
            "Jonas P.", date(1981, 4, 30), 178.5, "left knee op 2019")
        zoe = find_profile(session, "Zoë Ångström")
        assert client_details(zoe) == created and zoe.store_photos
    with pytest.raises(ProfileError, match="exists already"):  # creating never overwrites a client
        create_profile(sessions, ClientDetails("Jonas P."))
    with sessions() as session:
        assert client_details(find_profile(session, "Jonas P.")) == stored


@pytest.mark.parametrize("look_alike", ["jonas p.", "JONAS  P.", "Zoe Angstrom"])
def test_a_name_that_differs_only_in_case_accents_or_spaces_is_refused(db_location, analysed, look_alike):
    """A trial created 'anna schmidt' beside 'Anna Schmidt': one client's history split in two,
    and only a whole profile can be deleted."""
    sessions = open_database(db_location)
    save_assessment(sessions, "Jonas P.", analysed)
    create_profile(sessions, ClientDetails("Zoë Ångström"))
    with pytest.raises(ProfileError, match="differ only in case, accents or spaces"):
        create_profile(sessions, ClientDetails(look_alike))
    with pytest.raises(ProfileError, match="differ only in case, accents or spaces"):
        save_assessment(sessions, look_alike, analysed)
    create_profile(sessions, ClientDetails("Jonas P. (2)"))  # a name that tells them apart is fine
    with sessions() as session:
        assert len(list_profiles(session)) == 3
        exported = export_json(session, find_profile(session, "Jonas P."))
    with pytest.raises(ProfileError, match="differ only in case, accents or spaces"):
        import_json(sessions, {**exported, "profile": {**exported["profile"], "name": look_alike}})


def test_the_exact_name_another_session_just_created_is_taken_not_refused(db_location):
    """The look-alike check must not refuse the very name a concurrent session created between
    this one's lookup and its insert: that name's row is taken, as before the check."""
    from posture.history.store import _refuse_look_alike

    sessions = open_database(db_location)
    create_profile(sessions, ClientDetails("Anna Schmidt"))  # committed by "another session" meanwhile
    with sessions() as session:
        _refuse_look_alike(session, "Anna Schmidt")  # the insert that follows meets the winner's row
        with pytest.raises(ProfileError):
            _refuse_look_alike(session, "anna schmidt")


def test_the_same_values_saved_again_for_the_same_day_are_found_as_that_visit(db_location, analysed):
    """What the app's Save box asks before it offers Save: a reload or a second tab must not store a copy."""
    sessions = open_database(db_location)
    first = save_assessment(sessions, "Ann", analysed, None, date(2026, 1, 5))
    with sessions() as session:
        assert same_visit(session, "Ann", analysed, date(2026, 1, 5)) == first
        assert same_visit(session, "Ann", analysed, date(2026, 1, 6)) is None  # another day is another visit
        assert same_visit(session, "Bo", analysed, date(2026, 1, 5)) is None  # nobody of that name


@pytest.mark.parametrize(("details", "message"), [
    (ClientDetails("Ann", height_cm=0.0), "height must be between 50 and 250 cm"),
    (ClientDetails("Ann", height_cm=400.0), "height must be between 50 and 250 cm"),
    (ClientDetails("Ann", birth_date=date.today() + timedelta(days=1)), "date of birth must be between"),
    (ClientDetails("Ann", birth_date=date(1850, 1, 1)), "date of birth must be between"),
])
def test_a_detail_that_cant_be_stored_is_refused_and_changes_nothing(db_location, analysed, details, message):
    sessions = open_database(db_location)
    save_assessment(sessions, "Ann", analysed)
    before = update_client(sessions, ClientDetails("Ann", date(1990, 1, 2), 170.0, "keep me"))
    with pytest.raises(ProfileError, match=message):
        bad = {field: getattr(details, field) for field in ("birth_date", "height_cm")
               if getattr(details, field) is not None}
        update_client(sessions, replace(before, notes="new notes", **bad))
    with pytest.raises(ProfileError, match=message):
        create_profile(sessions, ClientDetails("Bo", details.birth_date, details.height_cm))
    with sessions() as session:
        assert client_details(find_profile(session, "Ann")) == before
        assert [p.name for p, _, _ in list_profiles(session)] == ["Ann"]


def test_search_finds_a_client_by_part_of_the_name_in_any_case_with_or_without_accents(db_location):
    sessions = open_database(db_location)
    names = ["Jonas P.", "Jonna K.", "Zoë Ångström", "Ann 50% off_", "Bo"]
    for name in names:
        create_profile(sessions, ClientDetails(name))
    with sessions() as session:
        def found(text):
            return [p.name for p, _, _ in list_profiles(session, text)]

        assert found("jon") == ["Jonas P.", "Jonna K."]
        assert found("ZOE") == found("zoë") == found("angst") == ["Zoë Ångström"]
        assert found("%") == found("0% off_") == ["Ann 50% off_"]  # LIKE wildcards are only characters
        assert found("") == sorted(names)
        assert found("nobody") == []


def test_visits_are_numbered_per_client_in_date_order_and_a_deleted_one_renumbers_the_later(db_location, analysed):
    sessions = open_database(db_location)
    other = _save_weekly(sessions, "Bo", analysed, 9)  # ids 1-9 belong to another client
    first = save_assessment(sessions, "Jonas P.", analysed, None, date(2026, 3, 2))
    with sessions() as session:
        assert first > len(other) and visit_number(session, first) == 1
    later = save_assessment(sessions, "Jonas P.", analysed, None, date(2026, 3, 30))
    same_day = save_assessment(sessions, "Jonas P.", analysed, None, date(2026, 3, 30))
    backdated = save_assessment(sessions, "Jonas P.", analysed, None, date(2026, 2, 1))  # entered late
    with sessions() as session:
        summaries = assessment_summaries(session, find_profile(session, "Jonas P."))
        assert [(s.id, s.visit) for s in summaries] == [(backdated, 1), (first, 2), (later, 3), (same_day, 4)]
        assert [visit_number(session, s.id) for s in summaries] == [1, 2, 3, 4]
    with sessions.begin() as session:  # a visit removed from the database
        session.delete(session.get(AssessmentRow, first))
    with sessions() as session:
        summaries = assessment_summaries(session, find_profile(session, "Jonas P."))
        assert [(s.id, s.visit) for s in summaries] == [(backdated, 1), (later, 2), (same_day, 3)]
        assert [s.visit for s in assessment_summaries(session, find_profile(session, "Bo"))] == list(range(1, 10))


def test_client_details_travel_in_the_json_export(db_location, analysed, tmp_path):
    sessions = open_database(db_location)
    save_assessment(sessions, "Ann", analysed)
    details = update_client(sessions, ClientDetails("Ann", date(1975, 12, 31), 161.0, "notes"))
    with sessions() as session:
        exported = export_json(session, find_profile(session, "Ann"))
    other = open_database(str(tmp_path / "other.sqlite"))
    import_json(other, exported)
    with other() as session:
        assert client_details(find_profile(session, "Ann")) == details
    older = {**exported, "profile": {"name": "Old export", "notes": "", "store_photos": False}}
    import_json(other, older)  # an export from before client details
    with other() as session:
        assert client_details(find_profile(session, "Old export")) == ClientDetails("Old export")
    with pytest.raises(ProfileError, match="height must be between"):
        import_json(other, {**exported, "profile": {**exported["profile"], "name": "Tall", "height_cm": 400}})


def test_upgrading_a_database_made_at_the_previous_head_keeps_its_data_and_adds_client_details(db_location, analysed):
    upgrade_to(db_location, "thumbnails_per_view")
    old = open_database(db_location, migrate=False)
    with old.begin() as session:
        session.execute(text(
            "INSERT INTO profiles (id, name, notes, store_photos, created_at) "
            "VALUES (1, 'Jonas P.', 'from the previous head', true, '2026-01-01 10:00:00')"))
        session.execute(text(
            "INSERT INTO assessments (id, profile_id, taken_at, saved_at, source, report_json, findings_json) "
            "VALUES (7, 1, '2026-01-02', '2026-01-02 10:00:00', 'live', '{}', '[\"Forward head\"]')"))
        session.execute(text(
            "INSERT INTO measurements (assessment_id, measurement, value, uncertainty, unit) "
            "VALUES (7, 'hip_tilt_deg', 2.5, 0.8, 'deg')"))
    old.kw["bind"].dispose()
    sessions = open_database(db_location)
    with sessions() as session:
        assert schema_revision(session) == latest_revision() == "0005"
        profile = find_profile(session, "Jonas P.")
        assert client_details(profile) == ClientDetails("Jonas P.", None, None, "from the previous head")
        assert profile.store_photos
        [summary] = assessment_summaries(session, profile)
        assert (summary.id, summary.visit, summary.source, summary.findings) == (7, 1, "live", ("Forward head",))
        assert series(session, profile)["hip_tilt_deg"][1][0].value == 2.5
    update_client(sessions, ClientDetails("Jonas P.", date(1981, 4, 30), 178.0, "from the previous head"))
    save_assessment(sessions, "Jonas P.", analysed, None, date(2026, 2, 2))
    with sessions() as session:
        profile = find_profile(session, "Jonas P.")
        assert client_details(profile).height_cm == 178.0
        assert [s.visit for s in assessment_summaries(session, profile)] == [1, 2]


def test_the_progress_report_names_visits_by_their_number_and_heads_with_the_stored_birth_date(db_location,
                                                                                              analysed):
    from PIL import Image

    from posture.history.progress import profile_header, progress
    from posture.history.report import progress_html, progress_report

    sessions = open_database(db_location)
    _save_weekly(sessions, "Bo", analysed, 4)
    jpeg = io.BytesIO()
    Image.new("RGB", (90, 160), (200, 190, 180)).save(jpeg, "JPEG")
    for day in (date(2026, 3, 2), date(2026, 3, 9)):
        save_assessment(sessions, "Ann", analysed, {"front": jpeg.getvalue()}, day)
    update_client(sessions, ClientDetails("Ann", date(1981, 4, 30), 165.0))
    with sessions() as session:
        profile = find_profile(session, "Ann")
        history = progress(session, profile)
        header = profile_header(profile, history.latest.taken_on, "Dr. Ana Müller")
        page = progress_html(progress_report(session, history, header))
    assert header.date_of_birth == date(1981, 4, 30) and header.client == "Ann"
    assert "<h3>Front, visit 1, 2026-03-02</h3>" in page and "<h3>Front, visit 2, 2026-03-09</h3>" in page
    assert "Visit 5" not in page and "Visit 6" not in page  # not the database's ids
    assert "1981-04-30" in page
    update_client(sessions, ClientDetails("Ann", date(2026, 3, 5)))  # a wrong date, after the first visit
    with sessions() as session:
        profile = find_profile(session, "Ann")
        assert profile_header(profile, date(2026, 3, 2)).date_of_birth is None  # left off, no error
        assert profile_header(profile, date(2026, 3, 9)).date_of_birth == date(2026, 3, 5)
