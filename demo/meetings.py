"""Demo service meetings: a monthly meeting per partner with minutes, action items and activities.

The minutes follow each partner's character (see demo/builder.py), and the action items move the way
they do in life: most are done by the next meeting, some are carried over a few times, some are
dropped, and the latest ones (plus a few stubborn ones) are still open, so the next meeting has
something to check.
"""
from __future__ import annotations

import dataclasses
import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from data import settings, store
from data.store import Connection
from partners import periods, registry
from reports import frames

CENTRE = ("Eva Holm (vendor manager)", "Peter Sand (contact-centre manager)")
CENTRE_QA = "Maria Berg (QA)"
CLOSING_NOTES = {"done": "checked in the meeting: done", "dropped": "no longer needed: dropped"}
# Freezing a meeting runs the snapshot that saving one runs (0.5 s of CPU at 20k legs, 0.7 s at 1M),
# so only each partner's latest meetings are frozen: all 72 would add 35-50 s to the demo.
FROZEN_PER_PARTNER = 2


@dataclass(frozen=True)
class Minutes:
    """What one partner's meetings are about: people, recurring notes, decisions and action items."""

    weekday: int                                  # 0 = Monday: the partner's usual meeting day
    partner_people: tuple[str, ...]
    notes: tuple[str, ...]
    decisions: tuple[str, ...]
    items: tuple[tuple[str, str, str], ...]       # (title, side, owner)


MINUTES: dict[str, Minutes] = {
    "Nordic Reliable": Minutes(
        1, ("Karin Dahl (site manager)", "Lars Nyberg (QA lead)"),
        ("Service level above target every week; abandon rate stable and low.",
         "QA scores in line with in-house; no critical fails this month.",
         "Volume share inside the band; partner asks for earlier notice of campaign weeks.",
         "CSAT on par with in-house; two complaints reviewed together, both closed."),
        ("Keep the current staffing plan.", "Partner joins the next product training.",
         "Share the callback routine with the other partners."),
        (("Send the campaign calendar for next quarter", "centre", "Eva Holm"),
         ("Share the callback routine as a written guide", "partner", "Karin Dahl"),
         ("Invite two partner agents to the product training", "centre", "Peter Sand"),
         ("Review knowledge-base articles flagged by partner agents", "centre", "Maria Berg")),
    ),
    "FlexiCall": Minutes(
        2, ("Dana Pop (site manager)", "Radu Ionescu (workforce planner)"),
        ("Weekly service level near target, but Monday and evening intervals far below it.",
         "Logged-in hours on Mondays well under contract; abandons peak after 17:00.",
         "Interval attainment low in evenings; partner cites sick leave and evening rota gaps.",
         "Quality acceptable; customers complain about waiting, not about answers."),
        ("Partner to staff evenings to contract from next month.",
         "Centre keeps the agreed volume share also on Mondays.",
         "Weekly roster review until Monday staffing meets contract."),
        (("Add two agents to the Monday 08-12 rota", "partner", "Radu Ionescu"),
         ("Fill evening shifts Mon-Thu 17-22 to contracted hours", "partner", "Dana Pop"),
         ("Send the weekly roster for Mondays two weeks ahead", "partner", "Radu Ionescu"),
         ("Share the interval forecast one week earlier", "centre", "Eva Holm"),
         ("Report sick-leave cover plan", "partner", "Dana Pop")),
    ),
    "QuickServe": Minutes(
        3, ("Mehmet Kaya (site manager)", "Olga Berg (team leader)"),
        ("Fast answers and short handle times, but QA well below target.",
         "Transfers back to in-house remain high; in-house agents report simple questions sent back.",
         "Repeat calls within 7 days higher than in-house and the other partners.",
         "Critical fails on identity checks in two evaluations; reviewed in calibration."),
        ("Monthly training on billing and identity checks.",
         "Co-listening: two partner agents per week listen in at Customer Service.",
         "Transfer-back reasons to be logged for every transfer."),
        (("Refresher training on invoices and payment plans", "partner", "Olga Berg"),
         ("Log the reason for every transfer back to in-house", "partner", "Mehmet Kaya"),
         ("Co-listening: two agents per week at Customer Service", "partner", "Olga Berg"),
         ("Update the knowledge base on the top 10 transfer reasons", "centre", "Maria Berg"),
         ("Identity-check coaching for agents with a critical fail", "partner", "Olga Berg"),
         ("Give partner agents read access to invoice history", "centre", "Peter Sand")),
    ),
}


