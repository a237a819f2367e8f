"""The real model on every sample and shared photo gives the committed golden reports
(tests/golden.py says how to compare and rewrite them). A change that moves a value must rewrite
them and say which values moved and why."""

from __future__ import annotations

import json

import pytest

from tests.golden import GOLDEN, differences, run_case, sample_cases, shared_cases

CASES = {**sample_cases(), **shared_cases()}


@pytest.mark.model
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_report_is_the_golden_one(name, estimator):
    golden = GOLDEN / f"{name}.json"
    assert golden.exists(), f"no golden report {golden.name}: python -m tests.golden --write"
    assert differences(json.loads(golden.read_text()), run_case(CASES[name], estimator)) == []


def test_every_shared_photo_has_a_golden_report(shared_front_photos):
    recorded = {path.stem for path in GOLDEN.glob("shared-*.json")}
    assert {name for name in CASES if name.startswith("shared-")} == recorded
