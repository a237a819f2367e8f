"""The app in a real browser: Debian's Chromium, a real Streamlit server, the real model.

Skipped with the reason when Chromium or Playwright is absent (.ci/run installs both).
"""

from __future__ import annotations

import html
import io
import math
import random
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from posture.analysis import Options, analyze_person
from posture.assessment.corrections import exercise_title
from posture.data_files import load
from posture.history.charts import LINE_COLOUR
from posture.ui.zoom import DEFAULT_ZOOM, ZOOM_LEVELS, ZoomWindow
from posture.vision.landmarks import Landmark
from tests.browser_support import (
    REPO,
    app_server,
    browser_missing_reason,
    launch,
    seen_texts,
    wait_until_idle,
    watch_texts,
    write_y4m,
)
from tests.progress_support import fill_history

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(browser_missing_reason() is not None, reason=browser_missing_reason() or ""),
]
SAMPLE = REPO / "samples" / "high_left_hip"
PLOT_HEIGHT_PX = 180  # posture.history.charts.trend_chart's
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
        page.get_by_text(photo.name, exact=True).first.wait_for(timeout=60_000)
    # A click on a button the last upload's rerun is replacing can be lost: click once it is idle.
    wait_until_idle(page)
    page.get_by_role("button", name="Analyse").click()
    page.get_by_role("heading", name="Fix a point by hand").wait_for(timeout=120_000)
    page.wait_for_function(MEDIA_IMAGES_LOADED.format(n=len(photos) if images is None else images), timeout=60_000)
    return time.monotonic() - started


def _degrees(text: str) -> float:
    return float(re.search(r": ([+-][\d.]+) ±", text).group(1))


def _hip_tilt_text(page) -> str:
    return page.get_by_text(re.compile(r"Hip line tilt \(lateral pelvic tilt\): [+-]")).first.inner_text()


HIP_FINDING = "Left hip higher than right (lateral pelvic tilt)"
PAIN_SLIDER = "How much (0 = none, 10 = worst imaginable)?"


def _hip_finding(page) -> tuple[str, str, str, str]:
    """The hip finding as the page states it: (severity, confidence, measurement, evidence) from
    'Moderate, 93% sure it is outside the usual range. Hip line tilt (lateral pelvic tilt): +7.6 ± 3.2 deg
    (usual: below +3 deg).'"""
    heading = page.get_by_role("heading", name=re.compile(re.escape(HIP_FINDING)))
    assert heading.count() == 1, heading.all_inner_texts()  # one finding, one headline
    text = _hip_tilt_text(page)
    found = re.fullmatch(
        r"(\w+), (\d+%) sure it is outside the usual range\. (Hip line tilt[^:]*): "
        r"([+-][\d.]+ ± [\d.]+ deg \(usual: [^)]*\))\.", text.strip()
    )
    assert found, text
    return found.groups()


def test_two_photos_show_annotated_images_findings_and_corrections(page):
    page, media = page
    seconds = _upload_and_analyse(page, [SAMPLE / "front.jpg", SAMPLE / "side_right.jpg"])
    print(f"upload to result: {seconds:.1f} s")
    assert page.get_by_role("heading", name=re.compile("Left hip higher than right")).is_visible()
    assert page.get_by_text("Strengthen (left): Side-lying leg lift (gluteus medius)").first.is_visible()
    assert page.get_by_text("not a diagnosis").first.is_visible()
    summary = page.get_by_role("heading", name="In short").bounding_box()
    plan = page.get_by_text("Your plan.").bounding_box()
    first_photo = page.locator('[data-testid="stExpander"] img').first.bounding_box()  # not a plan picture
    assert summary["y"] < plan["y"] < first_photo["y"]  # what matters and the plan come before the details
    assert media and all(status == 200 for status in media)  # every image really served


PHONE = {"width": 390, "height": 844}
MAIN = "document.querySelector('section[data-testid=stMain]')"


def _top_in_page(page, locator) -> float:
    """Where an element starts on the page (Streamlit scrolls its main section, not the window)."""
    return locator.first.evaluate(f"e => e.getBoundingClientRect().top + {MAIN}.scrollTop")


