"""`posture batch` throughput: photos per second with 1 and 2 worker processes, each run a fresh
`posture batch` process (start-up and model loading included, as a user waits for them).
The CPU seconds per photo tell the work
apart from the wait: on a machine whose cores are busy with other work, two workers can't be faster.
A benchmark that prints figures, not a test.

    .venv/bin/python -m benchmarks.batch [PHOTO_DIR...]   (default: samples/ and ../shared/photos)
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import ROOT, SHARED_FRONT
from posture.cli import expand_paths

WORKER_COUNTS = (1, 2)


def main() -> None:
    folders = sys.argv[1:] or [str(ROOT / "samples"), str(SHARED_FRONT.parent)]
    photos, _ = expand_paths([folder for folder in folders if Path(folder).is_dir()])
    if not photos:
        sys.exit(f"no photos in {', '.join(folders)}")
    print(f"photos: {len(photos)} from {', '.join(folders)}")
    outputs = {}
    for workers in WORKER_COUNTS:
        load = os.getloadavg()[0]
        cpu_before = _children_cpu_s()
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "posture", "batch", *photos, "--workers", str(workers)],
                              capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - start
        outputs[workers] = done.stdout
        print(f"{workers} worker{'s' if workers > 1 else ' '}: {elapsed:6.1f} s, "
              f"{len(photos) / elapsed:.2f} photos/s, CPU {(_children_cpu_s() - cpu_before) / len(photos):.2f} s/photo "
              f"(exit {done.returncode}; load average before: {load:.1f} on {os.cpu_count()} cores)")
    same = len({output for output in outputs.values()}) == 1
    print(f"records identical for {' and '.join(map(str, WORKER_COUNTS))} workers: {'yes' if same else 'NO'}")


def _children_cpu_s() -> float:
    """User + system seconds of the finished child processes (the batch run and its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
