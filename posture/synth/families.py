"""Named variation families: renders that differ from the baseline generator in one way that real
photos (or renders made by someone else) differ, so a model can be trained without a family and
tested on it (`posture bench families`, leave one family out).

Every family draws people, postures, rooms and cameras as the baseline does and then changes one
thing: how the pelvic obliquity comes about, the clothes, the arms, the light or the camera. The
family's name is recorded in each render's spec (`RenderSpec.family`, in its truth file).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from posture.synth.spec import (
    Posture,
    RenderSpec,
    sample_appearance,
    sample_camera,
    sample_scene,
)

Change = Callable[[RenderSpec, np.random.Generator], RenderSpec]


@dataclass(frozen=True)
class Family:
    name: str
    varies: str  # which part of the render it changes
    description: str
    change: Change


def _same(spec: RenderSpec, rng: np.random.Generator) -> RenderSpec:
    return spec


def _mechanism(name: str) -> Change:
    def change(spec: RenderSpec, rng: np.random.Generator) -> RenderSpec:
        return replace(spec, posture=replace(spec.posture, obliquity_mechanism=name))
    return change


def _low_lumbar(spec: RenderSpec, rng: np.random.Generator) -> RenderSpec:
    """A rotated pelvis (low knee bent) undone just above it: the waist stays level."""
    return replace(spec, posture=replace(spec.posture, obliquity_mechanism="pelvis_rotation", lumbar_level="lower"))


def _clothes(long_sleeves: bool, shorts: bool, short_top: bool) -> Change:
    def change(spec: RenderSpec, rng: np.random.Generator) -> RenderSpec:
        appearance = replace(spec.appearance, long_sleeves=long_sleeves, shorts=shorts, short_top=short_top)
        return replace(spec, appearance=appearance)
    return change


def _arms_wide(spec: RenderSpec, rng: np.random.Generator) -> RenderSpec:
    """Both arms hang 12-25° out from the body (the baseline: -4 to 14°, each its own way)."""
    posture = replace(spec.posture, arm_out_left_deg=float(rng.uniform(12, 25)),
                      arm_out_right_deg=float(rng.uniform(12, 25)),
                      elbow_bend_left_deg=float(rng.uniform(0, 20)), elbow_bend_right_deg=float(rng.uniform(0, 20)))
    return replace(spec, posture=posture)


def _shadows(spec: RenderSpec, rng: np.random.Generator) -> RenderSpec:
    """A strong light from high to one side casting shadows on the wall, the floor and the body,
    little ambient light (the baseline: no cast shadows, more ambient)."""
    angle = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.6, 1.4))
    scene = replace(spec.scene, shadows=True, light_direction=(math.sin(angle), -1.0, float(rng.uniform(0.4, 1.2))),
                    light_intensity=float(rng.uniform(3.5, 5.5)), ambient=float(rng.uniform(0.12, 0.22)))
    return replace(spec, scene=scene)


def _camera_high(spec: RenderSpec, rng: np.random.Generator) -> RenderSpec:
    """The camera at 1.35-1.7 m (a hand-held phone at chest to eye height), pitched down at the
    body's middle, 2.2-3.4 m away (the baseline: 0.85-1.15 m, level)."""
    height, distance = float(rng.uniform(1.35, 1.7)), float(rng.uniform(2.2, 3.4))
    pitch = math.degrees(math.atan((height - 0.9) / distance)) + float(rng.uniform(-2, 2))
    return replace(spec, camera=replace(spec.camera, height_m=height, distance_m=distance, pitch_deg=pitch))


def _combined(spec: RenderSpec, rng: np.random.Generator) -> RenderSpec:
    """Every change at once, as renders made by someone else differ in all of them together: the
    obliquity from a rotated pelvis or a block, bare clothes, wide arms, cast shadows, a high camera."""
    mechanism = _mechanism(str(rng.choice(["pelvis_rotation", "block"])))
    for change in (mechanism, _clothes(long_sleeves=False, shorts=True, short_top=True), _arms_wide, _shadows,
                   _camera_high):
        spec = change(spec, rng)
    return spec


FAMILIES = {f.name: f for f in (
    Family("baseline", "-", "the generator as it was: a longer leg, clothes painted as sampled, level camera", _same),
    Family("obliquity_pelvis_rotation", "obliquity",
           "the pelvis rotated about the forward axis, the lumbar spine compensating, the low side's knee flexed",
           _mechanism("pelvis_rotation")),
    Family("obliquity_block", "obliquity", "legs alike, a block under the high side's foot", _mechanism("block")),
    Family("clothes_bare", "clothes", "shorts and a sleeveless crop top: bare arms, midriff and shins",
           _clothes(long_sleeves=False, shorts=True, short_top=True)),
    Family("clothes_long", "clothes", "long sleeves and full-length leggings", _clothes(True, False, False)),
    Family("arms_wide", "arms", "both arms hanging 12-25° out from the body", _arms_wide),
    Family("light_shadows", "light", "a strong side light casting shadows, little ambient light", _shadows),
    Family("camera_high", "camera", "camera at chest to eye height pitched down, 2.2-3.4 m away", _camera_high),
    Family("combined", "all", "all of the above at once (obliquity from a rotated pelvis or a block)", _combined),
    # Added last: a family's renders are drawn from (seed, its place here), so earlier ones stay as they were.
    Family("obliquity_low_lumbar", "obliquity",
           "as obliquity_pelvis_rotation, but the spine undoes it just above the pelvis, so the waist stays level",
           _low_lumbar),
)}


def family_specs(per_family: int, seed: int, names: list[str] | None = None) -> list[RenderSpec]:
    """`per_family` renders of each family, alternating front and side views (half of the sides
    from the left), named `<family>.<index>.<view>`. Each person gets an obliquity, a sagittal
    pelvic tilt and a forward head drawn over the ranges the findings need, so gains can be read."""
    specs = []
    for offset, name in enumerate(names or FAMILIES):
        rng = np.random.default_rng([seed, offset])
        for index in range(per_family):
            view = ("front", "side_right", "front", "side_left")[index % 4]
            base = RenderSpec(f"{name}.{index:03d}.{view}", family_posture(rng), sample_appearance(rng),
                              sample_scene(rng), sample_camera(rng, view), family=name)
            specs.append(FAMILIES[name].change(base, rng))
    return specs


def family_posture(rng: np.random.Generator) -> Posture:
    """A posture with an obliquity, a sagittal pelvic tilt and a forward head over the ranges the
    findings need, and arms each hanging their own way."""
    def maybe(low: float, high: float, chance: float) -> float:
        return float(rng.uniform(low, high)) if rng.uniform() < chance else 0.0

    return Posture(
        pelvic_obliquity_deg=maybe(-8, 8, 0.8), pelvic_tilt_deg=maybe(-10, 18, 0.8),
        shoulder_elevation_left_deg=maybe(0, 12, 0.25), shoulder_elevation_right_deg=maybe(0, 12, 0.25),
        forward_head_deg=maybe(0, 30, 0.7), head_tilt_deg=maybe(-8, 8, 0.2), trunk_lean_deg=maybe(-5, 5, 0.25),
        thigh_share=float(rng.uniform(0, 1)),
        arm_out_left_deg=maybe(-4, 14, 0.7), arm_out_right_deg=maybe(-4, 14, 0.7),
        elbow_bend_left_deg=maybe(0, 35, 0.5), elbow_bend_right_deg=maybe(0, 35, 0.5),
    )
