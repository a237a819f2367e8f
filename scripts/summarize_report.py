"""One line for scripts/setup: what a `posture analyze --json` document found, and how many of
its photos could not be analysed (their errors are in the file beside it).

    python scripts/summarize_report.py NAME REPORT_JSON ERRORS_TXT
"""

import json
import sys
from pathlib import Path


def summary_line(name: str, document: dict, errors: Path) -> str:
    failed = sum(1 for photo in document["photos"] if photo.get("error"))
    if failed == len(document["photos"]):
        return f"  {name:15s} no photo could be analysed: see {errors}"
    findings = [f for f in document["assessment"]["findings"] if f["kind"] == "finding"]
    present = [f"{f['label']}: {f['severity']}" for f in findings if f["status"] == "present"]
    unsure = sum(1 for f in findings if f["status"] == "cant_tell")
    said = "; ".join(present) if present else "no finding beyond the usual range"
    said += f" ({unsure} can't tell)" if unsure else ""
    return f"  {name:15s} {said}" + (f" ({failed} photo(s) not analysed: see {errors})" if failed else "")


if __name__ == "__main__":
    name, report, errors = sys.argv[1:]
    print(summary_line(name, json.loads(Path(report).read_text()), Path(errors)))
