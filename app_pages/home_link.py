"""A link to the default page by its own name (/overview, or /scorecard for a partner's user).

Streamlit serves the default page at the root only, so this hidden page takes the name and moves
to the root, keeping the link's partner and period (already checked by the sidebar).
"""
from __future__ import annotations

import streamlit as st

st.switch_page(st.session_state["_home"], query_params=st.query_params.to_dict())
