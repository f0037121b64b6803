"""Grants, scopes and the access CLI: roles stored, mistakes told in one line, every change audited."""
from __future__ import annotations

import duckdb
import pytest

import cli
from data import audit, store
from data.errors import UserError
from metrics import reads
from partners import access
from tests.conftest import old_database


@pytest.fixture
def two_partners(db):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (name) VALUES ('Acme Contact'), ('Borealis BPO')")
    return db


def _audit_lines(db) -> list[tuple[str, str]]:
    return store.query("SELECT action, detail FROM audit_log ORDER BY logged_at, action", path=db).rows


def test_partner_scope_sees_only_its_own_partner(two_partners):
    with store.writing(two_partners) as con:
        access.grant(con, "Site.Manager@Acme.example", "partner", "Acme Contact", actor="tester")
    with store.reading(two_partners) as con:
        scope = access.scope_for(con, "site.manager@acme.example")
        acme = con.execute("SELECT partner_id FROM partners WHERE name = 'Acme Contact'").fetchone()[0]
        borealis = con.execute("SELECT partner_id FROM partners WHERE name = 'Borealis BPO'").fetchone()[0]
    assert scope == access.Scope("site.manager@acme.example", "partner", acme, "Acme Contact")
    assert scope.partner_ids == (acme,)
    assert (scope.can_admin, scope.sees_agents) == (False, False)
    assert scope.allows(acme) and not scope.allows(borealis) and scope.allows(None)


@pytest.mark.parametrize(("partner_ids", "where", "bound"), [
    (None, "", {}),
    ((), " AND FALSE", {}),
    ((2, 5), " AND q.partner_id IN ($pid_0, $pid_1)", {"pid_0": 2, "pid_1": 5}),
])
def test_one_scope_filter_binds_the_partner_ids(partner_ids, where, bound):
    params: dict = {}
    assert access.scope_sql("q.partner_id", partner_ids, params) == where
    assert params == bound


def test_the_pickers_and_freshness_read_through_the_scope_filter(two_partners):
    with store.writing(two_partners) as con:
        con.execute("INSERT INTO queues (name, partner_id) VALUES ('house', NULL), ('acme-1', 1), ('borealis-1', 2)")
    with store.reading(two_partners) as con:
        assert reads.partners(con, (1,))["name"].tolist() == ["Acme Contact"]
        assert reads.partners(con, ())["name"].tolist() == []
        assert reads.partners(con)["name"].tolist() == ["Acme Contact", "Borealis BPO"]
        assert reads.freshness(con, "UTC", (2,))["queue"].tolist() == ["borealis-1"]
        assert reads.freshness(con, "UTC")["queue"].tolist() == ["house", "acme-1", "borealis-1"]


def test_admin_and_manager_see_all_partners(two_partners):
    with store.writing(two_partners) as con:
        access.grant(con, "boss@centre.example", "admin", None, actor="tester")
        access.grant(con, "lead@centre.example", "manager", None, actor="tester")
    with store.reading(two_partners) as con:
        admin = access.scope_for(con, "BOSS@centre.example ")
        manager = access.scope_for(con, "lead@centre.example")
        nobody = access.scope_for(con, "stranger@centre.example")
    assert (admin.partner_ids, admin.can_admin, admin.sees_agents) == (None, True, True)
    assert (manager.partner_ids, manager.can_admin, manager.sees_agents) == (None, False, True)
    assert nobody is None
    assert access.LOCAL_ADMIN.can_admin and access.LOCAL_ADMIN.partner_ids is None


def test_regrant_replaces_and_revoke_removes_with_audit_lines(two_partners):
    with store.writing(two_partners) as con:
        access.grant(con, "x@acme.example", "partner", "Acme Contact", actor="alice@centre.example")
    with store.writing(two_partners) as con:
        access.grant(con, "x@acme.example", "manager", None, actor="alice@centre.example")
    with store.writing(two_partners) as con:
        access.revoke(con, "x@acme.example", actor="bob@centre.example")
    with store.reading(two_partners) as con:
        assert access.list_grants(con) == []
        assert access.scope_for(con, "x@acme.example") is None
    rows = store.query("SELECT actor, action, detail FROM audit_log ORDER BY logged_at", path=two_partners).rows
    assert rows == [
        ("alice@centre.example", "access.grant", "x@acme.example as partner user of Acme Contact"),
        ("alice@centre.example", "access.grant", "x@acme.example as manager (was partner user of Acme Contact)"),
        ("bob@centre.example", "access.revoke", "x@acme.example (was manager)"),
    ]


@pytest.mark.parametrize(
    ("email", "role", "partner", "message"),
    [
        ("not-an-email", "admin", None, "'not-an-email' is not an email address"),
        ("a@b.example", "partner", None, "a partner user needs --partner NAME"),
        ("a@b.example", "partner", "Nobody Ltd", "unknown partner 'Nobody Ltd' (known partners: Acme Contact, Borealis BPO)"),
        ("a@b.example", "manager", "Acme Contact", "--partner is only for the partner role"),
        ("a@b.example", "owner", None, "unknown role 'owner'"),
    ],
)
def test_grant_mistakes_change_nothing(two_partners, email, role, partner, message):
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        with store.writing(two_partners) as con:
            access.grant(con, email, role, partner, actor="tester")
    assert store.query("SELECT count(*) FROM access", path=two_partners).rows == [(0,)]
    assert _audit_lines(two_partners) == []


