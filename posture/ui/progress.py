"""Progress page: one profile's assessments over time. From the first assessment: what to do next
and when to re-test; from the second: each view side by side, whether each change is real, trend
charts; pain and exercise logs, weekly summary, report download, delete."""

from __future__ import annotations

from datetime import date

import streamlit as st

from posture.annotated import side_by_side
from posture.assessment.corrections import exercise_title
from posture.assessment.pain import PAIN_REGIONS, region_label
from posture.data_files import load
from posture.history.charts import trend_chart
from posture.history.progress import (
    compared,
    findings_and_corrections,
    progress,
    retest_after,
    view_comparisons,
)
from posture.history.report import progress_html, progress_report
from posture.history.report_pdf import progress_pdf
from posture.history.store import (
    ProfileError,
    delete_logged_exercise,
    delete_profile,
    exercise_log,
    find_profile,
    log_exercise,
    log_pain,
)
from posture.registry import KEY_MEASUREMENTS, display_name
from posture.ui.clients import client_panel, csv_download
from posture.ui.history import history_sessions, profile_select, report_header
from posture.ui.shared import show_withheld

VIEWS_PER_ROW = 2  # each view is a pair of photos: four thumbnails to a row at most
LOG_ROWS_SHOWN = 10


def page() -> None:
    st.title("Progress")
    sessions = history_sessions()
    if sessions is None:
        return
    choice = profile_select(sessions, "progress")
    if choice is None:
        return
    client_panel(sessions, choice)
    plan_exercises: tuple[str, ...] = ()
    with sessions() as session:
        profile = find_profile(session, choice)
        history = progress(session, profile)
        plan_exercises, report = (), None
        if not history.assessments:
            st.info("No assessment saved yet: analyse photos on the Assess page and save them to this profile.")
        else:
            plan_exercises = _next_steps(session, history)
            history = _chosen_pair(session, history)
            _view_comparisons(session, history)
            _changes(history)
            _charts(history)
            _weekly(history)
            report = progress_report(session, history, report_header(sessions, choice, history.latest.taken_on))
    if report is not None:
        html, pdf, measurements = st.columns(3)
        # Made when a button is pressed (deferred), not on every rerun: the charts take seconds.
        html.download_button("Download the progress report (HTML)", lambda: progress_html(report),
                             file_name=report.header.file_name("progress", ".html"), mime="text/html")
        pdf.download_button("Download the progress report (PDF)", lambda: progress_pdf(report),
                            file_name=report.header.file_name("progress", ".pdf"), mime="application/pdf")
        with measurements:
            csv_download(sessions, choice)
    _pain_log(sessions, choice)
    _exercise_log(sessions, choice, plan_exercises)
    _delete(sessions, choice)


def _chosen_pair(session, history):
    """The two assessments to compare (first and latest by default); with one, that one alone."""
    if len(history.assessments) < 2:
        return history
    labels = {s.id: f"visit {s.visit}: {s.taken_on} ({s.source})" for s in history.assessments}
    ids = list(labels)
    left, right = st.columns(2)
    first_id = left.selectbox("Compare", ids, index=0, format_func=labels.get, key="progress-first")
    latest_id = right.selectbox("with", ids, index=len(ids) - 1, format_func=labels.get, key="progress-latest")
    if (first_id, latest_id) != (history.first.id, history.latest.id):
        history = compared(session, history, first_id, latest_id)
    return history


