"""Command line: `posture analyze` (one person) and `posture batch` (unrelated photos).

Only argparse is imported at start-up so `posture --help` answers instantly; the model and
NumPy load when a command runs.
Exit codes: 0 every photo analysed, 1 some photos failed (their records carry the error),
2 usage error. Errors go to stderr, one line each, never a traceback; the report to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from pathlib import Path

from posture.history import cli as history_cli

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic", ".heif"}
VIEWS = ("front", "back", "side_left", "side_right")
MARKER_COLOURS = ("red", "orange", "yellow", "green", "blue", "magenta", "white")  # = vision.markers.MarkerColour


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if (getattr(args, "asis", None) is None) != (getattr(args, "psis", None) is None):
        parser.error("--asis and --psis go together")
    if getattr(args, "save", False) and not getattr(args, "profile", None):
        parser.error("--save needs --profile NAME")
    unwritable = _unwritable_outputs(args)
    if unwritable:
        parser.error(unwritable)
    try:
        args.pain = _pain(args)
        args.header = _header(args)
    except ValueError as error:
        parser.error(str(error))
    return args.run(args)


def _unwritable_outputs(args) -> str | None:
    """Why --html, --pdf or --annotate cannot be written, checked before the model runs for minutes."""
    annotate = getattr(args, "annotate", None)
    for option in ("html", "pdf"):
        target = getattr(args, option, None)
        if target is not None and (target.is_dir() or not target.parent.is_dir()):
            return f"--{option} {target}: " + ("is a folder; give a file name" if target.is_dir()
                                               else f"the folder {target.parent} does not exist")
    if annotate is not None and annotate.exists() and not annotate.is_dir():
        return f"--annotate {annotate}: is a file; give a folder"
    return None


def _pain(args):
    """The Pain of `analyze`'s --pain* options, None when none is given."""
    given = [getattr(args, name, None) for name in ("pain", "pain_level", "pain_weeks")]
    if all(value is None for value in given):
        return None
    from posture.assessment.pain import Pain

    return Pain(given[0] or (), given[1], given[2])


def _header(args):
    """The report's header from `analyze`'s --client (else --profile), --examiner, --date-of-birth and
    --taken-at (else today); None for the other commands."""
    if args.command != "analyze":
        return None
    from datetime import date

    from posture.presentation import ReportHeader

    return ReportHeader(args.taken_at or date.today(), client=args.client or args.profile,
                        date_of_birth=args.date_of_birth, examiner=args.examiner)


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return number


