"""Service meetings: minutes, action items carried until closed, activities, and the frozen record.

A meeting is held over a period (by default the days since the partner's previous meeting). When it
is saved, the figures it showed are stored with it as JSON in the same transaction, so it reopens a
year later with the same numbers; `compare` then puts today's figures beside them, because late
imports and corrections change the past and the minutes must not silently change with them.

Saved minutes can be corrected (`edit_meeting`): attendees, notes, decisions, the items raised and
the activities recorded in the meeting; never the frozen figures. Each edit is numbered, so an edit
made on minutes that changed since they were opened is refused instead of overwriting the other one.

Every function takes the caller's connection: writes run inside `data.store.writing()` (one
transaction, with an audit line), reads accept `partner_ids` so a partner user's scope is enforced
where the data is read.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pandas as pd

from data import audit, settings, store
from data.errors import UserError
from data.i18n import N_, _
from data.store import Connection
from metrics import intervals, reads, scorecard, series, statuses, tables
from metrics.definitions import BY_NAME
from metrics.scorecard import Figure
from partners import periods, registry
from partners.access import OUT_OF_SCOPE, Scope, in_house_visible, scope_sql
from partners.periods import Period

SIDES = ("centre", "partner")
STATUSES = ("open", "done", "dropped")
ACTIVITY_KINDS = ("training", "co-listening", "calibration")
# With no earlier meeting, the proposed period is the four weeks before the meeting day.
FIRST_PERIOD_DAYS = 28


@dataclass(frozen=True)
class FrozenFigure:
    """One figure as a meeting showed it: the value, what it was judged against, and on how much data."""

    family: str  # a section of metrics.scorecard.FAMILIES (volume | availability | customer | quality | centre)
    metric: str
    label: str
    unit: str
    value: float | None
    target: Any  # a number, [min, max] for a band, or None
    status: str
    sample_size: int | None  # evaluations/answers for quality; the denominator (legs judged) for ratios
    benchmark: float | None = None  # the in-house value for the same period, where it means something
    numerator: float | None = None
    denominator: float | None = None
    provisional_until: str | None = None  # ISO day an FCR shown as provisional becomes final
    # The target(s) in words as the scorecard said them ("max 30 s to 23 Nov 2025, 40 s from 24 Nov 2025"
    # when the agreement changed in the period); None when none was agreed, or frozen before this was kept.
    target_text: str | None = None
    # FCR: answered legs left out for want of a usable customer id; None before this was kept.
    left_out: int | None = None
    # Why a service-level miss was excused, or why not (metrics.excusal); '' when there was nothing to say.
    note: str = ""
    # A quality figure's 95 % interval [low, high], the fewest observations it was judged on, its sum of
    # squares (for the real-change test against it) and whether it changed really from the period
    # before; None in meetings frozen before these were kept (they show as they did).
    interval: list[float] | None = None
    min_n: int | None = None
    sum_squares: float | None = None
    change_real: bool | None = None
    previous_value: float | None = None  # the period before's value, the change's base; None before kept


@dataclass(frozen=True)
class Snapshot:
    """Everything a meeting showed that comes from the data, as stored in meetings.frozen_figures."""

    period_start: date
    period_end: date
    time_zone: str
    taken_at: datetime
    figures: tuple[FrozenFigure, ...]
    excused_weeks: tuple[str, ...] = ()
    # The series behind the charts (records, dates as ISO text), so a reopened meeting draws the
    # same pictures as well as the same numbers: "trends" (weekly, long form) and "forecast".
    series: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)

    def to_json(self) -> str:
        body = asdict(self)
        body.update(
            period_start=self.period_start.isoformat(),
            period_end=self.period_end.isoformat(),
            taken_at=self.taken_at.isoformat(),
        )
        return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)

    def frame(self, name: str) -> pd.DataFrame:
        """One frozen series as a DataFrame (empty when the snapshot has none)."""
        return pd.DataFrame(list(self.series.get(name, ())))

    @staticmethod
    def from_json(text: str) -> Snapshot:
        body = json.loads(text)
        return Snapshot(
            period_start=date.fromisoformat(body["period_start"]),
            period_end=date.fromisoformat(body["period_end"]),
            time_zone=body["time_zone"],
            taken_at=datetime.fromisoformat(body["taken_at"]),
            figures=tuple(FrozenFigure(**f) for f in body["figures"]),
            excused_weeks=tuple(body.get("excused_weeks", ())),
            series={k: tuple(v) for k, v in body.get("series", {}).items()},
        )


@dataclass(frozen=True)
class Difference:
    """A frozen figure beside today's value of the same figure (None where one side has no data)."""

    metric: str
    label: str
    unit: str
    frozen_value: float | None
    current_value: float | None
    frozen_status: str
    current_status: str
    frozen_sample: int | None
    current_sample: int | None
    # A quality figure's change is real (significant at 95 %), within noise (False), or unknown (None).
    real_change: bool | None = None

    @property
    def change(self) -> float | None:
        if self.frozen_value is None or self.current_value is None:
            return None
        return self.current_value - self.frozen_value

    @property
    def changed(self) -> bool:
        return (
            self.frozen_value != self.current_value
            or self.frozen_status != self.current_status
            or self.frozen_sample != self.current_sample
        )


