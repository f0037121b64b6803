"""The Service meetings page's cached loaders, pickers, forms and render helpers.

The meeting page's pieces live together here, apart from the other pages' loaders, with the same
rules: loaders take the hashable `Source` plus plain values and call partners/ and metrics/, no SQL.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data import audit, clock, store
from data.errors import UserError
from meetings import meetings
from meetings.meetings import Meeting, Minutes, Snapshot
from data import i18n
from data.i18n import N_, _, n_
from metrics import statuses
from partners import periods
from partners.periods import Period
from reports import exports, frames, views
from ui import commercial, inputs, render
from ui.source import Source, cached

# What the minutes' boxes hold, by example.
ATTENDEES = N_("Anna Berg (centre lead), Omar Haddad (FlexiCall site manager)")
NOTES = N_("SL missed on Mondays 17-21: two agents short on the late shift")
DECISIONS = N_("FlexiCall staffs 2 more agents Mondays 17-21 from next week")

@cached
def past_meetings(src: Source, partner_id: int) -> list[Meeting]:
    with store.reading(src.db) as con:
        return meetings.list_meetings(con, partner_id, src.scope.partner_ids)


@cached
def proposal(src: Source, partner_id: int, today: dt.date) -> meetings.Proposal:
    with store.reading(src.db) as con:
        return meetings.proposal(con, partner_id, today, src.scope.partner_ids)


def period_label(proposed: meetings.Proposal) -> str:
    """The period picker's label, honest about where the proposal comes from."""
    if proposed.follows is None:
        return _("Period the meeting looks back on (proposed: the four weeks before today, as there is no earlier "
                 "meeting)")
    return _("Period the meeting looks back on (proposed: the days after the period of the meeting of {day})").format(
        day=periods.day_text(proposed.follows.held_on))


@cached
def snapshot(src: Source, partner_id: int, period: Period) -> Snapshot:
    """Today's figures for a period (for a new meeting, or to set beside a frozen one)."""
    with store.reading(src.db) as con:
        return frames.snapshot(con, partner_id, period, src.tz, src.scope.partner_ids)


@cached
def open_items(src: Source, partner_id: int) -> list[meetings.ActionItem]:
    with store.reading(src.db) as con:
        return meetings.open_items(con, partner_id, src.scope.partner_ids)


@cached
def meeting_items(src: Source, meeting_id: int) -> list[meetings.ActionItem]:
    with store.reading(src.db) as con:
        return meetings.meeting_items(con, meeting_id, src.scope.partner_ids)


@cached
def activities(src: Source, partner_id: int, period: Period | None, meeting_id: int | None = None) -> list[meetings.Activity]:
    with store.reading(src.db) as con:
        return meetings.activities(con, partner_id, period, src.scope.partner_ids, meeting_id)


def saved_meeting(src: Source, partner_id: int, meeting_id: int) -> Meeting:
    """One of the partner's saved meetings, from the cached list the picker shows."""
    return next(m for m in past_meetings(src, partner_id) if m.meeting_id == meeting_id)


def frozen_or_current(src: Source, partner_id: int, period: Period, meeting_id: int | None) -> Snapshot:
    """The figures a page shows: a meeting's frozen ones, or today's for the period (meeting_id None)."""
    if meeting_id is None:
        return snapshot(src, partner_id, period)
    return saved_meeting(src, partner_id, meeting_id).snapshot


@dataclass(frozen=True)
class Drawn:
    """A snapshot as the page draws it: per family (family, heading, shown table, chart specs), and
    the excused weeks. Small, so a cached copy unpickles fast: a rerun neither unpickles the
    snapshot with its series nor rebuilds and validates the charts."""

    families: tuple[tuple[str, str, pd.DataFrame, tuple[dict, ...]], ...]
    excused_note: str
    excused_weeks: tuple[str, ...]


@cached
def drawn(src: Source, partner_id: int, period: Period, meeting_id: int | None) -> Drawn:
    shown = frozen_or_current(src, partner_id, period, meeting_id)
    pictures = exports.charts_for(shown)
    return Drawn(
        tuple((family, heading, exports.figures_table(shown, family, heading).shown,
               tuple(render.as_sent(render.spec_of(chart.chart)) for chart in pictures.get(family, ())))
              for family, heading in exports.families_of(shown)),
        exports.excused_table(shown).note, shown.excused_weeks,
    )


