"""Saving, listing, exporting, importing and deleting history. Every save is one transaction.

Profile names and notes are data: they only ever travel as bound parameters, never into SQL text
or file paths.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from posture.analysis import BODY_HEIGHT_RANGE_CM, Analysis
from posture.assessment.classifier import Finding, Status, combine, present
from posture.history.models import (
    AssessmentRow,
    ExerciseSession,
    MeasurementRow,
    PainEntry,
    PhotoRow,
    Profile,
    ViewThumbnail,
)
from posture.history.trends import Point
from posture.records import report_json, stored_assessment
from posture.registry import BY_ID, MEASUREMENTS, display_name
from posture.vision.image_io import PhotoBytes

EXPORT_SCHEMA = "posture.history/1"
MAX_NAME_LENGTH = 200
OLDEST_BIRTH_DATE = date(1900, 1, 1)
CSV_COLUMNS = ("date", "visit", "measurement_id", "measurement", "value", "uncertainty", "unit", "doubted",
               "cant_tell", "note", "source")


class ProfileError(ValueError):
    """A profile name that can't be used, or one that doesn't exist; the message says which."""


@dataclass(frozen=True)
class AssessmentSummary:
    id: int  # the database's, internal: what a person sees is `visit`
    taken_on: date
    source: str
    findings: tuple[str, ...]  # labels of the present findings
    visit: int  # 1 for the profile's earliest assessment (by date, then by when it was saved)


@dataclass(frozen=True)
class ClientDetails:
    """What is stored once per profile: what a form edits and a report header reads."""

    name: str
    birth_date: date | None = None
    height_cm: float | None = None  # scales lengths in cm for every assessment of this client
    notes: str = ""


@dataclass(frozen=True)
class LoggedExercise:
    id: int
    done_on: date
    exercise_id: str  # a key of corrections.json's "exercises"


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH or any(ord(c) < 32 for c in name):
        raise ProfileError(
            f"a profile name must be 1-{MAX_NAME_LENGTH} characters without line breaks or control characters"
        )
    return name


def get_or_create_profile(session: Session, name: str, notes: str = "", store_photos: bool = False) -> Profile:
    """Two sessions may create the same new profile at once: the loser of the race (a unique-name
    violation inside a savepoint) takes the winner's row."""
    name = clean_name(name)
    profile = session.scalar(select(Profile).where(Profile.name == name))
    if profile is not None:
        return profile
    _refuse_look_alike(session, name)
    try:
        with session.begin_nested():
            profile = Profile(name=name, notes=notes, store_photos=store_photos, created_at=datetime.now())
            session.add(profile)
    except IntegrityError:
        profile = session.scalar(select(Profile).where(Profile.name == name))
    return profile


def find_profile(session: Session, name: str) -> Profile:
    profile = session.scalar(select(Profile).where(Profile.name == clean_name(name)))
    if profile is None:
        raise ProfileError(f"no profile named {name!r}; `posture history list` shows the profiles")
    return profile


def client_details(profile: Profile) -> ClientDetails:
    """The client's name, date of birth, height and notes, as stored."""
    return ClientDetails(profile.name, profile.birth_date, profile.height_cm, profile.notes or "")


def check_details(details: ClientDetails) -> ClientDetails:
    """The details if they can be stored; else a ProfileError naming every field that can't."""
    low, high = BODY_HEIGHT_RANGE_CM
    problems = []
    if details.height_cm is not None and not low <= details.height_cm <= high:
        problems.append(f"a height must be between {low:.0f} and {high:.0f} cm (got {details.height_cm:g})")
    if details.birth_date is not None and not OLDEST_BIRTH_DATE <= details.birth_date <= date.today():
        problems.append(f"a date of birth must be between {OLDEST_BIRTH_DATE} and today (got {details.birth_date})")
    if problems:
        raise ProfileError("; ".join(problems) + "; nothing was changed")
    return replace(details, name=clean_name(details.name), notes=details.notes or "")


def update_client(sessions: sessionmaker[Session], details: ClientDetails, create: bool = False) -> ClientDetails:
    """Store a client's details (all of them, or nothing when one can't be stored); `create`
    makes the profile when there is none of that name."""
    details = check_details(details)
    with sessions.begin() as session:
        profile = get_or_create_profile(session, details.name) if create else find_profile(session, details.name)
        profile.birth_date, profile.height_cm, profile.notes = details.birth_date, details.height_cm, details.notes
        return client_details(profile)


