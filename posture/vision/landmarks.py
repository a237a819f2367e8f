"""The 33 BlazePose landmarks and the validated container every later stage reads.

Coordinates are pixels of the *upright* photo (EXIF orientation applied), x to the right, y down.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class Landmark(IntEnum):
    """BlazePose's 33 points, in the model's output order. Names are the JSON keys (lower case)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def words(self) -> str:
        """The point's name as a person reads it: "left hip"."""
        return self.name.lower().replace("_", " ")

    @property
    def mirror(self) -> Landmark:
        """The same point on the other side of the body (the nose is its own mirror)."""
        if self.name.startswith("LEFT_"):
            return Landmark[self.name.replace("LEFT_", "RIGHT_", 1)]
        if self.name.startswith("RIGHT_"):
            return Landmark[self.name.replace("RIGHT_", "LEFT_", 1)]
        if self.name == "MOUTH_LEFT":
            return Landmark.MOUTH_RIGHT
        if self.name == "MOUTH_RIGHT":
            return Landmark.MOUTH_LEFT
        return self


LANDMARK_COUNT = len(Landmark)
MIRROR_ORDER = np.array([lm.mirror for lm in Landmark])


@dataclass(frozen=True)
class PoseLandmarks:
    """One person's landmarks in upright-photo pixels.

    `visibility` is the model's 0..1 belief that the point is visible and inside the photo;
    points it cannot see still get a position, so later stages decide by `visibility`.
    """

    xy_px: np.ndarray  # (33, 2) float
    visibility: np.ndarray  # (33,) float in [0, 1]
    image_size: tuple[int, int]  # (width, height) of the upright photo
    # The separate answers that `xy_px` combines (test-time augmentation), (k, 33, 2), if any.
    samples_px: np.ndarray | None = None
    # BlazePose's relative depth in pixels (smaller = nearer the camera); coarse, used for warnings.
    depth_px: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.xy_px.shape != (LANDMARK_COUNT, 2):
            raise ValueError(f"xy_px must have shape (33, 2), got {self.xy_px.shape}")
        if self.visibility.shape != (LANDMARK_COUNT,):
            raise ValueError(f"visibility must have shape (33,), got {self.visibility.shape}")
        if self.samples_px is not None and self.samples_px.shape[1:] != (LANDMARK_COUNT, 2):
            raise ValueError(f"samples_px must have shape (k, 33, 2), got {self.samples_px.shape}")

    def point(self, landmark: Landmark) -> np.ndarray:
        return self.xy_px[landmark]

    def is_visible(self, landmark: Landmark, threshold: float) -> bool:
        """Visible enough to measure from, and inside the photo."""
        x, y = self.xy_px[landmark]
        width, height = self.image_size
        inside = 0.0 <= x < width and 0.0 <= y < height
        return inside and float(self.visibility[landmark]) >= threshold

    def with_sides_swapped(self) -> PoseLandmarks:
        """Relabel left as right and vice versa (positions stay): fixes a model that guessed the
        wrong facing, e.g. BlazePose labelling a back view as if the person faced the camera."""
        samples = None if self.samples_px is None else self.samples_px[:, MIRROR_ORDER].copy()
        depth = None if self.depth_px is None else self.depth_px[MIRROR_ORDER].copy()
        return PoseLandmarks(
            self.xy_px[MIRROR_ORDER].copy(), self.visibility[MIRROR_ORDER].copy(), self.image_size, samples, depth
        )

    def rotated(self, ccw_deg: float) -> PoseLandmarks:
        """The points as a camera rotated counter-clockwise (on screen) by `ccw_deg` would see
        them, about the photo's centre; visibility and image size are kept."""
        samples = None if self.samples_px is None else rotate_points(self.samples_px, ccw_deg, self.image_size)
        return PoseLandmarks(
            rotate_points(self.xy_px, ccw_deg, self.image_size), self.visibility.copy(), self.image_size, samples,
            self.depth_px,
        )

    def with_point_moved(self, landmark: Landmark, xy_px: tuple[float, float]) -> PoseLandmarks:
        """A person's correction of one point: placed exactly where they clicked, fully visible;
        every augmented sample agrees with it, so it adds no spread of its own."""
        xy, visibility = self.xy_px.copy(), self.visibility.copy()
        xy[landmark] = xy_px
        visibility[landmark] = 1.0
        samples = None
        if self.samples_px is not None:
            samples = self.samples_px.copy()
            samples[:, landmark] = xy_px
        return PoseLandmarks(xy, visibility, self.image_size, samples, self.depth_px)

    def to_json(self) -> dict[str, dict[str, float]]:
        return {
            lm.key: {
                "x": round(float(self.xy_px[lm, 0]), 2),
                "y": round(float(self.xy_px[lm, 1]), 2),
                "visibility": round(float(self.visibility[lm]), 3),
            }
            for lm in Landmark
        }


def rotate_points(points: np.ndarray, ccw_deg: float, image_size: tuple[int, int]) -> np.ndarray:
    """Pixel points (..., 2) as a camera rotated counter-clockwise on screen by `ccw_deg` about the
    photo's centre would see them."""
    angle = np.radians(ccw_deg)
    centre = np.array(image_size, dtype=np.float64) / 2
    # y grows down, so a counter-clockwise turn on screen is clockwise in (x, y) maths.
    matrix = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    return (np.asarray(points, dtype=np.float64) - centre) @ matrix.T + centre