def _compared(src: Source, meeting: Meeting) -> list[meetings.Difference]:
    return meetings.compare(meeting.snapshot, snapshot(src, meeting.partner_id, meeting.period))


@cached
def moved(src: Source, partner_id: int, meeting_id: int) -> tuple[int, pd.DataFrame | None]:
    """How many figures were compared, and the ones that moved as shown (None when none moved)."""
    meeting = saved_meeting(src, partner_id, meeting_id)
    rows = _compared(src, meeting)
    changed = meetings.changed_only(rows)
    return len(rows), exports.differences_table(changed).shown if changed else None


def preparation(src: Source, partner_id: int, partner: str, period: Period) -> exports.Document:
    """The preparation pack of the next meeting, from the same cached reads the page shows."""
    return exports.meeting_document(partner, snapshot(src, partner_id, period), carried=open_items(src, partner_id),
                                    held=activities(src, partner_id, period), today=today(),
                                    commercial=commercial.pack_sections(src, partner_id, period))


def pack(src: Source, partner_id: int, partner: str, meeting_id: int) -> exports.Document:
    """A held meeting's pack: its frozen figures (today's when it froze none) and what moved since."""
    meeting = saved_meeting(src, partner_id, meeting_id)
    frozen = meeting.snapshot or snapshot(src, partner_id, meeting.period)
    return exports.meeting_document(
        partner, frozen, meeting=meeting, carried=open_items(src, partner_id),
        changed=meeting_items(src, meeting_id), held=activities(src, partner_id, meeting.period),
        differences=None if meeting.snapshot is None else _compared(src, meeting), today=today(),
        commercial=commercial.pack_sections(src, partner_id, meeting.period),
    )


def drawn_version(src: Source, partner_id: int, period: Period) -> int | None:
    """The data version the figures of `period` were drawn with on the run before this one (None if
    they were not drawn), recording this run's for the next.

    A Save click starts a new run, which reads the data version afresh: an import that landed while
    the user read the page is already in it. The version the user actually saw is the one the
    previous run drew, so that is the one the save must be checked against.
    """
    key = f"meeting_drawn_{partner_id}_{period.start}_{period.end}"
    before = st.session_state.get(key)
    st.session_state[key] = src.version
    return before


def save(src: Source, partner_id: int, minutes: Minutes, shown: Snapshot, shown_version: int | None) -> int:
    """Save the minutes with the figures the page showed at `shown_version` (refused if the data moved
    since, or if the user never saw figures for this period)."""
    if shown_version is None:
        raise UserError(meetings.DATA_CHANGED)
    with store.writing(src.db) as con:
        return meetings.save_meeting(con, partner_id, minutes, shown, src.scope.email, shown_version=shown_version)


def edit(src: Source, meeting_id: int, correction: meetings.Correction, seen_edits: int) -> int:
    """Correct saved minutes (refused if someone edited them since `seen_edits`)."""
    with store.writing(src.db) as con:
        return meetings.edit_meeting(con, meeting_id, correction, src.scope, seen_edits)


def edited_line(meeting: Meeting, tz: str) -> str:
    """When (in the reporting zone) and by whom the minutes were last corrected, or that they are as saved."""
    saved = _("{moment} by {who}").format(moment=periods.clock_text(meeting.created_at, tz),
                                          who=meeting.created_by or _("unknown"))
    if not meeting.edits:
        return _("Minutes as saved {saved}; never edited.").format(saved=saved)
    times = _("once") if meeting.edits == 1 else _("{n} times").format(n=i18n.number(meeting.edits))
    return _("Minutes last edited {moment} by {who} (edited {times}; saved {saved}).").format(
        moment=periods.clock_text(meeting.edited_at, tz), who=meeting.edited_by, times=times, saved=saved)