def create_profile(sessions: sessionmaker[Session], details: ClientDetails,
                   store_photos: bool = False) -> ClientDetails:
    """A new profile with these details; refused when the name is taken (nothing of that
    profile is overwritten) or a detail can't be stored."""
    details = check_details(details)
    taken = ProfileError(f"a profile named {details.name!r} exists already: choose it in the list")
    try:
        with sessions.begin() as session:
            if session.scalar(select(Profile.id).where(Profile.name == details.name)) is not None:
                raise taken
            _refuse_look_alike(session, details.name)
            session.add(Profile(name=details.name, notes=details.notes, store_photos=store_photos,
                                height_cm=details.height_cm, birth_date=details.birth_date, created_at=datetime.now()))
    except IntegrityError:  # created by another session meanwhile
        raise taken from None
    return details


def _refuse_look_alike(session: Session, name: str) -> None:
    """A new name that differs from a profile's only in case, accents or spaces ('anna  schmidt'
    beside 'Anna Schmidt') is refused: it is almost surely the same person, whose history would
    be split between two profiles, and only a whole profile can be deleted."""
    person = _person_key(name)
    for existing in session.scalars(select(Profile.name)):
        # The exact name is not a look-alike: another session may just have created it (the caller
        # takes its row).
        if existing != name and _person_key(existing) == person:
            raise ProfileError(f"a profile named {existing!r} exists already (the names differ only in case, accents "
                               "or spaces): choose it in the list, or give a name that tells the two apart")


def name_matches(name: str, search: str) -> bool:
    """Part of a name, in any case and with or without accents ('zoe' finds 'Zoë')."""
    return _folded(search) in _folded(name)


def _person_key(name: str) -> str:
    """A name without case, accents or extra spaces: two names with one key are one person's."""
    return " ".join(_folded(name).split())


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def save_assessment(
    sessions: sessionmaker[Session],
    profile_name: str,
    analysis: Analysis,
    thumbnails: Mapping[str, bytes] | None = None,
    taken_on: date | None = None,
    source: str = "photos",
    photos: Sequence[PhotoBytes] = (),
) -> int:
    """Store one assessment (its report document, combined measurements, the caller's small
    annotated thumbnail of each view, and the photos only if the profile opted in) in one
    transaction; its id."""
    assessment = analysis.assessment
    with sessions.begin() as session:
        profile = get_or_create_profile(session, profile_name)
        if assessment.pain is not None and assessment.pain.intensity_0_10 is not None:
            session.add(PainEntry(profile_id=profile.id, logged_on=taken_on or date.today(),
                                  regions=",".join(assessment.pain.regions),
                                  intensity_0_10=assessment.pain.intensity_0_10))
        labels = [f.label for f in present(assessment.findings)]
        row = AssessmentRow(
            profile_id=profile.id, taken_at=taken_on or date.today(), saved_at=datetime.now(), source=source,
            report_json=json.dumps(report_json(analysis), ensure_ascii=False), findings_json=json.dumps(labels),
        )
        row.thumbnails = [ViewThumbnail(view=view, jpeg=jpeg) for view, jpeg in (thumbnails or {}).items()]
        row.measurements = [MeasurementRow(measurement=mid, value=value, uncertainty=uncertainty, unit=unit)
                            for mid, (value, uncertainty, unit) in _trend_values(analysis).items()]
        if profile.store_photos:
            row.photos = [PhotoRow(name=p.name, data=p.data) for p in photos]
        session.add(row)
        session.flush()
        return row.id


def _trend_values(analysis: Analysis) -> dict[str, tuple[float, float, str]]:
    """The combined values a visit stores: (value, uncertainty, unit) per measurement. A value no
    finding may rest on (arms crossed, not standing, ...) is no point of a trend either."""
    combined = combine((r.path, r.measurements) for r in analysis.photos if r.ok)
    return {mid: (float(c.measurement.value), float(c.measurement.uncertainty), c.measurement.unit)
            for mid, c in combined.items() if c.measurement.measured and not c.measurement.doubt}


