"""One fixture builder for unit, SQL, AppTest and browser tests: a real DuckDB file per test."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from pathlib import Path

import pytest

from data import clock, idkey, store

ROOT = Path(__file__).resolve().parent.parent
# ../shared/data beside the checkout (/work/main), or two levels up from a worktree (/work/wt/NAME).
SHARED_DATA = next((p / "shared" / "data" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared" / "data").is_dir()),
                   ROOT.parent / "shared" / "data")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
needs_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"real data folder {SHARED_DATA} is not beside this clone (only the project's CI and developers have ../shared)")

# The suite's today: every "this week", "last complete week", "overdue" and the demo's default end ask
# data.clock, and this fixes it for the test process and every CLI it starts, so no test reads the wall
# clock. A Tuesday, so the demo ends on Monday 23 Nov 2026 and its last complete week is 2026-W47.
TODAY = dt.date(2026, 11, 24)
os.environ[clock.ENV] = TODAY.isoformat()
# One customer-id key for every test (and the processes they start), so that stored pseudonyms are
# known in advance (tests compute them with Python's hmac, not the store's SQL: `pseudonym` below).
TEST_ID_KEY = "test customer-id key"
os.environ[idkey.KEY_ENV] = TEST_ID_KEY
os.environ["OVERFLOW_WARM"] = "off"


def pseudonym(customer_id: str | None, key: str = TEST_ID_KEY) -> str | None:
    """How a customer id is stored (docs/privacy.md), computed by Python's hmac: 'hmac1:' and the first
    32 hex digits of HMAC-SHA256 over the trimmed id; None for an id that is not usable (the tests'
    ids: empty, 0, withheld and other words without a digit)."""
    text = (customer_id or "").strip()
    if not re.search(r"[0-9]", text) or re.fullmatch(r"\+?0+", text):
        return None
    return "hmac1:" + hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


def kept_line(line: str) -> str:
    """A queue_log line as queue_log_pending keeps it: ENTERQUEUE's caller id (field 7) as its pseudonym."""
    fields = line.split("|")
    if len(fields) >= 7 and fields[4].strip().upper() == "ENTERQUEUE":
        fields[6] = pseudonym(fields[6]) or ""
    return "|".join(fields)  # no background warm-up per test database (tests/app/test_warm.py has its own)


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """An empty database with the newest schema; $OVERFLOW_DB points at it."""
    path = tmp_path / "test.duckdb"
    store.create(path)
    monkeypatch.setenv("OVERFLOW_DB", str(path))
    return path


def old_database(path: Path, migrations: int) -> Path:
    """A database file as an older release left it: only the first `migrations` migrations applied."""
    import duckdb

    with duckdb.connect(str(path)) as con:
        store.bind_id_key(con, path)  # as every writing connection: migration 0013 hashes customer ids
        con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL)")
        for version, sql_file in store.migrations()[:migrations]:
            con.execute(sql_file.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
    return path


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """The text of every statement DuckDB runs (a query answered from a first answer is not run)."""
    ran: list[str] = []
    run = store._run

    def counted(con, sql, params, what):
        ran.append(sql)
        return run(con, sql, params, what)

    monkeypatch.setattr(store, "_run", counted)
    return ran


@pytest.fixture(autouse=True)
def localhost_server():
    """AppTest runs stand for `make run`, which binds localhost: local mode needs that (see README)."""
    from streamlit.testing.v1.util import patch_config_options

    with patch_config_options({"server.address": "localhost"}):
        yield


# --- dashboard: one demo database per test session, shared by AppTest and browser tests --------


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A demo database built by the real CLI (`python -m cli demo --calls 20000`); treat it as read-only."""
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    subprocess.run(
        [sys.executable, "-m", "cli", "demo", "--calls", "20000", "--db", str(path)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return path
