"""`posture history ...` and `posture analyze --save`: the command-line side of the history."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

EXIT_OK, EXIT_FAILED = 0, 2


def taken_on(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def body_height(text: str) -> float:
    from posture.analysis import BODY_HEIGHT_RANGE_CM

    low, high = BODY_HEIGHT_RANGE_CM
    try:
        height = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a height in cm, got {text!r}") from None
    if not low <= height <= high:
        raise argparse.ArgumentTypeError(f"a body height must be between {low:.0f} and {high:.0f} cm, got {text}")
    return height


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH|URL",
                        help="history database: a SQLite file or a database URL (default: POSTURE_DB, else "
                        "~/.local/share/posture/history.sqlite)")


def add_commands(commands) -> None:
    history = commands.add_parser("history", help="saved assessments: list, show, export, import, delete",
                                  description="Assessments saved with `posture analyze --save --profile NAME`.")
    kinds = history.add_subparsers(dest="history", metavar="ACTION", required=True)
    listing = kinds.add_parser("list", help="profiles, or one profile's visits")
    listing.add_argument("--profile", metavar="NAME")
    listing.add_argument("--search", metavar="TEXT", default="",
                         help="only profiles whose name contains TEXT (any case, accents optional)")
    details = kinds.add_parser("profile", help="a client's details (height, date of birth, notes): show or change",
                               description="Without options: show them. Height scales lengths in cm for every "
                               "assessment saved to this profile unless --height-cm is given there.")
    details.add_argument("--profile", metavar="NAME", required=True)
    details.add_argument("--height-cm", type=body_height, metavar="N")
    details.add_argument("--born", type=taken_on, metavar="YYYY-MM-DD", help="date of birth")
    details.add_argument("--notes", metavar="TEXT")
    details.add_argument("--create", action="store_true", help="make the profile if there is none of that name")
    show = kinds.add_parser("show", help="one profile's measurements over time and whether each change is real")
    show.add_argument("--profile", metavar="NAME", required=True)
    export = kinds.add_parser("export", help="one profile's history to stdout")
    export.add_argument("--profile", metavar="NAME", required=True)
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    load = kinds.add_parser("import", help="a JSON export into a new profile")
    load.add_argument("file", type=Path, metavar="FILE")
    remove = kinds.add_parser("delete", help="a profile and everything of it, photos included")
    remove.add_argument("--profile", metavar="NAME", required=True)
    report = kinds.add_parser("report", help="one profile's progress report as a self-contained HTML file and/or a PDF")
    report.add_argument("--profile", metavar="NAME", required=True)
    report.add_argument("--html", type=Path, metavar="FILE", help="write the report as one self-contained HTML file")
    report.add_argument("--pdf", type=Path, metavar="FILE", help="write the report as a PDF")
    report.add_argument("--examiner", metavar="NAME", help="the examiner's name, in the report's header")
    for sub in (listing, details, show, export, load, remove, report):
        add_db_option(sub)
        sub.set_defaults(run=run)


def run(args) -> int:
    from posture.history.db import HistoryError, open_database
    from posture.history.store import ProfileError

    try:
        sessions = open_database(args.db)
        return ACTIONS[args.history](sessions, args)
    except (HistoryError, ProfileError) as error:
        print(f"posture: error: {error}", file=sys.stderr)
        return EXIT_FAILED


def save(args, analysis, view, photos) -> int:
    """`analyze --save`: store the assessment (and a thumbnail of each view); say where on stderr."""
    from posture.annotated import view_thumbnails
    from posture.history.db import HistoryError, database_url, open_database
    from posture.history.store import ProfileError, save_assessment, visit_number
    from posture.vision.image_io import PhotoBytes

    try:
        sessions = open_database(args.db)
        stored = [PhotoBytes(Path(p).name, Path(p).read_bytes()) for p in photos if Path(p).is_file()]
        saved = save_assessment(sessions, args.profile, analysis, view_thumbnails(view.photos), args.taken_at,
                                "photos", stored)
        with sessions() as session:
            visit = visit_number(session, saved)
    except (HistoryError, ProfileError) as error:
        print(f"posture: not saved: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Saved as visit {visit} of profile {args.profile!r} in {database_url(args.db)}", file=sys.stderr)
    return EXIT_OK


def with_stored_details(args, options, header):
    """`analyze --save --profile NAME`: the options and report header with what that profile
    stores, where the command line gave nothing (the height for lengths in cm, the date of birth);
    said on stderr. A database that can't be opened is the save's to report."""
    from dataclasses import replace

    from posture.history.db import HistoryError, open_database
    from posture.history.store import ProfileError, client_details, find_profile

    try:
        with open_database(args.db)() as session:
            stored = client_details(find_profile(session, args.profile))
    except (HistoryError, ProfileError):
        return options, header
    if options.height_cm is None and stored.height_cm is not None:
        options = replace(options, height_cm=stored.height_cm)
        print(f"Height {stored.height_cm:g} cm from profile {args.profile!r} (--height-cm overrides it)",
              file=sys.stderr)
    if header is not None and header.date_of_birth is None and stored.birth_date is not None:
        try:
            header = replace(header, date_of_birth=stored.birth_date)
        except ValueError as error:  # born after --taken-at: the header goes without it
            print(f"posture: the stored date of birth is not on the report: {error}", file=sys.stderr)
    return options, header


def _list(sessions, args) -> int:
    from posture.history.store import assessment_summaries, find_profile, list_profiles

    with sessions() as session:
        if args.profile is None:
            rows = list_profiles(session, args.search)
            if not rows:
                print(f"No profile's name contains {args.search!r}." if args.search else
                      "No profiles yet: `posture analyze PHOTO... --save --profile NAME` makes one.")
            for profile, count, last in rows:
                print(f"{profile.name}\t{count} assessment(s)\tlatest {last or '-'}"
                      + ("\tphotos stored" if profile.store_photos else ""))
            return EXIT_OK
        for summary in assessment_summaries(session, find_profile(session, args.profile)):
            findings = "; ".join(summary.findings) or "no findings"
            print(f"visit {summary.visit}\t{summary.taken_on}\t{summary.source}\t{findings}")
    return EXIT_OK


def _profile(sessions, args) -> int:
    from dataclasses import replace

    from posture.history.store import ClientDetails, ProfileError, client_details, find_profile, update_client

    given = {field: value for field, value in (("height_cm", args.height_cm), ("birth_date", args.born),
                                               ("notes", args.notes)) if value is not None}
    with sessions() as session:
        try:
            details = client_details(find_profile(session, args.profile))
        except ProfileError:
            if not args.create:
                raise ProfileError(f"no profile named {args.profile!r}; add --create to make it") from None
            details = ClientDetails(args.profile)
    if given or args.create:
        details = update_client(sessions, replace(details, **given), create=args.create)
    print(f"{details.name}\nborn: {details.birth_date or '-'}\nheight: "
          f"{'-' if details.height_cm is None else f'{details.height_cm:g} cm'}\nnotes: {details.notes or '-'}")
    return EXIT_OK


def _show(sessions, args) -> int:
    from posture.history.store import find_profile, series
    from posture.history.trends import compare
    from posture.registry import display_name

    with sessions() as session:
        profile = find_profile(session, args.profile)
        all_series = series(session, profile)
    print(f"{profile.name}: first vs latest assessment, per measurement (MDC95 = smallest real change)")
    for mid, (unit, points) in all_series.items():
        if len(points) < 2:
            print(f"  {display_name(mid):45s} one assessment only ({points[0].value:+.1f} {unit})")
            continue
        change = compare(mid, unit, points, points[0], points[-1])
        print(f"  {display_name(mid):45s} {change.first.value:+6.1f} -> {change.latest.value:+6.1f} {unit:8s} "
              f"change {change.delta:+.1f}, MDC95 {change.mdc.mdc95:.1f}: {change.verdict}")
    return EXIT_OK


def _export(sessions, args) -> int:
    from posture.history.store import export_csv, export_json, find_profile

    with sessions() as session:
        profile = find_profile(session, args.profile)
        if args.format == "csv":
            sys.stdout.write(export_csv(session, profile))
        else:
            print(json.dumps(export_json(session, profile), ensure_ascii=False))
    return EXIT_OK


def _import(sessions, args) -> int:
    from posture.history.store import ProfileError, import_json

    try:
        document = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ProfileError(f"{args.file} can't be read as a JSON export: {error}") from None
    name, count = import_json(sessions, document)
    print(f"Imported profile {name!r} with {count} assessment(s).", file=sys.stderr)
    return EXIT_OK


def _delete(sessions, args) -> int:
    from posture.history.store import delete_profile

    count = delete_profile(sessions, args.profile)
    print(f"Deleted profile {args.profile!r} and its {count} assessment(s), photos and logs.", file=sys.stderr)
    return EXIT_OK


def _report(sessions, args) -> int:
    from posture.history.progress import profile_header, progress
    from posture.history.report import progress_html, progress_report
    from posture.history.report_pdf import progress_pdf
    from posture.history.store import ProfileError, find_profile

    if args.html is None and args.pdf is None:
        raise ProfileError("`history report` needs --html FILE or --pdf FILE (or both)")
    with sessions() as session:
        profile = find_profile(session, args.profile)
        history = progress(session, profile)
        try:
            header = profile_header(profile, history.latest.taken_on if history.latest else date.today(), args.examiner)
        except ValueError as error:
            raise ProfileError(f"--examiner: {error}") from None
        report = progress_report(session, history, header)
    if args.html is not None:
        _write_report(args.html, progress_html(report).encode("utf-8"))
    if args.pdf is not None:
        _write_report(args.pdf, progress_pdf(report))
    return EXIT_OK


def _write_report(target: Path, content: bytes) -> None:
    from posture.history.store import ProfileError

    try:
        target.write_bytes(content)
    except OSError as error:
        raise ProfileError(f"could not write {target}: {error.strerror or error}") from None
    print(f"Progress report: {target}", file=sys.stderr)


ACTIONS = {
    "list": _list, "profile": _profile, "show": _show, "export": _export, "import": _import, "delete": _delete,
    "report": _report,
}
