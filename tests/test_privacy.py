"""Privacy (issue 21): customer ids stored only as a keyed pseudonym, FCR exact over them, existing
databases migrated, retention purge, a customer's erasure and export (docs/privacy.md)."""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from data import idkey, privacy, settings, store
from data.errors import UserError
from ingest.importing import import_file
from metrics import scorecard
from partners import periods
from tests.conftest import ROOT, TEST_ID_KEY, kept_line, old_database, pseudonym
from tests.importing_helpers import register_partners

HEADER = "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
NUMBERS = ("+46701234501", "0701234502", "46701234503", "0701234504")
# A marker stored as written (an agent id): the file search below must find it, or it proves nothing.
MARKER = "AGENTMARKER4711"
LEGS = [  # (call_id, queue, partner, offered_at, outcome, wait, talk, agent, customer)
    ("c1", "Flexi", "FlexiCall", "2026-11-02T09:00:00", "answered", 10, 100, MARKER, NUMBERS[0]),
    ("c2", "Flexi", "FlexiCall", "2026-11-03T09:00:00", "answered", 12, 90, MARKER, NUMBERS[0]),      # c1's repeat, 1 day
    ("c3", "Flexi", "FlexiCall", "2026-11-02T10:00:00", "answered", 5, 80, MARKER, NUMBERS[1]),
    ("c4", "Kundservice", "", "2026-11-12T10:00:00", "answered", 7, 60, "IN1", NUMBERS[1]),           # c3's repeat, 10 days
    ("c5", "Flexi", "FlexiCall", "2026-11-04T11:00:00", "answered", 9, 70, MARKER, NUMBERS[2]),
    ("c6", "Flexi", "FlexiCall", "2026-11-04T12:00:00", "abandoned", 30, None, None, NUMBERS[3]),
    ("c7", "Flexi", "FlexiCall", "2026-11-05T12:00:00", "answered", 3, 50, MARKER, NUMBERS[3]),       # c6's repeat
    ("c8", "Flexi", "FlexiCall", "2026-11-05T13:00:00", "answered", 4, 40, MARKER, "anonymous"),
    ("c9", "Flexi", "FlexiCall", "2026-11-05T14:00:00", "answered", 4, 40, MARKER, "anonymous"),
    ("c10", "Flexi", "FlexiCall", "2026-11-05T15:00:00", "answered", 4, 40, MARKER, "0"),
]
# A queue_log whose last call is still waiting: its ENTERQUEUE line (with the caller id) is kept.
QUEUE_LOG = ("1762336800|q1|Flexi|NONE|ENTERQUEUE||0701234505|1\n"
             "1762336810|q1|Flexi|Agent/1|CONNECT|10|q1.1|2\n"
             "1762336900|q1|Flexi|Agent/1|COMPLETECALLER|10|90|1\n"
             "1762337000|q2|Flexi|NONE|ENTERQUEUE||0701234506|1\n")
LOG_NUMBERS = ("0701234505", "0701234506")