def _next_steps(session, history) -> tuple[str, ...]:
    """What to do until the next assessment: the latest assessment's plan in short and when to
    take the photos again; the plan's exercise ids (the exercise log offers them first)."""
    latest = history.assessments[-1]
    summary = findings_and_corrections(session, latest.id)
    retest = retest_after(latest.taken_on)
    with st.container(border=True):
        st.subheader("Next")
        if len(history.assessments) == 1:
            st.caption(f"The first assessment ({latest.taken_on}) is the baseline: what changed, and whether it is "
                       "real, shows here from the next one on.")
        found = "; ".join(f.finding.label for f in summary.top) or summary.no_finding
        st.markdown(f"**Found on {latest.taken_on}:** {found}")
        show_withheld(summary)
        if summary.plan.items:
            st.markdown(f"**The plan.** {summary.plan.time_text}")
            st.markdown("\n".join(f"{n}. **{item.exercise.title}**{item.side_text}: {item.exercise.dosage}"
                                   for n, item in enumerate(summary.plan.items, 1)))
            st.caption(summary.safety.stop_rule)
        for advice in summary.safety.pain_advice:
            st.warning(advice)
        st.markdown(f"**Re-test {retest.due(date.today())}**: {retest.weeks[0]}-{retest.weeks[1]} weeks after "
                    f"{latest.taken_on}, with the same set-up (place, distance, camera height, clothes).")
        with st.expander(f"Where the {retest.weeks[0]}-{retest.weeks[1]} weeks come from"):
            st.caption(retest.source)
        if summary.retake:
            st.info(f"**To tell more next time:** {summary.retake}", icon=":material/photo_camera:")
    return tuple(item.exercise.exercise_id for item in summary.plan.items)


def _view_comparisons(session, history) -> None:
    """Each view's thumbnails side by side under a grid, with the real changes that view shows."""
    single = history.first.id == history.latest.id
    comparisons = view_comparisons(session, history)
    if not comparisons:
        return
    st.subheader(f"Photos of {history.latest.taken_on}" if single else f"Each view: {history.compared_title}")
    if not single:
        st.markdown("  \n".join(f"**{s.taken_on}:** " + ("; ".join(s.findings) or "no findings")
                                 for s in (history.first, history.latest)))
    st.caption("Annotated thumbnails under an even grid (the darker line is the image's middle), to compare "
               "alignment line by line. Framing differs between photos: compare the body to the lines, "
               "not the lines' positions.")
    if single:  # the views of the one assessment in one image, side by side on a phone too
        st.image(side_by_side([item.latest for item in comparisons]), width="content",
                 caption=" | ".join(item.label for item in comparisons))
        return
    dates = (history.first.taken_on, history.latest.taken_on)
    for start in range(0, len(comparisons), VIEWS_PER_ROW):
        row = comparisons[start:start + VIEWS_PER_ROW]
        for outer, item in zip(st.columns(VIEWS_PER_ROW), row, strict=False):
            with outer:
                _view_pair(item, dates)


def _view_pair(item, dates) -> None:
    """One image of both dates (kept side by side on a phone too), a grey panel where one is missing."""
    st.markdown(f"**{item.label.capitalize()}**")
    missing = [str(day) for jpeg, day in zip((item.first, item.latest), dates, strict=True) if jpeg is None]
    st.image(side_by_side([item.first, item.latest]), width="content",
             caption=f"{dates[0]} (left) → {dates[1]} (right)"
             + (f"; no {item.label} photo on {' or '.join(missing)}" if missing else ""))
    if item.changes:
        st.caption("Real changes: " + "; ".join(
            f"{display_name(c.measurement)} {c.delta:+.1f} {c.unit} ({c.verdict})" for c in item.changes))


def _changes(history) -> None:
    if not history.changes:
        return
    first, latest = history.first, history.latest
    same_day = first.taken_on == latest.taken_on  # two visits of one day: their numbers tell them apart
    st.subheader(f"What changed, visit {first.visit} → {latest.visit} ({first.taken_on})" if same_day
                 else f"What changed, {first.taken_on} → {latest.taken_on}")
    st.caption("A change counts as real only when it is larger than the smallest change the measurement can "
               "detect (MDC95 = 1.96 × √2 × SEM, from its uncertainty and from repeat photos on one day); a "
               "smaller one reads \"no real change yet\".")
    st.dataframe([  # the change and its verdict first: on a phone the columns on the right are off screen
        {"measurement": display_name(c.measurement), "change": f"{c.delta:+.1f} {c.unit}", "verdict": c.verdict,
         "first": round(c.first.value, 1), "latest": round(c.latest.value, 1), "MDC95": round(c.mdc.mdc95, 1)}
        for c in history.changes
    ], hide_index=True, width="stretch")


