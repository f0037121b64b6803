"""Meetings, action items and activities: storage, carry-over, the record of every status change."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from data import store
from data.errors import UserError
from meetings import meetings as m
from metrics import scorecard
from partners import access
from partners.periods import Period, between

ACTOR = "test:manager"


def _partner(con, name: str) -> int:
    return con.execute("INSERT INTO partners (name) VALUES (?) RETURNING partner_id", [name]).fetchone()[0]


def _snapshot(period: Period, *figures: m.FrozenFigure) -> m.Snapshot:
    return m.Snapshot(period.start, period.end, "Europe/Stockholm", datetime(2026, 11, 2, 9, tzinfo=timezone.utc), figures)


def _sl(value, sample, status="green") -> m.FrozenFigure:
    return m.FrozenFigure("availability", "service_level", "Service level", "%", value, 0.8, status, sample)


def test_first_meeting_proposes_four_weeks_then_the_days_since_the_last_meeting(db):
    with store.writing() as con:
        acme = _partner(con, "Acme")
        assert m.proposal(con, acme, date(2026, 11, 2)).period == between(date(2026, 10, 5), date(2026, 11, 2))
        period = between(date(2026, 10, 5), date(2026, 11, 2))
        m.save_meeting(con, acme, m.Minutes(date(2026, 11, 2), period), _snapshot(period), ACTOR)
    with store.reading() as con:
        proposal = m.proposal(con, acme, date(2026, 11, 30))
        again = m.proposal(con, acme, date(2026, 11, 2))  # the saved meeting already covers up to yesterday
    proposed = proposal.period
    assert proposed == between(date(2026, 11, 2), date(2026, 11, 30))
    assert proposal.follows.held_on == date(2026, 11, 2)
    # the saved meeting looked back to yesterday: today alone, never its four weeks again
    assert again.period == between(date(2026, 11, 2), date(2026, 11, 3))
    assert (again.follows.held_on, again.latest.held_on) == (date(2026, 11, 2), date(2026, 11, 2))
    assert proposed.label == "2026-11-02..2026-11-29"


def test_the_proposal_starts_after_every_held_meetings_period_adjacent_or_overlapping(db):
    with store.writing() as con:
        acme = _partner(con, "Acme")
        # held 16 Nov on 2..15 Nov; then held 20 Nov on an overlapping, earlier-ending 9..12 Nov
        wide = between(date(2026, 11, 2), date(2026, 11, 16))
        m.save_meeting(con, acme, m.Minutes(date(2026, 11, 16), wide), _snapshot(wide), ACTOR)
        narrow = between(date(2026, 11, 9), date(2026, 11, 13))
        m.save_meeting(con, acme, m.Minutes(date(2026, 11, 20), narrow), _snapshot(narrow), ACTOR)
        overlapping = m.proposal(con, acme, date(2026, 11, 24))
        # an adjacent meeting 16..22 Nov, held 23 Nov
        adjacent = between(date(2026, 11, 16), date(2026, 11, 23))
        m.save_meeting(con, acme, m.Minutes(date(2026, 11, 23), adjacent), _snapshot(adjacent), ACTOR)
        after_adjacent = m.proposal(con, acme, date(2026, 11, 30))
        same_day = m.proposal(con, acme, date(2026, 11, 23))
    assert overlapping.period.label == "2026-11-16..2026-11-23"  # after 15 Nov, not after 12 Nov
    assert (overlapping.follows.held_on, overlapping.latest.held_on) == (date(2026, 11, 16), date(2026, 11, 20))
    assert after_adjacent.period.label == "2026-11-23..2026-11-29"
    assert same_day.period.label == "2026-11-23..2026-11-23"


def test_open_items_carry_over_until_closed_and_closing_is_recorded_with_its_meeting(db):
    first_period = between(date(2026, 10, 5), date(2026, 11, 2))
    with store.writing() as con:
        acme = _partner(con, "Acme")
        other = _partner(con, "Other")
        first = m.save_meeting(
            con, acme,
            m.Minutes(
                date(2026, 11, 2), first_period, attendees="Eva, Ali", notes="SL dipped on Mondays",
                new_items=(
                    m.NewItem("Send Monday forecast by Thursday", "Eva", "centre", date(2026, 11, 20)),
                    m.NewItem("Two more agents Monday mornings", "Ali", "partner"),
                ),
                activities=(m.NewActivity("co-listening", date(2026, 10, 20), "Ali, Sara"),),
            ),
            _snapshot(first_period), ACTOR,
        )
        m.add_item(con, other, m.NewItem("Not Acme's", "Bo", "partner"), ACTOR)
    with store.reading() as con:
        carried = m.open_items(con, acme)
    assert [(i.title, i.raised_in, i.status) for i in carried] == [
        ("Send Monday forecast by Thursday", first, "open"),
        ("Two more agents Monday mornings", first, "open"),
    ]
    forecast_item, agents_item = carried

    second_period = between(date(2026, 11, 2), date(2026, 11, 30))
    with store.writing() as con:
        second = m.save_meeting(
            con, acme,
            m.Minutes(
                date(2026, 11, 30), second_period,
                changes=(m.StatusChange(forecast_item.item_id, "done", "forecast arrives Wednesdays"),),
            ),
            _snapshot(second_period), ACTOR,
        )
    with store.reading() as con:
        still_open = m.open_items(con, acme)
        history = m.item_history(con, forecast_item.item_id)
        closed = [i for i in m.meeting_items(con, second) if i.item_id == forecast_item.item_id][0]
        audit_actions = [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY logged_at").fetchall()]
    assert [i.item_id for i in still_open] == [agents_item.item_id]
    assert [(e.status, e.meeting_id, e.note) for e in history] == [
        ("open", first, "raised"),
        ("done", second, "forecast arrives Wednesdays"),
    ]
    assert (closed.status, closed.closed_in) == ("done", second)
    assert closed.closed_at is not None
    assert audit_actions.count("meeting saved") == 2
    assert "action item done" in audit_actions


def test_a_failed_save_leaves_nothing_behind(db):
    period = between(date(2026, 10, 5), date(2026, 11, 2))
    with store.writing() as con:
        acme = _partner(con, "Acme")
    with pytest.raises(UserError, match="side must be one of centre, partner"):
        with store.writing() as con:
            m.save_meeting(
                con, acme, m.Minutes(date(2026, 11, 2), period, new_items=(m.NewItem("x", "y", "vendor"),)),
                _snapshot(period), ACTOR,
            )
    with store.reading() as con:
        counts = con.execute(
            "SELECT (SELECT count(*) FROM meetings), (SELECT count(*) FROM action_items), (SELECT count(*) FROM audit_log)"
        ).fetchone()
    assert counts == (0, 0, 0)


def test_closing_an_item_twice_or_of_another_partner_is_one_clear_error(db):
    with store.writing() as con:
        acme = _partner(con, "Acme")
        other = _partner(con, "Other")
        item = m.add_item(con, other, m.NewItem("Other's item", "Bo", "partner"), ACTOR)
        with pytest.raises(UserError, match=f"there is no action item {item} for this partner"):
            m.set_status(con, m.StatusChange(item, "done"), ACTOR, partner_id=acme)
        m.set_status(con, m.StatusChange(item, "dropped"), ACTOR)
        with pytest.raises(UserError, match="already dropped"):
            m.set_status(con, m.StatusChange(item, "dropped"), ACTOR)


def test_reads_honour_the_partner_scope(db):
    period = between(date(2026, 10, 5), date(2026, 11, 2))
    with store.writing() as con:
        acme = _partner(con, "Acme")
        other = _partner(con, "Other")
        acme_meeting = m.save_meeting(con, acme, m.Minutes(date(2026, 11, 2), period), _snapshot(period), ACTOR)
        m.save_meeting(con, other, m.Minutes(date(2026, 11, 3), period), _snapshot(period), ACTOR)
    with store.reading() as con:
        assert [x.partner_id for x in m.list_meetings(con, partner_ids=(acme,))] == [acme]
        assert len(m.list_meetings(con)) == 2
        assert m.get_meeting(con, acme_meeting, partner_ids=(acme,)).meeting_id == acme_meeting
        with pytest.raises(UserError, match=f"there is no meeting {acme_meeting}"):
            m.get_meeting(con, acme_meeting, partner_ids=(other,))
        assert m.list_meetings(con, partner_ids=()) == []
        assert [x.meeting_id for x in m.list_meetings(con, acme, partner_ids=None)] == [acme_meeting]


def test_every_refusal_of_a_partner_outside_the_scope_says_the_same(db):
    """The meetings, the scorecard and the pages' loaders (tests/app/test_signin.py) refuse in one sentence."""
    period = between(date(2026, 10, 5), date(2026, 11, 2))
    with store.writing() as con:
        acme, other = _partner(con, "Acme"), _partner(con, "Other")
    refusals = (
        lambda con: m.open_items(con, acme, partner_ids=(other,)),
        lambda con: m.proposal(con, acme, date(2026, 11, 2), partner_ids=(other,)),
        lambda con: m.activities(con, acme, period, partner_ids=(other,)),
        lambda con: scorecard.scorecard(con, acme, period, partner_ids=(other,)),
    )
    with store.reading() as con:
        for refused in refusals:
            with pytest.raises(UserError) as refusal:
                refused(con)
            assert str(refusal.value) == access.OUT_OF_SCOPE == "that partner is outside what you may see"