def legs_csv(path: Path, legs=LEGS) -> Path:
    rows = [f"{c},{q},{p},{at},{o},{w},{'' if t is None else t},0,5,{a or ''},{cu}" for c, q, p, at, o, w, t, a, cu in legs]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def file_bytes(db: Path) -> bytes:
    """The database file and its WAL (if any) as they are on disk, after a CHECKPOINT (the process's
    kept read-only connection let go first: DuckDB opens a file one way at a time in a process)."""
    store.let_go(db)
    with duckdb.connect(str(db)) as con:
        con.execute("CHECKPOINT")
    wal = db.with_name(db.name + ".wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.fixture
def imported(db, tmp_path) -> Path:
    register_partners(db, ["FlexiCall"])
    import_file(legs_csv(tmp_path / "legs.csv"), db=db, tz="Europe/Stockholm", imported_by="tester")
    log = tmp_path / "queue_log"
    log.write_text(QUEUE_LOG, encoding="utf-8")
    import_file(log, profile="queue-log", db=db)
    return db


def test_no_phone_number_is_in_the_database_file_its_wal_or_the_audit_log(imported):
    content = file_bytes(imported)
    assert MARKER.encode() in content  # the search sees text stored as written
    for number in NUMBERS + LOG_NUMBERS:
        assert number.encode() not in content, number
    assert store.query("SELECT count(*) FROM audit_log WHERE " + " OR ".join(
        ["contains(detail, ?)"] * len(NUMBERS + LOG_NUMBERS)), list(NUMBERS + LOG_NUMBERS), path=imported).scalar() == 0
    # what is stored: the pseudonym computed by Python's hmac, NULL for ids that tell no one apart
    stored = dict(store.query("SELECT call_id, customer_id FROM call_legs", path=imported).rows)
    assert stored == {**{c: pseudonym(cu) for c, *_, cu in LEGS}, "q1": pseudonym("0701234505")}
    assert [stored[c] for c in ("c8", "c9", "c10")] == [None, None, None]  # never one shared "customer"
    kept = store.query("SELECT raw FROM queue_log_pending", path=imported).rows
    assert kept == [(kept_line(QUEUE_LOG.splitlines()[3]),)]


def test_without_a_key_in_the_environment_one_is_made_beside_the_database_readable_by_its_owner_only(
        tmp_path, monkeypatch, caplog):
    monkeypatch.delenv(idkey.KEY_ENV)
    db = tmp_path / "own.duckdb"
    register_partners(db, ["FlexiCall"])
    import_file(legs_csv(tmp_path / "legs.csv"), db=db, tz="Europe/Stockholm")
    key_file = tmp_path / "own.duckdb.idkey"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sum("customer ids are hashed with a new key" in r.getMessage() for r in caplog.records) == 1
    key = key_file.read_text().strip()
    assert len(key) == 64 and key != TEST_ID_KEY
    stored = store.query("SELECT customer_id FROM call_legs WHERE call_id = 'c1'", path=db).scalar()
    assert stored == pseudonym(NUMBERS[0], key)
    # the key the database was written with is required from then on: another one is refused
    monkeypatch.setenv(idkey.KEY_ENV, "another key")
    with pytest.raises(UserError, match="not the one the database .* was written with"):
        store.create(db)


def repeat_gaps_by_hand(legs, tz: str = "Europe/Stockholm") -> Counter:
    """repeat_gaps computed from the raw numbers (docs/metrics.md, FCR): per queue and local day, the
    answered legs by usable id and days (rounded up) to the same number's next call, None past 90."""
    zone = ZoneInfo(tz)
    at = {c: dt.datetime.fromisoformat(t).replace(tzinfo=zone) for c, _, _, t, *_ in legs}
    counts = Counter()
    for c, queue, _, _, outcome, *_, customer in legs:
        if outcome != "answered":
            continue
        usable = pseudonym(customer) is not None
        later = [at[o] for o, *_, other in legs if usable and other == customer and at[o] > at[c]]
        days = math.ceil((min(later) - at[c]).total_seconds() / 86400) if later else None
        counts[(queue, at[c].date(), usable, days if days is not None and days <= 90 else None)] += 1
    return counts


def test_repeat_gaps_and_fcr_are_what_the_raw_numbers_give(imported):
    rows = store.query("SELECT q.name, g.local_day, g.usable, g.repeat_days, g.legs FROM repeat_gaps g "
                       "JOIN queues q USING (queue_id)", path=imported).rows
    log_leg = ("Flexi", dt.date(2025, 11, 5), True, None)  # the queue_log's answered call (its own number, no repeat)
    expected = repeat_gaps_by_hand(LEGS) + Counter({log_leg: 1})
    assert Counter({(q, d, u, r): n for q, d, u, r, n in rows}) == expected
    # FCR of FlexiCall in November: c1 repeated within 7 days, c3 repeated after 10 days (resolved in 7),
    # c5, c7 and the log's call resolved; c8, c9, c10 left out: 4 of 5.
    with store.reading(imported) as con:
        card = scorecard.scorecard(con, 1, periods.month(dt.date(2026, 11, 1)))
    fcr = next(f for f in card.figures if f.metric == "fcr")
    assert (fcr.numerator, fcr.denominator) == (4, 5)


def test_an_older_database_has_its_ids_hashed_and_its_aggregates_kept(tmp_path):
    db = old_database(tmp_path / "old.duckdb", 12)
    raw_line = "1762337000|q2|Flexi|NONE|ENTERQUEUE||0701234506|1"
    with duckdb.connect(str(db)) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("INSERT INTO queues (name) VALUES ('Kundservice')")
        con.execute("INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, customer_id, "
                    "batch_id) VALUES (1, 'a', '2026-11-02 09:00:00+00', 'answered', 5, 60, '0701234501', 1), "
                    "(1, 'b', '2026-11-04 09:00:00+00', 'answered', 5, 60, '0701234501', 1), "
                    "(1, 'c', '2026-11-04 10:00:00+00', 'answered', 5, 60, 'withheld', 1)")
        con.execute("INSERT INTO queue_log_pending VALUES ('Flexi', 'q2', 4, ?, 'queue_log', 1)", [raw_line])
        con.execute("INSERT INTO customer_calls SELECT * FROM customer_calls_of(NULL)")
        con.execute("INSERT INTO repeat_gaps SELECT queue_id, local_day, usable, repeat_days, sum(legs) "
                    "FROM repeat_gap_changes('Europe/Stockholm', NULL, TIMESTAMPTZ '-infinity') GROUP BY ALL")
        gaps = sorted(con.execute("SELECT * FROM repeat_gaps").fetchall(), key=str)
    assert gaps == sorted([(1, dt.date(2026, 11, 2), True, 2, 1), (1, dt.date(2026, 11, 4), True, None, 1),
                           (1, dt.date(2026, 11, 4), False, None, 1)], key=str)
    store.create(db)
    with store.reading(db) as con:
        assert store.execute(con, "SELECT call_id, customer_id FROM call_legs ORDER BY call_id").rows == [
            ("a", pseudonym("0701234501")), ("b", pseudonym("0701234501")), ("c", None)]
        assert store.execute(con, "SELECT raw FROM queue_log_pending").rows == [(kept_line(raw_line),)]
        assert {r[0] for r in store.execute(con, "SELECT customer_id FROM customer_calls").rows} == {
            pseudonym("0701234501")}
        assert sorted(store.execute(con, "SELECT * FROM repeat_gaps").rows, key=str) == gaps
    assert b"0701234501" not in file_bytes(db) and b"0701234506" not in file_bytes(db)


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args, "--db", str(db)], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "OVERFLOW_DB": str(db)})


