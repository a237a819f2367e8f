"""The corrections as one plan: no muscle both stretched and strengthened on a side, for any two
findings of the catalog; pain rules leave out what they warn about, and say so."""

from itertools import combinations

import pytest

from posture.assessment.classifier import Finding, Severity, Status
from posture.assessment.corrections import recommend
from posture.assessment.pain import Pain
from posture.data_files import load

RULES = [rule for rule in load("thresholds.json")["findings"]
         if load("corrections.json")["families"][rule["family"]]["stretch"]
         + load("corrections.json")["families"][rule["family"]]["strengthen"]]


def present(rule: dict) -> Finding:
    return Finding(rule["id"], rule["label"], rule["family"], rule["side"], Status.PRESENT, Severity.MODERATE,
                   0.95, (), rule["source"])


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
    assert any("Hamstring stretch" in note and "sciatic nerve" in note for note in flat.left_out)
    without_pain = {rec.finding: rec for rec in recommend(findings, Pain(regions=("neck",)))}
    assert without_pain["trunk_lean_left"].stretch and not without_pain["trunk_lean_left"].left_out


def test_every_catalog_entry_names_the_muscles_it_works():
    for family in load("corrections.json")["families"].values():
        for entry in family["stretch"] + family["strengthen"]:
            assert entry["targets"], entry
