"""The Service meetings page's cached loaders, save action and render helpers.

Kept beside common.py (not in it) so the meeting page's pieces live together; they follow the same
rules: loaders take the hashable `Source` plus plain values and call partners/ and metrics/, no SQL.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages.common import Source, cached
from data import store
from metrics import periods, statuses
from metrics.periods import Period
from partners import exports, meetings
from partners.meetings import Meeting, Minutes, Snapshot


@cached
def past_meetings(src: Source, partner_id: int) -> list[Meeting]:
    with store.reading(src.db) as con:
        return meetings.list_meetings(con, partner_id, src.scope.partner_ids)


@cached
def proposed_period(src: Source, partner_id: int, today: dt.date) -> Period:
    with store.reading(src.db) as con:
        return meetings.propose_period(con, partner_id, today, src.scope.partner_ids)


@cached
def snapshot(src: Source, partner_id: int, period: Period) -> Snapshot:
    """Today's figures for a period (for a new meeting, or to set beside a frozen one)."""
    with store.reading(src.db) as con:
        return meetings.take_snapshot(con, partner_id, period, src.tz, src.scope.partner_ids)


@cached
def open_items(src: Source, partner_id: int) -> list[meetings.ActionItem]:
    with store.reading(src.db) as con:
        return meetings.open_items(con, partner_id, src.scope.partner_ids)


@cached
def meeting_items(src: Source, meeting_id: int) -> list[meetings.ActionItem]:
    with store.reading(src.db) as con:
        return meetings.meeting_items(con, meeting_id, src.scope.partner_ids)


@cached
def activities(src: Source, partner_id: int, period: Period) -> list[meetings.Activity]:
    with store.reading(src.db) as con:
        return meetings.activities(con, partner_id, period, src.scope.partner_ids)


def save(src: Source, partner_id: int, minutes: Minutes, shown: Snapshot) -> int:
    """Save the minutes with the figures the page showed (refused if the data moved since)."""
    with store.writing(src.db) as con:
        return meetings.save_meeting(con, partner_id, minutes, shown, src.scope.email, shown_version=src.version)


def meeting_label(meeting: Meeting) -> str:
    return f"{meeting.held_on:%Y-%m-%d} · period {meeting.period.label}"


# --- render helpers ------------------------------------------------------------------------------


def figures(shown: Snapshot, key: str) -> None:
    """Volume, availability and quality side by side with targets, statuses in words, in-house
    beside them, and the charts: the same tables and charts the PDF pack prints."""
    pictures = exports.charts_for(shown)
    for family, heading in exports.FAMILIES:
        st.subheader(heading)
        table = exports.figures_table(shown, family, heading)
        st.dataframe(table.shown, hide_index=True, width="stretch", key=f"{key}_{family}")
        columns = st.columns(2)
        for i, chart in enumerate(pictures.get(family, ())):
            with columns[i % 2]:
                st.altair_chart(chart.chart, width="stretch", key=f"{key}_{family}_chart_{i}")
    st.subheader("Weeks excused by volume above forecast")
    st.caption(exports.excused_table(shown).note)
    if shown.excused_weeks:
        st.markdown(" · ".join(f"{statuses.ICONS['excused']} **{w}**" for w in shown.excused_weeks))


def differences(frozen: Snapshot, current: Snapshot) -> None:
    """The frozen figures against today's data: only what moved, and how many did not."""
    rows = meetings.compare(frozen, current)
    moved = meetings.changed_only(rows)
    st.subheader("Differences against today's data")
    if not moved:
        st.success("Today's data gives the same figures as the meeting showed.", icon=":material/check:")
        return
    st.warning(
        f"{len(moved)} of {len(rows)} figures differ from what the meeting saw (late imports or corrections).",
        icon=":material/difference:",
    )
    st.dataframe(exports.differences_table(moved).shown, hide_index=True, width="stretch", key="differences")


def items(found: list[meetings.ActionItem], key: str, empty: str) -> None:
    if not found:
        st.caption(empty)
        return
    st.dataframe(exports.items_table(found, "", "").frame, hide_index=True, width="stretch", key=key)


def held(found: list[meetings.Activity], key: str) -> None:
    table = exports.activities_table(found)
    if found:
        st.dataframe(table.frame, hide_index=True, width="stretch", key=key)
    else:
        st.caption(table.note)


def downloads(document: exports.Document, stem: str, key: str) -> None:
    """PDF and Excel of the pack, built only when clicked (the PDF renders its charts)."""
    left, right = st.columns(2)
    with left:
        st.download_button("Download the pack (PDF)", lambda: exports.to_pdf(document), file_name=f"{stem}.pdf",
                           mime="application/pdf", key=f"{key}_pdf", icon=":material/picture_as_pdf:",
                           on_click="ignore")
    with right:
        st.download_button("Download the pack (Excel)", lambda: exports.to_xlsx(document), file_name=f"{stem}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key=f"{key}_xlsx", icon=":material/table_view:", on_click="ignore")


# --- the minutes form's editable tables ------------------------------------------------------------

NEW_ITEM_COLUMNS = {
    "title": st.column_config.TextColumn("title", width="large"),
    "owner": st.column_config.TextColumn("owner"),
    "side": st.column_config.SelectboxColumn("side", options=list(meetings.SIDES), default="partner"),
    "due": st.column_config.DateColumn("due"),
}
ACTIVITY_COLUMNS = {
    "kind": st.column_config.SelectboxColumn("kind", options=list(meetings.ACTIVITY_KINDS)),
    "date": st.column_config.DateColumn("date"),
    "participants": st.column_config.TextColumn("participants", width="large"),
    "notes": st.column_config.TextColumn("notes"),
}


def empty_rows(columns: dict, dates: tuple[str, ...]) -> pd.DataFrame:
    """No rows yet, with date columns typed as dates so the editor offers a date picker."""
    return pd.DataFrame({name: pd.Series(dtype="datetime64[s]" if name in dates else "string") for name in columns})


def status_rows(found: list[meetings.ActionItem]) -> pd.DataFrame:
    """The open items with a status to change (kept 'open' unless someone closes or drops it)."""
    return pd.DataFrame(
        {"item": pd.Series([i.item_id for i in found], dtype="Int64"),
         "title": pd.Series([i.title for i in found], dtype="string"),
         "owner": pd.Series([i.owner for i in found], dtype="string"),
         "due": pd.Series([i.due_on for i in found], dtype="datetime64[s]"),
         "status": pd.Series(["open"] * len(found), dtype="string"),
         "note": pd.Series([""] * len(found), dtype="string")}
    )  # typed even when empty: the editor refuses a text column over an empty float column


STATUS_COLUMNS = {
    "item": st.column_config.NumberColumn("item", disabled=True),
    "title": st.column_config.TextColumn("title", disabled=True, width="large"),
    "owner": st.column_config.TextColumn("owner", disabled=True),
    "due": st.column_config.DateColumn("due", disabled=True),
    "status": st.column_config.SelectboxColumn("status", options=list(meetings.STATUSES), required=True),
    "note": st.column_config.TextColumn("note"),
}


def today() -> dt.date:
    return dt.date.today()


def period_from(picked: tuple) -> Period | None:
    """The date_input's (first, last) days as a period, None while only one end is picked."""
    if len(picked) != 2:
        return None
    return periods.between(picked[0], picked[1] + dt.timedelta(days=1))