def edit_form(src: Source, meeting: Meeting, changed: list[meetings.ActionItem]) -> None:
    """The saved minutes in a form to correct them; the outcome of an edit is said after its rerun."""
    if "edit_outcome" in st.session_state:
        saved, line = st.session_state.pop("edit_outcome")
        (st.success if saved else st.error)(line, icon=":material/edit_note:" if saved else ":material/error:")
    # The edit counter when the form was opened: an edit made since by someone else refuses this one.
    seen = st.session_state.setdefault(f"seen_edits_{meeting.meeting_id}", meeting.edits)
    form = f"{meeting.meeting_id}_{seen}"  # new widgets (with the minutes as stored) after each edit
    with st.expander(_("Edit the minutes (the frozen figures never change)")), \
            st.form(f"edit_{form}", enter_to_submit=False):
        attendees = inputs.text(_("Attendees"), f"edit_attendees_{form}", _(ATTENDEES), value=meeting.attendees)
        notes = inputs.area(_("Notes"), f"edit_notes_{form}", _(NOTES), value=meeting.notes)
        decisions = inputs.area(_("Decisions"), f"edit_decisions_{form}", _(DECISIONS), value=meeting.decisions)
        st.markdown(_("**Action items raised in this meeting**"))
        items = render.editor(raised_rows(changed, meeting.meeting_id), f"edit_items_{form}",
                              column_config=edit_item_columns())
        st.markdown(_("**Activities recorded in this meeting**"))
        recorded = render.editor(activity_rows(activities(src, meeting.partner_id, None, meeting.meeting_id)),
                                 f"edit_activities_{form}", column_config=edit_activity_columns())
        submitted = st.form_submit_button(_("Save the corrected minutes"), key=f"edit_save_{form}")
    if not submitted:
        return
    try:
        correction = meetings.Correction(attendees, notes, decisions, meetings.edited_items(items.to_dict("records")),
                                         meetings.edited_activities(recorded.to_dict("records")))
        number = edit(src, meeting.meeting_id, correction, seen)
    except meetings.EditedMeanwhile as error:
        st.session_state["edit_outcome"] = (False, str(error))
    except UserError as error:
        st.error(views.plain(str(error)), icon=":material/error:")
        return
    else:
        st.session_state["edit_outcome"] = (True, _("Edit {number} of the minutes saved.").format(number=number))
    st.session_state.pop(f"seen_edits_{meeting.meeting_id}")  # reopen the form on the minutes as they now are
    st.rerun()


def pick_meeting(past: list[Meeting]) -> Meeting | None:
    """The meeting picker: a saved meeting, or None for the next one. It follows a copied link once,
    reopens a meeting just saved, and mirrors the choice in the URL."""
    unknown = follow_link(past)
    if "saved_meeting" in st.session_state:  # just saved: reopen it (a widget's value is set before it is drawn)
        st.session_state["meeting"] = st.session_state.pop("saved_meeting")
        saved = next((m for m in past if m.meeting_id == st.session_state["meeting"]), None)
        if saved is not None:
            st.success(_("The meeting of {day} is saved and its figures are frozen: it is open below.").format(
                day=periods.day_text(saved.held_on)), icon=":material/check_circle:")
    if unknown:
        st.info(unknown, icon=":material/link_off:")
    labels = {None: _("Next meeting (prepare and take minutes)"), **{m.meeting_id: meeting_label(m) for m in past}}
    choice = st.selectbox(_("Meeting"), list(labels), key="meeting", format_func=labels.__getitem__)
    meeting = next((m for m in past if m.meeting_id == choice), None)
    keep_link(meeting, past)
    return meeting


def pick_period(proposed: meetings.Proposal) -> Period | None:
    """The period the next meeting looks back on, the proposed one first (None until both ends are picked)."""
    picked = st.date_input(
        period_label(proposed), (proposed.period.start, proposed.period.end - dt.timedelta(days=1)),
        key="meeting_period",
    )
    return period_from(picked)


