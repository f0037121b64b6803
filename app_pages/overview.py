"""Overview: the open alerts first, then every partner for the chosen period, one row each, with in-house as
the benchmark; each miss in one line that says where it was lost; the centre's side as its own matrix."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from reports import views
from ui import alerts, loaders, matrix, render

src, f = render.metric_page(_("Overview"), needs_partner=False)
st.caption(_("{period} · times in {zone} · a partner's name opens its scorecard; "
             "a cell's hover shows its status, target and sample").format(period=f.period.named, zone=src.tz))
alerts.open_alerts_first(src)
matrix.show(loaders.overview_matrix(src, f.period, views.OVERVIEW_METRICS), views.OVERVIEW_METRICS, f.period,
            _("The partner's side"))
st.markdown(_("**What was missed, and where**"))
matrix.misses(loaders.overview_misses(src, f.period))
render.table_download("overview", loaders.overview_table, src, f.period)
render.all_scorecards_download(src, f.period)

st.subheader(_(views.HEADINGS["centre"]))
st.caption(_("{note} The minimums and the agreed in-house wait show only where the agreement sets them.")
           .format(note=_(views.SECTION_NOTES["centre"])))
centre = loaders.overview_matrix(src, f.period, views.CENTRE_METRICS)
if centre:
    matrix.show(centre, views.CENTRE_METRICS, f.period, _("The centre's side"))
    render.table_download("overview_centre", loaders.centre_table, src, f.period)
else:
    render.empty_state(_("No partner in your scope yet: add one on the Agreements page."))
st.caption(_("Status: {legend}").format(legend=views.legend()))
