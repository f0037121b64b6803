"""The generic profile: every rejection reason, duplicates, re-import, Swedish exports, xlsx, parquet.

Expected values are worked out by hand from the fixture lines (line 1 is the header).
"""
from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from data import i18n, store
from data.errors import UserError
from ingest.importing import PROFILES, import_file
from partners import registry
from tests.conftest import FIXTURES, ROOT, pseudonym

IMPORT = FIXTURES / "import"


def add_partners(db, *names):
    with store.writing(db) as con:
        for name in names:
            registry.add_partner(con, name)


def legs(db):
    """(queue, call_id, offered_at in UTC, outcome, wait, talk, hold, wrap, agent, customer, journey) by queue, call."""
    return store.query(
        """
        SELECT q.name, l.call_id, strftime(l.offered_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S'), l.outcome,
               l.wait_s, l.talk_s, l.hold_s, l.wrap_s, l.agent_id, l.customer_id, l.journey_id
        FROM call_legs l JOIN queues q USING (queue_id) ORDER BY q.name, l.call_id
        """,
        path=db,
    ).rows


def rejected(db, batch_id):
    return store.query(
        "SELECT line_no, raw, reason FROM rejected_rows WHERE batch_id = ? ORDER BY line_no", [batch_id], path=db
    ).rows


MIXED_REJECTS = [
    (6, "A4,Kundservice,,2026-13-01 10:00:00,answered,5,100,0,10,IN3,,,Sthlm",
     "offered_at '2026-13-01 10:00:00' is not a date"),
    (7, "A5,Kundservice,,2026-01-05 10:00:00,hung,5,,,,,,,Sthlm",
     "outcome 'hung' is not answered, abandoned, overflowed or turned_away"),
    (8, "A6,Kundservice,,2026-01-05 10:05:00,answered,-3,60,0,5,IN3,,,Sthlm", "wait_s '-3' is negative"),
    (9, "A7,Beta Kundservice,Beta Contact,2026-01-05 10:10:00,answered,5,60,0,5,B1,,,Sthlm",
     "unknown partner 'Beta Contact'; an admin adds a new partner with Add a partner on the Agreements page"),
    (10, "A8,Alfa Kundservice,,2026-01-05 10:15:00,answered,5,60,0,5,B1,,,Sthlm",
     "queue 'Alfa Kundservice' belongs to partner Alfa BPO, not in-house (the partner column is empty)"),
    (12, "A9,Kundservice,,2026-01-05 10:20:00,answered,five,60,0,5,IN3,,,Sthlm", "wait_s 'five' is not a number"),
    (13, "A10,Kundservice,,2026-01-05,answered,5,60,0,5,IN3,,,Sthlm", "offered_at '2026-01-05' has no time of day"),
    (14, ",Kundservice,,2026-01-05 10:30:00,answered,5,60,0,5,IN3,,,Sthlm", "call_id is empty"),
    (15, "A11,Kundservice,,2026-01-05 10:35:00,answered,5,60,0,5,IN3,,Sthlm", "line has fewer fields than the header"),
    (16, "A12,Kundservice,,2026-01-05 10:40:00,answered,5,99999,0,5,IN3,,,Sthlm", "talk_s '99999' is more than a day"),
]

MIXED_LEGS = [
    ("Alfa Kundservice", "A1", "2026-01-05 07:00:45", "answered", 15, 300, 20, 30, "AL7", pseudonym("K1"), "J1"),
    ("Alfa Kundservice", "A13", "2026-01-05 09:45:00", "abandoned", 70, None, None, None, None, None, None),
    ("Kundservice", "A1", "2026-01-05 07:00:00", "overflowed", 40, None, None, None, None, pseudonym("K1"), "J1"),
    ("Kundservice", "A2", "2026-01-05 09:15:00", "answered", 5, 120, 0, 15, "IN3", None, None),
    ("Kundservice", "A3", "2026-01-05 08:20:00", "abandoned", 8, None, None, None, None, pseudonym("K9"), None),
]