def _point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y in pixels, got {text!r}") from None
    return x, y


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posture",
        description="Posture screening from photos: measurements, what they suggest (with how "
        "sure), and targeted corrections. Not a diagnosis. Runs locally; nothing is uploaded.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--view", choices=VIEWS, help="override view detection for every photo")
        sub.add_argument("--height-cm", type=history_cli.body_height, metavar="N",
                         help="subject's height; adds lengths in cm (scaled from body height); with --save, "
                              "the profile's stored height when not given")
        sub.add_argument("--no-level", action="store_true",
                         help="don't correct tilts for a rolled camera")
        sub.add_argument("--annotate", type=Path, metavar="DIR",
                         help="write annotated images to DIR")
        sub.add_argument("--asis", type=_point, metavar="X,Y",
                         help="ASIS in side-photo pixels (with --psis: exact pelvic tilt)")
        sub.add_argument("--psis", type=_point, metavar="X,Y", help="PSIS in side-photo pixels")
        sub.add_argument("--no-markers", action="store_true",
                         help="don't look for coloured markers on the bony landmarks (docs/markers.md)")
        sub.add_argument("--marker-color", choices=MARKER_COLOURS, metavar="COLOUR",
                         help=f"the markers' colour ({', '.join(MARKER_COLOURS)}); default: found automatically, "
                              "white only when named")

    analyze = commands.add_parser(
        "analyze", help="photos of one person taken together -> one combined report",
        description="Analyse front/side/back photos of one person taken at one time.",
    )
    analyze.add_argument("photos", nargs="+", metavar="PHOTO")
    common(analyze)
    analyze.add_argument("--json", action="store_true", help="print one JSON document")
    analyze.add_argument("--html", type=Path, metavar="FILE",
                         help="also write a self-contained HTML report (annotated images inside)")
    analyze.add_argument("--pdf", type=Path, metavar="FILE",
                         help="also write the report as a PDF (annotated images, findings, plan)")
    analyze.add_argument("--client", metavar="NAME",
                         help="the client's name in the report's header (default: --profile)")
    analyze.add_argument("--examiner", metavar="NAME", help="the examiner's name, in the report's header")
    analyze.add_argument("--date-of-birth", type=history_cli.taken_on, metavar="YYYY-MM-DD",
                         help="the client's date of birth, in the report's header")
    analyze.add_argument("--pain", metavar="REGION[,REGION]", type=lambda text: tuple(text.split(",")),
                         help="where it hurts: neck, upper_back, mid_back, lower_back, hip, sciatica "
                         "(corrections linked to it come first)")
    analyze.add_argument("--pain-level", type=int, metavar="0-10", help="how much it hurts")
    analyze.add_argument("--pain-weeks", type=float, metavar="N", help="for how many weeks it has hurt")
    analyze.add_argument("--save", action="store_true", help="save the assessment to the history (needs --profile)")
    analyze.add_argument("--profile", metavar="NAME", help="whose history to save to (made if new)")
    analyze.add_argument("--taken-at", type=history_cli.taken_on, metavar="YYYY-MM-DD",
                         help="when the photos were taken (default: today)")
    history_cli.add_db_option(analyze)
    analyze.set_defaults(run=_run_analyze)

    batch = commands.add_parser(
        "batch", help="files or folders of unrelated photos -> one JSON line per photo",
        description="Analyse unrelated photos; one JSON record per line on stdout.",
    )
    batch.add_argument("paths", nargs="+", metavar="PATH")
    common(batch)
    batch.add_argument("--workers", type=_positive, metavar="N", default=None,
                       help="photos analysed at once, each worker a process with its own model "
                       "(default: all cores); the output is the same for any N")
    batch.set_defaults(run=_run_batch)

    app = commands.add_parser(
        "app", help="open the app in the browser (on this computer only, unless --lan)",
        description="Start the Streamlit app on 127.0.0.1; photos and video never leave this computer. With --lan, "
        "a phone on the local network can send photos (HTTPS, a secret link shown as a QR code).",
    )
    app.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    app.add_argument("--lan", action="store_true",
                     help="also let a phone on the local network send photos: HTTPS with a certificate made now, "
                     "a secret link shown as a QR code on the Assess page (docs/app.md)")
    app.set_defaults(run=_run_app)

    history_cli.add_commands(commands)

    bench = commands.add_parser("bench", help="benchmarks against ground truth")
    bench_kinds = bench.add_subparsers(dest="bench", metavar="KIND", required=True)
    accuracy = bench_kinds.add_parser(
        "accuracy", help="score the analyzer on rendered people with known posture",
        description="Per measurement bias, MAE, gain and R²; per finding precision/recall and confusion; "
        "product vs bare model. DIR holds images with <name>.truth.json (python -m posture.synth.generate).",
    )
    accuracy.add_argument("folder", type=Path, metavar="DIR")
    accuracy.add_argument("--json", action="store_true", help="print the figures as JSON")
    accuracy.set_defaults(run=_run_bench_accuracy)
    families = bench_kinds.add_parser(
        "families", help="leave one variation family out: does the calibration transfer?",
        description="For each family of renders (python -m posture.synth.generate families), fit the calibration "
        "on the other families and test on it: MAE, gain and 2-sigma cover per family for the uncalibrated values, "
        "the shipped calibration and the refitted one; the headline is the worst held-out family.",
    )
    families.add_argument("folders", type=Path, nargs="+", metavar="DIR", help="render folders (e.g. one per seed)")
    families.add_argument("--json", action="store_true", help="print the figures as JSON")
    families.add_argument("--write-out-of-family-sd", type=Path, metavar="CALIBRATION_JSON",
                          help="write the shipped calibration's out-of-family error into this file as the floor "
                          "of its stated uncertainty")
    families.add_argument("--write-transfer", type=Path, metavar="CALIBRATION_JSON",
                          help="write the transfer stage (the calibrated value with the knee line, fitted on every "
                          "family, its sigma fitted to the held-out error) into this file")
    families.add_argument("--hold-out-together", metavar="FAMILY,FAMILY", type=lambda text: text.split(","),
                          help="hold these families out as one (families that share a change: camera_high,combined)")
    families.set_defaults(run=_run_bench_families)
    markers = bench_kinds.add_parser(
        "markers", help="marker mode on renders with markers on the skin points",
        description="Visible markers found within 8 px, wrong markers, markers on renders without any, and per "
        "marker measurement MAE and largest error against the truth between the true marker centres. DIR holds "
        "renders from python -m posture.synth.generate markers (docs/markers.md).",
    )
    markers.add_argument("folder", type=Path, metavar="DIR")
    markers.add_argument("--json", action="store_true", help="print the figures as JSON")
    markers.set_defaults(run=_run_bench_markers)
    train = commands.add_parser(
        "train-calibration", help="fit the shipped calibration models on rendered ground truth",
        description="Fit the models of posture/data/calibration.json on TRAIN renders and score them on VALIDATION "
        "renders they never saw (folders from python -m posture.synth.generate random with different seeds).",
    )
    train.add_argument("train", type=Path, metavar="TRAIN_DIR")
    train.add_argument("validation", type=Path, metavar="VALIDATION_DIR")
    train.add_argument("--obliquity", type=Path, metavar="DIR",
                       help="renders of 3° vs level pelvises (generate obliquity) to score telling them apart")
    train.add_argument("--confounders", type=Path, metavar="DIR",
                       help="level pelvises with a leaning trunk or raised shoulder (generate confounders)")
    train.add_argument("--more-train", type=Path, action="append", default=[], metavar="DIR",
                       help="another folder of training renders (another seed); repeatable")
    train.add_argument("--out", type=Path, help="where to write the models (default: print them)")
    train.set_defaults(run=_run_train_calibration)
    return parser


