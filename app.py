"""The Streamlit entry point: page config, navigation and the shared sidebar. No SQL, no pandas.

Pages live in app_pages/ (not pages/, which would switch on Streamlit's legacy auto-discovery).
Who is looking decides the navigation: partner users land on their own scorecard and never see the
administration pages; only admins see Access. Links still work across roles: the default page's
own name (/overview, or /scorecard for a partner) opens the default page with the link's partner
and period, and a page the role does not include says so in one line instead of Streamlit's
"Page not found".
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import boundary, filters, language, source, style, warm
from ui.language import N_, _

# The favicon is the app's own file: a ":material/...:" page icon is fetched from a Google font host.
FAVICON = Path(__file__).parent / "assets" / "favicon.png"
st.set_page_config(page_title="Overflow SLA", page_icon=str(FAVICON), layout="wide")
style.inject()


def page(file: str, title: str, icon: str, *, default: bool = False) -> st.Page:
    """A page served at its file's name; the default page is served at the root (its url_path is '')."""
    return st.Page(f"app_pages/{file}", title=_(title), icon=icon, url_path="" if default else Path(file).stem,
                   default=default)


def hidden(file: str, name: str, title: str) -> st.Page:
    """A page left out of the menu that a link by `name` still reaches."""
    return st.Page(f"app_pages/{file}", title=title, url_path=name, visibility="hidden")


# The pages that use the sidebar's period ("" is the default page: Overview, or a partner's scorecard).
PERIOD_PAGES = {"", "overview", "scorecard", "availability", "quality"}
ADMINISTRATION = {"agreements.py": (N_("Agreements"), ":material/handshake:"), "data.py": (N_("Data"), ":material/database:"),
                  "access.py": (N_("Access"), ":material/lock:"), "alerts.py": (N_("Alerts"), ":material/notifications:"),
                  "subscriptions.py": (N_("Subscriptions"), ":material/outgoing_mail:")}
ADMINS_ONLY = ["access.py", "alerts.py", "subscriptions.py"]


def run() -> None:
    """The reader's language first, before anything is drawn; who is looking decides the navigation;
    then the page chosen runs."""
    language.start()
    src = source.read()
    warm.start(src)
    home = "scorecard.py" if src.scope.is_partner else "overview.py"
    allowed = [] if src.scope.is_partner else ["agreements.py", "data.py", *(ADMINS_ONLY if src.scope.can_admin else [])]
    partner_pages = [
        page(file, title, icon, default=file == home)
        for file, title, icon in (
            ("overview.py", N_("Overview"), ":material/dashboard:"),
            ("scorecard.py", N_("Partner scorecard"), ":material/scoreboard:"),
            ("availability.py", N_("Availability"), ":material/schedule:"),
            ("quality.py", N_("Quality"), ":material/verified:"),
            ("meetings.py", N_("Service meetings"), ":material/groups:"),
            ("credits.py", N_("Credits and invoices"), ":material/payments:"),
        )
    ]
    st.session_state["_home"] = next(p for p in partner_pages if p.url_path == "")
    links = [
        hidden("home_link.py", Path(home).stem, st.session_state["_home"].title),
        *(hidden("no_access.py", Path(file).stem, _(title)) for file, (title, _icon) in ADMINISTRATION.items()
          if file not in allowed),
    ]
    navigation = st.navigation(
        {
            _("Partners"): [*partner_pages, *links],
            **({_("Administration"): [page(file, *ADMINISTRATION[file]) for file in allowed]} if allowed else {}),
        }
    )
    filters.sidebar(src, uses_period=navigation.url_path in PERIOD_PAGES)
    navigation.run()


# The error boundary holds the whole run: the navigation and sidebar (a damaged database is met
# there first) and the page itself; the run's reads share one open of the database.
with boundary.boundary(), source.one_reader():
    run()
