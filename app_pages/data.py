"""Data: upload a file (same profiles and rules as the CLI), import history, rejected rows, freshness."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from ui import forms, loaders, render, source

src = source.current()
st.title(_("Data"))
if not loaders.has_calls(src):
    render.empty_state(_("There are no call legs yet."), hint=(
        _("Import a call-leg file below, or build demo data with `python -m cli demo` and reload.") if src.scope.can_admin
        else _("An admin imports them here, or builds demo data with `python -m cli demo`.")))

if src.scope.can_admin:
    st.subheader(_("Import a file"))
    forms.upload_form(src)
    with st.expander(_("Rename or merge a queue")):
        st.caption(_("A merge moves every leg, QA evaluation, survey answer and staffing row of one queue to another "
                     "and deletes the first (a typo an import created); legs with a call id the other queue holds are "
                     "dropped as duplicates, keeping the earlier import's. All or nothing; the figures are rebuilt."))
        forms.queue_form(src)

st.subheader(_("Import history"))
history = loaders.import_history(src)
render.table("import_history", loaders.import_history, src, empty=_("No imports yet."), hint="")

if not loaders.queue_log_waiting(src).empty:
    st.subheader(_("Queue-log legs waiting for their other file"))
    st.caption(_("Calls split across rotated queue_log files: their lines are kept, in no figure, until the file "
                 "with the missing half is imported (end: a later file; start: an earlier one)."))
    render.table("queue_log_waiting", loaders.queue_log_waiting, src)

st.subheader(_("Rejected rows"))
st.caption(_("Rows an import could not take, with the reason. Fix them in the file and import it again."))
batch = st.selectbox(
    _("Import"), [None, *history["batch_id"].tolist()], key="rejected_batch",
    format_func=lambda b: _("all imports (latest first)") if b is None else _("import {number}").format(number=b),
)
render.table("rejected_rows", loaders.rejected_rows, src, batch, empty=_("No rejected rows."), hint="")

st.subheader(_("Freshness per queue"))
render.freshness_line(loaders.freshness(src))
render.table("freshness", loaders.freshness, src, empty=_("No queues yet."), hint="")
