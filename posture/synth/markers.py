"""Coloured markers on the rendered body (marker mode, docs/markers.md): where each sits, the
geometry the renderer draws, and the truth a render records about them.

A ball of the given diameter touches the skin at the protocol point (its centre one radius out
along the skin's normal); a flat dot lies on the skin, 1 mm thick. Both are geometry, so they shade,
are hidden by an arm or the body and vanish edge-on. The truth is each centre projected into the
photo, how much of it the camera sees (from the rendered depth), and the measurements the product
reads between the markers (MARKER_LINES), with the centres as a level camera sees them; lengths in
% of the body's true height as that camera sees it at the markers' depth (`level_stature_px`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from posture.assessment.measurements import between_markers
from posture.assessment.views import View
from posture.synth.body import PosedBody
from posture.synth.camera import PinholeCamera, make_camera
from posture.synth.spec import MARKER_POINTS, Appearance, Markers, RenderSpec
from posture.vision.markers import MarkerColour, colour_mask, protocol_names

DOT_THICKNESS_M = 0.001
# Marker colours as craft balls and office dots have them (the detector's names).
MARKER_RGB = {"red": (215, 25, 35), "orange": (245, 120, 15), "yellow": (240, 215, 35), "green": (35, 190, 70),
              "blue": (35, 70, 220), "magenta": (210, 35, 190), "white": (245, 245, 245)}
@dataclass(frozen=True)
class PlacedMarker:
    name: str
    centre: np.ndarray  # world, metres
    normal: np.ndarray  # the skin's outward normal under it
    radius_m: float
    shape: str


def surface_key(name: str) -> str:
    """The body's skin point under a protocol marker: asis_left -> left_asis, c7 -> c7."""
    if name.endswith(("_left", "_right")):
        base, side = name.rsplit("_", 1)
        return f"{side}_{base}"
    return name


def protocol_points(view: str) -> tuple[str, ...]:
    """The protocol's markers for a view (the detector's own list), the near side in profiles."""
    return protocol_names(View(view), "right" if view == "side_right" else "left")


def place(body: PosedBody, markers: Markers) -> list[PlacedMarker]:
    radius = markers.diameter_mm / 2000
    placed = []
    for name in markers.points:
        skin, normal = body.surface[surface_key(name)], body.surface_normals[surface_key(name)]
        lift = radius if markers.shape == "ball" else DOT_THICKNESS_M / 2
        placed.append(PlacedMarker(name, skin + normal * lift, normal, radius, markers.shape))
    return placed


def meshes(placed: list[PlacedMarker], rgb: tuple[int, int, int], trimesh) -> list:
    """A sphere or a thin disc per marker, coloured."""
    out = []
    for marker in placed:
        if marker.shape == "ball":
            mesh = trimesh.creation.icosphere(subdivisions=3, radius=marker.radius_m)
        else:
            mesh = trimesh.creation.cylinder(radius=marker.radius_m, height=DOT_THICKNESS_M, sections=32)
            mesh.apply_transform(trimesh.geometry.align_vectors([0.0, 0.0, 1.0], marker.normal))
        mesh.apply_translation(marker.centre)
        mesh.visual.vertex_colors = [*rgb, 255]
        out.append(mesh)
    return out


def visible_share(marker: PlacedMarker, camera: PinholeCamera, depth: np.ndarray) -> float:
    """The share of the marker's projected disc where the rendered depth is the marker's own
    (nothing in front of it): 1 in the open, 0 behind an arm or the body."""
    centre_depth = float(camera.depth(marker.centre))
    u, v = camera.project(marker.centre)
    radius_px = camera.focal_px * marker.radius_m / centre_depth
    ys, xs = np.mgrid[0:depth.shape[0], 0:depth.shape[1]]
    disc = (xs + 0.5 - u) ** 2 + (ys + 0.5 - v) ** 2 <= max(radius_px, 1.0) ** 2
    if not disc.any():
        return 0.0
    own = np.abs(depth[disc] - centre_depth) <= marker.radius_m + 0.004
    return float(own.mean())