def _options(args):
    from posture.analysis import Options
    from posture.assessment.measurements import PelvisMarkers
    from posture.assessment.views import View
    from posture.vision.markers import MarkerColour

    markers = PelvisMarkers(args.asis, args.psis) if args.asis is not None else None
    return Options(
        view=View(args.view) if args.view else None,
        height_cm=args.height_cm,
        level=not args.no_level,
        markers=markers,
        find_markers=not args.no_markers,
        marker_colour=MarkerColour(args.marker_color) if args.marker_color else None,
        pain=getattr(args, "pain", None),
    )


def _run_analyze(args) -> int:
    from posture.analysis import analyze_person
    from posture.presentation import report_view
    from posture.records import report_json
    from posture.report import report_text
    from posture.vision.pose_model import BlazePoseEstimator

    options, header = _options(args), args.header
    if args.save:
        options, header = history_cli.with_stored_details(args, options, header)
    analysis = analyze_person(args.photos, BlazePoseEstimator(), options)
    view = report_view(analysis, header)
    _say_errors(analysis)
    if args.json:
        print(json.dumps(report_json(analysis), ensure_ascii=False))
    if not any(r.ok for r in analysis.photos):
        nothing = "; nothing was written or saved" if args.html or args.pdf or args.annotate or args.save else ""
        _error(f"no photo could be analysed, so there are no findings{nothing}")
        return EXIT_SOME_FAILED
    if not args.json:
        print(report_text(view), end="")
    written = _write_annotations(args.annotate, view.photos) if args.annotate else True
    if args.html:
        from posture.report_html import report_html

        written = _write(lambda: args.html.write_text(report_html(view), encoding="utf-8"), args.html) and written
    if args.pdf:
        from posture.report_pdf import report_pdf

        written = _write(lambda: args.pdf.write_bytes(report_pdf(view)), args.pdf) and written
    if args.save and history_cli.save(args, analysis, view, args.photos) != EXIT_OK:
        return EXIT_USAGE
    return EXIT_OK if written and all(r.ok for r in analysis.photos) else EXIT_SOME_FAILED


def _say_errors(analysis) -> None:
    """Each photo that could not be analysed, on stderr (the report and the JSON carry the rest)."""
    for result in analysis.photos:
        if not result.ok:
            _error(f"{result.path} ({result.error.code.value}): {result.error.message}")


def _error(message: str) -> None:
    sys.stderr.write(f"posture: {message}\n")


def _write(write, target: Path) -> bool:
    """Write a file the user asked for; a failure is one line on stderr, and the rest goes on."""
    try:
        write()
    except OSError as error:
        _error(f"could not write {target}: {error.strerror or error}")
        return False
    return True


