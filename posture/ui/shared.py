"""What the pages share: one pose model per server process, and how a report view is laid out."""

from __future__ import annotations

import threading

import streamlit as st

from posture.annotated import annotated_image
from posture.assessment.classifier import Severity
from posture.assessment.corrections import Exercise, Safety
from posture.assessment.pain import region_label
from posture.presentation import PhotoSection, ReportView, ShownFinding, Summary
from posture.vision.pose_model import BlazePoseEstimator

PICTURE_WIDTH_PX = 200  # an exercise's drawing: enough to see the position, small on a phone

SEVERITY_ICON = {
    Severity.MILD: ":orange[:material/error:]",
    Severity.MODERATE: ":orange[:material/warning:]",
    Severity.MARKED: ":red[:material/warning:]",
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


def disclaimer_and_red_flags(safety: Safety, key: str) -> tuple[str, ...]:
    """The disclaimer and the red-flag screen, at the top of a page: the red flags ticked, which the
    analysis takes (Options.red_flags) so that no report or download lists an exercise."""
    st.info(safety.disclaimer, icon=":material/info:")
    with st.container(border=True):
        st.markdown("**Before any exercise: do any of these apply to you?**")
        # Kept across pages: a red flag ticked on one visit still hides the exercises on the next.
        ticked = tuple(flag for i, flag in enumerate(safety.red_flags)
                       if st.checkbox(flag, key=f"{key}-flag-{i}", persist_state="session"))
    if ticked:
        st.error(f"**{safety.red_flag_advice}** The exercises are left out of the results and the downloads "
                 "until then.", icon=":material/block:")
    return ticked


def show_results(view: ReportView, summary_box=None) -> None:
    """The results; the pain advice and "In short" go in `summary_box` when given (a container
    placed higher up the page, above the inputs)."""
    with summary_box or st.container():
        for advice in view.summary.safety.pain_advice:
            st.warning(advice, icon=":material/warning:")
        show_in_short(view)
        st.caption("**What \"% sure\" means:** the chance that the true value is outside the usual range at "
                   "all, allowing for everything that blurs the photo (the model's error, the camera roll, the "
                   "calibration). It is not how severe: mild, moderate or marked is the best estimate of how far. "
                   "Too unsure, or a photo that can't show it, gives \"can't tell\" with how to retake.")
    st.subheader("Details")
    for number, section in enumerate(view.photos):
        label = f"{section.title}: {section.view_label} view" if section.ok else f"{section.title}: not analysed"
        with st.expander(label, expanded=number == 0):
            show_photo(section)
    if view.summary.patterns:
        st.subheader("Together they form")
        for shown in view.summary.patterns:
            _finding(shown)
    show_cant_tell(view.summary)
    st.caption(view.summary.safety.stop_rule)


def show_in_short(view: ReportView) -> None:
    """What matters most, the notes on the photos, the one short plan with its time and the stop
    rule, and the one retake: before the details."""
    summary = view.summary
    with st.container(border=True):
        st.subheader("In short")
        if not summary.top:
            st.write(summary.no_finding)
        for shown in summary.top:
            icon = SEVERITY_ICON.get(shown.finding.severity, "")
            st.markdown(f"{icon} **{shown.finding.label}**: {shown.headline.lower()}.")
        if len(summary.findings) > len(summary.top):
            st.caption(f"{len(summary.findings) - len(summary.top)} more in the details below.")
        if view.photo_notes:
            st.warning("**Notes on the photos** (what to do: in the details): " + "; ".join(view.photo_notes) + ".",
                       icon=":material/photo_camera:")
        show_withheld(summary)
        if summary.plan.items:
            st.markdown(f"**Your plan.** {summary.plan.time_text}")
            for number, item in enumerate(summary.plan.items, 1):
                _exercise(item.exercise, f"{number}. **{item.exercise.title}**{item.side_text}: "
                          f"{item.exercise.dosage}  \n*for {', '.join(item.for_findings)}*  \n"
                          f"{item.exercise.instructions}")
            if summary.left_out:
                st.caption(f"{summary.left_out} exercise(s) left out (findings that disagree, or your pain): "
                           "see the details.")
            st.markdown(f":material/pan_tool: {summary.safety.stop_rule}")
        if summary.retake:
            st.info(f"**To tell more:** {summary.retake}", icon=":material/photo_camera:")


def show_withheld(summary: Summary) -> None:
    """Why no exercise is listed (a red flag ticked), where the plan would be."""
    if summary.safety.withheld:
        st.error(f"**No exercises.** {summary.safety.withheld}", icon=":material/block:")


def show_photo(section: PhotoSection) -> None:
    if not section.ok:
        st.error(f"Not analysed. {section.retake_advice}", icon=":material/photo_camera:")
        return
    image_column, text_column = st.columns([2, 3])  # labels are sized for a phone-wide image
    with image_column:
        st.image(annotated_image(section), caption=f"{section.view_label} view", width="stretch")
    with text_column:
        if section.points_text:
            st.markdown(f":material/location_on: {section.points_text}")
        if section.retake_advice:
            st.warning(f"Retake advice: {section.retake_advice}", icon=":material/photo_camera:")
        for warning in section.warnings:
            st.warning(warning)
        if not section.findings and not section.retake_advice:
            st.success("No postural finding beyond the usual range in this photo." + (
                " Some things it could not judge: see \"Can't tell\" below." if section.cant_tell else ""))
        for shown in section.findings:
            _finding(shown)
        with st.expander("All measurements of this photo"):
            st.dataframe(_measurement_rows(section), hide_index=True, width="stretch")


def _finding(shown: ShownFinding) -> None:
    icon = SEVERITY_ICON.get(shown.finding.severity, "")
    st.markdown(f"#### {icon} {shown.finding.label}\n**{shown.headline}**. {shown.measurement}: {shown.evidence}.")
    recommendation = shown.correction
    if recommendation is None:
        return
    if recommendation.pain_regions:
        st.caption(f"Linked to your {', '.join(map(region_label, recommendation.pain_regions))} pain: shown first.")
    st.write(recommendation.meaning)
    for kind, exercises in (("Stretch", recommendation.stretch), ("Strengthen", recommendation.strengthen)):
        for ex in exercises:
            _exercise(ex, f"**{kind} ({ex.side}): {ex.title}**, *{ex.dosage}*  \n{ex.instructions}")
    for caution in recommendation.avoid:
        st.markdown(f"- :material/warning: Caution: {caution}")
    for note in recommendation.left_out:
        st.markdown(f"- :material/block: Not listed: {note}")


def _exercise(exercise: Exercise, text: str) -> None:
    """An exercise with the drawing of its key position beside it (above it on a phone, where the
    columns stack: a fixed width keeps it small there)."""
    if exercise.picture is None:
        st.markdown(text)
        return
    picture, words = st.columns([1, 2])
    picture.image(exercise.picture, width=PICTURE_WIDTH_PX)
    words.markdown(text)


def _measurement_rows(section: PhotoSection) -> list[dict]:
    return [
        {
            "measurement": m.name,
            "value": m.value_text,
            "meaning of +/-": (m.reason or "") if not m.measured else
            f"{m.sign_convention}; no finding: {m.doubt}" if m.doubt else m.sign_convention,
        }
        for m in section.measurements
    ]


def show_cant_tell(summary: Summary) -> None:
    if summary.not_told:
        st.info("**Not told by these photos**\n" + "".join(f"\n- {line}" for line in summary.not_told),
                icon=":material/photo_camera:")
    if summary.unsure:
        with st.expander(f"Can't tell from these photos ({len(summary.unsure)}), and why"):
            for u in summary.unsure:
                st.markdown(f"- **{u.label}**: {u.note}")