def same_visit(session: Session, profile_name: str, analysis: Analysis, taken_on: date) -> int | None:
    """The stored assessment of this profile and day with exactly these values, if any: saving
    them again would only add a copy (a second press of Save, a reload, another tab), and a
    visit can't be deleted on its own."""
    profile = session.scalar(select(Profile).where(Profile.name == profile_name))
    if profile is None:
        return None
    wanted = {(mid, round(value, 6), round(sd, 6)) for mid, (value, sd, _) in _trend_values(analysis).items()}
    for row in session.scalars(select(AssessmentRow).where(AssessmentRow.profile_id == profile.id,
                                                            AssessmentRow.taken_at == taken_on)):
        if {(m.measurement, round(m.value, 6), round(m.uncertainty, 6)) for m in row.measurements} == wanted:
            return row.id
    return None


def log_pain(sessions: sessionmaker[Session], profile_name: str, logged_on: date, regions: Sequence[str],
             intensity_0_10: int) -> None:
    with sessions.begin() as session:
        profile = find_profile(session, profile_name)
        session.add(PainEntry(profile_id=profile.id, logged_on=logged_on, regions=",".join(regions),
                              intensity_0_10=intensity_0_10))


def log_exercise(sessions: sessionmaker[Session], profile_name: str, done_on: date, exercise_id: str) -> int:
    """One exercise done on one day (one entry per exercise, so a log says what was done); its id."""
    with sessions.begin() as session:
        profile = find_profile(session, profile_name)
        entry = ExerciseSession(profile_id=profile.id, done_on=done_on, exercise_id=exercise_id)
        session.add(entry)
        session.flush()
        return entry.id


def exercise_log(session: Session, profile: Profile, limit: int = 20) -> list[LoggedExercise]:
    """The latest logged exercises, newest first."""
    rows = session.execute(
        select(ExerciseSession.id, ExerciseSession.done_on, ExerciseSession.exercise_id)
        .where(ExerciseSession.profile_id == profile.id)
        .order_by(ExerciseSession.done_on.desc(), ExerciseSession.id.desc()).limit(limit)
    )
    return [LoggedExercise(*row) for row in rows]


def delete_logged_exercise(sessions: sessionmaker[Session], profile_name: str, entry_id: int) -> bool:
    """Undo one logged exercise of this profile (never another profile's); whether it was there."""
    with sessions.begin() as session:
        profile = find_profile(session, profile_name)
        removed = session.execute(delete(ExerciseSession).where(ExerciseSession.id == entry_id,
                                                                ExerciseSession.profile_id == profile.id))
        return removed.rowcount == 1


def list_profiles(session: Session, search: str = "") -> list[tuple[Profile, int, date | None]]:
    """Each profile (whose name contains `search`, see name_matches) with its number of assessments
    and the latest date. Matched here, not in SQL: SQLite's lower() knows only ASCII."""
    counts = (
        select(AssessmentRow.profile_id, func.count(AssessmentRow.id).label("n"),
               func.max(AssessmentRow.taken_at).label("last"))
        .group_by(AssessmentRow.profile_id).subquery()
    )
    rows = session.execute(
        select(Profile, counts.c.n, counts.c.last).outerjoin(counts, counts.c.profile_id == Profile.id)
        .order_by(Profile.name)
    )
    return [(profile, n or 0, last) for profile, n, last in rows if name_matches(profile.name, search)]


def assessment_summaries(session: Session, profile: Profile) -> list[AssessmentSummary]:
    rows = session.execute(
        select(AssessmentRow.id, AssessmentRow.taken_at, AssessmentRow.source, AssessmentRow.findings_json)
        .where(AssessmentRow.profile_id == profile.id).order_by(AssessmentRow.taken_at, AssessmentRow.id)
    )
    return [AssessmentSummary(i, taken, source, tuple(json.loads(findings)), visit)
            for visit, (i, taken, source, findings) in enumerate(rows, start=1)]


def visit_number(session: Session, assessment_id: int) -> int:
    """Which visit of its profile an assessment is: its place in date order (same day: saved
    first, first). Counted, not stored: a visit saved with an earlier date, or one deleted,
    renumbers the later ones, so visit N is always the Nth assessment there is."""
    taken, profile_id = session.execute(
        select(AssessmentRow.taken_at, AssessmentRow.profile_id).where(AssessmentRow.id == assessment_id)
    ).one()
    earlier = or_(AssessmentRow.taken_at < taken,
                  and_(AssessmentRow.taken_at == taken, AssessmentRow.id <= assessment_id))
    return session.scalar(
        select(func.count()).select_from(AssessmentRow).where(AssessmentRow.profile_id == profile_id, earlier)
    )


