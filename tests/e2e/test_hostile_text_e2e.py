"""The browser journey with hostile names, minutes and URL values (issue 21): on every page of the
real app in chromium, nothing from data or a URL becomes a link, an image, coloured or bold text."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.app.test_text_stays_text import EVIL, PARTNER, hostile_db  # noqa: F401  (the fixture)
from tests.e2e.conftest import serve, settle

pytestmark = pytest.mark.e2e

PAGES = [("", "Overview"), ("/scorecard", "Partner scorecard"), ("/availability", "Availability"),
         ("/quality", "Quality"), ("/meetings", "Service meetings"), ("/agreements", "Agreements"),
         ("/data", "Data"), ("/access", "Access")]
# What the hostile text would turn into, were it read as Markdown or HTML.
RENDERED = {
    "link": 'a[href*="evil.example"]:not([href^="scorecard?"])',  # the Overview links its own page by name
    "image": 'img[src*="evil.example"], img[src="x"]',
    "coloured": '[data-testid="stMain"] span[style*="color"]:text-is("ALERT")',
    "bold": 'strong:text-is("loud")',
}


def main_text(page) -> str:
    """The page's text as a person reads it (without the invisible word joiners that keep URLs text)."""
    return page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")


def rendered(page) -> dict[str, int]:
    return {what: page.locator(selector).count() for what, selector in RENDERED.items()}


def test_no_page_renders_a_link_image_or_style_from_data_or_urls(browser, hostile_db):  # noqa: F811
    nothing = dict.fromkeys(RENDERED, 0)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        with serve(hostile_db) as url:
            link = f"?partner={quote(PARTNER)}&period=2026-W46"
            for path, title in PAGES:
                page.goto(f"{url}{path}{link}")
                settle(page, title)
                assert page.locator('[data-testid="stException"]').count() == 0, title
                assert rendered(page) == nothing, title
            page.goto(f"{url}/scorecard{link}")
            settle(page, "Partner scorecard")
            assert "[Sign in again](https://evil.example)" in main_text(page)
            page.goto(f"{url}/meetings{link}&meeting=2026-11-23")            # the saved meeting's minutes
            settle(page, "Service meetings")
            assert "Notes [Sign in again](https://evil.example)" in main_text(page)
            assert rendered(page) == nothing
            for query in (f"?period={quote(EVIL)}", f"?partner={quote(EVIL)}", f"/meetings?meeting={quote(EVIL)}"):
                page.goto(f"{url}{query}")
                settle(page, "Service meetings" if "meeting=" in query else "Overview")
                assert rendered(page) == nothing, query
                assert "not found" in main_text(page), query
    finally:
        context.close()


def test_the_search_finds_what_rendered_markdown_would_give(browser):
    """The selectors above must be able to fail: each finds its element in HTML that holds them."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content(f'<div data-testid="stMain"><a href="https://evil.example">x</a><strong>loud</strong>'
                     f'<span style="color: red">ALERT</span><img src="x"></div>')
    assert rendered(page) == dict.fromkeys(RENDERED, 1)
    context.close()