def test_an_unknown_partner_is_refused_as_the_registry_words_it(db):
    """access.grant looks a partner up through registry.known_partner, so it names the known ones the same way."""
    with store.writing(db) as con, pytest.raises(UserError) as refused:
        access.grant(con, "pm@acme.example", "partner", "Zeta", actor="tester")
    assert str(refused.value) == "unknown partner 'Zeta' (known partners: none yet)"


def test_cli_grant_list_revoke(two_partners, capsys):
    assert cli.main(["access", "grant", "pm@acme.example", "--role", "partner", "--partner", "Acme Contact"]) == 0
    assert cli.main(["access", "grant", "boss@centre.example", "--role", "admin"]) == 0
    capsys.readouterr()
    assert cli.main(["access", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        ["boss@centre.example", "admin"],
        ["pm@acme.example", "partner user of Acme Contact"],
    ]
    assert cli.main(["access", "revoke", "pm@acme.example"]) == 0
    assert capsys.readouterr().out == "revoked pm@acme.example\n"
    actors = {row[0] for row in store.query("SELECT actor FROM audit_log", path=two_partners).rows}
    assert len(actors) == 1 and actors.pop().startswith("cli:")


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["grant", "pm@acme.example", "--role", "partner"], "error: a partner user needs --partner NAME"),
        (["grant", "pm@acme.example", "--role", "partner", "--partner", "Zeta"], "error: unknown partner 'Zeta'"),
        (["grant", "pm(at)acme", "--role", "admin"], "error: 'pm(at)acme' is not an email address"),
        (["revoke", "ghost@acme.example"], "error: ghost@acme.example has no access to revoke"),
    ],
)
def test_cli_mistakes_are_one_line(two_partners, capsys, argv, line):
    assert cli.main(["access", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(line) and err.count("\n") == 1


def test_audit_recent_is_newest_first_in_utc(two_partners):
    with store.writing(two_partners) as con:
        access.grant(con, "first@centre.example", "manager", None, actor="tester")
    with store.writing(two_partners) as con:
        access.grant(con, "second@centre.example", "manager", None, actor="tester")
    with store.reading(two_partners) as con:
        lines = audit.recent(con)
        now_utc = con.execute("SELECT timezone('UTC', now())").fetchone()[0]
    assert [line[3] for line in lines] == ["second@centre.example as manager", "first@centre.example as manager"]
    assert lines[0][0].tzinfo is None and abs((now_utc - lines[0][0]).total_seconds()) < 3600


def test_audit_lines_of_one_transaction_keep_their_order(db):
    with store.writing(db) as con:
        for n in range(5):
            audit.record(con, "tester", "step", str(n))
    with store.reading(db) as con:
        assert [line[3] for line in audit.recent(con)] == ["4", "3", "2", "1", "0"]


# --- each user's language, kept with the grant (migration 0017) -----------------------------------


def test_a_grant_made_before_languages_migrates_keeping_it_with_no_language_of_its_own(tmp_path):
    path = old_database(tmp_path / "old.duckdb", 16)
    with duckdb.connect(str(path)) as raw:  # as the old release wrote it: no language column yet
        raw.sql("INSERT INTO access (email, role, granted_by) VALUES ('lead@centre.example', 'manager', 'setup')")
    store.create(path)  # what the app does with a file from before the newest migration
    with store.reading(path) as con:
        scope = access.scope_for(con, "lead@centre.example")
        assert store.schema_version(con) == store.migrations()[-1][0]  # every migration, 0017 included
    assert (scope.role, scope.language) == ("manager", None)


def test_a_grant_keeps_the_users_language_and_a_regrant_without_one_keeps_it(two_partners):
    with store.writing(two_partners) as con:
        access.grant(con, "lead@centre.example", "manager", None, actor="tester", language="SV")
        access.grant(con, "lead@centre.example", "admin", None, actor="tester")
    with store.reading(two_partners) as con:
        assert access.scope_for(con, "lead@centre.example").language == "sv"
        assert [g.language for g in access.list_grants(con)] == ["sv"]
    assert _audit_lines(two_partners)[0] == ("access.grant", "lead@centre.example as manager, language sv")


def test_setting_a_language_is_audited_and_a_wrong_one_is_one_line(two_partners):
    with store.writing(two_partners) as con:
        access.grant(con, "lead@centre.example", "manager", None, actor="tester")
        assert access.set_language(con, "lead@centre.example", "sv", actor="lead@centre.example") is True
        assert access.set_language(con, "lead@centre.example", "sv", actor="lead@centre.example") is False
        assert access.set_language(con, "lead@centre.example", None, actor="tester") is True
    assert [d for a, d in _audit_lines(two_partners) if a == "access.language"] == [
        "lead@centre.example: language sv (was the installation setting)",
        "lead@centre.example: language the installation setting (was sv)",
    ]
    with store.writing(two_partners) as con, pytest.raises(UserError, match=r"^unknown language 'de'; choose one of en, sv$"):
        access.set_language(con, "lead@centre.example", "de", actor="tester")
    with store.writing(two_partners) as con, pytest.raises(UserError, match="has no access, so no language to set"):
        access.set_language(con, "ghost@centre.example", "sv", actor="tester")


def test_cli_grant_sets_the_language(two_partners, capsys):
    assert cli.main(["access", "grant", "pm@acme.example", "--role", "partner", "--partner", "Acme Contact",
                     "--lang", "sv"]) == 0
    with store.reading(two_partners) as con:
        assert access.scope_for(con, "pm@acme.example").language == "sv"
    assert cli.main(["access", "grant", "pm@acme.example", "--role", "manager", "--lang", "fi"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown language 'fi'; choose one of en, sv")