def test_every_row_lands_in_one_place_with_a_reason(db):
    add_partners(db, "Alfa BPO")
    summary = import_file(IMPORT / "legs_mixed.csv", db=db, imported_by="tester")
    assert (summary.read, summary.imported, summary.duplicates, summary.filtered, summary.rejected) == (16, 5, 1, 0, 10)
    # Beta Kundservice is not created: its only row names an unknown partner.
    assert summary.notes == ("ignored unknown column(s): site; created queue 'Alfa Kundservice' (Alfa BPO); "
                             "created queue 'Kundservice' (in-house)")
    assert legs(db) == MIXED_LEGS
    assert rejected(db, summary.batch_id) == MIXED_REJECTS
    batch = store.query("SELECT kind, profile, time_zone, imported_by, read, imported, duplicates, rejected "
                        "FROM import_batches", path=db).rows
    assert batch == [("call_legs", "generic", "Europe/Stockholm", "tester", 16, 5, 1, 10)]
    owners = store.query("SELECT q.name, p.name FROM queues q LEFT JOIN partners p USING (partner_id) ORDER BY 1",
                         path=db).rows
    assert owners == [("Alfa Kundservice", "Alfa BPO"), ("Kundservice", None)]
    audit = store.query("SELECT actor, action, detail FROM audit_log", path=db).rows
    assert audit == [("tester", "import", f"{summary.file_name} (generic): batch 1, read 16, imported 5, "
                                          "duplicates 1, filtered 0, rejected 10; ignored unknown column(s): site; "
                                          "created queue 'Alfa Kundservice' (Alfa BPO); created queue 'Kundservice' (in-house)")]


def test_reimport_changes_nothing_and_other_files_skip_known_legs(db):
    add_partners(db, "Alfa BPO")
    import_file(IMPORT / "legs_mixed.csv", db=db)
    again = import_file(IMPORT / "legs_mixed.csv", db=db)
    assert (again.read, again.imported, again.duplicates, again.rejected) == (16, 0, 6, 10)
    assert legs(db) == MIXED_LEGS
    second = import_file(IMPORT / "legs_second.csv", db=db)
    assert (second.read, second.imported, second.duplicates, second.rejected) == (4, 1, 3, 0)
    assert [leg[:2] for leg in legs(db)] == [leg[:2] for leg in MIXED_LEGS] + [("Kundservice", "B1")]


def test_a_partner_added_later_lets_the_rejected_rows_in(db):
    add_partners(db, "Alfa BPO")
    import_file(IMPORT / "legs_mixed.csv", db=db)
    add_partners(db, "Beta Contact")
    again = import_file(IMPORT / "legs_mixed.csv", db=db)
    assert (again.imported, again.duplicates, again.rejected) == (1, 6, 9)
    assert store.query("SELECT q.name, p.name FROM call_legs JOIN queues q USING (queue_id) "
                       "JOIN partners p USING (partner_id) WHERE call_id = 'A7'", path=db).rows == [
        ("Beta Kundservice", "Beta Contact")]


def test_swedish_excel_export_cp1252_semicolons_decimal_commas(db):
    add_partners(db, "Gamma Care")
    summary = import_file(IMPORT / "swedish_cp1252.csv", db=db)
    assert (summary.read, summary.imported, summary.rejected) == (4, 3, 1)
    assert legs(db) == [
        ("Fakturor", "S3", "2026-03-02 07:10:00", "answered", 20, 95, 11, 5, "Björn", None, None),
        ("Växel", "S1", "2026-03-02 07:00:00", "answered", 12, 186, 0, 30, "Åsa", pseudonym("Kö1"), None),
        ("Växel", "S2", "2026-03-02 07:05:00", "abandoned", 4, None, None, None, None, None, None),
    ]
    assert rejected(db, summary.batch_id) == [
        (5, "S4;Växel;;2026-03-02 08:15;överflöd;3;;;;;", "outcome 'överflöd' is not answered, abandoned, overflowed or turned_away")
    ]


def test_tz_option_reads_times_without_offset_in_that_zone(db):
    add_partners(db, "Alfa BPO")
    import_file(IMPORT / "legs_second.csv", db=db, tz="America/New_York")
    assert [(leg[1], leg[2]) for leg in legs(db)] == [
        ("A1", "2026-01-05 13:00:45"), ("A2", "2026-01-05 09:15:00"), ("A3", "2026-01-05 14:20:00"),
        ("B1", "2026-01-06 13:00:00")]


