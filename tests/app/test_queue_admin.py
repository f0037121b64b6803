"""The Data page: an upload that would create a queue one letter from an existing one is held back
with "did you mean" and a choice, before anything is written; an admin renames and merges queues."""
from __future__ import annotations

from data import store
from partners import registry
from tests.app.test_pages import open_page

TYPO = ("call_id,queue,partner,offered_at,outcome,wait_s\n"
        "N1,FlexiCal Overflow,FlexiCall,2026-11-16 10:00:00,answered,5\n"
        "N2,FlexiCall Overflow,FlexiCall,2026-11-16 10:05:00,answered,50\n").encode()


def registered(db) -> None:
    with store.writing(db) as con:
        registry.add_partner(con, "FlexiCall")
        registry.set_queue(con, "FlexiCall Overflow", partner="FlexiCall")


def upload(at, data: bytes):
    at.selectbox(key="upload_profile").select("generic").run()
    at.file_uploader(key="upload_file").set_value(("typo.csv", data, "text/csv"))
    return at.form_submit_button(key="upload_go").click().run()


def legs(db) -> int:
    return store.query("SELECT count(*) FROM call_legs", path=db).scalar()


def test_a_near_queue_name_is_shown_before_it_is_created_and_created_only_when_chosen(db):
    registered(db)
    at = upload(open_page("app_pages/data.py"), TYPO)
    assert not at.exception, at.exception
    [warning] = [w.value for w in at.warning]
    assert "queue 'FlexiCal Overflow' is new; did you mean 'FlexiCall Overflow'?" in warning.replace("Queue", "queue")
    assert legs(db) == 0 and store.query("SELECT count(*) FROM queues", path=db).scalar() == 1
    at.button(key="near_create").click().run()
    assert not at.exception, at.exception
    assert "read 2, imported 2" in at.success[0].value
    assert sorted(store.query("SELECT name FROM queues", path=db).rows) == [("FlexiCal Overflow",), ("FlexiCall Overflow",)]


def test_declining_imports_nothing_and_says_so(db):
    registered(db)
    at = upload(open_page("app_pages/data.py"), TYPO)
    at.button(key="near_cancel").click().run()
    assert "typo.csv was not imported" in at.error[0].value and "correct its queue names" in at.error[0].value
    assert legs(db) == 0


def test_an_admin_merges_the_typo_queue_into_the_right_one_on_the_data_page(db):
    registered(db)
    at = upload(open_page("app_pages/data.py"), TYPO)
    at.button(key="near_create").click().run()
    at.selectbox(key="queue_change_name").select("FlexiCal Overflow")
    at.radio(key="queue_change_action").set_value("merge into another queue")
    at.selectbox(key="queue_change_into").select("FlexiCall Overflow")
    at.form_submit_button(key="queue_change_go").click().run()
    assert not at.exception, at.exception
    said = " ".join(s.value for s in at.success)
    assert "Merged queue 'FlexiCal Overflow' into 'FlexiCall Overflow'" in said and "1 legs moved" in said
    assert store.query("SELECT q.name, count(*) FROM call_legs JOIN queues q USING (queue_id) GROUP BY ALL",
                       path=db).rows == [("FlexiCall Overflow", 2)]
    assert store.query("SELECT count(*) FROM audit_log WHERE action = 'queue merge'", path=db).scalar() == 1


def test_an_admin_renames_a_queue_and_a_taken_name_is_one_clear_line(db):
    registered(db)
    with store.writing(db) as con:
        registry.set_queue(con, "Main")
    at = open_page("app_pages/data.py")
    at.selectbox(key="queue_change_name").select("Main")
    at.text_input(key="queue_change_new_name").input("FlexiCall Overflow")
    at.form_submit_button(key="queue_change_go").click().run()
    assert "a queue called 'FlexiCall Overflow' already exists; merge 'Main' into it instead" in " ".join(
        e.value for e in at.error)
    at.text_input(key="queue_change_new_name").input("In-house main")
    at.form_submit_button(key="queue_change_go").click().run()
    assert "Queue 'Main' is now 'In-house main'." in " ".join(s.value for s in at.success)
    assert ("In-house main",) in store.query("SELECT name FROM queues", path=db).rows
