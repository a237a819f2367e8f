"""A red flag the person ticks leaves every exercise out of the analysis itself, so no report,
download or stored visit lists one (the app once hid them on screen while its downloads kept them)."""

import json

import numpy as np
import pytest

from posture.analysis import LocatedPhoto, Options, analyze_located
from posture.assessment.corrections import safety
from posture.assessment.views import View
from posture.presentation import report_view
from posture.records import report_json
from posture.report import report_text
from posture.report_html import report_html
from posture.report_pdf import report_pdf
from tests.conftest import frontal_landmarks
from tests.pdf_support import all_text, read_pdf

TRAUMA = "pain after a fall, accident or other trauma"


def _analysis(red_flags=()):
    pose = frontal_landmarks(hip_tilt_deg=8.0)  # a left hip clearly higher: a finding with exercises
    photo = LocatedPhoto("front.jpg", pose.image_size, np.zeros((8, 4, 3), np.uint8), View.FRONT, 0.99, True,
                         pose, None, 0.0, ())
    return analyze_located([photo], Options(red_flags=red_flags))


def test_without_a_red_flag_the_plan_lists_exercises():
    view = report_view(_analysis())
    assert view.summary.plan.items and view.summary.safety.withheld is None


def test_a_red_flag_leaves_the_exercises_out_of_every_report_and_says_why():
    analysis = _analysis((TRAUMA,))
    view = report_view(analysis)
    assert any(f.label.startswith("Left hip higher") for f in (s.finding for s in view.summary.findings))
    assert not view.summary.plan.items
    assert all(not rec.stretch and not rec.strengthen for rec in analysis.assessment.recommendations)
    assert analysis.assessment.recommendations[0].meaning  # what the finding means stays

    said = f"You ticked a red flag ({TRAUMA})"
    text, html, pdf = report_text(view), report_html(view), all_text(read_pdf(report_pdf(view)))
    for report in (text, html, " ".join(pdf.split())):
        assert said in report and "left out of this report" in report
        assert "Stretch" not in report.replace("stretch discomfort", "")
    stored = json.loads(json.dumps(report_json(analysis)))["assessment"]
    assert stored["safety"]["ticked"] == [TRAUMA] and not stored["recommendations"][0]["stretch"]


def test_only_the_catalogs_red_flags_can_be_ticked():
    with pytest.raises(ValueError, match="unknown red flag"):
        safety(None, ("a headache",))
