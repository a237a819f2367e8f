"""What the Progress page and the progress report show for one profile, computed once here so the
app, the CLI and the tests agree: changes between two assessments with their verdicts, each view's
thumbnails side by side, when to re-test, and the weekly summary of assessments, pain and exercise."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from posture.annotated import with_grid
from posture.assessment.views import View
from posture.data_files import load
from posture.history.models import AssessmentRow, ExerciseSession, MeasurementRow, PainEntry, Profile
from posture.history.store import AssessmentSummary, assessment_summaries, client_details, series, view_thumbnails
from posture.history.trends import Change, Point, compare
from posture.presentation import ReportHeader, Summary, summarize
from posture.records import stored_assessment
from posture.registry import BY_ID, KEY_MEASUREMENTS, Views

VIEW_ORDER = (View.FRONT, View.SIDE_LEFT, View.SIDE_RIGHT, View.BACK)
VIEW_LABELS = {View.FRONT: "front", View.SIDE_LEFT: "left side", View.SIDE_RIGHT: "right side", View.BACK: "back"}


@dataclass(frozen=True)
class Week:
    starts_on: date  # Monday
    assessments: int
    mean_pain_0_10: float | None
    exercise_sessions: int


@dataclass(frozen=True)
class Progress:
    profile: Profile
    assessments: list[AssessmentSummary]
    series: dict[str, tuple[str, list[Point]]]
    changes: list[Change]  # between `first` and `latest`, key measurements first
    first: AssessmentSummary | None
    latest: AssessmentSummary | None
    weeks: list[Week]

    @property
    def compared_title(self) -> str:
        """What is compared, as every renderer heads it: "first and latest" only when they are (a
        chosen visit is named by its number)."""
        dates = f"{self.first.taken_on} and {self.latest.taken_on}"
        if (self.first.visit, self.latest.visit) == (1, len(self.assessments)):
            return f"First and latest assessment: {dates}"
        return f"Visits {self.first.visit} and {self.latest.visit} of {len(self.assessments)}: {dates}"

    @property
    def shown_title(self) -> str:
        """The assessment whose findings a report shows (the later one compared), named as what it is."""
        if self.latest.visit == len(self.assessments):
            return f"Latest assessment ({self.latest.taken_on})"
        return f"Visit {self.latest.visit} of {len(self.assessments)} ({self.latest.taken_on})"


@dataclass(frozen=True)
class ViewComparison:
    """One view (front, a side, back) of the two compared assessments, gridded for alignment, with
    the real changes of the measurements that view shows."""

    view: View
    first: bytes | None  # JPEG with the grid; None when that assessment has no photo of this view
    latest: bytes | None
    changes: tuple[Change, ...]

    @property
    def label(self) -> str:
        return VIEW_LABELS[self.view]


@dataclass(frozen=True)
class Retest:
    """When to take the photos again: a window after the latest assessment, as data with its source."""

    earliest: date
    latest: date
    weeks: tuple[int, int]
    source: str

    def due(self, today: date) -> str:
        if today < self.earliest:
            return f"between {self.earliest} and {self.latest}"
        return "now" if today <= self.latest else f"now (it was due by {self.latest})"


def progress(session: Session, profile: Profile) -> Progress:
    """Everything about one profile's history, comparing its first and latest assessments."""
    summaries = assessment_summaries(session, profile)
    weeks = _weeks(session, profile, summaries)
    history = Progress(profile, summaries, series(session, profile), [], None, None, weeks)
    return compared(session, history, summaries[0].id, summaries[-1].id) if summaries else history


def compared(session: Session, history: Progress, first_id: int, latest_id: int) -> Progress:
    """The same history comparing two other assessments."""
    by_id = {s.id: s for s in history.assessments}
    first, latest = by_id[first_id], by_id[latest_id]
    changes = []
    if first.id != latest.id:
        values = _values_of(session, (first.id, latest.id))
        for mid in sorted(history.series, key=_key_order):
            unit, points = history.series[mid]
            if mid in values[first.id] and mid in values[latest.id]:
                changes.append(compare(mid, unit, points, values[first.id][mid], values[latest.id][mid]))
    return replace(history, changes=changes, first=first, latest=latest)


