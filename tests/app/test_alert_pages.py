"""The alerting screens through AppTest: open alerts first on the Overview (a partner's user sees
only its own), the Alerts page acknowledges, the Subscriptions page shows the delivery log, and the
app keeps working while no mail server answers."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from data import store
from ingest.importing import import_file
from notify import channels, deliver
from partners import access
from tests.app.test_partner_isolation import signed_in
from tests.conftest import ROOT
from tests.servers.running import free_port
from tests.test_alerts import FIRST, set_up

APP = str(ROOT / "app.py")


@pytest.fixture
def alerted(db, tmp_path, monkeypatch):
    """The five alerts of tests/test_alerts.py raised, with no mail server configured (all failed)."""
    monkeypatch.delenv(channels.SMTP_ENV, raising=False)
    monkeypatch.setattr(channels, "SECRETS", ())
    set_up(db)
    with store.writing(db) as con:
        access.grant(con, "site@beta.example", "partner", "Beta", actor="test")
    (tmp_path / "first.csv").write_text(FIRST, encoding="utf-8")
    import_file(tmp_path / "first.csv", db=db, tz="Europe/Stockholm")
    line = deliver.after_import(str(db), "test")
    assert line.startswith("alerts: 5 raised, 0 cleared; 0 message(s) sent, 10 failed (no mail server is configured")
    return db


def frame_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_overview_shows_the_open_alerts_first(alerted):
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == "Open alerts (5)"
    shown = at.dataframe[0].value
    assert shown["severity"].iloc[0] == "critical" and shown["rule"].iloc[0] == "Morning SL"
    assert sorted(shown["partner"]) == ["Acme", "Acme", "Acme", "Acme", "Beta"]
    assert shown["link"].iloc[0] == "http://localhost:8501/availability?partner=Acme&period=2026-W48"


def test_a_partner_user_sees_only_its_own_alerts(alerted, monkeypatch):
    at = signed_in(str(alerted), "site@beta.example", monkeypatch)
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, at.exception
    shown = frame_with(at, "rule")
    assert list(shown["partner"]) == ["Beta"] and list(shown["rule"]) == ["Abandons"]
    assert "Acme" not in " ".join(str(v) for v in shown.to_numpy().ravel())


def test_the_alerts_page_acknowledges_and_the_subscriptions_page_logs_the_failures(alerted):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("app_pages/alerts.py").run()
    assert not at.exception, at.exception
    with store.reading(alerted) as con:
        beta = store.execute(con, "SELECT alert_id FROM alerts a JOIN partners p USING (partner_id) "
                                  "WHERE p.name = 'Beta'").scalar()
    at.selectbox(key="ack_alert").set_value(beta)
    at.button(key="ack_submit").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"Acknowledged alert {beta}."]
    with store.reading(alerted) as con:
        assert store.execute(con, "SELECT state, acknowledged_by FROM alerts WHERE alert_id = ?", [beta]).one() == (
            "acknowledged", "local admin")
    assert list(frame_with(at, "condition")["rule"]) == ["Morning SL", "Abandons", "Turned away", "Silent"]

    at.switch_page("app_pages/subscriptions.py").run()
    assert not at.exception, at.exception
    log = frame_with(at, "attempts")
    assert len(log) == 10 and set(log["status"]) == {"failed"}
    assert all(d.startswith("no mail server is configured") for d in log["detail"])
    assert set(frame_with(at, "audience")["address"]) == {"centre@example.com", "site@acme.example",
                                                           "site@beta.example"}


def test_a_manager_does_not_get_the_alert_administration(alerted, monkeypatch):
    with store.writing(alerted) as con:
        access.grant(con, "lead@centre.example", "manager", None, actor="test")
    at = signed_in(str(alerted), "lead@centre.example", monkeypatch)
    assert at.subheader[0].value == "Open alerts (5)"   # the Overview still shows them
    for page in ("app_pages/alerts.py", "app_pages/subscriptions.py"):
        with pytest.raises(ValueError):
            at.switch_page(page)


def test_an_upload_with_the_mail_server_down_is_saved_and_says_what_failed(db, tmp_path, monkeypatch):
    """The Data page's upload judges the rules after the import committed; the mail server is down (a
    port nobody listens on), so the import stands, the page says so in one line, and the log has it."""
    monkeypatch.setenv(channels.SMTP_ENV, f"smtp://127.0.0.1:{free_port()}")
    set_up(db)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="upload_file").set_value(("first.csv", FIRST.encode(), "text/csv"))
    at.selectbox(key="upload_profile").select("generic")
    at.text_input(key="upload_tz").input("Europe/Stockholm")
    at.form_submit_button(key="upload_go").click().run()
    assert not at.exception, at.exception
    assert "first.csv: read 9, imported 9, duplicates 0, filtered 0, rejected 0." in at.success[0].value
    said = [c.value for c in at.caption if c.value.startswith("Alerts")]
    assert len(said) == 1 and said[0].startswith(
        r"Alerts\: 5 raised, 0 cleared; 0 message\(s\) sent, 10 failed \(the mail server refused the connection")
    with store.reading(db) as con:
        assert store.execute(con, "SELECT count(*) FROM call_legs").scalar() == 9
        assert store.execute(con, "SELECT count(*) FROM deliveries WHERE status = 'failed'").scalar() == 10


@pytest.mark.parametrize("page", ["app_pages/alerts.py", "app_pages/subscriptions.py"])
def test_the_admin_pages_on_an_empty_database_say_there_is_nothing_yet(db, page):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error
    if page.endswith("alerts.py"):
        assert [i.value for i in at.info] == ["No alert is open.", "No rules yet: add one below."]
        assert at.button(key="ack_submit").disabled
    else:
        assert [i.value for i in at.info] == ["Nobody subscribes yet: add an address below.", "Nothing was sent yet."]
