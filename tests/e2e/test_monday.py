"""What a manager meets on Monday morning (issue 16), in chromium at 1000 and 1400 px: the Overview
matrix fits without sideways scrolling, a partner's name opens its scorecard for the same period,
no tile cuts its value or label, the status is in the tile, and the keyboard focus is visible.

The pictures go to a temporary folder, or with OVERFLOW_SCREENSHOTS=1 (`make screenshots`) to
docs/screenshots/ (overview-1000.png, scorecard-1400.png, ...).
"""
from __future__ import annotations

import os

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e

WIDTHS = (1000, 1400)
# Elements whose text is cut: wider content than box (st.metric's ellipsis) or an ellipsis drawn in.
TRUNCATED = """(selector) => [...document.querySelectorAll(selector)].filter(e =>
    e.scrollWidth > e.clientWidth + 1 || getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth
    || e.innerText.includes('…')).map(e => e.innerText)"""


def folder(tmp_path):
    where = ROOT / "docs" / "screenshots" if os.environ.get("OVERFLOW_SCREENSHOTS") == "1" else tmp_path
    where.mkdir(parents=True, exist_ok=True)
    return where


def photograph(page, width: int, path) -> None:
    """The whole page at `width`: Streamlit scrolls inside its main block, so grow the viewport first."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(max(height, 900), 6000)})
    page.wait_for_timeout(300)  # the layout after the resize, not the app's state: nothing to wait for
    page.screenshot(path=path)
    page.set_viewport_size({"width": width, "height": 1000})


@pytest.mark.parametrize("width", WIDTHS)
def test_the_overview_matrix_fits_and_a_partner_opens_its_scorecard_for_the_same_period(page, app_url, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{app_url}/?period=2026-W47")
    settle(page, "Overview", ready="table.ov-matrix")
    tables = page.locator("table.ov-matrix")
    assert tables.count() == 2
    for i in range(2):  # no sideways scrolling: each table within the main column
        fits = tables.nth(i).evaluate("t => t.getBoundingClientRect().right <= "
                                      "document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().right + 1")
        assert fits, f"matrix {i} runs past the page at {width} px"
    assert page.evaluate(TRUNCATED, "table.ov-matrix td, table.ov-matrix th") == []
    assert page.locator("ul.ov-misses li").count() > 0
    assert "◷ provisional" in page.locator("text=Status:").first.inner_text()
    photograph(page, width, folder(tmp_path) / f"overview-{width}.png")

    page.locator("table.ov-matrix").first.get_by_role("link", name="QuickServe").click()
    settle(page, "Partner scorecard")
    assert "partner=QuickServe" in page.url and "period=2026-W47" in page.url
    caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()
    assert caption.startswith("QuickServe · 2026-W47"), caption


@pytest.mark.parametrize("width", WIDTHS)
def test_no_scorecard_tile_is_truncated_and_each_carries_its_status(page, app_url, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{app_url}/scorecard?partner=FlexiCall&period=2026-W47")
    settle(page, "Partner scorecard", ready=".tile")
    tiles = page.locator(".tile")
    assert tiles.count() >= 20 and page.locator('[data-testid="stMetric"]').count() == 0
    assert page.evaluate(TRUNCATED, ".tile, .tile *") == []
    assert tiles.locator(".status").count() == tiles.count()
    # The status text is dark enough on white for WCAG AA (4.5:1): every colour used is at most #8a4b00's lightness.
    colours = set(page.evaluate("() => [...document.querySelectorAll('.tile .status')].map(e => getComputedStyle(e).color)"))
    assert colours and all(_contrast_on_white(c) >= 4.5 for c in colours), colours
    photograph(page, width, folder(tmp_path) / f"scorecard-{width}.png")


def test_the_keyboard_focus_is_visible_and_unlike_the_current_page(page, app_url):
    page.goto(app_url)
    settle(page, "Overview")
    link = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Quality", exact=True)
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # a focus reached by the keyboard, so :focus-visible applies
    focused = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                            " return [document.activeElement.innerText, s.outlineStyle, s.outlineWidth, s.backgroundColor]; }")
    current = page.locator('[data-testid="stSidebarNav"] a[aria-current="page"]').first.evaluate(
        "e => getComputedStyle(e).backgroundColor")
    assert focused[0].strip().endswith("Quality") and focused[1] == "solid" and focused[2] == "3px"
    assert focused[3] != current  # the focused link does not wear the current page's highlight


def _contrast_on_white(css: str) -> float:
    """WCAG contrast of an 'rgb(r, g, b)' colour against white."""
    r, g, b = (int(x) / 255 for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)
