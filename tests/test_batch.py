"""`posture batch --workers N`: the same records in the same order for any number of worker
processes, on the recorded model answers (fast lane)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from posture import batch
from posture.analysis import Options

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def _replayed_batch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.replay_cli", "batch", *args],
                          capture_output=True, text=True, cwd=REPO, timeout=300)


def _photos_and_a_failure(tmp_path: Path) -> list[str]:
    blank = tmp_path / "notes.jpg"  # not a photo: its record carries the error, in its place
    blank.write_text("not a photo")
    photos = sorted(str(p) for p in SAMPLES.glob("*/*.jpg"))
    return [*photos[:3], str(blank), *photos[3:]]


def test_two_workers_print_the_same_records_in_the_same_order_as_one(tmp_path):
    paths = _photos_and_a_failure(tmp_path)
    one = _replayed_batch(*paths, "--workers", "1", "--annotate", str(tmp_path / "one"))
    two = _replayed_batch(*paths, "--workers", "2", "--annotate", str(tmp_path / "two"))
    assert one.returncode == two.returncode == 1, two.stderr  # the blank photo failed in both
    assert len(one.stdout.splitlines()) == len(paths)
    assert two.stdout == one.stdout
    assert [line.split('"path": ')[1].split(",")[0].strip('"') for line in two.stdout.splitlines()] == paths
    assert "not_an_image" in two.stderr and f"{len(paths)} photos, 1 failed" in two.stderr
    annotated_one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    annotated_two = {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}
    assert len(annotated_one) == len(paths) - 1  # front.jpg of four people: front, front.2, ...
    assert "front.4.annotated.jpg" in annotated_one
    assert annotated_two == annotated_one


def test_with_two_workers_the_parent_builds_no_model(replay, monkeypatch, tmp_path):
    """The photos are analysed in the worker processes, each with its own model, not here."""
    monkeypatch.setattr(batch, "_WORKER", None)
    paths = sorted(str(p) for p in SAMPLES.glob("*/front.jpg"))
    two = list(batch.analyse_all(paths, Options(), False, workers=2))
    assert batch._WORKER is None
    one = list(batch.analyse_all(paths, Options(), False, workers=1))
    assert batch._WORKER is not None
    assert two == one and [outcome.path for outcome in two] == paths


def test_workers_must_be_a_positive_whole_number():
    for given in ("0", "-1", "two"):
        result = subprocess.run([sys.executable, "-m", "posture", "batch", "x.jpg", "--workers", given],
                                capture_output=True, text=True, cwd=REPO, timeout=60)
        assert result.returncode == 2 and "--workers" in result.stderr and "Traceback" not in result.stderr
