"""The command line as a user runs it: a real process, real photos, the shipped JSON Schema."""

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]


def posture(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "posture", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def replayed(*args: str) -> subprocess.CompletedProcess:
    """`posture ARGS` as a user runs it, the pose model answering from its recording (fast lane)."""
    return subprocess.run(
        [sys.executable, "-m", "tests.replay_cli", *args], capture_output=True, text=True, cwd=REPO, timeout=300
    )


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(resources.files("posture.data").joinpath("report.schema.json").read_text())


def test_help_does_not_load_the_model():
    probe = (
        "import sys; from posture.cli import _parser; _parser().format_help(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mediapipe', 'numpy', 'cv2')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    result = posture("--help")
    assert result.returncode == 0
    assert "analyze" in result.stdout and "batch" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("analyze",),
        ("analyze", "x.jpg", "--height-cm", "12"),
        ("analyze", "x.jpg", "--asis", "1,2"),
        ("analyze", "x.jpg", "--asis", "one,two", "--psis", "1,2"),
        ("analyze", "x.jpg", "--view", "sideways"),
        ("analyze", "x.jpg", "--pain", "knee"),
        ("analyze", "x.jpg", "--pain-level", "11"),
        ("train-calibration", "no-such-train-folder", "no-such-validation-folder"),
    ],
)
def test_usage_errors_exit_2(args):
    result = posture(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_analyze_json_is_one_valid_document_and_a_bad_photo_does_not_stop_the_others(
    shared_front_photos, tmp_path, schema
):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    given = [str(shared_front_photos[0]), str(broken), str(shared_front_photos[1])]
    result = posture("analyze", *given, "--json", "--height-cm", "172", "--annotate", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, schema)
    assert [p["path"] for p in report["photos"]] == given
    assert report["photos"][1]["error"]["code"] in ("not_an_image", "truncated_image")
    good = report["photos"][0]
    assert good["view"] == "front" and len(good["landmarks"]) == 33
    assert good["measurements"]["shoulder_tilt_deg"]["unit"] == "deg"
    assert "length_cm" in good["measurements"]["shoulder_tilt_deg"]
    assert (good["camera_roll_deg"] is None) == (good["camera_roll_sd_deg"] is None) == (not good["leveled"])
    leveled = report["photos"][2]  # building edges on both sides: leveled, with the roll's own SD in every tilt
    assert leveled["leveled"] and 0.15 <= leveled["camera_roll_sd_deg"] <= 1.0
    assert leveled["measurements"]["lateral_trunk_lean_deg"]["uncertainty"] >= leveled["camera_roll_sd_deg"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"{shared_front_photos[0].stem}.annotated.jpg", f"{shared_front_photos[1].stem}.annotated.jpg"
    ]
    assert "Traceback" not in result.stderr


def test_analyze_text_says_it_is_not_a_diagnosis(shared_front_photos):
    result = posture("analyze", str(shared_front_photos[3]), "--no-level")
    assert result.returncode == 0
    assert "not a diagnosis" in result.stdout
    assert "shoulder_tilt_deg" in result.stdout
    assert "SAFETY" in result.stdout
    assert "Could not level" not in result.stdout  # --no-level: no leveling, no warning
    assert "not leveled" in result.stdout


def test_batch_prints_one_valid_record_per_photo_with_progress(shared_front_photos, tmp_path, schema):
    folder = tmp_path / "photos"
    folder.mkdir()
    for photo in shared_front_photos[:3]:
        (folder / photo.name).write_bytes(photo.read_bytes())
    (folder / "readme.txt").write_text("not a photo, not picked from a folder")
    Image.fromarray(np.full((300, 300, 3), 200, np.uint8)).save(folder / "blank.png")
    result = posture("batch", str(folder))
    assert result.returncode == 1  # blank.png has no person
    records = [json.loads(line) for line in result.stdout.splitlines()]
    record_schema = {**schema, "$ref": "#/$defs/batch_record"}
    record_schema.pop("required"), record_schema.pop("properties"), record_schema.pop("additionalProperties")
    for record in records:
        jsonschema.validate(record, record_schema)
    assert [r["path"] for r in records] == [str(folder / n) for n in sorted(
        ["blank.png", *(p.name for p in shared_front_photos[:3])]
    )]
    assert records[0]["error"]["code"] == "no_person"
    assert all("findings" in r["assessment"] for r in records)
    assert "4/4" in result.stderr


def test_batch_of_only_good_photos_exits_0(shared_front_photos):
    result = posture("batch", str(shared_front_photos[4]))
    assert result.returncode == 0, result.stderr


def test_bench_accuracy_on_a_folder_without_truth_files_is_a_usage_error(tmp_path):
    result = posture("bench", "accuracy", str(tmp_path))
    assert result.returncode == 2
    assert "no *.truth.json" in result.stderr and "Traceback" not in result.stderr


def test_bench_families_names_each_folder_without_truth_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.truth.json").write_text("{}")
    result = posture("bench", "families", str(tmp_path / "a"), str(tmp_path / "b"))
    assert result.returncode == 2
    assert f"no *.truth.json in {tmp_path / 'a'}" in result.stderr and "Traceback" not in result.stderr
    assert str(tmp_path / "b") not in result.stderr


def test_pain_and_html_report_from_the_command_line(tmp_path, schema):
    sample = REPO / "samples" / "forward_head"
    html = tmp_path / "report.html"
    result = replayed("analyze", *map(str, sorted(sample.glob("*.jpg"))), "--json", "--pain", "neck",
                     "--pain-level", "8", "--pain-weeks", "20", "--html", str(html))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, schema)
    assessment = report["assessment"]
    assert assessment["pain"] == {"regions": ["neck"], "intensity_0_10": 8, "weeks": 20.0}
    assert assessment["recommendations"][0]["pain_regions"] == ["neck"]
    assert len(assessment["safety"]["pain_advice"]) == 2  # severe and persistent
    page = html.read_text()
    assert page.count("data:image/jpeg;base64,") == 2 and "linked to your neck pain" in page


