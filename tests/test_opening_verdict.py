"""Whether a 15-minute interval starts inside its partner's opening hours is judged in Python
(partners.hours.Opening) instead of by the store's `inside_opening_hours` macro inside the interval
statement (issue 22: the macro was most of the statement's planning). The verdict must be the
macro's, asked of DuckDB directly: for every quarter hour and odd minutes around both DST changes
of 2026 in Europe/Stockholm (29 March, 25 October), across hours versions changing mid-week, a
version replaced on its own first day, spans past midnight, a partner without hours, in-house; and
on the demo, the interval rows of weeks and a month (the DST weeks, the week a partner's hours
changed) equal those of the statement with the macro, the route before."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from data import store
from metrics import measures
from partners import hours, periods

TZ = "Europe/Stockholm"
# Acme (1): versions changing on a Wednesday, on the spring DST Sunday, and in the autumn DST week;
# the last replaced on its own first day. Bravo (2): no hours at all (open around the clock).
VERSIONS = [
    (date(2026, 3, 25), "mon-fri 08:00-20:00; sat 23:00-03:00"),
    (date(2026, 3, 29), "fri 22:00-02:00; sat 02:00-03:00; sun 00:00-02:00, 03:00-04:00"),
    (date(2026, 10, 21), "around the clock"),
    (date(2026, 10, 25), "mon-sun 21:00-02:00"),
    (date(2026, 10, 28), "tue 09:00-17:00"),
    (date(2026, 10, 28), "wed-thu 00:00-24:00; sat 12:00-00:00"),  # replaces the one before on its first day
]


@pytest.fixture
def acme(db):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme'), (2, 'Bravo')")
        con.execute("INSERT INTO queues (queue_id, name, partner_id, time_zone) VALUES "
                    "(1, 'acme', 1, 'Europe/Stockholm'), (2, 'bravo', 2, 'Europe/Stockholm')")
        for valid_from, text in VERSIONS:
            hours.add_version(con, 1, valid_from, hours.parse(text), actor="test")
    return db


def _local_times() -> list[datetime]:
    """Every quarter hour and every 7th minute of the days around both changes, as wall-clock times."""
    found = set()
    for first, last in ((datetime(2026, 3, 20), datetime(2026, 4, 6)), (datetime(2026, 10, 15), datetime(2026, 11, 6))):
        for step in (timedelta(minutes=15), timedelta(minutes=7)):
            at = first
            while at < last:
                found.add(at)
                at += step
    return sorted(found)


def test_the_python_verdict_is_the_macros_for_every_time_around_both_dst_changes(acme):
    times = _local_times()
    with store.reading(acme) as con:
        opening = hours.opening(con)
        for partner in (1, 2, None):
            macro = dict(con.execute("SELECT t, inside_opening_hours($p, t) FROM unnest($times::TIMESTAMP[]) AS u(t)",
                                     {"p": partner, "times": times}).fetchall())
            mine = {t: opening.inside(partner, t) for t in times}
            assert mine == macro, partner
            if partner == 1:  # the cases are there: closed and open times, before and after each version
                assert sum(mine.values()) > 500 and sum(not v for v in mine.values()) > 500
                assert mine[datetime(2026, 3, 20, 12)] is True  # before the first version: open around the clock
    # By hand, at the edges: a span past midnight belongs to its start day's version.
    assert opening.inside(1, datetime(2026, 3, 29, 1, 45)) is True    # Sat 23:00-03:00 of the version of the 25th
    assert opening.inside(1, datetime(2026, 3, 29, 2, 30)) is True    # the same span (a time the DST change skips)
    assert opening.inside(1, datetime(2026, 3, 29, 3, 0)) is True     # the 29th's sun 03:00-04:00
    assert opening.inside(1, datetime(2026, 3, 30, 1, 0)) is False    # Monday: the 29th's version has no Sunday span past midnight
    assert opening.inside(1, datetime(2026, 10, 28, 12, 0)) is True   # Wednesday: the version replacing tue 09-17
    assert opening.inside(1, datetime(2026, 10, 27, 12, 0)) is False  # Tuesday: mon-sun 21:00-02:00
    assert opening.inside(1, datetime(2026, 10, 28, 1, 0)) is True    # Tuesday's 21:00-02:00 past midnight
    assert opening.inside(2, datetime(2026, 10, 28, 1, 0)) is True and opening.inside(None, datetime(2026, 1, 1)) is True


OLD_VERDICT = ("inside_opening_hours(p.partner_id, CAST(p.interval_start AT TIME ZONE p.time_zone AS TIMESTAMP)) "
               "AS inside_hours")
NEW_COLUMN = "CAST(p.interval_start AT TIME ZONE p.time_zone AS TIMESTAMP) AS queue_local"


@pytest.mark.parametrize("label", ("2026-W13", "2026-W43", "2026-W06", "2026-03"))
def test_the_demos_interval_rows_equal_the_statement_with_the_macro(demo_db, label):
    period = periods.parse(label)
    params = measures.range_params(period, TZ)
    with store.reading(demo_db) as con:
        text = measures.detail_sql("interval_sl", dict(params), None)
        assert NEW_COLUMN in text
        old = store.execute(con, text.replace(NEW_COLUMN, OLD_VERDICT), measures.used_values(text, params)).dicts()
        new = measures.interval_sl_rows(con, period, TZ)
        changed = store.execute(con, "SELECT count(*) FROM hours_versions WHERE valid_from > DATE '2024-12-09'").scalar()
    assert new == old
    assert len(old) > 100 and sum(r["inside_hours"] for r in old) > 100  # (the demo routes inside the hours)
    assert changed >= 1  # the demo's hours change (judged in 2026-W06 on both sides of it)
