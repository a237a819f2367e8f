"""The examiner's zoomed view: a square of the photo around a point, enlarged, so a click lands
within a pixel or two of the photo; and the click mapped back to photo pixels exactly.

Why a pure module: the mapping is the one thing examiner mode must get exactly right (a point a
few pixels off is a degree off on a short ASIS-PSIS line), so it is drawn and mapped by the same
numbers, and tested without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from posture.vision.drawing import RGB

VIEW_WIDTH_PX = 640  # the zoomed image's width as sent to the browser (it is shown stretched to its column)
ZOOM_LEVELS = {"Whole photo": 1.0, "×3": 3.0, "×6": 6.0, "×12": 12.0}
DEFAULT_ZOOM = "×6"  # a sixth of the photo's long side: a torso's width, so the point is in it


@dataclass(frozen=True)
class ZoomWindow:
    """The part of the upright photo a view shows, in upright-photo pixels."""

    left: float
    top: float
    width: float
    height: float

    @classmethod
    def around(cls, centre: tuple[float, float], photo_size: tuple[int, int], factor: float) -> ZoomWindow:
        """A square `factor` times smaller than the photo's long side (never larger than its short
        side), centred on `centre` and slid back inside the photo at its edges; factor 1: the whole
        photo."""
        width, height = photo_size
        if factor <= 1.0:
            return cls(0.0, 0.0, float(width), float(height))
        side = min(max(width, height) / factor, width, height)
        left = float(np.clip(centre[0] - side / 2, 0.0, width - side))
        top = float(np.clip(centre[1] - side / 2, 0.0, height - side))
        return cls(left, top, side, side)

    def to_photo(self, xy_shown: tuple[float, float], shown_width: float) -> tuple[float, float]:
        """A click at `xy_shown` on the view shown `shown_width` pixels wide, in photo pixels."""
        per_shown = self.width / shown_width
        return self.left + xy_shown[0] * per_shown, self.top + xy_shown[1] * per_shown

    def to_view(self, xy_photo: tuple[float, float], shown_width: float) -> tuple[float, float]:
        """Where a photo point lies on the view shown `shown_width` pixels wide."""
        per_photo = shown_width / self.width
        return (xy_photo[0] - self.left) * per_photo, (xy_photo[1] - self.top) * per_photo

    def contains(self, xy_photo: tuple[float, float]) -> bool:
        return self.left <= xy_photo[0] <= self.left + self.width and self.top <= xy_photo[1] <= self.top + self.height


@dataclass(frozen=True)
class ShownPoint:
    label: str  # its short name ("ASIS", "C7", "left hip")
    xy_px: tuple[float, float]  # upright-photo pixels
    colour: RGB
    chosen: bool = False  # the point a click places: a cross-hair instead of a ring


def zoomed_view(rgb: np.ndarray, photo_size: tuple[int, int], window: ZoomWindow, points: Sequence[ShownPoint],
                width_px: int = VIEW_WIDTH_PX) -> np.ndarray:
    """The window of `rgb` (the working copy, any size) enlarged to `width_px`, every point in it
    drawn with its name. One affine map from photo pixels to the view draws it, and
    `ZoomWindow.to_photo` is that map's inverse."""
    per_photo = width_px / window.width
    work_per_photo = rgb.shape[1] / photo_size[0]
    # view = (work / work_per_photo - left) * per_photo, in positions where a pixel's centre is its
    # index + 0.5 (the pose model's and the markers'); warpAffine maps indices, hence the half pixels.
    scale = per_photo / work_per_photo
    half = 0.5 * scale - 0.5
    matrix = np.array([[scale, 0.0, half - window.left * per_photo], [0.0, scale, half - window.top * per_photo]])
    height_px = round(window.height * per_photo)
    view = cv2.warpAffine(np.ascontiguousarray(rgb), matrix, (width_px, height_px), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)
    for point in points:
        if window.contains(point.xy_px):
            _mark(view, window.to_view(point.xy_px, width_px), point)
    return view


def _mark(view: np.ndarray, xy: tuple[float, float], point: ShownPoint) -> None:
    """A ring (a cross-hair for the chosen point) in the point's colour on a dark outline, and its name."""
    centre = (round(xy[0]), round(xy[1]))
    radius = max(8, view.shape[1] // 30)  # around a marker ball of 10-20 mm at the default zoom
    if point.chosen:
        for a, b in (((-2 * radius, 0), (-radius // 2, 0)), ((radius // 2, 0), (2 * radius, 0)),
                     ((0, -2 * radius), (0, -radius // 2)), ((0, radius // 2), (0, 2 * radius))):
            start, end = (centre[0] + a[0], centre[1] + a[1]), (centre[0] + b[0], centre[1] + b[1])
            cv2.line(view, start, end, (0, 0, 0), 5, cv2.LINE_AA)
            cv2.line(view, start, end, point.colour, 2, cv2.LINE_AA)
    else:
        cv2.circle(view, centre, radius, (0, 0, 0), 4, cv2.LINE_AA)
        cv2.circle(view, centre, radius, point.colour, 2, cv2.LINE_AA)
    # The name centred on the point, inside the view (read ~11 px tall at 400 px wide): the chosen
    # point's above its cross-hair, the others' below their ring, so two points close together
    # (C7 and the acromion in a profile) keep their names apart.
    size = view.shape[1] / VIEW_WIDTH_PX
    (width, height), _ = cv2.getTextSize(point.label, cv2.FONT_HERSHEY_SIMPLEX, 0.8 * size, 2)
    x = centre[0] - width // 2
    y = centre[1] - 2 * radius - 6 if point.chosen else centre[1] + radius + height + 6
    origin = (int(np.clip(x, 2, view.shape[1] - width - 2)), int(np.clip(y, height + 2, view.shape[0] - 4)))
    cv2.putText(view, point.label, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.8 * size, (0, 0, 0), 5, cv2.LINE_AA)
    cv2.putText(view, point.label, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.8 * size, point.colour, 2, cv2.LINE_AA)