@pytest.mark.parametrize("sample", ["high_left_hip", "forward_head", "anterior_tilt", "neutral"])
def test_on_a_phone_the_summary_and_plan_come_first_and_nothing_is_cut_off(playwright, server, sample):
    """Each sample person, front and side, at 390 px: "In short" starts within about the first
    screen (the photos fold away once analysed), the plan (or what was found) comes before the
    details, the side photo carries no cut-off warning (a profile's far leg is hidden, not cut off),
    and neither the page nor the click-to-place photo is wider than the screen."""
    browser = launch(playwright)
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(server)
        page.get_by_text("Assess your posture").wait_for(timeout=60_000)
        folder = REPO / "samples" / sample
        _upload_and_analyse(page, [folder / "front.jpg", folder / "side_right.jpg"])
        wait_until_idle(page)
        summary = _top_in_page(page, page.get_by_role("heading", name="In short"))
        details = _top_in_page(page, page.get_by_role("heading", name="Details"))
        assert summary < 1.1 * PHONE["height"], summary
        if page.get_by_text("Your plan.").count():
            assert summary < _top_in_page(page, page.get_by_text("Your plan.")) < details
        text = page.locator("[data-testid=stMain]").text_content()  # folded sections too
        assert "cut off" not in text and "Part of the body is" not in text
        assert page.evaluate(f"{MAIN}.scrollWidth") <= PHONE["width"]
        picture = page.frame_locator("iframe[title*='streamlit_image_coordinates']").locator("img")
        box = picture.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    finally:
        page.screenshot(path=str(_screenshot_path(f"phone_{sample}")), full_page=True)
        browser.close()


def test_a_new_photo_marks_the_results_stale_until_analysed(page):
    page, _ = page
    _upload_and_analyse(page, [SAMPLE / "front.jpg"])
    assert page.get_by_role("heading", name=re.compile(re.escape(HIP_FINDING))).count() == 1
    page.get_by_text("Your photos: change or add one").click()
    page.locator("input[type=file]").first.set_input_files(str(REPO / "samples" / "neutral" / "front.jpg"))
    page.get_by_text("The photos have changed since they were analysed").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert page.get_by_role("heading", name=re.compile(re.escape(HIP_FINDING))).count() == 0
    assert page.get_by_role("heading", name="In short").count() == 0
    page.get_by_role("button", name="Analyse").click()
    page.get_by_role("heading", name="In short").wait_for(timeout=120_000)
    wait_until_idle(page)
    assert page.get_by_text("The photos have changed").count() == 0
    assert page.get_by_role("heading", name=re.compile(re.escape(HIP_FINDING))).count() == 0  # the new person's


def _choose_point(page, words: str) -> None:
    """Choose a point by the start of its name in words ("left hip", "C7")."""
    _choose_option(page.get_by_role("combobox", name="Point"), words)
    wait_until_idle(page)


def _choose_option(combobox, typed: str, option: str | None = None) -> None:
    """Type into a select box and click the option (the first one left when `option` is None).
    Keys typed one by one open the filtered list (fill() may not), and pressing Enter could come
    before the list does: both lost the choice now and then."""
    combobox.click()
    combobox.press_sequentially(typed, delay=30)
    options = combobox.page.get_by_role("option")
    (options.first if option is None else options.filter(has_text=option).first).click()
    assert option is None or combobox.input_value() == option


def _raise_left_hip_by_hand(page, result) -> None:
    """Choose the left hip on the whole photo and click 30 px above where the model put it."""
    hip_x, hip_y = result.landmarks.point(Landmark.LEFT_HIP)
    _choose_point(page, "left hip")
    page.get_by_text("Whole photo", exact=True).click()
    wait_until_idle(page)
    picture = page.frame_locator("iframe[title*='streamlit_image_coordinates']").locator("img")
    scale = picture.bounding_box()["width"] / result.image_size[0]
    picture.click(position={"x": hip_x * scale, "y": (hip_y - 30) * scale})
    page.get_by_text("Placed by hand on this photo: left hip.").wait_for(timeout=60_000)


