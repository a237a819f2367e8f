"""Phone capture (`posture app --lan`) in a real browser: Debian's Chromium, a real HTTPS
Streamlit server on 127.0.0.1, a desktop context and a phone-sized one (390x844, mobile) that
reaches the server under another host name, as a phone on the network would.

Skipped with the reason when Chromium or Playwright is absent (.ci/run installs both).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.browser_support import (
    PHONE_HOST,
    REPO,
    browser_missing_reason,
    lan_app_server,
    launch,
    wait_until_idle,
    write_y4m,
)

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(browser_missing_reason() is not None, reason=browser_missing_reason() or ""),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
FRONT = REPO / "samples" / "high_left_hip" / "front.jpg"
SIDE = REPO / "samples" / "high_left_hip" / "side_right.jpg"
FROM_THE_PHONE = "From the phone at"
INBOX_CHECKS_S = 6  # three of the desktop's checks for new photos


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with lan_app_server(tmp_path_factory.mktemp("history") / "history.sqlite") as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    clip = write_y4m(REPO / "samples" / "neutral" / "front.jpg", tmp_path_factory.mktemp("clip") / "phone.y4m",
                     size=(480, 640))  # the phone's camera, upright
    with sync_playwright() as driver:
        chromium = launch(driver, webcam_clip=clip, phone_host=True)
        yield chromium
        chromium.close()


@pytest.fixture
def desktop(browser, server):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    page.goto(server)
    page.get_by_text("Scan this with your phone").wait_for(timeout=60_000)
    wait_until_idle(page)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(ignore_https_errors=True, **PHONE)  # the certificate is made on the spot
    yield context
    context.close()


def _link(desktop) -> str:
    return desktop.locator("code").filter(has_text="token=").first.inner_text().strip()


def _phone_base(server: str) -> str:
    return server.replace("127.0.0.1", PHONE_HOST)


def _screenshot(page, name: str) -> None:
    folder = REPO / "out" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _upload_status(page, base: str, photo: Path) -> int:
    """The HTTP status of a photo PUT to Streamlit's upload endpoint from the phone's page (its
    cookies included), as the page's own uploader would send it."""
    return page.evaluate("""async ([url, bytes]) => {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(bytes)], {type: 'image/jpeg'}), 'photo.jpg');
        return (await fetch(url, {method: 'PUT', body: form})).status;
    }""", [f"{base}/_stcore/upload_file/a-session/a-file", list(photo.read_bytes())])


def _phone_photos_shown(desktop) -> int:
    """How many phone photos the desktop's Assess page shows, after it had time to look."""
    time.sleep(INBOX_CHECKS_S)
    wait_until_idle(desktop)
    return desktop.get_by_text(FROM_THE_PHONE).count()


def test_the_desktop_shows_the_phone_link_as_a_qr_code(desktop, server):
    link = _link(desktop)
    assert re.fullmatch(rf"{re.escape(_phone_base(server))}/\?token=[A-Za-z0-9_-]{{32}}", link), link
    qr = desktop.locator('[data-testid="stImage"] img').first
    decoded = ""
    for _ in range(5):  # on a busy machine the picture can still be loading, or redrawn by a rerun
        qr.wait_for()
        wait_until_idle(desktop)
        qr.evaluate("img => img.decode()")
        pixels = cv2.imdecode(np.frombuffer(qr.screenshot(), np.uint8), cv2.IMREAD_COLOR)
        decoded = cv2.QRCodeDetector().detectAndDecode(pixels)[0]
        if decoded:
            break
        time.sleep(1.0)
    assert decoded == link
    assert desktop.get_by_text("Advanced").count() >= 1  # what to do about the certificate warning
    _screenshot(desktop, "lan_desktop_qr_panel")


def test_without_or_with_a_wrong_token_a_phone_gets_nothing_and_can_send_nothing(desktop, phone, server):
    before = _phone_photos_shown(desktop)
    page = phone.new_page()
    base = _phone_base(server)
    for url in (base, f"{base}/?token=", f"{base}/?token=wrong", f"{base}/progress"):
        response = page.goto(url)
        assert response.status == 403, url
        assert "Access refused" in page.inner_text("body")
        assert "Assess your posture" not in page.content() and "token=" not in page.inner_text("body")
    websocket = page.evaluate("""url => new Promise(done => {
        const socket = new WebSocket(url);
        socket.onopen = () => done('open');
        socket.onclose = () => done('closed');
    })""", base.replace("https", "wss") + "/_stcore/stream")
    assert websocket == "closed"
    assert _upload_status(page, base, FRONT) == 403
    _screenshot(page, "lan_phone_refused")
    assert _phone_photos_shown(desktop) == before