def present_findings(report: dict) -> list[str]:
    """Labels of the findings (and patterns) a posture.report/1 document says are present."""
    findings, _, _ = stored_assessment(report)
    return [f.label for f in present(findings)]


def series(session: Session, profile: Profile) -> dict[str, tuple[str, list[Point]]]:
    """Measurement id -> (unit, its points in date order) for one profile: one query."""
    rows = session.execute(
        select(MeasurementRow.measurement, MeasurementRow.unit, AssessmentRow.taken_at, MeasurementRow.value,
               MeasurementRow.uncertainty)
        .join(AssessmentRow, AssessmentRow.id == MeasurementRow.assessment_id)
        .where(AssessmentRow.profile_id == profile.id)
        .order_by(MeasurementRow.measurement, AssessmentRow.taken_at, AssessmentRow.id)
    )
    out: dict[str, tuple[str, list[Point]]] = {}
    for mid, unit, taken, value, uncertainty in rows:
        out.setdefault(mid, (unit, []))[1].append(Point(taken, value, uncertainty))
    return out


def view_thumbnails(session: Session, assessment_id: int) -> dict[str, bytes]:
    """The stored thumbnail of each view of one assessment (view value -> JPEG)."""
    rows = session.execute(select(ViewThumbnail.view, ViewThumbnail.jpeg)
                           .where(ViewThumbnail.assessment_id == assessment_id))
    return {view: jpeg for view, jpeg in rows}


def delete_profile(sessions: sessionmaker[Session], name: str) -> int:
    """Delete a profile and everything of it (assessments, measurements, photos, logs); the number
    of assessments removed."""
    with sessions.begin() as session:
        profile = find_profile(session, name)
        ids = select(AssessmentRow.id).where(AssessmentRow.profile_id == profile.id)
        count = session.scalar(select(func.count()).select_from(ids.subquery()))
        # Explicit, so it holds whatever the server's foreign-key settings.
        session.execute(delete(PhotoRow).where(PhotoRow.assessment_id.in_(ids)))
        session.execute(delete(ViewThumbnail).where(ViewThumbnail.assessment_id.in_(ids)))
        session.execute(delete(MeasurementRow).where(MeasurementRow.assessment_id.in_(ids)))
        session.execute(delete(AssessmentRow).where(AssessmentRow.profile_id == profile.id))
        session.execute(delete(PainEntry).where(PainEntry.profile_id == profile.id))
        session.execute(delete(ExerciseSession).where(ExerciseSession.profile_id == profile.id))
        session.execute(delete(Profile).where(Profile.id == profile.id))
        return count


