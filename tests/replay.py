"""Recorded model answers, served back: the fast lane runs the whole pipeline, the CLI, the reports
and the history without MediaPipe.

Each call of the pose model (and of the face detector) is keyed by a hash of the exact image it
was given, so a replay answers exactly the calls a recorded run made. Another machine may decode or
resize an image a last bit differently (another CPU's SIMD in OpenCV), so a call whose hash was not
recorded takes the recorded answer of the same-sized image whose 16x16 grey thumbnail is nearest,
if that is within half a grey level on average; anything else is an error that says to record
again. Person masks are kept as 16-bit PNG (the model's mask to 1/65535),
so a replayed report matches the model's within the golden tolerance, not bit for bit.

    .venv/bin/python -m tests.replay            # record the bundled samples again (after a change that
                                                # asks the model different questions)
    .venv/bin/python -m tests.replay_cli ARGS   # the `posture` command on recorded answers
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from posture.vision.pose_model import RawPose

RECORDING = Path(__file__).resolve().parent / "data" / "replay"


def image_key(rgb: np.ndarray) -> str:
    digest = hashlib.sha1(np.ascontiguousarray(rgb).tobytes())
    digest.update(str(rgb.shape).encode())
    return digest.hexdigest()


def fingerprint(rgb: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (16, 16), interpolation=cv2.INTER_AREA).astype(np.float32).ravel()


FINGERPRINT_TOLERANCE = 0.5  # mean absolute grey-level difference of the thumbnails


class NotRecorded(KeyError):
    pass


class _Lookup:
    """Recorded answers by exact image hash, or by the nearest thumbnail of a same-sized image."""

    def __init__(self, answers: dict, prints: dict) -> None:
        self._answers = answers
        self._prints = {key: (tuple(p["shape"]), np.array(p["print"], np.float32)) for key, p in prints.items()}

    def __call__(self, image: np.ndarray, what: str):
        key = image_key(image)
        if key in self._answers:
            return self._answers[key]
        thumb = fingerprint(image)
        near = [(float(np.mean(np.abs(p - thumb))), k) for k, (shape, p) in self._prints.items()
                if shape == image.shape and k in self._answers]
        if near and min(near)[0] <= FINGERPRINT_TOLERANCE:
            return self._answers[min(near)[1]]
        raise NotRecorded(f"no recorded {what} for this image ({key}); record again: python -m tests.replay")


class ReplayEstimator:
    """A PoseEstimator that answers from a recording."""

    name = "replay of blazepose-full (mediapipe 0.10.21)"

    def __init__(self, folder: Path = RECORDING) -> None:
        self._folder = folder
        prints = json.loads((folder / "fingerprints.json").read_text())
        self._pose = _Lookup(json.loads((folder / "poses.json").read_text()), prints)
        self._face = _Lookup(json.loads((folder / "faces.json").read_text()), prints)
        self._masks: dict[str, np.ndarray] = {}

    def detect(self, rgb: np.ndarray) -> RawPose | None:
        answer = self._pose(rgb, "pose")
        if answer is None:
            return None
        mask = self._mask(answer["mask"]) if answer["mask"] else None
        return RawPose(np.array(answer["xy"]), np.array(answer["visibility"]), np.array(answer["depth"]), mask)

    def _mask(self, name: str) -> np.ndarray:
        if name not in self._masks:  # decoded once; a copy per answer, as the model gives
            self._masks[name] = cv2.imread(str(self._folder / name), cv2.IMREAD_UNCHANGED).astype(np.float32) / 65535.0
        return self._masks[name].copy()

    def face_score(self, rgb: np.ndarray, landmarks) -> float | None:
        from posture.vision.face import _head_crop

        crop = _head_crop(rgb, landmarks)
        if crop is None:
            return None
        return float(self._face(crop, "face answer"))  # older recordings hold True/False

    def close(self) -> None:
        pass


_REPLAY: ReplayEstimator | None = None


def replay_estimator() -> ReplayEstimator:
    """One replay per process (the recording is read once)."""
    global _REPLAY
    if _REPLAY is None:
        _REPLAY = ReplayEstimator()
    return _REPLAY


def use_replay(patch) -> ReplayEstimator:
    """Make every pose-model construction and face check answer from the recording; `patch` is a
    pytest MonkeyPatch (or anything with `setattr(obj, name, value)`)."""
    import posture.analysis
    import posture.vision.pose_model

    replay = replay_estimator()
    patch.setattr(posture.vision.pose_model, "BlazePoseEstimator", lambda *args, **kwargs: replay)
    patch.setattr(posture.analysis, "face_score", replay.face_score)
    return replay


class _Recorder:
    """Wraps the real model and the face detector, keeping every answer."""

    name = "recording"

    def __init__(self, folder: Path) -> None:
        from posture.vision.pose_model import BlazePoseEstimator

        self._model = BlazePoseEstimator()
        self._folder = folder
        self.poses: dict[str, dict | None] = {}
        self.faces: dict[str, float] = {}
        self.prints: dict[str, dict] = {}

    def _print(self, image: np.ndarray) -> str:
        key = image_key(image)
        self.prints[key] = {"shape": list(image.shape), "print": [round(float(v), 2) for v in fingerprint(image)]}
        return key

    def detect(self, rgb: np.ndarray) -> RawPose | None:
        raw = self._model.detect(rgb)
        key = self._print(rgb)
        if raw is None:
            self.poses[key] = None
            return None
        mask_name = None
        if raw.person_mask is not None:
            mask_name = f"{key}.png"
            quantised = np.round(np.clip(raw.person_mask, 0, 1) * 65535).astype(np.uint16)
            cv2.imwrite(str(self._folder / mask_name), quantised)
        self.poses[key] = {"xy": raw.xy_fraction.tolist(), "visibility": raw.visibility.tolist(),
                           "depth": raw.depth.tolist(), "mask": mask_name}
        return raw

    def face(self, rgb, landmarks):
        from posture.vision.face import _head_crop, face_score

        answer = face_score(rgb, landmarks)
        crop = _head_crop(rgb, landmarks)
        if crop is not None:
            self.faces[self._print(crop)] = answer
        return answer


def record(folder: Path = RECORDING) -> None:
    """Run the golden sample cases with the real model and keep its answers."""
    import posture.analysis
    from tests.golden import run_case, sample_cases

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    recorder = _Recorder(folder)
    posture.analysis.face_score = recorder.face
    for case in sample_cases().values():
        run_case(case, recorder)
    (folder / "poses.json").write_text(json.dumps(recorder.poses, separators=(",", ":")))
    (folder / "faces.json").write_text(json.dumps(recorder.faces, indent=0))
    (folder / "fingerprints.json").write_text(json.dumps(recorder.prints, separators=(",", ":")))
    print(f"{len(recorder.poses)} pose answers, {len(recorder.faces)} face answers in {folder}")


if __name__ == "__main__":
    record()
    sys.exit(0)
