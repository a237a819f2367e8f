"""The Streamlit app: pages that lay out what `posture.analysis` computes (nothing computed here)."""
