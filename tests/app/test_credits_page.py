"""The Credits page on the demo: FlexiCall's October record after its accepted dispute, the centre's
forms, and a partner user who raises a dispute of its own figures and decides none."""
from __future__ import annotations

from datetime import datetime

from commercial import disputes
from data import store
from partners import access
from tests.app.test_pages import demo_copy, open_page, texts  # noqa: F401  (the fixture)
from tests.app.test_partner_isolation import signed_in

PAGE = "app_pages/credits.py"


def test_the_record_shows_after_agreed_exclusions_with_its_disputes_and_invoice(demo_copy):
    at = open_page(PAGE, partner="FlexiCall")
    assert not at.exception and not at.error, at.exception
    shown = texts(at) + "\n".join(str(h.value) for h in at.header)
    assert "Commercial record 2026-10 (after agreed exclusions)" in shown
    assert "1 line bill a quantity other than our count" in shown
    frames = [t.value for t in at.dataframe]
    lines = next(f for f in frames if "explanation" in f.columns)
    held = next(f for f in frames if "reason" in f.columns)
    service_level = lines[lines["figure"].str.startswith("Service level")].iloc[0]
    assert service_level["value"] != service_level["value as closed"] and service_level["outcome"] == "credit"
    assert list(held["status"]) == ["accepted", "rejected"]
    assert at.button(key="close_submit_2") is not None  # the centre may close September


def test_a_centre_decision_and_a_dispute_raised_on_the_page_reach_the_record(demo_copy):
    at = open_page(PAGE, partner="FlexiCall")
    key = "dispute_2_2026-10"
    at.selectbox(key=f"{key}_figure").set_value("ASA")
    at.text_input(key=f"{key}_reason").set_value("Network fault on 5 Oct")
    at.button(key=f"{key}_submit").click().run()
    assert "Raised dispute 3" in texts(at), texts(at)
    decide = "decide_2_2026-10"
    at.radio(key=f"{decide}_decision").set_value("rejected")
    at.text_input(key=f"{decide}_note").set_value("No fault on our side")
    at.button(key=f"{decide}_submit").click().run()
    assert "Dispute 3 rejected." in texts(at)
    with store.reading(demo_copy) as con:
        found = disputes.get_dispute(con, 3)
    assert (found.metric, found.status, found.decided_by) == ("asa_s", "rejected", "local admin")


def test_a_partner_user_disputes_its_own_figures_and_has_no_centre_forms(demo_copy, monkeypatch):
    with store.writing(demo_copy) as con:
        access.grant(con, "site@flexicall.example", "partner", "FlexiCall", actor="test")
    at = signed_in(str(demo_copy), "site@flexicall.example", monkeypatch)
    at.switch_page(PAGE).run()
    assert not at.exception and not at.error
    keys = {b.key for b in at.button}
    assert "dispute_2_2026-10_submit" in keys
    assert not any(k.startswith(("close_", "decide_")) for k in keys if k)
    at.selectbox(key="dispute_2_2026-10_figure").set_value("Abandon rate")
    at.text_input(key="dispute_2_2026-10_reason").set_value("Storm on 20 Oct")
    at.text_input(key="dispute_2_2026-10_from").set_value("2026-10-20 18:00")
    at.text_input(key="dispute_2_2026-10_to").set_value("2026-10-20 19:00")
    at.button(key="dispute_2_2026-10_submit").click().run()
    assert "Raised dispute 3" in texts(at), texts(at)
    with store.reading(demo_copy) as con:
        found = disputes.get_dispute(con, 3, (2,))
        log = store.execute(con, "SELECT actor FROM audit_log WHERE action = 'dispute raised' AND detail LIKE "
                                 "'dispute 3:%'").scalar()
    assert (found.raised_by, found.metric, found.status, log) == (
        "site@flexicall.example", "abandon_rate", "open", "site@flexicall.example")
    # 18:00-19:00 in Stockholm (summer time to 25 Oct) is 16:00-17:00 UTC
    assert (found.span_start, found.span_end) == (datetime(2026, 10, 20, 16), datetime(2026, 10, 20, 17))
