"""The app's own CSS (assets/style.css), injected once per run by app.py: st.html of styles alone
goes to Streamlit's event container and takes no space on the page."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

CSS = Path(__file__).resolve().parent.parent / "assets" / "style.css"


def inject() -> None:
    st.html(f"<style>{CSS.read_text(encoding='utf-8')}</style>")
