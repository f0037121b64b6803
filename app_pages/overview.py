"""Overview: every partner for the chosen period, one row each, with in-house as the benchmark."""
from __future__ import annotations

import streamlit as st

from reports import views
from ui import loaders, render

src, f = render.metric_page("Overview", needs_partner=False)
st.caption(f"{f.period.named} · times in {src.tz}")

st.markdown(
    "Per figure: the value, the sample behind quality figures (n), and the status against the agreement "
    "in force (✔ met, ▲ near, ✖ missed, ◆ excused: met once the days the centre sent more than forecast, with the "
    "partner staffed as contracted, are left out, – no data, · no target)."
)
render.table("overview", loaders.overview_table, src, f.period)

st.subheader(views.HEADINGS["centre"])
st.caption(views.SECTION_NOTES["centre"] + " The minimums and the agreed in-house wait show only where the "
           "agreement sets them.")
render.table("overview_centre", loaders.centre_table, src, f.period,
             empty="No partner in your scope yet: add one on the Agreements page.")
