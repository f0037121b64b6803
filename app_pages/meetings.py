"""Service meetings: prepare the next meeting with a partner, take the minutes, reopen past ones."""
from __future__ import annotations

import datetime as dt
import functools

import streamlit as st

from data.errors import UserError
from meetings import meetings
from partners import periods
from reports import exports
from ui import filters, render, source
from ui import meetings as ui

src, f = source.current(), filters.chosen()
st.title("Service meetings")
if f.partner_id is None:
    render.empty_state("There are no partners yet.", hint=render.PARTNER_HINT)
    st.stop()

past = ui.past_meetings(src, f.partner_id)
unknown = ui.follow_link(past)
if "saved_meeting" in st.session_state:  # just saved: reopen it (a widget's value is set before it is drawn)
    st.session_state["meeting"] = st.session_state.pop("saved_meeting")
if unknown:
    st.info(unknown, icon=":material/link_off:")
choice = st.selectbox(
    "Meeting", [None, *[m.meeting_id for m in past]], key="meeting",
    format_func=lambda i: "Next meeting (prepare and take minutes)" if i is None
    else ui.meeting_label(next(m for m in past if m.meeting_id == i)),
)
meeting = next((m for m in past if m.meeting_id == choice), None)
ui.keep_link(meeting, past)

if meeting is None:
    proposed = ui.proposal(src, f.partner_id, ui.today())
    picked = st.date_input(
        ui.period_label(proposed), (proposed.period.start, proposed.period.end - dt.timedelta(days=1)),
        key="meeting_period",
    )
    period = ui.period_from(picked)
    if period is None:
        st.info("Pick the last day of the period too.", icon=":material/date_range:")
        st.stop()
    st.caption(f"**{f.partner}** · period {period.text} · times in {src.tz}")
    carried = ui.open_items(src, f.partner_id)
    held = ui.activities(src, f.partner_id, period)
    ui.figures(src, f.partner_id, period, None, "now")
    seen_version = ui.drawn_version(src, f.partner_id, period)
    st.subheader("Action items still open from earlier meetings")
    ui.items(carried, "open_items", "No action item is open.")
    st.subheader("Training, co-listening and calibration in the period")
    ui.held(held, "activities")
    ui.downloads(functools.partial(ui.preparation, src, f.partner_id, f.partner, period),
                 f"{exports.file_stem(f.partner)}_preparation_{period.start}", "prep")

    if not src.scope.takes_minutes:
        st.caption("The centre takes the minutes; partner users see them once saved.")
        st.stop()
    st.header("Minutes")
    with st.form("minutes", enter_to_submit=False):
        held_on = st.date_input("Held on", ui.today(), key="held_on")
        attendees = st.text_input("Attendees", key="attendees", placeholder="names and roles, both sides")
        notes = st.text_area("Notes", key="notes")
        decisions = st.text_area("Decisions", key="decisions")
        st.markdown("**Open action items**: set done or dropped to close one (the change is recorded with this meeting)")
        changes = st.data_editor(ui.status_rows(carried), column_config=ui.STATUS_COLUMNS, hide_index=True,
                                 width="stretch", key="item_changes")
        st.markdown("**New action items**")
        new_items = st.data_editor(ui.empty_rows(ui.NEW_ITEM_COLUMNS, ("due",)), column_config=ui.NEW_ITEM_COLUMNS,
                                   num_rows="dynamic", hide_index=True, width="stretch", key="new_items")
        st.markdown("**Activities** (training, co-listening, calibration sessions)")
        new_activities = st.data_editor(ui.empty_rows(ui.ACTIVITY_COLUMNS, ("date",)),
                                        column_config=ui.ACTIVITY_COLUMNS, num_rows="dynamic", hide_index=True,
                                        width="stretch", key="new_activities")
        submitted = st.form_submit_button("Save the meeting and freeze its figures", type="primary", key="save")
    if submitted:
        try:
            minutes = meetings.Minutes(
                held_on, period, attendees, notes, decisions,
                new_items=meetings.new_items(new_items.to_dict("records")),
                changes=meetings.status_changes(changes.to_dict("records")),
                activities=meetings.new_activities(new_activities.to_dict("records")),
            )
            saved = ui.save(src, f.partner_id, minutes, ui.snapshot(src, f.partner_id, period), seen_version)
        except UserError as error:
            st.error(str(error), icon=":material/error:")
        else:
            st.session_state["saved_meeting"] = saved
            st.rerun()
    st.stop()

st.caption(f"**{f.partner}** · held {periods.day_text(meeting.held_on)} · period {meeting.period.text} "
           f"· times in {src.tz}")
st.markdown(f"**Attendees:** {meeting.attendees or '–'}")
st.markdown(f"**Notes:** {meeting.notes or '–'}")
st.markdown(f"**Decisions:** {meeting.decisions or '–'}")
st.caption(ui.edited_line(meeting, src.tz))
changed = ui.meeting_items(src, meeting.meeting_id)
if src.scope.takes_minutes:
    ui.edit_form(src, meeting, changed)
if meeting.snapshot is None:
    st.info("This meeting was recorded without frozen figures; these are today's figures for its period.",
            icon=":material/info:")
    ui.figures(src, f.partner_id, meeting.period, None, "frozen")
else:
    st.caption(f"Figures as the meeting saw them (frozen {periods.clock_text(meeting.snapshot.taken_at, src.tz)}).")
    ui.figures(src, f.partner_id, meeting.period, meeting.meeting_id, "frozen")
    ui.differences(src, f.partner_id, meeting.meeting_id)
carried = ui.open_items(src, f.partner_id)
held = ui.activities(src, f.partner_id, meeting.period)
st.subheader("Action items raised or closed in this meeting")
ui.items(changed, "meeting_items", "No action item was raised or closed in this meeting.")
st.subheader("Action items still open")
ui.items(carried, "open_items", "No action item is open.")
st.subheader("Training, co-listening and calibration in the period")
ui.held(held, "activities")
ui.downloads(functools.partial(ui.pack, src, f.partner_id, f.partner, meeting.meeting_id),
             f"{exports.file_stem(f.partner)}_meeting_{meeting.held_on}", "pack")