def minutes_form(src: Source, partner_id: int, period: Period, carried: list[meetings.ActionItem],
                 seen_version: int | None) -> None:
    """The next meeting's minutes, saved with the figures the page showed, frozen; a saved meeting
    reopens on the next run, a refusal is said under the form."""
    with st.form("minutes", enter_to_submit=False):
        held_on = st.date_input(_("Held on"), today(), key="held_on")
        attendees = inputs.text(_("Attendees"), "attendees", _(ATTENDEES))
        notes = inputs.area(_("Notes"), "notes", _(NOTES))
        decisions = inputs.area(_("Decisions"), "decisions", _(DECISIONS))
        st.markdown(_("**Open action items**: set done or dropped to close one (the change is recorded with this "
                      "meeting)"))
        changes = render.editor(status_rows(carried), "item_changes", column_config=status_columns())
        st.markdown(_("**New action items**"))
        new_items = render.editor(empty_rows(new_item_columns(), ("due",)), "new_items",
                                  column_config=new_item_columns(), num_rows="dynamic")
        st.markdown(_("**Activities** (training, co-listening, calibration sessions)"))
        new_activities = render.editor(empty_rows(activity_columns(), ("date",)), "new_activities",
                                       column_config=activity_columns(), num_rows="dynamic")
        submitted = st.form_submit_button(_("Save the meeting and freeze its figures"), type="primary", key="save")
    if not submitted:
        return
    try:
        minutes = meetings.Minutes(
            held_on, period, attendees, notes, decisions,
            new_items=meetings.new_items(new_items.to_dict("records")),
            changes=meetings.status_changes(changes.to_dict("records")),
            activities=meetings.new_activities(new_activities.to_dict("records")),
        )
        saved = save(src, partner_id, minutes, snapshot(src, partner_id, period), seen_version)
    except UserError as error:
        st.error(views.plain(str(error)), icon=":material/error:")
    else:
        st.session_state["saved_meeting"] = saved
        st.rerun()


def meeting_label(meeting: Meeting) -> str:
    return _("{day} · period {period}").format(day=periods.day_text(meeting.held_on), period=meeting.period.text)


def link_of(meeting: Meeting | None, past: list[Meeting]) -> str | None:
    """The `meeting` value of a link to a saved meeting: its day, or its id when that day held two."""
    if meeting is None:
        return None
    same_day = sum(m.held_on == meeting.held_on for m in past)
    return meeting.held_on.isoformat() if same_day == 1 else str(meeting.meeting_id)


def linked(wanted: str, past: list[Meeting]) -> int | None:
    """The meeting a link names (an id, or a day: the latest meeting held that day), None if none."""
    for meeting in past:  # newest first
        if wanted in (str(meeting.meeting_id), meeting.held_on.isoformat()):
            return meeting.meeting_id
    return None


def follow_link(past: list[Meeting]) -> str | None:
    """Open the meeting a copied link names (`?meeting=2026-11-24` or an id), once per new link;
    returns the line to say when it names no meeting of this partner (the next meeting opens)."""
    wanted = st.query_params.get("meeting")
    if wanted is None or wanted == st.session_state.get("meeting_link"):
        return None
    st.session_state["meeting_link"] = wanted
    st.session_state["meeting"] = linked(wanted, past)
    if st.session_state["meeting"] is None:
        return _("Meeting '{asked}' not found for this partner: showing the next meeting.").format(
            asked=views.plain(wanted))
    return None


def keep_link(meeting: Meeting | None, past: list[Meeting]) -> None:
    """Mirror the open meeting in the URL, so a copied link reopens these minutes."""
    link = link_of(meeting, past)
    st.session_state["meeting_link"] = link
    if link is None:
        st.query_params.pop("meeting", None)
    else:
        st.query_params["meeting"] = link


# --- render helpers ------------------------------------------------------------------------------


@cached
def figures(src: Source, partner_id: int, period: Period, meeting_id: int | None, key: str) -> None:
    """Volume, availability and quality side by side with targets, statuses in words, in-house
    beside them, and the charts: the same tables and charts the PDF pack prints. Cached as drawn:
    Streamlit replays what a cached function drew, so a rerun sends its tables and charts again
    without converting them."""
    shown = drawn(src, partner_id, period, meeting_id)
    for family, heading, table, specs in shown.families:
        st.subheader(_(heading))
        render.dataframe(table, f"{key}_{family}")
        columns = st.columns(2)
        for i, spec in enumerate(specs):
            with columns[i % 2]:
                st.vega_lite_chart(spec, width="stretch", key=f"{key}_{family}_chart_{i}")
    st.subheader(_("Weeks excused by volume above forecast"))
    st.caption(shown.excused_note)
    if shown.excused_weeks:
        st.markdown(" · ".join(f"{statuses.ICONS['excused']} **{w}**" for w in shown.excused_weeks))


