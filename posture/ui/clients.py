"""Client records in the app: the details stored once per profile (height, date of birth, notes),
finding a profile by part of its name, the stored height filled into the Assess page, and the
CSV export of a profile's measurements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from posture.history.store import (
    OLDEST_BIRTH_DATE,
    ClientDetails,
    ProfileError,
    client_details,
    export_csv,
    find_profile,
    update_client,
)
from posture.presentation import file_safe


def details_inputs(details: ClientDetails, key: str) -> ClientDetails:
    """Height, date of birth and notes, filled with what is stored; inside a form. The values are
    checked when stored (posture.history.store.check_details), so a wrong one gets the store's message."""
    height = st.number_input("Height (cm)", value=details.height_cm, min_value=0.0, step=1.0, format="%.1f",
                             placeholder="not given", key=f"{key}-height",
                             help="Stored once: every assessment saved to this profile uses it for lengths in cm.")
    # The format in the label: "15.03.1980" typed into this box was dropped without a word (a trial).
    born = st.date_input("Date of birth (year-month-day, e.g. 1980-03-15)", value=details.birth_date,
                         min_value=OLDEST_BIRTH_DATE, max_value=date.today(), format="YYYY-MM-DD", key=f"{key}-born")
    notes = st.text_area("Notes (optional)", value=details.notes, max_chars=2000, key=f"{key}-notes")
    return ClientDetails(details.name, born, height, notes)


def client_panel(sessions, name: str) -> None:
    """The chosen profile's details, editable; a value that can't be stored changes nothing and
    leaves what was typed in the form."""
    with sessions() as session:
        stored = client_details(find_profile(session, name))
    summary = ", ".join(filter(None, (stored.birth_date and f"born {stored.birth_date}",
                                      stored.height_cm and f"{stored.height_cm:g} cm")))
    saved_key = f"client-{name}-saved"
    with st.expander(f"Client details: {summary or 'height, date of birth, notes'}",
                     expanded=saved_key in st.session_state):
        if st.session_state.pop(saved_key, False):
            st.success("Details saved.")
        with st.form(f"client-{name}"):
            edited = details_inputs(stored, f"client-{name}")
            if not st.form_submit_button("Save details"):
                return
        try:
            update_client(sessions, edited)
        except ProfileError as error:
            st.error(f"Not saved: {error}.")
            return
        st.session_state[saved_key] = True
        st.rerun()  # the title above shows what was saved (it showed the old details until a reload)


def csv_download(sessions, name: str) -> None:
    """Every visit's measurements as CSV (columns: posture.history.store.CSV_COLUMNS), made on the
    click: reading every stored report of a long history is not for each rerun of the page."""
    def measurements_csv() -> str:
        with sessions() as session:
            return export_csv(session, find_profile(session, name))

    st.download_button("Download the measurements (CSV)", measurements_csv,
                       file_name=f"posture-measurements-{file_safe(name) or 'profile'}.csv",
                       mime="text/csv", key="progress-csv")


def height_from_profile(height_key: str) -> Callable[[str], None]:
    """What a profile choice calls (a widget's on_change, or a profile just created): that
    profile's stored height goes into the `height_key` input on the next run (prefill_height). A
    choice, never a selectbox's default: no one's height is filled in unasked."""
    def chosen(name: str) -> None:
        st.session_state[f"{height_key}-chosen"] = name

    return chosen


def prefill_height(sessions, height_key: str) -> None:
    """The chosen profile's stored height into the `height_key` input (still editable), before that
    input is drawn. A height typed by hand stays when the profile has none; one filled in from the
    previous profile never does (it is another person's)."""
    chosen = st.session_state.pop(f"{height_key}-chosen", None)
    if chosen is None:
        return
    try:
        with sessions() as session:
            height = find_profile(session, chosen).height_cm
    except ProfileError:  # "+ New profile", no client, or deleted meanwhile
        height = None
    filled = st.session_state.pop(f"{height_key}-filled", None)
    if height is not None:
        st.session_state[height_key] = st.session_state[f"{height_key}-filled"] = round(height)
    elif filled is not None and st.session_state.get(height_key) == filled:
        st.session_state[height_key] = None