def truth(placed: list[PlacedMarker], camera: PinholeCamera, level_camera: PinholeCamera, depth: np.ndarray,
          view: str, stature_px: float) -> dict:
    """Per marker: its centre in the photo, as a level camera sees it, its diameter in pixels and
    how much of it is seen; and the measurements between the markers (level camera; `stature_px`:
    the body's height as it sees it, see `level_stature_px`)."""
    records = {}
    for marker in placed:
        centre_depth = float(camera.depth(marker.centre))
        records[marker.name] = {
            "xy": [round(float(c), 3) for c in camera.project(marker.centre)],
            "xy_level": [round(float(c), 3) for c in level_camera.project(marker.centre)],
            "diameter_px": round(2 * camera.focal_px * marker.radius_m / centre_depth, 2),
            "visible": round(visible_share(marker, camera, depth), 3),
        }
    level = {name: np.array(record["xy_level"]) for name, record in records.items()}
    return {"markers": records, "marker_stature_px": round(stature_px, 3),
            "marker_measurements": marker_measurements(level, View(view), stature_px)}


def level_stature_px(record: dict) -> float:
    """The body's true height in pixels as the level camera sees it at the median depth of the
    skin points under the render's markers: what "% of the body height" means for lengths read
    between them (the analyzer estimates it from the pose model's eyes and feet instead). From a
    render's truth record (spec, stature, skin points), so renders made before it have it too."""
    spec = RenderSpec.from_json(record["spec"])
    level_camera = make_camera(replace(spec.camera, roll_deg=0.0, pitch_deg=0.0), record["stature_m"])
    skin = np.array([record["surface_3d"][surface_key(name)] for name in spec.markers.points])
    return level_camera.focal_px * record["stature_m"] / float(np.median(level_camera.depth(skin)))


def marker_measurements(centres: dict[str, np.ndarray], view: View, stature_px: float) -> dict[str, float]:
    """The product's marker measurements on the given centres (the side view's near side: the
    camera's side)."""
    near = "right" if view is View.SIDE_RIGHT else "left"
    return {mid: round(value, 4) for mid, value in between_markers(centres, view, near, stature_px).items()}


def sample_markers(rng: np.random.Generator, view: str, appearance: Appearance) -> Markers:
    """Markers of one colour that stands out from the clothes (the protocol: never on a garment of
    their own colour; white only over a dark top), 10-20 mm, balls or (front and back) flat dots;
    the view's protocol points, in one render in five one or two of them left off, in one in six
    every point of every view (the markers of a whole session)."""
    garments = (appearance.top_rgb, appearance.bottom_rgb)
    dark_top = max(appearance.top_rgb) < 80
    choices = [c for c in MARKER_RGB if (c != "white" or dark_top)
               and not any(colour_class(rgb) == c for rgb in garments)]
    colour = choices[int(rng.integers(len(choices)))]
    points = list(protocol_points(view))
    draw = rng.uniform()
    if draw < 0.2:
        for _ in range(int(rng.integers(1, 3))):
            points.pop(int(rng.integers(len(points))))
    elif draw < 0.37:
        points = list(MARKER_POINTS)
    shape = "dot" if view in ("front", "back") and rng.uniform() < 0.3 else "ball"
    return Markers(colour, MARKER_RGB[colour], float(rng.uniform(10, 20)), shape, tuple(points))


def colour_class(rgb: tuple[int, int, int]) -> str | None:
    """The marker colour the detector would call this colour, if any (markers.json's HSV ranges)."""
    hsv = cv2.cvtColor(np.array([[rgb]], np.uint8), cv2.COLOR_RGB2HSV)
    return next((c.value for c in MarkerColour if colour_mask(hsv, c)[0, 0]), None)


def coloured_top(rng: np.random.Generator, appearance: Appearance) -> tuple[Appearance, str]:
    """A top (and in one render in three the bottoms too) of a marker colour, for renders that
    must give no marker."""
    colour = [c for c in MARKER_RGB if c != "white"][int(rng.integers(len(MARKER_RGB) - 1))]
    shade = float(rng.uniform(0.75, 1.0))
    rgb = tuple(int(c * shade) for c in MARKER_RGB[colour])
    bottom = rgb if rng.uniform() < 0.33 else appearance.bottom_rgb
    return replace(appearance, top_rgb=rgb, bottom_rgb=bottom), colour