def test_utf8_with_bom_and_tabs(db, tmp_path):
    path = tmp_path / "bom.tsv"
    path.write_bytes("\ufeffcall_id\tqueue\tpartner\toffered_at\toutcome\twait_s\n"
                     "T1\tVäxel\t\t2026-06-01 12:00:00\tanswered\t7\n".encode("utf-8"))
    summary = import_file(path, db=db)
    assert (summary.read, summary.imported) == (1, 1)
    assert legs(db) == [("Växel", "T1", "2026-06-01 10:00:00", "answered", 7, None, None, None, None, None, None)]


def test_xlsx_rows_keep_their_excel_row_numbers(db, tmp_path):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["call_id", "queue", "partner", "offered_at", "outcome", "wait_s", "talk_s"])
    sheet.append(["X1", "Support", None, dt.datetime(2026, 2, 2, 9, 30), "Answered", 10, 240])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["X2", "Support", None, dt.datetime(2026, 2, 2, 9, 31), "abandoned", -1, None])
    sheet.append([1003, "Support", None, "2026-02-02 09:32:00", "overflowed", 30.0, None])
    path = tmp_path / "calls.xlsx"
    book.save(path)
    summary = import_file(path, db=db)
    assert (summary.read, summary.imported, summary.rejected) == (3, 2, 1)
    assert legs(db) == [
        ("Support", "1003", "2026-02-02 08:32:00", "overflowed", 30, None, None, None, None, None, None),
        ("Support", "X1", "2026-02-02 08:30:00", "answered", 10, 240, None, None, None, None, None),
    ]
    assert rejected(db, summary.batch_id) == [(4, "X2,Support,,2026-02-02T09:31:00,abandoned,-1,", "wait_s '-1' is negative")]


