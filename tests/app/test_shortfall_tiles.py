"""A shortfall tile shows only where the agreement sets a minimum of its kind (issue 15's figures on
the scorecard page): the demo's Nordic Reliable has a weekly floor of calls, FlexiCall none."""
from __future__ import annotations

from tests.app.test_pages import demo, open_page, tiles  # noqa: F401  (fixture)

SCORECARD = "app_pages/scorecard.py"
SHORTFALL_TILES = {"Calls short of the minimum", "Calls short since the minimum began",
                   "Agent-hours short of the minimum", "Agent-hours short since the minimum began"}


def test_a_partner_without_minimums_gets_no_shortfall_tiles(demo):
    at = open_page(SCORECARD, partner="FlexiCall", period="2026-W47")
    assert not at.exception
    assert {t['label'] for t in tiles(at)} & SHORTFALL_TILES == set()
    assert "Volume share" in {t['label'] for t in tiles(at)}


def test_a_partner_with_a_weekly_floor_of_calls_gets_its_calls_shortfall(demo):
    at = open_page(SCORECARD, partner="Nordic Reliable", period="2026-W47")
    assert not at.exception
    assert {t['label'] for t in tiles(at)} & SHORTFALL_TILES == {"Calls short of the minimum", "Calls short since the minimum began"}
