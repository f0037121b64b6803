"""Alerts (admins only): the alerts still open, acknowledging them, and the rules that raise them."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from ui import alerts, signin, source

scope = signin.current_scope()
st.title(_("Alerts"))
if not scope.can_admin:
    st.error(_("Only administrators manage alerts."))
    st.stop()

src = source.read()
alerts.outcome()
st.subheader(_("Open alerts"))
alerts.alerts_section(src)

st.subheader(_("Rules"))
rules = alerts.rules_table(src)
alerts.table_or_empty("alert_rules", rules, _("No rules yet: add one below."))
add_tab, remove_tab = st.tabs([_("Add a rule"), _("Remove a rule")])
with add_tab:
    alerts.rule_form(src, alerts.partner_names(src))
with remove_tab:
    alerts.remove_rule_form(src, rules["rule"].tolist())
st.caption(_("Rules are judged after every import and with python -m cli alerts check, over the last 7 days of data."))
