"""The Service meetings page through AppTest: prepare, take minutes, save, reopen after a late import."""
from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from data import store
from ingest import importing
from meetings import meetings as m
from tests.app.test_pages import said
from tests.conftest import ROOT
from tests.test_meetings_frozen import _legs, make_acme

PAGE = "app_pages/meetings.py"


def open_page(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(query)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(autouse=True)
def local_mode():
    with patch_config_options({"server.address": "localhost"}):
        yield


@pytest.fixture
def acme(db) -> int:
    acme = make_acme()
    with store.writing() as con:
        m.add_item(con, acme, m.NewItem("Send the Monday forecast", "Eva", "centre"), "test")
    return acme


def table(at: AppTest, column: str, index: int = 0):
    """The index-th read-only table with `column` (AppTest does not expose st.dataframe keys)."""
    return [d.value for d in at.dataframe if d.editing_mode == "read_only" and column in d.value.columns][index]


def edits(**changes) -> dict:
    return {"edited_rows": changes.get("edited", {}), "added_rows": changes.get("added", []), "deleted_rows": []}


def test_empty_database_says_what_to_do(db):
    at = open_page()
    assert not at.error
    assert any("python -m cli demo" in i.value for i in at.info)


def test_prepare_save_and_reopen_after_a_late_import(acme):
    at = open_page(partner="Acme")
    assert [s.value for s in at.subheader][:6] == ["Volume", "Availability", "The customer's call", "Quality",
                                                   "Centre's side", "Weeks excused by volume above forecast"]
    at.date_input(key="meeting_period").set_value((date(2026, 11, 2), date(2026, 11, 29))).run()
    assert "period 2–29 Nov 2026 · times in Europe/Stockholm" in at.caption[0].value
    assert any("2026-W46" in md.value for md in at.markdown)  # the excused week
    assert table(at, "title")["title"].tolist() == ["Send the Monday forecast"]

    at.date_input(key="held_on").set_value(date(2026, 11, 30))
    at.text_input(key="attendees").input("Eva (centre), Ali (Acme)")
    at.text_area(key="decisions").input("Acme staffs Tuesday noon")
    at.session_state["item_changes"] = edits(edited={0: {"status": "done", "note": "arrives Wednesdays"}})
    at.session_state["new_items"] = edits(added=[{"title": "Staff Tuesday noon", "owner": "Ali", "side": "partner"}])
    at.session_state["new_activities"] = edits(added=[{"kind": "co-listening", "date": "2026-11-12", "participants": "Ali"}])
    at.button(key="save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]

    with store.reading() as con:
        (meeting,) = m.list_meetings(con)
        history = m.item_history(con, 1)
        still_open = m.open_items(con, acme)
        held = m.activities(con, acme)
    assert (meeting.held_on, meeting.period_start, meeting.period_end) == (date(2026, 11, 30), date(2026, 11, 2), date(2026, 11, 30))
    assert meeting.decisions == "Acme staffs Tuesday noon"
    sl = next(f for f in meeting.snapshot.figures if f.metric == "service_level")
    assert (sl.value, sl.sample_size) == (0.6, 5)
    assert [(e.status, e.meeting_id, e.note) for e in history][-1] == ("done", meeting.meeting_id, "arrives Wednesdays")
    assert [i.title for i in still_open] == ["Staff Tuesday noon"]
    assert [(a.kind, a.held_on, a.meeting_id) for a in held] == [("co-listening", date(2026, 11, 12), meeting.meeting_id)]

    # The page now shows the saved meeting, its frozen figures and no difference yet.
    assert at.selectbox(key="meeting").value == meeting.meeting_id
    assert any("same figures" in s.value for s in at.success)

    with store.writing() as con:  # a late import: two more answered Acme legs in week 46
        queue_id = con.execute("SELECT queue_id FROM queues WHERE name = 'acme'").fetchone()[0]
        _legs(con, queue_id, 2, "2026-11-11", [("answered", 10), ("answered", 12)])
    at.run()
    availability = table(at, "sample size", 1)
    assert availability.loc[availability["figure"].str.startswith("Service level"), "value"].tolist() == ["60.0 %"]
    moved = table(at, "at the meeting").set_index("figure")
    assert moved.loc["Service level (abandons-count)", ["at the meeting", "today", "change"]].tolist() == [
        "60.0 %", "71.4 %", "+11.4 pts"]
    assert moved.loc["Volume share", ["at the meeting", "today"]].tolist() == ["38.5 %", "46.7 %"]  # 5 of 13 calls, 7 of 15
    assert any("figures differ from what the meeting saw" in w.value for w in at.warning)
    assert [b.label for b in at.get("download_button")] == ["Download the pack (PDF)", "Download the pack (Excel)"]


def test_a_partner_with_nothing_open_gets_typed_empty_editors(db):
    make_acme()
    at = open_page(partner="Acme")
    assert not at.error and not at.exception
    assert not [w.value for w in at.warning if "compatible" in w.value]
    editors = {d.key: d.value for d in at.data_editor}
    assert editors["item_changes"].empty and list(editors["item_changes"].columns) == [
        "item", "title", "owner", "due", "status", "note"]


def test_an_import_while_the_meeting_is_open_refuses_the_save(acme, tmp_path):
    """The reviewer's race: the page shows the figures, an import lands (through the real importer),
    then Save is clicked. The save is refused and writes nothing; a second Save, now on the
    refreshed figures, saves them, stamped with the save's time."""
    at = open_page(partner="Acme")
    at.date_input(key="meeting_period").set_value((date(2026, 11, 2), date(2026, 11, 29))).run()
    availability = table(at, "sample size", 1)
    assert availability.loc[availability["figure"].str.startswith("Service level"), "value"].tolist() == ["60.0 %"]
    at.text_input(key="attendees").input("Race test")

    late = tmp_path / "late.csv"  # two more Acme legs answered within T in week 46
    late.write_text("call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
                    "L1,acme,Acme,2026-11-11T12:00:00+00:00,answered,10,100,0,0,,\n"
                    "L2,acme,Acme,2026-11-11T12:01:00+00:00,answered,12,100,0,0,,\n")
    assert importing.import_file(late, profile="generic").imported == 2

    at.button(key="save").click().run()
    assert not at.exception
    assert [said(e.value) for e in at.error] == [m.DATA_CHANGED]
    with store.reading() as con:
        assert con.execute("SELECT count(*) FROM meetings").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM action_item_events WHERE status <> 'open'").fetchone()[0] == 0
    availability = table(at, "sample size", 1)  # the page now shows the data with the import: 5 of 7 within T
    assert availability.loc[availability["figure"].str.startswith("Service level"), "value"].tolist() == ["71.4 %"]
    assert at.text_input(key="attendees").value == "Race test"  # the typed minutes are kept

    at.button(key="save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with store.reading() as con:
        (meeting,) = m.list_meetings(con)
    sl = next(f for f in meeting.snapshot.figures if f.metric == "service_level")
    assert (sl.numerator, sl.denominator, meeting.attendees) == (5, 7, "Race test")
    assert meeting.snapshot.taken_at.replace(tzinfo=None) == meeting.created_at.replace(microsecond=0)


def test_a_saved_meeting_is_in_the_url_and_a_link_reopens_it(acme):
    """Saved on 30 Nov: the URL names the day, a fresh session opening that link shows the minutes
    in the reporting zone (the save's UTC time + 1 h in Stockholm in November), and an unknown
    meeting gives one line and the next meeting."""
    at = open_page(partner="Acme")
    assert "proposed: the four weeks before today, as there is no earlier meeting" in at.date_input(key="meeting_period").label
    at.date_input(key="meeting_period").set_value((date(2026, 11, 2), date(2026, 11, 29))).run()
    at.date_input(key="held_on").set_value(date(2026, 11, 30))
    at.text_input(key="attendees").input("Eva, Ali")
    at.button(key="save").click().run()
    assert not at.exception and not at.error
    assert at.query_params["meeting"] == "2026-11-30"
    saved = "The meeting of 30 Nov 2026 is saved and its figures are frozen: it is open below."
    assert [s.value for s in at.success].count(saved) == 1  # the save is confirmed, once
    at.run()
    assert saved not in [s.value for s in at.success]
    with store.reading() as con:
        (meeting,) = m.list_meetings(con)
        stockholm = con.execute("SELECT strftime(timezone('Europe/Stockholm', created_at), '%-d %b %Y %H:%M') "
                                "FROM meetings").fetchone()[0]

    again = open_page(partner="Acme", meeting="2026-11-30")
    assert again.selectbox(key="meeting").value == meeting.meeting_id
    assert any("held 30 Nov 2026 · period 2–29 Nov 2026 · times in Europe/Stockholm" in c.value for c in again.caption)
    assert any(c.value.startswith("Minutes as saved ") and f" {stockholm} by " in c.value and "UTC" not in c.value
               for c in again.caption)
    assert any(c.value.endswith(f"(frozen {stockholm}).") for c in again.caption)
    assert open_page(partner="Acme", meeting=str(meeting.meeting_id)).selectbox(key="meeting").value == meeting.meeting_id

    lost = open_page(partner="Acme", meeting="2025-01-01")
    assert [i.value for i in lost.info] == ["Meeting '2025-01-01' not found for this partner: showing the next meeting."]
    assert lost.selectbox(key="meeting").value is None
    assert "meeting" not in lost.query_params
