"""Render a posed body in a simple room with pyrender on the CPU (OSMesa).

The person is painted (skin, top, bottom, shoes, hair) by each vertex's dominant bone; the room is a
wall with an optional door frame, a floor, and a block under a foot when the posture needs one;
coloured markers on the skin are balls or dots of geometry (posture/synth/markers.py).
"""

from __future__ import annotations

import os

import numpy as np

from posture.synth.body import PosedBody
from posture.synth.camera import PinholeCamera
from posture.synth.markers import PlacedMarker
from posture.synth.markers import meshes as marker_meshes
from posture.synth.spec import Appearance, Scene

WALL_DISTANCE_M = 1.2  # behind the subject


def _pyrender():
    os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
    import pyrender
    import trimesh

    return pyrender, trimesh


class Renderer:
    def __init__(self, width_px: int, height_px: int) -> None:
        pyrender, _ = _pyrender()
        self._renderer = pyrender.OffscreenRenderer(width_px, height_px)

    def render(self, body: PosedBody, appearance: Appearance, scene: Scene, camera: PinholeCamera,
               markers: list[PlacedMarker] = (), marker_rgb: tuple[int, int, int] = (0, 0, 0),
               ) -> tuple[np.ndarray, np.ndarray]:
        """The photo (RGB) and its depth along the camera's axis (metres; 0 where nothing is)."""
        pyrender, trimesh = _pyrender()
        world = pyrender.Scene(bg_color=[*scene.wall_rgb, 255], ambient_light=[scene.ambient] * 3)
        colours = {
            "skin": appearance.skin_rgb, "top": appearance.top_rgb, "bottom": appearance.bottom_rgb,
            "shoe": appearance.shoe_rgb, "hair": appearance.hair_rgb or appearance.skin_rgb,
        }
        vertex_rgba = np.array([[*colours[r], 255] for r in body.regions], dtype=np.uint8)
        person = trimesh.Trimesh(body.vertices, body.faces, vertex_colors=vertex_rgba, process=False)
        world.add(pyrender.Mesh.from_trimesh(person, smooth=True))
        for box in self._room(scene, body, trimesh):
            world.add(pyrender.Mesh.from_trimesh(box, smooth=False))
        for mesh in marker_meshes(markers, marker_rgb, trimesh):
            world.add(pyrender.Mesh.from_trimesh(mesh, smooth=True))
        world.add(pyrender.PerspectiveCamera(yfov=camera.yfov_rad, aspectRatio=camera.width_px / camera.height_px),
                  pose=camera.pose)
        world.add(pyrender.DirectionalLight(color=np.ones(3), intensity=scene.light_intensity),
                  pose=_light_pose(np.array(scene.light_direction, dtype=np.float64)))
        flags = pyrender.RenderFlags.SHADOWS_DIRECTIONAL if scene.shadows else pyrender.RenderFlags.NONE
        colour, depth = self._renderer.render(world, flags=flags)
        return np.ascontiguousarray(colour[:, :, :3]), depth

    def close(self) -> None:
        self._renderer.delete()

    @staticmethod
    def _room(scene: Scene, body: PosedBody, trimesh) -> list:
        def box(extents, centre, rgb):
            mesh = trimesh.creation.box(extents=extents)
            mesh.apply_translation(centre)
            mesh.visual.vertex_colors = [*rgb, 255]
            return mesh

        wall_y = WALL_DISTANCE_M
        boxes = [
            box([12, 12, 0.02], [0, 0, -0.01], scene.floor_rgb),
            box([12, 0.02, 6], [0, wall_y + 0.01, 3], scene.wall_rgb),
        ]
        frame = tuple(max(0, c - 90) for c in scene.wall_rgb)
        for x in scene.door_frames_x_m:
            for dx in (-0.45, 0.45):  # the two jambs of a 90 cm door, 2.1 m high
                boxes.append(box([0.06, 0.04, 2.1], [x + dx, wall_y - 0.02, 1.05], frame))
            boxes.append(box([0.96, 0.04, 0.06], [x, wall_y - 0.02, 2.1], frame))
        for bx, by, height in body.blocks:
            block_rgb = tuple(min(255, c + 40) for c in scene.floor_rgb)
            boxes.append(box([0.16, 0.3, height], [bx, by, height / 2], block_rgb))
        return boxes


def _light_pose(toward_light: np.ndarray) -> np.ndarray:
    """A directional light shining from `toward_light` (it shines along its own -z)."""
    z = toward_light / np.linalg.norm(toward_light)
    x = np.cross([0.0, 0.0, 1.0], z)
    x = x / np.linalg.norm(x) if np.linalg.norm(x) > 1e-6 else np.array([1.0, 0, 0])
    y = np.cross(z, x)
    pose = np.eye(4)
    pose[:3, :3] = np.stack([x, y, z], axis=1)
    return pose
