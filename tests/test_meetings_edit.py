"""Correcting saved minutes: the minutes change, the frozen figures do not, every edit is audited,
an edit made on minutes someone changed since is refused, and partner users cannot edit."""
from __future__ import annotations

from datetime import date

import pytest

from data import audit, settings, store
from data.errors import UserError
from meetings import meetings as m
from partners import access
from partners.access import Scope
from reports import frames
from tests.app.test_pages import said
from tests.test_meetings_frozen import PERIOD, make_acme

EVA = Scope("eva@centre.se", "manager")
BO = Scope("bo@centre.se", "admin")


@pytest.fixture
def saved(db) -> int:
    return _save_acme_meeting()


def _save_acme_meeting() -> int:
    """Acme's meeting of 2026-11-30 with one item raised and one activity recorded (ids 1 and 1)."""
    acme = make_acme()
    with store.writing() as con:
        snapshot = frames.snapshot(con, acme, PERIOD, settings.get(con, "reporting_tz"))
        minutes = m.Minutes(date(2026, 11, 30), PERIOD, attendees="Eva (centre), Ali (Acme)", notes="SL below target",
                            decisions="Acme staffs Tuesday noon",
                            new_items=(m.NewItem("Staff Tuesday noon", "Ali", "partner"),),
                            activities=(m.NewActivity("co-listening", date(2026, 11, 12), "Ali"),))
        return m.save_meeting(con, acme, minutes, snapshot, "eva@centre.se")


def _frozen_text(meeting_id: int) -> str:
    with store.reading() as con:
        return con.execute("SELECT frozen_figures FROM meetings WHERE meeting_id = ?", [meeting_id]).fetchone()[0]


def _correction(**changes) -> m.Correction:
    text = dict(attendees="Eva (centre), Ali (Acme)", notes="SL below target", decisions="Acme staffs Tuesday noon")
    return m.Correction(**{**text, **changes})


def _edit(meeting_id: int, correction: m.Correction, scope: Scope = EVA, seen: int = 0) -> int:
    with store.writing() as con:
        return m.edit_meeting(con, meeting_id, correction, scope, seen)


def test_an_edit_changes_the_minutes_and_leaves_the_frozen_figures_byte_identical(saved):
    before = _frozen_text(saved)
    assert '"service_level"' in before  # a real snapshot, not an empty one
    number = _edit(saved, _correction(
        attendees="Eva (centre), Ali and Bo (Acme)", decisions="Acme staffs Tuesday 11-14",
        items=((1, m.NewItem("Staff Tuesday noon", "Bo", "partner", date(2026, 12, 15))),),
        activities=((1, m.NewActivity("co-listening", date(2026, 11, 12), "Ali; Bo")),)))
    assert number == 1
    assert _frozen_text(saved) == before
    with store.reading() as con:
        meeting = m.get_meeting(con, saved)
        (item,) = m.meeting_items(con, saved)
        (activity,) = m.activities(con, meeting.partner_id, meeting_id=saved)
        (line,) = [r for r in audit.recent(con) if r[2] == "meeting edited"]
        history = m.item_history(con, 1)
    assert (meeting.attendees, meeting.notes, meeting.decisions) == (
        "Eva (centre), Ali and Bo (Acme)", "SL below target", "Acme staffs Tuesday 11-14")
    assert (item.title, item.owner, item.side, item.due_on, item.status) == (
        "Staff Tuesday noon", "Bo", "partner", date(2026, 12, 15), "open")
    assert (activity.participants, activity.held_on) == ("Ali; Bo", date(2026, 11, 12))
    assert (meeting.edits, meeting.edited_by, meeting.created_by) == (1, "eva@centre.se", "eva@centre.se")
    assert meeting.edited_at is not None and meeting.edited_at >= meeting.created_at
    assert line[1:] == ("eva@centre.se", "meeting edited",
                        "meeting of 30 Nov 2026 for Acme, edit 1: "
                        "attendees: 'Eva (centre), Ali (Acme)' -> 'Eva (centre), Ali and Bo (Acme)'; "
                        "decisions: 'Acme staffs Tuesday noon' -> 'Acme staffs Tuesday 11-14'; "
                        "item 1 owner: 'Ali' -> 'Bo'; item 1 due_on: '' -> '2026-12-15'; "
                        "activity 1 participants: 'Ali' -> 'Ali; Bo'")
    assert [e.status for e in history] == ["open"]  # a correction is not a status change


