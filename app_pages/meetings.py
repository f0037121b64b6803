"""Service meetings: prepare the next meeting with a partner, take the minutes, reopen past ones."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

from partners import periods
from reports import views
from ui import filters, render, source
from ui import meetings as ui

src, f = source.current(), filters.chosen()
st.title(_("Service meetings"))
if f.partner_id is None:
    render.empty_state(_("There are no partners yet."), hint=_(render.PARTNER_HINT))
    st.stop()

past = ui.past_meetings(src, f.partner_id)
meeting = ui.pick_meeting(past)

if meeting is None:
    proposed = ui.proposal(src, f.partner_id, ui.today())
    period = ui.pick_period(proposed)
    if period is None:
        st.info(_("Pick the last day of the period too."), icon=":material/date_range:")
        st.stop()
    st.caption(_("**{partner}** · period {period} · times in {zone}").format(
        partner=views.plain(f.partner), period=period.text, zone=src.tz))
    carried = ui.open_items(src, f.partner_id)
    held = ui.activities(src, f.partner_id, period)
    ui.figures(src, f.partner_id, period, None, "now")
    seen_version = ui.drawn_version(src, f.partner_id, period)
    st.subheader(_("Action items still open from earlier meetings"))
    ui.items(carried, "open_items", _("No action item is open."))
    st.subheader(_("Training, co-listening and calibration in the period"))
    ui.held(held, "activities")
    ui.preparation_downloads(src, f.partner_id, f.partner, period)

    if not src.scope.takes_minutes:
        st.caption(_("The centre takes the minutes; partner users see them once saved."))
        st.stop()
    st.header(_("Minutes"))
    ui.minutes_form(src, f.partner_id, period, carried, seen_version)
    st.stop()

st.caption(_("**{partner}** · held {day} · period {period} · times in {zone}").format(
    partner=views.plain(f.partner), day=periods.day_text(meeting.held_on), period=meeting.period.text, zone=src.tz))
# minutes are text, never Markdown
st.markdown(_("**Attendees:** {text}").format(text=views.plain(views.or_missing(meeting.attendees))))
st.markdown(_("**Notes:** {text}").format(text=views.plain(views.or_missing(meeting.notes))))
st.markdown(_("**Decisions:** {text}").format(text=views.plain(views.or_missing(meeting.decisions))))
st.caption(ui.edited_line(meeting, src.tz))
changed = ui.meeting_items(src, meeting.meeting_id)
if src.scope.takes_minutes:
    ui.edit_form(src, meeting, changed)
if meeting.snapshot is None:
    st.info(_("This meeting was recorded without frozen figures; these are today's figures for its period."),
            icon=":material/info:")
    ui.figures(src, f.partner_id, meeting.period, None, "frozen")
else:
    st.caption(_("Figures as the meeting saw them (frozen {moment}).").format(
        moment=periods.clock_text(meeting.snapshot.taken_at, src.tz)))
    ui.figures(src, f.partner_id, meeting.period, meeting.meeting_id, "frozen")
    ui.differences(src, f.partner_id, meeting.meeting_id)
carried = ui.open_items(src, f.partner_id)
held = ui.activities(src, f.partner_id, meeting.period)
st.subheader(_("Action items raised or closed in this meeting"))
ui.items(changed, "meeting_items", _("No action item was raised or closed in this meeting."))
st.subheader(_("Action items still open"))
ui.items(carried, "open_items", _("No action item is open."))
st.subheader(_("Training, co-listening and calibration in the period"))
ui.held(held, "activities")
ui.pack_downloads(src, f.partner_id, f.partner, meeting)