@dataclass(frozen=True)
class Meeting:
    meeting_id: int
    partner_id: int
    held_on: date
    period_start: date
    period_end: date
    attendees: str
    notes: str
    decisions: str
    snapshot: Snapshot | None
    created_at: datetime
    created_by: str | None
    edits: int = 0  # how many times the minutes were edited since saved
    edited_at: datetime | None = None  # UTC, the latest edit
    edited_by: str | None = None

    @property
    def period(self) -> Period:
        return periods.between(self.period_start, self.period_end)


@dataclass(frozen=True)
class ActionItem:
    item_id: int
    partner_id: int
    raised_in: int | None
    title: str
    owner: str
    side: str
    due_on: date | None
    status: str
    closed_in: int | None
    closed_at: datetime | None
    raised_on: date | None = None  # the day of the meeting that raised it (of its first event if none did)
    carried: int = 0  # later meetings it was on while open, up to and including the one that closed it
    closing_note: str = ""  # the note given when it was closed or dropped

    def days_overdue(self, today: date) -> int | None:
        """Days past its due date for an item still open (None when not overdue): checking the
        items at the next meeting is the point of the meetings, so a late one must stand out."""
        if self.status != "open" or self.due_on is None or self.due_on >= today:
            return None
        return (today - self.due_on).days


@dataclass(frozen=True)
class ItemEvent:
    item_id: int
    meeting_id: int | None
    status: str
    note: str
    changed_at: datetime
    by_user: str | None


@dataclass(frozen=True)
class Activity:
    activity_id: int
    partner_id: int
    kind: str
    held_on: date
    participants: str
    notes: str
    meeting_id: int | None


@dataclass(frozen=True)
class NewItem:
    title: str
    owner: str
    side: str
    due_on: date | None = None


@dataclass(frozen=True)
class StatusChange:
    item_id: int
    status: str
    note: str = ""


@dataclass(frozen=True)
class NewActivity:
    kind: str
    held_on: date
    participants: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Minutes:
    """What the meeting form collects; saved in one go by `save_meeting`."""

    held_on: date
    period: Period
    attendees: str = ""
    notes: str = ""
    decisions: str = ""
    new_items: tuple[NewItem, ...] = ()
    changes: tuple[StatusChange, ...] = ()
    activities: tuple[NewActivity, ...] = ()


# Said when the figures a meeting form showed are no longer the data's: nothing is saved.
DATA_CHANGED = N_("the data changed while the meeting was open (an import or another save): "
                   "the figures are refreshed, check them and save again")


class EditedMeanwhile(UserError):
    """Someone else edited the minutes after they were opened: the edit would overwrite theirs."""


# --- scope ---------------------------------------------------------------------------------------


def _require_scope(partner_id: int, partner_ids: tuple[int, ...] | None) -> None:
    if partner_ids is not None and partner_id not in partner_ids:
        raise UserError(OUT_OF_SCOPE)


# --- reads ---------------------------------------------------------------------------------------

_MEETING_COLUMNS = (
    "meeting_id, partner_id, held_on, period_start, period_end, attendees, notes, decisions, "
    "frozen_figures, timezone('UTC', created_at) AS created_at, created_by, coalesce(edits, 0), "
    "timezone('UTC', edited_at), edited_by"
)
# Meetings with their edit counter and latest edit (meeting_edits holds one row per edit).
_MEETINGS = (
    "meetings LEFT JOIN (SELECT meeting_id, count(*) AS edits, max(edited_at) AS edited_at, "
    "arg_max(edited_by, edit_no) AS edited_by FROM meeting_edits GROUP BY meeting_id) USING (meeting_id)"
)


def _meeting(row: tuple, in_house: bool) -> Meeting:
    """A meeting as its reader may see it: its frozen in-house figures only where `in_house` (the
    record keeps them; a partner user without the right reads the figures without them)."""
    frozen = Snapshot.from_json(row[8]) if row[8] else None
    if frozen is not None and not in_house:
        frozen = replace(frozen, figures=tuple(replace(f, benchmark=None) for f in frozen.figures))
    return Meeting(*row[:8], frozen, *row[9:])


