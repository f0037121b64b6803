"""Agreements: each partner's agreement and opening-hours versions with their validity, and (admins) new versions."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from reports import views
from ui import filters, forms, loaders, render, source

src = source.current()
f = filters.chosen()
st.title(_("Agreements"))

if f.partner_id is None:
    if src.scope.can_admin:
        render.empty_state(_("There are no partners yet."), hint=_("Add the first one here (or build demo data with "
                                                                   "`python -m cli demo` and reload)."))
        forms.partner_form(src)
    else:
        render.empty_state(_("There are no partners yet."), hint=_(render.PARTNER_HINT))
    st.stop()

st.caption(_(
    "{partner}: a version applies from its first day until the next version's first day. "
    "Versions are never changed or deleted; a change is a new version, so past weeks stay judged by what was agreed then."
).format(partner=views.plain(f.partner)))
render.table("agreement_history", loaders.agreement_history, src, f.partner_id,
             empty=_("{partner} has no agreement yet, so its figures have no status.").format(partner=views.plain(f.partner)))

if src.scope.can_admin:
    st.subheader(_("Add a version"))
    forms.agreement_form(src, f.partner_id, f.partner)

st.subheader(_("Opening hours"))
st.caption(_(
    "Intervals that start inside these hours (local time of the partner's queues) count for interval SL attainment. "
    "Like agreements, a version applies from its first day until the next one's; before its first version a partner "
    "counts as open around the clock."
))
render.table("hours_history", loaders.hours_history, src, f.partner_id,
             empty=_("{partner} has no opening hours, so every interval counts.").format(partner=views.plain(f.partner)))
if src.scope.can_admin:
    forms.hours_form(src, f.partner_id, f.partner)

st.subheader(_("Credit and bonus rules"))
st.caption(_(
    "What a miss of a figure costs and a beat earns, per version: a month's record (the Credits page) applies the "
    "rules of the version in force on its last day. A rule is added as a new version with the targets in force then."
))
render.table("credit_rules", loaders.credit_rules, src, f.partner_id,
             empty=_("{partner}'s agreements set no credit rules, so a miss costs nothing in its records.")
             .format(partner=views.plain(f.partner)))
if src.scope.can_admin:
    forms.rule_form(src, f.partner_id, f.partner)

if src.scope.can_admin:
    st.subheader(_("Add a partner"))
    forms.partner_form(src)
