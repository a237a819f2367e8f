"""History speed: a profile with 5 years of weekly assessments (260) among 10,000 assessments in
the database. Times listing, trend queries and opening the Progress page, on SQLite and (when it
can start here) PostgreSQL.

    .venv/bin/python -m benchmarks.history
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from posture.analysis import Options, analyze_person
from posture.assessment.classifier import combine
from posture.history.db import open_database
from posture.history.models import Assessment, MeasurementRow, Profile
from posture.history.progress import progress
from posture.history.store import _thumbnail, assessment_summaries, find_profile, list_profiles, series
from posture.report import report_json
from posture.vision.pose_model import BlazePoseEstimator

ROOT = Path(__file__).resolve().parents[1]
TOTAL, WEEKLY = 10_000, 260
MAIN_PROFILE = "A five-year client"


def fill(location: str) -> None:
    """10,000 assessments: one profile with 260 weekly, the rest over 97 other profiles."""
    results, assessment = analyze_person([str(ROOT / "samples" / "high_left_hip" / "front.jpg")],
                                         BlazePoseEstimator(), Options())
    report = json.dumps(report_json(results, assessment))
    thumbnail = _thumbnail(results, assessment)
    combined = [(mid, c.measurement) for mid, c in combine((r.path, r.measurements) for r in results).items()
                if c.measurement.measured]
    sessions = open_database(location)
    names = [MAIN_PROFILE] + [f"Client {i:03d}" for i in range(97)]
    per_other = (TOTAL - WEEKLY) // (len(names) - 1) + 1
    start = date(2021, 1, 4)
    with sessions.begin() as session:
        made = 0
        for index, name in enumerate(names):
            profile = Profile(name=name, notes="", store_photos=False, created_at=datetime.now())
            session.add(profile)
            session.flush()
            count = WEEKLY if index == 0 else min(per_other, TOTAL - WEEKLY - made)
            made += 0 if index == 0 else count
            for week in range(count):
                row = Assessment(profile_id=profile.id, taken_at=start + timedelta(weeks=week), saved_at=datetime.now(),
                                 source="photos", report_json=report, thumbnail_jpeg=thumbnail)
                row.measurements = [MeasurementRow(measurement=mid, value=m.value + 0.01 * week,
                                                   uncertainty=m.uncertainty, unit=m.unit) for mid, m in combined]
                session.add(row)
    with sessions() as session:
        print(f"  filled: {session.query(Assessment).count()} assessments, "
              f"{session.query(MeasurementRow).count()} measurement rows, {len(names)} profiles")


def timed(label: str, action, repeats: int = 7) -> None:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(1000 * (time.perf_counter() - started))
    print(f"  {label:55s} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms")


def measure(location: str) -> None:
    sessions = open_database(location)
    with sessions() as session:
        profile = find_profile(session, MAIN_PROFILE)
        timed("list profiles (98, with counts and latest date)", lambda: list_profiles(session))
        timed("list one profile's 260 assessments (with findings)", lambda: assessment_summaries(session, profile))
        kinds = len(series(session, profile))
        timed(f"trend series of every measurement (260 x {kinds} points)", lambda: series(session, profile))
        timed("whole Progress data: changes, MDC95, weekly summary", lambda: progress(session, profile))
    os.environ["POSTURE_DB"] = location
    from streamlit.testing.v1 import AppTest

    def open_page():
        page = AppTest.from_function(_progress_page, default_timeout=60).run()
        assert not page.exception, page.exception
    timed("open the Progress page (Streamlit script run, 4 charts)", open_page, repeats=5)


def _progress_page():
    from posture.ui.progress import page

    page()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        location = str(Path(folder) / "history.sqlite")
        print("SQLite (WAL)")
        fill(location)
        measure(location)
    from tests.history_support import new_postgres_database, postgres_server

    with postgres_server() as server:
        if server is None:
            print("PostgreSQL: could not start here, skipped")
            return
        print("PostgreSQL (local server)")
        location = new_postgres_database(server)
        fill(location)
        measure(location)


if __name__ == "__main__":
    main()
