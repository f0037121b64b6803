"""Opening hours per partner, as versions: which local times count for interval attainment, from which day.

A version is a whole week of open spans from its valid_from (a local day) until the next version's,
like an agreement, so a change never re-judges past weeks. Versions are never updated or deleted.
Hours are written as text a person reads back, `mon-fri 08:00-20:00; sat 10:00-16:00`: the CLI and
the Agreements page take the same text, and a version is shown in it. A span whose close is not
after its open passes midnight (`fri 22:00-02:00` covers Saturday 00:00-02:00); a close at
midnight is written 24:00 (00:00 is read the same), so `00:00-24:00` is the whole day. Days not
named are closed. Spans of one version may touch but not overlap (see `refuse_overlaps`). The
rollups count turned-away legs routed inside the hours (a miss of the partner's, against the
centre's misrouting outside them), so a new version rebuilds the partner's rollups.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby

from data import audit, rollups, store
from data.errors import UserError
from data.i18n import _
from data.store import Connection
from partners import periods, registry

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
AROUND_THE_CLOCK = "around the clock"
DAY_MIN = 24 * 60
WEEK_MIN = 7 * DAY_MIN
EXAMPLE = "mon-fri 08:00-20:00; sat 10:00-16:00"


@dataclass(frozen=True, order=True)
class Span:
    """Open on iso_weekday from opens_at until closes_at (the next day when closes_at <= opens_at)."""
    iso_weekday: int
    opens_at: time
    closes_at: time

    @property
    def week_minutes(self) -> tuple[int, int]:
        """[start, end) in minutes from Monday 00:00; end passes the week's end for a Sunday span past midnight."""
        opens = self.opens_at.hour * 60 + self.opens_at.minute
        length = (self.closes_at.hour * 60 + self.closes_at.minute - opens) % DAY_MIN or DAY_MIN
        start = (self.iso_weekday - 1) * DAY_MIN + opens
        return start, start + length

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.iso_weekday - 1][:3]} {_clock(self)}"


@dataclass(frozen=True)
class HoursVersion:
    version_id: int
    valid_from: date
    valid_to: date | None   # exclusive; None = still in force; == valid_from: replaced on its first day
    hours: str
    created_at: datetime
    created_by: str | None
    note: str


def parse(text: str) -> tuple[Span, ...]:
    """`mon-fri 08:00-20:00; sat 10:00-12:00, 13:00-16:00` (or `around the clock`) -> sorted spans.

    A span given twice is kept twice, so `refuse_overlaps` can name it instead of dropping it unseen.
    """
    if text.strip().lower() == AROUND_THE_CLOCK:
        return tuple(Span(day, time(0), time(0)) for day in range(1, 8))
    spans: list[Span] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        days, _space, times = part.partition(" ")
        if not times.strip():
            raise UserError(_("opening hours {hours} need days and times, e.g. {example}").format(
                hours=repr(part), example=EXAMPLE))
        spans += [Span(day, *_times(span)) for day in _days(days) for span in times.split(",")]
    if not spans:
        raise UserError(_("say when the partner is open, e.g. {example}, or {always}").format(
            example=EXAMPLE, always=AROUND_THE_CLOCK))
    return tuple(sorted(spans))


def _days(text: str) -> list[int]:
    """`mon-fri,sun` -> [1, 2, 3, 4, 5, 7]; a range may wrap past Sunday (`sat-mon`)."""
    days = []
    for item in text.split(","):
        first, _, last = item.partition("-")
        start = _weekday(first)
        end = _weekday(last) if last else start
        days += [(start - 1 + step) % 7 + 1 for step in range((end - start) % 7 + 1)]
    return days


def _weekday(name: str) -> int:
    word = name.strip().lower()
    for number, weekday in enumerate(WEEKDAYS, start=1):
        if len(word) >= 3 and weekday.startswith(word):
            return number
    raise UserError(_("unknown weekday {day}; use mon, tue, wed, thu, fri, sat, sun or a range like mon-fri").format(
        day=repr(name.strip())))


def _times(text: str) -> tuple[time, time]:
    opens, dash, closes = text.strip().partition("-")
    if not dash:
        raise UserError(_("opening hours {hours} need an open and a close time, e.g. 08:00-20:00").format(
            hours=repr(text.strip())))
    return _time(opens), _time(closes)


def _time(text: str) -> time:
    """`08:00` -> time(8); `24:00` is midnight, the same as `00:00`."""
    hours, colon, minutes = text.strip().partition(":")
    if colon and hours.isdigit() and minutes.isdigit() and len(minutes) == 2:
        if (int(hours), int(minutes)) == (24, 0):
            return time(0)
        if int(hours) < 24 and int(minutes) < 60:
            return time(int(hours), int(minutes))
    raise UserError(_("not a time of day (HH:MM, 00:00-24:00): {text}").format(text=repr(text.strip())))