def seeded(seed: int, *salt: object) -> random.Random:
    """A generator for the small tables, deterministic for the seed and salt."""
    return random.Random(hashlib.sha256(repr((seed, *salt)).encode()).digest())


def _at(day: date, hour: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(zone)).astimezone(timezone.utc)


def _meeting_days(weekday: int, start: date, end: date) -> list[date]:
    """The first `weekday` of each month after `start`, before `end`."""
    days = []
    month = date(start.year, start.month, 1)
    while True:
        month = (month + timedelta(days=32)).replace(day=1)
        held = month + timedelta(days=(weekday - month.weekday()) % 7)
        if held >= end:
            return days
        days.append(held)


def write_meetings(con: Connection, seed: int, start: date, end: date, zone: str) -> None:
    """Meetings, action items with their status history, and activities for every demo partner."""
    for partner, minutes in MINUTES.items():
        partner_id = registry.partner_id(con, partner)
        rng = seeded(seed, "meetings", partner)
        days = _meeting_days(minutes.weekday, start, end)
        meeting_ids = [_meeting(con, rng, partner_id, minutes, held, start, zone) for held in days]
        events = []
        for index in range(len(meeting_ids)):
            for item in rng.sample(minutes.items, rng.randint(1, 3)):
                events += _action_item(con, rng, partner_id, item, index, meeting_ids, days, zone)
        _insert_rows(con, "action_item_events (item_id, meeting_id, status, note, changed_at, by_user)", events)
        _insert_rows(con, "activities (partner_id, kind, held_on, participants, notes)",
                     _activities(rng, partner_id, partner, minutes, days, end))
    _calibration_activities(con)


def freeze_latest(con: Connection) -> None:
    """Store with each partner's latest meetings the figures saving them would have frozen, from the
    demo's data for their period and dated at the meeting (so the demo stays deterministic). Run
    after the rollups: nothing is imported late, so a reopened meeting shows no differences."""
    tz = settings.get(con, "reporting_tz")
    rows = store.execute(
        con, """SELECT meeting_id, partner_id, period_start, period_end, timezone('UTC', created_at)
           FROM (SELECT *, row_number() OVER (PARTITION BY partner_id ORDER BY held_on DESC) AS latest FROM meetings)
           WHERE latest <= ? ORDER BY meeting_id""", [FROZEN_PER_PARTNER]).rows
    for meeting_id, partner_id, start, end, held_at in rows:
        snapshot = frames.snapshot(con, partner_id, periods.between(start, end), tz)
        frozen = dataclasses.replace(snapshot, taken_at=held_at.replace(tzinfo=timezone.utc))
        store.execute(con, "UPDATE meetings SET frozen_figures = ? WHERE meeting_id = ?",
                      [frozen.to_json(), meeting_id])


def _insert_rows(con: Connection, table: str, rows: list[tuple]) -> None:
    """One multi-row INSERT with bound values (executemany runs one statement per row: far slower)."""
    if not rows:
        return
    placeholders = "(" + ", ".join(["?"] * len(rows[0])) + ")"
    store.execute(con, f"INSERT INTO {table} VALUES " + ", ".join([placeholders] * len(rows)),
                  [value for row in rows for value in row])


def _meeting(con: Connection, rng: random.Random, partner_id: int, minutes: Minutes,
             held: date, start: date, zone: str) -> int:
    period_end = held.replace(day=1)
    period_start = max(start, (period_end - timedelta(days=1)).replace(day=1))
    attendees = [*CENTRE, *( [CENTRE_QA] if rng.random() < 0.5 else [] ), *minutes.partner_people]
    return store.execute(
        con, """INSERT INTO meetings (partner_id, held_on, period_start, period_end, attendees, notes, decisions,
               created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'demo') RETURNING meeting_id""",
        [partner_id, held, period_start, period_end, "; ".join(attendees),
         " ".join(rng.sample(minutes.notes, 2)), rng.choice(minutes.decisions), _at(held, 15, zone)],
    ).scalar()


