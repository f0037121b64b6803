"""Access (admins only): who may sign in and as what, and the audit log of every change.

Grant and revoke run as widget callbacks, before the page body, so the tables below always show
the state after the change.
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from data import audit, store
from data.errors import UserError
from data.store import Connection
from partners import access
from ui import columns, signin, source

scope = signin.current_scope()
st.title("Access")
if not scope.can_admin:
    st.error("Only administrators manage access.")
    st.stop()


def _change(write: Callable[[Connection], str]) -> None:
    """Run one access change in its own transaction; keep its outcome to show below."""
    try:
        with store.writing() as con:
            st.session_state["access_outcome"] = ("success", write(con))
    except UserError as error:
        st.session_state["access_outcome"] = ("error", str(error))


def _grant() -> None:
    role, partner = st.session_state["grant_role"], st.session_state["grant_partner"]

    def write(con: Connection) -> str:
        g = access.grant(con, st.session_state["grant_email"], role, partner if role == "partner" else None,
                         actor=scope.email)
        return f"Granted {g.email}: {access.describe_role(g.role, g.partner_name)}."

    _change(write)


def _revoke() -> None:
    email = st.session_state["revoke_email"]
    if email is None:
        st.session_state["access_outcome"] = ("error", "Choose the grant to revoke first.")
        return

    def write(con: Connection) -> str:
        access.revoke(con, email, actor=scope.email)
        return f"Revoked {email}."

    _change(write)


if not signin.auth_configured():
    st.info("Sign-in is off (local mode): these grants take effect once an [auth] section is added to "
            ".streamlit/secrets.toml (see the README).")
if "access_outcome" in st.session_state:
    kind, message = st.session_state.pop("access_outcome")
    (st.success if kind == "success" else st.error)(message)

tz = source.read().tz
with store.reading() as con:
    grants = access.list_grants(con, tz)
    partner_names = access.partner_names(con)
    log = audit.recent(con, tz=tz)

st.subheader("Who has access")
grants_frame = pd.DataFrame(
    [(g.email, g.role, g.partner_name or "all partners", g.granted_at, g.granted_by) for g in grants],
    columns=["email", "role", "partner", "granted", "granted by"],
)
st.dataframe(grants_frame, key="grants", hide_index=True, column_config=columns.config(grants_frame))
st.caption(f"Times in {tz}.")

grant_tab, revoke_tab = st.tabs(["Grant", "Revoke"])
with grant_tab, st.form("grant_form", clear_on_submit=True):
    st.text_input("Email", key="grant_email")
    st.selectbox("Role", access.ROLES, key="grant_role",
                 help="admin: everything; manager: all partners, no access administration; partner: its own partner only")
    st.selectbox("Partner (partner role only)", [None, *partner_names], key="grant_partner")
    st.form_submit_button("Grant", key="grant_submit", on_click=_grant)

with revoke_tab:
    others = [g.email for g in grants if g.email != scope.email]
    st.selectbox("Email", others, key="revoke_email", index=None, placeholder="choose a grant to revoke")
    st.button("Revoke", key="revoke_submit", on_click=_revoke,
              disabled=not others)
    st.caption("Your own grant is not listed: revoking it here would lock you out (the CLI can).")

st.subheader("Audit log")
st.caption(f"Agreement changes, imports, access changes and meeting edits: who, when and what. Times in {tz}.")
log_frame = pd.DataFrame(log, columns=["when", "who", "what", "detail"])
st.dataframe(log_frame, key="audit_log", hide_index=True, column_config=columns.config(log_frame))