def export_csv(session: Session, profile: Profile) -> str:
    """One row per visit and measurement with a value (CSV_COLUMNS): the stored values, and the
    doubted ones the report kept beside its "can't tell" (they never enter a trend)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    stored: dict[int, dict[str, MeasurementRow]] = {}
    for row in session.scalars(
        select(MeasurementRow).join(AssessmentRow).where(AssessmentRow.profile_id == profile.id)
    ):
        stored.setdefault(row.assessment_id, {})[row.measurement] = row
    reports = dict(session.execute(
        select(AssessmentRow.id, AssessmentRow.report_json).where(AssessmentRow.profile_id == profile.id)
    ).all())
    for summary in assessment_summaries(session, profile):
        findings = [Finding.from_json(f) for f in json.loads(reports[summary.id])["assessment"]["findings"]]
        writer.writerows(_csv_rows(summary, stored.get(summary.id, {}), findings))
    return buffer.getvalue()


def _csv_rows(summary: AssessmentSummary, stored: dict[str, MeasurementRow], findings: Sequence[Finding]) -> list[dict]:
    reading: dict[str, list[Finding]] = {}  # the single findings that rest on each measurement
    for finding in findings:
        if not finding.is_pattern:
            reading.setdefault(finding.evidence[0].measurement, []).append(finding)
    doubted = {mid: on[0].evidence[0] for mid, on in reading.items()
               if mid not in stored and on[0].evidence[0].value is not None}
    order = {m.id: i for i, m in enumerate(MEASUREMENTS)}
    rows = []
    for mid in sorted({*stored, *doubted}, key=lambda m: (order.get(m, len(order)), m)):
        value, uncertainty, unit = ((stored[mid].value, stored[mid].uncertainty, stored[mid].unit) if mid in stored
                                    else (doubted[mid].value, doubted[mid].uncertainty, doubted[mid].unit))
        undecided = [f for f in reading.get(mid, []) if f.status is Status.CANT_TELL]
        rows.append({
            "date": summary.taken_on.isoformat(), "visit": summary.visit, "measurement_id": mid,
            "measurement": display_name(mid), "value": f"{value:.3f}",
            "uncertainty": "" if uncertainty is None else f"{uncertainty:.3f}",
            "unit": BY_ID[mid].unit.value if mid in BY_ID else unit, "doubted": "yes" if mid in doubted else "no",
            "cant_tell": ("yes" if undecided else "no") if mid in reading else "",
            "note": (undecided[0].evidence[0].note or "") if undecided else "", "source": summary.source,
        })
    return rows


def export_json(session: Session, profile: Profile) -> dict:
    assessments = session.scalars(
        select(AssessmentRow).where(AssessmentRow.profile_id == profile.id)
        .order_by(AssessmentRow.taken_at, AssessmentRow.id)
    )
    return {
        "schema": EXPORT_SCHEMA,
        "profile": {"name": profile.name, "notes": profile.notes, "store_photos": profile.store_photos,
                    "height_cm": profile.height_cm,
                    "birth_date": profile.birth_date.isoformat() if profile.birth_date else None},
        "assessments": [
            {
                "taken_at": a.taken_at.isoformat(),
                "source": a.source,
                "measurements": [{"measurement": m.measurement, "value": m.value, "uncertainty": m.uncertainty,
                                  "unit": m.unit} for m in a.measurements],
                "report": json.loads(a.report_json),
            }
            for a in assessments
        ],
        "pain": [{"logged_on": p.logged_on.isoformat(), "regions": p.regions.split(",") if p.regions else [],
                  "intensity_0_10": p.intensity_0_10} for p in profile.pain_entries],
        "exercise_sessions": [{"done_on": e.done_on.isoformat(), "exercise": e.exercise_id}
                              for e in profile.exercise_sessions],
    }


def import_json(sessions: sessionmaker[Session], document: dict) -> tuple[str, int]:
    """Load an export into a new profile of the same name (refused if that name exists); the name
    and the number of assessments. All or nothing."""
    if not isinstance(document, dict) or document.get("schema") != EXPORT_SCHEMA:
        raise ProfileError(f"not a posture history export (expected \"schema\": \"{EXPORT_SCHEMA}\")")
    try:
        meta = document["profile"]
        with sessions.begin() as session:
            born = meta.get("birth_date")  # exports from before client details have none
            details = check_details(ClientDetails(meta["name"], born and date.fromisoformat(born),
                                                  meta.get("height_cm"), str(meta.get("notes", ""))))
            name = details.name
            if session.scalar(select(Profile.id).where(Profile.name == name)) is not None:
                raise ProfileError(f"a profile named {name!r} exists already; delete or rename it first")
            _refuse_look_alike(session, name)
            profile = Profile(name=name, notes=details.notes, store_photos=bool(meta.get("store_photos")),
                              height_cm=details.height_cm, birth_date=details.birth_date, created_at=datetime.now())
            session.add(profile)
            session.flush()
            for item in document["assessments"]:
                row = AssessmentRow(profile_id=profile.id, taken_at=date.fromisoformat(item["taken_at"]),
                                 saved_at=datetime.now(), source=str(item["source"]),
                                 report_json=json.dumps(item["report"], ensure_ascii=False),
                                 findings_json=json.dumps(present_findings(item["report"])))
                row.measurements = [MeasurementRow(measurement=str(m["measurement"]), value=float(m["value"]),
                                                   uncertainty=float(m["uncertainty"]), unit=str(m["unit"]))
                                    for m in item["measurements"]]
                session.add(row)
            session.add_all(PainEntry(profile_id=profile.id, logged_on=date.fromisoformat(p["logged_on"]),
                                      regions=",".join(p["regions"]), intensity_0_10=int(p["intensity_0_10"]))
                            for p in document.get("pain", []))
            session.add_all(ExerciseSession(profile_id=profile.id, done_on=date.fromisoformat(e["done_on"]),
                                            exercise_id=str(e["exercise"]))
                            for e in document.get("exercise_sessions", []))
            return name, len(document["assessments"])
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, ProfileError):
            raise
        raise ProfileError(f"the export is incomplete or damaged ({error!r}); nothing was imported") from None

