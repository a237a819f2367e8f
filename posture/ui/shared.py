"""What the pages share: one pose model per server process, and how a result is shown."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import streamlit as st

from posture.analysis import Assessment, PhotoResult
from posture.annotated import annotated_image
from posture.assessment.classifier import Status
from posture.assessment.pain import region_label
from posture.report import evidence_text, measurement_name, retake_advice
from posture.vision.pose_model import BlazePoseEstimator

SEVERITY_ICON = {
    "mild": ":orange[:material/error:]",
    "moderate": ":orange[:material/warning:]",
    "marked": ":red[:material/warning:]",
}


class SharedEstimator:
    """The static-image model, shared by every browser session of this server; MediaPipe graphs
    are not thread-safe, so one call at a time."""

    name = BlazePoseEstimator.name

    def __init__(self) -> None:
        self._model = BlazePoseEstimator()
        self._lock = threading.Lock()

    def detect(self, rgb):
        with self._lock:
            return self._model.detect(rgb)


@st.cache_resource(show_spinner=False)
def shared_estimator() -> SharedEstimator:
    return SharedEstimator()


def disclaimer_and_red_flags(safety: dict, key: str) -> bool:
    """The disclaimer and the red-flag screen, at the top of a page. True when a red flag applies."""
    st.info(safety["disclaimer"], icon=":material/info:")
    with st.container(border=True):
        st.markdown("**Before any exercise: do any of these apply to you?**")
        ticked = [st.checkbox(flag, key=f"{key}-flag-{i}") for i, flag in enumerate(safety["red_flags"])]
    if any(ticked):
        st.error(f"**{safety['red_flag_advice']}** The exercises below are hidden until then.", icon=":material/block:")
    return any(ticked)


def show_results(results: Sequence[PhotoResult], assessment: Assessment, red_flag: bool) -> None:
    for advice in assessment.safety.get("pain_advice", []):
        st.warning(advice, icon=":material/warning:")
    for result in results:
        show_photo(result, assessment, red_flag)
    show_cant_tell(assessment)
    st.caption(assessment.safety["stop_rule"])


def show_photo(result: PhotoResult, assessment: Assessment, red_flag: bool) -> None:
    st.subheader(result.path)
    advice = retake_advice(result, assessment)
    if not result.ok:
        st.error(f"Not analysed. {advice}", icon=":material/photo_camera:")
        return
    image_column, text_column = st.columns([1, 1])
    with image_column:
        image = annotated_image(result, assessment)
        st.image(image, caption=f"{result.view.value.replace('_', ' ')} view", width="stretch")
    with text_column:
        if advice:
            st.warning(f"Retake advice: {advice}", icon=":material/photo_camera:")
        for warning in result.warnings:
            st.warning(warning.message)
        findings = [
            f for f in assessment.findings
            if f.status is Status.PRESENT and not f.is_pattern and result.path in f.evidence[0].photos
        ]
        if not findings:
            st.success("No postural finding beyond the usual range in this photo.")
        for finding in findings:
            _finding(finding, assessment, red_flag)
        with st.expander("All measurements of this photo"):
            st.dataframe(_measurement_rows(result), hide_index=True, width="stretch")


def _finding(finding, assessment: Assessment, red_flag: bool) -> None:
    evidence = finding.evidence[0]
    icon = SEVERITY_ICON.get(finding.severity, "")
    st.markdown(
        f"#### {icon} {finding.label}\n"
        f"**{finding.severity.capitalize()}**, confidence {finding.confidence:.0%}. "
        f"{measurement_name(evidence.measurement)}: {evidence_text(evidence)}."
    )
    recommendation = next((r for r in assessment.recommendations if r.finding == finding.id), None)
    if recommendation is None:
        return
    if recommendation.pain_regions:
        st.caption(f"Linked to your {', '.join(map(region_label, recommendation.pain_regions))} pain: shown first.")
    st.write(recommendation.meaning)
    if red_flag:
        st.caption("Exercises hidden: see a clinician first (red flag ticked above).")
        return
    for kind, exercises in (("Stretch", recommendation.stretch), ("Strengthen", recommendation.strengthen)):
        for ex in exercises:
            st.markdown(f"- **{kind} {ex.muscle} ({ex.side})**: {ex.name}, *{ex.dosage}*  \n  {ex.instructions}")
    for caution in recommendation.avoid:
        st.markdown(f"- :material/warning: Caution: {caution}")


def _measurement_rows(result: PhotoResult) -> list[dict]:
    return [
        {
            "measurement": measurement_name(mid),
            "value": f"{m.value:+.1f} ± {m.uncertainty:.1f} {m.unit}" if m.measured else "not measurable",
            "meaning of +/-": m.sign_convention if m.measured else (m.reason or ""),
        }
        for mid, m in result.measurements.items()
    ]


def show_cant_tell(assessment: Assessment) -> None:
    unsure = [f for f in assessment.findings if f.status is Status.CANT_TELL and not f.is_pattern
              and f.evidence[0].value is not None]
    if unsure:
        with st.expander(f"Can't tell ({len(unsure)}): measured, but not certain enough to say"):
            for f in unsure:
                st.markdown(f"- **{f.label}**: {f.evidence[0].note}")