def _fate(rng: random.Random, index: int, count: int) -> tuple[str, int | None]:
    """How an item raised at meeting `index` ends: (status, index of the closing meeting or None)."""
    draw = rng.random()
    if draw < 0.6:
        status, closes = "done", index + 1
    elif draw < 0.72:
        status, closes = "done", index + 2 + rng.randint(0, 2)
    elif draw < 0.84:
        status, closes = "dropped", index + 1 + rng.randint(0, 1)
    else:
        status, closes = "open", None
    if closes is None or closes >= count:
        return "open", None
    return status, closes


def _action_item(con: Connection, rng: random.Random, partner_id: int, item: tuple[str, str, str],
                 index: int, meeting_ids: list[int], days: list[date], zone: str) -> list[tuple]:
    """Insert one action item; returns its status history (action_item_events rows).

    As in meetings/meetings.py, an item's history is the event that raised it and the one that
    closed it; an item carried over is simply still open at the later meetings.
    """
    title, side, owner = item
    status, closes = _fate(rng, index, len(meeting_ids))
    if status == "open" and index < len(meeting_ids) - 6 and rng.random() < 0.7:
        status, closes = "done", index + 6
    closed_in = meeting_ids[closes] if closes is not None else None
    closed_at = _at(days[closes], 11, zone) if closes is not None else None
    item_id = store.execute(
        con,
        """INSERT INTO action_items (partner_id, raised_in, title, owner, side, due_on, status, closed_in, closed_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING item_id""",
        [partner_id, meeting_ids[index], title, owner, side, days[index] + timedelta(days=28), status,
         closed_in, closed_at],
    ).scalar()
    events = [(meeting_ids[index], "open", "raised", _at(days[index], 11, zone))]
    if closes is not None:
        events.append((closed_in, status, CLOSING_NOTES[status], closed_at))
    return [(item_id, *event, "demo") for event in events]


def _activities(rng: random.Random, partner_id: int, partner: str, minutes: Minutes, days: list[date],
                end: date) -> list[tuple]:
    """Co-listening every month, training every quarter (every month for QuickServe's second year)."""
    rows = []
    for index, held in enumerate(days):
        listening = held + timedelta(days=7 + rng.randint(0, 10))
        if listening < end:
            rows.append((partner_id, "co-listening", listening,
                         f"{minutes.partner_people[1]}; 2 partner agents; Customer Service team leader",
                         f"{partner} agents listened in at Customer Service; centre QA listened to partner calls."))
        monthly_training = partner == "QuickServe" and index >= len(days) // 2
        if monthly_training or index % 3 == 0:
            training = held + timedelta(days=14 + rng.randint(0, 5))
            if training < end:
                rows.append((partner_id, "training", training, f"{minutes.partner_people[1]}; partner agents",
                             rng.choice(("Product update", "Billing and payment plans", "Identity checks",
                                         "Complaint handling"))))
    return rows


def _calibration_activities(con: Connection) -> None:
    """One activity per calibration session in the QA data, with the evaluators who took part."""
    store.execute(
        con, """INSERT INTO activities (partner_id, kind, held_on, participants, notes)
           SELECT q.partner_id, 'calibration', min(e.evaluated_at)::DATE,
                  string_agg(DISTINCT e.evaluator, '; ' ORDER BY e.evaluator) FILTER (WHERE NOT e.is_agreed),
                  'Calibration session ' || e.calibration_session
           FROM qa_evaluations e JOIN queues q USING (queue_id)
           WHERE e.is_calibration AND q.partner_id IS NOT NULL
           GROUP BY q.partner_id, e.calibration_session
           ORDER BY 3, 1, 5""")