def test_clicking_a_hip_point_changes_the_measurement(page, estimator):
    page, _ = page
    photo = SAMPLE / "front.jpg"
    _upload_and_analyse(page, [photo])
    before = _hip_tilt_text(page)
    results = analyze_person([str(photo)], estimator, Options()).photos
    _raise_left_hip_by_hand(page, results[0])
    after = _hip_tilt_text(page)
    assert _degrees(after) > _degrees(before) + 2, (before, after)


def test_examiner_mode_places_c7_on_the_zoomed_view_and_the_report_lists_it(page, estimator):
    """The side photo: C7 chosen by its name in words, a click on the zoomed view 12 px behind and
    10 px below where the pose model puts it; the point lands there (within 2 px: the page rounds
    it) and the photo's details now list it as placed by hand, the rest as estimated."""
    page, _ = page
    photo = SAMPLE / "side_right.jpg"
    _upload_and_analyse(page, [photo])
    assert page.get_by_text("Bony points:").count() == 0  # the marker-free path lists nothing
    result = analyze_person([str(photo)], estimator, Options()).photos[0]
    c7 = result.points["c7"].xy_px
    target = (c7[0] - 12.0 * result.view.facing_x, c7[1] + 10.0)
    _choose_point(page, "C7")
    assert page.get_by_text("Where to click: The back of the neck").is_visible()
    window = ZoomWindow.around(c7, result.image_size, ZOOM_LEVELS[DEFAULT_ZOOM])
    picture = page.frame_locator("iframe[title*='streamlit_image_coordinates']").locator("img")
    x, y = window.to_view(target, picture.bounding_box()["width"])
    picture.click(position={"x": x, "y": y})
    listed = page.get_by_text(re.compile(r"Placed by hand: C7 at \(\d+, \d+\)"))
    listed.wait_for(timeout=60_000)
    where = tuple(map(float, re.search(r"C7 at \((\d+), (\d+)\)", listed.inner_text()).groups()))
    assert math.dist(where, target) <= 2.0, (where, target)
    page.get_by_text("Bony points: placed by hand: C7; estimated from the pose model: tragus, acromion, ASIS, "
                     "PSIS, trochanter.").wait_for(timeout=10_000)
    page.get_by_role("heading", name="Fix a point by hand").scroll_into_view_if_needed()


def test_examiner_mode_at_phone_width_fits_the_screen(playwright, server):
    """At 390 px the chooser, the zoomed view and the list stack; the zoomed view fills the width
    (a finger lands within a few photo pixels) and nothing is wider than the screen."""
    browser = launch(playwright)
    page = browser.new_page(viewport=PHONE, is_mobile=True)
    try:
        page.goto(server)
        page.get_by_text("Assess your posture").wait_for(timeout=60_000)
        _upload_and_analyse(page, [SAMPLE / "side_right.jpg"])
        _choose_point(page, "ASIS")
        picture = page.frame_locator("iframe[title*='streamlit_image_coordinates']").locator("img")
        box = picture.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["width"] >= 300, box
        assert page.evaluate(f"{MAIN}.scrollWidth") <= PHONE["width"]
        picture.scroll_into_view_if_needed()
    finally:
        page.screenshot(path=str(_screenshot_path("phone_examiner")))
        browser.close()


def test_the_pdf_report_downloads_with_the_chosen_client_and_renders(page, history_db):
    """The client is chosen from the profiles (none by default), the examiner typed; the PDF the
    button hands over is a real PDF whose pages say them, the findings and the photos."""
    from posture.history.db import open_database
    from posture.history.store import get_or_create_profile
    from tests.pdf_support import all_text, read_pdf

    with open_database(str(history_db)).begin() as session:
        get_or_create_profile(session, "Zoë PDF-Client")
    page, _ = page
    page.reload()
    wait_until_idle(page)  # a run that ends while the list is open closes it
    page.get_by_text("On the report (optional): client and examiner").click()
    client = page.get_by_role("combobox", name="Client (a profile)")
    _choose_option(client, "Zoë PDF", "Zoë PDF-Client")
    wait_until_idle(page)
    examiner = page.get_by_role("textbox", name="Examiner")
    examiner.fill("Dr. Ana Müller")
    examiner.press("Enter")
    wait_until_idle(page)
    _upload_and_analyse(page, [SAMPLE / "front.jpg", SAMPLE / "side_right.jpg"])
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download the report (PDF)").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    assert download.value.suggested_filename == f"posture-report-Zoe-PDF-Client-{date.today()}.pdf"  # whose, which day
    pages = read_pdf(data)
    assert 2 <= len(pages) <= 6
    assert "Client Zoë PDF-Client" in pages[0].text and "Examiner Dr. Ana Müller" in pages[0].text
    assert HIP_FINDING in all_text(pages)
    assert sum(len(p.images) for p in pages) >= 2  # the two annotated photos


