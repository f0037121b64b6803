"""Dashboard sessions keep rendering while another process imports 1M legs (issue 7, "Concurrent use").

DuckDB lets one process write a file, and while it does no other process may read it: the store
(data/store.py) opens per read and retries, and the import is one transaction. So a session that
renders during the import must wait, then show the totals from before or from after, never a mix.
One session is an AppTest of the Data page, whose freshness table counts the legs per queue (from
the rollups the import refreshes in its own transaction); the others run, in threads as the
Streamlit server does, the same cached-loader path that page uses (AppTest itself is not
thread-safe: two AppTests running at once in one process tear down each other's runtime). Every
render's total is recorded. tests/e2e/test_concurrent_sessions.py does the same with several real
browser sessions on the real server.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from bench.generate import write_calls
from tests.conftest import ROOT
from tests.importing_helpers import cli_import, register_partners
from ui import loaders, source

BIG = 1_000_000
BASE = 2_000
SESSIONS = 4
DATA_PAGE = "app_pages/data.py"


def shown_total(at: AppTest) -> int:
    """The legs the Data page's freshness table shows, summed over its queues."""
    tables = [frame.value for frame in at.dataframe if "legs" in frame.value.columns and "queue" in frame.value.columns]
    assert len(tables) == 1, [list(frame.value.columns) for frame in at.dataframe]
    return int(tables[0]["legs"].sum())


@dataclass
class Session:
    """What one dashboard session saw: the total of every render, and how many began mid-import."""

    totals: list[int] = field(default_factory=list)
    during_import: int = 0
    errors: list[str] = field(default_factory=list)


def page_render(at: AppTest) -> Callable[[], int]:
    """A whole AppTest run of the Data page; its freshness table's total."""
    def render() -> int:
        at.run()
        if at.exception:
            raise RuntimeError("; ".join(str(e.value) for e in at.exception))
        return shown_total(at)
    return render


def loader_render() -> int:
    """What the Data page does to fill that table: read the source, then the cached loader."""
    return int(loaders.freshness(source.read())["legs"].sum())


def session(render: Callable[[], int], record: Session, ready: threading.Barrier, importing: threading.Event,
            done: threading.Event) -> None:
    """Render once, wait for the import to start, render until it is over, then once more."""
    try:
        record.totals.append(render())
        ready.wait()
        importing.wait()
        while True:
            finished = done.is_set()
            record.during_import += not finished
            record.totals.append(render())
            if finished:
                return
    except Exception as error:  # a session that fails is what this test looks for
        record.errors.append(repr(error))
        ready.abort()


def test_sessions_see_before_or_after_totals_while_a_1m_import_runs(tmp_path, monkeypatch):
    base = write_calls(tmp_path / "base.csv", BASE, seed=2, prefix="B")
    big = write_calls(tmp_path / "big.csv", BIG, seed=3, prefix="C")
    db = tmp_path / "busy.duckdb"
    monkeypatch.setenv("OVERFLOW_DB", str(db))
    register_partners(db, base.partners)
    first = cli_import(base.path, db)
    assert json.loads(first.communicate(timeout=120)[0])["imported"] == BASE

    records = [Session() for _ in range(SESSIONS)]
    ready, importing, done = threading.Barrier(SESSIONS + 1), threading.Event(), threading.Event()
    with patch_config_options({"server.address": "localhost"}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.run()
        at.switch_page(DATA_PAGE)
        renders = [page_render(at)] + [loader_render] * (SESSIONS - 1)
        threads = [threading.Thread(target=session, args=(render, record, ready, importing, done))
                   for render, record in zip(renders, records)]
        for thread in threads:
            thread.start()
        ready.wait(timeout=300)
        process = cli_import(big.path, db)
        importing.set()
        out, err = process.communicate(timeout=600)
        done.set()
        for thread in threads:
            thread.join(timeout=300)

    assert process.returncode == 0, err
    assert json.loads(out)["imported"] == BIG
    assert [r.errors for r in records] == [[]] * SESSIONS
    for record in records:
        assert record.totals[0] == BASE and record.totals[-1] == BASE + BIG
        assert set(record.totals) == {BASE, BASE + BIG}, sorted(set(record.totals))
    assert sum(r.during_import for r in records) >= SESSIONS
