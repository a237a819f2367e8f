"""Shared fixtures: the real model, its recorded answers (the fast lane), the real photos in
../shared, and made-up skeletons.

The fast lane, `pytest -m "not model"`, runs every test that needs neither the real model nor the
app server: a test is in the model lane when it uses the `estimator` or `shared_front_photos`
fixture, lives in a module listed in MODEL_MODULES, or is marked `model` itself.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from posture.assessment.views import View
from posture.vision.drawing import BONES
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks

REPO = Path(__file__).resolve().parents[1]
SHARED_PHOTOS = REPO.parent / "shared" / "photos" / "front"


# Modules whose tests start the app (which loads the real model) or a browser.
MODEL_MODULES = {"test_app", "test_app_browser"}


def pytest_collection_modifyitems(items):
    for item in items:
        if ({"estimator", "shared_front_photos"} & set(item.fixturenames)
                or item.module.__name__.rsplit(".", 1)[-1] in MODEL_MODULES):
            item.add_marker(pytest.mark.model)


@pytest.fixture
def replay(monkeypatch):
    """The pose model and face detector answering from tests/data/replay (recorded on the samples)."""
    from tests.replay import use_replay

    return use_replay(monkeypatch)


@pytest.fixture(autouse=True, scope="session")
def _history_outside_the_users_files(tmp_path_factory):
    """No test may read or write the user's own history database."""
    os.environ["POSTURE_DB"] = str(tmp_path_factory.mktemp("history") / "history.sqlite")


@pytest.fixture(scope="session")
def shared_front_photos() -> list[Path]:
    photos = sorted(SHARED_PHOTOS.glob("*.jpg"))
    if not photos:
        pytest.skip(f"real test photos not found at {SHARED_PHOTOS} (the ../shared data set is absent)")
    return photos


@pytest.fixture(scope="session")
def estimator():
    from posture.vision.pose_model import BlazePoseEstimator

    model = BlazePoseEstimator()
    yield model
    model.close()


# Heights as fractions of stature (Drillis & Contini), half-widths as fractions of stature.
STATURE_PX = 1700.0
FLOOR_Y = 1900.0
CENTRE_X = 500.0
IMAGE_SIZE = (1000, 2000)
FRONTAL_LAYOUT = {
    # name: (height fraction, half-width fraction) for the LEFT side; the right mirrors it.
    "EYE": (0.936, 0.03), "EYE_INNER": (0.936, 0.015), "EYE_OUTER": (0.936, 0.045),
    "EAR": (0.925, 0.07), "SHOULDER": (0.818, 0.10), "ELBOW": (0.63, 0.12), "WRIST": (0.485, 0.12),
    "PINKY": (0.45, 0.12), "INDEX": (0.45, 0.115), "THUMB": (0.46, 0.11),
    "HIP": (0.53, 0.05), "KNEE": (0.285, 0.05), "ANKLE": (0.039, 0.05), "HEEL": (0.01, 0.05),
    "FOOT_INDEX": (0.0, 0.055),
}


def frontal_landmarks(
    view: View = View.FRONT,
    shoulder_tilt_deg: float = 0.0,
    hip_tilt_deg: float = 0.0,
    ear_tilt_deg: float = 0.0,
    knee_shift_px: tuple[float, float] = (0.0, 0.0),
    visibility: float = 0.99,
) -> PoseLandmarks:
    """A standing person seen from the front or back. Tilts: + = subject's left side higher.
    knee_shift_px: (left, right) knee moved toward the body's midline (+) in pixels."""
    left_x = view.subject_left_x
    xy = np.zeros((33, 2))
    tilts = {"SHOULDER": shoulder_tilt_deg, "HIP": hip_tilt_deg, "EAR": ear_tilt_deg}
    for name, (height, half_width) in FRONTAL_LAYOUT.items():
        y = FLOOR_Y - height * STATURE_PX
        half = half_width * STATURE_PX
        rise = half * math.tan(math.radians(tilts.get(name, 0.0)))
        xy[L[f"LEFT_{name}"]] = (CENTRE_X + left_x * half, y - rise)
        xy[L[f"RIGHT_{name}"]] = (CENTRE_X - left_x * half, y + rise)
    xy[L.LEFT_KNEE, 0] -= left_x * knee_shift_px[0]
    xy[L.RIGHT_KNEE, 0] += left_x * knee_shift_px[1]
    xy[L.NOSE] = (CENTRE_X, FLOOR_Y - 0.93 * STATURE_PX)
    xy[L.MOUTH_LEFT] = (CENTRE_X + left_x * 0.02 * STATURE_PX, FLOOR_Y - 0.91 * STATURE_PX)
    xy[L.MOUTH_RIGHT] = (CENTRE_X - left_x * 0.02 * STATURE_PX, FLOOR_Y - 0.91 * STATURE_PX)
    vis = np.full(33, visibility)
    if view is View.BACK:
        for lm in (L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.MOUTH_LEFT, L.MOUTH_RIGHT):
            vis[lm] = 0.1
    return PoseLandmarks(xy, vis, IMAGE_SIZE)


CAMERA_PITCH_DEG = 20.0  # the camera looks down on the feet, as at hip height 2.5-3 m away
FORWARD = {"NOSE": 0.06, "MOUTH_LEFT": 0.05, "MOUTH_RIGHT": 0.05, "EYE": 0.045, "EYE_INNER": 0.05,
           "EYE_OUTER": 0.04, "HEEL": -0.03}  # ahead of the body's plane, fractions of stature


