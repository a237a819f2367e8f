"""The bundled samples: renders with their ground truth and the reports the analyzer gives.
The committed reports must still be what the analyzer says (scripts/sample-reports rewrites them)."""

import json
from pathlib import Path

import pytest

from posture.analysis import Options, analyze_person

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PEOPLE = sorted(p for p in SAMPLES.iterdir() if p.is_dir())


def statuses(findings) -> dict[str, str]:
    return {f["id"]: f["status"] for f in findings}


@pytest.mark.parametrize("person", PEOPLE, ids=[p.name for p in PEOPLE])
def test_the_committed_report_is_what_the_analyzer_says(person, estimator):
    photos = [str(p.relative_to(SAMPLES.parent)) for p in sorted(person.glob("*.jpg"))]
    assert len(photos) == 2 and all((person / f"{Path(p).stem}.truth.json").exists() for p in photos)
    committed = json.loads((person / "report.json").read_text())
    assessment = analyze_person([str(SAMPLES.parent / p) for p in photos], estimator, Options()).assessment
    now = statuses(f.to_json() for f in assessment.findings)
    assert now == statuses(committed["assessment"]["findings"]), "run scripts/sample-reports"


def test_the_neutral_sample_has_no_findings_and_the_shoulder_sample_the_right_side():
    def present(name):
        report = json.loads((SAMPLES / name / "report.json").read_text())
        return {f["id"] for f in report["assessment"]["findings"] if f["status"] == "present"}

    assert present("neutral") == set()
    assert "high_right_shoulder" in present("forward_head")  # rendered with the right shoulder 12 deg up
