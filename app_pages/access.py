"""Access (admins only): who may sign in and as what, and the audit log of every change.

Grant and revoke run as widget callbacks, before the page body, so the tables below always show
the state after the change.
"""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from ui import forms, loaders, render, signin, source

scope = signin.current_scope()
st.title(_("Access"))
if not scope.can_admin:
    st.error(_("Only administrators manage access."))
    st.stop()

if not signin.auth_configured():
    st.info(_("Sign-in is off (local mode): these grants take effect once an [auth] section is added to "
              ".streamlit/secrets.toml (see the README)."))
forms.outcome("access_outcome")

src = source.read()
lists = loaders.access_lists(src)
st.subheader(_("Who has access"))
render.plain_table("grants", lists.grants)
st.caption(_("Times in {zone}.").format(zone=src.tz))

grant_tab, revoke_tab = st.tabs([_("Grant"), _("Revoke")])
with grant_tab:
    forms.grant_form(src, lists.partners)
with revoke_tab:
    forms.revoke_form(src, lists.revocable)
    st.caption(_("Your own grant is not listed: revoking it here would lock you out (the CLI can)."))

st.subheader(_("Audit log"))
st.caption(_("Agreement changes, imports, access changes and meeting edits: who, when and what. Times in {zone}.")
           .format(zone=src.tz))
render.plain_table("audit_log", lists.log)
