"""Several browser sessions on the real server keep rendering while another process imports 1M legs.

The stronger twin of tests/test_concurrency.py (issue 7, "Concurrent use"): here the sessions are
real ones, each a chromium page on `streamlit run app.py`, so the server runs their scripts in its
own threads exactly as in use. Each round reloads every page at once (several scripts run side by
side on the server), then reads the total the Data page states ("N call legs in M queues"). While
the import runs, a render must wait for its commit or read the state before it: every total is the
one from before or the one from after, never a mix, and no page shows an error.
"""
from __future__ import annotations

import json
import re

import pytest

from bench.generate import write_calls
from tests.e2e.conftest import serve, settle
from tests.importing_helpers import cli_import, register_partners

pytestmark = pytest.mark.e2e

BASE = 2_000
BIG = 1_000_000
SESSIONS = 3
TOTAL = re.compile(r"^([\d,]+) call legs in ")


def shown_total(page) -> int:
    """The legs the Data page says it holds, read from its sentence above the freshness table."""
    text = page.locator('[data-testid="stMarkdownContainer"] p', has_text=re.compile(r" queues?, up to ")).inner_text()
    return int(TOTAL.match(text).group(1).replace(",", ""))


def render_all(pages) -> list[int]:
    """Reload every page (their scripts run side by side on the server), then read each one's total."""
    for page in pages:
        page.reload(wait_until="commit")
    totals = []
    for page in pages:
        settle(page, "Data", timeout_ms=300_000)
        assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').inner_text()
        totals.append(shown_total(page))
    return totals


def test_browser_sessions_see_before_or_after_totals_while_a_1m_import_runs(browser, tmp_path):
    base = write_calls(tmp_path / "base.csv", BASE, seed=2, prefix="B")
    big = write_calls(tmp_path / "big.csv", BIG, seed=3, prefix="C")
    db = tmp_path / "busy.duckdb"
    register_partners(db, base.partners)
    assert json.loads(cli_import(base.path, db).communicate(timeout=120)[0])["imported"] == BASE

    with serve(db) as url:
        contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(SESSIONS)]
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.goto(f"{url}/data")
        assert render_all(pages) == [BASE] * SESSIONS

        process = cli_import(big.path, db)
        rounds_during = 0
        seen = []
        while process.poll() is None:
            rounds_during += 1
            seen += render_all(pages)
        out, err = process.communicate(timeout=600)
        final = render_all(pages)
        for context in contexts:
            context.close()

    assert process.returncode == 0, err
    assert json.loads(out)["imported"] == BIG
    assert rounds_during >= 1
    assert set(seen) <= {BASE, BASE + BIG}, sorted(set(seen))
    assert final == [BASE + BIG] * SESSIONS
