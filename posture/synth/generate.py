"""Render sets of people with known posture: images plus a `.truth.json` each.

    python -m posture.synth.generate fixed   --out tests/data/synth     # the small set the tests score
    python -m posture.synth.generate samples --out samples             # the README's samples
    python -m posture.synth.generate random  --out DIR --count 200 --seed 1
    python -m posture.synth.generate obliquity --out DIR                   # 3° vs level, 30 people
    python -m posture.synth.generate pairs     --out DIR [--family NAME]   # posture changes, 10 people
    python -m posture.synth.generate confounders --out DIR                 # level pelvis, leaning trunk etc.
    python -m posture.synth.generate families  --out DIR --count 12 --seed 1  # per variation family
    python -m posture.synth.generate markers   --out DIR --count 160 --seed 1  # marker mode, + no-marker renders

Reproducible: the same command gives the same specs (and, on the same software, the same pixels).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from posture.synth.families import FAMILIES, family_posture, family_specs
from posture.synth.spec import (
    VIEWS,
    Posture,
    RenderSpec,
    sample_appearance,
    sample_camera,
    sample_scene,
)

# Postures with one clear finding each (and a neutral one), the core of the fixed set.
NAMED_POSTURES: dict[str, Posture] = {
    "neutral": Posture(),
    "left_hip_high_6": Posture(pelvic_obliquity_deg=6.0),
    "right_hip_high_3": Posture(pelvic_obliquity_deg=-3.0),
    "right_shoulder_high": Posture(shoulder_elevation_right_deg=14.0),
    "forward_head": Posture(forward_head_deg=25.0),
    "anterior_tilt_12": Posture(pelvic_tilt_deg=12.0),
    "posterior_tilt_8": Posture(pelvic_tilt_deg=-8.0),
    "lean_right": Posture(trunk_lean_deg=-5.0),
    "head_tilt_left": Posture(head_tilt_deg=-8.0),
    "knee_valgus": Posture(knee_valgus_deg=7.0),
    "knee_hyperextension": Posture(knee_hyperextension_deg=6.0),
    "upper_crossed": Posture(forward_head_deg=25.0, shoulder_elevation_left_deg=4.0),
}


def fixed_specs(seed: int = 7) -> list[RenderSpec]:
    """Each named posture from the front and from one side (alternating), two back views, and
    two rolled cameras: 28 renders with varied bodies, clothes, light and rooms."""
    rng = np.random.default_rng(seed)
    specs = []
    for index, (name, posture) in enumerate(NAMED_POSTURES.items()):
        for view in ("front", "side_right" if index % 2 == 0 else "side_left"):
            specs.append(_spec(f"{name}.{view}", posture, view, rng))
    for name in ("left_hip_high_6", "right_shoulder_high"):
        specs.append(_spec(f"{name}.back", NAMED_POSTURES[name], "back", rng))
    for name, roll in (("neutral", 3.0), ("left_hip_high_6", -3.0)):
        rolled = _spec(f"{name}.front.roll{roll:+.0f}", NAMED_POSTURES[name], "front", rng)
        specs.append(replace(rolled, scene=replace(rolled.scene, door_frames_x_m=(-1.0, 1.0)),
                             camera=replace(rolled.camera, roll_deg=roll)))
    return specs


def sample_specs(seed: int = 11) -> list[RenderSpec]:
    """The README's samples: front and side of a neutral person and of three people with clear
    findings, one folder per person."""
    rng = np.random.default_rng(seed)
    chosen = {
        "neutral": Posture(),
        "high_left_hip": Posture(pelvic_obliquity_deg=9.0),
        "forward_head": Posture(forward_head_deg=28.0, shoulder_elevation_right_deg=22.0),
        "anterior_tilt": Posture(pelvic_tilt_deg=14.0),
    }
    specs = []
    for name, posture in chosen.items():
        appearance, scene = sample_appearance(rng), sample_scene(rng)
        for view in ("front", "side_right"):
            specs.append(RenderSpec(f"{name}/{view}", posture, appearance, scene, sample_camera(rng, view)))
    return specs


def random_specs(count: int, seed: int) -> list[RenderSpec]:
    """Random postures (each deviation present with some probability) in random views."""
    rng = np.random.default_rng(seed)
    specs = []
    for index in range(count):
        def maybe(low: float, high: float, chance: float = 0.35) -> float:
            return float(rng.uniform(low, high)) if rng.uniform() < chance else 0.0

        posture = Posture(
            pelvic_obliquity_deg=maybe(-8, 8), pelvic_tilt_deg=maybe(-10, 20),
            shoulder_elevation_left_deg=maybe(0, 15, 0.2), shoulder_elevation_right_deg=maybe(0, 15, 0.2),
            forward_head_deg=maybe(0, 30), head_tilt_deg=maybe(-10, 10, 0.25),
            trunk_lean_deg=maybe(-6, 6, 0.25), knee_valgus_deg=maybe(-6, 10, 0.2),
            knee_hyperextension_deg=maybe(0, 8, 0.2), thigh_share=float(rng.uniform(0, 1)),
            # Each arm hangs its own way, so no model can lean on arms being symmetric.
            arm_out_left_deg=maybe(-4, 14, 0.7), arm_out_right_deg=maybe(-4, 14, 0.7),
            elbow_bend_left_deg=maybe(0, 35, 0.5), elbow_bend_right_deg=maybe(0, 35, 0.5),
        )
        view = VIEWS[int(rng.integers(len(VIEWS)))]
        roll = float(rng.uniform(-3, 3)) if rng.uniform() < 0.3 else 0.0
        specs.append(_spec(f"random{index:05d}.{view}", posture, view, rng, roll))
    return specs


def obliquity_specs(seed: int = 303) -> list[RenderSpec]:
    """Can a 3° pelvic obliquity be told from a level pelvis? 10 left-high, 10 right-high and 10
    level people from the front, each a different body, outfit, room and camera."""
    rng = np.random.default_rng(seed)
    return [
        _spec(f"obliquity{degrees:+.0f}.{index:02d}.front",
              Posture(pelvic_obliquity_deg=degrees, thigh_share=float(rng.uniform(0, 1))), "front", rng)
        for degrees in (3.0, -3.0, 0.0)
        for index in range(10)
    ]


def confounder_specs(seed: int = 505) -> list[RenderSpec]:
    """Does the hip model read the pelvis, or what usually goes with an obliquity? 40 people from
    the front with a level pelvis: 10 with the trunk leaning 5° to one side, 10 with one shoulder
    raised 12°, 10 with both (the lean away from the raised shoulder), 10 with one arm hanging 12°
    out and its elbow bent 30°, the other straight by the side."""
    rng = np.random.default_rng(seed)
    postures = []
    for index in range(10):
        side = 1.0 if index % 2 == 0 else -1.0
        raised = {"shoulder_elevation_left_deg" if side > 0 else "shoulder_elevation_right_deg": 12.0}
        postures += [
            (f"lean{index:02d}", Posture(trunk_lean_deg=5.0 * side)),
            (f"shoulder{index:02d}", Posture(**raised)),
            (f"both{index:02d}", Posture(trunk_lean_deg=-5.0 * side, **raised)),
            (f"arms{index:02d}", Posture(**({"arm_out_left_deg": 12.0, "elbow_bend_left_deg": 30.0} if side > 0
                                            else {"arm_out_right_deg": 12.0, "elbow_bend_right_deg": 30.0}))),
        ]
    return [_spec(f"{name}.front", posture, "front", rng) for name, posture in postures]


PAIRED_POSTURES = {
    "neutral": Posture(),
    "forward_head": Posture(forward_head_deg=20.0),
    "anterior_tilt": Posture(pelvic_tilt_deg=10.0),
}


def paired_specs(seed: int = 404, people: int = 10, family: str | None = None) -> list[RenderSpec]:
    """Changes between postures of the same person: each person (body, outfit, room, camera) in
    profile neutral, with a forward head, and with an anterior pelvic tilt; with `family`, each
    person changed as that variation family changes a render (the same draw for all three
    postures, so only the posture differs), to measure changes on families the models never saw."""
    rng = np.random.default_rng(seed)
    specs = []
    for index in range(people):
        person = _spec("", Posture(), "side_right" if index % 2 == 0 else "side_left", rng)
        for name, posture in PAIRED_POSTURES.items():
            spec = replace(person, name=f"pair{index:02d}.{name}.{person.camera.view}", posture=posture)
            if family is not None:
                spec = replace(FAMILIES[family].change(spec, np.random.default_rng([seed, index])), name=spec.name,
                               family=family)
            specs.append(spec)
    return specs


def marker_specs(count: int, seed: int) -> list[RenderSpec]:
    """Marker mode's renders: `count` people with markers, each drawn as a variation family draws
    it (the families in turn, so light, clothes, arms and camera vary), the markers' colour, size,
    shape and points as `sample_markers` says; then a quarter as many without markers but in a top
    (sometimes trousers too) of a marker colour, which must give no marker."""
    from posture.synth.markers import coloured_top, sample_markers

    rng = np.random.default_rng([seed, 15])
    names = list(FAMILIES)
    specs = []
    for index in range(count + count // 4):
        family = FAMILIES[names[index % len(names)]]
        view = ("front", "side_right", "back", "side_left")[index % 4]
        posture = family_posture(rng)
        base = RenderSpec("", posture, sample_appearance(rng), sample_scene(rng), sample_camera(rng, view),
                          family=family.name)
        spec = family.change(base, rng)
        if index < count:
            spec = replace(spec, name=f"marked{index:04d}.{family.name}.{view}",
                           markers=sample_markers(rng, view, spec.appearance))
        else:
            appearance, colour = coloured_top(rng, spec.appearance)
            spec = replace(spec, name=f"unmarked{index - count:04d}.{colour}_top.{view}", appearance=appearance)
        specs.append(spec)
    return specs


def _spec(name: str, posture: Posture, view: str, rng: np.random.Generator, roll: float = 0.0) -> RenderSpec:
    return RenderSpec(name, posture, sample_appearance(rng), sample_scene(rng), sample_camera(rng, view, roll))


def render_specs(specs: list[RenderSpec], out: Path, quality: int = 90) -> None:
    from posture.synth import markers as marker_geometry
    from posture.synth.body import BodyModel
    from posture.synth.camera import make_camera
    from posture.synth.render import Renderer
    from posture.synth.truth import truth_record

    out.mkdir(parents=True, exist_ok=True)
    body_model = BodyModel()
    started = time.perf_counter()
    for index, spec in enumerate(specs, start=1):
        a = spec.appearance
        body = body_model.pose(spec.posture, a.phenotype, spec.camera.view, spec.camera.subject_yaw_deg,
                               hair=a.hair_rgb is not None, long_sleeves=a.long_sleeves, shorts=a.shorts,
                               short_top=a.short_top)
        stature = float(body.vertices[:, 2].max())
        camera = make_camera(spec.camera, stature)
        # A fresh renderer each time: one kept across renders grew by ~20 MB per image (pyrender with
        # OSMesa) and was killed out of memory after ~1200 renders.
        renderer = Renderer(spec.camera.width_px, spec.camera.height_px)
        placed = marker_geometry.place(body, spec.markers) if spec.markers else []
        marker_rgb = spec.markers.rgb if spec.markers else (0, 0, 0)
        image, depth = renderer.render(body, a, spec.scene, camera, placed, marker_rgb)
        renderer.close()
        image_path = out / f"{spec.name}.jpg"
        image_path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(image_path, quality=quality)
        record = truth_record(body, spec, camera, stature, image_path.name)
        if spec.markers:
            level_camera = make_camera(replace(spec.camera, roll_deg=0.0, pitch_deg=0.0), stature)
            record.update(marker_geometry.truth(placed, camera, level_camera, depth, spec.camera.view,
                                                marker_geometry.level_stature_px(record)))
        (out / f"{spec.name}.truth.json").write_text(json.dumps(record, indent=1) + "\n")
        sys.stderr.write(f"\r{index}/{len(specs)} {spec.name} ({time.perf_counter() - started:.0f} s)\033[K")
    sys.stderr.write("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posture.synth.generate", description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=("fixed", "samples", "random", "obliquity", "pairs", "confounders", "families",
                                        "markers"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=100,
                        help="random set: how many renders; families: per family; markers: how many with markers")
    parser.add_argument("--seed", type=int, default=None,
                        help="random, families and markers sets: the seed (default 1)")
    parser.add_argument("--family", action="append", choices=sorted(FAMILIES), metavar="NAME",
                        help="families set: only this family (repeatable; default all); pairs set: the "
                             "pairs changed as this family changes a render")
    args = parser.parse_args(argv)
    if args.set == "fixed":
        specs = fixed_specs()
    elif args.set == "samples":
        specs = sample_specs()
    elif args.set == "obliquity":
        specs = obliquity_specs()
    elif args.set == "pairs":
        if args.family and len(args.family) > 1:
            parser.error("pairs: one --family at a time (each family's pairs go to their own folder)")
        specs = paired_specs(family=args.family[0] if args.family else None)
    elif args.set == "confounders":
        specs = confounder_specs()
    elif args.set == "families":
        specs = family_specs(args.count, 1 if args.seed is None else args.seed, args.family)
    elif args.set == "markers":
        specs = marker_specs(args.count, 1 if args.seed is None else args.seed)
    else:
        specs = random_specs(args.count, 1 if args.seed is None else args.seed)
    render_specs(specs, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
