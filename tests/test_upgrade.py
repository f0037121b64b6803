"""`python -m cli upgrade`: an older database brought forward before the app is started, saying
what it runs; a database at the newest schema is left as it is."""
from __future__ import annotations

import re

import cli
from data import store
from tests.conftest import old_database


def _run(capsys, *args: str) -> tuple[int, list[str]]:
    code = cli.main(["upgrade", *args])
    return code, capsys.readouterr().out.splitlines()


def test_an_older_database_is_brought_forward_and_says_what_ran(tmp_path, capsys):
    newest = store.migrations()[-1][0]
    path = old_database(tmp_path / "old.duckdb", newest - 2)
    names = [p.name for _, p in store.migrations()[-2:]]
    assert [p.name for _, p in store.pending(path)] == names
    code, lines = _run(capsys, "--db", str(path))
    assert code == 0
    assert lines[0] == f"2 migrations to run, in one transaction: {names[0]}, {names[1]}"
    assert re.fullmatch(rf"brought forward to schema {newest} in [0-9,.]+ s", lines[1])
    assert store.pending(path) == []
    with store.reading(path) as con:
        recorded = store.execute(con, "SELECT version FROM schema_version ORDER BY version").rows
    assert [v for (v,) in recorded] == [v for v, _ in store.migrations()]


def test_a_database_at_the_newest_schema_is_left_as_it_is(db, capsys):
    before = db.stat().st_mtime_ns
    code, lines = _run(capsys, "--db", str(db))
    assert (code, lines) == (0, [f"the database is at the newest schema already ({store.migrations()[-1][0]})"])
    assert db.stat().st_mtime_ns == before


def test_a_file_not_there_has_every_migration_to_run(tmp_path):
    assert store.pending(tmp_path / "none.duckdb") == store.migrations()
