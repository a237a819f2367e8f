"""Pose anny's body model with a posture set in degrees, and read its true joints and skin points.

anny's world: metres, z up, +x toward the subject's LEFT, the subject facing -y. Bone deltas are
rotations about each bone's head in world-aligned axes ('local-ref'); a child's world rotation is
its parent's times its own delta, so a child undoes its parent's rotation with the inverse.
Rotation signs (right-handed): about +y (pointing back), +a lowers the subject's left side and
moves a point above the pivot to the left; about +x (pointing left), +a moves a point above the
pivot forward and a point below it backward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posture.synth.spec import Posture

ARM_DOWN_DEG = 36.0  # from anny's A-pose to arms hanging ~6 deg away from the body
FOREARM_BACK_DEG = 45.0  # anny's rest elbow is bent forward; straighten it to hang by the side
LORDOSIS_BACK_FRACTION = 0.5
REST_KNEE_BEND_DEG = 8.4  # anny's rest knees are bent this much (hip-knee-ankle): straightened

# Joint centres: the head of the bone that starts at the joint.
JOINT_BONES = {
    "left_hip": "upperleg01.L", "right_hip": "upperleg01.R",
    "left_knee": "lowerleg01.L", "right_knee": "lowerleg01.R",
    "left_ankle": "foot.L", "right_ankle": "foot.R",
    "left_shoulder": "upperarm01.L", "right_shoulder": "upperarm01.R",
    "left_elbow": "lowerarm01.L", "right_elbow": "lowerarm01.R",
    "left_wrist": "wrist.L", "right_wrist": "wrist.R",
    "left_eye": "eye.L", "right_eye": "eye.R",
    "neck_base": "neck01", "head_base": "head", "pelvis_centre": "root",
}


@dataclass(frozen=True)
class PosedBody:
    vertices: np.ndarray  # (V, 3), world, floor at z = 0, turned to face the camera's view
    faces: np.ndarray  # (F, 3)
    regions: np.ndarray  # (V,) str: skin, top, bottom, shoe, hair (for painting)
    joints: dict[str, np.ndarray]  # joint centres, world
    surface: dict[str, np.ndarray]  # skin points (ASIS, PSIS, C7, tragus, acromion, trochanter, ...)
    blocks: list[tuple[float, float, float]]  # (x, y, height) of a block under a foot
    surface_normals: dict[str, np.ndarray]  # the skin's outward unit normal at each skin point


def rotation_x(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])


def rotation_y(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])


def rotation_z(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])


def bone_deltas(posture: Posture, hip_width_m: float, leg_length_m: float) -> dict[str, np.ndarray]:
    """4x4 deltas per bone for a posture (identity elsewhere): rotations in world axes, and for a
    pelvic obliquity from a leg-length difference the high side's leg lengthened so both feet stay
    on the floor."""
    rotations = bone_rotations(posture, hip_width_m, leg_length_m)
    deltas = {bone: _homogeneous(rotation) for bone, rotation in rotations.items()}
    if posture.obliquity_mechanism != "leg_length":
        return deltas
    # An anatomical leg-length difference: the high side's leg is longer, in the thigh and the
    # shank as `thigh_share` says (so the knee heights do not always give it away).
    longer = abs(hip_width_m * math.sin(math.radians(posture.pelvic_obliquity_deg)))
    side = "L" if posture.pelvic_obliquity_deg > 0 else "R"
    for bone, share in ((f"lowerleg01.{side}", posture.thigh_share), (f"foot.{side}", 1 - posture.thigh_share)):
        deltas.setdefault(bone, np.eye(4))[2, 3] = -longer * share
    return deltas


def _homogeneous(rotation: np.ndarray) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:3, :3] = rotation
    return matrix


def bone_rotations(posture: Posture, hip_width_m: float, leg_length_m: float) -> dict[str, np.ndarray]:
    """World-axis rotation deltas per bone for a posture (identity elsewhere).

    Pelvic obliquity comes about as `obliquity_mechanism` says: a longer leg (see bone_deltas), the
    low side's hip and knee flexed (`_flexed_low_leg`) or a block under the high side's foot (the legs
    alike; PosedBody places the block). A leg-length difference given in mm comes from a block too.
    """
    p = posture
    obliquity = p.pelvic_obliquity_deg + math.degrees(
        math.asin(np.clip(p.leg_length_difference_mm / 1000 / hip_width_m, -0.5, 0.5))
    )
    pelvis = rotation_y(-obliquity) @ rotation_x(p.pelvic_tilt_deg)  # + obliquity lifts the left hip
    undo_pelvis = pelvis.T
    valgus, back = p.knee_valgus_deg, p.knee_hyperextension_deg + REST_KNEE_BEND_DEG / 2
    half_undo = _half_rotation(undo_pelvis)
    rotations = {
        "root": pelvis,
        # The skin around the pelvis is bound to the lower spine bones (spine05, spine04), so they
        # move with it; the spine above compensates over two bones (the trunk stays upright
        # unless it leans).
        # Extra extension above the lumbar curve brings the shoulders back over the hips, as in a
        # lordotic stance (otherwise an anterior tilt would also push the whole trunk forward).
        "spine03": half_undo @ rotation_x(-LORDOSIS_BACK_FRACTION * p.pelvic_tilt_deg),
        "spine02": half_undo @ rotation_y(p.trunk_lean_deg),
        # Thighs stay vertical; valgus moves each knee toward the midline, hyperextension backward.
        "upperleg01.L": undo_pelvis @ rotation_y(valgus) @ rotation_x(back),
        "upperleg01.R": undo_pelvis @ rotation_y(-valgus) @ rotation_x(back),
        "lowerleg01.L": rotation_x(-2 * back) @ rotation_y(-2 * valgus),
        "lowerleg01.R": rotation_x(-2 * back) @ rotation_y(2 * valgus),
        # Clavicles raise the shoulders; the arms compensate so they still hang.
        "clavicle.L": rotation_y(-p.shoulder_elevation_left_deg),
        "clavicle.R": rotation_y(p.shoulder_elevation_right_deg),
        "upperarm01.L": rotation_y(p.shoulder_elevation_left_deg + ARM_DOWN_DEG - p.arm_out_left_deg),
        "upperarm01.R": rotation_y(-p.shoulder_elevation_right_deg - ARM_DOWN_DEG + p.arm_out_right_deg),
        "lowerarm01.L": rotation_x(FOREARM_BACK_DEG - p.elbow_bend_left_deg),
        "lowerarm01.R": rotation_x(FOREARM_BACK_DEG - p.elbow_bend_right_deg),
        "neck01": rotation_x(p.forward_head_deg),
        "head": rotation_y(-p.head_tilt_deg) @ rotation_x(-p.forward_head_deg),
    }
    if p.lumbar_level == "lower":
        rotations.update(_low_lumbar(p, obliquity))
    if p.obliquity_mechanism == "pelvis_rotation" and p.pelvic_obliquity_deg:
        rotations.update(_flexed_low_leg(p, hip_width_m, leg_length_m, back, undo_pelvis))
    return rotations


def _low_lumbar(posture: Posture, obliquity_deg: float) -> dict[str, np.ndarray]:
    """The obliquity undone by the two lumbar bones just above the pelvis (the skin of the waist is
    bound to them, so it stays level), the sagittal tilt still by the two above them."""
    half_undo_tilt = _half_rotation(rotation_x(-posture.pelvic_tilt_deg))
    return {
        "spine05": rotation_y(obliquity_deg / 2), "spine04": rotation_y(obliquity_deg / 2),
        "spine03": half_undo_tilt @ rotation_x(-LORDOSIS_BACK_FRACTION * posture.pelvic_tilt_deg),
        "spine02": half_undo_tilt @ rotation_y(posture.trunk_lean_deg),
    }


def _flexed_low_leg(
    posture: Posture, hip_width_m: float, leg_length_m: float, back_deg: float, undo_pelvis: np.ndarray,
) -> dict[str, np.ndarray]:
    """The low side's leg shortened by flexing hip and knee (thigh forward, shank back by the same
    angle, the foot kept flat), so that its foot stays on the floor beside the other."""
    side = "R" if posture.pelvic_obliquity_deg > 0 else "L"
    drop = hip_width_m * abs(math.sin(math.radians(posture.pelvic_obliquity_deg)))
    flexion = math.degrees(math.acos(max(0.0, 1.0 - drop / leg_length_m)))
    valgus = posture.knee_valgus_deg if side == "L" else -posture.knee_valgus_deg
    bent = back_deg - flexion  # + = knee back; the thigh's world pitch
    return {
        f"upperleg01.{side}": undo_pelvis @ rotation_y(valgus) @ rotation_x(bent),
        f"lowerleg01.{side}": rotation_x(-2 * bent) @ rotation_y(-2 * valgus),
        f"foot.{side}": rotation_x(bent),
    }


def _half_rotation(rotation: np.ndarray) -> np.ndarray:
    """The rotation about the same axis by half the angle."""
    angle = math.acos(np.clip((np.trace(rotation) - 1) / 2, -1.0, 1.0))
    if angle < 1e-9:
        return np.eye(3)
    axis = np.array([rotation[2, 1] - rotation[1, 2], rotation[0, 2] - rotation[2, 0],
                     rotation[1, 0] - rotation[0, 1]]) / (2 * math.sin(angle))
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    half = angle / 2
    return np.eye(3) + math.sin(half) * k + (1 - math.cos(half)) * (k @ k)


def view_yaw_deg(view: str, subject_yaw_deg: float) -> float:
    """Turn about the vertical that makes the subject show `view` to a camera at -y.
    side_right: facing +x (the image's right), the right side toward the camera."""
    base = {"front": 0.0, "back": 180.0, "side_right": 90.0, "side_left": -90.0}[view]
    return base + subject_yaw_deg


class BodyModel:
    """anny built once (the first build takes ~45 s and caches ~0.8 GB; ANNY_CACHE_DIR moves it)."""

    def __init__(self) -> None:
        import anny
        import torch

        self._torch = torch
        self.model = anny.Anny().to(dtype=torch.float32)
        self.labels = list(self.model.bone_labels)
        faces = np.asarray(self.model.faces)
        self.faces = faces if faces.shape[1] == 3 else np.concatenate([faces[:, [0, 1, 2]], faces[:, [0, 2, 3]]])
        weights = self.model.vertex_bone_weights.numpy()
        indices = self.model.vertex_bone_indices.numpy()
        self.dominant_bone = np.array(self.labels)[indices[np.arange(len(indices)), weights.argmax(axis=1)]]

    def _run(self, bone_deltas: dict[str, np.ndarray], phenotype: dict[str, float]):
        torch = self._torch
        deltas = torch.eye(4)[None, None].repeat(1, len(self.labels), 1, 1)
        for bone, delta in bone_deltas.items():
            deltas[0, self.labels.index(bone)] = torch.tensor(delta, dtype=torch.float32)
        with torch.no_grad():
            out = self.model(pose_parameters=deltas, phenotype_kwargs=phenotype)
        vertices = out["vertices"][0].numpy().astype(np.float64)
        heads = out["bone_poses"][0][:, :3, 3].numpy().astype(np.float64)
        return vertices, heads

    def pose(self, posture: Posture, phenotype: dict[str, float], view: str, subject_yaw_deg: float,
             hair: bool = True, long_sleeves: bool = False, shorts: bool = False,
             short_top: bool = False) -> PosedBody:
        rest_vertices, rest_heads = self._run({}, phenotype)
        hips = rest_heads[self._bone("upperleg01.L")] - rest_heads[self._bone("upperleg01.R")]
        hip_width = float(np.linalg.norm(hips))
        leg_length = float(np.linalg.norm(rest_heads[self._bone("upperleg01.L")] - rest_heads[self._bone("foot.L")]))
        surface_index = self._surface_vertices(rest_vertices, rest_heads)
        regions = self._regions(rest_vertices, rest_heads, hair, long_sleeves, shorts, short_top)

        vertices, heads = self._run(bone_deltas(posture, hip_width, leg_length), phenotype)
        turn = rotation_z(view_yaw_deg(view, subject_yaw_deg))
        vertices = vertices @ turn.T
        heads = heads @ turn.T
        joints = {name: heads[self._bone(bone)] for name, bone in JOINT_BONES.items()}
        surface = {name: vertices[index] for name, index in surface_index.items()}
        normals = vertex_normals(vertices, self.faces)
        surface_normals = {name: normals[index] for name, index in surface_index.items()}

        # Stand on the floor: the lower foot touches z = 0, the other gets a block if it floats.
        feet = {side: vertices[np.isin(self.dominant_bone, self._foot_bones(side))] for side in ("L", "R")}
        lowest = {side: float(points[:, 2].min()) for side, points in feet.items()}
        floor = min(lowest.values())
        shift = np.array([0.0, 0.0, -floor])
        vertices = vertices + shift
        joints = {k: v + shift for k, v in joints.items()}
        surface = {k: v + shift for k, v in surface.items()}
        blocks = []
        for side, points in feet.items():
            height = lowest[side] - floor
            if height > 0.002:
                centre = points[:, :2].mean(axis=0)
                blocks.append((float(centre[0]), float(centre[1]), height))
        return PosedBody(vertices, self.faces, regions, joints, surface, blocks, surface_normals)

    def _bone(self, name: str) -> int:
        return self.labels.index(name)

    def _foot_bones(self, side: str) -> list[str]:
        return [b for b in self.labels if b.endswith(f".{side}") and (b.startswith("foot") or b.startswith("toe"))]

    def _surface_vertices(self, vertices: np.ndarray, heads: np.ndarray) -> dict[str, int]:
        """Skin points, chosen on the rest mesh (same topology for every body shape)."""
        points = {}
        hip = heads[self._bone("upperleg01.L")]
        neck = heads[self._bone("neck01")]
        for side, sign in (("left", 1.0), ("right", -1.0)):
            hip_x = sign * abs(hip[0])
            eye = heads[self._bone(f"eye.{side[0].upper()}")]
            shoulder = heads[self._bone(f"upperarm01.{side[0].upper()}")]
            # ASIS: the most anterior point ~8 cm above the hip joint, at about its width.
            points[f"{side}_asis"] = _extreme(vertices, lambda v: -v[:, 1],
                                              (np.abs(vertices[:, 0] - hip_x) < 0.02)
                                              & (np.abs(vertices[:, 2] - (hip[2] + 0.08)) < 0.015))
            # PSIS: the most posterior point ~10 cm above, 4 cm from the midline (the sacral dimples).
            points[f"{side}_psis"] = _extreme(vertices, lambda v: v[:, 1],
                                              (np.abs(vertices[:, 0] - sign * 0.04) < 0.012)
                                              & (np.abs(vertices[:, 2] - (hip[2] + 0.10)) < 0.015))
            # Tragus: the most lateral point of the head just below eye level, 6-11 cm behind the eyes.
            points[f"{side}_tragus"] = _extreme(vertices, lambda v, s=sign: s * v[:, 0],
                                                (np.abs(vertices[:, 2] - (eye[2] - 0.025)) < 0.012)
                                                & (vertices[:, 1] > eye[1] + 0.06) & (vertices[:, 1] < eye[1] + 0.11)
                                                & (sign * vertices[:, 0] > 0))
            # Acromion: the top of the shoulder above the joint.
            points[f"{side}_acromion"] = _extreme(vertices, lambda v: v[:, 2],
                                                  (np.abs(vertices[:, 0] - shoulder[0]) < 0.02)
                                                  & (np.abs(vertices[:, 1] - shoulder[1]) < 0.03))
            points.update(self._lateral_points(vertices, heads, side, sign))
            foot = np.isin(self.dominant_bone, self._foot_bones(side[0].upper()))
            low = foot & (vertices[:, 2] < vertices[foot, 2].min() + 0.03)
            points[f"{side}_heel"] = _extreme(vertices, lambda v: v[:, 1], low)
            points[f"{side}_foot_index"] = _extreme(vertices, lambda v: -v[:, 1], low)
        # C7: the most posterior midline point at the base of the neck.
        points["c7"] = _extreme(vertices, lambda v: v[:, 1],
                                (np.abs(vertices[:, 0]) < 0.012) & (np.abs(vertices[:, 2] - (neck[2] - 0.005)) < 0.015))
        head_bone = self.dominant_bone == "head"
        points["nose"] = _extreme(vertices, lambda v: -v[:, 1], head_bone & (np.abs(vertices[:, 0]) < 0.01))
        return points

    def _lateral_points(self, vertices: np.ndarray, heads: np.ndarray, side: str, sign: float) -> dict[str, int]:
        """The leg's lateral protocol points: the most lateral skin of the leg at the level of the
        bony landmark, within a few cm of the joint centre front to back (hands and arms excluded
        by bone)."""
        s = side[0].upper()
        hip, knee, ankle = (heads[self._bone(b)] for b in (f"upperleg01.{s}", f"lowerleg01.{s}", f"foot.{s}"))
        leg = np.array([b.startswith(("upperleg", "lowerleg", "pelvis", "root", "foot")) for b in self.dominant_bone])
        near = lambda centre, dz, half, depth: (  # noqa: E731
            leg & (np.abs(vertices[:, 2] - (centre[2] + dz)) < half) & (np.abs(vertices[:, 1] - centre[1]) < depth)
            & (sign * vertices[:, 0] > 0))
        lateral = lambda v: sign * v[:, 0]  # noqa: E731
        return {
            # Greater trochanter: its lateral prominence lies ~2 cm below the hip joint centre's level.
            f"{side}_greater_trochanter": _extreme(vertices, lateral, near(hip, -0.02, 0.012, 0.03)),
            # Lateral knee joint line: at the level of the knee joint centre.
            f"{side}_knee_lateral": _extreme(vertices, lateral, near(knee, 0.0, 0.01, 0.025)),
            # Lateral malleolus: its tip ~1 cm below the ankle joint centre, on the leg's outer side.
            f"{side}_malleolus_lateral": _extreme(vertices, lateral, near(ankle, -0.01, 0.008, 0.02)),
        }

    def _regions(self, vertices, heads, hair: bool, long_sleeves: bool, shorts: bool, short_top: bool) -> np.ndarray:
        bone = self.dominant_bone
        regions = np.full(len(bone), "skin", dtype=object)
        starts = lambda *prefixes: np.array([any(b.startswith(p) for p in prefixes) for b in bone])  # noqa: E731
        regions[starts("spine", "clavicle", "shoulder", "upperarm")] = "top"
        if long_sleeves:
            regions[starts("lowerarm")] = "top"
        regions[starts("root", "pelvis", "upperleg")] = "bottom"
        if short_top:  # sleeveless and cropped: bare arms, a bare midriff above a straight waistband
            hip_z, neck_z = heads[self._bone("upperleg01.L")][2], heads[self._bone("neck01")][2]
            height = (vertices[:, 2] - hip_z) / (neck_z - hip_z)  # 0 at the hip joints, 1 at the neck
            trunk = starts("spine", "root", "pelvis")
            regions[starts("upperarm")] = "skin"
            regions[trunk & (height >= 0.2) & (height < 0.45)] = "skin"
            regions[trunk & (height < 0.2)] = "bottom"
        if not shorts:
            regions[starts("lowerleg")] = "bottom"
        regions[starts("foot", "toe")] = "shoe"
        if hair:
            eye = heads[self._bone("eye.L")]
            scalp = starts("head") & ((vertices[:, 2] > eye[2] + 0.045) | (vertices[:, 1] > eye[1] + 0.11))
            regions[scalp] = "hair"
        return regions.astype(str)


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Outward unit normals per vertex: the area-weighted normals of the faces around it."""
    corners = vertices[faces]
    face_normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    normals = np.zeros_like(vertices)
    for corner in range(3):
        np.add.at(normals, faces[:, corner], face_normals)
    return normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)


def _extreme(vertices: np.ndarray, score, mask: np.ndarray) -> int:
    candidates = np.flatnonzero(mask)
    if len(candidates) == 0:
        raise ValueError("no mesh vertex matches a surface-point rule")
    return int(candidates[np.argmax(score(vertices[candidates]))])

