"""The one clock: every "today", "this week" and "overdue by N days" asks here, never the wall.

The app and the CLI read the real date. `OVERFLOW_TODAY=YYYY-MM-DD` fixes it (the tests do, so they
hold on any day; an analyst can use it to see the app as it was on a given day). Today is the day in
the reporting zone, not the server's: a Stockholm manager's Monday starts at 00:00 Stockholm time
whatever zone the server runs in.
"""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

ENV = "OVERFLOW_TODAY"


class ClockError(ValueError):
    """OVERFLOW_TODAY does not hold a date."""


def fixed_day() -> dt.date | None:
    """The day OVERFLOW_TODAY fixes, or None when the real date applies."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ClockError(f"{ENV}={text!r} is not a date (YYYY-MM-DD)") from None


def today(tz: str = "Europe/Stockholm") -> dt.date:
    """Today in the reporting zone `tz`: OVERFLOW_TODAY when set, else the real date there."""
    return fixed_day() or dt.datetime.now(ZoneInfo(tz)).date()


def now() -> dt.datetime:
    """Now in UTC. With OVERFLOW_TODAY set it is noon UTC of that day, so ages ("waited 3 h") are fixed too."""
    day = fixed_day()
    if day is None:
        return dt.datetime.now(dt.timezone.utc)
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc)
