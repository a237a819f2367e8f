"""The app's side of the history: the database (one per server, from POSTURE_DB or the default
file) and the "save to a profile" box used by the Assess and Live pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import streamlit as st

from posture.analysis import Analysis
from posture.annotated import view_thumbnails
from posture.history.db import HistoryError, default_location, open_database
from posture.history.progress import profile_header
from posture.history.store import (
    ClientDetails,
    ProfileError,
    create_profile,
    find_profile,
    list_profiles,
    same_visit,
    save_assessment,
    visit_number,
)
from posture.presentation import ReportHeader, ReportView
from posture.ui.clients import details_inputs
from posture.vision.image_io import PhotoBytes

NEW_PROFILE = "+ New profile"
NO_CLIENT = "(no name on the report)"


@st.cache_resource(show_spinner=False)
def _sessions(location: str):
    return open_database(location)


def history_sessions():
    """The session factory, or None after showing why the database can't be used."""
    try:
        return _sessions(default_location())
    except HistoryError as error:
        st.error(f"The history can't be used: {error}")
        return None


def profile_names(sessions, search: str = "") -> list[str]:
    with sessions() as session:
        return [profile.name for profile, _, _ in list_profiles(session, search)]


def profile_select(sessions, key: str, on_choose: Callable[[str], None] | None = None) -> str | None:
    """Find (part of the name) and choose a profile, or create one (then it is chosen); None while
    creating."""
    for wanted in (f"{key}-created", f"{key}-save-to"):  # created, or chosen as the report's client
        if wanted in st.session_state:  # applied before the list is drawn (a drawn widget's value can't be set)
            st.session_state[f"{key}-search"] = ""
            st.session_state[f"{key}-profile"] = st.session_state.pop(wanted)
    search = st.text_input("Find a profile", key=f"{key}-search", placeholder="part of the name")
    names = profile_names(sessions, search)
    if search and not names:
        st.caption(f"No profile's name contains {search!r}.")
    if f"{key}-profile" in st.session_state and st.session_state[f"{key}-profile"] not in [*names, NEW_PROFILE]:
        st.session_state[f"{key}-profile"] = [*names, NEW_PROFILE][0]  # filtered out: the first match instead
    choice = st.selectbox("Profile", [*names, NEW_PROFILE], key=f"{key}-profile",
                          on_change=on_choose and (lambda: on_choose(st.session_state[f"{key}-profile"])))
    if choice != NEW_PROFILE:
        return choice
    created = new_profile_form(sessions, key)
    if created:
        st.session_state[f"{key}-created"] = created
        if on_choose:
            on_choose(created)
        st.rerun()
    return None


def new_profile_form(sessions, key: str) -> str | None:
    """Name, optional details (height, date of birth, notes), and the opt-in to keep photos; the
    new name once created. A value that can't be stored creates nothing and keeps the form filled."""
    if st.session_state.pop(f"{key}-new-done", False):
        st.session_state.update({f"{key}-new-name": "", f"{key}-new-height": None, f"{key}-new-born": None,
                                 f"{key}-new-notes": ""})
    with st.form(f"{key}-new-profile"):
        name = st.text_input("Name (a person, or a client's name or code)", max_chars=200, key=f"{key}-new-name")
        details = details_inputs(ClientDetails(""), f"{key}-new")
        keep = st.checkbox("Keep the original photos in the history (off: only measurements and a small "
                           "annotated thumbnail per view are kept)")
        if not st.form_submit_button("Create profile"):
            return None
    try:
        created = create_profile(sessions, ClientDetails(name, details.birth_date, details.height_cm, details.notes),
                                 keep).name
    except ProfileError as error:
        st.error(f"Not created: {error}.")
        return None
    st.session_state[f"{key}-new-done"] = True  # the next form is empty
    return created


def report_header(sessions, profile_name: str | None, assessed_on: date, examiner: str = "") -> ReportHeader:
    """The one place the app heads a report: a profile's client (through `profile_header`, which
    takes the details a profile keeps) or no name, the examiner typed on the page, the date."""
    examiner = examiner.strip() or None
    if sessions is None or profile_name is None:
        return ReportHeader(assessed_on, examiner=examiner)
    with sessions() as session:
        return profile_header(find_profile(session, profile_name), assessed_on, examiner)


def report_header_inputs(key: str, on_choose: Callable[[str], None] | None = None) -> ReportHeader:
    """Whom the page's reports are about: a profile chosen here (none by default: a report never
    carries a name nobody chose) and the examiner's name, both kept across pages. Choosing a client
    also chooses the profile the "Save" box saves to (a visit once went to the profile that box
    still showed)."""
    sessions = history_sessions()
    names = profile_names(sessions) if sessions is not None else []

    def chosen() -> None:
        client = st.session_state[f"{key}-report-client"]
        if client != NO_CLIENT:
            st.session_state[f"{key}-save-to"] = client
        if on_choose:
            on_choose(client)

    with st.expander("On the report (optional): client and examiner", expanded=False):
        client = st.selectbox("Client (a profile)", [NO_CLIENT, *names], key=f"{key}-report-client",
                              on_change=chosen, persist_state="session")
        examiner = st.text_input("Examiner", max_chars=200, key=f"{key}-report-examiner", persist_state="session")
    try:
        return report_header(sessions, None if client == NO_CLIENT else client, date.today(), examiner)
    except ValueError as error:
        st.warning(f"Not on the report: {error}")
        return ReportHeader(date.today())


def save_box(analysis: Analysis, view: ReportView, photos: Sequence[PhotoBytes], source: str, key: str,
             on_choose: Callable[[str], None] | None = None) -> None:
    """Save this assessment to a profile's history (one transaction)."""
    if not any(r.ok for r in analysis.photos):
        return
    sessions = history_sessions()
    if sessions is None:
        return
    with st.expander("Save to a profile's history", expanded=False):
        choice = profile_select(sessions, key, on_choose)
        if choice is None:
            return
        if view.header.client is not None and choice != view.header.client:
            st.warning(f"The report is about **{view.header.client}**, and this saves to **{choice}**.",
                       icon=":material/person_alert:")
        taken_on = st.date_input("Taken on", value=view.header.assessed_on, max_value=date.today(), key=f"{key}-date")
        with sessions() as session:
            stored = same_visit(session, choice, analysis, taken_on)
            visit = stored and visit_number(session, stored)
        if stored and not st.session_state.pop(f"{key}-just-saved", False):
            st.info(f"These results are saved already, as visit {visit} of {choice!r} on {taken_on}: saving them "
                    "again would only add a copy. See it on the Progress page.", icon=":material/check:")
            return
        if stored:
            st.success(f"Saved as visit {visit} of {choice!r}. See it on the Progress page.")
            return
        if st.button("Save", key=f"{key}-save"):
            try:
                save_assessment(sessions, choice, analysis, view_thumbnails(view.photos), taken_on, source, photos)
            except ProfileError as error:
                st.error(str(error))
                return
            st.session_state[f"{key}-just-saved"] = True
            st.rerun()