def test_an_edit_on_minutes_changed_since_they_were_opened_is_refused(saved):
    _edit(saved, _correction(notes="SL below target on Tuesdays"), BO, seen=0)
    with pytest.raises(m.EditedMeanwhile, match=r"^bo@centre.se edited these minutes at \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d after"):
        _edit(saved, _correction(notes="SL below target, Mondays"), EVA, seen=0)  # opened before Bo's edit
    assert _edit(saved, _correction(notes="SL below target, Mondays"), EVA, seen=1) == 2
    with store.reading() as con:
        meeting = m.get_meeting(con, saved)
        edits = con.execute("SELECT edit_no, edited_by FROM meeting_edits ORDER BY edit_no").fetchall()
    assert (meeting.notes, meeting.edits, meeting.edited_by) == ("SL below target, Mondays", 2, "eva@centre.se")
    assert edits == [(1, "bo@centre.se"), (2, "eva@centre.se")]


@pytest.mark.parametrize("scope", [Scope("ali@acme.se", "partner", 1, "Acme"), Scope("ola@other.se", "partner", 2)],
                         ids=["own partner", "another partner"])
def test_partner_users_cannot_edit_minutes(saved, scope):
    with pytest.raises(UserError, match="^only the centre edits the minutes of a meeting$"):
        _edit(saved, _correction(notes="all fine"), scope)
    with store.reading() as con:
        assert m.get_meeting(con, saved).notes == "SL below target"
        assert con.execute("SELECT count(*) FROM meeting_edits").fetchone()[0] == 0


def test_mistakes_in_an_edit_are_one_line_and_change_nothing(saved):
    with pytest.raises(UserError, match="^nothing to save: the minutes are as they were$"):
        _edit(saved, _correction(attendees="  Eva (centre), Ali (Acme) "))
    with pytest.raises(UserError, match="^every action item needs a title$"):
        m.edited_items([{"item": 1, "title": " ", "owner": "", "side": None, "due": None}])
    with pytest.raises(UserError, match="^side must be one of centre, partner, not 'both'$"):
        _edit(saved, _correction(notes="x", items=((1, m.NewItem("Staff", "Bo", "both")),)))
    with pytest.raises(UserError, match="^item 7 is not one of this meeting's$"):
        _edit(saved, _correction(notes="x", items=((7, m.NewItem("Staff", "Bo", "centre")),)))
    with pytest.raises(UserError, match="^there is no meeting 9$"):
        _edit(9, _correction())
    with store.reading() as con:
        assert m.get_meeting(con, saved).notes == "SL below target"
        assert con.execute("SELECT count(*) FROM meeting_edits").fetchone()[0] == 0


