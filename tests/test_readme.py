"""The README and docs/ against the code: the measurement tables list exactly the registered
measurements, and every relative link leads to a file (and heading) that exists."""

import re
from pathlib import Path

import pytest

from posture.registry import MEASUREMENTS

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
TABLE_ROW_ID = re.compile(r"^\| `([a-z][a-z0-9_]*)` \|", re.MULTILINE)  # | `hip_tilt_deg` | ...
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_the_measurement_tables_list_every_registered_id_once_and_nothing_else():
    rows = TABLE_ROW_ID.findall(README.read_text())
    registered = [m.id for m in MEASUREMENTS]
    assert sorted(set(rows)) == sorted(rows), "a measurement has two rows"
    assert set(registered) - set(rows) == set(), "registered but missing from the README's tables"
    assert set(rows) - set(registered) == set(), "in the README's tables but not in posture/registry.py"


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_relative_links_lead_to_files_that_exist(page):
    broken = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or (anchor and file.suffix == ".md" and anchor not in _anchors(file)):
            broken.append(target)
    assert broken == []
