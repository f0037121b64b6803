"""No cold start: after the app's warm-up, opening a page for the last complete week and month
reads nothing from the database (every cached read it needs is there), for any centre user."""
from __future__ import annotations

import inspect
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from data import store
from tests.conftest import ROOT
from ui import warm

APP = str(ROOT / "app.py")
FIRST_VIEWS = ("app_pages/overview.py", "app_pages/scorecard.py", "app_pages/availability.py",
               "app_pages/quality.py", "app_pages/meetings.py")


@pytest.fixture
def warmed(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("OVERFLOW_DB", str(path))
    monkeypatch.setenv(warm.SWITCH, "on")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert warm.wait_all(600)
    return path


def counted_reads(monkeypatch) -> list[str]:
    """Every database read of figures from now on. Not counted: the data-version check
    (ui/source.py `_version`, one row), which runs again whenever the file changed, as it does when
    the Quality page writes its agent-view audit line (docs/privacy.md)."""
    opened: list[str] = []
    real = store.reading

    def reading(path=None):
        if not any(f.function == "_version" and f.filename.endswith("source.py") for f in inspect.stack()[1:4]):
            opened.append(str(path))
        return real(path)

    monkeypatch.setattr(store, "reading", reading)
    return opened


@pytest.mark.parametrize("grain", ["week", "month"])
def test_the_first_views_are_ready_before_anyone_opens_them(warmed, monkeypatch, grain):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.segmented_control(key="grain").set_value(grain).run()
    opened = counted_reads(monkeypatch)
    for page in FIRST_VIEWS:
        for partner in at.selectbox(key="partner").options:
            at.switch_page(page)
            at.selectbox(key="partner").set_value(partner).run()
            assert not at.exception, (page, partner)
            assert opened == [], (page, partner, grain)


def test_a_period_nobody_opened_is_read_when_opened(warmed, monkeypatch):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    opened = counted_reads(monkeypatch)
    at.switch_page("app_pages/scorecard.py")
    at.selectbox(key="period").set_value(at.selectbox(key="period").options[3]).run()
    assert not at.exception
    assert opened  # the test above would pass with a warm-up that never let anything be read


def test_a_reader_in_another_language_starts_no_second_warm_up(warmed):
    """A reader who switches to Swedish in an English installation has their views read as they open
    them: a warm-up of every view in Swedish would compete with every page opened meanwhile."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.selectbox(key="language").set_value("sv").run()
    assert not at.exception
    assert at.selectbox(key="language").value == "sv"
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception
    assert {key[3] for key in warm._warming().started if key[0] == str(warmed)} == {"en"}