def test_save_then_history_list_show_export_import_delete(tmp_path):
    db = str(tmp_path / "history.sqlite")
    photos = [str(p) for p in sorted((REPO / "samples" / "neutral").glob("*.jpg"))]
    for day in ("2026-02-02", "2026-02-09"):
        saved = replayed("analyze", *photos, "--save", "--profile", "O'Brien", "--taken-at", day, "--db", db)
        assert saved.returncode == 0 and "Saved as visit" in saved.stderr
    assert posture("history", "list", "--db", db).stdout.startswith("O'Brien\t2 assessment(s)\tlatest 2026-02-09")
    shown = posture("history", "show", "--profile", "O'Brien", "--db", db).stdout
    assert "Hip line tilt" in shown and "no real change yet" in shown
    csv_rows = posture("history", "export", "--profile", "O'Brien", "--format", "csv", "--db", db).stdout.splitlines()
    assert csv_rows[0].startswith("date,visit,measurement_id,measurement,value")
    assert csv_rows[1].startswith("2026-02-02,1,")
    exported = tmp_path / "obrien.json"
    exported.write_text(posture("history", "export", "--profile", "O'Brien", "--format", "json", "--db", db).stdout)
    other = str(tmp_path / "other.sqlite")
    assert posture("history", "import", str(exported), "--db", other).returncode == 0
    assert "2 assessment(s)" in posture("history", "list", "--db", other).stdout
    assert posture("history", "delete", "--profile", "O'Brien", "--db", db).returncode == 0
    gone = posture("history", "show", "--profile", "O'Brien", "--db", db)
    assert gone.returncode == 2 and "no profile named" in gone.stderr and "Traceback" not in gone.stderr
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database")
    refused = posture("history", "list", "--db", str(foreign))
    assert refused.returncode == 2 and "not a posture history database" in refused.stderr