def test_a_file_that_is_not_a_photo_gets_a_message_and_the_app_goes_on(page, tmp_path):
    page, _ = page
    fake = tmp_path / "holiday.jpg"
    fake.write_text("not a photo")
    _upload_and_analyse(page, [fake, SAMPLE / "side_right.jpg"], images=1)
    assert page.get_by_text("holiday.jpg is not an image this tool can read").is_visible()
    assert page.get_by_text("side photo (side_right.jpg): side right view").is_visible()


def test_each_refused_file_says_why_at_once_and_the_results_stay(page, tmp_path):
    """A wrong kind of file, a damaged photo and a thumbnail, each dropped into the back slot after
    the analysis: each is named with why and what to do as soon as it is chosen (no Analyse), no
    red tile without a reason, and the results of the photos already analysed stay on screen."""
    from PIL import Image

    page, _ = page
    _upload_and_analyse(page, [SAMPLE / "front.jpg", SAMPLE / "side_right.jpg"])
    good = SAMPLE / "front.jpg"
    damaged = tmp_path / "damaged.jpg"
    damaged.write_bytes(good.read_bytes()[:2000])
    tiny = tmp_path / "thumbnail.png"
    Image.new("RGB", (60, 90), (200, 180, 160)).save(tiny)
    gif = tmp_path / "holiday.gif"
    Image.new("RGB", (400, 600)).save(gif)
    expected = {gif: "holiday.gif: a .gif file is not a photo this app reads. Use a JPEG",
                damaged: "damaged.jpg is damaged or incomplete",
                tiny: "thumbnail.png is only 60x90 pixels"}
    page.get_by_text("Your photos: change or add one").click()
    for file, message in expected.items():
        page.locator("input[type=file]").nth(2).set_input_files(str(file))
        error = page.get_by_text(re.compile(re.escape(message)))
        error.wait_for(timeout=30_000)
        wait_until_idle(page)
        assert "Back photo" in error.inner_text() and "The other photos are kept." in error.inner_text()
        assert page.get_by_role("heading", name="In short").is_visible()  # the results stay
        assert page.get_by_role("heading", name=re.compile(re.escape(HIP_FINDING))).count() == 1


def _go_to(page, title: str) -> None:
    """Another page through the sidebar's menu (opened first on a phone): the same session, as a
    person moves between pages (a new URL would start a new session)."""
    opener = page.get_by_test_id("stExpandSidebarButton")
    if opener.is_visible():
        opener.click()
    page.locator("[data-testid=stSidebarNav] a", has_text=title).click()
    wait_until_idle(page)


def test_leaving_the_page_and_coming_back_keeps_photos_inputs_points_and_results(page, estimator):
    """Assess -> Progress -> Live check -> Assess: the photos, the height, the pain, a red flag
    and a point placed by hand are all still there, and so the same results (Streamlit drops the
    state of widgets not on the current page)."""
    page, _ = page
    _upload_and_analyse(page, [SAMPLE / "front.jpg", SAMPLE / "side_right.jpg"])
    page.get_by_text("About you (optional): height and pain").click()
    height = page.get_by_role("spinbutton", name="Height (cm)")
    height.fill("172")
    height.press("Enter")
    wait_until_idle(page)
    slider = page.get_by_role("slider", name=PAIN_SLIDER)
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    wait_until_idle(page)
    results = analyze_person([str(SAMPLE / "front.jpg")], estimator, Options()).photos
    _raise_left_hip_by_hand(page, results[0])
    page.get_by_text("pain after a fall, accident or other trauma").first.click()
    wait_until_idle(page)
    before = page.locator("[data-testid=stMain]").inner_text()
    assert "You ticked a red flag (pain after a fall" in before and " cm" in _hip_tilt_text(page)

    _go_to(page, "Progress")
    _go_to(page, "Live check")
    _go_to(page, "Assess")
    page.get_by_role("heading", name="In short").wait_for(timeout=60_000)
    page.wait_for_function(MEDIA_IMAGES_LOADED.format(n=2), timeout=60_000)
    page.get_by_text("Your photos: change or add one").click()  # folded away since the analysis
    page.get_by_text("Kept: side photo (side_right.jpg)").wait_for()
    after = page.locator("[data-testid=stMain]").inner_text()
    assert "photos have changed" not in after
    assert "Kept: front photo (front.jpg)" in after
    assert "Placed by hand on this photo: left hip." in after
    page.get_by_text("About you (optional): height and pain").click()
    assert page.get_by_role("spinbutton", name="Height (cm)").input_value() == "172"
    assert page.get_by_role("slider", name=PAIN_SLIDER).input_value() == "3"
    assert page.get_by_role("checkbox", name="pain after a fall, accident or other trauma").is_checked()
    assert _hip_tilt_text(page) == _hip_tilt_text_in(before)