def list_meetings(
    con: Connection, partner_id: int | None = None, partner_ids: tuple[int, ...] | None = None
) -> list[Meeting]:
    """Meetings, newest first; one partner's when `partner_id` is given."""
    params: dict[str, Any] = {"partner_id": partner_id}
    scope = scope_sql("partner_id", partner_ids, params)
    rows = store.execute(
        con,
        f"SELECT {_MEETING_COLUMNS} FROM {_MEETINGS} WHERE ($partner_id::INTEGER IS NULL OR partner_id = $partner_id)"
        f"{scope} ORDER BY held_on DESC, meeting_id DESC",
        params,
    ).rows
    return [_meeting(r, in_house_visible(con, partner_ids)) for r in rows]


def get_meeting(
    con: Connection, meeting_id: int, partner_ids: tuple[int, ...] | None = None
) -> Meeting:
    """One meeting. A meeting of a partner outside the scope is refused as "there is no meeting N",
    not with OUT_OF_SCOPE like every other read: a meeting id is a guess a partner user can make in
    a URL, and the answer must not tell them that another partner's meeting N exists."""
    params: dict[str, Any] = {"meeting_id": meeting_id}
    scope = scope_sql("partner_id", partner_ids, params)
    rows = store.execute(con, f"SELECT {_MEETING_COLUMNS} FROM {_MEETINGS} WHERE meeting_id = $meeting_id{scope}",
                         params).rows
    if not rows:
        raise UserError(_("there is no meeting {meeting}").format(meeting=meeting_id))
    return _meeting(rows[0], in_house_visible(con, partner_ids))


def last_meeting(con: Connection, partner_id: int, before: date | None = None,
                 partner_ids: tuple[int, ...] | None = None) -> Meeting | None:
    """The partner's latest meeting (held before `before`, when given), as a reader of scope `partner_ids` sees it."""
    row = store.execute(
        con, f"SELECT {_MEETING_COLUMNS} FROM {_MEETINGS} WHERE partner_id = ? AND (?::DATE IS NULL OR held_on < ?) "
        "ORDER BY held_on DESC, meeting_id DESC LIMIT 1",
        [partner_id, before, before],
    ).one()
    return _meeting(row, in_house_visible(con, partner_ids)) if row else None


@dataclass(frozen=True)
class Proposal:
    """The period proposed for the next meeting and why: `follows` is the meeting whose period it
    continues (the held meeting that looked furthest ahead); None means the four-week fallback,
    as there is no earlier meeting. `latest` is the latest meeting held, for the page's wording."""

    period: Period
    follows: Meeting | None
    latest: Meeting | None


def proposal(
    con: Connection, partner_id: int, today: date, partner_ids: tuple[int, ...] | None = None
) -> Proposal:
    """The period since the partner's meetings: from the day after the last day any held meeting looked
    back on, to yesterday, so it never overlaps a meeting already held (meetings of adjacent or
    overlapping periods included). When the held meetings already covered up to yesterday, today alone
    (a meeting may be held late the same day; the page lets the user pick another period). With no
    earlier meeting, the four weeks before today."""
    _require_scope(partner_id, partner_ids)
    previous = last_meeting(con, partner_id, before=today + timedelta(days=1), partner_ids=partner_ids)
    if previous is None:
        return Proposal(periods.between(today - timedelta(days=FIRST_PERIOD_DAYS), today), None, None)
    furthest = _furthest_meeting(con, partner_id, today, partner_ids)
    start = furthest.period_end
    return Proposal(periods.between(start, max(today, start + timedelta(days=1))), furthest, previous)


def _furthest_meeting(con: Connection, partner_id: int, today: date, partner_ids: tuple[int, ...] | None) -> Meeting:
    """The held meeting (on or before `today`) whose period ends last, the latest held on a tie, as a
    reader of scope `partner_ids` sees it."""
    row = store.execute(
        con, f"SELECT {_MEETING_COLUMNS} FROM {_MEETINGS} WHERE partner_id = ? AND held_on <= ? "
        "ORDER BY period_end DESC, held_on DESC, meeting_id DESC LIMIT 1",
        [partner_id, today], what="find the meeting that looked furthest ahead",
    ).one()
    return _meeting(row, in_house_visible(con, partner_ids))


