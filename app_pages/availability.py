"""Availability: every partner's 15-minute intervals: service level per interval, in or out of target."""
from __future__ import annotations

import streamlit as st

from app_pages import common
from metrics import charts, views

src, f = common.metric_page("Availability", needs_partner=False)

st.caption(
    f"{f.period.label} · intervals inside each partner's opening hours · a weekly average hides the hours "
    f"a partner was not there: this page shows them · times in {src.tz}"
)
points = common.intervals(src, f.period)
st.subheader("Intervals in and out of target")
common.table(views.attainment_summary(points, common.overview(src, f.period)), "availability_summary")
common.chart(charts.interval_attainment, points, "intervals")

if f.partner_id is not None:
    st.subheader(f"{f.partner}: agents needed against logged in")
    staffing = common.staffing(src, f.partner_id, f.period)
    common.chart(charts.staffing, staffing, "availability_staffing")
