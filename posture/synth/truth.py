"""Ground truth for one render: true joints and skin points (3-D and in the image), and the true
value of every measurement by the product's own definitions.

Measurements are computed on the true landmarks as a level camera would see them (the same camera
without its roll and pitch), so they are against the true vertical, as the analyzer's leveled values
are, and a pitched camera's foreshortening counts as the analyzer's error, not the person's posture.
The craniovertebral angle uses the true C7 and tragus (not the analyzer's proxy) and the pelvic
tilt the true ASIS and PSIS skin points: that is what those measurements mean.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from posture.assessment import geometry as geo
from posture.assessment.measurements import PelvisMarkers, measure
from posture.assessment.views import View
from posture.synth.body import PosedBody
from posture.synth.camera import PinholeCamera, make_camera
from posture.synth.spec import RenderSpec
from posture.vision.landmarks import Landmark, PoseLandmarks

SCHEMA = "posture.synth-truth/1"


def landmark_points(body: PosedBody) -> dict[str, np.ndarray]:
    """A 3-D point for each of BlazePose's 33 landmarks (joint centres where BlazePose estimates
    joints; skin points for nose, ears, heels and toes; fingers at the wrist)."""
    j, s = body.joints, body.surface
    points = {"nose": s["nose"], "mouth_left": s["nose"], "mouth_right": s["nose"]}
    for side in ("left", "right"):
        for part in ("eye_inner", "eye", "eye_outer"):
            points[f"{side}_{part}"] = j[f"{side}_eye"]
        points[f"{side}_ear"] = s[f"{side}_tragus"]
        for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle"):
            points[f"{side}_{part}"] = j[f"{side}_{part}"]
        for part in ("pinky", "index", "thumb"):
            points[f"{side}_{part}"] = j[f"{side}_wrist"]
        points[f"{side}_heel"] = s[f"{side}_heel"]
        points[f"{side}_foot_index"] = s[f"{side}_foot_index"]
    return points


def true_landmarks(points_2d: dict[str, np.ndarray], view: View, size: tuple[int, int]) -> PoseLandmarks:
    xy = np.array([points_2d[lm.key] for lm in Landmark])
    visibility = np.ones(len(Landmark))
    if not view.is_frontal:  # the far side is seen less well; the analyzer reads the near side
        far = "LEFT" if view is View.SIDE_RIGHT else "RIGHT"
        visibility = np.array([0.9 if lm.name.startswith(far) else 1.0 for lm in Landmark])
    return PoseLandmarks(xy, visibility, size)


def true_measurements(body: PosedBody, spec: RenderSpec, stature_m: float) -> dict[str, float]:
    level_camera = make_camera(replace(spec.camera, roll_deg=0.0, pitch_deg=0.0), stature_m)
    view = View(spec.camera.view)
    size = (spec.camera.width_px, spec.camera.height_px)
    points = {k: level_camera.project(v) for k, v in landmark_points(body).items()}
    surface = {k: level_camera.project(v) for k, v in body.surface.items()}
    markers = None
    near = "right" if view is View.SIDE_RIGHT else "left"
    if not view.is_frontal:
        markers = PelvisMarkers(tuple(surface[f"{near}_asis"]), tuple(surface[f"{near}_psis"]))
    measured = measure(true_landmarks(points, view, size), view, markers=markers)
    values = {mid: m.value for mid, m in measured.items() if m.value is not None}
    if not view.is_frontal:
        values["craniovertebral_angle_deg"] = geo.elevation_deg(surface["c7"], surface[f"{near}_tragus"], view.facing_x)
    return values


def truth_record(body: PosedBody, spec: RenderSpec, camera: PinholeCamera, stature_m: float, image_name: str) -> dict:
    def as_lists(points: dict[str, np.ndarray]) -> dict[str, list[float]]:
        return {k: [round(float(c), 5) for c in v] for k, v in points.items()}

    landmarks_3d = landmark_points(body)
    return {
        "schema": SCHEMA,
        "image": image_name,
        "image_size": [spec.camera.width_px, spec.camera.height_px],
        "spec": spec.to_json(),
        "stature_m": round(stature_m, 4),
        "camera": {
            "pose": np.round(camera.pose, 6).tolist(),
            "yfov_deg": round(float(np.degrees(camera.yfov_rad)), 4),
            "focal_px": round(camera.focal_px, 3),
        },
        "blocks": [list(b) for b in body.blocks],
        "joints_3d": as_lists(body.joints),
        "joints_2d": as_lists({k: camera.project(v) for k, v in body.joints.items()}),
        "surface_3d": as_lists(body.surface),
        "surface_2d": as_lists({k: camera.project(v) for k, v in body.surface.items()}),
        "landmarks_2d": as_lists({k: camera.project(v) for k, v in landmarks_3d.items()}),
        "measurements": {k: round(v, 4) for k, v in true_measurements(body, spec, stature_m).items()},
    }
