"""Reporting periods: days, ISO weeks, months or any range of days, cut in the reporting zone.

A period is a half-open range of local dates [start, end). Its UTC bounds come from zoneinfo, so a
DST day is 23 or 25 hours long without any special case.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date

from data import i18n
from data.errors import UserError
from data.i18n import _

GRAINS = ("interval", "hour", "day", "week", "month")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    grain: str  # 'day' | 'week' | 'month' | 'range'
    label: str

    def utc_bounds(self, tz: str) -> tuple[datetime, datetime]:
        """The UTC instants of local midnight at start and at end."""
        return local_midnight_utc(self.start, tz), local_midnight_utc(self.end, tz)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def text(self) -> str:
        """The period as people read it, last day included (`end` is the day after): 16–22 Nov 2026."""
        return days_text(self.start, self.end - timedelta(days=1))

    @property
    def named(self) -> str:
        """A week or month by its name and days as the reader names them (2026-W47, 16–22 Nov 2026;
        v. 47 2026, 16–22 nov. 2026); a day or range by its days. `label` stays the machine id."""
        if self.grain == "week":
            year, number, _weekday = self.start.isocalendar()
            return _("{year}-W{number:02d}, {days}").format(year=year, number=number, days=self.text)
        if self.grain == "month":
            return _("{month:yyyy-MM}, {days}").format(month=_Babel(self.start), days=self.text)
        return self.text


class _Babel:
    """A day that a message formats with a Babel date pattern in its placeholder ('{month:LLLL y}'),
    so a translation chooses how a month is named (2026-11 / november 2026)."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __format__(self, pattern: str) -> str:
        return format_date(self.day, pattern, locale=i18n.locale())


def day_text(day: date) -> str:
    """A day as every screen and pack writes it: 24 Nov 2026 / 24 nov. 2026."""
    return i18n.date(day)


def days_text(first: date, last: date) -> str:
    """Days from `first` to `last` inclusive, the one way the app writes a span:
    1 Nov 2026, 1–23 Nov 2026, 26 Oct–1 Nov 2026, 28 Dec 2026–3 Jan 2027 (16–22 nov. 2026)."""
    if first == last:
        return day_text(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{day_text(last)}"
    if first.year == last.year:
        return f"{i18n.date(first, with_year=False)}–{day_text(last)}"
    return f"{day_text(first)}–{day_text(last)}"


def logged_day(day: date) -> str:
    """A day as stored text (the audit log) writes it: in English whatever the reader's language, so the
    log reads one way (24 Nov 2026)."""
    with i18n.language(i18n.DEFAULT):
        return day_text(day)


def logged_days(period: Period) -> str:
    """A period's days as stored text writes them (English: 16–22 Nov 2026)."""
    with i18n.language(i18n.DEFAULT):
        return period.text


def clock_text(moment: datetime, tz: str) -> str:
    """A moment in the reporting zone, as the app writes times (naive values are UTC, as the
    database hands them back): 24 Nov 2026 17:31."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(zone(tz))
    return f"{day_text(local.date())} {i18n.clock(local)}"


def zone(tz: str) -> ZoneInfo:
    """The zone by IANA name; a wrong name is the user's mistake, told in one line."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(_("unknown time zone {zone}; use an IANA name such as Europe/Stockholm").format(zone=repr(tz))) from None


def local_midnight_utc(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(timezone.utc)


def day(d: date) -> Period:
    return Period(d, d + timedelta(days=1), "day", d.isoformat())


def week(d: date) -> Period:
    """The ISO week (Monday first) that holds `d`."""
    monday = d - timedelta(days=d.isoweekday() - 1)
    year, number, _weekday = monday.isocalendar()
    return Period(monday, monday + timedelta(days=7), "week", f"{year}-W{number:02d}")


def month(d: date) -> Period:
    first = d.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following, "month", first.strftime("%Y-%m"))


def between(start: date, end: date) -> Period:
    """Any range of local days [start, end), e.g. a meeting's or an agreement's period."""
    if end <= start:
        raise UserError(_("the period end {end} must be after its start {start}").format(end=end, start=start))
    return Period(start, end, "range", f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}")


# The years a period may lie in: call data before 1900 or after 2199 is a typing mistake (a link's
# ?period=9999-12 used to raise OverflowError on every page).
FIRST_DAY, END_DAY = date(1900, 1, 1), date(2200, 1, 1)


def parse(text: str) -> Period:
    """'2026-W47' (ISO week), '2026-11' (month), '2026-11-23' (day) or '2026-11-01..2026-11-30' (days, inclusive)."""
    text = text.strip()
    found = None
    try:
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", text):
            found = week(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            found = month(date.fromisoformat(text + "-01"))
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            found = day(date.fromisoformat(text))
        elif m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            found = between(date.fromisoformat(m[1]), date.fromisoformat(m[2]) + timedelta(days=1))
    except (ValueError, OverflowError):  # 9999-12 ends in the year 10000, which no date holds
        found = None
    if found is not None and FIRST_DAY <= found.start and found.end <= END_DAY:
        return found
    if found is not None:
        raise UserError(_("the period {text} is outside the years {first}–{last} this tool reports on").format(
            text=repr(text), first=FIRST_DAY.year, last=END_DAY.year - 1))
    raise UserError(_("cannot read the period {text}; write 2026-W47, 2026-11, 2026-11-23 or 2026-11-01..2026-11-30").format(
        text=repr(text)))


def last_complete_week(today: date) -> Period:
    """The latest ISO week that ended before `today`."""
    return week(today - timedelta(days=7))


def previous(period: Period) -> Period:
    """The period of the same kind just before: last week, last month, the day before, or an equal-length range."""
    if period.grain == "week":
        return week(period.start - timedelta(days=7))
    if period.grain == "month":
        return month(period.start - timedelta(days=1))
    if period.grain == "day":
        return day(period.start - timedelta(days=1))
    return between(period.start - timedelta(days=period.days), period.start)


def weeks_ending(period: Period, count: int) -> list[Period]:
    """`count` ISO weeks, oldest first, the last one holding the period's last day."""
    last = week(period.end - timedelta(days=1))
    return [week(last.start - timedelta(days=7 * i)) for i in reversed(range(count))]


def trend_step(period: Period) -> str:
    """The grain of a period's trend points: months for a month (issue 16: a monthly scorecard's trend
    ran in ISO weeks to W49 for November, taking in December days), ISO weeks for any other period."""
    return "month" if period.grain == "month" else "week"


def steps_ending(period: Period, count: int) -> list[Period]:
    """`count` trend points of the period's step (trend_step), oldest first, the last holding its last day."""
    if trend_step(period) == "week":
        return weeks_ending(period, count)
    found = [month(period.end - timedelta(days=1))]
    while len(found) < count:
        found.insert(0, month(found[0].start - timedelta(days=1)))
    return found


def of_grain(d: date, grain: str) -> Period:
    """The week (ISO) or month that holds `d`."""
    return month(d) if grain == "month" else week(d)
