"""The Credits page's loaders, forms and render helpers: the month's commercial record, its close,
its disputes and its files. Loaders take the hashable `Source` plus plain values; no SQL here.

Every read passes the viewer's scope, so a partner user reads, disputes and downloads only its own
partner's record; accepting, rejecting and closing are the centre's.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from commercial import closes, disputes, record
from commercial.record import Record
from data import clock, store
from data.errors import UserError
from data.i18n import N_, _
from partners import periods
from reports import exports, finance, frames, views
from ui import forms, inputs, render
from ui.source import Source, callback, per_partner

# The ended months the centre may close: this many back from last month.
CLOSABLE_MONTHS = 12


@per_partner
def closed_months(src: Source, partner_id: int) -> list[str]:
    with store.reading(src.db) as con:
        return [m.label for m in closes.closed_months(con, partner_id)]


def open_months(src: Source, closed: list[str]) -> list[str]:
    """The ended months not yet closed, newest first (what the centre may close)."""
    last = record.shifted(periods.month(clock.today(src.tz)), -1)
    months = [record.shifted(last, -k).label for k in range(CLOSABLE_MONTHS)]
    return [m for m in months if m not in closed]


@per_partner
def month_record(src: Source, partner_id: int, month: str) -> Record:
    """The closed month's record with today's figures of the month beside it."""
    with store.reading(src.db) as con:
        return finance.record_for(con, partner_id, closes.month_of(month), src.scope.partner_ids)


@per_partner
def pack_sections(src: Source, partner_id: int, period: periods.Period) -> tuple[exports.Section, ...]:
    """The commercial records a meeting pack of `period` carries (reports.finance.pack_sections)."""
    with store.reading(src.db) as con:
        return finance.pack_sections(con, partner_id, period, src.scope.partner_ids)


def pick_month(src: Source, partner_id: int) -> str | None:
    closed = closed_months(src, partner_id)
    if not closed:
        return None
    return st.selectbox(_("Closed month"), closed, key=f"credits_month_{partner_id}")


def _shown(table: exports.Table) -> pd.DataFrame:
    return table.shown if table.shown is not None else table.frame


def _table(table: exports.Table, key: str) -> None:
    """The table as read (amounts to the cent, statuses in words) with its CSV underneath, which keeps
    machine names and plain numbers like every CSV of the app."""
    st.subheader(_(table.title))
    frame = _shown(table)
    if not frame.empty:
        render.dataframe(frame, key)
        render.download(exports.csv_bytes(table.frame.rename(columns=lambda c: str(c).replace(" ", "_"))), key)
    if table.note:
        st.caption(views.plain(table.note))


def show_record(rec: Record) -> None:
    """The record read top to bottom: the totals, each figure's line, earn-backs, invoice, disputes."""
    for section in finance.record_sections(rec):
        st.header(_(section.heading))
        if section.text:
            st.caption(views.plain(section.text))
        for table in section.tables:
            _table(table, "credits_" + (table.sheet or table.title).lower().replace(" ", "_"))


def downloads(src: Source, partner_id: int, partner: str, month: str) -> None:
    """The record as PDF and Excel, each made only when its button is clicked."""
    def document() -> exports.Document:
        return finance.record_document(month_record(src, partner_id, month))

    render.file_downloads(_("the record"), f"{exports.file_stem(partner)}_credits_{month}", "credits",
                          lambda: exports.to_pdf(document()), lambda: exports.to_xlsx(document()))


# --- the centre closes a month -------------------------------------------------------------------

def close_form(src: Source, partner_id: int, partner: str, closed: list[str]) -> None:
    choices = open_months(src, closed)
    if not choices:
        forms.outcome("close_outcome")
        return
    with st.form(f"close_{partner_id}"):
        st.selectbox(_("Month to close"), choices, key=f"close_month_{partner_id}")
        st.caption(_("Closing freezes the month's figures, its 15-minute counts and our counts of the billing units: "
                     "later imports show as differences beside the record, never change it."))
        st.form_submit_button(_("Close the month"), key=f"close_submit_{partner_id}", type="primary",
                              on_click=_close, args=(src, partner_id, partner))
    forms.outcome("close_outcome")


