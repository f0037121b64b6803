"""Partner scorecard: one partner, a week or a month: the partner's side (volume, availability, the
customer's call, quality) and the centre's side of the agreement."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from reports import charts, views
from ui import loaders, render

src, f = render.metric_page(_("Partner scorecard"), needs_partner=True)

card = loaders.scorecard(src, f.partner_id, f.period)
changes = (_("**{partner}** · {period} · change against the previous week · times in {zone}") if f.period.grain == "week"
           else _("**{partner}** · {period} · change against the previous month · times in {zone}"))
st.caption(changes.format(partner=views.plain(card.name), period=f.period.named, zone=src.tz))
if card.note:
    st.info(card.note, icon=":material/call_split:")
render.scorecard_downloads(src, f.partner_id, f.partner, f.period)

render.scorecard_sections(card)
with st.expander(_("The figures as a table")):
    render.table("scorecard_figures", loaders.figures_table, src, f.partner_id, f.period)

st.header(views.trend_heading(f.period))
left, right = st.columns(2)
with left:
    render.chart(charts.volume_share_band, "volume_share", loaders.trend, src, f.partner_id, f.period, "volume_share", has_data="value")
with right:
    render.chart(charts.forecast_vs_sent, "forecast", loaders.forecast_weeks, src, f.partner_id, f.period, has_data="forecast",
                 empty=_("No forecast in {span}: import one to see forecast against legs sent.").format(
                     span=views.trend_span(f.period)))
render.trend_charts(src, f.partner_id, f.period, ("service_level", "abandon_rate", "asa_s", "transfer_back_rate"), "trend")
st.caption(_("Quality trends (QA, FCR, CSAT, NPS) are on the Quality page."))

st.header(_("Service level by weekday and hour, {period}").format(period=f.period.named))
render.chart(charts.sl_heatmap, "sl_heatmap", loaders.heatmap, src, f.partner_id, f.period)

st.header(_("Staffing: agents needed (Erlang C) against logged in"))
render.chart(charts.staffing, "staffing", loaders.staffing, src, f.partner_id, f.period)