# TIMESTAMPTZ values are read as naive UTC: DuckDB would need pytz to hand back aware ones.
_ITEM_COLUMNS = (
    "item_id, partner_id, raised_in, title, owner, side, due_on, status, closed_in, "
    "timezone('UTC', closed_at) AS closed_at, raised_on, carried, closing_note"
)
# Action items with the day they were raised (the raising meeting's; the first event's for an item
# raised outside a meeting), how many of the partner's later meetings they were carried into while
# open (a closed item up to and including the meeting that closed it) and the note it was closed with.
_ITEMS = """(
SELECT i.*, coalesce(r.held_on, first.raised_day) AS raised_on,
    (SELECT count(*) FROM meetings m WHERE m.partner_id = i.partner_id
        AND (r.meeting_id IS NULL AND m.held_on >= first.raised_day
             OR m.held_on > r.held_on OR m.held_on = r.held_on AND m.meeting_id > r.meeting_id)
        AND (i.status = 'open' OR m.meeting_id = c.meeting_id
             OR m.held_on < coalesce(c.held_on, timezone('UTC', i.closed_at)::DATE))) AS carried,
    CASE WHEN i.status = 'open' THEN '' ELSE coalesce((SELECT arg_max(e.note, e.changed_at) FROM action_item_events e
        WHERE e.item_id = i.item_id AND e.status = i.status), '') END AS closing_note
FROM action_items i
LEFT JOIN meetings r ON r.meeting_id = i.raised_in
LEFT JOIN meetings c ON c.meeting_id = i.closed_in
LEFT JOIN (SELECT item_id, min(timezone('UTC', changed_at))::DATE AS raised_day FROM action_item_events
           GROUP BY item_id) first ON first.item_id = i.item_id
) AS action_items"""


def _items(con: Connection, where: str, params: dict[str, Any], order: str) -> list[ActionItem]:
    rows = store.execute(con, f"SELECT {_ITEM_COLUMNS} FROM {_ITEMS} WHERE {where} ORDER BY {order}", params).rows
    return [ActionItem(*r) for r in rows]


def open_items(
    con: Connection, partner_id: int, partner_ids: tuple[int, ...] | None = None
) -> list[ActionItem]:
    """Action items still open, whichever meeting raised them: they carry over until closed."""
    _require_scope(partner_id, partner_ids)
    return _items(con, "partner_id = $partner_id AND status = 'open'", {"partner_id": partner_id},
                  "due_on NULLS LAST, item_id")


def meeting_items(
    con: Connection, meeting_id: int, partner_ids: tuple[int, ...] | None = None
) -> list[ActionItem]:
    """Items a meeting raised or changed the status of (its page in the minutes)."""
    params: dict[str, Any] = {"meeting_id": meeting_id}
    scope = scope_sql("partner_id", partner_ids, params)
    where = (f"(raised_in = $meeting_id OR item_id IN (SELECT item_id FROM action_item_events "
             f"WHERE meeting_id = $meeting_id)){scope}")
    return _items(con, where, params, "item_id")


def item_history(
    con: Connection, item_id: int, partner_ids: tuple[int, ...] | None = None
) -> list[ItemEvent]:
    """Every status an item has had, oldest first, with the meeting each change was made in."""
    params: dict[str, Any] = {"item_id": item_id}
    scope = scope_sql("i.partner_id", partner_ids, params)
    rows = store.execute(
        con,
        "SELECT e.item_id, e.meeting_id, e.status, e.note, timezone('UTC', e.changed_at), e.by_user "
        f"FROM action_item_events e JOIN action_items i USING (item_id) WHERE e.item_id = $item_id{scope} "
        "ORDER BY e.changed_at, e.rowid",
        params,
    ).rows
    return [ItemEvent(*r) for r in rows]


def activities(
    con: Connection,
    partner_id: int,
    period: Period | None = None,
    partner_ids: tuple[int, ...] | None = None,
    meeting_id: int | None = None,
) -> list[Activity]:
    """Training, co-listening and calibration sessions with the partner (those held in `period`,
    those recorded in the minutes of `meeting_id`)."""
    _require_scope(partner_id, partner_ids)
    start, end = (period.start, period.end) if period else (None, None)
    rows = store.execute(
        con, "SELECT activity_id, partner_id, kind, held_on, participants, notes, meeting_id FROM activities "
        "WHERE partner_id = ? AND (?::DATE IS NULL OR held_on >= ?) AND (?::DATE IS NULL OR held_on < ?) "
        "AND (?::INTEGER IS NULL OR meeting_id = ?) ORDER BY held_on, activity_id",
        [partner_id, start, start, end, end, meeting_id, meeting_id],
    ).rows
    return [Activity(*r) for r in rows]


# --- the meeting form's tables as domain values ---------------------------------------------------


def _text(value: Any) -> str:
    """A form cell as text: empty for None, NaN and NaT (what an untouched editor row holds)."""
    return "" if value is None or pd.isna(value) else str(value).strip()


