"""Quality: QA by form section against in-house, the evaluations behind it and who sampled them,
calibration, FCR, transfers back and surveys, each with the number of evaluations or answers beside it."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from reports import charts, views
from ui import loaders, render, sampling

src, f = render.metric_page(_("Quality"), needs_partner=True)

card = loaders.quality_card(src, f.partner_id, f.period)
st.caption(_("**{partner}** · {period} · n = the evaluations or answers behind a figure").format(
    partner=views.plain(card.name), period=f.period.named))
render.kpi_row(card.family("quality"))

st.subheader(_("QA score by form section") if src.scope.is_partner else _("QA score by form section, against in-house"))
render.chart(charts.qa_by_section, "qa_sections", loaders.qa_sections, src, f.partner_id, f.partner, f.period,
             empty=_("No QA evaluations in this period."))

st.subheader(_("The evaluations"))
render.agent_level(src, f.partner, f"Quality page, the evaluations of {f.period.label}", loaders.qa_evaluations, src, f.partner_id, f.period)
render.table("qa_evaluations", loaders.qa_evaluations, src, f.partner_id, f.period,
             empty=_("No QA evaluations in this period."))

st.subheader(_("Who sampled what"))
sampling.show(src, f.partner_id, f.period)

st.subheader(_("Calibration spread per evaluator"))
render.chart(charts.calibration_spread, "calibration", loaders.calibration, src, f.partner_id, f.period,
             empty=_("No calibration sessions in this period."))

st.header(views.trend_heading(f.period))
render.trend_charts(src, f.partner_id, f.period, ("qa_score", "fcr", "transfer_back_rate", "csat_top2", "nps"), "quality_trend")
