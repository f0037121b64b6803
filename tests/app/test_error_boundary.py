"""The error boundary (ui/boundary.py, around every run in app.py): a page that raises shows one
short line with an id, the traceback goes to the server log only; a damaged database is named."""
from __future__ import annotations

import logging
import re
import traceback

import pytest

from tests.app.test_pages import PAGES, open_page
from ui import loaders


def everything_shown(at) -> str:
    kinds = ("title", "markdown", "info", "error", "success", "caption", "subheader", "warning", "exception")
    return "\n".join(str(getattr(e, "value", e)) for kind in kinds for e in getattr(at, kind))


@pytest.fixture
def failing_page(db, monkeypatch):
    """The Data page's import history raises what no code expects (a bug, not a user's mistake)."""
    def broken(*args, **kwargs):
        raise KeyError("internal_column_name SELECT * FROM secret_table")

    monkeypatch.setattr(loaders, "import_history", broken)
    return db


def test_a_page_that_raises_shows_one_line_with_an_id_and_logs_the_traceback(failing_page, caplog):
    with caplog.at_level(logging.ERROR, logger="overflow.pages"):
        at = open_page("app_pages/data.py")
    assert not at.exception                            # no traceback element reaches the browser
    [error] = at.error
    found = re.fullmatch(r"Something went wrong on this page \(error ([0-9a-f]{8})\)\..*", error.value)
    assert found, error.value
    assert "secret_table" not in everything_shown(at)
    [record] = [r for r in caplog.records if r.name == "overflow.pages"]
    assert found.group(1) in record.getMessage()       # the same id in the log ...
    assert "secret_table" in "".join(traceback.format_exception(*record.exc_info))  # ... with the traceback


def test_two_failures_get_different_ids(failing_page):
    first, second = (open_page("app_pages/data.py").error[0].value for _ in range(2))
    assert first != second


def test_a_damaged_database_is_named_in_one_line_on_every_page(tmp_path, monkeypatch):
    path = tmp_path / "damaged.duckdb"
    path.write_bytes(b"DUCK" + bytes(range(256)) * 400)
    monkeypatch.setenv("OVERFLOW_DB", str(path))
    at = open_page(PAGES[0])
    assert not at.exception
    [error] = at.error
    assert "is damaged" in error.value and "\n" not in error.value
