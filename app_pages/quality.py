"""Quality: QA by form section against in-house, the evaluations behind it, calibration, FCR,
transfers back and surveys, each with the number of evaluations or answers beside it."""
from __future__ import annotations

import streamlit as st

from app_pages import common
from metrics import charts

src, f = common.metric_page("Quality", needs_partner=True)

card = common.scorecard(src, f.partner_id, f.period)
st.caption(f"**{card.name}** · {f.period.label} · n = the evaluations or answers behind a figure")
common.kpi_row(card.quality)

st.subheader("QA score by form section, against in-house")
sections = common.qa_sections(src, f.partner_id, f.partner, f.period)
common.chart(charts.qa_by_section, sections, "qa_sections", empty="No QA evaluations in this period.")

st.subheader("The evaluations")
common.table(common.qa_evaluations(src, f.partner_id, f.period), "qa_evaluations", empty="No QA evaluations in this period.")

st.subheader("Calibration spread per evaluator")
spread = common.calibration(src, f.partner_id, f.period)
common.chart(charts.calibration_spread, spread, "calibration", empty="No calibration sessions in this period.")

st.header("13-week trends")
common.trend_charts(common.quality_trends(src, f.partner_id, f.period), ("qa_score", "fcr", "csat_top2", "nps"), "quality_trend")
common.trend_charts(common.availability_trends(src, f.partner_id, f.period), ("transfer_back_rate",), "transfer_trend")