def test_with_the_token_a_phone_photo_lands_on_the_desktop_and_a_new_link_shuts_the_phone_out(desktop, phone, server):
    link = _link(desktop)
    page = phone.new_page()
    assert page.goto(link).status == 200
    page.get_by_text("Posture photos").wait_for(timeout=60_000)
    assert page.get_by_text("Scan this with your phone").count() == 0  # the phone sees the capture page only
    wait_until_idle(page)
    page.locator("input[type=file]").first.set_input_files(str(FRONT))
    page.get_by_text("Sent to the computer").wait_for(timeout=30_000)
    _screenshot(page, "lan_phone_sent")

    desktop.get_by_text(FROM_THE_PHONE).wait_for(timeout=30_000)  # picked up without a click
    desktop.wait_for_function("Array.from(document.images).filter(i => i.src.includes('/media/'))"
                              ".every(i => i.complete && i.naturalWidth > 0)")
    wait_until_idle(desktop)
    desktop.get_by_role("button", name="Analyse").click()
    desktop.get_by_role("heading", name="Fix a point by hand").wait_for(timeout=120_000)
    assert desktop.get_by_text(re.compile(r"front photo \(phone, \d\d:\d\d:\d\d, front\.jpg\)")).count() >= 1
    _screenshot(desktop, "lan_desktop_phone_photo_analysed")

    wait_until_idle(desktop)  # a click on a button a rerun is replacing can be lost
    desktop.get_by_role("button", name=re.compile("New link")).click()
    desktop.wait_for_function("""old => Array.from(document.querySelectorAll('code'))
        .some(code => code.textContent.includes('token=') && !code.textContent.includes(old))""",
                              arg=link.split("token=")[1], timeout=30_000)
    wait_until_idle(desktop)
    page.get_by_text("Access refused").wait_for(timeout=15_000)  # the open phone page says so by itself
    assert page.locator("input[type=file]").count() == 0
    shown = _phone_photos_shown(desktop)
    assert _upload_status(page, _phone_base(server), SIDE) == 403  # the old link's cookie opens nothing any more
    assert page.goto(link).status == 403
    assert _phone_photos_shown(desktop) == shown


def test_the_in_page_camera_counts_down_and_its_photo_lands_on_the_desktop(desktop, phone):
    from playwright.sync_api import expect

    before = _phone_photos_shown(desktop)
    page = phone.new_page()
    assert page.goto(_link(desktop)).status == 200
    page.get_by_text("Posture photos").wait_for(timeout=60_000)
    wait_until_idle(page)
    page.get_by_text("Use the camera inside this page").click()
    page.get_by_role("button", name="Start the camera").wait_for(timeout=30_000)
    wait_until_idle(page)
    page.get_by_text("Back (optional)").click()
    wait_until_idle(page)
    page.get_by_role("button", name="Start the camera").click()
    expect(page.locator("button.timer")).to_be_enabled(timeout=30_000)  # in the component's shadow root
    assert page.locator("video").evaluate("video => video.videoWidth") > 0
    assert page.locator(".level").inner_text().startswith("Level guide")  # no motion sensor in this browser
    wait_until_idle(page)
    page.get_by_role("button", name="Take in 10 s").click()
    expect(page.locator(".count")).to_have_text(re.compile(r"^[0-9]+$"), timeout=5_000)
    _screenshot(page, "lan_phone_camera_countdown")
    assert page.get_by_text("Sent to the computer").count() == 0  # not before the countdown ends
    page.get_by_text("Sent to the computer").wait_for(timeout=30_000)
    assert page.get_by_text(re.compile(r"Back \(optional\): sent at \d\d:\d\d:\d\d")).count() == 1
    desktop.wait_for_function(f"() => document.body.innerText.split({FROM_THE_PHONE!r}).length - 1 > {before}",
                              timeout=30_000)
