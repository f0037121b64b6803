"""Availability: every partner's 15-minute intervals: service level per interval, in or out of target."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from reports import charts, views
from ui import loaders, render

src, f = render.metric_page(_("Availability"), needs_partner=False)

st.caption(_(
    "{period} · intervals inside each partner's opening hours · a weekly average hides the hours "
    "a partner was not there: this page shows them · times in {zone}"
).format(period=f.period.named, zone=src.tz))
st.subheader(_("Intervals in and out of target"))
render.table("availability_summary", loaders.availability_summary, src, f.period)
if not src.scope.is_partner:
    st.subheader(_("In-house queues one by one"))
    st.caption(_("The benchmark's queues each on their own: legs offered and answered, and their availability "
                 "(service level in the settings' T and S, as `python -m cli metrics --by queue`)."))
    render.table("in_house_queues", loaders.in_house_queues, src, f.period,
                 empty=_("No in-house queue held legs in this period."))
st.subheader(_("Service level per 15-minute interval"))
render.interval_charts(src, f.period)

if f.partner_id is not None:
    st.subheader(_("{partner}: agents needed against logged in").format(partner=views.plain(f.partner)))
    render.chart(charts.staffing, "availability_staffing", loaders.staffing, src, f.partner_id, f.period)
