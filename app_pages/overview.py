"""Overview: the open alerts first, then every partner for the chosen period, one row each, with
in-house as the benchmark."""
from __future__ import annotations

import streamlit as st

from ui import alerts, loaders, render

src, f = render.metric_page("Overview", needs_partner=False)
st.caption(f"{f.period.named} · times in {src.tz}")
alerts.open_alerts_first(src)

st.markdown(
    "Per figure: the value, the sample behind quality figures (n), and the status against the agreement "
    "in force (✔ met, ▲ near, ✖ missed, ◆ excused: met once the days the centre sent more than forecast, with the "
    "partner staffed as contracted, are left out, – no data, · no target)."
)
render.table("overview", loaders.overview_table, src, f.period)
