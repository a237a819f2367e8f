"""Phone capture (`posture app --lan`): the phone's capture page, and on the desktop's Assess page
the "Scan this with your phone" panel and the photos the phone sent."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

import segno
import streamlit as st

from posture import lan
from posture.data_files import constant
from posture.errors import PhotoError
from posture.lan import LanSession, PhonePhoto, is_desktop
from posture.vision.image_io import PhotoBytes, load_photo

THUMBNAIL_LONG_SIDE_PX = 320
SELF_TIMER_S = 10
SLOTS = ("front", "side", "back")
SLOT_LABELS = {"front": "Front: facing the camera, arms relaxed by the sides",
               "side": "Side: turned 90°, right or left side to the camera",
               "back": "Back (optional): back to the camera"}
INBOX_CHECK_S = 2  # how often the desktop page looks for new phone photos, the phone for a new link
CERTIFICATE_ADVICE = (
    "The phone warns that the connection is not private: the certificate was made on this computer when "
    "the app started, and no authority can vouch for a computer on your own network. Check that the "
    "address is the one under the QR code, then tap **Advanced** (Android) or **Show Details** (iPhone) and "
    "**Proceed** / **visit this website**. The connection is encrypted all the same."
)


CAMERA_HTML = """
<div class="camera">
  <video playsinline muted></video>
  <div class="count"></div>
</div>
<p class="level" data-ok="false">Level guide: no motion sensor reading (yet).</p>
<p class="status">Tap <b>Start the camera</b> and allow it. Then lean the phone upright against something at hip
height, step back 2.5-3 m, and let the timer take the photo: it beeps each second and longer at the photo.</p>
<div class="buttons">
  <button class="start">Start the camera</button>
  <button class="take timer" disabled>Self-timer</button>
  <button class="take now" disabled>Take now</button>