def test_the_page_edits_a_saved_meeting_and_refuses_an_edit_made_on_older_minutes(saved):
    from tests.test_meetings_page import edits, open_page

    frozen = _frozen_text(saved)
    at = open_page(partner="Acme")
    at.selectbox(key="meeting").set_value(saved).run()
    assert any("never edited" in c.value for c in at.caption)
    at.text_input(key=f"edit_attendees_{saved}_0").input("Eva (centre), Ali and Bo (Acme)")
    at.session_state[f"edit_items_{saved}_0"] = edits(edited={0: {"owner": "Bo"}})
    at.button(key=f"edit_save_{saved}_0").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success][0] == "Edit 1 of the minutes saved."
    assert "**Attendees:** Eva (centre), Ali and Bo (Acme)" in [said(md.value) for md in at.markdown]
    with store.reading() as con:
        edited = con.execute("SELECT strftime(timezone('Europe/Stockholm', max(edited_at)), '%-d %b %Y %H:%M') "
                             "FROM meeting_edits").fetchone()[0]
    assert any(c.value.startswith(f"Minutes last edited {edited} by local admin (edited once") for c in at.caption)
    with store.reading() as con:
        assert [i.owner for i in m.meeting_items(con, saved)] == ["Bo"]

    # Bo edits the notes while the page is open: the page's edit of the decisions is refused.
    _edit(saved, _correction(attendees="Eva (centre), Ali and Bo (Acme)", notes="SL below target on Tuesdays"), BO, 1)
    at.text_area(key=f"edit_decisions_{saved}_1").input("Acme staffs Tuesday 11-14")
    at.button(key=f"edit_save_{saved}_1").click().run()
    (error,) = at.error
    with store.reading() as con:  # Bo's edit time, in the reporting zone by DuckDB's own conversion
        bo_at = con.execute("SELECT strftime(timezone('Europe/Stockholm', edited_at), '%-d %b %Y %H:%M') "
                            "FROM meeting_edits WHERE edit_no = 2").fetchone()[0]
    assert error.value == (f"bo@centre.se edited these minutes at {bo_at} after you opened them: your edit is not "
                           "saved; make it again on the minutes as they are now")
    assert at.text_area(key=f"edit_notes_{saved}_2").value == "SL below target on Tuesdays"  # the form shows Bo's
    with store.reading() as con:
        meeting = m.get_meeting(con, saved)
    assert (meeting.decisions, meeting.edits) == ("Acme staffs Tuesday noon", 2)
    assert _frozen_text(saved) == frozen


def test_a_file_from_before_meeting_edits_is_brought_forward_when_the_app_opens_it(tmp_path, monkeypatch):
    """Only writes migrate: the app must not read meetings through a table an older file lacks."""
    import shutil

    from tests.test_meetings_page import open_page

    before = tmp_path / "migrations"
    before.mkdir()
    for _, path in store.migrations()[:2]:
        shutil.copy(path, before)
    monkeypatch.setenv("OVERFLOW_DB", str(tmp_path / "old.duckdb"))
    with monkeypatch.context() as schema_2:  # the file as the schema before meeting edits left it
        schema_2.setattr(store, "MIGRATIONS", before)
        with store.writing() as con:
            con.execute("INSERT INTO partners (name) VALUES ('Acme')")
            saved = con.execute("INSERT INTO meetings (partner_id, held_on, period_start, period_end, notes) "
                                "VALUES (1, '2026-11-30', '2026-11-02', '2026-11-30', 'SL below target') "
                                "RETURNING meeting_id").fetchone()[0]
            assert store.schema_version(con) == 2
    at = open_page(partner="Acme")
    at.selectbox(key="meeting").set_value(saved).run()
    assert not at.exception and not at.error
    assert "**Notes:** SL below target" in [md.value for md in at.markdown]
    assert any("never edited" in c.value for c in at.caption)
    with store.reading() as con:
        assert store.schema_version(con) == store.migrations()[-1][0]


@pytest.mark.parametrize(("email", "may_edit"), [("ali@acme.se", False), ("eva@centre.se", True)])
def test_the_page_offers_the_edit_form_to_the_centre_only(saved, monkeypatch, email, may_edit):
    from tests.app.test_partner_isolation import signed_in

    with store.writing() as con:
        access.grant(con, "ali@acme.se", "partner", "Acme", actor="test")
        access.grant(con, "eva@centre.se", "manager", None, actor="test")
    at = signed_in(str(store.db_path()), email, monkeypatch, {"partner": "Acme"})
    at.switch_page("app_pages/meetings.py").run()
    at.selectbox(key="meeting").set_value(saved).run()
    assert not at.exception and not at.error
    assert "**Decisions:** Acme staffs Tuesday noon" in [md.value for md in at.markdown]
    assert [e.label for e in at.expander] == (["Edit the minutes (the frozen figures never change)"] if may_edit else [])
    assert bool([b for b in at.button if b.key == f"edit_save_{saved}_0"]) == may_edit
