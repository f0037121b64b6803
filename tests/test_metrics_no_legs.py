"""A week without legs: counts read 0, ratios "no data" (DOMAIN.md: a zero denominator is no data)."""
from __future__ import annotations

from data import rollups, store
from metrics.scorecard import scorecard
from partners import periods
from reports import views

# Acme (partner 1) has one leg in 2026-W46 and none in W47; in-house has one in W47 and none in W46.
LEGS = """
INSERT INTO partners (partner_id, name) VALUES (1, 'Acme');
INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL), (2, 'acme', 1);
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id) VALUES
 (2, 'a1', '2026-11-10 08:00:00+00', 'answered', 3, 60, 1),
 (1, 'h1', '2026-11-17 08:00:00+00', 'answered', 3, 60, 1);
"""

COUNTS = ("offered", "answered")
RATIOS = ("service_level", "abandon_rate", "asa_s", "aht_s", "p90_wait_s")


def test_a_week_without_legs_offered_zero_and_has_no_ratios(db):
    with store.writing(db) as con:
        con.execute(LEGS)
        rollups.rebuild_all(con)
        acme = scorecard(con, 1, periods.parse("2026-W47"))
        house = scorecard(con, None, periods.parse("2026-W46"))
    for card in (acme, house):
        counts = [card.figure(name) for name in COUNTS]
        assert [(f.value, views.display(f.value, f.unit)) for f in counts] == [(0, "0"), (0, "0")], card.name
        assert [card.figure(name).value for name in RATIOS] == [None] * len(RATIOS), card.name
        assert {card.figure(name).status for name in RATIOS} == {"no data"}
    assert (acme.figure("offered").previous_value, views.change(acme.figure("offered"))) == (1, "-1")

