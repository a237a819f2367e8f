"""scripts/setup's one line per person counts what the report lists."""

import importlib.util
import json
from pathlib import Path

from posture.presentation import summarize
from posture.records import stored_assessment

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"


def _summary_line():
    spec = importlib.util.spec_from_file_location("summarize_report", ROOT / "scripts" / "summarize_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.summary_line


def test_a_measurement_that_could_go_either_way_is_one_cant_tell_as_in_the_report():
    document = json.loads((GOLDEN / "samples-neutral.json").read_text())
    findings = document["assessment"]["findings"]
    directions = [f for f in findings if f["status"] == "cant_tell" and f["kind"] == "finding"]
    listed = summarize(*stored_assessment(document)).unsure
    assert len(listed) < len(directions)  # e.g. anterior or posterior pelvic tilt: two findings, one line

    line = _summary_line()("neutral", document, Path("errors.txt"))

    assert line.endswith(f"({len(listed)} can't tell)")


def test_present_findings_are_named_with_their_severity():
    document = json.loads((GOLDEN / "samples-high_left_hip.json").read_text())

    line = _summary_line()("high_left_hip", document, Path("errors.txt"))

    assert "Left hip higher than right (lateral pelvic tilt): moderate" in line