def _hip_tilt_text_in(text: str) -> str:
    return next(line for line in text.splitlines() if re.search(r"Hip line tilt \(lateral pelvic tilt\): [+-]", line))


def test_leaving_during_the_analysis_keeps_it(page):
    """Analyse, then at once to another page: coming back shows the results (the analysis
    finishes in the session)."""
    page, _ = page
    inputs = page.locator("input[type=file]")
    for index, photo in enumerate([SAMPLE / "front.jpg", SAMPLE / "side_right.jpg"]):
        inputs.nth(index).set_input_files(str(photo))
        page.get_by_text(photo.name, exact=True).first.wait_for(timeout=30_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Analyse").click()
    page.get_by_text("Finding the body and measuring").wait_for(timeout=10_000)
    page.locator("[data-testid=stSidebarNav] a", has_text="Progress").click()
    wait_until_idle(page, timeout_s=120)
    _go_to(page, "Assess")
    page.get_by_role("heading", name="In short").wait_for(timeout=60_000)
    assert page.get_by_role("heading", name=re.compile(re.escape(HIP_FINDING))).count() == 1
    assert "photos have changed" not in page.locator("[data-testid=stMain]").inner_text()


def _start_live(page, server: str, frames: int, timeout_ms: int):
    """Open the live page, start the (fake) camera and wait until `frames` frames were processed;
    returns the WebRTC component's frame."""
    page.goto(f"{server}/live")
    page.get_by_role("heading", name="Live check").wait_for(timeout=60_000)
    webrtc = page.frame_locator("iframe[title*='streamlit_webrtc']")
    webrtc.get_by_role("button", name="START").click(timeout=60_000)
    page.wait_for_function(
        "(n) => { const m = document.body.innerText.match(/(\\d+) frames processed/); return m && +m[1] >= n; }",
        arg=frames, timeout=timeout_ms,
    )
    return webrtc


def test_live_session_from_a_clip_tracks_and_captures_an_assessment(playwright, server, tmp_path):
    clip = write_y4m(SAMPLE / "front.jpg", tmp_path / "clip.y4m")
    browser = launch(playwright, webcam_clip=clip)
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, permissions=["camera"])
    page = context.new_page()
    try:
        _start_live(page, server, frames=150, timeout_ms=60_000)
        status = page.get_by_text(re.compile(r"frames processed"))
        text = status.inner_text()
        # The frame rate is printed, not asserted: it depends on what else the machine runs (13
        # frames/s alone here, 9 beside a benchmark); `python -m benchmarks.live` measures it.
        assert re.search(r"(\d+) frames/s", text), text
        print(f"live: {text}")
        assert "Shoulder line tilt" in text and "Hip line tilt" in text
        page.get_by_role("button", name="Hold still: capture an assessment").click()
        page.get_by_role("heading", name="Hold-still capture").wait_for(timeout=90_000)
        page.get_by_text(re.compile("Left hip higher than right")).first.wait_for(timeout=30_000)
    finally:
        page.screenshot(path=str(_screenshot_path("live_session")), full_page=True)
        browser.close()