def _day(value: Any) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def new_items(rows: Iterable[dict[str, Any]]) -> tuple[NewItem, ...]:
    """Rows of (title, owner, side, due): blank rows are skipped, a row without a title is a mistake."""
    items = []
    for row in rows:
        title, owner, side = _text(row.get("title")), _text(row.get("owner")), _text(row.get("side"))
        if not (title or owner or side):
            continue
        if not title:
            raise UserError(_("every new action item needs a title"))
        items.append(NewItem(title, owner, side or "partner", _day(row.get("due"))))
    return tuple(items)


def status_changes(rows: Iterable[dict[str, Any]]) -> tuple[StatusChange, ...]:
    """Rows of (item, status, note) for the open items; those left open are not changes."""
    return tuple(
        StatusChange(int(row["item"]), _text(row.get("status")), _text(row.get("note")))
        for row in rows if _text(row.get("status")) not in ("", "open")
    )


def new_activities(rows: Iterable[dict[str, Any]]) -> tuple[NewActivity, ...]:
    """Rows of (kind, date, participants, notes): blank rows skipped, a kind needs its date."""
    held = []
    for row in rows:
        kind, day = _text(row.get("kind")), _day(row.get("date"))
        if not (kind or day or _text(row.get("participants"))):
            continue
        if not kind or day is None:
            raise UserError(_("every activity needs a kind and a date"))
        held.append(NewActivity(kind, day, _text(row.get("participants")), _text(row.get("notes"))))
    return tuple(held)


def _one(found: tuple, mistake: str) -> Any:
    if not found:
        raise UserError(mistake)
    return found[0]


def edited_items(rows: Iterable[dict[str, Any]]) -> tuple[tuple[int, NewItem], ...]:
    """The edit form's rows of the items a meeting raised, as (item id, corrected item)."""
    return tuple((int(row["item"]), _one(new_items([row]), "every action item needs a title")) for row in rows)


def edited_activities(rows: Iterable[dict[str, Any]]) -> tuple[tuple[int, NewActivity], ...]:
    """The edit form's rows of the activities a meeting recorded, as (activity id, corrected activity)."""
    return tuple((int(row["activity"]), _one(new_activities([row]), "every activity needs a kind and a date"))
                 for row in rows)


@dataclass(frozen=True)
class Correction:
    """What the edit form collects for saved minutes; `edit_meeting` applies it in one go."""

    attendees: str
    notes: str
    decisions: str
    items: tuple[tuple[int, NewItem], ...] = ()
    activities: tuple[tuple[int, NewActivity], ...] = ()


# --- writes (inside the caller's store.writing() transaction) -----------------------------------


