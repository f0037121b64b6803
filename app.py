"""The Streamlit entry point: page config, navigation and the shared sidebar. No SQL, no pandas.

Pages live in app_pages/ (not pages/, which would switch on Streamlit's legacy auto-discovery).
Who is looking decides the navigation: partner users land on their own scorecard and never see the
administration pages; only admins see Access.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages import common

st.set_page_config(page_title="Overflow SLA", page_icon=":material/call_split:", layout="wide")


def page(file: str, title: str, icon: str, **options: object) -> st.Page:
    return st.Page(f"app_pages/{file}", title=title, icon=icon, url_path=Path(file).stem, **options)


# The pages that use the sidebar's period ("" is the default page: Overview, or a partner's scorecard).
PERIOD_PAGES = {"", "overview", "scorecard", "availability", "quality"}

src = common.source()
administration = [
    page("agreements.py", "Agreements", ":material/handshake:"),
    page("data.py", "Data", ":material/database:"),
    *([page("access.py", "Access", ":material/lock:")] if src.scope.can_admin else []),
]
navigation = st.navigation(
    {
        "Partners": [
            page("overview.py", "Overview", ":material/dashboard:", default=not src.scope.is_partner),
            page("scorecard.py", "Partner scorecard", ":material/scoreboard:", default=src.scope.is_partner),
            page("availability.py", "Availability", ":material/schedule:"),
            page("quality.py", "Quality", ":material/verified:"),
            page("meetings.py", "Service meetings", ":material/groups:"),
        ],
        **({} if src.scope.is_partner else {"Administration": administration}),
    }
)
common.sidebar(src, uses_period=navigation.url_path in PERIOD_PAGES)
navigation.run()