def refuse_overlaps(spans: tuple[Span, ...]) -> None:
    """One line naming the first two spans that share a minute of the week, else nothing.

    The metrics would not count an overlap twice (inside_opening_hours asks whether *some* span
    holds a time), but an overlap is a typing mistake that hides what the partner really agreed,
    so it is refused, like a time that does not exist. Spans that touch (08:00-12:00, 12:00-14:00)
    share no minute; a span past Sunday midnight is checked against Monday's.
    """
    ordered = sorted(spans)
    for number, first in enumerate(ordered):
        for second in ordered[number + 1:]:
            if first == second:
                raise UserError(_("opening hours name {span} twice; give each span once").format(span=first))
            if _overlap(first.week_minutes, second.week_minutes):
                raise UserError(_("opening hours overlap: {first} and {second} (spans may touch, not overlap)").format(
                    first=first, second=second))


def _overlap(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two [start, end) week-minute spans share a minute, this week or across the week's end."""
    return any(first[0] < second[1] + shift and second[0] + shift < first[1] for shift in (-WEEK_MIN, 0, WEEK_MIN))


def _clock(span: Span) -> str:
    """`08:00-20:00`; a close at midnight shows as 24:00."""
    return f"{span.opens_at:%H:%M}-{span.closes_at:%H:%M}".replace("-00:00", "-24:00")


def describe(spans: tuple[Span, ...]) -> str:
    """The text `parse` reads back: days with the same spans grouped, `closed` when there are none."""
    if spans == parse(AROUND_THE_CLOCK):
        return AROUND_THE_CLOCK
    by_day = {day: ", ".join(_clock(s) for s in group)
              for day, group in groupby(sorted(spans), key=lambda s: s.iso_weekday)}
    parts = {}
    for day, times in by_day.items():
        parts.setdefault(times, []).append(day)
    return "; ".join(f"{_day_ranges(days)} {times}" for times, days in parts.items()) or "closed"


def _day_ranges(days: list[int]) -> str:
    """[1, 2, 3, 5] -> `mon-wed,fri`."""
    runs = [[day for _, day in run] for _, run in groupby(enumerate(days), key=lambda pair: pair[1] - pair[0])]
    short = [WEEKDAYS[run[0] - 1][:3] + (f"-{WEEKDAYS[run[-1] - 1][:3]}" if len(run) > 1 else "") for run in runs]
    return ",".join(short)


def add_version(con: Connection, partner_id: int, valid_from: date, spans: tuple[Span, ...], *,
                actor: str, note: str = "") -> int:
    """Record a new hours version (inside the caller's transaction) with its audit line, and rebuild
    the partner's rollups; returns its id.

    Every writer (CLI, Agreements page, demo) comes through here, so overlaps are refused here. The
    rebuild is needed because the rollups count turned-away legs inside the opening hours, and the
    customer's call (call_journeys) keeps whether each call reached the partner inside them.
    """
    refuse_overlaps(spans)
    if not store.execute(con, "SELECT 1 FROM partners WHERE partner_id = $p", {"p": partner_id}).rows:
        raise UserError(_("there is no partner with id {partner}").format(partner=partner_id))
    version_id = store.execute(
        con, "INSERT INTO hours_versions (partner_id, valid_from, created_by, note) VALUES ($p, $d, $by, $note) "
             "RETURNING version_id", {"p": partner_id, "d": valid_from, "by": actor, "note": note}).rows[0][0]
    store.execute_many(con, "INSERT INTO opening_hours VALUES (?, ?, ?, ?)",
                       [(version_id, s.iso_weekday, s.opens_at, s.closes_at) for s in spans],
                       what="save the opening hours")
    audit.record(con, actor, "hours.add",
                 f"{registry.partner_name(con, partner_id)} from {periods.logged_day(valid_from)}: {describe(spans)}")
    rollups.refresh_hours(con, partner_id, valid_from)
    return version_id


def history(con: Connection, partner_id: int) -> list[HoursVersion]:
    """Every version of the partner, newest first, with the day it stopped applying."""
    rows = store.execute(con, """
        SELECT v.version_id, v.valid_from, CASE WHEN s.version_id IS NULL THEN v.valid_from ELSE s.valid_to END,
               list({'iso_weekday': h.iso_weekday, 'opens_at': h.opens_at, 'closes_at': h.closes_at})
                   FILTER (WHERE h.version_id IS NOT NULL),
               CAST(v.created_at AT TIME ZONE 'UTC' AS TIMESTAMP), v.created_by, v.note
        FROM hours_versions v
        LEFT JOIN hours_spans s ON s.version_id = v.version_id
        LEFT JOIN opening_hours h ON h.version_id = v.version_id
        WHERE v.partner_id = $p
        GROUP BY ALL
        ORDER BY v.valid_from DESC, v.version_id DESC""", {"p": partner_id}).rows
    return [HoursVersion(vid, start, end, describe(tuple(Span(**s) for s in spans or ())), *rest)
            for vid, start, end, spans, *rest in rows]


class Opening:
    """Every partner's opening hours in force day by day, to judge local times in Python with exactly
    the answer of the store's `inside_opening_hours` macro (data/migrations/0004_opening_hours.sql):
    in-house (None) is always open; a partner before its first version is open around the clock;
    else a local time is inside when a span of the version in force on the span's own start day
    (that day, or the day before for a span passing midnight) holds it. Read once per read-only
    connection (`opening`): a page judges thousands of 15-minute intervals with the same few spans,
    which DuckDB's correlated macro planned and ran per statement."""

    def __init__(self, first_from: dict[int, date],
                 versions: dict[int, list[tuple[date, date | None, tuple[tuple[int, time, time], ...]]]]) -> None:
        self._first_from = first_from   # each partner's earliest version's valid_from
        self._versions = versions       # per partner: (valid_from, valid_to, spans) of hours_spans
        self._windows: dict[tuple[int, date], tuple[tuple[datetime, datetime], ...]] = {}
        self._judged: dict[tuple[int | None, datetime], bool] = {}  # a page asks of the same intervals again

    def inside(self, partner_id: int | None, local: datetime) -> bool:
        """Whether `local` (wall-clock time in the partner's queues' zone) is inside its opening hours."""
        found = self._judged.get((partner_id, local))
        if found is None:
            found = self._judged[(partner_id, local)] = self._inside(partner_id, local)
        return found

    def _inside(self, partner_id: int | None, local: datetime) -> bool:
        if partner_id is None:
            return True
        day = local.date()
        first = self._first_from.get(partner_id)
        if first is None or first > day:
            return True
        windows = self._windows.get((partner_id, day))
        if windows is None:
            windows = self._windows[(partner_id, day)] = self._open_windows(partner_id, day)
        for opens, closes in windows:  # a loop, not any(genexpr): thousands of intervals a page run
            if opens <= local < closes:
                return True
        return False

    def _open_windows(self, partner_id: int, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The [open, close) wall-clock times of the spans starting on `day` or the day before, each
        from the version in force on its own start day."""
        windows = []
        for start in (day - timedelta(days=1), day):
            spans = next((spans for valid_from, valid_to, spans in self._versions.get(partner_id, ())
                          if valid_from <= start and (valid_to is None or start < valid_to)), ())
            for weekday, opens_at, closes_at in spans:
                if weekday == start.isoweekday():
                    closes_day = start + timedelta(days=1) if closes_at <= opens_at else start
                    windows.append((datetime.combine(start, opens_at), datetime.combine(closes_day, closes_at)))
        return tuple(windows)


def opening(con: Connection) -> Opening:
    """Every partner's hours versions as an `Opening`, read once per read-only connection."""
    return store.remembered(con, ("opening hours",), lambda: _read_opening(con))


def _read_opening(con: Connection) -> Opening:
    """The versions in force as the view hours_spans gives them (a day's latest version; each valid
    until the partner's next day with one), worked out here from the two plain tables: the view's
    window functions cost DuckDB 9-27 ms a page run, the plain read under 2 ms."""
    rows = store.execute(con, """
        SELECT v.partner_id, v.valid_from, v.version_id, h.iso_weekday, h.opens_at, h.closes_at
        FROM hours_versions v
        LEFT JOIN opening_hours h ON h.version_id = v.version_id""", what="read the opening hours").rows
    latest: dict[tuple[int, date], int] = {}
    spans: dict[int, list[tuple[int, time, time]]] = {}
    for partner_id, valid_from, version_id, weekday, opens_at, closes_at in rows:
        key = (partner_id, valid_from)
        latest[key] = max(latest.get(key, version_id), version_id)
        if weekday is not None:
            spans.setdefault(version_id, []).append((weekday, opens_at, closes_at))
    first_from: dict[int, date] = {}
    versions: dict[int, list[tuple[date, date | None, tuple[tuple[int, time, time], ...]]]] = {}
    for partner_id, days in groupby(sorted(latest), key=lambda key: key[0]):
        starts = [valid_from for _partner, valid_from in days]
        first_from[partner_id] = starts[0]
        versions[partner_id] = [(start, end, tuple(sorted(spans.get(latest[partner_id, start], ()))))
                                for start, end in zip(starts, [*starts[1:], None])]
    return Opening(first_from, versions)