def _check_choice(value: str, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise UserError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")


def _check_item(item: NewItem) -> None:
    if not item.title.strip():
        raise UserError(_("an action item needs a title"))
    _check_choice(item.side, SIDES, "side")


def add_item(
    con: Connection, partner_id: int, item: NewItem, actor: str, meeting_id: int | None = None
) -> int:
    """Raise an action item (status open); its first event records who raised it and where."""
    _check_item(item)
    item_id = store.execute(
        con, "INSERT INTO action_items (partner_id, raised_in, title, owner, side, due_on) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING item_id",
        [partner_id, meeting_id, item.title.strip(), item.owner.strip(), item.side, item.due_on],
        what="save the action item",
    ).scalar()
    store.execute(
        con,
        "INSERT INTO action_item_events (item_id, meeting_id, status, note, by_user) VALUES (?, ?, 'open', 'raised', ?)",
        [item_id, meeting_id, actor], what="save the action item",
    )
    audit.record(con, actor, "action item raised", f"item {item_id} for {registry.partner_name(con, partner_id)}: {item.title.strip()}")
    return item_id


def set_status(
    con: Connection, change: StatusChange, actor: str, meeting_id: int | None = None,
    partner_id: int | None = None,
) -> None:
    """Close (done), drop or reopen an item; the change is recorded with the meeting it was made in."""
    _check_choice(change.status, STATUSES, "status")
    row = store.execute(con, "SELECT partner_id, status FROM action_items WHERE item_id = ?", [change.item_id]).one()
    if row is None or (partner_id is not None and row[0] != partner_id):
        raise UserError(_("there is no action item {item} for this partner").format(item=change.item_id))
    if row[1] == change.status:
        raise UserError(_("action item {item} is already {status}").format(item=change.item_id, status=change.status))
    closing = change.status != "open"
    store.execute(
        con,
        "UPDATE action_items SET status = ?, closed_in = ?, closed_at = CASE WHEN ? THEN now() END WHERE item_id = ?",
        [change.status, meeting_id if closing else None, closing, change.item_id], what="change the action item",
    )
    store.execute(
        con, "INSERT INTO action_item_events (item_id, meeting_id, status, note, by_user) VALUES (?, ?, ?, ?, ?)",
        [change.item_id, meeting_id, change.status, change.note, actor], what="change the action item",
    )
    audit.record(con, actor, f"action item {change.status}", f"item {change.item_id}: {change.note}".rstrip(": "))


def add_activity(
    con: Connection, partner_id: int, activity: NewActivity, actor: str, meeting_id: int | None = None
) -> int:
    _check_choice(activity.kind, ACTIVITY_KINDS, "activity kind")
    activity_id = store.execute(
        con, "INSERT INTO activities (partner_id, kind, held_on, participants, notes, meeting_id) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING activity_id",
        [partner_id, activity.kind, activity.held_on, activity.participants.strip(), activity.notes.strip(), meeting_id],
        what="save the activity",
    ).scalar()
    audit.record(con, actor, "activity recorded",
                 f"{activity.kind} on {periods.logged_day(activity.held_on)} for {registry.partner_name(con, partner_id)}")
    return activity_id


def save_meeting(
    con: Connection, partner_id: int, minutes: Minutes, snapshot: Snapshot, actor: str,
    shown_version: int | None = None,
) -> int:
    """Store the minutes, the figures they showed, new items, status changes and activities at once.

    `snapshot` is what the meeting showed: computed on this connection, or (from the page) computed
    at data version `shown_version`, which must still be the current one, so the frozen figures are
    exactly what the data said when the meeting was saved and not what it said an import ago. They
    are stamped with the save's time (the transaction's, as the meeting's `created_at`): the check
    above makes them the data's figures at that moment, whenever they were first computed.
    """
    if shown_version is not None and store.data_version(con) != shown_version:
        raise UserError(_(DATA_CHANGED))
    if (snapshot.period_start, snapshot.period_end) != (minutes.period.start, minutes.period.end):
        raise UserError(_("the figures shown are not those of the meeting's period: check them and save again"))
    saved_at = store.execute(con, "SELECT timezone('UTC', now())").scalar()
    snapshot = replace(snapshot, taken_at=saved_at.replace(microsecond=0, tzinfo=timezone.utc))
    meeting_id = store.execute(
        con, "INSERT INTO meetings (partner_id, held_on, period_start, period_end, attendees, notes, decisions, "
        "frozen_figures, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING meeting_id",
        [
            partner_id, minutes.held_on, minutes.period.start, minutes.period.end, minutes.attendees.strip(),
            minutes.notes.strip(), minutes.decisions.strip(), snapshot.to_json(), actor,
        ],
        what="save the meeting",
    ).scalar()
    for change in minutes.changes:
        set_status(con, change, actor, meeting_id=meeting_id, partner_id=partner_id)
    for item in minutes.new_items:
        add_item(con, partner_id, item, actor, meeting_id=meeting_id)
    for activity in minutes.activities:
        add_activity(con, partner_id, activity, actor, meeting_id=meeting_id)
    audit.record(
        con, actor, "meeting saved",
        f"meeting of {periods.logged_day(minutes.held_on)} for {registry.partner_name(con, partner_id)}, "
        f"period {periods.logged_days(minutes.period)}",
    )
    return meeting_id


def edit_meeting(
    con: Connection, meeting_id: int, correction: Correction, scope: Scope, seen_edits: int,
) -> int:
    """Correct saved minutes and return the edit's number; the frozen figures are left as they are.

    `seen_edits` is the meeting's edit counter when the form was opened: if someone edited the
    minutes since, the edit is refused rather than silently overwriting theirs. Refused too for a
    user who may not take minutes, and for a meeting outside the user's scope.
    """
    if not scope.takes_minutes:
        raise UserError(_("only the centre edits the minutes of a meeting"))
    meeting = get_meeting(con, meeting_id, scope.partner_ids)
    if meeting.edits != seen_edits:
        raise EditedMeanwhile(_("{person} edited these minutes at {moment} after you opened them: your edit is not "
                                "saved; make it again on the minutes as they are now").format(
            person=meeting.edited_by, moment=periods.clock_text(meeting.edited_at, settings.get(con, "reporting_tz"))))
    for _row, item in correction.items:
        _check_item(item)
    for _row, activity in correction.activities:
        _check_choice(activity.kind, ACTIVITY_KINDS, "activity kind")
    text = {name: getattr(correction, name).strip() for name in ("attendees", "notes", "decisions")}
    changes = _corrected(con, "meetings", "meeting_id", {meeting_id: {k: getattr(meeting, k) for k in text}},
                         [(meeting_id, text)], "")
    changes += _corrected(con, "action_items", "item_id", _owned(con, "action_items", "item_id", NewItem, "raised_in",
                          meeting_id), [(i, asdict(item)) for i, item in correction.items], "item")
    changes += _corrected(con, "activities", "activity_id", _owned(con, "activities", "activity_id", NewActivity,
                          "meeting_id", meeting_id), [(i, asdict(a)) for i, a in correction.activities], "activity")
    if not changes:
        raise UserError(_("nothing to save: the minutes are as they were"))
    edit_no = seen_edits + 1
    store.execute(con, "INSERT INTO meeting_edits (meeting_id, edit_no, edited_by, changes) VALUES (?, ?, ?, ?)",
                  [meeting_id, edit_no, scope.email, "; ".join(changes)], what="save the edit of the minutes")
    audit.record(con, scope.email, "meeting edited",
                 f"meeting of {periods.logged_day(meeting.held_on)} for {registry.partner_name(con, meeting.partner_id)}, "
                 f"edit {edit_no}: " + "; ".join(changes))
    return edit_no


def _owned(con: Connection, table: str, key: str, kind: type, link: str,
           meeting_id: int) -> dict[int, dict[str, Any]]:
    """The rows of `table` a meeting owns (linked by `link`), as id -> the columns `kind` names."""
    names = [f.name for f in fields(kind)]
    rows = store.execute(con, f"SELECT {key}, {', '.join(names)} FROM {table} WHERE {link} = ?", [meeting_id]).rows
    return {row[0]: dict(zip(names, row[1:])) for row in rows}


def _corrected(con: Connection, table: str, key: str, owned: dict[int, dict[str, Any]],
               edits: Iterable[tuple[int, dict[str, Any]]], what: str) -> list[str]:
    """Update the columns an edit changed in rows the meeting owns; returns each change in words."""
    changes = []
    for row_id, edit in edits:
        if row_id not in owned:
            raise UserError(f"{what} {row_id} is not one of this meeting's")
        after = {k: v.strip() if isinstance(v, str) else v for k, v in edit.items()}
        changed = {k: v for k, v in after.items() if v != owned[row_id][k]}
        if changed:
            store.execute(con, f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in changed)} WHERE {key} = ?",
                          [*changed.values(), row_id], what="save the edit of the minutes")
        name = f"{what} {row_id} " if what else ""
        changes += [f"{name}{k}: {_quoted(owned[row_id][k])} -> {_quoted(v)}" for k, v in changed.items()]
    return changes


