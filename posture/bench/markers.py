"""Marker mode on renders with markers on the body model's skin (`python -m posture.synth.generate
markers`): are the visible markers found where they are, are none found where there are none, and
how close are the measurements read between them to the truth?

    posture bench markers DIR [--json]

Per render the analyzer runs as the CLI does (markers searched in any colour but white; white
markers, which the protocol has the user name, are looked for as white). A marker counts as
visible when the camera sees at least VISIBLE_SHARE of it (the truth's `visible`, from the rendered
depth); found means a marker of that name within MATCH_PX of its true centre. A found marker is
wrong when no marker of that name was placed there (another point's, a hidden one's, a top's).
Measurements: the analyzer's marker-based value (source `markers`) against the truth read between
the true marker centres by the product's own formulas, as a level camera sees them (plumb offsets
in % of the true body height, so their error includes the analyzer's body-height estimate); and,
to tell the detector from the leveling and the camera, the same formula on the found centres
against the true ones in the photo as taken.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from posture import registry
from posture.analysis import LocatedPhoto, Options, locate, measure_photo
from posture.assessment.measurements import Source, between_markers
from posture.assessment.views import View
from posture.synth.markers import level_stature_px, marker_measurements
from posture.vision.markers import MarkerColour, protocol_names
from posture.vision.pose_model import PoseEstimator

VISIBLE_SHARE = 0.6  # a marker at least this much in view must be found
MATCH_PX = 8.0
MEASURED = ("craniovertebral_angle_deg", "pelvic_tilt_deg", "hip_tilt_deg", "shoulder_tilt_deg",
            "plumb_ear_pct", "plumb_shoulder_pct", "plumb_hip_pct", "plumb_knee_pct")
GOALS = {"found": 0.95, "wrong": 0.01, "mae_deg": 0.5, "max_deg": 1.5}  # the issue's, for the angles


def render_record(truth: dict, located: LocatedPhoto, options: Options) -> dict:
    """What the analyzer made of one render: per placed marker whether it was found and how far
    off, the wrong markers, and per marker measurement the analyzer's value, the truth and the
    formula on the found against the true photo centres."""
    view = View(truth["spec"]["camera"]["view"])
    record = {"image": truth["image"], "family": truth["spec"].get("family", "baseline"), "view": view.value,
              "marked": bool(truth.get("markers")), "failed": not located.ok}
    if not located.ok:
        return record
    placed = truth.get("markers", {})
    found = {name: np.array(marker.xy_px) for name, marker in located.markers.items()}
    protocol = protocol_names(view, "right" if view is View.SIDE_RIGHT else "left")
    record["markers"] = {
        name: {"visible": t["visible"], "diameter_px": t["diameter_px"], "protocol": name in protocol,
               "error_px": round(float(np.linalg.norm(found[name] - t["xy"])), 2) if name in found else None}
        for name, t in placed.items()}
    record["wrong"] = sorted(n for n, xy in found.items()
                             if n not in placed or np.linalg.norm(xy - placed[n]["xy"]) > MATCH_PX)
    record["found_count"] = len(found)
    if not placed:
        return {**record, "measurements": {}}
    measured = measure_photo(located, options).measurements
    true_photo = {name: np.array(t["xy"]) for name, t in placed.items()}
    near, stature_px = "right" if view is View.SIDE_RIGHT else "left", level_stature_px(truth)
    detector = between_markers(found, view, near, stature_px)
    reference = between_markers(true_photo, view, near, stature_px)
    level = {name: np.array(t["xy_level"]) for name, t in placed.items()}
    record["measurements"] = {  # the truth from the record, so renders made before a measurement have it too
        mid: {"truth": value,
              "analyzer": measured[mid].value if mid in measured and measured[mid].source is Source.MARKERS else None,
              "detector_error": round(detector[mid] - reference[mid], 4) if mid in detector else None}
        for mid, value in marker_measurements(level, view, stature_px).items()}
    return record


def records(folder: Path, estimator: PoseEstimator, progress: Callable[[str], None] | None = None) -> list[dict]:
    out = []
    for truth_path in sorted(folder.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text())
        colour = truth["spec"].get("markers") and truth["spec"]["markers"]["colour"]
        options = Options(marker_colour=MarkerColour.WHITE if colour == "white" else None)
        if progress:
            progress(truth["image"])
        located = locate(str(truth_path.parent / truth["image"]), estimator, options)
        out.append(render_record(truth, located, options))
    return out


def summary(rows: Iterable[dict]) -> dict:
    rows = [r for r in rows if not r["failed"]]
    marked = [r for r in rows if r["marked"]]
    visible = [m for r in marked for m in r["markers"].values() if _to_find(m)]
    hits = [m for m in visible if m["error_px"] is not None and m["error_px"] <= MATCH_PX]
    found_total = sum(r["found_count"] for r in marked)
    wrong = sum(len(r["wrong"]) for r in marked)
    per_measure = {}
    for mid in MEASURED:
        pairs = [(m["analyzer"], m["truth"]) for r in marked for k, m in r["measurements"].items()
                 if k == mid and m["analyzer"] is not None]
        errors = np.abs([a - t for a, t in pairs]) if pairs else np.array([])
        detector = np.abs([m["detector_error"] for r in marked for k, m in r["measurements"].items()
                           if k == mid and m["detector_error"] is not None])
        per_measure[mid] = {
            "n": len(pairs), "of": sum(1 for r in marked if mid in r["measurements"]),
            "mae": round(float(errors.mean()), 3) if len(errors) else None,
            "max": round(float(errors.max()), 3) if len(errors) else None,
            "detector_mae": round(float(detector.mean()), 3) if len(detector) else None,
            "detector_max": round(float(detector.max()), 3) if len(detector) else None,
        }
    unmarked = [r for r in rows if not r["marked"]]
    by_family = defaultdict(lambda: [0, 0])
    for r in marked:
        for m in r["markers"].values():
            if _to_find(m):
                by_family[r["family"]][0] += 1
                by_family[r["family"]][1] += m["error_px"] is not None and m["error_px"] <= MATCH_PX
    return {
        "renders": len(marked), "unmarked_renders": len(unmarked),
        "visible": len(visible), "found": len(hits), "found_share": len(hits) / max(len(visible), 1),
        "centre_error_px": {"median": round(float(np.median([m["error_px"] for m in hits])), 2) if hits else None,
                            "max": round(float(max((m["error_px"] for m in hits), default=0)), 2)},
        "found_markers": found_total, "wrong": wrong, "wrong_share": wrong / max(found_total, 1),
        "wrong_names": sorted(f"{r['image']}:{n}" for r in marked for n in r["wrong"]),
        "missed": sorted(f"{r['image']}:{n}" for r in marked for n, m in r["markers"].items()
                         if _to_find(m) and (m["error_px"] is None or m["error_px"] > MATCH_PX)),
        "measurements": per_measure,
        "false_on_unmarked": sum(r["found_count"] for r in unmarked),
        "by_family": {f: {"visible": v, "found": h} for f, (v, h) in sorted(by_family.items())},
    }


def _to_find(marker: dict) -> bool:
    """A marker the detector must find: one of the view's protocol points, and in view."""
    return marker["protocol"] and marker["visible"] >= VISIBLE_SHARE


