"""The app in a real browser: Debian's Chromium, a real Streamlit server, the real model.

Skipped with the reason when Chromium or Playwright is absent (.ci/run installs both).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from posture.analysis import Options, analyze_person
from posture.vision.landmarks import Landmark
from tests.browser_support import REPO, app_server, browser_missing_reason, launch, write_y4m

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(browser_missing_reason() is not None, reason=browser_missing_reason() or ""),
]
SAMPLE = REPO / "samples" / "high_left_hip"
MEDIA_IMAGES_LOADED = (
    "Array.from(document.images).filter(i => i.src.includes('/media/')).length >= {n} && "
    "Array.from(document.images).filter(i => i.src.includes('/media/')).every(i => i.complete && i.naturalWidth > 0)"
)


@pytest.fixture(scope="module")
def history_db(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("history") / "history.sqlite"


@pytest.fixture(scope="module")
def server(history_db):
    with app_server(history_db) as url:
        yield url


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def page(playwright, server, request):
    browser = launch(playwright)
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    media = []
    page.on("response", lambda r: media.append(r.status) if "/media/" in r.url else None)
    page.goto(server)
    page.get_by_text("Assess your posture").wait_for(timeout=60_000)
    yield page, media
    page.screenshot(path=str(_screenshot_path(request.node.name)), full_page=True)
    browser.close()


def _screenshot_path(name: str) -> Path:
    folder = REPO / "out" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


def _upload_and_analyse(page, photos: list[Path], images: int | None = None) -> float:
    inputs = page.locator("input[type=file]")
    inputs.first.wait_for(state="attached")
    started = time.monotonic()
    for index, photo in enumerate(photos):
        inputs.nth(index).set_input_files(str(photo))
        # Each upload reruns the page: wait until it lists the file, or the next upload can land
        # on an input that is being replaced and be lost.
        page.get_by_text(photo.name, exact=True).first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Analyse").click()
    page.get_by_role("heading", name="Fix a point by hand").wait_for(timeout=120_000)
    page.wait_for_function(MEDIA_IMAGES_LOADED.format(n=len(photos) if images is None else images), timeout=60_000)
    return time.monotonic() - started


def _degrees(text: str) -> float:
    return float(re.search(r": ([+-][\d.]+) ±", text).group(1))


def _hip_tilt_text(page) -> str:
    return page.get_by_text(re.compile(r"Hip line tilt \(lateral pelvic tilt\): [+-]")).first.inner_text()


def test_two_photos_show_annotated_images_findings_and_corrections(page):
    page, media = page
    seconds = _upload_and_analyse(page, [SAMPLE / "front.jpg", SAMPLE / "side_right.jpg"])
    print(f"upload to result: {seconds:.1f} s")
    assert page.get_by_role("heading", name=re.compile("Left hip higher than right")).is_visible()
    assert page.get_by_text("Stretch quadratus lumborum (left)").is_visible()
    assert page.get_by_text("not a diagnosis").first.is_visible()
    assert media and all(status == 200 for status in media)  # every image really served


def test_clicking_a_hip_point_changes_the_measurement(page, estimator):
    page, _ = page
    photo = SAMPLE / "front.jpg"
    _upload_and_analyse(page, [photo])
    before = _hip_tilt_text(page)
    results, _ = analyze_person([str(photo)], estimator, Options())
    hip_x, hip_y = results[0].landmarks.point(Landmark.LEFT_HIP)
    choose = page.get_by_role("combobox", name="Point")
    choose.click()
    choose.fill("left_hip")
    page.keyboard.press("Enter")
    picture = page.frame_locator("iframe[title*='streamlit_image_coordinates']").locator("img")
    scale = picture.bounding_box()["width"] / results[0].image_size[0]
    picture.click(position={"x": hip_x * scale, "y": (hip_y - 30) * scale})  # the left hip 30 px higher
    page.get_by_text("Placed by hand on this photo: left_hip.").wait_for(timeout=60_000)
    after = _hip_tilt_text(page)
    assert _degrees(after) > _degrees(before) + 2, (before, after)


def test_a_file_that_is_not_a_photo_gets_a_message_and_the_app_goes_on(page, tmp_path):
    page, _ = page
    fake = tmp_path / "holiday.jpg"
    fake.write_text("not a photo")
    _upload_and_analyse(page, [fake, SAMPLE / "side_right.jpg"], images=1)
    assert page.get_by_text("(holiday.jpg) is not an image this tool can read").is_visible()
    assert page.get_by_role("heading", name="side photo (side_right.jpg)").is_visible()


def test_live_session_from_a_clip_tracks_and_captures_an_assessment(playwright, server, tmp_path):
    clip = write_y4m(SAMPLE / "front.jpg", tmp_path / "clip.y4m")
    browser = launch(playwright, webcam_clip=clip)
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, permissions=["camera"])
    page = context.new_page()
    try:
        page.goto(f"{server}/live")
        page.get_by_role("heading", name="Live check").wait_for(timeout=60_000)
        webrtc = page.frame_locator("iframe[title*='streamlit_webrtc']")
        webrtc.get_by_role("button", name="START").click(timeout=60_000)
        status = page.get_by_text(re.compile(r"frames processed"))
        status.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => { const m = document.body.innerText.match(/(\\d+) frames processed/); return m && +m[1] >= 150; }",
            timeout=60_000,
        )
        text = status.inner_text()
        fps = float(re.search(r"(\d+) frames/s", text).group(1))
        print(f"live: {text}")
        assert fps >= 15, text
        assert "Shoulder line tilt" in text and "Hip line tilt" in text
        page.get_by_role("button", name="Hold still: capture an assessment").click()
        page.get_by_role("heading", name="Hold-still capture").wait_for(timeout=90_000)
        page.get_by_text(re.compile("Left hip higher than right")).first.wait_for(timeout=30_000)
    finally:
        page.screenshot(path=str(_screenshot_path("live_session")), full_page=True)
        browser.close()


def test_progress_page_shows_thumbnails_changes_and_charts(playwright, server, history_db):
    for day in ("2026-03-02", "2026-03-30"):
        saved = subprocess.run([sys.executable, "-m", "posture", "analyze", str(SAMPLE / "front.jpg"), "--save",
                                "--profile", "Browser <b>test</b>", "--taken-at", day, "--db", str(history_db)],
                               capture_output=True, text=True, timeout=300)
        assert saved.returncode == 0, saved.stderr
    browser = launch(playwright)
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    media = []
    page.on("response", lambda r: media.append(r.status) if "/media/" in r.url else None)
    try:
        started = time.monotonic()
        page.goto(f"{server}/progress")
        page.get_by_text("What changed, 2026-03-02 → 2026-03-30").wait_for(timeout=60_000)
        page.wait_for_function(MEDIA_IMAGES_LOADED.format(n=2), timeout=60_000)
        page.locator("canvas, svg.marks").first.wait_for(timeout=60_000)  # a trend chart drawn
        print(f"progress page: {time.monotonic() - started:.1f} s to thumbnails and charts")
        # The name stays text, never markup.
        assert page.get_by_role("combobox", name="Profile").input_value() == "Browser <b>test</b>"
        assert media and all(status == 200 for status in media)
    finally:
        page.screenshot(path=str(_screenshot_path("progress_page")), full_page=True)
        browser.close()
