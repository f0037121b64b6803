"""Agent-level views audited (issue 21): a user who sees a partner's agent ids (the Quality page's
evaluations, a meeting pack with them) is written to the audit log with the partner, the place and
the time, and an admin reads it on the Access page."""
from __future__ import annotations

import shutil

import pytest

from data import store
from partners import access
from tests.app.test_partner_isolation import downloads, file_bytes, signed_in  # noqa: F401 (fixture)

ADMIN = "admin@centre.example"


@pytest.fixture
def world(demo_db, tmp_path) -> tuple[str, str, str]:
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    with store.writing(db) as con:
        partner = store.execute(con, "SELECT name FROM partners ORDER BY partner_id LIMIT 1").scalar()
        access.grant(con, "site@partner.example", "partner", partner, actor="test")
        access.grant(con, ADMIN, "admin", None, actor="test")
    return str(db), partner, "site@partner.example"


def agent_lines(db: str, actor: str = "site@partner.example") -> list[tuple[str, str]]:
    """This test's user's lines (the shared demo copy may hold lines of other tests' page views)."""
    return store.query("SELECT actor, detail FROM audit_log WHERE action = 'agents.view' AND actor = ? "
                       "ORDER BY logged_at, rowid", [actor], path=db).rows


def test_who_saw_a_partners_agent_ids_is_in_the_audit_log_an_admin_reads(world, monkeypatch, downloads):  # noqa: F811
    db, partner, email = world
    assert agent_lines(db) == []
    at = signed_in(db, email, monkeypatch, {"period": "2026-W47"})
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception
    evaluations = [frame.value for frame in at.dataframe if "agent_id" in frame.value.columns]
    assert evaluations and len(evaluations[0])  # agent ids are on the screen
    at.run()  # a rerun (any click) records nothing new
    assert agent_lines(db) == [(email, f"{partner}: Quality page, the evaluations of 2026-W47")]
    before = store.query("SELECT version FROM data_version", path=db).scalar()

    downloads.clear()
    at.switch_page("app_pages/meetings.py").run()
    packs = [(name, data) for name, data in downloads if name.endswith(".pdf")]
    assert packs
    file_bytes(packs[0][1])  # the click: the file is made
    lines = agent_lines(db)
    assert len(lines) == 2 and lines[1][0] == email and lines[1][1].startswith(f"{partner}: ")
    assert "(PDF, with the QA evaluations)" in lines[1][1]
    assert store.query("SELECT version FROM data_version", path=db).scalar() == before  # no cached read thrown away

    admin = signed_in(db, ADMIN, monkeypatch)
    admin.switch_page("app_pages/access.py").run()
    log = next(frame.value for frame in admin.dataframe if any("agents.view" in str(v) for v in frame.value.iloc[:, 2]))
    shown = log[(log.iloc[:, 2] == "agents.view") & (log.iloc[:, 1] == email)]
    assert len(shown) == 2
    assert list(shown.iloc[:, 3])[::-1] == [detail for _, detail in lines]
