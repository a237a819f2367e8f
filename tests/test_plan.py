"""The corrections as one plan: no muscle both stretched and strengthened on a side, for any two
findings of the catalog; pain rules leave out what they warn about, and say so."""

from dataclasses import replace
from itertools import combinations

import pytest

from posture.assessment.classifier import Evidence, Finding, Severity, Status
from posture.assessment.corrections import recommend
from posture.assessment.pain import Pain
from posture.assessment.plan import short_plan
from posture.data_files import load

RULES = [rule for rule in load("thresholds.json")["findings"]
         if load("corrections.json")["families"][rule["family"]]["stretch"]
         + load("corrections.json")["families"][rule["family"]]["strengthen"]]


def present(rule: dict) -> Finding:
    evidence = Evidence(rule["measurement"], rule["moderate"], "deg", 1.0, {"mild": rule["mild"]}, rule["direction"],
                        ("a.jpg",))
    return Finding(rule["id"], rule["label"], rule["family"], rule["side"], Status.PRESENT, Severity.MODERATE,
                   0.95, (evidence,), rule["source"])


def worked(plan, kind: str) -> set[tuple[str, str]]:
    """(muscle, side) pairs the plan works this way, a 'both' counted on each side."""
    return {(muscle, side) for rec in plan for e in getattr(rec, kind) for muscle in e.targets
            for side in (("left", "right") if e.side == "both" else (e.side,))}


@pytest.mark.parametrize(("first", "second"), list(combinations(RULES, 2)), ids=lambda rule: rule["id"])
def test_no_two_findings_stretch_and_strengthen_one_muscle_on_one_side(first, second):
    plan = recommend([present(first), present(second)])
    assert not worked(plan, "stretch") & worked(plan, "strengthen")


def test_a_contradiction_is_left_out_of_both_findings_and_said():
    rules = {rule["id"]: rule for rule in RULES}
    hip, lean = recommend([present(rules["high_left_hip"]), present(rules["trunk_lean_right"])])
    assert ("quadratus_lumborum", "left") not in worked([hip], "stretch")  # the high hip's side-bend stretch
    assert not [e for e in lean.strengthen if e.side == "left"]  # the lean's side plank for the left side
    assert any("Side plank" in note and "High left" not in note for note in lean.left_out)
    assert any("Right hip" not in note and "lean" in note.lower() for note in hip.left_out)
    assert [e.exercise_id for e in hip.strengthen] == ["side_lying_abduction", "hip_hitch"]  # not contradicted


def test_findings_that_do_not_disagree_keep_every_exercise():
    rules = {rule["id"]: rule for rule in RULES}
    alone = recommend([present(rules["high_left_hip"])])
    with_shoulder = recommend([present(rules["high_left_hip"]), present(rules["high_right_shoulder"])])
    assert with_shoulder[0].stretch == alone[0].stretch and not with_shoulder[0].left_out


def test_sciatica_leaves_out_what_its_cautions_warn_about_and_says_why():
    rules = {rule["id"]: rule for rule in RULES}
    findings = [present(rules["trunk_lean_left"]), present(rules["posterior_pelvic_tilt"])]
    lean, flat = sorted(recommend(findings, Pain(regions=("sciatica",))), key=lambda rec: rec.finding)[::-1]
    assert lean.finding == "trunk_lean_left" and not lean.stretch and not lean.strengthen
    assert any("sciatica" in note for note in lean.left_out)
    assert "hamstring_stretch" not in {e.exercise_id for e in flat.stretch}
    assert any("Back-of-thigh stretch with a towel (hamstrings)" in note and "sciatic nerve" in note
               for note in flat.left_out)
    without_pain = {rec.finding: rec for rec in recommend(findings, Pain(regions=("neck",)))}
    assert without_pain["trunk_lean_left"].stretch and not without_pain["trunk_lean_left"].left_out


def test_every_catalog_entry_names_the_muscles_it_works():
    for family in load("corrections.json")["families"].values():
        for entry in family["stretch"] + family["strengthen"]:
            assert entry["targets"], entry


def test_the_short_plan_merges_an_exercise_two_findings_ask_for_and_stretches_first():
    rules = {rule["id"]: rule for rule in RULES}
    recs = recommend([present(rules["high_left_shoulder"]), present(rules["forward_head"])])
    plan = short_plan(recs)
    y_raises = [i for i in plan.items if i.exercise.exercise_id == "lower_trap_y_raise"]
    assert len(y_raises) == 1 and len(y_raises[0].for_findings) == 2
    kinds = [i.kind for i in plan.items]
    assert kinds == sorted(kinds, key=["stretch", "strengthen"].index)
    assert plan.daily_minutes > 0 and plan.strength_day_minutes > plan.daily_minutes
    assert plan.time_text.startswith(f"About {round(plan.daily_minutes)} min every day")


def test_the_short_plan_covers_the_three_findings_that_matter_most():
    rules = {rule["id"]: rule for rule in RULES}
    four = [present(rules[i]) for i in ("high_left_hip", "high_right_shoulder", "forward_head", "knee_valgus_left")]
    recs = recommend(four)
    covered = {label for item in short_plan(recs).items for label in item.for_findings}
    assert covered == {rec.label for rec in recs[:3]}