def differences(src: Source, partner_id: int, meeting_id: int) -> None:
    """The frozen figures against today's data: only what moved, and how many did not."""
    compared, table = moved(src, partner_id, meeting_id)
    st.subheader(_("Differences against today's data"))
    if table is None:
        st.success(_("Today's data gives the same figures as the meeting showed."), icon=":material/check:")
        return
    st.warning(
        n_("{n} of {compared} figures differs from what the meeting saw (late imports or corrections).",
           "{n} of {compared} figures differ from what the meeting saw (late imports or corrections).",
           len(table)).format(n=i18n.number(len(table)), compared=i18n.number(compared)),
        icon=":material/difference:",
    )
    render.dataframe(table, "differences")


def items(found: list[meetings.ActionItem], key: str, empty: str) -> None:
    _items(found, key, empty, today())


@cached
def _items(found: list[meetings.ActionItem], key: str, empty: str, today: dt.date) -> None:
    """The action items as of `today`, cached as drawn (Streamlit replays what a cached function drew)."""
    if not found:
        st.caption(empty)
        return
    render.dataframe(exports.items_table(found, "", "", today).shown, key)


@cached
def held(found: list[meetings.Activity], key: str) -> None:
    """The activities, cached as drawn."""
    table = exports.activities_table(found)
    if found:
        render.dataframe(table.frame.assign(kind=table.frame["kind"].map(_choice)), key)
    else:
        st.caption(table.note)


def preparation_downloads(src: Source, partner_id: int, partner: str, period: Period) -> None:
    """The next meeting's preparation pack, as PDF and Excel."""
    _downloads(src, partner, functools.partial(preparation, src, partner_id, partner, period),
               f"{exports.file_stem(partner)}_preparation_{period.start}", "prep")


def pack_downloads(src: Source, partner_id: int, partner: str, meeting: Meeting) -> None:
    """A held meeting's pack, as PDF and Excel."""
    _downloads(src, partner, functools.partial(pack, src, partner_id, partner, meeting.meeting_id),
               f"{exports.file_stem(partner)}_meeting_{meeting.held_on}", "pack")


def _downloads(src: Source, partner: str, document: Callable[[], exports.Document], stem: str, key: str) -> None:
    """PDF and Excel of the pack: the caller passes how to build the document, so a rerun builds
    neither it nor its charts. The pack lists the QA evaluations with their agent ids: a download
    is recorded in the audit log when it is made (data/audit.py, agent_view)."""
    def made(writer: Callable[[exports.Document], bytes], what: str) -> Callable[[], bytes]:
        def make() -> bytes:
            data = writer(document())
            audit.agent_view(src.db, src.scope.email or "local", partner, f"{stem} ({what}, with the QA evaluations)")
            return data
        return make
    render.file_downloads(_("the pack"), stem, key, made(exports.to_pdf, "PDF"), made(exports.to_xlsx, "Excel"))


# --- the minutes form's editable tables ------------------------------------------------------------

# The editors' choices as the reader reads them; the values (stored, and in the editors' rows) stay these keys.
CHOICES = {"centre": N_("centre"), "partner": N_("partner"), "open": N_("open"), "done": N_("done"),
           "dropped": N_("dropped"), "training": N_("training"), "co-listening": N_("co-listening"),
           "calibration": N_("calibration")}


def _choice(value: object) -> str:
    return _(CHOICES[value]) if value in CHOICES else str(value)


def new_item_columns() -> dict[str, object]:
    """The new action items' editor columns, labelled in the reader's language (the keys stay)."""
    cc = st.column_config
    return {
        "title": cc.TextColumn(_("title"), width="large"),
        "owner": cc.TextColumn(_("owner")),
        "side": cc.SelectboxColumn(_("side"), options=list(meetings.SIDES), default="partner", format_func=_choice),
        "due": cc.DateColumn(_("due")),
    }


