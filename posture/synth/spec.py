"""What one render shows: the posture (set exactly), the person's look, the scene and the camera.

Plain dataclasses with JSON round-trips, sampled reproducibly from a seed. No torch here, so the
benchmark and the tests can read specs without the generator's heavy dependencies.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import numpy as np

VIEWS = ("front", "back", "side_left", "side_right")
# leg_length: one leg longer (thigh and shank as Posture.thigh_share says); pelvis_rotation: the
# pelvis rotated about the forward axis, the lumbar spine compensating and the low side's knee
# flexing so both feet stay down; block: legs alike, a block under the high side's foot.
OBLIQUITY_MECHANISMS = ("leg_length", "pelvis_rotation", "block")


@dataclass(frozen=True)
class Posture:
    """Deviations from a neutral stance, in degrees (mm for the block). Signs follow the
    product's measurement conventions: + = the subject's LEFT side higher / toward the left."""

    pelvic_obliquity_deg: float = 0.0  # + = left hip higher, produced as `obliquity_mechanism` says
    # How the obliquity comes about, both feet on the floor each way (OBLIQUITY_MECHANISMS).
    obliquity_mechanism: str = "leg_length"
    # Where the spine undoes an obliquity: "upper" (spine03/02: the waist tilts with the pelvis) or
    # "lower" (spine05/04, just above the pelvis: the waist stays level, only the pelvis tilts).
    lumbar_level: str = "upper"
    pelvic_tilt_deg: float = 0.0  # + = anterior; the lumbar spine and thighs compensate
    shoulder_elevation_left_deg: float = 0.0  # clavicle raised
    shoulder_elevation_right_deg: float = 0.0
    forward_head_deg: float = 0.0  # neck flexed forward, head extended back to keep the gaze level
    head_tilt_deg: float = 0.0  # + = left ear higher
    trunk_lean_deg: float = 0.0  # + = trunk leans to the subject's left
    knee_valgus_deg: float = 0.0  # + = both knees toward the midline (bend at the knee)
    knee_hyperextension_deg: float = 0.0  # + = knees pushed back past straight
    leg_length_difference_mm: float = 0.0  # + = left leg longer (block under the left foot)
    thigh_share: float = 0.5  # of the longer leg behind a pelvic obliquity, how much is in the thigh
    # Not postures but how the arms happen to hang, which the tilt readings must ignore.
    arm_out_left_deg: float = 0.0  # + = the arm hangs further from the body
    arm_out_right_deg: float = 0.0
    elbow_bend_left_deg: float = 0.0  # + = forearm forward
    elbow_bend_right_deg: float = 0.0


@dataclass(frozen=True)
class Appearance:
    # anny phenotype, each in [0, 1]: gender (0 female, 1 male), age, muscle, weight, height, proportions.
    phenotype: dict[str, float] = field(default_factory=lambda: {
        "gender": 0.5, "age": 0.5, "muscle": 0.5, "weight": 0.5, "height": 0.5, "proportions": 0.5,
    })
    skin_rgb: tuple[int, int, int] = (200, 160, 130)
    top_rgb: tuple[int, int, int] = (60, 90, 150)
    bottom_rgb: tuple[int, int, int] = (40, 40, 50)
    shoe_rgb: tuple[int, int, int] = (30, 30, 30)
    hair_rgb: tuple[int, int, int] | None = (50, 35, 25)
    long_sleeves: bool = False
    shorts: bool = False
    short_top: bool = False  # bare upper arms and midriff (a sleeveless crop top); with shorts: bare thighs too


@dataclass(frozen=True)
class Scene:
    wall_rgb: tuple[int, int, int] = (225, 220, 210)
    floor_rgb: tuple[int, int, int] = (150, 135, 120)
    door_frames_x_m: tuple[float, ...] = (1.0,)  # centres of 90 cm door frames, right of the subject
    light_direction: tuple[float, float, float] = (0.3, -1.0, 0.6)  # toward the light, world axes
    light_intensity: float = 3.0
    ambient: float = 0.35
    shadows: bool = False  # the light casts shadows (the body's on the wall and floor, the arms' on the trunk)


@dataclass(frozen=True)
class Camera:
    view: str = "front"
    distance_m: float = 3.0
    height_m: float = 1.0
    subject_yaw_deg: float = 0.0  # the subject turned from the view's ideal direction (+ = toward their left)
    roll_deg: float = 0.0  # the photo rotated counter-clockwise on screen by this much
    pitch_deg: float = 0.0  # + = the camera looks down
    width_px: int = 720
    height_px: int = 1280


# Marker mode's protocol points (posture/vision/markers.py names them the same way).
MARKER_POINTS = ("c7", "tragus_left", "tragus_right", "acromion_left", "acromion_right", "asis_left", "asis_right",
                 "psis_left", "psis_right", "greater_trochanter_left", "greater_trochanter_right",
                 "knee_lateral_left", "knee_lateral_right", "malleolus_lateral_left", "malleolus_lateral_right")


@dataclass(frozen=True)
class Markers:
    """Coloured markers on the skin at protocol points (docs/markers.md): balls, or flat dots
    (office stickers; front and back points only, they vanish edge-on in a profile)."""

    colour: str  # the detector's name for it: red, orange, yellow, green, blue, magenta, white
    rgb: tuple[int, int, int]
    diameter_mm: float = 15.0
    shape: str = "ball"  # "ball" or "dot"
    points: tuple[str, ...] = ()  # MARKER_POINTS that carry one


@dataclass(frozen=True)
class RenderSpec:
    name: str
    posture: Posture = field(default_factory=Posture)
    appearance: Appearance = field(default_factory=Appearance)
    scene: Scene = field(default_factory=Scene)
    camera: Camera = field(default_factory=Camera)
    family: str = "baseline"  # the variation family it was drawn from (posture/synth/families.py)
    markers: Markers | None = None  # coloured markers on the skin (marker mode), none by default

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> RenderSpec:
        def build(kind, values):
            names = {f.name for f in fields(kind)}
            return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in names})

        return cls(
            name=data["name"],
            posture=build(Posture, data["posture"]),
            appearance=build(Appearance, data["appearance"]),
            scene=build(Scene, data["scene"]),
            camera=build(Camera, data["camera"]),
            family=data.get("family", "baseline"),
            markers=build(Markers, data["markers"]) if data.get("markers") else None,
        )


SKIN_TONES = ((255, 224, 196), (234, 192, 160), (205, 160, 125), (170, 120, 85), (120, 80, 55), (80, 55, 40))
CLOTHES = ((60, 90, 150), (150, 40, 40), (40, 40, 50), (220, 220, 220), (90, 110, 60), (200, 170, 90),
           (20, 20, 20), (120, 60, 120), (70, 130, 160), (170, 170, 180))
HAIR = ((20, 15, 10), (60, 40, 25), (120, 85, 45), (200, 170, 110), (140, 140, 140), None)


def sample_appearance(rng: np.random.Generator) -> Appearance:
    phenotype = {
        "gender": float(rng.uniform(0, 1)), "age": float(rng.uniform(0.35, 0.85)),
        "muscle": float(rng.uniform(0.2, 0.8)), "weight": float(rng.uniform(0.2, 0.8)),
        "height": float(rng.uniform(0.3, 0.7)), "proportions": float(rng.uniform(0.3, 0.7)),
    }
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    return Appearance(
        phenotype=phenotype, skin_rgb=pick(SKIN_TONES), top_rgb=pick(CLOTHES), bottom_rgb=pick(CLOTHES),
        shoe_rgb=pick(CLOTHES[2:3] + CLOTHES[6:7] + CLOTHES[3:4]), hair_rgb=pick(HAIR),
        long_sleeves=bool(rng.uniform() < 0.4), shorts=bool(rng.uniform() < 0.3),
    )


def sample_scene(rng: np.random.Generator) -> Scene:
    wall = tuple(int(v) for v in rng.integers(150, 245, 3))
    floor = tuple(int(v) for v in rng.integers(70, 190, 3))
    angle = rng.uniform(-0.9, 0.9)
    return Scene(
        wall_rgb=wall, floor_rgb=floor,
        door_frames_x_m=_door_frames(rng),
        light_direction=(float(np.sin(angle)), -1.0, float(rng.uniform(0.3, 1.0))),
        light_intensity=float(rng.uniform(2.0, 4.0)), ambient=float(rng.uniform(0.25, 0.45)),
    )


def _door_frames(rng: np.random.Generator) -> tuple[float, ...]:
    """None (a plain wall), one, or two door frames beside the subject. A portrait photo from 3 m
    shows only ~0.85 m of wall either side, so a door is placed where its inner jamb shows beside
    the body (0.4-0.75 m out) rather than behind it."""
    count = int(rng.choice([0, 1, 2], p=[0.3, 0.4, 0.3]))
    sides = rng.permutation([-1.0, 1.0])[:count]
    return tuple(float(side * rng.uniform(0.85, 1.2)) for side in sides)


def sample_camera(rng: np.random.Generator, view: str, roll_deg: float = 0.0) -> Camera:
    return Camera(
        view=view, distance_m=float(rng.uniform(2.6, 3.4)), height_m=float(rng.uniform(0.85, 1.15)),
        subject_yaw_deg=float(rng.uniform(-3, 3)), roll_deg=roll_deg,
    )
