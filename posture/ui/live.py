"""Live check page: the webcam with skeleton and lines drawn live, and a hold-still capture that
becomes a full assessment. Video stays on this computer (WebRTC to the local server, no ICE servers)."""

from __future__ import annotations

import io
import threading
import time

import av
import streamlit as st
from PIL import Image
from streamlit_webrtc import VideoProcessorBase, WebRtcMode, webrtc_streamer

from posture.analysis import LocatedPhoto, Options, analyze_located, locate
from posture.assessment.corrections import safety
from posture.hold_still import HoldStill, locate_frames
from posture.live import LiveTracker
from posture.presentation import report_view
from posture.registry import display_name
from posture.ui.history import save_box
from posture.ui.shared import disclaimer_and_red_flags, shared_estimator, show_results
from posture.vision.drawing import with_status_band
from posture.vision.image_io import PhotoBytes

IDLE_STATUS, IDLE_RGB = "Live preview (not leveled)", (150, 150, 150)
COUNTDOWN_RGB = (255, 255, 255)
CAPTURING = "live-capture-running"  # set while a hold-still capture runs: survives leaving the page
INTERRUPTED = "live-capture-interrupted"  # a capture the video stopped: said until the video runs again


class LiveProcessor(VideoProcessorBase):
    """One per stream (one video-mode model each); runs in streamlit-webrtc's worker thread."""

    def __init__(self) -> None:
        self.tracker = LiveTracker()
        self.lock = threading.Lock()
        self.values: dict[str, tuple[float, str]] = {}
        self.hold: HoldStill | None = None

    def recv(self, frame: av.VideoFrame) -> av.VideoFrame:
        rgb = frame.to_ndarray(format="rgb24")
        now = time.monotonic()
        reading = self.tracker.process(rgb, now)
        with self.lock:
            self.values = reading.values
            running = self.hold is not None and not self.hold.done(now)
            idle = self.tracker.level_text or (IDLE_STATUS, IDLE_RGB)  # the level guide's words while framing
            status, colour = (self.hold.feed(rgb, now), COUNTDOWN_RGB) if running else idle
        return av.VideoFrame.from_ndarray(with_status_band(reading.image, status, colour), format="rgb24")

    def start_hold_still(self) -> None:
        with self.lock:
            self.hold = HoldStill(time.monotonic())

    def finished_capture(self) -> list | None:
        with self.lock:
            if self.hold is None or not self.hold.done(time.monotonic()):
                return None
            frames, self.hold = self.hold.frames, None
            return frames

    def __del__(self) -> None:
        self.tracker.close()


def page() -> None:
    st.title("Live check")
    red_flags = disclaimer_and_red_flags(safety(), "live")
    st.caption("Stand 2-3 m from the camera, whole body in view, facing it or turned sideways. The lines and "
               "values follow you live (a preview, not leveled); **Hold still** turns a few seconds of "
               "video into a full assessment, more precise than one photo.")
    context = webrtc_streamer(
        key="live",
        mode=WebRtcMode.SENDRECV,
        rtc_configuration={"iceServers": []},  # local only: no STUN/TURN server is contacted
        media_stream_constraints={"video": {"width": 640, "height": 480}, "audio": False},
        video_processor_factory=LiveProcessor,
        async_processing=True,
    )
    if context.state.signalling and not context.state.playing:
        st.info("Connecting to the camera... If the video does not start within a few seconds, this browser "
                "can't open a live connection: use the snapshots below instead.")
    processor = context.video_processor
    live = processor is not None and context.state.playing
    _interrupted_capture(live)
    if live and st.button("Hold still: capture an assessment", type="primary"):
        processor.start_hold_still()
        st.session_state[CAPTURING] = True
    if live:
        st.caption("The capture takes about 6 s: stay on this page until it is done (leaving stops the video).")
    status = st.empty()
    capture = st.session_state.get("live_capture")
    if capture:
        analysis = analyze_located([capture], Options(red_flags=red_flags))
        view = report_view(analysis)
        st.subheader("Hold-still capture")
        show_results(view)
        save_box(analysis, view, _frame_as_photo(capture), "live", "live")
    _snapshots(red_flags)
    if live:  # last: it loops for as long as the video plays
        _follow(context, processor, status)


def _follow(context, processor: LiveProcessor, status) -> None:
    """Show the current values and rate while the video plays; run a finished capture."""
    while context.state.playing:
        frames = processor.finished_capture()
        if frames is not None:
            with st.spinner(f"Combining {len(frames)} frames into one assessment..."):
                st.session_state.live_capture = locate_frames(frames, shared_estimator(), Options())
                st.session_state.pop(CAPTURING, None)
            st.rerun()
        with processor.lock:
            values, hold = dict(processor.values), processor.hold
        fps = processor.tracker.fps
        parts = [f"{display_name(mid)} **{value:+.1f} {unit}**" for mid, (value, unit) in values.items()]
        rate = f"{fps:.0f} frames/s" if fps else "starting"
        status.markdown(" · ".join(parts or ["No person in view"]) + f"  \n{rate}, "
                        f"{processor.tracker.frames_processed} frames processed"
                        + (" · capture running" if hold else ""))
        time.sleep(0.3)


def _interrupted_capture(live: bool) -> None:
    """A hold-still capture that was under way when the video stopped (leaving the page stops it)
    is said, until the video runs again, rather than lost silently."""
    if st.session_state.get(CAPTURING) and not live:
        del st.session_state[CAPTURING]
        st.session_state[INTERRUPTED] = True
    if live:
        st.session_state.pop(INTERRUPTED, None)
    elif st.session_state.get(INTERRUPTED):
        st.warning("The hold-still capture stopped before it was done: the video stopped (leaving this page "
                   "stops it), so nothing was captured. Press **Start**, then **Hold still** again, and stay on "
                   "this page for the 6 s it takes.", icon=":material/videocam_off:")


def _frame_as_photo(result: LocatedPhoto) -> list[PhotoBytes]:
    """The capture's middle frame, kept only for profiles that opted in to storing photos."""
    if result.image is None:
        return []
    buffer = io.BytesIO()
    Image.fromarray(result.image).save(buffer, format="JPEG", quality=90)
    return [PhotoBytes("live-capture.jpg", buffer.getvalue())]


def _snapshots(red_flags: tuple[str, ...]) -> None:
    with st.expander("No live video? Take a snapshot instead"):
        st.caption("Where the browser can't open a live connection (WebRTC), a snapshot from the camera is "
                   "analysed like an uploaded photo.")
        forgotten = "live-snapshot" not in st.session_state  # Streamlit dropped it: the page was left
        shot = st.camera_input("Snapshot", key="live-snapshot")
        located = st.session_state.get("live_snapshot")
        if shot is None:
            if located is None or not (forgotten or located[0] is None):  # none taken, or cleared by hand
                st.session_state.pop("live_snapshot", None)
                return
            located = st.session_state.live_snapshot = (None, located[1])  # kept beyond its widget
            st.caption("The snapshot taken before you left this page; take a new one to replace it.")
        elif located is None or located[0] != shot.file_id:  # the model runs once per snapshot, not per rerun
            with st.spinner("Analysing the snapshot..."):
                located = (shot.file_id, locate(PhotoBytes("snapshot", shot.getvalue()), shared_estimator(), Options()))
            st.session_state.live_snapshot = located
        show_results(report_view(analyze_located([located[1]], Options(red_flags=red_flags))))