def activity_columns() -> dict[str, object]:
    """The activities' editor columns, labelled in the reader's language."""
    cc = st.column_config
    return {
        "kind": cc.SelectboxColumn(_("kind"), options=list(meetings.ACTIVITY_KINDS), format_func=_choice),
        "date": cc.DateColumn(_("date")),
        "participants": cc.TextColumn(_("participants"), width="large"),
        "notes": cc.TextColumn(_("notes")),
    }


def typed_rows(values: dict[str, list], dates: tuple[str, ...] = (), ids: tuple[str, ...] = ()) -> pd.DataFrame:
    """Editor rows typed even when empty (the editor refuses a text column over an empty float
    column): ids as integers, dates as dates so the editor offers a date picker, the rest as text."""
    def dtype(name: str) -> str:
        return "Int64" if name in ids else "datetime64[s]" if name in dates else "string"

    return pd.DataFrame({name: pd.Series(column, dtype=dtype(name)) for name, column in values.items()})


def empty_rows(columns: dict, dates: tuple[str, ...]) -> pd.DataFrame:
    """No rows yet, for the new items and activities."""
    return _no_rows(tuple(columns), dates)


@cached
def _no_rows(names: tuple[str, ...], dates: tuple[str, ...]) -> pd.DataFrame:
    """Cached: typing the empty columns cost more than the editor drawing them."""
    return typed_rows({name: [] for name in names}, dates)


@cached
def status_rows(found: list[meetings.ActionItem]) -> pd.DataFrame:
    """The open items with a status to change (kept 'open' unless someone closes or drops it)."""
    return typed_rows({"item": [i.item_id for i in found], "title": [i.title for i in found],
                       "owner": [i.owner for i in found], "due": [i.due_on for i in found],
                       "status": ["open"] * len(found), "note": [""] * len(found)}, ("due",), ("item",))


def status_columns() -> dict[str, object]:
    """The open items' editor columns, labelled in the reader's language."""
    cc = st.column_config
    return {
        "item": cc.NumberColumn(_("item"), disabled=True),
        "title": cc.TextColumn(_("title"), disabled=True, width="large"),
        "owner": cc.TextColumn(_("owner"), disabled=True),
        "due": cc.DateColumn(_("due"), disabled=True),
        "status": cc.SelectboxColumn(_("status"), options=list(meetings.STATUSES), required=True, format_func=_choice),
        "note": cc.TextColumn(_("note")),
    }


def edit_item_columns() -> dict[str, object]:
    return {"item": st.column_config.NumberColumn(_("item"), disabled=True), **new_item_columns()}


def edit_activity_columns() -> dict[str, object]:
    return {"activity": st.column_config.NumberColumn(_("activity"), disabled=True), **activity_columns()}


def raised_rows(found: list[meetings.ActionItem], meeting_id: int) -> pd.DataFrame:
    """The items a meeting raised, to correct (title, owner, side, due); items it only closed are not its own."""
    raised = [i for i in found if i.raised_in == meeting_id]
    return typed_rows({"item": [i.item_id for i in raised], "title": [i.title for i in raised],
                       "owner": [i.owner for i in raised], "side": [i.side for i in raised],
                       "due": [i.due_on for i in raised]}, ("due",), ("item",))


def activity_rows(found: list[meetings.Activity]) -> pd.DataFrame:
    """The activities a meeting recorded, to correct."""
    return typed_rows({"activity": [a.activity_id for a in found], "kind": [a.kind for a in found],
                       "date": [a.held_on for a in found], "participants": [a.participants for a in found],
                       "notes": [a.notes for a in found]}, ("date",), ("activity",))


def today() -> dt.date:
    return clock.today()


def period_from(picked: tuple) -> Period | None:
    """The date_input's (first, last) days as a period, None while only one end is picked."""
    if len(picked) != 2:
        return None
    return periods.between(picked[0], picked[1] + dt.timedelta(days=1))

