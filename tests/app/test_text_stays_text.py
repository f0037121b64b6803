"""Text stays text (issue 21): names, minutes, notes, action items and URL values full of Markdown,
Streamlit colour directives and HTML are shown as the characters they are, on every page for a
centre user and a partner user, and in the meeting pack's files.

What counts as a leak is checked on the text Streamlit reads as Markdown, with every escaped
character taken out: an escaped `\\[` stays a bracket on screen, an unescaped `](` becomes a link.
"""
from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from data import settings, store
from meetings import meetings as m
from partners import access, periods
from reports import frames
from tests.app.test_partner_isolation import APP, AUTH, PARTNER_PAGES, downloads, file_bytes, signed_in  # noqa: F401
from tests.app.test_pages import PAGES
from tests.test_meetings_frozen import make_acme

EVIL = "[Sign in again](https://evil.example) ![pic](https://evil.example/i.png) :red[ALERT] <img src=x> **loud**"
PARTNER = f"Evil {EVIL}"
QUEUE = f"Queue {EVIL}"
EMAIL = "user@evil.example"
# What would render as a link, a remote image, coloured text, HTML or bold, were it read as Markdown.
# A bare URL or e-mail address becomes a link too (Streamlit links them after parsing).
LEAKS = ("](https://evil", "![", ":red[", "<img", "**loud**", "://evil", "user@evil")
MARKDOWN_KINDS = ("markdown", "caption", "info", "success", "warning", "error", "title", "subheader", "header",
                  "toast")


def leaks(at: AppTest) -> list[str]:
    """Every element text that would render a hostile fragment (escapes taken out first)."""
    found = []
    for kind in MARKDOWN_KINDS:
        for element in getattr(at, kind):
            unescaped = re.sub(r"\\.", "", str(element.value))
            found += [f"{kind}: {element.value[:160]}" for leak in LEAKS if leak in unescaped]
    return found


def shown(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in MARKDOWN_KINDS for e in getattr(at, kind))


@pytest.fixture
def hostile_db(db) -> str:
    """A partner and queue named hostile (tests/test_meetings_frozen's Acme, week 46 of 2026), a partner
    user for it, and a saved meeting whose minutes, items and activities are hostile too."""
    partner_id = make_acme(partner=PARTNER, queue=QUEUE, agent=f"Agent {EVIL}")
    with store.writing(db) as con:
        access.grant(con, EMAIL, "partner", PARTNER, actor="test")
        period = periods.parse("2026-W46")
        snapshot = frames.snapshot(con, partner_id, period, settings.get(con, "reporting_tz"))
        minutes = m.Minutes(date(2026, 11, 23), period, attendees=f"Eva {EVIL}", notes=f"Notes {EVIL}",
                            decisions=f"Decided {EVIL}", new_items=(m.NewItem(f"Item {EVIL}", f"Owner {EVIL}", "partner"),),
                            activities=(m.NewActivity("training", date(2026, 11, 12), f"With {EVIL}", f"Did {EVIL}"),))
        m.save_meeting(con, partner_id, minutes, snapshot, "test")
    return str(db)


def centre(db: str, monkeypatch, **query: str) -> AppTest:
    monkeypatch.setenv("OVERFLOW_DB", db)
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"partner": PARTNER, "period": "2026-W46", **query})
    return at.run()


def open_saved_meeting(at: AppTest) -> AppTest:
    picker = at.selectbox(key="meeting")
    return picker.select(next(o for o in picker.options if o != picker.options[0])).run()


def test_every_page_shows_hostile_names_as_text_to_a_centre_user(hostile_db, monkeypatch):
    at = centre(hostile_db, monkeypatch)
    found = {}
    for page in [*PAGES, "app_pages/access.py"]:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        found[page] = leaks(at)
    assert found == {page: [] for page in found}
    at.switch_page("app_pages/scorecard.py").run()
    assert "Evil \\[Sign in again\\]\\(https\\:\u2060//evil.example\\)" in shown(at)   # the name is there, as its characters
    at.switch_page("app_pages/meetings.py").run()
    open_saved_meeting(at)
    assert not at.exception and leaks(at) == []
    assert "Notes \\[Sign in again\\]" in shown(at)


def test_every_page_shows_hostile_names_and_minutes_as_text_to_a_partner_user(hostile_db, monkeypatch):
    at = signed_in(hostile_db, EMAIL, monkeypatch, {"period": "2026-W46"})
    found = {}
    for page in PARTNER_PAGES:
        at.switch_page(f"app_pages/{page}").run()
        assert not at.exception, (page, at.exception)
        found[page] = leaks(at)
    assert found == {page: [] for page in found}
    at.switch_page("app_pages/meetings.py").run()
    open_saved_meeting(at)
    assert not at.exception and leaks(at) == []
    assert "Decided \\[Sign in again\\]" in shown(at)


@pytest.mark.parametrize("query", [{"period": EVIL}, {"meeting": EVIL}, {"partner": EVIL}])
def test_hostile_url_values_are_said_as_text(hostile_db, monkeypatch, query):
    at = centre(hostile_db, monkeypatch, **query)
    if "meeting" in query:
        at.switch_page("app_pages/meetings.py").run()
    assert not at.exception
    assert leaks(at) == []
    assert any("not found" in str(e.value) for e in at.info)     # the usual notice, with the value escaped


def test_the_meeting_pack_files_hold_no_link(hostile_db, monkeypatch, downloads):  # noqa: F811
    at = signed_in(hostile_db, EMAIL, monkeypatch)
    at.switch_page("app_pages/meetings.py").run()
    downloads.clear()
    open_saved_meeting(at)
    files = {name: file_bytes(data) for name, data in downloads}
    pdfs = [data for name, data in files.items() if name.endswith(".pdf")]
    books = [data for name, data in files.items() if name.endswith(".xlsx")]
    assert pdfs and books
    for pdf in pdfs:
        assert b"/URI" not in pdf and b"/Link" not in pdf
    for data in books:
        book = openpyxl.load_workbook(io.BytesIO(data))
        cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
        assert [c.coordinate for c in cells if c.hyperlink is not None or c.data_type == "f"] == []
        assert any(isinstance(c.value, str) and "Item [Sign in again](https://evil.example)" in c.value for c in cells)
