"""Running the app for real: a Streamlit server on a free port, Debian's Chromium driven by
Playwright (never `playwright install`), and a Y4M clip for Chromium's fake webcam."""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from posture.vision.image_io import load_photo

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def browser_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed (pip install -e .[test])"
    return None


@contextlib.contextmanager
def app_server(history_db: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free port of 127.0.0.1, its history in `history_db` (never the
    user's own); yields its URL."""
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with _running(command, f"http://127.0.0.1:{port}", history_db) as url:
        yield url


# The phone's name for this computer in the LAN tests: Chromium maps it to 127.0.0.1 (see
# `launch`), so the phone's requests ask for another host than localhost and are not the desktop's.
PHONE_HOST = "posture-phone.test"


@contextlib.contextmanager
def lan_app_server(history_db: Path) -> Iterator[str]:
    """`posture app --lan` (HTTPS, token, inbox) on a free port of 127.0.0.1, never on the
    machine's network, with the phone's link naming PHONE_HOST; yields the desktop's URL."""
    port = _free_port()
    command = [sys.executable, "-c", f"from posture.lan import serve; serve({port}, '127.0.0.1', {PHONE_HOST!r})"]
    with _running(command, f"https://127.0.0.1:{port}", history_db) as url:
        yield url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _running(command: list[str], url: str, history_db: Path) -> Iterator[str]:
    log = open(os.devnull, "w")  # noqa: SIM115 - closed with the server
    environment = {**os.environ, "POSTURE_DB": str(history_db)}
    server = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=environment)
    unverified = ssl._create_unverified_context()  # the LAN server's certificate is made on the spot
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1, context=unverified).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the app server did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a script run still looping over a live stream
            server.kill()
            server.wait()
        log.close()


def webcam_frame(photo: Path, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """The photo letterboxed into a webcam-sized RGB frame (grey bars), as a camera would see it."""
    width, height = size
    rgb = load_photo(photo).rgb
    scale = height / rgb.shape[0]
    person = cv2.resize(rgb, (round(rgb.shape[1] * scale), height), interpolation=cv2.INTER_AREA)[:, :width]
    frame = np.full((height, width, 3), 90, np.uint8)
    left = (width - person.shape[1]) // 2
    frame[:, left:left + person.shape[1]] = person
    return frame


def write_y4m(photo: Path, out: Path, seconds: float = 4.0, fps: int = 30, size=(640, 480)) -> Path:
    """A clip of a person standing still (the photo letterboxed, a pixel of sway)."""
    width, height = size
    frame = webcam_frame(photo, size)
    with out.open("wb") as handle:
        handle.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for index in range(round(seconds * fps)):
            moved = np.roll(frame, index % 3 - 1, axis=1)
            handle.write(b"FRAME\n" + cv2.cvtColor(moved, cv2.COLOR_RGB2YUV_I420).tobytes())
    return out


def launch(playwright, webcam_clip: Path | None = None, phone_host: bool = False):
    args = list(CHROMIUM_ARGS) + ([f"--host-resolver-rules=MAP {PHONE_HOST} 127.0.0.1"] if phone_host else [])
    if webcam_clip is not None:
        args += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-video-capture={webcam_clip}", "--allow-loopback-in-peer-connection"]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)


# Busy while a script run is under way or asked for: the app's script state (Streamlit sets
# data-test-script-state on stApp), the "Running..." status widget, and elements still greyed out
# (data-stale) from an earlier run.
_BUSY_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !app || app.getAttribute('data-test-script-state') !== 'notRunning'
        || document.querySelector('[data-testid="stStatusWidgetRunningIcon"]') !== null
        || document.querySelector('[data-stale="true"]') !== null;
}"""


def wait_until_idle(page, quiet_s: float = 1.0, timeout_s: float = 60.0) -> float:
    """Wait until Streamlit has been idle for `quiet_s` without a break: no run going, none asked
    for, nothing stale on the page. A key press or click reaches the server a moment after it
    was sent, so an idle instant right after it proves nothing; a quiet stretch does. Returns the
    seconds waited (the quiet stretch included)."""
    started = time.monotonic()
    quiet_since = None
    while True:
        now = time.monotonic()
        if page.evaluate(_BUSY_JS):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= quiet_s:
            return now - started
        if now - started > timeout_s:
            raise TimeoutError(f"the app was still busy after {timeout_s:.0f} s")
        time.sleep(0.05)


def watch_texts(page, pattern: str) -> None:
    """From now on, remember every distinct match of the JavaScript regex `pattern` in the page's
    text, also ones shown only for a moment by a run that a newer one replaced; `seen_texts` reads
    them."""
    page.evaluate("""pattern => {
        window.__seenTexts = new Set();
        const look = () => {
            for (const m of document.body.textContent.matchAll(new RegExp(pattern, 'g'))) window.__seenTexts.add(m[0]);
        };
        look();
        window.__textWatcher?.disconnect();
        window.__textWatcher = new MutationObserver(look);
        window.__textWatcher.observe(document.body, {childList: true, subtree: true, characterData: true});
    }""", pattern)


def seen_texts(page) -> list[str]:
    return page.evaluate("() => Array.from(window.__seenTexts).sort()")