def test_live_page_at_phone_width_and_a_capture_left_midway(playwright, server, tmp_path):
    """At 390 px: the video fits the screen, the countdown is on a band below the picture (the
    frame comes back taller than the camera's), and a hold-still capture left for another page
    is said to have stopped on coming back, not lost silently."""
    clip = write_y4m(SAMPLE / "front.jpg", tmp_path / "clip.y4m")
    browser = launch(playwright, webcam_clip=clip)
    context = browser.new_context(viewport={"width": 390, "height": 844}, permissions=["camera"])
    page = context.new_page()
    try:
        webrtc = _start_live(page, server, frames=10, timeout_ms=120_000)
        video = webrtc.locator("video")
        size = video.evaluate("v => [v.videoWidth, v.videoHeight, v.getBoundingClientRect().width]")
        assert size[0] == 640 and size[1] > 480, size  # the status band is added below the camera's 640x480
        assert size[2] <= 390, size
        page.get_by_role("button", name="Hold still: capture an assessment").click()
        time.sleep(1.5)  # mid-countdown
        video.screenshot(path=str(_screenshot_path("live_phone_countdown")))
        _go_to(page, "Assess")
        _go_to(page, "Live check")
        page.get_by_text("The hold-still capture stopped before it was done").wait_for(timeout=60_000)
    finally:
        page.screenshot(path=str(_screenshot_path("live_phone")), full_page=True)
        browser.close()


def test_progress_page_shows_thumbnails_changes_and_charts(playwright, server, history_db):
    from tests.pdf_support import all_text, read_pdf

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
        page.wait_for_function(MEDIA_IMAGES_LOADED.format(n=1), timeout=60_000)  # both fronts joined in one
        page.locator("canvas, svg.marks").first.wait_for(timeout=60_000)  # a trend chart drawn
        print(f"progress page: {time.monotonic() - started:.1f} s to thumbnails and charts")
        # The name stays text, never markup.
        assert page.get_by_role("combobox", name="Profile").input_value() == "Browser <b>test</b>"
        assert media and all(status == 200 for status in media)
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="Download the progress report (PDF)").click()
        text = all_text(read_pdf(Path(download.value.path()).read_bytes()))
        assert "Client Browser <b>test</b>" in text
        assert "First and latest assessment: 2026-03-02 and 2026-03-30" in text
    finally:
        page.screenshot(path=str(_screenshot_path("progress_page")), full_page=True)
        browser.close()


@pytest.mark.parametrize("count", [1, 260])
def test_progress_page_with_one_and_with_260_assessments_every_view_and_charts_not_flat(playwright, tmp_path, count):
    """The physiotherapist's client (hip line 7.8 -> -0.7 deg): at desktop and phone width, every
    saved view's thumbnail is shown and each trend chart keeps its plot height; with 260 visits the
    hip line's drawn line spans much of it (it once collapsed to a flat line in the app)."""
    history = tmp_path / "history.sqlite"
    fill_history(str(history), count)
    browser = launch(playwright)
    try:
        with app_server(history) as url:
            for width in (1400, 390):
                # Tall enough for the whole page: Streamlit scrolls inside its own container.
                page = browser.new_page(viewport={"width": width, "height": 3800 if width > 1000 else 6000})
                page.goto(f"{url}/progress")
                page.get_by_role("heading", name="Next").wait_for(timeout=60_000)
                page.wait_for_function(MEDIA_IMAGES_LOADED.format(n=1 if count == 1 else 2), timeout=60_000)
                charts = page.locator(".vega-embed")
                page.wait_for_function("document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length >= 4",
                                       timeout=60_000)
                wait_until_idle(page)
                page.screenshot(path=str(_screenshot_path(f"progress_{count}_at_{width}px")), full_page=True)
                for caption in ("front | right side",) if count == 1 else ("Front", "Right side"):
                    assert page.get_by_text(caption, exact=True).first.is_visible(), caption
                heights = [charts.nth(i).bounding_box()["height"] for i in range(charts.count())]
                assert len(heights) == 4 and min(heights) >= PLOT_HEIGHT_PX, heights  # no chart squeezed
                drawn = _line_rows(charts.nth(0).screenshot())  # the hip line chart comes first
                assert drawn.max() - drawn.min() > (0.35 * PLOT_HEIGHT_PX if count > 1 else 0), (width, drawn)
                page.close()
    finally:
        browser.close()


