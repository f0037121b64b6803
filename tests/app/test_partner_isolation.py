"""A partner user sees its own partner and nothing of any other, on every page and in every export.

Each demo partner's user is signed in through AppTest's user (st.user), every page they can reach
is rendered, and everything that reached the browser is searched: the serialised elements (text,
widget options, chart specs), the Arrow tables behind dataframes and charts cell by cell, and the
bytes of every download (PDF text, Excel cells, CSV). The forbidden terms are read straight from
the database: the other partners' names and queue names, and the agent ids of every queue that is
not the user's own partner's (in-house agents included).
"""
from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyarrow as pa
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from data import store
from partners import access
from tests.conftest import ROOT

APP = str(ROOT / "app.py")
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s3cret-for-tests",
        "client_id": "overflow", "client_secret": "x",
        "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}
PARTNER_PAGES = ("overview.py", "scorecard.py", "availability.py", "quality.py", "meetings.py", "credits.py")
ADMIN_PAGES = ("agreements.py", "data.py", "access.py")
MANAGER = "lead@centre.example"
DEMO_PARTNERS = 3  # python -m cli demo builds three partners


@dataclass(frozen=True)
class Partner:
    partner_id: int
    name: str
    email: str
    queues: tuple[str, ...]
    agents: frozenset[str]


def _agents(con, where: str, params: list) -> frozenset[str]:
    """Agent ids seen on the matching queues, in call legs and in QA evaluations."""
    sql = (f"SELECT agent_id FROM call_legs JOIN queues USING (queue_id) WHERE {where} AND agent_id IS NOT NULL "
           f"UNION SELECT agent_id FROM qa_evaluations JOIN queues USING (queue_id) WHERE {where} AND agent_id IS NOT NULL")
    return frozenset(r[0] for r in con.execute(sql, params + params).fetchall())


@pytest.fixture(scope="module")
def world(demo_db, tmp_path_factory) -> tuple[str, list[Partner], frozenset[str]]:
    """A copy of the demo database with a user per partner and a manager; the in-house agent ids."""
    db = tmp_path_factory.mktemp("isolation") / "demo.duckdb"
    shutil.copy(demo_db, db)
    with store.writing(db) as con:
        rows = con.execute("SELECT partner_id, name FROM partners ORDER BY partner_id").fetchall()
        partners = []
        for partner_id, name in rows:
            email = f"site.manager@partner{partner_id}.example"
            access.grant(con, email, "partner", name, actor="test")
            queues = tuple(r[0] for r in con.execute("SELECT name FROM queues WHERE partner_id = ?", [partner_id]).fetchall())
            agents = _agents(con, "partner_id = ?", [partner_id])
            partners.append(Partner(partner_id, name, email, queues, agents))
        access.grant(con, MANAGER, "manager", None, actor="test")
        in_house = _agents(con, "partner_id IS NULL", [])
    assert len(partners) == DEMO_PARTNERS, f"the demo now has {len(partners)} partners: update DEMO_PARTNERS"
    return str(db), partners, in_house