def test_activities_in_the_period_only(db):
    with store.writing() as con:
        acme = _partner(con, "Acme")
        for day in (date(2026, 10, 4), date(2026, 10, 5), date(2026, 11, 1), date(2026, 11, 2)):
            m.add_activity(con, acme, m.NewActivity("training", day, "Sara"), ACTOR)
    with store.reading() as con:
        held = m.activities(con, acme, between(date(2026, 10, 5), date(2026, 11, 2)))
    assert [a.held_on for a in held] == [date(2026, 10, 5), date(2026, 11, 1)]


def test_snapshot_round_trips_through_json_and_compare_gives_per_figure_differences():
    period = between(date(2026, 10, 5), date(2026, 11, 2))
    share = m.FrozenFigure("volume", "volume_share", "Volume share", "%", 0.25, 0.3, "amber", 400)
    frozen = _snapshot(period, _sl(0.75, 200, "red"), share)
    assert m.Snapshot.from_json(frozen.to_json()) == frozen
    csat = m.FrozenFigure("quality", "csat", "CSAT", "%", 0.9, None, "no data", 10)
    current = _snapshot(period, _sl(0.8, 210, "green"), share, csat)

    rows = m.compare(frozen, current)
    assert [(d.metric, d.frozen_value, d.current_value, d.frozen_status, d.current_status) for d in rows] == [
        ("service_level", 0.75, 0.8, "red", "green"),
        ("volume_share", 0.25, 0.25, "amber", "amber"),
        ("csat", None, 0.9, "not shown", "no data"),
    ]
    assert rows[0].change == pytest.approx(0.05)
    assert (rows[0].frozen_sample, rows[0].current_sample) == (200, 210)
    assert [d.metric for d in m.changed_only(rows)] == ["service_level", "csat"]


def test_form_rows_become_items_changes_and_activities():
    nan = float("nan")
    assert m.new_items([
        {"title": " Send forecast ", "owner": "Eva", "side": "centre", "due": "2026-12-01"},
        {"title": None, "owner": nan, "side": None, "due": None},
    ]) == (m.NewItem("Send forecast", "Eva", "centre", date(2026, 12, 1)),)
    with pytest.raises(UserError, match="needs a title"):
        m.new_items([{"title": "", "owner": "Eva", "side": "centre"}])
    assert m.status_changes([
        {"item": 3, "status": "open", "note": ""}, {"item": 4.0, "status": "done", "note": "fixed"},
    ]) == (m.StatusChange(4, "done", "fixed"),)
    assert m.new_activities([
        {"kind": "training", "date": date(2026, 11, 3), "participants": "Ali", "notes": None}, {"kind": None},
    ]) == (m.NewActivity("training", date(2026, 11, 3), "Ali", ""),)
    with pytest.raises(UserError, match="kind and a date"):
        m.new_activities([{"kind": "training", "date": None, "participants": "Ali"}])
