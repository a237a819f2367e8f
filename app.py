"""`streamlit run app.py`: the posture app (pages in posture/ui)."""

from posture.ui.main import run

run()