@pytest.fixture
def downloads(monkeypatch) -> list[tuple[str, bytes | Callable[[], object]]]:
    """Every file a page offers for download, as (file name, bytes or the deferred producer).

    Deferred producers are called after the run, as a click would, so a slow PDF does not count
    against the script's run time.
    """
    seen: list[tuple[str, bytes | Callable[[], object]]] = []
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def record(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False, **kwargs):
        if isinstance(data, bytes) and is_for_static_download:  # a download, not an image such as the favicon
            seen.append((file_name or mimetype, data))
        return add(self, data, mimetype, coordinates, file_name=file_name,
                   is_for_static_download=is_for_static_download, **kwargs)

    def record_deferred(self, produce, mimetype, coordinates, file_name=None, **kwargs):
        seen.append((file_name or mimetype, produce))
        return add_deferred(self, produce, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return seen


def file_bytes(data: bytes | Callable[[], object]) -> bytes:
    if isinstance(data, bytes):
        return data
    made = data()
    if isinstance(made, str):
        return made.encode("utf-8")
    return made.read() if hasattr(made, "read") else bytes(made)


def signed_in(db: str, email: str, monkeypatch, query: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("OVERFLOW_DB", db)
    at = AppTest.from_file(APP, default_timeout=180)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email}
    at.query_params.update(query or {})
    return at.run()


def _protos(node) -> Iterator[object]:
    if getattr(node, "proto", None) is not None:
        yield node.proto
    for child in getattr(node, "children", {}).values():
        yield from _protos(child)


def _arrow_tables(message) -> Iterator[pa.Table]:
    """Every Arrow table inside a proto message (dataframes, chart data and named datasets)."""
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        values = [value] if hasattr(value, "ListFields") else value  # one message, or a repeated field
        for item in values:
            if item.DESCRIPTOR.name == "ArrowData" and item.data:
                yield pa.ipc.open_stream(item.data).read_all()
            else:
                yield from _arrow_tables(item)


def rendered(at: AppTest) -> tuple[bytes, list[pa.Table]]:
    protos = list(_protos(at._tree))
    assert not at.exception, [e.value for e in at.exception]
    return b"\n".join(p.SerializeToString() for p in protos), [t for p in protos for t in _arrow_tables(p)]


def export_text(name: str, data: bytes) -> str:
    """What a person would read in the file: PDF text, every Excel cell, each file of a zip and its
    file name, else the decoded bytes."""
    if name.endswith(".zip"):
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(f"{member}\n{export_text(member, archive.read(member))}" for member in archive.namelist())
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if data.startswith(b"PK"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def assert_no_trace(me: Partner, others: list[Partner], in_house: frozenset[str], blob: bytes,
                    tables: list[pa.Table], files: list[tuple[str, bytes | Callable[[], object]]]) -> None:
    names = [o.name for o in others] + [q for o in others for q in o.queues]
    foreign_agents = (in_house | frozenset().union(*(o.agents for o in others))) - me.agents
    blob = blob.replace(me.name.encode("utf-8"), b"")  # another partner's name may contain this one's
    for name in names:
        assert name.encode("utf-8") not in blob, f"{me.name}'s user sees '{name}' on a page"
    shown_agents = sorted(a for a in foreign_agents if a.encode("utf-8") in blob)
    assert not shown_agents, f"{me.name}'s user sees agent ids of other queues: {shown_agents[:5]}"
    for table in tables:
        for column in table.column_names:
            values = set(table.column(column).to_pylist())
            assert not values & set(names), f"{me.name}'s user sees {values & set(names)} in column {column}"
            assert not values & foreign_agents, f"{me.name}'s user sees agent ids of other queues in {column}"
            if column == "partner_id":
                assert values <= {me.partner_id, None}, f"{me.name}'s user sees partner ids {values}"
    for file_name, data in files:
        text = export_text(file_name, file_bytes(data)).replace(me.name, "")
        for name in names:
            assert name not in text, f"{me.name}'s user finds '{name}' in the export {file_name}"
        assert not {a for a in foreign_agents if a in text.split()}, f"agent ids of other queues in {file_name}"


def existing(pages: tuple[str, ...]) -> list[str]:
    return [page for page in pages if (ROOT / "app_pages" / page).exists()]


@pytest.mark.parametrize("index", range(DEMO_PARTNERS))
def test_each_partner_user_sees_no_trace_of_another_partner(world, downloads, monkeypatch, index):
    db, partners, in_house = world
    me = partners[index]
    others = [p for p in partners if p != me]
    at = signed_in(db, me.email, monkeypatch)
    visited = []
    for page in existing(PARTNER_PAGES):
        downloads.clear()
        at.switch_page(f"app_pages/{page}").run()
        blob, tables = rendered(at)
        assert me.name.encode("utf-8") in blob, f"{page} does not name the user's own partner {me.name}"
        assert_no_trace(me, others, in_house, blob, tables, list(downloads))
        visited.append(page)
    assert "scorecard.py" in visited
    for page in ADMIN_PAGES:
        with pytest.raises(ValueError):
            at.switch_page(f"app_pages/{page}")


def test_the_search_finds_other_partners_when_they_are_shown(world, downloads, monkeypatch):
    """The same search over a manager's overview must fail: a search that cannot fail proves nothing."""
    db, partners, in_house = world
    at = signed_in(db, MANAGER, monkeypatch)
    blob, tables = rendered(at)
    with pytest.raises(AssertionError, match="sees"):
        assert_no_trace(partners[0], partners[1:], in_house, blob, [], [])
    at.switch_page("app_pages/availability.py").run()  # the Overview draws no dataframe; this page's summary does
    _, tables = rendered(at)
    with pytest.raises(AssertionError, match="sees"):
        assert_no_trace(partners[0], partners[1:], in_house, b"", tables, [])
    with pytest.raises(AssertionError, match="in the export"):
        assert_no_trace(partners[0], partners[1:], in_house, b"", [], list(downloads))


def test_tampered_query_parameters_change_nothing(world, downloads, monkeypatch):
    db, partners, in_house = world
    me, other = partners[0], partners[1]
    tamper = {"partner": other.name, "partner_id": str(other.partner_id), "email": MANAGER, "role": "admin"}
    at = signed_in(db, me.email, monkeypatch, tamper)
    for page in existing(PARTNER_PAGES):
        downloads.clear()
        at.query_params.update(tamper)
        at.switch_page(f"app_pages/{page}").run()
        blob, tables = rendered(at)
        assert_no_trace(me, [p for p in partners if p != me], in_house, blob, tables, list(downloads))
        assert at.query_params.get("partner") in (None, me.name)


def test_a_manager_sees_every_partner_but_not_the_access_page(world, monkeypatch):
    db, partners, _ = world
    at = signed_in(db, MANAGER, monkeypatch)
    assert set(at.selectbox(key="partner").options) == {p.name for p in partners}
    with pytest.raises(ValueError):
        at.switch_page("app_pages/access.py")


def test_an_email_without_a_grant_sees_only_the_no_access_page(world, downloads, monkeypatch):
    db, partners, _ = world
    at = signed_in(db, "stranger@elsewhere.example", monkeypatch, {"partner": partners[0].name})
    blob, tables = rendered(at)
    assert [t.value for t in at.title] == ["No access"]
    assert tables == [] and downloads == []
    for p in partners:
        assert p.name.encode("utf-8") not in blob
    assert [b.label for b in at.button] == ["Sign out"]


def test_a_manager_sees_the_opening_hours_but_no_form_to_change_them(world, monkeypatch):
    db, partners, _ = world
    at = signed_in(db, MANAGER, monkeypatch)
    at.switch_page("app_pages/agreements.py").run()
    assert not at.exception
    assert "Opening hours" in [s.value for s in at.subheader]
    assert len(at.dataframe) == 3  # the agreement versions, the opening-hours versions and the credit rules
    assert [b.key for b in at.button if b.key and b.key.startswith(("hours_add", "agreement_add", "rule_"))] == []
