"""Seconds per photo (full pipeline vs one bare BlazePose call) and the memory peak on a 45 MP
photo. A benchmark that prints figures, not a test.

    .venv/bin/python -m benchmarks.speed_memory [PHOTO_DIR]   (default ../shared/photos/front)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.common import photos_from_argv
from posture.analysis import Options, analyze_single
from posture.vision.image_io import load_photo
from posture.vision.pose_model import BlazePoseEstimator


def main() -> None:
    photos = photos_from_argv()
    estimator = BlazePoseEstimator()
    analyze_single(str(photos[0]), estimator, Options())  # build the graph once
    bare, full = [], []
    for path in photos:
        rgb = load_photo(path).rgb
        start = time.perf_counter()
        estimator.detect(rgb)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        analyze_single(str(path), estimator, Options())
        full.append(time.perf_counter() - start)
    print(f"photos: {len(photos)} from {photos[0].parent}")
    print(f"bare BlazePose call (incl. mask): median {statistics.median(bare) * 1000:.0f} ms")
    print(f"full pipeline per photo:          median {statistics.median(full) * 1000:.0f} ms "
          f"({statistics.median(full) / statistics.median(bare):.1f}x the bare call)")
    print(memory_on_45mp(photos[0]))


def memory_on_45mp(source: Path) -> str:
    """Upscale a real photo to 8256x5504 (45 MP), analyse it in a fresh process, read its peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "45mp.jpg"
        person = Image.open(source).convert("RGB")
        scale = 5504 / person.height
        person = person.resize((round(person.width * scale), 5504), Image.Resampling.BICUBIC)
        canvas = Image.new("RGB", (8256, 5504), (180, 180, 175))
        canvas.paste(person, ((8256 - person.width) // 2, 0))
        canvas.save(big, quality=90)
        del canvas, person
        start = time.perf_counter()
        peak_mb, code = _peak_rss_mb(f"from posture.cli import main; main(['analyze', {str(big)!r}, '--json'])")
        elapsed = time.perf_counter() - start
        import_mb, _ = _peak_rss_mb("import posture.vision.pose_model, mediapipe, numpy, cv2")
        ok = "ok" if code == 0 else f"exit {code}"
        return (f"45 MP JPEG (8256x5504, {big.stat().st_size / 1e6:.1f} MB): {ok}, {elapsed:.1f} s in a fresh "
                f"process, peak RSS {peak_mb:.0f} MB (of which importing mediapipe: {import_mb:.0f} MB)")


def _peak_rss_mb(code: str) -> tuple[float, int]:
    """Run `code` in a fresh interpreter that prints its own peak resident memory last."""
    wrapper = (
        "import resource, sys\n"
        "status = 0\n"
        f"try:\n    {code}\nexcept SystemExit as e:\n    status = e.code or 0\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True)
    return int(done.stderr.strip().splitlines()[-1]) / 1024, done.returncode


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