def test_client_details_search_and_visit_numbers_from_the_command_line(tmp_path):
    db = str(tmp_path / "history.sqlite")

    def details(*args: str) -> subprocess.CompletedProcess:
        return posture("history", "profile", "--profile", "Jonas P.", *args, "--db", db)

    missing = details("--height-cm", "178")
    assert missing.returncode == 2 and "add --create" in missing.stderr
    made = details("--create", "--height-cm", "178", "--born", "1981-04-30", "--notes", "knee op 2019")
    assert made.returncode == 0, made.stderr
    shown = "Jonas P.\nborn: 1981-04-30\nheight: 178 cm\nnotes: knee op 2019\n"
    assert made.stdout == shown
    for bad, message in ((("--height-cm", "0"), "between 50 and 250 cm"),
                         (("--height-cm", "400"), "between 50 and 250 cm"),
                         (("--born", "2999-01-01"), "date of birth must be between"),
                         (("--born", "1981-02-30"), "expected a date as YYYY-MM-DD"),
                         (("--born", "30.04.1981"), "expected a date as YYYY-MM-DD")):
        refused = details(*bad, "--notes", "lost?")
        assert refused.returncode == 2 and message in refused.stderr and "Traceback" not in refused.stderr
    assert details().stdout == shown  # nothing of it was changed

    photos = [str(p) for p in sorted((REPO / "samples" / "neutral").glob("*.jpg"))]
    replayed("analyze", photos[0], "--save", "--profile", "Jonna K.", "--db", db)  # another client first
    saved = replayed("analyze", *photos, "--save", "--profile", "Jonas P.", "--taken-at", "2026-03-02", "--db", db)
    assert saved.returncode == 0, saved.stderr
    assert "Height 178 cm from profile 'Jonas P.'" in saved.stderr
    assert "Saved as visit 1 of profile 'Jonas P.'" in saved.stderr
    assert "Client: Jonas P. · Date of birth: 1981-04-30 · Assessment date: 2026-03-02" in saved.stdout
    exported = json.loads(posture("history", "export", "--profile", "Jonas P.", "--format", "json", "--db", db).stdout)
    photos_saved = exported["assessments"][0]["report"]["photos"]
    assert any("length_cm" in m for p in photos_saved for m in p["measurements"].values())  # scaled by the height
    assert exported["profile"]["height_cm"] == 178 and exported["profile"]["birth_date"] == "1981-04-30"

    listed = posture("history", "list", "--search", "JONA", "--db", db).stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["Jonas P."]
    assert posture("history", "list", "--search", "x", "--db", db).stdout.startswith("No profile's name contains 'x'")
    visits = posture("history", "list", "--profile", "Jonas P.", "--db", db).stdout
    assert visits.startswith("visit 1\t2026-03-02\tphotos\t")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--date-of-birth", "02/04/1980"), "expected a date as YYYY-MM-DD, got '02/04/1980'"),
        (("--date-of-birth", "2026-03-01", "--taken-at", "2026-02-01"),
         "the date of birth 2026-03-01 is after the assessment date 2026-02-01"),
        (("--client", " "), "the client's name must be 1-200 characters"),
        (("--examiner", "x" * 201), "the examiner's name must be 1-200 characters"),
    ],
)
def test_a_report_header_that_cannot_be_is_a_usage_error_before_the_model_runs(args, said):
    result = posture("analyze", "x.jpg", *args)
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr


def test_pdf_reports_from_the_command_line_carry_the_header(tmp_path):
    from tests.pdf_support import all_text, read_pdf

    db = str(tmp_path / "history.sqlite")
    photos = [str(p) for p in sorted((REPO / "samples" / "neutral").glob("*.jpg"))]
    first = replayed("analyze", *photos, "--save", "--profile", "Jonas P.", "--taken-at", "2026-02-02", "--db", db)
    assert first.returncode == 0, first.stderr
    pdf = tmp_path / "assessment.pdf"
    second = replayed("analyze", *photos, "--save", "--profile", "Jonas P.", "--taken-at", "2026-02-09", "--db", db,
                      "--pdf", str(pdf), "--examiner", "Dr. Ana Müller", "--date-of-birth", "1980-04-02")
    assert second.returncode == 0, second.stderr
    front = read_pdf(pdf.read_bytes())[0].text
    assert "Client Jonas P. Date of birth 1980-04-02 Examiner Dr. Ana Müller Assessment date 2026-02-09" in front
    progress, html = tmp_path / "progress.pdf", tmp_path / "progress.html"
    report = posture("history", "report", "--profile", "Jonas P.", "--pdf", str(progress), "--html", str(html),
                     "--examiner", "Dr. Ana Müller", "--db", db)
    assert report.returncode == 0, report.stderr
    text = all_text(read_pdf(progress.read_bytes()))
    assert "Client Jonas P." in text and "Examiner Dr. Ana Müller" in text
    assert "First and latest assessment: 2026-02-02 and 2026-02-09" in text
    assert "First and latest assessment: 2026-02-02 and 2026-02-09" in html.read_text()
    neither = posture("history", "report", "--profile", "Jonas P.", "--db", db)
    assert neither.returncode == 2 and "needs --html FILE or --pdf FILE" in neither.stderr


