"""Progress page: one profile's assessments over time, whether each change is real, first vs latest
side by side, pain and exercise logs, weekly summary, report download, delete."""

from __future__ import annotations

from datetime import date

import streamlit as st

from posture.assessment.corrections import exercise_title
from posture.assessment.pain import PAIN_REGIONS, region_label
from posture.data_files import load
from posture.history.charts import trend_chart
from posture.history.models import AssessmentRow
from posture.history.progress import compared, progress
from posture.history.report import progress_html, progress_report
from posture.history.report_pdf import progress_pdf
from posture.history.store import ProfileError, delete_profile, find_profile, log_exercise, log_pain
from posture.registry import KEY_MEASUREMENTS, display_name
from posture.ui.clients import client_panel, csv_download
from posture.ui.history import history_sessions, profile_select, report_header


def page() -> None:
    st.title("Progress")
    sessions = history_sessions()
    if sessions is None:
        return
    choice = profile_select(sessions, "progress")
    if choice is None:
        return
    client_panel(sessions, choice)
    with sessions() as session:
        profile = find_profile(session, choice)
        history = progress(session, profile)
        labels = {s.id: f"visit {s.visit}: {s.taken_on} ({s.source})" for s in history.assessments}
        if not labels:
            st.info("No assessment saved yet: analyse photos on the Assess page and save them to this profile.")
            _logs(sessions, choice)
            _delete(sessions, choice)
            return
        ids = list(labels)
        left, right = st.columns(2)
        first_id = left.selectbox("Compare", ids, index=0, format_func=labels.get, key="progress-first")
        latest_id = right.selectbox("with", ids, index=len(ids) - 1, format_func=labels.get, key="progress-latest")
        if (first_id, latest_id) != (history.first.id, history.latest.id):
            history = compared(session, history, first_id, latest_id)
        _side_by_side(session, history)
        _changes(history)
        _charts(history)
        _weekly(history)
        report = progress_report(session, history, report_header(sessions, choice, history.latest.taken_on))
    html, pdf, measurements = st.columns(3)
    html.download_button("Download the progress report (HTML)", progress_html(report),
                         file_name="posture-progress.html", mime="text/html")
    # The PDF is made when the button is pressed (deferred), not on every rerun.
    pdf.download_button("Download the progress report (PDF)", lambda: progress_pdf(report),
                        file_name="posture-progress.pdf", mime="application/pdf")
    with measurements:
        csv_download(sessions, choice)
    _logs(sessions, choice)
    _delete(sessions, choice)


def _side_by_side(session, history) -> None:
    if history.first is None or history.first.id == history.latest.id:
        return
    st.subheader(history.compared_title)
    columns = st.columns(2)
    for column, summary in zip(columns, (history.first, history.latest), strict=True):
        thumbnail = session.get(AssessmentRow, summary.id).thumbnail_jpeg
        with column:
            st.markdown(f"**{summary.taken_on}**: " + ("; ".join(summary.findings) or "no findings"))
            if thumbnail:
                st.image(thumbnail, width=300)


def _changes(history) -> None:
    if not history.changes:
        return
    st.subheader(f"What changed, {history.first.taken_on} → {history.latest.taken_on}")
    st.caption("A change counts only beyond the measurement's minimal detectable change (MDC95 = 1.96 × √2 × SEM, "
               "from its uncertainty and from same-day repeat captures); otherwise: no real change yet.")
    st.dataframe([
        {"measurement": display_name(c.measurement), "first": round(c.first.value, 1),
         "latest": round(c.latest.value, 1), "change": f"{c.delta:+.1f} {c.unit}", "MDC95": round(c.mdc.mdc95, 1),
         "verdict": c.verdict}
        for c in history.changes
    ], hide_index=True, width="stretch")


def _charts(history) -> None:
    available = [m for m in history.series if len(history.series[m][1]) > 1]
    default = [m for m in KEY_MEASUREMENTS if m in available][:4]
    chosen = st.multiselect("Trends", available, default=default, format_func=display_name, key="progress-charts")
    for measurement in chosen:
        st.altair_chart(trend_chart(measurement, *history.series[measurement]), width="stretch")


def _weekly(history) -> None:
    with st.expander("Week by week: assessments, pain and exercise"):
        st.dataframe([
            {"week of": w.starts_on, "assessments": w.assessments,
             "pain (0-10)": None if w.mean_pain_0_10 is None else round(w.mean_pain_0_10, 1),
             "exercise sessions": w.exercise_sessions}
            for w in history.weeks
        ], hide_index=True, width="stretch")


def _logs(sessions, name: str) -> None:
    with st.expander("Log pain or exercise"):
        with st.form("log-pain", clear_on_submit=True):
            day = st.date_input("Day", value=date.today(), max_value=date.today())
            regions = st.multiselect("Where", PAIN_REGIONS, format_func=region_label)
            level = st.slider("Pain (0-10)", 0, 10, 0)
            if st.form_submit_button("Log pain"):
                log_pain(sessions, name, day, regions, level)
                st.success("Pain logged.")
        exercises = load("corrections.json")["exercises"]
        with st.form("log-exercise", clear_on_submit=True):
            day = st.date_input("Day", value=date.today(), max_value=date.today(), key="exercise-day")
            done = st.multiselect("Exercises done", list(exercises),
                                  format_func=lambda e: exercise_title(exercises[e]["name"], exercises[e]["anatomy"]))
            if st.form_submit_button("Log exercise session") and done:
                log_exercise(sessions, name, day, done)
                st.success(f"{len(done)} exercise(s) logged.")


def _delete(sessions, name: str) -> None:
    with st.expander("Delete this profile"):
        st.warning("Deletes the profile and everything of it: assessments, measurements, photos and logs. "
                   "This cannot be undone.")
        confirm = st.text_input("Type the profile's name to confirm", key="delete-confirm")
        if st.button("Delete profile", disabled=confirm != name):
            try:
                count = delete_profile(sessions, name)
            except ProfileError as error:
                st.error(str(error))
                return
            st.success(f"Deleted {name!r} and its {count} assessment(s).")
            st.rerun()
