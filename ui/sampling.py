"""The Quality page's "Who sampled what" section: the sentences and warnings of reports.views over
metrics.sampling, and the spread of the evaluated calls against the answered ones as tables."""
from __future__ import annotations

import streamlit as st

from data.i18n import _
from partners import periods
from reports import frames, views
from ui import loaders, render
from ui.source import Source, cached


@cached
def show(src: Source, partner_id: int, period: periods.Period) -> None:
    """Cached as drawn: Streamlit replays what a cached function drew, so a rerun sends the section's
    lines and four tables again without building and converting them."""
    found = loaders.sampling(src, partner_id, period)
    for line in frames.sampling_lines(found):
        st.markdown(views.plain(line))
    for warning in frames.sampling_warnings(found):
        st.warning(views.plain(warning), icon=":material/warning:")
    if not found.evaluations:
        return
    tabs = st.tabs([_("Per agent"), *(_(name) for name in views.SAMPLING_GRAINS.values())])
    with tabs[0]:
        render.plain_table("sampling_agents", found.per_agent)
    for tab, grain in zip(tabs[1:], views.SAMPLING_GRAINS):
        with tab:
            render.plain_table(f"sampling_{grain}", frames.sampling_spread(found, grain))
