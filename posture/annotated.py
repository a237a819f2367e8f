"""Annotated images for a report: which lines to colour, and writing them next to each other."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from posture.analysis import Assessment, PhotoResult
from posture.assessment.classifier import Status
from posture.data_files import constant
from posture.vision.drawing import Annotation, annotate


def annotation_for(result: PhotoResult, assessment: Assessment) -> Annotation:
    """Present findings in their severity colour; a measured value whose finding is "can't tell"
    in grey (never the green of a normal value), and both in the legend."""
    severities: dict[str, str] = {}
    legend: list[tuple[str, str]] = []
    unsure: list[tuple[str, str]] = []
    measured = {mid for mid, m in result.measurements.items() if m.measured}
    for finding in assessment.findings:
        used = [e.measurement for e in finding.evidence if e.measurement in measured]
        if finding.is_pattern or not used:
            continue
        if finding.status is Status.PRESENT:
            legend.append((finding.label, finding.severity))
            severities.update(dict.fromkeys(used, finding.severity))
        elif finding.status is Status.CANT_TELL and finding.severity != "none":
            unsure.append((finding.label, "cant_tell"))
            for mid in used:
                severities.setdefault(mid, "cant_tell")
    legend += unsure
    # The side the side-view measurements read (trunk lean is never calibrated: its landmarks stay).
    trunk = result.measurements.get("sagittal_trunk_lean_deg")
    near = trunk.landmarks[0].split("_")[0] if trunk else "left"
    return Annotation(
        view=result.view.value,
        measurements={mid: (m.value, m.unit) for mid, m in result.measurements.items()},
        severities=severities,
        findings=legend,
        visibility_threshold=constant("visibility_threshold"),
        near_side=near,
        camera_roll_deg=result.camera_roll_deg if result.leveled else 0.0,
    )


def annotated_image(result: PhotoResult, assessment: Assessment) -> np.ndarray | None:
    if not result.ok or result.image is None or result.landmarks is None:
        return None
    return annotate(result.image, result.landmarks, annotation_for(result, assessment))


def write_annotated(
    result: PhotoResult, assessment: Assessment, folder: Path, taken: set[Path]
) -> Path | None:
    """Save `<stem>.annotated.jpg` in `folder`, numbered if another photo of this run took the
    name (a re-run overwrites its own files); None when there is nothing to draw on."""
    image = annotated_image(result, assessment)
    if image is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(result.path).stem
    target = folder / f"{stem}.annotated.jpg"
    counter = 2
    while target in taken:
        target = folder / f"{stem}.{counter}.annotated.jpg"
        counter += 1
    taken.add(target)
    Image.fromarray(image).save(target, quality=90)
    return target