</div>
"""
CAMERA_CSS = """
.camera { position: relative; }
video { width: 100%; max-height: 60vh; background: #222; border-radius: 0.5rem; }
.count { position: absolute; inset: 35% 0 auto 0; text-align: center; font-size: 6rem; font-weight: 700;
         color: white; text-shadow: 0 0 12px black; }
.level { font-weight: 600; color: var(--st-red-color, #c00); }
.level[data-ok="true"] { color: var(--st-green-color, #080); }
.buttons { display: flex; gap: 0.5rem; flex-wrap: wrap; }
button { font: inherit; padding: 0.5rem 0.9rem; border-radius: 0.5rem; border: 1px solid #bbb;
         background: var(--st-secondary-background-color, #f0f2f6); color: inherit; }
button:disabled { opacity: 0.4; }
"""
_camera = st.components.v2.component("posture_phone_camera", html=CAMERA_HTML, css=CAMERA_CSS,
                                     js=(Path(__file__).with_name("phone_camera.js")).read_text())


def on_desktop() -> bool:
    """The browser of this computer, opened as localhost (st.context.ip_address is None for a
    loopback peer)."""
    peer = "127.0.0.1" if st.context.ip_address is None else st.context.ip_address
    return is_desktop(peer, st.context.headers.get("Host"))


def capture_page() -> None:
    """The only page a phone gets, and only with the current token."""
    session = lan.current()
    assert session is not None, "main.run shows this page only with --lan"
    if not session.token.admits(st.query_params.get("token")):
        _refused()
        return
    st.title("Posture photos")
    st.caption("These photos go straight to the computer that showed the QR code, over your local network, "
               "and to nothing else. This page keeps no copy.")
    st.markdown("Whole body head to feet, **2.5-3 m** away, phone **upright at hip height** and level, a door frame "
                "or wall corner behind. Fitted clothes, empty hands, long hair tied up, stand relaxed.\n\n"
                "For each photo tap **Upload** and choose **Take photo** / **Camera** (the phone's own camera, full "
                "resolution). No helper? The camera inside this page has a self-timer that beeps, and a level guide.")
    if st.toggle("Use the camera inside this page: a self-timer that beeps, and a level guide", key="phone-camera"):
        _camera_in_page(session)
    else:
        for slot in SLOTS:
            with st.container(border=True):
                file = st.file_uploader(SLOT_LABELS[slot], key=f"phone-upload-{slot}")
                if file is not None:
                    _send(session, slot, file.file_id, file.name, file.getvalue())
    _watch_token(session)


@st.fragment(run_every=INBOX_CHECK_S)
def _watch_token(session: LanSession) -> None:
    """When the computer makes a new link, this page says so within seconds (and its uploads are
    refused from that moment on)."""
    if not session.token.admits(st.query_params.get("token")):
        st.rerun(scope="app")


def _refused() -> None:
    st.title("Access refused")
    st.error("This link has no valid access token, or the computer has made a new link since. Scan the QR "
             "code on the computer's Assess page again. Nothing is shown or accepted here without it.",
             icon=":material/lock:")


def _camera_in_page(session: LanSession) -> None:
    """The rear camera in the page (phone_camera.js): pick the view, start the camera, take the
    photo now or after the beeping countdown; each photo goes to the computer at once."""
    slot = st.radio("This photo is the", SLOTS, format_func=lambda s: SLOT_LABELS[s], key="phone-camera-slot")
    shot = _camera(key="phone-camera-view", on_photo_change=lambda: None, data={
        "timer_s": SELF_TIMER_S, "sideways_deg": constant("phone_level_sideways_deg"),
        "lean_deg": constant("phone_level_lean_deg")})
    if shot.photo:
        data = base64.b64decode(shot.photo.split(",", 1)[1])
        _send(session, slot, hashlib.sha256(data).hexdigest(), f"camera-{slot}.jpg", data)
    for sent_slot, (_, at) in st.session_state.get("phone-sent", {}).items():
        st.caption(f"{SLOT_LABELS[sent_slot].split(':')[0]}: sent at {at:%H:%M:%S}")


def _send(session: LanSession, slot: str, identity: str, name: str, data: bytes) -> None:
    """Into the desktop's inbox, once per photo (every rerun still holds the chosen file)."""
    sent = st.session_state.setdefault("phone-sent", {})
    if sent.get(slot, (None,))[0] != identity:
        if not session.token.admits(st.query_params.get("token")):  # a new link was made meanwhile
            _refused()
            st.stop()
        try:  # said here, where the photo can be taken again, not on the computer
            load_photo(PhotoBytes(name, data), THUMBNAIL_LONG_SIDE_PX)
        except PhotoError as error:
            st.error(f"Not sent: {error}", icon=":material/block:")
            return
        photo = session.inbox.put(slot, name, data)
        sent[slot] = (identity, photo.received_at)
    st.success(f"Sent to the computer at {sent[slot][1]:%H:%M:%S}. A new photo replaces it.",
               icon=":material/check_circle:")


def desktop_panel(session: LanSession) -> None:
    """Scan this with your phone: the QR code of the link, what to do about the certificate
    warning, a new link on demand; new phone photos show up by themselves."""
    link = session.link(st.get_option("server.port"))
    with st.container(border=True):
        code, text = st.columns([1, 2])
        with code:
            image = io.BytesIO()
            segno.make(link, error="m").save(image, kind="png", scale=6, border=3)
            st.image(image.getvalue(), width=240)
        with text:
            st.subheader("Scan this with your phone", anchor=False)
            st.markdown("1. The phone on the **same Wi-Fi** as this computer; scan the code with its camera.\n"
                        f"2. {CERTIFICATE_ADVICE}\n"
                        "3. Take the front, side and back photos there: they appear below within seconds.")
            st.code(link, language=None, wrap_lines=True)
            st.caption("Photos go from the phone to this computer over your local network only, never to any "
                       "other service, and are kept in memory until the app stops. Anyone who has this link and "
                       "is on your network can send photos (and see nothing else): make a new link when done.")
            if st.button("New link (the old one stops working)", icon=":material/lock_reset:"):
                session.token.revoke()
                st.rerun()
    _watch_inbox(session)


@st.fragment(run_every=INBOX_CHECK_S)
def _watch_inbox(session: LanSession) -> None:
    """Rerun the page when the phone sent or something removed a photo."""
    seen = st.session_state.setdefault("phone-inbox-seen", session.inbox.version)
    if session.inbox.version != seen:
        st.session_state["phone-inbox-seen"] = session.inbox.version
        st.rerun(scope="app")


def phone_photo(session: LanSession, slot: str) -> PhotoBytes | None:
    """The phone's photo for this slot of the Assess page, shown with a way to remove it."""
    photo: PhonePhoto | None = session.inbox.photos().get(slot)
    if photo is None:
        return None
    source = PhotoBytes(f"{slot} photo (phone, {photo.received_at:%H:%M:%S}, {photo.name})", photo.data)
    try:  # upright (EXIF) and decoded as the analysis will decode it; HEIC too
        st.image(load_photo(source, THUMBNAIL_LONG_SIDE_PX).rgb, caption=f"From the phone at "
                 f"{photo.received_at:%H:%M:%S}", width=160)
    except PhotoError as error:
        st.error(f"From the phone: {error}", icon=":material/block:")
    if st.button("Remove", key=f"phone-remove-{slot}", icon=":material/delete:"):
        session.inbox.remove(slot)
        st.rerun()
    return source