def _quoted(value: Any, limit: int = 60) -> str:
    """A value as an audit line quotes it: long texts shortened, None as empty."""
    text = "" if value is None else str(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# --- the frozen record against today's data ------------------------------------------------------

# Trends shown beside the figures: at least this many weeks, ending with the period's last week (this
# many months for a month, periods.trend_step).
TREND_WEEKS = 13


def _records(frame: pd.DataFrame) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(frame.to_json(orient="records", date_format="iso", date_unit="s")))


QUEUE_COLUMNS = ("week", "queue", "offered", "answered", "abandoned", "overflowed", "service_level",
                 "abandon_rate", "asa_s", "aht_s")
EVALUATION_COLUMNS = ["evaluated_local", "queue", "agent_id", "evaluator", "call_id", "is_calibration", "score"]


def _queue_weeks(frame: pd.DataFrame) -> pd.DataFrame:
    """The partner's queues week by week (the rollup table, with the names the exports print)."""
    return frame.rename(columns={"period_start": "week", "group": "queue"})[list(QUEUE_COLUMNS)]


def _steady(value: Any) -> Any:
    """A float to 12 significant digits: DuckDB sums floats in parallel, so two reads of the same data
    can differ in the last bit, which would show as a difference and make the demo's record vary."""
    return float(f"{value:.12g}") if isinstance(value, float) else value


