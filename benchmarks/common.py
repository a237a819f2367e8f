"""What the benchmarks share: where the real photos are."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_FRONT = ROOT.parent / "shared" / "photos" / "front"


def photos_from_argv() -> list[Path]:
    """JPEGs of the folder given as the first argument (default ../shared/photos/front); exits with
    a message when there are none."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED_FRONT
    photos = sorted(folder.glob("*.jpg"))
    if not photos:
        sys.exit(f"no photos in {folder}")
    return photos
