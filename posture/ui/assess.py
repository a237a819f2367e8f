"""Assess page: photos in (upload or camera), annotated images beside findings and corrections,
examiner mode (protocol points and pose points placed by hand on a zoomed view), downloads."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

from posture import lan
from posture.analysis import (
    BODY_HEIGHT_RANGE_CM,
    Analysis,
    Options,
    PhotoEdits,
    PhotoResult,
    analyze_located,
    locate,
)
from posture.annotated import annotated_image
from posture.assessment.corrections import safety
from posture.assessment.measurements import MARKER_LINES, Source
from posture.assessment.pain import PAIN_REGIONS, Pain, region_label
from posture.errors import PhotoError
from posture.presentation import POINT_ORIGIN_WORDS, PhotoSection, ReportView, point_name, report_view
from posture.records import report_json
from posture.registry import display_name
from posture.report_html import report_html
from posture.report_pdf import report_pdf
from posture.ui import phone
from posture.ui.clients import height_from_profile, prefill_height
from posture.ui.history import history_sessions, report_header_inputs, save_box
from posture.ui.shared import disclaimer_and_red_flags, shared_estimator, show_results
from posture.ui.zoom import DEFAULT_ZOOM, ZOOM_LEVELS, ShownPoint, ZoomWindow, zoomed_view
from posture.vision.drawing import CANT_TELL_RGB, DETECTED_RGB, PLACED_RGB
from posture.vision.image_io import PhotoBytes, load_photo
from posture.vision.landmarks import Landmark
from posture.vision.markers import Expected, PointOrigin, expected_positions, point_words

SLOTS = ("front", "side", "back")
PHOTO_TYPES = ("jpg", "jpeg", "png", "webp", "tif", "tiff", "bmp", "heic", "heif")
PHOTO_KINDS = "JPEG, PNG, WebP, TIFF, BMP or HEIC (iPhone)"
# Points a person can sensibly see and click on a photo.
CLICKABLE = (
    Landmark.LEFT_EAR, Landmark.RIGHT_EAR, Landmark.NOSE, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER,
    Landmark.LEFT_HIP, Landmark.RIGHT_HIP, Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE,
    Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE, Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL,
)
KEPT_PHOTOS = "assess-photos"  # slot -> KeptPhoto
PENDING = "assess-pending"  # an analysis under way: its photos and those located so far
REFUSED = "assess-refused"  # upload file id -> why it can't be analysed (None: it can)


def page() -> None:
    st.title("Assess your posture")
    if (session := lan.current()) is not None:
        phone.desktop_panel(session)
    red_flags = disclaimer_and_red_flags(safety(), "assess")
    state = st.session_state.get("assess")
    # Once analysed, "In short" comes first and the inputs, folded, after it: a phone's first screen.
    summary_box = st.container() if state is not None else None
    sources = _photo_inputs(folded=state is not None)
    height_cm, pain = _person_inputs()
    header = report_header_inputs("assess", height_from_profile("height"))
    if _analyse_pressed(sources, state):
        _analyse(sources)
        st.rerun()  # drawn again with the photos folded away, the results first
    _finish_interrupted_analysis(sources)
    if not state:
        st.caption("Photos stay on this computer: they are analysed here and never uploaded anywhere"
                   + (" (the phone's come here over your local network only)." if lan.current() else "."))
        return
    if state["photos"] != sources:
        # The located photos are of the photos given at the last Analyse: another person's results
        # must not stand beside these photos as if they were theirs.
        st.warning("The photos have changed since they were analysed: press **Analyse** to see the results "
                   "for these photos.", icon=":material/update:")
        return
    _take_click(state)  # before the report is derived: one run per click
    analysis = analyze_located(state["located"], Options(height_cm=height_cm, pain=pain, red_flags=red_flags),
                               state["edits"])
    view = report_view(analysis, header)
    _say_wrong_slots(state["photos"], analysis)
    show_results(view, summary_box)
    _examiner(view, state)
    save_box(analysis, view, state["photos"], "photos", "assess", height_from_profile("height"))
    _downloads(analysis, view)


def _say_wrong_slots(sources: list[PhotoBytes], analysis: Analysis) -> None:
    """A photo whose view is not its slot's (a profile given as the front photo) is analysed as
    the view it shows; say so, or "add a front photo" reads as if the one given were lost."""
    for source, result in zip(sources, analysis.photos, strict=True):
        slot = next((s for s in SLOTS if source.name.startswith(f"{s} photo")), None)
        if slot is None or not result.ok or result.view is None:
            continue
        if result.view.value != slot and not (slot == "side" and not result.view.is_frontal):
            st.info(f"The {slot} photo looks like a **{result.view.words}** view, so it is "
                    "analysed as one. Put each photo in its own slot (or retake it) if that is wrong.",
                    icon=":material/swap_horiz:")


def _analyse_pressed(sources: list[PhotoBytes], state: dict | None) -> bool:
    """The Analyse button, while there is something new to analyse: with the results of these very
    photos on screen it would only push them down (a phone's first screen)."""
    if state is not None and state["photos"] == sources:
        return False
    return st.button("Analyse", type="primary", disabled=not sources)


def _analyse(sources: list[PhotoBytes]) -> None:
    """The model on each photo, each result put in the session as soon as it is found: a page
    switch stops the run at its next Streamlit call, and coming back finishes the rest."""
    pending = st.session_state.get(PENDING)
    if pending is None or pending["photos"] != sources:
        pending = st.session_state[PENDING] = {"photos": sources, "located": {}}
    estimator = shared_estimator()
    with st.spinner("Finding the body and measuring (a few seconds per photo)..."):
        for source in sources:
            if source not in pending["located"]:
                pending["located"][source] = locate(source, estimator, Options())
    # The session keeps the model's output and the person's inputs, never a derived result:
    # every rerun derives the report afresh from them, so no rerun can see another's half-work.
    located = tuple(pending["located"][source] for source in sources)
    st.session_state.assess = {"located": located, "edits": {}, "photos": sources}
    del st.session_state[PENDING]


def _finish_interrupted_analysis(sources: list[PhotoBytes]) -> None:
    """An analysis stopped by a page switch is finished on coming back, and the page says so."""
    pending = st.session_state.get(PENDING)
    if pending is None:
        return
    if pending["photos"] != sources:  # other photos since: that analysis is moot
        del st.session_state[PENDING]
        return
    st.info("The analysis stopped when you left this page; it is being finished now.", icon=":material/update:")
    _analyse(sources)
    st.rerun()


@dataclass(frozen=True)
class KeptPhoto:
    """A slot's photo, kept in the session apart from its upload widget: Streamlit forgets a
    widget's file when its page is left, the session keeps this."""

    photo: PhotoBytes
    file_id: str | None  # the widget's file it came from; None once the widget has forgotten it


def _photo_inputs(folded: bool) -> list[PhotoBytes]:
    """The photos to analyse, front, side, back. Once there are results the uploads fold away
    under one line, so a phone shows the results first."""
    kept: dict[str, KeptPhoto | None] = dict(st.session_state.get(KEPT_PHOTOS, {}))
    box = st.expander("Your photos: change or add one", key="photos-box") if folded else st.container()
    with box:
        use_camera = st.toggle("Take the photos with this computer's camera", key="use-camera",
                               persist_state="session")
        st.caption("Front: facing the camera, arms relaxed. Side: turned 90°, right or left side to the camera. "
                   "Whole body from head to feet, phone upright at hip height, 2-3 m away. Fitted clothes, "
                   "nothing in the hands, long hair tied up: the body's outline is part of the measurement.")
        refusals, sent = [], {}
        for column, slot in zip(st.columns(len(SLOTS)), SLOTS, strict=True):
            with column:
                kept[slot], refusal = _slot_photo(slot, use_camera, kept.get(slot))
                refusals += [refusal] if refusal else []
                if kept[slot] is None and refusal is None and (photo := _phone_photo(slot)) is not None:
                    sent[slot] = photo
    for refusal in refusals:  # outside the folded box: seen without opening it
        st.error(refusal, icon=":material/block:")
    st.session_state[KEPT_PHOTOS] = {slot: photo for slot, photo in kept.items() if photo is not None}
    return [kept[slot].photo if kept[slot] is not None else sent[slot]
            for slot in SLOTS if kept[slot] is not None or slot in sent]


def _phone_photo(slot: str) -> PhotoBytes | None:
    """The photo a phone sent for this slot over the local network (LAN capture), if any."""
    session = lan.current()
    return phone.phone_photo(session, slot) if session is not None else None


def _slot_photo(slot: str, use_camera: bool, kept: KeptPhoto | None) -> tuple[KeptPhoto | None, str | None]:
    """The slot's photo: a new upload (if it can be read, else why not), the kept one, or none. A
    widget whose state Streamlit dropped (the page was left and come back to) shows empty: the kept
    photo stays, named under it with a button to remove it; emptied by hand, the slot is empty."""
    key = f"{'camera' if use_camera else 'upload'}-{slot}"
    forgotten = key not in st.session_state
    label = f"{slot.capitalize()} photo" + (" (optional)" if slot == "back" else "")
    file = (st.camera_input(label, key=key) if use_camera
            else st.file_uploader(label, key=key, help=f"A photo: {PHOTO_KINDS}."))
    if file is not None:
        if kept is not None and kept.file_id == file.file_id:
            return kept, None
        refusal = _refusal(file)
        if refusal:
            return None, f"**{label}**: {refusal} The other photos are kept."
        return KeptPhoto(PhotoBytes(f"{slot} photo ({file.name})", file.getvalue()), file.file_id), None
    if kept is None or not (forgotten or kept.file_id is None):
        return None, None
    st.caption(f":material/check: Kept: {kept.photo.name}")
    if st.button("Remove it", key=f"remove-{slot}", type="tertiary", icon=":material/close:"):
        return None, None
    return replace(kept, file_id=None), None


def _refusal(file) -> str | None:
    """Why an upload can't be analysed, in words that name it and say what to do; None if it can.
    Checked once per upload, at once (the decoding the analysis will do), not after Analyse."""
    refusals = st.session_state.setdefault(REFUSED, {})
    if file.file_id not in refusals:
        refusals[file.file_id] = _unreadable_kind(file.name) or _undecodable(file.name, file.getvalue())
    return refusals[file.file_id]


def _unreadable_kind(name: str) -> str | None:
    """The uploader takes any file, so a file of another kind is refused here with why (Streamlit's
    own type filter showed a red tile with no reason). Camera photos are named .jpg."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in PHOTO_TYPES:
        return None
    kind = f"a .{suffix} file" if suffix else "a file without an extension"
    return f"{name}: {kind} is not a photo this app reads. Use a {PHOTO_KINDS} photo."


def _undecodable(name: str, data: bytes) -> str | None:
    try:
        load_photo(PhotoBytes(name, data))
    except PhotoError as error:
        return error.message
    return None


def _person_inputs() -> tuple[float | None, Pain | None]:
    sessions = history_sessions() if "height-chosen" in st.session_state else None
    if sessions is not None:  # a profile was chosen (on the report or to save to): its stored height
        prefill_height(sessions, "height")
    with st.expander("About you (optional): height and pain", expanded=False):
        # persist_state: the values outlive a visit to another page.
        height = st.number_input("Height (cm)", min_value=0, max_value=250, value=None, step=1,
                                 placeholder="not given", key="height", persist_state="session",
                                 help="Adds lengths in cm; filled in from the profile chosen (on the report "
                                 "or to save to), when its details have a height.")
        regions = st.multiselect("Where does it hurt?", PAIN_REGIONS, format_func=region_label, key="pain-regions",
                                 persist_state="session")
        weeks = st.number_input("For how many weeks?", min_value=0, max_value=1000, value=0, key="pain-weeks",
                                persist_state="session")
        intensity = st.slider("How much (0 = none, 10 = worst imaginable)?", 0, 10, 0, key="pain-level",
                              persist_state="session")
    low, high = BODY_HEIGHT_RANGE_CM
    height_cm = float(height) if height and low <= height <= high else None
    if height and height_cm is None:
        st.warning("A height below 50 cm was ignored: enter the height in centimetres.")
    pain = Pain(tuple(regions), intensity or None, weeks or None) if regions or intensity or weeks else None
    return height_cm, pain


def _examiner(view: ReportView, state: dict) -> None:
    """Examiner mode: any protocol point (or a pose-model point) placed or corrected by hand on a
    zoomed view, with undo; the report derives from the placements on every rerun."""
    usable = [section for section in view.photos if section.ok]
    if not usable:
        return
    st.divider()
    st.subheader("Fix a point by hand (examiner mode)")
    st.caption("Choose a point, then click (or tap) where it belongs: on the bony landmarks of the protocol "
               "(the markers' places, detected or not) or on a pose point in the wrong place. The zoomed "
               "view is centred on the point (and stays while you place it again). The cross of a protocol point "
               "only marks where the pose model "
               "expects it: put it on the landmark you feel. Once a measurement's points are all placed (both "
               "ASIS for the hip line, C7 and the tragus for the head), it is read between your points instead "
               "of from the body outline, and its value, its ± and the findings change with it.")
    # Choices left, the photo in the middle, the points' list right; stacked on a phone.
    choices_column, image_column, list_column = st.columns([2, 3, 2])
    with choices_column:
        section, point, protocol = _examiner_choices(usable, state)
    result = section.result
    edits = state["edits"].get(result.path, PhotoEdits())
    with image_column:
        zoom = st.radio("View", list(ZOOM_LEVELS), index=list(ZOOM_LEVELS).index(DEFAULT_ZOOM), key="fix-zoom",
                        horizontal=True, persist_state="session", label_visibility="collapsed")
        window = _steady_window(state, result, point, protocol, ZOOM_LEVELS[zoom])
        picture = annotated_image(section) if ZOOM_LEVELS[zoom] <= 1.0 else zoomed_view(
            result.image, result.image_size, window, _shown_points(result, point, protocol))
        click = streamlit_image_coordinates(picture, width="stretch", key=f"fix-click-{result.path}",
                                            cursor="crosshair")
    # A click on it is read at the top of the next run, against this view (_take_click).
    state["shown"] = ShownView(result.path, window, point if point in protocol else Landmark[point.upper()],
                               click.get("unix_time") if click else None)
    with list_column:
        _placed_list(section, edits)


def _examiner_choices(usable: list[PhotoSection], state: dict) -> tuple[PhotoSection, str, dict[str, Expected]]:
    """The photo, the point (the view's protocol points in words, then the pose points) with how
    to find it, and Undo / Clear for that photo."""
    labels = [section.title for section in usable]
    section = usable[labels.index(st.selectbox("Photo", labels, key="fix-photo", persist_state="session"))]
    result = section.result
    protocol = expected_positions(result.landmarks, result.view)  # the view's points, optional ones too
    pose_points = [lm.key for lm in CLICKABLE  # a profile shows one side's joints (and the nose)
                   if result.view.is_frontal or lm.key.split("_")[0] in (result.near_side, "nose")]
    point = st.selectbox("Point", [*protocol, *pose_points], key=f"fix-point-{result.path}",
                         format_func=lambda name: _point_words(name, result, protocol))
    if point in protocol:
        st.caption(f"**Where to click:** {point_words(point)['on_photo']}")
    edits = state["edits"].get(result.path, PhotoEdits())
    buttons = st.container(horizontal=True)  # side by side on a phone too
    buttons.button("Undo", key=f"fix-undo-{result.path}", disabled=not edits.placed, icon=":material/undo:",
                   help="Takes back the last point placed on this photo.", on_click=_take_back,
                   args=(state, result.path, edits.undone()))
    buttons.button("Clear", key=f"fix-clear-{result.path}", disabled=not edits.placed, icon=":material/delete:",
                   help="Takes back every point placed by hand on this photo.", on_click=_take_back,
                   args=(state, result.path, PhotoEdits()))
    return section, point, protocol


@dataclass(frozen=True)
class ShownView:
    """The examiner's view as drawn: a click on it is read against this, on the next run."""

    path: str
    window: ZoomWindow
    target: str | Landmark  # the protocol point or pose point being placed
    seen_click: int | None  # the view's last click when it was drawn (already taken, or from before)


def _take_click(state: dict) -> None:
    """A new click on the examiner's view places its point, before the report is derived (so one
    run shows it; taken after the report, it needed a second run)."""
    shown: ShownView | None = state.get("shown")
    click = None if shown is None else st.session_state.get(f"fix-click-{shown.path}")
    if not click or click.get("unix_time") == shown.seen_click:
        return
    state["shown"] = replace(shown, seen_click=click["unix_time"])
    xy = shown.window.to_photo((click["x"] + 0.5, click["y"] + 0.5), click["width"])  # the clicked pixel's centre
    _set_edits(state, shown.path, state["edits"].get(shown.path, PhotoEdits()).with_point(shown.target, xy))


def _take_back(state: dict, path: str, edits: PhotoEdits) -> None:
    """Undo or Clear: the point goes back to where it was, so the view is centred afresh (kept,
    it could leave the point outside it)."""
    state.pop("window", None)
    _set_edits(state, path, edits)


def _set_edits(state: dict, path: str, edits: PhotoEdits) -> None:
    """A new placement (or its undoing) replaces the photo's edits; the report derives from them."""
    state["edits"] = {**state["edits"], path: edits}


def _point_words(name: str, result: PhotoResult, protocol: Mapping[str, Expected]) -> str:
    """'C7 – the bump at the base of the neck', 'left hip – the pose model's joint, to move if it is off'."""
    if name not in protocol:
        return f"{Landmark[name.upper()].words} – the pose model's joint, to move if it is off"
    plain = re.sub(r" \([^)]*\)$", "", point_words(name)["plain"])
    return f"{point_name(name, result.view)} – {plain}" + (" (optional)" if protocol[name].optional else "")


def _steady_window(state: dict, result: PhotoResult, point: str, protocol: Mapping[str, Expected],
                   zoom: float) -> ZoomWindow:
    """The zoomed view around the point, kept where it was while the same point is placed again at
    the same zoom: re-centred on each new placement, the photo jumped under the pointer."""
    key = (result.path, point, zoom)
    if state.get("window", (None,))[0] != key:
        state["window"] = (key, ZoomWindow.around(_where(point, result, protocol), result.image_size, zoom))
    return state["window"][1]


def _where(point: str, result: PhotoResult, protocol: Mapping[str, Expected]) -> tuple[float, float]:
    """The point's current place (by hand, detected, or where the pose model puts it)."""
    if point in result.points:
        return result.points[point].xy_px
    if point in protocol:
        return float(protocol[point].xy_px[0]), float(protocol[point].xy_px[1])
    return tuple(map(float, result.landmarks.point(Landmark[point.upper()])))


ORIGIN_RGB = {PointOrigin.DETECTED: DETECTED_RGB, PointOrigin.BY_HAND: PLACED_RGB,
              PointOrigin.ESTIMATED: CANT_TELL_RGB}


def _shown_points(result: PhotoResult, chosen: str, protocol: Mapping[str, Expected]) -> list[ShownPoint]:
    """Every protocol point in its origin's colour, and the chosen one (a pose point too) as a cross-hair."""
    shown = [ShownPoint(point_name(name, result.view), point.xy_px, ORIGIN_RGB[point.origin], name == chosen)
             for name, point in result.points.items()]
    if chosen not in result.points:
        label = point_name(chosen, result.view) if chosen in protocol else Landmark[chosen.upper()].words
        shown.append(ShownPoint(label, _where(chosen, result, protocol), PLACED_RGB, True))
    return shown


def _placed_list(section: PhotoSection, edits: PhotoEdits) -> None:
    """Where each protocol point of this photo came from, and the pose points moved by hand."""
    result = section.result
    lines = []
    for origin in PointOrigin:
        mine = [(name, point) for name, point in result.points.items() if point.origin is origin]
        where = "" if origin is PointOrigin.ESTIMATED else " at ({:.0f}, {:.0f})"
        if mine:
            lines.append(f"- {POINT_ORIGIN_WORDS[origin].capitalize()}: " + ", ".join(
                f"**{point_name(name, result.view)}**" + where.format(*point.xy_px) for name, point in mine))
    st.markdown("**Points on this photo**\n" + "\n".join(lines))
    readings = _marker_readings(section)
    if readings:
        st.markdown("**Read between marked points**\n" + "\n".join(readings))
    moved = [landmark.words for landmark, _ in edits.moved]
    if moved:
        st.caption(f"Placed by hand on this photo: {', '.join(dict.fromkeys(moved))}.")


def _marker_readings(section: PhotoSection) -> list[str]:
    """What the marked points give at once: each measurement read between two of them, or the one
    point it still waits for (with one alone the pose model's value stands, so nothing seems to change)."""
    result = section.result
    between = [line for line in section.measurements
               if line.measured and result.measurements[line.id].source is Source.MARKERS]
    lines = [f"- {line.name}: {line.value_text}" + (f" (no finding: {line.doubt})" if line.doubt else "")
             for line in between]
    for mid, marker_line in MARKER_LINES[result.view.value.split("_")[0]].items():
        missing = [name for name in marker_line.names(result.near_side) if name not in result.markers]
        if len(missing) == 1:
            lines.append(f"- {display_name(mid)}: place the **{point_name(missing[0], result.view)}** too")
    return lines


def _downloads(analysis: Analysis, view: ReportView) -> None:
    st.divider()
    html, pdf, data = st.columns(3)
    html.download_button("Download the report (HTML, with images)", report_html(view),
                         file_name=view.header.file_name("report", ".html"), mime="text/html")
    # The PDF is made when the button is pressed (deferred), not on every rerun.
    pdf.download_button("Download the report (PDF)", lambda: report_pdf(view),
                        file_name=view.header.file_name("report", ".pdf"), mime="application/pdf")
    data.download_button("Download the data (JSON)", json.dumps(report_json(analysis), indent=1),
                         file_name=view.header.file_name("data", ".json"), mime="application/json")
