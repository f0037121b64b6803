"""Partner scorecard: one partner, a week or a month: the partner's side (volume, availability, the
customer's call, quality) and the centre's side of the agreement."""
from __future__ import annotations

import streamlit as st

from reports import charts, views
from ui import loaders, render

src, f = render.metric_page("Partner scorecard", needs_partner=True)

card = loaders.scorecard(src, f.partner_id, f.period)
st.caption(f"**{views.plain(card.name)}** · {f.period.named} · change against the previous {f.period.grain} · times in {src.tz}")
if card.note:
    st.info(card.note, icon=":material/call_split:")
render.scorecard_downloads(src, f.partner_id, f.partner, f.period)

render.scorecard_sections(card)
with st.expander("The figures as a table"):
    render.table("scorecard_figures", loaders.figures_table, src, f.partner_id, f.period)

st.header(views.trend_heading(f.period))
left, right = st.columns(2)
with left:
    render.chart(charts.volume_share_band, "volume_share", loaders.trend, src, f.partner_id, f.period, "volume_share", has_data="value")
with right:
    render.chart(charts.forecast_vs_sent, "forecast", loaders.forecast_weeks, src, f.partner_id, f.period, has_data="forecast",
                 empty=f"No forecast in {views.trend_span(f.period)}: import one to see forecast against legs sent.")
render.trend_charts(src, f.partner_id, f.period, ("service_level", "abandon_rate", "asa_s", "transfer_back_rate"), "trend")
st.caption("Quality trends (QA, FCR, CSAT, NPS) are on the Quality page.")

st.header(f"Service level by weekday and hour, {f.period.named}")
render.chart(charts.sl_heatmap, "sl_heatmap", loaders.heatmap, src, f.partner_id, f.period)

st.header("Staffing: agents needed (Erlang C) against logged in")
render.chart(charts.staffing, "staffing", loaders.staffing, src, f.partner_id, f.period)