def turned_landmarks(yaw_deg: float, view: View = View.FRONT) -> PoseLandmarks:
    """A person standing square as in `frontal_landmarks`, turned `yaw_deg` about the vertical
    (+ = the subject's left side further from the camera), seen by a camera pitched down and
    reported as BlazePose does: depth in its own scale (blazepose_depth_scale_* times the x scale).
    The feet point forward and are as long as the view module's foot model (foot_length_of_torso)."""
    from posture.data_files import constant

    square = frontal_landmarks(view)
    facing = 1 if view is View.FRONT else -1  # toward the camera (-depth) for a front view
    pitch = math.radians(CAMERA_PITCH_DEG)
    torso_px = (FRONTAL_LAYOUT["SHOULDER"][0] - FRONTAL_LAYOUT["HIP"][0]) * STATURE_PX * math.cos(pitch)
    foot = constant("foot_length_of_torso") * torso_px
    yaw = math.radians(yaw_deg)
    xy, depth = np.zeros((33, 2)), np.zeros(33)
    for lm in L:
        name = lm.name.replace("LEFT_", "").replace("RIGHT_", "")
        lateral = square.xy_px[lm, 0] - CENTRE_X
        height = FLOOR_Y - square.xy_px[lm, 1]
        ahead = foot if name == "FOOT_INDEX" else FORWARD.get(name, 0.0) * STATURE_PX
        if name == "HEEL":
            ahead = 0.0
        z = -facing * ahead  # toward the camera is smaller
        turned_x = lateral * math.cos(yaw) - z * math.sin(yaw) * view.subject_left_x
        turned_z = lateral * view.subject_left_x * math.sin(yaw) + z * math.cos(yaw)
        xy[lm] = (CENTRE_X + turned_x, FLOOR_Y - height * math.cos(pitch) - turned_z * math.sin(pitch))
        scale = constant("blazepose_depth_scale_hips" if name == "HIP" else "blazepose_depth_scale_shoulders")
        depth[lm] = turned_z * scale
    return PoseLandmarks(xy, square.visibility, square.image_size, depth_px=depth)


def body_mask(pose: PoseLandmarks, thickness: int = 60) -> np.ndarray:
    """A person mask of the made-up skeleton: its bones drawn thick (the head only from the eyes
    down: the legend must keep clear of the crown by the points alone)."""
    mask = np.zeros(pose.image_size[::-1], np.uint8)
    for a, b in BONES:
        cv2.line(mask, tuple(int(v) for v in pose.xy_px[a]), tuple(int(v) for v in pose.xy_px[b]), 1, thickness)
    torso = [pose.xy_px[lm] for lm in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.RIGHT_HIP, L.LEFT_HIP)]
    cv2.fillPoly(mask, [np.array(torso, np.int32)], 1)
    return mask.astype(np.float32)



def side_landmarks(
    view: View = View.SIDE_RIGHT,
    ear_ahead_px: float = 0.0,
    shoulder_ahead_px: float = 0.0,
    knee_back_px: float = 0.0,
    near_visibility: float = 0.99,
    far_visibility: float = 0.6,
) -> PoseLandmarks:
    """A standing person in profile, facing `view.facing_x`; offsets are forward (+) of the
    ankle's vertical. The near side (right for side_right) gets the higher visibility."""
    facing = view.facing_x
    xy = np.zeros((33, 2))
    layout = {
        "EYE": (0.936, 0.035), "EYE_INNER": (0.936, 0.04), "EYE_OUTER": (0.936, 0.03),
        "EAR": (0.925, ear_ahead_px / STATURE_PX), "SHOULDER": (0.818, shoulder_ahead_px / STATURE_PX),
        "ELBOW": (0.63, 0.0), "WRIST": (0.485, 0.01), "PINKY": (0.45, 0.01), "INDEX": (0.45, 0.02),
        "THUMB": (0.46, 0.02), "HIP": (0.53, 0.0), "KNEE": (0.285, -knee_back_px / STATURE_PX),
        "ANKLE": (0.039, 0.0), "HEEL": (0.01, -0.03), "FOOT_INDEX": (0.0, 0.08),
    }
    for name, (height, ahead) in layout.items():
        point = (CENTRE_X + facing * ahead * STATURE_PX, FLOOR_Y - height * STATURE_PX)
        xy[L[f"LEFT_{name}"]] = point
        xy[L[f"RIGHT_{name}"]] = point
    xy[L.NOSE] = (CENTRE_X + facing * 0.06 * STATURE_PX, FLOOR_Y - 0.93 * STATURE_PX)
    xy[L.MOUTH_LEFT] = xy[L.MOUTH_RIGHT] = (CENTRE_X + facing * 0.05 * STATURE_PX, FLOOR_Y - 0.91 * STATURE_PX)
    near = "RIGHT" if view is View.SIDE_RIGHT else "LEFT"
    vis = np.array([near_visibility if near in lm.name else far_visibility for lm in L])
    vis[L.NOSE] = near_visibility
    return PoseLandmarks(xy, vis, IMAGE_SIZE)


@pytest.fixture(scope="session")
def postgres_url():
    from tests.history_support import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_location(request, tmp_path, postgres_url) -> str:
    """A fresh, empty history database of each kind."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite")
    if postgres_url is None:
        pytest.skip("PostgreSQL could not be started here (apt-get install postgresql; .ci/run installs it)")
    from tests.history_support import new_postgres_database

    return new_postgres_database(postgres_url)
