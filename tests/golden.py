"""Golden reports: the JSON report of every sample and of the shared photos, kept so a refactor can
show that it changed nothing (tests/test_golden.py), or exactly what it changed.

    .venv/bin/python -m tests.golden            # compare with the committed files, list differences
    .venv/bin/python -m tests.golden --write    # rewrite them (say in the commit which values moved, and why)
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "data" / "golden"
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared" / "photos"
# Numbers are rounded to 2 decimals in the report; a value that lands on the other side of a
# rounding boundary by float noise moves by 0.01.
TOLERANCE = 0.0101


def sample_cases() -> dict[str, dict]:
    """Each bundled person analysed as a user would, plus height, pain, hand-placed ASIS/PSIS and
    a point moved by hand."""
    cases = {}
    for person in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        photos = [str(p.relative_to(REPO)) for p in sorted(person.glob("*.jpg"))]
        cases[f"samples-{person.name}"] = {"photos": photos}
    hip = [str(p.relative_to(REPO)) for p in sorted((SAMPLES / "high_left_hip").glob("*.jpg"))]
    cases["samples-high_left_hip-height-pain"] = {
        "photos": hip, "height_cm": 172.0, "pain": [["lower_back", "hip"], 6, 10.0],
    }
    cases["samples-high_left_hip-markers"] = {"photos": hip, "asis": [420.0, 700.0], "psis": [300.0, 690.0]}
    cases["samples-high_left_hip-moved-point"] = {"photos": hip[:1], "moved": ["left_hip", 417.0, 606.0]}
    return cases


def shared_cases() -> dict[str, dict]:
    """Every shared photo alone (batch mode), when ../shared is here."""
    return {
        f"shared-{folder}-{photo.stem}": {"photos": [str(photo)], "single": True}
        for folder in ("front", "not_posture")
        for photo in sorted((SHARED / folder).glob("*.*")) if photo.suffix.lower() in (".jpg", ".jpeg", ".png")
    }


def run_case(case: dict, estimator) -> dict:
    """The case's report as `posture analyze --json` (or a `posture batch` line) prints it."""
    from posture.analysis import Options, PhotoEdits, analyze_located, analyze_single, locate
    from posture.assessment.measurements import PelvisMarkers
    from posture.assessment.pain import Pain
    from posture.records import batch_record_json, report_json
    from posture.vision.landmarks import Landmark

    pain = Pain(tuple(case["pain"][0]), case["pain"][1], case["pain"][2]) if "pain" in case else None
    markers = PelvisMarkers(tuple(case["asis"]), tuple(case["psis"])) if "asis" in case else None
    options = Options(height_cm=case.get("height_cm"), pain=pain, markers=markers)
    paths = [str(REPO / p) if not Path(p).is_absolute() else p for p in case["photos"]]
    if case.get("single"):
        return _portable(batch_record_json(analyze_single(paths[0], estimator, options)))
    located = [locate(path, estimator, options) for path in paths]
    edits = {}
    if "moved" in case:
        name, x, y = case["moved"]
        edits[located[0].path] = PhotoEdits().with_point(Landmark[name.upper()], (x, y))
    return _portable(report_json(analyze_located(located, options, edits)))


def _portable(document: dict) -> dict:
    """Paths relative to the repository or ../shared, so the files compare on any machine."""
    text = json.dumps(document, ensure_ascii=False)
    text = text.replace(str(REPO) + "/", "").replace(str(SHARED) + "/", "shared/")
    return json.loads(text)


def differences(expected, actual, where: str = "") -> list[str]:
    """Where two report documents differ beyond the rounding tolerance."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual or key not in expected:
                found.append(f"{where}/{key}: {'missing' if key not in actual else 'new'}")
            else:
                found += differences(expected[key], actual[key], f"{where}/{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items -> {len(actual)}"]
        pairs = enumerate(zip(expected, actual, strict=True))
        return [d for i, (e, a) in pairs for d in differences(e, a, f"{where}[{i}]")]
    numbers = (int, float)
    if isinstance(expected, numbers) and isinstance(actual, numbers) and not isinstance(expected, bool):
        return [] if math.isclose(expected, actual, abs_tol=TOLERANCE) else [f"{where}: {expected} -> {actual}"]
    return [] if expected == actual else [f"{where}: {expected!r} -> {actual!r}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="rewrite the golden files")
    args = parser.parse_args()
    from posture.vision.pose_model import BlazePoseEstimator

    estimator = BlazePoseEstimator()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    changed = 0
    for name, case in {**sample_cases(), **shared_cases()}.items():
        report = run_case(case, estimator)
        target = GOLDEN / f"{name}.json"
        if args.write:
            target.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
            continue
        found = differences(json.loads(target.read_text()), report) if target.exists() else ["no golden file"]
        changed += bool(found)
        for line in found:
            print(f"{name}{line}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
