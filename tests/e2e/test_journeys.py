"""Click through every page of the real app in chromium and photograph each page.

The pictures go to a temporary folder, or with OVERFLOW_SCREENSHOTS=1 (`make screenshots`) to
docs/screenshots/ for the README: every test run rewriting tracked images would put binary
conflicts into every helper's rebase.
"""
from __future__ import annotations

import os

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import CHARTS_DRAWN, settle

pytestmark = pytest.mark.e2e

SCREENSHOTS = ROOT / "docs" / "screenshots"
# (navigation label, the page's title, screenshot name)
PAGES = [
    ("Overview", "Overview", "overview"),
    ("Partner scorecard", "Partner scorecard", "scorecard"),
    ("Availability", "Availability", "availability"),
    ("Quality", "Quality", "quality"),
    ("Service meetings", "Service meetings", "meetings"),
    ("Agreements", "Agreements", "agreements"),
    ("Data", "Data", "data"),
]


def photograph(page, path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to fit it first."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(max(height, 900), 6000)})
    page.wait_for_function(CHARTS_DRAWN)
    page.screenshot(path=path)
    page.set_viewport_size({"width": 1400, "height": 1000})


def photograph_each(page, pages: list[tuple[str, str, str]], tmp_path) -> None:
    """Open each of `pages` (navigation label, title, picture name) from the sidebar: none shows an
    exception, and each is photographed (into docs/screenshots/ with OVERFLOW_SCREENSHOTS=1)."""
    folder = SCREENSHOTS if os.environ.get("OVERFLOW_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    for label, title, name in pages:
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=label, exact=True).click()
        settle(page, title)
        assert page.locator('[data-testid="stException"]').count() == 0, f"{title} shows an exception"
        photograph(page, folder / f"{name}.png")
        assert (folder / f"{name}.png").stat().st_size > 10_000


def test_every_page_opens_without_an_error_and_is_photographed(page, app_url, tmp_path):
    page.goto(app_url)
    settle(page, "Overview")
    photograph_each(page, PAGES, tmp_path)


# The same pages in Swedish (docs/screenshots/sv-*.png, beside the English ones in the README): navigation
# label, title, screenshot name.
SWEDISH = [
    ("Översikt", "Översikt", "sv-overview"),
    ("Partnerns resultatkort", "Partnerns resultatkort", "sv-scorecard"),
    ("Tillgänglighet", "Tillgänglighet", "sv-availability"),
    ("Kvalitet", "Kvalitet", "sv-quality"),
    ("Servicemöten", "Servicemöten", "sv-meetings"),
    ("Avtal", "Avtal", "sv-agreements"),
    ("Data", "Data", "sv-data"),
]


def choose_language(page, label: str, language: str) -> None:
    """Pick a language in the sidebar's picker (its label is in the language shown now)."""
    picker = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text=label)
    picker.click()
    page.get_by_role("option", name=language, exact=True).click()


def test_the_pages_in_swedish_are_photographed(page, app_url, tmp_path):
    """The sidebar's language picker switches the whole app at once; every page then reads Swedish."""
    page.goto(app_url)
    settle(page, "Overview")
    choose_language(page, "Language", "Svenska")
    settle(page, "Översikt")
    photograph_each(page, SWEDISH, tmp_path)
    choose_language(page, "Språk", "English")
    settle(page, "Data")


def test_a_copied_link_reopens_the_same_partner_and_period(page, app_url):
    page.goto(app_url + "/scorecard")
    settle(page, "Partner scorecard")
    url = page.url
    assert "partner=" in url and "period=" in url
    partner = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.inner_text()
    other = page.context.new_page()
    other.goto(url)
    settle(other, "Partner scorecard")
    assert other.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.inner_text() == partner


def test_a_link_to_the_default_page_by_its_name_opens_it_with_the_links_partner_and_period(page, app_url):
    """/overview is the default page's own name: Streamlit serves that page at the root only, so
    without the app's hidden page of that name the link popped 'Page not found'."""
    page.goto(app_url + "/overview?partner=QuickServe&period=2026-W40")
    settle(page, "Overview")
    page.wait_for_url(lambda url: "/overview" not in url)
    assert page.get_by_text("Page not found").count() == 0
    assert "partner=QuickServe" in page.url and "period=2026-W40" in page.url
    page.get_by_text("2026-W40, 28 Sep–4 Oct 2026").first.wait_for()  # the overview of the link's week (Mon–Sun)