def test_the_summary_says_what_matters_most_and_the_one_retake():
    from posture.assessment.corrections import safety
    from posture.presentation import summarize

    rules = {rule["id"]: rule for rule in RULES}
    found = [present(rules[i]) for i in ("high_left_hip", "high_right_shoulder", "forward_head", "knee_valgus_left")]
    side_missing = Finding("anterior_pelvic_tilt", "Anterior pelvic tilt", "anterior_pelvic_tilt", None,
                           Status.CANT_TELL, Severity.NONE, 0.0,
                           (Evidence("pelvic_tilt_deg", None, "deg", None, {"mild": 15.0}, "above", (),
                                     "not measured: no photo of a view that shows it"),), "")
    summary = summarize([*found, side_missing], recommend(found), safety())
    assert len(summary.top) == 3 and len(summary.findings) == 4
    assert summary.retake.startswith("Add a side photo") and "pelvic tilt" in summary.retake
    doubted = Finding("high_left_shoulder", "Left shoulder higher", "high_shoulder", "left", Status.CANT_TELL,
                      Severity.NONE, 0.0, (Evidence("shoulder_tilt_deg", 4.0, "deg", 1.0, {"mild": 2.0}, "above",
                                                    ("a.jpg",), "an arm does not hang: let both arms hang"),), "")
    assert summarize([doubted], [], safety()).retake == "Let both arms hang."


def test_a_measurement_that_cannot_tell_either_way_is_listed_once():
    """Both directions of one value doubted for one reason are one line (the new-user trial read
    "Left shoulder higher than right" and "Right shoulder higher than left" as two things); two
    reasons, or two measurements, stay apart."""
    from posture.assessment.corrections import safety
    from posture.presentation import summarize

    def doubted(finding_id, label, side, measurement, note):
        return Finding(finding_id, label, finding_id.rsplit("_", 1)[0], side, Status.CANT_TELL, Severity.NONE, 0.0,
                       (Evidence(measurement, 1.0, "deg", 1.0, {"mild": 2.0}, "above", ("a.jpg",), note),), "")

    held = "something is held in a hand: put everything down"
    findings = [doubted("high_left_shoulder", "Left shoulder higher than right", "left", "shoulder_tilt_deg", held),
                doubted("high_right_shoulder", "Right shoulder higher than left", "right", "shoulder_tilt_deg", held),
                doubted("trunk_lean_left", "Trunk leans to the left", "left", "lateral_trunk_lean_deg", held),
                doubted("head_tilt_left", "Head tilted to the left", "left", "head_tilt_deg", "too close"),
                doubted("head_tilt_right", "Head tilted to the right", "right", "head_tilt_deg", "a hat")]
    unsure = summarize(findings, [], safety()).unsure
    assert [(u.label, u.note) for u in unsure] == [
        ("Left shoulder higher than right or right shoulder higher than left", held),
        ("Trunk leans to the left", held),
        ("Head tilted to the left", "too close"),
        ("Head tilted to the right", "a hat"),
    ]
    assert unsure[0].retake == "put everything down"
    tilted = [doubted(f"body_tilt_{side}", f"Whole body or camera tilted ({side} side higher)", side, "body_tilt_deg",
                      held) for side in ("left", "right")]
    assert [u.label for u in summarize(tilted, [], safety()).unsure] == [
        "Whole body or camera tilted (left side higher or right side higher)"]
    capped = "checked on computer-made bodies only"  # past its threshold in one direction: said on its own
    anterior = replace(doubted("anterior_pelvic_tilt", "Anterior pelvic tilt", None, "pelvic_tilt_deg", capped),
                       severity=Severity.MODERATE, confidence=0.7)
    posterior = doubted("posterior_pelvic_tilt", "Posterior pelvic tilt", None, "pelvic_tilt_deg", capped)
    assert [u.label for u in summarize([anterior, posterior], [], safety()).unsure] == [
        "Anterior pelvic tilt", "Posterior pelvic tilt"]


def test_nothing_found_says_what_the_photos_could_not_tell():
    """A person with back pain read "No postural finding" as "my posture is fine" while the pelvic
    tilt was "can't tell" further down; the summary names what could not be told."""
    from posture.assessment.corrections import safety
    from posture.presentation import summarize

    def finding(finding_id, status, measurement, value=1.0):
        return Finding(finding_id, finding_id, finding_id, None, status, Severity.NONE, 0.0 if value else 0.9,
                       (Evidence(measurement, value, "deg", 1.0, {"mild": 2.0}, "above", ("a.jpg",), ""),), "")

    level = finding("high_left_hip", Status.ABSENT, "hip_tilt_deg")
    unsure = finding("anterior_pelvic_tilt", Status.CANT_TELL, "pelvic_tilt_deg")
    assert summarize([level], [], safety()).no_finding == "No postural finding beyond the thresholds."
    said = summarize([level, unsure], [], safety()).no_finding
    assert said.startswith("No postural finding beyond the thresholds in what these photos could tell")
    assert "could not tell pelvic tilt (why: below)" in said