@callback
def _close(src: Source, partner_id: int, partner: str) -> None:
    month = closes.month_of(st.session_state[f"close_month_{partner_id}"])
    try:
        with store.writing(src.db) as con:
            closes.close_month(con, partner_id, month, frames.snapshot(con, partner_id, month, src.tz, with_series=False),
                               src.scope.email)
    except UserError as error:
        st.session_state["close_outcome"] = ("error", str(error))
        return
    st.session_state["close_outcome"] = ("success", _("Closed {month} for {partner}.").format(month=month.label,
                                                                                          partner=partner))
    st.session_state[f"credits_month_{partner_id}"] = month.label


# --- disputes -------------------------------------------------------------------------------------

def dispute_form(src: Source, partner_id: int, rec: Record) -> None:
    """Raise a dispute of one figure, whole or over a span (the partner's, or the centre for it)."""
    labels = {line.label: line.metric for line in rec.lines}
    key = f"dispute_{partner_id}_{rec.month.label}"
    with st.form(key):
        st.selectbox(_("Figure"), list(labels), key=f"{key}_figure", format_func=_)
        inputs.text(_("Reason"), f"{key}_reason", _("IVR down 10:00-10:45"))
        left, right = st.columns(2)
        inputs.text(_("Span from (local time, {zone}; empty: the whole figure)").format(zone=src.tz), f"{key}_from",
                    "2026-11-12 10:00", where=left)
        inputs.text(_("Span to"), f"{key}_to", "2026-11-12 10:45", where=right)
        st.form_submit_button(_("Raise the dispute"), key=f"{key}_submit", on_click=_raise,
                              args=(src, partner_id, rec.month.label, labels, key))
    forms.outcome("dispute_outcome")


@callback
def _raise(src: Source, partner_id: int, month: str, labels: dict[str, str], key: str) -> None:
    state = st.session_state
    first, last = (state[f"{key}_from"] or "").strip(), (state[f"{key}_to"] or "").strip()
    try:
        if bool(first) != bool(last):
            raise UserError(_("a span needs both its start and its end (or neither, to dispute the whole figure)"))
        with store.writing(src.db) as con:
            span = disputes.local_span(first, last, src.tz) if first else None
            dispute_id = disputes.raise_dispute(con, src.scope, partner_id, closes.month_of(month),
                                                labels[state[f"{key}_figure"]], state[f"{key}_reason"], span)
    except UserError as error:
        state["dispute_outcome"] = ("error", str(error))
        return
    state["dispute_outcome"] = ("success", _("Raised dispute {id}: the centre accepts or rejects it.").format(
        id=dispute_id))


def decide_form(src: Source, rec: Record) -> None:
    """Accept or reject an open dispute with a note (the centre's)."""
    waiting = [d for d in rec.settled.disputes if d.status == disputes.OPEN]
    if not waiting:
        forms.outcome("decide_outcome")
        return
    key = f"decide_{rec.partner_id}_{rec.month.label}"
    with st.form(key):
        st.selectbox(_("Open dispute"), [d.dispute_id for d in waiting], key=f"{key}_id",
                     format_func=lambda i: next(f"{d.dispute_id}: {d.metric}: {d.reason}" for d in waiting
                                                if d.dispute_id == i))
        st.radio(_("Decision"), disputes.DECISIONS, horizontal=True, key=f"{key}_decision",
                 format_func=lambda decision: _(DECISIONS.get(decision, decision)))
        inputs.text(_("Note (the partner reads it)"), f"{key}_note", _("the IVR log shows the outage; credit waived"))
        st.form_submit_button(_("Decide"), key=f"{key}_submit", on_click=_decide, args=(src, key))
    forms.outcome("decide_outcome")


# A dispute's decision and status as the reader reads them (the values stay the stored ones).
DECISIONS = {"accepted": N_("accepted"), "rejected": N_("rejected"), "accept": N_("accept"), "reject": N_("reject"),
             "open": N_("open")}


@callback
def _decide(src: Source, key: str) -> None:
    state = st.session_state
    try:
        with store.writing(src.db) as con:
            decided = disputes.decide(con, src.scope, state[f"{key}_id"], state[f"{key}_decision"],
                                      state[f"{key}_note"] or "")
    except UserError as error:
        state["decide_outcome"] = ("error", str(error))
        return
    state["decide_outcome"] = ("success", _("Dispute {id} {status}.").format(
        id=decided.dispute_id, status=_(DECISIONS.get(decided.status, decided.status))))
