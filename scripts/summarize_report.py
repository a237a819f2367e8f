"""One line for scripts/setup: what a `posture analyze --json` document found, and how many of
its photos could not be analysed (their errors are in the file beside it).

The findings and the "can't tell" count come from the report's own rule (`presentation.summarize`),
so the line counts what the report lists: a hip that could be higher on either side is one
"can't tell", as in the report, not two.

    python scripts/summarize_report.py NAME REPORT_JSON ERRORS_TXT
"""

import json
import sys
from pathlib import Path

from posture.presentation import summarize
from posture.records import stored_assessment


def summary_line(name: str, document: dict, errors: Path) -> str:
    failed = sum(1 for photo in document["photos"] if photo.get("error"))
    if failed == len(document["photos"]):
        return f"  {name:15s} no photo could be analysed: see {errors}"
    summary = summarize(*stored_assessment(document))
    present = [f"{shown.finding.label}: {shown.finding.severity}" for shown in summary.findings]
    said = "; ".join(present) if present else "no finding beyond the usual range"
    said += f" ({len(summary.unsure)} can't tell)" if summary.unsure else ""
    return f"  {name:15s} {said}" + (f" ({failed} photo(s) not analysed: see {errors})" if failed else "")


if __name__ == "__main__":
    name, report, errors = sys.argv[1:]
    print(summary_line(name, json.loads(Path(report).read_text()), Path(errors)))