def profile_header(profile: Profile, assessed_on: date, examiner: str | None = None) -> ReportHeader:
    """A report's header for a profile's client: the one place a profile becomes a header, with
    the stored date of birth (left off a report of a visit dated before it: one of the two dates
    is wrong, and the header is no place to guess which)."""
    details = client_details(profile)
    born = details.birth_date if details.birth_date and details.birth_date <= assessed_on else None
    return ReportHeader(assessed_on, client=details.name, date_of_birth=born, examiner=examiner)


def view_comparisons(session: Session, history: Progress) -> list[ViewComparison]:
    """Every view either compared assessment has a thumbnail of, in the order front, sides, back."""
    first = view_thumbnails(session, history.first.id)
    latest = view_thumbnails(session, history.latest.id)
    shown = [v for v in VIEW_ORDER if v.value in first or v.value in latest]
    return [
        ViewComparison(view, _gridded(first.get(view.value)), _gridded(latest.get(view.value)),
                       tuple(c for c in history.changes if c.real and _shows(view, c.measurement)))
        for view in shown
    ]


def retest_after(taken_on: date) -> Retest:
    """The re-test window after an assessment (posture/data/follow_up.json)."""
    rule = load("follow_up.json")["retest_after_weeks"]
    weeks = (int(rule["earliest"]), int(rule["latest"]))
    return Retest(taken_on + timedelta(weeks=weeks[0]), taken_on + timedelta(weeks=weeks[1]), weeks, rule["source"])


def findings_and_corrections(session: Session, assessment_id: int) -> Summary:
    """What the stored assessment's report shows: findings, patterns, corrections, safety."""
    report = session.scalar(select(AssessmentRow.report_json).where(AssessmentRow.id == assessment_id))
    return summarize(*stored_assessment(json.loads(report)))


def _values_of(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Point]]:
    rows = session.execute(
        select(MeasurementRow.assessment_id, MeasurementRow.measurement, AssessmentRow.taken_at, MeasurementRow.value,
               MeasurementRow.uncertainty)
        .join(AssessmentRow, AssessmentRow.id == MeasurementRow.assessment_id)
        .where(MeasurementRow.assessment_id.in_(ids))
    )
    values: dict[int, dict[str, Point]] = {i: {} for i in ids}
    for aid, mid, taken, value, uncertainty in rows:
        values[aid][mid] = Point(taken, value, uncertainty)
    return values


def _gridded(jpeg: bytes | None) -> bytes | None:
    return None if jpeg is None else with_grid(jpeg)


def _shows(view: View, measurement: str) -> bool:
    known = BY_ID.get(measurement)  # a measurement saved by an older version may be gone
    return known is not None and (known.views is Views.FRONTAL) == view.is_frontal


def _key_order(measurement: str) -> tuple[int, str]:
    order = KEY_MEASUREMENTS.index(measurement) if measurement in KEY_MEASUREMENTS else len(KEY_MEASUREMENTS)
    return order, measurement


def _weeks(session: Session, profile: Profile, summaries: list[AssessmentSummary]) -> list[Week]:
    def monday(day: date) -> date:
        return date.fromordinal(day.toordinal() - day.weekday())

    assessments: dict[date, int] = {}
    for s in summaries:
        assessments[monday(s.taken_on)] = assessments.get(monday(s.taken_on), 0) + 1
    pain: dict[date, list[int]] = {}
    for day, level in session.execute(
        select(PainEntry.logged_on, PainEntry.intensity_0_10).where(PainEntry.profile_id == profile.id)
    ):
        pain.setdefault(monday(day), []).append(level)
    sessions_done: dict[date, int] = {}
    for (day,) in session.execute(select(ExerciseSession.done_on).where(ExerciseSession.profile_id == profile.id)):
        sessions_done[monday(day)] = sessions_done.get(monday(day), 0) + 1
    return [
        Week(week, assessments.get(week, 0), sum(pain[week]) / len(pain[week]) if week in pain else None,
             sessions_done.get(week, 0))
        for week in sorted({*assessments, *pain, *sessions_done})
    ]
