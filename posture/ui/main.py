"""The app's entry point: `streamlit run app.py` or `posture app` (both on 127.0.0.1 only), or
`posture app --lan`, where a phone with the link's token gets the capture page and nothing else."""

from __future__ import annotations

import streamlit as st

from posture import lan
from posture.ui import assess, live, phone, progress


def run() -> None:
    # An emoji icon becomes an inline SVG; a ":material/...:" one made every browser fetch the
    # favicon from fonts.gstatic.com (nothing leaves the machine, not even that).
    st.set_page_config(page_title="Posture screen", page_icon="🧍", layout="wide")
    if lan.current() is not None and not phone.on_desktop():
        st.navigation([st.Page(phone.capture_page, title="Capture", default=True)], position="hidden").run()
        return
    pages = [
        st.Page(assess.page, title="Assess", icon=":material/photo_camera:", url_path="assess", default=True),
        st.Page(live.page, title="Live check", icon=":material/videocam:", url_path="live"),
        st.Page(progress.page, title="Progress", icon=":material/monitoring:", url_path="progress"),
    ]
    st.navigation(pages).run()


if __name__ == "__main__":
    run()