def test_parquet_typed_columns(db, tmp_path):
    path = tmp_path / "calls.parquet"
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT * FROM (VALUES
            ('P1', 'Support', NULL, TIMESTAMP '2026-02-02 09:30:00', 'answered', 10, 240),
            ('P2', 'Support', NULL, TIMESTAMP '2026-02-02 09:35:00', 'lost', 10, NULL),
            ('P1', 'Support', NULL, TIMESTAMP '2026-02-02 09:30:00', 'answered', 10, 240))
          t(call_id, queue, partner, offered_at, outcome, wait_s, talk_s)) TO '{path}' (FORMAT parquet)"""
    )
    summary = import_file(path, db=db)
    assert (summary.read, summary.imported, summary.duplicates, summary.rejected) == (3, 1, 1, 1)
    assert legs(db) == [("Support", "P1", "2026-02-02 08:30:00", "answered", 10, 240, None, None, None, None, None)]
    assert rejected(db, summary.batch_id) == [
        (2, "P2,Support,,2026-02-02 09:35:00,lost,10,", "outcome 'lost' is not answered, abandoned, overflowed or turned_away")]


@pytest.mark.parametrize(
    ("name", "content", "profile", "tz", "message"),
    [
        ("missing.csv", None, "generic", None, "no such file"),
        ("empty.csv", b"", "generic", None, "the file is empty"),
        ("header.csv", b"call_id,queue,partner,offered_at,outcome,wait_s\n", "generic", None, "has no rows to import"),
        ("cols.csv", b"call_id,queue,when\nx,y,z\n", "generic", None, "missing column(s) offered_at, outcome, wait_s"),
        ("ok.csv", b"call_id,queue,partner,offered_at,outcome,wait_s\n", "nonsense", None, "unknown profile 'nonsense'"),
        ("ok.csv", b"call_id,queue,partner,offered_at,outcome,wait_s\n", "generic", "Europe/Nowhere",
         "unknown time zone 'Europe/Nowhere'"),
        ("pic.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "generic", None, "is not a text file"),
        ("book.xlsx", b"not a zip", "generic", None, "is not a readable .xlsx workbook"),
        ("data.parquet", b"not parquet", "generic", None, "is not a readable parquet file"),
    ],
)
def test_file_level_mistakes_are_one_line_user_errors(db, tmp_path, name, content, profile, tz, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UserError) as caught:
        import_file(path, db=db, profile=profile, tz=tz)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert store.query("SELECT count(*) FROM import_batches", path=db).rows == [(0,)]


def test_cli_json_and_error_line(db):
    add_partners(db, "Alfa BPO")
    run = subprocess.run([sys.executable, "-m", "cli", "import", str(IMPORT / "legs_mixed.csv"), "--format", "json",
                          "--db", str(db)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    counts = json.loads(run.stdout)
    assert {k: counts[k] for k in ("read", "imported", "duplicates", "filtered", "rejected")} == {
        "read": 16, "imported": 5, "duplicates": 1, "filtered": 0, "rejected": 10}
    bad = subprocess.run([sys.executable, "-m", "cli", "import", "nope.csv", "--db", str(db)], cwd=ROOT,
                         capture_output=True, text=True)
    assert (bad.returncode, bad.stdout, bad.stderr) == (2, "", "error: nope.csv: no such file\n")


def test_profiles_are_listed_with_a_description():
    assert {"generic", "anonymous-bank", "queue-log"} <= set(PROFILES)
    assert all(text.endswith(")") or text.endswith(".") for text in PROFILES.values())


TYPO = (
    "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
    "R1,Flexi Support,FlexiCall,2026-11-20T09:00:00,answered,5,100,0,10,F1,c1\n"
    "R2,Flexi Support,FlexiCall,2026-11-20T09:01:00,answered,6,100,0,10,F1,c2\n"
    "R3,Nowhere Queue,FlexiCall,2026-11-20T09:02:00,answered,7,100,0,10,F1,c3\n"
    "R4,Nowhere Queue,FlexiCall,2026-11-20T09:03:00,abandoned,9,,,,,c4\n"
    "R5,Kundservice,,2026-11-20T09:04:00,answered,3,100,0,10,I1,c5\n"
)


def test_an_import_names_each_queue_it_creates_in_the_result_the_batch_and_the_audit_log(db, tmp_path):
    """A mistyped queue name must not quietly split a partner's traffic: the created queue is said."""
    add_partners(db, "FlexiCall")
    with store.writing(db) as con:
        registry.set_queue(con, "Flexi Support", "FlexiCall")
    path = tmp_path / "review_calls.csv"
    path.write_text(TYPO, encoding="utf-8")
    summary = import_file(path, db=db, tz="Europe/Stockholm", file_name="review_calls.csv")
    assert (summary.file_name, summary.read, summary.imported) == ("review_calls.csv", 5, 5)
    said = "created queue 'Kundservice' (in-house); created queue 'Nowhere Queue' (FlexiCall)"
    assert summary.notes == said
    assert store.query("SELECT file_name, notes FROM import_batches", path=db).rows == [("review_calls.csv", said)]
    assert store.query("SELECT detail FROM audit_log WHERE action = 'import'", path=db).rows == [
        ("review_calls.csv (generic): batch 1, read 5, imported 5, duplicates 0, filtered 0, rejected 0; " + said,)]
    again = import_file(path, db=db, tz="Europe/Stockholm")
    assert (again.duplicates, again.notes) == (5, "")  # the queues exist now: nothing created, nothing said


