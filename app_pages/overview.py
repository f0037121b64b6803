"""Overview: the open alerts first, then every partner for the chosen period, one row each, with in-house as
the benchmark; each miss in one line that says where it was lost; the centre's side as its own matrix."""
from __future__ import annotations

import streamlit as st

from reports import views
from ui import alerts, loaders, matrix, render

src, f = render.metric_page("Overview", needs_partner=False)
st.caption(f"{f.period.named} · times in {src.tz} · a partner's name opens its scorecard; "
           "a cell's hover shows its status, target and sample")
alerts.open_alerts_first(src)
matrix.show(loaders.overview_matrix(src, f.period, views.OVERVIEW_METRICS), views.OVERVIEW_METRICS, f.period,
            "The partner's side")
st.markdown("**What was missed, and where**")
matrix.misses(loaders.overview_misses(src, f.period))
render.table_download("overview", loaders.overview_table, src, f.period)
render.all_scorecards_download(src, f.period)

st.subheader(views.HEADINGS["centre"])
st.caption(views.SECTION_NOTES["centre"] + " The minimums and the agreed in-house wait show only where the "
           "agreement sets them.")
centre = loaders.overview_matrix(src, f.period, views.CENTRE_METRICS)
if centre:
    matrix.show(centre, views.CENTRE_METRICS, f.period, "The centre's side")
    render.table_download("overview_centre", loaders.centre_table, src, f.period)
else:
    render.empty_state("No partner in your scope yet: add one on the Agreements page.")
st.caption("Status: " + views.legend())
