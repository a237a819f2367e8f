"""The app's pages driven by Streamlit's AppTest (no browser): real model, real sample photos."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
HIGH_HIP = REPO / "samples" / "high_left_hip"
TIMEOUT_S = 120


def _app() -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S)
    return app.run()


def _upload(app: AppTest, key: str, path: Path, data: bytes | None = None) -> None:
    uploader = app.get("file_uploader")
    target = next(u for u in uploader if u.key == key)
    target.set_value([(path.name, data if data is not None else path.read_bytes(), "image/jpeg")])


def _markdown(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def _analyse(app: AppTest) -> AppTest:
    app.button[0].click()
    return app.run()


def test_opens_on_assess_with_disclaimer_and_red_flags():
    app = _app()
    assert not app.exception
    assert app.title[0].value == "Assess your posture"
    assert "not a diagnosis" in app.info[0].value
    assert len(app.checkbox) == 5  # the red-flag screen, on the first screen
    assert app.button[0].disabled  # nothing to analyse yet


@pytest.mark.model
def test_two_photos_give_findings_and_targeted_corrections():
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    _upload(app, "upload-side", HIGH_HIP / "side_right.jpg")
    app = _analyse(app.run())
    assert not app.exception
    text = _markdown(app)
    assert "Left hip higher than right" in text
    assert "Stretch quadratus lumborum (left)" in text  # the high side's QL
    assert [s.value for s in app.subheader][:2] == ["front photo (front.jpg)", "side photo (side_right.jpg)"]
    assert len(app.get("image")) == 2  # one annotated image per photo


@pytest.mark.model
def test_red_flag_hides_the_exercises_and_says_why():
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    app.checkbox[0].check()
    app = app.run()
    assert "see a doctor or physiotherapist" in app.error[0].value
    assert "Stretch quadratus lumborum" not in _markdown(app)
    assert "Left hip higher than right" in _markdown(app)  # the finding itself stays


@pytest.mark.model
def test_pain_puts_linked_corrections_first_and_adds_advice():
    app = _app()
    _upload(app, "upload-front", REPO / "samples" / "forward_head" / "front.jpg")
    app = _analyse(app.run())
    app.multiselect(key="pain-regions").select("neck")
    app.slider(key="pain-level").set_value(8)
    app = app.run()
    assert any("Linked to your neck pain" in c.value for c in app.caption)
    assert any("Your pain is severe (8/10)" in w.value for w in app.warning)


@pytest.mark.model
def test_bad_uploads_get_a_clear_message_and_the_app_keeps_working(tmp_path):
    app = _app()
    _upload(app, "upload-front", Path("notes.jpg"), b"this is not a photo")
    _upload(app, "upload-side", HIGH_HIP / "side_right.jpg")
    app = _analyse(app.run())
    assert not app.exception
    assert any("(notes.jpg) is not an image" in e.value for e in app.error)
    assert "side photo (side_right.jpg)" in [s.value for s in app.subheader]


@pytest.mark.model
def test_a_photo_without_a_person_says_how_to_retake(tmp_path):
    from PIL import Image

    empty = tmp_path / "wall.jpg"
    Image.new("RGB", (640, 960), (200, 190, 180)).save(empty)
    app = _app()
    _upload(app, "upload-front", empty)
    app = _analyse(app.run())
    assert not app.exception
    assert any("No person was found" in e.value and "whole body" in e.value for e in app.error)


@pytest.mark.model
def test_an_assessment_saved_to_a_new_profile_shows_on_the_progress_page(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTURE_DB", str(tmp_path / "history.sqlite"))
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    app.selectbox(key="assess-profile").set_value("+ New profile")
    app = app.run()
    app.text_input[0].input("Client 7 'O'Hara'")
    app.checkbox[-1].check()  # keep photos (opt in)
    next(b for b in app.button if b.label == "Create profile").click()
    app = app.run()
    assert app.selectbox(key="assess-profile").value == "Client 7 'O'Hara'"  # chosen once created
    next(b for b in app.button if b.key == "assess-save").click()
    app = app.run()
    assert any("Saved as assessment 1" in s.value for s in app.success)
    app.date_input(key="assess-date").set_value(date(2026, 1, 5))
    next(b for b in app.button if b.key == "assess-save").click()
    app = app.run()
    assert any("Saved as assessment 2" in s.value for s in app.success)

    progress = AppTest.from_function(_progress_page, default_timeout=TIMEOUT_S).run()
    assert not progress.exception
    assert progress.selectbox(key="progress-profile").value == "Client 7 'O'Hara'"
    assert progress.selectbox(key="progress-first").value == 2  # the earlier date comes first
    assert any(m.value.startswith("**2026-01-05**: Left hip higher") for m in progress.markdown)
    changes = progress.dataframe[0].value
    assert set(changes["verdict"]) == {"no real change yet"}  # the same photo twice
    assert len(_elements_of_type(progress._tree, "vega")) == 4  # the four key trend charts


def _progress_page():
    from posture.ui.progress import page

    page()


def _elements_of_type(node, fragment: str) -> list:
    found = [node] if fragment in str(getattr(node, "type", "")) else []
    for child in getattr(node, "children", {}).values():
        found += _elements_of_type(child, fragment)
    return found


def test_an_oversized_photo_is_refused_with_a_reason_and_the_app_goes_on(tmp_path):
    from PIL import Image

    huge = tmp_path / "panorama.png"
    Image.new("1", (11_000, 11_000)).save(huge)  # 121 MP, a few kB on disk
    app = _app()
    _upload(app, "upload-front", huge)
    app = _analyse(app.run())
    assert not app.exception
    assert any("more than 120 million pixels" in e.value and "refused" in e.value for e in app.error)