def test_save_without_profile_is_a_usage_error():
    result = posture("analyze", "x.jpg", "--save")
    assert result.returncode == 2 and "--save needs --profile" in result.stderr


def _broken(tmp_path: Path) -> Path:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return broken


def test_when_the_only_photo_fails_the_error_is_on_stderr_and_there_is_no_report(tmp_path):
    result = replayed("analyze", str(_broken(tmp_path)), "--html", str(tmp_path / "report.html"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert re.search(f"posture: {tmp_path / 'broken.jpg'} \\((not_an_image|truncated_image)\\): broken.jpg is",
                     result.stderr)
    assert "no photo could be analysed" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "report.html").exists()


def test_a_failed_photo_is_an_error_on_stderr_and_the_others_are_reported(tmp_path):
    front = REPO / "samples" / "neutral" / "front.jpg"
    result = replayed("analyze", str(_broken(tmp_path)), str(front))
    assert result.returncode == 1
    assert "broken.jpg" not in result.stdout and "broken.jpg is" in result.stderr
    assert f"PHOTO {front}: front view" in result.stdout
    # One line for the missing side view, not a "can't tell" for each finding it would decide.
    assert ("  Needs a side photo for: forward head, rounded shoulders, pelvic tilt, knee hyperextension.\n"
            in result.stdout)
    assert "no photo of a view" not in result.stdout and "front or back photo" not in result.stdout


def test_a_side_photo_alone_names_what_a_front_photo_would_tell_and_is_not_cut_off():
    result = replayed("analyze", str(REPO / "samples" / "neutral" / "side_right.jpg"))
    assert result.returncode == 0, result.stderr
    assert "Needs a front or back photo for: shoulder height, hip height, head tilt" in result.stdout
    assert "Needs a side photo" not in result.stdout
    assert "cut off" not in result.stdout


def test_a_height_gives_lengths_in_cm_in_the_text_and_html_reports(tmp_path):
    photos = [str(p) for p in sorted((REPO / "samples" / "high_left_hip").glob("*.jpg"))]
    html = tmp_path / "report.html"
    with_height = replayed("analyze", *photos, "--height-cm", "172", "--html", str(html))
    assert with_height.returncode == 0, with_height.stderr
    hip_line = next(line for line in with_height.stdout.splitlines() if line.strip().startswith("hip_tilt_deg"))
    assert hip_line.count(" cm)") == 1
    page = html.read_text()
    assert re.search(r"Hip line tilt \(lateral pelvic tilt\)</td><td>[-+][0-9.]+ ± [0-9.]+ deg, [-+][0-9.]+ cm<", page)
    finding = (r"Left hip higher than right \(lateral pelvic tilt\)</strong>: [a-z]+, [^<]*deg "
               r"\(usual: below \+3 deg\), [-+][0-9.]+ cm")  # the usual range in the value's unit, before the cm
    assert re.search(finding, page)
    without = replayed("analyze", *photos, "--html", str(html))
    assert without.returncode == 0 and not re.search(r"deg, [-+][0-9.]+ cm", html.read_text())


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--html", "no/such/folder/report.html"), "the folder no/such/folder does not exist"),
        (("--html", "."), "is a folder"),
        (("--annotate", "README.md"), "is a file; give a folder"),
        (("--pdf", "no/such/folder/report.pdf"), "the folder no/such/folder does not exist"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_the_model_runs(args, said):
    result = posture("analyze", str(REPO / "samples" / "neutral" / "front.jpg"), *args, cwd=REPO)
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr


def test_batch_on_a_folder_without_photos_is_an_error(tmp_path):
    empty = tmp_path / "holiday"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a photo")
    alone = posture("batch", str(empty))
    assert alone.returncode == 2 and alone.stdout == ""
    assert f"posture: no photos in the folder {empty}" in alone.stderr and ".jpg" in alone.stderr
    with_a_photo = replayed("batch", str(empty), str(REPO / "samples" / "neutral" / "front.jpg"))
    assert with_a_photo.returncode == 1  # the photo is analysed, the empty folder still said
    assert len(with_a_photo.stdout.splitlines()) == 1 and "no photos in the folder" in with_a_photo.stderr
