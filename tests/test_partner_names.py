"""Partner names and their order by name: one statement per read-only connection, a write seen at once."""
from __future__ import annotations

from data import store
from partners import registry


def test_names_and_ids_by_name_read_once_per_run_and_a_rename_is_seen(db, monkeypatch):
    with store.writing(db) as con:
        ids = {name: registry.add_partner(con, name) for name in ("Zeta", "alpha", "Beta", "Mid")}
    statements = []
    run = store._run

    def counted(con, sql, params, what):
        if "partners" in sql:
            statements.append(sql)
        return run(con, sql, params, what)

    monkeypatch.setattr(store, "_run", counted)
    with store.one_reader():
        with store.reading(db) as con:
            # DuckDB's ORDER BY name: upper case before lower case (byte order), written out by hand
            assert registry.ids_by_name(con) == [ids["Beta"], ids["Mid"], ids["Zeta"], ids["alpha"]]
            assert registry.ids_by_name(con, [ids["alpha"], ids["Beta"]]) == [ids["Beta"], ids["alpha"]]
            assert registry.ids_by_name(con, []) == []
            assert registry.partner_name(con, ids["Mid"]) == "Mid"
            assert registry.partner_name(con, 999) == "partner 999"
    assert len(statements) == 1
    with store.writing(db) as con:
        store.execute(con, "UPDATE partners SET name = 'Aardvark' WHERE partner_id = ?", [ids["Zeta"]])
        assert registry.partner_name(con, ids["Zeta"]) == "Aardvark"     # a writing connection reads again
        assert registry.ids_by_name(con)[0] == ids["Zeta"]
    with store.reading(db) as con:
        assert registry.ids_by_name(con) == [ids["Zeta"], ids["Beta"], ids["Mid"], ids["alpha"]]


def test_a_writing_connection_reads_only_the_name_it_is_asked_for(db, monkeypatch):
    """A writing connection remembers nothing: a name for an audit line is that partner's row, not
    every partner's (four here: one row read, and none for an id that is not there)."""
    read: list[int] = []
    run = store._run

    def counted(con, sql, params, what):
        result = run(con, sql, params, what)
        if "FROM partners" in sql:
            read.append(len(result.rows))
        return result

    with store.writing(db) as con:
        ids = {name: registry.add_partner(con, name) for name in ("Zeta", "alpha", "Beta", "Mid")}
        monkeypatch.setattr(store, "_run", counted)
        assert registry.partner_name(con, ids["Mid"]) == "Mid"
        assert registry.partner_name(con, 999) == "partner 999"
    assert read == [1, 0]