def _charts(history) -> None:
    """Trend charts of the chosen measurements, two to a row; one dot each after a first assessment."""
    available = [m for m in history.series if history.series[m][1]]
    if not available:
        return
    default = [m for m in KEY_MEASUREMENTS if m in available][:4]
    st.subheader("Trends")
    st.caption("Line and dots: the values; blue band and bars: ± 1 SD of each value; green: the usual range.")
    chosen = st.multiselect("Measurements", available, default=default, format_func=display_name,
                            key="progress-charts")
    for start in range(0, len(chosen), 2):  # a row per pair keeps the order when a phone stacks them
        for column, measurement in zip(st.columns(2), chosen[start:start + 2], strict=False):
            column.altair_chart(trend_chart(measurement, *history.series[measurement]), width="stretch")


def _weekly(history) -> None:
    with st.expander("Week by week: assessments, pain and exercise"):
        st.dataframe([
            {"week of": w.starts_on, "assessments": w.assessments,
             "pain (0-10)": None if w.mean_pain_0_10 is None else round(w.mean_pain_0_10, 1),
             "exercises logged": w.exercise_sessions}
            for w in history.weeks
        ], hide_index=True, width="stretch")


def _pain_log(sessions, name: str) -> None:
    with st.expander("Log pain"), st.form("log-pain", clear_on_submit=True):
        day = st.date_input("Day", value=date.today(), max_value=date.today())
        regions = st.multiselect("Where", PAIN_REGIONS, format_func=region_label)
        level = st.slider("Pain (0-10)", 0, 10, 0)
        if st.form_submit_button("Log pain"):
            log_pain(sessions, name, day, regions, level)
            st.success("Pain logged.")


def _exercise_log(sessions, name: str, plan_exercises: tuple[str, ...]) -> None:
    """One exercise at a time, with its day (today by default): a log of what was done, never a
    click that logs a whole catalogue. The latest entries are listed, each can be undone."""
    catalogue = load("corrections.json")["exercises"]
    choices = [*dict.fromkeys(plan_exercises), *(e for e in catalogue if e not in plan_exercises)]

    def title(exercise_id: str) -> str:
        return exercise_title(catalogue[exercise_id]["name"], catalogue[exercise_id]["anatomy"])

    def label(exercise_id: str) -> str:
        return title(exercise_id) + (" (in the plan)" if exercise_id in plan_exercises else "")

    with st.expander("Exercise log", expanded=bool(plan_exercises)):
        with st.form("log-exercise", clear_on_submit=True):
            left, right = st.columns([3, 1])
            exercise = left.selectbox("Exercise done", choices, index=None, format_func=label,
                                      placeholder="Choose one exercise")
            day = right.date_input("Day", value=date.today(), max_value=date.today(), key="exercise-day")
            if st.form_submit_button("Log this exercise") and exercise is not None:
                log_exercise(sessions, name, day, exercise)
                st.success(f"Logged: {title(exercise)} on {day}.")
        _logged_exercises(sessions, name, catalogue)


def _logged_exercises(sessions, name: str, catalogue: dict) -> None:
    with sessions() as session:
        entries = exercise_log(session, find_profile(session, name), limit=LOG_ROWS_SHOWN)
    if not entries:
        st.caption("Nothing logged yet.")
        return
    st.markdown(f"**Logged** (the latest {len(entries)})")
    for entry in entries:
        when, what, undo = st.columns([1, 3, 1])
        when.write(str(entry.done_on))
        known = catalogue.get(entry.exercise_id)
        what.write(exercise_title(known["name"], known["anatomy"]) if known else entry.exercise_id)
        if undo.button("Delete", key=f"exercise-delete-{entry.id}", help="Remove this entry (logged by mistake)"):
            delete_logged_exercise(sessions, name, entry.id)
            st.rerun()


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