def test_export_says_what_is_held_about_one_customer_and_logs_no_number(imported, tmp_path):
    out = tmp_path / "held.json"
    done = run_cli(imported, "privacy", "export", "--customer", NUMBERS[1], "--out", str(out), "--reference", "REQ-7")
    assert done.returncode == 0, done.stderr
    held = json.loads(out.read_text())
    assert [(leg["call_id"], leg["queue"]) for leg in held["legs"]] == [("c3", "Flexi"), ("c4", "Kundservice")]
    assert held["surveys"] == [] and held["pending"] == []
    assert store.query("SELECT actor, detail FROM audit_log WHERE action = 'privacy.export'", path=imported).rows == [
        (f"cli:{os.environ.get('USER') or __import__('getpass').getuser()}",
         "a customer's data exported (2 legs, 0 surveys, 0 pending, 0 rejected); request REQ-7")]


def test_erase_leaves_no_trace_of_the_customer_in_queries_or_bytes(imported):
    number = "0701234506"  # the caller still waiting in the kept queue_log lines
    with store.writing(imported) as con:
        store.execute(con, "INSERT INTO survey_answers VALUES ('s1', 1, 'c3', '2026-11-02 12:00:00+00', 'csat', 5, 1)")
    before = file_bytes(imported)
    hidden = pseudonym(number).encode()
    assert hidden in before  # the control: the pseudonym is findable in the file before the erasure
    for customer in (number, NUMBERS[1]):
        done = run_cli(imported, "privacy", "erase", "--customer", customer)
        assert done.returncode == 0, done.stderr
    with store.reading(imported) as con:
        for table, column in (("call_legs", "customer_id"), ("customer_calls", "customer_id"), ("queue_log_pending", "raw")):
            assert store.execute(con, f"SELECT count(*) FROM {table} WHERE contains({column}, ?) OR contains({column}, ?)",
                                 [pseudonym(number), pseudonym(NUMBERS[1])]).scalar() == 0, table
        assert store.execute(con, "SELECT count(*) FROM survey_answers").scalar() == 0
        assert store.execute(con, "SELECT count(*) FROM call_legs WHERE call_id IN ('c3', 'c4')").scalar() == 2
        erased = store.execute(con, "SELECT detail FROM audit_log WHERE action = 'privacy.erase' ORDER BY logged_at").rows
    assert erased == [("a customer erased (0 legs, 0 surveys, 1 pending, 0 rejected, 0 upload(s))",),
                      ("a customer erased (2 legs, 1 surveys, 0 pending, 0 rejected, 0 upload(s))",)]
    after = file_bytes(imported)
    for trace in (hidden, pseudonym(NUMBERS[1]).encode(), number.encode(), NUMBERS[1].encode()):
        assert trace not in after
    assert MARKER.encode() in after


def test_an_id_that_names_no_one_cannot_be_erased(imported):
    done = run_cli(imported, "privacy", "erase", "--customer", "anonymous")
    assert done.returncode == 2 and done.stderr.startswith("error: 'anonymous' is not a customer id")


def test_a_demo_built_without_a_key_keeps_its_key_file_beside_the_finished_database(tmp_path, monkeypatch):
    monkeypatch.delenv(idkey.KEY_ENV)
    db = tmp_path / "demo.duckdb"
    done = subprocess.run([sys.executable, "-m", "cli", "demo", "--calls", "20000", "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != idkey.KEY_ENV})
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".idkey")) == ["demo.duckdb.idkey"]
    store.create(db)  # a later write finds the key the build hashed with (another would be refused)
    key = (tmp_path / "demo.duckdb.idkey").read_text().strip()
    with store.reading(db) as con:
        stored = store.execute(con, "SELECT fingerprint FROM id_key").scalar()
    assert stored == pseudonym("key check 1", key)