def _line_rows(png: bytes) -> np.ndarray:
    """The pixel rows where the chart's line colour is drawn (its dots and line)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int32)
    target = np.array([int(LINE_COLOUR[i:i + 2], 16) for i in (1, 3, 5)])
    rows = np.nonzero((np.abs(pixels - target).sum(axis=2) < 40).any(axis=1))[0]
    assert rows.size, "the line colour is nowhere in the chart"
    return rows


def test_arrow_keys_on_the_pain_slider_never_change_a_finding(page):
    """Quick bursts of arrow keys on the pain slider start script runs on top of unfinished ones
    (Streamlit's fast reruns: a new run starts at once, the old one stops at its next st call).
    That once calibrated the hip line twice ('Marked ... +9.4 ± 1.0 deg' instead of 'Moderate ...
    +7.8 ± 1.3') when two runs measured the same photo together. Pain never changes a finding:
    after every burst the hip finding reads as before, no run showed another even for a moment,
    and the HTML report downloaded at the end says the same.

    Presses 30-120 ms apart hit the race far more often than presses sent back to back (which the
    server mostly cancels before they measure anything): on the code before the refactor about one
    such burst in five ran two measurements together, against one in twenty back to back, and this
    test (then with 12 bursts) failed there in 5 of 6 runs, mostly within its first 6 bursts."""
    page, _ = page
    _upload_and_analyse(page, [SAMPLE / "front.jpg", SAMPLE / "side_right.jpg"])
    wait_until_idle(page)
    before = _hip_finding(page)
    assert before[0] == "Moderate" and before[3].startswith("+7.6 ± 3.2 deg"), before  # the sample's known answer

    severity, confidence, measurement, evidence = before
    # Every hip headline ever on the page, also one drawn for a moment by a run a newer one cut short.
    watch_texts(page, r"\w+, \d+% sure it is outside the usual range\. Hip line tilt \(lateral pelvic tilt\): "
                      r"[+-][\d.]+ ± [\d.]+ deg")
    headline = f"{severity}, {confidence} sure it is outside the usual range. {measurement}: {evidence.split(' (')[0]}"
    assert seen_texts(page) == [headline]

    page.get_by_text("About you (optional): height and pain").click()
    slider = page.get_by_role("slider", name=PAIN_SLIDER)
    slider.focus()
    rng = random.Random(12)
    level, settled = 0, []
    for burst in range(16):
        presses = rng.randint(4, 6)
        key = "ArrowRight" if level + presses <= 10 and (level < 5 or rng.random() < 0.5) else "ArrowLeft"
        for _ in range(presses):
            page.keyboard.press(key)  # each press asks for a new run while the last one still goes
            time.sleep(rng.uniform(0.03, 0.12))  # quick taps (or a held key's repeat, ~30/s)
        level = max(0, min(10, level + (presses if key == "ArrowRight" else -presses)))
        settled.append(wait_until_idle(page))
        assert slider.input_value() == str(level), (burst, slider.input_value())
        # The page shows the last run, the one with this level: its pain advice says so.
        severe = page.get_by_text(re.compile(r"Your pain is severe \(\d+/10\)")).all_inner_texts()
        assert [re.search(r"\(\d+/10\)", t).group() for t in severe] == ([f"({level}/10)"] if level >= 7 else []), \
            (burst, level, severe)
        assert _hip_finding(page) == before, (burst, key, presses, level)
        assert seen_texts(page) == [headline], (burst, key, presses, level)
    print(f"bursts settled in {', '.join(f'{s:.1f}' for s in settled)} s (1.0 s of quiet included)")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report (HTML, with images)").click()
    report = html.unescape(Path(download.value.path()).read_text(encoding="utf-8"))
    assert (f"{HIP_FINDING}</strong>: {severity.lower()}, {confidence} sure it is outside the usual range; "
            f"{measurement} {evidence}") in report
    if level >= 7:
        assert f"Your pain is severe ({level}/10)" in report


PLAN_ROWS = """() => Array.from(document.querySelectorAll('[data-testid="stHorizontalBlock"]'))
  .filter(row => row.querySelector('img') && row.querySelector('ol'))  // a plan item: numbered
  .map(row => {
    const img = row.querySelector('img'), text = row.querySelector('[data-testid="stMarkdownContainer"]');
    const i = img.getBoundingClientRect(), t = text.getBoundingClientRect();
    return {title: text.innerText.split(':')[0], loaded: img.complete && img.naturalWidth > 0, width: i.width,
            left: i.left, right: i.right, top: i.top, bottom: i.bottom, textLeft: t.left, textTop: t.top};
  })"""


def test_the_plan_shows_a_picture_beside_each_exercise_on_a_desktop_and_above_it_on_a_phone(page):
    page, _ = page
    _upload_and_analyse(page, [SAMPLE / "front.jpg"])
    rows = page.evaluate(PLAN_ROWS)
    assert rows and all(row["loaded"] for row in rows), rows
    titles = [row["title"] for row in rows]
    assert len(set(titles)) == len(titles) and "Side-lying leg lift (gluteus medius) (left)" in titles, titles
    for row in rows:  # beside the text, at its height, small
        assert row["right"] <= row["textLeft"] and row["top"] < row["textTop"] + 40 and 150 <= row["width"] <= 201, row
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function(f"({PLAN_ROWS})().every(r => r.textTop >= r.bottom - 1)", timeout=30_000)
    for row in page.evaluate(PLAN_ROWS):  # a phone stacks them: the picture above its text, still small
        assert row["width"] <= 201 and row["textTop"] >= row["bottom"] - 1, row
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone


def test_sciatica_removes_the_exercises_its_caution_warns_about_and_says_so(page):
    """The high-hip sample also leans right: for the lean its plan has the side stretch at the
    waist on the right (the lean's side plank is already left out: the high hip works that side the
    other way). With sciatica ticked the right-side stretch leaves the plan and the details, saying
    why; the hip's own inner-thigh stretch stays."""
    page, _ = page
    _upload_and_analyse(page, [SAMPLE / "front.jpg", SAMPLE / "side_right.jpg"])
    exercises = load("corrections.json")["exercises"]

    def title(exercise_id: str) -> str:
        return exercise_title(exercises[exercise_id]["name"], exercises[exercise_id]["anatomy"])

    withheld = [(title("ql_stretch"), "right")]
    kept = [(title("adductor_stretch"), "left")]
    main = page.locator("section[data-testid='stMain']")

    def listed(text: str, name: str, side: str) -> list[str]:
        """Plan lines ('Title (side): dosage') and details lines ('Stretch (side): Title')."""
        return [line for line in text.splitlines() if "Not listed:" not in line
                and (f"{name} ({side})" in line or re.search(rf"\({side}\): {re.escape(name)}", line))]

    before = main.inner_text()
    for name, side in withheld + kept:
        assert listed(before, name, side), (name, side, before)

    page.get_by_text("About you (optional): height and pain").click()
    page.get_by_role("combobox", name=re.compile("Where does it hurt")).click()
    page.get_by_role("option", name="sciatica (pain down the leg)").click()
    page.keyboard.press("Escape")
    page.get_by_text(re.compile(r"Not listed: .*pain down the leg")).first.wait_for(timeout=60_000)
    wait_until_idle(page)
    text = main.inner_text()
    notes = [line for line in text.splitlines() if "Not listed:" in line]
    for name, side in withheld:
        assert listed(text, name, side) == [], (name, side)
        assert any(name in note and "pain down the leg" in note for note in notes), (name, notes)
    for name, side in kept:
        assert listed(text, name, side), (name, side)


def test_the_app_asks_nothing_of_any_other_server(playwright, server):
    """Everything runs locally: loading the app and analysing a photo requests nothing outside this
    computer (a Material-symbol page icon once made every browser fetch it from fonts.gstatic.com)."""
    browser = launch(playwright)
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(server)
    page.get_by_text("Assess your posture").wait_for(timeout=60_000)
    _upload_and_analyse(page, [SAMPLE / "front.jpg"])
    wait_until_idle(page)
    browser.close()
    outside = [url for url in requested if not url.startswith((server, "data:", "blob:", "ws://127.0.0.1"))]
    assert requested and outside == []
