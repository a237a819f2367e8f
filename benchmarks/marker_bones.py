"""How far marker mode's skin points sit from the body model's bones, and what that does to the
measurements read between them (docs/markers.md, "Skin points and bones").

Poses anny (no rendering; the synth extra: torch, anny) for PEOPLE random body shapes and prints:
- per protocol point, where its skin point lies from the nearest joint centre the model has
  (forward, up, outward, in cm; median and range over the people), and where a 15 mm ball's centre
  lies (a ball sits one radius out from the skin);
- per marker measurement, how it follows the bone under it when the posture changes (gain: the
  slope of the value between the skin points on the angle set at the bone) and how much it differs
  between people at the same bony posture (the neutral value's spread, and its slope on body
  weight): a within-person change is read with that gain, a value compared with another person's
  or with a norm carries that spread.

    PYTHONPATH=. /work/venv-synth/bin/python -m benchmarks.marker_bones [PEOPLE]   (default 20)
"""

from __future__ import annotations

import math
import sys

import numpy as np

from posture.synth.body import BodyModel
from posture.synth.markers import surface_key
from posture.synth.spec import Posture

BALL_RADIUS_M = 0.0075
# Protocol point -> the joint centre it is read against (PosedBody.joints).
NEAREST_JOINT = {
    "c7": "neck_base", "tragus_left": "left_eye", "acromion_left": "left_shoulder", "asis_left": "left_hip",
    "psis_left": "left_hip", "greater_trochanter_left": "left_hip", "knee_lateral_left": "left_knee",
    "malleolus_lateral_left": "left_ankle",
}


def phenotypes(count: int, rng: np.random.Generator) -> list[dict[str, float]]:
    return [{"gender": float(rng.uniform(0, 1)), "age": float(rng.uniform(0.35, 0.85)),
             "muscle": float(rng.uniform(0.2, 0.8)), "weight": float(rng.uniform(0.2, 0.8)),
             "height": float(rng.uniform(0.3, 0.7)), "proportions": float(rng.uniform(0.3, 0.7))} for _ in range(count)]


def offsets_cm(body, name: str, ball: bool) -> np.ndarray:
    """(forward, up, outward) of the skin point (or a ball's centre) from its joint centre, front
    view (the subject faces -y, the left side is +x)."""
    key = surface_key(name)
    point = body.surface[key] + (body.surface_normals[key] * BALL_RADIUS_M if ball else 0.0)
    delta = point - body.joints[NEAREST_JOINT[name]]
    return 100 * np.array([-delta[1], delta[2], delta[0]])


def sagittal_tilt(first: np.ndarray, second: np.ndarray) -> float:
    """+ when `first` is higher, against the horizontal, in a side view (y forward-back, z up)."""
    return math.degrees(math.atan2(first[2] - second[2], abs(first[1] - second[1])))


def frontal_tilt(left: np.ndarray, right: np.ndarray) -> float:
    """+ when the left point is higher, in a front view."""
    return math.degrees(math.atan2(left[2] - right[2], abs(left[0] - right[0])))


def cva(c7: np.ndarray, tragus: np.ndarray) -> float:
    """The tragus' elevation above C7 looking at the subject's left side (forward = -y)."""
    return math.degrees(math.atan2(tragus[2] - c7[2], c7[1] - tragus[1]))


# Marker measurement -> (posture field set at the bone, values, reading on the skin points, the
# same reading on the joint centres under them, or None where the set angle is the bone's).
CHANGES = {
    "pelvic_tilt_deg (PSIS-ASIS)": ("pelvic_tilt_deg", (-10.0, 0.0, 10.0, 20.0),
                                    lambda s, j: sagittal_tilt(s["left_psis"], s["left_asis"]), None),
    "hip_tilt_deg (ASIS line)": ("pelvic_obliquity_deg", (-6.0, 0.0, 6.0),
                                 lambda s, j: frontal_tilt(s["left_asis"], s["right_asis"]),
                                 lambda s, j: frontal_tilt(j["left_hip"], j["right_hip"])),
    "hip_tilt_deg (PSIS line)": ("pelvic_obliquity_deg", (-6.0, 0.0, 6.0),
                                 lambda s, j: frontal_tilt(s["left_psis"], s["right_psis"]),
                                 lambda s, j: frontal_tilt(j["left_hip"], j["right_hip"])),
    "shoulder_tilt_deg (acromions)": ("shoulder_elevation_left_deg", (0.0, 8.0, 16.0),
                                      lambda s, j: frontal_tilt(s["left_acromion"], s["right_acromion"]),
                                      lambda s, j: frontal_tilt(j["left_shoulder"], j["right_shoulder"])),
    "craniovertebral_angle_deg (C7-tragus)": ("forward_head_deg", (0.0, 15.0, 30.0),
                                              lambda s, j: cva(s["c7"], s["left_tragus"]),
                                              lambda s, j: cva(j["neck_base"], s["left_tragus"])),
}


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    model = BodyModel()
    bodies = phenotypes(people, np.random.default_rng(15))
    print(f"{people} body shapes; skin point (and a 15 mm ball's centre) from its joint centre, cm: "
          "forward, up, outward (median [min, max])")
    neutral = [model.pose(Posture(), p, "front", 0.0) for p in bodies]
    for name, joint in NEAREST_JOINT.items():
        for ball in (False, True):
            rows = np.array([offsets_cm(body, name, ball) for body in neutral])
            parts = ", ".join(f"{np.median(c):+.1f} [{c.min():+.1f}, {c.max():+.1f}]" for c in rows.T)
            distance = np.linalg.norm(rows, axis=1)
            print(f"  {name:24} {'ball' if ball else 'skin'} from {joint:13} {parts}; "
                  f"distance {np.median(distance):.1f} cm")
    print("\nper marker measurement: its change per degree set at the bone (gain, median [min, max]) on the skin "
          "points and on the joint centres; its neutral value between people (mean, SD) and that value's slope on "
          "anny's weight (deg per 0..1); the skin reading minus the joint reading at neutral (mean, SD)")
    weights = np.array([p["weight"] for p in bodies])
    for label, (field, values, skin, joints) in CHANGES.items():
        gains, joint_gains, rest, gaps = [], [], [], []
        for phenotype in bodies:
            posed = [model.pose(Posture(**{field: v}), phenotype, "front", 0.0) for v in values]
            read = [skin(b.surface, b.joints) for b in posed]
            gains.append(np.polyfit(values, read, 1)[0])
            rest.append(read[values.index(0.0)])
            if joints is not None:
                under = [joints(b.surface, b.joints) for b in posed]
                joint_gains.append(np.polyfit(values, under, 1)[0])
                gaps.append(read[values.index(0.0)] - under[values.index(0.0)])
        gains, rest = np.array(gains), np.array(rest)
        line = (f"  {label:40} skin gain {np.median(gains):+.2f} [{gains.min():+.2f}, {gains.max():+.2f}]")
        if joint_gains:
            line += f", joints {np.median(joint_gains):+.2f}"
        line += (f"; neutral {rest.mean():+.1f}° SD {rest.std(ddof=1):.1f}°, "
                 f"{np.polyfit(weights, rest, 1)[0]:+.1f}° per unit weight")
        if gaps:
            line += f"; skin - joints {np.mean(gaps):+.1f}° SD {np.std(gaps, ddof=1):.1f}°"
        print(line)


if __name__ == "__main__":
    main()
