"""Alerts end to end: real `python -m cli import` processes, a real SMTP server process (aiosmtpd)
and a real HTTP receiver process; what arrived is read back from them.

The legs (Monday 23 Nov 2026, Stockholm, CET = UTC+1; T = 20 s, S = 5 s, the defaults):
Acme (open mon-fri 08:00-17:00)
  09:00-09:15  c1 answered after 60 s (missed), c2 answered after 5 s (met)
  09:15-09:30  c3 answered after 90 s (missed), c4 abandoned after 60 s (a long abandon: a miss)
               -> two intervals in a row below 80 %: service level 1 / 4 = 25.0 %
  10:05        c5 turned away (inside opening hours)      -> 1 turned-away leg
  15:05        c6 answered after 5 s
               -> abandon rate 1 / (4 answered + 1 abandoned) = 20.0 %
               -> no leg from 10:15 to 15:00 while open: 4.75 hours
Beta (no opening hours: open around the clock)
  11:00, 11:10 answered after 3 and 4 s; 11:20 abandoned after 30 s -> abandon rate 1 / 3 = 33.3 %
The second file adds 12 answered legs after 2 s to Acme's 09:00 and 09:15 intervals: 7 / 8 = 87.5 %
and 6 / 8 = 75.0 % (one interval below 80 %, not two: the breach clears) and an abandon rate of
1 / 17 = 5.9 % (clears); a clearing says the figure as it was raised.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from data import store
from data.errors import UserError
from ingest.importing import import_file
from notify import deliver, rules, subscriptions
from partners import access, agreements, hours, registry
from tests.conftest import ROOT, old_database
from tests.servers.running import body_of, free_port, running, smtp_url

HEADER = "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
FIRST = HEADER + """c1,Acme Q,Acme,2026-11-23 09:00:00,answered,60,100,0,0,a1,
c2,Acme Q,Acme,2026-11-23 09:05:00,answered,5,100,0,0,a1,
c3,Acme Q,Acme,2026-11-23 09:20:00,answered,90,100,0,0,a1,
c4,Acme Q,Acme,2026-11-23 09:25:00,abandoned,60,,,,,
c5,Acme Q,Acme,2026-11-23 10:05:00,turned_away,0,,,,,
c6,Acme Q,Acme,2026-11-23 15:05:00,answered,5,100,0,0,a1,
b1,Beta Q,Beta,2026-11-23 11:00:00,answered,3,100,0,0,b7,
b2,Beta Q,Beta,2026-11-23 11:10:00,answered,4,100,0,0,b7,
b3,Beta Q,Beta,2026-11-23 11:20:00,abandoned,30,,,,,
"""
SECOND = HEADER + "".join(
    f"d{n},Acme Q,Acme,2026-11-23 09:{(n - 1) * 2 if n <= 6 else 15 + (n - 7) * 2:02d}:00,answered,2,100,0,0,a1,\n"
    for n in range(1, 13))
LINK = "http://localhost:8501/availability?partner=Acme&period=2026-W48"
BETA_LINK = "http://localhost:8501/availability?partner=Beta&period=2026-W48"
CENTRE, ACME, BETA = "centre@example.com", "site@acme.example", "site@beta.example"


def set_up(db, hook: str | None = None) -> None:
    with store.writing(db) as con:
        for name in ("Acme", "Beta"):
            registry.add_partner(con, name)
        registry.set_queue(con, "Acme Q", partner="Acme")
        registry.set_queue(con, "Beta Q", partner="Beta")
        hours.add_version(con, registry.known_partner(con, "Acme"), dt.date(2026, 1, 1),
                          hours.parse("mon-fri 08:00-17:00"), actor="test")
        rules.add(con, "Morning SL", "sl_below", partner="Acme", threshold=0.8, intervals=2, severity="critical",
                  actor="test")
        rules.add(con, "Abandons", "abandon_over", partner=None, threshold=0.1, actor="test")
        rules.add(con, "Turned away", "turned_away", partner=None, actor="test")
        rules.add(con, "Silent", "no_legs", partner="Acme", threshold=2, actor="test")
        access.grant(con, ACME, "partner", "Acme", actor="test")
        subscriptions.add(con, CENTRE, what="alerts", actor="test")
        subscriptions.add(con, ACME, what="alerts", partner="Acme", actor="test")
        subscriptions.add(con, BETA, what="alerts", partner="Beta", audience="partner", actor="test")
        if hook:
            subscriptions.add(con, f"{hook}/slack#slack", what="alerts", actor="test")
            subscriptions.add(con, f"{hook}/teams", what="alerts", partner="Beta", actor="test")


def cli(db, *args: str, smtp: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OVERFLOW_DB": str(db), "OVERFLOW_SMTP_URL": smtp, "OVERFLOW_MAIL_FROM": "sla@centre.example"}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def imported(db, tmp_path, name: str, text: str, smtp: str) -> subprocess.CompletedProcess:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = cli(db, "import", str(path), "--tz", "Europe/Stockholm", smtp=smtp)
    assert done.returncode == 0, done.stderr
    return done


def by_recipient(mails) -> dict[str, list]:
    found: dict[str, list] = {}
    for mail in mails:
        found.setdefault(str(mail["To"]), []).append(mail)
    return found


def subjects(mails) -> list[str]:
    return sorted(str(m["Subject"]) for m in mails)


def test_breaches_are_sent_once_each_with_figure_period_threshold_and_link_and_clearings_follow(db, tmp_path):
    with running("smtp_sink", tmp_path / "smtp") as smtp, running("http_sink", tmp_path / "http") as http:
        set_up(db, f"http://127.0.0.1:{http.port}")
        done = imported(db, tmp_path, "first.csv", FIRST, smtp_url(smtp))
        assert "alerts: 5 raised, 0 cleared; 16 message(s) sent, 0 failed" in done.stdout

        mails = by_recipient(smtp.mails())
        acme_subjects = [
            "[CRITICAL] Acme: Morning SL (23 Nov 2026 09:00–09:30)",
            "[WARNING] Acme: Abandons (23 Nov 2026)",
            "[WARNING] Acme: Silent (23 Nov 2026 10:15–15:00)",
            "[WARNING] Acme: Turned away (23 Nov 2026)",
        ]
        beta_subjects = ["[WARNING] Beta: Abandons (23 Nov 2026)"]
        assert subjects(mails[CENTRE]) == sorted(acme_subjects + beta_subjects)
        assert subjects(mails[ACME]) == sorted(acme_subjects)
        assert subjects(mails[BETA]) == beta_subjects
        assert set(mails) == {CENTRE, ACME, BETA}
        assert all(str(m["From"]) == "sla@centre.example" for ms in mails.values() for m in ms)

        sl = body_of(next(m for m in mails[ACME] if "Morning SL" in m["Subject"]))
        assert "Figure: Service level (abandons-count): 25.0 %" in sl
        assert "Threshold: service level below 80.0 % in 2 consecutive intervals inside opening hours" in sl
        assert "Period: 23 Nov 2026 09:00–09:30" in sl
        assert f"View: {LINK}" in sl
        abandons = body_of(next(m for m in mails[BETA]))
        assert "Figure: Abandon rate: 33.3 % (1 of 3 legs)" in abandons and f"View: {BETA_LINK}" in abandons
        assert "abandon rate over 10.0 % for a day" in abandons
        silent = body_of(next(m for m in mails[ACME] if "Silent" in m["Subject"]))
        assert "4.75 hours without a leg" in silent
        turned = body_of(next(m for m in mails[ACME] if "Turned away" in m["Subject"]))
        assert "1 leg" in turned

        posts = http.posts()
        slack = [p["body"] for p in posts if p["path"] == "/slack"]
        teams = [p["body"] for p in posts if p["path"] == "/teams"]
        assert len(slack) == 5 and len(teams) == 1
        assert all(set(body) == {"text"} for body in slack)
        assert any("*[CRITICAL] Acme: Morning SL (23 Nov 2026 09:00–09:30)*" in b["text"] and f"<{LINK}|Open the view>"
                   in b["text"] for b in slack)
        card = teams[0]["attachments"][0]
        assert teams[0]["type"] == "message" and card["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert card["content"]["actions"][0]["url"] == BETA_LINK
        assert card["content"]["body"][0]["text"] == "[WARNING] Beta: Abandons (23 Nov 2026)"

        again = imported(db, tmp_path, "first-again.csv", FIRST, smtp_url(smtp))
        assert "alerts: 0 raised, 0 cleared" in again.stdout
        assert len(smtp.mails()) == 10 and len(http.posts()) == 6   # nothing sent twice

        cleared = imported(db, tmp_path, "second.csv", SECOND, smtp_url(smtp))
        assert "alerts: 0 raised, 2 cleared; 6 message(s) sent, 0 failed" in cleared.stdout
        new = by_recipient(smtp.mails()[10:])
        assert subjects(new[CENTRE]) == ["[Cleared] Acme: Abandons (23 Nov 2026)",
                                         "[Cleared] Acme: Morning SL (23 Nov 2026 09:00–09:30)"]
        assert subjects(new[ACME]) == subjects(new[CENTRE]) and BETA not in new
        clearing = body_of(next(m for m in new[ACME] if "Abandons" in m["Subject"]))
        assert "The alert has cleared: Abandons" in clearing and "Cleared " in clearing
        assert "Figure when raised: Abandon rate: 20.0 % (1 of 5 legs)" in clearing

    with store.reading(db) as con:
        states = store.execute(con, "SELECT r.name, p.name, a.state, a.raised_by, a.cleared_by FROM alerts a "
                                    "JOIN alert_rules r USING (rule_id) JOIN partners p ON p.partner_id = a.partner_id "
                                    "ORDER BY r.name, p.name").rows
    assert [row[:3] for row in states] == [("Abandons", "Acme", "cleared"), ("Abandons", "Beta", "open"),
                                           ("Morning SL", "Acme", "cleared"), ("Silent", "Acme", "open"),
                                           ("Turned away", "Acme", "open")]
    assert all(row[3].startswith("cli:") for row in states)
    assert [row[4] is not None for row in states] == [True, False, True, False, False]


def test_an_acknowledged_alert_is_not_raised_again_and_partner_scope_reads_only_its_own(db, tmp_path):
    with running("smtp_sink", tmp_path / "smtp") as smtp:
        set_up(db)
        imported(db, tmp_path, "first.csv", FIRST, smtp_url(smtp))
        with store.reading(db) as con:
            beta_alert = store.execute(con, "SELECT a.alert_id FROM alerts a JOIN partners p USING (partner_id) "
                                            "WHERE p.name = 'Beta'").scalar()
        acked = cli(db, "alerts", "ack", str(beta_alert), smtp=smtp_url(smtp))
        assert acked.returncode == 0 and f"acknowledged alert {beta_alert}" in acked.stdout
        twice = cli(db, "alerts", "ack", str(beta_alert), smtp=smtp_url(smtp))
        assert twice.returncode == 2 and twice.stderr.strip() == f"error: alert {beta_alert} is already acknowledged"
        checked = cli(db, "alerts", "check", smtp=smtp_url(smtp))
        assert checked.stdout.strip() == "alerts: 0 raised, 0 cleared"
        assert len(smtp.mails()) == 10
    with store.reading(db) as con:
        acme = registry.known_partner(con, "Acme")
        mine = deliver.alert_rows(con, "Europe/Stockholm", partner_ids=(acme,))
        state, by = store.execute(con, "SELECT state, acknowledged_by FROM alerts WHERE alert_id = ?", [beta_alert]).one()
        logged = store.execute(con, "SELECT detail FROM audit_log WHERE action = 'alert.acknowledge'").rows
    assert {r["partner"] for r in mine} == {"Acme"} and len(mine) == 4
    assert state == "acknowledged" and by.startswith("cli:")
    assert logged == [(f"alert {beta_alert} (Abandons)",)]


def test_a_mail_server_that_is_down_leaves_the_import_working_and_the_log_says_so(db, tmp_path):
    set_up(db)
    down = f"smtp://127.0.0.1:{free_port()}"
    done = imported(db, tmp_path, "first.csv", FIRST, down)
    assert "imported 9" in done.stdout
    assert "alerts: 5 raised, 0 cleared; 0 message(s) sent, 10 failed" in done.stdout
    assert "refused the connection" in done.stdout
    with store.reading(db) as con:
        legs = store.execute(con, "SELECT count(*) FROM call_legs").scalar()
        log = store.execute(con, "SELECT status, attempts, detail FROM deliveries").rows
    assert legs == 9
    # the first message is tried three times; the run's others are not tried once the server failed it
    assert len(log) == 10 and sorted((s, a) for s, a, _ in log) == [("failed", 0)] * 9 + [("failed", 3)]
    details = sorted(d for *_, d in log)
    assert details[0].startswith("attempt 1: the mail server refused the connection")
    assert "attempt 3: the mail server refused the connection" in details[0]
    assert set(details[1:]) == {"not tried: the mail server failed an earlier message of this run (the mail "
                                "server refused the connection (is it running?))"}
    listed = cli(db, "deliveries", smtp=down)
    assert listed.stdout.count("\tfailed\t") == 10

    with running("smtp_sink", tmp_path / "smtp") as smtp:   # the server is back: the next check sends them
        checked = cli(db, "alerts", "check", smtp=smtp_url(smtp))
        assert checked.stdout.strip() == "alerts: 0 raised, 0 cleared; 10 message(s) sent, 0 failed"
        assert len(smtp.mails()) == 10


def test_a_mail_server_that_refuses_is_not_asked_again_and_the_import_stands(db, tmp_path):
    with running("smtp_sink", tmp_path / "smtp", "--refuse") as smtp:
        set_up(db)
        done = imported(db, tmp_path, "first.csv", FIRST, smtp_url(smtp))
        assert "imported 9" in done.stdout and "0 message(s) sent, 10 failed" in done.stdout
        assert smtp.mails() == []
    with store.reading(db) as con:
        log = store.execute(con, "SELECT status, attempts, detail FROM deliveries").rows
    assert {(s, a) for s, a, _ in log} == {("failed", 1)}   # a 550 is permanent: one attempt
    assert all("550" in d and "Relaying denied" in d for *_, d in log)


def test_rules_are_checked_and_audited(db):
    with store.writing(db) as con:
        registry.add_partner(con, "Acme")
        with pytest.raises(UserError, match="between 0 and 100 %"):
            rules.add(con, "x", "sl_below", partner=None, threshold=80, actor="t")
        with pytest.raises(UserError, match="figure_red needs --metric"):
            rules.add(con, "x", "figure_red", partner=None, figure="speed", actor="t")
        rules.add(con, "Red SL", "figure_red", partner="Acme", figure="service_level", severity="critical", actor="t")
        rules.remove(con, "Red SL", actor="t2")
        logged = store.execute(con, "SELECT actor, action, detail FROM audit_log WHERE action LIKE 'alert_rule%' "
                                    "ORDER BY logged_at, rowid").rows
    assert logged == [("t", "alert_rule.add", "Red SL: service level red for the week, Acme, critical"),
                      ("t2", "alert_rule.remove", "Red SL: service level red for the week, Acme")]
    assert rules.parse_threshold("80%") == 0.8 and rules.parse_threshold("0.75") == 0.75


def test_two_checks_at_once_raise_and_send_each_alert_once(db, tmp_path):
    """Two `alerts check` processes judging the same new data at the same time: each breach is one
    alert and each message arrives once (the outbox is claimed in a transaction before sending)."""
    set_up(db)
    (tmp_path / "first.csv").write_text(FIRST, encoding="utf-8")
    import_file(tmp_path / "first.csv", db=db, tz="Europe/Stockholm")   # the importer alone: nothing judged yet
    with running("smtp_sink", tmp_path / "smtp") as smtp:
        env = {**os.environ, "OVERFLOW_DB": str(db), "OVERFLOW_SMTP_URL": smtp_url(smtp)}
        checks = [subprocess.Popen([sys.executable, "-m", "cli", "alerts", "check"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [check.communicate(timeout=300) for check in checks]
        assert [check.returncode for check in checks] == [0, 0], outputs
        said = [out.strip() for out, _ in outputs]
        mails = smtp.mails()
    assert sum(int(line.split(" raised")[0].split()[-1]) for line in said) == 5
    pairs = [(str(m["To"]), str(m["Subject"])) for m in mails]
    assert len(pairs) == 10 and len(set(pairs)) == 10
    with store.reading(db) as con:
        assert store.execute(con, "SELECT count(*) FROM alerts").scalar() == 5
        assert store.execute(con, "SELECT status, count(*) FROM deliveries GROUP BY status").rows == [("sent", 10)]


def test_a_database_from_before_alerts_migrates_keeping_its_data(tmp_path):
    path = old_database(tmp_path / "old.duckdb", 8)
    with store.writing(path) as con:   # the first write brings it forward
        registry.add_partner(con, "Acme")
        rules.add(con, "Abandons", "abandon_over", partner="Acme", threshold=0.1, actor="test")
    with store.reading(path) as con:
        assert store.execute(con, "SELECT name FROM partners").rows == [("Acme",)]
        assert [r.name for r in rules.in_force(con)] == ["Abandons"]
        assert store.execute(con, "SELECT count(*) FROM deliveries").scalar() == 0


def test_an_import_and_its_alert_evaluation_run_without_pandas(db, tmp_path):
    """`python -m cli import` runs on DuckDB and the standard library: the import, every kind of rule
    (figure_red through a week's scorecard) and the messages, without pandas, numpy or pyarrow, whose
    loading was half a second of a day's import into 100M legs (docs/benchmarks.md). The breaches are
    the module docstring's five plus Acme's week red (the test below): mailed to the centre (6) and to
    Acme's own address (its 4 and the week), Beta's one to Beta: 12 messages."""
    with running("smtp_sink", tmp_path / "smtp") as smtp:
        set_up(db)
        with store.writing(db) as con:
            agreements.add_version(con, registry.known_partner(con, "Acme"), dt.date(2026, 1, 1), sl_target=0.8)
            rules.add(con, "SL red", "figure_red", partner=None, figure="service_level", severity="critical",
                      actor="t")
        (tmp_path / "first.csv").write_text(FIRST, encoding="utf-8")
        code = ("import sys, cli; status = cli.main(sys.argv[1:]); "
                "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules)); sys.exit(status)")
        env = {**os.environ, "OVERFLOW_SMTP_URL": smtp_url(smtp), "OVERFLOW_MAIL_FROM": "sla@centre.example"}
        done = subprocess.run([sys.executable, "-c", code, "import", str(tmp_path / "first.csv"), "--tz",
                               "Europe/Stockholm"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "alerts: 6 raised, 0 cleared; 12 message(s) sent, 0 failed" in done.stdout
        assert len(smtp.mails()) == 12
    assert done.stdout.splitlines()[-1] == "[]"


def test_the_evaluation_and_the_outbox_read_through_one_opening_of_the_file(db, monkeypatch):
    """With no rule in force and nothing to send, the rules' read and the outbox's share one read-only
    opening of the file (opening a 100M-leg file costs as much as the evaluation's reads)."""
    opened: list[bool] = []
    connect = store.connect

    def counted(*args, **kwargs):
        opened.append(bool(kwargs.get("read_only")))
        return connect(*args, **kwargs)

    monkeypatch.setattr(store, "connect", counted)
    assert deliver.check(str(db), "test").line() == "alerts: 0 raised, 0 cleared"
    assert opened == [True]


def test_a_figure_red_for_the_week_is_raised_with_its_target_and_the_scorecard_link(db, tmp_path):
    """Acme's agreement asks for 80 % service level. Week 2026-W48 so far (Monday's legs of FIRST):
    2 legs answered within 20 s (c2, c6) of 4 answered + 1 abandoned + 1 turned away inside the
    hours = 2 / 6 = 33.3 %, red (amber only within 5 points). Beta has no agreement: no target, no alert."""
    with store.writing(db) as con:
        for name in ("Acme", "Beta"):
            registry.add_partner(con, name)
        agreements.add_version(con, registry.known_partner(con, "Acme"), dt.date(2026, 1, 1), sl_target=0.8)
        rules.add(con, "SL red", "figure_red", partner=None, figure="service_level", severity="critical", actor="t")
    (tmp_path / "first.csv").write_text(FIRST, encoding="utf-8")
    import_file(tmp_path / "first.csv", db=db, tz="Europe/Stockholm")
    assert deliver.check(str(db), "test").line() == "alerts: 1 raised, 0 cleared"
    with store.reading(db) as con:
        (row,) = deliver.alert_rows(con, "Europe/Stockholm")
    assert (row["partner"], row["figure"], row["period"]) == ("Acme", "Service level (abandons-count)",
                                                              "2026-W48, 23–29 Nov 2026")
    assert row["value"] == "33.3 % (✖ missed)"
    assert row["threshold"] == "service level red for the week (target min 80.0 %)"
    assert row["link"] == "http://localhost:8501/scorecard?partner=Acme&period=2026-W48"
