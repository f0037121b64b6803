"""Credits: a closed month's commercial record (credits, bonuses, invoice check), its disputes and files."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from reports import views
from ui import commercial as ui
from ui import filters, render, source

src, f = source.current(), filters.chosen()
st.title(_("Credits and invoices"))
if f.partner_id is None:
    render.empty_state(_("There are no partners yet."), hint=_(render.PARTNER_HINT))
    st.stop()

closed = ui.closed_months(src, f.partner_id)
if src.scope.takes_minutes:
    ui.close_form(src, f.partner_id, f.partner, closed)
month = ui.pick_month(src, f.partner_id)
if month is None:
    render.empty_state(_("No month of {partner} is closed yet.").format(partner=views.plain(f.partner)),
                       hint=_("The centre closes a month once it has ended; its record is computed from the frozen "
                              "figures."))
    st.stop()

record = ui.month_record(src, f.partner_id, month)
ui.downloads(src, f.partner_id, f.partner, month)
ui.show_record(record)
st.header(_("Dispute a figure"))
ui.dispute_form(src, f.partner_id, record)
if src.scope.takes_minutes:
    ui.decide_form(src, record)
