"""Agreement versions (never updated, in force from valid_from to the next one) and reporting periods."""
from __future__ import annotations

from datetime import date

import pytest

from data import store
from data.errors import UserError
from partners import agreements, periods, registry, terms


@pytest.fixture
def acme(db):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme')")
    return db


def test_versions_apply_from_their_day_until_the_next(acme):
    with store.writing(acme) as con:
        first = agreements.add_version(con, 1, date(2026, 1, 1), sl_target=0.8, created_by="lead")
        agreements.add_version(con, 1, date(2026, 3, 4), sl_target=0.7, note="typo")
        second = agreements.add_version(con, 1, date(2026, 3, 4), sl_target=0.85, sl_threshold_s=30)
        assert terms.terms_in_force(con, 1, date(2025, 12, 31)).agreement is None
        assert terms.terms_in_force(con, 1, date(2026, 3, 3)).agreement_id == first.agreement_id
        # Two versions from the same day: the later one applies.
        assert terms.terms_in_force(con, 1, date(2026, 3, 4)).target("sl_target") == 0.85
        assert [a.sl_target for a in agreements.history(con, 1)] == [0.8, 0.7, 0.85]
        parts = terms.parts(con, 1, periods.parse("2026-W10"))
        assert [(p.start, p.end, p.terms.agreement_id) for p in parts] == [
            (date(2026, 3, 2), date(2026, 3, 4), first.agreement_id),
            (date(2026, 3, 4), date(2026, 3, 9), second.agreement_id),
        ]
        # Unset T and S take the settings; the version remembers them.
        assert (first.sl_threshold_s, first.short_abandon_s, first.fcr_days) == (20, 5, 7)
        assert second.sl_threshold_s == 30
        assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'agreement.add'").fetchone()[0] == 3


@pytest.mark.parametrize("targets, message", [
    ({"sl_target": 80}, "sl_target '80' is more than 1 (write it as a fraction: 0.8 = 80 %)"),
    ({"sl_variant": "fastest"}, "sl_variant 'fastest' is not abandons-count, answered-only"),
    ({"share_min": 0.5, "share_max": 0.2}, "share_min '0.5' is above share_max '0.2'"),
    ({"colour": "red"}, "unknown agreement field(s) colour"),
])
def test_a_wrong_target_is_refused_in_words(acme, targets, message):
    with store.writing(acme) as con, pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        agreements.add_version(con, 1, date(2026, 1, 1), **targets)


@pytest.mark.parametrize("text, start, end, label", [
    ("2026-W10", date(2026, 3, 2), date(2026, 3, 9), "2026-W10"),
    ("2026-W53", date(2026, 12, 28), date(2027, 1, 4), "2026-W53"),
    ("2026-02", date(2026, 2, 1), date(2026, 3, 1), "2026-02"),
    ("2026-12", date(2026, 12, 1), date(2027, 1, 1), "2026-12"),
    ("2026-11-23", date(2026, 11, 23), date(2026, 11, 24), "2026-11-23"),
    ("2026-11-01..2026-11-30", date(2026, 11, 1), date(2026, 12, 1), "2026-11-01..2026-11-30"),
])
def test_periods_parse(text, start, end, label):
    p = periods.parse(text)
    assert (p.start, p.end, p.label) == (start, end, label)


def test_previous_and_last_complete_week_and_dst_bounds():
    assert periods.last_complete_week(date(2026, 11, 24)).label == "2026-W47"
    assert periods.last_complete_week(date(2026, 11, 23)).label == "2026-W47"
    assert periods.previous(periods.parse("2026-W01")).label == "2025-W52"
    assert periods.previous(periods.parse("2026-03")).label == "2026-02"
    assert periods.previous(periods.parse("2026-03-01..2026-03-10")).label == "2026-02-19..2026-02-28"
    start, end = periods.parse("2026-03-29").utc_bounds("Europe/Stockholm")
    assert (end - start).total_seconds() == 23 * 3600
    start, end = periods.parse("2026-10-25").utc_bounds("Europe/Stockholm")
    assert (end - start).total_seconds() == 25 * 3600


@pytest.mark.parametrize("text", ["2026-W60", "2026-13", "last week", "2026-02-30"])
def test_a_wrong_period_is_one_clear_line(text):
    with pytest.raises(UserError, match="cannot read the period"):
        periods.parse(text)


def test_versions_are_numbered_per_partner_and_an_old_file_is_numbered_by_valid_from(tmp_path):
    import duckdb

    from tests.conftest import old_database

    before = [(v, p) for v, p in store.migrations() if v < 15]
    path = old_database(tmp_path / "old.duckdb", len(before))
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO partners (name) VALUES ('Acme'), ('Beta')")
        # recorded out of valid_from order, interleaved between the partners (row ids 1..5)
        for partner, day in ((1, "2026-03-01"), (2, "2026-02-01"), (1, "2026-01-01"), (2, "2026-01-01"),
                             (1, "2026-02-01")):
            con.execute("INSERT INTO agreements (partner_id, valid_from) VALUES (?, ?)", [partner, day])
    store.create(path)
    with store.writing(path) as con:
        added = agreements.add_version(con, 2, date(2025, 12, 1), sl_target=0.8)  # earlier than all, yet next
        first_of_new = agreements.add_version(
            con, registry.add_partner(con, "Gamma"), date(2026, 1, 1), sl_target=0.8)
        numbered = {(a.partner_id, str(a.valid_from)): a.version
                    for p in (1, 2) for a in agreements.history(con, p)}
    assert numbered == {(1, "2026-01-01"): 1, (1, "2026-02-01"): 2, (1, "2026-03-01"): 3,
                        (2, "2025-12-01"): 3, (2, "2026-01-01"): 1, (2, "2026-02-01"): 2}
    assert (added.version, added.name, first_of_new.name) == (3, "version 3", "version 1")
