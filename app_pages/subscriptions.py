"""Subscriptions (admins only): who gets scorecard files, alerts and the digest, and the delivery log."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from ui import alerts, signin, source

scope = signin.current_scope()
st.title(_("Subscriptions"))
if not scope.can_admin:
    st.error(_("Only administrators manage subscriptions."))
    st.stop()

src = source.read()
alerts.outcome()
subscribed = alerts.subscriptions_table(src)
alerts.table_or_empty("subscriptions", subscribed, _("Nobody subscribes yet: add an address below."))
add_tab, remove_tab = st.tabs([_("Subscribe"), _("Unsubscribe")])
with add_tab:
    alerts.subscription_form(src, alerts.partner_names(src))
with remove_tab:
    alerts.unsubscribe_form(src, subscribed["address"].drop_duplicates().tolist())
st.caption(_("Scorecards are mailed by python -m cli scorecards --period last-week --send (a weekly cron job), the "
             "digest by python -m cli alerts digest (daily), alerts as they are raised and cleared."))

st.subheader(_("Delivery log"))
st.caption(_("Every message handed to the mail server or a webhook: sent (the server took it) or failed, with why. "
             "Times in {zone}.").format(zone=src.tz))
alerts.table_or_empty("deliveries", alerts.delivery_log(src), _("Nothing was sent yet."))
