"""The pinhole camera shared by the renderer and the ground truth, so both agree to the pixel.

World: z up; the camera stands at y = -distance looking along +y (pitched down or up as asked), so the
subject's left (+x) is on the image's right in a front view. Pixels: x to the right, y down, in
continuous coordinates (0 = the image's left edge), as the analyzer reports landmarks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posture.synth.spec import Camera


@dataclass(frozen=True)
class PinholeCamera:
    pose: np.ndarray  # 4x4 camera-to-world (OpenGL camera: looks along its -z, +y up)
    yfov_rad: float
    width_px: int
    height_px: int

    @property
    def focal_px(self) -> float:
        return (self.height_px / 2) / math.tan(self.yfov_rad / 2)

    def depth(self, points: np.ndarray) -> np.ndarray:
        """World points' (..., 3) distance in front of the camera along its viewing axis (...)."""
        world_to_camera = np.linalg.inv(self.pose)
        return -(np.asarray(points, dtype=np.float64) @ world_to_camera[2, :3] + world_to_camera[2, 3])

    def project(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) to pixel coordinates (..., 2)."""
        points = np.asarray(points, dtype=np.float64)
        world_to_camera = np.linalg.inv(self.pose)
        local = points @ world_to_camera[:3, :3].T + world_to_camera[:3, 3]
        depth = -local[..., 2]
        u = self.width_px / 2 + self.focal_px * local[..., 0] / depth
        v = self.height_px / 2 - self.focal_px * local[..., 1] / depth
        return np.stack([u, v], axis=-1)


def make_camera(spec: Camera, stature_m: float) -> PinholeCamera:
    """A camera framing the whole body with a margin, pitched and rolled as the spec says.

    Pitch: + looks down (the top of the body moves away from the optical axis, the feet toward it).
    Roll: the photo's content turns counter-clockwise on screen by `roll_deg` when the camera
    turns clockwise (seen from behind it) about its viewing axis by the same angle.
    """
    d, h, pitch = spec.distance_m, spec.height_m, math.radians(spec.pitch_deg)
    half_span = max(math.atan((stature_m + 0.15 - h) / d) + pitch, math.atan((h + 0.1) / d) - pitch)
    yfov = 2 * half_span * 1.05
    # Columns: camera x -> world +x, camera y -> world +z, camera z (backward) -> world -y.
    base = np.array([[1.0, 0, 0, 0], [0, 0, -1, -d], [0, 1, 0, h], [0, 0, 0, 1]])
    tilt = np.eye(4)  # about the camera's x axis: its view direction (-z) turns toward -y, down
    tilt[1:3, 1:3] = [[math.cos(pitch), math.sin(pitch)], [-math.sin(pitch), math.cos(pitch)]]
    a = math.radians(-spec.roll_deg)
    roll = np.eye(4)
    roll[:2, :2] = [[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]
    return PinholeCamera(base @ tilt @ roll, yfov, spec.width_px, spec.height_px)