def test_the_cli_import_prints_the_created_queue(db, tmp_path):
    add_partners(db, "FlexiCall")
    path = tmp_path / "calls.csv"
    path.write_text(TYPO.splitlines()[0] + "\n" + TYPO.splitlines()[3] + "\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "cli", "import", str(path), "--db", str(db)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert "  notes: created queue 'Nowhere Queue' (FlexiCall)" in run.stdout.splitlines()


def test_a_near_miss_partner_gets_did_you_mean_and_a_near_queue_name_is_pointed_out(db, tmp_path):
    add_partners(db, "Alfa BPO")
    first = tmp_path / "first.csv"
    first.write_text("call_id,queue,partner,offered_at,outcome,wait_s\n"
                     "A1,Kundservice,,2026-01-05 08:00:00,answered,5\n", encoding="utf-8")
    import_file(first, db=db, imported_by="tester")
    typos = tmp_path / "typos.csv"
    typos.write_text("call_id,queue,partner,offered_at,outcome,wait_s\n"
                     "B1,Alfa Kundservice,Alfa BP0,2026-01-05 09:00:00,answered,5\n"   # a zero for an O
                     "B2,Gamma Kundservice,Gamma Ltd,2026-01-05 09:05:00,answered,5\n"  # nothing close
                     "B3,Kundservcie,,2026-01-05 09:10:00,answered,5\n", encoding="utf-8")   # two letters swapped
    with pytest.raises(UserError, match="queue 'Kundservcie' is new; did you mean 'Kundservice'[?] Nothing was imported"):
        import_file(typos, db=db, imported_by="tester")
    summary = import_file(typos, db=db, imported_by="tester", new_queues=True)
    assert [reason for _, _, reason in rejected(db, summary.batch_id)] == [
        "unknown partner 'Alfa BP0': did you mean 'Alfa BPO'?; an admin adds a new partner with Add a partner on "
        "the Agreements page",
        "unknown partner 'Gamma Ltd'; an admin adds a new partner with Add a partner on the Agreements page"]
    assert summary.notes == ("created queue 'Kundservcie' (in-house): close to the existing queue 'Kundservice', "
                             "check the name")


def test_short_names_are_never_each_others_typo(db, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("call_id,queue,partner,offered_at,outcome,wait_s\nA1,q1,,2026-01-05 08:00:00,answered,5\n",
                     encoding="utf-8")
    import_file(first, db=db, imported_by="tester")
    second = tmp_path / "second.csv"
    second.write_text("call_id,queue,partner,offered_at,outcome,wait_s\nB1,q2,,2026-01-05 09:00:00,answered,5\n",
                      encoding="utf-8")
    assert import_file(second, db=db, imported_by="tester").notes == "created queue 'q2' (in-house)"


def test_each_customer_id_is_stored_as_its_keyed_pseudonym_however_often_it_calls(db, tmp_path):
    """The import hashes each distinct id once and joins it back: every leg still carries the HMAC of
    its own id (computed here by Python's hmac), a repeated id the same one, an unusable id none."""
    path = tmp_path / "repeats.csv"
    ids = ["0701", "0702", " 0701 ", "0701", "withheld", "", "0703", "0702", "+000", "0701"]
    lines = ["call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id"]
    lines += [f"R{i},Kundservice,,2026-01-05 08:{i:02d}:00,answered,5,60,0,5,IN1,{cid}" for i, cid in enumerate(ids)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = import_file(path, db=db, tz="UTC")
    assert (summary.imported, summary.rejected) == (10, 0)
    stored = dict(store.query("SELECT call_id, customer_id FROM call_legs", path=db).rows)
    expected = {f"R{i}": pseudonym(cid.strip()) if cid.strip() not in ("", "withheld", "+000") else None
                for i, cid in enumerate(ids)}
    assert stored == expected
    assert len({stored["R0"], stored["R1"], stored["R6"]}) == 3 and stored["R0"] == stored["R2"] == stored["R9"]


def test_an_import_in_swedish_gives_its_reasons_in_swedish(db):
    """The reasons are written in the importing reader's language (the reason is stored as written):
    the unknown partner, a queue named with the wrong partner, and a forecast week that is no Monday."""
    add_partners(db, "Alfa BPO")
    with i18n.language("sv"):
        legs_batch = import_file(IMPORT / "legs_mixed.csv", db=db, imported_by="tester").batch_id
        forecasts = import_file(IMPORT / "forecasts.csv", profile="forecasts", db=db).batch_id
    reasons = {line: reason for line, _, reason in rejected(db, legs_batch)}
    assert reasons[9] == ("okänd partner 'Beta Contact'; en administratör lägger till en ny partner med "
                          "Lägg till en partner på sidan Avtal")
    assert reasons[10] == ("kön 'Alfa Kundservice' tillhör partnern Alfa BPO, inte egen verksamhet "
                           "(kolumnen partner är tom)")
    assert reasons[8] == "wait_s '-3' är negativt"
    assert [reason for _, _, reason in rejected(db, forecasts)] == [
        "week_start '2026-01-06' är ingen måndag",
        "okänd partner 'Beta Contact'; en administratör lägger till en ny partner med Lägg till en partner på sidan Avtal",
        "legs '-1' är negativt",
    ]