def _run_app(args) -> int:
    """Become the Streamlit server (exec, not a child process), so a signal that stops `posture
    app` stops the server too instead of leaving it running."""
    if args.lan:
        return _run_lan_app(args)
    entry = Path(__file__).parent / "ui" / "main.py"
    command = [
        sys.executable, "-m", "streamlit", "run", str(entry),
        "--server.address", "127.0.0.1", "--server.port", str(args.port), "--server.headless", "true",
        "--server.maxUploadSize", "50", "--browser.gatherUsageStats", "false",
    ]
    print(f"Posture app on http://127.0.0.1:{args.port} (Ctrl+C to stop)", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return EXIT_OK  # not reached: the process is the server now


def _run_lan_app(args) -> int:
    """The app over HTTPS on every interface, in this process (it removes the certificate's folder
    when the server stops)."""
    from posture.lan import lan_address, serve

    address = lan_address()
    if address is None:
        _error("app --lan: this computer has no address on a local network (is Wi-Fi or Ethernet connected?)")
        return EXIT_USAGE
    print(f"Posture app on https://localhost:{args.port} on this computer; a phone on the same network reaches it "
          f"at {address} with the link on the Assess page (Ctrl+C to stop).\nThe browser warns once about the "
          "certificate made for this run: Advanced, then proceed.", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how it stops, not an error
        serve(args.port, "0.0.0.0", address)
    return EXIT_OK


def _run_batch(args) -> int:
    from concurrent.futures.process import BrokenProcessPool

    from posture.batch import analyse_all, available_cores

    paths, empty = expand_paths(args.paths)
    for folder in empty:
        _error(f"no photos in the folder {folder} (looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
    if not paths:
        return EXIT_USAGE
    failed, written = 0, True
    taken: set[Path] = set()
    workers = args.workers or available_cores()
    _progress(1, len(paths), paths[0])
    try:
        for index, outcome in enumerate(analyse_all(paths, _options(args), bool(args.annotate), workers), 1):
            if outcome.error is not None:
                failed += 1
                sys.stderr.write("\r\033[K")
                _error(outcome.error)
            if args.annotate:
                written = _save_annotations(args.annotate, outcome.annotated, taken) and written
            print(outcome.record, flush=True)
            if index < len(paths):
                _progress(index + 1, len(paths), paths[index])
    except BrokenProcessPool:
        _error("a worker process stopped unexpectedly (out of memory?); try fewer --workers")
        return EXIT_SOME_FAILED
    sys.stderr.write(f"\r{len(paths)} photos, {failed} failed\033[K\n")
    return EXIT_OK if failed == 0 and written and not empty else EXIT_SOME_FAILED


def _run_bench_accuracy(args) -> int:
    from posture.bench.accuracy import report_text, score
    from posture.vision.pose_model import BlazePoseEstimator

    truth_files = sorted(args.folder.glob("*.truth.json"))
    if not truth_files:
        sys.stderr.write(f"posture bench accuracy: no *.truth.json in {args.folder}\n")
        return EXIT_USAGE
    results = score(truth_files, BlazePoseEstimator(),
                    progress=lambda name: sys.stderr.write(f"\r{name[-50:]}\033[K"))
    sys.stderr.write("\r\033[K")
    print(json.dumps(results, indent=1) if args.json else report_text(results), end="" if not args.json else "\n")
    return EXIT_OK


def _run_bench_markers(args) -> int:
    from posture.bench.markers import records, report_text, summary
    from posture.vision.pose_model import BlazePoseEstimator

    if not any(args.folder.glob("*.truth.json")):
        sys.stderr.write(f"posture bench markers: no *.truth.json in {args.folder}\n")
        return EXIT_USAGE
    rows = records(args.folder, BlazePoseEstimator(), progress=lambda name: sys.stderr.write(f"\r{name[-50:]}\033[K"))
    sys.stderr.write("\r\033[K")
    result = summary(rows)
    print(json.dumps(result, indent=1) if args.json else report_text(result))
    return EXIT_OK


def _run_bench_families(args) -> int:
    from posture.bench.families import (
        family_records,
        held_out,
        held_out_together,
        out_of_family_floors,
        report_text,
        skin_hip_gains,
        transfer_stages,
    )
    from posture.vision.pose_model import BlazePoseEstimator

    if empty := [folder for folder in args.folders if not any(folder.glob("*.truth.json"))]:
        sys.stderr.write(f"posture bench families: no *.truth.json in {', '.join(map(str, empty))}\n")
        return EXIT_USAGE
    estimator = BlazePoseEstimator()
    records = [record for folder in args.folders for record in family_records(
        folder, estimator, progress=lambda name: sys.stderr.write(f"\r{name[-50:]}\033[K"))]
    sys.stderr.write("\r\033[K")
    if args.hold_out_together:
        if args.write_out_of_family_sd or args.write_transfer:
            sys.stderr.write("posture bench families: --hold-out-together only prints figures, it writes nothing\n")
            return EXIT_USAGE
        records = held_out_together(records, args.hold_out_together)
    results = held_out(records)
    if args.write_out_of_family_sd:
        document = json.loads(args.write_out_of_family_sd.read_text())
        document["out_of_family_sd"] = out_of_family_floors(records, results)
        args.write_out_of_family_sd.write_text(_numbers_on_one_line(json.dumps(document, indent=1)) + "\n")
    if args.write_transfer:
        document = json.loads(args.write_transfer.read_text())
        document["transfer"] = transfer_stages(records, results)
        args.write_transfer.write_text(_numbers_on_one_line(json.dumps(document, indent=1)) + "\n")
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print(report_text(records, results, skin_hip_gains(args.folders)), end="")
    return EXIT_OK


def _run_train_calibration(args) -> int:
    from posture.bench.train_calibration import (
        alternatives,
        confounders,
        discrimination,
        outline_checks,
        raw_records,
        train,
    )
    from posture.vision.pose_model import BlazePoseEstimator

    missing = [str(folder) for folder in (args.train, args.validation, *args.more_train, args.obliquity,
                                          args.confounders) if folder is not None and not folder.is_dir()]
    if missing:
        _error(f"train-calibration: not a folder: {', '.join(missing)}")
        return EXIT_USAGE
    estimator = BlazePoseEstimator()

    def progress(name: str) -> None:
        sys.stderr.write(f"\r{name[-50:]}\033[K")

    train_records = [r for folder in (args.train, *args.more_train) for r in raw_records(folder, estimator, progress)]
    validation_records = raw_records(args.validation, estimator, progress)
    sys.stderr.write("\r\033[K")
    models = train(train_records, validation_records)
    document = {
        "_about": "Linear models that re-estimate measurements from raw ones (posture/assessment/calibration.py). "
        "Written by `posture train-calibration`; the figures are on the training renders and on validation renders "
        "the models never saw.",
        "provenance": {
            "train": ", ".join(map(str, (args.train, *args.more_train))), "train_renders": len(train_records),
            "validation": str(args.validation), "validation_renders": len(validation_records),
        },
        "models": models,
        "outline_checks": outline_checks(train_records, validation_records),
        "alternatives": alternatives(train_records, validation_records),
    }
    if args.obliquity:
        document["obliquity_3deg"] = discrimination(raw_records(args.obliquity, estimator, progress), models)
    if args.confounders:
        document["level_pelvis_confounders"] = confounders(raw_records(args.confounders, estimator, progress), models)
    text = _numbers_on_one_line(json.dumps(document, indent=1)) + "\n"
    if args.out:
        args.out.write_text(text)
    else:
        print(text, end="")
    return EXIT_OK


def _numbers_on_one_line(text: str) -> str:
    """JSON with each list of numbers on one line (the outline weights and components are
    thousands of numbers: one per line made the file five times longer)."""
    return re.sub(r"\[\s*(-?[0-9][-0-9.eE,\s]*?)\s*\]",
                  lambda match: "[" + ", ".join(part.strip() for part in match.group(1).split(",")) + "]", text)


def expand_paths(paths: list[str]) -> tuple[list[str], list[str]]:
    """Files as given; folders expanded to the images inside (recursively, sorted). Also the
    folders without any image, which are an error, not an empty result."""
    expanded, empty = [], []
    for given in paths:
        if os.path.isdir(given):
            found = sorted(
                os.path.join(given, os.path.relpath(os.path.join(root, name), given))
                for root, _, names in os.walk(given)
                for name in names
                if Path(name).suffix.lower() in IMAGE_SUFFIXES
            )
            expanded.extend(found)
            if not found:
                empty.append(given)
        else:
            expanded.append(given)
    return expanded, empty


def _write_annotations(folder: Path, sections) -> bool:
    """The annotated images; False (said on stderr) when one could not be written."""
    from posture.annotated import write_annotated

    taken: set[Path] = set()
    return all([_write(lambda s=section: write_annotated(s, folder, taken), folder) for section in sections])


def _save_annotations(folder: Path, images, taken: set[Path]) -> bool:
    """A batch worker's annotated JPEGs, named in the photos' order; False (said on stderr) when one
    could not be written."""
    from posture.annotated import save_annotated

    return all([_write(lambda t=title, j=jpeg: save_annotated(t, j, folder, taken), folder) for title, jpeg in images])


def _progress(index: int, total: int, path: str) -> None:
    width = 24
    done = int(width * (index - 1) / max(total, 1))
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {index}/{total} {path[-40:]}\033[K")
    sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
