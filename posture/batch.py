"""`posture batch` on several cores: worker processes, not threads (a MediaPipe graph is not
shared between threads), each building its own pose model once. Photos go out one at a time and
come back in the order given, so the output is the same whatever the number of workers."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from posture.analysis import Options


@dataclass(frozen=True)
class BatchOutcome:
    """What the parent process prints and writes for one photo."""

    path: str
    record: str  # the photo's JSON line (posture.photo/1)
    error: str | None  # "PATH (code): message" when the photo could not be analysed
    annotated: tuple[tuple[str, bytes], ...]  # (title, JPEG) per annotated image, when asked for


@dataclass(frozen=True)
class _Worker:
    estimator: object
    options: Options
    annotate: bool


_WORKER: _Worker | None = None  # one per process: the pose model is built once, not per photo


def available_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def analyse_all(paths: Sequence[str], options: Options, annotate: bool, workers: int) -> Iterator[BatchOutcome]:
    """Each photo's outcome, in the order of `paths`; `workers` processes (1: this one)."""
    workers = max(1, min(workers, len(paths)))
    if workers == 1:
        _start_worker(options, annotate)
        yield from map(_analyse, paths)
        return
    # fork where the platform has it: a worker starts in milliseconds instead of importing
    # mediapipe again, and inherits the parent's code as it is (the fast lane's recorded model).
    # The parent never builds a model, so no model thread is forked.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(options, annotate)) as pool:
        yield from pool.map(_analyse, paths)


def _start_worker(options: Options, annotate: bool) -> None:
    from posture.vision import pose_model

    global _WORKER
    _WORKER = _Worker(pose_model.BlazePoseEstimator(), options, annotate)


def _analyse(path: str) -> BatchOutcome:
    from posture.analysis import analyze_single
    from posture.annotated import annotated_jpeg
    from posture.presentation import report_view
    from posture.records import batch_record_json

    assert _WORKER is not None, "_start_worker runs first in every worker"
    analysis = analyze_single(path, _WORKER.estimator, _WORKER.options)
    (result,) = analysis.photos
    error = None if result.ok else f"{result.path} ({result.error.code.value}): {result.error.message}"
    annotated = ()
    if _WORKER.annotate:
        images = ((section.title, annotated_jpeg(section)) for section in report_view(analysis).photos)
        annotated = tuple((title, jpeg) for title, jpeg in images if jpeg is not None)
    return BatchOutcome(path, json.dumps(batch_record_json(analysis), ensure_ascii=False), error, annotated)
