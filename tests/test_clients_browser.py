"""Client records in a real browser: Debian's Chromium downloads a client's measurements as CSV
from the Progress page, and the file reads back as the stored visits.

Skipped with the reason when Chromium or Playwright is absent (.ci/run installs both).
"""

from __future__ import annotations

import csv
from datetime import date

import pytest

from posture.analysis import Options, analyze_person
from posture.history.db import open_database
from posture.history.store import CSV_COLUMNS, ClientDetails, create_profile, find_profile, save_assessment, series
from tests.browser_support import REPO, app_server, browser_missing_reason, launch, wait_until_idle
from tests.replay import use_replay

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(browser_missing_reason() is not None, reason=browser_missing_reason() or ""),
]
SAMPLE = REPO / "samples" / "forward_head"  # its side photo's neck outline is unusual: one doubted value
CLIENT = "Jonas P. <b>"
SLOW_MS = 180_000  # the machine may be shared: patience, not a speed claim


def test_the_progress_page_downloads_the_clients_measurements_as_csv(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    location = tmp_path / "history.sqlite"
    sessions = open_database(str(location))
    create_profile(sessions, ClientDetails(CLIENT, date(1981, 4, 30), 178.0))
    create_profile(sessions, ClientDetails("Bo"))
    analysis = analyze_person([str(p) for p in sorted(SAMPLE.glob("*.jpg"))], use_replay(monkeypatch), Options())
    save_assessment(sessions, "Bo", analysis, None, date(2026, 2, 1))
    for day in (date(2026, 3, 2), date(2026, 3, 30)):
        save_assessment(sessions, CLIENT, analysis, None, day)
    with sessions() as session:
        stored = series(session, find_profile(session, CLIENT))
    with app_server(location) as url, sync_playwright() as driver:
        browser = launch(driver)
        page = browser.new_page(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
        try:
            page.goto(f"{url}/progress")
            search = page.get_by_role("textbox", name="Find a profile")
            search.wait_for(timeout=SLOW_MS)
            wait_until_idle(page, timeout_s=SLOW_MS / 1000)
            search.fill("jonas")
            search.press("Enter")
            page.get_by_text("Client details: born 1981-04-30, 178 cm").wait_for(timeout=SLOW_MS)
            wait_until_idle(page, timeout_s=SLOW_MS / 1000)
            assert page.get_by_role("combobox", name="Profile").input_value() == CLIENT
            with page.expect_download(timeout=SLOW_MS) as download:
                page.get_by_role("button", name="Download the measurements (CSV)").click()
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
            wait_until_idle(page, timeout_s=SLOW_MS / 1000)
        finally:
            page.screenshot(path=str(_screenshot("progress_csv_download")), full_page=True)
            browser.close()
    assert saved.name == "posture-measurements-Jonas-P-b.csv"
    with saved.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {(r["date"], r["visit"]) for r in rows} == {("2026-03-02", "1"), ("2026-03-30", "2")}
    trusted = [r for r in rows if r["doubted"] == "no"]
    assert len(trusted) == sum(len(points) for _, points in stored.values())
    for row in trusted:
        point = next(p for p in stored[row["measurement_id"]][1] if p.taken_on.isoformat() == row["date"])
        assert float(row["value"]) == pytest.approx(point.value, abs=5e-4)
    doubted = [r for r in rows if r["doubted"] == "yes"]
    assert [r["measurement_id"] for r in doubted] == ["craniovertebral_angle_deg"] * 2
    assert all(r["cant_tell"] == "yes" and "neck is unlike those the model was fitted on" in r["note"] for r in doubted)


def _screenshot(name: str):
    folder = REPO / "out" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