def report_text(result: dict) -> str:
    goal = GOALS
    lines = [
        f"{result['renders']} renders with markers, {result['unmarked_renders']} without (a top of a marker colour)",
        f"visible markers found within {MATCH_PX:.0f} px: {result['found']}/{result['visible']} "
        f"({result['found_share']:.1%}; goal >= {goal['found']:.0%}); centre error median "
        f"{result['centre_error_px']['median']} px, largest {result['centre_error_px']['max']} px",
        f"wrong markers: {result['wrong']}/{result['found_markers']} found ({result['wrong_share']:.1%}; "
        f"goal <= {goal['wrong']:.0%})",
        f"markers found on the renders without markers (must be 0): {result['false_on_unmarked']}",
        "",
        f"{'measurement':28} {'n':>8} {'MAE':>6} {'max':>6}   detector alone: {'MAE':>6} {'max':>6}",
    ]
    for mid, m in result["measurements"].items():
        unit = registry.info(mid).unit
        lines.append(f"{mid:28} {m['n']:>3}/{m['of']:<4} {_value(m['mae'], unit)} {_value(m['max'], unit)}"
                     f"                   {_value(m['detector_mae'], unit)} {_value(m['detector_max'], unit)}")
    lines.append(f"(goal for the angles: MAE <= {goal['mae_deg']}°, max <= {goal['max_deg']}°; plumb offsets in % of "
                 "the body height; n = renders with a marker value of those whose truth has one)")
    lines += ["", "per family: visible markers found"]
    lines += [f"  {f:28} {v['found']}/{v['visible']}" for f, v in result["by_family"].items()]
    if result["missed"]:
        lines += ["", "missed: " + ", ".join(result["missed"])]
    if result["wrong_names"]:
        lines += ["wrong: " + ", ".join(result["wrong_names"])]
    return "\n".join(lines)


def _value(value: float | None, unit: registry.Unit) -> str:
    return f"{value:5.2f}{'°' if unit is registry.Unit.DEG else '%'}" if value is not None else "     -"
