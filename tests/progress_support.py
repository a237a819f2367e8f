"""A client's history for the Progress page's tests: one real analysis of a sample's front and side
photos (on the model's recorded answers) saved again and again, the hip line going from 7.8 deg
down to -2.5 deg as the physiotherapist's client did (beyond the minimal detectable change of the
sample's ±3.2 deg). Also `python -m tests.progress_support DB N` for looking at the page by hand."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from posture.analysis import Analysis, Options, analyze_person
from posture.annotated import view_thumbnails
from posture.history.db import open_database
from posture.history.models import MeasurementRow
from posture.history.store import save_assessment
from posture.presentation import report_view
from tests.replay import use_replay

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "high_left_hip"
CLIENT = "Jonas P."
HIP_FIRST, HIP_LATEST = 7.8, -2.5
FIRST_DAY = date(2026, 9, 7)


def front_and_side() -> Analysis:
    with pytest.MonkeyPatch.context() as patch:
        return analyze_person([str(SAMPLE / "front.jpg"), str(SAMPLE / "side_right.jpg")], use_replay(patch),
                              Options())


def fill_history(location: str, count: int, analysis: Analysis | None = None, name: str = CLIENT) -> list[int]:
    """`count` assessments of `name` (weekly; 4 weeks apart when two), the hip line moving evenly
    from HIP_FIRST to HIP_LATEST; their ids."""
    analysis = analysis or front_and_side()
    thumbnails = view_thumbnails(report_view(analysis).photos)
    sessions = open_database(location)
    weeks_apart = 4 if count == 2 else 1
    ids = []
    for index in range(count):
        hip = HIP_FIRST + (HIP_LATEST - HIP_FIRST) * index / max(count - 1, 1)
        ids.append(save_assessment(sessions, name, analysis, thumbnails,
                                   FIRST_DAY + timedelta(weeks=weeks_apart * index)))
        with sessions.begin() as session:
            session.execute(update(MeasurementRow).values(value=hip).where(
                MeasurementRow.assessment_id == ids[-1], MeasurementRow.measurement == "hip_tilt_deg"))
    sessions.kw["bind"].dispose()
    return ids


if __name__ == "__main__":
    print(fill_history(sys.argv[1], int(sys.argv[2]))[-1])
