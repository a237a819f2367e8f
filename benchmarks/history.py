"""History speed: a profile with 5 years of weekly assessments (260) among 10,000 assessments in
the database. Times listing, trend queries and opening the Progress page, on SQLite and (when it
can start here) PostgreSQL.

    .venv/bin/python -m benchmarks.history
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from posture.analysis import Options, analyze_person
from posture.annotated import view_thumbnails
from posture.assessment.classifier import combine
from posture.history.db import open_database
from posture.history.models import AssessmentRow, MeasurementRow, Profile, ViewThumbnail
from posture.history.progress import progress
from posture.history.store import (
    assessment_summaries,
    export_csv,
    find_profile,
    list_profiles,
    present_findings,
    series,
)
from posture.presentation import report_view
from posture.records import report_json
from posture.vision.pose_model import BlazePoseEstimator

ROOT = Path(__file__).resolve().parents[1]
TOTAL, WEEKLY = 10_000, 260
MAIN_PROFILE = "A five-year client"


def fill(location: str) -> None:
    """10,000 assessments: one profile with 260 weekly, the rest over 97 other profiles."""
    analysis = analyze_person([str(ROOT / "samples" / "high_left_hip" / "front.jpg")], BlazePoseEstimator(),
                              Options())
    document = report_json(analysis)
    report, findings = json.dumps(document), json.dumps(present_findings(document))
    thumbnails = view_thumbnails(report_view(analysis).photos)
    combined = [(mid, c.measurement) for mid, c in combine((r.path, r.measurements) for r in analysis.photos).items()
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
                row = AssessmentRow(profile_id=profile.id, taken_at=start + timedelta(weeks=week),
                                    saved_at=datetime.now(),
                                 source="photos", report_json=report, findings_json=findings)
                row.thumbnails = [ViewThumbnail(view=view, jpeg=jpeg) for view, jpeg in thumbnails.items()]
                row.measurements = [MeasurementRow(measurement=mid, value=m.value + 0.01 * week,
                                                   uncertainty=m.uncertainty, unit=m.unit) for mid, m in combined]
                session.add(row)
    with sessions() as session:
        print(f"  filled: {session.query(AssessmentRow).count()} assessments, "
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
        timed("find a profile by part of its name (98 profiles)", lambda: list_profiles(session, "client 04"))
        timed("list one profile's 260 assessments (with findings)", lambda: assessment_summaries(session, profile))
        kinds = len(series(session, profile))
        timed(f"trend series of every measurement (260 x {kinds} points)", lambda: series(session, profile))
        timed("whole Progress data: changes, MDC95, weekly summary", lambda: progress(session, profile))
        timed("CSV of the 260 assessments (every stored report read)", lambda: export_csv(session, profile))


def in_browser(location: str) -> None:
    """From a click on "Progress" in the sidebar (the app already open on Assess) to the thumbnails
    and charts drawn, in Chromium; the first visit warms the server."""
    from tests.browser_support import app_server, browser_missing_reason, launch

    if browser_missing_reason():
        print(f"  in the browser: skipped ({browser_missing_reason()})")
        return
    from playwright.sync_api import sync_playwright

    with app_server(Path(location)) as url, sync_playwright() as driver:
        browser = launch(driver)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        times = []
        for _ in range(5):
            page.goto(url)
            page.get_by_text("Assess your posture").wait_for(timeout=60_000)
            started = time.perf_counter()
            page.get_by_role("link", name="Progress").click()
            page.get_by_text("What changed").wait_for(timeout=60_000)
            page.wait_for_function("Array.from(document.images).filter(i => i.src.includes('/media/')).length >= 2 "
                                   "&& Array.from(document.images).every(i => i.complete)", timeout=60_000)
            page.locator("svg.marks, canvas").first.wait_for(timeout=60_000)
            times.append(time.perf_counter() - started)
        browser.close()
    print(f"  open the Progress page in Chromium, 260 assessments: first {times[0]:.2f} s, "
          f"then median {statistics.median(times[1:]):.2f} s")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        location = str(Path(folder) / "history.sqlite")
        print("SQLite (WAL)")
        fill(location)
        measure(location)
        in_browser(location)  # the server and the browser share this machine's 2 cores
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
