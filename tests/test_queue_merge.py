"""Queue rename and merge by an admin (issue 16): a merge of a mistyped queue into the right one
leaves every leg, rollup, detail aggregate and figure exactly as an import of the same files under
the right name would; all or nothing; audited. A rename keeps every figure."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from data import store
from data.errors import UserError
from ingest.importing import import_file
from metrics.scorecard import scorecard
from partners import agreements, periods, registry
from tests.conftest import ROOT

TZ = "Europe/Stockholm"
W47 = periods.parse("2026-W47")
HEADER = "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id,transferred_to\n"
FIRST = HEADER + """c1,Acme Q,Acme,2026-11-16T10:00:00,answered,10,100,0,0,a1,cust1,
c2,Acme Q,Acme,2026-11-16T10:05:00,answered,25,100,0,0,a1,cust2,{queue}
c3,Acme Q,Acme,2026-11-17T11:00:00,abandoned,30,,,,,cust3,
"""
# the second file's queue is mistyped (and the first file's transfer names it); c3 is a leg the first file already brought (a duplicate by call id)
SECOND = HEADER + """c3,{queue},Acme,2026-11-17T11:00:00,abandoned,30,,,,,cust3,
c4,{queue},Acme,2026-11-18T12:00:00,answered,5,200,10,20,a2,cust1,
c5,{queue},Acme,2026-11-18T12:15:00,answered,40,100,0,0,a2,cust4,
c6,{queue},Acme,2026-11-19T09:00:00,overflowed,50,,,,,cust2,
"""
TABLES = ("call_legs", "interval_rollups", "wait_histogram", "repeat_gaps", "call_paths", "customer_calls", "call_journeys", "queues")


def build(db, tmp_path, second_queue: str) -> None:
    store.create(db)
    with store.writing(db) as con:
        acme = registry.add_partner(con, "Acme")
        agreements.add_version(con, acme, dt.date(2026, 1, 1), sl_target=0.8, asa_max_s=20)
    for n, text in enumerate((FIRST.format(queue=second_queue), SECOND.format(queue=second_queue))):
        path = tmp_path / f"{db.stem}_{n}.csv"
        path.write_text(text, encoding="utf-8")
        import_file(path, tz=TZ, db=db, new_queues=True)


def contents(db) -> dict[str, list]:
    with store.reading(db) as con:
        found = {t: sorted(store.execute(con, f"SELECT COLUMNS(*)::VARCHAR FROM {t}").rows, key=repr) for t in TABLES}
        card = scorecard(con, 1, W47, TZ)
    return {**found, "figures": [(f.metric, f.value, f.sample_size, f.status) for f in card.figures]}


def test_a_merge_gives_what_an_import_under_the_final_name_gives(tmp_path):
    merged, right = tmp_path / "merged.duckdb", tmp_path / "right.duckdb"
    build(merged, tmp_path, "Acme Qu")
    build(right, tmp_path, "Acme Q")
    with store.writing(merged) as con:
        done = registry.merge_queues(con, "Acme Qu", "Acme Q", "test:admin")
        [(action, detail)] = store.execute(con, "SELECT action, detail FROM audit_log WHERE action = 'queue merge'").rows
    assert (done.legs, done.duplicates) == (3, 1)  # c4, c5, c6 moved; the second c3 dropped
    assert "'Acme Qu' merged into 'Acme Q': 3 legs moved (1 dropped as duplicates" in detail
    after, expected = contents(merged), contents(right)
    assert after == expected
    # by hand: 6 legs (c1..c6, c3 once); SL = within T=20 (c1, c4) / (4 answered + 1 abandoned past S)
    assert len(after["call_legs"]) == 6
    figures = {name: value for name, value, _, _ in after["figures"]}
    assert figures["service_level"] == pytest.approx(2 / 5)
    assert figures["asa_s"] == pytest.approx((10 + 25 + 5 + 40) / 4)
    assert store.query("SELECT transferred_to FROM call_legs WHERE call_id = 'c2'", path=merged).rows == [("Acme Q",)]


def test_a_refused_merge_changes_nothing(tmp_path):
    db = tmp_path / "merged.duckdb"
    build(db, tmp_path, "Acme Qu")
    with store.writing(db) as con:
        registry.set_queue(con, "Main")
    before = contents(db)
    for gone, kept, said in (("Acme Qu", "Main", "belong to different owners (Acme and in-house); move 'Acme Qu' to in-house first"),
                             ("Acme Qu", "Acme Qu", "cannot be merged into itself"),
                             ("Acme Quu", "Acme Q", "unknown queue 'Acme Quu'")):
        with pytest.raises(UserError, match=said.replace("(", r"\(").replace(")", r"\)")):
            with store.writing(db) as con:
                registry.merge_queues(con, gone, kept, "test:admin")
    assert contents(db) == before


def test_a_rename_keeps_every_figure_and_refuses_a_taken_name(tmp_path):
    db = tmp_path / "renamed.duckdb"
    build(db, tmp_path, "Acme Qu")
    before = contents(db)
    with store.writing(db) as con:
        registry.rename_queue(con, "Acme Qu", "Acme Q2", "test:admin")
    after = contents(db)
    assert after["figures"] == before["figures"] and after["interval_rollups"] == before["interval_rollups"]
    assert sorted(name for _, name, *_ in after["queues"]) == ["Acme Q", "Acme Q2"]
    with pytest.raises(UserError, match="a queue called 'Acme Q' already exists; merge 'Acme Q2' into it instead"):
        with store.writing(db) as con:
            registry.rename_queue(con, "Acme Q2", "Acme Q", "test:admin")


def test_the_cli_merges_and_says_what_moved_and_a_mistake_is_one_line(tmp_path):
    db = tmp_path / "cli.duckdb"
    build(db, tmp_path, "Acme Qu")
    run = [sys.executable, "-m", "cli", "queue", "merge", "Acme Qu", "Acme Q", "--db", str(db)]
    done = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("merged queue 'Acme Qu' into 'Acme Q': 3 legs moved")
    again = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
    assert again.returncode != 0 and "Traceback" not in again.stderr
    assert "unknown queue 'Acme Qu'" in again.stderr and len(again.stderr.strip().splitlines()) == 1