def take_snapshot(
    con: Connection, partner_id: int, period: Period, tz: str,
    partner_ids: tuple[int, ...] | None = None, *, word_target: Callable[[Figure], str | None],
    with_series: bool = True,
) -> Snapshot:
    """What a meeting (or a scorecard file) shows from the data: every scorecard figure with its
    target, status and sample size, in-house beside availability and quality as the benchmark, the
    weeks excused by volume above forecast, and the weekly series behind the charts.

    `word_target` writes a figure's target(s) as people read them; it is presentation's
    (reports.views.target_text, through reports.frames.snapshot), handed in so the record keeps the
    words the meeting saw without this layer importing the one above it. A month close keeps the
    figures only (`with_series=False`): its record draws no chart, and the series are most of the cost."""

    _require_scope(partner_id, partner_ids)
    scope = (partner_id,)
    card = scorecard.scorecard(con, partner_id, period, tz)
    house = scorecard.benchmark(con, card) if in_house_visible(con, partner_ids) else {}
    figures = tuple(
        FrozenFigure(
            family=f.family, metric=f.metric, label=f.label, unit=f.unit, value=_steady(f.value),
            target=list(f.target) if isinstance(f.target, tuple) else f.target, status=f.status,
            sample_size=f.sample_size if f.sample_size is not None or f.denominator is None else int(f.denominator),
            benchmark=_steady(house.get(f.metric)) if f.family in scorecard.PARTNER_SIDE else None,
            numerator=_steady(f.numerator), denominator=_steady(f.denominator),
            provisional_until=f.provisional_until.isoformat() if f.provisional_until else None,
            target_text=word_target(f), left_out=f.left_out, note=f.note,
            interval=[_steady(x) for x in f.interval] if f.interval else None, min_n=f.min_n, sum_squares=_steady(f.sum_squares),
            change_real=f.change_real, previous_value=_steady(f.previous_value),
        )
        for f in card.figures
    )
    taken_at = datetime.now(timezone.utc).replace(microsecond=0)
    if not with_series:
        return Snapshot(period.start, period.end, card.tz, taken_at, figures)
    covered = (periods.week(period.end - timedelta(days=1)).start - periods.week(period.start).start).days // 7 + 1
    weeks = max(TREND_WEEKS, covered) if periods.trend_step(period) == "week" else TREND_WEEKS  # or 13 months
    availability = reads.availability_trends(con, partner_id, period, tz, weeks)
    trends = pd.concat([availability, reads.quality_trends(con, partner_id, period, tz, weeks)], ignore_index=True)
    forecast = reads.forecast_weeks(con, partner_id, period, availability, tz)
    in_period = forecast[(forecast["week_start"] + timedelta(days=7) > period.start) & (forecast["week_start"] < period.end)]
    excused = tuple(label for label, flag in zip(in_period["period"], in_period["excused"]) if flag)
    return Snapshot(
        period.start, period.end, card.tz, taken_at, figures, excused,
        series={
            "trends": _records(trends), "forecast": _records(forecast),
            "queues": _records(_queue_weeks(tables.table(con, "week", "queue", period.start, period.end, tz, scope))),
            "evaluations": _records(series.qa_evaluations(con, period, tz, scope)[EVALUATION_COLUMNS]),
        },
    )



def compare(frozen: Snapshot, current: Snapshot) -> list[Difference]:
    """Each frozen figure beside today's value; figures new since the meeting are listed after."""
    now = {f.metric: f for f in current.figures}
    seen = {f.metric for f in frozen.figures}
    rows = [_difference(f, now.get(f.metric)) for f in frozen.figures]
    rows += [_difference(None, f) for f in current.figures if f.metric not in seen]
    return rows


def _difference(frozen: FrozenFigure | None, current: FrozenFigure | None) -> Difference:
    some = frozen or current
    assert some is not None
    return Difference(
        metric=some.metric,
        label=some.label,
        unit=some.unit,
        frozen_value=frozen.value if frozen else None,
        current_value=current.value if current else None,
        frozen_status=frozen.status if frozen else "not shown",
        current_status=current.status if current else "no data",
        frozen_sample=frozen.sample_size if frozen else None,
        current_sample=current.sample_size if current else None,
        real_change=_real_change(frozen, current),
    )


def _real_change(frozen: FrozenFigure | None, current: FrozenFigure | None) -> bool | None:
    """Whether a quality figure moved really since the meeting, by the test its scorecard uses
    (metrics.intervals.real_change); None for other figures and where either side lacks its sample."""
    m = BY_NAME.get((frozen or current).metric)  # type: ignore[union-attr]
    if frozen is None or current is None or m is None or m.interval is None:
        return None
    then = statuses.sample_of(m, frozen.numerator, frozen.denominator, frozen.sum_squares)
    now = statuses.sample_of(m, current.numerator, current.denominator, current.sum_squares)
    if m.interval != intervals.WILSON and (frozen.sum_squares is None or current.sum_squares is None):
        return None
    least = max(frozen.min_n or 2, current.min_n or 2)
    if now is None or then is None or min(now.n, then.n) < least:
        return None
    return intervals.real_change(m.interval, now, then)


def changed_only(differences: Iterable[Difference]) -> list[Difference]:
    return [d for d in differences if d.changed]
